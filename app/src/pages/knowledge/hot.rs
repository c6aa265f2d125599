use crate::api::knowledge::{hot_questions, RecomputeHot};
use crate::components::feedback::{Empty, ErrorPanel, FormError, Loading};
use crate::components::guard::{current, Guard, DESK};
use crate::components::shell::DeskShell;
use crate::domain::accounts::Role;
use crate::domain::knowledge::HotWeek;
use crate::i18n::*;
use crate::paths;
use crate::AppError;
use leptos::prelude::*;

/// `/desk/kb/hot`: this week's hot questions with their counts and the change from last week,
/// for the team's weekly meeting; admins can rank them again now.
#[component]
pub fn HotPage() -> impl IntoView {
    let recompute = ServerAction::<RecomputeHot>::new();
    let week = Resource::new(move || recompute.version().get(), |_| hot_questions());
    view! { <Guard roles=DESK><DeskShell><Hot week recompute/></DeskShell></Guard> }
}

#[component]
fn Hot(
    week: Resource<Result<HotWeek, AppError>>,
    recompute: ServerAction<RecomputeHot>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let admin = current().role == Role::Admin;
    let error = Signal::derive(move || recompute.value().get().and_then(|r| r.err()));
    view! {
        <div class="desk-head kb-head">
            <div>
                <h1>{t!(i18n, kb.hot_title)}</h1>
                <p>{t!(i18n, kb.hot_lead)}</p>
            </div>
            <div class="kb-head-actions">
                <a class="button" href=paths::DESK_KB.path()>{t!(i18n, kb.title)}</a>
                {admin.then(|| view! {
                    <ActionForm action=recompute attr:class="inline-form">
                        <button type="submit" class="button button-primary">{t!(i18n, kb.recompute)}</button>
                    </ActionForm>
                })}
            </div>
        </div>
        <FormError error/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match week.await {
                    Ok(w) if w.items.is_empty() => view! {
                        <Empty title=td_string!(locale, kb.hot_empty).to_string() lead=td_string!(locale, kb.hot_empty_lead).to_string()/>
                    }.into_any(),
                    Ok(w) => {
                        let when = match (w.week, w.computed_at) {
                            (Some(week), Some(at)) => td_string!(locale, kb.hot_week, week = week.to_string(), at = crate::domain::time::format_minute(at)).to_string(),
                            (Some(week), None) => td_string!(locale, kb.hot_week_only, week = week.to_string()).to_string(),
                            _ => String::new(),
                        };
                        view! {
                            <p class="muted">{when}</p>
                            <table class="admin-table kb-table">
                                <thead><tr>
                                    <th>{t!(i18n, kb.col_rank)}</th><th>{t!(i18n, kb.col_change)}</th>
                                    <th>{t!(i18n, kb.col_title)}</th><th>{t!(i18n, kb.col_system)}</th>
                                    <th>{t!(i18n, kb.col_views)}</th><th>{t!(i18n, kb.col_helpful)}</th>
                                    <th>{t!(i18n, kb.col_incidents)}</th>
                                </tr></thead>
                                <tbody>
                                    {w.items.into_iter().map(|h| {
                                        let change = match h.previous_rank {
                                            None => view! { <span class="kb-change kb-change-new">{td_string!(locale, kb.change_new)}</span> }.into_any(),
                                            Some(p) if p > h.rank => view! { <span class="kb-change kb-change-up">"↑"{p - h.rank}</span> }.into_any(),
                                            Some(p) if p < h.rank => view! { <span class="kb-change kb-change-down">"↓"{h.rank - p}</span> }.into_any(),
                                            Some(_) => view! { <span class="kb-change">"–"</span> }.into_any(),
                                        };
                                        view! {
                                            <tr>
                                                <td class="mono">{h.rank}</td>
                                                <td>{change}</td>
                                                <td><a href=paths::desk_article(h.id)>{h.title}</a></td>
                                                <td>{h.system_name}</td>
                                                <td class="mono">{h.views}</td>
                                                <td class="mono">{h.helpful}</td>
                                                <td class="mono">{h.incidents}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
