//! Building the application: the same `Application::build` serves `main` and the tests, so the
//! tests run the real router.
use crate::paths::handlers as paths;
use crate::server::infra::{db, demo, error, health, locale, openapi, security, telemetry};
use crate::server::{desk, report, AppState, Settings};
use crate::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use axum::{middleware, routing::get, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::PgPool;
use std::{future::Future, net::SocketAddr, time::Duration};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    /// The background tasks (live updates, pushes, cleanup): stopped with the server.
    background: Vec<tokio::task::AbortHandle>,
}

impl Application {
    /// Connects, migrates (a failed migration stops start-up), seeds the demo when asked, binds.
    pub async fn build(
        settings: Settings,
        leptos_options: LeptosOptions,
    ) -> anyhow::Result<Application> {
        let pool = db::connect(&settings).await?;
        Application::build_with_pool(settings, leptos_options, pool).await
    }

    pub async fn build_with_pool(
        settings: Settings,
        leptos_options: LeptosOptions,
        pool: PgPool,
    ) -> anyhow::Result<Application> {
        db::migrate(&pool).await?;
        if !settings.trust_forwarded_for {
            tracing::info!("MSS_TRUST_FORWARDED_FOR is off: sign-ins are counted by the socket's address (behind a proxy, that is the proxy)");
        }
        if settings.demo {
            demo::seed(&pool).await?;
        }
        let listener = TcpListener::bind(settings.addr).await?;
        let addr = listener.local_addr()?;
        let mut settings = settings;
        if settings.public_url == format!("http://{}", settings.addr) {
            // The default public address follows the one bound (port 0: tests, a second instance).
            settings.public_url = format!("http://{addr}");
        }
        let state = AppState::new(pool, settings, leptos_options)?;
        if state.settings.demo {
            demo::seed_articles(&state).await?;
        }
        let background = vec![
            spawn_cleanup(state.clone()),
            tokio::spawn(crate::server::notify::events::listen(
                state.pool.clone(),
                state.events.clone(),
            ))
            .abort_handle(),
            tokio::spawn(crate::server::notify::push::run(
                state.clone(),
                state.events.new_entries.clone(),
            ))
            .abort_handle(),
            spawn_sla_sweep(state.pool.clone()),
            tokio::spawn(crate::server::infra::scheduler::run(state.clone())).abort_handle(),
            tokio::spawn(crate::server::knowledge::index::follow(
                state.pool.clone(),
                state.knowledge.clone(),
                state.events.knowledge.clone(),
            ))
            .abort_handle(),
        ];
        Ok(Application {
            listener,
            router: router(state),
            addr,
            background,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Handles to the background tasks, to stop them as a crash would (tests).
    pub fn background(&self) -> Vec<tokio::task::AbortHandle> {
        self.background.clone()
    }

    /// Serves until SIGTERM or Ctrl-C: stops accepting, finishes requests in flight, returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    pub async fn run_until(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        tracing::info!(addr = %self.addr, "listening");
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stop)
        .await;
        for task in &self.background {
            task.abort();
        }
        served
    }
}

/// Every route `router` adds by hand, by method: with the pages and the server functions, the
/// whole surface the authorization test (`app/tests/it/authz.rs`) must have a case for.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", paths::HEALTHZ),
    ("GET", paths::READYZ),
    ("GET", paths::LANGUAGE),
    ("POST", paths::REPORT_FORM),
    ("POST", paths::MESSAGE_FORM),
    ("POST", paths::ACTION_FORM),
    ("POST", paths::KB_IMAGES),
    ("GET", paths::LIVE),
    ("GET", paths::WECOM_SIGN_IN),
    ("GET", paths::WECOM_CALLBACK),
];

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(crate::server::accounts::auth::RequestViewer::default());
            security::provide_script_nonce();
        }
    };
    let sessions = SessionManagerLayer::new(PostgresStore::new(state.pool.clone()))
        .with_name("mss_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.secure_cookies())
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::hours(state.settings.session_idle_hours),
        ));
    Router::new()
        .route(paths::HEALTHZ, get(health::healthz))
        .route(paths::READYZ, get(health::readyz))
        .route(paths::LANGUAGE, get(locale::switch))
        .nest(crate::paths::rest::BASE, openapi::router())
        // The form endpoints take multipart with screenshots; their limits are checked while
        // the body is read (see `report`).
        .route(
            paths::REPORT_FORM,
            post(report::forms::create_from_form).layer(DefaultBodyLimit::disable()),
        )
        .route(
            paths::MESSAGE_FORM,
            post(report::forms::message_from_form).layer(DefaultBodyLimit::disable()),
        )
        .route(
            paths::ACTION_FORM,
            post(desk::forms::action_from_form).layer(DefaultBodyLimit::disable()),
        )
        .route(
            paths::KB_IMAGES,
            post(crate::server::knowledge::images::upload).layer(DefaultBodyLimit::disable()),
        )
        .route(paths::LIVE, get(crate::server::notify::live::stream))
        .route(
            paths::WECOM_SIGN_IN,
            get(crate::server::accounts::wecom::start),
        )
        .route(
            paths::WECOM_CALLBACK,
            get(crate::server::accounts::wecom::callback),
        )
        .merge(asset_routes(&state))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn(error::server_fn_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::protect,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::server::accounts::wecom::inside_wecom,
        ))
        .layer(sessions)
        .layer(
            ServiceBuilder::new()
                // Ours, not the caller's: an error reference must be one we made.
                .layer(middleware::map_request(telemetry::drop_incoming_request_id))
                .layer(SetRequestIdLayer::x_request_id(telemetry::MakeHexId))
                .layer(TraceLayer::new_for_http().make_span_with(telemetry::request_span))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(middleware::from_fn(telemetry::scope_request_id)),
        )
        .with_state(state)
}

