//! `fanout`: N subscribers on one stream, a publisher posting M messages at R per second;
//! publish-to-receive latency percentiles, delivered against expected, duplicates, reorders.
//! Each message carries `#b<seq>:<µs since start it was due>#`; publisher and subscribers share
//! a clock. Latency counts from when a message was due, so a server slow to answer one publish
//! cannot hide the wait it causes the next (coordinated omission); the p99 from when each one
//! actually went is printed beside it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::http::{Dechunker, HttpConn, authority, read_head};
use crate::stats::percentile;
use crate::target::Target;

pub struct Args {
    /// Where subscribers connect, round-robin (several nodes); the publisher's server if empty.
    pub subscribe_urls: Vec<String>,
    pub subscribers: usize,
    pub messages: usize,
    pub rate: f64,
    /// The server's processes: their CPU time while publishing is reported per delivery.
    pub pids: Vec<u32>,
}

#[derive(Default)]
struct Seen {
    /// `(message, µs since start)` of each first arrival.
    arrivals: Vec<(u32, u64)>,
    delivered: usize,
    duplicates: usize,
    reorders: usize,
}

/// Finds `#b<seq>:<us>#` markers in `text`, keeping an unfinished tail for the next read.
pub fn scan(text: &mut Vec<u8>, mut each: impl FnMut(usize, u64)) {
    let mut at = 0;
    let mut keep_from = text.len().saturating_sub(32);
    while let Some(offset) = text[at..].windows(2).position(|w| w == b"#b") {
        let start = at + offset + 2;
        let Some(end) = text[start..].iter().position(|b| *b == b'#') else {
            keep_from = at + offset;
            break;
        };
        let marker = String::from_utf8_lossy(&text[start..start + end]).into_owned();
        if let Some((seq, us)) = marker.split_once(':')
            && let (Ok(seq), Ok(us)) = (seq.parse(), us.parse())
        {
            each(seq, us);
        }
        at = start + end + 1;
        keep_from = keep_from.max(at);
    }
    text.drain(..keep_from.min(text.len()));
}

async fn subscriber(
    target: Arc<Target>,
    base: String,
    start: Instant,
    messages: usize,
    connecting: OwnedSemaphorePermit,
    ready: tokio::sync::mpsc::Sender<()>,
    deadline: Arc<tokio::sync::watch::Receiver<Option<Instant>>>,
) -> std::io::Result<(Seen, TcpStream)> {
    let mut stream = TcpStream::connect(authority(&base)).await?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        target.stream_path(),
        authority(&base)
    );
    stream.write_all(request.as_bytes()).await?;
    let mut buf = Vec::new();
    let (status, headers) = read_head(&mut stream, &mut buf).await?;
    if status != 200 {
        return Err(std::io::Error::other(format!("stream answered {status}")));
    }
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    // In: let the next one connect, and count this one ready.
    drop(connecting);
    let _ = ready.send(()).await;
    drop(ready);
    let mut seen = Seen::default();
    let mut got = vec![false; messages];
    let mut last_seq: Option<usize> = None;
    let mut dechunker = Dechunker::default();
    let mut text = Vec::new();
    let mut raw = std::mem::take(&mut buf);
    let mut chunk = vec![0u8; 16 * 1024];
    while seen.delivered < messages {
        if chunked {
            dechunker.feed(&raw, &mut text)?;
        } else {
            text.extend_from_slice(&raw);
        }
        raw.clear();
        scan(&mut text, |seq, _due_us| {
            let now_us = start.elapsed().as_micros() as u64;
            if seq >= messages {
                return;
            }
            if got[seq] {
                seen.duplicates += 1;
                return;
            }
            got[seq] = true;
            seen.delivered += 1;
            if last_seq.is_some_and(|last| seq < last) {
                seen.reorders += 1;
            }
            last_seq = Some(seq);
            seen.arrivals.push((seq as u32, now_us));
        });
        if seen.delivered >= messages {
            break;
        }
        let wait = match *deadline.borrow() {
            Some(at) => at.saturating_duration_since(Instant::now()),
            None => Duration::from_secs(3600),
        };
        match tokio::time::timeout(
            wait.min(Duration::from_millis(500)),
            stream.read(&mut chunk),
        )
        .await
        {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => raw.extend_from_slice(&chunk[..n]),
            Err(_) => {
                if deadline.borrow().is_some_and(|at| Instant::now() >= at) {
                    break;
                }
            }
        }
    }
    // The connection stays open until every subscriber is done: closing thousands of them
    // while others still read would load the server in the middle of the last messages.
    Ok((seen, stream))
}

