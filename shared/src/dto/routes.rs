//! The route and its five sections, as read and written over the API.
//!
//! Every mutable thing carries a `version`: an update names the version it was based on and a
//! stale one is refused (412), so concurrent editing never silently overwrites. Every mutation
//! answers with the whole route, so a client simply replaces what it shows.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;
use validator::Validate;

use crate::dto::{PersonRef, UnitRef};
use crate::levels::{
    ActivityStatus, CompetencyLevel, DeficitState, DiagnosticKind, EventLevel, PeriodKind,
};
use crate::route::{RouteStatus, Stage};
use crate::workflow::{Outcome, Participant, RouteAction};

/// A competency as referred to from a route.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetencyRef {
    pub id: Uuid,
    pub code: String,
    pub name: String,
}

/// The teacher's profile as it was when the route was made (section 1, «Информационная справка»).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileSnapshot {
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    /// Место работы.
    pub workplace: Option<String>,
    pub position: Option<String>,
    pub teaching_experience_years: Option<i32>,
    pub position_experience_years: Option<i32>,
    pub qualification_category: Option<String>,
    pub qualification_date: Option<NaiveDate>,
}

/// Section 1: information.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InformationSection {
    pub profile: ProfileSnapshot,
    /// When the snapshot was taken (at creation, or the last refresh).
    pub taken_at: DateTime<Utc>,
}

/// A result for one competency in a diagnostic.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetencyResultDto {
    pub competency: CompetencyRef,
    pub level: CompetencyLevel,
    pub score: Option<f64>,
}

/// A diagnostic recorded in the route: entry, intermediate or final.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteDiagnosticDto {
    pub id: Uuid,
    pub version: i32,
    pub kind: DiagnosticKind,
    /// Федеральная / региональная / муниципальная / институциональная.
    pub level: EventLevel,
    pub name: String,
    pub date: Option<NaiveDate>,
    /// The campaign it was taken from, when prefilled from recorded results.
    pub campaign_id: Option<Uuid>,
    pub results: Vec<CompetencyResultDto>,
}

/// A professional deficit found by a diagnostic (or named by the teacher).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeficitDto {
    pub id: Uuid,
    pub version: i32,
    pub title: String,
    pub description: Option<String>,
    pub competency: Option<CompetencyRef>,
    /// Proposed by a diagnostic and not yet confirmed by the teacher or tutor.
    pub confirmed: bool,
    pub state: DeficitState,
}

/// Section 2: diagnostics, deficits and the teacher's educational request.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiagnosticSection {
    pub diagnostics: Vec<RouteDiagnosticDto>,
    pub deficits: Vec<DeficitDto>,
    /// Образовательный запрос педагога.
    pub educational_request: Option<String>,
}

/// A development task («задача профессионального развития»), tied to the deficits it addresses.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskDto {
    pub id: Uuid,
    pub version: i32,
    pub position: i32,
    pub title: String,
    pub description: Option<String>,
    pub deficit_ids: Vec<Uuid>,
}

/// Section 3: target.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetSection {
    pub tasks: Vec<TaskDto>,
}

/// An uploaded file: evidence of an activity, or a product's material.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileDto {
    pub id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: PersonRef,
    pub uploaded_at: DateTime<Utc>,
    /// Where to download it (for those in scope).
    pub url: String,
}

/// A roadmap activity («мероприятие дорожной карты»).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityDto {
    pub id: Uuid,
    pub version: i32,
    pub position: i32,
    pub name: String,
    /// Формируемые компетенции.
    pub competencies: Vec<CompetencyRef>,
    /// Дефициты, на устранение которых направлено мероприятие.
    pub deficit_ids: Vec<Uuid>,
    pub level: Option<EventLevel>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// Форма участия (слушатель, участник, докладчик…).
    pub participation_form: Option<String>,
    /// Результат (удостоверение, сертификат, выступление…).
    pub result: Option<String>,
    pub status: ActivityStatus,
    /// The teacher's reflection after the activity.
    pub reflection: Option<String>,
    /// Hours of further training, for courses.
    pub hours: Option<f64>,
    /// The catalogue event it came from, if any.
    pub event_id: Option<Uuid>,
    pub files: Vec<FileDto>,
}

