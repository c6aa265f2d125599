use crate::api::desk::desk_queue;
use crate::api::desk::BulkAct;
use crate::components::feedback::{Empty, ErrorPanel, Loading};
use crate::components::guard::{Guard, TEAM};
use crate::components::incident::{category_name, status_text, StatusBadge, UrgentBadge};
use crate::components::shell::DeskShell;
use crate::domain::desk::{BulkOutcome, QueueQuery};
use crate::domain::incident::views::Named;
use crate::domain::incident::views::Queue;
use crate::domain::incident::workflow::Category;
use crate::domain::incident::workflow::{Priority, SlaState};
use crate::domain::incident::Status;
use crate::domain::time::format_minute;
use crate::domain::Field;
use crate::error::reason_message;
use crate::i18n::*;
use crate::pages::desk::incident::sla_text;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The queue's URL parameters, as typed.
fn query_from_url(map: &leptos_router::params::ParamsMap) -> QueueQuery {
    let get = |k: &str| map.get(k).filter(|v| !v.is_empty());
    QueueQuery {
        status: get("status"),
        category: get("category"),
        system: get("system"),
        priority: get("priority"),
        assignee: get("assignee"),
        group: get("group"),
        sla: get("sla"),
        from: get("from"),
        to: get("to"),
        q: get("q"),
        sort: get("sort"),
        cursor: get("cursor"),
    }
}

/// `/desk[?status=…&q=…&sort=…]`: the queue. Open incidents newest first by default; filters,
/// search and sort are a plain GET form, so every view has its own URL (and works without
/// JavaScript).
#[component]
pub fn QueuePage() -> impl IntoView {
    // Created outside the guard's Suspense (see `HomePage`).
    let query = use_query_map();
    // Loaded again as incidents change, unless rows are ticked (then the page offers it).
    let refresh = crate::components::live::use_list_refresh(crate::components::live::rows_ticked);
    // The outcome of a bulk action is in the URL too: after one, the same queue loads again.
    let page = Resource::new(
        move || {
            let map = query.read();
            (
                query_from_url(&map),
                map.get("bulk_done"),
                map.get("bulk_refused"),
                refresh.tick.get(),
            )
        },
        |(query, _, _, _)| desk_queue(query),
    );
    view! { <Guard roles=TEAM><DeskShell><QueueView page refresh/></DeskShell></Guard> }
}

