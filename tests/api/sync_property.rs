//! The property of docs/SYNC.md, against the real server: whatever happens — posts, edits,
//! deletes, beings created, renamed, moved and deleted — and however a client drops off and
//! resumes (inside the window or past it), the state it builds with `sync::apply` equals the
//! space's state as a fresh snapshot gives it.

use rhizom::sync::{Applied, Changes, SpaceState, apply};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, id_of, on_both_backends, spawn_app_with};

on_both_backends!(a_client_that_drops_off_and_resumes_always_matches_the_server);

/// A small deterministic generator, so a failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// What the client holds: its state, and whether it is following.
struct Client {
    state: SpaceState,
    connected: bool,
}

async fn poll(app: &TestApp, space: &str, after: Option<String>) -> Changes {
    let body = app.changes(space, after.as_deref()).await.expect(200);
    serde_json::from_value(body).expect("/changes answers in the documented shape")
}

/// Brings the client up to date from its cursor, as a reconnecting client does.
async fn resume(app: &TestApp, space: &str, client: &mut Client, seed: u64) {
    let cursor = format!("{}:{}", client.state.epoch, client.state.position);
    match poll(app, space, Some(cursor)).await {
        Changes::Reset(snapshot) => client.state = SpaceState::from_snapshot(&snapshot),
        Changes::Deltas { deltas, .. } => {
            for delta in &deltas {
                assert_eq!(
                    apply(&mut client.state, delta),
                    Applied::Applied,
                    "seed {seed}: {delta:?}"
                );
            }
        }
    }
}

async fn server_state(app: &TestApp, space: &str) -> SpaceState {
    match poll(app, space, None).await {
        Changes::Reset(snapshot) => SpaceState::from_snapshot(&snapshot),
        other => panic!("no cursor must give a reset, got {other:?}"),
    }
}

fn assert_same(client: &SpaceState, server: &SpaceState, at: &str) {
    assert_eq!(client.position, server.position, "{at}: position");
    assert_eq!(client.space, server.space, "{at}: the space");
    assert_eq!(client.beings, server.beings, "{at}: beings");
    assert_eq!(client.online_here(), server.online_here(), "{at}: online");
    assert_eq!(client.intentions, server.intentions, "{at}: intentions");
}

async fn a_client_that_drops_off_and_resumes_always_matches_the_server(backend: Backend) {
    // A small window, so long absences end in an `expired` reset.
    let app = spawn_app_with(backend, |config| config.change_window = 24).await;
    let (ada, _) = app.guest("Ada").await;
    for seed in 1..=4u64 {
        let space = app
            .post(
                &ada,
                "/api/spaces",
                &json!({ "name": format!("Garden {seed}") }),
            )
            .await
            .expect(201);
        let space_id = id_of(&space);
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut client = Client {
            state: server_state(&app, &space_id).await,
            connected: true,
        };
        let mut messages: Vec<String> = Vec::new();
        let mut bots: Vec<(String, bool)> = Vec::new();
        for step in 0..45 {
            match rng.below(12) {
                0 => client.connected = false,
                1 if !client.connected => {
                    resume(&app, &space_id, &mut client, seed).await;
                    client.connected = true;
                    let at = format!("seed {seed}, step {step}");
                    assert_same(&client.state, &server_state(&app, &space_id).await, &at);
                }
                2 | 3 if messages.len() < 40 => {
                    let posted = app
                        .post(
                            &ada,
                            &format!("/api/spaces/{space_id}/intentions"),
                            &json!({ "content": format!("m{step}") }),
                        )
                        .await
                        .expect(201);
                    messages.push(id_of(&posted));
                }
                4 | 5 if !messages.is_empty() => {
                    let id = &messages[rng.below(messages.len())];
                    let content = json!({ "content": format!("edit {step}") });
                    app.patch(&ada, &format!("/api/intentions/{id}"), &content)
                        .await
                        .expect(200);
                }
                6 if !messages.is_empty() => {
                    let id = messages.swap_remove(rng.below(messages.len()));
                    app.delete(&ada, &format!("/api/intentions/{id}"))
                        .await
                        .expect_no_content();
                }
                7 => {
                    let body = json!({ "kind": "bot", "name": format!("bot {step}"), "location_id": space_id });
                    let bot = app.post(&ada, "/api/beings", &body).await.expect(201);
                    bots.push((id_of(&bot), true));
                }
                8 | 9 if !bots.is_empty() => {
                    let i = rng.below(bots.len());
                    let (id, inside) = bots[i].clone();
                    let body = if rng.below(2) == 0 {
                        json!({ "name": format!("renamed {step}") })
                    } else {
                        bots[i].1 = !inside;
                        json!({ "location_id": if inside { Value::Null } else { json!(space_id) } })
                    };
                    app.patch(&ada, &format!("/api/beings/{id}"), &body)
                        .await
                        .expect(200);
                }
                10 if !bots.is_empty() => {
                    let (id, _) = bots.swap_remove(rng.below(bots.len()));
                    app.delete(&ada, &format!("/api/beings/{id}"))
                        .await
                        .expect_no_content();
                }
                11 => {
                    let body = json!({ "name": format!("Garden {seed}.{step}") });
                    app.patch(&ada, &format!("/api/beings/{space_id}"), &body)
                        .await
                        .expect(200);
                }
                _ => {}
            }
            if client.connected {
                resume(&app, &space_id, &mut client, seed).await;
            }
        }
        resume(&app, &space_id, &mut client, seed).await;
        let at = format!("seed {seed}, at the end");
        assert_same(&client.state, &server_state(&app, &space_id).await, &at);
    }
}
