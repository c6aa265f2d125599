use super::AdminHead;
use crate::api::admin::admin_audit;
use crate::components::feedback::{Empty, ErrorPanel, Loading};
use crate::components::guard::{Guard, ADMIN};
use crate::components::shell::DeskShell;
use crate::domain::admin::{AuditQuery, AuditRow};
use crate::domain::incident::views::Page;
use crate::domain::time::format_minute;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn query_from_url(map: &leptos_router::params::ParamsMap) -> AuditQuery {
    let get = |k: &str| map.get(k).filter(|v| !v.is_empty());
    AuditQuery {
        incident: get("incident"),
        actor: get("actor"),
        action: get("action"),
        from: get("from"),
        to: get("to"),
        cursor: get("cursor"),
    }
}

/// `/admin/audit[?incident=…&actor=…&action=…&from=…&to=…]`: the append-only audit trail,
/// newest first. Read-only: nothing in it can be changed through the app.
#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query_from_url(&query.read()), admin_audit);
    view! { <Guard roles=ADMIN><DeskShell><AuditBody data/></DeskShell></Guard> }
}

/// The actions the trail records, for the filter (what incidents go through, and what admins do).
const ACTIONS: [&str; 23] = [
    "submit",
    "message",
    "claim",
    "assign",
    "categorize",
    "transfer",
    "return",
    "note",
    "reply",
    "answer",
    "reopen",
    "close",
    "merge",
    "reveal",
    "user.create",
    "user.update",
    "user.disable",
    "user.enable",
    "user.password",
    "list.save",
    "canned.save",
    "sla.save",
    "delivery.retry",
];

pub fn audit_action_text(action: &str, locale: Locale) -> String {
    use crate::domain::incident::workflow::ActionKind;
    if let Ok(kind) = ActionKind::parse(action) {
        return crate::components::incident::action_label(kind, locale).to_owned();
    }
    let text = match action {
        "submit" => td_string!(locale, admin.audit_submit),
        "message" => td_string!(locale, admin.audit_message),
        "reveal" => td_string!(locale, admin.audit_reveal),
        "user.create" => td_string!(locale, admin.audit_user_create),
        "user.update" => td_string!(locale, admin.audit_user_update),
        "user.disable" => td_string!(locale, admin.audit_user_disable),
        "user.enable" => td_string!(locale, admin.audit_user_enable),
        "user.password" => td_string!(locale, admin.audit_user_password),
        "token.create" => td_string!(locale, admin.audit_token_create),
        "token.revoke" => td_string!(locale, admin.audit_token_revoke),
        "list.save" => td_string!(locale, admin.audit_list_save),
        "canned.save" => td_string!(locale, admin.audit_canned_save),
        "sla.save" => td_string!(locale, admin.audit_sla_save),
        "delivery.retry" => td_string!(locale, admin.audit_delivery_retry),
        other => return other.to_owned(),
    };
    text.to_owned()
}

#[component]
fn AuditBody(data: Resource<Result<Page<AuditRow>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let url = use_query_map();
    let locale = i18n.get_locale_untracked();
    view! {
        <AdminHead title=td_string!(locale, admin.audit).to_string() lead=td_string!(locale, admin.audit_lead).to_string()/>
        {move || {
            let q = query_from_url(&url.read());
            let value = |v: &Option<String>| v.clone().unwrap_or_default();
            let chosen = value(&q.action);
            view! {
                <form class="queue-filters panel" method="get" action=paths::ADMIN_AUDIT.path() role="search">
                    <label class="filter"><span>{td_string!(locale, admin.audit_incident)}</span>
                        <input type="search" name="incident" value=value(&q.incident) placeholder="MSS-20261121-0001" autocomplete="off"/></label>
                    <label class="filter"><span>{td_string!(locale, admin.audit_actor)}</span>
                        <input type="search" name="actor" value=value(&q.actor) placeholder=td_string!(locale, admin.login) autocomplete="off"/></label>
                    <label class="filter"><span>{td_string!(locale, admin.audit_action)}</span>
                        <select name="action">
                            <option value="">{td_string!(locale, desk.any)}</option>
                            {ACTIONS.into_iter().map(|a| {
                                let selected = a == chosen;
                                view! { <option value=a selected=selected>{audit_action_text(a, locale)}</option> }
                            }).collect_view()}
                        </select></label>
                    <label class="filter"><span>{td_string!(locale, desk.from)}</span><input type="date" name="from" value=value(&q.from)/></label>
                    <label class="filter"><span>{td_string!(locale, desk.to)}</span><input type="date" name="to" value=value(&q.to)/></label>
                    <div class="filter-actions">
                        <button type="submit" class="button button-primary">{td_string!(locale, desk.apply)}</button>
                        <a class="button" href=paths::ADMIN_AUDIT.path()>{td_string!(locale, desk.reset)}</a>
                    </div>
                </form>
            }
        }}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) if page.items.is_empty() => view! {
                        <div class="panel"><Empty title=td_string!(locale, admin.audit_empty).to_string() lead=td_string!(locale, admin.audit_empty_lead).to_string()/></div>
                    }.into_any(),
                    Ok(page) => {
                        let q = query_from_url(&url.read_untracked());
                        let system = td_string!(locale, incident.system).to_string();
                        view! {
                            <div class="panel">
                                <table class="queue admin-table audit-table">
                                    <thead><tr>
                                        <th scope="col">{td_string!(locale, admin.audit_when)}</th>
                                        <th scope="col">{td_string!(locale, admin.audit_actor)}</th>
                                        <th scope="col">{td_string!(locale, admin.audit_action)}</th>
                                        <th scope="col">{td_string!(locale, admin.audit_incident)}</th>
                                        <th scope="col">{td_string!(locale, admin.audit_detail)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {page.items.into_iter().map(|a| view! {
                                            <tr>
                                                <td><time datetime=a.at.to_rfc3339()>{format_minute(a.at)}</time></td>
                                                <td>{a.actor.clone().unwrap_or_else(|| system.clone())}</td>
                                                <td><span class="audit-action">{audit_action_text(&a.action, locale)}</span><span class="sub mono">{a.action.clone()}</span></td>
                                                <td>{a.incident.clone().map(|n| view! { <a class="incident-number" href=paths::desk_incident(&n)>{n.clone()}</a> })}</td>
                                                <td class="audit-detail mono">{a.detail.clone()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {page.next_cursor.and_then(|c| c.parse::<i64>().ok()).map(|c| view! {
                                <a class="button more" href=format!("{}?{}", paths::ADMIN_AUDIT.path(), q.with_cursor(Some(c)))>{td_string!(locale, desk.more)}</a>
                            })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