pub async fn run(target: Target, args: Args) -> anyhow::Result<String> {
    let target = Arc::new(target);
    let start = Instant::now();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(args.subscribers.max(1));
    let (deadline_tx, deadline_rx) = tokio::sync::watch::channel(None);
    let deadline_rx = Arc::new(deadline_rx);
    // Connect in waves, so the listen backlog never overflows.
    let connecting = Arc::new(Semaphore::new(256));
    let mut tasks = Vec::with_capacity(args.subscribers);
    let bases = if args.subscribe_urls.is_empty() {
        vec![target.base.clone()]
    } else {
        args.subscribe_urls.clone()
    };
    for i in 0..args.subscribers {
        let permit = connecting.clone().acquire_owned().await?;
        let (target, ready, deadline) = (target.clone(), ready_tx.clone(), deadline_rx.clone());
        let base = bases[i % bases.len()].clone();
        let messages = args.messages;
        tasks.push(tokio::spawn(subscriber(
            target, base, start, messages, permit, ready, deadline,
        )));
    }
    drop(ready_tx);
    let mut connected = 0;
    let connect_deadline = Instant::now() + Duration::from_secs(120);
    while connected < args.subscribers {
        match tokio::time::timeout_at(connect_deadline.into(), ready_rx.recv()).await {
            Ok(Some(())) => connected += 1,
            _ => break,
        }
    }
    let connect_time = start.elapsed();

    let mut publisher = HttpConn::open(&target.base).await?;
    let cpu_before = crate::cpu::used_ns(&args.pids)?;
    let load_before = crate::cpu::used_ns(&[std::process::id()])?;
    let publish_start = Instant::now();
    // When each message was due, and when it went (µs since start).
    let mut due_us = Vec::with_capacity(args.messages);
    let mut sent_us = Vec::with_capacity(args.messages);
    for seq in 0..args.messages {
        let due = publish_start + Duration::from_secs_f64(seq as f64 / args.rate);
        tokio::time::sleep_until(due.into()).await;
        // Stamped with when it was due, not when it went: a server slow to answer the last
        // publish delays this one, and that wait is latency too (no coordinated omission).
        due_us.push(due.duration_since(start).as_micros() as u64);
        sent_us.push(start.elapsed().as_micros() as u64);
        let marker = format!("#b{seq}:{}#", due_us[seq]);
        target.publish(&mut publisher, &marker).await?;
    }
    let sent_rate =
        args.messages.saturating_sub(1).max(1) as f64 / publish_start.elapsed().as_secs_f64();
    let _ = deadline_tx.send(Some(Instant::now() + Duration::from_secs(10)));

    let mut all = Seen::default();
    let mut failed = 0;
    let mut open = Vec::with_capacity(tasks.len());
    for task in tasks {
        match task.await? {
            Ok((seen, stream)) => {
                open.push(stream);
                all.arrivals.extend(seen.arrivals);
                all.delivered += seen.delivered;
                all.duplicates += seen.duplicates;
                all.reorders += seen.reorders;
            }
            Err(_) => failed += 1,
        }
    }
    let cpu_ms = (crate::cpu::used_ns(&args.pids)? - cpu_before) as f64 / 1e6;
    let load_ms = (crate::cpu::used_ns(&[std::process::id()])? - load_before) as f64 / 1e6;
    drop(open);
    let per_delivery = |ms: f64| ms * 1000.0 / all.delivered.max(1) as f64;
    let cpu = if args.pids.is_empty() {
        "– | –".to_owned()
    } else {
        format!("{cpu_ms:.0} | {:.2}", per_delivery(cpu_ms))
    };
    // From when each message was due (what a user waits), and from when it actually went (what
    // a benchmark that waits for each publish would report).
    let latencies = |from: &[u64]| {
        let mut l: Vec<u32> = all
            .arrivals
            .iter()
            .map(|&(seq, at)| at.saturating_sub(from[seq as usize]) as u32)
            .collect();
        l.sort_unstable();
        l
    };
    let l = latencies(&due_us);
    let from_sent = latencies(&sent_us);
    let name = if bases.len() > 1 {
        format!("{} ({} nodes)", target.name, bases.len())
    } else {
        target.name.to_owned()
    };
    Ok(format!(
        "| {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} of {} | {} | {} | {} | {} | {:.2} | {:.1} s |",
        name,
        connected,
        args.messages,
        sent_rate,
        percentile(&l, 0.50),
        percentile(&l, 0.90),
        percentile(&l, 0.99),
        percentile(&l, 1.0),
        percentile(&from_sent, 0.99),
        all.delivered,
        args.subscribers * args.messages,
        all.duplicates,
        all.reorders,
        failed,
        cpu,
        per_delivery(load_ms),
        connect_time.as_secs_f64(),
    ))
}

pub const HEADER: &str = "| target | subscribers | messages | msgs/s sent | p50 ms | p90 ms | p99 ms | max ms | p99 from send ms | delivered | duplicates | reorders | failed subscribers | server CPU ms | server CPU µs per delivery | load generator CPU µs per delivery | connect time |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";

#[cfg(test)]
mod tests {
    use super::scan;

    #[test]
    fn markers_are_found_even_when_split_across_reads() {
        let mut text = b"data: {\"content\":\"#b1:100#\"} #b2:2".to_vec();
        let mut found = Vec::new();
        scan(&mut text, |s, us| found.push((s, us)));
        text.extend_from_slice(b"00# more");
        scan(&mut text, |s, us| found.push((s, us)));
        assert_eq!(found, vec![(1, 100), (2, 200)]);
    }
}
