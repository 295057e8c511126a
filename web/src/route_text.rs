//! How a route's state is told to people: status colours, the next step and whose it is, the
//! default period, periods of progress records, file types, and the words of the history.
//! Pure functions, tested natively.

use chrono::{Datelike, NaiveDate};
use shared::workflow::{Outcome, Participant, RouteAction};
use shared::{
    ActivityStatus, CompetencyLevel, DeficitState, DiagnosticKind, EventLevel, PeriodKind,
};
use shared::{RouteStatus, Stage};

use crate::components::BadgeKind;

/// The colour of a status badge (the text always says the status too).
pub fn status_badge(status: RouteStatus) -> BadgeKind {
    use RouteStatus::*;
    match status {
        Draft | Withdrawn => BadgeKind::Neutral,
        Returned => BadgeKind::Warning,
        Submitted | TutorAgreed | Agreed | ProductSubmitted | Evaluated => BadgeKind::Info,
        Approved | InProgress | Completed => BadgeKind::Success,
    }
}

/// The colour of an activity's status.
pub fn activity_badge(status: ActivityStatus, overdue: bool) -> BadgeKind {
    match status {
        _ if overdue => BadgeKind::Danger,
        ActivityStatus::Planned => BadgeKind::Neutral,
        ActivityStatus::InProgress => BadgeKind::Info,
        ActivityStatus::Done => BadgeKind::Success,
        ActivityStatus::Cancelled => BadgeKind::Warning,
    }
}

/// A planned or running activity whose end (or start, when it has no end) has passed.
pub fn is_overdue(
    status: ActivityStatus,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    matches!(status, ActivityStatus::Planned | ActivityStatus::InProgress)
        && end.or(start).is_some_and(|d| d < today)
}

/// Whether the roadmap is being carried out, so that dates that passed mean something is late.
pub fn is_running(status: RouteStatus) -> bool {
    matches!(status, RouteStatus::Approved | RouteStatus::InProgress)
}

/// What is expected next on a route, and from whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextStep {
    pub what: &'static str,
    pub who: &'static str,
}

/// The next step for a route in `status`.
pub fn next_step(status: RouteStatus, needs_reapproval: bool) -> NextStep {
    use RouteStatus::*;
    let (what, who) = match status {
        Draft => (
            "Заполнить разделы маршрута: дефициты, задачи развития и дорожную карту — и отправить его на согласование.",
            "педагог (с тьютором)",
        ),
        Returned => (
            "Доработать маршрут по замечаниям и снова отправить на согласование.",
            "педагог",
        ),
        Submitted => (
            "Рассмотреть маршрут: согласовать или вернуть на доработку с замечаниями.",
            "тьютор или координатор ОО",
        ),
        TutorAgreed => (
            "Согласовать маршрут («СОГЛАСОВАНО») или вернуть на доработку.",
            "заместитель директора",
        ),
        Agreed => (
            "Утвердить маршрут («УТВЕРЖДАЮ») или вернуть на доработку.",
            "директор",
        ),
        Approved => (
            "Начать реализацию маршрута.",
            "педагог, тьютор или координатор ОО",
        ),
        InProgress if needs_reapproval => (
            "Задачи или срок маршрута изменены: отправить маршрут на повторное согласование.",
            "педагог",
        ),
        InProgress => (
            "Выполнять дорожную карту: отмечать участие, писать рефлексию, прикладывать подтверждения; затем представить продукт на экспертизу.",
            "педагог",
        ),
        ProductSubmitted => (
            "Оценить методический продукт: устранён ли каждый дефицит.",
            "эксперт",
        ),
        Evaluated => (
            "Написать заключение, указать итог и завершить маршрут.",
            "тьютор, координатор ОО или директор",
        ),
        Completed => ("Маршрут завершён.", "—"),
        Withdrawn => ("Маршрут отозван. Педагог может возобновить его.", "педагог"),
    };
    NextStep { what, who }
}

/// What a queue asks of the person for a route in `status` (the «Согласование» list).
pub fn queue_task(status: RouteStatus) -> &'static str {
    use RouteStatus::*;
    match status {
        Submitted => "Согласовать (тьютор) или вернуть",
        TutorAgreed => "Согласовать («СОГЛАСОВАНО»)",
        Agreed => "Утвердить («УТВЕРЖДАЮ»)",
        ProductSubmitted => "Оценить продукт",
        Evaluated | InProgress => "Заключение и завершение",
        _ => "Рассмотреть",
    }
}

/// How an action's button looks: the main step of a person is primary, going back or away is
/// secondary.
pub fn action_is_primary(action: RouteAction) -> bool {
    !matches!(
        action,
        RouteAction::Return
            | RouteAction::ReturnProduct
            | RouteAction::Withdraw
            | RouteAction::Extend
            | RouteAction::Reopen
    )
}

