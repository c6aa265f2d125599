use crate::domain::accounts::{CurrentUser, DisplayName, Login, Role};
use crate::domain::{Field, Reason};
use crate::AppError;
use sqlx::PgExecutor;

/// An active account as sign-in needs it.
pub struct Credentials {
    pub user: CurrentUser,
    pub password_hash: String,
    /// Sessions remember it; disabling the account or resetting its password moves it on.
    pub session_generation: i32,
}

pub(super) fn to_user(
    id: i64,
    login: String,
    display_name: String,
    role: &str,
) -> Result<CurrentUser, AppError> {
    let role = Role::parse(role).map_err(|_| {
        crate::server::infra::error::internal(format!("user {id} has unknown role {role}"))
    })?;
    Ok(CurrentUser {
        id,
        login,
        display_name,
        role,
    })
}

/// The account of a session signed in under `generation`, while it is active and that
/// generation is still current.
pub async fn active_by_id(
    db: impl PgExecutor<'_>,
    id: i64,
    generation: i32,
) -> Result<Option<CurrentUser>, AppError> {
    let row = sqlx::query!(
        "SELECT id, login, display_name, role FROM users WHERE id = $1 AND disabled_at IS NULL AND session_generation = $2",
        id,
        generation
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| to_user(r.id, r.login, r.display_name, &r.role))
        .transpose()
}

pub async fn credentials(
    db: impl PgExecutor<'_>,
    login: &Login,
) -> Result<Option<Credentials>, AppError> {
    let row = sqlx::query!(
        "SELECT id, login, display_name, role, password_hash, session_generation FROM users
         WHERE lower(login) = $1 AND disabled_at IS NULL",
        login.as_str()
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Credentials {
            user: to_user(r.id, r.login, r.display_name, &r.role)?,
            password_hash: r.password_hash,
            session_generation: r.session_generation,
        })
    })
    .transpose()
}

/// The active account with this WeCom user id (sign-in through WeCom), without regard to case.
pub async fn by_wecom(
    db: impl PgExecutor<'_>,
    wecom_user_id: &str,
) -> Result<Option<(CurrentUser, i32)>, AppError> {
    let row = sqlx::query!(
        "SELECT id, login, display_name, role, session_generation FROM users
         WHERE lower(wecom_user_id) = lower($1) AND wecom_user_id IS NOT NULL AND disabled_at IS NULL",
        wecom_user_id
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok((
            to_user(r.id, r.login, r.display_name, &r.role)?,
            r.session_generation,
        ))
    })
    .transpose()
}

pub async fn id_by_login(db: impl PgExecutor<'_>, login: &Login) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar!(
        "SELECT id FROM users WHERE lower(login) = $1",
        login.as_str()
    )
    .fetch_optional(db)
    .await?)
}

/// Creates the account, or `Conflict` when the login is taken.
pub async fn insert(
    db: impl PgExecutor<'_>,
    login: &Login,
    name: &DisplayName,
    role: Role,
    password_hash: &str,
) -> Result<i64, AppError> {
    let result = sqlx::query_scalar!(
        "INSERT INTO users (login, display_name, role, password_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING id",
        login.as_str(),
        name.as_str(),
        role.as_str(),
        password_hash
    )
    .fetch_optional(db)
    .await?;
    result.ok_or(AppError::Conflict)
}

/// Sets (with `None`: clears) a user's WeCom user id, with its audit line. `Conflict`: another
/// account has it (WeCom ids are unique without regard to case).
pub async fn set_wecom(
    pool: &sqlx::PgPool,
    user_id: i64,
    wecom: Option<&crate::domain::admin::WecomUserId>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let changed = sqlx::query!(
        "UPDATE users SET wecom_user_id = $2, updated_at = now() WHERE id = $1",
        user_id,
        wecom.map(|w| w.as_str())
    )
    .execute(&mut *tx)
    .await;
    match changed {
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("users_wecom_user_id_key") => {
            return Err(AppError::Conflict)
        }
        other => other?,
    };
    crate::server::infra::audit::audit(&mut tx, None, None, "user.update", serde_json::json!({ "user": user_id, "wecom_user_id": wecom.map(|w| w.as_str()), "via": "cli" })).await?;
    tx.commit().await?;
    Ok(())
}

/// Makes a member a member of the group with `code` (again is harmless). False: no such group.
/// Anyone but a member is refused (`MembersOnly`): transfer groups are for members.
pub async fn join_group(
    db: impl PgExecutor<'_>,
    user_id: i64,
    code: &str,
) -> Result<bool, AppError> {
    let joined = sqlx::query!(
        "INSERT INTO group_members (group_id, user_id) SELECT id, $1 FROM groups WHERE code = $2
         ON CONFLICT (group_id, user_id) DO UPDATE SET updated_at = now()",
        user_id,
        code
    )
    .execute(db)
    .await;
    match joined {
        Ok(joined) => Ok(joined.rows_affected() > 0),
        Err(e)
            if e.as_database_error().and_then(|d| d.constraint())
                == Some("group_members_member_role") =>
        {
            Err(AppError::field(Field::Group, Reason::MembersOnly))
        }
        Err(e) => Err(e.into()),
    }
}
