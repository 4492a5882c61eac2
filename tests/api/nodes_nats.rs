//! Several nodes on one PostgreSQL database with NATS JetStream as their bus (docs/SCALING.md,
//! "The bus"): the twin of `nodes.rs`. A change reaches the other node in order and once over
//! the bus, not by PostgreSQL's notifications; a cursor resumes on either node; NATS killed
//! mid-stream and started again loses nothing (PostgreSQL carries the changes meanwhile); a node
//! frozen past the window resets as without the bus; and a node that starts later serves
//! resumes from what the bus kept; and who is typing crosses the bus.

use std::time::Duration;

use reqwest::Client;

use crate::metrics::{metrics, sample};
use crate::nats_server::NatsServer;
use crate::nodes::{
    Node, a_node_silent_past_the_window, ada_in_a_new_space, contents, fresh_database,
    in_order_once_and_resumed_across, texts, two_nodes,
};
use crate::sse::WAIT;
use crate::sync_common::assert_chain;

const CARRIED: &str = "rhizom_bus_changes_total";
const ANNOUNCED: &str = "rhizom_changes_announced_total";

async fn on_the_bus(nats: &NatsServer, database: &str, dir: &std::path::Path) -> Node {
    Node::start_with(database, dir, &[("RHIZOM_NATS_URL", &nats.url())]).await
}

#[tokio::test]
async fn two_nodes_on_the_bus_deliver_in_order_once_and_resume_on_either() {
    let nats = NatsServer::start().await;
    let (a, b, _, _dir) = two_nodes(&[("RHIZOM_NATS_URL", &nats.url())]).await;
    let (client, _, space) = ada_in_a_new_space(&a).await;
    in_order_once_and_resumed_across(&a, &b, &client, &space).await;
    for node in [&a, &b] {
        let sent = metrics(node).await;
        assert_eq!(sample(&sent, ANNOUNCED), 0.0, "nothing went by PostgreSQL");
    }
    let carried = sample(&metrics(&a).await, CARRIED);
    assert!(carried >= 20.0, "A's changes went on the bus: {carried}");
}

#[tokio::test]
async fn nats_killed_mid_stream_and_started_again_loses_nothing() {
    let mut nats = NatsServer::start().await;
    let (a, b, _, _dir) = two_nodes(&[("RHIZOM_NATS_URL", &nats.url())]).await;
    let (client, _, space) = ada_in_a_new_space(&a).await;
    let reader = Client::new();
    let mut on_b = b.stream(&reader, &space, None).await;
    let mut last = on_b.until_live().await.position();

    let before = texts("before", 5);
    a.say(&client, &space, &before).await;
    let got = on_b.collect_deltas(5, WAIT).await;
    last = assert_chain(last, &got);
    assert_eq!(contents(&got), before);

    // NATS dies: what is written meanwhile goes by PostgreSQL, in order, once.
    let during = texts("without NATS", 5);
    let got = nats
        .kill_then(async {
            a.say(&client, &space, &during).await;
            on_b.collect_deltas(5, Duration::from_secs(15)).await
        })
        .await;
    last = assert_chain(last, &got);
    assert_eq!(contents(&got), during);
    // (The sweep may have brought them before A gave up waiting for NATS to confirm.)
    let mut announced = 0.0;
    for _ in 0..50 {
        announced = sample(&metrics(&a).await, ANNOUNCED);
        if announced >= 1.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(announced >= 1.0, "PostgreSQL carried them");

    // NATS is back: the nodes reconnect, and the bus carries the changes again.
    let carried = sample(&metrics(&a).await, CARRIED);
    let mut back = false;
    for round in 0..40 {
        let line = texts(&format!("after {round}"), 1);
        a.say(&client, &space, &line).await;
        let got = on_b.collect_deltas(1, Duration::from_secs(10)).await;
        last = assert_chain(last, &got);
        assert_eq!(contents(&got), line);
        if sample(&metrics(&a).await, CARRIED) > carried {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(back, "the bus carries changes again once NATS is back");
    let after = texts("with NATS again", 5);
    a.say(&client, &space, &after).await;
    let got = on_b.collect_deltas(5, WAIT).await;
    assert_chain(last, &got);
    assert_eq!(contents(&got), after);
    assert!(
        on_b.events_within(Duration::from_millis(500))
            .await
            .is_empty(),
        "nothing twice"
    );
}

#[tokio::test]
async fn a_node_on_the_bus_silent_while_the_log_moved_past_it_resets() {
    let nats = NatsServer::start().await;
    a_node_silent_past_the_window(&[("RHIZOM_NATS_URL", &nats.url())]).await;
}

/// A node that starts after the changes were written (a restart) has nothing of the space in
/// memory; once it streams the space, what the bus kept serves resumes without the log.
#[tokio::test]
async fn a_node_that_starts_later_serves_resumes_from_what_the_bus_kept() {
    let nats = NatsServer::start().await;
    let url = fresh_database().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let a = on_the_bus(&nats, &url, dir.path()).await;
    let (client, _, space) = ada_in_a_new_space(&a).await;
    let reader = Client::new();
    let mut on_a = a.stream(&reader, &space, None).await;
    let cursor = on_a.until_live().await.cursor();
    let said = texts("before B", 10);
    a.say(&client, &space, &said).await;
    on_a.collect_deltas(10, WAIT).await;

    let b = on_the_bus(&nats, &url, dir.path()).await;
    let mut watching = b.stream(&reader, &space, None).await;
    watching.until_live().await;
    let mut from_memory = false;
    for _ in 0..50 {
        let mut resumed = b.stream(&reader, &space, Some(&cursor)).await;
        let resumed = resumed.until_live().await;
        assert!(resumed.reset.is_none(), "resumed exactly");
        assert_eq!(contents(&resumed.deltas), said);
        let counted = metrics(&b).await;
        if sample(&counted, "rhizom_catch_ups_total{from=\"memory\"}") > 0.0 {
            from_memory = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(from_memory, "B served a resume from what the bus kept");
}
