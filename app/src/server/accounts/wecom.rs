//! Sign-in through WeCom (OAuth2, `snsapi_base`): inside the WeCom app nobody types a password.
//! `/auth/wecom` sends the browser to WeCom's page with a one-time `state` kept in the session;
//! WeCom sends it back to `/auth/wecom/callback` with a `code`, which the API exchanges for the
//! member's user id; the account with that WeCom id is signed in. Anything else goes back to
//! the sign-in page with a reason (`?wecom=unknown|failed|expired|off`), where a password still
//! works.
use crate::domain::accounts::safe_next;
use crate::paths;
use crate::server::accounts::auth;
use crate::server::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

const STATE_KEY: &str = "wecom_state";
const NEXT_KEY: &str = "wecom_next";

#[derive(Deserialize)]
pub struct Start {
    next: Option<String>,
}

/// `GET /auth/wecom[?next=/path]`
pub async fn start(
    State(state): State<AppState>,
    session: Session,
    Query(start): Query<Start>,
) -> Response {
    let Some(_) = state.wecom.app() else {
        return back("off");
    };
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let next = safe_next(start.next.as_deref()).unwrap_or_default();
    let stored = async {
        session.insert(STATE_KEY, &nonce).await?;
        session.insert(NEXT_KEY, &next).await
    };
    if let Err(e) = stored.await {
        tracing::warn!(error = %e, "could not start a WeCom sign-in");
        return back("failed");
    }
    let redirect = format!(
        "{}{}",
        state.settings.public_url,
        crate::paths::handlers::WECOM_CALLBACK
    );
    match state.wecom.authorize_url(&redirect, &nonce) {
        Some(url) => Redirect::to(&url).into_response(),
        None => back("off"),
    }
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
}

/// `GET /auth/wecom/callback?code=…&state=…`. Failed password attempts do not stand in its way:
/// someone guessing an agent's password cannot keep them from signing in through WeCom.
pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    Query(back_from): Query<Callback>,
) -> Response {
    let expected = session.remove::<String>(STATE_KEY).await.ok().flatten();
    let next = session
        .remove::<String>(NEXT_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let (Some(code), Some(returned)) = (back_from.code.filter(|c| !c.is_empty()), back_from.state)
    else {
        return back("failed");
    };
    if expected.as_deref() != Some(returned.as_str()) {
        // Not the sign-in this browser started (or started too long ago).
        return back("expired");
    }
    let member = match state.wecom.user_for_code(&code).await {
        Ok(member) => member,
        Err(e) => {
            tracing::warn!(reason = %e.reason(), "WeCom sign-in failed");
            return back("failed");
        }
    };
    let found = match crate::server::accounts::users::by_wecom(&state.pool, &member).await {
        Ok(found) => found,
        Err(_) => return back("failed"),
    };
    let Some((user, generation)) = found else {
        tracing::info!(wecom_user = %member, "WeCom sign-in: no active account has this WeCom id");
        return back("unknown");
    };
    if auth::start_session(&session, &user, generation)
        .await
        .is_err()
    {
        return back("failed");
    }
    let to = safe_next(Some(&next)).unwrap_or_else(|| user.role.home().to_owned());
    let mut response = Redirect::to(&to).into_response();
    // A browser the account is known to sign in from (see `auth::sign_in`).
    let device = auth::device_of(&headers);
    let remembered = match auth::known_device(&state, user.id, device.as_deref()).await {
        Ok(known) => auth::remember_device(&state, &user, known).await,
        Err(e) => Err(e),
    };
    match remembered {
        Ok(Some(cookie)) => {
            if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
                response
                    .headers_mut()
                    .append(axum::http::header::SET_COOKIE, value);
            }
        }
        Ok(None) => {}
        Err(_) => tracing::warn!(
            user = user.id,
            "could not remember the device of a WeCom sign-in"
        ),
    }
    response
}

fn back(reason: &str) -> Response {
    Redirect::to(&format!("{}?wecom={reason}", paths::LOGIN.path())).into_response()
}

/// Inside the WeCom app (its browser names itself `wxwork`), the sign-in page goes straight to
/// WeCom sign-in, unless it is showing why that just failed.
pub async fn inside_wecom(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if request.uri().path() == paths::LOGIN.path() && state.wecom.app().is_some() {
        let in_wecom = request
            .headers()
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ua| ua.contains("wxwork"));
        let query = request.uri().query().unwrap_or_default();
        if in_wecom && !query.split('&').any(|pair| pair.starts_with("wecom=")) {
            return Redirect::to(&format!("{}?{query}", paths::handlers::WECOM_SIGN_IN))
                .into_response();
        }
    }
    next.run(request).await
}
