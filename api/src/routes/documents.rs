//! Documents endpoints (under `/api/v1`): the route card, certificates and their public
//! verification, list exports.

use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt;
use shared::dto::RouteFilter;
use shared::dto::catalogue::EventFilter;
use shared::dto::documents::{
    CardFormat, CertificateDto, CertificateVerification, RevokeCertificate,
};
use shared::dto::portfolio::{PortfolioDto, PortfolioQuery};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::docs;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::documents::exports::{self, Export};
use crate::services::documents::{self as service, Rendered, badges, certificates, portfolio};
use crate::state::AppState;

/// Registers this area's endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(card_docx)
        .service(card_pdf)
        .service(my_certificates)
        .service(route_certificates)
        .service(certificate_pdf)
        .service(revoke_certificate)
        .service(certificate_badge)
        .service(certificate_badge_json)
        .service(region_issuer)
        .service(region_jwks)
        .service(region_key)
        .service(region_status_list)
        .service(verify_certificate)
        .service(export_routes_csv)
        .service(export_routes_xlsx)
        .service(export_deficits_csv)
        .service(export_deficits_xlsx)
        .service(export_events_csv)
        .service(export_events_xlsx)
        .service(my_portfolio)
        .service(my_portfolio_docx)
        .service(my_portfolio_pdf)
        .service(unit_portfolio_xlsx);
}

pub(crate) fn attachment(name: &str) -> ContentDisposition {
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: name.as_bytes().to_vec(),
        })],
    }
}

fn file_response(r: Rendered) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(r.content_type)
        .insert_header(attachment(&r.filename))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(r.bytes)
}

/// The route card as an editable Word document (DOCX), after the sample form of the school
/// regulation: title page with «СОГЛАСОВАНО» / «УТВЕРЖДАЮ», the teacher, diagnostics, tasks,
/// roadmap, final event, conclusion, corrections, signatures.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")),
    responses(
        (status = 200, description = "The card", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = inline(crate::openapi::FileBytes)),
        docs::Unauthorized, docs::NotFound
    )
)]
#[get("/routes/{id}/card.docx")]
pub async fn card_docx(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    Ok(file_response(
        service::route_card(&state, &principal, *id, CardFormat::Docx).await?,
    ))
}

/// The route card as PDF (A4, embedded font, page numbers).
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")),
    responses(
        (status = 200, description = "The card", content_type = "application/pdf", body = inline(crate::openapi::FileBytes)),
        docs::Unauthorized, docs::NotFound
    )
)]
#[get("/routes/{id}/card.pdf")]
pub async fn card_pdf(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    Ok(file_response(
        service::route_card(&state, &principal, *id, CardFormat::Pdf).await?,
    ))
}

/// The caller's completion certificates, newest first.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CertificateDto>), docs::Unauthorized)
)]
#[get("/me/certificates")]
pub async fn my_certificates(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<Vec<CertificateDto>>> {
    Ok(web::Json(certificates::mine(&state, &principal).await?))
}

/// Certificates issued for a route (revoked ones included), for everyone who may read it.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The route's id")),
    responses((status = 200, body = Vec<CertificateDto>), docs::Unauthorized, docs::NotFound)
)]
#[get("/routes/{id}/certificates")]
pub async fn route_certificates(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Vec<CertificateDto>>> {
    Ok(web::Json(
        certificates::for_route(&state, &principal, *id).await?,
    ))
}

/// A certificate as PDF, with the QR code of its public verification page.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The certificate's id")),
    responses(
        (status = 200, description = "The certificate", content_type = "application/pdf", body = inline(crate::openapi::FileBytes)),
        docs::Unauthorized, docs::NotFound
    )
)]
#[get("/certificates/{id}/pdf")]
pub async fn certificate_pdf(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    Ok(file_response(
        certificates::pdf(&state, &principal, *id).await?,
    ))
}

