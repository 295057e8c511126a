//! Documents: the route card, completion certificates and their public verification, list
//! exports.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;
use validator::Validate;

use crate::dto::{PersonRef, UnitRef};

/// A completion certificate as its holder and those in scope see it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateDto {
    pub id: Uuid,
    /// Human number: region, year, sequence (`38-2026-000001`).
    pub number: String,
    /// The code in the public verification link.
    pub code: String,
    pub route_id: Uuid,
    pub teacher: PersonRef,
    pub school: UnitRef,
    pub route_title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The issuing unit (the region's ЦНППМ).
    pub issuer: String,
    /// Hours of further training recorded in the roadmap.
    pub hours: Option<f64>,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    /// The public verification page (what the QR code opens).
    pub verify_url: String,
    /// Where to download the PDF.
    pub pdf_url: String,
    /// Where to download the Open Badges 3.0 credential (a VC-JWT signed by the region's key).
    pub badge_url: String,
    /// Whether the caller may revoke it.
    pub can_revoke: bool,
}

/// Revoking a certificate; the reason is shown to whoever verifies it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokeCertificate {
    #[validate(
        length(min = 1, max = 1000, message = "Укажите причину (до 1000 символов)"),
        custom(function = "crate::dto::non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 1000,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub reason: String,
}

/// What the public verification shows: validity and the minimum needed to match the paper.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateVerification {
    /// Issued and not revoked.
    pub valid: bool,
    pub number: String,
    pub person_name: String,
    pub route_title: String,
    pub issued_on: NaiveDate,
    pub issuer: String,
    /// When it was revoked, if it was.
    pub revoked_on: Option<NaiveDate>,
}

/// `?format=` of the card and of exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CardFormat {
    Docx,
    Pdf,
}

/// `?format=` of a list export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Xlsx,
}
