//! One incident as its viewer may see it: who may see it at all, its screenshots, its timeline
//! (and, for the desk, the audit trail), and what was read.
use crate::domain::accounts::{CurrentUser, Role};
use crate::domain::customer::{IdKind, IdNumber, Phone};
use crate::domain::incident::views::SystemOption;
use crate::domain::incident::views::{
    AuditEntry, CustomerView, DeskFacts, IncidentDetail, MergedInto, Named, Screenshot,
    TimelineEntry,
};
use crate::domain::incident::workflow::{self, Actor, Priority, SlaState};
use crate::domain::incident::{Channel, Urgency};
use crate::domain::incident::{EventKind, IncidentNumber};
use crate::domain::time::business_date;
use crate::i18n::Locale;
use crate::server::infra::error::internal;
use crate::server::infra::locale::pick;
use crate::server::report::list::parse_status;
use crate::server::report::screenshots;
use crate::AppError;
use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

/// How an incident is named in a request: its number (pages) or its id (the API).
#[derive(Debug, Clone)]
pub enum IncidentRef {
    Number(IncidentNumber),
    Id(i64),
}

/// The id of an incident `viewer` may see (`incident_visible`: its reporter, a member of the
/// group it waits on, or the desk), without loading it. A refusal is logged (see
/// `telemetry::refused`).
pub async fn visible_id(
    db: impl PgExecutor<'_>,
    viewer: &CurrentUser,
    which: &IncidentRef,
) -> Result<Option<i64>, AppError> {
    let found = sees(db, viewer, which).await?;
    if found.is_none() {
        crate::server::infra::telemetry::refused(viewer, "incident", which);
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
pub async fn sees(
    db: impl PgExecutor<'_>,
    viewer: &CurrentUser,
    which: &IncidentRef,
) -> Result<Option<i64>, AppError> {
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
            let kind = EventKind::from_name(&e.kind)
                .ok_or_else(|| internal(format!("unknown event kind {}", e.kind)))?;
            let (mine, rest) = std::mem::take(&mut shots)
                .into_iter()
                .partition(|(event, _)| *event == Some(e.id));
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
    let report = shots
        .into_iter()
        .filter(|(event, _)| event.is_none())
        .map(|(_, s)| s)
        .collect();
    Ok((entries, report))
}

/// What a timeline entry changed, in a few words for people, in `locale`.
fn describe(kind: EventKind, detail: &serde_json::Value, locale: Locale) -> Option<String> {
    let text = |key: &str| detail.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let label = || {
        let lang = pick(locale, "zh", "en");
        detail
            .get("labels")
            .and_then(|l| l.get(lang))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .filter(|l| !l.is_empty())
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
pub async fn visible(
    pool: &PgPool,
    viewer: &CurrentUser,
    which: &IncidentRef,
    locale: Locale,
) -> Result<Option<IncidentDetail>, AppError> {
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
        crate::server::infra::telemetry::refused(viewer, "incident", which);
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
            // Told about this incident's customer, never the other one's (`for_follower`).
            answers: timeline_answers(pool, id, locale)
                .await?
                .into_iter()
                .map(|mut entry| {
                    let from = (
                        r.merged_customer_name.as_deref(),
                        r.merged_customer_number.as_deref(),
                    );
                    let to = (r.customer_name.as_deref(), r.customer_number.as_deref());
                    entry.body = entry
                        .body
                        .map(|body| crate::domain::customer::for_follower(&body, from, to));
                    entry
                })
                .collect(),
        }),
        _ => None,
    };
    // Stored numbers were checked on the way in; shown masked everywhere.
    let id_type = r.id_type.as_deref().and_then(|t| IdKind::parse(t).ok());
    let today = business_date(Utc::now());
    let id_number_masked = id_type.zip(r.id_number.as_deref()).map(|(kind, n)| {
        IdNumber::parse(kind, n, today)
            .map(|id| id.masked())
            .unwrap_or_else(|_| "*".repeat(n.chars().count()))
    });
    let phone_masked = r.phone.as_deref().map(|p| {
        Phone::parse(p)
            .map(|p| p.masked())
            .unwrap_or_else(|_| "*".repeat(p.chars().count()))
    });
    let priority = Priority::parse(&r.priority)
        .map_err(|_| internal(format!("incident {} has priority {}", r.id, r.priority)))?;
    let desk = if team {
        let named = |code: Option<String>, zh: Option<String>, en: Option<String>| {
            code.zip(zh.zip(en)).map(|(code, (zh, en))| Named {
                code,
                name: pick(locale, zh, en),
            })
        };
        let now = Utc::now();
        let target = if r.first_responded_at.is_none() {
            r.first_response_minutes
        } else {
            r.resolution_minutes
        };
        Some(DeskFacts {
            priority,
            category: named(r.category_code, r.category_zh, r.category_en),
            subcategory: named(r.sub_code, r.sub_zh, r.sub_en),
            tags: r.tags,
            assignee: r
                .assignee_login
                .zip(r.assignee_name)
                .map(|(code, name)| Named { code, name }),
            group: named(r.group_code, r.group_zh, r.group_en),
            first_response_due: r.first_response_due,
            resolution_due: r.resolution_due,
            first_responded_at: r.first_responded_at,
            answered_at: r.answered_at,
            resolved_on_time: r.resolved_on_time,
            sla_due_at: r.sla_due_at,
            sla_state: r.sla_due_at.map(|due| SlaState::at(now, due, target)),
            rating_comment: r.rating_comment,
            audit: if desk_viewer {
                audit_trail(pool, r.id).await?
            } else {
                Vec::new()
            },
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
        system: SystemOption {
            code: r.system_code,
            name: pick(locale, r.name_zh, r.name_en),
        },
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
        actions: actor
            .map(|a| workflow::available(status, a))
            .unwrap_or_default(),
        merged_into,
        rating: r.rating.and_then(|n| u8::try_from(n).ok()),
        desk,
    }))
}

/// The viewer has read the thread up to `last_event_id`. True when that is further than before.
pub async fn mark_read(
    pool: &PgPool,
    viewer: i64,
    incident_id: i64,
    last_event_id: i64,
) -> Result<bool, AppError> {
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

/// The replies and answers of the incident a duplicate was merged into, without their
/// screenshots: those belong to the other incident (they may show its customer), and its
/// reporter could not open them anyway.
async fn timeline_answers(
    pool: &PgPool,
    survivor_id: i64,
    locale: Locale,
) -> Result<Vec<TimelineEntry>, AppError> {
    let mut answers = timeline(pool, survivor_id, 0, false, true, locale).await?.0;
    for answer in &mut answers {
        answer.screenshots.clear();
    }
    Ok(answers)
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
        .map(|r| AuditEntry {
            id: r.id,
            action: r.action,
            actor_name: r.actor_name,
            detail: r.detail.to_string(),
            at: r.created_at,
        })
        .collect())
}
