//! Loading, empty and error states.
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="state state-loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>{t!(i18n, loading)}</span>
        </div>
    }
}

/// An empty list: what it means and what to do.
#[component]
pub fn Empty(
    title: String,
    lead: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="state state-empty">
            <div class="state-icon" aria-hidden="true">
                <svg viewBox="0 0 48 48" width="48" height="48"><rect x="8" y="12" width="32" height="26" rx="4" fill="none" stroke="currentColor" stroke-width="2.5"/><path d="M8 22h10l3 4h6l3-4h10" fill="none" stroke="currentColor" stroke-width="2.5"/></svg>
            </div>
            <p class="state-title">{title}</p>
            <p class="state-lead">{lead}</p>
            {children.map(|c| c())}
        </div>
    }
}

/// A whole-page error: what went wrong and a way on. Sets the HTTP status when server-rendered.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    super::set_status(error.status());
    let signed_out = matches!(error, AppError::Unauthorized);
    let message = error.message(i18n.get_locale_untracked());
    view! {
        <div class="state state-error" role="alert">
            <div class="state-icon" aria-hidden="true">
                <svg viewBox="0 0 48 48" width="48" height="48"><circle cx="24" cy="24" r="18" fill="none" stroke="currentColor" stroke-width="2.5"/><path d="M24 14v13M24 32v2" stroke="currentColor" stroke-width="3" stroke-linecap="round"/></svg>
            </div>
            <p class="state-title">{t!(i18n, errors.title)}</p>
            <p class="state-lead">{message}</p>
            {if signed_out {
                view! { <a class="button button-primary" href=paths::LOGIN.path() rel="external">{t!(i18n, login.submit)}</a> }.into_any()
            } else {
                view! { <a class="button" href=paths::HOME.path() rel="external">{t!(i18n, errors.home)}</a> }.into_any()
            }}
        </div>
    }
}

/// The banner above a form: the error of its last submission, translated.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|e| {
            view! { <div class="form-error" role="alert">{e.message(i18n.get_locale())}</div> }
        })
    }
}
