//! Entry point of the browser application: mounts [`web::app::App`].

fn main() {
    console_error_panic_hook::set_once();
    web::mount();
}
