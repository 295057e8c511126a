//! Domain events and what they mean to people: who is told of a fact, in what words, and what
//! counts as work waiting for someone (the «Что сделать» list). Pure and unit-tested; the server
//! records the events and computes recipients and tasks through the access policy.

use chrono::NaiveDate;

use crate::levels::ActivityStatus;
use crate::route::RouteStatus;
use crate::workflow::{Participant, RouteAction};

domain_enum! {
    /// A fact the platform records once, in the transaction that makes it true. The codes of
    /// route facts are those webhooks carry, so both speak of one stream.
    #[cfg_attr(feature = "openapi", schema(as = DomainEventKind))]
    pub enum EventKind {
        RouteDrafted => ("route.drafted", "Подготовлен черновик маршрута"),
        RouteSubmitted => ("route.submitted", "Маршрут отправлен на согласование"),
        RouteReturned => ("route.returned", "Маршрут возвращён на доработку"),
        RouteAgreed => ("route.agreed", "Маршрут согласован"),
        RouteApproved => ("route.approved", "Маршрут утверждён"),
        RouteStarted => ("route.started", "Реализация маршрута начата"),
        RouteExtended => ("route.extended", "Срок маршрута продлевается"),
        RouteProductSubmitted => ("route.product_submitted", "Продукт представлен на экспертизу"),
        RouteProductReturned => ("route.product_returned", "Продукт возвращён на доработку"),
        RouteEvaluated => ("route.evaluated", "Продукт оценён"),
        RouteCompleted => ("route.completed", "Маршрут завершён"),
        RouteWithdrawn => ("route.withdrawn", "Маршрут отозван"),
        RouteReopened => ("route.reopened", "Маршрут возобновлён"),
        ActivityDone => ("activity.done", "Мероприятие выполнено"),
        CommentAdded => ("comment.added", "Комментарий к маршруту"),
        DiagnosticImported => ("diagnostic.imported", "Загружены результаты диагностики"),
        ActivityDueSoon => ("activity.due_soon", "Скоро срок мероприятия"),
        ActivityOverdue => ("activity.overdue", "Мероприятие просрочено"),
        RouteEndingSoon => ("route.ending_soon", "Маршрут скоро заканчивается"),
        RouteStalled => ("route.stalled", "Маршрут ждёт дольше установленного срока"),
        RouteEscalated => ("route.escalated", "Маршрут ждёт вдвое дольше установленного срока"),
        SummaryWeekly => ("summary.weekly", "Сводка по маршрутам за неделю"),
        AttestationDue => ("attestation.due", "Скоро заканчивается срок квалификационной категории"),
        ProductPublished => ("product.published", "Методический продукт опубликован в банке"),
        ProductWithdrawn => ("product.withdrawn", "Методический продукт снят с публикации"),
        ProductRecommended => ("product.recommended", "Рекомендован методический продукт"),
    }
}

impl EventKind {
    /// The fact a workflow step records.
    pub const fn of_action(action: RouteAction) -> EventKind {
        match action {
            RouteAction::Submit => EventKind::RouteSubmitted,
            RouteAction::Return => EventKind::RouteReturned,
            RouteAction::TutorAgree | RouteAction::Agree => EventKind::RouteAgreed,
            RouteAction::Approve => EventKind::RouteApproved,
            RouteAction::Start => EventKind::RouteStarted,
            RouteAction::Extend => EventKind::RouteExtended,
            RouteAction::SubmitProduct => EventKind::RouteProductSubmitted,
            RouteAction::ReturnProduct => EventKind::RouteProductReturned,
            RouteAction::Evaluate => EventKind::RouteEvaluated,
            RouteAction::Complete => EventKind::RouteCompleted,
            RouteAction::Withdraw => EventKind::RouteWithdrawn,
            RouteAction::Reopen => EventKind::RouteReopened,
        }
    }
}

/// One group of people told of a route event: those who play the first part in `parts` that
/// anybody plays in the route (a school without a deputy director: the director).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audience {
    pub parts: &'static [Participant],
    /// The notice asks them to act (agree, approve, evaluate); otherwise it informs.
    pub needs_action: bool,
}

const fn acts(parts: &'static [Participant]) -> Audience {
    Audience {
        parts,
        needs_action: true,
    }
}

const fn informs(parts: &'static [Participant]) -> Audience {
    Audience {
        parts,
        needs_action: false,
    }
}

/// Who is told of a route event that left the route in `to`. The person who acted is never
/// told of their own step (the server leaves them out).
pub fn route_audience(kind: EventKind, to: RouteStatus) -> Vec<Audience> {
    use Participant::*;
    match (kind, to) {
        // Agreement starts with the teacher's tutor; without one, the school coordinator.
        (EventKind::RouteSubmitted | EventKind::RouteExtended, RouteStatus::Submitted) => {
            vec![acts(&[Tutor, SchoolCoordinator])]
        }
        (EventKind::RouteAgreed, RouteStatus::TutorAgreed) => {
            vec![informs(&[Owner]), acts(&[DeputyDirector, Director])]
        }
        (EventKind::RouteAgreed, RouteStatus::Agreed) => {
            vec![informs(&[Owner]), acts(&[Director])]
        }
        (EventKind::RouteReturned, _)
        | (EventKind::RouteApproved, _)
        | (EventKind::RouteProductReturned, _)
        | (EventKind::RouteCompleted, _)
        | (EventKind::RouteReopened, _) => vec![informs(&[Owner])],
        (EventKind::RouteProductSubmitted, _) => vec![acts(&[Expert])],
        (EventKind::RouteEvaluated, _) => vec![informs(&[Owner]), acts(&[Tutor])],
        (EventKind::CommentAdded, _) => vec![informs(&[Owner]), informs(&[Tutor])],
        // Reminders of the daily scan: the teacher's own deadlines; what has slipped also
        // asks the tutor to help.
        (EventKind::ActivityDueSoon, _) => vec![informs(&[Owner])],
        (EventKind::ActivityOverdue | EventKind::RouteEndingSoon, _) => {
            vec![informs(&[Owner]), acts(&[Tutor])]
        }
        // Escalation: the school coordinator first, the municipal coordinator after twice the
        // time.
        (EventKind::RouteStalled, _) => vec![acts(&[SchoolCoordinator])],
        (EventKind::RouteEscalated, _) => vec![acts(&[MunicipalCoordinator])],
        // A draft prepared by the ЦНППМ manager: the teacher reviews and submits it.
        (EventKind::RouteDrafted, _) => vec![acts(&[Owner]), informs(&[Tutor])],
        _ => Vec::new(),
    }
}

