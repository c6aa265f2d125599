use crate::api::incidents::{report_form, CreateIncident};
use crate::components::feedback::{ErrorPanel, FormError, Loading};
use crate::components::fields::{SubmitButton, TextField};
use crate::components::guard::{Guard, REPORTER};
use crate::components::shell::{ReporterShell, Tab};
use crate::domain::incident::{CustomerName, CustomerNumber, Description};
use crate::domain::Field;
use crate::i18n::*;
use leptos::prelude::*;

/// `/report/new`: the report form. Screenshots, ID documents, the system and urgency join it
/// with the full reporter flow; the layout already has their sections' place.
#[component]
pub fn ReportPage() -> impl IntoView {
    view! { <Guard roles=REPORTER><ReportForm/></Guard> }
}

#[component]
fn ReportForm() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<CreateIncident>::new();
    let form = Resource::new(|| (), |_| report_form());
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <ReporterShell title=t_string!(i18n, report.title).to_string() back="/" tab=Tab::Report>
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
                                <TextField field=Field::CustomerName label=t_string!(i18n, report.customer_name).to_string()
                                    value=draft.customer_name error required=true autocomplete="off"
                                    placeholder=t_string!(i18n, report.customer_name_placeholder).to_string()
                                    check=|v| CustomerName::parse(v).map(|_| ())/>
                                <TextField field=Field::CustomerNumber label=t_string!(i18n, report.customer_number).to_string()
                                    value=draft.customer_number error required=true inputmode="numeric" autocomplete="off"
                                    placeholder=t_string!(i18n, report.customer_number_placeholder).to_string()
                                    check=|v| CustomerNumber::parse(v).map(|_| ())/>
                            </fieldset>
                            <fieldset class="card form-section">
                                <legend>{t!(i18n, report.problem_section)}</legend>
                                <TextField field=Field::Description label=t_string!(i18n, report.description).to_string()
                                    value=draft.description error required=true multiline_max=Description::MAX
                                    placeholder=t_string!(i18n, report.description_placeholder).to_string()
                                    hint=t_string!(i18n, report.description_hint).to_string()
                                    check=|v| Description::parse(v).map(|_| ())/>
                            </fieldset>
                            <div class="form-actions">
                                <SubmitButton pending=action.pending()
                                    label=t_string!(i18n, report.submit).to_string()
                                    pending_label=t_string!(i18n, report.submitting).to_string()/>
                            </div>
                        </ActionForm>
                    }.into_any()
                })}
            </Suspense>
        </ReporterShell>
    }
}
