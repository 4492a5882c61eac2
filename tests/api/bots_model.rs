//! Bots answered by a model (docs/API.md, "Bots"), against a local server that speaks the
//! OpenAI streaming format (`model_server`): a person's message wakes the bot, its reply
//! appears as a draft, grows while active and completes; the request carried the prompt, the
//! history and the key; a refusal and a stall end the reply failed with a reason; a restart
//! mid-reply ends it "interrupted" and never answers twice; a bot's own message wakes nobody.

use std::time::Duration;

use reqwest::Client;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, id_of, on_both_backends, spawn_app_with};
use crate::model_server::{ModelServer, Script};
use crate::sse::{Sse, WAIT};

on_both_backends!(
    a_message_wakes_the_bot_and_its_reply_streams_and_completes,
    a_refusal_or_a_stall_ends_the_reply_failed_with_its_reason,
    a_restart_mid_reply_ends_it_interrupted_and_never_answers_twice,
    a_bots_message_wakes_no_bot_and_a_mention_bot_wakes_only_when_named,
    a_reply_stopped_while_it_streams_ends_at_once_with_what_came,
    a_crash_mid_reply_ends_it_interrupted_once_its_lease_runs_out,
    a_reply_it_cannot_save_ends_failed_and_never_stays_running,
);

/// Ada, her space, and her bot answered by `model`.
pub struct Scene {
    pub ada: Client,
    pub space: String,
    pub bot: Value,
}

pub async fn scene(app: &TestApp, model: &ModelServer, wakes_on: &str) -> Scene {
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Study").await);
    let bot = app
        .post(
            &ada,
            "/api/beings",
            &json!({
                "kind": "bot",
                "name": "Echo",
                "location_id": space,
                "bot": {
                    "wakes_on": wakes_on,
                    "engine": {
                        "type": "openai",
                        "base_url": model.base_url(),
                        "model": "test-model",
                        "system_prompt": "You are Echo. Answer briefly.",
                        "api_key": "sk-test-secret",
                        "history": 5,
                    }
                }
            }),
        )
        .await
        .expect(201);
    Scene { ada, space, bot }
}

/// The bot's wakes as its owner sees them, once the newest has ended: a wake ends just after
/// the reply it wrote (its outcome is written next), so a test that saw the reply waits here.
pub async fn wakes_once_ended(app: &TestApp, owner: &Client, bot_id: &str) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let wakes = app
            .get(owner, &format!("/api/beings/{bot_id}/wakes"))
            .await
            .expect(200);
        if !matches!(wakes[0]["state"].as_str(), Some("pending" | "running")) {
            return wakes;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the wake never ended: {wakes}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The bot's reply (a message of the bot's answering another) as the stream shows it: each
/// state it went through (in order, repeats folded), and its last delta.
pub async fn watch_reply(stream: &mut Sse, bot_id: &str, wait: Duration) -> (Vec<String>, Value) {
    let mut states: Vec<String> = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let delta = stream.next_op("intention_upsert", left).await;
        let intention = delta.data["intention"].clone();
        if intention["owner_id"] != bot_id || intention["reply_to"].is_null() {
            continue;
        }
        let state = intention["state"].as_str().unwrap().to_owned();
        if states.last() != Some(&state) {
            states.push(state.clone());
        }
        if state == "complete" || state == "failed" {
            return (states, intention);
        }
    }
}

fn words(text: &str) -> Vec<String> {
    text.split_inclusive(' ').map(str::to_owned).collect()
}

async fn a_message_wakes_the_bot_and_its_reply_streams_and_completes(backend: Backend) {
    let answer = "Hello Ada, this is a reply streamed word by word by the model.";
    let model = ModelServer::start(Script::Stream {
        pieces: words(answer),
        every: Duration::from_millis(80),
    })
    .await;
    let app = spawn_app_with(backend, |_| {}).await;
    // Woken by mentions only, so that the first message is history, not a wake of its own.
    let scene = scene(&app, &model, "mentions").await;
    assert!(
        scene.bot["bot"]["engine"].get("api_key").is_none(),
        "no secret comes back"
    );
    assert_eq!(scene.bot["bot"]["engine"]["api_key_set"], true);
    let mut stream = app.subscribe(&app.anon, &scene.space, None).await;
    stream.until_live().await;
    let earlier = app
        .post_intention(&scene.ada, &scene.space, "first, some context")
        .await;
    let woke = app
        .post_intention(&scene.ada, &scene.space, "@Echo hello bot")
        .await;

    let (states, reply) = watch_reply(&mut stream, &id_of(&scene.bot), WAIT * 3).await;
    assert_eq!(
        states.first().map(String::as_str),
        Some("draft"),
        "{states:?}"
    );
    assert!(
        states.contains(&"active".to_owned()),
        "text grew while active: {states:?}"
    );
    assert_eq!(states.last().map(String::as_str), Some("complete"));
    assert_eq!(reply["content"], answer);
    assert_eq!(
        reply["reply_to"], woke["id"],
        "it answers the message that woke it"
    );
    let said = app.intentions(&scene.space).await;
    assert_eq!(said.len(), 3, "two messages and one reply: {said:?}");

    let asked = model.asked();
    assert_eq!(asked.len(), 1);
    let request = &asked[0];
    assert_eq!(
        request.authorization.as_deref(),
        Some("Bearer sk-test-secret")
    );
    assert_eq!(request.body["model"], "test-model");
    assert_eq!(request.body["stream"], true);
    let messages = request.body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    assert_eq!(messages[0]["content"], "You are Echo. Answer briefly.");
    assert_eq!(messages.last().unwrap()["content"], "Ada: @Echo hello bot");
    assert!(
        messages
            .iter()
            .any(|m| m["content"] == format!("Ada: {}", earlier["content"].as_str().unwrap())),
        "the history went with it: {messages:?}"
    );
}

