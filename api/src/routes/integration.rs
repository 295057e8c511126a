//! The integration API: OAuth tokens, sync feeds and status reads for clients; client and
//! webhook management for their owners.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use base64::Engine;
use shared::access::ClientScope;
use shared::dto::*;
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::integration::client_auth::{self, ClientPrincipal};
use crate::services::integration::sync::{self, Feed};
use crate::services::integration::{clients, summary, webhooks};
use crate::state::AppState;

type Json<T> = web::Json<T>;

fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// OAuth 2.0 token endpoint (client credentials grant). Send `grant_type=client_credentials`
/// with `client_id` and `client_secret` as a form, as JSON, or the pair as HTTP Basic.
#[utoipa::path(tag = "integration",
    request_body(content = OAuthTokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = OAuthTokenResponse), docs::BadRequest, docs::Unauthorized))]
#[post("/oauth/token")]
pub async fn oauth_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let parsed: OAuthTokenRequest = if is_json {
        serde_json::from_slice(&body)
            .map_err(|e| AppError::bad_request("invalid_request", e.to_string()))?
    } else {
        serde_urlencoded::from_bytes(&body)
            .map_err(|e| AppError::bad_request("invalid_request", e.to_string()))?
    };
    let token = client_auth::token(&state, parsed, basic_credentials(&req)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(token))
}

/// The calling client: its unit and scopes.
#[utoipa::path(tag = "integration", security(("bearer" = [])),
    responses((status = 200, body = ClientDto), docs::Unauthorized, docs::TooManyRequests))]
#[get("/integration/me")]
pub async fn client_me(
    state: web::Data<AppState>,
    client: ClientPrincipal,
) -> AppResult<HttpResponse> {
    let dto = clients::to_dto(&state.db, &client.client).await?;
    Ok(client.decorate(HttpResponse::Ok().json(dto)))
}

/// Routes changed after the cursor, in the client's region or municipality: each a status
/// summary, or a tombstone for a deleted or withdrawn route. Without `since`, everything (a full
/// export). Needs `read_routes`.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(SyncQuery),
    responses((status = 200, body = SyncPage<RouteStatusSummary>), docs::BadRequest, docs::Unauthorized, docs::Forbidden, docs::TooManyRequests))]
#[get("/sync/routes")]
pub async fn sync_routes(
    state: web::Data<AppState>,
    client: ClientPrincipal,
    q: web::Query<SyncQuery>,
) -> AppResult<HttpResponse> {
    client.require(ClientScope::ReadRoutes)?;
    let (rows, next, more) = sync::changes(
        &state.db,
        Feed::Routes,
        &client.actor.unit,
        q.since.as_deref(),
        crate::services::page_bounds(None, q.limit, 500, 1000)?.1,
    )
    .await?;
    let states = match sync::page_ids(Feed::Routes, &client.actor.unit, &rows) {
        Some(q) => summary::routes_in(&state.db, summary::RouteSet::Select(Box::new(q))).await?,
        None => Default::default(),
    };
    let rows = sync::unchanged(&state.db, &rows).await?;
    let page = sync::page(&rows, &states, next, more);
    client.record_reads(
        &state.reads,
        ClientScope::ReadRoutes,
        "route.read",
        "route",
        page.items
            .iter()
            .filter_map(|i| i.data.as_ref().map(|r| (r.id, r.teacher.id))),
    );
    Ok(client.decorate(HttpResponse::Ok().json(page)))
}

/// People changed after the cursor, in the client's region or municipality. Needs `read_people`.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(SyncQuery),
    responses((status = 200, body = SyncPage<PersonSyncDto>), docs::BadRequest, docs::Unauthorized, docs::Forbidden, docs::TooManyRequests))]
#[get("/sync/people")]
pub async fn sync_people(
    state: web::Data<AppState>,
    client: ClientPrincipal,
    q: web::Query<SyncQuery>,
) -> AppResult<HttpResponse> {
    client.require(ClientScope::ReadPeople)?;
    let (rows, next, more) = sync::changes(
        &state.db,
        Feed::People,
        &client.actor.unit,
        q.since.as_deref(),
        crate::services::page_bounds(None, q.limit, 500, 1000)?.1,
    )
    .await?;
    let ids: Vec<Uuid> = rows
        .iter()
        .filter(|r| !r.deleted)
        .map(|r| r.entity_id)
        .collect();
    let states = summary::people(&state.db, &ids).await?;
    let rows = sync::unchanged(&state.db, &rows).await?;
    let page = sync::page(&rows, &states, next, more);
    client.record_reads(
        &state.reads,
        ClientScope::ReadPeople,
        "person.read",
        "user",
        page.items
            .iter()
            .filter_map(|i| i.data.as_ref().map(|p| (p.id, p.id))),
    );
    Ok(client.decorate(HttpResponse::Ok().json(page)))
}

