//! The admin's server functions: accounts, the desk's lists, canned replies, service-level
//! targets, and the search of the audit trail. Admins only; every change is audited.
//!
//! Each change redirects to its page with `?saved=<form>` (the page says so beside that form).
//! A refused plain post (no JavaScript) keeps what was typed for the page to show again.
use crate::api::desk::KeptFields;
use crate::domain::admin::{
    AuditQuery, AuditRow, CannedForm, CannedRow, ListEntry, ListEntryForm, SlaForm, SlaRow,
    UserForm, UserRow,
};
use crate::domain::incident::views::Page;
use crate::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a refused admin form's values are kept (one at a time).
pub const ADMIN_FORM: &str = "admin";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsersView {
    pub users: Vec<UserRow>,
    /// The transfer groups an account may join.
    pub groups: Vec<ListEntry>,
    pub kept: KeptFields,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub user: UserRow,
    pub groups: Vec<ListEntry>,
    /// Its REST API tokens, oldest first.
    pub tokens: Vec<crate::domain::accounts::ApiToken>,
    /// The viewer's own account: its role and state are not theirs to change here.
    pub own: bool,
    pub kept: KeptFields,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListsView {
    pub entries: Vec<ListEntry>,
    pub kept: KeptFields,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepliesView {
    pub canned: Vec<CannedRow>,
    pub sla: Vec<SlaRow>,
    pub kept: KeptFields,
}

/// A form's values as text, for showing them again (never a password).
#[cfg(feature = "ssr")]
fn texts<T: Serialize>(form: &T) -> Vec<(String, String)> {
    use serde_json::Value;
    let Ok(Value::Object(map)) = serde_json::to_value(form) else {
        return Vec::new();
    };
    map.into_iter()
        .filter(|(k, _)| k != "password")
        .flat_map(|(k, v)| match v {
            Value::String(s) => vec![(k, s)],
            Value::Array(items) => items
                .into_iter()
                .filter_map(|i| i.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// Finishes an admin change: on success to `page?saved=<form_id>`; on failure keeps the values
/// of a plain post for the page to show again, and returns the error.
#[cfg(feature = "ssr")]
async fn finish<T: Serialize>(
    result: Result<(), AppError>,
    page: &str,
    form_id: &str,
    form: &T,
) -> Result<(), AppError> {
    use crate::server::infra::forms;
    match result {
        Ok(()) => {
            forms::forget(ADMIN_FORM).await?;
            let join = if page.contains('?') { '&' } else { '?' };
            leptos_axum::redirect(&format!(
                "{page}{join}saved={}",
                crate::paths::encode_query(form_id)
            ));
            Ok(())
        }
        Err(e) => {
            forms::keep_for_retry(
                ADMIN_FORM,
                &KeptFields {
                    action: form_id.to_owned(),
                    texts: texts(form),
                },
            )
            .await?;
            Err(e)
        }
    }
}

#[cfg(feature = "ssr")]
async fn kept() -> Result<KeptFields, AppError> {
    Ok(crate::server::infra::forms::kept(ADMIN_FORM)
        .await?
        .unwrap_or_default())
}

#[cfg(feature = "ssr")]
async fn groups(pool: &sqlx::PgPool) -> Result<Vec<ListEntry>, AppError> {
    use crate::domain::admin::ListKind;
    let all = crate::server::admin::db::lists(pool).await?;
    Ok(all
        .into_iter()
        .filter(|e| e.kind == ListKind::Group)
        .collect())
}

/// Accounts, narrowed by `search` (login, name or WeCom id).
#[server(endpoint = "admin/users")]
pub async fn admin_users(#[server(default)] search: String) -> Result<UsersView, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    auth::require(auth::ADMIN).await?;
    let pool = app_state()?.pool;
    let users = crate::server::admin::db::users(&pool, &search).await?;
    Ok(UsersView {
        users,
        groups: groups(&pool).await?,
        kept: kept().await?,
    })
}

#[server(endpoint = "admin/user")]
pub async fn admin_user(login: String) -> Result<UserView, AppError> {
    use crate::domain::accounts::Login;
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let admin = auth::require(auth::ADMIN).await?;
    let login = Login::parse(&login).map_err(|_| AppError::NotFound)?;
    let pool = app_state()?.pool;
    let (user_id, user) = crate::server::admin::db::user(&pool, &login)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = user.login.eq_ignore_ascii_case(&admin.login);
    let tokens = crate::server::accounts::tokens::list(&pool, user_id).await?;
    Ok(UserView {
        user,
        groups: groups(&pool).await?,
        tokens,
        own,
        kept: kept().await?,
    })
}

/// Revokes one of an account's REST API tokens (audited).
#[server(endpoint = "admin/tokens/revoke")]
pub async fn revoke_token(login: String, id: i64) -> Result<(), AppError> {
    use crate::domain::accounts::Login;
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let admin = auth::require(auth::ADMIN).await?;
    let result = async {
        let parsed = Login::parse(&login).map_err(|_| AppError::NotFound)?;
        crate::server::admin::db::revoke_token(&app_state()?.pool, &admin, &parsed, id).await
    }
    .await;
    let page = crate::paths::admin_user(login.trim());
    finish(result, &page, "user.tokens", &()).await
}

#[server(endpoint = "admin/users/create")]
pub async fn create_user(#[server(flatten)] form: UserForm) -> Result<(), AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let admin = auth::require(auth::ADMIN).await?;
    let result = async {
        let (change, password) = form.parse_new().map_err(AppError::fields)?;
        let hash = auth::hash_password(password.expose().to_owned()).await?;
        crate::server::admin::db::create_user(&app_state()?.pool, &admin, &change, &hash).await
    }
    .await;
    finish(result, crate::paths::ADMIN_USERS.path(), "user.new", &form).await
}

#[server(endpoint = "admin/users/update")]
pub async fn update_user(#[server(flatten)] form: UserForm) -> Result<(), AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let admin = auth::require(auth::ADMIN).await?;
    let result = async {
        let change = form.parse_change().map_err(AppError::fields)?;
        crate::server::admin::db::update_user(&app_state()?.pool, &admin, &change).await
    }
    .await;
    let page = crate::paths::admin_user(form.login.trim());
    finish(result, &page, "user.edit", &form).await
}

/// Disables an account (its sessions end at once) or enables it again.
#[server(endpoint = "admin/users/disable")]
pub async fn set_user_disabled(login: String, disabled: bool) -> Result<(), AppError> {
    use crate::domain::accounts::Login;
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let admin = auth::require(auth::ADMIN).await?;
    let result = async {
        let parsed = Login::parse(&login).map_err(|_| AppError::NotFound)?;
        crate::server::admin::db::set_disabled(&app_state()?.pool, &admin, &parsed, disabled).await
    }
    .await;
    let page = crate::paths::admin_user(login.trim());
    finish(result, &page, "user.state", &()).await
}

/// A new password for an account; its sessions end.
#[server(endpoint = "admin/users/password")]
pub async fn reset_password(login: String, password: String) -> Result<(), AppError> {
    use crate::domain::accounts::{Login, NewPassword};
    use crate::domain::Field;
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let admin = auth::require(auth::ADMIN).await?;
    let result = async {
        let parsed = Login::parse(&login).map_err(|_| AppError::NotFound)?;
        let password =
            NewPassword::parse(&password).map_err(|r| AppError::field(Field::Password, r))?;
        let hash = auth::hash_password(password.expose().to_owned()).await?;
        crate::server::admin::db::reset_password(&app_state()?.pool, &admin, &parsed, &hash).await
    }
    .await;
    let page = crate::paths::admin_user(login.trim());
    finish(result, &page, "user.password", &()).await
}

#[server(endpoint = "admin/lists")]
pub async fn admin_lists() -> Result<ListsView, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    auth::require(auth::ADMIN).await?;
    let entries = crate::server::admin::db::lists(&app_state()?.pool).await?;
    Ok(ListsView {
        entries,
        kept: kept().await?,
    })
}

#[server(endpoint = "admin/lists/save")]
pub async fn save_list_entry(#[server(flatten)] form: ListEntryForm) -> Result<(), AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let admin = auth::require(auth::ADMIN).await?;
    let result = async {
        let change = form.parse().map_err(AppError::fields)?;
        crate::server::admin::db::save_list_entry(&app_state()?.pool, &admin, &change).await
    }
    .await;
    let form_id = list_form_id(&form.kind, &form.id);
    finish(result, crate::paths::ADMIN_LISTS.path(), &form_id, &form).await
}

/// The id of one list entry's form on the page (`system.new`, `group.7`).
pub fn list_form_id(kind: &str, id: &str) -> String {
    let id = id.trim();
    format!("{}.{}", kind.trim(), if id.is_empty() { "new" } else { id })
}

#[server(endpoint = "admin/replies")]
pub async fn admin_replies() -> Result<RepliesView, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    auth::require(auth::ADMIN).await?;
    let pool = app_state()?.pool;
    Ok(RepliesView {
        canned: crate::server::admin::db::canned(&pool).await?,
        sla: crate::server::admin::db::sla_targets(&pool).await?,
        kept: kept().await?,
    })
}

#[server(endpoint = "admin/canned/save")]
pub async fn save_canned(#[server(flatten)] form: CannedForm) -> Result<(), AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let admin = auth::require(auth::ADMIN).await?;
    let result = async {
        let change = form.parse().map_err(AppError::fields)?;
        crate::server::admin::db::save_canned(&app_state()?.pool, &admin, &change).await
    }
    .await;
    let form_id = list_form_id("canned", &form.id);
    finish(result, crate::paths::ADMIN_REPLIES.path(), &form_id, &form).await
}

#[server(endpoint = "admin/sla/save")]
pub async fn save_sla(#[server(flatten)] form: SlaForm) -> Result<(), AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let admin = auth::require(auth::ADMIN).await?;
    let result = async {
        let row = form.parse().map_err(AppError::fields)?;
        crate::server::admin::db::save_sla(&app_state()?.pool, &admin, &row).await
    }
    .await;
    let form_id = list_form_id("sla", &form.priority);
    finish(result, crate::paths::ADMIN_REPLIES.path(), &form_id, &form).await
}

/// The audit trail, newest first, as the search asks.
#[server(endpoint = "admin/audit")]
pub async fn admin_audit(#[server(default)] query: AuditQuery) -> Result<Page<AuditRow>, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    auth::require(auth::ADMIN).await?;
    let filter = query.parse().map_err(AppError::fields)?;
    crate::server::admin::db::audit_search(&app_state()?.pool, &filter).await
}

/// Pushes to WeCom, as the admin page shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveriesView {
    pub rows: Vec<crate::domain::notify::DeliveryRow>,
    pub counts: Vec<(crate::domain::notify::DeliveryState, i64)>,
    /// The next page starts below this id.
    pub next: Option<i64>,
    /// Whether the robot and the application are configured (else pushes are skipped).
    pub robot: bool,
    pub app: bool,
}

/// Deliveries newest first, 50 a page, optionally in one state.
#[server(endpoint = "admin/deliveries")]
pub async fn admin_deliveries(
    state: Option<String>,
    before: Option<i64>,
) -> Result<DeliveriesView, AppError> {
    use crate::domain::notify::DeliveryState;
    use crate::domain::{Field, Reason};
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    auth::require(auth::ADMIN).await?;
    let filter = match state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(
            DeliveryState::from_name(raw)
                .ok_or_else(|| AppError::field(Field::Status, Reason::UnknownValue))?,
        ),
    };
    let app = app_state()?;
    const PAGE: i64 = 50;
    let mut rows =
        crate::server::notify::deliveries::list(&app.pool, filter, before, PAGE + 1).await?;
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| r.id)
    });
    Ok(DeliveriesView {
        rows,
        counts: crate::server::notify::deliveries::counts(&app.pool).await?,
        next: next.flatten(),
        robot: app.wecom.has_robot(),
        app: app.wecom.app().is_some(),
    })
}

/// Sends a dead delivery again (from now, with its attempts counted afresh). Audited.
#[server(endpoint = "admin/deliveries/retry")]
pub async fn retry_delivery(id: i64) -> Result<(), AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let admin = auth::require(auth::ADMIN).await?;
    let app = app_state()?;
    let give_up = chrono::Utc::now()
        + chrono::Duration::from_std(app.wecom.settings().give_up)
            .unwrap_or(chrono::Duration::days(1));
    if !crate::server::notify::deliveries::retry(&app.pool, admin.id, id, give_up).await? {
        // Sent or retried meanwhile, or no such delivery.
        return Err(AppError::NotNow);
    }
    app.events.new_entries.notify_one();
    leptos_axum::redirect(&format!(
        "{}?state=pending&saved=retry",
        crate::paths::ADMIN_DELIVERIES.path()
    ));
    Ok(())
}
