//! An answer or a reply that names an article (see `domain::knowledge::links`) counts as an
//! incident the article solved: it links them, in the same transaction as the message.
use crate::domain::knowledge::links::article_refs;
use crate::AppError;
use sqlx::PgConnection;

pub async fn record_solved(
    conn: &mut PgConnection,
    incident_id: i64,
    body: &str,
) -> Result<(), AppError> {
    let ids: Vec<i64> = article_refs(body).into_iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "INSERT INTO kb_article_incidents (article_id, incident_id, relation)
         SELECT id, $2, 'solved' FROM kb_articles WHERE id = ANY($1) AND deleted_at IS NULL
         ON CONFLICT (article_id, incident_id) DO NOTHING",
        &ids,
        incident_id
    )
    .execute(conn)
    .await?;
    Ok(())
}
