//! The Lobby, creating and listing spaces, listing the beings in a space, and public reads.

use serde_json::json;

use crate::contract::{assert_being, assert_created_being, timestamp};
use crate::helpers::{Backend, LOBBY_ID, id_of, ids_of, on_both_backends, spawn_app};

on_both_backends!(
    a_fresh_database_holds_only_the_lobby,
    creating_a_space_returns_a_top_level_space_owned_by_the_caller,
    spaces_are_listed_oldest_first,
    every_space_is_listed_including_nested_ones_and_those_made_through_beings,
    creating_a_space_without_a_session_is_unauthorized,
    a_space_lists_exactly_the_beings_located_in_it,
    listing_the_beings_of_something_that_is_not_a_space_is_not_found,
    anyone_can_read_spaces_beings_and_intentions_without_a_session,
);

async fn a_fresh_database_holds_only_the_lobby(backend: Backend) {
    let app = spawn_app(backend).await;

    let spaces = app.spaces().await;

    assert_eq!(
        spaces.len(),
        1,
        "a fresh database holds exactly one space: {spaces:?}"
    );
    let lobby = &spaces[0];
    assert_eq!(lobby["id"], LOBBY_ID);
    assert_eq!(lobby["kind"], "space");
    assert_eq!(lobby["name"], "Lobby");
    assert!(lobby["owner_id"].is_null(), "nobody owns the Lobby");
    assert!(
        lobby["location_id"].is_null(),
        "the Lobby is at the top level"
    );
    assert_eq!(&app.being(LOBBY_ID).await.expect(200), lobby);
    assert!(
        app.beings_in(LOBBY_ID).await.is_empty(),
        "a fresh Lobby is empty"
    );
    assert!(
        app.intentions(LOBBY_ID).await.is_empty(),
        "a fresh Lobby is quiet"
    );
}

async fn creating_a_space_returns_a_top_level_space_owned_by_the_caller(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, being) = app.guest("Ada").await;

    let reply = app
        .post(&ada, "/api/spaces", &json!({ "name": "Garden" }))
        .await;

    let space = reply.expect(201);
    assert_created_being(&space, "space", "Garden", &being, None);
    assert_eq!(app.being(&id_of(&space)).await.expect(200), space);
    let spaces = app.spaces().await;
    assert_eq!(
        ids_of(&spaces),
        ids_of(&[app.being(LOBBY_ID).await.expect(200), space])
    );
}

async fn spaces_are_listed_oldest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;

    let first = app.create_space(&ada, "First").await;
    let second = app.create_space(&bob, "Second").await;
    let third = app.create_space(&ada, "Third").await;

    let listed: Vec<String> = app.spaces().await.iter().map(id_of).collect();
    let expected = vec![
        LOBBY_ID.to_owned(),
        id_of(&first),
        id_of(&second),
        id_of(&third),
    ];
    assert_eq!(listed, expected);
    let spaces = app.spaces().await;
    for pair in spaces.windows(2) {
        assert!(timestamp(&pair[0], "created_at") <= timestamp(&pair[1], "created_at"));
    }
}

async fn every_space_is_listed_including_nested_ones_and_those_made_through_beings(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;

    let top = app.create_being(&ada, "space", "Top", None).await;
    let nested = app
        .create_being(&ada, "space", "Nested", Some(&id_of(&top)))
        .await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;

    let listed = app.spaces().await;
    let ids: Vec<String> = listed.iter().map(id_of).collect();
    assert_eq!(ids, vec![LOBBY_ID.to_owned(), id_of(&top), id_of(&nested)]);
    assert!(!ids.contains(&id_of(&bot)), "only spaces are listed");
    assert!(listed.iter().all(|s| s["kind"] == "space"));
    assert_eq!(
        listed[2], nested,
        "a nested space is listed with its location"
    );
}

async fn creating_a_space_without_a_session_is_unauthorized(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = app.snapshot(&[]).await;

    let reply = app
        .post(&app.anon, "/api/spaces", &json!({ "name": "Garden" }))
        .await;

    reply.expect_error(401, "unauthorized", None);
    assert_eq!(
        app.snapshot(&[]).await,
        before,
        "a rejected write changed nothing"
    );
}

async fn a_space_lists_exactly_the_beings_located_in_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let garden = app.create_space(&ada, "Garden").await;
    let garden_id = id_of(&garden);

    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let doc = app
        .create_being(&bob, "document", "Notes", Some(LOBBY_ID))
        .await;
    let shed = app
        .create_being(&bob, "space", "Shed", Some(&garden_id))
        .await;
    let plan = app
        .create_being(&ada, "document", "Plan", Some(&garden_id))
        .await;
    let loose = app.create_being(&ada, "bot", "Loose", None).await;

    let in_lobby = app.beings_in(LOBBY_ID).await;
    assert_eq!(ids_of(&in_lobby), ids_of(&[bot.clone(), doc.clone()]));
    assert!(in_lobby.iter().all(|b| b["location_id"] == LOBBY_ID));
    assert!(
        in_lobby.contains(&bot) && in_lobby.contains(&doc),
        "listed beings are whole beings"
    );
    let in_garden = app.beings_in(&garden_id).await;
    assert_eq!(ids_of(&in_garden), ids_of(&[shed.clone(), plan]));
    assert!(
        app.beings_in(&id_of(&shed)).await.is_empty(),
        "a new space is empty"
    );
    for listed in [&in_lobby, &in_garden] {
        assert!(
            !ids_of(listed).contains(&id_of(&loose)),
            "top-level beings are in no space"
        );
    }
}

async fn listing_the_beings_of_something_that_is_not_a_space_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, guest) = app.guest("Ada").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let doc = app.create_being(&ada, "document", "Notes", None).await;
    let unknown = uuid::Uuid::now_v7().to_string();

    for id in [unknown, id_of(&bot), id_of(&doc), id_of(&guest)] {
        app.get(&app.anon, &format!("/api/spaces/{id}/beings"))
            .await
            .expect_error(404, "not_found", None);
    }
}

async fn anyone_can_read_spaces_beings_and_intentions_without_a_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, guest) = app.guest("Ada").await;
    let garden = app.create_space(&ada, "Garden").await;
    let garden_id = id_of(&garden);
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(&garden_id))
        .await;
    let said = app.post_intention(&ada, &garden_id, "hello").await;

    let spaces = app.get(&app.anon, "/api/spaces").await.expect(200);
    let being = app
        .get(&app.anon, &format!("/api/beings/{}", id_of(&bot)))
        .await
        .expect(200);
    let guest_read = app
        .get(&app.anon, &format!("/api/beings/{}", id_of(&guest)))
        .await
        .expect(200);
    let inside = app
        .get(&app.anon, &format!("/api/spaces/{garden_id}/beings"))
        .await
        .expect(200);
    let said_list = app
        .get(&app.anon, &format!("/api/spaces/{garden_id}/intentions"))
        .await
        .expect(200);

    assert!(spaces["items"].as_array().unwrap().contains(&garden));
    assert_eq!(being, bot);
    assert_eq!(guest_read, guest);
    assert_being(&inside["items"][0]);
    let mut bot_here = bot.clone();
    bot_here["online"] = json!(false);
    assert_eq!(inside["items"].as_array().unwrap(), &vec![bot_here]);
    assert!(inside["next"].is_null(), "one being fits on the first page");
    assert_eq!(said_list["items"].as_array().unwrap(), &vec![said]);
    assert!(
        said_list["next"].is_null(),
        "one intention fits on the first page"
    );
}
