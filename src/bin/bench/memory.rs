//! `memory`: the server's resident memory per idle subscriber. Opens N streams on one space,
//! waits until each has its first frames, lets the server settle, and reads the server's RSS
//! from /proc (the server runs on this machine; its pid is given).
//!
//! With `reused` each stream goes on a connection that has already served a request
//! (`GET /healthz`), as a browser's `EventSource` usually arrives on a kept-alive connection;
//! otherwise each has a fresh connection of its own, as a bot's does.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::http::{authority, read_head};
use crate::target::Target;

pub const HEADER: &str = "| idle subscribers | connection | server RSS before | server RSS with them | per subscriber |\n|---|---|---|---|---|";

/// The resident set of process `pid`, in bytes.
pub fn rss(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmRSS for pid {pid}"))?;
    Ok(kb * 1024)
}

/// Opens a stream; with `reused`, on a connection that first served `GET /healthz`.
async fn subscribe(base: &str, path: &str, reused: bool) -> anyhow::Result<TcpStream> {
    let mut stream = TcpStream::connect(authority(base)).await?;
    let mut buf = Vec::new();
    if reused {
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", authority(base));
        stream.write_all(request.as_bytes()).await?;
        let (status, headers) = read_head(&mut stream, &mut buf).await?;
        anyhow::ensure!(status == 200, "the health check answered {status}");
        let length: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("the health check has no content-length"))?;
        while buf.len() < length {
            let mut chunk = [0u8; 256];
            let n = stream.read(&mut chunk).await?;
            anyhow::ensure!(n > 0, "the connection closed after the health check");
            buf.extend_from_slice(&chunk[..n]);
        }
        buf.drain(..length);
    }
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        authority(base)
    );
    stream.write_all(request.as_bytes()).await?;
    let (status, _) = read_head(&mut stream, &mut buf).await?;
    anyhow::ensure!(status == 200, "the stream answered {status}");
    Ok(stream)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

pub async fn run(url: &str, pid: u32, counts: &[usize], reused: bool) -> anyhow::Result<String> {
    let mut rows = vec![HEADER.to_owned()];
    for &count in counts {
        rows.push(measure(url, pid, count, reused).await?);
    }
    Ok(rows.join("\n"))
}
async fn measure(url: &str, pid: u32, count: usize, reused: bool) -> anyhow::Result<String> {
    let target = Target::rhizom(url).await?;
    let path = target.stream_path();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss(pid)?;
    let mut streams = Vec::with_capacity(count);
    for _ in 0..count {
        streams.push(subscribe(url, &path, reused).await?);
    }
    // Idle: let presence writes, timers and allocator caches settle.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let with = rss(pid)?;
    drop(streams);
    // Let the server see them go before the next measurement.
    tokio::time::sleep(Duration::from_secs(2)).await;
    Ok(format!(
        "| {count} | {} | {} | {} | {:.1} KiB |",
        if reused { "after a request" } else { "fresh" },
        mib(before),
        mib(with),
        with.saturating_sub(before) as f64 / count as f64 / 1024.0
    ))
}
