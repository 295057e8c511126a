//! «Мониторинг ИОМ»: how the routes of a unit are going, with drill-down to the units one level
//! below (teachers below a school), each chart beside its numbers, and the workbook to download.
//! The cabinet's summary card for the managers and coordinators is here too.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::dto::{Frequency, RouteDashboard, RouteDashboardRow};
use shared::monitoring::{Rate, RoutePhase};
use uuid::Uuid;

use crate::api::{ApiError, ApiRequest, endpoints, use_api};
use crate::components::{
    BarChart, ErrorAlert, Loading, PageHeader, StackedBarChart, error_fallback,
};
use crate::pages::documents::DownloadButton;
use crate::routes;

/// The page's address for a unit and period.
fn page_for(unit: Option<Uuid>, from: &str, to: &str) -> String {
    let mut q: Vec<String> = Vec::new();
    if let Some(u) = unit {
        q.push(format!("unit={u}"));
    }
    if !from.is_empty() {
        q.push(format!("from={from}"));
    }
    if !to.is_empty() {
        q.push(format!("to={to}"));
    }
    if q.is_empty() {
        routes::MONITORING.to_owned()
    } else {
        format!("{}?{}", routes::MONITORING, q.join("&"))
    }
}

fn request(unit: Option<Uuid>, from: &str, to: &str) -> ApiRequest {
    let mut r = ApiRequest::new(gloo_net::http::Method::GET, endpoints::ROUTE_DASHBOARD);
    if let Some(u) = unit {
        r = r.query("unit_id", u);
    }
    if !from.is_empty() {
        r = r.query("from", from.to_owned());
    }
    if !to.is_empty() {
        r = r.query("to", to.to_owned());
    }
    r
}

fn percent(r: Rate) -> String {
    r.percent
        .map_or_else(|| "—".to_owned(), |p| format!("{p:.1} %").replace('.', ","))
}

fn days(d: Option<f64>) -> String {
    d.map_or_else(|| "—".to_owned(), |d| format!("{d:.1}").replace('.', ","))
}

