use crate::api::incidents::{report_form, CreateIncident};
use crate::components::feedback::{ErrorPanel, FormError, Loading};
use crate::components::fields::{SubmitButton, TextField};
use crate::components::guard::{Guard, REPORTER};
use crate::components::shell::{ReporterShell, Tab};
use crate::domain::incident::{CustomerName, CustomerNumber, Description, NewIncidentForm};
use crate::AppError;
use crate::domain::Field;
use crate::i18n::*;
use leptos::prelude::*;

/// `/report/new`: the report form. Screenshots, ID documents, the system and urgency join it
/// with the full reporter flow; the layout already has their sections' place.
#[component]
pub fn ReportPage() -> impl IntoView {
    // Created outside the guard's Suspense (see `HomePage`).
    let action = ServerAction::<CreateIncident>::new();
    let form = Resource::new(|| (), |_| report_form());
    view! { <Guard roles=REPORTER><ReportForm action form/></Guard> }
}

#[component]
fn ReportForm(action: ServerAction<CreateIncident>, form: Resource<Result<NewIncidentForm, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <ReporterShell title=td_string!(i18n.get_locale_untracked(), report.title).to_string() back="/" tab=Tab::Report>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let draft = match form.await {
                        Ok(draft) => draft,
                        Err(error) => return view! { <ErrorPanel error/> }.into_any(),
                    };
                    view! {
                        <ActionForm action=action attr:class="form report-form" attr:novalidate=true>
                            <FormError error/>
                            <input type="hidden" name="idempotency_key" value=draft.idempotency_key/>
                            <fieldset class="card form-section">
                                <legend>{t!(i18n, report.customer_section)}</legend>
                                <TextField field=Field::CustomerName label=td_string!(i18n.get_locale_untracked(), report.customer_name).to_string()
                                    value=draft.customer_name error required=true autocomplete="off"
                                    placeholder=td_string!(i18n.get_locale_untracked(), report.customer_name_placeholder).to_string()
                                    check=|v| CustomerName::parse(v).map(|_| ())/>
                                <TextField field=Field::CustomerNumber label=td_string!(i18n.get_locale_untracked(), report.customer_number).to_string()
                                    value=draft.customer_number error required=true inputmode="numeric" autocomplete="off"
                                    placeholder=td_string!(i18n.get_locale_untracked(), report.customer_number_placeholder).to_string()
                                    check=|v| CustomerNumber::parse(v).map(|_| ())/>
                            </fieldset>
                            <fieldset class="card form-section">
                                <legend>{t!(i18n, report.problem_section)}</legend>
                                <TextField field=Field::Description label=td_string!(i18n.get_locale_untracked(), report.description).to_string()
                                    value=draft.description error required=true multiline_max=Description::MAX
                                    placeholder=td_string!(i18n.get_locale_untracked(), report.description_placeholder).to_string()
                                    hint=td_string!(i18n.get_locale_untracked(), report.description_hint).to_string()
                                    check=|v| Description::parse(v).map(|_| ())/>
                            </fieldset>
                            <div class="form-actions">
                                <SubmitButton pending=action.pending()
                                    label=td_string!(i18n.get_locale_untracked(), report.submit).to_string()
                                    pending_label=td_string!(i18n.get_locale_untracked(), report.submitting).to_string()/>
                            </div>
                        </ActionForm>
                    }.into_any()
                })}
            </Suspense>
        </ReporterShell>
    }
}
