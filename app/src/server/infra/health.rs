use crate::server::AppState;
use axum::{extract::State, http::StatusCode};
use std::time::Duration;

/// 200 while the process runs.
pub async fn healthz() -> StatusCode {
    StatusCode::OK
}

/// 200 only while the database answers (within 2 s) and the search index has been built (at
/// start-up), else 503.
pub async fn readyz(State(state): State<AppState>) -> StatusCode {
    if !state.knowledge.index.is_ready() {
        tracing::info!("readiness: the search index is being built");
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let ping = sqlx::query("SELECT 1").execute(&state.pool);
    match tokio::time::timeout(Duration::from_secs(2), ping).await {
        Ok(Ok(_)) => StatusCode::OK,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database error");
            StatusCode::SERVICE_UNAVAILABLE
        }
        Err(_) => {
            tracing::warn!("readiness: database did not answer within 2 s");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
