//! The access matrix: every endpoint of the API, for every role (plus anonymous and a
//! deactivated person), against an object in the caller's scope and one out of it (another
//! region). Out-of-scope objects are never read or written: the answer is 404 (or, where the
//! object is named in the body, a 422 that says it was not found). A new endpoint without a
//! row here fails the test, so none slips through unchecked.

use std::collections::BTreeMap;

use e2e::{TestApp, fixtures};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::Role;
use shared::dto::*;
use uuid::Uuid;

use crate::routes::{create, fill, write};

/// The ids of one side (in scope or out of it).
#[derive(Debug, Clone, Default)]
struct Ids {
    route: Uuid,
    diagnostic: Uuid,
    deficit: Uuid,
    task: Uuid,
    activity: Uuid,
    progress: Uuid,
    product: Uuid,
    file: Uuid,
    teacher: Uuid,
    school: Uuid,
    municipality: Uuid,
    region: Uuid,
    tutor_assignment: Uuid,
    teacher_grant: Uuid,
    import: Uuid,
    framework: Uuid,
    competency: Uuid,
    client: Uuid,
    webhook: Uuid,
    delivery: Uuid,
    event: Uuid,
    enrolment: Uuid,
    campaign: Uuid,
    results_import: Uuid,
    certificate: Uuid,
    notice: Uuid,
    draft_job: Uuid,
    export: Uuid,
    /// A purpose of processing of the side's region.
    purpose: Uuid,
    /// A paper consent of the side's teacher, with its scan.
    consent_record: Uuid,
    /// A pending request to erase the side's teacher's data.
    erasure: Uuid,
    /// The side's product, published in its region's bank.
    bank_product: Uuid,
}

/// What an endpoint acts on, which decides who may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Obj {
    /// Public endpoints: no token needed.
    Public,
    /// Collections and the caller's own things: any signed-in person.
    Own,
    /// Administrators only (others get 404).
    AdminOnly,
    Route,
    Person,
    Unit,
    /// A teacher's own tutor assignment (consent).
    Consent,
    /// A notice of the teacher's: theirs alone.
    Notice,
    /// The importer's own import.
    Import,
    Framework,
    /// An integration client and its webhooks: managed by the region's manager.
    Client,
    /// Endpoints for integration clients only: a person's token is refused.
    ClientApi,
    /// A published event of the demo municipality (another region's outside).
    Event,
    /// The demo teacher's enrolment on it: the organisers and the teacher.
    Enrolment,
    /// Cohorts of the demo school: its managers and those above.
    Cohort,
    /// A diagnostic campaign: seen by everyone in its region.
    Campaign,
    /// A person's diagnostic results: the person, their tutor and mentor, their managers.
    Results,
    /// The route dashboard and the portfolio summary of the demo school: those who manage it.
    Dashboard,
    /// A job drafting routes from a campaign: the region's manager only.
    DraftJob,
    /// The teacher's export of their own data: theirs alone.
    Export,
    /// A purpose of processing the caller answers: everyone working in its region.
    RegionPurpose,
    /// A request to erase someone's data: decided by the region's manager (and the
    /// administrator).
    Erasure,
    /// A product in the region's bank: everyone working in the region.
    BankProduct,
}

/// Demo roles in column order.
const ROLES: &[(&str, &str)] = &[
    ("teacher@iom.test", "пед"),
    ("tutor@iom.test", "тьют"),
    ("methodist@iom.test", "мет"),
    ("coordinator@iom.test", "коорд"),
    ("deputy@iom.test", "зам"),
    ("director@iom.test", "дир"),
    ("municipal@iom.test", "мун"),
    ("manager@iom.test", "мен"),
    ("expert@iom.test", "эксп"),
    ("admin@iom.test", "адм"),
];

/// Who sees the in-scope object of each kind (in [`ROLES`] order).
fn sees_inside(obj: Obj) -> [bool; 10] {
    match obj {
        Obj::Public | Obj::Own | Obj::Unit | Obj::Framework | Obj::Campaign => [true; 10],
        Obj::BankProduct => [true; 10],
        Obj::Results => [true, true, true, true, true, true, true, true, false, false],
        Obj::AdminOnly => [
            false, false, false, false, false, false, false, false, false, true,
        ],
        // The demo teacher's route: the teacher, the consenting tutor, the mentor, the school,
        // the municipality, the region; not an unassigned expert, not the administrator.
        Obj::Route => [true, true, true, true, true, true, true, true, false, false],
        Obj::Person => [true, true, true, true, true, true, true, true, false, true],
        Obj::Consent | Obj::Notice | Obj::Export => [
            true, false, false, false, false, false, false, false, false, false,
        ],
        Obj::Import | Obj::DraftJob => [
            false, false, false, false, false, false, false, true, false, false,
        ],
        Obj::Client => [
            false, false, false, false, false, false, false, true, false, true,
        ],
        Obj::ClientApi => [false; 10],
        Obj::Event => [true; 10],
        Obj::Enrolment => [
            true, false, false, false, false, false, true, true, false, false,
        ],
        Obj::Cohort | Obj::Dashboard => [
            false, false, false, true, true, true, true, true, false, false,
        ],
        Obj::RegionPurpose => [true, true, true, true, true, true, true, true, true, false],
        Obj::Erasure => [
            false, false, false, false, false, false, false, true, false, true,
        ],
    }
}

/// Who sees the out-of-scope object: nobody, but the administrator sees the other region's
/// structure and people (never its routes).
fn sees_outside(obj: Obj) -> [bool; 10] {
    let admin_only = [
        false, false, false, false, false, false, false, false, false, true,
    ];
    match obj {
        Obj::Public | Obj::Own => [true; 10],
        Obj::AdminOnly | Obj::Person | Obj::Unit | Obj::Framework | Obj::Campaign => admin_only,
        Obj::Client | Obj::Event => admin_only,
        Obj::Enrolment | Obj::Cohort | Obj::Results | Obj::Dashboard => [false; 10],
        Obj::Route | Obj::Consent | Obj::Notice | Obj::Import | Obj::ClientApi => [false; 10],
        Obj::DraftJob | Obj::Export | Obj::RegionPurpose => [false; 10],
        Obj::Erasure | Obj::BankProduct => admin_only,
    }
}

