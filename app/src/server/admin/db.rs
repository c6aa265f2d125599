//! What admins change: accounts, lists, canned replies, service-level targets; and their search
//! of the audit trail. Every change commits with its line in the audit trail.
use crate::domain::accounts::{CurrentUser, Login, Role};
use crate::domain::admin::{
    AuditFilter, AuditRow, CannedChange, CannedRow, ListEntry, ListEntryChange, ListKind, SlaRow,
    UserChange, UserRow,
};
use crate::domain::incident::views::Page;
use crate::domain::incident::workflow::{Category, Priority};
use crate::domain::{Field, Reason};
use crate::server::infra::audit::audit;
use crate::AppError;
use serde_json::json;
use sqlx::{PgConnection, PgPool};

/// A unique index refused the row: which field's value is taken.
fn taken(e: sqlx::Error) -> AppError {
    let field = e
        .as_database_error()
        .and_then(|d| d.constraint())
        .and_then(|c| match c {
            "users_login_key" => Some(Field::Login),
            "users_wecom_user_id_key" => Some(Field::WecomUserId),
            "systems_code_key" | "groups_code_key" | "categories_code_key" => Some(Field::Code),
            _ => None,
        });
    if e.as_database_error().and_then(|d| d.constraint()) == Some("group_members_member_role") {
        return AppError::field(Field::Group, Reason::MembersOnly);
    }
    match field {
        Some(field) => AppError::field(field, Reason::Taken),
        None => e.into(),
    }
}

const USER_COLUMNS: &str = "u.id, u.login, u.display_name, u.role, u.wecom_user_id, u.on_duty, u.disabled_at, u.created_at,
    ARRAY(SELECT g.code FROM group_members gm JOIN groups g ON g.id = gm.group_id
          WHERE gm.user_id = u.id ORDER BY g.position, g.id) AS groups";

