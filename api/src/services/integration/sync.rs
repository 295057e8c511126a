//! Incremental sync: a compacted change feed with opaque cursors.
//!
//! Every write that changes a synced object calls [`touch`] in its own transaction: the
//! object's feed row gets `seq = NULL` (pending). Before a feed is read, [`sequence`] numbers
//! the pending rows under one lock, in order. A committed change therefore always lands at a
//! sequence number above everything a reader could already have seen, so a client that keeps
//! its last cursor never misses a change, and since each object has one row (its latest
//! change), it never gets a superseded one twice — however many changes share a timestamp or
//! arrive while it pages.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};
use shared::dto::{SyncItem, SyncPage};
use shared::{UnitKind, UnitPath};
use uuid::Uuid;

use crate::db;
use crate::db::entities::{sync_feed, sync_state};
use crate::error::{AppError, AppResult};

/// The kinds of object the feeds carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    Routes,
    People,
    Events,
    /// A person's results in a diagnostic campaign (an item per pair, see [`sheet_id`]).
    Diagnostics,
    Enrolments,
}

impl Feed {
    pub fn code(self) -> &'static str {
        match self {
            Feed::Routes => "routes",
            Feed::People => "people",
            Feed::Events => "events",
            Feed::Diagnostics => "diagnostics",
            Feed::Enrolments => "enrolments",
        }
    }
}

/// One object's change, for [`touch_many`].
#[derive(Debug, Clone)]
pub struct Change {
    pub id: Uuid,
    /// Where the object sits: which clients see it (none, without a place).
    pub place: Option<UnitPath>,
    /// A tombstone.
    pub deleted: bool,
    /// For a pair item: its parent (the campaign of a person's results).
    pub parent: Option<Uuid>,
    /// For a pair item: the person.
    pub person: Option<Uuid>,
}

/// Marks an object changed (in the caller's transaction); `deleted` makes it a tombstone.
pub async fn touch(
    db: &impl ConnectionTrait,
    feed: Feed,
    id: Uuid,
    place: Option<&UnitPath>,
    deleted: bool,
) -> AppResult<()> {
    let change = Change {
        id,
        place: place.copied(),
        deleted,
        parent: None,
        person: None,
    };
    touch_many(db, feed, std::slice::from_ref(&change)).await
}

/// Marks many objects changed, a few statements for any number (a bulk import touches tens of
/// thousands). An object given twice keeps its last change.
pub async fn touch_many(
    db: &impl ConnectionTrait,
    feed: Feed,
    changes: &[Change],
) -> AppResult<()> {
    // Ten values a row: well inside either database's limit of bound parameters.
    const CHUNK: usize = 1000;
    let mut last: std::collections::HashMap<Uuid, usize> = std::collections::HashMap::new();
    for (i, c) in changes.iter().enumerate() {
        last.insert(c.id, i);
    }
    let t = db::now();
    let rows: Vec<&Change> = changes
        .iter()
        .enumerate()
        .filter(|(i, c)| last.get(&c.id) == Some(i))
        .map(|(_, c)| c)
        .collect();
    for chunk in rows.chunks(CHUNK) {
        let models = chunk.iter().map(|c| sync_feed::ActiveModel {
            entity: Set(feed.code().to_owned()),
            entity_id: Set(c.id),
            seq: Set(None),
            region_id: Set(c.place.map(|p| p.region)),
            municipality_id: Set(c.place.and_then(|p| p.municipality)),
            school_id: Set(c.place.and_then(|p| p.school)),
            deleted: Set(c.deleted),
            changed_at: Set(t),
            parent_id: Set(c.parent),
            person_id: Set(c.person),
        });
        sync_feed::Entity::insert_many(models)
            .on_conflict(
                OnConflict::columns([sync_feed::Column::Entity, sync_feed::Column::EntityId])
                    .update_columns([
                        sync_feed::Column::Seq,
                        sync_feed::Column::RegionId,
                        sync_feed::Column::MunicipalityId,
                        sync_feed::Column::SchoolId,
                        sync_feed::Column::Deleted,
                        sync_feed::Column::ChangedAt,
                        sync_feed::Column::ParentId,
                        sync_feed::Column::PersonId,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Numbers the committed pending changes, in order, under the feed's lock, a batch at a time
/// (one statement per batch; the only SQL here that differs between the databases).
pub async fn sequence(db: &DatabaseConnection) -> AppResult<()> {
    const BATCH: i64 = 10_000;
    let backend = db.get_database_backend();
    loop {
        let txn = db::begin_write(db).await?;
        let state = sync_state::Entity::find_by_id("feed".to_owned())
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("sync state missing")))?;
        // Rows a writer is changing right now are skipped (they are numbered once it commits),
        // so the sequencer never waits on a writer and the two cannot deadlock.
        let sql = match backend {
            DbBackend::Postgres => format!(
                "WITH locked AS (
                    SELECT entity, entity_id, changed_at FROM sync_feed WHERE seq IS NULL
                    ORDER BY changed_at, entity_id LIMIT {BATCH} FOR UPDATE SKIP LOCKED),
                 numbered AS (
                    SELECT entity, entity_id, row_number() OVER (ORDER BY changed_at, entity_id) AS rn FROM locked)
                 UPDATE sync_feed f SET seq = $1 + n.rn - 1 FROM numbered n
                 WHERE f.entity = n.entity AND f.entity_id = n.entity_id"
            ),
            _ => format!(
                "WITH numbered AS (
                    SELECT entity, entity_id, row_number() OVER (ORDER BY changed_at, entity_id) AS rn
                    FROM sync_feed WHERE seq IS NULL ORDER BY changed_at, entity_id LIMIT {BATCH})
                 UPDATE sync_feed SET seq = $1 + numbered.rn - 1 FROM numbered
                 WHERE sync_feed.entity = numbered.entity AND sync_feed.entity_id = numbered.entity_id"
            ),
        };
        let numbered = txn
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [state.next_seq.into()],
            ))
            .await?
            .rows_affected();
        if numbered > 0 {
            sync_state::Entity::update_many()
                .col_expr(
                    sync_state::Column::NextSeq,
                    Expr::value(state.next_seq + i64::try_from(numbered).unwrap_or(0)),
                )
                .filter(sync_state::Column::Name.eq("feed"))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        if i64::try_from(numbered).unwrap_or(0) < BATCH {
            return Ok(());
        }
    }
}

