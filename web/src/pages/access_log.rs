//! «Кто видел мои данные»: every access to the person's route, card, files, diagnostic results
//! and profile by someone else, from the audit of reads.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::dto::people::AccessLogEntry;
use shared::dto::{Page, PersonalExportDto, PersonalExportStatus};
use shared::privacy::{action_label, basis_phrase};
use uuid::Uuid;

use crate::api::{Api, ApiError, ApiRequest, endpoints, transfer, use_api};
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

/// Asks for the export's progress until it is finished (or the page is left).
fn poll(api: Api, id: Uuid, export: RwSignal<Option<PersonalExportDto>>) {
    set_timeout(
        move || {
            spawn_local(async move {
                let Ok(e) = api
                    .get::<PersonalExportDto>(&endpoints::my_export(id, false))
                    .await
                else {
                    return;
                };
                let finished = e.status.finished();
                if export.try_set(Some(e)).is_none() && !finished {
                    poll(api, id, export);
                }
            });
        },
        std::time::Duration::from_millis(1500),
    );
}

/// «Мои данные»: the person downloads everything the platform holds about them.
#[component]
pub fn MyDataExport() -> impl IntoView {
    let api = use_api();
    let export = RwSignal::new(None::<PersonalExportDto>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let follow = move |e: PersonalExportDto| {
        let (id, finished) = (e.id, e.status.finished());
        export.set(Some(e));
        if !finished {
            poll(api, id, export);
        }
    };
    // The latest export, followed while it is being prepared (404 when there is none).
    spawn_local(async move {
        if let Ok(e) = api.get::<PersonalExportDto>(endpoints::MY_EXPORT).await {
            follow(e);
        }
    });
    let start = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api
                .post_empty::<PersonalExportDto>(endpoints::MY_EXPORT, &[])
                .await
            {
                Ok(e) => follow(e),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let save = move |_| {
        let Some(e) = export.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let name = format!("Мои_данные_ИОМ_{}.zip", e.created_at.format("%Y-%m-%d"));
            if let Err(err) =
                transfer::download(api, &endpoints::my_export(e.id, true), &name).await
            {
                error.set(Some(err));
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="my-data-title" data-testid="my-data">
            <h2 class="card-title" id="my-data-title">"Мои данные"</h2>
            <p>
                "Копия всего, что платформа хранит о вас (152-ФЗ, ст. 14): профиль, роли и закрепления, маршруты со всеми разделами, историей и комментариями, результаты диагностик и дефициты, записи на мероприятия, свидетельства, уведомления, согласия и журнал доступа — архив ZIP с файлами JSON и сводкой в PDF. Архив хранится 7 дней."
            </p>
            {move || export.get().map(|e| {
                let ready = e.status == PersonalExportStatus::Done;
                let text = match e.status {
                    PersonalExportStatus::Done => format!(
                        "Готово {}: {}. Доступно до {}.",
                        e.finished_at.map(format::date_time).unwrap_or_default(),
                        e.size_bytes.map(|b| format!("{} КБ", b.div_ceil(1024))).unwrap_or_default(),
                        format::date_time(e.expires_at),
                    ),
                    PersonalExportStatus::Failed => "Выгрузку не удалось подготовить. Запустите её снова.".to_owned(),
                    s => s.title_ru().to_owned(),
                };
                view! {
                    <div role="status" data-testid="my-data-status">
                        {(!e.status.finished()).then(|| view! {
                            <progress max="100" value=u32::from(e.progress) aria-label="Подготовка выгрузки"></progress>
                            <span class="small">{format!(" {} %", e.progress)}</span>
                        })}
                        <p class="small">{text}</p>
                        {ready.then(|| view! {
                            <p>
                                <button type="button" class="btn btn-secondary" data-testid="my-data-download"
                                    on:click=save>"Скачать архив"</button>
                            </p>
                        })}
                    </div>
                }
            })}
            {move || error.get().map(|e| view! { <ErrorAlert error=e /> })}
            <p>
                <button type="button" class="btn btn-primary" data-testid="my-data-start"
                    disabled=move || busy.get() || export.get().is_some_and(|e| !e.status.finished())
                    on:click=start>"Выгрузить все мои данные"</button>
            </p>
        </section>
    }
}
