//! Presence: a being is online in a space while it has a live stream there, and away while
//! every one of those streams comes from a page hidden for a while.
//!
//! [`PresenceTracker`] counts this node's streams per (space, being) and decides *when* someone
//! comes online or goes offline, with a grace period so a reload does not flicker;
//! [`PresenceRows`] makes it durable (a row written when the being comes and deleted when it
//! goes, live while this node's lease is, which [`super::housekeeping`] renews) and a delta.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use uuid::Uuid;

use super::hub::Hub;
use super::notify::Announcer;
use super::{Recorder, presence_cutoff};
use crate::model::Timestamp;
use crate::server::config::Config;
use crate::server::db::{Db, presence};
use crate::server::locks::lock;

type Pending = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where a being is in a space, as far as this node's streams say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Attendance {
    /// No stream here.
    #[default]
    Gone,
    /// Streams here, all of them from pages hidden for a while.
    Away,
    /// At least one stream here from a page that is shown (or a program).
    Here,
}

/// Where presence transitions go: the database in the server, a recorder in tests.
pub(crate) trait PresenceWriter: Send + Sync + std::fmt::Debug {
    fn set(&self, space_id: Uuid, being_id: Uuid, attendance: Attendance) -> Pending;
}

#[derive(Debug, Default)]
struct Entry {
    streams: usize,
    /// Of those, the ones not away.
    here: usize,
    /// What was last written for this being here.
    written: Attendance,
    /// Bumped on every connect, so a grace timer knows whether it is still the latest word.
    generation: u64,
}

impl Entry {
    /// What the streams say now, while there are some.
    fn attendance(&self) -> Attendance {
        if self.here > 0 {
            Attendance::Here
        } else {
            Attendance::Away
        }
    }

    /// Notes `attendance` as written; `Some` when it must be.
    fn needs_writing(&mut self, attendance: Attendance) -> Option<Attendance> {
        (attendance != self.written).then(|| {
            self.written = attendance;
            attendance
        })
    }
}

/// The turns of one (space, being)'s writes. Each write takes a ticket when it is decided and
/// runs when its turn comes, so the writes land in the order they were decided: a being coming
/// back while its "gone" is still being written is written after it, not before.
#[derive(Debug, Default)]
struct Turns {
    next: u64,
    serving: u64,
    turn_over: Arc<Notify>,
}

#[derive(Debug)]
struct Inner {
    grace: Duration,
    entries: Mutex<HashMap<(Uuid, Uuid), Entry>>,
    /// Taken only while `entries` is held, or alone: never the other way round.
    turns: Mutex<HashMap<(Uuid, Uuid), Turns>>,
    writer: Arc<dyn PresenceWriter>,
}

impl Inner {
    /// The next turn to write for `key`; taken with the decision, under `entries`.
    fn take_turn(&self, key: (Uuid, Uuid)) -> u64 {
        let mut turns = lock(&self.turns);
        let turns = turns.entry(key).or_default();
        turns.next += 1;
        turns.next - 1
    }

    /// Writes `attendance` in its turn, in a task of its own: a caller that goes away (a
    /// stream's request dropped while it opens) never leaves the turns behind it waiting.
    async fn write_in_turn(self: Arc<Self>, key: (Uuid, Uuid), attendance: Attendance, turn: u64) {
        let _ = tokio::spawn(async move {
            let has_come = |turns: &HashMap<(Uuid, Uuid), Turns>| {
                turns.get(&key).is_none_or(|turns| turns.serving == turn)
            };
            loop {
                let turn_over = {
                    let turns = lock(&self.turns);
                    if has_come(&turns) {
                        break;
                    }
                    turns[&key].turn_over.clone()
                };
                // Listening before looking again, so a turn ending in between is not missed.
                let notified = turn_over.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if has_come(&lock(&self.turns)) {
                    break;
                }
                notified.await;
            }
            let _served = Served { inner: &self, key };
            self.writer.set(key.0, key.1, attendance).await;
        })
        .await;
    }
}

/// A turn that has come: when it ends (the write done, or failed), the next may go.
struct Served<'a> {
    inner: &'a Inner,
    key: (Uuid, Uuid),
}

