//! The per-space reactive store. Beings are keyed fields; messages are a list of rows (see
//! `message.rs`) that each carry their own signals, so applying a delta writes one row: an edit sets that
//! message's signal, a rename that being's field. Runs (a message that continues its author's
//! run shows no header) are kept as messages arrive and leave, by looking only at the
//! neighbours of the row that changed.

use std::collections::HashMap;

use leptos::prelude::*;
use reactive_stores::Store;
use uuid::Uuid;

use super::message::{Arrival, Message, Outbox, with_runs};
use super::runs::{Stamp, starts_run};
use crate::model::{Being, Intention, Page, Timestamp};
use crate::sync::{BeingState, Cursor, ResetReason, Snapshot};

#[derive(Clone, Debug, Store)]
pub struct SpaceData {
    /// With `position`, where a reconnect resumes (read by the browser's connection).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub epoch: String,
    pub position: u64,
    pub space: Being,
    pub deleted: bool,
    /// The beings in the space, in order of arrival.
    #[store(key: Uuid = |being| being.id)]
    pub beings: Vec<Being>,
    /// Beings with a live stream here.
    pub online: Vec<Uuid>,
    /// Of those, the ones whose every page here has been hidden for a while.
    pub away: Vec<Uuid>,
    /// The messages this page holds, oldest first: the newest page, and older pages as the
    /// reader scrolls back. Not a keyed field: rows are found by id in the list and written
    /// through their own signals, so no key map needs rebuilding on every change.
    pub messages: Vec<Message>,
    /// Cursor of the next older page, if there is one.
    pub more: Option<String>,
    /// Cursor of the next page of beings, when the snapshot did not carry them all.
    pub more_beings: Option<String>,
    /// Authors of shown messages who are not in the space, for their names.
    #[store(key: Uuid = |being| being.id)]
    pub authors: Vec<Being>,
}

impl SpaceData {
    pub fn from_snapshot(snapshot: Snapshot) -> Self {
        let (online, away) = (snapshot.online(), snapshot.away());
        let mut intentions = snapshot.intentions;
        intentions.reverse();
        SpaceData {
            epoch: snapshot.epoch,
            position: snapshot.position,
            space: snapshot.space,
            deleted: false,
            online,
            away,
            beings: snapshot.beings.into_iter().map(|b| b.being).collect(),
            messages: with_runs(intentions),
            more: snapshot.more,
            more_beings: snapshot.more_beings,
            authors: snapshot.authors,
        }
    }

    /// The state as a snapshot at its position, as the server would send it (what this page
    /// is still sending left out): what the browser keeps of a space for when it is offline.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn to_snapshot(&self) -> Snapshot {
        let beings = self
            .beings
            .iter()
            .map(|being| BeingState {
                being: being.clone(),
                online: self.online.contains(&being.id),
                away: self.away.contains(&being.id),
            })
            .collect();
        let intentions = self
            .messages
            .iter()
            .rev()
            .filter(|m| m.outbox.with_untracked(Option::is_none))
            .map(|m| m.intention.get_untracked())
            .collect();
        Snapshot {
            epoch: self.epoch.clone(),
            position: self.position,
            reason: ResetReason::Initial,
            space: self.space.clone(),
            beings,
            more_beings: self.more_beings.clone(),
            intentions,
            more: self.more.clone(),
            authors: self.authors.clone(),
        }
    }
}

/// The store as a [`SpaceModel`], so `sync::apply` drives it.
#[derive(Clone, Copy)]
pub struct SpaceStore {
    pub data: Store<SpaceData>,
    /// Messages that arrived at the end since the page last looked, for scrolling, the "new
    /// messages" count and announcements (several may arrive in one batch of changes).
    pub arrivals: RwSignal<Vec<Arrival>>,
}

impl SpaceStore {
    pub fn new(snapshot: Snapshot) -> Self {
        SpaceStore {
            data: Store::new(SpaceData::from_snapshot(snapshot)),
            arrivals: RwSignal::new(Vec::new()),
        }
    }

