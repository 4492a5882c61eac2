//! Malformed requests: bodies over 64 KiB (413), bad JSON syntax (400), well-formed JSON with
//! wrong or missing fields (422), and path ids that are not UUIDs (400).

use reqwest::{Client, Method};
use serde_json::{Value, json};

use crate::helpers::{Backend, LOBBY_ID, TestApp, id_of, on_both_backends, spawn_app};

on_both_backends!(
    a_body_of_exactly_64_kib_is_accepted_and_one_byte_more_is_too_large,
    bodies_over_64_kib_are_too_large_on_every_write,
    malformed_json_is_a_bad_request_on_every_write,
    well_formed_json_with_wrong_or_missing_fields_is_invalid,
    path_ids_that_are_not_uuids_are_bad_requests_on_every_route,
);

const KIB_64: usize = 64 * 1024;

/// A signed-in guest with a bot, a space and an intention: something behind every write route.
struct World {
    client: Client,
    bot: Value,
    said: Value,
    ids: Vec<String>,
}

async fn world(app: &TestApp) -> World {
    let (client, guest) = app.guest("Ada").await;
    let bot = app
        .create_being(&client, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let space = app.create_space(&client, "Garden").await;
    let said = app.post_intention(&client, &id_of(&space), "hello").await;
    let ids = vec![id_of(&guest), id_of(&bot), id_of(&space)];
    World {
        client,
        bot,
        said,
        ids,
    }
}

impl World {
    fn id_refs(&self) -> Vec<&str> {
        self.ids.iter().map(String::as_str).collect()
    }

    /// Every route that takes a JSON body: method, path, and a valid body to start from.
    fn writes(&self) -> Vec<(Method, String, Value)> {
        let space = &self.ids[2];
        vec![
            (
                Method::POST,
                "/api/session".to_owned(),
                json!({ "name": "Bob" }),
            ),
            (
                Method::POST,
                "/api/spaces".to_owned(),
                json!({ "name": "Shed" }),
            ),
            (
                Method::POST,
                "/api/beings".to_owned(),
                json!({ "kind": "bot", "name": "Robo" }),
            ),
            (
                Method::PATCH,
                format!("/api/beings/{}", id_of(&self.bot)),
                json!({ "name": "Butler" }),
            ),
            (
                Method::POST,
                format!("/api/spaces/{space}/intentions"),
                json!({ "content": "hi" }),
            ),
            (
                Method::PATCH,
                format!("/api/intentions/{}", id_of(&self.said)),
                json!({ "content": "hey" }),
            ),
        ]
    }
}

/// `body` (valid JSON) padded with spaces inside its closing brace to exactly `len` bytes.
fn padded(body: &Value, len: usize) -> String {
    let text = body.to_string();
    let (open, close) = text.split_at(text.len() - 1);
    assert!(len >= text.len(), "cannot pad {text} down to {len} bytes");
    let padded = format!("{open}{}{close}", " ".repeat(len - text.len()));
    assert_eq!(padded.len(), len);
    padded
}

async fn a_body_of_exactly_64_kib_is_accepted_and_one_byte_more_is_too_large(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let me = app.get(&w.client, "/api/me").await.expect(200);
    let before = app.snapshot(&w.id_refs()).await;

    let too_large = padded(&json!({ "name": "Too big" }), KIB_64 + 1);
    let reply = app
        .send_raw(&w.client, Method::POST, "/api/session", too_large)
        .await;
    reply.expect_error(413, "payload_too_large", None);
    let too_large = padded(&json!({ "name": "Too big" }), KIB_64 + 1);
    let reply = app
        .send_raw(&w.client, Method::POST, "/api/spaces", too_large)
        .await;
    reply.expect_error(413, "payload_too_large", None);
    assert_eq!(
        app.snapshot(&w.id_refs()).await,
        before,
        "a refused body changed nothing"
    );
    assert_eq!(
        app.get(&w.client, "/api/me").await.expect(200),
        me,
        "still the same guest"
    );

    let just_fits = padded(&json!({ "name": "Just fits" }), KIB_64);
    let reply = app
        .send_raw(&w.client, Method::POST, "/api/spaces", just_fits)
        .await;
    assert_eq!(reply.expect(201)["name"], "Just fits");
    let just_fits = padded(&json!({ "name": "Just fits" }), KIB_64);
    let reply = app
        .send_raw(&app.client(), Method::POST, "/api/session", just_fits)
        .await;
    assert_eq!(reply.expect(200)["being"]["name"], "Just fits");
}

async fn bodies_over_64_kib_are_too_large_on_every_write(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let before = app.snapshot(&w.id_refs()).await;
    let huge = "a".repeat(70_000);

    for (method, path, mut body) in w.writes() {
        // Make the one text field huge: the answer must be 413, not a 422 about its length.
        for field in ["name", "content"] {
            if body.get(field).is_some() {
                body[field] = json!(huge);
            }
        }
        let reply = app
            .send_raw(&w.client, method.clone(), &path, body.to_string())
            .await;
        assert_eq!(reply.status, 413, "{method} {path}: {}", reply.text);
        reply.expect_error(413, "payload_too_large", None);
    }

    assert_eq!(
        app.snapshot(&w.id_refs()).await,
        before,
        "refused bodies changed nothing"
    );
}

async fn malformed_json_is_a_bad_request_on_every_write(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let me = app.get(&w.client, "/api/me").await.expect(200);
    let before = app.snapshot(&w.id_refs()).await;

    for (method, path, body) in w.writes() {
        let valid = body.to_string();
        let malformed = [
            valid[..valid.len() - 1].to_owned(),
            valid.replace('"', "'"),
            format!("{valid},"),
            "not json".to_owned(),
            String::new(),
        ];
        for text in malformed {
            let reply = app
                .send_raw(&w.client, method.clone(), &path, text.clone())
                .await;
            assert_eq!(
                reply.status, 400,
                "{method} {path} with {text:?}: {}",
                reply.text
            );
            reply.expect_error(400, "bad_request", None);
        }
    }

    assert_eq!(
        app.snapshot(&w.id_refs()).await,
        before,
        "malformed bodies changed nothing"
    );
    assert_eq!(
        app.get(&w.client, "/api/me").await.expect(200),
        me,
        "still the same guest"
    );
}

async fn well_formed_json_with_wrong_or_missing_fields_is_invalid(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let me = app.get(&w.client, "/api/me").await.expect(200);
    let before = app.snapshot(&w.id_refs()).await;
    let paths: Vec<(Method, String)> = w.writes().into_iter().map(|(m, p, _)| (m, p)).collect();
    let named = [
        json!({}),
        json!({ "name": 5 }),
        json!({ "name": null }),
        json!({ "nom": "Ada" }),
        json!([]),
        json!("Ada"),
    ];
    let beings = [
        json!({ "name": "Robo" }),
        json!({ "kind": "bot" }),
        json!({ "kind": 1, "name": "Robo" }),
        json!({ "kind": "bot", "name": ["Robo"] }),
        json!({ "kind": "bot", "name": "Robo", "location_id": 5 }),
        json!([]),
    ];
    let renames = [
        json!({ "name": 5 }),
        json!({ "location_id": 5 }),
        json!({ "location_id": [] }),
        json!([]),
    ];
    let contents = [
        json!({}),
        json!({ "content": 5 }),
        json!({ "content": null }),
        json!({ "text": "hi" }),
        json!([]),
    ];
    let cases: [&[Value]; 6] = [&named, &named, &beings, &renames, &contents, &contents];

    for ((method, path), bodies) in paths.iter().zip(cases) {
        for body in bodies {
            let reply = app
                .send_raw(&w.client, method.clone(), path, body.to_string())
                .await;
            assert_eq!(
                reply.status, 422,
                "{method} {path} with {body}: {}",
                reply.text
            );
            reply.expect_error(422, "invalid", None);
        }
    }

    assert_eq!(
        app.snapshot(&w.id_refs()).await,
        before,
        "invalid bodies changed nothing"
    );
    assert_eq!(
        app.get(&w.client, "/api/me").await.expect(200),
        me,
        "still the same guest"
    );
}

async fn path_ids_that_are_not_uuids_are_bad_requests_on_every_route(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let before = app.snapshot(&w.id_refs()).await;

    for bad in ["lobby", "42", "00000000-0000-7000-8000-00000000000z"] {
        let routes = [
            (Method::GET, format!("/api/beings/{bad}"), None),
            (
                Method::PATCH,
                format!("/api/beings/{bad}"),
                Some(json!({ "name": "x" })),
            ),
            (Method::DELETE, format!("/api/beings/{bad}"), None),
            (Method::GET, format!("/api/spaces/{bad}/beings"), None),
            (Method::GET, format!("/api/spaces/{bad}/intentions"), None),
            (
                Method::POST,
                format!("/api/spaces/{bad}/intentions"),
                Some(json!({ "content": "hi" })),
            ),
            (
                Method::PATCH,
                format!("/api/intentions/{bad}"),
                Some(json!({ "content": "hi" })),
            ),
            (Method::DELETE, format!("/api/intentions/{bad}"), None),
        ];
        for (method, path, body) in routes {
            let text = body.map(|b| b.to_string()).unwrap_or_default();
            let request = w.client.request(method.clone(), app.url(&path));
            let request = if text.is_empty() {
                request
            } else {
                request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(text)
            };
            let reply = crate::helpers::send(request).await;
            assert_eq!(reply.status, 400, "{method} {path}: {}", reply.text);
            reply.expect_error(400, "bad_request", None);
        }
        app.being(bad)
            .await
            .expect_error(400, "bad_request", Some("id"));
    }

    assert_eq!(
        app.snapshot(&w.id_refs()).await,
        before,
        "refused requests changed nothing"
    );
}
