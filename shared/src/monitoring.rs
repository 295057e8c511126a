//! The route dashboard's rules: the phases a route passes through, which step counts as waiting
//! on someone and when it is stalled, the stage a status belongs to for timing, rates, and the
//! median and 90th percentile of times spent. Pure and unit-tested; the server counts with them
//! and the SPA labels with them.

use chrono::{DateTime, Utc};

use crate::route::{RouteStatus, Stage};

/// How many days a route may wait in one step of the workflow (for someone to agree, approve,
/// start, evaluate or complete it, or for the teacher to rework it) before the dashboard counts
/// it as stalled, in a region whose policy turned escalation off (otherwise the policy's
/// `escalate_after_days` counts).
pub const DEFAULT_MAX_DAYS_PER_STEP: u32 = 14;

domain_enum! {
    /// A coarse grouping of statuses for bars stacked per unit.
    pub enum RoutePhase {
        Design => ("design", "Разработка и согласование"),
        Implementation => ("implementation", "Реализация"),
        Expertise => ("expertise", "Экспертиза и оценка"),
        Completed => ("completed", "Завершён"),
        Withdrawn => ("withdrawn", "Отозван"),
    }
}

/// The phase a status belongs to.
pub const fn phase_of(status: RouteStatus) -> RoutePhase {
    use RouteStatus::*;
    match status {
        Draft | Submitted | Returned | TutorAgreed | Agreed => RoutePhase::Design,
        Approved | InProgress => RoutePhase::Implementation,
        ProductSubmitted | Evaluated => RoutePhase::Expertise,
        Completed => RoutePhase::Completed,
        Withdrawn => RoutePhase::Withdrawn,
    }
}

/// Whether a route in `status` waits for someone to take the next step: an approver, the teacher
/// reworking a returned route or starting an approved one, the expert, the one who completes.
/// A draft is the teacher's own work and a route in progress runs for its period: neither waits.
pub const fn waits_for_a_step(status: RouteStatus) -> bool {
    use RouteStatus::*;
    matches!(
        status,
        Submitted | Returned | TutorAgreed | Agreed | Approved | ProductSubmitted | Evaluated
    )
}

/// Whether a route that entered `status` at `since` is stalled at `now`: it waits for a step
/// and has waited longer than `max_days` whole days.
pub fn is_stalled(
    status: RouteStatus,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    max_days: u32,
) -> bool {
    waits_for_a_step(status) && (now - since) > chrono::Duration::days(i64::from(max_days))
}

/// The stage a status stands for when time spent per stage is measured from status changes.
/// Writing and agreeing the route (draft to agreed) is the design stage: the preparatory and
/// diagnostic stages happen inside the draft and leave no status change of their own. Final
/// statuses are not a stage one spends time in.
pub const fn timed_stage(status: RouteStatus) -> Option<Stage> {
    use RouteStatus::*;
    match status {
        Draft | Submitted | Returned | TutorAgreed | Agreed => Some(Stage::Design),
        Approved | InProgress => Some(Stage::Implementation),
        ProductSubmitted | Evaluated => Some(Stage::ReflectiveAnalytical),
        Completed | Withdrawn => None,
    }
}

/// Days a route spent in each stage it has left, from its creation (as a draft) and its status
/// changes in time order. A stage visited twice (an extension goes back to agreement) counts
/// once with both visits added. The stage the route is in now is not counted: it is not over.
pub fn days_per_stage(
    created: DateTime<Utc>,
    changes: &[(DateTime<Utc>, RouteStatus)],
) -> Vec<(Stage, f64)> {
    let mut out: Vec<(Stage, f64)> = Vec::new();
    let mut status = RouteStatus::Draft;
    let mut since = created;
    for (at, next) in changes {
        if timed_stage(*next) != timed_stage(status)
            && let Some(stage) = timed_stage(status)
        {
            let days = (*at - since).num_seconds().max(0) as f64 / 86_400.0;
            match out.iter_mut().find(|(s, _)| *s == stage) {
                Some((_, d)) => *d += days,
                None => out.push((stage, days)),
            }
        }
        if timed_stage(*next) != timed_stage(status) {
            since = *at;
        }
        status = *next;
    }
    out
}

