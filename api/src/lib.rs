//! The server of the platform for teachers' individual educational routes (ИОМ).
//!
//! Layers: [`routes`] (HTTP only) → [`services`] (rules, authorization through
//! [`shared::access`], transactions) → [`db`] (small query functions over `ConnectionTrait`).

pub mod assets;
pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod fallback;
pub mod jobs;
pub mod middleware;
pub mod openapi;
pub mod routes;
pub mod services;
pub mod startup;
pub mod state;
pub mod tabular;
pub mod telemetry;

pub use config::Settings;
pub use startup::Application;
