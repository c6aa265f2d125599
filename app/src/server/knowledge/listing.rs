//! The team's list of articles on the desk: every status, newest change first, or what the
//! search finds (drafts and archived ones too).
use super::index::OwnedRequest;
use crate::domain::knowledge::{ArticleStatus, DeskArticle};
use crate::i18n::Locale;
use crate::server::infra::locale::pick;
use crate::server::AppState;
use crate::AppError;
use chrono::{DateTime, Utc};

/// A list is this long at most (the search narrows it).
const MAX: i64 = 100;

pub async fn list(
    state: &AppState,
    q: Option<&str>,
    status: Option<ArticleStatus>,
    locale: Locale,
) -> Result<Vec<DeskArticle>, AppError> {
    let ids: Option<Vec<i64>> = match q {
        Some(text) => Some(
            super::find(
                state,
                OwnedRequest {
                    text: text.to_owned(),
                    published_only: false,
                    limit: 50,
                    ..Default::default()
                },
            )
            .await?
            .into_iter()
            .map(|f| f.id)
            .collect(),
        ),
        None => None,
    };
    let rows = sqlx::query!(
        r#"SELECT a.id, a.title, s.name_zh, s.name_en, a.status, u.display_name AS author,
                  a.version, a.updated_at AS "updated_at: DateTime<Utc>"
           FROM kb_articles a JOIN systems s ON s.id = a.system_id JOIN users u ON u.id = a.author_id
           WHERE a.deleted_at IS NULL AND ($1::text IS NULL OR a.status = $1)
             AND ($2::bigint[] IS NULL OR a.id = ANY($2))
           ORDER BY a.updated_at DESC, a.id DESC LIMIT $3"#,
        status.map(|s| s.as_str()),
        ids.as_deref(),
        MAX
    )
    .fetch_all(&state.pool)
    .await?;
    let mut items: Vec<DeskArticle> = rows
        .into_iter()
        .map(|r| DeskArticle {
            id: r.id,
            title: r.title,
            system_name: pick(locale, r.name_zh, r.name_en),
            status: ArticleStatus::from_name(&r.status).unwrap_or_default(),
            author: r.author,
            version: r.version,
            updated_at: r.updated_at,
        })
        .collect();
    // What the search found, in its order (best first).
    if let Some(ids) = ids {
        items.sort_by_key(|a| ids.iter().position(|id| *id == a.id));
    }
    Ok(items)
}
