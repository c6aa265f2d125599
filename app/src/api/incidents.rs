use crate::domain::incident::{IncidentDetail, IncidentSummary, NewIncidentForm, Page};
use crate::AppError;
use leptos::prelude::*;

/// The report form to show: what a failed plain post left, or an empty one with a fresh
/// idempotency key (made now, when the form is opened).
#[server(endpoint = "incidents/form")]
pub async fn report_form() -> Result<NewIncidentForm, AppError> {
    use crate::server::{auth, forms};
    auth::require(auth::REPORTER).await?;
    let kept: Option<NewIncidentForm> = forms::kept("report").await?;
    Ok(kept.unwrap_or_else(|| NewIncidentForm {
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        ..Default::default()
    }))
}

/// Files a report; the same idempotency key always answers with the same incident number.
#[server(endpoint = "incidents/create")]
pub async fn create_incident(#[server(flatten)] form: NewIncidentForm) -> Result<String, AppError> {
    use crate::server::{auth, db, forms, state::app_state};
    let reporter = auth::require(auth::REPORTER).await?;
    let new = match form.parse() {
        Ok(new) => new,
        Err(fields) => {
            forms::keep_for_retry("report", &form).await?;
            return Err(AppError::fields(fields));
        }
    };
    let number = db::incidents::create(&app_state()?.pool, reporter.id, &new).await?;
    forms::forget("report").await?;
    tracing::info!(incident = %number, reporter = reporter.id, "incident reported");
    leptos_axum::redirect(&format!("/report/submitted/{number}"));
    Ok(number.to_string())
}

/// The reporter's own incidents, newest first.
#[server(endpoint = "incidents/mine")]
pub async fn my_incidents(cursor: Option<String>) -> Result<Page<IncidentSummary>, AppError> {
    use crate::domain::incident::Cursor;
    use crate::server::{auth, db, state::app_state};
    let reporter = auth::require(auth::REPORTER).await?;
    let cursor = Cursor::parse_param(cursor.as_deref())?;
    db::incidents::for_reporter(&app_state()?.pool, reporter.id, cursor).await
}

/// The desk's queue of new incidents, newest first.
#[server(endpoint = "incidents/queue")]
pub async fn desk_queue(cursor: Option<String>) -> Result<Page<IncidentSummary>, AppError> {
    use crate::domain::incident::Cursor;
    use crate::server::{auth, db, state::app_state};
    auth::require(auth::DESK).await?;
    let cursor = Cursor::parse_param(cursor.as_deref())?;
    db::incidents::queue(&app_state()?.pool, cursor).await
}

/// One incident, for its reporter or the desk; `NotFound` for anyone else.
#[server(endpoint = "incidents/get")]
pub async fn incident(number: String) -> Result<IncidentDetail, AppError> {
    use crate::domain::incident::IncidentNumber;
    use crate::server::{auth, db, state::app_state};
    let viewer = auth::require(auth::ANYONE).await?;
    let number = IncidentNumber::parse(&number).map_err(|_| AppError::NotFound)?;
    db::incidents::visible(&app_state()?.pool, &viewer, &number).await?.ok_or(AppError::NotFound)
}
