//! Which tab holds the browser's stream, and what it follows. Every tab asks for one Web Lock;
//! the tab that holds it leads until it closes, then the next in line does. The leader follows
//! the union of every tab's list, opens the stream again when that union changes (each space
//! resumes from where the stream was, so the others notice nothing), and drops the lists of tabs
//! that went away without a word (their own locks are gone).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use leptos::prelude::*;
use uuid::Uuid;
use web_sys::{BroadcastChannel, EventSource};

use super::locks::{hold, lock_names, locks};
use super::{SharedTab, Tab, dispatch, post, stream, wanted};
use crate::client::event_source::Listener;
use crate::sync::tabs::{Note, StreamSpace, StreamState, TabFrame, Visit, Wanted, union};
use crate::sync::{Cursor, LiveEvent};

/// The lock whose holder leads.
const LEADER_LOCK: &str = "rhizom-leader-v1";
/// Each tab's own lock, held while it lives: how the leader tells who is gone.
const TAB_LOCK: &str = "rhizom-tab-v1-";
/// A new leader waits this long for every tab's list before it opens the stream.
const COLLECT_FOR: Duration = Duration::from_millis(100);
/// Changes to the lists that come together open the stream once.
const SETTLE_FOR: Duration = Duration::from_millis(30);
/// How often the leader looks for tabs that went away without a word.
const PRUNE_EVERY: Duration = Duration::from_secs(5);

/// One opened stream.
pub(super) struct Source {
    pub source: EventSource,
    /// Its listeners, alive as long as it is.
    pub _listeners: Vec<Listener>,
    pub generation: u64,
    /// The space whose frames come now on it (its last `space` event).
    pub current: Option<Uuid>,
}

impl Source {
    pub fn close(self) {
        self.source.close();
    }
}

/// The leader's stream and what it knows of it.
#[derive(Default)]
pub(super) struct LeaderState {
    pub source: Option<Source>,
    /// The stream before a change of list, kept until the new one has opened (by then the
    /// server has subscribed it to every space), so no signal falls between the two.
    pub retiring: Option<Source>,
    /// Bumped per attempt, so the events and timers of an older one do nothing.
    pub generation: u64,
    /// What the stream was opened with: each space and how present its viewer is.
    pub following: BTreeMap<Uuid, Visit>,
    /// Where the stream is in each space it followed: what it resumes from.
    pub positions: HashMap<Uuid, Cursor>,
    /// The epoch the stream was opened in.
    pub epoch: String,
    /// Failed attempts since a stream last went live: the backoff exponent.
    pub attempts: u32,
    /// Of those, streams that opened and closed before going live.
    pub blocked: u32,
    pub opened: bool,
    pub went_live: bool,
    /// A look at every tab's list is scheduled.
    pub reconsider_due: bool,
    /// Tabs whose lock the last look did not find.
    pub missing: HashSet<String>,
}

/// The channel the tabs share, where the browser has both it and Web Locks.
pub(super) fn shared_channel(name: &str) -> Option<BroadcastChannel> {
    locks()?;
    BroadcastChannel::new(name).ok()
}

/// Takes this tab's place: its own lock, and in line for the lead. Without Web Locks or a
/// channel, it leads alone.
pub(super) fn stand(tab: &SharedTab) {
    let Some(locks) = locks().filter(|_| tab.borrow().channel.is_some()) else {
        return lead(tab);
    };
    let id = tab.borrow().id.clone();
    hold(&locks, &format!("{TAB_LOCK}{id}"), || {});
    let tab = tab.clone();
    hold(&locks, LEADER_LOCK, move || lead(&tab));
}

/// This tab leads now: every tab says what it follows, and the stream opens once they have.
/// The page says so (`data-leads` on its body), for whoever looks.
fn lead(tab: &SharedTab) {
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-leads", "true");
    }
    {
        let mut t = tab.borrow_mut();
        t.leader = Some(LeaderState {
            reconsider_due: true,
            ..LeaderState::default()
        });
        let note = Note::Leader { tab: t.id.clone() };
        post(&t, &note);
    }
    let later = tab.clone();
    set_timeout(
        move || {
            // A stream that was up goes on where it was, with no change of state for the tabs;
            // one that was down or polling starts afresh (`connect` tells which).
            stream::connect(&later, true);
        },
        COLLECT_FOR,
    );
    prune_later(tab);
}

