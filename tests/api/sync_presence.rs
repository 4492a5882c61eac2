//! Presence (docs/SYNC.md, "Presence"): a signed-in being is online in a space while it has
//! an event stream of it open (one another site's page opened does not count); going offline waits out a grace period; presence left behind by
//! a crashed server is swept; a being whose every stream comes from a page hidden for a while
//! (`?away=true`) is away. Heartbeats are short here so closed streams are noticed quickly.

use std::time::Duration;

use reqwest::Client;
use rhizom::server::testing;
use serde_json::json;
use tokio::time::Instant;

use crate::helpers::{Backend, TestApp, id_of, on_both_backends, spawn_app_with};
use crate::sse::{Event, Sse, WAIT};
use crate::sync_common::{position_of, presence_within};

on_both_backends!(
    a_guest_with_an_open_stream_is_online_and_anonymous_streams_make_no_one_online,
    reopening_a_stream_within_the_grace_period_does_not_flicker_offline,
    closing_the_last_stream_goes_offline_after_the_grace_period,
    an_open_stream_keeps_its_guest_online_past_the_presence_ttl,
    after_a_crash_presence_nobody_renews_is_swept,
    away_while_every_stream_says_so_and_back_as_soon_as_one_does_not,
);

const HEARTBEAT: Duration = Duration::from_millis(500);

/// Ada standing in a garden Bob owns, and an anonymous watcher of the garden.
struct Garden {
    ada: Client,
    ada_id: String,
    space: String,
    watcher: Sse,
}

async fn garden(app: &TestApp) -> Garden {
    let (bob, _) = app.guest("Bob").await;
    let space = id_of(&app.create_space(&bob, "Garden").await);
    let (ada, guest) = app.guest("Ada").await;
    let ada_id = id_of(&guest);
    app.patch(
        &ada,
        &format!("/api/beings/{ada_id}"),
        &json!({ "location_id": space }),
    )
    .await
    .expect(200);
    let mut watcher = app.subscribe(&app.anon, &space, None).await;
    watcher.until_live().await.expect_reset("initial");
    Garden {
        ada,
        ada_id,
        space,
        watcher,
    }
}

/// `online` of a being as `GET /api/spaces/{id}/beings` shows it.
async fn online(app: &TestApp, space: &str, being_id: &str) -> bool {
    let beings = app.beings_with_presence(space).await;
    let being = beings
        .iter()
        .find(|b| b["id"] == being_id)
        .unwrap_or_else(|| panic!("{being_id} is not in {beings:?}"));
    being["online"]
        .as_bool()
        .unwrap_or_else(|| panic!("online should be a boolean: {being}"))
}

/// The next `presence` delta about `being_id`, skipping everything else.
async fn next_presence(sse: &mut Sse, being_id: &str, wait: Duration) -> Event {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let delta = sse.next_op("presence", left).await;
        if delta.data["being_id"] == being_id {
            return delta;
        }
    }
}

/// Opens a stream as Ada and waits until the watcher hears she is online.
async fn ada_comes_online(app: &TestApp, garden: &mut Garden) -> (Sse, Event) {
    let mut stream = app.subscribe(&garden.ada, &garden.space, None).await;
    stream.until_live().await;
    let delta = next_presence(&mut garden.watcher, &garden.ada_id, WAIT).await;
    assert_eq!(delta.data["online"], true, "{delta:?}");
    assert!(online(app, &garden.space, &garden.ada_id).await);
    (stream, delta)
}

