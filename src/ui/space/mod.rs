//! A space's live state in the page: a reactive store built from a snapshot and kept current
//! by the stream (see `crate::client`), shared by every component of the space page.

mod deltas;
mod message;
mod reading;
mod runs;
mod store;
#[cfg(test)]
mod store_tests;
mod typing;
mod writer;

pub use message::{Message, Outbox};
pub use reading::Reading;
#[cfg(feature = "hydrate")]
pub use reading::place_of;
pub use runs::Stamp;
pub use store::{SpaceDataStoreFields, SpaceStore};
#[cfg(feature = "hydrate")]
pub use typing::SHOWN_FOR_MS;
pub use typing::{Typists, now_ms};
pub use writer::Writer;

use leptos::prelude::*;

/// How current the page is, for the connection indicator. Set by the browser's connection
/// (`client/`); the server renders a page as catching up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum Status {
    /// Following live deltas.
    Live,
    /// Connected, receiving what was missed.
    CatchingUp,
    /// Lost the connection; trying again.
    Reconnecting,
    /// The stream is blocked (a buffering proxy); asking for changes every few seconds.
    Polling,
    /// The browser is offline; showing what it last knew.
    Offline,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Live => "live",
            Status::CatchingUp => "catching up",
            Status::Reconnecting => "reconnecting",
            Status::Polling => "polling",
            Status::Offline => "offline",
        }
    }
}

/// The space page's shared state: one per open space, provided through context.
#[derive(Clone, Copy)]
pub struct FollowedSpace {
    pub store: SpaceStore,
    pub status: RwSignal<Status>,
    /// The viewer may remove beings and others' messages here.
    pub moderates: bool,
    /// Who is typing here now.
    pub typists: Typists,
    /// How far the viewer has read here.
    pub reading: Reading,
}

pub fn use_space() -> FollowedSpace {
    expect_context::<FollowedSpace>()
}
