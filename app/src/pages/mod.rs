//! One folder (or file) per module, named as in `domain/`, `api/` and `server/`.
pub mod accounts;
pub mod admin;
pub mod desk;
pub mod knowledge;
pub mod not_found;
pub mod report;

/// A route whose page the browser loads only when it is shown: `cargo leptos --split` cuts the
/// page's code (and what only it uses) into wasm chunks of its own, so a phone downloads the page
/// it shows, not the desk, the admin or the other pages. The page loads its own data as before; on
/// the first visit the server has rendered it, and hydration waits for the chunks. A chunk is
/// named after its route, so route names are unique in the app.
///   `lazy_page!(QueueRoute, queue::QueuePage);` then `<Route … view={Lazy::<desk::QueueRoute>::new()}/>`
macro_rules! lazy_page {
    ($route:ident, $page:path) => {
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> leptos::prelude::AnyView {
                leptos::prelude::IntoAny::into_any($page())
            }
        }
    };
}
pub(crate) use lazy_page;
