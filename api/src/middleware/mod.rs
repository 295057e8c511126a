//! Cross-cutting request handling: request ids, the client's address, structured logs,
//! metrics and security headers.

pub mod client_address;
pub mod metrics;
pub mod request_id;
pub mod security_headers;
