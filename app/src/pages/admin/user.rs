use super::users::{role_options, GroupBoxes, OnDutyBox};
use super::{form_error, role_text, Kept, Saved};
use crate::api::admin::{
    admin_user, ResetPassword, RevokeToken, SetUserDisabled, UpdateUser, UserView,
};
use crate::components::feedback::{ErrorPanel, FormError, Loading};
use crate::components::fields::{SelectField, TextField};
use crate::components::guard::{Guard, ADMIN};
use crate::components::shell::DeskShell;
use crate::domain::accounts::ApiToken;
use crate::domain::time::format_minute;
use crate::domain::Field;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/admin/users/{login}`: one account: its settings, a new password, disabling it.
#[component]
pub fn AdminUserPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            (
                params.read().get("login").unwrap_or_default(),
                query.read().get("saved"),
            )
        },
        |(login, _)| admin_user(login),
    );
    view! { <Guard roles=ADMIN><DeskShell><UserBody data/></DeskShell></Guard> }
}

#[component]
fn UserBody(data: Resource<Result<UserView, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let locale = i18n.get_locale_untracked();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => {
                        let kept = Kept { fields: view.kept.clone(), saved: query.read_untracked().get("saved") };
                        let u = view.user.clone();
                        let state = match u.disabled_at {
                            Some(at) => td_string!(locale, admin.disabled_since, at = format_minute(at)).to_string(),
                            None => td_string!(locale, admin.active).to_string(),
                        };
                        view! {
                            <a class="back-link" href=paths::ADMIN_USERS.path()>{td_string!(locale, admin.back_to_users)}</a>
                            <div class="desk-head">
                                <h1>{u.display_name.clone()}<span class="head-sub mono">{u.login.clone()}</span></h1>
                                <p>{role_text(u.role, locale)}" · "{state}</p>
                            </div>
                            <div class="admin-grid">
                                <div class="admin-main"><EditUser view=view.clone() kept=kept.clone()/></div>
                                <div class="admin-side-stack">
                                    <PasswordForm login=u.login.clone() kept=kept.clone()/>
                                    <TokensPanel login=u.login.clone() tokens=view.tokens.clone() kept=kept.clone()/>
                                    {(!view.own).then(|| view! { <StateForm login=u.login.clone() disabled=u.disabled_at.is_some() kept=kept.clone()/> })}
                                </div>
                            </div>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditUser(view: UserView, kept: Kept) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let action = ServerAction::<UpdateUser>::new();
    let form = "user.edit";
    let error = form_error(action, &kept, form);
    let u = view.user;
    let ticked = kept.all(form, "groups", &u.groups);
    view! {
        <section class="panel form-panel">
            <h2>{td_string!(locale, admin.settings)}<Saved show=kept.just_saved(form)/></h2>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormError error/>
                <input type="hidden" name="login" value=u.login.clone()/>
                <TextField field=Field::DisplayName label=td_string!(locale, admin.name).to_string() value=kept.text(form, "display_name", &u.display_name) error required=true autocomplete="off"/>
                {if view.own {
                    // One's own role stays (someone must be left to manage accounts).
                    view! {
                        <input type="hidden" name="role" value=u.role.as_str()/>
                        <p class="field-hint">{td_string!(locale, admin.own_role)}</p>
                    }.into_any()
                } else {
                    view! {
                        <SelectField field=Field::Role label=td_string!(locale, admin.role).to_string() options=role_options(locale)
                            value=kept.text(form, "role", u.role.as_str()) error required=true/>
                    }.into_any()
                }}
                <TextField field=Field::WecomUserId label=td_string!(locale, admin.wecom).to_string() value=kept.text(form, "wecom_user_id", u.wecom_user_id.as_deref().unwrap_or_default())
                    error optional=true autocomplete="off" hint=td_string!(locale, admin.wecom_hint).to_string()/>
                <OnDutyBox checked=kept.checked(form, "on_duty", u.on_duty)/>
                <GroupBoxes groups=view.groups ticked/>
                <div class="admin-actions">
                    <button type="submit" class="button button-primary" disabled=move || action.pending().get()>{td_string!(locale, admin.save)}</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn PasswordForm(login: String, kept: Kept) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let action = ServerAction::<ResetPassword>::new();
    let form = "user.password";
    let error = form_error(action, &kept, form);
    view! {
        <section class="panel side-panel">
            <h2>{td_string!(locale, admin.reset_password)}<Saved show=kept.just_saved(form)/></h2>
            <p class="side-lead">{td_string!(locale, admin.reset_lead)}</p>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormError error/>
                <input type="hidden" name="login" value=login/>
                <TextField field=Field::Password kind="password" label=td_string!(locale, admin.new_password).to_string() value="" error required=true autocomplete="new-password"
                    hint=td_string!(locale, admin.password_hint).to_string()/>
                <button type="submit" class="button button-block" disabled=move || action.pending().get()>{td_string!(locale, admin.reset_password)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn StateForm(login: String, disabled: bool, kept: Kept) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let action = ServerAction::<SetUserDisabled>::new();
    let form = "user.state";
    let error = form_error(action, &kept, form);
    let (lead, label, class) = if disabled {
        (
            td_string!(locale, admin.enable_lead),
            td_string!(locale, admin.enable),
            "button button-block",
        )
    } else {
        (
            td_string!(locale, admin.disable_lead),
            td_string!(locale, admin.disable),
            "button button-block button-danger",
        )
    };
    view! {
        <section class="panel side-panel">
            <h2>{td_string!(locale, admin.state)}<Saved show=kept.just_saved(form)/></h2>
            <p class="side-lead">{lead}</p>
            <ActionForm action=action attr:class="form">
                <FormError error/>
                <input type="hidden" name="login" value=login/>
                <input type="hidden" name="disabled" value=(!disabled).to_string()/>
                <button type="submit" class=class disabled=move || action.pending().get()>{label}</button>
            </ActionForm>
        </section>
    }
}

/// The account's REST API tokens: when each was made and last used, when it expires; revoking a
/// live one. (They are made with `mss token create`, which shows the secret once.)
#[component]
fn TokensPanel(login: String, tokens: Vec<ApiToken>, kept: Kept) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let action = ServerAction::<RevokeToken>::new();
    let form = "user.tokens";
    let error = form_error(action, &kept, form);
    let now = chrono::Utc::now();
    let empty = tokens.is_empty();
    view! {
        <section class="panel side-panel">
            <h2>{td_string!(locale, admin.tokens)}<Saved show=kept.just_saved(form)/></h2>
            <p class="side-lead">{td_string!(locale, admin.tokens_lead)}</p>
            <FormError error/>
            {empty.then(|| view! { <p class="empty-line">{td_string!(locale, admin.tokens_none)}</p> })}
            <ul class="token-list">
                {tokens.into_iter().map(|t| {
                    let login = login.clone();
                    let live = t.live(now);
                    let state = if t.revoked {
                        td_string!(locale, admin.token_revoked).to_string()
                    } else if !live {
                        td_string!(locale, admin.token_expired).to_string()
                    } else {
                        td_string!(locale, admin.token_live).to_string()
                    };
                    let used = t.last_used_at.map(format_minute).unwrap_or_else(|| td_string!(locale, admin.token_never_used).to_string());
                    let expires = t.expires_at.map(format_minute).unwrap_or_else(|| td_string!(locale, admin.token_no_expiry).to_string());
                    let label = if t.label.is_empty() { format!("#{}", t.id) } else { format!("{} · #{}", t.label, t.id) };
                    view! {
                        <li class="token" class:token-dead=!live>
                            <div class="token-head"><strong>{label}</strong><span class="token-state">{state}</span></div>
                            <dl class="token-facts">
                                <dt>{td_string!(locale, admin.token_created)}</dt><dd>{format_minute(t.created_at)}</dd>
                                <dt>{td_string!(locale, admin.token_last_used)}</dt><dd>{used}</dd>
                                <dt>{td_string!(locale, admin.token_expires)}</dt><dd>{expires}</dd>
                            </dl>
                            {live.then(|| view! {
                                <ActionForm action=action attr:class="token-revoke">
                                    <input type="hidden" name="login" value=login.clone()/>
                                    <input type="hidden" name="id" value=t.id.to_string()/>
                                    <button type="submit" class="button button-small button-danger" disabled=move || action.pending().get()>{td_string!(locale, admin.token_revoke)}</button>
                                </ActionForm>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
