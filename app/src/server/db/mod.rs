//! Queries, one module per table family. Functions take an executor so one request's writes can
//! share a transaction.
pub mod admin;
pub mod deliveries;
pub mod desk;
pub mod incidents;
pub mod screenshots;
pub mod sign_in;
pub mod tokens;
pub mod users;

use super::Settings;
use secrecy::ExposeSecret;
use sqlx::{postgres::{PgConnectOptions, PgPoolOptions}, PgPool};
use std::str::FromStr;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

pub async fn connect(settings: &Settings) -> Result<PgPool, sqlx::Error> {
    // JIT compilation pays off for long analytical queries, not for ours: it added ~70 ms to a
    // count over 100,000 rows.
    let options = PgConnectOptions::from_str(settings.database_url.expose_secret())?.options([("jit", "off")]);
    PgPoolOptions::new()
        .max_connections(settings.db_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
}

/// Applies pending migrations, and the session store's table.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    tower_sessions_sqlx_store::PostgresStore::new(pool.clone()).migrate().await?;
    Ok(())
}
