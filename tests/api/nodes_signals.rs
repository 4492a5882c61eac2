//! Signals across nodes (docs/SYNC.md, "Signals"): someone typing through one node reaches the
//! space's streams on another, and a reader's mark moved through one node reaches that reader's
//! own streams on another — by `NOTIFY`, and over the NATS bus.

use std::time::Duration;

use reqwest::Client;
use serde_json::json;

use crate::nats_server::NatsServer;
use crate::nodes::{ada_in_a_new_space, two_nodes};
use crate::reply::send;
use crate::sse::WAIT;

#[tokio::test]
async fn typing_and_read_marks_through_one_node_reach_the_streams_on_another() {
    signals_cross_nodes(&[]).await;
}

#[tokio::test]
async fn typing_and_read_marks_through_one_node_reach_the_streams_on_another_over_the_bus() {
    let nats = NatsServer::start().await;
    signals_cross_nodes(&[("RHIZOM_NATS_URL", &nats.url())]).await;
}

/// Ada says she is typing through A; a stream of the space on B hears it, with no id. Then
/// she marks the space read through A; her own stream on B hears where her mark is.
async fn signals_cross_nodes(env: &[(&str, &str)]) {
    let (a, b, _, _dir) = two_nodes(env).await;
    let (client, me, space) = ada_in_a_new_space(&a).await;
    let mut on_b = b.stream(&Client::new(), &space, None).await;
    on_b.until_live().await;
    // B subscribes to the space (on the bus) as its stream opens: say it until B hears.
    let mut heard = None;
    for _ in 0..20 {
        a.post(&client, &format!("/api/spaces/{space}/typing"), json!({}))
            .await;
        let typing = on_b
            .events_within(Duration::from_millis(500))
            .await
            .into_iter()
            .find(|e| e.event == "typing");
        if typing.is_some() {
            heard = typing;
            break;
        }
    }
    let heard = heard.expect("B's stream hears Ada typing");
    assert_eq!(heard.id, None);
    assert_eq!(heard.data["being_id"], me.as_str());

    let mut hers = b.stream(&client, &space, None).await;
    hers.until_live().await;
    let read = send(
        client
            .put(a.url(&format!("/api/spaces/{space}/read")))
            .json(&json!({})),
    )
    .await;
    assert_eq!(read.status, 200, "{}", read.text);
    let heard = hers.until_event("read", WAIT).await;
    assert_eq!(heard.id, None);
    assert_eq!(heard.data["space_id"], space.as_str());
    let others = on_b.events_within(Duration::from_millis(500)).await;
    assert!(others.iter().all(|e| e.event != "read"), "{others:?}");
}
