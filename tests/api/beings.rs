//! Creating and reading beings: `POST /api/beings` and `GET /api/beings/{id}`.

use serde_json::{Value, json};

use crate::contract::assert_created_being;
use crate::helpers::{Backend, LOBBY_ID, id_of, on_both_backends, spawn_app};

on_both_backends!(
    creating_a_bot_a_document_or_a_space_returns_it_owned_by_the_caller,
    creating_a_being_inside_a_space_places_it_there,
    creating_a_being_with_the_guest_kind_or_an_unknown_kind_is_invalid,
    creating_a_being_in_a_location_that_is_not_a_space_is_invalid,
    creating_a_being_without_a_session_is_unauthorized,
    getting_an_unknown_being_is_not_found,
    getting_a_being_by_an_id_that_is_not_a_uuid_is_a_bad_request,
);

async fn creating_a_bot_a_document_or_a_space_returns_it_owned_by_the_caller(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, guest) = app.guest("Ada").await;

    for kind in ["bot", "document", "space"] {
        let omitted = app
            .post(
                &ada,
                "/api/beings",
                &json!({ "kind": kind, "name": "Thing" }),
            )
            .await;
        let explicit = json!({ "kind": kind, "name": "Other", "location_id": null });
        let null = app.post(&ada, "/api/beings", &explicit).await;

        for (reply, name) in [(omitted, "Thing"), (null, "Other")] {
            let being = reply.expect(201);
            assert_created_being(&being, kind, name, &guest, None);
            assert_eq!(
                app.being(&id_of(&being)).await.expect(200),
                being,
                "it is stored as returned"
            );
        }
    }
}

async fn creating_a_being_inside_a_space_places_it_there(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, guest) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let garden = app.create_space(&bob, "Garden").await;

    let in_lobby = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let in_garden = app
        .create_being(&ada, "document", "Notes", Some(&id_of(&garden)))
        .await;

    assert_created_being(&in_lobby, "bot", "Helper", &guest, Some(LOBBY_ID));
    assert_created_being(
        &in_garden,
        "document",
        "Notes",
        &guest,
        Some(&id_of(&garden)),
    );
    assert_eq!(app.beings_in(LOBBY_ID).await, vec![in_lobby]);
    assert_eq!(
        app.beings_in(&id_of(&garden)).await,
        vec![in_garden],
        "anyone may place a being in any space"
    );
}

async fn creating_a_being_with_the_guest_kind_or_an_unknown_kind_is_invalid(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, guest) = app.guest("Ada").await;
    let before = app.snapshot(&[]).await;

    for kind in ["guest", "robot", "", "spaces"] {
        let body = json!({ "kind": kind, "name": "Thing", "location_id": LOBBY_ID });
        let reply = app.post(&ada, "/api/beings", &body).await;
        reply.expect_error(422, "invalid", Some("kind"));
    }

    assert_eq!(
        app.snapshot(&[]).await,
        before,
        "a rejected write changed nothing"
    );
    let me = app.get(&ada, "/api/me").await.expect(200);
    assert_eq!(me["being"], guest);
}

async fn creating_a_being_in_a_location_that_is_not_a_space_is_invalid(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, guest) = app.guest("Ada").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let doc = app.create_being(&ada, "document", "Notes", None).await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let before = app.snapshot(&[]).await;

    for location in [unknown, id_of(&bot), id_of(&doc), id_of(&guest)] {
        let body = json!({ "kind": "bot", "name": "Lost", "location_id": location });
        let reply = app.post(&ada, "/api/beings", &body).await;
        reply.expect_error(422, "invalid", Some("location_id"));
    }

    assert_eq!(
        app.snapshot(&[]).await,
        before,
        "a rejected write changed nothing"
    );
}

async fn creating_a_being_without_a_session_is_unauthorized(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = app.snapshot(&[]).await;

    for location in [Value::Null, json!(LOBBY_ID)] {
        let body = json!({ "kind": "bot", "name": "Helper", "location_id": location });
        let reply = app.post(&app.anon, "/api/beings", &body).await;
        reply.expect_error(401, "unauthorized", None);
    }

    assert_eq!(
        app.snapshot(&[]).await,
        before,
        "a rejected write changed nothing"
    );
}

async fn getting_an_unknown_being_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    app.create_being(&ada, "bot", "Helper", None).await;

    for id in [
        uuid::Uuid::now_v7(),
        uuid::Uuid::new_v4(),
        uuid::Uuid::nil(),
    ] {
        app.being(&id.to_string())
            .await
            .expect_error(404, "not_found", None);
    }
}

async fn getting_a_being_by_an_id_that_is_not_a_uuid_is_a_bad_request(backend: Backend) {
    let app = spawn_app(backend).await;

    for id in [
        "lobby",
        "123",
        "00000000-0000-7000-8000-00000000000",
        "00000000-0000-7000-8000-00000000000g",
    ] {
        app.being(id)
            .await
            .expect_error(400, "bad_request", Some("id"));
    }
}
