//! The knowledge base's side of the REST API: articles, their revisions, the search, and drafts
//! from solved incidents. Handlers and admins write; everyone signed in reads published
//! articles and searches them.
use super::articles::{self, Saved};
use super::index::OwnedRequest;
use crate::domain::knowledge::{Article, ArticleInput, Comparison, Found, IncidentDraft, Revision};
use crate::domain::{Field, FieldError, Reason};
use crate::server::accounts::rest::Caller;
use crate::server::infra::limits::Kind;
use crate::server::infra::rest::{ApiError, ErrorBody, Failures};
use crate::server::AppState;
use crate::AppError;
use axum::{
    extract::{
        rejection::{JsonRejection, QueryRejection},
        Path, Query, State,
    },
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};

/// The caller may write articles (handlers and admins), else 403.
fn writer(caller: &Caller) -> Result<(), ApiError> {
    if caller.user.role.works_desk() {
        Ok(())
    } else {
        Err(ApiError::new(AppError::Forbidden, caller.locale))
    }
}

fn id_of(raw: &str, caller: &Caller) -> Result<i64, ApiError> {
    raw.parse()
        .ok()
        .filter(|id: &i64| *id > 0)
        .ok_or_else(|| ApiError::new(AppError::NotFound, caller.locale))
}

async fn article(state: &AppState, caller: &Caller, id: i64) -> Result<Article, ApiError> {
    articles::load(&state.pool, &caller.user, id, caller.locale)
        .await
        .and_then(|a| a.ok_or(AppError::NotFound))
        .map_err(|e| ApiError::new(e, caller.locale))
}

/// `POST /api/v1/kb/articles`: a new article (its first revision).
#[utoipa::path(post, path = "/kb/articles", tag = "knowledge",
    request_body(content = ArticleInput, content_type = "application/json"),
    responses((status = 201, description = "Written: the article, with its `id` and `version`", body = Article),
        (status = 403, description = "Only handlers and admins write articles", body = ErrorBody),
        (status = 422, description = "Fields to correct (`title`, `body`, `system`, …)", body = ErrorBody),
        Failures))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ArticleInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Article>), ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    writer(&caller)?;
    state
        .limits
        .check(Kind::Action, caller.user.id)
        .map_err(fail)?;
    let Json(input) = body.map_err(|_| fail(AppError::BadRequest))?;
    let draft = input.parse().map_err(|f| fail(AppError::fields(f)))?;
    let id = articles::create(&state.pool, &state.knowledge, &caller.user, &draft, None)
        .await
        .map_err(fail)?;
    Ok((
        StatusCode::CREATED,
        Json(article(&state, &caller, id).await?),
    ))
}

/// `GET /api/v1/kb/articles/{id}`: one article (drafts and archived ones for the team only).
#[utoipa::path(get, path = "/kb/articles/{id}", tag = "knowledge",
    params(("id" = i64, Path, description = "The article's id")),
    responses((status = 200, description = "The article", body = Article),
        (status = 404, description = "No such article, or not one the caller may read", body = ErrorBody),
        Failures))]
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Article>, ApiError> {
    let id = id_of(&id, &caller)?;
    Ok(Json(article(&state, &caller, id).await?))
}

/// A save that came after another: the article as it is now and the difference.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StaleBody {
    #[serde(flatten)]
    error: ErrorBody,
    /// The article as it is now (its `version` is the one to save over).
    current: Article,
    /// From the current version to the one sent.
    diff: Comparison,
}

/// `PUT /api/v1/kb/articles/{id}`: saves over the article (a new revision) if `version` is
/// still its latest; a `status` changes it (publish, unpublish, archive).
#[utoipa::path(put, path = "/kb/articles/{id}", tag = "knowledge",
    params(("id" = i64, Path, description = "The article's id")),
    request_body(content = ArticleInput, content_type = "application/json"),
    responses((status = 200, description = "Saved: the article", body = Article),
        (status = 403, description = "Only handlers and admins write articles", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
        (status = 409, description = "`conflict`: saved by someone else since `version`; nothing was written", body = StaleBody),
        (status = 422, description = "Fields to correct (`version` is required)", body = ErrorBody),
        Failures))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<ArticleInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    writer(&caller)?;
    let id = id_of(&id, &caller)?;
    state
        .limits
        .check(Kind::Action, caller.user.id)
        .map_err(fail)?;
    let Json(input) = body.map_err(|_| fail(AppError::BadRequest))?;
    let (draft, version) = match (input.parse(), input.parse_version()) {
        (Ok(draft), Ok(version)) => (draft, version),
        (draft, version) => {
            let mut fields: Vec<FieldError> = draft.err().unwrap_or_default();
            fields.extend(version.err());
            return Err(fail(AppError::fields(fields)));
        }
    };
    let saved = articles::update(
        &state.pool,
        &state.knowledge,
        &caller.user,
        id,
        version,
        &draft,
        caller.locale,
    )
    .await
    .map_err(fail)?;
    match saved {
        Saved::Done(_) => Ok(Json(article(&state, &caller, id).await?).into_response()),
        Saved::Stale(stale) => Ok((
            StatusCode::CONFLICT,
            Json(StaleBody {
                error: ErrorBody::new(&AppError::Conflict, caller.locale),
                current: stale.current,
                diff: stale.diff,
            }),
        )
            .into_response()),
    }
}

