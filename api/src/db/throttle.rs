//! Counters of failed sign-ins, per account and per address, kept in the database so every
//! instance behind a balancer sees the same counts.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QuerySelect, Set,
};

use super::entities::login_throttle::{ActiveModel, Entity, Model};

pub async fn get(db: &impl ConnectionTrait, key: &str) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(key.to_owned()).one(db).await
}

/// Reads the counter for update (a row lock on PostgreSQL; SQLite's write transaction already
/// serialises writers).
pub async fn get_for_update(db: &impl ConnectionTrait, key: &str) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(key.to_owned())
        .lock_exclusive()
        .one(db)
        .await
}

pub async fn save(
    db: &impl ConnectionTrait,
    existing: Option<Model>,
    key: &str,
    failures: i32,
    window_started_at: DateTime<Utc>,
    blocked_until: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    match existing {
        Some(row) => {
            let mut am = row.into_active_model();
            am.failures = Set(failures);
            am.window_started_at = Set(window_started_at);
            am.blocked_until = Set(blocked_until);
            am.update(db).await?;
        }
        None => {
            Entity::insert(ActiveModel {
                key: Set(key.to_owned()),
                failures: Set(failures),
                window_started_at: Set(window_started_at),
                blocked_until: Set(blocked_until),
            })
            .exec_without_returning(db)
            .await?;
        }
    }
    Ok(())
}

pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    Entity::delete_by_id(key.to_owned()).exec(db).await?;
    Ok(())
}
