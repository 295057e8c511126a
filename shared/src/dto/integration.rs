//! The integration API for regional platforms and third parties: clients and their
//! credentials, the incremental sync feeds, webhooks.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;
use validator::Validate;

use crate::access::ClientScope;
use crate::dto::UnitRef;
use crate::levels::DeficitState;
use crate::route::{RouteStatus, Stage};
use crate::workflow::Outcome;

use crate::dto::non_blank;

/// Registering an integration client for a region or a municipality.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Региональная платформа ИОМП", "unit_id": "018f0000-0000-7000-8000-000000000000",
    "scopes": ["read_routes", "read_people"], "ip_allowlist": ["10.0.0.0/8"], "rate_limit_per_minute": 600
})))]
pub struct CreateClient {
    #[validate(
        length(max = 200, message = "Не более 200 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub name: String,
    /// The region or municipality whose data the client may see.
    pub unit_id: Uuid,
    #[validate(length(min = 1, message = "Выберите хотя бы одно право"))]
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub scopes: Vec<ClientScope>,
    /// Addresses or networks (CIDR) calls may come from; empty: any.
    #[serde(default)]
    pub ip_allowlist: Vec<String>,
    /// Requests per minute (default 600).
    #[serde(default)]
    #[validate(range(min = 1, max = 100000, message = "От 1 до 100 000 запросов в минуту"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100000))]
    pub rate_limit_per_minute: Option<i32>,
}

/// An integration client as its owner sees it (never its secrets).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientDto {
    /// Also the OAuth `client_id`.
    pub id: Uuid,
    pub name: String,
    pub unit: UnitRef,
    pub scopes: Vec<ClientScope>,
    pub ip_allowlist: Vec<String>,
    pub rate_limit_per_minute: i32,
    pub revoked: bool,
    pub created_at: DateTime<Utc>,
    pub credentials: Vec<CredentialDto>,
}

/// A credential's public face: which one it is and until when it works.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialDto {
    pub id: Uuid,
    /// The API key's public prefix (`iomk_xxxxxxxx`), to tell keys apart.
    pub key_prefix: String,
    pub created_at: DateTime<Utc>,
    /// Set when the credential was rotated out: it keeps working until then.
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Secrets, shown once: when a client is created or its credentials rotated.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedCredentials {
    pub client: ClientDto,
    /// For `POST /api/v1/oauth/token` (client credentials grant).
    pub client_id: Uuid,
    pub client_secret: String,
    /// For `Authorization: Bearer iomk_…` (the same secret, in one string).
    pub api_key: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotateCredentials {
    /// How long the old credentials keep working, in hours (0: revoke them now).
    #[serde(default)]
    #[validate(range(min = 0, max = 720, message = "От 0 до 720 часов"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 720))]
    pub overlap_hours: Option<i64>,
}

/// OAuth 2.0 token request (client credentials grant). Also accepted as a form.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthTokenRequest {
    /// `client_credentials`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^client_credentials$"))]
    pub grant_type: String,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<String>,
}

/// OAuth 2.0 token response.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthTokenResponse {
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    pub expires_in: u64,
    /// The granted scopes, space-separated.
    pub scope: String,
}

// ---- Sync feeds ----

/// A page of a sync feed: changes after the cursor, oldest first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncPage<T> {
    pub items: Vec<SyncItem<T>>,
    /// Pass as `since` to get what changed after this page. Opaque.
    pub next_cursor: String,
    /// More changes are waiting: call again at once.
    pub has_more: bool,
}

/// One changed object: its current state, or a tombstone when it is gone.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncItem<T> {
    pub id: Uuid,
    /// The object was deleted (or, for a route, withdrawn by the teacher): forget or mark it.
    pub tombstone: bool,
    pub changed_at: DateTime<Utc>,
    /// The current state; absent for a tombstone.
    pub data: Option<T>,
}

/// A deficit in a route's status summary.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeficitSummary {
    pub id: Uuid,
    pub title: String,
    pub competency_code: Option<String>,
    pub state: DeficitState,
}

/// The teacher, where they work.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeacherSummary {
    pub id: Uuid,
    pub full_name: String,
    pub school: UnitRef,
    pub municipality: Option<UnitRef>,
}