/// What was actually done in a month or semester, for a direction (a task) or in general.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressDto {
    pub id: Uuid,
    pub version: i32,
    pub period_kind: PeriodKind,
    /// `2026-10` for a month, `2026-2027/1` for a semester.
    pub period: String,
    pub task_id: Option<Uuid>,
    pub text: String,
    pub author: PersonRef,
    pub created_at: DateTime<Utc>,
}

/// Section 4: activity (the roadmap) and progress records.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivitySection {
    pub activities: Vec<ActivityDto>,
    pub progress: Vec<ProgressDto>,
}

/// A planned methodological product.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductDto {
    pub id: Uuid,
    pub version: i32,
    pub position: i32,
    pub title: String,
    /// Вид продукта: методическая разработка, открытый урок, публикация…
    pub kind: Option<String>,
    pub description: Option<String>,
    pub link: Option<String>,
    pub files: Vec<FileDto>,
}

/// The final public event («заключительное публичное мероприятие»).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinalEventDto {
    #[validate(length(max = 500, message = "Не более 500 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub name: Option<String>,
    pub level: Option<EventLevel>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    #[validate(length(max = 200, message = "Не более 200 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub participation_form: Option<String>,
    /// Отметка о проведении.
    pub done: bool,
}

/// An expert's verdict on one deficit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeficitVerdict {
    pub deficit_id: Uuid,
    pub eliminated: bool,
}

/// The expert evaluation of the product.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvaluationDto {
    pub expert: PersonRef,
    pub evaluated_at: DateTime<Utc>,
    pub verdicts: Vec<DeficitVerdict>,
    pub comment: Option<String>,
}

/// The conclusion: findings, results, recommendations and the outcome.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConclusionDto {
    #[validate(length(max = 10000, message = "Не более 10 000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 10000))]
    pub findings: Option<String>,
    #[validate(length(max = 10000, message = "Не более 10 000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 10000))]
    pub results: Option<String>,
    #[validate(length(max = 10000, message = "Не более 10 000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 10000))]
    pub recommendations: Option<String>,
    pub outcome: Option<Outcome>,
}

/// Section 5: reflective.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReflectiveSection {
    pub products: Vec<ProductDto>,
    pub final_event: FinalEventDto,
    pub evaluation: Option<EvaluationDto>,
    pub conclusion: ConclusionDto,
    /// Who wrote the conclusion, and when.
    pub conclusion_by: Option<PersonRef>,
    pub conclusion_at: Option<DateTime<Utc>>,
}

/// An electronic signature of a step: who agreed or approved which version, and when. These are
/// what the printed card shows; no paper signature is needed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalDto {
    pub action: RouteAction,
    pub person: PersonRef,
    /// The signer's position or role, as printed.
    pub role_title: String,
    pub version: i32,
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
}

/// A person's part in the route and what they may do to it now.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutePermissions {
    pub participant: Vec<Participant>,
    pub can_edit: bool,
    pub can_comment: bool,
    /// Workflow actions the caller can take now.
    pub actions: Vec<RouteAction>,
}

/// A whole route: all five sections in one read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteDto {
    pub id: Uuid,
    pub version: i32,
    pub teacher: PersonRef,
    pub school: UnitRef,
    pub title: String,
    /// Тематический трек.
    pub track: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The end date before the extension, when the route was extended.
    pub original_end: Option<NaiveDate>,
    pub extension_reason: Option<String>,
    pub status: RouteStatus,
    pub stage: Stage,
    pub framework_id: Option<Uuid>,
    pub tutors: Vec<PersonRef>,
    pub mentors: Vec<PersonRef>,
    pub experts: Vec<PersonRef>,
    pub information: InformationSection,
    pub diagnostic: DiagnosticSection,
    pub target: TargetSection,
    pub activity: ActivitySection,
    pub reflective: ReflectiveSection,
    pub approvals: Vec<ApprovalDto>,
    /// Tasks or the period changed since the last approval: agreement and approval are due again.
    pub needs_reapproval: bool,
    /// The version the last approval («УТВЕРЖДАЮ») applied to.
    pub approved_version: Option<i32>,
    pub permissions: RoutePermissions,
    /// The route that this one continues (a next route after a goal not achieved).
    pub previous_route_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A route in a list.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteSummary {
    pub id: Uuid,
    pub version: i32,
    pub teacher: PersonRef,
    pub school: UnitRef,
    pub title: String,
    pub track: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: RouteStatus,
    pub stage: Stage,
    pub activities_total: i64,
    pub activities_done: i64,
    /// Planned activities whose end date has passed.
    pub activities_overdue: i64,
    pub needs_reapproval: bool,
    pub updated_at: DateTime<Utc>,
}

