//! The organiser's event editor: a new event (a draft, published from its page) or an edit.
//! Only a title, a kind, a format and a start date are asked for; the organiser is the
//! person's own unit unless they choose another unit they publish for, and the level follows
//! the organiser.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use shared::EventLevel;
use shared::catalogue::{EventFormat, EventKind};
use shared::dto::FrameworkDto;
use shared::dto::catalogue::{EventDto, EventInput};
use uuid::Uuid;
use validator::Validate;

use crate::api::{ApiError, endpoints, use_api};
use crate::components::{
    CheckList, Choice, FormAlert, FormState, Input, Loading, PageHeader, Select, TextArea,
    enum_choices, error_fallback, opt, optional_enum_choices,
};
use crate::format;
use crate::pages::admin::scope_resource;
use crate::routes;

#[component]
pub fn NewEventPage() -> impl IntoView {
    // A cohort page sends `?competency_id=…&teachers=…` to prefill a webinar for the group.
    let query = use_query_map();
    let competency =
        query.with_untracked(|q| q.get("competency_id").and_then(|c| c.parse::<Uuid>().ok()));
    let teachers = query.with_untracked(|q| q.get("teachers").unwrap_or_default());
    view! {
        <PageHeader title="Новое мероприятие" lead="Черновик увидите только вы и руководители вашего уровня; после публикации он появится в календаре." />
        <EventForm existing=None competency=competency teachers=teachers />
    }
}

#[component]
pub fn EditEventPage() -> impl IntoView {
    let params = use_params_map();
    let api = use_api();
    let event = LocalResource::new(move || {
        let id = params.with_untracked(|p| {
            p.get(routes::EVENT_ID_PARAM)
                .and_then(|s| s.parse::<Uuid>().ok())
        });
        async move {
            match id {
                Some(id) => api.get::<EventDto>(&endpoints::catalogue_event(id)).await,
                None => Err(ApiError::Decode("нет такого мероприятия".into())),
            }
        }
    });
    view! {
        <PageHeader title="Изменить мероприятие" />
        <Transition fallback=|| view! { <Loading /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    event
                        .get()
                        .map(|r| r.map(|e| view! { <EventForm existing=Some(e) competency=None teachers=String::new() /> }))
                }}
            </ErrorBoundary>
        </Transition>
    }
}

fn num<T: std::str::FromStr>(s: RwSignal<String>) -> Option<T> {
    opt(s).and_then(|v| v.replace(',', ".").parse().ok())
}

