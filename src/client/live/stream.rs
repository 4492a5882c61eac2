//! The leader's stream (`GET /api/live`): every frame goes to every tab, tagged with its
//! space; a change of list opens the new stream before the old one closes; the stream's own
//! reconnects (an `EventSource` gives up for good on an HTTP error), with backoff, and polling
//! when streams keep being cut before they go live.

use std::time::Duration;

use leptos::prelude::*;
use serde::Deserialize;
use uuid::Uuid;
use web_sys::{EventSource, MessageEvent};

use super::leader::{LeaderState, Source, desired, reconsider, tell_state};
use super::{SharedTab, Tab, dispatch, post};
use crate::client::event_source::{Generation, Handler, data, listen};
use crate::sync::tabs::{Note, StreamState, TabFrame, common_epoch, live_path};
use crate::sync::{Cursor, LiveEvent, backoff};

/// Streams in a row that open but close before going live (what a buffering proxy does)
/// before falling back to polling.
const BLOCKED_BEFORE_POLLING: u32 = 3;
/// While polling, try the stream again after this long.
const RETRY_STREAM_AFTER: Duration = Duration::from_secs(60);

/// The events a space's frames come as, passed on to every tab as they are.
const FRAMES: [&str; 8] = [
    "delta",
    "reset",
    "live",
    "gone",
    "typing",
    "read",
    "signed_out",
    "session_replaced",
];

impl Generation for Tab {
    fn listens_to(&self, generation: u64) -> bool {
        self.leader.as_ref().is_some_and(|leader| {
            [&leader.source, &leader.retiring]
                .into_iter()
                .flatten()
                .any(|s| s.generation == generation)
        })
    }
}

/// The open source of `generation`, the current one or the retiring one.
fn source_of(leader: &mut LeaderState, generation: u64) -> Option<&mut Source> {
    [&mut leader.source, &mut leader.retiring]
        .into_iter()
        .flatten()
        .find(|s| s.generation == generation)
}

fn close(leader: &mut LeaderState) {
    for source in [leader.source.take(), leader.retiring.take()]
        .into_iter()
        .flatten()
    {
        source.close();
    }
    leader.generation += 1;
}

fn online() -> bool {
    window().navigator().on_line()
}

/// Opens the stream of everything the tabs follow. `planned`: only the list changed, so the
/// stream before goes on until the new one has opened, every space resumes exactly where the
/// stream was, and the tabs show no change of state; otherwise they show it catching up.
pub(super) fn connect(tab: &SharedTab, planned: bool) {
    // A stream that is down (waiting out a backoff, offline, polling) comes back as a new one:
    // the tabs see it catching up, then live.
    let planned = planned && tab.borrow().state == StreamState::Up;
    let path = {
        let mut t = tab.borrow_mut();
        let spaces = desired(&t);
        let Some(leader) = t.leader.as_mut() else {
            return;
        };
        let before = leader.source.take();
        close(leader);
        match before {
            Some(before) if planned => leader.retiring = Some(before),
            Some(before) => before.close(),
            None => {}
        }
        leader.following = spaces.iter().map(|(id, s)| (*id, s.visit)).collect();
        // A space followed again later starts from its tabs, not from where the stream left it.
        leader.positions.retain(|id, _| spaces.contains_key(id));
        leader.opened = false;
        leader.went_live = false;
        leader.reconsider_due = false;
        if spaces.is_empty() {
            close(leader);
            return;
        }
        leader.epoch = common_epoch(&spaces);
        live_path(&spaces)
    };
    if !online() {
        stop(tab);
        return tell_state(tab, StreamState::Offline);
    }
    if !planned {
        tell_state(tab, StreamState::Up);
    }
    let Ok(source) = EventSource::new(&path) else {
        return retry(tab);
    };
    let mut handlers: Vec<(&str, Handler<Tab>)> =
        vec![("space", on_space), ("open", on_open), ("error", on_error)];
    handlers.extend(FRAMES.iter().map(|&name| (name, on_frame as Handler<Tab>)));
    let mut t = tab.borrow_mut();
    let Some(leader) = t.leader.as_mut() else {
        return;
    };
    let generation = leader.generation;
    let listeners = listen(&source, tab, generation, &handlers);
    leader.source = Some(Source {
        source,
        _listeners: listeners,
        generation,
        current: None,
    });
}

/// Closes the stream (the browser went offline); `online` opens it again.
pub(super) fn stop(tab: &SharedTab) {
    if let Some(leader) = tab.borrow_mut().leader.as_mut() {
        close(leader);
    }
}

/// A frame, for this tab and every other.
pub(super) fn pass_on(tab: &SharedTab, frame: TabFrame) {
    post(
        &tab.borrow(),
        &Note::Frame {
            frame: frame.clone(),
        },
    );
    dispatch::frame(tab, &frame);
}

fn on_space(tab: &SharedTab, generation: u64, event: &MessageEvent) {
    #[derive(Deserialize)]
    struct SpaceEvent {
        space_id: Uuid,
    }
    let space = serde_json::from_str::<SpaceEvent>(&data(event)).ok();
    if let Some(leader) = tab.borrow_mut().leader.as_mut()
        && let Some(source) = source_of(leader, generation)
    {
        source.current = space.map(|s| s.space_id);
    }
}

