//! The route's workflow: which action moves a route from which status to which, who may take
//! it, and the rules of the regulation (period, extension, completion). Pure and unit-tested;
//! the server enforces it and the SPA uses it to show only the actions a person may take.

use chrono::{Datelike, NaiveDate};

use crate::route::{RouteStatus, Stage};

domain_enum! {
    /// An explicit step of the workflow.
    pub enum RouteAction {
        Submit => ("submit", "Отправить на согласование"),
        Return => ("return", "Вернуть на доработку"),
        TutorAgree => ("tutor_agree", "Согласовать (тьютор)"),
        Agree => ("agree", "Согласовать"),
        Approve => ("approve", "Утвердить"),
        Start => ("start", "Начать реализацию"),
        Extend => ("extend", "Продлить срок"),
        SubmitProduct => ("submit_product", "Представить продукт на экспертизу"),
        ReturnProduct => ("return_product", "Вернуть продукт на доработку"),
        Evaluate => ("evaluate", "Оценить продукт"),
        Complete => ("complete", "Завершить маршрут"),
        Withdraw => ("withdraw", "Отозвать маршрут"),
        Reopen => ("reopen", "Возобновить маршрут"),
    }
}

domain_enum! {
    /// How a person takes part in one route (derived from their roles and assignments).
    pub enum Participant {
        Owner => ("owner", "Педагог (автор маршрута)"),
        Tutor => ("tutor", "Тьютор"),
        Mentor => ("mentor", "Методист-наставник"),
        Expert => ("expert", "Эксперт"),
        SchoolCoordinator => ("school_coordinator", "Координатор ОО"),
        DeputyDirector => ("deputy_director", "Заместитель директора"),
        Director => ("director", "Директор"),
        MunicipalCoordinator => ("municipal_coordinator", "Муниципальный координатор"),
        RegionalManager => ("regional_manager", "Менеджер ЦНППМ"),
    }
}

domain_enum! {
    /// How a completed route ended.
    pub enum Outcome {
        Achieved => ("achieved", "Задача профессионального развития достигнута"),
        NotAchieved => ("not_achieved", "Задача профессионального развития не достигнута"),
    }
}

/// What the workflow needs to know about a route besides its status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouteState {
    pub status: Option<RouteStatus>,
    /// Implementation has started once (a later approval returns straight to it).
    pub started: bool,
    /// Tasks or the period changed after the last approval.
    pub unapproved_material_changes: bool,
    /// The one extension allowed has been used.
    pub extended: bool,
    /// A final diagnostic is recorded (completion without a product is then possible).
    pub has_final_diagnostic: bool,
}

/// Why an action cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkflowError {
    /// Nobody may take this action in this status (409).
    WrongStatus {
        action: RouteAction,
        status: RouteStatus,
    },
    /// The action is possible, but not for this person (403).
    NotPermitted { action: RouteAction },
    /// A rule of the regulation stands in the way (409), explained in Russian.
    Rule(String),
}

impl std::fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkflowError::WrongStatus { action, status } => write!(
                f,
                "Действие «{}» невозможно для маршрута в статусе «{}».",
                action.title_ru(),
                status.title_ru()
            ),
            WorkflowError::NotPermitted { action } => write!(
                f,
                "У вас нет права выполнить действие «{}» для этого маршрута.",
                action.title_ru()
            ),
            WorkflowError::Rule(text) => f.write_str(text),
        }
    }
}

impl RouteAction {
    /// Whether the action needs a comment (a reason) from the person taking it.
    pub const fn needs_comment(self) -> bool {
        matches!(
            self,
            RouteAction::Return
                | RouteAction::ReturnProduct
                | RouteAction::Extend
                | RouteAction::Reopen
        )
    }
}

/// Who may take `action` (any of these participants).
pub fn actors(action: RouteAction) -> &'static [Participant] {
    use Participant::*;
    match action {
        RouteAction::Submit | RouteAction::SubmitProduct => &[Owner],
        RouteAction::Withdraw => &[Owner],
        RouteAction::Return => &[Tutor, SchoolCoordinator, DeputyDirector, Director],
        RouteAction::TutorAgree => &[Tutor, SchoolCoordinator],
        RouteAction::Agree => &[DeputyDirector, Director],
        RouteAction::Approve => &[Director],
        RouteAction::Start => &[Owner, Tutor, SchoolCoordinator],
        RouteAction::Extend => &[Owner, Tutor, SchoolCoordinator],
        RouteAction::ReturnProduct | RouteAction::Evaluate => &[Expert],
        RouteAction::Complete => &[Tutor, SchoolCoordinator, Director, RegionalManager],
        RouteAction::Reopen => &[Owner, SchoolCoordinator, Director, RegionalManager],
    }
}

