use super::{ArticleLines, SearchBox, StillStuck};
use crate::api::knowledge::system_articles;
use crate::components::feedback::{Empty, ErrorPanel, Loading};
use crate::components::guard::{Guard, ANYONE};
use crate::components::shell::{ReporterShell, Tab};
use crate::domain::incident::workflow::Category;
use crate::domain::knowledge::HelpList;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/help/systems/:code[?category=…&cursor=…]`: a system's articles, newest first, by category.
#[component]
pub fn HelpListPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let list = Resource::new(
        move || {
            (
                params.read().get("code").unwrap_or_default(),
                query.read().get("category"),
                query.read().get("cursor"),
            )
        },
        |(code, category, cursor)| system_articles(code, category, cursor),
    );
    view! { <Guard roles=ANYONE><List list/></Guard> }
}

pub fn category_name(c: Category, locale: Locale) -> &'static str {
    match c {
        Category::Data => td_string!(locale, help.category_data),
        Category::Program => td_string!(locale, help.category_program),
        Category::Consultation => td_string!(locale, help.category_consultation),
    }
}

#[component]
fn List(list: Resource<Result<HelpList, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    // The frame stays outside the loading boundary, as on every page: only the list waits.
    view! {
        <ReporterShell title=td_string!(locale, help.title).to_string() back=paths::HELP.path() tab=Tab::Help>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) => view! { <ListView list/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </ReporterShell>
    }
}

#[component]
fn ListView(list: HelpList) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let code = list.system.code.clone();
    let all = td_string!(locale, help.all_categories, count = list.system.articles).to_string();
    let chip = |href: String, label: String, on: bool| {
        view! {
            <a class="filter-chip" href=href aria-current=on.then_some("page")>{label}</a>
        }
    };
    let chips = list
        .counts
        .iter()
        .map(|(c, n)| {
            let label = format!("{} {n}", category_name(*c, locale));
            chip(
                paths::help_system(&code, Some(c.as_str())),
                label,
                list.category == Some(*c),
            )
        })
        .collect_view();
    let next = list.next.clone().map(|cursor| {
        let base = paths::help_system(&code, list.category.map(|c| c.as_str()));
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}cursor={cursor}")
    });
    view! {
            <h2 class="help-system-title">{list.system.name.clone()}</h2>
            <section class="help-hero help-hero-compact"><SearchBox system=code.clone()/></section>
            <nav class="filters" aria-label=td_string!(locale, help.categories)>
                {chip(paths::help_system(&code, None), all, list.category.is_none())}
                {chips}
            </nav>
            {if list.items.is_empty() {
                view! { <Empty title=td_string!(locale, help.none_here).to_string() lead=td_string!(locale, help.none_here_lead).to_string()/> }.into_any()
            } else {
                view! {
                    <ArticleLines lines=list.items/>
                    {match next {
                        Some(href) => view! { <a class="button button-block more" href=href>{t!(i18n, mine.more)}</a> }.into_any(),
                        None => view! { <p class="list-end">{t!(i18n, mine.end)}</p> }.into_any(),
                    }}
                }.into_any()
            }}
            <StillStuck system=code/>
    }
}
