//! How things are written for people, in Russian.

use chrono::{Datelike, NaiveDate};
use shared::dto::{PersonDto, UnitRef};

/// What an empty field of a profile says.
pub const NOT_SPECIFIED: &str = "не указано";

/// «05.09.2024». (Not `NaiveDate::format`: its formatting machinery costs the wasm ~20 KB.)
pub fn date(d: NaiveDate) -> String {
    format!("{:02}.{:02}.{}", d.day(), d.month(), d.year())
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
    fn dates_are_day_month_year() {
        let d = NaiveDate::from_ymd_opt(2024, 9, 5).unwrap_or_default();
        assert_eq!(date(d), "05.09.2024");
    }
}
