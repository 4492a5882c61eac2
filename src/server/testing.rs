//! Helpers for the integration tests (and anyone scripting a throwaway server).

use sqlx::Connection;
use sqlx::postgres::PgConnection;
use uuid::Uuid;

/// Creates an empty database `rhizom_test_<uuid>` on the server `admin_url` points at and
/// returns a URL to it.
pub async fn create_postgres_database(admin_url: &str) -> anyhow::Result<String> {
    let name = format!("rhizom_test_{}", Uuid::new_v4().simple());
    let mut conn = PgConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    Ok(format!("{base}/{name}"))
}
