//! The top of a page: its title in the tab and its `<h1>`.

use leptos::prelude::*;

/// Sets the browser tab's title: «{title} — ИОМ».
pub fn set_title(title: &str) {
    document().set_title(&format!("{title} — ИОМ"));
}

/// A page's `<h1>` with an optional lead paragraph; also titles the tab.
#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(optional, into)] lead: Option<String>,
) -> impl IntoView {
    set_title(&title);
    view! {
        <div class="page-header">
            <h1>{title}</h1>
            {lead.map(|l| view! { <p class="lead">{l}</p> })}
        </div>
    }
}
