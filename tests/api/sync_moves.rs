//! Beings coming and going as deltas (docs/SYNC.md, "Delta ops"): a move is a `being_delete`
//! in the space left and a `being_upsert` in the space entered; a deleted space ends its stream.

use serde_json::json;

use crate::helpers::{Backend, LOBBY_ID, id_of, on_both_backends, spawn_app};
use crate::sse::{Next, WAIT};
use crate::sync_common::{assert_chain, without_online};

on_both_backends!(
    a_being_moved_to_another_space_leaves_one_stream_and_enters_the_other,
    a_being_created_and_deleted_in_a_space_is_an_upsert_then_a_delete,
    deleting_a_space_tells_its_subscribers_and_ends_their_stream,
);

async fn a_being_moved_to_another_space_leaves_one_stream_and_enters_the_other(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let from = id_of(&app.create_space(&ada, "Garden").await);
    let to = id_of(&app.create_space(&ada, "Orchard").await);
    let bot = app.create_being(&ada, "bot", "Helper", Some(&from)).await;
    let mut in_from = app.subscribe(&app.anon, &from, None).await;
    let left = in_from.until_live().await;
    let mut in_to = app.subscribe(&app.anon, &to, None).await;
    let entered = in_to.until_live().await;

    let moved = app
        .patch(
            &ada,
            &format!("/api/beings/{}", id_of(&bot)),
            &json!({ "location_id": to }),
        )
        .await
        .expect(200);

    let delta = in_from.expect_event(WAIT).await;
    assert_chain(left.position(), std::slice::from_ref(&delta));
    assert_eq!(delta.op(), "being_delete", "{delta:?}");
    assert_eq!(delta.data["id"], bot["id"]);
    let delta = in_to.expect_event(WAIT).await;
    assert_chain(entered.position(), std::slice::from_ref(&delta));
    assert_eq!(delta.op(), "being_upsert", "{delta:?}");
    assert_eq!(without_online(&delta.data["being"]), moved);
}

async fn a_being_created_and_deleted_in_a_space_is_an_upsert_then_a_delete(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let catchup = sse.until_live().await;

    let doc = app
        .create_being(&ada, "document", "Notes", Some(&space))
        .await;
    app.create_being(&ada, "document", "Elsewhere", Some(LOBBY_ID))
        .await;
    app.delete(&ada, &format!("/api/beings/{}", id_of(&doc)))
        .await
        .expect_no_content();

    let deltas = sse.collect_deltas(2, WAIT).await;
    assert_chain(catchup.position(), &deltas);
    assert_eq!(deltas[0].op(), "being_upsert", "{deltas:?}");
    assert_eq!(without_online(&deltas[0].data["being"]), doc);
    assert_eq!(deltas[1].op(), "being_delete", "{deltas:?}");
    assert_eq!(deltas[1].data["id"], doc["id"]);
    let more = sse
        .events_within(std::time::Duration::from_millis(300))
        .await;
    assert!(
        more.is_empty(),
        "a being in another space is not news here: {more:?}"
    );
}

async fn deleting_a_space_tells_its_subscribers_and_ends_their_stream(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let space = id_of(&app.create_space(&ada, "Garden").await);
    app.create_being(&ada, "bot", "Helper", Some(&space)).await;
    app.post_intention(&ada, &space, "soon gone").await;
    let mut sse = app.subscribe(&app.anon, &space, None).await;
    let catchup = sse.until_live().await;

    app.delete(&ada, &format!("/api/beings/{space}"))
        .await
        .expect_no_content();

    let mut deltas = Vec::new();
    loop {
        match sse.next(WAIT).await {
            Next::Event(event) => deltas.push(event),
            Next::End => break,
            Next::Timeout => panic!("the stream of a deleted space stays open: {deltas:?}"),
        }
        assert!(deltas.len() < 100, "the stream does not end: {deltas:?}");
    }
    assert_chain(catchup.position(), &deltas);
    let last = deltas.last().expect("the deletion is announced");
    assert_eq!(last.op(), "being_delete", "{last:?}");
    assert_eq!(
        last.data["id"],
        space.as_str(),
        "the space itself was deleted"
    );
    let path = format!("/api/spaces/{space}/events");
    let reply = tokio::time::timeout(WAIT, app.get(&app.anon, &path))
        .await
        .expect("a deleted space is not streamed");
    reply.expect_error(404, "not_found", None);
}
