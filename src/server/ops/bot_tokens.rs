//! The tokens a program acts as its bot with: made by the bot's owner and shown once, kept
//! as their SHA-256, revoked at will (the token's streams end with it). A token stands for a
//! session of the bot (`ops::session`).

use uuid::Uuid;

use super::bots::owned_bot;
use crate::model::{ApiError, Being, BotTokenInfo, NewBotToken, Timestamp};
use crate::server::db::{beings as db_beings, bots};
use crate::server::live::session_streams::SessionEnded;
use crate::server::state::AppState;
use crate::server::token::SecretToken;

/// A new token for `bot_id` (its owner only): shown now, never again.
pub async fn create_token(
    state: &AppState,
    actor: &Being,
    bot_id: Uuid,
) -> Result<NewBotToken, ApiError> {
    let token = SecretToken::generate();
    let id = Uuid::now_v7();
    let mut tx = state.db.begin().await?;
    let bot = owned_bot(tx.exec(), actor, bot_id).await?;
    bots::insert_token(tx.exec(), id, bot.id, &token.hash(), Timestamp::now()).await?;
    tx.commit().await?;
    tracing::info!(bot = %bot.id, token = %id, "bot token made");
    Ok(NewBotToken {
        id,
        token: format!("rhz_{}", token.encode()),
    })
}

pub async fn tokens(
    state: &AppState,
    actor: &Being,
    bot_id: Uuid,
) -> Result<Vec<BotTokenInfo>, ApiError> {
    let mut conn = state.db.reader().await?;
    let bot = owned_bot(conn.exec(), actor, bot_id).await?;
    Ok(bots::tokens_of(conn.exec(), bot.id).await?)
}

/// Revokes a token: refused from now on, and its live streams end.
pub async fn revoke_token(
    state: &AppState,
    actor: &Being,
    bot_id: Uuid,
    token_id: Uuid,
) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    let bot = owned_bot(tx.exec(), actor, bot_id).await?;
    if !bots::delete_token(tx.exec(), token_id, bot.id).await? {
        return Err(ApiError::not_found("token"));
    }
    tx.commit().await?;
    state
        .live
        .session_streams
        .end(token_id, SessionEnded::SignedOut);
    tracing::info!(bot = %bot.id, token = %token_id, "bot token revoked");
    Ok(())
}

/// The bot a bearer token acts as, and the token's id (which stands for a session).
pub(crate) async fn bearer(
    state: &AppState,
    token: &str,
) -> Result<Option<(Being, Uuid)>, ApiError> {
    let Some(token) = token.strip_prefix("rhz_").and_then(SecretToken::decode) else {
        return Ok(None);
    };
    let mut conn = state.db.reader().await?;
    let Some((id, bot_id)) = bots::token(conn.exec(), &token.hash()).await? else {
        return Ok(None);
    };
    Ok(db_beings::get(conn.exec(), bot_id)
        .await?
        .map(|bot| (bot, id)))
}
