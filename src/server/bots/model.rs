//! Answering with a model: `POST {base_url}/chat/completions` with `"stream": true`, the
//! system prompt and the space's latest messages (`Name: text`); the reply grows as the
//! streamed `choices[0].delta.content` arrive, written at most a few times a second, and ends
//! at `data: [DONE]`. A refusal, a bad status, a stall (no byte for `bot-stall-secs`) or a
//! broken connection ends it failed with a short reason; the owner sees the detail on the wake.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::{Instant, timeout};

use super::reply::{self, Written};
use super::webhook::read_at_most;
use super::{finish, wakes};
use crate::model::{ApiError, Being, Content, EngineSettings, IntentionKind, IntentionState};
use crate::server::db::{beings as db_beings, bots, intentions as db_intentions};
use crate::server::ops::bots::DEFAULT_HISTORY;
use crate::server::state::AppState;

/// The fastest a reply's text is written while it streams.
const WRITE_EVERY: Duration = Duration::from_millis(250);
/// The most of an error answer that is read.
const ERROR_BODY_MAX: usize = 8 * 1024;
/// The longest a reply may stream, however steadily the model trickles.
const MAX_REPLY_TIME: Duration = Duration::from_secs(10 * 60);

/// Why a model's answer failed: a short reason for everyone, and the detail for the owner.
struct Failure {
    reason: &'static str,
    detail: String,
}

impl Failure {
    fn new(reason: &'static str, detail: impl Into<String>) -> Failure {
        Failure {
            reason,
            detail: detail.into(),
        }
    }
}

pub(super) async fn answer(
    state: &AppState,
    wake: &wakes::WakeRow,
    bot: &Being,
    row: &bots::BotRow,
    engine: &EngineSettings,
) -> Result<(), ApiError> {
    let EngineSettings::Openai {
        base_url,
        model,
        system_prompt,
        history,
        ..
    } = engine
    else {
        return Err(ApiError::internal());
    };
    let Some(messages) = conversation(
        state,
        wake,
        bot,
        system_prompt,
        history.unwrap_or(DEFAULT_HISTORY),
    )
    .await?
    else {
        // The waking message is gone: nobody is waiting for an answer.
        return finish(state, wake, None, wake.attempts + 1).await;
    };
    if let Some(why) = state.bots.refused(base_url) {
        reply::cannot_answer(state, bot, wake, "its model's address is not allowed here").await?;
        return finish(state, wake, Some(&why), wake.attempts + 1).await;
    }
    let draft = match reply::start(state, bot, wake).await {
        Ok(draft) => draft,
        Err(error) => {
            return finish(state, wake, Some(&error.message), wake.attempts + 1).await;
        }
    };
    let stopped = state.bots.writing(draft.id);
    let request = json!({ "model": model, "stream": true, "messages": messages });
    let mut call = state
        .bots
        .http
        .post(format!("{base_url}/chat/completions"))
        .json(&request);
    if let Some(key) = &row.api_key {
        call = call.bearer_auth(key);
    }
    let outcome = stream_reply(state, bot, draft.id, call, stopped).await;
    state.bots.done_writing(draft.id);
    match outcome {
        // Someone stopped it: the reply is as they left it.
        Ok(Streamed::Stopped) => finish(state, wake, None, wake.attempts + 1).await,
        Ok(Streamed::Finished(text)) => {
            let text = if text.trim().is_empty() {
                "(no answer)"
            } else {
                &text
            };
            reply::write(state, bot, draft.id, text, IntentionState::Complete).await?;
            finish(state, wake, None, wake.attempts + 1).await
        }
        Err((so_far, failure)) => {
            tracing::info!(bot = %bot.id, reason = failure.reason, "a model's reply failed");
            reply::failed(state, bot, draft.id, &so_far, failure.reason).await?;
            let detail = format!("{}: {}", failure.reason, failure.detail);
            finish(state, wake, Some(&detail), wake.attempts + 1).await
        }
    }
}

