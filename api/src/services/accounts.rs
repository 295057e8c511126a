//! Accounts: invitations and password resets by one-time links, setting and changing
//! passwords. A password never travels in mail; a link works once and expires.

use chrono::Duration;
use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel, Set};
use secrecy::SecretString;
use shared::dto::{
    ChangePasswordRequest, ConfirmEmailRequest, EmailConfirmed, InvitationState, InvitationStatus,
    PasswordResetRequest, PendingEmailChange, SetPasswordRequest, TokenInfo, TokenPurpose,
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

/// Invitations stay valid a week; reset links an hour; an e-mail confirmation a day.
const INVITATION_TTL_DAYS: i64 = 7;
const RESET_TTL_MINUTES: i64 = 60;
const EMAIL_CHANGE_TTL_HOURS: i64 = 24;
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
        // A password is set (through an invitation, or given another way): nothing to invite to.
        _ if person.last_login_at.is_some() || person.password_hash.is_some() => {
            InvitationState::Accepted
        }
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
        None,
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
    mail::enqueue_with_secret(
        db,
        Some(person.id),
        "invitation",
        &person.email,
        "Приглашение на платформу ИОМ",
        &body,
        Some(&token),
    )
    .await?;
    audit::record(
        db,
        audit::Entry {
            subject_id: None,
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
            None,
        )
        .await?;
        let body = format!(
            "Здравствуйте!\n\nКто-то (возможно, вы) попросил восстановить пароль к платформе ИОМ.\n\
             Задать новый пароль можно по ссылке в течение часа:\n\n{}/reset/{token}\n\n\
             Если вы не просили восстановить пароль, ничего делать не нужно: старый пароль продолжает действовать.",
            state.base_url
        );
        mail::enqueue_with_secret(
            &txn,
            Some(person.id),
            "password_reset",
            &person.email,
            "Восстановление пароля ИОМ",
            &body,
            Some(&token),
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
        new_email: link.new_email.clone(),
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
    if purpose == TokenPurpose::EmailChange {
        return Err(invalid_link());
    }
    check_password(&req.password, &person.email, "password")?;
    if !one_time::mark_used(&txn, link.id).await? {
        return Err(invalid_link());
    }
    let hash = password::hash(SecretString::from(req.password)).await?;
    crate::db::tokens::revoke_user(&txn, person.id).await?;
    let stamp = users::bump_stamp(&txn, person.id).await?;
    one_time::revoke_open(&txn, person.id, None).await?;
    let mut am = person.clone().into_active_model();
    am.password_hash = Set(Some(hash));
    am.last_login_at = Set(Some(db::now()));
    am.updated_at = Set(db::now());
    am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            subject_id: None,
            actor_id: Some(person.id),
            actor_kind: "user",
            action: match purpose {
                TokenPurpose::Invitation => "person.invitation_accepted",
                TokenPurpose::PasswordReset | TokenPurpose::EmailChange => "person.password_reset",
            },
            entity_type: "user",
            entity_id: Some(person.id),
            details: serde_json::json!({}),
        },
    )
    .await?;
    let session = start_session(state, &txn, person.id, &stamp, db::new_id(), db::now()).await?;
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
    let stamp = users::bump_stamp(&txn, principal.id()).await?;
    let mut am = principal.user.clone().into_active_model();
    // The stamp was set above; the model's copy must not put the old one back.
    am.security_stamp = Set(stamp.clone());
    am.password_hash = Set(Some(hash));
    am.updated_at = Set(db::now());
    am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            subject_id: None,
            actor_id: Some(principal.id()),
            actor_kind: "user",
            action: "person.password_changed",
            entity_type: "user",
            entity_id: Some(principal.id()),
            details: serde_json::json!({}),
        },
    )
    .await?;
    let session =
        start_session(state, &txn, principal.id(), &stamp, db::new_id(), db::now()).await?;
    txn.commit().await?;
    Ok(session)
}

/// `n•••@school.ru`: enough for the owner of the old address to recognise a change, not a
/// stranger's address spelled out.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".into(),
    }
}

