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
    crate::server::knowledge::help::home(&app_state()?.pool, locale::current()).await
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
        &app_state()?.pool,
        locale::current(),
        system.as_str(),
        category,
        cursor,
    )
    .await?
    .ok_or(AppError::NotFound)
}

#[server(endpoint = "knowledge/article")]
pub async fn article(id: String) -> Result<HelpArticle, AppError> {
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
