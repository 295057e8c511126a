//! Per-region rules.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use uuid::Uuid;

use super::entities::region_policy;

/// A region's rules for routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The longest a route may run (the regulation's year by default).
    pub max_route_months: u32,
    /// The most one extension may add.
    pub max_extension_months: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_route_months: 12,
            max_extension_months: 6,
        }
    }
}

pub async fn for_region(db: &impl ConnectionTrait, region: Uuid) -> Result<Policy, DbErr> {
    Ok(region_policy::Entity::find_by_id(region)
        .one(db)
        .await?
        .map(|p| Policy {
            max_route_months: u32::try_from(p.max_route_months).unwrap_or(12),
            max_extension_months: u32::try_from(p.max_extension_months).unwrap_or(6),
        })
        .unwrap_or_default())
}
