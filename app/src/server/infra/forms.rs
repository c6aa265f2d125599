//! Keeping what was typed across a plain form post that failed (JavaScript off): the server
//! function keeps the values in the session and the browser is sent back to the form with the
//! error in its URL (`__err`); the form page shows the kept values. With JavaScript the page never
//! reloads, so nothing needs keeping.
use crate::domain::accounts::{CurrentUser, Role};
use crate::paths;
use crate::server::accounts::auth;
use crate::server::accounts::auth::session;
use crate::server::AppState;
use crate::AppError;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{de::DeserializeOwned, Serialize};
use tower_sessions::Session;

pub fn key(form: &str) -> String {
    format!("form:{form}")
}

fn request() -> Option<http::request::Parts> {
    leptos::prelude::use_context::<http::request::Parts>()
}

/// Is this request a plain HTML form post (no JavaScript)?
pub fn is_plain_form_post() -> bool {
    request().is_some_and(|parts| wants_html(&parts.headers))
}

/// Remembers `values` for the form page to show again, when the post came without JavaScript.
pub async fn keep_for_retry<T: Serialize>(form: &str, values: &T) -> Result<(), AppError> {
    if !is_plain_form_post() {
        return Ok(());
    }
    session().await?.insert(&key(form), values).await?;
    Ok(())
}

/// The values kept for `form`, when the page being rendered is the one a failed post came back
/// to (its URL carries the error). Reading does not remove them, so rendering twice is harmless.
pub async fn kept<T: DeserializeOwned>(form: &str) -> Result<Option<T>, AppError> {
    let returning = request()
        .and_then(|parts| parts.uri.query().map(|q| q.contains("__err=")))
        .unwrap_or(false);
    if !returning {
        return Ok(None);
    }
    Ok(session().await?.get::<T>(&key(form)).await?)
}

/// Forgets the kept values once the form went through.
pub async fn forget(form: &str) -> Result<(), AppError> {
    session().await?.remove_value(&key(form)).await?;
    Ok(())
}

/// Is this a plain HTML form post (no JavaScript), to be answered with a redirect?
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// An error as the report form's script reads it (the `AppError` JSON), with its status.
pub fn json_error(error: &AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(error).unwrap_or_else(|_| "{}".into());
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let AppError::RateLimited { retry_after_secs } = error {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            http::HeaderValue::from(*retry_after_secs),
        );
    }
    response
}

pub async fn signed_in(
    state: &AppState,
    session: &Session,
    roles: &[Role],
) -> Result<CurrentUser, AppError> {
    match auth::session_user(state, session).await? {
        Some(user) if roles.contains(&user.role) => Ok(user),
        Some(_) => Err(AppError::Forbidden),
        None => Err(AppError::Unauthorized),
    }
}

/// How a plain form post on an incident's page ends: back to the page (at `#latest`) when it
/// went through; back to the form (at `#{anchor}`) with the error in the URL and what was typed
/// kept in the session when it did not. A script's post gets 204 or the error as JSON.
pub async fn form_outcome<K: Serialize>(
    session: &Session,
    form: &str,
    kept: &K,
    result: Result<(), AppError>,
    html: bool,
    page: &str,
    anchor: &str,
) -> Response {
    let form_key = crate::server::infra::forms::key(form);
    match (result, html) {
        (Ok(()), true) => {
            let _ = session.remove_value(&form_key).await;
            Redirect::to(&format!("{page}#latest")).into_response()
        }
        (Ok(()), false) => StatusCode::NO_CONTENT.into_response(),
        (Err(AppError::Unauthorized), true) => {
            Redirect::to(&paths::login_then(page)).into_response()
        }
        (Err(error), true) => {
            if let Err(e) = session.insert(&form_key, kept).await {
                return json_error(&AppError::from(e));
            }
            let message = serde_json::to_string(&error).unwrap_or_default();
            Redirect::to(&format!(
                "{page}?__err={}#{anchor}",
                crate::paths::encode_query(&message)
            ))
            .into_response()
        }
        (Err(error), false) => json_error(&error),
    }
}
