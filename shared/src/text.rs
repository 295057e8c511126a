//! Text rules that both databases and the SPA must agree on.

/// A key that sorts Russian (and Latin) names alphabetically under plain binary collation.
///
/// Neither SQLite nor a PostgreSQL database created with the C locale sorts Cyrillic as a
/// dictionary does: capitals come before all small letters and «ё» lands after «я». Lower-case
/// Cyrillic «а»..«я» are contiguous code points, so lower-casing and folding «ё» into «е» (as
/// Russian dictionaries do) gives the right order in both databases without collation support.
pub fn sort_key(parts: &[&str]) -> String {
    let mut key = String::new();
    for part in parts {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if !key.is_empty() {
            key.push(' ');
        }
        for c in part.chars().flat_map(char::to_lowercase) {
            key.push(if c == 'ё' { 'е' } else { c });
        }
    }
    key
}

/// E-mail addresses are compared case-insensitively and without surrounding spaces.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// «Иванова Мария Петровна», the full name as printed on documents.
pub fn full_name(surname: &str, first_name: &str, patronymic: Option<&str>) -> String {
    let mut name = format!("{} {}", surname.trim(), first_name.trim());
    if let Some(p) = patronymic.map(str::trim).filter(|p| !p.is_empty()) {
        name.push(' ');
        name.push_str(p);
    }
    name
}

/// «Иванова М. П.», the short form used beside signatures.
pub fn short_name(surname: &str, first_name: &str, patronymic: Option<&str>) -> String {
    let initial = |s: &str| s.trim().chars().next().map(|c| format!("{c}."));
    let mut name = surname.trim().to_owned();
    for i in [Some(first_name), patronymic]
        .into_iter()
        .flatten()
        .filter_map(initial)
    {
        name.push(' ');
        name.push_str(&i);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_put_russian_surnames_in_dictionary_order() {
        let mut names = vec![
            "ёлкина",
            "Яковлев",
            "Алексеева",
            "Елисеев",
            "борисов",
            "Ершова",
        ];
        names.sort_by_key(|n| sort_key(&[n]));
        assert_eq!(
            names,
            [
                "Алексеева",
                "борисов",
                "Елисеев",
                "ёлкина",
                "Ершова",
                "Яковлев"
            ]
        );
    }

    #[test]
    fn sort_key_joins_parts_and_skips_empty_ones() {
        assert_eq!(sort_key(&["  Иванова ", "", "Мария"]), "иванова мария");
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(normalize_email("  Teacher@IOM.test "), "teacher@iom.test");
    }

    #[test]
    fn names_are_printed_full_and_short() {
        assert_eq!(
            full_name("Иванова", "Мария", Some("Петровна")),
            "Иванова Мария Петровна"
        );
        assert_eq!(full_name("Smith", "John", Some(" ")), "Smith John");
        assert_eq!(
            short_name("Иванова", "Мария", Some("Петровна")),
            "Иванова М. П."
        );
        assert_eq!(short_name("Иванова", "Мария", None), "Иванова М.");
    }
}
