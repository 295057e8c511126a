//! Per-region rules.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use shared::events::ReminderPolicy;
use uuid::Uuid;

use super::entities::region_policy;

/// A region's rules for routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The longest a route may run (the regulation's year by default).
    pub max_route_months: u32,
    /// The most one extension may add.
    pub max_extension_months: u32,
    /// When the daily scan reminds and escalates.
    pub reminders: ReminderPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_route_months: 12,
            max_extension_months: 6,
            reminders: ReminderPolicy::default(),
        }
    }
}

impl From<region_policy::Model> for Policy {
    fn from(p: region_policy::Model) -> Self {
        Policy {
            max_route_months: u32::try_from(p.max_route_months).unwrap_or(12),
            max_extension_months: u32::try_from(p.max_extension_months).unwrap_or(6),
            reminders: ReminderPolicy {
                remind_before_days: i64::from(p.remind_before_days.max(0)),
                escalate_after_days: i64::from(p.escalate_after_days.max(0)),
            },
        }
    }
}

pub async fn for_region(db: &impl ConnectionTrait, region: Uuid) -> Result<Policy, DbErr> {
    Ok(region_policy::Entity::find_by_id(region)
        .one(db)
        .await?
        .map(Policy::from)
        .unwrap_or_default())
}

/// The rules of every region that has its own (the others have the defaults).
pub async fn all(db: &impl ConnectionTrait) -> Result<HashMap<Uuid, Policy>, DbErr> {
    Ok(region_policy::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.region_id, Policy::from(p)))
        .collect())
}
