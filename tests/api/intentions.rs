//! Saying things in a space: posting, editing and deleting intentions (posting with an id of
//! your own: `intention_ids.rs`).

use serde_json::{Value, json};

use crate::contract::{assert_intention, timestamp};
use crate::helpers::{Backend, LOBBY_ID, TestApp, id_of, on_both_backends, spawn_app};

on_both_backends!(
    posting_an_intention_returns_a_complete_utterance_owned_by_the_caller,
    posting_without_a_session_is_unauthorized,
    posting_to_something_that_is_not_a_space_is_not_found,
    the_owner_can_edit_an_intention_and_updated_at_advances,
    only_the_owner_can_edit_an_intention_not_even_the_space_owner,
    editing_an_unknown_intention_is_not_found,
    the_owner_can_delete_an_intention,
    the_space_owner_can_delete_someone_elses_intention,
    nobody_else_can_delete_an_intention,
    an_edit_needs_content_or_state,
);

pub fn said_in(space_id: &str) -> String {
    format!("/api/spaces/{space_id}/intentions")
}

pub fn path(intention: &Value) -> String {
    format!("/api/intentions/{}", id_of(intention))
}

/// Every space with its intentions, for "nothing changed" checks.
pub async fn everything(app: &TestApp) -> Value {
    app.snapshot(&[]).await
}

async fn posting_an_intention_returns_a_complete_utterance_owned_by_the_caller(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, guest) = app.guest("Ada").await;
    let (_, bob) = app.guest("Bob").await;
    let garden = app.create_space(&ada, "Garden").await;

    for space_id in [LOBBY_ID.to_owned(), id_of(&garden)] {
        let reply = app
            .post(
                &ada,
                &said_in(&space_id),
                &json!({ "content": "hello, world" }),
            )
            .await;

        let said = reply.expect(201);
        assert_intention(&said);
        assert_eq!(said["kind"], "utterance");
        assert_eq!(said["state"], "complete");
        assert_eq!(said["owner_id"], guest["id"]);
        assert_ne!(said["owner_id"], bob["id"]);
        assert_eq!(said["location_id"], space_id.as_str());
        assert_eq!(said["content"], "hello, world");
        assert_eq!(app.intentions(&space_id).await, vec![said]);
    }
}

async fn posting_without_a_session_is_unauthorized(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let garden = app.create_space(&ada, "Garden").await;
    let before = everything(&app).await;

    for space_id in [LOBBY_ID.to_owned(), id_of(&garden)] {
        let with_id = json!({ "id": uuid::Uuid::now_v7().to_string(), "content": "hi" });
        for body in [json!({ "content": "hi" }), with_id] {
            let reply = app.post(&app.anon, &said_in(&space_id), &body).await;
            reply.expect_error(401, "unauthorized", None);
        }
    }

    assert_eq!(
        everything(&app).await,
        before,
        "a refused post changed nothing"
    );
}

async fn posting_to_something_that_is_not_a_space_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, guest) = app.guest("Ada").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let gone = app.create_space(&ada, "Gone").await;
    app.delete(&ada, &format!("/api/beings/{}", id_of(&gone)))
        .await
        .expect_no_content();
    let before = everything(&app).await;

    let unknown = uuid::Uuid::now_v7().to_string();
    for target in [unknown, id_of(&gone), id_of(&bot), id_of(&guest)] {
        let reply = app
            .post(&ada, &said_in(&target), &json!({ "content": "anyone?" }))
            .await;
        reply.expect_error(404, "not_found", None);
    }

    assert_eq!(
        everything(&app).await,
        before,
        "a refused post changed nothing"
    );
}

async fn the_owner_can_edit_an_intention_and_updated_at_advances(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let said = app.post_intention(&ada, LOBBY_ID, "helo").await;

    let edited = app
        .patch(&ada, &path(&said), &json!({ "content": "hello" }))
        .await
        .expect(200);

    assert_intention(&edited);
    assert_eq!(edited["content"], "hello");
    for same in [
        "id",
        "kind",
        "state",
        "owner_id",
        "location_id",
        "created_at",
    ] {
        assert_eq!(edited[same], said[same], "{same} does not change on edit");
    }
    assert!(
        timestamp(&edited, "updated_at") > timestamp(&said, "updated_at"),
        "updated_at advances"
    );
    assert_eq!(app.intentions(LOBBY_ID).await, vec![edited]);
}

