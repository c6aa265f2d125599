//! The desk's writes: one action on one incident, in one transaction with its timeline entry
//! and its audit line, guarded by the workflow's rules and the incident's version.
use crate::domain::incident::{EventKind, IncidentNumber, MessageBody, Status};
use crate::domain::user::{CurrentUser, Role};
use crate::domain::workflow::{self, on_time, Action, ActionKind, Actor, Refusal, Triage};
use crate::domain::{Field, Reason};
use crate::server::error::internal;
use crate::AppError;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::{PgConnection, PgPool};

/// The incident as an action finds it (locked for the rest of the transaction).
struct Current {
    id: i64,
    number: String,
    status: String,
    version: i32,
    reporter_id: i64,
    group_id: Option<i64>,
    assignee_id: Option<i64>,
}

/// Who `user` is to this incident, or `None` when they may not even see it (404).
async fn actor_for(conn: &mut PgConnection, user: &CurrentUser, current: &Current) -> Result<Option<Actor>, AppError> {
    if user.role.works_desk() {
        return Ok(Some(Actor::Desk));
    }
    if current.reporter_id == user.id {
        return Ok(Some(Actor::Reporter));
    }
    if user.role != Role::Member {
        return Ok(None);
    }
    let seen = sqlx::query!(
        r#"SELECT incident_visible($1, $2, $3, $4, $5) AS "visible!",
                  EXISTS (SELECT 1 FROM group_members WHERE user_id = $5 AND group_id = $4) AS "in_group!""#,
        current.id,
        current.reporter_id,
        current.status,
        current.group_id,
        user.id
    )
    .fetch_one(&mut *conn)
    .await?;
    // A member who once worked on it may look, but acts only for the group it is with.
    Ok(match (seen.visible, seen.in_group) {
        (false, _) => None,
        (true, true) => Some(Actor::GroupMember),
        (true, false) => return Err(AppError::Forbidden),
    })
}

fn stored_status(id: i64, raw: &str) -> Result<Status, AppError> {
    Status::parse(raw).map_err(|_| internal(format!("incident {id} has unknown status {raw}")))
}

/// What an action did, for its caller.
#[derive(Debug, Clone)]
pub struct Acted {
    pub status: Status,
    pub version: i32,
}

