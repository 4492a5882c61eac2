//! One connection per browser (docs/SYNC.md, "One connection per browser"): what a browser's
//! tabs say to each other on their channel, and how the tab that leads turns every tab's list
//! into the one stream it opens (`GET /api/live`). Pure, so it is tested here; the browser side
//! is `client/live/`.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Cursor;

/// The most spaces one stream follows (`GET /api/live`): a home page's list and 20 open pages.
pub const MAX_SPACES: usize = HOME_SPACES + 20;

/// The most spaces a home page lists at once.
pub const HOME_SPACES: usize = 200;

/// A space a tab follows, from where, and whether its viewer is there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wanted {
    pub space_id: Uuid,
    pub cursor: Cursor,
    pub visit: Visit,
}

/// Whether a tab is in a space it follows. Ordered: several tabs together are the most present
/// of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visit {
    /// In a list (the home page): nobody is made present.
    Watching,
    /// On the space's page, hidden for a while.
    Away,
    /// On the space's page, shown.
    Here,
}

/// One event of the leader's stream, for the space whose frames it was among (`None`: the
/// stream's own, such as `signed_out`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabFrame {
    pub space_id: Option<Uuid>,
    pub event: String,
    pub data: String,
    /// The event's id (`EPOCH:POSITION` for a delta), empty when it has none.
    pub id: String,
}

/// Where the leader's stream is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamState {
    /// Open or opening: each space is live once its `live` frame came.
    Up,
    /// Lost; trying again after a while.
    Reconnecting,
    /// Streams keep being cut before they go live (a buffering proxy): each tab asks for its
    /// spaces' changes every few seconds.
    Polling,
    /// The browser is offline.
    Offline,
}

/// What goes over the channel, as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum Note {
    /// Everything a tab follows now (sent when it changes, and to a new leader).
    Follows { tab: String, wanted: Vec<Wanted> },
    /// A tab is going away.
    Bye { tab: String },
    /// A tab took the lead: every tab says what it follows.
    Leader { tab: String },
    /// One event of the stream, for every tab.
    Frame { frame: TabFrame },
    /// The stream's state changed.
    State { state: StreamState },
}

/// A space of the stream the leader opens: from where, and how present its viewer is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSpace {
    pub cursor: Cursor,
    pub visit: Visit,
}

/// Every tab's lists as one: each space once, from the stream's own position where it already
/// follows it (`known`), else from the furthest-behind tab (a tab ahead skips what it has), as
/// present as its most present tab. Past [`MAX_SPACES`] (more than 20 pages open beside a full
/// home page), spaces only watched from a list are left out first.
pub fn union<'a>(
    lists: impl IntoIterator<Item = &'a [Wanted]>,
    known: &HashMap<Uuid, Cursor>,
) -> BTreeMap<Uuid, StreamSpace> {
    let mut spaces: BTreeMap<Uuid, StreamSpace> = BTreeMap::new();
    for wanted in lists.into_iter().flatten() {
        let space = spaces
            .entry(wanted.space_id)
            .or_insert_with(|| StreamSpace {
                cursor: wanted.cursor.clone(),
                visit: wanted.visit,
            });
        space.visit = space.visit.max(wanted.visit);
        let behind = wanted.cursor.epoch != space.cursor.epoch
            || wanted.cursor.position < space.cursor.position;
        if behind {
            space.cursor = wanted.cursor.clone();
        }
    }
    for (space_id, space) in &mut spaces {
        if let Some(cursor) = known.get(space_id) {
            space.cursor = cursor.clone();
        }
    }
    let mut over = spaces.len().saturating_sub(MAX_SPACES);
    spaces.retain(|_, space| {
        let drop = over > 0 && space.visit == Visit::Watching;
        over -= usize::from(drop);
        !drop
    });
    spaces
}

/// The epoch most of `spaces` are in: the one the stream's positions are given in.
pub fn common_epoch(spaces: &BTreeMap<Uuid, StreamSpace>) -> String {
    let mut epochs: BTreeMap<&str, usize> = BTreeMap::new();
    for space in spaces.values() {
        *epochs.entry(space.cursor.epoch.as_str()).or_default() += 1;
    }
    epochs
        .iter()
        .max_by_key(|(_, count)| **count)
        .map(|(epoch, _)| (*epoch).to_owned())
        .unwrap_or_default()
}

