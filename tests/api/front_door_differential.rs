//! The front door's safety net: random request sequences — pipelined, split at random byte
//! boundaries into separate reads, with bodies that contain the bytes of a stream request —
//! get the same answers from a server that takes event streams off hyper and from one that
//! serves everything through hyper (`direct-streams = false`). Both servers share one SQLite
//! database, so the same request reads the same data. Requests that match the events route
//! (a good stream, a bad id, a malformed head) end a sequence: a stream never ends, and an
//! answer served directly closes its connection.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use crate::helpers::{Backend, LOBBY_ID, TestApp, spawn_app};
use crate::sse::WAIT;

#[tokio::test]
async fn random_request_sequences_get_the_same_answers_with_and_without_the_direct_path() {
    let direct = spawn_app(Backend::Sqlite).await;
    let through_hyper = direct
        .second_server(|config| config.direct_streams = false)
        .await;
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for round in 0..100 {
        let seed = rng.next();
        let sequence = Sequence::generate(&mut XorShift(seed));
        let (a, b) = tokio::join!(sequence.answers(&direct), sequence.answers(&through_hyper));
        assert_eq!(
            a, b,
            "round {round} (seed {seed:#x}) answered differently:\n{:?}",
            sequence.bytes
        );
    }
    // Every path of the tap ran, and it was switched off on the other server.
    let counts = direct.front_door();
    assert!(
        counts.direct_streams > 0 && counts.given_back > 0 && counts.handed_back_mid_head > 0,
        "{counts:?}"
    );
    assert_eq!(through_hyper.front_door(), Default::default());
}

/// A tiny deterministic generator, so a failing round can be replayed from its seed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn stream_request() -> String {
    format!("GET /api/spaces/{LOBBY_ID}/events HTTP/1.1\r\nHost: rhizom\r\n\r\n")
}

/// Requests that keep the connection open, each with a complete answer.
fn plain_request(rng: &mut XorShift) -> String {
    match rng.below(5) {
        0 => "GET /healthz HTTP/1.1\r\nHost: rhizom\r\n\r\n".to_owned(),
        1 => "GET /api/spaces HTTP/1.1\r\nHost: rhizom\r\n\r\n".to_owned(),
        2 => format!("GET /api/spaces/{LOBBY_ID}/beings HTTP/1.1\r\nHost: rhizom\r\n\r\n"),
        3 => "GET /api/nowhere HTTP/1.1\r\nHost: rhizom\r\n\r\n".to_owned(),
        // A body that is a stream request: it is body all the same (and bad JSON).
        _ => {
            let body = stream_request();
            format!(
                "POST /api/session HTTP/1.1\r\nHost: rhizom\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\n\r\n{body}",
                body.len()
            )
        }
    }
}

/// Requests on the events route: the last of a sequence.
fn last_request(rng: &mut XorShift) -> Option<String> {
    match rng.below(9) {
        0 | 1 => Some(stream_request()),
        2 => Some("GET /api/spaces/not-an-id/events HTTP/1.1\r\nHost: rhizom\r\n\r\n".to_owned()),
        3 => Some(format!(
            "GET /api/spaces/{}/events HTTP/1.1\r\nHost: rhizom\r\n\r\n",
            "0194f0c2-7a4e-7c3b-9d2a-5b1e8f0a6c11"
        )),
        // A head left open: the stream request that follows is the rest of it (bad lines).
        4 | 5 => Some(format!(
            "GET /healthz HTTP/1.1\r\nHost: rhizom\r\n{}",
            stream_request()
        )),
        // A stream request whose head does not parse.
        6 => Some(format!(
            "GET /api/spaces/{LOBBY_ID}/events HTTP/1.1\r\nbad header\r\n\r\n"
        )),
        _ => None,
    }
}

struct Sequence {
    bytes: Vec<u8>,
    /// Where the bytes are cut into separate writes.
    cuts: Vec<usize>,
    /// The pause after each write: how long the server has to read it before the next comes.
    pause: Duration,
    /// How many answers to read.
    requests: usize,
}

impl Sequence {
    fn generate(rng: &mut XorShift) -> Sequence {
        let mut text = String::new();
        let mut requests = 0;
        for _ in 0..rng.below(3) {
            text.push_str(&plain_request(rng));
            requests += 1;
        }
        if let Some(last) = last_request(rng) {
            text.push_str(&last);
            requests += 1;
        }
        if requests == 0 {
            text.push_str(&stream_request());
            requests = 1;
        }
        let bytes = text.into_bytes();
        let mut cuts: Vec<usize> = (0..rng.below(4)).map(|_| rng.below(bytes.len())).collect();
        // Often cut where a stream request's bytes begin (a request, or inside a body or a
        // head): where the tap looks.
        let starts: Vec<usize> = (1..bytes.len())
            .filter(|&at| bytes[at..].starts_with(b"GET /api/spaces/"))
            .collect();
        if !starts.is_empty() && rng.below(3) > 0 {
            cuts.push(starts[rng.below(starts.len())]);
        }
        cuts.sort_unstable();
        cuts.dedup();
        Sequence {
            bytes,
            cuts,
            pause: Duration::from_millis(5 + rng.below(50) as u64),
            requests,
        }
    }

