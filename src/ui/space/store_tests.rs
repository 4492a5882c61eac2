//! The store's bookkeeping, off the browser: runs kept by neighbours, rows that keep their
//! signals (and so their elements) when confirmed or reset, older pages, deltas outside the
//! window, and the state kept for offline.

use leptos::prelude::*;
use uuid::Uuid;

use super::message::Outbox;
use super::store::{SpaceDataStoreFields, SpaceStore};
use crate::model::{Being, BeingKind, Intention, IntentionKind, IntentionState, Page, Timestamp};
use crate::sync::{ResetReason, Snapshot, SpaceModel};

const A: Uuid = Uuid::from_u128(0xa);
const B: Uuid = Uuid::from_u128(0xb);
const SPACE: Uuid = Uuid::from_u128(0x5);

fn message(n: u128, owner: Uuid, at_secs: i64) -> Intention {
    Intention {
        id: Uuid::from_u128(0x1000 + n),
        kind: IntentionKind::Utterance,
        state: IntentionState::Complete,
        owner_id: owner,
        location_id: SPACE,
        content: format!("message {n}"),
        reply_to: None,
        created_at: Timestamp(at_secs * 1_000_000),
        updated_at: Timestamp(at_secs * 1_000_000),
    }
}

/// A snapshot holding `newest_first`, with older pages if `more`.
fn snapshot(newest_first: Vec<Intention>, more: bool) -> Snapshot {
    Snapshot {
        epoch: "e".into(),
        position: 1,
        reason: ResetReason::Initial,
        space: Being {
            id: SPACE,
            kind: BeingKind::Space,
            name: "room".into(),
            owner_id: None,
            location_id: None,
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
        },
        beings: Vec::new(),
        more_beings: None,
        intentions: newest_first,
        more: more.then(|| "cursor".into()),
        authors: Vec::new(),
    }
}

/// Signals live in an owner's arena (sandboxed on the server): each test gets its own.
fn in_owner() -> Owner {
    let owner = Owner::new_root(None);
    owner.set();
    owner
}

fn run_starts(store: &SpaceStore) -> Vec<(u128, bool)> {
    store.data.messages().with_untracked(|rows| {
        rows.iter()
            .map(|m| (m.stamp.id.as_u128() - 0x1000, m.starts_run.get_untracked()))
            .collect()
    })
}

#[test]
fn runs_follow_arrivals_and_departures() {
    let _owner = in_owner();
    let mut store = SpaceStore::new(snapshot(vec![message(2, B, 20), message(1, A, 10)], false));
    assert_eq!(run_starts(&store), vec![(1, true), (2, true)]);
    // A's second message, between A's first and B's: it continues A's run.
    store.upsert_intention(message(3, A, 15));
    assert_eq!(run_starts(&store), vec![(1, true), (3, false), (2, true)]);
    // Removing A's first makes the next one start the run.
    store.delete_intention(Uuid::from_u128(0x1001));
    assert_eq!(run_starts(&store), vec![(3, true), (2, true)]);
    // Much later, A again: a new run.
    store.upsert_intention(message(4, A, 20 + 3_600));
    assert_eq!(run_starts(&store), vec![(3, true), (2, true), (4, true)]);
}

