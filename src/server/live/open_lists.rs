//! What opening a stream of several spaces costs against the stream limits (docs/SYNC.md, "Many
//! spaces on one stream"): one stream per 20 spaces it follows, and one per 5 spaces it makes
//! its viewer present in — counting only what the signed-in being's streams open on this node
//! do not already follow. A browser that reopens its stream with one more space (docs/SYNC.md,
//! "One connection per browser") pays for that space, not for all of them again; a being with
//! many streams open pays in full.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use super::spaces_stream::Followed;
use crate::server::locks::lock;
use crate::sync::tabs::Visit;

/// Spaces followed that count as one stream.
const SPACES_PER_STREAM: usize = 20;
/// Spaces its viewer is made present in that count as one stream.
const PRESENT_PER_STREAM: usize = 5;
/// Streams of one being open at once past which a new one pays in full.
const DISCOUNTED_UP_TO: usize = 8;

#[derive(Debug)]
struct Listed {
    id: u64,
    spaces: HashSet<Uuid>,
    present: HashSet<Uuid>,
}

/// The lists of each being's open streams of several spaces, on this node.
#[derive(Debug, Default)]
pub(crate) struct OpenLists {
    next_id: AtomicU64,
    by_being: Mutex<HashMap<Uuid, Vec<Listed>>>,
}

/// One open stream's list, forgotten when the stream ends.
#[derive(Debug)]
pub(crate) struct OpenList {
    lists: Arc<OpenLists>,
    being_id: Uuid,
    id: u64,
}

fn present(followed: &Followed) -> bool {
    followed.visit != Visit::Watching
}

impl OpenLists {
    /// What opening `followed` costs, in streams, for `being_id` (`None`: anonymous, or not
    /// known before the database says who it is).
    pub fn weight(&self, being_id: Option<Uuid>, followed: &[Followed]) -> NonZeroU32 {
        let by_being = lock(&self.by_being);
        let open: &[Listed] = being_id
            .and_then(|id| by_being.get(&id))
            .filter(|lists| lists.len() < DISCOUNTED_UP_TO)
            .map_or(&[], Vec::as_slice);
        let new_spaces = followed
            .iter()
            .filter(|f| !open.iter().any(|l| l.spaces.contains(&f.space_id)))
            .count();
        let new_present = followed
            .iter()
            .filter(|f| present(f) && !open.iter().any(|l| l.present.contains(&f.space_id)))
            .count();
        let weight =
            new_spaces.div_ceil(SPACES_PER_STREAM) + new_present.div_ceil(PRESENT_PER_STREAM);
        NonZeroU32::new(u32::try_from(weight).unwrap_or(u32::MAX)).unwrap_or(NonZeroU32::MIN)
    }

    /// Notes `being_id`'s new stream of `followed`, for as long as the result is kept.
    pub fn open(self: &Arc<Self>, being_id: Uuid, followed: &[Followed]) -> OpenList {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let listed = Listed {
            id,
            spaces: followed.iter().map(|f| f.space_id).collect(),
            present: followed
                .iter()
                .filter(|f| present(f))
                .map(|f| f.space_id)
                .collect(),
        };
        lock(&self.by_being)
            .entry(being_id)
            .or_default()
            .push(listed);
        OpenList {
            lists: self.clone(),
            being_id,
            id,
        }
    }
}

impl Drop for OpenList {
    fn drop(&mut self) {
        let mut by_being = lock(&self.lists.by_being);
        if let Some(lists) = by_being.get_mut(&self.being_id) {
            lists.retain(|l| l.id != self.id);
            if lists.is_empty() {
                by_being.remove(&self.being_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn followed(ids: std::ops::Range<u128>, visit: Visit) -> Vec<Followed> {
        ids.map(|n| Followed {
            space_id: Uuid::from_u128(n),
            cursor: None,
            visit,
        })
        .collect()
    }

    #[test]
    fn a_list_costs_a_stream_per_twenty_spaces_and_per_five_it_is_present_in() {
        let lists = OpenLists::default();
        let mut home = followed(0..200, Visit::Watching);
        home.extend(followed(200..201, Visit::Here));
        assert_eq!(lists.weight(None, &home).get(), 11 + 1);
        assert_eq!(
            lists.weight(None, &followed(0..10, Visit::Away)).get(),
            1 + 2
        );
    }

    #[test]
    fn a_reopen_pays_for_what_it_adds_until_too_many_are_open() {
        let lists = Arc::new(OpenLists::default());
        let ada = Uuid::from_u128(0xada);
        let home = followed(0..200, Visit::Watching);
        let first = lists.open(ada, &home);
        let mut more = home.clone();
        more.extend(followed(200..201, Visit::Here));
        assert_eq!(
            lists.weight(Some(ada), &more).get(),
            1 + 1,
            "one space, present"
        );
        assert_eq!(lists.weight(Some(ada), &home).get(), 1, "nothing new");
        assert_eq!(lists.weight(None, &home).get(), 10, "somebody else");
        let held: Vec<OpenList> = (1..DISCOUNTED_UP_TO)
            .map(|_| lists.open(ada, &home))
            .collect();
        assert_eq!(lists.weight(Some(ada), &home).get(), 10, "too many open");
        drop((first, held));
        assert_eq!(lists.weight(Some(ada), &home).get(), 10, "none open");
    }
}
