//! Consents to the processing of personal data: the region's purposes, a person's answers and
//! the record of every decision.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;
use validator::Validate;

use crate::consent::{ConsentMethod, PurposeKind};
use crate::dto::non_blank;

/// One of the region's purposes of processing, at its current text.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentPurposeDto {
    pub id: Uuid,
    pub region_id: Uuid,
    pub kind: PurposeKind,
    pub title: String,
    /// The text a person reads and agrees to.
    pub text: String,
    /// The text's version: a new text is a new version, and people who agreed to an older one
    /// are asked again.
    pub version: i32,
    /// The platform cannot keep the person's route without it.
    pub required: bool,
    /// An inactive purpose is not asked any more; earlier decisions stay on record.
    pub active: bool,
    pub updated_at: DateTime<Utc>,
}

/// A purpose as the regional manager writes it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentPurposeInput {
    pub kind: PurposeKind,
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
    pub title: String,
    #[validate(length(
        min = 40,
        max = 8000,
        message = "Текст согласия — от 40 до 8000 символов"
    ))]
    #[cfg_attr(feature = "openapi", schema(min_length = 40, max_length = 8000))]
    pub text: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default = "yes")]
    #[cfg_attr(feature = "openapi", schema(default = true))]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A person's standing on one purpose.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentStanding {
    pub purpose: ConsentPurposeDto,
    /// The latest decision: agreed (`true`), refused or withdrawn (`false`), none yet (null).
    pub given: Option<bool>,
    /// The text version that decision was made on.
    pub version: Option<i32>,
    pub decided_at: Option<DateTime<Utc>>,
    pub method: Option<ConsentMethod>,
    /// The person is to be asked (never answered, or agreed to an older text).
    pub needs_answer: bool,
}

/// One decision as recorded, with the very text it was made on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentRecordDto {
    pub id: Uuid,
    pub purpose_id: Uuid,
    pub purpose_title: String,
    pub version: i32,
    /// The purpose's text at that version.
    pub text: String,
    pub given: bool,
    pub method: ConsentMethod,
    /// Who registered a paper consent (by name); none for one's own electronic decision.
    pub registered_by: Option<String>,
    /// The date written on a paper consent.
    pub signed_on: Option<NaiveDate>,
    /// A scan of the paper is attached.
    pub has_scan: bool,
    pub recorded_at: DateTime<Utc>,
}

/// A person's consents: where they stand on every purpose of their region(s), and every
/// decision they made, newest first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentsDto {
    pub items: Vec<ConsentStanding>,
    /// How many purposes wait for the person's answer (the first-sign-in screen shows them).
    pub pending: usize,
    pub history: Vec<ConsentRecordDto>,
}

/// The person's own answer on one purpose, on the text version they read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentAnswer {
    pub given: bool,
    /// The version of the text shown; an answer on a text that has since changed is refused
    /// (409 `consent_text_changed`), so nobody agrees to words they did not read.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: i32,
}

/// A paper consent (or its withdrawal) registered for a person by the school coordinator or
/// anyone above who manages the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaperConsent {
    pub purpose_id: Uuid,
    pub given: bool,
    /// The date the person signed (not in the future).
    pub signed_on: NaiveDate,
}

domain_enum! {
    /// Where a request to erase a person's data stands.
    pub enum ErasureStatus {
        Pending => ("pending", "На рассмотрении"),
        Executed => ("executed", "Данные удалены"),
        Rejected => ("rejected", "Отклонён"),
    }
}

/// A request to erase a person's data, as the person, their coordinator and the regional
/// manager see it. Once carried out it names nobody: `subject_id` and `subject_name` are gone.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureRequestDto {
    pub id: Uuid,
    pub status: ErasureStatus,
    pub subject_id: Option<Uuid>,
    pub subject_name: Option<String>,
    /// Asked by the person themselves (not by their coordinator for them).
    pub by_subject: bool,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    /// What was erased or anonymised: kind of record → how many.
    pub outcome: Option<std::collections::BTreeMap<String, u64>>,
}

/// Asking for erasure.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureInput {
    #[validate(length(max = 2000, message = "Не более 2000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    #[serde(default)]
    pub reason: Option<String>,
}

/// The regional manager's decision on a request.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureDecision {
    #[validate(length(max = 2000, message = "Не более 2000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    #[serde(default)]
    pub note: Option<String>,
}
