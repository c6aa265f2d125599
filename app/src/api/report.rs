use crate::domain::incident::views::SystemOption;
use crate::domain::incident::views::{IncidentDetail, IncidentSummary, Page, Screenshot};
use crate::domain::report::{ReportForm, ReportRules};
use crate::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Everything the report form page needs: the form (empty with a fresh idempotency key, or as a
/// refused plain post left it, with its error and screenshots), the rules the browser checks
/// by, and the systems to pick from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFormPage {
    pub form: ReportForm,
    pub error: Option<AppError>,
    pub screenshots: Vec<Screenshot>,
    pub rules: ReportRules,
    pub systems: Vec<SystemOption>,
}

#[server(endpoint = "incidents/form")]
pub async fn new_report() -> Result<ReportFormPage, AppError> {
    use crate::domain::report::datetime_local;
    use crate::server::accounts::auth;
    use crate::server::infra::forms;
    use crate::server::infra::locale;
    use crate::server::infra::state::app_state;
    use crate::server::report;
    let reporter = auth::require(auth::REPORTER).await?;
    let state = app_state()?;
    let kept: Option<report::forms::KeptReport> = forms::kept(report::forms::REPORT_FORM).await?;
    let kept = kept.unwrap_or_else(|| report::forms::KeptReport {
        form: ReportForm {
            idempotency_key: uuid::Uuid::new_v4().to_string(),
            occurred_at: datetime_local(chrono::Utc::now()),
            ..Default::default()
        },
        ..Default::default()
    });
    Ok(ReportFormPage {
        screenshots: report::screenshots::kept_screenshots(&state, &reporter, &kept.screenshots)
            .await?,
        form: kept.form,
        error: kept.error,
        rules: state.settings.report_rules,
        systems: crate::server::report::filing::systems(&state.pool, locale::current()).await?,
    })
}

/// The reporter's own incidents, newest first, optionally of one status.
#[server(endpoint = "incidents/mine")]
pub async fn my_incidents(
    status: Option<String>,
    cursor: Option<String>,
) -> Result<Page<IncidentSummary>, AppError> {
    use crate::domain::incident::views::Cursor;
    use crate::domain::incident::Status;
    use crate::domain::Field;
    use crate::server::accounts::auth;
    use crate::server::infra::locale;
    use crate::server::infra::state::app_state;
    let reporter = auth::require(auth::REPORTER).await?;
    let cursor = Cursor::parse_param(cursor.as_deref())?;
    let status = status
        .filter(|s| !s.is_empty())
        .map(|s| Status::parse(&s).map_err(|r| AppError::field(Field::Status, r)))
        .transpose()?;
    crate::server::report::list::for_reporter(
        &app_state()?.pool,
        reporter.id,
        status,
        cursor,
        locale::current(),
    )
    .await
}

/// One incident, for its reporter or the desk; `NotFound` for anyone else.
#[server(endpoint = "incidents/get")]
pub async fn incident(number: String) -> Result<IncidentDetail, AppError> {
    use crate::server::accounts::auth;
    let viewer = auth::require(auth::ANYONE).await?;
    read(&viewer, &number).await
}

/// An incident's thread, for a live page to show what changed.
#[server(endpoint = "incidents/thread")]
pub async fn incident_thread(
    number: String,
) -> Result<crate::domain::incident::views::Thread, AppError> {
    use crate::server::accounts::auth;
    let viewer = auth::require(auth::ANYONE).await?;
    let detail = read(&viewer, &number).await?;
    Ok(crate::domain::incident::views::Thread {
        entries: detail.timeline,
        team_read_upto: detail.team_read_upto,
        version: detail.version,
    })
}

/// Loads an incident `viewer` may see, and records that they have read its thread.
#[cfg(feature = "ssr")]
async fn read(
    viewer: &crate::domain::accounts::CurrentUser,
    number: &str,
) -> Result<IncidentDetail, AppError> {
    use crate::domain::incident::IncidentNumber;
    use crate::server::infra::locale;
    use crate::server::infra::state::app_state;
    use crate::server::notify::live;
    use crate::server::report::detail::IncidentRef;
    let number = IncidentNumber::parse(number).map_err(|_| AppError::NotFound)?;
    let pool = app_state()?.pool;
    let detail = crate::server::report::detail::visible(
        &pool,
        viewer,
        &IncidentRef::Number(number),
        locale::current(),
    )
    .await?
    .ok_or(AppError::NotFound)?;
    live::seen(&pool, viewer, &detail).await?;
    Ok(detail)
}

/// The follow-up message form of an incident's page: what a refused plain post left, or empty
/// with a fresh idempotency key. `(body, key)`.
#[server(endpoint = "incidents/message_form")]
pub async fn message_form(number: String) -> Result<(String, String), AppError> {
    use crate::domain::incident::IncidentNumber;
    use crate::server::accounts::auth;
    use crate::server::infra::forms;
    use crate::server::infra::state::app_state;
    use crate::server::report::detail::IncidentRef;
    use crate::server::report::forms::{KeptMessage, MESSAGE_FORM};
    let viewer = auth::require(auth::ANYONE).await?;
    // No form for an incident the viewer cannot see.
    let parsed = IncidentNumber::parse(&number).map_err(|_| AppError::NotFound)?;
    crate::server::report::detail::visible_id(
        &app_state()?.pool,
        &viewer,
        &IncidentRef::Number(parsed),
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let kept: Option<KeptMessage> = forms::kept(MESSAGE_FORM).await?;
    Ok(
        match kept.filter(|k| k.number.eq_ignore_ascii_case(number.trim())) {
            Some(k) => (k.body, k.idempotency_key),
            None => (String::new(), uuid::Uuid::new_v4().to_string()),
        },
    )
}

/// The reporter's answer to a solution: `solved` closes the incident (with an optional rating
/// of 1 to 5 and a comment in `body`); otherwise it goes back to the team with `body`, what is
/// still wrong.
#[server(endpoint = "incidents/settle")]
pub async fn settle(
    number: String,
    version: i32,
    solved: bool,
    body: Option<String>,
    rating: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::incident::workflow::{Action, ActionRequest};
    use crate::domain::incident::IncidentNumber;
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    use crate::server::report::detail::IncidentRef;
    let reporter = auth::require(auth::REPORTER).await?;
    let state = app_state()?;
    state
        .limits
        .check(crate::server::infra::limits::Kind::Action, reporter.id)?;
    let parsed = IncidentNumber::parse(&number).map_err(|_| AppError::NotFound)?;
    let request = ActionRequest {
        action: if solved { "close" } else { "reopen" }.to_owned(),
        body,
        rating,
        ..Default::default()
    };
    let action = Action::parse(&request).map_err(AppError::fields)?;
    let pool = state.pool;
    let id = crate::server::report::detail::visible_id(
        &pool,
        &reporter,
        &IncidentRef::Number(parsed.clone()),
    )
    .await?
    .ok_or(AppError::NotFound)?;
    crate::server::desk::actions::act(&pool, &reporter, id, version, &action, &[]).await?;
    leptos_axum::redirect(&crate::paths::incident(parsed.as_str()));
    Ok(())
}
