//! Secrets generated once per database and shared by every node on it.

use super::{Db, on_pool};

/// Returns the secret called `name`, storing `fresh` first if there is none yet. Two nodes
/// starting at once agree: the first insert wins and both read it back.
#[tracing::instrument(skip(db, fresh))]
pub async fn get_or_create(db: &Db, name: &str, fresh: &[u8]) -> sqlx::Result<Vec<u8>> {
    on_pool!(db.write(), p => {
        sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(fresh)
            .execute(p)
            .await?;
        sqlx::query_scalar::<_, Vec<u8>>("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(p)
            .await
    })
}
