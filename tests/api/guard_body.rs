//! Sizes and times (docs/SECURITY.md, "Limits"): an oversized body is a 413 before it is
//! buffered — on a server function too, and whether or not it says its length — a slow body
//! is a 408, a slow head is cut off, and past the cap on connections the server still answers
//! its health check and the clients it already has.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::helpers::{Backend, LOBBY_ID, TestApp, id_of, on_both_backends, spawn_app_with};
use crate::sse::WAIT;

on_both_backends!(
    a_32_mb_body_to_a_server_function_is_413_and_is_never_buffered,
    a_body_too_large_without_a_length_is_413_once_it_passes_the_limit,
    a_body_that_takes_too_long_is_408_and_a_slow_head_is_cut_off,
    past_the_connection_cap_the_health_check_and_open_streams_go_on,
);

/// The path of a server function, as the page's own forms name it.
pub async fn server_fn_path(app: &TestApp, page: &str, name: &str) -> String {
    let html = app
        .anon
        .get(app.url(page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html
        .find(&format!("action=\"/rpc/{name}"))
        .unwrap_or_else(|| panic!("no form posts to {name} on {page}"));
    let rest = &html[start + "action=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// This process's resident memory, in bytes (the server runs in it).
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .expect("VmRSS");
    kib * 1024
}

/// Sends `head`, then up to `body_bytes` of zeros in small writes (stopping when the server
/// stops taking them), and returns what the server answered.
async fn send_big(app: &TestApp, head: &str, body_bytes: usize, chunked: bool) -> String {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let zeros = vec![b'0'; 64 * 1024];
    let mut sent = 0;
    while sent < body_bytes {
        let piece: Vec<u8> = if chunked {
            [format!("{:x}\r\n", zeros.len()).as_bytes(), &zeros, b"\r\n"].concat()
        } else {
            zeros.clone()
        };
        match timeout(Duration::from_secs(2), stream.write_all(&piece)).await {
            Ok(Ok(())) => sent += zeros.len(),
            // The server answered and closed, or stopped reading: enough was sent.
            _ => break,
        }
    }
    let mut answer = Vec::new();
    let _ = timeout(WAIT, stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

async fn a_32_mb_body_to_a_server_function_is_413_and_is_never_buffered(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let join = server_fn_path(&app, "/", "join").await;
    let before = resident_bytes();
    let length = 32 * 1024 * 1024;
    let head = format!(
        "POST {join} HTTP/1.1\r\nHost: rhizom\r\ncontent-type: application/x-www-form-urlencoded\r\n\
         content-length: {length}\r\n\r\n"
    );
    let answer = send_big(&app, &head, length, false).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:.300}");
    assert!(answer.contains("\"payload_too_large\""), "{answer:.300}");
    let grew = resident_bytes().saturating_sub(before);
    assert!(
        grew < 8 * 1024 * 1024,
        "memory grew by {grew} bytes for a refused body"
    );
    assert!(app.spaces().await.len() == 1, "nothing was created");
}

async fn a_body_too_large_without_a_length_is_413_once_it_passes_the_limit(backend: Backend) {
    let app = spawn_app_with(backend, |config| config.max_body_bytes = 1024).await;
    let head = "POST /api/session HTTP/1.1\r\nHost: rhizom\r\ncontent-type: application/json\r\n\
                transfer-encoding: chunked\r\n\r\n";
    let answer = send_big(&app, head, 4 * 1024 * 1024, true).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:.300}");
    assert!(answer.contains("\"payload_too_large\""), "{answer:.300}");
    // A body within the limit is read as ever.
    let (ada, _) = app.guest("Ada").await;
    app.create_space(&ada, "Garden").await;
}

async fn a_body_that_takes_too_long_is_408_and_a_slow_head_is_cut_off(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.body_timeout = Duration::from_millis(500);
        config.head_timeout = Duration::from_millis(500);
    })
    .await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let head = "POST /api/session HTTP/1.1\r\nHost: rhizom\r\ncontent-type: application/json\r\n\
                content-length: 100\r\n\r\n{\"name\":";
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 4096];
    let n = timeout(WAIT, stream.read(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"request_timeout\""), "{answer}");

    // A head that never ends: the connection is closed, with no request made of it.
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: rhizom\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    let closed = timeout(WAIT, stream.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "the slow head's connection was closed in time"
    );
    assert!(
        !String::from_utf8_lossy(&rest).contains(" 200 "),
        "no answer to half a request"
    );
}

async fn past_the_connection_cap_the_health_check_and_open_streams_go_on(backend: Backend) {
    let app = spawn_app_with(backend, |config| config.max_connections = 3).await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    // Three connections: Ada's (kept alive by her client), and two streams.
    let mut first = app.subscribe(&app.anon, &space, None).await;
    first.until_live().await;
    let other = app.client();
    let mut second = app.subscribe(&other, LOBBY_ID, None).await;
    second.until_live().await;
    assert_eq!(app.front_door().over_the_cap, 0);

    // A fourth: the health check is answered, anything else is told to come back later.
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let health = fresh.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    let busy = crate::helpers::send(fresh.get(app.url("/api/spaces"))).await;
    busy.expect_error(503, "unavailable", None);
    assert_eq!(busy.header("retry-after"), Some("5"));
    assert!(app.front_door().over_the_cap >= 2);

    // The clients already connected go on: Ada posts on her connection, the stream hears it.
    let said = app
        .post(
            &ada,
            &format!("/api/spaces/{space}/intentions"),
            &json!({ "content": "still here" }),
        )
        .await
        .expect(201);
    let delta = first.next_op("intention_upsert", WAIT).await;
    assert_eq!(delta.data["intention"]["id"], said["id"]);
}
