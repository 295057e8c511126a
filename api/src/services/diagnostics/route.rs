//! A route and diagnostics: filling its diagnostic section from a campaign, and its dynamics
//! (entry against final, per competency, and whether each deficit was eliminated).

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use shared::diagnostics::{self as rules, DeficitRule, Trend};
use shared::dto::{
    CompetencyDynamics, CompetencyResultInput, DeficitDynamics, FromCampaignInput, RouteDto,
    RouteDynamicsDto,
};
use shared::workflow::{self, CompletionCriteria};
use shared::{CompetencyLevel, DiagnosticKind};
use uuid::Uuid;

use super::{Framework, comp_ref, deficit_title, load_campaign, load_framework};
use crate::auth::Principal;
use crate::db::entities::{competency, diagnostic_result, framework, route_diagnostic};
use crate::db::{self, routes};
use crate::error::{AppError, AppResult};
use crate::services::frameworks::default_id;
use crate::services::route::{access, edit};
use crate::state::AppState;

/// Brings the route owner's results of a campaign, and the deficits they show, into the
/// route's diagnostic section. Competencies are matched to the route's framework by code.
pub async fn fill_from_campaign(
    state: &AppState,
    principal: &Principal,
    route_id: Uuid,
    req: FromCampaignInput,
) -> AppResult<RouteDto> {
    let ctx = access::load(&state.db, principal, route_id, false).await?;
    let campaign = load_campaign(&state.db, principal, req.campaign_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound => AppError::invalid("campaign_id", "Диагностика не найдена."),
            e => e,
        })?;
    let fw = load_framework(&state.db, campaign.model.framework_id).await?;
    let rows = diagnostic_result::Entity::find()
        .filter(diagnostic_result::Column::CampaignId.eq(campaign.model.id))
        .filter(diagnostic_result::Column::PersonId.eq(ctx.route.teacher_id))
        .all(&state.db)
        .await?;
    if rows.is_empty() {
        return Err(AppError::invalid(
            "campaign_id",
            "В этой диагностике нет результатов педагога.",
        ));
    }
    let route_fw = ctx.route.framework_id.unwrap_or_else(default_id);
    let target: HashMap<String, competency::Model> = competency::Entity::find()
        .filter(competency::Column::FrameworkId.eq(route_fw))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.code.clone(), c))
        .collect();
    let (results, deficits) = map_results(&fw, &rows, &target)?;
    if results.is_empty() {
        return Err(AppError::invalid(
            "campaign_id",
            "Компетенции этой диагностики не совпадают с рамкой компетенций маршрута.",
        ));
    }
    edit::add_from_campaign(
        state,
        principal,
        route_id,
        req.version,
        edit::FromCampaign {
            campaign_id: campaign.model.id,
            kind: campaign.kind,
            level: campaign.level,
            name: campaign.model.name.clone(),
            date: campaign.model.date,
            results,
            deficits,
        },
    )
    .await
}

/// Results mapped onto a route's framework, and the deficits found as (title, competency).
pub type Mapped = (Vec<CompetencyResultInput>, Vec<(String, Uuid)>);

/// A person's results of a campaign (framework `fw`) mapped by competency code onto a route's
/// framework (`target`, by code), and the deficits `fw`'s rule finds in them as (title,
/// competency of the route's framework). Competencies the route's framework lacks are left out.
pub fn map_results(
    fw: &Framework,
    rows: &[diagnostic_result::Model],
    target: &HashMap<String, competency::Model>,
) -> AppResult<Mapped> {
    let mut results = Vec::new();
    let mut deficits = Vec::new();
    for (c, _) in &fw.competencies {
        let Some(r) = rows.iter().find(|r| r.competency_id == c.id) else {
            continue;
        };
        let Some(t) = target.get(&c.code) else {
            continue;
        };
        let level: CompetencyLevel = db::parse_code(&r.level)?;
        results.push(CompetencyResultInput {
            competency_id: t.id,
            level,
            score: r.score,
        });
        if fw.rule.is_deficit(level, r.score) {
            deficits.push((deficit_title(t), t.id));
        }
    }
    Ok((results, deficits))
}

/// The latest diagnostic of a kind (by date, then by position).
fn latest(
    all: &[route_diagnostic::Model],
    kind: DiagnosticKind,
) -> Option<&route_diagnostic::Model> {
    all.iter()
        .filter(|d| d.kind == kind.as_str())
        .max_by_key(|d| (d.date, d.position))
}

/// Entry against final for a route the principal may read.
pub async fn dynamics(
    state: &AppState,
    principal: &Principal,
    route_id: Uuid,
) -> AppResult<RouteDynamicsDto> {
    let ctx = access::load(&state.db, principal, route_id, false).await?;
    access::audit_read(
        state,
        principal,
        &ctx,
        "route.dynamics_read",
        "route",
        route_id,
    );
    compute(&state.db, &ctx.route).await
}