/// Revoke a certificate (the region's ЦНППМ manager), with a reason shown on verification.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The certificate's id")),
    request_body = RevokeCertificate,
    responses(
        (status = 200, body = CertificateDto),
        docs::Unauthorized, docs::Forbidden, docs::NotFound, docs::Conflict, docs::Unprocessable
    )
)]
#[post("/certificates/{id}/revoke")]
pub async fn revoke_certificate(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: super::Body<RevokeCertificate>,
) -> AppResult<web::Json<CertificateDto>> {
    Ok(web::Json(
        certificates::revoke(&state, &principal, *id, body.into_inner()).await?,
    ))
}

fn badge_response(b: badges::Badge, content_type: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(attachment(&b.filename))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(b.body)
}

/// The certificate as an Open Badges 3.0 credential: a W3C Verifiable Credential (JSON-LD:
/// the achievement — the route, its criteria and the competencies worked on —, the evidence
/// link to the public verification page, the revocation status list entry) secured as a VC-JWT
/// (`alg: EdDSA`, `typ: vc+jwt`, `kid` the URL of the region's key). Verifiable offline with
/// the region's published key (`/regions/{id}/jwks.json`); a revoked certificate's credential
/// still downloads, and its bit in the region's status list is set.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The certificate's id")),
    responses(
        (status = 200, description = "The signed credential (compact JWS)", content_type = "application/vc+jwt", body = String),
        docs::Unauthorized, docs::NotFound
    )
)]
#[get("/certificates/{id}/badge")]
pub async fn certificate_badge(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    Ok(badge_response(
        badges::badge(&state, &principal, *id).await?,
        badges::VC_JWT,
    ))
}

/// The same Open Badges 3.0 credential unsigned, as JSON-LD, to read or display.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The certificate's id")),
    responses(
        (status = 200, description = "The credential (OpenBadgeCredential, JSON-LD)", content_type = "application/ld+json", body = serde_json::Value),
        docs::Unauthorized, docs::NotFound
    )
)]
#[get("/certificates/{id}/badge.json")]
pub async fn certificate_badge_json(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    Ok(badge_response(
        badges::badge_json(&state, &principal, *id).await?,
        "application/ld+json",
    ))
}

fn public_json(v: serde_json::Value, max_age: u32, content_type: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={max_age}")))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(v)
}

/// The region's certificate issuer: its Open Badges profile (`Profile`), with its public key as
/// a Multikey verification method. The `issuer.id` of the region's credentials. No sign-in.
#[utoipa::path(
    tag = "documents",
    params(("id" = Uuid, Path, description = "The region's id")),
    responses(
        (status = 200, description = "The issuer's profile (JSON-LD)", content_type = "application/ld+json", body = serde_json::Value),
        docs::NotFound, docs::TooManyRequests
    )
)]
#[get("/regions/{id}/issuer")]
pub async fn region_issuer(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    badges::throttle(&state, &req).await?;
    Ok(public_json(
        badges::issuer(&state, *id).await?,
        3600,
        "application/ld+json",
    ))
}

/// The region's public signing keys as a JWK set (Ed25519, RFC 8037): what verifies its
/// credentials and status list offline. No sign-in.
#[utoipa::path(
    tag = "documents",
    params(("id" = Uuid, Path, description = "The region's id")),
    responses(
        (status = 200, description = "The JWK set", content_type = "application/jwk-set+json", body = serde_json::Value),
        docs::NotFound, docs::TooManyRequests
    )
)]
#[get("/regions/{id}/jwks.json")]
pub async fn region_jwks(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    badges::throttle(&state, &req).await?;
    Ok(public_json(
        badges::jwks(&state, *id).await?,
        3600,
        "application/jwk-set+json",
    ))
}

/// One public key of the region as a JWK, by its RFC 7638 thumbprint: what the `kid` of its
/// credentials names. No sign-in.
#[utoipa::path(
    tag = "documents",
    params(
        ("id" = Uuid, Path, description = "The region's id"),
        ("kid" = String, Path, description = "The key's thumbprint")
    ),
    responses(
        (status = 200, description = "The JWK", content_type = "application/jwk+json", body = serde_json::Value),
        docs::NotFound, docs::TooManyRequests
    )
)]
#[get("/regions/{id}/keys/{kid}")]
pub async fn region_key(
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    badges::throttle(&state, &req).await?;
    let (id, kid) = path.into_inner();
    Ok(public_json(
        badges::key(&state, id, &kid).await?,
        3600,
        "application/jwk+json",
    ))
}

