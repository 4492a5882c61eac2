//! Writing a space's frames to its streams: by the publishing task for a small space, on a
//! thread per shard of streams for a big one.

use std::sync::Arc;

use uuid::Uuid;

use super::Shard;
use crate::server::live::frame::EventFrame;
use crate::server::live::sink::Sink;
use crate::server::locks::lock;
use crate::server::metrics::METRICS;

/// Below this many streams a space is written by the publishing task alone (in at most a
/// millisecond or two): handing shards to other threads would cost more than it saves.
const PARALLEL_FROM: usize = 256;

/// Offers `frames` to every stream of the space (`streams` of them, in `shards`), in order.
pub(super) async fn offer(
    space_id: Uuid,
    streams: usize,
    shards: &[Arc<Shard>],
    frames: Arc<[EventFrame]>,
) {
    if streams < PARALLEL_FROM {
        for shard in shards {
            offer_all(&mut lock(shard), &frames);
        }
        return;
    }
    // Each shard on a thread of its own: the writes are system calls that never wait, the
    // kernel runs the threads on every core at once, and the runtime's workers stay free
    // for requests meanwhile.
    let writers: Vec<_> = shards
        .iter()
        .map(|shard| {
            let (shard, frames) = (shard.clone(), frames.clone());
            tokio::task::spawn_blocking(move || offer_all(&mut lock(&shard), &frames))
        })
        .collect();
    // Every stream has these frames before the next send starts: each gets them in order.
    for writer in writers {
        match writer.await {
            Ok(()) => {}
            // The runtime is shutting down: so are the streams.
            Err(error) if error.is_cancelled() => {}
            Err(error) => {
                tracing::error!(%space_id, ?error, "writing a share of a space's streams failed")
            }
        }
    }
}

/// Offers `frames` to each sink of a shard, forgetting those whose stream is over.
fn offer_all(sinks: &mut Vec<Arc<Sink>>, frames: &[EventFrame]) {
    let mut i = 0;
    while i < sinks.len() {
        if sinks[i].offer(frames) {
            i += 1;
        } else {
            sinks.swap_remove(i);
        }
    }
    METRICS
        .deltas_delivered
        .add((sinks.len() * frames.len()) as u64);
}
