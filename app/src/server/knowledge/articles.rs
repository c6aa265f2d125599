//! Articles: every save a new immutable revision, a stale save refused with the difference,
//! rollbacks, status changes and deletion (each in the audit trail); and the reads of the
//! pages and the API.
use super::Knowledge;
use crate::domain::accounts::CurrentUser;
use crate::domain::knowledge::redact::Removal;
use crate::domain::knowledge::{
    Article, ArticleDraft, ArticleStatus, Comparison, DiffOp, DiffPart, LinkedIncident, Revision,
    Stale,
};
use crate::domain::{Field, FieldError, Reason};
use crate::i18n::Locale;
use crate::server::infra::audit::audit_article;
use crate::server::infra::locale::pick;
use crate::AppError;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

/// Whether `viewer` may read drafts and archived articles, and what they came from.
pub fn sees_everything(viewer: &CurrentUser) -> bool {
    viewer.role.works_desk()
}

/// Where an article comes from, when a solved incident is its source.
pub struct Source<'a> {
    pub incident_id: i64,
    pub removed: &'a [Removal],
}

/// The database ids a save refers to.
struct Refs {
    system_id: i64,
    category_id: Option<i64>,
    subcategory_id: Option<i64>,
}

async fn refs(conn: &mut PgConnection, draft: &ArticleDraft) -> Result<Refs, AppError> {
    let category = draft.category.map(|c| c.as_str());
    let subcategory = draft.subcategory.as_ref().map(|c| c.as_str());
    let row = sqlx::query!(
        r#"SELECT (SELECT id FROM systems WHERE code = $1) AS system_id,
                  (SELECT id FROM categories WHERE code = $2 AND parent_id IS NULL) AS category_id,
                  (SELECT s.id FROM categories s JOIN categories p ON p.id = s.parent_id
                   WHERE s.code = $3 AND p.code = $2) AS subcategory_id"#,
        draft.system.as_str(),
        category,
        subcategory
    )
    .fetch_one(&mut *conn)
    .await?;
    let mut problems = Vec::new();
    if row.system_id.is_none() {
        problems.push(FieldError {
            field: Field::System,
            reason: Reason::UnknownValue,
        });
    }
    if subcategory.is_some() && row.subcategory_id.is_none() {
        problems.push(FieldError {
            field: Field::Subcategory,
            reason: Reason::UnknownValue,
        });
    }
    match row.system_id {
        Some(system_id) if problems.is_empty() => Ok(Refs {
            system_id,
            category_id: row.category_id,
            subcategory_id: row.subcategory_id,
        }),
        _ => Err(AppError::fields(problems)),
    }
}

fn tags(draft: &ArticleDraft) -> Vec<String> {
    draft.tags.iter().map(|t| t.as_str().to_owned()).collect()
}

/// A new article, its first revision, and the incident it came from. Returns its id.
pub async fn create(
    pool: &PgPool,
    knowledge: &Knowledge,
    author: &CurrentUser,
    draft: &ArticleDraft,
    source: Option<Source<'_>>,
) -> Result<i64, AppError> {
    let html = knowledge.render(&draft.body).await;
    let mut tx = pool.begin().await?;
    let refs = refs(&mut tx, draft).await?;
    let tags = tags(draft);
    let id = sqlx::query_scalar!(
        "INSERT INTO kb_articles (title, system_id, category_id, subcategory_id, tags, body, html,
                                  status, author_id, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $8 = 'published' THEN now() END)
         RETURNING id",
        draft.title,
        refs.system_id,
        refs.category_id,
        refs.subcategory_id,
        &tags,
        draft.body,
        html,
        draft.status.as_str(),
        author.id
    )
    .fetch_one(&mut *tx)
    .await?;
    let removed = source
        .as_ref()
        .map(|s| serde_json::to_value(s.removed))
        .transpose()
        .map_err(crate::server::infra::error::internal)?
        .unwrap_or_else(|| json!([]));
    let content = Content {
        title: &draft.title,
        body: &draft.body,
        refs: &refs,
        tags: &tags,
    };
    write_revision(&mut tx, id, 1, author.id, &content, None, removed).await?;
    super::images::claim(&mut tx, id, author.id, &draft.body).await?;
    if let Some(source) = &source {
        sqlx::query!(
            "INSERT INTO kb_article_incidents (article_id, incident_id, relation)
             VALUES ($1, $2, 'source')",
            id,
            source.incident_id
        )
        .execute(&mut *tx)
        .await?;
    }
    let detail = json!({ "title": draft.title, "status": draft.status.as_str(),
                         "incident_id": source.as_ref().map(|s| s.incident_id) });
    audit_article(&mut tx, id, author.id, "kb.created", detail).await?;
    if draft.status == ArticleStatus::Published {
        audit_article(
            &mut tx,
            id,
            author.id,
            "kb.published",
            json!({ "revision": 1 }),
        )
        .await?;
    }
    tx.commit().await?;
    knowledge.index.after_write(pool).await;
    Ok(id)
}

