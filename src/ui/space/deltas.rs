//! How a delta lands in the page's store: the store as a [`SpaceModel`], so `sync::apply`
//! drives it with the same rules as every other client. Each edit writes one row's signal or
//! one keyed field.

use leptos::prelude::*;
use uuid::Uuid;

use super::message::Arrival;
use super::store::{SpaceDataStoreFields, SpaceStore};
use crate::model::{Being, Intention};
use crate::sync::SpaceModel;

impl SpaceModel for SpaceStore {
    fn space_id(&self) -> Uuid {
        self.space_id_untracked()
    }
    fn position(&self) -> u64 {
        self.data.position().get_untracked()
    }
    fn set_position(&mut self, position: u64) {
        self.data.position().set(position);
    }
    fn update_space(&mut self, space: Being) {
        self.data.space().set(space);
    }
    fn mark_deleted(&mut self) {
        self.data.deleted().set(true);
    }
    fn upsert_being(&mut self, being: Being) {
        let known = self
            .data
            .beings()
            .with_untracked(|list| list.iter().any(|b| b.id == being.id));
        if known {
            self.data.beings().at_key(being.id).set(being);
        } else {
            self.data.beings().write().push(being);
        }
    }
    fn delete_being(&mut self, id: Uuid) {
        let Some(at) = self
            .data
            .beings()
            .with_untracked(|list| list.iter().position(|b| b.id == id))
        else {
            return;
        };
        let gone = self.data.beings().write().remove(at);
        // Its messages still show its name.
        if !self
            .data
            .authors()
            .with_untracked(|list| list.iter().any(|b| b.id == id))
        {
            self.data.authors().write().push(gone);
        }
    }
    fn upsert_intention(&mut self, intention: Intention) {
        if self.has_message(intention.id) {
            self.replace(intention);
            return;
        }
        if self.before_window(&intention) {
            // Older than anything loaded: it arrives with its page if the reader scrolls back.
            return;
        }
        let arrival = Arrival {
            id: intention.id,
            owner_id: intention.owner_id,
            content: intention.content.clone(),
        };
        if self.insert(intention, None) {
            self.arrivals.update(|list| list.push(arrival));
        }
    }
    fn delete_intention(&mut self, id: Uuid) {
        self.remove(id);
    }
    fn set_presence(&mut self, being_id: Uuid, online: bool, away: bool) {
        for (list, member) in [(self.data.online(), online), (self.data.away(), away)] {
            let is_member = list.with_untracked(|ids| ids.contains(&being_id));
            if member && !is_member {
                list.write().push(being_id);
            } else if !member && is_member {
                list.write().retain(|id| *id != being_id);
            }
        }
    }
}
