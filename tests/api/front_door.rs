//! The front door (`src/server/listen/`): an event stream that starts at a request boundary is
//! served without hyper, on a fresh connection or after other requests on a kept-alive one;
//! bytes that only look like a stream request (inside another request, or after a partial
//! head) stay hyper's, and every request is answered as before. Raw sockets, so that what
//! shares a connection is up to the test. SQLite only: this is about HTTP, not the database.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};

use crate::helpers::{Backend, LOBBY_ID, TestApp, id_of, spawn_app, spawn_app_with};
use crate::sse::WAIT;
use crate::sync_slow::{content, slow_subscriber};

mod sqlite {
    macro_rules! sqlite_only {
        ($($test:ident),+ $(,)?) => {$(
            #[tokio::test]
            async fn $test() {
                super::$test(crate::helpers::Backend::Sqlite).await
            }
        )+};
    }
    sqlite_only!(
        a_stream_on_a_fresh_connection_is_served_directly,
        with_direct_streams_off_every_stream_is_served_by_hyper,
        a_stream_after_other_requests_on_a_kept_alive_connection_is_served_directly,
        a_stream_request_inside_a_request_body_is_just_body,
        bytes_after_a_partial_head_stay_with_hyper,
        pipelined_requests_are_answered_in_order,
        a_stream_served_by_hyper_gets_live_deltas_and_heartbeats,
        bad_stream_requests_get_the_same_errors,
        an_http_1_0_stream_ends_with_the_connection,
        a_stream_stuck_on_a_reader_that_stopped_does_not_hold_up_shutdown,
    );
}

fn stream_request(space: &str, extra: &str) -> String {
    format!("GET /api/spaces/{space}/events HTTP/1.1\r\nHost: rhizom\r\n{extra}\r\n")
}

async fn connect(app: &TestApp) -> TcpStream {
    timeout(WAIT, TcpStream::connect(app.addr))
        .await
        .expect("connecting in time")
        .expect("connecting")
}

async fn send(stream: &mut TcpStream, bytes: &str) {
    stream.write_all(bytes.as_bytes()).await.expect("sending");
}

/// Reads until `needle` has arrived; returns everything read so far.
async fn read_until(stream: &mut TcpStream, buf: &mut Vec<u8>, needle: &str) -> String {
    let deadline = Instant::now() + WAIT;
    while !String::from_utf8_lossy(buf).contains(needle) {
        let mut chunk = [0u8; 4096];
        let n = timeout_at(deadline, stream.read(&mut chunk))
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "{needle:?} did not arrive; got {:?}",
                    String::from_utf8_lossy(buf)
                )
            })
            .expect("reading");
        assert!(
            n > 0,
            "closed before {needle:?}; got {:?}",
            String::from_utf8_lossy(buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8_lossy(buf).into_owned()
}

/// Reads one whole response with a `content-length` and returns its head (as sent) and body,
/// leaving what follows in `buf`.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> (String, String) {
    let text = read_until(stream, buf, "\r\n\r\n").await;
    let end = text.find("\r\n\r\n").expect("a head") + 4;
    let head = text[..end].to_owned();
    let length: usize = head
        .to_ascii_lowercase()
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .unwrap_or_else(|| panic!("no content-length in {head}"))
        .trim()
        .parse()
        .expect("a length");
    while buf.len() < end + length {
        let mut chunk = [0u8; 4096];
        let n = timeout(WAIT, stream.read(&mut chunk))
            .await
            .expect("the body in time")
            .expect("reading");
        assert!(n > 0, "closed inside a body");
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[end..end + length]).into_owned();
    buf.drain(..end + length);
    (head, body)
}

/// Signs in a guest on this connection; returns the cookie (`name=value`) and the answer.
async fn sign_in(stream: &mut TcpStream, buf: &mut Vec<u8>) -> (String, String) {
    let post = "{\"name\":\"Ada\"}";
    send(
        stream,
        &format!(
            "POST /api/session HTTP/1.1\r\nHost: rhizom\r\ncontent-type: application/json\r\n\
             content-length: {}\r\n\r\n{post}",
            post.len()
        ),
    )
    .await;
    let (head, body) = read_response(stream, buf).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}\n{body}");
    let cookie = head
        .lines()
        .find_map(|line| line.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    (cookie, body)
}

fn assert_live_stream(text: &str) {
    let lower = text.to_ascii_lowercase();
    assert!(lower.starts_with("http/1.1 200 ok\r\n"), "{text}");
    assert!(lower.contains("content-type: text/event-stream"), "{text}");
    assert!(text.contains("event: reset"), "{text}");
    assert!(text.contains("event: live"), "{text}");
}

