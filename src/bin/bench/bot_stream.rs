//! `bot-stream`: what a bot's reply streamed by a model costs each subscriber of its space. A
//! local model (speaking the OpenAI streaming format) sends `--tokens` tokens at `--rate` a
//! second; `--subscribers` streams of the space count the deltas and bytes that reach them from
//! the waking message to the reply's completion.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::routing::post;
use serde_json::json;

use crate::http::{HttpConn, RawStream};
use crate::target::Target;

pub const HEADER: &str = "| tokens/s from the model | tokens | reply took s | subscribers | deltas per subscriber | deltas/s per subscriber | bytes/s per subscriber |\n|---|---|---|---|---|---|---|";

/// A model that streams `tokens` one-word tokens at `rate` a second; where it listens.
async fn model(tokens: usize, rate: f64) -> anyhow::Result<String> {
    let every = Duration::from_secs_f64(1.0 / rate);
    let app = Router::new().route(
        "/v1/chat/completions",
        post(move || async move {
            let events = futures_util::stream::unfold(0, move |sent| async move {
                let event = match sent {
                    n if n < tokens => {
                        json!({ "choices": [{ "index": 0, "delta": { "content": "word " } }] })
                            .to_string()
                    }
                    n if n == tokens => "[DONE]".to_owned(),
                    _ => return None,
                };
                tokio::time::sleep(every).await;
                Some((
                    Ok::<_, Infallible>(Bytes::from(format!("data: {event}\n\n"))),
                    sent + 1,
                ))
            });
            axum::response::Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from_stream(events))
                .unwrap()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}/v1"))
}

pub async fn run(
    base: &str,
    tokens: usize,
    rate: f64,
    subscribers: usize,
) -> anyhow::Result<String> {
    let target = Target::rhizom(base).await?;
    let (space, cookie) = target.rhizom_parts().expect("a rhizom target");
    let (space, cookie) = (space.to_owned(), cookie.to_owned());
    let model = model(tokens, rate).await?;
    let mut conn = HttpConn::open(base).await?;
    let bot = json!({
        "kind": "bot", "name": "Streamer", "location_id": space,
        "bot": { "engine": { "type": "openai", "base_url": model, "model": "bench", "system_prompt": "" } }
    });
    let made = conn
        .send_json("POST", "/api/beings", Some(&cookie), &bot)
        .await?;
    anyhow::ensure!(made.status == 201, "the bot was not made: {}", made.status);
    let made: serde_json::Value = serde_json::from_slice(&made.body)?;
    // The reply's last delta: complete, and the bot's (a message's fields come in this order).
    let done = format!(
        "\"state\":\"complete\",\"owner_id\":\"{}\"",
        made["id"].as_str().unwrap_or_default()
    );
    let path = format!("/api/spaces/{space}/events");
    let opening: Vec<_> = (0..subscribers)
        .map(|_| {
            let (base, path) = (base.to_owned(), path.clone());
            tokio::spawn(async move { RawStream::open(&base, &path, None).await })
        })
        .collect();
    let mut streams = Vec::with_capacity(subscribers);
    for stream in opening {
        streams.push(stream.await??);
    }
    // A connection of its own: the first one may have idled past the server's head timeout.
    let mut conn = HttpConn::open(base).await?;
    let started = Instant::now();
    let said = json!({ "content": "go on, stream" });
    conn.send_json(
        "POST",
        &format!("/api/spaces/{space}/intentions"),
        Some(&cookie),
        &said,
    )
    .await?;
    let wait = Duration::from_secs_f64(tokens as f64 / rate + 30.0);
    let readers: Vec<_> = streams
        .into_iter()
        .map(|mut stream| {
            let done = done.clone();
            tokio::spawn(async move { stream.read_until(&done, wait).await })
        })
        .collect();
    let mut deltas = 0;
    let mut bytes = 0;
    for reader in readers {
        let seen = reader.await??;
        deltas += String::from_utf8_lossy(&seen)
            .matches("event: delta")
            .count();
        bytes += seen.len();
    }
    let took = started.elapsed().as_secs_f64();
    let per = subscribers as f64;
    Ok(format!(
        "| {rate:.0} | {tokens} | {took:.1} | {subscribers} | {:.1} | {:.1} | {:.0} |",
        deltas as f64 / per,
        deltas as f64 / per / took,
        bytes as f64 / per / took,
    ))
}
