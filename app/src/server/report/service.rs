//! Filing a report and adding a message: one function each, for the form and the REST API alike.
use crate::domain::accounts::CurrentUser;
use crate::domain::incident::MessageBody;
use crate::domain::report::ReportForm;
use crate::domain::{Field, FieldError};
use crate::server::report::intake::Received;
use crate::server::AppState;
use crate::AppError;
use sha2::{Digest, Sha256};

/// What a report request carried, as SHA-256: every field as typed (but the idempotency key)
/// and each attachment in order. A retry (a double tap, the offline queue, a replayed API call)
/// sends the same; another report under the same key does not.
pub fn fingerprint(form: &ReportForm, attachments: &[[u8; 32]]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"mss-report-1");
    let f = form;
    for value in [
        &f.customer_name,
        &f.customer_no,
        &f.id_type,
        &f.id_number,
        &f.phone,
        &f.system,
        &f.channel,
        &f.occurred_at,
        &f.urgency,
        &f.description,
    ] {
        h.update((value.len() as u64).to_le_bytes());
        h.update(value.as_bytes());
    }
    for attachment in attachments {
        h.update(attachment);
    }
    h.finalize().to_vec()
}

/// Files the report `form` and `got` carried, once: the same request again gives the incident it
/// made; another report under a used key is refused (`KeyReused`), whatever path it came by.
pub async fn file(
    state: &AppState,
    reporter: &CurrentUser,
    form: &ReportForm,
    got: &Received,
) -> Result<crate::server::report::filing::Created, AppError> {
    let print = fingerprint(form, &got.attachments);
    if let Some(done) = got.already.clone() {
        return done.for_request(&print);
    }
    let new = got.checked(form.parse(&state.settings.report_rules, chrono::Utc::now()))?;
    let created = crate::server::report::filing::create(
        &state.pool,
        reporter.id,
        &new,
        &got.screenshots,
        &print,
    )
    .await?;
    if created.created {
        tracing::info!(incident = %created.number, reporter = reporter.id, screenshots = got.screenshots.len(), "incident reported");
    }
    Ok(created)
}

/// Adds the message `body` and the screenshots `got` carried to an incident, from `author` (who
/// was checked to be its reporter before any file was read): once per idempotency `key`. A bad
/// key is reported after the fields.
pub async fn message(
    state: &AppState,
    author: &CurrentUser,
    incident_id: i64,
    body: &str,
    got: &Received,
    key: Result<Option<uuid::Uuid>, AppError>,
) -> Result<(), AppError> {
    let body = got.checked(MessageBody::parse(body).map_err(|reason| {
        vec![FieldError {
            field: Field::Body,
            reason,
        }]
    }))?;
    crate::server::report::messages::add_message(
        &state.pool,
        author,
        incident_id,
        &body,
        &got.screenshots,
        key?,
    )
    .await
    .map(|_| ())
}
