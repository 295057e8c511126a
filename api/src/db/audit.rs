//! The audit log: who did what to which object, and when. Written in the same transaction as
//! the change it records.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};
use uuid::Uuid;

use super::entities::audit_log::ActiveModel;
use super::{new_id, now};
use crate::middleware::{client_address, request_id};

/// One entry, before it is written.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor_id: Option<Uuid>,
    /// `user`, `client` (an integration) or `system`.
    pub actor_kind: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<Uuid>,
    pub details: serde_json::Value,
}

impl<'a> Entry<'a> {
    /// An action of a signed-in person on an object.
    pub fn by_user(
        actor: Uuid,
        action: &'a str,
        entity_type: &'a str,
        entity_id: Uuid,
        details: serde_json::Value,
    ) -> Self {
        Entry {
            actor_id: Some(actor),
            actor_kind: "user",
            action,
            entity_type,
            entity_id: Some(entity_id),
            details,
        }
    }
}

pub async fn record(db: &impl ConnectionTrait, entry: Entry<'_>) -> Result<(), DbErr> {
    super::entities::audit_log::Entity::insert(ActiveModel {
        id: Set(new_id()),
        occurred_at: Set(now()),
        actor_id: Set(entry.actor_id),
        actor_kind: Set(entry.actor_kind.to_owned()),
        action: Set(entry.action.to_owned()),
        entity_type: Set(entry.entity_type.to_owned()),
        entity_id: Set(entry.entity_id),
        details: Set(entry.details.to_string()),
        request_id: Set(request_id::current()),
        address: Set(client_address::current().map(|a| a.to_string())),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}
