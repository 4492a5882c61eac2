//! `memory`: the server's resident memory per idle subscriber. Opens N streams on one space,
//! waits until each has its first frames, lets the server settle, and reads the server's RSS
//! from /proc (the server runs on this machine; its pid is given).

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::http::{authority, read_head};
use crate::target::Target;

pub const HEADER: &str = "| idle subscribers | server RSS before | server RSS with them | per subscriber |\n|---|---|---|---|";

/// The resident set of process `pid`, in bytes.
fn rss(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmRSS for pid {pid}"))?;
    Ok(kb * 1024)
}

async fn subscribe(base: &str, path: &str) -> anyhow::Result<TcpStream> {
    let mut stream = TcpStream::connect(authority(base)).await?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        authority(base)
    );
    stream.write_all(request.as_bytes()).await?;
    let (status, _) = read_head(&mut stream, &mut Vec::new()).await?;
    anyhow::ensure!(status == 200, "the stream answered {status}");
    Ok(stream)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

pub async fn run(url: &str, pid: u32, counts: &[usize]) -> anyhow::Result<String> {
    let mut rows = vec![HEADER.to_owned()];
    for &count in counts {
        let target = Target::rhizom(url).await?;
        let path = target.stream_path();
        tokio::time::sleep(Duration::from_secs(1)).await;
        let before = rss(pid)?;
        let mut streams = Vec::with_capacity(count);
        for _ in 0..count {
            streams.push(subscribe(url, &path).await?);
        }
        // Idle: let presence writes, timers and allocator caches settle.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let with = rss(pid)?;
        rows.push(format!(
            "| {count} | {} | {} | {:.1} KiB |",
            mib(before),
            mib(with),
            with.saturating_sub(before) as f64 / count as f64 / 1024.0
        ));
        drop(streams);
        // Let the server see them go before the next size.
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    Ok(rows.join("\n"))
}
