//! How a person is told who touched their personal data: the words for the entries of their
//! access log («Кто видел мои данные»), shared by the API's documents and the SPA.

use crate::access::ClientScope;
use crate::roles::Role;

/// What an access-log entry did, in words a teacher reads: «открыл(а) маршрут».
pub fn action_label(action: &str) -> String {
    let known = match action {
        "route.read" => "маршрут",
        "route.card_pdf_read" => "карта маршрута (PDF)",
        "route.card_docx_read" => "карта маршрута (DOCX)",
        "route.comments_read" => "комментарии к маршруту",
        "route.history_read" => "история изменений маршрута",
        "route.dynamics_read" => "динамика результатов по маршруту",
        "assignment.removed" => "снято закрепление за вами",
        "person.email_change_requested" => "запрошена смена адреса эл. почты",
        "file.read" => "файл маршрута",
        "person.read" => "профиль",
        "person.card_read" => "карточка педагога",
        "diagnostics.read" => "результаты диагностики",
        "certificate.read" => "свидетельство",
        "processing_consent.read" => "согласия на обработку персональных данных",
        "processing_consent.registered" => "зарегистрировано согласие, подписанное на бумаге",
        "processing_consent.scan_attached" => "приложен скан бумажного согласия",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    // Changes made about the person (a role granted, an e-mail changed…) are listed too; an
    // action without a label still shows what was done rather than hiding the entry.
    format!("действие «{action}»")
}

/// The role (or integration permission) an access was made by, in words: «Тьютор».
pub fn basis_label(code: &str) -> String {
    if let Ok(role) = code.parse::<Role>() {
        return role.title_ru().to_owned();
    }
    if let Ok(scope) = code.parse::<ClientScope>() {
        return format!("интеграция: {}", scope.title_ru().to_lowercase());
    }
    code.to_owned()
}

/// The basis of an entry as one phrase: «Тьютор, Директор».
pub fn basis_phrase(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| basis_label(c))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_read_the_platform_records_has_words() {
        for action in [
            "route.read",
            "route.card_pdf_read",
            "route.comments_read",
            "route.history_read",
            "route.dynamics_read",
            "file.read",
            "person.read",
            "person.card_read",
            "diagnostics.read",
            "certificate.read",
        ] {
            assert!(!action_label(action).contains('«'), "{action}");
        }
        assert_eq!(
            action_label("person.email_changed"),
            "действие «person.email_changed»"
        );
    }

    #[test]
    fn roles_and_integration_permissions_are_named() {
        assert_eq!(basis_label("tutor"), "Тьютор");
        assert_eq!(
            basis_phrase(&["tutor".into(), "director".into()]),
            "Тьютор, Директор"
        );
        assert_eq!(basis_label("read_routes"), "интеграция: чтение маршрутов");
        assert_eq!(basis_label("something_new"), "something_new");
    }
}
