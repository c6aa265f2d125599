//! Screenshot rows: made once the blobs are stored, claimed by the report or message that
//! carries them, served only to those who may see their incident.
use crate::domain::accounts::CurrentUser;
use crate::domain::incident::views::Screenshot;
use crate::server::infra::blobs;
use crate::server::infra::error::internal;
use crate::server::report::images::Processed;
use crate::server::AppState;
use crate::AppError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// Records a processed upload whose blobs are stored; it belongs to no incident yet.
pub async fn insert_unclaimed(
    db: impl PgExecutor<'_>,
    uploader_id: i64,
    processed: &Processed,
) -> Result<Screenshot, AppError> {
    let (w, h) = (processed.image.width as i32, processed.image.height as i32);
    let id = sqlx::query_scalar!(
        "INSERT INTO screenshots (uploader_id, blob_key, thumb_key, media_type, thumb_media_type, width, height, bytes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        uploader_id,
        processed.image.key,
        processed.thumb.key,
        processed.image.media_type,
        processed.thumb.media_type,
        w,
        h,
        processed.image.bytes.len() as i32
    )
    .fetch_one(db)
    .await?;
    Ok(Screenshot::new(
        id,
        processed.image.width,
        processed.image.height,
    ))
}

/// The uploader's own unclaimed screenshots among `ids`, in the order given (a form kept
/// across a refused post). Others' and claimed ones are left out.
pub async fn unclaimed(
    db: impl PgExecutor<'_>,
    uploader_id: i64,
    ids: &[i64],
) -> Result<Vec<Screenshot>, AppError> {
    let rows = sqlx::query!(
        "SELECT id, width, height FROM screenshots WHERE uploader_id = $1 AND incident_id IS NULL AND id = ANY($2)",
        uploader_id,
        ids
    )
    .fetch_all(db)
    .await?;
    Ok(ids
        .iter()
        .filter_map(|id| rows.iter().find(|r| r.id == *id))
        .map(|r| Screenshot::new(r.id, r.width as u32, r.height as u32))
        .collect())
}

/// Attaches the uploader's unclaimed screenshots `ids` to an incident (and a timeline entry),
/// in that order. Ones already claimed or swept are skipped.
pub async fn claim(
    db: impl PgExecutor<'_>,
    uploader_id: i64,
    ids: &[i64],
    incident_id: i64,
    event_id: Option<i64>,
) -> Result<u64, AppError> {
    let done = sqlx::query!(
        "UPDATE screenshots s SET incident_id = $3, event_id = $4, position = o.n::smallint, updated_at = now()
         FROM unnest($2::bigint[]) WITH ORDINALITY AS o(id, n)
         WHERE s.id = o.id AND s.uploader_id = $1 AND s.incident_id IS NULL AND s.article_id IS NULL",
        uploader_id,
        ids,
        incident_id,
        event_id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// An incident's screenshots, in order, each with the timeline entry it came with (`None`:
/// the report itself).
pub async fn of_incident(
    db: impl PgExecutor<'_>,
    incident_id: i64,
) -> Result<Vec<(Option<i64>, Screenshot)>, AppError> {
    let rows = sqlx::query!(
        "SELECT id, event_id, width, height FROM screenshots WHERE incident_id = $1 ORDER BY event_id NULLS FIRST, position, id",
        incident_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.event_id,
                Screenshot::new(r.id, r.width as u32, r.height as u32),
            )
        })
        .collect())
}

pub struct Stored {
    pub key: String,
    pub media_type: String,
}

/// Where a screenshot's bytes (or its thumbnail's) are, if `viewer` may see it: whoever may see
/// its incident (`incident_visible`, with the role as it is now; a note's screenshots only the
/// team), whoever may read its knowledge-base article, or its uploader while nothing has it yet
/// (a form's preview). Anyone else gets
/// `None`, as if it did not exist.
pub async fn stored_for(
    db: impl PgExecutor<'_>,
    viewer: &CurrentUser,
    id: i64,
    thumb: bool,
) -> Result<Option<Stored>, AppError> {
    let row = sqlx::query!(
        "SELECT s.blob_key, s.thumb_key, s.media_type, s.thumb_media_type
         FROM screenshots s LEFT JOIN incidents i ON i.id = s.incident_id LEFT JOIN incident_events e ON e.id = s.event_id
         WHERE s.id = $1
           AND ((s.incident_id IS NULL AND s.article_id IS NULL AND s.uploader_id = $2)
                -- an article's images: handlers and admins; readers of a published article the
                -- images its current text shows
                OR (s.article_id IS NOT NULL AND EXISTS (
                    SELECT 1 FROM kb_articles a WHERE a.id = s.article_id AND a.deleted_at IS NULL
                      AND (EXISTS (SELECT 1 FROM users v WHERE v.id = $2 AND v.role IN ('handler', 'admin'))
                           OR (a.status = 'published'
                               AND a.body ~ ('/api/v1/screenshots/' || s.id || '([^0-9]|$)')))))
                OR (incident_visible(i.id, i.reporter_id, i.status, i.group_id, $2)
                    -- a note's screenshots stay inside the team, like the note
                    AND NOT (coalesce(e.internal, false)
                             AND NOT EXISTS (SELECT 1 FROM users v WHERE v.id = $2 AND v.role <> 'reporter'))))",
        id,
        viewer.id
    )
    .fetch_optional(db)
    .await?;
    if row.is_none() {
        crate::server::infra::telemetry::refused(viewer, "screenshot", &id);
    }
    Ok(row.map(|r| {
        if thumb {
            Stored {
                key: r.thumb_key,
                media_type: r.thumb_media_type,
            }
        } else {
            Stored {
                key: r.blob_key,
                media_type: r.media_type,
            }
        }
    }))
}

