use crate::domain::incident::{
    excerpt, Cursor, EventKind, IncidentDetail, IncidentNumber, IncidentSummary, NewIncident, Page,
    Status, TimelineEntry,
};
use crate::domain::time::business_date;
use crate::domain::user::CurrentUser;
use crate::server::error::internal;
use crate::AppError;
use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

pub const PAGE_SIZE: i64 = 20;
const EXCERPT_CHARS: usize = 60;

/// Files a report, exactly once per (reporter, idempotency key): a retry returns the incident the
/// first attempt made. The number, the incident and its first timeline entry commit together.
pub async fn create(pool: &PgPool, reporter_id: i64, new: &NewIncident) -> Result<IncidentNumber, AppError> {
    if let Some(number) = by_key(pool, reporter_id, new).await? {
        return Ok(number);
    }
    let mut tx = pool.begin().await?;
    let day = business_date(Utc::now());
    let seq = sqlx::query_scalar!(
        "INSERT INTO incident_daily_counters (day, last_seq) VALUES ($1, 1)
         ON CONFLICT (day) DO UPDATE SET last_seq = incident_daily_counters.last_seq + 1, updated_at = now()
         RETURNING last_seq",
        day as _
    )
    .fetch_one(&mut *tx)
    .await?;
    let seq = u32::try_from(seq).map_err(|_| internal(format!("negative incident sequence {seq}")))?;
    let number = IncidentNumber::new(day, seq);
    let inserted = sqlx::query_scalar!(
        "INSERT INTO incidents (number, reporter_id, customer_name, customer_number, description, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (reporter_id, idempotency_key) DO NOTHING
         RETURNING id",
        number.as_str(),
        reporter_id,
        new.customer_name.as_str(),
        new.customer_number.as_str(),
        new.description.as_str(),
        new.idempotency_key
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = inserted else {
        // A concurrent attempt with the same key won; give back its number, and the sequence.
        tx.rollback().await?;
        return by_key(pool, reporter_id, new).await?.ok_or_else(|| internal("idempotent insert lost its row"));
    };
    sqlx::query!(
        "INSERT INTO incident_events (incident_id, kind, actor_id) VALUES ($1, 'submitted', $2)",
        id,
        reporter_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(number)
}

async fn by_key(db: impl PgExecutor<'_>, reporter_id: i64, new: &NewIncident) -> Result<Option<IncidentNumber>, AppError> {
    let number = sqlx::query_scalar!(
        "SELECT number FROM incidents WHERE reporter_id = $1 AND idempotency_key = $2",
        reporter_id,
        new.idempotency_key
    )
    .fetch_optional(db)
    .await?;
    number.map(|n| IncidentNumber::parse(&n).map_err(|_| internal(format!("stored number {n} does not parse")))).transpose()
}

struct Row {
    id: i64,
    number: String,
    status: String,
    customer_name: String,
    customer_number: String,
    description: String,
    reporter_name: String,
    reporter_login: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Row {
    fn summary(&self) -> Result<IncidentSummary, AppError> {
        let status = Status::parse(&self.status)
            .map_err(|_| internal(format!("incident {} has unknown status {}", self.id, self.status)))?;
        Ok(IncidentSummary {
            number: self.number.clone(),
            status,
            customer_name: self.customer_name.clone(),
            customer_number: self.customer_number.clone(),
            excerpt: excerpt(&self.description, EXCERPT_CHARS),
            reporter_name: self.reporter_name.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Where a newest-first page starts: after the cursor, or from the far future.
fn keyset_start(after: Option<Cursor>) -> (DateTime<Utc>, i64) {
    after.map(|c| (c.created_at, c.id)).unwrap_or_else(|| {
        // 9999-12-31T23:59:59Z: later than any row, and well inside PostgreSQL's range.
        (DateTime::from_timestamp(253_402_300_799, 0).unwrap_or_default(), i64::MAX)
    })
}

fn page(rows: Vec<Row>) -> Result<Page<IncidentSummary>, AppError> {
    let next_cursor = (rows.len() as i64 > PAGE_SIZE)
        .then(|| rows.get(PAGE_SIZE as usize - 1).map(|r| Cursor { created_at: r.created_at, id: r.id }.encode()))
        .flatten();
    let items = rows.iter().take(PAGE_SIZE as usize).map(Row::summary).collect::<Result<_, _>>()?;
    Ok(Page { items, next_cursor })
}

/// A reporter's own incidents, newest first (served by `incidents_reporter_newest`).
pub async fn for_reporter(db: impl PgExecutor<'_>, reporter_id: i64, after: Option<Cursor>) -> Result<Page<IncidentSummary>, AppError> {
    let (at, id) = keyset_start(after);
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT i.id, i.number, i.status, i.customer_name, i.customer_number, i.description,
                  u.display_name AS reporter_name, u.login AS reporter_login,
                  i.created_at AS "created_at: DateTime<Utc>", i.updated_at AS "updated_at: DateTime<Utc>"
           FROM incidents i JOIN users u ON u.id = i.reporter_id
           WHERE i.reporter_id = $1 AND (i.created_at, i.id) < ($2, $3)
           ORDER BY i.created_at DESC, i.id DESC
           LIMIT $4"#,
        reporter_id,
        at as _,
        id,
        PAGE_SIZE + 1
    )
    .fetch_all(db)
    .await?;
    page(rows)
}

/// The desk's queue of new incidents, newest first (served by `incidents_status_newest`).
pub async fn queue(db: impl PgExecutor<'_>, after: Option<Cursor>) -> Result<Page<IncidentSummary>, AppError> {
    let (at, id) = keyset_start(after);
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT i.id, i.number, i.status, i.customer_name, i.customer_number, i.description,
                  u.display_name AS reporter_name, u.login AS reporter_login,
                  i.created_at AS "created_at: DateTime<Utc>", i.updated_at AS "updated_at: DateTime<Utc>"
           FROM incidents i JOIN users u ON u.id = i.reporter_id
           WHERE i.status = 'new' AND (i.created_at, i.id) < ($1, $2)
           ORDER BY i.created_at DESC, i.id DESC
           LIMIT $3"#,
        at as _,
        id,
        PAGE_SIZE + 1
    )
    .fetch_all(db)
    .await?;
    page(rows)
}

/// One incident with its timeline, if `viewer` may see it: its own reporter, or the desk.
/// Anyone else gets `None`, exactly as if it did not exist.
pub async fn visible(pool: &PgPool, viewer: &CurrentUser, number: &IncidentNumber) -> Result<Option<IncidentDetail>, AppError> {
    let row = sqlx::query_as!(
        Row,
        r#"SELECT i.id, i.number, i.status, i.customer_name, i.customer_number, i.description,
                  u.display_name AS reporter_name, u.login AS reporter_login,
                  i.created_at AS "created_at: DateTime<Utc>", i.updated_at AS "updated_at: DateTime<Utc>"
           FROM incidents i JOIN users u ON u.id = i.reporter_id
           WHERE i.number = $1 AND ($2 OR i.reporter_id = $3)"#,
        number.as_str(),
        viewer.role.works_desk(),
        viewer.id
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let events = sqlx::query!(
        r#"SELECT e.kind, u.display_name, e.created_at AS "created_at: DateTime<Utc>"
           FROM incident_events e JOIN users u ON u.id = e.actor_id
           WHERE e.incident_id = $1 ORDER BY e.created_at, e.id"#,
        row.id
    )
    .fetch_all(pool)
    .await?;
    let timeline = events
        .into_iter()
        .map(|e| {
            let kind = EventKind::parse(&e.kind).ok_or_else(|| internal(format!("unknown event kind {}", e.kind)))?;
            Ok(TimelineEntry { kind, actor_name: e.display_name, at: e.created_at })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(Some(IncidentDetail {
        summary: row.summary()?,
        description: row.description.clone(),
        reporter_login: row.reporter_login.clone(),
        timeline,
    }))
}
