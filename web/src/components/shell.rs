//! The frame of every signed-in page: skip link, header with the person and «Выйти», the
//! role-aware navigation, the main area and the footer.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use shared::Role;
use wasm_bindgen::JsCast;

use crate::format;
use crate::routes::{self, navigation_for};
use crate::session::use_session;

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    // After moving to another page, put the focus at the start of its content, so keyboard and
    // screen-reader users land on the new page rather than on the menu link they left.
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            focus_main();
        }
        path
    });
    crate::pages::notifications::NoticesChanged::provide();
    view! {
        <SkipLink />
        <Header />
        <MainNav />
        <main id="main" class="main" tabindex="-1">
            <div class="container">{children()}</div>
        </main>
        <Footer />
    }
}

/// «Перейти к содержанию»: the first stop of the keyboard, moving focus into `<main>`.
#[component]
pub fn SkipLink() -> impl IntoView {
    let skip = |ev: leptos::ev::MouseEvent| {
        // Handled here (not by the router, which would treat `#main` as a navigation).
        ev.prevent_default();
        focus_main();
    };
    view! {
        <a class="skip-link" href="#main" on:click=skip>
            "Перейти к содержанию"
        </a>
    }
}

/// Moves the focus to `<main>` (it has `tabindex="-1"`).
pub fn focus_main() {
    focus_element("main");
}

/// Moves the focus to the element with this id, if there is one.
pub fn focus_element(id: &str) {
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// The product's name and how to get home.
#[component]
pub fn Brand() -> impl IntoView {
    view! {
        <a class="brand" href=routes::CABINET>
            <span class="brand-mark">"ИОМ"</span>
            <span class="brand-text">"Индивидуальные образовательные маршруты педагогов"</span>
        </a>
    }
}

#[component]
fn Header() -> impl IntoView {
    let session = use_session();
    let me = session.me();
    let short_name = move || me.with(|m| m.as_ref().map(|m| format::short_name(&m.person)));
    let full_name = move || me.with(|m| m.as_ref().map(|m| m.person.full_name()));
    let roles = move || {
        me.with(|m| {
            let mut roles: Vec<Role> = m
                .iter()
                .flat_map(|m| m.roles.iter().map(|g| g.role))
                .collect();
            roles.sort();
            roles.dedup();
            roles
                .iter()
                .map(|r| r.title_ru())
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    let sign_out = Action::new_local(move |_: &()| session.sign_out());
    view! {
        <header class="site-header">
            <div class="container header-bar">
                <Brand />
                <div class="user-box">
                    <crate::pages::notifications::Bell />
                    <div class="user-who">
                        <span class="user-name" data-testid="user-name" title=full_name>
                            {short_name}
                        </span>
                        <span class="user-roles">{roles}</span>
                    </div>
                    <button
                        type="button"
                        class="btn btn-header"
                        data-testid="logout"
                        disabled=move || sign_out.pending().get()
                        on:click=move |_| {
                            sign_out.dispatch(());
                        }
                    >
                        "Выйти"
                    </button>
                </div>
            </div>
        </header>
    }
}

/// The navigation, filtered by the person's roles (see [`routes::NAVIGATION`]).
#[component]
fn MainNav() -> impl IntoView {
    let me = use_session().me();
    let items = move || {
        me.with(|m| {
            let roles: Vec<Role> = m
                .iter()
                .flat_map(|m| m.roles.iter().map(|g| g.role))
                .collect();
            navigation_for(&roles)
                .map(|item| {
                    view! {
                        <li>
                            <A href=item.path exact=item.exact>
                                {item.title}
                            </A>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <nav class="main-nav" aria-label="Основное меню">
            <div class="container">
                <ul>{items}</ul>
            </div>
        </nav>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="container footer-bar">
                <p>"ИОМ — открытая платформа индивидуальных образовательных маршрутов педагогов"</p>
                <p>
                    <a href=routes::API_DOCS rel="external">
                        "API для разработчиков"
                    </a>
                </p>
            </div>
        </footer>
    }
}

/// The frame of the pages seen before signing in: the brand only, no person and no menu.
#[component]
pub fn PublicShell(children: Children) -> impl IntoView {
    view! {
        <SkipLink />
        <header class="site-header">
            <div class="container header-bar">
                <Brand />
            </div>
        </header>
        <main id="main" class="main" tabindex="-1">
            <div class="container">{children()}</div>
        </main>
        <Footer />
    }
}
