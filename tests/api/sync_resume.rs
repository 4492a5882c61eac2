//! Resuming a space's event stream by cursor (docs/SYNC.md, "The stream" and "`prev`"):
//! exactly the missed deltas, in order, each entity once with its latest state, then `live`.

use reqwest::Client;
use serde_json::{Value, json};

use crate::helpers::{Backend, LOBBY_ID, TestApp, id_of, on_both_backends, spawn_app};
use crate::sse::{Catchup, Event, Sse, WAIT};
use crate::sync_common::{assert_chain, position_of, without_online};

on_both_backends!(
    a_reconnect_with_last_event_id_gets_exactly_the_missed_deltas_then_live,
    a_fresh_connection_with_after_gets_exactly_the_missed_deltas_then_live,
    the_last_event_id_header_wins_over_the_after_parameter,
    a_message_edited_twenty_times_while_away_comes_back_once_with_its_final_text,
    a_message_posted_and_deleted_while_away_comes_back_as_one_delete,
    a_cursor_still_resumes_after_the_server_restarts,
    a_resume_among_what_the_node_sent_last_is_served_from_memory,
);

/// A space with a conversation, and a bot waiting in the Lobby to be moved in.
struct Garden {
    ada: Client,
    id: String,
    bot: Value,
    said: Vec<Value>,
}

async fn garden(app: &TestApp) -> Garden {
    let (ada, _) = app.guest("Ada").await;
    let id = id_of(&app.create_space(&ada, "Garden").await);
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let mut said = Vec::new();
    for content in ["one", "two", "three"] {
        said.push(app.post_intention(&ada, &id, content).await);
    }
    Garden { ada, id, bot, said }
}

/// Follows the garden until after one live delta, then disconnects; returns that delta's cursor.
async fn cursor_after_a_live_delta(app: &TestApp, garden: &Garden) -> String {
    let mut sse = app.subscribe(&app.anon, &garden.id, None).await;
    sse.until_live().await.expect_reset("initial");
    let said = app
        .post_intention(&garden.ada, &garden.id, "before the drop")
        .await;
    let delta = sse.expect_event(WAIT).await;
    assert_eq!(delta.data["intention"], said, "{delta:?}");
    delta.id.expect("a delta carries its cursor")
}

/// One change of each kind, on five different entities, while nobody listens. Returns what
/// the deltas should say, in order: the op and the payload fields.
async fn change_everything(app: &TestApp, garden: &Garden) -> Vec<(&'static str, Value)> {
    let (ada, space) = (&garden.ada, garden.id.as_str());
    let posted = app.post_intention(ada, space, "while you were away").await;
    let edit = json!({ "content": "one, edited" });
    let edited = app
        .patch(
            ada,
            &format!("/api/intentions/{}", id_of(&garden.said[0])),
            &edit,
        )
        .await
        .expect(200);
    let deleted = id_of(&garden.said[1]);
    app.delete(ada, &format!("/api/intentions/{deleted}"))
        .await
        .expect_no_content();
    let rename = json!({ "name": "Rose garden" });
    let renamed = app
        .patch(ada, &format!("/api/beings/{space}"), &rename)
        .await
        .expect(200);
    let move_in = json!({ "location_id": space });
    let moved = app
        .patch(
            ada,
            &format!("/api/beings/{}", id_of(&garden.bot)),
            &move_in,
        )
        .await
        .expect(200);
    vec![
        ("intention_upsert", json!({ "intention": posted })),
        ("intention_upsert", json!({ "intention": edited })),
        ("intention_delete", json!({ "id": deleted })),
        ("being_upsert", json!({ "being": renamed })),
        ("being_upsert", json!({ "being": moved })),
    ]
}

#[track_caller]
fn assert_deltas_say(deltas: &[Event], expected: &[(&str, Value)]) {
    let ops: Vec<&str> = deltas.iter().map(Event::op).collect();
    let expected_ops: Vec<&str> = expected.iter().map(|(op, _)| *op).collect();
    assert_eq!(
        ops, expected_ops,
        "the missed deltas, in order: {deltas:#?}"
    );
    for (delta, (_, payload)) in deltas.iter().zip(expected) {
        for (field, value) in payload.as_object().unwrap() {
            let got = match field.as_str() {
                "being" => without_online(&delta.data[field]),
                _ => delta.data[field].clone(),
            };
            assert_eq!(&got, value, "{field} of {delta:?}");
        }
    }
}

/// After the catch-up, a new write arrives live, chained to the catch-up's position.
async fn a_live_write_follows(app: &TestApp, garden: &Garden, sse: &mut Sse, catchup: &Catchup) {
    let said = app
        .post_intention(&garden.ada, &garden.id, "live again")
        .await;
    let delta = sse.expect_event(WAIT).await;
    assert_chain(catchup.position(), std::slice::from_ref(&delta));
    assert_eq!(
        delta.number("pos"),
        catchup.position() + 1,
        "live: prev = pos - 1"
    );
    assert_eq!(delta.op(), "intention_upsert");
    assert_eq!(delta.data["intention"], said);
}

async fn resuming_gets_exactly_the_missed_deltas(backend: Backend, with_header: bool) {
    let app = spawn_app(backend).await;
    let garden = garden(&app).await;
    let cursor = cursor_after_a_live_delta(&app, &garden).await;

    let expected = change_everything(&app, &garden).await;
    let mut sse = if with_header {
        app.subscribe(&app.anon, &garden.id, Some(&cursor)).await
    } else {
        let url = app.events_url(&garden.id, Some(&cursor));
        Sse::connect(&app.anon, &url, None).await
    };
    let catchup = sse.until_live().await;

    let deltas = catchup.expect_catchup(position_of(&cursor));
    assert_deltas_say(deltas, &expected);
    a_live_write_follows(&app, &garden, &mut sse, &catchup).await;
}

