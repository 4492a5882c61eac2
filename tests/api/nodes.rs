//! Several server processes on one PostgreSQL database (docs/SYNC.md, "Several nodes"): a change
//! written through one node reaches streams on another in order and once, a cursor from one
//! node resumes on the other, a listener that loses its connection misses nothing, and who is
//! typing reaches the other node's streams.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::Client;
use serde_json::{Value, json};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::reply::send;
use crate::sse::{Sse, WAIT};
use crate::sync_common::{assert_chain, position_of};

/// A real `rhizom` process on port 0, killed when dropped.
pub struct Node {
    base: String,
    process: Child,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Node {
    pub async fn start_with(
        database_url: &str,
        dir: &std::path::Path,
        env: &[(&str, &str)],
    ) -> Node {
        // This test's own clients speak TLS with rustls too (an in-process server installs the
        // same provider, ring, as the server does; a test of processes alone must do it itself).
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut process = Command::new(env!("CARGO_BIN_EXE_rhizom"))
            .current_dir(dir)
            .envs(env.iter().copied())
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the rhizom binary starts");
        let stdout = process.stdout.take().expect("piped stdout");
        let (tx, rx) = tokio::sync::oneshot::channel();
        // Read the log on a thread: find where it listens, then keep draining so the process
        // never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(at) = line.find("http://127.0.0.1:") {
                    let rest = &line[at + "http://127.0.0.1:".len()..];
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(format!("http://127.0.0.1:{port}"));
                    }
                }
            }
        });
        let base = tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .expect("the server says where it listens within 30 s")
            .expect("the server exited before listening");
        Node { base, process }
    }

    /// Freezes (`STOP`) or thaws (`CONT`) the process: a node that falls silent for a while.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.process.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post(&self, client: &Client, path: &str, body: Value) -> Value {
        let reply = send(client.post(self.url(path)).json(&body)).await;
        assert!(
            [200, 201, 204].contains(&reply.status),
            "{path}: {}",
            reply.text
        );
        reply.body
    }

    pub async fn say(&self, client: &Client, space: &str, texts: &[String]) {
        for text in texts {
            self.post(
                client,
                &format!("/api/spaces/{space}/intentions"),
                json!({ "content": text }),
            )
            .await;
        }
    }

    pub async fn stream(&self, client: &Client, space: &str, cursor: Option<&str>) -> Sse {
        Sse::connect(
            client,
            &self.url(&format!("/api/spaces/{space}/events")),
            cursor,
        )
        .await
    }
}

pub fn texts(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix} {i}")).collect()
}

