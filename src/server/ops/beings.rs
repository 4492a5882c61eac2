//! Beings: spaces, bots, documents and guests.

use uuid::Uuid;

use super::moderation;
use super::retry::retrying;
use crate::model::{ApiError, Being, BeingKind, Name, Timestamp, permissions};
use crate::server::db::{Exec, beings as db_beings, intentions as db_intentions};
use crate::server::live::Recorder;
use crate::server::state::AppState;
use crate::sync::Change;

/// The kinds a program may create through the API (guests come from signing in).
pub fn parse_creatable_kind(raw: &str) -> Result<BeingKind, ApiError> {
    match raw {
        "space" => Ok(BeingKind::Space),
        "bot" => Ok(BeingKind::Bot),
        "document" => Ok(BeingKind::Document),
        "guest" => Err(ApiError::invalid(
            "kind",
            "guests are created by signing in: POST /api/session",
        )),
        _ => Err(ApiError::invalid(
            "kind",
            "kind is one of: space, bot, document",
        )),
    }
}

pub async fn get(state: &AppState, id: Uuid) -> Result<Being, ApiError> {
    let mut conn = state.db.reader().await?;
    find(conn.exec(), id).await
}

/// The beings with these ids that exist, in no particular order.
pub async fn get_many(state: &AppState, ids: &[Uuid]) -> Result<Vec<Being>, ApiError> {
    let mut conn = state.db.reader().await?;
    Ok(db_beings::get_many(conn.exec(), ids).await?)
}

async fn find(ex: Exec<'_>, id: Uuid) -> Result<Being, ApiError> {
    db_beings::get(ex, id)
        .await?
        .ok_or_else(|| ApiError::not_found("being"))
}

/// The space with this id, or 404 (also when the id names a being that is not a space).
pub async fn find_space(ex: Exec<'_>, id: Uuid) -> Result<Being, ApiError> {
    match db_beings::get(ex, id).await? {
        Some(being) if being.kind == BeingKind::Space => Ok(being),
        _ => Err(ApiError::not_found("space")),
    }
}

/// A location to move to: it must be a space (422 otherwise, naming `location_id`).
async fn check_location(ex: Exec<'_>, id: Uuid) -> Result<Being, ApiError> {
    find_space(ex, id)
        .await
        .map_err(|_| ApiError::invalid("location_id", "location_id must name an existing space"))
}

pub async fn create(
    state: &AppState,
    actor: &Being,
    kind: BeingKind,
    name: &str,
    location_id: Option<Uuid>,
) -> Result<Being, ApiError> {
    retrying(|| create_once(state, actor, kind, name, location_id)).await
}

async fn create_once(
    state: &AppState,
    actor: &Being,
    kind: BeingKind,
    name: &str,
    location_id: Option<Uuid>,
) -> Result<Being, ApiError> {
    if actor.kind != BeingKind::Guest {
        // A bot (acting through its token) owns nothing: what it made would outlive the token.
        return Err(ApiError::forbidden("only a person can create beings"));
    }
    let name = Name::parse(name)?;
    let being = db_beings::new_being(kind, name.into_inner(), Some(actor.id), location_id);
    let mut tx = state.db.begin().await?;
    let mut recorder = state.live.recorder();
    if let Some(location) = location_id {
        check_location(tx.exec(), location).await?;
        moderation::refuse_if_removed(tx.exec(), location, actor.id).await?;
        recorder
            .record(
                tx.exec(),
                location,
                Change::BeingUpsert {
                    being: being.clone(),
                },
            )
            .await?;
    }
    db_beings::insert(tx.exec(), &being).await?;
    tx.commit().await?;
    recorder.publish();
    Ok(being)
}

/// What a `PATCH` may change: absent fields stay as they are; `location: Some(None)` moves
/// the being to the top level.
#[derive(Clone, Debug, Default)]
pub struct BeingChanges {
    pub name: Option<String>,
    pub location: Option<Option<Uuid>>,
}

pub async fn update(
    state: &AppState,
    actor: &Being,
    id: Uuid,
    changes: BeingChanges,
) -> Result<Being, ApiError> {
    retrying(|| update_once(state, actor, id, changes.clone())).await
}