async fn a_guest_with_an_open_stream_is_online_and_anonymous_streams_make_no_one_online(
    backend: Backend,
) {
    let app = spawn_app_with(backend, |config| config.heartbeat = HEARTBEAT).await;
    let mut garden = garden(&app).await;
    assert!(!online(&app, &garden.space, &garden.ada_id).await);

    let mut readers = Vec::new();
    for _ in 0..3 {
        let mut reader = app.subscribe(&app.anon, &garden.space, None).await;
        reader.until_live().await;
        readers.push(reader);
    }
    let heard = garden
        .watcher
        .events_within(Duration::from_millis(500))
        .await;
    assert!(
        heard.iter().all(|e| e.op() != "presence"),
        "anonymous streams are readers only: {heard:?}"
    );
    for being in app.beings_with_presence(&garden.space).await {
        assert_eq!(being["online"], false, "{being}");
    }

    // Ada's own cookie, but another site's page opening the stream: a reader only, too.
    let url = app.events_url(&garden.space, None);
    let mut from_elsewhere =
        Sse::connect_with(&garden.ada, &url, &[("sec-fetch-site", "cross-site")]).await;
    from_elsewhere.until_live().await;
    let heard = presence_within(
        &mut garden.watcher,
        &garden.ada_id,
        Duration::from_millis(500),
    )
    .await;
    assert!(heard.is_empty(), "another site made Ada present: {heard:?}");
    assert!(!online(&app, &garden.space, &garden.ada_id).await);

    let (_stream, _) = ada_comes_online(&app, &mut garden).await;
}

async fn reopening_a_stream_within_the_grace_period_does_not_flicker_offline(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.presence_grace = Duration::from_secs(1);
        config.heartbeat = HEARTBEAT;
    })
    .await;
    let mut garden = garden(&app).await;
    let (stream, _) = ada_comes_online(&app, &mut garden).await;

    drop(stream);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut stream = app.subscribe(&garden.ada, &garden.space, None).await;
    stream.until_live().await;

    let heard = presence_within(&mut garden.watcher, &garden.ada_id, Duration::from_secs(2)).await;
    assert!(heard.is_empty(), "a reload is not a departure: {heard:?}");
    assert!(online(&app, &garden.space, &garden.ada_id).await);
    // Closing for good is heard, so the silence above meant something.
    drop(stream);
    let delta = next_presence(&mut garden.watcher, &garden.ada_id, 2 * WAIT).await;
    assert_eq!(delta.data["online"], false, "{delta:?}");
}

async fn closing_the_last_stream_goes_offline_after_the_grace_period(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.presence_grace = Duration::from_secs(1);
        config.heartbeat = HEARTBEAT;
    })
    .await;
    let mut garden = garden(&app).await;
    let (first, came) = ada_comes_online(&app, &mut garden).await;
    let mut second = app.subscribe(&garden.ada, &garden.space, None).await;
    second.until_live().await;

    drop(first);
    let heard = presence_within(&mut garden.watcher, &garden.ada_id, Duration::from_secs(2)).await;
    assert!(heard.is_empty(), "one stream is still open: {heard:?}");
    drop(second);
    let left = next_presence(&mut garden.watcher, &garden.ada_id, 2 * WAIT).await;

    assert_eq!(left.data["online"], false, "{left:?}");
    assert!(left.number("pos") > came.number("pos"));
    assert!(!online(&app, &garden.space, &garden.ada_id).await);
}

async fn an_open_stream_keeps_its_guest_online_past_the_presence_ttl(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.presence_ttl = Duration::from_secs(1);
        config.heartbeat = HEARTBEAT;
    })
    .await;
    let mut garden = garden(&app).await;
    let (_stream, _) = ada_comes_online(&app, &mut garden).await;
    // Marked, to see below that renewing the node's lease never wrote Ada's row again.
    let marked = testing::execute(&app.database_url, "UPDATE presence SET since = 7")
        .await
        .unwrap();
    assert_eq!(marked, 1, "one row: Ada's stream on this node");

    let heard = presence_within(&mut garden.watcher, &garden.ada_id, Duration::from_secs(4)).await;

    assert!(
        heard.is_empty(),
        "a renewed presence is not swept: {heard:?}"
    );
    assert!(online(&app, &garden.space, &garden.ada_id).await);
    let untouched = testing::execute(
        &app.database_url,
        "UPDATE presence SET since = 8 WHERE since = 7",
    )
    .await
    .unwrap();
    assert_eq!(untouched, 1, "the lease is renewed, not the presence row");
}

