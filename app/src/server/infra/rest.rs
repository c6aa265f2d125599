//! The REST API under `/api/v1`, for integrations (the ITSM, scripts). Bearer token or session
//! cookie; JSON in and out; errors as `{"error": {"code", "message", "fields"}}`.
use crate::domain::{Field, Reason};
use crate::error::reason_message;
use crate::i18n::Locale;
use crate::server::infra::locale::request_locale;
use crate::AppError;
use axum::{
    extract::FromRequestParts,
    http::{request::Parts, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

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

/// The failures every REST route may answer, described once (each route adds its own: 403,
/// 404, 409, 422, …).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // Describes the wire only.
pub enum Failures {
    #[response(status = 400, description = "A malformed request")]
    BadRequest(ErrorBody),
    #[response(
        status = 401,
        description = "Not signed in, or the token is unknown, revoked or expired"
    )]
    Unauthorized(ErrorBody),
    #[response(status = 429, description = "Past a limit of the account", headers(("Retry-After" = u64, description = "Seconds to wait")))]
    RateLimited(ErrorBody),
    #[response(
        status = 500,
        description = "A failure on our side (`ref`: the request id)"
    )]
    Internal(ErrorBody),
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

impl ErrorBody {
    /// What `error` answers, in `locale`.
    pub fn new(error: &AppError, locale: Locale) -> ErrorBody {
        let fields = match error {
            AppError::Validation { fields } => fields
                .iter()
                .map(|f| FieldProblem {
                    field: f.field.as_str().to_owned(),
                    code: f.reason.code().to_owned(),
                    message: reason_message(f.reason, locale),
                })
                .collect(),
            _ => Vec::new(),
        };
        let ref_id = match error {
            AppError::Internal { ref_id } => Some(ref_id.clone()),
            _ => None,
        };
        ErrorBody {
            error: ErrorDetail {
                code: error.code().to_owned(),
                message: error.message(locale),
                fields,
                ref_id,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody::new(&self.error, self.locale);
        let status =
            StatusCode::from_u16(self.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
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

/// The `Idempotency-Key` header: a UUID, or absent (then every call makes a new incident).
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<uuid::Uuid>, AppError> {
    headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|k| uuid::Uuid::parse_str(k.trim()).ok())
                .ok_or_else(|| AppError::field(Field::IdempotencyKey, Reason::UnknownValue))
        })
        .transpose()
}