/// Deletes screenshots no report claimed within `max_age` (a refused or abandoned form).
pub async fn prune_unclaimed(
    db: impl PgExecutor<'_>,
    before: DateTime<Utc>,
) -> Result<u64, AppError> {
    let done = sqlx::query!(
        "DELETE FROM screenshots WHERE incident_id IS NULL AND article_id IS NULL AND created_at < $1",
        before as _
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Which of `keys` some screenshot still refers to.
pub async fn referenced(db: impl PgExecutor<'_>, keys: &[String]) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT k AS "k!" FROM unnest($1::text[]) AS k
           WHERE EXISTS (SELECT 1 FROM screenshots WHERE blob_key = k)
              OR EXISTS (SELECT 1 FROM screenshots WHERE thumb_key = k)"#,
        keys
    )
    .fetch_all(db)
    .await?)
}

/// `GET /api/v1/screenshots/{id}[/thumb]`: the bytes, for whoever may see it (see
/// `crate::server::report::screenshots::stored_for`); "not found" for anyone else. Every view asks the server
/// (`no-cache`), so a shared phone's next account never opens one from the cache; the ETag (the
/// content's hash) makes asking again cost a 304 and no bytes.
pub async fn serve(
    state: &AppState,
    viewer: &CurrentUser,
    id: i64,
    thumb: bool,
    if_none_match: Option<&str>,
) -> Result<Response, AppError> {
    let stored = crate::server::report::screenshots::stored_for(&state.pool, viewer, id, thumb)
        .await?
        .ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", stored.key);
    let cache = [
        (header::CACHE_CONTROL, "private, no-cache".to_owned()),
        (header::ETAG, etag.clone()),
    ];
    if if_none_match.is_some_and(|tags| {
        tags.split(',')
            .any(|t| t.trim().trim_start_matches("W/") == etag)
    }) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let bytes =
        state.blobs.get(&stored.key).await?.ok_or_else(|| {
            internal(format!("blob {} of screenshot {id} is missing", stored.key))
        })?;
    Ok((cache, [(header::CONTENT_TYPE, stored.media_type)], bytes).into_response())
}

/// The screenshots kept for a form, as the page shows them.
pub async fn kept_screenshots(
    state: &AppState,
    uploader: &CurrentUser,
    ids: &[i64],
) -> Result<Vec<Screenshot>, AppError> {
    crate::server::report::screenshots::unclaimed(&state.pool, uploader.id, ids).await
}

/// Deletes screenshots no report claimed within `max_age`, then blobs nothing refers to any more
/// (only ones written over an hour ago: a report being filed now may be about to claim one).
pub async fn sweep(state: &AppState, max_age: chrono::Duration) -> Result<(), AppError> {
    let pruned = crate::server::report::screenshots::prune_unclaimed(
        &state.pool,
        chrono::Utc::now() - max_age,
    )
    .await?;
    let cutoff = chrono::Utc::now() - chrono::Duration::hours(1);
    let candidates = state.blobs.older_than(cutoff).await?;
    let mut deleted = 0;
    for batch in candidates.chunks(500) {
        let live = crate::server::report::screenshots::referenced(&state.pool, batch).await?;
        for key in batch
            .iter()
            .filter(|k| !live.contains(k) && blobs::is_key(k))
        {
            // Written again since it was listed (the same picture uploaded anew): keep it.
            if state
                .blobs
                .written_at(key)
                .await?
                .is_some_and(|at| at < cutoff)
            {
                state.blobs.delete(key).await?;
                deleted += 1;
            }
        }
    }
    if pruned + deleted > 0 {
        tracing::info!(pruned, deleted, "swept unclaimed screenshots");
    }
    Ok(())
}
