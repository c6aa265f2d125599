//! REST API bearer tokens: `mss_` and 64 hex digits, shown once; only their SHA-256 is stored.
use crate::domain::accounts::ApiToken;
use crate::domain::accounts::CurrentUser;
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

/// A new token for `user_id`, working until `expires_at` (or until revoked, when `None`).
pub async fn create(
    db: impl PgExecutor<'_>,
    user_id: i64,
    label: &str,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<NewToken, AppError> {
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let token = format!("mss_{}", hex::encode(secret));
    let id = sqlx::query_scalar!(
        "INSERT INTO api_tokens (user_id, token_hash, label, expires_at) VALUES ($1, $2, $3, $4) RETURNING id",
        user_id,
        digest(&token),
        label,
        expires_at as _
    )
    .fetch_one(db)
    .await?;
    Ok(NewToken { id, token })
}

/// The active user a live token (not revoked, not expired) belongs to, with the role the account
/// has now; marks the token used (to the minute: a busy integration's calls do not all queue to
/// rewrite the same row).
pub async fn user_for(
    db: impl PgExecutor<'_>,
    token: &str,
) -> Result<Option<CurrentUser>, AppError> {
    let row = sqlx::query!(
        r#"WITH found AS (
               SELECT t.id AS token_id, t.last_used_at, u.id, u.login, u.display_name, u.role
               FROM api_tokens t JOIN users u ON u.id = t.user_id
               WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL
                 AND (t.expires_at IS NULL OR t.expires_at > now())
           ), touched AS (
               UPDATE api_tokens SET last_used_at = now()
               WHERE id IN (SELECT token_id FROM found WHERE last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
           )
           SELECT id AS "id!", login AS "login!", display_name AS "display_name!", role AS "role!" FROM found"#,
        digest(token)
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| crate::server::accounts::users::to_user(r.id, r.login, r.display_name, &r.role))
        .transpose()
}

/// A user's tokens, oldest first.
pub async fn list(db: impl PgExecutor<'_>, user_id: i64) -> Result<Vec<ApiToken>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT id, label, created_at AS "created_at: chrono::DateTime<chrono::Utc>",
                  last_used_at AS "last_used_at: chrono::DateTime<chrono::Utc>",
                  expires_at AS "expires_at: chrono::DateTime<chrono::Utc>",
                  revoked_at IS NOT NULL AS "revoked!"
           FROM api_tokens WHERE user_id = $1 ORDER BY id"#,
        user_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ApiToken {
            id: r.id,
            label: r.label,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            expires_at: r.expires_at,
            revoked: r.revoked,
        })
        .collect())
}

/// Revokes one token (of `user_id`, when given); `false` when there was no live token with that id.
pub async fn revoke(
    db: impl PgExecutor<'_>,
    id: i64,
    user_id: Option<i64>,
) -> Result<bool, AppError> {
    let done = sqlx::query!(
        "UPDATE api_tokens SET revoked_at = now(), updated_at = now()
         WHERE id = $1 AND revoked_at IS NULL AND ($2::bigint IS NULL OR user_id = $2)",
        id,
        user_id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
