//! The job queue's storage: enqueue, claim with a lease, finish or fail.
//!
//! A claim is one conditional `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`,
//! so several instances on one PostgreSQL never take the same job; SQLite has one writer at a
//! time, which makes the same statement safe there. A worker that dies leaves its lease to
//! expire, and the job is claimed again.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::entities::job::{ActiveModel, Column, Entity, Model};
use super::{new_id, now};

pub const PENDING: &str = "pending";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

pub async fn enqueue(
    db: &impl ConnectionTrait,
    kind: &str,
    payload: &serde_json::Value,
    run_at: DateTime<Utc>,
    max_attempts: i32,
) -> Result<Model, DbErr> {
    let t = now();
    ActiveModel {
        id: Set(new_id()),
        kind: Set(kind.to_owned()),
        payload: Set(payload.to_string()),
        state: Set(PENDING.to_owned()),
        attempts: Set(0),
        max_attempts: Set(max_attempts),
        run_at: Set(run_at),
        locked_until: Set(None),
        locked_by: Set(None),
        last_error: Set(None),
        finished_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await
}

/// Takes the oldest due job of one of `kinds` (a pending one, or a running one whose lease has
/// run out) for `lease`, or nothing.
pub async fn claim(
    db: &impl ConnectionTrait,
    worker: &str,
    kinds: &[&str],
    lease: Duration,
) -> Result<Option<Model>, DbErr> {
    let t = now();
    let due = Condition::any()
        .add(
            Condition::all()
                .add(Column::State.eq(PENDING))
                .add(Column::RunAt.lte(t)),
        )
        .add(
            Condition::all()
                .add(Column::State.eq(RUNNING))
                .add(Column::LockedUntil.lt(t)),
        );
    let next = Query::select()
        .column(Column::Id)
        .from(Entity)
        .cond_where(
            Condition::all()
                .add(due)
                .add(Column::Kind.is_in(kinds.iter().copied())),
        )
        .order_by(Column::RunAt, sea_orm::sea_query::Order::Asc)
        .limit(1)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    let claimed = Entity::update_many()
        .col_expr(Column::State, Expr::value(RUNNING))
        .col_expr(Column::LockedBy, Expr::value(worker))
        .col_expr(Column::LockedUntil, Expr::value(t + lease))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(t))
        .filter(Column::Id.in_subquery(next))
        .exec_with_returning(db)
        .await?;
    Ok(claimed.into_iter().next())
}

pub async fn complete(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    let t = now();
    Entity::update_many()
        .col_expr(Column::State, Expr::value(DONE))
        .col_expr(Column::FinishedAt, Expr::value(t))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::UpdatedAt, Expr::value(t))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: the job runs again at `retry_at`, or fails for good when it has
/// used its attempts.
pub async fn fail(
    db: &impl ConnectionTrait,
    job: &Model,
    error: &str,
    retry_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let t = now();
    let give_up = job.attempts >= job.max_attempts;
    Entity::update_many()
        .col_expr(
            Column::State,
            Expr::value(if give_up { FAILED } else { PENDING }),
        )
        .col_expr(
            Column::LastError,
            Expr::value(error.chars().take(2000).collect::<String>()),
        )
        .col_expr(Column::RunAt, Expr::value(retry_at))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::FinishedAt, Expr::value(give_up.then_some(t)))
        .col_expr(Column::UpdatedAt, Expr::value(t))
        .filter(Column::Id.eq(job.id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}
