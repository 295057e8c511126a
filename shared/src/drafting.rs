//! Drafting routes in bulk from a diagnostic campaign («ИОМП, разработанный менеджером»): the
//! ЦНППМ manager selects teachers, and each gets a draft route prefilled with the campaign's
//! results and deficits, one task per deficit and the catalogue's events that address them
//! inside the route's period. The teacher (with the tutor) then edits and submits it as usual.
//!
//! The rules here are pure: who is selected, the texts a draft starts with, which events fit.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::catalogue::Ranked;

/// The most teachers one drafting job takes (a hand-picked list, or a unit's teachers).
pub const MAX_TEACHERS: usize = 50_000;

/// Activities a draft gets per deficit at most (events covering several deficits count once).
pub const EVENTS_PER_DEFICIT: usize = 2;

/// Activities a draft gets at most, whatever the number of deficits.
pub const MAX_ACTIVITIES: usize = 12;

/// Whom a drafting job drafts for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DraftSelection {
    /// Everyone the campaign found a deficit in.
    All,
    /// Those of them working in a unit (a municipality, a district, a school).
    Unit { unit_id: Uuid },
    /// A hand-picked list of teachers.
    Teachers { teacher_ids: Vec<Uuid> },
}

impl DraftSelection {
    /// The selection cleaned: a list without repeats, in the order given; an empty or too long
    /// list is refused with the message to show.
    pub fn clean(self) -> Result<DraftSelection, String> {
        match self {
            DraftSelection::Teachers { teacher_ids } => {
                let mut seen = std::collections::HashSet::new();
                let ids: Vec<Uuid> = teacher_ids
                    .into_iter()
                    .filter(|id| seen.insert(*id))
                    .collect();
                if ids.is_empty() {
                    return Err("Выберите хотя бы одного педагога.".into());
                }
                if ids.len() > MAX_TEACHERS {
                    return Err(format!(
                        "За один раз можно подготовить не более {MAX_TEACHERS} черновиков."
                    ));
                }
                Ok(DraftSelection::Teachers { teacher_ids: ids })
            }
            other => Ok(other),
        }
    }

    /// How the selection reads in the job's summary.
    pub fn title_ru(&self) -> String {
        match self {
            DraftSelection::All => "все педагоги с дефицитами".into(),
            DraftSelection::Unit { .. } => "педагоги с дефицитами в организации".into(),
            DraftSelection::Teachers { teacher_ids } => {
                format!("выбранные педагоги ({})", teacher_ids.len())
            }
        }
    }
}

/// The title of a drafted route: the manager's pattern with `{диагностика}` (or `{campaign}`)
/// replaced by the campaign's name, or a title naming the campaign.
pub fn draft_title(pattern: Option<&str>, campaign: &str) -> String {
    let title = match pattern.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => p
            .replace("{диагностика}", campaign)
            .replace("{campaign}", campaign),
        None => format!("ИОМ по итогам диагностики «{campaign}»"),
    };
    title.chars().take(300).collect()
}

/// The development task a draft sets against a deficit in a competency: its title and
/// description, to be refined by the teacher with the tutor.
pub fn task_for_deficit(code: &str, name: &str, campaign: &str) -> (String, String) {
    let title = format!("Развить компетенцию «{}» ({code})", name.trim());
    let description = format!(
        "Поставлена по дефициту, выявленному диагностикой «{campaign}». Уточните задачу вместе с тьютором: что именно освоить и как это будет видно."
    );
    (title.chars().take(500).collect(), description)
}

/// Whether an event's dates lie inside the route's period.
pub fn fits_period(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    period: (NaiveDate, NaiveDate),
) -> bool {
    starts_on >= period.0 && ends_on <= period.1 && starts_on <= ends_on
}

/// The events a draft's roadmap takes, from the ranked list for its deficits (best first):
/// only those inside the period, each deficit covered by at most [`EVENTS_PER_DEFICIT`] of
/// them, and no more than [`MAX_ACTIVITIES`]; an event that adds nothing uncovered is left out.
pub fn pick_events(ranked: &[Ranked]) -> Vec<&Ranked> {
    let mut covered: std::collections::HashMap<Uuid, usize> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for r in ranked.iter().filter(|r| r.in_period) {
        if out.len() >= MAX_ACTIVITIES {
            break;
        }
        let adds = r
            .covers
            .iter()
            .any(|d| covered.get(d).copied().unwrap_or(0) < EVENTS_PER_DEFICIT);
        if !adds {
            continue;
        }
        for d in &r.covers {
            *covered.entry(*d).or_default() += 1;
        }
        out.push(r);
    }
    out
}