/// Every operation of the API: method, path template, what it acts on.
const ENDPOINTS: &[(&str, &str, Obj)] = &[
    ("GET", "/healthz", Obj::Public),
    ("GET", "/readyz", Obj::Public),
    ("GET", "/metrics", Obj::Public),
    ("POST", "/api/v1/auth/login", Obj::Public),
    ("POST", "/api/v1/auth/refresh", Obj::Public),
    ("POST", "/api/v1/auth/logout", Obj::Public),
    ("POST", "/api/v1/auth/password-reset", Obj::Public),
    ("GET", "/api/v1/auth/links/{token}", Obj::Public),
    ("POST", "/api/v1/auth/set-password", Obj::Public),
    ("POST", "/api/v1/auth/confirm-email", Obj::Public),
    ("GET", "/api/v1/me", Obj::Own),
    ("POST", "/api/v1/me/password", Obj::Own),
    ("PUT", "/api/v1/me/assignments/{id}/consent", Obj::Consent),
    ("GET", "/api/v1/me/notifications", Obj::Own),
    ("POST", "/api/v1/me/notifications/read-all", Obj::Own),
    ("POST", "/api/v1/me/notifications/{id}/read", Obj::Notice),
    ("GET", "/api/v1/me/tasks", Obj::Own),
    ("GET", "/api/v1/me/access-log", Obj::Own),
    ("POST", "/api/v1/me/export", Obj::Own),
    // After the start above everyone has an export of their own to read.
    ("GET", "/api/v1/me/export", Obj::Own),
    ("GET", "/api/v1/me/export/{id}", Obj::Export),
    ("GET", "/api/v1/me/export/{id}/download", Obj::Export),
    ("GET", "/api/v1/me/notification-settings", Obj::Own),
    ("PUT", "/api/v1/me/notification-settings", Obj::Own),
    ("POST", "/api/v1/unsubscribe/{token}", Obj::Public),
    ("GET", "/api/v1/admin/outbox", Obj::AdminOnly),
    ("GET", "/api/v1/units", Obj::Own),
    ("POST", "/api/v1/units", Obj::Unit),
    ("GET", "/api/v1/units/{id}", Obj::Unit),
    ("PUT", "/api/v1/units/{id}", Obj::Unit),
    ("POST", "/api/v1/units/{id}/archive", Obj::Unit),
    ("POST", "/api/v1/units/{id}/restore", Obj::Unit),
    ("GET", "/api/v1/units/{id}/policy", Obj::Unit),
    ("PUT", "/api/v1/units/{id}/policy", Obj::Unit),
    ("GET", "/api/v1/people", Obj::Own),
    ("POST", "/api/v1/people", Obj::Unit),
    ("GET", "/api/v1/people/{id}", Obj::Person),
    ("PUT", "/api/v1/people/{id}", Obj::Person),
    ("GET", "/api/v1/people/{id}/card", Obj::Person),
    ("POST", "/api/v1/people/{id}/deactivate", Obj::Person),
    ("POST", "/api/v1/people/{id}/activate", Obj::Person),
    ("POST", "/api/v1/people/{id}/invitation", Obj::Person),
    ("DELETE", "/api/v1/people/{id}/invitation", Obj::Person),
    ("POST", "/api/v1/people/{id}/roles", Obj::Person),
    ("DELETE", "/api/v1/role-grants/{id}", Obj::Person),
    ("POST", "/api/v1/assignments", Obj::Person),
    ("DELETE", "/api/v1/assignments/{id}", Obj::Person),
    ("POST", "/api/v1/people/imports", Obj::Unit),
    ("GET", "/api/v1/people/imports/{id}", Obj::Import),
    ("POST", "/api/v1/people/imports/{id}/commit", Obj::Import),
    ("GET", "/api/v1/frameworks", Obj::Own),
    ("GET", "/api/v1/frameworks/{id}", Obj::Framework),
    ("POST", "/api/v1/frameworks", Obj::Unit),
    ("PUT", "/api/v1/frameworks/{id}", Obj::Framework),
    ("POST", "/api/v1/frameworks/{id}/copy", Obj::Framework),
    ("POST", "/api/v1/frameworks/{id}/publish", Obj::Framework),
    ("GET", "/api/v1/diagnostics/campaigns", Obj::Own),
    ("POST", "/api/v1/diagnostics/campaigns", Obj::Unit),
    ("GET", "/api/v1/diagnostics/mine", Obj::Own),
    ("GET", "/api/v1/diagnostics/campaigns/{id}", Obj::Campaign),
    ("PUT", "/api/v1/diagnostics/campaigns/{id}", Obj::Campaign),
    (
        "DELETE",
        "/api/v1/diagnostics/campaigns/{id}",
        Obj::Campaign,
    ),
    (
        "GET",
        "/api/v1/diagnostics/campaigns/{id}/results",
        Obj::Campaign,
    ),
    (
        "GET",
        "/api/v1/diagnostics/campaigns/{id}/people/{person_id}",
        Obj::Results,
    ),
    (
        "PUT",
        "/api/v1/diagnostics/campaigns/{id}/people/{person_id}",
        Obj::Results,
    ),
    (
        "PUT",
        "/api/v1/diagnostics/campaigns/{id}/self",
        Obj::Campaign,
    ),
    (
        "POST",
        "/api/v1/diagnostics/campaigns/{id}/imports",
        Obj::Campaign,
    ),
    ("GET", "/api/v1/diagnostics/imports/{id}", Obj::Import),
    (
        "POST",
        "/api/v1/diagnostics/imports/{id}/commit",
        Obj::Import,
    ),
    (
        "GET",
        "/api/v1/diagnostics/campaigns/{id}/analytics",
        Obj::Campaign,
    ),
    (
        "GET",
        "/api/v1/diagnostics/campaigns/{id}/deficit-people",
        Obj::Campaign,
    ),
    (
        "POST",
        "/api/v1/diagnostics/campaigns/{id}/route-drafts",
        Obj::Campaign,
    ),
    (
        "GET",
        "/api/v1/diagnostics/campaigns/{id}/route-drafts",
        Obj::Campaign,
    ),
    (
        "GET",
        "/api/v1/diagnostics/route-drafts/{id}",
        Obj::DraftJob,
    ),
    (
        "POST",
        "/api/v1/routes/{id}/diagnostic-from-campaign",
        Obj::Route,
    ),
    ("GET", "/api/v1/routes/{id}/dynamics", Obj::Route),
    ("GET", "/api/v1/routes", Obj::Own),
    ("POST", "/api/v1/routes", Obj::Person),
    ("GET", "/api/v1/routes/{id}", Obj::Route),
    ("PUT", "/api/v1/routes/{id}", Obj::Route),
    ("DELETE", "/api/v1/routes/{id}", Obj::Route),
    ("GET", "/api/v1/routes/{id}/sections/{section}", Obj::Route),
    (
        "POST",
        "/api/v1/routes/{id}/information/refresh",
        Obj::Route,
    ),
    ("POST", "/api/v1/routes/{id}/diagnostics", Obj::Route),
    (
        "PUT",
        "/api/v1/routes/{id}/diagnostics/{item_id}",
        Obj::Route,
    ),
    (
        "DELETE",
        "/api/v1/routes/{id}/diagnostics/{item_id}",
        Obj::Route,
    ),
    ("POST", "/api/v1/routes/{id}/deficits", Obj::Route),
    ("PUT", "/api/v1/routes/{id}/deficits/{item_id}", Obj::Route),
    (
        "DELETE",
        "/api/v1/routes/{id}/deficits/{item_id}",
        Obj::Route,
    ),
    ("POST", "/api/v1/routes/{id}/tasks", Obj::Route),
    ("PUT", "/api/v1/routes/{id}/tasks/{item_id}", Obj::Route),
    ("DELETE", "/api/v1/routes/{id}/tasks/{item_id}", Obj::Route),
    ("POST", "/api/v1/routes/{id}/activities", Obj::Route),
    (
        "PUT",
        "/api/v1/routes/{id}/activities/{item_id}",
        Obj::Route,
    ),
    (
        "DELETE",
        "/api/v1/routes/{id}/activities/{item_id}",
        Obj::Route,
    ),
    ("PUT", "/api/v1/routes/{id}/activities-order", Obj::Route),
    ("POST", "/api/v1/routes/{id}/progress", Obj::Route),
    ("PUT", "/api/v1/routes/{id}/progress/{item_id}", Obj::Route),
    (
        "DELETE",
        "/api/v1/routes/{id}/progress/{item_id}",
        Obj::Route,
    ),
    ("POST", "/api/v1/routes/{id}/products", Obj::Route),
    ("PUT", "/api/v1/routes/{id}/products/{item_id}", Obj::Route),
    (
        "DELETE",
        "/api/v1/routes/{id}/products/{item_id}",
        Obj::Route,
    ),
    ("PUT", "/api/v1/routes/{id}/final-event", Obj::Route),
    ("PUT", "/api/v1/routes/{id}/conclusion", Obj::Route),
    ("POST", "/api/v1/routes/{id}/transitions", Obj::Route),
    ("GET", "/api/v1/routes/{id}/history", Obj::Route),
    ("POST", "/api/v1/routes/{id}/next", Obj::Route),
    ("GET", "/api/v1/routes/{id}/comments", Obj::Route),
    ("POST", "/api/v1/routes/{id}/comments", Obj::Route),
    ("POST", "/api/v1/routes/{id}/files", Obj::Route),
    ("GET", "/api/v1/files/{id}", Obj::Route),
    ("DELETE", "/api/v1/files/{id}", Obj::Route),
    ("POST", "/api/v1/oauth/token", Obj::Public),
    ("GET", "/api/v1/meta", Obj::Public),
    ("GET", "/api/v1/integration/me", Obj::ClientApi),
    ("GET", "/api/v1/sync/routes", Obj::ClientApi),
    ("GET", "/api/v1/sync/people", Obj::ClientApi),
    ("GET", "/api/v1/sync/events", Obj::ClientApi),
    ("GET", "/api/v1/sync/diagnostics", Obj::ClientApi),
    ("GET", "/api/v1/sync/enrolments", Obj::ClientApi),
    ("GET", "/api/v1/sync/routes/{id}", Obj::ClientApi),
    ("GET", "/api/v1/integrations", Obj::Own),
    ("POST", "/api/v1/integrations", Obj::Unit),
    ("GET", "/api/v1/integrations/{id}", Obj::Client),
    ("POST", "/api/v1/integrations/{id}/rotate", Obj::Client),
    ("POST", "/api/v1/integrations/{id}/revoke", Obj::Client),
    ("GET", "/api/v1/integrations/{id}/webhooks", Obj::Client),
    ("POST", "/api/v1/integrations/{id}/webhooks", Obj::Client),
    ("DELETE", "/api/v1/webhooks/{id}", Obj::Client),
    ("POST", "/api/v1/webhooks/{id}/enable", Obj::Client),
    ("GET", "/api/v1/webhooks/{id}/deliveries", Obj::Client),
    (
        "POST",
        "/api/v1/webhook-deliveries/{id}/redeliver",
        Obj::Client,
    ),
    ("GET", "/api/v1/catalogue/events", Obj::Own),
    ("GET", "/api/v1/catalogue/events.ics", Obj::Own),
    ("POST", "/api/v1/catalogue/events", Obj::Unit),
    ("GET", "/api/v1/catalogue/events/{id}", Obj::Event),
    ("PUT", "/api/v1/catalogue/events/{id}", Obj::Event),
    ("POST", "/api/v1/catalogue/events/{id}/publish", Obj::Event),
    ("POST", "/api/v1/catalogue/events/{id}/cancel", Obj::Event),
    (
        "POST",
        "/api/v1/catalogue/events/{id}/enrolment",
        Obj::Event,
    ),
    (
        "DELETE",
        "/api/v1/catalogue/events/{id}/enrolment",
        Obj::Event,
    ),
    (
        "GET",
        "/api/v1/catalogue/events/{id}/enrolments",
        Obj::Event,
    ),
    (
        "POST",
        "/api/v1/catalogue/events/{id}/recommendations",
        Obj::Event,
    ),
    ("POST", "/api/v1/catalogue/events/{id}/roadmap", Obj::Event),
    (
        "PUT",
        "/api/v1/catalogue/enrolments/{id}/attendance",
        Obj::Enrolment,
    ),
    (
        "POST",
        "/api/v1/catalogue/enrolments/{id}/certificate",
        Obj::Enrolment,
    ),
    ("GET", "/api/v1/catalogue/enrolments/mine", Obj::Own),
    ("GET", "/api/v1/catalogue/recommendations", Obj::Own),
    ("GET", "/api/v1/catalogue/cohorts", Obj::Cohort),
    ("POST", "/api/v1/me/calendar-feed", Obj::Own),
    ("DELETE", "/api/v1/me/calendar-feed", Obj::Own),
    ("GET", "/api/v1/calendar/{token}/events.ics", Obj::Public),
    ("GET", "/api/v1/calendar/{token}/roadmap.ics", Obj::Public),
    ("GET", "/api/v1/routes/{id}/card.docx", Obj::Route),
    ("GET", "/api/v1/routes/{id}/card.pdf", Obj::Route),
    ("GET", "/api/v1/routes/{id}/certificates", Obj::Route),
    ("GET", "/api/v1/me/certificates", Obj::Own),
    ("GET", "/api/v1/certificates/{id}/pdf", Obj::Route),
    ("POST", "/api/v1/certificates/{id}/revoke", Obj::Route),
    ("GET", "/api/v1/certificates/{id}/badge", Obj::Route),
    ("GET", "/api/v1/certificates/{id}/badge.json", Obj::Route),
    // The regions' certificate issuers: public by design (verification without the platform).
    ("GET", "/api/v1/regions/{id}/issuer", Obj::Public),
    ("GET", "/api/v1/regions/{id}/jwks.json", Obj::Public),
    ("GET", "/api/v1/regions/{id}/keys/{kid}", Obj::Public),
    ("GET", "/api/v1/regions/{id}/status-list", Obj::Public),
    ("GET", "/api/v1/verify/{code}", Obj::Public),
    ("GET", "/api/v1/exports/routes.csv", Obj::Own),
    ("GET", "/api/v1/exports/routes.xlsx", Obj::Own),
    ("GET", "/api/v1/exports/deficits.csv", Obj::Own),
    ("GET", "/api/v1/exports/deficits.xlsx", Obj::Own),
    ("GET", "/api/v1/exports/events.csv", Obj::Own),
    ("GET", "/api/v1/exports/events.xlsx", Obj::Own),
    ("GET", "/api/v1/analytics/routes", Obj::Dashboard),
    ("GET", "/api/v1/analytics/routes.xlsx", Obj::Dashboard),
    ("GET", "/api/v1/me/consents", Obj::Own),
    (
        "PUT",
        "/api/v1/me/consents/{purpose_id}",
        Obj::RegionPurpose,
    ),
    ("GET", "/api/v1/people/{id}/consents", Obj::Person),
    ("POST", "/api/v1/people/{id}/consents", Obj::Person),
    (
        "POST",
        "/api/v1/people/{id}/consents/{record_id}/scan",
        Obj::Person,
    ),
    (
        "GET",
        "/api/v1/people/{id}/consents/{record_id}/scan",
        Obj::Person,
    ),
    ("GET", "/api/v1/units/{id}/consent-purposes", Obj::Unit),
    ("POST", "/api/v1/units/{id}/consent-purposes", Obj::Unit),
    ("PUT", "/api/v1/consent-purposes/{id}", Obj::Unit),
    ("GET", "/api/v1/me/attestation", Obj::Own),
    ("GET", "/api/v1/units/{id}/attestation", Obj::Unit),
    ("GET", "/api/v1/me/portfolio", Obj::Own),
    ("GET", "/api/v1/me/portfolio.docx", Obj::Own),
    ("GET", "/api/v1/me/portfolio.pdf", Obj::Own),
    ("GET", "/api/v1/units/{id}/portfolio.xlsx", Obj::Dashboard),
    ("GET", "/api/v1/units/{id}/retention", Obj::Unit),
    ("PUT", "/api/v1/units/{id}/retention", Obj::Unit),
    ("GET", "/api/v1/units/{id}/retention/runs", Obj::Unit),
    ("POST", "/api/v1/units/{id}/retention/runs", Obj::Unit),
    ("GET", "/api/v1/me/erasure-requests", Obj::Own),
    ("POST", "/api/v1/me/erasure-requests", Obj::Own),
    ("POST", "/api/v1/people/{id}/erasure-requests", Obj::Person),
    ("GET", "/api/v1/erasure-requests", Obj::Own),
    ("POST", "/api/v1/erasure-requests/{id}/reject", Obj::Erasure),
    (
        "POST",
        "/api/v1/erasure-requests/{id}/execute",
        Obj::Erasure,
    ),
    ("GET", "/api/v1/routes/{id}/publication", Obj::Route),
    (
        "POST",
        "/api/v1/routes/{id}/products/{product_id}/publication",
        Obj::Route,
    ),
    ("GET", "/api/v1/products", Obj::Own),
    ("GET", "/api/v1/products/{id}", Obj::BankProduct),
    ("POST", "/api/v1/products/{id}/withdrawal", Obj::BankProduct),
    (
        "POST",
        "/api/v1/products/{id}/recommendations",
        Obj::BankProduct,
    ),
    ("POST", "/api/v1/products/{id}/adoption", Obj::BankProduct),
];

