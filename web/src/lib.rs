//! The browser application of ИОМ: a Leptos single-page app, rendered on the client and built
//! with Trunk. It speaks Russian to people and the shared DTOs to the API.
//!
//! - [`app`]: the router and the route guard;
//! - [`routes`]: every client path and the role-aware navigation, as data;
//! - [`session`]: who is signed in (access token in memory, refresh token in a cookie);
//! - [`api`]: the typed API client;
//! - [`pages`]: one module per page; [`components`]: the pieces pages are made of;
//! - [`format`]: how dates, numbers and names are written in Russian.

pub mod api;
pub mod app;
pub mod components;
pub mod format;
pub mod pages;
pub mod route_text;
pub mod routes;
pub mod session;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Mounts the app into `#app` (replacing the «Загрузка…» placeholder of `index.html`), or into
/// `<body>` when the page has no such element.
pub fn mount() {
    let root = document()
        .get_element_by_id("app")
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    match root {
        Some(root) => {
            root.set_inner_html("");
            leptos::mount::mount_to(root, app::App).forget();
        }
        None => leptos::mount::mount_to_body(app::App),
    }
}
