//! Outgoing mail. A message is stored first (the outbox) and sent by the background worker,
//! never inside a request; with no SMTP configured it stays in the outbox for administrators.

use lettre::message::{Mailbox, header::ContentType};
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
    let t = db::now();
    let id = db::new_id();
    mail_message::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        kind: Set(kind.to_owned()),
        to_address: Set(to.to_owned()),
        subject: Set(subject.to_owned()),
        body: Set(body.to_owned()),
        status: Set(MailStatus::Queued.as_str().to_owned()),
        attempts: Set(0),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    jobs::enqueue(
        db,
        SEND,
        &serde_json::json!({ "message_id": id }),
        t,
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
    let mut q = mail_message::Entity::update_many()
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
    let email = Message::builder()
        .from(from)
        .to(to)
        .subject(&msg.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(msg.body.clone())?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())?
        .timeout(Some(std::time::Duration::from_secs(30)))
        .build();
    transport.send(email).await?;
    Ok(())
}

/// The outbox, newest first, for administrators.
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
                    body: m.body,
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
