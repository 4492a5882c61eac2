//! Signing in as a guest, the session cookie, `GET /api/me` and the health check.

use reqwest::Client;
use serde_json::json;

use crate::contract::assert_being;
use crate::helpers::{Backend, SESSION_COOKIE, on_both_backends, send, spawn_app};

on_both_backends!(
    signing_in_creates_a_guest_that_owns_itself,
    signing_in_sets_an_http_only_same_site_lax_session_cookie,
    me_returns_the_signed_in_guest,
    me_without_a_cookie_is_unauthorized,
    a_tampered_session_cookie_is_unauthorized,
    signing_in_again_creates_a_new_guest_and_replaces_the_session,
    two_guests_with_the_same_name_are_different_beings,
    a_rejected_sign_in_sets_no_session_and_keeps_an_existing_one,
    a_deleted_guest_is_signed_out,
    the_health_check_answers_ok,
);

async fn signing_in_creates_a_guest_that_owns_itself(backend: Backend) {
    let app = spawn_app(backend).await;

    let body = app
        .post(&app.client(), "/api/session", &json!({ "name": "Ada" }))
        .await
        .expect(200);

    let being = &body["being"];
    assert_being(being);
    assert_eq!(being["kind"], "guest");
    assert_eq!(being["name"], "Ada");
    assert_eq!(being["owner_id"], being["id"], "a guest owns itself");
    assert!(
        being["location_id"].is_null(),
        "a new guest is at the top level"
    );
    let stored = app.being(being["id"].as_str().unwrap()).await.expect(200);
    assert_eq!(&stored, being, "the guest is a being anyone can read");
}

async fn signing_in_sets_an_http_only_same_site_lax_session_cookie(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app
        .anon
        .post(app.url("/api/session"))
        .json(&json!({ "name": "Ada" }))
        .send()
        .await
        .expect("the request did not reach the server");

    assert_eq!(response.status().as_u16(), 200);
    let cookie = response
        .cookies()
        .find(|c| c.name() == SESSION_COOKIE)
        .expect("POST /api/session should set the rhizom_session cookie");
    assert!(!cookie.value().is_empty(), "the session cookie has a value");
    assert!(cookie.http_only(), "the session cookie is HttpOnly");
    assert!(cookie.same_site_lax(), "the session cookie is SameSite=Lax");
}

async fn me_returns_the_signed_in_guest(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, ada_being) = app.guest("Ada").await;
    let (bob, bob_being) = app.guest("Bob").await;

    let ada_me = app.get(&ada, "/api/me").await.expect(200);
    let bob_me = app.get(&bob, "/api/me").await.expect(200);

    assert_eq!(ada_me["being"], ada_being);
    assert_eq!(bob_me["being"], bob_being);
}

async fn me_without_a_cookie_is_unauthorized(backend: Backend) {
    let app = spawn_app(backend).await;
    app.guest("Ada").await;

    app.get(&app.anon, "/api/me")
        .await
        .expect_error(401, "unauthorized", None);
    app.get(&app.client(), "/api/me")
        .await
        .expect_error(401, "unauthorized", None);
}

/// Variations of a genuine cookie value that a signed cookie must not accept.
fn tamperings(value: &str) -> Vec<String> {
    assert!(
        value.len() >= 2,
        "a signed cookie value is longer than {value:?}"
    );
    let chars: Vec<char> = value.chars().collect();
    // A digit for a digit or letter: it changes the value even where letters are read
    // case-insensitively (hex), and stays inside every common alphabet (hex, base64).
    let flip = |i: usize| -> String {
        let mut changed = chars.clone();
        changed[i] = if changed[i] == '0' { '1' } else { '0' };
        changed.into_iter().collect()
    };
    let half: String = chars[..chars.len() / 2].iter().collect();
    vec![
        flip(0),
        flip(chars.len() / 2),
        half,
        format!("{value}0"),
        "garbage".to_owned(),
        String::new(),
    ]
}

