//! One event: what, when, where and who organises it; registration (or the waiting list),
//! adding it to my roadmap; for its organiser publishing, cancelling and the attendance sheet.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::Role;
use shared::catalogue::{EnrolmentStatus, EventStatus};
use shared::dto::catalogue::{
    AddToRoadmap, AttendanceInput, EnrolmentDto, EventDto, EventStep, RecommendInput,
    RecommendResult,
};
use shared::dto::{AssignmentKind, MeResponse, Page, PersonSummary, RouteDto, RouteSummary};
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::{enrolment_badge, seats, status_badge};
use crate::api::{ApiError, ApiRequest, endpoints, transfer, use_api};
use crate::components::{
    Alert, AlertKind, Badge, CheckList, Choice, Details, ErrorAlert, FormAlert, FormState, Input,
    Loading, Select, TextArea, WebLink, error_fallback, set_title,
};
use crate::format;
use crate::route_text;
use crate::routes;
use crate::session::use_session;

/// One label and what goes with it (markup allowed).
#[component]
fn Item(#[prop(into)] label: String, children: Children) -> impl IntoView {
    view! {
        <div class="details-row">
            <dt>{label}</dt>
            <dd>{children()}</dd>
        </div>
    }
}

#[component]
pub fn EventPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params.with(|p| {
            p.get(routes::EVENT_ID_PARAM)
                .and_then(|s| s.parse::<Uuid>().ok())
        })
    };
    let api = use_api();
    let version = RwSignal::new(0u32);
    let event = LocalResource::new(move || {
        version.track();
        let id = id();
        async move {
            match id {
                Some(id) => api.get::<EventDto>(&endpoints::catalogue_event(id)).await,
                None => Err(ApiError::Decode("нет такого мероприятия".into())),
            }
        }
    });
    let reload = move || version.update(|v| *v += 1);
    view! {
        <Transition fallback=|| view! { <Loading label="Загружаем мероприятие…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    event
                        .get()
                        .map(|r| r.map(|e| view! { <EventView event=e reload=Callback::new(move |()| reload()) /> }))
                }}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn EventView(event: EventDto, reload: Callback<()>) -> impl IntoView {
    set_title(&event.summary.title);
    let e = event.summary.clone();
    let comps = e
        .competencies
        .iter()
        .map(|c| format!("{} {}", c.code, c.name))
        .collect::<Vec<_>>();
    let audience = event
        .audience_levels
        .iter()
        .map(|l| l.title_ru().to_owned())
        .chain(event.audience_subjects.iter().cloned())
        .collect::<Vec<_>>()
        .join(", ");
    let dates = format::date_range(Some(e.starts_on), Some(e.ends_on)).unwrap_or_default();
    let schedule = event.schedule.clone();
    let place = e.place.clone();
    let link = event.link.clone();
    let organiser = e.organiser.name.clone();
    let seats_text = format!(
        "{}; записано {}, в листе ожидания {}",
        seats(&e),
        event.registered,
        event.waitlisted
    );
    let format_title = e.format.title_ru();
    let hours = e.hours;
    let deadline = e.registration_deadline;
    let id = e.id;
    let manage = event.can_manage;
    let recommend = e.status == EventStatus::Published && e.ends_on >= format::today();
    let me = use_session().me();
    let for_participation = event.clone();
    let for_organiser = event.clone();
    view! {
        <p class="small">
            <a href=routes::CATALOGUE>"← Календарь мероприятий"</a>
        </p>
        <div class="page-header">
            <h1 data-testid="event-title">{e.title.clone()}</h1>
            <p class="lead">
                <Badge kind=status_badge(e.status)>{e.status.title_ru()}</Badge>
                " "
                {format!("{} · {}", e.kind.title_ru(), e.level.title_ru())}
            </p>
        </div>
        {event
            .cancel_reason
            .clone()
            .filter(|_| e.status == EventStatus::Cancelled)
            .map(|r| view! { <Alert kind=AlertKind::Warning>{format!("Мероприятие отменено: {r}")}</Alert> })}
        <div class="event-layout">
            <section class="card" aria-label="О мероприятии">
                <Details>
                    <Item label="Сроки">{dates}</Item>
                    {schedule.map(|s| view! { <Item label="Расписание">{s}</Item> })}
                    <Item label="Формат">{format_title}</Item>
                    {place.map(|p| view! { <Item label="Место">{p}</Item> })}
                    {link
                        .map(|l| {
                            view! {
                                <Item label="Ссылка">
                                    <WebLink href=l />
                                </Item>
                            }
                        })}
                    <Item label="Организатор">{organiser}</Item>
                    {hours.map(|h| view! { <Item label="Объём">{format!("{h} ч")}</Item> })}
                    <Item label="Места">{seats_text}</Item>
                    {deadline
                        .map(|d| view! { <Item label="Запись до">{format::date(d)}</Item> })}
                    {(!comps.is_empty())
                        .then(|| {
                            view! {
                                <Item label="Развивает компетенции">
                                    <ul class="plain">{comps.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                                </Item>
                            }
                        })}
                    {(!audience.is_empty()).then(|| view! { <Item label="Для кого">{audience}</Item> })}
                </Details>
                {event.description.clone().map(|d| view! { <p class="pre-line">{d}</p> })}
            </section>
            <div class="stack">
                <Participation event=for_participation reload=reload />
                {manage.then(|| view! { <Organiser event=for_organiser reload=reload /> })}
                {move || {
                    (recommend && me.with(|m| may_recommend(m.as_ref())))
                        .then(|| {
                            view! {
                                <Recommend
                                    path=endpoints::catalogue_part(id, "recommendations")
                                    where_="Мероприятие появится у них в разделе «Рекомендовано мне»."
                                />
                            }
                        })
                }}
            </div>
        </div>
        {manage.then(|| view! { <Sheet event_id=id reload=reload /> })}
    }
}

/// Registration, the waiting list and «Добавить в мой маршрут».
#[component]
fn Participation(event: EventDto, reload: Callback<()>) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let id = event.summary.id;
    let mine = event.my_enrolment.clone();
    let enrol = move |_| {
        form.run(
            async move {
                api.post_empty::<EventDto>(&endpoints::catalogue_part(id, "enrolment"), &[])
                    .await
                    .map(|_| ())
            },
            move || reload.run(()),
        );
    };
    let leave = move |_| {
        form.run(
            async move {
                api.delete::<EventDto>(&endpoints::catalogue_part(id, "enrolment"))
                    .await
                    .map(|_| ())
            },
            move || reload.run(()),
        );
    };
    let status = mine.as_ref().map(|m| {
        let text = match (m.status, m.waitlist_position) {
            (EnrolmentStatus::Waitlisted, Some(p)) => {
                format!("В листе ожидания: вы {p}-й в очереди")
            }
            (s, _) => s.title_ru().to_owned(),
        };
        view! {
            <p data-testid="my-enrolment">
                <Badge kind=enrolment_badge(m.status)>{text}</Badge>
            </p>
        }
    });
    let can_leave = mine.as_ref().is_some_and(|m| {
        matches!(
            m.status,
            EnrolmentStatus::Registered | EnrolmentStatus::Waitlisted
        )
    });
    let full = event.summary.free_seats == Some(0);
    // My own certificate: registered or attended (the organiser's mark and the certificate
    // together close the activity in my roadmap).
    let certificate = mine
        .as_ref()
        .filter(|m| {
            matches!(
                m.status,
                EnrolmentStatus::Registered | EnrolmentStatus::Attended
            )
        })
        .map(|m| {
            let hint = match (m.status, m.activity_id.is_some()) {
                (EnrolmentStatus::Attended, true) if m.certificate_name.is_some() => {
                    "Мероприятие отмечено выполненным в дорожной карте, сертификат приложен как подтверждение."
                }
                (EnrolmentStatus::Attended, true) => {
                    "Участие отмечено: сертификат закроет мероприятие в дорожной карте и приложится как подтверждение."
                }
                (EnrolmentStatus::Attended, false) => {
                    "Участие отмечено. Добавьте мероприятие в дорожную карту, чтобы сертификат стал подтверждением."
                }
                _ => {
                    "После мероприятия загрузите сертификат: вместе с отметкой организатора об участии он закроет мероприятие в дорожной карте."
                }
            };
            let uploaded = m.certificate_name.clone();
            let label = if uploaded.is_some() {
                "Заменить сертификат"
            } else {
                "Загрузить сертификат"
            };
            view! {
                <div class="my-certificate" data-testid="my-certificate">
                    <h3 class="card-subtitle">"Мой сертификат"</h3>
                    {uploaded
                        .map(|n| view! { <p data-testid="my-certificate-name">{format!("Загружен: «{n}»")}</p> })}
                    <p class="hint">{hint}</p>
                    <CertificateUpload
                        enrolment_id=m.id
                        form=form
                        label=label
                        input_id="my-certificate-file"
                        on_done=reload
                    />
                </div>
            }
        });
    view! {
        <section class="card" aria-labelledby="participation">
            <h2 class="card-title" id="participation">"Участие"</h2>
            <FormAlert form=form />
            {status}
            {event
                .can_enrol
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="btn btn-primary"
                            data-testid="enrol"
                            disabled=move || form.busy.get()
                            on:click=enrol
                        >
                            {if full { "Встать в лист ожидания" } else { "Записаться" }}
                        </button>
                    }
                })}
            {can_leave
                .then(|| {
                    view! {
                        <button type="button" class="btn" data-testid="leave" on:click=leave>
                            "Отменить запись"
                        </button>
                    }
                })}
            {certificate}
            <AddToRoadmap event=event.clone() />
        </section>
    }
}

