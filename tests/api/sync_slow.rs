//! Slow readers are cut off, not waited for (docs/SYNC.md, "Guarantees"): a subscriber that
//! stops reading is disconnected once it falls further behind than the space's buffer, while
//! the others go on receiving everything; the one cut off resumes by cursor.
//!
//! The slow subscriber is a raw socket with a small receive buffer that sends its request and
//! then reads nothing. SQLite only: this is about the stream, not the database.

use std::io::ErrorKind;
use std::time::Duration;

use tokio::net::{TcpSocket, TcpStream};
use tokio::time::{Instant, timeout, timeout_at};

use crate::helpers::{Backend, TestApp, id_of, spawn_app_with};
use crate::sse::{Event, Parser, WAIT};
use crate::sync_common::{assert_chain, position_of};

mod sqlite {
    #[tokio::test]
    async fn a_subscriber_that_stops_reading_is_cut_off_while_the_others_get_everything() {
        super::a_subscriber_that_stops_reading_is_cut_off_while_the_others_get_everything(
            crate::helpers::Backend::Sqlite,
        )
        .await
    }
}

const MESSAGES: usize = 400;

/// 4000 four-byte characters, about 16 KB a message and 6.4 MB in all: more than the slow
/// socket's kernel buffers on loopback (a few MB at most) and the server's own buffers can
/// hold, so the server has to notice that this reader is behind.
pub(crate) fn content(i: usize) -> String {
    format!("{i:04} {}", "🌱".repeat(3995))
}

/// Opens `/events` on a socket with a 4 KB receive buffer and sends the request by hand.
pub(crate) async fn slow_subscriber(app: &TestApp, space: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("a socket");
    socket
        .set_recv_buffer_size(4096)
        .expect("a small receive buffer");
    let stream = timeout(WAIT, socket.connect(app.addr))
        .await
        .expect("connecting in time")
        .expect("connecting");
    let request = format!(
        "GET /api/spaces/{space}/events HTTP/1.1\r\nHost: {}\r\n\
         Accept: text/event-stream\r\nConnection: close\r\n\r\n",
        app.addr
    );
    let mut bytes = request.as_bytes();
    while !bytes.is_empty() {
        timeout(WAIT, stream.writable())
            .await
            .expect("writable in time")
            .expect("writable");
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => panic!("sending the request: {e}"),
        }
    }
    stream
}

/// Reads until the server closes the connection; fails if it does not within `wait`.
async fn read_to_end(stream: &TcpStream, wait: Duration) -> Vec<u8> {
    let deadline = Instant::now() + wait;
    let mut bytes = Vec::new();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        timeout_at(deadline, stream.readable())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "the server did not close the slow subscriber within {wait:?} ({} bytes read)",
                    bytes.len()
                )
            })
            .expect("readable");
        match stream.try_read(&mut buffer) {
            Ok(0) => return bytes,
            Ok(n) => bytes.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return bytes,
            Err(e) => panic!("reading the slow subscriber: {e}"),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The body of a chunked response, up to where it was cut.
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = find(body, b"\r\n") {
        let size = String::from_utf8_lossy(&body[..eol]);
        let size = size.split(';').next().unwrap_or("").trim();
        let size =
            usize::from_str_radix(size, 16).unwrap_or_else(|_| panic!("chunk size {size:?}"));
        let data = &body[eol + 2..];
        if size == 0 || data.len() < size {
            out.extend_from_slice(&data[..size.min(data.len())]);
            break;
        }
        out.extend_from_slice(&data[..size]);
        body = data.get(size + 2..).unwrap_or(&[]);
    }
    out
}

/// The complete events of a raw HTTP/1.1 response, and the last event id a browser would keep.
fn events_in(raw: &[u8]) -> (Vec<Event>, Option<String>) {
    let end = find(raw, b"\r\n\r\n").expect("a response head");
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let body = &raw[end + 4..];
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_vec()
    };
    let mut parser = Parser::default();
    let events = parser.push(&body);
    (events, parser.last_event_id)
}

fn intention_ids(deltas: &[Event]) -> Vec<String> {
    deltas.iter().map(|d| id_of(&d.data["intention"])).collect()
}

async fn a_subscriber_that_stops_reading_is_cut_off_while_the_others_get_everything(
    backend: Backend,
) {
    let app = spawn_app_with(backend, |config| {
        config.stream_buffer = 16;
        // The reader cut off resumes with every message it missed (6 MB here): this test is
        // about being cut off, not about the catch-up's own limit (tests/api/guard_catch_up.rs).
        config.catch_up_max_bytes = usize::MAX;
    })
    .await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    let slow = slow_subscriber(&app, &space).await;
    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let start = sse.until_live().await.position();
    let reader =
        tokio::spawn(async move { sse.collect_deltas(MESSAGES, Duration::from_secs(120)).await });

    let mut posted = Vec::new();
    for i in 0..MESSAGES {
        posted.push(id_of(&app.post_intention(&ada, &space, &content(i)).await));
    }
    let deltas = match reader.await {
        Ok(deltas) => deltas,
        Err(failed) => std::panic::resume_unwind(failed.into_panic()),
    };
    let head = assert_chain(start, &deltas);
    assert_eq!(
        intention_ids(&deltas),
        posted,
        "the reader that kept up got everything"
    );

    let raw = read_to_end(&slow, Duration::from_secs(60)).await;
    let (events, last_event_id) = events_in(&raw);
    let live = events
        .iter()
        .position(|e| e.event == "live")
        .expect("the slow subscriber got as far as live");
    let got = &events[live + 1..];
    assert_chain(events[live].number("position"), got);
    assert!(
        got.len() < MESSAGES,
        "the slow subscriber was waited for instead of cut off: it got all {} deltas",
        got.len()
    );

    // Cut off, it resumes from the last event it saw and misses nothing.
    let cursor = last_event_id.expect("the slow subscriber saw at least a reset");
    let mut again = app.subscribe(&app.anon, &space, Some(&cursor)).await;
    let catchup = again.until_live().await;
    let rest = catchup.expect_catchup(position_of(&cursor));
    assert_eq!(catchup.position(), head);
    let mut seen = intention_ids(got);
    seen.extend(intention_ids(rest));
    assert!(
        seen.len() <= posted.len(),
        "nothing twice: {} deltas",
        seen.len()
    );
    assert_eq!(seen, posted[posted.len() - seen.len()..]);
}
