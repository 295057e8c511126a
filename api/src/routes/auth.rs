//! Sign-in, token refresh and sign-out.
//!
//! The access token is returned in the body and kept in memory by the client. The refresh
//! token travels only in an HttpOnly, SameSite=Strict cookie scoped to `/api/v1/auth`, so page
//! scripts (and a cross-site attacker) can never read or send it.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, post, web};
use shared::dto::{LoginRequest, TokenResponse};

use super::docs;
use crate::error::AppResult;
use crate::services::auth::{self, REFRESH_TTL_DAYS, Session};
use crate::state::AppState;

pub const REFRESH_COOKIE: &str = "iom_refresh";
const COOKIE_PATH: &str = "/api/v1/auth";

fn session_response(state: &AppState, session: Session) -> HttpResponse {
    let cookie = Cookie::build(REFRESH_COOKIE, session.refresh_token)
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.secure_cookies())
        .max_age(CookieDuration::days(REFRESH_TTL_DAYS))
        .finish();
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .cookie(cookie)
        .json(TokenResponse {
            access_token: session.access_token,
            token_type: "Bearer".into(),
            expires_in: session.expires_in,
        })
}

fn presented_refresh(req: &HttpRequest) -> Option<String> {
    req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned())
}

/// Sign in with e-mail and password.
///
/// Answers with a 15-minute access token and sets the refresh-token cookie. A wrong e-mail and
/// a wrong password get the same answer; repeated failures for one account or address are
/// slowed down with 429 and `Retry-After`.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the refresh token is set as an HttpOnly cookie", body = TokenResponse),
        docs::BadRequest, docs::Unauthorized, docs::Unprocessable, docs::TooManyRequests
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> AppResult<HttpResponse> {
    let address = req.peer_addr().map(|a| a.ip().to_string());
    let session = auth::login(&state, body.into_inner(), address).await?;
    Ok(session_response(&state, session))
}

/// Exchange the refresh-token cookie for a new access token (and a new cookie).
///
/// Each refresh token works once; presenting a used one ends that sign-in everywhere.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "A new access token; the cookie is rotated", body = TokenResponse),
        docs::Unauthorized
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    let session = auth::refresh(&state, presented_refresh(&req)).await?;
    Ok(session_response(&state, session))
}

/// Sign out: revokes the refresh token's sign-in and clears the cookie.
#[utoipa::path(tag = "auth", responses((status = 204, description = "Signed out")))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    auth::logout(&state, presented_refresh(&req)).await?;
    let mut gone = Cookie::build(REFRESH_COOKIE, "")
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish();
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}
