//! The region's bank of methodological products: what may be published, and how the bank
//! speaks of a product (its level of education, the activity «изучить опыт коллеги»).
//!
//! A product enters the bank only after an expert found every deficit of its route eliminated,
//! and only with its author's consent to publication (152-ФЗ, art. 10.1: a separate consent for
//! data made public). Both are checked here, purely, so the server and the SPA agree.

use crate::route::RouteStatus;

domain_enum! {
    /// The level of education a product serves (ФГОС levels, plus «any»).
    pub enum EducationLevel {
        Preschool => ("preschool", "Дошкольное образование"),
        Primary => ("primary", "Начальное общее образование"),
        Basic => ("basic", "Основное общее образование"),
        Secondary => ("secondary", "Среднее общее образование"),
        Additional => ("additional", "Дополнительное образование"),
        Any => ("any", "Любой уровень"),
    }
}

domain_enum! {
    /// Whether a product is in the bank now.
    pub enum BankStatus {
        Published => ("published", "Опубликован"),
        Withdrawn => ("withdrawn", "Снят с публикации"),
    }
}

/// Why a product cannot be published (each has a stable code and a sentence for the author).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The expert has not evaluated the product yet.
    NotEvaluated,
    /// The expert found a deficit not eliminated.
    NotPositive,
    /// The author has not agreed to publication (or has withdrawn the agreement).
    NoConsent,
    /// It is in the bank already.
    AlreadyPublished,
}

impl Refusal {
    pub const fn code(self) -> &'static str {
        match self {
            Refusal::NotEvaluated => "product_not_evaluated",
            Refusal::NotPositive => "product_not_positive",
            Refusal::NoConsent => "publication_consent_required",
            Refusal::AlreadyPublished => "product_published",
        }
    }

    pub const fn message_ru(self) -> &'static str {
        match self {
            Refusal::NotEvaluated => {
                "Опубликовать можно продукт, который уже получил экспертное заключение."
            }
            Refusal::NotPositive => {
                "Опубликовать можно продукт с положительным заключением: эксперт отметил не все дефициты как устранённые."
            }
            Refusal::NoConsent => {
                "Без согласия автора на публикацию методического продукта продукт не публикуется. Дайте согласие в профиле, в разделе «Согласия»."
            }
            Refusal::AlreadyPublished => "Этот продукт уже опубликован в банке.",
        }
    }
}

/// What decides whether a product may be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publishability {
    pub status: RouteStatus,
    /// The expert's verdict on the route: every deficit eliminated (`None` before evaluation).
    pub verdict: Option<bool>,
    /// Whether the author's latest decision on the publication purpose is a «yes».
    pub consent_given: bool,
    /// Whether the product is in the bank now.
    pub published: bool,
}

/// Whether the product may be published now; the first reason it may not. The evaluation comes
/// before the consent: there is no point asking a teacher to agree to publish what cannot be.
pub fn check(p: Publishability) -> Result<(), Refusal> {
    if p.published {
        return Err(Refusal::AlreadyPublished);
    }
    let evaluated = matches!(p.status, RouteStatus::Evaluated | RouteStatus::Completed);
    match p.verdict {
        None => return Err(Refusal::NotEvaluated),
        _ if !evaluated => return Err(Refusal::NotEvaluated),
        Some(false) => return Err(Refusal::NotPositive),
        Some(true) => {}
    }
    if !p.consent_given {
        return Err(Refusal::NoConsent);
    }
    Ok(())
}

/// The roadmap activity a bank product becomes: «Изучение опыта коллеги: «…» (Автор И. О.)».
/// A long title is cut so the name stays within an activity's 500 characters.
pub fn activity_name(title: &str, author_short: &str) -> String {
    let title = crate::events::short(title, 400);
    format!("Изучение опыта коллеги: «{title}» ({author_short})")
}

/// How a teacher takes part in studying a colleague's product.
pub const ACTIVITY_FORM: &str = "изучение опыта коллеги";

/// What the teacher shows for it.
pub const ACTIVITY_RESULT: &str = "Анализ применения продукта в собственной практике";

/// The notice a teacher gets when someone recommends a product to them.
pub fn recommended_notice(by: &str, title: &str, note: Option<&str>) -> String {
    let base = format!("{by} рекомендует изучить методический продукт «{title}»");
    match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("{base}: {n}"),
        None => base,
    }
}

/// The notice an author gets when the region's manager takes their product off the bank.
pub fn withdrawn_notice(title: &str, reason: Option<&str>) -> String {
    let base = format!("Ваш методический продукт «{title}» снят с публикации в банке");
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => format!("{base}. Причина: {r}"),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> Publishability {
        Publishability {
            status: RouteStatus::Completed,
            verdict: Some(true),
            consent_given: true,
            published: false,
        }
    }

    #[test]
    fn an_evaluated_positive_product_with_consent_may_be_published() {
        assert_eq!(check(ok()), Ok(()));
        let evaluated = Publishability {
            status: RouteStatus::Evaluated,
            ..ok()
        };
        assert_eq!(check(evaluated), Ok(()));
    }

    #[test]
    fn before_the_evaluation_nothing_is_published() {
        for status in [
            RouteStatus::Draft,
            RouteStatus::InProgress,
            RouteStatus::ProductSubmitted,
        ] {
            let p = Publishability {
                status,
                verdict: None,
                ..ok()
            };
            assert_eq!(check(p), Err(Refusal::NotEvaluated));
        }
        // A reopened route keeps its old evaluation, but it no longer stands.
        let reopened = Publishability {
            status: RouteStatus::InProgress,
            ..ok()
        };
        assert_eq!(check(reopened), Err(Refusal::NotEvaluated));
    }

    #[test]
    fn a_negative_verdict_or_a_missing_consent_is_refused_in_that_order() {
        let negative = Publishability {
            verdict: Some(false),
            consent_given: false,
            ..ok()
        };
        assert_eq!(check(negative), Err(Refusal::NotPositive));
        let no_consent = Publishability {
            consent_given: false,
            ..ok()
        };
        assert_eq!(check(no_consent), Err(Refusal::NoConsent));
        assert_eq!(
            Refusal::NoConsent.code(),
            "publication_consent_required",
            "the code clients rely on"
        );
    }

    #[test]
    fn a_published_product_is_not_published_twice() {
        let p = Publishability {
            published: true,
            ..ok()
        };
        assert_eq!(check(p), Err(Refusal::AlreadyPublished));
    }

    #[test]
    fn notices_name_the_product_and_add_the_note_or_reason_when_given() {
        assert_eq!(
            recommended_notice("Петрова А. С.", "Кейсы", Some("  ")),
            "Петрова А. С. рекомендует изучить методический продукт «Кейсы»"
        );
        assert_eq!(
            recommended_notice("Петрова А. С.", "Кейсы", Some("для 7 класса")),
            "Петрова А. С. рекомендует изучить методический продукт «Кейсы»: для 7 класса"
        );
        assert_eq!(
            withdrawn_notice("Кейсы", Some("нарушены авторские права")),
            "Ваш методический продукт «Кейсы» снят с публикации в банке. Причина: нарушены авторские права"
        );
        assert!(!withdrawn_notice("Кейсы", None).contains("Причина"));
    }

    #[test]
    fn the_activity_names_the_product_and_its_author() {
        assert_eq!(
            activity_name("Кейсы по функциональной грамотности", "Иванова М. П."),
            "Изучение опыта коллеги: «Кейсы по функциональной грамотности» (Иванова М. П.)"
        );
        let long = "а".repeat(500);
        assert!(activity_name(&long, "Иванова М. П.").chars().count() <= 500);
    }
}
