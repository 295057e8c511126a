//! One route: its header (title, people, period, the five stages, status, the next step and the
//! person's actions) and its five sections, history and comments as tabs.
//!
//! The whole route is one signal ([`RouteCtx::route`]); every write answers with the whole
//! route, which replaces it. Lists are keyed by item id and version, so a write re-renders only
//! what it changed. A stale write (412) reloads the route and says so.

mod actions;
mod diagnostic;
mod files;
mod history;
mod info;
mod reflective;
mod roadmap;
mod target;

use std::collections::BTreeMap;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};
use shared::dto::{FrameworkDto, RouteDto};
use shared::workflow::{self, Part};
use uuid::Uuid;

use crate::api::{Api, ApiError, endpoints, use_api};
use crate::components::{AlertKind, Badge, ErrorAlert, Loading, set_title};
use crate::format;
use crate::route_text;
use crate::routes;

/// The tabs of a route's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Info,
    Diagnostic,
    Target,
    Activity,
    Reflective,
    History,
    Comments,
}

impl Tab {
    pub const ALL: [Tab; 7] = [
        Tab::Info,
        Tab::Diagnostic,
        Tab::Target,
        Tab::Activity,
        Tab::Reflective,
        Tab::History,
        Tab::Comments,
    ];

    pub const fn slug(self) -> &'static str {
        match self {
            Tab::Info => "info",
            Tab::Diagnostic => "diagnostic",
            Tab::Target => "target",
            Tab::Activity => "activity",
            Tab::Reflective => "reflective",
            Tab::History => "history",
            Tab::Comments => "comments",
        }
    }

    /// The section of the route card a tab shows.
    pub const fn section(self) -> Option<shared::Section> {
        use shared::Section as S;
        match self {
            Tab::Info => Some(S::Information),
            Tab::Diagnostic => Some(S::Diagnostic),
            Tab::Target => Some(S::Target),
            Tab::Activity => Some(S::Activity),
            Tab::Reflective => Some(S::Reflective),
            Tab::History | Tab::Comments => None,
        }
    }

    /// The tab's label: short; the section's full name heads the tab's content.
    pub const fn title(self) -> &'static str {
        match self {
            Tab::Info => "1. Информация",
            Tab::Diagnostic => "2. Диагностика",
            Tab::Target => "3. Задачи",
            Tab::Activity => "4. Дорожная карта",
            Tab::Reflective => "5. Итоги",
            Tab::History => "История",
            Tab::Comments => "Комментарии",
        }
    }

    fn from_slug(slug: &str) -> Tab {
        Tab::ALL
            .into_iter()
            .find(|t| t.slug() == slug)
            .unwrap_or(Tab::Info)
    }

    /// The tab where a problem with this field (`target.tasks`) is fixed.
    pub fn of_field(field: &str) -> Option<Tab> {
        let section = field.split('.').next()?;
        Some(match section {
            "information" => Tab::Info,
            "diagnostic" => Tab::Diagnostic,
            "target" => Tab::Target,
            "activity" => Tab::Activity,
            "reflective" => Tab::Reflective,
            _ => return None,
        })
    }
}

/// A short message at the bottom of the screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub kind: AlertKind,
    pub text: String,
    serial: u32,
}

/// The route being shown, shared by every part of the page.
#[derive(Clone, Copy)]
pub struct RouteCtx {
    pub id: Uuid,
    pub api: Api,
    pub route: RwSignal<RouteDto>,
    pub framework: RwSignal<Option<FrameworkDto>>,
    pub toast: RwSignal<Option<Toast>>,
    /// Why the last workflow step was refused, by field (`target.tasks`…), shown in the
    /// sections concerned until the next successful step.
    pub problems: RwSignal<BTreeMap<String, Vec<String>>>,
}

pub fn use_route() -> RouteCtx {
    expect_context::<RouteCtx>()
}

impl RouteCtx {
    /// The plan (diagnostics, deficits, tasks, roadmap, products) and progress may be changed
    /// by this person now. Tracked.
    pub fn plan_editable(self) -> bool {
        self.route.with(|r| {
            r.permissions.can_edit
                && workflow::editable(Part::Plan, r.status)
                && route_text::writes_content(&r.permissions.participant)
        })
    }

