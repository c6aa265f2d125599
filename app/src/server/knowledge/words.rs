//! The search's own words that admins add: terms the segmenter keeps whole and synonym groups.
//! Each change tells every instance to build its index again (a trigger bumps the words'
//! version and notifies `mss_kb`), and goes into the audit trail.
use crate::domain::accounts::CurrentUser;
use crate::domain::knowledge::{SearchWords, SynonymGroup, Term};
use crate::server::infra::audit::audit;
use crate::AppError;
use serde_json::json;
use sqlx::PgPool;

pub async fn list(pool: &PgPool) -> Result<SearchWords, AppError> {
    let terms = sqlx::query!("SELECT id, term FROM kb_terms ORDER BY term")
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| Term {
            id: r.id,
            term: r.term,
        })
        .collect();
    let synonyms = sqlx::query!("SELECT id, words FROM kb_synonyms ORDER BY id")
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| SynonymGroup {
            id: r.id,
            words: r.words,
        })
        .collect();
    let seed = super::search::Vocabulary::seed();
    Ok(SearchWords {
        terms,
        synonyms,
        built_in_terms: seed.terms.len(),
        built_in_synonyms: seed.synonyms.len(),
    })
}

pub async fn add_term(pool: &PgPool, admin: &CurrentUser, term: &str) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let added = sqlx::query!(
        "INSERT INTO kb_terms (term, created_by) VALUES ($1, $2) ON CONFLICT (term) DO NOTHING",
        term,
        admin.id
    )
    .execute(&mut *tx)
    .await?;
    if added.rows_affected() > 0 {
        audit(
            &mut tx,
            None,
            Some(admin.id),
            "kb.term_added",
            json!({ "term": term }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn add_synonyms(
    pool: &PgPool,
    admin: &CurrentUser,
    words: &[String],
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "INSERT INTO kb_synonyms (words, created_by) VALUES ($1, $2)",
        words,
        admin.id
    )
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        None,
        Some(admin.id),
        "kb.synonyms_added",
        json!({ "words": words }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a term (`kind` = `term`) or a synonym group (`synonyms`).
pub async fn remove(
    pool: &PgPool,
    admin: &CurrentUser,
    kind: &str,
    id: i64,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let removed = match kind {
        "term" => sqlx::query_scalar!("DELETE FROM kb_terms WHERE id = $1 RETURNING term", id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|t| json!({ "term": t })),
        "synonyms" => {
            sqlx::query_scalar!("DELETE FROM kb_synonyms WHERE id = $1 RETURNING words", id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|w| json!({ "words": w }))
        }
        _ => return Err(AppError::BadRequest),
    };
    let detail = removed.ok_or(AppError::NotFound)?;
    audit(&mut tx, None, Some(admin.id), "kb.words_removed", detail).await?;
    tx.commit().await?;
    Ok(())
}
