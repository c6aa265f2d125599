//! REST API bearer tokens: `mss_` and 64 hex digits, shown once; only their SHA-256 is stored.
use crate::domain::user::CurrentUser;
use crate::AppError;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgExecutor;

pub struct NewToken {
    pub id: i64,
    /// The secret itself: print once, never store.
    pub token: String,
}

fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub async fn create(db: impl PgExecutor<'_>, user_id: i64, label: &str) -> Result<NewToken, AppError> {
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let token = format!("mss_{}", hex::encode(secret));
    let id = sqlx::query_scalar!(
        "INSERT INTO api_tokens (user_id, token_hash, label) VALUES ($1, $2, $3) RETURNING id",
        user_id,
        digest(&token),
        label
    )
    .fetch_one(db)
    .await?;
    Ok(NewToken { id, token })
}

/// The active user a live token belongs to; marks the token used (to the minute: a busy
/// integration's calls do not all queue to rewrite the same row).
pub async fn user_for(db: impl PgExecutor<'_>, token: &str) -> Result<Option<CurrentUser>, AppError> {
    let row = sqlx::query!(
        r#"WITH found AS (
               SELECT t.id AS token_id, t.last_used_at, u.id, u.login, u.display_name, u.role
               FROM api_tokens t JOIN users u ON u.id = t.user_id
               WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL
           ), touched AS (
               UPDATE api_tokens SET last_used_at = now()
               WHERE id IN (SELECT token_id FROM found WHERE last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
           )
           SELECT id AS "id!", login AS "login!", display_name AS "display_name!", role AS "role!" FROM found"#,
        digest(token)
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| super::users::to_user(r.id, r.login, r.display_name, &r.role)).transpose()
}

pub struct TokenInfo {
    pub id: i64,
    pub label: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked: bool,
}

pub async fn list(db: impl PgExecutor<'_>, user_id: i64) -> Result<Vec<TokenInfo>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT id, label, created_at AS "created_at: chrono::DateTime<chrono::Utc>",
                  last_used_at AS "last_used_at: chrono::DateTime<chrono::Utc>",
                  revoked_at IS NOT NULL AS "revoked!"
           FROM api_tokens WHERE user_id = $1 ORDER BY id"#,
        user_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TokenInfo {
            id: r.id,
            label: r.label,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked: r.revoked,
        })
        .collect())
}

/// Revokes one token; `false` when there was no live token with that id.
pub async fn revoke(db: impl PgExecutor<'_>, id: i64) -> Result<bool, AppError> {
    let done = sqlx::query!(
        "UPDATE api_tokens SET revoked_at = now(), updated_at = now() WHERE id = $1 AND revoked_at IS NULL",
        id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
