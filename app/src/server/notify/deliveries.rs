//! Pushes to WeCom: timeline entries become deliveries (`dispatch`), deliveries are leased,
//! sent and recorded (`lease`, `sent`, `retry_at`, `dead`), and admins list and retry them.
use crate::domain::incident::EventKind;
use crate::domain::notify::{Channel, DeliveryRow, DeliveryState};
use crate::AppError;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

/// A timeline entry not yet turned into deliveries, with what its messages say.
pub struct Undispatched {
    pub id: i64,
    pub kind: EventKind,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub internal: bool,
    pub body: Option<String>,
    pub detail: Option<Value>,
    pub incident_id: i64,
    pub number: String,
    pub priority: String,
    pub urgency: String,
    pub description: String,
    pub customer_name: Option<String>,
    pub customer_number: Option<String>,
    pub reporter_id: i64,
    pub reporter_wecom: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_wecom: Option<String>,
    pub system_name: String,
    pub category_name: Option<String>,
    pub group_name: Option<String>,
    pub created_at: DateTime<Utc>,
    /// For an answer or a public reply: the incidents merged into this one, whose reporters
    /// follow it (number, reporter, their WeCom id), in step.
    pub follower_numbers: Vec<String>,
    pub follower_ids: Vec<i64>,
    pub follower_wecom: Vec<Option<String>>,
    /// Their customers (name, number), in step: each is told the answer about their own.
    pub follower_customer_names: Vec<Option<String>>,
    pub follower_customer_numbers: Vec<Option<String>>,
}

/// The reporter of an incident merged into the one an entry belongs to.
pub struct Follower<'a> {
    pub number: &'a str,
    pub reporter_id: i64,
    pub wecom: &'a Option<String>,
    pub customer_name: Option<&'a str>,
    pub customer_number: Option<&'a str>,
}

impl Undispatched {
    pub fn followers(&self) -> impl Iterator<Item = Follower<'_>> {
        self.follower_numbers
            .iter()
            .zip(&self.follower_ids)
            .zip(&self.follower_wecom)
            .zip(
                self.follower_customer_names
                    .iter()
                    .zip(&self.follower_customer_numbers),
            )
            .map(
                |(((number, reporter_id), wecom), (name, customer_no))| Follower {
                    number,
                    reporter_id: *reporter_id,
                    wecom,
                    customer_name: name.as_deref(),
                    customer_number: customer_no.as_deref(),
                },
            )
    }
}

