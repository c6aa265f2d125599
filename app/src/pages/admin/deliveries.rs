use super::AdminHead;
use crate::api::admin::{admin_deliveries, DeliveriesView, RetryDelivery};
use crate::components::feedback::{Empty, ErrorPanel, FormError, Loading};
use crate::components::guard::{Guard, ADMIN};
use crate::components::shell::DeskShell;
use crate::domain::notify::{Channel, DeliveryState, SkipReason};
use crate::domain::time::format_minute;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/admin/deliveries[?state=pending|sent|dead|skipped]`: every push to WeCom, newest first,
/// with why it failed or was skipped; a dead one can be sent again.
#[component]
pub fn AdminDeliveriesPage() -> impl IntoView {
    let query = use_query_map();
    let retry = ServerAction::<RetryDelivery>::new();
    let data = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("state"),
                q.get("before").and_then(|b| b.parse::<i64>().ok()),
                retry.version().get(),
            )
        },
        |(state, before, _)| admin_deliveries(state, before),
    );
    view! { <Guard roles=ADMIN><DeskShell><DeliveriesBody data retry/></DeskShell></Guard> }
}

pub fn state_text(state: DeliveryState, locale: Locale) -> &'static str {
    match state {
        DeliveryState::Pending => td_string!(locale, admin.delivery_pending),
        DeliveryState::Sent => td_string!(locale, admin.delivery_sent),
        DeliveryState::Dead => td_string!(locale, admin.delivery_dead),
        DeliveryState::Skipped => td_string!(locale, admin.delivery_skipped),
    }
}

/// Why a delivery was skipped, in words; WeCom's own errors (errcode and message) as they came.
fn reason_text(reason: &str, locale: Locale) -> String {
    match SkipReason::from_name(reason) {
        Some(SkipReason::NoRobot) => td_string!(locale, admin.skip_no_robot).to_owned(),
        Some(SkipReason::NoApp) => td_string!(locale, admin.skip_no_app).to_owned(),
        Some(SkipReason::NoWecomId) => td_string!(locale, admin.skip_no_wecom_id).to_owned(),
        None => reason.to_owned(),
    }
}

#[component]
fn DeliveriesBody(
    data: Resource<Result<DeliveriesView, AppError>>,
    retry: ServerAction<RetryDelivery>,
) -> impl IntoView {
    let i18n = use_i18n();
    let url = use_query_map();
    let locale = i18n.get_locale_untracked();
    let error = Signal::derive(move || retry.value().get().and_then(Result::err));
    view! {
        <AdminHead title=td_string!(locale, admin.deliveries).to_string() lead=td_string!(locale, admin.deliveries_lead).to_string()/>
        <FormError error/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let view = match data.await {
                    Ok(view) => view,
                    Err(error) => return view! { <ErrorPanel error/> }.into_any(),
                };
                let chosen = url.read_untracked().get("state").unwrap_or_default();
                let saved = url.read_untracked().get("saved").is_some();
                let total: i64 = view.counts.iter().map(|(_, n)| n).sum();
                let count = |s: DeliveryState| view.counts.iter().find(|(c, _)| *c == s).map(|(_, n)| *n).unwrap_or(0);
                let tab = |code: &str, label: String, n: i64| {
                    let href = if code.is_empty() { paths::ADMIN_DELIVERIES.path().to_owned() } else { format!("{}?state={code}", paths::ADMIN_DELIVERIES.path()) };
                    let here = chosen == code;
                    view! { <a class="filter-chip" href=href aria-current=here.then_some("page")>{label}<span class="count">{n}</span></a> }
                };
                let unconfigured = (!view.robot || !view.app).then(|| {
                    let text = match (view.robot, view.app) {
                        (false, false) => td_string!(locale, admin.wecom_none),
                        (false, true) => td_string!(locale, admin.wecom_no_robot),
                        _ => td_string!(locale, admin.wecom_no_app),
                    };
                    view! { <div class="notice notice-warn"><p>{text}</p></div> }
                });
                let rows = if view.rows.is_empty() {
                    view! { <div class="panel"><Empty title=td_string!(locale, admin.deliveries_empty).to_string() lead=td_string!(locale, admin.deliveries_empty_lead).to_string()/></div> }.into_any()
                } else {
                    view! {
                        <div class="panel">
                            <table class="queue admin-table deliveries-table">
                                <thead><tr>
                                    <th scope="col">{td_string!(locale, admin.audit_when)}</th>
                                    <th scope="col">{td_string!(locale, admin.audit_incident)}</th>
                                    <th scope="col">{td_string!(locale, admin.delivery_to)}</th>
                                    <th scope="col">{td_string!(locale, admin.delivery_message)}</th>
                                    <th scope="col">{td_string!(locale, admin.delivery_state)}</th>
                                    <th scope="col"><span class="visually-hidden">{td_string!(locale, admin.delivery_retry)}</span></th>
                                </tr></thead>
                                <tbody>
                                    {view.rows.into_iter().map(|d| {
                                        let to = match d.channel {
                                            Channel::Robot => td_string!(locale, admin.delivery_robot).to_owned(),
                                            Channel::App => d.recipient.clone().unwrap_or_default(),
                                        };
                                        let channel = match d.channel {
                                            Channel::Robot => td_string!(locale, admin.channel_robot),
                                            Channel::App => td_string!(locale, admin.channel_app),
                                        };
                                        let when = d.sent_at.unwrap_or(d.created_at);
                                        let attempts = (d.attempts > 0).then(|| td_string!(locale, admin.delivery_attempts, n = d.attempts).to_string());
                                        let next = (d.state == DeliveryState::Pending && d.attempts > 0)
                                            .then(|| td_string!(locale, admin.delivery_next, at = format_minute(d.next_attempt_at)).to_string());
                                        let retry_form = (d.state == DeliveryState::Dead).then(|| view! {
                                            <ActionForm action=retry attr:class="inline-form">
                                                <input type="hidden" name="id" value=d.id.to_string()/>
                                                <button type="submit" class="button button-small">{td_string!(locale, admin.delivery_retry)}</button>
                                            </ActionForm>
                                        });
                                        view! {
                                            <tr>
                                                <td><time datetime=when.to_rfc3339()>{format_minute(when)}</time></td>
                                                <td><a class="incident-number" href=paths::desk_incident(&d.number)>{d.number.clone()}</a></td>
                                                <td>{to}<span class="sub">{channel}</span></td>
                                                <td>{d.summary.clone()}{d.last_error.clone().map(|e| view! { <span class="sub delivery-error">{reason_text(&e, locale)}</span> })}</td>
                                                <td><span class=format!("badge delivery-{}", d.state.as_str())>{state_text(d.state, locale)}</span>
                                                    {attempts.map(|a| view! { <span class="sub">{a}</span> })}{next.map(|n| view! { <span class="sub">{n}</span> })}</td>
                                                <td>{retry_form}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                };
                let more = view.next.map(|before| {
                    let state = if chosen.is_empty() { String::new() } else { format!("state={chosen}&") };
                    view! { <a class="button more" href=format!("{}?{state}before={before}", paths::ADMIN_DELIVERIES.path())>{td_string!(locale, desk.more)}</a> }
                });
                view! {
                    {unconfigured}
                    {saved.then(|| view! { <div class="notice notice-ok" role="status"><p>{td_string!(locale, admin.delivery_requeued)}</p></div> })}
                    <nav class="state-tabs" aria-label=td_string!(locale, admin.delivery_state)>
                        {tab("", td_string!(locale, desk.all).to_owned(), total)}
                        {DeliveryState::ALL.into_iter().map(|s| tab(s.as_str(), state_text(s, locale).to_owned(), count(s))).collect_view()}
                    </nav>
                    {rows}
                    {more}
                }.into_any()
            })}
        </Transition>
    }
}