/// Picks one of my open routes (the newest first) and adds the event to its roadmap.
#[component]
fn AddToRoadmap(event: EventDto) -> impl IntoView {
    let api = use_api();
    let navigate = use_navigate();
    let form = FormState::new();
    let id = event.summary.id;
    if event.summary.status == EventStatus::Draft {
        return ().into_any();
    }
    if let Some(m) = &event.my_enrolment
        && let (Some(route), Some(_)) = (m.route_id, m.activity_id)
    {
        return view! {
            <p>
                <a class="link-arrow" href=routes::route_tab(route, "activity")>
                    "В дорожной карте моего маршрута"
                </a>
            </p>
        }
        .into_any();
    }
    let routes_list = LocalResource::new(move || async move {
        let request = crate::api::ApiRequest::new(gloo_net::http::Method::GET, endpoints::ROUTES)
            .query("mine", "true")
            .query("limit", 50);
        api.call::<Page<RouteSummary>>(request).await
    });
    let chosen = RwSignal::new(String::new());
    let add = move |_| {
        let Ok(route_id) = chosen.get_untracked().parse::<Uuid>() else {
            form.fail("route_id", "Выберите маршрут.");
            return;
        };
        let navigate = navigate.clone();
        form.run(
            async move {
                api.post::<_, RouteDto>(
                    &endpoints::catalogue_part(id, "roadmap"),
                    &AddToRoadmap { route_id },
                )
                .await
                .map(|_| ())
            },
            move || navigate(&routes::route_tab(route_id, "activity"), Default::default()),
        );
    };
    view! {
        <div class="add-to-roadmap">
            <Transition fallback=|| ()>
                {move || {
                    routes_list
                        .get()
                        .and_then(Result::ok)
                        .map(|page| {
                            let open: Vec<RouteSummary> = page
                                .items
                                .into_iter()
                                .filter(|r| !r.status.is_final())
                                .collect();
                            if open.is_empty() {
                                return ().into_any();
                            }
                            if chosen.get_untracked().is_empty() {
                                chosen.set(open[0].id.to_string());
                            }
                            let choices = open
                                .iter()
                                .map(|r| Choice::One(r.id.to_string(), r.title.clone()))
                                .collect::<Vec<_>>();
                            view! {
                                <h3 class="card-subtitle">"В мой маршрут"</h3>
                                <FormAlert form=form />
                                {(open.len() > 1)
                                    .then(|| {
                                        view! {
                                            <Select
                                                label="Маршрут"
                                                id="add-route"
                                                value=chosen
                                                choices=choices
                                                error=form.field("route_id")
                                            />
                                        }
                                    })}
                                <p class="hint">
                                    "Название, сроки, уровень, форма участия, компетенции и ваши дефициты подставятся сами."
                                </p>
                                <button
                                    type="button"
                                    class="btn"
                                    data-testid="add-to-roadmap"
                                    disabled=move || form.busy.get()
                                    on:click=add.clone()
                                >
                                    "Добавить в дорожную карту"
                                </button>
                            }
                                .into_any()
                        })
                }}
            </Transition>
        </div>
    }
    .into_any()
}

