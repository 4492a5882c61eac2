//! rhizom: live spaces for the web.
//!
//! Three zones, each gated once: [`server`] (the `ssr` build), [`client`] (the `hydrate`
//! build), and the shared rest — the data model, the server functions and the UI.

// Leptos views are deeply nested types; the optimised wasm build computes their layout past the
// default limit of 128.
#![recursion_limit = "256"]

mod api;
mod app;
pub mod model;
pub mod sync;
mod ui;

#[cfg(feature = "hydrate")]
mod client;
#[cfg(feature = "ssr")]
pub mod server;

/// The WASM entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    client::offline::register_service_worker();
    // Tests (and curious people) can tell a hydrated page from a server-rendered one.
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
