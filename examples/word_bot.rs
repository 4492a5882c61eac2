//! A bot program: it listens to one space as its bot and answers every person's message (a
//! bot's, never), streaming its answer word by word — a draft at once, the text growing while
//! `active`, then `complete`. It follows the space's event stream exactly as the page does,
//! resuming from its last event id when the connection drops, so what was said meanwhile is
//! answered too; it stops when its token is revoked.
//!
//! ```sh
//! # Make a bot with the program engine, and a token for it (docs/API.md, "Bots"), then:
//! RHIZOM_URL=http://localhost:3000 RHIZOM_SPACE=<space id> RHIZOM_TOKEN=rhz_… \
//!   cargo run --example word_bot
//! ```

use std::collections::HashMap;
use std::time::Duration;

use reqwest::Client;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue};
use serde_json::{Value, json};

/// The pause between two words of an answer.
const WORD_EVERY: Duration = Duration::from_millis(100);

fn setting(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name}"))
}

#[tokio::main]
async fn main() {
    // Built with the server's features (as `cargo test` builds it), reqwest speaks TLS through
    // rustls with no crypto provider of its own: name one.
    #[cfg(feature = "ssr")]
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let base = setting("RHIZOM_URL");
    let space = setting("RHIZOM_SPACE");
    let mut headers = HeaderMap::new();
    let token = HeaderValue::from_str(&format!("Bearer {}", setting("RHIZOM_TOKEN")))
        .expect("a token is ASCII");
    headers.insert(AUTHORIZATION, token);
    let client = Client::builder().default_headers(headers).build().unwrap();
    let me: Value = client
        .get(format!("{base}/api/me"))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("the token signs the bot in")
        .json()
        .await
        .unwrap();
    let me = me["being"]["id"].as_str().unwrap().to_owned();
    let mut follow = Follow::default();
    loop {
        match listen(&client, &base, &space, &me, &mut follow).await {
            Err(error) if error.status().is_some_and(|s| s.as_u16() == 401) => {
                eprintln!("the token was revoked; stopping");
                return;
            }
            Err(error) => eprintln!("the stream dropped ({error}); resuming"),
            Ok(Ended::SignedOut) => {
                eprintln!("the token was revoked; stopping");
                return;
            }
            Ok(Ended::Dropped) => eprintln!("the stream ended; resuming"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Where the program is in the space's stream, across reconnects.
#[derive(Default)]
struct Follow {
    last_event_id: Option<String>,
    /// Once live the first time, everything after is new — what a resume replays included.
    live: bool,
    /// Which beings are people (`true`) or bots, as asked.
    people: HashMap<String, bool>,
}

/// How a stream ended.
enum Ended {
    Dropped,
    SignedOut,
}

/// Follows the space's stream until it ends, answering as it goes.
async fn listen(
    client: &Client,
    base: &str,
    space: &str,
    me: &str,
    follow: &mut Follow,
) -> Result<Ended, reqwest::Error> {
    let mut request = client
        .get(format!("{base}/api/spaces/{space}/events"))
        .header(ACCEPT, "text/event-stream");
    if let Some(id) = follow.last_event_id.as_deref() {
        request = request.header("last-event-id", id);
    }
    let mut response = request.send().await?.error_for_status()?;
    let mut pending = String::new();
    let (mut event, mut data) = (String::new(), String::new());
    while let Some(chunk) = response.chunk().await? {
        pending.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = pending.find('\n') {
            let line: String = pending.drain(..=end).collect();
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(value) = line.strip_prefix("id:") {
                follow.last_event_id = Some(value.trim().to_owned());
            } else if let Some(value) = line.strip_prefix("event:") {
                event = value.trim().to_owned();
            } else if let Some(value) = line.strip_prefix("data:") {
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(value.strip_prefix(' ').unwrap_or(value));
            } else if line.is_empty() {
                if event == "signed_out" {
                    return Ok(Ended::SignedOut);
                }
                // What the first catch-up replays was said before the program came: not
                // answered. After that, everything is, resumes included.
                if follow.live && event == "delta" {
                    answer(client, base, space, me, &data, &mut follow.people).await?;
                }
                follow.live |= event == "live";
                event.clear();
                data.clear();
            }
        }
    }
    Ok(Ended::Dropped)
}

/// Answers a person's finished message, word by word.
async fn answer(
    client: &Client,
    base: &str,
    space: &str,
    me: &str,
    data: &str,
    people: &mut HashMap<String, bool>,
) -> Result<(), reqwest::Error> {
    let Ok(delta) = serde_json::from_str::<Value>(data) else {
        return Ok(());
    };
    let message = &delta["intention"];
    let from_someone_else = message["owner_id"]
        .as_str()
        .is_some_and(|owner| owner != me);
    let finished = message["state"] == "complete" && message["kind"] == "utterance";
    let new = message["created_at"] == message["updated_at"];
    if delta["op"] != "intention_upsert" || !from_someone_else || !finished || !new {
        return Ok(());
    }
    // A bot never answers a bot.
    let author = message["owner_id"].as_str().unwrap_or_default().to_owned();
    if !people.contains_key(&author) {
        let being: Value = client
            .get(format!("{base}/api/beings/{author}"))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        people.insert(author.clone(), being["kind"] == "guest");
    }
    if people.get(&author) != Some(&true) {
        return Ok(());
    }
    let said = message["content"].as_str().unwrap_or("");
    let words: Vec<String> = format!("You said: {said}")
        .split_inclusive(' ')
        .map(str::to_owned)
        .collect();
    let draft: Value = client
        .post(format!("{base}/api/spaces/{space}/intentions"))
        .json(&json!({ "content": "…", "state": "draft", "reply_to": message["id"] }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let reply = format!("{base}/api/intentions/{}", draft["id"].as_str().unwrap());
    let mut text = String::new();
    for (index, word) in words.iter().enumerate() {
        text.push_str(word);
        let state = if index + 1 == words.len() {
            "complete"
        } else {
            "active"
        };
        tokio::time::sleep(WORD_EVERY).await;
        let written = client
            .patch(&reply)
            .json(&json!({ "content": text.trim_end(), "state": state }))
            .send()
            .await?;
        // 409: someone stopped the reply; it stays as it is.
        if written.status().as_u16() == 409 {
            return Ok(());
        }
        written.error_for_status()?;
    }
    Ok(())
}
