//! Connecting while writes pour in (docs/SYNC.md, "In order, once"): a change committed while a
//! client connects reaches it exactly once, in the snapshot or as a live delta, so every client
//! ends with the server's conversation.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::helpers::{Backend, TestApp, id_of, on_both_backends, spawn_app};
use crate::sse::{Next, WAIT};

on_both_backends!(clients_connecting_while_messages_pour_in_all_end_with_the_servers_conversation);

/// Messages the writer posts.
const MESSAGES: usize = 200;
/// Clients connecting one after another while it does.
const CLIENTS: usize = 5;

/// A client's copy of a space's conversation, built the way docs/SYNC.md tells clients to.
#[derive(Debug, Default)]
struct Mirror {
    position: u64,
    intentions: BTreeMap<String, Value>,
}

impl Mirror {
    /// Replaces everything with a reset, reading the older messages `more` points at.
    async fn reset(&mut self, app: &TestApp, space: &str, reset: &Value) {
        self.position = reset["position"].as_u64().expect("a reset has a position");
        self.intentions.clear();
        let mut intentions = reset["intentions"].as_array().unwrap().clone();
        if let Value::String(more) = &reset["more"] {
            intentions.extend(app.all_intentions_before(space, more).await);
        }
        for intention in intentions {
            let previous = self.intentions.insert(id_of(&intention), intention);
            assert!(previous.is_none(), "a reset lists each intention once");
        }
    }

    #[track_caller]
    fn apply(&mut self, delta: &Value) {
        let pos = delta["pos"].as_u64().expect("a delta has a pos");
        assert!(
            pos > self.position,
            "a delta at or before the position already held ({}): {delta}",
            self.position
        );
        assert_eq!(delta["prev"], self.position, "a gap before {delta}");
        match delta["op"].as_str() {
            Some("intention_upsert") => {
                let intention = delta["intention"].clone();
                self.intentions.insert(id_of(&intention), intention);
            }
            Some("intention_delete") => {
                self.intentions.remove(delta["id"].as_str().unwrap());
            }
            _ => {}
        }
        self.position = pos;
    }
}

/// Connects once `posted` reaches `start`, applies the reset and every delta, and returns when
/// it holds all the messages and nothing more has come for a moment.
async fn follow(
    app: Arc<TestApp>,
    space: String,
    posted: Arc<AtomicUsize>,
    start: usize,
) -> Mirror {
    let deadline = Instant::now() + Duration::from_secs(60);
    while posted.load(Ordering::SeqCst) < start {
        assert!(
            Instant::now() < deadline,
            "the writer stalled before {start}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let catchup = sse.until_live().await;
    let reset = catchup.expect_reset("initial");
    let mut mirror = Mirror::default();
    mirror.reset(&app, &space, reset).await;
    assert_eq!(catchup.position(), mirror.position);

    while mirror.intentions.len() < MESSAGES {
        let left = deadline.saturating_duration_since(Instant::now());
        match sse.next(left).await {
            Next::Event(event) if event.event == "delta" => mirror.apply(&event.data),
            Next::Event(event) => panic!("only deltas after live, got {event:?}"),
            Next::Timeout | Next::End => panic!(
                "the client that connected after {start} posts holds {} of {MESSAGES}",
                mirror.intentions.len()
            ),
        }
    }
    // Anything still coming would be a duplicate or a change nobody made.
    for event in sse.events_within(Duration::from_millis(300)).await {
        mirror.apply(&event.data);
    }
    mirror
}

async fn clients_connecting_while_messages_pour_in_all_end_with_the_servers_conversation(
    backend: Backend,
) {
    let app = Arc::new(spawn_app(backend).await);
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    let posted = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|k| {
            // After 0, 41, 82, ... posts: mid-stream, not at round numbers.
            let start = k * MESSAGES / CLIENTS + k;
            tokio::spawn(follow(app.clone(), space.clone(), posted.clone(), start))
        })
        .collect();

    for i in 0..MESSAGES {
        app.post_intention(&ada, &space, &format!("message {i}"))
            .await;
        posted.fetch_add(1, Ordering::SeqCst);
    }
    let mut mirrors = Vec::new();
    for client in clients {
        match tokio::time::timeout(2 * WAIT + Duration::from_secs(60), client).await {
            Ok(Ok(mirror)) => mirrors.push(mirror),
            Ok(Err(failed)) => std::panic::resume_unwind(failed.into_panic()),
            Err(_) => panic!("a client did not finish"),
        }
    }

    let server: BTreeMap<String, Value> = app
        .intentions(&space)
        .await
        .into_iter()
        .map(|intention| (id_of(&intention), intention))
        .collect();
    assert_eq!(server.len(), MESSAGES);
    for (k, mirror) in mirrors.iter().enumerate() {
        assert_eq!(
            mirror.intentions, server,
            "client {k} differs from the server"
        );
        assert_eq!(
            mirror.position, mirrors[0].position,
            "client {k} ends elsewhere"
        );
    }
}
