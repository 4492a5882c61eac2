//! What the window says about a space's connection: the network going and coming back, and
//! the page being hidden for a while (away) or shown again.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::{SharedConnection, close, connect};
use crate::ui::space::Status;

/// Going offline shows "offline" at once; coming back reconnects at once.
pub(super) fn watch_network(state: &SharedConnection) {
    let back = state.clone();
    let on_online = Closure::<dyn FnMut()>::new(move || {
        back.borrow_mut().attempts = 0;
        connect(&back);
    });
    let gone = state.clone();
    let on_offline = Closure::<dyn FnMut()>::new(move || {
        let mut s = gone.borrow_mut();
        close(&mut s);
        s.space.status.set(Status::Offline);
    });
    let window = window();
    let listeners = [("online", on_online), ("offline", on_offline)];
    for (name, listener) in &listeners {
        let _ = window.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
    }
    state.borrow_mut().window_listeners.extend(listeners);
}

/// Hidden for `away_after`, the page reconnects as away (resuming by cursor); shown again, it
/// reconnects as itself at once.
pub(super) fn watch_visibility(state: &SharedConnection) {
    let watched = state.clone();
    let on_change = Closure::<dyn FnMut()>::new(move || {
        let hidden = document().hidden();
        let (turn, wait) = {
            let mut s = watched.borrow_mut();
            s.shown_or_hidden += 1;
            (s.shown_or_hidden, s.away_after)
        };
        if !hidden {
            return set_away(&watched, false);
        }
        let later = watched.clone();
        set_timeout(
            move || {
                if later.borrow().shown_or_hidden == turn {
                    set_away(&later, true);
                }
            },
            wait,
        );
    });
    let _ = window()
        .add_event_listener_with_callback("visibilitychange", on_change.as_ref().unchecked_ref());
    state
        .borrow_mut()
        .window_listeners
        .push(("visibilitychange", on_change));
}

fn set_away(state: &SharedConnection, away: bool) {
    let reconnect = {
        let mut s = state.borrow_mut();
        let changed = s.away != away && !s.stopped;
        s.away = away;
        // A connection that is down picks the new word up when it reconnects.
        changed && s.source.is_some()
    };
    if reconnect {
        connect(state);
    }
}