/// Whether the signed-in person recommends events to teachers: a manager of some unit, or a
/// tutor or mentor of someone (the server checks each teacher).
fn may_recommend(me: Option<&MeResponse>) -> bool {
    me.is_some_and(|m| {
        m.roles.iter().any(|g| g.role.manages_unit())
            || m.my_teachers.iter().any(|a| supports(a.kind))
    })
}

fn supports(kind: AssignmentKind) -> bool {
    matches!(kind, AssignmentKind::Tutor | AssignmentKind::Mentor)
}

/// «Рекомендовать педагогам»: a manager, tutor or mentor picks teachers — their own tutees
/// first, then anyone in their scope found by name — and adds an optional comment. The same
/// form recommends an event (`path` is its recommendations) or a product of the bank; `where_`
/// tells where the teachers will find it.
#[component]
pub fn Recommend(path: String, where_: &'static str) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let me = use_session().me().get_untracked();
    let my_id = me.as_ref().map(|m| m.person.id);
    let mut tutees: Vec<(Uuid, String)> = me
        .map(|m| {
            m.my_teachers
                .into_iter()
                .filter(|a| supports(a.kind))
                .map(|a| (a.person.id, a.person.full_name))
                .collect()
        })
        .unwrap_or_default();
    tutees.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    tutees.dedup_by_key(|t| t.0);
    let names = RwSignal::new(tutees.iter().cloned().collect::<HashMap<Uuid, String>>());
    let tutee_ids: Vec<Uuid> = tutees.iter().map(|t| t.0).collect();
    let selected = RwSignal::new(Vec::<Uuid>::new());
    let q = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let sent = RwSignal::new(None::<String>);
    let found = LocalResource::new(move || {
        let text = q.get();
        async move {
            let mut request = ApiRequest::new(gloo_net::http::Method::GET, endpoints::PEOPLE)
                .query("role", Role::Teacher.as_str())
                .query("active", "true")
                .query("limit", 20);
            if !text.trim().is_empty() {
                request = request.query("q", text.trim());
            }
            api.call::<Page<PersonSummary>>(request).await
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sent.set(None);
        let teacher_ids = selected.get_untracked();
        if teacher_ids.is_empty() {
            form.fail("teacher_ids", "Выберите хотя бы одного педагога.");
            return;
        }
        let input = RecommendInput {
            teacher_ids,
            note: crate::components::opt(note),
        };
        let count = RwSignal::new(0u64);
        let path = path.clone();
        form.run(
            async move {
                let r: RecommendResult = api.post(&path, &input).await?;
                count.set(r.recommended);
                Ok(())
            },
            move || {
                let n = count.get_untracked();
                sent.set(Some(format!(
                    "Рекомендация отправлена: {n} {}. {where_}",
                    format::plural(
                        i64::try_from(n).unwrap_or(i64::MAX),
                        "педагогу",
                        "педагогам",
                        "педагогам"
                    )
                )));
                selected.set(Vec::new());
                note.set(String::new());
            },
        );
    };
    let chosen = move || {
        let list = selected.get();
        let names = names.get();
        list.iter()
            .map(|id| {
                names
                    .get(id)
                    .map(|n| format::short_full_name(n))
                    .unwrap_or_else(|| "—".to_owned())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let has_tutees = !tutees.is_empty();
    view! {
        <section class="card" aria-labelledby="recommend" data-testid="recommend-card">
            <h2 class="card-title" id="recommend">"Рекомендовать педагогам"</h2>
            <form class="form" on:submit=submit novalidate>
                <FormAlert form=form />
                {move || {
                    sent.get()
                        .map(|m| view! { <Alert kind=AlertKind::Success><span data-testid="recommend-done">{m}</span></Alert> })
                }}
                {has_tutees
                    .then(|| {
                        view! {
                            <CheckList
                                legend="Мои педагоги"
                                id="rec-tutees"
                                options=tutees.clone()
                                selected=selected
                                error=form.field("teacher_ids")
                            />
                        }
                    })}
                <Input
                    label=if has_tutees { "Другие педагоги" } else { "Педагоги" }
                    id="rec-q"
                    value=q
                    hint="Фамилия или адрес почты"
                />
                <div data-testid="rec-found">
                    <Transition fallback=|| view! { <Loading label="Ищем педагогов…" /> }>
                        {move || {
                            found
                                .get()
                                .map(|r| match r {
                                    Ok(page) => {
                                        let options: Vec<(Uuid, String)> = page
                                            .items
                                            .into_iter()
                                            .filter(|p| Some(p.id) != my_id && !tutee_ids.contains(&p.id))
                                            .map(|p| {
                                                let school = p.workplace.map(|w| format!(" — {}", w.name)).unwrap_or_default();
                                                (p.id, format!("{}{school}", p.full_name))
                                            })
                                            .collect();
                                        if options.is_empty() {
                                            return view! { <p class="small muted">"Никого не нашли."</p> }.into_any();
                                        }
                                        let lookup: HashMap<Uuid, String> = options.iter().cloned().collect();
                                        let remember = Callback::new(move |(id, on): (Uuid, bool)| {
                                            if on && let Some(n) = lookup.get(&id) {
                                                let n = n.split(" — ").next().unwrap_or(n).to_owned();
                                                names.update(|m| {
                                                    m.insert(id, n);
                                                });
                                            }
                                        });
                                        view! {
                                            <CheckList
                                                legend="Найдены"
                                                id="rec-found"
                                                options=options
                                                selected=selected
                                                on_toggle=remember
                                                error=if has_tutees { Signal::default() } else { form.field("teacher_ids") }
                                            />
                                        }
                                            .into_any()
                                    }
                                    Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                                })
                        }}
                    </Transition>
                </div>
                <p class="small" data-testid="rec-chosen">
                    {move || {
                        let text = chosen();
                        if text.is_empty() { "Педагоги не выбраны.".to_owned() } else { format!("Выбраны: {text}") }
                    }}
                </p>
                <TextArea
                    label="Комментарий"
                    id="rec-note"
                    value=note
                    rows=2
                    hint="Необязательно: педагог увидит его рядом с рекомендацией"
                    error=form.field("note")
                />
                <p class="actions">
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="recommend"
                        disabled=move || form.busy.get()
                    >
                        {move || match selected.with(Vec::len) {
                            0 => "Рекомендовать".to_owned(),
                            n => format!("Рекомендовать ({n})"),
                        }}
                    </button>
                </p>
            </form>
        </section>
    }
}

/// Publishing, editing and cancelling, for the organiser.
#[component]
fn Organiser(event: EventDto, reload: Callback<()>) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let id = event.summary.id;
    let version = event.summary.version;
    let reason = RwSignal::new(String::new());
    let status = event.summary.status;
    let publish = move |_| {
        form.run(
            async move {
                api.post::<_, EventDto>(
                    &endpoints::catalogue_part(id, "publish"),
                    &EventStep {
                        version,
                        reason: None,
                    },
                )
                .await
                .map(|_| ())
            },
            move || reload.run(()),
        );
    };
    let cancel = move |_| {
        form.run(
            async move {
                api.post::<_, EventDto>(
                    &endpoints::catalogue_part(id, "cancel"),
                    &EventStep {
                        version,
                        reason: crate::components::opt(reason),
                    },
                )
                .await
                .map(|_| ())
            },
            move || reload.run(()),
        );
    };
    view! {
        <section class="card" aria-labelledby="organiser">
            <h2 class="card-title" id="organiser">"Организатору"</h2>
            <FormAlert form=form />
            <p class="actions">
                {(status == EventStatus::Draft)
                    .then(|| {
                        view! {
                            <button type="button" class="btn btn-primary" data-testid="publish" on:click=publish>
                                "Опубликовать"
                            </button>
                        }
                    })}
                {(status != EventStatus::Cancelled)
                    .then(|| {
                        view! {
                            <a class="btn" href=routes::event_edit(id)>"Изменить"</a>
                        }
                    })}
            </p>
            {(status != EventStatus::Cancelled)
                .then(|| {
                    view! {
                        <details>
                            <summary>"Отменить мероприятие"</summary>
                            <Input label="Причина (увидят записавшиеся)" id="cancel-reason" value=reason />
                            <button type="button" class="btn btn-danger" on:click=cancel>
                                "Отменить мероприятие"
                            </button>
                        </details>
                    }
                })}
        </section>
    }
}

/// The attendance sheet: mark who took part and attach their certificates.
#[component]
fn Sheet(event_id: Uuid, reload: Callback<()>) -> impl IntoView {
    let api = use_api();
    let version = RwSignal::new(0u32);
    let rows = LocalResource::new(move || {
        version.track();
        async move {
            api.get::<Vec<EnrolmentDto>>(&endpoints::catalogue_part(event_id, "enrolments"))
                .await
        }
    });
    let form = FormState::new();
    let refresh = Callback::new(move |()| {
        version.update(|v| *v += 1);
        reload.run(());
    });
    view! {
        <section class="card" aria-labelledby="sheet">
            <h2 class="card-title" id="sheet">"Лист участников"</h2>
            <p class="hint">
                "Отметка об участии и сертификат закрывают мероприятие в дорожной карте педагога и прикладываются как подтверждение."
            </p>
            <crate::pages::documents::EventExportButtons query=Signal::derive(move || {
                format!("?event_id={event_id}")
            }) />
            <FormAlert form=form />
            <Transition fallback=|| view! { <Loading label="Загружаем участников…" /> }>
                <ErrorBoundary fallback=error_fallback>
                    {move || {
                        rows.get()
                            .map(|r| {
                                r.map(|list| {
                                    if list.is_empty() {
                                        return view! { <p class="empty">"Пока никто не записался."</p> }.into_any();
                                    }
                                    view! {
                                        <div class="table-wrap">
                                            <table class="table table-stack">
                                                <thead>
                                                    <tr>
                                                        <th scope="col">"Участник"</th>
                                                        <th scope="col">"Организация"</th>
                                                        <th scope="col">"Статус"</th>
                                                        <th scope="col">"Участие"</th>
                                                        <th scope="col">"Сертификат"</th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {list
                                                        .into_iter()
                                                        .map(|row| view! { <SheetRow row=row form=form refresh=refresh /> })
                                                        .collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }
                                        .into_any()
                                })
                            })
                    }}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn SheetRow(row: EnrolmentDto, form: FormState, refresh: Callback<()>) -> impl IntoView {
    let api = use_api();
    let id = row.id;
    let holds = row.status.holds_seat();
    let mark = move |attended: bool| {
        form.run(
            async move {
                api.put::<_, EnrolmentDto>(
                    &endpoints::catalogue_enrolment(id, "attendance"),
                    &AttendanceInput { attended },
                )
                .await
                .map(|_| ())
            },
            move || refresh.run(()),
        );
    };
    view! {
        <tr data-testid="sheet-row">
            <td data-label="Участник">{row.person.full_name.clone()}</td>
            <td data-label="Организация">{row.school.as_ref().map(|s| s.name.clone()).unwrap_or_default()}</td>
            <td data-label="Статус">
                <Badge kind=enrolment_badge(row.status)>
                    {match row.waitlist_position {
                        Some(p) => format!("{}: {p}", row.status.title_ru()),
                        None => row.status.title_ru().to_owned(),
                    }}
                </Badge>
            </td>
            <td data-label="Участие">
                {holds
                    .then(|| {
                        view! {
                            <button type="button" class="btn btn-small" data-testid="mark-attended" on:click=move |_| mark(true)>
                                "Участвовал"
                            </button>
                            " "
                            <button type="button" class="btn btn-small" on:click=move |_| mark(false)>
                                "Не участвовал"
                            </button>
                        }
                    })}
            </td>
            <td data-label="Сертификат">
                {row.certificate_name.clone().map(|n| view! { <span class="small block">{n}</span> })}
                {holds
                    .then(|| {
                        view! {
                            <CertificateUpload
                                enrolment_id=id
                                form=form
                                label="Загрузить"
                                input_id=format!("cert-{id}")
                                on_done=refresh
                            />
                        }
                    })}
            </td>
        </tr>
    }
}

/// A button that uploads a certificate for an enrolment (PDF, JPEG, PNG, DOC/DOCX, ODT): the
/// organiser's in the sheet, the participant's own on the event page.
#[component]
fn CertificateUpload(
    enrolment_id: Uuid,
    form: FormState,
    #[prop(into)] label: String,
    #[prop(into)] input_id: String,
    on_done: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|list| list.get(0)) else {
            return;
        };
        input.set_value("");
        let name = file.name();
        let Some(content_type) = route_text::content_type_for(&name) else {
            form.general.set(Some(format!(
                "Файл «{name}» не подходит: допустимы PDF, JPEG, PNG, DOC/DOCX, ODT."
            )));
            return;
        };
        let url = format!(
            "{}?name={}",
            endpoints::catalogue_enrolment(enrolment_id, "certificate"),
            js_sys::encode_uri_component(&name)
        );
        form.run(
            async move {
                transfer::upload::<EnrolmentDto, _>(api, &url, &file, content_type, |_| {})
                    .await
                    .map(|_| ())
            },
            move || on_done.run(()),
        );
    };
    view! {
        <label class="btn btn-small" for=input_id.clone()>{label}</label>
        <input
            type="file"
            class="visually-hidden"
            id=input_id
            accept=route_text::FILE_ACCEPT
            on:change=on_file
        />
    }
}
