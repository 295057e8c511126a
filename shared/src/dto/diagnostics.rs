//! Diagnostics DTOs: framework editing, campaigns, results (by hand, imported, self-assessed),
//! proposed deficits, a route's dynamics and the managers' view.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;
use validator::Validate;

use super::non_blank;
use crate::diagnostics::{DeficitRule, Trend};
use crate::dto::{CellError, CompetencyRef, PersonRef, UnitRef};
use crate::levels::{CompetencyLevel, DiagnosticKind, EventLevel};
use crate::workflow::Outcome;

// ---- Frameworks ----

/// A competency of a draft framework, as written.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetencyInput {
    #[validate(
        length(max = 32, message = "Не более 32 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 32,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub code: String,
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
    #[validate(length(max = 3000, message = "Не более 3000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 3000))]
    pub description: Option<String>,
    /// Трудовая функция профстандарта «Педагог» (544н), e.g. `A/01.6`.
    #[serde(default)]
    #[validate(length(max = 32, message = "Не более 32 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub labour_function: Option<String>,
    #[serde(default)]
    pub low_max: Option<f64>,
    #[serde(default)]
    pub medium_max: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetencyGroupInput {
    #[validate(
        length(max = 32, message = "Не более 32 символов"),
        custom(function = "non_blank")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 32,
            pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
        )
    )]
    pub code: String,
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
    #[validate(
        length(max = 100, message = "Не более 100 компетенций в группе"),
        nested
    )]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub competencies: Vec<CompetencyInput>,
}

/// A draft framework's whole content (create, or replace while a draft).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameworkInput {
    /// The draft's revision the change is based on (required when replacing a draft; a stale
    /// one gets 412).
    #[serde(default)]
    pub revision: Option<i32>,
    /// The region that owns it (on create; the caller's region when they have one).
    #[serde(default)]
    pub region_id: Option<Uuid>,
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
    pub deficit_rule: Option<DeficitRule>,
    #[validate(length(min = 1, max = 20, message = "От 1 до 20 групп"), nested)]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 20))]
    pub groups: Vec<CompetencyGroupInput>,
}

impl FrameworkInput {
    /// What the field rules cannot see: repeated codes, score ranges out of order, a tree
    /// without competencies, a deficit rule that names nothing. Messages by field, named as
    /// the server names them (`groups[0].competencies[1].low_max`), so a form shows each one
    /// beside its field.
    pub fn tree_problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut group_codes = std::collections::HashSet::new();
        let mut codes = std::collections::HashSet::new();
        for (gi, g) in self.groups.iter().enumerate() {
            if !g.code.trim().is_empty() && !group_codes.insert(g.code.trim()) {
                out.push((
                    format!("groups[{gi}].code"),
                    format!("Код группы «{}» повторяется.", g.code.trim()),
                ));
            }
            for (ci, c) in g.competencies.iter().enumerate() {
                let at = format!("groups[{gi}].competencies[{ci}]");
                if !c.code.trim().is_empty() && !codes.insert(c.code.trim()) {
                    out.push((
                        format!("{at}.code"),
                        format!("Код компетенции «{}» повторяется.", c.code.trim()),
                    ));
                }
                let ranges = crate::diagnostics::ScoreRanges {
                    low_max: c.low_max,
                    medium_max: c.medium_max,
                };
                if let Err(m) = ranges.check() {
                    let field = if c.low_max.is_some_and(|v| !v.is_finite() || v < 0.0) {
                        "low_max"
                    } else {
                        "medium_max"
                    };
                    out.push((format!("{at}.{field}"), m.to_owned()));
                }
            }
        }
        if self.groups.iter().all(|g| g.competencies.is_empty()) {
            out.push(("groups".into(), "Добавьте хотя бы одну компетенцию.".into()));
        }
        if let Some(Err(m)) = self.deficit_rule.as_ref().map(DeficitRule::check) {
            out.push(("deficit_rule".into(), m.to_owned()));
        }
        out
    }
}

/// Copying a published framework into a region's new draft version.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CopyFramework {
    /// The region the copy belongs to (defaults to the caller's).
    #[serde(default)]
    pub region_id: Option<Uuid>,
}

// ---- Campaigns ----

/// A diagnostic campaign as written.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignInput {
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
    pub level: EventLevel,
    pub kind: DiagnosticKind,
    /// A published framework version.
    pub framework_id: Uuid,
    #[serde(default)]
    pub date: Option<NaiveDate>,
    /// The organising unit (region, municipality, school).
    pub organiser_id: Uuid,
    /// Who it covers: people working in this unit (defaults to the organiser).
    #[serde(default)]
    pub unit_id: Option<Uuid>,
    #[serde(default)]
    #[validate(length(max = 5000, message = "Не более 5000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub description: Option<String>,
}