    /// Takes what a write answered: the new route, or, for a stale write, the fresh route and
    /// a word to the person. The error goes back to the form either way.
    pub async fn apply(self, result: Result<RouteDto, ApiError>) -> Result<(), ApiError> {
        match result {
            Ok(route) => {
                self.route.try_set(route);
                Ok(())
            }
            Err(e) if e.status() == Some(412) => {
                self.reload().await;
                self.say(
                    AlertKind::Warning,
                    "Маршрут изменился, пока вы его редактировали (возможно, его правил кто-то ещё). \
                     Загружена свежая версия: проверьте данные и повторите изменение.",
                );
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Reads the route again.
    pub async fn reload(self) {
        if let Ok(route) = self.api.get::<RouteDto>(&endpoints::route(self.id)).await {
            self.route.try_set(route);
        }
    }

    /// Shows a short message; a success goes away by itself.
    pub fn say(self, kind: AlertKind, text: impl Into<String>) {
        let serial = self
            .toast
            .try_with_untracked(|t| t.as_ref().map_or(0, |t| t.serial + 1))
            .unwrap_or(0);
        self.toast.try_set(Some(Toast {
            kind,
            text: text.into(),
            serial,
        }));
        if kind == AlertKind::Success {
            let toast = self.toast;
            set_timeout(
                move || {
                    if toast
                        .try_with_untracked(|t| t.as_ref().is_some_and(|t| t.serial == serial))
                        .unwrap_or(false)
                    {
                        toast.try_set(None);
                    }
                },
                Duration::from_secs(6),
            );
        }
    }

    /// Asks the person to confirm something that cannot be undone.
    pub fn confirm(message: &str) -> bool {
        window().confirm_with_message(message).unwrap_or(false)
    }
}

#[component]
pub fn RoutePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|p| {
            p.get(routes::ROUTE_ID_PARAM)
                .and_then(|s| s.parse::<Uuid>().ok())
        })
    });
    move || match id.get() {
        Some(id) => view! { <RouteLoader id=id /> }.into_any(),
        None => view! { <NotARoute /> }.into_any(),
    }
}

#[component]
fn NotARoute() -> impl IntoView {
    set_title("Маршрут не найден");
    view! {
        <div class="page-header">
            <h1>"Маршрут не найден"</h1>
            <p class="lead">"Маршрута по этому адресу нет или он вам недоступен."</p>
        </div>
    }
}

