//! A big space is written by several fan-out threads at once (docs/SYNC.md, "Guarantees"):
//! with more streams than the publishing task writes alone, and three fan-out threads on a
//! multi-threaded runtime, every stream still gets every delta once, in order, with its
//! `prev` chain unbroken. SQLite only: this is about the fan-out, not the database.

use std::time::Duration;

use crate::helpers::{Backend, id_of, spawn_app_with};
use crate::sync_common::assert_chain;

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_stream_of_a_big_space_gets_every_delta_once_in_order_across_fanout_threads() {
        super::every_stream_of_a_big_space_gets_every_delta_once_in_order_across_fanout_threads(
            crate::helpers::Backend::Sqlite,
        )
        .await
    }
}

/// More than the hub's `PARALLEL_FROM` (256), so the shards are written side by side.
const STREAMS: usize = 300;
const MESSAGES: usize = 40;

async fn every_stream_of_a_big_space_gets_every_delta_once_in_order_across_fanout_threads(
    backend: Backend,
) {
    let app = spawn_app_with(backend, |config| config.fanout_threads = Some(3)).await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Plaza").await);
    let mut readers = Vec::with_capacity(STREAMS);
    for _ in 0..STREAMS {
        let mut sse = app.subscribe(&app.anon, &space, None).await;
        let start = sse.until_live().await.position();
        readers.push(tokio::spawn(async move {
            let deltas = sse.collect_deltas(MESSAGES, Duration::from_secs(60)).await;
            (start, deltas)
        }));
    }
    let mut posted = Vec::with_capacity(MESSAGES);
    for i in 0..MESSAGES {
        let message = app
            .post_intention(&ada, &space, &format!("message {i}"))
            .await;
        posted.push(id_of(&message));
    }
    for reader in readers {
        let (start, deltas) = match reader.await {
            Ok(got) => got,
            Err(failed) => std::panic::resume_unwind(failed.into_panic()),
        };
        assert_chain(start, &deltas);
        let got: Vec<String> = deltas.iter().map(|d| id_of(&d.data["intention"])).collect();
        assert_eq!(got, posted, "every delta once, in order");
    }
}