impl Drop for Served<'_> {
    fn drop(&mut self) {
        let mut turns = lock(&self.inner.turns);
        if let Some(next) = turns.get_mut(&self.key) {
            next.serving += 1;
            if next.serving == next.next {
                turns.remove(&self.key);
            } else {
                next.turn_over.notify_waiters();
            }
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct PresenceTracker(Arc<Inner>);

/// Held by a live stream; dropping it starts the grace period.
#[derive(Debug)]
pub(crate) struct PresenceGuard {
    tracker: PresenceTracker,
    key: (Uuid, Uuid),
    away: bool,
}

impl PresenceTracker {
    pub fn new(grace: Duration, writer: Arc<dyn PresenceWriter>) -> Self {
        PresenceTracker(Arc::new(Inner {
            grace,
            entries: Mutex::new(HashMap::new()),
            turns: Mutex::new(HashMap::new()),
            writer,
        }))
    }

    /// A stream of `being_id` in `space_id` opened (`away`: from a page hidden for a while).
    /// The first one (outside a grace period) brings the being online before this returns; the
    /// first that is not away brings it back from away.
    pub async fn connect(&self, space_id: Uuid, being_id: Uuid, away: bool) -> PresenceGuard {
        let key = (space_id, being_id);
        let write = {
            let mut entries = lock(&self.0.entries);
            let entry = entries.entry(key).or_default();
            entry.streams += 1;
            entry.here += usize::from(!away);
            entry.generation += 1;
            let now = entry.attendance();
            entry
                .needs_writing(now)
                .map(|attendance| (attendance, self.0.take_turn(key)))
        };
        if let Some((attendance, turn)) = write {
            self.0.clone().write_in_turn(key, attendance, turn).await;
        }
        PresenceGuard {
            tracker: self.clone(),
            key,
            away,
        }
    }

    /// A stream closed. What it changes — offline when it was the last, away when it was the
    /// last shown one — waits out the grace period, so a reload flickers nothing; a stream that
    /// opens meanwhile decides instead.
    fn released(&self, key: (Uuid, Uuid), away: bool) {
        let generation = {
            let mut entries = lock(&self.0.entries);
            let Some(entry) = entries.get_mut(&key) else {
                return;
            };
            entry.streams -= 1;
            entry.here -= usize::from(!away);
            entry.generation
        };
        let inner = self.0.clone();
        tokio::spawn(async move {
            tokio::time::sleep(inner.grace).await;
            let write = {
                let mut entries = lock(&inner.entries);
                match entries.get_mut(&key) {
                    Some(entry) if entry.generation == generation && entry.streams == 0 => {
                        entries.remove(&key);
                        Some(Attendance::Gone)
                    }
                    Some(entry) if entry.generation == generation => {
                        let now = entry.attendance();
                        entry.needs_writing(now)
                    }
                    _ => None,
                }
                .map(|attendance| (attendance, inner.take_turn(key)))
            };
            if let Some((attendance, turn)) = write {
                inner.write_in_turn(key, attendance, turn).await;
            }
        });
    }
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        self.tracker.released(self.key, self.away);
    }
}

/// Makes presence durable: a row per (space, being, node) with an expiry, and a `presence`
/// delta when the being's state across all nodes changes.
#[derive(Clone, Debug)]
pub(crate) struct PresenceRows {
    pub db: Db,
    pub hub: Arc<Hub>,
    pub announcer: Option<Arc<Announcer>>,
    pub node_id: Uuid,
    pub config: Arc<Config>,
}

impl PresenceRows {
    async fn write(
        &self,
        space_id: Uuid,
        being_id: Uuid,
        attendance: Attendance,
    ) -> sqlx::Result<()> {
        let now = Timestamp::now();
        let cutoff = presence_cutoff(now, &self.config);
        let mut tx = self.db.begin().await?;
        let before = presence::seen(tx.exec(), space_id, being_id, cutoff).await?;
        match attendance {
            Attendance::Gone => {
                presence::remove(tx.exec(), space_id, being_id, self.node_id).await?;
            }
            Attendance::Away | Attendance::Here => {
                let away = attendance == Attendance::Away;
                presence::upsert(tx.exec(), space_id, being_id, self.node_id, now, away).await?;
            }
        }
        // A delta only when the being's state across all nodes changed.
        let after = presence::seen(tx.exec(), space_id, being_id, cutoff).await?;
        let mut recorder = Recorder::new(
            self.hub.clone(),
            self.announcer.clone(),
            self.config.change_window,
        );
        if after != before {
            recorder
                .record(tx.exec(), space_id, after.change(being_id))
                .await?;
        }
        tx.commit().await?;
        recorder.publish();
        Ok(())
    }
}

impl PresenceWriter for PresenceRows {
    fn set(&self, space_id: Uuid, being_id: Uuid, attendance: Attendance) -> Pending {
        let writer = self.clone();
        Box::pin(async move {
            if let Err(error) = writer.write(space_id, being_id, attendance).await {
                // A lost write leaves the row as it was until the being comes or goes again,
                // or this node's lease ends.
                tracing::error!(%space_id, %being_id, ?attendance, ?error, "writing presence failed");
            }
        })
    }
}

#[cfg(test)]
mod tests;
