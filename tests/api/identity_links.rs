//! Sign-in links (docs/API.md, "Sign-in links"): a link signs one other device in, once; a
//! used, cancelled or expired link is refused; only its maker sees and cancels it; the
//! database keeps its hash, never the link.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::{Backend, TestApp, id_of, on_both_backends, spawn_app};
use rhizom::server::testing;

on_both_backends!(
    a_link_signs_one_device_in_once,
    a_cancelled_or_expired_link_is_refused,
    a_link_is_kept_only_as_its_hash,
);

/// A new link of `client`'s: its id and its token (the last part of its URL).
async fn new_link(app: &TestApp, client: &reqwest::Client) -> (String, String) {
    let link = app
        .post(client, "/api/sign-in-links", &json!({}))
        .await
        .expect(201);
    let url = link["url"].as_str().unwrap();
    assert!(url.contains("/link/"), "{url}");
    assert!(link["expires_at"].is_string());
    let token = url.rsplit('/').next().unwrap().to_owned();
    (id_of(&link), token)
}

async fn use_link(app: &TestApp, client: &reqwest::Client, token: &str) -> crate::helpers::Reply {
    app.post(client, "/api/sign-in-links/use", &json!({ "token": token }))
        .await
}

async fn a_link_signs_one_device_in_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, me) = app.guest("Ada").await;
    let (id, token) = new_link(&app, &ada).await;
    let pending = app.get(&ada, "/api/sign-in-links").await.expect(200);
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!(id_of(&pending[0]), id);
    assert!(pending[0].get("url").is_none(), "the URL is shown once");
    let (bob, _) = app.guest("Bob").await;
    assert!(
        app.get(&bob, "/api/sign-in-links")
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .is_empty(),
        "Bob sees none of Ada's links"
    );

    let phone = app.client();
    let used = use_link(&app, &phone, &token).await;
    assert!(used.header("set-cookie").is_some());
    assert_eq!(used.expect(200)["being"]["id"], me["id"]);
    assert_eq!(app.get(&phone, "/api/me").await.expect(200)["being"], me);

    let again = use_link(&app, &app.client(), &token).await;
    again.expect_error(403, "forbidden", None);
    assert!(
        app.get(&ada, "/api/sign-in-links")
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .is_empty(),
        "a used link is gone"
    );
    use_link(&app, &app.client(), "not-a-token")
        .await
        .expect_error(403, "forbidden", None);
}

async fn a_cancelled_or_expired_link_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let (id, token) = new_link(&app, &ada).await;
    app.delete(&bob, &format!("/api/sign-in-links/{id}"))
        .await
        .expect_error(404, "not_found", None);
    app.delete(&ada, &format!("/api/sign-in-links/{id}"))
        .await
        .expect_no_content();
    use_link(&app, &app.client(), &token)
        .await
        .expect_error(403, "forbidden", None);

    let (_, token) = new_link(&app, &ada).await;
    let aged = testing::execute(&app.database_url, "UPDATE sign_in_links SET expires_at = 1")
        .await
        .unwrap();
    assert_eq!(aged, 1);
    use_link(&app, &app.client(), &token)
        .await
        .expect_error(403, "forbidden", None);
}

async fn a_link_is_kept_only_as_its_hash(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (_, token) = new_link(&app, &ada).await;
    let bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
    let hash: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let literal = match backend {
        Backend::Sqlite => format!("X'{hash}'"),
        Backend::Postgres => format!("decode('{hash}', 'hex')"),
    };
    let touch = |condition: String| {
        let statement =
            format!("UPDATE sign_in_links SET created_at = created_at WHERE {condition}");
        let url = app.database_url.clone();
        async move { testing::execute(&url, &statement).await.unwrap() }
    };
    assert_eq!(
        touch(format!("token_hash = {literal}")).await,
        1,
        "its SHA-256 is kept"
    );
    let token_bytes: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let token_literal = literal.replace(&hash, &token_bytes);
    assert_eq!(
        touch(format!("token_hash = {token_literal}")).await,
        0,
        "not the token"
    );
}
