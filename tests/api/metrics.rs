//! `GET /metrics` (docs/SCALING.md, docs/SECURITY.md "Metrics"): what a server process counts,
//! read from a process of its own (a real `rhizom` on a SQLite file, so that no other test's
//! traffic is in its counts), and who may read it.

use std::time::Duration;

use reqwest::Client;
use serde_json::json;

use crate::helpers::{Backend, on_both_backends, spawn_app_with};
use crate::nodes::{Node, ada_in_a_new_space};
use crate::reply::send;
use crate::sse::WAIT;

on_both_backends!(only_this_machine_or_the_token_reads_the_metrics);

/// The value of the sample `name` (with its labels) in a metrics text.
pub fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no sample {name} in:\n{text}"))
}

pub async fn metrics(node: &Node) -> String {
    let reply = send(Client::new().get(node.url("/metrics"))).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.text
}

#[tokio::test]
async fn a_stream_a_message_and_a_reset_are_counted_where_they_happen() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}/rhizom.db", dir.path().display());
    // Heartbeats every 100 ms: a stream the front door handed to hyper learns that its client
    // left at its next write.
    let node = Node::start_with(&url, dir.path(), &[("RHIZOM_HEARTBEAT_MS", "100")]).await;
    let (client, _, space) = ada_in_a_new_space(&node).await;
    let before = metrics(&node).await;
    assert_eq!(sample(&before, "rhizom_streams_open"), 0.0);

    let reader = Client::new();
    let mut stream = node.stream(&reader, &space, None).await;
    stream.until_live().await;
    let open = metrics(&node).await;
    assert_eq!(sample(&open, "rhizom_streams_open"), 1.0);
    assert_eq!(
        sample(&open, "rhizom_resets_total{reason=\"initial\"}"),
        1.0
    );

    node.post(
        &client,
        &format!("/api/spaces/{space}/intentions"),
        json!({ "content": "counted" }),
    )
    .await;
    stream.collect_deltas(1, WAIT).await;
    let sent = metrics(&node).await;
    assert_eq!(sample(&sent, "rhizom_deltas_published_total"), 1.0);
    assert_eq!(sample(&sent, "rhizom_deltas_delivered_total"), 1.0);
    assert_eq!(sample(&sent, "rhizom_commit_to_write_seconds_count"), 1.0);

    drop(stream);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let after = metrics(&node).await;
        if sample(&after, "rhizom_streams_open") == 0.0 {
            assert_eq!(
                sample(&after, "rhizom_stream_ends_total{reason=\"client_gone\"}"),
                1.0
            );
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{after}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn only_this_machine_or_the_token_reads_the_metrics(backend: Backend) {
    // Behind a proxy on this machine, the client is whoever it names.
    let app = spawn_app_with(backend, |config| {
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        config.metrics_token = Some("a-metrics-token".into());
    })
    .await;
    let url = app.url("/metrics");
    let here = send(app.anon.get(&url)).await;
    assert_eq!(here.status, 200);
    assert!(here.text.contains("# TYPE rhizom_streams_open gauge"));
    let from_afar = || app.anon.get(&url).header("x-forwarded-for", "203.0.113.9");
    let refused = send(from_afar()).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let wrong = send(from_afar().bearer_auth("a-metrics-tokeN")).await;
    assert_eq!(wrong.status, 403);
    let with_token = send(from_afar().bearer_auth("a-metrics-token")).await;
    assert_eq!(with_token.status, 200);
    assert!(with_token.text.contains("rhizom_deltas_published_total"));
}