/// What a notice about a route needs to name.
#[derive(Debug, Clone, Copy)]
pub struct RouteNote<'a> {
    pub title: &'a str,
    /// The teacher whose route it is (short name).
    pub teacher: &'a str,
    /// Who acted (short name).
    pub actor: &'a str,
    /// The reason given with a return or a reopening.
    pub comment: Option<&'a str>,
    /// What a reminder or an escalation is about, from the event's payload.
    pub reminder: Reminder<'a>,
}

/// The details a reminder or an escalation names.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reminder<'a> {
    /// The roadmap activity.
    pub activity: Option<&'a str>,
    /// The activity's or the route's end.
    pub date: Option<NaiveDate>,
    /// Days left before that date, or days a route has waited.
    pub days: Option<i64>,
    /// The status the route waits in.
    pub waiting_in: Option<RouteStatus>,
}

/// The Russian text of a notice about a route event for someone who is `asked` to act, or
/// only informed.
pub fn route_notice(kind: EventKind, to: RouteStatus, asked: bool, n: &RouteNote<'_>) -> String {
    let title = n.title;
    let teacher = n.teacher;
    let reason = n
        .comment
        .map(|c| format!(": {}", short(c, 200)))
        .unwrap_or_default();
    match kind {
        EventKind::RouteDrafted if asked => format!(
            "Для вас подготовлен черновик маршрута «{title}» ({}): проверьте, дополните и отправьте на согласование",
            n.actor
        ),
        EventKind::RouteDrafted => {
            format!("Для педагога {teacher} подготовлен черновик маршрута «{title}»")
        }
        EventKind::RouteSubmitted if asked => {
            format!("{teacher} отправил(а) маршрут «{title}» на согласование — ждёт вашего решения")
        }
        EventKind::RouteExtended if asked => {
            format!("{teacher} продлевает маршрут «{title}» — согласуйте новый срок")
        }
        EventKind::RouteAgreed if asked && to == RouteStatus::Agreed => {
            format!("Маршрут «{title}» педагога {teacher} согласован и ждёт вашего утверждения")
        }
        EventKind::RouteAgreed if asked => {
            format!(
                "Маршрут «{title}» педагога {teacher} согласован тьютором и ждёт вашего согласования"
            )
        }
        EventKind::RouteAgreed => format!("Маршрут «{title}» согласован ({})", n.actor),
        EventKind::RouteReturned => {
            format!(
                "Маршрут «{title}» возвращён на доработку ({}){reason}",
                n.actor
            )
        }
        EventKind::RouteApproved => format!("Маршрут «{title}» утверждён ({})", n.actor),
        EventKind::RouteProductSubmitted => {
            format!("Продукт по маршруту «{title}» педагога {teacher} ждёт вашей экспертизы")
        }
        EventKind::RouteProductReturned => {
            format!("Продукт по маршруту «{title}» возвращён на доработку{reason}")
        }
        EventKind::RouteEvaluated if asked => format!(
            "Продукт по маршруту «{title}» педагога {teacher} оценён — подготовьте заключение и завершите маршрут"
        ),
        EventKind::RouteEvaluated => format!("Продукт по маршруту «{title}» оценён экспертом"),
        EventKind::RouteCompleted => format!("Маршрут «{title}» завершён"),
        EventKind::RouteReopened => format!("Маршрут «{title}» возобновлён{reason}"),
        EventKind::CommentAdded => {
            format!("{} оставил(а) комментарий к маршруту «{title}»", n.actor)
        }
        EventKind::ActivityDueSoon | EventKind::ActivityOverdue => {
            let r = n.reminder;
            let activity = r.activity.unwrap_or_default();
            let date = r
                .date
                .map(|d| d.format("%d.%m.%Y").to_string())
                .unwrap_or_default();
            if kind == EventKind::ActivityOverdue {
                if asked {
                    format!(
                        "У педагога {teacher} просрочено мероприятие «{activity}» маршрута «{title}» (срок — {date})"
                    )
                } else {
                    format!(
                        "Просрочено мероприятие «{activity}» маршрута «{title}» (срок — {date})"
                    )
                }
            } else {
                let left = match r.days {
                    Some(0) => "сегодня".to_owned(),
                    Some(1) => "завтра".to_owned(),
                    Some(d) => format!("через {d} дн."),
                    None => String::new(),
                };
                format!(
                    "Срок мероприятия «{activity}» маршрута «{title}» — {date} ({left}): отметьте выполнение"
                )
            }
        }
        EventKind::RouteEndingSoon => {
            let r = n.reminder;
            let date = r
                .date
                .map(|d| d.format("%d.%m.%Y").to_string())
                .unwrap_or_default();
            let left = r.days.unwrap_or_default();
            let whose = if asked {
                format!("Маршрут «{title}» педагога {teacher}")
            } else {
                format!("Ваш маршрут «{title}»")
            };
            format!(
                "{whose} заканчивается {date} (через {left} дн.), а продукт ещё не представлен на экспертизу"
            )
        }
        EventKind::RouteStalled | EventKind::RouteEscalated => {
            let r = n.reminder;
            let whom = r.waiting_in.and_then(waiting_for).unwrap_or("решения");
            format!(
                "Маршрут «{title}» педагога {teacher} ждёт {whom} уже {} дн. — помогите сдвинуть его",
                r.days.unwrap_or_default()
            )
        }
        other => format!("{}: «{title}»", other.title_ru()),
    }
}

