//! Role grants.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use shared::Role;
use uuid::Uuid;

use super::entities::role_grant::{ActiveModel, Column, Entity, Model};
use super::{new_id, now};

pub async fn for_user(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::UserId.eq(user_id))
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await
}

pub async fn insert(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    role: Role,
    unit_id: Option<Uuid>,
    granted_by: Option<Uuid>,
) -> Result<Model, DbErr> {
    let t = now();
    ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
        unit_id: Set(unit_id),
        granted_by: Set(granted_by),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await
}