/// The region's revocation list: a W3C Bitstring Status List credential (statusPurpose
/// `revocation`, GZIP-compressed bitstring of at least 131,072 bits, multibase base64url),
/// signed as a VC-JWT with the region's key and valid for a day. A certificate's bit is set
/// once it is revoked. No sign-in.
#[utoipa::path(
    tag = "documents",
    params(("id" = Uuid, Path, description = "The region's id")),
    responses(
        (status = 200, description = "The signed status list credential (compact JWS)", content_type = "application/vc+jwt", body = String),
        docs::NotFound, docs::TooManyRequests
    )
)]
#[get("/regions/{id}/status-list")]
pub async fn region_status_list(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    badges::throttle(&state, &req).await?;
    let jwt = badges::status_list(&state, *id).await?;
    Ok(HttpResponse::Ok()
        .content_type(badges::VC_JWT)
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(jwt))
}

/// Public verification of a certificate by the code in its QR link: whether it is valid, and
/// only the number, name, route title, date and issuer. No sign-in; limited per address.
#[utoipa::path(
    tag = "documents",
    params(("code" = String, Path, description = "The verification code")),
    responses(
        (status = 200, body = CertificateVerification),
        docs::NotFound, docs::TooManyRequests
    )
)]
#[get("/verify/{code}")]
pub async fn verify_certificate(
    state: web::Data<AppState>,
    code: web::Path<String>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let address = crate::middleware::client_address::of(&req).map(|a| a.to_string());
    let v = certificates::verify(&state, address.as_deref(), &code).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(v))
}

/// The header with an export's row count, sent before the rows (the SPA's progress bar).
pub const TOTAL_ROWS: &str = "x-total-rows";

/// Streams a CSV export: the header first, then each page of rows as it is read.
async fn csv_export(
    state: web::Data<AppState>,
    principal: Principal,
    export: Export,
) -> AppResult<HttpResponse> {
    exports::check(&principal)?;
    export.check_bounds()?;
    let kind = export.kind();
    let total = exports::count(&state.db, &principal, &export).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, AppError>>(4);
    let first = exports::csv_chunk(&[], Some(kind.headers()));
    tokio::spawn(async move {
        let db = state.db.clone();
        let mut pager = match exports::Source::open(&db, &principal, &export).await {
            Ok(p) => p,
            Err(e) => {
                let _ = tx.send(Err(e)).await;
                return;
            }
        };
        // A small channel: a slow client slows the reading, so pages never pile up in memory.
        loop {
            let item = match pager.next_page().await {
                Ok(Some(rows)) => Ok(web::Bytes::from(exports::csv_chunk(&rows, None))),
                Ok(None) => return,
                Err(e) => {
                    tracing::error!(error = %e, "export failed midway");
                    Err(e)
                }
            };
            let failed = item.is_err();
            if tx.send(item).await.is_err() || failed {
                return;
            }
        }
    });
    let body =
        futures_util::stream::once(async move { Ok::<_, AppError>(web::Bytes::from(first)) })
            .chain(futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|item| (item, rx))
            }));
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(attachment(&service::file_name(kind.file_stem(), "csv")))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((TOTAL_ROWS, total.to_string()))
        .streaming(body))
}

