//! Moderation: a space's owner, and the operator's moderators everywhere (the Lobby
//! included), may remove any being from a space — it is moved out if it was there, and it can
//! neither come back in, nor speak or edit there, nor bring anything in, until readmitted —
//! and delete any message in it. The beings it owns (its bots) that are in the space leave
//! and are removed with it.

use uuid::Uuid;

use super::beings::{find_space, write_changed};
use super::retry::retrying;
use crate::model::{ApiError, Being, Timestamp, permissions};
use crate::server::db::{Exec, beings as db_beings, removals};
use crate::server::state::AppState;

/// May `actor` moderate `space`: its owner, or one of the operator's moderators?
pub(crate) fn moderates(state: &AppState, actor: Uuid, space: &Being) -> bool {
    permissions::may_moderate(actor, space.owner_id, &state.config.moderators)
}

/// The space `space_id`, if `actor` moderates it; 403 saying who can `do_what` otherwise.
async fn moderated_space(
    state: &AppState,
    ex: Exec<'_>,
    actor: &Being,
    space_id: Uuid,
    do_what: &str,
) -> Result<Being, ApiError> {
    let space = find_space(ex, space_id).await?;
    if !moderates(state, actor.id, &space) {
        return Err(ApiError::forbidden(format!(
            "only the space's owner or a moderator can {do_what}"
        )));
    }
    Ok(space)
}

/// 403 when `being_id` was removed from `space_id`.
pub(crate) async fn refuse_if_removed(
    ex: Exec<'_>,
    space_id: Uuid,
    being_id: Uuid,
) -> Result<(), ApiError> {
    if removals::is_removed(ex, space_id, being_id).await? {
        return Err(ApiError::forbidden(
            "this being was removed from this space by its moderators",
        ));
    }
    Ok(())
}

/// Removes `being_id` from `space_id` (see the module header). Nobody removes the space's
/// owner from it.
pub async fn remove(
    state: &AppState,
    actor: &Being,
    space_id: Uuid,
    being_id: Uuid,
) -> Result<(), ApiError> {
    retrying(|| remove_once(state, actor, space_id, being_id)).await
}

async fn remove_once(
    state: &AppState,
    actor: &Being,
    space_id: Uuid,
    being_id: Uuid,
) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    let space = moderated_space(state, tx.exec(), actor, space_id, "remove beings from it").await?;
    let mut being = db_beings::get(tx.exec(), being_id)
        .await?
        .ok_or_else(|| ApiError::not_found("being"))?;
    if Some(being.id) == space.owner_id || being.id == space.id {
        return Err(ApiError::forbidden(
            "a space's owner (or the space itself) cannot be removed from it",
        ));
    }
    let now = Timestamp::now();
    let mut recorder = state.live.recorder();
    let owned = db_beings::owned_in_space(tx.exec(), being.id, space_id).await?;
    for mut leaving in owned {
        removals::insert(tx.exec(), space_id, leaving.id, actor.id, now).await?;
        leaving.location_id = None;
        write_changed(tx.exec(), &mut recorder, &mut leaving, Some(space_id)).await?;
    }
    removals::insert(tx.exec(), space_id, being_id, actor.id, now).await?;
    if being.location_id == Some(space_id) {
        being.location_id = None;
        write_changed(tx.exec(), &mut recorder, &mut being, Some(space_id)).await?;
    }
    tx.commit().await?;
    recorder.publish();
    tracing::info!(%space_id, %being_id, by = %actor.id, "removed from a space");
    Ok(())
}

/// Lets a removed being, and the beings it owns, back into `space_id` (nothing to do if it
/// was not removed).
pub async fn readmit(
    state: &AppState,
    actor: &Being,
    space_id: Uuid,
    being_id: Uuid,
) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    moderated_space(state, tx.exec(), actor, space_id, "let beings back in").await?;
    removals::delete_with_owned(tx.exec(), space_id, being_id).await?;
    tx.commit().await?;
    Ok(())
}
