use crate::api::knowledge::desk_articles;
use crate::components::feedback::{Empty, ErrorPanel, Loading};
use crate::components::guard::{Guard, DESK};
use crate::components::shell::DeskShell;
use crate::domain::knowledge::{ArticleStatus, DeskArticle};
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub fn status_name(s: ArticleStatus, locale: Locale) -> &'static str {
    match s {
        ArticleStatus::Draft => td_string!(locale, kb.status_draft),
        ArticleStatus::Published => td_string!(locale, kb.status_published),
        ArticleStatus::Archived => td_string!(locale, kb.status_archived),
    }
}

/// `/desk/kb[?q=…&status=…]`: the team's articles, newest change first, or what the search
/// finds (drafts and archived ones too).
#[component]
pub fn DeskArticlesPage() -> impl IntoView {
    let query = use_query_map();
    let list = Resource::new(
        move || (query.read().get("q"), query.read().get("status")),
        |(q, status)| desk_articles(q, status),
    );
    view! { <Guard roles=DESK><DeskShell><Articles list/></DeskShell></Guard> }
}

#[component]
fn Articles(list: Resource<Result<Vec<DeskArticle>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let query = use_query_map();
    let q = query.read_untracked().get("q").unwrap_or_default();
    let status = query.read_untracked().get("status").unwrap_or_default();
    view! {
        <div class="desk-head kb-head">
            <div>
                <h1>{t!(i18n, kb.title)}</h1>
                <p>{t!(i18n, kb.lead)}</p>
            </div>
            <div class="kb-head-actions">
                <a class="button" href=paths::DESK_KB_HOT.path()>{t!(i18n, kb.hot)}</a>
                <a class="button" href=paths::HELP.path()>{t!(i18n, kb.help_center)}</a>
                <a class="button button-primary" href=paths::DESK_KB_NEW.path()>{t!(i18n, kb.new)}</a>
            </div>
        </div>
        <form class="panel kb-filters" method="get" action=paths::DESK_KB.path() role="search">
            <input type="search" name="q" value=q maxlength="200" aria-label=td_string!(locale, kb.search)
                placeholder=td_string!(locale, kb.search_placeholder)/>
            <select name="status" aria-label=td_string!(locale, kb.status)>
                <option value="" selected=status.is_empty()>{t!(i18n, kb.status_all)}</option>
                {ArticleStatus::ALL.into_iter().map(|s| view! {
                    <option value=s.as_str() selected=status == s.as_str()>{status_name(s, locale)}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="button button-primary">{t!(i18n, kb.search)}</button>
        </form>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(items) if items.is_empty() => view! {
                        <Empty title=td_string!(locale, kb.empty).to_string() lead=td_string!(locale, kb.empty_lead).to_string()/>
                    }.into_any(),
                    Ok(items) => view! {
                        <table class="admin-table kb-table">
                            <thead><tr>
                                <th>{t!(i18n, kb.col_title)}</th><th>{t!(i18n, kb.col_system)}</th>
                                <th>{t!(i18n, kb.status)}</th><th>{t!(i18n, kb.col_author)}</th>
                                <th>{t!(i18n, kb.col_version)}</th><th>{t!(i18n, kb.col_updated)}</th>
                            </tr></thead>
                            <tbody>
                                {items.into_iter().map(|a| view! {
                                    <tr>
                                        <td><a href=paths::desk_article(a.id)>{a.title}</a></td>
                                        <td>{a.system_name}</td>
                                        <td><span class=format!("badge kb-status-{}", a.status.as_str())>{status_name(a.status, locale)}</span></td>
                                        <td>{a.author}</td>
                                        <td class="mono">"v"{a.version}</td>
                                        <td>{crate::domain::time::format_minute(a.updated_at)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
