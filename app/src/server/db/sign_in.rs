//! Failed sign-ins over a sliding window, per login and per address.
use crate::AppError;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

pub struct Recent {
    pub by_login: i64,
    pub by_address: i64,
    /// When the oldest failure counted for the login happened.
    pub oldest_for_login: Option<DateTime<Utc>>,
    /// When the oldest failure counted for the address happened.
    pub oldest_for_address: Option<DateTime<Utc>>,
}

pub async fn recent(
    db: impl PgExecutor<'_>,
    login: &str,
    address: &str,
    window_minutes: i32,
) -> Result<Recent, AppError> {
    let row = sqlx::query!(
        r#"SELECT
             count(*) FILTER (WHERE login = $1) AS "by_login!",
             count(*) FILTER (WHERE address = $2) AS "by_address!",
             min(created_at) FILTER (WHERE login = $1) AS "oldest_for_login: DateTime<Utc>",
             min(created_at) FILTER (WHERE address = $2) AS "oldest_for_address: DateTime<Utc>"
           FROM sign_in_failures
           WHERE (login = $1 OR address = $2)
             AND created_at > now() - make_interval(mins => $3)"#,
        login,
        address,
        window_minutes
    )
    .fetch_one(db)
    .await?;
    Ok(Recent {
        by_login: row.by_login,
        by_address: row.by_address,
        oldest_for_login: row.oldest_for_login,
        oldest_for_address: row.oldest_for_address,
    })
}

/// Holds the login's attempts still until the transaction ends: the count and the new failure
/// row of one attempt happen before the next attempt's count.
pub async fn lock_login(db: impl PgExecutor<'_>, login: &str) -> Result<(), AppError> {
    // A runtime query: `pg_advisory_xact_lock` returns `void`, which the checked macros cannot type.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(login).execute(db).await?;
    Ok(())
}

pub async fn record(db: impl PgExecutor<'_>, login: &str, address: &str) -> Result<(), AppError> {
    sqlx::query!("INSERT INTO sign_in_failures (login, address) VALUES ($1, $2)", login, address)
        .execute(db)
        .await?;
    Ok(())
}

/// A successful sign-in clears the login's count (not the address's).
pub async fn clear(db: impl PgExecutor<'_>, login: &str) -> Result<(), AppError> {
    sqlx::query!("DELETE FROM sign_in_failures WHERE login = $1", login).execute(db).await?;
    Ok(())
}

/// Forgets failures older than the window: they no longer count.
pub async fn prune(db: impl PgExecutor<'_>, window_minutes: i32) -> Result<u64, AppError> {
    let done = sqlx::query!(
        "DELETE FROM sign_in_failures WHERE created_at < now() - make_interval(mins => $1)",
        window_minutes
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
