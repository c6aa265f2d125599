//! The database: the pool, the migrations, and how domain types are stored in it. Queries live
//! with the module that owns them; they take an executor, so one request's writes can share a
//! transaction.

use crate::server::Settings;
use secrecy::ExposeSecret;
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    PgPool,
};
use std::str::FromStr;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

pub async fn connect(settings: &Settings) -> Result<PgPool, sqlx::Error> {
    // JIT compilation pays off for long analytical queries, not for ours: it added ~70 ms to a
    // count over 100,000 rows.
    let options = PgConnectOptions::from_str(settings.database_url.expose_secret())?
        .options([("jit", "off")]);
    PgPoolOptions::new()
        .max_connections(settings.db_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
}

/// Applies pending migrations, and the session store's table.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    tower_sessions_sqlx_store::PostgresStore::new(pool.clone())
        .migrate()
        .await?;
    Ok(())
}

/// A timeline entry's kind is stored as its name (`reply`); the database only ever holds names
/// `EventKind` writes, and reading any other is an error, not a guess.
impl sqlx::Type<sqlx::Postgres> for crate::domain::incident::EventKind {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <&str as sqlx::Type<sqlx::Postgres>>::type_info()
    }

    fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
        <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Postgres> for crate::domain::incident::EventKind {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let name = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
        crate::domain::incident::EventKind::from_name(name)
            .ok_or_else(|| format!("unknown timeline entry kind {name:?}").into())
    }
}
