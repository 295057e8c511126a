//! Recommendations: events ranked for a teacher's deficits with the reasons, events people
//! recommend, and adding an event to a roadmap in one call.

use std::collections::HashMap;

use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};
use shared::catalogue::{self as rules, EnrolmentStatus, EventKind, EventStatus};
use shared::dto::catalogue::*;
use shared::dto::{ActivityInput, RouteDto};
use shared::{DeficitState, RouteStatus, UnitPath};
use uuid::Uuid;
use validator::Validate;

use super::events::{self, Lookup, load, organiser_path};
use crate::auth::Principal;
use crate::db::entities::{
    competency, enrolment, event, event_competency, event_recommendation, route, route_deficit,
    user,
};
use crate::db::{self, audit, catalogue as store, users};
use crate::error::{AppError, AppResult};
use crate::services::people::{self, to_ref};
use crate::services::route::read::competency_ref;
use crate::services::route::{access as route_access, edit};
use crate::state::AppState;

/// Routes still being worked on: their deficits are what recommendations serve.
pub const OPEN: &[RouteStatus] = &[
    RouteStatus::Draft,
    RouteStatus::Submitted,
    RouteStatus::Returned,
    RouteStatus::TutorAgreed,
    RouteStatus::Agreed,
    RouteStatus::Approved,
    RouteStatus::InProgress,
];

