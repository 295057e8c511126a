//! Consent to the processing of personal data: the person's own answers, paper consents
//! registered for them, and the region's purposes.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use shared::dto::{
    ConsentAnswer, ConsentPurposeDto, ConsentPurposeInput, ConsentRecordDto, ConsentsDto,
    PaperConsent,
};
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::{consents, erasure, retention};
use crate::state::AppState;

/// My consents: where I stand on each purpose of my region and every decision I made, with the
/// text I read. `pending` counts the purposes that wait for my answer.
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    responses((status = 200, body = ConsentsDto), docs::Unauthorized))]
#[get("/me/consents")]
pub async fn my_consents(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<ConsentsDto>> {
    Ok(web::Json(consents::mine(&state.db, &principal).await?))
}

/// Give, refuse or withdraw my consent for one purpose, on the text version I read. Withdrawing
/// the consent to transfer takes me out of the integration feeds at once.
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("purpose_id" = Uuid, Path, description = "The purpose's id")),
    request_body = ConsentAnswer,
    responses((status = 200, body = ConsentsDto), docs::BadRequest, docs::Unauthorized, docs::NotFound, docs::Conflict))]
#[put("/me/consents/{purpose_id}")]
pub async fn answer_consent(
    state: web::Data<AppState>,
    principal: Principal,
    purpose_id: web::Path<Uuid>,
    body: super::Body<ConsentAnswer>,
) -> AppResult<web::Json<ConsentsDto>> {
    Ok(web::Json(
        consents::answer(&state, &principal, *purpose_id, body.into_inner()).await?,
    ))
}

/// A person's consents, for whoever manages the person (the school coordinator and above).
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The person's id")),
    responses((status = 200, body = ConsentsDto), docs::Unauthorized, docs::Forbidden, docs::NotFound))]
#[get("/people/{id}/consents")]
pub async fn person_consents(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<ConsentsDto>> {
    Ok(web::Json(
        consents::of_person(&state, &principal, *id).await?,
    ))
}

/// Register a consent (or its withdrawal) the person signed on paper; attach its scan next.
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The person's id")),
    request_body = PaperConsent,
    responses((status = 201, body = ConsentRecordDto), docs::BadRequest, docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[post("/people/{id}/consents")]
pub async fn register_paper_consent(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<PaperConsent>,
) -> AppResult<HttpResponse> {
    let dto = consents::register_paper(&state, &principal, *id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(dto))
}

/// Attach the scan of a paper consent: the body is the file (PDF, JPEG or PNG, by its
/// `Content-Type`), replacing an earlier scan.
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The person's id"), ("record_id" = Uuid, Path, description = "The paper consent's record")),
    request_body(content = inline(crate::openapi::FileBytes), content_type = "application/octet-stream", description = "The scan's bytes"),
    responses((status = 200, body = ConsentRecordDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::PayloadTooLarge, docs::Unprocessable))]
#[post("/people/{id}/consents/{record_id}/scan")]
pub async fn attach_consent_scan(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<web::Json<ConsentRecordDto>> {
    let (person, record) = path.into_inner();
    consents::may_attach_scan(&state, &principal, person, record).await?;
    let bytes = super::read_body(payload, state.settings.max_upload_bytes).await?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    Ok(web::Json(
        consents::attach_scan(&state, &principal, person, record, &content_type, &bytes).await?,
    ))
}

/// The scan of a paper consent, for the person and whoever manages them.
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The person's id"), ("record_id" = Uuid, Path, description = "The paper consent's record")),
    responses(
        (status = 200, description = "The scan", content_type = "application/octet-stream", body = inline(crate::openapi::FileBytes)),
        docs::Unauthorized, docs::Forbidden, docs::NotFound
    ))]
#[get("/people/{id}/consents/{record_id}/scan")]
pub async fn consent_scan(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> AppResult<HttpResponse> {
    let (person, record) = path.into_inner();
    let (content_type, file) = consents::scan(&state, &principal, person, record).await?;
    let bytes = tokio::fs::read(&file).await.map_err(|e| {
        tracing::error!(record = %record, error = %e, "a consent scan is missing");
        AppError::NotFound
    })?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"consent-scan\"",
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(bytes))
}

/// The region's purposes of processing (anyone working in the region reads them).
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The region's id")),
    responses((status = 200, body = Vec<ConsentPurposeDto>), docs::Unauthorized, docs::NotFound))]
#[get("/units/{id}/consent-purposes")]
pub async fn list_purposes(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Vec<ConsentPurposeDto>>> {
    Ok(web::Json(
        consents::purposes(&state, &principal, *id).await?,
    ))
}

/// Add a purpose of processing to the region (its regional manager).
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The region's id")),
    request_body = ConsentPurposeInput,
    responses((status = 201, body = ConsentPurposeDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Unprocessable))]
#[post("/units/{id}/consent-purposes")]
pub async fn create_purpose(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<ConsentPurposeInput>,
) -> AppResult<HttpResponse> {
    let dto = consents::create_purpose(&state, &principal, *id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(dto))
}

