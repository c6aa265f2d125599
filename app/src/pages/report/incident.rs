use crate::api::report::{incident, message_form, Settle};
use crate::components::feedback::{ErrorPanel, FormError, Loading};
use crate::components::fields::{SubmitButton, TextField};
use crate::components::guard::{Guard, REPORTER};
use crate::components::incident::IncidentFacts;
use crate::components::shell::{ReporterShell, Tab};
use crate::domain::incident::views::IncidentDetail;
use crate::domain::incident::{MessageBody, Status};
use crate::domain::Field;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/incidents/{number}`: one of the reporter's own incidents (anyone else's is "not found"):
/// everything sent, the screenshots, the conversation with the team; a follow-up message with
/// more screenshots; and, once answered, "solved" or "not solved".
#[component]
pub fn ReporterIncidentPage() -> impl IntoView {
    // Created outside the guard's Suspense (see `HomePage`).
    let params = use_params_map();
    let settle = ServerAction::<Settle>::new();
    // Loaded again whenever the incident changes (a reply, an answer, the team reading it).
    let number = params.read_untracked().get("number").unwrap_or_default();
    let changed = crate::components::live::use_live_for(number);
    let found = Resource::new(
        move || {
            (
                params.read().get("number").unwrap_or_default(),
                settle.version().get(),
                changed.get(),
            )
        },
        |(number, _, _)| incident(number),
    );
    let draft = Resource::new(
        move || params.read().get("number").unwrap_or_default(),
        message_form,
    );
    view! { <Guard roles=REPORTER><ReporterIncident found draft settle params/></Guard> }
}

#[component]
fn ReporterIncident(
    found: Resource<Result<IncidentDetail, AppError>>,
    draft: Resource<Result<(String, String), AppError>>,
    settle: ServerAction<Settle>,
    params: Memo<leptos_router::params::ParamsMap>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ReporterShell title=td_string!(i18n.get_locale_untracked(), incident.title).to_string() back=paths::MY_INCIDENTS.path() tab=Tab::Mine>
            // The thread loads again as it changes, without a flash; the message form is apart
            // from it, so what the reporter is typing stays.
            <div class="stack">
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match found.await {
                            Ok(detail) => {
                                let answered = detail.status == Status::Answered;
                                let (number, version) = (detail.number.clone(), detail.version);
                                let settle_box = answered.then(|| view! { <SettleBox number=number.clone() version settle/> });
                                view! { {settle_box}<IncidentFacts detail/> }.into_any()
                            }
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })}
                </Transition>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let number = params.read_untracked().get("number").unwrap_or_default();
                        draft.await.ok().map(|(body, key)| view! { <MessageForm number body key/> })
                    })}
                </Suspense>
            </div>
        </ReporterShell>
    }
}

/// "Is it solved?": confirm, or say what is still wrong (which sends it back to the team).
#[component]
fn SettleBox(number: String, version: i32, settle: ServerAction<Settle>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let error = Signal::derive(move || settle.value().get().and_then(Result::err));
    let (yes_number, yes_version, version) =
        (number.clone(), version.to_string(), version.to_string());
    view! {
        <section class="card settle" aria-labelledby="settle-title">
            <h2 class="card-title" id="settle-title">{t!(i18n, incident.settle_title)}</h2>
            <p class="settle-lead">{t!(i18n, incident.settle_lead)}</p>
            <FormError error/>
            <ActionForm action=settle attr:class="inline-form settle-yes">
                <input type="hidden" name="number" value=yes_number/>
                <input type="hidden" name="version" value=yes_version/>
                <input type="hidden" name="solved" value="true"/>
                <fieldset class="segmented-field rating">
                    <legend>{t!(i18n, incident.rating)}<span class="optional">{t!(i18n, report.optional)}</span></legend>
                    <div class="segmented">
                        {(1..=5).map(|n| view! {
                            <label class="segment">
                                <input type="radio" name="rating" value=n.to_string()
                                    aria-label=move || t_string!(i18n, incident.rating_stars, n = n).to_string()/>
                                <span aria-hidden="true">{"★".repeat(n)}</span>
                            </label>
                        }).collect_view()}
                    </div>
                </fieldset>
                <button type="submit" class="button button-primary button-block">{t!(i18n, incident.solved)}</button>
            </ActionForm>
            <details class="settle-no">
                <summary class="button button-block">{t!(i18n, incident.not_solved)}</summary>
                <ActionForm action=settle attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="number" value=number/>
                    <input type="hidden" name="version" value=version/>
                    <input type="hidden" name="solved" value="false"/>
                    <TextField field=Field::Body label=td_string!(locale, incident.not_solved_reason).to_string()
                        value="" error=error required=true multiline_max=MessageBody::MAX
                        check=|v: String| MessageBody::parse(&v).err()/>
                    <SubmitButton pending=settle.pending() label=td_string!(locale, incident.not_solved).to_string()
                        pending_label=td_string!(locale, report.submitting).to_string()/>
                </ActionForm>
            </details>
        </section>
    }
}

/// A follow-up message with screenshots: a plain multipart form (the page reloads with it),
/// sent once per `key` however often it is posted; a refused post comes back with `body`.
#[component]
fn MessageForm(number: String, body: String, key: String) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let query = use_query_map();
    // A refused plain post comes back with its error in the URL.
    let error = Signal::derive(move || {
        query
            .read()
            .get("__err")
            .and_then(|e| serde_json::from_str::<AppError>(&e).ok())
    });
    let shot_error = move || {
        error
            .get()
            .and_then(|e| e.reason_for(Field::Screenshots))
            .map(|r| crate::error::reason_message(r, i18n.get_locale()))
    };
    view! {
        <section class="card" id="reply" aria-labelledby="reply-title">
            <h2 class="card-title" id="reply-title">{t!(i18n, incident.message_title)}</h2>
            <form method="post" action=paths::handlers::message_form(&number) enctype="multipart/form-data" class="form" novalidate>
                <FormError error/>
                <input type="hidden" name=Field::IdempotencyKey.as_str() value=key/>
                <TextField field=Field::Body label=td_string!(locale, incident.message_label).to_string()
                    value=body error required=true multiline_max=MessageBody::MAX
                    placeholder=td_string!(locale, incident.message_placeholder).to_string()
                    check=|v: String| MessageBody::parse(&v).err()/>
                <label class="photo-add photo-add-inline">
                    <input type="file" name=Field::Screenshots.as_str() accept="image/*" multiple/>
                    <span>{t!(i18n, incident.message_photos)}</span>
                </label>
                <p class="field-error" role="alert">{shot_error}</p>
                <button type="submit" class="button button-primary button-block">{t!(i18n, incident.message_send)}</button>
            </form>
        </section>
    }
}
