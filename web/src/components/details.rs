//! Label–value lists (a `<dl>`), as on the route card.

use leptos::prelude::*;

use crate::format::NOT_SPECIFIED;

/// A list of [`DetailRow`]s.
#[component]
pub fn Details(children: Children) -> impl IntoView {
    view! { <dl class="details">{children()}</dl> }
}

/// One label and its value; an empty value reads «не указано».
#[component]
pub fn DetailRow(
    #[prop(into)] label: String,
    #[prop(into)] value: Option<String>,
) -> impl IntoView {
    let value = value.filter(|v| !v.trim().is_empty());
    let empty = value.is_none();
    view! {
        <div class="details-row">
            <dt>{label}</dt>
            <dd class:muted=empty>{value.unwrap_or_else(|| NOT_SPECIFIED.to_owned())}</dd>
        </div>
    }
}
