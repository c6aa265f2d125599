//! The frames around pages: the reporter's phone layout and the desk's desktop layout.
use crate::api::accounts::SignOut;
use crate::i18n::*;
use crate::paths;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Link to the other language; a full page load so the server renders it from the cookie.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let href = move || {
        let other = match i18n.get_locale() {
            Locale::zh_CN => Locale::en,
            Locale::en => Locale::zh_CN,
        };
        let here = format!("{}{}", location.pathname.get(), location.search.get());
        paths::handlers::language(other.as_str(), &here)
    };
    view! {
        <a class="lang-switch" href=href rel="external" hreflang=move || if i18n.get_locale() == Locale::en { "zh-CN" } else { "en" }
            aria-label=move || t_string!(i18n, nav.switch_language_label)>
            {t!(i18n, nav.switch_language)}
        </a>
    }
}

#[component]
pub fn SignOutButton(#[prop(optional)] class: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <ActionForm action=sign_out attr:class="inline-form">
            <button type="submit" class=format!("link-button {class}")>{t!(i18n, nav.sign_out)}</button>
        </ActionForm>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Home,
    Help,
    Report,
    Mine,
    None,
}

/// The reporter's phone frame: a title bar, the page, and a tab bar at the thumb.
#[component]
pub fn ReporterShell(
    title: String,
    #[prop(optional)] back: Option<&'static str>,
    tab: Tab,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    // Whose page this is: `/mss.js` sends queued reports only for their own author.
    let user = super::guard::current().id.to_string();
    view! {
        <div class="phone" data-user=user>
            <header class="topbar">
                {back.map(|href| view! {
                    <a class="topbar-back" href=href aria-label=td_string!(i18n.get_locale_untracked(), back)>
                        <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path d="M15 5l-7 7 7 7" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/></svg>
                    </a>
                })}
                <h1 class="topbar-title">{title}</h1>
                <div class="topbar-actions"><LangSwitch/></div>
            </header>
            <super::live::LiveBanner/>
            <main class="phone-main">{children()}</main>
            <nav class="tabbar" aria-label=td_string!(i18n.get_locale_untracked(), app_short)>
                <a href=paths::HOME.path() class="tab" aria-current=(tab == Tab::Home).then_some("page")>
                    <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path d="M4 11l8-7 8 7v9a1 1 0 0 1-1 1h-5v-6h-4v6H5a1 1 0 0 1-1-1z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/></svg>
                    <span>{t!(i18n, nav.home)}</span>
                </a>
                <a href=paths::HELP.path() class="tab" aria-current=(tab == Tab::Help).then_some("page")>
                    <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/><path d="M9.6 9.4a2.5 2.5 0 1 1 3.4 2.3c-.7.3-1 .8-1 1.5v.6M12 16.8v.2" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>
                    <span>{t!(i18n, nav.help)}</span>
                </a>
                <a href=paths::REPORT_NEW.path() class="tab tab-primary" aria-current=(tab == Tab::Report).then_some("page")>
                    <span class="tab-plus" aria-hidden="true">
                        <svg viewBox="0 0 24 24" width="26" height="26"><path d="M12 5v14M5 12h14" stroke="currentColor" stroke-width="2.6" stroke-linecap="round"/></svg>
                    </span>
                    <span>{t!(i18n, nav.report)}</span>
                </a>
                <a href=paths::MY_INCIDENTS.path() class="tab" aria-current=(tab == Tab::Mine).then_some("page")>
                    <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path d="M7 4h10a1 1 0 0 1 1 1v15l-3-2-3 2-3-2-3 2V5a1 1 0 0 1 1-1z M9 9h6M9 13h6" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/></svg>
                    <span>{t!(i18n, nav.mine)}</span>
                </a>
            </nav>
        </div>
    }
}

/// The desk's desktop frame: a top bar with the team's navigation and the signed-in handler.
#[component]
pub fn DeskShell(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let user = super::guard::current();
    let locale = i18n.get_locale_untracked();
    let path = use_location().pathname.get_untracked();
    let mut links = vec![(paths::DESK.path(), td_string!(locale, desk.queue))];
    if user.role.works_desk() {
        links.push((paths::DESK_KB.path(), td_string!(locale, kb.title)));
    }
    if user.role == crate::domain::accounts::Role::Admin {
        links.extend([
            (paths::ADMIN_USERS.path(), td_string!(locale, admin.users)),
            (paths::ADMIN_LISTS.path(), td_string!(locale, admin.lists)),
            (
                paths::ADMIN_REPLIES.path(),
                td_string!(locale, admin.replies),
            ),
            (paths::ADMIN_AUDIT.path(), td_string!(locale, admin.audit)),
            (
                paths::ADMIN_WORDS.path(),
                td_string!(locale, kb.words_title),
            ),
            (
                paths::ADMIN_DELIVERIES.path(),
                td_string!(locale, admin.deliveries),
            ),
        ]);
    }
    view! {
        <div class="desk">
            <header class="desk-bar">
                <a class="desk-brand" href=paths::DESK.path()>
                    <span class="logo" aria-hidden="true">"M"</span>
                    <span>{t!(i18n, app_name)}</span>
                </a>
                <nav class="desk-nav" aria-label=td_string!(i18n.get_locale_untracked(), desk.title)>
                    {links.into_iter().map(|(href, label)| {
                        let here = if href == paths::DESK.path() { path == paths::DESK.path() || path.starts_with(paths::DESK_INCIDENTS.path()) } else { path == href || path.starts_with(&format!("{href}/")) };
                        view! { <a href=href aria-current=here.then_some("page")>{label}</a> }
                    }).collect_view()}
                </nav>
                <div class="desk-user">
                    <button type="button" class="link-button keys-toggle" data-keys-toggle hidden aria-controls="desk-keys">
                        {td_string!(locale, desk.keys)}<kbd>"?"</kbd>
                    </button>
                    <span class="desk-user-name">{user.display_name}</span>
                    <LangSwitch/>
                    <SignOutButton/>
                </div>
            </header>
            <super::live::LiveBanner/>
            <main class="desk-main">{children()}</main>
            <KeysHelp/>
        </div>
    }
}

/// The desk's keyboard shortcuts (`/desk.js`), listed; `?` shows it.
#[component]
fn KeysHelp() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let keys = [
        ("j / k", td_string!(locale, desk.keys_move)),
        ("o", td_string!(locale, desk.keys_open)),
        ("x", td_string!(locale, desk.keys_pick)),
        ("c", td_string!(locale, desk.keys_claim)),
        ("r", td_string!(locale, desk.keys_reply)),
        ("u", td_string!(locale, desk.keys_back)),
        ("?", td_string!(locale, desk.keys_help)),
    ];
    view! {
        <div id="desk-keys" class="keys-help" role="dialog" aria-labelledby="desk-keys-title" hidden>
            <div class="keys-card">
                <h2 id="desk-keys-title">{td_string!(locale, desk.keys_title)}</h2>
                <dl>
                    {keys.into_iter().map(|(k, what)| view! { <dt><kbd>{k}</kbd></dt><dd>{what}</dd> }).collect_view()}
                </dl>
                <button type="button" class="button button-small" data-keys-toggle>{td_string!(locale, desk.keys_close)}</button>
            </div>
        </div>
    }
}