/// Who may return a route in `status` (each approver returns what is before them).
fn return_actors(status: RouteStatus) -> &'static [Participant] {
    use Participant::*;
    match status {
        RouteStatus::Submitted => &[Tutor, SchoolCoordinator],
        RouteStatus::TutorAgreed => &[DeputyDirector, Director],
        RouteStatus::Agreed => &[Director],
        _ => &[],
    }
}

/// The status `action` leads to from `state`, or why it cannot be taken by `who`.
pub fn next_status(
    action: RouteAction,
    state: &RouteState,
    who: &[Participant],
) -> Result<RouteStatus, WorkflowError> {
    use RouteStatus::*;
    let status = state.status.unwrap_or(Draft);
    let wrong = || WorkflowError::WrongStatus { action, status };
    let target = match (action, status) {
        (RouteAction::Submit, Draft | Returned) => Submitted,
        (RouteAction::Submit, InProgress) if state.unapproved_material_changes => Submitted,
        (RouteAction::Submit, InProgress) => {
            return Err(WorkflowError::Rule(
                "Маршрут утверждён; повторное согласование нужно только после изменения задач или срока.".into(),
            ));
        }
        (RouteAction::Return, Submitted | TutorAgreed | Agreed) => Returned,
        (RouteAction::TutorAgree, Submitted) => TutorAgreed,
        (RouteAction::Agree, TutorAgreed) => Agreed,
        (RouteAction::Approve, Agreed) if state.started => InProgress,
        (RouteAction::Approve, Agreed) => Approved,
        (RouteAction::Start, Approved) => InProgress,
        (RouteAction::Extend, InProgress) if state.extended => {
            return Err(WorkflowError::Rule(
                "Маршрут уже продлевался: продление возможно только один раз.".into(),
            ));
        }
        // An extension changes the period, so it is agreed and approved again.
        (RouteAction::Extend, InProgress) => Submitted,
        (RouteAction::SubmitProduct, InProgress) if state.unapproved_material_changes => {
            return Err(WorkflowError::Rule(
                "Сначала согласуйте и утвердите изменения задач или срока маршрута.".into(),
            ));
        }
        (RouteAction::SubmitProduct, InProgress) => ProductSubmitted,
        (RouteAction::ReturnProduct, ProductSubmitted) => InProgress,
        (RouteAction::Evaluate, ProductSubmitted) => Evaluated,
        (RouteAction::Complete, Evaluated) => Completed,
        (RouteAction::Complete, InProgress) if state.has_final_diagnostic => Completed,
        (RouteAction::Complete, InProgress) => {
            return Err(WorkflowError::Rule(
                "Для завершения нужен оценённый экспертом продукт или итоговая диагностика.".into(),
            ));
        }
        (RouteAction::Withdraw, s) if !s.is_final() => Withdrawn,
        (RouteAction::Reopen, Completed | Withdrawn) if state.started => InProgress,
        (RouteAction::Reopen, Completed | Withdrawn) => Draft,
        _ => return Err(wrong()),
    };
    let allowed = if action == RouteAction::Return {
        return_actors(status)
    } else if action == RouteAction::Reopen && status == Completed {
        // Only the school or the region reopens a completed route; the teacher can take back
        // their own withdrawal.
        &[
            Participant::SchoolCoordinator,
            Participant::Director,
            Participant::RegionalManager,
        ][..]
    } else {
        actors(action)
    };
    if !who.iter().any(|p| allowed.contains(p)) {
        return Err(WorkflowError::NotPermitted { action });
    }
    Ok(target)
}

/// The actions `who` can take now, in the workflow's order (for buttons).
pub fn available_actions(state: &RouteState, who: &[Participant]) -> Vec<RouteAction> {
    RouteAction::ALL
        .iter()
        .copied()
        .filter(|a| next_status(*a, state, who).is_ok())
        .collect()
}

