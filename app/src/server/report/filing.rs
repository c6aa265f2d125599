use crate::domain::incident::views::SystemOption;
use crate::domain::incident::workflow::Priority;
use crate::domain::incident::IncidentNumber;
use crate::domain::report::NewIncident;
use crate::domain::time::business_date;
use crate::domain::{Field, Reason};
use crate::i18n::Locale;
use crate::server::infra::error::internal;
use crate::AppError;
use chrono::Utc;
use sqlx::{PgExecutor, PgPool};

use crate::server::infra::audit::audit;
use crate::server::report::screenshots;

/// What `create` did: made the incident, or found the one an earlier attempt with the same
/// idempotency key made.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: i64,
    pub number: IncidentNumber,
    pub created: bool,
    /// What the request that filed it carried (see `report::service::fingerprint`); `None` for reports
    /// filed before fingerprints were kept.
    pub fingerprint: Option<Vec<u8>>,
}

impl Created {
    /// This incident, if `fingerprint` is the request that filed it; a different report under
    /// the same key is refused, never answered with this one.
    pub fn for_request(self, fingerprint: &[u8]) -> Result<Created, AppError> {
        match &self.fingerprint {
            Some(filed) if filed.as_slice() != fingerprint => Err(AppError::KeyReused {
                number: self.number.to_string(),
            }),
            _ => Ok(self),
        }
    }
}

/// The active systems, in the list's order, named in `locale`.
pub async fn systems(
    db: impl PgExecutor<'_>,
    locale: Locale,
) -> Result<Vec<SystemOption>, AppError> {
    let rows = sqlx::query!(
        "SELECT code, name_zh, name_en FROM systems WHERE active ORDER BY position, id"
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SystemOption {
            code: r.code,
            name: crate::server::infra::locale::pick(locale, r.name_zh, r.name_en),
        })
        .collect())
}

/// Files a report, exactly once per (reporter, idempotency key): a retry of the same request
/// (`fingerprint`) returns the incident the first attempt made; another report under a used key
/// is refused (`KeyReused`). The number, the incident, its first timeline entry and the claim on
/// its screenshots commit together.
pub async fn create(
    pool: &PgPool,
    reporter_id: i64,
    new: &NewIncident,
    shots: &[i64],
    fingerprint: &[u8],
) -> Result<Created, AppError> {
    if let Some(found) = by_key(pool, reporter_id, new.idempotency_key).await? {
        return found.for_request(fingerprint);
    }
    let mut tx = pool.begin().await?;
    let system_id = sqlx::query_scalar!(
        "SELECT id FROM systems WHERE code = $1 AND active",
        new.system.as_str()
    )
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
    let seq =
        u32::try_from(seq).map_err(|_| internal(format!("negative incident sequence {seq}")))?;
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
        return by_key(pool, reporter_id, new.idempotency_key)
            .await?
            .ok_or_else(|| internal("idempotent insert lost its row"))?
            .for_request(fingerprint);
    };
    sqlx::query!(
        "INSERT INTO incident_events (incident_id, kind, actor_id) VALUES ($1, 'submitted', $2)",
        id,
        reporter_id
    )
    .execute(&mut *tx)
    .await?;
    let claimed = screenshots::claim(&mut *tx, reporter_id, shots, id, None).await?;
    audit(
        &mut tx,
        Some(id),
        Some(reporter_id),
        "submit",
        serde_json::json!({ "number": number.as_str(), "screenshots": shots }),
    )
    .await?;
    if claimed != shots.len() as u64 {
        // Kept from a refused post more than a day ago, and swept since.
        tracing::warn!(incident = %number, sent = shots.len(), claimed, "some screenshots were gone");
    }
    tx.commit().await?;
    Ok(Created {
        id,
        number,
        created: true,
        fingerprint: Some(fingerprint.to_vec()),
    })
}

async fn by_key(
    db: impl PgExecutor<'_>,
    reporter_id: i64,
    key: uuid::Uuid,
) -> Result<Option<Created>, AppError> {
    let row = sqlx::query!("SELECT id, number, request_fingerprint FROM incidents WHERE reporter_id = $1 AND idempotency_key = $2", reporter_id, key)
        .fetch_optional(db)
        .await?;
    row.map(|r| {
        let number = IncidentNumber::parse(&r.number)
            .map_err(|_| internal(format!("stored number {} does not parse", r.number)))?;
        Ok(Created {
            id: r.id,
            number,
            created: false,
            fingerprint: r.request_fingerprint,
        })
    })
    .transpose()
}

/// The incident a reporter already filed under `key`, if any (so a retry skips the work).
pub async fn filed_with_key(
    db: impl PgExecutor<'_>,
    reporter_id: i64,
    key: uuid::Uuid,
) -> Result<Option<Created>, AppError> {
    by_key(db, reporter_id, key).await
}