/// A framework version as named from elsewhere.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameworkRef {
    pub id: Uuid,
    pub name: String,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignDto {
    pub id: Uuid,
    pub name: String,
    pub level: EventLevel,
    pub kind: DiagnosticKind,
    pub framework: FrameworkRef,
    pub date: Option<NaiveDate>,
    pub organiser: UnitRef,
    pub unit: UnitRef,
    pub description: Option<String>,
    /// People with results (among those the caller may see).
    pub assessed: u64,
    /// The caller may edit it and import its results.
    pub can_manage: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// ---- Results ----

/// One competency's result, as entered.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultInput {
    pub competency_id: Uuid,
    /// The level; when absent, the score decides by the competency's ranges.
    #[serde(default)]
    pub level: Option<CompetencyLevel>,
    #[serde(default)]
    pub score: Option<f64>,
    #[serde(default)]
    #[validate(length(max = 2000, message = "Не более 2000 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub comment: Option<String>,
}

/// A person's results in a campaign, as entered (they replace what was there).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonResultsInput {
    #[validate(length(max = 300, message = "Слишком много результатов"), nested)]
    #[cfg_attr(feature = "openapi", schema(max_items = 300))]
    pub results: Vec<ResultInput>,
}

domain_enum! {
    /// How a result got into the platform.
    pub enum ResultSource {
        Manual => ("manual", "Введён вручную"),
        Import => ("import", "Загружен из файла"),
        SelfAssessment => ("self", "Самооценка"),
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultDto {
    pub competency: CompetencyRef,
    /// The competency's group code (П, М, ПП, К…), for charts per group.
    pub group_code: String,
    pub level: CompetencyLevel,
    pub score: Option<f64>,
    pub comment: Option<String>,
    pub source: ResultSource,
    /// The framework's rule finds a deficit here.
    pub deficit: bool,
}

/// A deficit the framework's rule proposes from a result; the teacher and tutor confirm it in
/// the route.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposedDeficit {
    pub competency: CompetencyRef,
    pub level: CompetencyLevel,
    pub score: Option<f64>,
    /// The title the route's deficit gets.
    pub title: String,
}

/// A campaign as named beside results.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignBrief {
    pub id: Uuid,
    pub name: String,
    pub level: EventLevel,
    pub kind: DiagnosticKind,
    pub date: Option<NaiveDate>,
    pub framework_id: Uuid,
}

/// One person's results in one campaign, with the deficits they show.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonResultsDto {
    pub campaign: CampaignBrief,
    pub person: PersonRef,
    pub school: Option<String>,
    pub results: Vec<ResultDto>,
    pub proposed_deficits: Vec<ProposedDeficit>,
    /// The framework's deficit rule in words.
    pub deficit_rule: String,
}

// ---- Import ----

domain_enum! {
    /// How people in an imported file are found.
    pub enum MatchBy {
        Email => ("email", "По адресу электронной почты"),
        ExternalId => ("external_id", "По внешнему идентификатору"),
    }
}

domain_enum! {
    /// The shape of an imported file.
    pub enum ImportLayout {
        /// One row per person, a column per competency code.
        Wide => ("wide", "Строка на педагога, столбцы — компетенции"),
        /// One row per person and competency.
        Long => ("long", "Строка на результат"),
    }
}

