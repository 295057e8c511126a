//! The audit log: who did what to which object, and when. Changes are written in the same
//! transaction as the change they record; reads of someone's personal data go through
//! [`Reads`], a per-instance buffer written in batches, so a read pays only for a push.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, Set};
use uuid::Uuid;

use super::entities::audit_log::{self, ActiveModel};
use super::{new_id, now};
use crate::middleware::{client_address, request_id};

/// One entry, before it is written.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor_id: Option<Uuid>,
    /// `user`, `client` (an integration) or `system`.
    pub actor_kind: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<Uuid>,
    pub details: serde_json::Value,
    /// The person the entry concerns, when it is about someone's personal data.
    pub subject_id: Option<Uuid>,
}

impl<'a> Entry<'a> {
    /// An action of a signed-in person on an object.
    pub fn by_user(
        actor: Uuid,
        action: &'a str,
        entity_type: &'a str,
        entity_id: Uuid,
        details: serde_json::Value,
    ) -> Self {
        Entry {
            actor_id: Some(actor),
            actor_kind: "user",
            action,
            entity_type,
            entity_id: Some(entity_id),
            details,
            subject_id: None,
        }
    }

    /// The same entry, concerning `person`.
    pub fn about(self, person: Uuid) -> Self {
        Entry {
            subject_id: Some(person),
            ..self
        }
    }
}

pub async fn record(db: &impl ConnectionTrait, entry: Entry<'_>) -> Result<(), DbErr> {
    super::entities::audit_log::Entity::insert(ActiveModel {
        id: Set(new_id()),
        occurred_at: Set(now()),
        actor_id: Set(entry.actor_id),
        actor_kind: Set(entry.actor_kind.to_owned()),
        action: Set(entry.action.to_owned()),
        entity_type: Set(entry.entity_type.to_owned()),
        entity_id: Set(entry.entity_id),
        details: Set(entry.details.to_string()),
        request_id: Set(request_id::current()),
        address: Set(client_address::current().map(|a| a.to_string())),
        subject_id: Set(entry.subject_id),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// One read of someone's personal data: who read (a person or an integration client), by which
/// roles, what, and whose it is.
#[derive(Debug, Clone)]
pub struct Read {
    pub actor_id: Uuid,
    /// `user` or `client`.
    pub actor_kind: &'static str,
    /// The roles (or route parts) the read was made by: `tutor`, `director`, `read_routes`…
    pub basis: Vec<String>,
    /// `route.read`, `route.card_read`, `file.read`, `diagnostics.read`, `person.read`…
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: Uuid,
    /// The person whose data was read.
    pub subject_id: Uuid,
}

/// Flushed at least this often…
const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// …or as soon as this many reads wait.
const FLUSH_AT: usize = 500;
/// Reads kept while the database refuses them; past this, the oldest are dropped (and said so
/// in the log) rather than growing without bound.
const KEEP_AT_MOST: usize = 50_000;

/// The per-instance buffer of reads. Recording is a push under a short lock; a background task
/// writes the batch every second or at 500 entries, and [`Reads::flush`] runs once more on
/// shutdown.
#[derive(Clone)]
pub struct Reads {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    pending: Mutex<Vec<ActiveModel>>,
    full: tokio::sync::Notify,
    /// Only one flush writes at a time, so batches keep their order.
    writing: tokio::sync::Mutex<()>,
}

impl Reads {
    pub fn new(db: DatabaseConnection) -> Self {
        Reads {
            inner: Arc::new(Inner {
                db,
                pending: Mutex::new(Vec::new()),
                full: tokio::sync::Notify::new(),
                writing: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Records a read (nothing when a person reads their own data).
    pub fn record(&self, read: Read) {
        if read.actor_kind == "user" && read.actor_id == read.subject_id {
            return;
        }
        let row = ActiveModel {
            id: Set(new_id()),
            occurred_at: Set(now()),
            actor_id: Set(Some(read.actor_id)),
            actor_kind: Set(read.actor_kind.to_owned()),
            action: Set(read.action.to_owned()),
            entity_type: Set(read.entity_type.to_owned()),
            entity_id: Set(Some(read.entity_id)),
            details: Set(serde_json::json!({ "as": read.basis }).to_string()),
            request_id: Set(request_id::current()),
            subject_id: Set(Some(read.subject_id)),
            address: Set(client_address::current().map(|a| a.to_string())),
        };
        let waiting = match self.inner.pending.lock() {
            Ok(mut pending) => {
                pending.push(row);
                pending.len()
            }
            // A panic while holding the lock cannot leave the vector half-written.
            Err(poisoned) => {
                let mut pending = poisoned.into_inner();
                pending.push(row);
                pending.len()
            }
        };
        if waiting >= FLUSH_AT {
            self.inner.full.notify_one();
        }
    }

    fn take(&self) -> Vec<ActiveModel> {
        match self.inner.pending.lock() {
            Ok(mut p) => std::mem::take(&mut *p),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }

    fn put_back(&self, mut rows: Vec<ActiveModel>) {
        let mut pending = match self.inner.pending.lock() {
            Ok(p) => p,
            Err(poisoned) => poisoned.into_inner(),
        };
        rows.append(&mut pending);
        if rows.len() > KEEP_AT_MOST {
            let dropped = rows.len() - KEEP_AT_MOST;
            rows.drain(..dropped);
            tracing::error!(dropped, "audit of reads: dropped the oldest entries");
        }
        *pending = rows;
    }

    /// Writes every waiting read, in batches of [`FLUSH_AT`]; returns how many were written.
    /// On a database error the reads stay for the next flush.
    pub async fn flush(&self) -> Result<usize, DbErr> {
        let _turn = self.inner.writing.lock().await;
        let rows = self.take();
        let total = rows.len();
        let mut rest = rows.into_iter().peekable();
        let mut written = 0;
        while rest.peek().is_some() {
            let batch: Vec<ActiveModel> = rest.by_ref().take(FLUSH_AT).collect();
            let n = batch.len();
            if let Err(e) = super::entities::audit_log::Entity::insert_many(batch.clone())
                .exec_without_returning(&self.inner.db)
                .await
            {
                let mut keep = batch;
                keep.extend(rest);
                self.put_back(keep);
                return Err(e);
            }
            written += n;
        }
        debug_assert_eq!(written, total);
        Ok(written)
    }

    /// Starts the task that flushes every second, or sooner when the buffer fills.
    pub fn spawn_flusher(&self) -> tokio::task::JoinHandle<()> {
        let reads = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    () = reads.inner.full.notified() => {}
                }
                if let Err(e) = reads.flush().await {
                    tracing::error!(error = %e, "audit of reads: writing a batch failed; kept for the next try");
                }
            }
        })
    }
}

/// What others did with `person`'s data (reads of their route, card, files, results, profile,
/// and changes made about them), newest first, with the count of all such entries. The person's
/// own actions are not listed.
pub async fn about_person(
    db: &impl ConnectionTrait,
    person: Uuid,
    offset: u64,
    limit: u64,
) -> Result<(Vec<audit_log::Model>, u64), DbErr> {
    use sea_orm::{ColumnTrait, Condition, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
    let own = Condition::all()
        .add(audit_log::Column::ActorKind.eq("user"))
        .add(audit_log::Column::ActorId.eq(person));
    let q = audit_log::Entity::find()
        .filter(audit_log::Column::SubjectId.eq(person))
        .filter(Condition::not(own));
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_desc(audit_log::Column::OccurredAt)
        .order_by_desc(audit_log::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}
