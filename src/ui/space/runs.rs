//! Runs: consecutive messages by one author, close together in time, share one header.

use uuid::Uuid;

use crate::model::{Intention, IntentionKind, Timestamp};

/// The longest pause between two messages of one run, in microseconds: five minutes.
pub const RUN_GAP_MICROS: i64 = 5 * 60 * 1_000_000;

/// What decides runs and order: a message's author, kind and time, which never change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub kind: IntentionKind,
    pub at: Timestamp,
}

impl Stamp {
    pub fn of(intention: &Intention) -> Self {
        Stamp {
            id: intention.id,
            owner_id: intention.owner_id,
            kind: intention.kind,
            at: intention.created_at,
        }
    }

    /// Messages are shown in this order: by time, then id.
    pub fn order(&self) -> (Timestamp, Uuid) {
        (self.at, self.id)
    }
}

/// Whether `message` starts a new run after `prev` (the message before it, if any).
pub fn starts_run(prev: Option<&Stamp>, message: &Stamp) -> bool {
    match prev {
        None => true,
        Some(prev) => {
            prev.owner_id != message.owner_id
                || prev.kind != message.kind
                || message.at.0 - prev.at.0 > RUN_GAP_MICROS
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(owner: u128, at_secs: i64) -> Stamp {
        Stamp {
            id: Uuid::new_v4(),
            owner_id: Uuid::from_u128(owner),
            kind: IntentionKind::Utterance,
            at: Timestamp(at_secs * 1_000_000),
        }
    }

    #[test]
    fn the_first_message_starts_a_run() {
        assert!(starts_run(None, &message(1, 0)));
    }

    #[test]
    fn the_same_author_soon_after_continues_it() {
        assert!(!starts_run(Some(&message(1, 0)), &message(1, 300)));
    }

    #[test]
    fn another_author_or_a_long_pause_starts_a_new_one() {
        assert!(starts_run(Some(&message(1, 0)), &message(2, 1)));
        assert!(starts_run(Some(&message(1, 0)), &message(1, 301)));
    }
}
