use super::{ArticleLines, SearchBox, StillStuck};
use crate::api::knowledge::home as load_home;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::guard::{Guard, ANYONE};
use crate::components::shell::{ReporterShell, Tab};
use crate::domain::knowledge::HelpHome;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;

/// `/help`: the help center's home: the search, a tile per system with its article count, the
/// week's hot questions and the articles updated lately.
#[component]
pub fn HelpPage() -> impl IntoView {
    let home = Resource::new(|| (), |_| load_home());
    view! { <Guard roles=ANYONE><Help home/></Guard> }
}

#[component]
fn Help(home: Resource<Result<HelpHome, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <ReporterShell title=td_string!(locale, help.title).to_string() tab=Tab::Help>
            <section class="help-hero">
                <p class="help-lead">{t!(i18n, help.lead)}</p>
                <SearchBox/>
            </section>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match home.await {
                        Ok(home) => view! { <HomeSections home/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
            <StillStuck/>
        </ReporterShell>
    }
}

#[component]
fn HomeSections(home: HelpHome) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <section class="section">
            <div class="section-head"><h2>{t!(i18n, help.by_system)}</h2></div>
            <ul class="help-tiles">
                {home.systems.into_iter().map(|s| {
                    let count = td_string!(locale, help.articles, count = s.articles).to_string();
                    view! {
                        <li><a href=paths::help_system(&s.code, None)>
                            <span class="help-tile-name">{s.name}</span>
                            <span class="help-tile-count">{count}</span>
                        </a></li>
                    }
                }).collect_view()}
            </ul>
        </section>
        <section class="section">
            <div class="section-head"><h2>{t!(i18n, help.hot)}</h2></div>
            {if home.hot.is_empty() {
                view! { <p class="help-none">{t!(i18n, help.hot_none)}</p> }.into_any()
            } else {
                view! { <ArticleLines lines=home.hot numbered=true/> }.into_any()
            }}
        </section>
        <section class="section">
            <div class="section-head"><h2>{t!(i18n, help.recent)}</h2></div>
            {if home.recent.is_empty() {
                view! { <p class="help-none">{t!(i18n, help.none_yet)}</p> }.into_any()
            } else {
                view! { <ArticleLines lines=home.recent/> }.into_any()
            }}
        </section>
    }
}
