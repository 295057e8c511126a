//! The region's bank of methodological products (under `/api/v1`): publishing a product that
//! passed expertise, the bank's search, recommending a product, taking it into a roadmap.

use actix_web::{HttpResponse, get, post, web};
use shared::dto::catalogue::{RecommendInput, RecommendResult};
use shared::dto::{
    AdoptInput, BankFilter, BankProductDto, BankProductSummary, Page, ProductPublication,
    PublishInput, RouteDto, WithdrawInput,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::bank;
use crate::state::AppState;

/// Registers this area's endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(route_publication)
        .service(publish_product)
        .service(list_products)
        .service(get_product)
        .service(withdraw_product)
        .service(recommend_product)
        .service(adopt_product);
}

/// The route's products and where each stands with the bank: published, or why not yet
/// (no evaluation, a negative verdict, no consent to publication).
#[utoipa::path(tag = "bank", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")),
    responses((status = 200, body = Vec<ProductPublication>), docs::Unauthorized, docs::NotFound))]
#[get("/routes/{id}/publication")]
pub async fn route_publication(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Vec<ProductPublication>>> {
    Ok(web::Json(bank::publication(&state, &principal, *id).await?))
}

/// Publish a product of my route in the region's bank. It needs the expert's positive verdict
/// and my consent to publication (`409 publication_consent_required` without it).
#[utoipa::path(tag = "bank", security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The route's id"),
        ("product_id" = Uuid, Path, description = "The product's id in the route")
    ),
    request_body = PublishInput,
    responses((status = 201, body = BankProductDto), docs::BadRequest, docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict))]
#[post("/routes/{id}/products/{product_id}/publication")]
pub async fn publish_product(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: super::Body<PublishInput>,
) -> AppResult<HttpResponse> {
    let (id, product) = path.into_inner();
    Ok(HttpResponse::Created()
        .json(bank::publish(&state, &principal, id, product, body.into_inner()).await?))
}

/// The bank of my region: search by words, competency and level of education; newest first.
#[utoipa::path(tag = "bank", security(("bearer" = [])),
    params(BankFilter),
    responses((status = 200, body = Page<BankProductSummary>), docs::BadRequest, docs::Unauthorized, docs::NotFound))]
#[get("/products")]
pub async fn list_products(
    state: web::Data<AppState>,
    principal: Principal,
    filter: web::Query<BankFilter>,
) -> AppResult<web::Json<Page<BankProductSummary>>> {
    Ok(web::Json(
        bank::list(&state.db, &principal, filter.into_inner()).await?,
    ))
}

/// One product of the bank: description, files, the deficits it addressed, the expert's
/// verdict, who recommended it to me. A colleague's opening counts as a view.
#[utoipa::path(tag = "bank", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The bank entry's id")),
    responses((status = 200, body = BankProductDto), docs::Unauthorized, docs::NotFound))]
#[get("/products/{id}")]
pub async fn get_product(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<BankProductDto>> {
    Ok(web::Json(bank::get(&state, &principal, *id).await?))
}

/// Take a product off the bank: its author, or the region's manager (the author is told why).
#[utoipa::path(tag = "bank", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The bank entry's id")),
    request_body = WithdrawInput,
    responses((status = 200, body = BankProductDto), docs::BadRequest, docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict))]
#[post("/products/{id}/withdrawal")]
pub async fn withdraw_product(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<WithdrawInput>,
) -> AppResult<web::Json<BankProductDto>> {
    Ok(web::Json(
        bank::withdraw(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Recommend a product to teachers (a tutor, a methodist-mentor, a manager; to the teachers
/// they may recommend to). Each is notified and finds it in «Что сделать».
#[utoipa::path(tag = "bank", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The bank entry's id")),
    request_body = RecommendInput,
    responses((status = 200, body = RecommendResult), docs::BadRequest, docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict))]
#[post("/products/{id}/recommendations")]
pub async fn recommend_product(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<RecommendInput>,
) -> AppResult<web::Json<RecommendResult>> {
    Ok(web::Json(
        bank::recommend(&state, &principal, *id, body.into_inner()).await?,
    ))
}

/// Take a product into a route's roadmap as «Изучение опыта коллеги», with the competencies it
/// addresses and the route's deficits in them filled in.
#[utoipa::path(tag = "bank", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The bank entry's id")),
    request_body = AdoptInput,
    responses((status = 200, body = RouteDto), docs::BadRequest, docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict))]
#[post("/products/{id}/adoption")]
pub async fn adopt_product(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<AdoptInput>,
) -> AppResult<web::Json<RouteDto>> {
    Ok(web::Json(
        bank::adopt(&state, &principal, *id, body.into_inner()).await?,
    ))
}
