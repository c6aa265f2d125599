//! The knowledge base's pages. The help center (QA 服务中心) is the reporters' side, phone
//! first and complete without JavaScript; the desk's side lists the articles, edits them with
//! a live preview and their history, shows the week's hot questions, and lets admins extend
//! the search's words. Lazy routes: a browser downloads a page when it opens it.
pub mod article;
pub mod articles;
pub mod editor;
pub mod home;
pub mod hot;
pub mod list;
pub mod search;
pub mod words;

super::lazy_page!(HelpRoute, home::HelpPage);
super::lazy_page!(HelpSearchRoute, search::HelpSearchPage);
super::lazy_page!(HelpListRoute, list::HelpListPage);
super::lazy_page!(HelpArticleRoute, article::HelpArticlePage);
super::lazy_page!(DeskArticlesRoute, articles::DeskArticlesPage);
super::lazy_page!(NewArticleRoute, editor::NewArticlePage);
super::lazy_page!(EditArticleRoute, editor::EditArticlePage);
super::lazy_page!(HotRoute, hot::HotPage);
super::lazy_page!(SearchWordsRoute, words::SearchWordsPage);

use crate::domain::knowledge::ArticleLine;
use crate::i18n::*;
use crate::paths;
use leptos::prelude::*;

/// The search box every help page starts with: a plain GET form.
#[component]
fn SearchBox(
    #[prop(optional, into)] value: String,
    /// A system's code to search within (empty: all).
    #[prop(optional, into)]
    system: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <form class="help-search" method="get" action=paths::HELP_SEARCH.path() role="search">
            <input type="search" name="q" value=value enterkeyhint="search" maxlength="2000"
                aria-label=td_string!(locale, help.search_label)
                placeholder=td_string!(locale, help.search_placeholder)/>
            {(!system.is_empty()).then(|| view! { <input type="hidden" name="system" value=system/> })}
            <button type="submit" class="button button-primary">{t!(i18n, help.search)}</button>
        </form>
    }
}

/// A list of articles, each a line that opens it.
#[component]
fn ArticleLines(lines: Vec<ArticleLine>, #[prop(optional)] numbered: bool) -> impl IntoView {
    let class = if numbered {
        "help-lines help-lines-numbered"
    } else {
        "help-lines"
    };
    view! {
        <ol class=class>
            {lines.into_iter().map(|l| view! {
                <li>
                    <a href=paths::help_article(l.id)>
                        <span class="help-line-title">{l.title}</span>
                        <span class="help-line-meta">{l.system_name}" · "{l.excerpt}</span>
                    </a>
                </li>
            }).collect_view()}
        </ol>
    }
}

/// "还是没解决？上报事件": the report form, with the system filled in when there is one.
#[component]
fn StillStuck(
    /// The system to report on (empty: the reporter picks).
    #[prop(optional, into)]
    system: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let href = if system.is_empty() {
        paths::REPORT_NEW.path().to_owned()
    } else {
        paths::report_for_system(&system)
    };
    view! {
        <aside class="help-stuck">
            <p>{t!(i18n, help.still_stuck)}</p>
            <a class="button button-primary" href=href>{t!(i18n, help.report)}</a>
        </aside>
    }
}
