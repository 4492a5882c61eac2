//! Changes on their way to a space's streams: each committed change, with what the hub must
//! know of it; those waiting to be sent, by position; and the log's rows read back as changes.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use uuid::Uuid;

use super::event::{ChangeJson, LogError};
use crate::server::locks::lock;
use crate::sync::Change;

/// A committed change of a space: handed over by the recorder on this node, announced by
/// another, or read from the log.
#[derive(Clone, Debug)]
pub(crate) struct Committed {
    pub json: ChangeJson,
    /// When this node had it: at commit, on arrival from another node, or read from the log.
    pub at: Instant,
    /// It deletes the space itself: the space's streams end after it.
    pub ends_space: bool,
}

impl Committed {
    pub fn of(space_id: Uuid, change: &Change) -> Self {
        Committed {
            json: ChangeJson::of(change),
            at: Instant::now(),
            ends_space: change.ends_space(space_id),
        }
    }

    /// A change as the log keeps it (and a notification carries it).
    pub(super) fn parse(space_id: Uuid, text: String) -> Result<Self, LogError> {
        let json = ChangeJson::from_log(text)?;
        Ok(Committed {
            ends_space: json.ends_space(space_id),
            json,
            at: Instant::now(),
        })
    }
}

/// Changes committed on this node, by position, not sent yet.
pub(super) type Waiting = Mutex<BTreeMap<u64, Committed>>;

/// The log's rows as changes, up to the first that is not one (its position comes second).
pub(super) fn readable_run(
    space_id: Uuid,
    rows: Vec<(u64, String)>,
) -> (Vec<(u64, Committed)>, Option<u64>) {
    let mut readable = Vec::with_capacity(rows.len());
    for (at, text) in rows {
        match Committed::parse(space_id, text) {
            Ok(change) => readable.push((at, change)),
            Err(error) => {
                tracing::error!(%space_id, at, %error, "the change log holds a row that is not a change");
                return (readable, Some(at));
            }
        }
    }
    (readable, None)
}

/// The changes waiting right after `last`, in order, up to the first one missing. They stay
/// until a send has them out (a failed log read must not lose them); anything at or before
/// `last` is dropped.
pub(super) fn run_after(waiting: &Waiting, last: u64) -> Vec<(u64, Committed)> {
    let mut waiting = lock(waiting);
    *waiting = waiting.split_off(&(last + 1));
    waiting
        .iter()
        .zip(last + 1..)
        .take_while(|((at, _), expected)| **at == *expected)
        .map(|((at, change), _)| (*at, change.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::{Committed, Waiting, run_after};
    use crate::sync::Change;

    /// The change waiting at `p`: it deletes the message whose id is `p`.
    fn change(p: u64) -> Committed {
        let id = Uuid::from_u128(u128::from(p));
        Committed::of(Uuid::nil(), &Change::IntentionDelete { id })
    }

    fn waiting(positions: &[u64]) -> Waiting {
        Waiting::new(positions.iter().map(|&p| (p, change(p))).collect())
    }

    /// Each position with the change that waited there.
    fn sent(run: Vec<(u64, Committed)>) -> Vec<u64> {
        run.into_iter()
            .map(|(p, c)| {
                assert_eq!(
                    c.json.as_str(),
                    change(p).json.as_str(),
                    "the change of {p}"
                );
                p
            })
            .collect()
    }

    #[test]
    fn what_waits_goes_out_in_order_up_to_the_first_gap() {
        let w = waiting(&[3, 5, 6, 7, 9]);
        assert_eq!(
            sent(run_after(&w, 4)),
            [5, 6, 7],
            "3 was sent already; 8 is missing"
        );
        assert_eq!(run_after(&w, 4).len(), 3, "kept until a send has them out");
        let left: Vec<u64> = w.lock().unwrap().keys().copied().collect();
        assert_eq!(left, [5, 6, 7, 9], "what was sent before is dropped");
        assert!(run_after(&w, 7).is_empty(), "8 is missing, so 9 must wait");
        assert_eq!(sent(run_after(&w, 8)), [9]);
    }
}
