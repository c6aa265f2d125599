use crate::domain::customer::{IdKind, IdNumber, Phone};
use crate::domain::incident::{
    excerpt, AuditEntry, Screenshot, Cursor, CustomerView, DeskFacts, EventKind, IncidentDetail, IncidentNumber, IncidentSummary,
    MergedInto, MessageBody, Named, Page, Status, TimelineEntry,
};
use crate::domain::report::{Channel, NewIncident, SystemOption, Urgency};
use crate::domain::time::business_date;
use crate::domain::user::{CurrentUser, Role};
use crate::domain::workflow::{Actor, Priority, SlaState};
use crate::domain::{Field, Reason};
use crate::i18n::Locale;
use crate::server::error::internal;
use crate::AppError;
use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

use super::{desk, screenshots};

pub const PAGE_SIZE: i64 = 20;
const EXCERPT_CHARS: usize = 60;

/// What `create` did: made the incident, or found the one an earlier attempt with the same
/// idempotency key made.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: i64,
    pub number: IncidentNumber,
    pub created: bool,
    /// What the request that filed it carried (see `report::fingerprint`); `None` for reports
    /// filed before fingerprints were kept.
    pub fingerprint: Option<Vec<u8>>,
}

impl Created {
    /// This incident, if `fingerprint` is the request that filed it; a different report under
    /// the same key is refused, never answered with this one.
    pub fn for_request(self, fingerprint: &[u8]) -> Result<Created, AppError> {
        match &self.fingerprint {
            Some(filed) if filed.as_slice() != fingerprint => Err(AppError::KeyReused { number: self.number.to_string() }),
            _ => Ok(self),
        }
    }
}

/// The active systems, in the list's order, named in `locale`.
pub async fn systems(db: impl PgExecutor<'_>, locale: Locale) -> Result<Vec<SystemOption>, AppError> {
    let rows = sqlx::query!("SELECT code, name_zh, name_en FROM systems WHERE active ORDER BY position, id")
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|r| SystemOption { code: r.code, name: pick(locale, r.name_zh, r.name_en) }).collect())
}

pub(super) fn pick(locale: Locale, zh: String, en: String) -> String {
    match locale {
        Locale::zh_CN => zh,
        Locale::en => en,
    }
}