pub fn encode_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{seq}"))
}

pub fn decode_cursor(cursor: &str) -> AppResult<i64> {
    let bad = || {
        AppError::bad_request(
            "invalid_cursor",
            "Курсор не распознан: передайте next_cursor из предыдущего ответа.",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    text.strip_prefix("v1:")
        .and_then(|s| s.parse().ok())
        .filter(|s: &i64| *s >= 0)
        .ok_or_else(bad)
}

/// The changes of `feed` within `unit` after `since`: (rows, next cursor, more waiting).
pub async fn changes(
    db: &DatabaseConnection,
    feed: Feed,
    unit: &UnitPath,
    since: Option<&str>,
    limit: u64,
) -> AppResult<(Vec<sync_feed::Model>, String, bool)> {
    let after = since.map(decode_cursor).transpose()?.unwrap_or(0);
    sequence(db).await?;
    let mut q = sync_feed::Entity::find()
        .filter(sync_feed::Column::Entity.eq(feed.code()))
        .filter(sync_feed::Column::Seq.gt(after));
    q = match unit.kind() {
        UnitKind::Municipality => q.filter(sync_feed::Column::MunicipalityId.eq(unit.leaf())),
        UnitKind::School => q.filter(sync_feed::Column::SchoolId.eq(unit.leaf())),
        _ => q.filter(sync_feed::Column::RegionId.eq(unit.region)),
    };
    let limit = limit.clamp(1, 1000);
    let mut rows = q
        .order_by_asc(sync_feed::Column::Seq)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let last = rows.last().and_then(|r| r.seq).unwrap_or(after);
    Ok((rows, encode_cursor(last), more))
}

/// The page's objects as a subquery: the feed rows of `feed` within `unit` whose sequence lies
/// in the page's range (and are not tombstones).
pub fn page_ids(
    feed: Feed,
    unit: &UnitPath,
    rows: &[sync_feed::Model],
) -> Option<sea_orm::sea_query::SelectStatement> {
    let first = rows.iter().filter_map(|r| r.seq).min()?;
    let last = rows.iter().filter_map(|r| r.seq).max()?;
    let mut q = sea_orm::sea_query::Query::select();
    q.column(sync_feed::Column::EntityId)
        .from(sync_feed::Entity)
        .and_where(sync_feed::Column::Entity.eq(feed.code()))
        .and_where(sync_feed::Column::Seq.between(first, last))
        .and_where(sync_feed::Column::Deleted.eq(false));
    match unit.kind() {
        UnitKind::Municipality => q.and_where(sync_feed::Column::MunicipalityId.eq(unit.leaf())),
        UnitKind::School => q.and_where(sync_feed::Column::SchoolId.eq(unit.leaf())),
        _ => q.and_where(sync_feed::Column::RegionId.eq(unit.region)),
    };
    Some(q.to_owned())
}

/// The rows whose object has not changed again since they were read. Called after the states
/// were loaded: a row that changed meanwhile may have given a state that belongs to its next
/// change, which comes later at its own place in the feed, so it is left out of this page.
pub async fn unchanged(
    db: &DatabaseConnection,
    rows: &[sync_feed::Model],
) -> AppResult<Vec<sync_feed::Model>> {
    let (Some(first), Some(lo), Some(hi)) = (
        rows.first(),
        rows.iter().filter_map(|r| r.seq).min(),
        rows.iter().filter_map(|r| r.seq).max(),
    ) else {
        return Ok(Vec::new());
    };
    // A row that changed again now has no sequence yet, or a later one: it is not in the range.
    let still: std::collections::HashSet<(Uuid, Option<i64>)> = sync_feed::Entity::find()
        .filter(sync_feed::Column::Entity.eq(first.entity.clone()))
        .filter(sync_feed::Column::Seq.between(lo, hi))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.entity_id, r.seq))
        .collect();
    Ok(rows
        .iter()
        .filter(|r| still.contains(&(r.entity_id, r.seq)))
        .cloned()
        .collect())
}

