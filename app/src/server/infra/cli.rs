//! What the `mss` operator subcommands do. Argument parsing lives in `src/main.rs`.
use crate::domain::accounts::{DisplayName, Login, NewPassword, Role};
use crate::domain::admin::WecomUserId;
use crate::error::reason_message;
use crate::i18n::Locale;
use crate::server::accounts::auth::hash_password;
use crate::server::infra::db;
use crate::server::Settings;
use crate::AppError;
use anyhow::{anyhow, bail, Context};
use sqlx::PgPool;

fn explain(what: &str, reason: crate::domain::Reason) -> anyhow::Error {
    anyhow!("{what}: {}", reason_message(reason, Locale::en))
}

fn fail(e: AppError) -> anyhow::Error {
    anyhow!("{}", e.message(Locale::en))
}

async fn pool(settings: &Settings) -> anyhow::Result<PgPool> {
    db::connect(settings)
        .await
        .context("could not connect to the database (DATABASE_URL)")
}

/// `mss migrate`
pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let pool = pool(settings).await?;
    db::migrate(&pool).await.context("a migration failed")?;
    println!("migrations applied");
    Ok(())
}

/// `mss user add --login L --name N --role R [--wecom-user ID]`, password from standard input.
pub async fn add_user(
    settings: &Settings,
    login: &str,
    name: &str,
    role: &str,
    password: &str,
    wecom: Option<&str>,
) -> anyhow::Result<i64> {
    let login = Login::parse(login).map_err(|r| explain("--login", r))?;
    let name = DisplayName::parse(name).map_err(|r| explain("--name", r))?;
    let role =
        Role::parse(role).map_err(|_| anyhow!("--role: use reporter, member, handler or admin"))?;
    let password = NewPassword::parse(password).map_err(|r| explain("password", r))?;
    let wecom = wecom.map(parse_wecom).transpose()?.flatten();
    let pool = pool(settings).await?;
    db::migrate(&pool).await.context("a migration failed")?;
    let hash = hash_password(password.expose().to_owned())
        .await
        .map_err(fail)?;
    let id = match crate::server::accounts::users::insert(&pool, &login, &name, role, &hash).await {
        Ok(id) => id,
        Err(AppError::Conflict) => bail!("the login {} is taken", login.as_str()),
        Err(e) => return Err(fail(e)),
    };
    if let Some(wecom) = wecom {
        store_wecom(&pool, id, Some(&wecom)).await?;
    }
    Ok(id)
}

/// `mss user wecom --login L --wecom-user ID` (or `--clear`).
pub async fn set_wecom(
    settings: &Settings,
    login: &str,
    wecom: Option<&str>,
) -> anyhow::Result<()> {
    let wecom = wecom.map(parse_wecom).transpose()?.flatten();
    let pool = pool(settings).await?;
    let user = user_id(&pool, login).await?;
    store_wecom(&pool, user, wecom.as_ref()).await
}

fn parse_wecom(raw: &str) -> anyhow::Result<Option<WecomUserId>> {
    WecomUserId::parse_optional(raw).map_err(|r| explain("--wecom-user", r))
}

async fn store_wecom(pool: &PgPool, user: i64, wecom: Option<&WecomUserId>) -> anyhow::Result<()> {
    match crate::server::accounts::users::set_wecom(pool, user, wecom).await {
        Ok(()) => Ok(()),
        Err(AppError::Conflict) => bail!(
            "another account already has the WeCom user id {}",
            wecom.map(|w| w.as_str()).unwrap_or_default()
        ),
        Err(e) => Err(fail(e)),
    }
}

/// `mss user join --login L --group G` (and `user add … --group G`).
pub async fn join_group(settings: &Settings, login: &str, group: &str) -> anyhow::Result<()> {
    let pool = pool(settings).await?;
    let user = user_id(&pool, login).await?;
    let joined = match crate::server::accounts::users::join_group(&pool, user, group.trim()).await {
        Err(AppError::Validation { .. }) => bail!(
            "{login} is not a member: only accounts with the role member belong to transfer groups"
        ),
        other => other.map_err(fail)?,
    };
    if joined {
        Ok(())
    } else {
        bail!("no group with code {group} (testing, development, operations, product, or one an admin added)")
    }
}

/// `mss token create --login L [--label X] [--expires-days N]`: returns the token, to print once.
pub async fn create_token(
    settings: &Settings,
    login: &str,
    label: &str,
    expires_days: Option<u32>,
) -> anyhow::Result<(i64, String)> {
    if expires_days == Some(0) {
        bail!("--expires-days must be at least 1");
    }
    let expires_at =
        expires_days.map(|days| chrono::Utc::now() + chrono::Duration::days(i64::from(days)));
    let pool = pool(settings).await?;
    let user = user_id(&pool, login).await?;
    let token = crate::server::accounts::tokens::create(&pool, user, label, expires_at)
        .await
        .map_err(fail)?;
    let mut conn = pool.acquire().await?;
    let detail = serde_json::json!({ "user": user, "token": token.id, "label": label, "expires_at": expires_at, "via": "cli" });
    crate::server::infra::audit::audit(&mut conn, None, None, "token.create", detail)
        .await
        .map_err(fail)?;
    Ok((token.id, token.token))
}

/// `mss token list --login L`
pub async fn list_tokens(
    settings: &Settings,
    login: &str,
) -> anyhow::Result<Vec<crate::domain::accounts::ApiToken>> {
    let pool = pool(settings).await?;
    let user = user_id(&pool, login).await?;
    crate::server::accounts::tokens::list(&pool, user)
        .await
        .map_err(fail)
}

/// `mss token revoke --id N`
pub async fn revoke_token(settings: &Settings, id: i64) -> anyhow::Result<()> {
    let pool = pool(settings).await?;
    if crate::server::accounts::tokens::revoke(&pool, id, None)
        .await
        .map_err(fail)?
    {
        let mut conn = pool.acquire().await?;
        crate::server::infra::audit::audit(
            &mut conn,
            None,
            None,
            "token.revoke",
            serde_json::json!({ "token": id, "via": "cli" }),
        )
        .await
        .map_err(fail)?;
        Ok(())
    } else {
        bail!("no live token with id {id}")
    }
}

async fn user_id(pool: &PgPool, login: &str) -> anyhow::Result<i64> {
    let login = Login::parse(login).map_err(|r| explain("--login", r))?;
    crate::server::accounts::users::id_by_login(pool, &login)
        .await
        .map_err(fail)?
        .ok_or_else(|| anyhow!("no user with login {}", login.as_str()))
}
