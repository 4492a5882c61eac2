//! Bots streaming a message: posting as a bot you own, with a state that only moves forward.

use serde_json::{Value, json};

use crate::contract::assert_intention;
use crate::helpers::{Backend, LOBBY_ID, id_of, on_both_backends, spawn_app};
use crate::intentions::{path, said_in};

on_both_backends!(
    a_bot_streams_a_message_from_draft_to_complete_and_never_back,
    only_the_owner_of_a_bot_speaks_as_it,
);

async fn a_bot_streams_a_message_from_draft_to_complete_and_never_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let draft = app
        .post(
            &ada,
            &said_in(LOBBY_ID),
            &json!({ "content": "Thinking", "state": "draft", "as": id_of(&bot) }),
        )
        .await
        .expect(201);
    assert_intention(&draft);
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["owner_id"], bot["id"], "the bot is the author");

    let active = app
        .patch(
            &ada,
            &path(&draft),
            &json!({ "content": "Thinking about it", "state": "active" }),
        )
        .await
        .expect(200);
    assert_eq!(active["state"], "active");
    let more = app
        .patch(
            &ada,
            &path(&draft),
            &json!({ "content": "Thinking about it: yes" }),
        )
        .await
        .expect(200);
    assert_eq!(more["state"], "active", "content alone keeps the state");
    let done = app
        .patch(&ada, &path(&draft), &json!({ "state": "complete" }))
        .await
        .expect(200);
    assert_eq!(done["state"], "complete");
    assert_eq!(done["content"], "Thinking about it: yes");

    for back in ["draft", "active", "failed"] {
        app.patch(&ada, &path(&draft), &json!({ "state": back }))
            .await
            .expect_error(409, "conflict", Some("state"));
    }
    app.patch(&ada, &path(&draft), &json!({ "state": "finished" }))
        .await
        .expect_error(422, "invalid", None);
    assert_eq!(app.intentions(LOBBY_ID).await, vec![done]);
}

async fn only_the_owner_of_a_bot_speaks_as_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, bob_being) = app.guest("Bob").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let space = app.create_space(&ada, "Room").await;

    app.post(
        &bob,
        &said_in(LOBBY_ID),
        &json!({ "content": "hi", "as": id_of(&bot) }),
    )
    .await
    .expect_error(403, "forbidden", Some("as"));
    for not_a_bot in [
        id_of(&bob_being),
        id_of(&space),
        uuid::Uuid::now_v7().to_string(),
    ] {
        app.post(
            &bob,
            &said_in(LOBBY_ID),
            &json!({ "content": "hi", "as": not_a_bot }),
        )
        .await
        .expect_error(422, "invalid", Some("as"));
    }
    assert_eq!(app.intentions(LOBBY_ID).await, Vec::<Value>::new());

    // Bob cannot finish the bot's message either; Ada, its owner, can.
    let said = app
        .post(
            &ada,
            &said_in(LOBBY_ID),
            &json!({ "content": "…", "state": "active", "as": id_of(&bot) }),
        )
        .await
        .expect(201);
    app.patch(&bob, &path(&said), &json!({ "state": "failed" }))
        .await
        .expect_error(403, "forbidden", None);
    let failed = app
        .patch(
            &ada,
            &path(&said),
            &json!({ "content": "the model timed out", "state": "failed" }),
        )
        .await
        .expect(200);
    assert_eq!(failed["state"], "failed");
}