/// The concrete path (and query) for an endpoint on one side.
fn concrete(path: &str, ids: &Ids) -> String {
    let id = match path {
        p if p.starts_with("/api/v1/routes/") => ids.route,
        p if p.starts_with("/api/v1/files/") => ids.file,
        p if p.starts_with("/api/v1/people/imports/") => ids.import,
        p if p.starts_with("/api/v1/people/") => ids.teacher,
        p if p.starts_with("/api/v1/units/") && p.ends_with("policy") => ids.region,
        p if p.starts_with("/api/v1/units/") && p.ends_with("consent-purposes") => ids.region,
        p if p.starts_with("/api/v1/units/") && p.contains("/retention") => ids.region,
        p if p.starts_with("/api/v1/consent-purposes/") => ids.purpose,
        p if p.starts_with("/api/v1/erasure-requests/") => ids.erasure,
        p if p.starts_with("/api/v1/units/") => ids.school,
        p if p.starts_with("/api/v1/role-grants/") => ids.teacher_grant,
        p if p.starts_with("/api/v1/assignments/") || p.starts_with("/api/v1/me/assignments/") => {
            ids.tutor_assignment
        }
        p if p.starts_with("/api/v1/me/notifications/") => ids.notice,
        p if p.starts_with("/api/v1/me/export/") => ids.export,
        p if p.starts_with("/api/v1/frameworks/") => ids.framework,
        p if p.starts_with("/api/v1/integrations/") => ids.client,
        p if p.starts_with("/api/v1/webhooks/") => ids.webhook,
        p if p.starts_with("/api/v1/webhook-deliveries/") => ids.delivery,
        p if p.starts_with("/api/v1/sync/routes/") => ids.route,
        p if p.starts_with("/api/v1/catalogue/events/") => ids.event,
        p if p.starts_with("/api/v1/catalogue/enrolments/") => ids.enrolment,
        p if p.starts_with("/api/v1/diagnostics/campaigns/") => ids.campaign,
        p if p.starts_with("/api/v1/diagnostics/imports/") => ids.results_import,
        p if p.starts_with("/api/v1/diagnostics/route-drafts/") => ids.draft_job,
        p if p.starts_with("/api/v1/certificates/") => ids.certificate,
        p if p.starts_with("/api/v1/regions/") => ids.region,
        p if p.starts_with("/api/v1/products/") => ids.bank_product,
        _ => Uuid::nil(),
    };
    let item = match path {
        p if p.contains("/diagnostics/") => ids.diagnostic,
        p if p.contains("/deficits/") => ids.deficit,
        p if p.contains("/tasks/") => ids.task,
        p if p.contains("/activities/") => ids.activity,
        p if p.contains("/progress/") => ids.progress,
        p if p.contains("/products/") => ids.product,
        _ => Uuid::nil(),
    };
    let mut out = path
        .replace("{id}", &id.to_string())
        .replace("{item_id}", &item.to_string())
        .replace("{person_id}", &ids.teacher.to_string())
        .replace("{product_id}", &ids.product.to_string())
        .replace("{purpose_id}", &ids.purpose.to_string())
        .replace("{record_id}", &ids.consent_record.to_string())
        .replace("{section}", "target")
        .replace("{token}", "not-a-real-token")
        .replace("{kid}", "not-a-key")
        .replace("{code}", "aaaaaaaaaaaaaaaaaaaaaaaa");
    // Stale versions: an allowed caller gets 412 instead of changing anything.
    if path.starts_with("/api/v1/routes/{id}")
        && matches!(path.rsplit('/').next(), Some("{id}" | "{item_id}"))
    {
        out.push_str("?version=999");
    }
    if path == "/api/v1/routes/{id}/information/refresh" {
        out.push_str("?version=999");
    }
    if path == "/api/v1/routes/{id}/files" {
        out.push_str(&format!("?activity_id={}&name=x.pdf", ids.activity));
    }
    if path == "/api/v1/diagnostics/campaigns/{id}/deficit-people" {
        out.push_str(&format!("?competency_id={}", ids.competency));
    }
    if path == "/api/v1/diagnostics/campaigns/{id}/imports" {
        out.push_str("?name=r.csv");
    }
    if path == "/api/v1/people/imports"
        || path == "/api/v1/catalogue/cohorts"
        || path.starts_with("/api/v1/analytics/")
    {
        out.push_str(&format!("?unit_id={}", ids.school));
    }
    if path == "/api/v1/catalogue/enrolments/{id}/certificate" {
        out.push_str("?name=c.pdf");
    }
    out
}

