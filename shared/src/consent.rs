//! Consent to the processing of personal data (152-ФЗ, art. 9): a document of its own, per
//! purpose, in the words the person read, given or withdrawn, electronically or on paper.
//!
//! The region (the operator) keeps the list of purposes; each purpose's text is versioned, and
//! a decision names the version it was made on, so what a person agreed to can always be shown.
//! A decision is never changed: the latest one for a person and purpose is their answer.

use chrono::{DateTime, Utc};

domain_enum! {
    /// What processing a purpose covers, as far as the platform acts on it.
    pub enum PurposeKind {
        /// Keeping the route itself: the platform's reason to hold the person's data at all.
        RouteKeeping => ("route_keeping", "Ведение ИОМ"),
        /// Handing the person's data to the region's systems (the integration feeds and webhooks).
        Transfer => ("transfer", "Передача в региональную систему"),
        /// Publishing the person's methodological product with their name.
        Publication => ("publication", "Публикация методического продукта"),
        /// Any other purpose the region lists; recorded, with no automatic effect.
        Other => ("other", "Иная цель"),
    }
}

domain_enum! {
    /// How a decision reached the platform.
    pub enum ConsentMethod {
        /// Given or withdrawn by the person in the platform.
        Electronic => ("electronic", "Электронно в платформе"),
        /// Signed on paper and registered by the school coordinator (or above), with a scan.
        Paper => ("paper", "На бумаге"),
    }
}

/// The purposes a new region starts with: (kind, title, text, whether the platform cannot
/// work without it). Plain Russian, short enough to be read before the first click.
pub fn default_purposes() -> [(PurposeKind, &'static str, &'static str, bool); 3] {
    [
        (
            PurposeKind::RouteKeeping,
            "Ведение индивидуального образовательного маршрута",
            "Я согласен(на), чтобы региональный оператор платформы обрабатывал мои персональные \
             данные (фамилию, имя, отчество, место работы, должность, адрес электронной почты, \
             результаты диагностики профессиональных компетенций, сведения о повышении \
             квалификации и материалы моего маршрута) для составления, согласования, выполнения \
             и завершения моего индивидуального образовательного маршрута. Данные видят только \
             те, кто сопровождает и согласует маршрут: тьютор (если я дал(а) согласие на \
             сопровождение), наставник, администрация школы, муниципальный координатор и \
             региональный центр. Согласие действует до его отзыва; отозвать его можно в профиле \
             в любой момент.",
            true,
        ),
        (
            PurposeKind::Transfer,
            "Передача данных в региональную информационную систему",
            "Я согласен(на), чтобы сведения о моём маршруте, результатах диагностики и участии \
             в мероприятиях передавались в региональные информационные системы, подключённые к \
             платформе, для учёта повышения квалификации. Если я отзову согласие, эти сведения \
             перестанут передаваться, а системы получат уведомление об удалении.",
            false,
        ),
        (
            PurposeKind::Publication,
            "Публикация методического продукта",
            "Я согласен(на), чтобы мой методический продукт, получивший положительное \
             экспертное заключение, был опубликован в региональном банке с указанием моих \
             фамилии, имени, отчества и места работы. Без этого согласия продукт не публикуется.",
            false,
        ),
    ]
}

/// A person's latest decision on one purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub given: bool,
    /// The version of the purpose's text the decision was made on.
    pub version: i32,
    pub at: DateTime<Utc>,
}

/// Whether the person must (again) be asked about a purpose whose text is at
/// `current_version`: never answered, or answered on an older text. A withdrawal stays a
/// withdrawal whatever the text says later: only an agreement is asked again on a new text.
pub fn needs_answer(latest: Option<&Decision>, current_version: i32) -> bool {
    match latest {
        None => true,
        Some(d) => d.given && d.version < current_version,
    }
}

/// Whether a purpose's processing may go on for a person: not while they have said no. A person
/// not yet asked (imported before they first signed in) is not excluded by the platform; the
/// region, as the operator, registers their paper consents or waits for the first sign-in.
pub fn allows(latest: Option<&Decision>) -> bool {
    latest.is_none_or(|d| d.given)
}

/// The latest of a person's decisions (by time; the later record wins a tie).
pub fn latest<'a>(decisions: impl IntoIterator<Item = &'a Decision>) -> Option<&'a Decision> {
    decisions.into_iter().fold(None, |best, d| match best {
        Some(b) if b.at > d.at => Some(b),
        _ => Some(d),
    })
}

/// The shortest and longest text a purpose may have.
pub const TEXT_MIN: usize = 40;
pub const TEXT_MAX: usize = 8000;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(given: bool, version: i32, minute: u32) -> Decision {
        Decision {
            given,
            version,
            at: Utc.with_ymd_and_hms(2026, 12, 7, 10, minute, 0).unwrap(),
        }
    }

    #[test]
    fn a_person_is_asked_until_they_answer_and_again_when_the_text_they_agreed_to_changes() {
        assert!(needs_answer(None, 1));
        assert!(!needs_answer(Some(&d(true, 1, 0)), 1));
        assert!(needs_answer(Some(&d(true, 1, 0)), 2));
        // A withdrawal is an answer to every later text: nobody is pestered to agree again.
        assert!(!needs_answer(Some(&d(false, 1, 0)), 2));
    }

    #[test]
    fn processing_stops_on_a_no_and_goes_on_for_people_not_yet_asked() {
        assert!(allows(None));
        assert!(allows(Some(&d(true, 1, 0))));
        assert!(!allows(Some(&d(false, 1, 0))));
    }

    #[test]
    fn the_latest_decision_wins() {
        let all = [d(true, 1, 0), d(false, 1, 5), d(true, 2, 3)];
        assert_eq!(latest(&all), Some(&all[1]));
        assert_eq!(latest(&[]), None);
    }

    #[test]
    fn the_default_texts_are_within_bounds_and_one_purpose_is_required() {
        let all = default_purposes();
        for (_, title, text, _) in &all {
            assert!(!title.is_empty() && title.chars().count() <= 200);
            let n = text.chars().count();
            assert!((TEXT_MIN..=TEXT_MAX).contains(&n), "{n}");
        }
        assert_eq!(all.iter().filter(|p| p.3).count(), 1);
        assert_eq!(all[0].0, PurposeKind::RouteKeeping);
    }
}
