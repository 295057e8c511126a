//! The region's bank of methodological products: publishing a product that passed expertise,
//! searching the bank, recommending a product and taking it into a roadmap.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;
use validator::Validate;

use crate::bank::{BankStatus, EducationLevel};
use crate::dto::CompetencyRef;

/// The author as the bank shows them: the name and the school they agreed to publish, nothing
/// else (no e-mail).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankAuthor {
    pub id: Uuid,
    pub full_name: String,
    pub school: Option<String>,
}

/// A product in the bank's list.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankProductSummary {
    pub id: Uuid,
    pub title: String,
    /// Вид продукта, as the author named it.
    pub kind: Option<String>,
    pub subject: Option<String>,
    pub level: Option<EducationLevel>,
    pub author: BankAuthor,
    /// The competencies whose deficits the product's route eliminated.
    pub competencies: Vec<CompetencyRef>,
    pub status: BankStatus,
    pub published_at: DateTime<Utc>,
    /// Times colleagues opened it (the author's own views are not counted).
    pub views: i64,
    /// Routes that took it into their roadmap.
    pub uses: i64,
}

/// The expert's verdict the product was published on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankVerdict {
    pub expert: Option<String>,
    pub evaluated_at: Option<DateTime<Utc>>,
    /// Every deficit of the route eliminated: what publication requires.
    pub positive: bool,
    pub comment: Option<String>,
}

/// A file of the product, downloadable by anyone who reads the bank.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankFile {
    pub id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub url: String,
}

/// A recommendation of the product to the caller.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankRecommendation {
    pub by: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// A product of the bank in full.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankProductDto {
    #[serde(flatten)]
    pub summary: BankProductSummary,
    pub description: Option<String>,
    pub link: Option<String>,
    pub files: Vec<BankFile>,
    /// The deficits the product addressed, as the route named them.
    pub deficits: Vec<String>,
    pub verdict: BankVerdict,
    /// The route it came from: its title and period (the route itself stays private).
    pub route_title: String,
    pub route_start: NaiveDate,
    pub route_end: NaiveDate,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_reason: Option<String>,
    /// Who recommended it to the caller, and why.
    pub recommended_to_me: Vec<BankRecommendation>,
    /// The caller may take it off the bank (its author, the region's manager).
    pub can_withdraw: bool,
    /// The caller may recommend it to teachers.
    pub can_recommend: bool,
}

/// `GET /products`: the bank of the caller's region.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct BankFilter {
    /// Words of the title, description, subject or the author's name.
    pub q: Option<String>,
    /// Products addressing a deficit in this competency.
    pub competency_id: Option<Uuid>,
    pub level: Option<EducationLevel>,
    /// Only this author's products (their own list includes withdrawn ones).
    pub author_id: Option<Uuid>,
    /// Products recommended to the caller.
    pub recommended: Option<bool>,
    /// Another region's bank (an administrator; anyone else reads their own region's).
    pub region_id: Option<Uuid>,
    /// Items to skip, at most 1 000 000 (past that, narrow the filters).
    #[cfg_attr(feature = "openapi", param(minimum = 0, maximum = 1000000))]
    pub offset: Option<u64>,
    /// Items per page, 1–100 (default 20).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u64>,
}

/// What the author adds when publishing: both optional, the subject prefilled from the
/// position in the profile.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishInput {
    #[serde(default)]
    #[validate(length(max = 200, message = "Не более 200 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub subject: Option<String>,
    #[serde(default)]
    pub level: Option<EducationLevel>,
}

/// Taking a product off the bank, with an optional reason the author reads.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawInput {
    #[serde(default)]
    #[validate(length(max = 2000, message = "Не более 2000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub reason: Option<String>,
}

/// Taking a bank product into one of the caller's routes as «изучить опыт коллеги».
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdoptInput {
    pub route_id: Uuid,
}

/// Why a product cannot be published now.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicationBlock {
    /// A stable code: `product_not_evaluated`, `product_not_positive`,
    /// `publication_consent_required`, `product_published`.
    pub code: String,
    pub message: String,
}

/// A product of a route and its place in the bank, for the route's author.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductPublication {
    pub product_id: Uuid,
    pub title: String,
    /// The bank's entry, once published (also after withdrawal).
    pub bank_product_id: Option<Uuid>,
    pub status: Option<BankStatus>,
    /// `None`: may be published now.
    pub blocked: Option<PublicationBlock>,
    /// What the publishing form starts with.
    pub suggested_subject: Option<String>,
}
