//! Services own the rules: they authorise through the one policy ([`shared::access`]), run
//! transactions and map entities to DTOs. Handlers only call them.

pub mod accounts;
pub mod admin;
pub mod attestation;
pub mod auth;
pub mod bank;
pub mod catalogue;
pub mod consents;
pub mod demo;
pub mod diagnostics;
pub mod digest;
pub mod documents;
pub mod erasure;
pub mod events;
pub mod frameworks;
pub mod integration;
pub mod mail;
pub mod monitoring;
pub mod notification_settings;
pub mod notifications;
pub mod people;
pub mod privacy;
pub mod privacy_export;
pub mod reminders;
pub mod retention;
pub mod route;
pub mod summaries;
pub mod tasks;
pub mod units;

use crate::error::{AppError, AppResult};

/// Checks a requested page against the bounds the API documents (`offset` at most
/// [`shared::dto::MAX_OFFSET`], `limit` from 1 to `max_limit`) and fills in the defaults.
/// Outside them the answer is 400, like any query parameter the server does not understand.
pub fn page_bounds(
    offset: Option<u64>,
    limit: Option<u64>,
    default_limit: u64,
    max_limit: u64,
) -> AppResult<(u64, u64)> {
    let offset = offset.unwrap_or(0);
    if offset > shared::dto::MAX_OFFSET {
        return Err(AppError::bad_request(
            "invalid_query",
            format!(
                "Параметр offset не может быть больше {}.",
                shared::dto::MAX_OFFSET
            ),
        ));
    }
    let limit = limit.unwrap_or(default_limit);
    if !(1..=max_limit).contains(&limit) {
        return Err(AppError::bad_request(
            "invalid_query",
            format!("Параметр limit должен быть от 1 до {max_limit}."),
        ));
    }
    Ok((offset, limit))
}
