//! A small Server-Sent Events client for the sync tests.
//!
//! The parser follows the SSE specification (WHATWG HTML, "event stream interpretation"):
//! lines end with `\n`, `\r\n` or `\r`; `data:` lines are joined with `\n`; a line starting
//! with `:` is a comment; a blank line ends an event. Every read takes a timeout, so a server
//! that stops talking fails a test instead of hanging it.

use std::collections::VecDeque;
use std::time::Duration;

use reqwest::Client;
use reqwest::header::ACCEPT;
use serde_json::Value;
use tokio::time::{Instant, timeout, timeout_at};

/// How long a test waits for something the server should send at once.
pub const WAIT: Duration = Duration::from_secs(5);

/// One dispatched event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The `id:` of this event itself (not the stream's last id), if it had one.
    pub id: Option<String>,
    /// The `event:` type; `message` when absent.
    pub event: String,
    /// The data parsed as JSON, or the raw text as a string when it is not JSON.
    pub data: Value,
}

impl Event {
    #[track_caller]
    pub fn number(&self, field: &str) -> u64 {
        self.data[field]
            .as_u64()
            .unwrap_or_else(|| panic!("{field} should be a whole number in {}", self.data))
    }

    pub fn op(&self) -> &str {
        self.data["op"].as_str().unwrap_or("")
    }
}

/// An incremental SSE parser: bytes in, events out.
#[derive(Debug, Default)]
pub struct Parser {
    pending: Vec<u8>,
    id: Option<String>,
    event: Option<String>,
    data: String,
    /// The stream's last event id, as a browser would send it in `Last-Event-ID`.
    pub last_event_id: Option<String>,
    pub retry: Option<u64>,
    /// Comment lines, without the leading `:` and one space.
    pub comments: Vec<String>,
}

impl Parser {
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Event> {
        self.pending.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut start = 0;
        while let Some(offset) = self.pending[start..]
            .iter()
            .position(|b| *b == b'\n' || *b == b'\r')
        {
            let end = start + offset;
            let next = match self.pending[end] {
                b'\r' if end + 1 == self.pending.len() => break, // maybe half of a \r\n
                b'\r' if self.pending[end + 1] == b'\n' => end + 2,
                _ => end + 1,
            };
            let line = String::from_utf8_lossy(&self.pending[start..end]).into_owned();
            events.extend(self.line(&line));
            start = next;
        }
        self.pending.drain(..start);
        events
    }

    fn line(&mut self, line: &str) -> Option<Event> {
        if line.is_empty() {
            return self.dispatch();
        }
        if let Some(comment) = line.strip_prefix(':') {
            let comment = comment.strip_prefix(' ').unwrap_or(comment);
            self.comments.push(comment.to_owned());
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => {
                self.id = Some(value.to_owned());
                self.last_event_id = Some(value.to_owned());
            }
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry = value.parse().ok();
            }
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<Event> {
        let id = self.id.take();
        let event = self.event.take();
        if self.data.is_empty() {
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the last \n
        Some(Event {
            id,
            event: event.unwrap_or_else(|| "message".to_owned()),
            data: serde_json::from_str(&data).unwrap_or(Value::String(data)),
        })
    }
}

/// What the next read gave.
#[derive(Debug)]
pub enum Next {
    Event(Event),
    Timeout,
    /// The server ended the response or cut the connection.
    End,
}

/// An open event stream.
pub struct Sse {
    response: reqwest::Response,
    parser: Parser,
    ready: VecDeque<Event>,
    ended: bool,
}

/// Everything a connection sends up to and including `live`.
#[derive(Debug)]
pub struct Catchup {
    pub reset: Option<Event>,
    pub deltas: Vec<Event>,
    pub live: Event,
}

impl Catchup {
    /// The position `live` announces.
    pub fn position(&self) -> u64 {
        self.live.number("position")
    }

    /// The cursor to resume from: the id of the last delta, else of the reset.
    #[track_caller]
    pub fn cursor(&self) -> String {
        self.deltas
            .last()
            .or(self.reset.as_ref())
            .and_then(|event| event.id.clone())
            .unwrap_or_else(|| panic!("neither a delta nor a reset carried an id: {self:?}"))
    }
}

impl Sse {
    /// Opens `url` as an event stream; asserts a 200.
    pub async fn connect(client: &Client, url: &str, last_event_id: Option<&str>) -> Sse {
        let last_event_id = last_event_id.map(|id| ("last-event-id", id));
        Sse::connect_with(client, url, last_event_id.as_slice()).await
    }

    /// Opens `url` as an event stream, with these headers too; asserts a 200.
    pub async fn connect_with(client: &Client, url: &str, headers: &[(&str, &str)]) -> Sse {
        let mut request = client.get(url).header(ACCEPT, "text/event-stream");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = timeout(WAIT, request.send())
            .await
            .unwrap_or_else(|_| panic!("no answer from {url} within {WAIT:?}"))
            .unwrap_or_else(|e| panic!("GET {url} did not reach the server: {e}"));
        let status = response.status().as_u16();
        if status != 200 {
            let body = timeout(WAIT, response.text()).await;
            panic!("GET {url} (headers {headers:?}) answered {status}: {body:?}");
        }
        Sse {
            response,
            parser: Parser::default(),
            ready: VecDeque::new(),
            ended: false,
        }
    }

    pub fn parser(&self) -> &Parser {
        &self.parser
    }

    /// The next event, a timeout, or the end of the stream.
    pub async fn next(&mut self, wait: Duration) -> Next {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Next::Event(event);
            }
            if self.ended {
                return Next::End;
            }
            match timeout_at(deadline, self.response.chunk()).await {
                Err(_) => return Next::Timeout,
                Ok(Ok(Some(bytes))) => self.ready.extend(self.parser.push(&bytes)),
                // An error mid-body is the server cutting the connection: an end too.
                Ok(Ok(None)) | Ok(Err(_)) => self.ended = true,
            }
        }
    }

