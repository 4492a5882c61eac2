//! Session cookies (docs/SECURITY.md, "Cookies and keys"): `Secure` and `__Host-` behind an
//! https public URL; refused past their maximum age; still accepted after the key is rotated
//! (and issued again under the new key), and refused once the old key is dropped.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use reqwest::header::COOKIE;
use serde_json::json;
use sha2::Sha256;

use crate::helpers::{Backend, id_of, on_both_backends, send, spawn_app_with};

on_both_backends!(
    behind_an_https_public_url_the_cookie_is_secure_and_host_only,
    a_cookie_past_its_maximum_age_signs_nobody_in_and_an_old_one_is_renewed,
    after_the_key_is_rotated_a_session_goes_on_and_is_signed_again,
);

const OLD_KEY: &str = "an-old-secret-of-at-least-thirty-two-bytes";
const NEW_KEY: &str = "a-new-secret-of-at-least-thirty-two-bytes!";

/// A cookie value as the server signs one: `v1.<id>.<issued at>.<HMAC>`.
fn signed(key: &str, being_id: &str, issued_at: u64) -> String {
    let id = uuid::Uuid::parse_str(being_id)
        .unwrap()
        .simple()
        .to_string();
    let body = format!("v1.{id}.{issued_at}");
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!(
        "{body}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
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
    let (_, ada) = app.guest("Ada").await;
    let me = |value: String| {
        send(
            app.anon
                .get(app.url("/api/me"))
                .header(COOKIE, format!("rhizom_session={value}")),
        )
    };
    let expired = me(signed(OLD_KEY, &id_of(&ada), now() - 31 * DAY)).await;
    expired.expect_error(401, "unauthorized", None);
    // Two days old: still good, and issued again so that it lives on.
    let aging = me(signed(OLD_KEY, &id_of(&ada), now() - 2 * DAY)).await;
    assert_eq!(aging.status, 200, "{}", aging.text);
    let renewed = aging.header("set-cookie").expect("renewed").to_owned();
    assert!(renewed.starts_with("rhizom_session=v1."), "{renewed}");
    // A fresh one is not issued again on every request.
    let fresh = me(signed(OLD_KEY, &id_of(&ada), now())).await;
    assert_eq!(fresh.status, 200);
    assert!(fresh.header("set-cookie").is_none());
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
    let value = renewed
        .strip_prefix("rhizom_session=")
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
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
    // And one signed with the dropped key alone is refused.
    let stale = signed(OLD_KEY, &id_of(&me), now());
    let refused = send(
        app.anon
            .get(app.url("/api/me"))
            .header(COOKIE, format!("rhizom_session={stale}")),
    )
    .await;
    refused.expect_error(401, "unauthorized", None);
}
