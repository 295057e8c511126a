//! How things are written for people, in Russian.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use shared::dto::{PersonDto, UnitRef};

/// What an empty field of a profile says.
pub const NOT_SPECIFIED: &str = "не указано";

/// «05.09.2024». (Not `NaiveDate::format`: its formatting machinery costs the wasm ~20 KB.)
pub fn date(d: NaiveDate) -> String {
    format!("{:02}.{:02}.{}", d.day(), d.month(), d.year())
}

/// «2026-09-05», as `<input type="date">` takes it.
pub fn iso_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// Reads «2026-09-05» (what `<input type="date">` gives); `None` for anything else, blank
/// included.
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let mut parts = s.trim().splitn(3, '-');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// «05.09.2026 — 31.05.2027»; either end may be missing.
pub fn date_range(start: Option<NaiveDate>, end: Option<NaiveDate>) -> Option<String> {
    match (start, end) {
        (Some(s), Some(e)) if s == e => Some(date(s)),
        (Some(s), Some(e)) => Some(period(s, e)),
        (Some(s), None) => Some(format!("с {}", date(s))),
        (None, Some(e)) => Some(format!("до {}", date(e))),
        (None, None) => None,
    }
}

/// «01.09.2026 — 31.05.2027», breaking (if it must) after the dash.
pub fn period(start: NaiveDate, end: NaiveDate) -> String {
    format!("{}\u{a0}— {}", date(start), date(end))
}

/// «24.11.2026 08:36» in the browser's time zone.
pub fn date_time(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&chrono::Local);
    format!(
        "{} {:02}:{:02}",
        date(local.date_naive()),
        local.hour(),
        local.minute()
    )
}

/// Today in the browser's time zone.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// «Иванова М. П.» from a full name «Иванова Мария Петровна».
pub fn short_full_name(full_name: &str) -> String {
    let mut parts = full_name.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some(surname), Some(first)) => shared::text::short_name(surname, first, parts.next()),
        _ => full_name.trim().to_owned(),
    }
}

/// The Russian plural form for `n`: «1 год», «2 года», «5 лет», «21 год», «11 лет».
pub fn plural<'a>(n: i64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    let n = n.unsigned_abs();
    match (n % 10, n % 100) {
        (_, 11..=14) => many,
        (1, _) => one,
        (2..=4, _) => few,
        _ => many,
    }
}

/// «12 лет».
pub fn years(n: i32) -> String {
    format!("{n} {}", plural(n.into(), "год", "года", "лет"))
}

/// How a person is addressed: name and patronymic («Мария Петровна»), or the first name.
pub fn address(person: &PersonDto) -> String {
    match person.patronymic.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => format!("{} {p}", person.first_name.trim()),
        _ => person.first_name.trim().to_owned(),
    }
}

/// «Иванова М. П.».
pub fn short_name(person: &PersonDto) -> String {
    shared::text::short_name(
        &person.surname,
        &person.first_name,
        person.patronymic.as_deref(),
    )
}

/// «Гимназия № 1 (образовательная организация)».
pub fn unit(unit: &UnitRef) -> String {
    format!("{} ({})", unit.name, unit.kind.title_ru().to_lowercase())
}

/// A value or «не указано».
pub fn or_not_specified(value: Option<String>) -> String {
    value
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| NOT_SPECIFIED.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_take_the_russian_plural() {
        let cases = [
            (1, "1 год"),
            (2, "2 года"),
            (4, "4 года"),
            (5, "5 лет"),
            (11, "11 лет"),
            (14, "14 лет"),
            (21, "21 год"),
            (22, "22 года"),
            (0, "0 лет"),
        ];
        for (n, text) in cases {
            assert_eq!(years(n), text);
        }
    }

    #[test]
    fn input_dates_round_trip_and_blank_is_none() {
        let d = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap_or_default();
        assert_eq!(iso_date(d), "2026-09-01");
        assert_eq!(parse_iso_date("2026-09-01"), Some(d));
        assert_eq!(parse_iso_date(""), None);
        assert_eq!(parse_iso_date("2026-02-30"), None);
        assert_eq!(date_range(Some(d), None).as_deref(), Some("с 01.09.2026"));
        assert_eq!(short_full_name("Иванова Мария Петровна"), "Иванова М. П.");
    }

    #[test]
    fn dates_are_day_month_year() {
        let d = NaiveDate::from_ymd_opt(2024, 9, 5).unwrap_or_default();
        assert_eq!(date(d), "05.09.2024");
    }
}

/// Hours as people write them: «36», «1,5».
pub fn hours(h: f64) -> String {
    if h.fract() == 0.0 {
        format!("{}", h as i64)
    } else {
        format!("{h:.1}").replace('.', ",")
    }
}
