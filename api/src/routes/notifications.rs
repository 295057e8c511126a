//! The signed-in person's notices and «Что сделать» list.

use actix_web::{HttpResponse, get, post, put, web};
use serde::Deserialize;
use shared::dto::{
    MarkedRead, NotificationDto, NotificationPage, NotificationSettings, TodoList, Unsubscribed,
};
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::{notification_settings, notifications, tasks};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Page size (1–100, 20 by default).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    /// Notices to skip, at most 1 000 000.
    #[param(minimum = 0, maximum = 1000000)]
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

/// How I receive each kind of notice: every kind with its Russian title and my channel —
/// `platform` (only in the platform) or `email` (also a letter at once). Until I choose, what
/// waits for my action comes by e-mail and the rest stays in the platform.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, body = NotificationSettings), docs::Unauthorized)
)]
#[get("/me/notification-settings")]
pub async fn get_notification_settings(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<NotificationSettings>> {
    Ok(web::Json(
        notification_settings::get(&state.db, &principal).await?,
    ))
}

/// Choose the channel of the kinds sent (titles are ignored; kinds not sent keep their
/// choice). An unknown kind or channel is 422. Answers every kind, as GET does.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    request_body = NotificationSettings,
    responses(
        (status = 200, body = NotificationSettings),
        docs::BadRequest, docs::Unauthorized, docs::Unprocessable
    )
)]
#[put("/me/notification-settings")]
pub async fn put_notification_settings(
    state: web::Data<AppState>,
    principal: Principal,
    body: super::Body<NotificationSettings>,
) -> AppResult<web::Json<NotificationSettings>> {
    Ok(web::Json(
        notification_settings::put(&state, &principal, body.into_inner()).await?,
    ))
}

/// One-click unsubscription, without sign-in: the token from a notice letter's link names the
/// person and the kind of notice, and from now on that kind reaches them only in the platform.
/// Also the `List-Unsubscribe-Post` target of the letter (the body is ignored). A token that
/// does not verify is 404; repeating a valid one changes nothing more.
#[utoipa::path(
    tag = "notifications",
    params(("token" = String, Path, description = "The token from the letter's link")),
    responses((status = 200, body = Unsubscribed), docs::NotFound)
)]
#[post("/unsubscribe/{token}")]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let done = notification_settings::unsubscribe(&state, &token).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(done))
}
