//! Small status labels.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeKind {
    Neutral,
    Info,
    Success,
    Warning,
    Danger,
}

impl BadgeKind {
    fn class(self) -> &'static str {
        match self {
            BadgeKind::Neutral => "badge",
            BadgeKind::Info => "badge badge-info",
            BadgeKind::Success => "badge badge-success",
            BadgeKind::Warning => "badge badge-warning",
            BadgeKind::Danger => "badge badge-danger",
        }
    }
}

/// A status label («согласие дано»). The colour repeats what the text says, never replaces it.
#[component]
pub fn Badge(kind: BadgeKind, children: Children) -> impl IntoView {
    view! { <span class=kind.class()>{children()}</span> }
}
