//! Sessions (docs/API.md, "Sessions"): server-side, listed with their device, ended one by one
//! or all at once; an ended session's cookie signs nobody in and its live streams hear
//! `signed_out` and end; signing in starts a fresh session; ending the last way back into a
//! being needs a confirmation.

use reqwest::Client;
use serde_json::{Value, json};

use crate::helpers::{Backend, LOBBY_ID, TestApp, id_of, on_both_backends, spawn_app};
use crate::sse::{Next, WAIT};

on_both_backends!(
    a_second_device_is_listed_and_signing_it_out_ends_its_cookie_and_its_streams,
    signing_in_again_ends_the_session_the_device_had,
    the_last_way_back_is_ended_only_when_confirmed,
    ending_every_other_session_keeps_this_one,
    signing_in_as_someone_else_never_strands_a_guest,
);

/// Signs `other` in as whoever `client` is, with a sign-in link.
pub async fn sign_in_with_a_link(app: &TestApp, client: &Client, other: &Client) -> Value {
    let link = app
        .post(client, "/api/sign-in-links", &json!({}))
        .await
        .expect(201);
    let token = link["url"].as_str().unwrap().rsplit('/').next().unwrap();
    app.post(other, "/api/sign-in-links/use", &json!({ "token": token }))
        .await
        .expect(200)
}

async fn sessions(app: &TestApp, client: &Client) -> Vec<Value> {
    let list = app.get(client, "/api/sessions").await.expect(200);
    list.as_array().unwrap().clone()
}

async fn a_second_device_is_listed_and_signing_it_out_ends_its_cookie_and_its_streams(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (laptop, ada) = app.guest("Ada").await;
    let phone = app.client();
    let signed_in = sign_in_with_a_link(&app, &laptop, &phone).await;
    assert_eq!(signed_in["being"]["id"], ada["id"]);
    assert_eq!(app.get(&phone, "/api/me").await.expect(200)["being"], ada);

    let listed = sessions(&app, &laptop).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[0]["current"], true, "the laptop's, first");
    assert_eq!(listed[1]["current"], false);
    for session in &listed {
        assert!(session["user_agent"].is_string() && session["last_seen_at"].is_string());
    }
    let mut stream = app.subscribe(&phone, LOBBY_ID, None).await;
    stream.until_live().await;

    let phones = id_of(&listed[1]);
    app.delete(&laptop, &format!("/api/sessions/{phones}"))
        .await
        .expect_no_content();
    // Its stream hears it (after whatever came before), and ends.
    stream.until_event("signed_out", WAIT).await;
    assert!(
        matches!(stream.next(WAIT).await, Next::End),
        "the stream ends"
    );
    // Its cookie signs nobody in any more; the laptop goes on.
    app.get(&phone, "/api/me")
        .await
        .expect_error(401, "unauthorized", None);
    assert_eq!(sessions(&app, &laptop).await.len(), 1);
    // Nobody ends another being's session.
    let (bob, _) = app.guest("Bob").await;
    let adas = id_of(&sessions(&app, &laptop).await[0]);
    app.delete(&bob, &format!("/api/sessions/{adas}"))
        .await
        .expect_error(404, "not_found", None);
}

async fn signing_in_again_ends_the_session_the_device_had(backend: Backend) {
    let app = spawn_app(backend).await;
    let (laptop, ada) = app.guest("Ada").await;
    let (shared, _) = app.guest("Bob").await;
    let bobs_phone = app.client();
    sign_in_with_a_link(&app, &shared, &bobs_phone).await;
    assert_eq!(sessions(&app, &bobs_phone).await.len(), 2);
    sign_in_with_a_link(&app, &laptop, &shared).await;
    assert_eq!(app.get(&shared, "/api/me").await.expect(200)["being"], ada);
    // Bob's session on the shared device ended with it: his phone's is his last.
    assert_eq!(sessions(&app, &bobs_phone).await.len(), 1);
}

async fn the_last_way_back_is_ended_only_when_confirmed(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let refused = app.delete(&ada, "/api/session").await;
    refused.expect_error(409, "conflict", Some("confirm"));
    app.get(&ada, "/api/me").await.expect(200);
    let signed_out = app.delete(&ada, "/api/session?confirm=true").await;
    assert_eq!(signed_out.status, 204, "{}", signed_out.text);
    assert!(
        signed_out
            .header("set-cookie")
            .is_some_and(|c| c.contains("Max-Age=0")),
        "the cookie is cleared"
    );
    app.get(&ada, "/api/me")
        .await
        .expect_error(401, "unauthorized", None);

    // With a second device, signing out of one is no last way back.
    let (laptop, _) = app.guest("Eve").await;
    let phone = app.client();
    sign_in_with_a_link(&app, &laptop, &phone).await;
    app.delete(&phone, "/api/session").await.expect_no_content();
    app.delete(&laptop, "/api/session?confirm=maybe")
        .await
        .expect_error(400, "bad_request", Some("confirm"));
}

async fn ending_every_other_session_keeps_this_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let (laptop, _) = app.guest("Ada").await;
    let (phone, tablet) = (app.client(), app.client());
    sign_in_with_a_link(&app, &laptop, &phone).await;
    sign_in_with_a_link(&app, &laptop, &tablet).await;
    let ended = app.delete(&laptop, "/api/sessions").await.expect(200);
    assert_eq!(ended["ended"], 2);
    for gone in [&phone, &tablet] {
        app.get(gone, "/api/me")
            .await
            .expect_error(401, "unauthorized", None);
    }
    app.get(&laptop, "/api/me").await.expect(200);
    // All of them, this one too: the last way back, so only when confirmed.
    app.delete(&laptop, "/api/sessions?including_this=true")
        .await
        .expect_error(409, "conflict", Some("confirm"));
    let all = app
        .delete(&laptop, "/api/sessions?including_this=true&confirm=true")
        .await
        .expect(200);
    assert_eq!(all["ended"], 1);
    app.get(&laptop, "/api/me")
        .await
        .expect_error(401, "unauthorized", None);
}

async fn signing_in_as_someone_else_never_strands_a_guest(backend: Backend) {
    let app = spawn_app(backend).await;
    let (laptop, _) = app.guest("Ada").await;
    let (shared, bob) = app.guest("Bob").await;
    let link = app
        .post(&laptop, "/api/sign-in-links", &json!({}))
        .await
        .expect(201);
    let token = link["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    // Bob has nothing but this device: becoming Ada here would lose him.
    app.post(
        &shared,
        "/api/sign-in-links/use",
        &json!({ "token": token }),
    )
    .await
    .expect_error(409, "conflict", Some("confirm"));
    app.post(&shared, "/api/session", &json!({ "name": "Eve" }))
        .await
        .expect_error(409, "conflict", Some("confirm"));
    assert_eq!(app.get(&shared, "/api/me").await.expect(200)["being"], bob);
    // Signed out first (confirming), the device may become Ada: the link still works.
    app.delete(&shared, "/api/session?confirm=true")
        .await
        .expect_no_content();
    app.post(
        &shared,
        "/api/sign-in-links/use",
        &json!({ "token": token }),
    )
    .await
    .expect(200);
}
