//! Bounded answers (docs/SYNC.md, "Limits"): a catch-up longer than its limits (in changes or
//! in bytes) is a `reset` with reason `too_large` — on the stream and the polling endpoint
//! alike — so what one resume sends stays under a fixed bound; a reset's snapshot carries a
//! first page of beings; the spaces and a space's beings are read a page at a time.

use serde_json::Value;

use crate::helpers::{Backend, id_of, on_both_backends, spawn_app_with};
use crate::sse::Sse;
use crate::sync_common::position_of;

on_both_backends!(
    a_resume_past_the_catch_up_limits_is_a_too_large_reset_within_a_fixed_bound,
    a_catch_up_within_the_limits_is_exact,
    spaces_and_beings_are_read_a_page_at_a_time,
);

/// The biggest message there is: 4,000 characters of four bytes each.
fn big(i: usize) -> String {
    format!("{i:04} {}", "\u{1f331}".repeat(3995))
}

async fn a_resume_past_the_catch_up_limits_is_a_too_large_reset_within_a_fixed_bound(
    backend: Backend,
) {
    const LIMIT: usize = 256 * 1024;
    let app = spawn_app_with(backend, |config| config.catch_up_max_bytes = LIMIT).await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let from = sse.until_live().await.cursor();
    drop(sse);
    for i in 0..80 {
        app.post_intention(&ada, &space, &big(i)).await;
    }
    // The stream: one reset, not 80 deltas of 16 KB.
    let mut resumed = Sse::connect(&app.anon, &app.events_url(&space, Some(&from)), None).await;
    let opening = resumed.until_live().await;
    let reset = opening.expect_reset("too_large");
    assert_eq!(
        reset["intentions"].as_array().unwrap().len(),
        50,
        "a page, not all"
    );
    // Everything sent: the catch-up's limit, at most, or a snapshot (a page of the biggest
    // messages there are, and of beings) and the events around it.
    let bound = LIMIT.max(50 * 16 * 1024 + 64 * 1024);
    let sent = serde_json::to_string(&reset).unwrap().len();
    assert!(sent < bound, "{sent} bytes");
    // The polling endpoint decides the same.
    let polled = app.changes(&space, Some(&from)).await.expect(200);
    assert_eq!(polled["type"], "reset");
    assert_eq!(polled["reason"], "too_large");
}

async fn a_catch_up_within_the_limits_is_exact(backend: Backend) {
    let app = spawn_app_with(backend, |config| config.catch_up_max_changes = 5).await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    let mut cursors = Vec::new();
    let mut sse = app.subscribe(&app.anon, &space, None).await;
    cursors.push(sse.until_live().await.cursor());
    for i in 0..8 {
        app.post_intention(&ada, &space, &format!("message {i}"))
            .await;
        let delta = sse.next_op("intention_upsert", crate::sse::WAIT).await;
        cursors.push(delta.id.clone().unwrap());
    }
    // Five behind: exact. Six or more behind: a reset.
    let near = &cursors[3];
    let caught = app
        .subscribe(&app.anon, &space, Some(near))
        .await
        .until_live()
        .await;
    assert_eq!(caught.expect_catchup(position_of(near)).len(), 5);
    let far = &cursors[2];
    let reset = app
        .subscribe(&app.anon, &space, Some(far))
        .await
        .until_live()
        .await;
    reset.expect_reset("too_large");
}

async fn spaces_and_beings_are_read_a_page_at_a_time(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let (ada, _) = app.guest("Ada").await;
    let mut made = Vec::new();
    for i in 0..6 {
        made.push(id_of(&app.create_space(&ada, &format!("Space {i}")).await));
    }
    let first = app.get(&app.anon, "/api/spaces?limit=3").await.expect(200);
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    let next = first["next"].as_str().expect("more spaces").to_owned();
    let second = app
        .get(&app.anon, &format!("/api/spaces?limit=3&after={next}"))
        .await
        .expect(200);
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(id_of)
            .collect()
    };
    let mut all = ids(&first);
    all.extend(ids(&second));
    assert_eq!(all.len(), 6, "the Lobby and five of Ada's, then the last");
    assert!(
        all.iter()
            .all(|id| !ids(&second).contains(id) || !ids(&first).contains(id))
    );
    let last = app
        .get(
            &app.anon,
            &format!(
                "/api/spaces?limit=3&after={}",
                second["next"].as_str().unwrap()
            ),
        )
        .await
        .expect(200);
    assert_eq!(ids(&last), vec![made[5].clone()]);
    assert!(last["next"].is_null());
    app.get(&app.anon, "/api/spaces?after=nonsense")
        .await
        .expect_error(400, "bad_request", Some("after"));

    // A space with more beings than a snapshot carries.
    let crowd = made[0].clone();
    for i in 0..105 {
        app.create_being(&ada, "document", &format!("Note {i:03}"), Some(&crowd))
            .await;
    }
    let snapshot = app
        .subscribe(&app.anon, &crowd, None)
        .await
        .until_live()
        .await;
    let reset = snapshot.expect_reset("initial");
    assert_eq!(reset["beings"].as_array().unwrap().len(), 100);
    let more = reset["more_beings"]
        .as_str()
        .expect("a cursor for the rest")
        .to_owned();
    let rest = app
        .get(
            &app.anon,
            &format!("/api/spaces/{crowd}/beings?after={more}"),
        )
        .await
        .expect(200);
    assert_eq!(rest["items"].as_array().unwrap().len(), 5);
    assert!(rest["next"].is_null());
    assert_eq!(app.beings_in(&crowd).await.len(), 105);
}
