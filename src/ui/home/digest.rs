//! One space as the home page shows it, kept current by that space's deltas: who is online,
//! the latest message, the reader's unread messages and mentions. It is a [`SpaceModel`], so
//! the same `sync::apply` that keeps a space page exact (positions, gaps) keeps it.

use uuid::Uuid;

use crate::model::{Being, Intention, mentions};
use crate::sync::{ReadPlace, ReadState, Snapshot, SpaceModel, SpaceSummary};

/// Who reads the home page: their own messages are never unread, their name is mentioned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reader {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpaceDigest {
    pub space: Being,
    pub epoch: String,
    pub position: u64,
    pub deleted: bool,
    /// The beings online there.
    pub online: Vec<Uuid>,
    /// Names the page knows, of beings online there and of authors.
    names: Vec<(Uuid, String)>,
    pub latest: Option<Intention>,
    pub read: Option<ReadState>,
    reader: Option<Reader>,
    /// Messages this page counted as unread, or as mentions, since the summary: none twice.
    counted: Vec<Uuid>,
    mentioned: Vec<Uuid>,
}

impl SpaceDigest {
    pub fn new(summary: SpaceSummary, reader: Option<Reader>) -> Self {
        SpaceDigest {
            names: summary
                .names
                .into_iter()
                .map(|being| (being.id, being.name))
                .collect(),
            space: summary.space,
            epoch: summary.epoch,
            position: summary.position,
            deleted: false,
            online: summary.online,
            latest: summary.latest,
            read: summary.read,
            reader,
            counted: Vec::new(),
            mentioned: Vec::new(),
        }
    }

    /// The space's whole state came instead of deltas (its cursor had expired): the row
    /// starts again from it, keeping the reader's counts until the server says more.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn reset(&mut self, snapshot: Snapshot) {
        let online = snapshot.online();
        let mut names: Vec<Being> = snapshot.beings.iter().map(|b| b.being.clone()).collect();
        names.extend(snapshot.authors.iter().cloned());
        let summary = SpaceSummary {
            epoch: snapshot.epoch,
            position: snapshot.position,
            online,
            names,
            latest: snapshot.intentions.first().cloned(),
            read: self.read.take(),
            space: snapshot.space,
        };
        *self = SpaceDigest::new(summary, self.reader.take());
    }

    pub fn name_of(&self, id: Uuid) -> Option<&str> {
        self.names
            .iter()
            .find(|(known, _)| *known == id)
            .map(|(_, name)| name.as_str())
    }

    /// How many are online, and the names of the first `few` the page knows.
    pub fn online_names(&self, few: usize) -> (usize, Vec<String>) {
        let names = self
            .online
            .iter()
            .filter_map(|id| self.name_of(*id))
            .take(few)
            .map(str::to_owned)
            .collect();
        (self.online.len(), names)
    }

    /// The reader's unread messages and mentions here.
    pub fn unread(&self) -> (u32, u32) {
        self.read
            .as_ref()
            .map_or((0, 0), |r| (r.unread, r.mentions))
    }

    /// The server says where the reader's mark is now, and what is new after it.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn heard(&mut self, read: ReadState) {
        if self.read.as_ref().is_some_and(|r| r.up_to > read.up_to) {
            return;
        }
        self.counted.clear();
        self.mentioned.clear();
        self.read = Some(read);
    }

    fn know(&mut self, id: Uuid, name: &str) {
        match self.names.iter_mut().find(|(known, _)| *known == id) {
            Some(entry) => name.clone_into(&mut entry.1),
            None => self.names.push((id, name.to_owned())),
        }
    }

    /// A new message from someone else after the mark counts once, as it first comes (an edit
    /// of one the summary counted already is not new); a mention of the reader counts apart,
    /// after the mark or before any.
    fn count(&mut self, message: &Intention) {
        let (Some(reader), Some(read)) = (&self.reader, &mut self.read) else {
            return;
        };
        if message.owner_id == reader.id || message.updated_at != message.created_at {
            return;
        }
        let place = Some(ReadPlace {
            at: message.created_at,
            id: message.id,
        });
        if read.up_to.is_some() && place > read.up_to && !self.counted.contains(&message.id) {
            self.counted.push(message.id);
            read.unread += 1;
        }
        if place > read.up_to
            && !self.mentioned.contains(&message.id)
            && mentions(&message.content, &reader.name)
        {
            self.mentioned.push(message.id);
            read.mentions += 1;
        }
    }
}

