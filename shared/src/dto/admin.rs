//! Administration of the hierarchy and of the people in it: units, people, roles, personal
//! assignments and consent, invitations and passwords, staff import, the mail outbox.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;
use validator::Validate;

use crate::dto::{AssignmentDto, AssignmentKind, PersonDto, RoleGrantDto, UnitRef};
use crate::org::UnitKind;
use crate::roles::Role;

use crate::dto::non_blank;

// ---- Units ----

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateUnit {
    pub kind: UnitKind,
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
    #[validate(length(max = 100, message = "Не более 100 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub short_name: Option<String>,
    /// Required for everything but a region.
    #[serde(default)]
    pub parent_id: Option<Uuid>,
    /// The unit's code in the region's systems (for imports and integrations).
    #[serde(default)]
    #[validate(length(max = 100, message = "Не более 100 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateUnit {
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
    #[validate(length(max = 100, message = "Не более 100 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub short_name: Option<String>,
    #[serde(default)]
    #[validate(length(max = 100, message = "Не более 100 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub external_id: Option<String>,
}

/// A region's rules for routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionPolicyDto {
    /// The longest a route may run, in months (1 to 60).
    #[validate(range(min = 1, max = 60, message = "От 1 до 60 месяцев"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub max_route_months: i32,
    /// The most one extension may add, in months (0 to 6).
    #[validate(range(min = 0, max = 6, message = "От 0 до 6 месяцев"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 6))]
    pub max_extension_months: i32,
    /// Remind the teacher this many days before a roadmap activity's end (0 to 30; 0: no such
    /// reminders). Overdue activities are told of whatever this says.
    #[serde(default = "default_remind_before_days")]
    #[validate(range(min = 0, max = 30, message = "От 0 до 30 дней"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 30, default = 3))]
    pub remind_before_days: i32,
    /// A route waiting for someone's step longer than this many days goes to the school
    /// coordinator, after twice as long to the municipal coordinator (0 to 90; 0: never).
    #[serde(default = "default_escalate_after_days")]
    #[validate(range(min = 0, max = 90, message = "От 0 до 90 дней"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 90, default = 7))]
    pub escalate_after_days: i32,
}

fn default_remind_before_days() -> i32 {
    crate::events::ReminderPolicy::default().remind_before_days as i32
}

fn default_escalate_after_days() -> i32 {
    crate::events::ReminderPolicy::default().escalate_after_days as i32
}

impl RegionPolicyDto {
    /// The reminder and escalation part of the policy.
    pub fn reminders(&self) -> crate::events::ReminderPolicy {
        crate::events::ReminderPolicy {
            remind_before_days: i64::from(self.remind_before_days),
            escalate_after_days: i64::from(self.escalate_after_days),
        }
    }
}

// ---- People ----

domain_enum! {
    /// Where a person's invitation stands.
    pub enum InvitationState {
        None => ("none", "Не приглашён"),
        Pending => ("pending", "Приглашение отправлено"),
        Expired => ("expired", "Приглашение истекло"),
        /// The person has a password (an invitation is not needed any more).
        Accepted => ("accepted", "Пароль задан"),
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationStatus {
    pub state: InvitationState,
    pub sent_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A person in a list.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonSummary {
    pub id: Uuid,
    pub full_name: String,
    pub email: String,
    pub workplace: Option<UnitRef>,
    pub position: Option<String>,
    pub roles: Vec<Role>,
    pub active: bool,
    pub invitation: InvitationState,
}

/// A person's card for those who manage them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonDetail {
    pub person: PersonDto,
    pub external_id: Option<String>,
    pub roles: Vec<RoleGrantDto>,
    /// Their tutor, mentor, experts.
    pub staff: Vec<AssignmentDto>,
    /// The teachers they support.
    pub teachers: Vec<AssignmentDto>,
    pub invitation: InvitationStatus,
    pub last_login_at: Option<DateTime<Utc>>,
    /// Whether the caller may edit the profile, deactivate and invite.
    pub can_manage: bool,
    /// A new e-mail address awaiting confirmation.
    #[serde(default)]
    pub pending_email: Option<PendingEmailChange>,
}

/// Filters of the people list.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PersonFilter {
    /// Text in the name or e-mail.
    pub q: Option<String>,
    /// People working in this unit or below it.
    pub unit_id: Option<Uuid>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Items to skip, at most 1 000 000 (past that, narrow the filters).
    #[cfg_attr(feature = "openapi", param(minimum = 0, maximum = 1000000))]
    pub offset: Option<u64>,
    /// Items per page, 1–200 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u64>,
}

/// A role to grant, at a unit (none for the administrator).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantInput {
    pub role: Role,
    #[serde(default)]
    pub unit_id: Option<Uuid>,
}

