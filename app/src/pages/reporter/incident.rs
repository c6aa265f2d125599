use crate::api::incidents::incident;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::guard::{Guard, REPORTER};
use crate::components::incident::IncidentFacts;
use crate::components::shell::{ReporterShell, Tab};
use crate::domain::incident::IncidentDetail;
use crate::i18n::*;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/incidents/{number}`: one of the reporter's own incidents; anyone else's is "not found".
#[component]
pub fn ReporterIncidentPage() -> impl IntoView {
    // Created outside the guard's Suspense (see `HomePage`).
    let params = use_params_map();
    let found = Resource::new(move || params.read().get("number").unwrap_or_default(), incident);
    view! { <Guard roles=REPORTER><ReporterIncident found/></Guard> }
}

#[component]
fn ReporterIncident(found: Resource<Result<IncidentDetail, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ReporterShell title=td_string!(i18n.get_locale_untracked(), incident.title).to_string() back="/incidents" tab=Tab::Mine>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(detail) => view! { <div class="stack"><IncidentFacts detail/></div> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </ReporterShell>
    }
}
