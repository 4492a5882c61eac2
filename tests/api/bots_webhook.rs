//! Bots answered by a signed webhook (docs/API.md, "Bots"): the signature verifies with the
//! secret shown once; a webhook that fails twice and then answers gets the same delivery three
//! times and the space one reply; one that never answers ends in a visible error after the
//! retries; a delivery waiting for its next try survives a restart.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::bots_model::wakes_once_ended;
use crate::helpers::{Backend, TestApp, id_of, on_both_backends, spawn_app_with};
use crate::sse::WAIT;

on_both_backends!(
    a_webhook_that_fails_twice_then_answers_is_delivered_three_times_and_answers_once,
    a_webhook_that_never_answers_ends_in_a_visible_error,
    a_delivery_waiting_for_its_next_try_survives_a_restart,
    a_bot_removed_from_its_space_is_not_called_and_its_wake_ends,
    a_bot_may_call_only_public_addresses_unless_the_operator_allows,
);

/// One delivery the receiver got, and whether its signature held.
#[derive(Clone, Debug)]
struct Delivery {
    id: String,
    signature_holds: bool,
    body: Value,
}

#[derive(Clone, Default)]
struct Receiver {
    secret: Arc<Mutex<String>>,
    got: Arc<Mutex<Vec<Delivery>>>,
    /// Answers to give, in order; after the last, the last again.
    answers: Arc<Mutex<Vec<(u16, String)>>>,
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let secret = receiver.secret.lock().unwrap().clone();
    // The check a bot author writes (docs/API.md): HMAC-SHA256 of "timestamp.body".
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{}.", text("x-rhizom-timestamp")).as_bytes());
    mac.update(&body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    receiver.got.lock().unwrap().push(Delivery {
        id: text("x-rhizom-delivery"),
        signature_holds: text("x-rhizom-signature") == format!("v1={expected}"),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let mut answers = receiver.answers.lock().unwrap();
    let (status, answer) = if answers.len() > 1 {
        answers.remove(0)
    } else {
        answers[0].clone()
    };
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        answer,
    )
}

async fn start_receiver(answers: Vec<(u16, String)>) -> (String, Receiver) {
    let receiver = Receiver {
        answers: Arc::new(Mutex::new(answers)),
        ..Receiver::default()
    };
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, receiver)
}

/// Ada's space and her webhook bot; the receiver learns the signing secret from the answer.
async fn webhook_bot(
    app: &TestApp,
    url: &str,
    receiver: &Receiver,
) -> (reqwest::Client, String, String) {
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Porch").await);
    let bot = app
        .post(
            &ada,
            "/api/beings",
            &json!({ "kind": "bot", "name": "Hook", "location_id": space,
                     "bot": { "engine": { "type": "webhook", "url": url } } }),
        )
        .await
        .expect(201);
    let secret = bot["bot"]["signing_secret"]
        .as_str()
        .expect("shown once")
        .to_owned();
    *receiver.secret.lock().unwrap() = secret;
    // Never again.
    let again = app
        .get(&ada, &format!("/api/beings/{}", id_of(&bot)))
        .await
        .expect(200);
    assert!(again["bot"].get("signing_secret").is_none(), "{again}");
    (ada, space, id_of(&bot))
}

async fn bot_messages(app: &TestApp, space: &str, bot: &str) -> Vec<Value> {
    app.intentions(space)
        .await
        .into_iter()
        .filter(|m| m["owner_id"] == bot)
        .collect()
}

/// Waits until `check` holds of the bot's messages in the space.
async fn until(
    app: &TestApp,
    space: &str,
    bot: &str,
    check: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + WAIT * 2;
    loop {
        let said = bot_messages(app, space, bot).await;
        if check(&said) {
            return said;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never came: {said:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_webhook_that_fails_twice_then_answers_is_delivered_three_times_and_answers_once(
    backend: Backend,
) {
    let answer = json!({ "content": "hello from the hook" }).to_string();
    let (url, receiver) =
        start_receiver(vec![(500, "{}".into()), (503, "{}".into()), (200, answer)]).await;
    let app = spawn_app_with(backend, |config| config.bot_retry_ms = vec![50, 50, 50]).await;
    let (ada, space, bot) = webhook_bot(&app, &url, &receiver).await;
    let said = app.post_intention(&ada, &space, "ring the bell").await;
    let replies = until(&app, &space, &bot, |r| !r.is_empty()).await;
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0]["content"], "hello from the hook");
    assert_eq!(replies[0]["reply_to"], said["id"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = receiver.got.lock().unwrap().clone();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got.iter().all(|d| d.id == got[0].id),
        "one delivery id: {got:?}"
    );
    assert!(
        got.iter().all(|d| d.signature_holds),
        "every signature holds"
    );
    let body = &got[0].body;
    assert_eq!(body["type"], "message");
    assert_eq!(body["delivery"], got[0].id.as_str());
    assert_eq!(body["message"]["content"], "ring the bell");
    assert_eq!(body["author"]["name"], "Ada");
    assert_eq!(body["space"]["id"], space.as_str());
    // The owner sees the delivery's history.
    let wakes = wakes_once_ended(&app, &ada, &bot).await;
    assert_eq!(wakes[0]["state"], "done");
    assert_eq!(wakes[0]["attempts"], 3);
    assert_eq!(
        bot_messages(&app, &space, &bot).await.len(),
        1,
        "still one reply"
    );
}

async fn a_webhook_that_never_answers_ends_in_a_visible_error(backend: Backend) {
    let (url, receiver) = start_receiver(vec![(500, "{}".into())]).await;
    let app = spawn_app_with(backend, |config| config.bot_retry_ms = vec![50, 50]).await;
    let (ada, space, bot) = webhook_bot(&app, &url, &receiver).await;
    app.post_intention(&ada, &space, "anyone?").await;
    let replies = until(&app, &space, &bot, |r| !r.is_empty()).await;
    assert_eq!(replies[0]["kind"], "error");
    assert_eq!(replies[0]["state"], "failed");
    assert_eq!(
        replies[0]["content"],
        "Hook could not answer: its webhook did not answer"
    );
    assert_eq!(
        receiver.got.lock().unwrap().len(),
        3,
        "the first try and two more"
    );
    let wakes = wakes_once_ended(&app, &ada, &bot).await;
    assert_eq!(wakes[0]["state"], "failed");
    assert!(wakes[0]["last_error"].as_str().unwrap().contains("500"));
}

async fn a_delivery_waiting_for_its_next_try_survives_a_restart(backend: Backend) {
    let answer = json!({ "content": "late but here" }).to_string();
    let (url, receiver) = start_receiver(vec![(500, "{}".into()), (200, answer)]).await;
    // The next try is due long after the restart begins: it is the database that keeps it.
    let app = spawn_app_with(backend, |config| config.bot_retry_ms = vec![1500]).await;
    let (ada, space, bot) = webhook_bot(&app, &url, &receiver).await;
    app.post_intention(&ada, &space, "knock knock").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while receiver.got.lock().unwrap().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no first try");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let app = app.restart(|config| config.bot_retry_ms = vec![1500]).await;
    let replies = until(&app, &space, &bot, |r| !r.is_empty()).await;
    assert_eq!(replies[0]["content"], "late but here");
    let got = receiver.got.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].id, got[1].id);
}

async fn a_bot_removed_from_its_space_is_not_called_and_its_wake_ends(backend: Backend) {
    let (url, receiver) = start_receiver(vec![(400, "{}".into())]).await;
    let app = spawn_app_with(backend, |config| config.bot_retry_ms = vec![50]).await;
    let (ada, space, bot) = webhook_bot(&app, &url, &receiver).await;
    let (bob, _) = app.guest("Bob").await;
    app.patch(
        &bob,
        &format!(
            "/api/beings/{}",
            id_of(&app.get(&bob, "/api/me").await.expect(200)["being"])
        ),
        &json!({ "location_id": space }),
    )
    .await
    .expect(200);
    app.delete(&ada, &format!("/api/spaces/{space}/beings/{bot}"))
        .await
        .expect_no_content();
    app.post_intention(&bob, &space, "is anyone there?").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        receiver.got.lock().unwrap().is_empty(),
        "a bot that left is not called"
    );
    // Its wakes (if any were recorded) all ended.
    let wakes = wakes_once_ended(&app, &ada, &bot).await;
    assert!(
        wakes
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["state"] != "running" && w["state"] != "pending"),
        "{wakes}"
    );
}

async fn a_bot_may_call_only_public_addresses_unless_the_operator_allows(backend: Backend) {
    let app = spawn_app_with(backend, |config| config.bot_private_addresses = false).await;
    let (ada, _) = app.guest("Ada").await;
    for (engine, field) in [
        (
            json!({ "type": "webhook", "url": "http://127.0.0.1:9/hook" }),
            "url",
        ),
        (
            json!({ "type": "webhook", "url": "http://169.254.169.254/latest" }),
            "url",
        ),
        (
            json!({ "type": "openai", "base_url": "http://10.0.0.5/v1", "model": "m", "system_prompt": "" }),
            "base_url",
        ),
    ] {
        app.post(
            &ada,
            "/api/beings",
            &json!({ "kind": "bot", "name": "Sneaky", "bot": { "engine": engine } }),
        )
        .await
        .expect_error(422, "invalid", Some(field));
    }
}