/// Files a report, exactly once per (reporter, idempotency key): a retry of the same request
/// (`fingerprint`) returns the incident the first attempt made; another report under a used key
/// is refused (`KeyReused`). The number, the incident, its first timeline entry and the claim on
/// its screenshots commit together.
pub async fn create(pool: &PgPool, reporter_id: i64, new: &NewIncident, shots: &[i64], fingerprint: &[u8]) -> Result<Created, AppError> {
    if let Some(found) = by_key(pool, reporter_id, new.idempotency_key).await? {
        return found.for_request(fingerprint);
    }
    let mut tx = pool.begin().await?;
    let system_id = sqlx::query_scalar!("SELECT id FROM systems WHERE code = $1 AND active", new.system.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::field(Field::System, Reason::UnknownValue))?;
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
    let c = &new.customer;
    // The reporter's urgency suggests the priority; its targets set the due times.
    let inserted = sqlx::query_scalar!(
        "INSERT INTO incidents (number, reporter_id, customer_name, customer_number, id_type, id_number, phone,
                                system_id, channel, occurred_at, urgency, description, idempotency_key,
                                request_fingerprint, priority, first_response_due, resolution_due, sla_due_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $15, t.priority,
                now() + make_interval(mins => t.first_response_minutes), now() + make_interval(mins => t.resolution_minutes),
                now() + make_interval(mins => t.first_response_minutes)
         FROM sla_targets t WHERE t.priority = $14
         ON CONFLICT (reporter_id, idempotency_key) DO NOTHING
         RETURNING id",
        number.as_str(),
        reporter_id,
        c.name.as_ref().map(|n| n.as_str()),
        c.number.as_ref().map(|n| n.as_str()),
        c.id.as_ref().map(|id| id.kind().as_str()),
        c.id.as_ref().map(|id| id.expose()),
        c.phone.as_ref().map(|p| p.expose()),
        system_id,
        new.channel.as_str(),
        new.occurred_at as _,
        new.urgency.as_str(),
        new.description.as_str(),
        new.idempotency_key,
        Priority::suggested(new.urgency).as_str(),
        fingerprint
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = inserted else {
        // A concurrent attempt with the same key won; give back its incident, and the sequence.
        tx.rollback().await?;
        return by_key(pool, reporter_id, new.idempotency_key).await?.ok_or_else(|| internal("idempotent insert lost its row"))?.for_request(fingerprint);
    };
    sqlx::query!("INSERT INTO incident_events (incident_id, kind, actor_id) VALUES ($1, 'submitted', $2)", id, reporter_id)
        .execute(&mut *tx)
        .await?;
    let claimed = screenshots::claim(&mut *tx, reporter_id, shots, id, None).await?;
    desk::audit(&mut tx, Some(id), Some(reporter_id), "submit", serde_json::json!({ "number": number.as_str(), "screenshots": shots })).await?;
    if claimed != shots.len() as u64 {
        // Kept from a refused post more than a day ago, and swept since.
        tracing::warn!(incident = %number, sent = shots.len(), claimed, "some screenshots were gone");
    }
    tx.commit().await?;
    Ok(Created { id, number, created: true, fingerprint: Some(fingerprint.to_vec()) })
}

async fn by_key(db: impl PgExecutor<'_>, reporter_id: i64, key: uuid::Uuid) -> Result<Option<Created>, AppError> {
    let row = sqlx::query!("SELECT id, number, request_fingerprint FROM incidents WHERE reporter_id = $1 AND idempotency_key = $2", reporter_id, key)
        .fetch_optional(db)
        .await?;
    row.map(|r| {
        let number = IncidentNumber::parse(&r.number).map_err(|_| internal(format!("stored number {} does not parse", r.number)))?;
        Ok(Created { id: r.id, number, created: false, fingerprint: r.request_fingerprint })
    })
    .transpose()
}

/// The incident a reporter already filed under `key`, if any (so a retry skips the work).
pub async fn filed_with_key(db: impl PgExecutor<'_>, reporter_id: i64, key: uuid::Uuid) -> Result<Option<Created>, AppError> {
    by_key(db, reporter_id, key).await
}

#[derive(sqlx::FromRow)]
pub(super) struct Row {
    pub(super) id: i64,
    pub(super) number: String,
    pub(super) status: String,
    pub(super) version: i32,
    pub(super) system_zh: String,
    pub(super) system_en: String,
    pub(super) urgency: String,
    pub(super) customer_name: Option<String>,
    pub(super) customer_number: Option<String>,
    pub(super) description: String,
    pub(super) reporter_name: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) priority: String,
    pub(super) assignee_name: Option<String>,
    pub(super) sla_due_at: Option<DateTime<Utc>>,
    /// The target (minutes) the due time counts down: first response, or resolution.
    pub(super) sla_target: i32,
    pub(super) unread: i64,
}

pub(super) fn parse_status(id: i64, raw: &str) -> Result<Status, AppError> {
    Status::parse(raw).map_err(|_| internal(format!("incident {id} has unknown status {raw}")))
}

