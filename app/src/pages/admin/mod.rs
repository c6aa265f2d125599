//! The admin's pages: accounts, the desk's lists, canned replies with service levels, and the
//! audit trail. Desktop pages in the desk's frame; every form is a plain post underneath.
pub mod audit;
pub mod deliveries;
pub mod lists;
pub mod replies;
pub mod user;
pub mod users;

super::lazy_page!(UsersRoute, users::AdminUsersPage);
super::lazy_page!(UserRoute, user::AdminUserPage);
super::lazy_page!(ListsRoute, lists::AdminListsPage);
super::lazy_page!(RepliesRoute, replies::AdminRepliesPage);
super::lazy_page!(AuditRoute, audit::AdminAuditPage);
super::lazy_page!(DeliveriesRoute, deliveries::AdminDeliveriesPage);

use crate::api::desk::KeptFields;
use crate::domain::accounts::Role;
use crate::domain::Field;
use crate::error::reason_message;
use crate::i18n::*;
use crate::AppError;
use leptos::prelude::*;

pub fn role_text(role: Role, locale: Locale) -> &'static str {
    match role {
        Role::Reporter => td_string!(locale, admin.role_reporter),
        Role::Member => td_string!(locale, admin.role_member),
        Role::Handler => td_string!(locale, admin.role_handler),
        Role::Admin => td_string!(locale, admin.role_admin),
    }
}

/// What a refused plain post left for one of the page's forms, and which form was just saved.
#[derive(Clone, Default)]
pub struct Kept {
    pub fields: KeptFields,
    pub saved: Option<String>,
}

impl Kept {
    /// What the input `name` of form `form` shows: what was typed, if that form was refused.
    pub fn text(&self, form: &str, name: &str, current: &str) -> String {
        if self.fields.action == form {
            self.fields.value(form, name)
        } else {
            current.to_owned()
        }
    }

    pub fn checked(&self, form: &str, name: &str, current: bool) -> bool {
        if self.fields.action == form {
            self.fields
                .texts
                .iter()
                .any(|(n, v)| n == name && !v.is_empty())
        } else {
            current
        }
    }

    /// Every value of a multi-valued input (ticked groups).
    pub fn all(&self, form: &str, name: &str, current: &[String]) -> Vec<String> {
        if self.fields.action == form {
            self.fields
                .texts
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .collect()
        } else {
            current.to_vec()
        }
    }

    /// Whether an error in the URL (a refused plain post) belongs to this form.
    pub fn owns_error(&self, form: &str) -> bool {
        self.fields.action.is_empty() || self.fields.action == form
    }

    pub fn just_saved(&self, form: &str) -> bool {
        self.saved.as_deref() == Some(form)
    }
}

/// The last error of `action`'s submission, when it belongs to form `form`.
pub fn form_error<A>(action: ServerAction<A>, kept: &Kept, form: &str) -> Signal<Option<AppError>>
where
    A: leptos::server_fn::ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    let mine = kept.owns_error(form);
    Signal::derive(move || {
        if mine {
            action.value().get().and_then(Result::err)
        } else {
            None
        }
    })
}

/// A small labelled input for the rows of a list, with its own error beneath.
#[component]
pub fn CellInput(
    field: Field,
    label: String,
    #[prop(into)] value: String,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] readonly: bool,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let reason = move || error.get().and_then(|e| e.reason_for(field));
    view! {
        <label class=format!("cell {class}") class:field-invalid=move || reason().is_some()>
            <span class="cell-label">{label}</span>
            <input name=field.as_str() type=kind value=value readonly=readonly
                aria-invalid=move || reason().is_some().then_some("true")/>
            <span class="field-error" aria-live="polite">{move || reason().map(|r| reason_message(r, i18n.get_locale()))}</span>
        </label>
    }
}

/// "已保存" beside a form that was just saved.
#[component]
pub fn Saved(show: bool) -> impl IntoView {
    let i18n = use_i18n();
    show.then(|| view! { <span class="saved" role="status">{t!(i18n, admin.saved)}</span> })
}

/// An admin page's body: its head, then `render` with the page's data and what a refused form
/// left (or the error, or the loading state).
pub fn admin_page<T, V>(
    title: &'static str,
    lead: &'static str,
    data: Resource<Result<T, AppError>>,
    kept: fn(&T) -> KeptFields,
    render: impl Fn(T, Kept) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    let query = leptos_router::hooks::use_query_map();
    view! {
        <AdminHead title=title.to_owned() lead=lead.to_owned()/>
        <Suspense fallback=crate::components::feedback::Loading>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => {
                            let k = Kept { fields: kept(&value), saved: query.read_untracked().get("saved") };
                            render(value, k).into_any()
                        }
                        Err(error) => view! { <crate::components::feedback::ErrorPanel error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The page's title and lead, in the desk's style.
#[component]
pub fn AdminHead(title: String, lead: String) -> impl IntoView {
    view! {
        <div class="desk-head">
            <h1>{title}</h1>
            <p>{lead}</p>
        </div>
    }
}

/// A row's error that is not about one of its inputs (those show beside the input).
#[component]
pub fn RowError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let other = Signal::derive(move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Validation { .. }))
    });
    view! { <div class="list-row-error"><crate::components::feedback::FormError error=other/></div> }
}

/// A row's save button ("添加" on the row for a new entry), and "已保存" once it was.
#[component]
pub fn RowSave(is_new: bool, #[prop(into)] pending: Signal<bool>, saved: bool) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let (class, label) = if is_new {
        (
            "button button-primary button-small",
            td_string!(locale, admin.add),
        )
    } else {
        ("button button-small", td_string!(locale, admin.save))
    };
    view! {
        <div class="cell cell-save">
            <button type="submit" class=class disabled=move || pending.get()>{label}</button>
            <Saved show=saved/>
        </div>
    }
}

/// A row's "in use" box: unticked, the entry is retired (kept, no longer offered).
#[component]
pub fn InUse(checked: bool) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    view! {
        <label class="cell cell-check">
            <span class="cell-label">{td_string!(locale, admin.in_use)}</span>
            <input type="checkbox" name="active" value="on" checked=checked/>
        </label>
    }
}
