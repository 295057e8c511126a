//! Events, their competencies, enrolments, recommendations and calendar feeds.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use shared::catalogue::EnrolmentStatus;
use uuid::Uuid;

use super::entities::{enrolment, event, event_competency};

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<event::Model>, DbErr> {
    event::Entity::find_by_id(id).one(db).await
}

/// The event's row, locked until the transaction ends: registrations for one event queue here,
/// so seats are counted by one writer at a time (SQLite's write lock does the same).
pub async fn find_for_update(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<event::Model>, DbErr> {
    event::Entity::find_by_id(id).lock_exclusive().one(db).await
}

/// Competency ids of each event.
pub async fn competencies(
    db: &impl ConnectionTrait,
    events: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Uuid>>, DbErr> {
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for chunk in events.chunks(500) {
        let rows = event_competency::Entity::find()
            .filter(event_competency::Column::EventId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        for r in rows {
            out.entry(r.event_id).or_default().push(r.competency_id);
        }
    }
    Ok(out)
}

/// How many enrolments of each status each event has.
pub async fn counts(
    db: &impl ConnectionTrait,
    events: &[Uuid],
) -> Result<HashMap<Uuid, HashMap<String, u64>>, DbErr> {
    let mut out: HashMap<Uuid, HashMap<String, u64>> = HashMap::new();
    for chunk in events.chunks(500) {
        let rows: Vec<(Uuid, String, i64)> = enrolment::Entity::find()
            .select_only()
            .column(enrolment::Column::EventId)
            .column(enrolment::Column::Status)
            .column_as(Expr::col(enrolment::Column::Id).count(), "n")
            .filter(enrolment::Column::EventId.is_in(chunk.iter().copied()))
            .group_by(enrolment::Column::EventId)
            .group_by(enrolment::Column::Status)
            .into_tuple()
            .all(db)
            .await?;
        for (e, s, n) in rows {
            out.entry(e)
                .or_default()
                .insert(s, u64::try_from(n).unwrap_or(0));
        }
    }
    Ok(out)
}

/// Seats held on an event (registered, attended or absent).
pub async fn seats_taken(db: &impl ConnectionTrait, event_id: Uuid) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    enrolment::Entity::find()
        .filter(enrolment::Column::EventId.eq(event_id))
        .filter(enrolment::Column::Status.is_in(holding()))
        .count(db)
        .await
}

/// The status codes that hold a seat.
pub fn holding() -> Vec<&'static str> {
    EnrolmentStatus::ALL
        .iter()
        .filter(|s| s.holds_seat())
        .map(|s| s.as_str())
        .collect()
}

pub async fn enrolment_of(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    person: Uuid,
) -> Result<Option<enrolment::Model>, DbErr> {
    enrolment::Entity::find()
        .filter(enrolment::Column::EventId.eq(event_id))
        .filter(enrolment::Column::PersonId.eq(person))
        .one(db)
        .await
}

/// A person's enrolments on the given events.
pub async fn enrolments_of(
    db: &impl ConnectionTrait,
    person: Uuid,
    events: &[Uuid],
) -> Result<HashMap<Uuid, enrolment::Model>, DbErr> {
    let mut out = HashMap::new();
    for chunk in events.chunks(500) {
        for e in enrolment::Entity::find()
            .filter(enrolment::Column::PersonId.eq(person))
            .filter(enrolment::Column::EventId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            out.insert(e.event_id, e);
        }
    }
    Ok(out)
}

/// An event's enrolments in the order people registered.
pub async fn enrolments(
    db: &impl ConnectionTrait,
    event_id: Uuid,
) -> Result<Vec<enrolment::Model>, DbErr> {
    enrolment::Entity::find()
        .filter(enrolment::Column::EventId.eq(event_id))
        .order_by_asc(enrolment::Column::Position)
        .all(db)
        .await
}

/// The next registration number on an event.
pub async fn next_position(db: &impl ConnectionTrait, event_id: Uuid) -> Result<i64, DbErr> {
    let max: Option<Option<i64>> = enrolment::Entity::find()
        .select_only()
        .column_as(Expr::col(enrolment::Column::Position).max(), "m")
        .filter(enrolment::Column::EventId.eq(event_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0) + 1)
}
