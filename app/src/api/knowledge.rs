//! The help center's server functions: anyone signed in reads published articles; the team
//! also sees drafts (their preview).
use crate::domain::knowledge::{Found, HelpArticle, HelpHome, HelpList};
use crate::AppError;
use leptos::prelude::*;

#[server(endpoint = "knowledge/home")]
pub async fn home() -> Result<HelpHome, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::{locale, state::app_state};
    auth::require(auth::ANYONE).await?;
    let state = app_state()?;
    let locale = locale::current();
    state
        .knowledge
        .help_home
        .get_or(
            leptos_i18n::Locale::as_str(locale),
            crate::server::knowledge::help::home(&state.pool, locale),
        )
        .await
}

/// A system's articles (`category`: `data`, `program`, `consultation` or all).
#[server(endpoint = "knowledge/list")]
pub async fn system_articles(
    system: String,
    category: Option<String>,
    cursor: Option<String>,
) -> Result<HelpList, AppError> {
    use crate::domain::incident::views::Cursor;
    use crate::domain::incident::workflow::Category;
    use crate::domain::{Code, Field};
    use crate::server::accounts::auth;
    use crate::server::infra::{locale, state::app_state};
    auth::require(auth::ANYONE).await?;
    let system = Code::parse(&system).map_err(|_| AppError::NotFound)?;
    let category = category
        .filter(|c| !c.trim().is_empty())
        .map(|c| Category::parse(&c).map_err(|r| AppError::field(Field::Category, r)))
        .transpose()?;
    let cursor = Cursor::parse_param(cursor.as_deref())?;
    crate::server::knowledge::help::list(
        &app_state()?,
        locale::current(),
        system.as_str(),
        category,
        cursor,
    )
    .await?
    .ok_or(AppError::NotFound)
}

#[server(endpoint = "knowledge/article")]
pub async fn read_article(id: String) -> Result<HelpArticle, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::{locale, state::app_state};
    let viewer = auth::require(auth::ANYONE).await?;
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    crate::server::knowledge::help::article(&app_state()?, &viewer, id, locale::current())
        .await?
        .ok_or(AppError::NotFound)
}

/// The help center's search: published articles (the team's search on the desk sees drafts).
#[server(endpoint = "knowledge/search")]
pub async fn search(q: String, system: Option<String>) -> Result<Vec<Found>, AppError> {
    use crate::domain::{Code, Field, Reason};
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    use crate::server::knowledge::index::OwnedRequest;
    use crate::server::knowledge::rest::MAX_QUERY_CHARS;
    auth::require(auth::ANYONE).await?;
    let text = q.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::field(
            Field::Query,
            Reason::TooLong {
                max: MAX_QUERY_CHARS as u32,
            },
        ));
    }
    let system = system
        .filter(|s| !s.trim().is_empty())
        .map(|s| Code::parse(&s).map_err(|r| AppError::field(Field::System, r)))
        .transpose()?;
    crate::server::knowledge::find(
        &app_state()?,
        OwnedRequest {
            text: text.to_owned(),
            system: system.map(|s| s.as_str().to_owned()),
            category: None,
            published_only: true,
            limit: 20,
        },
    )
    .await
}

/// "这篇解答有帮助吗？": `helpful` is `yes` or `no`, with an optional reason (up to 500
/// characters).
#[server(endpoint = "knowledge/vote")]
pub async fn vote(id: String, helpful: String, reason: Option<String>) -> Result<(), AppError> {
    use crate::domain::{text_between, Field, Reason};
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let reader = auth::require(auth::ANYONE).await?;
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let helpful = match helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::field(Field::Kind, Reason::UnknownValue)),
    };
    let reason = match reason.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(text_between(raw, 1, 500).map_err(|r| AppError::field(Field::Body, r))?),
    };
    crate::server::knowledge::help::vote(
        &app_state()?.pool,
        &reader,
        id,
        helpful,
        reason.as_deref(),
    )
    .await
}

// ---------- the team's side (the desk) ----------

use crate::domain::incident::workflow::DeskOptions;
use crate::domain::knowledge::{
    Article, Comparison, DeskArticle, EditorForm, EditorSaved, HotWeek, Revision, SearchWords,
};
use serde::{Deserialize, Serialize};

/// The form the editor shows when a plain post (no JavaScript) came back refused.
pub const EDITOR_FORM: &str = "kb_editor";

/// The team's articles: every status, newest change first, or what `q` finds.
#[server(endpoint = "knowledge/desk/list")]
pub async fn desk_articles(
    q: Option<String>,
    status: Option<String>,
) -> Result<Vec<DeskArticle>, AppError> {
    use crate::domain::knowledge::ArticleStatus;
    use crate::domain::Field;
    use crate::server::accounts::auth;
    use crate::server::infra::{locale, state::app_state};
    auth::require(auth::DESK).await?;
    let q = q
        .map(|q| q.trim().chars().take(200).collect::<String>())
        .filter(|q| !q.is_empty());
    let status = status
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            ArticleStatus::from_name(s.trim())
                .ok_or_else(|| AppError::field(Field::Status, crate::domain::Reason::UnknownValue))
        })
        .transpose()?;
    crate::server::knowledge::listing::list(&app_state()?, q.as_deref(), status, locale::current())
        .await
}

