//! WeCom pushes through the real app and PostgreSQL, against a fake WeCom on loopback that
//! speaks the documented API (see `common::FakeWecomHarness`): exactly one robot message per new
//! incident, with numbers masked; exactly one app message per reply; WeCom failing, busy, then
//! back; the token expiring; a worker killed mid-send; the robot's pace under a burst; dead
//! letters an admin can send again; and pushes recorded as skipped without WeCom settings.

use crate::common::{eventually, FakeWecomHarness, TestApp};
use app::server::notify::fake_wecom::{FakeConfig, Fault};
use reqwest::{header, multipart, Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

use app::domain::accounts::Role;

async fn link(app: &TestApp, login: &str, wecom: &str) {
    sqlx::query("UPDATE users SET wecom_user_id = $2 WHERE login = $1")
        .bind(login)
        .bind(wecom)
        .execute(&app.pool)
        .await
        .expect("WeCom id set");
}

/// (channel, state, last error) of every delivery, oldest first.
async fn deliveries(app: &TestApp) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as("SELECT channel, state, last_error FROM deliveries ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .expect("deliveries")
}

/// The handler claims `id` and sends each of `replies` to the reporter.
async fn claim_and_reply(app: &TestApp, handler: &Client, id: i64, replies: &[&str]) {
    let claimed = app
        .acted(handler, id, json!({ "action": "claim", "version": 1 }))
        .await;
    let mut version = claimed["version"].as_i64().expect("version");
    for body in replies {
        let after = app
            .acted(
                handler,
                id,
                json!({ "action": "reply", "version": version, "body": body }),
            )
            .await;
        version = after["version"].as_i64().expect("version");
    }
}

fn card_text(message: &Value) -> String {
    format!(
        "{} {}",
        message["textcard"]["title"].as_str().unwrap_or_default(),
        message["textcard"]["description"]
            .as_str()
            .unwrap_or_default()
    )
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn a_new_incident_reaches_the_robot_once_with_numbers_masked(pool: PgPool) {
    let wecom = FakeWecomHarness::start(FakeConfig::default()).await;
    let app = TestApp::spawn_with_wecom(
        pool,
        &wecom,
        &[("MSS_PUBLIC_URL", "https://mss.example.com")],
    )
    .await;
    let agent = app.agent().await;
    app.user("duty", "值班员", Role::Handler).await;
    link(&app, "duty", "zhaol").await;
    sqlx::query("UPDATE users SET on_duty = true WHERE login = 'duty'")
        .execute(&app.pool)
        .await
        .expect("on duty");
    let key = uuid::Uuid::new_v4().to_string();
    let fields = [
        ("idempotency_key", key.as_str()),
        ("customer.name", "张三"),
        ("customer.customer_no", "310012345678"),
        ("system", "account_opening"),
        ("urgency", "urgent"),
        (
            "description",
            "客户开户时提示证件无效\n证件号11010519491231002X，手机13812345678",
        ),
    ];
    let res = app.post_report(&agent, &fields, "application/json").await;
    assert_eq!(res.status(), StatusCode::OK);
    let number: String = res.json().await.expect("number");

    assert!(
        eventually(10, || async { wecom.fake.delivered("robot").len() == 1 }).await,
        "{:?}",
        wecom.fake.received()
    );
    let robot = wecom.fake.delivered("robot");
    let content = robot[0]["markdown"]["content"].as_str().expect("markdown");
    assert!(
        content.contains(&number) && content.contains("紧急"),
        "{content}"
    );
    assert!(
        content.contains("110105********002X") && content.contains("138****5678"),
        "{content}"
    );
    assert!(
        !content.contains("11010519491231002X") && !content.contains("13812345678"),
        "{content}"
    );
    assert!(
        content.contains(&format!("https://mss.example.com/desk/incidents/{number}")),
        "{content}"
    );
    assert!(
        content.contains("<@zhaol>"),
        "urgent: the handler on duty is mentioned: {content}"
    );
    // Once: nothing more arrives, and the delivery is recorded as sent.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(wecom.fake.delivered("robot").len(), 1);
    assert!(
        wecom.fake.delivered("app").is_empty(),
        "nobody else is told of a new incident"
    );
    assert_eq!(
        deliveries(&app).await,
        vec![("robot".to_owned(), "sent".to_owned(), None)]
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn replies_reach_the_reporter_once_and_their_messages_the_handler(pool: PgPool) {
    let wecom = FakeWecomHarness::start(FakeConfig::default()).await;
    let app = TestApp::spawn_with_wecom(pool, &wecom, &[]).await;
    let people = app.people().await;
    link(&app, "agent", "wangxm").await;
    link(&app, "handler", "chenj").await;
    let id = app.filed(&people.agent, "张三").await;
    let number = app.number_of(id).await;
    let claimed = app
        .acted(
            &people.handler,
            id,
            json!({ "action": "claim", "version": 1 }),
        )
        .await;
    let noted = app.acted(&people.handler, id, json!({ "action": "note", "version": claimed["version"], "body": "内部：查了开户日志" })).await;
    app.acted(&people.handler, id, json!({ "action": "reply", "version": noted["version"], "body": "请客户重新上传身份证正面照片" })).await;

    assert!(
        eventually(10, || async { wecom.fake.delivered("app").len() == 1 }).await,
        "{:?}",
        wecom.fake.received()
    );
    let sent = wecom.fake.delivered("app");
    assert_eq!(sent[0]["touser"], "wangxm");
    assert_eq!(sent[0]["agentid"], 1000002);
    assert!(
        card_text(&sent[0]).contains(&number)
            && card_text(&sent[0]).contains("请客户重新上传身份证正面照片")
    );
    assert!(sent[0]["textcard"]["url"]
        .as_str()
        .unwrap_or_default()
        .ends_with(&format!("/incidents/{number}")));

    // The token expires; the next message fetches a new one and still goes out once.
    assert_eq!(wecom.fake.token_requests(), 1, "the token is reused");
    wecom.fake.expire_tokens();
    // The reporter writes back: the handler who holds it hears.
    let form = multipart::Form::new()
        .text("body", "客户已经重新上传了")
        .text("idempotency_key", uuid::Uuid::new_v4().to_string());
    let res = people
        .agent
        .post(app.url(&format!("/api/incidents/{number}/messages")))
        .header(header::ACCEPT, "application/json")
        .multipart(form)
        .send()
        .await
        .expect("message");
    assert!(
        res.status().is_success(),
        "{}",
        res.text().await.unwrap_or_default()
    );
    assert!(
        eventually(10, || async { wecom.fake.delivered("app").len() == 2 }).await,
        "{:?}",
        wecom.fake.received()
    );
    let sent = wecom.fake.delivered("app");
    assert_eq!(sent[1]["touser"], "chenj");
    assert!(card_text(&sent[1]).contains("客户已经重新上传了"));
    assert_eq!(
        wecom.fake.token_requests(),
        2,
        "an expired token is renewed once"
    );
    assert!(
        wecom.fake.received().iter().any(|r| r.errcode == 42001),
        "the expired token was refused first"
    );

    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let all = wecom.fake.delivered("app");
    assert_eq!(all.len(), 2, "exactly once each");
    assert!(
        all.iter().all(|m| !card_text(m).contains("内部")),
        "an internal note never leaves the team"
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn the_reporter_of_a_merged_duplicate_hears_the_answer_of_the_incident_it_joined(
    pool: PgPool,
) {
    let wecom = FakeWecomHarness::start(FakeConfig::default()).await;
    let app = TestApp::spawn_with_wecom(pool, &wecom, &[]).await;
    let people = app.people().await;
    link(&app, "agent", "wangxm").await;
    link(&app, "agent2", "lina").await;
    let survivor = app.filed(&people.agent, "张三").await;
    let duplicate = app.filed(&people.agent2, "李四").await;
    let (survivor_number, duplicate_number) = (
        app.number_of(survivor).await,
        app.number_of(duplicate).await,
    );
    app.acted(
        &people.handler,
        duplicate,
        json!({ "action": "merge", "version": 1, "into": survivor_number }),
    )
    .await;
    let noted = app
        .acted(
            &people.handler,
            survivor,
            json!({ "action": "note", "version": 2, "body": "内部：影响多位客户" }),
        )
        .await;
    app.acted(
        &people.handler,
        survivor,
        json!({ "action": "answer", "version": noted["version"], "body": "人脸识别服务已恢复" }),
    )
    .await;

    // Two app messages to lina (the merge, then the answer), one to wangxm (the answer).
    assert!(
        eventually(10, || async { wecom.fake.delivered("app").len() == 3 }).await,
        "{:?}",
        wecom.fake.received()
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let sent = wecom.fake.delivered("app");
    assert_eq!(sent.len(), 3, "once each: {sent:?}");
    let to_lina: Vec<&Value> = sent.iter().filter(|m| m["touser"] == "lina").collect();
    assert_eq!(to_lina.len(), 2, "{sent:?}");
    let answer = card_text(to_lina[1]);
    assert!(
        answer.contains(&duplicate_number)
            && answer.contains(&survivor_number)
            && answer.contains("人脸识别服务已恢复"),
        "{answer}"
    );
    assert!(
        to_lina[1]["textcard"]["url"]
            .as_str()
            .unwrap_or_default()
            .ends_with(&format!("/incidents/{duplicate_number}")),
        "their own page"
    );
    assert!(!answer.contains("张三"), "not the other customer: {answer}");
    assert!(
        sent.iter().all(|m| !card_text(m).contains("内部")),
        "an internal note never leaves the team"
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn wecom_down_then_back_every_message_arrives_once_in_order(pool: PgPool) {
    let wecom = FakeWecomHarness::start(FakeConfig::default()).await;
    wecom.fake.set_fault(Fault::ServerError, None);
    let app = TestApp::spawn_with_wecom(pool, &wecom, &[]).await;
    let people = app.people().await;
    link(&app, "agent", "wangxm").await;
    let first = app.filed(&people.agent, "张三").await;
    let second = app.filed(&people.agent, "李四").await;
    claim_and_reply(
        &app,
        &people.handler,
        first,
        &["一：第一条", "一：第二条", "一：第三条"],
    )
    .await;
    claim_and_reply(&app, &people.handler, second, &["二：第一条", "二：第二条"]).await;

    // WeCom fails for a while (HTTP 502), then is busy (45009) three more times, then is back.
    assert!(eventually(10, || async { wecom.fake.received().len() >= 6 }).await);
    assert!(wecom.fake.delivered("app").is_empty());
    wecom.fake.set_fault(Fault::Busy, Some(3));
    assert!(
        eventually(20, || async {
            wecom.fake.delivered("app").len() == 5 && wecom.fake.delivered("robot").len() == 2
        })
        .await,
        "{:?}",
        deliveries(&app).await
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let texts: Vec<String> = wecom.fake.delivered("app").iter().map(card_text).collect();
    assert_eq!(texts.len(), 5, "each once: {texts:?}");
    let order = |prefix: &str| {
        let which = |t: &String| {
            ["第一条", "第二条", "第三条"]
                .iter()
                .position(|n| t.contains(n))
                .map(|i| i + 1)
                .unwrap_or(0)
        };
        texts
            .iter()
            .filter(|t| t.contains(prefix))
            .map(which)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        order("一："),
        vec![1, 2, 3],
        "in order per incident: {texts:?}"
    );
    assert_eq!(
        order("二："),
        vec![1, 2],
        "in order per incident: {texts:?}"
    );
    assert!(wecom.fake.received().iter().any(|r| r.errcode == 45009));
    assert!(deliveries(&app)
        .await
        .iter()
        .all(|(_, state, _)| state == "sent"));
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn a_worker_killed_mid_send_loses_nothing(pool: PgPool) {
    let wecom = FakeWecomHarness::start(FakeConfig::default()).await;
    let first = TestApp::spawn_with_wecom(pool.clone(), &wecom, &[]).await;
    let people = first.people().await;
    link(&first, "agent", "wangxm").await;
    // The robot message for the new incident hangs in WeCom...
    wecom.fake.set_fault(Fault::Hang, Some(1));
    let id = first.filed(&people.agent, "张三").await;
    assert!(eventually(10, || async { wecom.fake.received().len() == 1 }).await);
    // ...and the server dies while waiting for it, with replies still to send.
    first.crash_background();
    claim_and_reply(&first, &people.handler, id, &["第一条", "第二条"]).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(wecom.fake.delivered("app").is_empty(), "nobody is sending");

    // Restarted: the hung delivery's lease runs out and it is sent again; nothing is lost.
    let _second = TestApp::spawn_with_wecom(pool, &wecom, &[]).await;
    assert!(
        eventually(20, || async {
            wecom.fake.delivered("robot").len() == 1 && wecom.fake.delivered("app").len() == 2
        })
        .await,
        "{:?}",
        wecom.fake.received()
    );
    let texts: Vec<String> = wecom.fake.delivered("app").iter().map(card_text).collect();
    assert!(
        texts[0].contains("第一条") && texts[1].contains("第二条"),
        "{texts:?}"
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn a_burst_of_incidents_reaches_the_robot_paced_and_none_dropped(pool: PgPool) {
    // 100 new incidents at once; the robot's limit of 20 a window, with the window shortened
    // from a minute to a second so the test takes seconds.
    let config = FakeConfig {
        robot_per_window: 20,
        robot_window: std::time::Duration::from_secs(1),
        ..FakeConfig::default()
    };
    let wecom = FakeWecomHarness::start(config).await;
    let app = TestApp::spawn_with_wecom(pool, &wecom, &[("MSS_LIMIT_REPORTS", "100,1/s")]).await;
    let agent = app.agent().await;
    let mut numbers = Vec::new();
    for i in 0..100 {
        numbers.push(app.reported(&agent, &format!("客户{i}")).await);
    }
    assert!(
        eventually(30, || async { wecom.fake.delivered("robot").len() == 100 }).await,
        "{:?}",
        deliveries(&app).await
    );
    let refused = wecom
        .fake
        .received()
        .iter()
        .filter(|r| r.errcode != 0)
        .count();
    assert_eq!(
        refused, 0,
        "paced under the limit: WeCom never had to refuse"
    );
    let robot = wecom.fake.delivered("robot");
    for number in &numbers {
        let n = robot
            .iter()
            .filter(|m| {
                m["markdown"]["content"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(number.as_str())
            })
            .count();
        assert_eq!(n, 1, "{number} once");
    }
}

/// One reporter's flood (a script gone wrong, within their limit) does not hold back another
/// reporter's new incident: reporters take turns in the robot's few messages a window.
#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn one_reporters_flood_does_not_delay_anothers_robot_message(pool: PgPool) {
    let config = FakeConfig {
        robot_per_window: 2,
        robot_window: std::time::Duration::from_secs(1),
        ..FakeConfig::default()
    };
    let wecom = FakeWecomHarness::start(config).await;
    let app = TestApp::spawn_with_wecom(pool, &wecom, &[("MSS_LIMIT_REPORTS", "30,1/s")]).await;
    let people = app.people().await;
    for i in 0..30 {
        app.reported(&people.agent, &format!("刷屏客户{i}")).await;
    }
    let other = app.reported(&people.agent2, "李四").await;
    // At two a second, the flood alone takes fifteen seconds; the other one arrives in its turn.
    assert!(
        eventually(6, || async {
            wecom.fake.delivered("robot").iter().any(|m| {
                m["markdown"]["content"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(other.as_str())
            })
        })
        .await,
        "{} robot messages so far, none of {other}",
        wecom.fake.delivered("robot").len()
    );
    let position = wecom.fake.delivered("robot").iter().position(|m| {
        m["markdown"]["content"]
            .as_str()
            .unwrap_or_default()
            .contains(other.as_str())
    });
    assert!(position.is_some_and(|p| p <= 4), "{position:?}");
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn undeliverable_messages_go_to_the_dead_letters_and_can_be_sent_again(pool: PgPool) {
    let wecom = FakeWecomHarness::start(FakeConfig::default()).await;
    let app = TestApp::spawn_with_wecom(pool, &wecom, &[]).await;
    let people = app.people().await;
    app.user("boss", "管理员", Role::Admin).await;
    let admin = app.signed_in("boss").await;
    link(&app, "agent", "ghost").await;
    wecom.fake.unknown_user("ghost");
    let id = app.filed(&people.agent, "张三").await;
    claim_and_reply(&app, &people.handler, id, &["请补充截图"]).await;
    let dead = || async {
        deliveries(&app)
            .await
            .iter()
            .any(|(c, s, _)| c == "app" && s == "dead")
    };
    assert!(eventually(10, dead).await, "{:?}", deliveries(&app).await);
    let reason = deliveries(&app)
        .await
        .into_iter()
        .find(|(c, _, _)| c == "app")
        .and_then(|d| d.2)
        .unwrap_or_default();
    assert!(reason.contains("81013"), "the reason is kept: {reason}");

    // The admin's page lists it with its reason; a reporter may not see the page's data.
    let page = admin
        .get(app.url("/admin/deliveries?state=dead"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .unwrap_or_default();
    assert!(
        page.contains("81013") && page.contains("王小明"),
        "the dead letter is listed"
    );
    let refused = people
        .agent
        .post(app.url("/api/admin/deliveries"))
        .header(header::ACCEPT, "application/json")
        .form(&[("state", "dead")])
        .send()
        .await
        .expect("call");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // Once the person exists in WeCom, the admin sends it again: it arrives, once.
    wecom.fake.reset();
    let delivery: i64 = sqlx::query_scalar("SELECT id FROM deliveries WHERE channel = 'app'")
        .fetch_one(&app.pool)
        .await
        .expect("id");
    let res = admin
        .post(app.url("/api/admin/deliveries/retry"))
        .header(header::ACCEPT, "application/json")
        .form(&[("id", delivery.to_string())])
        .send()
        .await
        .expect("retry");
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap_or_default()
    );
    assert!(
        eventually(10, || async { wecom.fake.delivered("app").len() == 1 }).await,
        "{:?}",
        deliveries(&app).await
    );
    assert_eq!(wecom.fake.delivered("app")[0]["touser"], "ghost");
    // A second retry of a delivery that is no longer dead is refused.
    let again = admin
        .post(app.url("/api/admin/deliveries/retry"))
        .header(header::ACCEPT, "application/json")
        .form(&[("id", delivery.to_string())])
        .send()
        .await
        .expect("retry");
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'delivery.retry'")
            .fetch_one(&app.pool)
            .await
            .expect("audit");
    assert_eq!(audited, 1);
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn without_wecom_settings_pushes_are_recorded_as_skipped(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    link(&app, "agent", "wangxm").await;
    let id = app.filed(&people.agent, "张三").await;
    claim_and_reply(&app, &people.handler, id, &["已处理"]).await;
    assert!(
        eventually(10, || async { deliveries(&app).await.len() == 2 }).await,
        "{:?}",
        deliveries(&app).await
    );
    let all = deliveries(&app).await;
    assert_eq!(all[0].0, "robot");
    assert!(
        all.iter().all(|(_, state, _)| state == "skipped"),
        "{all:?}"
    );
    assert_eq!(all[0].2.as_deref(), Some("no_robot"), "{all:?}");
    assert_eq!(all[1].2.as_deref(), Some("no_app"), "{all:?}");
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn messages_to_one_person_are_paced_under_wecom_s_limit(pool: PgPool) {
    // WeCom drops app messages beyond 30 a minute to one member; scaled to 3 a second here.
    let config = FakeConfig {
        member_per_window: 3,
        robot_window: std::time::Duration::from_secs(1),
        ..FakeConfig::default()
    };
    let wecom = FakeWecomHarness::start(config).await;
    let app = TestApp::spawn_with_wecom(pool, &wecom, &[]).await;
    let people = app.people().await;
    link(&app, "agent", "wangxm").await;
    for customer in ["张三", "李四", "王五"] {
        let id = app.filed(&people.agent, customer).await;
        claim_and_reply(&app, &people.handler, id, &["第一条", "第二条", "第三条"]).await;
    }
    assert!(
        eventually(20, || async { wecom.fake.delivered("app").len() == 9 }).await,
        "{:?}",
        deliveries(&app).await
    );
    let dropped = wecom
        .fake
        .received()
        .iter()
        .filter(|r| r.errcode == -2)
        .count();
    assert_eq!(
        dropped, 0,
        "none over the member's limit, so none dropped by WeCom"
    );
}
