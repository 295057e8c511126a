//! Section 5, reflective: planned products (with their files), the final public event, the
//! dynamics between entry and final diagnostics, the expert evaluation (read only), the
//! conclusion and the outcome; «Составить следующий маршрут» when the goal was not achieved.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::dto::{
    ConclusionDto, FinalEventDto, ProductDto, ProductInput, RouteDto, RouteDynamicsDto,
    UpdateConclusion, UpdateFinalEvent,
};
use shared::workflow::{self, Outcome, Part};
use shared::{CompetencyLevel, DiagnosticKind, EventLevel, RouteStatus};
use validator::Validate;

use super::files::{Files, Owner};
use super::{
    CardHead, FormButtons, ItemButtons, SectionProblems, deficit_title, delete_item, use_route,
};
use crate::api::endpoints::{self, Items};
use crate::components::{
    Alert, AlertKind, Badge, BadgeKind, Checkbox, DetailRow, Details, FormAlert, FormState, Input,
    Select, TextArea, WebLink, opt, optional_enum_choices,
};
use crate::format;
use crate::route_text;
use crate::routes;

#[component]
pub fn ReflectiveTab() -> impl IntoView {
    view! {
        <SectionProblems section="reflective" />
        <div class="stack">
            <CompletionNotice />
            <Products />
            <FinalEvent />
            <Dynamics />
            <Evaluation />
            <Publication />
            <Conclusion />
        </div>
    }
}

// ---- Products ----

#[component]
fn Products() -> impl IntoView {
    let ctx = use_route();
    let editable = Memo::new(move |_| ctx.plan_editable());
    let adding = RwSignal::new(false);
    let items = Memo::new(move |_| ctx.route.with(|r| r.reflective.products.clone()));
    view! {
        <section class="card" aria-labelledby="products-title">
            <CardHead
                title="Методические продукты"
                id="products-title"
                add_label="Добавить продукт"
                can_add=editable
                adding=adding
            />
            <p class="small muted">
                "Продукт, который педагог представит на экспертизу: методическая разработка, открытый урок, публикация…"
            </p>
            {move || {
                (items.with(Vec::is_empty) && !adding.get())
                    .then(|| view! { <p>"Продукты пока не запланированы."</p> })
            }}
            <ul class="plain item-list">
                <For each=move || items.get() key=|p| (p.id, p.version) let:p>
                    <ProductItem p=p editable=editable />
                </For>
            </ul>
            {move || {
                adding
                    .get()
                    .then(|| view! { <ProductForm existing=None on_close=Callback::new(move |_| adding.set(false)) /> })
            }}
        </section>
    }
}

#[component]
fn ProductItem(p: ProductDto, editable: Memo<bool>) -> impl IntoView {
    let ctx = use_route();
    let editing = RwSignal::new(false);
    let item = p.clone();
    let id = p.id;
    move || {
        if editing.get() {
            return view! {
                <li>
                    <ProductForm existing=Some(item.clone()) on_close=Callback::new(move |_| editing.set(false)) />
                </li>
            }
            .into_any();
        }
        let p = item.clone();
        let what = format!("продукт «{}»", p.title);
        let version = p.version;
        view! {
            <li class="item">
                <div class="item-head">
                    <div>
                        <h3 class="item-title">{p.title.clone()}</h3>
                        {p.kind.clone().map(|k| view! { <p class="small muted">{k}</p> })}
                    </div>
                    {move || {
                        editable
                            .get()
                            .then(|| {
                                let what = what.clone();
                                view! {
                                    <ItemButtons
                                        what=what.clone()
                                        on_edit=Callback::new(move |_| editing.set(true))
                                        on_delete=Callback::new(move |_| {
                                            delete_item(ctx, Items::Products, id, version, &format!("Удалить {what}?"))
                                        })
                                    />
                                }
                            })
                    }}
                </div>
                {p.description.clone().map(|d| view! { <p class="pre-line">{d}</p> })}
                {p.link.clone().map(|l| view! { <p><WebLink href=l /></p> })}
                <Files owner=Owner::Product(id) editable=editable />
            </li>
        }
        .into_any()
    }
}

