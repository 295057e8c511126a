//! People, their roles and their personal links (tutor, mentor, expert).

use uuid::Uuid;

use crate::dto::units::UnitRef;
use crate::roles::Role;

/// A person's profile: the information section of the route card.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonDto {
    pub id: Uuid,
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    /// Должность.
    pub position: Option<String>,
    /// Стаж работы (педагогический), years.
    pub teaching_experience_years: Option<i32>,
    /// Стаж работы в данной должности, years.
    pub position_experience_years: Option<i32>,
    /// Квалификационная категория.
    pub qualification_category: Option<String>,
    pub qualification_date: Option<chrono::NaiveDate>,
    /// The school (or other unit) the person works in.
    pub workplace: Option<UnitRef>,
    pub active: bool,
}

impl PersonDto {
    pub fn full_name(&self) -> String {
        crate::text::full_name(&self.surname, &self.first_name, self.patronymic.as_deref())
    }
}

/// A short reference to a person, enough to name them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRef {
    pub id: Uuid,
    pub full_name: String,
    pub email: String,
}

/// A role held by a person, scoped to a unit (none for the administrator).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleGrantDto {
    pub id: Uuid,
    pub role: Role,
    /// The role's Russian title, for display.
    pub role_title: String,
    pub unit: Option<UnitRef>,
}

domain_enum! {
    /// A personal link between a teacher and a member of staff.
    pub enum AssignmentKind {
        Tutor => ("tutor", "Тьютор"),
        Mentor => ("mentor", "Методист-наставник"),
        Expert => ("expert", "Эксперт"),
    }
}

/// A personal assignment seen from one side: the other person, the kind of link, and (for a
/// tutor) whether the teacher has consented to the tutor seeing their routes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentDto {
    pub id: Uuid,
    pub kind: AssignmentKind,
    pub person: PersonRef,
    /// When the teacher consented (tutors only); `None` while there is no consent.
    pub consent_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Who I am: my profile, my roles, and the people I am linked to.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeResponse {
    pub person: PersonDto,
    pub roles: Vec<RoleGrantDto>,
    /// My tutor, mentor and experts (as a teacher).
    pub my_staff: Vec<AssignmentDto>,
    /// The teachers I support (as a tutor, mentor or expert).
    pub my_teachers: Vec<AssignmentDto>,
    /// My new e-mail address awaiting confirmation.
    #[serde(default)]
    pub pending_email: Option<crate::dto::PendingEmailChange>,
}

impl MeResponse {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.iter().any(|r| r.role == role)
    }
}

/// One access to a person's data by someone else, as the person reads it in «Кто видел мои
/// данные»: who, in which role, when and what.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessLogEntry {
    pub at: chrono::DateTime<chrono::Utc>,
    /// `user` (a person of the platform) or `client` (an integration client: a regional system).
    pub actor_kind: String,
    /// The person's full name, or the integration client's name.
    pub actor_name: String,
    /// The roles or integration permissions the access was made by (`tutor`, `read_routes`…).
    pub basis: Vec<String>,
    /// What was done: `route.read`, `file.read`, `diagnostics.read`, `person.read`…
    pub action: String,
    /// What was accessed: `route`, `route_file`, `user`, `diagnostic_result`…
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
}

domain_enum! {
    /// Where an export of one's own data stands: waiting for the background worker, being
    /// assembled, ready to download, or stopped by an error (start a new one).
    pub enum PersonalExportStatus {
        Pending => ("pending", "В очереди"),
        Running => ("running", "Готовится"),
        Done => ("done", "Готово"),
        Failed => ("failed", "Не удалось подготовить"),
    }
}

impl PersonalExportStatus {
    /// Whether the export will not change any more.
    pub fn finished(self) -> bool {
        matches!(
            self,
            PersonalExportStatus::Done | PersonalExportStatus::Failed
        )
    }
}

/// An export of everything the platform holds about the signed-in person (152-ФЗ, art. 14): a
/// ZIP with JSON files and a readable PDF, assembled in the background. Download it from
/// `/api/v1/me/export/{id}/download` once `status` is `done`, until `expires_at`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonalExportDto {
    pub id: Uuid,
    pub status: PersonalExportStatus,
    /// Percent done, 0–100.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub progress: u8,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The archive's size, once it is ready.
    pub size_bytes: Option<u64>,
    /// After this the archive is deleted and the export is gone.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}
