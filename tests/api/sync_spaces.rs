//! One stream of several spaces (docs/SYNC.md, "Many spaces on one stream"): each space is
//! followed from its own cursor with the same guarantees as a stream of its own (catch-up or
//! reset, positions chained per space), a `space` event says whose frames follow, a deleted
//! space leaves while the others go on (one listed after it went is `gone`), the reader's own
//! signals reach it, and it makes its viewer present in the spaces it says it is in (`here`,
//! `away`) and nowhere else.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::Client;
use rhizom::server::Rate;
use serde_json::json;

use crate::helpers::{Backend, TestApp, id_of, on_both_backends, spawn_app, spawn_app_with};
use crate::sse::{Event, Next, Sse, WAIT};
use crate::sync_common::presence_within;

on_both_backends!(
    one_stream_follows_several_spaces_each_from_its_own_position,
    a_deleted_space_leaves_the_stream_and_the_others_go_on,
    the_readers_marks_reach_it_and_it_makes_nobody_present,
    the_viewer_is_present_where_it_says_it_is_and_only_there,
    a_list_that_is_not_one_is_refused,
    a_stream_of_many_spaces_counts_as_many_streams_against_the_limits,
    a_reopen_by_the_same_reader_is_charged_for_what_it_adds,
);

/// What a stream of several spaces said, space by space.
#[derive(Debug, Default)]
struct PerSpace {
    events: HashMap<String, Vec<Event>>,
    lives: usize,
}

impl PerSpace {
    fn of(&self, space: &str, name: &str) -> Vec<&Event> {
        self.events
            .get(space)
            .map(|events| events.iter().filter(|e| e.event == name).collect())
            .unwrap_or_default()
    }
}

/// A stream of several spaces, and the space whose frames come now.
struct Following {
    stream: Sse,
    current: Option<String>,
}

/// Reads the stream until `lives` spaces went live, or (with `lives` 0) for `wait`, filing each
/// event under the space the last `space` event named.
async fn read(following: &mut Following, lives: usize, wait: Duration) -> PerSpace {
    let deadline = tokio::time::Instant::now() + wait;
    let mut seen = PerSpace::default();
    let Following { stream, current } = following;
    while lives == 0 || seen.lives < lives {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let event = match stream.next(left).await {
            Next::Event(event) => event,
            Next::Timeout if lives == 0 => break,
            other => panic!("{} of {lives} spaces live, then {other:?}", seen.lives),
        };
        if event.event == "space" {
            *current = Some(
                event.data["space_id"]
                    .as_str()
                    .expect("a space id")
                    .to_owned(),
            );
            continue;
        }
        seen.lives += usize::from(event.event == "live");
        let space = current.clone().expect("a space event before any other");
        seen.events.entry(space).or_default().push(event);
    }
    seen
}

async fn open(app: &TestApp, client: &Client, query: &str) -> Following {
    Following {
        stream: Sse::connect(client, &app.url(&format!("/api/live?{query}")), None).await,
        current: None,
    }
}

