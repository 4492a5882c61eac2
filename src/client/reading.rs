//! Marking what the reader sees: while the page is shown and the conversation's bottom is in
//! view, the server's mark follows the newest message. The mark is read again whenever the
//! stream goes live, for a move made elsewhere while this page was not listening.

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::{mark_read, read_mark};
use crate::sync::ReadPlace;
use crate::ui::space::{FollowedSpace, SpaceDataStoreFields, Status, place_of};

/// Keeps the reader's mark in `space_id` at the newest message whenever they can see it
/// (`at_bottom`: the conversation is scrolled to its end).
pub fn keep_marked(space_id: Uuid, followed: FollowedSpace, at_bottom: RwSignal<bool>) {
    let reading = followed.reading;
    if reading.reader.is_none() {
        return;
    }
    let shown = RwSignal::new(!document().hidden());
    let listener = window_event_listener_untyped("visibilitychange", move |_| {
        shown.set(!document().hidden());
    });
    on_cleanup(move || listener.remove());
    // The last place asked for, so a change that leaves it where it was asks nothing again.
    let asked = StoredValue::new(None::<Option<ReadPlace>>);
    Effect::new(move |_| {
        let messages = followed.store.data.messages();
        // The newest message the server has (what this page is still sending is not yet there).
        let newest = messages.with(|rows| {
            rows.iter()
                .rev()
                .find(|row| row.outbox.with(Option::is_none))
                .map(place_of)
        });
        let mark = reading.mark.get();
        let seen = shown.get() && at_bottom.get();
        let (count, first) = messages.with(|rows| reading.unread(rows));
        // What arrives while nobody looks gets the "New" line, if nothing has it yet.
        if !seen && count > 0 && reading.line_before.get_untracked().is_none() {
            reading.line_before.set(first);
        }
        let behind = match (newest, mark) {
            (Some(newest), Some(mark)) => newest > mark,
            (_, None) => true,
            (None, Some(_)) => false,
        };
        if !seen || !behind || asked.get_value() == Some(newest) {
            return;
        }
        asked.set_value(Some(newest));
        spawn_local(async move {
            match mark_read(space_id, newest.map(|place| place.id)).await {
                Ok(read) => reading.heard(&read),
                // Asked again at the next change.
                Err(_) => {
                    asked.try_set_value(None);
                }
            }
        });
    });
    Effect::new(move |was_live: Option<bool>| {
        let live = followed.status.get() == Status::Live;
        if live && was_live == Some(false) {
            spawn_local(async move {
                if let Ok(read) = read_mark(space_id).await {
                    reading.heard(&read);
                }
            });
        }
        live
    });
}