#[test]
fn a_confirmed_message_keeps_its_row_and_moves_to_the_servers_time() {
    let _owner = in_owner();
    let mut store = SpaceStore::new(snapshot(vec![message(1, A, 10)], false));
    let mut local = message(2, B, 100);
    store.insert(local.clone(), Some(Outbox::Sending));
    let row = store.message(local.id).expect("shown at once");
    // The server stamps it earlier than the page did, before another message.
    store.upsert_intention(message(3, A, 60));
    local.created_at = Timestamp(50 * 1_000_000);
    store.upsert_intention(local.clone());
    let confirmed = store.message(local.id).expect("still shown");
    assert_eq!(confirmed.intention, row.intention, "the same row signals");
    assert_eq!(confirmed.outbox.get_untracked(), None);
    assert_eq!(
        run_starts(&store)
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
}

#[test]
fn a_reset_keeps_rows_that_stay_and_messages_still_on_their_way() {
    let _owner = in_owner();
    let store = SpaceStore::new(snapshot(vec![message(2, A, 20), message(1, A, 10)], false));
    let kept = store.message(Uuid::from_u128(0x1001)).unwrap();
    let pending = message(9, B, 30);
    store.insert(pending.clone(), Some(Outbox::Queued));
    let mut edited = message(1, A, 10);
    edited.content = "edited while away".into();
    // Message 2 was deleted while away; message 1 was edited.
    store.reset(snapshot(vec![edited], false));
    let after = store.message(Uuid::from_u128(0x1001)).unwrap();
    assert_eq!(after.intention, kept.intention, "the same row signals");
    assert_eq!(after.intention.get_untracked().content, "edited while away");
    assert!(store.message(Uuid::from_u128(0x1002)).is_none());
    assert_eq!(
        store.message(pending.id).unwrap().outbox.get_untracked(),
        Some(Outbox::Queued)
    );
}

#[test]
fn older_pages_go_first_and_deltas_before_the_window_wait_for_them() {
    let _owner = in_owner();
    let mut store = SpaceStore::new(snapshot(vec![message(5, A, 50)], true));
    // An edit of a message older than anything loaded: it comes with its page.
    store.upsert_intention(message(1, A, 10));
    assert!(store.message(Uuid::from_u128(0x1001)).is_none());
    store.prepend(
        Page {
            items: vec![message(4, A, 40), message(3, B, 30)],
            next: None,
        },
        Vec::new(),
    );
    assert_eq!(run_starts(&store), vec![(3, true), (4, true), (5, false)]);
    assert_eq!(store.data.more().get_untracked(), None);
}

#[test]
fn an_older_reply_confirms_without_undoing_what_the_stream_brought() {
    let _owner = in_owner();
    let mut store = SpaceStore::new(snapshot(vec![message(1, A, 10)], false));
    let mut first = message(1, A, 10);
    first.content = "first edit".into();
    first.updated_at = Timestamp(20 * 1_000_000);
    let mut second = first.clone();
    second.content = "second edit".into();
    second.updated_at = Timestamp(30 * 1_000_000);
    store.upsert_intention(second);
    store.confirm(first);
    let row = store.message(Uuid::from_u128(0x1001)).unwrap();
    assert_eq!(row.intention.get_untracked().content, "second edit");
}

#[test]
fn a_message_from_others_just_before_pending_ones_still_arrives_at_the_end() {
    let _owner = in_owner();
    let mut store = SpaceStore::new(snapshot(vec![message(1, A, 10)], false));
    // Written here with a clock ahead of the server's.
    store.insert(message(2, B, 100), Some(Outbox::Queued));
    store.upsert_intention(message(3, A, 50));
    let arrived: Vec<u128> = store
        .arrivals
        .get_untracked()
        .iter()
        .map(|a| a.id.as_u128() - 0x1000)
        .collect();
    assert_eq!(arrived, vec![3]);
}

#[test]
fn the_state_kept_for_offline_is_the_snapshot_at_its_position_without_what_is_on_its_way() {
    let _owner = in_owner();
    let mut first = snapshot(vec![message(2, B, 20), message(1, A, 10)], true);
    first.beings = vec![crate::sync::BeingState {
        being: Being {
            id: A,
            kind: BeingKind::Guest,
            name: "Ada".into(),
            owner_id: Some(A),
            location_id: Some(SPACE),
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
        },
        online: true,
        away: true,
    }];
    let mut store = SpaceStore::new(first.clone());
    store.insert(message(9, A, 30), Some(Outbox::Sending));
    assert_eq!(store.data.with_untracked(|d| d.to_snapshot()), first);
    // A delta later, it is the state at the new position.
    store.upsert_intention(message(3, B, 40));
    store.set_position(2);
    let later = store.data.with_untracked(|d| d.to_snapshot());
    assert_eq!(later.position, 2);
    assert_eq!(later.intentions[0], message(3, B, 40));
    assert_eq!(later.intentions.len(), 3);
}
