//! Who may see a page. The server functions check again: this only decides what to render.
use super::encode_query;
use super::feedback::{ErrorPanel, Loading};
use crate::api::auth::who_am_i;
use crate::domain::user::{CurrentUser, Role};
use crate::AppError;
use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};

/// The signed-in user, fetched again on every navigation (so signing in or out shows at once).
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
}

pub fn provide_auth() {
    let location = use_location();
    let user = Resource::new(move || location.pathname.get(), |_| who_am_i());
    provide_context(Auth { user });
}

pub const REPORTER: &[Role] = &[Role::Reporter];
pub const DESK: &[Role] = &[Role::Handler, Role::Admin];
pub const ANYONE: &[Role] = &[Role::Reporter, Role::Handler, Role::Admin];

/// Renders `children` for a user with one of `roles` (who is then in the context as
/// `CurrentUser`); sends anyone signed out to sign in, and shows others that they may not.
#[component]
pub fn Guard(roles: &'static [Role], children: ChildrenFn) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let location = use_location();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(user)) if roles.contains(&user.role) => {
                            provide_context(user);
                            children().into_any()
                        }
                        Ok(Some(_)) => view! { <ErrorPanel error=AppError::Forbidden/> }.into_any(),
                        Ok(None) | Err(AppError::Unauthorized) => {
                            let here = location.pathname.get_untracked();
                            let path = format!("/login?next={}", encode_query(&here));
                            view! { <Redirect path/> }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

pub fn current() -> CurrentUser {
    expect_context::<CurrentUser>()
}