/// One person in an import's preview (the rows of a long file are merged per person).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultsImportRow {
    /// The first row of the file with this person (the header is row 1).
    pub row: usize,
    /// The e-mail or external id as written in the file.
    pub key: String,
    pub person: Option<PersonRef>,
    pub results: usize,
    /// Proposed deficits these results show.
    pub deficits: usize,
    /// Nobody with this key is registered in the campaign's coverage.
    pub unmatched: bool,
    pub errors: Vec<CellError>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultsImportPreview {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub file_name: String,
    pub layout: ImportLayout,
    pub match_by: MatchBy,
    /// People found in the file.
    pub people: usize,
    pub results: usize,
    /// Rows (people) with errors other than being unmatched: the commit is refused.
    pub errors: usize,
    pub unmatched: usize,
    pub rows: Vec<ResultsImportRow>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultsImportResult {
    pub people: usize,
    pub results: usize,
    /// Keys of the rows skipped because nobody matched them.
    pub unmatched: Vec<String>,
}

// ---- A route's diagnostic from a campaign, and its dynamics ----

/// Bringing a campaign's results and proposed deficits into a route's diagnostic section.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FromCampaignInput {
    /// The route's version the caller saw.
    pub version: i32,
    pub campaign_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetencyDynamics {
    pub competency: CompetencyRef,
    pub entry: Option<CompetencyLevel>,
    pub entry_score: Option<f64>,
    pub last: Option<CompetencyLevel>,
    pub last_score: Option<f64>,
    /// `None` until both diagnostics assessed it.
    pub trend: Option<Trend>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeficitDynamics {
    pub deficit_id: Uuid,
    pub title: String,
    pub competency: Option<CompetencyRef>,
    /// By the final diagnostic; `None` when it did not assess the competency.
    pub eliminated: Option<bool>,
}

/// Entry against final diagnostic: the route's completion criterion and its conclusion.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteDynamicsDto {
    pub entry_diagnostic: Option<String>,
    pub final_diagnostic: Option<String>,
    pub competencies: Vec<CompetencyDynamics>,
    pub deficits: Vec<DeficitDynamics>,
    /// Something improved and nothing got worse (regulation 1.12).
    pub positive: bool,
    /// A sentence for the conclusion.
    pub summary: String,
    /// The outcome the completion criteria support (regulation 1.12), to prefill the
    /// conclusion; completing as achieved against them is refused.
    pub suggested_outcome: Option<Outcome>,
    /// The dynamics criterion: `None` until entry and final diagnostics assess a competency.
    pub criteria_dynamics: Option<bool>,
    /// The expert criterion: every deficit eliminated; `None` before an evaluation.
    pub criteria_evaluation: Option<bool>,
}

// ---- Managers' view ----

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelCounts {
    pub low: u64,
    pub medium: u64,
    pub high: u64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetencyStats {
    pub competency: CompetencyRef,
    pub group_code: String,
    pub levels: LevelCounts,
    /// People whose result here is a deficit by the framework's rule.
    pub deficits: u64,
}

/// A unit one level below, for the drill-down and the heat map.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitStats {
    pub unit: UnitRef,
    pub assessed: u64,
    /// Deficits per competency, in the order of `CampaignAnalytics::competencies`.
    pub deficits: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignAnalytics {
    pub campaign: CampaignBrief,
    pub unit: UnitRef,
    pub assessed: u64,
    pub deficit_rule: String,
    /// In the framework's order.
    pub competencies: Vec<CompetencyStats>,
    /// The competencies with most deficits, most first (the questions for work plans).
    pub top_deficits: Vec<CompetencyStats>,
    pub units: Vec<UnitStats>,
}

/// A person with a given deficit (the start of grouping teachers with similar deficits).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeficitPersonDto {
    pub person: PersonRef,
    pub school: Option<String>,
    pub level: CompetencyLevel,
    pub score: Option<f64>,
}

// ---- Drafting routes in bulk from a campaign ----

/// Starting a drafting job: whom to draft for, the routes' period, and optionally a title
/// pattern (`{диагностика}` stands for the campaign's name) and a thematic track.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"selection": {"kind": "all"}, "period_start": "2026-10-01", "period_end": "2027-05-31"})))]
pub struct RouteDraftsInput {
    pub selection: crate::drafting::DraftSelection,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    #[validate(length(max = 300, message = "Не более 300 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    #[serde(default)]
    pub title: Option<String>,
    #[validate(length(max = 200, message = "Не более 200 символов"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    #[serde(default)]
    pub track: Option<String>,
}

domain_enum! {
    /// Where a drafting job stands: waiting for the background worker, running, done (every
    /// selected teacher handled: created, skipped or failed), or stopped by an unexpected error
    /// (the drafts made so far are whole and stay).
    pub enum DraftJobStatus {
        Queued => ("queued", "В очереди"),
        Running => ("running", "Выполняется"),
        Done => ("done", "Завершено"),
        Failed => ("failed", "Прервано из-за ошибки"),
    }
}

impl DraftJobStatus {
    pub fn finished(self) -> bool {
        matches!(self, DraftJobStatus::Done | DraftJobStatus::Failed)
    }
}

/// A teacher whose draft was not made, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftFailure {
    pub teacher_id: Uuid,
    pub teacher_name: String,
    pub reason: String,
}

/// A drafting job and its progress: `done` of `total` teachers handled so far — `created`
/// drafts, `skipped` teachers who already have a route from this campaign, `failed` ones with
/// their reasons.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteDraftJobDto {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub status: DraftJobStatus,
    pub selection: crate::drafting::DraftSelection,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub title: String,
    pub track: Option<String>,
    pub total: u64,
    pub done: u64,
    pub created: u64,
    pub skipped: u64,
    pub failed: u64,
    /// The failures (the first 500).
    pub failures: Vec<DraftFailure>,
    pub started_by: PersonRef,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}
