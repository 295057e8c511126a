//! Units of the hierarchy.

use actix_web::{get, web};
use shared::dto::UnitDto;
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::units;
use crate::state::AppState;

/// Every unit of the caller's regions (all of them for the administrator), alphabetically.
#[utoipa::path(
    tag = "units",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<UnitDto>), docs::Unauthorized)
)]
#[get("/units")]
pub async fn list_units(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<Vec<UnitDto>>> {
    Ok(web::Json(units::list(&state.db, &principal).await?))
}

/// One unit with its place in the hierarchy.
#[utoipa::path(
    tag = "units",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The unit's id")),
    responses((status = 200, body = UnitDto), docs::Unauthorized, docs::NotFound)
)]
#[get("/units/{id}")]
pub async fn get_unit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<UnitDto>> {
    Ok(web::Json(units::get(&state.db, &principal, *id).await?))
}
