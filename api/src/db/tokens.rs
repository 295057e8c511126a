//! Refresh tokens: only their hashes are stored.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::entities::refresh_token::{ActiveModel, Column, Entity, Model};
use super::{new_id, now};

pub async fn insert(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    family_id: Uuid,
    token_hash: String,
    expires_at: DateTime<Utc>,
    session_started_at: DateTime<Utc>,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id),
        family_id: Set(family_id),
        token_hash: Set(token_hash),
        created_at: Set(now()),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
        session_started_at: Set(Some(session_started_at)),
    }
    .insert(db)
    .await
}

pub async fn find_by_hash(db: &impl ConnectionTrait, hash: &str) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::TokenHash.eq(hash))
        .one(db)
        .await
}

/// Marks a token used, once: `false` when another request used it first.
pub async fn mark_used(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let res = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(now()))
        .filter(Column::Id.eq(id))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Revokes every token of a sign-in's chain (on sign-out, or when a used token comes back).
pub async fn revoke_family(db: &impl ConnectionTrait, family_id: Uuid) -> Result<u64, DbErr> {
    let res = Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now()))
        .filter(Column::FamilyId.eq(family_id))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Revokes every token of a person (deactivation, password change).
pub async fn revoke_user(db: &impl ConnectionTrait, user_id: Uuid) -> Result<u64, DbErr> {
    let res = Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now()))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