/// Catalogue events changed after the cursor, organised in the client's region or
/// municipality (published and cancelled ones; drafts never appear). Needs `read_catalogue`.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(SyncQuery),
    responses((status = 200, body = SyncPage<shared::dto::catalogue::EventSummary>), docs::BadRequest, docs::Unauthorized, docs::Forbidden, docs::TooManyRequests))]
#[get("/sync/events")]
pub async fn sync_events(
    state: web::Data<AppState>,
    client: ClientPrincipal,
    q: web::Query<SyncQuery>,
) -> AppResult<HttpResponse> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    client.require(ClientScope::ReadCatalogue)?;
    let (rows, next, more) = sync::changes(
        &state.db,
        Feed::Events,
        &client.actor.unit,
        q.since.as_deref(),
        crate::services::page_bounds(None, q.limit, 500, 1000)?.1,
    )
    .await?;
    let ids: Vec<Uuid> = rows
        .iter()
        .filter(|r| !r.deleted)
        .map(|r| r.entity_id)
        .collect();
    let models = crate::db::entities::event::Entity::find()
        .filter(crate::db::entities::event::Column::Id.is_in(ids))
        .all(&state.db)
        .await?;
    let states: std::collections::HashMap<Uuid, shared::dto::catalogue::EventSummary> =
        crate::services::catalogue::events::summaries(&state.db, None, &models)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
    let rows = sync::unchanged(&state.db, &rows).await?;
    Ok(client.decorate(HttpResponse::Ok().json(sync::page(&rows, &states, next, more))))
}

/// People's diagnostic results changed after the cursor, in the client's region or
/// municipality: one item per person and campaign (each competency's level, score and whether
/// it is a deficit by the framework's rule), or a tombstone once the person's results in the
/// campaign are all removed (or the campaign deleted). Needs `read_diagnostics`.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(SyncQuery),
    responses((status = 200, body = SyncPage<DiagnosticSyncDto>), docs::BadRequest, docs::Unauthorized, docs::Forbidden, docs::TooManyRequests))]
#[get("/sync/diagnostics")]
pub async fn sync_diagnostics(
    state: web::Data<AppState>,
    client: ClientPrincipal,
    q: web::Query<SyncQuery>,
) -> AppResult<HttpResponse> {
    client.require(ClientScope::ReadDiagnostics)?;
    let (rows, next, more) = sync::changes(
        &state.db,
        Feed::Diagnostics,
        &client.actor.unit,
        q.since.as_deref(),
        crate::services::page_bounds(None, q.limit, 500, 1000)?.1,
    )
    .await?;
    let states = summary::diagnostics(&state.db, &rows).await?;
    let rows = sync::unchanged(&state.db, &rows).await?;
    let page = sync::page(&rows, &states, next, more);
    client.record_reads(
        &state.reads,
        ClientScope::ReadDiagnostics,
        "diagnostics.read",
        "diagnostic_campaign",
        page.items
            .iter()
            .filter_map(|i| i.data.as_ref().map(|d| (d.campaign_id, d.person_id))),
    );
    Ok(client.decorate(HttpResponse::Ok().json(page)))
}

/// Enrolments on catalogue events changed after the cursor, of people working in the client's
/// region or municipality: status (registered, waiting, cancelled), attendance, whether a
/// certificate was uploaded. Needs `read_catalogue`.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(SyncQuery),
    responses((status = 200, body = SyncPage<EnrolmentSyncDto>), docs::BadRequest, docs::Unauthorized, docs::Forbidden, docs::TooManyRequests))]
#[get("/sync/enrolments")]
pub async fn sync_enrolments(
    state: web::Data<AppState>,
    client: ClientPrincipal,
    q: web::Query<SyncQuery>,
) -> AppResult<HttpResponse> {
    client.require(ClientScope::ReadCatalogue)?;
    let (rows, next, more) = sync::changes(
        &state.db,
        Feed::Enrolments,
        &client.actor.unit,
        q.since.as_deref(),
        crate::services::page_bounds(None, q.limit, 500, 1000)?.1,
    )
    .await?;
    let ids: Vec<Uuid> = rows
        .iter()
        .filter(|r| !r.deleted)
        .map(|r| r.entity_id)
        .collect();
    let states = summary::enrolments(&state.db, &ids).await?;
    let rows = sync::unchanged(&state.db, &rows).await?;
    Ok(client.decorate(HttpResponse::Ok().json(sync::page(&rows, &states, next, more))))
}

/// One route's status summary, with an `ETag`; `If-None-Match` answers 304 when unchanged.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The route's id")),
    responses((status = 200, body = RouteStatusSummary), (status = 304, description = "Unchanged"), docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::TooManyRequests))]
