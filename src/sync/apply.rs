//! Applying deltas: the one place that decides what a delta does to a space's state.
//!
//! [`apply`] is pure over any [`SpaceModel`]: the plain [`SpaceState`] (tests, programs) and the
//! browser's reactive store implement the same few edits, so both follow the same rules.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use super::{Change, Delta, Snapshot};
use crate::model::{Being, Intention};

/// The edits a delta can make. Each must be idempotent: an upsert replaces, a delete of
/// something absent does nothing.
pub trait SpaceModel {
    fn space_id(&self) -> Uuid;
    fn position(&self) -> u64;
    fn set_position(&mut self, position: u64);
    /// The space itself changed (renamed).
    fn update_space(&mut self, space: Being);
    /// The space was deleted.
    fn mark_deleted(&mut self);
    fn upsert_being(&mut self, being: Being);
    fn delete_being(&mut self, id: Uuid);
    fn upsert_intention(&mut self, intention: Intention);
    fn delete_intention(&mut self, id: Uuid);
    /// Whether a being is online here, and if so whether it is away.
    fn set_presence(&mut self, being_id: Uuid, online: bool, away: bool);
}

/// What applying a delta did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The state moved to the delta's position.
    Applied,
    /// The state already includes this position: nothing changed (duplicates are harmless).
    AlreadyHad,
    /// The delta does not follow the state's position: something in between was lost. Nothing
    /// changed; resume from the current position.
    Gap { position: u64, prev: u64 },
}

/// Applies one delta if it follows `model`'s position; see [`Applied`].
pub fn apply<M: SpaceModel>(model: &mut M, delta: &Delta) -> Applied {
    let position = model.position();
    if delta.pos <= position {
        return Applied::AlreadyHad;
    }
    if delta.prev != position {
        return Applied::Gap {
            position,
            prev: delta.prev,
        };
    }
    let space_id = model.space_id();
    match &delta.change {
        Change::BeingUpsert { being } if being.id == space_id => model.update_space(being.clone()),
        Change::BeingUpsert { being } => model.upsert_being(being.clone()),
        Change::BeingDelete { id } if *id == space_id => model.mark_deleted(),
        Change::BeingDelete { id } => model.delete_being(*id),
        Change::IntentionUpsert { intention } => model.upsert_intention(intention.clone()),
        Change::IntentionDelete { id } => model.delete_intention(*id),
        Change::Presence {
            being_id,
            online,
            away,
        } => model.set_presence(*being_id, *online, *online && *away),
    }
    model.set_position(delta.pos);
    Applied::Applied
}

/// A space's state as plain data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpaceState {
    pub epoch: String,
    pub position: u64,
    pub space: Being,
    pub deleted: bool,
    pub beings: BTreeMap<Uuid, Being>,
    /// Beings with a live stream here (they need not be located here).
    pub online: BTreeSet<Uuid>,
    /// Of those, the ones whose every page here has been hidden for a while.
    pub away: BTreeSet<Uuid>,
    pub intentions: BTreeMap<Uuid, Intention>,
}

impl SpaceState {
    pub fn from_snapshot(snapshot: &Snapshot) -> Self {
        SpaceState {
            epoch: snapshot.epoch.clone(),
            position: snapshot.position,
            space: snapshot.space.clone(),
            deleted: false,
            beings: snapshot
                .beings
                .iter()
                .map(|b| (b.being.id, b.being.clone()))
                .collect(),
            online: snapshot.online().into_iter().collect(),
            away: snapshot.away().into_iter().collect(),
            intentions: snapshot
                .intentions
                .iter()
                .map(|i| (i.id, i.clone()))
                .collect(),
        }
    }

    /// The beings located here that are online: what a snapshot reports.
    pub fn online_here(&self) -> BTreeSet<Uuid> {
        self.online
            .iter()
            .filter(|id| self.beings.contains_key(id))
            .copied()
            .collect()
    }
}

impl SpaceModel for SpaceState {
    fn space_id(&self) -> Uuid {
        self.space.id
    }
    fn position(&self) -> u64 {
        self.position
    }
    fn set_position(&mut self, position: u64) {
        self.position = position;
    }
    fn update_space(&mut self, space: Being) {
        self.space = space;
    }
    fn mark_deleted(&mut self) {
        self.deleted = true;
    }
    fn upsert_being(&mut self, being: Being) {
        self.beings.insert(being.id, being);
    }
    fn delete_being(&mut self, id: Uuid) {
        self.beings.remove(&id);
    }
    fn upsert_intention(&mut self, intention: Intention) {
        self.intentions.insert(intention.id, intention);
    }
    fn delete_intention(&mut self, id: Uuid) {
        self.intentions.remove(&id);
    }
    fn set_presence(&mut self, being_id: Uuid, online: bool, away: bool) {
        if online {
            self.online.insert(being_id);
        } else {
            self.online.remove(&being_id);
        }
        if away {
            self.away.insert(being_id);
        } else {
            self.away.remove(&being_id);
        }
    }
}

#[cfg(test)]
mod tests;
