//! `apply` rules, and a property test: a client that drops deltas, resumes from a coalesced
//! log and sees duplicates always ends equal to the server's state.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::*;
use crate::model::{BeingKind, IntentionKind, IntentionState, Timestamp};
use crate::sync::{Change, Delta, Entity};

fn being(id: Uuid, name: &str, kind: BeingKind) -> Being {
    Being {
        id,
        kind,
        name: name.into(),
        owner_id: None,
        location_id: None,
        created_at: Timestamp(1),
        updated_at: Timestamp(1),
    }
}

fn intention(id: Uuid, space: Uuid, content: &str) -> Intention {
    Intention {
        id,
        kind: IntentionKind::Utterance,
        state: IntentionState::Complete,
        owner_id: Uuid::nil(),
        location_id: space,
        content: content.into(),
        reply_to: None,
        created_at: Timestamp(1),
        updated_at: Timestamp(1),
    }
}

fn empty_space() -> SpaceState {
    let space = being(Uuid::new_v4(), "Garden", BeingKind::Space);
    SpaceState {
        epoch: "ab".into(),
        position: 0,
        space,
        deleted: false,
        beings: BTreeMap::new(),
        away: BTreeSet::new(),
        online: Default::default(),
        intentions: BTreeMap::new(),
    }
}

fn delta(pos: u64, prev: u64, change: Change) -> Delta {
    Delta { pos, prev, change }
}

#[test]
fn a_delta_that_follows_is_applied_and_moves_the_position() {
    let mut state = empty_space();
    let id = Uuid::new_v4();
    let d = delta(
        1,
        0,
        Change::IntentionUpsert {
            intention: intention(id, state.space.id, "hi"),
        },
    );
    assert_eq!(apply(&mut state, &d), Applied::Applied);
    assert_eq!(state.position, 1);
    assert_eq!(state.intentions[&id].content, "hi");
}

#[test]
fn applying_the_same_delta_twice_changes_nothing_the_second_time() {
    let mut state = empty_space();
    let d = delta(
        1,
        0,
        Change::Presence {
            being_id: Uuid::new_v4(),
            online: true,
            away: false,
        },
    );
    apply(&mut state, &d);
    let once = state.clone();
    assert_eq!(apply(&mut state, &d), Applied::AlreadyHad);
    assert_eq!(state, once);
}

#[test]
fn a_delta_after_a_gap_is_refused_and_changes_nothing() {
    let mut state = empty_space();
    let d = delta(3, 2, Change::IntentionDelete { id: Uuid::new_v4() });
    assert_eq!(
        apply(&mut state, &d),
        Applied::Gap {
            position: 0,
            prev: 2
        }
    );
    assert_eq!(state, empty_space_like(&state));
}

fn empty_space_like(state: &SpaceState) -> SpaceState {
    SpaceState {
        position: 0,
        ..state.clone()
    }
}

#[test]
fn a_coalesced_catch_up_may_skip_positions_through_prev() {
    let mut state = empty_space();
    let d = delta(9, 0, Change::BeingDelete { id: Uuid::new_v4() });
    assert_eq!(apply(&mut state, &d), Applied::Applied);
    assert_eq!(state.position, 9);
}

#[test]
fn the_space_itself_is_renamed_and_deleted_through_its_own_deltas() {
    let mut state = empty_space();
    let mut renamed = state.space.clone();
    renamed.name = "Orchard".into();
    apply(
        &mut state,
        &delta(1, 0, Change::BeingUpsert { being: renamed }),
    );
    assert_eq!(state.space.name, "Orchard");
    assert!(state.beings.is_empty());
    let id = state.space.id;
    apply(&mut state, &delta(2, 1, Change::BeingDelete { id }));
    assert!(state.deleted);
}

/// A tiny deterministic generator, so failures reproduce from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The server side of the property: the authoritative state plus a change log that keeps the
/// latest change per entity, as the database does.
struct Server {
    state: SpaceState,
    log: BTreeMap<u64, Change>,
    latest: BTreeMap<Entity, u64>,
}

impl Server {
    fn change(&mut self, change: Change) -> Delta {
        let prev = self.state.position;
        let d = delta(prev + 1, prev, change.clone());
        assert_eq!(apply(&mut self.state, &d), Applied::Applied);
        if let Some(old) = self.latest.insert(change.entity(), d.pos) {
            self.log.remove(&old);
        }
        self.log.insert(d.pos, change);
        d
    }

    /// What a resume from `position` receives: the coalesced log after it, chained by `prev`.
    fn catch_up(&self, mut position: u64) -> Vec<Delta> {
        let mut out = Vec::new();
        for (pos, change) in self.log.range(position + 1..) {
            out.push(delta(*pos, position, change.clone()));
            position = *pos;
        }
        out
    }

    fn random_change(&self, rng: &mut Rng, ids: &[Uuid]) -> Change {
        let id = ids[rng.below(ids.len() as u64) as usize];
        let space = self.state.space.id;
        match rng.below(6) {
            0 | 1 => Change::IntentionUpsert {
                intention: intention(id, space, &format!("v{}", rng.next())),
            },
            2 => Change::IntentionDelete { id },
            3 => Change::BeingUpsert {
                being: being(id, &format!("b{}", rng.below(9)), BeingKind::Bot),
            },
            4 => Change::BeingDelete { id },
            _ => Change::Presence {
                being_id: id,
                online: rng.below(2) == 0,
                away: rng.below(2) == 0,
            },
        }
    }
}

#[test]
fn a_client_that_drops_duplicates_and_resumes_always_matches_the_server() {
    for seed in 1..=300u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let ids: Vec<Uuid> = (0..6).map(|_| Uuid::new_v4()).collect();
        let start = empty_space();
        let mut server = Server {
            state: start.clone(),
            log: BTreeMap::new(),
            latest: BTreeMap::new(),
        };
        let mut client = start;
        let mut connected = true;
        for _ in 0..120 {
            match rng.below(10) {
                // The client drops off: it receives nothing until it resumes.
                0 => connected = false,
                // It resumes from its own position and gets the coalesced catch-up.
                1 if !connected => {
                    for d in server.catch_up(client.position) {
                        assert_eq!(apply(&mut client, &d), Applied::Applied, "seed {seed}");
                    }
                    connected = true;
                }
                _ => {
                    let change = server.random_change(&mut rng, &ids);
                    let d = server.change(change);
                    if connected {
                        assert_eq!(apply(&mut client, &d), Applied::Applied, "seed {seed}");
                        // A duplicate delivery is harmless.
                        if rng.below(4) == 0 {
                            assert_eq!(apply(&mut client, &d), Applied::AlreadyHad, "seed {seed}");
                        }
                    } else if rng.below(3) == 0 {
                        // A stray live delta after a loss is refused as a gap, changing nothing.
                        let before = client.clone();
                        if d.prev != client.position {
                            assert!(
                                matches!(apply(&mut client, &d), Applied::Gap { .. }),
                                "seed {seed}"
                            );
                            assert_eq!(client, before, "seed {seed}");
                        }
                    }
                }
            }
        }
        for d in server.catch_up(client.position) {
            apply(&mut client, &d);
        }
        assert_eq!(client, server.state, "seed {seed}");
    }
}
