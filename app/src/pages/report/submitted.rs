use crate::api::report::incident;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::guard::{Guard, REPORTER};
use crate::components::shell::{ReporterShell, Tab};
use crate::domain::incident::views::IncidentDetail;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/report/submitted/{number}`: the confirmation, with the number to quote.
#[component]
pub fn SubmittedPage() -> impl IntoView {
    // Created outside the guard's Suspense (see `HomePage`).
    let params = use_params_map();
    let found = Resource::new(
        move || params.read().get("number").unwrap_or_default(),
        incident,
    );
    view! { <Guard roles=REPORTER><Submitted found/></Guard> }
}

#[component]
fn Submitted(found: Resource<Result<IncidentDetail, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ReporterShell title=td_string!(i18n.get_locale_untracked(), report.title).to_string() tab=Tab::None>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(detail) => {
                            let number = detail.number.clone();
                            view! {
                                <section class="done">
                                    <div class="done-icon" aria-hidden="true">
                                        <svg viewBox="0 0 48 48" width="64" height="64"><circle cx="24" cy="24" r="22" fill="currentColor"/><path d="M14 24.5l7 7 13-14" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>
                                    </div>
                                    <h2 class="done-title">{t!(i18n, submitted.title)}</h2>
                                    <p class="done-label">{t!(i18n, submitted.number)}</p>
                                    <p class="done-number" data-testid="incident-number">{number.clone()}</p>
                                    <p class="done-lead">{t!(i18n, submitted.lead)}</p>
                                    <div class="done-actions">
                                        <a class="button button-primary button-block" href=paths::incident(&number)>{t!(i18n, submitted.view)}</a>
                                        <a class="button button-block" href=paths::REPORT_NEW.path()>{t!(i18n, submitted.another)}</a>
                                        <a class="link" href=paths::HOME.path()>{t!(i18n, submitted.home)}</a>
                                    </div>
                                </section>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </ReporterShell>
    }
}