/// Starts changing `person`'s e-mail to `new_email`, in the caller's transaction: a link goes to
/// the new address (the change takes effect only when it is followed), and the old address is
/// told. An earlier change still waiting is replaced.
pub async fn request_email_change(
    db: &impl ConnectionTrait,
    base_url: &str,
    person: &user::Model,
    new_email: &str,
    by: Uuid,
) -> AppResult<()> {
    one_time::revoke_open(db, person.id, Some(TokenPurpose::EmailChange)).await?;
    // An invitation not yet accepted went to the old address, which may be a typo (someone
    // else's mailbox): it stops now, and confirming the new address sends a fresh one.
    if person.password_hash.is_none() {
        one_time::revoke_open(db, person.id, Some(TokenPurpose::Invitation)).await?;
    }
    let token = tokens::generate();
    let expires = db::now() + Duration::hours(EMAIL_CHANGE_TTL_HOURS);
    one_time::insert(
        db,
        person.id,
        TokenPurpose::EmailChange,
        tokens::hash(&token),
        expires,
        Some(by),
        Some(new_email),
    )
    .await?;
    let name = shared::text::full_name(
        &person.surname,
        &person.first_name,
        person.patronymic.as_deref(),
    );
    let body = format!(
        "Здравствуйте, {name}!\n\n\
         Этот адрес указан как новый адрес электронной почты вашей учётной записи на платформе ИОМ.\n\
         Чтобы подтвердить его, перейдите по ссылке (она действует сутки):\n\n{base_url}/confirm-email/{token}\n\n\
         После подтверждения входить нужно будет с этим адресом; все открытые сеансы завершатся.\n\
         Если вы не ждали этого письма, просто не отвечайте на него: адрес не изменится."
    );
    mail::enqueue_with_secret(
        db,
        Some(person.id),
        "email_change",
        new_email,
        "Подтвердите новый адрес электронной почты ИОМ",
        &body,
        Some(&token),
    )
    .await?;
    let notice = format!(
        "Здравствуйте, {name}!\n\n\
         Для вашей учётной записи на платформе ИОМ запрошена смена адреса электронной почты на {}.\n\
         Адрес сменится, только когда по ссылке в письме на новый адрес подтвердят его; до тех пор \
         входить можно с этим адресом.\n\n\
         Если вы этого не просили, сообщите координатору вашей организации и смените пароль.",
        mask_email(new_email)
    );
    mail::enqueue(
        db,
        Some(person.id),
        "email_change_notice",
        &person.email,
        "Запрошена смена адреса электронной почты ИОМ",
        &notice,
    )
    .await?;
    audit::record(
        db,
        audit::Entry::by_user(
            by,
            "person.email_change_requested",
            "user",
            person.id,
            serde_json::json!({ "new_email": new_email, "expires_at": expires }),
        )
        .about(person.id),
    )
    .await?;
    Ok(())
}

/// A change of `person`'s e-mail still waiting for confirmation.
pub async fn pending_email(
    db: &impl ConnectionTrait,
    person: Uuid,
) -> AppResult<Option<PendingEmailChange>> {
    let latest = one_time::latest(db, person, TokenPurpose::EmailChange).await?;
    Ok(latest
        .filter(|t| t.used_at.is_none() && t.revoked_at.is_none() && t.expires_at > db::now())
        .and_then(|t| {
            Some(PendingEmailChange {
                email: t.new_email?,
                requested_at: t.created_at,
                expires_at: t.expires_at,
            })
        }))
}

/// Confirms a new address with the link sent to it: the address changes, every sign-in of the
/// person ends (refresh tokens revoked, access tokens through the new security stamp), open
/// links sent to the old address stop working. A person who has no password yet gets a fresh
/// invitation at the new address.
pub async fn confirm_email(
    state: &AppState,
    req: ConfirmEmailRequest,
) -> AppResult<EmailConfirmed> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let (purpose, person, link) = open_link(&txn, &req.token).await?;
    let new_email = match (purpose, link.new_email.as_deref()) {
        (TokenPurpose::EmailChange, Some(e)) => shared::text::normalize_email(e),
        _ => return Err(invalid_link()),
    };
    if users::find_by_email(&txn, &new_email)
        .await?
        .is_some_and(|u| u.id != person.id)
    {
        return Err(AppError::conflict(
            "email_taken",
            "Пользователь с таким адресом электронной почты уже есть.",
        ));
    }
    if !one_time::mark_used(&txn, link.id).await? {
        return Err(invalid_link());
    }
    let old = person.email.clone();
    crate::db::tokens::revoke_user(&txn, person.id).await?;
    let stamp = users::bump_stamp(&txn, person.id).await?;
    one_time::revoke_open(&txn, person.id, None).await?;
    let mut am = person.clone().into_active_model();
    am.email = Set(new_email.clone());
    am.security_stamp = Set(stamp);
    am.updated_at = Set(db::now());
    let person = am.update(&txn).await.map_err(|e| {
        if crate::error::is_unique_violation(&e) {
            AppError::conflict(
                "email_taken",
                "Пользователь с таким адресом электронной почты уже есть.",
            )
        } else {
            e.into()
        }
    })?;
    audit::record(
        &txn,
        audit::Entry {
            actor_id: Some(person.id),
            actor_kind: "user",
            action: "person.email_changed",
            entity_type: "user",
            entity_id: Some(person.id),
            details: serde_json::json!({ "from": old, "to": new_email }),
            subject_id: Some(person.id),
        },
    )
    .await?;
    crate::services::integration::sync::touch_person(&txn, person.id).await?;
    if person.password_hash.is_none() && person.active {
        invite(&txn, &state.base_url, &person, link.created_by).await?;
    }
    txn.commit().await?;
    Ok(EmailConfirmed {
        email: person.email,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_old_address_is_told_a_masked_new_one() {
        assert_eq!(mask_email("novikova@school1.ru"), "n•••@school1.ru");
        assert_eq!(mask_email("не адрес"), "•••");
    }
}
