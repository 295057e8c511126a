//! HTTP handlers: extract, call a service, answer. No rules live here.

pub mod auth;
pub mod docs;
pub mod health;
pub mod people;
pub mod units;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented endpoint; used both to serve and to write the OpenAPI document,
/// so the two cannot differ.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(
            scope::scope("/api/v1")
                .service(auth::login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(people::me)
                .service(people::get_person)
                .service(units::list_units)
                .service(units::get_unit),
        );
}
