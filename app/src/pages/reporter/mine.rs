use crate::api::incidents::my_incidents;
use crate::components::feedback::{Empty, ErrorPanel, Loading};
use crate::components::guard::{Guard, REPORTER};
use crate::components::incident::IncidentCard;
use crate::components::shell::{ReporterShell, Tab};
use crate::domain::incident::{IncidentSummary, Page};
use crate::i18n::*;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/incidents[?cursor=…]`: the reporter's incidents, newest first, a page at a time.
#[component]
pub fn MyIncidentsPage() -> impl IntoView {
    // Created outside the guard's Suspense (see `HomePage`).
    let query = use_query_map();
    let page = Resource::new(move || query.read().get("cursor"), my_incidents);
    view! { <Guard roles=REPORTER><MyIncidents page/></Guard> }
}

#[component]
fn MyIncidents(page: Resource<Result<Page<IncidentSummary>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ReporterShell title=td_string!(i18n.get_locale_untracked(), mine.title).to_string() tab=Tab::Mine>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) if page.items.is_empty() => view! {
                            <Empty title=td_string!(i18n.get_locale_untracked(), mine.empty_title).to_string() lead=td_string!(i18n.get_locale_untracked(), mine.empty_lead).to_string()>
                                <a class="button button-primary" href="/report/new">{t!(i18n, home.report_button)}</a>
                            </Empty>
                        }.into_any(),
                        Ok(page) => view! {
                            <ul class="card-list">
                                {page.items.into_iter().map(|i| {
                                    let href = format!("/incidents/{}", i.number);
                                    view! { <IncidentCard incident=i href/> }
                                }).collect_view()}
                            </ul>
                            {match page.next_cursor {
                                Some(cursor) => view! {
                                    <a class="button button-block more" href=format!("/incidents?cursor={cursor}")>{t!(i18n, mine.more)}</a>
                                }.into_any(),
                                None => view! { <p class="list-end">{t!(i18n, mine.end)}</p> }.into_any(),
                            }}
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </ReporterShell>
    }
}
