//! Bots' settings (`bots`) and tokens (`bot_tokens`). The engine's settings are JSON without
//! secrets; the OpenAI key and the webhook's signing secret sit in columns of their own.

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::{BotTokenInfo, Timestamp};

/// A bot's settings as stored (`Debug` shows no secret).
#[derive(Clone, sqlx::FromRow)]
pub struct BotRow {
    pub being_id: Uuid,
    pub wakes_on: String,
    /// `EngineStored`, as JSON.
    pub engine: String,
    pub api_key: Option<String>,
    pub signing_secret: Option<String>,
}

impl std::fmt::Debug for BotRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotRow")
            .field("being_id", &self.being_id)
            .field("wakes_on", &self.wakes_on)
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

/// A bot in a space, as waking needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BotInSpace {
    pub id: Uuid,
    pub name: String,
    pub wakes_on: String,
    pub engine: String,
}

pub async fn get(ex: Exec<'_>, being_id: Uuid) -> sqlx::Result<Option<BotRow>> {
    on_exec!(ex, c => sqlx::query_as::<_, BotRow>(
        "SELECT being_id, wakes_on, engine, api_key, signing_secret FROM bots WHERE being_id = $1",
    )
    .bind(being_id)
    .fetch_optional(&mut *c)
    .await)
}

pub async fn put(ex: Exec<'_>, row: &BotRow, now: Timestamp) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO bots (being_id, wakes_on, engine, api_key, signing_secret, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (being_id) DO UPDATE SET \
         wakes_on = excluded.wakes_on, engine = excluded.engine, api_key = excluded.api_key, \
         signing_secret = excluded.signing_secret, updated_at = excluded.updated_at",
    )
    .bind(row.being_id)
    .bind(&row.wakes_on)
    .bind(&row.engine)
    .bind(&row.api_key)
    .bind(&row.signing_secret)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// The bots in `space_id` that have settings.
pub async fn in_space(ex: Exec<'_>, space_id: Uuid) -> sqlx::Result<Vec<BotInSpace>> {
    on_exec!(ex, c => sqlx::query_as::<_, BotInSpace>(
        "SELECT b.id, b.name, s.wakes_on, s.engine FROM beings b \
         JOIN bots s ON s.being_id = b.id WHERE b.location_id = $1 AND b.kind = 'bot'",
    )
    .bind(space_id)
    .fetch_all(&mut *c)
    .await)
}

pub async fn insert_token(
    ex: Exec<'_>,
    id: Uuid,
    bot_id: Uuid,
    token_hash: &[u8],
    now: Timestamp,
) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO bot_tokens (id, bot_id, token_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(bot_id)
    .bind(token_hash)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// The token with this hash: its id and its bot.
pub async fn token(ex: Exec<'_>, token_hash: &[u8]) -> sqlx::Result<Option<(Uuid, Uuid)>> {
    on_exec!(ex, c => sqlx::query_as::<_, (Uuid, Uuid)>(
        "SELECT id, bot_id FROM bot_tokens WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *c)
    .await)
}

pub async fn tokens_of(ex: Exec<'_>, bot_id: Uuid) -> sqlx::Result<Vec<BotTokenInfo>> {
    on_exec!(ex, c => sqlx::query_as::<_, BotTokenInfo>(
        "SELECT id, created_at FROM bot_tokens WHERE bot_id = $1 ORDER BY created_at, id",
    )
    .bind(bot_id)
    .fetch_all(&mut *c)
    .await)
}

/// Revokes the token `id` if it is `bot_id`'s; `true` if it was.
pub async fn delete_token(ex: Exec<'_>, id: Uuid, bot_id: Uuid) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query("DELETE FROM bot_tokens WHERE id = $1 AND bot_id = $2")
        .bind(id)
        .bind(bot_id)
        .execute(&mut *c)
        .await
        .map(|done| done.rows_affected() > 0))
}

/// Which of `ids` are still tokens.
pub async fn existing_tokens(ex: Exec<'_>, ids: &[Uuid]) -> sqlx::Result<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    on_exec!(ex, c => {
        let mut query = sqlx::QueryBuilder::new("SELECT id FROM bot_tokens WHERE id IN (");
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        query.push(")");
        query.build_query_scalar::<Uuid>().fetch_all(&mut *c).await
    })
}