async fn after_a_crash_presence_nobody_renews_is_swept(backend: Backend) {
    // A grace of an hour: if Ada goes offline below, it is the sweep that did it.
    let app = spawn_app_with(backend, |config| {
        config.presence_grace = Duration::from_secs(3600);
    })
    .await;
    let mut garden = garden(&app).await;
    let (stream, came) = ada_comes_online(&app, &mut garden).await;
    let cursor = came.id.clone().expect("a delta carries its cursor");
    drop(garden.watcher);

    let app = app
        .crash_and_restart(|config| config.presence_ttl = Duration::from_secs(2))
        .await;
    drop(stream); // its connection dies with the crashed server

    let deadline = Instant::now() + Duration::from_secs(30);
    while online(&app, &garden.space, &garden.ada_id).await {
        assert!(
            Instant::now() < deadline,
            "Ada stays online after the crash"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The sweep was a change like any other: a watcher that was there before hears of it.
    // Ada reads as offline once her node's lease runs out; the sweep that says so in a delta
    // comes at the next housekeeping round, so the watcher looks until it has.
    loop {
        let mut watcher = app.subscribe(&app.anon, &garden.space, Some(&cursor)).await;
        let catchup = watcher.until_live().await;
        let deltas = catchup.expect_catchup(position_of(&cursor));
        let left = deltas
            .iter()
            .find(|d| d.op() == "presence" && d.data["being_id"] == garden.ada_id.as_str());
        if let Some(left) = left {
            assert_eq!(left.data["online"], false, "{left:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no presence delta for Ada after the crash: {deltas:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn away_while_every_stream_says_so_and_back_as_soon_as_one_does_not(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.heartbeat = HEARTBEAT;
        config.presence_grace = Duration::from_secs(1);
    })
    .await;
    let mut garden = garden(&app).await;
    let away_url = format!("{}?away=true", app.events_url(&garden.space, None));
    let away_of = |being: &serde_json::Value| being.get("away").cloned();
    let ada_as_listed = async |app: &TestApp, garden: &Garden| {
        let beings = app.beings_with_presence(&garden.space).await;
        beings
            .into_iter()
            .find(|b| b["id"] == garden.ada_id.as_str())
            .expect("Ada is in the garden")
    };

    // Someone signed out saying they are away makes nobody anything.
    let mut anonymous = Sse::connect(&app.anon, &away_url, None).await;
    anonymous.until_live().await;
    let mut hidden = Sse::connect(&garden.ada, &away_url, None).await;
    hidden.until_live().await;
    let delta = next_presence(&mut garden.watcher, &garden.ada_id, WAIT).await;
    assert_eq!(
        (&delta.data["online"], &delta.data["away"]),
        (&json!(true), &json!(true))
    );
    let listed = ada_as_listed(&app, &garden).await;
    assert_eq!(
        (&listed["online"], away_of(&listed)),
        (&json!(true), Some(json!(true)))
    );

    let shown = app.subscribe(&garden.ada, &garden.space, None).await;
    let delta = next_presence(&mut garden.watcher, &garden.ada_id, WAIT).await;
    assert_eq!(delta.data["online"], true);
    assert_eq!(delta.data.get("away"), None, "back: {delta:?}");
    assert_eq!(away_of(&ada_as_listed(&app, &garden).await), None);

    // The shown page closes; the hidden one stays: away again once the grace is over (a reload
    // of the shown page would have come back within it).
    drop(shown);
    let quiet = presence_within(
        &mut garden.watcher,
        &garden.ada_id,
        Duration::from_millis(500),
    );
    assert!(quiet.await.is_empty(), "not during the grace");
    let delta = next_presence(&mut garden.watcher, &garden.ada_id, WAIT).await;
    assert_eq!(
        (&delta.data["online"], &delta.data["away"]),
        (&json!(true), &json!(true))
    );

    let reply = app
        .get(
            &garden.ada,
            &format!("/api/spaces/{}/events?away=maybe", garden.space),
        )
        .await;
    reply.expect_error(400, "bad_request", Some("away"));
    drop(hidden);
}
