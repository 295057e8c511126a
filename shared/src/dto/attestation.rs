//! Attestation clocks: a teacher's own, and the list of a unit's teachers who are due.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::attestation::{ClockState, TrainingSource};

/// One piece of further training the platform knows of.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingDto {
    pub title: String,
    pub finished_on: NaiveDate,
    pub hours: f64,
    pub source: TrainingSource,
    /// Long enough (16 hours or more) to count as further training.
    pub counts: bool,
}

/// A teacher's attestation clocks today.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttestationDto {
    pub person_id: Uuid,
    pub full_name: String,
    /// The qualification category, as in the profile.
    pub category: Option<String>,
    /// When it was given (the profile's date).
    pub category_on: Option<NaiveDate>,
    /// When it runs out: five years on.
    pub category_until: Option<NaiveDate>,
    /// Days until then (negative: already run out).
    pub days_left: Option<i64>,
    /// The latest further training of 16 hours or more.
    pub last_training_on: Option<NaiveDate>,
    /// When further training is next due: three years after the last (today without one).
    pub training_due_on: NaiveDate,
    /// Hours of training finished in the last three years.
    pub hours_in_period: f64,
    pub state: ClockState,
    /// Every training known, newest first.
    pub trainings: Vec<TrainingDto>,
}

/// `?within_days=` of a unit's list (default 90).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AttestationFilter {
    /// Teachers whose category runs out within this many days, or whose training is overdue
    /// (1 to 730; default 90).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 730))]
    pub within_days: Option<i64>,
}
