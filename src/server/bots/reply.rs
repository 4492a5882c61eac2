//! A bot's reply as it is written: a draft at once ("starting…" in the page), its text as it
//! grows (`active`), then `complete` — or `failed` with a short reason everyone can read. A
//! reply someone stopped is noticed at the next write: its state can no longer move.

use uuid::Uuid;

use crate::model::{ApiError, Being, Content, ErrorCode, Intention, IntentionKind, IntentionState};
use crate::server::db::{beings as db_beings, intentions as db_intentions, wakes};
use crate::server::ops;
use crate::server::ops::intentions::NewIntention;
use crate::server::state::AppState;

/// What a draft says until text comes.
pub(super) const PLACEHOLDER: &str = "…";

/// Did the write go through, or had the reply been stopped?
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Written {
    Yes,
    Stopped,
}

/// The reply's draft, answering the waking message. It takes the wake's id: whatever happens
/// later, the space holds one reply to one wake.
pub(super) async fn start(
    state: &AppState,
    bot: &Being,
    wake: &wakes::WakeRow,
) -> Result<Intention, ApiError> {
    let (draft, _) = ops::intentions::post(
        state,
        bot,
        wake.space_id,
        NewIntention {
            id: Some(wake.id),
            content: PLACEHOLDER,
            state: Some(IntentionState::Draft),
            reply_to: Some(wake.message_id),
            ..Default::default()
        },
    )
    .await?;
    Ok(draft)
}

/// Was a reply to this wake begun (its draft written)?
pub(super) async fn begun(state: &AppState, wake: &wakes::WakeRow) -> Result<bool, ApiError> {
    let mut conn = state.db.reader().await?;
    Ok(db_intentions::get(conn.exec(), wake.id).await?.is_some())
}

/// Text as a message may hold it: without control characters (but tabs and line breaks),
/// and cut at the longest a message holds.
pub(super) fn fitted(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let trimmed = clean.trim();
    if trimmed.is_empty() {
        return PLACEHOLDER.to_owned();
    }
    if trimmed.chars().count() <= Content::MAX_CHARS {
        return trimmed.to_owned();
    }
    let mut cut: String = trimmed.chars().take(Content::MAX_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// Writes the reply's text and state; `Stopped` when it had been stopped meanwhile.
pub(super) async fn write(
    state: &AppState,
    bot: &Being,
    id: Uuid,
    text: &str,
    next: IntentionState,
) -> Result<Written, ApiError> {
    let text = fitted(text);
    match ops::intentions::edit(state, bot, id, Some(&text), Some(next)).await {
        Ok(_) => Ok(Written::Yes),
        Err(error) if error.code == ErrorCode::Conflict => Ok(Written::Stopped),
        // Deleted meanwhile: nobody is waiting for it.
        Err(error) if error.code == ErrorCode::NotFound => Ok(Written::Stopped),
        Err(error) => Err(error),
    }
}

/// The reply failed: what came so far, and why, short (the owner sees the detail on the wake).
/// The reason always shows: what came is cut first to leave it room.
pub(super) async fn failed(
    state: &AppState,
    bot: &Being,
    id: Uuid,
    so_far: &str,
    reason: &str,
) -> Result<Written, ApiError> {
    let room = Content::MAX_CHARS - reason.chars().count() - 8;
    let so_far: String = fitted(so_far).chars().take(room).collect();
    let text = match so_far.trim() {
        "" | PLACEHOLDER => reason.to_owned(),
        so_far => format!("{so_far}\n\n({reason})"),
    };
    write(state, bot, id, &text, IntentionState::Failed).await
}

/// A reply left half-written (its server stopped, or its answer went wrong): it ends failed,
/// saying `why`. Nothing to do when none was begun or it had ended.
pub(super) async fn interrupted(
    state: &AppState,
    wake: &wakes::WakeRow,
    why: &str,
) -> Result<(), ApiError> {
    let mut conn = state.db.reader().await?;
    let bot = db_beings::get(conn.exec(), wake.bot_id).await?;
    let reply = db_intentions::get(conn.exec(), wake.id).await?;
    drop(conn);
    let (Some(bot), Some(reply)) = (bot, reply) else {
        return Ok(());
    };
    if matches!(reply.state, IntentionState::Draft | IntentionState::Active) {
        failed(state, &bot, reply.id, &reply.content, why).await?;
    }
    Ok(())
}

/// Tells the space the bot could not answer: an `error` message from the bot, answering the
/// message that woke it (once: it takes the wake's id).
pub(super) async fn cannot_answer(
    state: &AppState,
    bot: &Being,
    wake: &wakes::WakeRow,
    why: &str,
) -> Result<(), ApiError> {
    let text = format!("{} could not answer: {why}", bot.name);
    ops::intentions::post(
        state,
        bot,
        wake.space_id,
        NewIntention {
            id: Some(wake.id),
            content: &text,
            state: Some(IntentionState::Failed),
            reply_to: Some(wake.message_id),
            kind: Some(IntentionKind::Error),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
