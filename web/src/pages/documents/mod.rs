//! Documents in the SPA: the route card downloads on a route's page, the teacher's certificates
//! in the cabinet, export buttons on route lists, and the public verification page.

pub mod verify;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::dto::documents::CertificateDto;
use uuid::Uuid;

use crate::api::{ApiError, transfer, use_api};
use crate::components::{Alert, AlertKind, Badge, BadgeKind, ErrorAlert};
use crate::format;

pub use verify::VerifyPage;

/// API paths of this area.
mod paths {
    use uuid::Uuid;

    pub fn card(route: Uuid, ext: &str) -> String {
        format!("/api/v1/routes/{route}/card.{ext}")
    }

    pub const MY_CERTIFICATES: &str = "/api/v1/me/certificates";

    pub fn route_certificates(route: Uuid) -> String {
        format!("/api/v1/routes/{route}/certificates")
    }

    pub fn verify(code: &str) -> String {
        format!("/api/v1/verify/{}", js_sys::encode_uri_component(code))
    }

    pub fn export(list: &str, ext: &str, query: &str) -> String {
        format!("/api/v1/exports/{list}.{ext}{query}")
    }
}

/// A download button: fetches with the session's token and saves the file; busy meanwhile.
#[component]
pub fn DownloadButton(
    #[prop(into)] label: String,
    #[prop(into)] busy_label: String,
    path: Signal<String>,
    #[prop(into)] file_name: String,
    error: RwSignal<Option<ApiError>>,
    #[prop(optional, into)] test_id: String,
) -> impl IntoView {
    let api = use_api();
    let busy = RwSignal::new(false);
    let click = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (path, name) = (path.get_untracked(), file_name.clone());
        spawn_local(async move {
            let result = transfer::download(api, &path, &name).await;
            busy.try_set(false);
            if let Err(e) = result {
                error.try_set(Some(e));
            }
        });
    };
    view! {
        <button
            type="button"
            class="btn btn-secondary btn-small"
            data-testid=test_id
            aria-busy=move || busy.get().to_string()
            disabled=move || busy.get()
            on:click=click
        >
            {move || if busy.get() { busy_label.clone() } else { label.clone() }}
        </button>
    }
}

/// «Скачать карту (DOCX / PDF)» on a route's page, and the route's certificate once issued.
#[component]
pub fn CardDownloads(
    id: Uuid,
    #[prop(into)] teacher: Signal<String>,
    completed: Signal<bool>,
) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let stem = move || {
        format!(
            "Карта_ИОМ_{}",
            format::short_full_name(&teacher.get()).replace(' ', "_")
        )
    };
    let api = use_api();
    let certificates = LocalResource::new(move || async move {
        if completed.get() {
            api.get::<Vec<CertificateDto>>(&paths::route_certificates(id))
                .await
                .unwrap_or_default()
        } else {
            Vec::new()
        }
    });
    view! {
        <div class="document-downloads" aria-label="Документы маршрута" role="group">
            <span class="small muted">"Карта маршрута: "</span>
            <DownloadButton
                label="Скачать карту (DOCX)"
                busy_label="Готовим DOCX…"
                path=Signal::derive(move || paths::card(id, "docx"))
                file_name=format!("{}.docx", stem())
                error=error
                test_id="card-docx"
            />
            <DownloadButton
                label="Скачать карту (PDF)"
                busy_label="Готовим PDF…"
                path=Signal::derive(move || paths::card(id, "pdf"))
                file_name=format!("{}.pdf", stem())
                error=error
                test_id="card-pdf"
            />
            {move || {
                certificates
                    .get()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|c| c.revoked_at.is_none())
                    .map(|c| {
                        view! {
                            <DownloadButton
                                label=format!("Свидетельство № {} (PDF)", c.number)
                                busy_label="Готовим свидетельство…"
                                path=Signal::derive(move || c.pdf_url.clone())
                                file_name=format!("Свидетельство_{}.pdf", c.number)
                                error=error
                            />
                        }
                    })
                    .collect_view()
            }}
            {move || error.get().map(|e| view! { <ErrorAlert error=e /> })}
        </div>
    }
}