/// The stage a route is at, from its status and how far its sections are filled.
pub fn stage_of(status: RouteStatus, has_diagnostics: bool, has_tasks: bool) -> Stage {
    use RouteStatus::*;
    match status {
        ProductSubmitted | Evaluated | Completed => Stage::ReflectiveAnalytical,
        Approved | InProgress => Stage::Implementation,
        _ if has_tasks => Stage::Design,
        _ if has_diagnostics => Stage::DiagnosticMotivational,
        _ => Stage::Preparatory,
    }
}

/// The parts of a route that open and close for editing at different points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The plan: the route's own fields, diagnostics, deficits, tasks, roadmap, products.
    Plan,
    /// What happens while it runs: activity outcomes, reflections, evidence, progress records.
    Progress,
    /// The final public event.
    FinalEvent,
    /// The conclusion, written by the tutor or the school at the end.
    Conclusion,
}

/// Whether a part of a route may be changed in `status`. During agreement the plan is held
/// still, so approvers sign what they read; a completed or withdrawn route is frozen.
pub fn editable(part: Part, status: RouteStatus) -> bool {
    use RouteStatus::*;
    match part {
        Part::Plan => matches!(status, Draft | Returned | Approved | InProgress),
        Part::Progress => matches!(status, Draft | Returned | Approved | InProgress),
        Part::FinalEvent => matches!(
            status,
            Draft | Returned | Approved | InProgress | ProductSubmitted | Evaluated
        ),
        Part::Conclusion => matches!(status, InProgress | ProductSubmitted | Evaluated),
    }
}

/// What a route needs before it goes for agreement.
#[derive(Debug, Clone, Default)]
pub struct Completeness {
    pub deficits: usize,
    pub tasks: usize,
    /// Tasks tied to no deficit.
    pub tasks_without_deficits: usize,
    pub activities: usize,
    /// Activities whose dates fall outside the period.
    pub activities_out_of_period: usize,
}

/// The problems that keep a route from being submitted, by field, in Russian; empty when ready.
pub fn submission_problems(c: &Completeness) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    if c.deficits == 0 {
        problems.push((
            "diagnostic.deficits",
            "Укажите хотя бы один профессиональный дефицит.".to_owned(),
        ));
    }
    if c.tasks == 0 {
        problems.push((
            "target.tasks",
            "Сформулируйте хотя бы одну задачу профессионального развития.".to_owned(),
        ));
    }
    if c.tasks_without_deficits > 0 {
        problems.push((
            "target.tasks",
            "Каждая задача должна быть связана хотя бы с одним дефицитом.".to_owned(),
        ));
    }
    if c.activities == 0 {
        problems.push((
            "activity.activities",
            "Добавьте в дорожную карту хотя бы одно мероприятие.".to_owned(),
        ));
    }
    if c.activities_out_of_period > 0 {
        problems.push((
            "activity.activities",
            "Сроки некоторых мероприятий выходят за срок маршрута.".to_owned(),
        ));
    }
    problems
}

/// Adds whole months to a date, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb).
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    let total = date.year() * 12 + date.month0() as i32 + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    let mut day = date.day();
    loop {
        if let Some(d) = NaiveDate::from_ymd_opt(year, month0 + 1, day) {
            return d;
        }
        day -= 1;
    }
}

/// The route's period must start before it ends and last at most `max_months`.
pub fn check_period(start: NaiveDate, end: NaiveDate, max_months: u32) -> Result<(), String> {
    if end < start {
        return Err("Дата окончания маршрута раньше даты начала.".into());
    }
    if end > add_months(start, max_months) {
        return Err(format!(
            "Маршрут рассчитан не более чем на {} мес. (политика региона).",
            max_months
        ));
    }
    Ok(())
}

/// An extension moves the end later by at most `max_months`.
pub fn check_extension(
    current_end: NaiveDate,
    new_end: NaiveDate,
    max_months: u32,
) -> Result<(), String> {
    if new_end <= current_end {
        return Err("Новая дата окончания должна быть позже текущей.".into());
    }
    if new_end > add_months(current_end, max_months) {
        return Err(format!(
            "Продлить маршрут можно не более чем на {max_months} мес."
        ));
    }
    Ok(())
}

