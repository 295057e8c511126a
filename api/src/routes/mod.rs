//! HTTP handlers: extract, call a service, answer. No rules live here.

pub mod admin;
pub mod analytics;
pub mod auth;
pub mod bank;
pub mod catalogue;
pub mod consents;
pub mod diagnostics;
pub mod docs;
pub mod documents;
pub mod frameworks;
pub mod health;
pub mod integration;
pub mod notifications;
pub mod people;
pub mod route;
pub mod units;

use actix_web::web;
use futures_util::StreamExt;
use utoipa_actix_web::scope;

use crate::error::AppError;

/// A JSON request body read as JSON Schema reads it: a number with no fractional part (`2.0`)
/// is an integer, as the OpenAPI document's `integer` promises; otherwise exactly
/// `web::Json` (the same size limit, media type check and problem answers).
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T> Body<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Body<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Body<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: serde::de::DeserializeOwned + 'static> actix_web::FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let mut value = json.await?.into_inner();
            integral_numbers(&mut value);
            serde_json::from_value(value).map(Body).map_err(|e| {
                AppError::InvalidBody {
                    detail: format!("Недопустимое значение в теле запроса: {e}"),
                }
                .into()
            })
        })
    }
}

/// Turns every number with no fractional part into an integer, within i64/u64.
fn integral_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f >= i64::MIN as f64
                && f < i64::MAX as f64
            {
                #[allow(
                    clippy::cast_possible_truncation,
                    reason = "checked to be integral and in range"
                )]
                let i = f as i64;
                *value = Value::from(i);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// Reads a raw request body (an uploaded file), refusing it past `limit` bytes with a 413
/// before it is all in memory.
pub async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, AppError> {
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::bad_request("malformed_body", e.to_string()))?;
        if bytes.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge { limit });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented endpoint; used both to serve and to write the OpenAPI document,
/// so the two cannot differ.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(health::meta)
        .service(
            scope::scope("/api/v1")
                .service(auth::login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::request_reset)
                .service(auth::link_info)
                .service(auth::set_password)
                .service(auth::confirm_email)
                .service(auth::change_password)
                .service(people::me)
                .service(people::access_log)
                .service(people::my_attestation)
                .service(people::unit_attestation)
                .service(people::start_export)
                .service(people::latest_export)
                .service(people::get_export)
                .service(people::download_export)
                .service(consents::my_consents)
                .service(consents::answer_consent)
                .service(consents::person_consents)
                .service(consents::register_paper_consent)
                .service(consents::attach_consent_scan)
                .service(consents::consent_scan)
                .service(consents::list_purposes)
                .service(consents::create_purpose)
                .service(consents::update_purpose)
                .service(consents::request_my_erasure)
                .service(consents::my_erasure_requests)
                .service(consents::request_erasure_for)
                .service(consents::list_erasure_requests)
                .service(consents::execute_erasure)
                .service(consents::reject_erasure)
                .service(consents::get_retention)
                .service(consents::put_retention)
                .service(consents::retention_runs)
                .service(consents::run_retention)
                .service(notifications::list_notifications)
                .service(notifications::read_all_notifications)
                .service(notifications::read_notification)
                .service(notifications::my_tasks)
                .service(notifications::get_notification_settings)
                .service(notifications::put_notification_settings)
                .service(notifications::unsubscribe)
                .service(people::get_person)
                .service(units::list_units)
                .service(units::get_unit)
                .service(admin::create_unit)
                .service(admin::update_unit)
                .service(admin::archive_unit)
                .service(admin::restore_unit)
                .service(admin::get_policy)
                .service(admin::set_policy)
                .service(admin::list_people)
                .service(admin::create_person)
                .service(admin::preview_import)
                .service(admin::get_import)
                .service(admin::commit_import)
                .service(admin::person_card)
                .service(admin::update_person)
                .service(admin::deactivate_person)
                .service(admin::activate_person)
                .service(admin::invite_person)
                .service(admin::revoke_invitation)
                .service(admin::grant_role)
                .service(admin::revoke_role)
                .service(admin::create_assignment)
                .service(admin::delete_assignment)
                .service(admin::set_consent)
                .service(admin::outbox)
                .service(integration::oauth_token)
                .service(integration::client_me)
                .service(integration::sync_routes)
                .service(integration::sync_people)
                .service(integration::sync_events)
                .service(integration::sync_diagnostics)
                .service(integration::sync_enrolments)
                .service(integration::route_status)
                .service(integration::list_clients)
                .service(integration::create_client)
                .service(integration::get_client)
                .service(integration::rotate_client)
                .service(integration::revoke_client)
                .service(integration::list_webhooks)
                .service(integration::create_webhook)
                .service(integration::delete_webhook)
                .service(integration::enable_webhook)
                .service(integration::list_deliveries)
                .service(integration::redeliver)
                .service(frameworks::list_frameworks)
                .service(frameworks::get_framework)
                .service(route::list_routes)
                .service(route::create_route)
                .service(route::get_route)
                .service(route::get_section)
                .service(route::update_route)
                .service(route::delete_route)
                .service(route::refresh_information)
                .service(route::add_diagnostic)
                .service(route::update_diagnostic)
                .service(route::delete_diagnostic)
                .service(route::add_deficit)
                .service(route::update_deficit)
                .service(route::delete_deficit)
                .service(route::add_task)
                .service(route::update_task)
                .service(route::delete_task)
                .service(route::add_activity)
                .service(route::update_activity)
                .service(route::delete_activity)
                .service(route::reorder_activities)
                .service(route::add_progress)
                .service(route::update_progress)
                .service(route::delete_progress)
                .service(route::add_product)
                .service(route::update_product)
                .service(route::delete_product)
                .service(route::update_final_event)
                .service(route::update_conclusion)
                .service(route::transition)
                .service(route::history)
                .service(route::next_route)
                .service(route::list_comments)
                .service(route::add_comment)
                .service(route::upload_file)
                .service(route::download_file)
                .service(route::delete_file)
                .configure(diagnostics::configure)
                .configure(catalogue::configure)
                .configure(documents::configure)
                .configure(bank::configure)
                .configure(analytics::configure),
        );
}
