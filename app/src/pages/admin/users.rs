use super::{admin_page, form_error, role_text, Kept, Saved};
use crate::api::admin::{admin_users, CreateUser, UsersView};
use crate::components::feedback::{Empty, FormError};
use crate::components::fields::{SelectField, TextField};
use crate::components::guard::{Guard, ADMIN};
use crate::components::shell::DeskShell;
use crate::domain::accounts::Role;
use crate::domain::admin::ListEntry;
use crate::domain::Field;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/admin/users[?q=…]`: every account, a search, and a form for a new one.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let q = query.read();
            (q.get("q").unwrap_or_default(), q.get("saved"))
        },
        |(search, _)| admin_users(search),
    );
    view! { <Guard roles=ADMIN><DeskShell><UsersBody data/></DeskShell></Guard> }
}

#[component]
fn UsersBody(data: Resource<Result<UsersView, AppError>>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let query = use_query_map();
    admin_page(
        td_string!(locale, admin.users),
        td_string!(locale, admin.users_lead),
        data,
        |v| v.kept.clone(),
        move |view, kept| {
            let search = query.read_untracked().get("q").unwrap_or_default();
            view! {
                <div class="admin-grid">
                    <div class="admin-main">
                        <form class="admin-search panel" method="get" action=paths::ADMIN_USERS.path() role="search">
                            <label class="filter filter-search">
                                <span>{td_string!(locale, admin.user_search)}</span>
                                <input type="search" name="q" value=search.clone() placeholder=td_string!(locale, admin.user_search_hint) autocomplete="off"/>
                            </label>
                            <button type="submit" class="button">{td_string!(locale, desk.search)}</button>
                        </form>
                        <Saved show=kept.just_saved("user.new")/>
                        <UserTable view=view.clone() searching=!search.is_empty()/>
                    </div>
                    <NewUser groups=view.groups.clone() kept/>
                </div>
            }
        },
    )
}

pub fn group_names(codes: &[String], groups: &[ListEntry], locale: Locale) -> String {
    codes
        .iter()
        .map(|c| {
            groups
                .iter()
                .find(|g| &g.code == c)
                .map(|g| {
                    if locale == Locale::en {
                        g.name_en.clone()
                    } else {
                        g.name_zh.clone()
                    }
                })
                .unwrap_or_else(|| c.clone())
        })
        .collect::<Vec<_>>()
        .join("、")
}

#[component]
fn UserTable(view: UsersView, searching: bool) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    if view.users.is_empty() {
        let lead = if searching {
            td_string!(locale, admin.users_none_found)
        } else {
            td_string!(locale, admin.users_none)
        };
        return view! { <div class="panel"><Empty title=td_string!(locale, admin.users_empty).to_string() lead=lead.to_string()/></div> }.into_any();
    }
    let groups = view.groups.clone();
    view! {
        <div class="panel">
            <table class="queue admin-table">
                <thead><tr>
                    <th scope="col">{td_string!(locale, admin.name)}</th>
                    <th scope="col">{td_string!(locale, admin.login)}</th>
                    <th scope="col">{td_string!(locale, admin.role)}</th>
                    <th scope="col">{td_string!(locale, admin.groups)}</th>
                    <th scope="col">{td_string!(locale, admin.wecom)}</th>
                    <th scope="col">{td_string!(locale, admin.state)}</th>
                </tr></thead>
                <tbody>
                    {view.users.into_iter().map(|u| {
                        let href = paths::admin_user(&u.login);
                        let disabled = u.disabled_at.is_some();
                        view! {
                            <tr class="queue-row" class:row-disabled=disabled>
                                <td><a class="incident-number" href=href>{u.display_name.clone()}</a></td>
                                <td class="mono">{u.login.clone()}</td>
                                <td>{role_text(u.role, locale)}{u.on_duty.then(|| view! { <span class="chip chip-duty">{td_string!(locale, admin.on_duty_short)}</span> })}</td>
                                <td>{group_names(&u.groups, &groups, locale)}</td>
                                <td class="mono">{u.wecom_user_id.clone().unwrap_or_default()}</td>
                                <td>{if disabled {
                                    view! { <span class="badge badge-closed">{td_string!(locale, admin.disabled)}</span> }.into_any()
                                } else {
                                    view! { <span class="badge badge-answered">{td_string!(locale, admin.active)}</span> }.into_any()
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

pub fn role_options(locale: Locale) -> Vec<(String, String)> {
    Role::ALL
        .into_iter()
        .map(|r| (r.as_str().to_owned(), role_text(r, locale).to_owned()))
        .collect()
}

/// "On duty": mentioned by the robot for P1 and urgent incidents.
#[component]
pub fn OnDutyBox(checked: bool) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    view! {
        <div class="field">
            <label class="check">
                <input type="checkbox" name="on_duty" value="on" checked=checked/>
                <span>{td_string!(locale, admin.on_duty)}</span>
            </label>
            <p class="field-hint">{td_string!(locale, admin.on_duty_hint)}</p>
        </div>
    }
}

/// Tick boxes for the transfer groups (`groups[i]`, as the server function reads a list).
#[component]
pub fn GroupBoxes(groups: Vec<ListEntry>, ticked: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <fieldset class="field group-boxes">
            <legend>{td_string!(locale, admin.groups)}</legend>
            <p class="field-hint">{td_string!(locale, admin.groups_hint)}</p>
            <div class="checks">
                {groups.into_iter().enumerate().map(|(i, g)| {
                    let checked = ticked.contains(&g.code);
                    let name = if locale == Locale::en { g.name_en.clone() } else { g.name_zh.clone() };
                    view! {
                        <label class="check">
                            <input type="checkbox" name=format!("groups[{i}]") value=g.code.clone() checked=checked/>
                            <span>{name}{(!g.active).then(|| format!(" ({})", td_string!(locale, admin.retired)))}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    }
}

#[component]
fn NewUser(groups: Vec<ListEntry>, kept: Kept) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let action = ServerAction::<CreateUser>::new();
    let form = "user.new";
    let error = form_error(action, &kept, form);
    let ticked = kept.all(form, "groups", &[]);
    view! {
        <section class="panel side-panel admin-side">
            <h2>{td_string!(locale, admin.new_user)}</h2>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormError error/>
                <TextField field=Field::Login scope="new" label=td_string!(locale, admin.login).to_string() value=kept.text(form, "login", "") error required=true autocomplete="off"/>
                <TextField field=Field::DisplayName scope="new" label=td_string!(locale, admin.name).to_string() value=kept.text(form, "display_name", "") error required=true autocomplete="off"/>
                <SelectField field=Field::Role label=td_string!(locale, admin.role).to_string() options=role_options(locale)
                    value=kept.text(form, "role", "reporter") error required=true/>
                <TextField field=Field::Password scope="new" kind="password" label=td_string!(locale, admin.initial_password).to_string() value="" error required=true autocomplete="new-password"
                    hint=td_string!(locale, admin.password_hint).to_string()/>
                <TextField field=Field::WecomUserId scope="new" label=td_string!(locale, admin.wecom).to_string() value=kept.text(form, "wecom_user_id", "") error optional=true autocomplete="off"
                    hint=td_string!(locale, admin.wecom_hint).to_string()/>
                <OnDutyBox checked=kept.checked(form, "on_duty", false)/>
                <GroupBoxes groups ticked/>
                <button type="submit" class="button button-primary button-block" disabled=move || action.pending().get()>{td_string!(locale, admin.create)}</button>
            </ActionForm>
        </section>
    }
}
