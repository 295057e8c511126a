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
fn DownloadButton(
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

/// Export buttons for a route list: routes and deficits, CSV and Excel, with the list's
/// filters (`query` is the `?status=…` part, or empty).
#[component]
pub fn ExportButtons(#[prop(into)] query: Signal<String>) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let button = move |list: &'static str, ext: &'static str, label: &'static str| {
        let stem = if list == "routes" {
            "Маршруты"
        } else {
            "Дефициты"
        };
        view! {
            <DownloadButton
                label=label
                busy_label="Готовим файл… (большие выгрузки — до минуты)"
                path=Signal::derive(move || paths::export(list, ext, &query.get()))
                file_name=format!("{stem}.{ext}")
                error=error
                test_id=format!("export-{list}-{ext}")
            />
        }
    };
    view! {
        <div class="export-buttons" role="group" aria-label="Выгрузка списка">
            <span class="small muted">"Выгрузить: "</span>
            {button("routes", "xlsx", "Маршруты (Excel)")}
            {button("routes", "csv", "Маршруты (CSV)")}
            {button("deficits", "xlsx", "Дефициты (Excel)")}
            {button("deficits", "csv", "Дефициты (CSV)")}
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
