//! The knowledge base through the REST API: revisions and rollback, stale saves, permissions,
//! drafts from solved incidents without customer data, safe HTML and flow charts, and the
//! search (traditional characters, typos, words inside words, synonyms) on one instance and
//! across two.
use crate::common::{eventually, json, TestApp};
use app::domain::accounts::Role;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

async fn write(app: &TestApp, client: &Client, article: Value) -> Value {
    let res = client
        .post(app.url("/api/v1/kb/articles"))
        .json(&article)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{article}: {}",
        res.text().await.unwrap_or_default()
    );
    json(res).await
}

async fn put(app: &TestApp, client: &Client, id: i64, article: Value) -> reqwest::Response {
    client
        .put(app.url(&format!("/api/v1/kb/articles/{id}")))
        .json(&article)
        .send()
        .await
        .unwrap()
}

async fn search(app: &TestApp, client: &Client, q: &str) -> Vec<String> {
    let res = client
        .get(app.url("/api/v1/kb/search"))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{q}");
    json(res).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn audit_actions(app: &TestApp, article: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log WHERE article_id = $1 ORDER BY id")
        .bind(article)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = false)]
async fn every_save_is_a_revision_and_any_can_be_restored(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let first = "1. 打开 App\n2. 进入「我的」→「融资融券」\n3. 点击「开通」";
    let a = write(
        &app,
        &people.handler,
        json!({"title": "两融开通步骤", "body": first, "system": "trading",
               "category": "consultation", "subcategory": "consultation_howto", "tags": "两融，开通"}),
    )
    .await;
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["version"], 1);
    assert_eq!(a["status"], "draft");
    assert_eq!(a["tags"], json!(["两融", "开通"]));
    assert!(
        a["html"].as_str().unwrap().contains("<ol>"),
        "{}",
        a["html"]
    );

    // Two editors start from version 1; the first saves, the second is refused with the diff.
    let second = format!("{first}\n4. 完成风险测评");
    let res = put(&app, &people.handler, id, json!({"title": "两融开通步骤", "body": second, "system": "trading", "category": "consultation", "subcategory": "consultation_howto", "tags": ["两融", "开通"], "version": 1})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json(res).await["version"], 2);
    let res = put(
        &app,
        &people.handler,
        id,
        json!({"title": "两融开通流程", "body": first, "system": "trading", "version": 1}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let stale = json(res).await;
    assert_eq!(stale["error"]["code"], "conflict");
    assert_eq!(stale["current"]["version"], 2);
    let deleted: String = stale["diff"]["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["op"] == "delete")
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        deleted, "\n4. 完成风险测评",
        "saving theirs would drop the other edit"
    );
    assert!(stale["diff"]["title"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["op"] == "insert" && p["text"] == "流程"));

    // A save without `version` is refused, not applied.
    let res = put(
        &app,
        &people.handler,
        id,
        json!({"title": "x两融", "body": "y", "system": "trading"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // History, comparison, rollback.
    let history = json(
        people
            .handler
            .get(app.url(&format!("/api/v1/kb/articles/{id}/revisions")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(history["items"].as_array().unwrap().len(), 2);
    assert_eq!(history["items"][0]["number"], 2);
    assert_eq!(history["items"][0]["editor"], "陈静");
    let cmp = json(
        people
            .handler
            .get(app.url(&format!("/api/v1/kb/articles/{id}/compare?from=1&to=2")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(cmp["body"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["op"] == "insert" && p["text"] == "\n4. 完成风险测评"));
    let res = people
        .handler
        .post(app.url(&format!("/api/v1/kb/articles/{id}/revisions/1/restore")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let restored = json(res).await;
    assert_eq!(restored["version"], 3);
    assert_eq!(restored["body"], first);
    let history = json(
        people
            .handler
            .get(app.url(&format!("/api/v1/kb/articles/{id}/revisions")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(history["items"][0]["restored_from"], 1);
    assert_eq!(
        history["items"].as_array().unwrap().len(),
        3,
        "nothing lost"
    );
    // Revisions cannot be changed, even from the database.
    let refused = sqlx::query("UPDATE kb_revisions SET body = 'x' WHERE article_id = $1")
        .bind(id)
        .execute(&app.pool)
        .await;
    assert!(refused.is_err());

    // Publish, unpublish, archive, delete: each in the audit trail.
    for status in ["published", "draft", "archived"] {
        let res = put(&app, &people.handler, id, json!({"title": "两融开通步骤", "body": first, "system": "trading", "category": "consultation", "subcategory": "consultation_howto", "tags": ["两融", "开通"], "status": status, "version": 3})).await;
        assert_eq!(res.status(), StatusCode::OK, "{status}");
        assert_eq!(
            json(res).await["version"],
            3,
            "a status change alone is no new revision"
        );
    }
    let res = people
        .handler
        .delete(app.url(&format!("/api/v1/kb/articles/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = people
        .handler
        .get(app.url(&format!("/api/v1/kb/articles/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        audit_actions(&app, id).await,
        [
            "kb.created",
            "kb.revised",
            "kb.rolled_back",
            "kb.published",
            "kb.unpublished",
            "kb.archived",
            "kb.deleted"
        ]
    );
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM kb_revisions WHERE article_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(kept, 3, "a deleted article keeps its revisions");
}

#[sqlx::test(migrations = false)]
async fn readers_see_published_articles_only_and_never_write(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let member = app.member("ops", "operations").await;
    let draft = write(
        &app,
        &people.handler,
        json!({"title": "内部草稿：冻结排查", "body": "冻结排查步骤", "system": "account"}),
    )
    .await;
    let published = write(&app, &people.handler, json!({"title": "账户冻结怎么办", "body": "冻结后请联系营业部", "system": "account", "status": "published"})).await;
    for (who, client) in [("a reporter", &people.agent), ("a member", &member)] {
        let res = client
            .get(app.url(&format!("/api/v1/kb/articles/{}", draft["id"])))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{who}");
        let res = client
            .get(app.url(&format!("/api/v1/kb/articles/{}", published["id"])))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{who}");
        let body = json(res).await;
        assert_eq!(body["incidents"], json!([]), "{who}");
        assert_eq!(
            search(&app, client, "冻结").await,
            ["账户冻结怎么办"],
            "{who}"
        );
        let res = client
            .post(app.url("/api/v1/kb/articles"))
            .json(&json!({"title": "我也写", "body": "x", "system": "account"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who}");
        let res = put(
            &app,
            client,
            published["id"].as_i64().unwrap(),
            json!({"title": "改", "body": "x", "system": "account", "version": 1}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who}");
    }
    let mut team = search(&app, &people.handler, "冻结").await;
    team.sort();
    assert_eq!(team, ["内部草稿：冻结排查", "账户冻结怎么办"]);
    // Bad input is told, field by field.
    let res = people
        .handler
        .post(app.url("/api/v1/kb/articles"))
        .header("accept-language", "zh-CN")
        .json(&json!({"title": "", "body": "x", "system": "nowhere", "subcategory": "data_wrong", "category": "consultation"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = json(res).await["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["title"]);
    let res = people
        .handler
        .post(app.url("/api/v1/kb/articles"))
        .json(&json!({"title": "标题", "body": "x", "system": "nowhere", "subcategory": "data_wrong", "category": "consultation"}))
        .send()
        .await
        .unwrap();
    let fields: Vec<String> = json(res).await["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["system", "subcategory"]);
    let res = people
        .agent
        .get(app.url("/api/v1/kb/search?q=%20&limit=500"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrations = false)]
async fn search_finds_what_people_type(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    for (title, body, system) in [
        (
            "融资融券开通条件",
            "开通信用账户需要资产满 50 万、交易经验满半年，并完成风险测评。",
            "trading",
        ),
        (
            "三方存管银行变更",
            "变更存管银行前请先把资金转回银行卡，再到营业部办理。",
            "custody",
        ),
        (
            "待处理委托如何撤单",
            "委托状态为待处理时，可在当日委托中撤单。",
            "trading",
        ),
        (
            "开户人脸识别失败",
            "光线不足或佩戴眼镜时人脸识别容易失败，请到明亮处重试。",
            "account_opening",
        ),
        (
            "App 在 iOS 17 上闪退",
            "升级到最新版本后重新安装即可，iOS17 旧版本存在兼容问题。",
            "app",
        ),
    ] {
        write(
            &app,
            &people.handler,
            json!({"title": title, "body": body, "system": system, "status": "published"}),
        )
        .await;
    }
    let agent = &people.agent;
    let top = |titles: Vec<String>| titles.into_iter().next().unwrap_or_default();
    assert_eq!(
        top(search(&app, agent, "两融").await),
        "融资融券开通条件",
        "synonym"
    );
    assert_eq!(
        top(search(&app, agent, "三方存官").await),
        "三方存管银行变更",
        "homophone typo"
    );
    assert_eq!(
        top(search(&app, agent, "開戶 人臉識別").await),
        "开户人脸识别失败",
        "traditional"
    );
    assert_eq!(
        top(search(&app, agent, "处理").await),
        "待处理委托如何撤单",
        "a word inside a word"
    );
    assert_eq!(
        top(search(&app, agent, "APP闪退 iOS17").await),
        "App 在 iOS 17 上闪退",
        "mixed"
    );
    assert_eq!(
        top(search(&app, agent, "ＡＰＰ　闪退").await),
        "App 在 iOS 17 上闪退",
        "full-width"
    );
    // Filters and highlights.
    let res = agent
        .get(app.url("/api/v1/kb/search?q=银行 资金 开通&system=custody"))
        .send()
        .await
        .unwrap();
    let items = json(res).await["items"].as_array().unwrap().clone();
    assert!(
        !items.is_empty() && items.iter().all(|i| i["system"] == "custody"),
        "{items:?}"
    );
    let res = agent
        .get(app.url("/api/v1/kb/search?q=人脸识别&limit=1"))
        .send()
        .await
        .unwrap();
    let hit = json(res).await["items"][0].clone();
    let snippet: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
    let (from, to) = (
        hit["highlights"][0][0].as_u64().unwrap() as usize,
        hit["highlights"][0][1].as_u64().unwrap() as usize,
    );
    assert!(
        snippet[from..to]
            .iter()
            .collect::<String>()
            .contains("人脸"),
        "{hit}"
    );
}

#[sqlx::test(migrations = false)]
async fn the_index_of_another_instance_follows_within_moments(pool: PgPool) {
    let one = TestApp::spawn(pool.clone()).await;
    let two = TestApp::spawn(pool).await;
    let people = one.people().await;
    let reader = two.signed_in("agent").await;
    let a = write(&one, &people.handler, json!({"title": "港股通交易时间", "body": "港股通交易日与香港交易所一致。", "system": "trading", "status": "published"})).await;
    assert!(
        eventually(10, || async {
            search(&two, &reader, "港股通").await.len() == 1
        })
        .await,
        "the second instance finds the article"
    );
    let res = people
        .handler
        .delete(one.url(&format!("/api/v1/kb/articles/{}", a["id"])))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(
        eventually(10, || async {
            search(&two, &reader, "港股通").await.is_empty()
        })
        .await,
        "and stops finding it once deleted"
    );
    // A word admins add reaches both instances' segmenters: a rebuild, then found as a whole.
    sqlx::query("INSERT INTO kb_synonyms (words) VALUES ('{港股通,沪港通}')")
        .execute(&one.pool)
        .await
        .unwrap();
    write(&one, &people.handler, json!({"title": "港股通开通条件", "body": "资产满 50 万可开通。", "system": "trading", "status": "published"})).await;
    assert!(
        eventually(15, || async {
            search(&two, &reader, "沪港通")
                .await
                .first()
                .map(String::as_str)
                == Some("港股通开通条件")
        })
        .await,
        "a synonym added by an admin works on the other instance"
    );
}

#[sqlx::test(migrations = false)]
async fn a_draft_from_a_solved_incident_carries_no_customer_data(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let id_number = "11010519491231002X";
    let fields = [
        ("idempotency_key", uuid::Uuid::new_v4().to_string()),
        ("customer.name", "赵大宝".to_owned()),
        ("customer.customer_no", "310098765432".to_owned()),
        ("customer.id_type", "resident_id".to_owned()),
        ("customer.id_number", id_number.to_owned()),
        ("customer.phone", "13912345678".to_owned()),
        ("system", "custody".to_owned()),
        (
            "description",
            "赵大宝的银证转账失败，提示“银行卡状态异常”。手机 139 1234 5678，证件１１０１０５１９４９１２３１００２Ｘ，资金账号：3100-9876-5432".to_owned(),
        ),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app
        .post_report(&people.agent, &fields, "application/json")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let number = res.json::<String>().await.unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM incidents WHERE number = $1")
        .bind(&number)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Not solved yet: no draft.
    let res = people
        .handler
        .post(app.url(&format!("/api/v1/incidents/{id}/kb-draft")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = people
        .agent
        .post(app.url(&format!("/api/v1/incidents/{id}/messages")))
        .multipart(
            reqwest::multipart::Form::new()
                .text("body", "客户的卡号是 6222 0212 3456 7890 128，换卡后也不行"),
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    app.acted(
        &people.handler,
        id,
        json!({"action": "claim", "version": 1}),
    )
    .await;
    let v = app.acted(&people.handler, id, json!({"action": "categorize", "version": 2, "category": "consultation", "subcategory": "consultation_account"})).await["version"].as_i64().unwrap();
    app.acted(&people.handler, id, json!({"action": "answer", "version": v, "body": "请赵大宝本人携带身份证到银行柜台解除卡片的非柜面限制，再发起银证转账。"})).await;

    let res = people
        .handler
        .post(app.url(&format!("/api/v1/incidents/{id}/kb-draft")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let draft = json(res).await;
    let article = &draft["article"];
    let text = format!("{} {}", article["title"], article["body"]);
    let digits: String = text
        .chars()
        .filter_map(|c| match c {
            '0'..='9' | 'X' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            'Ｘ' => Some('X'),
            _ => None,
        })
        .collect();
    for planted in [
        "赵大宝",
        "13912345678",
        "11010519491231002",
        "310098765432",
        "6222021234567890128",
    ] {
        assert!(
            !text.contains(planted) && !digits.contains(planted),
            "{planted} left in {text}"
        );
    }
    assert!(
        article["body"].as_str().unwrap().contains("银证转账失败"),
        "{text}"
    );
    assert!(
        article["body"].as_str().unwrap().contains("非柜面限制"),
        "{text}"
    );
    assert_eq!(article["status"], "draft");
    assert_eq!(article["system"], "custody");
    assert_eq!(article["category"], "consultation");
    assert_eq!(article["subcategory"], "consultation_account");
    assert_eq!(article["incidents"][0]["number"], number.as_str());
    let kinds: Vec<&str> = draft["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "name",
        "mobile",
        "id_number",
        "customer_number",
        "bank_card",
    ] {
        assert!(kinds.contains(&kind), "{kind} not listed: {kinds:?}");
    }
    assert!(draft["removed"].to_string().contains("139****5678"));
    // The editor shows the removals with the article, and a second click opens the same draft.
    let again = people
        .handler
        .post(app.url(&format!("/api/v1/incidents/{id}/kb-draft")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let again = json(again).await;
    assert_eq!(again["article"]["id"], article["id"]);
    assert_eq!(again["removed"], draft["removed"]);
    assert_eq!(
        audit_actions(&app, article["id"].as_i64().unwrap()).await,
        ["kb.created"]
    );
    // A reporter may not draft.
    let res = people
        .agent
        .post(app.url(&format!("/api/v1/incidents/{id}/kb-draft")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrations = false)]
async fn bodies_are_sanitized_and_flow_charts_drawn(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.user("handler", "陈静", Role::Handler).await;
    let handler = app.signed_in("handler").await;
    let body = "# 开户流程\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n\
                <iframe src=\"https://evil.example\"></iframe>\n\n<a href=\"javascript:alert(3)\">点</a>\n\n\
                ![截图](/api/v1/screenshots/1) ![外链](https://evil.example/t.png)\n\n\
                | 步骤 | 说明 |\n|---|---|\n| 1 | 视频见证 |\n\n\
                ```dot\ndigraph { \"提交资料\" -> \"视频见证\" -> \"审核\" [label=\"通过\"]; \"审核\" -> \"补充资料\" [label=\"驳回\"] }\n```\n";
    let a = write(
        &app,
        &handler,
        json!({"title": "开户流程图", "body": body, "system": "account_opening"}),
    )
    .await;
    let html = a["html"].as_str().unwrap();
    for bad in [
        "<script",
        "onerror",
        "<iframe",
        "javascript:",
        "evil.example",
    ] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(
        html.contains("<table>") && html.contains("<td>视频见证</td>"),
        "{html}"
    );
    assert!(html.contains("src=\"/api/v1/screenshots/1\""), "{html}");
    assert!(
        html.contains("<figure class=\"kb-chart\"><img alt=\"流程图：提交资料、视频见证、审核、通过、补充资料、驳回\" src=\"data:image/svg+xml;base64,"),
        "the chart is drawn as SVG (Graphviz installed by the scripts): {html}"
    );
    // A chart that is not DOT shows its source, and the article still saves.
    let a = write(&app, &handler, json!({"title": "坏流程图", "body": "```dot\ndigraph { a -> \n```", "system": "account_opening"})).await;
    assert!(
        a["html"].as_str().unwrap().contains("kb-chart-source"),
        "{}",
        a["html"]
    );
}

#[sqlx::test(migrations = false)]
async fn the_weekly_hot_questions_run_once_across_instances(pool: PgPool) {
    use app::server::infra::scheduler::{run_now, tick};
    use app::server::knowledge::hot::JOB;
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let margin = write(&app, &people.handler, json!({"title": "融资融券开通条件", "body": "资产满 50 万。", "system": "trading", "status": "published"})).await["id"].as_i64().unwrap();
    let custody = write(&app, &people.handler, json!({"title": "三方存管银行变更", "body": "先转回资金。", "system": "custody", "status": "published"})).await["id"].as_i64().unwrap();
    let draft = write(
        &app,
        &people.handler,
        json!({"title": "草稿不上榜", "body": "x", "system": "custody"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // The week of Monday 2026-11-16 is ranked from the four weeks before it: 30 reads the week
    // just before beat 100 reads four weeks before (×0.125) and two "helpful" votes (×3).
    sqlx::query(
        "INSERT INTO kb_views (article_id, day, views) VALUES
             ($1, '2026-11-10', 30), ($2, '2026-10-20', 100), ($3, '2026-11-11', 500),
             ($1, '2026-11-16', 999)",
    )
    .bind(margin)
    .bind(custody)
    .bind(draft)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO kb_feedback (article_id, user_id, helpful, updated_at)
         SELECT $1, id, true, '2026-11-12 10:00+08' FROM users WHERE login IN ('agent', 'agent2')",
    )
    .bind(custody)
    .execute(&app.pool)
    .await
    .unwrap();

    // Two instances reach the same minute of that week: one runs it.
    let (one, two) = (app.another_instance(), app.another_instance());
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-18T09:00:00+08:00")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let (a, b) = tokio::join!(tick(&one, &JOB, now), tick(&two, &JOB, now));
    assert_eq!(
        [a.unwrap(), b.unwrap()].iter().filter(|ran| **ran).count(),
        1,
        "exactly one instance ran it"
    );
    let (a, b) = tokio::join!(tick(&one, &JOB, now), tick(&two, &JOB, now));
    assert!(
        !a.unwrap() && !b.unwrap(),
        "and nobody runs it again that week"
    );
    let runs: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM job_runs WHERE job = $1 AND period = '2026-11-16'",
    )
    .bind(JOB.name)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(runs, 1);
    let hot: Vec<(i64, i32, i32, i32)> = sqlx::query_as(
        "SELECT article_id, rank, views, helpful FROM kb_hot WHERE week = '2026-11-16' ORDER BY rank",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        hot,
        [(margin, 1, 30, 0), (custody, 2, 0, 2)],
        "drafts and later reads do not count"
    );

    // An admin recomputes: the same ranking, recorded as theirs.
    sqlx::query("DELETE FROM kb_hot")
        .execute(&app.pool)
        .await
        .unwrap();
    let admin = app.user("admin", "赵强", Role::Admin).await;
    run_now(&one, &JOB, "2026-11-16".into(), admin)
        .await
        .unwrap();
    let ranked: Vec<i64> =
        sqlx::query_scalar("SELECT article_id FROM kb_hot WHERE week = '2026-11-16' ORDER BY rank")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(ranked, [margin, custody]);
    let by: Vec<String> = sqlx::query_scalar(
        "SELECT claimed_by FROM job_runs WHERE period = '2026-11-16' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(by, ["scheduler".to_owned(), format!("admin:{admin}")]);
    // The help center's home lists them.
    let res = people
        .agent
        .post(app.url("/api/knowledge/home"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let home = json(res).await;
    assert_eq!(home["hot"][0]["title"], "融资融券开通条件", "{home}");
}

#[sqlx::test(migrations = false)]
async fn a_crashed_or_failed_claim_is_taken_again_later(pool: PgPool) {
    use app::server::infra::scheduler::tick;
    use app::server::knowledge::hot::JOB;
    let app = TestApp::spawn(pool).await;
    let state = app.another_instance();
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-04T09:00:00+08:00")
        .unwrap()
        .with_timezone(&chrono::Utc);
    // An instance claimed the week and died mid-run.
    sqlx::query("INSERT INTO job_runs (job, period, claimed_by, updated_at) VALUES ($1, '2026-11-02', 'scheduler', now() - interval '5 minutes')")
        .bind(JOB.name)
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(
        !tick(&state, &JOB, now).await.unwrap(),
        "a fresh claim is left alone"
    );
    sqlx::query("UPDATE job_runs SET updated_at = now() - interval '31 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(
        tick(&state, &JOB, now).await.unwrap(),
        "an abandoned one is taken again"
    );
    let finished: bool = sqlx::query_scalar(
        "SELECT finished_at IS NOT NULL FROM job_runs WHERE period = '2026-11-02'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(finished);
}

#[sqlx::test(migrations = false)]
async fn an_answer_that_names_an_article_counts_as_solved_by_it(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let a = write(&app, &people.handler, json!({"title": "账户冻结怎么办", "body": "联系营业部。", "system": "account", "status": "published"})).await;
    let id = app.filed(&people.agent, "周一").await;
    app.acted(
        &people.handler,
        id,
        json!({"action": "claim", "version": 1}),
    )
    .await;
    let link =
        app::domain::knowledge::links::article_link(a["id"].as_i64().unwrap(), "账户冻结怎么办");
    app.acted(
        &people.handler,
        id,
        json!({"action": "answer", "version": 2, "body": format!("请看 {link}")}),
    )
    .await;
    let article = json(
        people
            .handler
            .get(app.url(&format!("/api/v1/kb/articles/{}", a["id"])))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(article["incidents"][0]["id"], id);
    assert_eq!(article["incidents"][0]["relation"], "solved");
    // The reporter's page shows it as a card that opens the article.
    let page = people
        .agent
        .get(app.url(&format!("/incidents/{}", app.number_of(id).await)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let card = page.split("请看").nth(1).unwrap_or_default();
    assert!(
        card.contains("class=\"kb-card\"")
            && card.contains(&format!("href=\"/help/articles/{}\"", a["id"]))
            && card.contains("账户冻结怎么办"),
        "{}",
        card.chars().take(300).collect::<String>()
    );
}

#[sqlx::test(migrations = false)]
async fn article_images_go_through_the_screenshot_pipeline_and_follow_the_article(pool: PgPool) {
    use crate::common::camera::phone_photo;
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let upload = |client: &Client| {
        client
            .post(app.url("/api/kb/images"))
            .header("accept", "application/json")
            .multipart(
                reqwest::multipart::Form::new()
                    .text("back", "/desk/kb/new")
                    .part(
                        "screenshots",
                        reqwest::multipart::Part::bytes(phone_photo(1600, 1200, 6))
                            .file_name("IMG_0001.JPG")
                            .mime_str("image/jpeg")
                            .unwrap(),
                    ),
            )
            .send()
    };
    // Reporters may not upload here.
    assert_eq!(
        upload(&people.agent).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let res = upload(&people.handler).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let images = json(res).await;
    let id = images["images"][0]["id"].as_i64().unwrap();
    let markdown = images["images"][0]["markdown"].as_str().unwrap().to_owned();
    assert_eq!(markdown, format!("![](/api/v1/screenshots/{id})"));
    let shot = |client: &Client| {
        client
            .get(app.url(&format!("/api/v1/screenshots/{id}")))
            .send()
    };
    // Before an article has it: its uploader only.
    assert_eq!(
        shot(&people.agent).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let a = write(&app, &people.handler, json!({"title": "开户照片怎么拍", "body": format!("如图：\n\n{markdown}"), "system": "account_opening"})).await;
    assert!(a["html"]
        .as_str()
        .unwrap()
        .contains(&format!("src=\"/api/v1/screenshots/{id}\"")));
    // A draft's image: the team's; published: every reader's, turned upright and without EXIF.
    assert_eq!(
        shot(&people.agent).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let res = put(&app, &people.handler, a["id"].as_i64().unwrap(), json!({"title": "开户照片怎么拍", "body": format!("如图：\n\n{markdown}"), "system": "account_opening", "status": "published", "version": 1})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = shot(&people.agent).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let img = image::load_from_memory(&bytes).unwrap();
    assert!(
        img.height() > img.width(),
        "turned upright: {}x{}",
        img.width(),
        img.height()
    );
    assert!(
        !crate::common::camera::contains(&bytes, b"Exif"),
        "no EXIF left"
    );
    // The hourly sweep of unclaimed screenshots leaves it.
    let swept = app::server::report::screenshots::prune_unclaimed(
        &app.pool,
        chrono::Utc::now() + chrono::Duration::days(2),
    )
    .await
    .unwrap();
    assert_eq!(swept, 0);
    assert_eq!(shot(&people.agent).await.unwrap().status(), StatusCode::OK);
    // Taken out of the text, readers no longer see it; the team still does (a rollback may
    // show it again).
    let res = put(&app, &people.handler, a["id"].as_i64().unwrap(), json!({"title": "开户照片怎么拍", "body": "如图（图已删）", "system": "account_opening", "status": "published", "version": 1})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        shot(&people.agent).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        shot(&people.handler).await.unwrap().status(),
        StatusCode::OK
    );
}
