//! Keeping what was typed across a plain form post that failed (JavaScript off): the server
//! function keeps the values in the session and the browser is sent back to the form with the
//! error in its URL (`__err`); the form page shows the kept values. With JavaScript the page never
//! reloads, so nothing needs keeping.
use crate::AppError;
use serde::{de::DeserializeOwned, Serialize};
use super::auth::session;

pub fn key(form: &str) -> String {
    format!("form:{form}")
}

fn request() -> Option<http::request::Parts> {
    leptos::prelude::use_context::<http::request::Parts>()
}

/// Is this request a plain HTML form post (no JavaScript)?
pub fn is_plain_form_post() -> bool {
    request().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
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
