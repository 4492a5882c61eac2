//! The per-space reactive store. Rows are keyed by id, so applying a delta writes one row:
//! an edit touches that message, a rename that being.

use leptos::prelude::*;
use reactive_stores::Store;
use uuid::Uuid;

use crate::model::{Being, Intention};
use crate::sync::{Cursor, Snapshot, SpaceModel};

#[derive(Clone, Debug, Store)]
pub struct SpaceData {
    pub epoch: String,
    pub position: u64,
    pub space: Being,
    pub deleted: bool,
    /// The beings in the space, in order of arrival.
    #[store(key: Uuid = |being| being.id)]
    pub beings: Vec<Being>,
    /// Beings with a live stream here.
    pub online: Vec<Uuid>,
    /// Messages, oldest first.
    #[store(key: Uuid = |intention| intention.id)]
    pub intentions: Vec<Intention>,
    /// Authors of shown messages who are not in the space, for their names.
    #[store(key: Uuid = |being| being.id)]
    pub authors: Vec<Being>,
}

impl SpaceData {
    pub fn from_snapshot(snapshot: Snapshot) -> Self {
        let mut intentions = snapshot.intentions;
        intentions.reverse();
        SpaceData {
            epoch: snapshot.epoch,
            position: snapshot.position,
            space: snapshot.space,
            deleted: false,
            online: snapshot
                .beings
                .iter()
                .filter(|b| b.online)
                .map(|b| b.being.id)
                .collect(),
            beings: snapshot.beings.into_iter().map(|b| b.being).collect(),
            intentions,
            authors: snapshot.authors,
        }
    }
}

/// The store as a [`SpaceModel`], so `sync::apply` drives it.
#[derive(Clone, Copy)]
pub struct SpaceStore(pub Store<SpaceData>);

impl SpaceStore {
    pub fn new(snapshot: Snapshot) -> Self {
        SpaceStore(Store::new(SpaceData::from_snapshot(snapshot)))
    }

    /// Replaces everything (a reset).
    pub fn reset(&self, snapshot: Snapshot) {
        self.0.set(SpaceData::from_snapshot(snapshot));
    }

    /// Where the store is: what a reconnect resumes from.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            epoch: self.0.epoch().get_untracked(),
            position: self.0.position().get_untracked(),
        }
    }

    /// The space was deleted: there is nothing more to follow.
    pub fn is_deleted(&self) -> bool {
        self.0.deleted().get_untracked()
    }

    /// A being's display name, wherever the page knows it from.
    pub fn name_of(&self, id: Uuid) -> Option<String> {
        let find = |list: &Vec<Being>| list.iter().find(|b| b.id == id).map(|b| b.name.clone());
        find(&self.0.beings().read()).or_else(|| find(&self.0.authors().read()))
    }
}

impl SpaceModel for SpaceStore {
    fn space_id(&self) -> Uuid {
        self.0.space().with_untracked(|s| s.id)
    }
    fn position(&self) -> u64 {
        self.0.position().get_untracked()
    }
    fn set_position(&mut self, position: u64) {
        self.0.position().set(position);
    }
    fn update_space(&mut self, space: Being) {
        self.0.space().set(space);
    }
    fn mark_deleted(&mut self) {
        self.0.deleted().set(true);
    }
    fn upsert_being(&mut self, being: Being) {
        let known = self
            .0
            .beings()
            .with_untracked(|list| list.iter().any(|b| b.id == being.id));
        if known {
            self.0.beings().at_key(being.id).set(being);
        } else {
            self.0.beings().write().push(being);
        }
    }
    fn delete_being(&mut self, id: Uuid) {
        if self
            .0
            .beings()
            .with_untracked(|list| list.iter().any(|b| b.id == id))
        {
            self.0.beings().write().retain(|b| b.id != id);
        }
    }
    fn upsert_intention(&mut self, intention: Intention) {
        let known = self
            .0
            .intentions()
            .with_untracked(|list| list.iter().any(|i| i.id == intention.id));
        if known {
            self.0.intentions().at_key(intention.id).set(intention);
            return;
        }
        let key = (intention.created_at, intention.id);
        self.0.intentions().update(|list| {
            let at = list.partition_point(|i| (i.created_at, i.id) <= key);
            list.insert(at, intention);
        });
    }
    fn delete_intention(&mut self, id: Uuid) {
        if self
            .0
            .intentions()
            .with_untracked(|list| list.iter().any(|i| i.id == id))
        {
            self.0.intentions().write().retain(|i| i.id != id);
        }
    }
    fn set_online(&mut self, being_id: Uuid, online: bool) {
        let is_online = self
            .0
            .online()
            .with_untracked(|list| list.contains(&being_id));
        if online && !is_online {
            self.0.online().write().push(being_id);
        } else if !online && is_online {
            self.0.online().write().retain(|id| *id != being_id);
        }
    }
}
