//! The REST API under `/api/v1`, for integrations (the ITSM, scripts). Bearer token or session
//! cookie; JSON in and out; errors as `{"error": {"code", "message", "fields"}}`.
use super::{auth, db, locale::request_locale, AppState};
use crate::domain::incident::{Cursor, IncidentSummary, Page};
use crate::domain::user::CurrentUser;
use crate::error::reason_message;
use crate::i18n::Locale;
use crate::AppError;
use axum::{
    extract::{rejection::QueryRejection, FromRequestParts, Query, State},
    http::{request::Parts, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_sessions::Session;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/incidents", get(incidents))
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

#[derive(Deserialize)]
struct ListQuery {
    cursor: Option<String>,
}

/// `GET /api/v1/incidents[?cursor=…]`: a reporter's own incidents, or the desk's queue.
async fn incidents(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Page<IncidentSummary>>, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    // A malformed query string is answered in the API's JSON error shape, not axum's text.
    let Query(q) = query.map_err(|_| fail(AppError::BadRequest))?;
    let cursor = Cursor::parse_param(q.cursor.as_deref()).map_err(fail)?;
    let page = if caller.user.role.works_desk() {
        db::incidents::queue(&state.pool, cursor).await
    } else {
        db::incidents::for_reporter(&state.pool, caller.user.id, cursor).await
    };
    page.map(Json).map_err(fail)
}