#[component]
pub fn MonitoringPage() -> impl IntoView {
    let api = use_api();
    let query = use_query_map();
    let unit =
        Memo::new(move |_| query.with(|q| q.get("unit").and_then(|s| s.parse::<Uuid>().ok())));
    let from = Memo::new(move |_| query.with(|q| q.get("from").unwrap_or_default()));
    let to = Memo::new(move |_| query.with(|q| q.get("to").unwrap_or_default()));
    let data = LocalResource::new(move || {
        let r = request(unit.get(), &from.get(), &to.get());
        async move { api.call::<RouteDashboard>(r).await }
    });
    let navigate = use_navigate();
    let set_period = Callback::new(move |(f, t): (String, String)| {
        navigate(&page_for(unit.get_untracked(), &f, &t), Default::default());
    });
    view! {
        <PageHeader
            title="Мониторинг ИОМ"
            lead="Как идут маршруты педагогов: статусы и этапы, доли начатых и завершённых, просрочки и задержки, частые дефициты и запросы. Название подразделения в таблице открывает его мониторинг."
        />
        <Period from=from to=to set=set_period />
        <Transition fallback=|| view! { <Loading label="Считаем показатели…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || data.get().map(|r| r.map(|d| view! { <Dashboard d=d from=from.get_untracked() to=to.get_untracked() /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

/// The period: routes whose dates overlap it.
#[component]
fn Period(from: Memo<String>, to: Memo<String>, set: Callback<(String, String)>) -> impl IntoView {
    let f = RwSignal::new(from.get_untracked());
    let t = RwSignal::new(to.get_untracked());
    view! {
        <form
            class="period-form"
            aria-label="Период"
            on:submit=move |ev| {
                ev.prevent_default();
                set.run((f.get_untracked(), t.get_untracked()));
            }
        >
            <label class="field">
                <span class="label">"Маршруты, идущие с"</span>
                <input type="date" class="input" data-testid="period-from" prop:value=f on:change=move |ev| f.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span class="label">"по"</span>
                <input type="date" class="input" data-testid="period-to" prop:value=t on:change=move |ev| t.set(event_target_value(&ev)) />
            </label>
            <button type="submit" class="btn btn-secondary btn-small">"Показать"</button>
        </form>
    }
}

#[component]
fn Dashboard(d: RouteDashboard, from: String, to: String) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let xlsx_path = {
        let mut path = format!("{}?unit_id={}", endpoints::ROUTE_DASHBOARD_XLSX, d.unit.id);
        if !from.is_empty() {
            path.push_str(&format!("&from={from}"));
        }
        if !to.is_empty() {
            path.push_str(&format!("&to={to}"));
        }
        path
    };
    let file_name = format!("Мониторинг_ИОМ_{}.xlsx", d.unit.name.replace(' ', "_"));
    let portfolio_path = format!("/api/v1/units/{}/portfolio.xlsx", d.unit.id);
    let portfolio_name = format!("Портфолио_сводка_{}.xlsx", d.unit.name.replace(' ', "_"));
    let status_rows: Vec<(String, u64)> = d
        .by_status
        .iter()
        .map(|c| (c.status.title_ru().to_owned(), c.routes))
        .collect();
    let stage_rows: Vec<(String, u64)> = d
        .by_stage
        .iter()
        .map(|c| (c.stage.title_ru().to_owned(), c.routes))
        .collect();
    let children_kind = match d.children.first().map(|c| c.kind) {
        Some(None) => "Педагог",
        _ => "Подразделение",
    };
    let stacked: Vec<(String, Vec<u64>)> = d
        .children
        .iter()
        .map(|c| (c.name.clone(), c.phases.clone()))
        .collect();
    let series: Vec<&'static str> = RoutePhase::ALL.iter().map(|p| p.title_ru()).collect();
    let (from_q, to_q) = (from.clone(), to.clone());
    let crumbs = d
        .trail
        .iter()
        .map(|u| {
            let current = u.id == d.unit.id;
            let href = page_for(Some(u.id), &from, &to);
            view! {
                <li>
                    {if current {
                        view! { <span aria-current="page">{u.name.clone()}</span> }.into_any()
                    } else {
                        view! { <a href=href>{u.name.clone()}</a> }.into_any()
                    }}
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="breadcrumbs crumbs" aria-label="Подразделения" data-testid="monitoring-trail">
            <ol>{crumbs}</ol>
        </nav>
        <h2 data-testid="monitoring-unit">{d.unit.name.clone()}</h2>
        <div class="chips">
            <DownloadButton
                label="Скачать Excel"
                busy_label="Готовим файл…"
                path=Signal::derive(move || xlsx_path.clone())
                file_name=file_name
                error=error
                test_id="monitoring-xlsx"
            />
            <DownloadButton
                label="Сводка портфолио педагогов (Excel)"
                busy_label="Готовим сводку…"
                path=Signal::derive(move || portfolio_path.clone())
                file_name=portfolio_name
                error=error
                test_id="portfolio-summary-xlsx"
            />
        </div>
        {move || error.get().map(|e| view! { <ErrorAlert error=e /> })}
        <section class="card" aria-labelledby="m-summary">
            <h2 class="card-title" id="m-summary">"Сводка"</h2>
            <dl class="stat-grid" data-testid="monitoring-summary">
                <div><dt>"Маршрутов"</dt><dd data-testid="m-routes">{d.routes}</dd></div>
                <div>
                    <dt>"Начата реализация"</dt>
                    <dd>{percent(d.started)}<span class="small muted">{format!(" ({} из {})", d.started.part, d.started.whole)}</span></dd>
                </div>
                <div>
                    <dt>"Завершены (из начатых)"</dt>
                    <dd>{percent(d.completed)}<span class="small muted">{format!(" ({} из {})", d.completed.part, d.completed.whole)}</span></dd>
                </div>
                <div>
                    <dt>"Задача достигнута (из завершённых)"</dt>
                    <dd>{percent(d.achieved)}<span class="small muted">{format!(" ({} из {})", d.achieved.part, d.achieved.whole)}</span></dd>
                </div>
                <div>
                    <dt>"Просроченные мероприятия"</dt>
                    <dd data-testid="m-overdue">{d.overdue_activities}<span class="small muted">{format!(" в {} маршрутах", d.routes_with_overdue)}</span></dd>
                </div>
                <div>
                    <dt>{format!("Ждут шага дольше {} дней", d.max_days_per_step)}</dt>
                    <dd data-testid="m-stalled">{d.stalled}</dd>
                </div>
            </dl>
        </section>
        <section class="card" aria-labelledby="m-status">
            <h2 class="card-title" id="m-status">"Маршруты по статусам"</h2>
            <div class="chart-pair">
                <BarChart rows=status_rows.clone() test_id="chart-status" />
                <CountTable head="Статус" rows=status_rows />
            </div>
        </section>
        <section class="card" aria-labelledby="m-stage">
            <h2 class="card-title" id="m-stage">"Маршруты по этапам и время на этапе"</h2>
            <div class="chart-pair">
                <BarChart rows=stage_rows.clone() test_id="chart-stage" />
                <div class="table-wrap">
                    <table class="table table-compact">
                        <thead>
                            <tr>
                                <th scope="col">"Этап"</th>
                                <th scope="col">"Маршрутов"</th>
                                <th scope="col">"Медиана, дней"</th>
                                <th scope="col">"90-й перцентиль, дней"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {d.by_stage.iter().map(|c| {
                                let t = d.stage_times.iter().find(|t| t.stage == c.stage);
                                view! {
                                    <tr>
                                        <th scope="row">{c.stage.title_ru()}</th>
                                        <td>{c.routes}</td>
                                        <td>{t.map_or_else(String::new, |t| days(t.median_days))}</td>
                                        <td>{t.map_or_else(String::new, |t| days(t.p90_days))}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </div>
            <p class="small muted">
                "Время на этапе считается по сменам статуса у маршрутов, которые этап уже прошли: разработка и согласование — проектировочный этап, утверждение и реализация — реализационный, экспертиза продукта — рефлексивно-аналитический."
            </p>
        </section>
        {(!d.children.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="m-children">
                <h2 class="card-title" id="m-children">
                    {if children_kind == "Педагог" { "Педагоги" } else { "Подразделения рядом" }}
                </h2>
                <div class="chart-pair">
                    <StackedBarChart series=series rows=stacked test_id="chart-children" />
                    <ChildTable rows=d.children.clone() head=children_kind from=from_q to=to_q />
                </div>
            </section>
        })}
        <div class="card-grid">
            <FrequencyCard title="Частые подтверждённые дефициты" head="Дефицит" rows=d.top_deficits.clone() />
            <FrequencyCard title="Частые образовательные запросы" head="Запрос" rows=d.top_requests.clone() />
        </div>
    }
}

#[component]
fn CountTable(head: &'static str, rows: Vec<(String, u64)>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table table-compact">
                <thead>
                    <tr><th scope="col">{head}</th><th scope="col">"Маршрутов"</th></tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|(name, n)| view! {
                        <tr><th scope="row">{name}</th><td>{n}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn ChildTable(
    rows: Vec<RouteDashboardRow>,
    head: &'static str,
    from: String,
    to: String,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table table-compact" data-testid="monitoring-children">
                <thead>
                    <tr>
                        <th scope="col">{head}</th>
                        <th scope="col">"Маршрутов"</th>
                        {RoutePhase::ALL.iter().map(|p| view! { <th scope="col">{p.title_ru()}</th> }).collect_view()}
                        <th scope="col">"Начата реализация"</th>
                        <th scope="col">"Завершены"</th>
                        <th scope="col">"Достигнута"</th>
                        <th scope="col">"Ждут дольше срока"</th>
                        <th scope="col">"Просрочено"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let name = if r.kind.is_some() {
                            view! { <a href=page_for(Some(r.id), &from, &to)>{r.name.clone()}</a> }.into_any()
                        } else {
                            view! { <span>{r.name.clone()}</span> }.into_any()
                        };
                        view! {
                            <tr>
                                <th scope="row">{name}</th>
                                <td>{r.routes}</td>
                                {r.phases.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                                <td>{r.started}</td>
                                <td>{r.completed}</td>
                                <td>{r.achieved}</td>
                                <td>{r.stalled}</td>
                                <td>{r.overdue_activities}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn FrequencyCard(title: &'static str, head: &'static str, rows: Vec<Frequency>) -> impl IntoView {
    view! {
        <section class="card">
            <h2 class="card-title">{title}</h2>
            {if rows.is_empty() {
                view! { <p class="muted">"Пока нет."</p> }.into_any()
            } else {
                let chart: Vec<(String, u64)> = rows.iter().map(|f| (f.title.clone(), f.routes)).collect();
                view! {
                    <BarChart rows=chart />
                    <CountTable head=head rows=rows.into_iter().map(|f| (f.title, f.routes)).collect() />
                }
                .into_any()
            }}
        </section>
    }
}

/// The cabinet's card for those who manage a unit: the main figures of their widest unit and
/// the way to the page.
#[component]
pub fn MonitoringCard() -> impl IntoView {
    let api = use_api();
    let data = LocalResource::new(move || async move {
        api.call::<RouteDashboard>(request(None, "", "")).await
    });
    view! {
        <section class="card" data-testid="monitoring-card">
            <h2 class="card-title">"Мониторинг ИОМ"</h2>
            <Transition fallback=|| view! { <Loading label="Считаем…" /> }>
                {move || data.get().map(|r| match r {
                    Ok(d) => view! {
                        <p class="muted">{d.unit.name.clone()}</p>
                        <ul class="plain-list">
                            <li>{format!("Маршрутов: {}", d.routes)}</li>
                            <li>{format!("Начата реализация: {}", percent(d.started))}</li>
                            <li>{format!("Завершены: {}", percent(d.completed))}</li>
                            <li>{format!("Ждут шага дольше {} дней: {}", d.max_days_per_step, d.stalled)}</li>
                            <li>{format!("Просроченные мероприятия: {}", d.overdue_activities)}</li>
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                })}
            </Transition>
            <p><a class="link-arrow" href=routes::MONITORING>"Открыть мониторинг"</a></p>
        </section>
    }
}
