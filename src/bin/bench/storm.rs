//! `storm`: many streams of one space on a node that is stopped (`SIGTERM`, or `SIGKILL`) and
//! started again on its port while a publisher goes on posting. Every stream reconnects with
//! its last cursor, as a browser's `EventSource` does, after a random wait of up to a quarter
//! of a second. Measured: how long until every stream is live again, how many resumed exactly
//! and how many were reset, what was lost (a message accepted but never delivered to a stream
//! that resumed exactly) or delivered twice, the new node's CPU and memory at their peak, and
//! the database's transactions while the streams came back. The node runs `--binary` with this
//! process's environment (the database and the limits come from there).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use rand::Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, Semaphore, watch};
use uuid::Uuid;

use crate::cpu;
use crate::fanout::scan;
use crate::http::{Dechunker, HttpConn, read_head};
use crate::target::Target;

pub const HEADER: &str = "| signal | streams | node down s | all live again s | resumed exactly | reset | lost | duplicated | peak CPU % | peak RSS MiB | database transactions |\n|---|---|---|---|---|---|---|---|---|---|---|";

pub struct StormArgs {
    pub binary: String,
    pub port: u16,
    pub streams: usize,
    /// `TERM` or `KILL`.
    pub signal: String,
    /// Messages posted a second, throughout.
    pub rate: f64,
}

/// What one stream saw.
#[derive(Default)]
struct StreamLog {
    /// Every message's arrivals, by number.
    arrivals: Vec<u8>,
    /// Its last cursor.
    cursor: Option<String>,
    resets_after_start: usize,
    /// When it was last live again after being cut.
    back_at: Option<Instant>,
}

