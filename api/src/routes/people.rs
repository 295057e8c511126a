//! The signed-in person, and people in scope.

use actix_web::{get, web};
use shared::dto::{MeResponse, PersonDto};
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::people;
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
