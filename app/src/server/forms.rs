//! Keeping what was typed across a plain form post that failed (JavaScript off): the server
//! function redirects back to the form, and the form page takes the values from the session.
//! With JavaScript the page never reloads, so nothing needs keeping.
use crate::AppError;
use serde::{de::DeserializeOwned, Serialize};
use tower_sessions::Session;

fn key(form: &str) -> String {
    format!("form:{form}")
}

/// Is this request a plain HTML form post (no JavaScript)?
pub fn is_plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
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
    let session: Session = leptos_axum::extract().await.map_err(super::error::internal)?;
    session.insert(&key(form), values).await?;
    Ok(())
}

/// The values kept for `form`, once: they are removed as they are read.
pub async fn take_kept<T: DeserializeOwned>(form: &str) -> Result<Option<T>, AppError> {
    let session: Session = leptos_axum::extract().await.map_err(super::error::internal)?;
    let kept = session.remove::<T>(&key(form)).await?;
    if kept.is_some() {
        // Saved now: a streamed page may finish after the session layer has written its state.
        session.save().await?;
    }
    Ok(kept)
}
