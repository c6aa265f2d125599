use crate::api::incidents::incident;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::guard::{Guard, DESK};
use crate::components::incident::IncidentFacts;
use crate::components::shell::DeskShell;
use crate::domain::incident::IncidentDetail;
use crate::i18n::*;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/desk/incidents/{number}`: one incident as the team sees it.
#[component]
pub fn DeskIncidentPage() -> impl IntoView {
    // Created outside the guard's Suspense (see `HomePage`).
    let params = use_params_map();
    let found = Resource::new(move || params.read().get("number").unwrap_or_default(), incident);
    view! { <Guard roles=DESK><DeskShell><DeskIncident found/></DeskShell></Guard> }
}

#[component]
fn DeskIncident(found: Resource<Result<IncidentDetail, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="back-link" href="/desk">{t!(i18n, desk.back_to_queue)}</a>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(detail) => view! { <div class="desk-incident"><IncidentFacts detail/></div> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
