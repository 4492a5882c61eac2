//! The browser's one connection (docs/SYNC.md, "One connection per browser"). Every rhizom tab
//! of the origin follows its spaces through one stream of several spaces (`GET /api/live`),
//! opened by the tab that leads (elected with a Web Lock); the others hear every frame from it on
//! a `BroadcastChannel`. Each tab says what it follows; each follower applies its space's frames
//! itself and fills a gap on its own (`/changes`), so a tab that comes late or falls behind
//! never disturbs the stream. When the leader closes, the next tab takes the lock and opens the
//! stream again from every tab's position: nothing is lost, and what a tab already has it skips.
//! Without Web Locks or `BroadcastChannel`, each tab leads alone.

mod catch_up;
mod dispatch;
mod followers;
mod leader;
mod locks;
mod stream;
mod window;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, MessageEvent};

use self::followers::{Follower, ListLive, PageFollower, RowFollower, visit};
use self::leader::LeaderState;
use crate::sync::Delta;
use crate::sync::tabs::{Note, StreamState, Wanted};
use crate::ui::home::{HomeRow, ListStatus};
use crate::ui::session::SessionEnd;
use crate::ui::space::{FollowedSpace, Status};

/// The channel every rhizom tab of the origin listens on.
/// Versioned: tabs of another build, whose notes this one may not read, keep to their own.
const CHANNEL: &str = "rhizom-live-v1";

/// A follower as the tab keeps it.
struct TabFollower {
    key: u64,
    follower: Rc<dyn Follower>,
    /// A catch-up (`/changes`) is on its way: deltas wait for it.
    catching_up: bool,
    waiting: Vec<Delta>,
}

