//! The reporter's side of the REST API: filing an incident, reading one, adding a message, and
//! the screenshots.
use crate::domain::accounts::Role;
use crate::domain::incident::views::IncidentDetail;
use crate::domain::report::ReportForm;
use crate::domain::{Field, Reason};
use crate::server::accounts::rest::Caller;
use crate::server::infra::limits::Kind;
use crate::server::infra::rest::idempotency_key;
use crate::server::infra::rest::ApiError;
use crate::server::infra::rest::{ErrorBody, Failures};
use crate::server::report::detail::IncidentRef;
use crate::server::report::intake::{self, Purpose};
use crate::server::report::screenshots;
use crate::server::report::service;
use crate::server::AppState;
use crate::AppError;
use axum::{
    extract::{multipart::MultipartRejection, Multipart, Path, State},
    http::{HeaderMap, StatusCode},
    response::Response,
    Json,
};
use serde::{Deserialize, Serialize};

/// The `incident` part of `POST /api/v1/incidents`.
#[derive(Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct IncidentJson {
    customer: CustomerJson,
    system: Option<String>,
    channel: Option<String>,
    occurred_at: Option<String>,
    urgency: Option<String>,
    description: Option<String>,
}

#[derive(Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct CustomerJson {
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

pub async fn detail(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<IncidentDetail, AppError> {
    crate::server::report::detail::visible(
        &state.pool,
        &caller.user,
        &IncidentRef::Id(id),
        caller.locale,
    )
    .await?
    .ok_or(AppError::NotFound)
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
        (status = 422, description = "Fields to correct (`customer.id_number`, `screenshots`, …)", body = ErrorBody),
        Failures))]
pub async fn create_incident(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<IncidentDetail>), ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    if caller.user.role != Role::Reporter {
        return Err(fail(AppError::Forbidden));
    }
    state
        .limits
        .check(Kind::Report, caller.user.id)
        .map_err(fail)?;
    let key = idempotency_key(&headers).map_err(fail)?;
    let multipart = multipart.map_err(|_| fail(AppError::BadRequest))?;
    let mut got = intake::receive(
        &state,
        &caller.user,
        multipart,
        Purpose::Report { header_key: key },
        |_| Ok(()),
    )
    .await
    .map_err(fail)?;
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
    let created = service::file(&state, &caller.user, &form, &got)
        .await
        .map_err(fail)?;
    let incident = detail(&state, &caller, created.id).await.map_err(fail)?;
    let status = if created.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(incident)))
}

/// `GET /api/v1/incidents/{id}`.
#[utoipa::path(get, path = "/incidents/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    responses((status = 200, description = "The incident as the caller may see it", body = IncidentDetail),
        (status = 404, description = "No such incident, or not one the caller may see", body = ErrorBody),
        Failures))]
pub async fn one_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<IncidentDetail>, ApiError> {
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
        (status = 422, description = "Fields to correct", body = ErrorBody),
        Failures))]
pub async fn add_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<IncidentDetail>), ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound))?;
    crate::server::report::detail::visible_id(&state.pool, &caller.user, &IncidentRef::Id(id))
        .await
        .map_err(fail)?
        .ok_or_else(|| fail(AppError::NotFound))?;
    // Before any file is read: only the incident's reporter writes messages.
    crate::server::report::messages::may_message(&state.pool, &caller.user, id)
        .await
        .map_err(fail)?;
    state
        .limits
        .check(Kind::Message, caller.user.id)
        .map_err(fail)?;
    let mut got = intake::receive(
        &state,
        &caller.user,
        multipart.map_err(|_| fail(AppError::BadRequest))?,
        Purpose::FollowUp,
        |_| Ok(()),
    )
    .await
    .map_err(fail)?;
    if let Some(refused) = got.refused.take() {
        return Err(fail(refused));
    }
    if let Some(Reason::FileTooLarge { max_mb }) = got.problem {
        return Err(fail(AppError::TooLarge { max_mb }));
    }
    let body = got.text(Field::Body.as_str()).unwrap_or_default();
    service::message(
        &state,
        &caller.user,
        id,
        body,
        &got,
        idempotency_key(&headers),
    )
    .await
    .map_err(fail)?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &caller, id).await.map_err(fail)?),
    ))
}

#[utoipa::path(get, path = "/screenshots/{id}", tag = "screenshots",
    params(("id" = i64, Path, description = "The screenshot's id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag the caller holds")),
    responses((status = 200, description = "The picture", content(("image/jpeg"), ("image/png")),
            headers(("ETag" = String), ("Cache-Control" = String, description = "`private, no-cache`"))),
        (status = 304, description = "Unchanged since the ETag"),
        (status = 404, description = "No such screenshot, or not one the caller may see", body = ErrorBody),
        Failures))]
pub async fn screenshot(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve_screenshot(state, caller, id, false, &headers).await
}

#[utoipa::path(get, path = "/screenshots/{id}/thumb", tag = "screenshots",
    params(("id" = i64, Path, description = "The screenshot's id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag the caller holds")),
    responses((status = 200, description = "Its 320 px thumbnail", content(("image/jpeg"), ("image/png")),
            headers(("ETag" = String), ("Cache-Control" = String, description = "`private, no-cache`"))),
        (status = 304, description = "Unchanged since the ETag"),
        (status = 404, description = "No such screenshot, or not one the caller may see", body = ErrorBody),
        Failures))]
pub async fn thumbnail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve_screenshot(state, caller, id, true, &headers).await
}

async fn serve_screenshot(
    state: AppState,
    caller: Caller,
    id: String,
    thumb: bool,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound))?;
    let if_none_match = headers
        .get(http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    screenshots::serve(&state, &caller.user, id, thumb, if_none_match)
        .await
        .map_err(fail)
}

/// A file part (a screenshot: JPEG, PNG, WebP or GIF, at most 10 MB).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // Describes the wire only.
pub struct Upload(Vec<u8>);

/// The multipart body of `POST /incidents`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Describes the wire only.
pub struct NewIncidentForm {
    /// The report, as JSON.
    incident: IncidentJson,
    /// Up to 9 screenshots.
    #[schema(inline, max_items = 9)]
    screenshots: Option<Vec<Upload>>,
}

/// The multipart body of `POST /incidents/{id}/messages`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Describes the wire only.
pub struct NewMessageForm {
    /// 1 to 2,000 characters.
    body: String,
    /// Up to 9 screenshots.
    #[schema(inline, max_items = 9)]
    screenshots: Option<Vec<Upload>>,
}
