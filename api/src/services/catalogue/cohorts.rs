//! Cohorts: teachers of a unit sharing a deficit in one competency — confirmed in their routes,
//! or found in a diagnostic campaign's results by the framework's rule — to be served by one
//! event (a webinar for teachers with similar difficulties).

use std::collections::HashMap;

use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use shared::catalogue::EventStatus;
use shared::dto::catalogue::*;
use shared::{CompetencyLevel, DeficitState, UnitKind};
use uuid::Uuid;

use super::recommend::{OPEN, visible_from};
use crate::auth::Principal;
use crate::db::entities::{
    diagnostic_result, event, event_competency, org_unit, route, route_deficit,
};
use crate::db::{self, units};
use crate::error::{AppError, AppResult};
use crate::services::diagnostics;
use crate::services::people::to_ref;
use crate::services::route::read::competency_ref;

/// A teacher in a cohort being gathered.
struct Member {
    teacher: Uuid,
    route: Option<Uuid>,
    school: Option<Uuid>,
    in_campaign: bool,
}

/// (competency, teacher, school) of every deficit, by the framework's rule, in a campaign's
/// results within the unit. A campaign the principal may not read is not found.
async fn campaign_deficits(
    db: &impl ConnectionTrait,
    principal: &Principal,
    campaign_id: Uuid,
    path: &shared::UnitPath,
) -> AppResult<Vec<(Uuid, Uuid, Option<Uuid>)>> {
    let c = diagnostics::load_campaign(db, principal, campaign_id).await?;
    let fw = diagnostics::load_framework(db, c.model.framework_id).await?;
    let rows = diagnostic_result::Entity::find()
        .filter(diagnostic_result::Column::CampaignId.eq(campaign_id))
        .filter(diagnostics::within(path))
        .all(db)
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let level: CompetencyLevel = db::parse_code(&r.level)?;
        if fw.rule.is_deficit(level, r.score) {
            out.push((r.competency_id, r.person_id, r.school_id));
        }
    }
    Ok(out)
}

pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
    q: CohortQuery,
) -> AppResult<Vec<CohortDto>> {
    let unit = units::find(db, q.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let path = units::path(&unit)?;
    if !principal.actor.can_read_cohorts(&path) {
        return Err(AppError::NotFound);
    }
    let min = usize::try_from(q.min_size.unwrap_or(2).max(1)).unwrap_or(2);
    let in_unit = match path.kind() {
        UnitKind::Region => Condition::all().add(route::Column::RegionId.eq(unit.id)),
        UnitKind::Municipality => Condition::all().add(route::Column::MunicipalityId.eq(unit.id)),
        UnitKind::School => Condition::all().add(route::Column::SchoolId.eq(unit.id)),
        UnitKind::District => Condition::all().add(
            route::Column::SchoolId.in_subquery(
                Query::select()
                    .column(org_unit::Column::Id)
                    .from(org_unit::Entity)
                    .and_where(org_unit::Column::DistrictId.eq(unit.id))
                    .to_owned(),
            ),
        ),
    };
    let routes = route::Entity::find()
        .filter(in_unit)
        .filter(route::Column::Status.is_in(OPEN.iter().map(|s| s.as_str())))
        .all(db)
        .await?;
    let by_id: HashMap<Uuid, &route::Model> = routes.iter().map(|r| (r.id, r)).collect();
    let deficits = route_deficit::Entity::find()
        .filter(route_deficit::Column::RouteId.is_in(by_id.keys().copied()))
        .filter(route_deficit::Column::Confirmed.eq(true))
        .filter(route_deficit::Column::State.eq(DeficitState::Open.as_str()))
        .filter(route_deficit::Column::CompetencyId.is_not_null())
        .all(db)
        .await?;
    // competency → its members, one per teacher.
    let mut groups: HashMap<Uuid, Vec<Member>> = HashMap::new();
    for d in &deficits {
        let (Some(c), Some(r)) = (d.competency_id, by_id.get(&d.route_id)) else {
            continue;
        };
        let g = groups.entry(c).or_default();
        if !g.iter().any(|m| m.teacher == r.teacher_id) {
            g.push(Member {
                teacher: r.teacher_id,
                route: Some(r.id),
                school: Some(r.school_id),
                in_campaign: false,
            });
        }
    }
    if let Some(campaign_id) = q.campaign_id {
        for (c, teacher, school) in campaign_deficits(db, principal, campaign_id, &path).await? {
            let g = groups.entry(c).or_default();
            match g.iter_mut().find(|m| m.teacher == teacher) {
                Some(m) => m.in_campaign = true,
                None => g.push(Member {
                    teacher,
                    route: None,
                    school,
                    in_campaign: true,
                }),
            }
        }
    }
    groups.retain(|_, v| v.len() >= min);
    let comp_ids: Vec<Uuid> = groups.keys().copied().collect();
    let comps = crate::db::routes::competencies(db, &comp_ids).await?;
    let teacher_ids: Vec<Uuid> = groups.values().flatten().map(|m| m.teacher).collect();
    let people = super::events::people(db, &teacher_ids).await?;
    let school_ids: Vec<Uuid> = groups.values().flatten().filter_map(|m| m.school).collect();
    let schools: HashMap<Uuid, org_unit::Model> = units::find_many(db, &school_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let today = db::now().date_naive();
    let mut out = Vec::new();
    for c in comps {
        let Some(members) = groups.get(&c.id) else {
            continue;
        };
        let upcoming = event::Entity::find()
            .filter(visible_from(&path))
            .filter(event::Column::Status.eq(EventStatus::Published.as_str()))
            .filter(event::Column::EndsOn.gte(today))
            .filter(
                event::Column::Id.in_subquery(
                    Query::select()
                        .column(event_competency::Column::EventId)
                        .from(event_competency::Entity)
                        .and_where(event_competency::Column::CompetencyId.eq(c.id))
                        .to_owned(),
                ),
            )
            .count(db)
            .await?;
        let mut list = Vec::new();
        for m in members {
            let Some(p) = people.get(&m.teacher) else {
                continue;
            };
            list.push(CohortMember {
                person: to_ref(p),
                school: m
                    .school
                    .and_then(|s| schools.get(&s))
                    .map(units::to_ref)
                    .transpose()?,
                route_id: m.route,
                in_campaign: m.in_campaign,
            });
        }
        list.sort_by(|a, b| a.person.full_name.cmp(&b.person.full_name));
        out.push((
            c.position,
            CohortDto {
                competency: competency_ref(&c),
                members: list,
                upcoming_events: upcoming,
            },
        ));
    }
    out.sort_by(|(pa, a), (pb, b)| b.members.len().cmp(&a.members.len()).then(pa.cmp(pb)));
    Ok(out.into_iter().map(|(_, c)| c).collect())
}
