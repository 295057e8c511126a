//! The OpenAPI document: written from the handlers' annotations, served at
//! `/api/openapi.json`, browsable at `/api/docs`, and committed as `openapi/openapi.json`.

use actix_web::App;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, Schema};
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
        (name = "consents", description = "Consent to the processing of personal data (152-ФЗ): the region's purposes, a person's own answers, paper consents registered for them"),
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
        (name = "analytics", description = "Monitoring: the route dashboard of a unit and its workbook"),
        (name = "catalogue", description = "The unified calendar of educational events, recommendations, enrolment"),
        (name = "bank", description = "The region's bank of methodological products: publishing with the author's consent, search, recommendations, «изучить опыт коллеги»"),
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

/// The error answers every operation shares, as response components. Which of them an operation
/// can give follows from its shape, so they are added here in one place rather than on each
/// handler: see [`CommonErrors`].
const COMMON_ERRORS: &[(&str, &str, &str)] = &[
    (
        "400",
        "BadRequest",
        "Malformed request: the body is not JSON (or not readable), or a query parameter is not \
         understood or out of its range.",
    ),
    (
        "401",
        "Unauthorized",
        "Not signed in, or the access token has expired (`WWW-Authenticate: Bearer`).",
    ),
    (
        "403",
        "Forbidden",
        "The caller's roles do not allow this action, or the object is visible but this action on \
         it is not allowed.",
    ),
    (
        "404",
        "NotFound",
        "No such object, or it is outside the caller's scope (the two are not told apart); also a \
         malformed id in the path.",
    ),
    (
        "409",
        "Conflict",
        "The object's current state does not allow this action.",
    ),
    (
        "410",
        "Gone",
        "The object existed and is gone for good (an expired download).",
    ),
    (
        "412",
        "PreconditionFailed",
        "The object changed since the `version` (or `revision`) the request names; read it \
         again and repeat the change.",
    ),
    (
        "413",
        "PayloadTooLarge",
        "The body is larger than the server accepts.",
    ),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not in the media type this operation reads.",
    ),
    (
        "422",
        "Unprocessable",
        "The body is well-formed but invalid: a wrong type, an unknown value, a missing field, or a \
         rule of the domain; `errors` has messages per field.",
    ),
    (
        "429",
        "TooManyRequests",
        "Too many attempts; retry after the number of seconds in `Retry-After`.",
    ),
];

/// Documents on every operation the error answers its shape allows, as references to the shared
/// response components:
/// * a path parameter or an id in the query → 404 (unknown, out of scope or malformed id);
/// * a query parameter or a body → 400;
/// * a body → 413, 415 and 422;
/// * a bearer token → 401 and 403;
/// * a `version` or `revision` in the query or the body → 412.
///
/// Problem answers an operation already documents are replaced by the shared component, so
/// each status has one description everywhere.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (_, name, description) in COMMON_ERRORS {
            components.responses.insert(
                (*name).to_owned(),
                RefOr::T(
                    ResponseBuilder::new()
                        .description(*description)
                        .content(
                            "application/problem+json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("Problem")))
                                .build(),
                        )
                        .build(),
                ),
            );
        }
        let schemas = serde_json::to_value(&components.schemas).unwrap_or_default();
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                add_common_errors(op, &schemas);
            }
        }
    }
}

/// Whether the operation names the version of what it changes (optimistic concurrency).
fn names_a_version(op: &Operation, schemas: &serde_json::Value) -> bool {
    const NAMES: [&str; 2] = ["version", "revision"];
    let in_query = op
        .parameters
        .iter()
        .flatten()
        .any(|p| NAMES.contains(&p.name.as_str()));
    let body = op
        .request_body
        .as_ref()
        .and_then(|b| b.content.get("application/json"))
        .and_then(|c| serde_json::to_value(&c.schema).ok());
    let body = match body {
        Some(serde_json::Value::Object(s)) => match s.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => schemas
                .get(r.trim_start_matches("#/components/schemas/"))
                .cloned()
                .unwrap_or_default(),
            None => serde_json::Value::Object(s),
        },
        _ => serde_json::Value::Null,
    };
    let in_body = body
        .get("properties")
        .and_then(|p| p.as_object())
        .is_some_and(|p| NAMES.iter().any(|n| p.contains_key(*n)));
    in_query || in_body
}

