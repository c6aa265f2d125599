//! The help center's reads and the readers' writes: the home (systems, hot questions, recent
//! articles), a system's list, an article page (counted as a view, with related articles and
//! the reader's vote), and "这篇解答有帮助吗？".
use super::index::OwnedRequest;
use super::markdown::plain_text;
use crate::domain::accounts::CurrentUser;
use crate::domain::incident::views::{excerpt, Cursor};
use crate::domain::incident::workflow::Category;
use crate::domain::knowledge::{ArticleLine, HelpArticle, HelpHome, HelpList, SystemTile};
use crate::i18n::Locale;
use crate::server::infra::locale::pick;
use crate::server::AppState;
use crate::AppError;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// Lines on the home page, and a list's page.
const HOME_LINES: i64 = 5;
const PAGE: i64 = 20;

struct LineRow {
    id: i64,
    title: String,
    body: String,
    name_zh: String,
    name_en: String,
    updated_at: DateTime<Utc>,
}

fn line(r: LineRow, locale: Locale) -> ArticleLine {
    ArticleLine {
        id: r.id,
        title: r.title,
        system_name: pick(locale, r.name_zh, r.name_en),
        excerpt: excerpt(
            plain_text(&r.body)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .as_str(),
            60,
        ),
        updated_at: r.updated_at,
    }
}

pub async fn home(pool: &PgPool, locale: Locale) -> Result<HelpHome, AppError> {
    let systems = sqlx::query!(
        r#"SELECT s.code, s.name_zh, s.name_en, count(a.id) AS "articles!"
           FROM systems s
           LEFT JOIN kb_articles a ON a.system_id = s.id AND a.status = 'published' AND a.deleted_at IS NULL
           WHERE s.active GROUP BY s.id ORDER BY s.position, s.id"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| SystemTile {
        code: r.code,
        name: pick(locale, r.name_zh, r.name_en),
        articles: r.articles,
    })
    .collect();
    let hot = sqlx::query_as!(
        LineRow,
        r#"SELECT a.id, a.title, left(a.body, 4000) AS "body!", s.name_zh, s.name_en,
                  a.updated_at AS "updated_at: DateTime<Utc>"
           FROM kb_hot h JOIN kb_articles a ON a.id = h.article_id JOIN systems s ON s.id = a.system_id
           WHERE h.week = (SELECT max(week) FROM kb_hot) AND a.status = 'published' AND a.deleted_at IS NULL
           ORDER BY h.rank LIMIT $1"#,
        HOME_LINES
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| line(r, locale))
    .collect();
    let recent = sqlx::query_as!(
        LineRow,
        r#"SELECT a.id, a.title, left(a.body, 4000) AS "body!", s.name_zh, s.name_en,
                  a.updated_at AS "updated_at: DateTime<Utc>"
           FROM kb_articles a JOIN systems s ON s.id = a.system_id
           WHERE a.status = 'published' AND a.deleted_at IS NULL
           ORDER BY a.updated_at DESC, a.id DESC LIMIT $1"#,
        HOME_LINES
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| line(r, locale))
    .collect();
    Ok(HelpHome {
        systems,
        hot,
        recent,
    })
}

/// A system and how many published articles it has, in all and per category.
#[derive(Clone)]
pub struct SystemCounts {
    id: i64,
    tile: SystemTile,
    counts: Vec<(Category, i64)>,
}

