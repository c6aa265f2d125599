//! Demo accounts and incidents for a first look (`MSS_DEMO=true`). Created only when missing;
//! never turn this on in production: the passwords are in the README.
use crate::domain::accounts::{DisplayName, Login, Role};
use crate::domain::report::{ReportForm, ReportRules};
use crate::server::accounts::auth::hash_password;
use crate::AppError;
use sqlx::PgPool;
use uuid::Uuid;

pub const DEMO_PASSWORD: &str = "mss-demo-2026";

pub const ACCOUNTS: &[(&str, &str, Role)] = &[
    ("agent", "王小明", Role::Reporter),
    ("agent2", "李娜", Role::Reporter),
    ("handler", "陈静", Role::Handler),
    ("admin", "赵强", Role::Admin),
    ("ops", "孙伟", Role::Member),
    ("dev", "吴磊", Role::Member),
];

/// Which transfer group each demo member is in.
const MEMBERSHIPS: &[(&str, &str)] = &[("ops", "operations"), ("dev", "development")];

/// Reporter, customer, customer number, system, urgency, description.
const INCIDENTS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "agent",
        "张三",
        "310012345678",
        "account_opening",
        "normal",
        "客户在 App 开户第 3 步人脸识别，连续 3 次提示“检测超时”，换 4G 网络后仍然一样。",
    ),
    (
        "agent",
        "刘芳",
        "310087654321",
        "custody",
        "normal",
        "客户绑定三方存管时提示“银行卡信息不符”，客户确认卡号和预留手机号都正确。",
    ),
    (
        "agent2",
        "周杰",
        "320011112222",
        "trading",
        "urgent",
        "客户上午 10:05 委托买入 600000，显示已报但一直未成交，价格已高于委托价。",
    ),
];

pub async fn seed(pool: &PgPool) -> anyhow::Result<()> {
    for (login, name, role) in ACCOUNTS {
        let login = Login::parse(login).map_err(|r| anyhow::anyhow!("demo login: {r:?}"))?;
        if crate::server::accounts::users::id_by_login(pool, &login)
            .await
            .map_err(demo_error)?
            .is_some()
        {
            continue;
        }
        let name = DisplayName::parse(name).map_err(|r| anyhow::anyhow!("demo name: {r:?}"))?;
        let hash = hash_password(DEMO_PASSWORD.to_owned())
            .await
            .map_err(demo_error)?;
        match crate::server::accounts::users::insert(pool, &login, &name, *role, &hash).await {
            Ok(_) | Err(AppError::Conflict) => {}
            Err(e) => return Err(demo_error(e)),
        }
    }
    for (login, group) in MEMBERSHIPS {
        let login = Login::parse(login).map_err(|r| anyhow::anyhow!("demo login: {r:?}"))?;
        if let Some(id) = crate::server::accounts::users::id_by_login(pool, &login)
            .await
            .map_err(demo_error)?
        {
            crate::server::accounts::users::join_group(pool, id, group)
                .await
                .map_err(demo_error)?;
        }
    }
    for (i, (login, customer, number, system, urgency, description)) in INCIDENTS.iter().enumerate()
    {
        let login = Login::parse(login).map_err(|r| anyhow::anyhow!("demo login: {r:?}"))?;
        let Some(reporter) = crate::server::accounts::users::id_by_login(pool, &login)
            .await
            .map_err(demo_error)?
        else {
            continue;
        };
        let form = ReportForm {
            customer_name: (*customer).into(),
            customer_no: (*number).into(),
            system: (*system).into(),
            urgency: (*urgency).into(),
            description: (*description).into(),
            // Fixed keys: seeding twice finds the incidents it made the first time.
            idempotency_key: Uuid::from_u128(0xd3_0000 + i as u128).to_string(),
            ..ReportForm::default()
        };
        let new = form
            .parse(&ReportRules::default(), chrono::Utc::now())
            .map_err(|e| anyhow::anyhow!("demo incident: {e:?}"))?;
        crate::server::report::filing::create(
            pool,
            reporter,
            &new,
            &[],
            &crate::server::report::service::fingerprint(&form, &[]),
        )
        .await
        .map_err(demo_error)?;
    }
    tracing::info!("demo accounts and incidents are in place");
    Ok(())
}

/// The help center's demo articles: the relevance bench's 160 brokerage and insurance articles
/// (`bench/kb-relevance/articles.jsonl`), published by the demo handler, once.
pub async fn seed_articles(state: &crate::server::AppState) -> anyhow::Result<()> {
    use crate::domain::incident::workflow::Tags;
    use crate::domain::knowledge::ArticleInput;
    use crate::server::knowledge::search::relevance::JudgedArticle;
    let pool = &state.pool;
    let any: Option<i64> = sqlx::query_scalar!("SELECT id FROM kb_articles LIMIT 1")
        .fetch_optional(pool)
        .await?;
    let login = Login::parse("handler").map_err(|r| anyhow::anyhow!("demo login: {r:?}"))?;
    let author = crate::server::accounts::users::id_by_login(pool, &login)
        .await
        .map_err(demo_error)?;
    let (None, Some(author)) = (any, author) else {
        return Ok(());
    };
    let author = crate::domain::accounts::CurrentUser {
        id: author,
        login: "handler".into(),
        display_name: "陈静".into(),
        role: Role::Handler,
    };
    let mut written = 0;
    for line in include_str!("../../../../bench/kb-relevance/articles.jsonl").lines() {
        let Ok(a) = serde_json::from_str::<JudgedArticle>(line) else {
            continue;
        };
        let input = ArticleInput {
            title: a.title,
            body: a.body,
            system: a.system,
            category: Some(a.category),
            subcategory: a.subcategory,
            tags: Some(Tags::List(a.tags)),
            status: Some("published".into()),
            version: None,
        };
        let Ok(draft) = input.parse() else {
            continue;
        };
        crate::server::knowledge::articles::create(pool, &state.knowledge, &author, &draft, None)
            .await
            .map_err(demo_error)?;
        written += 1;
    }
    tracing::info!(articles = written, "demo articles are in place");
    Ok(())
}

fn demo_error(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("seeding the demo failed: {e}")
}
