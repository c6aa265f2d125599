//! The desk's sweeps: closing answered incidents nobody came back to, and warning of due times.
use crate::domain::incident::EventKind;
use crate::server::desk::actions::{record, Entry};
use crate::server::infra::audit::audit;
use crate::AppError;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;

/// Closes answered incidents nobody objected to for `days`, as the system. Returns how many.
pub async fn auto_close(pool: &PgPool, days: u32) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    let closed = sqlx::query!(
        "UPDATE incidents SET status = 'closed', closed_at = now(), version = version + 1, updated_at = now()
         WHERE id IN (SELECT id FROM incidents WHERE status = 'answered' AND answered_at < now() - make_interval(days => $1)
                      ORDER BY answered_at LIMIT 500 FOR NO KEY UPDATE SKIP LOCKED)
         RETURNING id",
        i32::try_from(days).unwrap_or(i32::MAX)
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in &closed {
        let entry = Entry {
            kind: EventKind::Closed,
            body: None,
            internal: false,
            detail: json!({ "automatic": true, "days": days }),
        };
        record(&mut tx, row.id, None, &entry).await?;
        audit(
            &mut tx,
            Some(row.id),
            None,
            "close",
            json!({ "from": "answered", "to": "closed", "automatic": true, "days": days }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(closed.len() as u64)
}

// The sweeps below lock with FOR NO KEY UPDATE: a plain FOR UPDATE conflicts with the key-share
// lock that any new row referring to the incident takes (a timeline entry, a delivery), and
// SKIP LOCKED would then pass the incident over while the push worker is busy with it.

/// Writes an internal timeline entry for each incident whose due time came close (the last
/// quarter of its target, as the queue's "due soon") or passed: once per due time, at most 500
/// of each a round. Returns how many it wrote.
pub async fn sla_warnings(pool: &PgPool) -> Result<usize, AppError> {
    let mut tx = pool.begin().await?;
    let soon = sqlx::query!(
        r#"UPDATE incidents i SET sla_warned_due = i.sla_due_at
           WHERE i.id IN (
               SELECT c.id FROM incidents c JOIN sla_targets t ON t.priority = c.priority
               WHERE c.sla_due_at IS NOT NULL AND c.sla_warned_due IS DISTINCT FROM c.sla_due_at
                 AND c.sla_due_at > now()
                 AND c.sla_due_at <= now() + make_interval(secs => (CASE WHEN c.first_responded_at IS NULL
                                                                   THEN t.first_response_minutes ELSE t.resolution_minutes END) * 15)
               ORDER BY c.sla_due_at LIMIT 500 FOR NO KEY UPDATE OF c SKIP LOCKED)
           RETURNING i.id, i.sla_due_at AS "due!: DateTime<Utc>""#
    )
    .fetch_all(&mut *tx)
    .await?;
    let late = sqlx::query!(
        r#"UPDATE incidents i SET sla_breached_due = i.sla_due_at, sla_warned_due = i.sla_due_at
           WHERE i.id IN (
               SELECT c.id FROM incidents c
               WHERE c.sla_due_at IS NOT NULL AND c.sla_breached_due IS DISTINCT FROM c.sla_due_at AND c.sla_due_at <= now()
               ORDER BY c.sla_due_at LIMIT 500 FOR NO KEY UPDATE SKIP LOCKED)
           RETURNING i.id, i.sla_due_at AS "due!: DateTime<Utc>""#
    )
    .fetch_all(&mut *tx)
    .await?;
    let warnings = soon
        .iter()
        .map(|r| (r.id, r.due, EventKind::SlaDueSoon))
        .chain(late.iter().map(|r| (r.id, r.due, EventKind::SlaBreached)));
    let mut written = 0;
    for (id, due, kind) in warnings {
        record(
            &mut tx,
            id,
            None,
            &Entry {
                kind,
                body: None,
                internal: true,
                detail: json!({ "due": due.to_rfc3339() }),
            },
        )
        .await?;
        written += 1;
    }
    tx.commit().await?;
    Ok(written)
}
