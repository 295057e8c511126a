//! Status summaries of routes and people as integrations read them, built for a whole page in
//! a fixed number of queries. People who withdrew their consent to transfer are left out (a
//! feed serves their items as tombstones).

use std::collections::HashMap;

use sea_orm::sea_query::{Query, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use shared::catalogue::EnrolmentStatus;
use shared::consent::PurposeKind;
use shared::dto::{
    ConclusionDto, DeficitSummary, DiagnosticResultSync, DiagnosticSyncDto, EnrolmentSyncDto,
    PersonSyncDto, RouteStatusSummary, TeacherSummary,
};
use shared::{ActivityStatus, CompetencyLevel, DiagnosticKind, Role};
use uuid::Uuid;

use crate::db::entities::{
    competency, diagnostic_campaign, diagnostic_result, enrolment, org_unit, role_grant, route,
    route_activity, route_deficit, route_task, sync_feed, user,
};
use crate::db::{self, units, users};
use crate::error::AppResult;
use crate::services::consents;
use crate::services::diagnostics::{Framework, load_framework};

async fn units_by_id(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> AppResult<HashMap<Uuid, org_unit::Model>> {
    let mut ids = ids;
    ids.sort();
    ids.dedup();
    Ok(units::find_many(db, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// Which routes to summarise: a few by id, or a page of the feed given as a subquery (a
/// thousand bound ids would cost more to plan than to read).
pub enum RouteSet<'a> {
    Ids(&'a [Uuid]),
    Select(Box<SelectStatement>),
}

impl RouteSet<'_> {
    fn cond(&self, col: impl ColumnTrait) -> SimpleExpr {
        match self {
            RouteSet::Ids(ids) => col.is_in(ids.iter().copied()),
            RouteSet::Select(q) => col.in_subquery((**q).clone()),
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, RouteSet::Ids(ids) if ids.is_empty())
    }
}

/// Summaries of `ids` (missing ones are skipped), keyed by id.
pub async fn routes(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, RouteStatusSummary>> {
    routes_in(db, RouteSet::Ids(ids)).await
}

/// Summaries of a set of routes, keyed by id.
pub async fn routes_in(
    db: &impl ConnectionTrait,
    set: RouteSet<'_>,
) -> AppResult<HashMap<Uuid, RouteStatusSummary>> {
    if set.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = route::Entity::find()
        .filter(set.cond(route::Column::Id))
        .all(db)
        .await?;
    let teachers: HashMap<Uuid, user::Model> = user::Entity::find()
        .filter(
            user::Column::Id.in_subquery(
                Query::select()
                    .column(route::Column::TeacherId)
                    .from(route::Entity)
                    .cond_where(set.cond(route::Column::Id))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut unit_ids: Vec<Uuid> = rows.iter().map(|r| r.school_id).collect();
    unit_ids.extend(rows.iter().filter_map(|r| r.municipality_id));
    let unit_map = units_by_id(db, unit_ids).await?;
    let route_ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let tasks = route_task::Entity::find()
        .filter(set.cond(route_task::Column::RouteId))
        .all(db)
        .await?;
    let activities = route_activity::Entity::find()
        .filter(set.cond(route_activity::Column::RouteId))
        .all(db)
        .await?;
    let deficits = route_deficit::Entity::find()
        .filter(set.cond(route_deficit::Column::RouteId))
        .all(db)
        .await?;
    let comp_ids: Vec<Uuid> = deficits.iter().filter_map(|d| d.competency_id).collect();
    let comps: HashMap<Uuid, competency::Model> = if comp_ids.is_empty() {
        HashMap::new()
    } else {
        competency::Entity::find()
            .filter(competency::Column::Id.is_in(comp_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    let certificates = certificate_numbers(db, &route_ids).await?;
    let mut tasks_by: HashMap<Uuid, i64> = HashMap::new();
    for t in &tasks {
        *tasks_by.entry(t.route_id).or_default() += 1;
    }
    let mut acts_by: HashMap<Uuid, Vec<&route_activity::Model>> = HashMap::new();
    for a in &activities {
        acts_by.entry(a.route_id).or_default().push(a);
    }
    let mut defs_by: HashMap<Uuid, Vec<&route_deficit::Model>> = HashMap::new();
    for d in &deficits {
        defs_by.entry(d.route_id).or_default().push(d);
    }
    let today = db::now().date_naive();
    let mut out = HashMap::new();
    for r in rows {
        let (Some(teacher), Some(school)) =
            (teachers.get(&r.teacher_id), unit_map.get(&r.school_id))
        else {
            continue;
        };
        let own: &[&route_activity::Model] = acts_by.get(&r.id).map_or(&[], Vec::as_slice);
        let count =
            |f: &dyn Fn(&route_activity::Model) -> bool| own.iter().filter(|a| f(a)).count() as i64;
        let open = |a: &route_activity::Model| {
            a.status == ActivityStatus::Planned.as_str()
                || a.status == ActivityStatus::InProgress.as_str()
        };
        let conclusion: ConclusionDto = serde_json::from_str(&r.conclusion).unwrap_or_default();
        let text = [
            conclusion.findings,
            conclusion.results,
            conclusion.recommendations,
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
        out.insert(
            r.id,
            RouteStatusSummary {
                id: r.id,
                version: r.version,
                teacher: TeacherSummary {
                    id: teacher.id,
                    full_name: shared::text::full_name(
                        &teacher.surname,
                        &teacher.first_name,
                        teacher.patronymic.as_deref(),
                    ),
                    school: units::to_ref(school)?,
                    municipality: r
                        .municipality_id
                        .and_then(|m| unit_map.get(&m))
                        .map(units::to_ref)
                        .transpose()?,
                },
                title: r.title.clone(),
                track: r.track.clone(),
                period_start: r.period_start,
                period_end: r.period_end,
                stage: db::parse_code(&r.stage)?,
                status: db::parse_code(&r.status)?,
                tasks: tasks_by.get(&r.id).copied().unwrap_or(0),
                activities_planned: count(&|a| open(a)),
                activities_done: count(&|a| a.status == ActivityStatus::Done.as_str()),
                activities_overdue: count(&|a| open(a) && a.end_date.is_some_and(|d| d < today)),
                deficits: defs_by
                    .get(&r.id)
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .map(|d| {
                        Ok(DeficitSummary {
                            id: d.id,
                            title: d.title.clone(),
                            competency_code: d
                                .competency_id
                                .and_then(|c| comps.get(&c))
                                .map(|c| c.code.clone()),
                            state: db::parse_code(&d.state)?,
                        })
                    })
                    .collect::<AppResult<Vec<_>>>()?,
                outcome: r.outcome.as_deref().map(db::parse_code).transpose()?,
                conclusion: (!text.is_empty()).then_some(text),
                certificate_number: certificates.get(&r.id).cloned(),
                updated_at: r.updated_at,
            },
        );
    }
    let teachers: Vec<Uuid> = out.values().map(|r| r.teacher.id).collect();
    let withheld = consents::withheld(db, PurposeKind::Transfer, &teachers).await?;
    out.retain(|_, r| !withheld.contains(&r.teacher.id));
    Ok(out)
}

/// The number of each route's valid completion certificate (the latest, if reissued).
pub async fn certificate_numbers(
    db: &impl ConnectionTrait,
    route_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, String>> {
    crate::services::documents::certificates::numbers_for_routes(db, route_ids).await
}

/// People summaries of `ids`, keyed by id.
pub async fn people(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, PersonSyncDto>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = users::find_many(db, ids).await?;
    let unit_map = units_by_id(db, rows.iter().filter_map(|u| u.workplace_id).collect()).await?;
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let mut out = HashMap::new();
    for u in rows {
        let mut roles: Vec<Role> = grants
            .iter()
            .filter(|g| g.user_id == u.id)
            .filter_map(|g| g.role.parse().ok())
            .collect();
        roles.sort();
        roles.dedup();
        out.insert(
            u.id,
            PersonSyncDto {
                id: u.id,
                external_id: u.external_id.clone(),
                full_name: shared::text::full_name(
                    &u.surname,
                    &u.first_name,
                    u.patronymic.as_deref(),
                ),
                email: u.email.clone(),
                position: u.position.clone(),
                workplace: u
                    .workplace_id
                    .and_then(|w| unit_map.get(&w))
                    .map(units::to_ref)
                    .transpose()?,
                roles,
                active: u.active,
                updated_at: u.updated_at,
            },
        );
    }
    let withheld = consents::withheld(db, PurposeKind::Transfer, ids).await?;
    out.retain(|id, _| !withheld.contains(id));
    Ok(out)
}

/// The diagnostics feed's items of a page: each (campaign, person) pair of `rows` that still
/// has results, keyed by the item's id. Pairs with none left are missing (tombstones).
pub async fn diagnostics(
    db: &impl ConnectionTrait,
    rows: &[sync_feed::Model],
) -> AppResult<HashMap<Uuid, DiagnosticSyncDto>> {
    let pairs: HashMap<(Uuid, Uuid), Uuid> = rows
        .iter()
        .filter(|r| !r.deleted)
        .filter_map(|r| Some(((r.parent_id?, r.person_id?), r.entity_id)))
        .collect();
    if pairs.is_empty() {
        return Ok(HashMap::new());
    }
    let mut campaign_ids: Vec<Uuid> = pairs.keys().map(|(c, _)| *c).collect();
    campaign_ids.sort();
    campaign_ids.dedup();
    let campaigns = diagnostic_campaign::Entity::find()
        .filter(diagnostic_campaign::Column::Id.is_in(campaign_ids.iter().copied()))
        .all(db)
        .await?;
    let mut frameworks: HashMap<Uuid, Framework> = HashMap::new();
    for c in &campaigns {
        if let std::collections::hash_map::Entry::Vacant(slot) = frameworks.entry(c.framework_id) {
            slot.insert(load_framework(db, c.framework_id).await?);
        }
    }
    let mut person_ids: Vec<Uuid> = pairs.keys().map(|(_, p)| *p).collect();
    person_ids.sort();
    person_ids.dedup();
    let mut by_pair: HashMap<(Uuid, Uuid), Vec<diagnostic_result::Model>> = HashMap::new();
    for chunk in person_ids.chunks(500) {
        let found = diagnostic_result::Entity::find()
            .filter(diagnostic_result::Column::CampaignId.is_in(campaign_ids.iter().copied()))
            .filter(diagnostic_result::Column::PersonId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        for r in found {
            let key = (r.campaign_id, r.person_id);
            if pairs.contains_key(&key) {
                by_pair.entry(key).or_default().push(r);
            }
        }
    }
    let mut out = HashMap::new();
    for c in &campaigns {
        let Some(fw) = frameworks.get(&c.framework_id) else {
            continue;
        };
        let kind: DiagnosticKind = db::parse_code(&c.kind)?;
        for ((campaign, person), id) in &pairs {
            if *campaign != c.id {
                continue;
            }
            let Some(results) = by_pair.get(&(*campaign, *person)) else {
                continue;
            };
            let Some(first) = results.first() else {
                continue;
            };
            let mut items = Vec::with_capacity(results.len());
            // In the framework's order.
            for (comp, _) in &fw.competencies {
                let Some(r) = results.iter().find(|r| r.competency_id == comp.id) else {
                    continue;
                };
                let level: CompetencyLevel = db::parse_code(&r.level)?;
                items.push(DiagnosticResultSync {
                    competency_id: comp.id,
                    code: comp.code.clone(),
                    level,
                    score: r.score,
                    deficit: fw.rule.is_deficit(level, r.score),
                });
            }
            out.insert(
                *id,
                DiagnosticSyncDto {
                    campaign_id: c.id,
                    campaign_name: c.name.clone(),
                    kind,
                    level: db::parse_code(&c.level)?,
                    date: c.date,
                    framework_id: c.framework_id,
                    framework_version: fw.model.version,
                    self_assessment: kind == DiagnosticKind::SelfAssessment,
                    person_id: *person,
                    region_id: first.region_id,
                    municipality_id: first.municipality_id,
                    school_id: first.school_id,
                    results: items,
                    updated_at: results
                        .iter()
                        .map(|r| r.updated_at)
                        .max()
                        .unwrap_or(first.updated_at),
                },
            );
        }
    }
    let people: Vec<Uuid> = out.values().map(|d| d.person_id).collect();
    let withheld = consents::withheld(db, PurposeKind::Transfer, &people).await?;
    out.retain(|_, d| !withheld.contains(&d.person_id));
    Ok(out)
}

/// Enrolments as the feed carries them, keyed by id.
pub async fn enrolments(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, EnrolmentSyncDto>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = enrolment::Entity::find()
        .filter(enrolment::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let people: Vec<Uuid> = rows.iter().map(|r| r.person_id).collect();
    let withheld = consents::withheld(db, PurposeKind::Transfer, &people).await?;
    rows.into_iter()
        .filter(|r| !withheld.contains(&r.person_id))
        .map(|r| {
            let status: EnrolmentStatus = db::parse_code(&r.status)?;
            Ok((
                r.id,
                EnrolmentSyncDto {
                    id: r.id,
                    event_id: r.event_id,
                    person_id: r.person_id,
                    status: status.place(),
                    attended: status.attended(),
                    certificate_uploaded: r.certificate_key.is_some(),
                    registered_at: r.created_at,
                    updated_at: r.updated_at,
                },
            ))
        })
        .collect()
}