async fn a_stream_on_a_fresh_connection_is_served_directly(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut stream = connect(&app).await;
    send(&mut stream, &stream_request(LOBBY_ID, "")).await;
    let text = read_until(&mut stream, &mut Vec::new(), "event: live").await;
    assert_live_stream(&text);
    assert!(
        text.to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{text}"
    );
    assert_eq!(app.direct_streams(), 1);
}

async fn a_stream_after_other_requests_on_a_kept_alive_connection_is_served_directly(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut stream = connect(&app).await;
    let mut buf = Vec::new();
    for _ in 0..2 {
        send(&mut stream, "GET /healthz HTTP/1.1\r\nHost: rhizom\r\n\r\n").await;
        let (head, body) = read_response(&mut stream, &mut buf).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert_eq!(body, "ok");
    }
    // The session a browser's page would have, then its stream, all on one connection.
    let (cookie, body) = sign_in(&mut stream, &mut buf).await;
    let ada: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let ada_id = ada["being"]["id"].as_str().expect("an id").to_owned();
    let moved = format!("{{\"location_id\":\"{LOBBY_ID}\"}}");
    send(
        &mut stream,
        &format!(
            "PATCH /api/beings/{ada_id} HTTP/1.1\r\nHost: rhizom\r\nCookie: {cookie}\r\n\
             content-type: application/json\r\ncontent-length: {}\r\n\r\n{moved}",
            moved.len()
        ),
    )
    .await;
    let (head, body) = read_response(&mut stream, &mut buf).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}\n{body}");
    send(
        &mut stream,
        &stream_request(LOBBY_ID, &format!("Cookie: {cookie}\r\n")),
    )
    .await;
    let text = read_until(&mut stream, &mut buf, "event: live").await;
    assert_live_stream(&text);
    let counts = app.front_door();
    assert_eq!(
        (counts.held, counts.given_back, counts.direct_streams),
        (1, 0, 1),
        "taken off hyper between requests: {counts:?}"
    );

    // The stream knows who it is: Ada comes online to others.
    let deadline = Instant::now() + WAIT;
    loop {
        let beings = app
            .get(&app.anon, &format!("/api/spaces/{LOBBY_ID}/beings"))
            .await
            .expect(200);
        let ada_online = beings["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|b| b["id"] == ada_id.as_str() && b["online"] == true);
        if ada_online {
            break;
        }
        assert!(Instant::now() < deadline, "Ada never came online: {beings}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_stream_request_inside_a_request_body_is_just_body(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut stream = connect(&app).await;
    let body = stream_request(LOBBY_ID, "");
    send(
        &mut stream,
        &format!(
            "POST /api/session HTTP/1.1\r\nHost: rhizom\r\ncontent-type: application/json\r\n\
             expect: 100-continue\r\ncontent-length: {}\r\n\r\n",
            body.len()
        ),
    )
    .await;
    // hyper asks for the body once the app reads it: the request is in flight, and the body
    // comes in a read of its own.
    let mut buf = Vec::new();
    read_until(&mut stream, &mut buf, "100 Continue\r\n\r\n").await;
    buf.clear();
    send(&mut stream, &body).await;
    let (head, answer) = read_response(&mut stream, &mut buf).await;
    assert!(head.starts_with("HTTP/1.1 400"), "{head}\n{answer}");
    assert!(answer.contains("\"error\""), "{answer}");
    assert_eq!(app.front_door(), Default::default(), "nothing held back");
}

async fn bytes_after_a_partial_head_stay_with_hyper(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut stream = connect(&app).await;
    send(&mut stream, "GET /healthz HTTP/1.1\r\nHost: rhizom\r\n").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Arrives on an idle connection and looks like a stream request, but continues the head
    // above, where it is not a valid header line: hyper must get it, and refuse the request.
    send(&mut stream, &stream_request(LOBBY_ID, "")).await;
    let text = read_until(&mut stream, &mut Vec::new(), "\r\n\r\n").await;
    assert!(
        text.to_ascii_lowercase().starts_with("http/1.1 400"),
        "{text}"
    );
    // The tap held the second read (it looked like a stream's start on an idle connection),
    // then gave it to hyper, which was in the middle of a head.
    let counts = app.front_door();
    assert_eq!(
        (
            counts.held,
            counts.handed_back_mid_head,
            counts.direct_streams
        ),
        (1, 1, 0),
        "{counts:?}"
    );
}

async fn pipelined_requests_are_answered_in_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut stream = connect(&app).await;
    send(
        &mut stream,
        &format!(
            "GET /healthz HTTP/1.1\r\nHost: rhizom\r\n\r\n{}",
            stream_request(LOBBY_ID, "")
        ),
    )
    .await;
    let mut buf = Vec::new();
    let (head, body) = read_response(&mut stream, &mut buf).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, "ok");
    let text = read_until(&mut stream, &mut buf, "event: live").await;
    assert_live_stream(&text);
}

