//! This instance's search index: built from PostgreSQL at start-up (and again when admins
//! change the search's words), then kept current by following the articles' change numbers,
//! woken by the one listener of the database's notifications (`mss_kb`). Several instances each
//! keep their own; a restart builds it again. The index lives in a temporary folder, so the
//! operating system's page cache, not the heap, holds what is not in use.
use super::markdown::plain_text;
use super::search::{Analyzer, Engine, Entry, Hit, Request, Vocabulary, Weights};
use crate::server::infra::error::internal;
use crate::AppError;
use sqlx::PgPool;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Mutex, Notify};

/// A built index and how far it has followed the changes.
struct Built {
    engine: Engine,
    /// The index's folder, deleted with it.
    _dir: tempfile::TempDir,
    last_change: AtomicI64,
    vocabulary_version: i64,
}

pub struct SearchIndex {
    built: watch::Sender<Option<Arc<Built>>>,
    /// One catch-up or rebuild at a time.
    syncing: Mutex<()>,
    /// Where the index folders go (the system's temporary folder by default).
    parent: Option<std::path::PathBuf>,
}

/// How long a search waits for the index being built at start-up.
const READY_WAIT: Duration = Duration::from_secs(30);
/// Articles read from the database and indexed at a time.
const BATCH: i64 = 2_000;

impl SearchIndex {
    pub fn new(parent: Option<std::path::PathBuf>) -> SearchIndex {
        SearchIndex {
            built: watch::Sender::new(None),
            syncing: Mutex::new(()),
            parent,
        }
    }

    /// Whether the index has been built (readiness).
    pub fn is_ready(&self) -> bool {
        self.built.borrow().is_some()
    }