async fn a_reconnect_with_last_event_id_gets_exactly_the_missed_deltas_then_live(backend: Backend) {
    resuming_gets_exactly_the_missed_deltas(backend, true).await;
}

async fn a_fresh_connection_with_after_gets_exactly_the_missed_deltas_then_live(backend: Backend) {
    resuming_gets_exactly_the_missed_deltas(backend, false).await;
}

async fn the_last_event_id_header_wins_over_the_after_parameter(backend: Backend) {
    let app = spawn_app(backend).await;
    let garden = garden(&app).await;
    let cursor = cursor_after_a_live_delta(&app, &garden).await;
    let expected = change_everything(&app, &garden).await;

    let garbage_after = app.events_url(&garden.id, Some("garbage"));
    let mut sse = Sse::connect(&app.anon, &garbage_after, Some(&cursor)).await;
    let catchup = sse.until_live().await;
    assert_deltas_say(catchup.expect_catchup(position_of(&cursor)), &expected);

    let good_after = app.events_url(&garden.id, Some(&cursor));
    let mut sse = Sse::connect(&app.anon, &good_after, Some("garbage")).await;
    sse.until_live().await.expect_reset("invalid");
}

async fn a_message_edited_twenty_times_while_away_comes_back_once_with_its_final_text(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let garden = garden(&app).await;
    let cursor = cursor_after_a_live_delta(&app, &garden).await;

    let path = format!("/api/intentions/{}", id_of(&garden.said[2]));
    let mut last = Value::Null;
    for i in 1..=20 {
        let edit = json!({ "content": format!("three, take {i}") });
        last = app.patch(&garden.ada, &path, &edit).await.expect(200);
    }
    let mut sse = app.subscribe(&app.anon, &garden.id, Some(&cursor)).await;
    let catchup = sse.until_live().await;

    let deltas = catchup.expect_catchup(position_of(&cursor));
    assert_eq!(deltas.len(), 1, "one delta for twenty edits: {deltas:#?}");
    assert_eq!(deltas[0].op(), "intention_upsert");
    assert_eq!(deltas[0].data["intention"], last);
    assert_eq!(deltas[0].data["intention"]["content"], "three, take 20");
    assert_eq!(
        deltas[0].number("pos"),
        position_of(&cursor) + 20,
        "every edit was a change, so the position moved by twenty"
    );
}

async fn a_message_posted_and_deleted_while_away_comes_back_as_one_delete(backend: Backend) {
    let app = spawn_app(backend).await;
    let garden = garden(&app).await;
    let cursor = cursor_after_a_live_delta(&app, &garden).await;

    let oops = app.post_intention(&garden.ada, &garden.id, "oops").await;
    app.delete(&garden.ada, &format!("/api/intentions/{}", id_of(&oops)))
        .await
        .expect_no_content();
    let kept = app.post_intention(&garden.ada, &garden.id, "kept").await;
    let mut sse = app.subscribe(&app.anon, &garden.id, Some(&cursor)).await;
    let catchup = sse.until_live().await;

    let deltas = catchup.expect_catchup(position_of(&cursor));
    let expected = [
        ("intention_delete", json!({ "id": id_of(&oops) })),
        ("intention_upsert", json!({ "intention": kept })),
    ];
    assert_deltas_say(deltas, &expected);
    assert_eq!(deltas[0].number("pos"), position_of(&cursor) + 2);
}

async fn a_cursor_still_resumes_after_the_server_restarts(backend: Backend) {
    let app = spawn_app(backend).await;
    let garden = garden(&app).await;
    let cursor = cursor_after_a_live_delta(&app, &garden).await;
    let said = app
        .post_intention(&garden.ada, &garden.id, "just before")
        .await;

    let app = app.restart(|_| {}).await;
    let mut sse = app.subscribe(&app.anon, &garden.id, Some(&cursor)).await;
    let catchup = sse.until_live().await;

    let deltas = catchup.expect_catchup(position_of(&cursor));
    let expected = [("intention_upsert", json!({ "intention": said }))];
    assert_deltas_say(deltas, &expected);
    a_live_write_follows(&app, &garden, &mut sse, &catchup).await;
}

/// While someone streams the space, a node keeps what it sent last: a stream that resumes from
/// a cursor among it gets its catch-up without the change log — here the log is emptied
/// behind the server's back, and the catch-up is still exact.
async fn a_resume_among_what_the_node_sent_last_is_served_from_memory(backend: Backend) {
    let app = spawn_app(backend).await;
    let garden = garden(&app).await;
    let mut watcher = app.subscribe(&app.anon, &garden.id, None).await;
    watcher.until_live().await;
    app.post_intention(&garden.ada, &garden.id, "a").await;
    let cursor = watcher.collect_deltas(1, WAIT).await[0]
        .id
        .clone()
        .expect("a cursor");
    for content in ["b", "c"] {
        app.post_intention(&garden.ada, &garden.id, content).await;
    }
    watcher.collect_deltas(2, WAIT).await;
    rhizom::server::testing::execute(&app.database_url, "DELETE FROM changes")
        .await
        .unwrap();

    let mut resumed = app.subscribe(&app.anon, &garden.id, Some(&cursor)).await;
    let catchup = resumed.until_live().await;
    let contents: Vec<&str> = catchup
        .expect_catchup(position_of(&cursor))
        .iter()
        .map(|d| d.data["intention"]["content"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(contents, ["b", "c"]);
}
