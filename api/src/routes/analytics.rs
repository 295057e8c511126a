//! Monitoring endpoints (under `/api/v1`): the route dashboard of a unit and its workbook.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use shared::dto::{RouteDashboard, RouteDashboardQuery};
use utoipa_actix_web::service_config::ServiceConfig;

use super::docs;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::monitoring;
use crate::state::AppState;

/// Registers this area's endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(route_dashboard).service(route_dashboard_xlsx);
}

/// How a unit's routes are going: routes by status and stage, started / completed / achieved
/// rates, overdue roadmap activities, routes waiting in one step longer than allowed, days per
/// stage (median, 90th percentile), the most frequent confirmed deficits and educational
/// requests, and the units one level below side by side (teachers below a school). For those
/// who manage the unit; another unit answers 404.
#[utoipa::path(tag = "analytics", security(("bearer" = [])),
    params(RouteDashboardQuery),
    responses((status = 200, body = RouteDashboard), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::BadRequest, docs::Unprocessable))]
#[get("/analytics/routes")]
pub async fn route_dashboard(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<RouteDashboardQuery>,
) -> AppResult<web::Json<RouteDashboard>> {
    Ok(web::Json(
        monitoring::dashboard(&state.db, &principal, &q).await?,
    ))
}

/// The same figures as an Excel workbook, a sheet per table: «Сводка», «Статусы», «Этапы»,
/// «Подразделения», «Дефициты», «Запросы».
#[utoipa::path(tag = "analytics", security(("bearer" = [])),
    params(RouteDashboardQuery),
    responses(
        (status = 200, description = "XLSX", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = inline(crate::openapi::FileBytes)),
        docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::BadRequest, docs::Unprocessable))]
#[get("/analytics/routes.xlsx")]
pub async fn route_dashboard_xlsx(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<RouteDashboardQuery>,
) -> AppResult<HttpResponse> {
    let d = monitoring::dashboard(&state.db, &principal, &q).await?;
    let stem = format!("Мониторинг ИОМ {}", d.unit.name);
    let bytes = web::block(move || monitoring::workbook(&d))
        .await
        .map_err(|e| crate::error::AppError::Unexpected(e.into()))??;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header(super::documents::attachment(
            &crate::services::documents::file_name(&stem, "xlsx"),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(bytes))
}
