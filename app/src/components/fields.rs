//! Form fields that show their problem beside them, in the user's language, and never clear
//! what was typed. With the wasm loaded they also check themselves as the user leaves them.
use crate::domain::{Field, Reason};
use crate::error::reason_message;
use crate::i18n::*;
use crate::AppError;
use leptos::prelude::*;

/// A check run in the browser on blur; the server runs the same one when the form arrives.
pub type Check = Callback<String, Option<Reason>>;

#[component]
pub fn TextField(
    field: Field,
    label: String,
    /// What the field holds when rendered (kept from a failed submission, or empty).
    #[prop(into)]
    value: String,
    /// The last submission's error, if any: the field shows its own part of it.
    #[prop(into)]
    error: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] placeholder: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] required: bool,
    /// Say "optional" beside the label.
    #[prop(optional)]
    optional: bool,
    /// Render a multi-line text area with a character counter up to this many.
    #[prop(optional)]
    multiline_max: Option<usize>,
    #[prop(optional, into)] check: Option<Check>,
    /// For a page that must reach the input itself (e.g. to clear a refused password).
    #[prop(optional)]
    node_ref: NodeRef<leptos::html::Input>,
    /// Which of several forms on one page this field is in (keeps element ids unique).
    #[prop(optional, into)]
    scope: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = match scope {
        Some(scope) => format!("f-{scope}-{}", field.as_str().replace('.', "-")),
        None => format!("f-{}", field.as_str().replace('.', "-")),
    };
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let count = RwSignal::new(value.chars().count());
    // The browser's own check, once the user has left the field.
    let local = RwSignal::new(None::<Reason>);
    // After an edit, the server's verdict on the old value no longer applies.
    let edited = RwSignal::new(false);
    Effect::watch(
        move || error.track(),
        move |_, _, _| edited.set(false),
        false,
    );
    let reason = move || {
        local.get().or_else(|| {
            if edited.get() {
                None
            } else {
                error.get().and_then(|e| e.reason_for(field))
            }
        })
    };
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        count.set(text.chars().count());
        edited.set(true);
        if local.get_untracked().is_some() {
            local.set(check.and_then(|c| c.run(text)));
        }
    };
    let on_blur = move |ev: leptos::ev::FocusEvent| {
        if let Some(c) = check {
            local.set(c.run(event_target_value(&ev)));
        }
    };
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        let has_hint = hint.is_some();
        move || {
            let mut ids = Vec::new();
            if reason().is_some() {
                ids.push(error_id.clone());
            }
            if has_hint {
                ids.push(hint_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || reason().is_some().then_some("true");
    let control = match multiline_max {
        Some(_) => view! {
            <textarea id=id.clone() name=field.as_str() rows="6" placeholder=placeholder.clone()
                required=required aria-invalid=invalid aria-describedby=described_by.clone()
                on:input=on_input on:blur=on_blur>{value.clone()}</textarea>
        }
        .into_any(),
        None => view! {
            <input node_ref=node_ref id=id.clone() name=field.as_str() type=kind value=value.clone() inputmode=inputmode
                autocomplete=autocomplete placeholder=placeholder.clone() required=required
                aria-invalid=invalid aria-describedby=described_by
                on:input=on_input on:blur=on_blur/>
        }
        .into_any(),
    };
    view! {
        <div class="field" class:field-invalid=move || reason().is_some()>
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">"*"</span> })}
                {optional.then(|| view! { <span class="optional">{t!(i18n, report.optional)}</span> })}
            </label>
            {control}
            <div class="field-meta">
                <span class="field-error" id=error_id.clone() aria-live="polite">
                    {move || reason().map(|r| reason_message(r, i18n.get_locale()))}
                </span>
                {multiline_max.map(|max| view! {
                    <span class="counter" class:counter-over={move || count.get() > max}>
                        {move || t_string!(i18n, report.count, count = count.get(), max = max)}
                    </span>
                })}
            </div>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
        </div>
    }
}

/// The form's main button: disabled while the submission is under way, so a double tap
/// cannot send twice (and the idempotency key covers what slips through).
#[component]
pub fn SubmitButton(
    #[prop(into)] pending: Signal<bool>,
    label: String,
    pending_label: String,
) -> impl IntoView {
    view! {
        <button type="submit" class="button button-primary button-block" disabled=move || pending.get()
            aria-busy=move || pending.get().then_some("true")>
            {move || if pending.get() { pending_label.clone() } else { label.clone() }}
        </button>
    }
}

/// A choice from a short list, with the same error display as `TextField`.
#[component]
pub fn SelectField(
    field: Field,
    label: String,
    /// `(value, label)` pairs.
    options: Vec<(String, String)>,
    #[prop(into)] value: String,
    #[prop(into)] error: Signal<Option<AppError>>,
    /// A first, empty choice ("请选择") that counts as not chosen.
    #[prop(optional, into)]
    placeholder: Option<String>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("f-{}", field.as_str().replace('.', "-"));
    let error_id = format!("{id}-error");
    let edited = RwSignal::new(false);
    Effect::watch(
        move || error.track(),
        move |_, _, _| edited.set(false),
        false,
    );
    let reason = move || {
        if edited.get() {
            None
        } else {
            error.get().and_then(|e| e.reason_for(field))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || reason().is_some()>
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">"*"</span> })}
            </label>
            <div class="select">
                <select id=id.clone() name=field.as_str() required=required
                    aria-invalid=move || reason().is_some().then_some("true")
                    aria-describedby=error_id.clone()
                    on:change=move |_| edited.set(true)>
                    {placeholder.map(|p| view! { <option value="" selected=value.is_empty()>{p}</option> })}
                    {options.into_iter().map(|(v, l)| {
                        let selected = v == value;
                        view! { <option value=v selected=selected>{l}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field-meta">
                <span class="field-error" id=error_id aria-live="polite">
                    {move || reason().map(|r| reason_message(r, i18n.get_locale()))}
                </span>
            </div>
        </div>
    }
}

/// One of a few choices as a row of touch-sized segments (radio buttons underneath).
#[component]
pub fn SegmentedField(
    field: Field,
    label: String,
    options: Vec<(String, String)>,
    #[prop(into)] value: String,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let name = field.as_str();
    view! {
        <fieldset class="field segmented-field">
            <legend>{label}</legend>
            <div class="segmented">
                {options.into_iter().map(|(v, l)| {
                    let checked = v == value;
                    view! {
                        <label class="segment">
                            <input type="radio" name=name value=v checked=checked/>
                            <span>{l}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
            {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
        </fieldset>
    }
}