impl Row {
    pub(super) fn summary(&self, locale: Locale) -> Result<IncidentSummary, AppError> {
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
            sla_state: self.sla_due_at.map(|due| SlaState::at(Utc::now(), due, self.sla_target)),
            unread: self.unread,
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

pub(super) fn page(rows: Vec<Row>, locale: Locale) -> Result<Page<IncidentSummary>, AppError> {
    let next_cursor = (rows.len() as i64 > PAGE_SIZE)
        .then(|| rows.get(PAGE_SIZE as usize - 1).map(|r| Cursor { created_at: r.created_at, id: r.id }.encode()))
        .flatten();
    let items = rows.iter().take(PAGE_SIZE as usize).map(|r| r.summary(locale)).collect::<Result<_, _>>()?;
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

/// How an incident is named in a request: its number (pages) or its id (the API).
#[derive(Debug, Clone)]
pub enum IncidentRef {
    Number(IncidentNumber),
    Id(i64),
}

/// The id of an incident `viewer` may see (`incident_visible`: its reporter, a member of the
/// group it waits on, or the desk), without loading it. A refusal is logged (see
/// `telemetry::refused`).
pub async fn visible_id(db: impl PgExecutor<'_>, viewer: &CurrentUser, which: &IncidentRef) -> Result<Option<i64>, AppError> {
    let found = sees(db, viewer, which).await?;
    if found.is_none() {
        crate::server::telemetry::refused(viewer, "incident", which);
    }
    Ok(found)
}

impl std::fmt::Display for IncidentRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IncidentRef::Id(id) => write!(f, "{id}"),
            IncidentRef::Number(number) => write!(f, "{number}"),
        }
    }
}

/// `visible_id` without the log: for asking about every change (the live stream), where "no" is
/// the usual answer and nobody asked for anything.
pub async fn sees(db: impl PgExecutor<'_>, viewer: &CurrentUser, which: &IncidentRef) -> Result<Option<i64>, AppError> {
    let (by_id, by_number) = match which {
        IncidentRef::Id(id) => (Some(*id), None),
        IncidentRef::Number(n) => (None, Some(n.as_str())),
    };
    Ok(sqlx::query_scalar!(
        r#"SELECT id FROM incidents
           WHERE ($1::bigint IS NULL OR id = $1) AND ($2::text IS NULL OR number = $2)
             AND incident_visible(id, reporter_id, status, group_id, $3)"#,
        by_id,
        by_number,
        viewer.id
    )
    .fetch_optional(db)
    .await?)
}

/// Timeline entries of one incident, oldest first (`team` sees the internal ones too), and the
/// report's own screenshots (those on no entry).
async fn timeline(
    pool: &PgPool,
    incident_id: i64,
    reporter_id: i64,
    team: bool,
    only_answers: bool,
    locale: Locale,
) -> Result<(Vec<TimelineEntry>, Vec<Screenshot>), AppError> {
    let events = sqlx::query!(
        r#"SELECT e.id, e.kind, e.actor_id, e.body, e.internal, e.detail, u.display_name AS "display_name?",
                  e.created_at AS "created_at: DateTime<Utc>"
           FROM incident_events e LEFT JOIN users u ON u.id = e.actor_id
           WHERE e.incident_id = $1 AND (NOT e.internal OR $2)
             AND (NOT $3 OR e.kind IN ('reply', 'answered'))
           ORDER BY e.created_at, e.id"#,
        incident_id,
        team,
        only_answers
    )
    .fetch_all(pool)
    .await?;
    let mut shots = screenshots::of_incident(pool, incident_id).await?;
    let entries = events
        .into_iter()
        .map(|e| {
            let kind = EventKind::parse(&e.kind).ok_or_else(|| internal(format!("unknown event kind {}", e.kind)))?;
            let (mine, rest) = std::mem::take(&mut shots).into_iter().partition(|(event, _)| *event == Some(e.id));
            shots = rest;
            Ok(TimelineEntry {
                id: e.id,
                kind,
                actor_name: e.display_name,
                by_reporter: e.actor_id == Some(reporter_id),
                body: e.body,
                internal: e.internal,
                detail: e.detail.as_ref().and_then(|d| describe(kind, d, locale)),
                screenshots: mine.into_iter().map(|(_, s)| s).collect(),
                at: e.created_at,
            })
        })
        .collect::<Result<_, AppError>>()?;
    let report = shots.into_iter().filter(|(event, _)| event.is_none()).map(|(_, s)| s).collect();
    Ok((entries, report))
}

