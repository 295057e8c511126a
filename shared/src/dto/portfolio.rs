//! The teacher's attestation portfolio ([`crate::portfolio`]).

use chrono::NaiveDate;

use crate::portfolio::{PortfolioItemKind, PortfolioSection};

/// One item the teacher may include.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioItemDto {
    /// The item's key in a selection (`route:<uuid>`).
    pub key: String,
    pub kind: PortfolioItemKind,
    pub title: String,
    /// When it began, if it lasted.
    pub starts_on: Option<NaiveDate>,
    /// When it ended or took place.
    pub ends_on: Option<NaiveDate>,
    /// Hours of further training it gave.
    pub hours: Option<f64>,
    /// What the documents print under the title: conclusion, dynamics, level, certificate.
    pub details: Vec<String>,
    /// The public verification page of a certificate (what its QR code opens).
    pub verify_url: Option<String>,
}

/// One criterion of the commission with its items.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioSectionDto {
    pub section: PortfolioSection,
    pub title: String,
    pub items: Vec<PortfolioItemDto>,
}

/// Hours of further training in one academic year.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearHoursDto {
    /// «2025/2026 уч. г.»
    pub label: String,
    pub hours: f64,
    /// Programmes of 16 hours or more finished that year.
    pub courses: usize,
}

/// The portfolio: who, the sections per criterion, and the hours of further training.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioDto {
    pub full_name: String,
    pub position: Option<String>,
    pub school: Option<String>,
    pub category: Option<String>,
    pub category_on: Option<NaiveDate>,
    /// Every criterion, in the commission's order (empty ones included).
    pub sections: Vec<PortfolioSectionDto>,
    /// Each academic year of the last five, newest first.
    pub hours_by_year: Vec<YearHoursDto>,
    /// Hours in the last three years (the further-training clock).
    pub hours_last_three_years: f64,
    /// Hours in the last five years (the period between attestations).
    pub hours_last_five_years: f64,
    pub generated_on: NaiveDate,
}

/// `?items=` of the portfolio's files: the keys to include, comma-separated; all without it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PortfolioQuery {
    /// Item keys (`route:<uuid>,event:<uuid>`) to include; every item when absent. The
    /// pattern is `crate::portfolio::SELECTION_PATTERN` (a test holds them equal).
    #[cfg_attr(
        feature = "openapi",
        param(
            min_length = 1,
            max_length = 8000,
            pattern = "^(route|certificate|event|product|public_event|mentoring_received|mentoring_given):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(,(route|certificate|event|product|public_event|mentoring_received|mentoring_given):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})*$"
        )
    )]
    pub items: Option<String>,
}