    /// How many articles the index holds.
    pub fn len(&self) -> u64 {
        self.built.borrow().as_ref().map_or(0, |b| b.engine.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The best matches, best first (waits for the first build at start-up).
    pub async fn search(&self, request: OwnedRequest) -> Result<Vec<Hit>, AppError> {
        let mut ready = self.built.subscribe();
        let built = tokio::time::timeout(READY_WAIT, ready.wait_for(Option::is_some))
            .await
            .map_err(|_| internal("the search index is still being built"))?
            .map_err(|_| internal("the search index is gone"))?
            .clone()
            .ok_or_else(|| internal("the search index is gone"))?;
        tokio::task::spawn_blocking(move || {
            built.engine.search(&Request {
                text: &request.text,
                system: request.system.as_deref(),
                category: request.category.as_deref(),
                published_only: request.published_only,
                limit: request.limit,
            })
        })
        .await
        .map_err(internal)?
        .map_err(internal)
    }

    /// Brings the index up to date with the database: the changes since it last looked, or a
    /// new index when the search's words changed (the follower's work, see `follow`).
    pub async fn catch_up(&self, pool: &PgPool) -> Result<(), AppError> {
        let _one = self.syncing.lock().await;
        let current = self.built.borrow().clone();
        let Some(built) = current else {
            return self.rebuild_locked(pool).await;
        };
        if vocabulary_version(pool).await? != built.vocabulary_version {
            return self.rebuild_locked(pool).await;
        }
        apply_changes(pool, &built).await
    }

    /// After a write on this instance: its change searchable before the answer goes out, so
    /// the writer finds their article at once. It never fails the write that committed (a
    /// problem is logged; the follower catches up within seconds) and never builds a new index
    /// in a request: while one is being built (new search words), the follower brings the
    /// change along.
    pub async fn after_write(&self, pool: &PgPool) {
        let outcome = async {
            let Ok(_one) = tokio::time::timeout(Duration::from_secs(2), self.syncing.lock()).await
            else {
                return Ok(());
            };
            let current = self.built.borrow().clone();
            let Some(built) = current else {
                return Ok(());
            };
            if vocabulary_version(pool).await? != built.vocabulary_version {
                return Ok(());
            }
            apply_changes(pool, &built).await
        }
        .await;
        if let Err(e) = outcome {
            tracing::warn!(error = ?e, "the search index will catch up with a write later");
        }
    }

    /// Builds a new index from every article and puts it in place of the old one.
    pub async fn rebuild(&self, pool: &PgPool) -> Result<(), AppError> {
        let _one = self.syncing.lock().await;
        self.rebuild_locked(pool).await
    }

    async fn rebuild_locked(&self, pool: &PgPool) -> Result<(), AppError> {
        let started = std::time::Instant::now();
        let version = vocabulary_version(pool).await?;
        let vocabulary = vocabulary(pool).await?;
        let last_change = sqlx::query_scalar!(
            r#"SELECT coalesce(max(change_seq), 0) AS "seq!" FROM kb_articles"#
        )
        .fetch_one(pool)
        .await?;
        let parent = self.parent.clone().unwrap_or_else(std::env::temp_dir);
        let built = tokio::task::spawn_blocking(move || -> Result<Built, AppError> {
            std::fs::create_dir_all(&parent).map_err(internal)?;
            let dir = tempfile::Builder::new()
                .prefix("mss-kb-")
                .tempdir_in(&parent)
                .map_err(internal)?;
            let analyzer = analyzer_for(vocabulary);
            let engine = Engine::in_dir(dir.path(), analyzer, Weights::HELP).map_err(internal)?;
            Ok(Built {
                engine,
                _dir: dir,
                last_change: AtomicI64::new(last_change),
                vocabulary_version: version,
            })
        })
        .await
        .map_err(internal)??;
        let built = Arc::new(built);
        let mut after_id = 0;
        loop {
            let rows = articles_after(pool, after_id).await?;
            let Some(last) = rows.last().map(|r| r.id) else {
                break;
            };
            after_id = last;
            let count = rows.len();
            index_rows(&built, rows).await?;
            if (count as i64) < BATCH {
                break;
            }
        }
        tracing::info!(
            articles = built.engine.len(),
            ms = started.elapsed().as_millis() as u64,
            "search index built"
        );
        self.built.send_replace(Some(built));
        Ok(())
    }
}

/// The analyzer of these words: the last one made is kept, as making one (the segmenter's
/// dictionary with our terms added) takes a moment, and instances in one process (tests) or a
/// rebuild after a change elsewhere often ask for the same words again.
fn analyzer_for(vocabulary: Vocabulary) -> Arc<Analyzer> {
    static LAST: std::sync::Mutex<Option<(Vocabulary, Arc<Analyzer>)>> =
        std::sync::Mutex::new(None);
    let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((words, analyzer)) = last.as_ref() {
        if *words == vocabulary {
            return analyzer.clone();
        }
    }
    let analyzer = Arc::new(Analyzer::new(&vocabulary));
    *last = Some((vocabulary, analyzer.clone()));
    analyzer
}

/// Puts these rows in the index, off the async runtime: turning bodies into text (Markdown,
/// thousands of articles in a rebuild) and indexing them are CPU work.
async fn index_rows(built: &Arc<Built>, rows: Vec<Row>) -> Result<(), AppError> {
    let b = built.clone();
    tokio::task::spawn_blocking(move || {
        let (entries, removed) = split(rows);
        b.engine.apply(&entries, &removed)
    })
    .await
    .map_err(internal)?
    .map_err(internal)
}

/// Applies the articles changed since the index last looked (the caller holds `syncing`).
async fn apply_changes(pool: &PgPool, built: &Arc<Built>) -> Result<(), AppError> {
    loop {
        let after = built.last_change.load(Ordering::SeqCst);
        let rows = changed_after(pool, after).await?;
        let Some(newest) = rows.last().map(|r| r.change_seq) else {
            return Ok(());
        };
        let count = rows.len();
        index_rows(built, rows).await?;
        built.last_change.store(newest, Ordering::SeqCst);
        if (count as i64) < BATCH {
            return Ok(());
        }
    }
}

/// A search, owned (it runs on a blocking thread).
#[derive(Debug, Clone, Default)]
pub struct OwnedRequest {
    pub text: String,
    pub system: Option<String>,
    pub category: Option<String>,
    pub published_only: bool,
    pub limit: usize,
}

/// Follows the changes for as long as the instance runs: builds the index, then catches up
/// whenever the listener says an article or the words changed, and every few seconds anyway
/// (a notification lost with a dropped connection).
pub async fn follow(pool: PgPool, knowledge: Arc<super::Knowledge>, changed: Arc<Notify>) {
    let index = &knowledge.index;
    loop {
        match index.rebuild(&pool).await {
            Ok(()) => break,
            Err(e) => {
                tracing::warn!(error = ?e, "could not build the search index; trying again");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
    loop {
        let _ = tokio::time::timeout(Duration::from_secs(5), changed.notified()).await;
        if let Err(e) = index.catch_up(&pool).await {
            tracing::warn!(error = ?e, "could not update the search index");
        }
    }
}

struct Row {
    id: i64,
    title: String,
    body: String,
    tags: Vec<String>,
    system: String,
    category: Option<String>,
    published: bool,
    deleted: bool,
    change_seq: i64,
}

fn split(rows: Vec<Row>) -> (Vec<Entry>, Vec<i64>) {
    let mut entries = Vec::with_capacity(rows.len());
    let mut removed = Vec::new();
    for r in rows {
        if r.deleted {
            removed.push(r.id);
            continue;
        }
        entries.push(Entry {
            id: r.id,
            title: r.title,
            body: plain_text(&r.body),
            tags: r.tags,
            system: r.system,
            category: r.category.unwrap_or_default(),
            published: r.published,
        });
    }
    (entries, removed)
}

async fn changed_after(pool: &PgPool, after: i64) -> Result<Vec<Row>, AppError> {
    Ok(sqlx::query_as!(
        Row,
        r#"SELECT a.id, a.title, a.body, a.tags, s.code AS system, c.code AS "category?",
                  a.status = 'published' AS "published!", a.deleted_at IS NOT NULL AS "deleted!",
                  a.change_seq
           FROM kb_articles a JOIN systems s ON s.id = a.system_id
           LEFT JOIN categories c ON c.id = a.category_id
           WHERE a.change_seq > $1 ORDER BY a.change_seq LIMIT $2"#,
        after,
        BATCH
    )
    .fetch_all(pool)
    .await?)
}

async fn articles_after(pool: &PgPool, after_id: i64) -> Result<Vec<Row>, AppError> {
    Ok(sqlx::query_as!(
        Row,
        r#"SELECT a.id, a.title, a.body, a.tags, s.code AS system, c.code AS "category?",
                  a.status = 'published' AS "published!", false AS "deleted!", a.change_seq
           FROM kb_articles a JOIN systems s ON s.id = a.system_id
           LEFT JOIN categories c ON c.id = a.category_id
           WHERE a.id > $1 AND a.deleted_at IS NULL ORDER BY a.id LIMIT $2"#,
        after_id,
        BATCH
    )
    .fetch_all(pool)
    .await?)
}

async fn vocabulary_version(pool: &PgPool) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar!("SELECT version FROM kb_vocabulary_version")
            .fetch_one(pool)
            .await?,
    )
}

/// The built-in words and those admins added.
pub async fn vocabulary(pool: &PgPool) -> Result<Vocabulary, AppError> {
    let mut vocabulary = Vocabulary::seed();
    let terms = sqlx::query_scalar!("SELECT term FROM kb_terms ORDER BY id")
        .fetch_all(pool)
        .await?;
    let groups = sqlx::query_scalar!("SELECT words FROM kb_synonyms ORDER BY id")
        .fetch_all(pool)
        .await?;
    for term in terms {
        if !vocabulary.terms.contains(&term) {
            vocabulary.terms.push(term);
        }
    }
    vocabulary.synonyms.extend(groups);
    Ok(vocabulary)
}
