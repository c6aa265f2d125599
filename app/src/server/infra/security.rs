//! What every answer carries, and which requests are refused before any handler runs:
//! - **No other site acts for a signed-in user.** A state-changing request (POST, PUT, PATCH,
//!   DELETE) that may ride on the session cookie (server functions, form posts, sign-in,
//!   sign-out) is refused with 403 unless it comes from a page of ours: its `Origin` (or, when a
//!   browser sends none, `Sec-Fetch-Site`, then `Referer`) must be `MSS_PUBLIC_URL`'s. A request
//!   with a bearer token is exempt: a browser never adds one across sites.
//! - **What the browser keeps.** Pages, JSON and streams: `no-store`, so a shared phone's next
//!   account finds nothing of the last one's on its disk, and a page is not restored from the
//!   back-forward cache after signing out. Static files named by their content's hash: a year,
//!   `immutable`; other static files: revalidated (`no-cache`). Screenshots set their own
//!   (`report::screenshots::serve`).
//! - **Headers on every answer:** a Content-Security-Policy that lets only our own scripts and
//!   the wasm run (the page's inline scripts carry the request's nonce, made here and handed to
//!   Leptos through the request: see `ScriptNonce`), no framing, `nosniff`, `same-origin`
//!   referrers, and HSTS under https.
use crate::server::infra::{locale::request_locale, rest::ApiError};
use crate::server::AppState;
use crate::AppError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue, Method};

/// The scheme, host and port of a URL (`https://mss.example.com`), as browsers write `Origin`.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest
        .split(['/', '?', '#'])
        .next()
        .filter(|a| !a.is_empty())?;
    let authority = authority.to_ascii_lowercase();
    // Browsers leave the default port out.
    let authority = match scheme {
        "http" => authority
            .strip_suffix(":80")
            .unwrap_or(&authority)
            .to_owned(),
        "https" => authority
            .strip_suffix(":443")
            .unwrap_or(&authority)
            .to_owned(),
        _ => return None,
    };
    Some(format!("{}://{authority}", scheme.to_ascii_lowercase()))
}

/// Where a request comes from, as far as the browser tells.
#[derive(Debug, PartialEq, Eq)]
pub enum Source {
    /// A page of ours, or the user themselves (typed address, bookmark).
    Ours,
    /// Another site (or a same-site origin that is not ours).
    Foreign,
    /// Nothing said: not a browser (scripts, the ITSM, tests), which cannot be made to act for
    /// a signed-in user by another site.
    Unsaid,
}

pub fn source(headers: &HeaderMap, own_origin: &str) -> Source {
    // A header that is there but not text is not ours either.
    let text = |name: &str| {
        headers
            .get(name)
            .map(|v| v.to_str().map(str::trim).unwrap_or("\u{0}"))
    };
    if let Some(origin) = text("origin") {
        // "null": a sandboxed frame, a data: URL, a redirect across sites.
        return if origin_of(origin).as_deref() == Some(own_origin) {
            Source::Ours
        } else {
            Source::Foreign
        };
    }
    match text("sec-fetch-site") {
        Some("same-origin" | "none") => return Source::Ours,
        Some(_) => return Source::Foreign,
        None => {}
    }
    match text("referer") {
        Some(referer) if origin_of(referer).as_deref() == Some(own_origin) => Source::Ours,
        Some(_) => Source::Foreign,
        None => Source::Unsaid,
    }
}