domain_enum! {
    /// What a notice is about, as a person chooses how to receive it: each kind goes to the
    /// platform only, or also by e-mail at once.
    pub enum NoticeKind {
        AwaitingStep => ("route_step", "Маршрут ждёт моего решения: согласование, утверждение, завершение"),
        ProductToEvaluate => ("product_to_evaluate", "Продукт ждёт моей экспертизы"),
        Returned => ("returned", "Мой маршрут или продукт возвращён на доработку"),
        RouteProgress => ("route_progress", "Ход моего маршрута: согласован, утверждён, оценён, завершён"),
        Comment => ("comment", "Комментарии к маршрутам"),
        Reminder => ("reminder", "Напоминания о сроках мероприятий и маршрута"),
        Escalation => ("escalation", "Маршруты, которые ждут дольше установленного срока"),
        Summary => ("summary", "Еженедельная сводка по маршрутам (координаторам и менеджерам)"),
        Other => ("other", "Прочие уведомления"),
    }
}

domain_enum! {
    /// How a person receives notices of one kind.
    pub enum NoticeChannel {
        Platform => ("platform", "Только на платформе"),
        Email => ("email", "На платформе и письмом на почту"),
        /// Collected into one letter a day ([`digest_body`]), for what can wait until morning.
        Digest => ("digest", "На платформе и в ежедневной сводке на почту"),
    }
}

impl NoticeKind {
    /// The kind of a notice of `event` for someone who is `asked` to act, or only informed.
    pub const fn of(event: EventKind, asked: bool) -> NoticeKind {
        match event {
            EventKind::RouteProductSubmitted => NoticeKind::ProductToEvaluate,
            EventKind::RouteReturned | EventKind::RouteProductReturned => NoticeKind::Returned,
            EventKind::CommentAdded => NoticeKind::Comment,
            EventKind::ActivityDueSoon
            | EventKind::ActivityOverdue
            | EventKind::RouteEndingSoon
            | EventKind::AttestationDue => NoticeKind::Reminder,
            EventKind::RouteStalled | EventKind::RouteEscalated => NoticeKind::Escalation,
            EventKind::SummaryWeekly => NoticeKind::Summary,
            EventKind::RouteSubmitted
            | EventKind::RouteExtended
            | EventKind::RouteAgreed
            | EventKind::RouteEvaluated
                if asked =>
            {
                NoticeKind::AwaitingStep
            }
            EventKind::RouteDrafted
            | EventKind::RouteAgreed
            | EventKind::RouteApproved
            | EventKind::RouteStarted
            | EventKind::RouteEvaluated
            | EventKind::RouteCompleted
            | EventKind::RouteReopened
            | EventKind::RouteWithdrawn => NoticeKind::RouteProgress,
            _ => NoticeKind::Other,
        }
    }

    /// The channel a person has until they choose: a letter for what waits for their action
    /// (a step of a route, a product to evaluate, a returned route), the platform for the rest.
    pub const fn default_channel(self) -> NoticeChannel {
        match self {
            NoticeKind::AwaitingStep
            | NoticeKind::ProductToEvaluate
            | NoticeKind::Returned
            | NoticeKind::Reminder
            | NoticeKind::Escalation
            | NoticeKind::Summary => NoticeChannel::Email,
            NoticeKind::RouteProgress | NoticeKind::Comment | NoticeKind::Other => {
                NoticeChannel::Platform
            }
        }
    }
}

/// The channel of every kind for a person whose stored choices are `chosen` (kinds not in it
/// keep their default), in the domain's order.
pub fn notice_channels(chosen: &[(NoticeKind, NoticeChannel)]) -> Vec<(NoticeKind, NoticeChannel)> {
    NoticeKind::ALL
        .iter()
        .map(|k| {
            let c = chosen
                .iter()
                .rev()
                .find(|(kind, _)| kind == k)
                .map_or(k.default_channel(), |(_, c)| *c);
            (*k, c)
        })
        .collect()
}

/// The subject of a letter that carries a notice: short, naming the route.
pub fn letter_subject(kind: NoticeKind, route_title: &str) -> String {
    let what = match kind {
        NoticeKind::AwaitingStep => "Маршрут ждёт вашего решения",
        NoticeKind::ProductToEvaluate => "Продукт ждёт вашей экспертизы",
        NoticeKind::Returned => "Возвращено на доработку",
        NoticeKind::RouteProgress => "Изменения по маршруту",
        NoticeKind::Comment => "Комментарий к маршруту",
        NoticeKind::Reminder => "Напоминание о сроке",
        NoticeKind::Escalation => "Маршрут ждёт дольше срока",
        NoticeKind::Summary => "Сводка по маршрутам за неделю",
        NoticeKind::Other => "Уведомление",
    };
    if route_title.trim().is_empty() {
        return format!("ИОМ: {what}");
    }
    format!("ИОМ: {what} — «{}»", short(route_title, 80))
}

/// The text of a letter that carries a notice: the notice, where to see it, and how to stop
/// such letters.
pub fn letter_body(notice: &str, link: &str, kind: NoticeKind, unsubscribe: &str) -> String {
    format!(
        "Здравствуйте!\n\n{notice}.\n\nОткрыть: {link}\n\n\
         Это письмо о событиях вида «{}». Чтобы больше не получать такие письма, \
         перейдите по ссылке: {unsubscribe}\n\n\
         Уведомления по-прежнему видны на платформе; выбрать, какие приходят на почту, можно \
         в профиле.\n",
        kind.title_ru()
    )
}

