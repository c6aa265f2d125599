use crate::domain::accounts::{CurrentUser, SignInForm};
use crate::AppError;
use leptos::prelude::*;

/// The signed-in user, or `None`.
#[server(endpoint = "auth/me")]
pub async fn who_am_i() -> Result<Option<CurrentUser>, AppError> {
    crate::server::accounts::auth::viewer().await
}

/// Signs in and goes on to `next` or the role's home page.
#[server(endpoint = "auth/sign_in")]
pub async fn sign_in(#[server(flatten)] form: SignInForm) -> Result<CurrentUser, AppError> {
    use crate::domain::accounts::safe_next;
    use crate::server::accounts::auth;
    use crate::server::infra::forms;
    use crate::server::infra::state::app_state;

    let result = async {
        let attempt = form.parse().map_err(AppError::fields)?;
        let state = app_state()?;
        let parts: http::request::Parts = leptos_axum::extract()
            .await
            .map_err(crate::server::infra::error::internal)?;
        let session = auth::session().await?;
        let address = auth::client_address(&state, &parts);
        let device = auth::device_of(&parts.headers);
        let (user, known) =
            auth::sign_in(&state, &session, &address, device.as_deref(), attempt).await?;
        // This browser is now one the account is known to sign in from.
        if let Some(cookie) = auth::remember_device(&state, &user, known).await? {
            if let (Some(response), Ok(value)) = (
                use_context::<leptos_axum::ResponseOptions>(),
                http::HeaderValue::from_str(&cookie),
            ) {
                response.append_header(http::header::SET_COOKIE, value);
            }
        }
        Ok(user)
    }
    .await;
    match result {
        Ok(user) => {
            let next =
                safe_next(form.next.as_deref()).unwrap_or_else(|| user.role.home().to_owned());
            leptos_axum::redirect(&next);
            Ok(user)
        }
        Err(e) => {
            // The login stays in the form; the password never does.
            let kept = SignInForm {
                password: String::new(),
                ..form
            };
            forms::keep_for_retry("sign_in", &kept).await?;
            Err(e)
        }
    }
}

/// How one may sign in here besides a password.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SignInChoices {
    /// Through WeCom (`/auth/wecom`): the WeCom application is configured.
    pub wecom: bool,
}

/// Open to everyone: the sign-in page asks before anyone has signed in.
#[server(endpoint = "auth/options")]
pub async fn sign_in_options() -> Result<SignInChoices, AppError> {
    let state = crate::server::infra::state::app_state()?;
    Ok(SignInChoices {
        wecom: state.wecom.app().is_some(),
    })
}

/// What the sign-in form showed before a failed plain post.
#[server(endpoint = "auth/sign_in_form")]
pub async fn kept_sign_in() -> Result<Option<SignInForm>, AppError> {
    crate::server::infra::forms::kept("sign_in").await
}

#[server(endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let session = crate::server::accounts::auth::session().await?;
    crate::server::accounts::auth::sign_out(&session).await?;
    // Nothing the account saw stays in this browser's cache (a shared phone).
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::HeaderName::from_static("clear-site-data"),
            http::HeaderValue::from_static("\"cache\""),
        );
    }
    leptos_axum::redirect(crate::paths::LOGIN.path());
    Ok(())
}