fn user_row(row: sqlx::postgres::PgRow) -> Result<UserRow, AppError> {
    use sqlx::Row;
    let role: String = row.try_get("role")?;
    Ok(UserRow {
        login: row.try_get("login")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role)
            .map_err(|_| crate::server::infra::error::internal(format!("unknown role {role}")))?,
        wecom_user_id: row.try_get("wecom_user_id")?,
        groups: row.try_get("groups")?,
        on_duty: row.try_get("on_duty")?,
        disabled_at: row.try_get("disabled_at")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Accounts whose login, name or WeCom id contains `search` (all when empty): active ones first,
/// then by name. At most 500; a search narrows it.
pub async fn users(pool: &PgPool, search: &str) -> Result<Vec<UserRow>, AppError> {
    let pattern = format!(
        "%{}%",
        search
            .trim()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users u
         WHERE $1 = '%%' OR u.login ILIKE $1 OR u.display_name ILIKE $1 OR u.wecom_user_id ILIKE $1
         ORDER BY u.disabled_at IS NOT NULL, u.display_name COLLATE zh_pinyin, u.login LIMIT 500"
    );
    let rows = sqlx::query(&sql).bind(pattern).fetch_all(pool).await?;
    rows.into_iter().map(user_row).collect()
}

/// One account by login, with its id (for what hangs off it, its tokens).
pub async fn user(pool: &PgPool, login: &Login) -> Result<Option<(i64, UserRow)>, AppError> {
    use sqlx::Row;
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE lower(u.login) = $1");
    let Some(row) = sqlx::query(&sql)
        .bind(login.as_str())
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let id: i64 = row.try_get("id")?;
    Ok(Some((id, user_row(row)?)))
}

/// Replaces the account's groups with `change.groups`; an unknown code is the form's mistake.
async fn set_groups(
    conn: &mut PgConnection,
    user_id: i64,
    change: &UserChange,
) -> Result<(), AppError> {
    let codes: Vec<String> = change
        .groups
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    let known = sqlx::query_scalar!(
        "SELECT count(*) AS \"n!\" FROM groups WHERE code = ANY($1)",
        &codes
    )
    .fetch_one(&mut *conn)
    .await?;
    if known != codes.len() as i64 {
        return Err(AppError::field(Field::Group, Reason::UnknownValue));
    }
    sqlx::query!(
        "DELETE FROM group_members WHERE user_id = $1 AND group_id NOT IN (SELECT id FROM groups WHERE code = ANY($2))",
        user_id,
        &codes
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO group_members (group_id, user_id) SELECT id, $1 FROM groups WHERE code = ANY($2)
         ON CONFLICT (group_id, user_id) DO NOTHING",
        user_id,
        &codes
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn described(change: &UserChange) -> serde_json::Value {
    json!({
        "login": change.login.as_str(),
        "display_name": change.display_name.as_str(),
        "role": change.role.as_str(),
        "wecom_user_id": change.wecom_user_id.as_ref().map(|w| w.as_str()),
        "groups": change.groups.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
        "on_duty": change.on_duty,
    })
}

/// A new account (the password already hashed).
pub async fn create_user(
    pool: &PgPool,
    admin: &CurrentUser,
    change: &UserChange,
    password_hash: &str,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO users (login, display_name, role, password_hash, wecom_user_id, on_duty) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        change.login.as_str(),
        change.display_name.as_str(),
        change.role.as_str(),
        password_hash,
        change.wecom_user_id.as_ref().map(|w| w.as_str()),
        change.on_duty
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(taken)?;
    set_groups(&mut tx, id, change).await?;
    audit(
        &mut tx,
        None,
        Some(admin.id),
        "user.create",
        described(change),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The account `login`'s id, its row locked until `tx` ends (a change to it is checked against
/// what it is now, not what it was a moment ago).
async fn locked_id(tx: &mut PgConnection, login: &Login) -> Result<i64, AppError> {
    sqlx::query_scalar!(
        "SELECT id FROM users WHERE lower(login) = $1 FOR UPDATE",
        login.as_str()
    )
    .fetch_optional(tx)
    .await?
    .ok_or(AppError::NotFound)
}

/// Changes an account's name, role, WeCom id and groups. An admin cannot take away their own
/// admin role (someone must be left to manage accounts).
pub async fn update_user(
    pool: &PgPool,
    admin: &CurrentUser,
    change: &UserChange,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let id = locked_id(&mut tx, &change.login).await?;
    if id == admin.id && change.role != Role::Admin {
        return Err(AppError::field(Field::Role, Reason::OwnAccount));
    }
    sqlx::query!(
        "UPDATE users SET display_name = $2, role = $3, wecom_user_id = $4, on_duty = $5, updated_at = now() WHERE id = $1",
        id,
        change.display_name.as_str(),
        change.role.as_str(),
        change.wecom_user_id.as_ref().map(|w| w.as_str()),
        change.on_duty
    )
    .execute(&mut *tx)
    .await
    .map_err(taken)?;
    set_groups(&mut tx, id, change).await?;
    audit(
        &mut tx,
        None,
        Some(admin.id),
        "user.update",
        described(change),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Disables (ending every session at once) or enables an account. Not one's own.
pub async fn set_disabled(
    pool: &PgPool,
    admin: &CurrentUser,
    login: &Login,
    disabled: bool,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let id = locked_id(&mut tx, login).await?;
    if id == admin.id {
        return Err(AppError::field(Field::Login, Reason::OwnAccount));
    }
    sqlx::query!(
        "UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END,
                          session_generation = session_generation + CASE WHEN $2 THEN 1 ELSE 0 END,
                          updated_at = now()
         WHERE id = $1",
        id,
        disabled
    )
    .execute(&mut *tx)
    .await?;
    if disabled {
        // Its browsers are no longer ones it is known to sign in from.
        sqlx::query!("DELETE FROM known_devices WHERE user_id = $1", id)
            .execute(&mut *tx)
            .await?;
    }
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    audit(
        &mut tx,
        None,
        Some(admin.id),
        action,
        json!({ "login": login.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password (hashed) and ends the account's sessions.
pub async fn reset_password(
    pool: &PgPool,
    admin: &CurrentUser,
    login: &Login,
    password_hash: &str,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        "UPDATE users SET password_hash = $2, session_generation = session_generation + 1, updated_at = now()
         WHERE lower(login) = $1 RETURNING id",
        login.as_str(),
        password_hash
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    // Whoever was locked out by failed attempts may try the new password at once; the browsers it
    // was known on start again (the password may have been reset because one was lost).
    sqlx::query!(
        "DELETE FROM sign_in_failures WHERE login = $1",
        login.as_str()
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM known_devices WHERE user_id = $1", id)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        None,
        Some(admin.id),
        "user.password",
        json!({ "login": login.as_str(), "user_id": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Revokes token `token` of the account `login` (another account's token is "not found").
pub async fn revoke_token(
    pool: &PgPool,
    admin: &CurrentUser,
    login: &Login,
    token: i64,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let user = crate::server::accounts::users::id_by_login(&mut *tx, login)
        .await?
        .ok_or(AppError::NotFound)?;
    if !crate::server::accounts::tokens::revoke(&mut *tx, token, Some(user)).await? {
        return Err(AppError::NotFound);
    }
    audit(
        &mut tx,
        None,
        Some(admin.id),
        "token.revoke",
        json!({ "login": login.as_str(), "user_id": user, "token": token }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The table behind each list. A fixed set: never built from input.
fn table(kind: ListKind) -> &'static str {
    match kind {
        ListKind::System => "systems",
        ListKind::Group => "groups",
        ListKind::Category => "categories",
    }
}

/// Every entry of every list, retired ones too, in the order the forms show them.
pub async fn lists(pool: &PgPool) -> Result<Vec<ListEntry>, AppError> {
    let rows = sqlx::query!(
        // Sub-categories right under their category: sorted by the category's place first.
        r#"SELECT 'system' AS "kind!", id AS "id!", code AS "code!", name_zh AS "name_zh!", name_en AS "name_en!",
                  position AS "position!", active AS "active!", NULL::text AS parent, position AS top_position, id AS top_id
           FROM systems
           UNION ALL SELECT 'group', id, code, name_zh, name_en, position, active, NULL, position, id FROM groups
           UNION ALL SELECT 'category', c.id, c.code, c.name_zh, c.name_en, c.position, c.active, p.code,
                            coalesce(p.position, c.position), coalesce(p.id, c.id)
                     FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
           ORDER BY 1, 9, 10, 8 NULLS FIRST, 6, 2"#
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let bad = || {
                crate::server::infra::error::internal(format!(
                    "list entry {} of kind {}",
                    r.id, r.kind
                ))
            };
            Ok(ListEntry {
                id: r.id,
                kind: ListKind::parse(&r.kind).map_err(|_| bad())?,
                code: r.code,
                name_zh: r.name_zh,
                name_en: r.name_en,
                position: r.position,
                active: r.active,
                parent: r
                    .parent
                    .as_deref()
                    .map(Category::parse)
                    .transpose()
                    .map_err(|_| bad())?,
            })
        })
        .collect()
}

/// Adds an entry or changes one. The three categories themselves stay in use.
pub async fn save_list_entry(
    pool: &PgPool,
    admin: &CurrentUser,
    change: &ListEntryChange,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let detail = match change {
        ListEntryChange::New {
            kind,
            code,
            parent,
            names,
        } => {
            let sql = format!(
                "INSERT INTO {} (code, name_zh, name_en, position{}) VALUES ($1, $2, $3, $4{})",
                table(*kind),
                if parent.is_some() { ", parent_id" } else { "" },
                if parent.is_some() {
                    ", (SELECT id FROM categories WHERE code = $5 AND parent_id IS NULL)"
                } else {
                    ""
                },
            );
            let mut q = sqlx::query(&sql)
                .bind(code.as_str())
                .bind(&names.name_zh)
                .bind(&names.name_en)
                .bind(names.position);
            if let Some(parent) = parent {
                q = q.bind(parent.as_str());
            }
            q.execute(&mut *tx).await.map_err(taken)?;
            json!({ "kind": kind.as_str(), "code": code.as_str(), "parent": parent.map(|p| p.as_str()),
                    "name_zh": names.name_zh, "name_en": names.name_en, "position": names.position, "active": true })
        }
        ListEntryChange::Edit {
            kind,
            id,
            names,
            active,
        } => {
            let sql = format!(
                "UPDATE {} SET name_zh = $2, name_en = $3, position = $4, active = $5{}, updated_at = now()
                 WHERE id = $1 RETURNING code",
                table(*kind),
                // The categories themselves are the domain's: always in use.
                if *kind == ListKind::Category { " OR parent_id IS NULL" } else { "" },
            );
            let code: Option<String> = sqlx::query_scalar(&sql)
                .bind(id)
                .bind(&names.name_zh)
                .bind(&names.name_en)
                .bind(names.position)
                .bind(active)
                .fetch_optional(&mut *tx)
                .await?;
            let code = code.ok_or(AppError::NotFound)?;
            json!({ "kind": kind.as_str(), "code": code, "name_zh": names.name_zh, "name_en": names.name_en,
                    "position": names.position, "active": active })
        }
    };
    audit(&mut tx, None, Some(admin.id), "list.save", detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Every canned reply, retired ones too.
pub async fn canned(pool: &PgPool) -> Result<Vec<CannedRow>, AppError> {
    let rows = sqlx::query_as!(
        CannedRow,
        "SELECT id, title, body, position, active FROM canned_replies ORDER BY position, id"
    )
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

pub async fn save_canned(
    pool: &PgPool,
    admin: &CurrentUser,
    change: &CannedChange,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let id = match change.id {
        None => sqlx::query_scalar!(
            "INSERT INTO canned_replies (title, body, position) VALUES ($1, $2, $3) RETURNING id",
            change.title,
            change.body,
            change.position
        )
        .fetch_one(&mut *tx)
        .await?,
        Some(id) => sqlx::query_scalar!(
            "UPDATE canned_replies SET title = $2, body = $3, position = $4, active = $5, updated_at = now()
             WHERE id = $1 RETURNING id",
            id,
            change.title,
            change.body,
            change.position,
            change.active
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?,
    };
    audit(
        &mut tx,
        None,
        Some(admin.id),
        "canned.save",
        json!({ "id": id, "title": change.title, "body": change.body,
        "position": change.position, "active": change.active }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn sla_targets(pool: &PgPool) -> Result<Vec<SlaRow>, AppError> {
    let rows = sqlx::query!("SELECT priority, first_response_minutes, resolution_minutes FROM sla_targets ORDER BY priority")
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(SlaRow {
                priority: Priority::parse(&r.priority).map_err(|_| {
                    crate::server::infra::error::internal(format!("priority {}", r.priority))
                })?,
                first_response_minutes: r.first_response_minutes,
                resolution_minutes: r.resolution_minutes,
            })
        })
        .collect()
}

/// New targets for one priority: they apply to incidents given that priority from now on.
pub async fn save_sla(pool: &PgPool, admin: &CurrentUser, row: &SlaRow) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE sla_targets SET first_response_minutes = $2, resolution_minutes = $3, updated_at = now() WHERE priority = $1",
        row.priority.as_str(),
        row.first_response_minutes,
        row.resolution_minutes
    )
    .execute(&mut *tx)
    .await?;
    audit(&mut tx, None, Some(admin.id), "sla.save", json!({ "priority": row.priority.as_str(),
        "first_response_minutes": row.first_response_minutes, "resolution_minutes": row.resolution_minutes })).await?;
    tx.commit().await?;
    Ok(())
}

pub const AUDIT_PAGE: i64 = 50;

/// The audit trail, newest first, narrowed by `filter`; one page after its cursor.
pub async fn audit_search(pool: &PgPool, filter: &AuditFilter) -> Result<Page<AuditRow>, AppError> {
    use sqlx::{QueryBuilder, Row};
    let mut q = QueryBuilder::<sqlx::Postgres>::new(
        "SELECT a.id, a.created_at, u.display_name, u.login, a.action, i.number, a.detail::text AS detail
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN incidents i ON i.id = a.incident_id
         WHERE true",
    );
    if let Some(number) = &filter.incident {
        q.push(" AND a.incident_id = (SELECT id FROM incidents WHERE number = ")
            .push_bind(number.as_str().to_owned())
            .push(")");
    }
    if let Some(actor) = &filter.actor {
        q.push(" AND a.actor_id = (SELECT id FROM users WHERE lower(login) = ")
            .push_bind(actor.as_str().to_owned())
            .push(")");
    }
    if let Some(action) = &filter.action {
        q.push(" AND a.action = ").push_bind(action.clone());
    }
    if let Some(from) = filter.from {
        q.push(" AND a.created_at >= ").push_bind(from);
    }
    if let Some(to) = filter.to {
        q.push(" AND a.created_at < ").push_bind(to);
    }
    if let Some(before) = filter.before_id {
        q.push(" AND a.id < ").push_bind(before);
    }
    q.push(" ORDER BY a.id DESC LIMIT ")
        .push_bind(AUDIT_PAGE + 1);
    let rows = q.build().fetch_all(pool).await?;
    let mut items = rows
        .into_iter()
        .map(|r| {
            let name: Option<String> = r.try_get("display_name")?;
            let login: Option<String> = r.try_get("login")?;
            Ok(AuditRow {
                id: r.try_get("id")?,
                at: r.try_get("created_at")?,
                actor: name.zip(login).map(|(n, l)| format!("{n} ({l})")),
                action: r.try_get("action")?,
                incident: r.try_get("number")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let next_cursor = if items.len() as i64 > AUDIT_PAGE {
        items.truncate(AUDIT_PAGE as usize);
        items.last().map(|r| r.id.to_string())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}
