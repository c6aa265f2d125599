//! The REST API under `/api/v1` put together: every module's routes, and their OpenAPI
//! description made from the handlers' and the payloads' own types.
use crate::paths::rest;
use crate::server::infra::rest::{ApiError, CallerLocale};
use crate::server::AppState;
use crate::AppError;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

/// Every route of `router` (under `/api/v1`), by method: the authorization test's list.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", rest::ME),
    ("GET", rest::INCIDENTS),
    ("POST", rest::INCIDENTS),
    ("GET", rest::INCIDENT),
    ("POST", rest::MESSAGES),
    ("POST", rest::ACTIONS),
    ("GET", rest::SCREENSHOT),
    ("GET", rest::THUMBNAIL),
    ("POST", rest::KB_ARTICLES),
    ("GET", rest::KB_ARTICLE),
    ("PUT", rest::KB_ARTICLE),
    ("DELETE", rest::KB_ARTICLE),
    ("GET", rest::KB_REVISIONS),
    ("GET", rest::KB_COMPARE),
    ("POST", rest::KB_RESTORE),
    ("GET", rest::KB_SEARCH),
    ("POST", rest::KB_DRAFT),
    ("GET", rest::OPENAPI),
];

pub fn router() -> Router<AppState> {
    use crate::server::{
        accounts::rest as accounts, desk::rest as desk, knowledge::rest as knowledge,
        report::rest as report,
    };
    Router::new()
        .route(rest::ME, get(accounts::me))
        .route(
            rest::INCIDENTS,
            get(desk::incidents)
                .post(report::create_incident)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(rest::INCIDENT, get(report::one_incident))
        .route(
            rest::MESSAGES,
            post(report::add_message).layer(DefaultBodyLimit::disable()),
        )
        .route(rest::ACTIONS, post(desk::act))
        .route(rest::SCREENSHOT, get(report::screenshot))
        .route(rest::THUMBNAIL, get(report::thumbnail))
        .route(rest::KB_ARTICLES, post(knowledge::create))
        .route(
            rest::KB_ARTICLE,
            get(knowledge::one)
                .put(knowledge::update)
                .delete(knowledge::delete),
        )
        .route(rest::KB_REVISIONS, get(knowledge::revisions))
        .route(rest::KB_COMPARE, get(knowledge::compare))
        .route(rest::KB_RESTORE, post(knowledge::restore))
        .route(rest::KB_SEARCH, get(knowledge::search))
        .route(rest::KB_DRAFT, post(knowledge::draft_from_incident))
        .route(rest::OPENAPI, get(openapi))
        .fallback(|caller: CallerLocale| async move { ApiError::new(AppError::NotFound, caller.0) })
}
/// `GET /api/v1/openapi.json`: this API, described from the handlers' and the payloads' own
/// types (`ApiDoc`), so it cannot drift from them.
#[utoipa::path(get, path = "/openapi.json", tag = "api", security(()),
    responses((status = 200, description = "This description (OpenAPI 3.1)", content_type = "application/json")))]
async fn openapi() -> impl IntoResponse {
    static DOCUMENT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use utoipa::OpenApi;
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|_| "{}".to_owned())
    });
    (
        [(http::header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
}

/// Bearer tokens (`mss token create`) and the browser's session cookie.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("mss_session"))),
        );
    }
}

/// The REST API, described.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "MSS REST API", version = "1", description = "Incidents for integrations (the ITSM, scripts). JSON in and out; errors as `ErrorBody`."),
    servers((url = "/api/v1")),
    paths(
        crate::server::accounts::rest::me,
        crate::server::desk::rest::incidents,
        crate::server::report::rest::create_incident,
        crate::server::report::rest::one_incident,
        crate::server::report::rest::add_message,
        crate::server::desk::rest::act,
        crate::server::report::rest::screenshot,
        crate::server::report::rest::thumbnail,
        crate::server::knowledge::rest::create,
        crate::server::knowledge::rest::one,
        crate::server::knowledge::rest::update,
        crate::server::knowledge::rest::delete,
        crate::server::knowledge::rest::revisions,
        crate::server::knowledge::rest::compare,
        crate::server::knowledge::rest::restore,
        crate::server::knowledge::rest::search,
        crate::server::knowledge::rest::draft_from_incident,
        openapi
    ),
    modifiers(&Security),
    security(("bearer" = []), ("session" = []))
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::OpenApi;

    #[test]
    fn the_description_names_every_route_and_only_those() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let described: std::collections::BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .map(move |method| (method.to_uppercase(), path.clone()))
            })
            .collect();
        let routed: std::collections::BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        assert_eq!(described, routed);
        // Files are sent as files (schemathesis and code generators read `format: binary`).
        let form = &doc["components"]["schemas"]["NewIncidentForm"]["properties"]["screenshots"];
        assert!(form.to_string().contains("binary"), "{form}");
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
