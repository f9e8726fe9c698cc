//! The Partnerly partner portal: a Leptos single-page app compiled to wasm32 and built by
//! Trunk. This file only mounts it; the routes live in `app.rs`.

mod api;
mod app;
mod components;
mod format;
mod pages;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