/// An event name on `window` and its listener, kept as long as the tab is.
type WindowListener = (&'static str, Closure<dyn FnMut()>);

struct Tab {
    /// This tab's name among the others (and its lock's).
    id: String,
    entries: Vec<TabFollower>,
    next_key: u64,
    channel: Option<BroadcastChannel>,
    /// The tab has been hidden for `away_after`: its pages' viewer is away there.
    away: bool,
    away_after: Duration,
    /// Bumped each time the tab is shown or hidden, so an older away timer does nothing.
    shown_or_hidden: u64,
    /// The leader's stream, as last heard.
    state: StreamState,
    /// Spaces whose `live` frame came since the stream's state last changed.
    live: HashSet<Uuid>,
    /// A polling round is scheduled.
    polling: bool,
    /// What every other tab follows, kept by all so that any can lead at once.
    others: HashMap<String, Vec<Wanted>>,
    /// Set while this tab leads.
    leader: Option<LeaderState>,
    _listeners: Vec<WindowListener>,
    _on_note: Option<Closure<dyn FnMut(MessageEvent)>>,
}

type SharedTab = Rc<RefCell<Tab>>;

thread_local! {
    static TAB: RefCell<Option<SharedTab>> = const { RefCell::new(None) };
}

/// Keeps a space's page current until it goes away; `session_ended` runs when the session the
/// stream was opened with ends. A tab hidden for `away_after` makes its viewer away.
pub fn follow(
    space_id: Uuid,
    space: FollowedSpace,
    session_ended: Callback<SessionEnd>,
    away_after: Duration,
) {
    let tab = tab();
    tab.borrow_mut().away_after = away_after;
    let follower: Rc<dyn Follower> = Rc::new(PageFollower {
        space_id,
        space,
        session_ended,
    });
    follow_while_mounted(&tab, vec![follower]);
}

/// Keeps the home page's rows current until the page goes away.
pub fn follow_spaces(rows: Vec<HomeRow>, status: ListStatus) {
    if rows.is_empty() {
        return;
    }
    let list = ListLive::new(status, rows.clone());
    let followers = rows
        .into_iter()
        .map(|row| {
            Rc::new(RowFollower {
                row,
                list: list.clone(),
            }) as Rc<dyn Follower>
        })
        .collect();
    follow_while_mounted(&tab(), followers);
}

fn follow_while_mounted(tab: &SharedTab, followers: Vec<Rc<dyn Follower>>) {
    let keys = {
        let mut t = tab.borrow_mut();
        let state = t.state;
        followers
            .into_iter()
            .map(|follower| {
                let key = t.next_key;
                t.next_key += 1;
                // Live once its space's `live` frame says where the stream is.
                follower.status(match state {
                    StreamState::Up => Status::CatchingUp,
                    other => dispatch::status_of(other, false),
                });
                t.entries.push(TabFollower {
                    key,
                    follower,
                    catching_up: false,
                    waiting: Vec::new(),
                });
                key
            })
            .collect::<Vec<u64>>()
    };
    announce(tab);
    // The tab is this thread's own: the cleanup finds it again rather than holding it.
    on_cleanup(move || {
        if let Some(tab) = TAB.with_borrow(Clone::clone) {
            tab.borrow_mut().entries.retain(|e| !keys.contains(&e.key));
            announce(&tab);
        }
    });
}

/// The tab of this page, set up on first use: its channel, its window listeners, and its
/// place in the election.
fn tab() -> SharedTab {
    if let Some(tab) = TAB.with_borrow(Clone::clone) {
        return tab;
    }
    let id = Uuid::new_v4().to_string();
    let tab = Rc::new(RefCell::new(Tab {
        id,
        entries: Vec::new(),
        next_key: 0,
        channel: leader::shared_channel(CHANNEL),
        away: false,
        away_after: Duration::from_secs(300),
        shown_or_hidden: 0,
        state: StreamState::Up,
        live: HashSet::new(),
        polling: false,
        others: HashMap::new(),
        leader: None,
        _listeners: Vec::new(),
        _on_note: None,
    }));
    TAB.with_borrow_mut(|slot| *slot = Some(tab.clone()));
    listen_to_notes(&tab);
    window::watch(&tab);
    leader::stand(&tab);
    tab
}

/// What this tab follows now (a space twice, if two followers here follow it: the leader's
/// union takes each space once).
fn wanted(t: &Tab) -> Vec<Wanted> {
    t.entries
        .iter()
        .filter(|e| !e.follower.deleted())
        .map(|entry| {
            let follower = &*entry.follower;
            Wanted {
                space_id: follower.space_id(),
                cursor: follower.cursor(),
                visit: visit(follower, t.away),
            }
        })
        .collect()
}

/// Tells every tab what this one follows now; the leader (this tab or another) follows it.
fn announce(tab: &SharedTab) {
    let (note, leads) = {
        let t = tab.borrow();
        let note = Note::Follows {
            tab: t.id.clone(),
            wanted: wanted(&t),
        };
        post(&t, &note);
        (note, t.leader.is_some())
    };
    if leads && let Note::Follows { wanted, .. } = note {
        leader::heard_follows(tab, &wanted);
    }
}

/// Sends `note` to every other tab.
fn post(t: &Tab, note: &Note) {
    if let (Some(channel), Ok(text)) = (&t.channel, serde_json::to_string(note)) {
        let _ = channel.post_message(&text.into());
    }
}

fn listen_to_notes(tab: &SharedTab) {
    let Some(channel) = tab.borrow().channel.clone() else {
        return;
    };
    let heard = tab.clone();
    let on_note = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let text = event.data().as_string().unwrap_or_default();
        if let Ok(note) = serde_json::from_str::<Note>(&text) {
            hear(&heard, note);
        }
    });
    channel.set_onmessage(Some(on_note.as_ref().unchecked_ref()));
    tab.borrow_mut()._on_note = Some(on_note);
}

/// What another tab said.
fn hear(tab: &SharedTab, note: Note) {
    match note {
        Note::Follows { tab: from, wanted } => {
            let leads = {
                let mut t = tab.borrow_mut();
                t.others.insert(from, wanted.clone());
                t.leader.is_some()
            };
            if leads {
                leader::heard_follows(tab, &wanted);
            }
        }
        Note::Bye { tab: from } => {
            let leads = {
                let mut t = tab.borrow_mut();
                t.others.remove(&from);
                t.leader.is_some()
            };
            if leads {
                leader::reconsider(tab);
            }
        }
        Note::Leader { .. } => announce(tab),
        Note::Frame { frame } => dispatch::frame(tab, &frame),
        Note::State { state } => dispatch::state(tab, state),
    }
}
