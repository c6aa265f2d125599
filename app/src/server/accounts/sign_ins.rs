//! Failed sign-ins over a sliding window, per login and per address.
use crate::AppError;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

pub struct RecentFailures {
    pub by_login: i64,
    /// Every failure from the address.
    pub by_address: i64,
    /// Failures from the address for logins that do not exist.
    pub unknown_by_address: i64,
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
) -> Result<RecentFailures, AppError> {
    let row = sqlx::query!(
        r#"SELECT
             count(*) FILTER (WHERE login = $1) AS "by_login!",
             count(*) FILTER (WHERE address = $2) AS "by_address!",
             count(*) FILTER (WHERE address = $2 AND NOT known_login) AS "unknown_by_address!",
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
    Ok(RecentFailures {
        by_login: row.by_login,
        by_address: row.by_address,
        unknown_by_address: row.unknown_by_address,
        oldest_for_login: row.oldest_for_login,
        oldest_for_address: row.oldest_for_address,
    })
}

/// Holds the login's attempts still until the transaction ends: the count and the new failure
/// row of one attempt happen before the next attempt's count.
pub async fn lock_login(db: impl PgExecutor<'_>, login: &str) -> Result<(), AppError> {
    // A runtime query: `pg_advisory_xact_lock` returns `void`, which the checked macros cannot type.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind(login)
        .execute(db)
        .await?;
    Ok(())
}

/// A failed attempt for `login` from `address`; `known_login`: an account has that login (only
/// failures for logins that do not exist count against the address).
pub async fn record(
    db: impl PgExecutor<'_>,
    login: &str,
    address: &str,
    known_login: bool,
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO sign_in_failures (login, address, known_login) VALUES ($1, $2, $3)",
        login,
        address,
        known_login
    )
    .execute(db)
    .await?;
    Ok(())
}

fn device_hash(device: &str) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    Sha256::digest(device.as_bytes()).to_vec()
}

/// Whether the account has signed in from the browser holding `device` before.
pub async fn known_device(
    db: impl PgExecutor<'_>,
    user_id: i64,
    device: &str,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM known_devices WHERE user_id = $1 AND device_hash = $2) AS "known!""#,
        user_id,
        device_hash(device)
    )
    .fetch_one(db)
    .await?)
}

/// Remembers that the account signed in from the browser holding `device`.
pub async fn remember_device(
    db: impl PgExecutor<'_>,
    user_id: i64,
    device: &str,
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO known_devices (user_id, device_hash) VALUES ($1, $2)
         ON CONFLICT (user_id, device_hash) DO UPDATE SET last_seen_at = now(), updated_at = now()",
        user_id,
        device_hash(device)
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A successful sign-in clears the login's count (not the address's).
pub async fn clear(db: impl PgExecutor<'_>, login: &str) -> Result<(), AppError> {
    sqlx::query!("DELETE FROM sign_in_failures WHERE login = $1", login)
        .execute(db)
        .await?;
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
