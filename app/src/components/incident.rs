//! How an incident looks: its status, a list card, its facts, screenshots and timeline.
use crate::domain::customer::IdKind;
use crate::domain::incident::views::{IncidentDetail, IncidentSummary, Screenshot, TimelineEntry};
use crate::domain::incident::workflow::ActionKind;
use crate::domain::incident::{Channel, Urgency};
use crate::domain::incident::{EventKind, Status};
use crate::domain::time::format_minute;
use crate::i18n::*;
use leptos::prelude::*;

pub fn status_text(status: Status, locale: Locale) -> &'static str {
    match status {
        Status::New => td_string!(locale, status.new),
        Status::InProgress => td_string!(locale, status.in_progress),
        Status::Transferred => td_string!(locale, status.transferred),
        Status::Answered => td_string!(locale, status.answered),
        Status::Closed => td_string!(locale, status.closed),
        Status::Merged => td_string!(locale, status.merged),
    }
}

pub fn channel_text(channel: Channel, locale: Locale) -> &'static str {
    match channel {
        Channel::App => td_string!(locale, report.channel_app),
        Channel::Web => td_string!(locale, report.channel_web),
        Channel::Branch => td_string!(locale, report.channel_branch),
        Channel::MiniProgram => td_string!(locale, report.channel_mini_program),
        Channel::CallCenter => td_string!(locale, report.channel_call_center),
        Channel::Other => td_string!(locale, report.channel_other),
    }
}

pub fn urgency_text(urgency: Urgency, locale: Locale) -> &'static str {
    match urgency {
        Urgency::Normal => td_string!(locale, report.urgency_normal),
        Urgency::Urgent => td_string!(locale, report.urgency_urgent),
    }
}

pub fn id_kind_text(kind: IdKind, locale: Locale) -> &'static str {
    match kind {
        IdKind::ResidentCard => td_string!(locale, report.id_resident_id),
        IdKind::HkMacaoPermit => td_string!(locale, report.id_hk_macau_permit),
        IdKind::TaiwanPermit => td_string!(locale, report.id_taiwan_permit),
        IdKind::Passport => td_string!(locale, report.id_passport),
    }
}

#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("badge badge-{}", status.as_str())>
            {move || status_text(status, i18n.get_locale())}
        </span>
    }
}

#[component]
pub fn UrgentBadge(urgency: Urgency) -> impl IntoView {
    let i18n = use_i18n();
    (urgency == Urgency::Urgent).then(|| view! { <span class="badge badge-urgent">{move || urgency_text(urgency, i18n.get_locale())}</span> })
}

/// One incident in a phone list: a whole-card link, thumb-sized.
#[component]
pub fn IncidentCard(incident: IncidentSummary, href: String) -> impl IntoView {
    view! {
        <li>
            <a class="card incident-card" href=href>
                <div class="incident-card-top">
                    <span class="incident-number">{incident.number.clone()}</span>
                    <UrgentBadge urgency=incident.urgency/>
                    <StatusBadge status=incident.status/>
                    <Unread count=incident.unread/>
                </div>
                <p class="incident-card-text">{incident.excerpt.clone()}</p>
                <div class="incident-card-meta">
                    <span class="chip">{incident.system.clone()}</span>
                    <span>{incident.customer_name.clone().unwrap_or_default()}</span>
                    <time datetime=incident.updated_at.to_rfc3339()>{format_minute(incident.updated_at)}</time>
                </div>
            </a>
        </li>
    }
}

/// How many entries the viewer has not read, as a red count (nothing when none).
#[component]
pub fn Unread(count: i64) -> impl IntoView {
    let i18n = use_i18n();
    (count > 0).then(|| {
        let label = td_string!(
            i18n.get_locale_untracked(),
            incident.unread_count,
            n = count
        )
        .to_string();
        view! { <span class="unread" title=label.clone() aria-label=label>{count.min(99)}</span> }
    })
}

