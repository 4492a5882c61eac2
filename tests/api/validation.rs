//! The rules for names (1–64 characters after trimming) and content (1–4000 characters),
//! checked on every route that takes them.

use reqwest::Client;
use serde_json::{Value, json};

use crate::helpers::{Backend, LOBBY_ID, Reply, TestApp, id_of, on_both_backends, spawn_app};

on_both_backends!(
    empty_or_whitespace_only_names_are_invalid_everywhere,
    names_longer_than_64_characters_are_invalid_everywhere,
    names_of_64_characters_or_64_emoji_are_accepted_everywhere,
    names_are_trimmed_of_surrounding_whitespace_everywhere,
    empty_or_whitespace_only_content_is_invalid,
    content_longer_than_4000_characters_is_invalid,
    content_of_4000_characters_or_4000_emoji_is_accepted,
);

/// Every route that takes a name.
#[derive(Debug, Clone, Copy)]
enum NameRoute {
    SignIn,
    CreateSpace,
    CreateBeing,
    Rename,
}

const NAME_ROUTES: [NameRoute; 4] = [
    NameRoute::SignIn,
    NameRoute::CreateSpace,
    NameRoute::CreateBeing,
    NameRoute::Rename,
];

/// A signed-in guest and a bot of theirs to rename.
struct Setup {
    client: Client,
    bot: Value,
}

async fn setup(app: &TestApp) -> Setup {
    let (client, _) = app.guest("Ada").await;
    let bot = app
        .create_being(&client, "bot", "Helper", Some(LOBBY_ID))
        .await;
    Setup { client, bot }
}

/// Sends `name` to `route`. Sign-in uses a fresh client so a success does not sign Ada out.
async fn send_name(app: &TestApp, setup: &Setup, route: NameRoute, name: &str) -> Reply {
    match route {
        NameRoute::SignIn => {
            app.post(&app.client(), "/api/session", &json!({ "name": name }))
                .await
        }
        NameRoute::CreateSpace => {
            app.post(&setup.client, "/api/spaces", &json!({ "name": name }))
                .await
        }
        NameRoute::CreateBeing => {
            let body = json!({ "kind": "document", "name": name, "location_id": LOBBY_ID });
            app.post(&setup.client, "/api/beings", &body).await
        }
        NameRoute::Rename => {
            let path = format!("/api/beings/{}", id_of(&setup.bot));
            app.patch(&setup.client, &path, &json!({ "name": name }))
                .await
        }
    }
}

/// The being a successful name route answers with.
fn being_of(route: NameRoute, reply: Reply) -> Value {
    match route {
        NameRoute::SignIn => reply.expect(200)["being"].clone(),
        NameRoute::CreateSpace | NameRoute::CreateBeing => reply.expect(201),
        NameRoute::Rename => reply.expect(200),
    }
}

async fn assert_names_refused(app: &TestApp, names: &[String]) {
    let setup = setup(app).await;
    let bot_id = id_of(&setup.bot);
    let before = app.snapshot(&[bot_id.as_str()]).await;

    for route in NAME_ROUTES {
        for name in names {
            let reply = send_name(app, &setup, route, name).await;
            assert_eq!(
                reply.status, 422,
                "{route:?} with name {name:?}: {}",
                reply.text
            );
            reply.expect_error(422, "invalid", Some("name"));
        }
    }

    assert_eq!(
        app.snapshot(&[bot_id.as_str()]).await,
        before,
        "refused names changed nothing"
    );
}

async fn assert_names_accepted(app: &TestApp, cases: &[(String, String)]) {
    let setup = setup(app).await;
    for route in NAME_ROUTES {
        for (sent, stored) in cases {
            let being = being_of(route, send_name(app, &setup, route, sent).await);
            assert_eq!(
                being["name"],
                stored.as_str(),
                "{route:?} with name {sent:?}"
            );
            let read = app.being(&id_of(&being)).await.expect(200);
            assert_eq!(read, being, "{route:?}: the name is stored as returned");
        }
    }
}

