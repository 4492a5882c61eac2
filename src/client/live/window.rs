//! What the window says about the tab: the network going and coming back, the tab hidden for a
//! while (its viewer is away) or shown again, and the tab going away (or coming back from the
//! browser's page cache).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::{SharedTab, WindowListener, announce, dispatch, post, stream};
use crate::sync::tabs::{Note, StreamState};

/// Listens for as long as the tab lives.
pub(super) fn watch(tab: &SharedTab) {
    let listeners: Vec<WindowListener> = vec![
        ("online", on_online(tab)),
        ("offline", on_offline(tab)),
        ("visibilitychange", on_visibility(tab)),
        ("pagehide", on_page_hide(tab)),
        ("pageshow", on_page_show(tab)),
    ];
    for (name, listener) in &listeners {
        let _ = window().add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
    }
    tab.borrow_mut()._listeners = listeners;
}

/// Back online: the leader opens the stream at once.
fn on_online(tab: &SharedTab) -> Closure<dyn FnMut()> {
    let tab = tab.clone();
    Closure::new(move || {
        let leads = match tab.borrow_mut().leader.as_mut() {
            Some(leader) => {
                leader.attempts = 0;
                true
            }
            None => false,
        };
        if leads {
            stream::connect(&tab, false);
        }
    })
}

/// Offline shows at once, in every tab.
fn on_offline(tab: &SharedTab) -> Closure<dyn FnMut()> {
    let tab = tab.clone();
    Closure::new(move || {
        stream::stop(&tab);
        dispatch::state(&tab, StreamState::Offline);
    })
}

/// Hidden for `away_after`, the tab says its viewer is away; shown again, here, at once.
fn on_visibility(tab: &SharedTab) -> Closure<dyn FnMut()> {
    let tab = tab.clone();
    Closure::new(move || {
        let hidden = document().hidden();
        let (turn, wait) = {
            let mut t = tab.borrow_mut();
            t.shown_or_hidden += 1;
            (t.shown_or_hidden, t.away_after)
        };
        if !hidden {
            return set_away(&tab, false);
        }
        let later = tab.clone();
        set_timeout(
            move || {
                if later.borrow().shown_or_hidden == turn {
                    set_away(&later, true);
                }
            },
            wait,
        );
    })
}

fn set_away(tab: &SharedTab, away: bool) {
    let changed = {
        let mut t = tab.borrow_mut();
        std::mem::replace(&mut t.away, away) != away
    };
    if changed {
        announce(tab);
    }
}

/// Going away: the leader stops following this tab's spaces at once.
fn on_page_hide(tab: &SharedTab) -> Closure<dyn FnMut()> {
    let tab = tab.clone();
    Closure::new(move || {
        let t = tab.borrow();
        post(&t, &Note::Bye { tab: t.id.clone() });
    })
}

/// Back from the browser's page cache: the tab says again what it follows.
fn on_page_show(tab: &SharedTab) -> Closure<dyn FnMut()> {
    let tab = tab.clone();
    Closure::new(move || announce(&tab))
}
