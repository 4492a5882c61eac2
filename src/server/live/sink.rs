//! One live stream as the hub sees it: where its frames go.
//!
//! The hub hands every frame of a space to each [`Sink`] of the space in turn ([`Sink::offer`]).
//! A sink whose socket is attached and has nothing waiting gets the frame written there and
//! then, by the publishing task, in one non-blocking write: no task is woken and nothing is
//! queued, so a delivery costs one `writev`. Only when the socket is full (or not attached yet,
//! or the stream is served through hyper) does the frame wait in the sink's queue, and the
//! stream's own task is woken to write it ([`Sink::flush`]) or to hand it to hyper
//! ([`Sink::pop`]). Every write to the socket happens under the sink's lock, so the two never
//! interleave.
//!
//! The sink also keeps the stream's position: a frame at or below it is one the client has; a
//! frame that does not follow it means continuity broke, and the stream ends so that the client
//! resumes by cursor. A sink more than `limit` frames behind is cut off the same way.

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use tokio::net::TcpStream;
use tokio::sync::Notify;
use uuid::Uuid;

use self::write::write_frames;
use super::ending::Ending;
use super::frame::{EventFrame, Framing};
use crate::server::locks::lock;

/// Frames that pile up while a socket is busy go out together, up to about this much.
const BATCH_BYTES: usize = 64 * 1024;
/// And at most this many in one `writev`.
const BATCH_FRAMES: usize = 64;

#[derive(Debug)]
pub(crate) struct Sink {
    state: Mutex<SinkState>,
    /// Wakes the stream's task: a frame waits in the queue, or the stream must end.
    wake: Notify,
    /// Something was written since the stream's task last looked (so no heartbeat is due).
    wrote: AtomicBool,
    /// The being the stream is for, whose own signals (its read marks) reach it.
    viewer: Option<Uuid>,
}

#[derive(Debug)]
struct SinkState {
    /// The position of the last frame the client will have once the queue is written; `None`
    /// until the stream knows where its client starts ([`Sink::open`]).
    position: Option<u64>,
    /// Before the stream knows its position: the log no longer holds what came before this,
    /// so a client that starts behind it cannot follow on ([`Sink::lost_before`]).
    floor: u64,
    queue: VecDeque<EventFrame>,
    /// Bytes of the queue's first frame already on the socket.
    written: usize,
    socket: Option<(Arc<TcpStream>, Framing)>,
    /// No frame is taken any more: the stream ends once the queue is written, for this reason.
    closing: Option<Ending>,
    /// The stream is over: the hub drops this sink when it next passes.
    detached: bool,
    /// A write by the hub failed: the connection is broken, not finished.
    failed: bool,
    limit: usize,
}

/// What [`Sink::flush`] left.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Flushed {
    /// Everything is on the socket.
    Done,
    /// The socket is full: wait until it is writable. `moved`: some bytes went this time.
    Blocked { moved: bool },
    /// The stream is over (its last bytes are written).
    Ended,
}

/// What [`Sink::pop`] gave.
#[derive(Debug)]
pub(crate) enum Popped {
    Bytes(Bytes),
    /// Nothing waits.
    Empty,
    Ended,
}

impl Sink {
    /// A sink that queues what it gets until [`Sink::open`] says where its client starts.
    pub fn new(limit: usize, viewer: Option<Uuid>) -> Self {
        Sink {
            state: Mutex::new(SinkState {
                position: None,
                floor: 0,
                queue: VecDeque::new(),
                written: 0,
                socket: None,
                closing: None,
                detached: false,
                failed: false,
                limit: limit.max(1),
            }),
            wake: Notify::new(),
            wrote: AtomicBool::new(false),
            viewer,
        }
    }