/// One step of the workflow as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionDto {
    pub id: Uuid,
    pub action: RouteAction,
    pub from_status: RouteStatus,
    pub to_status: RouteStatus,
    pub actor: PersonRef,
    pub comment: Option<String>,
    pub version: i32,
    pub at: DateTime<Utc>,
}

/// One recorded correction: a field of a part of the route changed from old to new.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeDto {
    pub id: Uuid,
    pub version: i32,
    /// `route`, `task`, `activity`, `deficit`…
    pub entity: String,
    pub entity_id: Option<Uuid>,
    /// What a person reads: «Задача „…“», «Мероприятие „…“».
    pub subject: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// Changes of tasks or the period call for agreement and approval again.
    pub material: bool,
    pub actor: PersonRef,
    pub at: DateTime<Utc>,
}

/// The route's history: workflow steps and corrections.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteHistory {
    pub transitions: Vec<TransitionDto>,
    pub changes: Vec<ChangeDto>,
}

/// A comment in the route's thread (tutor ↔ teacher ↔ methodist).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentDto {
    pub id: Uuid,
    pub author: PersonRef,
    /// The section it is about, if any.
    pub section: Option<crate::route::Section>,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

// ---- Requests ----

use crate::dto::non_blank;

/// Creating a route: a title and a period. Everything known is prefilled by the server: the
/// profile, the latest diagnostic's results and the deficits found in them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"title": "Формирование функциональной грамотности на уроках математики", "period_start": "2026-09-01", "period_end": "2027-05-31"})))]
pub struct CreateRoute {
    #[validate(
        length(max = 300, message = "Не более 300 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 300,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub title: String,
    #[validate(length(max = 200, message = "Не более 200 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    #[serde(default)]
    pub track: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// For whom (a tutor or coordinator may create a route for a teacher); default: oneself.
    #[serde(default)]
    pub teacher_id: Option<Uuid>,
}

/// The route's own fields. `version` is the route's version the edit is based on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateRoute {
    pub version: i32,
    #[validate(
        length(max = 300, message = "Не более 300 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 300,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub title: String,
    #[validate(length(max = 200, message = "Не более 200 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub track: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    #[validate(length(max = 10000, message = "Не более 10 000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 10000))]
    pub educational_request: Option<String>,
}

/// A competency's result in a diagnostic, as written.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetencyResultInput {
    pub competency_id: Uuid,
    pub level: CompetencyLevel,
    #[serde(default)]
    pub score: Option<f64>,
}

