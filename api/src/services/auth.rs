//! Signing in, refreshing and signing out.

use chrono::Duration;
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
    let now = db::now();
    for (key, _) in &keys {
        if let Some(row) = throttle_db::get(&state.db, key).await?
            && let Some(secs) = throttle::retry_after(row.blocked_until, now)
        {
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
    let Some(user) = user.filter(|_| ok) else {
        record_failure(state, &keys, policy.window).await?;
        return Err(invalid_credentials());
    };
    if !user.active {
        return Err(AppError::Unauthorized {
            code: "account_inactive",
            detail: "Учётная запись отключена. Обратитесь к координатору.".into(),
        });
    }

    let txn = db::begin_write(&state.db).await?;
    throttle_db::clear(&txn, &keys[0].0).await?;
    let user = users::touch_login(&txn, user).await?;
    let session = start_session(state, &txn, user.id, db::new_id()).await?;
    audit::record(
        &txn,
        audit::Entry {
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

async fn record_failure(
    state: &AppState,
    keys: &[(String, throttle::Limit)],
    window: Duration,
) -> AppResult<()> {
    let txn = db::begin_write(&state.db).await?;
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

/// Issues an access token and a new refresh token in `family`.
pub async fn start_session(
    state: &AppState,
    db: &impl sea_orm::ConnectionTrait,
    user_id: uuid::Uuid,
    family: uuid::Uuid,
) -> AppResult<Session> {
    let refresh = tokens::generate();
    crate::db::tokens::insert(
        db,
        user_id,
        family,
        tokens::hash(&refresh),
        db::now() + Duration::days(REFRESH_TTL_DAYS),
    )
    .await?;
    Ok(Session {
        access_token: state.jwt.issue(user_id, jwt::now_secs())?,
        expires_in: jwt::ACCESS_TTL_SECS,
        refresh_token: refresh,
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
    let user = users::find(&txn, token.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(invalid_refresh)?;
    let session = start_session(state, &txn, user.id, token.family_id).await?;
    txn.commit().await?;
    Ok(session)
}

/// Ends the sign-in the refresh token belongs to. Unknown tokens are fine: signing out twice
/// is not an error.
pub async fn logout(state: &AppState, presented: Option<String>) -> AppResult<()> {
    let Some(presented) = presented else {
        return Ok(());
    };
    let txn = db::begin_write(&state.db).await?;
    if let Some(token) = crate::db::tokens::find_by_hash(&txn, &tokens::hash(&presented)).await? {
        crate::db::tokens::revoke_family(&txn, token.family_id).await?;
        audit::record(
            &txn,
            audit::Entry {
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
