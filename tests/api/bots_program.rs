//! The example bot program (`examples/word_bot.rs`), run as a program against the server: it
//! hears a person's message through the space's stream, as its bot, and streams its answer
//! word by word through the API.

use std::path::PathBuf;
use std::process::Stdio;

use tokio::process::Command;

use crate::bots_model::watch_reply;
use crate::bots_tokens::program_bot;
use crate::helpers::{Backend, on_both_backends, spawn_app};
use crate::sse::WAIT;

on_both_backends!(the_example_program_answers_word_by_word,);

/// Where cargo put the example (built with the tests: `cargo test` builds the examples).
fn example(name: &str) -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let profile = deps.parent().unwrap().parent().unwrap();
    profile.join("examples").join(name)
}

async fn the_example_program_answers_word_by_word(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ada, space, bot, token) = program_bot(&app).await;
    let _program = Command::new(example("word_bot"))
        .env("RHIZOM_URL", app.url(""))
        .env("RHIZOM_SPACE", &space)
        .env("RHIZOM_TOKEN", &token)
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect(
            "the example is built: `cargo test` builds it (or `cargo build --example word_bot`)",
        );
    let mut stream = app.subscribe(&app.anon, &space, None).await;
    stream.until_live().await;
    // The program follows the space (its bot is online there) before anyone speaks.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let beings = app.beings_with_presence(&space).await;
        if beings
            .iter()
            .any(|b| b["id"] == bot.as_str() && b["online"] == true)
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the program never listened"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app.post_intention(&ada, &space, "hello there friend").await;
    let (states, reply) = watch_reply(&mut stream, &bot, WAIT * 2).await;
    assert_eq!(
        states,
        ["draft", "active", "complete"],
        "streamed: {states:?}"
    );
    assert_eq!(reply["content"], "You said: hello there friend");
}
