//! The desk's workflow through the real router and PostgreSQL (see `common`): actions and their
//! permissions, the version check, internal notes kept from reporters, service levels, merging,
//! closing nobody objected to, and the audit trail.

use crate::common::{json, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

use app::domain::accounts::Role;

fn kinds(incident: &Value) -> Vec<String> {
    incident["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn from_report_to_confirmed_solution(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let ops = app.member("ops1", "operations").await;
    let tester = app.member("qa1", "testing").await;
    let id = app.filed(&people.agent, "张三").await;

    let claimed = app
        .acted(
            &people.handler,
            id,
            json!({"action": "claim", "version": 1}),
        )
        .await;
    assert_eq!(claimed["status"], "in_progress");
    assert_eq!(claimed["desk"]["assignee"]["code"], "handler");
    let triaged = app
        .acted(&people.handler, id, json!({"action": "categorize", "version": 2, "category": "data", "subcategory": "data_wrong", "priority": "P1", "tags": ["持仓"]}))
        .await;
    assert_eq!(triaged["desk"]["priority"], "P1");
    assert_eq!(triaged["desk"]["category"]["code"], "data");
    assert_eq!(triaged["desk"]["subcategory"]["code"], "data_wrong");
    assert_eq!(triaged["desk"]["tags"], json!(["持仓"]));

    // Nobody in testing sees it; operations does once it is theirs.
    assert_eq!(app.get(&ops, id).await.status(), StatusCode::NOT_FOUND);
    let transferred = app
        .acted(&people.handler, id, json!({"action": "transfer", "version": 3, "group": "operations", "body": "内部：请核对持仓数据"}))
        .await;
    assert_eq!(transferred["status"], "transferred");
    assert_eq!(app.get(&ops, id).await.status(), StatusCode::OK);
    assert_eq!(app.get(&tester, id).await.status(), StatusCode::NOT_FOUND);
    // A member may not answer the reporter, only hand it back.
    assert_eq!(
        app.act(
            &ops,
            id,
            json!({"action": "answer", "version": 4, "body": "好了"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let returned = app
        .acted(&ops, id, json!({"action": "return", "version": 4, "body": "内部：持仓表缺一条记录，已补", "change": "UPDATE position SET qty = 100 WHERE acct = '310012345678'"}))
        .await;
    assert_eq!(returned["status"], "in_progress");
    // What they worked on stays readable for them, with nothing left to do.
    let looked = json(app.get(&ops, id).await).await;
    assert_eq!(looked["actions"], json!([]));

    app.acted(
        &people.handler,
        id,
        json!({"action": "note", "version": 5, "body": "内部：客户是 VIP"}),
    )
    .await;
    app.acted(
        &people.handler,
        id,
        json!({"action": "reply", "version": 6, "body": "您好，正在修复持仓数据"}),
    )
    .await;
    let answered = app
        .acted(
            &people.handler,
            id,
            json!({"action": "answer", "version": 7, "body": "持仓已修正，请客户重新登录查看"}),
        )
        .await;
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["desk"]["resolved_on_time"], true);

    // The reporter reads the reply and the answer, and nothing internal.
    let seen = app.get(&people.agent, id).await.text().await.expect("body");
    assert!(seen.contains("正在修复持仓数据") && seen.contains("持仓已修正"));
    assert!(
        !seen.contains("内部") && !seen.contains("UPDATE position"),
        "{seen}"
    );
    let seen: Value = serde_json::from_str(&seen).expect("json");
    assert_eq!(seen["desk"], Value::Null);
    assert_eq!(seen["actions"], json!(["reopen", "close"]));
    assert_eq!(kinds(&seen), ["submitted", "claimed", "reply", "answered"]);

    let closed = app
        .acted(
            &people.agent,
            id,
            json!({"action": "close", "version": 8, "rating": "5", "body": "很快，谢谢"}),
        )
        .await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["rating"], 5);

    // The whole story, for the desk: every step on the timeline and in the audit trail.
    let story = json(app.get(&people.handler, id).await).await;
    assert_eq!(
        kinds(&story),
        [
            "submitted",
            "claimed",
            "categorized",
            "transferred",
            "returned",
            "note",
            "reply",
            "answered",
            "confirmed"
        ]
    );
    let audit: Vec<&str> = story["desk"]["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .map(|a| a["action"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        audit,
        [
            "submit",
            "claim",
            "categorize",
            "transfer",
            "return",
            "note",
            "reply",
            "answer",
            "close"
        ]
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn a_reporter_takes_no_desk_action(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let own = app.filed(&people.agent, "张三").await;
    let other = app.filed(&people.agent2, "李四").await;
    let desk_actions = [
        json!({"action": "claim"}),
        json!({"action": "assign", "assignee": "handler"}),
        json!({"action": "categorize", "priority": "P1"}),
        json!({"action": "transfer", "group": "testing", "body": "x"}),
        json!({"action": "return", "body": "x"}),
        json!({"action": "note", "body": "x"}),
        json!({"action": "reply", "body": "x"}),
        json!({"action": "answer", "body": "x"}),
        json!({"action": "merge", "into": other.to_string()}),
    ];
    for mut body in desk_actions {
        body["version"] = json!(1);
        assert_eq!(
            app.act(&people.agent, own, body.clone()).await.status(),
            StatusCode::FORBIDDEN,
            "{body}"
        );
        assert_eq!(
            app.act(&people.agent, other, body.clone()).await.status(),
            StatusCode::NOT_FOUND,
            "{body}"
        );
    }
    // Nor a reporter's own moves before there is an answer.
    let early = app
        .act(&people.agent, own, json!({"action": "close", "version": 1}))
        .await;
    assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(early).await["error"]["code"], "not_allowed_now");
    let unchanged: (String, i32) =
        sqlx::query_as("SELECT status, version FROM incidents WHERE id = $1")
            .bind(own)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(unchanged, ("new".to_owned(), 1));
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn two_handlers_cannot_both_win(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    app.user("handler2", "周敏", Role::Handler).await;
    let second = app.signed_in("handler2").await;
    let id = app.filed(&people.agent, "张三").await;
    let (a, b) = tokio::join!(
        app.act(
            &people.handler,
            id,
            json!({"action": "claim", "version": 1})
        ),
        app.act(&second, id, json!({"action": "claim", "version": 1})),
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let lost = if a.status() == StatusCode::CONFLICT {
        a
    } else {
        b
    };
    let body = json(lost).await;
    assert_eq!(body["error"]["code"], "conflict");
    let claims: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM incident_events WHERE incident_id = $1 AND kind = 'claimed'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(claims, 1);
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn the_state_decides_what_is_allowed(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let id = app.filed(&people.agent, "张三").await;
    // A new incident cannot be handed back or reopened; an unknown action or a missing field is
    // named.
    for body in [
        json!({"action": "return", "version": 1, "body": "x"}),
        json!({"action": "reopen", "version": 1, "body": "x"}),
    ] {
        let res = app.act(&people.handler, id, body.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(json(res).await["error"]["code"], "not_allowed_now");
    }
    let res = app
        .act(
            &people.handler,
            id,
            json!({"action": "delete", "version": 1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(res).await["error"]["fields"][0]["field"], "action");
    let res = app
        .act(
            &people.handler,
            id,
            json!({"action": "transfer", "group": "nobody", "body": "x", "version": 1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .act(&people.handler, id, json!({"action": "claim"}))
        .await;
    assert_eq!(json(res).await["error"]["fields"][0]["field"], "version");
    let res = app
        .act(
            &people.handler,
            id,
            json!({"action": "assign", "assignee": "agent", "version": 1}),
        )
        .await;
    assert_eq!(
        json(res).await["error"]["fields"][0]["field"],
        "assignee",
        "only the team can hold an incident"
    );
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/incidents/{id}/actions")))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = people
        .handler
        .post(app.url(&format!("/api/v1/incidents/{id}/actions")))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn service_levels_follow_priority_and_record_on_time(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let id = app.filed(&people.agent, "张三").await;
    let minutes = |a: &Value, b: &Value| {
        let at = |v: &Value| {
            chrono::DateTime::parse_from_rfc3339(v.as_str().expect("time")).expect("rfc3339")
        };
        (at(b) - at(a)).num_minutes()
    };
    // A normal report is P3: 4 h to a first response, 3 days to a solution.
    let found = json(app.get(&people.handler, id).await).await;
    assert_eq!(found["desk"]["priority"], "P3");
    assert_eq!(
        minutes(&found["created_at"], &found["desk"]["first_response_due"]),
        240
    );
    assert_eq!(
        minutes(&found["created_at"], &found["desk"]["resolution_due"]),
        4320
    );
    assert_eq!(found["desk"]["sla_state"], "on_track");
    // P1 moves both, counted from arrival.
    let p1 = app
        .acted(
            &people.handler,
            id,
            json!({"action": "categorize", "version": 1, "priority": "P1"}),
        )
        .await;
    assert_eq!(
        minutes(&p1["created_at"], &p1["desk"]["first_response_due"]),
        30
    );
    assert_eq!(
        minutes(&p1["created_at"], &p1["desk"]["resolution_due"]),
        240
    );
    // Answered a second after the resolution target: late.
    sqlx::query(
        "UPDATE incidents SET resolution_due = now() - interval '1 second',
                first_response_due = now() - interval '1 hour', sla_due_at = now() - interval '1 hour' WHERE id = $1",
    )
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let late = json(app.get(&people.handler, id).await).await;
    assert_eq!(late["desk"]["sla_state"], "late");
    let answered = app
        .acted(
            &people.handler,
            id,
            json!({"action": "answer", "version": 2, "body": "已处理"}),
        )
        .await;
    assert_eq!(answered["desk"]["resolved_on_time"], false);
    assert_eq!(answered["desk"]["sla_due_at"], Value::Null);
    // Reopened, the clock runs again; answered in time now that the target is ahead.
    app.acted(
        &people.agent,
        id,
        json!({"action": "reopen", "version": 3, "body": "还是不行"}),
    )
    .await;
    sqlx::query("UPDATE incidents SET resolution_due = now() + interval '1 minute' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let again = app
        .acted(
            &people.handler,
            id,
            json!({"action": "answer", "version": 4, "body": "这次修好了"}),
        )
        .await;
    assert_eq!(again["desk"]["resolved_on_time"], true);
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn a_duplicate_follows_the_incident_it_joined(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let survivor = app.filed(&people.agent, "张三").await;
    let duplicate = app.filed(&people.agent2, "李四").await;
    let survivor_number = app.number_of(survivor).await;
    let merged = app
        .acted(
            &people.handler,
            duplicate,
            json!({"action": "merge", "version": 1, "into": survivor_number}),
        )
        .await;
    assert_eq!(merged["status"], "merged");
    assert_eq!(
        app.act(
            &people.handler,
            duplicate,
            json!({"action": "merge", "version": 2, "into": survivor_number})
        )
        .await
        .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    app.acted(
        &people.handler,
        survivor,
        json!({"action": "note", "version": 2, "body": "内部：影响多位客户"}),
    )
    .await;
    app.acted(
        &people.handler,
        survivor,
        json!({"action": "answer", "version": 3, "body": "人脸识别服务已恢复"}),
    )
    .await;
    // The duplicate's reporter sees where it went and the answer there, not the other customer.
    let followed = app
        .get(&people.agent2, duplicate)
        .await
        .text()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&followed).unwrap();
    assert_eq!(body["merged_into"]["number"], survivor_number.as_str());
    assert_eq!(body["merged_into"]["status"], "answered");
    assert_eq!(
        body["merged_into"]["answers"][0]["body"],
        "人脸识别服务已恢复"
    );
    assert!(
        !followed.contains("张三") && !followed.contains("内部"),
        "{followed}"
    );
    assert_eq!(
        app.get(&people.agent2, survivor).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn a_duplicates_reporter_never_reads_the_other_customers_numbers(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let survivor = app.filed(&people.agent, "张三").await;
    let duplicate = app.filed(&people.agent2, "李四").await;
    let survivor_number = app.number_of(survivor).await;
    app.acted(
        &people.handler,
        duplicate,
        json!({"action": "merge", "version": 1, "into": survivor_number}),
    )
    .await;
    // The answer names the survivor's customer's phone and ID numbers, as handlers write them.
    app.acted(
        &people.handler,
        survivor,
        json!({"action": "answer", "version": 2, "body": "已回电 13812345678，证件 11010519491231002X 已核实"}),
    )
    .await;
    let own = app.get(&people.agent, survivor).await.text().await.unwrap();
    assert!(
        own.contains("13812345678"),
        "its own reporter reads the answer as written"
    );
    let followed = app
        .get(&people.agent2, duplicate)
        .await
        .text()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&followed).unwrap();
    assert_eq!(
        body["merged_into"]["answers"][0]["body"],
        "已回电 138****5678，证件 110105********002X 已核实"
    );
    assert!(
        !followed.contains("13812345678") && !followed.contains("11010519491231002X"),
        "{followed}"
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn answers_nobody_objects_to_close_themselves(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let old = app.filed(&people.agent, "张三").await;
    let fresh = app.filed(&people.agent, "李四").await;
    for id in [old, fresh] {
        app.acted(
            &people.handler,
            id,
            json!({"action": "answer", "version": 1, "body": "已处理"}),
        )
        .await;
    }
    sqlx::query(
        "UPDATE incidents SET answered_at = now() - interval '3 days 1 minute' WHERE id = $1",
    )
    .bind(old)
    .execute(&app.pool)
    .await
    .unwrap();
    let closed = app::server::desk::sweeps::auto_close(&app.pool, 3)
        .await
        .expect("auto close");
    assert_eq!(closed, 1);
    let statuses: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, status FROM incidents ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        statuses,
        [(old, "closed".to_owned()), (fresh, "answered".to_owned())]
    );
    let seen = json(app.get(&people.agent, old).await).await;
    let last = seen["timeline"]
        .as_array()
        .unwrap()
        .last()
        .cloned()
        .unwrap();
    assert_eq!(
        (last["kind"].as_str(), last["actor_name"].as_str()),
        (Some("closed"), None)
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn the_audit_trail_is_append_only(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let id = app.filed(&people.agent, "张三").await;
    app.acted(
        &people.handler,
        id,
        json!({"action": "claim", "version": 1}),
    )
    .await;
    for statement in [
        "UPDATE audit_log SET action = 'nothing'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let refused = sqlx::query(statement).execute(&app.pool).await;
        assert!(refused.is_err(), "{statement} went through");
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE incident_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn the_queue_filters_searches_and_sorts(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let ops = app.member("ops1", "operations").await;
    let older = app.filed(&people.agent, "张三").await;
    let newer = app.filed(&people.agent2, "李四").await;
    app.acted(
        &people.handler,
        older,
        json!({"action": "claim", "version": 1}),
    )
    .await;
    app.acted(
        &people.handler,
        older,
        json!({"action": "categorize", "version": 2, "priority": "P1"}),
    )
    .await;
    app.acted(
        &people.handler,
        older,
        json!({"action": "transfer", "version": 3, "group": "operations", "body": "查一下"}),
    )
    .await;
    let ids = |client: &Client, query: &'static str| {
        let url = app.url(&format!("/api/v1/incidents?{query}"));
        let client = client.clone();
        async move {
            let res = client.get(url).send().await.expect("queue");
            assert_eq!(res.status(), StatusCode::OK, "{query}");
            let body = json(res).await;
            body["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["id"].as_i64().unwrap_or_default())
                .collect::<Vec<_>>()
        }
    };
    let h = &people.handler;
    assert_eq!(ids(h, "").await, [newer, older], "open ones, newest first");
    assert_eq!(ids(h, "sort=oldest").await, [older, newer]);
    assert_eq!(
        ids(h, "sort=priority").await,
        [older, newer],
        "P1 before P3"
    );
    assert_eq!(ids(h, "assignee=me").await, [older]);
    assert_eq!(ids(h, "assignee=unassigned").await, [newer]);
    assert_eq!(ids(h, "priority=P1").await, [older]);
    assert_eq!(ids(h, "status=new").await, [newer]);
    assert_eq!(ids(h, "group=operations").await, [older]);
    assert_eq!(
        ids(h, "q=%E6%9D%8E%E5%9B%9B").await,
        [newer],
        "a customer's name (李四)"
    );
    assert_eq!(
        ids(h, "q=310012345678").await,
        [newer, older],
        "a customer number"
    );
    assert_eq!(
        ids(h, "q=%E4%BA%BA%E8%84%B8%E8%AF%86%E5%88%AB").await,
        [newer, older],
        "words of the description (人脸识别)"
    );
    assert_eq!(ids(h, "sla=late").await, Vec::<i64>::new());
    assert_eq!(ids(h, "sla=on_track").await, [newer, older]);
    assert_eq!(ids(h, "sla=due_soon").await, Vec::<i64>::new());
    // Five minutes left: inside the last quarter of any target.
    sqlx::query("UPDATE incidents SET sla_due_at = now() + interval '5 minutes' WHERE id = $1")
        .bind(older)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(ids(h, "sla=due_soon").await, [older]);
    assert_eq!(ids(h, "sla=on_track").await, [newer]);
    assert_eq!(
        ids(h, "sort=due").await,
        [older, newer],
        "due soonest first"
    );
    // A group member sees what waits on their group, and nothing else.
    assert_eq!(ids(&ops, "").await, [older]);
    assert_eq!(ids(&ops, "status=all").await, [older]);
    // The page's own call with no filter at all (an empty body) is the default queue.
    let res = h
        .post(app.url("/api/desk/queue"))
        .header("accept", "application/json")
        .form(&[("", "")][..0])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        json(res).await["page"]["items"].as_array().map(Vec::len),
        Some(2)
    );
    let res = h
        .get(app.url("/api/v1/incidents?priority=P9"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(res).await["error"]["fields"][0]["field"], "priority");
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn desk_forms_work_without_javascript(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let id = app.filed(&people.agent, "张三").await;
    let number = app.number_of(id).await;
    let post = |client: &Client, fields: Vec<(&'static str, String)>| {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k, v);
        }
        client
            .post(app.url(&format!("/api/incidents/{number}/actions")))
            .header("accept", "text/html")
            .multipart(form)
            .send()
    };
    // A canned reply picked without typing: its variables filled in.
    let canned: i64 = sqlx::query_scalar("SELECT id FROM canned_replies ORDER BY position LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = post(
        &people.handler,
        vec![
            ("action", "reply".into()),
            ("version", "1".into()),
            ("body", "".into()),
            ("canned", canned.to_string()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/desk/incidents/{number}#latest").as_str()
    );
    let reply: String = sqlx::query_scalar(
        "SELECT body FROM incident_events WHERE incident_id = $1 AND kind = 'reply'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(reply.contains(&number), "{reply}");
    // A stale version comes back to its form with the error, and what was typed is kept.
    let res = post(
        &people.handler,
        vec![
            ("action", "note".into()),
            ("version", "1".into()),
            ("body", "先看流水".into()),
        ],
    )
    .await
    .unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("/desk/incidents/{number}?__err="))
            && location.ends_with("#act-note"),
        "{location}"
    );
    let page = people
        .handler
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("先看流水"), "the typed note is shown again");
    // A reporter has no desk forms.
    let res = post(
        &people.agent,
        vec![("action", "claim".into()), ("version", "2".into())],
    )
    .await
    .unwrap();
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .contains("__err="));
    let status: String = sqlx::query_scalar("SELECT status FROM incidents WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "new");
}

/// A small real JPEG.
fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .expect("jpeg");
    out
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn a_note_and_its_screenshot_stay_inside_the_team(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let id = app.filed(&people.agent, "张三").await;
    let number = app.number_of(id).await;
    let post = |action: &'static str, version: &'static str, body: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("action", action)
            .text("version", version)
            .text("body", body)
            .part(
                "screenshots",
                reqwest::multipart::Part::bytes(photo())
                    .file_name("log.jpg")
                    .mime_str("image/jpeg")
                    .unwrap(),
            );
        people
            .handler
            .post(app.url(&format!("/api/incidents/{number}/actions")))
            .header("accept", "text/html")
            .multipart(form)
            .send()
    };
    assert_eq!(
        post("note", "1", "内部：日志截图").await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        post("reply", "2", "请看这张截图").await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let shots: Vec<(i64, String)> = sqlx::query_as(
        "SELECT s.id, e.kind FROM screenshots s JOIN incident_events e ON e.id = s.event_id WHERE s.incident_id = $1 ORDER BY s.id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        shots.iter().map(|(_, k)| k.as_str()).collect::<Vec<_>>(),
        ["note", "reply"]
    );
    let fetch = |client: &Client, shot: i64| {
        client
            .get(app.url(&format!("/api/v1/screenshots/{shot}")))
            .send()
    };
    let (note_shot, reply_shot) = (shots[0].0, shots[1].0);
    assert_eq!(
        fetch(&people.handler, note_shot).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        fetch(&people.agent, note_shot).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch(&people.agent, reply_shot).await.unwrap().status(),
        StatusCode::OK
    );
    let seen = json(app.get(&people.agent, id).await).await;
    let reply = seen["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "reply")
        .cloned()
        .unwrap();
    assert_eq!(reply["screenshots"][0]["id"], reply_shot);
    assert!(!seen
        .to_string()
        .contains(&format!("/api/v1/screenshots/{note_shot}")));
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn bulk_actions_go_through_one_incident_at_a_time(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let mut numbers = Vec::new();
    for customer in ["甲", "乙", "丙"] {
        numbers.push(app.reported(&people.agent, customer).await);
    }
    let id: i64 = sqlx::query_scalar("SELECT id FROM incidents WHERE number = $1")
        .bind(&numbers[2])
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Someone else claims the third after the queue was loaded: the bulk claim skips it.
    app.acted(
        &people.handler,
        id,
        json!({"action": "claim", "version": 1}),
    )
    .await;
    let picks: Vec<(String, String)> = numbers
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("picks[{i}]"), format!("{n}:1")))
        .collect();
    let mut form: Vec<(String, String)> = vec![
        ("action".into(), "claim".into()),
        ("back".into(), "status=new&sort=oldest".into()),
    ];
    form.extend(picks.clone());
    let post = |client: &Client, form: Vec<(String, String)>, accept: &'static str| {
        client
            .post(app.url("/api/desk/bulk"))
            .header("accept", accept)
            .form(&form)
            .send()
    };

    // A reporter may not.
    assert_eq!(
        post(&people.agent, form.clone(), "application/json")
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );

    // Without JavaScript: back to the same queue, saying how it went.
    let res = post(&people.handler, form.clone(), "text/html")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!(
            "/desk?status=new&sort=oldest&bulk_done=2&bulk_refused={}~conflict",
            numbers[2]
        )
    );
    let statuses: Vec<String> = sqlx::query_scalar("SELECT status FROM incidents ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(statuses, ["in_progress", "in_progress", "in_progress"]);
    let page = people
        .handler
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("已处理 2 个事件") && page.contains("已被他人更新"),
        "the queue says how it went"
    );

    // Categorised together, then closed together (versions moved on: 2 after the claim).
    let mut categorize: Vec<(String, String)> = vec![
        ("action".into(), "categorize".into()),
        ("category".into(), "consultation".into()),
    ];
    categorize.extend(
        numbers
            .iter()
            .take(2)
            .enumerate()
            .map(|(i, n)| (format!("picks[{i}]"), format!("{n}:2"))),
    );
    let outcome = json(
        post(&people.handler, categorize, "application/json")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        outcome["done"].as_array().map(Vec::len),
        Some(2),
        "{outcome}"
    );
    let categories: Vec<Option<String>> =
        sqlx::query_scalar("SELECT c.code FROM incidents i LEFT JOIN categories c ON c.id = i.category_id ORDER BY i.id").fetch_all(&app.pool).await.unwrap();
    assert_eq!(
        categories,
        [
            Some("consultation".to_owned()),
            Some("consultation".to_owned()),
            None
        ]
    );

    // Assigning needs someone to assign to; nothing picked is refused too.
    let res = post(
        &people.handler,
        vec![("action".into(), "assign".into())],
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json(res).await;
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["assignee", "picks"]);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action IN ('claim', 'categorize')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 5, "one audit line per incident changed");
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn service_levels_warn_once_when_close_and_once_when_missed(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let id = app.filed(&people.agent, "张三").await;
    let due = |minutes: i64| {
        sqlx::query("UPDATE incidents SET sla_due_at = now() + make_interval(mins => $2::int) WHERE id = $1")
            .bind(id)
            .bind(minutes as i32)
            .execute(&app.pool)
    };
    // P3 first response: 4 hours; "due soon" is its last quarter (one hour).
    due(120).await.expect("due in two hours");
    assert_eq!(
        app::server::desk::sweeps::sla_warnings(&app.pool)
            .await
            .expect("sweep"),
        0,
        "not close yet"
    );
    due(30).await.expect("due in half an hour");
    assert_eq!(
        app::server::desk::sweeps::sla_warnings(&app.pool)
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(
        app::server::desk::sweeps::sla_warnings(&app.pool)
            .await
            .expect("sweep"),
        0,
        "once per due time"
    );
    due(-1).await.expect("late");
    assert_eq!(
        app::server::desk::sweeps::sla_warnings(&app.pool)
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(
        app::server::desk::sweeps::sla_warnings(&app.pool)
            .await
            .expect("sweep"),
        0
    );
    let seen = kinds(&json(app.get(&people.handler, id).await).await);
    assert!(
        seen.contains(&"sla_due_soon".to_owned()) && seen.contains(&"sla_breached".to_owned()),
        "{seen:?}"
    );
    // The reporter never sees them.
    let theirs = json(app.get(&people.agent, id).await).await;
    assert!(
        !kinds(&theirs).iter().any(|k| k.starts_with("sla_")),
        "{:?}",
        kinds(&theirs)
    );
}
