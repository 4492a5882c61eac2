//! Writing from the page: messages show at once and are confirmed by the server's copy.
//!
//! A new message goes into the store with an id made here, marked queued, and is sent in
//! order, one at a time. The server's answer or its delta (whichever comes first) replaces it;
//! both carry the same id, so it never shows twice. When the server cannot be reached the
//! message waits and goes out when the connection is back; when the server refuses it, the
//! row says so and offers to retry. Edits and deletes apply at once and are undone, with a
//! notice, if the server refuses them.

use std::collections::VecDeque;

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::{FollowedSpace, Outbox, Status};
use crate::api::{delete_message, edit_message, post_message};
use crate::model::{ErrorCode, Intention, IntentionKind, IntentionState, Timestamp};

/// How long to wait before trying again when the server could not be reached.
const RETRY_AFTER_MS: u64 = 2_000;

#[derive(Clone, Copy)]
pub struct Writer {
    space: FollowedSpace,
    me: Uuid,
    /// Messages waiting to be sent, oldest first.
    queue: StoredValue<VecDeque<Uuid>>,
    /// A message is on its way: the next waits for it, so they arrive in order.
    busy: StoredValue<bool>,
    /// What went wrong with an edit or a delete, for the reader.
    pub notice: RwSignal<Option<String>>,
}

impl Writer {
    /// Who writes.
    pub fn me(&self) -> Uuid {
        self.me
    }

    pub fn new(space: FollowedSpace, me: Uuid) -> Self {
        Writer {
            space,
            me,
            queue: StoredValue::new(VecDeque::new()),
            busy: StoredValue::new(false),
            notice: RwSignal::new(None),
        }
    }

    /// The page is still there: answers that come back after it went away are dropped.
    fn alive(&self) -> bool {
        !self.queue.is_disposed()
    }

    /// Shows the message at once and queues it.
    pub fn send(self, content: String) {
        let store = self.space.store;
        let now = client_now();
        // Never before the newest message, so it shows last whatever this clock says.
        let at = store
            .newest_at()
            .map_or(now, |newest| now.max(Timestamp(newest.0 + 1)));
        let id = Uuid::new_v4();
        let intention = Intention {
            id,
            kind: IntentionKind::Utterance,
            state: IntentionState::Complete,
            owner_id: self.me,
            location_id: store.space_id_untracked(),
            content,
            reply_to: None,
            created_at: at,
            updated_at: at,
        };
        #[cfg(feature = "hydrate")]
        crate::client::outbox::keep(&intention);
        store.insert(intention, Some(Outbox::Queued));
        self.queue.update_value(|q| q.push_back(id));
        self.pump();
    }

    /// Messages written on an earlier page that the server does not have yet (kept in the
    /// browser while it could not be reached): shown again, waiting, and sent when it can.
    #[cfg(feature = "hydrate")]
    pub fn restore(self) {
        let store = self.space.store;
        for message in crate::client::outbox::waiting(store.space_id_untracked(), self.me) {
            let id = message.id;
            if store.has_message(id) {
                // The server had it after all.
                crate::client::outbox::forget(id);
                continue;
            }
            store.insert(message, Some(Outbox::Queued));
            self.queue.update_value(|q| q.push_back(id));
        }
        self.pump();
    }

    /// Sends a message that failed again, with the same id: the server stores it once.
    pub fn retry(self, id: Uuid) {
        self.space.store.set_outbox(id, Some(Outbox::Queued));
        self.queue.update_value(|q| q.push_back(id));
        self.pump();
    }