async fn system_counts(
    pool: &PgPool,
    locale: Locale,
    system: &str,
) -> Result<Option<SystemCounts>, AppError> {
    let Some(s) = sqlx::query!(
        r#"SELECT s.id, s.code, s.name_zh, s.name_en,
                  (SELECT count(*) FROM kb_articles a WHERE a.system_id = s.id AND a.status = 'published'
                   AND a.deleted_at IS NULL) AS "articles!"
           FROM systems s WHERE s.code = $1"#,
        system
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let counts = sqlx::query!(
        r#"SELECT c.code, count(a.id) AS "n!" FROM categories c
           LEFT JOIN kb_articles a ON a.category_id = c.id AND a.system_id = $1
                AND a.status = 'published' AND a.deleted_at IS NULL
           WHERE c.parent_id IS NULL GROUP BY c.id ORDER BY c.position"#,
        s.id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .filter_map(|r| Category::from_name(&r.code).map(|c| (c, r.n)))
    .collect();
    Ok(Some(SystemCounts {
        id: s.id,
        tile: SystemTile {
            code: s.code,
            name: pick(locale, s.name_zh, s.name_en),
            articles: s.articles,
        },
        counts,
    }))
}

/// A system's published articles, newest first; `None` for a system that does not exist.
pub async fn list(
    state: &AppState,
    locale: Locale,
    system: &str,
    category: Option<Category>,
    cursor: Option<Cursor>,
) -> Result<Option<HelpList>, AppError> {
    let pool = &state.pool;
    let Some(counted) = state
        .knowledge
        .system_counts
        .get_or(
            (system.to_owned(), leptos_i18n::Locale::as_str(locale)),
            system_counts(pool, locale, system),
        )
        .await?
    else {
        return Ok(None);
    };
    let (before_at, before_id) = match &cursor {
        Some(c) => (Some(c.created_at), c.id),
        None => (None, 0),
    };
    let mut rows = sqlx::query_as!(
        LineRow,
        r#"SELECT a.id, a.title, left(a.body, 4000) AS "body!", s.name_zh, s.name_en,
                  a.updated_at AS "updated_at: DateTime<Utc>"
           FROM kb_articles a JOIN systems s ON s.id = a.system_id
           LEFT JOIN categories c ON c.id = a.category_id
           WHERE a.system_id = $1 AND a.status = 'published' AND a.deleted_at IS NULL
             AND ($2::text IS NULL OR c.code = $2)
             AND ($3::timestamptz IS NULL OR (a.updated_at, a.id) < ($3, $4))
           ORDER BY a.updated_at DESC, a.id DESC LIMIT $5"#,
        counted.id,
        category.map(|c| c.as_str()),
        before_at as Option<DateTime<Utc>>,
        before_id,
        PAGE + 1
    )
    .fetch_all(pool)
    .await?;
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| {
            Cursor {
                created_at: r.updated_at,
                id: r.id,
            }
            .encode()
        })
    });
    Ok(Some(HelpList {
        system: counted.tile,
        category,
        counts: counted.counts,
        items: rows.into_iter().map(|r| line(r, locale)).collect(),
        next: next.flatten(),
    }))
}

/// An article page as `viewer` may see it, counted as a view (a reader's, not the team's
/// preview of a draft).
pub async fn article(
    state: &AppState,
    viewer: &CurrentUser,
    id: i64,
    locale: Locale,
) -> Result<Option<HelpArticle>, AppError> {
    let pool = &state.pool;
    let Some(article) = super::articles::load(pool, viewer, id, locale).await? else {
        return Ok(None);
    };
    if article.status == crate::domain::knowledge::ArticleStatus::Published {
        sqlx::query!(
            "INSERT INTO kb_views (article_id, day, views)
             VALUES ($1, (now() AT TIME ZONE 'Asia/Shanghai')::date, 1)
             ON CONFLICT (article_id, day) DO UPDATE SET views = kb_views.views + 1, updated_at = now()",
            id
        )
        .execute(pool)
        .await?;
    }
    let vote = sqlx::query_scalar!(
        "SELECT helpful FROM kb_feedback WHERE article_id = $1 AND user_id = $2",
        id,
        viewer.id
    )
    .fetch_optional(pool)
    .await?;
    let related = related(state, &article.title, &article.system, id, locale).await?;
    Ok(Some(HelpArticle {
        article,
        related,
        vote,
    }))
}

/// Up to four published articles of the same system that the search finds for the title.
async fn related(
    state: &AppState,
    title: &str,
    system: &str,
    not: i64,
    locale: Locale,
) -> Result<Vec<ArticleLine>, AppError> {
    let found = super::find(
        state,
        OwnedRequest {
            text: title.to_owned(),
            system: Some(system.to_owned()),
            category: None,
            published_only: true,
            limit: 5,
        },
    )
    .await?;
    let ids: Vec<i64> = found
        .iter()
        .map(|f| f.id)
        .filter(|id| *id != not)
        .take(4)
        .collect();
    let mut rows: std::collections::HashMap<i64, LineRow> = sqlx::query_as!(
        LineRow,
        r#"SELECT a.id, a.title, left(a.body, 4000) AS "body!", s.name_zh, s.name_en,
                  a.updated_at AS "updated_at: DateTime<Utc>"
           FROM kb_articles a JOIN systems s ON s.id = a.system_id
           WHERE a.id = ANY($1) AND a.status = 'published' AND a.deleted_at IS NULL"#,
        &ids
    )
    .fetch_all(&state.pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r))
    .collect();
    Ok(ids
        .iter()
        .filter_map(|id| rows.remove(id))
        .map(|r| line(r, locale))
        .collect())
}

/// A reader's answer to "这篇解答有帮助吗？" (a second answer replaces the first).
pub async fn vote(
    pool: &PgPool,
    reader: &CurrentUser,
    id: i64,
    helpful: bool,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let done = sqlx::query!(
        "INSERT INTO kb_feedback (article_id, user_id, helpful, reason)
         SELECT id, $2, $3, $4 FROM kb_articles
         WHERE id = $1 AND status = 'published' AND deleted_at IS NULL
         ON CONFLICT (article_id, user_id)
         DO UPDATE SET helpful = EXCLUDED.helpful, reason = EXCLUDED.reason, updated_at = now()",
        id,
        reader.id,
        helpful,
        reason
    )
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