/// Applies `action` by `user` to incident `incident_id`, which they saw at `version`. Checks,
/// in this order: that they may see it (else `NotFound`), that they may ever do this
/// (`Forbidden`), that nobody changed it since (`Conflict`: reload), and that its state allows
/// it (`NotNow`). The change, its timeline entry (with `shots`) and its audit line commit
/// together.
pub async fn act(
    pool: &PgPool,
    user: &CurrentUser,
    incident_id: i64,
    version: i32,
    action: &Action,
    shots: &[i64],
) -> Result<Acted, AppError> {
    let mut tx = pool.begin().await?;
    let current = sqlx::query_as!(
        Current,
        "SELECT id, number, status, version, reporter_id, group_id, assignee_id FROM incidents WHERE id = $1 FOR UPDATE",
        incident_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let actor = actor_for(&mut tx, user, &current).await?.ok_or(AppError::NotFound)?;
    let from = stored_status(current.id, &current.status)?;
    let decision = workflow::next(from, action.kind(), actor);
    if decision == Err(Refusal::NotYours) {
        return Err(AppError::Forbidden);
    }
    if current.version != version {
        return Err(AppError::Conflict);
    }
    let to = decision.map_err(|_| AppError::NotNow)?;

    let mut entry = Entry { kind: EventKind::Note, body: None, internal: action.is_internal(), detail: json!({}) };
    let id = current.id;
    match action {
        Action::Claim => {
            sqlx::query!("UPDATE incidents SET assignee_id = $2 WHERE id = $1", id, user.id).execute(&mut *tx).await?;
            entry.kind = EventKind::Claimed;
        }
        Action::Assign { assignee } => {
            let target = sqlx::query!(
                "SELECT id, login, display_name FROM users
                 WHERE lower(login) = $1 AND role IN ('handler', 'admin') AND disabled_at IS NULL",
                assignee.as_str()
            )
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::field(Field::Assignee, Reason::UnknownValue))?;
            sqlx::query!("UPDATE incidents SET assignee_id = $2 WHERE id = $1", id, target.id).execute(&mut *tx).await?;
            entry.kind = EventKind::Assigned;
            entry.detail = json!({ "assignee": target.login, "assignee_name": target.display_name, "from": current.assignee_id });
        }
        Action::Categorize(triage) => {
            entry.kind = EventKind::Categorized;
            entry.internal = true;
            entry.detail = categorize(&mut tx, id, triage).await?;
        }
        Action::Transfer { group, body } => {
            let target = sqlx::query!("SELECT id, name_zh, name_en FROM groups WHERE code = $1 AND active", group.as_str())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| AppError::field(Field::Group, Reason::UnknownValue))?;
            sqlx::query!("UPDATE incidents SET group_id = $2 WHERE id = $1", id, target.id).execute(&mut *tx).await?;
            entry.kind = EventKind::Transferred;
            entry.body = Some(body.clone());
            entry.detail = json!({ "group": group.as_str(), "labels": { "zh": target.name_zh, "en": target.name_en } });
        }
        Action::Return { body, change } => {
            entry.kind = EventKind::Returned;
            entry.body = Some(body.clone());
            entry.detail = json!({ "change": change, "group_id": current.group_id });
        }
        Action::Note { body } => {
            entry.kind = EventKind::Note;
            entry.body = Some(body.clone());
        }
        Action::Reply { body } => {
            sqlx::query!(
                "UPDATE incidents SET first_responded_at = coalesce(first_responded_at, now()),
                        sla_due_at = CASE WHEN status IN ('new', 'in_progress', 'transferred') THEN resolution_due ELSE sla_due_at END
                 WHERE id = $1",
                id
            )
            .execute(&mut *tx)
            .await?;
            entry.kind = EventKind::Reply;
            entry.body = Some(body.clone());
        }
        Action::Answer { body } => {
            let answered = sqlx::query!(
                r#"UPDATE incidents SET answered_at = now(), first_responded_at = coalesce(first_responded_at, now()),
                          assignee_id = coalesce(assignee_id, $2), sla_due_at = NULL
                   WHERE id = $1 RETURNING answered_at AS "answered_at!: DateTime<Utc>", resolution_due AS "resolution_due: DateTime<Utc>""#,
                id,
                user.id
            )
            .fetch_one(&mut *tx)
            .await?;
            let in_time = on_time(answered.answered_at, answered.resolution_due);
            sqlx::query!("UPDATE incidents SET resolved_on_time = $2 WHERE id = $1", id, in_time).execute(&mut *tx).await?;
            entry.kind = EventKind::Answered;
            entry.body = Some(body.clone());
            entry.detail = json!({ "on_time": in_time });
        }
        Action::Reopen { body } => {
            // Not solved after all: the clock runs again against the same resolution target.
            sqlx::query!(
                "UPDATE incidents SET answered_at = NULL, resolved_on_time = NULL, closed_at = NULL,
                        rating = NULL, rating_comment = NULL, sla_due_at = resolution_due
                 WHERE id = $1",
                id
            )
            .execute(&mut *tx)
            .await?;
            entry.kind = EventKind::Reopened;
            entry.body = Some(body.clone());
        }
        Action::Close { rating, comment } => {
            let by_reporter = actor == Actor::Reporter;
            sqlx::query!(
                "UPDATE incidents SET closed_at = now(), sla_due_at = NULL, rating = $2, rating_comment = $3 WHERE id = $1",
                id,
                rating.filter(|_| by_reporter).map(|r| i16::from(r.stars())),
                comment.as_ref().filter(|_| by_reporter).map(MessageBody::as_str)
            )
            .execute(&mut *tx)
            .await?;
            entry.kind = if by_reporter { EventKind::Confirmed } else { EventKind::Closed };
            entry.body = comment.clone();
            entry.detail = json!({ "rating": rating.map(|r| r.stars()) });
        }
        Action::Merge { into } => {
            let survivor = merge_target(&mut tx, into).await?;
            if survivor.id == id {
                return Err(AppError::field(Field::Into, Reason::UnknownValue));
            }
            sqlx::query!(
                "UPDATE incidents SET status = 'merged', merged_into_id = $2, sla_due_at = NULL, closed_at = now() WHERE id = $1",
                id,
                survivor.id
            )
                .execute(&mut *tx)
                .await?;
            // The survivor's row first, its timeline entry after: an entry is written only once
            // every row the transaction changes is locked (entries are written in commit order,
            // under a lock that must not be held while waiting for a row).
            sqlx::query!("UPDATE incidents SET version = version + 1, updated_at = now() WHERE id = $1", survivor.id)
                .execute(&mut *tx)
                .await?;
            record(&mut tx, survivor.id, Some(user.id), &Entry {
                kind: EventKind::Absorbed,
                body: None,
                internal: true,
                detail: json!({ "from": current.number }),
            })
            .await?;
            entry.kind = EventKind::Merged;
            entry.detail = json!({ "into": survivor.number });
        }
    }
    let version = sqlx::query_scalar!(
        "UPDATE incidents SET status = $2, version = version + 1, updated_at = now() WHERE id = $1 RETURNING version",
        id,
        to.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    let event_id = record(&mut tx, id, Some(user.id), &entry).await?;
    super::screenshots::claim(&mut *tx, user.id, shots, id, Some(event_id)).await?;
    audit(&mut tx, Some(id), Some(user.id), action.kind().as_str(), json!({
        "from": from.as_str(),
        "to": to.as_str(),
        "version": version,
        "internal": entry.internal,
        "body": entry.body.as_ref().map(MessageBody::as_str),
        "detail": entry.detail,
        "screenshots": shots,
    }))
    .await?;
    tx.commit().await?;
    Ok(Acted { status: to, version })
}

