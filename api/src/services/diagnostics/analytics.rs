//! The managers' view of a campaign for a unit: how many were assessed, levels per
//! competency, the competencies with most deficits, the units one level below (drill-down and
//! heat map), and the people with a given deficit. The counts are read from the rollup kept beside
//! the results (`rollup`), summed by the database; the people are read from the results a page
//! at a time.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, RelationDef,
};
use shared::dto::{
    CampaignAnalytics, CompetencyStats, DeficitPersonDto, LevelCounts, Page, UnitStats,
};
use shared::{CompetencyLevel, UnitKind, UnitPath};
use uuid::Uuid;

use super::{Campaign, comp_ref, deficit_condition, load_campaign, load_framework, within};
use crate::auth::Principal;
use crate::db::entities::{
    diagnostic_assessed, diagnostic_count, diagnostic_result, org_unit, user,
};
use crate::db::{self, units, users};
use crate::error::{AppError, AppResult};
use crate::services::people;
use crate::state::AppState;

/// The unit to analyse: the one asked for, else the campaign's coverage when the caller
/// manages it, else the caller's own managed unit inside the coverage.
async fn unit_for(
    db: &impl ConnectionTrait,
    principal: &Principal,
    c: &Campaign,
    unit_id: Option<Uuid>,
) -> AppResult<(org_unit::Model, UnitPath)> {
    let refuse = || {
        AppError::forbidden(
            "Сводку по диагностике видят руководители: школы — по своей школе, муниципалитета — по муниципалитету, региона — по региону.",
        )
    };
    let (unit, path) = match unit_id {
        Some(id) => {
            let u = units::find(db, id)
                .await?
                .ok_or_else(|| AppError::invalid("unit_id", "Подразделение не найдено."))?;
            let p = units::path(&u)?;
            if !principal.actor.can_read_unit(&p) {
                return Err(AppError::invalid("unit_id", "Подразделение не найдено."));
            }
            (u, p)
        }
        None => {
            if principal.actor.can_analyse_unit(&c.unit_path) {
                (c.unit.clone(), c.unit_path)
            } else {
                let own = principal.actor.grants.iter().find_map(|g| {
                    g.unit
                        .filter(|u| g.role.manages_unit() && c.unit_path.contains(u))
                });
                let own = own.ok_or_else(refuse)?;
                let u = units::find(db, own.leaf()).await?.ok_or_else(refuse)?;
                (u, own)
            }
        }
    };
    if !principal.actor.can_analyse_unit(&path) {
        return Err(refuse());
    }
    Ok((unit, path))
}

/// The kind of unit one level below, and its column (regions drill down to municipalities).
fn child_kind(kind: UnitKind) -> Option<UnitKind> {
    match kind {
        UnitKind::Region | UnitKind::District => Some(UnitKind::Municipality),
        UnitKind::Municipality => Some(UnitKind::School),
        UnitKind::School => None,
    }
}

/// Counts of the rollup within a unit's subtree.
fn counts_within(path: &UnitPath) -> Condition {
    Condition::all().add(count_column(path.kind()).eq(path.leaf()))
}

/// People counts of the rollup within a unit's subtree.
fn assessed_within(path: &UnitPath) -> Condition {
    Condition::all().add(assessed_column(path.kind()).eq(path.leaf()))
}

fn assessed_column(kind: UnitKind) -> diagnostic_assessed::Column {
    use diagnostic_assessed::Column as A;
    match kind {
        UnitKind::Region => A::RegionId,
        UnitKind::District => A::DistrictId,
        UnitKind::Municipality => A::MunicipalityId,
        UnitKind::School => A::SchoolId,
    }
}

fn count_column(kind: UnitKind) -> diagnostic_count::Column {
    use diagnostic_count::Column as C;
    match kind {
        UnitKind::Region => C::RegionId,
        UnitKind::District => C::DistrictId,
        UnitKind::Municipality => C::MunicipalityId,
        UnitKind::School => C::SchoolId,
    }
}