async fn xlsx_export(
    state: web::Data<AppState>,
    principal: Principal,
    export: Export,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    exports::check(&principal)?;
    export.check_bounds()?;
    let kind = export.kind();
    let path = std::env::temp_dir().join(format!("iom-export-{}.xlsx", Uuid::new_v4()));
    let file = std::fs::File::create(&path).map_err(|e| AppError::Unexpected(e.into()))?;
    let result = exports::xlsx(&state.db, &principal, &export, file).await;
    let opened = std::fs::File::open(&path);
    // Unlinked at once: the open handle keeps the data until the response is sent.
    let _ = std::fs::remove_file(&path);
    let total = result?;
    let file = opened.map_err(|e| AppError::Unexpected(e.into()))?;
    let named = actix_files::NamedFile::from_file(file, &path)
        .map_err(|e| AppError::Unexpected(e.into()))?
        .set_content_type(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                .parse()
                .map_err(|e: mime_guess::mime::FromStrError| AppError::Unexpected(e.into()))?,
        )
        .set_content_disposition(attachment(&service::file_name(kind.file_stem(), "xlsx")))
        .use_last_modified(false)
        .use_etag(false);
    let mut res = named.into_response(&req);
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    res.headers_mut().insert(
        header::HeaderName::from_static(TOTAL_ROWS),
        header::HeaderValue::from(total),
    );
    // A workbook is a zip already: sent as it is, with its Content-Length (the SPA's progress
    // bar), rather than gzipped again in chunks of unknown total.
    res.headers_mut().insert(
        header::CONTENT_ENCODING,
        header::HeaderValue::from_static("identity"),
    );
    Ok(res)
}

/// Routes in the caller's scope as CSV (UTF-8 with BOM, `;`), with the route list's filters:
/// teacher, school, municipality, title, status, stage, dates. Streamed page by page.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(RouteFilter),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String, headers(
            ("X-Total-Rows" = u64, description = "Data rows the export holds, counted before streaming (for a progress bar)")
        )),
        docs::Unauthorized, docs::Forbidden, docs::BadRequest
    )
)]
#[get("/exports/routes.csv")]
pub async fn export_routes_csv(
    state: web::Data<AppState>,
    principal: Principal,
    filter: web::Query<RouteFilter>,
) -> AppResult<HttpResponse> {
    csv_export(state, principal, Export::Routes(filter.into_inner())).await
}

/// Routes in the caller's scope as an Excel workbook, with the route list's filters.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(RouteFilter),
    responses(
        (status = 200, description = "XLSX", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = inline(crate::openapi::FileBytes), headers(
            ("X-Total-Rows" = u64, description = "Data rows of the workbook's sheet (the length comes in Content-Length)")
        )),
        docs::Unauthorized, docs::Forbidden, docs::BadRequest
    )
)]
#[get("/exports/routes.xlsx")]
pub async fn export_routes_xlsx(
    state: web::Data<AppState>,
    principal: Principal,
    filter: web::Query<RouteFilter>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    xlsx_export(state, principal, Export::Routes(filter.into_inner()), req).await
}

/// People with deficits: every deficit of the routes in scope, with its teacher, school,
/// competency and state, as CSV.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(RouteFilter),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String, headers(
            ("X-Total-Rows" = u64, description = "Data rows the export holds, counted before streaming (for a progress bar)")
        )),
        docs::Unauthorized, docs::Forbidden, docs::BadRequest
    )
)]
#[get("/exports/deficits.csv")]
pub async fn export_deficits_csv(
    state: web::Data<AppState>,
    principal: Principal,
    filter: web::Query<RouteFilter>,
) -> AppResult<HttpResponse> {
    csv_export(state, principal, Export::Deficits(filter.into_inner())).await
}

/// People with deficits as an Excel workbook.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(RouteFilter),
    responses(
        (status = 200, description = "XLSX", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = inline(crate::openapi::FileBytes), headers(
            ("X-Total-Rows" = u64, description = "Data rows of the workbook's sheet (the length comes in Content-Length)")
        )),
        docs::Unauthorized, docs::Forbidden, docs::BadRequest
    )
)]
#[get("/exports/deficits.xlsx")]
pub async fn export_deficits_xlsx(
    state: web::Data<AppState>,
    principal: Principal,
    filter: web::Query<RouteFilter>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    xlsx_export(state, principal, Export::Deficits(filter.into_inner()), req).await
}

