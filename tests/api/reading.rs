//! Reading (docs/API.md, "Reading"): each being's mark per space, kept by the server and only
//! moved forward; unread = messages by others after it; mentions (`@Name`) counted apart; the
//! mark's moves reach the reader's own streams, and nobody else's.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, id_of, on_both_backends, spawn_app};
use crate::sse::WAIT;

on_both_backends!(
    unread_counts_others_messages_after_the_mark_and_mentions_apart,
    the_mark_only_moves_forward_and_only_to_a_message_of_the_space,
    the_mark_reaches_the_readers_own_streams_only_and_is_never_replayed,
);

async fn read_state(app: &TestApp, client: &reqwest::Client, space: &str) -> Value {
    app.get(client, &format!("/api/spaces/{space}/read"))
        .await
        .expect(200)
}

async fn mark(app: &TestApp, client: &reqwest::Client, space: &str, body: Value) -> Value {
    app.put(client, &format!("/api/spaces/{space}/read"), &body)
        .await
        .expect(200)
}

fn counts(read: &Value) -> (u64, u64) {
    (
        read["unread"].as_u64().expect("unread"),
        read["mentions"].as_u64().expect("mentions"),
    )
}

async fn unread_counts_others_messages_after_the_mark_and_mentions_apart(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let space = id_of(&app.create_space(&ada, "Studio").await);

    let never = read_state(&app, &bob, &space).await;
    assert_eq!(never["up_to"], Value::Null);
    assert_eq!(counts(&never), (0, 0), "nothing counts before a first read");

    let first = app.post_intention(&ada, &space, "welcome").await;
    let read = mark(&app, &bob, &space, json!({})).await;
    assert_eq!(read["up_to"]["id"], first["id"], "up to the newest message");
    assert_eq!(counts(&read), (0, 0));

    let hello = app.post_intention(&ada, &space, "hello").await;
    let ping = app.post_intention(&ada, &space, "hey @bob, look").await;
    app.post_intention(&bob, &space, "my own, @Bob").await;
    assert_eq!(counts(&read_state(&app, &bob, &space).await), (2, 1));
    assert_eq!(
        counts(&read_state(&app, &ada, &space).await),
        (0, 0),
        "Ada has read nothing here: her own messages are never unread"
    );

    let read = mark(&app, &bob, &space, json!({ "up_to": id_of(&hello) })).await;
    assert_eq!(counts(&read), (1, 1), "the mention is after the mark");

    // An edit that drops the mention drops it from the count; one before the mark adds none.
    let edit = |m: &Value, content: &str| {
        let path = format!("/api/intentions/{}", id_of(m));
        let body = json!({ "content": content });
        let ada = ada.clone();
        let app = &app;
        async move { app.patch(&ada, &path, &body).await.expect(200) }
    };
    edit(&ping, "hey, look").await;
    edit(&hello, "hello @Bob").await;
    assert_eq!(counts(&read_state(&app, &bob, &space).await), (1, 0));
    edit(&ping, "hey @BOB!").await;
    assert_eq!(counts(&read_state(&app, &bob, &space).await), (1, 1));

    app.delete(&ada, &format!("/api/intentions/{}", id_of(&ping)))
        .await
        .expect_no_content();
    assert_eq!(counts(&read_state(&app, &bob, &space).await), (0, 0));

    // A being named who has neither been in the space nor read it is not mentioned there;
    // once they have read it, they are.
    let (carol, _) = app.guest("Carol").await;
    app.post_intention(&ada, &space, "@Carol?").await;
    assert_eq!(counts(&read_state(&app, &carol, &space).await), (0, 0));
    mark(&app, &carol, &space, json!({})).await;
    app.post_intention(&ada, &space, "@Carol, welcome").await;
    assert_eq!(counts(&read_state(&app, &carol, &space).await), (1, 1));
}

async fn the_mark_only_moves_forward_and_only_to_a_message_of_the_space(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Studio").await);
    let other = id_of(&app.create_space(&ada, "Other").await);
    let older = app.post_intention(&ada, &space, "one").await;
    let newer = app.post_intention(&ada, &space, "two").await;
    let away = app.post_intention(&ada, &other, "there").await;

    let read = mark(&app, &ada, &space, json!({ "up_to": id_of(&newer) })).await;
    assert_eq!(read["up_to"]["id"], newer["id"]);
    let read = mark(&app, &ada, &space, json!({ "up_to": id_of(&older) })).await;
    assert_eq!(read["up_to"]["id"], newer["id"], "never backwards");

    let path = format!("/api/spaces/{space}/read");
    app.put(&ada, &path, &json!({ "up_to": id_of(&away) }))
        .await
        .expect_error(422, "invalid", Some("up_to"));
    app.put(&ada, &path, &json!({ "up_to": uuid::Uuid::now_v7() }))
        .await
        .expect_error(422, "invalid", Some("up_to"));
    app.put(&ada, &path, &json!({ "up_to": "yesterday" }))
        .await
        .expect_error(422, "invalid", None);
    app.put(&app.anon, &path, &json!({}))
        .await
        .expect_error(401, "unauthorized", None);
    app.get(&app.anon, &path)
        .await
        .expect_error(401, "unauthorized", None);
    let nowhere = format!("/api/spaces/{}/read", uuid::Uuid::now_v7());
    app.put(&ada, &nowhere, &json!({}))
        .await
        .expect_error(404, "not_found", None);
    app.get(&ada, &nowhere)
        .await
        .expect_error(404, "not_found", None);
    assert_eq!(
        read_state(&app, &ada, &space).await["up_to"]["id"],
        newer["id"],
        "nothing refused moved it"
    );
}

async fn the_mark_reaches_the_readers_own_streams_only_and_is_never_replayed(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let space = id_of(&app.create_space(&ada, "Studio").await);
    let message = app.post_intention(&ada, &space, "hello").await;
    // Bob's two tabs, Ada's tab, and someone signed out.
    let mut tabs = Vec::new();
    for client in [&bob, &bob, &ada, &app.anon] {
        let mut stream = app.subscribe(client, &space, None).await;
        stream.until_live().await;
        tabs.push(stream);
    }
    let cursor = {
        let caught_up = app
            .subscribe(&app.anon, &space, None)
            .await
            .until_live()
            .await;
        caught_up.cursor()
    };

    mark(&app, &bob, &space, json!({ "up_to": id_of(&message) })).await;
    for tab in &mut tabs[..2] {
        let heard = tab.until_event("read", WAIT).await;
        assert_eq!(heard.id, None, "not a position to resume from");
        assert_eq!(heard.data["space_id"], space.as_str());
        assert_eq!(heard.data["up_to"]["id"], message["id"]);
        assert_eq!(heard.data["unread"], 0);
        assert!(heard.data.get("reader").is_none(), "{}", heard.data);
    }
    for tab in &mut tabs[2..] {
        let events = tab.events_within(Duration::from_millis(500)).await;
        assert!(events.iter().all(|e| e.event != "read"), "{events:?}");
    }

    let mut resumed = app.subscribe(&bob, &space, Some(&cursor)).await;
    resumed.until_live().await;
    let events = resumed.events_within(Duration::from_millis(500)).await;
    assert!(events.iter().all(|e| e.event != "read"), "{events:?}");
}
