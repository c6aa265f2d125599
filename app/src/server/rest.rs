//! The REST API under `/api/v1`, for integrations (the ITSM, scripts). Bearer token or session
//! cookie; JSON in and out; errors as `{"error": {"code", "message", "fields"}}`.
use super::limits::Kind;
use super::{auth, db, db::incidents::IncidentRef, locale::request_locale, report, AppState};
use crate::domain::incident::{Cursor, IncidentDetail, IncidentSummary, MessageBody, Page, Status};
use crate::domain::report::ReportForm;
use crate::domain::queue::QueueQuery;
use crate::domain::user::Role;
use crate::domain::workflow::{Action, ActionRequest};
use crate::domain::{Field, FieldError, Reason};
use crate::domain::user::CurrentUser;
use crate::error::reason_message;
use crate::i18n::Locale;
use crate::AppError;
use axum::{
    extract::{multipart::MultipartRejection, rejection::{JsonRejection, QueryRejection}, DefaultBodyLimit, FromRequestParts, Multipart, Path, Query, State},
    http::{request::Parts, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// Every route of `router` (under `/api/v1`), by method: the authorization test's list.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/me"),
    ("GET", "/incidents"),
    ("POST", "/incidents"),
    ("GET", "/incidents/{id}"),
    ("POST", "/incidents/{id}/messages"),
    ("POST", "/incidents/{id}/actions"),
    ("GET", "/screenshots/{id}"),
    ("GET", "/screenshots/{id}/thumb"),
    ("GET", "/openapi.json"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/incidents", get(incidents).post(create_incident).layer(DefaultBodyLimit::disable()))
        .route("/incidents/{id}", get(one_incident))
        .route("/incidents/{id}/messages", post(add_message).layer(DefaultBodyLimit::disable()))
        .route("/incidents/{id}/actions", post(act))
        .route("/screenshots/{id}", get(screenshot))
        .route("/screenshots/{id}/thumb", get(thumbnail))
        .route("/openapi.json", get(openapi))
        .fallback(|caller: CallerLocale| async move { ApiError::new(AppError::NotFound, caller.0) })
}

/// An `AppError` answered as JSON in the caller's language.
pub struct ApiError {
    error: AppError,
    locale: Locale,
}

impl ApiError {
    pub fn new(error: AppError, locale: Locale) -> ApiError {
        ApiError { error, locale }
    }
}

/// What every failure of the API answers.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ErrorDetail {
    /// Stable: `validation`, `unauthorized`, `forbidden`, `cross_site`, `not_found`, `conflict`,
    /// `idempotency_key_reused`, `not_allowed_now`, `rate_limited`, `bad_request`, `too_large`,
    /// `internal`, …
    code: String,
    /// In the caller's language (`Accept-Language`, Chinese by default).
    message: String,
    /// For `validation`: each field's problem.
    fields: Vec<FieldProblem>,
    /// For `internal`: the request id, to quote.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    ref_id: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct FieldProblem {
    /// The input, as the API names it (`customer.id_number`, `screenshots`, `cursor`).
    field: String,
    code: String,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let fields = match &self.error {
            AppError::Validation { fields } => fields
                .iter()
                .map(|f| FieldProblem { field: f.field.as_str().to_owned(), code: f.reason.code().to_owned(), message: reason_message(f.reason, self.locale) })
                .collect(),
            _ => Vec::new(),
        };
        let ref_id = match &self.error {
            AppError::Internal { ref_id } => Some(ref_id.clone()),
            _ => None,
        };
        let body = ErrorBody { error: ErrorDetail { code: self.error.code().to_owned(), message: self.error.message(self.locale), fields, ref_id } };
        let status = StatusCode::from_u16(self.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(body)).into_response();
        if let AppError::RateLimited { retry_after_secs } = self.error {
            if let Ok(v) = http::HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(http::header::RETRY_AFTER, v);
            }
        }
        response
    }
}

/// The caller's language, for handlers that may fail before knowing who calls.
pub struct CallerLocale(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for CallerLocale {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(CallerLocale(request_locale(&parts.headers)))
    }
}

