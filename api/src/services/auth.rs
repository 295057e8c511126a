//! Signing in, refreshing and signing out.

use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use shared::dto::LoginRequest;
use validator::Validate;

use crate::auth::{jwt, password, throttle, tokens};
use crate::db::{self, audit, throttle as throttle_db, users};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Refresh tokens live two weeks from their last rotation.
pub const REFRESH_TTL_DAYS: i64 = 14;

/// A new access token and the refresh token that replaces the previous one.
pub struct Session {
    pub access_token: String,
    pub expires_in: u64,
    pub refresh_token: String,
    /// When the refresh token expires (two weeks on, never past the sign-in's absolute end).
    pub refresh_expires_at: chrono::DateTime<chrono::Utc>,
}

fn invalid_credentials() -> AppError {
    AppError::Unauthorized {
        code: "invalid_credentials",
        detail: "Неверный адрес электронной почты или пароль.".into(),
    }
}

fn invalid_refresh() -> AppError {
    AppError::Unauthorized {
        code: "invalid_refresh_token",
        detail: "Сеанс завершён. Войдите снова.".into(),
    }
}

/// Signs in with a password. `address` is the client's address (see
/// [`crate::middleware::client_address`]). While a counter says to wait, the attempt is
/// answered 429 without looking at the password, so waiting out the delay is the only way on.
pub async fn login(
    state: &AppState,
    req: LoginRequest,
    address: Option<std::net::IpAddr>,
) -> AppResult<Session> {
    req.validate()?;
    let email = shared::text::normalize_email(&req.email);
    let policy = state.settings.login_throttle;
    let keys = throttle_keys(&email, address, &policy);
    let address = address.map(|a| a.to_string());
    let now = db::now();
    for (key, _) in &keys {
        if let Some(row) = throttle_db::get(&state.db, key).await?
            && let Some(secs) = throttle::retry_after(row.blocked_until, now)
        {
            // Not audited: refusing costs no write, so hammering a paused account cannot fill
            // the log (the failures that paused it are there).
            return Err(AppError::TooManyRequests {
                retry_after_secs: secs,
            });
        }
    }

    let user = users::find_by_email(&state.db, &email).await?;
    let ok = password::verify(
        SecretString::from(req.password),
        user.as_ref().and_then(|u| u.password_hash.clone()),
    )
    .await?;
    let known = user.as_ref().map(|u| u.id);
    let Some(user) = user.filter(|_| ok) else {
        record_failure(state, &keys, policy.window, known, address.as_deref()).await?;
        return Err(invalid_credentials());
    };
    if !user.active {
        failed_sign_in(&state.db, Some(user.id), "inactive", address.as_deref()).await?;
        return Err(AppError::Unauthorized {
            code: "account_inactive",
            detail: "Учётная запись отключена. Обратитесь к координатору.".into(),
        });
    }

    let txn = db::begin_write(&state.db).await?;
    throttle_db::clear(&txn, &keys[0].0).await?;
    let user = users::touch_login(&txn, user).await?;
    let session = start_session(
        state,
        &txn,
        user.id,
        &user.security_stamp,
        db::new_id(),
        db::now(),
    )
    .await?;
    audit::record(
        &txn,
        audit::Entry {
            subject_id: None,
            actor_id: Some(user.id),
            actor_kind: "user",
            action: "auth.login",
            entity_type: "user",
            entity_id: Some(user.id),
            details: serde_json::json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(session)
}

/// The counters a sign-in touches: the account's first (cleared on success), then the
/// address's.
fn throttle_keys(
    email: &str,
    address: Option<std::net::IpAddr>,
    policy: &throttle::Policy,
) -> Vec<(String, throttle::Limit)> {
    let mut keys = vec![(format!("email:{email}"), policy.account)];
    if let Some(a) = address {
        keys.push((format!("ip:{a}"), policy.address));
    }
    keys
}

/// A failed sign-in goes to the audit log: about the account when the address is one (so the
/// person can later see attempts on it), with the client address and why it failed. The
/// password tried is never kept, nor an unknown e-mail.
async fn failed_sign_in(
    db: &impl sea_orm::ConnectionTrait,
    user: Option<uuid::Uuid>,
    reason: &str,
    address: Option<&str>,
) -> AppResult<()> {
    audit::record(
        db,
        audit::Entry {
            actor_id: None,
            actor_kind: "anonymous",
            action: "auth.login_failed",
            entity_type: "user",
            entity_id: user,
            details: serde_json::json!({ "reason": reason, "address": address }),
            subject_id: user,
        },
    )
    .await?;
    Ok(())
}

async fn record_failure(
    state: &AppState,
    keys: &[(String, throttle::Limit)],
    window: Duration,
    user: Option<uuid::Uuid>,
    address: Option<&str>,
) -> AppResult<()> {
    let txn = db::begin_write(&state.db).await?;
    failed_sign_in(
        &txn,
        user,
        if user.is_some() {
            "password"
        } else {
            "unknown_account"
        },
        address,
    )
    .await?;
    let now = db::now();
    for (key, limit) in keys {
        let row = throttle_db::get_for_update(&txn, key).await?;
        let (failures, started) = row
            .as_ref()
            .map_or((0, now), |r| (r.failures, r.window_started_at));
        let (failures, started, blocked) =
            throttle::after_failure(failures, started, now, window, *limit);
        throttle_db::save(&txn, row, key, failures, started, blocked).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// When a sign-in that began at `started` must end, whatever refreshes it.
pub fn session_end(state: &AppState, started: DateTime<Utc>) -> DateTime<Utc> {
    started + Duration::days(i64::from(state.settings.session_max_days))
}

/// Issues an access token carrying the person's security `stamp` and a new refresh token in
/// `family`, the sign-in that began at `started`: neither outlives its absolute end.
pub async fn start_session(
    state: &AppState,
    db: &impl sea_orm::ConnectionTrait,
    user_id: uuid::Uuid,
    stamp: &str,
    family: uuid::Uuid,
    started: DateTime<Utc>,
) -> AppResult<Session> {
    let now = db::now();
    let end = session_end(state, started);
    let refresh = tokens::generate();
    let refresh_expires_at = (now + Duration::days(REFRESH_TTL_DAYS)).min(end);
    crate::db::tokens::insert(
        db,
        user_id,
        family,
        tokens::hash(&refresh),
        refresh_expires_at,
        started,
    )
    .await?;
    let now_secs = jwt::now_secs();
    let end_secs = u64::try_from(end.timestamp()).unwrap_or(0);
    let access_token = state.jwt.issue(user_id, stamp, now_secs, Some(end_secs))?;
    Ok(Session {
        access_token,
        expires_in: jwt::ACCESS_TTL_SECS.min(end_secs.saturating_sub(now_secs)),
        refresh_token: refresh,
        refresh_expires_at,
    })
}

/// Rotates a refresh token. A token that was already used means it leaked (or two tabs raced):
/// the whole chain is revoked and the person signs in again.
pub async fn refresh(state: &AppState, presented: Option<String>) -> AppResult<Session> {
    let presented = presented
        .filter(|t| !t.is_empty())
        .ok_or_else(invalid_refresh)?;
    let txn = db::begin_write(&state.db).await?;
    let Some(token) = crate::db::tokens::find_by_hash(&txn, &tokens::hash(&presented)).await?
    else {
        return Err(invalid_refresh());
    };
    let now = db::now();
    if token.revoked_at.is_some() || token.expires_at <= now {
        return Err(invalid_refresh());
    }
    if token.used_at.is_some() || !crate::db::tokens::mark_used(&txn, token.id).await? {
        crate::db::tokens::revoke_family(&txn, token.family_id).await?;
        audit::record(
            &txn,
            audit::Entry {
                subject_id: None,
                actor_id: Some(token.user_id),
                actor_kind: "user",
                action: "auth.refresh_reused",
                entity_type: "user",
                entity_id: Some(token.user_id),
                details: serde_json::json!({ "family": token.family_id }),
            },
        )
        .await?;
        txn.commit().await?;
        return Err(invalid_refresh());
    }
    let started = token.session_started_at.unwrap_or(token.created_at);
    if session_end(state, started) <= now {
        return Err(invalid_refresh());
    }
    let user = users::find(&txn, token.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(invalid_refresh)?;
    let session = start_session(
        state,
        &txn,
        user.id,
        &user.security_stamp,
        token.family_id,
        started,
    )
    .await?;
    txn.commit().await?;
    Ok(session)
}

/// Ends the sign-in the refresh token belongs to, and every access token issued so far (the
/// person's security stamp changes; their other sign-ins get a new access token at their next
/// refresh). Unknown tokens are fine: signing out twice is not an error.
pub async fn logout(state: &AppState, presented: Option<String>) -> AppResult<()> {
    let Some(presented) = presented else {
        return Ok(());
    };
    let txn = db::begin_write(&state.db).await?;
    if let Some(token) = crate::db::tokens::find_by_hash(&txn, &tokens::hash(&presented)).await? {
        crate::db::tokens::revoke_family(&txn, token.family_id).await?;
        users::bump_stamp(&txn, token.user_id).await?;
        audit::record(
            &txn,
            audit::Entry {
                subject_id: None,
                actor_id: Some(token.user_id),
                actor_kind: "user",
                action: "auth.logout",
                entity_type: "user",
                entity_id: Some(token.user_id),
                details: serde_json::json!({}),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
