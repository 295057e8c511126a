//! Attestation clocks: when a teacher's qualification category runs out (a category is given
//! for five years, 273-ФЗ art. 49) and whether their further training is current (at least once
//! in three years, art. 47 p. 5; a further-training programme is at least 16 hours).
//!
//! The platform knows both from what it already holds — the category's date in the profile,
//! the courses attended through the catalogue and the roadmap activities done with their hours
//! — so nobody types them again when the commission asks.

use chrono::{Months, NaiveDate};

/// A category is valid this many years.
pub const CATEGORY_YEARS: u32 = 5;
/// Further training is due at least this often, in years.
pub const TRAINING_YEARS: u32 = 3;
/// The shortest further-training programme, in hours.
pub const MIN_COURSE_HOURS: f64 = 16.0;
/// The teacher and their school coordinator are told this many days ahead.
pub const REMIND_DAYS: i64 = 90;

domain_enum! {
    /// Where a teacher's clock stands.
    pub enum ClockState {
        /// Nothing due within the reminder period.
        Current => ("current", "В порядке"),
        /// The category runs out or training is due within the reminder period.
        Soon => ("soon", "Скоро срок"),
        /// The category has run out, or the last training is more than three years old.
        Overdue => ("overdue", "Срок прошёл"),
        /// No category date in the profile: nothing to count from.
        Unknown => ("unknown", "Нет даты категории"),
    }
}

domain_enum! {
    /// Where a further-training record comes from.
    pub enum TrainingSource {
        /// A course of the catalogue the teacher attended (marked by the organiser).
        Catalogue => ("catalogue", "Мероприятие каталога"),
        /// A roadmap activity the teacher marked done, with its hours.
        Route => ("route", "Мероприятие маршрута"),
    }
}

/// One piece of further training.
#[derive(Debug, Clone, PartialEq)]
pub struct Training {
    pub title: String,
    pub finished_on: NaiveDate,
    pub hours: f64,
    pub source: TrainingSource,
}

impl Training {
    /// Long enough to count as further training.
    pub fn counts(&self) -> bool {
        self.hours >= MIN_COURSE_HOURS
    }
}

/// A teacher's clocks on a given day.
#[derive(Debug, Clone, PartialEq)]
pub struct Clock {
    /// When the category runs out (none without a category date).
    pub category_until: Option<NaiveDate>,
    /// Days from today to then (negative: already run out).
    pub category_days_left: Option<i64>,
    /// The latest training that counts.
    pub last_training_on: Option<NaiveDate>,
    /// When the next training is due: three years after the last one (today if there is none).
    pub training_due_on: NaiveDate,
    /// Hours of training finished in the last three years.
    pub hours_in_period: f64,
    pub state: ClockState,
}

fn years_after(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_add_months(Months::new(years * 12))
        .unwrap_or(NaiveDate::MAX)
}

fn years_before(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(years * 12))
        .unwrap_or(NaiveDate::MIN)
}

/// Hours of the trainings finished in the `years` up to `today` (the last day included, the day
/// `years` before not).
pub fn hours_within(today: NaiveDate, years: u32, trainings: &[Training]) -> f64 {
    let since = years_before(today, years);
    trainings
        .iter()
        .filter(|t| t.finished_on > since && t.finished_on <= today)
        // From +0.0: an empty sum of floats is -0.0, which prints as «-0».
        .fold(0.0, |sum, t| sum + t.hours)
}

/// The clocks of a teacher whose category dates from `category_on`, with these trainings.
pub fn clock(today: NaiveDate, category_on: Option<NaiveDate>, trainings: &[Training]) -> Clock {
    let category_until = category_on.map(|d| years_after(d, CATEGORY_YEARS));
    let category_days_left = category_until.map(|d| (d - today).num_days());
    let last_training_on = trainings
        .iter()
        .filter(|t| t.counts() && t.finished_on <= today)
        .map(|t| t.finished_on)
        .max();
    let training_due_on = last_training_on
        .map(|d| years_after(d, TRAINING_YEARS))
        .unwrap_or(today);
    let hours_in_period = hours_within(today, TRAINING_YEARS, trainings);
    let training_left = (training_due_on - today).num_days();
    let state = match category_days_left {
        None => ClockState::Unknown,
        Some(d) if d < 0 || training_left < 0 || last_training_on.is_none() => ClockState::Overdue,
        Some(d) if d <= REMIND_DAYS || training_left <= REMIND_DAYS => ClockState::Soon,
        Some(_) => ClockState::Current,
    };
    Clock {
        category_until,
        category_days_left,
        last_training_on,
        training_due_on,
        hours_in_period,
        state,
    }
}

