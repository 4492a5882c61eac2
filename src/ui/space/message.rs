//! A row of the conversation, and what the page learns about rows as they change.

use leptos::prelude::*;
use uuid::Uuid;

use super::runs::{Stamp, starts_run};
use crate::model::Intention;

/// One row of the conversation. Its parts are its own signals: the list changing shape (a
/// message added or removed) leaves every other row untouched.
#[derive(Clone, Debug)]
pub struct Message {
    /// Id, author, kind and time: fixed for the row's life.
    pub stamp: Stamp,
    pub intention: ArcRwSignal<Intention>,
    /// Starts a run, so it shows its author and time.
    pub starts_run: ArcRwSignal<bool>,
    /// Written on this page and not yet confirmed by the server.
    pub outbox: ArcRwSignal<Option<Outbox>>,
}

impl Message {
    pub(super) fn new(intention: Intention, starts_run: bool, outbox: Option<Outbox>) -> Self {
        Message {
            stamp: Stamp::of(&intention),
            intention: ArcRwSignal::new(intention),
            starts_run: ArcRwSignal::new(starts_run),
            outbox: ArcRwSignal::new(outbox),
        }
    }
}

/// Where a message written here stands until the server's copy arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outbox {
    /// Waiting its turn, or for the connection to come back.
    Queued,
    Sending,
    /// The server asked to wait this many seconds (too many messages at once); it goes then.
    Held {
        seconds: u64,
    },
    /// Refused or undeliverable; the reader may retry.
    Failed(String),
}

/// A message that arrived from the stream at the end of the conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrival {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub content: String,
}

/// Rows for `intentions` (oldest first).
pub(super) fn with_runs(intentions: Vec<Intention>) -> Vec<Message> {
    let mut rows: Vec<Message> = Vec::with_capacity(intentions.len());
    for intention in intentions {
        let first = starts_run(rows.last().map(|m| &m.stamp), &Stamp::of(&intention));
        rows.push(Message::new(intention, first, None));
    }
    rows
}
