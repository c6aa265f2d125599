//! "整理成知识": a draft article from a solved incident. The symptom comes from the description
//! and the reporter's messages, the solution from the answer; system and category are carried
//! over and the incident linked. Customer data is taken out before the draft exists.
use super::articles::{self, Source};
use super::Knowledge;
use crate::domain::accounts::CurrentUser;
use crate::domain::incident::workflow::Category;
use crate::domain::knowledge::redact::{redact, Known, Removal, RemovalKind};
use crate::domain::knowledge::{ArticleDraft, ArticleStatus, IncidentDraft, TITLE_CHARS};
use crate::domain::Code;
use crate::i18n::Locale;
use crate::server::infra::error::internal;
use crate::AppError;
use sqlx::PgPool;

/// The draft written from the incident (`true`), or the one already written from it (`false`).
/// One at a time per incident, across instances (a double click, two handlers): the second
/// waits for the first and opens its draft.
pub async fn from_incident(
    pool: &PgPool,
    knowledge: &Knowledge,
    author: &CurrentUser,
    incident_id: i64,
    locale: Locale,
) -> Result<(IncidentDraft, bool), AppError> {
    let mut lock = pool.acquire().await?;
    sqlx::query!(
        "SELECT pg_advisory_lock(hashtextextended('kb-draft:' || $1::text, 0))",
        incident_id.to_string()
    )
    .execute(&mut *lock)
    .await?;
    let outcome = draft_locked(pool, knowledge, author, incident_id, locale).await;
    let unlocked = sqlx::query_scalar!(
        "SELECT pg_advisory_unlock(hashtextextended('kb-draft:' || $1::text, 0))",
        incident_id.to_string()
    )
    .fetch_one(&mut *lock)
    .await;
    if unlocked.is_err() {
        // A session lock ends with its connection: never hand this one back holding it.
        lock.detach();
    }
    outcome
}

async fn draft_locked(
    pool: &PgPool,
    knowledge: &Knowledge,
    author: &CurrentUser,
    incident_id: i64,
    locale: Locale,
) -> Result<(IncidentDraft, bool), AppError> {
    let incident = sqlx::query!(
        r#"SELECT i.status, i.description, i.customer_name, i.customer_number, i.id_number,
                  i.phone, s.code AS system, c.code AS "category?", sc.code AS "subcategory?"
           FROM incidents i JOIN systems s ON s.id = i.system_id
           LEFT JOIN categories c ON c.id = i.category_id
           LEFT JOIN categories sc ON sc.id = i.subcategory_id
           WHERE i.id = $1"#,
        incident_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    if !matches!(incident.status.as_str(), "answered" | "closed") {
        return Err(AppError::NotNow);
    }
    // One draft per incident: a second click opens the first.
    let existing = sqlx::query_scalar!(
        "SELECT a.id FROM kb_article_incidents l JOIN kb_articles a ON a.id = l.article_id
         WHERE l.incident_id = $1 AND l.relation = 'source' AND a.deleted_at IS NULL
         ORDER BY a.id LIMIT 1",
        incident_id
    )
    .fetch_optional(pool)
    .await?;
    if let Some(id) = existing {
        let article = articles::load(pool, author, id, locale)
            .await?
            .ok_or(AppError::NotFound)?;
        let removed = article.redactions.clone();
        return Ok((IncidentDraft { article, removed }, false));
    }
    let entries = sqlx::query!(
        "SELECT e.kind, e.body FROM incident_events e JOIN incidents i ON i.id = e.incident_id
         WHERE e.incident_id = $1 AND e.body IS NOT NULL AND NOT e.internal
           AND ((e.kind = 'message' AND e.actor_id = i.reporter_id) OR e.kind = 'answered')
         ORDER BY e.id",
        incident_id
    )
    .fetch_all(pool)
    .await?;
    let known = Known {
        names: incident.customer_name.into_iter().collect(),
        numbers: [
            (RemovalKind::CustomerNumber, incident.customer_number),
            (RemovalKind::IdNumber, incident.id_number),
            (RemovalKind::Mobile, incident.phone),
        ]
        .into_iter()
        .filter_map(|(kind, n)| n.map(|n| (kind, n)))
        .collect(),
    };
    let mut removed: Vec<Removal> = Vec::new();
    let mut clean = |text: &str| {
        let (out, gone) = redact(text, &known);
        removed.extend(gone);
        out
    };
    let symptom = clean(incident.description.trim());
    let messages: Vec<String> = entries
        .iter()
        .filter(|e| e.kind == "message")
        .filter_map(|e| e.body.as_deref())
        .map(|b| clean(b.trim()))
        .collect();
    let answer = entries
        .iter()
        .rev()
        .find(|e| e.kind == "answered")
        .and_then(|e| e.body.as_deref())
        .map(|b| clean(b.trim()))
        .unwrap_or_default();
    let draft = ArticleDraft {
        title: title(&symptom),
        body: body(&symptom, &messages, &answer),
        system: Code::parse(&incident.system)
            .map_err(|_| internal("a system code that does not parse"))?,
        category: incident.category.as_deref().and_then(Category::from_name),
        subcategory: incident
            .subcategory
            .as_deref()
            .and_then(|c| Code::parse(c).ok()),
        tags: Vec::new(),
        status: ArticleStatus::Draft,
    };
    let id = articles::create(
        pool,
        knowledge,
        author,
        &draft,
        Some(Source {
            incident_id,
            removed: &removed,
        }),
    )
    .await?;
    let article = articles::load(pool, author, id, locale)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((IncidentDraft { article, removed }, true))
}

/// The symptom's first sentence, short enough for a title.
fn title(symptom: &str) -> String {
    let first = symptom
        .split(['\n', '。', '！', '？', '!', '?'])
        .map(str::trim)
        .find(|s| s.chars().count() >= TITLE_CHARS.0)
        .unwrap_or("待整理的问题");
    let max = 40.min(TITLE_CHARS.1);
    if first.chars().count() > max {
        let mut t: String = first.chars().take(max - 1).collect();
        t.push('…');
        t
    } else {
        first.to_owned()
    }
}

fn body(symptom: &str, messages: &[String], answer: &str) -> String {
    let mut out = format!("## 问题现象\n\n{symptom}\n");
    if !messages.is_empty() {
        out.push_str("\n补充说明：\n\n");
        for m in messages {
            out.push_str(&format!("- {}\n", m.replace('\n', " ")));
        }
    }
    out.push_str("\n## 解决方法\n\n");
    if answer.is_empty() {
        out.push_str("（请补充）\n");
    } else {
        out.push_str(answer);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_is_the_first_sentence_kept_short() {
        assert_eq!(title("客户无法登录App。提示密码错误"), "客户无法登录App");
        let long = "客".repeat(60);
        assert_eq!(title(&long).chars().count(), 40);
        assert_eq!(title("？"), "待整理的问题");
    }

    #[test]
    fn the_body_has_the_symptom_then_the_solution() {
        let b = body("登录失败", &["换了手机也不行".into()], "请重置密码");
        assert_eq!(
            b,
            "## 问题现象\n\n登录失败\n\n补充说明：\n\n- 换了手机也不行\n\n## 解决方法\n\n请重置密码\n"
        );
    }
}