/// An activity's dates lie within the route's period and in order.
pub fn check_activity_dates(
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    period: (NaiveDate, NaiveDate),
) -> Result<(), String> {
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        return Err("Дата окончания мероприятия раньше даты начала.".into());
    }
    for d in [start, end].into_iter().flatten() {
        if d < period.0 || d > period.1 {
            return Err(format!(
                "Сроки мероприятия должны быть в пределах срока маршрута ({} — {}).",
                period.0.format("%d.%m.%Y"),
                period.1.format("%d.%m.%Y")
            ));
        }
    }
    Ok(())
}

/// The completion criteria of a route (regulation 1.12): the expert evaluation of the product
/// and the dynamics between the entry and final diagnostics. `None` where there is no such
/// evidence (no evaluation; no pair of diagnostics to compare).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompletionCriteria {
    /// Positive dynamics between entry and final diagnostics.
    pub positive_dynamics: Option<bool>,
    /// The expert found every deficit eliminated.
    pub deficits_eliminated: Option<bool>,
}

/// The outcome the criteria support: achieved when every available criterion is met,
/// not achieved when any is not, nothing to suggest without evidence.
pub fn suggested_outcome(c: CompletionCriteria) -> Option<Outcome> {
    let known = [c.positive_dynamics, c.deficits_eliminated];
    if known.contains(&Some(false)) {
        Some(Outcome::NotAchieved)
    } else if known.contains(&Some(true)) {
        Some(Outcome::Achieved)
    } else {
        None
    }
}

