//! «Рамки компетенций»: every framework version the person can use (status, which one their
//! region takes by default, dates), and one version's page: its groups and competencies with
//! codes, labour functions and score ranges, and the deficit rule in words. A region's manager
//! (or the administrator) copies a published version into a draft, edits the draft and
//! publishes it; the buttons follow the server's own rule, `Actor::can_edit_framework`.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::UnitKind;
use shared::dto::{CopyFramework, FrameworkDto, FrameworkStatus, region_default};
use uuid::Uuid;

use super::framework_editor::{FrameworkEditor, Notice};
use super::{DiagnosticsNav, param_id, paths};
use crate::api::use_api;
use crate::components::{
    Alert, AlertKind, Badge, BadgeKind, Choice, ErrorAlert, Loading, PageHeader, Select,
    error_fallback,
};
use crate::format;
use crate::pages::admin::{Scope, scope_resource};
use crate::routes;

pub fn status_badge(status: FrameworkStatus) -> BadgeKind {
    match status {
        FrameworkStatus::Draft => BadgeKind::Warning,
        FrameworkStatus::Published => BadgeKind::Success,
        FrameworkStatus::Archived => BadgeKind::Neutral,
    }
}

/// Whose framework it is: the region's name, or the platform's.
fn owner(scope: &Scope, f: &FrameworkDto) -> String {
    match f.region_id {
        Some(r) => scope
            .unit(r)
            .map_or_else(|| "Регион".to_owned(), |u| u.name.clone()),
        None => "Общая рамка платформы".to_owned(),
    }
}

/// Whether new routes and campaigns take this version by default: in its own region, or (the
/// platform's) in a region of the person's that has none of its own.
fn is_default(scope: &Scope, all: &[FrameworkDto], f: &FrameworkDto) -> bool {
    let default_in = |r: Uuid| region_default(all, r).is_some_and(|d| d.id == f.id);
    match f.region_id {
        Some(r) => default_in(r),
        None => {
            let mut regions = scope.actor.regions().peekable();
            regions.peek().is_none() || regions.any(default_in)
        }
    }
}

/// The regions where this person may make a draft out of `f`.
fn copy_regions(scope: &Scope, f: &FrameworkDto) -> Vec<(Uuid, String)> {
    scope
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Region && !u.archived)
        .filter(|u| f.region_id.is_none_or(|r| r == u.id))
        .filter(|u| scope.actor.can_edit_framework(Some(u.id)))
        .map(|u| (u.id, u.name.clone()))
        .collect()
}

