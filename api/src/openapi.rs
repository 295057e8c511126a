//! The OpenAPI document: written from the handlers' annotations, served at
//! `/api/openapi.json`, browsable at `/api/docs`, and committed as `openapi/openapi.json`.

use actix_web::App;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ИОМ: платформа индивидуальных образовательных маршрутов педагогов",
        description = "REST API of the open platform for teachers' individual educational routes \
(ИОМ): the route and its five sections, diagnostics and deficits, the catalogue of events, \
people and the organisation hierarchy.\n\n\
Errors are RFC 9457 `application/problem+json` documents with a stable `code`, a Russian \
`detail` for people, the `request_id` to quote, and per-field `errors` for validation \
failures. Objects outside the caller's scope answer 404, exactly as if they did not exist.\n\n\
Sign in with `POST /api/v1/auth/login`; send the access token as `Authorization: Bearer …`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Signing in, token refresh, signing out"),
        (name = "people", description = "The signed-in person and people in scope"),
        (name = "notifications", description = "The signed-in person's notices and «Что сделать» list, fed by the stream of domain events (docs/events.md)"),
        (name = "units", description = "The organisation hierarchy: regions, districts, municipalities, schools"),
        (name = "routes", description = "Individual educational routes: lists, the whole route, workflow, history, comments"),
        (name = "route-diagnostic", description = "Section 2 of a route: diagnostics, deficits"),
        (name = "route-target", description = "Section 3 of a route: development tasks"),
        (name = "route-activity", description = "Section 4 of a route: the roadmap, progress records, evidence files"),
        (name = "route-reflective", description = "Section 5 of a route: products, the final event, the conclusion"),
        (name = "frameworks", description = "Competency frameworks"),
        (name = "integration", description = "For regional platforms and third parties: OAuth client credentials or API keys, incremental sync with cursors, webhooks. See docs/integration.md"),
        (name = "diagnostics", description = "Diagnostic campaigns, results, deficits and dynamics"),
        (name = "catalogue", description = "The unified calendar of educational events, recommendations, enrolment"),
        (name = "documents", description = "The route card (DOCX, PDF), certificates and their public verification, exports"),
        (name = "service", description = "Health, readiness and metrics")
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "The access token from `POST /api/v1/auth/login` or `/api/v1/auth/refresh`",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document for the code as it is.
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    spec
}

/// The document as committed: pretty JSON with a final newline.
pub fn spec_json() -> anyhow::Result<String> {
    Ok(spec().to_pretty_json()? + "\n")
}
