//! Moderation (docs/API.md, "Moderation"): a space's owner removes any being from the space —
//! it is moved out and kept out, nor may it speak there — and deletes any message in it; the
//! operator's moderators do so anywhere, the Lobby included; nobody else can; a removed being
//! can be let back in.

use serde_json::json;

use crate::helpers::{Backend, LOBBY_ID, id_of, on_both_backends, spawn_app};

on_both_backends!(
    a_spaces_owner_removes_a_strangers_being_and_it_stays_out,
    a_spaces_owner_deletes_a_strangers_message_and_a_stranger_cannot,
    a_moderator_moderates_the_lobby_and_nobody_else_can,
    a_removed_guest_takes_its_bots_out_and_can_neither_edit_nor_bring_anything_in,
);

async fn a_spaces_owner_removes_a_strangers_being_and_it_stays_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (mallory, mallory_being) = app.guest("Mallory").await;
    let garden = id_of(&app.create_space(&ada, "Garden").await);
    let spam = id_of(
        &app.create_being(&mallory, "bot", "Spam", Some(&garden))
            .await,
    );
    let remove = |who: &str| format!("/api/spaces/{garden}/beings/{who}");

    // Not Mallory's to do, even to her own bot; not anyone's to do to the owner.
    app.delete(&mallory, &remove(&spam))
        .await
        .expect_error(403, "forbidden", None);
    app.delete(
        &ada,
        &remove(&id_of(&app.get(&ada, "/api/me").await.expect(200)["being"])),
    )
    .await
    .expect_error(403, "forbidden", None);

    app.delete(&ada, &remove(&spam)).await.expect_no_content();
    app.delete(&ada, &remove(&id_of(&mallory_being)))
        .await
        .expect_no_content();
    assert!(app.beings_in(&garden).await.is_empty(), "moved out");
    assert!(app.being(&spam).await.expect(200)["location_id"].is_null());

    // Kept out: back in, a new being in, speaking there (as herself or as the bot).
    let back = json!({ "location_id": garden });
    app.patch(&mallory, &format!("/api/beings/{spam}"), &back)
        .await
        .expect_error(403, "forbidden", None);
    app.post(
        &mallory,
        "/api/beings",
        &json!({ "kind": "bot", "name": "Spam 2", "location_id": garden }),
    )
    .await
    .expect_error(403, "forbidden", None);
    let said = format!("/api/spaces/{garden}/intentions");
    app.post(&mallory, &said, &json!({ "content": "hi" }))
        .await
        .expect_error(403, "forbidden", None);
    // Elsewhere she is as free as ever.
    app.post_intention(&mallory, LOBBY_ID, "hello lobby").await;

    // Let back in: she may come and speak again.
    let readmit = format!("/api/spaces/{garden}/removals/{}", id_of(&mallory_being));
    app.delete(&mallory, &readmit)
        .await
        .expect_error(403, "forbidden", None);
    app.delete(&ada, &readmit).await.expect_no_content();
    app.post(&mallory, &said, &json!({ "content": "sorry" }))
        .await
        .expect(201);
}

async fn a_spaces_owner_deletes_a_strangers_message_and_a_stranger_cannot(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let (eve, _) = app.guest("Eve").await;
    let garden = id_of(&app.create_space(&ada, "Garden").await);
    let said = id_of(&app.post_intention(&bob, &garden, "rude words").await);
    let path = format!("/api/intentions/{said}");
    app.delete(&eve, &path)
        .await
        .expect_error(403, "forbidden", None);
    app.patch(&ada, &path, &json!({ "content": "edited by the owner" }))
        .await
        .expect_error(403, "forbidden", None);
    app.delete(&ada, &path).await.expect_no_content();
    assert!(app.intentions(&garden).await.is_empty());
}

async fn a_moderator_moderates_the_lobby_and_nobody_else_can(backend: Backend) {
    let app = spawn_app(backend).await;
    let (modo, modo_being) = app.guest("Moderator").await;
    let modo_id = id_of(&modo_being);
    let app = app
        .restart(|config| config.moderators = vec![modo_id.parse().unwrap()])
        .await;
    let (mallory, mallory_being) = app.guest("Mallory").await;
    let (bob, _) = app.guest("Bob").await;
    let said = id_of(&app.post_intention(&mallory, LOBBY_ID, "spam").await);
    let remove = format!("/api/spaces/{LOBBY_ID}/beings/{}", id_of(&mallory_being));
    app.delete(&bob, &format!("/api/intentions/{said}"))
        .await
        .expect_error(403, "forbidden", None);
    app.delete(&bob, &remove)
        .await
        .expect_error(403, "forbidden", None);
    app.delete(&modo, &format!("/api/intentions/{said}"))
        .await
        .expect_no_content();
    app.delete(&modo, &remove).await.expect_no_content();
    app.post(
        &mallory,
        &format!("/api/spaces/{LOBBY_ID}/intentions"),
        &json!({ "content": "more" }),
    )
    .await
    .expect_error(403, "forbidden", None);
    // A moderator of every space moderates a guest's own space too.
    let (ada, _) = app.guest("Ada").await;
    let garden = id_of(&app.create_space(&ada, "Garden").await);
    let hers = id_of(&app.post_intention(&ada, &garden, "mine").await);
    app.delete(&modo, &format!("/api/intentions/{hers}"))
        .await
        .expect_no_content();
}

async fn a_removed_guest_takes_its_bots_out_and_can_neither_edit_nor_bring_anything_in(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (mallory, mallory_being) = app.guest("Mallory").await;
    let garden = id_of(&app.create_space(&ada, "Garden").await);
    let inside = id_of(
        &app.create_being(&mallory, "bot", "Inside", Some(&garden))
            .await,
    );
    let outside = id_of(&app.create_being(&mallory, "bot", "Outside", None).await);
    let said = id_of(&app.post_intention(&mallory, &garden, "first draft").await);
    let mallory_id = id_of(&mallory_being);

    app.delete(&ada, &format!("/api/spaces/{garden}/beings/{mallory_id}"))
        .await
        .expect_no_content();
    assert!(
        app.beings_in(&garden).await.is_empty(),
        "her bot left with her"
    );

    // Her message stays hers to be deleted by the owner, not hers to change.
    app.patch(
        &mallory,
        &format!("/api/intentions/{said}"),
        &json!({ "content": "worse words" }),
    )
    .await
    .expect_error(403, "forbidden", None);
    // Neither the bot that left nor one that was never there can be brought in by her.
    let bring_in = json!({ "location_id": garden });
    for bot in [&inside, &outside] {
        app.patch(&mallory, &format!("/api/beings/{bot}"), &bring_in)
            .await
            .expect_error(403, "forbidden", None);
    }

    // Let back in, she and the bot that was removed with her may come back.
    app.delete(&ada, &format!("/api/spaces/{garden}/removals/{mallory_id}"))
        .await
        .expect_no_content();
    app.patch(&mallory, &format!("/api/beings/{inside}"), &bring_in)
        .await
        .expect(200);
    app.patch(
        &mallory,
        &format!("/api/intentions/{said}"),
        &json!({ "content": "second draft" }),
    )
    .await
    .expect(200);
}
