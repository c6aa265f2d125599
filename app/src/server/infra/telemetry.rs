//! Structured logs, and an id for every request that appears in its log lines, in the
//! `x-request-id` response header and in any error a user sees.
use crate::server::infra::config::LogFormat;
use axum::{extract::Request, middleware::Next, response::Response};
use http::HeaderValue;
use rand::RngCore;
use tower_http::request_id::{MakeRequestId, RequestId};
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// `RUST_LOG` filters (default `info`); `MSS_LOG_FORMAT` picks pretty or JSON lines.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Pretty => registry.with(fmt::layer().compact()).try_init(),
        LogFormat::Json => registry
            .with(fmt::layer().json().flatten_event(true))
            .try_init(),
    };
    // A second init (in tests) keeps the first subscriber; nothing to do.
    let _ = result;
}

/// 16 random hex digits: short enough to read out over the phone, unique enough to find.
#[derive(Clone, Copy, Default)]
pub struct MakeHexId;

impl MakeRequestId for MakeHexId {
    fn make_request_id<B>(&mut self, _request: &http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&new_id()).ok().map(RequestId::new)
    }
}

fn new_id() -> String {
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub async fn drop_incoming_request_id(mut request: Request) -> Request {
    request.headers_mut().remove(REQUEST_ID_HEADER);
    request
}

/// Runs the rest of the request with its id in a task-local, for errors raised outside Leptos.
pub async fn scope_request_id(request: Request, next: Next) -> Response {
    let id = request_id_of(request.headers());
    REQUEST_ID.scope(id, next.run(request)).await
}

fn request_id_of(headers: &http::HeaderMap) -> String {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(new_id)
}

/// The id of the request being served: from the task-local, else from the request Leptos is
/// rendering, else a fresh one (still logged, so still findable).
pub fn current_request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .ok()
        .or_else(|| {
            leptos::prelude::use_context::<http::request::Parts>()
                .map(|p| request_id_of(&p.headers))
        })
        .unwrap_or_else(new_id)
}

/// The span every request's log lines belong to.
pub fn request_span(request: &http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path())
}

/// Refusals logged per account a minute.
const REFUSALS_PER_MINUTE: u32 = 10;

/// Logs that `viewer` asked for a `what` (incident, screenshot) they may not see (answered as
/// "not found"), with the account and what they named, so walking through ids shows in the logs.
/// At most `REFUSALS_PER_MINUTE` lines per account a minute (the same GCRA limiter as
/// `limits`): a loop cannot flood the log.
pub fn refused(
    viewer: &crate::domain::accounts::CurrentUser,
    what: &str,
    which: &dyn std::fmt::Display,
) {
    use governor::{DefaultKeyedRateLimiter, Quota};
    use std::num::NonZeroU32;
    use std::sync::LazyLock;
    static LOGGED: LazyLock<DefaultKeyedRateLimiter<i64>> = LazyLock::new(|| {
        let per_minute = NonZeroU32::new(REFUSALS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute))
    });
    if LOGGED.len() > 10_000 {
        LOGGED.retain_recent();
    }
    if LOGGED.check_key(&viewer.id).is_ok() {
        tracing::warn!(user = viewer.id, login = %viewer.login, role = viewer.role.as_str(), what, which = %which, "refused access");
    }
}