    /// Sends the sequence on a new connection, in pieces that arrive as separate reads, and
    /// returns each answer as it means something (status, headers, body).
    async fn answers(&self, app: &TestApp) -> Vec<Answer> {
        let mut stream = TcpStream::connect(app.addr).await.expect("connecting");
        let mut from = 0;
        for &cut in self.cuts.iter().chain([&self.bytes.len()]) {
            if cut > from {
                // A server that refused a head closes: what is left goes nowhere.
                if stream.write_all(&self.bytes[from..cut]).await.is_err() {
                    break;
                }
                tokio::time::sleep(self.pause).await;
                from = cut;
            }
        }
        let mut reader = Reader {
            stream,
            buf: Vec::new(),
        };
        let mut answers = Vec::new();
        for _ in 0..self.requests {
            match reader.answer().await {
                Some(answer) => answers.push(answer),
                // Closed: a refused head ends the connection.
                None => break,
            }
        }
        answers
    }
}

/// One response, without what may differ between two correct servers: the date, and how the
/// body was framed on the wire.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    /// The body, or for an event stream, the body up to the end of its `live` event.
    body: String,
}

struct Reader {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Reader {
    /// More bytes; `false` when the connection closed.
    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 4096];
        let read = timeout_at(Instant::now() + WAIT, self.stream.read(&mut chunk))
            .await
            .expect("an answer in time")
            .unwrap_or(0);
        self.buf.extend_from_slice(&chunk[..read]);
        read > 0
    }

    async fn answer(&mut self) -> Option<Answer> {
        let (status, headers, end) = loop {
            let mut slots = [httparse::EMPTY_HEADER; 64];
            let mut head = httparse::Response::new(&mut slots);
            if let httparse::Status::Complete(end) = head.parse(&self.buf).expect("a response head")
            {
                let headers: Vec<(String, String)> = head
                    .headers
                    .iter()
                    .map(|h| {
                        let value = String::from_utf8_lossy(h.value).into_owned();
                        (h.name.to_ascii_lowercase(), value)
                    })
                    .collect();
                break (head.code.expect("a status"), headers, end);
            }
            if !self.fill().await {
                return None;
            }
        };
        self.buf.drain(..end);
        let value = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let event_stream = value("content-type").is_some_and(|t| t == "text/event-stream");
        let body = if let Some(length) = value("content-length") {
            let length: usize = length.parse().expect("a length");
            while self.buf.len() < length {
                assert!(self.fill().await, "closed inside a body");
            }
            String::from_utf8_lossy(&self.buf.drain(..length).collect::<Vec<_>>()).into_owned()
        } else if value("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
            self.chunked_body(event_stream).await
        } else {
            // Delimited by the close.
            while self.fill().await {}
            String::from_utf8_lossy(&std::mem::take(&mut self.buf)).into_owned()
        };
        let framing = ["date", "connection", "content-length", "transfer-encoding"];
        Some(Answer {
            status,
            headers: headers
                .into_iter()
                .filter(|(n, _)| !framing.contains(&n.as_str()))
                .collect(),
            body,
        })
    }

    /// A chunked body to its end, or for an event stream to the end of its `live` event.
    async fn chunked_body(&mut self, event_stream: bool) -> String {
        let mut body = Vec::new();
        loop {
            if let Some(eol) = find(&self.buf, b"\r\n", 0) {
                let size = std::str::from_utf8(&self.buf[..eol]).expect("a size line");
                let size = usize::from_str_radix(size.trim(), 16).expect("a hex size");
                if size == 0 {
                    self.buf.drain(..eol + 2);
                    break;
                }
                if self.buf.len() >= eol + 2 + size + 2 {
                    body.extend_from_slice(&self.buf[eol + 2..eol + 2 + size]);
                    self.buf.drain(..eol + 2 + size + 2);
                    if event_stream && let Some(end) = live_end(&body) {
                        body.truncate(end);
                        break;
                    }
                    continue;
                }
            }
            assert!(self.fill().await, "closed inside a chunked body");
        }
        String::from_utf8_lossy(&body).into_owned()
    }
}

/// Where the `live` event ends in an event stream's body, once it has arrived.
fn live_end(body: &[u8]) -> Option<usize> {
    let start = find(body, b"event: live\n", 0)?;
    find(body, b"\n\n", start).map(|end| end + 2)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| at + from)
}
