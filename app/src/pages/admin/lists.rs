use super::{admin_page, form_error, CellInput, InUse, Kept, RowError, RowSave};
use crate::api::admin::{admin_lists, list_form_id, ListsView, SaveListEntry};
use crate::components::guard::{Guard, ADMIN};
use crate::components::incident::category_name;
use crate::components::shell::DeskShell;
use crate::domain::admin::{ListEntry, ListKind};
use crate::domain::incident::workflow::Category;
use crate::domain::Field;
use crate::i18n::*;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/admin/lists`: the systems a report names, the groups incidents are transferred to, and
/// the categories with their sub-categories. Entries are retired, never deleted: incidents
/// keep naming them.
#[component]
pub fn AdminListsPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.read().get("saved"), |_| admin_lists());
    view! { <Guard roles=ADMIN><DeskShell><ListsBody data/></DeskShell></Guard> }
}

fn kind_title(kind: ListKind, locale: Locale) -> &'static str {
    match kind {
        ListKind::System => td_string!(locale, admin.systems),
        ListKind::Group => td_string!(locale, admin.groups),
        ListKind::Category => td_string!(locale, admin.categories),
    }
}

fn kind_lead(kind: ListKind, locale: Locale) -> &'static str {
    match kind {
        ListKind::System => td_string!(locale, admin.systems_lead),
        ListKind::Group => td_string!(locale, admin.groups_lead),
        ListKind::Category => td_string!(locale, admin.categories_lead),
    }
}

#[component]
fn ListsBody(data: Resource<Result<ListsView, AppError>>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    admin_page(
        td_string!(locale, admin.lists),
        td_string!(locale, admin.lists_lead),
        data,
        |v| v.kept.clone(),
        |view, kept| {
            ListKind::ALL
                .into_iter()
                .map(|kind| {
                    let entries: Vec<ListEntry> = view
                        .entries
                        .iter()
                        .filter(|e| e.kind == kind)
                        .cloned()
                        .collect();
                    view! { <ListSection kind entries kept=kept.clone()/> }
                })
                .collect_view()
        },
    )
}

#[component]
fn ListSection(kind: ListKind, entries: Vec<ListEntry>, kept: Kept) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <section class="panel list-section" id=format!("list-{}", kind.as_str())>
            <header class="list-head">
                <h2>{kind_title(kind, locale)}</h2>
                <p>{kind_lead(kind, locale)}</p>
            </header>
            <div class="list-rows">
                {entries.into_iter().map(|e| view! { <EntryRow kind entry=Some(e) kept=kept.clone()/> }).collect_view()}
                <EntryRow kind entry=None kept=kept.clone()/>
            </div>
        </section>
    }
}

/// One entry's form; `None`: the form for a new one.
#[component]
fn EntryRow(kind: ListKind, entry: Option<ListEntry>, kept: Kept) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let action = ServerAction::<SaveListEntry>::new();
    let id = entry.as_ref().map(|e| e.id.to_string()).unwrap_or_default();
    let form = list_form_id(kind.as_str(), &id);
    let error = form_error(action, &kept, &form);
    let is_new = entry.is_none();
    let fixed = entry.as_ref().is_some_and(ListEntry::fixed);
    let sub = entry.as_ref().and_then(|e| e.parent).is_some();
    let (code, name_zh, name_en, position, active) = entry
        .as_ref()
        .map(|e| {
            (
                e.code.clone(),
                e.name_zh.clone(),
                e.name_en.clone(),
                e.position.to_string(),
                e.active,
            )
        })
        .unwrap_or_else(|| {
            (
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                true,
            )
        });
    let parent_label = entry
        .as_ref()
        .and_then(|e| e.parent)
        .map(|p| category_name(p, locale));
    view! {
        <ActionForm action=action attr:class=format!("list-row{}{}{}", if is_new { " list-row-new" } else { "" }, if sub { " list-row-sub" } else { "" }, if active { "" } else { " list-row-retired" }) attr:novalidate=true>
            <input type="hidden" name="kind" value=kind.as_str()/>
            <input type="hidden" name="id" value=id.clone()/>
            {is_new.then(|| view! { <span class="list-row-title">{td_string!(locale, admin.add_entry)}</span> })}
            <CellInput field=Field::Code label=td_string!(locale, admin.code).to_string() value=kept.text(&form, "code", &code) error readonly=!is_new class="cell-code"/>
            {(is_new && kind == ListKind::Category).then(|| view! {
                <label class="cell cell-parent">
                    <span class="cell-label">{td_string!(locale, admin.parent)}</span>
                    <select name="parent">
                        {Category::ALL.into_iter().map(|c| {
                            let selected = kept.text(&form, "parent", "") == c.as_str();
                            view! { <option value=c.as_str() selected=selected>{category_name(c, locale)}</option> }
                        }).collect_view()}
                    </select>
                </label>
            })}
            {parent_label.map(|p| view! { <span class="cell cell-parent"><span class="cell-label">{td_string!(locale, admin.parent)}</span><span class="cell-static">{p}</span></span> })}
            <CellInput field=Field::NameZh label=td_string!(locale, admin.name_zh).to_string() value=kept.text(&form, "name_zh", &name_zh) error class="cell-name"/>
            <CellInput field=Field::NameEn label=td_string!(locale, admin.name_en).to_string() value=kept.text(&form, "name_en", &name_en) error class="cell-name"/>
            <CellInput field=Field::Position label=td_string!(locale, admin.position).to_string() value=kept.text(&form, "position", &position) error kind="number" class="cell-position"/>
            {(!is_new && !fixed).then(|| view! { <InUse checked=kept.checked(&form, "active", active)/> })}
            <RowSave is_new pending=action.pending() saved=kept.just_saved(&form)/>
            <RowError error/>
        </ActionForm>
    }
}
