//! Deleting beings (`DELETE /api/beings/{id}`): who may, what is refused, and what a delete
//! takes with it (a space's conversation, a guest's words) or sets free (the beings inside).

use serde_json::json;

use crate::helpers::{Backend, LOBBY_ID, id_of, ids_of, on_both_backends, spawn_app};

on_both_backends!(
    the_owner_can_delete_a_being,
    only_the_owner_can_delete_a_being,
    nobody_can_delete_the_lobby,
    a_being_that_still_owns_other_beings_cannot_be_deleted,
    deleting_a_space_deletes_its_intentions_and_moves_its_beings_to_the_top_level,
    deleting_a_guest_deletes_its_intentions,
);

async fn the_owner_can_delete_a_being(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let doc = app
        .create_being(&ada, "document", "Notes", Some(LOBBY_ID))
        .await;
    let space = app.create_space(&ada, "Garden").await;

    for being in [&bot, &space] {
        app.delete(&ada, &format!("/api/beings/{}", id_of(being)))
            .await
            .expect_no_content();
        app.being(&id_of(being))
            .await
            .expect_error(404, "not_found", None);
    }

    assert_eq!(
        app.beings_in(LOBBY_ID).await,
        vec![doc],
        "only the deleted bot left the Lobby"
    );
    assert_eq!(
        app.spaces().await.len(),
        1,
        "the deleted space is no longer listed"
    );
    app.delete(&ada, &format!("/api/beings/{}", id_of(&bot)))
        .await
        .expect_error(404, "not_found", None);
}

async fn only_the_owner_can_delete_a_being(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, ada_being) = app.guest("Ada").await;
    let (bob, bob_being) = app.guest("Bob").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let space = app.create_space(&ada, "Garden").await;
    app.post_intention(&ada, &id_of(&space), "mine").await;
    let ids = [
        id_of(&bot),
        id_of(&space),
        id_of(&ada_being),
        id_of(&bob_being),
    ];
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let before = app.snapshot(&id_refs).await;

    for id in &ids[..3] {
        let path = format!("/api/beings/{id}");
        app.delete(&bob, &path)
            .await
            .expect_error(403, "forbidden", None);
        app.delete(&app.anon, &path)
            .await
            .expect_error(401, "unauthorized", None);
    }
    app.delete(&bob, &format!("/api/beings/{}", uuid::Uuid::now_v7()))
        .await
        .expect_error(404, "not_found", None);

    assert_eq!(
        app.snapshot(&id_refs).await,
        before,
        "rejected deletes changed nothing"
    );
    assert_eq!(
        app.get(&ada, "/api/me").await.expect(200)["being"],
        ada_being
    );
}

async fn nobody_can_delete_the_lobby(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    app.create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    app.post_intention(&ada, LOBBY_ID, "hello").await;
    let before = app.snapshot(&[]).await;

    let reply = app.delete(&ada, &format!("/api/beings/{LOBBY_ID}")).await;

    reply.expect_error(403, "forbidden", None);
    assert_eq!(
        app.snapshot(&[]).await,
        before,
        "the Lobby and its contents are untouched"
    );
}

async fn a_being_that_still_owns_other_beings_cannot_be_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, guest) = app.guest("Ada").await;
    let bot = app.create_being(&ada, "bot", "Helper", None).await;
    let space = app.create_space(&ada, "Garden").await;
    let me_path = format!("/api/beings/{}", id_of(&guest));
    let ids = [id_of(&guest), id_of(&bot), id_of(&space)];
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let before = app.snapshot(&id_refs).await;

    app.delete(&ada, &me_path)
        .await
        .expect_error(409, "conflict", None);
    assert_eq!(
        app.snapshot(&id_refs).await,
        before,
        "a refused delete changed nothing"
    );
    assert_eq!(app.get(&ada, "/api/me").await.expect(200)["being"], guest);

    app.delete(&ada, &format!("/api/beings/{}", id_of(&bot)))
        .await
        .expect_no_content();
    app.delete(&ada, &me_path)
        .await
        .expect_error(409, "conflict", None);
    app.delete(&ada, &format!("/api/beings/{}", id_of(&space)))
        .await
        .expect_no_content();
    app.delete(&ada, &me_path).await.expect_no_content();
    app.being(&id_of(&guest))
        .await
        .expect_error(404, "not_found", None);
}

