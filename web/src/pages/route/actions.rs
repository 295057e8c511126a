//! The workflow steps the person can take now (`permissions.actions`), each confirmed in a
//! small form: a comment where one is needed, a date to extend, a verdict per deficit to
//! evaluate.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use shared::RouteStatus;
use shared::dto::{DeficitVerdict, RouteDto, TransitionRequest};
use shared::workflow::{Participant, RouteAction};
use uuid::Uuid;

use super::{RouteCtx, Tab, use_route};
use crate::api::{ApiError, endpoints};
use crate::components::{AlertKind, FormAlert, FormState, Input, TextArea, focus_element, opt};
use crate::format;
use crate::route_text;
use crate::routes;

#[component]
pub fn Actions() -> impl IntoView {
    let ctx = use_route();
    let actions = Memo::new(move |_| ctx.route.with(|r| r.permissions.actions.clone()));
    let open = RwSignal::new(None::<RouteAction>);
    // A step taken (or the route reloaded) closes a form whose action is no longer offered.
    Effect::new(move |_| {
        let now = actions.get();
        if open.get_untracked().is_some_and(|a| !now.contains(&a)) {
            open.set(None);
        }
    });
    let deletable = Memo::new(move |_| {
        ctx.route.with(|r| {
            r.status == RouteStatus::Draft
                && r.approvals.is_empty()
                && r.permissions.participant.contains(&Participant::Owner)
        })
    });
    let navigate = use_navigate();
    let delete_route = move |_| {
        if !RouteCtx::confirm("Удалить черновик маршрута? Это действие нельзя отменить.")
        {
            return;
        }
        let navigate = navigate.clone();
        let version = ctx.route.with_untracked(|r| r.version);
        leptos::task::spawn_local(async move {
            match ctx
                .api
                .delete_version::<()>(&endpoints::route(ctx.id), version)
                .await
            {
                Ok(()) => navigate(routes::MY_ROUTES, Default::default()),
                Err(e) => ctx.say(AlertKind::Error, e.message()),
            }
        });
    };

    view! {
        {move || {
            let list = actions.get();
            let any = !list.is_empty();
            let buttons = list
                .into_iter()
                .map(|action| {
                    let class = if route_text::action_is_primary(action) {
                        "btn btn-primary"
                    } else {
                        "btn btn-secondary"
                    };
                    view! {
                        <button
                            type="button"
                            class=class
                            data-action=action.as_str()
                            aria-expanded=move || if open.get() == Some(action) { "true" } else { "false" }
                            aria-controls="action-form"
                            on:click=move |_| {
                                open.set(Some(action));
                                focus_later("action-form");
                            }
                        >
                            {action.title_ru()}
                        </button>
                    }
                })
                .collect_view();
            any.then(|| {
                view! {
                    <div class="actions" role="group" aria-label="Ваши действия">
                        <span class="actions-label">"Ваши действия:"</span>
                        {buttons}
                    </div>
                }
            })
        }}
        {move || {
            deletable
                .get()
                .then(|| {
                    view! {
                        <p class="small">
                            <button type="button" class="btn-link danger-link" on:click=delete_route.clone()>
                                "Удалить черновик"
                            </button>
                        </p>
                    }
                })
        }}
        {move || open.get().map(|action| view! { <ActionForm action=action open=open /> })}
    }
}

/// Moves the focus to an element once it is on the page.
pub fn focus_later(id: &'static str) {
    request_animation_frame(move || focus_element(id));
}

