//! Administration: units, region policy, people, roles, assignments, staff import, outbox.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use shared::dto::*;
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::admin::{assignments, import, people, units};
use crate::services::mail;
use crate::state::AppState;

type Json<T> = web::Json<T>;

/// Create a unit: a region (administrator), a district or municipality (regional manager), a
/// school (regional manager or municipal coordinator).
#[utoipa::path(tag = "units", security(("bearer" = [])), request_body = CreateUnit,
    responses((status = 201, body = UnitDto), docs::Unauthorized, docs::Forbidden, docs::Unprocessable))]
#[post("/units")]
pub async fn create_unit(
    state: web::Data<AppState>,
    principal: Principal,
    body: super::Body<CreateUnit>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(units::create(&state, &principal, body.into_inner()).await?))
}

/// Rename a unit or change its code.
#[utoipa::path(tag = "units", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The unit's id")),
    request_body = UpdateUnit, responses((status = 200, body = UnitDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Unprocessable))]
#[put("/units/{id}")]
pub async fn update_unit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<UpdateUnit>,
) -> AppResult<Json<UnitDto>> {
    Ok(web::Json(
        units::update(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Move a unit to the archive (units are never deleted: history refers to them).
#[utoipa::path(tag = "units", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The unit's id")),
    responses((status = 200, body = UnitDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict))]
#[post("/units/{id}/archive")]
pub async fn archive_unit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<UnitDto>> {
    Ok(web::Json(
        units::set_archived(&state, &principal, *id, true).await?,
    ))
}

/// Bring a unit back from the archive.
#[utoipa::path(tag = "units", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The unit's id")),
    responses((status = 200, body = UnitDto), docs::Unauthorized, docs::Forbidden, docs::NotFound))]
#[post("/units/{id}/restore")]
pub async fn restore_unit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<UnitDto>> {
    Ok(web::Json(
        units::set_archived(&state, &principal, *id, false).await?,
    ))
}

/// A region's rules for routes (maximum duration, maximum extension).
#[utoipa::path(tag = "units", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The region's id")),
    responses((status = 200, body = RegionPolicyDto), docs::Unauthorized, docs::NotFound))]
#[get("/units/{id}/policy")]
pub async fn get_policy(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<RegionPolicyDto>> {
    Ok(web::Json(units::policy(&state, &principal, *id).await?))
}

/// Change a region's rules (regional manager or administrator).
#[utoipa::path(tag = "units", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The region's id")),
    request_body = RegionPolicyDto, responses((status = 200, body = RegionPolicyDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Unprocessable))]
#[put("/units/{id}/policy")]
pub async fn set_policy(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<RegionPolicyDto>,
) -> AppResult<Json<RegionPolicyDto>> {
    Ok(web::Json(
        units::set_policy(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// People in the caller's scope, by name or e-mail, unit, role; alphabetically, paged.
#[utoipa::path(tag = "people", security(("bearer" = [])), params(PersonFilter),
    responses((status = 200, body = Page<PersonSummary>), docs::BadRequest, docs::Unauthorized))]
#[get("/people")]
pub async fn list_people(
    state: web::Data<AppState>,
    principal: Principal,
    f: web::Query<PersonFilter>,
) -> AppResult<Json<Page<PersonSummary>>> {
    Ok(web::Json(
        people::list(&state.db, &principal, f.into_inner()).await?,
    ))
}

/// Create a person (optionally with roles and an invitation by e-mail).
#[utoipa::path(tag = "people", security(("bearer" = [])), request_body = CreatePerson,
    responses((status = 201, body = PersonDetail), docs::Unauthorized, docs::Forbidden, docs::Conflict, docs::Unprocessable))]
#[post("/people")]
pub async fn create_person(
    state: web::Data<AppState>,
    principal: Principal,
    body: super::Body<CreatePerson>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(people::create(&state, &principal, body.into_inner()).await?))
}

/// A person's card: profile, roles, assignments, invitation.
#[utoipa::path(tag = "people", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The person's id")),
    responses((status = 200, body = PersonDetail), docs::Unauthorized, docs::NotFound))]
