//! «Мои диагностики»: a teacher's results in every campaign as a chart per competency group, the
//! deficits they show, and the self-assessment questionnaire.

use leptos::prelude::*;
use shared::dto::{CampaignDto, FrameworkDto, PersonResultsDto, PersonResultsInput, ResultInput};
use shared::{CompetencyLevel, DiagnosticKind};
use uuid::Uuid;

use super::{DiagnosticsNav, ResultsChart, paths};
use crate::api::{endpoints, use_api};
use crate::components::{FormAlert, FormState, Loading, PageHeader, error_fallback};
use crate::format;
use crate::routes;

#[component]
pub fn MyDiagnosticsPage() -> impl IntoView {
    let api = use_api();
    let version = RwSignal::new(0u32);
    let mine = LocalResource::new(move || {
        version.track();
        api.get::<Vec<PersonResultsDto>>(paths::MINE)
    });
    let open = LocalResource::new(move || async move {
        let all: Vec<CampaignDto> = api.get(paths::CAMPAIGNS).await?;
        Ok::<_, crate::api::ApiError>(
            all.into_iter()
                .filter(|c| c.kind == DiagnosticKind::SelfAssessment)
                .collect::<Vec<_>>(),
        )
    });
    view! {
        <PageHeader
            title="Мои диагностики"
            lead="Результаты диагностик профессиональных компетенций, найденные в них дефициты и самооценка."
        />
        <DiagnosticsNav current=crate::routes::MY_DIAGNOSTICS />
        <Transition fallback=|| view! { <Loading label="Загружаем…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    open.get()
                        .map(|r| {
                            r.map(|list| {
                                list.into_iter()
                                    .map(|c| {
                                        view! {
                                            <SelfAssessment
                                                campaign=c
                                                on_done=Callback::new(move |_| version.update(|v| *v += 1))
                                            />
                                        }
                                    })
                                    .collect_view()
                            })
                        })
                }}
                {move || {
                    mine.get()
                        .map(|r| {
                            r.map(|list| {
                                if list.is_empty() {
                                    view! { <p class="empty">"Результатов диагностик пока нет."</p> }.into_any()
                                } else {
                                    list.into_iter()
                                        .map(|p| view! { <MyResults p=p /> })
                                        .collect_view()
                                        .into_any()
                                }
                            })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn MyResults(p: PersonResultsDto) -> impl IntoView {
    let title = p.campaign.name.clone();
    let meta = [
        Some(p.campaign.kind.title_ru().to_owned()),
        p.campaign.date.map(format::date),
        Some(format!("дефицит — {}", p.deficit_rule)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let deficits = p.proposed_deficits.clone();
    view! {
        <section class="card" data-testid="my-results">
            <h2 class="card-title">{title}</h2>
            <p class="small muted">{meta}</p>
            <ResultsChart results=p.results.clone() />
            <h3>"Выявленные дефициты"</h3>
            {if deficits.is_empty() {
                view! { <p>"Дефицитов не выявлено."</p> }.into_any()
            } else {
                view! {
                    <ul data-testid="proposed-deficits">
                        {deficits
                            .into_iter()
                            .map(|d| view! { <li data-testid="proposed-deficit">{d.title}</li> })
                            .collect_view()}
                    </ul>
                    <p>
                        <a class="btn btn-secondary btn-small" href=routes::NEW_ROUTE>
                            "Создать маршрут по этим дефицитам"
                        </a>
                        <span class="small muted">
                            " В разделе «Диагностика» маршрута нажмите «Заполнить из диагностики»."
                        </span>
                    </p>
                }
                .into_any()
            }}
        </section>
    }
}

/// The questionnaire: a level per competency, prefilled with the last answers (else «средний»).
#[component]
fn SelfAssessment(campaign: CampaignDto, on_done: Callback<()>) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let fw_id = campaign.framework.id;
    let id = campaign.id;
    let framework = LocalResource::new(move || async move {
        api.get::<FrameworkDto>(&endpoints::framework(fw_id)).await
    });
    let answers: RwSignal<Vec<(Uuid, RwSignal<String>)>> = RwSignal::new(Vec::new());
    let result = RwSignal::new(None::<PersonResultsDto>);
    // Prefill with what the teacher answered before.
    Effect::new(move |_| {
        if let Some(Ok(fw)) = framework.get() {
            let list: Vec<(Uuid, RwSignal<String>)> = fw
                .competencies()
                .map(|c| {
                    (
                        c.id,
                        RwSignal::new(CompetencyLevel::Medium.as_str().to_owned()),
                    )
                })
                .collect();
            answers.set(list.clone());
            leptos::task::spawn_local(async move {
                let mine: Vec<PersonResultsDto> = api.get(paths::MINE).await.unwrap_or_default();
                if let Some(p) = mine.into_iter().find(|p| p.campaign.id == id) {
                    for (cid, level) in &list {
                        if let Some(r) = p.results.iter().find(|r| r.competency.id == *cid) {
                            level.try_set(r.level.as_str().to_owned());
                        }
                    }
                }
            });
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let results = answers
            .get_untracked()
            .iter()
            .filter_map(|(cid, level)| {
                Some(ResultInput {
                    competency_id: *cid,
                    level: Some(level.get_untracked().parse().ok()?),
                    score: None,
                    comment: None,
                })
            })
            .collect();
        let input = PersonResultsInput { results };
        form.run(
            async move {
                let r: PersonResultsDto =
                    api.put(&paths::campaign_part(id, "self"), &input).await?;
                result.try_set(Some(r));
                Ok(())
            },
            move || on_done.run(()),
        );
    };
    view! {
        <details class="card" open=true data-testid="self-assessment">
            <summary class="card-title">{campaign.name.clone()}</summary>
            <p class="small muted">
                {campaign.description.clone().unwrap_or_else(|| "Оцените, насколько вы владеете каждой компетенцией.".to_owned())}
                " Самооценка хранится отдельно от независимых диагностик."
            </p>
            <form class="form" on:submit=submit novalidate>
                <FormAlert form=form />
                {move || {
                    framework.get().and_then(Result::ok).map(|fw| {
                        let list = answers.get();
                        fw.groups
                            .iter()
                            .map(|g| {
                                let items = g
                                    .competencies
                                    .iter()
                                    .filter_map(|c| {
                                        let level = list.iter().find(|(id, _)| *id == c.id)?.1;
                                        let name = format!("self-{}", c.code);
                                        Some(view! {
                                            <fieldset class="self-item">
                                                <legend>
                                                    <span class="code">{c.code.clone()}</span>" "{c.name.clone()}
                                                </legend>
                                                {CompetencyLevel::ALL
                                                    .iter()
                                                    .map(|l| {
                                                        let value = l.as_str();
                                                        let name = name.clone();
                                                        let rid = format!("{name}-{value}");
                                                        let for_id = rid.clone();
                                                        view! {
                                                            <label class="radio" for=for_id>
                                                                <input type="radio" id=rid name=name value=value
                                                                    prop:checked=move || level.get() == value
                                                                    on:change=move |_| level.set(value.to_owned()) />
                                                                " "{l.title_ru()}
                                                            </label>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </fieldset>
                                        })
                                    })
                                    .collect_view();
                                view! {
                                    <h3>{g.name.clone()}</h3>
                                    {items}
                                }
                            })
                            .collect_view()
                    })
                }}
                <div class="form-buttons">
                    <button type="submit" class="btn btn-primary" data-testid="self-submit" disabled=move || form.busy.get()>
                        "Сохранить самооценку"
                    </button>
                </div>
            </form>
            {move || {
                result.get().map(|r| {
                    let n = r.proposed_deficits.len();
                    view! {
                        <p role="status" data-testid="self-saved">
                            {format!("Самооценка сохранена. Выявлено дефицитов: {n}.")}
                        </p>
                    }
                })
            }}
        </details>
    }
}
