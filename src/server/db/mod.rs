//! The data layer: one set of queries over SQLite (the embedded default) or PostgreSQL.
//!
//! Every statement is written once with `$n` placeholders, which both engines accept, and the
//! [`on_exec!`] macro compiles it once per engine (on a pooled connection or inside a
//! transaction alike), so neither backend is second-class.
//! On SQLite, writes go through a single connection (SQLite has one writer anyway; a single
//! writer never meets `SQLITE_BUSY` on a lock upgrade), reads through a small pool.

pub mod beings;
pub mod bots;
pub mod changes;
pub mod intentions;
pub mod mentions;
pub mod oidc_links;
pub mod passkeys;
pub mod presence;
pub mod reads;
pub mod removals;
pub mod sessions;
pub mod settings;
pub mod sign_in_attempts;
pub mod sign_in_links;
pub mod wakes;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;

use crate::server::config::DatabaseUrl;
use sqlx::Transaction;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions, Postgres};
use sqlx::sqlite::{Sqlite, SqliteConnection};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// A pool on one engine.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A connection to run statements on: a transaction's or a pooled one's.
pub enum Exec<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl Exec<'_> {
    /// The same connection for one more statement.
    pub fn reborrow(&mut self) -> Exec<'_> {
        match self {
            Exec::Sqlite(c) => Exec::Sqlite(c),
            Exec::Postgres(c) => Exec::Postgres(c),
        }
    }
}

/// Runs `$body` with `$conn` bound to the engine's connection; compiled for each engine.
macro_rules! on_exec {
    ($exec:expr, $conn:ident => $body:expr) => {
        match $exec {
            $crate::server::db::Exec::Sqlite($conn) => $body,
            $crate::server::db::Exec::Postgres($conn) => $body,
        }
    };
}
pub(crate) use on_exec;

/// An open transaction.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Tx::Sqlite(tx) => Exec::Sqlite(tx),
            Tx::Postgres(tx) => Exec::Postgres(tx),
        }
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// A connection from a pool, for statements outside a transaction.
pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Conn {
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Conn::Sqlite(c) => Exec::Sqlite(c),
            Conn::Postgres(c) => Exec::Postgres(c),
        }
    }
}

/// The database: a pool for reads and one for writes (the same pool on PostgreSQL).
#[derive(Clone, Debug)]
pub struct Db {
    read: Pool,
    write: Pool,
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and brings the schema up to date.
    pub async fn connect(database_url: &DatabaseUrl) -> anyhow::Result<Db> {
        let url = database_url.expose();
        if database_url.is_postgres() {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .context("connecting to PostgreSQL")?;
            sqlx::migrate!("./migrations/postgres")
                .run(&pool)
                .await
                .context("migrating the PostgreSQL database")?;
            let pool = Pool::Postgres(pool);
            Ok(Db {
                read: pool.clone(),
                write: pool,
            })
        } else {
            let options = SqliteConnectOptions::from_str(url)
                .with_context(|| format!("reading the SQLite URL {url:?}"))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            if let Some(dir) = options
                .get_filename()
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating the data directory {}", dir.display()))?;
            }
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options.clone())
                .await
                .context("opening the SQLite database")?;
            sqlx::migrate!("./migrations/sqlite")
                .run(&write)
                .await
                .context("migrating the SQLite database")?;
            let read = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options.read_only(true))
                .await
                .context("opening the SQLite database for reading")?;
            Ok(Db {
                read: Pool::Sqlite(read),
                write: Pool::Sqlite(write),
            })
        }
    }

    /// A connection for reads outside a transaction.
    pub async fn reader(&self) -> sqlx::Result<Conn> {
        Ok(match &self.read {
            Pool::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }

    /// A write transaction (on SQLite, on the single writer connection).
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        Ok(match &self.write {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A connection of the writing pool for one statement in a transaction of its own.
    pub async fn autocommit(&self) -> sqlx::Result<Conn> {
        Ok(match &self.write {
            Pool::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }

    /// A read-only transaction that sees one consistent snapshot of the database.
    pub async fn begin_snapshot(&self) -> sqlx::Result<Tx> {
        Ok(match &self.read {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Tx::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        })
    }

    /// Answers when the database does: for `/healthz`.
    pub async fn ping(&self) -> sqlx::Result<()> {
        let mut conn = self.reader().await?;
        on_exec!(conn.exec(), c => sqlx::query("SELECT 1").execute(&mut *c).await.map(|_| ()))
    }
}