/// Change a purpose. A new title or text is a new version: people who agreed to the old one
/// are asked again at their next sign-in.
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The purpose's id")),
    request_body = ConsentPurposeInput,
    responses((status = 200, body = ConsentPurposeDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Unprocessable))]
#[put("/consent-purposes/{id}")]
pub async fn update_purpose(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<ConsentPurposeInput>,
) -> AppResult<web::Json<ConsentPurposeDto>> {
    Ok(web::Json(
        consents::update_purpose(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Ask to erase my data. The regional manager decides; I see the answer here.
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    request_body = shared::dto::ErasureInput,
    responses((status = 201, body = shared::dto::ErasureRequestDto), docs::Unauthorized, docs::Conflict, docs::Unprocessable))]
#[post("/me/erasure-requests")]
pub async fn request_my_erasure(
    state: web::Data<AppState>,
    principal: Principal,
    body: super::Body<shared::dto::ErasureInput>,
) -> AppResult<HttpResponse> {
    let dto = erasure::request_own(&state, &principal, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(dto))
}

/// My requests to erase my data, newest first.
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    responses((status = 200, body = Vec<shared::dto::ErasureRequestDto>), docs::Unauthorized))]
#[get("/me/erasure-requests")]
pub async fn my_erasure_requests(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<Vec<shared::dto::ErasureRequestDto>>> {
    Ok(web::Json(erasure::mine(&state, &principal).await?))
}

/// Ask to erase a person's data for them (whoever manages the person).
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The person's id")),
    request_body = shared::dto::ErasureInput,
    responses((status = 201, body = shared::dto::ErasureRequestDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[post("/people/{id}/erasure-requests")]
pub async fn request_erasure_for(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<shared::dto::ErasureInput>,
) -> AppResult<HttpResponse> {
    let dto = erasure::request_for(&state, &principal, *id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(dto))
}

/// The requests of my region (its regional manager; the administrator sees all), pending first.
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    responses((status = 200, body = Vec<shared::dto::ErasureRequestDto>), docs::Unauthorized, docs::Forbidden))]
#[get("/erasure-requests")]
pub async fn list_erasure_requests(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<Vec<shared::dto::ErasureRequestDto>>> {
    Ok(web::Json(erasure::list(&state, &principal).await?))
}

/// Carry a request out: the person's data is erased or anonymised everywhere, integrations get
/// tombstones, the request keeps what was erased and no link to the person.
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The request's id")),
    request_body = shared::dto::ErasureDecision,
    responses((status = 200, body = shared::dto::ErasureRequestDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[post("/erasure-requests/{id}/execute")]
pub async fn execute_erasure(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<shared::dto::ErasureDecision>,
) -> AppResult<web::Json<shared::dto::ErasureRequestDto>> {
    Ok(web::Json(
        erasure::execute(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Refuse a request, with the reason the person reads.
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The request's id")),
    request_body = shared::dto::ErasureDecision,
    responses((status = 200, body = shared::dto::ErasureRequestDto), docs::Unauthorized, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[post("/erasure-requests/{id}/reject")]
pub async fn reject_erasure(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<shared::dto::ErasureDecision>,
) -> AppResult<web::Json<shared::dto::ErasureRequestDto>> {
    Ok(web::Json(
        erasure::reject(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// How long the region keeps its teachers' data (anyone who works in the region may read it;
/// a region never configured has the defaults and no `updated_at`).
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The region's id")),
    responses((status = 200, body = shared::dto::RetentionDto), docs::Unauthorized, docs::NotFound))]
#[get("/units/{id}/retention")]
pub async fn get_retention(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<shared::dto::RetentionDto>> {
    Ok(web::Json(retention::get(&state, &principal, *id).await?))
}

/// Set the region's retention periods (its regional manager). A route's files may not be kept
/// longer than the route.
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The region's id")),
    request_body = shared::dto::RetentionPolicyDto,
    responses((status = 200, body = shared::dto::RetentionDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Unprocessable))]
#[put("/units/{id}/retention")]
pub async fn put_retention(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<shared::dto::RetentionPolicyDto>,
) -> AppResult<web::Json<shared::dto::RetentionDto>> {
    Ok(web::Json(
        retention::update(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// The report of the retention rules: the region's latest runs, newest first, with what each
/// anonymised or deleted (its regional manager).
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The region's id")),
    responses((status = 200, body = Vec<shared::dto::RetentionRunDto>), docs::Unauthorized, docs::Forbidden, docs::NotFound))]
#[get("/units/{id}/retention/runs")]
pub async fn retention_runs(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Vec<shared::dto::RetentionRunDto>>> {
    Ok(web::Json(retention::runs(&state, &principal, *id).await?))
}

/// Apply the retention rules now, as the nightly run would (its regional manager): expired
/// routes are anonymised (their certificates still verify by number), expired files, results
/// and access records deleted.
#[utoipa::path(tag = "consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The region's id")),
    responses((status = 201, body = shared::dto::RetentionRunDto), docs::Unauthorized, docs::Forbidden, docs::NotFound))]
#[post("/units/{id}/retention/runs")]
pub async fn run_retention(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let dto = retention::run_now(&state, &principal, *id).await?;
    Ok(HttpResponse::Created().json(dto))
}
