//! «Что сделать»: the work waiting for a person, computed from what concerns them (nothing is
//! stored). Routes waiting for their step come through the same scope and policy as the route
//! lists; the teacher's own deadlines and consent requests through their own rows. What counts
//! as overdue or ending soon is decided in [`shared::events`].

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use shared::access::RouteFacts;
use shared::dto::{AssignmentKind, TodoItem, TodoList};
use shared::events::{self, TodoKind};
use shared::workflow;
use shared::{ActivityStatus, DiagnosticKind, Role, RouteStatus};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::{assignment, org_unit, route, route_activity, route_diagnostic, user};
use crate::db::{self, assignments, units, users};
use crate::error::AppResult;
use crate::services::route::{list, read};

/// Queues are small; this bounds the work of checking each route's available steps.
const QUEUE_SCAN: u64 = 2000;

fn name(u: &user::Model) -> String {
    shared::text::short_name(&u.surname, &u.first_name, u.patronymic.as_deref())
}

/// The short names of the people `ids`, by id.
async fn short_names(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = ids.collect();
    Ok(users::find_many(db, &ids)
        .await?
        .iter()
        .map(|u| (u.id, name(u)))
        .collect())
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

pub async fn list(db: &impl ConnectionTrait, principal: &Principal) -> AppResult<TodoList> {
    let today = db::now().date_naive();
    let mut items = Vec::new();
    // The administrator runs the platform and has no routes to act on.
    if !principal.actor.grants.iter().all(|g| g.role == Role::Admin) {
        items.extend(waiting_steps(db, principal).await?);
    }
    let stalled = stalled_routes(db, principal, today).await?;
    // A route waiting too long is one task, the one that says how long.
    items.retain(|i| {
        i.route_id
            .is_none_or(|id| !stalled.iter().any(|s| s.route_id == Some(id)))
    });
    items.extend(stalled);
    items.extend(own_deadlines(db, principal, today).await?);
    items.extend(consent_requests(db, principal).await?);
    items.extend(recommended_products(db, principal).await?);
    items.sort_by(|a, b| a.since.cmp(&b.since).then(a.title.cmp(&b.title)));
    Ok(TodoList { items })
}

/// Routes waiting for a step the person may take now (agree, approve, evaluate, complete).
async fn waiting_steps(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> AppResult<Vec<TodoItem>> {
    let rows = route::Entity::find()
        .filter(list::scope(principal))
        .filter(route::Column::Status.is_in([
            RouteStatus::Submitted.as_str(),
            RouteStatus::TutorAgreed.as_str(),
            RouteStatus::Agreed.as_str(),
            RouteStatus::ProductSubmitted.as_str(),
            RouteStatus::Evaluated.as_str(),
            RouteStatus::InProgress.as_str(),
        ]))
        .order_by_asc(route::Column::UpdatedAt)
        .limit(QUEUE_SCAN)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let school_ids: Vec<Uuid> = rows.iter().map(|r| r.school_id).collect();
    let schools: HashMap<Uuid, org_unit::Model> = units::find_many(db, &school_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let my_links = assignments::for_staff(db, principal.id()).await?;
    let finals: HashSet<Uuid> = route_diagnostic::Entity::find()
        .filter(route_diagnostic::Column::RouteId.is_in(rows.iter().map(|r| r.id)))
        .filter(route_diagnostic::Column::Kind.eq(DiagnosticKind::Final.as_str()))
        .select_only()
        .column(route_diagnostic::Column::RouteId)
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut found: Vec<(&route::Model, TodoKind)> = Vec::new();
    for r in &rows {
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
            continue;
        }
        let state = read::route_state(r, status, finals.contains(&r.id));
        let who = principal.actor.participation(&facts);
        // The first step in the workflow's order names the task.
        if let Some(kind) = workflow::available_actions(&state, &who)
            .into_iter()
            .find_map(TodoKind::of_action)
        {
            found.push((r, kind));
        }
    }
    let teachers = short_names(db, found.iter().map(|(r, _)| r.teacher_id)).await?;
    Ok(found
        .into_iter()
        .map(|(r, kind)| {
            let teacher = teachers.get(&r.teacher_id).cloned().unwrap_or_default();
            TodoItem {
                kind,
                title: format!("{}: «{}» ({teacher})", kind.title_ru(), r.title),
                link: format!("/routes/{}", r.id),
                since: r.updated_at,
                route_id: Some(r.id),
            }
        })
        .collect())
}

/// Routes in the person's scope waiting for someone's step longer than the region allows: the
/// school coordinator's from the policy's days, the municipal coordinator's from twice as many
/// (the escalation of [`shared::events::escalation`]).
async fn stalled_routes(
    db: &impl ConnectionTrait,
    principal: &Principal,
    today: NaiveDate,
) -> AppResult<Vec<TodoItem>> {
    use shared::events::{EventKind, escalation, waiting_for};
    use shared::workflow::Participant;
    let coordinates = principal
        .actor
        .grants
        .iter()
        .any(|g| matches!(g.role, Role::SchoolCoordinator | Role::MunicipalCoordinator));
    if !coordinates {
        return Ok(Vec::new());
    }
    let statuses: Vec<&str> = RouteStatus::ALL
        .iter()
        .filter(|s| waiting_for(**s).is_some())
        .map(|s| s.as_str())
        .collect();
    let rows = route::Entity::find()
        .filter(list::scope(principal))
        .filter(route::Column::Status.is_in(statuses))
        .order_by_asc(route::Column::UpdatedAt)
        .limit(QUEUE_SCAN)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let since = waiting_since(db, &rows).await?;
    let mut policies: HashMap<Uuid, shared::events::ReminderPolicy> = HashMap::new();
    let school_ids: Vec<Uuid> = rows.iter().map(|r| r.school_id).collect();
    let schools: HashMap<Uuid, org_unit::Model> = units::find_many(db, &school_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut found = Vec::new();
    for r in &rows {
        let (Some(at), Some(school)) = (since.get(&r.id), schools.get(&r.school_id)) else {
            continue;
        };
        let status: RouteStatus = db::parse_code(&r.status)?;
        let policy = match policies.get(&r.region_id) {
            Some(p) => *p,
            None => {
                let p = crate::db::policies::for_region(db, r.region_id)
                    .await?
                    .reminders;
                *policies.entry(r.region_id).or_insert(p)
            }
        };
        let Some(level) = escalation(policy, status, at.date_naive(), today) else {
            continue;
        };
        let facts = RouteFacts {
            owner: r.teacher_id,
            school: units::path(school)?,
            status,
            links: Default::default(),
        };
        let parts = principal.actor.participation(&facts);
        let mine = parts.contains(&Participant::SchoolCoordinator)
            || (level == EventKind::RouteEscalated
                && parts.contains(&Participant::MunicipalCoordinator));
        if mine {
            found.push((r, status, *at));
        }
    }
    let teachers = short_names(db, found.iter().map(|(r, _, _)| r.teacher_id)).await?;
    Ok(found
        .into_iter()
        .map(|(r, status, at)| {
            let teacher = teachers.get(&r.teacher_id).cloned().unwrap_or_default();
            let waited = (today - at.date_naive()).num_days();
            TodoItem {
                kind: TodoKind::StalledRoute,
                title: format!(
                    "Маршрут «{}» ({teacher}) ждёт {} уже {waited} дн.",
                    r.title,
                    waiting_for(status).unwrap_or("решения")
                ),
                link: format!("/routes/{}", r.id),
                since: at,
                route_id: Some(r.id),
            }
        })
        .collect())
}

/// Since when each of `routes` waits: the latest transition into its present status.
pub(crate) async fn waiting_since(
    db: &impl ConnectionTrait,
    routes: &[route::Model],
) -> AppResult<HashMap<Uuid, DateTime<Utc>>> {
    use crate::db::entities::route_transition;
    let status: HashMap<Uuid, &str> = routes.iter().map(|r| (r.id, r.status.as_str())).collect();
    let mut since: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for ids in routes.chunks(500) {
        for t in route_transition::Entity::find()
            .filter(route_transition::Column::RouteId.is_in(ids.iter().map(|r| r.id)))
            .all(db)
            .await?
        {
            if status.get(&t.route_id) == Some(&t.to_status.as_str()) {
                let at = since.entry(t.route_id).or_insert(t.at);
                *at = (*at).max(t.at);
            }
        }
    }
    Ok(since)
}

/// The teacher's own routes: overdue roadmap activities, and a route ending soon whose product
/// has not gone for expertise.
async fn own_deadlines(
    db: &impl ConnectionTrait,
    principal: &Principal,
    today: NaiveDate,
) -> AppResult<Vec<TodoItem>> {
    let routes = route::Entity::find()
        .filter(route::Column::TeacherId.eq(principal.id()))
        .filter(route::Column::Status.is_in([
            RouteStatus::Approved.as_str(),
            RouteStatus::InProgress.as_str(),
        ]))
        .all(db)
        .await?;
    if routes.is_empty() {
        return Ok(Vec::new());
    }
    let mut items = Vec::new();
    for r in &routes {
        let status: RouteStatus = db::parse_code(&r.status)?;
        if let Some(left) = events::ending_without_product(status, r.period_end, today) {
            let when = if left >= 0 {
                format!("заканчивается через {left} дн.")
            } else {
                "срок истёк".to_owned()
            };
            items.push(TodoItem {
                kind: TodoKind::RouteEndingWithoutProduct,
                title: format!(
                    "Маршрут «{}» {when}, а продукт ещё не представлен на экспертизу",
                    r.title
                ),
                link: format!("/routes/{}?tab=reflective", r.id),
                since: start_of(r.period_end - Duration::days(events::ENDING_SOON_DAYS)),
                route_id: Some(r.id),
            });
        }
    }
    let titles: HashMap<Uuid, &str> = routes.iter().map(|r| (r.id, r.title.as_str())).collect();
    let activities = route_activity::Entity::find()
        .filter(route_activity::Column::RouteId.is_in(routes.iter().map(|r| r.id)))
        .filter(route_activity::Column::Status.is_in([
            ActivityStatus::Planned.as_str(),
            ActivityStatus::InProgress.as_str(),
        ]))
        .filter(route_activity::Column::EndDate.lt(today))
        .all(db)
        .await?;
    for a in activities {
        let status: ActivityStatus = db::parse_code(&a.status)?;
        if !events::activity_overdue(status, a.end_date, today) {
            continue;
        }
        let Some(end) = a.end_date else { continue };
        items.push(TodoItem {
            kind: TodoKind::OverdueActivity,
            title: format!(
                "Просрочено мероприятие «{}» маршрута «{}» (срок — {})",
                a.name,
                titles.get(&a.route_id).copied().unwrap_or_default(),
                end.format("%d.%m.%Y")
            ),
            link: format!("/routes/{}?tab=activity", a.route_id),
            since: start_of(end + Duration::days(1)),
            route_id: Some(a.route_id),
        });
    }
    Ok(items)
}

/// Tutors waiting for the teacher's consent (regulation 3.1.3).
async fn consent_requests(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> AppResult<Vec<TodoItem>> {
    let pending: Vec<assignment::Model> = assignments::for_teacher(db, principal.id())
        .await?
        .into_iter()
        .filter(|a| a.kind == AssignmentKind::Tutor.as_str() && a.consent_at.is_none())
        .collect();
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let staff: HashMap<Uuid, user::Model> =
        users::find_many(db, &pending.iter().map(|a| a.staff_id).collect::<Vec<_>>())
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
    Ok(pending
        .iter()
        .filter_map(|a| {
            let tutor = staff.get(&a.staff_id).filter(|u| u.active)?;
            Some(TodoItem {
                kind: TodoKind::AnswerConsent,
                title: format!(
                    "Тьютор {} ждёт вашего согласия на доступ к маршрутам",
                    name(tutor)
                ),
                link: "/".to_owned(),
                since: a.created_at,
                route_id: None,
            })
        })
        .collect())
}

/// Products colleagues recommended that the teacher has not opened yet.
async fn recommended_products(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> AppResult<Vec<TodoItem>> {
    let pending = crate::services::bank::unseen_recommendations(db, principal.id()).await?;
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let by = short_names(db, pending.iter().map(|(_, r)| r.recommended_by)).await?;
    Ok(pending
        .into_iter()
        .map(|(p, r)| TodoItem {
            kind: TodoKind::StudyProduct,
            title: format!(
                "Изучить методический продукт «{}» — рекомендует {}",
                p.title,
                by.get(&r.recommended_by).map_or("коллега", String::as_str)
            ),
            link: format!("/bank/{}", p.id),
            since: r.created_at,
            route_id: None,
        })
        .collect())
}
