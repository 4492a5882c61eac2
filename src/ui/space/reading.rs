//! How far the viewer has read this space: the server's mark (shared by all their tabs and
//! devices, and moved live on each), the messages after it that count as unread, and where the
//! "New" line is drawn.

use leptos::prelude::*;
use uuid::Uuid;

use super::message::Message;
use crate::sync::{ReadPlace, ReadState};

#[derive(Clone, Copy)]
pub struct Reading {
    /// The signed-in reader; nobody's reading is kept for a signed-out page.
    pub reader: Option<Uuid>,
    /// The server's mark, as last heard (`None`: never read here).
    pub mark: RwSignal<Option<ReadPlace>>,
    /// The message the "New" line is drawn above: the first unread one as the page opened, or
    /// the first that arrived unseen after that. It stays while the page does.
    pub line_before: RwSignal<Option<Uuid>>,
}

impl Reading {
    pub fn new(reader: Option<Uuid>, read: Option<&ReadState>, messages: &[Message]) -> Self {
        let mark = read.and_then(|r| r.up_to);
        Reading {
            reader,
            mark: RwSignal::new(mark),
            line_before: RwSignal::new(reader.and_then(|reader| unread(messages, mark, reader).1)),
        }
    }

    /// The server says where the mark is now: it only moves forward.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn heard(&self, read: &ReadState) {
        // The page may have gone while the answer was on its way.
        if self
            .mark
            .try_get_untracked()
            .is_some_and(|mark| read.up_to > mark)
        {
            self.mark.set(read.up_to);
        }
    }

    /// Messages by others after the mark, and the first of them.
    pub fn unread(&self, messages: &[Message]) -> (usize, Option<Uuid>) {
        match self.reader {
            Some(reader) => unread(messages, self.mark.get(), reader),
            None => (0, None),
        }
    }
}

/// Where a row is in the conversation, by the server's copy of it.
pub fn place_of(row: &Message) -> ReadPlace {
    row.intention.with_untracked(|i| ReadPlace {
        at: i.created_at,
        id: i.id,
    })
}

/// Messages (oldest first) after `mark` not written by `reader`, and the first of them; none
/// before anything was read, as the server counts.
fn unread(messages: &[Message], mark: Option<ReadPlace>, reader: Uuid) -> (usize, Option<Uuid>) {
    let Some(mark) = mark else {
        return (0, None);
    };
    let after = messages
        .iter()
        .rev()
        .take_while(|row| place_of(row) > mark)
        .filter(|row| row.stamp.owner_id != reader);
    after.fold((0, None), |(count, _), row| (count + 1, Some(row.stamp.id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Intention, IntentionKind, IntentionState, Timestamp};
    use crate::ui::space::message::with_runs;

    fn said(owner: Uuid, at: i64) -> Intention {
        Intention {
            id: Uuid::now_v7(),
            kind: IntentionKind::Utterance,
            state: IntentionState::Complete,
            owner_id: owner,
            location_id: Uuid::nil(),
            content: "hi".into(),
            reply_to: None,
            created_at: Timestamp(at),
            updated_at: Timestamp(at),
        }
    }

    #[test]
    fn unread_are_others_messages_after_the_mark() {
        let (me, ada) = (Uuid::new_v4(), Uuid::new_v4());
        let rows = with_runs(vec![said(ada, 1), said(ada, 2), said(me, 3), said(ada, 4)]);
        let at = |i: usize| Some(place_of(&rows[i]));
        assert_eq!(unread(&rows, None, me), (0, None), "nothing read yet");
        assert_eq!(unread(&rows, at(0), me), (2, Some(rows[1].stamp.id)));
        assert_eq!(unread(&rows, at(2), me), (1, Some(rows[3].stamp.id)));
        assert_eq!(unread(&rows, at(3), me), (0, None));
    }
}