/// When a letter due at `now` may go, for a person who wants none between `from_hour` and
/// `to_hour` of their local time (`utc_offset_minutes` east of UTC; the window runs across
/// midnight when `from_hour > to_hour`): `None` outside the window (at once), else the window's
/// end. An empty window (`from_hour == to_hour`) is no quiet hours at all.
pub fn quiet_until(
    from_hour: u32,
    to_hour: u32,
    utc_offset_minutes: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{Duration, Timelike};
    if from_hour == to_hour || from_hour > 23 || to_hour > 23 {
        return None;
    }
    let offset = Duration::minutes(i64::from(utc_offset_minutes));
    let local = now + offset;
    let h = local.hour();
    let inside = if from_hour < to_hour {
        (from_hour..to_hour).contains(&h)
    } else {
        h >= from_hour || h < to_hour
    };
    if !inside {
        return None;
    }
    let day = local.date_naive();
    let end_day = if h < to_hour {
        day
    } else {
        day + Duration::days(1)
    };
    let end_local = end_day.and_hms_opt(to_hour, 0, 0)?.and_utc();
    Some(end_local - offset)
}

/// The most notices one daily digest lists; the rest wait in the platform.
pub const DIGEST_MAX_ITEMS: usize = 50;

/// The subject of the daily digest of `count` notices.
pub fn digest_subject(count: usize) -> String {
    format!("ИОМ: сводка уведомлений за день ({count})")
}

/// The daily digest: each notice with its link (at most [`DIGEST_MAX_ITEMS`], then how many
/// more wait in the platform), and how to stop digests.
pub fn digest_body(items: &[(String, String)], notifications: &str, unsubscribe: &str) -> String {
    let mut out = String::from("Здравствуйте!\n\nЗа прошедшие сутки на платформе:\n\n");
    for (text, link) in items.iter().take(DIGEST_MAX_ITEMS) {
        out.push_str(&format!("• {}.\n  {link}\n", text.trim_end_matches('.')));
    }
    if items.len() > DIGEST_MAX_ITEMS {
        out.push_str(&format!(
            "\n…и ещё {} — все уведомления: {notifications}\n",
            items.len() - DIGEST_MAX_ITEMS
        ));
    }
    out.push_str(&format!(
        "\nЭто ежедневная сводка уведомлений, которые вы выбрали получать раз в день. Чтобы \
         больше не получать её, перейдите по ссылке: {unsubscribe}\n\n\
         Уведомления по-прежнему видны на платформе; выбрать, какие и как приходят на почту, \
         можно в профиле.\n"
    ));
    out
}

/// At most `max` characters, with an ellipsis when cut.
pub(crate) fn short(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max).collect();
    cut.push('…');
    cut
}

domain_enum! {
    /// A kind of work waiting for a person.
    pub enum TodoKind {
        AgreeRoute => ("agree_route", "Согласовать маршрут"),
        ApproveRoute => ("approve_route", "Утвердить маршрут"),
        EvaluateProduct => ("evaluate_product", "Оценить продукт"),
        CompleteRoute => ("complete_route", "Завершить маршрут"),
        OverdueActivity => ("overdue_activity", "Просрочено мероприятие"),
        RouteEndingWithoutProduct => ("route_ending", "Маршрут заканчивается, продукт не представлен"),
        AnswerConsent => ("answer_consent", "Ответить на запрос согласия"),
        StalledRoute => ("stalled_route", "Маршрут ждёт дольше установленного срока"),
        StudyProduct => ("study_product", "Изучить рекомендованный методический продукт"),
    }
}

impl TodoKind {
    /// The task a workflow step waiting for someone is, if it is one.
    pub const fn of_action(action: RouteAction) -> Option<TodoKind> {
        match action {
            RouteAction::TutorAgree | RouteAction::Agree => Some(TodoKind::AgreeRoute),
            RouteAction::Approve => Some(TodoKind::ApproveRoute),
            RouteAction::Evaluate => Some(TodoKind::EvaluateProduct),
            RouteAction::Complete => Some(TodoKind::CompleteRoute),
            _ => None,
        }
    }
}

/// How close to its end a route must be for its missing product to become a task.
pub const ENDING_SOON_DAYS: i64 = 30;

/// A roadmap activity is overdue when it is still planned or under way after its end date.
pub fn activity_overdue(status: ActivityStatus, end: Option<NaiveDate>, today: NaiveDate) -> bool {
    matches!(status, ActivityStatus::Planned | ActivityStatus::InProgress)
        && end.is_some_and(|end| end < today)
}

/// A route being carried out whose product has not gone for expertise, ending within
/// [`ENDING_SOON_DAYS`] (or already past its end): the days left, negative when past.
pub fn ending_without_product(
    status: RouteStatus,
    period_end: NaiveDate,
    today: NaiveDate,
) -> Option<i64> {
    if !matches!(status, RouteStatus::Approved | RouteStatus::InProgress) {
        return None;
    }
    let left = (period_end - today).num_days();
    (left <= ENDING_SOON_DAYS).then_some(left)
}

/// What a coordinator's or manager's week looked like in their scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WeeklySummary {
    /// Routes sent for agreement during the week.
    pub submitted: u64,
    /// Routes approved during the week.
    pub approved: u64,
    /// Routes completed during the week.
    pub completed: u64,
    /// Routes returned for revision during the week.
    pub returned: u64,
    /// Routes waiting for someone's step now.
    pub waiting: u64,
    /// Of them, waiting longer than the region allows.
    pub stalled: u64,
    /// Unfinished roadmap activities past their end, of routes being carried out.
    pub overdue_activities: u64,
}

