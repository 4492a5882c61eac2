//! Values generated once per database and shared by every node on it (the session key, the
//! epoch of cursors).

use super::{Exec, on_exec};

/// Returns the setting called `name`, storing `fresh` first if there is none yet. Two nodes
/// starting at once agree: the first insert wins and both read it back.
pub async fn get_or_create(ex: Exec<'_>, name: &str, fresh: &[u8]) -> sqlx::Result<Vec<u8>> {
    on_exec!(ex, c => {
        sqlx::query("INSERT INTO server_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(fresh)
            .execute(&mut *c)
            .await?;
        sqlx::query_scalar::<_, Vec<u8>>("SELECT value FROM server_settings WHERE name = $1")
            .bind(name)
            .fetch_one(&mut *c)
            .await
    })
}