async fn one_stream_follows_several_spaces_each_from_its_own_position(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let spaces: Vec<String> = {
        let mut ids = Vec::new();
        for name in ["North", "South", "East"] {
            ids.push(id_of(&app.create_space(&ada, name).await));
        }
        ids
    };
    app.post_intention(&ada, &spaces[0], "before, north").await;

    let mut stream = open(&app, &app.anon, &format!("spaces={}", spaces.join(","))).await;
    let opened = read(&mut stream, 3, WAIT).await;
    let mut positions = HashMap::new();
    for space in &spaces {
        let resets = opened.of(space, "reset");
        assert_eq!(resets.len(), 1, "no cursor: a reset for {space}");
        assert_eq!(resets[0].data["space"]["id"], space.as_str());
        positions.insert(space.clone(), resets[0].number("position"));
    }
    let epoch = opened.of(&spaces[0], "reset")[0].data["epoch"]
        .as_str()
        .expect("an epoch")
        .to_owned();

    // Each space's deltas chain from its own position, whatever comes between.
    app.post_intention(&ada, &spaces[1], "south 1").await;
    app.post_intention(&ada, &spaces[0], "north 1").await;
    app.post_intention(&ada, &spaces[1], "south 2").await;
    let heard = read(&mut stream, 0, Duration::from_millis(1500)).await;
    for (space, texts) in [
        (&spaces[0], vec!["north 1"]),
        (&spaces[1], vec!["south 1", "south 2"]),
    ] {
        let deltas = heard.of(space, "delta");
        let said: Vec<&str> = deltas
            .iter()
            .map(|d| d.data["intention"]["content"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(said, texts, "{space}");
        let mut at = positions[space];
        for delta in deltas {
            assert_eq!(delta.number("prev"), at, "{delta:?}");
            at = delta.number("pos");
        }
        positions.insert(space.clone(), at);
    }
    assert!(heard.of(&spaces[2], "delta").is_empty());
    drop(stream);

    // Away meanwhile: resumed from each position, only what is new comes, and no reset.
    app.post_intention(&ada, &spaces[2], "east 1").await;
    let list: Vec<String> = spaces
        .iter()
        .map(|space| format!("{space}:{}", positions[space]))
        .collect();
    let mut resumed = open(
        &app,
        &app.anon,
        &format!("epoch={epoch}&spaces={}", list.join(",")),
    )
    .await;
    let caught_up = read(&mut resumed, 3, WAIT).await;
    for space in &spaces {
        assert!(
            caught_up.of(space, "reset").is_empty(),
            "{space} resumed exactly"
        );
    }
    let east = caught_up.of(&spaces[2], "delta");
    assert_eq!(east.len(), 1);
    assert_eq!(east[0].data["intention"]["content"], "east 1");
    assert_eq!(east[0].number("prev"), positions[&spaces[2]]);
    assert!(
        caught_up.of(&spaces[0], "delta").is_empty()
            && caught_up.of(&spaces[1], "delta").is_empty()
    );
}

async fn a_deleted_space_leaves_the_stream_and_the_others_go_on(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let kept = id_of(&app.create_space(&ada, "Kept").await);
    let gone = id_of(&app.create_space(&ada, "Gone").await);
    let mut stream = open(&app, &app.anon, &format!("spaces={kept},{gone}")).await;
    read(&mut stream, 2, WAIT).await;
    app.delete(&ada, &format!("/api/beings/{gone}"))
        .await
        .expect_no_content();
    app.post_intention(&ada, &kept, "still here").await;
    let heard = read(&mut stream, 0, Duration::from_millis(1500)).await;
    let deleted = heard.of(&gone, "delta");
    assert_eq!(deleted.len(), 1, "{heard:?}");
    assert_eq!(deleted[0].op(), "being_delete");
    let kept_deltas = heard.of(&kept, "delta");
    assert_eq!(kept_deltas.len(), 1, "{heard:?}");
    assert_eq!(kept_deltas[0].data["intention"]["content"], "still here");

    // Listed again after it went (a page that missed the delete): it is gone, the rest is live.
    let mut again = open(&app, &app.anon, &format!("spaces={gone},{kept}")).await;
    let opened = read(&mut again, 1, WAIT).await;
    assert_eq!(opened.of(&gone, "gone").len(), 1, "{opened:?}");
    assert_eq!(opened.of(&kept, "live").len(), 1, "{opened:?}");
}

async fn the_readers_marks_reach_it_and_it_makes_nobody_present(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, bob_being) = app.guest("Bob").await;
    let first = id_of(&app.create_space(&ada, "First").await);
    let second = id_of(&app.create_space(&ada, "Second").await);
    let mut watcher = app.subscribe(&app.anon, &second, None).await;
    watcher.until_live().await;
    let mut bobs = open(&app, &bob, &format!("spaces={first},{second}")).await;
    read(&mut bobs, 2, WAIT).await;
    let mut adas = open(&app, &ada, &format!("spaces={first},{second}")).await;
    read(&mut adas, 2, WAIT).await;

    app.post_intention(&ada, &second, "hello").await;
    app.put(&bob, &format!("/api/spaces/{second}/read"), &json!({}))
        .await
        .expect(200);
    let heard = read(&mut bobs, 0, Duration::from_millis(1500)).await;
    let reads = heard.of(&second, "read");
    assert_eq!(reads.len(), 1, "{heard:?}");
    assert_eq!(reads[0].id, None);
    assert_eq!(reads[0].data["space_id"], second.as_str());
    let adas_heard = read(&mut adas, 0, Duration::from_millis(500)).await;
    assert!(
        adas_heard.of(&second, "read").is_empty(),
        "Bob's mark is his"
    );

    let presence: Vec<Event> = watcher
        .events_within(Duration::from_millis(500))
        .await
        .into_iter()
        .filter(|e| e.op() == "presence" && e.data["being_id"] == bob_being["id"])
        .collect();
    assert!(
        presence.is_empty(),
        "watching is not being there: {presence:?}"
    );
}

async fn the_viewer_is_present_where_it_says_it_is_and_only_there(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.presence_grace = Duration::from_secs(1);
    })
    .await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, bob_being) = app.guest("Bob").await;
    let bob_id = id_of(&bob_being);
    let names = ["Shown", "Hidden", "Listed"];
    let mut spaces = Vec::new();
    let mut watchers = Vec::new();
    for name in names {
        let space = id_of(&app.create_space(&ada, name).await);
        let mut watcher = app.subscribe(&app.anon, &space, None).await;
        watcher.until_live().await;
        spaces.push(space);
        watchers.push(watcher);
    }
    let query = format!(
        "spaces={}&here={}&away={}",
        spaces.join(","),
        spaces[0],
        spaces[1]
    );
    let mut bobs = open(&app, &bob, &query).await;
    read(&mut bobs, 3, WAIT).await;
    let wait = Duration::from_millis(1000);
    let shown = presence_within(&mut watchers[0], &bob_id, wait).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].data["online"], true);
    assert_eq!(shown[0].data.get("away"), None, "{shown:?}");
    let hidden = presence_within(&mut watchers[1], &bob_id, wait).await;
    assert_eq!(hidden.len(), 1, "{hidden:?}");
    assert_eq!(
        (&hidden[0].data["online"], &hidden[0].data["away"]),
        (&json!(true), &json!(true))
    );
    let listed = presence_within(&mut watchers[2], &bob_id, wait).await;
    assert!(listed.is_empty(), "only watched: {listed:?}");

    // Nobody signed in is made present anywhere by saying so.
    let mut anonymous = open(&app, &app.anon, &query).await;
    read(&mut anonymous, 3, WAIT).await;

    // Closed: gone from where it was, after the grace.
    drop(bobs);
    for watcher in &mut watchers[..2] {
        let left = presence_within(watcher, &bob_id, Duration::from_secs(4)).await;
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0].data["online"], false, "{left:?}");
    }
}

