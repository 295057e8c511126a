//! Rules of diagnostics: a score's level, which results are deficits, and the dynamics between
//! an entry and a final diagnostic. Pure, so the SPA shows exactly what the server decides.

use crate::levels::{CompetencyLevel, DiagnosticKind};

/// A competency's score ranges: scores up to `low_max` are low, up to `medium_max` medium,
/// above that high. Either bound may be absent (then scores do not decide that boundary).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreRanges {
    pub low_max: Option<f64>,
    pub medium_max: Option<f64>,
}

impl ScoreRanges {
    /// The level a score means, when the ranges say.
    pub fn level_of(&self, score: f64) -> Option<CompetencyLevel> {
        match (self.low_max, self.medium_max) {
            (Some(low), _) if score <= low => Some(CompetencyLevel::Low),
            (_, Some(medium)) if score <= medium => Some(CompetencyLevel::Medium),
            (_, Some(_)) => Some(CompetencyLevel::High),
            // Only the low bound: above it we cannot tell medium from high.
            (Some(_), None) => None,
            (None, None) => None,
        }
    }

    /// The ranges make sense: bounds not negative and in order.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.low_max.is_some_and(|v| !v.is_finite() || v < 0.0)
            || self.medium_max.is_some_and(|v| !v.is_finite() || v < 0.0)
        {
            return Err("Границы баллов должны быть неотрицательными числами.");
        }
        if let (Some(l), Some(m)) = (self.low_max, self.medium_max)
            && l >= m
        {
            return Err("Граница низкого уровня должна быть меньше границы среднего.");
        }
        Ok(())
    }
}

/// The largest score accepted anywhere (scores are points or percentages).
pub const MAX_SCORE: f64 = 1000.0;

/// A result's level: the one given, else the one its score means. `Err` when neither tells,
/// or the given level contradicts nothing (a level always wins over a score: people correct
/// automatic levels by hand).
pub fn resolve_level(
    given: Option<CompetencyLevel>,
    score: Option<f64>,
    ranges: &ScoreRanges,
) -> Result<CompetencyLevel, &'static str> {
    if let Some(s) = score
        && !(0.0..=MAX_SCORE).contains(&s)
    {
        return Err("Балл должен быть числом от 0 до 1000.");
    }
    if let Some(l) = given {
        return Ok(l);
    }
    match score {
        Some(s) => ranges
            .level_of(s)
            .ok_or("Для этой компетенции не заданы границы баллов: укажите уровень."),
        None => Err("Укажите уровень или балл."),
    }
}

/// Which results of a framework are professional deficits.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeficitRule {
    /// Results at these levels are deficits (usually just `low`).
    #[serde(default)]
    pub levels: Vec<CompetencyLevel>,
    /// …and so are results scored under this threshold, whatever their level.
    #[serde(default)]
    pub score_below: Option<f64>,
}

impl Default for DeficitRule {
    fn default() -> Self {
        Self {
            levels: vec![CompetencyLevel::Low],
            score_below: None,
        }
    }
}

impl DeficitRule {
    /// Reads a stored rule; anything unreadable or empty means the default («низкий уровень»).
    pub fn parse(json: &str) -> Self {
        serde_json::from_str::<Self>(json)
            .ok()
            .filter(|r| !r.levels.is_empty() || r.score_below.is_some())
            .unwrap_or_default()
    }

    pub fn is_deficit(&self, level: CompetencyLevel, score: Option<f64>) -> bool {
        self.levels.contains(&level)
            || self
                .score_below
                .is_some_and(|t| score.is_some_and(|s| s < t))
    }

    pub fn check(&self) -> Result<(), &'static str> {
        if self.levels.is_empty() && self.score_below.is_none() {
            return Err("Правило дефицита должно называть уровни или порог балла.");
        }
        if self.levels.contains(&CompetencyLevel::High) {
            return Err("Высокий уровень не может быть дефицитом.");
        }
        if self
            .score_below
            .is_some_and(|t| !t.is_finite() || !(0.0..=MAX_SCORE).contains(&t))
        {
            return Err("Порог балла должен быть числом от 0 до 1000.");
        }
        Ok(())
    }

    /// The rule as a person reads it.
    pub fn describe_ru(&self) -> String {
        let mut parts = Vec::new();
        if !self.levels.is_empty() {
            let levels: Vec<String> = self
                .levels
                .iter()
                .map(|l| l.title_ru().to_lowercase())
                .collect();
            parts.push(format!("уровень {}", levels.join(" или ")));
        }
        if let Some(t) = self.score_below {
            parts.push(format!("балл ниже {t}"));
        }
        parts.join(" или ")
    }
}

domain_enum! {
    /// How a competency changed between the entry and the final diagnostic.
    pub enum Trend {
        Improved => ("improved", "Положительная"),
        Same => ("same", "Без изменений"),
        Worse => ("worse", "Отрицательная"),
    }
}

/// The trend between two results of one competency: by level, and by score when the level
/// stayed and both were scored.
pub fn trend(
    entry: CompetencyLevel,
    entry_score: Option<f64>,
    last: CompetencyLevel,
    last_score: Option<f64>,
) -> Trend {
    use std::cmp::Ordering::*;
    match last.rank().cmp(&entry.rank()) {
        Greater => Trend::Improved,
        Less => Trend::Worse,
        Equal => match (entry_score, last_score) {
            (Some(a), Some(b)) if b > a => Trend::Improved,
            (Some(a), Some(b)) if b < a => Trend::Worse,
            _ => Trend::Same,
        },
    }
}