/// What the teacher is told by the daily scan, `days` before the category runs out.
pub fn teacher_notice(days: i64, until: NaiveDate, training_current: bool) -> String {
    let training = if training_current {
        "повышение квалификации за последние три года учтено"
    } else {
        "пройдите курсы повышения квалификации (не менее 16 часов): за последние три года их нет"
    };
    format!(
        "До окончания срока квалификационной категории {} дн. ({}): пора подать заявление на аттестацию; {training}. Портфолио для комиссии собирается в профиле.",
        days,
        until.format("%d.%m.%Y")
    )
}

/// What the school coordinator is told of one of the school's teachers.
pub fn coordinator_notice(
    teacher: &str,
    days: i64,
    until: NaiveDate,
    training_current: bool,
) -> String {
    format!(
        "{teacher}: до окончания срока квалификационной категории {} дн. ({}){}.",
        days,
        until.format("%d.%m.%Y"),
        if training_current {
            ""
        } else {
            "; повышения квалификации за три года нет"
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_category_runs_five_years_and_training_three() {
        let c = clock(
            d(2026, 12, 7),
            Some(d(2022, 3, 1)),
            &[course(d(2025, 4, 10), 36.0)],
        );
        assert_eq!(c.category_until, Some(d(2027, 3, 1)));
        assert_eq!(c.category_days_left, Some(84));
        assert_eq!(c.last_training_on, Some(d(2025, 4, 10)));
        assert_eq!(c.training_due_on, d(2028, 4, 10));
        assert_eq!(c.hours_in_period, 36.0);
        assert_eq!(c.state, ClockState::Soon);
    }

    #[test]
    fn far_from_both_is_current() {
        let c = clock(
            d(2026, 12, 7),
            Some(d(2024, 1, 1)),
            &[course(d(2026, 5, 1), 72.0)],
        );
        assert_eq!(c.state, ClockState::Current);
    }

    #[test]
    fn short_events_add_hours_but_do_not_count_as_further_training() {
        let c = clock(
            d(2026, 12, 7),
            Some(d(2024, 1, 1)),
            &[course(d(2026, 5, 1), 6.0), course(d(2026, 6, 1), 8.0)],
        );
        assert_eq!(c.last_training_on, None);
        assert_eq!(c.hours_in_period, 14.0);
        assert_eq!(c.training_due_on, d(2026, 12, 7));
        assert_eq!(c.state, ClockState::Overdue);
    }

    #[test]
    fn training_older_than_three_years_is_overdue_and_not_in_the_period() {
        let c = clock(
            d(2026, 12, 7),
            Some(d(2024, 1, 1)),
            &[course(d(2023, 11, 1), 72.0)],
        );
        assert_eq!(c.hours_in_period, 0.0);
        assert_eq!(c.state, ClockState::Overdue);
    }

    #[test]
    fn without_a_category_date_there_is_nothing_to_count_from() {
        let c = clock(d(2026, 12, 7), None, &[course(d(2026, 5, 1), 72.0)]);
        assert_eq!(c.state, ClockState::Unknown);
        assert_eq!(c.category_until, None);
    }

    #[test]
    fn a_run_out_category_is_overdue() {
        let c = clock(
            d(2026, 12, 7),
            Some(d(2021, 12, 6)),
            &[course(d(2026, 5, 1), 72.0)],
        );
        assert_eq!(c.category_days_left, Some(-1));
        assert_eq!(c.state, ClockState::Overdue);
    }

    #[test]
    fn the_notices_name_the_date_and_what_is_missing() {
        let t = teacher_notice(90, d(2027, 3, 7), false);
        assert!(t.contains("90 дн.") && t.contains("07.03.2027") && t.contains("16 часов"));
        let c = coordinator_notice("Иванова М.П.", 90, d(2027, 3, 7), true);
        assert!(c.starts_with("Иванова М.П.: ") && !c.contains("нет"));
    }
}
