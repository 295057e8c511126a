//! Gives every request an id (the caller's `X-Request-Id` when it is sensible, else a new one),
//! logs the request (its route pattern, never the raw path) within a span carrying it, returns
//! it in the response header, and makes it and the client's address available to error bodies
//! and the audit log through task-locals.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Instrument;

use super::client_address;
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
    let address = client_address::of(req.request());
    // The route's pattern (`/api/v1/calendar/{token}/events.ics`), never the raw path or query:
    // paths carry calendar secrets and one-time link tokens that must not reach the logs.
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let client = address.map(|a| a.to_string()).unwrap_or_default();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %method,
        route = %route,
        client = %client
    );
    let started = Instant::now();

    // Handlers turn their errors into responses inside this scope, so problem bodies carry
    // the id and audit entries the address. (The request must not be cloned here: routing
    // needs it uniquely owned.)
    let mut res = REQUEST_ID
        .scope(id.clone(), client_address::scope(address, next.call(req)))
        .instrument(span.clone())
        .await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static(HEADER), value);
    }
    let elapsed = started.elapsed();
    let status = res.status();
    if let Some(m) = metrics {
        m.observe(&method, &route, status.as_u16(), elapsed);
    }
    span.in_scope(|| {
        let latency_ms = elapsed.as_secs_f64() * 1000.0;
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), latency_ms, "request failed");
        } else {
            tracing::info!(status = status.as_u16(), latency_ms, "request served");
        }
    });
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Log output captured in memory.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut v) = self.0.lock() {
                v.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[actix_web::test]
    async fn a_secret_in_the_path_or_query_never_reaches_the_log_only_the_route_pattern() {
        use actix_web::{App, HttpResponse, test, web};
        let captured = Captured::default();
        let sink = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = test::init_service(
            App::new()
                .service(web::scope("/api/v1").route(
                    "/calendar/{token}/events.ics",
                    web::get().to(|| async { HttpResponse::Ok().finish() }),
                ))
                .wrap(actix_web::middleware::from_fn(observe)),
        )
        .await;
        for uri in [
            "/api/v1/calendar/s3cretFeedToken/events.ics?key=s3cretQuery",
            "/reset/s3cretResetToken",
        ] {
            let req = test::TestRequest::get().uri(uri).to_request();
            test::call_service(&app, req).await;
        }
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(
            text.contains("/api/v1/calendar/{token}/events.ics"),
            "the route pattern is logged: {text}"
        );
        assert!(text.contains("unmatched"), "{text}");
        assert!(!text.contains("s3cret"), "a secret reached the log: {text}");
    }

    #[test]
    fn sensible_incoming_ids_are_kept_and_odd_ones_replaced() {
        assert!(accept_incoming("3f2a-77.b_c"));
        assert!(!accept_incoming(""));
        assert!(!accept_incoming("has space"));
        assert!(!accept_incoming(&"x".repeat(65)));
        assert!(!accept_incoming("<script>"));
    }
}
