//! Reading a space's conversation: `GET /api/spaces/{id}/intentions?before=&limit=`.

use std::collections::HashSet;

use serde_json::Value;

use crate::contract::{assert_intention, assert_newest_first};
use crate::helpers::{Backend, LOBBY_ID, TestApp, id_of, on_both_backends, spawn_app};

on_both_backends!(
    intentions_are_listed_newest_first,
    a_space_lists_only_its_own_intentions,
    paging_through_all_pages_returns_every_intention_exactly_once,
    intentions_posted_while_paging_do_not_disturb_the_older_pages,
    the_default_page_size_is_50_and_a_limit_of_1_to_200_is_honoured,
    a_limit_outside_1_to_200_is_a_bad_request,
    a_cursor_that_was_not_issued_by_the_server_is_a_bad_request,
    listing_the_intentions_of_something_that_is_not_a_space_is_not_found,
);

/// Posts `n` intentions to `space_id`, alternating between two guests; returns them oldest first.
async fn post_many(app: &TestApp, space_id: &str, n: usize) -> Vec<Value> {
    let (ada, _) = app.guest("Ada").await;
    let (bob, _) = app.guest("Bob").await;
    let mut posted = Vec::with_capacity(n);
    for i in 0..n {
        let client = if i % 2 == 0 { &ada } else { &bob };
        posted.push(
            app.post_intention(client, space_id, &format!("message {i}"))
                .await,
        );
    }
    posted
}

fn newest_first(mut posted: Vec<Value>) -> Vec<Value> {
    posted.reverse();
    posted
}

fn items(page: &Value) -> Vec<Value> {
    let items = page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items array in {page}"))
        .clone();
    items.iter().for_each(assert_intention);
    items
}

fn next(page: &Value) -> Option<String> {
    match &page["next"] {
        Value::Null => None,
        Value::String(cursor) => Some(cursor.clone()),
        other => panic!("next should be a string cursor or null, got {other}"),
    }
}

async fn intentions_are_listed_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let posted = post_many(&app, LOBBY_ID, 5).await;

    let page = app.page(LOBBY_ID, None, None).await.expect(200);

    let listed = items(&page);
    assert_newest_first(&listed);
    assert_eq!(listed, newest_first(posted));
    assert_eq!(next(&page), None, "everything fits on the first page");
}

async fn a_space_lists_only_its_own_intentions(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, _) = app.guest("Ada").await;
    let garden = app.create_space(&ada, "Garden").await;
    let empty = app.create_space(&ada, "Empty").await;
    let lobby_said = post_many(&app, LOBBY_ID, 3).await;
    let garden_said = post_many(&app, &id_of(&garden), 2).await;

    assert_eq!(app.intentions(LOBBY_ID).await, newest_first(lobby_said));
    assert_eq!(
        app.intentions(&id_of(&garden)).await,
        newest_first(garden_said)
    );
    let page = app.page(&id_of(&empty), None, None).await.expect(200);
    assert!(items(&page).is_empty(), "an empty space has no intentions");
    assert_eq!(next(&page), None);
}

async fn paging_through_all_pages_returns_every_intention_exactly_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let posted = post_many(&app, LOBBY_ID, 7).await;
    let expected = newest_first(posted);

    for limit in [1_usize, 2, 3, 7, 10] {
        let mut seen = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let page = app
                .page(LOBBY_ID, Some(&limit.to_string()), before.as_deref())
                .await
                .expect(200);
            let page_items = items(&page);
            assert!(
                page_items.len() <= limit,
                "a page holds at most `limit` items"
            );
            let more = next(&page);
            if more.is_some() {
                assert_eq!(page_items.len(), limit, "only the last page may be short");
            }
            seen.extend(page_items);
            match more {
                Some(cursor) => before = Some(cursor),
                None => break,
            }
            assert!(
                seen.len() <= expected.len(),
                "paging with limit {limit} repeats items"
            );
        }
        let unique: HashSet<String> = seen.iter().map(id_of).collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "no intention appears twice (limit {limit})"
        );
        assert_eq!(
            seen, expected,
            "every intention, newest first (limit {limit})"
        );
    }
}

async fn intentions_posted_while_paging_do_not_disturb_the_older_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let posted = post_many(&app, LOBBY_ID, 6).await;
    let first = app.page(LOBBY_ID, Some("3"), None).await.expect(200);
    let cursor = next(&first).expect("six intentions do not fit on a page of three");

    let newer = post_many(&app, LOBBY_ID, 2).await;
    let rest = app.all_intentions_before(LOBBY_ID, &cursor).await;

    let mut seen = items(&first);
    seen.extend(rest);
    assert_eq!(
        seen,
        newest_first(posted),
        "the older pages hold exactly the older intentions"
    );
    let everything = app.intentions(LOBBY_ID).await;
    assert_eq!(
        everything[..2],
        newest_first(newer)[..],
        "the new ones are at the top"
    );
}

async fn the_default_page_size_is_50_and_a_limit_of_1_to_200_is_honoured(backend: Backend) {
    let app = spawn_app(backend).await;
    let expected = newest_first(post_many(&app, LOBBY_ID, 51).await);

    let first = app.page(LOBBY_ID, None, None).await.expect(200);
    assert_eq!(items(&first), expected[..50], "the default page holds 50");
    let cursor = next(&first).expect("a 51st intention is on the next page");
    let second = app.page(LOBBY_ID, None, Some(&cursor)).await.expect(200);
    assert_eq!(items(&second), expected[50..]);
    assert_eq!(next(&second), None);

    let one = app.page(LOBBY_ID, Some("1"), None).await.expect(200);
    assert_eq!(items(&one), expected[..1]);
    assert!(next(&one).is_some());
    let all = app.page(LOBBY_ID, Some("200"), None).await.expect(200);
    assert_eq!(items(&all), expected, "a limit of 200 returns all 51");
    assert_eq!(next(&all), None);
}

async fn a_limit_outside_1_to_200_is_a_bad_request(backend: Backend) {
    let app = spawn_app(backend).await;
    post_many(&app, LOBBY_ID, 2).await;

    for limit in [
        "0",
        "201",
        "-1",
        "1000000",
        "abc",
        "1.5",
        "99999999999999999999",
    ] {
        let reply = app.page(LOBBY_ID, Some(limit), None).await;
        reply.expect_error(400, "bad_request", Some("limit"));
    }
}

async fn a_cursor_that_was_not_issued_by_the_server_is_a_bad_request(backend: Backend) {
    let app = spawn_app(backend).await;
    post_many(&app, LOBBY_ID, 3).await;

    for before in [
        "garbage",
        "~~~",
        "%%%",
        "{\"at\":1}",
        "!!!!not a cursor!!!!",
    ] {
        let reply = app.page(LOBBY_ID, Some("2"), Some(before)).await;
        reply.expect_error(400, "bad_request", Some("before"));
    }
}

async fn listing_the_intentions_of_something_that_is_not_a_space_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, guest) = app.guest("Ada").await;
    let bot = app
        .create_being(&ada, "bot", "Helper", Some(LOBBY_ID))
        .await;
    let unknown = uuid::Uuid::now_v7().to_string();

    for id in [unknown, id_of(&bot), id_of(&guest)] {
        app.page(&id, None, None)
            .await
            .expect_error(404, "not_found", None);
    }
}