/// Everything the editor shows: the article (none for a new one), its history, what the form
/// picks from, and what a refused plain post had typed (with how it differs from the current
/// version, when someone saved first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditorPage {
    pub article: Option<Article>,
    pub revisions: Vec<Revision>,
    pub options: DeskOptions,
    pub kept: Option<EditorForm>,
    pub stale: Option<Comparison>,
    /// `?compare=N`: revision N against the current one.
    pub comparison: Option<(i32, Comparison)>,
}

#[server(endpoint = "knowledge/desk/editor")]
pub async fn editor(id: Option<String>, compare: Option<String>) -> Result<EditorPage, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::{forms, locale, state::app_state};
    use crate::server::knowledge::articles;
    let viewer = auth::require(auth::DESK).await?;
    let state = app_state()?;
    let locale = locale::current();
    let id = match id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => Some(raw.parse::<i64>().map_err(|_| AppError::NotFound)?),
        None => None,
    };
    let article = match id {
        Some(id) => Some(
            articles::load(&state.pool, &viewer, id, locale)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let revisions = match id {
        Some(id) => articles::revisions(&state.pool, id).await?,
        None => Vec::new(),
    };
    let kept: Option<EditorForm> = forms::kept(EDITOR_FORM)
        .await?
        .filter(|k: &EditorForm| k.id == id.map(|i| i.to_string()).unwrap_or_default());
    let stale = match (&article, &kept) {
        (Some(a), Some(k)) if k.version != a.version.to_string() => {
            Some(articles::compare(&a.title, &a.body, &k.title, &k.body))
        }
        _ => None,
    };
    let comparison = match (&article, compare.and_then(|n| n.trim().parse::<i32>().ok())) {
        (Some(a), Some(n)) if n > 0 && n != a.version => Some((
            n,
            articles::compare_revisions(&state.pool, a.id, n, a.version).await?,
        )),
        _ => None,
    };
    Ok(EditorPage {
        article,
        revisions,
        options: crate::server::desk::options::options(&state.pool, locale).await?,
        kept,
        stale,
        comparison,
    })
}

/// Saves the editor's form: a new article, or a new revision of one (refused when someone
/// saved since its version: nothing is written, and the page shows the difference).
#[server(endpoint = "knowledge/desk/save")]
pub async fn save_article(#[server(flatten)] form: EditorForm) -> Result<EditorSaved, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::{forms, locale, state::app_state};
    use crate::server::knowledge::articles::{self, Saved};
    let editor = auth::require(auth::DESK).await?;
    let state = app_state()?;
    state
        .limits
        .check(crate::server::infra::limits::Kind::Action, editor.id)?;
    let input = form.input();
    let refused = |e: AppError| async {
        forms::keep_for_retry(EDITOR_FORM, &form).await?;
        Err::<EditorSaved, AppError>(e)
    };
    let draft = match input.parse() {
        Ok(d) => d,
        Err(fields) => return refused(AppError::fields(fields)).await,
    };
    let saved = match form.id.trim() {
        "" => articles::create(&state.pool, &state.knowledge, &editor, &draft, None)
            .await
            .map(|id| (id, Saved::Done(1))),
        raw => {
            let id: i64 = raw.parse().map_err(|_| AppError::NotFound)?;
            let version = match input.parse_version() {
                Ok(v) => v,
                Err(e) => return refused(AppError::fields(vec![e])).await,
            };
            articles::update(
                &state.pool,
                &state.knowledge,
                &editor,
                id,
                version,
                &draft,
                locale::current(),
            )
            .await
            .map(|saved| (id, saved))
        }
    };
    match saved {
        Err(e) => refused(e).await,
        Ok((_, Saved::Stale(stale))) => {
            if forms::is_plain_form_post() {
                return refused(AppError::Conflict).await;
            }
            Ok(EditorSaved::Stale(stale))
        }
        Ok((id, Saved::Done(version))) => {
            forms::forget(EDITOR_FORM).await?;
            leptos_axum::redirect(&crate::paths::desk_article(id));
            Ok(EditorSaved::Done { id, version })
        }
    }
}

/// The body as the article page would show it (the editor's live preview).
#[server(endpoint = "knowledge/desk/preview")]
pub async fn preview(body: String) -> Result<String, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    auth::require(auth::DESK).await?;
    if body.chars().count() > crate::domain::knowledge::BODY_CHARS {
        return Err(AppError::field(
            crate::domain::Field::Body,
            crate::domain::Reason::TooLong {
                max: crate::domain::knowledge::BODY_CHARS as u32,
            },
        ));
    }
    Ok(app_state()?.knowledge.render(&body).await)
}

