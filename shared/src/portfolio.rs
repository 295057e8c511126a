//! The teacher's attestation portfolio: what the platform already knows of a teacher's
//! professional development, arranged the way attestation commissions read it — a section per
//! criterion, and the hours of further training summed per academic year, over the last three
//! years (the training clock, [`crate::attestation`]) and over the period between attestations
//! (five years).
//!
//! The teacher picks the items to include; a selection names them by key (`route:<uuid>`),
//! comma-separated, and is refused when it is malformed or names something that is not theirs.

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use crate::attestation::{CATEGORY_YEARS, TRAINING_YEARS, Training, hours_within};

domain_enum! {
    /// A section of the portfolio: one criterion of the attestation commission.
    pub enum PortfolioSection {
        /// Completed individual routes with their conclusions, dynamics and certificates.
        Development => ("development", "Профессиональное развитие по индивидуальным образовательным маршрутам"),
        /// Events attended, with hours and participants' certificates.
        Training => ("training", "Повышение квалификации и участие в мероприятиях"),
        /// Methodological products of completed routes that passed the expert evaluation.
        Products => ("products", "Методические продукты, прошедшие экспертизу"),
        /// Public final events of routes: the experience shared with colleagues.
        Sharing => ("sharing", "Транслирование опыта практических результатов профессиональной деятельности"),
        /// Mentoring received and given.
        Mentoring => ("mentoring", "Наставничество"),
    }
}

domain_enum! {
    /// What an item of the portfolio is.
    pub enum PortfolioItemKind {
        Route => ("route", "Индивидуальный образовательный маршрут"),
        Certificate => ("certificate", "Свидетельство о прохождении ИОМ"),
        Event => ("event", "Мероприятие"),
        Product => ("product", "Методический продукт"),
        PublicEvent => ("public_event", "Публичное мероприятие"),
        MentoringReceived => ("mentoring_received", "Наставничество (получено)"),
        MentoringGiven => ("mentoring_given", "Наставничество (осуществлено)"),
    }
}

impl PortfolioItemKind {
    /// The criterion the item documents.
    pub const fn section(self) -> PortfolioSection {
        match self {
            PortfolioItemKind::Route | PortfolioItemKind::Certificate => {
                PortfolioSection::Development
            }
            PortfolioItemKind::Event => PortfolioSection::Training,
            PortfolioItemKind::Product => PortfolioSection::Products,
            PortfolioItemKind::PublicEvent => PortfolioSection::Sharing,
            PortfolioItemKind::MentoringReceived | PortfolioItemKind::MentoringGiven => {
                PortfolioSection::Mentoring
            }
        }
    }
}

impl PortfolioSection {
    /// The numbered heading printed in the documents («1. …»).
    pub fn heading(self, number: usize) -> String {
        format!("{number}. {}", self.title_ru())
    }
}

/// An item of the portfolio, by what it is and the id of the record it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemKey {
    pub kind: PortfolioItemKind,
    pub id: Uuid,
}

impl ItemKey {
    pub const fn new(kind: PortfolioItemKind, id: Uuid) -> Self {
        Self { kind, id }
    }
}

impl std::fmt::Display for ItemKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.id)
    }
}

impl std::str::FromStr for ItemKey {
    type Err = SelectionError;

    /// Exactly `kind:uuid`, the id in lowercase with hyphens — what [`SELECTION_PATTERN`]
    /// describes, and nothing it does not.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || SelectionError::Malformed(s.chars().take(80).collect());
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        let id = Uuid::parse_str(id)
            .ok()
            .filter(|u| u.hyphenated().to_string() == id)
            .ok_or_else(bad)?;
        Ok(Self {
            kind: kind.parse().map_err(|_| bad())?,
            id,
        })
    }
}

/// The longest selection, in characters (about 150 keys: more than any portfolio holds, and
/// short enough for an address).
pub const MAX_SELECTION_CHARS: usize = 8000;

/// A selection as a regular expression (the API document states it; [`parse_selection`]
/// accepts exactly these).
pub const SELECTION_PATTERN: &str = "^(route|certificate|event|product|public_event|mentoring_received|mentoring_given):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(,(route|certificate|event|product|public_event|mentoring_received|mentoring_given):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})*$";

/// Why a selection is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectionError {
    /// Not a list of `kind:uuid` keys (the request is malformed: 400).
    Malformed(String),
    /// Longer than any portfolio's selection (400).
    TooMany,
    /// Nothing selected (422).
    Empty,
    /// Keys of items this portfolio does not hold (422).
    Unknown(Vec<ItemKey>),
}

