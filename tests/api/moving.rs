//! Renaming and moving beings (`PATCH /api/beings/{id}`): who may, and where to.

use serde_json::{Value, json};

use crate::contract::timestamp;
use crate::helpers::{Backend, LOBBY_ID, TestApp, id_of, on_both_backends, spawn_app};

on_both_backends!(
    the_owner_can_rename_a_being_and_updated_at_advances,
    a_guest_can_rename_itself,
    an_empty_patch_leaves_the_being_unchanged,
    patching_the_location_moves_a_being_and_null_moves_it_to_the_top_level,
    a_patch_without_location_id_leaves_the_location_as_it_was,
    only_the_owner_can_patch_a_being,
    patching_an_unknown_being_is_not_found,
    moving_a_being_into_something_that_is_not_a_space_is_invalid,
    moving_a_space_into_itself_or_a_space_inside_it_is_invalid,
);

fn path(being: &Value) -> String {
    format!("/api/beings/{}", id_of(being))
}

async fn the_owner_can_rename_a_being_and_updated_at_advances(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;

    let renamed = app
        .patch(&ada, &path(&bot), &json!({ "name": "Butler" }))
        .await
        .expect(200);

    assert_eq!(renamed["name"], "Butler");
    for same in ["id", "kind", "owner_id", "location_id", "created_at"] {
        assert_eq!(renamed[same], bot[same], "{same} does not change on rename");
    }
    assert!(
        timestamp(&renamed, "updated_at") > timestamp(&bot, "updated_at"),
        "updated_at advances"
    );
    assert_eq!(
        app.being(&id_of(&bot)).await.expect(200),
        renamed,
        "the rename is stored"
    );
    assert_eq!(app.beings_in(LOBBY_ID).await, vec![renamed]);
}

async fn a_guest_can_rename_itself(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, guest) = app.guest("Ada").await;

    let renamed = app
        .patch(&ada, &path(&guest), &json!({ "name": "Ada L." }))
        .await
        .expect(200);

    assert_eq!(renamed["name"], "Ada L.");
    assert_eq!(renamed["kind"], "guest");
    assert_eq!(renamed["owner_id"], guest["id"]);
    assert_eq!(app.get(&ada, "/api/me").await.expect(200)["being"], renamed);
}

async fn an_empty_patch_leaves_the_being_unchanged(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let garden = app.create_space(&ada, "Garden").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(&id_of(&garden)))
        .await;

    for being in [&garden, &bot] {
        let patched = app.patch(&ada, &path(being), &json!({})).await.expect(200);
        assert_eq!(
            &patched, being,
            "an empty patch changes nothing, not even updated_at"
        );
        assert_eq!(&app.being(&id_of(being)).await.expect(200), being);
    }
}

async fn patching_the_location_moves_a_being_and_null_moves_it_to_the_top_level(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let garden = app.create_space(&bob, "Garden").await;
    let garden_id = id_of(&garden);
    let doc = app.create_being(&ada, "document", "Notes", None).await;

    let moved = app
        .patch(&ada, &path(&doc), &json!({ "location_id": garden_id }))
        .await
        .expect(200);
    assert_eq!(moved["location_id"], garden_id.as_str());
    assert_eq!(moved["name"], "Notes", "a move does not rename");
    assert!(timestamp(&moved, "updated_at") > timestamp(&doc, "updated_at"));
    assert_eq!(app.beings_in(&garden_id).await, vec![moved.clone()]);

    let again = app
        .patch(&ada, &path(&doc), &json!({ "location_id": LOBBY_ID }))
        .await
        .expect(200);
    assert_eq!(again["location_id"], LOBBY_ID);
    assert!(
        app.beings_in(&garden_id).await.is_empty(),
        "it left the garden"
    );
    assert_eq!(app.beings_in(LOBBY_ID).await, vec![again.clone()]);

    let top = app
        .patch(&ada, &path(&doc), &json!({ "location_id": null }))
        .await
        .expect(200);
    assert!(
        top["location_id"].is_null(),
        "null moves to the top level: {top}"
    );
    assert!(app.beings_in(LOBBY_ID).await.is_empty());
    assert_eq!(app.being(&id_of(&doc)).await.expect(200), top);
}

async fn a_patch_without_location_id_leaves_the_location_as_it_was(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;

    let renamed = app
        .patch(&ada, &path(&bot), &json!({ "name": "Butler" }))
        .await
        .expect(200);

    assert_eq!(
        renamed["location_id"], LOBBY_ID,
        "an absent location_id is not null"
    );
    assert_eq!(app.beings_in(LOBBY_ID).await, vec![renamed]);
}