/// A route's status summary, as regional platforms pull it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteStatusSummary {
    pub id: Uuid,
    pub version: i32,
    pub teacher: TeacherSummary,
    pub title: String,
    pub track: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub stage: Stage,
    pub status: RouteStatus,
    pub tasks: i64,
    pub activities_planned: i64,
    pub activities_done: i64,
    pub activities_overdue: i64,
    pub deficits: Vec<DeficitSummary>,
    pub outcome: Option<Outcome>,
    pub conclusion: Option<String>,
    pub certificate_number: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A person as regional platforms pull them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonSyncDto {
    pub id: Uuid,
    pub external_id: Option<String>,
    pub full_name: String,
    pub email: String,
    pub position: Option<String>,
    pub workplace: Option<UnitRef>,
    pub roles: Vec<crate::roles::Role>,
    pub active: bool,
    pub updated_at: DateTime<Utc>,
}

/// One competency's result in a diagnostics sync item.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiagnosticResultSync {
    pub competency_id: Uuid,
    pub code: String,
    pub level: crate::CompetencyLevel,
    pub score: Option<f64>,
    /// A deficit by the framework's rule.
    pub deficit: bool,
}

/// One person's results in one diagnostic campaign, as regional platforms pull them. The
/// item's id is stable for the pair (campaign, person).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiagnosticSyncDto {
    pub campaign_id: Uuid,
    pub campaign_name: String,
    pub kind: crate::DiagnosticKind,
    pub level: crate::EventLevel,
    pub date: Option<NaiveDate>,
    /// The framework version the campaign assesses against.
    pub framework_id: Uuid,
    pub framework_version: i32,
    /// Self-assessed by the teacher (not an independent diagnostic).
    pub self_assessment: bool,
    pub person_id: Uuid,
    /// Where the person worked when the results were written.
    pub region_id: Uuid,
    pub municipality_id: Option<Uuid>,
    pub school_id: Option<Uuid>,
    /// In the framework's order.
    pub results: Vec<DiagnosticResultSync>,
    pub updated_at: DateTime<Utc>,
}

/// An enrolment on a catalogue event, as regional platforms pull it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentSyncDto {
    pub id: Uuid,
    pub event_id: Uuid,
    pub person_id: Uuid,
    pub status: crate::catalogue::EnrolmentPlace,
    /// Marked by the organiser: took part (true), did not (false); absent until marked.
    pub attended: Option<bool>,
    pub certificate_uploaded: bool,
    pub registered_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Query of a sync feed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SyncQuery {
    /// The `next_cursor` of the previous page; absent: from the beginning (a full export).
    pub since: Option<String>,
    /// Items per page, 1–1000 (default 500).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000))]
    pub limit: Option<u64>,
}

// ---- Webhooks ----

domain_enum! {
    /// What a webhook reports.
    pub enum WebhookEvent {
        RouteSubmitted => ("route.submitted", "Маршрут отправлен на согласование"),
        RouteReturned => ("route.returned", "Маршрут возвращён на доработку"),
        RouteAgreed => ("route.agreed", "Маршрут согласован"),
        RouteApproved => ("route.approved", "Маршрут утверждён"),
        RouteStarted => ("route.started", "Реализация маршрута начата"),
        RouteProductSubmitted => ("route.product_submitted", "Продукт представлен на экспертизу"),
        RouteEvaluated => ("route.evaluated", "Продукт оценён"),
        RouteCompleted => ("route.completed", "Маршрут завершён"),
        RouteWithdrawn => ("route.withdrawn", "Маршрут отозван"),
        ActivityDone => ("activity.done", "Мероприятие выполнено"),
        DiagnosticImported => ("diagnostic.imported", "Загружены результаты диагностики"),
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateWebhook {
    /// Where to POST events (https in production).
    #[validate(
        url(message = "Укажите адрес вида https://…"),
        length(max = 2000, message = "Слишком длинный адрес")
    )]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub url: String,
    #[validate(length(min = 1, message = "Выберите хотя бы одно событие"))]
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub events: Vec<WebhookEvent>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDto {
    pub id: Uuid,
    pub client_id: Uuid,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub active: bool,
    /// Failures in a row; the subscription is disabled after too many.
    pub consecutive_failures: i32,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The signing secret, only in the answer that creates the subscription.
    pub secret: Option<String>,
}

domain_enum! {
    pub enum DeliveryStatus {
        Pending => ("pending", "Ожидает отправки"),
        Delivered => ("delivered", "Доставлено"),
        Failed => ("failed", "Не доставлено"),
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryDto {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub event: WebhookEvent,
    /// The event's id; the same in every delivery of it (use it to drop repeats).
    pub event_id: Uuid,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}