/// What a timeline entry changed, in a few words for people, in `locale`.
fn describe(kind: EventKind, detail: &serde_json::Value, locale: Locale) -> Option<String> {
    let text = |key: &str| detail.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let label = || {
        let lang = match locale {
            Locale::zh_CN => "zh",
            Locale::en => "en",
        };
        detail.get("labels").and_then(|l| l.get(lang)).and_then(|v| v.as_str()).map(str::to_owned).filter(|l| !l.is_empty())
    };
    match kind {
        EventKind::Assigned => text("assignee_name"),
        EventKind::Transferred | EventKind::Categorized => label(),
        EventKind::Returned => text("change"),
        EventKind::Merged => text("into"),
        EventKind::Absorbed => text("from"),
        EventKind::SlaDueSoon | EventKind::SlaBreached => detail
            .get("due")
            .and_then(|v| v.as_str())
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map(|d| crate::domain::time::format_minute(d.with_timezone(&Utc))),
        _ => None,
    }
}

/// One incident with its screenshots and timeline, if `viewer` may see it: its own reporter, a
/// member of the group it waits on, or the desk. Anyone else gets `None`, exactly as if it did
/// not exist. Reporters never see internal entries; the team sees triage and service levels;
/// the desk also the audit trail.
pub async fn visible(pool: &PgPool, viewer: &CurrentUser, which: &IncidentRef, locale: Locale) -> Result<Option<IncidentDetail>, AppError> {
    let (by_id, by_number) = match which {
        IncidentRef::Id(id) => (Some(*id), None),
        IncidentRef::Number(n) => (None, Some(n.as_str())),
    };
    let desk_viewer = viewer.role.works_desk();
    let row = sqlx::query!(
        r#"SELECT i.id, i.number, i.status, i.version, i.reporter_id, i.customer_name, i.customer_number,
                  i.id_type, i.id_number, i.phone, s.code AS system_code, s.name_zh, s.name_en, i.channel,
                  i.occurred_at AS "occurred_at: DateTime<Utc>", i.urgency, i.description,
                  u.display_name AS reporter_name, u.login AS reporter_login,
                  i.created_at AS "created_at: DateTime<Utc>", i.updated_at AS "updated_at: DateTime<Utc>",
                  i.priority, i.tags, i.rating, i.rating_comment, i.group_id,
                  c.code AS "category_code?", c.name_zh AS "category_zh?", c.name_en AS "category_en?",
                  sc.code AS "sub_code?", sc.name_zh AS "sub_zh?", sc.name_en AS "sub_en?",
                  a.login AS "assignee_login?", a.display_name AS "assignee_name?",
                  g.code AS "group_code?", g.name_zh AS "group_zh?", g.name_en AS "group_en?",
                  i.first_response_due AS "first_response_due: DateTime<Utc>", i.resolution_due AS "resolution_due: DateTime<Utc>",
                  i.first_responded_at AS "first_responded_at: DateTime<Utc>", i.answered_at AS "answered_at: DateTime<Utc>",
                  i.resolved_on_time, i.sla_due_at AS "sla_due_at: DateTime<Utc>",
                  t.first_response_minutes, t.resolution_minutes,
                  m.id AS "merged_id?", m.number AS "merged_number?", m.status AS "merged_status?",
                  m.customer_name AS "merged_customer_name?", m.customer_number AS "merged_customer_number?",
                  EXISTS (SELECT 1 FROM group_members gm WHERE gm.user_id = $3 AND gm.group_id = i.group_id) AS "in_group!",
                  (SELECT max(rd.last_event_id) FROM incident_reads rd JOIN users ru ON ru.id = rd.user_id
                   WHERE rd.incident_id = i.id AND ru.role <> 'reporter') AS team_read_upto
           FROM incidents i JOIN users u ON u.id = i.reporter_id JOIN systems s ON s.id = i.system_id
                JOIN sla_targets t ON t.priority = i.priority
                LEFT JOIN categories c ON c.id = i.category_id LEFT JOIN categories sc ON sc.id = i.subcategory_id
                LEFT JOIN users a ON a.id = i.assignee_id LEFT JOIN groups g ON g.id = i.group_id
                LEFT JOIN incidents m ON m.id = i.merged_into_id
           WHERE ($1::bigint IS NULL OR i.id = $1) AND ($2::text IS NULL OR i.number = $2)
             AND incident_visible(i.id, i.reporter_id, i.status, i.group_id, $3)"#,
        by_id,
        by_number,
        viewer.id
    )
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else {
        crate::server::telemetry::refused(viewer, "incident", which);
        return Ok(None);
    };
    let team = viewer.role != Role::Reporter;
    let (timeline, report_shots) = timeline(pool, r.id, r.reporter_id, team, false, locale).await?;
    let status = parse_status(r.id, &r.status)?;
    let actor = if desk_viewer {
        Some(Actor::Desk)
    } else if r.reporter_id == viewer.id {
        Some(Actor::Reporter)
    } else if r.in_group && viewer.role == Role::Member {
        Some(Actor::GroupMember)
    } else {
        // A member looking back at what they worked on: nothing left to do.
        None
    };
    let merged_into = match (r.merged_id, r.merged_number, r.merged_status) {
        (Some(id), Some(number), Some(status)) => Some(MergedInto {
            number,
            status: parse_status(id, &status)?,
            // Told about this incident's customer, never the other one's.
            answers: timeline_answers(pool, id, locale)
                .await?
                .into_iter()
                .map(|mut entry| {
                    let from = (r.merged_customer_name.as_deref(), r.merged_customer_number.as_deref());
                    let to = (r.customer_name.as_deref(), r.customer_number.as_deref());
                    entry.body = entry.body.map(|body| crate::domain::customer::retell(&body, from, to));
                    entry
                })
                .collect(),
        }),
        _ => None,
    };
    // Stored numbers were checked on the way in; shown masked everywhere.
    let id_type = r.id_type.as_deref().and_then(|t| IdKind::parse(t).ok());
    let today = business_date(Utc::now());
    let id_number_masked = id_type
        .zip(r.id_number.as_deref())
        .map(|(kind, n)| IdNumber::parse(kind, n, today).map(|id| id.masked()).unwrap_or_else(|_| "*".repeat(n.chars().count())));
    let phone_masked = r.phone.as_deref().map(|p| Phone::parse(p).map(|p| p.masked()).unwrap_or_else(|_| "*".repeat(p.chars().count())));
    let priority = Priority::parse(&r.priority).map_err(|_| internal(format!("incident {} has priority {}", r.id, r.priority)))?;
    let desk = if team {
        let named = |code: Option<String>, zh: Option<String>, en: Option<String>| {
            code.zip(zh.zip(en)).map(|(code, (zh, en))| Named { code, name: pick(locale, zh, en) })
        };
        let now = Utc::now();
        let target = if r.first_responded_at.is_none() { r.first_response_minutes } else { r.resolution_minutes };
        Some(DeskFacts {
            priority,
            category: named(r.category_code, r.category_zh, r.category_en),
            subcategory: named(r.sub_code, r.sub_zh, r.sub_en),
            tags: r.tags,
            assignee: r.assignee_login.zip(r.assignee_name).map(|(code, name)| Named { code, name }),
            group: named(r.group_code, r.group_zh, r.group_en),
            first_response_due: r.first_response_due,
            resolution_due: r.resolution_due,
            first_responded_at: r.first_responded_at,
            answered_at: r.answered_at,
            resolved_on_time: r.resolved_on_time,
            sla_due_at: r.sla_due_at,
            sla_state: r.sla_due_at.map(|due| SlaState::at(now, due, target)),
            rating_comment: r.rating_comment,
            audit: if desk_viewer { audit_trail(pool, r.id).await? } else { Vec::new() },
        })
    } else {
        None
    };
    Ok(Some(IncidentDetail {
        id: r.id,
        number: r.number,
        status,
        version: r.version,
        customer: CustomerView {
            name: r.customer_name,
            customer_no: r.customer_number,
            id_type,
            id_number_masked,
            phone_masked,
        },
        system: SystemOption { code: r.system_code, name: pick(locale, r.name_zh, r.name_en) },
        channel: Channel::parse(&r.channel).unwrap_or_default(),
        occurred_at: r.occurred_at,
        urgency: Urgency::parse(&r.urgency).unwrap_or_default(),
        description: r.description,
        reporter_name: r.reporter_name,
        reporter_login: r.reporter_login,
        created_at: r.created_at,
        updated_at: r.updated_at,
        screenshots: report_shots,
        timeline,
        team_read_upto: r.team_read_upto,
        actions: desk::offered(status, actor),
        merged_into,
        rating: r.rating.and_then(|n| u8::try_from(n).ok()),
        desk,
    }))
}

