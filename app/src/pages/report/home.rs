use crate::api::report::my_incidents;
use crate::components::feedback::{Empty, ErrorPanel, Loading};
use crate::components::guard::{current, Guard, ANYONE};
use crate::components::incident::IncidentCard;
use crate::components::shell::{ReporterShell, SignOutButton, Tab};
use crate::domain::incident::views::{IncidentSummary, Page};
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// `/`: a reporter's home; the desk's people are sent to the desk.
#[component]
pub fn HomePage() -> impl IntoView {
    // Loads are started here, outside the guard's `Suspense`: the server walks a Suspense's
    // children twice, and anything created there would be created twice.
    // Loaded again as their incidents change (an answer, a reply).
    let refresh = crate::components::live::use_list_refresh(|| false);
    let recent = Resource::new(move || refresh.tick.get(), |_| my_incidents(None, None));
    view! {
        <Guard roles=ANYONE>
            {move || if current().role.works_desk() {
                view! { <Redirect path=paths::DESK.path()/> }.into_any()
            } else {
                view! { <ReporterHome recent/> }.into_any()
            }}
        </Guard>
    }
}

#[component]
fn ReporterHome(recent: Resource<Result<Page<IncidentSummary>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let user = current();
    let name = user.display_name.clone();
    view! {
        <ReporterShell title=td_string!(i18n.get_locale_untracked(), app_name).to_string() tab=Tab::Home>
            <section class="hero">
                <div class="hero-top">
                    <p class="hero-greeting">{t!(i18n, home.greeting, name = name.clone())}</p>
                    <SignOutButton class="hero-signout"/>
                </div>
                <p class="hero-lead">{t!(i18n, home.lead)}</p>
                <a class="button button-hero" href=paths::REPORT_NEW.path()>
                    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true"><path d="M12 5v14M5 12h14" stroke="currentColor" stroke-width="2.6" stroke-linecap="round"/></svg>
                    <span>{t!(i18n, home.report_button)}</span>
                    <span class="button-note">{t!(i18n, home.report_hint)}</span>
                </a>
            </section>
            <a class="help-entry" href=paths::HELP.path()>
                <span class="help-entry-icon" aria-hidden="true">
                    <svg viewBox="0 0 24 24" width="22" height="22"><circle cx="11" cy="11" r="6.5" fill="none" stroke="currentColor" stroke-width="2.2"/><path d="M16 16l4.5 4.5" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/></svg>
                </span>
                <span class="help-entry-text">
                    <span class="help-entry-title">{t!(i18n, home.help_title)}</span>
                    <span class="help-entry-lead">{t!(i18n, home.help_lead)}</span>
                </span>
            </a>
            <section class="section">
                <div class="section-head">
                    <h2>{t!(i18n, home.recent)}</h2>
                    <a href=paths::MY_INCIDENTS.path()>{t!(i18n, home.see_all)}</a>
                </div>
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match recent.await {
                            Ok(page) if page.items.is_empty() => view! {
                                <Empty title=td_string!(i18n.get_locale_untracked(), home.empty).to_string() lead=td_string!(i18n.get_locale_untracked(), mine.empty_lead).to_string()/>
                            }.into_any(),
                            Ok(page) => view! {
                                <ul class="card-list">
                                    {page.items.into_iter().take(3).map(|i| {
                                        let href = paths::incident(&i.number);
                                        view! { <IncidentCard incident=i href/> }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </ReporterShell>
    }
}
