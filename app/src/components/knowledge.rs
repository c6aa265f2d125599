//! A message's text with the knowledge-base articles it names shown as cards that open them.
use crate::domain::knowledge::links::article_refs;
use crate::i18n::*;
use crate::paths;
use leptos::prelude::*;

#[component]
pub fn TextWithArticles(text: String) -> impl IntoView {
    let i18n = use_i18n();
    let refs = article_refs(&text);
    let mut parts = Vec::new();
    let mut at = 0;
    for r in refs {
        parts.push(text[at..r.from].to_owned().into_any());
        let title = r.title.unwrap_or_else(|| {
            td_string!(i18n.get_locale_untracked(), help.open_article).to_string()
        });
        parts.push(
            view! {
                <a class="kb-card" href=paths::help_article(r.id)>
                    <span class="kb-card-label">{t!(i18n, help.card_label)}</span>
                    <span class="kb-card-title">{title}</span>
                </a>
            }
            .into_any(),
        );
        at = r.to;
    }
    parts.push(text[at..].to_owned().into_any());
    parts.collect_view()
}
