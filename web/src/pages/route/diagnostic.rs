//! Section 2, diagnostic: diagnostics with a level per competency, the deficits (proposed ones
//! confirmed with one press; low results offered as new deficits), the educational request.

use leptos::prelude::*;
use shared::dto::{
    CompetencyResultInput, DeficitDto, DeficitInput, DiagnosticInput, RouteDiagnosticDto,
    UpdateRoute,
};
use shared::{CompetencyLevel, DeficitState, DiagnosticKind, EventLevel};
use uuid::Uuid;
use validator::Validate;

use super::{
    CardHead, FormButtons, ItemButtons, SectionProblems, competency_choices, delete_item, use_route,
};
use crate::api::endpoints::{self, Items};
use crate::components::{
    AlertKind, Badge, BadgeKind, Choice, FormAlert, FormState, Input, Select, TextArea,
    enum_choices, opt,
};
use crate::format;

#[component]
pub fn DiagnosticTab() -> impl IntoView {
    view! {
        <SectionProblems section="diagnostic" />
        <div class="stack">
            <Diagnostics />
            <Deficits />
            <Request />
        </div>
    }
}

// ---- Diagnostics ----

#[component]
fn Diagnostics() -> impl IntoView {
    let ctx = use_route();
    let editable = Memo::new(move |_| ctx.plan_editable());
    let adding = RwSignal::new(false);
    let items = Memo::new(move |_| ctx.route.with(|r| r.diagnostic.diagnostics.clone()));
    view! {
        <section class="card" aria-labelledby="diagnostics-title">
            <CardHead
                title="Диагностики"
                id="diagnostics-title"
                add_label="Добавить диагностику"
                can_add=editable
                adding=adding
            />
            <p class="small muted">
                "Входная, промежуточная и итоговая диагностики с уровнем по каждой компетенции: низкий, средний, высокий."
            </p>
            {move || editable.get().then(|| view! { <div class="fill-from-row"><crate::pages::diagnostics::FillFromDiagnostic /></div> })}
            {move || {
                (items.with(Vec::is_empty) && !adding.get())
                    .then(|| view! { <p>"Диагностики пока не внесены."</p> })
            }}
            <For each=move || items.get() key=|d| (d.id, d.version) let:d>
                <DiagnosticItem d=d editable=editable />
            </For>
            {move || {
                adding
                    .get()
                    .then(|| {
                        view! {
                            <DiagnosticForm
                                existing=None
                                on_close=Callback::new(move |_| adding.set(false))
                            />
                        }
                    })
            }}
        </section>
    }
}