/// The new stream has opened: the server follows every space for it now, so the one before
/// can go.
fn on_open(tab: &SharedTab, generation: u64, _: &MessageEvent) {
    if let Some(leader) = tab.borrow_mut().leader.as_mut()
        && leader
            .source
            .as_ref()
            .is_some_and(|s| s.generation == generation)
    {
        leader.opened = true;
        if let Some(before) = leader.retiring.take() {
            before.close();
        }
    }
}

/// Where a reset leaves its space.
#[derive(Deserialize)]
struct ResetAt {
    epoch: String,
    position: u64,
}

fn on_frame(tab: &SharedTab, generation: u64, event: &MessageEvent) {
    let name = event.type_();
    let text = data(event);
    let id = event.last_event_id();
    let frame = {
        let mut t = tab.borrow_mut();
        let Some(leader) = t.leader.as_mut() else {
            return;
        };
        let current = leader.source.as_ref().map(|s| s.generation) == Some(generation);
        let space_id = source_of(leader, generation).and_then(|s| s.current);
        if let Some(space) = space_id {
            note_position(leader, space, &name, &text, &id);
        }
        if current && name == "live" {
            leader.went_live = true;
            leader.attempts = 0;
            leader.blocked = 0;
        }
        TabFrame {
            space_id,
            event: name,
            data: text,
            id,
        }
    };
    pass_on(tab, frame);
}

/// Keeps where the stream is in `space`, from a frame of it (never backwards: while two
/// streams overlap, the older one's frames come again).
fn note_position(leader: &mut LeaderState, space: Uuid, name: &str, text: &str, id: &str) {
    let at = match name {
        "delta" => id.parse::<Cursor>().ok(),
        "reset" => {
            if let Ok(at) = serde_json::from_str::<ResetAt>(text) {
                let cursor = Cursor {
                    epoch: at.epoch,
                    position: at.position,
                };
                leader.positions.insert(space, cursor);
            }
            return;
        }
        "live" => serde_json::from_str::<LiveEvent>(text)
            .ok()
            .map(|live| Cursor {
                epoch: leader
                    .positions
                    .get(&space)
                    .map_or_else(|| leader.epoch.clone(), |c| c.epoch.clone()),
                position: live.position,
            }),
        _ => None,
    };
    let Some(at) = at else {
        return;
    };
    let ahead = leader
        .positions
        .get(&space)
        .is_none_or(|known| known.epoch != at.epoch || known.position < at.position);
    if ahead {
        leader.positions.insert(space, at);
    }
}

fn on_error(tab: &SharedTab, generation: u64, _: &MessageEvent) {
    {
        let mut t = tab.borrow_mut();
        let Some(leader) = t.leader.as_mut() else {
            return;
        };
        // The stream before a change of list failing changes nothing: the new one follows all.
        if leader
            .retiring
            .as_ref()
            .is_some_and(|s| s.generation == generation)
        {
            if let Some(before) = leader.retiring.take() {
                before.close();
            }
            return;
        }
        // A new list's stream refused before it opened (past the limits, say): the one before
        // goes on, and the new list is tried again after a while.
        if !leader.opened && leader.retiring.is_some() {
            if let Some(failed) = leader.source.take() {
                failed.close();
            }
            leader.source = leader.retiring.take();
            leader.opened = true;
            leader.went_live = true;
            leader.following.clear();
            leader.attempts += 1;
            let wait = backoff::delay(leader.attempts, js_sys::Math::random());
            let tab = tab.clone();
            set_timeout(move || reconsider(&tab), wait);
            return;
        }
        if !leader.went_live {
            leader.attempts += 1;
            if leader.opened {
                leader.blocked += 1;
            }
        }
        close(leader);
    }
    retry(tab);
}

/// Waits out the backoff, then opens the stream again — or polls, when streams keep being
/// cut before they go live.
fn retry(tab: &SharedTab) {
    let Some((attempts, blocked, generation)) = tab
        .borrow()
        .leader
        .as_ref()
        .map(|l| (l.attempts, l.blocked, l.generation))
    else {
        return;
    };
    if blocked >= BLOCKED_BEFORE_POLLING {
        return poll(tab, generation);
    }
    tell_state(
        tab,
        if online() {
            StreamState::Reconnecting
        } else {
            StreamState::Offline
        },
    );
    let wait = backoff::delay(attempts, js_sys::Math::random());
    again_after(tab, generation, wait);
}

/// Every tab polls its spaces; the stream is tried again, afresh, after a while.
fn poll(tab: &SharedTab, generation: u64) {
    if let Some(leader) = tab.borrow_mut().leader.as_mut() {
        leader.attempts = 0;
        leader.blocked = 0;
    }
    tell_state(tab, StreamState::Polling);
    again_after(tab, generation, RETRY_STREAM_AFTER);
}

/// Opens the stream after `wait`, unless another attempt was made meanwhile.
fn again_after(tab: &SharedTab, generation: u64, wait: Duration) {
    let tab = tab.clone();
    set_timeout(
        move || {
            let latest = tab
                .borrow()
                .leader
                .as_ref()
                .is_some_and(|l| l.generation == generation);
            if latest {
                connect(&tab, false);
            }
        },
        wait,
    );
}
