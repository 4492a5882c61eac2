//! The fan-out: the live streams of each watched space, frames serialized once.
//!
//! Publishing is keyed by position, not by who calls: [`Hub::committed`] says "space S has
//! reached position P" (with the change when the caller has it). The hub sends frames in
//! position order; if positions are missing (a publish raced ahead, or the change came from
//! another node) it reads them from the change log. So a delta can come from anywhere that
//! knows a position — which is how several nodes share one database.
//!
//! Sending is writing: the publishing task offers each frame to every [`Sink`] of the space,
//! which writes it straight to the stream's socket when that socket is idle (docs/SYNC.md,
//! "Guarantees"; docs/PERFORMANCE.md has what this saves).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use uuid::Uuid;

mod write;

use super::committed::{Committed, Waiting, readable_run, run_after};
use super::event::{DeltaJson, delta_event};
use super::frame::EventFrame;
use super::notify::interest::Interest;
use super::recent::{self, RecentDeltas};
use super::signal::Signal;
use super::sink::Sink;
use crate::server::config::Config;
use crate::server::db::{Db, changes};
use crate::server::locks::lock;
use crate::server::metrics::METRICS;

/// The channel of one space: its streams, and the last position sent to them.
#[derive(Debug)]
struct Channel {
    fanout: tokio::sync::Mutex<Fanout>,
    /// Taken by whoever sends next, so that publishes that pile up while a big space is being
    /// written go out together: one write per stream for all of them.
    waiting: Waiting,
    /// Subscriptions alive, counted under the hub's lock: the channel leaves the hub with the
    /// last one.
    subscribers: AtomicUsize,
}

#[derive(Debug, Default)]
struct Fanout {
    /// `None` until the first subscriber reads the space's position from the database.
    last: Option<u64>,
    /// What was sent last, for resumes served from memory.
    recent: RecentDeltas,
    /// The space's streams, in shares that the runtime's threads write at the same time.
    shards: Vec<Arc<Shard>>,
    /// The shard the next subscriber joins.
    next: usize,
}

/// Some of a space's streams. Streams that ended stay until a send or subscribe passes over
/// them. Only the send (or a subscribe), under the channel's lock, takes this lock, so it is
/// never waited for.
type Shard = Mutex<Vec<Arc<Sink>>>;

#[derive(Debug)]
pub(crate) struct Hub {
    db: Db,
    epoch: Arc<str>,
    buffer: usize,
    /// The most a read of the log may bring (`catch-up-max-changes`, `catch-up-max-bytes`):
    /// a node further behind than that ends its streams, which resume with a reset.
    max_changes: usize,
    max_bytes: usize,
    /// How many shards a space's streams are split into (the runtime's threads).
    shards: usize,
    channels: Mutex<HashMap<Uuid, Arc<Channel>>>,
    /// Told when a space gets its first stream here and loses its last: the bus subscribes to
    /// what this node streams (`None` without a bus).
    interest: Option<tokio::sync::mpsc::UnboundedSender<Interest>>,
}

/// A live subscription; dropping it ends the stream's part in the fan-out, and frees the
/// space's channel when it was the last one.
#[derive(Debug)]
pub(crate) struct Subscription {
    pub sink: Arc<Sink>,
    hub: Arc<Hub>,
    space_id: Uuid,
    channel: Arc<Channel>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.sink.detach();
        let mut channels = lock(&self.hub.channels);
        if self.channel.subscribers.fetch_sub(1, Relaxed) == 1
            && channels
                .get(&self.space_id)
                .is_some_and(|c| Arc::ptr_eq(c, &self.channel))
        {
            channels.remove(&self.space_id);
            self.hub.tell(Interest::Leave(self.space_id));
        }
    }
}

impl Hub {
    pub fn new(
        db: Db,
        epoch: Arc<str>,
        config: &Config,
        shards: usize,
        interest: Option<tokio::sync::mpsc::UnboundedSender<Interest>>,
    ) -> Self {
        Hub {
            interest,
            db,
            epoch,
            buffer: config.stream_buffer.max(1),
            max_changes: config.catch_up_max_changes,
            max_bytes: config.catch_up_max_bytes,
            shards: shards.max(1),
            channels: Mutex::new(HashMap::new()),
        }
    }

    /// Frames for `changes` (in order), each following the one before, the first following
    /// `prev` (kept in `recent` too); and when the oldest of them was had.
    fn chain(
        &self,
        recent: &mut RecentDeltas,
        prev: u64,
        changes: Vec<(u64, Committed)>,
    ) -> (Vec<EventFrame>, Option<Instant>) {
        let since = changes.iter().map(|(_, c)| c.at).min();
        let ends: Vec<bool> = changes.iter().map(|(_, c)| c.ends_space).collect();
        let deltas = DeltaJson::chain(prev, changes.into_iter().map(|(at, c)| (at, c.json)));
        recent.push(&deltas);
        let frames = deltas
            .iter()
            .zip(ends)
            .map(|(delta, ends_space)| {
                let event = delta_event(&self.epoch, delta);
                EventFrame::delta(delta.pos, delta.prev, event.as_bytes(), ends_space)
            })
            .collect();
        (frames, since)
    }

