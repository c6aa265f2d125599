//! Failed sign-ins over a sliding window, per login and per address.
use crate::AppError;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

pub struct Recent {
    pub by_login: i64,
    pub by_address: i64,
    /// When the oldest failure counted for the login (or, failing that, the address) happened.
    pub oldest: Option<DateTime<Utc>>,
}

pub async fn recent(
    db: impl PgExecutor<'_>,
    login: &str,
    address: &str,
    window_minutes: i64,
) -> Result<Recent, AppError> {
    let row = sqlx::query!(
        r#"SELECT
             count(*) FILTER (WHERE login = $1) AS "by_login!",
             count(*) FILTER (WHERE address = $2) AS "by_address!",
             min(created_at) AS "oldest: DateTime<Utc>"
           FROM sign_in_failures
           WHERE (login = $1 OR address = $2)
             AND created_at > now() - make_interval(mins => $3::int)"#,
        login,
        address,
        window_minutes as i32
    )
    .fetch_one(db)
    .await?;
    Ok(Recent { by_login: row.by_login, by_address: row.by_address, oldest: row.oldest })
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
