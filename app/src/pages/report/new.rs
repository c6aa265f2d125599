use crate::api::report::{new_report, ReportFormPage};
use crate::components::feedback::{ErrorPanel, FormError, Loading};
use crate::components::fields::{SegmentedField, SelectField, SubmitButton, TextField};
use crate::components::guard::{Guard, REPORTER};
use crate::components::incident::{channel_text, id_kind_text, urgency_text};
use crate::components::shell::{ReporterShell, Tab};
use crate::domain::customer::IdKind;
use crate::domain::incident::Description;
use crate::domain::incident::{Channel, Urgency};
use crate::domain::report::{parse_occurred_at, ReportRules, MAX_SCREENSHOTS};
use crate::domain::Field;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;

/// `/report/new`: the report form. A plain multipart form that works without JavaScript (the
/// server answers with a redirect, keeping everything on an error, photos included). With the
/// wasm, fields check themselves as they are left and the whole form before it is sent; then
/// `/mss.js` shrinks the photos, keeps the draft in IndexedDB and sends it (or queues it
/// offline) with a progress bar.
#[component]
pub fn ReportPage() -> impl IntoView {
    // Created outside the guard's Suspense (see `HomePage`).
    let form = Resource::new(|| (), |_| new_report());
    view! { <Guard roles=REPORTER><ReportFormView form/></Guard> }
}

