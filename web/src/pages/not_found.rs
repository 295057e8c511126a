//! The page for a client path that names no page.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::components::{Loading, PageHeader, PublicShell, Shell};
use crate::routes;
use crate::session::{AuthState, use_session};

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let session = use_session();
    let state = Memo::new(move |_| session.state());
    move || match state.get() {
        AuthState::Restoring => view! { <Loading full_page=true /> }.into_any(),
        AuthState::SignedIn => view! {
            <Shell>
                <NotFound home=routes::CABINET home_label="Перейти в личный кабинет" />
            </Shell>
        }
        .into_any(),
        AuthState::SignedOut(_) => view! {
            <PublicShell>
                <NotFound home=routes::LOGIN home_label="Перейти ко входу" />
            </PublicShell>
        }
        .into_any(),
    }
}

#[component]
fn NotFound(home: &'static str, home_label: &'static str) -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    view! {
        <PageHeader title="Страница не найдена" />
        <p>"По адресу " <code>{path}</code> " ничего нет. Возможно, в адресе опечатка или страница перемещена."</p>
        <p>
            <a class="btn btn-primary" href=home>
                {home_label}
            </a>
        </p>
    }
}
