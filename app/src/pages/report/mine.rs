use crate::api::report::my_incidents;
use crate::components::feedback::{Empty, ErrorPanel, Loading};
use crate::components::guard::{Guard, REPORTER};
use crate::components::incident::{status_text, IncidentCard};
use crate::components::shell::{ReporterShell, Tab};
use crate::domain::incident::views::{IncidentSummary, Page};
use crate::domain::incident::Status;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The states a reporter filters by (merged ones follow the incident they joined).
const FILTERS: [Status; 5] = [
    Status::New,
    Status::InProgress,
    Status::Transferred,
    Status::Answered,
    Status::Closed,
];

/// `/incidents[?status=…&cursor=…]`: the reporter's incidents, newest first, a page at a time,
/// optionally of one state.
#[component]
pub fn MyIncidentsPage() -> impl IntoView {
    // Created outside the guard's Suspense (see `HomePage`).
    let query = use_query_map();
    // Loaded again as their incidents change (an answer, a reply).
    let refresh = crate::components::live::use_list_refresh(|| false);
    let page = Resource::new(
        move || {
            (
                query.read().get("status"),
                query.read().get("cursor"),
                refresh.tick.get(),
            )
        },
        |(status, cursor, _)| my_incidents(status, cursor),
    );
    view! { <Guard roles=REPORTER><MyIncidents page/></Guard> }
}

#[component]
fn MyIncidents(page: Resource<Result<Page<IncidentSummary>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let current = move || query.read().get("status").filter(|s| !s.is_empty());
    let chip = move |value: Option<Status>| {
        let href = value
            .map(|s| format!("{}?status={}", paths::MY_INCIDENTS.path(), s.as_str()))
            .unwrap_or_else(|| paths::MY_INCIDENTS.path().into());
        let label = move || match value {
            Some(s) => status_text(s, i18n.get_locale()).to_string(),
            None => t_string!(i18n, mine.filter_all).to_string(),
        };
        let on = move || current().as_deref() == value.map(Status::as_str);
        view! { <a class="filter-chip" href=href aria-current=move || on().then_some("page")>{label}</a> }
    };
    view! {
        <ReporterShell title=td_string!(i18n.get_locale_untracked(), mine.title).to_string() tab=Tab::Mine>
            <nav class="filters" aria-label=move || t_string!(i18n, mine.filter_label)>
                {chip(None)}
                {FILTERS.into_iter().map(|s| chip(Some(s))).collect_view()}
            </nav>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let filtered = current();
                    match page.await {
                        Ok(page) if page.items.is_empty() && filtered.is_some() => view! {
                            <Empty title=td_string!(i18n.get_locale_untracked(), mine.empty_filtered).to_string() lead=String::new()/>
                        }.into_any(),
                        Ok(page) if page.items.is_empty() => view! {
                            <Empty title=td_string!(i18n.get_locale_untracked(), mine.empty_title).to_string() lead=td_string!(i18n.get_locale_untracked(), mine.empty_lead).to_string()>
                                <a class="button button-primary" href=paths::REPORT_NEW.path()>{t!(i18n, home.report_button)}</a>
                            </Empty>
                        }.into_any(),
                        Ok(page) => view! {
                            <ul class="card-list">
                                {page.items.into_iter().map(|i| {
                                    let href = paths::incident(&i.number);
                                    view! { <IncidentCard incident=i href/> }
                                }).collect_view()}
                            </ul>
                            {match page.next_cursor {
                                Some(cursor) => {
                                    let status = filtered.map(|s| format!("status={s}&")).unwrap_or_default();
                                    view! {
                                        <a class="button button-block more" href=format!("{}?{status}cursor={cursor}", paths::MY_INCIDENTS.path())>{t!(i18n, mine.more)}</a>
                                    }.into_any()
                                }
                                None => view! { <p class="list-end">{t!(i18n, mine.end)}</p> }.into_any(),
                            }}
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </ReporterShell>
    }
}
