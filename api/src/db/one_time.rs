//! One-time links (invitations, password resets, e-mail confirmations): only hashes are
//! stored.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use shared::dto::TokenPurpose;
use uuid::Uuid;

use super::entities::one_time_token::{ActiveModel, Column, Entity, Model};
use super::{new_id, now};

pub async fn insert(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: TokenPurpose,
    token_hash: String,
    expires_at: DateTime<Utc>,
    created_by: Option<Uuid>,
    new_email: Option<&str>,
) -> Result<Model, DbErr> {
    let t = now();
    ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_owned()),
        token_hash: Set(token_hash),
        created_by: Set(created_by),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
        new_email: Set(new_email.map(str::to_owned)),
        created_at: Set(t),
        updated_at: Set(t),
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

/// The person's latest link of a purpose.
pub async fn latest(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: TokenPurpose,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .order_by_desc(Column::CreatedAt)
        .one(db)
        .await
}

/// Revokes the person's unused links of a purpose (a new one replaces them).
pub async fn revoke_open(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: Option<TokenPurpose>,
) -> Result<u64, DbErr> {
    let mut q = Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now()))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::UsedAt.is_null())
        .filter(Column::RevokedAt.is_null());
    if let Some(p) = purpose {
        q = q.filter(Column::Purpose.eq(p.as_str()));
    }
    Ok(q.exec(db).await?.rows_affected)
}

/// Uses a link, once: `false` when it was used (or revoked) meanwhile.
pub async fn mark_used(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let res = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(now()))
        .filter(Column::Id.eq(id))
        .filter(Column::UsedAt.is_null())
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
