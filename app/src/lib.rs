//! MSS, the mobile incident reporting app: every page, component and server function, shared by
//! the server build (`ssr`) and the browser build (`hydrate`).
#![recursion_limit = "512"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;
pub mod paths;
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
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    Lazy, ParamSegment, SsrMode,
};
use pages::accounts::LoginPage;
use pages::not_found::NotFoundPage;
use pages::report::{
    home::HomePage, incident::ReporterIncidentPage, mine::MyIncidentsPage, new::ReportPage,
    submitted::SubmittedPage,
};
use pages::{admin, desk, knowledge};
use paths::routes;

/// Loads the wasm and hydrates the page only once it has painted: the page is complete and
/// readable as the server sent it (forms post without it), so nothing the first paint needs waits
/// for the wasm, and on a slow link its download does not compete with the stylesheet. (Leptos's
/// `HydrationScripts` preloads the wasm at high priority in the head instead.) The one inline
/// script carries the request's nonce. A lazy route's chunks (the desk, the admin) are asked
/// for by the main module as hydration reaches the page, not preloaded in the head: a preload
/// would compete with the stylesheet too.
#[component]
fn Hydration(options: LeptosOptions) -> impl IntoView {
    // `hash.txt` does not change while the server runs: the script is written once.
    static SCRIPT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let script = SCRIPT.get_or_init(|| {
        let (js, wasm) = bundle_names(&options);
        let pkg = &options.site_pkg_dir;
        format!(
            "const start=()=>import(\"/{pkg}/{js}.js\").then(m=>m.default({{module_or_path:\"/{pkg}/{wasm}.wasm\"}}).then(()=>m.hydrate()));\
             requestAnimationFrame(()=>requestAnimationFrame(start));"
        )
    });
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script.as_str()}</script> }
}

/// The names of the browser bundle's JS and wasm: hashed when cargo-leptos hashed them (its
/// `hash.txt` beside the server), as Leptos's own `HydrationScripts` finds them.
fn bundle_names(options: &LeptosOptions) -> (String, String) {
    let name = options.output_name.to_string();
    let plain_wasm = if option_env!("LEPTOS_OUTPUT_NAME").is_none() {
        format!("{name}_bg")
    } else {
        name.clone()
    };
    if !options.hash_files {
        return (name, plain_wasm);
    }
    let hashes = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())))
        .and_then(|file| std::fs::read_to_string(file).ok())
        .unwrap_or_default();
    let hash = |kind: &str| {
        hashes
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(k, _)| k.trim() == kind)
            .map(|(_, h)| h.trim().to_owned())
    };
    match (hash("js"), hash("wasm")) {
        (Some(js), Some(wasm)) => (format!("{name}.{js}"), format!("{name}.{wasm}")),
        _ => (name, plain_wasm),
    }
}

/// Where the page loads one of the site's own scripts from: its hashed name (see
/// `server::infra::assets`), or the plain one where there is none.
fn script_url(name: &str) -> String {
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<server::AppState>() {
        return state.assets.url(name);
    }
    format!("/{name}")
}

/// The HTML document around the app (server only renders it). The stylesheet comes first: the
/// page paints with it alone, and the wasm (hydration) follows.
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
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <Hydration options/>
                // Photos, drafts and the offline queue of the report form (see `pages::report::new`).
                <script type="module" src=script_url("mss.js")></script>
                // The desk's keyboard shortcuts and bulk picking (see `components::shell::DeskShell`).
                <script type="module" src=script_url("desk.js")></script>
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
/// codes are real HTTP ones and a browser without JavaScript gets a complete page. The reporter's
/// pages (and sign-in) are in the main wasm; the desk's and the admin's are lazy routes
/// (`pages::lazy_page!`), wasm chunks of their own, so what a phone downloads does not grow with
/// the back office or the modules to come.
#[component]
fn AppRoutes() -> impl IntoView {
    provide_auth();
    crate::components::live::provide_live();
    let ssr = SsrMode::Async;
    view! {
        <Routes fallback=NotFoundPage>
            <Route path=routes::LOGIN view=LoginPage ssr=ssr.clone()/>
            <Route path=routes::HOME view=HomePage ssr=ssr.clone()/>
            <Route path=routes::REPORT_NEW view=ReportPage ssr=ssr.clone()/>
            <Route path=(routes::SUBMITTED, ParamSegment("number")) view=SubmittedPage ssr=ssr.clone()/>
            <Route path=routes::MY_INCIDENTS view=MyIncidentsPage ssr=ssr.clone()/>
            <Route path=(routes::MY_INCIDENTS, ParamSegment("number")) view=ReporterIncidentPage ssr=ssr.clone()/>
            <Route path=routes::DESK view={Lazy::<desk::QueueRoute>::new()} ssr=ssr.clone()/>
            <Route path=(routes::DESK_INCIDENTS, ParamSegment("number")) view={Lazy::<desk::DeskIncidentRoute>::new()} ssr=ssr.clone()/>
            <Route path=routes::ADMIN_USERS view={Lazy::<admin::UsersRoute>::new()} ssr=ssr.clone()/>
            <Route path=(routes::ADMIN_USERS, ParamSegment("login")) view={Lazy::<admin::UserRoute>::new()} ssr=ssr.clone()/>
            <Route path=routes::ADMIN_LISTS view={Lazy::<admin::ListsRoute>::new()} ssr=ssr.clone()/>
            <Route path=routes::ADMIN_REPLIES view={Lazy::<admin::RepliesRoute>::new()} ssr=ssr.clone()/>
            <Route path=routes::ADMIN_AUDIT view={Lazy::<admin::AuditRoute>::new()} ssr=ssr.clone()/>
            <Route path=routes::ADMIN_DELIVERIES view={Lazy::<admin::DeliveriesRoute>::new()} ssr=ssr.clone()/>
            <Route path=routes::DESK_KB view={Lazy::<knowledge::DeskArticlesRoute>::new()} ssr=ssr.clone()/>
            <Route path=routes::DESK_KB_NEW view={Lazy::<knowledge::NewArticleRoute>::new()} ssr=ssr.clone()/>
            <Route path=routes::DESK_KB_HOT view={Lazy::<knowledge::HotRoute>::new()} ssr=ssr.clone()/>
            <Route path=(routes::DESK_KB, ParamSegment("id")) view={Lazy::<knowledge::EditArticleRoute>::new()} ssr=ssr.clone()/>
            <Route path=routes::ADMIN_WORDS view={Lazy::<knowledge::SearchWordsRoute>::new()} ssr=ssr.clone()/>
            <Route path=routes::HELP view={Lazy::<knowledge::HelpRoute>::new()} ssr=ssr.clone()/>
            <Route path=routes::HELP_SEARCH view={Lazy::<knowledge::HelpSearchRoute>::new()} ssr=ssr.clone()/>
            <Route path=(routes::HELP_SYSTEMS, ParamSegment("code")) view={Lazy::<knowledge::HelpListRoute>::new()} ssr=ssr.clone()/>
            <Route path=(routes::HELP_ARTICLES, ParamSegment("id")) view={Lazy::<knowledge::HelpArticleRoute>::new()} ssr/>
        </Routes>
    }
}
