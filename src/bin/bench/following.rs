//! `following`: one browser's stream of several spaces (`GET /api/live`, as the home page opens
//! it) — the server's memory per such connection, and its CPU per message delivered, for 1, 20
//! and 200 spaces followed. `connections` such streams follow the same spaces (as many
//! browsers' home pages would), each from the spaces' positions; then `posts` messages are
//! posted round the spaces, and every stream reads them.

use std::time::{Duration, Instant};

use futures_util::future::try_join_all;
use serde_json::json;

use crate::cpu::used_ns;
use crate::http::{HttpConn, RawStream};
use crate::memory::rss;
use crate::target::sign_in;

pub const HEADER: &str = "| spaces followed | streams | server RSS per stream | CPU per message delivered | opening one stream |\n|---|---|---|---|---|";

pub async fn run(
    url: &str,
    pid: u32,
    sizes: &[usize],
    connections: usize,
    posts: usize,
) -> anyhow::Result<String> {
    let mut rows = vec![HEADER.to_owned()];
    for &size in sizes {
        let mut conn = HttpConn::open(url).await?;
        let cookie = sign_in(&mut conn, "follower").await?;
        let mut spaces = Vec::with_capacity(size);
        let mut epoch = String::new();
        for n in 0..size {
            let made = conn
                .send_json(
                    "POST",
                    "/api/spaces",
                    Some(&cookie),
                    &json!({ "name": format!("followed {n}") }),
                )
                .await?;
            let made: serde_json::Value = serde_json::from_slice(&made.body)?;
            let id = made["id"].as_str().unwrap_or_default().to_owned();
            let state = conn
                .request("GET", &format!("/api/spaces/{id}/changes"), &[], b"")
                .await?;
            let state: serde_json::Value = serde_json::from_slice(&state.body)?;
            epoch = state["epoch"].as_str().unwrap_or_default().to_owned();
            spaces.push((id, state["position"].as_u64().unwrap_or(0)));
        }
        let list: Vec<String> = spaces.iter().map(|(id, at)| format!("{id}:{at}")).collect();
        let path = format!("/api/live?epoch={epoch}&spaces={}", list.join(","));
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before = rss(pid)?;
        let began = Instant::now();
        let mut streams = Vec::with_capacity(connections);
        for _ in 0..connections {
            streams.push(RawStream::open(url, &path, None).await?);
        }
        // Each open drains its stream until it is quiet for a moment: take that out.
        let opening = began.elapsed() / connections as u32;
        let opening = opening.saturating_sub(Duration::from_millis(300));
        tokio::time::sleep(Duration::from_millis(500)).await;
        let with = rss(pid)?;
        // The first connection has sat idle while the streams opened: the server may have
        // closed it.
        let mut conn = HttpConn::open(url).await?;
        let cpu_before = used_ns(&[pid])?;
        for n in 0..posts {
            let (space, _) = &spaces[n % spaces.len()];
            let body = json!({ "content": format!("message {n} of an ordinary length") });
            conn.send_json(
                "POST",
                &format!("/api/spaces/{space}/intentions"),
                Some(&cookie),
                &body,
            )
            .await?;
        }
        let read = try_join_all(streams.iter_mut().map(RawStream::drain)).await?;
        let cpu = used_ns(&[pid])? - cpu_before;
        anyhow::ensure!(read.iter().all(|&n| n > 0), "a stream heard nothing");
        let deliveries = (posts * connections) as f64;
        rows.push(format!(
            "| {size} | {connections} | {:.1} KB | {:.2} µs | {:.1} ms |",
            (with.saturating_sub(before)) as f64 / connections as f64 / 1024.0,
            cpu as f64 / deliveries / 1000.0,
            opening.as_secs_f64() * 1000.0,
        ));
    }
    Ok(rows.join("\n"))
}
