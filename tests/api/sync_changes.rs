//! Polling (docs/SYNC.md, "Polling"): `GET /api/spaces/{id}/changes?after=` makes the same
//! decision as the stream and gives the same deltas, or the same reset, as one JSON document.

use serde_json::{Value, json};

use crate::helpers::{Backend, LOBBY_ID, TestApp, id_of, on_both_backends, spawn_app_with};
use crate::sse::{Event, Sse, WAIT};
use crate::sync_common::{assert_chain, assert_reset_body, epoch_of, other_epoch};

on_both_backends!(
    polling_changes_returns_exactly_the_deltas_the_stream_gives,
    polling_without_a_usable_cursor_returns_the_same_reset_as_the_stream,
    polling_the_changes_of_a_space_that_does_not_exist_is_not_found,
);

fn data(deltas: &[Event]) -> Value {
    json!(deltas.iter().map(|d| d.data.clone()).collect::<Vec<_>>())
}

#[track_caller]
fn assert_deltas(body: &Value, epoch: &str, position: u64, deltas: &[Event]) {
    assert_eq!(body["type"], "deltas", "{body}");
    assert_eq!(body["epoch"], epoch);
    assert_eq!(body["position"], position, "{body}");
    assert_eq!(body["deltas"], data(deltas));
}

async fn polling_changes_returns_exactly_the_deltas_the_stream_gives(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let one = app.post_intention(&ada, &space, "one").await;
    let two = app.post_intention(&ada, &space, "two").await;
    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let initial = sse.until_live().await;
    let cursor = initial.cursor();
    let epoch = epoch_of(&cursor).to_owned();

    app.post_intention(&ada, &space, "three").await;
    let edit = json!({ "content": "one, edited" });
    app.patch(&ada, &format!("/api/intentions/{}", id_of(&one)), &edit)
        .await
        .expect(200);
    app.delete(&ada, &format!("/api/intentions/{}", id_of(&two)))
        .await
        .expect_no_content();
    let rename = json!({ "name": "Rose garden" });
    app.patch(&ada, &format!("/api/beings/{space}"), &rename)
        .await
        .expect(200);
    let move_in = json!({ "location_id": space });
    app.patch(&ada, &format!("/api/beings/{}", id_of(&bot)), &move_in)
        .await
        .expect(200);
    let live = sse.collect_deltas(5, WAIT).await;
    let head = assert_chain(initial.position(), &live);

    let body = app.changes(&space, Some(&cursor)).await.expect(200);
    assert_deltas(&body, &epoch, head, &live);
    let from_the_middle = live[2].id.clone().unwrap();
    let body = app
        .changes(&space, Some(&from_the_middle))
        .await
        .expect(200);
    assert_deltas(&body, &epoch, head, &live[3..]);
    let body = app
        .changes(&space, Some(&format!("{epoch}:{head}")))
        .await
        .expect(200);
    assert_deltas(&body, &epoch, head, &[]);

    // Coalesced the same way as a stream's catch-up.
    for i in 1..=3 {
        let edit = json!({ "content": format!("one, take {i}") });
        app.patch(&ada, &format!("/api/intentions/{}", id_of(&one)), &edit)
            .await
            .expect(200);
    }
    let at_head = format!("{epoch}:{head}");
    let mut resumed = app.subscribe(&app.anon, &space, Some(&at_head)).await;
    let catchup = resumed.until_live().await;
    let caught_up = catchup.expect_catchup(head);
    assert_eq!(caught_up.len(), 1, "{caught_up:?}");
    let body = app.changes(&space, Some(&at_head)).await.expect(200);
    assert_deltas(&body, &epoch, catchup.position(), caught_up);
}

/// The reset a stream opened with `after` starts with.
async fn stream_reset(app: &TestApp, space: &str, after: Option<&str>, reason: &str) -> Value {
    let mut sse = Sse::connect(&app.anon, &app.events_url(space, after), None).await;
    sse.until_live().await.expect_reset(reason).clone()
}

async fn polling_without_a_usable_cursor_returns_the_same_reset_as_the_stream(backend: Backend) {
    let app = spawn_app_with(backend, |config| config.change_window = 5).await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    app.create_being(&ada, "bot", "Helper", Some(&space)).await;
    app.post_intention(&ada, &space, "one").await;
    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let early = sse.until_live().await.cursor();
    for i in 0..20 {
        app.post_intention(&ada, &space, &format!("message {i}"))
            .await;
    }
    let head = sse
        .collect_deltas(20, WAIT)
        .await
        .last()
        .unwrap()
        .number("pos");
    let epoch = epoch_of(&early).to_owned();

    let cases = [
        (None, "initial"),
        (Some("garbage".to_owned()), "invalid"),
        (Some(format!("{}:1", other_epoch(&epoch))), "epoch"),
        (Some(format!("{epoch}:{}", head + 1)), "ahead"),
        (Some(early.clone()), "expired"),
    ];
    for (after, reason) in cases {
        let mut body = app.changes(&space, after.as_deref()).await.expect(200);
        assert_eq!(body["type"], "reset", "{body}");
        assert_reset_body(&body, reason);
        assert_eq!(body["position"], head, "a reset is at the head: {body}");
        let streamed = stream_reset(&app, &space, after.as_deref(), reason).await;
        body.as_object_mut().unwrap().remove("type");
        assert_eq!(
            body, streamed,
            "/changes and the stream agree for {after:?}"
        );
    }
}

async fn polling_the_changes_of_a_space_that_does_not_exist_is_not_found(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let (ada, _) = app.guest("Ada").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let unknown = uuid::Uuid::now_v7().to_string();

    for id in [unknown, id_of(&bot)] {
        for after in [None, Some("garbage")] {
            let reply = app.changes(&id, after).await;
            reply.expect_error(404, "not_found", None);
        }
    }
    let reply = app.changes("not-a-uuid", None).await;
    reply.expect_error(400, "bad_request", None);
}
