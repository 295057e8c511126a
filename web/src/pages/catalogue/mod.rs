//! The catalogue of educational events: the calendar (a list and a month view with filters),
//! one event (enrolment, the waiting list, adding it to my roadmap; for its organiser the
//! attendance sheet), the organiser's editor, «Рекомендовано мне» and the cohorts.

mod cohorts;
mod editor;
mod event;
mod recommended;

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::catalogue::{EnrolmentStatus, EventFormat, EventKind, EventStatus};
use shared::dto::catalogue::EventSummary;
use shared::dto::{FrameworkDto, Page};
use shared::{EventLevel, Role};

use crate::api::{ApiRequest, endpoints, use_api};
use crate::components::{
    Badge, BadgeKind, Choice, Input, Loading, PageHeader, Select, error_fallback,
    optional_enum_choices,
};
use crate::format;
use crate::routes;
use crate::session::use_session;

pub use cohorts::CohortsPage;
pub use editor::{EditEventPage, NewEventPage};
pub use event::{EventPage, Recommend};
pub use recommended::{RecommendedCard, RecommendedPage};

/// Roles that publish events (and see drafts, sheets and the editor).
pub const ORGANISER_ROLES: &[Role] = &[
    Role::SchoolCoordinator,
    Role::DeputyDirector,
    Role::Director,
    Role::MunicipalCoordinator,
    Role::RegionalManager,
];

pub fn status_badge(status: EventStatus) -> BadgeKind {
    match status {
        EventStatus::Draft => BadgeKind::Neutral,
        EventStatus::Published => BadgeKind::Success,
        EventStatus::Cancelled => BadgeKind::Danger,
    }
}

pub fn enrolment_badge(status: EnrolmentStatus) -> BadgeKind {
    match status {
        EnrolmentStatus::Registered | EnrolmentStatus::Attended => BadgeKind::Success,
        EnrolmentStatus::Waitlisted => BadgeKind::Warning,
        EnrolmentStatus::Cancelled | EnrolmentStatus::Absent => BadgeKind::Neutral,
    }
}

/// «Мест: 3 из 30», «мест нет», «без ограничений».
pub fn seats(e: &EventSummary) -> String {
    match (e.capacity, e.free_seats) {
        (Some(c), Some(0)) => format!("мест нет (всего {c})"),
        (Some(c), Some(f)) => format!("свободно {f} из {c}"),
        _ => "без ограничения мест".to_owned(),
    }
}

/// One event in a list: title, kind, dates, organiser, format and seats, with its status.
#[component]
pub fn EventCard(event: EventSummary) -> impl IntoView {
    let e = event;
    let comps = e
        .competencies
        .iter()
        .map(|c| c.name.clone())
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <li class="event-card" data-testid="event-card">
            <div class="event-date">
                {format::date_range(Some(e.starts_on), Some(e.ends_on)).unwrap_or_default()}
            </div>
            <div class="event-main">
                <a class="route-link" href=routes::event_page(e.id)>{e.title.clone()}</a>
                <p class="small muted">
                    {format!(
                        "{} · {} · {} · {}",
                        e.kind.title_ru(),
                        e.level.title_ru(),
                        e.format.title_ru(),
                        e.organiser.name,
                    )}
                </p>
                {(!comps.is_empty()).then(|| view! { <p class="small">{format!("Компетенции: {comps}")}</p> })}
            </div>
            <div class="event-side">
                {(e.status != EventStatus::Published)
                    .then(|| view! { <Badge kind=status_badge(e.status)>{e.status.title_ru()}</Badge> })}
                {e.my_status
                    .map(|s| view! { <Badge kind=enrolment_badge(s)>{s.title_ru()}</Badge> })}
                <span class="small muted block">{seats(&e)}</span>
            </div>
        </li>
    }
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

