//! Who may see a page. The server functions check again: this only decides what to render.
use super::feedback::{ErrorPanel, Loading};
use crate::api::accounts::who_am_i;
use crate::domain::accounts::{CurrentUser, Role};
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
    // In the browser, every navigation asks again. A server render is one request: asked once
    // (the location can settle more than once while rendering, and a second answer would build
    // the page twice).
    let key = move || {
        if cfg!(feature = "ssr") {
            String::new()
        } else {
            location.pathname.get()
        }
    };
    let user = Resource::new(key, |_| who_am_i());
    provide_context(Auth { user });
}

pub const REPORTER: &[Role] = Role::REPORTERS;
pub const DESK: &[Role] = Role::DESK;
pub const ADMIN: &[Role] = Role::ADMINS;
pub const TEAM: &[Role] = Role::TEAM;
pub const ANYONE: &[Role] = Role::ANYONE;

/// Renders `children` for a user with one of `roles` (who is then in the context as
/// `CurrentUser`); sends anyone signed out to sign in, and shows others that they may not.
#[component]
pub fn Guard(roles: &'static [Role], children: ChildrenFn) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let location = use_location();
    // A plain reactive read, not a `Suspend`: Leptos may poll a `Suspend` more than once while
    // rendering on the server, which would build the page, and start its data loads, twice.
    let page = move || {
        auth.user.get().map(|user| match user {
            Ok(Some(user)) if roles.contains(&user.role) => {
                provide_context(user);
                // Untracked: the page is built once, not again whenever a signal it reads
                // while being built changes.
                untrack(|| children()).into_any()
            }
            Ok(Some(_)) => view! { <ErrorPanel error=AppError::Forbidden/> }.into_any(),
            Ok(None) | Err(AppError::Unauthorized) => {
                let here = format!(
                    "{}{}",
                    location.pathname.get_untracked(),
                    location.search.get_untracked()
                );
                let path = crate::paths::login_then(&here);
                view! { <Redirect path/> }.into_any()
            }
            Err(error) => view! { <ErrorPanel error/> }.into_any(),
        })
    };
    view! { <Suspense fallback=Loading>{page}</Suspense> }
}

pub fn current() -> CurrentUser {
    expect_context::<CurrentUser>()
}
