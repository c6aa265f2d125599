//! Pieces every page uses: shells, form fields, states (loading, empty, error), badges.
pub mod feedback;
pub mod fields;
pub mod guard;
pub mod incident;
pub mod knowledge;
pub mod live;
pub mod shell;

/// Sets the HTTP status of a server-rendered page (no-op in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}