    /// Replaces everything (a reset), keeping the messages written here that the server has
    /// not confirmed: they are still on their way.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn reset(&self, snapshot: Snapshot) {
        let mut fresh = SpaceData::from_snapshot(snapshot);
        // Rows are drawn once per id: a row that stays keeps its signals (and its element),
        // given the new values.
        let mut kept: HashMap<Uuid, Message> = self
            .data
            .messages()
            .with_untracked(|rows| rows.iter().map(|m| (m.stamp.id, m.clone())).collect());
        for row in &mut fresh.messages {
            if let Some(old) = kept.remove(&row.stamp.id) {
                old.intention.set(row.intention.get_untracked());
                old.starts_run.set(row.starts_run.get_untracked());
                old.outbox.set(None);
                *row = Message {
                    stamp: row.stamp,
                    ..old
                };
            }
        }
        self.data.set(fresh);
        // Replacing the whole store does not refresh the keyed lists' key maps; writing a being
        // by key before the next render would find a stale index.
        self.data.beings().update_keys();
        self.data.authors().update_keys();
        let mut pending: Vec<Message> = kept
            .into_values()
            .filter(|m| m.outbox.with_untracked(Option::is_some))
            .collect();
        pending.sort_by_key(|m| m.stamp.order());
        for row in pending {
            self.insert_row(row);
        }
    }

    /// Where the store is: what a reconnect resumes from.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn cursor(&self) -> Cursor {
        Cursor {
            epoch: self.data.epoch().get_untracked(),
            position: self.data.position().get_untracked(),
        }
    }

    /// The space was deleted: there is nothing more to follow.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn is_deleted(&self) -> bool {
        self.data.deleted().get_untracked()
    }

    /// A being's display name, wherever the page knows it from.
    pub fn name_of(&self, id: Uuid) -> Option<String> {
        let find = |list: &Vec<Being>| list.iter().find(|b| b.id == id).map(|b| b.name.clone());
        find(&self.data.beings().read()).or_else(|| find(&self.data.authors().read()))
    }

    /// Who owns a being (a bot's owner), wherever the page knows it from.
    /// (Tracked: read in a memo, it is read again as beings come and go.)
    pub fn owner_of(&self, id: Uuid) -> Option<Uuid> {
        let find = |list: &Vec<Being>| list.iter().find(|b| b.id == id).and_then(|b| b.owner_id);
        find(&self.data.beings().read()).or_else(|| find(&self.data.authors().read()))
    }

    /// Who wrote the message `id`, if the page has it (tracked, like [`Self::owner_of`]).
    pub fn author_of(&self, id: Uuid) -> Option<Uuid> {
        self.data.messages().with(|rows| {
            rows.iter()
                .rfind(|m| m.stamp.id == id)
                .map(|m| m.intention.with(|i| i.owner_id))
        })
    }

    pub fn space_id_untracked(&self) -> Uuid {
        self.data.space().with_untracked(|s| s.id)
    }

    pub fn has_message(&self, id: Uuid) -> bool {
        self.index_of(id).is_some()
    }

    /// A row's signals, to read or write it.
    pub fn message(&self, id: Uuid) -> Option<Message> {
        self.data
            .messages()
            .with_untracked(|rows| rows.iter().rfind(|m| m.stamp.id == id).cloned())
    }

    fn index_of(&self, id: Uuid) -> Option<usize> {
        self.data
            .messages()
            .with_untracked(|rows| rows.iter().rposition(|m| m.stamp.id == id))
    }

    /// The newest message's time: a message written here is stamped no earlier, so it shows
    /// last even when this clock is behind the server's.
    pub fn newest_at(&self) -> Option<Timestamp> {
        self.data
            .messages()
            .with_untracked(|rows| rows.last().map(|m| m.stamp.at))
    }

    /// Inserts a message in time order; only it and the row after it may change runs.
    /// Returns whether it went in at the end.
    pub fn insert(&self, intention: Intention, outbox: Option<Outbox>) -> bool {
        self.insert_row(Message::new(intention, false, outbox))
    }

    fn insert_row(&self, row: Message) -> bool {
        let rows = self.data.messages();
        let (at, len) = rows.with_untracked(|rows| {
            let at = rows.partition_point(|m| m.stamp.order() <= row.stamp.order());
            let first = starts_run(at.checked_sub(1).map(|i| &rows[i].stamp), &row.stamp);
            if first != row.starts_run.get_untracked() {
                row.starts_run.set(first);
            }
            // Messages written here and not yet confirmed wait at the end; a message that goes
            // in just before them is still the newest anyone else has seen.
            let settled = rows.len()
                - rows
                    .iter()
                    .rev()
                    .take_while(|m| m.outbox.with_untracked(Option::is_some))
                    .count();
            (at, settled)
        });
        rows.write().insert(at, row);
        self.refresh_run_start(at + 1);
        at >= len
    }

    /// Removes a message; only the row after it may change runs.
    pub fn remove(&self, id: Uuid) -> Option<Intention> {
        self.take(id).map(|row| row.intention.get_untracked())
    }

    fn take(&self, id: Uuid) -> Option<Message> {
        let at = self.index_of(id)?;
        let removed = self.data.messages().write().remove(at);
        self.refresh_run_start(at);
        Some(removed)
    }

    /// Replaces a known message's content and state, and confirms it if it was written here.
    pub fn replace(&self, intention: Intention) {
        let Some(row) = self.message(intention.id) else {
            return;
        };
        if row.stamp.at != intention.created_at
            && let Some(mut moved) = self.take(intention.id)
        {
            // Only a message written here changes its time: the server's clock wins, and the
            // row (the same row, so the page keeps its element) moves to its place.
            moved.stamp = Stamp::of(&intention);
            moved.intention.set(intention);
            moved.outbox.set(None);
            self.insert_row(moved);
            return;
        }
        row.intention.set(intention);
        if row.outbox.with_untracked(Option::is_some) {
            row.outbox.set(None);
        }
    }

    /// A reply from the server to a write made here. Replies can come back out of order, and
    /// after the stream has brought something newer: an older copy only confirms the row.
    pub fn confirm(&self, intention: Intention) {
        let Some(row) = self.message(intention.id) else {
            return;
        };
        let newer_here = row
            .intention
            .with_untracked(|i| i.updated_at > intention.updated_at);
        if newer_here {
            if row.outbox.with_untracked(Option::is_some) {
                row.outbox.set(None);
            }
        } else {
            self.replace(intention);
        }
    }

    pub fn set_outbox(&self, id: Uuid, outbox: Option<Outbox>) {
        if let Some(row) = self.message(id) {
            row.outbox.set(outbox);
        }
    }

    /// Adds an older page (newest first, as the API gives it) before what is shown.
    pub fn prepend(&self, page: Page<Intention>, authors: Vec<Being>) {
        let mut older = page.items;
        older.reverse();
        older.retain(|i| !self.has_message(i.id));
        let rows = with_runs(older);
        let added = rows.len();
        self.data.messages().update(|list| {
            list.splice(0..0, rows);
        });
        self.refresh_run_start(added);
        self.data.more().set(page.next);
        let unknown: Vec<Being> = authors
            .into_iter()
            .filter(|b| self.name_of_untracked(b.id).is_none())
            .collect();
        if !unknown.is_empty() {
            self.data.authors().write().extend(unknown);
        }
    }

    /// Adds the next page of beings (each with whether it is online here).
    pub fn append_beings(&self, page: Page<BeingState>) {
        let known: Vec<Uuid> = self
            .data
            .beings()
            .with_untracked(|list| list.iter().map(|b| b.id).collect());
        let fresh: Vec<BeingState> = page
            .items
            .into_iter()
            .filter(|b| !known.contains(&b.being.id))
            .collect();
        let online: Vec<Uuid> = fresh
            .iter()
            .filter(|b| b.online)
            .map(|b| b.being.id)
            .collect();
        if !online.is_empty() {
            self.data.online().write().extend(online);
        }
        let away: Vec<Uuid> = fresh
            .iter()
            .filter(|b| b.online && b.away)
            .map(|b| b.being.id)
            .collect();
        if !away.is_empty() {
            self.data.away().write().extend(away);
        }
        if !fresh.is_empty() {
            self.data
                .beings()
                .write()
                .extend(fresh.into_iter().map(|b| b.being));
        }
        self.data.more_beings().set(page.next);
    }

    /// Older than the oldest loaded message while older pages are still unloaded.
    pub(super) fn before_window(&self, intention: &Intention) -> bool {
        if self.data.more().with_untracked(Option::is_none) {
            return false;
        }
        let order = Stamp::of(intention).order();
        self.data.messages().with_untracked(|rows| {
            rows.first()
                .is_some_and(|first| order < first.stamp.order())
        })
    }

    fn name_of_untracked(&self, id: Uuid) -> Option<String> {
        untrack(|| self.name_of(id))
    }

    /// Recomputes whether the row at `at` starts a run, writing it only if it changed.
    fn refresh_run_start(&self, at: usize) {
        self.data.messages().with_untracked(|rows| {
            if let Some(row) = rows.get(at) {
                let first = starts_run(at.checked_sub(1).map(|i| &rows[i].stamp), &row.stamp);
                if first != row.starts_run.get_untracked() {
                    row.starts_run.set(first);
                }
            }
        });
    }
}
