//! `scale`: how fast messages can be posted, and how long a post and a page read take, in a
//! space that is empty and in one that already holds many messages. Per-change cost should not
//! grow with the space. The spaces are filled first, then posted into in turns, so that a
//! machine busy with something else for a while does not favour one size.

use std::time::Instant;

use crate::http::HttpConn;
use crate::stats::percentile;
use crate::target::Target;

pub const HEADER: &str = "| messages already in the space | posts | concurrent clients | posts/s | post p50 ms | post p99 ms | newest-page read p50 ms | read p99 ms |\n|---|---|---|---|---|---|---|---|";

/// Posts `count` messages over `clients` connections; returns each post's latency (µs).
async fn post_many(target: &Target, count: usize, clients: usize) -> anyhow::Result<Vec<u32>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = (0..clients).map(|_| async {
        let mut conn = HttpConn::open(&target.base).await?;
        let mut latencies = Vec::new();
        loop {
            let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if n >= count {
                return anyhow::Ok(latencies);
            }
            let began = Instant::now();
            target
                .publish(&mut conn, &format!("message {n} of an ordinary length"))
                .await?;
            latencies.push(began.elapsed().as_micros() as u32);
        }
    });
    let mut all = Vec::with_capacity(count);
    for latencies in futures_util::future::try_join_all(workers).await? {
        all.extend(latencies);
    }
    Ok(all)
}

/// Reads the newest page `count` times; returns each read's latency (µs).
async fn read_many(target: &Target, count: usize) -> anyhow::Result<Vec<u32>> {
    let (space_id, _) = target
        .rhizom_parts()
        .ok_or_else(|| anyhow::anyhow!("scale runs against rhizom"))?;
    let path = format!("/api/spaces/{space_id}/intentions?limit=50");
    let mut conn = HttpConn::open(&target.base).await?;
    let mut latencies = Vec::with_capacity(count);
    for _ in 0..count {
        let began = Instant::now();
        let page = conn.request("GET", &path, &[], b"").await?;
        anyhow::ensure!(
            page.status == 200,
            "reading a page answered {}",
            page.status
        );
        latencies.push(began.elapsed().as_micros() as u32);
    }
    Ok(latencies)
}

/// Timed posts go in this many turns per space, the spaces taking turns: whatever else the
/// machine is doing meanwhile falls on every size alike.
const TURNS: usize = 10;

/// One row per size: a fresh space filled to `size` (untimed), then `posts` timed posts into
/// each, in turns.
pub async fn run(
    url: &str,
    sizes: &[usize],
    posts: usize,
    clients: usize,
) -> anyhow::Result<String> {
    let mut spaces = Vec::with_capacity(sizes.len());
    for &size in sizes {
        let target = Target::rhizom(url).await?;
        post_many(&target, size, clients).await?;
        spaces.push((size, target, Vec::with_capacity(posts), 0.0));
    }
    for turn in 0..TURNS {
        let share = posts / TURNS + usize::from(turn < posts % TURNS);
        // Who goes first changes from turn to turn.
        let n = spaces.len();
        for i in 0..n {
            let (_, target, writes, elapsed) = &mut spaces[(turn + i) % n];
            let began = Instant::now();
            writes.extend(post_many(target, share, clients).await?);
            *elapsed += began.elapsed().as_secs_f64();
        }
    }
    let mut rows = vec![HEADER.to_owned()];
    for (size, target, mut writes, elapsed) in spaces {
        let mut reads = read_many(&target, 500).await?;
        writes.sort_unstable();
        reads.sort_unstable();
        rows.push(format!(
            "| {size} | {posts} | {clients} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} |",
            posts as f64 / elapsed,
            percentile(&writes, 0.50),
            percentile(&writes, 0.99),
            percentile(&reads, 0.50),
            percentile(&reads, 0.99),
        ));
    }
    Ok(rows.join("\n"))
}
