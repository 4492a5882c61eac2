//! One space's connection: EventSource while it works, its own reconnects (an `EventSource`
//! gives up for good on an HTTP error), resume by cursor, and polling when streams keep failing.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{EventSource, MessageEvent};

use super::event_source::{Generation, Handler, Listener, data, listen};

use crate::sync::{Applied, Changes, Delta, ReadState, Snapshot, Typing, apply, backoff};
use crate::ui::session::SessionEnd;
use crate::ui::space::{FollowedSpace, SHOWN_FOR_MS, SpaceStore, Status};

mod window;

use self::window::{watch_network, watch_visibility};

/// Streams in a row that open but close before going live (what a buffering proxy does)
/// before falling back to polling.
const BLOCKED_BEFORE_POLLING: u32 = 3;
const POLL_EVERY: Duration = Duration::from_secs(3);
/// While polling, try the stream again after this long.
const RETRY_STREAM_AFTER: Duration = Duration::from_secs(60);

struct ConnectionState {
    space_id: String,
    space: FollowedSpace,
    source: Option<EventSource>,
    /// Listeners of the current source, dropped with it.
    listeners: Vec<Listener>,
    /// The window's `online`/`offline`/`visibilitychange` listeners, removed when the page
    /// goes away.
    window_listeners: Vec<WindowListener>,
    /// Failed attempts since the last one that went live: the backoff exponent.
    attempts: u32,
    /// Of those, streams that opened and then closed before `live`.
    blocked: u32,
    /// The current stream has opened (its response headers arrived).
    opened: bool,
    polling_since: Option<f64>,
    stopped: bool,
    /// Called when the stream says the session it was opened with has ended, and how.
    session_ended: Callback<SessionEnd>,
    /// The page has been hidden for `away_after`: the stream says so, and its being is away.
    away: bool,
    away_after: Duration,
    /// Bumped each time the page is shown or hidden, so an older away timer does nothing.
    shown_or_hidden: u64,
    /// Bumped per connection, so callbacks of an old one do nothing.
    generation: u64,
}

