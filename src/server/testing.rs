//! Helpers for the integration tests (and anyone scripting a throwaway server).

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Connection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use uuid::Uuid;

const PREFIX: &str = "rhizom_test_";
/// Test databases older than this are dropped by the next test run: long past any test.
const STALE_AFTER_SECS: u64 = 60 * 60;

/// Creates an empty database `rhizom_test_<unix seconds>_<random>` on the server `admin_url`
/// points at and returns a URL to it. Test databases left from runs over an hour ago are
/// dropped on the way, so they never pile up.
pub async fn create_postgres_database(admin_url: &str) -> anyhow::Result<String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let name = format!(
        "{PREFIX}{now}_{}",
        &Uuid::new_v4().simple().to_string()[..12]
    );
    let mut conn = PgConnection::connect(admin_url).await?;
    drop_stale(&mut conn, now).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    Ok(format!("{base}/{name}"))
}

/// Runs one SQL statement on a test server's database (SQLite or PostgreSQL) behind its back,
/// and returns how many rows it changed: for a test that must age a row past its expiry.
pub async fn execute(database_url: &str, statement: &str) -> anyhow::Result<u64> {
    let statement = sqlx::AssertSqlSafe(statement.to_owned());
    let changed = if database_url.starts_with("postgres") {
        let mut conn = PgConnection::connect(database_url).await?;
        sqlx::query(statement)
            .execute(&mut conn)
            .await?
            .rows_affected()
    } else {
        let mut conn = SqliteConnection::connect(database_url).await?;
        sqlx::query(statement)
            .execute(&mut conn)
            .await?
            .rows_affected()
    };
    Ok(changed)
}

async fn drop_stale(conn: &mut PgConnection, now: u64) -> anyhow::Result<()> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE datname LIKE 'rhizom\\_test\\_%'",
    )
    .fetch_all(&mut *conn)
    .await?;
    for name in names.into_iter().filter(|n| is_stale(n, now)) {
        // Another run may drop it first; that is fine.
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut *conn)
        .await;
    }
    Ok(())
}

/// Test databases carry their creation time; names without one come from older test
/// helpers and are stale too.
fn is_stale(name: &str, now: u64) -> bool {
    let Some(rest) = name.strip_prefix(PREFIX) else {
        return false;
    };
    match rest
        .split_once('_')
        .and_then(|(secs, _)| secs.parse::<u64>().ok())
    {
        Some(created) => now.saturating_sub(created) > STALE_AFTER_SECS,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::is_stale;

    #[test]
    fn only_old_test_databases_are_stale() {
        assert!(is_stale("rhizom_test_1000_abc", 1000 + 3601));
        assert!(!is_stale("rhizom_test_1000_abc", 1000 + 60));
        assert!(is_stale("rhizom_test_0123456789abcdef0123456789abcdef", 5));
        assert!(!is_stale("rhizom", 1_000_000));
    }
}