async fn empty_or_whitespace_only_names_are_invalid_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let names: Vec<String> = ["", " ", "    ", "\t", "\n", " \t\r\n "]
        .map(String::from)
        .to_vec();

    assert_names_refused(&app, &names).await;
}

async fn names_longer_than_64_characters_are_invalid_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let names = vec![
        "a".repeat(65),
        "é".repeat(65),
        "😀".repeat(65),
        format!("  {}  ", "a".repeat(65)),
        format!("{} {}", "a".repeat(32), "b".repeat(32)),
    ];

    assert_names_refused(&app, &names).await;
}

async fn names_of_64_characters_or_64_emoji_are_accepted_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases: Vec<(String, String)> = [
        "a".repeat(64),
        "é".repeat(64),
        "😀".repeat(64),
        "x".to_owned(),
    ]
    .into_iter()
    .map(|name| (name.clone(), name))
    .collect();

    assert_names_accepted(&app, &cases).await;
}

async fn names_are_trimmed_of_surrounding_whitespace_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = vec![
        ("  Ada  ".to_owned(), "Ada".to_owned()),
        ("\tAda Lovelace\n".to_owned(), "Ada Lovelace".to_owned()),
        (format!("   {}   ", "b".repeat(64)), "b".repeat(64)),
    ];

    assert_names_accepted(&app, &cases).await;
}

/// Tries each content on posting (with and without a chosen id) and on editing; all must be
/// refused with 422 on `content`, and nothing may change.
async fn assert_content_refused(app: &TestApp, contents: &[String]) {
    let (ada, _) = app.guest("Ada").await;
    let said = app.post_intention(&ada, LOBBY_ID, "original").await;
    let before = app.snapshot(&[]).await;

    for content in contents {
        let posted = app
            .post(
                &ada,
                &format!("/api/spaces/{LOBBY_ID}/intentions"),
                &json!({ "content": content }),
            )
            .await;
        posted.expect_error(422, "invalid", Some("content"));
        let with_id = json!({ "id": uuid::Uuid::now_v7().to_string(), "content": content });
        let posted = app
            .post(
                &ada,
                &format!("/api/spaces/{LOBBY_ID}/intentions"),
                &with_id,
            )
            .await;
        posted.expect_error(422, "invalid", Some("content"));
        let edited = app
            .patch(
                &ada,
                &format!("/api/intentions/{}", id_of(&said)),
                &json!({ "content": content }),
            )
            .await;
        edited.expect_error(422, "invalid", Some("content"));
    }

    assert_eq!(
        app.snapshot(&[]).await,
        before,
        "refused content changed nothing"
    );
    assert_eq!(app.intentions(LOBBY_ID).await, vec![said]);
}

async fn empty_or_whitespace_only_content_is_invalid(backend: Backend) {
    let app = spawn_app(backend).await;
    let contents: Vec<String> = ["", " ", "   \n\n\t  ", "\r\n"].map(String::from).to_vec();

    assert_content_refused(&app, &contents).await;
}

async fn content_longer_than_4000_characters_is_invalid(backend: Backend) {
    let app = spawn_app(backend).await;
    let contents = vec![
        "a".repeat(4001),
        "😀".repeat(4001),
        format!("{}\n{}", "a".repeat(2000), "b".repeat(2000)),
    ];

    assert_content_refused(&app, &contents).await;
}

async fn content_of_4000_characters_or_4000_emoji_is_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let original = app.post_intention(&ada, LOBBY_ID, "original").await;

    let mut expected = vec![];
    for content in ["a".repeat(4000), "😀".repeat(4000), "x".to_owned()] {
        let said = app.post_intention(&ada, LOBBY_ID, &content).await;
        assert_eq!(
            said["content"],
            content.as_str(),
            "content is stored exactly"
        );
        expected.insert(0, said);
    }
    let path = format!("/api/intentions/{}", id_of(&original));
    let long = "é".repeat(4000);
    let edited = app
        .patch(&ada, &path, &json!({ "content": long }))
        .await
        .expect(200);
    assert_eq!(edited["content"], long.as_str());
    expected.push(edited);

    assert_eq!(app.intentions(LOBBY_ID).await, expected);
}
