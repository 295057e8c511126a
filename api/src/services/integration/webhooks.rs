//! Webhooks: clients subscribe to events; an event is written as deliveries in the same
//! transaction as the change it reports (so nothing is sent for a change that rolled back), and
//! the background worker sends them signed, retrying with back-off, disabling a subscription
//! that keeps failing. Deliveries are jobs of the shared queue, so several instances never send
//! one twice.

use hmac::{Hmac, Mac};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use sha2::Sha256;
use shared::UnitPath;
use shared::dto::{CreateWebhook, DeliveryDto, DeliveryStatus, WebhookDto, WebhookEvent};
use uuid::Uuid;
use validator::Validate;

use super::clients::{load_managed, parse_list};
use super::webhook_target;
use crate::auth::{Principal, tokens};
use crate::db::entities::{integration_client, webhook_delivery, webhook_subscription};
use crate::db::{self, audit, jobs, units};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The job kind that sends one delivery.
pub const DELIVER: &str = "webhook.deliver";
/// Attempts per delivery: with the queue's back-off (10 s, doubling) about 20 minutes in all.
pub const MAX_ATTEMPTS: i32 = 8;
/// Deliveries given up in a row before the subscription is disabled.
pub const DISABLE_AFTER: i32 = 5;

/// The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC accepts a key of any length, so this cannot fail; an empty signature would only
    // fail verification.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

fn to_dto(s: &webhook_subscription::Model, secret: bool) -> WebhookDto {
    WebhookDto {
        id: s.id,
        client_id: s.client_id,
        url: s.url.clone(),
        events: parse_list(&s.events),
        active: s.active,
        consecutive_failures: s.consecutive_failures,
        disabled_at: s.disabled_at,
        created_at: s.created_at,
        secret: secret.then(|| s.secret.clone()),
    }
}

