//! Outgoing mail. A message is stored first (the outbox) and sent by the background worker,
//! never inside a request; with no SMTP configured it stays in the outbox for administrators.

use lettre::message::Mailbox;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use secrecy::{ExposeSecret, SecretString};
use shared::dto::{MailMessageDto, MailStatus, Page};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::mail_message;
use crate::db::{self, jobs};
use crate::error::{AppError, AppResult};

/// The job kind that sends one message.
pub const SEND: &str = "mail.send";
/// Attempts before a message is given up as failed (spread over about an hour by back-off).
const MAX_ATTEMPTS: i32 = 9;

/// Where and as whom mail is sent.
#[derive(Clone)]
pub struct MailSettings {
    pub smtp_url: Option<SecretString>,
    pub from: String,
}

/// Stands in the stored text of a letter for its one-time secret (a link's token). The secret
/// itself is kept apart and only until the letter leaves, so the outbox administrators read
/// never holds a live link.
const SECRET_PLACEHOLDER: &str = "\u{2063}[secret]\u{2063}";
/// What the outbox shows instead of a secret.
pub const REDACTED: &str = shared::dto::REDACTED_SECRET;

/// Stores a message and queues its sending, in the caller's transaction: it leaves only if
/// the change it reports commits.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    user_id: Option<Uuid>,
    kind: &str,
    to: &str,
    subject: &str,
    body: &str,
) -> AppResult<Uuid> {
    enqueue_with_secret(db, user_id, kind, to, subject, body, None).await
}

/// [`enqueue`] for a letter that carries a one-time secret (`body` contains it): the stored
/// text holds a placeholder instead, and the secret is dropped once the letter is sent (or
/// kept in the outbox for want of SMTP, or given up).
pub async fn enqueue_with_secret(
    db: &impl ConnectionTrait,
    user_id: Option<Uuid>,
    kind: &str,
    to: &str,
    subject: &str,
    body: &str,
    secret: Option<&str>,
) -> AppResult<Uuid> {
    enqueue_letter(db, user_id, kind, to, subject, body, secret, None).await
}

/// [`enqueue_with_secret`] for a letter that also carries a one-click `List-Unsubscribe`
/// address (RFC 8058); its secret is stored as a placeholder too.
#[allow(clippy::too_many_arguments, reason = "one letter's parts, each plain")]
pub async fn enqueue_letter(
    db: &impl ConnectionTrait,
    user_id: Option<Uuid>,
    kind: &str,
    to: &str,
    subject: &str,
    body: &str,
    secret: Option<&str>,
    list_unsubscribe: Option<&str>,
) -> AppResult<Uuid> {
    let letter = Letter {
        user_id,
        kind,
        to,
        subject,
        body,
        secret,
        list_unsubscribe,
    };
    enqueue_letter_at(db, letter, db::now()).await
}

/// A letter to queue.
pub struct Letter<'a> {
    pub user_id: Option<Uuid>,
    pub kind: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// Text of the body to hide in the outbox (a link's token), restored when sending.
    pub secret: Option<&'a str>,
    pub list_unsubscribe: Option<&'a str>,
}

/// Queues `letter` to be sent at `send_at` (the end of the person's quiet hours) or later.
pub async fn enqueue_letter_at(
    db: &impl ConnectionTrait,
    letter: Letter<'_>,
    send_at: chrono::DateTime<chrono::Utc>,
) -> AppResult<Uuid> {
    let Letter {
        user_id,
        kind,
        to,
        subject,
        body,
        secret,
        list_unsubscribe,
    } = letter;
    let t = db::now();
    let id = db::new_id();
    let hide = |text: &str| match secret.filter(|s| !s.is_empty()) {
        Some(s) => text.replace(s, SECRET_PLACEHOLDER),
        None => text.to_owned(),
    };
    let stored = hide(body);
    mail_message::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        kind: Set(kind.to_owned()),
        to_address: Set(to.to_owned()),
        subject: Set(subject.to_owned()),
        body: Set(stored),
        status: Set(MailStatus::Queued.as_str().to_owned()),
        attempts: Set(0),
        last_error: Set(None),
        sent_at: Set(None),
        secret: Set(secret.filter(|s| !s.is_empty()).map(str::to_owned)),
        list_unsubscribe: Set(list_unsubscribe.map(hide)),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    jobs::enqueue(
        db,
        SEND,
        &serde_json::json!({ "message_id": id }),
        std::cmp::max(send_at, t),
        MAX_ATTEMPTS,
    )
    .await?;
    Ok(id)
}

/// The job: sends one stored message (or keeps it in the outbox when there is no SMTP).
pub async fn send_job(
    db: DatabaseConnection,
    mail: MailSettings,
    payload: serde_json::Value,
) -> anyhow::Result<()> {
    let id: Uuid = serde_json::from_value(payload["message_id"].clone())?;
    let Some(msg) = mail_message::Entity::find_by_id(id).one(&db).await? else {
        return Ok(());
    };
    if msg.status != MailStatus::Queued.as_str() {
        return Ok(());
    }
    let Some(url) = &mail.smtp_url else {
        set_status(&db, id, MailStatus::Stored, None, false).await?;
        return Ok(());
    };
    match deliver(url, &mail.from, &msg).await {
        Ok(()) => {
            set_status(&db, id, MailStatus::Sent, None, true).await?;
            Ok(())
        }
        Err(e) => {
            let give_up = msg.attempts + 1 >= MAX_ATTEMPTS;
            let status = if give_up {
                MailStatus::Failed
            } else {
                MailStatus::Queued
            };
            set_status(&db, id, status, Some(format!("{e:#}")), false).await?;
            Err(e)
        }
    }
}