async fn a_list_that_is_not_one_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Only").await);
    let too_many: Vec<String> = (0..=rhizom::sync::tabs::MAX_SPACES)
        .map(|_| uuid::Uuid::now_v7().to_string())
        .collect();
    for query in [
        String::new(),
        "spaces=".to_owned(),
        "spaces=nope".to_owned(),
        format!("spaces={space},{space}"),
        format!("spaces={space}:4"),
        format!("spaces={}", too_many.join(",")),
        format!("spaces={space}&here={}", uuid::Uuid::now_v7()),
        format!("spaces={space}&away=nope"),
        format!("spaces={space}&here={space}&away={space}"),
    ] {
        let reply = app.get(&app.anon, &format!("/api/live?{query}")).await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.text);
    }
    // A space that does not exist is not an error: the stream says it is gone (above).
    let nowhere = uuid::Uuid::now_v7();
    let mut stream = open(&app, &app.anon, &format!("spaces={nowhere},{space}")).await;
    let opened = read(&mut stream, 1, WAIT).await;
    assert_eq!(
        opened.of(&nowhere.to_string(), "gone").len(),
        1,
        "{opened:?}"
    );
}

async fn a_stream_of_many_spaces_counts_as_many_streams_against_the_limits(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.stream_rate_per_address = Rate::limited(1, Duration::from_secs(3600), 3);
    })
    .await;
    let (ada, _) = app.guest("Ada").await;
    let mut spaces = Vec::new();
    for n in 0..40 {
        spaces.push(id_of(&app.create_space(&ada, &format!("Room {n}")).await));
    }
    // Forty spaces are two streams' worth: the first such stream takes two of the three.
    let all = format!("/api/live?spaces={}", spaces.join(","));
    let mut first = open(&app, &app.anon, &all["/api/live?".len()..]).await;
    read(&mut first, 40, WAIT).await;
    // Only the head is read: an answer that is a stream must not hold the test.
    let refused = app.anon.get(app.url(&all)).send().await.expect("an answer");
    assert_eq!(refused.status(), 429);
    let mut one = open(&app, &app.anon, &format!("spaces={}", spaces[0])).await;
    read(&mut one, 1, WAIT).await;
}

async fn a_reopen_by_the_same_reader_is_charged_for_what_it_adds(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.stream_rate_per_being = Rate::limited(1, Duration::from_secs(3600), 4);
    })
    .await;
    let (ada, _) = app.guest("Ada").await;
    let mut spaces = Vec::new();
    for n in 0..41 {
        spaces.push(id_of(&app.create_space(&ada, &format!("Room {n}")).await));
    }
    let list = spaces[..40].join(",");
    // Forty spaces: two streams' worth of Ada's four.
    let mut first = open(&app, &ada, &format!("spaces={list}")).await;
    read(&mut first, 40, WAIT).await;
    // Reopened while it is open (a browser's change of list): one more space costs one, and
    // the same list again one.
    let mut more = open(&app, &ada, &format!("spaces={list},{}", spaces[40])).await;
    read(&mut more, 41, WAIT).await;
    let mut same = open(&app, &ada, &format!("spaces={list}")).await;
    read(&mut same, 40, WAIT).await;
    // Only the head is read: an answer that is a stream must not hold the test.
    let refused = ada
        .get(app.url(&format!("/api/live?spaces={}", spaces[40])))
        .send()
        .await
        .expect("an answer");
    assert_eq!(refused.status(), 429, "all four spent");

    // Being there costs more than watching: ten spaces with `here` are three streams' worth.
    let (bob, _) = app.guest("Bob").await;
    let here = spaces[..10].join(",");
    let opened = bob
        .get(app.url(&format!("/api/live?spaces={here}&here={here}")))
        .send()
        .await
        .expect("an answer");
    assert_eq!(opened.status(), 200, "three of four");
    let again = bob
        .get(app.url(&format!(
            "/api/live?spaces={}&here={}",
            spaces[40], spaces[40]
        )))
        .send()
        .await
        .expect("an answer");
    assert_eq!(
        again.status(),
        429,
        "a new space where he is, with one left: two"
    );
    drop(opened);
}
