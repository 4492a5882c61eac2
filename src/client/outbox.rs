//! The durable outbox: a message written on a page is kept in the browser (`localStorage`) until
//! the server has it, so that it survives a reload or a browser restart while the server cannot
//! be reached, and is sent again, by its id, when the page comes back (the server keeps a
//! message posted twice once).

use uuid::Uuid;

use crate::model::Intention;

const KEY: &str = "rhizom.outbox";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn all() -> Vec<Intention> {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn save(messages: &[Intention]) {
    let Some(storage) = storage() else {
        return;
    };
    let _ = if messages.is_empty() {
        storage.remove_item(KEY)
    } else {
        let json = serde_json::to_string(messages).expect("messages serialize");
        storage.set_item(KEY, &json)
    };
}

/// Keeps `message` until the server has it.
pub fn keep(message: &Intention) {
    let mut messages = all();
    if !messages.iter().any(|m| m.id == message.id) {
        messages.push(message.clone());
        save(&messages);
    }
}

/// The server has it (or it was discarded): it is not kept any more.
pub fn forget(id: Uuid) {
    let mut messages = all();
    let before = messages.len();
    messages.retain(|m| m.id != id);
    if messages.len() != before {
        save(&messages);
    }
}

/// What `author` wrote in `space_id` that the server does not have yet, oldest first.
pub fn waiting(space_id: Uuid, author: Uuid) -> Vec<Intention> {
    all()
        .into_iter()
        .filter(|m| m.location_id == space_id && m.owner_id == author)
        .collect()
}

/// Signing out forgets what was kept.
pub fn clear() {
    save(&[]);
}
