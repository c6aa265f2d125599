//! How an incident looks: its status, a list card, its facts and its timeline.
use crate::domain::incident::{EventKind, IncidentDetail, IncidentSummary, Status};
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

#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("badge badge-{}", status.as_str())>
            {move || status_text(status, i18n.get_locale())}
        </span>
    }
}

/// One incident in a phone list: a whole-card link, thumb-sized.
#[component]
pub fn IncidentCard(incident: IncidentSummary, href: String) -> impl IntoView {
    view! {
        <li>
            <a class="card incident-card" href=href>
                <div class="incident-card-top">
                    <span class="incident-number">{incident.number.clone()}</span>
                    <StatusBadge status=incident.status/>
                </div>
                <p class="incident-card-text">{incident.excerpt.clone()}</p>
                <div class="incident-card-meta">
                    <span>{incident.customer_name.clone()}</span>
                    <time datetime=incident.updated_at.to_rfc3339()>{format_minute(incident.updated_at)}</time>
                </div>
            </a>
        </li>
    }
}

/// Everything the reporter sent.
#[component]
pub fn IncidentFacts(detail: IncidentDetail) -> impl IntoView {
    let i18n = use_i18n();
    let s = detail.summary;
    view! {
        <section class="card facts">
            <div class="facts-head">
                <span class="incident-number">{s.number.clone()}</span>
                <StatusBadge status=s.status/>
            </div>
            <dl class="facts-list">
                <div><dt>{t!(i18n, incident.customer_name)}</dt><dd>{s.customer_name.clone()}</dd></div>
                <div><dt>{t!(i18n, incident.customer_number)}</dt><dd class="mono">{s.customer_number.clone()}</dd></div>
                <div><dt>{t!(i18n, incident.reporter)}</dt><dd>{s.reporter_name.clone()}</dd></div>
                <div><dt>{t!(i18n, incident.reported_at)}</dt><dd>{format_minute(s.created_at)}</dd></div>
                <div><dt>{t!(i18n, incident.updated_at)}</dt><dd>{format_minute(s.updated_at)}</dd></div>
            </dl>
        </section>
        <section class="card">
            <h2 class="card-title">{t!(i18n, incident.description)}</h2>
            <p class="description">{detail.description}</p>
        </section>
        <section class="card">
            <h2 class="card-title">{t!(i18n, incident.timeline)}</h2>
            <ol class="timeline">
                {detail.timeline.into_iter().map(|entry| {
                    let name = entry.actor_name.clone();
                    view! {
                        <li>
                            <span class="timeline-dot" aria-hidden="true"></span>
                            <div>
                                <p>{move || match entry.kind {
                                    EventKind::Submitted => td_string!(i18n.get_locale_untracked(), incident.event_submitted, name = name.clone()).to_string(),
                                }}</p>
                                <time datetime=entry.at.to_rfc3339()>{format_minute(entry.at)}</time>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