    /// Sends the next queued message, unless one is on its way or the browser is offline.
    pub fn pump(self) {
        if !self.alive()
            || self.busy.get_value()
            || self.space.status.get_untracked() == Status::Offline
        {
            return;
        }
        let store = self.space.store;
        let Some(id) = self.queue.try_update_value(VecDeque::pop_front).flatten() else {
            return;
        };
        let Some(row) = store
            .message(id)
            .filter(|row| row.outbox.with_untracked(Option::is_some))
        else {
            // Confirmed or discarded meanwhile.
            return self.pump();
        };
        self.busy.set_value(true);
        row.outbox.set(Some(Outbox::Sending));
        let (space_id, content) = row
            .intention
            .with_untracked(|i| (i.location_id, i.content.clone()));
        spawn_local(async move {
            let result = post_message(space_id, Some(id), content).await;
            if !self.alive() {
                return;
            }
            self.busy.set_value(false);
            match result {
                Ok(stored) => {
                    #[cfg(feature = "hydrate")]
                    crate::client::outbox::forget(stored.id);
                    store.confirm(stored);
                }
                Err(error) if error.code == ErrorCode::Unavailable => {
                    // Not delivered, or delivered and the answer lost: either way the same id
                    // goes again, first in line.
                    store.set_outbox(id, Some(Outbox::Queued));
                    self.queue.update_value(|q| q.push_front(id));
                    set_timeout(
                        move || self.pump(),
                        std::time::Duration::from_millis(RETRY_AFTER_MS),
                    );
                    return;
                }
                Err(error) if error.code == ErrorCode::RateLimited => {
                    // The server asked to wait: the message waits, first in line, and says so.
                    let seconds = error.retry_after.unwrap_or(1);
                    store.set_outbox(id, Some(Outbox::Held { seconds }));
                    self.queue.update_value(|q| q.push_front(id));
                    set_timeout(move || self.pump(), std::time::Duration::from_secs(seconds));
                    return;
                }
                Err(error) if error.code == ErrorCode::Gone => {
                    // It reached the server before, its answer was lost, and it has been
                    // deleted since: it stays deleted.
                    #[cfg(feature = "hydrate")]
                    crate::client::outbox::forget(id);
                    store.remove(id);
                }
                Err(error) => store.set_outbox(id, Some(Outbox::Failed(error.message))),
            }
            self.pump();
        });
    }

    /// Changes your message at once; puts it back if the server refuses.
    pub fn edit(self, id: Uuid, content: String) {
        let store = self.space.store;
        let Some(before) = store.message(id).map(|row| row.intention.get_untracked()) else {
            return;
        };
        if before.content == content {
            return;
        }
        let mut changed = before.clone();
        changed.content = content.clone();
        store.replace(changed);
        self.save_edit(id, content, before);
    }

    /// Sends an edit shown already; waits out a rate limit and sends it again.
    fn save_edit(self, id: Uuid, content: String, before: Intention) {
        let store = self.space.store;
        spawn_local(async move {
            let result = edit_message(id, content.clone()).await;
            if !self.alive() {
                return;
            }
            match result {
                Ok(stored) => store.confirm(stored),
                Err(error) if error.code == ErrorCode::RateLimited => {
                    let seconds = error.retry_after.unwrap_or(1);
                    self.notice.set(Some(format!(
                        "Too many changes at once: your edit will be saved in {seconds} s."
                    )));
                    set_timeout(
                        move || {
                            if self.alive() {
                                self.notice.set(None);
                                self.save_edit(id, content, before);
                            }
                        },
                        std::time::Duration::from_secs(seconds),
                    );
                }
                Err(error) => {
                    // Undo only this edit: not a later one, nor what the stream brought since.
                    let still_ours = store
                        .message(id)
                        .is_some_and(|row| row.intention.with_untracked(|i| i.content == content));
                    if still_ours {
                        store.replace(before);
                    }
                    self.notice
                        .set(Some(format!("Your edit was not saved: {}", error.message)));
                }
            }
        });
    }

    /// Removes your message at once; brings it back if the server refuses.
    pub fn delete(self, id: Uuid) {
        let store = self.space.store;
        let Some(row) = store.message(id) else {
            return;
        };
        let unsent = row.outbox.with_untracked(Option::is_some);
        let Some(removed) = store.remove(id) else {
            return;
        };
        if unsent {
            // Never stored: discarding it is all there is to do.
            #[cfg(feature = "hydrate")]
            crate::client::outbox::forget(id);
            self.queue
                .update_value(|q| q.retain(|queued| *queued != id));
            return;
        }
        spawn_local(async move {
            let result = delete_message(id).await;
            if !self.alive() {
                return;
            }
            if let Err(error) = result {
                if !store.has_message(id) {
                    store.insert(removed, None);
                }
                self.notice.set(Some(format!(
                    "Your message was not deleted: {}",
                    error.message
                )));
            }
        });
    }
}

/// The time here, for a message until the server stamps it.
fn client_now() -> Timestamp {
    #[cfg(feature = "hydrate")]
    {
        Timestamp((js_sys::Date::now() * 1_000.0) as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Timestamp(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_micros() as i64),
        )
    }
}