/// The site's own scripts under their hashed names (precompressed when the build wrote `.br`/
/// `.gz` beside them).
fn asset_routes(state: &AppState) -> Router<AppState> {
    use tower_http::services::ServeFile;
    state
        .assets
        .routes()
        .fold(Router::new(), |router, (url, file)| {
            router.route_service(
                url,
                ServeFile::new(file).precompressed_br().precompressed_gzip(),
            )
        })
}

/// Hourly: deletes expired sessions, sign-in failures that no longer count, and screenshots no
/// report claimed; closes answered incidents nobody objected to; forgets idle accounts' limits.
fn spawn_cleanup(state: AppState) -> tokio::task::AbortHandle {
    use tower_sessions::ExpiredDeletion;
    let (pool, window_minutes) = (state.pool.clone(), state.settings.sign_in.window_minutes);
    tokio::spawn(async move {
        let store = PostgresStore::new(pool.clone());
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            state.limits.forget_idle();
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "could not delete expired sessions");
            }
            if let Err(e) = crate::server::accounts::sign_ins::prune(&pool, window_minutes).await {
                tracing::warn!(error = %e, "could not prune old sign-in failures");
            }
            if let Err(e) =
                crate::server::report::screenshots::sweep(&state, chrono::Duration::days(1)).await
            {
                tracing::warn!(error = %e, "could not sweep unclaimed screenshots");
            }
            match crate::server::desk::sweeps::auto_close(
                &state.pool,
                state.settings.auto_close_days,
            )
            .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    closed = n,
                    days = state.settings.auto_close_days,
                    "closed answered incidents nobody objected to"
                ),
                Err(e) => tracing::warn!(error = %e, "could not close answered incidents"),
            }
        }
    })
    .abort_handle()
}

/// Every minute: service-level warnings for incidents whose due time comes close or passes.
fn spawn_sla_sweep(pool: PgPool) -> tokio::task::AbortHandle {
    tokio::spawn(async move {
        // From a minute after start (a test drives the sweep itself meanwhile).
        let minute = Duration::from_secs(60);
        let mut every = tokio::time::interval_at(tokio::time::Instant::now() + minute, minute);
        loop {
            every.tick().await;
            match crate::server::desk::sweeps::sla_warnings(&pool).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(warnings = n, "service-level warnings written"),
                Err(e) => tracing::warn!(error = ?e, "could not write service-level warnings"),
            }
        }
    })
    .abort_handle()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
