//! Turning internal failures into an `AppError` the user may see: the cause is logged in full
//! with the request's id, and only that id leaves the server.
use super::telemetry::current_request_id;
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
