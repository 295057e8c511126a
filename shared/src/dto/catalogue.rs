//! The catalogue of educational events, enrolment, recommendations and cohorts over the API.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;
use validator::Validate;

use crate::catalogue::{
    EnrolmentStatus, EventFormat, EventKind, EventStatus, Proximity, SchoolLevel,
};
use crate::dto::{CompetencyRef, PersonRef, UnitRef, non_blank};
use crate::levels::EventLevel;

/// An event as listed in the calendar.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventSummary {
    pub id: Uuid,
    pub version: i32,
    pub title: String,
    pub kind: EventKind,
    pub level: EventLevel,
    pub format: EventFormat,
    pub status: EventStatus,
    pub organiser: UnitRef,
    pub place: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub hours: Option<f64>,
    pub capacity: Option<i32>,
    /// Seats left (`null`: no limit).
    pub free_seats: Option<u64>,
    pub registration_deadline: Option<NaiveDate>,
    pub competencies: Vec<CompetencyRef>,
    /// The caller's own enrolment status, if any (a cancelled one is not shown).
    pub my_status: Option<EnrolmentStatus>,
}

/// The caller's place on an event.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyEnrolment {
    pub id: Uuid,
    pub status: EnrolmentStatus,
    /// Position on the waiting list (1 = next), when waitlisted.
    pub waitlist_position: Option<u64>,
    /// The roadmap activity the event was added to.
    pub route_id: Option<Uuid>,
    pub activity_id: Option<Uuid>,
    pub certificate_name: Option<String>,
}

/// A whole event with what the caller may do with it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventDto {
    #[serde(flatten)]
    pub summary: EventSummary,
    pub description: Option<String>,
    pub link: Option<String>,
    pub schedule: Option<String>,
    pub audience_subjects: Vec<String>,
    pub audience_levels: Vec<SchoolLevel>,
    pub registered: u64,
    pub waitlisted: u64,
    pub created_by: PersonRef,
    pub published_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    pub my_enrolment: Option<MyEnrolment>,
    /// The caller organises it: edits, publishes, cancels, keeps attendance.
    pub can_manage: bool,
    /// The caller may register now (published, not past the deadline, not enrolled).
    pub can_enrol: bool,
}

/// A new event or an edit of one (drafts and published events alike; a stale `version` gets 412).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventInput {
    /// Required when editing.
    #[serde(default)]
    pub version: Option<i32>,
    #[validate(
        length(max = 300, message = "Не более 300 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 300,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub title: String,
    pub kind: EventKind,
    /// The organising unit; by default the caller's own.
    #[serde(default)]
    pub organiser_id: Option<Uuid>,
    /// By default the organiser's level.
    #[serde(default)]
    pub level: Option<EventLevel>,
    pub format: EventFormat,
    #[serde(default)]
    #[validate(length(max = 300, message = "Не более 300 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub place: Option<String>,
    /// An absolute `http` or `https` address (see `shared::links`).
    #[serde(default)]
    #[validate(custom(function = "crate::links::validate"))]
    pub link: Option<String>,
    #[serde(default)]
    #[validate(length(max = 10000, message = "Не более 10 000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 10000))]
    pub description: Option<String>,
    pub starts_on: NaiveDate,
    /// By default the day it starts.
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    #[serde(default)]
    #[validate(length(max = 2000, message = "Не более 2000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub schedule: Option<String>,
    #[serde(default)]
    #[validate(range(min = 0.0, max = 2000.0, message = "От 0 до 2000 часов"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0, maximum = 2000.0))]
    pub hours: Option<f64>,
    /// Seats; none for no limit.
    #[serde(default)]
    #[validate(range(min = 1, max = 100000, message = "От 1 до 100 000 мест"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100000))]
    pub capacity: Option<i32>,
    #[serde(default)]
    pub registration_deadline: Option<NaiveDate>,
    #[serde(default)]
    pub competency_ids: Vec<Uuid>,
    #[serde(default)]
    #[validate(length(max = 30, message = "Не более 30 предметов"))]
    #[cfg_attr(feature = "openapi", schema(max_items = 30))]
    pub audience_subjects: Vec<String>,
    #[serde(default)]
    pub audience_levels: Vec<SchoolLevel>,
}

/// Publishing or cancelling an event.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventStep {
    pub version: i32,
    /// Why it is cancelled (shown to those enrolled).
    #[serde(default)]
    #[validate(length(max = 2000, message = "Не более 2000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub reason: Option<String>,
}