/// A timeline entry about to be written.
struct Entry {
    kind: EventKind,
    body: Option<MessageBody>,
    internal: bool,
    detail: Value,
}

async fn record(conn: &mut PgConnection, incident_id: i64, actor: Option<i64>, entry: &Entry) -> Result<i64, AppError> {
    let detail = (entry.detail != json!({})).then(|| entry.detail.clone());
    Ok(sqlx::query_scalar!(
        "INSERT INTO incident_events (incident_id, kind, actor_id, body, internal, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        incident_id,
        entry.kind.as_str(),
        actor,
        entry.body.as_ref().map(MessageBody::as_str),
        entry.internal,
        detail
    )
    .fetch_one(conn)
    .await?)
}

/// Appends one line to the audit trail (which the database itself keeps append-only).
pub async fn audit(conn: &mut PgConnection, incident_id: Option<i64>, actor: Option<i64>, action: &str, detail: Value) -> Result<(), AppError> {
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

struct Target {
    id: i64,
    number: String,
}

/// The incident a duplicate is merged into, named by number or id; it must itself be open.
async fn merge_target(conn: &mut PgConnection, into: &str) -> Result<Target, AppError> {
    let by_number = IncidentNumber::parse(into).ok();
    let by_id = into.trim().parse::<i64>().ok();
    let row = sqlx::query!(
        "SELECT id, number, status FROM incidents WHERE number = $1 OR id = $2",
        by_number.as_ref().map(IncidentNumber::as_str),
        by_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::field(Field::Into, Reason::UnknownValue))?;
    if stored_status(row.id, &row.status)? == Status::Merged {
        return Err(AppError::field(Field::Into, Reason::UnknownValue));
    }
    Ok(Target { id: row.id, number: row.number })
}

/// Applies a triage: each present field replaces the stored one. A new priority moves the
/// service-level due times (counted from the report's arrival). Returns what changed.
async fn categorize(conn: &mut PgConnection, id: i64, triage: &Triage) -> Result<Value, AppError> {
    let mut changed = serde_json::Map::new();
    let mut labels: Vec<(String, String)> = Vec::new();
    let category_id = match triage.category {
        Some(category) => {
            let found = sqlx::query!("SELECT id, name_zh, name_en FROM categories WHERE code = $1 AND parent_id IS NULL", category.as_str())
                .fetch_one(&mut *conn)
                .await?;
            changed.insert("category".into(), json!(category.as_str()));
            labels.push((found.name_zh, found.name_en));
            Some(found.id)
        }
        None => None,
    };
    // A category change clears a sub-category of the old one (unless a new one comes with it).
    sqlx::query!(
        "UPDATE incidents SET category_id = coalesce($2, category_id),
                subcategory_id = CASE WHEN $2::bigint IS NOT NULL AND $2 IS DISTINCT FROM category_id THEN NULL ELSE subcategory_id END
         WHERE id = $1",
        id,
        category_id
    )
    .execute(&mut *conn)
    .await?;
    if let Some(sub) = &triage.subcategory {
        let found = sqlx::query!(
            "SELECT c.id, c.name_zh, c.name_en FROM categories c JOIN incidents i ON i.category_id = c.parent_id
             WHERE i.id = $1 AND c.code = $2 AND c.active",
            id,
            sub.as_str()
        )
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| AppError::field(Field::Subcategory, Reason::UnknownValue))?;
        sqlx::query!("UPDATE incidents SET subcategory_id = $2 WHERE id = $1", id, found.id).execute(&mut *conn).await?;
        changed.insert("subcategory".into(), json!(sub.as_str()));
        labels.push((found.name_zh, found.name_en));
    }
    if let Some(system) = &triage.system {
        let found = sqlx::query!("SELECT id, name_zh, name_en FROM systems WHERE code = $1 AND active", system.as_str())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| AppError::field(Field::System, Reason::UnknownValue))?;
        sqlx::query!("UPDATE incidents SET system_id = $2 WHERE id = $1", id, found.id).execute(&mut *conn).await?;
        changed.insert("system".into(), json!(system.as_str()));
        labels.push((found.name_zh, found.name_en));
    }
    if let Some(priority) = triage.priority {
        sqlx::query!(
            "UPDATE incidents i SET priority = t.priority,
                    first_response_due = i.created_at + make_interval(mins => t.first_response_minutes),
                    resolution_due = i.created_at + make_interval(mins => t.resolution_minutes),
                    sla_due_at = CASE
                        WHEN i.sla_due_at IS NULL THEN NULL
                        WHEN i.first_responded_at IS NULL THEN i.created_at + make_interval(mins => t.first_response_minutes)
                        ELSE i.created_at + make_interval(mins => t.resolution_minutes) END
             FROM sla_targets t WHERE i.id = $1 AND t.priority = $2",
            id,
            priority.as_str()
        )
        .execute(&mut *conn)
        .await?;
        changed.insert("priority".into(), json!(priority.as_str()));
        labels.push((priority.as_str().to_owned(), priority.as_str().to_owned()));
    }
    if let Some(tags) = &triage.tags {
        let tags: Vec<String> = tags.iter().map(|t| t.as_str().to_owned()).collect();
        sqlx::query!("UPDATE incidents SET tags = $2 WHERE id = $1", id, &tags).execute(&mut *conn).await?;
        let hashed = tags.iter().map(|t| format!("#{t}")).collect::<Vec<_>>().join(" ");
        labels.push((hashed.clone(), hashed));
        changed.insert("tags".into(), json!(tags));
    }
    // What the timeline shows, in either language.
    let (zh, en): (Vec<String>, Vec<String>) = labels.into_iter().unzip();
    changed.insert("labels".into(), json!({ "zh": zh.join(" · "), "en": en.join(" · ") }));
    Ok(Value::Object(changed))
}

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
        let entry = Entry { kind: EventKind::Closed, body: None, internal: false, detail: json!({ "automatic": true, "days": days }) };
        record(&mut tx, row.id, None, &entry).await?;
        audit(&mut tx, Some(row.id), None, "close", json!({ "from": "answered", "to": "closed", "automatic": true, "days": days })).await?;
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
    let warnings = soon.iter().map(|r| (r.id, r.due, EventKind::SlaDueSoon)).chain(late.iter().map(|r| (r.id, r.due, EventKind::SlaBreached)));
    let mut written = 0;
    for (id, due, kind) in warnings {
        record(&mut tx, id, None, &Entry { kind, body: None, internal: true, detail: json!({ "due": due.to_rfc3339() }) }).await?;
        written += 1;
    }
    tx.commit().await?;
    Ok(written)
}

