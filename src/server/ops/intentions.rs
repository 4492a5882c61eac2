//! Intentions: the messages of a space.

use uuid::Uuid;

use super::beings::find_space;
use super::retry::retrying;
use super::{bots, mentions, moderation, paging};
use crate::model::{
    ApiError, Being, BeingKind, Content, ErrorCode, Intention, IntentionKind, IntentionState,
    Limit, Page, Timestamp, permissions,
};
use crate::server::db::{Exec, Tx, beings as db_beings, intentions as db_intentions};
use crate::server::state::AppState;
use crate::sync::Change;

/// A page of a space's intentions, newest first.
pub async fn page(
    state: &AppState,
    space_id: Uuid,
    before: Option<&str>,
    limit: Option<&str>,
) -> Result<Page<Intention>, ApiError> {
    let limit = Limit::parse(limit)?;
    let before = paging::from_request(before, "before")?;
    let mut conn = state.db.reader().await?;
    find_space(conn.exec(), space_id).await?;
    let items = db_intentions::page(conn.exec(), space_id, before, limit.get() + 1).await?;
    Ok(paging::page(items, limit, place))
}

/// Where an intention is in its space's list.
pub(crate) fn place(intention: &Intention) -> paging::Place {
    (intention.created_at, intention.id)
}

/// A new message: what the caller says, and optionally how.
#[derive(Clone, Copy, Default)]
pub struct NewIntention<'a> {
    /// Chosen by the client, so that posting twice stores it once.
    pub id: Option<Uuid>,
    pub content: &'a str,
    /// `draft` or `active` for a message still being written (a bot streaming); default
    /// `complete`.
    pub state: Option<IntentionState>,
    /// Speak as this bot, which the caller must own.
    pub author: Option<Uuid>,
    /// The message this one answers (in the same space).
    pub reply_to: Option<Uuid>,
    /// `error` for a bot's notice that it could not answer; default `utterance`.
    pub kind: Option<IntentionKind>,
}

/// Posts a message as `actor` (or a bot it owns). Posting the same id again is safe: it
/// returns the stored intention and `false` (nothing new was written); an id taken by someone
/// else or in another space is a conflict.
pub async fn post(
    state: &AppState,
    actor: &Being,
    space_id: Uuid,
    new: NewIntention<'_>,
) -> Result<(Intention, bool), ApiError> {
    retrying(|| post_once(state, actor, space_id, new)).await
}

async fn post_once(
    state: &AppState,
    actor: &Being,
    space_id: Uuid,
    new: NewIntention<'_>,
) -> Result<(Intention, bool), ApiError> {
    let content = Content::parse(new.content)?;
    let now = Timestamp::now();
    let mut tx = state.db.begin().await?;
    let author = match new.author {
        Some(bot) => speaking_bot(tx.exec(), actor, bot).await?,
        None => actor.id,
    };
    let intention = Intention {
        id: new.id.unwrap_or_else(Uuid::now_v7),
        kind: new.kind.unwrap_or(IntentionKind::Utterance),
        state: new.state.unwrap_or(IntentionState::Complete),
        owner_id: author,
        location_id: space_id,
        content: content.into_inner(),
        reply_to: new.reply_to,
        created_at: now,
        updated_at: now,
    };
    find_space(tx.exec(), space_id).await?;
    if let Some(answered) = new.reply_to {
        let in_space = db_intentions::get(tx.exec(), answered)
            .await?
            .is_some_and(|m| m.location_id == space_id);
        if !in_space {
            return Err(ApiError::invalid(
                "reply_to",
                "reply_to must name a message in this space",
            ));
        }
    }
    moderation::refuse_if_removed(tx.exec(), space_id, actor.id).await?;
    if author != actor.id {
        moderation::refuse_if_removed(tx.exec(), space_id, author).await?;
    }
    if !db_intentions::insert_if_new(tx.exec(), &intention).await? {
        return match db_intentions::get(tx.exec(), intention.id).await? {
            Some(existing) if existing.owner_id == author && existing.location_id == space_id => {
                Ok((existing, false))
            }
            // Not there, yet its id is used: a retry of a post whose answer was lost, after the
            // message was deleted. It stays deleted.
            None => {
                Err(ApiError::new(ErrorCode::Gone, "this message was deleted").with_field("id"))
            }
            _ => Err(
                ApiError::conflict("this id is already used by another intention").with_field("id"),
            ),
        };
    }
    // A person's finished message wakes the bots of the space, in this same transaction: no
    // wake is lost to a crash, and none is recorded twice (the message is the wake's key).
    let spoken = intention.state == IntentionState::Complete;
    let woke = if spoken && author == actor.id && actor.kind == BeingKind::Guest {
        bots::record_wakes(tx.exec(), &intention).await?
    } else {
        0
    };
    mentions::record(tx.exec(), &intention, None).await?;
    let mut recorder = state.live.recorder();
    recorder
        .record(
            tx.exec(),
            space_id,
            Change::IntentionUpsert {
                intention: intention.clone(),
            },
        )
        .await?;
    tx.commit().await?;
    recorder.publish();
    if woke > 0 {
        state.bots.wake_up();
    }
    Ok((intention, true))
}