/// A route may be completed as achieved only when the criteria do not contradict it; a human
/// may always judge it not achieved.
pub fn check_outcome(outcome: Outcome, c: CompletionCriteria) -> Result<(), String> {
    if outcome != Outcome::Achieved || suggested_outcome(c) != Some(Outcome::NotAchieved) {
        return Ok(());
    }
    let mut why = Vec::new();
    if c.positive_dynamics == Some(false) {
        why.push("динамика между входной и итоговой диагностиками не положительная");
    }
    if c.deficits_eliminated == Some(false) {
        why.push("эксперт признал не все дефициты устранёнными");
    }
    Err(format!(
        "Итог «достигнута» не подтверждается критериями завершения (п. 1.12): {}. Укажите итог «не достигнута» или скорректируйте и продлите маршрут.",
        why.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Participant::*;
    use RouteStatus::*;

    fn at(status: RouteStatus) -> RouteState {
        RouteState {
            status: Some(status),
            ..RouteState::default()
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_approval_chain_runs_teacher_tutor_deputy_director() {
        assert_eq!(
            next_status(RouteAction::Submit, &at(Draft), &[Owner]),
            Ok(Submitted)
        );
        assert_eq!(
            next_status(RouteAction::TutorAgree, &at(Submitted), &[Tutor]),
            Ok(TutorAgreed)
        );
        assert_eq!(
            next_status(RouteAction::Agree, &at(TutorAgreed), &[DeputyDirector]),
            Ok(Agreed)
        );
        assert_eq!(
            next_status(RouteAction::Approve, &at(Agreed), &[Director]),
            Ok(Approved)
        );
        assert_eq!(
            next_status(RouteAction::Start, &at(Approved), &[Owner]),
            Ok(InProgress)
        );
    }

    #[test]
    fn each_approver_returns_only_what_is_before_them() {
        assert_eq!(
            next_status(RouteAction::Return, &at(Submitted), &[Tutor]),
            Ok(Returned)
        );
        assert_eq!(
            next_status(RouteAction::Return, &at(TutorAgreed), &[Tutor]),
            Err(WorkflowError::NotPermitted {
                action: RouteAction::Return
            })
        );
        assert_eq!(
            next_status(RouteAction::Return, &at(TutorAgreed), &[DeputyDirector]),
            Ok(Returned)
        );
        assert_eq!(
            next_status(RouteAction::Return, &at(Agreed), &[Director]),
            Ok(Returned)
        );
        assert!(next_status(RouteAction::Return, &at(Agreed), &[DeputyDirector]).is_err());
        assert_eq!(
            next_status(RouteAction::Submit, &at(Returned), &[Owner]),
            Ok(Submitted)
        );
    }

    #[test]
    fn only_the_right_people_take_each_step() {
        assert_eq!(
            next_status(
                RouteAction::Approve,
                &at(Agreed),
                &[DeputyDirector, Tutor, Owner]
            ),
            Err(WorkflowError::NotPermitted {
                action: RouteAction::Approve
            })
        );
        assert!(next_status(RouteAction::Submit, &at(Draft), &[Tutor, Director]).is_err());
        assert!(next_status(RouteAction::Evaluate, &at(ProductSubmitted), &[Director]).is_err());
        assert!(next_status(RouteAction::TutorAgree, &at(Submitted), &[Mentor]).is_err());
        assert_eq!(
            next_status(
                RouteAction::TutorAgree,
                &at(Submitted),
                &[SchoolCoordinator]
            ),
            Ok(TutorAgreed)
        );
    }

    #[test]
    fn steps_out_of_order_are_refused_with_the_status_named() {
        let err = next_status(RouteAction::Approve, &at(Draft), &[Director]).unwrap_err();
        assert_eq!(
            err,
            WorkflowError::WrongStatus {
                action: RouteAction::Approve,
                status: Draft
            }
        );
        assert!(err.to_string().contains("Черновик"));
        assert!(next_status(RouteAction::Start, &at(Submitted), &[Owner]).is_err());
        assert!(next_status(RouteAction::Evaluate, &at(InProgress), &[Expert]).is_err());
        assert!(next_status(RouteAction::Complete, &at(Draft), &[Director]).is_err());
    }

    #[test]
    fn every_pair_of_action_and_status_is_decided_one_way_or_the_other() {
        // An exhaustive sweep: each (action, status) either succeeds for someone or fails with
        // a reason; the set of successes is exactly the documented workflow.
        let everyone = Participant::ALL;
        let mut allowed = Vec::new();
        for status in RouteStatus::ALL {
            for action in RouteAction::ALL {
                let state = RouteState {
                    status: Some(*status),
                    unapproved_material_changes: true,
                    has_final_diagnostic: true,
                    ..RouteState::default()
                };
                if next_status(*action, &state, everyone).is_ok() {
                    allowed.push((action.as_str(), status.as_str()));
                }
            }
        }
        let expected = [
            ("submit", "draft"),
            ("withdraw", "draft"),
            ("return", "submitted"),
            ("tutor_agree", "submitted"),
            ("withdraw", "submitted"),
            ("submit", "returned"),
            ("withdraw", "returned"),
            ("return", "tutor_agreed"),
            ("agree", "tutor_agreed"),
            ("withdraw", "tutor_agreed"),
            ("return", "agreed"),
            ("approve", "agreed"),
            ("withdraw", "agreed"),
            ("start", "approved"),
            ("withdraw", "approved"),
            ("submit", "in_progress"),
            ("extend", "in_progress"),
            ("complete", "in_progress"),
            ("withdraw", "in_progress"),
            ("return_product", "product_submitted"),
            ("evaluate", "product_submitted"),
            ("withdraw", "product_submitted"),
            ("complete", "evaluated"),
            ("withdraw", "evaluated"),
            ("reopen", "completed"),
            ("reopen", "withdrawn"),
        ];
        let mut got = allowed.clone();
        let mut want = expected.to_vec();
        got.sort();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn a_started_route_returns_to_implementation_after_reapproval() {
        let state = RouteState {
            status: Some(Agreed),
            started: true,
            ..Default::default()
        };
        assert_eq!(
            next_status(RouteAction::Approve, &state, &[Director]),
            Ok(InProgress)
        );
    }

    #[test]
    fn corrections_need_reapproval_only_when_tasks_or_period_changed() {
        let plain = at(InProgress);
        assert!(matches!(
            next_status(RouteAction::Submit, &plain, &[Owner]),
            Err(WorkflowError::Rule(_))
        ));
        let changed = RouteState {
            unapproved_material_changes: true,
            ..plain
        };
        assert_eq!(
            next_status(RouteAction::Submit, &changed, &[Owner]),
            Ok(Submitted)
        );
        // …and a product cannot be submitted on an unapproved plan.
        assert!(matches!(
            next_status(RouteAction::SubmitProduct, &changed, &[Owner]),
            Err(WorkflowError::Rule(_))
        ));
        assert_eq!(
            next_status(RouteAction::SubmitProduct, &plain, &[Owner]),
            Ok(ProductSubmitted)
        );
    }

    #[test]
    fn a_route_is_extended_once_and_the_extension_is_approved_again() {
        assert_eq!(
            next_status(RouteAction::Extend, &at(InProgress), &[Owner]),
            Ok(Submitted)
        );
        let extended = RouteState {
            extended: true,
            ..at(InProgress)
        };
        assert!(matches!(
            next_status(RouteAction::Extend, &extended, &[Owner]),
            Err(WorkflowError::Rule(_))
        ));
    }

    #[test]
    fn completion_needs_an_evaluated_product_or_a_final_diagnostic() {
        assert_eq!(
            next_status(RouteAction::Complete, &at(Evaluated), &[Tutor]),
            Ok(Completed)
        );
        assert!(matches!(
            next_status(RouteAction::Complete, &at(InProgress), &[Tutor]),
            Err(WorkflowError::Rule(_))
        ));
        let diagnosed = RouteState {
            has_final_diagnostic: true,
            ..at(InProgress)
        };
        assert_eq!(
            next_status(RouteAction::Complete, &diagnosed, &[Director]),
            Ok(Completed)
        );
        assert!(next_status(RouteAction::Complete, &diagnosed, &[Owner]).is_err());
    }

    #[test]
    fn the_teacher_may_withdraw_at_any_time_before_the_end() {
        for status in RouteStatus::ALL.iter().filter(|s| !s.is_final()) {
            assert_eq!(
                next_status(RouteAction::Withdraw, &at(*status), &[Owner]),
                Ok(Withdrawn)
            );
            assert!(next_status(RouteAction::Withdraw, &at(*status), &[Director]).is_err());
        }
        assert!(next_status(RouteAction::Withdraw, &at(Completed), &[Owner]).is_err());
    }

    #[test]
    fn reopening_is_for_the_school_or_region_and_for_the_teacher_only_after_withdrawal() {
        assert!(next_status(RouteAction::Reopen, &at(Completed), &[Owner]).is_err());
        assert_eq!(
            next_status(RouteAction::Reopen, &at(Completed), &[Director]),
            Ok(Draft)
        );
        assert_eq!(
            next_status(RouteAction::Reopen, &at(Withdrawn), &[Owner]),
            Ok(Draft)
        );
        let started = RouteState {
            started: true,
            ..at(Completed)
        };
        assert_eq!(
            next_status(RouteAction::Reopen, &started, &[RegionalManager]),
            Ok(InProgress)
        );
    }

    #[test]
    fn available_actions_list_what_a_person_can_do_now() {
        assert_eq!(
            available_actions(&at(Draft), &[Owner]),
            [RouteAction::Submit, RouteAction::Withdraw]
        );
        assert_eq!(
            available_actions(&at(Submitted), &[Tutor]),
            [RouteAction::Return, RouteAction::TutorAgree]
        );
        assert!(available_actions(&at(Submitted), &[Mentor]).is_empty());
    }

    #[test]
    fn stages_follow_the_status_and_the_filled_sections() {
        assert_eq!(stage_of(Draft, false, false), Stage::Preparatory);
        assert_eq!(stage_of(Draft, true, false), Stage::DiagnosticMotivational);
        assert_eq!(stage_of(Submitted, true, true), Stage::Design);
        assert_eq!(stage_of(InProgress, true, true), Stage::Implementation);
        assert_eq!(stage_of(Completed, true, true), Stage::ReflectiveAnalytical);
    }

    #[test]
    fn the_plan_is_held_still_during_agreement_and_everything_freezes_at_the_end() {
        assert!(editable(Part::Plan, Draft));
        assert!(editable(Part::Plan, InProgress));
        for s in [
            Submitted,
            TutorAgreed,
            Agreed,
            ProductSubmitted,
            Evaluated,
            Completed,
            Withdrawn,
        ] {
            assert!(!editable(Part::Plan, s), "{s}");
        }
        assert!(!editable(Part::Conclusion, Draft));
        assert!(editable(Part::Conclusion, Evaluated));
        for part in [
            Part::Plan,
            Part::Progress,
            Part::FinalEvent,
            Part::Conclusion,
        ] {
            assert!(!editable(part, Completed) && !editable(part, Withdrawn));
        }
    }

    #[test]
    fn an_empty_route_cannot_be_submitted_and_a_complete_one_can() {
        let empty = submission_problems(&Completeness::default());
        assert_eq!(empty.len(), 3);
        assert!(empty.iter().all(|(_, m)| !m.is_empty()));
        let ready = Completeness {
            deficits: 2,
            tasks: 1,
            activities: 3,
            ..Default::default()
        };
        assert!(submission_problems(&ready).is_empty());
        let loose = Completeness {
            tasks_without_deficits: 1,
            activities_out_of_period: 1,
            ..ready
        };
        assert_eq!(submission_problems(&loose).len(), 2);
    }

    #[test]
    fn months_are_added_with_the_day_clamped() {
        assert_eq!(add_months(date(2026, 1, 31), 1), date(2026, 2, 28));
        assert_eq!(add_months(date(2026, 9, 1), 12), date(2027, 9, 1));
        assert_eq!(add_months(date(2026, 11, 30), 3), date(2027, 2, 28));
    }

    #[test]
    fn a_route_lasts_at_most_the_regions_maximum() {
        assert!(check_period(date(2026, 9, 1), date(2027, 8, 31), 12).is_ok());
        assert!(check_period(date(2026, 9, 1), date(2027, 9, 1), 12).is_ok());
        assert!(check_period(date(2026, 9, 1), date(2027, 9, 2), 12).is_err());
        assert!(check_period(date(2026, 9, 1), date(2028, 9, 1), 60).is_ok());
        assert!(check_period(date(2026, 9, 2), date(2026, 9, 1), 12).is_err());
    }

    #[test]
    fn an_extension_is_later_and_at_most_six_months() {
        let end = date(2027, 5, 31);
        assert!(check_extension(end, date(2027, 11, 30), 6).is_ok());
        assert!(check_extension(end, date(2027, 12, 1), 6).is_err());
        assert!(check_extension(end, end, 6).is_err());
    }

    #[test]
    fn activities_stay_within_the_period() {
        let period = (date(2026, 9, 1), date(2027, 5, 31));
        assert!(
            check_activity_dates(Some(date(2026, 10, 1)), Some(date(2026, 10, 3)), period).is_ok()
        );
        assert!(check_activity_dates(None, None, period).is_ok());
        assert!(check_activity_dates(Some(date(2026, 8, 31)), None, period).is_err());
        assert!(check_activity_dates(None, Some(date(2027, 6, 1)), period).is_err());
        assert!(
            check_activity_dates(Some(date(2026, 10, 3)), Some(date(2026, 10, 1)), period).is_err()
        );
    }

    #[test]
    fn the_outcome_follows_the_completion_criteria() {
        let c = |d, e| CompletionCriteria {
            positive_dynamics: d,
            deficits_eliminated: e,
        };
        assert_eq!(suggested_outcome(c(None, None)), None);
        assert_eq!(
            suggested_outcome(c(Some(true), None)),
            Some(Outcome::Achieved)
        );
        assert_eq!(
            suggested_outcome(c(None, Some(true))),
            Some(Outcome::Achieved)
        );
        assert_eq!(
            suggested_outcome(c(Some(true), Some(true))),
            Some(Outcome::Achieved)
        );
        assert_eq!(
            suggested_outcome(c(Some(true), Some(false))),
            Some(Outcome::NotAchieved)
        );
        assert_eq!(
            suggested_outcome(c(Some(false), None)),
            Some(Outcome::NotAchieved)
        );
    }

    #[test]
    fn achieved_needs_criteria_that_do_not_contradict_it() {
        let c = |d, e| CompletionCriteria {
            positive_dynamics: d,
            deficits_eliminated: e,
        };
        assert!(check_outcome(Outcome::Achieved, c(None, None)).is_ok());
        assert!(check_outcome(Outcome::Achieved, c(Some(true), Some(true))).is_ok());
        let err = check_outcome(Outcome::Achieved, c(Some(false), Some(true))).unwrap_err();
        assert!(err.contains("динамика"), "{err}");
        assert!(!err.contains("эксперт"), "{err}");
        let err = check_outcome(Outcome::Achieved, c(Some(true), Some(false))).unwrap_err();
        assert!(err.contains("эксперт"), "{err}");
        assert!(check_outcome(Outcome::NotAchieved, c(Some(true), Some(true))).is_ok());
    }
}