/// A body that passes validation, so authorization (or a stale version) decides.
fn body(method: &str, path: &str, ids: &Ids) -> Option<Value> {
    let v = 999;
    let b = match (method, path) {
        ("POST", "/api/v1/auth/login") => json!({ "email": "nobody@iom.test", "password": "x" }),
        ("POST", "/api/v1/auth/password-reset") => json!({ "email": "nobody@iom.test" }),
        ("POST", "/api/v1/auth/set-password") => {
            json!({ "token": "not-a-real-token", "password": "зелёный чайник" })
        }
        ("POST", "/api/v1/auth/confirm-email") => json!({ "token": "not-a-real-token" }),
        ("POST", "/api/v1/me/password") => {
            json!({ "current_password": "wrong", "new_password": "зелёный чайник" })
        }
        ("PUT", "/api/v1/me/assignments/{id}/consent") => json!({ "given": true }),
        ("PUT", "/api/v1/me/notification-settings") => json!({ "items": [] }),
        ("PUT", "/api/v1/me/consents/{purpose_id}") => json!({ "given": true, "version": 1 }),
        ("POST", "/api/v1/people/{id}/consents") => {
            json!({ "purpose_id": ids.purpose, "given": true, "signed_on": "2026-12-01" })
        }
        ("POST", "/api/v1/units/{id}/consent-purposes")
        | ("PUT", "/api/v1/consent-purposes/{id}") => {
            json!({ "kind": "other", "title": "Участие в конкурсе", "text": "Я согласен(на) на обработку моих данных для участия в региональном конкурсе." })
        }
        ("PUT", "/api/v1/units/{id}/retention") => {
            json!({ "routes_years": 3, "files_years": 3, "results_years": 3, "audit_years": 3 })
        }
        ("POST", "/api/v1/me/erasure-requests")
        | ("POST", "/api/v1/people/{id}/erasure-requests") => json!({}),
        ("POST", "/api/v1/erasure-requests/{id}/reject") => {
            json!({ "note": "Маршрут ещё выполняется" })
        }
        ("POST", "/api/v1/erasure-requests/{id}/execute") => json!({}),
        ("POST", "/api/v1/units") => {
            json!({ "kind": "school", "name": "Школа", "parent_id": ids.municipality })
        }
        ("PUT", "/api/v1/units/{id}") => json!({ "name": "Переименованная школа" }),
        ("PUT", "/api/v1/units/{id}/policy") => {
            json!({ "max_route_months": 12, "max_extension_months": 6 })
        }
        ("POST", "/api/v1/people") => json!({
            "email": format!("new-{}@iom.test", Uuid::new_v4().simple()), "surname": "Новикова", "first_name": "Ольга",
            "workplace_id": ids.school, "roles": []
        }),
        ("PUT", "/api/v1/people/{id}") => json!({ "surname": "Иванова", "first_name": "Мария" }),
        ("POST", "/api/v1/people/{id}/roles") => json!({ "role": "tutor", "unit_id": ids.school }),
        ("POST", "/api/v1/assignments") => {
            json!({ "kind": "tutor", "staff_id": ids.teacher, "teacher_id": ids.teacher })
        }
        ("POST", "/api/v1/routes") => {
            json!({ "title": "Маршрут", "period_start": "2026-09-01", "period_end": "2027-05-31", "teacher_id": ids.teacher })
        }
        ("PUT", "/api/v1/routes/{id}") => {
            json!({ "version": v, "title": "Т", "track": null, "period_start": "2026-09-01", "period_end": "2027-05-31", "educational_request": null })
        }
        ("POST", "/api/v1/routes/{id}/diagnostics")
        | ("PUT", "/api/v1/routes/{id}/diagnostics/{item_id}") => json!({
            "version": v, "kind": "entry", "level": "regional", "name": "Диагностика",
            "results": [{ "competency_id": ids.competency, "level": "low" }]
        }),
        ("POST", "/api/v1/routes/{id}/deficits")
        | ("PUT", "/api/v1/routes/{id}/deficits/{item_id}") => {
            json!({ "version": v, "title": "Дефицит" })
        }
        ("POST", "/api/v1/routes/{id}/tasks") | ("PUT", "/api/v1/routes/{id}/tasks/{item_id}") => {
            json!({ "version": v, "title": "Задача", "deficit_ids": [ids.deficit] })
        }
        ("POST", "/api/v1/routes/{id}/activities")
        | ("PUT", "/api/v1/routes/{id}/activities/{item_id}") => {
            json!({ "version": v, "name": "Мероприятие" })
        }
        ("PUT", "/api/v1/routes/{id}/activities-order") => {
            json!({ "version": v, "activity_ids": [ids.activity] })
        }
        ("POST", "/api/v1/routes/{id}/progress")
        | ("PUT", "/api/v1/routes/{id}/progress/{item_id}") => {
            json!({ "version": v, "period_kind": "month", "period": "2026-10", "text": "Сделано" })
        }
        ("POST", "/api/v1/routes/{id}/products")
        | ("PUT", "/api/v1/routes/{id}/products/{item_id}") => {
            json!({ "version": v, "title": "Продукт" })
        }
        ("PUT", "/api/v1/routes/{id}/final-event") => {
            json!({ "version": v, "final_event": { "done": false } })
        }
        ("PUT", "/api/v1/routes/{id}/conclusion") => json!({ "version": v, "conclusion": {} }),
        ("POST", "/api/v1/routes/{id}/transitions") => json!({ "version": v, "action": "submit" }),
        ("POST", "/api/v1/routes/{id}/comments") => json!({ "text": "Комментарий" }),
        ("POST", "/api/v1/oauth/token") => {
            json!({ "grant_type": "client_credentials", "client_id": ids.client, "client_secret": "x.y" })
        }
        ("POST", "/api/v1/integrations") => {
            json!({ "name": "Платформа", "unit_id": ids.region, "scopes": ["read_routes"] })
        }
        ("POST", "/api/v1/integrations/{id}/rotate") => json!({ "overlap_hours": 1 }),
        ("POST", "/api/v1/frameworks") | ("PUT", "/api/v1/frameworks/{id}") => json!({
            "region_id": ids.region, "name": "Рамка", "revision": v,
            "groups": [{ "code": "П", "name": "Предметные", "competencies": [{ "code": "П.1", "name": "Предмет" }] }]
        }),
        ("POST", "/api/v1/frameworks/{id}/copy") => json!({}),
        ("POST", "/api/v1/diagnostics/campaigns")
        | ("PUT", "/api/v1/diagnostics/campaigns/{id}") => {
            json!({ "name": "Диагностика", "level": "regional", "kind": "entry",
                    "framework_id": api::services::frameworks::default_id(), "organiser_id": ids.region })
        }
        ("PUT", "/api/v1/diagnostics/campaigns/{id}/people/{person_id}")
        | ("PUT", "/api/v1/diagnostics/campaigns/{id}/self") => {
            json!({ "results": [{ "competency_id": ids.competency, "level": "low" }] })
        }
        ("POST", "/api/v1/routes/{id}/diagnostic-from-campaign") => {
            json!({ "version": v, "campaign_id": ids.campaign })
        }
        ("POST", "/api/v1/diagnostics/campaigns/{id}/route-drafts") => {
            json!({ "selection": { "kind": "all" }, "period_start": "2026-09-01", "period_end": "2027-05-31" })
        }
        ("POST", "/api/v1/certificates/{id}/revoke") => json!({ "reason": "Выдано ошибочно" }),
        ("POST", "/api/v1/integrations/{id}/webhooks") => {
            json!({ "url": "http://127.0.0.1:9/hook", "events": ["route.approved"] })
        }
        ("POST", "/api/v1/catalogue/events") | ("PUT", "/api/v1/catalogue/events/{id}") => json!({
            "version": v, "title": "Семинар", "kind": "seminar", "format": "online",
            "organiser_id": ids.municipality, "starts_on": "2026-12-10"
        }),
        ("POST", "/api/v1/catalogue/events/{id}/publish")
        | ("POST", "/api/v1/catalogue/events/{id}/cancel") => json!({ "version": v }),
        ("POST", "/api/v1/catalogue/events/{id}/recommendations") => {
            json!({ "teacher_ids": [ids.teacher] })
        }
        ("POST", "/api/v1/catalogue/events/{id}/roadmap") => json!({ "route_id": ids.route }),
        ("POST", "/api/v1/routes/{id}/products/{product_id}/publication")
        | ("POST", "/api/v1/products/{id}/withdrawal") => json!({}),
        ("POST", "/api/v1/products/{id}/recommendations") => {
            json!({ "teacher_ids": [ids.teacher] })
        }
        ("POST", "/api/v1/products/{id}/adoption") => json!({ "route_id": ids.route }),
        ("PUT", "/api/v1/catalogue/enrolments/{id}/attendance") => json!({ "attended": true }),
        _ => return None,
    };
    Some(b)
}

