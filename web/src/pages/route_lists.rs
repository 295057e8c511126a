//! Lists of routes: «Мои маршруты» (the teacher's own), «Согласование» (the person's queue),
//! «Мои педагоги» (a tutor's or methodist's teachers), «Экспертиза» (the expert's) and
//! «Маршруты» (everything in scope, with filters).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::dto::{AssignmentKind, Page, RouteSummary};
use shared::{RouteStatus, Stage};
use uuid::Uuid;

use crate::api::{ApiError, ApiRequest, endpoints, use_api};
use crate::components::{
    Badge, BadgeKind, Choice, Loading, PageHeader, Select, error_fallback, optional_enum_choices,
};
use crate::format;
use crate::route_text;
use crate::routes;
use crate::session::use_session;

/// What a list shows besides the route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Columns {
    teacher: bool,
    /// The stage and the roadmap's progress (not in queues, where the step is what matters).
    progress: bool,
    school: bool,
    /// The last column: the queue's task instead of the general next step.
    queue: bool,
    /// The last column at all (the next step, or the queue's task).
    next: bool,
}

async fn load(
    api: crate::api::Api,
    query: Vec<(&'static str, String)>,
) -> Result<Page<RouteSummary>, ApiError> {
    let mut request = ApiRequest::new(gloo_net::http::Method::GET, endpoints::ROUTES);
    for (k, v) in query {
        request = request.query(k, v);
    }
    api.call(request).await
}

#[component]
fn RouteTable(items: Vec<RouteSummary>, columns: Columns) -> impl IntoView {
    let rows = items
        .into_iter()
        .map(|r| {
            let next = if columns.queue {
                route_text::queue_task(r.status).to_owned()
            } else {
                route_text::next_step(r.status, r.needs_reapproval).what.to_owned()
            };
            let progress = if r.activities_total == 0 {
                view! { <span class="muted">"нет мероприятий"</span> }.into_any()
            } else {
                view! {
                    <span>{format!("{} из {}", r.activities_done, r.activities_total)}</span>
                    {(r.activities_overdue > 0 && route_text::is_running(r.status))
                        .then(|| {
                            view! {
                                " "
                                <Badge kind=BadgeKind::Danger>{format!("просрочено: {}", r.activities_overdue)}</Badge>
                            }
                        })}
                }
                .into_any()
            };
            view! {
                <tr data-testid="route-row">
                    <td data-label="Маршрут">
                        <a class="route-link" href=routes::route_page(r.id)>{r.title.clone()}</a>
                        {r.track.clone().map(|t| view! { <span class="small muted block">{t}</span> })}
                    </td>
                    {columns
                        .teacher
                        .then(|| view! { <td data-label="Педагог">{r.teacher.full_name.clone()}</td> })}
                    {columns.school.then(|| view! { <td data-label="ОО">{r.school.name.clone()}</td> })}
                    <td data-label="Срок">
                        {format::period(r.period_start, r.period_end)}
                    </td>
                    <td data-label="Статус">
                        <Badge kind=route_text::status_badge(r.status)>{r.status.title_ru()}</Badge>
                        {(r.needs_reapproval && !r.status.is_final())
                            .then(|| view! { " " <Badge kind=BadgeKind::Warning>"изменён после утверждения"</Badge> })}
                    </td>
                    {columns
                        .progress
                        .then(|| {
                            view! {
                                <td data-label="Этап">
                                    <span class="small">
                                        {format!("{} из 5: {}", r.stage.number(), r.stage.title_ru())}
                                    </span>
                                </td>
                                <td data-label="Дорожная карта">{progress}</td>
                            }
                        })}
                    {columns
                        .next
                        .then(|| {
                            view! {
                                <td
                                    data-label=if columns.queue { "Что нужно сделать" } else { "Следующий шаг" }
                                    class="small"
                                >
                                    {if columns.queue {
                                        view! { <strong>{next}</strong> }.into_any()
                                    } else {
                                        next.into_any()
                                    }}
                                </td>
                            }
                        })}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table table-stack route-table">
                <thead>
                    <tr>
                        <th scope="col">"Маршрут"</th>
                        {columns.teacher.then(|| view! { <th scope="col">"Педагог"</th> })}
                        {columns.school.then(|| view! { <th scope="col">"ОО"</th> })}
                        <th scope="col">"Срок"</th>
                        <th scope="col">"Статус"</th>
                        {columns
                            .progress
                            .then(|| {
                                view! {
                                    <th scope="col">"Этап"</th>
                                    <th scope="col">"Дорожная карта"</th>
                                }
                            })}
                        {columns
                            .next
                            .then(|| {
                                view! {
                                    <th scope="col">
                                        {if columns.queue { "Что нужно сделать" } else { "Следующий шаг" }}
                                    </th>
                                }
                            })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// A list loaded once with fixed filters, with its empty text.
#[component]
fn FixedList(
    query: Vec<(&'static str, String)>,
    columns: Columns,
    #[prop(into)] empty: String,
) -> impl IntoView {
    let api = use_api();
    let list = LocalResource::new(move || load(api, query.clone()));
    view! {
        <Transition fallback=|| view! { <Loading label="Загружаем маршруты…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    let empty = empty.clone();
                    list.get()
                        .map(|result| {
                            result
                                .map(|page| {
                                    if page.items.is_empty() {
                                        view! { <p class="empty">{empty}</p> }.into_any()
                                    } else {
                                        view! { <RouteTable items=page.items columns=columns /> }.into_any()
                                    }
                                })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
pub fn MyRoutesPage() -> impl IntoView {
    view! {
        <PageHeader
            title="Мои маршруты"
            lead="Ваши индивидуальные образовательные маршруты: план профессионального развития на срок до года."
        />
        <p>
            <a class="btn btn-primary" href=routes::NEW_ROUTE data-testid="new-route">
                "Создать маршрут"
            </a>
        </p>
        <section class="card" aria-label="Список маршрутов">
            <FixedList
                query=vec![("mine", "true".to_owned()), ("limit", "100".to_owned())]
                columns=Columns { teacher: false, school: false, queue: false, progress: true, next: true }
                empty="У вас пока нет маршрутов. Создайте первый: понадобятся только название и срок — остальное подставится из профиля."
            />
        </section>
    }
}

#[component]
pub fn QueuePage() -> impl IntoView {
    view! {
        <PageHeader
            title="Согласование"
            lead="Маршруты, которые ждут вашего решения: согласования, утверждения, заключения."
        />
        <section class="card" aria-label="Очередь">
            <FixedList
                query=vec![("actionable", "true".to_owned()), ("limit", "100".to_owned())]
                columns=Columns { teacher: true, school: false, queue: true, progress: false, next: true }
                empty="Сейчас нет маршрутов, ожидающих вашего решения."
            />
        </section>
    }
}

#[component]
pub fn ExpertisePage() -> impl IntoView {
    view! {
        <PageHeader
            title="Экспертиза"
            lead="Методические продукты закреплённых за вами педагогов: оцените, устранён ли каждый дефицит."
        />
        <div class="stack">
            <section class="card" aria-labelledby="expert-queue">
                <h2 class="card-title" id="expert-queue">"Ожидают оценки"</h2>
                <FixedList
                    query=vec![("actionable", "true".to_owned()), ("limit", "100".to_owned())]
                    columns=Columns { teacher: true, school: true, queue: true, progress: false, next: true }
                    empty="Продуктов, ожидающих вашей оценки, нет."
                />
            </section>
            <section class="card" aria-labelledby="expert-all">
                <h2 class="card-title" id="expert-all">"Все доступные маршруты"</h2>
                <FixedList
                    query=vec![("limit", "100".to_owned())]
                    columns=Columns { teacher: true, school: true, queue: false, progress: true, next: true }
                    empty="Маршрутов нет: эксперт видит маршрут, когда педагог представил продукт."
                />
            </section>
        </div>
    }
}

/// The teachers a tutor or methodist supports, each with their routes.
#[component]
pub fn TuteesPage() -> impl IntoView {
    let me = use_session().me().get_untracked();
    let my_id = me.as_ref().map(|m| m.person.id);
    let teachers: Vec<(Uuid, String, AssignmentKind, bool)> = me
        .map(|m| {
            let mut list: Vec<_> = m
                .my_teachers
                .iter()
                .filter(|a| matches!(a.kind, AssignmentKind::Tutor | AssignmentKind::Mentor))
                .map(|a| {
                    (
                        a.person.id,
                        a.person.full_name.clone(),
                        a.kind,
                        a.kind != AssignmentKind::Tutor || a.consent_at.is_some(),
                    )
                })
                .collect();
            list.sort_by(|a, b| a.1.cmp(&b.1));
            list
        })
        .unwrap_or_default();
    let api = use_api();
    let list = LocalResource::new(move || load(api, vec![("limit", "200".to_owned())]));
    let teachers = StoredValue::new(teachers);
    view! {
        <PageHeader
            title="Мои педагоги"
            lead="Маршруты педагогов, которых вы сопровождаете как тьютор или методист-наставник."
        />
        <Transition fallback=|| view! { <Loading label="Загружаем маршруты…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    list.get()
                        .map(|result| {
                            result
                                .map(|page| {
                                    let all = teachers.get_value();
                                    if all.is_empty() {
                                        return view! {
                                            <p class="empty">"За вами пока не закреплены педагоги."</p>
                                        }
                                            .into_any();
                                    }
                                    all.into_iter()
                                        .map(|(id, name, kind, visible)| {
                                            let routes: Vec<RouteSummary> = page
                                                .items
                                                .iter()
                                                .filter(|r| r.teacher.id == id && Some(id) != my_id)
                                                .cloned()
                                                .collect();
                                            let body = if !visible {
                                                view! {
                                                    <p class="muted">
                                                        "Педагог не дал согласия: его маршруты вам недоступны."
                                                    </p>
                                                }
                                                    .into_any()
                                            } else if routes.is_empty() {
                                                view! { <p class="muted">"Маршрутов пока нет."</p> }.into_any()
                                            } else {
                                                view! {
                                                    <RouteTable
                                                        items=routes
                                                        columns=Columns { teacher: false, school: false, queue: false, progress: true, next: true }
                                                    />
                                                }
                                                    .into_any()
                                            };
                                            view! {
                                                <section class="card tutee">
                                                    <div class="card-head">
                                                        <h2 class="card-title">{name}</h2>
                                                        <Badge kind=BadgeKind::Neutral>{kind.title_ru()}</Badge>
                                                    </div>
                                                    {body}
                                                </section>
                                            }
                                        })
                                        .collect_view()
                                        .into_any()
                                })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

const PAGE_SIZE: u64 = 50;

/// Everything in the person's scope, with filters kept in the address (so «Назад» works and a
/// filtered list can be shared).
#[component]
pub fn RoutesPage() -> impl IntoView {
    // The school is worth a column only to those who look after more than one school.
    let many_schools = use_session().me().with_untracked(|m| {
        m.as_ref().is_some_and(|m| {
            m.roles.iter().any(|g| {
                g.role.manages_unit()
                    && g.unit
                        .as_ref()
                        .is_some_and(|u| u.kind != shared::UnitKind::School)
            })
        })
    });
    let columns = Columns {
        teacher: true,
        school: many_schools,
        queue: false,
        progress: true,
        // With the school's column the table is wide enough without the next step.
        next: !many_schools,
    };
    let query = use_query_map();
    let api = use_api();
    let param = move |name: &'static str| query.with(|q| q.get(name).unwrap_or_default());
    let list = LocalResource::new(move || {
        let mut filters: Vec<(&'static str, String)> = ["status", "stage", "q", "offset"]
            .into_iter()
            .map(|k| (k, param(k)))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        filters.push(("limit", PAGE_SIZE.to_string()));
        load(api, filters)
    });
    let status = RwSignal::new(param("status"));
    let stage = RwSignal::new(param("stage"));
    let text = RwSignal::new(param("q"));
    // «Назад» and «Вперёд» change the address: the form follows it.
    Effect::new(move |_| {
        status.set(param("status"));
        stage.set(param("stage"));
        text.set(param("q"));
    });
    let navigate = use_navigate();
    let go = move |offset: u64| {
        let mut parts: Vec<(&str, String)> = vec![
            ("status", status.get_untracked()),
            ("stage", stage.get_untracked()),
            ("q", text.get_untracked().trim().to_owned()),
        ];
        if offset > 0 {
            parts.push(("offset", offset.to_string()));
        }
        let query: leptos_router::params::ParamsMap =
            parts.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        navigate(
            &format!("{}{}", routes::ROUTES, query.to_query_string()),
            Default::default(),
        );
    };
    let go_submit = go.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        go_submit(0);
    };
    let go_reset = go.clone();
    let reset = move |_| {
        status.set(String::new());
        stage.set(String::new());
        text.set(String::new());
        go_reset(0);
    };
    let statuses: Vec<Choice> = optional_enum_choices(
        RouteStatus::ALL,
        RouteStatus::as_str,
        RouteStatus::title_ru,
        "Все статусы",
    );
    let stages: Vec<Choice> =
        optional_enum_choices(Stage::ALL, Stage::as_str, Stage::title_ru, "Все этапы");
    let pages = move |page: &Page<RouteSummary>| {
        let (offset, total) = (page.offset, page.total);
        let shown_to = (offset + page.items.len() as u64).min(total);
        let go_prev = go.clone();
        let go_next = go.clone();
        view! {
            <div class="pager">
                <p class="small muted">
                    {if total == 0 {
                        "Ничего не найдено.".to_owned()
                    } else {
                        format!(
                            "{}–{} из {total} {}",
                            offset + 1,
                            shown_to,
                            format::plural(total as i64, "маршрута", "маршрутов", "маршрутов"),
                        )
                    }}
                </p>
                {(offset > 0)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-secondary btn-small"
                                on:click=move |_| go_prev(offset.saturating_sub(PAGE_SIZE))
                            >
                                "← Предыдущие"
                            </button>
                        }
                    })}
                {(shown_to < total)
                    .then(|| {
                        view! {
                            <button type="button" class="btn btn-secondary btn-small" on:click=move |_| go_next(shown_to)>
                                "Следующие →"
                            </button>
                        }
                    })}
            </div>
        }
    };
    view! {
        <PageHeader title="Маршруты" lead="Маршруты педагогов в вашей зоне ответственности." />
        <form class="card filters" role="search" aria-label="Фильтры" on:submit=submit>
            <div class="field">
                <label class="label" for="routes-q">"Педагог или название"</label>
                <input class="input" id="routes-q" type="search" bind:value=text />
            </div>
            <Select label="Статус" id="routes-status" value=status choices=statuses />
            <Select label="Этап" id="routes-stage" value=stage choices=stages />
            <div class="filters-buttons">
                <button type="submit" class="btn btn-primary">"Найти"</button>
                <button type="button" class="btn btn-secondary" on:click=reset>"Сбросить"</button>
            </div>
        </form>
        <crate::pages::documents::ExportButtons query=Signal::derive(move || {
            let q: leptos_router::params::ParamsMap = ["status", "stage", "q"]
                .into_iter()
                .map(|k| (k, param(k)))
                .filter(|(_, v)| !v.trim().is_empty())
                .collect();
            q.to_query_string()
        }) />
        <section class="card" aria-label="Найденные маршруты">
            <Transition fallback=|| view! { <Loading label="Загружаем маршруты…" /> }>
                <ErrorBoundary fallback=error_fallback>
                    {move || {
                        list.get()
                            .map(|result| {
                                result
                                    .map(|page| {
                                        let pager = pages(&page);
                                        view! {
                                            {(!page.items.is_empty())
                                                .then(|| {
                                                    view! {
                                                        <RouteTable
                                                            items=page.items.clone()
                                                            columns=columns
                                                        />
                                                    }
                                                })}
                                            {pager}
                                        }
                                    })
                            })
                    }}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
