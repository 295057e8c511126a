//! The managers' view of a campaign for a unit: how many were assessed, levels per
//! competency, the competencies with most deficits, the units one level below (drill-down and
//! heat map), and the people with a given deficit. Everything is counted by the database
//! (GROUP BY over the results' copied place), never by loading rows.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use shared::diagnostics::DeficitRule;
use shared::dto::{CampaignAnalytics, CompetencyStats, DeficitPersonDto, LevelCounts, UnitStats};
use shared::{CompetencyLevel, UnitKind, UnitPath};
use uuid::Uuid;

use super::{
    Campaign, comp_ref, count_people, load_campaign, load_framework, place_column, within,
};
use crate::auth::Principal;
use crate::db::entities::{diagnostic_result, org_unit};
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

/// `1` when a result's score is under the rule's threshold, else `0` — computed in SQL.
fn below_expr(rule: &DeficitRule) -> SimpleExpr {
    match rule.score_below {
        Some(t) if t.is_finite() => Expr::cust(format!(
            "CASE WHEN score IS NOT NULL AND score < {t:.6} THEN 1 ELSE 0 END"
        )),
        _ => Expr::cust("0"),
    }
}

/// The SQL form of the rule: the result is a deficit.
fn deficit_condition(rule: &DeficitRule) -> Condition {
    let mut any = Condition::any().add(
        diagnostic_result::Column::Level.is_in(rule.levels.iter().map(|l| l.as_str().to_owned())),
    );
    if let Some(t) = rule.score_below.filter(|t| t.is_finite()) {
        any = any.add(diagnostic_result::Column::Score.lt(t));
    }
    any
}

/// The kind of unit one level below, and its column (regions drill down to municipalities).
fn child_kind(kind: UnitKind) -> Option<UnitKind> {
    match kind {
        UnitKind::Region | UnitKind::District => Some(UnitKind::Municipality),
        UnitKind::Municipality => Some(UnitKind::School),
        UnitKind::School => None,
    }
}

pub async fn campaign(
    state: &AppState,
    principal: &Principal,
    campaign_id: Uuid,
    unit_id: Option<Uuid>,
) -> AppResult<CampaignAnalytics> {
    let db = &state.db;
    let c = load_campaign(db, principal, campaign_id).await?;
    let (unit, path) = unit_for(db, principal, &c, unit_id).await?;
    let fw = load_framework(db, c.model.framework_id).await?;
    let scope = within(&path);
    let assessed = count_people(db, campaign_id, scope.clone()).await?;

    // (competency, level, below threshold) → count.
    let rows: Vec<(Uuid, String, i32, i64)> = diagnostic_result::Entity::find()
        .select_only()
        .column(diagnostic_result::Column::CompetencyId)
        .column(diagnostic_result::Column::Level)
        .expr_as(below_expr(&fw.rule), "below")
        .expr_as(Expr::cust("COUNT(*)"), "n")
        .filter(diagnostic_result::Column::CampaignId.eq(campaign_id))
        .filter(scope.clone())
        .group_by(diagnostic_result::Column::CompetencyId)
        .group_by(diagnostic_result::Column::Level)
        .group_by(Expr::cust("3"))
        .into_tuple()
        .all(db)
        .await?;
    let mut levels: HashMap<Uuid, LevelCounts> = HashMap::new();
    let mut deficits: HashMap<Uuid, u64> = HashMap::new();
    for (comp, level, below, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        let Ok(level) = level.parse::<CompetencyLevel>() else {
            continue;
        };
        let e = levels.entry(comp).or_default();
        match level {
            CompetencyLevel::Low => e.low += n,
            CompetencyLevel::Medium => e.medium += n,
            CompetencyLevel::High => e.high += n,
        }
        if fw.rule.levels.contains(&level) || below == 1 {
            *deficits.entry(comp).or_default() += n;
        }
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
        let col = place_column(kind);
        let assessed_rows: Vec<(Option<Uuid>, i64)> = diagnostic_result::Entity::find()
            .select_only()
            .column(col)
            .expr_as(Expr::cust("COUNT(DISTINCT person_id)"), "n")
            .filter(diagnostic_result::Column::CampaignId.eq(campaign_id))
            .filter(scope.clone())
            .group_by(col)
            .into_tuple()
            .all(db)
            .await?;
        let deficit_rows: Vec<(Option<Uuid>, Uuid, i64)> = diagnostic_result::Entity::find()
            .select_only()
            .column(col)
            .column(diagnostic_result::Column::CompetencyId)
            .expr_as(Expr::cust("COUNT(*)"), "n")
            .filter(diagnostic_result::Column::CampaignId.eq(campaign_id))
            .filter(scope.clone())
            .filter(deficit_condition(&fw.rule))
            .group_by(col)
            .group_by(diagnostic_result::Column::CompetencyId)
            .into_tuple()
            .all(db)
            .await?;
        let ids: Vec<Uuid> = assessed_rows.iter().filter_map(|(u, _)| *u).collect();
        let mut found = units::find_many(db, &ids).await?;
        found.sort_by(|a, b| a.sort_key.cmp(&b.sort_key));
        for u in found {
            let assessed = assessed_rows
                .iter()
                .find(|(id, _)| *id == Some(u.id))
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
            let per: Vec<u64> = fw
                .competencies
                .iter()
                .map(|(cm, _)| {
                    deficit_rows
                        .iter()
                        .find(|(id, comp, _)| *id == Some(u.id) && *comp == cm.id)
                        .map_or(0, |(_, _, n)| u64::try_from(*n).unwrap_or(0))
                })
                .collect();
            unit_stats.push(UnitStats {
                unit: units::to_ref(&u)?,
                assessed,
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

/// People of a unit whose result for a competency is a deficit (at most 1000, by name).
pub async fn deficit_people(
    state: &AppState,
    principal: &Principal,
    campaign_id: Uuid,
    competency_id: Uuid,
    unit_id: Option<Uuid>,
) -> AppResult<Vec<DeficitPersonDto>> {
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
    let rows = diagnostic_result::Entity::find()
        .filter(diagnostic_result::Column::CampaignId.eq(campaign_id))
        .filter(diagnostic_result::Column::CompetencyId.eq(competency_id))
        .filter(within(&path))
        .filter(deficit_condition(&fw.rule))
        .order_by_asc(diagnostic_result::Column::PersonId)
        .limit(1000)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.person_id).collect();
    let mut people_rows = users::find_many(db, &ids).await?;
    people_rows.sort_by(|a, b| a.sort_key.cmp(&b.sort_key));
    let schools: Vec<Uuid> = rows.iter().filter_map(|r| r.school_id).collect();
    let names: HashMap<Uuid, String> = units::find_many(db, &schools)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut out = Vec::with_capacity(people_rows.len());
    for p in people_rows {
        let Some(r) = rows.iter().find(|r| r.person_id == p.id) else {
            continue;
        };
        out.push(DeficitPersonDto {
            person: people::to_ref(&p),
            school: r.school_id.and_then(|s| names.get(&s).cloned()),
            level: db::parse_code(&r.level)?,
            score: r.score,
        });
    }
    Ok(out)
}
