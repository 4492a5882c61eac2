//! A program acting as its bot (docs/API.md, "Bots"): a token acts as its bot and only as it;
//! a revoked token is 401 and its streams end; a reply still streaming is stopped by the person
//! it answers (or the bot's owner, or the space's), and the bot finds out at its next write.

use reqwest::Client;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde_json::json;

use crate::helpers::{Backend, TestApp, id_of, on_both_backends, spawn_app};
use crate::sse::{Next, Sse, WAIT};

on_both_backends!(
    a_token_acts_as_its_bot_and_only_as_it,
    a_revoked_token_is_refused_and_its_stream_ends,
    a_streaming_reply_is_stopped_by_whom_it_answers_and_not_by_a_stranger,
);

/// A client that sends `token` with every request.
pub fn bearer(token: &str) -> Client {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    headers.insert(AUTHORIZATION, value);
    Client::builder().default_headers(headers).build().unwrap()
}

/// Ada's space, her program bot in it, and a token for it.
pub async fn program_bot(app: &TestApp) -> (Client, String, String, String) {
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Workshop").await);
    let bot = app
        .post(
            &ada,
            "/api/beings",
            &json!({ "kind": "bot", "name": "Writer", "location_id": space,
                     "bot": { "engine": { "type": "program" } } }),
        )
        .await
        .expect(201);
    let token = app
        .post(
            &ada,
            &format!("/api/beings/{}/tokens", id_of(&bot)),
            &json!({}),
        )
        .await
        .expect(201);
    let secret = token["token"].as_str().unwrap().to_owned();
    (ada, space, id_of(&bot), secret)
}

async fn a_token_acts_as_its_bot_and_only_as_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, space, bot, token) = program_bot(&app).await;
    let writer = bearer(&token);
    assert_eq!(
        id_of(&app.get(&writer, "/api/me").await.expect(200)["being"]),
        bot
    );
    let said = app
        .post(
            &writer,
            &format!("/api/spaces/{space}/intentions"),
            &json!({ "content": "beep" }),
        )
        .await
        .expect(201);
    assert_eq!(said["owner_id"], bot.as_str());
    // Not Ada: the token cannot change her, nor the bot's settings, nor make tokens.
    let ada_id = id_of(&app.get(&ada, "/api/me").await.expect(200)["being"]);
    app.patch(
        &writer,
        &format!("/api/beings/{ada_id}"),
        &json!({ "name": "Mallory" }),
    )
    .await
    .expect_error(403, "forbidden", None);
    app.post(&writer, &format!("/api/beings/{bot}/tokens"), &json!({}))
        .await
        .expect_error(403, "forbidden", None);
    // A token listed never shows its secret; a made-up one signs nobody in.
    let listed = app
        .get(&ada, &format!("/api/beings/{bot}/tokens"))
        .await
        .expect(200);
    assert!(listed[0].get("token").is_none(), "{listed}");
    app.get(&bearer("rhz_not-a-token"), "/api/me")
        .await
        .expect_error(401, "unauthorized", None);
    // Nor can it make anything that would outlive it: beings, links, passkeys, sessions.
    app.post(
        &writer,
        "/api/beings",
        &json!({ "kind": "bot", "name": "Child", "location_id": space }),
    )
    .await
    .expect_error(403, "forbidden", None);
    app.post(&writer, "/api/sign-in-links", &json!({}))
        .await
        .expect_error(403, "forbidden", None);
    app.post(&writer, "/api/passkeys/registration", &json!({}))
        .await
        .expect_error(403, "forbidden", None);
    app.get(&writer, "/api/sessions")
        .await
        .expect_error(403, "forbidden", None);
}

async fn a_revoked_token_is_refused_and_its_stream_ends(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, space, bot, token) = program_bot(&app).await;
    let writer = bearer(&token);
    let mut stream = Sse::connect(&writer, &app.events_url(&space, None), None).await;
    stream.until_live().await;
    let tokens = app
        .get(&ada, &format!("/api/beings/{bot}/tokens"))
        .await
        .expect(200);
    let token_id = id_of(&tokens[0]);
    app.delete(&ada, &format!("/api/beings/{bot}/tokens/{token_id}"))
        .await
        .expect_no_content();
    stream.until_event("signed_out", WAIT).await;
    assert!(matches!(stream.next(WAIT).await, Next::End));
    app.get(&writer, "/api/me")
        .await
        .expect_error(401, "unauthorized", None);
}

async fn a_streaming_reply_is_stopped_by_whom_it_answers_and_not_by_a_stranger(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, space, _, token) = program_bot(&app).await;
    let writer = bearer(&token);
    let asked = app.post_intention(&ada, &space, "write me a poem").await;
    let path = format!("/api/spaces/{space}/intentions");
    let reply = app
        .post(
            &writer,
            &path,
            &json!({ "content": "Roses", "state": "active", "reply_to": asked["id"] }),
        )
        .await
        .expect(201);
    let stop = format!("/api/intentions/{}/stop", id_of(&reply));
    let (bob, _) = app.guest("Bob").await;
    app.post(&bob, &stop, &json!({}))
        .await
        .expect_error(403, "forbidden", None);
    let stopped = app.post(&ada, &stop, &json!({})).await.expect(200);
    assert_eq!(stopped["state"], "complete");
    assert_eq!(stopped["content"], "Roses", "what was written stays");
    // The bot's next write finds it stopped, whatever it says.
    for write in [
        json!({ "content": "Roses are red", "state": "active" }),
        json!({ "content": "Roses are red, violets are blue", "state": "complete" }),
        json!({ "content": "Roses are red" }),
    ] {
        app.patch(
            &writer,
            &format!("/api/intentions/{}", id_of(&reply)),
            &write,
        )
        .await
        .expect_error(409, "conflict", Some("state"));
    }
    app.post(&ada, &stop, &json!({}))
        .await
        .expect_error(409, "conflict", None);
    // A reply_to outside the space is refused.
    let elsewhere = app
        .post_intention(&ada, crate::helpers::LOBBY_ID, "hi")
        .await;
    app.post(
        &writer,
        &path,
        &json!({ "content": "x", "reply_to": elsewhere["id"] }),
    )
    .await
    .expect_error(422, "invalid", Some("reply_to"));
}
