use crate::api::accounts::{kept_sign_in, sign_in_options, SignIn};
use crate::components::feedback::{FormError, Loading};
use crate::components::fields::{SubmitButton, TextField};
use crate::components::guard::Auth;
use crate::components::shell::LangSwitch;
use crate::domain::accounts::{safe_next, Login};
use crate::domain::Field;
use crate::i18n::*;
use crate::paths;
use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_query_map};

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let kept = Resource::new(|| (), |_| kept_sign_in());
    let options = Resource::new(|| (), |_| sign_in_options());
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    // A refused password is cleared, as the page without JavaScript does by reloading.
    let password = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let (Some(Err(_)), Some(input)) = (action.value().get(), password.get()) {
            input.set_value("");
        }
    });
    let banner = Signal::derive(move || {
        error.get().filter(|e| {
            e.reason_for(Field::Login).is_none() && e.reason_for(Field::Password).is_none()
        })
    });
    view! {
        <main class="auth">
            <div class="auth-lang"><LangSwitch/></div>
            <div class="auth-card">
                <div class="auth-brand">
                    <span class="logo logo-lg" aria-hidden="true">"M"</span>
                    <p class="auth-app">{t!(i18n, app_name)}</p>
                    <p class="auth-sub">{t!(i18n, login.subtitle)}</p>
                </div>
                <h1 class="auth-title">{t!(i18n, login.title)}</h1>
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        // Someone already signed in goes straight home.
                        if let Ok(Some(user)) = auth.user.await {
                            let to = safe_next(query.read_untracked().get("next").as_deref()).unwrap_or_else(|| user.role.home().to_owned());
                            return view! { <Redirect path=to/> }.into_any();
                        }
                        let kept = kept.await.ok().flatten().unwrap_or_default();
                        let wecom = options.await.map(|o| o.wecom).unwrap_or(false);
                        let next = query.read_untracked().get("next").or(kept.next).unwrap_or_default();
                        let locale = i18n.get_locale_untracked();
                        // Back from WeCom without being signed in: why, in words.
                        let wecom_problem = query.read_untracked().get("wecom").map(|reason| match reason.as_str() {
                            "unknown" => td_string!(locale, login.wecom_unknown),
                            "expired" => td_string!(locale, login.wecom_expired),
                            "off" => td_string!(locale, login.wecom_off),
                            _ => td_string!(locale, login.wecom_failed),
                        });
                        let wecom_link = paths::handlers::wecom_sign_in(&next);
                        view! {
                            {wecom_problem.map(|text| view! { <div class="form-error" role="alert">{text}</div> })}
                            {wecom.then(|| view! {
                                <a class="button button-wecom button-block" href=wecom_link rel="external">{t!(i18n, login.wecom)}</a>
                                <p class="auth-or"><span>{t!(i18n, login.or_password)}</span></p>
                            })}
                            <ActionForm action=action attr:class="form" attr:novalidate=true>
                                <FormError error=banner/>
                                <input type="hidden" name="next" value=next/>
                                <TextField field=Field::Login label=td_string!(i18n.get_locale_untracked(), login.login).to_string()
                                    value=kept.login error autocomplete="username" required=true
                                    placeholder=td_string!(i18n.get_locale_untracked(), login.login_placeholder).to_string()
                                    check=|v: String| Login::parse(&v).err()/>
                                <TextField field=Field::Password label=td_string!(i18n.get_locale_untracked(), login.password).to_string()
                                    value="" error kind="password" autocomplete="current-password" required=true node_ref=password/>
                                <SubmitButton pending=action.pending()
                                    label=td_string!(i18n.get_locale_untracked(), login.submit).to_string()
                                    pending_label=td_string!(i18n.get_locale_untracked(), login.submitting).to_string()/>
                            </ActionForm>
                        }.into_any()
                    })}
                </Suspense>
                <p class="auth-foot">{t!(i18n, login.footer)}</p>
            </div>
        </main>
    }
}
