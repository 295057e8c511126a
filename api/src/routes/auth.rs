//! Sign-in, token refresh and sign-out.
//!
//! The access token is returned in the body and kept in memory by the client. The refresh
//! token travels only in an HttpOnly, SameSite=Strict cookie scoped to `/api/v1/auth`, so page
//! scripts (and a cross-site attacker) can never read or send it.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use shared::dto::{
    ChangePasswordRequest, ConfirmEmailRequest, EmailConfirmed, LoginRequest, PasswordResetRequest,
    SetPasswordRequest, TokenInfo, TokenResponse,
};

use super::docs;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::accounts;
use crate::services::auth::{self, Session};
use crate::state::AppState;

pub const REFRESH_COOKIE: &str = "iom_refresh";
const COOKIE_PATH: &str = "/api/v1/auth";

fn session_response(state: &AppState, session: Session) -> HttpResponse {
    let max_age = (session.refresh_expires_at - chrono::Utc::now())
        .num_seconds()
        .max(0);
    let cookie = Cookie::build(REFRESH_COOKIE, session.refresh_token)
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.secure_cookies)
        .max_age(CookieDuration::seconds(max_age))
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
    body: super::Body<LoginRequest>,
) -> AppResult<HttpResponse> {
    let address = crate::middleware::client_address::of(&req);
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

/// Sign out: revokes the refresh token's sign-in, ends the access tokens issued so far, and
/// clears the cookie.
#[utoipa::path(tag = "auth", responses((status = 204, description = "Signed out")))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    auth::logout(&state, presented_refresh(&req)).await?;
    let mut gone = Cookie::build(REFRESH_COOKIE, "")
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.secure_cookies)
        .finish();
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}

/// Ask for a password-reset link by e-mail. The answer is 202 whether or not the address is
/// known, so it reveals nothing.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetRequest,
    responses((status = 202, description = "If the address is registered, a link is on its way"), docs::Unprocessable)
)]
#[post("/auth/password-reset")]
pub async fn request_reset(
    state: web::Data<AppState>,
    body: super::Body<PasswordResetRequest>,
) -> AppResult<HttpResponse> {
    accounts::request_reset(&state, body.into_inner()).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Whom a one-time link (invitation, reset or e-mail confirmation) is for; 404 when it is
/// invalid, used or expired.
#[utoipa::path(
    tag = "auth",
    params(("token" = String, Path, description = "The token from the link")),
    responses((status = 200, body = TokenInfo), docs::NotFound)
)]
#[get("/auth/links/{token}")]
pub async fn link_info(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> AppResult<web::Json<TokenInfo>> {
    Ok(web::Json(accounts::token_info(&state, &token).await?))
}

/// Confirm a new e-mail address with the link sent to it.
///
/// The address changes only now; every sign-in of the person ends (refresh tokens are revoked
/// and access tokens stop working at once), and open links sent to the old address stop
/// working. A person with no password yet gets a fresh invitation at the new address.
#[utoipa::path(
    tag = "auth",
    request_body = ConfirmEmailRequest,
    responses(
        (status = 200, description = "The new address is in force", body = EmailConfirmed),
        docs::NotFound, docs::Conflict, docs::Unprocessable
    )
)]
#[post("/auth/confirm-email")]
pub async fn confirm_email(
    state: web::Data<AppState>,
    body: super::Body<ConfirmEmailRequest>,
) -> AppResult<HttpResponse> {
    let confirmed = accounts::confirm_email(&state, body.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(confirmed))
}

/// Set a password with a one-time link and sign in.
#[utoipa::path(
    tag = "auth",
    request_body = SetPasswordRequest,
    responses(
        (status = 200, description = "Password set; signed in", body = TokenResponse),
        docs::NotFound, docs::Unprocessable
    )
)]
#[post("/auth/set-password")]
pub async fn set_password(
    state: web::Data<AppState>,
    body: super::Body<SetPasswordRequest>,
) -> AppResult<HttpResponse> {
    let session = accounts::set_password(&state, body.into_inner()).await?;
    Ok(session_response(&state, session))
}

/// Change one's own password; other sign-ins end.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses((status = 200, description = "Changed; a new session", body = TokenResponse), docs::Unauthorized, docs::Unprocessable)
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    principal: Principal,
    body: super::Body<ChangePasswordRequest>,
) -> AppResult<HttpResponse> {
    let session = accounts::change_password(&state, &principal, body.into_inner()).await?;
    Ok(session_response(&state, session))
}