#[component]
fn RouteLoader(id: Uuid) -> impl IntoView {
    let api = use_api();
    let route =
        LocalResource::new(move || async move { api.get::<RouteDto>(&endpoints::route(id)).await });
    view! {
        <Suspense fallback=|| view! { <Loading label="Загружаем маршрут…" /> }>
            {move || {
                route
                    .get()
                    .map(|result| match result {
                        Ok(dto) => view! { <RouteView initial=dto /> }.into_any(),
                        Err(e) if e.status() == Some(404) => view! { <NotARoute /> }.into_any(),
                        Err(e) => {
                            set_title("Маршрут");
                            view! {
                                <h1>"Маршрут"</h1>
                                <ErrorAlert error=e />
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

#[component]
fn RouteView(initial: RouteDto) -> impl IntoView {
    let api = use_api();
    let framework_id = initial.framework_id;
    let ctx = RouteCtx {
        id: initial.id,
        api,
        route: RwSignal::new(initial),
        framework: RwSignal::new(None),
        toast: RwSignal::new(None),
        problems: RwSignal::new(BTreeMap::new()),
    };
    provide_context(ctx);
    if let Some(fw) = framework_id {
        spawn_local(async move {
            if let Ok(f) = api.get::<FrameworkDto>(&endpoints::framework(fw)).await {
                ctx.framework.try_set(Some(f));
            }
        });
    }
    let title = Memo::new(move |_| ctx.route.with(|r| r.title.clone()));
    Effect::new(move |_| set_title(&title.get()));

    let query = use_query_map();
    let tab =
        Memo::new(move |_| query.with(|q| q.get("tab").map_or(Tab::Info, |s| Tab::from_slug(&s))));

    view! {
        <Breadcrumbs />
        <RouteHeader />
        <TabNav current=tab />
        <div class="tab-panel" id="route-tab-panel">
            {move || {
                tab.get()
                    .section()
                    .map(|s| {
                        view! {
                            <p class="section-name">
                                {format!("Раздел {}. {}", s.number(), s.title_ru())}
                            </p>
                        }
                    })
            }}
            {move || match tab.get() {
                Tab::Info => view! { <info::InfoTab /> }.into_any(),
                Tab::Diagnostic => view! { <diagnostic::DiagnosticTab /> }.into_any(),
                Tab::Target => view! { <target::TargetTab /> }.into_any(),
                Tab::Activity => view! { <roadmap::ActivityTab /> }.into_any(),
                Tab::Reflective => view! { <reflective::ReflectiveTab /> }.into_any(),
                Tab::History => view! { <history::HistoryTab /> }.into_any(),
                Tab::Comments => view! { <history::CommentsTab /> }.into_any(),
            }}
        </div>
        <ToastView />
    }
}

/// Where the route sits: the person's own list, or the list of routes they look after.
#[component]
fn Breadcrumbs() -> impl IntoView {
    let ctx = use_route();
    let back = Memo::new(move |_| {
        ctx.route.with(|r| {
            let p = &r.permissions.participant;
            use shared::workflow::Participant as P;
            if p.contains(&P::Owner) {
                (routes::MY_ROUTES, "Мои маршруты")
            } else if p.contains(&P::Expert) {
                (routes::EXPERTISE, "Экспертиза")
            } else if p.contains(&P::Tutor) || p.contains(&P::Mentor) {
                (routes::TUTEES, "Мои педагоги")
            } else {
                (routes::ROUTES, "Маршруты")
            }
        })
    });
    view! {
        <nav class="breadcrumbs" aria-label="Вы здесь">
            <a href=move || back.get().0>{move || back.get().1}</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{move || ctx.route.with(|r| r.title.clone())}</span>
        </nav>
    }
}

#[component]
fn RouteHeader() -> impl IntoView {
    let ctx = use_route();
    let r = ctx.route;
    let status = Memo::new(move |_| r.with(|r| r.status));
    let stage = Memo::new(move |_| r.with(|r| r.stage));
    let period = move || {
        r.with(|r| {
            let mut text = format::period(r.period_start, r.period_end);
            if let Some(orig) = r.original_end {
                text.push_str(&format!(" (продлён, было до {})", format::date(orig)));
            }
            text
        })
    };
    let next = move || r.with(|r| route_text::next_step(r.status, r.needs_reapproval));
    let reapproval = move || {
        r.with(|r| {
            (r.needs_reapproval && !r.status.is_final()).then(|| {
                let since = r
                    .approved_version
                    .map(|v| format!(" после утверждённой версии {v}"))
                    .unwrap_or_default();
                view! {
                    <p class="notice-inline">
                        <Badge kind=crate::components::BadgeKind::Warning>"нужно повторное согласование"</Badge>
                        {format!(" Задачи или срок изменены{since}. ")}
                        <a href=routes::route_tab(ctx.id, Tab::History.slug()) data-noscroll="true">
                            "Что изменилось"
                        </a>
                    </p>
                }
            })
        })
    };
    view! {
        <header class="card route-head" aria-labelledby="route-title">
            <div class="route-head-top">
                <p class="eyebrow">"Индивидуальный образовательный маршрут"</p>
                <div class="route-head-status">
                    <span class="visually-hidden">"Статус: "</span>
                    {move || {
                        let s = status.get();
                        view! {
                            <span data-testid="route-status">
                                <Badge kind=route_text::status_badge(s)>{s.title_ru()}</Badge>
                            </span>
                        }
                    }}
                </div>
            </div>
            <h1 id="route-title">{move || r.with(|r| r.title.clone())}</h1>
            <p class="route-meta">
                <span>
                    <span class="visually-hidden">"Педагог: "</span>
                    <strong>{move || r.with(|r| r.teacher.full_name.clone())}</strong>
                </span>
                <span>{move || r.with(|r| r.school.name.clone())}</span>
                <span>
                    <span class="visually-hidden">"Срок: "</span>
                    {period}
                </span>
                {move || r.with(|r| r.track.clone()).map(|t| view! { <span>"Трек: " {t}</span> })}
            </p>
            <Stepper stage=stage />
            {reapproval}
            <div class="next-step" data-testid="next-step">
                <p>
                    <strong>"Следующий шаг: "</strong>
                    {move || next().what}
                </p>
                {move || {
                    let who = next().who;
                    (who != "—").then(|| view! { <p class="small muted">"Ожидается от: " {who}</p> })
                }}
            </div>
            <actions::Actions />
            <crate::pages::documents::CardDownloads
                id=ctx.id
                teacher=Signal::derive(move || r.with(|r| r.teacher.full_name.clone()))
                completed=Signal::derive(move || status.get() == shared::RouteStatus::Completed)
            />
        </header>
    }
}

/// The five stages, with the current one marked.
#[component]
fn Stepper(stage: Memo<shared::Stage>) -> impl IntoView {
    view! {
        <ol class="stepper" aria-label="Этапы работы над маршрутом">
            {move || {
                route_text::stepper(stage.get())
                    .into_iter()
                    .map(|(s, done, current)| {
                        view! {
                            <li
                                class="step"
                                class:step-done=done
                                class:step-current=current
                                aria-current=current.then_some("step")
                            >
                                <span class="step-num" aria-hidden="true">
                                    {if done { "✓".to_owned() } else { s.number().to_string() }}
                                </span>
                                <span class="step-name">
                                    {s.title_ru()}
                                    {done.then(|| view! { <span class="visually-hidden">" (пройден)"</span> })}
                                    {current.then(|| view! { <span class="visually-hidden">" (текущий)"</span> })}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ol>
    }
}

#[component]
fn TabNav(current: Memo<Tab>) -> impl IntoView {
    let ctx = use_route();
    let id = ctx.id;
    let count = move |tab: Tab| {
        ctx.route.with(|r| match tab {
            Tab::Diagnostic => Some(r.diagnostic.deficits.len()),
            Tab::Target => Some(r.target.tasks.len()),
            Tab::Activity => Some(r.activity.activities.len()),
            _ => None,
        })
    };
    let flagged = move |tab: Tab| {
        ctx.problems
            .with(|p| p.keys().any(|k| Tab::of_field(k) == Some(tab)))
    };
    view! {
        <nav class="tabs" aria-label="Разделы маршрута">
            <ul>
                {Tab::ALL
                    .into_iter()
                    .map(|tab| {
                        view! {
                            <li>
                                <a
                                    href=routes::route_tab(id, tab.slug())
                                    class="tab"
                                    class:tab-current=move || current.get() == tab
                                    aria-current=move || (current.get() == tab).then_some("page")
                                    data-tab=tab.slug()
                                    // Switching tabs keeps the page where it is.
                                    data-noscroll="true"
                                >
                                    {tab.title()}
                                    {move || count(tab).map(|n| view! { <span class="tab-count">{n}</span> })}
                                    {move || {
                                        flagged(tab)
                                            .then(|| {
                                                view! {
                                                    <span class="tab-flag" title="Есть замечания">
                                                        "!"
                                                        <span class="visually-hidden">" (есть замечания)"</span>
                                                    </span>
                                                }
                                            })
                                    }}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

#[component]
fn ToastView() -> impl IntoView {
    let ctx = use_route();
    view! {
        <div class="toast-region" aria-live="polite">
            {move || {
                ctx.toast
                    .get()
                    .map(|t| {
                        let class = match t.kind {
                            AlertKind::Success => "toast alert alert-success",
                            AlertKind::Info => "toast alert alert-info",
                            AlertKind::Warning => "toast alert alert-warning",
                            AlertKind::Error => "toast alert alert-error",
                        };
                        view! {
                            <div class=class role=if t.kind == AlertKind::Success { "status" } else { "alert" } data-testid="toast">
                                <p>{t.text}</p>
                                <button
                                    type="button"
                                    class="btn btn-small btn-ghost"
                                    aria-label="Закрыть сообщение"
                                    on:click=move |_| ctx.toast.set(None)
                                >
                                    "×"
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}

/// A card's heading with its «Добавить …» button, offered while `can_add` holds and no new
/// item's form is open.
#[component]
pub fn CardHead(
    title: &'static str,
    id: &'static str,
    add_label: &'static str,
    #[prop(into)] can_add: Signal<bool>,
    adding: RwSignal<bool>,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="card-head">
            <h2 class="card-title" id=id>{title}</h2>
            {move || {
                (can_add.get() && !adding.get())
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-secondary btn-small"
                                data-testid=testid
                                on:click=move |_| adding.set(true)
                            >
                                {add_label}
                            </button>
                        }
                    })
            }}
        </div>
    }
}

/// The problems of the last refused step that belong to this section (`target`), if any.
#[component]
pub fn SectionProblems(section: &'static str) -> impl IntoView {
    let ctx = use_route();
    move || {
        let list: Vec<String> = ctx.problems.with(|p| {
            p.iter()
                .filter(|(k, _)| k.split('.').next() == Some(section))
                .flat_map(|(_, v)| v.iter().cloned())
                .collect()
        });
        (!list.is_empty()).then(|| {
            view! {
                <div class="alert alert-warning" role="status">
                    <p class="alert-title">"Что нужно дополнить"</p>
                    <ul class="plain">{list.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                </div>
            }
        })
    }
}

/// Competencies of the route's framework as grouped choices for a select.
pub fn competency_choices(fw: &FrameworkDto) -> Vec<crate::components::Choice> {
    fw.groups
        .iter()
        .map(|g| {
            crate::components::Choice::Group(
                g.name.clone(),
                g.competencies
                    .iter()
                    .map(|c| (c.id.to_string(), format!("{} {}", c.code, c.name)))
                    .collect(),
            )
        })
        .collect()
}

/// A deficit's title by id, from the route.
pub fn deficit_title(route: &RouteDto, id: Uuid) -> String {
    route
        .diagnostic
        .deficits
        .iter()
        .find(|d| d.id == id)
        .map_or_else(|| "удалённый дефицит".to_owned(), |d| d.title.clone())
}

/// Deletes an item of a section after the person confirms; problems are told in a toast.
pub fn delete_item(
    ctx: RouteCtx,
    items: endpoints::Items,
    item: Uuid,
    version: i32,
    question: &str,
) {
    if !RouteCtx::confirm(question) {
        return;
    }
    spawn_local(async move {
        let result = ctx
            .api
            .delete_version::<RouteDto>(&endpoints::route_item(ctx.id, items, item), version)
            .await;
        match ctx.apply(result).await {
            Ok(()) => ctx.say(AlertKind::Success, "Удалено."),
            Err(e) if e.status() == Some(412) => {}
            Err(e) => ctx.say(AlertKind::Error, e.message()),
        }
    });
}

/// The buttons «Изменить» and «Удалить» of an item, labelled with what they act on.
#[component]
pub fn ItemButtons(
    #[prop(into)] what: String,
    on_edit: Callback<()>,
    on_delete: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="item-buttons">
            <button
                type="button"
                class="btn btn-secondary btn-small"
                aria-label=format!("Изменить: {what}")
                on:click=move |_| on_edit.run(())
            >
                "Изменить"
            </button>
            <button
                type="button"
                class="btn btn-danger btn-small"
                aria-label=format!("Удалить: {what}")
                on:click=move |_| on_delete.run(())
            >
                "Удалить"
            </button>
        </div>
    }
}

/// «Сохранить» and «Отмена» at the bottom of an item's form.
#[component]
pub fn FormButtons(
    form: crate::components::FormState,
    #[prop(default = "Сохранить")] save: &'static str,
    on_cancel: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="form-buttons">
            <button
                type="submit"
                class="btn btn-primary"
                aria-disabled=move || form.busy.get().then_some("true")
            >
                {move || if form.busy.get() { "Сохраняем…" } else { save }}
            </button>
            <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>
                "Отмена"
            </button>
        </div>
    }
}
