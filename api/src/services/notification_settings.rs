//! How each person receives each kind of notice (the platform only, or also a letter), and the
//! one-click unsubscription every notice letter carries.
//!
//! The unsubscribe link names the person and the kind and is signed with the server's secret
//! (HMAC-SHA256 under a key derived for this purpose alone), so it needs no sign-in and no
//! stored token, and cannot be altered to reach another person or another kind.

use hmac::{Hmac, Mac};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use shared::dto::{NotificationSetting, NotificationSettings, QuietHours, Unsubscribed};
use shared::events::{NoticeChannel, NoticeKind, notice_channels};
use uuid::Uuid;
use validator::Validate;

use crate::auth::Principal;
use crate::db::entities::notification_setting::{ActiveModel, Column, Entity};
use crate::db::entities::quiet_hours;
use crate::db::{self, users};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The person's channel for every kind, defaults where they chose nothing.
pub async fn channels(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> AppResult<Vec<(NoticeKind, NoticeChannel)>> {
    let rows = Entity::find()
        .filter(Column::UserId.eq(user_id))
        .all(db)
        .await?;
    // A stored code this version no longer knows is left out: its kind keeps the default.
    let chosen: Vec<(NoticeKind, NoticeChannel)> = rows
        .iter()
        .filter_map(|r| Some((r.kind.parse().ok()?, r.channel.parse().ok()?)))
        .collect();
    Ok(notice_channels(&chosen))
}

/// The person's quiet hours, if they set any.
pub async fn quiet_hours(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> AppResult<Option<QuietHours>> {
    Ok(quiet_hours::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(|q| QuietHours {
            from_hour: q.from_hour,
            to_hour: q.to_hour,
            utc_offset_minutes: q.utc_offset_minutes,
        }))
}

/// When a letter to the person due at `now` may go: at once (`now`), or when their quiet hours
/// end.
pub async fn send_at(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<chrono::DateTime<chrono::Utc>> {
    Ok(quiet_hours(db, user_id)
        .await?
        .and_then(|q| q.until(now))
        .unwrap_or(now))
}

fn to_dto(
    all: Vec<(NoticeKind, NoticeChannel)>,
    quiet_hours: Option<QuietHours>,
) -> NotificationSettings {
    NotificationSettings {
        quiet_hours,
        items: all
            .into_iter()
            .map(|(kind, channel)| NotificationSetting {
                kind,
                title: kind.title_ru().to_owned(),
                channel,
            })
            .collect(),
    }
}

/// The signed-in person's settings.
pub async fn get(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> AppResult<NotificationSettings> {
    Ok(to_dto(
        channels(db, principal.id()).await?,
        quiet_hours(db, principal.id()).await?,
    ))
}

/// Stores the person's choices for the kinds sent (others are left as they are).
pub async fn put(
    state: &AppState,
    principal: &Principal,
    body: NotificationSettings,
) -> AppResult<NotificationSettings> {
    if body.items.len() > shared::dto::MAX_NOTIFICATION_SETTINGS {
        return Err(AppError::bad_request(
            "too_many_settings",
            "Слишком много настроек в одном запросе",
        ));
    }
    if let Some(q) = &body.quiet_hours {
        q.validate()?;
    }
    let txn = db::begin_write(&state.db).await?;
    for item in &body.items {
        choose(&txn, principal.id(), item.kind, item.channel).await?;
    }
    match body.quiet_hours {
        // An empty window turns them off.
        Some(q) if q.from_hour == q.to_hour => {
            quiet_hours::Entity::delete_by_id(principal.id())
                .exec(&txn)
                .await?;
        }
        Some(q) => {
            quiet_hours::Entity::insert(quiet_hours::ActiveModel {
                user_id: Set(principal.id()),
                from_hour: Set(q.from_hour),
                to_hour: Set(q.to_hour),
                utc_offset_minutes: Set(q.utc_offset_minutes),
                updated_at: Set(db::now()),
            })
            .on_conflict(
                OnConflict::column(quiet_hours::Column::UserId)
                    .update_columns([
                        quiet_hours::Column::FromHour,
                        quiet_hours::Column::ToHour,
                        quiet_hours::Column::UtcOffsetMinutes,
                        quiet_hours::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        None => {}
    }
    txn.commit().await?;
    get(&state.db, principal).await
}

async fn choose(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    kind: NoticeKind,
    channel: NoticeChannel,
) -> AppResult<()> {
    let t = db::now();
    Entity::insert(ActiveModel {
        id: Set(db::new_id()),
        user_id: Set(user_id),
        kind: Set(kind.as_str().to_owned()),
        channel: Set(channel.as_str().to_owned()),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .on_conflict(
        OnConflict::columns([Column::UserId, Column::Kind])
            .update_columns([Column::Channel, Column::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The server's signing secret: the configured one, or the one it generated and keeps.
pub async fn server_secret(
    db: &impl ConnectionTrait,
    configured: Option<&SecretString>,
) -> AppResult<SecretString> {
    if let Some(s) = configured {
        return Ok(s.clone());
    }
    let stored = db::settings::get(db, "jwt_secret").await?;
    stored
        .map(SecretString::from)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("the server has no signing secret")))
}

/// What an unsubscribe link stops: the letters of one kind, or the daily digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Kind(NoticeKind),
    Digest,
}

/// The scope's code in a token (a kind's code, or `digest`, which no kind has).
impl Scope {
    fn code(self) -> &'static str {
        match self {
            Scope::Kind(k) => k.as_str(),
            Scope::Digest => DIGEST,
        }
    }
}

const DIGEST: &str = "digest";

fn mac(secret: &SecretString, user_id: Uuid, scope: Scope) -> Hmac<Sha256> {
    // The key is derived for unsubscription, so a signature here is never valid elsewhere.
    let key = format!("iom-unsubscribe:{}", secret.expose_secret());
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(format!("{}\n{}", user_id.simple(), scope.code()).as_bytes());
    mac
}

/// The unsubscribe token of `user_id` for `kind`: `<person>-<kind>-<signature>`.
pub fn unsubscribe_token(secret: &SecretString, user_id: Uuid, kind: NoticeKind) -> String {
    token(secret, user_id, Scope::Kind(kind))
}

/// The token that stops the daily digest: `<person>-digest-<signature>`.
pub fn digest_token(secret: &SecretString, user_id: Uuid) -> String {
    token(secret, user_id, Scope::Digest)
}

fn token(secret: &SecretString, user_id: Uuid, scope: Scope) -> String {
    let sig: String = mac(secret, user_id, scope)
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // No dots: a path whose last segment has one is taken for a file, not the SPA's page.
    format!("{}-{}-{sig}", user_id.simple(), scope.code())
}

/// The person and scope a token names, if its signature is right.
pub fn verify_token(secret: &SecretString, token: &str) -> Option<(Uuid, Scope)> {
    let mut parts = token.split('-');
    let (user, code, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || sig.len() != 64 {
        return None;
    }
    let user: Uuid = Uuid::try_parse(user).ok()?;
    let scope = if code == DIGEST {
        Scope::Digest
    } else {
        Scope::Kind(code.parse().ok()?)
    };
    let bytes: Vec<u8> = (0..sig.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(sig.get(i..i + 2)?, 16).ok())
        .collect::<Option<_>>()?;
    // Constant-time comparison.
    mac(secret, user, scope).verify_slice(&bytes).ok()?;
    Some((user, scope))
}

/// One-click unsubscription: the letters of the token's kind stop for the token's person (they
/// still see the notices in the platform); a digest's token stops the digest (every kind sent
/// in it goes to the platform only). A token that does not verify, or names nobody, is 404;
/// repeating it changes nothing more.
pub async fn unsubscribe(state: &AppState, token: &str) -> AppResult<Unsubscribed> {
    let secret = server_secret(&state.db, state.settings.jwt_secret.as_ref()).await?;
    let (user_id, scope) = verify_token(&secret, token).ok_or(AppError::NotFound)?;
    if users::find(&state.db, user_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let kinds: Vec<NoticeKind> = match scope {
        Scope::Kind(kind) => vec![kind],
        Scope::Digest => channels(&state.db, user_id)
            .await?
            .into_iter()
            .filter(|(_, c)| *c == NoticeChannel::Digest)
            .map(|(k, _)| k)
            .collect(),
    };
    let txn = db::begin_write(&state.db).await?;
    for k in &kinds {
        choose(&txn, user_id, *k, NoticeChannel::Platform).await?;
    }
    txn.commit().await?;
    Ok(Unsubscribed {
        kind: match scope {
            Scope::Kind(k) => Some(k),
            Scope::Digest => None,
        },
        title: match scope {
            Scope::Kind(k) => k.title_ru().to_owned(),
            Scope::Digest => "ежедневная сводка уведомлений".to_owned(),
        },
        kinds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_only_unaltered_and_under_its_secret() {
        let secret = SecretString::from("s3cret".to_owned());
        let user = Uuid::new_v4();
        let token = unsubscribe_token(&secret, user, NoticeKind::AwaitingStep);
        assert_eq!(
            verify_token(&secret, &token),
            Some((user, Scope::Kind(NoticeKind::AwaitingStep)))
        );
        // A digest's token names the digest, and is not a kind's.
        let digest = digest_token(&secret, user);
        assert_eq!(verify_token(&secret, &digest), Some((user, Scope::Digest)));
        assert_eq!(
            verify_token(&secret, &token.replace("route_step", "digest")),
            None
        );
        // Another kind or another person with the same signature.
        let other_kind = token.replace("route_step", "comment");
        assert_eq!(verify_token(&secret, &other_kind), None);
        let other_user = format!("{}{}", Uuid::new_v4().simple(), &token[32..]);
        assert_eq!(verify_token(&secret, &other_user), None);
        assert_eq!(
            verify_token(&SecretString::from("other".to_owned()), &token),
            None
        );
        for junk in [
            "",
            "a.b.c",
            "..",
            &format!("{token}.x"),
            &token[..token.len() - 1],
        ] {
            assert_eq!(verify_token(&secret, junk), None, "{junk}");
        }
    }
}
