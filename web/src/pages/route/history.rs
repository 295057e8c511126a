//! The route's history (workflow steps and corrections: field, old, new, who, when) and its
//! comment thread.

use leptos::prelude::*;
use shared::Section;
use shared::dto::{ChangeDto, CommentDto, CommentInput, RouteHistory};
use validator::Validate;

use super::use_route;
use crate::api::{ApiRequest, endpoints};
use crate::components::{
    Badge, BadgeKind, Checkbox, Choice, FormAlert, FormState, Loading, Select, TextArea,
    error_fallback,
};
use crate::format;
use crate::route_text;

#[component]
pub fn HistoryTab() -> impl IntoView {
    let ctx = use_route();
    let approved = Memo::new(move |_| ctx.route.with(|r| r.approved_version));
    // An approver asked to agree again looks first at what changed since their signature.
    let since_approval = RwSignal::new(ctx.route.with_untracked(|r| {
        r.needs_reapproval && r.approved_version.is_some() && !r.status.is_final()
    }));
    let version = Memo::new(move |_| ctx.route.with(|r| r.version));
    let history = LocalResource::new(move || {
        let since = since_approval.get().then(|| approved.get()).flatten();
        // Read again whenever the route changes.
        let _ = version.get();
        let api = ctx.api;
        async move {
            let mut request = ApiRequest::new(
                gloo_net::http::Method::GET,
                endpoints::route_part(ctx.id, "history"),
            );
            if let Some(v) = since {
                request = request.query("since_version", v);
            }
            api.call::<RouteHistory>(request).await
        }
    });
    view! {
        <div class="stack">
            {move || {
                approved
                    .get()
                    .map(|v| {
                        view! {
                            <div class="filter-bar">
                                <Checkbox
                                    label=format!("Только изменения после утверждённой версии {v}")
                                    id="history-since"
                                    checked=since_approval
                                />
                            </div>
                        }
                    })
            }}
            <Transition fallback=|| view! { <Loading label="Загружаем историю…" /> }>
                <ErrorBoundary fallback=error_fallback>
                    {move || {
                        history
                            .get()
                            .map(|result| {
                                result.map(|h| view! { <History history=h /> })
                            })
                    }}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}

#[component]
fn History(history: RouteHistory) -> impl IntoView {
    let steps = if history.transitions.is_empty() {
        view! { <p>"Маршрут ещё не отправлялся на согласование."</p> }.into_any()
    } else {
        view! {
            <ol class="timeline">
                {history
                    .transitions
                    .into_iter()
                    .rev()
                    .map(|t| {
                        view! {
                            <li class="timeline-item">
                                <p>
                                    <strong>{t.action.title_ru()}</strong>
                                    <span class="muted">
                                        {format!(" · «{}» → «{}»", t.from_status.title_ru(), t.to_status.title_ru())}
                                    </span>
                                </p>
                                <p class="small muted">
                                    {format!("{}, {} · версия {}", t.actor.full_name, format::date_time(t.at), t.version)}
                                </p>
                                {t.comment.map(|c| view! { <blockquote class="quote pre-line">{c}</blockquote> })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        }
        .into_any()
    };
    let changes = if history.changes.is_empty() {
        view! { <p>"Изменений нет."</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table class="table table-stack table-compact">
                    <thead>
                        <tr>
                            <th scope="col">"Когда"</th>
                            <th scope="col">"Кто"</th>
                            <th scope="col">"Что"</th>
                            <th scope="col">"Поле"</th>
                            <th scope="col">"Было"</th>
                            <th scope="col">"Стало"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {history.changes.into_iter().rev().map(|c| view! { <ChangeRow c=c /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="transitions-title">
            <h2 class="card-title" id="transitions-title">"Согласование и статусы"</h2>
            {steps}
        </section>
        <section class="card" aria-labelledby="changes-title">
            <h2 class="card-title" id="changes-title">"Информация о корректировках"</h2>
            <p class="small muted">"Каждое изменение маршрута: что, кем и когда изменено."</p>
            {changes}
        </section>
    }
}

#[component]
fn ChangeRow(c: ChangeDto) -> impl IntoView {
    let value = |v: Option<String>| {
        v.map(|v| route_text::field_value(&c.field, &v))
            .unwrap_or_else(|| "—".to_owned())
    };
    let old = value(c.old_value.clone());
    let new = value(c.new_value.clone());
    view! {
        <tr>
            <td data-label="Когда">{format::date_time(c.at)}</td>
            <td data-label="Кто">{format::short_full_name(&c.actor.full_name)}</td>
            <td data-label="Что">
                {c.subject.clone()}
                {c.material
                    .then(|| view! { " " <Badge kind=BadgeKind::Warning>"требует согласования"</Badge> })}
            </td>
            <td data-label="Поле">{route_text::field_title(&c.field).to_owned()}</td>
            <td data-label="Было" class="pre-line">{old}</td>
            <td data-label="Стало" class="pre-line">{new}</td>
        </tr>
    }
}

#[component]
pub fn CommentsTab() -> impl IntoView {
    let ctx = use_route();
    let comments = RwSignal::new(None::<Vec<CommentDto>>);
    let failed = RwSignal::new(None::<String>);
    let api = ctx.api;
    leptos::task::spawn_local(async move {
        match api
            .get::<Vec<CommentDto>>(&endpoints::route_part(ctx.id, "comments"))
            .await
        {
            Ok(list) => {
                comments.try_set(Some(list));
            }
            Err(e) => {
                failed.try_set(Some(e.message()));
            }
        }
    });
    let can_comment = Memo::new(move |_| ctx.route.with(|r| r.permissions.can_comment));
    view! {
        <section class="card" aria-labelledby="comments-title">
            <h2 class="card-title" id="comments-title">"Комментарии"</h2>
            <p class="small muted">"Обсуждение маршрута: педагог, тьютор, наставник, администрация."</p>
            {move || failed.get().map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
            {move || match comments.get() {
                None if failed.with(Option::is_none) => view! { <Loading label="Загружаем комментарии…" /> }.into_any(),
                None => ().into_any(),
                Some(list) if list.is_empty() => view! { <p>"Комментариев пока нет."</p> }.into_any(),
                Some(list) => {
                    view! {
                        <ol class="plain comments" data-testid="comments">
                            {list
                                .into_iter()
                                .map(|c| {
                                    view! {
                                        <li class="comment">
                                            <p class="small">
                                                <strong>{c.author.full_name.clone()}</strong>
                                                <span class="muted">{format!(" · {}", format::date_time(c.created_at))}</span>
                                                {c.section.map(|s| view! { " " <span class="chip">{s.title_ru()}</span> })}
                                            </p>
                                            <p class="pre-line">{c.text.clone()}</p>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ol>
                    }
                        .into_any()
                }
            }}
            {move || can_comment.get().then(|| view! { <CommentForm comments=comments /> })}
        </section>
    }
}

#[component]
fn CommentForm(comments: RwSignal<Option<Vec<CommentDto>>>) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let text = RwSignal::new(String::new());
    let section = RwSignal::new(String::new());
    let mut choices = vec![Choice::One(String::new(), "Маршрут в целом".to_owned())];
    choices.extend(
        Section::ALL
            .iter()
            .map(|s| Choice::One(s.as_str().to_owned(), format!("Раздел: {}", s.title_ru()))),
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let request = CommentInput {
            section: section.get_untracked().parse().ok(),
            text: text.get_untracked().trim().to_owned(),
        };
        if !form.check(request.validate()) {
            return;
        }
        let api = ctx.api;
        form.run(
            async move {
                let added: CommentDto = api
                    .post(&endpoints::route_part(ctx.id, "comments"), &request)
                    .await?;
                comments.try_update(|list| list.get_or_insert_with(Vec::new).push(added));
                Ok(())
            },
            move || {
                text.try_set(String::new());
            },
        );
    };
    view! {
        <form class="form comment-form" on:submit=submit novalidate=true>
            <FormAlert form=form />
            <TextArea label="Ваш комментарий" id="comment-text" value=text rows=3 error=form.field("text") required=true />
            <Select label="О чём" id="comment-section" value=section choices=choices />
            <button type="submit" class="btn btn-primary" aria-disabled=move || form.busy.get().then_some("true")>
                "Отправить"
            </button>
        </form>
    }
}