/// The teacher's certificates, in the cabinet.
#[component]
pub fn MyCertificates() -> impl IntoView {
    let api = use_api();
    let list = LocalResource::new(move || async move {
        api.get::<Vec<CertificateDto>>(paths::MY_CERTIFICATES).await
    });
    let error = RwSignal::new(None::<ApiError>);
    view! {
        <section class="card" aria-labelledby="my-certificates" data-testid="my-certificates">
            <h2 class="card-title" id="my-certificates">"Мои свидетельства"</h2>
            {move || match list.get() {
                None => view! { <p class="small muted">"Загружаем…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorAlert error=e /> }.into_any(),
                Some(Ok(items)) if items.is_empty() => view! {
                    <p class="small muted">
                        "Свидетельство выдаётся, когда маршрут завершён: после экспертизы продукта и заключения."
                    </p>
                }
                .into_any(),
                Some(Ok(items)) => view! {
                    <ul class="plain certificate-list">
                        {items
                            .into_iter()
                            .map(|c| {
                                let revoked = c.revoked_at.is_some();
                                let verify = crate::routes::verify_page(&c.code);
                                view! {
                                    <li class="certificate-item">
                                        <p>
                                            <strong>{format!("№ {}", c.number)}</strong>
                                            " "
                                            {if revoked {
                                                view! { <Badge kind=BadgeKind::Danger>"аннулировано"</Badge> }.into_any()
                                            } else {
                                                view! { <Badge kind=BadgeKind::Success>"действительно"</Badge> }.into_any()
                                            }}
                                        </p>
                                        <p>{format!("«{}»", c.route_title)}</p>
                                        <p class="small muted">
                                            {format!(
                                                "{} · выдано {}",
                                                format::period(c.period_start, c.period_end),
                                                format::date(c.issued_at.date_naive()),
                                            )}
                                            {c.hours.map(|h| format!(" · {h} ч повышения квалификации"))}
                                        </p>
                                        {c.revoke_reason.clone().map(|r| view! { <p class="small">"Причина аннулирования: " {r}</p> })}
                                        <div class="button-row">
                                            <DownloadButton
                                                label="Скачать PDF"
                                                busy_label="Готовим PDF…"
                                                path=Signal::derive(move || c.pdf_url.clone())
                                                file_name=format!("Свидетельство_{}.pdf", c.number)
                                                error=error
                                            />
                                            <DownloadButton
                                                label="Скачать цифровой бейдж (Open Badges)"
                                                busy_label="Готовим бейдж…"
                                                path=Signal::derive(move || c.badge_url.clone())
                                                file_name=format!("Бейдж_{}.jwt", c.number)
                                                error=error
                                                test_id="certificate-badge"
                                            />
                                            <a class="link-arrow" href=verify>"Страница проверки"</a>
                                        </div>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any(),
            }}
            {move || error.get().map(|e| view! { <ErrorAlert error=e /> })}
        </section>
    }
}

fn size(bytes: u64) -> String {
    crate::route_text::file_size(i64::try_from(bytes).unwrap_or(i64::MAX))
}

/// What an export download shows while it runs: «Выгружено N из M строк» and the share.
fn export_status(p: &transfer::Progress) -> String {
    let done = p
        .fraction()
        .map(|f| format!(" ({} %)", (f * 100.0).round() as u32));
    let so_far = match (p.by_rows, p.total_rows, p.total_bytes) {
        (true, Some(total), _) => format!("строк {} из {total}", p.rows().min(total)),
        (false, _, Some(total)) => format!("{} из {}", size(p.bytes), size(total)),
        _ => size(p.bytes),
    };
    format!("Выгружено: {so_far}{}", done.unwrap_or_default())
}

/// An export download: streams the file with a progress bar (rows of a CSV against the count
/// the server announces, bytes of a workbook against its length), then saves it.
#[component]
fn ExportButton(
    list: &'static str,
    ext: &'static str,
    #[prop(into)] label: String,
    #[prop(into)] file_name: String,
    query: Signal<String>,
    error: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let api = use_api();
    let progress = RwSignal::new(None::<transfer::Progress>);
    // The last finished download, reported until the next one starts.
    let finished = RwSignal::new(None::<transfer::Progress>);
    let busy = move || progress.with(Option::is_some);
    let click = move |_| {
        if progress.get_untracked().is_some() {
            return;
        }
        progress.set(Some(transfer::Progress::default()));
        finished.set(None);
        error.set(None);
        let (path, name) = (
            paths::export(list, ext, &query.get_untracked()),
            file_name.clone(),
        );
        spawn_local(async move {
            let result =
                transfer::download_with_progress(api, &path, &name, ext == "csv", move |p| {
                    progress.try_set(Some(p));
                })
                .await;
            let last = progress.try_get_untracked().flatten();
            progress.try_set(None);
            match result {
                Ok(()) => {
                    finished.try_set(last);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <span class="export-button">
            <button
                type="button"
                class="btn btn-secondary btn-small"
                data-testid=format!("export-{list}-{ext}")
                aria-busy=move || busy().to_string()
                disabled=busy
                on:click=click
            >
                {label}
            </button>
            {move || {
                progress
                    .get()
                    .map(|p| {
                        let pct = p.fraction().map(|f| (f * 100.0).round() as u32);
                        view! {
                            <span class="upload-progress export-progress" role="status" data-testid="export-progress">
                                {match pct {
                                    Some(pct) => view! { <progress max="100" value=pct aria-label="Выгрузка файла"></progress> }.into_any(),
                                    None => view! { <progress aria-label="Выгрузка файла"></progress> }.into_any(),
                                }}
                                <span class="small">{export_status(&p)}</span>
                            </span>
                        }
                    })
            }}
            {move || {
                finished
                    .get()
                    .map(|p| {
                        view! {
                            <span class="small muted" role="status" data-testid="export-done">
                                {format!("Файл сохранён. {}", export_status(&p))}
                            </span>
                        }
                    })
            }}
        </span>
    }
}

/// A row of export buttons with their shared error.
#[component]
fn ExportRow(
    #[prop(into)] label: String,
    buttons: Vec<(&'static str, &'static str, &'static str, &'static str)>,
    query: Signal<String>,
) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    view! {
        <div class="export-buttons" role="group" aria-label=label>
            <span class="small muted">"Выгрузить: "</span>
            {buttons
                .into_iter()
                .map(|(list, ext, label, stem)| {
                    view! {
                        <ExportButton
                            list=list
                            ext=ext
                            label=label
                            file_name=format!("{stem}.{ext}")
                            query=query
                            error=error
                        />
                    }
                })
                .collect_view()}
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <Alert kind=AlertKind::Error>{e.message()}</Alert>
                        }
                    })
            }}
        </div>
    }
}

/// Export buttons for a route list: routes and deficits, CSV and Excel, with the list's
/// filters (`query` is the `?status=…` part, or empty).
#[component]
pub fn ExportButtons(#[prop(into)] query: Signal<String>) -> impl IntoView {
    view! {
        <ExportRow
            label="Выгрузка списка"
            query=query
            buttons=vec![
                ("routes", "xlsx", "Маршруты (Excel)", "Маршруты"),
                ("routes", "csv", "Маршруты (CSV)", "Маршруты"),
                ("deficits", "xlsx", "Дефициты (Excel)", "Дефициты"),
                ("deficits", "csv", "Дефициты (CSV)", "Дефициты"),
            ]
        />
    }
}

/// Export buttons for events with attendance (the calendar's filters in `query`, or one
/// event's sheet with `?event_id=…`).
#[component]
pub fn EventExportButtons(#[prop(into)] query: Signal<String>) -> impl IntoView {
    view! {
        <ExportRow
            label="Выгрузка участия в мероприятиях"
            query=query
            buttons=vec![
                ("events", "xlsx", "Мероприятия и участие (Excel)", "Мероприятия_и_участие"),
                ("events", "csv", "Мероприятия и участие (CSV)", "Мероприятия_и_участие"),
            ]
        />
    }
}
