//! The notification centre: a person's own notices, read and marked read. Nobody reads or
//! marks another person's notice (it does not exist for them: 404).

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use shared::dto::{MarkedRead, NotificationDto, NotificationPage};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db;
use crate::db::entities::notification::{self, Column, Entity};
use crate::error::{AppError, AppResult};
use crate::services::events::PLATFORM;
use crate::state::AppState;

const MAX_LIMIT: u64 = 100;

fn to_dto(n: &notification::Model) -> AppResult<NotificationDto> {
    Ok(NotificationDto {
        id: n.id,
        kind: db::parse_code(&n.kind)?,
        text: n.text.clone(),
        link: n.link.clone(),
        route_id: n.route_id,
        needs_action: n.needs_action,
        created_at: n.created_at,
        read_at: n.read_at,
    })
}

fn mine(recipient: Uuid) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(Column::RecipientId.eq(recipient))
        .add(Column::Channel.eq(PLATFORM))
}

async fn unread(db: &impl ConnectionTrait, recipient: Uuid) -> AppResult<u64> {
    Ok(Entity::find()
        .filter(mine(recipient))
        .filter(Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// The person's notices, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
    limit: Option<u64>,
    offset: Option<u64>,
) -> AppResult<NotificationPage> {
    let (offset, limit) = super::page_bounds(offset, limit, 20, MAX_LIMIT)?;
    let query = Entity::find().filter(mine(principal.id()));
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok(NotificationPage {
        items: rows.iter().map(to_dto).collect::<AppResult<_>>()?,
        total,
        unread: unread(db, principal.id()).await?,
        offset,
        limit,
    })
}

/// Marks one of the person's notices read (again: no change).
pub async fn mark_read(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> AppResult<NotificationDto> {
    let n = Entity::find_by_id(id)
        .filter(mine(principal.id()))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if n.read_at.is_some() {
        return to_dto(&n);
    }
    let t = db::now();
    Entity::update_many()
        .col_expr(Column::ReadAt, Expr::value(Some(t)))
        .col_expr(Column::UpdatedAt, Expr::value(t))
        .filter(Column::Id.eq(id))
        .filter(Column::ReadAt.is_null())
        .exec(&state.db)
        .await?;
    to_dto(&notification::Model {
        read_at: Some(t),
        updated_at: t,
        ..n
    })
}

/// Marks every notice of the person read.
pub async fn mark_all_read(state: &AppState, principal: &Principal) -> AppResult<MarkedRead> {
    let t = db::now();
    let done = Entity::update_many()
        .col_expr(Column::ReadAt, Expr::value(Some(t)))
        .col_expr(Column::UpdatedAt, Expr::value(t))
        .filter(mine(principal.id()))
        .filter(Column::ReadAt.is_null())
        .exec(&state.db)
        .await?;
    Ok(MarkedRead {
        marked: done.rows_affected,
        unread: unread(&state.db, principal.id()).await?,
    })
}