fn count(n: Option<i64>) -> u64 {
    n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
}

/// The summary, read from the counts kept beside the results (`rollup`). Sums are cast back to
/// 64-bit integers: PostgreSQL sums `bigint` into `numeric`.
pub async fn campaign(
    state: &AppState,
    principal: &Principal,
    campaign_id: Uuid,
    unit_id: Option<Uuid>,
) -> AppResult<CampaignAnalytics> {
    use diagnostic_assessed::Column as A;
    use diagnostic_count::Column as C;
    let db = &state.db;
    let c = load_campaign(db, principal, campaign_id).await?;
    let (unit, path) = unit_for(db, principal, &c, unit_id).await?;
    let fw = load_framework(db, c.model.framework_id).await?;
    let assessed: Option<i64> = diagnostic_assessed::Entity::find()
        .select_only()
        .expr(Expr::col(A::People).sum().cast_as("bigint"))
        .filter(A::CampaignId.eq(campaign_id))
        .filter(assessed_within(&path))
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let assessed = count(assessed);

    // (competency, level) → results, deficits.
    let rows: Vec<(Uuid, String, Option<i64>, Option<i64>)> = diagnostic_count::Entity::find()
        .select_only()
        .column(C::CompetencyId)
        .column(C::Level)
        .expr(Expr::col(C::Results).sum().cast_as("bigint"))
        .expr(Expr::col(C::Deficits).sum().cast_as("bigint"))
        .filter(C::CampaignId.eq(campaign_id))
        .filter(counts_within(&path))
        .group_by(C::CompetencyId)
        .group_by(C::Level)
        .into_tuple()
        .all(db)
        .await?;
    let mut levels: HashMap<Uuid, LevelCounts> = HashMap::new();
    let mut deficits: HashMap<Uuid, u64> = HashMap::new();
    for (comp, level, n, d) in rows {
        let Ok(level) = level.parse::<CompetencyLevel>() else {
            continue;
        };
        let n = count(n);
        let e = levels.entry(comp).or_default();
        match level {
            CompetencyLevel::Low => e.low += n,
            CompetencyLevel::Medium => e.medium += n,
            CompetencyLevel::High => e.high += n,
        }
        *deficits.entry(comp).or_default() += count(d);
    }
    let competencies: Vec<CompetencyStats> = fw
        .competencies
        .iter()
        .map(|(cm, g)| CompetencyStats {
            competency: comp_ref(cm),
            group_code: g.clone(),
            levels: levels.get(&cm.id).copied().unwrap_or_default(),
            deficits: deficits.get(&cm.id).copied().unwrap_or(0),
        })
        .collect();
    let mut top: Vec<CompetencyStats> = competencies
        .iter()
        .filter(|s| s.deficits > 0)
        .cloned()
        .collect();
    top.sort_by_key(|s| std::cmp::Reverse(s.deficits));
    top.truncate(5);

    let mut unit_stats = Vec::new();
    if let Some(kind) = child_kind(path.kind()) {
        let assessed_rows: Vec<(Option<Uuid>, Option<i64>)> = diagnostic_assessed::Entity::find()
            .select_only()
            .column(assessed_column(kind))
            .expr(Expr::col(A::People).sum().cast_as("bigint"))
            .filter(A::CampaignId.eq(campaign_id))
            .filter(assessed_within(&path))
            .group_by(assessed_column(kind))
            .into_tuple()
            .all(db)
            .await?;
        let deficit_rows: Vec<(Option<Uuid>, Uuid, Option<i64>)> = diagnostic_count::Entity::find()
            .select_only()
            .column(count_column(kind))
            .column(C::CompetencyId)
            .expr(Expr::col(C::Deficits).sum().cast_as("bigint"))
            .filter(C::CampaignId.eq(campaign_id))
            .filter(counts_within(&path))
            .group_by(count_column(kind))
            .group_by(C::CompetencyId)
            .into_tuple()
            .all(db)
            .await?;
        let per_unit: HashMap<(Uuid, Uuid), u64> = deficit_rows
            .into_iter()
            .filter_map(|(u, comp, n)| u.map(|u| ((u, comp), count(n))))
            .collect();
        let assessed_of: HashMap<Uuid, u64> = assessed_rows
            .into_iter()
            .filter_map(|(u, n)| u.map(|u| (u, count(n))))
            .collect();
        let ids: Vec<Uuid> = assessed_of.keys().copied().collect();
        let mut found = units::find_many(db, &ids).await?;
        found.sort_by(|a, b| a.sort_key.cmp(&b.sort_key));
        for u in found {
            let per: Vec<u64> = fw
                .competencies
                .iter()
                .map(|(cm, _)| per_unit.get(&(u.id, cm.id)).copied().unwrap_or(0))
                .collect();
            unit_stats.push(UnitStats {
                unit: units::to_ref(&u)?,
                assessed: assessed_of.get(&u.id).copied().unwrap_or(0),
                deficits: per,
            });
        }
    }
    Ok(CampaignAnalytics {
        campaign: c.brief(),
        unit: units::to_ref(&unit)?,
        assessed,
        deficit_rule: fw.rule.describe_ru(),
        competencies,
        top_deficits: top,
        units: unit_stats,
    })
}