/// Builds the objects: inside, the demo teacher's filled route and the demo region; outside,
/// the same in a second region.
async fn world(app: &TestApp) -> (Ids, Ids) {
    let d = app.demo.clone();
    let teacher = app.as_user("teacher@iom.test").await;
    let inside = side(app, &teacher, d.school, d.municipality_a, d.region).await;

    let other_school = fixtures::other_region_school(&app.db).await;
    let unit = api::db::units::find(&app.db, other_school)
        .await
        .unwrap()
        .unwrap();
    let path = api::db::units::path(&unit).unwrap();
    let outsider = fixtures::person(
        &app.db,
        "outside-teacher@iom.test",
        Role::Teacher,
        Some(other_school),
    )
    .await;
    let manager = fixtures::person(
        &app.db,
        "outside-manager@iom.test",
        Role::RegionalManager,
        Some(path.region),
    )
    .await;
    let tutor = fixtures::person(
        &app.db,
        "outside-tutor@iom.test",
        Role::Tutor,
        Some(other_school),
    )
    .await;
    fixtures::assign(&app.db, AssignmentKind::Tutor, tutor, outsider, true).await;
    let _ = manager;
    let user = app.as_user("outside-teacher@iom.test").await;
    let mut outside = side(
        app,
        &user,
        other_school,
        path.municipality.unwrap(),
        path.region,
    )
    .await;
    outside.import = import_by(app, "outside-manager@iom.test", other_school).await;
    // A framework of the other region.
    use sea_orm::{ActiveModelTrait, Set};
    let fw = api::db::entities::framework::ActiveModel {
        id: Set(api::db::new_id()),
        region_id: Set(Some(path.region)),
        code: Set("own".into()),
        name: Set("Своя рамка".into()),
        version: Set(1),
        status: Set("draft".into()),
        based_on_id: Set(None),
        published_at: Set(None),
        deficit_rule: Set("{}".into()),
        revision: Set(1),
        created_at: Set(api::db::now()),
        updated_at: Set(api::db::now()),
    }
    .insert(&app.db)
    .await
    .unwrap();
    outside.framework = fw.id;
    let mut inside = inside;
    inside.import = import_by(app, "manager@iom.test", d.school).await;
    (inside.campaign, inside.results_import) = campaign_by(app, "manager@iom.test", d.region).await;
    (outside.campaign, outside.results_import) =
        campaign_by(app, "outside-manager@iom.test", path.region).await;
    inside.draft_job = draft_job_by(app, "manager@iom.test", inside.campaign).await;
    outside.draft_job = draft_job_by(app, "outside-manager@iom.test", outside.campaign).await;
    integration_side(app, "manager@iom.test", &teacher, d.region, &mut inside).await;
    integration_side(
        app,
        "outside-manager@iom.test",
        &user,
        path.region,
        &mut outside,
    )
    .await;
    catalogue_side(app, "municipal@iom.test", &teacher, &mut inside).await;
    catalogue_side(app, "outside-manager@iom.test", &user, &mut outside).await;
    api::services::consents::ensure_defaults(&app.db, path.region)
        .await
        .unwrap();
    consent_side(app, "coordinator@iom.test", d.region, &mut inside).await;
    consent_side(app, "outside-manager@iom.test", path.region, &mut outside).await;
    inside.bank_product = bank_side(app, &inside).await;
    outside.bank_product = bank_side(app, &outside).await;
    (inside, outside)
}

