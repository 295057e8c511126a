//! Cohorts: teachers of a unit sharing a confirmed deficit in one competency, to be served by
//! one event (a webinar for teachers with similar difficulties).

use std::collections::HashMap;

use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use shared::catalogue::EventStatus;
use shared::dto::catalogue::*;
use shared::{DeficitState, UnitKind};
use uuid::Uuid;

use super::recommend::{OPEN, visible_from};
use crate::auth::Principal;
use crate::db::entities::{event, event_competency, org_unit, route, route_deficit};
use crate::db::{self, units};
use crate::error::{AppError, AppResult};
use crate::services::people::to_ref;
use crate::services::route::read::competency_ref;

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
    // competency → teacher → route (one route per teacher and competency).
    let mut groups: HashMap<Uuid, Vec<(Uuid, Uuid)>> = HashMap::new();
    for d in &deficits {
        let (Some(c), Some(r)) = (d.competency_id, by_id.get(&d.route_id)) else {
            continue;
        };
        let g = groups.entry(c).or_default();
        if !g.iter().any(|(t, _)| *t == r.teacher_id) {
            g.push((r.teacher_id, r.id));
        }
    }
    groups.retain(|_, v| v.len() >= min);
    let comp_ids: Vec<Uuid> = groups.keys().copied().collect();
    let comps = crate::db::routes::competencies(db, &comp_ids).await?;
    let teacher_ids: Vec<Uuid> = groups.values().flatten().map(|(t, _)| *t).collect();
    let people = super::events::people(db, &teacher_ids).await?;
    let school_ids: Vec<Uuid> = routes.iter().map(|r| r.school_id).collect();
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
        for (t, r) in members {
            let Some(p) = people.get(t) else { continue };
            list.push(CohortMember {
                person: to_ref(p),
                school: by_id
                    .get(r)
                    .and_then(|r| schools.get(&r.school_id))
                    .map(units::to_ref)
                    .transpose()?,
                route_id: *r,
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
