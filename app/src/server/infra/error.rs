//! Turning internal failures into an `AppError` the user may see: the cause is logged in full
//! with the request's id, and only that id leaves the server.
use crate::server::infra::telemetry::current_request_id;
use crate::AppError;
use std::fmt::Display;

/// Logs `cause` with the request id and returns the error a user sees ("error ref …").
pub fn internal(cause: impl Display) -> AppError {
    let ref_id = current_request_id();
    tracing::error!(ref_id = %ref_id, error = %cause, "internal error");
    AppError::Internal { ref_id }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => AppError::NotFound,
            other => internal(other),
        }
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(e: tower_sessions::session::Error) -> Self {
        internal(e)
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        internal(e)
    }
}

/// Server functions answer every error with status 500. This gives each the status its
/// `AppError` means (401, 403, 404, 422, 429, …), so logs and monitors tell a wrong password
/// from a failure on our side. (The browser client reads any 4xx/5xx as the error it carries.)
pub async fn server_fn_status(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::{body::Body, http::StatusCode, response::IntoResponse};
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::RateLimited { retry_after_secs } = error {
            parts.headers.insert(
                http::header::RETRY_AFTER,
                http::HeaderValue::from(retry_after_secs),
            );
        }
    }
    axum::response::Response::from_parts(parts, Body::from(bytes))
}