/// What an update did.
pub enum Saved {
    /// The version the article is at now.
    Done(i32),
    /// Another save came first: nothing was written.
    Stale(Box<Stale>),
}

struct Locked {
    version: i32,
    status: String,
    title: String,
    body: String,
    system_id: i64,
    category_id: Option<i64>,
    subcategory_id: Option<i64>,
    tags: Vec<String>,
}

async fn lock(conn: &mut PgConnection, id: i64) -> Result<Locked, AppError> {
    sqlx::query_as!(
        Locked,
        "SELECT version, status, title, body, system_id, category_id, subcategory_id, tags
         FROM kb_articles WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)
}

/// Saves `draft` over the article, if nobody saved since `version`: a new revision when the
/// content changed, the status change in the audit trail.
pub async fn update(
    pool: &PgPool,
    knowledge: &Knowledge,
    editor: &CurrentUser,
    id: i64,
    version: i32,
    draft: &ArticleDraft,
    locale: Locale,
) -> Result<Saved, AppError> {
    let html = knowledge.render(&draft.body).await;
    let mut tx = pool.begin().await?;
    let now = lock(&mut tx, id).await?;
    if now.version != version {
        drop(tx);
        let current = load(pool, editor, id, locale)
            .await?
            .ok_or(AppError::NotFound)?;
        let diff = compare(&current.title, &current.body, &draft.title, &draft.body);
        return Ok(Saved::Stale(Box::new(Stale { current, diff })));
    }
    let refs = refs(&mut tx, draft).await?;
    let tags = tags(draft);
    let changed = now.title != draft.title
        || now.body != draft.body
        || now.system_id != refs.system_id
        || now.category_id != refs.category_id
        || now.subcategory_id != refs.subcategory_id
        || now.tags != tags;
    if changed {
        let number = now.version + 1;
        let content = Content {
            title: &draft.title,
            body: &draft.body,
            refs: &refs,
            tags: &tags,
        };
        write_revision(&mut tx, id, number, editor.id, &content, None, json!([])).await?;
        apply_content(&mut tx, id, &content, &html, number).await?;
        audit_article(
            &mut tx,
            id,
            editor.id,
            "kb.revised",
            json!({ "revision": number }),
        )
        .await?;
        super::images::claim(&mut tx, id, editor.id, &draft.body).await?;
    }
    set_status(&mut tx, id, editor, &now.status, draft.status).await?;
    tx.commit().await?;
    knowledge.index.after_write(pool).await;
    Ok(Saved::Done(if changed {
        now.version + 1
    } else {
        now.version
    }))
}

/// What a revision holds (and the article, once saved).
struct Content<'a> {
    title: &'a str,
    body: &'a str,
    refs: &'a Refs,
    tags: &'a [String],
}

