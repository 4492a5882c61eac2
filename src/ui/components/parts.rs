//! The parts of the space page only a signed-in reader uses — the composer, "Add a bot",
//! renaming yourself, editing a message — each split out of the main wasm into a part of its
//! own (`#[lazy]`, `cargo leptos --split`), so a stranger's first visit never loads them
//! (docs/PERFORMANCE.md, "First visit").
//!
//! Each is shown inside a `<Suspense>` and its code is loaded the first time it is shown. The
//! server draws a part like any other view, marked `data-part`; before the page hydrates,
//! [`load_shown`] loads the code of every part the page shows, all at once: hydration must find
//! a part's code already there, or it would look for the empty placeholder where the server
//! wrote the part.

use leptos::prelude::*;
use uuid::Uuid;

use super::bots::AddBot;
use super::chat::composer::Composer;
use super::chat::message::EditBox;
use super::presence::RenameControl;
use crate::ui::space::Writer;

#[lazy]
pub fn composer_part(writer: Writer, on_sent: Callback<()>) -> AnyView {
    view! { <Composer writer on_sent=move || on_sent.run(()) /> }.into_any()
}

#[lazy]
pub fn add_bot_part(space_id: Uuid) -> AnyView {
    view! { <AddBot space_id /> }.into_any()
}

#[lazy]
pub fn rename_part(name: Memo<String>) -> AnyView {
    view! { <RenameControl name /> }.into_any()
}

/// Never drawn by the server: a message is edited only in the browser.
#[lazy]
pub fn edit_box_part(id: Uuid, text: String, editing: RwSignal<bool>, writer: Writer) -> AnyView {
    view! { <EditBox id text editing writer /> }.into_any()
}

/// Loads the code of each part the server-rendered page shows, before it is hydrated.
#[cfg(feature = "hydrate")]
pub async fn load_shown() {
    use wasm_bindgen::JsValue;
    use wasm_bindgen_futures::{JsFuture, future_to_promise};

    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let shown = |part: &str| {
        document
            .query_selector(&format!("[data-part=\"{part}\"]"))
            .ok()
            .flatten()
            .is_some()
    };
    let loads = js_sys::Array::new();
    let load = |part: &str, preload: std::pin::Pin<Box<dyn Future<Output = ()>>>| {
        if shown(part) {
            loads.push(&future_to_promise(async move {
                preload.await;
                Ok(JsValue::UNDEFINED)
            }));
        }
    };
    load("composer", Box::pin(__preload_composer_part()));
    load("add-bot", Box::pin(__preload_add_bot_part()));
    load("rename", Box::pin(__preload_rename_part()));
    let _ = JsFuture::from(js_sys::Promise::all(&loads)).await;
}
