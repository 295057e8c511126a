//! Lists of routes in the principal's scope, with filters and pagination.
//!
//! The scope is applied twice: as SQL conditions, so a region-size list stays fast, and then
//! row by row through the one policy, so the list can never show what a read would refuse.

use std::collections::HashMap;

use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use shared::access::RouteFacts;
use shared::dto::{AssignmentKind, Page, RouteFilter, RouteSummary};
use shared::workflow::{self, RouteAction};
use shared::{ActivityStatus, DiagnosticKind, Role, RouteStatus, UnitKind};
use uuid::Uuid;

use super::read;
use crate::auth::Principal;
use crate::db::entities::{assignment, org_unit, route, route_activity, route_diagnostic, user};
use crate::db::{self, assignments, units, users};
use crate::error::AppResult;
use crate::services::people::to_ref;

const MAX_LIMIT: u64 = 200;
/// Queues are small; this bounds the work of filtering them by available actions.
const QUEUE_SCAN: u64 = 2000;

/// Actions that put a route in someone's queue.
const QUEUE_ACTIONS: &[RouteAction] = &[
    RouteAction::TutorAgree,
    RouteAction::Agree,
    RouteAction::Approve,
    RouteAction::Evaluate,
    RouteAction::Complete,
];

fn teachers_of(
    staff: Uuid,
    kind: AssignmentKind,
    consented: bool,
) -> sea_orm::sea_query::SelectStatement {
    let mut q = Query::select();
    q.column(assignment::Column::TeacherId)
        .from(assignment::Entity)
        .and_where(assignment::Column::StaffId.eq(staff))
        .and_where(assignment::Column::Kind.eq(kind.as_str()));
    if consented {
        q.and_where(assignment::Column::ConsentAt.is_not_null());
    }
    q.to_owned()
}

/// Routes of the units the principal holds a role over that `by` accepts (none: no route).
pub(crate) fn units_of(principal: &Principal, by: impl Fn(Role) -> bool) -> Condition {
    let mut any = Condition::any();
    for g in &principal.actor.grants {
        let Some(unit) = g.unit else { continue };
        if !by(g.role) {
            continue;
        }
        let leaf = unit.leaf();
        any = any.add(match unit.kind() {
            UnitKind::School => route::Column::SchoolId.eq(leaf),
            UnitKind::Municipality => route::Column::MunicipalityId.eq(leaf),
            UnitKind::District => route::Column::SchoolId.in_subquery(
                Query::select()
                    .column(org_unit::Column::Id)
                    .from(org_unit::Entity)
                    .and_where(org_unit::Column::DistrictId.eq(leaf))
                    .to_owned(),
            ),
            UnitKind::Region => route::Column::RegionId.eq(leaf),
        });
    }
    any
}

/// The SQL form of "routes this principal may read" (the policy remains the judge).
pub(crate) fn scope(principal: &Principal) -> Condition {
    let me = principal.id();
    let mut any = Condition::any().add(route::Column::TeacherId.eq(me));
    let units = units_of(principal, |role| role.manages_unit());
    if !units.is_empty() {
        any = any.add(units);
    }
    any.add(route::Column::TeacherId.in_subquery(teachers_of(me, AssignmentKind::Tutor, true)))
        .add(route::Column::TeacherId.in_subquery(teachers_of(me, AssignmentKind::Mentor, false)))
        .add(
            Condition::all()
                .add(route::Column::TeacherId.in_subquery(teachers_of(
                    me,
                    AssignmentKind::Expert,
                    false,
                )))
                .add(route::Column::Status.is_in([
                    RouteStatus::ProductSubmitted.as_str(),
                    RouteStatus::Evaluated.as_str(),
                    RouteStatus::Completed.as_str(),
                ])),
        )
}

pub(crate) fn filters(f: &RouteFilter, principal: &Principal) -> Condition {
    let mut c = Condition::all();
    if let Some(s) = f.status {
        c = c.add(route::Column::Status.eq(s.as_str()));
    }
    if let Some(s) = f.stage {
        c = c.add(route::Column::Stage.eq(s.as_str()));
    }
    if let Some(id) = f.school_id {
        c = c.add(route::Column::SchoolId.eq(id));
    }
    if let Some(id) = f.municipality_id {
        c = c.add(route::Column::MunicipalityId.eq(id));
    }
    if let Some(id) = f.teacher_id {
        c = c.add(route::Column::TeacherId.eq(id));
    }
    if f.mine == Some(true) {
        c = c.add(route::Column::TeacherId.eq(principal.id()));
    }
    if let Some(tutor) = f.tutor_id {
        c = c.add(route::Column::TeacherId.in_subquery(teachers_of(
            tutor,
            AssignmentKind::Tutor,
            false,
        )));
    }
    if let Some(from) = f.from {
        c = c.add(route::Column::PeriodEnd.gte(from));
    }
    if let Some(to) = f.to {
        c = c.add(route::Column::PeriodStart.lte(to));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", shared::text::sort_key(&[q]).replace(['%', '_'], ""));
        c = c.add(
            Condition::any()
                .add(route::Column::SortKey.like(pattern.clone()))
                .add(
                    route::Column::TeacherId.in_subquery(
                        Query::select()
                            .column(user::Column::Id)
                            .from(user::Entity)
                            .and_where(user::Column::SortKey.like(pattern))
                            .to_owned(),
                    ),
                ),
        );
    }
    if f.actionable == Some(true) {
        c = c.add(route::Column::Status.is_in([
            RouteStatus::Submitted.as_str(),
            RouteStatus::TutorAgreed.as_str(),
            RouteStatus::Agreed.as_str(),
            RouteStatus::ProductSubmitted.as_str(),
            RouteStatus::Evaluated.as_str(),
            RouteStatus::InProgress.as_str(),
        ]));
    }
    c
}

pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
    f: RouteFilter,
) -> AppResult<Page<RouteSummary>> {
    let (offset, limit) = crate::services::page_bounds(f.offset, f.limit, 50, MAX_LIMIT)?;
    // The administrator runs the platform and reads no routes.
    if principal.actor.grants.iter().all(|g| g.role == Role::Admin) {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            offset,
            limit,
        });
    }
    let query = route::Entity::find()
        .filter(scope(principal))
        .filter(filters(&f, principal))
        .order_by_desc(route::Column::UpdatedAt)
        .order_by_asc(route::Column::Id);

    let actionable = f.actionable == Some(true);
    let (rows, total) = if actionable {
        let rows = query.limit(QUEUE_SCAN).all(db).await?;
        (rows, None)
    } else {
        let total = query.clone().count(db).await?;
        (
            query.offset(offset).limit(limit).all(db).await?,
            Some(total),
        )
    };

    // The policy, row by row.
    let school_ids: Vec<Uuid> = rows.iter().map(|r| r.school_id).collect();
    let schools: HashMap<Uuid, org_unit::Model> = units::find_many(db, &school_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let my_links = assignments::for_staff(db, principal.id()).await?;
    let finals: Vec<Uuid> = if actionable {
        route_diagnostic::Entity::find()
            .filter(route_diagnostic::Column::RouteId.is_in(rows.iter().map(|r| r.id)))
            .filter(route_diagnostic::Column::Kind.eq(DiagnosticKind::Final.as_str()))
            .all(db)
            .await?
            .into_iter()
            .map(|d| d.route_id)
            .collect()
    } else {
        Vec::new()
    };
    let mut visible = Vec::with_capacity(rows.len());
    for r in rows {
        let Some(school) = schools.get(&r.school_id) else {
            continue;
        };
        let status: RouteStatus = db::parse_code(&r.status)?;
        let links: Vec<assignment::Model> = my_links
            .iter()
            .filter(|a| a.teacher_id == r.teacher_id)
            .cloned()
            .collect();
        let facts = RouteFacts {
            owner: r.teacher_id,
            school: units::path(school)?,
            status,
            links: assignments::links_from(&links),
        };
        if !principal.actor.can_read_route(&facts) {
            tracing::warn!(route = %r.id, "route list scope let through a route the policy refuses");
            continue;
        }
        if actionable {
            let state = read::route_state(&r, status, finals.contains(&r.id));
            let who = principal.actor.participation(&facts);
            let acts = workflow::available_actions(&state, &who);
            if !acts.iter().any(|a| QUEUE_ACTIONS.contains(a)) {
                continue;
            }
        }
        visible.push(r);
    }
    let total = total.unwrap_or(visible.len() as u64);
    let page: Vec<route::Model> = if actionable {
        visible
            .into_iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .collect()
    } else {
        visible
    };
    Ok(Page {
        items: summaries(db, &page, &schools).await?,
        total,
        offset,
        limit,
    })
}

async fn summaries(
    db: &impl ConnectionTrait,
    rows: &[route::Model],
    schools: &HashMap<Uuid, org_unit::Model>,
) -> AppResult<Vec<RouteSummary>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let teacher_ids: Vec<Uuid> = rows.iter().map(|r| r.teacher_id).collect();
    let teachers: HashMap<Uuid, user::Model> = users::find_many(db, &teacher_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let activities = if ids.is_empty() {
        Vec::new()
    } else {
        route_activity::Entity::find()
            .filter(route_activity::Column::RouteId.is_in(ids.iter().copied()))
            .all(db)
            .await?
    };
    let today = db::now().date_naive();
    rows.iter()
        .filter_map(|r| {
            let school = schools.get(&r.school_id)?;
            let teacher = teachers.get(&r.teacher_id)?;
            Some((r, school, teacher))
        })
        .map(|(r, school, teacher)| {
            let own: Vec<&route_activity::Model> =
                activities.iter().filter(|a| a.route_id == r.id).collect();
            let done = own
                .iter()
                .filter(|a| a.status == ActivityStatus::Done.as_str())
                .count();
            let overdue = own
                .iter()
                .filter(|a| {
                    matches!(a.status.as_str(), "planned" | "in_progress")
                        && a.end_date.is_some_and(|d| d < today)
                })
                .count();
            Ok(RouteSummary {
                id: r.id,
                version: r.version,
                teacher: to_ref(teacher),
                school: units::to_ref(school)?,
                title: r.title.clone(),
                track: r.track.clone(),
                period_start: r.period_start,
                period_end: r.period_end,
                status: db::parse_code(&r.status)?,
                stage: db::parse_code(&r.stage)?,
                activities_total: own.len() as i64,
                activities_done: done as i64,
                activities_overdue: overdue as i64,
                needs_reapproval: read::needs_reapproval(r),
                updated_at: r.updated_at,
            })
        })
        .collect()
}
