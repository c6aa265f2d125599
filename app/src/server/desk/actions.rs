//! The desk's writes: one action on one incident, in one transaction with its timeline entry
//! and its audit line, guarded by the workflow's rules and the incident's version.
use crate::domain::accounts::{CurrentUser, Role};
use crate::domain::incident::workflow::{self, on_time, Action, Actor, Refusal, Triage};
use crate::domain::incident::{EventKind, IncidentNumber, MessageBody, Status};
use crate::domain::{Field, Reason};
use crate::server::infra::audit::audit;
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
async fn actor_for(
    conn: &mut PgConnection,
    user: &CurrentUser,
    current: &Current,
) -> Result<Option<Actor>, AppError> {
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
    let actor = actor_for(&mut tx, user, &current)
        .await?
        .ok_or(AppError::NotFound)?;
    let from = crate::server::report::list::parse_status(current.id, &current.status)?;
    let decision = workflow::next(from, action.kind(), actor);
    if decision == Err(Refusal::NotYours) {
        return Err(AppError::Forbidden);
    }
    if current.version != version {
        return Err(AppError::Conflict);
    }
    let to = decision.map_err(|_| AppError::NotNow)?;

    let mut entry = Entry {
        kind: EventKind::Note,
        body: None,
        internal: action.is_internal(),
        detail: json!({}),
    };
    let id = current.id;
    match action {
        Action::Claim => {
            sqlx::query!(
                "UPDATE incidents SET assignee_id = $2 WHERE id = $1",
                id,
                user.id
            )
            .execute(&mut *tx)
            .await?;
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
            sqlx::query!(
                "UPDATE incidents SET assignee_id = $2 WHERE id = $1",
                id,
                target.id
            )
            .execute(&mut *tx)
            .await?;
            entry.kind = EventKind::Assigned;
            entry.detail = json!({ "assignee": target.login, "assignee_name": target.display_name, "from": current.assignee_id });
        }
        Action::Categorize(triage) => {
            entry.kind = EventKind::Categorized;
            entry.internal = true;
            entry.detail = categorize(&mut tx, id, triage).await?;
        }
        Action::Transfer { group, body } => {
            let target = sqlx::query!(
                "SELECT id, name_zh, name_en FROM groups WHERE code = $1 AND active",
                group.as_str()
            )
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::field(Field::Group, Reason::UnknownValue))?;
            sqlx::query!(
                "UPDATE incidents SET group_id = $2 WHERE id = $1",
                id,
                target.id
            )
            .execute(&mut *tx)
            .await?;
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
            crate::server::knowledge::links::record_solved(&mut tx, id, body.as_str()).await?;
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
            sqlx::query!(
                "UPDATE incidents SET resolved_on_time = $2 WHERE id = $1",
                id,
                in_time
            )
            .execute(&mut *tx)
            .await?;
            crate::server::knowledge::links::record_solved(&mut tx, id, body.as_str()).await?;
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
            entry.kind = if by_reporter {
                EventKind::Confirmed
            } else {
                EventKind::Closed
            };
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
            sqlx::query!(
                "UPDATE incidents SET version = version + 1, updated_at = now() WHERE id = $1",
                survivor.id
            )
            .execute(&mut *tx)
            .await?;
            record(
                &mut tx,
                survivor.id,
                Some(user.id),
                &Entry {
                    kind: EventKind::Absorbed,
                    body: None,
                    internal: true,
                    detail: json!({ "from": current.number }),
                },
            )
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
    crate::server::report::screenshots::claim(&mut *tx, user.id, shots, id, Some(event_id)).await?;
    audit(
        &mut tx,
        Some(id),
        Some(user.id),
        action.kind().as_str(),
        json!({
            "from": from.as_str(),
            "to": to.as_str(),
            "version": version,
            "internal": entry.internal,
            "body": entry.body.as_ref().map(MessageBody::as_str),
            "detail": entry.detail,
            "screenshots": shots,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(Acted {
        status: to,
        version,
    })
}

/// A timeline entry about to be written.
pub struct Entry {
    pub kind: EventKind,
    pub body: Option<MessageBody>,
    pub internal: bool,
    pub detail: Value,
}

pub async fn record(
    conn: &mut PgConnection,
    incident_id: i64,
    actor: Option<i64>,
    entry: &Entry,
) -> Result<i64, AppError> {
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
    if crate::server::report::list::parse_status(row.id, &row.status)? == Status::Merged {
        return Err(AppError::field(Field::Into, Reason::UnknownValue));
    }
    Ok(Target {
        id: row.id,
        number: row.number,
    })
}

/// Applies a triage: each present field replaces the stored one. A new priority moves the
/// service-level due times (counted from the report's arrival). Returns what changed.
async fn categorize(conn: &mut PgConnection, id: i64, triage: &Triage) -> Result<Value, AppError> {
    let mut changed = serde_json::Map::new();
    let mut labels: Vec<(String, String)> = Vec::new();
    let category_id = match triage.category {
        Some(category) => {
            let found = sqlx::query!(
                "SELECT id, name_zh, name_en FROM categories WHERE code = $1 AND parent_id IS NULL",
                category.as_str()
            )
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
        sqlx::query!(
            "UPDATE incidents SET subcategory_id = $2 WHERE id = $1",
            id,
            found.id
        )
        .execute(&mut *conn)
        .await?;
        changed.insert("subcategory".into(), json!(sub.as_str()));
        labels.push((found.name_zh, found.name_en));
    }
    if let Some(system) = &triage.system {
        let found = sqlx::query!(
            "SELECT id, name_zh, name_en FROM systems WHERE code = $1 AND active",
            system.as_str()
        )
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| AppError::field(Field::System, Reason::UnknownValue))?;
        sqlx::query!(
            "UPDATE incidents SET system_id = $2 WHERE id = $1",
            id,
            found.id
        )
        .execute(&mut *conn)
        .await?;
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
        sqlx::query!("UPDATE incidents SET tags = $2 WHERE id = $1", id, &tags)
            .execute(&mut *conn)
            .await?;
        let hashed = tags
            .iter()
            .map(|t| format!("#{t}"))
            .collect::<Vec<_>>()
            .join(" ");
        labels.push((hashed.clone(), hashed));
        changed.insert("tags".into(), json!(tags));
    }
    // What the timeline shows, in either language.
    let (zh, en): (Vec<String>, Vec<String>) = labels.into_iter().unzip();
    changed.insert(
        "labels".into(),
        json!({ "zh": zh.join(" · "), "en": en.join(" · ") }),
    );
    Ok(Value::Object(changed))
}

/// Shows a handler the full ID or phone number behind a mask, and records that they did.
pub async fn reveal(
    pool: &PgPool,
    user: &CurrentUser,
    incident_id: i64,
    field: Field,
) -> Result<Option<String>, AppError> {
    if !user.role.works_desk() {
        return Err(AppError::Forbidden);
    }
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        "SELECT id_number, phone FROM incidents WHERE id = $1",
        incident_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let value = match field {
        Field::IdNumber => row.id_number,
        Field::Phone => row.phone,
        _ => return Err(AppError::BadRequest),
    };
    audit(
        &mut tx,
        Some(incident_id),
        Some(user.id),
        "reveal",
        json!({ "field": field.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(value)
}