pub fn contents(deltas: &[crate::sse::Event]) -> Vec<String> {
    deltas
        .iter()
        .map(|d| {
            d.data["intention"]["content"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// Ends the listening connections of every node on this database.
async fn kill_listeners(database_url: &str) -> i64 {
    let mut conn = PgConnection::connect(database_url)
        .await
        .expect("connecting to PostgreSQL");
    let killed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = 'rhizom-listener' AND datname = current_database()) AS t",
    )
    .fetch_one(&mut conn)
    .await
    .expect("terminating the listeners");
    conn.close().await.ok();
    killed
}

pub async fn fresh_database() -> String {
    let admin = std::env::var("RHIZOM_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    rhizom::server::testing::create_postgres_database(&admin)
        .await
        .expect("PostgreSQL answers (scripts/test starts one if needed)")
}

/// Ada, signed in through `node`, and a space she made there: her client, her id, the space's.
pub async fn ada_in_a_new_space(node: &Node) -> (Client, String, String) {
    let client = Client::builder()
        .cookie_store(true)
        .build()
        .expect("a client");
    let me = node
        .post(&client, "/api/session", json!({ "name": "Ada" }))
        .await;
    let me = me["being"]["id"].as_str().expect("a guest id").to_owned();
    let space = node
        .post(&client, "/api/spaces", json!({ "name": "Shared" }))
        .await;
    let space = space["id"].as_str().expect("a space id").to_owned();
    (client, me, space)
}

/// Two nodes started with `env` on a fresh database, and the directory they run in.
pub async fn two_nodes(env: &[(&str, &str)]) -> (Node, Node, String, tempfile::TempDir) {
    let url = fresh_database().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let a = Node::start_with(&url, dir.path(), env).await;
    let b = Node::start_with(&url, dir.path(), env).await;
    (a, b, url, dir)
}

/// Twenty messages written through A reach a stream on B in order and once; then five more
/// are written through B while nobody streams, and B's cursor resumes exactly on A. The stream
/// on A, at the position it has reached.
pub async fn in_order_once_and_resumed_across(
    a: &Node,
    b: &Node,
    client: &Client,
    space: &str,
) -> (Sse, u64) {
    // Streams are read anonymously, so no presence deltas come between the messages.
    let reader = Client::new();
    let mut on_b = b.stream(&reader, space, None).await;
    let start = on_b.until_live().await.position();
    let first = texts("through A", 20);
    a.say(client, space, &first).await;
    let got = on_b.collect_deltas(20, WAIT).await;
    let last = assert_chain(start, &got);
    assert_eq!(contents(&got), first);
    assert!(
        on_b.events_within(Duration::from_millis(500))
            .await
            .is_empty(),
        "nothing twice"
    );
    let cursor = got.last().and_then(|d| d.id.clone()).expect("a cursor");
    assert_eq!(position_of(&cursor), last);
    drop(on_b);

    let second = texts("while away", 5);
    b.say(client, space, &second).await;
    let mut on_a = a.stream(&reader, space, Some(&cursor)).await;
    let resumed = on_a.until_live().await;
    assert!(
        resumed.reset.is_none(),
        "a cursor from another node resumes exactly"
    );
    let last = assert_chain(last, &resumed.deltas);
    assert_eq!(contents(&resumed.deltas), second);
    (on_a, last)
}

#[tokio::test]
async fn two_nodes_deliver_in_order_once_resume_on_either_and_survive_a_lost_listener() {
    let (a, b, url, _dir) = two_nodes(&[]).await;
    let (client, me, space) = ada_in_a_new_space(&a).await;
    let (mut on_a, last) = in_order_once_and_resumed_across(&a, &b, &client, &space).await;

    // Presence spans nodes: Ada, in the space with a stream open on B, is online through A.
    let moved = send(
        client
            .patch(a.url(&format!("/api/beings/{me}")))
            .json(&json!({ "location_id": space })),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let _ada_on_b = b.stream(&client, &space, None).await;
    let mut online = false;
    for _ in 0..50 {
        let beings = send(client.get(a.url(&format!("/api/spaces/{space}/beings"))))
            .await
            .body;
        online = beings["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|b| b["id"] == me.as_str() && b["online"] == true);
        if online {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(online, "a stream on B makes Ada online as A sees it");
    // Her presence came to A's stream as a delta too: count it into the chain.
    let presence = on_a.collect_deltas(2, WAIT).await;
    let last = assert_chain(last, &presence);
    assert!(
        presence.iter().any(|d| d.op() == "presence"),
        "{presence:?}"
    );

    // Every node's listener loses its connection, and one message is written through B at
    // once — the last change for a while, so no later notification can heal a lost one: the
    // stream on A still gets it (a reconnecting listener catches up from the log). Repeated,
    // because the loss and the write race.
    let mut last = last;
    for round in 0..8 {
        assert!(kill_listeners(&url).await >= 2, "both nodes listen");
        let line = texts(&format!("after loss {round}"), 1);
        b.say(&client, &space, &line).await;
        let got = on_a.collect_deltas(1, Duration::from_secs(10)).await;
        last = assert_chain(last, &got);
        assert_eq!(contents(&got), line);
    }
}

/// A node that falls silent while the others write past its change window cannot send what
/// it missed, since the log no longer has it: its streams end and resume with a reset, instead
/// of carrying on from what the log still holds as if nothing were missing.
#[tokio::test]
async fn a_node_silent_while_the_log_moved_past_it_ends_its_streams_for_a_reset() {
    a_node_silent_past_the_window(&[]).await;
}

/// The test above, with `env` for both nodes beside a change window of four.
pub async fn a_node_silent_past_the_window(env: &[(&str, &str)]) {
    let mut env = env.to_vec();
    env.push(("RHIZOM_CHANGE_WINDOW", "4"));
    let (a, b, _, _dir) = two_nodes(&env).await;
    let (client, _, space) = ada_in_a_new_space(&a).await;
    let reader = Client::new();
    let mut on_b = b.stream(&reader, &space, None).await;
    let start = on_b.until_live().await;
    let cursor = start.cursor();

    // Forty changes while B is frozen: the log keeps only the last few of them.
    b.signal("STOP");
    let posted = texts("while B slept", 40);
    a.say(&client, &space, &posted).await;
    b.signal("CONT");

    let deltas: Vec<_> = on_b
        .events_within(Duration::from_secs(3))
        .await
        .into_iter()
        .filter(|e| e.event == "delta")
        .collect();
    assert_eq!(
        contents(&deltas),
        posted[..deltas.len()],
        "B's stream skipped changes it could not send"
    );
    let mut again = b.stream(&reader, &space, Some(&cursor)).await;
    let resumed = again.until_live().await;
    let reset = resumed.expect_reset("expired");
    let shown: Vec<&str> = reset["intentions"]
        .as_array()
        .expect("messages")
        .iter()
        .rev()
        .map(|i| i["content"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(shown, posted, "the reset has every message");
}

/// A node that dies between a commit and its announcement leaves a change nobody was told of:
/// the other nodes' sweep of the positions finds it (here it is committed behind the nodes'
/// backs, as that node would have) and their streams get it, in order, within a few seconds.
#[tokio::test]
async fn a_change_nobody_announced_reaches_the_other_nodes_by_the_sweep() {
    let (a, b, url, _dir) = two_nodes(&[]).await;
    let (client, _, space) = ada_in_a_new_space(&a).await;
    let said = a
        .post(
            &client,
            &format!("/api/spaces/{space}/intentions"),
            json!({ "content": "soon gone" }),
        )
        .await;
    let message = said["id"].as_str().expect("an id").to_owned();
    let reader = Client::new();
    let mut on_b = b.stream(&reader, &space, None).await;
    let start = on_b.until_live().await.position();

    // As the server writes it: `op` first.
    let change = format!(r#"{{"op":"intention_delete","id":"{message}"}}"#);
    let committed = rhizom::server::testing::execute(
        &url,
        &format!(
            "WITH next AS (UPDATE space_positions SET position = position + 1 \
             WHERE space_id = '{space}' RETURNING position) \
             INSERT INTO changes (space_id, position, entity, entity_id, change, created_at) \
             SELECT '{space}', position, 'intention', '{message}', '{change}', 0 FROM next \
             ON CONFLICT (space_id, entity, entity_id) DO UPDATE \
             SET position = excluded.position, change = excluded.change"
        ),
    )
    .await
    .expect("the change is committed");
    assert_eq!(committed, 1);
    let got = on_b.collect_deltas(1, Duration::from_secs(5)).await;
    assert_chain(start, &got);
    assert_eq!(got[0].op(), "intention_delete");
    assert_eq!(got[0].data["id"], message.as_str());
}
