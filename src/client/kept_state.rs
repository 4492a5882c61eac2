//! The last-known state of each space visited (docs/ARCHITECTURE.md, "Offline"): kept in the
//! browser's Cache Storage while its page is live (at most once every two seconds, as a
//! snapshot at its position), and put back when a page loads behind it — a page the service
//! worker kept from an earlier visit, shown without the server. A snapshot is the exact state at
//! its position, so the stream goes on from there as from any other. Signing out forgets it with
//! the rest (`offline.rs`).

use std::time::Duration;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Cache, Response};

use crate::model::Timestamp;
use crate::sync::Snapshot;
use crate::ui::space::{SpaceDataStoreFields, SpaceStore, Status};

/// The cache the states are kept in.
pub(super) const STATES: &str = "rhizom-states-v1";
const KEEP_EVERY: Duration = Duration::from_secs(2);

#[derive(Serialize, Deserialize)]
struct KeptSpace {
    /// When it was kept (the page was live then).
    kept_at: Timestamp,
    snapshot: Snapshot,
}

fn key(space_id: Uuid) -> String {
    format!("/kept/{space_id}")
}

async fn states() -> Option<Cache> {
    let caches = window().caches().ok()?;
    JsFuture::from(caches.open(STATES))
        .await
        .ok()?
        .dyn_into()
        .ok()
}

async fn read(space_id: Uuid) -> Option<KeptSpace> {
    let found = JsFuture::from(states().await?.match_with_str(&key(space_id)))
        .await
        .ok()?;
    let response: Response = found.dyn_into().ok()?;
    let text = JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    serde_json::from_str(&text).ok()
}

async fn write(space_id: Uuid, kept: &KeptSpace) {
    let (Some(states), Ok(text)) = (states().await, serde_json::to_string(kept)) else {
        return;
    };
    if let Ok(response) = Response::new_with_opt_str(Some(&text)) {
        let _ = JsFuture::from(states.put_with_str(&key(space_id), &response)).await;
    }
}

/// Puts back what was kept of `space_id` when it is ahead of the page (which then shows as of
/// when it was kept), then keeps the page's state while it is live.
pub fn keep_state(
    space_id: Uuid,
    store: SpaceStore,
    status: RwSignal<Status>,
    as_of: RwSignal<Timestamp>,
) {
    leptos::task::spawn_local(async move {
        let Some(kept) = read(space_id).await else {
            return;
        };
        let ahead = store
            .data
            .try_with_untracked(|d| {
                !d.deleted && d.epoch == kept.snapshot.epoch && d.position < kept.snapshot.position
            })
            .unwrap_or(false);
        if ahead {
            store.reset(kept.snapshot);
            as_of.set(kept.kept_at);
        }
    });
    // The position last kept, and whether a keeping is on its way.
    let kept_position = StoredValue::new(None::<u64>);
    let due = StoredValue::new(false);
    Effect::new(move |_| {
        let position = store.data.position().get();
        let live = status.get() == Status::Live;
        if !live || kept_position.get_value() == Some(position) || due.get_value() {
            return;
        }
        due.set_value(true);
        set_timeout(
            move || {
                due.try_set_value(false);
                // The page may have gone meanwhile.
                let Some(snapshot) = store
                    .data
                    .try_with_untracked(|d| (!d.deleted).then(|| d.to_snapshot()))
                    .flatten()
                else {
                    return;
                };
                kept_position.try_set_value(Some(snapshot.position));
                let kept_at = Timestamp((js_sys::Date::now() * 1_000.0) as i64);
                leptos::task::spawn_local(async move {
                    write(space_id, &KeptSpace { kept_at, snapshot }).await;
                });
            },
            KEEP_EVERY,
        );
    });
}