/// Turns feed rows and the current states into a page.
pub fn page<T: Clone>(
    rows: &[sync_feed::Model],
    states: &std::collections::HashMap<Uuid, T>,
    next_cursor: String,
    has_more: bool,
) -> SyncPage<T> {
    SyncPage {
        items: rows
            .iter()
            .map(|r| {
                let data = if r.deleted {
                    None
                } else {
                    states.get(&r.entity_id).cloned()
                };
                SyncItem {
                    id: r.entity_id,
                    tombstone: r.deleted || data.is_none(),
                    changed_at: r.changed_at,
                    data,
                }
            })
            .collect(),
        next_cursor,
        has_more,
    }
}

/// Marks a route changed: a tombstone once it is withdrawn.
pub async fn touch_route(
    db: &impl ConnectionTrait,
    route: &crate::db::entities::route::Model,
    deleted: bool,
) -> AppResult<()> {
    let place = UnitPath {
        region: route.region_id,
        district: None,
        municipality: route.municipality_id,
        school: Some(route.school_id),
    };
    let withdrawn = route.status == shared::RouteStatus::Withdrawn.as_str();
    touch(
        db,
        Feed::Routes,
        route.id,
        Some(&place),
        deleted || withdrawn,
    )
    .await
}

/// Where a person works (none for someone without a workplace, or unknown).
async fn workplace_of(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<Option<UnitPath>> {
    let Some(user) = crate::db::users::find(db, user_id).await? else {
        return Ok(None);
    };
    Ok(match user.workplace_id {
        Some(w) => crate::db::units::find(db, w)
            .await?
            .map(|u| crate::db::units::path(&u))
            .transpose()?,
        None => None,
    })
}

/// Marks a person changed (where they work decides which clients see them).
pub async fn touch_person(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<()> {
    if crate::db::users::find(db, user_id).await?.is_none() {
        return Ok(());
    }
    let place = workplace_of(db, user_id).await?;
    touch(db, Feed::People, user_id, place.as_ref(), false).await
}

/// Marks an enrolment changed, placed where its person works.
pub async fn touch_enrolment(
    db: &impl ConnectionTrait,
    enrolment: &crate::db::entities::enrolment::Model,
) -> AppResult<()> {
    let place = workplace_of(db, enrolment.person_id).await?;
    let change = Change {
        id: enrolment.id,
        place,
        deleted: false,
        parent: Some(enrolment.event_id),
        person: Some(enrolment.person_id),
    };
    touch_many(db, Feed::Enrolments, std::slice::from_ref(&change)).await
}

/// The stable id of a person's results in a campaign, as the diagnostics feed names them.
pub fn sheet_id(campaign: Uuid, person: Uuid) -> Uuid {
    Uuid::new_v5(&campaign, person.as_bytes())
}

/// A person's results in a campaign changed (written where the person works: `place`); with
/// none left, the item becomes a tombstone.
pub fn sheet_change(campaign: Uuid, person: Uuid, place: Option<UnitPath>, gone: bool) -> Change {
    Change {
        id: sheet_id(campaign, person),
        place,
        deleted: gone,
        parent: Some(campaign),
        person: Some(person),
    }
}

/// Marks a catalogue event changed, placed at its organiser. Drafts stay out of the feed; a
/// cancelled event stays in it (with its status), so calendars can show the cancellation.
pub async fn touch_event(
    db: &impl ConnectionTrait,
    event: &crate::db::entities::event::Model,
) -> AppResult<()> {
    if event.status == shared::catalogue::EventStatus::Draft.as_str() {
        return Ok(());
    }
    let place = UnitPath {
        region: event.region_id,
        district: event.district_id,
        municipality: event.municipality_id,
        school: event.school_id,
    };
    touch(db, Feed::Events, event.id, Some(&place), false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_id_is_stable_for_its_pair_and_differs_between_pairs() {
        let (c, p, q) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(sheet_id(c, p), sheet_id(c, p));
        assert_ne!(sheet_id(c, p), sheet_id(c, q));
        assert_ne!(sheet_id(c, p), sheet_id(p, c));
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42)).unwrap(), 42);
        assert!(decode_cursor("abc").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("v1:-3")).is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("v2:3")).is_err());
    }
}