#[component]
fn ProductForm(existing: Option<ProductDto>, on_close: Callback<()>) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let p = existing
        .as_ref()
        .map_or_else(|| "product-new".to_owned(), |x| format!("product-{}", x.id));
    let e = existing.clone();
    let text = move |f: fn(&ProductDto) -> Option<String>| {
        RwSignal::new(e.as_ref().and_then(f).unwrap_or_default())
    };
    let title = text(|x| Some(x.title.clone()));
    let kind = text(|x| x.kind.clone());
    let description = text(|x| x.description.clone());
    let link = text(|x| x.link.clone());
    let meta = existing.as_ref().map(|x| (x.id, x.version));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let request = ProductInput {
            version: meta.map(|(_, v)| v),
            title: title.get_untracked().trim().to_owned(),
            kind: opt(kind),
            description: opt(description),
            link: opt(link),
        };
        if !form.check(request.validate()) {
            return;
        }
        let api = ctx.api;
        form.run(
            async move {
                let result = match meta {
                    Some((id, _)) => {
                        api.put(
                            &endpoints::route_item(ctx.id, Items::Products, id),
                            &request,
                        )
                        .await
                    }
                    None => {
                        api.post(&endpoints::route_items(ctx.id, Items::Products), &request)
                            .await
                    }
                };
                ctx.apply(result).await
            },
            move || {
                ctx.say(AlertKind::Success, "Продукт сохранён.");
                on_close.run(());
            },
        );
    };
    view! {
        <form class="form item-form" on:submit=submit novalidate=true>
            <h3 class="item-title">{if meta.is_some() { "Изменить продукт" } else { "Новый продукт" }}</h3>
            <FormAlert form=form />
            <Input label="Название" id=format!("{p}-title") value=title error=form.field("title") required=true />
            <Input
                label="Вид продукта"
                id=format!("{p}-kind")
                value=kind
                list="product-kinds"
                error=form.field("kind")
            />
            <datalist id="product-kinds">
                {[
                    "методическая разработка",
                    "открытый урок",
                    "мастер-класс",
                    "публикация",
                    "сборник заданий",
                    "рабочая программа",
                ]
                    .map(|v| view! { <option value=v></option> })}
            </datalist>
            <TextArea label="Описание" id=format!("{p}-description") value=description error=form.field("description") />
            <Input
                label="Ссылка"
                id=format!("{p}-link")
                input_type="url"
                value=link
                error=form.field("link")
                hint="Если продукт опубликован в сети."
            />
            <FormButtons form=form on_cancel=on_close />
        </form>
    }
}

// ---- The final public event ----

