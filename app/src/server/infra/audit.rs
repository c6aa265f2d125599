//! The audit trail: one append-only line for everything done to an incident, an account or a
//! setting (the database refuses updates and deletes of it).
use crate::AppError;
use serde_json::Value;
use sqlx::PgConnection;

/// Appends one line to the audit trail (which the database itself keeps append-only).
pub async fn audit(
    conn: &mut PgConnection,
    incident_id: Option<i64>,
    actor: Option<i64>,
    action: &str,
    detail: Value,
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO audit_log (incident_id, actor_id, action, detail) VALUES ($1, $2, $3, $4)",
        incident_id,
        actor,
        action,
        detail
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends one line about a knowledge-base article to the audit trail.
pub async fn audit_article(
    conn: &mut PgConnection,
    article_id: i64,
    actor: i64,
    action: &str,
    detail: Value,
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO audit_log (article_id, actor_id, action, detail) VALUES ($1, $2, $3, $4)",
        article_id,
        actor,
        action,
        detail
    )
    .execute(conn)
    .await?;
    Ok(())
}
