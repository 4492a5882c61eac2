//! Queries on beings.

use uuid::Uuid;

use super::{Db, on_pool};
use crate::model::{Being, BeingKind, Timestamp};

#[tracing::instrument(skip(db))]
pub async fn get(db: &Db, id: Uuid) -> sqlx::Result<Option<Being>> {
    on_pool!(db.read(), p => sqlx::query_as::<_, Being>(
        "SELECT id, kind, name, owner_id, location_id, created_at, updated_at FROM beings WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(p)
    .await)
}

/// Every space, oldest first.
#[tracing::instrument(skip(db))]
pub async fn list_spaces(db: &Db) -> sqlx::Result<Vec<Being>> {
    on_pool!(db.read(), p => sqlx::query_as::<_, Being>(
        "SELECT id, kind, name, owner_id, location_id, created_at, updated_at FROM beings \
         WHERE kind = 'space' ORDER BY created_at, id",
    )
    .fetch_all(p)
    .await)
}

/// The beings inside a space, in order of arrival.
#[tracing::instrument(skip(db))]
pub async fn list_in(db: &Db, space_id: Uuid) -> sqlx::Result<Vec<Being>> {
    on_pool!(db.read(), p => sqlx::query_as::<_, Being>(
        "SELECT id, kind, name, owner_id, location_id, created_at, updated_at FROM beings \
         WHERE location_id = $1 ORDER BY created_at, id",
    )
    .bind(space_id)
    .fetch_all(p)
    .await)
}

#[tracing::instrument(skip(db))]
pub async fn insert(db: &Db, being: &Being) -> sqlx::Result<()> {
    on_pool!(db.write(), p => sqlx::query(
        "INSERT INTO beings (id, kind, name, owner_id, location_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(being.id)
    .bind(being.kind)
    .bind(&being.name)
    .bind(being.owner_id)
    .bind(being.location_id)
    .bind(being.created_at)
    .bind(being.updated_at)
    .execute(p)
    .await
    .map(|_| ()))
}

/// Writes a being's name and location as given.
#[tracing::instrument(skip(db))]
pub async fn update(db: &Db, being: &Being) -> sqlx::Result<()> {
    on_pool!(db.write(), p => sqlx::query(
        "UPDATE beings SET name = $2, location_id = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(being.id)
    .bind(&being.name)
    .bind(being.location_id)
    .bind(being.updated_at)
    .execute(p)
    .await
    .map(|_| ()))
}

/// Deletes a being unless it owns others; `Ok(false)` when it still does. Beings inside it
/// move to the top level and the intentions it owns or holds go with it (foreign keys), all
/// in one transaction.
#[tracing::instrument(skip(db))]
pub async fn delete_unless_owner(db: &Db, id: Uuid) -> sqlx::Result<bool> {
    on_pool!(db.write(), p => {
        let mut tx = p.begin().await?;
        let owns_others: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM beings WHERE owner_id = $1 AND id <> $1)",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if owns_others {
            return Ok(false);
        }
        sqlx::query("DELETE FROM beings WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Is `ancestor` the space `space_id` itself or one of the spaces it sits inside?
#[tracing::instrument(skip(db))]
pub async fn is_within(db: &Db, space_id: Uuid, ancestor: Uuid) -> sqlx::Result<bool> {
    on_pool!(db.read(), p => sqlx::query_scalar::<_, bool>(
        "WITH RECURSIVE up (id, location_id) AS ( \
             SELECT id, location_id FROM beings WHERE id = $1 \
             UNION \
             SELECT b.id, b.location_id FROM beings b JOIN up ON b.id = up.location_id \
         ) SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)",
    )
    .bind(space_id)
    .bind(ancestor)
    .fetch_one(p)
    .await)
}

/// A new being, stamped now.
pub fn new_being(
    kind: BeingKind,
    name: String,
    owner_id: Option<Uuid>,
    location_id: Option<Uuid>,
) -> Being {
    let now = Timestamp::now();
    let id = Uuid::now_v7();
    Being {
        id,
        kind,
        name,
        // A guest owns itself.
        owner_id: if kind == BeingKind::Guest {
            Some(id)
        } else {
            owner_id
        },
        location_id,
        created_at: now,
        updated_at: now,
    }
}

/// The beings with these ids (those that exist), in one query.
#[tracing::instrument(skip(db, ids), fields(count = ids.len()))]
pub async fn get_many(db: &Db, ids: &[Uuid]) -> sqlx::Result<Vec<Being>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    on_pool!(db.read(), p => {
        let mut query = sqlx::QueryBuilder::new(
            "SELECT id, kind, name, owner_id, location_id, created_at, updated_at FROM beings WHERE id IN (",
        );
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        query.push(")");
        query.build_query_as::<Being>().fetch_all(p).await
    })
}
