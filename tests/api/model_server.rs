//! A local server that speaks the OpenAI chat-completions wire format as its public reference
//! describes it (`POST /v1/chat/completions` with `"stream": true` answers `text/event-stream`:
//! `data: {chat.completion.chunk}` events whose `choices[0].delta.content` carry the text, a
//! last chunk with `finish_reason: "stop"`, then `data: [DONE]`; a refused request answers an
//! HTTP error with `{"error": {"message", "type", "code"}}`). A hosted model needs the internet;
//! this stands in for it, and records every request it gets.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// How the server answers the next requests.
#[derive(Clone, Debug)]
pub enum Script {
    /// Streams these pieces, one every `every`, then ends properly.
    Stream {
        pieces: Vec<String>,
        every: Duration,
    },
    /// Streams these pieces, then goes silent without ending.
    StallAfter(Vec<String>),
    /// Refuses with this status and error message.
    Refuse(u16, String),
}

/// One request the server got.
#[derive(Clone, Debug)]
pub struct Asked {
    pub authorization: Option<String>,
    pub body: Value,
}

#[derive(Clone)]
struct Shared {
    script: Arc<Mutex<Script>>,
    asked: Arc<Mutex<Vec<Asked>>>,
}

/// The running server.
pub struct ModelServer {
    pub addr: SocketAddr,
    shared: Shared,
    _task: tokio::task::JoinHandle<()>,
}

impl ModelServer {
    pub async fn start(script: Script) -> ModelServer {
        let shared = Shared {
            script: Arc::new(Mutex::new(script)),
            asked: Arc::default(),
        };
        let app = Router::new()
            .route("/v1/chat/completions", post(completions))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        ModelServer {
            addr,
            shared,
            _task: task,
        }
    }

    /// The `base_url` a bot is given.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn answer_with(&self, script: Script) {
        *self.shared.script.lock().unwrap() = script;
    }

    /// The requests so far.
    pub fn asked(&self) -> Vec<Asked> {
        self.shared.asked.lock().unwrap().clone()
    }
}

/// One `chat.completion.chunk` event.
fn chunk(delta: Value, finish_reason: Value) -> Bytes {
    let event = json!({
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "test-model",
        "choices": [{ "index": 0, "delta": delta, "finish_reason": finish_reason }],
    });
    Bytes::from(format!("data: {event}\n\n"))
}

async fn completions(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: axum::Json<Value>,
) -> Response {
    shared.asked.lock().unwrap().push(Asked {
        authorization: headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: body.0,
    });
    let script = shared.script.lock().unwrap().clone();
    let (pieces, every, ends) = match script {
        Script::Refuse(status, message) => {
            let error = json!({ "error": {
                "message": message, "type": "invalid_request_error", "param": null,
                "code": "invalid_api_key",
            }});
            return (StatusCode::from_u16(status).unwrap(), axum::Json(error)).into_response();
        }
        Script::Stream { pieces, every } => (pieces, every, true),
        Script::StallAfter(pieces) => (pieces, Duration::from_millis(10), false),
    };
    let events = async_stream(pieces, every, ends);
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(Body::from_stream(events))
        .unwrap()
}

/// The events of a streamed answer, paced by `every`; without `ends`, silence after the text.
fn async_stream(
    pieces: Vec<String>,
    every: Duration,
    ends: bool,
) -> impl futures_util::Stream<Item = Result<Bytes, Infallible>> {
    let mut events = vec![chunk(
        json!({ "role": "assistant", "content": "" }),
        Value::Null,
    )];
    events.extend(
        pieces
            .into_iter()
            .map(|p| chunk(json!({ "content": p }), Value::Null)),
    );
    if ends {
        events.push(chunk(json!({}), json!("stop")));
        events.push(Bytes::from_static(b"data: [DONE]\n\n"));
    }
    futures_util::stream::unfold(
        (events.into_iter(), ends),
        move |(mut rest, ends)| async move {
            match rest.next() {
                Some(event) => {
                    tokio::time::sleep(every).await;
                    Some((Ok(event), (rest, ends)))
                }
                None if ends => None,
                None => {
                    // Stalled: the connection stays open and says nothing more.
                    std::future::pending::<()>().await;
                    None
                }
            }
        },
    )
}