/// Who calls the API: the owner of a live bearer token, else the session's user.
pub struct Caller {
    pub user: CurrentUser,
    pub locale: Locale,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let locale = request_locale(&parts.headers);
        let fail = |error| ApiError::new(error, locale);
        let bearer = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let user = match bearer {
            Some(token) => db::tokens::user_for(&state.pool, token).await.map_err(fail)?,
            None => {
                let session = Session::from_request_parts(parts, state)
                    .await
                    .map_err(|_| fail(super::error::internal("session layer missing")))?;
                auth::session_user(state, &session).await.map_err(fail)?
            }
        };
        match user {
            Some(user) => Ok(Caller { user, locale }),
            None => Err(fail(AppError::Unauthorized)),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct Me {
    id: i64,
    login: String,
    display_name: String,
    role: crate::domain::user::Role,
}

/// `GET /api/v1/me`: who the token or session belongs to.
#[utoipa::path(get, path = "/me", tag = "accounts",
    responses((status = 200, description = "Who the token or session belongs to", body = Me), (status = 400, description = "A malformed request", body = ErrorBody),
        (status = 401, description = "Not signed in, or the token is unknown, revoked or expired", body = ErrorBody),
        (status = 429, description = "Past a limit of the account", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, description = "A failure on our side (`ref`: the request id)", body = ErrorBody)))]
async fn me(caller: Caller) -> Json<Me> {
    let u = caller.user;
    Json(Me { id: u.id, login: u.login, display_name: u.display_name, role: u.role })
}

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
        (status = 422, description = "A filter that is not one", body = ErrorBody), (status = 400, description = "A malformed request", body = ErrorBody),
        (status = 401, description = "Not signed in, or the token is unknown, revoked or expired", body = ErrorBody),
        (status = 429, description = "Past a limit of the account", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, description = "A failure on our side (`ref`: the request id)", body = ErrorBody)))]
async fn incidents(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Json<Page<IncidentSummary>>, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    // A malformed query string is answered in the API's JSON error shape, not axum's text.
    let Query(q) = query.map_err(|_| fail(AppError::BadRequest))?;
    if caller.user.role != Role::Reporter {
        let filter = q.parse().map_err(|f| fail(AppError::fields(f)))?;
        return db::desk::queue(&state.pool, &caller.user, &filter, caller.locale).await.map(Json).map_err(fail);
    }
    let cursor = Cursor::parse_param(q.cursor.as_deref()).map_err(fail)?;
    let status = q
        .status
        .filter(|s| !s.is_empty())
        .map(|s| Status::parse(&s).map_err(|r| fail(AppError::field(Field::Status, r))))
        .transpose()?;
    db::incidents::for_reporter(&state.pool, caller.user.id, status, cursor, caller.locale).await.map(Json).map_err(fail)
}

/// The `incident` part of `POST /api/v1/incidents`.
#[derive(Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
struct IncidentJson {
    customer: CustomerJson,
    system: Option<String>,
    channel: Option<String>,
    occurred_at: Option<String>,
    urgency: Option<String>,
    description: Option<String>,
}

#[derive(Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
struct CustomerJson {
    name: Option<String>,
    customer_no: Option<String>,
    id_type: Option<String>,
    id_number: Option<String>,
    phone: Option<String>,
}

impl IncidentJson {
    fn into_form(self, key: uuid::Uuid) -> ReportForm {
        let c = self.customer;
        ReportForm {
            customer_name: c.name.unwrap_or_default(),
            customer_no: c.customer_no.unwrap_or_default(),
            id_type: c.id_type.unwrap_or_default(),
            id_number: c.id_number.unwrap_or_default(),
            phone: c.phone.unwrap_or_default(),
            system: self.system.unwrap_or_default(),
            channel: self.channel.unwrap_or_default(),
            occurred_at: self.occurred_at.unwrap_or_default(),
            urgency: self.urgency.unwrap_or_default(),
            description: self.description.unwrap_or_default(),
            idempotency_key: key.to_string(),
        }
    }
}