    /// Waits for the comment `text` (a heartbeat, say); false if the wait ran out.
    pub async fn saw_comment(&mut self, text: &str, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        while !self.parser.comments.iter().any(|c| c == text) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left.min(Duration::from_millis(100))).await {
                Next::End => return false,
                Next::Timeout if left.is_zero() => return false,
                _ => {}
            }
        }
        true
    }

    /// The next event; fails the test on a timeout or the end of the stream.
    pub async fn expect_event(&mut self, wait: Duration) -> Event {
        match self.next(wait).await {
            Next::Event(event) => event,
            Next::Timeout => panic!("no event within {wait:?}"),
            Next::End => panic!("the stream ended while an event was expected"),
        }
    }

    /// Reads up to and including `live`.
    pub async fn until_live(&mut self) -> Catchup {
        let deadline = Instant::now() + 2 * WAIT;
        let mut reset = None;
        let mut deltas = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = match self.next(left).await {
                Next::Event(event) => event,
                Next::Timeout => panic!("no live event within {:?}", 2 * WAIT),
                Next::End => panic!("the stream ended before live; got {reset:?} {deltas:?}"),
            };
            match event.event.as_str() {
                "live" => {
                    return Catchup {
                        reset,
                        deltas,
                        live: event,
                    };
                }
                "delta" => {
                    assert!(reset.is_none(), "a reset comes alone, got a delta after it");
                    deltas.push(event);
                }
                "reset" => {
                    assert!(reset.is_none() && deltas.is_empty(), "a reset comes alone");
                    reset = Some(event);
                }
                other => panic!("unexpected event {other:?} before live: {event:?}"),
            }
        }
    }

    /// Exactly the next `n` events, each a delta, within `wait` in all.
    pub async fn collect_deltas(&mut self, n: usize, wait: Duration) -> Vec<Event> {
        let deadline = Instant::now() + wait;
        let mut deltas = Vec::with_capacity(n);
        while deltas.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Next::Event(event) if event.event == "delta" => deltas.push(event),
                Next::Event(event) => panic!("expected only deltas, got {event:?}"),
                Next::Timeout => panic!("{} of {n} deltas within {wait:?}", deltas.len()),
                Next::End => panic!("the stream ended after {} of {n} deltas", deltas.len()),
            }
        }
        deltas
    }

    /// Every event that arrives within `wait` (stops early at the end of the stream).
    /// Waits for the event named `name`, passing over deltas on the way; panics on anything else.
    pub async fn until_event(&mut self, name: &str, wait: Duration) -> Event {
        loop {
            let event = self.expect_event(wait).await;
            if event.event == name {
                return event;
            }
            assert_eq!(event.event, "delta", "{event:?}");
        }
    }

    pub async fn events_within(&mut self, wait: Duration) -> Vec<Event> {
        let deadline = Instant::now() + wait;
        let mut events = Vec::new();
        while let Next::Event(event) = self
            .next(deadline.saturating_duration_since(Instant::now()))
            .await
        {
            events.push(event);
            assert!(events.len() < 100_000, "the stream does not stop");
        }
        events
    }

    /// The next delta with `op`, skipping other deltas; fails after `wait`.
    pub async fn next_op(&mut self, op: &str, wait: Duration) -> Event {
        let deadline = Instant::now() + wait;
        loop {
            match self
                .next(deadline.saturating_duration_since(Instant::now()))
                .await
            {
                Next::Event(event) if event.event == "delta" && event.op() == op => {
                    return event;
                }
                Next::Event(event) => assert_eq!(event.event, "delta", "{event:?}"),
                Next::Timeout => panic!("no {op} delta within {wait:?}"),
                Next::End => panic!("the stream ended while waiting for a {op} delta"),
            }
        }
    }
}