impl SelectionError {
    /// Whether the request itself is malformed (400) rather than unprocessable (422).
    pub fn is_malformed(&self) -> bool {
        matches!(self, SelectionError::Malformed(_) | SelectionError::TooMany)
    }
}

impl std::fmt::Display for SelectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SelectionError::Malformed(k) => write!(
                f,
                "Параметр items — ключи пунктов портфолио через запятую (вид:идентификатор); не понят «{k}»."
            ),
            SelectionError::TooMany => write!(
                f,
                "Параметр items — не длиннее {MAX_SELECTION_CHARS} символов."
            ),
            SelectionError::Empty => f.write_str("Выберите хотя бы один пункт портфолио."),
            SelectionError::Unknown(keys) => write!(
                f,
                "В портфолио нет пунктов: {}.",
                keys.iter()
                    .take(5)
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl std::error::Error for SelectionError {}

/// Parses a selection (`?items=`): keys separated by commas, repeats counted once, in order.
pub fn parse_selection(raw: &str) -> Result<Vec<ItemKey>, SelectionError> {
    if raw.len() > MAX_SELECTION_CHARS {
        return Err(SelectionError::TooMany);
    }
    if raw.is_empty() {
        return Err(SelectionError::Empty);
    }
    let mut out: Vec<ItemKey> = Vec::new();
    for part in raw.split(',') {
        let key: ItemKey = part.parse()?;
        if !out.contains(&key) {
            out.push(key);
        }
    }
    Ok(out)
}

/// The keys of `selection` that the portfolio holding `available` may include; any other key
/// refuses the whole selection.
pub fn check_selection(
    selection: &[ItemKey],
    available: &[ItemKey],
) -> Result<std::collections::BTreeSet<ItemKey>, SelectionError> {
    let unknown: Vec<ItemKey> = selection
        .iter()
        .filter(|k| !available.contains(k))
        .copied()
        .collect();
    if unknown.is_empty() {
        Ok(selection.iter().copied().collect())
    } else {
        Err(SelectionError::Unknown(unknown))
    }
}

/// The academic year (1 September to 31 August) that `d` falls in, by its first calendar year.
pub fn academic_year(d: NaiveDate) -> i32 {
    if d.month() >= 9 {
        d.year()
    } else {
        d.year() - 1
    }
}

/// «2025/2026 уч. г.»
pub fn academic_year_label(first: i32) -> String {
    format!("{first}/{} уч. г.", first + 1)
}

/// Hours of further training in one academic year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearHours {
    pub year: i32,
    pub hours: f64,
    /// Programmes of 16 hours or more finished that year.
    pub courses: usize,
}

/// Hours of further training per period, as the commission reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct HoursSummary {
    /// Each academic year of the period between attestations, newest first (years without
    /// training included, so a gap shows).
    pub years: Vec<YearHours>,
    /// The last three years: the training clock's period (the same sum as the clock's).
    pub last_training_period: f64,
    /// The last five years: the period between attestations.
    pub attestation_period: f64,
}