/// Up to `limit` entries nobody has dispatched, oldest first, locked for this transaction;
/// entries another worker holds are skipped, so workers side by side never take the same one.
pub async fn undispatched(
    conn: &mut PgConnection,
    limit: i64,
) -> Result<Vec<Undispatched>, AppError> {
    Ok(sqlx::query_as!(
        Undispatched,
        r#"SELECT e.id, e.kind AS "kind: EventKind", e.actor_id, a.display_name AS "actor_name?", e.internal, e.body, e.detail,
                  i.id AS incident_id, i.number, i.priority, i.urgency, i.description, i.customer_name, i.customer_number,
                  i.reporter_id, r.wecom_user_id AS reporter_wecom, i.assignee_id, h.wecom_user_id AS "assignee_wecom?",
                  s.name_zh AS system_name, c.name_zh AS "category_name?", g.name_zh AS "group_name?", e.created_at AS "created_at: DateTime<Utc>",
                  f.numbers AS "follower_numbers!", f.ids AS "follower_ids!", f.wecom AS "follower_wecom!: Vec<Option<String>>",
                  f.customer_names AS "follower_customer_names!: Vec<Option<String>>",
                  f.customer_numbers AS "follower_customer_numbers!: Vec<Option<String>>"
           FROM incident_events e
           JOIN incidents i ON i.id = e.incident_id
           JOIN users r ON r.id = i.reporter_id
           JOIN systems s ON s.id = i.system_id
           LEFT JOIN users a ON a.id = e.actor_id
           LEFT JOIN users h ON h.id = i.assignee_id AND h.disabled_at IS NULL AND h.role IN ('handler', 'admin')
           LEFT JOIN categories c ON c.id = i.category_id
           LEFT JOIN groups g ON g.id = i.group_id
           CROSS JOIN LATERAL (
               SELECT coalesce(array_agg(m.number ORDER BY m.id), '{}') AS numbers, coalesce(array_agg(m.reporter_id ORDER BY m.id), '{}') AS ids,
                      coalesce(array_agg(u.wecom_user_id ORDER BY m.id), '{}') AS wecom,
                      coalesce(array_agg(m.customer_name ORDER BY m.id), '{}') AS customer_names,
                      coalesce(array_agg(m.customer_number ORDER BY m.id), '{}') AS customer_numbers
               FROM incidents m JOIN users u ON u.id = m.reporter_id
               WHERE m.merged_into_id = i.id AND e.kind IN ('reply', 'answered') AND NOT e.internal) f
           WHERE e.dispatched_at IS NULL
           ORDER BY e.id
           LIMIT $1
           FOR UPDATE OF e SKIP LOCKED"#,
        limit
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// The WeCom ids of the handlers on duty (mentioned for P1 and urgent incidents).
pub async fn on_duty(conn: &mut PgConnection) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT wecom_user_id AS "id!" FROM users
           WHERE on_duty AND disabled_at IS NULL AND wecom_user_id IS NOT NULL AND role IN ('handler', 'admin')
           ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// A delivery to make: `skipped` says why it will not be sent (no WeCom settings, no WeCom id).
pub struct NewDelivery {
    pub key: String,
    pub event_id: i64,
    pub incident_id: i64,
    pub channel: Channel,
    pub recipient_id: Option<i64>,
    pub wecom_user_id: Option<String>,
    pub message: Value,
    pub skipped: Option<String>,
}

/// Records deliveries (once per key) and marks their entries dispatched.
pub async fn record(
    conn: &mut PgConnection,
    deliveries: &[NewDelivery],
    events: &[i64],
    give_up: DateTime<Utc>,
) -> Result<(), AppError> {
    for d in deliveries {
        let state = if d.skipped.is_some() {
            DeliveryState::Skipped
        } else {
            DeliveryState::Pending
        };
        sqlx::query!(
            "INSERT INTO deliveries (key, event_id, incident_id, channel, recipient_id, wecom_user_id, message, state, last_error, give_up_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (key) DO NOTHING",
            d.key,
            d.event_id,
            d.incident_id,
            d.channel.as_str(),
            d.recipient_id,
            d.wecom_user_id,
            d.message,
            state.as_str(),
            d.skipped,
            give_up as _
        )
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query!(
        "UPDATE incident_events SET dispatched_at = now() WHERE id = ANY($1)",
        events
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A delivery taken by a worker, to send now.
pub struct Leased {
    pub id: i64,
    pub channel: String,
    pub message: Value,
    pub attempts: i32,
    pub give_up_at: DateTime<Utc>,
}

/// Takes up to `limit` due deliveries on `channel` for `lease`: only the oldest pending one of
/// each incident, so an incident's messages arrive in order; for app messages, only as many per
/// member as leave them at most `per_member` attempts within `window`. Reporters take turns:
/// each one's oldest due message goes before anyone's second, so one reporter's flood never
/// holds back another's new incident in the robot's 20 a minute. Callers serialise this through
/// the pick lock (see `push`) so the paces hold across instances.
pub async fn lease(
    conn: &mut PgConnection,
    channel: Channel,
    limit: i64,
    lease: std::time::Duration,
    per_member: i64,
    window: std::time::Duration,
) -> Result<Vec<Leased>, AppError> {
    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
    let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
    Ok(sqlx::query_as!(
        Leased,
        "WITH heads AS (
             -- The oldest pending delivery of each incident on this channel (a walk of
             -- deliveries_incident_pending), whatever the table's statistics say.
             SELECT DISTINCT ON (incident_id) id, incident_id, next_attempt_at, leased_until, wecom_user_id
             FROM deliveries WHERE state = 'pending' AND channel = $1
             ORDER BY incident_id, id
         ), ready AS (
             -- Each member's turn: their n-th ready message goes only while n more attempts
             -- keep them within their limit (a robot message has no member).
             SELECT h.id, h.next_attempt_at,
                    row_number() OVER (PARTITION BY h.wecom_user_id ORDER BY h.next_attempt_at, h.id) AS n,
                    row_number() OVER (PARTITION BY i.reporter_id ORDER BY h.next_attempt_at, h.id) AS turn,
                    (SELECT count(*) FROM deliveries s
                     WHERE s.channel = 'app' AND s.wecom_user_id = h.wecom_user_id
                       AND s.attempted_at > now() - make_interval(secs => $5::bigint / 1000.0)) AS used,
                    i.reporter_id
             FROM heads h JOIN incidents i ON i.id = h.incident_id
             WHERE h.next_attempt_at <= now() AND (h.leased_until IS NULL OR h.leased_until < now())
         ), served AS (
             -- The robot's room frees a message at a time: among reporters on the same turn, the
             -- one it served longest ago (or never) goes first, so a flood cannot keep the room.
             SELECT i.reporter_id, max(s.attempted_at) AS at
             FROM deliveries s JOIN incidents i ON i.id = s.incident_id
             WHERE $1 = 'robot' AND s.channel = 'robot' AND s.attempted_at > now() - make_interval(secs => 10 * $5::bigint / 1000.0)
             GROUP BY i.reporter_id
         ), due AS (
             SELECT d.id FROM deliveries d JOIN ready r ON r.id = d.id LEFT JOIN served v ON v.reporter_id = r.reporter_id
             WHERE d.wecom_user_id IS NULL OR r.used + r.n <= $4
             ORDER BY r.turn, v.at NULLS FIRST, r.next_attempt_at, d.id
             LIMIT $2
             FOR UPDATE OF d SKIP LOCKED
         )
         UPDATE deliveries d
         SET leased_until = now() + make_interval(secs => $3::bigint / 1000.0), attempted_at = now(),
             attempts = attempts + 1, updated_at = now()
         FROM due WHERE d.id = due.id
         RETURNING d.id, d.channel, d.message, d.attempts, d.give_up_at AS \"give_up_at: DateTime<Utc>\"",
        channel.as_str(),
        limit,
        lease_ms,
        per_member,
        window_ms
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// Robot messages tried within the rate window (each counts against the robot's limit).
pub async fn robot_attempts_since(
    conn: &mut PgConnection,
    window: std::time::Duration,
) -> Result<i64, AppError> {
    let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM deliveries
           WHERE channel = 'robot' AND attempted_at > now() - make_interval(secs => $1::bigint / 1000.0)"#,
        window_ms
    )
    .fetch_one(&mut *conn)
    .await?)
}

// Recording an outcome moves `attempted_at` to the moment the answer came, later than WeCom
// saw the message: the rate windows count from then, never too early.

pub async fn sent(pool: &PgPool, id: i64) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE deliveries SET state = 'sent', sent_at = now(), leased_until = NULL, last_error = NULL, attempted_at = now(), updated_at = now()
         WHERE id = $1 AND state = 'pending'",
        id
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn retry_at(
    pool: &PgPool,
    id: i64,
    at: DateTime<Utc>,
    reason: &str,
) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE deliveries SET next_attempt_at = $2, leased_until = NULL, last_error = $3, attempted_at = now(), updated_at = now()
         WHERE id = $1 AND state = 'pending'",
        id,
        at as _,
        reason
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// To the dead letters (`dead`) or recorded as not sent (`skipped`), with the reason.
pub async fn give_up(
    pool: &PgPool,
    id: i64,
    state: DeliveryState,
    reason: &str,
) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE deliveries SET state = $2, leased_until = NULL, last_error = $3, attempted_at = now(), updated_at = now()
         WHERE id = $1 AND state = 'pending'",
        id,
        state.as_str(),
        reason
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// When the next pending delivery falls due (or its lease runs out), if any.
pub async fn next_due(pool: &PgPool) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT min(greatest(next_attempt_at, coalesce(leased_until, next_attempt_at))) AS "due: DateTime<Utc>" FROM deliveries WHERE state = 'pending'"#
    )
    .fetch_one(pool)
    .await?)
}

/// The admin page: newest first, optionally one state, keyset-paginated by id.
pub async fn list(
    pool: &PgPool,
    state: Option<DeliveryState>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT d.id, i.number, d.channel, u.display_name AS "recipient_name?", d.wecom_user_id, d.state, d.attempts,
                  d.last_error, d.message, d.created_at AS "created_at: DateTime<Utc>", d.sent_at AS "sent_at: DateTime<Utc>",
                  d.next_attempt_at AS "next_attempt_at: DateTime<Utc>"
           FROM deliveries d
           JOIN incidents i ON i.id = d.incident_id
           LEFT JOIN users u ON u.id = d.recipient_id
           WHERE ($1::text IS NULL OR d.state = $1) AND ($2::bigint IS NULL OR d.id < $2)
           ORDER BY d.id DESC
           LIMIT $3"#,
        state.map(|s| s.as_str()),
        before,
        limit
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(DeliveryRow {
                id: r.id,
                number: r.number,
                channel: Channel::from_name(&r.channel).ok_or_else(|| {
                    crate::server::infra::error::internal(format!(
                        "delivery {} channel {}",
                        r.id, r.channel
                    ))
                })?,
                recipient: r.recipient_name.or(r.wecom_user_id),
                state: DeliveryState::from_name(&r.state).ok_or_else(|| {
                    crate::server::infra::error::internal(format!(
                        "delivery {} state {}",
                        r.id, r.state
                    ))
                })?,
                attempts: r.attempts,
                last_error: r.last_error,
                summary: crate::domain::notify::summary(&r.message),
                created_at: r.created_at,
                sent_at: r.sent_at,
                next_attempt_at: r.next_attempt_at,
            })
        })
        .collect()
}

/// How many deliveries are in each state.
pub async fn counts(pool: &PgPool) -> Result<Vec<(DeliveryState, i64)>, AppError> {
    let rows = sqlx::query!(r#"SELECT state, count(*) AS "n!" FROM deliveries GROUP BY state"#)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| DeliveryState::from_name(&r.state).map(|s| (s, r.n)))
        .collect())
}

/// An admin sends a dead delivery again: pending from now, with fresh attempts. Audited.
pub async fn retry(
    pool: &PgPool,
    admin: i64,
    id: i64,
    give_up: DateTime<Utc>,
) -> Result<bool, AppError> {
    let mut tx = pool.begin().await?;
    let incident = sqlx::query_scalar!(
        "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), leased_until = NULL,
                give_up_at = $2, updated_at = now()
         WHERE id = $1 AND state = 'dead' RETURNING incident_id",
        id,
        give_up as _
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(incident) = incident else {
        return Ok(false);
    };
    crate::server::infra::audit::audit(
        &mut tx,
        Some(incident),
        Some(admin),
        "delivery.retry",
        serde_json::json!({ "delivery": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
