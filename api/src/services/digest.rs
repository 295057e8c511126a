//! The daily digest: notices of the kinds a person chose to receive «в ежедневной сводке» go
//! into one letter a morning instead of a letter each.
//!
//! Exactly once per notice: the digest writes a `digest` row per (event, recipient) beside the
//! platform notice, in the same transaction as the letter, under the same unique key letters
//! use. A rerun (another instance, a retry after a crash) finds the rows and sends nothing
//! twice; a notice that came after the digest was put together waits for the next one.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use shared::events::{EventKind, NoticeChannel, NoticeKind, digest_body, digest_subject};
use uuid::Uuid;

use crate::db::entities::{notification, notification_setting};
use crate::db::{self, users};
use crate::services::events::{LetterSettings, NoticeRow, PLATFORM, write_once};
use crate::services::{mail, notification_settings as ns};

/// The job kind of the daily digest.
pub const DAILY: &str = "notifications.digest";

/// The channel of a notice that went into a digest.
pub const DIGEST: &str = "digest";

/// The kind of the digest's letters in the outbox.
pub const LETTER: &str = "digest";

/// How far back a digest looks: a day, and a day more for a digest that did not run.
const LOOKBACK_HOURS: i64 = 48;

/// The job: the digests due now.
pub async fn daily_job(
    db: DatabaseConnection,
    letters: LetterSettings,
    _payload: serde_json::Value,
) -> anyhow::Result<()> {
    let sent = daily(&db, &letters, db::now()).await?;
    tracing::info!(sent, "daily digests");
    Ok(())
}

/// Sends a digest to every active person who chose one for some kind and has unread notices
/// of those kinds not yet sent in a digest. Returns how many letters were queued.
pub async fn daily(
    db: &DatabaseConnection,
    letters: &LetterSettings,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let people: Vec<Uuid> = notification_setting::Entity::find()
        .filter(notification_setting::Column::Channel.eq(NoticeChannel::Digest.as_str()))
        .select_only()
        .column(notification_setting::Column::UserId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let mut sent = 0;
    let mut secret = None;
    for chunk in people.chunks(500) {
        for person in users::find_many(db, chunk).await? {
            if !person.active || person.email.trim().is_empty() {
                continue;
            }
            let kinds: HashSet<NoticeKind> = ns::channels(db, person.id)
                .await?
                .into_iter()
                .filter(|(_, c)| *c == NoticeChannel::Digest)
                .map(|(k, _)| k)
                .collect();
            if kinds.is_empty() {
                continue;
            }
            let secret = match &secret {
                Some(s) => s,
                None => secret.insert(ns::server_secret(db, letters.secret.as_ref()).await?),
            };
            let txn = db::begin_write(db).await?;
            if send_one(&txn, letters, secret, &person, &kinds, now).await? {
                sent += 1;
            }
            txn.commit().await?;
        }
    }
    Ok(sent)
}

/// One person's digest, in the caller's transaction: `false` when there was nothing new.
async fn send_one(
    db: &impl ConnectionTrait,
    letters: &LetterSettings,
    secret: &secrecy::SecretString,
    person: &crate::db::entities::user::Model,
    kinds: &HashSet<NoticeKind>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let unread = notification::Entity::find()
        .filter(notification::Column::RecipientId.eq(person.id))
        .filter(notification::Column::Channel.eq(PLATFORM))
        .filter(notification::Column::ReadAt.is_null())
        .filter(notification::Column::CreatedAt.gte(now - Duration::hours(LOOKBACK_HOURS)))
        .filter(notification::Column::CreatedAt.lte(now))
        .order_by_asc(notification::Column::CreatedAt)
        .all(db)
        .await?;
    let wanted: Vec<&notification::Model> = unread
        .iter()
        .filter(|n| {
            n.kind
                .parse::<EventKind>()
                .is_ok_and(|k| kinds.contains(&NoticeKind::of(k, n.needs_action)))
        })
        .collect();
    if wanted.is_empty() {
        return Ok(false);
    }
    let done: HashSet<Uuid> = notification::Entity::find()
        .filter(notification::Column::RecipientId.eq(person.id))
        .filter(notification::Column::Channel.eq(DIGEST))
        .filter(notification::Column::EventId.is_in(wanted.iter().map(|n| n.event_id)))
        .select_only()
        .column(notification::Column::EventId)
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut items: Vec<(String, String)> = Vec::new();
    // The platform's rows are one per event and recipient, so no event comes twice here.
    for n in wanted {
        if done.contains(&n.event_id) {
            continue;
        }
        let row = NoticeRow {
            recipient: person.id,
            event_id: n.event_id,
            channel: DIGEST,
            kind: &n.kind,
            text: &n.text,
            link: n.link.clone(),
            route_id: n.route_id,
            needs_action: n.needs_action,
            read: true,
        };
        if !write_once(db, row).await? {
            continue;
        }
        let link = format!(
            "{}{}",
            letters.base_url,
            n.link.as_deref().unwrap_or("/notifications")
        );
        items.push((n.text.clone(), link));
    }
    if items.is_empty() {
        return Ok(false);
    }
    let token = ns::digest_token(secret, person.id);
    let unsubscribe = format!("{}/unsubscribe/{token}", letters.base_url);
    let one_click = format!("{}/api/v1/unsubscribe/{token}", letters.base_url);
    let send_at = ns::send_at(db, person.id, now).await?;
    mail::enqueue_letter_at(
        db,
        mail::Letter {
            user_id: Some(person.id),
            kind: LETTER,
            to: &person.email,
            subject: &digest_subject(items.len()),
            body: &digest_body(
                &items,
                &format!("{}/notifications", letters.base_url),
                &unsubscribe,
            ),
            secret: Some(&token),
            list_unsubscribe: Some(&one_click),
        },
        send_at,
    )
    .await?;
    Ok(true)
}
