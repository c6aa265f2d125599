use super::{SearchBox, StillStuck};
use crate::api::knowledge::search;
use crate::components::feedback::{Empty, ErrorPanel, Loading};
use crate::components::guard::{Guard, ANYONE};
use crate::components::shell::{ReporterShell, Tab};
use crate::domain::knowledge::Found;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/help/search?q=…[&system=…]`: the articles that answer a question, best first, what
/// matched highlighted.
#[component]
pub fn HelpSearchPage() -> impl IntoView {
    let query = use_query_map();
    let found = Resource::new(
        move || {
            (
                query.read().get("q").unwrap_or_default(),
                query.read().get("system"),
            )
        },
        |(q, system)| search(q, system),
    );
    view! { <Guard roles=ANYONE><Results found/></Guard> }
}

#[component]
fn Results(found: Resource<Result<Vec<Found>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let query = use_query_map();
    let q = query.read_untracked().get("q").unwrap_or_default();
    let system = query
        .read_untracked()
        .get("system")
        .filter(|s| !s.is_empty());
    view! {
        <ReporterShell title=td_string!(locale, help.results).to_string() back=paths::HELP.path() tab=Tab::Help>
            <section class="help-hero help-hero-compact">
                <SearchBox value=q.clone() system=system.clone().unwrap_or_default()/>
            </section>
            <Transition fallback=Loading>
                {move || {
                    let system = system.clone();
                    Suspend::new(async move {
                        match found.await {
                            Ok(items) if items.is_empty() => view! {
                                <Empty title=td_string!(locale, help.nothing).to_string() lead=td_string!(locale, help.nothing_lead).to_string()/>
                                <StillStuck system=system.unwrap_or_default()/>
                            }.into_any(),
                            Ok(items) => view! {
                                <ol class="help-results">
                                    {items.into_iter().map(|f| view! { <FoundItem found=f/> }).collect_view()}
                                </ol>
                                <StillStuck system=system.unwrap_or_default()/>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </ReporterShell>
    }
}

#[component]
fn FoundItem(found: Found) -> impl IntoView {
    view! {
        <li>
            <a href=paths::help_article(found.id)>
                <span class="help-line-title">{found.title}</span>
                <span class="help-snippet">{highlighted(&found.snippet, &found.highlights)}</span>
            </a>
        </li>
    }
}

/// The snippet with what matched in `<mark>` (ranges in characters).
fn highlighted(snippet: &str, ranges: &[(usize, usize)]) -> impl IntoView {
    let chars: Vec<char> = snippet.chars().collect();
    let mut parts = Vec::new();
    let mut at = 0;
    for &(from, to) in ranges {
        let (from, to) = (from.min(chars.len()), to.min(chars.len()));
        if from < at || from >= to {
            continue;
        }
        parts.push((chars[at..from].iter().collect::<String>(), false));
        parts.push((chars[from..to].iter().collect::<String>(), true));
        at = to;
    }
    parts.push((chars[at..].iter().collect::<String>(), false));
    parts
        .into_iter()
        .map(|(text, mark)| {
            if mark {
                view! { <mark>{text}</mark> }.into_any()
            } else {
                text.into_any()
            }
        })
        .collect_view()
}
