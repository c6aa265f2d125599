use crate::api::incidents::desk_queue;
use crate::components::feedback::{Empty, ErrorPanel, Loading};
use crate::components::guard::{Guard, DESK};
use crate::components::incident::StatusBadge;
use crate::components::shell::DeskShell;
use crate::domain::time::format_minute;
use crate::domain::incident::{IncidentSummary, Page};
use crate::i18n::*;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/desk[?cursor=…]`: the queue of new incidents, newest first.
#[component]
pub fn QueuePage() -> impl IntoView {
    // Created outside the guard's Suspense (see `HomePage`).
    let query = use_query_map();
    let page = Resource::new(move || query.read().get("cursor"), desk_queue);
    view! { <Guard roles=DESK><DeskShell><Queue page/></DeskShell></Guard> }
}

#[component]
fn Queue(page: Resource<Result<Page<IncidentSummary>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="desk-head">
            <h1>{t!(i18n, desk.queue)}</h1>
            <p>{t!(i18n, desk.queue_lead)}</p>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) if page.items.is_empty() => view! {
                        <div class="panel"><Empty title=td_string!(i18n.get_locale_untracked(), desk.empty_title).to_string() lead=td_string!(i18n.get_locale_untracked(), desk.empty_lead).to_string()/></div>
                    }.into_any(),
                    Ok(page) => view! {
                        <div class="panel">
                            <table class="queue">
                                <thead><tr>
                                    <th scope="col">{t!(i18n, desk.col_number)}</th>
                                    <th scope="col">{t!(i18n, desk.col_status)}</th>
                                    <th scope="col">{t!(i18n, desk.col_customer)}</th>
                                    <th scope="col">{t!(i18n, desk.col_system)}</th>
                                    <th scope="col">{t!(i18n, desk.col_description)}</th>
                                    <th scope="col">{t!(i18n, desk.col_reporter)}</th>
                                    <th scope="col">{t!(i18n, desk.col_created)}</th>
                                </tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|i| view! {
                                        <tr>
                                            <td><a class="incident-number" href=format!("/desk/incidents/{}", i.number)>{i.number.clone()}</a></td>
                                            <td><StatusBadge status=i.status/></td>
                                            <td>{i.customer_name.clone().unwrap_or_default()}<span class="sub mono">{i.customer_number.clone().unwrap_or_default()}</span></td>
                                            <td>{i.system.clone()}</td>
                                            <td class="queue-text">{i.excerpt.clone()}</td>
                                            <td>{i.reporter_name.clone()}</td>
                                            <td><time datetime=i.created_at.to_rfc3339()>{format_minute(i.created_at)}</time></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {page.next_cursor.map(|cursor| view! {
                            <a class="button more" href=format!("/desk?cursor={cursor}")>{t!(i18n, desk.more)}</a>
                        })}
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