#[component]
fn ActionForm(action: RouteAction, open: RwSignal<Option<RouteAction>>) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let comment = RwSignal::new(String::new());
    let new_end = RwSignal::new(String::new());
    let problems = RwSignal::new(BTreeMap::<String, Vec<String>>::new());
    // Evaluate: a verdict per deficit (confirmed ones must be judged), none chosen at first.
    let deficits: Vec<(Uuid, String)> = ctx.route.with_untracked(|r| {
        r.diagnostic
            .deficits
            .iter()
            .filter(|d| d.confirmed)
            .map(|d| (d.id, d.title.clone()))
            .collect()
    });
    let deficit_count = deficits.len();
    let verdicts = RwSignal::new(BTreeMap::<Uuid, bool>::new());
    let needs_comment = action.needs_comment();
    let comment_label = match action {
        RouteAction::Return | RouteAction::ReturnProduct => "Что нужно доработать",
        RouteAction::Extend => "Причина продления",
        RouteAction::Reopen => "Причина возобновления",
        RouteAction::Evaluate => "Комментарий эксперта",
        _ => "Комментарий (необязательно)",
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        problems.set(BTreeMap::new());
        if needs_comment && opt(comment).is_none() {
            form.fail("comment", "Заполните поле.");
            focus_element("action-comment");
            return;
        }
        let mut request = TransitionRequest {
            action,
            version: ctx.route.with_untracked(|r| r.version),
            comment: opt(comment),
            new_end: None,
            verdicts: Vec::new(),
        };
        if action == RouteAction::Extend {
            match format::parse_iso_date(&new_end.get_untracked()) {
                Some(d) => request.new_end = Some(d),
                None => {
                    form.fail("new_end", "Укажите новую дату окончания.");
                    return;
                }
            }
        }
        if action == RouteAction::Evaluate {
            let chosen = verdicts.get_untracked();
            if chosen.len() < deficit_count {
                form.fail(
                    "verdicts",
                    "Отметьте по каждому дефициту: устранён или нет.",
                );
                return;
            }
            request.verdicts = chosen
                .into_iter()
                .map(|(deficit_id, eliminated)| DeficitVerdict {
                    deficit_id,
                    eliminated,
                })
                .collect();
        }
        let api = ctx.api;
        form.run(
            async move {
                let result = api
                    .post::<_, RouteDto>(&endpoints::route_part(ctx.id, "transitions"), &request)
                    .await;
                if let Err(ApiError::Http { problem, .. }) = &result
                    && problem.status == 422
                {
                    // Problems with the route's sections go to those sections too.
                    let by_section: BTreeMap<String, Vec<String>> = problem
                        .errors
                        .iter()
                        .filter(|(k, _)| Tab::of_field(k).is_some())
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    if !by_section.is_empty() {
                        problems.try_set(by_section.clone());
                        ctx.problems.try_set(by_section);
                    }
                }
                ctx.apply(result).await
            },
            move || {
                ctx.problems.try_set(BTreeMap::new());
                ctx.say(AlertKind::Success, route_text::action_done(action));
                open.try_set(None);
            },
        );
    };

    let title = action.title_ru();
    view! {
        <form
            class="action-form"
            id="action-form"
            tabindex="-1"
            aria-labelledby="action-form-title"
            on:submit=submit
            novalidate=true
        >
            <h2 class="action-form-title" id="action-form-title">{title}</h2>
            <p class="muted">{route_text::action_explained(action)}</p>
            <FormAlert form=form />
            {move || {
                let list = problems.get();
                (!list.is_empty())
                    .then(|| {
                        view! {
                            <div class="alert alert-warning" role="alert">
                                <p class="alert-title">"Маршрут пока нельзя отправить"</p>
                                <ul class="plain">
                                    {list
                                        .into_iter()
                                        .flat_map(|(field, msgs)| {
                                            let tab = Tab::of_field(&field);
                                            msgs.into_iter()
                                                .map(move |m| {
                                                    view! {
                                                        <li>
                                                            {m} " "
                                                            {tab
                                                                .map(|t| {
                                                                    view! {
                                                                        <a href=routes::route_tab(ctx.id, t.slug())>
                                                                            {format!("Перейти: {}", t.title())}
                                                                        </a>
                                                                    }
                                                                })}
                                                        </li>
                                                    }
                                                })
                                        })
                                        .collect_view()}
                                </ul>
                            </div>
                        }
                    })
            }}
            {(action == RouteAction::Extend)
                .then(|| {
                    let end = ctx.route.with_untracked(|r| r.period_end);
                    view! {
                        <Input
                            label="Новая дата окончания"
                            id="action-new-end"
                            input_type="date"
                            value=new_end
                            min=format::iso_date(end)
                            hint=format!("Сейчас маршрут заканчивается {}. Продлить можно не более чем на 6 месяцев.", format::date(end))
                            error=form.field("new_end")
                            required=true
                        />
                    }
                })}
            {(action == RouteAction::Evaluate)
                .then(|| {
                    view! {
                        <fieldset class="field fieldset" class:field-invalid=move || form.field("verdicts").with(Option::is_some)>
                            <legend class="label">"Оценка по дефицитам"</legend>
                            {move || form.field("verdicts").get().map(|e| view! { <p class="field-error">{e}</p> })}
                            <ul class="plain verdicts">
                                {deficits
                                    .iter()
                                    .enumerate()
                                    .map(|(i, (id, title))| {
                                        let id = *id;
                                        let name = format!("verdict-{i}");
                                        view! {
                                            <li class="verdict">
                                                <span class="verdict-title">{title.clone()}</span>
                                                <label class="check">
                                                    <input
                                                        type="radio"
                                                        name=name.clone()
                                                        data-verdict="eliminated"
                                                        on:change=move |_| verdicts.update(|v| { v.insert(id, true); })
                                                    />
                                                    <span>"устранён"</span>
                                                </label>
                                                <label class="check">
                                                    <input
                                                        type="radio"
                                                        name=name
                                                        data-verdict="not_eliminated"
                                                        on:change=move |_| verdicts.update(|v| { v.insert(id, false); })
                                                    />
                                                    <span>"не устранён"</span>
                                                </label>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </fieldset>
                    }
                })}
            <TextArea
                label=comment_label
                id="action-comment"
                value=comment
                rows=3
                error=form.field("comment")
                required=needs_comment
            />
            <div class="form-buttons">
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="confirm-action"
                    aria-disabled=move || form.busy.get().then_some("true")
                >
                    {move || if form.busy.get() { "Выполняется…" } else { title }}
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| open.set(None)>
                    "Отмена"
                </button>
            </div>
        </form>
    }
}
