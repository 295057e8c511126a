//! Accounts: invitations and password resets by one-time links, setting and changing
//! passwords. A password never travels in mail; a link works once and expires.

use chrono::Duration;
use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel, Set};
use secrecy::SecretString;
use shared::dto::{
    ChangePasswordRequest, InvitationState, InvitationStatus, PasswordResetRequest,
    SetPasswordRequest, TokenInfo, TokenPurpose,
};
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Principal, password, throttle, tokens};
use crate::db::entities::user;
use crate::db::{self, audit, one_time, throttle as throttle_db, users};
use crate::error::{AppError, AppResult};
use crate::services::auth::{Session, start_session};
use crate::services::mail;
use crate::state::AppState;

/// Invitations stay valid a week; reset links an hour.
const INVITATION_TTL_DAYS: i64 = 7;
const RESET_TTL_MINUTES: i64 = 60;
/// Reset requests allowed per account before they are slowed down.
const FREE_RESETS: i32 = 3;

fn invalid_link() -> AppError {
    AppError::NotFound
}

/// Where a person's invitation stands.
pub async fn invitation_status(
    db: &impl ConnectionTrait,
    person: &user::Model,
) -> AppResult<InvitationStatus> {
    let latest = one_time::latest(db, person.id, TokenPurpose::Invitation).await?;
    let now = db::now();
    let state = match &latest {
        _ if person.last_login_at.is_some() => InvitationState::Accepted,
        Some(t) if t.used_at.is_some() => InvitationState::Accepted,
        Some(t) if t.revoked_at.is_some() => InvitationState::None,
        Some(t) if t.expires_at <= now => InvitationState::Expired,
        Some(_) => InvitationState::Pending,
        None => InvitationState::None,
    };
    Ok(InvitationStatus {
        state,
        sent_at: latest
            .as_ref()
            .filter(|t| t.revoked_at.is_none())
            .map(|t| t.created_at),
        expires_at: latest
            .as_ref()
            .filter(|t| t.revoked_at.is_none())
            .map(|t| t.expires_at),
    })
}

/// Creates an invitation link for `person` (replacing an open one) and queues the mail, in the
/// caller's transaction.
pub async fn invite(
    db: &impl ConnectionTrait,
    base_url: &str,
    person: &user::Model,
    by: Option<Uuid>,
) -> AppResult<()> {
    one_time::revoke_open(db, person.id, Some(TokenPurpose::Invitation)).await?;
    let token = tokens::generate();
    let expires = db::now() + Duration::days(INVITATION_TTL_DAYS);
    one_time::insert(
        db,
        person.id,
        TokenPurpose::Invitation,
        tokens::hash(&token),
        expires,
        by,
    )
    .await?;
    let name = shared::text::full_name(
        &person.surname,
        &person.first_name,
        person.patronymic.as_deref(),
    );
    let body = format!(
        "Здравствуйте, {name}!\n\n\
         Для вас создан личный кабинет на платформе индивидуальных образовательных маршрутов педагогов (ИОМ).\n\
         Чтобы войти, задайте пароль по ссылке (она действует до {}):\n\n{base_url}/invite/{token}\n\n\
         Ваш логин — адрес этой почты: {}.\n\n\
         Если вы не ждали этого письма, просто не отвечайте на него.",
        expires.format("%d.%m.%Y"),
        person.email,
    );
    mail::enqueue(
        db,
        Some(person.id),
        "invitation",
        &person.email,
        "Приглашение на платформу ИОМ",
        &body,
    )
    .await?;
    audit::record(
        db,
        audit::Entry {
            actor_id: by,
            actor_kind: if by.is_some() { "user" } else { "system" },
            action: "person.invited",
            entity_type: "user",
            entity_id: Some(person.id),
            details: serde_json::json!({ "expires_at": expires }),
        },
    )
    .await?;
    Ok(())
}