    fn lock(&self) -> MutexGuard<'_, SinkState> {
        lock(&self.state)
    }

    /// The client has everything up to `position`, and `first` (the opening) goes out before
    /// anything else. Frames queued meanwhile that the client has are dropped; the rest must
    /// follow on from `position`, or the stream ends.
    pub fn open(&self, position: u64, first: EventFrame) {
        let mut state = self.lock();
        let mut at = position;
        let queued = std::mem::take(&mut state.queue);
        state.queue.push_back(first);
        if position < state.floor {
            state.close(Ending::Expired);
        }
        for frame in queued.into_iter().filter(|f| f.pos > position) {
            if frame.prev != at {
                state.close(Ending::Gap);
                break;
            }
            at = frame.pos;
            let ends_space = frame.ends_space;
            state.queue.push_back(frame);
            if ends_space {
                state.close(Ending::SpaceDeleted);
                break;
            }
        }
        state.position = Some(at);
        drop(state);
        self.wake.notify_one();
    }

    /// Takes the frames of one publish, in order: written at once when the socket is attached
    /// and idle, queued otherwise. The stream's task is woken only when it has something new
    /// to do: a first frame waits, or the stream must end. `false` once the stream is over:
    /// the hub forgets this sink.
    pub fn offer(&self, frames: &[EventFrame]) -> bool {
        let mut state = self.lock();
        if state.closing.is_some() {
            return !state.detached;
        }
        let fresh = state.accept(frames);
        self.deliver(state, fresh);
        true
    }

    /// Takes a signal, an event that is not a change: for a live stream, delivered as
    /// [`Sink::offer`] delivers. One that `may_skip` is dropped while frames wait (someone
    /// typing is stale by the time a queue drains, and another comes soon). It never moves
    /// the stream's position.
    pub fn offer_signal(&self, frame: &EventFrame, may_skip: bool) {
        let state = self.lock();
        let waiting = !state.queue.is_empty();
        if state.closing.is_none() && state.position.is_some() && !(may_skip && waiting) {
            self.deliver(state, std::slice::from_ref(frame));
        }
    }

    /// The being this stream is for (`None`: anonymous).
    pub fn viewer(&self) -> Option<Uuid> {
        self.viewer
    }

    /// Writes `frames` at once when the socket is attached and idle, and queues the rest.
    fn deliver(&self, mut state: MutexGuard<'_, SinkState>, frames: &[EventFrame]) {
        let mut rest = frames;
        let was_idle = state.queue.is_empty();
        if was_idle
            && state.position.is_some()
            && let Some((socket, framing)) = &state.socket
        {
            let (mut written, mut failed) = (0, false);
            while !rest.is_empty() {
                match write_frames(socket, rest.iter(), written, *framing) {
                    Ok((0, now)) if now == written => break,
                    Ok((done, now)) => {
                        self.wrote.store(true, Ordering::Relaxed);
                        rest = &rest[done..];
                        written = now;
                    }
                    // The socket failed: the stream's task finds out when it writes next.
                    Err(_) => (rest, written, failed) = (&[], 0, true),
                }
            }
            state.written = written;
            if failed {
                state.close(Ending::WriteFailed);
                state.failed = true;
            }
        }
        let behind = state.queue.len() + rest.len();
        state.queue.extend(rest.iter().cloned());
        if behind > state.limit {
            state.cut_off();
        }
        let wake = (was_idle && !state.queue.is_empty()) || state.closing.is_some();
        drop(state);
        if wake {
            self.wake.notify_one();
        }
    }

    /// The log no longer holds what came before `floor`: a stream behind it cannot follow on,
    /// so it ends (at the end of a whole frame) and its client resumes with a reset.
    pub fn lost_before(&self, floor: u64) {
        let mut state = self.lock();
        match state.position {
            Some(position) if position < floor => state.close(Ending::Expired),
            Some(_) => return,
            None => state.floor = state.floor.max(floor),
        }
        drop(state);
        self.wake.notify_one();
    }

    /// Ends the stream with `last`, once what waits is written: nothing else is taken.
    pub fn end_with(&self, last: EventFrame, why: Ending) {
        let mut state = self.lock();
        if state.closing.is_some() {
            return;
        }
        state.queue.push_back(last);
        state.close(why);
        drop(state);
        self.wake.notify_one();
    }

    /// Attaches the stream's socket: from now on frames are written there.
    pub fn attach(&self, socket: Arc<TcpStream>, framing: Framing) {
        self.lock().socket = Some((socket, framing));
    }

    /// Ends the sink: the hub writes nothing more to the socket, which it lets go of. `true`
    /// when a frame was left partly written: the response is cut inside a chunk.
    pub fn detach(&self) -> bool {
        let mut state = self.lock();
        state.socket = None;
        state.close(Ending::ShutDown);
        state.detached = true;
        state.queue.clear();
        std::mem::take(&mut state.written) > 0
    }

    pub fn detached(&self) -> bool {
        self.lock().detached
    }

    /// Why the stream is ending, once it is.
    pub fn ending(&self) -> Option<Ending> {
        self.lock().closing
    }

    /// Writes what waits to the attached socket.
    pub fn flush(&self) -> io::Result<Flushed> {
        let mut state = self.lock();
        if state.failed {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "writing to the client failed",
            ));
        }
        let Some((socket, framing)) = state.socket.clone() else {
            return Ok(state.settled());
        };
        let mut moved = false;
        while !state.queue.is_empty() {
            let (done, written) =
                write_frames(&socket, state.queue.iter(), state.written, framing)?;
            if done == 0 && written == state.written {
                return Ok(Flushed::Blocked { moved });
            }
            moved = true;
            self.wrote.store(true, Ordering::Relaxed);
            state.queue.drain(..done);
            state.written = written;
        }
        Ok(state.settled())
    }

    /// The next bytes for a stream that is not written here (served through hyper): every
    /// frame waiting, in one buffer when there are several.
    pub fn pop(&self) -> Popped {
        let mut state = self.lock();
        let Some(first) = state.queue.pop_front() else {
            return if state.closing.is_some() {
                Popped::Ended
            } else {
                Popped::Empty
            };
        };
        self.wrote.store(true, Ordering::Relaxed);
        let first = first.event();
        if state.queue.is_empty() {
            return Popped::Bytes(first);
        }
        let mut batch = first.to_vec();
        while batch.len() < BATCH_BYTES
            && let Some(frame) = state.queue.pop_front()
        {
            batch.extend_from_slice(frame.wire(Framing::Raw));
        }
        Popped::Bytes(Bytes::from(batch))
    }

    /// Queues a heartbeat if nothing was written since the last call; `true` when one is due.
    pub fn heartbeat_due(&self) -> bool {
        if self.wrote.swap(false, Ordering::Relaxed) {
            return false;
        }
        let mut state = self.lock();
        if !state.queue.is_empty() || state.closing.is_some() {
            return false;
        }
        state.queue.push_back(EventFrame::heartbeat());
        true
    }

    /// Resolves when something waits or the stream must end.
    pub async fn woken(&self) {
        self.wake.notified().await
    }
}