#[component]
fn QueueView(
    page: Resource<Result<Queue, AppError>>,
    refresh: crate::components::live::ListRefresh,
) -> impl IntoView {
    let i18n = use_i18n();
    let url = use_query_map();
    let current = Memo::new(move |_| query_from_url(&url.read()));
    // A group member's queue is what waits on their groups: no states to pick from.
    let member = crate::components::guard::current().role == crate::domain::accounts::Role::Member;
    view! {
        <div class="desk-head">
            <h1>{t!(i18n, desk.queue)}</h1>
            <p>{move || if member { t_string!(i18n, desk.member_lead) } else { t_string!(i18n, desk.queue_lead) }}</p>
        </div>
        <Filters current/>
        <Show when=move || refresh.held.get()>
            <div class="notice notice-warn live-changed" role="status">
                <p>{t!(i18n, live.queue_changed)}</p>
                <button type="button" class="button button-small" on:click=move |_| refresh.release()>{t!(i18n, live.reload)}</button>
            </div>
        </Show>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(queue) => {
                        let q = current.get_untracked();
                        let bulk = (!member && !queue.page.items.is_empty()).then(|| view! { <BulkBar handlers=queue.handlers.clone() current=q.clone()/> });
                        view! {
                            {(!member).then(|| view! { <StateTabs counts=queue.counts.clone() current=q.clone()/> })}
                            <BulkNotice/>
                            {bulk}
                            {if queue.page.items.is_empty() {
                                let locale = i18n.get_locale_untracked();
                                let lead = if member { td_string!(locale, desk.member_empty) } else { td_string!(locale, desk.empty_lead) };
                                view! { <div class="panel"><Empty title=td_string!(locale, desk.empty_title).to_string() lead=lead.to_string()/></div> }.into_any()
                            } else {
                                view! { <QueueTable queue=queue.clone() pick=!member/> }.into_any()
                            }}
                            {queue.page.next_cursor.map(|cursor| view! {
                                <a class="button more" href=format!("{}?{}", paths::DESK.path(), q.with_cursor(Some(cursor)))>{t!(i18n, desk.more)}</a>
                            })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One tab per open state with its count, and "all".
#[component]
fn StateTabs(counts: Vec<(Status, i64)>, current: QueueQuery) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let searching = current.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let selected = current.status.clone().unwrap_or_else(|| {
        if searching {
            "all".into()
        } else {
            "open".into()
        }
    });
    let link = move |status: &str| {
        let q = QueueQuery {
            status: Some(status.to_owned()),
            cursor: None,
            ..current.clone()
        };
        format!("{}?{}", paths::DESK.path(), q.with_cursor(None))
    };
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let tab = |code: String, label: String, count: Option<i64>| {
        let here = code == selected;
        view! {
            <a class="filter-chip" href=link(&code) aria-current=here.then_some("page")>
                {label}{count.map(|n| view! { <span class="count">{n}</span> })}
            </a>
        }
    };
    view! {
        <nav class="state-tabs" aria-label=td_string!(locale, desk.states)>
            {tab("open".into(), td_string!(locale, desk.open).to_string(), Some(total))}
            {[Status::New, Status::InProgress, Status::Transferred, Status::Answered].into_iter().map(|s| {
                let n = counts.iter().find(|(c, _)| *c == s).map(|(_, n)| *n).unwrap_or(0);
                tab(s.as_str().to_owned(), status_text(s, locale).to_owned(), Some(n))
            }).collect_view()}
            {tab("closed".into(), status_text(Status::Closed, locale).to_owned(), None)}
            {tab("all".into(), td_string!(locale, desk.all).to_string(), None)}
        </nav>
    }
}

/// Search and filters: a GET form on the queue's own URL.
#[component]
fn Filters(current: Memo<QueueQuery>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let q = current.get();
        let locale = i18n.get_locale();
        let value = |v: &Option<String>| v.clone().unwrap_or_default();
        let select = |name: &'static str,
                      label: &'static str,
                      chosen: Option<String>,
                      options: Vec<(String, String)>| {
            let chosen = chosen.unwrap_or_default();
            let blank = if name == "sort" {
                td_string!(locale, desk.sort_newest)
            } else {
                td_string!(locale, desk.any)
            };
            view! {
                <label class="filter">
                    <span>{label}</span>
                    <select name=name>
                        <option value="">{blank}</option>
                        {options.into_iter().map(|(code, text)| {
                            let selected = code == chosen;
                            view! { <option value=code selected=selected>{text}</option> }
                        }).collect_view()}
                    </select>
                </label>
            }
        };
        view! {
            <form class="queue-filters panel" method="get" action=paths::DESK.path() role="search">
                {q.status.clone().map(|s| view! { <input type="hidden" name="status" value=s/> })}
                <label class="filter filter-search">
                    <span>{td_string!(locale, desk.search)}</span>
                    <input type="search" name="q" value=value(&q.q) placeholder=td_string!(locale, desk.search_hint) autocomplete="off"/>
                </label>
                {select("priority", td_string!(locale, desk.priority), q.priority.clone(),
                    Priority::ALL.into_iter().map(|p| (p.as_str().to_owned(), p.as_str().to_owned())).collect())}
                {select("assignee", td_string!(locale, desk.assignee), q.assignee.clone(), vec![
                    ("me".into(), td_string!(locale, desk.assignee_me).to_owned()),
                    ("unassigned".into(), td_string!(locale, desk.assignee_none).to_owned()),
                ])}
                {select("sla", td_string!(locale, desk.sla), q.sla.clone(),
                    SlaState::ALL.into_iter().map(|s| (s.as_str().to_owned(), sla_text(s, locale).to_owned())).collect())}
                {select("category", td_string!(locale, desk.category), q.category.clone(),
                    Category::ALL.into_iter().map(|c| (c.as_str().to_owned(), category_name(c, locale).to_owned())).collect())}
                {select("sort", td_string!(locale, desk.sort), q.sort.clone(), vec![
                    ("oldest".into(), td_string!(locale, desk.sort_oldest).to_owned()),
                    ("priority".into(), td_string!(locale, desk.sort_priority).to_owned()),
                    ("due".into(), td_string!(locale, desk.sort_due).to_owned()),
                ])}
                <label class="filter"><span>{td_string!(locale, desk.from)}</span><input type="date" name="from" value=value(&q.from)/></label>
                <label class="filter"><span>{td_string!(locale, desk.to)}</span><input type="date" name="to" value=value(&q.to)/></label>
                <div class="filter-actions">
                    <button type="submit" class="button button-primary">{td_string!(locale, desk.apply)}</button>
                    <a class="button" href=paths::DESK.path()>{td_string!(locale, desk.reset)}</a>
                </div>
            </form>
        }
    }
}

/// What the last bulk action did, from the URL it came back to.
#[component]
fn BulkNotice() -> impl IntoView {
    let i18n = use_i18n();
    let url = use_query_map();
    let locale = i18n.get_locale_untracked();
    let map = url.read_untracked();
    let outcome = BulkOutcome::from_query(
        map.get("bulk_done").as_deref(),
        map.get("bulk_refused").as_deref(),
    );
    outcome.map(|(done, refused)| {
        let reason = |code: &str| match code {
            "conflict" => td_string!(locale, desk.bulk_conflict),
            "not_allowed_now" => td_string!(locale, desk.bulk_not_now),
            "not_found" | "forbidden" => td_string!(locale, desk.bulk_not_yours),
            _ => td_string!(locale, desk.bulk_failed),
        };
        view! {
            <div class=if refused.is_empty() { "notice notice-ok" } else { "notice notice-warn" } role="status">
                <p>{td_string!(locale, desk.bulk_done, n = done)}</p>
                {(!refused.is_empty()).then(|| view! {
                    <p>{td_string!(locale, desk.bulk_refused, n = refused.len())}</p>
                    <ul>
                        {refused.iter().map(|(number, code)| view! {
                            <li><a class="incident-number" href=paths::desk_incident(number)>{number.clone()}</a>" "{reason(code)}</li>
                        }).collect_view()}
                    </ul>
                })}
            </div>
        }
    })
}

/// The bulk bar: what to do to the rows ticked below (their boxes belong to this form).
#[component]
fn BulkBar(handlers: Vec<Named>, current: QueueQuery) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    // Only to show a refused post's error (the form itself is a plain post).
    let action = ServerAction::<BulkAct>::new();
    let bulk_url = <BulkAct as leptos::server_fn::ServerFn>::url();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let reason = move |field: Field| {
        error
            .get()
            .and_then(|e| e.reason_for(field))
            .map(|r| reason_message(r, i18n.get_locale()))
    };
    view! {
        <form id="bulk" class="bulk-bar panel" method="post" action=bulk_url aria-label=td_string!(locale, desk.bulk)>
            <input type="hidden" name="back" value=current.with_cursor(None)/>
            <span class="bulk-count" data-picked-label=td_string!(locale, desk.bulk_picked)>{td_string!(locale, desk.bulk_lead)}</span>
            <label class="bulk-field">
                <span class="visually-hidden">{td_string!(locale, desk.bulk_action)}</span>
                <select name="action">
                    <option value="claim">{td_string!(locale, desk.claim)}</option>
                    <option value="assign">{td_string!(locale, desk.bulk_assign)}</option>
                    <option value="categorize">{td_string!(locale, desk.bulk_categorize)}</option>
                    <option value="close">{td_string!(locale, desk.close)}</option>
                </select>
            </label>
            <label class="bulk-field" data-for="assign">
                <span>{td_string!(locale, desk.assignee)}</span>
                <select name="assignee">
                    <option value="">{td_string!(locale, desk.choose)}</option>
                    {handlers.into_iter().map(|h| view! { <option value=h.code>{h.name}</option> }).collect_view()}
                </select>
            </label>
            <label class="bulk-field" data-for="categorize">
                <span>{td_string!(locale, desk.category)}</span>
                <select name="category">
                    <option value="">{td_string!(locale, desk.choose)}</option>
                    {Category::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{category_name(c, locale)}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="button button-primary button-small">{td_string!(locale, desk.bulk_apply)}</button>
            <span class="field-error" aria-live="polite">
                {move || [Field::Picks, Field::Action, Field::Assignee, Field::Category].into_iter().find_map(reason)}
            </span>
        </form>
    }
}

#[component]
fn QueueTable(queue: Queue, pick: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="panel">
            <table class="queue" class:queue-pick=pick>
                <thead><tr>
                    {pick.then(|| view! {
                        <th scope="col" class="pick">
                            <input type="checkbox" data-pick-all hidden aria-label=td_string!(i18n.get_locale_untracked(), desk.pick_all)/>
                        </th>
                    })}
                    <th scope="col">{t!(i18n, desk.col_number)}</th>
                    <th scope="col">{t!(i18n, desk.col_status)}</th>
                    <th scope="col">{t!(i18n, desk.priority)}</th>
                    <th scope="col">{t!(i18n, desk.sla)}</th>
                    <th scope="col">{t!(i18n, desk.col_customer)}</th>
                    <th scope="col">{t!(i18n, desk.col_system)}</th>
                    <th scope="col">{t!(i18n, desk.col_description)}</th>
                    <th scope="col">{t!(i18n, desk.assignee)}</th>
                    <th scope="col">{t!(i18n, desk.col_created)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, desk.actions)}</span></th>
                </tr></thead>
                <tbody>
                    {queue.page.items.into_iter().enumerate().map(|(n, i)| {
                        let locale = i18n.get_locale_untracked();
                        let sla = i.sla_state.zip(i.sla_due_at).map(|(s, due)| view! {
                            <span class=format!("badge sla-{}", s.as_str())>{sla_text(s, locale)}</span>
                            <span class="sub">{format_minute(due)}</span>
                        });
                        let claim = (i.status == Status::New).then(|| view! {
                            <form method="post" action=paths::handlers::action_form(&i.number) enctype="multipart/form-data" class="inline-form claim-form">
                                <input type="hidden" name="action" value="claim"/>
                                <input type="hidden" name="version" value=i.version.to_string()/>
                                <button type="submit" class="button button-small">{t!(i18n, desk.claim)}</button>
                            </form>
                        });
                        view! {
                            <tr class="queue-row">
                                {pick.then(|| view! {
                                    <td class="pick">
                                        <input type="checkbox" form="bulk" name=format!("picks[{n}]") value=format!("{}:{}", i.number, i.version)
                                            aria-label=td_string!(locale, desk.pick, number = i.number.clone())/>
                                    </td>
                                })}
                                <td><a class="incident-number" href=paths::desk_incident(&i.number)>{i.number.clone()}</a><crate::components::incident::Unread count=i.unread/></td>
                                <td><StatusBadge status=i.status/><UrgentBadge urgency=i.urgency/></td>
                                <td><span class=format!("badge badge-{}", i.priority.as_str().to_ascii_lowercase())>{i.priority.as_str()}</span></td>
                                <td class="queue-sla">{sla}</td>
                                <td>{i.customer_name.clone().unwrap_or_default()}<span class="sub mono">{i.customer_number.clone().unwrap_or_default()}</span></td>
                                <td class="queue-system">{i.system.clone()}</td>
                                <td class="queue-text">{i.excerpt.clone()}</td>
                                <td>{i.assignee_name.clone().unwrap_or_default()}</td>
                                <td><time datetime=i.created_at.to_rfc3339()>{format_minute(i.created_at)}</time></td>
                                <td>{claim}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
