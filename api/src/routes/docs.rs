//! Reusable error responses for the OpenAPI document. They are never built: handlers answer
//! with [`crate::error::AppError`], whose body is this same [`Problem`].
#![allow(dead_code, reason = "types exist only for their OpenAPI description")]

use shared::dto::Problem;

/// Malformed request: the body is not JSON, or a query parameter is not understood.
#[derive(utoipa::IntoResponses)]
#[response(status = 400, content_type = "application/problem+json")]
pub struct BadRequest(Problem);

/// Not signed in, or the access token has expired (`WWW-Authenticate: Bearer`).
#[derive(utoipa::IntoResponses)]
#[response(status = 401, content_type = "application/problem+json")]
pub struct Unauthorized(Problem);

/// The object is visible to the caller, but this action on it is not allowed.
#[derive(utoipa::IntoResponses)]
#[response(status = 403, content_type = "application/problem+json")]
pub struct Forbidden(Problem);

/// No such object, or it is outside the caller's scope (the two are not told apart).
#[derive(utoipa::IntoResponses)]
#[response(status = 404, content_type = "application/problem+json")]
pub struct NotFound(Problem);

/// The object's current state does not allow this action.
#[derive(utoipa::IntoResponses)]
#[response(status = 409, content_type = "application/problem+json")]
pub struct Conflict(Problem);

/// The object existed and is gone for good (an expired download).
#[derive(utoipa::IntoResponses)]
#[response(status = 410, content_type = "application/problem+json")]
pub struct Gone(Problem);

/// The body is larger than the server accepts.
#[derive(utoipa::IntoResponses)]
#[response(status = 413, content_type = "application/problem+json")]
pub struct PayloadTooLarge(Problem);

/// The body is well-formed but invalid; `errors` has messages per field.
#[derive(utoipa::IntoResponses)]
#[response(status = 422, content_type = "application/problem+json")]
pub struct Unprocessable(Problem);

/// Too many attempts; retry after the number of seconds in `Retry-After`.
#[derive(utoipa::IntoResponses)]
#[response(status = 429, content_type = "application/problem+json")]
pub struct TooManyRequests(Problem);
