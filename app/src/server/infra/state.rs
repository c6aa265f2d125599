use crate::server::infra::blobs::Blobs;
use crate::server::Settings;
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
    pub queue_counts:
        crate::server::infra::recent::Recent<Vec<(crate::domain::incident::Status, i64)>>,
    /// Who the queue's bulk bar can assign to, looked up again at most every few seconds.
    pub queue_handlers:
        crate::server::infra::recent::Recent<Vec<crate::domain::incident::views::Named>>,
    /// WeCom: pushes and sign-in, with the cached access token.
    pub wecom: Arc<crate::server::notify::wecom::Wecom>,
    /// The timeline's one listener: what this instance's live streams hear and what wakes its
    /// push worker.
    pub events: crate::server::notify::events::Hub,
    /// Per-account limits (reports, uploads, messages, actions).
    pub limits: Arc<crate::server::infra::limits::Limits>,
    /// The site's own scripts under their hashed names.
    pub assets: Arc<crate::server::infra::assets::Assets>,
    /// The knowledge base's search index and chart drawing.
    pub knowledge: Arc<crate::server::knowledge::Knowledge>,
}

impl AppState {
    /// Everything but the pool made from the settings: the blob store, the WeCom client, empty
    /// caches, a live-update hub with nobody listening yet.
    pub fn new(
        pool: PgPool,
        settings: Settings,
        leptos_options: LeptosOptions,
    ) -> anyhow::Result<AppState> {
        let blobs = Blobs::open(&settings.blob_dir, settings.blob_url.as_deref())?;
        let wecom = Arc::new(crate::server::notify::wecom::Wecom::new(
            settings.wecom.clone(),
        )?);
        let limits = Arc::new(crate::server::infra::limits::Limits::new(&settings.limits));
        let assets = Arc::new(crate::server::infra::assets::Assets::load(
            std::path::Path::new(leptos_options.site_root.as_ref()),
        ));
        let settings_index_dir = settings.kb_index_dir.clone();
        Ok(AppState {
            pool,
            settings: Arc::new(settings),
            blobs,
            leptos_options,
            queue_counts: Default::default(),
            queue_handlers: Default::default(),
            wecom,
            events: Default::default(),
            limits,
            assets,
            knowledge: Arc::new(crate::server::knowledge::Knowledge::new(settings_index_dir)),
        })
    }
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
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        crate::server::infra::error::internal(format!(
            "AppState missing from the Leptos context ({caller})"
        ))
    })
}
