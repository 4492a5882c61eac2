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

/// The WASM entry point: hydrates the server-rendered page. Most pages are lazy routes
/// (`ui::pages`), so hydration first waits for the page's own parts of the client to load;
/// so it does for the parts of the space page a signed-in reader is shown
/// (`ui::components::parts`).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    // Leptos's executor starts inside `hydrate_from_async`, so this first task is wasm-bindgen's.
    wasm_bindgen_futures::spawn_local(async move {
        ui::components::parts::load_shown().await;
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        client::offline::register_service_worker();
        // Tests (and curious people) can tell a hydrated page from a server-rendered one.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
