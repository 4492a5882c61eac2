//! The offline tier in the browser: the service worker (`/sw.js`) that keeps the page's files
//! and the last copy of each page, and forgetting everything kept (those, each space's
//! last-known state, the outbox) when the device signs out.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The caches the service worker fills (`server/offline/service_worker.js`), and the spaces'
/// kept states.
const CACHES: [&str; 3] = [
    "rhizom-files-v1",
    "rhizom-pages-v1",
    super::kept_state::STATES,
];

/// Registers the service worker, where the browser has them.
pub fn register_service_worker() {
    let navigator = window().navigator();
    if js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        let _ = navigator.service_worker().register("/sw.js");
    }
}

/// Forgets the pages and messages kept for this device (it signed out): they were someone's.
pub async fn forget_everything() {
    super::outbox::clear();
    if let Ok(caches) = window().caches() {
        for name in CACHES {
            let _ = JsFuture::from(caches.delete(name)).await;
        }
    }
}
