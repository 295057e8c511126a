//! Scales used by diagnostics and the catalogue.

domain_enum! {
    /// The level at which a diagnostic or an event is run.
    pub enum EventLevel {
        Federal => ("federal", "Федеральный"),
        Regional => ("regional", "Региональный"),
        Municipal => ("municipal", "Муниципальный"),
        Institutional => ("institutional", "Институциональный"),
    }
}

domain_enum! {
    /// How well a competency is formed.
    pub enum CompetencyLevel {
        Low => ("low", "Низкий"),
        Medium => ("medium", "Средний"),
        High => ("high", "Высокий"),
    }
}

domain_enum! {
    /// When in a route a diagnostic is taken. Self-assessment is never mixed up with an
    /// independent diagnostic.
    pub enum DiagnosticKind {
        Entry => ("entry", "Входная"),
        Intermediate => ("intermediate", "Промежуточная"),
        Final => ("final", "Итоговая"),
        SelfAssessment => ("self_assessment", "Самооценка"),
    }
}

impl CompetencyLevel {
    /// Low < medium < high, for comparing an entry diagnostic with a final one.
    pub const fn rank(self) -> u8 {
        match self {
            CompetencyLevel::Low => 0,
            CompetencyLevel::Medium => 1,
            CompetencyLevel::High => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_low_to_high() {
        assert!(CompetencyLevel::Low.rank() < CompetencyLevel::Medium.rank());
        assert!(CompetencyLevel::Medium.rank() < CompetencyLevel::High.rank());
        assert_eq!(CompetencyLevel::ALL.len(), 3);
    }

    #[test]
    fn event_levels_carry_their_russian_titles() {
        assert_eq!(EventLevel::Institutional.title_ru(), "Институциональный");
        assert_eq!("municipal".parse::<EventLevel>(), Ok(EventLevel::Municipal));
        assert!("city".parse::<EventLevel>().is_err());
    }
}

domain_enum! {
    /// Where a roadmap activity stands.
    pub enum ActivityStatus {
        Planned => ("planned", "Запланировано"),
        InProgress => ("in_progress", "Выполняется"),
        Done => ("done", "Выполнено"),
        Cancelled => ("cancelled", "Отменено"),
    }
}

domain_enum! {
    /// Whether a deficit was dealt with by the end of the route.
    pub enum DeficitState {
        Open => ("open", "Не устранён (в работе)"),
        Eliminated => ("eliminated", "Устранён"),
        NotEliminated => ("not_eliminated", "Не устранён"),
    }
}

domain_enum! {
    /// The period a progress record covers.
    pub enum PeriodKind {
        Month => ("month", "Месяц"),
        Semester => ("semester", "Полугодие"),
    }
}
