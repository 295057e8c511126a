//! The background worker over the database job queue ([`crate::db::jobs`]).
//!
//! Every instance runs one; they share the queue safely. Work is registered by kind; a failed
//! job is retried with exponential back-off until it has used its attempts. Recurring work is
//! enqueued under an id derived from its time slot, so however many instances run, each slot
//! gets one job.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait};
use tokio::sync::watch;
use uuid::Uuid;

use crate::db::entities::job;
use crate::db::{self, jobs};

type JobFuture = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;
type Handler = Arc<dyn Fn(DatabaseConnection, serde_json::Value) -> JobFuture + Send + Sync>;

/// Which function runs which kind of job.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
}

impl Registry {
    pub fn register<F, Fut>(mut self, kind: &'static str, f: F) -> Self
    where
        F: Fn(DatabaseConnection, serde_json::Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.handlers
            .insert(kind, Arc::new(move |db, payload| Box::pin(f(db, payload))));
        self
    }

    fn kinds(&self) -> Vec<&'static str> {
        self.handlers.keys().copied().collect()
    }

    /// The platform's own background work.
    pub fn standard(settings: &crate::config::Settings) -> Self {
        let mail = crate::services::mail::MailSettings {
            smtp_url: settings.smtp_url.clone(),
            from: settings.mail_from.clone(),
        };
        let letters = crate::services::events::LetterSettings::from_settings(settings);
        let files_dir = settings.files_dir.clone();
        let export_dir = settings.files_dir.clone();
        let retention_dir = settings.files_dir.clone();
        let allow_http_loopback = settings.webhooks_allow_http_loopback;
        Registry::default()
            .register(HOUSEKEEPING, move |db, payload| {
                housekeeping(db, payload, files_dir.clone())
            })
            .register(crate::services::mail::SEND, move |db, payload| {
                crate::services::mail::send_job(db, mail.clone(), payload)
            })
            .register(crate::services::summaries::WEEKLY, |db, payload| {
                crate::services::summaries::weekly_job(db, payload)
            })
            .register(crate::services::reminders::SCAN, |db, payload| {
                crate::services::reminders::scan_job(db, payload)
            })
            .register(crate::services::events::NOTIFY, {
                let letters = letters.clone();
                move |db, payload| crate::services::events::notify_job(db, letters.clone(), payload)
            })
            .register(crate::services::digest::DAILY, move |db, payload| {
                crate::services::digest::daily_job(db, letters.clone(), payload)
            })
            .register(
                crate::services::privacy_export::EXPORT,
                move |db, payload| {
                    crate::services::privacy_export::export_job(db, export_dir.clone(), payload)
                },
            )
            .register(crate::services::retention::SWEEP, move |db, payload| {
                crate::services::retention::sweep_job(db, retention_dir.clone(), payload)
            })
            .register(
                crate::services::diagnostics::drafts::DRAFT,
                crate::services::diagnostics::drafts::draft_job,
            )
            .register(
                crate::services::integration::webhooks::DELIVER,
                move |db, payload| {
                    crate::services::integration::webhooks::deliver_job(
                        db,
                        allow_http_loopback,
                        payload,
                    )
                },
            )
    }
}

/// Removes what has expired: used or expired refresh tokens, stale sign-in counters, personal
/// data exports past their time (with their archives), finished technical records past their
/// periods, stored files whose rows are gone.
pub const HOUSEKEEPING: &str = "housekeeping";

async fn housekeeping(
    db: DatabaseConnection,
    _: serde_json::Value,
    files_dir: std::path::PathBuf,
) -> anyhow::Result<()> {
    use crate::db::entities::{login_throttle, refresh_token};
    use sea_orm::{ColumnTrait, QueryFilter};
    let now = db::now();
    refresh_token::Entity::delete_many()
        .filter(refresh_token::Column::ExpiresAt.lt(now - Duration::days(1)))
        .exec(&db)
        .await?;
    login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::WindowStartedAt.lt(now - Duration::days(1)))
        .exec(&db)
        .await?;
    crate::services::privacy_export::sweep_expired(&db, &files_dir).await?;
    prune_technical_records(&db, now).await?;
    sweep_orphan_files(&db, &files_dir).await
}

/// How long finished technical records are kept (the register in `docs/personal-data.md`):
/// they quote people (a letter's address and text, a webhook's payload, a job's parameters,
/// a notice's words) and serve nobody once done.
pub const FINISHED_JOBS_DAYS: i64 = 30;
pub const LETTERS_DAYS: i64 = 90;
pub const DELIVERIES_DAYS: i64 = 90;
pub const READ_NOTICES_DAYS: i64 = 365;