/// The `Idempotency-Key` header: a UUID, or absent (then every call makes a new incident).
fn idempotency_key(headers: &HeaderMap) -> Result<Option<uuid::Uuid>, AppError> {
    headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str().ok().and_then(|k| uuid::Uuid::parse_str(k.trim()).ok()).ok_or_else(|| AppError::field(Field::IdempotencyKey, Reason::UnknownValue))
        })
        .transpose()
}

async fn detail(state: &AppState, caller: &Caller, id: i64) -> Result<IncidentDetail, AppError> {
    db::incidents::visible(&state.pool, &caller.user, &IncidentRef::Id(id), caller.locale).await?.ok_or(AppError::NotFound)
}

/// `POST /api/v1/incidents`: multipart, a JSON part `incident` and file parts `screenshots`.
/// 201 with the incident; 200 with the same incident for a repeated `Idempotency-Key`.
#[utoipa::path(post, path = "/incidents", tag = "incidents",
    params(("Idempotency-Key" = Option<String>, Header, description = "A UUID: the same request again under the same key files nothing new")),
    request_body(content = NewIncidentForm, content_type = "multipart/form-data"),
    responses((status = 201, description = "Filed", body = IncidentDetail),
        (status = 200, description = "The same request again: the incident it filed", body = IncidentDetail),
        (status = 403, description = "Only reporters file reports", body = ErrorBody),
        (status = 409, description = "`idempotency_key_reused`: the key filed a different report", body = ErrorBody),
        (status = 413, description = "A file over 10 MB", body = ErrorBody),
        (status = 422, description = "Fields to correct (`customer.id_number`, `screenshots`, …)", body = ErrorBody), (status = 400, description = "A malformed request", body = ErrorBody),
        (status = 401, description = "Not signed in, or the token is unknown, revoked or expired", body = ErrorBody),
        (status = 429, description = "Past a limit of the account", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, description = "A failure on our side (`ref`: the request id)", body = ErrorBody)))]
async fn create_incident(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<IncidentDetail>), ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    if caller.user.role != Role::Reporter {
        return Err(fail(AppError::Forbidden));
    }
    state.limits.check(Kind::Report, caller.user.id).map_err(fail)?;
    let key = idempotency_key(&headers).map_err(fail)?;
    let multipart = multipart.map_err(|_| fail(AppError::BadRequest))?;
    let mut got = report::receive(&state, &caller.user, multipart, key, |_| Ok(())).await.map_err(fail)?;
    if let Some(refused) = got.refused.take() {
        return Err(fail(refused));
    }
    if let Some(Reason::FileTooLarge { max_mb }) = got.problem {
        return Err(fail(AppError::TooLarge { max_mb }));
    }
    let json: IncidentJson = match got.text("incident") {
        Some(text) => serde_json::from_str(text).map_err(|_| fail(AppError::BadRequest))?,
        None => return Err(fail(AppError::field(Field::Description, Reason::Required))),
    };
    let form = json.into_form(key.unwrap_or_else(uuid::Uuid::new_v4));
    let created = report::file(&state, &caller.user, &form, &got).await.map_err(fail)?;
    let incident = detail(&state, &caller, created.id).await.map_err(fail)?;
    let status = if created.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(incident)))
}

/// `GET /api/v1/incidents/{id}`.
#[utoipa::path(get, path = "/incidents/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    responses((status = 200, description = "The incident as the caller may see it", body = IncidentDetail),
        (status = 404, description = "No such incident, or not one the caller may see", body = ErrorBody), (status = 400, description = "A malformed request", body = ErrorBody),
        (status = 401, description = "Not signed in, or the token is unknown, revoked or expired", body = ErrorBody),
        (status = 429, description = "Past a limit of the account", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, description = "A failure on our side (`ref`: the request id)", body = ErrorBody)))]
async fn one_incident(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<IncidentDetail>, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound))?;
    detail(&state, &caller, id).await.map(Json).map_err(fail)
}