#[component]
fn DiagnosticItem(d: RouteDiagnosticDto, editable: Memo<bool>) -> impl IntoView {
    let ctx = use_route();
    let editing = RwSignal::new(false);
    let (id, version) = (d.id, d.version);
    let what = format!("диагностика «{}»", d.name);
    let meta = [
        Some(d.kind.title_ru().to_owned()),
        Some(format!("уровень: {}", d.level.title_ru().to_lowercase())),
        d.date.map(format::date),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let item = d.clone();
    move || {
        if editing.get() {
            return view! {
                <DiagnosticForm existing=Some(item.clone()) on_close=Callback::new(move |_| editing.set(false)) />
            }
            .into_any();
        }
        let rows = item
            .results
            .iter()
            .map(|r| {
                let kind = match r.level {
                    CompetencyLevel::Low => BadgeKind::Danger,
                    CompetencyLevel::Medium => BadgeKind::Warning,
                    CompetencyLevel::High => BadgeKind::Success,
                };
                let level = r.level.title_ru();
                view! {
                    <tr>
                        <td data-label="Компетенция">
                            <span class="code">{r.competency.code.clone()}</span>
                            " "
                            {r.competency.name.clone()}
                        </td>
                        <td data-label="Уровень">
                            <Badge kind=kind>{level}</Badge>
                        </td>
                        <td data-label="Баллы">{r.score.map(|s| s.to_string()).unwrap_or_default()}</td>
                    </tr>
                }
            })
            .collect_view();
        let what_edit = what.clone();
        view! {
            <article class="item">
                <div class="item-head">
                    <div>
                        <h3 class="item-title">{item.name.clone()}</h3>
                        <p class="small muted">{meta.clone()}</p>
                    </div>
                    {move || {
                        editable
                            .get()
                            .then(|| {
                                let what = what_edit.clone();
                                view! {
                                    <ItemButtons
                                        what=what.clone()
                                        on_edit=Callback::new(move |_| editing.set(true))
                                        on_delete=Callback::new(move |_| {
                                            delete_item(ctx, Items::Diagnostics, id, version, &format!("Удалить {what}?"))
                                        })
                                    />
                                }
                            })
                    }}
                </div>
                {if item.results.is_empty() {
                    view! { <p class="muted">"Результаты по компетенциям не внесены."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap">
                            <table class="table table-stack table-compact">
                                <thead>
                                    <tr>
                                        <th scope="col">"Компетенция"</th>
                                        <th scope="col">"Уровень"</th>
                                        <th scope="col">"Баллы"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                }}
            </article>
        }
        .into_any()
    }
}

/// A row of the results being edited.
#[derive(Clone, Copy)]
struct ResultRow {
    key: u32,
    competency: RwSignal<String>,
    level: RwSignal<String>,
    score: RwSignal<String>,
}

#[component]
fn DiagnosticForm(existing: Option<RouteDiagnosticDto>, on_close: Callback<()>) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let prefix = existing
        .as_ref()
        .map_or_else(|| "diag-new".to_owned(), |d| format!("diag-{}", d.id));
    let kind = RwSignal::new(
        existing
            .as_ref()
            .map_or(DiagnosticKind::Entry, |d| d.kind)
            .as_str()
            .to_owned(),
    );
    let level = RwSignal::new(
        existing
            .as_ref()
            .map_or(EventLevel::Institutional, |d| d.level)
            .as_str()
            .to_owned(),
    );
    let name = RwSignal::new(
        existing
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_default(),
    );
    let date = RwSignal::new(
        existing
            .as_ref()
            .and_then(|d| d.date)
            .map(format::iso_date)
            .unwrap_or_default(),
    );
    let next_key = StoredValue::new(0_u32);
    let new_row = move |competency: String, lvl: &str, score: String| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        ResultRow {
            key,
            competency: RwSignal::new(competency),
            level: RwSignal::new(lvl.to_owned()),
            score: RwSignal::new(score),
        }
    };
    let rows = RwSignal::new(
        existing
            .as_ref()
            .map(|d| {
                d.results
                    .iter()
                    .map(|r| {
                        new_row(
                            r.competency.id.to_string(),
                            r.level.as_str(),
                            r.score.map(|s| s.to_string()).unwrap_or_default(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
    );
    // Choices: the framework's competencies, or (until it loads) those already in the results.
    let fallback: Vec<Choice> = existing
        .as_ref()
        .map(|d| {
            d.results
                .iter()
                .map(|r| {
                    Choice::One(
                        r.competency.id.to_string(),
                        format!("{} {}", r.competency.code, r.competency.name),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let choices = Memo::new(move |_| {
        let mut list = vec![Choice::One(
            String::new(),
            "— выберите компетенцию —".to_owned(),
        )];
        match ctx.framework.with(|f| f.as_ref().map(competency_choices)) {
            Some(c) => list.extend(c),
            None => list.extend(fallback.clone()),
        }
        list
    });
    let add_all = move |_| {
        let present: Vec<String> =
            rows.with_untracked(|rs| rs.iter().map(|r| r.competency.get_untracked()).collect());
        let all: Vec<String> = ctx.framework.with_untracked(|f| {
            f.as_ref()
                .map(|f| f.competencies().map(|c| c.id.to_string()).collect())
                .unwrap_or_default()
        });
        let added: Vec<ResultRow> = all
            .into_iter()
            .filter(|id| !present.contains(id))
            .map(|id| new_row(id, "medium", String::new()))
            .collect();
        rows.update(|rs| {
            rs.retain(|r| !r.competency.get_untracked().is_empty());
            rs.extend(added);
        });
    };
    let editing_id = existing.as_ref().map(|d| (d.id, d.version));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let mut results = Vec::new();
        for r in rows.get_untracked() {
            let competency = r.competency.get_untracked();
            if competency.is_empty() {
                continue;
            }
            let Ok(competency_id) = competency.parse::<Uuid>() else {
                continue;
            };
            let score_text = r.score.get_untracked().trim().replace(',', ".");
            let score = if score_text.is_empty() {
                None
            } else {
                match score_text.parse::<f64>() {
                    Ok(s) => Some(s),
                    Err(_) => {
                        form.fail("results", "Баллы — число (например, 35 или 72,5).");
                        return;
                    }
                }
            };
            results.push(CompetencyResultInput {
                competency_id,
                level: r
                    .level
                    .get_untracked()
                    .parse()
                    .unwrap_or(CompetencyLevel::Medium),
                score,
            });
        }
        let request = DiagnosticInput {
            version: editing_id.map(|(_, v)| v),
            kind: kind
                .get_untracked()
                .parse()
                .unwrap_or(DiagnosticKind::Entry),
            level: level
                .get_untracked()
                .parse()
                .unwrap_or(EventLevel::Institutional),
            name: name.get_untracked().trim().to_owned(),
            date: format::parse_iso_date(&date.get_untracked()),
            results,
        };
        if !form.check(request.validate()) {
            return;
        }
        let api = ctx.api;
        form.run(
            async move {
                let result = match editing_id {
                    Some((item, _)) => {
                        api.put(
                            &endpoints::route_item(ctx.id, Items::Diagnostics, item),
                            &request,
                        )
                        .await
                    }
                    None => {
                        api.post(
                            &endpoints::route_items(ctx.id, Items::Diagnostics),
                            &request,
                        )
                        .await
                    }
                };
                ctx.apply(result).await
            },
            move || {
                ctx.say(AlertKind::Success, "Диагностика сохранена.");
                on_close.run(());
            },
        );
    };
    let p = prefix.clone();
    view! {
        <form class="form item-form" on:submit=submit novalidate=true>
            <h3 class="item-title">
                {if editing_id.is_some() { "Изменить диагностику" } else { "Новая диагностика" }}
            </h3>
            <FormAlert form=form />
            <Input
                label="Наименование диагностики"
                id=format!("{p}-name")
                value=name
                error=form.field("name")
                required=true
                hint="Например: «Региональная диагностика профессиональных дефицитов»."
            />
            <div class="form-row">
                <Select
                    label="Вид"
                    id=format!("{p}-kind")
                    value=kind
                    choices=enum_choices(DiagnosticKind::ALL, DiagnosticKind::as_str, DiagnosticKind::title_ru)
                />
                <Select
                    label="Уровень"
                    id=format!("{p}-level")
                    value=level
                    choices=enum_choices(EventLevel::ALL, EventLevel::as_str, EventLevel::title_ru)
                />
                <Input label="Дата" id=format!("{p}-date") input_type="date" value=date error=form.field("date") />
            </div>
            <fieldset class="fieldset" class:field-invalid=move || form.field("results").with(Option::is_some)>
                <legend class="label">"Результаты по компетенциям"</legend>
                {move || form.field("results").get().map(|e| view! { <p class="field-error">{e}</p> })}
                <div class="table-wrap">
                    <table class="table table-stack table-compact results-table">
                        <thead>
                            <tr>
                                <th scope="col">"Компетенция"</th>
                                <th scope="col">"Уровень"</th>
                                <th scope="col">"Баллы"</th>
                                <th scope="col"><span class="visually-hidden">"Убрать"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || rows.get() key=|r| r.key let:row>
                                <ResultRowView row=row rows=rows choices=choices />
                            </For>
                        </tbody>
                    </table>
                </div>
                <div class="button-row">
                    <button
                        type="button"
                        class="btn btn-secondary btn-small"
                        on:click=move |_| {
                            let row = new_row(String::new(), "low", String::new());
                            rows.update(|rs| rs.push(row));
                        }
                    >
                        "Добавить компетенцию"
                    </button>
                    {move || {
                        ctx.framework
                            .with(Option::is_some)
                            .then(|| {
                                view! {
                                    <button type="button" class="btn btn-secondary btn-small" on:click=add_all>
                                        "Все компетенции рамки"
                                    </button>
                                }
                            })
                    }}
                </div>
            </fieldset>
            <FormButtons form=form on_cancel=on_close />
        </form>
    }
}

#[component]
fn ResultRowView(
    row: ResultRow,
    rows: RwSignal<Vec<ResultRow>>,
    choices: Memo<Vec<Choice>>,
) -> impl IntoView {
    let key = row.key;
    let option = move |(v, text): (String, String)| {
        let selected = v.clone();
        view! {
            <option value=v selected=move || row.competency.with(|c| *c == selected)>
                {text}
            </option>
        }
    };
    view! {
        <tr>
            <td data-label="Компетенция">
                <select
                    class="input select"
                    aria-label="Компетенция"
                    on:change=move |ev| row.competency.set(event_target_value(&ev))
                    prop:value=move || row.competency.get()
                >
                    {move || {
                        choices
                            .get()
                            .into_iter()
                            .map(|c| match c {
                                Choice::One(v, t) => option((v, t)).into_any(),
                                Choice::Group(name, list) => {
                                    view! {
                                        <optgroup label=name>{list.into_iter().map(option).collect_view()}</optgroup>
                                    }
                                        .into_any()
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </td>
            <td data-label="Уровень">
                <select
                    class="input select"
                    aria-label="Уровень"
                    on:change=move |ev| row.level.set(event_target_value(&ev))
                    prop:value=move || row.level.get()
                >
                    {CompetencyLevel::ALL
                        .iter()
                        .map(|l| {
                            let code = l.as_str();
                            view! {
                                <option value=code selected=move || row.level.with(|v| v == code)>
                                    {l.title_ru()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </td>
            <td data-label="Баллы">
                <input
                    class="input input-narrow"
                    type="text"
                    inputmode="decimal"
                    aria-label="Баллы (необязательно)"
                    bind:value=row.score
                />
            </td>
            <td>
                <button
                    type="button"
                    class="btn btn-ghost btn-small"
                    aria-label="Убрать строку"
                    on:click=move |_| rows.update(|rs| rs.retain(|r| r.key != key))
                >
                    "×"
                </button>
            </td>
        </tr>
    }
}

// ---- Deficits ----

#[component]
fn Deficits() -> impl IntoView {
    let ctx = use_route();
    let editable = Memo::new(move |_| ctx.plan_editable());
    // `Some(preset)` while the form for a new deficit is open; the preset comes from a low result.
    let adding = RwSignal::new(None::<(String, Option<Uuid>)>);
    let items = Memo::new(move |_| ctx.route.with(|r| r.diagnostic.deficits.clone()));
    // Low results whose competency no deficit names yet: offered as deficits.
    let suggestions = Memo::new(move |_| {
        ctx.route.with(|r| {
            let mut seen = Vec::new();
            let mut out = Vec::new();
            for d in &r.diagnostic.diagnostics {
                for res in &d.results {
                    let id = res.competency.id;
                    let covered = r
                        .diagnostic
                        .deficits
                        .iter()
                        .any(|x| x.competency.as_ref().is_some_and(|c| c.id == id));
                    if res.level == CompetencyLevel::Low && !covered && !seen.contains(&id) {
                        seen.push(id);
                        out.push((id, res.competency.name.clone(), d.name.clone()));
                    }
                }
            }
            out
        })
    });
    view! {
        <section class="card" aria-labelledby="deficits-title">
            <div class="card-head">
                <h2 class="card-title" id="deficits-title">"Профессиональные дефициты"</h2>
                {move || {
                    (editable.get() && adding.with(Option::is_none))
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-secondary btn-small"
                                    data-testid="add-deficit"
                                    on:click=move |_| adding.set(Some((String::new(), None)))
                                >
                                    "Добавить дефицит"
                                </button>
                            }
                        })
                }}
            </div>
            {move || {
                (items.with(Vec::is_empty) && adding.with(Option::is_none))
                    .then(|| view! { <p>"Дефициты пока не указаны. Задачи развития ставятся против дефицитов."</p> })
            }}
            <ul class="plain item-list">
                <For each=move || items.get() key=|d| (d.id, d.version) let:d>
                    <DeficitItem d=d editable=editable />
                </For>
            </ul>
            {move || {
                let list = suggestions.get();
                (editable.get() && !list.is_empty())
                    .then(|| {
                        view! {
                            <div class="suggestions">
                                <p class="small"><strong>"По результатам диагностик — низкий уровень:"</strong></p>
                                <ul class="plain">
                                    {list
                                        .into_iter()
                                        .map(|(id, name, diag)| {
                                            let title = name.clone();
                                            view! {
                                                <li class="suggestion">
                                                    <span>{name.clone()} <span class="small muted">{format!(" ({diag})")}</span></span>
                                                    <button
                                                        type="button"
                                                        class="btn btn-secondary btn-small"
                                                        aria-label=format!("Добавить дефицит: {name}")
                                                        on:click=move |_| adding.set(Some((title.clone(), Some(id))))
                                                    >
                                                        "Добавить как дефицит"
                                                    </button>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </div>
                        }
                    })
            }}
            {move || {
                adding
                    .get()
                    .map(|(title, competency)| {
                        view! {
                            <DeficitForm
                                existing=None
                                preset_title=title
                                preset_competency=competency
                                on_close=Callback::new(move |_| adding.set(None))
                            />
                        }
                    })
            }}
        </section>
    }
}

fn deficit_input(d: &DeficitDto) -> DeficitInput {
    DeficitInput {
        version: Some(d.version),
        title: d.title.clone(),
        description: d.description.clone(),
        competency_id: d.competency.as_ref().map(|c| c.id),
        confirmed: d.confirmed,
        state: Some(d.state),
    }
}

#[component]
fn DeficitItem(d: DeficitDto, editable: Memo<bool>) -> impl IntoView {
    let ctx = use_route();
    let editing = RwSignal::new(false);
    let form = FormState::new();
    let item = d.clone();
    let confirm = {
        let d = d.clone();
        move |_| {
            let mut request = deficit_input(&d);
            request.confirmed = true;
            let api = ctx.api;
            let id = d.id;
            form.run(
                async move {
                    ctx.apply(
                        api.put(
                            &endpoints::route_item(ctx.id, Items::Deficits, id),
                            &request,
                        )
                        .await,
                    )
                    .await
                },
                move || ctx.say(AlertKind::Success, "Дефицит подтверждён."),
            );
        }
    };
    move || {
        if editing.get() {
            return view! {
                <li>
                    <DeficitForm
                        existing=Some(item.clone())
                        preset_title=String::new()
                        preset_competency=None
                        on_close=Callback::new(move |_| editing.set(false))
                    />
                </li>
            }
            .into_any();
        }
        let d = item.clone();
        let what = format!("дефицит «{}»", d.title);
        let (id, version) = (d.id, d.version);
        let state_badge = match d.state {
            DeficitState::Open => None,
            DeficitState::Eliminated => {
                Some(view! { <Badge kind=BadgeKind::Success>{d.state.title_ru()}</Badge> })
            }
            DeficitState::NotEliminated => {
                Some(view! { <Badge kind=BadgeKind::Danger>{d.state.title_ru()}</Badge> })
            }
        };
        let confirm = confirm.clone();
        view! {
            <li class="item" data-testid="deficit">
                <div class="item-head">
                    <div>
                        <h3 class="item-title">{d.title.clone()}</h3>
                        <p class="small">
                            {(!d.confirmed).then(|| view! { <Badge kind=BadgeKind::Warning>"предложен диагностикой"</Badge> " " })}
                            {state_badge}
                            {d.competency.as_ref().map(|c| view! { <span class="chip">{format!("{} {}", c.code, c.name)}</span> })}
                        </p>
                    </div>
                    {move || {
                        editable
                            .get()
                            .then(|| {
                                let what = what.clone();
                                let confirm = confirm.clone();
                                view! {
                                    <div class="item-buttons">
                                        {(!d.confirmed)
                                            .then(|| {
                                                view! {
                                                    <button
                                                        type="button"
                                                        class="btn btn-primary btn-small"
                                                        aria-label=format!("Подтвердить: {what}")
                                                        on:click=confirm
                                                    >
                                                        "Подтвердить"
                                                    </button>
                                                }
                                            })}
                                        <ItemButtons
                                            what=what.clone()
                                            on_edit=Callback::new(move |_| editing.set(true))
                                            on_delete=Callback::new(move |_| {
                                                delete_item(ctx, Items::Deficits, id, version, &format!("Удалить {what}? Он будет убран и из задач и мероприятий."))
                                            })
                                        />
                                    </div>
                                }
                            })
                    }}
                </div>
                {d.description.clone().map(|t| view! { <p class="pre-line">{t}</p> })}
                <FormAlert form=form />
            </li>
        }
        .into_any()
    }
}

#[component]
fn DeficitForm(
    existing: Option<DeficitDto>,
    preset_title: String,
    preset_competency: Option<Uuid>,
    on_close: Callback<()>,
) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let p = existing
        .as_ref()
        .map_or_else(|| "deficit-new".to_owned(), |d| format!("deficit-{}", d.id));
    let title = RwSignal::new(existing.as_ref().map_or(preset_title, |d| d.title.clone()));
    let description = RwSignal::new(
        existing
            .as_ref()
            .and_then(|d| d.description.clone())
            .unwrap_or_default(),
    );
    let competency = RwSignal::new(
        existing
            .as_ref()
            .and_then(|d| d.competency.as_ref().map(|c| c.id))
            .or(preset_competency)
            .map(|id| id.to_string())
            .unwrap_or_default(),
    );
    let state = RwSignal::new(
        existing
            .as_ref()
            .map_or(DeficitState::Open, |d| d.state)
            .as_str()
            .to_owned(),
    );
    let current = existing.as_ref().and_then(|d| {
        d.competency
            .as_ref()
            .map(|c| Choice::One(c.id.to_string(), format!("{} {}", c.code, c.name)))
    });
    let choices = move || {
        let mut list = vec![Choice::One(String::new(), "— не указана —".to_owned())];
        match ctx.framework.with(|f| f.as_ref().map(competency_choices)) {
            Some(c) => list.extend(c),
            None => list.extend(current.clone()),
        }
        list
    };
    let existing_meta = existing.as_ref().map(|d| (d.id, d.version, d.confirmed));
    let competency_field = format!("{p}-competency");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let request = DeficitInput {
            version: existing_meta.map(|(_, v, _)| v),
            title: title.get_untracked().trim().to_owned(),
            description: opt(description),
            competency_id: competency.get_untracked().parse().ok(),
            // Written by a person, a deficit is confirmed; editing keeps it as it was.
            confirmed: existing_meta.is_none_or(|(_, _, c)| c),
            state: existing_meta
                .is_some()
                .then(|| state.get_untracked().parse().ok())
                .flatten(),
        };
        if !form.check(request.validate()) {
            return;
        }
        let api = ctx.api;
        form.run(
            async move {
                let result = match existing_meta {
                    Some((id, _, _)) => {
                        api.put(
                            &endpoints::route_item(ctx.id, Items::Deficits, id),
                            &request,
                        )
                        .await
                    }
                    None => {
                        api.post(&endpoints::route_items(ctx.id, Items::Deficits), &request)
                            .await
                    }
                };
                ctx.apply(result).await
            },
            move || {
                ctx.say(AlertKind::Success, "Дефицит сохранён.");
                on_close.run(());
            },
        );
    };
    view! {
        <form class="form item-form" on:submit=submit novalidate=true data-testid="deficit-form">
            <h3 class="item-title">
                {if existing_meta.is_some() { "Изменить дефицит" } else { "Новый дефицит" }}
            </h3>
            <FormAlert form=form />
            <Input
                label="Дефицит"
                id=format!("{p}-title")
                value=title
                error=form.field("title")
                required=true
                hint="Чего не хватает в профессиональной деятельности, коротко."
            />
            {move || {
                view! {
                    <Select
                        label="Компетенция"
                        id=competency_field.clone()
                        value=competency
                        choices=choices()
                        error=form.field("competency_id")
                    />
                }
            }}
            <TextArea label="Описание" id=format!("{p}-description") value=description error=form.field("description") />
            {existing_meta
                .is_some()
                .then(|| {
                    view! {
                        <Select
                            label="Состояние"
                            id=format!("{p}-state")
                            value=state
                            choices=enum_choices(DeficitState::ALL, DeficitState::as_str, DeficitState::title_ru)
                        />
                    }
                })}
            <FormButtons form=form on_cancel=on_close />
        </form>
    }
}

// ---- The educational request ----

#[component]
fn Request() -> impl IntoView {
    let ctx = use_route();
    let editable = Memo::new(move |_| ctx.plan_editable());
    let editing = RwSignal::new(false);
    let text = Memo::new(move |_| ctx.route.with(|r| r.diagnostic.educational_request.clone()));
    view! {
        <section class="card" aria-labelledby="request-title">
            <div class="card-head">
                <h2 class="card-title" id="request-title">"Образовательный запрос"</h2>
                {move || {
                    (editable.get() && !editing.get())
                        .then(|| {
                            view! {
                                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| editing.set(true)>
                                    "Изменить"
                                </button>
                            }
                        })
                }}
            </div>
            {move || {
                if editing.get() {
                    view! { <RequestForm initial=text.get_untracked().unwrap_or_default() editing=editing /> }.into_any()
                } else {
                    match text.get() {
                        Some(t) => view! { <p class="pre-line">{t}</p> }.into_any(),
                        None => view! { <p class="muted">"Запрос не сформулирован: чему педагог хочет научиться, в каком формате."</p> }.into_any(),
                    }
                }
            }}
        </section>
    }
}

#[component]
fn RequestForm(initial: String, editing: RwSignal<bool>) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let value = RwSignal::new(initial);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = ctx.route.with_untracked(|r| UpdateRoute {
            version: r.version,
            title: r.title.clone(),
            track: r.track.clone(),
            period_start: r.period_start,
            period_end: r.period_end,
            educational_request: opt(value),
        });
        if !form.check(request.validate()) {
            return;
        }
        let api = ctx.api;
        form.run(
            async move {
                ctx.apply(api.put(&endpoints::route(ctx.id), &request).await)
                    .await
            },
            move || {
                editing.try_set(false);
                ctx.say(AlertKind::Success, "Запрос сохранён.");
            },
        );
    };
    view! {
        <form class="form" on:submit=submit novalidate=true>
            <FormAlert form=form />
            <TextArea
                label="Образовательный запрос педагога"
                id="educational-request"
                value=value
                rows=4
                error=form.field("educational_request")
                hint="Например: освоить приёмы формирования функциональной грамотности; предпочтительно очно-заочно."
            />
            <FormButtons form=form on_cancel=Callback::new(move |_| editing.set(false)) />
        </form>
    }
}