type SharedConnection = Rc<RefCell<ConnectionState>>;
/// An event name on `window` and its listener.
type WindowListener = (&'static str, Closure<dyn FnMut()>);

/// Keeps `space.store` current until the page goes away; `session_ended` runs when the
/// session this page's stream was opened with ends (the stream reconnects as whoever is left).
/// A page hidden for `away_after` reconnects as away, and as itself again once shown.
pub fn follow(
    space_id: String,
    space: FollowedSpace,
    session_ended: Callback<SessionEnd>,
    away_after: Duration,
) {
    let state = Rc::new(RefCell::new(ConnectionState {
        space_id,
        space,
        source: None,
        listeners: Vec::new(),
        window_listeners: Vec::new(),
        attempts: 0,
        blocked: 0,
        opened: false,
        polling_since: None,
        stopped: false,
        session_ended,
        away: false,
        away_after,
        shown_or_hidden: 0,
        generation: 0,
    }));
    watch_network(&state);
    watch_visibility(&state);
    connect(&state);
    let handle = StoredValue::new_local(Some(state));
    on_cleanup(move || {
        if let Some(state) = handle.try_update_value(Option::take).flatten() {
            let mut s = state.borrow_mut();
            s.stopped = true;
            close(&mut s);
            // Dropping the closures also drops their hold on this state.
            for (name, listener) in s.window_listeners.drain(..) {
                let _ = window()
                    .remove_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
            }
        }
    });
}

fn close(s: &mut ConnectionState) {
    if let Some(source) = s.source.take() {
        source.close();
    }
    s.listeners.clear();
    s.generation += 1;
}

fn url(s: &ConnectionState, path: &str) -> String {
    let away = if s.away { "&away=true" } else { "" };
    format!(
        "/api/spaces/{}/{path}?after={}{away}",
        s.space_id,
        s.space.store.cursor()
    )
}

fn online() -> bool {
    window().navigator().on_line()
}

fn connect(state: &SharedConnection) {
    let mut s = state.borrow_mut();
    close(&mut s);
    if s.stopped || s.space.store.is_deleted() {
        return;
    }
    if !online() {
        s.space.status.set(Status::Offline);
        return;
    }
    s.space.status.set(Status::CatchingUp);
    s.opened = false;
    let Ok(source) = EventSource::new(&url(&s, "events")) else {
        drop(s);
        return retry(state);
    };
    let handlers: [(&str, Handler<ConnectionState>); 9] = [
        ("delta", on_delta),
        ("reset", on_reset),
        ("live", on_live),
        ("typing", on_typing),
        ("read", on_read),
        ("signed_out", on_signed_out),
        ("session_replaced", on_session_replaced),
        ("open", on_open),
        ("error", on_error),
    ];
    s.listeners = listen(&source, state, s.generation, &handlers);
    s.source = Some(source);
}

impl Generation for ConnectionState {
    fn generation(&self) -> u64 {
        self.generation
    }
}

fn on_delta(state: &SharedConnection, event: &MessageEvent) {
    let Ok(delta) = serde_json::from_str::<Delta>(&data(event)) else {
        return resume(state);
    };
    let epoch_ok = event.last_event_id().split(':').next()
        == Some(state.borrow().space.store.cursor().epoch.as_str());
    let mut store = state.borrow().space.store;
    if !epoch_ok {
        return resume(state);
    }
    match apply(&mut store, &delta) {
        Applied::Applied | Applied::AlreadyHad => {}
        // Something was lost in between: resume from the last good position.
        Applied::Gap { .. } => resume(state),
    }
}

fn on_reset(state: &SharedConnection, event: &MessageEvent) {
    match serde_json::from_str::<Snapshot>(&data(event)) {
        Ok(snapshot) => state.borrow().space.store.reset(snapshot),
        Err(_) => resume(state),
    }
}

/// Someone is typing: shown for a while, then forgotten unless they say so again.
fn on_typing(state: &SharedConnection, event: &MessageEvent) {
    let Ok(typing) = serde_json::from_str::<Typing>(&data(event)) else {
        return;
    };
    let typists = state.borrow().space.typists;
    typists.heard(typing, js_sys::Date::now());
    set_timeout(
        move || typists.prune(js_sys::Date::now()),
        Duration::from_millis(SHOWN_FOR_MS as u64 + 50),
    );
}

/// The reader's mark moved (in this tab, another, or on another device).
fn on_read(state: &SharedConnection, event: &MessageEvent) {
    if let Ok(read) = serde_json::from_str::<ReadState>(&data(event)) {
        state.borrow().space.reading.heard(&read);
    }
}

fn on_signed_out(state: &SharedConnection, _: &MessageEvent) {
    let ended = state.borrow().session_ended;
    ended.run(SessionEnd::SignedOut);
}

fn on_session_replaced(state: &SharedConnection, _: &MessageEvent) {
    let ended = state.borrow().session_ended;
    ended.run(SessionEnd::Replaced);
}

fn on_open(state: &SharedConnection, _: &MessageEvent) {
    state.borrow_mut().opened = true;
}

fn on_live(state: &SharedConnection, _: &MessageEvent) {
    let mut s = state.borrow_mut();
    s.attempts = 0;
    s.blocked = 0;
    s.polling_since = None;
    s.space.status.set(Status::Live);
}

fn on_error(state: &SharedConnection, _: &MessageEvent) {
    {
        let mut s = state.borrow_mut();
        let went_live = s.space.status.get_untracked() == Status::Live;
        if !went_live {
            s.attempts += 1;
            if s.opened {
                s.blocked += 1;
            }
        }
        close(&mut s);
    }
    retry(state);
}

/// Reconnects from the store's position after a gap or a bad frame: at once the first time,
/// with backoff if it happens again before the stream goes live (a frame that keeps failing
/// must not become a reconnect loop).
fn resume(state: &SharedConnection) {
    let again = {
        let mut s = state.borrow_mut();
        s.attempts += 1;
        close(&mut s);
        s.attempts > 1
    };
    if again { retry(state) } else { connect(state) }
}

/// Whether nothing has replaced the connection since `generation` was taken: timers and polls
/// of an older one, or of a page that went away, do nothing.
fn current(state: &SharedConnection, generation: u64) -> bool {
    let s = state.borrow();
    !s.stopped && s.generation == generation
}

/// Waits out the backoff, then reconnects — or polls, when streams keep failing.
fn retry(state: &SharedConnection) {
    let (attempts, blocked, stopped, generation) = {
        let s = state.borrow();
        (s.attempts, s.blocked, s.stopped, s.generation)
    };
    if stopped {
        return;
    }
    if blocked >= BLOCKED_BEFORE_POLLING {
        return poll(state);
    }
    state.borrow().space.status.set(if online() {
        Status::Reconnecting
    } else {
        Status::Offline
    });
    let wait = backoff::delay(attempts, js_sys::Math::random());
    let state = state.clone();
    set_timeout(
        move || {
            if current(&state, generation) {
                connect(&state);
            }
        },
        wait,
    );
}

fn poll(state: &SharedConnection) {
    let now = js_sys::Date::now();
    let generation = {
        let mut s = state.borrow_mut();
        let since = *s.polling_since.get_or_insert(now);
        if now - since > RETRY_STREAM_AFTER.as_millis() as f64 {
            s.attempts = 0;
            s.blocked = 0;
            s.polling_since = None;
            drop(s);
            return connect(state);
        }
        s.space.status.set(if online() {
            Status::Polling
        } else {
            Status::Offline
        });
        s.generation
    };
    let state = state.clone();
    leptos::task::spawn_local(async move {
        let url = url(&state.borrow(), "changes");
        let changes = match gloo_net::http::Request::get(&url).send().await {
            Ok(response) => response.json::<Changes>().await.ok(),
            Err(_) => None,
        };
        // A reconnect (coming back online, say) or the page going away ends this loop.
        if !current(&state, generation) {
            return;
        }
        if let Some(changes) = changes {
            apply_changes(&state, changes);
        }
        let next = state.clone();
        set_timeout(
            move || {
                if current(&next, generation) {
                    poll(&next);
                }
            },
            POLL_EVERY,
        );
    });
}

fn apply_changes(state: &SharedConnection, changes: Changes) {
    let store: SpaceStore = state.borrow().space.store;
    match changes {
        Changes::Reset(snapshot) => store.reset(snapshot),
        Changes::Deltas { deltas, .. } => {
            let mut store = store;
            for delta in &deltas {
                if let Applied::Gap { .. } = apply(&mut store, delta) {
                    break;
                }
            }
        }
    }
}