fn changes_state(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// A REST call with a bearer token: it authenticates by the token, not the cookie (elsewhere a
/// token is not what the handler reads, so it exempts nothing).
fn bearer(request: &Request) -> bool {
    request
        .uri()
        .path()
        .strip_prefix(crate::paths::rest::BASE)
        .is_some_and(|rest| rest.starts_with('/'))
        && request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer "))
}

/// This request's script nonce: the CSP names it, and the page renderer gives it to Leptos
/// (`provide_script_nonce`), which puts it on every inline script it writes.
#[derive(Clone)]
pub struct ScriptNonce(pub String);

impl ScriptNonce {
    fn new() -> ScriptNonce {
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        ScriptNonce(hex::encode(bytes))
    }
}

/// For the page renderer's context: this request's nonce, as Leptos's own (it otherwise makes a
/// nonce the response's policy could not know).
pub fn provide_script_nonce() {
    let nonce = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ScriptNonce>().cloned());
    if let Some(ScriptNonce(nonce)) = nonce {
        leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// The middleware: refuses cross-site state changes, then sets the headers on the answer.
pub async fn protect(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let own = state.settings.public_origin();
    if changes_state(request.method())
        && !bearer(&request)
        && source(request.headers(), &own) == Source::Foreign
    {
        tracing::warn!(
            method = %request.method(),
            path = request.uri().path(),
            origin = ?request.headers().get("origin"),
            "refused a state change from another site"
        );
        let mut response =
            ApiError::new(AppError::CrossSite, request_locale(request.headers())).into_response();
        headers(&state, None, response.headers_mut());
        return response;
    }
    let nonce = ScriptNonce::new();
    request.extensions_mut().insert(nonce.clone());
    let hashed = crate::server::infra::assets::is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let file = cache_policy(response.headers()) == "no-cache";
    if hashed
        && file
        && matches!(
            response.status(),
            http::StatusCode::OK | http::StatusCode::NOT_MODIFIED
        )
    {
        // Named by its content: it never changes, so it is kept a year (every build names anew).
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    headers(&state, Some(&nonce), response.headers_mut());
    response
}

/// Static files (scripts, styles, the wasm, icons) may be kept and revalidated; anything else
/// (pages, JSON, streams) carries or may carry customer data and is not kept at all.
fn cache_policy(h: &HeaderMap) -> &'static str {
    const KEPT: [&str; 7] = [
        "text/javascript",
        "application/javascript",
        "text/css",
        "application/wasm",
        "image/",
        "font/",
        "application/octet-stream",
    ];
    let kind = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if KEPT.iter().any(|k| kind.starts_with(k)) {
        "no-cache"
    } else {
        "no-store"
    }
}

fn headers(state: &AppState, nonce: Option<&ScriptNonce>, h: &mut HeaderMap) {
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_policy(h)),
        );
    }
    if cache_policy(h) == "no-cache" {
        // Static files may come brotli- or gzip-compressed, as the browser accepts.
        h.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    let script = match nonce {
        Some(ScriptNonce(nonce)) => format!("script-src 'self' 'wasm-unsafe-eval' 'nonce-{nonce}'"),
        None => "script-src 'self' 'wasm-unsafe-eval'".to_owned(),
    };
    let csp = format!(
        "default-src 'self'; {script}; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if state.settings.secure_cookies() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origins_are_compared_as_browsers_write_them() {
        assert_eq!(
            origin_of("https://MSS.example.com:443/desk?x=1").as_deref(),
            Some("https://mss.example.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:3000").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:80/").as_deref(),
            Some("http://127.0.0.1")
        );
        assert_eq!(origin_of("null"), None);
        assert_eq!(origin_of("ftp://x"), None);
    }

    #[test]
    fn only_our_own_pages_may_change_anything() {
        let own = "https://mss.example.com";
        assert_eq!(
            source(&with(&[("origin", "https://mss.example.com")]), own),
            Source::Ours
        );
        assert_eq!(
            source(&with(&[("origin", "https://evil.example.com")]), own),
            Source::Foreign
        );
        // A sibling subdomain is the same *site*, not our origin.
        assert_eq!(
            source(&with(&[("origin", "https://files.example.com")]), own),
            Source::Foreign
        );
        assert_eq!(source(&with(&[("origin", "null")]), own), Source::Foreign);
        // Origin wins over what else is said.
        assert_eq!(
            source(
                &with(&[
                    ("origin", "https://evil.example.com"),
                    ("sec-fetch-site", "same-origin")
                ]),
                own
            ),
            Source::Foreign
        );
        assert_eq!(
            source(&with(&[("sec-fetch-site", "same-origin")]), own),
            Source::Ours
        );
        assert_eq!(
            source(&with(&[("sec-fetch-site", "none")]), own),
            Source::Ours
        );
        assert_eq!(
            source(&with(&[("sec-fetch-site", "same-site")]), own),
            Source::Foreign
        );
        assert_eq!(
            source(&with(&[("sec-fetch-site", "cross-site")]), own),
            Source::Foreign
        );
        assert_eq!(
            source(
                &with(&[("referer", "https://mss.example.com/report/new")]),
                own
            ),
            Source::Ours
        );
        assert_eq!(
            source(&with(&[("referer", "https://evil.example.com/")]), own),
            Source::Foreign
        );
        assert_eq!(source(&HeaderMap::new(), own), Source::Unsaid);
        let mut odd = HeaderMap::new();
        odd.insert(
            "origin",
            HeaderValue::from_bytes(b"https://mss.example.com\xff").unwrap(),
        );
        assert_eq!(
            source(&odd, own),
            Source::Foreign,
            "an Origin that is not text"
        );
    }

    #[test]
    fn only_static_files_are_kept() {
        for (kind, policy) in [
            ("text/html; charset=utf-8", "no-store"),
            ("application/json", "no-store"),
            ("text/event-stream", "no-store"),
            ("text/javascript", "no-cache"),
            ("application/wasm", "no-cache"),
            ("text/css", "no-cache"),
            ("image/x-icon", "no-cache"),
        ] {
            assert_eq!(
                cache_policy(&with(&[("content-type", kind)])),
                policy,
                "{kind}"
            );
        }
        assert_eq!(cache_policy(&HeaderMap::new()), "no-store");
    }
}
