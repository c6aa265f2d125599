//! The REST API under `/api/v1`, for integrations (the ITSM, scripts). Bearer token or session
//! cookie; JSON in and out; errors as `{"error": {"code", "message", "fields"}}`.
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
use serde_json::json;
use tower_sessions::Session;

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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let fields: Vec<_> = match &self.error {
            AppError::Validation { fields } => fields
                .iter()
                .map(|f| {
                    json!({
                        "field": f.field.as_str(),
                        "code": f.reason.code(),
                        "message": reason_message(f.reason, self.locale),
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut body = json!({
            "error": { "code": self.error.code(), "message": self.error.message(self.locale), "fields": fields }
        });
        if let AppError::Internal { ref_id } = &self.error {
            body["error"]["ref"] = json!(ref_id);
        }
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

#[derive(Serialize)]
struct Me {
    id: i64,
    login: String,
    display_name: String,
    role: crate::domain::user::Role,
}

/// `GET /api/v1/me`: who the token or session belongs to.
async fn me(caller: Caller) -> Json<Me> {
    let u = caller.user;
    Json(Me { id: u.id, login: u.login, display_name: u.display_name, role: u.role })
}

/// `GET /api/v1/incidents[?status=…&cursor=…]`: a reporter's own incidents; for the team, the
/// desk's queue with its filters (`status`, `category`, `system`, `priority`, `assignee`,
/// `group`, `sla`, `from`, `to`, `q`, `sort`).
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
#[derive(Deserialize, Default)]
#[serde(default)]
struct IncidentJson {
    customer: CustomerJson,
    system: Option<String>,
    channel: Option<String>,
    occurred_at: Option<String>,
    urgency: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize, Default)]
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
    let key = idempotency_key(&headers).map_err(fail)?;
    let multipart = multipart.map_err(|_| fail(AppError::BadRequest))?;
    let got = report::receive(&state, &caller.user, multipart, key).await.map_err(fail)?;
    if let Some(Reason::FileTooLarge { max_mb }) = got.problem {
        return Err(fail(AppError::TooLarge { max_mb }));
    }
    let created = match got.already.clone() {
        Some(done) => done,
        None => {
            let json: IncidentJson = match got.text("incident") {
                Some(text) => serde_json::from_str(text).map_err(|_| fail(AppError::BadRequest))?,
                None => return Err(fail(AppError::field(Field::Description, Reason::Required))),
            };
            let form = json.into_form(key.unwrap_or_else(uuid::Uuid::new_v4));
            let parsed = form.parse(&state.settings.report_rules, chrono::Utc::now());
            let new = match (parsed, got.screenshot_error()) {
                (Ok(new), None) => new,
                (parsed, shot) => {
                    let fields: Vec<FieldError> = parsed.err().unwrap_or_default().into_iter().chain(shot).collect();
                    return Err(fail(AppError::fields(fields)));
                }
            };
            db::incidents::create(&state.pool, caller.user.id, &new, &got.screenshots).await.map_err(fail)?
        }
    };
    let incident = detail(&state, &caller, created.id).await.map_err(fail)?;
    let status = if created.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(incident)))
}

/// `GET /api/v1/incidents/{id}`.
async fn one_incident(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<IncidentDetail>, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound))?;
    detail(&state, &caller, id).await.map(Json).map_err(fail)
}

/// `POST /api/v1/incidents/{id}/messages`: multipart, a text part `body` and file parts
/// `screenshots`. 201 with the incident.
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
    let got = report::receive(&state, &caller.user, multipart.map_err(|_| fail(AppError::BadRequest))?, None).await.map_err(fail)?;
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
async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<ActionRequest>, JsonRejection>,
) -> Result<Json<IncidentDetail>, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound))?;
    let Json(request) = body.map_err(|_| fail(AppError::BadRequest))?;
    let (action, version) = Action::parse_versioned(&request).map_err(|f| fail(AppError::fields(f)))?;
    db::desk::act(&state.pool, &caller.user, id, version, &action, &[]).await.map_err(fail)?;
    detail(&state, &caller, id).await.map(Json).map_err(fail)
}

async fn screenshot(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Response, ApiError> {
    serve_screenshot(state, caller, id, false).await
}

async fn thumbnail(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Response, ApiError> {
    serve_screenshot(state, caller, id, true).await
}

async fn serve_screenshot(state: AppState, caller: Caller, id: String, thumb: bool) -> Result<Response, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound))?;
    report::serve(&state, &caller.user, id, thumb).await.map_err(fail)
}

/// `GET /api/v1/openapi.json`: this API, described.
async fn openapi() -> impl IntoResponse {
    ([(http::header::CONTENT_TYPE, "application/json")], include_str!("openapi.json"))
}