/// The bot `id`, if `actor` owns it: who a message posted "as" it is by.
async fn speaking_bot(ex: Exec<'_>, actor: &Being, id: Uuid) -> Result<Uuid, ApiError> {
    let bot = db_beings::get(ex, id)
        .await?
        .filter(|b| b.kind == BeingKind::Bot)
        .ok_or_else(|| ApiError::invalid("as", "as must be the id of a bot"))?;
    if bot.owner_id != Some(actor.id) {
        return Err(ApiError::forbidden("you can only speak as a bot you own").with_field("as"));
    }
    Ok(bot.id)
}

async fn find(ex: Exec<'_>, id: Uuid) -> Result<Intention, ApiError> {
    db_intentions::get(ex, id)
        .await?
        .ok_or_else(|| ApiError::not_found("intention"))
}

/// The owner of the being that owns `intention` (a bot's owner, or a guest itself).
async fn owner_of_author(ex: Exec<'_>, intention: &Intention) -> Result<Option<Uuid>, ApiError> {
    Ok(db_beings::get(ex, intention.owner_id)
        .await?
        .and_then(|b| b.owner_id))
}

/// Changes a message's content, its state (forward only), or both.
pub async fn edit(
    state: &AppState,
    actor: &Being,
    id: Uuid,
    content: Option<&str>,
    next: Option<IntentionState>,
) -> Result<Intention, ApiError> {
    retrying(|| edit_once(state, actor, id, content, next)).await
}

async fn edit_once(
    state: &AppState,
    actor: &Being,
    id: Uuid,
    content: Option<&str>,
    next: Option<IntentionState>,
) -> Result<Intention, ApiError> {
    if content.is_none() && next.is_none() {
        return Err(ApiError::invalid(
            "content",
            "give the new content, the new state, or both",
        ));
    }
    let content = content.map(Content::parse).transpose()?;
    let mut tx = state.db.begin().await?;
    let mut intention = find(tx.exec(), id).await?;
    let author_owner = owner_of_author(tx.exec(), &intention).await?;
    if !permissions::may_edit_intention(actor.id, intention.owner_id, author_owner) {
        return Err(ApiError::forbidden("only its author can edit this message"));
    }
    // A bot's reply that has ended (completed, failed, stopped) is not reopened by the bot:
    // a Stop stays a stop. Its owner may still correct it.
    let ended = !matches!(
        intention.state,
        IntentionState::Draft | IntentionState::Active
    );
    if ended && intention.reply_to.is_some() && actor.kind == BeingKind::Bot {
        return Err(
            ApiError::conflict("this reply has ended; it cannot be written any more")
                .with_field("state"),
        );
    }
    moderation::refuse_if_removed(tx.exec(), intention.location_id, actor.id).await?;
    if intention.owner_id != actor.id {
        moderation::refuse_if_removed(tx.exec(), intention.location_id, intention.owner_id).await?;
    }
    if let Some(next) = next {
        if !intention.state.may_become(next) {
            return Err(ApiError::conflict(
                "a message's state only moves forward: draft, active, then complete or failed",
            )
            .with_field("state"));
        }
        intention.state = next;
    }
    if let Some(content) = content {
        let was = std::mem::replace(&mut intention.content, content.into_inner());
        if was != intention.content {
            mentions::record(tx.exec(), &intention, Some(&was)).await?;
        }
    }
    let intention = save_changed(state, tx, intention).await?;
    Ok(intention)
}