/// Events with attendance: one row per participant of each event in the caller's calendar
/// (event, kind, level, organiser, dates, hours, participant, school, municipality, enrolment
/// status, attended, certificate uploaded), with the calendar's filters (dates, organiser,
/// level, kind, format, competency, text). Organisers see their events' whole sheets; the
/// managers of a participant's school see that participant. Streamed page by page as CSV.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(EventFilter),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String, headers(
            ("X-Total-Rows" = u64, description = "Data rows the export holds, counted before streaming (for a progress bar)")
        )),
        docs::Unauthorized, docs::Forbidden, docs::BadRequest
    )
)]
#[get("/exports/events.csv")]
pub async fn export_events_csv(
    state: web::Data<AppState>,
    principal: Principal,
    filter: web::Query<EventFilter>,
) -> AppResult<HttpResponse> {
    csv_export(state, principal, Export::Events(filter.into_inner())).await
}

/// Events with attendance as an Excel workbook, with the calendar's filters.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(EventFilter),
    responses(
        (status = 200, description = "XLSX", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = inline(crate::openapi::FileBytes), headers(
            ("X-Total-Rows" = u64, description = "Data rows of the workbook's sheet (the length comes in Content-Length)")
        )),
        docs::Unauthorized, docs::Forbidden, docs::BadRequest
    )
)]
#[get("/exports/events.xlsx")]
pub async fn export_events_xlsx(
    state: web::Data<AppState>,
    principal: Principal,
    filter: web::Query<EventFilter>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    xlsx_export(state, principal, Export::Events(filter.into_inner()), req).await
}

/// My attestation portfolio: everything the platform knows of my professional development, a
/// section per criterion of the attestation commission — completed routes with their
/// conclusions and dynamics, certificates, products that passed the expert evaluation, events
/// attended with their hours and certificates, public final events, mentoring received and
/// given — and the hours of further training per academic year, over three and five years.
/// Each item has a key for choosing what the files include.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    responses((status = 200, body = PortfolioDto), docs::Unauthorized)
)]
#[get("/me/portfolio")]
pub async fn my_portfolio(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<web::Json<PortfolioDto>> {
    Ok(web::Json(portfolio::mine(&state, &principal).await?))
}

/// My portfolio as an editable Word document (DOCX) with the items chosen in `items` (every
/// item without it): a title page, a section per criterion, the hours per period; each
/// certificate with the address of its public verification. A malformed `items` is 400; an
/// empty one, or one naming items not in my portfolio, is 422.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(PortfolioQuery),
    responses(
        (status = 200, description = "The portfolio", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = inline(crate::openapi::FileBytes)),
        docs::BadRequest, docs::Unauthorized, docs::Unprocessable
    )
)]
#[get("/me/portfolio.docx")]
pub async fn my_portfolio_docx(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<PortfolioQuery>,
) -> AppResult<HttpResponse> {
    Ok(file_response(
        portfolio::file(&state, &principal, &q, CardFormat::Docx).await?,
    ))
}

/// My portfolio as PDF (A4, page numbers) with the items chosen in `items`, each certificate
/// with a QR code that opens its public verification page.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(PortfolioQuery),
    responses(
        (status = 200, description = "The portfolio", content_type = "application/pdf", body = inline(crate::openapi::FileBytes)),
        docs::BadRequest, docs::Unauthorized, docs::Unprocessable
    )
)]
#[get("/me/portfolio.pdf")]
pub async fn my_portfolio_pdf(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<PortfolioQuery>,
) -> AppResult<HttpResponse> {
    Ok(file_response(
        portfolio::file(&state, &principal, &q, CardFormat::Pdf).await?,
    ))
}

/// The portfolio summary of a unit's teachers (the school's, and below a municipality's or a
/// region's) as XLSX: one row per teacher with completed and all routes, certificates,
/// products that passed the expert evaluation, events attended, and the hours of further
/// training over three and five years. For those who manage the unit (403 for those who
/// manage none; 404 for a unit outside the caller's).
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The unit's id")),
    responses(
        (status = 200, description = "The summary", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = inline(crate::openapi::FileBytes)),
        docs::Unauthorized, docs::Forbidden, docs::NotFound
    )
)]
#[get("/units/{id}/portfolio.xlsx")]
pub async fn unit_portfolio_xlsx(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    Ok(file_response(
        portfolio::unit_summary(&state, &principal, *id).await?,
    ))
}
