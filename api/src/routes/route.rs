//! The route resource: `/api/v1/routes` and its sections, workflow, history, comments, files.
//!
//! Every write answers with the whole route (so a client replaces what it shows) and requires
//! the version it was based on: the route's `version` for the route's own fields and steps, an
//! item's `version` for that item. A stale version gets 412.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use shared::dto::*;
use shared::route::Section;
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::route::{access, create, edit, files, flow, list, read, thread};
use crate::state::AppState;

type Json<T> = web::Json<T>;

/// `?version=` for deletions.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// The item's current version (a stale one gets 412).
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Only corrections made after this route version (what an approver has not seen yet).
    pub since_version: Option<i32>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name, as the person will see it.
    pub name: String,
    /// The roadmap activity the file is evidence of.
    pub activity_id: Option<Uuid>,
    /// The product the file belongs to.
    pub product_id: Option<Uuid>,
}

fn with_etag(route: RouteDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, read::etag_of(&route)))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(route)
}

/// Routes in the caller's scope: their own, their tutees' (with consent), their school's,
/// municipality's or region's; filtered and paged. `actionable=true` is the caller's queue
/// (routes awaiting their agreement, approval, evaluation or conclusion).
#[utoipa::path(
    tag = "routes",
    security(("bearer" = [])),
    params(RouteFilter),
    responses((status = 200, body = Page<RouteSummary>), docs::BadRequest, docs::Unauthorized)
)]
#[get("/routes")]
pub async fn list_routes(
    state: web::Data<AppState>,
    principal: Principal,
    filter: web::Query<RouteFilter>,
) -> AppResult<Json<Page<RouteSummary>>> {
    Ok(web::Json(
        list::list(&state.db, &principal, filter.into_inner()).await?,
    ))
}

/// Create a route. Only a title and a period are asked: the teacher's profile, diagnostic
/// results and the deficits found in them are filled in from what the platform knows.
#[utoipa::path(
    tag = "routes",
    security(("bearer" = [])),
    request_body = CreateRoute,
    responses(
        (status = 201, description = "The new draft route", body = RouteDto),
        docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Unprocessable
    )
)]
#[post("/routes")]
pub async fn create_route(
    state: web::Data<AppState>,
    principal: Principal,
    body: super::Body<CreateRoute>,
) -> AppResult<HttpResponse> {
    let route = create::create(&state, &principal, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/routes/{}", route.id)))
        .insert_header((header::ETAG, read::etag_of(&route)))
        .json(route))
}

/// A whole route: all five sections, approvals, and what the caller may do with it. Supports
/// `If-None-Match` with the `ETag` (the route's version and the caller's permissions).
#[utoipa::path(
    tag = "routes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")),
    responses(
        (status = 200, body = RouteDto, headers(("ETag" = String, description = "The route's version and the caller's permissions"))),
        (status = 304, description = "Not modified since the given ETag"),
        docs::Unauthorized, docs::NotFound
    )
)]
#[get("/routes/{id}")]
pub async fn get_route(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let ctx = access::load(&state.db, &principal, *id, false).await?;
    // A 304 is a read too: the caller is looking at the route it already holds.
    access::audit_read(&state, &principal, &ctx, "route.read", "route", *id);
    let tag = read::etag(&principal, &ctx);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    if unchanged {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    Ok(with_etag(
        read::assemble(&state.db, &principal, &ctx).await?,
    ))
}

/// One section of a route: `information`, `diagnostic`, `target`, `activity` or `reflective`.
#[utoipa::path(
    tag = "routes",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The route's id"),
        ("section" = Section, Path, description = "The section")
    ),
    responses(
        (status = 200, description = "The section's object, as in the whole route", body = serde_json::Value),
        docs::Unauthorized, docs::NotFound
    )
)]
#[get("/routes/{id}/sections/{section}")]
pub async fn get_section(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Section)>,
) -> AppResult<HttpResponse> {
    let (id, section) = path.into_inner();
    let ctx = access::load(&state.db, &principal, id, false).await?;
    access::audit_read(&state, &principal, &ctx, "route.read", "route", id);
    let route = read::assemble(&state.db, &principal, &ctx).await?;
    let body = match section {
        Section::Information => serde_json::to_value(&route.information),
        Section::Diagnostic => serde_json::to_value(&route.diagnostic),
        Section::Target => serde_json::to_value(&route.target),
        Section::Activity => serde_json::to_value(&route.activity),
        Section::Reflective => serde_json::to_value(&route.reflective),
    }
    .map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, read::etag_of(&route)))
        .json(body))
}