async fn prune_technical_records(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    use crate::db::entities::{
        mail_message, notification, one_time_token, rate_window, webhook_delivery,
    };
    use sea_orm::sea_query::ExprTrait;
    use sea_orm::{ColumnTrait, Condition, QueryFilter};
    use shared::dto::{DeliveryStatus, MailStatus, TokenPurpose};
    job::Entity::delete_many()
        .filter(job::Column::State.is_in([jobs::DONE, jobs::FAILED]))
        .filter(job::Column::UpdatedAt.lt(now - Duration::days(FINISHED_JOBS_DAYS)))
        .exec(db)
        .await?;
    mail_message::Entity::delete_many()
        .filter(mail_message::Column::Status.is_in([
            MailStatus::Sent.as_str(),
            MailStatus::Stored.as_str(),
            MailStatus::Failed.as_str(),
        ]))
        .filter(mail_message::Column::UpdatedAt.lt(now - Duration::days(LETTERS_DAYS)))
        .exec(db)
        .await?;
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::Status.is_in([
            DeliveryStatus::Delivered.as_str(),
            DeliveryStatus::Failed.as_str(),
        ]))
        .filter(webhook_delivery::Column::UpdatedAt.lt(now - Duration::days(DELIVERIES_DAYS)))
        .exec(db)
        .await?;
    notification::Entity::delete_many()
        .filter(notification::Column::ReadAt.lt(now - Duration::days(READ_NOTICES_DAYS)))
        .exec(db)
        .await?;
    // Links used, revoked or run out a month ago (an expired invitation stays: the person's
    // card offers to send a new one); a requested new address goes with its link.
    let month = now - Duration::days(FINISHED_JOBS_DAYS);
    one_time_token::Entity::delete_many()
        .filter(
            Condition::any()
                .add(one_time_token::Column::UsedAt.lt(month))
                .add(one_time_token::Column::RevokedAt.lt(month))
                .add(
                    one_time_token::Column::Purpose
                        .ne(TokenPurpose::Invitation.as_str())
                        .and(one_time_token::Column::ExpiresAt.lt(month)),
                ),
        )
        .exec(db)
        .await?;
    rate_window::Entity::delete_many()
        .filter(rate_window::Column::WindowStart.lt(now - Duration::days(1)))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes stored files that no row refers to (an upload whose transaction failed, an activity
/// deleted with its evidence), once they are an hour old. Every table that keeps files is asked:
/// route files, enrolment certificates, scans of paper consents, personal data exports that
/// have not expired.
async fn sweep_orphan_files(db: &DatabaseConnection, dir: &std::path::Path) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let cutoff = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|m| m < cutoff);
        let Some(key) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !old {
            continue;
        }
        if key.ends_with(".part") || !is_referenced(db, &key).await? {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// Whether any row keeps the stored file `key`.
async fn is_referenced(db: &DatabaseConnection, key: &str) -> anyhow::Result<bool> {
    use crate::db::entities::{consent_record, enrolment, route_file};
    use sea_orm::{ColumnTrait, QueryFilter};
    let found = if key.starts_with("cert") {
        enrolment::Entity::find()
            .filter(enrolment::Column::CertificateKey.eq(key))
            .one(db)
            .await?
            .is_some()
    } else if key.starts_with("export") {
        crate::services::privacy_export::keeps(db, key).await?
    } else if key.starts_with("consent") {
        consent_record::Entity::find()
            .filter(consent_record::Column::ScanKey.eq(key))
            .one(db)
            .await?
            .is_some()
    } else {
        route_file::Entity::find()
            .filter(route_file::Column::StorageKey.eq(key))
            .one(db)
            .await?
            .is_some()
    };
    Ok(found)
}

/// How long a claimed job is reserved before another worker may take it over.
const LEASE: Duration = Duration::minutes(5);

/// The wait before retry `attempt` (1-based): 10 s, 20 s, 40 s… capped at an hour.
pub fn backoff(attempt: i32) -> Duration {
    let exp = u32::try_from(attempt.clamp(1, 20) - 1).unwrap_or(0);
    Duration::seconds(10i64.saturating_mul(1i64 << exp.min(12))).min(Duration::hours(1))
}

/// Claims and runs one due job; `false` when there was none.
pub async fn run_once(
    db: &DatabaseConnection,
    registry: &Registry,
    worker: &str,
) -> anyhow::Result<bool> {
    let kinds = registry.kinds();
    let Some(job) = jobs::claim(db, worker, &kinds, LEASE).await? else {
        return Ok(false);
    };
    let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap_or_default();
    let outcome = match registry.handlers.get(job.kind.as_str()) {
        Some(handler) => handler(db.clone(), payload).await,
        None => Err(anyhow::anyhow!("no handler for {}", job.kind)),
    };
    match outcome {
        Ok(()) => jobs::complete(db, job.id).await?,
        Err(e) => {
            tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed");
            jobs::fail(
                db,
                &job,
                &format!("{e:#}"),
                db::now() + backoff(job.attempts),
            )
            .await?;
        }
    }
    Ok(true)
}

/// Enqueues the job of `kind` for the time slot containing `now` (of length `period`), once,
/// however many instances ask.
pub async fn schedule_recurring(
    db: &impl ConnectionTrait,
    kind: &str,
    period: Duration,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    schedule_recurring_at(db, kind, period, Duration::zero(), now).await
}

/// As [`schedule_recurring`], with slots starting `offset` after the period's boundary (a
/// daily job at 06:00 UTC: a day, six hours).
pub async fn schedule_recurring_at(
    db: &impl ConnectionTrait,
    kind: &str,
    period: Duration,
    offset: Duration,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let slot = slot_start(now, period, offset);
    let id = Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("{kind}:{slot}").as_bytes());
    let run_at = DateTime::<Utc>::from_timestamp(slot, 0).unwrap_or(now);
    let t = db::now();
    job::Entity::insert(job::ActiveModel {
        id: Set(id),
        kind: Set(kind.to_owned()),
        payload: Set("{}".into()),
        state: Set(jobs::PENDING.into()),
        attempts: Set(0),
        max_attempts: Set(3),
        run_at: Set(run_at),
        locked_until: Set(None),
        locked_by: Set(None),
        last_error: Set(None),
        finished_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .on_conflict_do_nothing()
    .exec(db)
    .await?;
    Ok(())
}

/// The start (Unix seconds) of the slot of length `period`, shifted by `offset`, containing
/// `now`.
fn slot_start(now: DateTime<Utc>, period: Duration, offset: Duration) -> i64 {
    let secs = period.num_seconds().max(1);
    let shift = offset.num_seconds();
    (now.timestamp() - shift).div_euclid(secs) * secs + shift
}

/// A running worker loop.
pub struct Worker {
    stop: watch::Sender<bool>,
    handle: tokio::task::JoinHandle<()>,
}

impl Worker {
    pub fn spawn(db: DatabaseConnection, settings: &crate::config::Settings) -> Self {
        Self::spawn_with(db, Registry::standard(settings))
    }

    pub fn spawn_with(db: DatabaseConnection, registry: Registry) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let name = format!("{}-{}", hostname(), Uuid::new_v4().simple());
        let handle = tokio::spawn(async move {
            let mut scheduled_at: Option<std::time::Instant> = None;
            loop {
                // Recurring work is enqueued once a minute at most: the slot id makes it once
                // per hour whatever the number of instances.
                if scheduled_at.is_none_or(|t| t.elapsed() > StdDuration::from_secs(60)) {
                    scheduled_at = Some(std::time::Instant::now());
                    if let Err(e) =
                        schedule_recurring(&db, HOUSEKEEPING, Duration::hours(1), db::now()).await
                    {
                        tracing::warn!(error = %e, "scheduling housekeeping");
                    }
                    // Reminders go out in the morning, Moscow time (06:00 UTC).
                    if let Err(e) = schedule_recurring_at(
                        &db,
                        crate::services::reminders::SCAN,
                        Duration::days(1),
                        Duration::hours(6),
                        db::now(),
                    )
                    .await
                    {
                        tracing::warn!(error = %e, "scheduling reminders");
                    }
                    // The daily digest after the morning's reminders (06:30 UTC), so it
                    // carries them.
                    if let Err(e) = schedule_recurring_at(
                        &db,
                        crate::services::digest::DAILY,
                        Duration::days(1),
                        Duration::hours(6) + Duration::minutes(30),
                        db::now(),
                    )
                    .await
                    {
                        tracing::warn!(error = %e, "scheduling digests");
                    }
                    // Retention at night, before the day's work (01:00 UTC, 04:00 Moscow).
                    if let Err(e) = schedule_recurring_at(
                        &db,
                        crate::services::retention::SWEEP,
                        Duration::days(1),
                        Duration::hours(1),
                        db::now(),
                    )
                    .await
                    {
                        tracing::warn!(error = %e, "scheduling retention");
                    }
                    // Weekly summaries on Monday mornings (the Unix epoch was a Thursday).
                    if let Err(e) = schedule_recurring_at(
                        &db,
                        crate::services::summaries::WEEKLY,
                        Duration::weeks(1),
                        Duration::days(4) + Duration::hours(6),
                        db::now(),
                    )
                    .await
                    {
                        tracing::warn!(error = %e, "scheduling weekly summaries");
                    }
                }
                // Drain what is due, then wait a little.
                loop {
                    match run_once(&db, &registry, &name).await {
                        Ok(true) if !*stopped.borrow() => continue,
                        Ok(_) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "job queue");
                            break;
                        }
                    }
                }
                tokio::select! {
                    _ = stopped.changed() => break,
                    _ = tokio::time::sleep(StdDuration::from_secs(2)) => {}
                }
                if *stopped.borrow() {
                    break;
                }
            }
        });
        Worker { stop, handle }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.handle.await;
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "iom".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_daily_slot_with_an_offset_starts_at_that_hour() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap_or_default();
        let slot = |now: &str| slot_start(at(now), Duration::days(1), Duration::hours(6));
        assert_eq!(
            slot("2027-03-10T07:00:00Z"),
            at("2027-03-10T06:00:00Z").timestamp()
        );
        assert_eq!(
            slot("2027-03-10T05:59:00Z"),
            at("2027-03-09T06:00:00Z").timestamp()
        );
    }

    #[test]
    fn backoff_doubles_from_ten_seconds_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(10));
        assert_eq!(backoff(2), Duration::seconds(20));
        assert_eq!(backoff(4), Duration::seconds(80));
        assert_eq!(backoff(30), Duration::hours(1));
    }
}