/// The dynamics of a route (also for its conclusion and completion).
pub async fn compute(
    db: &impl sea_orm::ConnectionTrait,
    route: &crate::db::entities::route::Model,
) -> AppResult<RouteDynamicsDto> {
    let diagnostics = routes::diagnostics(db, route.id).await?;
    let entry = latest(&diagnostics, DiagnosticKind::Entry);
    let last = latest(&diagnostics, DiagnosticKind::Final);
    let ids: Vec<Uuid> = entry.iter().chain(last.iter()).map(|d| d.id).collect();
    let results = routes::diagnostic_results(db, &ids).await?;
    let deficits = routes::deficits(db, route.id).await?;
    let mut comp_ids: Vec<Uuid> = results.iter().map(|r| r.competency_id).collect();
    comp_ids.extend(deficits.iter().filter_map(|d| d.competency_id));
    let comps: HashMap<Uuid, competency::Model> = routes::competencies(db, &comp_ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let rule = match route.framework_id {
        Some(f) => framework::Entity::find_by_id(f)
            .one(db)
            .await?
            .map(|f| DeficitRule::parse(&f.deficit_rule))
            .unwrap_or_default(),
        None => DeficitRule::default(),
    };
    // Results by competency code, so versions of a framework compare.
    let of =
        |d: Option<&route_diagnostic::Model>| -> HashMap<String, (CompetencyLevel, Option<f64>)> {
            let Some(d) = d else { return HashMap::new() };
            results
                .iter()
                .filter(|r| r.diagnostic_id == d.id)
                .filter_map(|r| {
                    let c = comps.get(&r.competency_id)?;
                    Some((c.code.clone(), (r.level.parse().ok()?, r.score)))
                })
                .collect()
        };
    let a = of(entry);
    let b = of(last);
    let mut order: Vec<&competency::Model> = comps
        .values()
        .filter(|c| a.contains_key(&c.code) || b.contains_key(&c.code))
        .collect();
    order.sort_by_key(|c| (c.position, c.code.clone()));
    order.dedup_by(|x, y| x.code == y.code);
    let mut competencies = Vec::new();
    let mut trends = Vec::new();
    for c in order {
        let e = a.get(&c.code).copied();
        let l = b.get(&c.code).copied();
        let trend = match (e, l) {
            (Some((el, es)), Some((ll, ls))) => Some(rules::trend(el, es, ll, ls)),
            _ => None,
        };
        trends.extend(trend);
        competencies.push(CompetencyDynamics {
            competency: comp_ref(c),
            entry: e.map(|x| x.0),
            entry_score: e.and_then(|x| x.1),
            last: l.map(|x| x.0),
            last_score: l.and_then(|x| x.1),
            trend,
        });
    }
    let deficit_rows: Vec<DeficitDynamics> = deficits
        .iter()
        .map(|d| {
            let c = d.competency_id.and_then(|id| comps.get(&id));
            DeficitDynamics {
                deficit_id: d.id,
                title: d.title.clone(),
                competency: c.map(comp_ref),
                eliminated: c.and_then(|c| {
                    last.and(rules::deficit_eliminated(&rule, b.get(&c.code).copied()))
                }),
            }
        })
        .collect();
    let positive = rules::positive_dynamics(&trends);
    let criteria = CompletionCriteria {
        positive_dynamics: (entry.is_some() && last.is_some() && !trends.is_empty())
            .then_some(positive),
        deficits_eliminated: expert_verdict(route),
    };
    let count = |t: Trend| trends.iter().filter(|x| **x == t).count();
    let summary = if entry.is_none() || last.is_none() {
        "Для оценки динамики нужны входная и итоговая диагностики.".to_owned()
    } else {
        let eliminated = deficit_rows
            .iter()
            .filter(|d| d.eliminated == Some(true))
            .count();
        let assessed = deficit_rows
            .iter()
            .filter(|d| d.eliminated.is_some())
            .count();
        format!(
            "Динамика {}: рост по {} компетенциям, без изменений — {}, снижение — {}; устранено дефицитов: {} из {}.",
            if positive {
                "положительная"
            } else {
                "не положительная"
            },
            count(Trend::Improved),
            count(Trend::Same),
            count(Trend::Worse),
            eliminated,
            assessed
        )
    };
    Ok(RouteDynamicsDto {
        entry_diagnostic: entry.map(|d| d.name.clone()),
        final_diagnostic: last.map(|d| d.name.clone()),
        competencies,
        deficits: deficit_rows,
        positive,
        summary,
        suggested_outcome: workflow::suggested_outcome(criteria),
        criteria_dynamics: criteria.positive_dynamics,
        criteria_evaluation: criteria.deficits_eliminated,
    })
}

/// The expert's verdict on the product: every deficit eliminated or not (`None` before an
/// evaluation).
pub(crate) fn expert_verdict(route: &crate::db::entities::route::Model) -> Option<bool> {
    let evaluation: serde_json::Value = serde_json::from_str(route.evaluation.as_deref()?).ok()?;
    let verdicts = evaluation.get("verdicts")?.as_array()?;
    Some(
        verdicts
            .iter()
            .all(|v| v.get("eliminated").and_then(serde_json::Value::as_bool) == Some(true)),
    )
}

/// The completion criteria of a route, from its dynamics and expert evaluation.
pub fn criteria(dynamics: &RouteDynamicsDto) -> CompletionCriteria {
    CompletionCriteria {
        positive_dynamics: dynamics.criteria_dynamics,
        deficits_eliminated: dynamics.criteria_evaluation,
    }
}