fn start_node(args: &StormArgs) -> anyhow::Result<Child> {
    Ok(Command::new(&args.binary)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", args.port))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?)
}

async fn until_listening(base: &str) -> anyhow::Result<()> {
    for _ in 0..300 {
        if HttpConn::open(base).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    anyhow::bail!("the node did not listen within 6 s")
}

/// Streams live now, and streams live again after being cut.
struct Counts {
    live: Arc<AtomicUsize>,
    back: Arc<AtomicUsize>,
}

/// Reads one stream, reconnecting with its cursor whenever it is cut, until `stop`.
async fn stream(
    base: String,
    path: String,
    seen: Arc<Mutex<StreamLog>>,
    counts: Counts,
    gate: Arc<Semaphore>,
    stop: watch::Receiver<bool>,
) {
    let mut first = true;
    while !*stop.borrow() {
        if !first {
            let wait = rand::rng().random_range(0..250);
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
        let cursor = seen.lock().await.cursor.clone();
        let permit = gate.acquire().await;
        let connected = connect(&base, &path, cursor.as_deref()).await;
        drop(permit);
        let Ok((mut socket, chunked, mut raw)) = connected else {
            continue;
        };
        let mut dechunker = Dechunker::default();
        let mut text = Vec::new();
        let mut chunk = vec![0u8; 16 * 1024];
        let mut counted = false;
        loop {
            if chunked {
                if dechunker.feed(&raw, &mut text).is_err() {
                    break;
                }
            } else {
                text.extend_from_slice(&raw);
            }
            raw.clear();
            let mut events = seen.lock().await;
            while let Some(end) = text.windows(2).position(|w| w == b"\n\n") {
                let event: Vec<u8> = text.drain(..end + 2).collect();
                let event = String::from_utf8_lossy(&event).into_owned();
                for line in event.lines() {
                    if let Some(id) = line.strip_prefix("id: ") {
                        events.cursor = Some(id.to_owned());
                    }
                }
                if event.contains("event: reset") && !first {
                    events.resets_after_start += 1;
                }
                if event.contains("event: live") && !counted {
                    counted = true;
                    counts.live.fetch_add(1, Relaxed);
                    if !first && events.back_at.is_none() {
                        events.back_at = Some(Instant::now());
                        counts.back.fetch_add(1, Relaxed);
                    }
                }
                let mut bytes = event.into_bytes();
                scan(&mut bytes, |seq, _| {
                    if seq < events.arrivals.len() {
                        events.arrivals[seq] = events.arrivals[seq].saturating_add(1);
                    }
                });
            }
            drop(events);
            let read = tokio::select! {
                read = socket.read(&mut chunk) => read,
                _ = tokio::time::sleep(Duration::from_millis(500)) => {
                    if *stop.borrow() { break } else { continue }
                }
            };
            match read {
                Ok(n) if n > 0 => raw.extend_from_slice(&chunk[..n]),
                _ => break,
            }
        }
        if counted {
            counts.live.fetch_sub(1, Relaxed);
        }
        first = false;
    }
}

/// Opens the stream (from `cursor`, if any): the socket, whether the body is chunked, and what
/// came after the head.
async fn connect(
    base: &str,
    path: &str,
    cursor: Option<&str>,
) -> anyhow::Result<(TcpStream, bool, Vec<u8>)> {
    let authority = crate::http::authority(base);
    let mut socket = TcpStream::connect(&authority).await?;
    let resume = cursor
        .map(|c| format!("Last-Event-ID: {c}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nAccept: text/event-stream\r\n{resume}\r\n"
    );
    socket.write_all(request.as_bytes()).await?;
    let mut buf = Vec::new();
    let (status, headers) = read_head(&mut socket, &mut buf).await?;
    anyhow::ensure!(status == 200, "the stream answered {status}");
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    Ok((socket, chunked, buf))
}

/// Posts message after message at `rate` a second until `stop`, each retried with its own id
/// until the server takes it; how many were taken.
async fn publish(
    target: Arc<Target>,
    rate: f64,
    limit: usize,
    stop: watch::Receiver<bool>,
) -> usize {
    let every = Duration::from_secs_f64(1.0 / rate);
    let mut seq = 0;
    let mut conn: Option<HttpConn> = None;
    while !*stop.borrow() && seq < limit {
        let id = Uuid::new_v4();
        loop {
            let open = match conn.take() {
                Some(open) => Ok(open),
                None => HttpConn::open(&target.base).await,
            };
            if let Ok(mut open) = open
                && target
                    .post_as(&mut open, id, &format!("storm #b{seq}:0#"))
                    .await
                    .is_ok()
            {
                conn = Some(open);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        seq += 1;
        tokio::time::sleep(every).await;
    }
    seq
}

/// `(CPU %, RSS MiB)` at their peaks, sampled every 100 ms until `stop`.
async fn watch_peak(pid: u32, stop: watch::Receiver<bool>) -> (f64, f64) {
    let (mut cpu_peak, mut rss_peak) = (0.0_f64, 0.0_f64);
    let mut last = (Instant::now(), cpu::used_ns(&[pid]).unwrap_or(0));
    while !*stop.borrow() {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = (Instant::now(), cpu::used_ns(&[pid]).unwrap_or(last.1));
        let wall = now.0.duration_since(last.0).as_nanos() as f64;
        cpu_peak = cpu_peak.max((now.1 - last.1) as f64 / wall * 100.0);
        last = now;
        let rss_kib = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches(" kB").parse::<f64>().ok())
            })
            .unwrap_or(0.0);
        rss_peak = rss_peak.max(rss_kib / 1024.0);
    }
    (cpu_peak, rss_peak)
}

/// Transactions the PostgreSQL database has run so far; `None` on SQLite.
async fn transactions() -> Option<i64> {
    let url = std::env::var("DATABASE_URL").ok()?;
    if !url.starts_with("postgres") {
        return None;
    }
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .ok()?;
    let count: Option<i64> = sqlx::query_scalar(
        "SELECT (xact_commit + xact_rollback)::bigint FROM pg_stat_database \
         WHERE datname = current_database()",
    )
    .fetch_one(&mut conn)
    .await
    .ok();
    count
}

/// Waits until `count` reaches `streams` (two minutes at most).
async fn until_all(count: &AtomicUsize, streams: usize, what: &str) -> anyhow::Result<()> {
    let began = Instant::now();
    while count.load(Relaxed) < streams {
        anyhow::ensure!(
            began.elapsed() < Duration::from_secs(120),
            "only {} of {streams} streams {what}",
            count.load(Relaxed),
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

pub async fn run(args: StormArgs) -> anyhow::Result<String> {
    /// The most messages one run posts (each stream counts every one's arrivals).
    const MAX_MESSAGES: usize = 4096;
    let base = format!("http://127.0.0.1:{}", args.port);
    let mut node = start_node(&args)?;
    until_listening(&base).await?;
    let target = Arc::new(Target::rhizom(&base).await?);
    let path = target.stream_path();
    let live = Arc::new(AtomicUsize::new(0));
    let back = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(Semaphore::new(256));
    let (stop_tx, stop) = watch::channel(false);
    let mut seen = Vec::with_capacity(args.streams);
    let mut readers = Vec::with_capacity(args.streams);
    for _ in 0..args.streams {
        let one = Arc::new(Mutex::new(StreamLog {
            arrivals: vec![0; MAX_MESSAGES],
            ..StreamLog::default()
        }));
        seen.push(one.clone());
        readers.push(tokio::spawn(stream(
            base.clone(),
            path.clone(),
            one,
            Counts {
                live: live.clone(),
                back: back.clone(),
            },
            gate.clone(),
            stop.clone(),
        )));
    }
    until_all(&live, args.streams, "came live").await?;
    let (publishing_tx, publishing) = watch::channel(false);
    let publisher = tokio::spawn(publish(target.clone(), args.rate, MAX_MESSAGES, publishing));
    tokio::time::sleep(Duration::from_secs(2)).await;

    // The storm: the node goes, and comes back on its port.
    let signalled = Instant::now();
    let status = Command::new("kill")
        .args([format!("-{}", args.signal), node.id().to_string()])
        .status()?;
    anyhow::ensure!(status.success(), "kill -{} failed", args.signal);
    node.wait()?;
    let down_for = signalled.elapsed();
    let before = transactions().await;
    node = start_node(&args)?;
    let (peak_tx, peak_stop) = watch::channel(false);
    let peak = tokio::spawn(watch_peak(node.id(), peak_stop));
    until_all(&back, args.streams, "came back").await?;
    let after = transactions().await;
    let _ = peak_tx.send(true);
    let (cpu_peak, rss_peak) = peak.await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = publishing_tx.send(true);
    let published = publisher.await?;
    // Time for the last messages to arrive.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _ = stop_tx.send(true);
    for reader in readers {
        let _ = reader.await;
    }
    let _ = node.kill();
    let _ = node.wait();

    let (mut exact, mut reset, mut lost, mut duplicated) = (0, 0, 0, 0);
    let mut last_back = signalled;
    for one in &seen {
        let one = one.lock().await;
        if let Some(back) = one.back_at {
            last_back = last_back.max(back);
        }
        if one.resets_after_start > 0 {
            reset += 1;
            continue;
        }
        exact += 1;
        for &count in &one.arrivals[..published] {
            match count {
                0 => lost += 1,
                1 => {}
                n => duplicated += usize::from(n) - 1,
            }
        }
    }
    let queries = match (before, after) {
        (Some(before), Some(after)) => (after - before).to_string(),
        _ => "— (SQLite)".to_owned(),
    };
    Ok(format!(
        "| {} | {} | {:.2} | {:.2} | {exact} | {reset} | {lost} | {duplicated} | {cpu_peak:.0} | {rss_peak:.1} | {queries} |",
        args.signal,
        args.streams,
        down_for.as_secs_f64(),
        last_back.duration_since(signalled).as_secs_f64(),
    ))
}