async fn a_tampered_session_cookie_is_unauthorized(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .anon
        .post(app.url("/api/session"))
        .json(&json!({ "name": "Ada" }))
        .send()
        .await
        .expect("the request did not reach the server");
    assert_eq!(response.status().as_u16(), 200);
    let value = response
        .cookies()
        .find(|c| c.name() == SESSION_COOKIE)
        .expect("POST /api/session should set the rhizom_session cookie")
        .value()
        .to_owned();
    let with_cookie = |client: &Client, path: &str, value: &str| {
        client
            .get(app.url(path))
            .header(reqwest::header::COOKIE, format!("{SESSION_COOKIE}={value}"))
    };
    // The genuine value, sent by hand, is accepted: the rejections below are due to tampering.
    send(with_cookie(&app.anon, "/api/me", &value))
        .await
        .expect(200);

    for tampered in tamperings(&value) {
        let reply = send(with_cookie(&app.anon, "/api/me", &tampered)).await;
        reply.expect_error(401, "unauthorized", None);
        let write = app
            .anon
            .post(app.url("/api/spaces"))
            .header(
                reqwest::header::COOKIE,
                format!("{SESSION_COOKIE}={tampered}"),
            )
            .json(&json!({ "name": "Forged" }));
        send(write).await.expect_error(401, "unauthorized", None);
    }
    assert_eq!(
        app.spaces().await.len(),
        1,
        "no forged write created a space"
    );
}

async fn signing_in_again_creates_a_new_guest_and_replaces_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let (client, first) = app.guest("Ada").await;

    // Nothing else leads back to the first guest: it must be given up first, confirmed.
    app.post(&client, "/api/session", &json!({ "name": "Ada" }))
        .await
        .expect_error(409, "conflict", Some("confirm"));
    app.delete(&client, "/api/session?confirm=true")
        .await
        .expect_no_content();
    let second = app
        .post(&client, "/api/session", &json!({ "name": "Ada" }))
        .await
        .expect(200);

    assert_ne!(
        second["being"]["id"], first["id"],
        "signing in always creates a new guest"
    );
    let me = app.get(&client, "/api/me").await.expect(200);
    assert_eq!(
        me["being"], second["being"],
        "the new cookie replaced the old one"
    );
    let old = app.being(first["id"].as_str().unwrap()).await.expect(200);
    assert_eq!(old, first, "the earlier guest still exists, unchanged");
}

async fn two_guests_with_the_same_name_are_different_beings(backend: Backend) {
    let app = spawn_app(backend).await;

    let (_, one) = app.guest("Ada").await;
    let (_, two) = app.guest("Ada").await;

    assert_eq!(one["name"], two["name"]);
    assert_ne!(one["id"], two["id"], "names are not unique; ids are");
}

async fn a_rejected_sign_in_sets_no_session_and_keeps_an_existing_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let fresh = app.client();
    let (signed_in, being) = app.guest("Ada").await;

    for client in [&fresh, &signed_in] {
        app.post(client, "/api/session", &json!({ "name": "   " }))
            .await
            .expect_error(422, "invalid", Some("name"));
    }

    app.get(&fresh, "/api/me")
        .await
        .expect_error(401, "unauthorized", None);
    let me = app.get(&signed_in, "/api/me").await.expect(200);
    assert_eq!(
        me["being"], being,
        "a failed sign-in leaves the session as it was"
    );
}

async fn a_deleted_guest_is_signed_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, being) = app.guest("Ada").await;
    let id = being["id"].as_str().unwrap();

    app.delete(&ada, &format!("/api/beings/{id}"))
        .await
        .expect_no_content();

    app.get(&ada, "/api/me")
        .await
        .expect_error(401, "unauthorized", None);
    app.post(&ada, "/api/spaces", &json!({ "name": "Ghost town" }))
        .await
        .expect_error(401, "unauthorized", None);
    app.being(id).await.expect_error(404, "not_found", None);
    assert_eq!(
        app.spaces().await.len(),
        1,
        "the deleted guest could not create a space"
    );
}

async fn the_health_check_answers_ok(backend: Backend) {
    let app = spawn_app(backend).await;

    let reply = app.get(&app.anon, "/healthz").await;

    assert_eq!(reply.status, 200, "body: {}", reply.text);
}