/// A page of the people of a unit whose result for a competency is a deficit, by name. Read
/// from the results themselves (indexed by campaign, competency and place), a page at a time.
#[allow(clippy::too_many_arguments)]
pub async fn deficit_people(
    state: &AppState,
    principal: &Principal,
    campaign_id: Uuid,
    competency_id: Uuid,
    unit_id: Option<Uuid>,
    offset: u64,
    limit: u64,
) -> AppResult<Page<DeficitPersonDto>> {
    use diagnostic_result::Column as R;
    let db = &state.db;
    let c = load_campaign(db, principal, campaign_id).await?;
    let (_, path) = unit_for(db, principal, &c, unit_id).await?;
    let fw = load_framework(db, c.model.framework_id).await?;
    if fw.find(competency_id).is_none() {
        return Err(AppError::invalid(
            "competency_id",
            "Компетенция не из рамки этой диагностики.",
        ));
    }
    let limit = limit.clamp(1, 200);
    let matching = diagnostic_result::Entity::find()
        .filter(R::CampaignId.eq(campaign_id))
        .filter(R::CompetencyId.eq(competency_id))
        .filter(within(&path))
        .filter(deficit_condition(&fw.rule));
    let total = matching.clone().count(db).await?;
    let person: RelationDef = diagnostic_result::Entity::belongs_to(user::Entity)
        .from(R::PersonId)
        .to(user::Column::Id)
        .into();
    let rows = matching
        .join(JoinType::InnerJoin, person)
        .order_by_asc(Expr::col((user::Entity, user::Column::SortKey)))
        .order_by_asc(R::PersonId)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.person_id).collect();
    let people_rows: HashMap<Uuid, user::Model> = users::find_many(db, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let schools: Vec<Uuid> = rows.iter().filter_map(|r| r.school_id).collect();
    let school_rows = units::find_many(db, &schools).await?;
    let mut names: HashMap<Uuid, String> = HashMap::new();
    let mut places: HashMap<Uuid, shared::UnitPath> = HashMap::new();
    for u in school_rows {
        places.insert(u.id, units::path(&u)?);
        names.insert(u.id, u.name);
    }
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        let Some(p) = people_rows.get(&r.person_id) else {
            continue;
        };
        let facts = shared::access::PersonFacts {
            id: p.id,
            workplace: r.school_id.and_then(|s| places.get(&s).copied()),
            links: shared::access::Links::default(),
        };
        people::audit_read(
            state,
            principal,
            &facts,
            "diagnostics.read",
            "diagnostic_campaign",
            campaign_id,
        );
        items.push(DeficitPersonDto {
            person: people::to_ref(p),
            school: r.school_id.and_then(|s| names.get(&s).cloned()),
            level: db::parse_code(&r.level)?,
            score: r.score,
        });
    }
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}
