use super::{admin_page, form_error, CellInput, InUse, Kept, RowError, RowSave};
use crate::api::admin::{admin_replies, list_form_id, RepliesView, SaveCanned, SaveSla};
use crate::components::guard::{Guard, ADMIN};
use crate::components::shell::DeskShell;
use crate::domain::admin::{CannedRow, SlaRow};
use crate::domain::Field;
use crate::error::reason_message;
use crate::i18n::*;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/admin/replies`: canned replies and the service-level targets per priority.
#[component]
pub fn AdminRepliesPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.read().get("saved"), |_| admin_replies());
    view! { <Guard roles=ADMIN><DeskShell><RepliesBody data/></DeskShell></Guard> }
}

#[component]
fn RepliesBody(data: Resource<Result<RepliesView, AppError>>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    admin_page(
        td_string!(locale, admin.replies),
        td_string!(locale, admin.replies_lead),
        data,
        |v| v.kept.clone(),
        move |view, kept| {
            view! {
                <section class="panel list-section" id="sla">
                    <header class="list-head">
                        <h2>{td_string!(locale, admin.sla)}</h2>
                        <p>{td_string!(locale, admin.sla_lead)}</p>
                    </header>
                    <div class="list-rows">
                        {view.sla.into_iter().map(|row| view! { <SlaRowForm row kept=kept.clone()/> }).collect_view()}
                    </div>
                </section>
                <section class="panel list-section" id="canned">
                    <header class="list-head">
                        <h2>{td_string!(locale, admin.canned)}</h2>
                        <p>{td_string!(locale, admin.canned_lead)}" "{td_string!(locale, admin.canned_variables)}" "
                            {crate::domain::admin::CANNED_VARIABLES.map(|v| view! { <code>{v}</code>" " })}</p>
                    </header>
                    <div class="list-rows">
                        {view.canned.into_iter().map(|c| view! { <CannedRowForm row=Some(c) kept=kept.clone()/> }).collect_view()}
                        <CannedRowForm row=None kept=kept.clone()/>
                    </div>
                </section>
            }
        },
    )
}

/// `240` minutes as "4 小时" / "4 h", for the hint beside a target.
pub fn duration_text(minutes: i32, locale: Locale) -> String {
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(td_string!(locale, admin.days, n = days).to_string());
    }
    if hours > 0 {
        parts.push(td_string!(locale, admin.hours, n = hours).to_string());
    }
    if mins > 0 || parts.is_empty() {
        parts.push(td_string!(locale, admin.minutes, n = mins).to_string());
    }
    parts.join(" ")
}

#[component]
fn SlaRowForm(row: SlaRow, kept: Kept) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let action = ServerAction::<SaveSla>::new();
    let form = list_form_id("sla", row.priority.as_str());
    let error = form_error(action, &kept, &form);
    let p = row.priority.as_str();
    view! {
        <ActionForm action=action attr:class="list-row" attr:novalidate=true>
            <input type="hidden" name="priority" value=p/>
            <span class="cell cell-priority"><span class=format!("badge badge-{}", p.to_ascii_lowercase())>{p}</span></span>
            <CellInput field=Field::FirstResponseMinutes label=td_string!(locale, admin.first_response_minutes).to_string()
                value=kept.text(&form, "first_response_minutes", &row.first_response_minutes.to_string()) error kind="number" class="cell-minutes"/>
            <span class="cell cell-hint">{duration_text(row.first_response_minutes, locale)}</span>
            <CellInput field=Field::ResolutionMinutes label=td_string!(locale, admin.resolution_minutes).to_string()
                value=kept.text(&form, "resolution_minutes", &row.resolution_minutes.to_string()) error kind="number" class="cell-minutes"/>
            <span class="cell cell-hint">{duration_text(row.resolution_minutes, locale)}</span>
            <RowSave is_new=false pending=action.pending() saved=kept.just_saved(&form)/>
            <RowError error/>
        </ActionForm>
    }
}

#[component]
fn CannedRowForm(row: Option<CannedRow>, kept: Kept) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let action = ServerAction::<SaveCanned>::new();
    let id = row.as_ref().map(|r| r.id.to_string()).unwrap_or_default();
    let form = list_form_id("canned", &id);
    let error = form_error(action, &kept, &form);
    let is_new = row.is_none();
    let (title, body, position, active) = row
        .map(|r| (r.title, r.body, r.position.to_string(), r.active))
        .unwrap_or_else(|| (String::new(), String::new(), String::new(), true));
    let body_reason = move || error.get().and_then(|e| e.reason_for(Field::Body));
    view! {
        <ActionForm action=action attr:class=format!("list-row canned-row{}{}", if is_new { " list-row-new" } else { "" }, if active { "" } else { " list-row-retired" }) attr:novalidate=true>
            <input type="hidden" name="id" value=id.clone()/>
            {is_new.then(|| view! { <span class="list-row-title">{td_string!(locale, admin.add_canned)}</span> })}
            <CellInput field=Field::Title label=td_string!(locale, admin.title).to_string() value=kept.text(&form, "title", &title) error class="cell-name"/>
            <CellInput field=Field::Position label=td_string!(locale, admin.position).to_string() value=kept.text(&form, "position", &position) error kind="number" class="cell-position"/>
            {(!is_new).then(|| view! { <InUse checked=kept.checked(&form, "active", active)/> })}
            <label class="cell cell-body" class:field-invalid=move || body_reason().is_some()>
                <span class="cell-label">{td_string!(locale, admin.body)}</span>
                <textarea name="body" rows="3" aria-invalid=move || body_reason().is_some().then_some("true")>{kept.text(&form, "body", &body)}</textarea>
                <span class="field-error" aria-live="polite">{move || body_reason().map(|r| reason_message(r, i18n.get_locale()))}</span>
            </label>
            <RowSave is_new pending=action.pending() saved=kept.just_saved(&form)/>
            <RowError error/>
        </ActionForm>
    }
}
