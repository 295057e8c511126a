//! The one way the SPA renders a link taken from data (an event's page, a product's
//! publication, a link in a mail): only an `http`/`https` address (the rule of
//! `shared::links`) becomes an `href`; anything else — `javascript:`, `data:` — is shown as
//! plain text. A link to another site opens in a new tab that cannot reach this one.

use leptos::prelude::*;

/// Whether `href` points to this site (then it opens in place).
fn same_origin(href: &str) -> bool {
    let here = window().location().origin().unwrap_or_default();
    shared::links::parse(href).is_ok_and(|u| u.origin().ascii_serialization() == here)
}

#[component]
pub fn WebLink(
    /// The address, as stored.
    #[prop(into)]
    href: String,
    /// The text shown; the address itself by default.
    #[prop(optional, into)]
    text: Option<String>,
    /// A `data-testid` for tests.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    let label = text.unwrap_or_else(|| href.clone());
    if !shared::links::is_web_link(&href) {
        return view! { <span data-testid=testid>{label}</span> }.into_any();
    }
    if same_origin(&href) {
        view! { <a href=href data-testid=testid>{label}</a> }.into_any()
    } else {
        view! {
            <a href=href rel="noopener noreferrer" target="_blank" data-testid=testid>
                {label}
            </a>
        }
        .into_any()
    }
}
