//! MSS, the mobile incident reporting app: every page, component and server function, shared by
//! the server build (`ssr`) and the browser build (`hydrate`).
#![recursion_limit = "512"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

/// Generated from `locales/*.json` by `build.rs`; `i18n::Locale`, `t!`, `td_string!`, ….
#[allow(clippy::new_ret_no_self, clippy::wrong_self_convention)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}
pub use generated::i18n;

pub use error::AppError;

use components::guard::provide_auth;
use i18n::*;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};
use pages::admin::{
    audit::AdminAuditPage, deliveries::AdminDeliveriesPage, lists::AdminListsPage, replies::AdminRepliesPage, user::AdminUserPage, users::AdminUsersPage,
};
use pages::desk::{incident::DeskIncidentPage, queue::QueuePage};
use pages::login::LoginPage;
use pages::not_found::NotFoundPage;
use pages::reporter::{
    home::HomePage, incident::ReporterIncidentPage, mine::MyIncidentsPage, report::ReportPage,
    submitted::SubmittedPage,
};

/// The HTML document around the app (server only renders it).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="theme-color" content="#1765e6"/>
                <meta name="format-detection" content="telephone=no"/>
                <link rel="icon" href="/favicon.ico"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                // Photos, drafts and the offline queue of the report form (see `pages::reporter::report`).
                <script type="module" src="/mss.js"></script>
                // The desk's keyboard shortcuts and bulk picking (see `components::shell::DeskShell`).
                <script type="module" src="/desk.js"></script>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <I18nContextProvider>
            <Stylesheet id="leptos" href="/pkg/mss.css"/>
            <AppTitle/>
            <ScriptStrings/>
            <Router>
                <AppRoutes/>
            </Router>
        </I18nContextProvider>
    }
}

#[component]
fn AppTitle() -> impl IntoView {
    // A plain string: the title is read once more after the page's reactive owner is gone (when
    // the meta tags are injected), and the language only changes with a full page load.
    let i18n = use_i18n();
    view! { <Title text=td_string!(i18n.get_locale_untracked(), app_name).to_string()/> }
}

/// The sentences `/mss.js` shows, in the page's language (every string lives in the locale files).
#[component]
fn ScriptStrings() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <div id="mss-i18n" hidden
            data-queued=td_string!(l, script.queued)
            data-sent=td_string!(l, script.sent)
            data-view=td_string!(l, script.view)
            data-uploading=td_string!(l, script.uploading)
            data-photo-remove=td_string!(l, script.photo_remove)
            data-photo-bad=td_string!(l, script.photo_bad)
            data-photo-too-many=td_string!(l, script.photo_too_many)
            data-queued-failed=td_string!(l, script.queued_failed)></div>
    }
}

/// Every page is rendered whole before it is sent (`SsrMode::Async`), so redirects and status
/// codes are real HTTP ones and a browser without JavaScript gets a complete page.
#[component]
fn AppRoutes() -> impl IntoView {
    provide_auth();
    crate::components::live::provide_live();
    let ssr = SsrMode::Async;
    view! {
        <Routes fallback=NotFoundPage>
            <Route path=path!("/login") view=LoginPage ssr=ssr.clone()/>
            <Route path=path!("/") view=HomePage ssr=ssr.clone()/>
            <Route path=path!("/report/new") view=ReportPage ssr=ssr.clone()/>
            <Route path=path!("/report/submitted/:number") view=SubmittedPage ssr=ssr.clone()/>
            <Route path=path!("/incidents") view=MyIncidentsPage ssr=ssr.clone()/>
            <Route path=path!("/incidents/:number") view=ReporterIncidentPage ssr=ssr.clone()/>
            <Route path=path!("/desk") view=QueuePage ssr=ssr.clone()/>
            <Route path=path!("/desk/incidents/:number") view=DeskIncidentPage ssr=ssr.clone()/>
            <Route path=path!("/admin/users") view=AdminUsersPage ssr=ssr.clone()/>
            <Route path=path!("/admin/users/:login") view=AdminUserPage ssr=ssr.clone()/>
            <Route path=path!("/admin/lists") view=AdminListsPage ssr=ssr.clone()/>
            <Route path=path!("/admin/replies") view=AdminRepliesPage ssr=ssr.clone()/>
            <Route path=path!("/admin/audit") view=AdminAuditPage ssr=ssr.clone()/>
            <Route path=path!("/admin/deliveries") view=AdminDeliveriesPage ssr/>
        </Routes>
    }
}