/// Change the route's own fields: title, track, period, the educational request.
#[utoipa::path(
    tag = "routes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")),
    request_body = UpdateRoute,
    responses(
        (status = 200, body = RouteDto),
        (status = 412, description = "The route changed since `version`", body = Problem, content_type = "application/problem+json"),
        docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable
    )
)]
#[put("/routes/{id}")]
pub async fn update_route(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<UpdateRoute>,
) -> AppResult<HttpResponse> {
    Ok(with_etag(
        edit::update_route(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Delete a draft that never went for agreement (otherwise withdraw it).
#[utoipa::path(
    tag = "routes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id"), VersionQuery),
    responses(
        (status = 204, description = "Deleted"),
        docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict
    )
)]
#[delete("/routes/{id}")]
pub async fn delete_route(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    q: web::Query<VersionQuery>,
) -> AppResult<HttpResponse> {
    edit::delete_route(&state, &principal, *id, q.version).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take the teacher's current profile into the information section again.
#[utoipa::path(
    tag = "routes",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The route's id"),
        ("version" = i32, Query, description = "The route's current version (a stale one gets 412)")
    ),
    responses((status = 200, body = RouteDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict)
)]
#[post("/routes/{id}/information/refresh")]
pub async fn refresh_information(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    q: web::Query<RequiredVersion>,
) -> AppResult<HttpResponse> {
    Ok(with_etag(
        edit::refresh_information(&state, &principal, *id, q.version).await?,
    ))
}

/// A route's version the action must be made against (without it: 400, like any query the
/// server cannot read).
#[derive(Debug, Deserialize)]
pub struct RequiredVersion {
    pub version: i32,
}

/// Generates the create / update / delete handlers of one kind of section item.
macro_rules! item_endpoints {
    (
        $tag:literal, $collection:literal, $item:literal, $input:ty,
        [$add_doc:literal, $update_doc:literal, $remove_doc:literal],
        $add:ident => $add_svc:path,
        $update:ident => $update_svc:path,
        $remove:ident => $remove_svc:path
    ) => {
        #[doc = $add_doc]
        #[utoipa::path(
            tag = $tag,
            security(("bearer" = [])),
            params(("id" = Uuid, Path, description = "The route's id")),
            request_body = $input,
            responses(
                (status = 200, description = "The route with the item added", body = RouteDto),
                docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable
            )
        )]
        #[post($collection)]
        pub async fn $add(
            state: web::Data<AppState>,
            principal: Principal,
            id: web::Path<Uuid>,
            body: super::Body<$input>,
        ) -> AppResult<HttpResponse> {
            Ok(with_etag($add_svc(&state, &principal, *id, body.into_inner()).await?))
        }

        #[doc = $update_doc]
        #[utoipa::path(
            tag = $tag,
            security(("bearer" = [])),
            params(
                ("id" = Uuid, Path, description = "The route's id"),
                ("item_id" = Uuid, Path, description = "The item's id")
            ),
            request_body = $input,
            responses(
                (status = 200, description = "The route with the item changed", body = RouteDto),
                (status = 412, description = "The item changed since `version`", body = Problem, content_type = "application/problem+json"),
                docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable
            )
        )]
        #[put($item)]
        pub async fn $update(
            state: web::Data<AppState>,
            principal: Principal,
            path: web::Path<(Uuid, Uuid)>,
            body: super::Body<$input>,
        ) -> AppResult<HttpResponse> {
            let (id, item) = path.into_inner();
            Ok(with_etag($update_svc(&state, &principal, id, item, body.into_inner()).await?))
        }

        #[doc = $remove_doc]
        #[utoipa::path(
            tag = $tag,
            security(("bearer" = [])),
            params(
                ("id" = Uuid, Path, description = "The route's id"),
                ("item_id" = Uuid, Path, description = "The item's id"),
                VersionQuery
            ),
            responses(
                (status = 200, description = "The route without the item", body = RouteDto),
                (status = 412, description = "The item changed since `version`", body = Problem, content_type = "application/problem+json"),
                docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable
            )
        )]
        #[delete($item)]
        pub async fn $remove(
            state: web::Data<AppState>,
            principal: Principal,
            path: web::Path<(Uuid, Uuid)>,
            q: web::Query<VersionQuery>,
        ) -> AppResult<HttpResponse> {
            let (id, item) = path.into_inner();
            Ok(with_etag($remove_svc(&state, &principal, id, item, q.version).await?))
        }
    };
}