/// Every space any tab follows, from where the stream resumes it.
pub(super) fn desired(t: &Tab) -> BTreeMap<Uuid, StreamSpace> {
    let own = wanted(t);
    let none = HashMap::new();
    let known = t.leader.as_ref().map_or(&none, |l| &l.positions);
    let lists = std::iter::once(&own[..]).chain(t.others.values().map(Vec::as_slice));
    union(lists, known)
}

/// A tab (this one or another) said what it follows: the stream follows it soon, and the
/// tab hears where the stream is in the spaces it already follows.
pub(super) fn heard_follows(tab: &SharedTab, wanted: &[Wanted]) {
    reconsider_soon(tab);
    let frames: Vec<TabFrame> = {
        let t = tab.borrow();
        let Some(leader) = &t.leader else {
            return;
        };
        post(&t, &Note::State { state: t.state });
        wanted
            .iter()
            .filter(|w| t.live.contains(&w.space_id))
            .filter_map(|w| {
                let position = leader.positions.get(&w.space_id)?.position;
                let data = serde_json::to_string(&LiveEvent { position }).ok()?;
                Some(TabFrame {
                    space_id: Some(w.space_id),
                    event: "live".to_owned(),
                    data,
                    id: String::new(),
                })
            })
            .collect()
    };
    for frame in frames {
        stream::pass_on(tab, frame);
    }
}

fn reconsider_soon(tab: &SharedTab) {
    {
        let mut t = tab.borrow_mut();
        let Some(leader) = t.leader.as_mut() else {
            return;
        };
        if std::mem::replace(&mut leader.reconsider_due, true) {
            return;
        }
    }
    let tab = tab.clone();
    set_timeout(move || reconsider(&tab), SETTLE_FOR);
}

/// Opens the stream again if what the tabs follow is not what it follows.
pub(super) fn reconsider(tab: &SharedTab) {
    let changed = {
        let mut t = tab.borrow_mut();
        let visits: BTreeMap<Uuid, Visit> = desired(&t)
            .into_iter()
            .map(|(id, space)| (id, space.visit))
            .collect();
        let polling = t.state == StreamState::Polling;
        let Some(leader) = t.leader.as_mut() else {
            return;
        };
        leader.reconsider_due = false;
        // While polling, the stream is tried again later with whatever is followed then.
        visits != leader.following && !polling
    };
    if changed {
        stream::connect(tab, true);
    }
}

/// Drops, every few seconds, the lists of tabs whose lock is gone (closed or crashed without
/// saying bye), so their spaces stop being followed and their viewer stops being there. A tab
/// is dropped when two looks in a row miss its lock: the lock of a tab that has just spoken may
/// not have reached the browser's lock manager yet.
fn prune_later(tab: &SharedTab) {
    let Some(locks) = locks().filter(|_| tab.borrow().channel.is_some()) else {
        return;
    };
    let tab = tab.clone();
    set_timeout(
        move || {
            leptos::task::spawn_local(async move {
                if let Some(alive) = lock_names(&locks).await {
                    let pruned = {
                        let mut t = tab.borrow_mut();
                        let missing: HashSet<String> = t
                            .others
                            .keys()
                            .filter(|id| !alive.contains(&format!("{TAB_LOCK}{id}")))
                            .cloned()
                            .collect();
                        let Some(leader) = t.leader.as_mut() else {
                            return;
                        };
                        let gone: Vec<String> =
                            missing.intersection(&leader.missing).cloned().collect();
                        leader.missing = missing;
                        t.others.retain(|id, _| !gone.contains(id));
                        !gone.is_empty()
                    };
                    if pruned {
                        reconsider(&tab);
                    }
                }
                prune_later(&tab);
            });
        },
        PRUNE_EVERY,
    );
}

/// The stream's state changed: every tab shows it.
pub(super) fn tell_state(tab: &SharedTab, state: StreamState) {
    post(&tab.borrow(), &Note::State { state });
    dispatch::state(tab, state);
}