impl SpaceModel for SpaceDigest {
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
        self.know(being.id, &being.name);
    }
    fn delete_being(&mut self, _id: Uuid) {}
    fn upsert_intention(&mut self, intention: Intention) {
        let place = |m: &Intention| (m.created_at, m.id);
        let newest = self
            .latest
            .as_ref()
            .is_none_or(|latest| place(&intention) >= place(latest));
        self.count(&intention);
        if newest {
            self.latest = Some(intention);
        }
    }
    fn delete_intention(&mut self, id: Uuid) {
        if self.latest.as_ref().is_some_and(|latest| latest.id == id) {
            self.latest = None;
        }
        if let Some(read) = &mut self.read {
            if let Some(at) = self.counted.iter().position(|c| *c == id) {
                self.counted.remove(at);
                read.unread = read.unread.saturating_sub(1);
            }
            if let Some(at) = self.mentioned.iter().position(|c| *c == id) {
                self.mentioned.remove(at);
                read.mentions = read.mentions.saturating_sub(1);
            }
        }
    }
    fn set_presence(&mut self, being_id: Uuid, online: bool, _away: bool) {
        let here = self.online.contains(&being_id);
        if online && !here {
            self.online.push(being_id);
        } else if !online && here {
            self.online.retain(|id| *id != being_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BeingKind, IntentionKind, IntentionState, Timestamp};
    use crate::sync::{Applied, Change, Delta, apply};

    fn being(name: &str, kind: BeingKind) -> Being {
        Being {
            id: Uuid::now_v7(),
            kind,
            name: name.into(),
            owner_id: None,
            location_id: None,
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
        }
    }

    fn said(owner: Uuid, at: i64, content: &str) -> Intention {
        Intention {
            id: Uuid::now_v7(),
            kind: IntentionKind::Utterance,
            state: IntentionState::Complete,
            owner_id: owner,
            location_id: Uuid::nil(),
            content: content.into(),
            reply_to: None,
            created_at: Timestamp(at),
            updated_at: Timestamp(at),
        }
    }

    fn digest(me: &Being, ada: &Being, read: Option<ReadPlace>) -> SpaceDigest {
        let space = being("Garden", BeingKind::Space);
        let summary = SpaceSummary {
            read: Some(ReadState {
                space_id: space.id,
                up_to: read,
                unread: 0,
                mentions: 0,
            }),
            space,
            epoch: "e".into(),
            position: 10,
            online: vec![ada.id],
            names: vec![ada.clone()],
            latest: None,
        };
        let reader = Reader {
            id: me.id,
            name: me.name.clone(),
        };
        SpaceDigest::new(summary, Some(reader))
    }

    fn delta(pos: u64, change: Change) -> Delta {
        Delta {
            pos,
            prev: pos - 1,
            change,
        }
    }

    #[test]
    fn a_new_message_counts_once_and_a_mention_apart() {
        let (me, ada) = (
            being("Bo", BeingKind::Guest),
            being("Ada", BeingKind::Guest),
        );
        let mark = ReadPlace {
            at: Timestamp(5),
            id: Uuid::nil(),
        };
        let mut row = digest(&me, &ada, Some(mark));
        let hello = said(ada.id, 6, "hello @bo");
        let upsert = |m: &Intention| Change::IntentionUpsert {
            intention: m.clone(),
        };
        assert_eq!(
            apply(&mut row, &delta(11, upsert(&hello))),
            Applied::Applied
        );
        assert_eq!(row.unread(), (1, 1));
        assert_eq!(row.latest.as_ref().map(|m| m.id), Some(hello.id));
        // Edited: the same message, not another.
        let mut edited = hello.clone();
        edited.content = "hello @Bo!".into();
        apply(&mut row, &delta(12, upsert(&edited)));
        assert_eq!(row.unread(), (1, 1));
        // Mine never counts; one before the mark neither.
        apply(&mut row, &delta(13, upsert(&said(me.id, 7, "hi @bo"))));
        apply(&mut row, &delta(14, upsert(&said(ada.id, 4, "old"))));
        assert_eq!(row.unread(), (1, 1));
        // A gap is not applied.
        let later = said(ada.id, 9, "later");
        assert!(matches!(
            apply(&mut row, &delta(16, upsert(&later))),
            Applied::Gap { .. }
        ));
        assert_eq!(row.unread(), (1, 1));
        // Deleted, it is not unread any more.
        apply(
            &mut row,
            &delta(15, Change::IntentionDelete { id: hello.id }),
        );
        assert_eq!(row.unread(), (0, 0));
    }

    #[test]
    fn presence_and_names_follow_the_deltas() {
        let (me, ada) = (
            being("Bo", BeingKind::Guest),
            being("Ada", BeingKind::Guest),
        );
        let mut row = digest(&me, &ada, None);
        let cy = being("Cy", BeingKind::Guest);
        apply(
            &mut row,
            &delta(11, Change::BeingUpsert { being: cy.clone() }),
        );
        let presence = |being_id, online| Change::Presence {
            being_id,
            online,
            away: false,
        };
        apply(&mut row, &delta(12, presence(cy.id, true)));
        assert_eq!(row.online_names(3), (2, vec!["Ada".into(), "Cy".into()]));
        apply(&mut row, &delta(13, presence(ada.id, false)));
        assert_eq!(row.online_names(3), (1, vec!["Cy".into()]));
        // Nothing read here yet: a mention counts, a message does not.
        apply(
            &mut row,
            &delta(
                14,
                Change::IntentionUpsert {
                    intention: said(ada.id, 1, "@Bo?"),
                },
            ),
        );
        assert_eq!(row.unread(), (0, 1));
    }
}
