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
}

impl FrameworkDto {
    pub fn competencies(&self) -> impl Iterator<Item = &CompetencyDto> {
        self.groups.iter().flat_map(|g| g.competencies.iter())
    }
}
