//! «Кто видел мои данные»: every access to the person's route, card, files, diagnostic results
//! and profile by someone else, from the audit of reads.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::dto::Page;
use shared::dto::people::AccessLogEntry;
use shared::privacy::{action_label, basis_phrase};

use crate::api::{ApiRequest, endpoints, use_api};
use crate::components::{ErrorAlert, Loading, PageHeader, error_fallback};
use crate::format;
use crate::pages::admin::Pager;
use crate::routes;

const PAGE_SIZE: u64 = 50;
/// How many of the latest accesses the cabinet shows.
const LATEST: u64 = 5;

fn request(offset: u64, limit: u64) -> ApiRequest {
    ApiRequest::new(gloo_net::http::Method::GET, endpoints::ACCESS_LOG)
        .query("offset", offset)
        .query("limit", limit)
}

/// Who, as whom: «Петрова Анна Сергеевна (Тьютор)», or the integration's name.
fn who(e: &AccessLogEntry) -> String {
    let basis = basis_phrase(&e.basis);
    match (e.actor_kind.as_str(), basis.is_empty()) {
        ("client", _) => format!("{} (региональная система)", e.actor_name),
        (_, true) => e.actor_name.clone(),
        (_, false) => format!("{} ({basis})", e.actor_name),
    }
}

#[component]
pub fn AccessLogPage() -> impl IntoView {
    let api = use_api();
    let query = use_query_map();
    let offset = move || {
        query.with(|q| {
            q.get("offset")
                .and_then(|o| o.parse::<u64>().ok())
                .unwrap_or(0)
        })
    };
    let list = LocalResource::new(move || {
        let offset = offset();
        async move {
            api.call::<Page<AccessLogEntry>>(request(offset, PAGE_SIZE))
                .await
        }
    });
    let navigate = use_navigate();
    let go = Callback::new(move |offset: u64| {
        let path = if offset == 0 {
            routes::ACCESS_LOG.to_owned()
        } else {
            format!("{}?offset={offset}", routes::ACCESS_LOG)
        };
        navigate(&path, Default::default());
    });
    view! {
        <PageHeader
            title="Кто видел мои данные"
            lead="Каждый раз, когда кто-то, кроме вас, открывает ваш маршрут, его карту, файлы, результаты диагностики или профиль, платформа это записывает. Новые записи — сверху."
        />
        <Transition fallback=|| view! { <Loading label="Загружаем журнал…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    list.get()
                        .map(|result| {
                            result
                                .map(|page| {
                                    if page.items.is_empty() {
                                        return view! {
                                            <p class="empty">"Пока никто, кроме вас, не открывал ваши данные."</p>
                                        }
                                            .into_any();
                                    }
                                    let pager = view! {
                                        <Pager
                                            offset=page.offset
                                            shown=page.items.len()
                                            total=page.total
                                            page_size=PAGE_SIZE
                                            words=("записи", "записей", "записей")
                                            go=go
                                        />
                                    };
                                    view! {
                                        <div class="table-wrap">
                                            <table class="table table-stack" data-testid="access-log">
                                                <thead>
                                                    <tr>
                                                        <th scope="col">"Когда"</th>
                                                        <th scope="col">"Кто"</th>
                                                        <th scope="col">"Что открыто"</th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {page.items.into_iter().map(|e| view! { <Row entry=e /> }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                        {pager}
                                    }
                                        .into_any()
                                })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Row(entry: AccessLogEntry) -> impl IntoView {
    view! {
        <tr>
            <td data-label="Когда">{format::date_time(entry.at)}</td>
            <td data-label="Кто">{who(&entry)}</td>
            <td data-label="Что открыто">{action_label(&entry.action)}</td>
        </tr>
    }
}

/// The cabinet's card: the latest accesses and a link to the whole log.
#[component]
pub fn AccessLogCard() -> impl IntoView {
    let api = use_api();
    let list = LocalResource::new(move || async move {
        api.call::<Page<AccessLogEntry>>(request(0, LATEST)).await
    });
    view! {
        <section class="card" aria-labelledby="access-log-title" data-testid="access-log-card">
            <h2 class="card-title" id="access-log-title">"Кто видел мои данные"</h2>
            {move || match list.get() {
                None => view! { <p class="small muted">"Загружаем…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorAlert error=e /> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! {
                    <p class="small muted">"Пока никто, кроме вас, не открывал ваши данные."</p>
                }
                .into_any(),
                Some(Ok(page)) => view! {
                    <ul class="plain">
                        {page
                            .items
                            .into_iter()
                            .map(|e| {
                                view! {
                                    <li class="small">
                                        {format!(
                                            "{} · {} · {}",
                                            format::date_time(e.at),
                                            who(&e),
                                            action_label(&e.action),
                                        )}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any(),
            }}
            <p>
                <a class="link-arrow" href=routes::ACCESS_LOG>
                    "Весь журнал"
                </a>
            </p>
        </section>
    }
}