/// Rolls the article back to a revision (a new revision with its content).
#[server(endpoint = "knowledge/desk/restore")]
pub async fn restore(id: String, revision: String) -> Result<i32, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let editor = auth::require(auth::DESK).await?;
    let state = app_state()?;
    state
        .limits
        .check(crate::server::infra::limits::Kind::Action, editor.id)?;
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let revision: i32 = revision.trim().parse().map_err(|_| AppError::NotFound)?;
    let next = crate::server::knowledge::articles::restore(
        &state.pool,
        &state.knowledge,
        &editor,
        id,
        revision,
    )
    .await?;
    leptos_axum::redirect(&crate::paths::desk_article(id));
    Ok(next)
}

/// Deletes the article (its revisions stay), back to the list.
#[server(endpoint = "knowledge/desk/delete")]
pub async fn delete_article(id: String) -> Result<(), AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let editor = auth::require(auth::DESK).await?;
    let state = app_state()?;
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    crate::server::knowledge::articles::delete(&state.pool, &state.knowledge, &editor, id).await?;
    leptos_axum::redirect(crate::paths::DESK_KB.path());
    Ok(())
}

/// "整理成知识": a draft from an answered or closed incident (or the one already written from
/// it), opened in the editor.
#[server(endpoint = "knowledge/desk/draft")]
pub async fn draft_from_incident(number: String) -> Result<i64, AppError> {
    use crate::domain::incident::IncidentNumber;
    use crate::server::accounts::auth;
    use crate::server::infra::{locale, state::app_state};
    use crate::server::report::detail::{visible_id, IncidentRef};
    let author = auth::require(auth::DESK).await?;
    let state = app_state()?;
    state
        .limits
        .check(crate::server::infra::limits::Kind::Action, author.id)?;
    let number = IncidentNumber::parse(&number).map_err(|_| AppError::NotFound)?;
    let incident = visible_id(&state.pool, &author, &IncidentRef::Number(number))
        .await?
        .ok_or(AppError::NotFound)?;
    let (draft, _) = crate::server::knowledge::drafts::from_incident(
        &state.pool,
        &state.knowledge,
        &author,
        incident,
        locale::current(),
    )
    .await?;
    leptos_axum::redirect(&crate::paths::desk_article(draft.article.id));
    Ok(draft.article.id)
}

/// This week's hot questions, for the team's weekly meeting.
#[server(endpoint = "knowledge/desk/hot")]
pub async fn hot_questions() -> Result<HotWeek, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::{locale, state::app_state};
    auth::require(auth::DESK).await?;
    crate::server::knowledge::hot::latest(&app_state()?.pool, locale::current()).await
}

/// Ranks this week's hot questions again now (admins).
#[server(endpoint = "knowledge/desk/recompute")]
pub async fn recompute_hot() -> Result<String, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    use crate::server::knowledge::hot::JOB;
    let admin = auth::require(auth::ADMIN).await?;
    let state = app_state()?;
    let week = crate::domain::time::week_of(chrono::Utc::now()).to_string();
    let summary = crate::server::infra::scheduler::run_now(&state, &JOB, week, admin.id).await?;
    leptos_axum::redirect(crate::paths::DESK_KB_HOT.path());
    Ok(summary)
}

/// The search's words (admins).
#[server(endpoint = "knowledge/words")]
pub async fn list_words() -> Result<SearchWords, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    auth::require(auth::ADMIN).await?;
    crate::server::knowledge::words::list(&app_state()?.pool).await
}

/// Adds a term (`kind` = `term`: `港股通`) or a synonym group (`synonyms`: `两融 = 融资融券`).
#[server(endpoint = "knowledge/words/add")]
pub async fn add_words(kind: String, words: String) -> Result<(), AppError> {
    use crate::domain::knowledge::{parse_synonyms, parse_term};
    use crate::domain::Field;
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    use crate::server::knowledge::words;
    let admin = auth::require(auth::ADMIN).await?;
    let pool = app_state()?.pool;
    match kind.as_str() {
        "term" => {
            let term = parse_term(&words).map_err(|r| AppError::field(Field::Title, r))?;
            words::add_term(&pool, &admin, &term).await
        }
        "synonyms" => {
            let group = parse_synonyms(&words).map_err(|r| AppError::field(Field::Body, r))?;
            words::add_synonyms(&pool, &admin, &group).await
        }
        _ => Err(AppError::BadRequest),
    }
}

#[server(endpoint = "knowledge/words/remove")]
pub async fn remove_words(kind: String, id: String) -> Result<(), AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    let admin = auth::require(auth::ADMIN).await?;
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    crate::server::knowledge::words::remove(&app_state()?.pool, &admin, &kind, id).await
}
