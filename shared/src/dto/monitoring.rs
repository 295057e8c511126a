//! The route dashboard of a unit (`GET /analytics/routes`).

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::UnitRef;
use crate::monitoring::Rate;
use crate::org::UnitKind;
use crate::route::{RouteStatus, Stage};

/// The unit and the period to look at. Without a unit, the caller's own widest managed unit;
/// without dates, every route. A route counts when its period overlaps `from`..`to`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RouteDashboardQuery {
    pub unit_id: Option<Uuid>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCount {
    pub status: RouteStatus,
    pub routes: u64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageCount {
    pub stage: Stage,
    pub routes: u64,
}

/// Days spent in a stage by the routes that have left it (see `monitoring::days_per_stage`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageTime {
    pub stage: Stage,
    /// Routes the figures are taken over.
    pub routes: u64,
    pub median_days: Option<f64>,
    pub p90_days: Option<f64>,
}

/// A deficit or an educational request and how many routes name it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Frequency {
    pub title: String,
    pub routes: u64,
}

/// The main counts of a unit one level below (or, below a school, of one teacher).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteDashboardRow {
    pub id: Uuid,
    pub name: String,
    /// The unit's kind; absent for a teacher's row.
    pub kind: Option<UnitKind>,
    pub routes: u64,
    /// Routes per phase, in the order of `RoutePhase::ALL`.
    pub phases: Vec<u64>,
    pub started: u64,
    pub completed: u64,
    pub achieved: u64,
    pub stalled: u64,
    pub overdue_activities: u64,
}

/// How a unit's routes are going.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteDashboard {
    pub unit: UnitRef,
    /// The units from the region down to this one that the caller may open (breadcrumb).
    pub trail: Vec<UnitRef>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// When the figures were taken (stalled and overdue are as of this moment).
    pub as_of: DateTime<Utc>,
    /// Days a route may wait in one step before it counts as stalled.
    pub max_days_per_step: u32,
    pub routes: u64,
    /// Every status, in the workflow's order.
    pub by_status: Vec<StatusCount>,
    /// Every stage, in the regulation's order.
    pub by_stage: Vec<StageCount>,
    /// Routes whose implementation has started, of all routes.
    pub started: Rate,
    /// Completed routes, of those started.
    pub completed: Rate,
    /// Completed with the development task achieved, of those completed.
    pub achieved: Rate,
    /// Roadmap activities of routes being implemented whose date has passed without being
    /// done or cancelled.
    pub overdue_activities: u64,
    /// Routes being implemented with at least one overdue activity.
    pub routes_with_overdue: u64,
    /// Routes waiting in one step longer than `max_days_per_step`.
    pub stalled: u64,
    pub stage_times: Vec<StageTime>,
    /// Confirmed deficits named by most routes, most first (at most 10).
    pub top_deficits: Vec<Frequency>,
    /// Educational requests named by most routes, most first (at most 10).
    pub top_requests: Vec<Frequency>,
    /// One row per unit one level below (teachers below a school).
    pub children: Vec<RouteDashboardRow>,
}
