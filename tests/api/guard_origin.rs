//! Cross-site requests (docs/SECURITY.md): a browser on another site cannot change anything —
//! not through the JSON API, not through a server function's form (not even to make a visitor
//! someone else) — while the site's own pages and programs that send no origin work; a `GET`
//! changes nothing; every answer carries the security headers, a page its nonce'd policy.

use reqwest::Client;
use reqwest::header::{CONTENT_TYPE, ORIGIN};
use serde_json::json;

use crate::guard_body::server_fn_path;
use crate::helpers::{Backend, LOBBY_ID, TestApp, id_of, on_both_backends, send, spawn_app};
use crate::identity_sessions::sign_in_with_a_link;

on_both_backends!(
    a_cross_site_write_is_refused_and_the_sites_own_and_programs_pass,
    a_cross_site_form_cannot_make_a_visitor_someone_else,
    loading_a_page_changes_nothing,
    every_answer_carries_the_security_headers_and_a_page_its_nonce,
);

fn own_origin(app: &TestApp) -> String {
    format!("http://{}", app.addr)
}

async fn create_space_from(app: &TestApp, client: &Client, headers: &[(&str, &str)]) -> u16 {
    let mut request = client
        .post(app.url("/api/spaces"))
        .json(&json!({ "name": "Garden" }));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(request).await.status
}

async fn a_cross_site_write_is_refused_and_the_sites_own_and_programs_pass(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    for cross in [
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
        vec![
            ("sec-fetch-site", "same-site"),
            ("origin", "https://chat.evil.example"),
        ],
    ] {
        assert_eq!(
            create_space_from(&app, &ada, &cross).await,
            403,
            "{cross:?}"
        );
    }
    let reply = send(
        ada.post(app.url("/api/spaces"))
            .header(ORIGIN, "https://evil.example")
            .json(&json!({ "name": "Garden" })),
    )
    .await;
    reply.expect_error(403, "forbidden", None);
    assert_eq!(app.spaces().await.len(), 1, "nothing was created");

    let own = own_origin(&app);
    let same = [("origin", own.as_str()), ("sec-fetch-site", "same-origin")];
    assert_eq!(create_space_from(&app, &ada, &same).await, 201);
    assert_eq!(
        create_space_from(&app, &ada, &[]).await,
        201,
        "a program sends no origin"
    );
    // Reading is never refused, from anywhere.
    let read = send(
        app.anon
            .get(app.url("/api/spaces"))
            .header(ORIGIN, "https://evil.example"),
    )
    .await;
    assert_eq!(read.status, 200);
}

async fn a_cross_site_form_cannot_make_a_visitor_someone_else(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, me) = app.guest("Ada").await;
    let join = server_fn_path(&app, "/", "join").await;
    let form = |origin: &str| {
        ada.post(app.url(&join))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ORIGIN, origin.to_owned())
            .body("name=Mallory")
    };
    let refused = send(form("https://evil.example")).await;
    refused.expect_error(403, "forbidden", None);
    assert!(
        refused.header("set-cookie").is_none(),
        "the cookie stays as it was"
    );
    let still = app.get(&ada, "/api/me").await.expect(200);
    assert_eq!(still["being"]["id"], me["id"], "still Ada");

    // The site's own form does what it says (once Ada has another way back: a second device).
    sign_in_with_a_link(&app, &ada, &app.client()).await;
    let accepted = send(form(&own_origin(&app))).await;
    assert!(
        accepted.status < 400,
        "{}: {}",
        accepted.status,
        accepted.text
    );
    assert!(accepted.header("set-cookie").is_some());
}

async fn loading_a_page_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, me) = app.guest("Ada").await;
    let garden = id_of(&app.create_space(&ada, "Garden").await);
    for page in [
        format!("/s/{garden}"),
        format!("/s/{LOBBY_ID}"),
        "/".to_owned(),
    ] {
        let reply = send(ada.get(app.url(&page))).await;
        assert_eq!(reply.status, 200, "{page}");
    }
    let after = app.being(&id_of(&me)).await.expect(200);
    assert!(
        after["location_id"].is_null(),
        "a GET walked Ada somewhere: {after}"
    );
    assert!(app.beings_in(&garden).await.is_empty());
}

async fn every_answer_carries_the_security_headers_and_a_page_its_nonce(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/api/spaces", "/healthz", "/api/nowhere", "/"] {
        let reply = send(app.anon.get(app.url(path))).await;
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            reply.header("referrer-policy"),
            Some("same-origin"),
            "{path}"
        );
        let policy = reply.header("content-security-policy").unwrap_or_default();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
    }
    // A page allows exactly the scripts that carry this response's nonce.
    let page = send(app.anon.get(app.url("/"))).await;
    let policy = page.header("content-security-policy").unwrap().to_owned();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a page's policy names a nonce");
    assert!(policy.contains("'wasm-unsafe-eval'") && !policy.contains("unsafe-inline"));
    assert!(
        page.text.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries it"
    );
    let again = send(app.anon.get(app.url("/"))).await;
    assert!(
        !again
            .header("content-security-policy")
            .unwrap()
            .contains(nonce),
        "a nonce is used once"
    );
    let api = send(app.anon.get(app.url("/api/spaces"))).await;
    assert!(
        api.header("content-security-policy")
            .unwrap()
            .starts_with("default-src 'none'")
    );
}
