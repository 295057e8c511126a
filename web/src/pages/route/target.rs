//! Section 3, target: development tasks, each tied to at least one deficit.

use leptos::prelude::*;
use shared::dto::{TaskDto, TaskInput};
use uuid::Uuid;
use validator::Validate;

use super::{
    CardHead, FormButtons, ItemButtons, SectionProblems, Tab, deficit_title, delete_item, use_route,
};
use crate::api::endpoints::{self, Items};
use crate::components::{AlertKind, CheckList, FormAlert, FormState, Input, TextArea, opt};
use crate::routes;

#[component]
pub fn TargetTab() -> impl IntoView {
    let ctx = use_route();
    let editable = Memo::new(move |_| ctx.plan_editable());
    let adding = RwSignal::new(false);
    let items = Memo::new(move |_| ctx.route.with(|r| r.target.tasks.clone()));
    let no_deficits = Memo::new(move |_| ctx.route.with(|r| r.diagnostic.deficits.is_empty()));
    // Tasks are tied to deficits: none can be added before there is one.
    let can_add = Signal::derive(move || editable.get() && !no_deficits.get());
    view! {
        <SectionProblems section="target" />
        <section class="card" aria-labelledby="tasks-title">
            <CardHead
                title="Задачи профессионального развития"
                id="tasks-title"
                add_label="Добавить задачу"
                can_add=can_add
                adding=adding
                testid="add-task"
            />
            {move || {
                (no_deficits.get() && editable.get())
                    .then(|| {
                        view! {
                            <p class="alert alert-info">
                                "Каждая задача ставится против дефицитов: сначала укажите их в "
                                <a href=routes::route_tab(ctx.id, Tab::Diagnostic.slug())>"диагностическом разделе"</a>
                                "."
                            </p>
                        }
                    })
            }}
            {move || {
                (items.with(Vec::is_empty) && !adding.get())
                    .then(|| view! { <p>"Задачи пока не сформулированы."</p> })
            }}
            <ol class="plain item-list">
                <For each=move || items.get() key=|t| (t.id, t.version) let:t>
                    <TaskItem t=t editable=editable />
                </For>
            </ol>
            {move || {
                adding
                    .get()
                    .then(|| view! { <TaskForm existing=None on_close=Callback::new(move |_| adding.set(false)) /> })
            }}
        </section>
    }
}

#[component]
fn TaskItem(t: TaskDto, editable: Memo<bool>) -> impl IntoView {
    let ctx = use_route();
    let editing = RwSignal::new(false);
    let item = t.clone();
    move || {
        if editing.get() {
            return view! {
                <li>
                    <TaskForm existing=Some(item.clone()) on_close=Callback::new(move |_| editing.set(false)) />
                </li>
            }
            .into_any();
        }
        let t = item.clone();
        let what = format!("задача «{}»", t.title);
        let (id, version) = (t.id, t.version);
        let deficits = t.deficit_ids.clone();
        view! {
            <li class="item" data-testid="task">
                <div class="item-head">
                    <div>
                        <h3 class="item-title">{t.title.clone()}</h3>
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
                                            delete_item(ctx, Items::Tasks, id, version, &format!("Удалить {what}?"))
                                        })
                                    />
                                }
                            })
                    }}
                </div>
                {t.description.clone().map(|d| view! { <p class="pre-line">{d}</p> })}
                <p class="small">
                    <span class="muted">"Направлена на дефициты: "</span>
                    {move || {
                        ctx.route
                            .with(|r| {
                                deficits
                                    .iter()
                                    .map(|id| view! { <span class="chip">{deficit_title(r, *id)}</span> })
                                    .collect_view()
                            })
                    }}
                </p>
            </li>
        }
        .into_any()
    }
}

#[component]
fn TaskForm(existing: Option<TaskDto>, on_close: Callback<()>) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let p = existing
        .as_ref()
        .map_or_else(|| "task-new".to_owned(), |t| format!("task-{}", t.id));
    let title = RwSignal::new(
        existing
            .as_ref()
            .map(|t| t.title.clone())
            .unwrap_or_default(),
    );
    let description = RwSignal::new(
        existing
            .as_ref()
            .and_then(|t| t.description.clone())
            .unwrap_or_default(),
    );
    // A single deficit is chosen for the person; with more, they choose.
    let deficits: Vec<(Uuid, String)> = ctx.route.with_untracked(|r| {
        r.diagnostic
            .deficits
            .iter()
            .map(|d| (d.id, d.title.clone()))
            .collect()
    });
    let selected = RwSignal::new(existing.as_ref().map_or_else(
        || {
            if deficits.len() == 1 {
                vec![deficits[0].0]
            } else {
                Vec::new()
            }
        },
        |t| t.deficit_ids.clone(),
    ));
    let meta = existing.as_ref().map(|t| (t.id, t.version));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let request = TaskInput {
            version: meta.map(|(_, v)| v),
            title: title.get_untracked().trim().to_owned(),
            description: opt(description),
            deficit_ids: selected.get_untracked(),
        };
        if !form.check(request.validate()) {
            return;
        }
        let api = ctx.api;
        form.run(
            async move {
                let result = match meta {
                    Some((id, _)) => {
                        api.put(&endpoints::route_item(ctx.id, Items::Tasks, id), &request)
                            .await
                    }
                    None => {
                        api.post(&endpoints::route_items(ctx.id, Items::Tasks), &request)
                            .await
                    }
                };
                ctx.apply(result).await
            },
            move || {
                ctx.say(AlertKind::Success, "Задача сохранена.");
                on_close.run(());
            },
        );
    };
    view! {
        <form class="form item-form" on:submit=submit novalidate=true data-testid="task-form">
            <h3 class="item-title">{if meta.is_some() { "Изменить задачу" } else { "Новая задача" }}</h3>
            <FormAlert form=form />
            <Input
                label="Задача"
                id=format!("{p}-title")
                value=title
                error=form.field("title")
                required=true
                hint="Что педагог освоит или научится делать, например: «Освоить приёмы формирования функциональной грамотности»."
            />
            <TextArea label="Описание" id=format!("{p}-description") value=description error=form.field("description") />
            <CheckList
                legend="На какие дефициты направлена"
                id=format!("{p}-deficits")
                options=deficits
                selected=selected
                error=form.field("deficit_ids")
                required=true
            />
            <FormButtons form=form on_cancel=on_close />
        </form>
    }
}
