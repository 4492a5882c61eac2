//! When a cursor cannot be resumed, the stream says so with one `reset` carrying the current
//! state (docs/SYNC.md, "Reset reasons"): never a partial catch-up, never an error.

use reqwest::Client;
use serde_json::Value;
use sqlx::Connection;
use uuid::Uuid;

use crate::helpers::{Backend, TestApp, id_of, on_both_backends, spawn_app, spawn_app_with};
use crate::sse::{Catchup, Next, Sse, WAIT};
use crate::sync_common::{assert_chain, epoch_of, other_epoch, position_of, without_online};

on_both_backends!(
    a_stream_without_a_cursor_starts_with_an_initial_reset_of_the_whole_space,
    a_reset_of_a_long_conversation_says_where_the_older_messages_are,
    a_cursor_from_another_epoch_is_an_epoch_reset,
    a_position_the_space_has_not_reached_is_an_ahead_reset,
    a_cursor_that_is_not_a_cursor_is_an_invalid_reset_never_an_error,
    a_cursor_older_than_the_window_is_an_expired_reset,
    a_log_row_that_is_not_a_change_ends_the_streams_behind_it_and_resets_them,
);

/// A space with a bot, a document and a short conversation by two guests.
async fn garden(app: &TestApp) -> (Client, String) {
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    app.create_being(&ada, "bot", "Helper", Some(&space)).await;
    app.create_being(&bob, "document", "Notes", Some(&space))
        .await;
    app.post_intention(&ada, &space, "one").await;
    app.post_intention(&bob, &space, "two").await;
    app.post_intention(&ada, &space, "three").await;
    (ada, space)
}

/// Connects with `cursor` as `Last-Event-ID`, or as `?after=` when `in_query`.
async fn connect(app: &TestApp, space: &str, cursor: &str, in_query: bool) -> Catchup {
    let mut sse = if in_query {
        Sse::connect(&app.anon, &app.events_url(space, Some(cursor)), None).await
    } else {
        app.subscribe(&app.anon, space, Some(cursor)).await
    };
    sse.until_live().await
}

/// The current state, read the ordinary way, as a reset should carry it.
async fn assert_carries_the_current_state(app: &TestApp, space: &str, reset: &Value) {
    assert_eq!(reset["space"], app.being(space).await.expect(200));
    let sorted = |beings: Vec<Value>| {
        let mut beings: Vec<Value> = beings.iter().map(without_online).collect();
        beings.sort_by_key(id_of);
        beings
    };
    let beings = reset["beings"].as_array().unwrap().clone();
    assert_eq!(
        sorted(beings),
        sorted(app.beings_with_presence(space).await)
    );
    let mut intentions = reset["intentions"].as_array().unwrap().clone();
    if let Value::String(more) = &reset["more"] {
        intentions.extend(app.all_intentions_before(space, more).await);
    }
    assert_eq!(
        intentions,
        app.intentions(space).await,
        "the reset's intentions, then the older ones from `more`, are the whole conversation"
    );
}

async fn a_stream_without_a_cursor_starts_with_an_initial_reset_of_the_whole_space(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (ada, space) = garden(&app).await;

    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let catchup = sse.until_live().await;

    let reset = catchup.expect_reset("initial");
    assert_carries_the_current_state(&app, &space, reset).await;
    for being in reset["beings"].as_array().unwrap() {
        assert_eq!(being["online"], false, "nobody has a stream open: {being}");
    }
    assert_eq!(reset["intentions"].as_array().unwrap().len(), 3);
    assert!(reset["more"].is_null(), "three messages fit: {reset}");
    // Resuming from the reset's own cursor finds nothing missing: its position is the head.
    let mut resumed = app
        .subscribe(&app.anon, &space, Some(&catchup.cursor()))
        .await;
    let again = resumed.until_live().await;
    assert!(again.expect_catchup(catchup.position()).is_empty());

    let said = app.post_intention(&ada, &space, "four").await;
    for stream in [&mut sse, &mut resumed] {
        let delta = stream.expect_event(WAIT).await;
        assert_chain(catchup.position(), std::slice::from_ref(&delta));
        assert_eq!(delta.number("pos"), catchup.position() + 1);
        assert_eq!(delta.data["intention"], said);
    }
}

async fn a_reset_of_a_long_conversation_says_where_the_older_messages_are(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, space) = garden(&app).await;
    for i in 0..120 {
        app.post_intention(&ada, &space, &format!("message {i}"))
            .await;
    }

    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let catchup = sse.until_live().await;

    let reset = catchup.expect_reset("initial");
    assert_carries_the_current_state(&app, &space, reset).await;
}

async fn a_cursor_from_another_epoch_is_an_epoch_reset(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, space) = garden(&app).await;
    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let initial = sse.until_live().await;
    let epoch = epoch_of(&initial.cursor()).to_owned();
    let other = other_epoch(&epoch);

    for position in [0, 1, initial.position()] {
        for in_query in [false, true] {
            let cursor = format!("{other}:{position}");
            let catchup = connect(&app, &space, &cursor, in_query).await;
            let reset = catchup.expect_reset("epoch");
            assert_eq!(
                reset["epoch"],
                epoch.as_str(),
                "the reset names the real epoch"
            );
            assert_eq!(
                catchup.position(),
                initial.position(),
                "the head, for {cursor}"
            );
            assert_carries_the_current_state(&app, &space, reset).await;
        }
    }
}

