//! The signed-in person, and people in scope.

use actix_web::{get, web};
use shared::dto::people::AccessLogEntry;
use shared::dto::{MeResponse, Page, PersonDto};
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::{people, privacy};
use crate::state::AppState;

/// Who I am: profile, roles with their units, and the people I am linked to (my tutor and
/// mentor as a teacher; my tutees and mentees as staff).
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    responses((status = 200, body = MeResponse), docs::Unauthorized)
)]
#[get("/me")]
pub async fn me(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<MeResponse>> {
    Ok(web::Json(people::me(&state.db, &principal).await?))
}

/// «Кто видел мои данные»: every access to my route, card, files, diagnostic results and
/// profile by someone else — who (a person, or an integration client by name), in which role,
/// when and what — newest first. My own reads are not listed.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    params(super::admin::PageQuery),
    responses((status = 200, body = Page<AccessLogEntry>), docs::Unauthorized, docs::BadRequest)
)]
#[get("/me/access-log")]
pub async fn access_log(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<super::admin::PageQuery>,
) -> AppResult<web::Json<Page<AccessLogEntry>>> {
    let (offset, limit) = crate::services::page_bounds(q.offset, q.limit, 50, privacy::MAX_PAGE)?;
    Ok(web::Json(
        privacy::access_log(&state.db, &principal, offset, limit).await?,
    ))
}

/// A person's profile, if the caller may see them (themselves, their unit's managers, their
/// tutor, mentor or expert); 404 otherwise.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The person's id")),
    responses((status = 200, body = PersonDto), docs::Unauthorized, docs::NotFound)
)]
#[get("/people/{id}")]
pub async fn get_person(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<PersonDto>> {
    Ok(web::Json(people::get(&state, &principal, *id).await?))
}