/// A stream pipelined behind another request stays with hyper, which pulls the frames the hub
/// queues for it instead of the hub writing them to the socket.
async fn a_stream_served_by_hyper_gets_live_deltas_and_heartbeats(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.heartbeat = Duration::from_millis(100);
    })
    .await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    let mut stream = connect(&app).await;
    send(
        &mut stream,
        &format!(
            "GET /healthz HTTP/1.1\r\nHost: rhizom\r\n\r\n{}",
            stream_request(&space, "")
        ),
    )
    .await;
    let mut buf = Vec::new();
    read_response(&mut stream, &mut buf).await;
    read_until(&mut stream, &mut buf, "event: live").await;
    for text in ["first through hyper", "second through hyper"] {
        app.post_intention(&ada, &space, text).await;
        read_until(&mut stream, &mut buf, text).await;
    }
    read_until(&mut stream, &mut buf, ": ping").await;
    assert_eq!(app.direct_streams(), 0, "pipelined, so served by hyper");
}

async fn bad_stream_requests_get_the_same_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let unknown = "0194f0c2-7a4e-7c3b-9d2a-5b1e8f0a6c11";
    for (space, status) in [("not-an-id", 400), (unknown, 404)] {
        // Through hyper (the changes endpoint shares the handler's checks) and directly.
        let polled = app
            .get(&app.anon, &format!("/api/spaces/{space}/changes"))
            .await;
        let mut stream = connect(&app).await;
        send(&mut stream, &stream_request(space, "")).await;
        let (head, body) = read_response(&mut stream, &mut Vec::new()).await;
        assert!(
            head.starts_with(&format!("HTTP/1.1 {status}")),
            "{space}: {head}"
        );
        let direct: serde_json::Value = serde_json::from_str(&body).expect("a JSON error");
        let polled = polled.expect(status);
        assert_eq!(direct["error"]["code"], polled["error"]["code"], "{space}");
    }
    // A head too big to be a browser's.
    let mut stream = connect(&app).await;
    let huge = format!("X-Filler: {}\r\n", "a".repeat(20 * 1024));
    send(&mut stream, &stream_request(LOBBY_ID, &huge)).await;
    let text = read_until(&mut stream, &mut Vec::new(), "\r\n\r\n").await;
    assert!(
        text.to_ascii_lowercase().starts_with("http/1.1 431"),
        "{text}"
    );
}

async fn with_direct_streams_off_every_stream_is_served_by_hyper(backend: Backend) {
    let app = spawn_app_with(backend, |config| config.direct_streams = false).await;
    let mut stream = connect(&app).await;
    send(&mut stream, &stream_request(LOBBY_ID, "")).await;
    let text = read_until(&mut stream, &mut Vec::new(), "event: live").await;
    assert_live_stream(&text);
    assert_eq!(
        app.front_door(),
        Default::default(),
        "the tap looked at nothing"
    );
}

async fn an_http_1_0_stream_ends_with_the_connection(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut stream = connect(&app).await;
    send(
        &mut stream,
        &format!("GET /api/spaces/{LOBBY_ID}/events HTTP/1.0\r\n\r\n"),
    )
    .await;
    let text = read_until(&mut stream, &mut Vec::new(), "event: live").await;
    assert_live_stream(&text);
    let lower = text.to_ascii_lowercase();
    assert!(!lower.contains("transfer-encoding"), "{text}");
    assert!(lower.contains("connection: close"), "{text}");
    // No chunk sizes: the body is the events themselves.
    let body = &text[text.find("\r\n\r\n").expect("a head") + 4..];
    assert!(body.starts_with("retry: "), "{body:?}");
}

async fn a_stream_stuck_on_a_reader_that_stopped_does_not_hold_up_shutdown(backend: Backend) {
    let mut app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    let _slow = slow_subscriber(&app, &space).await;
    // Far more than the socket buffers hold: the stream's write is left waiting.
    for i in 0..400 {
        app.post_intention(&ada, &space, &content(i)).await;
    }
    assert_eq!(app.direct_streams(), 1);
    app.stop_server().await;
}
