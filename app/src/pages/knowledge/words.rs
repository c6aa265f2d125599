use crate::api::knowledge::{list_words, AddWords, RemoveWords};
use crate::components::feedback::{ErrorPanel, FormError, Loading};
use crate::components::guard::{Guard, ADMIN};
use crate::components::shell::DeskShell;
use crate::domain::knowledge::SearchWords;
use crate::i18n::*;
use crate::AppError;
use leptos::prelude::*;

/// `/admin/search-words`: the search's domain terms and synonyms that admins add to the
/// built-in ones. Every instance builds its index again after a change.
#[component]
pub fn SearchWordsPage() -> impl IntoView {
    let add = ServerAction::<AddWords>::new();
    let remove = ServerAction::<RemoveWords>::new();
    let words = Resource::new(
        move || (add.version().get(), remove.version().get()),
        |_| list_words(),
    );
    view! { <Guard roles=ADMIN><DeskShell><Words words add remove/></DeskShell></Guard> }
}

#[component]
fn Words(
    words: Resource<Result<SearchWords, AppError>>,
    add: ServerAction<AddWords>,
    remove: ServerAction<RemoveWords>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let add_error = Signal::derive(move || add.value().get().and_then(|r| r.err()));
    let remove_error = Signal::derive(move || remove.value().get().and_then(|r| r.err()));
    let remove_button = move |kind: &'static str, id: i64| {
        view! {
            <ActionForm action=remove attr:class="inline-form">
                <input type="hidden" name="kind" value=kind/>
                <input type="hidden" name="id" value=id.to_string()/>
                <button type="submit" class="link-button">{t!(i18n, kb.remove)}</button>
            </ActionForm>
        }
    };
    view! {
        <div class="desk-head">
            <h1>{t!(i18n, kb.words_title)}</h1>
            <p>{t!(i18n, kb.words_lead)}</p>
        </div>
        <FormError error=add_error/>
        <FormError error=remove_error/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match words.await {
                    Ok(w) => view! {
                        <div class="admin-grid kb-words">
                            <section class="panel list-section">
                                <header class="list-head">
                                    <h2>{t!(i18n, kb.terms)}</h2>
                                    <p>{td_string!(locale, kb.terms_lead, n = w.built_in_terms).to_string()}</p>
                                </header>
                                <ActionForm action=add attr:class="kb-add">
                                    <input type="hidden" name="kind" value="term"/>
                                    <input name="words" required maxlength="20" aria-label=td_string!(locale, kb.term_label) placeholder=td_string!(locale, kb.term_placeholder)/>
                                    <button type="submit" class="button button-primary">{t!(i18n, kb.add)}</button>
                                </ActionForm>
                                {w.terms.is_empty().then(|| view! { <p class="muted">{t!(i18n, kb.words_none)}</p> })}
                                <ul class="kb-word-list">
                                    {w.terms.into_iter().map(|t| view! { <li><span>{t.term}</span>{remove_button("term", t.id)}</li> }).collect_view()}
                                </ul>
                            </section>
                            <section class="panel list-section">
                                <header class="list-head">
                                    <h2>{t!(i18n, kb.synonyms)}</h2>
                                    <p>{td_string!(locale, kb.synonyms_lead, n = w.built_in_synonyms).to_string()}</p>
                                </header>
                                <ActionForm action=add attr:class="kb-add">
                                    <input type="hidden" name="kind" value="synonyms"/>
                                    <input name="words" required maxlength="200" aria-label=td_string!(locale, kb.synonyms_label) placeholder=td_string!(locale, kb.synonyms_placeholder)/>
                                    <button type="submit" class="button button-primary">{t!(i18n, kb.add)}</button>
                                </ActionForm>
                                {w.synonyms.is_empty().then(|| view! { <p class="muted">{t!(i18n, kb.words_none)}</p> })}
                                <ul class="kb-word-list">
                                    {w.synonyms.into_iter().map(|g| view! { <li><span>{g.words.join(" = ")}</span>{remove_button("synonyms", g.id)}</li> }).collect_view()}
                                </ul>
                            </section>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