/// Sums `trainings` per academic year of the last five years and over both periods, on `today`.
pub fn hours_summary(today: NaiveDate, trainings: &[Training]) -> HoursSummary {
    let since = today
        .checked_sub_months(chrono::Months::new(CATEGORY_YEARS * 12))
        .unwrap_or(NaiveDate::MIN);
    let in_period: Vec<&Training> = trainings
        .iter()
        .filter(|t| t.finished_on > since && t.finished_on <= today)
        .collect();
    let first = academic_year(since.succ_opt().unwrap_or(since));
    let last = academic_year(today);
    let years = (first..=last)
        .rev()
        .map(|year| {
            let of_year = in_period
                .iter()
                .filter(|t| academic_year(t.finished_on) == year);
            YearHours {
                year,
                hours: of_year.clone().fold(0.0, |sum, t| sum + t.hours),
                courses: of_year.filter(|t| t.counts()).count(),
            }
        })
        .collect();
    HoursSummary {
        years,
        last_training_period: hours_within(today, TRAINING_YEARS, trainings),
        attestation_period: hours_within(today, CATEGORY_YEARS, trainings),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attestation::{TrainingSource, clock};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn course(on: NaiveDate, hours: f64) -> Training {
        Training {
            title: "КПК".into(),
            finished_on: on,
            hours,
            source: TrainingSource::Catalogue,
        }
    }

    #[test]
    fn every_kind_of_item_belongs_to_one_criterion_and_every_criterion_has_items() {
        for s in PortfolioSection::ALL {
            assert!(
                PortfolioItemKind::ALL.iter().any(|k| k.section() == *s),
                "{s:?}"
            );
        }
        assert_eq!(
            PortfolioItemKind::Certificate.section(),
            PortfolioSection::Development
        );
        assert_eq!(PortfolioSection::Mentoring.heading(5), "5. Наставничество");
    }

    #[test]
    fn keys_read_back_as_written() {
        let k = ItemKey::new(PortfolioItemKind::PublicEvent, Uuid::from_u128(7));
        assert_eq!(
            k.to_string(),
            format!("public_event:{}", Uuid::from_u128(7))
        );
        assert_eq!(k.to_string().parse::<ItemKey>(), Ok(k));
    }

    #[test]
    fn a_selection_is_comma_separated_keys_counted_once() {
        let a = ItemKey::new(PortfolioItemKind::Route, Uuid::from_u128(1));
        let b = ItemKey::new(PortfolioItemKind::Event, Uuid::from_u128(2));
        assert_eq!(parse_selection(&format!("{a},{b},{a}")), Ok(vec![a, b]));
    }

    #[test]
    fn malformed_selections_are_refused_as_bad_requests() {
        let id = "00000000-0000-0000-0000-00000000000a";
        for raw in [
            "route".to_owned(),
            "route:nope".to_owned(),
            format!("planet:{id}"),
            id.to_owned(),
            format!("route:{}", id.to_uppercase()),
            format!("route:{}", id.replace('-', "")),
            format!(" route:{id}"),
            format!("route:{id},"),
            ",,".to_owned(),
        ] {
            let e = parse_selection(&raw).unwrap_err();
            assert!(e.is_malformed(), "{raw}: {e:?}");
        }
        let many = vec![format!("route:{id}"); MAX_SELECTION_CHARS / 40].join(",");
        assert_eq!(parse_selection(&many), Err(SelectionError::TooMany));
    }

    #[test]
    fn the_pattern_names_every_kind_of_item() {
        for k in PortfolioItemKind::ALL {
            assert!(
                SELECTION_PATTERN.contains(&format!("|{}", k.as_str()))
                    || SELECTION_PATTERN.contains(&format!("({}", k.as_str())),
                "{k:?}"
            );
        }
    }

    #[test]
    fn an_empty_selection_or_someone_elses_item_is_unprocessable() {
        assert_eq!(parse_selection(""), Err(SelectionError::Empty));
        assert!(!SelectionError::Empty.is_malformed());
        let mine = ItemKey::new(PortfolioItemKind::Route, Uuid::from_u128(1));
        let theirs = ItemKey::new(PortfolioItemKind::Route, Uuid::from_u128(2));
        assert_eq!(
            check_selection(&[mine, theirs], &[mine]),
            Err(SelectionError::Unknown(vec![theirs]))
        );
        assert_eq!(check_selection(&[mine], &[mine]).unwrap().len(), 1);
    }

    #[test]
    fn academic_years_begin_in_september() {
        assert_eq!(academic_year(d(2026, 8, 31)), 2025);
        assert_eq!(academic_year(d(2026, 9, 1)), 2026);
        assert_eq!(academic_year_label(2026), "2026/2027 уч. г.");
    }

    #[test]
    fn hours_are_summed_per_academic_year_and_per_period_as_the_clock_counts_them() {
        let today = d(2026, 12, 7);
        let trainings = [
            course(d(2026, 10, 16), 36.0),
            course(d(2026, 3, 1), 6.0),
            course(d(2025, 4, 10), 72.0),
            course(d(2023, 2, 1), 24.0),
            // Older than five years: outside both periods.
            course(d(2021, 5, 1), 100.0),
            // Not finished yet.
            course(d(2027, 1, 20), 18.0),
        ];
        let s = hours_summary(today, &trainings);
        let years: Vec<(i32, f64, usize)> = s
            .years
            .iter()
            .map(|y| (y.year, y.hours, y.courses))
            .collect();
        assert_eq!(
            years,
            vec![
                (2026, 36.0, 1),
                (2025, 6.0, 0),
                (2024, 72.0, 1),
                (2023, 0.0, 0),
                (2022, 24.0, 1),
                (2021, 0.0, 0),
            ]
        );
        assert_eq!(s.last_training_period, 114.0);
        assert_eq!(
            s.last_training_period,
            clock(today, None, &trainings).hours_in_period
        );
        assert_eq!(s.attestation_period, 138.0);
        // A year without training is +0, not -0 (an empty float sum).
        assert!(s.years[3].hours.is_sign_positive());
        assert!(
            hours_summary(today, &[])
                .last_training_period
                .is_sign_positive()
        );
        assert_eq!(
            s.years.iter().map(|y| y.hours).sum::<f64>(),
            s.attestation_period
        );
    }
}
