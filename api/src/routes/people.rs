//! The signed-in person, and people in scope.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use shared::dto::people::AccessLogEntry;
use shared::dto::{MeResponse, Page, PersonDto, PersonalExportDto};
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::{attestation, people, privacy, privacy_export};
use crate::state::AppState;

/// Who I am: profile, roles with their units, and the people I am linked to (my tutor and
/// mentor as a teacher; my tutees and mentees as staff).
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    responses((status = 200, body = MeResponse), docs::Unauthorized)
)]
#[get("/me")]
pub async fn me(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<MeResponse>> {
    Ok(web::Json(people::me(&state.db, &principal).await?))
}

/// «Кто видел мои данные»: every access to my route, card, files, diagnostic results and
/// profile by someone else — who (a person, or an integration client by name), in which role,
/// when and what — newest first. My own reads are not listed.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    params(super::admin::PageQuery),
    responses((status = 200, body = Page<AccessLogEntry>), docs::Unauthorized, docs::BadRequest)
)]
#[get("/me/access-log")]
pub async fn access_log(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<super::admin::PageQuery>,
) -> AppResult<web::Json<Page<AccessLogEntry>>> {
    let (offset, limit) = crate::services::page_bounds(q.offset, q.limit, 50, privacy::MAX_PAGE)?;
    Ok(web::Json(
        privacy::access_log(&state.db, &principal, offset, limit).await?,
    ))
}

/// «Выгрузить все мои данные» (152-ФЗ, art. 14): starts assembling a ZIP of everything the
/// platform holds about me — profile, roles, assignments, routes with all sections, history and
/// comments, diagnostic results, enrolments, certificates, notifications, consents, the access
/// log — as JSON files with a readable PDF. The work runs in the background: poll
/// `GET /api/v1/me/export/{id}` and download when `status` is `done`. While an export waits
/// or runs, starting again answers with that one. At most five exports in 24 hours (429).
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "The export, queued (or the one already under way)", body = PersonalExportDto,
            headers(("Location" = String, description = "Where to poll the export"))),
        docs::Unauthorized, docs::TooManyRequests
    )
)]
#[post("/me/export")]
pub async fn start_export(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<HttpResponse> {
    let dto = privacy_export::start(&state.db, &principal).await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/me/export/{}", dto.id)))
        .json(dto))
}

/// My latest export of my data that has not expired (404 when there is none).
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    responses((status = 200, body = PersonalExportDto), docs::Unauthorized, docs::NotFound)
)]
#[get("/me/export")]
pub async fn latest_export(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<PersonalExportDto>> {
    Ok(web::Json(
        privacy_export::latest(&state.db, &principal).await?,
    ))
}

/// One of my exports: its status and progress. Someone else's export is 404; an expired one
/// is 410.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The export's id")),
    responses((status = 200, body = PersonalExportDto), docs::Unauthorized, docs::NotFound, docs::Gone)
)]
#[get("/me/export/{id}")]
pub async fn get_export(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<PersonalExportDto>> {
    Ok(web::Json(
        privacy_export::get(&state.db, &principal, *id).await?,
    ))
}

/// The archive of one of my exports (`application/zip`): `README.txt`, the JSON files and
/// `export.pdf`. 409 while it is being prepared or when it failed; 410 once it has expired
/// (seven days after it was made); someone else's export is 404.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The export's id")),
    responses(
        (status = 200, description = "The archive", content_type = "application/zip", body = inline(crate::openapi::FileBytes)),
        docs::Unauthorized, docs::NotFound, docs::Conflict, docs::Gone
    )
)]
#[get("/me/export/{id}/download")]
pub async fn download_export(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let archive =
        privacy_export::download(&state.db, &state.settings.files_dir, &principal, *id).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(super::documents::attachment(&archive.filename))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(archive.bytes))
}

/// A person's profile, if the caller may see them (themselves, their unit's managers, their
/// tutor, mentor or expert); 404 otherwise.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The person's id")),
    responses((status = 200, body = PersonDto), docs::Unauthorized, docs::NotFound)
)]
#[get("/people/{id}")]
pub async fn get_person(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<PersonDto>> {
    Ok(web::Json(people::get(&state, &principal, *id).await?))
}

/// My attestation clocks: when my qualification category runs out (five years from its date
/// in my profile) and whether my further training is current (a course of 16 hours or more in
/// the last three years), from the courses I attended and the roadmap activities I did.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    responses((status = 200, body = shared::dto::AttestationDto), docs::Unauthorized)
)]
#[get("/me/attestation")]
pub async fn my_attestation(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<shared::dto::AttestationDto>> {
    Ok(web::Json(attestation::mine(&state, &principal).await?))
}

/// The teachers of a unit (and below it) whose category runs out within `within_days`, or whose
/// further training is overdue, soonest first, with what is missing — among the people the
/// caller may see.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The unit's id"), shared::dto::AttestationFilter),
    responses((status = 200, body = Vec<shared::dto::AttestationDto>), docs::BadRequest, docs::Unauthorized, docs::NotFound)
)]
#[get("/units/{id}/attestation")]
pub async fn unit_attestation(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    filter: web::Query<shared::dto::AttestationFilter>,
) -> AppResult<web::Json<Vec<shared::dto::AttestationDto>>> {
    Ok(web::Json(
        attestation::due_in_unit(&state, &principal, *id, filter.into_inner()).await?,
    ))
}