/// A purpose of the region, a paper consent of the side's teacher registered by `manager` with
/// its scan, and a pending request to erase the teacher's data.
async fn consent_side(app: &TestApp, manager: &str, region: Uuid, ids: &mut Ids) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    ids.purpose = api::db::entities::consent_purpose::Entity::find()
        .filter(api::db::entities::consent_purpose::Column::RegionId.eq(region))
        .all(&app.db)
        .await
        .unwrap()[0]
        .id;
    let u = app.as_user(manager).await;
    let record: ConsentRecordDto = e2e::ok_json(
        u.post(&format!("/api/v1/people/{}/consents", ids.teacher))
            .json(&json!({ "purpose_id": ids.purpose, "given": true, "signed_on": "2026-12-01" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    ids.consent_record = record.id;
    let scanned = u
        .post(&format!(
            "/api/v1/people/{}/consents/{}/scan",
            ids.teacher, record.id
        ))
        .header("content-type", "application/pdf")
        .body("%PDF-1.4")
        .send()
        .await
        .unwrap();
    assert!(scanned.status().is_success());
    let request: ErasureRequestDto = e2e::ok_json(
        u.post(&format!("/api/v1/people/{}/erasure-requests", ids.teacher))
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    ids.erasure = request.id;
}

/// The side's product, published in its region's bank (written directly: the way there —
/// completion, evaluation, consent — is the bank tests' subject).
async fn bank_side(app: &TestApp, ids: &Ids) -> Uuid {
    use sea_orm::{ActiveModelTrait, Set};
    let t = api::db::now();
    api::db::entities::bank_product::ActiveModel {
        id: Set(api::db::new_id()),
        region_id: Set(ids.region),
        route_id: Set(ids.route),
        product_id: Set(ids.product),
        author_id: Set(ids.teacher),
        school_id: Set(Some(ids.school)),
        title: Set("Продукт".into()),
        kind: Set(None),
        description: Set(None),
        link: Set(None),
        subject: Set(None),
        education_level: Set(None),
        deficits: Set("[]".into()),
        verdict: Set("{}".into()),
        status: Set("published".into()),
        published_by: Set(ids.teacher),
        published_at: Set(t),
        withdrawn_by: Set(None),
        withdrawn_at: Set(None),
        withdrawn_reason: Set(None),
        views: Set(0),
        uses: Set(0),
        sort_key: Set("продукт".into()),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&app.db)
    .await
    .unwrap()
    .id
}

/// A campaign of `region` organised by `manager`, and a results import of theirs into it.
async fn campaign_by(app: &TestApp, manager: &str, region: Uuid) -> (Uuid, Uuid) {
    let u = app.as_user(manager).await;
    let c: CampaignDto = e2e::ok_json(
        u.post("/api/v1/diagnostics/campaigns")
            .json(
                &json!({ "name": "Диагностика", "level": "regional", "kind": "entry",
                "framework_id": api::services::frameworks::default_id(), "organiser_id": region }),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    let import: ResultsImportPreview = e2e::ok_json(
        u.post(&format!(
            "/api/v1/diagnostics/campaigns/{}/imports?name=r.csv",
            c.id
        ))
        .body(RESULTS_CSV)
        .send()
        .await
        .unwrap(),
    )
    .await;
    (c.id, import.id)
}

/// A drafting job of `manager` over `campaign`.
async fn draft_job_by(app: &TestApp, manager: &str, campaign: Uuid) -> Uuid {
    let u = app.as_user(manager).await;
    let job: RouteDraftJobDto = e2e::ok_json(
        u.post(&format!(
            "/api/v1/diagnostics/campaigns/{campaign}/route-drafts"
        ))
        .json(&json!({ "selection": { "kind": "all" }, "period_start": "2026-09-01", "period_end": "2027-05-31" }))
        .send()
        .await
        .unwrap(),
    )
    .await;
    job.id
}

const RESULTS_CSV: &str = "Email;П.1;М.1\nteacher@iom.test;40;70\n";

async fn import_by(app: &TestApp, email: &str, school: Uuid) -> Uuid {
    let u = app.as_user(email).await;
    let res = u
        .post(&format!(
            "/api/v1/people/imports?name=s.csv&unit_id={school}"
        ))
        .body("Фамилия;Имя;Email\nАбрамова;Ирина;abramova@x.ru\n")
        .send()
        .await
        .unwrap();
    e2e::ok_json::<ImportPreview>(res).await.id
}

async fn side(
    app: &TestApp,
    teacher: &e2e::User<'_>,
    school: Uuid,
    municipality: Uuid,
    region: Uuid,
) -> Ids {
    let route = fill(teacher, create(teacher, "Маршрут").await).await;
    let base = format!("/api/v1/routes/{}", route.id);
    let route = write(
        teacher,
        Method::POST,
        &format!("{base}/progress"),
        json!({ "period_kind": "month", "period": "2026-10", "text": "Сделано" }),
    )
    .await;
    let res = teacher
        .post(&format!(
            "{base}/files?activity_id={}&name=c.pdf",
            route.activity.activities[0].id
        ))
        .header("content-type", "application/pdf")
        .body("%PDF-1.4")
        .send()
        .await
        .unwrap();
    let route: RouteDto = e2e::ok_json(res).await;
    let me: MeResponse = teacher.get_json("/api/v1/me").await;
    let fw: FrameworkDto = teacher
        .get_json(&format!(
            "/api/v1/frameworks/{}",
            route.framework_id.unwrap()
        ))
        .await;
    // A certificate of this route, as completion would issue it.
    let certificate = api::services::documents::certificates::issue(
        &app.db,
        &route,
        me.person.id,
        api::db::now(),
    )
    .await
    .unwrap()
    .id;
    // A notice of the teacher's, as the event consumer writes it.
    let event = api::services::events::record(
        &app.db,
        api::services::events::Event {
            kind: shared::events::EventKind::RouteReturned,
            actor_id: None,
            route_id: Some(route.id),
            person_id: Some(me.person.id),
            unit_id: Some(school),
            payload: json!({}),
        },
    )
    .await
    .unwrap();
    let notice = api::services::events::deliver_one(
        &app.db,
        event,
        api::services::events::Notice {
            recipient: me.person.id,
            text: "Маршрут возвращён".into(),
            link: None,
            needs_action: false,
        },
    )
    .await
    .unwrap();
    // The teacher's export of their data, waiting for the worker.
    let export: PersonalExportDto =
        e2e::ok_json(teacher.post("/api/v1/me/export").send().await.unwrap()).await;
    Ids {
        notice,
        export: export.id,
        // Filled by `consent_side` once both regions have their purposes.
        purpose: Uuid::nil(),
        consent_record: Uuid::nil(),
        erasure: Uuid::nil(),
        bank_product: Uuid::nil(),
        route: route.id,
        diagnostic: route.diagnostic.diagnostics[0].id,
        deficit: route.diagnostic.deficits[0].id,
        task: route.target.tasks[0].id,
        activity: route.activity.activities[0].id,
        progress: route.activity.progress[0].id,
        product: route.reflective.products[0].id,
        file: route.activity.activities[0].files[0].id,
        teacher: me.person.id,
        school,
        municipality,
        region,
        tutor_assignment: me
            .my_staff
            .iter()
            .find(|a| a.kind == AssignmentKind::Tutor)
            .unwrap()
            .id,
        teacher_grant: me.roles[0].id,
        import: Uuid::nil(),
        framework: fw.id,
        competency: fw.competencies().next().unwrap().id,
        client: Uuid::nil(),
        webhook: Uuid::nil(),
        delivery: Uuid::nil(),
        event: Uuid::nil(),
        enrolment: Uuid::nil(),
        campaign: Uuid::nil(),
        results_import: Uuid::nil(),
        certificate,
        draft_job: Uuid::nil(),
    }
}

/// A client of `region` registered by `manager`, subscribed to submissions, and one delivery
/// (a route of `teacher` submitted).
async fn integration_side(
    app: &TestApp,
    manager: &str,
    teacher: &e2e::User<'_>,
    region: Uuid,
    ids: &mut Ids,
) {
    let m = app.as_user(manager).await;
    let issued: IssuedCredentials = e2e::ok_json(
        m.post("/api/v1/integrations")
            .json(&json!({ "name": "Платформа", "unit_id": region, "scopes": ["read_routes"] }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let hook: WebhookDto = e2e::ok_json(
        m.post(&format!(
            "/api/v1/integrations/{}/webhooks",
            issued.client_id
        ))
        .json(&json!({ "url": "http://127.0.0.1:9/hook", "events": ["route.submitted"] }))
        .send()
        .await
        .unwrap(),
    )
    .await;
    let r = fill(teacher, create(teacher, "Маршрут для события").await).await;
    crate::routes::step_ok(
        teacher,
        &r,
        shared::workflow::RouteAction::Submit,
        json!({}),
    )
    .await;
    let log: Vec<DeliveryDto> = m
        .get_json(&format!("/api/v1/webhooks/{}/deliveries", hook.id))
        .await;
    ids.client = issued.client_id;
    ids.webhook = hook.id;
    ids.delivery = log[0].id;
}

/// A published event of the side's municipality and the side's teacher enrolled in it.
async fn catalogue_side(app: &TestApp, organiser: &str, teacher: &e2e::User<'_>, ids: &mut Ids) {
    let o = app.as_user(organiser).await;
    let body = json!({
        "title": "Семинар", "kind": "seminar", "format": "online",
        "organiser_id": ids.municipality,
        "starts_on": (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).to_string(),
    });
    let e = crate::catalogue::publish(&o, body).await;
    let enrolled: shared::dto::catalogue::EventDto = e2e::ok_json(
        teacher
            .post(&format!(
                "/api/v1/catalogue/events/{}/enrolment",
                e.summary.id
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    ids.event = e.summary.id;
    ids.enrolment = enrolled.my_enrolment.unwrap().id;
}

/// Endpoints whose probe removes or disables its object: each role gets a fresh world.
const DESTRUCTIVE: &[(&str, &str)] = &[
    ("POST", "/api/v1/units/{id}/archive"),
    ("POST", "/api/v1/people/{id}/deactivate"),
    ("DELETE", "/api/v1/role-grants/{id}"),
    ("DELETE", "/api/v1/assignments/{id}"),
    ("DELETE", "/api/v1/files/{id}"),
    ("POST", "/api/v1/people/imports/{id}/commit"),
    ("POST", "/api/v1/integrations/{id}/revoke"),
    ("DELETE", "/api/v1/webhooks/{id}"),
    ("DELETE", "/api/v1/diagnostics/campaigns/{id}"),
    ("POST", "/api/v1/erasure-requests/{id}/execute"),
    ("POST", "/api/v1/products/{id}/withdrawal"),
];

impl Ids {
    /// Ids of nothing at all.
    fn ghost() -> Ids {
        let r = Uuid::new_v4;
        Ids {
            route: r(),
            diagnostic: r(),
            deficit: r(),
            task: r(),
            activity: r(),
            progress: r(),
            product: r(),
            file: r(),
            teacher: r(),
            school: r(),
            municipality: r(),
            region: r(),
            tutor_assignment: r(),
            teacher_grant: r(),
            import: r(),
            framework: r(),
            competency: r(),
            client: r(),
            webhook: r(),
            delivery: r(),
            event: r(),
            enrolment: r(),
            campaign: r(),
            results_import: r(),
            certificate: r(),
            notice: r(),
            draft_job: r(),
            export: r(),
            purpose: r(),
            consent_record: r(),
            erasure: r(),
            bank_product: r(),
        }
    }
}

/// A server with both worlds and tokens for everyone.
struct Env {
    app: TestApp,
    inside: Ids,
    outside: Ids,
    deactivated_token: String,
}

impl Env {
    async fn new() -> Env {
        // The probe subscribes a webhook to a loopback address.
        let app = TestApp::spawn_with_loopback_webhooks().await;
        let (inside, outside) = world(&app).await;
        let off = fixtures::person(
            &app.db,
            "off@iom.test",
            Role::Teacher,
            Some(app.demo.school),
        )
        .await;
        {
            use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
            let u = api::db::users::find(&app.db, off).await.unwrap().unwrap();
            let mut am = u.into_active_model();
            am.active = Set(false);
            am.update(&app.db).await.unwrap();
        }
        let deactivated_token = app.mint_token(off).await;
        Env {
            app,
            inside,
            outside,
            deactivated_token,
        }
    }

    /// A token minted directly (signing in a thousand times would only measure argon2).
    async fn token(&self, email: &str) -> String {
        let id = fixtures::id_of(&self.app, email).await;
        self.app.mint_token(id).await
    }

    async fn send(&self, method: &str, path: &str, token: Option<String>, ids: &Ids) -> StatusCode {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.app.request(m, &concrete(path, ids));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req = if path == "/api/v1/routes/{id}/files"
            || path == "/api/v1/catalogue/enrolments/{id}/certificate"
            || path == "/api/v1/people/{id}/consents/{record_id}/scan"
        {
            req.header("content-type", "application/pdf")
                .body("%PDF-1.4")
        } else if path == "/api/v1/diagnostics/campaigns/{id}/imports" {
            req.body(RESULTS_CSV)
        } else if path == "/api/v1/people/imports" {
            req.body("Фамилия;Имя;Email\nАбрамова;Ирина;abramova@x.ru\n")
        } else if let Some(b) = body(method, path, ids) {
            req.json(&b)
        } else {
            req
        };
        req.send().await.unwrap().status()
    }
}

#[tokio::test]
async fn every_endpoint_answers_every_role_within_scope_and_never_outside_it() {
    // Every documented operation has a row here.
    let spec = api::openapi::spec();
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in &spec.paths.paths {
        for (m, present) in [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ] {
            if present {
                documented.push((m.to_owned(), path.clone()));
            }
        }
    }
    let missing: Vec<&(String, String)> = documented
        .iter()
        .filter(|(m, p)| !ENDPOINTS.iter().any(|(em, ep, _)| em == m && ep == p))
        .collect();
    assert!(
        missing.is_empty(),
        "endpoints missing from the access matrix: {missing:#?}"
    );

    let mut table = format!(
        "{:<56}{:>10}{:>10}",
        "операция (в своей области / в чужой)", "аноним", "отключ."
    );
    for (_, short) in ROLES {
        table.push_str(&format!("{short:>10}"));
    }
    table.push('\n');
    let mut wrong: Vec<String> = Vec::new();
    let mut by_obj: BTreeMap<String, usize> = BTreeMap::new();

    // Each endpoint gets its own world, so what one probe changes cannot affect another; an
    // endpoint that removes its object gets a fresh world for every role.
    // Probes that cannot change what anyone sees share one world; once a probe has removed
    // or disabled its object, the next role gets a fresh one.
    let shared_env = Env::new().await;
    for (method, path, obj) in ENDPOINTS {
        *by_obj.entry(format!("{obj:?}")).or_default() += 1;
        let destructive = DESTRUCTIVE.contains(&(*method, *path));
        let mut row = format!("{:<56}", format!("{method} {path}"));
        let mut own: Option<Env> = None;
        let mut dirty = false;
        let env = &shared_env;
        let ghost = Ids::ghost();
        // Anonymous and deactivated.
        for deactivated in [false, true] {
            let token = deactivated.then(|| env.deactivated_token.clone());
            let a = env.send(method, path, token.clone(), &env.inside).await;
            let b = env.send(method, path, token.clone(), &env.outside).await;
            row.push_str(&format!("{:>10}", format!("{}/{}", a.as_u16(), b.as_u16())));
            for got in [a, b] {
                let ok = if *obj == Obj::Public {
                    !got.is_server_error()
                } else {
                    got == StatusCode::UNAUTHORIZED
                };
                if !ok {
                    let who = if deactivated {
                        "deactivated"
                    } else {
                        "anonymous"
                    };
                    wrong.push(format!("{method} {path} {who}: {got}"));
                }
            }
        }
        let inside_sees = sees_inside(*obj);
        let outside_sees = sees_outside(*obj);
        for (i, (email, _)) in ROLES.iter().enumerate() {
            if destructive && (dirty || own.is_none()) {
                own = Some(Env::new().await);
            }
            let env = own.as_ref().unwrap_or(&shared_env);
            let token = env.token(email).await;
            let a = env
                .send(method, path, Some(token.clone()), &env.inside)
                .await;
            let b = env
                .send(method, path, Some(token.clone()), &env.outside)
                .await;
            let g = env.send(method, path, Some(token.clone()), &ghost).await;
            dirty = a.is_success() || b.is_success();
            row.push_str(&format!("{:>10}", format!("{}/{}", a.as_u16(), b.as_u16())));
            for (got, sees, side) in [
                (a, inside_sees[i], "in scope"),
                (b, outside_sees[i], "out of scope"),
            ] {
                let ok = !got.is_server_error()
                    && (matches!(*obj, Obj::Public | Obj::ClientApi)
                        || got != StatusCode::UNAUTHORIZED)
                    && if *obj == Obj::Public {
                        true
                    } else if *obj == Obj::ClientApi {
                        got == StatusCode::UNAUTHORIZED
                    } else if sees {
                        got != StatusCode::NOT_FOUND
                    } else {
                        // Out of reach looks exactly like not there at all, and is never served.
                        got == g && !got.is_success()
                    };
                if !ok {
                    wrong.push(format!(
                        "{method} {path} as {email} ({side}): {got} (a missing object: {g})"
                    ));
                }
            }
        }
        table.push_str(&row);
        table.push('\n');
    }
    println!("{table}");
    assert!(
        wrong.is_empty(),
        "{table}\n{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Who, what (a label), the request, its body, and the answer it must get.
type Finding = (
    &'static str,
    &'static str,
    Method,
    String,
    Option<Value>,
    StatusCode,
);

/// The attacks found against the platform (issue 13), each as an endpoint × actor case that
/// succeeded once and must now fail: who, what, on whom, and the answer they must get.
#[tokio::test]
async fn the_takeover_consent_and_revocation_findings_stay_closed() {
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let db = &app.db;
    let director = fixtures::id_of(&app, "director@iom.test").await;
    let admin = fixtures::id_of(&app, "admin@iom.test").await;
    let other_manager = fixtures::person(
        db,
        "manager2@iom.test",
        Role::RegionalManager,
        Some(d.region),
    )
    .await;
    let admin_at_school = fixtures::person(db, "x@iom.test", Role::Teacher, Some(d.school)).await;
    api::db::grants::insert(db, admin_at_school, Role::Admin, None, None)
        .await
        .unwrap();
    // A tutee who has not consented, with a route, results and open deficits.
    let tutee = fixtures::person(db, "nc@iom.test", Role::Teacher, Some(d.school)).await;
    let tutor = fixtures::id_of(&app, "tutor@iom.test").await;
    fixtures::assign(db, AssignmentKind::Tutor, tutor, tutee, false).await;
    let tutee_user = app.as_user("nc@iom.test").await;
    fill(&tutee_user, create(&tutee_user, "Маршрут").await).await;
    let manager = app.as_user("manager@iom.test").await;
    let campaign: CampaignDto = e2e::ok_json(
        manager
            .post("/api/v1/diagnostics/campaigns")
            .json(&json!({ "name": "Диагностика", "level": "regional", "kind": "entry",
                "framework_id": api::services::frameworks::default_id(), "organiser_id": d.region }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    // A tutor whose role was revoked, and the route of the teacher they tutored.
    let former = fixtures::person(db, "former@iom.test", Role::Tutor, Some(d.school)).await;
    let teacher = fixtures::id_of(&app, "teacher@iom.test").await;
    fixtures::assign(db, AssignmentKind::Tutor, former, teacher, true).await;
    let teacher_user = app.as_user("teacher@iom.test").await;
    let route = create(&teacher_user, "Маршрут").await;
    let former_user = app.as_user("former@iom.test").await;
    assert_eq!(
        former_user
            .get(&format!("/api/v1/routes/{}", route.id))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK,
        "the tutor reads the route before the role is revoked"
    );
    let grant = api::db::grants::for_user(db, former).await.unwrap()[0].id;
    let res = app
        .as_user("coordinator@iom.test")
        .await
        .request(Method::DELETE, &format!("/api/v1/role-grants/{grant}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let event = crate::catalogue::publish(
        &app.as_user("municipal@iom.test").await,
        json!({
            "title": "Семинар", "kind": "seminar", "format": "online",
            "organiser_id": d.municipality_a,
            "starts_on": (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).to_string(),
        }),
    )
    .await;

    let readdress = json!({ "surname": "Х", "first_name": "Х", "email": "attacker@evil.test" });
    let cases: Vec<Finding> = vec![
        (
            "coordinator@iom.test",
            "→ director: new e-mail",
            Method::PUT,
            format!("/api/v1/people/{director}"),
            Some(readdress.clone()),
            StatusCode::FORBIDDEN,
        ),
        (
            "coordinator@iom.test",
            "→ director: invitation",
            Method::POST,
            format!("/api/v1/people/{director}/invitation"),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "coordinator@iom.test",
            "→ director: deactivate",
            Method::POST,
            format!("/api/v1/people/{director}/deactivate"),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "manager@iom.test",
            "→ manager: new e-mail",
            Method::PUT,
            format!("/api/v1/people/{other_manager}"),
            Some(readdress.clone()),
            StatusCode::FORBIDDEN,
        ),
        (
            "manager@iom.test",
            "→ manager: deactivate",
            Method::POST,
            format!("/api/v1/people/{other_manager}/deactivate"),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "manager@iom.test",
            "→ admin with a workplace: new e-mail",
            Method::PUT,
            format!("/api/v1/people/{admin_at_school}"),
            Some(readdress.clone()),
            StatusCode::FORBIDDEN,
        ),
        (
            "admin@iom.test",
            "→ self: grant a role",
            Method::POST,
            format!("/api/v1/people/{admin}/roles"),
            Some(json!({ "role": "regional_manager", "unit_id": d.region })),
            StatusCode::FORBIDDEN,
        ),
        (
            "manager@iom.test",
            "→ teacher with a password: invitation",
            Method::POST,
            format!("/api/v1/people/{teacher}/invitation"),
            None,
            StatusCode::CONFLICT,
        ),
        (
            "coordinator@iom.test",
            "→ teacher: choose a mentor",
            Method::POST,
            "/api/v1/assignments".into(),
            Some(
                json!({ "kind": "mentor", "staff_id": fixtures::id_of(&app, "methodist@iom.test").await, "teacher_id": tutee }),
            ),
            StatusCode::FORBIDDEN,
        ),
        (
            "tutor@iom.test",
            "без согласия → deficits",
            Method::GET,
            format!("/api/v1/catalogue/recommendations?teacher_id={tutee}"),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "tutor@iom.test",
            "без согласия → profile",
            Method::GET,
            format!("/api/v1/people/{tutee}"),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "tutor@iom.test",
            "без согласия → card",
            Method::GET,
            format!("/api/v1/people/{tutee}/card"),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "tutor@iom.test",
            "без согласия → results",
            Method::GET,
            format!(
                "/api/v1/diagnostics/campaigns/{}/people/{tutee}",
                campaign.id
            ),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "tutor@iom.test",
            "без согласия → recommend",
            Method::POST,
            format!(
                "/api/v1/catalogue/events/{}/recommendations",
                event.summary.id
            ),
            Some(json!({ "teacher_ids": [tutee] })),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "former@iom.test",
            "revoked tutor → route",
            Method::GET,
            format!("/api/v1/routes/{}", route.id),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "former@iom.test",
            "revoked tutor → card",
            Method::GET,
            format!("/api/v1/routes/{}/card.pdf", route.id),
            None,
            StatusCode::NOT_FOUND,
        ),
    ];
    let mut table = String::new();
    let mut wrong = Vec::new();
    for (email, what, method, path, body, want) in cases {
        let user = app.as_user(email).await;
        let mut req = user.request(method.clone(), &path);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let got = req.send().await.unwrap().status();
        table.push_str(&format!(
            "{email:<24}{what:<42}{:<8}{:>5}\n",
            method.as_str(),
            got.as_u16()
        ));
        if got != want {
            wrong.push(format!(
                "{email} {what} ({method} {path}): {got}, want {want}"
            ));
        }
    }
    println!("{table}");
    assert!(wrong.is_empty(), "{table}\n{wrong:#?}");
}
