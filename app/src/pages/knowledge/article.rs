use super::list::category_name;
use super::{ArticleLines, StillStuck};
use crate::api::knowledge::{read_article, Vote};
use crate::components::feedback::{ErrorPanel, FormError, Loading};
use crate::components::guard::{Guard, ANYONE};
use crate::components::shell::{ReporterShell, Tab};
use crate::domain::knowledge::HelpArticle;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/help/articles/:id`: an article with its images and flow charts, "这篇解答有帮助吗？",
/// related articles and the way to report when it did not help.
#[component]
pub fn HelpArticlePage() -> impl IntoView {
    let params = use_params_map();
    let vote = ServerAction::<Vote>::new();
    let page = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                vote.version().get(),
            )
        },
        |(id, _)| read_article(id),
    );
    view! { <Guard roles=ANYONE><ArticleView page vote/></Guard> }
}

#[component]
fn ArticleView(
    page: Resource<Result<HelpArticle, AppError>>,
    vote: ServerAction<Vote>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <ReporterShell title=td_string!(locale, help.article).to_string() back=paths::HELP.path() tab=Tab::Help>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <Body page vote/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </ReporterShell>
    }
}

#[component]
fn Body(page: HelpArticle, vote: ServerAction<Vote>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let a = page.article;
    let updated = crate::domain::time::business_date(a.updated_at).to_string();
    let category = a.category.map(|c| category_name(c, locale));
    let id = a.id.to_string();
    let no_id = id.clone();
    let error = Signal::derive(move || vote.value().get().and_then(|r| r.err()));
    view! {
        <article class="help-article">
            <h2 class="help-article-title">{a.title}</h2>
            <p class="help-article-meta">
                <a href=paths::help_system(&a.system, None)>{a.system_name}</a>
                {category.map(|c| view! { " · "<span>{c}</span> })}
                " · "{td_string!(locale, help.updated, at = updated).to_string()}
            </p>
            {(a.status != crate::domain::knowledge::ArticleStatus::Published).then(|| view! {
                <p class="help-preview" role="note">{t!(i18n, help.preview)}</p>
            })}
            <div class="help-article-body" inner_html=a.html></div>
        </article>
        <section class="help-vote" aria-labelledby="help-vote-title">
            <h2 id="help-vote-title">{t!(i18n, help.was_it_helpful)}</h2>
            <FormError error/>
            {match page.vote {
                Some(true) => view! { <p class="help-voted">{t!(i18n, help.thanks_yes)}</p> }.into_any(),
                Some(false) => view! { <p class="help-voted">{t!(i18n, help.thanks_no)}</p> }.into_any(),
                None => view! {
                    <div class="help-vote-options">
                        <ActionForm action=vote attr:class="inline-form">
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="helpful" value="yes"/>
                            <button type="submit" class="button">{t!(i18n, help.yes)}</button>
                        </ActionForm>
                        <details class="help-vote-no">
                            <summary class="button">{t!(i18n, help.no)}</summary>
                            <ActionForm action=vote attr:class="form">
                                <input type="hidden" name="id" value=no_id/>
                                <input type="hidden" name="helpful" value="no"/>
                                <label class="field">
                                    <span class="field-label">{t!(i18n, help.no_reason)}<span class="optional">{t!(i18n, report.optional)}</span></span>
                                    <textarea name="reason" rows="3" maxlength="500"></textarea>
                                </label>
                                <button type="submit" class="button button-primary">{t!(i18n, help.send)}</button>
                            </ActionForm>
                        </details>
                    </div>
                }.into_any(),
            }}
        </section>
        {(!page.related.is_empty()).then(|| view! {
            <section class="section">
                <div class="section-head"><h2>{t!(i18n, help.related)}</h2></div>
                <ArticleLines lines=page.related/>
            </section>
        })}
        <StillStuck system=a.system/>
    }
}