fn prev_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 1 {
        (d.year() - 1, 12)
    } else {
        (d.year(), d.month() - 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
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

/// The month grid: weeks from Monday, each day with the events running on it.
#[component]
fn MonthGrid(month: NaiveDate, events: Vec<EventSummary>) -> impl IntoView {
    let first = month_start(month);
    let offset = i64::from(first.weekday().num_days_from_monday());
    let start = first - chrono::Duration::days(offset);
    let last = next_month(first) - chrono::Duration::days(1);
    let today = format::today();
    let mut weeks = Vec::new();
    let mut day = start;
    while day <= last {
        let mut cells = Vec::new();
        for _ in 0..7 {
            let d = day;
            let todays: Vec<EventSummary> = events
                .iter()
                .filter(|e| e.starts_on <= d && e.ends_on >= d)
                .cloned()
                .collect();
            let outside = d.month() != first.month();
            cells.push(view! {
                <td class="month-day" class:month-outside=outside class:month-today=d == today>
                    <span class="month-number">{d.day()}</span>
                    <ul class="month-events">
                        {todays
                            .into_iter()
                            .map(|e| {
                                view! {
                                    <li>
                                        <a href=routes::event_page(e.id) title=e.title.clone()>
                                            {e.title.clone()}
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </td>
            });
            day += chrono::Duration::days(1);
        }
        weeks.push(view! { <tr>{cells}</tr> });
    }
    view! {
        <div class="table-wrap">
            <table class="table month-grid" aria-label="Календарь на месяц">
                <thead>
                    <tr>
                        {["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"]
                            .into_iter()
                            .map(|d| view! { <th scope="col">{d}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>{weeks}</tbody>
            </table>
        </div>
    }
}

/// The choices of a competency filter: «any», then the competencies of the framework in use by
/// group (the calendar's and the bank's filters).
pub fn competency_filter(api: crate::api::Api) -> impl Fn() -> Vec<Choice> + Copy {
    let framework = LocalResource::new(move || async move {
        let list: Vec<FrameworkDto> = api.get("/api/v1/frameworks").await?;
        match list.first() {
            Some(f) => api.get::<FrameworkDto>(&endpoints::framework(f.id)).await,
            None => Err(crate::api::ApiError::Decode("нет рамки компетенций".into())),
        }
    });
    move || {
        let mut choices = vec![Choice::One(String::new(), "Любая компетенция".into())];
        if let Some(Ok(fw)) = framework.get() {
            for g in &fw.groups {
                choices.push(Choice::Group(
                    g.name.clone(),
                    g.competencies
                        .iter()
                        .map(|c| (c.id.to_string(), format!("{} {}", c.code, c.name)))
                        .collect(),
                ));
            }
        }
        choices
    }
}

/// «Календарь мероприятий»: filters kept in the address, a list or a month.
#[component]
pub fn CalendarPage() -> impl IntoView {
    let api = use_api();
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let q = |name: &'static str| query.with_untracked(|m| m.get(name).unwrap_or_default());
    let text = RwSignal::new(q("q"));
    let level = RwSignal::new(q("level"));
    let fmt = RwSignal::new(q("format"));
    let kind = RwSignal::new(q("kind"));
    let competency = RwSignal::new(q("competency_id"));
    let mine = RwSignal::new(q("mine") == "true");
    let month_view = RwSignal::new(q("view") == "month");
    let month = RwSignal::new(
        format::parse_iso_date(&q("month"))
            .map_or_else(|| month_start(format::today()), month_start),
    );
    let organiser = session
        .me()
        .get_untracked()
        .is_some_and(|m| ORGANISER_ROLES.iter().any(|r| m.has_role(*r)));

    let competency_choices = competency_filter(api);

    // The filters chosen (the address, the list and the export take them).
    let chosen = move || -> Vec<(&'static str, String)> {
        vec![
            ("q", text.get()),
            ("level", level.get()),
            ("format", fmt.get()),
            ("kind", kind.get()),
            ("competency_id", competency.get()),
        ]
    };

    // Reflect the filters in the address so a link or a reload shows the same.
    Effect::new(move |_| {
        let mut parts = chosen();
        if mine.get() {
            parts.push(("mine", "true".into()));
        }
        if month_view.get() {
            parts.push(("view", "month".into()));
            parts.push(("month", format::iso_date(month.get())));
        }
        let query: leptos_router::params::ParamsMap = parts
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        navigate(
            &format!("{}{}", routes::CATALOGUE, query.to_query_string()),
            leptos_router::NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });

    let list = LocalResource::new(move || {
        let mut request = ApiRequest::new(gloo_net::http::Method::GET, endpoints::CATALOGUE_EVENTS)
            .query("limit", 200);
        for (k, v) in chosen() {
            if !v.trim().is_empty() {
                request = request.query(k, v.trim().to_owned());
            }
        }
        if mine.get() {
            request = request.query("mine", "true");
        }
        if month_view.get() {
            let m = month.get();
            request = request.query("from", format::iso_date(m)).query(
                "to",
                format::iso_date(next_month(m) - chrono::Duration::days(1)),
            );
        } else {
            request = request.query("from", format::iso_date(format::today()));
        }
        async move { api.call::<Page<EventSummary>>(request).await }
    });

    // The export takes the list's filters and the period shown.
    let export_query = Signal::derive(move || {
        let mut parts = chosen();
        if month_view.get() {
            let m = month.get();
            parts.push(("from", format::iso_date(m)));
            parts.push((
                "to",
                format::iso_date(next_month(m) - chrono::Duration::days(1)),
            ));
        } else {
            parts.push(("from", format::iso_date(format::today())));
        }
        let query: leptos_router::params::ParamsMap = parts
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        query.to_query_string()
    });

    view! {
        <PageHeader
            title="Календарь мероприятий"
            lead="Единый календарь образовательных событий региона, округа, муниципалитета и вашей организации."
        />
        <div class="toolbar">
            <div class="segmented" role="group" aria-label="Вид">
                <button
                    type="button"
                    class="btn"
                    class:btn-primary=move || !month_view.get()
                    data-testid="view-list"
                    on:click=move |_| month_view.set(false)
                >
                    "Списком"
                </button>
                <button
                    type="button"
                    class="btn"
                    class:btn-primary=move || month_view.get()
                    data-testid="view-month"
                    on:click=move |_| month_view.set(true)
                >
                    "По месяцам"
                </button>
            </div>
            {organiser
                .then(|| {
                    view! {
                        <a class="btn btn-primary" href=routes::NEW_EVENT data-testid="new-event">
                            "Новое мероприятие"
                        </a>
                    }
                })}
            <a class="btn" href=routes::RECOMMENDED>"Рекомендовано мне"</a>
        </div>
        <CalendarFeed />
        <section class="card filters" aria-label="Фильтры">
            <div class="form-grid">
                <Input label="Поиск" id="cal-q" value=text hint="Название или место" />
                {move || {
                    view! {
                        <Select
                            label="Компетенция"
                            id="cal-competency"
                            value=competency
                            choices=competency_choices()
                        />
                    }
                }}
                <Select
                    label="Уровень"
                    id="cal-level"
                    value=level
                    choices=optional_enum_choices(EventLevel::ALL, EventLevel::as_str, EventLevel::title_ru, "Любой уровень")
                />
                <Select
                    label="Формат"
                    id="cal-format"
                    value=fmt
                    choices=optional_enum_choices(EventFormat::ALL, EventFormat::as_str, EventFormat::title_ru, "Любой формат")
                />
                <Select
                    label="Вид"
                    id="cal-kind"
                    value=kind
                    choices=optional_enum_choices(EventKind::ALL, EventKind::as_str, EventKind::title_ru, "Любой вид")
                />
            </div>
            <label class="check" for="cal-mine">
                <input type="checkbox" id="cal-mine" bind:checked=mine />
                <span>"Только мои записи"</span>
            </label>
        </section>
        {organiser.then(|| view! { <crate::pages::documents::EventExportButtons query=export_query /> })}
        {move || {
            month_view
                .get()
                .then(|| {
                    view! {
                        <div class="toolbar month-nav">
                            <button type="button" class="btn" on:click=move |_| month.update(|m| *m = prev_month(*m))>
                                "← Предыдущий"
                            </button>
                            <h2 class="month-title">
                                {move || {
                                    let m = month.get();
                                    format!("{} {}", MONTHS[m.month0() as usize], m.year())
                                }}
                            </h2>
                            <button type="button" class="btn" on:click=move |_| month.update(|m| *m = next_month(*m))>
                                "Следующий →"
                            </button>
                        </div>
                    }
                })
        }}
        <section class="card" aria-label="Мероприятия">
            <Transition fallback=|| view! { <Loading label="Загружаем календарь…" /> }>
                <ErrorBoundary fallback=error_fallback>
                    {move || {
                        list.get()
                            .map(|r| {
                                r.map(|page| {
                                    if month_view.get() {
                                        view! { <MonthGrid month=month.get() events=page.items /> }.into_any()
                                    } else if page.items.is_empty() {
                                        view! {
                                            <p class="empty">"Мероприятий по этим условиям нет. Измените фильтры."</p>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            <ul class="event-list">
                                                {page
                                                    .items
                                                    .into_iter()
                                                    .map(|e| view! { <EventCard event=e /> })
                                                    .collect_view()}
                                            </ul>
                                        }
                                            .into_any()
                                    }
                                })
                            })
                    }}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// Secret addresses for calendar programs (which cannot sign in): made on request, shown once,
/// and a new pair revokes the old.
#[component]
fn CalendarFeed() -> impl IntoView {
    let api = use_api();
    let feed = RwSignal::new(None::<shared::dto::catalogue::CalendarFeedDto>);
    let error = RwSignal::new(None::<String>);
    let make = move |_| {
        leptos::task::spawn_local(async move {
            match api
                .post_empty::<shared::dto::catalogue::CalendarFeedDto>(
                    "/api/v1/me/calendar-feed",
                    &[],
                )
                .await
            {
                Ok(f) => feed.set(Some(f)),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <details class="card calendar-feed">
            <summary>"Подписаться в календаре (Яндекс, Google, Outlook, телефон)"</summary>
            <p class="hint">
                "Получите личные адреса и добавьте их в программу-календарь как «календарь по ссылке». Адреса секретные: не пересылайте их. Новые адреса отменяют прежние."
            </p>
            <button type="button" class="btn" data-testid="make-feed" on:click=make>
                "Получить адреса"
            </button>
            {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            {move || {
                feed.get()
                    .map(|f| {
                        view! {
                            <dl class="details">
                                <div class="details-row">
                                    <dt>"Мероприятия"</dt>
                                    <dd><code>{f.events_url.clone()}</code></dd>
                                </div>
                                <div class="details-row">
                                    <dt>"Моя дорожная карта"</dt>
                                    <dd><code>{f.roadmap_url.clone()}</code></dd>
                                </div>
                            </dl>
                        }
                    })
            }}
        </details>
    }
}