/// Shows a handler the full ID or phone number behind a mask, and records that they did.
pub async fn reveal(pool: &PgPool, user: &CurrentUser, incident_id: i64, field: Field) -> Result<Option<String>, AppError> {
    if !user.role.works_desk() {
        return Err(AppError::Forbidden);
    }
    let mut tx = pool.begin().await?;
    let row = sqlx::query!("SELECT id_number, phone FROM incidents WHERE id = $1", incident_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let value = match field {
        Field::IdNumber => row.id_number,
        Field::Phone => row.phone,
        _ => return Err(AppError::BadRequest),
    };
    audit(&mut tx, Some(incident_id), Some(user.id), "reveal", json!({ "field": field.as_str() })).await?;
    tx.commit().await?;
    Ok(value)
}

/// What `actor` may do to an incident in `status` (none for a viewer who may only look): the
/// page offers only these.
pub fn offered(status: Status, actor: Option<Actor>) -> Vec<ActionKind> {
    actor.map(|a| workflow::available(status, a)).unwrap_or_default()
}

/// The lists the desk's forms pick from, named in `locale`.
pub async fn options(pool: &PgPool, locale: crate::i18n::Locale) -> Result<crate::domain::workflow::DeskOptions, AppError> {
    use crate::domain::workflow::{CannedReply, CategoryOption, DeskOptions};
    use crate::domain::incident::Named;
    let pick = |zh: String, en: String| match locale {
        crate::i18n::Locale::zh_CN => zh,
        crate::i18n::Locale::en => en,
    };
    let cats = sqlx::query!(
        r#"SELECT c.code, c.name_zh, c.name_en, p.code AS "parent?"
           FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
           WHERE c.active ORDER BY c.parent_id NULLS FIRST, c.position, c.id"#
    )
    .fetch_all(pool)
    .await?;
    let mut categories: Vec<CategoryOption> = Vec::new();
    for c in cats {
        let named = Named { code: c.code, name: pick(c.name_zh, c.name_en) };
        match c.parent {
            None => categories.push(CategoryOption { category: named, subcategories: Vec::new() }),
            Some(parent) => {
                if let Some(top) = categories.iter_mut().find(|t| t.category.code == parent) {
                    top.subcategories.push(named);
                }
            }
        }
    }
    let groups = sqlx::query!("SELECT code, name_zh, name_en FROM groups WHERE active ORDER BY position, id")
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|g| Named { code: g.code, name: pick(g.name_zh, g.name_en) })
        .collect();
    let systems = sqlx::query!("SELECT code, name_zh, name_en FROM systems WHERE active ORDER BY position, id")
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|g| Named { code: g.code, name: pick(g.name_zh, g.name_en) })
        .collect();
    let handlers = handlers(pool).await?;
    let canned = sqlx::query!("SELECT id, title, body FROM canned_replies WHERE active ORDER BY position, id")
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|c| CannedReply { id: c.id, title: c.title, body: c.body })
        .collect();
    Ok(DeskOptions { categories, groups, systems, handlers, canned })
}

