//! Diagnostics endpoints (under `/api/v1`): editing frameworks, campaigns, results, imports,
//! self-assessment, a route's diagnostic from a campaign and its dynamics, the managers' view.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use shared::dto::*;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::diagnostics::{
    analytics, campaigns, drafts, frameworks, import, results, route as route_diag,
};
use crate::state::AppState;

type Json<T> = web::Json<T>;

/// Registers this area's endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_framework)
        .service(update_framework)
        .service(copy_framework)
        .service(publish_framework)
        .service(list_campaigns)
        .service(create_campaign)
        .service(my_results)
        .service(get_campaign)
        .service(update_campaign)
        .service(delete_campaign)
        .service(campaign_results)
        .service(person_results)
        .service(enter_results)
        .service(self_assess)
        .service(preview_results_import)
        .service(get_results_import)
        .service(commit_results_import)
        .service(campaign_analytics)
        .service(deficit_people)
        .service(start_route_drafts)
        .service(list_route_drafts)
        .service(get_route_drafts)
        .service(fill_route_from_campaign)
        .service(route_dynamics);
}

// ---- Frameworks ----

/// Create a region's own competency framework as a draft.
#[utoipa::path(tag = "frameworks", security(("bearer" = [])), request_body = FrameworkInput,
    responses((status = 201, body = FrameworkDto), docs::Unauthorized, docs::Forbidden, docs::Unprocessable))]
#[post("/frameworks")]
pub async fn create_framework(
    state: web::Data<AppState>,
    principal: Principal,
    body: super::Body<FrameworkInput>,
) -> AppResult<HttpResponse> {
    let dto = frameworks::create(&state, &principal, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(dto))
}

/// Replace a draft framework's name, deficit rule, groups and competencies, based on its
/// current `revision` (a stale one gets 412; a published version is immutable: 409).
#[utoipa::path(tag = "frameworks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The framework version's id")), request_body = FrameworkInput,
    responses((status = 200, body = FrameworkDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict,
        (status = 412, description = "The draft changed since `revision`", body = Problem, content_type = "application/problem+json"),
        docs::Unprocessable))]
#[put("/frameworks/{id}")]
pub async fn update_framework(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<FrameworkInput>,
) -> AppResult<Json<FrameworkDto>> {
    Ok(web::Json(
        frameworks::update(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Copy a published framework version into a new draft version of a region, to edit.
#[utoipa::path(tag = "frameworks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The published version's id")), request_body = CopyFramework,
    responses((status = 201, body = FrameworkDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[post("/frameworks/{id}/copy")]
pub async fn copy_framework(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<CopyFramework>,
) -> AppResult<HttpResponse> {
    let dto = frameworks::copy(&state, &principal, *id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(dto))
}

/// Publish a draft framework: from then on it never changes.
#[utoipa::path(tag = "frameworks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The draft's id")),
    responses((status = 200, body = FrameworkDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[post("/frameworks/{id}/publish")]
pub async fn publish_framework(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<FrameworkDto>> {
    Ok(web::Json(
        frameworks::publish(&state, &principal, *id).await?,
    ))
}

// ---- Campaigns ----

/// Diagnostic campaigns of the caller's regions, newest first.
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    responses((status = 200, body = Vec<CampaignDto>), docs::Unauthorized))]
#[get("/diagnostics/campaigns")]
pub async fn list_campaigns(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<CampaignDto>>> {
    Ok(web::Json(campaigns::list(&state.db, &principal).await?))
}

/// Organise a diagnostic campaign (the managers of its level).
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])), request_body = CampaignInput,
    responses((status = 201, body = CampaignDto), docs::Unauthorized, docs::Forbidden, docs::Unprocessable))]
#[post("/diagnostics/campaigns")]
pub async fn create_campaign(
    state: web::Data<AppState>,
    principal: Principal,
    body: super::Body<CampaignInput>,
) -> AppResult<HttpResponse> {
    let dto = campaigns::create(&state, &principal, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/diagnostics/campaigns/{}", dto.id),
        ))
        .json(dto))
}

/// One campaign.
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The campaign's id")),
    responses((status = 200, body = CampaignDto), docs::Unauthorized, docs::NotFound))]
