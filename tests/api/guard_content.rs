//! Both engines equal (docs/SECURITY.md, "What is accepted"): control characters and NULs in a
//! message and spoofing characters in a name are a 422 on SQLite and PostgreSQL alike; racing
//! moves never put two spaces inside each other; writes that race a delete are a 409 or a 404,
//! never a 500.

use serde_json::json;

use crate::guard_body::server_fn_path;
use crate::helpers::{Backend, TestApp, id_of, on_both_backends, send, spawn_app};

on_both_backends!(
    a_nul_or_another_control_character_in_a_message_is_422,
    a_name_that_spoofs_another_is_422,
    racing_moves_never_make_a_cycle,
    a_post_that_races_the_deletion_of_its_space_is_never_a_500,
    a_server_function_given_arguments_it_cannot_read_is_400,
);

async fn a_nul_or_another_control_character_in_a_message_is_422(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    let path = format!("/api/spaces/{space}/intentions");
    for bad in ["nul \u{0} byte", "bell \u{7}", "escape \u{1b}[31m red"] {
        app.post(&ada, &path, &json!({ "content": bad }))
            .await
            .expect_error(422, "invalid", Some("content"));
    }
    let said = app.post_intention(&ada, &space, "tabs\tand\r\nlines").await;
    app.patch(
        &ada,
        &format!("/api/intentions/{}", id_of(&said)),
        &json!({ "content": "\u{0}" }),
    )
    .await
    .expect_error(422, "invalid", Some("content"));
    assert_eq!(
        app.intentions(&space).await,
        vec![said],
        "nothing else was stored"
    );
}

async fn a_name_that_spoofs_another_is_422(backend: Backend) {
    let app = spawn_app(backend).await;
    for bad in ["Ada\u{202e}", "A\u{200b}da", "\u{2066}Ada", "nul\u{0}"] {
        app.post(&app.client(), "/api/session", &json!({ "name": bad }))
            .await
            .expect_error(422, "invalid", Some("name"));
    }
    let (ada, _) = app.guest("Ada").await;
    app.post(&ada, "/api/spaces", &json!({ "name": "Gar\u{200f}den" }))
        .await
        .expect_error(422, "invalid", Some("name"));
    app.guest("\u{1f469}\u{200d}\u{1f4bb} Grace").await;
}

async fn move_into(app: &TestApp, client: &reqwest::Client, id: &str, into: Option<&str>) -> u16 {
    app.patch(
        client,
        &format!("/api/beings/{id}"),
        &json!({ "location_id": into }),
    )
    .await
    .status
}

async fn racing_moves_never_make_a_cycle(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let a = id_of(&app.create_space(&ada, "A").await);
    let b = id_of(&app.create_space(&ada, "B").await);
    for round in 0..25 {
        let (ab, ba) = tokio::join!(
            move_into(&app, &ada, &a, Some(&b)),
            move_into(&app, &ada, &b, Some(&a))
        );
        assert!(
            matches!((ab, ba), (200, 422) | (422, 200)),
            "round {round}: exactly one move may win, got {ab} and {ba}"
        );
        let (a_now, b_now) = (
            app.being(&a).await.expect(200),
            app.being(&b).await.expect(200),
        );
        assert!(
            !(a_now["location_id"] == b.as_str() && b_now["location_id"] == a.as_str()),
            "round {round}: two spaces inside each other"
        );
        move_into(&app, &ada, &a, None).await;
        move_into(&app, &ada, &b, None).await;
    }
}

async fn a_post_that_races_the_deletion_of_its_space_is_never_a_500(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    for round in 0..15 {
        let space = id_of(&app.create_space(&ada, &format!("Brief {round}")).await);
        let path = format!("/api/spaces/{space}/intentions");
        let body = json!({ "content": "quick" });
        let space_path = format!("/api/beings/{space}");
        let (posted, deleted) =
            tokio::join!(app.post(&ada, &path, &body), app.delete(&ada, &space_path));
        assert_eq!(deleted.status, 204, "{}", deleted.text);
        assert!(
            matches!(posted.status, 201 | 404 | 409),
            "round {round}: {} {}",
            posted.status,
            posted.text
        );
    }
}

async fn a_server_function_given_arguments_it_cannot_read_is_400(backend: Backend) {
    let app = spawn_app(backend).await;
    let join = server_fn_path(&app, "/", "join").await;
    let request = app
        .anon
        .post(app.url(&join))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("nom=Ada");
    let reply = send(request).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(reply.body["code"], "bad_request", "{}", reply.text);
}