/// A share: `part` of `whole`, with the percentage when there is a whole to take it of.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    pub part: u64,
    pub whole: u64,
    /// 0–100, one decimal; absent when `whole` is 0.
    pub percent: Option<f64>,
}

impl Rate {
    pub fn of(part: u64, whole: u64) -> Rate {
        let percent = (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0);
        Rate {
            part,
            whole,
            percent,
        }
    }
}

/// The `q`-quantile (0 to 1) of `values`, interpolated linearly between the closest ranks (as
/// spreadsheets' PERCENTILE does); `None` for no values.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    Some(v[lo] + (v[hi] - v[lo]) * frac)
}

pub fn median(values: &[f64]) -> Option<f64> {
    quantile(values, 0.5)
}

pub fn p90(values: &[f64]) -> Option<f64> {
    quantile(values, 0.9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 9, d, 0, 0, 0).unwrap()
    }

    #[test]
    fn every_status_has_one_phase_and_finals_have_their_own() {
        for s in RouteStatus::ALL {
            let p = phase_of(*s);
            assert_eq!(
                s.is_final(),
                matches!(p, RoutePhase::Completed | RoutePhase::Withdrawn),
                "{s}"
            );
        }
        assert_eq!(phase_of(RouteStatus::Returned), RoutePhase::Design);
        assert_eq!(phase_of(RouteStatus::Evaluated), RoutePhase::Expertise);
    }

    #[test]
    fn a_route_waiting_for_a_step_longer_than_allowed_is_stalled() {
        let since = day(1);
        assert!(!is_stalled(RouteStatus::Submitted, since, day(15), 14));
        assert!(is_stalled(
            RouteStatus::Submitted,
            since,
            day(15) + chrono::Duration::seconds(1),
            14
        ));
        assert!(is_stalled(
            RouteStatus::ProductSubmitted,
            since,
            day(30),
            14
        ));
    }

    #[test]
    fn drafts_routes_in_progress_and_finished_ones_are_never_stalled() {
        for s in [
            RouteStatus::Draft,
            RouteStatus::InProgress,
            RouteStatus::Completed,
            RouteStatus::Withdrawn,
        ] {
            assert!(!is_stalled(s, day(1), day(30), 14), "{s}");
        }
    }

    #[test]
    fn time_per_stage_counts_only_stages_left_and_adds_repeated_visits() {
        use RouteStatus::*;
        let changes = [
            (day(3), Submitted),
            (day(4), TutorAgreed),
            (day(5), Agreed),
            (day(6), Approved),
            (day(8), InProgress),
            // An extension: agreed again, then back to implementation.
            (day(18), Submitted),
            (day(20), Agreed),
            (day(21), Approved),
            (day(22), InProgress),
            (day(28), ProductSubmitted),
        ];
        let got = days_per_stage(day(1), &changes);
        assert_eq!(
            got,
            vec![
                (Stage::Design, 5.0 + 3.0),
                (Stage::Implementation, 12.0 + 7.0),
            ]
        );
    }

    #[test]
    fn a_fresh_draft_has_spent_no_finished_time_anywhere() {
        assert!(days_per_stage(day(1), &[]).is_empty());
        let withdrawn = days_per_stage(day(1), &[(day(11), RouteStatus::Withdrawn)]);
        assert_eq!(withdrawn, vec![(Stage::Design, 10.0)]);
    }

    #[test]
    fn rates_round_to_a_tenth_and_have_no_percent_of_nothing() {
        assert_eq!(Rate::of(1, 3).percent, Some(33.3));
        assert_eq!(Rate::of(2, 3).percent, Some(66.7));
        assert_eq!(Rate::of(0, 0).percent, None);
        assert_eq!(Rate::of(4, 4).percent, Some(100.0));
    }

    #[test]
    fn median_and_p90_interpolate_between_ranks() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[4.0, 2.0]), Some(3.0));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        let p = p90(&ten).unwrap();
        assert!((p - 9.1).abs() < 1e-9, "{p}");
        let p = p90(&[2.0, 4.0]).unwrap();
        assert!((p - 3.8).abs() < 1e-9, "{p}");
    }
}
