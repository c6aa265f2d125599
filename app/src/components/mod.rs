//! Pieces every page uses: shells, form fields, states (loading, empty, error), badges.
pub mod feedback;
pub mod fields;
pub mod guard;
pub mod incident;
pub mod live;
pub mod shell;

/// Sets the HTTP status of a server-rendered page (no-op in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// Percent-encodes a query parameter value.
pub fn encode_query(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_query_values() {
        assert_eq!(super::encode_query("/incidents?cursor=1_2"), "/incidents%3Fcursor%3D1_2");
        assert_eq!(super::encode_query("张"), "%E5%BC%A0");
    }
}