    /// Subscribes to a space. Subscribe first, then read the state: a change committed in
    /// between arrives both ways, and the stream skips what the state already had.
    /// `viewer`: the being the stream is for (its own signals reach it).
    pub async fn subscribe(
        self: &Arc<Self>,
        space_id: Uuid,
        viewer: Option<Uuid>,
    ) -> sqlx::Result<Subscription> {
        let channel = {
            let mut channels = lock(&self.channels);
            let channel = channels.entry(space_id).or_insert_with(|| {
                self.tell(Interest::Watch(space_id));
                Arc::new(Channel {
                    fanout: tokio::sync::Mutex::new(Fanout::default()),
                    waiting: Waiting::default(),
                    subscribers: 0.into(),
                })
            });
            channel.subscribers.fetch_add(1, Relaxed);
            channel.clone()
        };
        // Made before anything can fail, so that its drop counts the subscriber out.
        let subscription = Subscription {
            sink: Arc::new(Sink::new(self.buffer, viewer)),
            hub: self.clone(),
            space_id,
            channel,
        };
        let mut fanout = subscription.channel.fanout.lock().await;
        if fanout.last.is_none() {
            let mut conn = self.db.reader().await?;
            fanout.last = Some(changes::window(conn.exec(), space_id).await?.position);
        }
        if fanout.shards.is_empty() {
            fanout.shards = (0..self.shards).map(|_| Arc::default()).collect();
        }
        let shard = fanout.shards[fanout.next].clone();
        fanout.next = (fanout.next + 1) % fanout.shards.len();
        let mut sinks = lock(&shard);
        // Streams that ended with no send since: pruned each time the list doubles, so
        // they never outnumber the live ones for long, at constant cost per subscribe.
        if sinks.len().is_power_of_two() {
            sinks.retain(|sink| !sink.detached());
        }
        sinks.push(subscription.sink.clone());
        drop(sinks);
        drop(fanout);
        Ok(subscription)
    }

    /// Tells the bus (under the lock of the channels, so in the order they come and go).
    fn tell(&self, interest: Interest) {
        if let Some(bus) = &self.interest {
            // Closed only as the server shuts down.
            let _ = bus.send(interest);
        }
    }

    /// What the bus keeps of a space this node has just subscribed to there (`history`,
    /// oldest first): what came after the position the space's streams are at is sent; and
    /// when this node keeps nothing of the space yet, the unbroken run up to that position is
    /// kept, so that resumes after a restart are served from memory.
    pub async fn recall(&self, space_id: Uuid, history: Vec<(u64, Option<Committed>)>) {
        let Some(channel) = lock(&self.channels).get(&space_id).cloned() else {
            return;
        };
        // Two nodes may have published a space's changes out of order: the newest is the
        // highest position, wherever it lies.
        let Some(newest) = history.iter().map(|(at, _)| *at).max() else {
            return;
        };
        let last = {
            let mut fanout = channel.fanout.lock().await;
            let Some(last) = fanout.last else {
                return;
            };
            if fanout.recent.is_empty() {
                let kept = recent::unbroken_up_to(last, &history);
                if let Some((first, _)) = kept.first() {
                    let deltas = DeltaJson::chain(first - 1, kept);
                    fanout.recent.push(&deltas);
                }
            }
            // Past what the streams have: waiting, as a publish's change waits (one without
            // its text is read from the log by the send below).
            let newer = history.into_iter().filter(|(at, _)| *at > last);
            lock(&channel.waiting).extend(newer.filter_map(|(at, c)| Some((at, c?))));
            last
        };
        if newest > last
            && let Err(error) = self.send_up_to(space_id, &channel, newest).await
        {
            METRICS.database_errors.inc();
            tracing::error!(%space_id, newest, %error, "publishing what the bus kept failed");
        }
    }

    /// The catch-up after `cursor` from what this node sent last, and the position it brings
    /// the stream to; `None` when nobody here streams the space or the log must answer.
    pub async fn catch_up_from_memory(
        &self,
        space_id: Uuid,
        cursor: u64,
    ) -> Option<(u64, Vec<DeltaJson>)> {
        let channel = lock(&self.channels).get(&space_id).cloned()?;
        // Copied under the space's lock, read (coalesced) after it: a storm of resumes never
        // holds up what the space publishes.
        let (last, sent) = {
            let fanout = channel.fanout.lock().await;
            let last = fanout.last?;
            (last, fanout.recent.after(cursor, last, self.max_changes)?)
        };
        Some((last, recent::catch_up(cursor, &sent, self.max_bytes)?))
    }