/// Appends revision `number` (immutable: the database refuses to change it).
async fn write_revision(
    conn: &mut PgConnection,
    id: i64,
    number: i32,
    editor: i64,
    content: &Content<'_>,
    restored_from: Option<i32>,
    redactions: serde_json::Value,
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO kb_revisions (article_id, number, title, system_id, category_id,
                                   subcategory_id, tags, body, editor_id, restored_from, redactions)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        id,
        number,
        content.title,
        content.refs.system_id,
        content.refs.category_id,
        content.refs.subcategory_id,
        content.tags,
        content.body,
        editor,
        restored_from,
        redactions
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Puts `content` (rendered as `html`) in the article, at revision `number`.
async fn apply_content(
    conn: &mut PgConnection,
    id: i64,
    content: &Content<'_>,
    html: &str,
    number: i32,
) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE kb_articles SET title = $2, system_id = $3, category_id = $4,
                subcategory_id = $5, tags = $6, body = $7, html = $8, version = $9
         WHERE id = $1",
        id,
        content.title,
        content.refs.system_id,
        content.refs.category_id,
        content.refs.subcategory_id,
        content.tags,
        content.body,
        html,
        number
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves the article to `to` (if it is not there), with its line in the audit trail.
async fn set_status(
    conn: &mut PgConnection,
    id: i64,
    actor: &CurrentUser,
    from: &str,
    to: ArticleStatus,
) -> Result<(), AppError> {
    if from == to.as_str() {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE kb_articles SET status = $2,
                published_at = CASE WHEN $2 = 'published' THEN now() ELSE published_at END
         WHERE id = $1",
        id,
        to.as_str()
    )
    .execute(&mut *conn)
    .await?;
    let action = match (from, to) {
        (_, ArticleStatus::Published) => "kb.published",
        (_, ArticleStatus::Archived) => "kb.archived",
        ("published", ArticleStatus::Draft) => "kb.unpublished",
        (_, ArticleStatus::Draft) => "kb.unarchived",
    };
    audit_article(
        conn,
        id,
        actor.id,
        action,
        json!({ "from": from, "to": to.as_str() }),
    )
    .await
}

/// Rolls the article back to revision `number`: a new revision with that content (nothing
/// after it is lost). Returns the new revision's number.
pub async fn restore(
    pool: &PgPool,
    knowledge: &Knowledge,
    editor: &CurrentUser,
    id: i64,
    number: i32,
) -> Result<i32, AppError> {
    let old = sqlx::query!(
        "SELECT title, body, system_id, category_id, subcategory_id, tags
         FROM kb_revisions WHERE article_id = $1 AND number = $2",
        id,
        number
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let html = knowledge.render(&old.body).await;
    let mut tx = pool.begin().await?;
    let now = lock(&mut tx, id).await?;
    let next = now.version + 1;
    let refs = Refs {
        system_id: old.system_id,
        category_id: old.category_id,
        subcategory_id: old.subcategory_id,
    };
    let content = Content {
        title: &old.title,
        body: &old.body,
        refs: &refs,
        tags: &old.tags,
    };
    write_revision(
        &mut tx,
        id,
        next,
        editor.id,
        &content,
        Some(number),
        json!([]),
    )
    .await?;
    apply_content(&mut tx, id, &content, &html, next).await?;
    super::images::claim(&mut tx, id, editor.id, &old.body).await?;
    audit_article(
        &mut tx,
        id,
        editor.id,
        "kb.rolled_back",
        json!({ "restored": number, "revision": next }),
    )
    .await?;
    tx.commit().await?;
    knowledge.index.after_write(pool).await;
    Ok(next)
}

/// Takes the article out of every list and the search; its revisions stay.
pub async fn delete(
    pool: &PgPool,
    knowledge: &Knowledge,
    actor: &CurrentUser,
    id: i64,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let now = lock(&mut tx, id).await?;
    sqlx::query!(
        "UPDATE kb_articles SET deleted_at = now() WHERE id = $1",
        id
    )
    .execute(&mut *tx)
    .await?;
    audit_article(
        &mut tx,
        id,
        actor.id,
        "kb.deleted",
        json!({ "title": now.title }),
    )
    .await?;
    tx.commit().await?;
    knowledge.index.after_write(pool).await;
    Ok(())
}

/// The article as `viewer` may see it: the team sees drafts and archived ones and where they
/// came from; everyone else published articles only (others are not found).
pub async fn load(
    pool: &PgPool,
    viewer: &CurrentUser,
    id: i64,
    locale: Locale,
) -> Result<Option<Article>, AppError> {
    let everything = sees_everything(viewer);
    let Some(r) = sqlx::query!(
        r#"SELECT a.id, a.title, a.body, a.html, s.code AS system_code, s.name_zh, s.name_en,
                  c.code AS "category?", sc.code AS "sub_code?", sc.name_zh AS "sub_zh?",
                  sc.name_en AS "sub_en?", a.tags, a.status, u.display_name AS author, a.version,
                  a.created_at AS "created_at: DateTime<Utc>",
                  a.updated_at AS "updated_at: DateTime<Utc>",
                  a.published_at AS "published_at: DateTime<Utc>"
           FROM kb_articles a
           JOIN systems s ON s.id = a.system_id
           JOIN users u ON u.id = a.author_id
           LEFT JOIN categories c ON c.id = a.category_id
           LEFT JOIN categories sc ON sc.id = a.subcategory_id
           WHERE a.id = $1 AND a.deleted_at IS NULL AND ($2 OR a.status = 'published')"#,
        id,
        everything
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let (incidents, redactions) = if everything {
        let incidents = sqlx::query_as!(
            LinkedIncident,
            "SELECT i.id, i.number, l.relation FROM kb_article_incidents l
             JOIN incidents i ON i.id = l.incident_id
             WHERE l.article_id = $1 ORDER BY l.created_at, i.id",
            id
        )
        .fetch_all(pool)
        .await?;
        let first = sqlx::query_scalar!(
            "SELECT redactions FROM kb_revisions WHERE article_id = $1 AND number = 1",
            id
        )
        .fetch_optional(pool)
        .await?;
        let redactions = first
            .and_then(|v| serde_json::from_value::<Vec<Removal>>(v).ok())
            .unwrap_or_default();
        (incidents, redactions)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(Some(Article {
        id: r.id,
        title: r.title,
        body: r.body,
        html: r.html,
        system: r.system_code,
        system_name: pick(locale, r.name_zh, r.name_en),
        category: r
            .category
            .as_deref()
            .and_then(crate::domain::incident::workflow::Category::from_name),
        subcategory: r.sub_code,
        subcategory_name: match (r.sub_zh, r.sub_en) {
            (Some(zh), Some(en)) => Some(pick(locale, zh, en)),
            _ => None,
        },
        tags: r.tags,
        status: ArticleStatus::from_name(&r.status).unwrap_or_default(),
        author: r.author,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
        published_at: r.published_at,
        incidents,
        redactions,
    }))
}

/// The article's history, newest first (the team's; the article must exist).
pub async fn revisions(pool: &PgPool, id: i64) -> Result<Vec<Revision>, AppError> {
    exists(pool, id).await?;
    Ok(sqlx::query_as!(
        Revision,
        r#"SELECT r.number, r.title, u.display_name AS editor,
                  r.created_at AS "created_at: DateTime<Utc>", r.restored_from
           FROM kb_revisions r JOIN users u ON u.id = r.editor_id
           WHERE r.article_id = $1 ORDER BY r.number DESC"#,
        id
    )
    .fetch_all(pool)
    .await?)
}

async fn exists(pool: &PgPool, id: i64) -> Result<(), AppError> {
    sqlx::query_scalar!(
        "SELECT id FROM kb_articles WHERE id = $1 AND deleted_at IS NULL",
        id
    )
    .fetch_optional(pool)
    .await?
    .map(|_| ())
    .ok_or(AppError::NotFound)
}

/// Two revisions compared (`from` → `to`).
pub async fn compare_revisions(
    pool: &PgPool,
    id: i64,
    from: i32,
    to: i32,
) -> Result<Comparison, AppError> {
    exists(pool, id).await?;
    let rows = sqlx::query!(
        "SELECT number, title, body FROM kb_revisions
         WHERE article_id = $1 AND number = ANY($2)",
        id,
        &[from, to]
    )
    .fetch_all(pool)
    .await?;
    let find = |n: i32| {
        rows.iter()
            .find(|r| r.number == n)
            .ok_or(AppError::NotFound)
    };
    let (a, b) = (find(from)?, find(to)?);
    Ok(compare(&a.title, &a.body, &b.title, &b.body))
}

/// What changes from one title and body to another, character by character.
pub fn compare(old_title: &str, old_body: &str, new_title: &str, new_body: &str) -> Comparison {
    Comparison {
        title: diff(old_title, new_title),
        body: diff(old_body, new_body),
    }
}

/// A character-level difference (Chinese has no spaces to split words on), runs of the same
/// kind joined. A comparison that takes longer than a second settles for a coarser answer.
pub fn diff(old: &str, new: &str) -> Vec<DiffPart> {
    use similar::{Algorithm, ChangeTag, TextDiff};
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(std::time::Duration::from_secs(1))
        .diff_chars(old, new);
    let mut parts: Vec<DiffPart> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => DiffOp::Equal,
            ChangeTag::Insert => DiffOp::Insert,
            ChangeTag::Delete => DiffOp::Delete,
        };
        match parts.last_mut() {
            Some(last) if last.op == op => last.text.push_str(change.value()),
            _ => parts.push(DiffPart {
                op,
                text: change.value().to_owned(),
            }),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_by_character_and_joined_in_runs() {
        let parts = diff("客户无法登录交易系统", "客户无法登录融资融券系统");
        let text = |op| -> String {
            parts
                .iter()
                .filter(|p| p.op == op)
                .map(|p| p.text.as_str())
                .collect()
        };
        assert_eq!(text(DiffOp::Delete), "交易");
        assert_eq!(text(DiffOp::Insert), "融资融券");
        assert_eq!(parts.first().map(|p| p.text.as_str()), Some("客户无法登录"));
        // Put together again, either side is what it was.
        let old: String = parts
            .iter()
            .filter(|p| p.op != DiffOp::Insert)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(old, "客户无法登录交易系统");
    }
}