/// A person's profile as written (the route card's information section, and more).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileInput {
    #[validate(
        length(max = 100, message = "Не более 100 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub surname: String,
    #[validate(
        length(max = 100, message = "Не более 100 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub first_name: String,
    #[serde(default)]
    #[validate(length(max = 100, message = "Не более 100 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub patronymic: Option<String>,
    #[serde(default)]
    #[validate(length(max = 40, message = "Не более 40 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub phone: Option<String>,
    #[serde(default)]
    #[validate(length(max = 300, message = "Не более 300 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub position: Option<String>,
    #[serde(default)]
    #[validate(range(min = 0, max = 70, message = "От 0 до 70 лет"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 70))]
    pub teaching_experience_years: Option<i32>,
    #[serde(default)]
    #[validate(range(min = 0, max = 70, message = "От 0 до 70 лет"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 70))]
    pub position_experience_years: Option<i32>,
    #[serde(default)]
    #[validate(length(max = 100, message = "Не более 100 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub qualification_category: Option<String>,
    #[serde(default)]
    pub qualification_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "email": "petrova@school1.ru", "surname": "Петрова", "first_name": "Анна", "patronymic": "Сергеевна",
    "position": "Учитель русского языка", "workplace_id": "018f0000-0000-7000-8000-000000000000",
    "roles": [{"role": "teacher", "unit_id": "018f0000-0000-7000-8000-000000000000"}], "invite": true
})))]
pub struct CreatePerson {
    #[validate(
        email(message = "Некорректный адрес электронной почты"),
        length(max = 254, message = "Слишком длинный адрес")
    )]
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
    #[serde(flatten)]
    #[validate(nested)]
    pub profile: ProfileInput,
    pub workplace_id: Option<Uuid>,
    #[serde(default)]
    #[validate(length(max = 100, message = "Не более 100 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub external_id: Option<String>,
    #[serde(default)]
    pub roles: Vec<GrantInput>,
    /// Send an invitation to set a password right away.
    #[serde(default)]
    pub invite: bool,
}

/// Changing a person: the profile, and (for those who manage them) workplace, id. A different
/// e-mail starts a change that takes effect once the new address confirms it (by the person
/// themselves or by those who manage them).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdatePerson {
    #[serde(flatten)]
    #[validate(nested)]
    pub profile: ProfileInput,
    /// A new address is confirmed through a link sent to it; the old one is told.
    #[serde(default)]
    #[validate(email(message = "Некорректный адрес электронной почты"))]
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: Option<String>,
    /// Managers only.
    #[serde(default)]
    pub workplace_id: Option<Uuid>,
    /// Managers only.
    #[serde(default)]
    #[validate(length(max = 100, message = "Не более 100 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentInput {
    pub kind: AssignmentKind,
    pub staff_id: Uuid,
    pub teacher_id: Uuid,
}

/// The teacher gives or withdraws consent to their tutor seeing their routes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentInput {
    pub given: bool,
}

// ---- Passwords ----

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetRequest {
    #[validate(length(min = 3, max = 254, message = "Укажите адрес электронной почты"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 254))]
    pub email: String,
}

/// Setting a password with a one-time link's token (an invitation or a reset).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetPasswordRequest {
    #[validate(length(min = 10, max = 200, message = "Ссылка недействительна"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 200))]
    pub token: String,
    #[validate(length(max = 1024, message = "Слишком длинный пароль"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1024))]
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    #[validate(length(min = 1, max = 1024, message = "Укажите текущий пароль"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub current_password: String,
    #[validate(length(max = 1024, message = "Слишком длинный пароль"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1024))]
    pub new_password: String,
}

domain_enum! {
    /// What a one-time link is for.
    pub enum TokenPurpose {
        Invitation => ("invitation", "Приглашение"),
        PasswordReset => ("password_reset", "Восстановление пароля"),
        EmailChange => ("email_change", "Подтверждение нового адреса"),
    }
}

/// Whom a one-time link is for, so the page can greet them (nothing secret).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub purpose: TokenPurpose,
    /// The person's current address.
    pub email: String,
    pub full_name: String,
    pub expires_at: DateTime<Utc>,
    /// For an e-mail change: the address that confirming makes the person's.
    #[serde(default)]
    pub new_email: Option<String>,
}

/// Confirming a new e-mail address with the link sent to it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmEmailRequest {
    #[validate(length(min = 10, max = 200, message = "Ссылка недействительна"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 200))]
    pub token: String,
}

/// The address now in force; every sign-in of the person has ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailConfirmed {
    pub email: String,
}

/// An e-mail change waiting for the new address to confirm it; until then the old address
/// stays in force.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingEmailChange {
    pub email: String,
    pub requested_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

// ---- Mail ----

/// What the outbox shows in place of a letter's one-time secret (the token of an invitation,
/// reset or confirmation link): an administrator never sees a live link.
pub const REDACTED_SECRET: &str = "[скрыто]";

domain_enum! {
    pub enum MailStatus {
        Queued => ("queued", "В очереди"),
        Sent => ("sent", "Отправлено"),
        Stored => ("stored", "Сохранено (SMTP не настроен)"),
        Failed => ("failed", "Не отправлено"),
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailMessageDto {
    pub id: Uuid,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

// ---- Staff import ----

domain_enum! {
    /// What committing an import will do with a row.
    pub enum ImportAction {
        Create => ("create", "Будет создан"),
        Update => ("update", "Будет обновлён"),
        Error => ("error", "Ошибка"),
    }
}

/// A problem in one cell of an imported file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellError {
    /// The column's header as in the file (or its expected name when missing).
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRowDto {
    /// The row's number in the file (the header is row 1).
    pub row: usize,
    pub email: String,
    pub full_name: String,
    pub school: Option<String>,
    pub position: Option<String>,
    pub role: Option<Role>,
    pub action: ImportAction,
    pub errors: Vec<CellError>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportPreview {
    pub id: Uuid,
    pub file_name: String,
    pub total: usize,
    pub to_create: usize,
    pub to_update: usize,
    pub errors: usize,
    pub rows: Vec<ImportRowDto>,
    /// File-level problems (encoding, missing columns); the import cannot be committed.
    pub file_errors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportResult {
    pub created: usize,
    pub updated: usize,
    pub invited: usize,
}
