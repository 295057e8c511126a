//! Weekly summaries for the school coordinator, the municipal coordinator and the regional
//! manager: what moved, what is stuck and what is overdue in the units they hold the role over.
//! Each is a domain event recorded once per person and week (a rerun, or another instance,
//! records nothing new), so it reaches the person as a notice and, by default, a letter.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    QueryTrait,
};
use shared::events::{EventKind, WeeklySummary, escalation, waiting_for};
use shared::{ActivityStatus, Role, RouteStatus};
use uuid::Uuid;

use crate::auth::{Principal, principal};
use crate::db::entities::{role_grant, route, route_activity, route_transition};
use crate::db::{self, policies, users};
use crate::error::AppResult;
use crate::services::events::{self, Event};
use crate::services::route::list;
use crate::services::tasks;

/// The job kind of the weekly summaries.
pub const WEEKLY: &str = "summaries.weekly";

/// Who gets a summary of the units they hold the role over.
const ROLES: [Role; 3] = [
    Role::SchoolCoordinator,
    Role::MunicipalCoordinator,
    Role::RegionalManager,
];

/// The job: the week ending on the payload's day (`{"today": "YYYY-MM-DD"}`), or today.
pub async fn weekly_job(db: DatabaseConnection, payload: serde_json::Value) -> anyhow::Result<()> {
    let today = payload["today"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| db::now().date_naive());
    let sent = weekly(&db, today).await?;
    tracing::info!(%today, sent, "weekly summaries");
    Ok(())
}

/// Records the summary of the week before `today` for every active person holding one of the
/// roles over a unit; quiet weeks are not sent. Returns how many were recorded now.
pub async fn weekly(db: &DatabaseConnection, today: NaiveDate) -> anyhow::Result<usize> {
    let ids: Vec<Uuid> = role_grant::Entity::find()
        .filter(role_grant::Column::Role.is_in(ROLES.map(Role::as_str)))
        .filter(role_grant::Column::UnitId.is_not_null())
        .select_only()
        .column(role_grant::Column::UserId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let mut recorded = 0;
    for ids in ids.chunks(500) {
        for person in users::find_many(db, ids).await? {
            if !person.active {
                continue;
            }
            let id = person.id;
            let p = principal::load(db, person)
                .await
                .map_err(|e| anyhow::anyhow!("loading {id}: {e:?}"))?;
            let summary = summary_for(db, &p, today)
                .await
                .map_err(|e| anyhow::anyhow!("summing up for {id}: {e:?}"))?;
            if summary.is_quiet() {
                continue;
            }
            let txn = db::begin_write(db).await?;
            let new = events::record_once(
                &txn,
                &format!("{}:{id}:{today}", EventKind::SummaryWeekly.as_str()),
                Event {
                    kind: EventKind::SummaryWeekly,
                    actor_id: None,
                    route_id: None,
                    person_id: Some(id),
                    unit_id: None,
                    payload: serde_json::to_value(summary)?,
                },
            )
            .await?;
            txn.commit().await?;
            recorded += usize::from(new);
        }
    }
    Ok(recorded)
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The week before `today` in the units `principal` holds a summary role over.
pub async fn summary_for(
    db: &impl ConnectionTrait,
    principal: &Principal,
    today: NaiveDate,
) -> AppResult<WeeklySummary> {
    let scope = list::units_of(principal, |role| ROLES.contains(&role));
    let mut s = WeeklySummary::default();
    if scope.is_empty() {
        return Ok(s);
    }
    let in_scope = || {
        route::Entity::find()
            .select_only()
            .column(route::Column::Id)
            .filter(scope.clone())
            .into_query()
    };

    // What moved: transitions of the week by the status they led to.
    let moved: Vec<(String, i64)> = route_transition::Entity::find()
        .select_only()
        .column(route_transition::Column::ToStatus)
        .column_as(Expr::col(route_transition::Column::Id).count(), "n")
        .filter(route_transition::Column::RouteId.in_subquery(in_scope()))
        .filter(route_transition::Column::At.gte(start_of(today - Duration::days(7))))
        .filter(route_transition::Column::At.lt(start_of(today)))
        .group_by(route_transition::Column::ToStatus)
        .into_tuple()
        .all(db)
        .await?;
    for (status, n) in moved {
        let n = u64::try_from(n).unwrap_or_default();
        match status.parse::<RouteStatus>() {
            Ok(RouteStatus::Submitted) => s.submitted += n,
            Ok(RouteStatus::Approved) => s.approved += n,
            Ok(RouteStatus::Completed) => s.completed += n,
            Ok(RouteStatus::Returned) => s.returned += n,
            _ => {}
        }
    }

    // What waits, and for how long.
    let statuses: Vec<&str> = RouteStatus::ALL
        .iter()
        .filter(|st| waiting_for(**st).is_some())
        .map(|st| st.as_str())
        .collect();
    let waiting = route::Entity::find()
        .filter(scope.clone())
        .filter(route::Column::Status.is_in(statuses))
        .all(db)
        .await?;
    s.waiting = waiting.len() as u64;
    let since = tasks::waiting_since(db, &waiting).await?;
    let mut rules = std::collections::HashMap::new();
    for r in &waiting {
        let Some(at) = since.get(&r.id) else { continue };
        let policy = match rules.get(&r.region_id) {
            Some(p) => *p,
            None => {
                let p = policies::for_region(db, r.region_id).await?.reminders;
                *rules.entry(r.region_id).or_insert(p)
            }
        };
        let status: RouteStatus = db::parse_code(&r.status)?;
        if escalation(policy, status, at.date_naive(), today).is_some() {
            s.stalled += 1;
        }
    }

    // What is overdue in routes being carried out.
    let carried_out = route::Entity::find()
        .select_only()
        .column(route::Column::Id)
        .filter(scope.clone())
        .filter(route::Column::Status.is_in([
            RouteStatus::Approved.as_str(),
            RouteStatus::InProgress.as_str(),
        ]))
        .into_query();
    let overdue: Option<i64> = route_activity::Entity::find()
        .select_only()
        .column_as(Expr::col(route_activity::Column::Id).count(), "n")
        .filter(route_activity::Column::RouteId.in_subquery(carried_out))
        .filter(route_activity::Column::Status.is_in([
            ActivityStatus::Planned.as_str(),
            ActivityStatus::InProgress.as_str(),
        ]))
        .filter(route_activity::Column::EndDate.lt(today))
        .into_tuple()
        .one(db)
        .await?;
    s.overdue_activities = overdue
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or_default();
    Ok(s)
}
