//! One campaign: what it is, the results grid of the people the person may see, hand entry of
//! one person's results (a level or a score per competency), and the import wizard.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::dto::{
    CampaignDto, FrameworkDto, Page, PersonResultsDto, PersonResultsInput, PersonSummary,
    ResultInput,
};
use shared::{CompetencyLevel, DiagnosticKind, Role};
use uuid::Uuid;

use super::drafts::RouteDrafts;
use super::import::ImportWizard;
use super::{level_badge, pages, param_id, paths};
use crate::api::{ApiRequest, endpoints, use_api};
use crate::components::{
    Badge, Choice, FormAlert, FormState, Loading, PageHeader, Select, error_fallback,
};
use crate::format;

#[component]
pub fn CampaignPage() -> impl IntoView {
    let api = use_api();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| param_id(p, "id")));
    let data = LocalResource::new(move || {
        let id = id.get();
        async move {
            let id =
                id.ok_or_else(|| crate::api::ApiError::Decode("Неверный адрес страницы.".into()))?;
            let c: CampaignDto = api.get(&paths::campaign(id)).await?;
            let fw: FrameworkDto = api.get(&endpoints::framework(c.framework.id)).await?;
            Ok::<_, crate::api::ApiError>((c, fw))
        }
    });
    view! {
        <Transition fallback=|| view! { <Loading label="Загружаем диагностику…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    data.get()
                        .map(|r| r.map(|(c, fw)| view! { <Campaign c=c fw=fw /> }))
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// The campaign with its import wizard and hand entry; only the results below are fetched
/// again after a change, so the wizard keeps showing what was loaded.
#[component]
fn Campaign(c: CampaignDto, fw: FrameworkDto) -> impl IntoView {
    let api = use_api();
    let campaign = c.id;
    let version = RwSignal::new(0u32);
    let results = LocalResource::new(move || {
        version.track();
        api.call::<Page<PersonResultsDto>>(
            ApiRequest::new(
                gloo_net::http::Method::GET,
                paths::campaign_part(campaign, "results"),
            )
            .query("limit", 200),
        )
    });
    let refresh = Callback::new(move |_| version.update(|v| *v += 1));
    let grid_fw = fw.clone();
    let meta = [
        Some(c.kind.title_ru().to_owned()),
        Some(format!("уровень: {}", c.level.title_ru().to_lowercase())),
        c.date.map(format::date),
        Some(format!("организатор: {}", c.organiser.name)),
        Some(format!(
            "рамка: {} (версия {})",
            c.framework.name, c.framework.version
        )),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let self_assessment = c.kind == DiagnosticKind::SelfAssessment;
    let can_enter = c.can_manage && !self_assessment;
    // The ЦНППМ manager drafts routes from an independent diagnostic.
    let drafts = c.can_manage
        && !self_assessment
        && crate::session::use_session()
            .me()
            .get_untracked()
            .is_some_and(|m| m.roles.iter().any(|g| g.role == Role::RegionalManager));
    view! {
        <PageHeader title=c.name.clone() lead=meta />
        <p class="chips">
            <a class="btn btn-secondary btn-small" href=pages::CAMPAIGNS>"Все диагностики"</a>
            " "
            <a class="btn btn-secondary btn-small" href=pages::analytics(c.id) data-testid="analytics-link">
                "Сводка и дефициты"
            </a>
            {self_assessment
                .then(|| view! { " " <a class="btn btn-primary btn-small" href=pages::MINE>"Пройти самооценку"</a> })}
        </p>
        {c.description.clone().map(|d| view! { <p>{d}</p> })}
        {drafts.then(|| view! { <RouteDrafts campaign=c.id /> })}
        {can_enter.then(|| view! { <ImportWizard campaign=c.id fw=fw.clone() on_done=refresh /> })}
        {can_enter.then(|| view! { <HandEntry campaign=c.id fw=fw.clone() on_done=refresh /> })}
        <Transition fallback=|| view! { <Loading label="Загружаем результаты…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    let fw = grid_fw.clone();
                    results.get().map(|r| r.map(|page| view! { <ResultsGrid fw=fw page=page /> }))
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// People in rows, competencies in columns, a coloured level in each cell.
#[component]
fn ResultsGrid(fw: FrameworkDto, page: Page<PersonResultsDto>) -> impl IntoView {
    let codes: Vec<(Uuid, String, String)> = fw
        .competencies()
        .map(|c| (c.id, c.code.clone(), c.name.clone()))
        .collect();
    let head = codes
        .iter()
        .map(|(_, code, name)| view! { <th scope="col" title=name.clone()>{code.clone()}</th> })
        .collect_view();
    let rows = page
        .items
        .iter()
        .map(|p| {
            let cells = codes
                .iter()
                .map(|(id, code, _)| {
                    match p.results.iter().find(|r| r.competency.id == *id) {
                        Some(r) => {
                            let text = r.score.map_or_else(
                                || r.level.title_ru().chars().next().unwrap_or('-').to_string(),
                                |s| format!("{s}"),
                            );
                            view! {
                                <td data-label=code.clone() title=r.level.title_ru()>
                                    <Badge kind=level_badge(r.level)>{text}</Badge>
                                </td>
                            }
                            .into_any()
                        }
                        None => view! { <td data-label=code.clone()>"—"</td> }.into_any(),
                    }
                })
                .collect_view();
            view! {
                <tr data-testid="result-person">
                    <th scope="row">
                        {p.person.full_name.clone()}
                        <span class="small muted block">{p.school.clone().unwrap_or_default()}</span>
                    </th>
                    {cells}
                    <td data-label="Дефициты">{p.proposed_deficits.len()}</td>
                </tr>
            }
        })
        .collect_view();
    let shown = page.items.len();
    view! {
        <section class="card" aria-labelledby="results-title">
            <h2 class="card-title" id="results-title">"Результаты"</h2>
            <p class="small muted">
                {format!("Педагогов с результатами: {} (показано {shown}). «Н», «С», «В» — низкий, средний, высокий уровень; число — балл.", page.total)}
            </p>
            {if page.items.is_empty() {
                view! { <p class="empty">"Результатов пока нет."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table table-compact results-grid">
                            <thead>
                                <tr>
                                    <th scope="col">"Педагог"</th>
                                    {head}
                                    <th scope="col">"Дефициты"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

/// A competency's row of the entry grid: id, code, name, level, score.
type EntryRow = (Uuid, String, String, RwSignal<String>, RwSignal<String>);

/// One person's results by hand: pick the person, a level per competency (a score is optional).
#[component]
fn HandEntry(campaign: Uuid, fw: FrameworkDto, on_done: Callback<()>) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let person = RwSignal::new(String::new());
    let people = LocalResource::new(move || {
        api.call::<Page<PersonSummary>>(
            ApiRequest::new(gloo_net::http::Method::GET, "/api/v1/people")
                .query("role", Role::Teacher.as_str())
                .query("limit", 200),
        )
    });
    let comps: Vec<EntryRow> = fw
        .competencies()
        .map(|c| {
            (
                c.id,
                c.code.clone(),
                c.name.clone(),
                RwSignal::new(String::new()),
                RwSignal::new(String::new()),
            )
        })
        .collect();
    // Loads what the chosen person already has, so an edit starts from it.
    let loaded = comps.clone();
    Effect::new(move |_| {
        let Ok(p) = person.get().parse::<Uuid>() else {
            return;
        };
        let loaded = loaded.clone();
        leptos::task::spawn_local(async move {
            let r: Result<PersonResultsDto, _> = api.get(&paths::person(campaign, p)).await;
            for (id, _, _, level, score) in &loaded {
                let found = r
                    .as_ref()
                    .ok()
                    .and_then(|r| r.results.iter().find(|x| x.competency.id == *id));
                level.try_set(
                    found
                        .map(|x| x.level.as_str().to_owned())
                        .unwrap_or_default(),
                );
                score.try_set(
                    found
                        .and_then(|x| x.score)
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                );
            }
        });
    });
    let to_send = comps.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(p) = person.get_untracked().parse::<Uuid>() else {
            form.fail("person", "Выберите педагога.");
            return;
        };
        let mut results = Vec::new();
        for (id, _, _, level, score) in &to_send {
            let level: Option<CompetencyLevel> = level.get_untracked().parse().ok();
            let score_text = score.get_untracked().replace(',', ".");
            let score: Option<f64> = score_text.trim().parse().ok();
            if level.is_some() || score.is_some() {
                results.push(ResultInput {
                    competency_id: *id,
                    level,
                    score,
                    comment: None,
                });
            }
        }
        let input = PersonResultsInput { results };
        form.run(
            async move {
                let _: PersonResultsDto = api.put(&paths::person(campaign, p), &input).await?;
                Ok(())
            },
            move || on_done.run(()),
        );
    };
    let level_choices = || {
        let mut c = vec![Choice::One(String::new(), "по баллу".to_owned())];
        c.extend(
            CompetencyLevel::ALL
                .iter()
                .map(|l| Choice::One(l.as_str().to_owned(), l.title_ru().to_owned())),
        );
        c
    };
    view! {
        <details class="card">
            <summary class="card-title">"Внести результаты вручную"</summary>
            <form class="form" on:submit=submit novalidate>
                <FormAlert form=form />
                {move || {
                    let choices: Vec<Choice> = people
                        .get()
                        .and_then(Result::ok)
                        .map(|p| p.items)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|p| {
                            let school = p.workplace.map(|w| format!(" — {}", w.name)).unwrap_or_default();
                            Choice::One(p.id.to_string(), format!("{}{school}", p.full_name))
                        })
                        .collect();
                    let mut all = vec![Choice::One(String::new(), "— выберите педагога —".to_owned())];
                    all.extend(choices);
                    view! { <Select label="Педагог" id="entry-person" value=person choices=all error=form.field("person") /> }
                }}
                <div class="table-wrap">
                    <table class="table table-compact">
                        <thead>
                            <tr>
                                <th scope="col">"Компетенция"</th>
                                <th scope="col">"Уровень"</th>
                                <th scope="col">"Балл"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {comps
                                .iter()
                                .map(|(_, code, name, level, score)| {
                                    let level = *level;
                                    let score = *score;
                                    let lid = format!("entry-level-{code}");
                                    let sid = format!("entry-score-{code}");
                                    view! {
                                        <tr>
                                            <td><span class="code">{code.clone()}</span>" "{name.clone()}</td>
                                            <td>
                                                <label class="visually-hidden" for=lid.clone()>{format!("Уровень {code}")}</label>
                                                <select class="input select" id=lid prop:value=move || level.get() on:change=move |ev| level.set(event_target_value(&ev))>
                                                    {level_choices()
                                                        .into_iter()
                                                        .map(|c| match c {
                                                            Choice::One(v, t) => view! { <option value=v>{t}</option> }.into_any(),
                                                            Choice::Group(..) => ().into_any(),
                                                        })
                                                        .collect_view()}
                                                </select>
                                            </td>
                                            <td>
                                                <label class="visually-hidden" for=sid.clone()>{format!("Балл {code}")}</label>
                                                <input class="input input-narrow" id=sid type="number" min="0" max="1000" step="any" bind:value=score />
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <div class="form-buttons">
                    <button type="submit" class="btn btn-primary" disabled=move || form.busy.get()>"Сохранить результаты"</button>
                </div>
            </form>
        </details>
    }
}