#[get("/people/{id}/card")]
pub async fn person_card(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<PersonDetail>> {
    Ok(web::Json(people::card(&state, &principal, *id).await?))
}

/// Edit a person's profile (one's own, or as their manager: also workplace, code).
///
/// A different e-mail does not change the address at once: a confirmation link goes to the new
/// address and a notice to the old one; the card shows the change as pending until it is
/// confirmed. Managing someone needs the right to grant every role they hold (else 403).
#[utoipa::path(tag = "people", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The person's id")),
    request_body = UpdatePerson, responses((status = 200, body = PersonDetail), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[put("/people/{id}")]
pub async fn update_person(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<UpdatePerson>,
) -> AppResult<Json<PersonDetail>> {
    Ok(web::Json(
        people::update(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Deactivate a person: they cannot sign in any more (at once); their routes stay.
#[utoipa::path(tag = "people", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The person's id")),
    responses((status = 200, body = PersonDetail), docs::Unauthorized, docs::Forbidden, docs::NotFound))]
#[post("/people/{id}/deactivate")]
pub async fn deactivate_person(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<PersonDetail>> {
    Ok(web::Json(
        people::set_active(&state, &principal, *id, false).await?,
    ))
}

/// Activate a deactivated person again.
#[utoipa::path(tag = "people", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The person's id")),
    responses((status = 200, body = PersonDetail), docs::Unauthorized, docs::Forbidden, docs::NotFound))]
#[post("/people/{id}/activate")]
pub async fn activate_person(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<PersonDetail>> {
    Ok(web::Json(
        people::set_active(&state, &principal, *id, true).await?,
    ))
}

/// Send (or re-send) an invitation: an e-mail with a one-time link to set a first password.
///
/// Only for an account with no password yet: otherwise 409 `already_has_password` (the person
/// signs in, or asks for a reset link at the sign-in page, which goes to their own address).
#[utoipa::path(tag = "people", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The person's id")),
    responses((status = 200, body = InvitationStatus), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict))]
#[post("/people/{id}/invitation")]
pub async fn invite_person(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<InvitationStatus>> {
    Ok(web::Json(people::invite(&state, &principal, *id).await?))
}

/// Revoke an open invitation.
#[utoipa::path(tag = "people", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The person's id")),
    responses((status = 200, body = InvitationStatus), docs::Unauthorized, docs::Forbidden, docs::NotFound))]
#[delete("/people/{id}/invitation")]
pub async fn revoke_invitation(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<InvitationStatus>> {
    Ok(web::Json(
        people::revoke_invitation(&state, &principal, *id).await?,
    ))
}

/// Grant a role at a unit (who may appoint whom is scoped).
#[utoipa::path(tag = "people", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The person's id")),
    request_body = GrantInput, responses((status = 200, body = PersonDetail), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[post("/people/{id}/roles")]
pub async fn grant_role(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<GrantInput>,
) -> AppResult<Json<PersonDetail>> {
    Ok(web::Json(
        people::grant(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Revoke a role.
#[utoipa::path(tag = "people", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The role grant's id")),
    responses((status = 200, body = PersonDetail), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict))]
#[delete("/role-grants/{id}")]
pub async fn revoke_role(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<PersonDetail>> {
    Ok(web::Json(people::revoke(&state, &principal, *id).await?))
}

/// Assign a tutor, a methodist-mentor or an expert to a teacher.
#[utoipa::path(tag = "people", security(("bearer" = [])), request_body = AssignmentInput,
    responses((status = 201, body = AssignmentDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[post("/assignments")]
pub async fn create_assignment(
    state: web::Data<AppState>,
    principal: Principal,
    body: super::Body<AssignmentInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created()
        .json(assignments::assign(&state, &principal, body.into_inner()).await?))
}

/// Remove an assignment.
#[utoipa::path(tag = "people", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The assignment's id")),
    responses((status = 204, description = "Removed"), docs::Unauthorized, docs::Forbidden, docs::NotFound))]
#[delete("/assignments/{id}")]
pub async fn delete_assignment(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    assignments::unassign(&state, &principal, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// As a teacher, give or withdraw consent to a tutor seeing your routes (takes effect at once).
#[utoipa::path(tag = "people", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The tutor assignment's id")),
    request_body = ConsentInput, responses((status = 200, body = AssignmentDto), docs::Unauthorized, docs::NotFound, docs::Conflict))]
#[put("/me/assignments/{id}/consent")]
pub async fn set_consent(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<ConsentInput>,
) -> AppResult<Json<AssignmentDto>> {
    Ok(web::Json(
        assignments::set_consent(&state, &principal, *id, body.into_inner()).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The file's name.
    pub name: Option<String>,
    /// The school for rows without an «ОО» column.
    pub unit_id: Option<Uuid>,
    /// Send invitations to new people when committing.
    pub invite: Option<bool>,
}

/// Upload a staff file (CSV in UTF-8 or Windows-1251, or XLSX) and get a preview with per-row
/// errors; nothing is written until the commit.
#[utoipa::path(tag = "people", security(("bearer" = [])), params(ImportQuery),
    request_body(content = inline(crate::openapi::FileBytes), content_type = "application/octet-stream", description = "The file's bytes"),
    responses((status = 201, body = ImportPreview), docs::Unauthorized, docs::Forbidden, docs::PayloadTooLarge, docs::Unprocessable))]
#[post("/people/imports")]
pub async fn preview_import(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<ImportQuery>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    import::authorize(&state, &principal, q.unit_id).await?;
    let bytes = super::read_body(payload, state.settings.max_upload_bytes).await?;
    let q = q.into_inner();
    let name = q.name.unwrap_or_else(|| "staff".into());
    let preview = import::preview(
        &state,
        &principal,
        &name,
        &bytes,
        q.unit_id,
        q.invite.unwrap_or(false),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/people/imports/{}", preview.id),
        ))
        .json(preview))
}

/// An import's preview, checked again.
#[utoipa::path(tag = "people", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The import's id")),
    responses((status = 200, body = ImportPreview), docs::Unauthorized, docs::NotFound))]
#[get("/people/imports/{id}")]
pub async fn get_import(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<ImportPreview>> {
    Ok(web::Json(import::get(&state, &principal, *id).await?))
}

/// Commit an import: everything or, when any row has an error, nothing (409).
#[utoipa::path(tag = "people", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The import's id")),
    responses((status = 200, body = ImportResult), docs::Unauthorized, docs::NotFound, docs::Conflict))]
#[post("/people/imports/{id}/commit")]
pub async fn commit_import(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<ImportResult>> {
    Ok(web::Json(import::commit(&state, &principal, *id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items to skip, at most 1 000 000 (past that, narrow the filters).
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<u64>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// The mail outbox (administrators): every message the platform sent or keeps for lack of SMTP.
#[utoipa::path(tag = "people", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<MailMessageDto>), docs::Unauthorized, docs::NotFound))]
#[get("/admin/outbox")]
pub async fn outbox(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<PageQuery>,
) -> AppResult<Json<Page<MailMessageDto>>> {
    let (offset, limit) = crate::services::page_bounds(q.offset, q.limit, 50, 200)?;
    Ok(web::Json(
        mail::outbox(&state.db, &principal, offset, limit).await?,
    ))
}
