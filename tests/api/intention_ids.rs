//! Posting with an id of your own: the post is safe to retry, never duplicates, never takes
//! another's id, and never brings back a message deleted since.

use serde_json::json;

use crate::contract::assert_intention;
use crate::helpers::{Backend, LOBBY_ID, id_of, on_both_backends, spawn_app};
use crate::intentions::{everything, path, said_in};

on_both_backends!(
    posting_with_a_client_chosen_id_keeps_that_id,
    posting_the_same_id_twice_returns_the_same_intention,
    a_post_retried_after_its_message_was_deleted_is_gone,
    an_id_used_by_another_guest_is_a_conflict,
    an_id_used_in_another_space_is_a_conflict,
    a_client_chosen_id_that_is_not_a_uuid_is_rejected,
);

async fn posting_with_a_client_chosen_id_keeps_that_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let chosen = uuid::Uuid::now_v7().to_string();

    let body = json!({ "id": chosen, "content": "mine" });
    let said = app.post(&ada, &said_in(LOBBY_ID), &body).await.expect(201);

    assert_intention(&said);
    assert_eq!(said["id"], chosen.as_str());
    assert_eq!(app.intentions(LOBBY_ID).await, vec![said]);
}

async fn posting_the_same_id_twice_returns_the_same_intention(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let chosen = uuid::Uuid::now_v7().to_string();
    let body = json!({ "id": chosen, "content": "once" });
    let first = app.post(&ada, &said_in(LOBBY_ID), &body).await.expect(201);

    let again = app.post(&ada, &said_in(LOBBY_ID), &body).await.expect(200);
    let different = json!({ "id": chosen, "content": "twice?" });
    let retried = app
        .post(&ada, &said_in(LOBBY_ID), &different)
        .await
        .expect(200);

    assert_eq!(again, first, "a retry answers with the stored intention");
    assert_eq!(retried, first, "a retry never changes the stored intention");
    assert_eq!(
        app.intentions(LOBBY_ID).await,
        vec![first],
        "nothing was duplicated"
    );
}

/// A writer whose answer was lost sends its message again by its id; if the message was deleted
/// meanwhile (by its writer elsewhere, or by the space's owner), it stays deleted.
async fn a_post_retried_after_its_message_was_deleted_is_gone(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let space = app.create_space(&ada, "Garden").await;
    let kept = app.post_intention(&bob, &id_of(&space), "kept").await;
    let chosen = uuid::Uuid::now_v7().to_string();
    let body = json!({ "id": chosen, "content": "said once" });
    let said = app
        .post(&bob, &said_in(&id_of(&space)), &body)
        .await
        .expect(201);

    app.delete(&ada, &path(&said)).await.expect_no_content();
    app.post(&bob, &said_in(&id_of(&space)), &body)
        .await
        .expect_error(410, "gone", Some("id"));

    assert_eq!(
        app.intentions(&id_of(&space)).await,
        vec![kept],
        "the deleted message did not come back"
    );
}

async fn an_id_used_by_another_guest_is_a_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let chosen = uuid::Uuid::now_v7().to_string();
    app.post(
        &ada,
        &said_in(LOBBY_ID),
        &json!({ "id": chosen, "content": "Ada's" }),
    )
    .await
    .expect(201);
    let before = everything(&app).await;

    for content in ["Ada's", "Bob's"] {
        let reply = app
            .post(
                &bob,
                &said_in(LOBBY_ID),
                &json!({ "id": chosen, "content": content }),
            )
            .await;
        reply.expect_error(409, "conflict", None);
    }

    assert_eq!(
        everything(&app).await,
        before,
        "a refused post changed nothing"
    );
}

async fn an_id_used_in_another_space_is_a_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let garden = app.create_space(&ada, "Garden").await;
    let chosen = uuid::Uuid::now_v7().to_string();
    let body = json!({ "id": chosen, "content": "here" });
    app.post(&ada, &said_in(LOBBY_ID), &body).await.expect(201);
    let before = everything(&app).await;

    for client in [&ada, &bob] {
        let reply = app.post(client, &said_in(&id_of(&garden)), &body).await;
        reply.expect_error(409, "conflict", None);
    }

    assert_eq!(
        everything(&app).await,
        before,
        "a refused post changed nothing"
    );
    assert!(app.intentions(&id_of(&garden)).await.is_empty());
}

async fn a_client_chosen_id_that_is_not_a_uuid_is_rejected(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let before = everything(&app).await;

    for id in [json!("not-a-uuid"), json!(42), json!("")] {
        let reply = app
            .post(
                &ada,
                &said_in(LOBBY_ID),
                &json!({ "id": id, "content": "hi" }),
            )
            .await;
        // The contract calls a non-UUID id malformed (400) and a wrong field invalid (422);
        // either is a refusal with the matching code.
        match reply.status {
            400 => reply.expect_error(400, "bad_request", None),
            _ => reply.expect_error(422, "invalid", None),
        }
    }

    assert_eq!(
        everything(&app).await,
        before,
        "a refused post changed nothing"
    );
}