async fn a_refusal_or_a_stall_ends_the_reply_failed_with_its_reason(backend: Backend) {
    let model = ModelServer::start(Script::Refuse(401, "Incorrect API key provided".into())).await;
    let app = spawn_app_with(backend, |config| config.bot_stall = Duration::from_secs(1)).await;
    let scene = scene(&app, &model, "every_message").await;
    let bot_id = id_of(&scene.bot);
    let mut stream = app.subscribe(&app.anon, &scene.space, None).await;
    stream.until_live().await;
    app.post_intention(&scene.ada, &scene.space, "are you there?")
        .await;
    let (_, reply) = watch_reply(&mut stream, &bot_id, WAIT * 2).await;
    assert_eq!(reply["state"], "failed");
    assert_eq!(
        reply["content"], "the model refused",
        "a short reason for everyone"
    );
    // The owner sees the detail.
    let wakes = wakes_once_ended(&app, &scene.ada, &bot_id).await;
    let detail = wakes[0]["last_error"].as_str().unwrap();
    assert!(
        detail.contains("401") && detail.contains("Incorrect API key"),
        "{detail}"
    );
    let (bob, _) = app.guest("Bob").await;
    app.get(&bob, &format!("/api/beings/{bot_id}/wakes"))
        .await
        .expect_error(403, "forbidden", None);

    // A model that starts, then says nothing more.
    model.answer_with(Script::StallAfter(words("Half an ")));
    app.post_intention(&scene.ada, &scene.space, "and now?")
        .await;
    let (states, reply) = watch_reply(&mut stream, &bot_id, WAIT * 3).await;
    assert_eq!(
        states.last().map(String::as_str),
        Some("failed"),
        "{states:?}"
    );
    let content = reply["content"].as_str().unwrap();
    assert!(
        content.starts_with("Half an"),
        "what came is kept: {content}"
    );
    assert!(content.contains("the model stopped answering"), "{content}");
}

/// How the server goes away mid-reply.
#[derive(Clone, Copy)]
enum Going {
    /// A graceful stop: it hands its wakes back at once.
    Stopped,
    /// Gone without a word: another node takes the wake back when its lease runs out.
    Crashed,
}

