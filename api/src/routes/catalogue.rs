//! Catalogue endpoints (under `/api/v1`): the calendar of educational events, enrolment and
//! attendance, recommendations, cohorts, and iCalendar feeds.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use shared::dto::catalogue::*;
use shared::dto::{Page, RouteDto};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::catalogue::{cohorts, enrol, events, ical, recommend};
use crate::state::AppState;

type Json<T> = web::Json<T>;

/// Registers this area's endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_events)
        .service(events_ics)
        .service(create_event)
        .service(get_event)
        .service(update_event)
        .service(publish_event)
        .service(cancel_event)
        .service(register)
        .service(unregister)
        .service(attendance_sheet)
        .service(mark_attendance)
        .service(upload_certificate)
        .service(my_enrolments)
        .service(recommend_event)
        .service(recommendations)
        .service(add_to_roadmap)
        .service(list_cohorts)
        .service(make_calendar_feed)
        .service(revoke_calendar_feed)
        .service(feed_events)
        .service(feed_roadmap);
}

fn ics(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .body(body)
}

/// The calendar: published events of the caller's school, municipality, district and region
/// (and, for managers, the drafts they organise), filtered by competency, level, format, kind,
/// organiser, dates (`from`/`to`: a month view asks for its first and last day) and text.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(EventFilter),
    responses((status = 200, body = Page<EventSummary>), docs::BadRequest, docs::Unauthorized)
)]
#[get("/catalogue/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    principal: Principal,
    filter: web::Query<EventFilter>,
) -> AppResult<Json<Page<EventSummary>>> {
    Ok(web::Json(
        events::list(&state.db, &principal, filter.into_inner()).await?,
    ))
}

/// The caller's calendar as an iCalendar file (to download once; for a subscription use the
/// secret feed address from `POST /me/calendar-feed`).
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    responses((status = 200, description = "RFC 5545 calendar", content_type = "text/calendar", body = String), docs::Unauthorized)
)]
#[get("/catalogue/events.ics")]
pub async fn events_ics(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<HttpResponse> {
    Ok(ics(ical::events_feed(&state.db, &principal).await?))
}

/// Create a draft event organised by the caller's unit (or `organiser_id`, a unit the caller
/// manages); the level defaults to the organiser's.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    request_body = EventInput,
    responses((status = 201, body = EventDto), docs::Unauthorized, docs::Forbidden, docs::Unprocessable)
)]
#[post("/catalogue/events")]
pub async fn create_event(
    state: web::Data<AppState>,
    principal: Principal,
    body: super::Body<EventInput>,
) -> AppResult<HttpResponse> {
    let e = events::create(&state, &principal, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/catalogue/events/{}", e.summary.id),
        ))
        .json(e))
}

