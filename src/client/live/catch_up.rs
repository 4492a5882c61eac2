//! A follower filling its own gap: `GET /api/spaces/{id}/changes` from where it is, then the
//! deltas that came meanwhile. The same request, every few seconds for every open space page,
//! is the polling a tab falls back to while the stream is blocked (a home page's rows wait for
//! the stream: hundreds of them would poll past the read limits).

use std::time::Duration;

use leptos::prelude::*;

use super::SharedTab;
use super::dispatch::status_of;
use crate::sync::tabs::StreamState;
use crate::sync::{Applied, Changes};

const POLL_EVERY: Duration = Duration::from_secs(3);
/// A catch-up that failed is tried again after this long.
const RETRY_AFTER: Duration = Duration::from_secs(2);

/// Starts the catch-up of the follower `key` (unless one is on its way).
pub(super) fn start(tab: &SharedTab, key: u64) {
    let follower = {
        let mut t = tab.borrow_mut();
        let Some(entry) = t.entries.iter_mut().find(|e| e.key == key) else {
            return;
        };
        if entry.catching_up || entry.follower.deleted() {
            return;
        }
        entry.catching_up = true;
        entry.follower.clone()
    };
    let cursor = follower.cursor();
    let url = format!("/api/spaces/{}/changes?after={cursor}", follower.space_id());
    let tab = tab.clone();
    leptos::task::spawn_local(async move {
        let answer = gloo_net::http::Request::get(&url).send().await;
        let status = answer.as_ref().map_or(0, |response| response.status());
        let gone = status == 404;
        // Refused for good (not busy, not failing): the next gap asks again.
        let refused = (400..500).contains(&status) && status != 404 && status != 429;
        let changes = match answer {
            Ok(response) if response.ok() => response.json::<Changes>().await.ok(),
            _ => None,
        };
        let (waiting, state, live) = {
            let mut t = tab.borrow_mut();
            let space_id = follower.space_id();
            let live = t.live.contains(&space_id);
            let state = t.state;
            // The page went away meanwhile: nothing to do.
            let Some(entry) = t.entries.iter_mut().find(|e| e.key == key) else {
                return;
            };
            entry.catching_up = false;
            (std::mem::take(&mut entry.waiting), state, live)
        };
        if gone {
            return follower.gone();
        }
        if refused {
            return;
        }
        let Some(changes) = changes else {
            let again = tab.clone();
            set_timeout(move || start(&again, key), RETRY_AFTER);
            return;
        };
        match changes {
            Changes::Reset(snapshot) => follower.reset(snapshot),
            Changes::Deltas { deltas, .. } => {
                for delta in &deltas {
                    if let Applied::Gap { .. } = follower.apply(delta) {
                        break;
                    }
                }
            }
        }
        // What came meanwhile follows on, unless the changes did not reach it: then again.
        for delta in &waiting {
            if let Applied::Gap { .. } = follower.apply(delta) {
                return start(&tab, key);
            }
        }
        follower.status(status_of(state, live));
    });
}

/// While the stream is blocked, every open space page asks for its changes every few seconds.
pub(super) fn poll(tab: &SharedTab) {
    let keys: Vec<u64> = {
        let mut t = tab.borrow_mut();
        if t.state != StreamState::Polling || t.polling {
            return;
        }
        t.polling = true;
        t.entries
            .iter()
            .filter(|e| e.follower.on_page())
            .map(|e| e.key)
            .collect()
    };
    for key in keys {
        start(tab, key);
    }
    let tab = tab.clone();
    set_timeout(
        move || {
            tab.borrow_mut().polling = false;
            poll(&tab);
        },
        POLL_EVERY,
    );
}
