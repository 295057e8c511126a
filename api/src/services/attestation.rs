//! Attestation clocks (rules in [`shared::attestation`]): a teacher's own, the list of a unit's
//! teachers who are due, and the further training they are computed from — courses attended
//! through the catalogue and roadmap activities done with their hours, counted once.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use shared::attestation::{Clock, Training, TrainingSource, clock};
use shared::catalogue::{EnrolmentStatus, EventKind};
use shared::dto::{AttestationDto, AttestationFilter, TrainingDto};
use shared::text::full_name;
use shared::{ActivityStatus, Role};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::*;
use crate::db::{self, units, users};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// People per round of queries.
const CHUNK: usize = 500;

/// Catalogue events that are further training (not a seminar or a webinar).
fn is_training(kind: &str) -> bool {
    kind == EventKind::Course.as_str() || kind == EventKind::Internship.as_str()
}

/// The further training of each of `people`, newest first.
pub async fn trainings_of(
    db: &impl ConnectionTrait,
    people: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<Training>>> {
    let mut out: HashMap<Uuid, Vec<Training>> = HashMap::new();
    for chunk in people.chunks(CHUNK) {
        let enrolments = enrolment::Entity::find()
            .filter(enrolment::Column::PersonId.is_in(chunk.iter().copied()))
            .filter(enrolment::Column::Status.eq(EnrolmentStatus::Attended.as_str()))
            .all(db)
            .await?;
        let routes = route::Entity::find()
            .filter(route::Column::TeacherId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        let teacher_of: HashMap<Uuid, Uuid> = routes.iter().map(|r| (r.id, r.teacher_id)).collect();
        let activities = if routes.is_empty() {
            Vec::new()
        } else {
            route_activity::Entity::find()
                .filter(route_activity::Column::RouteId.is_in(teacher_of.keys().copied()))
                .filter(route_activity::Column::Status.eq(ActivityStatus::Done.as_str()))
                .filter(route_activity::Column::Hours.is_not_null())
                .filter(route_activity::Column::EndDate.is_not_null())
                .all(db)
                .await?
        };
        let event_ids: HashSet<Uuid> = enrolments
            .iter()
            .map(|e| e.event_id)
            .chain(activities.iter().filter_map(|a| a.event_id))
            .collect();
        let events: HashMap<Uuid, event::Model> = if event_ids.is_empty() {
            HashMap::new()
        } else {
            event::Entity::find()
                .filter(event::Column::Id.is_in(event_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|e| (e.id, e))
                .collect()
        };
        let mut counted: HashSet<(Uuid, Uuid)> = HashSet::new();
        for e in &enrolments {
            let Some(ev) = events.get(&e.event_id).filter(|ev| is_training(&ev.kind)) else {
                continue;
            };
            let Some(hours) = ev.hours else { continue };
            counted.insert((e.person_id, ev.id));
            out.entry(e.person_id).or_default().push(Training {
                title: ev.title.clone(),
                finished_on: ev.ends_on,
                hours,
                source: TrainingSource::Catalogue,
            });
        }
        for a in activities {
            let (Some(teacher), Some(hours), Some(end)) =
                (teacher_of.get(&a.route_id).copied(), a.hours, a.end_date)
            else {
                continue;
            };
            if let Some(ev) = a.event_id {
                // The same course attended through the catalogue is counted there; a
                // seminar from the catalogue is not further training.
                if counted.contains(&(teacher, ev))
                    || events.get(&ev).is_some_and(|e| !is_training(&e.kind))
                {
                    continue;
                }
            }
            out.entry(teacher).or_default().push(Training {
                title: a.name,
                finished_on: end,
                hours,
                source: TrainingSource::Route,
            });
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|t| std::cmp::Reverse(t.finished_on));
    }
    Ok(out)
}

fn dto(person: &user::Model, c: Clock, trainings: Vec<Training>) -> AttestationDto {
    AttestationDto {
        person_id: person.id,
        full_name: full_name(
            &person.surname,
            &person.first_name,
            person.patronymic.as_deref(),
        ),
        category: person.qualification_category.clone(),
        category_on: person.qualification_date,
        category_until: c.category_until,
        days_left: c.category_days_left,
        last_training_on: c.last_training_on,
        training_due_on: c.training_due_on,
        hours_in_period: c.hours_in_period,
        state: c.state,
        trainings: trainings
            .into_iter()
            .map(|t| TrainingDto {
                counts: t.counts(),
                title: t.title,
                finished_on: t.finished_on,
                hours: t.hours,
                source: t.source,
            })
            .collect(),
    }
}

/// The clocks of one person, on `today`.
pub async fn of(
    db: &impl ConnectionTrait,
    person: &user::Model,
    today: NaiveDate,
) -> AppResult<AttestationDto> {
    let trainings = trainings_of(db, &[person.id])
        .await?
        .remove(&person.id)
        .unwrap_or_default();
    let c = clock(today, person.qualification_date, &trainings);
    Ok(dto(person, c, trainings))
}

/// My clocks.
pub async fn mine(state: &AppState, principal: &Principal) -> AppResult<AttestationDto> {
    let me = users::find(&state.db, principal.id())
        .await?
        .ok_or(AppError::NotFound)?;
    of(&state.db, &me, db::now().date_naive()).await
}

/// The active teachers working in the unit at `path` or below it, among the people the caller
/// may see, in name order.
pub async fn teachers_in_unit(
    state: &AppState,
    principal: &Principal,
    path: &shared::UnitPath,
) -> AppResult<Vec<user::Model>> {
    let mut q = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(
            user::Column::WorkplaceId.in_subquery(crate::services::admin::people::subtree(path)),
        )
        .filter(
            user::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(role_grant::Column::UserId)
                    .from(role_grant::Entity)
                    .and_where(role_grant::Column::Role.eq(Role::Teacher.as_str()))
                    .to_owned(),
            ),
        );
    if let Some(scope) = crate::services::admin::people::scope(principal) {
        q = q.filter(scope);
    }
    Ok(q.order_by_asc(user::Column::SortKey).all(&state.db).await?)
}

/// The teachers working in `unit` or below it, among the people the caller may see, whose
/// category runs out within `within_days` or whose further training is overdue; soonest first.
pub async fn due_in_unit(
    state: &AppState,
    principal: &Principal,
    unit: Uuid,
    filter: AttestationFilter,
) -> AppResult<Vec<AttestationDto>> {
    let within = filter
        .within_days
        .unwrap_or(shared::attestation::REMIND_DAYS);
    if !(1..=730).contains(&within) {
        return Err(AppError::bad_request(
            "invalid_query",
            "Параметр within_days — число дней от 1 до 730.",
        ));
    }
    let u = units::find(&state.db, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let path = units::path(&u)?;
    if !principal.actor.can_read_unit(&path) {
        return Err(AppError::NotFound);
    }
    let people = teachers_in_unit(state, principal, &path).await?;
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let mut trainings = trainings_of(&state.db, &ids).await?;
    let today = db::now().date_naive();
    let mut out: Vec<AttestationDto> = people
        .iter()
        .filter_map(|p| {
            let t = trainings.remove(&p.id).unwrap_or_default();
            let c = clock(today, p.qualification_date, &t);
            let due = c.category_days_left.is_some_and(|d| d <= within)
                || (c.category_days_left.is_some()
                    && c.state == shared::attestation::ClockState::Overdue);
            due.then(|| dto(p, c, t))
        })
        .collect();
    out.sort_by_key(|d| (d.category_until, d.full_name.clone()));
    Ok(out)
}