/// Asks for a reset link. The answer is the same whether or not the address is known.
pub async fn request_reset(state: &AppState, req: PasswordResetRequest) -> AppResult<()> {
    req.validate()?;
    let email = shared::text::normalize_email(&req.email);
    let txn = db::begin_write(&state.db).await?;
    let key = format!("reset:{email}");
    let now = db::now();
    let row = throttle_db::get_for_update(&txn, &key).await?;
    if throttle::retry_after(row.as_ref().and_then(|r| r.blocked_until), now).is_some() {
        // Quietly ignored: the answer must not differ.
        txn.commit().await?;
        return Ok(());
    }
    let (failures, started) = row
        .as_ref()
        .map_or((0, now), |r| (r.failures, r.window_started_at));
    let window = state.settings.login_throttle.window;
    let limit = throttle::Limit {
        free_attempts: FREE_RESETS,
        first_delay: Duration::seconds(30),
        max_delay: window,
    };
    let (count, started, blocked) = throttle::after_failure(failures, started, now, window, limit);
    throttle_db::save(&txn, row, &key, count, started, blocked).await?;
    if let Some(person) = users::find_by_email(&txn, &email)
        .await?
        .filter(|u| u.active)
    {
        one_time::revoke_open(&txn, person.id, Some(TokenPurpose::PasswordReset)).await?;
        let token = tokens::generate();
        let expires = now + Duration::minutes(RESET_TTL_MINUTES);
        one_time::insert(
            &txn,
            person.id,
            TokenPurpose::PasswordReset,
            tokens::hash(&token),
            expires,
            None,
        )
        .await?;
        let body = format!(
            "Здравствуйте!\n\nКто-то (возможно, вы) попросил восстановить пароль к платформе ИОМ.\n\
             Задать новый пароль можно по ссылке в течение часа:\n\n{}/reset/{token}\n\n\
             Если вы не просили восстановить пароль, ничего делать не нужно: старый пароль продолжает действовать.",
            state.base_url
        );
        mail::enqueue(
            &txn,
            Some(person.id),
            "password_reset",
            &person.email,
            "Восстановление пароля ИОМ",
            &body,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn open_link(
    db: &impl ConnectionTrait,
    token: &str,
) -> AppResult<(
    shared::dto::TokenPurpose,
    user::Model,
    crate::db::entities::one_time_token::Model,
)> {
    let link = one_time::find_by_hash(db, &tokens::hash(token))
        .await?
        .filter(|t| t.used_at.is_none() && t.revoked_at.is_none() && t.expires_at > db::now())
        .ok_or_else(invalid_link)?;
    let person = users::find(db, link.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(invalid_link)?;
    Ok((db::parse_code(&link.purpose)?, person, link))
}

/// Whom a link is for (so the page can greet them); 404 for an invalid or used link.
pub async fn token_info(state: &AppState, token: &str) -> AppResult<TokenInfo> {
    let (purpose, person, link) = open_link(&state.db, token).await?;
    Ok(TokenInfo {
        purpose,
        email: person.email.clone(),
        full_name: shared::text::full_name(
            &person.surname,
            &person.first_name,
            person.patronymic.as_deref(),
        ),
        expires_at: link.expires_at,
    })
}

fn check_password(password: &str, email: &str, field: &str) -> AppResult<()> {
    match shared::password::problem(password, Some(email)) {
        Some(message) => Err(AppError::invalid(field, message)),
        None => Ok(()),
    }
}

/// Sets a password with a one-time link and signs the person in.
pub async fn set_password(state: &AppState, req: SetPasswordRequest) -> AppResult<Session> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let (purpose, person, link) = open_link(&txn, &req.token).await?;
    check_password(&req.password, &person.email, "password")?;
    if !one_time::mark_used(&txn, link.id).await? {
        return Err(invalid_link());
    }
    let hash = password::hash(SecretString::from(req.password)).await?;
    crate::db::tokens::revoke_user(&txn, person.id).await?;
    one_time::revoke_open(&txn, person.id, None).await?;
    let mut am = person.clone().into_active_model();
    am.password_hash = Set(Some(hash));
    am.last_login_at = Set(Some(db::now()));
    am.updated_at = Set(db::now());
    am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor_id: Some(person.id),
            actor_kind: "user",
            action: match purpose {
                TokenPurpose::Invitation => "person.invitation_accepted",
                TokenPurpose::PasswordReset => "person.password_reset",
            },
            entity_type: "user",
            entity_id: Some(person.id),
            details: serde_json::json!({}),
        },
    )
    .await?;
    let session = start_session(state, &txn, person.id, db::new_id()).await?;
    txn.commit().await?;
    Ok(session)
}

/// Changes one's own password; every other sign-in ends.
pub async fn change_password(
    state: &AppState,
    principal: &Principal,
    req: ChangePasswordRequest,
) -> AppResult<Session> {
    req.validate()?;
    let ok = password::verify(
        SecretString::from(req.current_password),
        principal.user.password_hash.clone(),
    )
    .await?;
    if !ok {
        return Err(AppError::invalid(
            "current_password",
            "Текущий пароль указан неверно.",
        ));
    }
    check_password(&req.new_password, &principal.user.email, "new_password")?;
    let hash = password::hash(SecretString::from(req.new_password)).await?;
    let txn = db::begin_write(&state.db).await?;
    crate::db::tokens::revoke_user(&txn, principal.id()).await?;
    let mut am = principal.user.clone().into_active_model();
    am.password_hash = Set(Some(hash));
    am.updated_at = Set(db::now());
    am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor_id: Some(principal.id()),
            actor_kind: "user",
            action: "person.password_changed",
            entity_type: "user",
            entity_id: Some(principal.id()),
            details: serde_json::json!({}),
        },
    )
    .await?;
    let session = start_session(state, &txn, principal.id(), db::new_id()).await?;
    txn.commit().await?;
    Ok(session)
}