/// Writes a changed intention (stamped now) and tells its space, in `tx`, then commits.
async fn save_changed(
    state: &AppState,
    mut tx: Tx,
    mut intention: Intention,
) -> Result<Intention, ApiError> {
    intention.updated_at = Timestamp::now().max(intention.updated_at);
    db_intentions::update(tx.exec(), &intention).await?;
    let mut recorder = state.live.recorder();
    recorder
        .record(
            tx.exec(),
            intention.location_id,
            Change::IntentionUpsert {
                intention: intention.clone(),
            },
        )
        .await?;
    tx.commit().await?;
    recorder.publish();
    Ok(intention)
}

/// Stops a reply that is still streaming: it is complete as it stands (or says it was
/// stopped, if nothing came yet), and the bot writing it finds that out at its next write.
pub async fn stop(state: &AppState, actor: &Being, id: Uuid) -> Result<Intention, ApiError> {
    retrying(|| stop_once(state, actor, id)).await
}

/// What a reply stopped before any text came says.
pub const STOPPED: &str = "(stopped)";

async fn stop_once(state: &AppState, actor: &Being, id: Uuid) -> Result<Intention, ApiError> {
    let mut tx = state.db.begin().await?;
    let mut intention = find(tx.exec(), id).await?;
    if !matches!(
        intention.state,
        IntentionState::Draft | IntentionState::Active
    ) {
        return Err(ApiError::conflict(
            "this message is not being written any more",
        ));
    }
    // Who woke the bot: the author of the message the reply answers.
    let waker = match intention.reply_to {
        Some(answered) => db_intentions::get(tx.exec(), answered)
            .await?
            .map(|m| m.owner_id),
        None => None,
    };
    let bot_owner = owner_of_author(tx.exec(), &intention).await?;
    let space = find_space(tx.exec(), intention.location_id).await?;
    let moderates = moderation::moderates(state, actor.id, &space);
    if !permissions::may_stop_reply(actor.id, waker, bot_owner, moderates) {
        return Err(ApiError::forbidden(
            "only whoever woke the bot, its owner or the space's owner can stop its reply",
        ));
    }
    if intention.state == IntentionState::Draft {
        intention.content = STOPPED.to_owned();
    }
    intention.state = IntentionState::Complete;
    let intention = save_changed(state, tx, intention).await?;
    state.bots.stopped(id);
    tracing::info!(reply = %id, by = %actor.id, "a reply was stopped");
    Ok(intention)
}

pub async fn delete(state: &AppState, actor: &Being, id: Uuid) -> Result<(), ApiError> {
    retrying(|| delete_once(state, actor, id)).await
}

async fn delete_once(state: &AppState, actor: &Being, id: Uuid) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    let intention = find(tx.exec(), id).await?;
    let author_owner = owner_of_author(tx.exec(), &intention).await?;
    let space = find_space(tx.exec(), intention.location_id).await?;
    let moderates = moderation::moderates(state, actor.id, &space);
    if !permissions::may_delete_intention(actor.id, intention.owner_id, author_owner, moderates) {
        return Err(ApiError::forbidden(
            "only its author, the space's owner or a moderator can delete this message",
        ));
    }
    db_intentions::delete(tx.exec(), id).await?;
    let mut recorder = state.live.recorder();
    recorder
        .record(
            tx.exec(),
            intention.location_id,
            Change::IntentionDelete { id },
        )
        .await?;
    tx.commit().await?;
    recorder.publish();
    Ok(())
}