async fn update_once(
    state: &AppState,
    actor: &Being,
    id: Uuid,
    changes: BeingChanges,
) -> Result<Being, ApiError> {
    let name = changes.name.as_deref().map(Name::parse).transpose()?;
    let mut tx = state.db.begin().await?;
    let mut being = find(tx.exec(), id).await?;
    if !permissions::may_change_being(actor.id, being.owner_id) {
        return Err(ApiError::forbidden("only its owner can change this being"));
    }
    if let Some(Some(location)) = changes.location.filter(|l| *l != being.location_id) {
        let space = check_location(tx.exec(), location).await?;
        if !moderation::moderates(state, actor.id, &space) {
            moderation::refuse_if_removed(tx.exec(), location, being.id).await?;
            if actor.id != being.id {
                moderation::refuse_if_removed(tx.exec(), location, actor.id).await?;
            }
        }
        if being.kind == BeingKind::Space {
            // Two moves that would each put one space inside the other must not both pass
            // the check below: they take turns.
            db_beings::serialize_space_moves(tx.exec()).await?;
            if db_beings::is_within(tx.exec(), location, being.id).await? {
                return Err(ApiError::invalid(
                    "location_id",
                    "a space cannot be moved into itself or a space inside it",
                ));
            }
        }
    }
    let old_location = being.location_id;
    let renamed = name.map(Name::into_inner).filter(|n| *n != being.name);
    let moved = changes.location.filter(|l| *l != being.location_id);
    if renamed.is_none() && moved.is_none() {
        return Ok(being);
    }
    if let Some(name) = renamed {
        being.name = name;
    }
    if let Some(location) = moved {
        being.location_id = location;
    }
    let mut recorder = state.live.recorder();
    write_changed(tx.exec(), &mut recorder, &mut being, old_location).await?;
    tx.commit().await?;
    recorder.publish();
    Ok(being)
}

/// Writes a being whose name or place changed (from `old_location`), and tells the spaces
/// concerned: a move is a delete in the old space and an upsert in the new one, and a space's
/// own stream hears of its new name.
pub(crate) async fn write_changed(
    mut ex: Exec<'_>,
    recorder: &mut Recorder,
    being: &mut Being,
    old_location: Option<Uuid>,
) -> Result<(), ApiError> {
    being.updated_at = Timestamp::now().max(being.updated_at);
    db_beings::update(ex.reborrow(), being).await?;
    if let Some(old) = old_location.filter(|old| Some(*old) != being.location_id) {
        recorder
            .record(ex.reborrow(), old, Change::BeingDelete { id: being.id })
            .await?;
    }
    let upsert = || Change::BeingUpsert {
        being: being.clone(),
    };
    if let Some(location) = being.location_id {
        recorder.record(ex.reborrow(), location, upsert()).await?;
    }
    if being.kind == BeingKind::Space {
        recorder.record(ex, being.id, upsert()).await?;
    }
    Ok(())
}

/// Walks `actor` into a space, as opening its page does. Nothing is written if already
/// there.
pub async fn enter(state: &AppState, actor: &Being, space_id: Uuid) -> Result<Being, ApiError> {
    if actor.location_id == Some(space_id) {
        return Ok(actor.clone());
    }
    let changes = BeingChanges {
        name: None,
        location: Some(Some(space_id)),
    };
    update(state, actor, actor.id, changes).await
}

pub async fn delete(state: &AppState, actor: &Being, id: Uuid) -> Result<(), ApiError> {
    retrying(|| delete_once(state, actor, id)).await
}

async fn delete_once(state: &AppState, actor: &Being, id: Uuid) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    let being = find(tx.exec(), id).await?;
    if !permissions::may_change_being(actor.id, being.owner_id) {
        return Err(ApiError::forbidden("only its owner can delete this being"));
    }
    if db_beings::owns_others(tx.exec(), id).await? {
        return Err(ApiError::conflict(
            "this being still owns other beings; delete those first",
        ));
    }
    let mut recorder = state.live.recorder();
    // The intentions it owns go with it: each space they were in hears of it.
    for (intention_id, space_id) in db_intentions::owned_by(tx.exec(), id).await? {
        if Some(space_id) != Some(id) {
            recorder
                .record(
                    tx.exec(),
                    space_id,
                    Change::IntentionDelete { id: intention_id },
                )
                .await?;
        }
    }
    if let Some(location) = being.location_id {
        recorder
            .record(tx.exec(), location, Change::BeingDelete { id })
            .await?;
    }
    if being.kind == BeingKind::Space {
        recorder
            .record(tx.exec(), id, Change::BeingDelete { id })
            .await?;
    }
    db_beings::delete(tx.exec(), id).await?;
    tx.commit().await?;
    recorder.publish();
    Ok(())
}