/// Filters of the calendar.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct EventFilter {
    /// Text in the title, description or place.
    pub q: Option<String>,
    pub competency_id: Option<Uuid>,
    pub level: Option<EventLevel>,
    pub format: Option<EventFormat>,
    pub kind: Option<EventKind>,
    pub organiser_id: Option<Uuid>,
    /// Events running on or after this day (a month view asks for its first day).
    pub from: Option<NaiveDate>,
    /// Events running on or before this day.
    pub to: Option<NaiveDate>,
    /// By default published and cancelled events, plus the drafts the caller manages.
    pub status: Option<EventStatus>,
    /// Only events the caller is enrolled in.
    pub mine: Option<bool>,
    /// Only this event (one attendance sheet's export).
    pub event_id: Option<Uuid>,
    /// Items to skip, at most 1 000 000 (past that, narrow the filters).
    #[cfg_attr(feature = "openapi", param(minimum = 0, maximum = 1000000))]
    pub offset: Option<u64>,
    /// Items per page, 1–500 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub limit: Option<u64>,
}

/// One line of the attendance sheet.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentDto {
    pub id: Uuid,
    pub event_id: Uuid,
    pub person: PersonRef,
    pub school: Option<UnitRef>,
    pub status: EnrolmentStatus,
    pub waitlist_position: Option<u64>,
    pub registered_at: DateTime<Utc>,
    pub route_id: Option<Uuid>,
    pub activity_id: Option<Uuid>,
    pub certificate_name: Option<String>,
}

/// The organiser's mark.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceInput {
    pub attended: bool,
}

/// Recommending an event to one teacher or to a whole cohort.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendInput {
    #[validate(length(min = 1, max = 500, message = "От 1 до 500 педагогов"))]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub teacher_ids: Vec<Uuid>,
    #[serde(default)]
    #[validate(length(max = 2000, message = "Не более 2000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub note: Option<String>,
}

/// How many teachers got the recommendation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendResult {
    pub recommended: u64,
}

/// A deficit an event covers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoveredDeficit {
    pub deficit_id: Uuid,
    pub route_id: Uuid,
    pub title: String,
    pub competency: CompetencyRef,
}

/// An event recommended by the ranking, with its reasons.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankedEvent {
    pub event: EventSummary,
    pub covers: Vec<CoveredDeficit>,
    pub proximity: Proximity,
    pub has_seats: bool,
    pub in_period: bool,
    pub score: i64,
    /// The reasons in Russian, one a line.
    pub reasons: Vec<String>,
}

/// An event a person recommended.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonalRecommendation {
    pub id: Uuid,
    pub event: EventSummary,
    pub recommended_by: PersonRef,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// What the teacher's cabinet shows under «Рекомендовано мне».
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendationsDto {
    pub teacher: PersonRef,
    /// The route whose deficits and period were used.
    pub route_id: Option<Uuid>,
    pub personal: Vec<PersonalRecommendation>,
    pub ranked: Vec<RankedEvent>,
}

/// Whose recommendations, for which route.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RecommendationQuery {
    /// By default the caller.
    pub teacher_id: Option<Uuid>,
    /// By default the teacher's current routes (every open one).
    pub route_id: Option<Uuid>,
    /// At most this many ranked events, 1–200 (20 by default).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u64>,
}

/// Adding an event to a route's roadmap.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddToRoadmap {
    pub route_id: Uuid,
}

/// A teacher in a cohort.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CohortMember {
    pub person: PersonRef,
    pub school: Option<UnitRef>,
    /// The teacher's open route with the deficit confirmed, if there is one.
    pub route_id: Option<Uuid>,
    /// The deficit was found in the chosen campaign's results (by the framework's rule).
    #[serde(default)]
    pub in_campaign: bool,
}

/// Teachers of a unit sharing a deficit in one competency: confirmed in their routes, or
/// found in a campaign's results.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CohortDto {
    pub competency: CompetencyRef,
    pub members: Vec<CohortMember>,
    /// Published upcoming events in the caller's calendar that develop the competency.
    pub upcoming_events: u64,
}

/// Which unit's cohorts.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct CohortQuery {
    pub unit_id: Uuid,
    /// Also group teachers whose results in this diagnostic campaign show a deficit by the
    /// framework's rule.
    pub campaign_id: Option<Uuid>,
    /// Smallest group shown (2 by default).
    pub min_size: Option<u64>,
}

/// The caller's secret calendar addresses (shown once, when made).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarFeedDto {
    /// Published events in the person's calendar.
    pub events_url: String,
    /// The person's own roadmap.
    pub roadmap_url: String,
}