#[component]
fn FinalEvent() -> impl IntoView {
    let ctx = use_route();
    let editable = Memo::new(move |_| {
        ctx.route.with(|r| {
            route_text::writes_content(&r.permissions.participant)
                && workflow::editable(Part::FinalEvent, r.status)
        })
    });
    let editing = RwSignal::new(false);
    let event = Memo::new(move |_| ctx.route.with(|r| r.reflective.final_event.clone()));
    view! {
        <section class="card" aria-labelledby="final-event-title">
            <div class="card-head">
                <h2 class="card-title" id="final-event-title">"Итоговое публичное мероприятие"</h2>
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
                if editing.get() && editable.get() {
                    return view! { <FinalEventForm initial=event.get_untracked() editing=editing /> }.into_any();
                }
                let e = event.get();
                if e == FinalEventDto::default() {
                    return view! {
                        <p class="muted">"Не запланировано: творческий отчёт, открытый урок, мастер-класс, выступление…"</p>
                    }
                        .into_any();
                }
                view! {
                    <Details>
                        <DetailRow label="Наименование" value=e.name.clone() />
                        <DetailRow label="Уровень" value=e.level.map(|l| l.title_ru().to_owned()) />
                        <DetailRow label="Сроки" value=format::date_range(e.start_date, e.end_date) />
                        <DetailRow label="Форма участия" value=e.participation_form.clone() />
                        <div class="details-row">
                            <dt>"Отметка о проведении"</dt>
                            <dd>
                                {if e.done {
                                    view! { <Badge kind=BadgeKind::Success>"проведено"</Badge> }
                                } else {
                                    view! { <Badge kind=BadgeKind::Neutral>"не проведено"</Badge> }
                                }}
                            </dd>
                        </div>
                    </Details>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn FinalEventForm(initial: FinalEventDto, editing: RwSignal<bool>) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let name = RwSignal::new(initial.name.clone().unwrap_or_default());
    let level = RwSignal::new(
        initial
            .level
            .map(|l| l.as_str().to_owned())
            .unwrap_or_default(),
    );
    let start = RwSignal::new(initial.start_date.map(format::iso_date).unwrap_or_default());
    let end = RwSignal::new(initial.end_date.map(format::iso_date).unwrap_or_default());
    let participation = RwSignal::new(initial.participation_form.clone().unwrap_or_default());
    let done = RwSignal::new(initial.done);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let final_event = FinalEventDto {
            name: opt(name),
            level: level.get_untracked().parse::<EventLevel>().ok(),
            start_date: format::parse_iso_date(&start.get_untracked()),
            end_date: format::parse_iso_date(&end.get_untracked()),
            participation_form: opt(participation),
            done: done.get_untracked(),
        };
        if let (Some(s), Some(e)) = (final_event.start_date, final_event.end_date)
            && e < s
        {
            form.fail("end_date", "Дата окончания раньше даты начала.");
            return;
        }
        let request = UpdateFinalEvent {
            version: ctx.route.with_untracked(|r| r.version),
            final_event,
        };
        if !form.check(request.validate()) {
            return;
        }
        let api = ctx.api;
        form.run(
            async move {
                ctx.apply(
                    api.put(&endpoints::route_part(ctx.id, "final-event"), &request)
                        .await,
                )
                .await
            },
            move || {
                editing.try_set(false);
                ctx.say(AlertKind::Success, "Итоговое мероприятие сохранено.");
            },
        );
    };
    view! {
        <form class="form" on:submit=submit novalidate=true>
            <FormAlert form=form />
            <Input label="Наименование" id="final-event-name" value=name error=form.field("final_event.name") />
            <div class="form-row">
                <Select
                    label="Уровень"
                    id="final-event-level"
                    value=level
                    choices=optional_enum_choices(EventLevel::ALL, EventLevel::as_str, EventLevel::title_ru, "— не указан —")
                />
                <Input label="Начало" id="final-event-start" input_type="date" value=start error=form.field("start_date") />
                <Input label="Окончание" id="final-event-end" input_type="date" value=end error=form.field("end_date") />
            </div>
            <Input
                label="Форма участия"
                id="final-event-form"
                value=participation
                error=form.field("final_event.participation_form")
            />
            <Checkbox label="Мероприятие проведено" id="final-event-done" checked=done />
            <FormButtons form=form on_cancel=Callback::new(move |_| editing.set(false)) />
        </form>
    }
}

// ---- Dynamics between the entry and the final diagnostic ----

#[component]
fn Dynamics() -> impl IntoView {
    let ctx = use_route();
    let rows = Memo::new(move |_| {
        ctx.route.with(|r| {
            let of_kind = |k: DiagnosticKind| {
                r.diagnostic
                    .diagnostics
                    .iter()
                    .filter(|d| d.kind == k)
                    .max_by_key(|d| d.date)
            };
            let (Some(entry), Some(last)) = (
                of_kind(DiagnosticKind::Entry),
                of_kind(DiagnosticKind::Final),
            ) else {
                return Vec::new();
            };
            entry
                .results
                .iter()
                .filter_map(|a| {
                    last.results
                        .iter()
                        .find(|b| b.competency.id == a.competency.id)
                        .map(|b| (a.competency.name.clone(), a.level, b.level))
                })
                .collect::<Vec<_>>()
        })
    });
    move || {
        let list = rows.get();
        (!list.is_empty()).then(|| {
            view! {
                <section class="card" aria-labelledby="dynamics-title">
                    <h2 class="card-title" id="dynamics-title">"Динамика: входная и итоговая диагностики"</h2>
                    <div class="table-wrap">
                        <table class="table table-stack table-compact">
                            <thead>
                                <tr>
                                    <th scope="col">"Компетенция"</th>
                                    <th scope="col">"Входная"</th>
                                    <th scope="col">"Итоговая"</th>
                                    <th scope="col">"Динамика"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|(name, a, b)| {
                                        let (kind, text) = match b.rank().cmp(&a.rank()) {
                                            std::cmp::Ordering::Greater => (BadgeKind::Success, "положительная"),
                                            std::cmp::Ordering::Equal => (BadgeKind::Neutral, "без изменений"),
                                            std::cmp::Ordering::Less => (BadgeKind::Danger, "отрицательная"),
                                        };
                                        view! {
                                            <tr>
                                                <td data-label="Компетенция">{name}</td>
                                                <td data-label="Входная">{level_title(a)}</td>
                                                <td data-label="Итоговая">{level_title(b)}</td>
                                                <td data-label="Динамика"><Badge kind=kind>{text}</Badge></td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
            }
        })
    }
}

fn level_title(l: CompetencyLevel) -> &'static str {
    l.title_ru()
}

// ---- The expert evaluation ----

#[component]
fn Evaluation() -> impl IntoView {
    let ctx = use_route();
    view! {
        <section class="card" aria-labelledby="evaluation-title">
            <h2 class="card-title" id="evaluation-title">"Экспертная оценка"</h2>
            {move || {
                let r = ctx.route.get();
                match r.reflective.evaluation.clone() {
                    None => {
                        view! { <p class="muted">"Экспертная оценка ещё не проведена."</p> }.into_any()
                    }
                    Some(e) => {
                        view! {
                            <p class="small muted">
                                {format!("Эксперт: {}, {}", e.expert.full_name, format::date_time(e.evaluated_at))}
                            </p>
                            <ul class="plain item-list">
                                {e
                                    .verdicts
                                    .iter()
                                    .map(|v| {
                                        view! {
                                            <li class="verdict">
                                                <span class="verdict-title">{deficit_title(&r, v.deficit_id)}</span>
                                                {if v.eliminated {
                                                    view! { <Badge kind=BadgeKind::Success>"устранён"</Badge> }
                                                } else {
                                                    view! { <Badge kind=BadgeKind::Danger>"не устранён"</Badge> }
                                                }}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                            {e.comment.clone().map(|c| view! { <p class="pre-line">{c}</p> })}
                        }
                            .into_any()
                    }
                }
            }}
        </section>
    }
}

/// The author's card for publishing an evaluated product in the region's bank.
#[component]
fn Publication() -> impl IntoView {
    let ctx = use_route();
    let shown = Memo::new(move |_| {
        ctx.route.with(|r| {
            r.permissions
                .participant
                .contains(&workflow::Participant::Owner)
                && matches!(r.status, RouteStatus::Evaluated | RouteStatus::Completed)
        })
    });
    move || {
        shown
            .get()
            .then(|| view! { <crate::pages::bank::PublishCard route_id=ctx.id /> })
    }
}

// ---- The conclusion ----

#[component]
fn Conclusion() -> impl IntoView {
    let ctx = use_route();
    let editable = Memo::new(move |_| {
        ctx.route.with(|r| {
            route_text::writes_conclusion(&r.permissions.participant)
                && workflow::editable(Part::Conclusion, r.status)
        })
    });
    let editing = RwSignal::new(false);
    let conclusion = Memo::new(move |_| ctx.route.with(|r| r.reflective.conclusion.clone()));
    view! {
        <section class="card" aria-labelledby="conclusion-title">
            <div class="card-head">
                <h2 class="card-title" id="conclusion-title">"Заключение"</h2>
                {move || {
                    (editable.get() && !editing.get())
                        .then(|| {
                            view! {
                                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| editing.set(true)>
                                    "Написать заключение"
                                </button>
                            }
                        })
                }}
            </div>
            {move || {
                if editing.get() && editable.get() {
                    return view! { <ConclusionForm initial=conclusion.get_untracked() editing=editing /> }.into_any();
                }
                let c = conclusion.get();
                if c == ConclusionDto::default() {
                    return view! {
                        <p class="muted">"Заключение пишут тьютор, координатор ОО или директор по итогам маршрута."</p>
                    }
                        .into_any();
                }
                let by = ctx.route.with(|r| {
                    r.reflective.conclusion_by.as_ref().map(|p| {
                        format!(
                            "{}{}",
                            p.full_name,
                            r.reflective.conclusion_at.map(|t| format!(", {}", format::date_time(t))).unwrap_or_default()
                        )
                    })
                });
                view! {
                    <Details>
                        <DetailRow label="Выводы" value=c.findings.clone() />
                        <DetailRow label="Результаты" value=c.results.clone() />
                        <DetailRow label="Рекомендации" value=c.recommendations.clone() />
                        <DetailRow label="Итог" value=c.outcome.map(|o| o.title_ru().to_owned()) />
                        <DetailRow label="Автор" value=by />
                    </Details>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn ConclusionForm(initial: ConclusionDto, editing: RwSignal<bool>) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let findings = RwSignal::new(initial.findings.clone().unwrap_or_default());
    let results = RwSignal::new(initial.results.clone().unwrap_or_default());
    let recommendations = RwSignal::new(initial.recommendations.clone().unwrap_or_default());
    let outcome = RwSignal::new(
        initial
            .outcome
            .map(|o| o.as_str().to_owned())
            .unwrap_or_default(),
    );
    // The criteria of completion (1.12) prefill what is still empty: the dynamics sentence
    // for the results and the outcome they support.
    let suggestion = RwSignal::new(None::<Outcome>);
    {
        let api = ctx.api;
        spawn_local(async move {
            let Ok(d) = api
                .get::<RouteDynamicsDto>(&endpoints::route_part(ctx.id, "dynamics"))
                .await
            else {
                return;
            };
            if d.criteria_dynamics.is_some() && results.with_untracked(|r| r.trim().is_empty()) {
                results.try_set(d.summary.clone());
            }
            if let Some(o) = d.suggested_outcome {
                suggestion.try_set(Some(o));
                if outcome.with_untracked(String::is_empty) {
                    outcome.try_set(o.as_str().to_owned());
                }
            }
        });
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let request = UpdateConclusion {
            version: ctx.route.with_untracked(|r| r.version),
            conclusion: ConclusionDto {
                findings: opt(findings),
                results: opt(results),
                recommendations: opt(recommendations),
                outcome: outcome.get_untracked().parse::<Outcome>().ok(),
            },
        };
        if !form.check(request.validate()) {
            return;
        }
        let api = ctx.api;
        form.run(
            async move {
                ctx.apply(
                    api.put(&endpoints::route_part(ctx.id, "conclusion"), &request)
                        .await,
                )
                .await
            },
            move || {
                editing.try_set(false);
                ctx.say(AlertKind::Success, "Заключение сохранено.");
            },
        );
    };
    view! {
        <form class="form" on:submit=submit novalidate=true>
            <FormAlert form=form />
            <TextArea label="Выводы" id="conclusion-findings" value=findings rows=4 error=form.field("conclusion.findings") />
            <TextArea label="Результаты" id="conclusion-results" value=results rows=4 error=form.field("conclusion.results") />
            <TextArea
                label="Рекомендации"
                id="conclusion-recommendations"
                value=recommendations
                rows=3
                error=form.field("conclusion.recommendations")
            />
            <Select
                label="Итог"
                id="conclusion-outcome"
                value=outcome
                choices=optional_enum_choices(Outcome::ALL, Outcome::as_str, Outcome::title_ru, "— не определён —")
                hint="Для завершения маршрута нужны выводы или результаты и итог."
            />
            {move || {
                suggestion
                    .get()
                    .map(|o| {
                        view! {
                            <p class="hint" id="conclusion-suggestion">
                                "По критериям завершения (экспертиза и динамика): «" {o.title_ru()} "»."
                            </p>
                        }
                    })
            }}
            <FormButtons form=form on_cancel=Callback::new(move |_| editing.set(false)) />
        </form>
    }
}

// ---- The outcome ----

#[component]
fn CompletionNotice() -> impl IntoView {
    let ctx = use_route();
    let state = Memo::new(move |_| {
        ctx.route.with(|r| {
            (r.status == RouteStatus::Completed).then(|| {
                (
                    r.reflective.conclusion.outcome,
                    r.completed_at,
                    route_text::writes_content(&r.permissions.participant),
                )
            })
        })
    });
    let navigate = use_navigate();
    let form = FormState::new();
    let next = move |_| {
        let api = ctx.api;
        let navigate = navigate.clone();
        form.run(
            async move {
                let created: RouteDto = api
                    .post_empty(&endpoints::route_part(ctx.id, "next"), &[])
                    .await?;
                navigate(&routes::route_page(created.id), Default::default());
                Ok(())
            },
            || {},
        );
    };
    move || {
        state.get().map(|(outcome, at, may_draft)| {
            let when = at.map(|t| format!(" {}", format::date(t.date_naive()))).unwrap_or_default();
            match outcome {
                Some(Outcome::NotAchieved) => {
                    let next = next.clone();
                    view! {
                        <Alert kind=AlertKind::Warning title=format!("Маршрут завершён{when}")>
                            <p>{Outcome::NotAchieved.title_ru()} "."</p>
                            {may_draft
                                .then(|| {
                                    view! {
                                        <p>
                                            "Следующий маршрут можно составить на основе этого: в него перейдут неустранённые дефициты и задачи, итоговая диагностика станет входной."
                                        </p>
                                        <button
                                            type="button"
                                            class="btn btn-primary"
                                            aria-disabled=move || form.busy.get().then_some("true")
                                            on:click=next
                                        >
                                            "Составить следующий маршрут"
                                        </button>
                                        <FormAlert form=form />
                                    }
                                })}
                        </Alert>
                    }
                        .into_any()
                }
                other => view! {
                    <Alert kind=AlertKind::Success title=format!("Маршрут завершён{when}")>
                        <p>{other.map_or("Итог не указан.", |o| o.title_ru())}</p>
                    </Alert>
                }
                    .into_any(),
            }
        })
    }
}