/// The system prompt and the space's latest messages up to the waking one, oldest first:
/// the bot's own as `assistant`, everyone else's as `user` with `Name: text`. `None` when the
/// waking message is gone.
async fn conversation(
    state: &AppState,
    wake: &wakes::WakeRow,
    bot: &Being,
    system_prompt: &str,
    history: u32,
) -> Result<Option<Vec<Value>>, ApiError> {
    let mut conn = state.db.reader().await?;
    let Some(waking) = db_intentions::get(conn.exec(), wake.message_id).await? else {
        return Ok(None);
    };
    let before = (waking.created_at, waking.id);
    let mut said = db_intentions::page(
        conn.exec(),
        wake.space_id,
        Some(before),
        history.saturating_sub(1),
    )
    .await?;
    said.reverse();
    said.push(waking);
    let mut authors: Vec<_> = said.iter().map(|m| m.owner_id).collect();
    authors.sort_unstable();
    authors.dedup();
    let names = db_beings::get_many(conn.exec(), &authors).await?;
    let name_of = |id| {
        names
            .iter()
            .find(|b| b.id == id)
            .map_or("someone", |b| b.name.as_str())
    };
    let mut messages = vec![json!({ "role": "system", "content": system_prompt })];
    for message in said
        .iter()
        .filter(|m| m.kind == IntentionKind::Utterance && m.state == IntentionState::Complete)
    {
        messages.push(if message.owner_id == bot.id {
            json!({ "role": "assistant", "content": message.content })
        } else {
            json!({ "role": "user", "content": format!("{}: {}", name_of(message.owner_id), message.content) })
        });
    }
    Ok(Some(messages))
}

/// How a streamed reply ended well.
enum Streamed {
    /// The model said all it had to say.
    Finished(String),
    /// Someone stopped the reply: it is written as they left it.
    Stopped,
}

/// Sends the request and writes the reply as it streams; its whole text, or what came before
/// it failed and why.
async fn stream_reply(
    state: &AppState,
    bot: &Being,
    reply_id: uuid::Uuid,
    call: reqwest::RequestBuilder,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> Result<Streamed, (String, Failure)> {
    let stall = state.bots.stall;
    let response = match timeout(stall, call.send()).await {
        Err(_) => {
            return Err((
                String::new(),
                Failure::new("the model did not answer", "no answer in time"),
            ));
        }
        Ok(Err(error)) => {
            return Err((
                String::new(),
                Failure::new("the model could not be reached", error.to_string()),
            ));
        }
        Ok(Ok(response)) => response,
    };
    let status = response.status();
    if !status.is_success() {
        let body = timeout(stall, read_at_most(response, ERROR_BODY_MAX))
            .await
            .ok()
            .and_then(Result::ok);
        let body = body.map(|b| String::from_utf8_lossy(&b).into_owned());
        let message = body
            .as_deref()
            .and_then(|b| serde_json::from_str::<Value>(b).ok())
            .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
            .or(body)
            .unwrap_or_default();
        return Err((
            String::new(),
            Failure::new("the model refused", format!("{status}: {message}")),
        ));
    }
    let mut response = response;
    let mut pending = Vec::new();
    let mut text = String::new();
    let mut written_at = Instant::now();
    let mut written_len = 0;
    let deadline = Instant::now() + MAX_REPLY_TIME;
    loop {
        if Instant::now() > deadline {
            return Err((
                text,
                Failure::new("the model took too long", "past the reply's time"),
            ));
        }
        // What no message can hold is not waited for: the reply is complete, cut.
        if text.chars().count() > Content::MAX_CHARS {
            return Ok(Streamed::Finished(text));
        }
        let chunk = tokio::select! {
            next = timeout(stall, response.chunk()) => next,
            _ = stopped.changed() => return Ok(Streamed::Stopped),
        };
        let bytes = match chunk {
            Err(_) => {
                return Err((
                    text,
                    Failure::new("the model stopped answering", "no byte in time"),
                ));
            }
            Ok(Ok(None)) => {
                // A stream that ends without `[DONE]` was cut, not finished.
                return Err((
                    text,
                    Failure::new(
                        "the connection to the model broke",
                        "it ended before [DONE]",
                    ),
                ));
            }
            Ok(Err(error)) => {
                return Err((
                    text,
                    Failure::new("the connection to the model broke", error.to_string()),
                ));
            }
            Ok(Ok(Some(bytes))) => bytes,
        };
        pending.extend_from_slice(&bytes);
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            match sse_data(line.trim_end()) {
                Some(Data::Done) => return Ok(Streamed::Finished(text)),
                Some(Data::Delta(delta)) => text.push_str(&delta),
                Some(Data::Error(message)) => {
                    return Err((text, Failure::new("the model failed", message)));
                }
                Some(Data::Refusal(why)) => {
                    return Err((text, Failure::new("the model refused", why)));
                }
                None => {}
            }
        }
        if text.len() > written_len && written_at.elapsed() >= WRITE_EVERY {
            match reply::write(state, bot, reply_id, &text, IntentionState::Active).await {
                Ok(Written::Yes) => {}
                Ok(Written::Stopped) => return Ok(Streamed::Stopped),
                Err(error) => {
                    return Err((
                        text,
                        Failure::new("the reply could not be saved", error.message),
                    ));
                }
            }
            written_at = Instant::now();
            written_len = text.len();
        }
    }
}

