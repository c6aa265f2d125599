//! What the desk's forms pick from: categories, groups, systems, handlers, canned replies.
use crate::AppError;
use sqlx::PgPool;

/// The lists the desk's forms pick from, named in `locale`.
pub async fn options(
    pool: &PgPool,
    locale: crate::i18n::Locale,
) -> Result<crate::domain::incident::workflow::DeskOptions, AppError> {
    use crate::domain::incident::views::Named;
    use crate::domain::incident::workflow::{CannedReply, CategoryOption, DeskOptions};
    let pick = |zh: String, en: String| crate::server::infra::locale::pick(locale, zh, en);
    let cats = sqlx::query!(
        r#"SELECT c.code, c.name_zh, c.name_en, p.code AS "parent?"
           FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
           WHERE c.active ORDER BY c.parent_id NULLS FIRST, c.position, c.id"#
    )
    .fetch_all(pool)
    .await?;
    let mut categories: Vec<CategoryOption> = Vec::new();
    for c in cats {
        let named = Named {
            code: c.code,
            name: pick(c.name_zh, c.name_en),
        };
        match c.parent {
            None => categories.push(CategoryOption {
                category: named,
                subcategories: Vec::new(),
            }),
            Some(parent) => {
                if let Some(top) = categories.iter_mut().find(|t| t.category.code == parent) {
                    top.subcategories.push(named);
                }
            }
        }
    }
    let groups = sqlx::query!(
        "SELECT code, name_zh, name_en FROM groups WHERE active ORDER BY position, id"
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|g| Named {
        code: g.code,
        name: pick(g.name_zh, g.name_en),
    })
    .collect();
    // The same list the report form offers.
    let systems = crate::server::report::filing::systems(pool, locale)
        .await?
        .into_iter()
        .map(|s| Named {
            code: s.code,
            name: s.name,
        })
        .collect();
    let handlers = handlers(pool).await?;
    let canned = sqlx::query!(
        "SELECT id, title, body FROM canned_replies WHERE active ORDER BY position, id"
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|c| CannedReply {
        id: c.id,
        title: c.title,
        body: c.body,
    })
    .collect();
    Ok(DeskOptions {
        categories,
        groups,
        systems,
        handlers,
        canned,
    })
}

/// Who an incident can be assigned to: active handlers and admins (login, name).
pub async fn handlers(
    pool: &PgPool,
) -> Result<Vec<crate::domain::incident::views::Named>, AppError> {
    let rows = sqlx::query!(
        "SELECT login, display_name FROM users WHERE role IN ('handler', 'admin') AND disabled_at IS NULL ORDER BY display_name COLLATE zh_pinyin, login"
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|u| crate::domain::incident::views::Named {
            code: u.login,
            name: u.display_name,
        })
        .collect())
}

/// A canned reply filled in for one incident (a form without JavaScript picks one by id).
pub async fn canned_for(
    pool: &PgPool,
    canned_id: i64,
    incident_id: i64,
) -> Result<Option<String>, AppError> {
    let row = sqlx::query!(
        "SELECT c.id, c.title, c.body, i.customer_name, i.number FROM canned_replies c, incidents i
         WHERE c.id = $1 AND c.active AND i.id = $2",
        canned_id,
        incident_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| {
        let canned = crate::domain::incident::workflow::CannedReply {
            id: r.id,
            title: r.title,
            body: r.body,
        };
        canned.fill(r.customer_name.as_deref().unwrap_or_default(), &r.number)
    }))
}