#[component]
pub fn FrameworksPage() -> impl IntoView {
    let api = use_api();
    let scope = scope_resource();
    let list = LocalResource::new(move || api.get::<Vec<FrameworkDto>>(paths::FRAMEWORKS));
    view! {
        <PageHeader
            title="Рамки компетенций"
            lead="Группы профессиональных компетенций педагога по профстандарту «Педагог» и их версии. Опубликованная версия не меняется: диагностики и маршруты ссылаются на ту, по которой проведены."
        />
        <DiagnosticsNav current=routes::FRAMEWORKS />
        <section class="card" aria-label="Список рамок компетенций">
            <Transition fallback=|| view! { <Loading label="Загружаем рамки…" /> }>
                <ErrorBoundary fallback=error_fallback>
                    {move || {
                        let scope = scope.get()?;
                        let list = list.get()?;
                        Some(
                            scope.and_then(|scope| list.map(|items| view! { <FrameworkTable scope=scope items=items /> })),
                        )
                    }}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn FrameworkTable(scope: Arc<Scope>, items: Vec<FrameworkDto>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="empty">"Рамок компетенций пока нет."</p> }.into_any();
    }
    let rows = items
        .iter()
        .map(|f| {
            let default = is_default(&scope, &items, f);
            let status = f.status;
            let date = match (f.status, f.published_at) {
                (FrameworkStatus::Draft, _) | (_, None) => "—".to_owned(),
                (_, Some(at)) => format::date_time(at),
            };
            view! {
                <tr data-testid="framework-row">
                    <td data-label="Рамка">
                        <a href=routes::framework_page(f.id)>{f.name.clone()}</a>
                    </td>
                    <td data-label="Версия">{f.version}</td>
                    <td data-label="Статус">
                        <Badge kind=status_badge(status)>{status.title_ru()}</Badge>
                        {default.then(|| view! { " " <Badge kind=BadgeKind::Info>"По умолчанию"</Badge> })}
                    </td>
                    <td data-label="Чья">{owner(&scope, f)}</td>
                    <td data-label="Опубликована">{date}</td>
                    <td data-label="Компетенций">{f.competencies().count()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table table-stack">
                <thead>
                    <tr>
                        <th scope="col">"Рамка"</th>
                        <th scope="col">"Версия"</th>
                        <th scope="col">"Статус"</th>
                        <th scope="col">"Чья"</th>
                        <th scope="col">"Опубликована"</th>
                        <th scope="col">"Компетенций"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="small muted">
            "«По умолчанию» — версия, которую берут новые маршруты и диагностики региона: его последняя опубликованная рамка, а пока своей нет — общая рамка платформы."
        </p>
    }
    .into_any()
}

#[component]
pub fn FrameworkPage() -> impl IntoView {
    let api = use_api();
    let params = use_params_map();
    let scope = scope_resource();
    let reload = RwSignal::new(0u32);
    let id = Memo::new(move |_| params.with(|p| param_id(p, "id")));
    let framework = LocalResource::new(move || {
        reload.track();
        let id = id.get();
        async move {
            match id {
                Some(id) => api
                    .get::<FrameworkDto>(&paths::framework(id, None))
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
    });
    let on_reload = Callback::new(move |_| reload.update(|v| *v += 1));
    let notice = RwSignal::new(None::<Notice>);
    view! {
        <Transition fallback=|| view! { <Loading label="Загружаем рамку…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    let scope = scope.get()?;
                    let framework = framework.get()?;
                    Some(
                        scope.and_then(|scope| {
                            framework.map(|f| match f {
                                Some(f) => view! { <FrameworkView scope=scope f=f notice=notice on_reload=on_reload /> }.into_any(),
                                None => view! { <PageHeader title="Рамка не найдена" /> }.into_any(),
                            })
                        }),
                    )
                }}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn FrameworkView(
    scope: Arc<Scope>,
    f: FrameworkDto,
    notice: RwSignal<Option<Notice>>,
    on_reload: Callback<()>,
) -> impl IntoView {
    let editable = f.status == FrameworkStatus::Draft
        && f.region_id.is_some()
        && scope.actor.can_edit_framework(f.region_id);
    let regions = if f.status == FrameworkStatus::Published {
        copy_regions(&scope, &f)
    } else {
        Vec::new()
    };
    let mut lead = format!("Версия {} · {}", f.version, owner(&scope, &f));
    if let Some(at) = f.published_at {
        lead.push_str(&format!(" · опубликована {}", format::date_time(at)));
    }
    let status = f.status;
    let body = if editable {
        view! { <FrameworkEditor f=f.clone() notice=notice on_reload=on_reload /> }.into_any()
    } else {
        view! { <FrameworkTree f=f.clone() /> }.into_any()
    };
    view! {
        <PageHeader title=f.name.clone() lead=lead />
        <DiagnosticsNav current=routes::FRAMEWORKS />
        <p class="toolbar">
            <a href=routes::FRAMEWORKS>"← Все рамки компетенций"</a>
            <span data-testid="framework-status">
                <Badge kind=status_badge(status)>{status.title_ru()}</Badge>
            </span>
        </p>
        {move || {
            notice
                .get()
                .map(|n| {
                    let kind = if n.success { AlertKind::Success } else { AlertKind::Warning };
                    view! {
                        <div data-testid="framework-notice">
                            <Alert kind=kind>
                                <p>{n.text}</p>
                            </Alert>
                        </div>
                    }
                })
        }}
        {(!regions.is_empty()).then(|| view! { <CopyButton source=f.id regions=regions /> })}
        {(status == FrameworkStatus::Published)
            .then(|| {
                view! {
                    <p class="small muted">
                        "Опубликованная версия не изменяется: диагностики и маршруты ссылаются на неё. Чтобы изменить рамку, создайте копию — новый черновик."
                    </p>
                }
            })}
        {body}
    }
}

/// «Создать копию для редактирования»: a new draft of the region (chosen when there are several).
#[component]
fn CopyButton(source: Uuid, regions: Vec<(Uuid, String)>) -> impl IntoView {
    let api = use_api();
    let navigate = use_navigate();
    let region = RwSignal::new(regions[0].0.to_string());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None);
    let several = regions.len() > 1;
    let choices: Vec<Choice> = regions
        .into_iter()
        .map(|(id, name)| Choice::One(id.to_string(), name))
        .collect();
    let copy = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let body = CopyFramework {
            region_id: region.get_untracked().parse().ok(),
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = api
                .post::<_, FrameworkDto>(&paths::framework(source, Some("copy")), &body)
                .await;
            busy.try_set(false);
            match result {
                Ok(draft) => navigate(&routes::framework_page(draft.id), Default::default()),
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <section class="card" aria-label="Копия для редактирования">
            {several.then(|| view! { <Select label="Регион копии" id="copy-region" value=region choices=choices.clone() /> })}
            {move || error.get().map(|e| view! { <ErrorAlert error=e /> })}
            <button
                type="button"
                class="btn btn-primary"
                data-testid="copy-framework"
                aria-disabled=move || busy.get().then_some("true")
                on:click=copy
            >
                "Создать копию для редактирования"
            </button>
        </section>
    }
}

/// The score ranges of a competency in words.
pub fn ranges_text(low_max: Option<f64>, medium_max: Option<f64>) -> String {
    match (low_max, medium_max) {
        (Some(l), Some(m)) => format!("низкий — до {l}, средний — до {m}, высокий — выше {m}"),
        (Some(l), None) => format!("низкий — до {l}"),
        (None, Some(m)) => format!("не ниже среднего — до {m}, высокий — выше {m}"),
        (None, None) => "не заданы".to_owned(),
    }
}

/// A version's tree, read-only: the groups with their competencies, and the deficit rule.
#[component]
pub fn FrameworkTree(f: FrameworkDto) -> impl IntoView {
    let groups = f
        .groups
        .into_iter()
        .map(|g| {
            let title_id = format!("group-{}", g.id);
            let labelled_by = title_id.clone();
            let rows = g
                .competencies
                .into_iter()
                .map(|c| {
                    view! {
                        <tr data-testid="competency-row" data-code=c.code.clone()>
                            <td data-label="Код"><span class="code">{c.code.clone()}</span></td>
                            <td data-label="Компетенция">
                                <span class="competency-name">{c.name.clone()}</span>
                                {c.description.clone().map(|d| view! { <p class="small muted">{d}</p> })}
                            </td>
                            <td data-label="Трудовая функция">{format::or_not_specified(c.labour_function.clone())}</td>
                            <td data-label="Границы баллов" class="small" data-testid="competency-ranges">
                                {ranges_text(c.low_max, c.medium_max)}
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <section class="card" aria-labelledby=labelled_by>
                    <h2 class="card-title" id=title_id>
                        <span class="code">{g.code.clone()}</span>
                        " "
                        {g.name.clone()}
                    </h2>
                    <div class="table-wrap">
                        <table class="table table-stack">
                            <thead>
                                <tr>
                                    <th scope="col">"Код"</th>
                                    <th scope="col">"Компетенция"</th>
                                    <th scope="col">"Трудовая функция"</th>
                                    <th scope="col">"Границы баллов"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </section>
            }
        })
        .collect_view();
    view! {
        <Alert kind=AlertKind::Info title="Правило дефицита">
            <p data-testid="deficit-rule">{format!("Дефицитом считается результат: {}.", f.deficit_rule.describe_ru())}</p>
        </Alert>
        {groups}
    }
}
