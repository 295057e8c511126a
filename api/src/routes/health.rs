//! Liveness, readiness and metrics for operators and balancers.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::middleware::metrics::Metrics;
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "service", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// The process is up and its database answers; a balancer sends traffic only when this is 200.
#[utoipa::path(
    tag = "service",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "The database does not answer", body = shared::dto::Problem, content_type = "application/problem+json")
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if crate::db::ping(&state.db).await {
        HttpResponse::Ok().json(Health { status: "ok" })
    } else {
        let mut problem =
            AppError::Unexpected(anyhow::anyhow!("database unreachable")).to_problem();
        problem.status = 503;
        problem.code = "database_unavailable".into();
        problem.title = "База данных недоступна".into();
        problem.detail = None;
        HttpResponse::ServiceUnavailable()
            .content_type("application/problem+json")
            .json(problem)
    }
}

/// Prometheus text exposition: requests and latencies by method, route and status.
#[utoipa::path(tag = "service", responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn metrics(metrics: web::Data<Metrics>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render()?))
}

/// What the web application needs to know before anyone signs in.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Meta {
    pub version: &'static str,
    /// The server runs with demo data (its sign-in page may offer the demo accounts).
    pub demo: bool,
}

/// Public facts about this server.
#[utoipa::path(tag = "service", responses((status = 200, body = Meta)))]
#[get("/api/v1/meta")]
pub async fn meta(state: web::Data<AppState>) -> web::Json<Meta> {
    web::Json(Meta {
        version: env!("CARGO_PKG_VERSION"),
        demo: state.settings.demo,
    })
}
