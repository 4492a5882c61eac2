//! What follows a space on the browser's connection: a space's page (its store, typists, read
//! mark and status) or a row of the home page's list. Both take the same frames; the tab
//! (`super`) decides which frames reach which follower, and when one must catch up.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use uuid::Uuid;

use crate::sync::tabs::Visit;
use crate::sync::{Applied, Cursor, Delta, ReadState, Snapshot, SpaceModel, Typing, apply};
use crate::ui::home::{HomeRow, ListStatus};
use crate::ui::session::SessionEnd;
use crate::ui::space::{FollowedSpace, SHOWN_FOR_MS, Status};

pub(super) trait Follower {
    fn space_id(&self) -> Uuid;
    /// Where it is: what it is followed from.
    fn cursor(&self) -> Cursor;
    /// On the space's page (the viewer is there), or only watching it from a list.
    fn on_page(&self) -> bool;
    /// Nothing more to follow: the space was deleted.
    fn deleted(&self) -> bool;
    fn apply(&self, delta: &Delta) -> Applied;
    fn reset(&self, snapshot: Snapshot);
    /// The space no longer exists.
    fn gone(&self);
    fn typing(&self, typing: Typing);
    fn read(&self, read: &ReadState);
    fn status(&self, status: Status);
    fn session_ended(&self, how: SessionEnd);
}

/// A space's page.
pub(super) struct PageFollower {
    pub space_id: Uuid,
    pub space: FollowedSpace,
    pub session_ended: Callback<SessionEnd>,
}

impl Follower for PageFollower {
    fn space_id(&self) -> Uuid {
        self.space_id
    }

    fn cursor(&self) -> Cursor {
        self.space.store.cursor()
    }

    fn on_page(&self) -> bool {
        true
    }

    fn deleted(&self) -> bool {
        self.space.store.is_deleted()
    }

    fn apply(&self, delta: &Delta) -> Applied {
        let mut store = self.space.store;
        apply(&mut store, delta)
    }

    fn reset(&self, snapshot: Snapshot) {
        self.space.store.reset(snapshot);
    }

    fn gone(&self) {
        let mut store = self.space.store;
        store.mark_deleted();
    }

    /// Someone is typing: shown for a while, then forgotten unless they say so again.
    fn typing(&self, typing: Typing) {
        let typists = self.space.typists;
        typists.heard(typing, js_sys::Date::now());
        set_timeout(
            move || typists.prune(js_sys::Date::now()),
            Duration::from_millis(SHOWN_FOR_MS as u64 + 50),
        );
    }

    fn read(&self, read: &ReadState) {
        self.space.reading.heard(read);
    }

    fn status(&self, status: Status) {
        if self.space.status.get_untracked() != status {
            self.space.status.set(status);
        }
    }

    fn session_ended(&self, how: SessionEnd) {
        self.session_ended.run(how);
    }
}

/// The home page's list: live once every row still followed is. Live again after the stream
/// was lost, it reads the reader's marks again: one moved meanwhile (a `read` event is never
/// replayed) shows at once.
pub(super) struct ListLive {
    status: ListStatus,
    live: RefCell<HashSet<Uuid>>,
    rows: Vec<HomeRow>,
    /// The list has been live before.
    was_live: Cell<bool>,
    /// The session ended: the page is reloading.
    ended: Cell<bool>,
}

impl ListLive {
    pub fn new(status: ListStatus, rows: Vec<HomeRow>) -> Rc<Self> {
        Rc::new(ListLive {
            status,
            live: RefCell::default(),
            rows,
            was_live: Cell::new(false),
            ended: Cell::new(false),
        })
    }

    fn row_status(&self, space_id: Uuid, live: bool) {
        {
            let mut spaces = self.live.borrow_mut();
            if live {
                spaces.insert(space_id);
            } else {
                spaces.remove(&space_id);
            }
        }
        let spaces = self.live.borrow();
        let all = self
            .rows
            .iter()
            .filter(|r| r.digest.with_untracked(|d| !d.deleted))
            .all(|r| spaces.contains(&r.space_id));
        if self.status.live.get_untracked() != all {
            self.status.live.set(all);
            if all && self.was_live.replace(true) {
                self.read_again();
            }
        }
    }

    /// The reader's marks in every listed space, as the server has them now.
    fn read_again(&self) {
        let rows = self.rows.clone();
        // Signed out, there are no marks.
        let signed_in = rows
            .iter()
            .any(|r| r.digest.with_untracked(|d| d.read.is_some()));
        let ids: Vec<Uuid> = rows
            .iter()
            .filter(|r| r.digest.with_untracked(|d| !d.deleted))
            .map(|r| r.space_id)
            .collect();
        if !signed_in {
            return;
        }
        leptos::task::spawn_local(async move {
            let Ok(marks) = crate::api::read_marks(ids).await else {
                return;
            };
            for read in marks {
                if let Some(row) = rows.iter().find(|r| r.space_id == read.space_id) {
                    row.digest.update(|digest| digest.heard(read));
                }
            }
        });
    }
}

/// A row of the home page's list.
pub(super) struct RowFollower {
    pub row: HomeRow,
    pub list: Rc<ListLive>,
}

impl Follower for RowFollower {
    fn space_id(&self) -> Uuid {
        self.row.space_id
    }

    fn cursor(&self) -> Cursor {
        self.row.digest.with_untracked(|d| Cursor {
            epoch: d.epoch.clone(),
            position: d.position,
        })
    }

    fn on_page(&self) -> bool {
        false
    }

    fn deleted(&self) -> bool {
        self.row.digest.with_untracked(|d| d.deleted)
    }

    fn apply(&self, delta: &Delta) -> Applied {
        let mut applied = Applied::AlreadyHad;
        self.row
            .digest
            .update(|digest| applied = apply(digest, delta));
        applied
    }

    fn reset(&self, snapshot: Snapshot) {
        self.row.digest.update(|digest| digest.reset(snapshot));
    }

    fn gone(&self) {
        self.row.digest.update(|digest| digest.deleted = true);
        self.list.row_status(self.row.space_id, false);
    }

    fn typing(&self, _: Typing) {}

    fn read(&self, read: &ReadState) {
        self.row.digest.update(|digest| digest.heard(read.clone()));
    }

    fn status(&self, status: Status) {
        self.list
            .row_status(self.row.space_id, status == Status::Live);
    }

    /// Signed out (here or elsewhere): nothing kept for this device stays, and the page is
    /// someone else's now.
    fn session_ended(&self, _: SessionEnd) {
        if self.list.ended.replace(true) {
            return;
        }
        leptos::task::spawn_local(async {
            crate::client::offline::forget_everything().await;
            let _ = window().location().reload();
        });
    }
}

/// How a tab is in the space a follower follows: watching it, or on its page, shown or not.
pub(super) fn visit(follower: &dyn Follower, tab_away: bool) -> Visit {
    match (follower.on_page(), tab_away) {
        (false, _) => Visit::Watching,
        (true, false) => Visit::Here,
        (true, true) => Visit::Away,
    }
}
