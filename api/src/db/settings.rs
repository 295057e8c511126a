//! Platform settings shared by every instance.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

use super::entities::setting::{ActiveModel, Entity};
use super::now;

pub async fn get(db: &impl ConnectionTrait, key: &str) -> Result<Option<String>, DbErr> {
    Ok(Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .map(|s| s.value))
}

/// Stores `value` under `key` unless a value is there already, and returns the stored one:
/// the first instance to start wins, and all of them agree.
pub async fn get_or_insert(
    db: &impl ConnectionTrait,
    key: &str,
    value: &str,
) -> Result<String, DbErr> {
    Entity::insert(ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value.to_owned()),
        updated_at: Set(now()),
    })
    .on_conflict_do_nothing()
    .exec(db)
    .await?;
    get(db, key)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("setting {key}")))
}
