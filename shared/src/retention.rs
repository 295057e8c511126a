//! How long the region keeps what the platform holds about its teachers (regulation 4.3: a
//! route is kept as long as the personal data in it; on paper, three years), and the words for
//! what the nightly run of the retention rules did.
//!
//! Periods count in whole calendar years back from the moment of the run: a route completed on
//! 10 March 2023 with a three-year period expires on 10 March 2026.

use chrono::{DateTime, Months, Utc};

domain_enum! {
    /// What started a run of the retention rules.
    pub enum RetentionTrigger {
        /// The nightly job.
        Schedule => ("schedule", "По расписанию"),
        /// The regional manager's «Выполнить сейчас».
        Manual => ("manual", "Вручную"),
    }
}

/// The longest period a region may set, in years.
pub const MAX_YEARS: i32 = 75;

/// The region's periods, in years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Completed and withdrawn routes, from their end; then the route is anonymised (its
    /// certificate still verifies by number, without the name).
    pub routes_years: i32,
    /// Files uploaded to those routes, from the route's end.
    pub files_years: i32,
    /// Diagnostic results, from when they were entered.
    pub results_years: i32,
    /// Records of who read or changed a person's data, from when they were made.
    pub audit_years: i32,
}

impl Default for RetentionPolicy {
    /// Three years for everything: the regulation's period for a route on paper.
    fn default() -> Self {
        RetentionPolicy {
            routes_years: 3,
            files_years: 3,
            results_years: 3,
            audit_years: 3,
        }
    }
}

/// The moments before which each kind of record has expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    pub routes: DateTime<Utc>,
    pub files: DateTime<Utc>,
    pub results: DateTime<Utc>,
    pub audit: DateTime<Utc>,
}

impl RetentionPolicy {
    /// A route's files cannot outlive the route: anonymising it removes them.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.files_years > self.routes_years {
            return Err("Файлы маршрута не могут храниться дольше самого маршрута");
        }
        Ok(())
    }

    pub fn cutoffs(&self, now: DateTime<Utc>) -> Cutoffs {
        Cutoffs {
            routes: years_before(now, self.routes_years),
            files: years_before(now, self.files_years),
            results: years_before(now, self.results_years),
            audit: years_before(now, self.audit_years),
        }
    }
}

/// `now` minus whole calendar years; 29 February falls back to the 28th.
pub fn years_before(now: DateTime<Utc>, years: i32) -> DateTime<Utc> {
    let months = u32::try_from(years.clamp(0, MAX_YEARS)).unwrap_or(0) * 12;
    now.checked_sub_months(Months::new(months))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Words for the kinds of records a retention run or an erasure counts: «маршруты
/// обезличены». Unknown keys are shown as they are.
pub fn record_label(key: &str) -> &str {
    match key {
        "routes" => "маршруты удалены",
        "routes_anonymised" => "маршруты обезличены",
        "certificates_anonymised" => "свидетельства обезличены (проверяются по номеру)",
        "route_files" => "файлы маршрутов удалены",
        "bank_products" => "продукты удалены из банка",
        "route_comments" => "комментарии удалены",
        "route_changes" => "записи истории изменений удалены",
        "route_progress" => "отметки о ходе реализации удалены",
        "diagnostic_results" => "результаты диагностики удалены",
        "audit_entries" => "записи журнала доступа удалены",
        "audit_entries_anonymised" => "записи журнала доступа обезличены",
        "enrolments" => "записи на мероприятия удалены",
        "exports" => "выгрузки данных удалены",
        "recommendations" => "рекомендации удалены",
        "consents" => "согласия удалены",
        "notifications" => "уведомления удалены",
        "notification_settings" => "настройки уведомлений удалены",
        "tokens" => "ссылки-приглашения удалены",
        "sessions" => "сеансы входа завершены",
        "calendar_feeds" => "ссылки на календарь удалены",
        "roles" => "роли сняты",
        "sign_in_counters" => "счётчики входа очищены",
        "assignments" => "закрепления сняты",
        "letters" => "письма удалены",
        "events" => "события удалены",
        "webhook_deliveries" => "отправки во внешние системы удалены",
        "jobs" => "фоновые задания удалены",
        "people_imports" => "загрузки списков педагогов удалены",
        "diagnostic_imports" => "загрузки результатов диагностики удалены",
        "drafting_jobs" => "задания на черновики обезличены",
        "people" => "учётная запись удалена",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 3, 0, 0).unwrap()
    }

    #[test]
    fn periods_count_in_calendar_years_back_from_the_run() {
        let p = RetentionPolicy {
            routes_years: 3,
            files_years: 1,
            results_years: 5,
            audit_years: 2,
        };
        let c = p.cutoffs(at(2026, 12, 7));
        assert_eq!(c.routes, at(2023, 12, 7));
        assert_eq!(c.files, at(2025, 12, 7));
        assert_eq!(c.results, at(2021, 12, 7));
        assert_eq!(c.audit, at(2024, 12, 7));
    }

    #[test]
    fn the_29th_of_february_falls_back_to_the_28th() {
        assert_eq!(years_before(at(2028, 2, 29), 1), at(2027, 2, 28));
        assert_eq!(years_before(at(2028, 2, 29), 4), at(2024, 2, 29));
    }

    #[test]
    fn files_may_not_outlive_their_route() {
        let mut p = RetentionPolicy::default();
        assert!(p.check().is_ok());
        p.files_years = 4;
        assert!(p.check().is_err());
        p.routes_years = 4;
        assert!(p.check().is_ok());
    }

    #[test]
    fn the_default_is_the_regulations_three_years() {
        let p = RetentionPolicy::default();
        assert_eq!(
            [
                p.routes_years,
                p.files_years,
                p.results_years,
                p.audit_years
            ],
            [3; 4]
        );
    }

    #[test]
    fn every_kind_an_erasure_counts_has_words() {
        for k in [
            "routes_anonymised",
            "diagnostic_results",
            "people",
            "letters",
            "bank_products",
        ] {
            assert_ne!(record_label(k), k);
        }
        assert_eq!(record_label("something_new"), "something_new");
    }
}