item_endpoints!("route-diagnostic", "/routes/{id}/diagnostics", "/routes/{id}/diagnostics/{item_id}", DiagnosticInput, ["Add a diagnostic with per-competency results to the route.", "Replace a diagnostic with per-competency results (with the item's `version`).", "Remove a diagnostic with per-competency results (with `?version=`)."],
    add_diagnostic => edit::add_diagnostic, update_diagnostic => edit::update_diagnostic, delete_diagnostic => edit::delete_diagnostic);
item_endpoints!("route-diagnostic", "/routes/{id}/deficits", "/routes/{id}/deficits/{item_id}", DeficitInput, ["Add a professional deficit to the route.", "Replace a professional deficit (with the item's `version`).", "Remove a professional deficit (with `?version=`)."],
    add_deficit => edit::add_deficit, update_deficit => edit::update_deficit, delete_deficit => edit::delete_deficit);
item_endpoints!("route-target", "/routes/{id}/tasks", "/routes/{id}/tasks/{item_id}", TaskInput, ["Add a development task tied to deficits to the route.", "Replace a development task tied to deficits (with the item's `version`).", "Remove a development task tied to deficits (with `?version=`)."],
    add_task => edit::add_task, update_task => edit::update_task, delete_task => edit::delete_task);
item_endpoints!("route-activity", "/routes/{id}/activities", "/routes/{id}/activities/{item_id}", ActivityInput, ["Add a roadmap activity to the route.", "Replace a roadmap activity (with the item's `version`).", "Remove a roadmap activity (with `?version=`)."],
    add_activity => edit::add_activity, update_activity => edit::update_activity, delete_activity => edit::delete_activity);
item_endpoints!("route-activity", "/routes/{id}/progress", "/routes/{id}/progress/{item_id}", ProgressInput, ["Add a progress record for a month or a semester to the route.", "Replace a progress record for a month or a semester (with the item's `version`).", "Remove a progress record for a month or a semester (with `?version=`)."],
    add_progress => edit::add_progress, update_progress => edit::update_progress, delete_progress => edit::delete_progress);
item_endpoints!("route-reflective", "/routes/{id}/products", "/routes/{id}/products/{item_id}", ProductInput, ["Add a planned methodological product to the route.", "Replace a planned methodological product (with the item's `version`).", "Remove a planned methodological product (with `?version=`)."],
    add_product => edit::add_product, update_product => edit::update_product, delete_product => edit::delete_product);

/// Put the roadmap in a new order.
#[utoipa::path(
    tag = "route-activity",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")),
    request_body = ReorderActivities,
    responses((status = 200, body = RouteDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable)
)]
#[put("/routes/{id}/activities-order")]
pub async fn reorder_activities(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<ReorderActivities>,
) -> AppResult<HttpResponse> {
    Ok(with_etag(
        edit::reorder_activities(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// The final public event and its done mark.
#[utoipa::path(
    tag = "route-reflective",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")),
    request_body = UpdateFinalEvent,
    responses((status = 200, body = RouteDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable)
)]
#[put("/routes/{id}/final-event")]
pub async fn update_final_event(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<UpdateFinalEvent>,
) -> AppResult<HttpResponse> {
    Ok(with_etag(
        edit::update_final_event(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// The conclusion (findings, results, recommendations, outcome), written by the tutor or the
/// school before completion.
#[utoipa::path(
    tag = "route-reflective",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")),
    request_body = UpdateConclusion,
    responses((status = 200, body = RouteDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable)
)]
#[put("/routes/{id}/conclusion")]
pub async fn update_conclusion(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<UpdateConclusion>,
) -> AppResult<HttpResponse> {
    Ok(with_etag(
        edit::update_conclusion(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Take a workflow step: submit, return (with a comment), tutor_agree, agree («СОГЛАСОВАНО»),
/// approve («УТВЕРЖДАЮ»), start, extend (with `new_end` and a reason), submit_product,
/// return_product, evaluate (with a verdict per deficit), complete, withdraw, reopen (with a
/// reason). A step that is not possible now gets 409; one the caller may not take, 403.
#[utoipa::path(
    tag = "routes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")),
    request_body = TransitionRequest,
    responses(
        (status = 200, description = "The route after the step", body = RouteDto),
        (status = 412, description = "The route changed since `version`", body = Problem, content_type = "application/problem+json"),
        docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable
    )
)]
#[post("/routes/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<TransitionRequest>,
) -> AppResult<HttpResponse> {
    Ok(with_etag(
        flow::transition(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// The route's history: every workflow step (who, when, comment) and every correction (field,
/// old, new, who, when).
#[utoipa::path(
    tag = "routes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id"), HistoryQuery),
    responses((status = 200, body = RouteHistory), docs::Unauthorized, docs::NotFound)
)]
#[get("/routes/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    q: web::Query<HistoryQuery>,
) -> AppResult<Json<RouteHistory>> {
    Ok(web::Json(
        flow::history(&state, &principal, *id, q.since_version).await?,
    ))
}

/// Draft the next route from a completed one: the deficits not eliminated, their tasks, and
/// the final diagnostic as the new entry diagnostic.
#[utoipa::path(
    tag = "routes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The completed route's id")),
    responses((status = 201, description = "The new draft", body = RouteDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict)
)]
#[post("/routes/{id}/next")]
pub async fn next_route(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let route = flow::next_route(&state, &principal, *id).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/routes/{}", route.id)))
        .json(route))
}

