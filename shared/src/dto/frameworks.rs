//! Competency frameworks.

use uuid::Uuid;

domain_enum! {
    /// A framework version's life: edited as a draft, then published and never changed.
    pub enum FrameworkStatus {
        Draft => ("draft", "Черновик"),
        Published => ("published", "Опубликована"),
        Archived => ("archived", "В архиве"),
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetencyDto {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    /// The labour function of the professional standard «Педагог» (order 544н), e.g. `A/01.6`.
    pub labour_function: Option<String>,
    /// Scores up to this are a low level (when scores are used).
    pub low_max: Option<f64>,
    /// Scores up to this are a medium level; above, high.
    pub medium_max: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetencyGroupDto {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub competencies: Vec<CompetencyDto>,
}

/// A framework version with its groups and competencies.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameworkDto {
    pub id: Uuid,
    /// Stable across versions.
    pub code: String,
    pub name: String,
    pub version: i32,
    pub status: FrameworkStatus,
    /// The region that owns it; `None` for the platform's default.
    pub region_id: Option<Uuid>,
    pub groups: Vec<CompetencyGroupDto>,
    /// Which results are deficits.
    #[serde(default)]
    pub deficit_rule: crate::diagnostics::DeficitRule,
    /// The version it was copied from.
    #[serde(default)]
    pub based_on_id: Option<Uuid>,
    #[serde(default)]
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// How many times the draft was saved: send it back with the next change (a stale one
    /// gets 412).
    #[serde(default)]
    pub revision: i32,
}

impl FrameworkDto {
    pub fn competencies(&self) -> impl Iterator<Item = &CompetencyDto> {
        self.groups.iter().flat_map(|g| g.competencies.iter())
    }

    /// The framework as an editor's starting point: its whole content, at its revision.
    pub fn to_input(&self) -> crate::dto::FrameworkInput {
        crate::dto::FrameworkInput {
            revision: Some(self.revision),
            region_id: self.region_id,
            name: self.name.clone(),
            deficit_rule: Some(self.deficit_rule.clone()),
            groups: self
                .groups
                .iter()
                .map(|g| crate::dto::CompetencyGroupInput {
                    code: g.code.clone(),
                    name: g.name.clone(),
                    competencies: g
                        .competencies
                        .iter()
                        .map(|c| crate::dto::CompetencyInput {
                            code: c.code.clone(),
                            name: c.name.clone(),
                            description: c.description.clone(),
                            labour_function: c.labour_function.clone(),
                            low_max: c.low_max,
                            medium_max: c.medium_max,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The version new routes and campaigns of a region take by default: the region's newest
/// published framework, else the platform's own (`region_id` `None`), as the server decides.
pub fn region_default(frameworks: &[FrameworkDto], region: uuid::Uuid) -> Option<&FrameworkDto> {
    let published = || {
        frameworks
            .iter()
            .filter(|f| f.status == FrameworkStatus::Published)
    };
    published()
        .filter(|f| f.region_id == Some(region))
        .max_by_key(|f| f.published_at)
        .or_else(|| published().find(|f| f.region_id.is_none()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::DeficitRule;
    use crate::dto::{CompetencyGroupInput, CompetencyInput, FrameworkInput};
    use chrono::{TimeZone, Utc};

    fn framework(region: Option<Uuid>, status: FrameworkStatus, day: u32) -> FrameworkDto {
        FrameworkDto {
            id: Uuid::from_u128(u128::from(day)),
            code: "f".into(),
            name: "Рамка".into(),
            version: 1,
            status,
            region_id: region,
            groups: Vec::new(),
            deficit_rule: DeficitRule::default(),
            based_on_id: None,
            published_at: Some(Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap()),
            revision: 1,
        }
    }

    #[test]
    fn a_region_takes_its_newest_published_framework_else_the_platforms() {
        let region = Uuid::from_u128(100);
        let platform = framework(None, FrameworkStatus::Published, 1);
        let old = framework(Some(region), FrameworkStatus::Published, 2);
        let new = framework(Some(region), FrameworkStatus::Published, 3);
        let draft = framework(Some(region), FrameworkStatus::Draft, 4);
        let other = framework(Some(Uuid::from_u128(101)), FrameworkStatus::Published, 5);
        let all = vec![platform.clone(), old, new.clone(), draft, other];
        assert_eq!(region_default(&all, region).map(|f| f.id), Some(new.id));
        assert_eq!(
            region_default(&all, Uuid::from_u128(102)).map(|f| f.id),
            Some(platform.id)
        );
    }

    fn competency(code: &str, low: Option<f64>, medium: Option<f64>) -> CompetencyInput {
        CompetencyInput {
            code: code.into(),
            name: "Компетенция".into(),
            description: None,
            labour_function: None,
            low_max: low,
            medium_max: medium,
        }
    }

    #[test]
    fn tree_problems_name_the_field_at_fault() {
        let mut input = FrameworkInput {
            revision: Some(1),
            region_id: None,
            name: "Рамка".into(),
            deficit_rule: None,
            groups: vec![
                CompetencyGroupInput {
                    code: "П".into(),
                    name: "Предметные".into(),
                    competencies: vec![competency("П.1", Some(49.0), Some(79.0))],
                },
                CompetencyGroupInput {
                    code: "М".into(),
                    name: "Методические".into(),
                    competencies: vec![
                        competency("П.1", None, None),
                        competency("М.2", Some(80.0), Some(50.0)),
                        competency("М.3", Some(-1.0), None),
                    ],
                },
            ],
        };
        let fields: Vec<String> = input.tree_problems().into_iter().map(|p| p.0).collect();
        assert_eq!(
            fields,
            [
                "groups[1].competencies[0].code",
                "groups[1].competencies[1].medium_max",
                "groups[1].competencies[2].low_max",
            ]
        );
        input.groups.truncate(1);
        input.deficit_rule = Some(DeficitRule {
            levels: Vec::new(),
            score_below: None,
        });
        let fields: Vec<String> = input.tree_problems().into_iter().map(|p| p.0).collect();
        assert_eq!(fields, ["deficit_rule"]);
        input.deficit_rule = None;
        assert!(input.tree_problems().is_empty());
        input.groups[0].competencies.clear();
        let fields: Vec<String> = input.tree_problems().into_iter().map(|p| p.0).collect();
        assert_eq!(fields, ["groups"]);
    }
}
