use super::articles::status_name;
use crate::api::knowledge::{editor, DeleteArticle, EditorPage, Restore, SaveArticle};
use crate::components::feedback::{ErrorPanel, FormError, Loading};
use crate::components::guard::{Guard, DESK};
use crate::components::shell::DeskShell;
use crate::domain::knowledge::{
    redact::RemovalKind, ArticleStatus, Comparison, DiffOp, EditorForm, EditorSaved,
};
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/desk/kb/new`: a new article.
#[component]
pub fn NewArticlePage() -> impl IntoView {
    let actions = EditorActions::new();
    let page = Resource::new(|| (), |_| editor(None, None));
    view! { <Guard roles=DESK><DeskShell><Editor page actions/></DeskShell></Guard> }
}

/// The editor's actions, made with the page: a save that went through or a restore loads the
/// article again (the server sends the browser back to the same address, which alone would not).
#[derive(Clone, Copy)]
struct EditorActions {
    save: ServerAction<SaveArticle>,
    restore: ServerAction<Restore>,
    delete: ServerAction<DeleteArticle>,
}

impl EditorActions {
    fn new() -> EditorActions {
        EditorActions {
            save: ServerAction::new(),
            restore: ServerAction::new(),
            delete: ServerAction::new(),
        }
    }

    /// Changes when the article changed under the page: a save that went through, a restore
    /// (a refused save changes nothing, so what was typed stays).
    fn changed(self) -> impl Fn() -> (usize, usize) + Copy {
        let (save, restore) = (self.save, self.restore);
        let saved = RwSignal::new(0usize);
        Effect::new(move |_| {
            if let Some(Ok(EditorSaved::Done { .. })) = save.value().get() {
                saved.update(|n| *n += 1);
            }
        });
        move || (saved.get(), restore.version().get())
    }
}

/// `/desk/kb/:id[?compare=N]`: an article in the editor, with a live preview, its history
/// (any revision compared with the current one, or restored) and its status.
#[component]
pub fn EditArticlePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let actions = EditorActions::new();
    let changed = actions.changed();
    let page = Resource::new(
        move || {
            (
                params.read().get("id"),
                query.read().get("compare"),
                changed(),
            )
        },
        |(id, compare, _)| editor(Some(id.unwrap_or_default()), compare),
    );
    view! { <Guard roles=DESK><DeskShell><Editor page actions/></DeskShell></Guard> }
}

pub fn removal_name(kind: RemovalKind, locale: Locale) -> &'static str {
    match kind {
        RemovalKind::IdNumber => td_string!(locale, kb.removed_id_number),
        RemovalKind::Mobile => td_string!(locale, kb.removed_mobile),
        RemovalKind::BankCard => td_string!(locale, kb.removed_bank_card),
        RemovalKind::CustomerNumber => td_string!(locale, kb.removed_customer_number),
        RemovalKind::Name => td_string!(locale, kb.removed_name),
    }
}

#[component]
fn Editor(page: Resource<Result<EditorPage, AppError>>, actions: EditorActions) -> impl IntoView {
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <EditorBody page actions/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Differences as text with insertions and deletions marked.
#[component]
pub fn Diff(parts: Vec<crate::domain::knowledge::DiffPart>) -> impl IntoView {
    view! {
        <pre class="kb-diff">
            {parts.into_iter().map(|p| match p.op {
                DiffOp::Equal => p.text.into_any(),
                DiffOp::Insert => view! { <ins>{p.text}</ins> }.into_any(),
                DiffOp::Delete => view! { <del>{p.text}</del> }.into_any(),
            }).collect_view()}
        </pre>
    }
}

#[component]
fn Comparing(c: Comparison) -> impl IntoView {
    let i18n = use_i18n();
    let title_changed = c.title.iter().any(|p| p.op != DiffOp::Equal);
    view! {
        {title_changed.then(|| view! { <h3 class="kb-diff-label">{t!(i18n, kb.field_title)}</h3><Diff parts=c.title.clone()/> })}
        <h3 class="kb-diff-label">{t!(i18n, kb.field_body)}</h3>
        <Diff parts=c.body/>
    }
}

#[component]
fn EditorBody(page: EditorPage, actions: EditorActions) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let EditorActions {
        save,
        restore,
        delete,
    } = actions;
    let article = page.article.clone();
    // What the form shows: what a refused plain post typed, else the article, else empty.
    let form = page
        .kept
        .clone()
        .or_else(|| article.as_ref().map(EditorForm::from_article))
        .unwrap_or_else(|| EditorForm {
            status: ArticleStatus::Draft.as_str().to_owned(),
            ..Default::default()
        });
    // After a refused stale save, saving again goes over the current version (the page has
    // shown what would be overwritten).
    // A refused save from before the article last changed (a restore since) is old news.
    let shown_version = article.as_ref().map_or(0, |a| a.version);
    let stale_js = Signal::derive(move || match save.value().get() {
        Some(Ok(EditorSaved::Stale(s))) if s.current.version >= shown_version => Some(*s),
        _ => None,
    });
    let base_version = article
        .as_ref()
        .map(|a| a.version.to_string())
        .unwrap_or_default();
    let version = {
        let base = base_version.clone();
        move || {
            stale_js
                .get()
                .map(|s| s.current.version.to_string())
                .unwrap_or_else(|| base.clone())
        }
    };
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let preview = RwSignal::new(article.as_ref().map(|a| a.html.clone()).unwrap_or_default());
    #[cfg(feature = "hydrate")]
    let on_body = {
        let body = RwSignal::new(form.body.clone());
        let pending: StoredValue<Option<leptos::prelude::TimeoutHandle>, LocalStorage> =
            StoredValue::new_local(None);
        // Only the latest request's answer is shown (answers may come back out of order).
        let latest = StoredValue::new(0u64);
        move |ev: leptos::ev::Event| {
            body.set(event_target_value(&ev));
            if let Some(handle) = pending.get_value() {
                handle.clear();
            }
            let handle = set_timeout_with_handle(
                move || {
                    latest.update_value(|n| *n += 1);
                    let asked = latest.get_value();
                    leptos::task::spawn_local(async move {
                        let answer = crate::api::knowledge::preview(body.get_untracked()).await;
                        if let (Ok(html), true) = (answer, latest.get_value() == asked) {
                            preview.set(html);
                        }
                    })
                },
                std::time::Duration::from_millis(400),
            )
            .ok();
            pending.set_value(handle);
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let on_body = move |_: leptos::ev::Event| {};

    let systems: Vec<(String, String)> = page
        .options
        .systems
        .iter()
        .map(|s| (s.code.clone(), s.name.clone()))
        .collect();
    let categories = page.options.categories.clone();

    let title = article
        .as_ref()
        .map(|a| a.title.clone())
        .unwrap_or_else(|| td_string!(locale, kb.new).to_string());
    let query = use_query_map();
    let comparison = page.comparison.clone();
    let kept_stale = page.stale.clone();
    let back_url = article
        .as_ref()
        .map(|a| paths::desk_article(a.id))
        .unwrap_or_else(|| paths::DESK_KB_NEW.path().to_owned());
    // Images a plain upload (no JavaScript) just stored, to paste into the body.
    let uploaded: Vec<i64> = query
        .read_untracked()
        .get("images")
        .map(|list| {
            list.split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default();
    view! {
        <div class="desk-head kb-head">
            <div>
                <a class="back-link" href=paths::DESK_KB.path()>{t!(i18n, kb.back)}</a>
                <h1>{title}</h1>
                {article.as_ref().map(|a| view! {
                    <p>
                        <span class=format!("badge kb-status-{}", a.status.as_str())>{status_name(a.status, locale)}</span>
                        " v"{a.version}" · "{a.author.clone()}" · "{crate::domain::time::format_minute(a.updated_at)}
                        " · "<a href=paths::help_article(a.id)>{t!(i18n, kb.view_in_help)}</a>
                    </p>
                })}
            </div>
        </div>
        {article.as_ref().filter(|a| !a.redactions.is_empty()).map(|a| view! {
            <section class="notice notice-warn kb-redactions" role="note">
                <h2>{t!(i18n, kb.redacted_title)}</h2>
                <p>{t!(i18n, kb.redacted_lead)}</p>
                <ul>
                    {a.redactions.iter().map(|r| view! { <li>{removal_name(r.kind, locale)}": "<span class="mono">{r.masked.clone()}</span></li> }).collect_view()}
                </ul>
            </section>
        })}
        {kept_stale.map(|c| view! {
            <section class="notice notice-warn kb-stale" role="alert">
                <h2>{t!(i18n, kb.stale_title)}</h2>
                <p>{t!(i18n, kb.stale_lead)}</p>
                <Comparing c/>
            </section>
        })}
        {move || stale_js.get().map(|s| view! {
            <section class="notice notice-warn kb-stale" role="alert">
                <h2>{t!(i18n, kb.stale_title)}</h2>
                <p>{t!(i18n, kb.stale_lead)}</p>
                <Comparing c=s.diff/>
            </section>
        })}
        <FormError error/>
        <div class="kb-editor">
            <div class="kb-left">
            <ActionForm action=save attr:class="panel form kb-form">
                <input type="hidden" name="id" value=form.id.clone()/>
                <input type="hidden" name="version" prop:value=version/>
                <label class="field">
                    <span class="field-label">{t!(i18n, kb.field_title)}</span>
                    <input name="title" required maxlength="120" value=form.title.clone()/>
                </label>
                <div class="field-row">
                    <label class="field">
                        <span class="field-label">{t!(i18n, kb.col_system)}</span>
                        <select name="system" required>
                            <option value="">{t!(i18n, kb.pick)}</option>
                            {systems.into_iter().map(|(code, name)| {
                                let on = code == form.system;
                                view! { <option value=code selected=on>{name}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="field-label">{t!(i18n, kb.field_category)}</span>
                        <select name="category">
                            <option value="">{t!(i18n, kb.none)}</option>
                            {categories.iter().map(|c| {
                                let on = c.category.code == form.category;
                                view! { <option value=c.category.code.clone() selected=on>{c.category.name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="field-label">{t!(i18n, kb.field_subcategory)}</span>
                        <select name="subcategory">
                            <option value="">{t!(i18n, kb.none)}</option>
                            {categories.iter().map(|c| view! {
                                <optgroup label=c.category.name.clone()>
                                    {c.subcategories.iter().map(|s| {
                                        let on = s.code == form.subcategory;
                                        view! { <option value=s.code.clone() selected=on>{s.name.clone()}</option> }
                                    }).collect_view()}
                                </optgroup>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                <label class="field">
                    <span class="field-label">{t!(i18n, kb.field_tags)}</span>
                    <input name="tags" value=form.tags.clone() placeholder=td_string!(locale, kb.tags_placeholder)/>
                </label>
                <label class="field">
                    <span class="field-label">{t!(i18n, kb.field_body)}</span>
                    <span class="field-hint">{t!(i18n, kb.body_hint)}</span>
                    <textarea name="body" class="kb-body" rows="22" required on:input=on_body>{form.body.clone()}</textarea>
                </label>
                <div class="form-actions kb-actions">
                    <select name="status" aria-label=td_string!(locale, kb.status)>
                        {ArticleStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=form.status == s.as_str()>{status_name(s, locale)}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class="button button-primary">{t!(i18n, kb.save)}</button>
                </div>
            </ActionForm>
            <ImageUpload back=back_url images=uploaded/>
            </div>
            <section class="panel kb-preview" aria-labelledby="kb-preview-title">
                <h2 id="kb-preview-title">{t!(i18n, kb.preview)}</h2>
                <div class="help-article-body" inner_html=move || preview.get()></div>
            </section>
        </div>
        {article.clone().map(|a| {
            let id = a.id.to_string();
            let current = a.version;
            view! {
                {(!a.incidents.is_empty()).then(|| view! {
                    <section class="panel kb-incidents">
                        <h2>{t!(i18n, kb.incidents)}</h2>
                        <ul>
                            {a.incidents.iter().map(|i| view! {
                                <li><a href=paths::desk_incident(&i.number)>{i.number.clone()}</a>" "
                                    {if i.relation == "source" { td_string!(locale, kb.relation_source) } else { td_string!(locale, kb.relation_solved) }}</li>
                            }).collect_view()}
                        </ul>
                    </section>
                })}
                <section class="panel kb-history" id="history">
                    <h2>{t!(i18n, kb.history)}</h2>
                    {comparison.map(|(from, c)| view! {
                        <div class="kb-compare">
                            <p class="muted">{td_string!(locale, kb.comparing, from = from, to = current).to_string()}</p>
                            <Comparing c/>
                        </div>
                    })}
                    <table class="admin-table">
                        <thead><tr><th>{t!(i18n, kb.col_version)}</th><th>{t!(i18n, kb.col_title)}</th><th>{t!(i18n, kb.col_editor)}</th><th>{t!(i18n, kb.col_when)}</th><th></th></tr></thead>
                        <tbody>
                            {page.revisions.iter().map(|r| {
                                let n = r.number;
                                let restored = r.restored_from.map(|f| td_string!(locale, kb.restored_from, n = f).to_string());
                                view! {
                                    <tr>
                                        <td class="mono">"v"{n}</td>
                                        <td>{r.title.clone()}{restored.map(|t| view! { <span class="muted">" · "{t}</span> })}</td>
                                        <td>{r.editor.clone()}</td>
                                        <td>{crate::domain::time::format_minute(r.created_at)}</td>
                                        <td class="kb-rev-actions">
                                            {(n != current).then(|| view! {
                                                <a href=format!("{}?compare={n}#history", paths::desk_article(a.id)) rel="external">{t!(i18n, kb.compare)}</a>
                                                <ActionForm action=restore attr:class="inline-form">
                                                    <input type="hidden" name="id" value=a.id.to_string()/>
                                                    <input type="hidden" name="revision" value=n.to_string()/>
                                                    <button type="submit" class="link-button">{t!(i18n, kb.restore)}</button>
                                                </ActionForm>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
                <details class="panel kb-delete">
                    <summary>{t!(i18n, kb.delete)}</summary>
                    <p>{t!(i18n, kb.delete_lead)}</p>
                    <ActionForm action=delete attr:class="inline-form">
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="button button-danger">{t!(i18n, kb.delete_confirm)}</button>
                    </ActionForm>
                </details>
            }
        })}
    }
}

/// The editor's images: uploaded through the screenshot pipeline. With JavaScript each goes into
/// the body at the cursor (`public/desk.js`); without, the page comes back with their Markdown.
#[component]
fn ImageUpload(back: String, images: Vec<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let snippets: Vec<String> = images
        .into_iter()
        .map(crate::domain::knowledge::links::image_markdown)
        .collect();
    view! {
        <form class="panel kb-images" method="post" action=paths::handlers::KB_IMAGES enctype="multipart/form-data" data-kb-images
            data-failed=td_string!(i18n.get_locale_untracked(), kb.upload_failed)>
            <h2>{t!(i18n, kb.images)}</h2>
            <p class="field-hint">{t!(i18n, kb.images_hint)}</p>
            <input type="hidden" name="back" value=back/>
            <div class="kb-images-row">
                <input type="file" name="screenshots" accept="image/*" multiple aria-label=td_string!(i18n.get_locale_untracked(), kb.images)/>
                <button type="submit" class="button">{t!(i18n, kb.upload)}</button>
            </div>
            <p class="form-error" data-kb-images-error hidden></p>
            {(!snippets.is_empty()).then(|| view! {
                <p class="notice notice-ok">{t!(i18n, kb.uploaded)}</p>
                <pre class="kb-diff">{snippets.join("\n")}</pre>
            })}
        </form>
    }
}
