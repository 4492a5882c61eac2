//! The delta protocol (docs/SYNC.md): the types on the wire, cursors, and the pure `apply`
//! that builds a space's state from them. Shared by the server, the browser client and tests.

mod apply;
pub mod backoff;
mod cursor;
pub mod tabs;

pub use apply::{Applied, SpaceModel, SpaceState, apply};
pub use cursor::{Cursor, CursorError};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{Being, Intention, Timestamp};

/// One change to a space.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    BeingUpsert {
        being: Being,
    },
    BeingDelete {
        id: Uuid,
    },
    IntentionUpsert {
        intention: Intention,
    },
    IntentionDelete {
        id: Uuid,
    },
    /// `away`: online only through pages hidden for a while (left out when false).
    Presence {
        being_id: Uuid,
        online: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        away: bool,
    },
}

/// What a change is about: the change log keeps one row per entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entity {
    Being(Uuid),
    Intention(Uuid),
    Presence(Uuid),
}

impl Change {
    /// Whether this change deletes the space `space_id` itself: its streams end after it.
    pub fn ends_space(&self, space_id: Uuid) -> bool {
        matches!(self, Change::BeingDelete { id } if *id == space_id)
    }

    pub fn entity(&self) -> Entity {
        match self {
            Change::BeingUpsert { being } => Entity::Being(being.id),
            Change::BeingDelete { id } => Entity::Being(*id),
            Change::IntentionUpsert { intention } => Entity::Intention(intention.id),
            Change::IntentionDelete { id } => Entity::Intention(*id),
            Change::Presence { being_id, .. } => Entity::Presence(*being_id),
        }
    }
}

/// A change with its position in the space and the position of the delta before it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    pub pos: u64,
    pub prev: u64,
    #[serde(flatten)]
    pub change: Change,
}

/// A being as the space shows it: with whether it is online there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeingState {
    #[serde(flatten)]
    pub being: Being,
    pub online: bool,
    /// Online only through pages hidden for a while (left out when false).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub away: bool,
}

/// Why the server sent the whole state instead of deltas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetReason {
    /// No cursor was given.
    Initial,
    /// The cursor belongs to another database.
    Epoch,
    /// The cursor is older than the kept window.
    Expired,
    /// The cursor names a position the space has not reached.
    Ahead,
    /// Not a cursor at all.
    Invalid,
    /// The catch-up would be longer than the server sends (`catch-up-max-changes`,
    /// `catch-up-max-bytes`): the state is smaller.
    TooLarge,
    /// A reason this client does not know yet (a newer server): a reset all the same.
    #[serde(other)]
    Other,
}

/// The state of a space at one position: what a `reset` carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub epoch: String,
    pub position: u64,
    pub reason: ResetReason,
    pub space: Being,
    /// The first beings in the space, in order of arrival.
    pub beings: Vec<BeingState>,
    /// Cursor for `GET /api/spaces/{id}/beings?after=` when there are more.
    #[serde(default)]
    pub more_beings: Option<String>,
    /// The newest intentions, newest first.
    pub intentions: Vec<Intention>,
    /// Cursor for `GET /api/spaces/{id}/intentions?before=` to page further back.
    pub more: Option<String>,
    /// Authors of those intentions who are not in the space, for their names.
    #[serde(default)]
    pub authors: Vec<Being>,
}

impl Snapshot {
    /// The beings online here.
    pub fn online(&self) -> Vec<Uuid> {
        self.beings_where(|b| b.online)
    }

    /// The beings here whose every page is hidden a while.
    pub fn away(&self) -> Vec<Uuid> {
        self.beings_where(|b| b.online && b.away)
    }

    fn beings_where(&self, keep: impl Fn(&BeingState) -> bool) -> Vec<Uuid> {
        self.beings
            .iter()
            .filter(|b| keep(b))
            .map(|b| b.being.id)
            .collect()
    }

    pub fn cursor(&self) -> Cursor {
        Cursor {
            epoch: self.epoch.clone(),
            position: self.position,
        }
    }
}

/// The answer of `GET /api/spaces/{id}/changes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Changes {
    Deltas {
        epoch: String,
        position: u64,
        deltas: Vec<Delta>,
    },
    Reset(Snapshot),
}

/// The `live` event: the catch-up is over at this position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    pub position: u64,
}

/// `event: typing`: someone is writing a message in the space. Ephemeral: no id, never in the
/// log, never replayed; shown for a few seconds unless another comes (docs/SYNC.md, "Typing").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typing {
    pub being_id: Uuid,
    pub name: String,
}

/// How far a being has read a space, and what is new after that: `event: read` on that being's
/// own streams, and the answer of `GET`/`PUT /api/spaces/{id}/read` (docs/API.md, "Reading").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadState {
    pub space_id: Uuid,
    /// The last message read (`None`: nothing read here yet, so nothing counts as unread).
    pub up_to: Option<ReadPlace>,
    /// Messages by others after it, counted up to [`COUNTED_UP_TO`].
    pub unread: u32,
    /// Messages by others that mention the reader: after the mark, or all of them before any.
    pub mentions: u32,
}

/// A message's place in its conversation: the last one read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReadPlace {
    pub at: Timestamp,
    pub id: Uuid,
}

/// Unread messages and mentions are counted up to this many ("999+" past it), so a count costs
/// at most this much of an index, however long ago the reader last looked.
pub const COUNTED_UP_TO: u32 = 1000;

/// A space as a list of spaces shows it, read at one position: the stream of several spaces
/// resumes it from there (docs/SYNC.md, "Many spaces on one stream").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceSummary {
    pub space: Being,
    pub epoch: String,
    pub position: u64,
    /// The beings online there (away ones too).
    pub online: Vec<Uuid>,
    /// Names to show: the first few online, and the latest message's author.
    pub names: Vec<Being>,
    pub latest: Option<Intention>,
    /// The viewer's reading there (`None` when signed out).
    pub read: Option<ReadState>,
}