/// Whether a deficit was eliminated: the final diagnostic no longer finds it. `None` when the
/// competency was not assessed at the end.
pub fn deficit_eliminated(
    rule: &DeficitRule,
    last: Option<(CompetencyLevel, Option<f64>)>,
) -> Option<bool> {
    last.map(|(level, score)| !rule.is_deficit(level, score))
}

/// Positive dynamics, the route's completion criterion (regulation 1.12): something improved,
/// nothing got worse.
pub fn positive_dynamics(trends: &[Trend]) -> bool {
    trends.contains(&Trend::Improved) && !trends.contains(&Trend::Worse)
}

/// Self-assessment stands apart: it never serves as an independent entry or final diagnostic.
pub const fn is_independent(kind: DiagnosticKind) -> bool {
    !matches!(kind, DiagnosticKind::SelfAssessment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CompetencyLevel::*;

    const RANGES: ScoreRanges = ScoreRanges {
        low_max: Some(49.0),
        medium_max: Some(79.0),
    };

    #[test]
    fn scores_map_to_levels_by_the_ranges_with_bounds_inclusive() {
        assert_eq!(RANGES.level_of(0.0), Some(Low));
        assert_eq!(RANGES.level_of(49.0), Some(Low));
        assert_eq!(RANGES.level_of(49.5), Some(Medium));
        assert_eq!(RANGES.level_of(79.0), Some(Medium));
        assert_eq!(RANGES.level_of(100.0), Some(High));
        assert_eq!(ScoreRanges::default().level_of(10.0), None);
        let low_only = ScoreRanges {
            low_max: Some(30.0),
            medium_max: None,
        };
        assert_eq!(low_only.level_of(10.0), Some(Low));
        assert_eq!(low_only.level_of(60.0), None);
    }

    #[test]
    fn ranges_out_of_order_are_refused() {
        assert!(RANGES.check().is_ok());
        let bad = ScoreRanges {
            low_max: Some(80.0),
            medium_max: Some(50.0),
        };
        assert!(bad.check().is_err());
        let negative = ScoreRanges {
            low_max: Some(-1.0),
            medium_max: None,
        };
        assert!(negative.check().is_err());
    }

    #[test]
    fn a_given_level_wins_and_a_score_alone_is_mapped() {
        assert_eq!(resolve_level(Some(High), Some(10.0), &RANGES), Ok(High));
        assert_eq!(resolve_level(None, Some(60.0), &RANGES), Ok(Medium));
        assert!(resolve_level(None, None, &RANGES).is_err());
        assert!(resolve_level(None, Some(60.0), &ScoreRanges::default()).is_err());
        assert!(resolve_level(Some(Low), Some(1500.0), &RANGES).is_err());
        assert!(resolve_level(Some(Low), Some(-3.0), &RANGES).is_err());
    }

    #[test]
    fn the_deficit_rule_takes_levels_or_a_threshold() {
        let rule = DeficitRule::default();
        assert!(rule.is_deficit(Low, None));
        assert!(!rule.is_deficit(Medium, Some(10.0)));
        let threshold = DeficitRule {
            levels: vec![Low],
            score_below: Some(60.0),
        };
        assert!(threshold.is_deficit(Medium, Some(55.0)));
        assert!(!threshold.is_deficit(Medium, Some(65.0)));
        assert!(!threshold.is_deficit(Medium, None));
        assert_eq!(threshold.describe_ru(), "уровень низкий или балл ниже 60");
    }

    #[test]
    fn stored_rules_are_read_leniently_and_checked_strictly() {
        assert_eq!(DeficitRule::parse("{}"), DeficitRule::default());
        assert_eq!(DeficitRule::parse("not json"), DeficitRule::default());
        let r = DeficitRule::parse(r#"{"levels":["low","medium"]}"#);
        assert_eq!(r.levels, vec![Low, Medium]);
        assert!(
            DeficitRule {
                levels: vec![High],
                score_below: None
            }
            .check()
            .is_err()
        );
        assert!(
            DeficitRule {
                levels: vec![],
                score_below: None
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn trends_compare_levels_then_scores() {
        assert_eq!(trend(Low, None, Medium, None), Trend::Improved);
        assert_eq!(trend(High, None, Medium, None), Trend::Worse);
        assert_eq!(trend(Medium, None, Medium, None), Trend::Same);
        assert_eq!(
            trend(Medium, Some(55.0), Medium, Some(70.0)),
            Trend::Improved
        );
        assert_eq!(trend(Medium, Some(70.0), Medium, Some(55.0)), Trend::Worse);
        assert_eq!(trend(Low, Some(90.0), Medium, Some(10.0)), Trend::Improved);
    }

    #[test]
    fn a_deficit_is_eliminated_when_the_final_result_is_no_longer_one() {
        let rule = DeficitRule::default();
        assert_eq!(deficit_eliminated(&rule, Some((Medium, None))), Some(true));
        assert_eq!(deficit_eliminated(&rule, Some((Low, None))), Some(false));
        assert_eq!(deficit_eliminated(&rule, None), None);
    }

    #[test]
    fn positive_dynamics_needs_growth_and_no_decline() {
        use Trend::*;
        assert!(positive_dynamics(&[Improved, Same]));
        assert!(!positive_dynamics(&[Improved, Worse]));
        assert!(!positive_dynamics(&[Same, Same]));
        assert!(!positive_dynamics(&[]));
        assert!(!is_independent(DiagnosticKind::SelfAssessment));
        assert!(is_independent(DiagnosticKind::Entry));
    }
}
