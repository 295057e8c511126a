//! The integration API for regional platforms and third parties: clients and credentials,
//! the client principal, incremental sync feeds and webhooks.

pub mod client_auth;
pub mod clients;
pub mod rate;
pub mod summary;
pub mod sync;
pub mod webhook_target;
pub mod webhooks;
