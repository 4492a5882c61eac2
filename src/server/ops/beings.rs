//! Beings: spaces, bots, documents and guests.

use uuid::Uuid;

use crate::model::{ApiError, Being, BeingKind, Name, Timestamp, permissions};
use crate::server::db::{Db, beings as db_beings};

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

pub async fn get(db: &Db, id: Uuid) -> Result<Being, ApiError> {
    db_beings::get(db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("being"))
}

/// The space with this id, or 404 (also when the id names a being that is not a space).
pub async fn get_space(db: &Db, id: Uuid) -> Result<Being, ApiError> {
    match db_beings::get(db, id).await? {
        Some(being) if being.kind == BeingKind::Space => Ok(being),
        _ => Err(ApiError::not_found("space")),
    }
}

/// A location to move to: it must be a space (422 otherwise, naming `location_id`).
async fn parse_location(db: &Db, id: Uuid) -> Result<Being, ApiError> {
    get_space(db, id)
        .await
        .map_err(|_| ApiError::invalid("location_id", "location_id must name an existing space"))
}

pub async fn list_spaces(db: &Db) -> Result<Vec<Being>, ApiError> {
    Ok(db_beings::list_spaces(db).await?)
}

/// The beings in a space (404 for no such space).
pub async fn list_in_space(db: &Db, space_id: Uuid) -> Result<Vec<Being>, ApiError> {
    get_space(db, space_id).await?;
    Ok(db_beings::list_in(db, space_id).await?)
}

pub async fn create(
    db: &Db,
    actor: &Being,
    kind: BeingKind,
    name: &str,
    location_id: Option<Uuid>,
) -> Result<Being, ApiError> {
    let name = Name::parse(name)?;
    if let Some(location) = location_id {
        parse_location(db, location).await?;
    }
    let being = db_beings::new_being(kind, name.into_inner(), Some(actor.id), location_id);
    db_beings::insert(db, &being).await?;
    Ok(being)
}

/// What a `PATCH` may change: absent fields stay as they are; `location: Some(None)` moves
/// the being to the top level.
#[derive(Debug, Default)]
pub struct BeingChanges {
    pub name: Option<String>,
    pub location: Option<Option<Uuid>>,
}

pub async fn update(
    db: &Db,
    actor: &Being,
    id: Uuid,
    changes: BeingChanges,
) -> Result<Being, ApiError> {
    let mut being = get(db, id).await?;
    if !permissions::may_change_being(actor.id, being.owner_id) {
        return Err(ApiError::forbidden("only its owner can change this being"));
    }
    let name = changes.name.as_deref().map(Name::parse).transpose()?;
    if let Some(Some(location)) = changes.location {
        parse_location(db, location).await?;
        if being.kind == BeingKind::Space && db_beings::is_within(db, location, being.id).await? {
            return Err(ApiError::invalid(
                "location_id",
                "a space cannot be moved into itself or a space inside it",
            ));
        }
    }
    let mut changed = false;
    if let Some(name) = name.map(Name::into_inner).filter(|n| *n != being.name) {
        being.name = name;
        changed = true;
    }
    if let Some(location) = changes.location.filter(|l| *l != being.location_id) {
        being.location_id = location;
        changed = true;
    }
    if changed {
        being.updated_at = Timestamp::now().max(being.updated_at);
        db_beings::update(db, &being).await?;
    }
    Ok(being)
}

/// Walks `actor` into a space, as opening it does. Nothing is written if already there.
pub async fn enter(db: &Db, actor: &Being, space_id: Uuid) -> Result<Being, ApiError> {
    get_space(db, space_id).await?;
    let changes = BeingChanges {
        name: None,
        location: Some(Some(space_id)),
    };
    update(db, actor, actor.id, changes).await
}

pub async fn delete(db: &Db, actor: &Being, id: Uuid) -> Result<(), ApiError> {
    let being = get(db, id).await?;
    if !permissions::may_change_being(actor.id, being.owner_id) {
        return Err(ApiError::forbidden("only its owner can delete this being"));
    }
    if !db_beings::delete_unless_owner(db, id).await? {
        return Err(ApiError::conflict(
            "this being still owns other beings; delete those first",
        ));
    }
    Ok(())
}

/// The beings that wrote `intentions`, each once, in one query.
pub async fn authors(
    db: &Db,
    intentions: &[crate::model::Intention],
) -> Result<Vec<Being>, ApiError> {
    let mut ids: Vec<Uuid> = intentions.iter().map(|i| i.owner_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(db_beings::get_many(db, &ids).await?)
}