fn add_common_errors(op: &mut Operation, schemas: &serde_json::Value) {
    let params = op.parameters.as_deref().unwrap_or_default();
    // An id in the path or the query names an object that may not exist or be out of scope.
    let names_an_object = params.iter().any(|p| {
        matches!(p.parameter_in, ParameterIn::Path)
            || (matches!(p.parameter_in, ParameterIn::Query)
                && serde_json::to_value(&p.schema)
                    .is_ok_and(|s| s.get("format").is_some_and(|f| f == "uuid")))
    });
    let in_query = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let body = op.request_body.is_some();
    let secured = op
        .security
        .as_ref()
        .is_some_and(|s| s.iter().any(|r| r != &Default::default()));
    let mut statuses: Vec<&str> = Vec::new();
    if names_an_object {
        statuses.push("404");
    }
    if in_query || body {
        statuses.push("400");
    }
    if body {
        statuses.extend(["413", "415", "422"]);
    }
    if secured {
        statuses.extend(["401", "403"]);
    }
    if names_a_version(op, schemas) {
        statuses.push("412");
    }
    let responses = &mut op.responses.responses;
    for (status, name, _) in COMMON_ERRORS {
        if statuses.contains(status) || responses.contains_key(*status) {
            responses.insert(
                (*status).to_owned(),
                RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))),
            );
        }
    }
}

/// The bytes of a file, sent or received as the whole body (`application/octet-stream`, PDF,
/// DOCX, XLSX).
pub struct FileBytes;

impl utoipa::PartialSchema for FileBytes {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for FileBytes {}

/// The document for the code as it is.
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, mut spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    CommonErrors.modify(&mut spec);
    spec
}

/// The document as served and committed: [`spec`] with optional scalars spelled for
/// generators (see [`split_nullable_types`]).
pub fn spec_value() -> anyhow::Result<serde_json::Value> {
    let mut value = serde_json::to_value(spec())?;
    split_nullable_types(&mut value);
    Ok(value)
}

/// Keywords that describe a value without constraining it: they stay outside the `oneOf`.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "default",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Rewrites an optional scalar, `{"type": ["integer", "null"], "format": "int32", …}`, as
/// `{"oneOf": [{"type": "null"}, {"type": "integer", "format": "int32", …}]}`. Both say the
/// same, but generators that read a list of types drop the format and bounds on the way (an
/// empty string for an optional date, `2.0` for an optional integer) and so produce values the
/// document does not mean; one type per branch keeps them.
fn split_nullable_types(value: &mut serde_json::Value) {
    use serde_json::{Map, Value};
    match value {
        Value::Object(map) => {
            for child in map.values_mut() {
                split_nullable_types(child);
            }
            let Some(Value::Array(types)) = map.get("type") else {
                return;
            };
            if types.len() != 2 || !types.contains(&Value::from("null")) {
                return;
            }
            let Some(other) = types.iter().find(|t| *t != "null").cloned() else {
                return;
            };
            let constrained = map
                .keys()
                .any(|k| k != "type" && !ANNOTATIONS.contains(&k.as_str()));
            if !constrained {
                return;
            }
            let mut outer = Map::new();
            let mut inner = Map::new();
            for (k, v) in std::mem::take(map) {
                if ANNOTATIONS.contains(&k.as_str()) {
                    outer.insert(k, v);
                } else {
                    inner.insert(k, v);
                }
            }
            inner.insert("type".into(), other);
            let null = Value::Object(Map::from_iter([("type".to_owned(), Value::from("null"))]));
            outer.insert(
                "oneOf".into(),
                Value::Array(vec![null, Value::Object(inner)]),
            );
            *map = outer;
        }
        Value::Array(items) => items.iter_mut().for_each(split_nullable_types),
        _ => {}
    }
}

/// The document as committed: pretty JSON with a final newline.
pub fn spec_json() -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(&spec_value()?)? + "\n")
}
