//! Services own the rules: they authorise through the one policy ([`shared::access`]), run
//! transactions and map entities to DTOs. Handlers only call them.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod catalogue;
pub mod demo;
pub mod diagnostics;
pub mod documents;
pub mod events;
pub mod frameworks;
pub mod integration;
pub mod mail;
pub mod notifications;
pub mod people;
pub mod route;
pub mod tasks;
pub mod units;
