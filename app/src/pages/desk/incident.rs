use crate::api::desk::{desk_incident, DeskIncidentView, KeptFields, Reveal};
use crate::components::feedback::{ErrorPanel, FormError, Loading};
use crate::components::fields::TextField;
use crate::components::guard::{Guard, TEAM};
use crate::components::incident::{action_label, IncidentFacts, StatusBadge};
use crate::components::shell::DeskShell;
use crate::domain::incident::views::{DeskFacts, IncidentDetail, Named};
use crate::domain::incident::workflow::{
    ActionKind, Category, DeskOptions, Priority, SlaState, MAX_CHANGE,
};
use crate::domain::incident::MessageBody;
use crate::domain::time::format_minute;
use crate::domain::Field;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/desk/incidents/{number}`: one incident as the team works it: what was reported and the whole
/// conversation on the left; triage, service levels, the actions its state allows and the audit
/// trail on the right. Every action is a plain form (works without JavaScript).
#[component]
pub fn DeskIncidentPage() -> impl IntoView {
    // Created outside the guard's Suspense (see `HomePage`).
    let params = use_params_map();
    let found = Resource::new(
        move || params.read().get("number").unwrap_or_default(),
        desk_incident,
    );
    view! { <Guard roles=TEAM><DeskShell><DeskIncident found/></DeskShell></Guard> }
}

#[component]
fn DeskIncident(found: Resource<Result<DeskIncidentView, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    // A change that moved the incident's version on: anything but the reporter's messages.
    let number = params.read_untracked().get("number").unwrap_or_default();
    let changed = crate::components::live::use_live_where(move |m| {
        m.incident == number && m.kind != "message" && m.kind != "read"
    });
    view! {
        <a class="back-link" href=paths::DESK.path()>{t!(i18n, desk.back_to_queue)}</a>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(view) => {
                        let DeskIncidentView { detail, options, kept, can_reveal } = view;
                        let side = detail.desk.clone().map(|facts| view! {
                            <aside class="desk-side">
                                <Triage facts=facts.clone() status=detail.status/>
                                <Actions detail=detail.clone() options kept/>
                                {(matches!(detail.status, crate::domain::incident::Status::Answered | crate::domain::incident::Status::Closed)
                                    && crate::components::guard::current().role.works_desk())
                                    .then(|| view! { <ToKnowledge number=detail.number.clone()/> })}
                                {can_reveal.then(|| view! { <Reveals detail=detail.clone()/> })}
                                <Audit facts/>
                            </aside>
                        });
                        // New entries show in the thread by themselves; anything else that changed
                        // (state, assignment, triage) waits for the handler to load it, so a reply
                        // being typed is never thrown away.
                        let seen = changed.get_untracked();
                        let stale = move || changed.get() != seen;
                        view! {
                            <Show when=stale>
                                <div class="notice notice-warn live-changed" role="status">
                                    <p>{t!(i18n, live.changed)}</p>
                                    <button type="button" class="button button-small" on:click=move |_| found.refetch()>{t!(i18n, live.reload)}</button>
                                </div>
                            </Show>
                            <div class="desk-incident">
                                <div class="desk-main-col"><IncidentFacts detail live=true/></div>
                                {side}
                            </div>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn priority_class(p: Priority) -> String {
    format!("badge badge-{}", p.as_str().to_ascii_lowercase())
}

pub fn sla_text(state: SlaState, locale: Locale) -> &'static str {
    match state {
        SlaState::OnTrack => td_string!(locale, desk.sla_on_track),
        SlaState::DueSoon => td_string!(locale, desk.sla_due_soon),
        SlaState::Late => td_string!(locale, desk.sla_late),
    }
}

/// Priority, category, who holds it, and where it stands against its targets.
#[component]
fn Triage(facts: DeskFacts, status: crate::domain::incident::Status) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let none = td_string!(locale, incident.none).to_string();
    let named = |n: &Option<Named>| {
        n.as_ref()
            .map(|n| n.name.clone())
            .unwrap_or_else(|| none.clone())
    };
    let category = match (&facts.category, &facts.subcategory) {
        (Some(c), Some(s)) => format!("{} / {}", c.name, s.name),
        (Some(c), None) => c.name.clone(),
        _ => none.clone(),
    };
    let sla = facts.sla_state.map(
        |s| view! { <span class=format!("badge sla-{}", s.as_str())>{sla_text(s, locale)}</span> },
    );
    let on_time = facts.resolved_on_time.map(|ok| {
        let text = if ok {
            td_string!(locale, desk.on_time)
        } else {
            td_string!(locale, desk.not_on_time)
        };
        view! { <span class=if ok { "badge sla-on_track" } else { "badge sla-late" }>{text}</span> }
    });
    view! {
        <section class="panel side-panel" aria-labelledby="triage-title">
            <div class="side-head">
                <h2 id="triage-title">{t!(i18n, desk.triage)}</h2>
                <StatusBadge status/>
                <span class=priority_class(facts.priority)>{facts.priority.as_str()}</span>
            </div>
            <dl class="side-facts">
                <div><dt>{t!(i18n, desk.category)}</dt><dd>{category}</dd></div>
                <div><dt>{t!(i18n, desk.assignee)}</dt><dd>{named(&facts.assignee)}</dd></div>
                <div><dt>{t!(i18n, desk.group)}</dt><dd>{named(&facts.group)}</dd></div>
                {(!facts.tags.is_empty()).then(|| view! {
                    <div><dt>{t!(i18n, desk.tags)}</dt><dd class="tags">{facts.tags.iter().map(|t| view! { <span class="chip">{t.clone()}</span> }).collect_view()}</dd></div>
                })}
                <div><dt>{t!(i18n, desk.first_response_due)}</dt><dd>{format_minute(facts.first_response_due)}</dd></div>
                <div><dt>{t!(i18n, desk.resolution_due)}</dt><dd>{format_minute(facts.resolution_due)}</dd></div>
                <div><dt>{t!(i18n, desk.sla)}</dt><dd>{sla}{on_time}</dd></div>
            </dl>
        </section>
    }
}

/// The actions the incident's state allows this viewer, each its own form.
#[component]
fn Actions(detail: IncidentDetail, options: DeskOptions, kept: KeptFields) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let refused = Signal::derive(move || {
        query
            .read()
            .get("__err")
            .and_then(|e| serde_json::from_str::<AppError>(&e).ok())
    });
    let actions = detail.actions.clone();
    if actions.is_empty() {
        return view! { <section class="panel side-panel"><p class="muted">{t!(i18n, desk.nothing_to_do)}</p></section> }.into_any();
    }
    let number = detail.number.clone();
    let customer = detail.customer.name.clone().unwrap_or_default();
    let kept = StoredValue::new(kept);
    let ctx = FormCtx {
        number: number.clone(),
        version: detail.version,
        refused,
    };
    // One-click moves first, then the ones that need words.
    let quick: Vec<ActionKind> = actions
        .iter()
        .copied()
        .filter(|a| matches!(a, ActionKind::Claim))
        .collect();
    view! {
        <section class="panel side-panel" aria-labelledby="actions-title">
            <h2 id="actions-title">{t!(i18n, desk.actions)}</h2>
            {quick.into_iter().map(|_| view! {
                <ActionFormShell ctx=ctx.clone() action=ActionKind::Claim open=true>
                    <button type="submit" class="button button-primary button-block">{t!(i18n, desk.claim)}</button>
                </ActionFormShell>
            }).collect_view()}
            {actions.into_iter().filter(|a| *a != ActionKind::Claim).map(|action| {
                let kept_value = move |name: &str| kept.with_value(|k| k.value(action.as_str(), name));
                let scope = action.as_str().to_owned();
                let body = |label: String, required: bool| view! {
                    <TextField field=Field::Body label value=kept_value("body") error=refused required optional=!required
                        multiline_max=MessageBody::MAX scope=scope.clone()
                        check=move |v: String| if required || !v.trim().is_empty() { MessageBody::parse(&v).err() } else { None }/>
                };
                let locale = i18n.get_locale_untracked();
                let fields = match action {
                    ActionKind::Claim => ().into_any(),
                    ActionKind::Assign => view! {
                        <Select scope=action name="assignee" label=td_string!(locale, desk.assignee).to_string() options=options.handlers.clone() value=kept_value("assignee")/>
                    }.into_any(),
                    ActionKind::Categorize => view! {
                        <CategorizeFields options=options.clone() facts=detail.desk.clone() kept=kept.get_value()/>
                    }.into_any(),
                    ActionKind::Transfer => view! {
                        <Select scope=action name="group" label=td_string!(locale, desk.group).to_string() options=options.groups.clone() value=kept_value("group")/>
                        {body(td_string!(locale, desk.transfer_note).to_string(), true)}
                    }.into_any(),
                    ActionKind::Return => view! {
                        {body(td_string!(locale, desk.return_findings).to_string(), true)}
                        <TextField field=Field::Change label=td_string!(locale, desk.change).to_string() value=kept_value("change")
                            error=refused optional=true multiline_max=MAX_CHANGE scope="return"
                            hint=td_string!(locale, desk.change_hint).to_string()/>
                    }.into_any(),
                    ActionKind::Reply | ActionKind::Answer => {
                        let canned = (!options.canned.is_empty()).then(|| {
                            let canned_options: Vec<Named> = options.canned.iter()
                                .map(|c| Named { code: c.id.to_string(), name: c.title.clone() })
                                .collect();
                            let previews = options.canned.iter().map(|c| (c.title.clone(), c.fill(&customer, &number))).collect::<Vec<_>>();
                            view! {
                                <Select scope=action name="canned" label=td_string!(locale, desk.canned).to_string() options=canned_options value=String::new()
                                    hint=td_string!(locale, desk.canned_hint).to_string()/>
                                <details class="canned-previews">
                                    <summary>{t!(i18n, desk.canned_preview)}</summary>
                                    <ul>{previews.into_iter().map(|(title, text)| view! { <li><strong>{title}</strong><p>{text}</p></li> }).collect_view()}</ul>
                                </details>
                            }
                        });
                        let label = if action == ActionKind::Reply { td_string!(locale, desk.reply_body) } else { td_string!(locale, desk.answer_body) };
                        view! {
                            {canned}
                            <TextField field=Field::Body label=label.to_string() value=kept_value("body") error=refused optional=true
                                multiline_max=MessageBody::MAX scope=scope.clone()/>
                            <KbPicker/>
                            <Photos/>
                        }.into_any()
                    }
                    ActionKind::Note => view! { {body(td_string!(locale, desk.note_body).to_string(), true)}<Photos/> }.into_any(),
                    ActionKind::Reopen => body(td_string!(locale, desk.reopen_reason).to_string(), true).into_any(),
                    ActionKind::Close => body(td_string!(locale, desk.close_note).to_string(), false).into_any(),
                    ActionKind::Merge => view! {
                        <TextField field=Field::Into label=td_string!(locale, desk.merge_into).to_string() value=kept_value("into")
                            error=refused required=true scope="merge" placeholder="MSS-20261122-0001"/>
                    }.into_any(),
                };
                let open = kept.with_value(|k| k.action == action.as_str());
                view! {
                    <ActionFormShell ctx=ctx.clone() action open>
                        {fields}
                        <button type="submit" class="button button-primary button-block">{action_label(action, locale)}</button>
                    </ActionFormShell>
                }
            }).collect_view()}
        </section>
    }
    .into_any()
}

#[derive(Clone)]
struct FormCtx {
    number: String,
    version: i32,
    refused: Signal<Option<AppError>>,
}

/// One action's form: collapsed under its name (open when it is the one just refused), with
/// the incident's version for the optimistic check.
#[component]
fn ActionFormShell(
    ctx: FormCtx,
    action: ActionKind,
    open: bool,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let refused_here = open;
    let error = Signal::derive(move || {
        if refused_here {
            ctx.refused.get()
        } else {
            None
        }
    });
    let form = view! {
        <form method="post" action=paths::handlers::action_form(&ctx.number) enctype="multipart/form-data"
            class="form action-form" novalidate>
            <FormError error/>
            <input type="hidden" name="action" value=action.as_str()/>
            <input type="hidden" name="version" value=ctx.version.to_string()/>
            {children()}
        </form>
    };
    let id = format!("act-{}", action.as_str());
    if action == ActionKind::Claim {
        return view! { <div id=id class="action-quick">{form}</div> }.into_any();
    }
    view! {
        <details id=id class="action" open=open>
            <summary>{move || action_label(action, i18n.get_locale())}</summary>
            {form}
        </details>
    }
    .into_any()
}

/// A labelled drop-down of list entries (their codes are the values).
#[component]
fn Select(
    name: &'static str,
    label: String,
    options: Vec<Named>,
    value: String,
    #[prop(optional, into)] hint: Option<String>,
    /// The action whose form it is in (keeps element ids unique on the page).
    scope: ActionKind,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("f-{}-{name}", scope.as_str());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <div class="select">
                <select id=id name=name>
                    <option value="">{t!(i18n, desk.choose)}</option>
                    {options.into_iter().map(|o| {
                        let selected = o.code == value;
                        view! { <option value=o.code selected=selected>{o.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
        </div>
    }
}

/// Category (with its sub-categories), system, priority and tags; absent ones stay unchanged.
#[component]
fn CategorizeFields(
    options: DeskOptions,
    facts: Option<DeskFacts>,
    kept: KeptFields,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let kept_or = |name: &str, current: String| {
        let typed = kept.value("categorize", name);
        if kept.action == "categorize" {
            typed
        } else {
            current
        }
    };
    let category = kept_or(
        "category",
        facts
            .as_ref()
            .and_then(|f| f.category.as_ref())
            .map(|c| c.code.clone())
            .unwrap_or_default(),
    );
    let sub = kept_or(
        "subcategory",
        facts
            .as_ref()
            .and_then(|f| f.subcategory.as_ref())
            .map(|c| c.code.clone())
            .unwrap_or_default(),
    );
    let priority = kept_or(
        "priority",
        facts
            .as_ref()
            .map(|f| f.priority.as_str().to_owned())
            .unwrap_or_default(),
    );
    let tags = kept_or(
        "tags",
        facts
            .as_ref()
            .map(|f| f.tags.join("，"))
            .unwrap_or_default(),
    );
    let categories: Vec<Named> = options
        .categories
        .iter()
        .map(|c| c.category.clone())
        .collect();
    // Only the three known categories are offered (a stray code would be refused anyway).
    let categories: Vec<Named> = categories
        .into_iter()
        .filter(|c| Category::parse(&c.code).is_ok())
        .collect();
    view! {
        <Select scope=ActionKind::Categorize name="category" label=td_string!(locale, desk.category).to_string() options=categories value=category/>
        <div class="field">
            <label for="f-categorize-subcategory">{t!(i18n, desk.subcategory)}</label>
            <div class="select"><select id="f-categorize-subcategory" name="subcategory">
                <option value="">{t!(i18n, desk.choose)}</option>
                {options.categories.iter().map(|c| view! {
                    <optgroup label=c.category.name.clone()>
                        {c.subcategories.iter().map(|s| view! { <option value=s.code.clone() selected=s.code == sub>{s.name.clone()}</option> }).collect_view()}
                    </optgroup>
                }).collect_view()}
            </select></div>
        </div>
        <Select scope=ActionKind::Categorize name="system" label=td_string!(locale, incident.system).to_string() options=options.systems.clone() value=String::new()/>
        <Select scope=ActionKind::Categorize name="priority" label=td_string!(locale, desk.priority).to_string()
            options=Priority::ALL.into_iter().map(|p| Named { code: p.as_str().to_owned(), name: p.as_str().to_owned() }).collect()
            value=priority/>
        <div class="field">
            <label for="f-categorize-tags">{t!(i18n, desk.tags)}</label>
            <input id="f-categorize-tags" name="tags" value=tags autocomplete="off" placeholder=td_string!(locale, desk.tags_hint)/>
        </div>
    }
}

/// Screenshots for a note, reply or answer.
#[component]
fn Photos() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="photo-add photo-add-inline">
            <input type="file" name=Field::Screenshots.as_str() accept="image/*" multiple/>
            <span>{t!(i18n, incident.message_photos)}</span>
        </label>
    }
}

/// Shows the full ID or phone number behind its mask, for a handler; each reveal is audited.
#[component]
fn Reveals(detail: IncidentDetail) -> impl IntoView {
    let i18n = use_i18n();
    let reveal = ServerAction::<Reveal>::new();
    let fields: Vec<(Field, &'static str)> = [
        detail
            .customer
            .id_number_masked
            .as_ref()
            .map(|_| (Field::IdNumber, "id")),
        detail
            .customer
            .phone_masked
            .as_ref()
            .map(|_| (Field::Phone, "phone")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if fields.is_empty() {
        return ().into_any();
    }
    let shown = move || reveal.value().get().and_then(Result::ok);
    let number = detail.number.clone();
    view! {
        <section class="panel side-panel reveal">
            <h2>{t!(i18n, desk.reveal_title)}</h2>
            <p class="muted">{t!(i18n, desk.reveal_lead)}</p>
            <div class="reveal-buttons">
                {fields.into_iter().map(|(field, label)| {
                    let number = number.clone();
                    view! {
                    <ActionForm action=reveal attr:class="inline-form">
                        <input type="hidden" name="number" value=number/>
                        <input type="hidden" name="field" value=field.as_str()/>
                        <button type="submit" class="button">{move || if label == "id" { t_string!(i18n, desk.reveal_id) } else { t_string!(i18n, desk.reveal_phone) }}</button>
                    </ActionForm>
                    }
                }).collect_view()}
            </div>
            {move || shown().map(|v| view! { <p class="revealed mono">{v}</p> })}
        </section>
    }
    .into_any()
}

/// The incident's append-only audit trail.
#[component]
fn Audit(facts: DeskFacts) -> impl IntoView {
    let i18n = use_i18n();
    (!facts.audit.is_empty()).then(|| view! {
        <section class="panel side-panel">
            <details>
                <summary><h2 class="inline-h2">{t!(i18n, desk.audit)}</h2></summary>
                <ol class="audit">
                    {facts.audit.into_iter().map(|a| {
                        let who = a.actor_name.unwrap_or_else(|| td_string!(i18n.get_locale_untracked(), incident.system).to_string());
                        view! {
                            <li>
                                <time datetime=a.at.to_rfc3339()>{format_minute(a.at)}</time>
                                <span class="audit-who">{who}</span>
                                <code>{a.action}</code>
                                <p class="audit-detail mono">{a.detail}</p>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </details>
        </section>
    })
}

/// "整理成知识": a draft article from this solved incident, its customer data removed, opened in
/// the editor (the draft already written from it, if there is one).
#[component]
fn ToKnowledge(number: String) -> impl IntoView {
    let i18n = use_i18n();
    let draft = ServerAction::<crate::api::knowledge::DraftFromIncident>::new();
    let error = Signal::derive(move || draft.value().get().and_then(|r| r.err()));
    view! {
        <section class="panel side-panel kb-to-article">
            <crate::components::feedback::FormError error/>
            <ActionForm action=draft attr:class="inline-form">
                <input type="hidden" name="number" value=number/>
                <button type="submit" class="button button-block">{t!(i18n, kb.to_article)}</button>
            </ActionForm>
        </section>
    }
}

/// "插入知识库文章": searches the published articles and, clicked, puts one's link in the
/// message at the cursor (`public/desk.js`); the reporter sees it as a card. Without
/// JavaScript an article's address pasted in works the same.
#[component]
fn KbPicker() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    // An action, not a resource: it lives inside the page's loading boundary, and runs only
    // in the browser, as the handler types.
    let search = Action::new(|q: &String| {
        let q = q.clone();
        async move {
            if q.trim().chars().count() < 2 {
                return Ok(Vec::new());
            }
            crate::api::knowledge::desk_articles(Some(q), Some("published".into())).await
        }
    });
    view! {
        <details class="kb-insert">
            <summary>{t!(i18n, kb.insert)}</summary>
            <p class="field-hint">{t!(i18n, kb.insert_hint)}</p>
            <input type="search" class="kb-insert-search" placeholder=td_string!(locale, kb.insert_placeholder)
                aria-label=td_string!(locale, kb.insert) on:input=move |ev| { search.dispatch(event_target_value(&ev)); }/>
            <ul class="kb-insert-list">
                {move || search.value().get().and_then(Result::ok).unwrap_or_default().into_iter().take(8).map(|a| {
                    let link = crate::domain::knowledge::links::article_link(a.id, &a.title);
                    view! { <li><button type="button" class="link-button" data-kb-link=link>{a.title}</button></li> }
                }).collect_view()}
            </ul>
        </details>
    }
}