async fn only_the_owner_can_edit_an_intention_not_even_the_space_owner(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, _) = app.guest("Space owner").await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let garden = app.create_space(&owner, "Garden").await;
    let said = app
        .post_intention(&ada, &id_of(&garden), "Ada was here")
        .await;
    let in_lobby = app.post_intention(&ada, LOBBY_ID, "and here").await;
    let before = everything(&app).await;

    for target in [&said, &in_lobby] {
        for client in [&owner, &bob] {
            let reply = app
                .patch(client, &path(target), &json!({ "content": "Bob was here" }))
                .await;
            reply.expect_error(403, "forbidden", None);
        }
        let reply = app
            .patch(&app.anon, &path(target), &json!({ "content": "anon" }))
            .await;
        reply.expect_error(401, "unauthorized", None);
    }

    assert_eq!(
        everything(&app).await,
        before,
        "refused edits changed nothing"
    );
}

async fn editing_an_unknown_intention_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, guest) = app.guest("Ada").await;
    let said = app.post_intention(&ada, LOBBY_ID, "hello").await;
    let before = everything(&app).await;

    let unknown = format!("/api/intentions/{}", uuid::Uuid::now_v7());
    let a_being = format!("/api/intentions/{}", id_of(&guest));
    for target in [unknown, a_being] {
        let reply = app
            .patch(&ada, &target, &json!({ "content": "where?" }))
            .await;
        reply.expect_error(404, "not_found", None);
    }

    assert_eq!(everything(&app).await, before);
    assert_eq!(app.intentions(LOBBY_ID).await, vec![said]);
}

async fn the_owner_can_delete_an_intention(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let kept = app.post_intention(&ada, LOBBY_ID, "keep me").await;
    let said = app.post_intention(&ada, LOBBY_ID, "oops").await;

    app.delete(&ada, &path(&said)).await.expect_no_content();

    assert_eq!(app.intentions(LOBBY_ID).await, vec![kept]);
    app.delete(&ada, &path(&said))
        .await
        .expect_error(404, "not_found", None);
    let reply = app
        .patch(&ada, &path(&said), &json!({ "content": "back?" }))
        .await;
    reply.expect_error(404, "not_found", None);
}

async fn the_space_owner_can_delete_someone_elses_intention(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, _) = app.guest("Space owner").await;
    let (ada, _) = app.guest("Ada").await;
    let garden = app.create_space(&owner, "Garden").await;
    let kept = app.post_intention(&ada, &id_of(&garden), "on topic").await;
    let said = app.post_intention(&ada, &id_of(&garden), "spam").await;

    app.delete(&owner, &path(&said)).await.expect_no_content();

    assert_eq!(app.intentions(&id_of(&garden)).await, vec![kept]);
}

async fn nobody_else_can_delete_an_intention(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, _) = app.guest("Space owner").await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let garden = app.create_space(&owner, "Garden").await;
    let in_garden = app.post_intention(&ada, &id_of(&garden), "Ada's").await;
    let in_lobby = app.post_intention(&ada, LOBBY_ID, "Ada's too").await;
    let owners_own = app
        .post_intention(&owner, &id_of(&garden), "the owner's")
        .await;
    let before = everything(&app).await;

    for target in [&in_garden, &in_lobby, &owners_own] {
        app.delete(&bob, &path(target))
            .await
            .expect_error(403, "forbidden", None);
        app.delete(&app.anon, &path(target))
            .await
            .expect_error(401, "unauthorized", None);
    }
    // Owning a space gives no say over another space, and the Lobby has no owner.
    app.delete(&owner, &path(&in_lobby))
        .await
        .expect_error(403, "forbidden", None);
    // Saying something in a space gives no say over the space owner's words.
    app.delete(&ada, &path(&owners_own))
        .await
        .expect_error(403, "forbidden", None);
    let unknown = format!("/api/intentions/{}", uuid::Uuid::now_v7());
    app.delete(&ada, &unknown)
        .await
        .expect_error(404, "not_found", None);

    assert_eq!(
        everything(&app).await,
        before,
        "refused deletes changed nothing"
    );
}

async fn an_edit_needs_content_or_state(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let said = app.post_intention(&ada, LOBBY_ID, "hello").await;
    app.patch(&ada, &path(&said), &json!({}))
        .await
        .expect_error(422, "invalid", Some("content"));
    assert_eq!(app.intentions(LOBBY_ID).await, vec![said]);
}