/// `POST /api/v1/incidents/{id}/messages`: multipart, a text part `body` and file parts
/// `screenshots`. 201 with the incident.
#[utoipa::path(post, path = "/incidents/{id}/messages", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "A UUID: the same key adds the message once")),
    request_body(content = NewMessageForm, content_type = "multipart/form-data"),
    responses((status = 201, description = "Added: the incident", body = IncidentDetail),
        (status = 403, description = "Only the incident's reporter writes messages", body = ErrorBody),
        (status = 404, description = "No such incident, or not one the caller may see", body = ErrorBody),
        (status = 413, description = "A file over 10 MB", body = ErrorBody),
        (status = 422, description = "Fields to correct", body = ErrorBody), (status = 400, description = "A malformed request", body = ErrorBody),
        (status = 401, description = "Not signed in, or the token is unknown, revoked or expired", body = ErrorBody),
        (status = 429, description = "Past a limit of the account", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, description = "A failure on our side (`ref`: the request id)", body = ErrorBody)))]
async fn add_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<IncidentDetail>), ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound))?;
    db::incidents::visible_id(&state.pool, &caller.user, &IncidentRef::Id(id)).await.map_err(fail)?.ok_or_else(|| fail(AppError::NotFound))?;
    // Before any file is read: only the incident's reporter writes messages.
    db::incidents::may_message(&state.pool, &caller.user, id).await.map_err(fail)?;
    state.limits.check(Kind::Message, caller.user.id).map_err(fail)?;
    let mut got = report::receive(&state, &caller.user, multipart.map_err(|_| fail(AppError::BadRequest))?, None, |_| Ok(())).await.map_err(fail)?;
    if let Some(refused) = got.refused.take() {
        return Err(fail(refused));
    }
    if let Some(Reason::FileTooLarge { max_mb }) = got.problem {
        return Err(fail(AppError::TooLarge { max_mb }));
    }
    let body = MessageBody::parse(got.text(Field::Body.as_str()).unwrap_or_default());
    let body = match (body, got.screenshot_error()) {
        (Ok(body), None) => body,
        (body, shot) => {
            let fields = body.err().map(|reason| FieldError { field: Field::Body, reason }).into_iter().chain(shot).collect();
            return Err(fail(AppError::fields(fields)));
        }
    };
    let key = idempotency_key(&headers).map_err(fail)?;
    db::incidents::add_message(&state.pool, &caller.user, id, &body, &got.screenshots, key).await.map_err(fail)?;
    Ok((StatusCode::CREATED, Json(detail(&state, &caller, id).await.map_err(fail)?)))
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
        (status = 422, description = "`not_allowed_now` in its state, or `validation`", body = ErrorBody), (status = 400, description = "A malformed request", body = ErrorBody),
        (status = 401, description = "Not signed in, or the token is unknown, revoked or expired", body = ErrorBody),
        (status = 429, description = "Past a limit of the account", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, description = "A failure on our side (`ref`: the request id)", body = ErrorBody)))]
async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<ActionRequest>, JsonRejection>,
) -> Result<Json<IncidentDetail>, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound))?;
    state.limits.check(Kind::Action, caller.user.id).map_err(fail)?;
    let Json(request) = body.map_err(|_| fail(AppError::BadRequest))?;
    let (action, version) = Action::parse_versioned(&request).map_err(|f| fail(AppError::fields(f)))?;
    db::desk::act(&state.pool, &caller.user, id, version, &action, &[]).await.map_err(fail)?;
    detail(&state, &caller, id).await.map(Json).map_err(fail)
}

#[utoipa::path(get, path = "/screenshots/{id}", tag = "screenshots",
    params(("id" = i64, Path, description = "The screenshot's id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag the caller holds")),
    responses((status = 200, description = "The picture", content(("image/jpeg"), ("image/png")),
            headers(("ETag" = String), ("Cache-Control" = String, description = "`private, no-cache`"))),
        (status = 304, description = "Unchanged since the ETag"),
        (status = 404, description = "No such screenshot, or not one the caller may see", body = ErrorBody), (status = 400, description = "A malformed request", body = ErrorBody),
        (status = 401, description = "Not signed in, or the token is unknown, revoked or expired", body = ErrorBody),
        (status = 429, description = "Past a limit of the account", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, description = "A failure on our side (`ref`: the request id)", body = ErrorBody)))]