/// The route's comment thread.
#[utoipa::path(
    tag = "routes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")),
    responses((status = 200, body = Vec<CommentDto>), docs::Unauthorized, docs::NotFound)
)]
#[get("/routes/{id}/comments")]
pub async fn list_comments(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<Vec<CommentDto>>> {
    Ok(web::Json(thread::list(&state, &principal, *id).await?))
}

/// Comment on a route (everyone who may read it).
#[utoipa::path(
    tag = "routes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")),
    request_body = CommentInput,
    responses((status = 201, body = CommentDto), docs::Unauthorized, docs::NotFound, docs::Unprocessable)
)]
#[post("/routes/{id}/comments")]
pub async fn add_comment(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<CommentInput>,
) -> AppResult<HttpResponse> {
    let c = thread::add(&state, &principal, *id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(c))
}

/// Upload evidence for an activity or material for a product. The body is the file itself
/// (its `Content-Type`: PDF, JPEG, PNG, DOC/DOCX, XLSX, PPTX, ODT/ODS/ODP or TXT), up to the
/// server's upload limit (20 MiB by default).
#[utoipa::path(
    tag = "route-activity",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id"), UploadQuery),
    request_body(content = inline(crate::openapi::FileBytes), content_type = "application/octet-stream", description = "The file's bytes"),
    responses(
        (status = 200, description = "The route with the file attached", body = RouteDto),
        docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::PayloadTooLarge, docs::Unprocessable
    )
)]
#[post("/routes/{id}/files")]
pub async fn upload_file(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    q: web::Query<UploadQuery>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    files::may_upload(&state, &principal, *id).await?;
    let bytes = super::read_body(payload, state.settings.max_upload_bytes).await?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let q = q.into_inner();
    let target = files::UploadTarget {
        activity_id: q.activity_id,
        product_id: q.product_id,
    };
    let route = files::upload(
        &state,
        &principal,
        *id,
        target,
        &q.name,
        &content_type,
        &bytes,
    )
    .await?;
    Ok(with_etag(route))
}

/// Download a file, for those who may read its route.
#[utoipa::path(
    tag = "route-activity",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The file's id")),
    responses(
        (status = 200, description = "The file, as an attachment", content_type = "application/octet-stream", body = inline(crate::openapi::FileBytes)),
        docs::Unauthorized, docs::NotFound
    )
)]
#[get("/files/{id}")]
pub async fn download_file(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    use actix_web::http::header::{
        Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
    };
    let (file, path) = files::download(&state, &principal, *id).await?;
    let named = actix_files::NamedFile::open_async(&path)
        .await
        .map_err(|e| {
            tracing::error!(file = %file.id, error = %e, "a stored file is missing");
            AppError::NotFound
        })?;
    let mime: mime_guess::Mime = file
        .content_type
        .parse()
        .unwrap_or(mime_guess::mime::APPLICATION_OCTET_STREAM);
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: file.name.clone().into_bytes(),
        })],
    };
    let mut res = named
        .set_content_type(mime)
        .set_content_disposition(disposition)
        .use_last_modified(false)
        .into_response(&req);
    res.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

/// Remove a file.
#[utoipa::path(
    tag = "route-activity",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The file's id")),
    responses((status = 200, description = "The route without the file", body = RouteDto), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict)
)]
#[delete("/files/{id}")]
pub async fn delete_file(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    Ok(with_etag(files::delete(&state, &principal, *id).await?))
}
