//! Queries on intentions.

use uuid::Uuid;

use super::{Db, on_pool};
use crate::model::{Intention, Timestamp};

#[tracing::instrument(skip(db))]
pub async fn get(db: &Db, id: Uuid) -> sqlx::Result<Option<Intention>> {
    on_pool!(db.read(), p => sqlx::query_as::<_, Intention>(
        "SELECT id, kind, state, owner_id, location_id, content, created_at, updated_at \
         FROM intentions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(p)
    .await)
}

/// Up to `limit` intentions of a space, newest first, strictly older than `before`
/// (a `(created_at, id)` position) when given. Walks one index range of one space.
#[tracing::instrument(skip(db))]
pub async fn page(
    db: &Db,
    space_id: Uuid,
    before: Option<(Timestamp, Uuid)>,
    limit: u32,
) -> sqlx::Result<Vec<Intention>> {
    let limit = i64::from(limit);
    on_pool!(db.read(), p => match before {
        None => sqlx::query_as::<_, Intention>(
            "SELECT id, kind, state, owner_id, location_id, content, created_at, updated_at \
             FROM intentions WHERE location_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(space_id)
        .bind(limit)
        .fetch_all(p)
        .await,
        Some((at, id)) => sqlx::query_as::<_, Intention>(
            "SELECT id, kind, state, owner_id, location_id, content, created_at, updated_at \
             FROM intentions WHERE location_id = $1 \
             AND (created_at < $2 OR (created_at = $2 AND id < $3)) \
             ORDER BY created_at DESC, id DESC LIMIT $4",
        )
        .bind(space_id)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(p)
        .await,
    })
}

/// Inserts unless the id is taken; `Ok(false)` when it was (nothing is written then).
#[tracing::instrument(skip(db, intention), fields(id = %intention.id))]
pub async fn insert_if_new(db: &Db, intention: &Intention) -> sqlx::Result<bool> {
    on_pool!(db.write(), p => sqlx::query(
        "INSERT INTO intentions (id, kind, state, owner_id, location_id, content, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
    )
    .bind(intention.id)
    .bind(intention.kind)
    .bind(intention.state)
    .bind(intention.owner_id)
    .bind(intention.location_id)
    .bind(&intention.content)
    .bind(intention.created_at)
    .bind(intention.updated_at)
    .execute(p)
    .await
    .map(|done| done.rows_affected() == 1))
}

#[tracing::instrument(skip(db, content))]
pub async fn update_content(db: &Db, id: Uuid, content: &str, at: Timestamp) -> sqlx::Result<()> {
    on_pool!(db.write(), p => sqlx::query(
        "UPDATE intentions SET content = $2, updated_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(content)
    .bind(at)
    .execute(p)
    .await
    .map(|_| ()))
}

#[tracing::instrument(skip(db))]
pub async fn delete(db: &Db, id: Uuid) -> sqlx::Result<()> {
    on_pool!(db.write(), p => sqlx::query("DELETE FROM intentions WHERE id = $1")
        .bind(id)
        .execute(p)
        .await
        .map(|_| ()))
}
