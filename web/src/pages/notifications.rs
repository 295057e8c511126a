//! The notification centre («Уведомления»), the bell that leads to it, and the «Что сделать»
//! block at the top of the cabinet.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use shared::dto::{MarkedRead, NotificationDto, NotificationPage, TodoList};

use crate::api::{ApiRequest, endpoints, use_api};
use crate::components::{ErrorAlert, Loading, PageHeader};
use crate::format;
use crate::routes;

/// Bumped whenever notices are marked read, so the bell counts again.
#[derive(Clone, Copy)]
pub struct NoticesChanged(pub RwSignal<u32>);

impl NoticesChanged {
    pub fn provide() {
        provide_context(NoticesChanged(RwSignal::new(0)));
    }

    fn bump() {
        if let Some(NoticesChanged(s)) = use_context::<NoticesChanged>() {
            s.update(|n| *n += 1);
        }
    }

    fn track() {
        if let Some(NoticesChanged(s)) = use_context::<NoticesChanged>() {
            s.track();
        }
    }
}

/// The bell in the header: the number of unread notices, counted again on every page change.
#[component]
pub fn Bell() -> impl IntoView {
    let api = use_api();
    let location = use_location();
    let unread = LocalResource::new(move || {
        location.pathname.track();
        NoticesChanged::track();
        async move {
            let request = ApiRequest::new(gloo_net::http::Method::GET, endpoints::NOTIFICATIONS)
                .query("limit", 1);
            api.call::<NotificationPage>(request)
                .await
                .map(|p| p.unread)
                .unwrap_or(0)
        }
    });
    let count = move || unread.get().unwrap_or(0);
    let label = move || match count() {
        0 => "Уведомления: новых нет".to_owned(),
        n => format!(
            "Уведомления: {n} {}",
            format::plural(
                i64::try_from(n).unwrap_or(i64::MAX),
                "новое",
                "новых",
                "новых"
            )
        ),
    };
    view! {
        <a class="bell" href=routes::NOTIFICATIONS data-testid="bell" aria-label=label title=label>
            <svg class="bell-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                <path
                    fill="currentColor"
                    d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"
                />
            </svg>
            <Show when=move || { count() > 0 }>
                <span class="bell-count" data-testid="bell-count">{count}</span>
            </Show>
        </a>
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let api = use_api();
    let version = RwSignal::new(0u32);
    let page = LocalResource::new(move || {
        version.track();
        async move {
            let request = ApiRequest::new(gloo_net::http::Method::GET, endpoints::NOTIFICATIONS)
                .query("limit", 100);
            api.call::<NotificationPage>(request).await
        }
    });
    let read_all = Action::new_local(move |_: &()| async move {
        let done = api
            .post_empty::<MarkedRead>(endpoints::NOTIFICATIONS_READ_ALL, &[])
            .await;
        version.update(|v| *v += 1);
        NoticesChanged::bump();
        done
    });
    view! {
        <PageHeader title="Уведомления" />
        <Transition fallback=|| view! { <Loading /> }>
            {move || {
                page.get()
                    .map(|result| match result {
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                        Ok(p) if p.items.is_empty() => {
                            view! { <p class="muted" data-testid="no-notifications">"Уведомлений пока нет."</p> }
                                .into_any()
                        }
                        Ok(p) => {
                            let unread = p.unread;
                            view! {
                                <p class="toolbar">
                                    <span class="muted">
                                        {format!("Непрочитанных: {unread}")}
                                    </span>
                                    " "
                                    <button
                                        type="button"
                                        class="btn btn-secondary"
                                        data-testid="read-all"
                                        disabled=move || unread == 0 || read_all.pending().get()
                                        on:click=move |_| {
                                            read_all.dispatch(());
                                        }
                                    >
                                        "Отметить все прочитанными"
                                    </button>
                                </p>
                                <ul class="notices plain" data-testid="notifications">
                                    {p
                                        .items
                                        .into_iter()
                                        .map(|n| view! { <Notice notice=n /> })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

/// One notice: unread ones stand out; following its link marks it read.
#[component]
fn Notice(notice: NotificationDto) -> impl IntoView {
    let api = use_api();
    let id = notice.id;
    let read = RwSignal::new(notice.read_at.is_some());
    let mark = move || {
        if read.get_untracked() {
            return;
        }
        read.set(true);
        leptos::task::spawn_local(async move {
            let _ = api
                .post_empty::<NotificationDto>(&endpoints::notification_read(id), &[])
                .await;
            NoticesChanged::bump();
        });
    };
    let when = format::date_time(notice.created_at);
    let text = notice.text.clone();
    view! {
        <li
            class="notice"
            class:notice-unread=move || !read.get()
            data-testid="notification"
            data-read=move || read.get().to_string()
        >
            <span class="small muted block">{when}</span>
            {match notice.link {
                Some(link) => {
                    view! {
                        <a href=link on:click=move |_| mark()>
                            {text}
                        </a>
                    }
                        .into_any()
                }
                None => view! { <span>{text}</span> }.into_any(),
            }}
            {move || {
                (!read.get())
                    .then(|| {
                        view! {
                            " "
                            <button type="button" class="btn btn-link small" on:click=move |_| mark()>
                                "Прочитано"
                            </button>
                        }
                    })
            }}
        </li>
    }
}

/// «Что сделать»: what waits for the person, oldest first, each a link to where it is done.
#[component]
pub fn TasksCard() -> impl IntoView {
    let api = use_api();
    let tasks =
        LocalResource::new(move || async move { api.get::<TodoList>(endpoints::TASKS).await });
    view! {
        <section class="card tasks-card" aria-labelledby="cabinet-tasks" data-testid="tasks">
            <h2 class="card-title" id="cabinet-tasks">"Что сделать"</h2>
            <Transition fallback=|| view! { <Loading /> }>
                {move || {
                    tasks
                        .get()
                        .map(|result| match result {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(list) if list.items.is_empty() => {
                                view! { <p class="muted">"Сейчас ничего не ждёт вашего решения."</p> }
                                    .into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <ul class="plain task-list">
                                        {list
                                            .items
                                            .into_iter()
                                            .map(|t| {
                                                view! {
                                                    <li data-testid="task" data-kind=t.kind.as_str()>
                                                        <a href=t.link>{t.title}</a>
                                                        <span class="small muted block">
                                                            {format!("ждёт с {}", format::date_time(t.since))}
                                                        </span>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}
