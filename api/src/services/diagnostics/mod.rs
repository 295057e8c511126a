//! Diagnostics services: frameworks' editing, campaigns, results (by hand, imported,
//! self-assessed), proposed deficits, a route's diagnostic from a campaign and its dynamics, and
//! the managers' view.

pub mod analytics;
pub mod campaigns;
pub mod demo;
pub mod drafts;
pub mod frameworks;
pub mod import;
pub mod results;
pub mod rollup;
pub mod route;

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use shared::diagnostics::{DeficitRule, ScoreRanges};
use shared::dto::{CampaignBrief, CompetencyRef};
use shared::{DiagnosticKind, EventLevel, UnitKind, UnitPath};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::{
    competency, competency_group, diagnostic_campaign, diagnostic_result, framework, org_unit,
};
use crate::db::{self, units};
use crate::error::{AppError, AppResult};

/// A campaign with where it sits.
pub struct Campaign {
    pub model: diagnostic_campaign::Model,
    pub level: EventLevel,
    pub kind: DiagnosticKind,
    pub organiser: org_unit::Model,
    pub organiser_path: UnitPath,
    pub unit: org_unit::Model,
    pub unit_path: UnitPath,
}

impl Campaign {
    pub fn can_manage(&self, principal: &Principal) -> bool {
        principal
            .actor
            .can_manage_campaign(self.level, &self.organiser_path)
    }

    pub fn brief(&self) -> CampaignBrief {
        CampaignBrief {
            id: self.model.id,
            name: self.model.name.clone(),
            level: self.level,
            kind: self.kind,
            date: self.model.date,
            framework_id: self.model.framework_id,
        }
    }

    /// Whether a person working at `workplace` is among those the campaign covers.
    pub fn covers(&self, workplace: Option<&UnitPath>) -> bool {
        workplace.is_some_and(|w| self.unit_path.contains(w))
    }
}

/// Loads a campaign the principal may see (404 otherwise).
pub async fn load_campaign(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<Campaign> {
    let model = diagnostic_campaign::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let organiser = units::find(db, model.organiser_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit = units::find(db, model.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let organiser_path = units::path(&organiser)?;
    if !principal.actor.can_read_campaign(&organiser_path) {
        return Err(AppError::NotFound);
    }
    Ok(Campaign {
        level: db::parse_code(&model.level)?,
        kind: db::parse_code(&model.kind)?,
        unit_path: units::path(&unit)?,
        organiser_path,
        organiser,
        unit,
        model,
    })
}

/// A framework's competencies with their group codes, in order, and its deficit rule.
pub struct Framework {
    pub model: framework::Model,
    pub competencies: Vec<(competency::Model, String)>,
    pub rule: DeficitRule,
}

impl Framework {
    pub fn find(&self, id: Uuid) -> Option<&(competency::Model, String)> {
        self.competencies.iter().find(|(c, _)| c.id == id)
    }

    pub fn by_code(&self) -> HashMap<String, &competency::Model> {
        self.competencies
            .iter()
            .map(|(c, _)| (tabular_key(&c.code), c))
            .collect()
    }
}

/// A competency code as matched against a file's header: case, spaces and punctuation aside.
pub fn tabular_key(code: &str) -> String {
    crate::tabular::header_key(code)
}

pub fn ranges(c: &competency::Model) -> ScoreRanges {
    ScoreRanges {
        low_max: c.low_max,
        medium_max: c.medium_max,
    }
}

pub fn comp_ref(c: &competency::Model) -> CompetencyRef {
    CompetencyRef {
        id: c.id,
        code: c.code.clone(),
        name: c.name.clone(),
    }
}

pub async fn load_framework(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Framework> {
    let model = framework::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let groups: HashMap<Uuid, String> = competency_group::Entity::find()
        .filter(competency_group::Column::FrameworkId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.code))
        .collect();
    let competencies = competency::Entity::find()
        .filter(competency::Column::FrameworkId.eq(id))
        .order_by_asc(competency::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|c| {
            let g = groups.get(&c.group_id).cloned().unwrap_or_default();
            (c, g)
        })
        .collect();
    Ok(Framework {
        rule: DeficitRule::parse(&model.deficit_rule),
        model,
        competencies,
    })
}

/// The column of a result's place that holds a unit of `kind`.
pub fn place_column(kind: UnitKind) -> diagnostic_result::Column {
    match kind {
        UnitKind::Region => diagnostic_result::Column::RegionId,
        UnitKind::District => diagnostic_result::Column::DistrictId,
        UnitKind::Municipality => diagnostic_result::Column::MunicipalityId,
        UnitKind::School => diagnostic_result::Column::SchoolId,
    }
}

/// Results within a unit's subtree.
pub fn within(path: &UnitPath) -> Condition {
    Condition::all().add(place_column(path.kind()).eq(path.leaf()))
}

/// The SQL form of "results this principal may see in lists": their own, and those of the
/// units they manage (the policy's `manages`). Personal links (tutor, mentor) read one person
/// at a time.
pub fn visible_results(principal: &Principal) -> Condition {
    let mut any = Condition::any().add(diagnostic_result::Column::PersonId.eq(principal.id()));
    for g in &principal.actor.grants {
        if let (true, Some(u)) = (g.role.manages_unit(), g.unit) {
            any = any.add(within(&u));
        }
    }
    any
}

/// The SQL form of the rule: the result is a deficit.
pub fn deficit_condition(rule: &DeficitRule) -> Condition {
    let mut any = Condition::any().add(
        diagnostic_result::Column::Level.is_in(rule.levels.iter().map(|l| l.as_str().to_owned())),
    );
    if let Some(t) = rule.score_below.filter(|t| t.is_finite()) {
        any = any.add(diagnostic_result::Column::Score.lt(t));
    }
    any
}

/// How many distinct people have results in a campaign under `cond`.
pub async fn count_people(
    db: &impl ConnectionTrait,
    campaign: Uuid,
    cond: Condition,
) -> AppResult<u64> {
    use sea_orm::QuerySelect;
    let n: Option<i64> = diagnostic_result::Entity::find()
        .select_only()
        .expr_as(Expr::cust("COUNT(DISTINCT person_id)"), "n")
        .filter(diagnostic_result::Column::CampaignId.eq(campaign))
        .filter(cond)
        .into_tuple()
        .one(db)
        .await?;
    Ok(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
}

/// The deficit's title in a route: the competency's code and name.
pub fn deficit_title(c: &competency::Model) -> String {
    format!("{} {}", c.code, c.name)
}