async fn set_status(
    db: &DatabaseConnection,
    id: Uuid,
    status: MailStatus,
    error: Option<String>,
    sent: bool,
) -> anyhow::Result<()> {
    let t = db::now();
    let mut q = mail_message::Entity::update_many();
    if status != MailStatus::Queued {
        // Nothing will send this letter again: its secret has no reader left.
        q = q.col_expr(mail_message::Column::Secret, Expr::value(None::<String>));
    }
    let mut q = q
        .col_expr(mail_message::Column::Status, Expr::value(status.as_str()))
        .col_expr(mail_message::Column::UpdatedAt, Expr::value(t))
        .col_expr(
            mail_message::Column::Attempts,
            Expr::col(mail_message::Column::Attempts).add(1),
        )
        .col_expr(mail_message::Column::LastError, Expr::value(error));
    if sent {
        q = q.col_expr(mail_message::Column::SentAt, Expr::value(Some(t)));
    }
    q.filter(mail_message::Column::Id.eq(id)).exec(db).await?;
    Ok(())
}

async fn deliver(url: &SecretString, from: &str, msg: &mail_message::Model) -> anyhow::Result<()> {
    let from: Mailbox = from.parse()?;
    let to: Mailbox = msg.to_address.parse()?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(&msg.subject)
        .header(ContentType::TEXT_PLAIN);
    if let Some(url) = &msg.list_unsubscribe {
        // One-click unsubscription (RFC 8058): the mail client POSTs to the address.
        let url = reveal(msg, url);
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    let email = builder.body(letter_text(msg))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())?
        .timeout(Some(std::time::Duration::from_secs(30)))
        .build();
    transport.send(email).await?;
    Ok(())
}

/// The text that leaves: the stored body with its secret put back.
fn letter_text(msg: &mail_message::Model) -> String {
    reveal(msg, &msg.body)
}

/// `text` of `msg` with its secret put back.
fn reveal(msg: &mail_message::Model, text: &str) -> String {
    match &msg.secret {
        Some(secret) => text.replace(SECRET_PLACEHOLDER, secret),
        None => text.to_owned(),
    }
}

/// The text the outbox shows: never a secret.
fn outbox_text(body: &str) -> String {
    body.replace(SECRET_PLACEHOLDER, REDACTED)
}

/// The outbox, newest first, for administrators. Links carrying a one-time secret show
/// [`REDACTED`] in its place: an administrator never sees a live invitation, reset or
/// confirmation link.
pub async fn outbox(
    db: &impl ConnectionTrait,
    principal: &Principal,
    offset: u64,
    limit: u64,
) -> AppResult<Page<MailMessageDto>> {
    if !principal.actor.is_admin() {
        return Err(AppError::NotFound);
    }
    let limit = limit.clamp(1, 200);
    let q = mail_message::Entity::find().order_by_desc(mail_message::Column::CreatedAt);
    let total = q.clone().count(db).await?;
    let rows = q.offset(offset).limit(limit).all(db).await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|m| {
                Ok(MailMessageDto {
                    id: m.id,
                    to: m.to_address,
                    subject: m.subject,
                    body: outbox_text(&m.body),
                    status: db::parse_code(&m.status)?,
                    attempts: m.attempts,
                    last_error: m.last_error,
                    created_at: m.created_at,
                    sent_at: m.sent_at,
                })
            })
            .collect::<AppResult<Vec<_>>>()?,
        total,
        offset,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(body: &str, secret: Option<&str>) -> mail_message::Model {
        let t = db::now();
        mail_message::Model {
            id: Uuid::nil(),
            user_id: None,
            kind: "invitation".into(),
            to_address: "a@b.ru".into(),
            subject: "s".into(),
            body: body.into(),
            status: "queued".into(),
            attempts: 0,
            last_error: None,
            sent_at: None,
            secret: secret.map(str::to_owned),
            list_unsubscribe: None,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn the_letter_carries_its_secret_and_the_outbox_never_shows_it() {
        let stored = format!("Ссылка: https://iom.example/invite/{SECRET_PLACEHOLDER}\nВсё.");
        let msg = message(&stored, Some("t0k3n"));
        assert_eq!(
            letter_text(&msg),
            "Ссылка: https://iom.example/invite/t0k3n\nВсё."
        );
        let shown = outbox_text(&msg.body);
        assert!(!shown.contains("t0k3n"));
        assert!(shown.contains("/invite/[скрыто]"));
        // Once the secret is gone, the letter text stays redacted.
        assert!(!letter_text(&message(&stored, None)).contains("t0k3n"));
    }
}