/// `DELETE /api/v1/kb/articles/{id}`: takes the article out of every list and the search (its
/// revisions are kept).
#[utoipa::path(delete, path = "/kb/articles/{id}", tag = "knowledge",
    params(("id" = i64, Path, description = "The article's id")),
    responses((status = 204, description = "Deleted"),
        (status = 403, description = "Only handlers and admins delete articles", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
        Failures))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    writer(&caller)?;
    let id = id_of(&id, &caller)?;
    state
        .limits
        .check(Kind::Action, caller.user.id)
        .map_err(fail)?;
    articles::delete(&state.pool, &state.knowledge, &caller.user, id)
        .await
        .map_err(fail)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RevisionList {
    /// Newest first.
    items: Vec<Revision>,
}

/// `GET /api/v1/kb/articles/{id}/revisions`: every save, newest first (the team's).
#[utoipa::path(get, path = "/kb/articles/{id}/revisions", tag = "knowledge",
    params(("id" = i64, Path, description = "The article's id")),
    responses((status = 200, description = "The history", body = RevisionList),
        (status = 403, description = "Only handlers and admins read the history", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
        Failures))]
pub async fn revisions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RevisionList>, ApiError> {
    writer(&caller)?;
    let id = id_of(&id, &caller)?;
    articles::revisions(&state.pool, id)
        .await
        .map(|items| Json(RevisionList { items }))
        .map_err(|e| ApiError::new(e, caller.locale))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct CompareQuery {
    /// The older revision's number.
    from: String,
    /// The newer revision's number.
    to: String,
}

/// `GET /api/v1/kb/articles/{id}/compare?from=1&to=3`: two revisions compared character by
/// character.
#[utoipa::path(get, path = "/kb/articles/{id}/compare", tag = "knowledge",
    params(("id" = i64, Path, description = "The article's id"), CompareQuery),
    responses((status = 200, description = "What changed from `from` to `to`", body = Comparison),
        (status = 403, description = "Only handlers and admins read the history", body = ErrorBody),
        (status = 404, description = "No such article or revision", body = ErrorBody),
        Failures))]
pub async fn compare(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<CompareQuery>, QueryRejection>,
) -> Result<Json<Comparison>, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    writer(&caller)?;
    let id = id_of(&id, &caller)?;
    let Query(q) = query.map_err(|_| fail(AppError::BadRequest))?;
    let number = |raw: &str, field| {
        raw.trim()
            .parse::<i32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or(FieldError {
                field,
                reason: Reason::UnknownValue,
            })
    };
    let (from, to) = match (number(&q.from, Field::From), number(&q.to, Field::To)) {
        (Ok(from), Ok(to)) => (from, to),
        (a, b) => {
            return Err(fail(AppError::fields(
                [a.err(), b.err()].into_iter().flatten().collect(),
            )))
        }
    };
    articles::compare_revisions(&state.pool, id, from, to)
        .await
        .map(Json)
        .map_err(fail)
}

/// `POST /api/v1/kb/articles/{id}/revisions/{rev}/restore`: rolls back to that revision, as a
/// new revision with its content.
#[utoipa::path(post, path = "/kb/articles/{id}/revisions/{rev}/restore", tag = "knowledge",
    params(("id" = i64, Path, description = "The article's id"),
        ("rev" = i32, Path, description = "The revision to restore")),
    responses((status = 200, description = "Restored: the article at its new revision", body = Article),
        (status = 403, description = "Only handlers and admins write articles", body = ErrorBody),
        (status = 404, description = "No such article or revision", body = ErrorBody),
        Failures))]
pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, rev)): Path<(String, String)>,
) -> Result<Json<Article>, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    writer(&caller)?;
    let id = id_of(&id, &caller)?;
    let rev: i32 = rev
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| fail(AppError::NotFound))?;
    state
        .limits
        .check(Kind::Action, caller.user.id)
        .map_err(fail)?;
    articles::restore(&state.pool, &state.knowledge, &caller.user, id, rev)
        .await
        .map_err(fail)?;
    Ok(Json(article(&state, &caller, id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// What to look for: words, a question, a pasted description or error text.
    q: Option<String>,
    /// A system's code.
    system: Option<String>,
    /// `data`, `program` or `consultation`.
    category: Option<String>,
    /// 1 to 50 (10 by default).
    limit: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    /// Best first.
    items: Vec<Found>,
}

/// A search's text may be this long (a pasted description).
pub const MAX_QUERY_CHARS: usize = 2_000;

/// `GET /api/v1/kb/search?q=…&system=…&limit=…`: articles that answer the text, best first.
/// Reporters and group members find published articles only.
#[utoipa::path(get, path = "/kb/search", tag = "knowledge",
    params(SearchQuery),
    responses((status = 200, description = "The best matches", body = SearchResults),
        (status = 422, description = "No text, or a filter that is not one", body = ErrorBody),
        Failures))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<SearchResults>, ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    let Query(q) = query.map_err(|_| fail(AppError::BadRequest))?;
    let request = parse_search(&q).map_err(|f| fail(AppError::fields(f)))?;
    let published_only = !articles::sees_everything(&caller.user);
    let items = super::find(
        &state,
        OwnedRequest {
            published_only,
            ..request
        },
    )
    .await
    .map_err(fail)?;
    Ok(Json(SearchResults { items }))
}

fn parse_search(q: &SearchQuery) -> Result<OwnedRequest, Vec<FieldError>> {
    let mut problems = Vec::new();
    let mut problem = |field, reason| problems.push(FieldError { field, reason });
    let text = q.q.as_deref().unwrap_or("").trim().to_owned();
    if text.is_empty() {
        problem(Field::Query, Reason::Required);
    } else if text.chars().count() > MAX_QUERY_CHARS {
        problem(
            Field::Query,
            Reason::TooLong {
                max: MAX_QUERY_CHARS as u32,
            },
        );
    }
    fn code(raw: &Option<String>) -> Option<&str> {
        raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let system = code(&q.system);
    if let Some(s) = system {
        if crate::domain::Code::parse(s).is_err() {
            problem(Field::System, Reason::UnknownValue);
        }
    }
    let category = code(&q.category);
    if let Some(c) = category {
        if crate::domain::incident::workflow::Category::parse(c).is_err() {
            problem(Field::Category, Reason::UnknownValue);
        }
    }
    let limit = match code(&q.limit) {
        None => 10,
        Some(raw) => match raw.parse::<u32>() {
            Ok(n @ 1..=50) => n as usize,
            _ => {
                problem(Field::Limit, Reason::NumberBetween { min: 1, max: 50 });
                10
            }
        },
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(OwnedRequest {
        text,
        system: system.map(str::to_owned),
        category: category.map(str::to_owned),
        published_only: true,
        limit,
    })
}

/// `POST /api/v1/incidents/{id}/kb-draft`: "整理成知识", a draft article from an answered or
/// closed incident, its customer data removed (listed in `removed`, masked). 200 with the draft
/// already written from it.
#[utoipa::path(post, path = "/incidents/{id}/kb-draft", tag = "knowledge",
    params(("id" = i64, Path, description = "The incident's id")),
    responses((status = 201, description = "Drafted", body = IncidentDraft),
        (status = 200, description = "The draft already written from this incident", body = IncidentDraft),
        (status = 403, description = "Only handlers and admins write articles", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
        (status = 422, description = "`not_allowed_now`: the incident has no answer yet", body = ErrorBody),
        Failures))]
pub async fn draft_from_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<IncidentDraft>), ApiError> {
    let fail = |e| ApiError::new(e, caller.locale);
    writer(&caller)?;
    let id = id_of(&id, &caller)?;
    state
        .limits
        .check(Kind::Action, caller.user.id)
        .map_err(fail)?;
    let (draft, new) = super::drafts::from_incident(
        &state.pool,
        &state.knowledge,
        &caller.user,
        id,
        caller.locale,
    )
    .await
    .map_err(fail)?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(draft)))
}