#[get("/diagnostics/campaigns/{id}")]
pub async fn get_campaign(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<CampaignDto>> {
    Ok(web::Json(campaigns::get(&state.db, &principal, *id).await?))
}

/// Change a campaign (its kind and framework only while it has no results).
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The campaign's id")), request_body = CampaignInput,
    responses((status = 200, body = CampaignDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[put("/diagnostics/campaigns/{id}")]
pub async fn update_campaign(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<CampaignInput>,
) -> AppResult<Json<CampaignDto>> {
    Ok(web::Json(
        campaigns::update(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Remove a campaign with its results (routes keep the copies they took).
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The campaign's id")),
    responses((status = 204), docs::Unauthorized, docs::Forbidden, docs::NotFound))]
#[delete("/diagnostics/campaigns/{id}")]
pub async fn delete_campaign(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    campaigns::delete(&state, &principal, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---- Results ----

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsQuery {
    /// Only people of this unit's subtree.
    pub unit_id: Option<Uuid>,
    /// Items to skip, at most 1 000 000 (past that, narrow the filters).
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<u64>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// A page of people with their results in a campaign, among those the caller may see.
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The campaign's id"), ResultsQuery),
    responses((status = 200, body = Page<PersonResultsDto>), docs::Unauthorized, docs::NotFound, docs::Unprocessable))]
#[get("/diagnostics/campaigns/{id}/results")]
pub async fn campaign_results(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    q: web::Query<ResultsQuery>,
) -> AppResult<Json<Page<PersonResultsDto>>> {
    let q = q.into_inner();
    let (offset, limit) = crate::services::page_bounds(q.offset, q.limit, 50, 200)?;
    Ok(web::Json(
        results::list(&state, &principal, *id, q.unit_id, offset, limit).await?,
    ))
}

/// A person's results in a campaign with the deficits the framework's rule proposes.
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The campaign's id"), ("person_id" = Uuid, Path, description = "The person's id")),
    responses((status = 200, body = PersonResultsDto), docs::Unauthorized, docs::NotFound))]
#[get("/diagnostics/campaigns/{id}/people/{person_id}")]
pub async fn person_results(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> AppResult<Json<PersonResultsDto>> {
    let (id, person) = path.into_inner();
    Ok(web::Json(
        results::get_person(&state, &principal, id, person).await?,
    ))
}

/// Enter a person's results by hand (replacing theirs in the campaign); a level may be left to
/// the score and the competency's ranges.
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The campaign's id"), ("person_id" = Uuid, Path, description = "The person's id")),
    request_body = PersonResultsInput,
    responses((status = 200, body = PersonResultsDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[put("/diagnostics/campaigns/{id}/people/{person_id}")]
pub async fn enter_results(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: super::Body<PersonResultsInput>,
) -> AppResult<Json<PersonResultsDto>> {
    let (id, person) = path.into_inner();
    Ok(web::Json(
        results::put_person(&state, &principal, id, person, body.into_inner()).await?,
    ))
}

/// The caller's self-assessment in a self-assessment campaign (kept apart from independent
/// diagnostics).
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The self-assessment campaign's id")),
    request_body = PersonResultsInput,
    responses((status = 200, body = PersonResultsDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[put("/diagnostics/campaigns/{id}/self")]
pub async fn self_assess(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<PersonResultsInput>,
) -> AppResult<Json<PersonResultsDto>> {
    Ok(web::Json(
        results::put_self(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// The caller's own results in every campaign, with proposed deficits.
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    responses((status = 200, body = Vec<PersonResultsDto>), docs::Unauthorized))]
#[get("/diagnostics/mine")]
pub async fn my_results(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<PersonResultsDto>>> {
    Ok(web::Json(results::mine(&state, &principal).await?))
}

// ---- Import ----

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsImportQuery {
    /// The file's name.
    pub name: Option<String>,
    /// How people are found: `email` (default) or `external_id`.
    pub match_by: Option<MatchBy>,
}

/// Upload a results file (CSV in UTF-8 or Windows-1251, or XLSX; wide or long) and get a
/// preview with per-row errors and unmatched people; nothing is written until the commit.
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The campaign's id"), ResultsImportQuery),
    request_body(content = inline(crate::openapi::FileBytes), content_type = "application/octet-stream", description = "The file's bytes"),
    responses((status = 201, body = ResultsImportPreview), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::PayloadTooLarge, docs::Unprocessable))]
#[post("/diagnostics/campaigns/{id}/imports")]
pub async fn preview_results_import(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    q: web::Query<ResultsImportQuery>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    import::authorize(&state, &principal, *id).await?;
    let bytes = super::read_body(payload, state.settings.max_upload_bytes).await?;
    let q = q.into_inner();
    let name = q.name.unwrap_or_else(|| "results".into());
    let preview = import::preview(
        &state,
        &principal,
        *id,
        &name,
        q.match_by.unwrap_or(MatchBy::Email),
        &bytes,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/diagnostics/imports/{}", preview.id),
        ))
        .json(preview))
}

/// A results import's preview, checked again.
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The import's id")),
    responses((status = 200, body = ResultsImportPreview), docs::Unauthorized, docs::NotFound))]
#[get("/diagnostics/imports/{id}")]
pub async fn get_results_import(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<ResultsImportPreview>> {
    Ok(web::Json(import::get(&state, &principal, *id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitQuery {
    /// Skip rows nobody matched (they are listed in the answer) instead of refusing.
    pub skip_unmatched: Option<bool>,
}

/// Commit a results import: everything, or nothing when any row has an error (409).
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The import's id"), CommitQuery),
    responses((status = 200, body = ResultsImportResult), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict))]
#[post("/diagnostics/imports/{id}/commit")]
pub async fn commit_results_import(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    q: web::Query<CommitQuery>,
) -> AppResult<Json<ResultsImportResult>> {
    Ok(web::Json(
        import::commit(&state, &principal, *id, q.skip_unmatched.unwrap_or(false)).await?,
    ))
}

// ---- Managers' view ----

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// The unit to analyse (defaults to the campaign's coverage, or the caller's own unit).
    pub unit_id: Option<Uuid>,
}

/// A campaign's summary for a unit: assessed people, levels per competency, the competencies
/// with most deficits, and the units one level below.
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The campaign's id"), UnitQuery),
    responses((status = 200, body = CampaignAnalytics), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Unprocessable))]
#[get("/diagnostics/campaigns/{id}/analytics")]
pub async fn campaign_analytics(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    q: web::Query<UnitQuery>,
) -> AppResult<Json<CampaignAnalytics>> {
    Ok(web::Json(
        analytics::campaign(&state, &principal, *id, q.unit_id).await?,
    ))
}

/// Draft routes in bulk from the campaign (the ЦНППМ manager's «ИОМП, разработанный
/// менеджером»): for everyone it found a deficit in, those of one unit, or a hand-picked list.
/// Each selected teacher gets a draft route with their profile, the campaign's results and
/// deficits, one task per deficit and the published catalogue events that address them inside
/// the period. The work runs in the background: the answer is the job, to poll with
/// `GET /api/v1/diagnostics/route-drafts/{id}`. Teachers who already have a route from this
/// campaign are skipped; a teacher's draft is written whole or not at all. Only the region's
/// manager drafts (403 for others who see the campaign); a hand-picked teacher outside the
/// caller's scope refuses the whole request (422) and nothing is drafted.
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The campaign's id")), request_body = RouteDraftsInput,
    responses((status = 202, description = "The drafting job, queued", body = RouteDraftJobDto,
            headers(("Location" = String, description = "Where to poll the job"))),
        docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[post("/diagnostics/campaigns/{id}/route-drafts")]
pub async fn start_route_drafts(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<RouteDraftsInput>,
) -> AppResult<HttpResponse> {
    let dto = drafts::start(&state, &principal, *id, body.into_inner()).await?;
    Ok(HttpResponse::Accepted()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/diagnostics/route-drafts/{}", dto.id),
        ))
        .json(dto))
}

/// The campaign's drafting jobs, newest first (the last 20), for its region's manager.
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The campaign's id")),
    responses((status = 200, body = Vec<RouteDraftJobDto>), docs::Unauthorized, docs::Forbidden, docs::NotFound))]
#[get("/diagnostics/campaigns/{id}/route-drafts")]
pub async fn list_route_drafts(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<Vec<RouteDraftJobDto>>> {
    Ok(web::Json(drafts::list(&state, &principal, *id).await?))
}

/// A drafting job's progress: `done` of `total` teachers, drafts `created`, teachers `skipped`
/// (they have a route from this campaign already) and `failed` with the reasons.
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The drafting job's id")),
    responses((status = 200, body = RouteDraftJobDto), docs::Unauthorized, docs::NotFound))]
#[get("/diagnostics/route-drafts/{id}")]
pub async fn get_route_drafts(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<RouteDraftJobDto>> {
    Ok(web::Json(drafts::get(&state, &principal, *id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeficitPeopleQuery {
    pub competency_id: Uuid,
    pub unit_id: Option<Uuid>,
    /// Items to skip, at most 1 000 000 (past that, narrow the filters).
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<u64>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// A page of the people of a unit with a deficit in a competency, by name (for grouping
/// teachers with similar deficits).
#[utoipa::path(tag = "diagnostics", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The campaign's id"), DeficitPeopleQuery),
    responses((status = 200, body = Page<DeficitPersonDto>), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Unprocessable))]
#[get("/diagnostics/campaigns/{id}/deficit-people")]
pub async fn deficit_people(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    q: web::Query<DeficitPeopleQuery>,
) -> AppResult<Json<Page<DeficitPersonDto>>> {
    let q = q.into_inner();
    let (offset, limit) = crate::services::page_bounds(q.offset, q.limit, 50, 200)?;
    Ok(web::Json(
        analytics::deficit_people(
            &state,
            &principal,
            *id,
            q.competency_id,
            q.unit_id,
            offset,
            limit,
        )
        .await?,
    ))
}

// ---- A route ----

/// Fill the route's diagnostic section from a campaign: the teacher's results and the
/// deficits they show (proposed, to confirm).
#[utoipa::path(tag = "route-diagnostic", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")), request_body = FromCampaignInput,
    responses((status = 200, body = RouteDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[post("/routes/{id}/diagnostic-from-campaign")]
pub async fn fill_route_from_campaign(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<FromCampaignInput>,
) -> AppResult<Json<RouteDto>> {
    Ok(web::Json(
        route_diag::fill_from_campaign(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// The route's dynamics: entry against final diagnostic per competency, and whether each
/// deficit was eliminated.
#[utoipa::path(tag = "route-diagnostic", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")),
    responses((status = 200, body = RouteDynamicsDto), docs::Unauthorized, docs::NotFound))]
#[get("/routes/{id}/dynamics")]
pub async fn route_dynamics(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<RouteDynamicsDto>> {
    Ok(web::Json(
        route_diag::dynamics(&state, &principal, *id).await?,
    ))
}
