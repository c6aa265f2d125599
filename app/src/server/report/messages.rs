//! The reporter's follow-up messages: who may write one, and adding it once per key.
use crate::domain::accounts::CurrentUser;
use crate::domain::incident::MessageBody;
use crate::server::infra::audit::audit;
use crate::server::report::detail::visible_id;
use crate::server::report::detail::IncidentRef;
use crate::server::report::screenshots;
use crate::AppError;
use sqlx::{PgExecutor, PgPool};

/// Whether `author` may write the reporter's side of incident `incident_id`'s conversation: only
/// its reporter (the team talks through actions). `Forbidden` for anyone else who may see it,
/// `NotFound` for the rest.
pub async fn may_message(
    db: &PgPool,
    author: &CurrentUser,
    incident_id: i64,
) -> Result<(), AppError> {
    let reporter = sqlx::query_scalar!(
        "SELECT reporter_id FROM incidents WHERE id = $1",
        incident_id
    )
    .fetch_optional(db)
    .await?;
    match reporter {
        Some(reporter) if reporter == author.id => Ok(()),
        _ => Err(not_theirs_to_message(db, author, incident_id).await?),
    }
}

/// Why `author` may not write the reporter's side of an incident: 403 when they may see it (the
/// team talks through actions), 404 when they may not even see it.
async fn not_theirs_to_message(
    db: impl PgExecutor<'_>,
    author: &CurrentUser,
    incident_id: i64,
) -> Result<AppError, AppError> {
    Ok(
        if visible_id(db, author, &IncidentRef::Id(incident_id))
            .await?
            .is_some()
        {
            AppError::Forbidden
        } else {
            AppError::NotFound
        },
    )
}

/// Adds a follow-up message (with its screenshots) to the timeline of an incident the author
/// may see, once per `key`: a repeat returns the message already added. Returns its event id.
pub async fn add_message(
    pool: &PgPool,
    author: &CurrentUser,
    incident_id: i64,
    body: &MessageBody,
    shots: &[i64],
    key: Option<uuid::Uuid>,
) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    let allowed = sqlx::query_scalar!(
        "UPDATE incidents SET updated_at = now() WHERE id = $1 AND reporter_id = $2 RETURNING id",
        incident_id,
        author.id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if allowed.is_none() {
        return Err(not_theirs_to_message(&mut *tx, author, incident_id).await?);
    }
    let event_id = sqlx::query_scalar!(
        "INSERT INTO incident_events (incident_id, kind, actor_id, body, idempotency_key) VALUES ($1, 'message', $2, $3, $4)
         ON CONFLICT (incident_id, actor_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING id",
        incident_id,
        author.id,
        body.as_str(),
        key
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(event_id) = event_id else {
        tx.rollback().await?;
        let existing = sqlx::query_scalar!(
            "SELECT id FROM incident_events WHERE incident_id = $1 AND actor_id = $2 AND idempotency_key = $3",
            incident_id,
            author.id,
            key
        )
        .fetch_one(pool)
        .await?;
        return Ok(existing);
    };
    screenshots::claim(&mut *tx, author.id, shots, incident_id, Some(event_id)).await?;
    audit(
        &mut tx,
        Some(incident_id),
        Some(author.id),
        "message",
        serde_json::json!({ "body": body.as_str(), "screenshots": shots }),
    )
    .await?;
    tx.commit().await?;
    Ok(event_id)
}