/// What the confirmation of an action says will happen.
pub fn action_explained(action: RouteAction) -> &'static str {
    match action {
        RouteAction::Submit => {
            "Маршрут уйдёт тьютору на согласование; пока он согласуется, план изменить нельзя."
        }
        RouteAction::Return => "Маршрут вернётся педагогу на доработку с вашими замечаниями.",
        RouteAction::TutorAgree => "Маршрут уйдёт на согласование заместителю директора.",
        RouteAction::Agree => "Ваша подпись «СОГЛАСОВАНО»; маршрут уйдёт на утверждение директору.",
        RouteAction::Approve => {
            "Ваша подпись «УТВЕРЖДАЮ» под этой версией маршрута; педагог сможет начать реализацию."
        }
        RouteAction::Start => "Маршрут перейдёт к реализации дорожной карты.",
        RouteAction::Extend => {
            "Продлить можно один раз, не более чем на 6 месяцев; новый срок согласуется и утверждается заново."
        }
        RouteAction::SubmitProduct => {
            "Продукт уйдёт эксперту; пока идёт экспертиза, план изменить нельзя."
        }
        RouteAction::ReturnProduct => {
            "Продукт вернётся педагогу на доработку с вашими замечаниями."
        }
        RouteAction::Evaluate => "Отметьте по каждому дефициту, устранён ли он.",
        RouteAction::Complete => {
            "Маршрут будет завершён и заморожен; заключение и итог должны быть заполнены."
        }
        RouteAction::Withdraw => {
            "Участие добровольно: маршрут будет отозван. Возобновить его можно позже."
        }
        RouteAction::Reopen => "Маршрут снова станет доступен для работы; укажите причину.",
    }
}

/// What a person is told after taking an action.
pub fn action_done(action: RouteAction) -> &'static str {
    match action {
        RouteAction::Submit => "Маршрут отправлен на согласование.",
        RouteAction::Return => "Маршрут возвращён на доработку.",
        RouteAction::TutorAgree => "Маршрут согласован и передан заместителю директора.",
        RouteAction::Agree => "Маршрут согласован и передан на утверждение директору.",
        RouteAction::Approve => "Маршрут утверждён.",
        RouteAction::Start => "Реализация маршрута начата.",
        RouteAction::Extend => "Срок продлён; продление передано на согласование.",
        RouteAction::SubmitProduct => "Продукт представлен на экспертизу.",
        RouteAction::ReturnProduct => "Продукт возвращён на доработку.",
        RouteAction::Evaluate => "Экспертная оценка сохранена.",
        RouteAction::Complete => "Маршрут завершён.",
        RouteAction::Withdraw => "Маршрут отозван.",
        RouteAction::Reopen => "Маршрут возобновлён.",
    }
}

/// Who in `participants` may write the conclusion.
pub fn writes_conclusion(participants: &[Participant]) -> bool {
    participants.iter().any(|p| {
        matches!(
            p,
            Participant::Tutor
                | Participant::SchoolCoordinator
                | Participant::Director
                | Participant::RegionalManager
        )
    })
}

/// Who in `participants` may write the route's content (the teacher, a consenting tutor, the
/// school coordinator).
pub fn writes_content(participants: &[Participant]) -> bool {
    participants.iter().any(|p| {
        matches!(
            p,
            Participant::Owner | Participant::Tutor | Participant::SchoolCoordinator
        )
    })
}

/// The five stages with where the route is: `(stage, done, current)`.
pub fn stepper(stage: Stage) -> Vec<(Stage, bool, bool)> {
    let n = stage.number();
    Stage::ALL
        .iter()
        .map(|s| (*s, s.number() < n, *s == stage))
        .collect()
}

/// The default period of a new route: 1 September to 31 May of the coming school year (the
/// one starting on the next 1 September, today included).
pub fn default_period(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let year = if (today.month(), today.day()) <= (9, 1) {
        today.year()
    } else {
        today.year() + 1
    };
    let start = NaiveDate::from_ymd_opt(year, 9, 1).unwrap_or(today);
    let end = NaiveDate::from_ymd_opt(year + 1, 5, 31).unwrap_or(today);
    (start, end)
}

const MONTHS: [&str; 12] = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
];

/// The months a route's period covers, as progress periods (`2026-10`).
pub fn months_of(start: NaiveDate, end: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let (mut y, mut m) = (start.year(), start.month());
    while (y, m) <= (end.year(), end.month()) && out.len() < 120 {
        out.push(format!("{y:04}-{m:02}"));
        if m == 12 {
            y += 1;
            m = 1;
        } else {
            m += 1;
        }
    }
    out
}