/// The viewer has read the thread up to `last_event_id`. True when that is further than before.
pub async fn mark_read(pool: &PgPool, viewer: i64, incident_id: i64, last_event_id: i64) -> Result<bool, AppError> {
    let advanced = sqlx::query_scalar!(
        r#"INSERT INTO incident_reads (incident_id, user_id, last_event_id) VALUES ($1, $2, $3)
           ON CONFLICT (incident_id, user_id) DO UPDATE SET last_event_id = EXCLUDED.last_event_id, updated_at = now()
           WHERE incident_reads.last_event_id < EXCLUDED.last_event_id
           RETURNING 1 AS "one!""#,
        incident_id,
        viewer,
        last_event_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(advanced.is_some())
}

/// The replies and answers of the incident a duplicate was merged into.
async fn timeline_answers(pool: &PgPool, survivor_id: i64, locale: Locale) -> Result<Vec<TimelineEntry>, AppError> {
    Ok(timeline(pool, survivor_id, 0, false, true, locale).await?.0)
}

/// An incident's audit trail, oldest first (served by `audit_log_incident`).
async fn audit_trail(pool: &PgPool, incident_id: i64) -> Result<Vec<AuditEntry>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT l.id, l.action, l.detail, u.display_name AS "actor_name?", l.created_at AS "created_at: DateTime<Utc>"
           FROM audit_log l LEFT JOIN users u ON u.id = l.actor_id
           WHERE l.incident_id = $1 ORDER BY l.id"#,
        incident_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry { id: r.id, action: r.action, actor_name: r.actor_name, detail: r.detail.to_string(), at: r.created_at })
        .collect())
}

