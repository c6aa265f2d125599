//! The knowledge base on the server: articles and their revisions, drafts from solved
//! incidents, Markdown and flow charts, and the search.
pub mod articles;
pub mod charts;
pub mod drafts;
pub mod help;
pub mod hot;
pub mod images;
pub mod index;
pub mod links;
pub mod listing;
pub mod markdown;
pub mod rest;
pub mod search;
pub mod words;

/// What the knowledge base keeps for the life of the instance.
pub struct Knowledge {
    pub index: index::SearchIndex,
    pub charts: charts::Charts,
    /// The help center's home and each system's counts, worked out at most every few seconds
    /// (every reader's first page; counting 50,000 articles for each would be wasted).
    pub help_home:
        crate::server::infra::recent::RecentMap<&'static str, crate::domain::knowledge::HelpHome>,
    pub system_counts:
        crate::server::infra::recent::RecentMap<(String, &'static str), Option<help::SystemCounts>>,
}

impl Knowledge {
    pub fn new(index_parent: Option<std::path::PathBuf>) -> Knowledge {
        Knowledge {
            index: index::SearchIndex::new(index_parent),
            charts: charts::Charts::find(),
            help_home: Default::default(),
            system_counts: Default::default(),
        }
    }

    /// A body as safe HTML, its flow charts drawn.
    pub async fn render(&self, body: &str) -> String {
        markdown::render(body, &self.charts).await
    }
}

/// A search, answered from the index and checked against the database: an article deleted or
/// unpublished a moment ago (the index follows within moments) is never shown to a reader.
pub async fn find(
    state: &crate::server::AppState,
    request: index::OwnedRequest,
) -> Result<Vec<crate::domain::knowledge::Found>, crate::AppError> {
    let published_only = request.published_only;
    let hits = state.knowledge.index.search(request).await?;
    let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
    let rows = sqlx::query!(
        "SELECT a.id, a.title, s.code AS system FROM kb_articles a
         JOIN systems s ON s.id = a.system_id
         WHERE a.id = ANY($1) AND a.deleted_at IS NULL AND (NOT $2 OR a.status = 'published')",
        &ids,
        published_only
    )
    .fetch_all(&state.pool)
    .await?;
    Ok(hits
        .into_iter()
        .filter_map(|hit| {
            let row = rows.iter().find(|r| r.id == hit.id)?;
            Some(crate::domain::knowledge::Found {
                id: hit.id,
                title: row.title.clone(),
                snippet: hit.snippet,
                highlights: hit.highlights,
                system: row.system.clone(),
                score: hit.score,
            })
        })
        .collect())
}
