//! Typing (docs/SYNC.md, "Typing"): whoever may post in a space (anyone signed in but those
//! removed from it) may say they are typing; the space's live streams get an `event: typing`
//! with no id, and nothing is kept — a resume does not bring it again.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{Backend, id_of, on_both_backends, spawn_app};
use crate::sse::WAIT;

on_both_backends!(
    typing_reaches_the_spaces_streams_and_is_never_replayed,
    only_a_signed_in_being_who_may_post_says_it_is_typing,
);

async fn typing_reaches_the_spaces_streams_and_is_never_replayed(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, ada_being) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Studio").await);
    let mut watcher = app.subscribe(&app.anon, &space, None).await;
    let cursor = watcher.until_live().await.cursor();

    let typing = format!("/api/spaces/{space}/typing");
    app.post(&ada, &typing, &json!({}))
        .await
        .expect_no_content();
    let heard = watcher.until_event("typing", WAIT).await;
    assert_eq!(heard.id, None, "no id: it is not a position to resume from");
    assert_eq!(heard.data["being_id"], ada_being["id"]);
    assert_eq!(heard.data["name"], "Ada");

    // Resumed from before it: the catch-up has no typing in it, and neither has the log.
    app.post_intention(&ada, &space, "hello").await;
    let mut resumed = app.subscribe(&app.anon, &space, Some(&cursor)).await;
    let caught_up = resumed.until_live().await;
    assert!(caught_up.reset.is_none());
    let ops: Vec<&str> = caught_up.deltas.iter().map(|d| d.op()).collect();
    assert_eq!(ops, ["intention_upsert"], "only the message");
    let after: Vec<String> = resumed
        .events_within(Duration::from_millis(500))
        .await
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert!(!after.contains(&"typing".to_owned()), "{after:?}");
    let changes: Value = app
        .get(
            &app.anon,
            &format!("/api/spaces/{space}/changes?after={cursor}"),
        )
        .await
        .expect(200);
    assert!(!changes.to_string().contains("typing"), "{changes}");
}

async fn only_a_signed_in_being_who_may_post_says_it_is_typing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let (mallory, mallory_being) = app.guest("Mallory").await;
    let space = id_of(&app.create_space(&ada, "Studio").await);
    let typing = format!("/api/spaces/{space}/typing");
    app.post(&app.anon, &typing, &json!({}))
        .await
        .expect_error(401, "unauthorized", None);
    let nowhere = format!("/api/spaces/{}/typing", uuid::Uuid::now_v7());
    app.post(&ada, &nowhere, &json!({}))
        .await
        .expect_error(404, "not_found", None);
    app.post(&mallory, &typing, &json!({}))
        .await
        .expect_no_content();
    let removal = format!("/api/spaces/{space}/beings/{}", id_of(&mallory_being));
    app.delete(&ada, &removal).await.expect_no_content();
    app.post(&mallory, &typing, &json!({}))
        .await
        .expect_error(403, "forbidden", None);
}