/// Whether `author` may write the reporter's side of incident `incident_id`'s conversation: only
/// its reporter (the team talks through actions). `Forbidden` for anyone else who may see it,
/// `NotFound` for the rest.
pub async fn may_message(db: &PgPool, author: &CurrentUser, incident_id: i64) -> Result<(), AppError> {
    let reporter = sqlx::query_scalar!("SELECT reporter_id FROM incidents WHERE id = $1", incident_id).fetch_optional(db).await?;
    match reporter {
        Some(reporter) if reporter == author.id => Ok(()),
        _ => Err(not_theirs_to_message(db, author, incident_id).await?),
    }
}

/// Why `author` may not write the reporter's side of an incident: 403 when they may see it (the
/// team talks through actions), 404 when they may not even see it.
async fn not_theirs_to_message(db: impl PgExecutor<'_>, author: &CurrentUser, incident_id: i64) -> Result<AppError, AppError> {
    Ok(if visible_id(db, author, &IncidentRef::Id(incident_id)).await?.is_some() { AppError::Forbidden } else { AppError::NotFound })
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
    desk::audit(&mut tx, Some(incident_id), Some(author.id), "message", serde_json::json!({ "body": body.as_str(), "screenshots": shots })).await?;
    tx.commit().await?;
    Ok(event_id)
}