#[component]
fn EventForm(
    existing: Option<EventDto>,
    competency: Option<Uuid>,
    teachers: String,
) -> impl IntoView {
    let api = use_api();
    let navigate = use_navigate();
    let form = FormState::new();
    let e = existing.clone();
    let s = |f: &dyn Fn(&EventDto) -> Option<String>| {
        RwSignal::new(e.as_ref().and_then(f).unwrap_or_default())
    };
    let title = s(&|e| Some(e.summary.title.clone()));
    let kind = s(&|e| Some(e.summary.kind.as_str().to_owned()));
    if kind.get_untracked().is_empty() {
        kind.set(
            if competency.is_some() {
                "webinar"
            } else {
                "seminar"
            }
            .to_owned(),
        );
    }
    let fmt = s(&|e| Some(e.summary.format.as_str().to_owned()));
    if fmt.get_untracked().is_empty() {
        fmt.set(
            if competency.is_some() {
                "online"
            } else {
                "onsite"
            }
            .to_owned(),
        );
    }
    let level = s(&|e| Some(e.summary.level.as_str().to_owned()));
    let start = s(&|e| Some(format::iso_date(e.summary.starts_on)));
    if start.get_untracked().is_empty() {
        start.set(format::iso_date(
            format::today() + chrono::Duration::days(14),
        ));
    }
    let end = s(&|e| {
        (e.summary.ends_on != e.summary.starts_on).then(|| format::iso_date(e.summary.ends_on))
    });
    let schedule = s(&|e| e.schedule.clone());
    let place = s(&|e| e.summary.place.clone());
    let link = s(&|e| e.link.clone());
    let hours = s(&|e| e.summary.hours.map(|h| h.to_string()));
    let capacity = s(&|e| e.summary.capacity.map(|c| c.to_string()));
    let deadline = s(&|e| e.summary.registration_deadline.map(format::iso_date));
    let description = s(&|e| e.description.clone());
    let organiser = s(&|e| Some(e.summary.organiser.id.to_string()));
    let current_organiser = existing.as_ref().map(|e| e.summary.organiser.clone());
    let scope = scope_resource();
    let subjects = s(&|e| Some(e.audience_subjects.join(", ")));
    let comps = RwSignal::new(
        e.as_ref()
            .map(|e| {
                e.summary
                    .competencies
                    .iter()
                    .map(|c| c.id)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_else(|| competency.into_iter().collect()),
    );
    let frameworks = LocalResource::new(move || async move {
        let list: Vec<FrameworkDto> = api.get("/api/v1/frameworks").await?;
        match list.first() {
            Some(f) => api.get::<FrameworkDto>(&endpoints::framework(f.id)).await,
            None => Err(ApiError::Decode("нет рамки компетенций".into())),
        }
    });
    let existing_id = existing.as_ref().map(|e| (e.summary.id, e.summary.version));
    let teachers: Vec<Uuid> = teachers.split(',').filter_map(|t| t.parse().ok()).collect();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(starts_on) = format::parse_iso_date(&start.get_untracked()) else {
            form.fail("starts_on", "Укажите дату начала.");
            return;
        };
        let input = EventInput {
            version: existing_id.map(|(_, v)| v),
            title: title.get_untracked(),
            kind: kind.get_untracked().parse().unwrap_or(EventKind::Seminar),
            organiser_id: organiser.get_untracked().parse().ok(),
            level: level.get_untracked().parse().ok(),
            format: fmt.get_untracked().parse().unwrap_or(EventFormat::Onsite),
            place: opt(place),
            link: opt(link),
            description: opt(description),
            starts_on,
            ends_on: format::parse_iso_date(&end.get_untracked()),
            schedule: opt(schedule),
            hours: num(hours),
            capacity: num(capacity),
            registration_deadline: format::parse_iso_date(&deadline.get_untracked()),
            competency_ids: comps.get_untracked(),
            audience_subjects: subjects
                .get_untracked()
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            audience_levels: existing
                .as_ref()
                .map(|e| e.audience_levels.clone())
                .unwrap_or_default(),
        };
        if !form.check(input.validate()) {
            return;
        }
        let navigate = navigate.clone();
        let teachers = teachers.clone();
        let saved = RwSignal::new(None::<Uuid>);
        form.run(
            async move {
                let e: EventDto = match existing_id {
                    Some((id, _)) => api.put(&endpoints::catalogue_event(id), &input).await?,
                    None => api.post(endpoints::CATALOGUE_EVENTS, &input).await?,
                };
                // A webinar made for a cohort is published and recommended to all at once.
                if !teachers.is_empty() {
                    let published: EventDto = api
                        .post(
                            &endpoints::catalogue_part(e.summary.id, "publish"),
                            &shared::dto::catalogue::EventStep {
                                version: e.summary.version,
                                reason: None,
                            },
                        )
                        .await?;
                    let _: shared::dto::catalogue::RecommendResult = api
                        .post(
                            &endpoints::catalogue_part(published.summary.id, "recommendations"),
                            &shared::dto::catalogue::RecommendInput {
                                teacher_ids: teachers,
                                note: Some(
                                    "Мероприятие для группы педагогов с общим дефицитом.".into(),
                                ),
                            },
                        )
                        .await?;
                }
                saved.set(Some(e.summary.id));
                Ok(())
            },
            move || {
                if let Some(id) = saved.get_untracked() {
                    navigate(&routes::event_page(id), Default::default());
                }
            },
        );
    };
    view! {
        <form class="card form" on:submit=submit novalidate>
            <FormAlert form=form />
            <Input label="Название" id="event-title" value=title required=true error=form.field("title") />
            <Transition fallback=|| ()>
                {move || {
                    scope
                        .get()
                        .and_then(Result::ok)
                        .map(|scope| {
                            if organiser.get_untracked().is_empty()
                                && let Some(own) = scope.own_unit()
                            {
                                organiser.set(own.to_string());
                            }
                            let units = scope.event_organisers();
                            let mut choices = scope.choices(&units, None);
                            // An event kept by a unit above the person's stays with it.
                            if let Some(c) = current_organiser.as_ref().filter(|c| !units.iter().any(|u| u.id == c.id)) {
                                choices.insert(0, Choice::One(c.id.to_string(), c.name.clone()));
                            }
                            if choices.len() > 1 {
                                return view! {
                                    <Select
                                        label="Организатор"
                                        id="event-organiser"
                                        value=organiser
                                        choices=choices
                                        hint="От имени какой организации проводится; уровень мероприятия по умолчанию — её"
                                        error=form.field("organiser_id")
                                    />
                                }
                                    .into_any();
                            }
                            let name = organiser
                                .get_untracked()
                                .parse::<Uuid>()
                                .ok()
                                .and_then(|id| scope.unit(id))
                                .map(crate::pages::admin::label)
                                .or_else(|| current_organiser.as_ref().map(|c| c.name.clone()))
                                .unwrap_or_default();
                            view! {
                                <p class="small" data-testid="event-organiser">{format!("Организатор: {name}")}</p>
                            }
                                .into_any()
                        })
                }}
            </Transition>
            <div class="form-grid">
                <Select label="Вид" id="event-kind" value=kind choices=enum_choices(EventKind::ALL, EventKind::as_str, EventKind::title_ru) />
                <Select label="Формат" id="event-format" value=fmt choices=enum_choices(EventFormat::ALL, EventFormat::as_str, EventFormat::title_ru) />
                <Select
                    label="Уровень"
                    id="event-level"
                    value=level
                    error=form.field("level")
                    choices=optional_enum_choices(EventLevel::ALL, EventLevel::as_str, EventLevel::title_ru, "По уровню организатора")
                />
                <Input label="Начало" id="event-start" value=start input_type="date" required=true error=form.field("starts_on") />
                <Input label="Окончание" id="event-end" value=end input_type="date" hint="Если больше одного дня" error=form.field("ends_on") />
                <Input label="Запись до" id="event-deadline" value=deadline input_type="date" error=form.field("registration_deadline") />
                <Input label="Часов" id="event-hours" value=hours input_type="number" step="0.5" error=form.field("hours") />
                <Input label="Мест" id="event-capacity" value=capacity input_type="number" hint="Пусто — без ограничения" error=form.field("capacity") />
            </div>
            <Input label="Место проведения" id="event-place" value=place error=form.field("place") />
            <Input label="Ссылка" id="event-link" value=link input_type="url" error=form.field("link") />
            <Input label="Расписание" id="event-schedule" value=schedule hint="Например, «по средам, 15:00–17:00»" />
            <Input label="Предметы" id="event-subjects" value=subjects hint="Через запятую" />
            <TextArea label="Описание" id="event-description" value=description rows=4 />
            <Transition fallback=|| view! { <Loading label="Загружаем компетенции…" /> }>
                {move || {
                    frameworks
                        .get()
                        .and_then(Result::ok)
                        .map(|fw| {
                            let options = fw
                                .competencies()
                                .map(|c| (c.id, format!("{} {}", c.code, c.name)))
                                .collect::<Vec<_>>();
                            view! {
                                <CheckList
                                    legend="Развивает компетенции"
                                    id="event-comps"
                                    options=options
                                    selected=comps
                                    hint="По ним мероприятие рекомендуется педагогам с дефицитами"
                                    error=form.field("competency_ids")
                                />
                            }
                        })
                }}
            </Transition>
            <p class="actions">
                <button type="submit" class="btn btn-primary" data-testid="save-event" disabled=move || form.busy.get()>
                    {if existing_id.is_some() { "Сохранить" } else { "Создать черновик" }}
                </button>
            </p>
        </form>
    }
}