/// A diagnostic of the route, as written (create: no version; update: the item's version).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiagnosticInput {
    #[serde(default)]
    pub version: Option<i32>,
    pub kind: DiagnosticKind,
    pub level: EventLevel,
    #[validate(
        length(max = 300, message = "Не более 300 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 300,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub name: String,
    #[serde(default)]
    pub date: Option<NaiveDate>,
    #[serde(default)]
    #[validate(length(max = 200, message = "Слишком много результатов"))]
    #[cfg_attr(feature = "openapi", schema(max_items = 200))]
    pub results: Vec<CompetencyResultInput>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeficitInput {
    #[serde(default)]
    pub version: Option<i32>,
    #[validate(
        length(max = 500, message = "Не более 500 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 500,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub title: String,
    #[serde(default)]
    #[validate(length(max = 5000, message = "Не более 5000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub description: Option<String>,
    #[serde(default)]
    pub competency_id: Option<Uuid>,
    #[serde(default = "yes")]
    pub confirmed: bool,
    #[serde(default)]
    pub state: Option<DeficitState>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskInput {
    #[serde(default)]
    pub version: Option<i32>,
    #[validate(
        length(max = 1000, message = "Не более 1000 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 1000,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub title: String,
    #[serde(default)]
    #[validate(length(max = 5000, message = "Не более 5000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub description: Option<String>,
    /// At least one deficit the task addresses.
    #[validate(length(
        min = 1,
        message = "Укажите хотя бы один дефицит, на который направлена задача"
    ))]
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub deficit_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityInput {
    #[serde(default)]
    pub version: Option<i32>,
    #[validate(
        length(max = 500, message = "Не более 500 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 500,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub name: String,
    #[serde(default)]
    pub competency_ids: Vec<Uuid>,
    #[serde(default)]
    pub deficit_ids: Vec<Uuid>,
    #[serde(default)]
    pub level: Option<EventLevel>,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    #[validate(length(max = 200, message = "Не более 200 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub participation_form: Option<String>,
    #[serde(default)]
    #[validate(length(max = 2000, message = "Не более 2000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub result: Option<String>,
    #[serde(default)]
    pub status: Option<ActivityStatus>,
    #[serde(default)]
    #[validate(length(max = 10000, message = "Не более 10 000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 10000))]
    pub reflection: Option<String>,
    #[serde(default)]
    #[validate(range(min = 0.0, max = 2000.0, message = "От 0 до 2000 часов"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0, maximum = 2000.0))]
    pub hours: Option<f64>,
    #[serde(default)]
    pub event_id: Option<Uuid>,
}

/// The roadmap's new order: every activity id once.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReorderActivities {
    pub version: i32,
    pub activity_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressInput {
    #[serde(default)]
    pub version: Option<i32>,
    pub period_kind: PeriodKind,
    #[validate(length(min = 1, max = 20, message = "Укажите период"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 20))]
    pub period: String,
    #[serde(default)]
    pub task_id: Option<Uuid>,
    #[validate(
        length(max = 10000, message = "Не более 10 000 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 10000,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductInput {
    #[serde(default)]
    pub version: Option<i32>,
    #[validate(
        length(max = 500, message = "Не более 500 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 500,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub title: String,
    #[serde(default)]
    #[validate(length(max = 200, message = "Не более 200 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub kind: Option<String>,
    #[serde(default)]
    #[validate(length(max = 5000, message = "Не более 5000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub description: Option<String>,
    /// An absolute `http` or `https` address (see `shared::links`).
    #[serde(default)]
    #[validate(custom(function = "crate::links::validate"))]
    pub link: Option<String>,
}

/// The final public event with the route's version.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateFinalEvent {
    pub version: i32,
    #[validate(nested)]
    pub final_event: FinalEventDto,
}

/// The conclusion with the route's version.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateConclusion {
    pub version: i32,
    #[validate(nested)]
    pub conclusion: ConclusionDto,
}

/// A workflow step. `version` is the route's version the person looked at.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"action": "approve", "version": 12})))]
pub struct TransitionRequest {
    pub action: RouteAction,
    pub version: i32,
    /// Required to return, to extend (the reason) and to reopen.
    #[serde(default)]
    #[validate(length(max = 5000, message = "Не более 5000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub comment: Option<String>,
    /// For `extend`: the new end date.
    #[serde(default)]
    pub new_end: Option<NaiveDate>,
    /// For `evaluate`: a verdict for each deficit.
    #[serde(default)]
    pub verdicts: Vec<DeficitVerdict>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentInput {
    #[serde(default)]
    pub section: Option<crate::route::Section>,
    #[validate(
        length(max = 5000, message = "Не более 5000 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 5000,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub text: String,
}

/// Filters of the route list.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RouteFilter {
    pub status: Option<RouteStatus>,
    pub stage: Option<Stage>,
    pub school_id: Option<Uuid>,
    pub municipality_id: Option<Uuid>,
    pub teacher_id: Option<Uuid>,
    pub tutor_id: Option<Uuid>,
    /// Routes running on or after this date.
    pub from: Option<NaiveDate>,
    /// Routes running on or before this date.
    pub to: Option<NaiveDate>,
    /// Text in the teacher's name or the route's title.
    pub q: Option<String>,
    /// Only routes where the caller has a workflow action to take (the caller's queue).
    pub actionable: Option<bool>,
    /// Only the caller's own routes.
    pub mine: Option<bool>,
    /// Items to skip, at most 1 000 000 (past that, narrow the filters).
    #[cfg_attr(feature = "openapi", param(minimum = 0, maximum = 1000000))]
    pub offset: Option<u64>,
    /// Items per page, 1–200 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u64>,
}