/// What one line of the stream says.
#[derive(Debug, PartialEq)]
enum Data {
    Delta(String),
    Done,
    Error(String),
    /// The model declined to answer (`delta.refusal`, or a `content_filter` finish).
    Refusal(String),
}

/// A `data:` line of the stream: text (`choices[0].delta.content`), the end, or an error
/// object; other lines (comments, blank lines, chunks without text) say nothing.
fn sse_data(line: &str) -> Option<Data> {
    let data = line.strip_prefix("data:")?.trim_start();
    if data == "[DONE]" {
        return Some(Data::Done);
    }
    let value: Value = serde_json::from_str(data).ok()?;
    if let Some(message) = value["error"]["message"].as_str() {
        return Some(Data::Error(message.to_owned()));
    }
    let choice = &value["choices"][0];
    if let Some(refusal) = choice["delta"]["refusal"].as_str() {
        return Some(Data::Refusal(refusal.to_owned()));
    }
    if choice["finish_reason"] == "content_filter" {
        return Some(Data::Refusal("content filter".to_owned()));
    }
    choice["delta"]["content"]
        .as_str()
        .map(|text| Data::Delta(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_says_text_the_end_or_an_error_and_nothing_else() {
        let chunk = r#"data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}"#;
        assert_eq!(sse_data(chunk), Some(Data::Delta("Hel".into())));
        assert_eq!(sse_data("data: [DONE]"), Some(Data::Done));
        let role_only = r#"data: {"choices":[{"index":0,"delta":{"role":"assistant"}}]}"#;
        assert_eq!(sse_data(role_only), None);
        assert_eq!(sse_data(": keep-alive"), None);
        assert_eq!(sse_data(""), None);
        let error = r#"data: {"error":{"message":"overloaded","type":"server_error"}}"#;
        assert_eq!(sse_data(error), Some(Data::Error("overloaded".into())));
        let refusal =
            r#"data: {"choices":[{"index":0,"delta":{"refusal":"I can't help with that."}}]}"#;
        assert_eq!(
            sse_data(refusal),
            Some(Data::Refusal("I can't help with that.".into()))
        );
        let filtered =
            r#"data: {"choices":[{"index":0,"delta":{},"finish_reason":"content_filter"}]}"#;
        assert_eq!(
            sse_data(filtered),
            Some(Data::Refusal("content filter".into()))
        );
    }
}
