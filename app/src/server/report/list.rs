//! Lists of incidents: a reporter's own, newest first, keyset-paginated (the desk's queue reads
//! the same rows).
use crate::domain::incident::views::{excerpt, Cursor, IncidentSummary, Page};
use crate::domain::incident::workflow::{Priority, SlaState};
use crate::domain::incident::Status;
use crate::domain::incident::Urgency;
use crate::i18n::Locale;
use crate::server::infra::error::internal;
use crate::server::infra::locale::pick;
use crate::AppError;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

pub const PAGE_SIZE: i64 = 20;

const EXCERPT_CHARS: usize = 60;

#[derive(sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub number: String,
    pub status: String,
    pub version: i32,
    pub system_zh: String,
    pub system_en: String,
    pub urgency: String,
    pub customer_name: Option<String>,
    pub customer_number: Option<String>,
    pub description: String,
    pub reporter_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub priority: String,
    pub assignee_name: Option<String>,
    pub sla_due_at: Option<DateTime<Utc>>,
    /// The target (minutes) the due time counts down: first response, or resolution.
    pub sla_target: i32,
    pub unread: i64,
}

pub fn parse_status(id: i64, raw: &str) -> Result<Status, AppError> {
    Status::parse(raw).map_err(|_| internal(format!("incident {id} has unknown status {raw}")))
}

impl Row {
    pub fn summary(&self, locale: Locale) -> Result<IncidentSummary, AppError> {
        Ok(IncidentSummary {
            id: self.id,
            number: self.number.clone(),
            status: parse_status(self.id, &self.status)?,
            version: self.version,
            system: pick(locale, self.system_zh.clone(), self.system_en.clone()),
            urgency: Urgency::parse(&self.urgency).unwrap_or_default(),
            customer_name: self.customer_name.clone(),
            customer_number: self.customer_number.clone(),
            excerpt: excerpt(&self.description, EXCERPT_CHARS),
            reporter_name: self.reporter_name.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            priority: Priority::parse(&self.priority).unwrap_or_default(),
            assignee_name: self.assignee_name.clone(),
            sla_due_at: self.sla_due_at,
            sla_state: self
                .sla_due_at
                .map(|due| SlaState::at(Utc::now(), due, self.sla_target)),
            unread: self.unread,
        })
    }
}

/// Where a newest-first page starts: after the cursor, or from the far future.
fn keyset_start(after: Option<Cursor>) -> (DateTime<Utc>, i64) {
    after.map(|c| (c.created_at, c.id)).unwrap_or_else(|| {
        // 9999-12-31T23:59:59Z: later than any row, and well inside PostgreSQL's range.
        (
            DateTime::from_timestamp(253_402_300_799, 0).unwrap_or_default(),
            i64::MAX,
        )
    })
}

pub fn page(rows: Vec<Row>, locale: Locale) -> Result<Page<IncidentSummary>, AppError> {
    let next_cursor = (rows.len() as i64 > PAGE_SIZE)
        .then(|| {
            rows.get(PAGE_SIZE as usize - 1).map(|r| {
                Cursor {
                    created_at: r.created_at,
                    id: r.id,
                }
                .encode()
            })
        })
        .flatten();
    let items = rows
        .iter()
        .take(PAGE_SIZE as usize)
        .map(|r| r.summary(locale))
        .collect::<Result<_, _>>()?;
    Ok(Page { items, next_cursor })
}

/// A reporter's own incidents, newest first, optionally of one status (served by
/// `incidents_reporter_newest` and `incidents_reporter_status_newest`).
pub async fn for_reporter(
    db: impl PgExecutor<'_>,
    reporter_id: i64,
    status: Option<Status>,
    after: Option<Cursor>,
    locale: Locale,
) -> Result<Page<IncidentSummary>, AppError> {
    let (at, id) = keyset_start(after);
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT i.id, i.number, i.status, i.version, s.name_zh AS system_zh, s.name_en AS system_en, i.urgency,
                  i.customer_name, i.customer_number, i.description, u.display_name AS reporter_name,
                  i.created_at AS "created_at: DateTime<Utc>", i.updated_at AS "updated_at: DateTime<Utc>",
                  i.priority, a.display_name AS "assignee_name?", i.sla_due_at AS "sla_due_at: DateTime<Utc>",
                  CASE WHEN i.first_responded_at IS NULL THEN t.first_response_minutes ELSE t.resolution_minutes END AS "sla_target!",
                  -- The team's entries the reporter has not seen yet.
                  (SELECT count(*) FROM incident_events e
                   WHERE e.incident_id = i.id AND NOT e.internal AND e.actor_id IS DISTINCT FROM i.reporter_id
                     AND e.id > coalesce((SELECT r.last_event_id FROM incident_reads r WHERE r.incident_id = i.id AND r.user_id = $1), 0)
                  ) AS "unread!"
           FROM incidents i JOIN users u ON u.id = i.reporter_id JOIN systems s ON s.id = i.system_id
                JOIN sla_targets t ON t.priority = i.priority LEFT JOIN users a ON a.id = i.assignee_id
           WHERE i.reporter_id = $1 AND ($2::text IS NULL OR i.status = $2) AND (i.created_at, i.id) < ($3, $4)
           ORDER BY i.created_at DESC, i.id DESC
           LIMIT $5"#,
        reporter_id,
        status.map(Status::as_str),
        at as _,
        id,
        PAGE_SIZE + 1
    )
    .fetch_all(db)
    .await?;
    page(rows, locale)
}