/// One event with seats, the caller's enrolment (and waiting-list position), and what the
/// caller may do.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The event's id")),
    responses((status = 200, body = EventDto), docs::Unauthorized, docs::NotFound)
)]
#[get("/catalogue/events/{id}")]
pub async fn get_event(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<EventDto>> {
    Ok(web::Json(events::get(&state.db, &principal, *id).await?))
}

/// Edit an event (its organiser; the version it was based on is required).
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The event's id")),
    request_body = EventInput,
    responses((status = 200, body = EventDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable)
)]
#[put("/catalogue/events/{id}")]
pub async fn update_event(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<EventInput>,
) -> AppResult<Json<EventDto>> {
    Ok(web::Json(
        events::update(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Publish a draft: it appears in the calendars of its audience.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The event's id")),
    request_body = EventStep,
    responses((status = 200, body = EventDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable)
)]
#[post("/catalogue/events/{id}/publish")]
pub async fn publish_event(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<EventStep>,
) -> AppResult<Json<EventDto>> {
    Ok(web::Json(
        events::publish(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Cancel an event, with a reason shown to those enrolled.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The event's id")),
    request_body = EventStep,
    responses((status = 200, body = EventDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable)
)]
#[post("/catalogue/events/{id}/cancel")]
pub async fn cancel_event(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<EventStep>,
) -> AppResult<Json<EventDto>> {
    Ok(web::Json(
        events::cancel(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Register the caller: a seat while any are free (never over-booked, whatever arrives at
/// once), else the waiting list.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The event's id")),
    responses((status = 200, body = EventDto), docs::Unauthorized, docs::NotFound, docs::Conflict)
)]
#[post("/catalogue/events/{id}/enrolment")]
pub async fn register(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<EventDto>> {
    Ok(web::Json(enrol::register(&state, &principal, *id).await?))
}

/// Cancel the caller's registration; the seat goes to the first on the waiting list.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The event's id")),
    responses((status = 200, body = EventDto), docs::Unauthorized, docs::NotFound, docs::Conflict)
)]
#[delete("/catalogue/events/{id}/enrolment")]
pub async fn unregister(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<EventDto>> {
    Ok(web::Json(enrol::unregister(&state, &principal, *id).await?))
}

/// The attendance sheet: everyone registered or waiting, in order (the organiser's).
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The event's id")),
    responses((status = 200, body = Vec<EnrolmentDto>), docs::Unauthorized, docs::Forbidden, docs::NotFound)
)]
#[get("/catalogue/events/{id}/enrolments")]
pub async fn attendance_sheet(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<Vec<EnrolmentDto>>> {
    Ok(web::Json(enrol::sheet(&state.db, &principal, *id).await?))
}

/// Mark whether a registered person took part. Attendance with a certificate marks the
/// person's roadmap activity for the event done, the certificate attached as evidence.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The enrolment's id")),
    request_body = AttendanceInput,
    responses((status = 200, body = EnrolmentDto), docs::Unauthorized, docs::NotFound, docs::Conflict)
)]
#[put("/catalogue/enrolments/{id}/attendance")]
pub async fn mark_attendance(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<AttendanceInput>,
) -> AppResult<Json<EnrolmentDto>> {
    Ok(web::Json(
        enrol::mark(&state, &principal, *id, body.into_inner()).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CertificateQuery {
    /// The file's name, as people will see it.
    pub name: String,
}

/// Upload a participant's certificate (the organiser, or the participant). The body is the
/// file (PDF, JPEG, PNG, DOC/DOCX, ODT…), its `Content-Type` set.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The enrolment's id"), CertificateQuery),
    request_body(content = inline(crate::openapi::FileBytes), content_type = "application/octet-stream", description = "The file's bytes"),
    responses((status = 200, body = EnrolmentDto), docs::Unauthorized, docs::NotFound, docs::Conflict, docs::PayloadTooLarge, docs::Unprocessable)
)]
#[post("/catalogue/enrolments/{id}/certificate")]
pub async fn upload_certificate(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    q: web::Query<CertificateQuery>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<Json<EnrolmentDto>> {
    enrol::may_upload_certificate(&state, &principal, *id).await?;
    let bytes = super::read_body(payload, state.settings.max_upload_bytes).await?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    Ok(web::Json(
        enrol::certificate(&state, &principal, *id, &q.name, &content_type, &bytes).await?,
    ))
}

/// The caller's own enrolments (registered, waiting, attended).
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<EnrolmentDto>), docs::Unauthorized)
)]
#[get("/catalogue/enrolments/mine")]
pub async fn my_enrolments(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<EnrolmentDto>>> {
    Ok(web::Json(enrol::mine(&state.db, &principal).await?))
}

/// Recommend an event to teachers — one, or a whole cohort at once (their managers, tutor or
/// mentor). It appears in each teacher's cabinet with who recommended it.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The event's id")),
    request_body = RecommendInput,
    responses((status = 200, body = RecommendResult), docs::Unauthorized, docs::NotFound, docs::Conflict, docs::Unprocessable)
)]
#[post("/catalogue/events/{id}/recommendations")]
pub async fn recommend_event(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<RecommendInput>,
) -> AppResult<Json<RecommendResult>> {
    Ok(web::Json(
        recommend::recommend(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Events for a teacher (by default the caller): upcoming events ranked by the deficits of
/// their open routes (or one route) they cover, the organiser's closeness, free seats and
/// dates inside the route's period, each with its reasons; and the events people recommended.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(RecommendationQuery),
    responses((status = 200, body = RecommendationsDto), docs::Unauthorized, docs::NotFound, docs::Unprocessable)
)]
#[get("/catalogue/recommendations")]
pub async fn recommendations(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<RecommendationQuery>,
) -> AppResult<Json<RecommendationsDto>> {
    Ok(web::Json(
        recommend::for_teacher(&state.db, &principal, q.into_inner()).await?,
    ))
}

/// Add an event to a route's roadmap in one call: name, dates, level, form, hours,
/// competencies and the route's deficits in them are filled in from the event and the route.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The event's id")),
    request_body = AddToRoadmap,
    responses((status = 200, description = "The route with the new activity", body = RouteDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable)
)]
#[post("/catalogue/events/{id}/roadmap")]
pub async fn add_to_roadmap(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<AddToRoadmap>,
) -> AppResult<Json<RouteDto>> {
    Ok(web::Json(
        recommend::add_to_roadmap(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Cohorts of a unit: teachers whose open routes share a confirmed deficit in one competency —
/// and, with `campaign_id`, those whose results in that diagnostic campaign show a deficit in
/// it by the framework's rule — largest first, with how many upcoming events already develop it.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(CohortQuery),
    responses((status = 200, body = Vec<CohortDto>), docs::Unauthorized, docs::NotFound)
)]
#[get("/catalogue/cohorts")]
pub async fn list_cohorts(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<CohortQuery>,
) -> AppResult<Json<Vec<CohortDto>>> {
    Ok(web::Json(
        cohorts::list(&state.db, &principal, q.into_inner()).await?,
    ))
}

/// Make the caller's secret calendar addresses (events and own roadmap) for calendar programs,
/// which cannot send a token. Making new ones revokes the old; they are shown only now.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    responses((status = 200, body = CalendarFeedDto), docs::Unauthorized)
)]
#[post("/me/calendar-feed")]
pub async fn make_calendar_feed(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<Json<CalendarFeedDto>> {
    Ok(web::Json(ical::make_feed(&state, &principal).await?))
}

/// Revoke the caller's calendar addresses.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), docs::Unauthorized)
)]
#[delete("/me/calendar-feed")]
pub async fn revoke_calendar_feed(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<HttpResponse> {
    ical::revoke_feed(&state, &principal).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The calendar of a feed's owner (the secret address is the credential).
#[utoipa::path(
    tag = "catalogue",
    params(("token" = String, Path, description = "The secret part of the feed address")),
    responses((status = 200, description = "RFC 5545 calendar", content_type = "text/calendar", body = String), docs::NotFound)
)]
#[get("/calendar/{token}/events.ics")]
pub async fn feed_events(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let owner = ical::feed_owner(&state.db, &token).await?;
    Ok(ics(ical::events_feed(&state.db, &owner).await?))
}

/// The roadmap of a feed's owner: every dated activity of their routes.
#[utoipa::path(
    tag = "catalogue",
    params(("token" = String, Path, description = "The secret part of the feed address")),
    responses((status = 200, description = "RFC 5545 calendar", content_type = "text/calendar", body = String), docs::NotFound)
)]
#[get("/calendar/{token}/roadmap.ics")]
pub async fn feed_roadmap(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let owner = ical::feed_owner(&state.db, &token).await?;
    Ok(ics(ical::roadmap_feed(&state.db, owner.id()).await?))
}
