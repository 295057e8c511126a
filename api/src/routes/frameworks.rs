//! Competency frameworks.

use actix_web::{get, web};
use shared::dto::FrameworkDto;
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::frameworks;
use crate::state::AppState;

/// Frameworks the caller can use: the platform's default and their regions' own.
#[utoipa::path(
    tag = "frameworks",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<FrameworkDto>), docs::Unauthorized)
)]
#[get("/frameworks")]
pub async fn list_frameworks(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<Vec<FrameworkDto>>> {
    Ok(web::Json(frameworks::list(&state.db, &principal).await?))
}

/// One framework version with its groups and competencies.
#[utoipa::path(
    tag = "frameworks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The framework version's id")),
    responses((status = 200, body = FrameworkDto), docs::Unauthorized, docs::NotFound)
)]
#[get("/frameworks/{id}")]
pub async fn get_framework(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<FrameworkDto>> {
    Ok(web::Json(
        frameworks::get(&state.db, &principal, *id).await?,
    ))
}