async fn only_the_owner_can_patch_a_being(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, ada_being) = app.guest("Ada").await;
    let (bob, bob_being) = app.guest("Bob").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let garden = app.create_space(&ada, "Garden").await;
    let lobby = app.being(LOBBY_ID).await.expect(200);
    let targets = [&bot, &garden, &ada_being];
    let ids: Vec<String> = [&bot, &garden, &ada_being, &bob_being]
        .iter()
        .map(|b| id_of(b))
        .collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let before = app.snapshot(&id_refs).await;
    let patches = [
        json!({ "name": "Mine now" }),
        json!({ "location_id": null }),
        json!({}),
    ];

    for target in targets {
        for patch in &patches {
            app.patch(&bob, &path(target), patch)
                .await
                .expect_error(403, "forbidden", None);
            app.patch(&app.anon, &path(target), patch)
                .await
                .expect_error(401, "unauthorized", None);
        }
    }
    for client in [&ada, &bob] {
        let reply = app
            .patch(client, &path(&lobby), &json!({ "name": "Mine now" }))
            .await;
        reply.expect_error(403, "forbidden", None);
    }

    assert_eq!(
        app.snapshot(&id_refs).await,
        before,
        "rejected patches changed nothing"
    );
    assert_eq!(
        app.get(&ada, "/api/me").await.expect(200)["being"],
        ada_being
    );
}

async fn patching_an_unknown_being_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let before = app.snapshot(&[]).await;

    let unknown = format!("/api/beings/{}", uuid::Uuid::now_v7());
    app.patch(&ada, &unknown, &json!({ "name": "Ghost" }))
        .await
        .expect_error(404, "not_found", None);

    assert_eq!(app.snapshot(&[]).await, before);
}

/// Asserts that moving `being` to `location` is refused with 422 on `location_id` and that
/// nothing changed.
async fn assert_move_refused(
    app: &TestApp,
    client: &reqwest::Client,
    being: &Value,
    location: &str,
) {
    let id = id_of(being);
    let before = app.snapshot(&[id.as_str()]).await;
    let reply = app
        .patch(client, &path(being), &json!({ "location_id": location }))
        .await;
    reply.expect_error(422, "invalid", Some("location_id"));
    let also_renamed = json!({ "name": "Renamed", "location_id": location });
    let reply = app.patch(client, &path(being), &also_renamed).await;
    reply.expect_error(422, "invalid", Some("location_id"));
    assert_eq!(
        app.snapshot(&[id.as_str()]).await,
        before,
        "a refused move changed nothing"
    );
}

async fn moving_a_being_into_something_that_is_not_a_space_is_invalid(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, guest) = app.guest("Ada").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let doc = app.create_being(&ada, "document", "Notes", None).await;
    let unknown = uuid::Uuid::now_v7().to_string();

    for location in [unknown, id_of(&doc), id_of(&guest), id_of(&bot)] {
        assert_move_refused(&app, &ada, &bot, &location).await;
    }
}

async fn moving_a_space_into_itself_or_a_space_inside_it_is_invalid(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let outer = app.create_space(&ada, "Outer").await;
    let middle = app
        .create_being(&bob, "space", "Middle", Some(&id_of(&outer)))
        .await;
    let inner = app
        .create_being(&ada, "space", "Inner", Some(&id_of(&middle)))
        .await;

    for location in [&outer, &middle, &inner] {
        assert_move_refused(&app, &ada, &outer, &id_of(location)).await;
    }
    assert_move_refused(&app, &bob, &middle, &id_of(&middle)).await;
    assert_move_refused(&app, &bob, &middle, &id_of(&inner)).await;

    // Moving outwards, or sideways, is fine.
    let up = app
        .patch(
            &ada,
            &path(&inner),
            &json!({ "location_id": id_of(&outer) }),
        )
        .await
        .expect(200);
    assert_eq!(up["location_id"], id_of(&outer).as_str());
    let into_lobby = json!({ "location_id": LOBBY_ID });
    let moved = app
        .patch(&ada, &path(&outer), &into_lobby)
        .await
        .expect(200);
    assert_eq!(moved["location_id"], LOBBY_ID);
    // Now that Inner is no longer inside Middle, Middle may move into it.
    let under = app
        .patch(
            &bob,
            &path(&middle),
            &json!({ "location_id": id_of(&inner) }),
        )
        .await;
    assert_eq!(under.expect(200)["location_id"], id_of(&inner).as_str());
}