/// The school's half-years a route's period covers (`2026-2027/1` is September to December,
/// `/2` January to August).
pub fn semesters_of(start: NaiveDate, end: NaiveDate) -> Vec<String> {
    let half = |d: NaiveDate| {
        if d.month() >= 9 {
            (d.year(), 1)
        } else {
            (d.year() - 1, 2)
        }
    };
    let (mut y, mut h) = half(start);
    let last = half(end);
    let mut out = Vec::new();
    while (y, h) <= last && out.len() < 20 {
        out.push(format!("{y}-{}/{h}", y + 1));
        if h == 1 {
            h = 2;
        } else {
            y += 1;
            h = 1;
        }
    }
    out
}

/// A progress period as read: «Октябрь 2026», «2026/2027 уч. г., 1-е полугодие».
pub fn period_title(kind: PeriodKind, period: &str) -> String {
    match kind {
        PeriodKind::Month => {
            let parsed = period.split_once('-').and_then(|(y, m)| {
                let m: usize = m.parse().ok()?;
                Some((y, *MONTHS.get(m.checked_sub(1)?)?))
            });
            match parsed {
                Some((y, name)) => format!("{name} {y}"),
                None => period.to_owned(),
            }
        }
        PeriodKind::Semester => match period.split_once('/') {
            Some((years, h)) => {
                format!("{} уч. г., {h}-е полугодие", years.replace('-', "/"))
            }
            None => period.to_owned(),
        },
    }
}

/// The current month or half-year among `options`, else the first.
pub fn current_period(options: &[String], kind: PeriodKind, today: NaiveDate) -> String {
    let now = match kind {
        PeriodKind::Month => format!("{:04}-{:02}", today.year(), today.month()),
        PeriodKind::Semester => semesters_of(today, today).pop().unwrap_or_default(),
    };
    if options.contains(&now) {
        now
    } else {
        options.first().cloned().unwrap_or(now)
    }
}

/// The largest file the server takes.
pub const MAX_FILE_BYTES: f64 = 20.0 * 1024.0 * 1024.0;

/// What the file input offers.
pub const FILE_ACCEPT: &str = ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xlsx,.pptx,.odt,.ods,.odp,.txt";

/// The content type the server expects for a file name, by its extension.
pub fn content_type_for(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_lowercase();
    Some(match ext.as_str() {
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "odp" => "application/vnd.oasis.opendocument.presentation",
        "txt" => "text/plain",
        _ => return None,
    })
}

/// «340 КБ», «1,5 МБ».
pub fn file_size(bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    if b < 1024.0 {
        format!("{bytes} Б")
    } else if b < 1024.0 * 1024.0 {
        format!("{} КБ", (b / 1024.0).round())
    } else {
        let tenths = (b / 1024.0 / 1024.0 * 10.0).round() as i64;
        format!("{},{} МБ", tenths / 10, tenths % 10)
    }
}

/// A field of the history as read.
pub fn field_title(field: &str) -> &str {
    match field {
        "title" => "название",
        "track" => "тематический трек",
        "period_start" => "начало срока",
        "period_end" => "окончание срока",
        "period" => "срок",
        "educational_request" => "образовательный запрос",
        "profile" => "информационная справка",
        "name" => "наименование",
        "kind" => "вид",
        "level" => "уровень",
        "date" => "дата",
        "results" => "результаты по компетенциям",
        "description" => "описание",
        "competency" => "компетенция",
        "competencies" => "компетенции",
        "confirmed" => "подтверждён",
        "state" => "состояние",
        "deficits" => "дефициты",
        "start_date" => "дата начала",
        "end_date" => "дата окончания",
        "participation_form" => "форма участия",
        "result" => "результат",
        "status" => "статус",
        "reflection" => "рефлексия",
        "hours" => "часы",
        "order" => "порядок мероприятий",
        "text" => "запись",
        "link" => "ссылка",
        "done" => "отметка о проведении",
        "findings" => "выводы",
        "recommendations" => "рекомендации",
        "outcome" => "итог",
        "added" => "добавлено",
        "removed" => "удалено",
        other => other,
    }
}

