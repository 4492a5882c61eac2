//! A frame of the stream reaching this tab's followers of its space, and the stream's state
//! reaching every follower as its status.

use std::rc::Rc;

use uuid::Uuid;

use super::followers::Follower;
use super::{SharedTab, catch_up};
use crate::sync::tabs::{StreamState, TabFrame};
use crate::sync::{Applied, Delta, LiveEvent, ReadState, Snapshot, Typing};
use crate::ui::session::SessionEnd;
use crate::ui::space::Status;

/// What a follower shows while the stream is in `state` (`live`: its space's `live` came).
pub(super) fn status_of(state: StreamState, live: bool) -> Status {
    match state {
        StreamState::Up if live => Status::Live,
        StreamState::Up => Status::CatchingUp,
        StreamState::Reconnecting => Status::Reconnecting,
        StreamState::Polling => Status::Polling,
        StreamState::Offline => Status::Offline,
    }
}

/// The followers of `space_id` in this tab (all of them for `None`).
fn followers_of(tab: &SharedTab, space_id: Option<Uuid>) -> Vec<(u64, Rc<dyn Follower>)> {
    tab.borrow()
        .entries
        .iter()
        .filter(|e| space_id.is_none_or(|id| e.follower.space_id() == id))
        .map(|e| (e.key, e.follower.clone()))
        .collect()
}

/// One frame of the stream, from the leader (this tab or another).
pub(super) fn frame(tab: &SharedTab, frame: &TabFrame) {
    match frame.event.as_str() {
        "signed_out" | "session_replaced" => {
            let how = if frame.event == "signed_out" {
                SessionEnd::SignedOut
            } else {
                SessionEnd::Replaced
            };
            for (_, follower) in followers_of(tab, None) {
                follower.session_ended(how);
            }
            return;
        }
        _ => {}
    }
    let Some(space_id) = frame.space_id else {
        return;
    };
    match frame.event.as_str() {
        "delta" => {
            let Ok(delta) = serde_json::from_str::<Delta>(&frame.data) else {
                return;
            };
            let epoch = frame.id.split(':').next().unwrap_or_default();
            for (key, follower) in followers_of(tab, Some(space_id)) {
                delta_to(tab, key, &*follower, epoch, &delta);
            }
        }
        "reset" => {
            let Ok(snapshot) = serde_json::from_str::<Snapshot>(&frame.data) else {
                return;
            };
            for (_, follower) in followers_of(tab, Some(space_id)) {
                follower.reset(snapshot.clone());
            }
        }
        "live" => {
            let Ok(live) = serde_json::from_str::<LiveEvent>(&frame.data) else {
                return;
            };
            let state = {
                let mut t = tab.borrow_mut();
                t.live.insert(space_id);
                t.state
            };
            for (key, follower) in followers_of(tab, Some(space_id)) {
                if follower.cursor().position < live.position {
                    // It came after the stream passed where it is: it fills the gap itself.
                    catch_up::start(tab, key);
                } else {
                    follower.status(status_of(state, true));
                }
            }
        }
        "gone" => {
            for (_, follower) in followers_of(tab, Some(space_id)) {
                follower.gone();
            }
        }
        "typing" => {
            if let Ok(typing) = serde_json::from_str::<Typing>(&frame.data) {
                for (_, follower) in followers_of(tab, Some(space_id)) {
                    follower.typing(typing.clone());
                }
            }
        }
        "read" => {
            if let Ok(read) = serde_json::from_str::<ReadState>(&frame.data) {
                for (_, follower) in followers_of(tab, Some(read.space_id)) {
                    follower.read(&read);
                }
            }
        }
        _ => {}
    }
}

/// A delta for one follower: applied, kept while its catch-up is on its way, or the start of
/// one when something before it is missing (or it is of another epoch).
fn delta_to(tab: &SharedTab, key: u64, follower: &dyn Follower, epoch: &str, delta: &Delta) {
    {
        let mut t = tab.borrow_mut();
        if let Some(entry) = t.entries.iter_mut().find(|e| e.key == key)
            && entry.catching_up
        {
            entry.waiting.push(delta.clone());
            return;
        }
    }
    if epoch != follower.cursor().epoch {
        return catch_up::start(tab, key);
    }
    if let Applied::Gap { .. } = follower.apply(delta) {
        catch_up::start(tab, key);
    }
}

/// The stream's state changed: every follower shows it, and polling starts when it says so.
pub(super) fn state(tab: &SharedTab, state: StreamState) {
    {
        let mut t = tab.borrow_mut();
        if t.state == state {
            return;
        }
        t.state = state;
        t.live.clear();
    }
    for (_, follower) in followers_of(tab, None) {
        follower.status(status_of(state, false));
    }
    if state == StreamState::Polling {
        catch_up::poll(tab);
    }
}
