//! The last deltas a node sent for a space, kept while anyone here streams it: a stream that
//! resumes from a cursor among them gets its catch-up from memory (coalesced as the log's is),
//! without reading the change log. Kept as an unbroken chain: when what is sent does not follow on from the newest kept
//! (the log was read past a gap, or the space reset its streams), the chain starts again.

use std::collections::VecDeque;

use super::committed::Committed;
use super::event::{ChangeJson, DeltaJson};
use crate::sync::{Change, Entity};

/// Deltas kept per watched space.
const KEPT: usize = 256;

#[derive(Debug, Default)]
pub(super) struct RecentDeltas(VecDeque<DeltaJson>);

impl RecentDeltas {
    /// `sent` went out, in order, each following the one before.
    pub fn push(&mut self, sent: &[DeltaJson]) {
        let Some(first) = sent.first() else {
            return;
        };
        if self.0.back().is_some_and(|newest| newest.pos != first.prev) {
            self.0.clear();
        }
        self.0.extend(sent.iter().cloned());
        let over = self.0.len().saturating_sub(KEPT);
        self.0.drain(..over);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The space's streams moved to `position` without deltas (a reset): nothing kept follows
    /// on to it.
    pub fn forget(&mut self) {
        self.0.clear();
    }

    /// The deltas sent after `cursor`, when the chain kept reaches from it to `last` (what was
    /// sent last) and they are at most `max_changes`; `None` when the log must answer. A copy,
    /// so that [`catch_up`] can read them without the space's lock.
    pub fn after(&self, cursor: u64, last: u64, max_changes: usize) -> Option<Vec<DeltaJson>> {
        if cursor == last {
            return Some(Vec::new());
        }
        if self.0.back()?.pos != last {
            return None;
        }
        let from = self.0.iter().position(|delta| delta.prev == cursor)?;
        if self.0.len() - from > max_changes {
            return None;
        }
        Some(self.0.range(from..).cloned().collect())
    }
}

/// The changes of `history` (oldest first, as the bus keeps them) in the unbroken run of
/// positions that ends at `last`, each with its text; empty when `last` is not among them.
pub(super) fn unbroken_up_to(
    last: u64,
    history: &[(u64, Option<Committed>)],
) -> Vec<(u64, ChangeJson)> {
    let Some(end) = history.iter().position(|(at, _)| *at == last) else {
        return Vec::new();
    };
    let mut run = Vec::new();
    for (at, change) in history[..=end].iter().rev() {
        let follows = run
            .last()
            .is_none_or(|(next, _): &(u64, ChangeJson)| *at + 1 == *next);
        match change {
            Some(change) if follows => run.push((*at, change.json.clone())),
            _ => break,
        }
    }
    run.reverse();
    run
}

/// The catch-up from `cursor` over `sent` (from [`RecentDeltas::after`]): each entity's latest
/// change once, in position order, chained from `cursor`, as a catch-up from the log carries
/// (docs/SYNC.md, "Coalesced catch-up"); `None` past `max_bytes`, or when a change is of a kind
/// this server does not know (a newer node's): the log answers then.
pub(super) fn catch_up(
    cursor: u64,
    sent: &[DeltaJson],
    max_bytes: usize,
) -> Option<Vec<DeltaJson>> {
    let mut latest: Vec<(Entity, &DeltaJson)> = Vec::new();
    for delta in sent {
        let entity = serde_json::from_str::<Change>(delta.change.as_str())
            .ok()?
            .entity();
        latest.retain(|(seen, _)| *seen != entity);
        latest.push((entity, delta));
    }
    let bytes: usize = latest.iter().map(|(_, d)| d.change.as_str().len()).sum();
    if bytes > max_bytes {
        return None;
    }
    let kept = latest.into_iter().map(|(_, d)| (d.pos, d.change.clone()));
    Some(DeltaJson::chain(cursor, kept))
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::server::live::event::ChangeJson;

    /// No limit.
    const ANY: (usize, usize) = (usize::MAX, usize::MAX);

    /// What a resume from `cursor` gets, within `(max_changes, max_bytes)`.
    fn resume(
        recent: &RecentDeltas,
        cursor: u64,
        last: u64,
        (max_changes, max_bytes): (usize, usize),
    ) -> Option<Vec<DeltaJson>> {
        catch_up(cursor, &recent.after(cursor, last, max_changes)?, max_bytes)
    }

    /// The deletes of messages `from + 1 ..= to` (message `p` at position `p`).
    fn chain(from: u64, to: u64) -> Vec<DeltaJson> {
        let delete = |p: u64| {
            let id = Uuid::from_u128(u128::from(p));
            ChangeJson::of(&Change::IntentionDelete { id })
        };
        DeltaJson::chain(from, (from + 1..=to).map(|p| (p, delete(p))))
    }

    fn positions(deltas: &[DeltaJson]) -> Vec<u64> {
        deltas.iter().map(|d| d.pos).collect()
    }

    #[test]
    fn what_the_bus_kept_is_remembered_from_its_unbroken_run_up_to_the_streams_position() {
        let change = |p: u64| {
            let id = Uuid::from_u128(u128::from(p));
            Some(Committed::of(Uuid::nil(), &Change::IntentionDelete { id }))
        };
        let history: Vec<_> = [3, 5, 6, 7, 8, 9]
            .into_iter()
            .map(|p| (p, if p == 6 { None } else { change(p) }))
            .collect();
        let kept = |last| -> Vec<u64> {
            unbroken_up_to(last, &history)
                .iter()
                .map(|(p, c)| {
                    assert_eq!(c.as_str(), change(*p).unwrap().json.as_str());
                    *p
                })
                .collect()
        };
        assert_eq!(kept(8), [7, 8], "6 came without its text");
        assert_eq!(kept(9), [7, 8, 9]);
        assert_eq!(kept(5), [5], "4 is missing");
        assert!(kept(4).is_empty(), "4 is not in the history");
    }

    #[test]
    fn a_cursor_in_the_chain_gets_what_came_after_it() {
        let mut recent = RecentDeltas::default();
        recent.push(&chain(10, 13));
        recent.push(&chain(13, 15));
        assert_eq!(
            positions(&resume(&recent, 12, 15, ANY).unwrap()),
            [13, 14, 15]
        );
        assert_eq!(
            positions(&resume(&recent, 10, 15, ANY).unwrap()),
            [11, 12, 13, 14, 15]
        );
        assert!(
            resume(&recent, 15, 15, ANY).unwrap().is_empty(),
            "nothing new"
        );
        assert!(
            resume(&recent, 9, 15, ANY).is_none(),
            "from before the chain: the log"
        );
        assert!(
            resume(&recent, 12, 16, ANY).is_none(),
            "sent past what is kept"
        );
        assert!(
            resume(&recent, 12, 15, (100, 10)).is_none(),
            "more bytes than a catch-up carries"
        );
        assert!(
            resume(&recent, 12, 15, (2, usize::MAX)).is_none(),
            "more changes than that"
        );
    }

    #[test]
    fn a_break_in_the_chain_starts_it_again_and_it_keeps_only_the_newest() {
        let mut recent = RecentDeltas::default();
        recent.push(&chain(0, 5));
        recent.push(&chain(8, 9));
        assert!(
            resume(&recent, 3, 9, ANY).is_none(),
            "6 and 7 were never kept"
        );
        assert_eq!(positions(&resume(&recent, 8, 9, ANY).unwrap()), [9]);
        recent.push(&chain(9, 9 + KEPT as u64 + 10));
        let last = 9 + KEPT as u64 + 10;
        assert!(
            resume(&recent, 9, last, ANY).is_none(),
            "the oldest are dropped"
        );
        assert_eq!(resume(&recent, last - 3, last, ANY).unwrap().len(), 3);
        recent.forget();
        assert!(resume(&recent, last - 3, last, ANY).is_none());
    }

    #[test]
    fn each_entity_comes_once_in_its_latest_state_chained_from_the_cursor() {
        let note = |p: u64, online: bool| {
            let change = Change::Presence {
                being_id: Uuid::nil(),
                online,
                away: false,
            };
            (p, ChangeJson::of(&change))
        };
        let mut recent = RecentDeltas::default();
        recent.push(&DeltaJson::chain(
            4,
            [note(5, true), note(6, false), note(7, true)],
        ));
        recent.push(&chain(7, 8));
        let after = resume(&recent, 4, 8, ANY).unwrap();
        let links: Vec<(u64, u64)> = after.iter().map(|d| (d.prev, d.pos)).collect();
        assert_eq!(links, [(4, 7), (7, 8)], "the presence once, at its latest");
        assert!(after[0].change.as_str().contains("\"online\":true"));
    }
}
