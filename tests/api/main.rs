//! HTTP integration tests: one test binary, real servers on port 0, real databases.
//!
//! Every test is written once as `async fn name(backend: Backend)` and runs on SQLite and on
//! PostgreSQL (`<module>::sqlite::name`, `<module>::postgres::name`). PostgreSQL is reached at
//! `RHIZOM_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`); if it
//! does not answer, the PostgreSQL tests fail rather than skip.
//!
//! Run with `cargo test --features ssr --test api`. Without the `ssr` feature there is no
//! server to test, so the binary is empty.
#![cfg(feature = "ssr")]

mod assets;
mod beings;
mod bots_model;
mod bots_program;
mod bots_tokens;
mod bots_webhook;
mod contract;
mod deleting;
mod front_door;
mod front_door_differential;
mod guard_body;
mod guard_catch_up;
mod guard_content;
mod guard_cookies;
mod guard_moderation;
mod guard_origin;
mod guard_rate;
mod helpers;
mod identity_links;
mod identity_oidc;
mod identity_sessions;
mod intention_ids;
mod intentions;
mod limits;
mod metrics;
mod model_server;
mod moving;
mod nats_server;
mod nodes;
mod nodes_nats;
mod nodes_signals;
mod oidc_provider;
mod pages;
mod paging;
mod reading;
mod reads;
mod reply;
mod session;
mod spaces;
mod sse;
mod streaming;
mod sync_changes;
mod sync_common;
mod sync_fanout;
mod sync_moves;
mod sync_presence;
mod sync_property;
mod sync_race;
mod sync_reset;
mod sync_resume;
mod sync_slow;
mod sync_spaces;
mod sync_stream;
mod typing;
mod validation;
