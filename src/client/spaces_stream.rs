//! The home page's one stream of all its listed spaces (`GET /api/live`): each space resumes
//! from its own position, its deltas keep its row, and a gap or a dropped connection
//! reconnects the stream from every space's position, with backoff.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use uuid::Uuid;
use web_sys::{EventSource, MessageEvent};

use super::event_source::{Generation, Handler, Listener, data, listen};

use crate::sync::{Applied, Delta, ReadState, Snapshot, apply, backoff};
use crate::ui::home::{HomeRow, ListStatus};

struct FollowState {
    rows: Vec<HomeRow>,
    status: ListStatus,
    source: Option<EventSource>,
    listeners: Vec<Listener>,
    /// The space whose frames come now (the last `space` event).
    current: Option<Uuid>,
    /// Spaces that went live since the stream opened.
    live: usize,
    attempts: u32,
    stopped: bool,
    generation: u64,
}

type Shared = Rc<RefCell<FollowState>>;

/// Keeps `rows` current until the page goes away.
pub fn follow_spaces(rows: Vec<HomeRow>, status: ListStatus) {
    if rows.is_empty() {
        return;
    }
    let state = Rc::new(RefCell::new(FollowState {
        rows,
        status,
        source: None,
        listeners: Vec::new(),
        current: None,
        live: 0,
        attempts: 0,
        stopped: false,
        generation: 0,
    }));
    connect(&state);
    let handle = StoredValue::new_local(Some(state));
    on_cleanup(move || {
        if let Some(state) = handle.try_update_value(Option::take).flatten() {
            let mut s = state.borrow_mut();
            s.stopped = true;
            close(&mut s);
        }
    });
}

fn close(s: &mut FollowState) {
    if let Some(source) = s.source.take() {
        source.close();
    }
    s.listeners.clear();
    s.generation += 1;
    s.status.live.set(false);
}

/// `/api/live?epoch=…&spaces=id:position,…`, from where each row is now (deleted ones left).
fn url(rows: &[HomeRow]) -> String {
    let mut epoch = String::new();
    let spaces: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            row.digest.with_untracked(|d| {
                (!d.deleted).then(|| {
                    epoch.clone_from(&d.epoch);
                    format!("{}:{}", row.space_id, d.position)
                })
            })
        })
        .collect();
    format!("/api/live?epoch={epoch}&spaces={}", spaces.join(","))
}

fn connect(state: &Shared) {
    let mut s = state.borrow_mut();
    close(&mut s);
    if s.stopped
        || s.rows
            .iter()
            .all(|r| r.digest.with_untracked(|d| d.deleted))
    {
        return;
    }
    s.current = None;
    s.live = 0;
    let Ok(source) = EventSource::new(&url(&s.rows)) else {
        drop(s);
        return retry(state);
    };
    let handlers: [(&str, Handler<FollowState>); 9] = [
        ("space", on_space),
        ("gone", on_gone),
        ("delta", on_delta),
        ("reset", on_reset),
        ("live", on_live),
        ("read", on_read),
        ("signed_out", on_session_ended),
        ("session_replaced", on_session_ended),
        ("error", on_error),
    ];
    s.listeners = listen(&source, state, s.generation, &handlers);
    s.source = Some(source);
}

impl Generation for FollowState {
    fn generation(&self) -> u64 {
        self.generation
    }
}

/// The row of the space whose frames come now.
fn current_row(state: &Shared) -> Option<HomeRow> {
    let s = state.borrow();
    let current = s.current?;
    s.rows.iter().find(|r| r.space_id == current).copied()
}

fn on_space(state: &Shared, event: &MessageEvent) {
    #[derive(serde::Deserialize)]
    struct SpaceEvent {
        space_id: Uuid,
    }
    match serde_json::from_str::<SpaceEvent>(&data(event)) {
        Ok(space) => state.borrow_mut().current = Some(space.space_id),
        Err(_) => resume(state),
    }
}

/// A listed space no longer exists (deleted while the page was away): its row says so, and
/// the stream follows the rest.
fn on_gone(state: &Shared, _: &MessageEvent) {
    if let Some(row) = current_row(state) {
        row.digest.update(|digest| digest.deleted = true);
        on_live(state, &MessageEvent::new("live").expect("an event"));
    }
}

fn on_delta(state: &Shared, event: &MessageEvent) {
    let (Some(row), Ok(delta)) = (
        current_row(state),
        serde_json::from_str::<Delta>(&data(event)),
    ) else {
        return resume(state);
    };
    let mut applied = Applied::AlreadyHad;
    row.digest.update(|digest| applied = apply(digest, &delta));
    if let Applied::Gap { .. } = applied {
        resume(state);
    }
}

fn on_reset(state: &Shared, event: &MessageEvent) {
    let (Some(row), Ok(snapshot)) = (
        current_row(state),
        serde_json::from_str::<Snapshot>(&data(event)),
    ) else {
        return resume(state);
    };
    row.digest.update(|digest| digest.reset(snapshot));
}

fn on_live(state: &Shared, _: &MessageEvent) {
    let mut s = state.borrow_mut();
    s.live += 1;
    let followed = s
        .rows
        .iter()
        .filter(|r| r.digest.with_untracked(|d| !d.deleted))
        .count();
    if s.live >= followed {
        s.attempts = 0;
        s.status.live.set(true);
    }
}

/// The reader's mark moved in one of the spaces (a tab, another device).
fn on_read(state: &Shared, event: &MessageEvent) {
    let Ok(read) = serde_json::from_str::<ReadState>(&data(event)) else {
        return;
    };
    let row = state
        .borrow()
        .rows
        .iter()
        .find(|r| r.space_id == read.space_id)
        .copied();
    if let Some(row) = row {
        row.digest.update(|digest| digest.heard(read));
    }
}

/// Signed out (here or elsewhere): nothing kept for this device stays, and the page is
/// someone else's now.
fn on_session_ended(_: &Shared, _: &MessageEvent) {
    leptos::task::spawn_local(async {
        super::offline::forget_everything().await;
        let _ = window().location().reload();
    });
}

fn on_error(state: &Shared, _: &MessageEvent) {
    {
        let mut s = state.borrow_mut();
        s.attempts += 1;
        close(&mut s);
    }
    retry(state);
}

/// Reconnects from every row's position after a gap or a bad frame.
fn resume(state: &Shared) {
    let again = {
        let mut s = state.borrow_mut();
        s.attempts += 1;
        close(&mut s);
        s.attempts > 1
    };
    if again { retry(state) } else { connect(state) }
}

fn retry(state: &Shared) {
    let (attempts, generation) = {
        let s = state.borrow();
        if s.stopped {
            return;
        }
        (s.attempts, s.generation)
    };
    let wait = backoff::delay(attempts, js_sys::Math::random());
    let state = state.clone();
    set_timeout(
        move || {
            let current = {
                let s = state.borrow();
                !s.stopped && s.generation == generation
            };
            if current {
                connect(&state);
            }
        },
        wait,
    );
}
