//! Rate limits (docs/SECURITY.md): a flood is slowed with `429`, `Retry-After` and the JSON
//! error `rate_limited`, every post that was accepted is stored, and waiting as told is enough;
//! sign-ins, reads and stream opens are limited per address, writes per address and per guest; the
//! client's address comes from `X-Forwarded-For` only behind a proxy the operator trusts.

use std::time::Duration;

use reqwest::Client;
use serde_json::json;

use crate::helpers::{Backend, LOBBY_ID, TestApp, id_of, on_both_backends, send, spawn_app_with};
use crate::sse::Sse;
use rhizom::server::Rate;

on_both_backends!(
    a_flood_of_posts_is_slowed_and_every_accepted_post_is_stored,
    signing_in_is_limited_per_address,
    opening_streams_is_limited_per_address_and_per_guest,
    forwarded_addresses_count_only_behind_a_trusted_proxy,
    reading_is_limited_per_address_and_the_health_check_and_streams_are_not,
);

const SECOND: Duration = Duration::from_secs(1);

async fn a_flood_of_posts_is_slowed_and_every_accepted_post_is_stored(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.write_rate_per_being = Rate::limited(5, SECOND, 5);
    })
    .await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    let path = format!("/api/spaces/{space}/intentions");
    let mut accepted = Vec::new();
    let mut refused = None;
    for i in 0..20 {
        let reply = app
            .post(&ada, &path, &json!({ "content": format!("flood {i}") }))
            .await;
        match reply.status {
            201 => accepted.push(reply.body["id"].clone()),
            429 => refused = Some(reply),
            other => panic!("a flood is accepted or slowed, not {other}: {}", reply.text),
        }
    }
    let refused = refused.expect("twenty posts at once meet the limit");
    refused.expect_error(429, "rate_limited", None);
    let wait: u64 = refused
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    assert_eq!(refused.body["error"]["retry_after"], wait);
    // The burst of five, less the space made first, and whatever refilled meanwhile.
    assert!(
        accepted.len() >= 4 && accepted.len() < 20,
        "{} accepted",
        accepted.len()
    );
    let stored: Vec<_> = app
        .intentions(&space)
        .await
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(
        stored.len(),
        accepted.len(),
        "every accepted post is stored, no other"
    );
    // Waiting as told is enough.
    tokio::time::sleep(Duration::from_secs(wait)).await;
    app.post(&ada, &path, &json!({ "content": "after the wait" }))
        .await
        .expect(201);
    // Another guest (same address, whose own limit is off) was never slowed by Ada's.
    let (bob, _) = app.guest("Bob").await;
    app.post(&bob, &path, &json!({ "content": "me too" }))
        .await
        .expect(201);
}

async fn signing_in_is_limited_per_address(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.sign_in_rate = Rate::limited(1, Duration::from_secs(3600), 2);
    })
    .await;
    app.guest("Ada").await;
    app.guest("Bob").await;
    let third = app
        .post(&app.client(), "/api/session", &json!({ "name": "Eve" }))
        .await;
    third.expect_error(429, "rate_limited", None);
    assert!(third.header("set-cookie").is_none(), "no guest, no cookie");
    assert!(third.header("retry-after").is_some());
    // Starting a passkey sign-in counts too (each start is kept for a while).
    app.post(&app.client(), "/api/passkeys/sign-in", &json!({}))
        .await
        .expect_error(429, "rate_limited", None);
}

async fn opening_streams_is_limited_per_address_and_per_guest(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.stream_rate_per_being = Rate::limited(1, Duration::from_secs(3600), 1);
        config.stream_rate_per_address = Rate::limited(1, Duration::from_secs(3600), 3);
    })
    .await;
    let (ada, _) = app.guest("Ada").await;
    let url = app.events_url(LOBBY_ID, None);
    let _first = Sse::connect(&ada, &url, None).await;
    let again = send(ada.get(&url)).await;
    again.expect_error(429, "rate_limited", None);
    // Anonymous readers share the address's limit.
    let _second = Sse::connect(&app.anon, &url, None).await;
    let _third = Sse::connect(&app.anon, &url, None).await;
    send(app.anon.get(&url))
        .await
        .expect_error(429, "rate_limited", None);
}

/// A client that says it comes from `forwarded`.
async fn post_as(app: &TestApp, client: &Client, forwarded: &str, path: &str) -> u16 {
    let request = client
        .post(app.url(path))
        .header("x-forwarded-for", forwarded)
        .json(&json!({ "content": "hi" }));
    send(request).await.status
}

async fn forwarded_addresses_count_only_behind_a_trusted_proxy(backend: Backend) {
    for trusted in [false, true] {
        let app = spawn_app_with(backend, |config| {
            config.write_rate_per_address = Rate::limited(1, Duration::from_secs(3600), 1);
            if trusted {
                config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
            }
        })
        .await;
        let (ada, _) = app.guest("Ada").await;
        let (bob, _) = app.guest("Bob").await;
        let path = format!("/api/spaces/{LOBBY_ID}/intentions");
        assert_eq!(post_as(&app, &ada, "198.51.100.1", &path).await, 201);
        // Another client behind the proxy: a key of its own only when the proxy is trusted.
        let bob_status = post_as(&app, &bob, "198.51.100.2", &path).await;
        assert_eq!(
            bob_status,
            if trusted { 201 } else { 429 },
            "trusted: {trusted}"
        );
        // The same forwarded address again is limited either way.
        assert_eq!(post_as(&app, &ada, "198.51.100.1", &path).await, 429);
    }
}

async fn reading_is_limited_per_address_and_the_health_check_and_streams_are_not(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.read_rate_per_address = Rate::limited(1, Duration::from_secs(3600), 3);
    })
    .await;
    let lists = [
        "/api/spaces",
        "/",
        &format!("/api/spaces/{LOBBY_ID}/changes"),
    ];
    for path in lists {
        assert_eq!(
            send(app.anon.get(app.url(path))).await.status,
            200,
            "{path}"
        );
    }
    let refused = send(app.anon.get(app.url("/api/spaces"))).await;
    assert!(refused.header("retry-after").is_some());
    refused.expect_error(429, "rate_limited", None);
    assert_eq!(send(app.anon.get(app.url("/healthz"))).await.status, 200);
    let _stream = Sse::connect(&app.anon, &app.events_url(LOBBY_ID, None), None).await;
}