/// The path and query of the stream of `spaces`: each position in their common epoch; a space
/// of another epoch (the server restarted since its tab loaded) starts with a reset.
pub fn live_path(spaces: &BTreeMap<Uuid, StreamSpace>) -> String {
    let epoch = common_epoch(spaces);
    let mut listed = Vec::with_capacity(spaces.len());
    let mut here = Vec::new();
    let mut away = Vec::new();
    for (space_id, space) in spaces {
        listed.push(if space.cursor.epoch == epoch {
            format!("{space_id}:{}", space.cursor.position)
        } else {
            space_id.to_string()
        });
        match space.visit {
            Visit::Watching => {}
            Visit::Away => away.push(space_id.to_string()),
            Visit::Here => here.push(space_id.to_string()),
        }
    }
    let mut path = format!("/api/live?epoch={epoch}&spaces={}", listed.join(","));
    for (name, ids) in [("here", here), ("away", away)] {
        if !ids.is_empty() {
            path.push_str(&format!("&{name}={}", ids.join(",")));
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(space: u128, position: u64, visit: Visit) -> Wanted {
        Wanted {
            space_id: Uuid::from_u128(space),
            cursor: Cursor {
                epoch: "ab".to_owned(),
                position,
            },
            visit,
        }
    }

    #[test]
    fn tabs_on_one_space_follow_it_once_from_the_furthest_behind_and_as_present_as_any() {
        let first = [wanted(1, 7, Visit::Watching), wanted(2, 3, Visit::Away)];
        let second = [wanted(1, 5, Visit::Here), wanted(2, 9, Visit::Watching)];
        let spaces = union([&first[..], &second[..]], &HashMap::new());
        assert_eq!(spaces.len(), 2);
        let one = &spaces[&Uuid::from_u128(1)];
        assert_eq!((one.cursor.position, one.visit), (5, Visit::Here));
        let two = &spaces[&Uuid::from_u128(2)];
        assert_eq!((two.cursor.position, two.visit), (3, Visit::Away));
    }

    #[test]
    fn a_space_the_stream_follows_already_resumes_from_the_streams_own_position() {
        let tab = [wanted(1, 2, Visit::Here), wanted(2, 4, Visit::Here)];
        let known = HashMap::from([(
            Uuid::from_u128(1),
            Cursor {
                epoch: "ab".to_owned(),
                position: 40,
            },
        )]);
        let spaces = union([&tab[..]], &known);
        assert_eq!(spaces[&Uuid::from_u128(1)].cursor.position, 40);
        assert_eq!(spaces[&Uuid::from_u128(2)].cursor.position, 4);
    }

    #[test]
    fn past_the_most_one_stream_follows_watched_spaces_give_way_to_open_pages() {
        let listed: Vec<Wanted> = (0..MAX_SPACES as u128)
            .map(|n| wanted(n, 1, Visit::Watching))
            .collect();
        let pages = [wanted(1000, 1, Visit::Here), wanted(1001, 1, Visit::Away)];
        let spaces = union([&listed[..], &pages[..]], &HashMap::new());
        assert_eq!(spaces.len(), MAX_SPACES);
        assert!(spaces.contains_key(&Uuid::from_u128(1000)));
        assert!(spaces.contains_key(&Uuid::from_u128(1001)));
    }

    #[test]
    fn the_path_names_positions_in_one_epoch_and_where_the_viewer_is() {
        let mut other = wanted(3, 8, Visit::Watching);
        other.cursor.epoch = "cd".to_owned();
        let tab = [wanted(1, 2, Visit::Here), wanted(2, 4, Visit::Away), other];
        let path = live_path(&union([&tab[..]], &HashMap::new()));
        let (one, two, three) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        assert_eq!(
            path,
            format!("/api/live?epoch=ab&spaces={one}:2,{two}:4,{three}&here={one}&away={two}")
        );
    }

    #[test]
    fn notes_round_trip_as_json() {
        let notes = [
            Note::Follows {
                tab: "t1".to_owned(),
                wanted: vec![wanted(1, 2, Visit::Here)],
            },
            Note::Frame {
                frame: TabFrame {
                    space_id: Some(Uuid::from_u128(1)),
                    event: "delta".to_owned(),
                    data: "{}".to_owned(),
                    id: "ab:3".to_owned(),
                },
            },
            Note::State {
                state: StreamState::Polling,
            },
        ];
        for note in notes {
            let text = serde_json::to_string(&note).unwrap();
            assert_eq!(serde_json::from_str::<Note>(&text).unwrap(), note, "{text}");
        }
    }
}