    /// Sends a signal (someone typing, a reader's mark) to the space's live streams here that
    /// it is for: never in the log, never replayed.
    pub async fn signal(&self, space_id: Uuid, signal: &Signal) {
        let Some(channel) = lock(&self.channels).get(&space_id).cloned() else {
            return;
        };
        let (frame, only, may_skip) = (signal.frame(), signal.only_for(), signal.may_skip());
        let fanout = channel.fanout.lock().await;
        for shard in &fanout.shards {
            lock(shard)
                .iter()
                .filter(|sink| only.is_none() || sink.viewer() == only)
                .for_each(|sink| sink.offer_signal(&frame, may_skip));
        }
    }

    /// Does anyone here stream `space_id`?
    pub fn watches(&self, space_id: Uuid) -> bool {
        lock(&self.channels).contains_key(&space_id)
    }

    /// Sends whatever the log holds beyond what each watched space has sent, reading the log
    /// only for a space whose position is past it: after changes nobody announced.
    pub async fn catch_up_to_positions(&self) -> sqlx::Result<()> {
        let spaces: Vec<Uuid> = lock(&self.channels).keys().copied().collect();
        if spaces.is_empty() {
            return Ok(());
        }
        let positions = {
            let mut conn = self.db.reader().await?;
            changes::positions(conn.exec(), &spaces).await?
        };
        for (space_id, position) in positions {
            self.committed(space_id, position, None).await;
        }
        Ok(())
    }

    /// The space has committed position `pos` (with its change when the caller has it).
    /// Sends every position up to it that has not been sent, in order. No one watching: no
    /// work.
    pub async fn committed(&self, space_id: Uuid, pos: u64, change: Option<Committed>) {
        let Some(channel) = lock(&self.channels).get(&space_id).cloned() else {
            return;
        };
        // Left for whoever sends next: a busy space sends all that waits in one go.
        if let Some(change) = change {
            lock(&channel.waiting).insert(pos, change);
        }
        if let Err(error) = self.send_up_to(space_id, &channel, pos).await {
            METRICS.database_errors.inc();
            tracing::error!(%space_id, pos, %error, "publishing a change failed");
        }
    }

    async fn send_up_to(&self, space_id: Uuid, channel: &Channel, pos: u64) -> anyhow::Result<()> {
        let mut fanout = channel.fanout.lock().await;
        let last = match fanout.last {
            Some(last) => last,
            // Started by nobody yet: the space's position already includes `pos`;
            // subscribers read it.
            None => return Ok(()),
        };
        if pos <= last {
            // Sent already, by whoever held the lock before.
            return Ok(());
        }
        let run = run_after(&channel.waiting, last);
        // What to send, and the position a stream must have reached to follow on after it.
        let ((frames, since), lost_before) = match run.last() {
            Some((newest, _)) if *newest >= pos => (self.chain(&mut fanout.recent, last, run), 0),
            // A position in between is not here (another node wrote it, or its publish has
            // not arrived): the log has them all.
            _ => {
                let reading = Instant::now();
                let mut tx = self.db.begin_snapshot().await?;
                let window = changes::window(tx.exec(), space_id).await?;
                let rows = changes::after_within(
                    tx.exec(),
                    space_id,
                    last.max(window.floor),
                    self.max_changes,
                    self.max_bytes,
                )
                .await?;
                tx.commit().await?;
                METRICS.log_reads.observe(reading.elapsed());
                match rows {
                    Some(rows) => {
                        let (rows, unreadable) = readable_run(space_id, rows);
                        // Pruned past what was sent (a long silence from other nodes): the
                        // first frame follows the floor, so the streams still before it end
                        // and get a reset. A row that is not a change cannot be passed on:
                        // nobody behind it can follow on.
                        let lost_before = unreadable.unwrap_or(window.floor);
                        let from = last.max(window.floor);
                        (self.chain(&mut fanout.recent, from, rows), lost_before)
                    }
                    // More than a catch-up may carry: the streams behind resume, and reset.
                    None => {
                        fanout.recent.forget();
                        ((Vec::new(), None), window.position)
                    }
                }
            }
        };
        let newest = frames.last().map_or(last, |frame| frame.pos);
        lock(&channel.waiting).retain(|&at, _| at > newest);
        if !frames.is_empty() {
            METRICS.deltas_published.add(frames.len() as u64);
            let streams = channel.subscribers.load(Relaxed);
            write::offer(space_id, streams, &fanout.shards, frames.into()).await;
        }
        if let Some(since) = since {
            METRICS.commit_to_write.observe(since.elapsed());
        }
        if lost_before > last {
            // Even when nothing after it is left to send, streams behind it must end.
            for shard in &fanout.shards {
                lock(shard)
                    .iter()
                    .for_each(|sink| sink.lost_before(lost_before));
            }
        }
        fanout.last = Some(newest.max(lost_before));
        Ok(())
    }
}
