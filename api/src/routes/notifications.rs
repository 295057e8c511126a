//! The signed-in person's notices and «Что сделать» list.

use actix_web::{get, post, web};
use serde::Deserialize;
use shared::dto::{MarkedRead, NotificationDto, NotificationPage, TodoList};
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::{notifications, tasks};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Page size (1–100, 20 by default).
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// My notices, newest first, with the number of unread ones (the bell's count).
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(NotificationQuery),
    responses((status = 200, body = NotificationPage), docs::BadRequest, docs::Unauthorized)
)]
#[get("/me/notifications")]
pub async fn list_notifications(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<NotificationQuery>,
) -> AppResult<web::Json<NotificationPage>> {
    Ok(web::Json(
        notifications::list(&state.db, &principal, q.limit, q.offset).await?,
    ))
}

/// Mark one of my notices read. Someone else's notice does not exist for me (404).
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The notice's id")),
    responses((status = 200, body = NotificationDto), docs::Unauthorized, docs::NotFound)
)]
#[post("/me/notifications/{id}/read")]
pub async fn read_notification(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<NotificationDto>> {
    Ok(web::Json(
        notifications::mark_read(&state, &principal, *id).await?,
    ))
}

/// Mark all my notices read.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, body = MarkedRead), docs::Unauthorized)
)]
#[post("/me/notifications/read-all")]
pub async fn read_all_notifications(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<MarkedRead>> {
    Ok(web::Json(
        notifications::mark_all_read(&state, &principal).await?,
    ))
}

/// «Что сделать»: what waits for me now — routes to agree, approve, evaluate or complete,
/// overdue roadmap activities, my route ending without a product, consent requests — each
/// with a link to where it is done, oldest first.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, body = TodoList), docs::Unauthorized)
)]
#[get("/me/tasks")]
pub async fn my_tasks(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<TodoList>> {
    Ok(web::Json(tasks::list(&state.db, &principal).await?))
}
