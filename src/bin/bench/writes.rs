//! `writes`: how many changes a second one PostgreSQL commits, and how long each takes, at 1,
//! 16 and 64 concurrent writers. Beside posts through rhizom's nodes (each writer its own guest
//! and space, writers spread over the nodes), three bare transactions of rhizom's shape on the
//! same database (`INSERT … ON CONFLICT DO UPDATE … RETURNING` of the space's position, then the
//! change's row): without any notification; with `pg_notify` inside the transaction (how every
//! change was announced before docs/SYNC.md's announcements); and with the notification sent
//! after commit by one task that batches what queued meanwhile (how a node announces now).

use std::time::{Duration, Instant};

use sqlx::postgres::{PgPool, PgPoolOptions};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::http::HttpConn;
use crate::stats::percentile;
use crate::target::Target;

pub const HEADER: &str =
    "| writes | writers | per second | p50 ms | p99 ms |\n|---|---|---|---|---|";

/// The ways a change is written.
#[derive(Clone, Copy)]
enum Shape {
    /// Posted through rhizom's nodes.
    Posts,
    /// The bare transaction, nobody notified.
    Bare,
    /// The bare transaction with `pg_notify` before its commit.
    NotifyInside,
    /// The bare transaction, then notified after commit by one batching task.
    NotifyAfter,
}

impl Shape {
    fn label(self, nodes: usize) -> String {
        match self {
            Shape::Posts => format!("rhizom posts through {nodes} node(s)"),
            Shape::Bare => "bare transaction, no NOTIFY".to_owned(),
            Shape::NotifyInside => "bare transaction, NOTIFY inside it".to_owned(),
            Shape::NotifyAfter => "bare transaction, NOTIFY after commit, batched".to_owned(),
        }
    }
}

/// A row per shape and writer count, each run for `seconds`.
pub async fn run(
    urls: &[String],
    database_url: &str,
    writers: &[usize],
    seconds: f64,
) -> anyhow::Result<String> {
    let pool = PgPoolOptions::new()
        .max_connections(writers.iter().copied().max().unwrap_or(1) as u32 + 1)
        .connect(database_url)
        .await?;
    let span = Duration::from_secs_f64(seconds);
    let mut rows = vec![HEADER.to_owned()];
    for shape in [
        Shape::Posts,
        Shape::Bare,
        Shape::NotifyInside,
        Shape::NotifyAfter,
    ] {
        for &n in writers {
            let (count, mut latencies) = match shape {
                Shape::Posts => posts(urls, n, span).await?,
                _ => transactions(&pool, shape, n, span).await?,
            };
            latencies.sort_unstable();
            rows.push(format!(
                "| {} | {n} | {:.0} | {:.2} | {:.2} |",
                shape.label(urls.len()),
                count as f64 / seconds,
                percentile(&latencies, 0.50),
                percentile(&latencies, 0.99),
            ));
        }
    }
    Ok(rows.join("\n"))
}

/// Runs `writers` copies of `write` until `span` has passed: how many writes, and each one's
/// latency (µs).
async fn for_a_while<S>(
    writers: Vec<S>,
    span: Duration,
    write: impl AsyncFn(&mut S, usize) -> anyhow::Result<()>,
) -> anyhow::Result<(usize, Vec<u32>)> {
    let stop = Instant::now() + span;
    let write = &write;
    let runs = writers.into_iter().map(|mut writer| async move {
        let mut latencies = Vec::new();
        while Instant::now() < stop {
            let began = Instant::now();
            write(&mut writer, latencies.len()).await?;
            latencies.push(began.elapsed().as_micros() as u32);
        }
        anyhow::Ok(latencies)
    });
    let all: Vec<u32> = futures_util::future::try_join_all(runs)
        .await?
        .into_iter()
        .flatten()
        .collect();
    Ok((all.len(), all))
}

async fn posts(
    urls: &[String],
    writers: usize,
    span: Duration,
) -> anyhow::Result<(usize, Vec<u32>)> {
    let mut each = Vec::with_capacity(writers);
    for i in 0..writers {
        let url = &urls[i % urls.len()];
        each.push((Target::rhizom(url).await?, HttpConn::open(url).await?));
    }
    for_a_while(
        each,
        span,
        async |(target, conn): &mut (Target, HttpConn), n| {
            target
                .publish(conn, &format!("message {n} of an ordinary length"))
                .await
        },
    )
    .await
}

async fn transactions(
    pool: &PgPool,
    shape: Shape,
    writers: usize,
    span: Duration,
) -> anyhow::Result<(usize, Vec<u32>)> {
    let (queue, queued) = mpsc::unbounded_channel();
    let announcer = tokio::spawn(announce(pool.clone(), queued));
    let each: Vec<_> = (0..writers)
        .map(|_| (pool.clone(), Uuid::new_v4(), queue.clone()))
        .collect();
    drop(queue);
    let write = async |(pool, space, queue): &mut (PgPool, Uuid, mpsc::UnboundedSender<String>),
                       _| {
        let mut tx = pool.begin().await?;
        let position: i64 = sqlx::query_scalar(
            "INSERT INTO space_positions (space_id, position, floor) VALUES ($1, 1, 0) \
             ON CONFLICT (space_id) DO UPDATE SET position = space_positions.position + 1 \
             RETURNING position",
        )
        .bind(*space)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO changes (space_id, position, entity, entity_id, change, created_at) \
             VALUES ($1, $2, 'intention', $3, $4, 0)",
        )
        .bind(*space)
        .bind(position)
        .bind(Uuid::new_v4())
        .bind(r#"{"op":"intention_delete","id":"00000000-0000-0000-0000-000000000000"}"#)
        .execute(&mut *tx)
        .await?;
        let payload = format!("{space} {position}");
        if let Shape::NotifyInside = shape {
            sqlx::query("SELECT pg_notify('rhizom_bench', $1)")
                .bind(&payload)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        if let Shape::NotifyAfter = shape {
            let _ = queue.send(payload);
        }
        Ok(())
    };
    let result = for_a_while(each, span, write).await;
    // Every writer's sender is gone: the announcer sends what is left and ends.
    announcer.await??;
    result
}

/// Sends whatever queued while the last notification was on its way, in one statement: as
/// many payloads of at most 7,999 bytes as it takes.
async fn announce(pool: PgPool, mut queued: mpsc::UnboundedReceiver<String>) -> anyhow::Result<()> {
    let mut batch = Vec::new();
    while queued.recv_many(&mut batch, 4096).await > 0 {
        let mut payloads = vec![String::new()];
        for line in batch.drain(..) {
            let last = payloads.last_mut().expect("one at least");
            if last.len() + line.len() + 1 > 7999 {
                payloads.push(line);
            } else {
                last.push('\n');
                last.push_str(&line);
            }
        }
        sqlx::query("SELECT pg_notify('rhizom_bench', p) FROM unnest($1::text[]) AS p")
            .bind(&payloads)
            .execute(&pool)
            .await?;
    }
    Ok(())
}
