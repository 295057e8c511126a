//! Messages to people: alerts, loading states, errors.

use leptos::prelude::*;

use crate::api::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    Info,
    Success,
    Warning,
    Error,
}

/// A message box. Errors are announced at once (`role="alert"`); the rest politely.
#[component]
pub fn Alert(
    kind: AlertKind,
    #[prop(optional, into)] title: Option<String>,
    children: Children,
) -> impl IntoView {
    let (class, role) = match kind {
        AlertKind::Info => ("alert alert-info", "status"),
        AlertKind::Success => ("alert alert-success", "status"),
        AlertKind::Warning => ("alert alert-warning", "status"),
        AlertKind::Error => ("alert alert-error", "alert"),
    };
    view! {
        <div class=class role=role>
            {title.map(|t| view! { <p class="alert-title">{t}</p> })}
            <div class="alert-body">{children()}</div>
        </div>
    }
}

/// An API error; for a server fault, with the request id to quote to support.
#[component]
pub fn ErrorAlert(error: ApiError) -> impl IntoView {
    let request_id = error
        .request_id()
        .filter(|_| error.status().is_some_and(|s| s >= 500))
        .map(str::to_owned);
    view! {
        <Alert kind=AlertKind::Error>
            <p>{error.message()}</p>
            {request_id
                .map(|id| {
                    view! {
                        <p class="small muted">"Номер запроса: " <code>{id}</code></p>
                    }
                })}
        </Alert>
    }
}

/// A loading indicator with its text for screen readers and for eyes.
#[component]
pub fn Loading(
    #[prop(optional, into)] label: Option<String>,
    /// Fill the viewport (while the session is being restored).
    #[prop(optional)]
    full_page: bool,
) -> impl IntoView {
    let label = label.unwrap_or_else(|| "Загрузка…".to_owned());
    view! {
        <div class="loading" class:loading-page=full_page role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>{label}</span>
        </div>
    }
}

/// The fallback of an `ErrorBoundary`: every error it caught, in Russian.
pub fn error_fallback(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <Alert kind=AlertKind::Error title="Не удалось загрузить данные">
            <ul class="plain">
                {move || {
                    errors
                        .get()
                        .into_iter()
                        .map(|(_, e)| view! { <li>{e.to_string()}</li> })
                        .collect_view()
                }}
            </ul>
        </Alert>
    }
}