/// Who an incident can be assigned to: active handlers and admins (login, name).
pub async fn handlers(pool: &PgPool) -> Result<Vec<crate::domain::incident::Named>, AppError> {
    let rows = sqlx::query!(
        "SELECT login, display_name FROM users WHERE role IN ('handler', 'admin') AND disabled_at IS NULL ORDER BY display_name COLLATE zh_pinyin, login"
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|u| crate::domain::incident::Named { code: u.login, name: u.display_name }).collect())
}

/// A canned reply filled in for one incident (a form without JavaScript picks one by id).
pub async fn canned_for(pool: &PgPool, canned_id: i64, incident_id: i64) -> Result<Option<String>, AppError> {
    let row = sqlx::query!(
        "SELECT c.id, c.title, c.body, i.customer_name, i.number FROM canned_replies c, incidents i
         WHERE c.id = $1 AND c.active AND i.id = $2",
        canned_id,
        incident_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| {
        let canned = crate::domain::workflow::CannedReply { id: r.id, title: r.title, body: r.body };
        canned.fill(r.customer_name.as_deref().unwrap_or_default(), &r.number)
    }))
}

/// The desk's queue: `filter`ed, sorted, one page after its cursor. A group member sees only
/// what waits on their groups. Built per filter (one
/// plan per shape, each served by an index) rather than one query full of `$n IS NULL OR …`.
pub async fn queue(
    pool: &PgPool,
    viewer: &CurrentUser,
    filter: &crate::domain::queue::QueueFilter,
    locale: crate::i18n::Locale,
) -> Result<crate::domain::incident::Page<crate::domain::incident::IncidentSummary>, AppError> {
    use super::incidents::{Row, PAGE_SIZE};
    use crate::domain::queue::{AssigneeFilter, QueueCursor, Search, Sort, StateFilter};
    use crate::domain::workflow::SlaState;
    use sqlx::QueryBuilder;

    // Names are looked up per row of the page (scalar subqueries, run for the 31 rows only):
    // planning a five-way join on every request cost more than running the query.
    let mut q = QueryBuilder::<sqlx::Postgres>::new(
        "SELECT i.id, i.number, i.status, i.version,
                (SELECT s.name_zh FROM systems s WHERE s.id = i.system_id) AS system_zh,
                (SELECT s.name_en FROM systems s WHERE s.id = i.system_id) AS system_en,
                i.urgency, i.customer_name, i.customer_number, i.description,
                (SELECT u.display_name FROM users u WHERE u.id = i.reporter_id) AS reporter_name,
                i.created_at, i.updated_at, i.priority,
                (SELECT a.display_name FROM users a WHERE a.id = i.assignee_id) AS assignee_name, i.sla_due_at,
                (SELECT CASE WHEN i.first_responded_at IS NULL THEN t.first_response_minutes ELSE t.resolution_minutes END
                 FROM sla_targets t WHERE t.priority = i.priority) AS sla_target,
                (SELECT count(*) FROM incident_events e
                 WHERE e.incident_id = i.id AND e.actor_id = i.reporter_id AND e.kind IN ('message', 'reopened')
                   AND e.id > coalesce((SELECT r.last_event_id FROM incident_reads r WHERE r.incident_id = i.id AND r.user_id = ",
    );
    // The reporter's messages the viewer has not read yet.
    q.push_bind(viewer.id).push("), 0)) AS unread FROM incidents i WHERE true");
    match viewer.role {
        Role::Handler | Role::Admin => {}
        // What waits on one of their groups (`incident_visible`'s group clause, kept apart here
        // so the group index serves it).
        Role::Member => {
            q.push(" AND i.status = 'transferred' AND i.group_id IN (SELECT group_id FROM group_members WHERE user_id = ")
                .push_bind(viewer.id)
                .push(")");
        }
        Role::Reporter => return Err(AppError::Forbidden),
    }
    match filter.state {
        StateFilter::Open => {
            q.push(" AND i.status IN ('new', 'in_progress', 'transferred', 'answered')");
        }
        StateFilter::All => {}
        StateFilter::Only(status) => {
            q.push(" AND i.status = ").push_bind(status.as_str());
        }
    }
    if let Some(category) = filter.category {
        q.push(" AND i.category_id = (SELECT id FROM categories WHERE code = ").push_bind(category.as_str()).push(")");
    }
    if let Some(system) = &filter.system {
        q.push(" AND i.system_id = (SELECT id FROM systems WHERE code = ").push_bind(system.as_str().to_owned()).push(")");
    }
    if let Some(priority) = filter.priority {
        q.push(" AND i.priority = ").push_bind(priority.as_str());
    }
    match &filter.assignee {
        None => {}
        Some(AssigneeFilter::Me) => {
            q.push(" AND i.assignee_id = ").push_bind(viewer.id);
        }
        Some(AssigneeFilter::Unassigned) => {
            q.push(" AND i.assignee_id IS NULL");
        }
        Some(AssigneeFilter::Login(login)) => {
            q.push(" AND i.assignee_id = (SELECT id FROM users WHERE lower(login) = ").push_bind(login.as_str().to_owned()).push(")");
        }
    }
    if let Some(group) = &filter.group {
        q.push(" AND i.group_id = (SELECT id FROM groups WHERE code = ").push_bind(group.as_str().to_owned()).push(")");
    }
    // Due soon: within the last quarter of the target (minutes × 15 seconds) before the due time.
    let soon = "make_interval(secs => (SELECT CASE WHEN i.first_responded_at IS NULL THEN t.first_response_minutes ELSE t.resolution_minutes END
                                       FROM sla_targets t WHERE t.priority = i.priority) * 15)";
    match filter.sla {
        None => {}
        Some(SlaState::Late) => {
            q.push(" AND i.sla_due_at < now()");
        }
        Some(SlaState::DueSoon) => {
            q.push(format!(" AND i.sla_due_at >= now() AND i.sla_due_at <= now() + {soon}"));
        }
        Some(SlaState::OnTrack) => {
            q.push(format!(" AND i.sla_due_at > now() + {soon}"));
        }
    }
    if let Some(from) = filter.from {
        q.push(" AND i.created_at >= ").push_bind(from);
    }
    if let Some(to) = filter.to {
        q.push(" AND i.created_at < ").push_bind(to);
    }
    match &filter.search {
        None => {}
        Some(Search::Number(number)) => {
            q.push(" AND i.number = ").push_bind(number.as_str().to_owned());
        }
        Some(Search::CustomerNumber(digits)) => {
            q.push(" AND i.customer_number = ").push_bind(digits.clone());
        }
        Some(Search::Text(text)) => {
            let like = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            q.push(" AND (i.customer_name = ").push_bind(text.clone()).push(" OR (");
            // Two characters or more: through the index of character pairs, confirmed by LIKE.
            if text.chars().filter(|c| !c.is_whitespace()).count() >= 2 {
                q.push("i.description_grams @> text_bigrams(").push_bind(text.clone()).push(") AND ");
            }
            q.push("i.description LIKE ").push_bind(like).push("))");
        }
    }
    let micros = |at: chrono::DateTime<Utc>| at.timestamp_micros();
    let from_micros = |m: i64| chrono::DateTime::from_timestamp_micros(m).ok_or(AppError::field(Field::Cursor, Reason::UnknownValue));
    match (filter.sort, &filter.after) {
        (Sort::Newest, Some(c)) => {
            q.push(" AND (i.created_at, i.id) < (").push_bind(from_micros(c.at)?).push(", ").push_bind(c.id).push(")");
        }
        (Sort::Oldest, Some(c)) => {
            q.push(" AND (i.created_at, i.id) > (").push_bind(from_micros(c.at)?).push(", ").push_bind(c.id).push(")");
        }
        (Sort::Priority, Some(c)) => {
            let rank = u8::try_from(c.key).ok().filter(|k| (1..=4).contains(k)).ok_or(AppError::field(Field::Cursor, Reason::UnknownValue))?;
            q.push(" AND (i.priority, i.created_at, i.id) > (")
                .push_bind(format!("P{rank}"))
                .push(", ")
                .push_bind(from_micros(c.at)?)
                .push(", ")
                .push_bind(c.id)
                .push(")");
        }
        (Sort::Due, Some(c)) => {
            q.push(" AND (i.sla_due_at, i.id) > (").push_bind(from_micros(c.at)?).push(", ").push_bind(c.id).push(")");
        }
        (_, None) => {}
    }
    if filter.sort == Sort::Due {
        q.push(" AND i.sla_due_at IS NOT NULL");
    }
    q.push(match filter.sort {
        Sort::Newest => " ORDER BY i.created_at DESC, i.id DESC",
        Sort::Oldest => " ORDER BY i.created_at, i.id",
        Sort::Priority => " ORDER BY i.priority, i.created_at, i.id",
        Sort::Due => " ORDER BY i.sla_due_at, i.id",
    });
    q.push(" LIMIT ").push_bind(PAGE_SIZE + 1);
    let rows: Vec<Row> = q.build_query_as().fetch_all(pool).await?;
    let next_cursor = (rows.len() as i64 > PAGE_SIZE)
        .then(|| rows.get(PAGE_SIZE as usize - 1))
        .flatten()
        .map(|r| {
            let (key, at) = match filter.sort {
                Sort::Newest | Sort::Oldest => (0, micros(r.created_at)),
                Sort::Priority => (i64::from(r.priority.trim_start_matches('P').parse::<u8>().unwrap_or(4)), micros(r.created_at)),
                Sort::Due => (0, r.sla_due_at.map(micros).unwrap_or_default()),
            };
            QueueCursor { key, at, id: r.id }.encode()
        });
    let items = rows.iter().take(PAGE_SIZE as usize).map(|r| r.summary(locale)).collect::<Result<_, _>>()?;
    Ok(crate::domain::incident::Page { items, next_cursor })
}

/// How many incidents each open state holds, desk-wide: for the queue's tabs. Counting 100,000
/// open incidents takes tens of milliseconds, so an instance counts at most every `FRESH` and
/// serves the same figures in between.
pub async fn open_counts(pool: &PgPool, cache: &Recent<Vec<(Status, i64)>>) -> Result<Vec<(Status, i64)>, AppError> {
    cache
        .get_or(async {
            let rows = sqlx::query!(
                r#"SELECT status, count(*) AS "n!" FROM incidents
           WHERE status IN ('new', 'in_progress', 'transferred', 'answered') GROUP BY status"#
            )
            .fetch_all(pool)
            .await?;
            Ok(rows.into_iter().filter_map(|r| Status::parse(&r.status).ok().map(|s| (s, r.n))).collect())
        })
        .await
}

/// How long a `Recent` value is served again.
const FRESH: std::time::Duration = std::time::Duration::from_secs(5);

/// A value this instance worked out at most `FRESH` ago (the queue's counts, who can be
/// assigned): shared by every request, made again by the first one after it went stale.
pub struct Recent<T>(std::sync::Arc<tokio::sync::Mutex<Option<(std::time::Instant, T)>>>);

impl<T> Default for Recent<T> {
    fn default() -> Self {
        Recent(Default::default())
    }
}

impl<T> Clone for Recent<T> {
    fn clone(&self) -> Self {
        Recent(self.0.clone())
    }
}

impl<T: Clone> Recent<T> {
    pub async fn get_or(&self, make: impl std::future::Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
        let mut cached = self.0.lock().await;
        if let Some((at, value)) = cached.as_ref() {
            if at.elapsed() < FRESH {
                return Ok(value.clone());
            }
        }
        let value = make.await?;
        *cached = Some((std::time::Instant::now(), value.clone()));
        Ok(value)
    }
}
