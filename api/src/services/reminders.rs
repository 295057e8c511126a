//! Reminders and escalation: a daily scan of deadlines and waiting routes that records what it
//! finds as domain events, each **once** (its id is derived from what it is about and the date
//! or wait it concerns), so the notices, letters and their guarantees are those of the event
//! stream. The day is a parameter: the job takes it from its payload or the clock, tests pass
//! the day they need.
//!
//! What counts is decided in [`shared::events`] ([`activity_reminder`], [`escalation`]) under
//! each region's policy; here are the three set-based queries that find candidates.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult};
use serde_json::json;
use shared::events::{
    ENDING_SOON_DAYS, EventKind, OVERDUE_TELL_WITHIN_DAYS, activity_reminder,
    ending_without_product, escalation, waiting_for,
};
use shared::{ActivityStatus, RouteStatus};
use uuid::Uuid;

use crate::db::entities::{route, route_activity, route_transition};
use crate::db::{self, policies};
use crate::services::events::{self, Event};

/// The job kind of the daily scan.
pub const SCAN: &str = "reminders.scan";

/// Events are written in transactions of this many.
const BATCH: usize = 500;

/// What one scan recorded (events new today; what was told before is not counted again).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ScanReport {
    pub due_soon: usize,
    pub overdue: usize,
    pub ending: usize,
    pub stalled: usize,
    pub escalated: usize,
    pub attestation: usize,
}

impl ScanReport {
    fn count(&mut self, kind: EventKind) {
        match kind {
            EventKind::ActivityDueSoon => self.due_soon += 1,
            EventKind::ActivityOverdue => self.overdue += 1,
            EventKind::RouteEndingSoon => self.ending += 1,
            EventKind::RouteStalled => self.stalled += 1,
            EventKind::RouteEscalated => self.escalated += 1,
            EventKind::AttestationDue => self.attestation += 1,
            _ => {}
        }
    }
}

/// The job: scans for the day in the payload (`{"today": "YYYY-MM-DD"}`), or today.
pub async fn scan_job(db: DatabaseConnection, payload: serde_json::Value) -> anyhow::Result<()> {
    let today = payload["today"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| db::now().date_naive());
    let report = scan(&db, today).await?;
    tracing::info!(%today, ?report, "reminders and escalation scanned");
    Ok(())
}

/// One fact found, with the key that makes it once.
struct Found {
    key: String,
    event: Event,
}

/// Finds what is due, overdue, ending or waiting on `today` and records each fact once.
pub async fn scan(db: &DatabaseConnection, today: NaiveDate) -> Result<ScanReport, DbErr> {
    let policies = policies::all(db).await?;
    let policy = |region: Uuid| policies.get(&region).copied().unwrap_or_default().reminders;
    let mut found = Vec::new();

    // Unfinished activities of routes being carried out, ending from a week ago to a month on.
    let max_before = policies
        .values()
        .map(|p| p.reminders.remind_before_days)
        .chain([shared::events::ReminderPolicy::default().remind_before_days])
        .max()
        .unwrap_or_default();
    for row in db.query_all(&activities(today, max_before)).await? {
        let a = ActivityRow::from(&row)?;
        let Some(kind) = activity_reminder(
            policy(a.region),
            a.route_status,
            a.status,
            Some(a.end),
            today,
        ) else {
            continue;
        };
        let left = (a.end - today).num_days();
        found.push(Found {
            key: format!("{}:{}:{}", kind.as_str(), a.id, a.end),
            event: Event {
                kind,
                actor_id: None,
                route_id: Some(a.route),
                person_id: Some(a.teacher),
                unit_id: Some(a.school),
                payload: json!({
                    "activity_id": a.id,
                    "activity": a.name,
                    "date": a.end,
                    "days": left,
                }),
            },
        });
    }

    // Routes being carried out that end within a month without a product on expertise.
    for row in db.query_all(&ending(today)).await? {
        let r = RouteRow::from(&row)?;
        let Some(left) = ending_without_product(r.status, r.period_end, today) else {
            continue;
        };
        found.push(Found {
            key: format!(
                "{}:{}:{}",
                EventKind::RouteEndingSoon.as_str(),
                r.id,
                r.period_end
            ),
            event: Event {
                kind: EventKind::RouteEndingSoon,
                actor_id: None,
                route_id: Some(r.id),
                person_id: Some(r.teacher),
                unit_id: Some(r.school),
                payload: json!({ "date": r.period_end, "days": left }),
            },
        });
    }

    // Routes waiting for someone's step: since the transition into their status.
    let mut since: HashMap<Uuid, (RouteRow, DateTime<Utc>)> = HashMap::new();
    for row in db.query_all(&waiting()).await? {
        let r = RouteRow::from(&row)?;
        let at: DateTime<Utc> = row.try_get("", "at")?;
        match since.get_mut(&r.id) {
            Some((_, t)) if *t >= at => {}
            Some((_, t)) => *t = at,
            None => {
                since.insert(r.id, (r, at));
            }
        }
    }
    let mut waiting: Vec<_> = since.into_values().collect();
    waiting.sort_by_key(|(r, at)| (*at, r.id));
    for (r, at) in waiting {
        let Some(level) = escalation(policy(r.region), r.status, at.date_naive(), today) else {
            continue;
        };
        let waited = (today - at.date_naive()).num_days();
        // Whoever comes later in the chain is told only after those before them.
        let levels: &[EventKind] = match level {
            EventKind::RouteEscalated => &[EventKind::RouteStalled, EventKind::RouteEscalated],
            _ => &[EventKind::RouteStalled],
        };
        for kind in levels {
            found.push(Found {
                key: format!("{}:{}:{}", kind.as_str(), r.id, at.timestamp_micros()),
                event: Event {
                    kind: *kind,
                    actor_id: None,
                    route_id: Some(r.id),
                    person_id: Some(r.teacher),
                    unit_id: Some(r.school),
                    payload: json!({
                        "days": waited,
                        "waiting_in": r.status.as_str(),
                        "since": at,
                    }),
                },
            });
        }
    }

    // Teachers whose qualification category runs out within the reminder period: told once
    // per category (the key names the date it runs out).
    found.extend(attestations_due(db, today).await?);

    let mut report = ScanReport::default();
    for chunk in found.chunks(BATCH) {
        let txn = db::begin_write(db).await?;
        for f in chunk {
            if events::record_once(&txn, &f.key, f.event.clone()).await? {
                report.count(f.event.kind);
            }
        }
        txn.commit().await?;
    }
    Ok(report)
}