impl WeeklySummary {
    /// Nothing moved and nothing waits: no summary is sent.
    pub fn is_quiet(&self) -> bool {
        *self == WeeklySummary::default()
    }

    /// The notice: what moved, what is stuck, what is overdue.
    pub fn text(&self) -> String {
        let mut moved = Vec::new();
        for (n, what) in [
            (self.submitted, "отправлено на согласование"),
            (self.approved, "утверждено"),
            (self.completed, "завершено"),
            (self.returned, "возвращено на доработку"),
        ] {
            if n > 0 {
                moved.push(format!("{what} — {n}"));
            }
        }
        let moved = if moved.is_empty() {
            "за неделю маршруты не двигались".to_owned()
        } else {
            format!("за неделю маршрутов {}", moved.join(", "))
        };
        format!(
            "Сводка за неделю: {moved}; ждут решения — {}, из них дольше срока — {}; просроченных мероприятий — {}",
            self.waiting, self.stalled, self.overdue_activities
        )
    }
}

/// Whom a route in `status` waits for (in the genitive, as in «ждёт тьютора»), when it waits
/// for someone's step at all.
pub const fn waiting_for(status: RouteStatus) -> Option<&'static str> {
    match status {
        RouteStatus::Submitted => Some("согласования тьютора"),
        RouteStatus::TutorAgreed => Some("согласования заместителя директора"),
        RouteStatus::Agreed => Some("утверждения директором"),
        RouteStatus::ProductSubmitted => Some("экспертизы продукта"),
        RouteStatus::Evaluated => Some("заключения и завершения"),
        _ => None,
    }
}

/// The region's rules for reminders and escalation (part of the region's policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderPolicy {
    /// Remind the teacher this many days before an activity's end (0: no such reminders).
    pub remind_before_days: i64,
    /// A route waiting for someone's step longer than this many days goes to the school
    /// coordinator, and after twice as long to the municipal coordinator (0: never).
    pub escalate_after_days: i64,
}

impl Default for ReminderPolicy {
    fn default() -> Self {
        ReminderPolicy {
            remind_before_days: 3,
            escalate_after_days: 7,
        }
    }
}

/// Overdue activities are told of within this many days of their end; a scan that did not run
/// for a few days still tells, and years-old ones are not rediscovered daily.
pub const OVERDUE_TELL_WITHIN_DAYS: i64 = 7;

