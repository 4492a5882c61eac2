//! Session cookies (docs/SECURITY.md, "Cookies and keys"): `Secure` and `__Host-` behind an
//! https public URL; refused past their maximum age; still accepted after the key is rotated
//! (and issued again under the new key), and refused once the old key is dropped; a cookie
//! from before server-side sessions is exchanged for a session.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use reqwest::header::COOKIE;
use serde_json::json;
use sha2::Sha256;

use serde_json::Value;

use crate::helpers::{Backend, TestApp, id_of, on_both_backends, send, spawn_app_with};

on_both_backends!(
    behind_an_https_public_url_the_cookie_is_secure_and_host_only,
    a_cookie_past_its_maximum_age_signs_nobody_in_and_an_old_one_is_renewed,
    a_cookie_from_before_sessions_is_exchanged_for_a_session,
    after_the_key_is_rotated_a_session_goes_on_and_is_signed_again,
);

const OLD_KEY: &str = "an-old-secret-of-at-least-thirty-two-bytes";
const NEW_KEY: &str = "a-new-secret-of-at-least-thirty-two-bytes!";

/// A session cookie's value as the server signs it, `v2.<being>.<token>.<issued at>.<HMAC>`,
/// issued at another time or signed with another key.
fn resigned(key: &str, value: &str, issued_at: u64) -> String {
    let mut parts: Vec<&str> = value.split('.').collect();
    assert_eq!(parts.len(), 5, "a v2 cookie: {value}");
    let issued_at = issued_at.to_string();
    parts[3] = &issued_at;
    mac_signed(key, &parts[..4].join("."))
}

/// `body.<HMAC of body>`.
fn mac_signed(key: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!(
        "{body}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

/// A cookie from before sessions: `v1.<being>.<issued at>.<HMAC>`.
fn before_sessions(key: &str, being_id: &str, issued_at: u64) -> String {
    let id = uuid::Uuid::parse_str(being_id)
        .unwrap()
        .simple()
        .to_string();
    mac_signed(key, &format!("v1.{id}.{issued_at}"))
}

/// Becomes a guest; the session cookie's value, and the being.
async fn join(app: &TestApp, name: &str) -> (String, Value) {
    let reply = app
        .post(&app.client(), "/api/session", &json!({ "name": name }))
        .await;
    let value = cookie_value(reply.header("set-cookie").expect("a cookie"));
    (value, reply.expect(200)["being"].clone())
}

/// The value of a `Set-Cookie: rhizom_session=…` header.
fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .strip_prefix("rhizom_session=")
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("not a session cookie: {set_cookie}"))
        .to_owned()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

const DAY: u64 = 24 * 60 * 60;

async fn behind_an_https_public_url_the_cookie_is_secure_and_host_only(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.public_url = Some("https://chat.example.org".parse().unwrap());
    })
    .await;
    let reply = send(
        app.anon
            .post(app.url("/api/session"))
            .json(&json!({ "name": "Ada" })),
    )
    .await;
    let cookie = reply.header("set-cookie").expect("a cookie").to_owned();
    assert!(cookie.starts_with("__Host-rhizom_session="), "{cookie}");
    for part in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
}

async fn a_cookie_past_its_maximum_age_signs_nobody_in_and_an_old_one_is_renewed(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.session_secret = Some(OLD_KEY.to_owned().into());
        config.session_max_age = std::time::Duration::from_secs(30 * DAY);
    })
    .await;
    let (value, ada) = join(&app, "Ada").await;
    let me = |value: String| {
        send(
            app.anon
                .get(app.url("/api/me"))
                .header(COOKIE, format!("rhizom_session={value}")),
        )
    };
    let expired = me(resigned(OLD_KEY, &value, now() - 31 * DAY)).await;
    expired.expect_error(401, "unauthorized", None);
    // Two days old: still good, and issued again so that it lives on.
    let aging = me(resigned(OLD_KEY, &value, now() - 2 * DAY)).await;
    assert_eq!(aging.status, 200, "{}", aging.text);
    let renewed = aging.header("set-cookie").expect("renewed").to_owned();
    assert!(renewed.starts_with("rhizom_session=v2."), "{renewed}");
    assert_eq!(aging.expect(200)["being"]["id"], ada["id"]);
    // A fresh one is not issued again on every request.
    let fresh = me(value.clone()).await;
    assert_eq!(fresh.status, 200);
    assert!(fresh.header("set-cookie").is_none());
}

async fn a_cookie_from_before_sessions_is_exchanged_for_a_session(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.session_secret = Some(OLD_KEY.to_owned().into());
    })
    .await;
    let (_, ada) = join(&app, "Ada").await;
    let old = before_sessions(OLD_KEY, &id_of(&ada), now() - DAY);
    let reply = send(
        app.anon
            .get(app.url("/api/sessions"))
            .header(COOKIE, format!("rhizom_session={old}")),
    )
    .await;
    let exchanged = cookie_value(reply.header("set-cookie").expect("a session's cookie"));
    assert!(exchanged.starts_with("v2."), "{exchanged}");
    // The request itself already went on as the new session: it lists it, as current.
    let sessions = reply.expect(200);
    let sessions = sessions.as_array().unwrap();
    assert_eq!(
        sessions.len(),
        2,
        "the first join's and the exchanged one: {sessions:?}"
    );
    assert_eq!(sessions[1]["current"], true);
    let again = send(
        app.anon
            .get(app.url("/api/me"))
            .header(COOKIE, format!("rhizom_session={exchanged}")),
    )
    .await;
    assert_eq!(again.expect(200)["being"]["id"], ada["id"]);
    // The old cookie was exchanged once: sent again (a copy of it, say), it signs nobody in.
    let replayed = send(
        app.anon
            .get(app.url("/api/me"))
            .header(COOKIE, format!("rhizom_session={old}")),
    )
    .await;
    assert!(replayed.header("set-cookie").is_none(), "no second session");
    replayed.expect_error(401, "unauthorized", None);
}

async fn after_the_key_is_rotated_a_session_goes_on_and_is_signed_again(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.session_secret = Some(OLD_KEY.to_owned().into());
    })
    .await;
    let (ada, me) = app.guest("Ada").await;
    let app = app
        .restart(|config| {
            config.session_secret = Some(NEW_KEY.to_owned().into());
            config.session_old_secrets = vec![OLD_KEY.to_owned().into()];
        })
        .await;
    let reply = app.get(&ada, "/api/me").await;
    let renewed = reply
        .header("set-cookie")
        .expect("signed again with the new key")
        .to_owned();
    assert_eq!(reply.expect(200)["being"]["id"], me["id"]);
    let value = cookie_value(&renewed);
    // The renewed cookie is the new key's: it still works once the old key is dropped.
    let app = app
        .restart(|config| config.session_secret = Some(NEW_KEY.to_owned().into()))
        .await;
    let alone = send(
        app.anon
            .get(app.url("/api/me"))
            .header(COOKIE, format!("rhizom_session={value}")),
    )
    .await;
    assert_eq!(alone.expect(200)["being"]["id"], me["id"]);
    // And the same session signed with the dropped key alone is refused.
    let stale = resigned(OLD_KEY, &value, now());
    let refused = send(
        app.anon
            .get(app.url("/api/me"))
            .header(COOKIE, format!("rhizom_session={stale}")),
    )
    .await;
    refused.expect_error(401, "unauthorized", None);
}