pub async fn create(
    state: &AppState,
    principal: &Principal,
    client_id: Uuid,
    req: CreateWebhook,
) -> AppResult<WebhookDto> {
    req.validate()?;
    // Who may manage the client is asked first: a stranger learns nothing about addresses.
    load_managed(&state.db, principal, client_id).await?;
    webhook_target::check(&req.url, state.settings.webhooks_allow_http_loopback)
        .await
        .map_err(|r| AppError::invalid("url", r.message_ru()))?;
    let txn = db::begin_write(&state.db).await?;
    load_managed(&txn, principal, client_id).await?;
    let t = db::now();
    let mut events = req.events.clone();
    events.sort();
    events.dedup();
    let row = webhook_subscription::ActiveModel {
        id: Set(db::new_id()),
        client_id: Set(client_id),
        url: Set(req.url.clone()),
        events: Set(serde_json::to_string(&events).unwrap_or_else(|_| "[]".into())),
        secret: Set(format!("whsec_{}", tokens::generate())),
        active: Set(true),
        consecutive_failures: Set(0),
        disabled_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry {
            subject_id: None,
            actor_id: Some(principal.id()),
            actor_kind: "user",
            action: "webhook.created",
            entity_type: "webhook",
            entity_id: Some(row.id),
            details: serde_json::json!({ "client": client_id, "url": row.url, "events": events }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(to_dto(&row, true))
}

pub async fn list(
    state: &AppState,
    principal: &Principal,
    client_id: Uuid,
) -> AppResult<Vec<WebhookDto>> {
    load_managed(&state.db, principal, client_id).await?;
    Ok(webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::ClientId.eq(client_id))
        .order_by_asc(webhook_subscription::Column::CreatedAt)
        .all(&state.db)
        .await?
        .iter()
        .map(|s| to_dto(s, false))
        .collect())
}

async fn load_subscription(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<webhook_subscription::Model> {
    let s = webhook_subscription::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    load_managed(db, principal, s.client_id).await?;
    Ok(s)
}

pub async fn delete(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    let txn = db::begin_write(&state.db).await?;
    let s = load_subscription(&txn, principal, id).await?;
    webhook_subscription::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    record(&txn, principal, "webhook.deleted", &s).await?;
    txn.commit().await?;
    Ok(())
}

/// An audit entry for a change to a subscription.
async fn record(
    db: &impl ConnectionTrait,
    principal: &Principal,
    action: &'static str,
    s: &webhook_subscription::Model,
) -> AppResult<()> {
    audit::record(
        db,
        audit::Entry::by_user(
            principal.id(),
            action,
            "webhook",
            s.id,
            serde_json::json!({ "client": s.client_id, "url": s.url }),
        ),
    )
    .await?;
    Ok(())
}

/// Turns a disabled subscription back on.
pub async fn enable(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<WebhookDto> {
    let txn = db::begin_write(&state.db).await?;
    load_subscription(&txn, principal, id).await?;
    webhook_subscription::Entity::update_many()
        .col_expr(webhook_subscription::Column::Active, Expr::value(true))
        .col_expr(
            webhook_subscription::Column::ConsecutiveFailures,
            Expr::value(0),
        )
        .col_expr(
            webhook_subscription::Column::DisabledAt,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .filter(webhook_subscription::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let s = load_subscription(&txn, principal, id).await?;
    record(&txn, principal, "webhook.enabled", &s).await?;
    txn.commit().await?;
    Ok(to_dto(&s, false))
}

fn delivery_dto(d: &webhook_delivery::Model) -> AppResult<DeliveryDto> {
    Ok(DeliveryDto {
        id: d.id,
        webhook_id: d.subscription_id,
        event: db::parse_code(&d.event_type)?,
        event_id: d.event_id,
        status: db::parse_code(&d.status)?,
        attempts: d.attempts,
        last_status_code: d.last_status_code,
        last_error: d.last_error.clone(),
        created_at: d.created_at,
        delivered_at: d.delivered_at,
    })
}

/// The delivery log of a subscription, newest first.
pub async fn deliveries(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> AppResult<Vec<DeliveryDto>> {
    load_subscription(&state.db, principal, id).await?;
    webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::SubscriptionId.eq(id))
        .order_by_desc(webhook_delivery::Column::CreatedAt)
        .limit(200)
        .all(&state.db)
        .await?
        .iter()
        .map(delivery_dto)
        .collect()
}

/// Sends a delivery again (by hand, after fixing the receiver).
pub async fn redeliver(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> AppResult<DeliveryDto> {
    let txn = db::begin_write(&state.db).await?;
    let d = webhook_delivery::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let s = load_subscription(&txn, principal, d.subscription_id).await?;
    record(&txn, principal, "webhook.redelivered", &s).await?;
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::Status,
            Expr::value(DeliveryStatus::Pending.as_str()),
        )
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(0))
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(db::now()))
        .filter(webhook_delivery::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    jobs::enqueue(
        &txn,
        DELIVER,
        &serde_json::json!({ "delivery_id": id }),
        db::now(),
        MAX_ATTEMPTS,
    )
    .await?;
    let d = webhook_delivery::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    txn.commit().await?;
    delivery_dto(&d)
}

/// Records an event for every active subscription whose client covers `place`, in the
/// caller's transaction.
pub async fn emit(
    db: &impl ConnectionTrait,
    event: WebhookEvent,
    place: &UnitPath,
    data: serde_json::Value,
) -> AppResult<()> {
    let clients = integration_client::Entity::find()
        .filter(integration_client::Column::RegionId.eq(place.region))
        .filter(integration_client::Column::RevokedAt.is_null())
        .all(db)
        .await?;
    if clients.is_empty() {
        return Ok(());
    }
    let mut covering = Vec::new();
    for c in clients {
        if let Some(unit) = units::find(db, c.unit_id).await?
            && units::path(&unit)?.contains(place)
        {
            covering.push(c.id);
        }
    }
    if covering.is_empty() {
        return Ok(());
    }
    let subs = webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::ClientId.is_in(covering))
        .filter(webhook_subscription::Column::Active.eq(true))
        .all(db)
        .await?;
    let event_id = db::new_id();
    let t = db::now();
    let payload = serde_json::json!({
        "id": event_id,
        "type": event.as_str(),
        "created_at": t,
        "data": data,
    })
    .to_string();
    for s in subs
        .iter()
        .filter(|s| parse_list::<WebhookEvent>(&s.events).contains(&event))
    {
        let id = db::new_id();
        webhook_delivery::ActiveModel {
            id: Set(id),
            subscription_id: Set(s.id),
            event_id: Set(event_id),
            event_type: Set(event.as_str().to_owned()),
            payload: Set(payload.clone()),
            status: Set(DeliveryStatus::Pending.as_str().to_owned()),
            attempts: Set(0),
            last_status_code: Set(None),
            last_error: Set(None),
            delivered_at: Set(None),
            created_at: Set(t),
            updated_at: Set(t),
        }
        .insert(db)
        .await?;
        jobs::enqueue(
            db,
            DELIVER,
            &serde_json::json!({ "delivery_id": id }),
            t,
            MAX_ATTEMPTS,
        )
        .await?;
    }
    Ok(())
}

/// The job: sends one delivery, signed, to the address checked just before (see
/// [`webhook_target`]). The log keeps a generic reason for a failure, never what the target
/// answered or the connection error's text.
pub async fn deliver_job(
    db: DatabaseConnection,
    allow_http_loopback: bool,
    payload: serde_json::Value,
) -> anyhow::Result<()> {
    let id: Uuid = serde_json::from_value(payload["delivery_id"].clone())?;
    let Some(d) = webhook_delivery::Entity::find_by_id(id).one(&db).await? else {
        return Ok(());
    };
    if d.status != DeliveryStatus::Pending.as_str() {
        return Ok(());
    }
    let Some(sub) = webhook_subscription::Entity::find_by_id(d.subscription_id)
        .one(&db)
        .await?
    else {
        return Ok(());
    };
    if !sub.active {
        finish(
            &db,
            &d,
            DeliveryStatus::Failed,
            None,
            Some("подписка отключена".into()),
        )
        .await?;
        return Ok(());
    }
    let ts = chrono::Utc::now().timestamp();
    let target = webhook_target::check(&sub.url, allow_http_loopback).await;
    let client = target.map(|t| t.client().map(|c| (c, t.url)));
    let (http, url) = match client {
        Ok(Ok(pair)) => pair,
        Ok(Err(e)) => return Err(e.into()),
        Err(refusal) => {
            return failed(&db, &d, &sub, None, refusal.reason_ru()).await;
        }
    };
    let result = http
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "IOM-Webhooks/1")
        .header("iom-signature", signature(&sub.secret, ts, &d.payload))
        .header("iom-event", d.event_type.as_str())
        .header("iom-event-id", d.event_id.to_string())
        .header("iom-delivery-id", d.id.to_string())
        .body(d.payload.clone())
        .send()
        .await;
    let (ok, code, error) = match result {
        Ok(res) if res.status().is_success() => {
            (true, Some(i32::from(res.status().as_u16())), None)
        }
        Ok(res) => (
            false,
            Some(i32::from(res.status().as_u16())),
            Some(answered(res.status())),
        ),
        Err(_) => (false, None, Some(webhook_target::REASON_CONNECT.to_owned())),
    };
    if ok {
        finish(&db, &d, DeliveryStatus::Delivered, code, None).await?;
        webhook_subscription::Entity::update_many()
            .col_expr(
                webhook_subscription::Column::ConsecutiveFailures,
                Expr::value(0),
            )
            .filter(webhook_subscription::Column::Id.eq(sub.id))
            .exec(&db)
            .await?;
        return Ok(());
    }
    failed(&db, &d, &sub, code, error.as_deref().unwrap_or_default()).await
}

/// "сервер ответил 4xx": the class of the answer, not what the server said.
fn answered(status: reqwest::StatusCode) -> String {
    format!("сервер ответил {}xx", status.as_u16() / 100)
}

/// Records a failed attempt: another try later (the job's error), or given up after the last
/// one, disabling a subscription that keeps failing.
async fn failed(
    db: &DatabaseConnection,
    d: &webhook_delivery::Model,
    sub: &webhook_subscription::Model,
    code: Option<i32>,
    reason: &str,
) -> anyhow::Result<()> {
    let error = Some(reason.to_owned());
    let attempts = d.attempts + 1;
    if attempts >= MAX_ATTEMPTS {
        finish(db, d, DeliveryStatus::Failed, code, error.clone()).await?;
        let failures = sub.consecutive_failures + 1;
        let mut q = webhook_subscription::Entity::update_many()
            .col_expr(
                webhook_subscription::Column::ConsecutiveFailures,
                Expr::value(failures),
            )
            .col_expr(
                webhook_subscription::Column::UpdatedAt,
                Expr::value(db::now()),
            );
        if failures >= DISABLE_AFTER {
            q = q
                .col_expr(webhook_subscription::Column::Active, Expr::value(false))
                .col_expr(
                    webhook_subscription::Column::DisabledAt,
                    Expr::value(Some(db::now())),
                );
        }
        q.filter(webhook_subscription::Column::Id.eq(sub.id))
            .exec(db)
            .await?;
        // Given up: the job ends without another retry.
        return Ok(());
    }
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::Attempts,
            Expr::col(webhook_delivery::Column::Attempts).add(1),
        )
        .col_expr(webhook_delivery::Column::LastStatusCode, Expr::value(code))
        .col_expr(
            webhook_delivery::Column::LastError,
            Expr::value(error.clone()),
        )
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(db::now()))
        .filter(webhook_delivery::Column::Id.eq(d.id))
        .exec(db)
        .await?;
    Err(anyhow::anyhow!("webhook delivery failed: {reason}"))
}

async fn finish(
    db: &DatabaseConnection,
    d: &webhook_delivery::Model,
    status: DeliveryStatus,
    code: Option<i32>,
    error: Option<String>,
) -> anyhow::Result<()> {
    let t = db::now();
    let mut q = webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::Status,
            Expr::value(status.as_str()),
        )
        .col_expr(
            webhook_delivery::Column::Attempts,
            Expr::col(webhook_delivery::Column::Attempts).add(1),
        )
        .col_expr(webhook_delivery::Column::LastStatusCode, Expr::value(code))
        .col_expr(webhook_delivery::Column::LastError, Expr::value(error))
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(t));
    if status == DeliveryStatus::Delivered {
        q = q.col_expr(webhook_delivery::Column::DeliveredAt, Expr::value(Some(t)));
    }
    q.filter(webhook_delivery::Column::Id.eq(d.id))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_dot_body() {
        // Checked against an independent computation (openssl dgst -sha256 -hmac secret).
        let sig = signature("secret", 1_700_000_000, "{}");
        assert_eq!(
            sig,
            "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
    }
}
