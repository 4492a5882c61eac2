//! Answering through a webhook: `POST url` with the wake (the message, its author, the space,
//! recent context), signed `X-Rhizom-Signature: v1=<hex HMAC-SHA256 of "timestamp.body">`
//! under the bot's signing secret. `200` with `{"content"}` (or a text body) is the bot's
//! reply; `202`/`204` means the bot answers by itself. A timeout, a `5xx` (or `408`, `429`) or
//! a broken connection is tried again after `bot-retry-ms` (the same delivery id), across
//! restarts; after the last try, or on another `4xx`, the space is told the bot could not
//! answer.

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::reply;
use super::{finish, wakes};
use crate::model::{ApiError, Being, IntentionKind, Timestamp};
use crate::server::db::{beings as db_beings, bots, intentions as db_intentions};
use crate::server::ops;
use crate::server::ops::intentions::NewIntention;
use crate::server::state::AppState;

/// How many of the space's latest messages go with a delivery.
const CONTEXT: u32 = 10;
/// The most of an answer that is read.
const ANSWER_MAX: usize = 64 * 1024;

/// `v1=<hex HMAC-SHA256 of "timestamp.body">` under `secret`.
pub(crate) fn signature(secret: &str, timestamp: u64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("v1={hex}")
}

/// What became of one try.
enum Outcome {
    /// The answer to post as the bot's reply (`None`: it answers by itself).
    Answered(Option<String>),
    /// Worth another try (a timeout, `5xx`, `408`, `429`, a broken connection).
    Again(String),
    /// Not worth another (another `4xx`).
    Refused(String),
}

pub(super) async fn deliver(
    state: &AppState,
    wake: &wakes::WakeRow,
    bot: &Being,
    row: &bots::BotRow,
    url: &str,
) -> Result<(), ApiError> {
    let attempts = wake.attempts + 1;
    let Some(body) = delivery(state, wake, bot).await? else {
        return finish(state, wake, None, attempts).await;
    };
    if let Some(why) = state.bots.refused(url) {
        reply::cannot_answer(
            state,
            bot,
            wake,
            "its webhook's address is not allowed here",
        )
        .await?;
        return finish(state, wake, Some(&why), attempts).await;
    }
    let secret = row.signing_secret.as_deref().unwrap_or_default();
    let outcome = try_once(state, url, wake, secret, &body).await;
    match outcome {
        Outcome::Answered(Some(content)) => {
            let content = reply::fitted(&content);
            let posted = ops::intentions::post(
                state,
                bot,
                wake.space_id,
                NewIntention {
                    id: Some(wake.id),
                    content: &content,
                    reply_to: Some(wake.message_id),
                    ..Default::default()
                },
            )
            .await;
            let failed = posted
                .err()
                .map(|e| format!("the answer could not be posted: {}", e.message));
            if failed.is_some() {
                reply::cannot_answer(state, bot, wake, "its answer could not be posted").await?;
            }
            finish(state, wake, failed.as_deref(), attempts).await
        }
        Outcome::Answered(None) => finish(state, wake, None, attempts).await,
        Outcome::Again(why) => {
            let Some(wait) = state.bots.retries.get(wake.attempts as usize) else {
                reply::cannot_answer(state, bot, wake, "its webhook did not answer").await?;
                return finish(state, wake, Some(&why), attempts).await;
            };
            let now = Timestamp::now();
            let next_at = Timestamp(now.0 + wait.as_micros() as i64);
            let mut tx = state.db.begin().await?;
            let node = state.bots.node;
            wakes::retry(tx.exec(), wake.id, node, attempts, next_at, &why, now).await?;
            tx.commit().await?;
            tracing::info!(wake = %wake.id, attempts, "a webhook delivery will be tried again");
            Ok(())
        }
        Outcome::Refused(why) => {
            reply::cannot_answer(state, bot, wake, "its webhook refused the message").await?;
            finish(state, wake, Some(&why), attempts).await
        }
    }
}

/// The delivery's body; `None` when the waking message is gone.
async fn delivery(
    state: &AppState,
    wake: &wakes::WakeRow,
    bot: &Being,
) -> Result<Option<String>, ApiError> {
    let mut conn = state.db.reader().await?;
    let Some(message) = db_intentions::get(conn.exec(), wake.message_id).await? else {
        return Ok(None);
    };
    let author = db_beings::get(conn.exec(), wake.author_id).await?;
    let space = db_beings::get(conn.exec(), wake.space_id).await?;
    let before = (message.created_at, message.id);
    let mut context =
        db_intentions::page(conn.exec(), wake.space_id, Some(before), CONTEXT).await?;
    context.retain(|m| m.kind == IntentionKind::Utterance);
    context.reverse();
    let body = json!({
        "type": "message",
        "delivery": wake.id,
        "bot": { "id": bot.id, "name": bot.name },
        "space": space.map(|s| json!({ "id": s.id, "name": s.name })),
        "message": message,
        "author": author,
        "context": context,
    });
    Ok(Some(body.to_string()))
}

async fn try_once(
    state: &AppState,
    url: &str,
    wake: &wakes::WakeRow,
    secret: &str,
    body: &str,
) -> Outcome {
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let call = state
        .bots
        .http
        .post(url)
        .timeout(state.bots.webhook_timeout)
        .header("content-type", "application/json")
        .header("x-rhizom-delivery", wake.id.to_string())
        .header("x-rhizom-timestamp", timestamp.to_string())
        .header("x-rhizom-signature", signature(secret, timestamp, body))
        .body(body.to_owned());
    let response = match call.send().await {
        Ok(response) => response,
        Err(error) if error.is_timeout() => return Outcome::Again("no answer in time".to_owned()),
        Err(error) => return Outcome::Again(format!("could not be reached: {error}")),
    };
    let status = response.status();
    if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
        return Outcome::Again(format!("answered {status}"));
    }
    if !status.is_success() {
        return Outcome::Refused(format!("answered {status}"));
    }
    if status.as_u16() != 200 {
        return Outcome::Answered(None);
    }
    let json = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/json"));
    let answer = match read_at_most(response, ANSWER_MAX).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(error) => return Outcome::Again(format!("its answer broke off: {error}")),
    };
    let content = if json {
        serde_json::from_str::<Value>(&answer)
            .ok()
            .and_then(|v| v["content"].as_str().map(str::to_owned))
    } else {
        Some(answer)
    };
    Outcome::Answered(content.filter(|c| !c.trim().is_empty()))
}

/// The first `max` bytes of a body; the rest is never read.
pub(super) async fn read_at_most(
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while body.len() < max
        && let Some(chunk) = response.chunk().await?
    {
        body.extend_from_slice(&chunk);
    }
    body.truncate(max);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_the_timestamp_and_the_body() {
        // Worked out independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature("whsec_test", 1_700_000_000, r#"{"a":1}"#),
            "v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }
}