impl SinkState {
    /// The frames of a publish this stream takes: those after its position (all of them
    /// before it knows its position), up to a break in continuity, which ends the stream, or
    /// the frame that ends the space.
    fn accept<'f>(&mut self, frames: &'f [EventFrame]) -> &'f [EventFrame] {
        let start = match self.position {
            Some(position) => frames.partition_point(|f| f.pos <= position),
            None => 0,
        };
        let mut end = start;
        for frame in &frames[start..] {
            if let Some(position) = self.position {
                if frame.prev != position {
                    self.close(Ending::Gap);
                    break;
                }
                self.position = Some(frame.pos);
            }
            end += 1;
            if frame.ends_space {
                self.close(Ending::SpaceDeleted);
                break;
            }
        }
        &frames[start..end]
    }

    /// Too far behind: nothing more is taken, and what waits is dropped but for a frame
    /// already partly written (the stream ends on a whole chunk).
    fn cut_off(&mut self) {
        self.close(Ending::TooFarBehind);
        let keep = usize::from(self.written > 0);
        self.queue.truncate(keep);
    }

    /// From now on nothing is taken; the first reason given stays.
    fn close(&mut self, why: Ending) {
        self.closing.get_or_insert(why);
    }

    /// Nothing waits: the stream goes on, or it is over.
    fn settled(&self) -> Flushed {
        if self.closing.is_some() {
            Flushed::Ended
        } else {
            Flushed::Done
        }
    }
}

mod write;

#[cfg(test)]
mod tests;