async fn deleting_a_space_deletes_its_intentions_and_moves_its_beings_to_the_top_level(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let garden = app.create_space(&ada, "Garden").await;
    let garden_id = id_of(&garden);
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(&garden_id))
        .await;
    let doc = app
        .create_being(&bob, "document", "Notes", Some(&garden_id))
        .await;
    let shed = app
        .create_being(&bob, "space", "Shed", Some(&garden_id))
        .await;
    let in_garden = [
        app.post_intention(&ada, &garden_id, "one").await,
        app.post_intention(&bob, &garden_id, "two").await,
    ];
    let in_shed = app
        .post_intention(&bob, &id_of(&shed), "inside the shed")
        .await;
    let in_lobby = app.post_intention(&bob, LOBBY_ID, "elsewhere").await;

    app.delete(&ada, &format!("/api/beings/{garden_id}"))
        .await
        .expect_no_content();

    app.being(&garden_id)
        .await
        .expect_error(404, "not_found", None);
    for path in [
        format!("/api/spaces/{garden_id}/intentions"),
        format!("/api/spaces/{garden_id}/beings"),
    ] {
        app.get(&app.anon, &path)
            .await
            .expect_error(404, "not_found", None);
    }
    for moved in [&bot, &doc, &shed] {
        let now = app.being(&id_of(moved)).await.expect(200);
        assert!(
            now["location_id"].is_null(),
            "a being inside moves to the top level: {now}"
        );
        assert_eq!(now["owner_id"], moved["owner_id"]);
        assert_eq!(now["name"], moved["name"]);
    }
    let spaces = app.spaces().await;
    assert_eq!(
        ids_of(&spaces),
        ids_of(&[app.being(LOBBY_ID).await.expect(200), shed.clone()])
    );
    for (owner, said) in [(&ada, &in_garden[0]), (&bob, &in_garden[1])] {
        let path = format!("/api/intentions/{}", id_of(said));
        app.patch(owner, &path, &json!({ "content": "still here?" }))
            .await
            .expect_error(404, "not_found", None);
    }
    assert_eq!(
        app.intentions(&id_of(&shed)).await,
        vec![in_shed],
        "the nested space keeps its own"
    );
    assert_eq!(
        app.intentions(LOBBY_ID).await,
        vec![in_lobby],
        "other spaces are untouched"
    );
}

async fn deleting_a_guest_deletes_its_intentions(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, ada_being) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let garden = app.create_space(&bob, "Garden").await;
    let ada_said = [
        app.post_intention(&ada, LOBBY_ID, "hello").await,
        app.post_intention(&ada, &id_of(&garden), "hi there").await,
    ];
    let bob_said = app.post_intention(&bob, LOBBY_ID, "hello Ada").await;
    let bob_garden = app.post_intention(&bob, &id_of(&garden), "welcome").await;

    app.delete(&ada, &format!("/api/beings/{}", id_of(&ada_being)))
        .await
        .expect_no_content();

    assert_eq!(
        app.intentions(LOBBY_ID).await,
        vec![bob_said],
        "only the others' remain"
    );
    assert_eq!(app.intentions(&id_of(&garden)).await, vec![bob_garden]);
    for said in &ada_said {
        app.delete(&bob, &format!("/api/intentions/{}", id_of(said)))
            .await
            .expect_error(404, "not_found", None);
    }
    app.get(&ada, "/api/me")
        .await
        .expect_error(401, "unauthorized", None);
}
