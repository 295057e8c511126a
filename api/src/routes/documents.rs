//! Documents endpoints (under `/api/v1`).

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers this area's endpoints.
pub fn configure(_cfg: &mut ServiceConfig) {}
