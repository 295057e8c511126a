//! A route's stages, sections and statuses.

domain_enum! {
    /// The five stages of work on a route (regulation, 2.3).
    pub enum Stage {
        Preparatory => ("preparatory", "Подготовительный"),
        DiagnosticMotivational => ("diagnostic_motivational", "Диагностико-мотивационный"),
        Design => ("design", "Проектировочный"),
        Implementation => ("implementation", "Реализационный"),
        ReflectiveAnalytical => ("reflective_analytical", "Рефлексивно-аналитический"),
    }
}

domain_enum! {
    /// The five sections of a route (regulation, 2.5; the route card in its appendix).
    pub enum Section {
        Information => ("information", "Информационный"),
        Diagnostic => ("diagnostic", "Диагностический"),
        Target => ("target", "Целевой"),
        Activity => ("activity", "Содержательно-деятельностный"),
        Reflective => ("reflective", "Рефлексивный"),
    }
}

domain_enum! {
    /// Where a route is in its approval and implementation workflow.
    pub enum RouteStatus {
        Draft => ("draft", "Черновик"),
        Submitted => ("submitted", "На рассмотрении у тьютора"),
        Returned => ("returned", "Возвращён на доработку"),
        TutorAgreed => ("tutor_agreed", "Согласован тьютором"),
        Agreed => ("agreed", "Согласован заместителем директора"),
        Approved => ("approved", "Утверждён"),
        InProgress => ("in_progress", "Реализуется"),
        ProductSubmitted => ("product_submitted", "Продукт представлен на экспертизу"),
        Evaluated => ("evaluated", "Продукт оценён"),
        Completed => ("completed", "Завершён"),
        Withdrawn => ("withdrawn", "Отозван педагогом"),
    }
}

impl Stage {
    /// The stage's number, 1 to 5, as the regulation counts them.
    pub fn number(self) -> usize {
        Stage::ALL
            .iter()
            .position(|s| *s == self)
            .map_or(0, |i| i + 1)
    }
}

impl Section {
    pub fn number(self) -> usize {
        Section::ALL
            .iter()
            .position(|s| *s == self)
            .map_or(0, |i| i + 1)
    }
}

impl RouteStatus {
    /// Statuses after which nothing changes without an explicit, recorded reopening.
    pub const fn is_final(self) -> bool {
        matches!(self, RouteStatus::Completed | RouteStatus::Withdrawn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_five_stages_and_five_sections_numbered_from_one() {
        assert_eq!(Stage::ALL.len(), 5);
        assert_eq!(Section::ALL.len(), 5);
        assert_eq!(Stage::Preparatory.number(), 1);
        assert_eq!(Stage::ReflectiveAnalytical.number(), 5);
        assert_eq!(Section::Activity.number(), 4);
    }

    #[test]
    fn only_completed_and_withdrawn_routes_are_final() {
        let finals: Vec<_> = RouteStatus::ALL.iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals, [&RouteStatus::Completed, &RouteStatus::Withdrawn]);
    }
}
