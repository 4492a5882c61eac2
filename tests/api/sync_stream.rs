//! The stream as HTTP (docs/SYNC.md, "The stream"): its headers, its opening `retry:`, its
//! heartbeat, and a 404 for a space that does not exist.

use std::time::Duration;

use reqwest::header::{ACCEPT, ACCEPT_ENCODING};
use tokio::time::{Instant, timeout, timeout_at};

use crate::helpers::{Backend, LOBBY_ID, id_of, on_both_backends, spawn_app, spawn_app_with};
use crate::sse::{Next, Parser, WAIT};

on_both_backends!(
    the_stream_is_an_uncompressed_uncached_event_stream_that_opens_with_retry,
    an_idle_stream_sends_heartbeat_comments,
    streaming_a_space_that_does_not_exist_is_not_found,
    stopping_the_server_ends_open_streams_instead_of_waiting_for_them,
);

async fn stopping_the_server_ends_open_streams_instead_of_waiting_for_them(backend: Backend) {
    let mut app = spawn_app(backend).await;
    let mut sse = app.subscribe(&app.anon, LOBBY_ID, None).await;
    assert!(
        matches!(sse.next(WAIT).await, Next::Event(_)),
        "the stream opens with its reset"
    );

    app.stop_server().await;

    let mut ended = false;
    for _ in 0..10 {
        match sse.next(WAIT).await {
            Next::End => {
                ended = true;
                break;
            }
            Next::Event(_) => continue,
            Next::Timeout => break,
        }
    }
    assert!(ended, "the server ended the open stream when it stopped");
}

async fn the_stream_is_an_uncompressed_uncached_event_stream_that_opens_with_retry(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let request = app
        .anon
        .get(app.events_url(LOBBY_ID, None))
        .header(ACCEPT, "text/event-stream")
        .header(ACCEPT_ENCODING, "gzip, deflate, br, zstd");

    let mut response = timeout(WAIT, request.send())
        .await
        .expect("the stream answers in time")
        .expect("the stream answers");

    assert_eq!(response.status().as_u16(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().expect("an ASCII header").to_owned())
    };
    let content_type = header("content-type").expect("a content type");
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
    let cache_control = header("cache-control").expect("cache-control");
    assert!(
        cache_control.split(',').any(|d| d.trim() == "no-cache"),
        "{cache_control}"
    );
    assert_eq!(header("x-accel-buffering").as_deref(), Some("no"));
    assert_eq!(
        header("content-encoding"),
        None,
        "an event stream is not compressed"
    );

    let deadline = Instant::now() + WAIT;
    let mut text = String::new();
    while !text.contains("event: live") {
        match timeout_at(deadline, response.chunk()).await {
            Ok(Ok(Some(bytes))) => text.push_str(&String::from_utf8_lossy(&bytes)),
            other => panic!("the stream stopped before live ({other:?}): {text:?}"),
        }
    }
    let retry = text.find("retry:").expect("a retry: line");
    let first_event = text.find("event:").unwrap();
    assert!(retry < first_event, "retry: comes first: {text:?}");
    let mut parser = Parser::default();
    parser.push(text.as_bytes());
    assert_eq!(parser.retry, Some(2000));
}

async fn an_idle_stream_sends_heartbeat_comments(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.heartbeat = Duration::from_millis(200);
    })
    .await;
    let mut sse = app.subscribe(&app.anon, LOBBY_ID, None).await;
    sse.until_live().await;

    assert!(
        sse.saw_comment("ping", WAIT).await,
        "no `: ping` within {WAIT:?}; comments: {:?}",
        sse.parser().comments
    );
}

async fn streaming_a_space_that_does_not_exist_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let bot = id_of(&bot);

    for id in [unknown.as_str(), bot.as_str(), "not-a-uuid"] {
        let path = format!("/api/spaces/{id}/events");
        let reply = timeout(WAIT, app.get(&app.anon, &path))
            .await
            .unwrap_or_else(|_| panic!("{path} should answer, not stream"));
        match id {
            "not-a-uuid" => reply.expect_error(400, "bad_request", None),
            _ => reply.expect_error(404, "not_found", None),
        }
    }
}
