//! The managers' view of a campaign for a unit: how many were assessed, levels per competency,
//! the competencies with most deficits, a heat map competency × unit one level below (a click
//! drills down), and the people with a chosen deficit.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use shared::dto::{CampaignAnalytics, DeficitPersonDto, Page};
use uuid::Uuid;

use super::{LevelBar, level_badge, pages, param_id, paths};
use crate::api::{ApiError, ApiRequest, use_api};
use crate::components::{Badge, Loading, PageHeader, error_fallback};
use crate::pages::admin::Pager;

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let api = use_api();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| param_id(p, "id")));
    let unit = Memo::new(move |_| query.with(|q| param_id(q, "unit")));
    let data = LocalResource::new(move || {
        let (id, unit) = (id.get(), unit.get());
        async move {
            let id = id.ok_or_else(|| ApiError::Decode("Неверный адрес страницы.".into()))?;
            let mut r = ApiRequest::new(
                gloo_net::http::Method::GET,
                paths::campaign_part(id, "analytics"),
            );
            if let Some(u) = unit {
                r = r.query("unit_id", u);
            }
            api.call::<CampaignAnalytics>(r).await
        }
    });
    view! {
        <Transition fallback=|| view! { <Loading label="Считаем сводку…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || data.get().map(|r| r.map(|a| view! { <Analytics a=a /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Analytics(a: CampaignAnalytics) -> impl IntoView {
    let campaign = a.campaign.id;
    let unit = a.unit.id;
    let chosen = RwSignal::new(None::<(Uuid, String)>);
    let max_share = a
        .units
        .iter()
        .flat_map(|u| {
            u.deficits
                .iter()
                .map(move |d| *d as f64 / u.assessed.max(1) as f64)
        })
        .fold(0.0_f64, f64::max)
        .max(0.01);
    let comps = a.competencies.clone();
    view! {
        <PageHeader
            title=format!("Сводка: {}", a.campaign.name)
            lead=format!("{} · прошли диагностику: {} · дефицит — {}", a.unit.name, a.assessed, a.deficit_rule)
        />
        <p class="chips">
            <a class="btn btn-secondary btn-small" href=pages::campaign(campaign)>"К диагностике"</a>
        </p>
        <section class="card" aria-labelledby="top-title">
            <h2 class="card-title" id="top-title">"Компетенции, по которым больше всего дефицитов"</h2>
            {if a.top_deficits.is_empty() {
                view! { <p>"Дефицитов не выявлено."</p> }.into_any()
            } else {
                view! {
                    <ol data-testid="top-deficits">
                        {a.top_deficits.iter().map(|s| {
                            let id = s.competency.id;
                            let name = format!("{} {}", s.competency.code, s.competency.name);
                            let shown = name.clone();
                            view! {
                                <li>
                                    <button type="button" class="link-button" on:click=move |_| chosen.set(Some((id, shown.clone())))>
                                        {name}
                                    </button>
                                    {format!(" — {} чел. ({:.0} %)", s.deficits, s.deficits as f64 * 100.0 / a.assessed.max(1) as f64)}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }
                .into_any()
            }}
            {move || chosen.get().map(|(c, name)| view! { <People campaign=campaign unit=unit competency=c name=name /> })}
        </section>
        <section class="card" aria-labelledby="levels-title">
            <h2 class="card-title" id="levels-title">"Уровни по компетенциям"</h2>
            <div class="table-wrap">
                <table class="table table-stack table-compact">
                    <thead>
                        <tr>
                            <th scope="col">"Компетенция"</th>
                            <th scope="col">"Низкий"</th>
                            <th scope="col">"Средний"</th>
                            <th scope="col">"Высокий"</th>
                            <th scope="col">"Распределение"</th>
                            <th scope="col">"Дефициты"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {a.competencies.iter().map(|s| {
                            view! {
                                <tr data-testid="level-row">
                                    <td data-label="Компетенция"><span class="code">{s.competency.code.clone()}</span>" "{s.competency.name.clone()}</td>
                                    <td data-label="Низкий">{s.levels.low}</td>
                                    <td data-label="Средний">{s.levels.medium}</td>
                                    <td data-label="Высокий">{s.levels.high}</td>
                                    <td data-label="Распределение"><LevelBar counts=s.levels /></td>
                                    <td data-label="Дефициты">{s.deficits}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        {(!a.units.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="heat-title">
                <h2 class="card-title" id="heat-title">"Дефициты по подразделениям"</h2>
                <p class="small muted">"Доля педагогов с дефицитом: чем темнее, тем больше. Название открывает сводку подразделения."</p>
                <div class="table-wrap">
                    <table class="table table-compact heat-map">
                        <thead>
                            <tr>
                                <th scope="col">"Подразделение"</th>
                                <th scope="col">"Прошли"</th>
                                {comps.iter().map(|c| view! { <th scope="col" title=c.competency.name.clone()>{c.competency.code.clone()}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {a.units.iter().map(|u| {
                                let href = format!("{}?unit={}", pages::analytics(campaign), u.unit.id);
                                view! {
                                    <tr>
                                        <th scope="row"><a href=href>{u.unit.name.clone()}</a></th>
                                        <td>{u.assessed}</td>
                                        {u.deficits.iter().map(|d| {
                                            let share = *d as f64 / u.assessed.max(1) as f64;
                                            let alpha = (share / max_share).clamp(0.0, 1.0);
                                            let shade = format!("rgba(192, 57, 43, {alpha:.2})");
                                            view! { <td style:background=shade title=format!("{d} чел., {:.0} %", share * 100.0)>{*d}</td> }
                                        }).collect_view()}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        })}
    }
}

/// How many people with a deficit one page shows.
const PEOPLE_PAGE: u64 = 50;

#[component]
fn People(campaign: Uuid, unit: Uuid, competency: Uuid, name: String) -> impl IntoView {
    let api = use_api();
    let offset = RwSignal::new(0_u64);
    let list = LocalResource::new(move || {
        let offset = offset.get();
        api.call::<Page<DeficitPersonDto>>(
            ApiRequest::new(
                gloo_net::http::Method::GET,
                paths::campaign_part(campaign, "deficit-people"),
            )
            .query("competency_id", competency)
            .query("unit_id", unit)
            .query("offset", offset)
            .query("limit", PEOPLE_PAGE),
        )
    });
    view! {
        <h3>{format!("Педагоги с дефицитом: {name}")}</h3>
        <Transition fallback=|| view! { <Loading label="Загружаем…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || list.get().map(|r| r.map(|page| {
                    let shown = page.items.len();
                    view! {
                        <ul class="people-list" data-testid="deficit-people">
                            {page.items.into_iter().map(|p| view! {
                                <li>
                                    {p.person.full_name.clone()}
                                    {p.school.map(|s| format!(" — {s}"))}
                                    " "
                                    <Badge kind=level_badge(p.level)>{p.score.map_or_else(|| p.level.title_ru().to_owned(), |s| s.to_string())}</Badge>
                                </li>
                            }).collect_view()}
                        </ul>
                        <Pager
                            offset=page.offset
                            shown=shown
                            total=page.total
                            page_size=PEOPLE_PAGE
                            words=("педагога", "педагогов", "педагогов")
                            go=Callback::new(move |o| offset.set(o))
                        />
                    }
                }))}
            </ErrorBoundary>
        </Transition>
    }
}
