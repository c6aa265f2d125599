//! The desk's side of the REST API: the list (a reporter's own incidents, the team's queue) and
//! the workflow actions.
use crate::domain::accounts::Role;
use crate::domain::desk::QueueQuery;
use crate::domain::incident::views::{Cursor, IncidentDetail, IncidentSummary, Page};
use crate::domain::incident::workflow::{Action, ActionRequest};
use crate::domain::incident::Status;
use crate::domain::Field;
use crate::server::accounts::rest::Caller;
use crate::server::infra::limits::Kind;
use crate::server::infra::rest::ApiError;
use crate::server::infra::rest::{ErrorBody, Failures};
use crate::server::report::rest::detail;
use crate::server::AppState;
use crate::AppError;
use axum::{
    extract::{
        rejection::{JsonRejection, QueryRejection},
        Path, Query, State,
    },
    Json,
};

/// `GET /api/v1/incidents[?status=…&cursor=…]`: a reporter's own incidents; for the team, the
/// desk's queue with its filters (`status`, `category`, `system`, `priority`, `assignee`,
/// `group`, `sla`, `from`, `to`, `q`, `sort`).
#[utoipa::path(get, path = "/incidents", tag = "incidents",
    params(
        ("status" = Option<String>, Query, description = "A state (`new`, `in_progress`, `transferred`, `answered`, `closed`, `merged`); for the team also `open` (default) or `all`"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the page before"),
        ("category" = Option<String>, Query, description = "Team: `data`, `program`, `consultation`"),
        ("system" = Option<String>, Query, description = "Team: a system's code"),
        ("priority" = Option<String>, Query, description = "Team: `P1`..`P4`"),
        ("assignee" = Option<String>, Query, description = "Team: `me`, `unassigned` or a login"),
        ("group" = Option<String>, Query, description = "Team: a transfer group's code"),
        ("sla" = Option<String>, Query, description = "Team: `on_track`, `due_soon`, `late`"),
        ("from" = Option<String>, Query, description = "Team: first business day, `2026-11-01` (2000–9999)"),
        ("to" = Option<String>, Query, description = "Team: last business day, `2026-11-30` (2000–9999)"),
        ("q" = Option<String>, Query, description = "Team: an incident number, a customer number, a name or words of the description"),
        ("sort" = Option<String>, Query, description = "Team: `newest`, `oldest`, `priority`, `due`"),
    ),
    responses((status = 200, description = "A reporter's own incidents, or the team's queue; 20 a page", body = Page<IncidentSummary>),
        (status = 403, description = "Not for this role", body = ErrorBody),
        (status = 422, description = "A filter that is not one", body = ErrorBody),
        Failures))]
pub async fn incidents(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Json<Page<IncidentSummary>>, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    // A malformed query string is answered in the API's JSON error shape, not axum's text.
    let Query(q) = query.map_err(|_| fail(AppError::BadRequest))?;
    if caller.user.role != Role::Reporter {
        let filter = q.parse().map_err(|f| fail(AppError::fields(f)))?;
        return crate::server::desk::queue::queue(
            &state.pool,
            &caller.user,
            &filter,
            caller.locale,
        )
        .await
        .map(Json)
        .map_err(fail);
    }
    let cursor = Cursor::parse_param(q.cursor.as_deref()).map_err(fail)?;
    let status = q
        .status
        .filter(|s| !s.is_empty())
        .map(|s| Status::parse(&s).map_err(|r| fail(AppError::field(Field::Status, r))))
        .transpose()?;
    crate::server::report::list::for_reporter(
        &state.pool,
        caller.user.id,
        status,
        cursor,
        caller.locale,
    )
    .await
    .map(Json)
    .map_err(fail)
}

/// `POST /api/v1/incidents/{id}/actions`: one workflow action, JSON
/// (`{"action": "claim", "version": 3, …}`). 200 with the incident; 409 when `version` is stale;
/// 403 for an action the caller may never take, 404 for an incident they may not see; 422 for
/// an action its state does not allow, or a field it needs.
#[utoipa::path(post, path = "/incidents/{id}/actions", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body(content = ActionRequest, content_type = "application/json"),
    responses((status = 200, description = "Done: the incident", body = IncidentDetail),
        (status = 403, description = "An action the caller may never take", body = ErrorBody),
        (status = 404, description = "No such incident, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "`conflict`: the incident changed since `version`", body = ErrorBody),
        (status = 422, description = "`not_allowed_now` in its state, or `validation`", body = ErrorBody),
        Failures))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<ActionRequest>, JsonRejection>,
) -> Result<Json<IncidentDetail>, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound))?;
    state
        .limits
        .check(Kind::Action, caller.user.id)
        .map_err(fail)?;
    let Json(request) = body.map_err(|_| fail(AppError::BadRequest))?;
    let (action, version) =
        Action::parse_versioned(&request).map_err(|f| fail(AppError::fields(f)))?;
    crate::server::desk::actions::act(&state.pool, &caller.user, id, version, &action, &[])
        .await
        .map_err(fail)?;
    detail(&state, &caller, id).await.map(Json).map_err(fail)
}