fn carried_out() -> [&'static str; 2] {
    [
        RouteStatus::Approved.as_str(),
        RouteStatus::InProgress.as_str(),
    ]
}

/// Route columns every query selects, under names that do not clash with the joined table's.
fn route_columns(q: &mut SelectStatement) {
    for (col, name) in [
        (route::Column::Id, "r_id"),
        (route::Column::Status, "r_status"),
        (route::Column::RegionId, "r_region"),
        (route::Column::TeacherId, "r_teacher"),
        (route::Column::SchoolId, "r_school"),
        (route::Column::PeriodEnd, "r_end"),
    ] {
        q.expr_as(Expr::col((route::Entity, col)), Alias::new(name));
    }
}

fn activities(today: NaiveDate, max_before: i64) -> SelectStatement {
    let mut q = Query::select();
    route_columns(&mut q);
    for (col, name) in [
        (route_activity::Column::Id, "a_id"),
        (route_activity::Column::Name, "a_name"),
        (route_activity::Column::Status, "a_status"),
        (route_activity::Column::EndDate, "a_end"),
    ] {
        q.expr_as(Expr::col((route_activity::Entity, col)), Alias::new(name));
    }
    q.from(route_activity::Entity)
        .inner_join(
            route::Entity,
            Expr::col((route::Entity, route::Column::Id))
                .equals((route_activity::Entity, route_activity::Column::RouteId)),
        )
        .and_where(Expr::col((route::Entity, route::Column::Status)).is_in(carried_out()))
        .and_where(
            Expr::col((route_activity::Entity, route_activity::Column::Status)).is_in([
                ActivityStatus::Planned.as_str(),
                ActivityStatus::InProgress.as_str(),
            ]),
        )
        .and_where(
            Expr::col((route_activity::Entity, route_activity::Column::EndDate))
                .gte(today - Duration::days(OVERDUE_TELL_WITHIN_DAYS)),
        )
        .and_where(
            Expr::col((route_activity::Entity, route_activity::Column::EndDate))
                .lte(today + Duration::days(Ord::max(max_before, 0))),
        )
        .to_owned()
}

fn ending(today: NaiveDate) -> SelectStatement {
    let mut q = Query::select();
    route_columns(&mut q);
    q.from(route::Entity)
        .and_where(Expr::col((route::Entity, route::Column::Status)).is_in(carried_out()))
        .and_where(Expr::col((route::Entity, route::Column::PeriodEnd)).gte(today))
        .and_where(
            Expr::col((route::Entity, route::Column::PeriodEnd))
                .lte(today + Duration::days(ENDING_SOON_DAYS)),
        )
        .to_owned()
}