/// A value of the history as read: codes of the domain's scales become their Russian titles.
pub fn field_value(field: &str, value: &str) -> String {
    fn title<T: std::str::FromStr>(value: &str, f: fn(T) -> &'static str) -> Option<String> {
        value.parse::<T>().ok().map(|v| f(v).to_owned())
    }
    let known = match field {
        "level" => title::<EventLevel>(value, EventLevel::title_ru)
            .or_else(|| title::<CompetencyLevel>(value, CompetencyLevel::title_ru)),
        "kind" => title::<DiagnosticKind>(value, DiagnosticKind::title_ru),
        "status" => title::<ActivityStatus>(value, ActivityStatus::title_ru),
        "state" => title::<DeficitState>(value, DeficitState::title_ru),
        "outcome" => title::<Outcome>(value, Outcome::title_ru),
        "confirmed" | "done" => match value {
            "true" => Some("да".to_owned()),
            "false" => Some("нет".to_owned()),
            _ => None,
        },
        _ => None,
    };
    known.unwrap_or_else(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn the_default_period_is_the_coming_school_year() {
        assert_eq!(
            default_period(d(2026, 11, 24)),
            (d(2027, 9, 1), d(2028, 5, 31))
        );
        assert_eq!(
            default_period(d(2026, 6, 10)),
            (d(2026, 9, 1), d(2027, 5, 31))
        );
        assert_eq!(
            default_period(d(2026, 9, 1)),
            (d(2026, 9, 1), d(2027, 5, 31))
        );
        assert_eq!(
            default_period(d(2027, 2, 1)),
            (d(2027, 9, 1), d(2028, 5, 31))
        );
    }

    #[test]
    fn every_status_names_a_next_step_and_whose_it_is() {
        for s in RouteStatus::ALL {
            let step = next_step(*s, false);
            assert!(!step.what.is_empty() && !step.who.is_empty());
        }
        assert!(
            next_step(RouteStatus::Agreed, false)
                .who
                .contains("директор")
        );
        assert!(
            next_step(RouteStatus::InProgress, true)
                .what
                .contains("повторное")
        );
    }

    #[test]
    fn periods_cover_the_route_by_month_and_half_year() {
        let months = months_of(d(2026, 9, 1), d(2027, 5, 31));
        assert_eq!(months.len(), 9);
        assert_eq!(months[0], "2026-09");
        assert_eq!(months[8], "2027-05");
        assert_eq!(
            semesters_of(d(2026, 9, 1), d(2027, 5, 31)),
            ["2026-2027/1", "2026-2027/2"]
        );
        assert_eq!(
            semesters_of(d(2027, 1, 10), d(2027, 12, 1)),
            ["2026-2027/2", "2027-2028/1"]
        );
        assert_eq!(period_title(PeriodKind::Month, "2026-10"), "Октябрь 2026");
        assert_eq!(
            period_title(PeriodKind::Semester, "2026-2027/1"),
            "2026/2027 уч. г., 1-е полугодие"
        );
        assert_eq!(
            current_period(&months, PeriodKind::Month, d(2026, 11, 3)),
            "2026-11"
        );
        assert_eq!(
            current_period(&months, PeriodKind::Month, d(2030, 1, 1)),
            "2026-09"
        );
    }

    #[test]
    fn files_get_the_type_the_server_expects() {
        assert_eq!(
            content_type_for("Удостоверение.PDF"),
            Some("application/pdf")
        );
        assert_eq!(content_type_for("photo.jpeg"), Some("image/jpeg"));
        assert_eq!(content_type_for("script.js"), None);
        assert_eq!(content_type_for("noextension"), None);
        assert_eq!(file_size(512), "512 Б");
        assert_eq!(file_size(2048), "2 КБ");
        assert_eq!(file_size(1_572_864), "1,5 МБ");
    }

    #[test]
    fn overdue_means_planned_and_past_its_end() {
        let today = d(2026, 11, 24);
        assert!(is_overdue(
            ActivityStatus::Planned,
            None,
            Some(d(2026, 11, 1)),
            today
        ));
        assert!(is_overdue(
            ActivityStatus::InProgress,
            Some(d(2026, 10, 1)),
            None,
            today
        ));
        assert!(!is_overdue(
            ActivityStatus::Done,
            None,
            Some(d(2026, 11, 1)),
            today
        ));
        assert!(!is_overdue(
            ActivityStatus::Planned,
            None,
            Some(d(2026, 12, 1)),
            today
        ));
        assert!(!is_overdue(ActivityStatus::Planned, None, None, today));
    }

    #[test]
    fn history_values_read_in_russian() {
        assert_eq!(field_title("participation_form"), "форма участия");
        assert_eq!(field_value("status", "done"), "Выполнено");
        assert_eq!(field_value("level", "regional"), "Региональный");
        assert_eq!(field_value("level", "low"), "Низкий");
        assert_eq!(field_value("title", "Как есть"), "Как есть");
    }

    #[test]
    fn the_stepper_marks_stages_before_the_current_one_done() {
        let steps = stepper(Stage::Design);
        assert_eq!(steps.len(), 5);
        assert!(steps[0].1 && steps[1].1 && !steps[2].1);
        assert!(steps[2].2 && !steps[3].2);
    }
}