#[component]
fn ReportFormView(form: Resource<Result<ReportFormPage, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ReporterShell title=td_string!(i18n.get_locale_untracked(), report.title).to_string() back=paths::HOME.path() tab=Tab::Report>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match form.await {
                        Ok(page) => view! { <ReportFields page/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </ReporterShell>
    }
}

#[component]
fn ReportFields(page: ReportFormPage) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let s = |text: &str| text.to_string();
    let error = RwSignal::new(page.error.clone());
    let sending = RwSignal::new(false);
    let rules = page.rules;
    let mut f = page.form;
    // "还是没解决？上报事件" from a help-center article: its system filled in.
    if f.system.is_empty() {
        let asked = leptos_router::hooks::use_query_map()
            .read_untracked()
            .get("system")
            .filter(|code| page.systems.iter().any(|o| &o.code == code));
        if let Some(code) = asked {
            f.system = code;
        }
    }
    #[cfg(feature = "hydrate")]
    let on_submit = {
        let navigate = leptos_router::hooks::use_navigate();
        move |ev: leptos::ev::SubmitEvent| {
            client::submit(ev, rules, error, sending, navigate.clone())
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let on_submit = move |_: leptos::ev::SubmitEvent| {};
    let id_kinds: Vec<_> = IdKind::ALL
        .into_iter()
        .map(|k| (s(k.as_str()), s(id_kind_text(k, locale))))
        .collect();
    let channels: Vec<_> = Channel::ALL
        .into_iter()
        .map(|c| (s(c.as_str()), s(channel_text(c, locale))))
        .collect();
    let urgencies: Vec<_> = Urgency::ALL
        .into_iter()
        .map(|u| (s(u.as_str()), s(urgency_text(u, locale))))
        .collect();
    let systems: Vec<_> = page.systems.into_iter().map(|o| (o.code, o.name)).collect();
    let or_default = |raw: &str, default: &str| {
        if raw.trim().is_empty() {
            default.to_owned()
        } else {
            raw.to_owned()
        }
    };
    let shot_error = move || {
        error
            .get()
            .and_then(|e| e.reason_for(Field::Screenshots))
            .map(|r| crate::error::reason_message(r, i18n.get_locale()))
    };
    view! {
        <form id="report-form" data-report-form data-owner=crate::components::guard::current().id.to_string() method="post" action=paths::handlers::REPORT_FORM enctype="multipart/form-data"
            class="form report-form" novalidate on:submit=on_submit>
            <FormError error/>
            <input type="hidden" name=Field::IdempotencyKey.as_str() value=f.idempotency_key.clone()/>
            <fieldset class="card form-section">
                <legend>{t!(i18n, report.customer_section)}</legend>
                <TextField field=Field::CustomerName label=td_string!(locale, report.customer_name).to_string()
                    value=f.customer_name.clone() error required=rules.require_name optional=!rules.require_name autocomplete="off"
                    placeholder=td_string!(locale, report.customer_name_placeholder).to_string()
                    check=move |v: String| rules.check_name(&v).err()/>
                <TextField field=Field::CustomerNumber label=td_string!(locale, report.customer_number).to_string()
                    value=f.customer_no.clone() error required=rules.require_customer_no optional=!rules.require_customer_no
                    inputmode="numeric" autocomplete="off"
                    placeholder=td_string!(locale, report.customer_number_placeholder).to_string()
                    check=move |v: String| rules.check_customer_no(&v).err()/>
                <SelectField field=Field::IdType label=td_string!(locale, report.id_type).to_string()
                    options=id_kinds value=or_default(&f.id_type, IdKind::default().as_str()) error/>
                <TextField field=Field::IdNumber label=td_string!(locale, report.id_number).to_string()
                    value=f.id_number.clone() error required=rules.require_id optional=!rules.require_id autocomplete="off"
                    placeholder=td_string!(locale, report.id_number_placeholder).to_string()
                    check=move |v: String| check_id(rules, &v)/>
                <TextField field=Field::Phone label=td_string!(locale, report.phone).to_string() kind="tel"
                    value=f.phone.clone() error required=rules.require_phone optional=!rules.require_phone
                    inputmode="tel" autocomplete="off"
                    placeholder=td_string!(locale, report.phone_placeholder).to_string()
                    check=move |v: String| rules.check_phone(&v).err()/>
            </fieldset>
            <fieldset class="card form-section">
                <legend>{t!(i18n, report.problem_section)}</legend>
                <SelectField field=Field::System label=td_string!(locale, report.system).to_string()
                    options=systems value=f.system.clone() error required=true
                    placeholder=td_string!(locale, report.system_placeholder).to_string()/>
                <div class="field-row">
                    <SelectField field=Field::Channel label=td_string!(locale, report.channel).to_string()
                        options=channels value=or_default(&f.channel, Channel::default().as_str()) error/>
                    <TextField field=Field::OccurredAt label=td_string!(locale, report.occurred_at).to_string()
                        kind="datetime-local" value=f.occurred_at.clone() error
                        check=|v: String| parse_occurred_at(&v, chrono::Utc::now()).err()/>
                </div>
                <SegmentedField field=Field::Urgency label=td_string!(locale, report.urgency).to_string()
                    options=urgencies value=or_default(&f.urgency, Urgency::default().as_str())
                    hint=td_string!(locale, report.urgency_hint).to_string()/>
                <TextField field=Field::Description label=td_string!(locale, report.description).to_string()
                    value=f.description.clone() error required=true multiline_max=Description::MAX
                    placeholder=td_string!(locale, report.description_placeholder).to_string()
                    hint=td_string!(locale, report.description_hint).to_string()
                    check=|v: String| Description::parse(&v).err()/>
            </fieldset>
            <fieldset class="card form-section">
                <legend>{t!(i18n, report.screenshots)}" "<span class="optional">{t!(i18n, report.optional)}</span></legend>
                <div class="photos" data-photos data-max=MAX_SCREENSHOTS.to_string()>
                    <ul class="photo-list" data-photo-list>
                        {page.screenshots.into_iter().enumerate().map(|(i, shot)| {
                            let n = i + 1;
                            view! {
                                <li class="photo" data-kept>
                                    <img src=shot.thumb_url.clone() alt=""/>
                                    <input type="hidden" name=crate::domain::report::KEPT_SCREENSHOT value=shot.id.to_string()/>
                                    <button type="button" class="photo-remove" aria-label=td_string!(locale, report.screenshot_remove, n = n).to_string()>"×"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <label class="photo-add">
                        <input type="file" name=Field::Screenshots.as_str() accept="image/jpeg,image/png,image/webp,image/gif,image/*" multiple data-photo-input/>
                        <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"><path d="M4 8h3l2-3h6l2 3h3v11H4z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/><circle cx="12" cy="13" r="3.5" fill="none" stroke="currentColor" stroke-width="1.8"/></svg>
                        <span>{t!(i18n, report.screenshots_add)}</span>
                    </label>
                </div>
                <p class="field-hint">{t!(i18n, report.screenshots_hint)}</p>
                <p class="field-error" role="alert">{shot_error}</p>
            </fieldset>
            <div class="upload-progress" data-progress hidden>
                <progress max="100" value="0"></progress>
                <span data-progress-text></span>
            </div>
            <p class="queued-note" data-queued-note role="status" hidden></p>
            <div class="form-actions">
                <SubmitButton pending=sending
                    label=td_string!(locale, report.submit).to_string()
                    pending_label=td_string!(locale, report.submitting).to_string()/>
            </div>
        </form>
    }
}

/// The ID number, checked as the kind chosen beside it says.
/// (Runs in the browser only: fields check themselves on blur.)
fn check_id(rules: ReportRules, raw: &str) -> Option<crate::domain::Reason> {
    #[cfg(feature = "hydrate")]
    let kind = {
        use leptos::wasm_bindgen::JsCast;
        document()
            .get_element_by_id("f-customer-id_type")
            .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
            .and_then(|select| IdKind::parse(&select.value()).ok())
            .unwrap_or_default()
    };
    #[cfg(not(feature = "hydrate"))]
    let kind = IdKind::default();
    rules.check_id(kind, raw, chrono::Utc::now()).err()
}

/// The browser side of sending (wasm only).
#[cfg(feature = "hydrate")]
mod client {
    use crate::domain::report::{ReportForm, ReportRules};
    use crate::domain::Field;
    use crate::AppError;
    use leptos::prelude::*;
    use leptos::wasm_bindgen::{JsCast, JsValue};
    use leptos_router::NavigateOptions;

    fn get(target: &JsValue, key: &str) -> JsValue {
        js_sys::Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    /// Checks the whole form with the same rules as the server; when it passes, hands it to
    /// `/mss.js` (photos, draft, offline queue). Without that script the browser posts the form
    /// itself, as it would without JavaScript.
    pub fn submit(
        ev: leptos::ev::SubmitEvent,
        rules: ReportRules,
        error: RwSignal<Option<AppError>>,
        sending: RwSignal<bool>,
        navigate: impl Fn(&str, NavigateOptions) + Clone + 'static,
    ) {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let Ok(data) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        let mut raw = ReportForm::default();
        for field in Field::ALL {
            if let Some(value) = data.get(field.as_str()).as_string() {
                raw.set(field.as_str(), value);
            }
        }
        if let Err(fields) = raw.parse(&rules, chrono::Utc::now()) {
            ev.prevent_default();
            error.set(Some(AppError::fields(fields)));
            focus_first_problem();
            return;
        }
        let script = get(&window(), "mssReport");
        let Ok(send) = get(&script, "submit").dyn_into::<js_sys::Function>() else {
            return;
        };
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        sending.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let outcome = match send
                .call1(&script, &form)
                .map(|p| p.dyn_into::<js_sys::Promise>())
            {
                Ok(Ok(promise)) => wasm_bindgen_futures::JsFuture::from(promise)
                    .await
                    .unwrap_or(JsValue::UNDEFINED),
                _ => JsValue::UNDEFINED,
            };
            sending.set(false);
            match get(&outcome, "kind").as_string().as_deref() {
                Some("done") => {
                    let number = get(&outcome, "number").as_string().unwrap_or_default();
                    navigate(
                        &crate::paths::submitted(&number),
                        NavigateOptions::default(),
                    );
                }
                // The script shows that it is saved and will send it on reconnecting.
                Some("queued") => {}
                Some("error") => {
                    let body = get(&outcome, "body").as_string().unwrap_or_default();
                    let parsed =
                        serde_json::from_str::<AppError>(&body).unwrap_or(AppError::Network);
                    error.set(Some(parsed));
                    focus_first_problem();
                }
                _ => error.set(Some(AppError::Network)),
            }
        });
    }

    /// Brings the first field with a problem into view (on a phone it may be far above).
    fn focus_first_problem() {
        request_animation_frame(|| {
            let target = document()
                .query_selector("[aria-invalid=true], .form-error")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(el) = target {
                el.scroll_into_view_with_bool(false);
                let _ = el.focus();
            }
        });
    }
}
