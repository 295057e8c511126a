//! Cross-cutting request handling: request ids, structured logs and metrics.

pub mod metrics;
pub mod request_id;