/// The teacher as an object of access: 404 when the caller may not see their recommendations.
pub(crate) async fn teacher(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
    for_write: bool,
) -> AppResult<(user::Model, Option<UnitPath>)> {
    let u = users::find(db, id).await?.ok_or(AppError::NotFound)?;
    let (facts, _) = people::facts(db, principal, &u).await?;
    let allowed = if for_write {
        principal.actor.can_recommend_to(&facts)
    } else {
        principal.actor.can_read_recommendations(&facts)
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    Ok((u, facts.workplace))
}

/// Events in the calendar of someone working at `place`, as a condition.
pub fn visible_from(place: &UnitPath) -> Condition {
    let above: Vec<Uuid> = [
        Some(place.region),
        place.district,
        place.municipality,
        place.school,
    ]
    .into_iter()
    .flatten()
    .collect();
    Condition::all().add(event::Column::OrganiserId.is_in(above))
}

/// The ranked list and the personal recommendations for a teacher.
pub async fn for_teacher(
    db: &impl ConnectionTrait,
    principal: &Principal,
    q: RecommendationQuery,
) -> AppResult<RecommendationsDto> {
    let teacher_id = q.teacher_id.unwrap_or(principal.id());
    let (t, place) = teacher(db, principal, teacher_id, false).await?;
    let (_, limit) = crate::services::page_bounds(None, q.limit, 20, 200)?;
    let limit = usize::try_from(limit).unwrap_or(20);
    let routes: Vec<route::Model> = match q.route_id {
        Some(r) => {
            let ctx = route_access::load(db, principal, r, false).await?;
            if ctx.route.teacher_id != teacher_id {
                return Err(AppError::invalid(
                    "route_id",
                    "Это маршрут другого педагога.",
                ));
            }
            vec![ctx.route]
        }
        None => {
            route::Entity::find()
                .filter(route::Column::TeacherId.eq(teacher_id))
                .filter(route::Column::Status.is_in(OPEN.iter().map(|s| s.as_str())))
                .all(db)
                .await?
        }
    };
    let route_ids: Vec<Uuid> = routes.iter().map(|r| r.id).collect();
    let deficits = route_deficit::Entity::find()
        .filter(route_deficit::Column::RouteId.is_in(route_ids.clone()))
        .filter(route_deficit::Column::CompetencyId.is_not_null())
        .filter(route_deficit::Column::State.eq(DeficitState::Open.as_str()))
        .order_by_asc(route_deficit::Column::Position)
        .all(db)
        .await?;
    let needs: Vec<rules::Need> = deficits
        .iter()
        .filter_map(|d| {
            d.competency_id.map(|c| rules::Need {
                deficit_id: d.id,
                competency_id: c,
                title: d.title.clone(),
            })
        })
        .collect();
    let period = match (
        routes.iter().map(|r| r.period_start).min(),
        routes.iter().map(|r| r.period_end).max(),
    ) {
        (Some(s), Some(e)) if q.route_id.is_some() || !routes.is_empty() => Some((s, e)),
        _ => None,
    };
    let today = db::now().date_naive();
    let mut ranked_out = Vec::new();
    let mut personal = Vec::new();
    if let Some(place) = place {
        let comp_ids: Vec<Uuid> = needs.iter().map(|n| n.competency_id).collect();
        let rows = if comp_ids.is_empty() {
            Vec::new()
        } else {
            event::Entity::find()
                .filter(visible_from(&place))
                .filter(event::Column::Status.eq(EventStatus::Published.as_str()))
                .filter(event::Column::EndsOn.gte(today))
                .filter(
                    event::Column::Id.in_subquery(
                        Query::select()
                            .column(event_competency::Column::EventId)
                            .from(event_competency::Entity)
                            .and_where(event_competency::Column::CompetencyId.is_in(comp_ids))
                            .to_owned(),
                    ),
                )
                .all(db)
                .await?
        };
        let comps = store::competencies(db, &rows.iter().map(|e| e.id).collect::<Vec<_>>()).await?;
        // Seats matter only where they are limited.
        let capped: Vec<Uuid> = rows
            .iter()
            .filter(|e| e.capacity.is_some())
            .map(|e| e.id)
            .collect();
        let counts = store::counts(db, &capped).await?;
        let taken = |id: Uuid| -> u64 {
            counts
                .get(&id)
                .map(|m| {
                    m.iter()
                        .filter(|(s, _)| s.parse::<EnrolmentStatus>().is_ok_and(|s| s.holds_seat()))
                        .map(|(_, n)| *n)
                        .sum()
                })
                .unwrap_or(0)
        };
        let candidates: Vec<rules::Candidate> = rows
            .iter()
            .map(|e| rules::Candidate {
                id: e.id,
                organiser: organiser_path(e),
                competencies: comps.get(&e.id).cloned().unwrap_or_default(),
                starts_on: e.starts_on,
                ends_on: e.ends_on,
                registration_deadline: e.registration_deadline,
                free_seats: rules::free_seats(e.capacity, taken(e.id)),
            })
            .collect();
        let ranked = rules::rank(&needs, &place, period, today, &candidates);
        let by_id: HashMap<Uuid, &event::Model> = rows.iter().map(|e| (e.id, e)).collect();
        let top: Vec<event::Model> = ranked
            .iter()
            .take(limit)
            .filter_map(|r| by_id.get(&r.event_id).map(|e| (*e).clone()))
            .collect();
        let lookup = Lookup::load(db, Some(teacher_id), &top).await?;
        let deficit_by_id: HashMap<Uuid, &route_deficit::Model> =
            deficits.iter().map(|d| (d.id, d)).collect();
        let comp_ids: Vec<Uuid> = deficits.iter().filter_map(|d| d.competency_id).collect();
        let comp_rows: HashMap<Uuid, competency::Model> =
            crate::db::routes::competencies(db, &comp_ids)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
        for r in ranked.into_iter().take(limit) {
            let Some(e) = by_id.get(&r.event_id) else {
                continue;
            };
            let mut covers = Vec::new();
            let mut reasons = Vec::new();
            for d in &r.covers {
                let Some(def) = deficit_by_id.get(d) else {
                    continue;
                };
                let Some(c) = def.competency_id.and_then(|c| comp_rows.get(&c)) else {
                    continue;
                };
                reasons.push(format!(
                    "Развивает компетенцию «{}» — ваш дефицит «{}»",
                    c.name, def.title
                ));
                covers.push(CoveredDeficit {
                    deficit_id: def.id,
                    route_id: def.route_id,
                    title: def.title.clone(),
                    competency: competency_ref(c),
                });
            }
            reasons.push(r.proximity.title_ru().to_owned());
            reasons.push(if r.has_seats {
                "Есть свободные места".to_owned()
            } else {
                "Мест нет: запись в лист ожидания".to_owned()
            });
            if period.is_some() {
                reasons.push(if r.in_period {
                    "Сроки в пределах периода маршрута".to_owned()
                } else {
                    "Сроки выходят за период маршрута".to_owned()
                });
            }
            ranked_out.push(RankedEvent {
                event: lookup.summary(e)?,
                covers,
                proximity: r.proximity,
                has_seats: r.has_seats,
                in_period: r.in_period,
                score: r.score,
                reasons,
            });
        }

        let recs = event_recommendation::Entity::find()
            .filter(event_recommendation::Column::TeacherId.eq(teacher_id))
            .order_by_desc(event_recommendation::Column::CreatedAt)
            .all(db)
            .await?;
        let ev_ids: Vec<Uuid> = recs.iter().map(|r| r.event_id).collect();
        let evs: Vec<event::Model> = event::Entity::find()
            .filter(event::Column::Id.is_in(ev_ids))
            .filter(event::Column::Status.ne(EventStatus::Draft.as_str()))
            .filter(visible_from(&place))
            .all(db)
            .await?;
        let lookup = Lookup::load(db, Some(teacher_id), &evs).await?;
        let evs: HashMap<Uuid, event::Model> = evs.into_iter().map(|e| (e.id, e)).collect();
        let who = events::people(
            db,
            &recs.iter().map(|r| r.recommended_by).collect::<Vec<_>>(),
        )
        .await?;
        for r in recs {
            let Some(e) = evs.get(&r.event_id) else {
                continue;
            };
            if e.ends_on < today {
                continue;
            }
            personal.push(PersonalRecommendation {
                id: r.id,
                event: lookup.summary(e)?,
                recommended_by: who.get(&r.recommended_by).map(to_ref).unwrap_or(
                    shared::dto::PersonRef {
                        id: r.recommended_by,
                        full_name: "—".into(),
                        email: String::new(),
                    },
                ),
                note: r.note,
                at: r.created_at,
            });
        }
    }
    Ok(RecommendationsDto {
        teacher: to_ref(&t),
        route_id: q
            .route_id
            .or_else(|| (routes.len() == 1).then(|| routes[0].id)),
        personal,
        ranked: ranked_out,
    })
}

/// A manager, tutor or mentor recommends an event to teachers (one, or a whole cohort).
pub async fn recommend(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: RecommendInput,
) -> AppResult<RecommendResult> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let e = load(&txn, principal, id, false).await?;
    if e.status != EventStatus::Published.as_str() {
        return Err(AppError::conflict(
            "event_status",
            "Рекомендовать можно только опубликованное мероприятие.",
        ));
    }
    let organiser = organiser_path(&e);
    let note = crate::services::route::create::clean(req.note.clone());
    let mut seen = Vec::new();
    for t in &req.teacher_ids {
        if seen.contains(t) {
            continue;
        }
        seen.push(*t);
        let (_, place) = match teacher(&txn, principal, *t, true).await {
            Ok(x) => x,
            Err(AppError::NotFound) => {
                return Err(AppError::invalid("teacher_ids", "Педагог не найден."));
            }
            Err(e) => return Err(e),
        };
        if !place.is_some_and(|p| rules::event_visible_from(&organiser, &p)) {
            return Err(AppError::invalid(
                "teacher_ids",
                "Мероприятие недоступно этому педагогу: оно проводится для другой организации.",
            ));
        }
        let existing = event_recommendation::Entity::find()
            .filter(event_recommendation::Column::TeacherId.eq(*t))
            .filter(event_recommendation::Column::EventId.eq(id))
            .filter(event_recommendation::Column::RecommendedBy.eq(principal.id()))
            .one(&txn)
            .await?;
        let now = db::now();
        match existing {
            Some(x) => {
                let mut am = x.into_active_model();
                am.note = Set(note.clone());
                am.updated_at = Set(now);
                am.update(&txn).await?;
            }
            None => {
                event_recommendation::ActiveModel {
                    id: Set(db::new_id()),
                    event_id: Set(id),
                    teacher_id: Set(*t),
                    recommended_by: Set(principal.id()),
                    note: Set(note.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await?;
            }
        }
    }
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "event.recommend",
            "event",
            id,
            serde_json::json!({ "teachers": seen }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(RecommendResult {
        recommended: seen.len() as u64,
    })
}

/// How a teacher takes part, by the kind of event (prefilled into the roadmap).
pub fn participation(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Course | EventKind::Internship => "слушатель",
        EventKind::OpenLesson | EventKind::MasterClass => "участник (посещение)",
        EventKind::Contest => "участник конкурса",
        EventKind::SelfStudy => "самообразование",
        _ => "участник",
    }
}

pub fn result(kind: EventKind) -> Option<String> {
    match kind {
        EventKind::Course => Some("Удостоверение о повышении квалификации".into()),
        EventKind::Internship => Some("Справка о прохождении стажировки".into()),
        EventKind::Seminar
        | EventKind::Webinar
        | EventKind::Conference
        | EventKind::MasterClass => Some("Сертификат участника".into()),
        EventKind::Contest => Some("Диплом (сертификат) участника конкурса".into()),
        _ => None,
    }
}

/// Adds an event to a route's roadmap: name, dates, level, form, hours, the competencies it
/// develops and the route's deficits in them are filled in; the activity is written by the
/// route service (versions, history, workflow). The caller's enrolment is linked to it.
pub async fn add_to_roadmap(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: AddToRoadmap,
) -> AppResult<RouteDto> {
    let e = load(&state.db, principal, id, false).await?;
    if e.status == EventStatus::Draft.as_str() {
        return Err(AppError::conflict(
            "event_status",
            "Мероприятие ещё не опубликовано.",
        ));
    }
    let ctx = match route_access::load(&state.db, principal, req.route_id, false).await {
        Err(AppError::NotFound) => {
            return Err(AppError::invalid("route_id", "Маршрут не найден."));
        }
        other => other?,
    };
    let event_comps = store::competencies(&state.db, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let in_framework: Vec<Uuid> = match ctx.route.framework_id {
        Some(fw) => competency::Entity::find()
            .filter(competency::Column::Id.is_in(event_comps.clone()))
            .filter(competency::Column::FrameworkId.eq(fw))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect(),
        None => Vec::new(),
    };
    let deficits: Vec<Uuid> = crate::db::routes::deficits(&state.db, ctx.route.id)
        .await?
        .into_iter()
        .filter(|d| d.competency_id.is_some_and(|c| event_comps.contains(&c)))
        .map(|d| d.id)
        .collect();
    let kind: EventKind = db::parse_code(&e.kind)?;
    let input = ActivityInput {
        version: None,
        name: format!("{}: «{}»", kind.title_ru(), e.title),
        competency_ids: event_comps
            .iter()
            .filter(|c| in_framework.contains(c))
            .copied()
            .collect(),
        deficit_ids: deficits,
        level: Some(db::parse_code(&e.level)?),
        start_date: Some(e.starts_on),
        end_date: Some(e.ends_on),
        participation_form: Some(participation(kind).to_owned()),
        result: result(kind),
        status: None,
        reflection: None,
        hours: e.hours,
        event_id: Some(e.id),
    };
    let dto = edit::add_activity(state, principal, req.route_id, input).await?;
    // Link the owner's enrolment, so attendance completes this activity.
    if let Some(activity) = dto
        .activity
        .activities
        .iter()
        .rev()
        .find(|a| a.event_id == Some(id))
        && let Some(row) = store::enrolment_of(&state.db, id, ctx.route.teacher_id).await?
        && row.activity_id.is_none()
    {
        let mut am: enrolment::ActiveModel = row.into_active_model();
        am.route_id = Set(Some(ctx.route.id));
        am.activity_id = Set(Some(activity.id));
        am.updated_at = Set(db::now());
        let row = am.update(&state.db).await?;
        crate::services::integration::sync::touch_enrolment(&state.db, &row).await?;
    }
    Ok(dto)
}