async fn a_position_the_space_has_not_reached_is_an_ahead_reset(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, space) = garden(&app).await;
    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let initial = sse.until_live().await;
    let epoch = epoch_of(&initial.cursor()).to_owned();
    let head = initial.position();

    let mut streams = Vec::new();
    for position in [head + 1, head + 1000] {
        for in_query in [false, true] {
            let cursor = format!("{epoch}:{position}");
            let mut stream = if in_query {
                Sse::connect(&app.anon, &app.events_url(&space, Some(&cursor)), None).await
            } else {
                app.subscribe(&app.anon, &space, Some(&cursor)).await
            };
            let catchup = stream.until_live().await;
            let reset = catchup.expect_reset("ahead");
            assert_eq!(
                catchup.position(),
                head,
                "the reset is at the head, for {cursor}"
            );
            assert_carries_the_current_state(&app, &space, reset).await;
            streams.push(stream);
        }
    }

    // Each of them goes on from the reset's position like any other stream.
    let said = app.post_intention(&ada, &space, "still here").await;
    for stream in &mut streams {
        let delta = stream.expect_event(WAIT).await;
        assert_chain(head, std::slice::from_ref(&delta));
        assert_eq!(delta.data["intention"], said);
    }
}

async fn a_cursor_that_is_not_a_cursor_is_an_invalid_reset_never_an_error(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, space) = garden(&app).await;
    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let initial = sse.until_live().await;
    let epoch = epoch_of(&initial.cursor()).to_owned();

    let garbage = [
        "abc".to_owned(),
        ":".to_owned(),
        "x:1".to_owned(),
        "zzzzzzzzzzzzzzzz:1".to_owned(),
        format!("{epoch}:"),
        format!("{epoch}:abc"),
        format!("{epoch}:-1"),
        format!("{epoch}:1.5"),
    ];
    for cursor in &garbage {
        for in_query in [false, true] {
            let catchup = connect(&app, &space, cursor, in_query).await;
            let reset = catchup.expect_reset("invalid");
            assert_eq!(catchup.position(), initial.position(), "for {cursor:?}");
            assert_carries_the_current_state(&app, &space, reset).await;
        }
    }
    // Only a URL can carry these: an empty `after=` is present, so it is a cursor, and not a
    // valid one; a header value cannot hold non-ASCII text.
    for cursor in ["".to_owned(), format!("{}:1", "é".repeat(8))] {
        let catchup = connect(&app, &space, &cursor, true).await;
        catchup.expect_reset("invalid");
    }
}

async fn a_cursor_older_than_the_window_is_an_expired_reset(backend: Backend) {
    let app = spawn_app_with(backend, |config| config.change_window = 5).await;
    let (ada, space) = garden(&app).await;
    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let initial = sse.until_live().await;
    let early = initial.cursor();

    for i in 0..20 {
        app.post_intention(&ada, &space, &format!("message {i}"))
            .await;
    }
    let live = sse.collect_deltas(20, 2 * WAIT).await;
    let head = assert_chain(initial.position(), &live);

    for in_query in [false, true] {
        let catchup = connect(&app, &space, &early, in_query).await;
        let reset = catchup.expect_reset("expired");
        assert_eq!(catchup.position(), head);
        assert_carries_the_current_state(&app, &space, reset).await;
    }
    // Two changes back is still inside the window of five: an exact catch-up.
    let recent = live[17].id.clone().unwrap();
    for in_query in [false, true] {
        let catchup = connect(&app, &space, &recent, in_query).await;
        assert_eq!(catchup.expect_catchup(position_of(&recent)), &live[18..]);
    }
}

/// Writes a row into the space's change log that is not a change (as a bug, a hand edit or a
/// newer server gone wrong might), at the space's next position.
async fn write_a_row_that_is_not_a_change(app: &TestApp, space: &str) {
    let space = Uuid::parse_str(space).expect("a space id");
    let bump = "UPDATE space_positions SET position = position + 1 WHERE space_id = $1";
    let insert = "INSERT INTO changes (space_id, position, entity, entity_id, change, created_at) \
                  SELECT space_id, position, 'intention', $2, 'not a change', 0 \
                  FROM space_positions WHERE space_id = $1";
    let noise = Uuid::new_v4();
    match app.backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query(bump)
                .bind(space)
                .execute(&mut conn)
                .await
                .unwrap();
            let query = sqlx::query(insert).bind(space).bind(noise);
            query.execute(&mut conn).await.unwrap();
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query(bump)
                .bind(space)
                .execute(&mut conn)
                .await
                .unwrap();
            let query = sqlx::query(insert).bind(space).bind(noise);
            query.execute(&mut conn).await.unwrap();
        }
    }
}

async fn a_log_row_that_is_not_a_change_ends_the_streams_behind_it_and_resets_them(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (ada, space) = garden(&app).await;
    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let before = sse.until_live().await.cursor();
    write_a_row_that_is_not_a_change(&app, &space).await;
    // The next change comes after the bad row: the hub reads the log to fill the gap.
    app.post_intention(&ada, &space, "after the bad row").await;
    match sse.next(WAIT).await {
        Next::End => {}
        Next::Event(event) => panic!("the stream cannot follow on past the bad row: {event:?}"),
        Next::Timeout => panic!("the stream fell silent instead of ending"),
    }
    // Resuming from before the bad row cannot be proven: a reset with everything since.
    let resumed = connect(&app, &space, &before, false).await;
    let reset = resumed.expect_reset("expired");
    let said: Vec<&str> = reset["intentions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["content"].as_str())
        .collect();
    assert_eq!(said.first(), Some(&"after the bad row"), "{said:?}");
    // And the space goes on: a stream from there gets the next change.
    let mut sse = app
        .subscribe(&app.anon, &space, Some(&resumed.cursor()))
        .await;
    sse.until_live().await;
    app.post_intention(&ada, &space, "later").await;
    let delta = sse.next_op("intention_upsert", WAIT).await;
    assert_eq!(delta.data["intention"]["content"], "later");
}