#[get("/sync/routes/{id}")]
pub async fn route_status(
    state: web::Data<AppState>,
    client: ClientPrincipal,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    client.require(ClientScope::ReadRoutes)?;
    let route = crate::db::routes::find(&state.db, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let school = crate::db::units::find(&state.db, route.school_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !client
        .actor
        .may(ClientScope::ReadRoutes, &crate::db::units::path(&school)?)
    {
        return Err(AppError::NotFound);
    }
    let tag = format!("\"v{}\"", route.version);
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag))
    {
        return Ok(client.decorate(
            HttpResponse::NotModified()
                .insert_header((header::ETAG, tag))
                .finish(),
        ));
    }
    client.record_reads(
        &state.reads,
        ClientScope::ReadRoutes,
        "route.read",
        "route",
        [(route.id, route.teacher_id)],
    );
    let mut map = summary::routes(&state.db, &[route.id]).await?;
    let body = map.remove(&route.id).ok_or(AppError::NotFound)?;
    Ok(client.decorate(
        HttpResponse::Ok()
            .insert_header((header::ETAG, tag))
            .json(body),
    ))
}

/// Integration clients the caller manages (administrator; regional manager of the region).
#[utoipa::path(tag = "integration", security(("bearer" = [])), responses((status = 200, body = Vec<ClientDto>), docs::Unauthorized))]
#[get("/integrations")]
pub async fn list_clients(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<ClientDto>>> {
    Ok(web::Json(clients::list(&state, &principal).await?))
}

/// Register an integration client; its secret and API key are shown only in this answer.
#[utoipa::path(tag = "integration", security(("bearer" = [])), request_body = CreateClient,
    responses((status = 201, body = IssuedCredentials), docs::Unauthorized, docs::Forbidden, docs::Unprocessable))]
#[post("/integrations")]
pub async fn create_client(
    state: web::Data<AppState>,
    principal: Principal,
    body: super::Body<CreateClient>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(clients::create(&state, &principal, body.into_inner()).await?))
}

/// An integration client (never its secrets).
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The client's id")),
    responses((status = 200, body = ClientDto), docs::Unauthorized, docs::NotFound))]
#[get("/integrations/{id}")]
pub async fn get_client(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<ClientDto>> {
    Ok(web::Json(clients::get(&state, &principal, *id).await?))
}

/// New credentials; the old ones keep working for the overlap, then stop.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The client's id")),
    request_body = RotateCredentials, responses((status = 200, body = IssuedCredentials), docs::Unauthorized, docs::NotFound, docs::Conflict, docs::Unprocessable))]
#[post("/integrations/{id}/rotate")]
pub async fn rotate_client(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<RotateCredentials>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(clients::rotate(&state, &principal, *id, body.into_inner()).await?))
}

/// Disconnect a client at once: every credential and token stops working.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The client's id")),
    responses((status = 200, body = ClientDto), docs::Unauthorized, docs::NotFound))]
#[post("/integrations/{id}/revoke")]
pub async fn revoke_client(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<ClientDto>> {
    Ok(web::Json(clients::revoke(&state, &principal, *id).await?))
}

/// The client's webhook subscriptions.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The client's id")),
    responses((status = 200, body = Vec<WebhookDto>), docs::Unauthorized, docs::NotFound))]
#[get("/integrations/{id}/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<Vec<WebhookDto>>> {
    Ok(web::Json(webhooks::list(&state, &principal, *id).await?))
}

/// Subscribe a client to events; the signing secret is shown only in this answer.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The client's id")),
    request_body = CreateWebhook, responses((status = 201, body = WebhookDto), docs::Unauthorized, docs::NotFound, docs::Unprocessable))]
#[post("/integrations/{id}/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<CreateWebhook>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created()
        .json(webhooks::create(&state, &principal, *id, body.into_inner()).await?))
}

/// Remove a webhook subscription.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The subscription's id")),
    responses((status = 204, description = "Removed"), docs::Unauthorized, docs::NotFound))]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    webhooks::delete(&state, &principal, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Turn a disabled subscription back on.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The subscription's id")),
    responses((status = 200, body = WebhookDto), docs::Unauthorized, docs::NotFound))]
#[post("/webhooks/{id}/enable")]
pub async fn enable_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<WebhookDto>> {
    Ok(web::Json(webhooks::enable(&state, &principal, *id).await?))
}

/// A subscription's delivery log: each event, its attempts and the receiver's answers.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The subscription's id")),
    responses((status = 200, body = Vec<DeliveryDto>), docs::Unauthorized, docs::NotFound))]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<Vec<DeliveryDto>>> {
    Ok(web::Json(
        webhooks::deliveries(&state, &principal, *id).await?,
    ))
}

/// Send a delivery again.
#[utoipa::path(tag = "integration", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The delivery's id")),
    responses((status = 200, body = DeliveryDto), docs::Unauthorized, docs::NotFound))]
#[post("/webhook-deliveries/{id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<Json<DeliveryDto>> {
    Ok(web::Json(
        webhooks::redeliver(&state, &principal, *id).await?,
    ))
}