/// A reply being written when the server goes: it ends failed "interrupted", and the model is
/// never asked again.
async fn a_reply_interrupted(backend: Backend, going: Going) {
    let model = ModelServer::start(Script::Stream {
        pieces: words(&"slowly ".repeat(200)),
        every: Duration::from_millis(100),
    })
    .await;
    let short_lease =
        |config: &mut rhizom::server::Config| config.bot_lease = Duration::from_secs(1);
    let app = spawn_app_with(backend, short_lease).await;
    let scene = scene(&app, &model, "every_message").await;
    let bot_id = id_of(&scene.bot);
    let mut stream = app.subscribe(&app.anon, &scene.space, None).await;
    stream.until_live().await;
    app.post_intention(&scene.ada, &scene.space, "tell me a long story")
        .await;
    loop {
        let delta = stream.next_op("intention_upsert", WAIT).await;
        let intention = &delta.data["intention"];
        if intention["owner_id"] == bot_id && intention["state"] == "active" {
            break;
        }
    }
    drop(stream);
    let app = match going {
        Going::Stopped => app.restart(short_lease).await,
        Going::Crashed => app.crash_and_restart(short_lease).await,
    };
    let deadline = tokio::time::Instant::now() + WAIT;
    let reply = loop {
        let said = app.intentions(&scene.space).await;
        let replies: Vec<_> = said
            .into_iter()
            .filter(|m| m["owner_id"] == bot_id)
            .collect();
        assert_eq!(replies.len(), 1, "answered once: {replies:?}");
        if replies[0]["state"] == "failed" {
            break replies[0].clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still {}",
            replies[0]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        reply["content"]
            .as_str()
            .unwrap()
            .ends_with("(interrupted)"),
        "{reply}"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(model.asked().len(), 1, "the model was asked once");
    let wakes = wakes_once_ended(&app, &scene.ada, &bot_id).await;
    assert_eq!(wakes[0]["state"], "failed");
}

async fn a_restart_mid_reply_ends_it_interrupted_and_never_answers_twice(backend: Backend) {
    a_reply_interrupted(backend, Going::Stopped).await;
}

async fn a_crash_mid_reply_ends_it_interrupted_once_its_lease_runs_out(backend: Backend) {
    a_reply_interrupted(backend, Going::Crashed).await;
}

async fn a_bots_message_wakes_no_bot_and_a_mention_bot_wakes_only_when_named(backend: Backend) {
    let model = ModelServer::start(Script::Stream {
        pieces: words("ok"),
        every: Duration::from_millis(10),
    })
    .await;
    let app = spawn_app_with(backend, |_| {}).await;
    let scene = scene(&app, &model, "mentions").await;
    let bot_id = id_of(&scene.bot);
    let mut stream = app.subscribe(&app.anon, &scene.space, None).await;
    stream.until_live().await;
    app.post_intention(&scene.ada, &scene.space, "nobody named")
        .await;
    // Ada speaking as her bot: a bot's message wakes no bot.
    app.post(
        &scene.ada,
        &format!("/api/spaces/{}/intentions", scene.space),
        &json!({ "content": "@Echo talking to myself", "as": bot_id }),
    )
    .await
    .expect(201);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(model.asked().is_empty(), "nothing woke it");
    app.post_intention(&scene.ada, &scene.space, "hey @echo, answer")
        .await;
    let (_, reply) = watch_reply(&mut stream, &bot_id, WAIT * 2).await;
    assert_eq!(reply["content"], "ok");
    assert_eq!(model.asked().len(), 1);
}

async fn a_reply_stopped_while_it_streams_ends_at_once_with_what_came(backend: Backend) {
    let model = ModelServer::start(Script::Stream {
        pieces: words(&"more ".repeat(100)),
        every: Duration::from_millis(100),
    })
    .await;
    let app = spawn_app_with(backend, |_| {}).await;
    let scene = scene(&app, &model, "every_message").await;
    let bot_id = id_of(&scene.bot);
    let mut stream = app.subscribe(&app.anon, &scene.space, None).await;
    stream.until_live().await;
    app.post_intention(&scene.ada, &scene.space, "go on and on")
        .await;
    let reply = loop {
        let delta = stream.next_op("intention_upsert", WAIT).await;
        let intention = delta.data["intention"].clone();
        if intention["owner_id"] == bot_id && intention["state"] == "active" {
            break intention;
        }
    };
    let stopped = app
        .post(
            &scene.ada,
            &format!("/api/intentions/{}/stop", id_of(&reply)),
            &json!({}),
        )
        .await
        .expect(200);
    assert_eq!(stopped["state"], "complete");
    // Nothing more is written to it: the bot stopped writing at once.
    let later = stream.events_within(Duration::from_millis(800)).await;
    let rewritten = later
        .iter()
        .filter(|e| e.data["intention"]["id"] == reply["id"])
        .filter(|e| e.data["intention"] != stopped)
        .count();
    assert_eq!(rewritten, 0, "{later:?}");
    let kept = app.intentions(&scene.space).await;
    let kept = kept.iter().find(|m| m["id"] == reply["id"]).unwrap();
    assert_eq!(kept["state"], "complete");
    assert!(kept["content"].as_str().unwrap().starts_with("more"));
}

async fn a_reply_it_cannot_save_ends_failed_and_never_stays_running(backend: Backend) {
    // A bell and an escape sequence: no message may hold them. They are left out.
    let model = ModelServer::start(Script::Stream {
        pieces: vec!["ring \u{7}".into(), "\u{1b}[31mred".into()],
        every: Duration::from_millis(10),
    })
    .await;
    let app = spawn_app_with(backend, |_| {}).await;
    let scene = scene(&app, &model, "every_message").await;
    let mut stream = app.subscribe(&app.anon, &scene.space, None).await;
    stream.until_live().await;
    app.post_intention(&scene.ada, &scene.space, "say something odd")
        .await;
    let (_, reply) = watch_reply(&mut stream, &id_of(&scene.bot), WAIT * 2).await;
    assert_eq!(reply["state"], "complete");
    assert_eq!(reply["content"], "ring [31mred");
    let wakes = wakes_once_ended(&app, &scene.ada, &id_of(&scene.bot)).await;
    assert_eq!(wakes[0]["state"], "done", "{wakes}");
}
