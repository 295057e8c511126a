//! Gives every request an id (the caller's `X-Request-Id` when it is sensible, else a new one),
//! logs the request within a span carrying it, returns it in the response header, and makes it
//! available to error bodies through a task-local.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Instrument;

use super::metrics::Metrics;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The request id, also kept in request extensions for handlers that want it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn accept_incoming(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| accept_incoming(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let metrics = req.app_data::<actix_web::web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    let span =
        tracing::info_span!("request", request_id = %id, method = %method, path = %req.path());
    let started = Instant::now();

    // Handlers turn their errors into responses inside this scope, so problem bodies carry
    // the id. (The request must not be cloned here: routing needs it uniquely owned.)
    let mut res = REQUEST_ID
        .scope(id.clone(), next.call(req))
        .instrument(span.clone())
        .await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static(HEADER), value);
    }
    let elapsed = started.elapsed();
    let status = res.status();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    if let Some(m) = metrics {
        m.observe(&method, &route, status.as_u16(), elapsed);
    }
    span.in_scope(|| {
        let latency_ms = elapsed.as_secs_f64() * 1000.0;
        if status.is_server_error() {
            tracing::error!(
                status = status.as_u16(),
                latency_ms,
                route,
                "request failed"
            );
        } else {
            tracing::info!(
                status = status.as_u16(),
                latency_ms,
                route,
                "request served"
            );
        }
    });
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensible_incoming_ids_are_kept_and_odd_ones_replaced() {
        assert!(accept_incoming("3f2a-77.b_c"));
        assert!(!accept_incoming(""));
        assert!(!accept_incoming("has space"));
        assert!(!accept_incoming(&"x".repeat(65)));
        assert!(!accept_incoming("<script>"));
    }
}
