//! Who calls the REST API (`Caller`: a bearer token's owner, else the session's user), and
//! `GET /api/v1/me`.
use crate::domain::accounts::CurrentUser;
use crate::i18n::Locale;
use crate::server::accounts::auth;
use crate::server::infra::locale::request_locale;
use crate::server::infra::rest::ApiError;
use crate::server::infra::rest::Failures;
use crate::server::AppState;
use crate::AppError;
use axum::{extract::FromRequestParts, http::request::Parts, Json};
use serde::Serialize;
use tower_sessions::Session;

/// Who calls the API: the owner of a live bearer token, else the session's user.
pub struct Caller {
    pub user: CurrentUser,
    pub locale: Locale,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let locale = request_locale(&parts.headers);
        let fail = |error| ApiError::new(error, locale);
        let bearer = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let user = match bearer {
            Some(token) => crate::server::accounts::tokens::user_for(&state.pool, token)
                .await
                .map_err(fail)?,
            None => {
                let session = Session::from_request_parts(parts, state)
                    .await
                    .map_err(|_| {
                        fail(crate::server::infra::error::internal(
                            "session layer missing",
                        ))
                    })?;
                auth::session_user(state, &session).await.map_err(fail)?
            }
        };
        match user {
            Some(user) => Ok(Caller { user, locale }),
            None => Err(fail(AppError::Unauthorized)),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    id: i64,
    login: String,
    display_name: String,
    role: crate::domain::accounts::Role,
}

/// `GET /api/v1/me`: who the token or session belongs to.
#[utoipa::path(get, path = "/me", tag = "accounts",
    responses((status = 200, description = "Who the token or session belongs to", body = Me),
        Failures))]
pub async fn me(caller: Caller) -> Json<Me> {
    let u = caller.user;
    Json(Me {
        id: u.id,
        login: u.login,
        display_name: u.display_name,
        role: u.role,
    })
}
