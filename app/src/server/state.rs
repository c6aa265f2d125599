use super::{blobs::Blobs, Settings};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use std::sync::Arc;

/// What every request handler and server function may use. Cloned per request (all `Arc`s).
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub blobs: Blobs,
    pub leptos_options: LeptosOptions,
    /// The queue's per-state counts, recounted at most every few seconds.
    pub queue_counts: super::db::desk::Recent<Vec<(crate::domain::incident::Status, i64)>>,
    /// Who the queue's bulk bar can assign to, looked up again at most every few seconds.
    pub queue_handlers: super::db::desk::Recent<Vec<crate::domain::incident::Named>>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state inside a server function or a server-rendered page.
#[track_caller]
pub fn app_state() -> Result<AppState, crate::AppError> {
    let caller = std::panic::Location::caller();
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| super::error::internal(format!("AppState missing from the Leptos context ({caller})")))
}