async fn screenshot(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    serve_screenshot(state, caller, id, false, &headers).await
}

#[utoipa::path(get, path = "/screenshots/{id}/thumb", tag = "screenshots",
    params(("id" = i64, Path, description = "The screenshot's id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag the caller holds")),
    responses((status = 200, description = "Its 320 px thumbnail", content(("image/jpeg"), ("image/png")),
            headers(("ETag" = String), ("Cache-Control" = String, description = "`private, no-cache`"))),
        (status = 304, description = "Unchanged since the ETag"),
        (status = 404, description = "No such screenshot, or not one the caller may see", body = ErrorBody), (status = 400, description = "A malformed request", body = ErrorBody),
        (status = 401, description = "Not signed in, or the token is unknown, revoked or expired", body = ErrorBody),
        (status = 429, description = "Past a limit of the account", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, description = "A failure on our side (`ref`: the request id)", body = ErrorBody)))]
async fn thumbnail(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    serve_screenshot(state, caller, id, true, &headers).await
}

async fn serve_screenshot(state: AppState, caller: Caller, id: String, thumb: bool, headers: &HeaderMap) -> Result<Response, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound))?;
    let if_none_match = headers.get(http::header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    report::serve(&state, &caller.user, id, thumb, if_none_match).await.map_err(fail)
}

/// `GET /api/v1/openapi.json`: this API, described from the handlers' and the payloads' own
/// types (`ApiDoc`), so it cannot drift from them.
#[utoipa::path(get, path = "/openapi.json", tag = "api", security(()),
    responses((status = 200, description = "This description (OpenAPI 3.1)", content_type = "application/json")))]
async fn openapi() -> impl IntoResponse {
    static DOCUMENT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use utoipa::OpenApi;
        ApiDoc::openapi().to_pretty_json().unwrap_or_else(|_| "{}".to_owned())
    });
    ([(http::header::CONTENT_TYPE, "application/json")], DOCUMENT.as_str())
}

/// A file part (a screenshot: JPEG, PNG, WebP or GIF, at most 10 MB).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // Describes the wire only.
struct Upload(Vec<u8>);

/// The multipart body of `POST /incidents`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Describes the wire only.
struct NewIncidentForm {
    /// The report, as JSON.
    incident: IncidentJson,
    /// Up to 9 screenshots.
    #[schema(inline, max_items = 9)]
    screenshots: Option<Vec<Upload>>,
}

/// The multipart body of `POST /incidents/{id}/messages`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Describes the wire only.
struct NewMessageForm {
    /// 1 to 2,000 characters.
    body: String,
    /// Up to 9 screenshots.
    #[schema(inline, max_items = 9)]
    screenshots: Option<Vec<Upload>>,
}

/// Bearer tokens (`mss token create`) and the browser's session cookie.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
        components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("mss_session"))));
    }
}

/// The REST API, described.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "MSS REST API", version = "1", description = "Incidents for integrations (the ITSM, scripts). JSON in and out; errors as `ErrorBody`."),
    servers((url = "/api/v1")),
    paths(me, incidents, create_incident, one_incident, add_message, act, screenshot, thumbnail, openapi),
    modifiers(&Security),
    security(("bearer" = []), ("session" = []))
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::OpenApi;

    #[test]
    fn the_description_names_every_route_and_only_those() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let described: std::collections::BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |method| (method.to_uppercase(), path.clone())))
            .collect();
        let routed: std::collections::BTreeSet<(String, String)> = ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
        assert_eq!(described, routed);
        // Files are sent as files (schemathesis and code generators read `format: binary`).
        let form = &doc["components"]["schemas"]["NewIncidentForm"]["properties"]["screenshots"];
        assert!(form.to_string().contains("binary"), "{form}");
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