/// Transitions into the status each waiting route is in now (a route resubmitted has several;
/// the latest counts).
fn waiting() -> SelectStatement {
    let statuses: Vec<&str> = RouteStatus::ALL
        .iter()
        .filter(|s| waiting_for(**s).is_some())
        .map(|s| s.as_str())
        .collect();
    let mut q = Query::select();
    route_columns(&mut q);
    q.expr_as(
        Expr::col((route_transition::Entity, route_transition::Column::At)),
        Alias::new("at"),
    )
    .from(route_transition::Entity)
    .inner_join(
        route::Entity,
        Expr::col((route::Entity, route::Column::Id))
            .equals((route_transition::Entity, route_transition::Column::RouteId)),
    )
    .and_where(Expr::col((route::Entity, route::Column::Status)).is_in(statuses))
    .and_where(
        Expr::col((route_transition::Entity, route_transition::Column::ToStatus))
            .equals((route::Entity, route::Column::Status)),
    )
    .to_owned()
}

struct RouteRow {
    id: Uuid,
    status: RouteStatus,
    region: Uuid,
    teacher: Uuid,
    school: Uuid,
    period_end: NaiveDate,
}

impl RouteRow {
    fn from(row: &QueryResult) -> Result<Self, DbErr> {
        let status: String = row.try_get("", "r_status")?;
        Ok(RouteRow {
            id: row.try_get("", "r_id")?,
            status: status
                .parse()
                .map_err(|_| DbErr::Type(format!("route status {status}")))?,
            region: row.try_get("", "r_region")?,
            teacher: row.try_get("", "r_teacher")?,
            school: row.try_get("", "r_school")?,
            period_end: row.try_get("", "r_end")?,
        })
    }
}

struct ActivityRow {
    id: Uuid,
    route: Uuid,
    route_status: RouteStatus,
    region: Uuid,
    teacher: Uuid,
    school: Uuid,
    name: String,
    status: ActivityStatus,
    end: NaiveDate,
}

impl ActivityRow {
    fn from(row: &QueryResult) -> Result<Self, DbErr> {
        let r = RouteRow::from(row)?;
        let status: String = row.try_get("", "a_status")?;
        Ok(ActivityRow {
            id: row.try_get("", "a_id")?,
            route: r.id,
            route_status: r.status,
            region: r.region,
            teacher: r.teacher,
            school: r.school,
            name: row.try_get("", "a_name")?,
            status: status
                .parse()
                .map_err(|_| DbErr::Type(format!("activity status {status}")))?,
            end: row.try_get("", "a_end")?,
        })
    }
}

/// Active teachers whose category runs out between `today` and the reminder period's end.
async fn attestations_due(db: &DatabaseConnection, today: NaiveDate) -> Result<Vec<Found>, DbErr> {
    use chrono::Months;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use shared::attestation::{CATEGORY_YEARS, REMIND_DAYS, clock};

    use crate::db::entities::{role_grant, user};
    let years = Months::new(CATEGORY_YEARS * 12);
    let (Some(from), Some(to)) = (
        today.checked_sub_months(years),
        (today + Duration::days(REMIND_DAYS)).checked_sub_months(years),
    ) else {
        return Ok(Vec::new());
    };
    let people = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::QualificationDate.between(from, to))
        .filter(
            user::Column::Id.in_subquery(
                Query::select()
                    .column(role_grant::Column::UserId)
                    .from(role_grant::Entity)
                    .and_where(role_grant::Column::Role.eq(shared::Role::Teacher.as_str()))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?;
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let mut trainings = crate::services::attestation::trainings_of(db, &ids)
        .await
        .map_err(|e| DbErr::Custom(format!("{e:?}")))?;
    let mut found = Vec::new();
    for p in people {
        let t = trainings.remove(&p.id).unwrap_or_default();
        let c = clock(today, p.qualification_date, &t);
        let (Some(until), Some(days)) = (c.category_until, c.category_days_left) else {
            continue;
        };
        if !(0..=REMIND_DAYS).contains(&days) {
            continue;
        }
        let current = c.training_due_on >= until;
        found.push(Found {
            key: format!("{}:{}:{until}", EventKind::AttestationDue.as_str(), p.id),
            event: Event {
                kind: EventKind::AttestationDue,
                actor_id: None,
                route_id: None,
                person_id: Some(p.id),
                unit_id: p.workplace_id,
                payload: json!({ "until": until, "days": days, "training_current": current }),
            },
        });
    }
    Ok(found)
}