/// What the daily scan tells about one activity of a route being carried out, if anything.
pub fn activity_reminder(
    policy: ReminderPolicy,
    route: RouteStatus,
    status: ActivityStatus,
    end: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<EventKind> {
    if !matches!(route, RouteStatus::Approved | RouteStatus::InProgress)
        || !matches!(status, ActivityStatus::Planned | ActivityStatus::InProgress)
    {
        return None;
    }
    let left = (end? - today).num_days();
    if left < 0 {
        (-left <= OVERDUE_TELL_WITHIN_DAYS).then_some(EventKind::ActivityOverdue)
    } else {
        (policy.remind_before_days > 0 && left <= policy.remind_before_days)
            .then_some(EventKind::ActivityDueSoon)
    }
}

/// How far a route waiting since `since` for someone's step has gone up: the school
/// coordinator after the policy's days, the municipal coordinator after twice as many.
pub fn escalation(
    policy: ReminderPolicy,
    status: RouteStatus,
    since: NaiveDate,
    today: NaiveDate,
) -> Option<EventKind> {
    let days = policy.escalate_after_days;
    if days <= 0 || waiting_for(status).is_none() {
        return None;
    }
    let waited = (today - since).num_days();
    if waited >= 2 * days {
        Some(EventKind::RouteEscalated)
    } else if waited >= days {
        Some(EventKind::RouteStalled)
    } else {
        None
    }
}

#[cfg(test)]
mod digest_tests {
    use super::*;

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn quiet_hours_hold_a_letter_until_the_morning_in_the_persons_time() {
        // 22:00–08:00 in Moscow (UTC+3): 20:30 UTC is 23:30 there; the letter waits until 08:00
        // Moscow, 05:00 UTC the next day.
        assert_eq!(
            quiet_until(22, 8, 180, at("2026-12-07T20:30:00Z")),
            Some(at("2026-12-08T05:00:00Z"))
        );
        // 02:00 Moscow (23:00 UTC the day before): the same morning.
        assert_eq!(
            quiet_until(22, 8, 180, at("2026-12-07T23:00:00Z")),
            Some(at("2026-12-08T05:00:00Z"))
        );
        // 12:00 Moscow: at once; the end of the window itself is outside it.
        assert_eq!(quiet_until(22, 8, 180, at("2026-12-08T09:00:00Z")), None);
        assert_eq!(quiet_until(22, 8, 180, at("2026-12-08T05:00:00Z")), None);
        // Irkutsk (UTC+8) at 07:59 local is still quiet.
        assert_eq!(
            quiet_until(22, 8, 480, at("2026-12-07T23:59:00Z")),
            Some(at("2026-12-08T00:00:00Z"))
        );
    }

    #[test]
    fn a_window_within_a_day_and_an_empty_window() {
        // 13:00–15:00 UTC.
        assert_eq!(
            quiet_until(13, 15, 0, at("2026-12-08T14:10:00Z")),
            Some(at("2026-12-08T15:00:00Z"))
        );
        assert_eq!(quiet_until(13, 15, 0, at("2026-12-08T12:59:00Z")), None);
        assert_eq!(quiet_until(7, 7, 0, at("2026-12-08T07:30:00Z")), None);
        assert_eq!(quiet_until(25, 7, 0, at("2026-12-08T07:30:00Z")), None);
    }

    #[test]
    fn a_digest_lists_each_notice_with_its_link_and_says_how_to_stop_it() {
        let items = vec![
            (
                "Маршрут «А» ждёт вашего решения".to_owned(),
                "https://iom/routes/1".to_owned(),
            ),
            (
                "Комментарий к маршруту «Б».".to_owned(),
                "https://iom/routes/2".to_owned(),
            ),
        ];
        let body = digest_body(
            &items,
            "https://iom/notifications",
            "https://iom/unsubscribe/t",
        );
        assert!(body.contains("• Маршрут «А» ждёт вашего решения.\n  https://iom/routes/1"));
        assert!(
            body.contains("• Комментарий к маршруту «Б».\n"),
            "no double full stop"
        );
        assert!(body.contains("https://iom/unsubscribe/t"));
        assert!(!body.contains("ещё"));
        assert_eq!(digest_subject(2), "ИОМ: сводка уведомлений за день (2)");
    }

    #[test]
    fn a_long_digest_is_cut_and_points_to_the_platform() {
        let items: Vec<(String, String)> = (0..DIGEST_MAX_ITEMS + 7)
            .map(|i| (format!("Уведомление {i}"), format!("https://iom/{i}")))
            .collect();
        let body = digest_body(&items, "https://iom/notifications", "u");
        assert_eq!(body.matches("• ").count(), DIGEST_MAX_ITEMS);
        assert!(body.contains("…и ещё 7 — все уведомления: https://iom/notifications"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn route_codes_are_the_webhook_codes() {
        use crate::dto::WebhookEvent;
        for w in WebhookEvent::ALL {
            if w.as_str().starts_with("route.") || w.as_str() == "activity.done" {
                assert!(
                    w.as_str().parse::<EventKind>().is_ok(),
                    "{} has no domain event",
                    w.as_str()
                );
            }
        }
        assert_eq!(
            EventKind::of_action(RouteAction::Complete).as_str(),
            "route.completed"
        );
    }

    #[test]
    fn a_submitted_route_asks_the_tutor_first_then_the_school_coordinator() {
        let a = route_audience(EventKind::RouteSubmitted, RouteStatus::Submitted);
        assert_eq!(a.len(), 1);
        assert!(a[0].needs_action);
        assert_eq!(
            a[0].parts,
            &[Participant::Tutor, Participant::SchoolCoordinator]
        );
    }

    #[test]
    fn agreement_tells_the_teacher_and_asks_the_next_signer() {
        let by_tutor = route_audience(EventKind::RouteAgreed, RouteStatus::TutorAgreed);
        assert_eq!(by_tutor[0], informs(&[Participant::Owner]));
        assert_eq!(
            by_tutor[1].parts,
            &[Participant::DeputyDirector, Participant::Director]
        );
        let by_deputy = route_audience(EventKind::RouteAgreed, RouteStatus::Agreed);
        assert_eq!(by_deputy[1], acts(&[Participant::Director]));
    }

    #[test]
    fn the_product_goes_to_the_expert_and_its_evaluation_to_teacher_and_tutor() {
        assert_eq!(
            route_audience(
                EventKind::RouteProductSubmitted,
                RouteStatus::ProductSubmitted
            ),
            vec![acts(&[Participant::Expert])]
        );
        let evaluated = route_audience(EventKind::RouteEvaluated, RouteStatus::Evaluated);
        assert_eq!(evaluated[0], informs(&[Participant::Owner]));
        assert_eq!(evaluated[1].parts, &[Participant::Tutor]);
        for kind in [
            EventKind::RouteReturned,
            EventKind::RouteApproved,
            EventKind::RouteCompleted,
        ] {
            assert_eq!(
                route_audience(kind, RouteStatus::Completed),
                vec![informs(&[Participant::Owner])]
            );
        }
        assert!(route_audience(EventKind::RouteStarted, RouteStatus::InProgress).is_empty());
    }

    #[test]
    fn a_drafted_route_asks_its_teacher_and_tells_the_tutor() {
        assert_eq!(
            route_audience(EventKind::RouteDrafted, RouteStatus::Draft),
            vec![acts(&[Participant::Owner]), informs(&[Participant::Tutor])]
        );
        let n = RouteNote {
            title: "ИОМ по итогам диагностики",
            teacher: "Иванова М. П.",
            actor: "Кузнецова А. А.",
            comment: None,
            reminder: Reminder::default(),
        };
        let teacher = route_notice(EventKind::RouteDrafted, RouteStatus::Draft, true, &n);
        assert!(
            teacher.starts_with("Для вас подготовлен черновик") && teacher.contains("Кузнецова")
        );
        let tutor = route_notice(EventKind::RouteDrafted, RouteStatus::Draft, false, &n);
        assert!(tutor.contains("Иванова М. П."), "{tutor}");
        assert_eq!(
            NoticeKind::of(EventKind::RouteDrafted, true),
            NoticeKind::RouteProgress
        );
    }

    #[test]
    fn notices_name_the_route_the_teacher_and_the_reason() {
        let n = RouteNote {
            title: "Функциональная грамотность",
            teacher: "Иванова М. П.",
            actor: "Петров П. П.",
            comment: Some("Уточните результат"),
            reminder: Reminder::default(),
        };
        let asked = route_notice(EventKind::RouteSubmitted, RouteStatus::Submitted, true, &n);
        assert!(asked.contains("«Функциональная грамотность»") && asked.contains("Иванова"));
        let returned = route_notice(EventKind::RouteReturned, RouteStatus::Returned, false, &n);
        assert!(returned.ends_with(": Уточните результат"), "{returned}");
        let approve = route_notice(EventKind::RouteAgreed, RouteStatus::Agreed, true, &n);
        assert!(approve.contains("утверждения"));
        let long = "а".repeat(500);
        let cut = route_notice(
            EventKind::RouteReturned,
            RouteStatus::Returned,
            false,
            &RouteNote {
                comment: Some(&long),
                ..n
            },
        );
        assert!(cut.chars().count() < 300 && cut.ends_with('…'));
    }

    #[test]
    fn an_activity_is_overdue_only_when_unfinished_after_its_end() {
        let today = d("2027-03-01");
        assert!(activity_overdue(
            ActivityStatus::Planned,
            Some(d("2027-02-28")),
            today
        ));
        assert!(activity_overdue(
            ActivityStatus::InProgress,
            Some(d("2027-01-10")),
            today
        ));
        assert!(!activity_overdue(
            ActivityStatus::Planned,
            Some(today),
            today
        ));
        assert!(!activity_overdue(
            ActivityStatus::Done,
            Some(d("2027-01-10")),
            today
        ));
        assert!(!activity_overdue(
            ActivityStatus::Cancelled,
            Some(d("2027-01-10")),
            today
        ));
        assert!(!activity_overdue(ActivityStatus::Planned, None, today));
    }

    #[test]
    fn a_route_ending_within_thirty_days_without_a_product_is_a_task() {
        let today = d("2027-05-01");
        assert_eq!(
            ending_without_product(RouteStatus::InProgress, d("2027-05-31"), today),
            Some(30)
        );
        assert_eq!(
            ending_without_product(RouteStatus::InProgress, d("2027-06-01"), today),
            None
        );
        assert_eq!(
            ending_without_product(RouteStatus::Approved, d("2027-04-30"), today),
            Some(-1)
        );
        // Once the product is with the expert, or before approval, it is not the teacher's task.
        assert_eq!(
            ending_without_product(RouteStatus::ProductSubmitted, d("2027-05-10"), today),
            None
        );
        assert_eq!(
            ending_without_product(RouteStatus::Draft, d("2027-05-10"), today),
            None
        );
    }

    #[test]
    fn queue_steps_are_tasks_and_others_are_not() {
        assert_eq!(
            TodoKind::of_action(RouteAction::TutorAgree),
            Some(TodoKind::AgreeRoute)
        );
        assert_eq!(
            TodoKind::of_action(RouteAction::Approve),
            Some(TodoKind::ApproveRoute)
        );
        assert_eq!(
            TodoKind::of_action(RouteAction::Evaluate),
            Some(TodoKind::EvaluateProduct)
        );
        assert_eq!(TodoKind::of_action(RouteAction::Submit), None);
    }

    #[test]
    fn what_waits_for_the_person_comes_by_mail_and_the_rest_stays_in_the_platform() {
        use NoticeChannel::*;
        let of = |e, asked| NoticeKind::of(e, asked).default_channel();
        assert_eq!(of(EventKind::RouteSubmitted, true), Email);
        assert_eq!(of(EventKind::RouteAgreed, true), Email);
        assert_eq!(of(EventKind::RouteEvaluated, true), Email);
        assert_eq!(of(EventKind::RouteProductSubmitted, true), Email);
        assert_eq!(of(EventKind::RouteReturned, false), Email);
        assert_eq!(of(EventKind::RouteProductReturned, false), Email);
        // The teacher told that a signer agreed has nothing to do.
        assert_eq!(of(EventKind::RouteAgreed, false), Platform);
        assert_eq!(of(EventKind::RouteEvaluated, false), Platform);
        assert_eq!(of(EventKind::RouteCompleted, false), Platform);
        assert_eq!(of(EventKind::CommentAdded, false), Platform);
        assert_eq!(of(EventKind::DiagnosticImported, false), Platform);
    }

    #[test]
    fn a_persons_choice_overrides_the_default_of_its_kind_only() {
        let all = notice_channels(&[
            (NoticeKind::AwaitingStep, NoticeChannel::Platform),
            (NoticeKind::Comment, NoticeChannel::Email),
        ]);
        assert_eq!(all.len(), NoticeKind::ALL.len());
        let get = |k| all.iter().find(|(kind, _)| *kind == k).map(|(_, c)| *c);
        assert_eq!(get(NoticeKind::AwaitingStep), Some(NoticeChannel::Platform));
        assert_eq!(get(NoticeKind::Comment), Some(NoticeChannel::Email));
        assert_eq!(get(NoticeKind::Returned), Some(NoticeChannel::Email));
        assert_eq!(
            get(NoticeKind::RouteProgress),
            Some(NoticeChannel::Platform)
        );
        assert_eq!(
            NoticeKind::Returned.as_str().parse::<NoticeKind>().ok(),
            Some(NoticeKind::Returned)
        );
        assert!("route.submitted".parse::<NoticeKind>().is_err());
    }

    #[test]
    fn a_letter_names_the_route_and_carries_its_links() {
        let subject = letter_subject(NoticeKind::AwaitingStep, "Функциональная грамотность");
        assert!(
            subject.contains("«Функциональная грамотность»"),
            "{subject}"
        );
        let body = letter_body(
            "Иванова М. П. отправил(а) маршрут «Ф» на согласование",
            "https://iom.example/routes/1",
            NoticeKind::AwaitingStep,
            "https://iom.example/unsubscribe/t",
        );
        assert!(body.contains("Открыть: https://iom.example/routes/1"));
        assert!(body.contains("https://iom.example/unsubscribe/t"));
        assert!(body.contains(NoticeKind::AwaitingStep.title_ru()));
    }

    #[test]
    fn the_scan_reminds_before_the_end_and_tells_of_an_overdue_activity_once_in_a_week() {
        let p = ReminderPolicy::default();
        let today = d("2027-03-10");
        let at = |end: &str| {
            activity_reminder(
                p,
                RouteStatus::InProgress,
                ActivityStatus::Planned,
                Some(d(end)),
                today,
            )
        };
        assert_eq!(at("2027-03-13"), Some(EventKind::ActivityDueSoon));
        assert_eq!(at("2027-03-10"), Some(EventKind::ActivityDueSoon));
        assert_eq!(at("2027-03-14"), None);
        assert_eq!(at("2027-03-09"), Some(EventKind::ActivityOverdue));
        assert_eq!(at("2027-03-03"), Some(EventKind::ActivityOverdue));
        assert_eq!(at("2027-03-02"), None);
        // Done, undated, or a route not being carried out: nothing.
        for (route, status, end) in [
            (
                RouteStatus::InProgress,
                ActivityStatus::Done,
                Some(d("2027-03-11")),
            ),
            (RouteStatus::InProgress, ActivityStatus::Planned, None),
            (
                RouteStatus::Draft,
                ActivityStatus::Planned,
                Some(d("2027-03-11")),
            ),
            (
                RouteStatus::Completed,
                ActivityStatus::Planned,
                Some(d("2027-03-09")),
            ),
        ] {
            assert_eq!(activity_reminder(p, route, status, end, today), None);
        }
        // A region that turned reminders off still hears of overdue activities.
        let off = ReminderPolicy {
            remind_before_days: 0,
            ..p
        };
        let planned = ActivityStatus::Planned;
        let route = RouteStatus::Approved;
        assert_eq!(
            activity_reminder(off, route, planned, Some(d("2027-03-11")), today),
            None
        );
        assert_eq!(
            activity_reminder(off, route, planned, Some(d("2027-03-08")), today),
            Some(EventKind::ActivityOverdue)
        );
    }

    #[test]
    fn a_weekly_summary_says_what_moved_what_waits_and_what_is_overdue() {
        assert!(WeeklySummary::default().is_quiet());
        let s = WeeklySummary {
            submitted: 2,
            approved: 1,
            waiting: 3,
            stalled: 1,
            overdue_activities: 4,
            ..Default::default()
        };
        assert!(!s.is_quiet());
        let text = s.text();
        assert!(
            text.contains("отправлено на согласование — 2, утверждено — 1")
                && text.contains("ждут решения — 3, из них дольше срока — 1")
                && text.contains("просроченных мероприятий — 4")
                && !text.contains("завершено"),
            "{text}"
        );
        let still = WeeklySummary {
            waiting: 1,
            ..Default::default()
        };
        assert!(still.text().contains("не двигались"));
        assert_eq!(
            letter_subject(NoticeKind::Summary, ""),
            "ИОМ: Сводка по маршрутам за неделю"
        );
    }

    #[test]
    fn a_waiting_route_goes_to_the_school_then_to_the_municipality() {
        let p = ReminderPolicy::default();
        let since = d("2027-03-01");
        let on = |day: &str| escalation(p, RouteStatus::Submitted, since, d(day));
        assert_eq!(on("2027-03-07"), None);
        assert_eq!(on("2027-03-08"), Some(EventKind::RouteStalled));
        assert_eq!(on("2027-03-14"), Some(EventKind::RouteStalled));
        assert_eq!(on("2027-03-15"), Some(EventKind::RouteEscalated));
        // Nobody's step: a draft, a route being carried out.
        assert_eq!(
            escalation(p, RouteStatus::Draft, since, d("2027-05-01")),
            None
        );
        assert_eq!(
            escalation(p, RouteStatus::InProgress, since, d("2027-05-01")),
            None
        );
        let never = ReminderPolicy {
            escalate_after_days: 0,
            ..p
        };
        assert_eq!(
            escalation(never, RouteStatus::Submitted, since, d("2027-05-01")),
            None
        );
        assert!(
            waiting_for(RouteStatus::ProductSubmitted).is_some_and(|w| w.contains("экспертизы"))
        );
    }

    #[test]
    fn reminders_and_escalations_reach_the_right_people_in_words_that_name_the_route() {
        assert_eq!(
            route_audience(EventKind::RouteStalled, RouteStatus::Submitted),
            vec![acts(&[Participant::SchoolCoordinator])]
        );
        assert_eq!(
            route_audience(EventKind::RouteEscalated, RouteStatus::Agreed),
            vec![acts(&[Participant::MunicipalCoordinator])]
        );
        assert_eq!(
            route_audience(EventKind::ActivityDueSoon, RouteStatus::InProgress),
            vec![informs(&[Participant::Owner])]
        );
        let n = RouteNote {
            title: "Функциональная грамотность",
            teacher: "Иванова М. П.",
            actor: "",
            comment: None,
            reminder: Reminder {
                activity: Some("Курс"),
                date: Some(d("2027-03-13")),
                days: Some(3),
                waiting_in: None,
            },
        };
        let soon = route_notice(
            EventKind::ActivityDueSoon,
            RouteStatus::InProgress,
            false,
            &n,
        );
        assert!(
            soon.contains("«Курс»") && soon.contains("13.03.2027") && soon.contains("через 3 дн."),
            "{soon}"
        );
        let stalled = route_notice(
            EventKind::RouteStalled,
            RouteStatus::Submitted,
            true,
            &RouteNote {
                reminder: Reminder {
                    days: Some(9),
                    waiting_in: Some(RouteStatus::Submitted),
                    ..n.reminder
                },
                ..n
            },
        );
        assert!(
            stalled.contains("согласования тьютора уже 9 дн."),
            "{stalled}"
        );
        assert_eq!(
            NoticeKind::of(EventKind::RouteEscalated, true),
            NoticeKind::Escalation
        );
        assert_eq!(
            NoticeKind::of(EventKind::ActivityOverdue, false).default_channel(),
            NoticeChannel::Email
        );
    }
}