/// Thumbnails that open the full picture (a plain link: works without JavaScript).
#[component]
pub fn ScreenshotGrid(shots: Vec<Screenshot>) -> impl IntoView {
    let i18n = use_i18n();
    (!shots.is_empty()).then(|| {
        view! {
            <ul class="shots">
                {shots.into_iter().enumerate().map(|(i, s)| {
                    let n = i + 1;
                    view! {
                        <li>
                            <a href=s.url.clone() target="_blank" class="shot"
                                aria-label=move || t_string!(i18n, incident.screenshot_open, n = n)>
                                <img src=s.thumb_url.clone() alt="" loading="lazy" width=s.width.min(320) height=s.height.min(320)/>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    })
}

/// Everything the reporter sent: customer, system, what happened, screenshots, and the thread
/// (`live`: it shows new entries as they happen).
#[component]
pub fn IncidentFacts(detail: IncidentDetail, #[prop(optional)] live: bool) -> impl IntoView {
    let i18n = use_i18n();
    let d = detail;
    let locale = i18n.get_locale_untracked();
    let none = td_string!(locale, incident.none).to_string();
    let id_text = d
        .customer
        .id_type
        .zip(d.customer.id_number_masked.clone())
        .map(|(kind, n)| (id_kind_text(kind, locale), n));
    view! {
        <section class="card facts">
            <div class="facts-head">
                <span class="incident-number">{d.number.clone()}</span>
                <UrgentBadge urgency=d.urgency/>
                <StatusBadge status=d.status/>
            </div>
            <dl class="facts-list">
                <div><dt>{t!(i18n, incident.customer_name)}</dt><dd>{d.customer.name.clone().unwrap_or_else(|| none.clone())}</dd></div>
                <div><dt>{t!(i18n, incident.customer_number)}</dt><dd class="mono">{d.customer.customer_no.clone().unwrap_or_else(|| none.clone())}</dd></div>
                {id_text.map(|(kind, n)| view! {
                    <div><dt>{t!(i18n, incident.id_number)}</dt><dd class="id-doc"><span>{kind}</span>" "<span class="mono nowrap">{n}</span></dd></div>
                })}
                {d.customer.phone_masked.clone().map(|p| view! { <div><dt>{t!(i18n, incident.phone)}</dt><dd class="mono">{p}</dd></div> })}
                <div><dt>{t!(i18n, incident.system)}</dt><dd>{d.system.name.clone()}</dd></div>
                <div><dt>{t!(i18n, incident.channel)}</dt><dd>{channel_text(d.channel, locale)}</dd></div>
                <div><dt>{t!(i18n, incident.occurred_at)}</dt><dd>{format_minute(d.occurred_at)}</dd></div>
                <div><dt>{t!(i18n, incident.reporter)}</dt><dd>{d.reporter_name.clone()}</dd></div>
                <div><dt>{t!(i18n, incident.reported_at)}</dt><dd>{format_minute(d.created_at)}</dd></div>
                <div><dt>{t!(i18n, incident.updated_at)}</dt><dd>{format_minute(d.updated_at)}</dd></div>
                {d.rating.map(|r| view! { <div><dt>{t!(i18n, incident.rated)}</dt><dd class="stars">{"★".repeat(usize::from(r))}</dd></div> })}
            </dl>
        </section>
        {d.merged_into.clone().map(|m| view! {
            <section class="card merged">
                <h2 class="card-title">{t!(i18n, incident.merged_title)}</h2>
                <p class="merged-lead">{t!(i18n, incident.merged_lead)}<span class="incident-number">{m.number}</span><StatusBadge status=m.status/></p>
                <Timeline entries=m.answers/>
            </section>
        })}
        <section class="card">
            <h2 class="card-title">{t!(i18n, incident.description)}</h2>
            <p class="description">{d.description.clone()}</p>
            <ScreenshotGrid shots=d.screenshots.clone()/>
        </section>
        <section class="card">
            <h2 class="card-title">{t!(i18n, incident.timeline)}</h2>
            {if live {
                view! { <Timeline entries=d.timeline.clone() live=d.number.clone() read_upto=d.team_read_upto.unwrap_or(0) read_marks=d.desk.is_none()/> }.into_any()
            } else {
                view! { <Timeline entries=d.timeline.clone() read_upto=d.team_read_upto.unwrap_or(0) read_marks=d.desk.is_none()/> }.into_any()
            }}
        </section>
    }
}

/// What happened, oldest first; messages show as a conversation, the reporter's on the right.
/// With `live` (the incident's number), new entries appear as they happen (keyed by id, so the
/// entries already shown stay as they are); for the reporter (`read_marks`), each of their
/// messages says whether the team has read it.
#[component]
pub fn Timeline(
    entries: Vec<TimelineEntry>,
    #[prop(optional)] live: Option<String>,
    #[prop(optional)] read_upto: Option<i64>,
    #[prop(optional)] read_marks: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let entries = RwSignal::new(entries);
    let read_upto = RwSignal::new(read_upto);
    if let Some(number) = live {
        let tick = super::live::use_live_for(number.clone());
        Effect::new(move |seen: Option<u64>| {
            let now = tick.get();
            if seen.is_some_and(|s| s != now) {
                let number = number.clone();
                leptos::task::spawn_local(async move {
                    // A failed load leaves what is shown; the next change loads again.
                    if let Ok(thread) = crate::api::report::incident_thread(number).await {
                        read_upto.set(thread.team_read_upto);
                        entries.set(thread.entries);
                    }
                });
            }
            now
        });
    }
    let last = Memo::new(move |_| entries.with(|e| e.last().map(|e| e.id)));
    view! {
        <ol class="timeline">
            <For each=move || entries.get() key=|entry| entry.id let:entry>
                {
                    let locale = i18n.get_locale_untracked();
                    let name = entry.actor_name.clone().unwrap_or_else(|| td_string!(locale, incident.system).to_string());
                    let headline = headline(locale, entry.kind, name);
                    let class = match (entry.internal, entry.body.is_some(), entry.by_reporter) {
                        (true, _, _) => "timeline-entry timeline-internal",
                        (false, true, true) => "timeline-entry timeline-message mine",
                        (false, true, false) => "timeline-entry timeline-message theirs",
                        (false, false, _) => "timeline-entry",
                    };
                    let detail = entry.detail.clone().map(|d| {
                        let label = (entry.kind == EventKind::Returned).then(|| view! { <span class="detail-label">{t!(i18n, incident.event_change)}</span> });
                        view! { <p class="timeline-detail">{label}<span>{d}</span></p> }
                    });
                    let internal = entry.internal.then(|| view! { <span class="badge badge-internal">{t!(i18n, incident.internal)}</span> });
                    let id = entry.id;
                    let read_mark = (read_marks && entry.by_reporter && entry.body.is_some()).then(|| view! {
                        <span class="read-mark" class:read=move || read_upto.get().is_some_and(|r| r >= id)>
                            {move || if read_upto.get().is_some_and(|r| r >= id) { t_string!(i18n, incident.read) } else { t_string!(i18n, incident.unread) }}
                        </span>
                    });
                    view! {
                        <li class=class id=move || (last.get() == Some(id)).then_some("latest")>
                            <span class="timeline-dot" aria-hidden="true"></span>
                            <div class="timeline-body">
                                <p class="timeline-head">{headline}{internal}</p>
                                {detail}
                                {entry.body.clone().map(|b| view! { <p class="bubble"><super::knowledge::TextWithArticles text=b/></p> })}
                                <ScreenshotGrid shots=entry.screenshots.clone()/>
                                <p class="timeline-foot"><time datetime=entry.at.to_rfc3339()>{format_minute(entry.at)}</time>{read_mark}</p>
                            </div>
                        </li>
                    }
                }
            </For>
        </ol>
    }
}

/// The line that says what happened, in `locale`.
fn headline(locale: crate::i18n::Locale, kind: EventKind, name: String) -> String {
    match kind {
        EventKind::Submitted => td_string!(locale, incident.event_submitted, name).to_string(),
        EventKind::Message => td_string!(locale, incident.event_message, name).to_string(),
        EventKind::Confirmed => td_string!(locale, incident.event_confirmed, name).to_string(),
        EventKind::Reopened => td_string!(locale, incident.event_reopened, name).to_string(),
        EventKind::Claimed => td_string!(locale, incident.event_claimed, name).to_string(),
        EventKind::Assigned => td_string!(locale, incident.event_assigned, name).to_string(),
        EventKind::Categorized => td_string!(locale, incident.event_categorized, name).to_string(),
        EventKind::Transferred => td_string!(locale, incident.event_transferred, name).to_string(),
        EventKind::Returned => td_string!(locale, incident.event_returned, name).to_string(),
        EventKind::Note => td_string!(locale, incident.event_note, name).to_string(),
        EventKind::Reply => td_string!(locale, incident.event_reply, name).to_string(),
        EventKind::Answered => td_string!(locale, incident.event_answered, name).to_string(),
        EventKind::Closed => td_string!(locale, incident.event_closed, name).to_string(),
        EventKind::Merged => td_string!(locale, incident.event_merged, name).to_string(),
        EventKind::Absorbed => td_string!(locale, incident.event_absorbed, name).to_string(),
        EventKind::SlaDueSoon => td_string!(locale, incident.event_sla_due_soon).to_string(),
        EventKind::SlaBreached => td_string!(locale, incident.event_sla_breached).to_string(),
    }
}

/// The name of one of the three categories, in `locale`.
pub fn category_name(
    c: crate::domain::incident::workflow::Category,
    locale: Locale,
) -> &'static str {
    use crate::domain::incident::workflow::Category;
    match c {
        Category::Data => td_string!(locale, desk.category_data),
        Category::Program => td_string!(locale, desk.category_program),
        Category::Consultation => td_string!(locale, desk.category_consultation),
    }
}

/// A workflow action's name, as its button and the audit trail show it.
pub fn action_label(action: ActionKind, locale: Locale) -> &'static str {
    match action {
        ActionKind::Claim => td_string!(locale, desk.claim),
        ActionKind::Assign => td_string!(locale, desk.assign),
        ActionKind::Categorize => td_string!(locale, desk.categorize),
        ActionKind::Transfer => td_string!(locale, desk.transfer),
        ActionKind::Return => td_string!(locale, desk.return_back),
        ActionKind::Note => td_string!(locale, desk.note),
        ActionKind::Reply => td_string!(locale, desk.reply),
        ActionKind::Answer => td_string!(locale, desk.answer),
        ActionKind::Reopen => td_string!(locale, desk.reopen),
        ActionKind::Close => td_string!(locale, desk.close),
        ActionKind::Merge => td_string!(locale, desk.merge),
    }
}