/// The share of the job done, 0–100.
pub fn percent(done: u64, total: u64) -> u8 {
    if total == 0 {
        return 100;
    }
    u8::try_from((done.min(total) * 100) / total).unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Proximity;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn id() -> Uuid {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Uuid::from_u128(u128::from(NEXT.fetch_add(1, Ordering::Relaxed)))
    }

    fn ranked(covers: &[Uuid], in_period: bool) -> Ranked {
        Ranked {
            event_id: id(),
            covers: covers.to_vec(),
            proximity: Proximity::Region,
            has_seats: true,
            in_period,
            score: 0,
        }
    }

    #[test]
    fn a_hand_picked_list_loses_repeats_and_may_not_be_empty() {
        let a = id();
        let b = id();
        let s = DraftSelection::Teachers {
            teacher_ids: vec![a, b, a],
        }
        .clean();
        assert_eq!(
            s,
            Ok(DraftSelection::Teachers {
                teacher_ids: vec![a, b]
            })
        );
        assert!(
            DraftSelection::Teachers {
                teacher_ids: vec![]
            }
            .clean()
            .is_err()
        );
        assert_eq!(DraftSelection::All.clean(), Ok(DraftSelection::All));
    }

    #[test]
    fn a_selection_reads_as_json_with_its_kind() {
        let s: DraftSelection = serde_json::from_str(
            r#"{"kind":"unit","unit_id":"00000000-0000-0000-0000-000000000001"}"#,
        )
        .unwrap_or(DraftSelection::All);
        assert!(matches!(s, DraftSelection::Unit { .. }));
        let all: Result<DraftSelection, _> = serde_json::from_str(r#"{"kind":"all"}"#);
        assert_eq!(all.ok(), Some(DraftSelection::All));
    }

    #[test]
    fn the_title_names_the_campaign_or_follows_the_pattern() {
        assert_eq!(
            draft_title(None, "Входная 2026"),
            "ИОМ по итогам диагностики «Входная 2026»"
        );
        assert_eq!(
            draft_title(Some("  "), "Входная 2026"),
            "ИОМ по итогам диагностики «Входная 2026»"
        );
        assert_eq!(
            draft_title(Some("ИОМ 2026/27: {диагностика}"), "Входная"),
            "ИОМ 2026/27: Входная"
        );
    }

    #[test]
    fn a_task_names_the_competency_and_the_campaign() {
        let (title, description) = task_for_deficit("М.2", "Проектирование урока", "Входная");
        assert_eq!(title, "Развить компетенцию «Проектирование урока» (М.2)");
        assert!(description.contains("«Входная»"));
    }

    #[test]
    fn an_event_fits_when_both_dates_are_inside_the_period() {
        let p = (d(2026, 9, 1), d(2027, 5, 31));
        assert!(fits_period(d(2026, 9, 1), d(2026, 9, 3), p));
        assert!(fits_period(d(2027, 5, 31), d(2027, 5, 31), p));
        assert!(!fits_period(d(2026, 8, 31), d(2026, 9, 3), p));
        assert!(!fits_period(d(2027, 5, 30), d(2027, 6, 1), p));
    }

    #[test]
    fn events_are_picked_inside_the_period_up_to_two_per_deficit() {
        let a = id();
        let b = id();
        let list = vec![
            ranked(&[a], false),
            ranked(&[a, b], true),
            ranked(&[a], true),
            ranked(&[a], true),
            ranked(&[b], true),
            ranked(&[b], true),
        ];
        let picked: Vec<Uuid> = pick_events(&list).iter().map(|r| r.event_id).collect();
        assert_eq!(
            picked,
            vec![list[1].event_id, list[2].event_id, list[4].event_id]
        );
    }

    #[test]
    fn a_draft_takes_no_more_than_the_cap_of_events() {
        let list: Vec<Ranked> = (0..40).map(|_| ranked(&[id()], true)).collect();
        assert_eq!(pick_events(&list).len(), MAX_ACTIVITIES);
    }

    #[test]
    fn progress_is_a_share_of_the_total() {
        assert_eq!(percent(0, 0), 100);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(5_000, 5_000), 100);
        assert_eq!(percent(7, 5), 100);
    }
}
