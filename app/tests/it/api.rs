//! API tests: accounts, sessions, tokens, lists and the report form's basics, through the real
//! router (see `common`).

use crate::common::{self, json, TestApp, DESCRIPTION, PASSWORD};
use app::domain::accounts::Role;
use app::domain::desk::QueueQuery;
use app::domain::incident::views::Cursor;
use app::domain::report::{ReportForm, ReportRules};
use app::i18n::Locale;
use reqwest::{header, multipart, Response, StatusCode};
use sqlx::PgPool;

#[sqlx::test(migrations = false)]
async fn health_and_readiness(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let client = app.client();
    let res = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers().contains_key("x-request-id"),
        "every response carries its request id"
    );
    assert_eq!(
        client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // The database goes away: not ready, but still alive.
    pool.close().await;
    assert_eq!(
        client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrations = false)]
async fn sign_in_sets_a_fresh_http_only_lax_session(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.user("agent", "王小明", Role::Reporter).await;
    let client = app.client();
    // A failed plain-form sign-in leaves a session (it keeps the typed login for the form).
    let res = client
        .post(app.url("/api/auth/sign_in"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, app.url("/login"))
        .form(&[("login", "agent"), ("password", "wrong"), ("next", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let before = session_cookie(&res).expect("a session before sign-in");

    let res = app.sign_in(&client, "agent", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("mss_session="))
        .expect("session cookie set at sign-in")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let after = cookie.split(';').next().unwrap_or_default().to_owned();
    assert_ne!(before, after, "the session id is renewed at sign-in");

    let me = json(client.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!(me["login"], "agent");
    assert_eq!(me["role"], "reporter");

    // Signing out ends the session.
    let res = client
        .post(app.url("/api/auth/sign_out"))
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        client
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("mss_session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
}

#[sqlx::test(migrations = false)]
async fn repeated_failures_are_refused_for_a_while(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.user("agent", "王小明", Role::Reporter).await;
    let client = app.client();
    for _ in 0..5 {
        let res = app.sign_in(&client, "agent", "wrong-password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(json(res).await["kind"], "bad_credentials");
    }
    // Now even the right password is refused, with a clear, translatable error.
    let res = app.sign_in(&client, "agent", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = json(res).await;
    assert_eq!(body["kind"], "rate_limited", "{body}");
    assert!(body["retry_after_secs"].as_u64().unwrap_or(0) > 60);
    // Other accounts are not locked out by it.
    app.user("agent2", "李娜", Role::Reporter).await;
    assert_eq!(
        app.sign_in(&app.client(), "agent2", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

/// Whoever tries passwords cannot lock the owner out: the right password from a browser the
/// account signed in from before goes through (slowed, not refused); failures for logins that
/// do not exist count against an address, failures for real accounts do not.
#[sqlx::test(migrations = false)]
async fn an_attacker_cannot_lock_the_owner_out(pool: PgPool) {
    let app = TestApp::spawn_with(pool, &[("MSS_SIGNIN_MAX_FAILURES_PER_ADDRESS", "4")]).await;
    app.user("agent", "王小明", Role::Reporter).await;
    app.user("agent2", "李娜", Role::Reporter).await;
    // The owner's phone has signed in before (and signed out since).
    let phone = app.client();
    let res = app.sign_in(&phone, "agent", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|c| c.to_str().unwrap_or_default().starts_with("mss_device=")));
    assert!(phone
        .post(app.url("/api/auth/sign_out"))
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    // Someone tries passwords: five failures lock the login for every browser it does not know.
    let attacker = app.client();
    for _ in 0..5 {
        assert_eq!(
            app.sign_in(&attacker, "agent", "guess-123456")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.sign_in(&attacker, "agent", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        app.sign_in(&app.client(), "agent", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // A cookie this server did not make for the account is not adopted as a known browser.
    let planted = app.client();
    let fake = format!("mss_device={}", "ab".repeat(32));
    let res = planted
        .post(app.url("/api/auth/sign_in"))
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, &fake)
        .form(&[("login", "agent"), ("password", PASSWORD), ("next", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a made-up device is an unknown one"
    );
    // The owner's phone is not a way around the password ...
    assert_eq!(
        app.sign_in(&phone, "agent", "guess-654321").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // ... but with it, the owner gets in.
    assert_eq!(
        app.sign_in(&phone, "agent", PASSWORD).await.status(),
        StatusCode::OK
    );

    // All of that came from one address, and none of it counts against the address: a colleague
    // in the same office signs in from a browser never seen.
    let colleague = app.client();
    assert_eq!(
        app.sign_in(&colleague, "agent2", PASSWORD).await.status(),
        StatusCode::OK
    );
    // Trying logins that do not exist does: four lock the address for browsers it does not know.
    for i in 0..4 {
        assert_eq!(
            app.sign_in(&app.client(), &format!("nobody{i}"), "guess-123456")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.sign_in(&app.client(), "agent2", PASSWORD)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        app.sign_in(&colleague, "agent2", PASSWORD).await.status(),
        StatusCode::OK,
        "a known browser still gets in"
    );
    // A known browser has a budget of its own, not none: past four times the login's, it waits too.
    // (Sent at once: each failure counts before its slow-down.)
    let guesses: Vec<_> = (0..20)
        .map(|_| app.sign_in(&phone, "agent", "guess-000000"))
        .collect();
    futures::future::join_all(guesses).await;
    assert_eq!(
        app.sign_in(&phone, "agent", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[sqlx::test(migrations = false)]
async fn parallel_attempts_cannot_get_past_the_limit(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.user("agent", "王小明", Role::Reporter).await;
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (client, url) = (app.client(), app.url("/api/auth/sign_in"));
        attempts.spawn(async move {
            let form = [
                ("login", "agent"),
                ("password", "wrong-password"),
                ("next", ""),
            ];
            let res = client
                .post(url)
                .header(header::ACCEPT, "application/json")
                .form(&form)
                .send()
                .await;
            res.map(|r| r.status().as_u16()).unwrap_or(0)
        });
    }
    let mut statuses = attempts.join_all().await;
    statuses.sort();
    // Five failures are allowed, however the eight arrive; the rest are refused.
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
}

#[sqlx::test(migrations = false)]
async fn bearer_tokens_work_until_revoked(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let id = app.user("handler", "陈静", Role::Handler).await;
    let token = app::server::accounts::tokens::create(&app.pool, id, "itsm", None)
        .await
        .unwrap();
    let client = app.client();
    let res = client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json(res).await["role"], "handler");
    // A token acts with the account's role as it is now.
    sqlx::query("UPDATE users SET role = 'reporter' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let res = client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token.token)
        .send()
        .await
        .unwrap();
    assert_eq!(json(res).await["role"], "reporter");
    // One that expired lets nobody in; one that has not yet, does.
    let soon = app::server::accounts::tokens::create(
        &app.pool,
        id,
        "soon",
        Some(chrono::Utc::now() + chrono::Duration::hours(1)),
    )
    .await
    .unwrap();
    let past = app::server::accounts::tokens::create(
        &app.pool,
        id,
        "past",
        Some(chrono::Utc::now() - chrono::Duration::seconds(1)),
    )
    .await
    .unwrap();
    let status = |t: String| {
        let client = client.clone();
        let url = app.url("/api/v1/me");
        async move {
            client
                .get(url)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(status(soon.token.clone()).await, StatusCode::OK);
    assert_eq!(status(past.token.clone()).await, StatusCode::UNAUTHORIZED);
    let listed = app::server::accounts::tokens::list(&app.pool, id)
        .await
        .unwrap();
    assert!(
        listed
            .iter()
            .find(|t| t.id == soon.id)
            .unwrap()
            .last_used_at
            .is_some(),
        "last use recorded"
    );
    assert_eq!(
        listed.iter().find(|t| t.id == past.id).unwrap().state_now(),
        "expired"
    );

    assert!(
        app::server::accounts::tokens::revoke(&app.pool, token.id, None)
            .await
            .unwrap()
    );
    let res = client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token.token)
        .header(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body = json(res).await;
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(body["error"]["message"], "Please sign in first");
    assert_eq!(body["error"]["fields"], serde_json::json!([]));

    // Chinese unless asked otherwise.
    let body = json(
        client
            .get(app.url("/api/v1/incidents"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["error"]["message"], "请先登录");
}

#[sqlx::test(migrations = false)]
async fn a_report_is_filed_once_per_key(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.agent().await;
    let key = uuid::Uuid::new_v4().to_string();
    let first = app.report(&client, "张三", &key).await;
    assert_eq!(first.status(), StatusCode::OK);
    let number: String = first.json().await.unwrap();
    assert!(
        number.starts_with("MSS-") && number.len() == "MSS-20261121-0001".len(),
        "{number}"
    );
    // A double tap, a retry after a timeout: the same incident, not a second one.
    let again: String = app
        .report(&client, "张三", &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, number);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
    // A new key is a new incident with the next number of the day.
    let next = app.reported(&client, "李四").await;
    assert_eq!(&next[..13], &number[..13]);
    assert_eq!(
        next[13..].parse::<u32>().unwrap(),
        number[13..].parse::<u32>().unwrap() + 1
    );
}

#[sqlx::test(migrations = false)]
async fn bad_reports_name_every_field(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.agent().await;
    let fields = [
        ("customer.name", ""),
        ("customer.customer_no", "12ab"),
        ("description", "交易不了"),
        ("idempotency_key", "x"),
    ];
    let res = app.post_report(&client, &fields, "application/json").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json(res).await;
    assert_eq!(body["kind"], "validation");
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "customer_name",
            "customer_number",
            "system",
            "description",
            "idempotency_key"
        ]
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[sqlx::test(migrations = false)]
async fn without_javascript_a_bad_report_comes_back_filled_in(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.agent().await;
    let key = uuid::Uuid::new_v4().to_string();
    let fields = [
        ("customer.name", "欧阳娜娜"),
        ("customer.customer_no", "310099"),
        ("system", "trading"),
        ("description", "太短"),
        ("idempotency_key", key.as_str()),
    ];
    let res = app.post_report(&client, &fields, "text/html").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(
        location.contains("/report/new") && location.contains("__err="),
        "{location}"
    );
    let page = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("欧阳娜娜"), "what was typed is still there");
    assert!(
        page.contains(&key),
        "the same idempotency key goes with the retry"
    );
    assert!(page.contains("太短"));
    assert!(
        page.contains("至少 10 个字"),
        "the problem is said beside the field"
    );

    // And a good plain post lands on the confirmation page.
    let fields = [
        ("customer.name", "欧阳娜娜"),
        ("customer.customer_no", "310099"),
        ("system", "trading"),
        ("description", "客户无法登录 App，提示密码错误但密码正确"),
        ("idempotency_key", key.as_str()),
    ];
    let res = app.post_report(&client, &fields, "text/html").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with("/report/submitted/MSS-"), "{location}");
    // The confirmation names the key it filed: the page's script drops a draft kept under it.
    let (path, filed) = location.split_once("?filed=").expect("the filed key");
    assert_eq!(filed, key);
    let page = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(path.trim_start_matches("/report/submitted/")));
}

#[sqlx::test(migrations = false)]
async fn reporters_never_see_each_others_incidents(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let common::People {
        agent: a,
        agent2: b,
        handler: h,
    } = app.people().await;
    let number = app.reported(&a, "秘密客户").await;

    // Not in B's list (REST or server function) ...
    let list = json(b.get(app.url("/api/v1/incidents")).send().await.unwrap()).await;
    assert_eq!(list["items"], serde_json::json!([]));
    let list = json(
        b.post(app.url("/api/incidents/mine"))
            .header(header::ACCEPT, "application/json")
            .form(&[("cursor", "")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list["items"], serde_json::json!([]));
    // ... not by calling the server function with its number ...
    let res = b
        .post(app.url("/api/incidents/get"))
        .header(header::ACCEPT, "application/json")
        .form(&[("number", number.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("not_found") && !body.contains("秘密客户"),
        "{body}"
    );
    // ... and not by its URL.
    let res = b
        .get(app.url(&format!("/incidents/{number}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(!res.text().await.unwrap().contains("秘密客户"));
    // Its reporter sees it.
    let res = a
        .get(app.url(&format!("/incidents/{number}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("秘密客户"));

    // A reporter cannot open the desk, nor call its server function.
    let res = b.get(app.url("/desk")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = b
        .post(app.url("/api/desk/queue"))
        .header(header::ACCEPT, "application/json")
        .form(&[("query[q]", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("forbidden") && !body.contains("秘密客户"),
        "{body}"
    );

    // The desk sees it in the queue and on its page.
    let queue = json(h.get(app.url("/api/v1/incidents")).send().await.unwrap()).await;
    assert_eq!(queue["items"][0]["number"], number.as_str());
    let res = h
        .get(app.url(&format!("/desk/incidents/{number}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("秘密客户"));
}

#[sqlx::test(migrations = false)]
async fn pages_send_strangers_to_sign_in(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.client();
    let res = client
        .get(app.url("/incidents"))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[header::LOCATION], "/login?next=/incidents");
    let res = client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("登录") && html.contains(r#"lang="zh-CN""#),
        "Chinese by default"
    );
    let res = client
        .get(app.url("/login"))
        .header(header::ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("Sign in"));
    let res = client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = false)]
async fn lists_are_keyset_paginated_newest_first(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let reporter = app.user("agent", "王小明", Role::Reporter).await;
    for i in 0..25 {
        let form = ReportForm {
            customer_name: format!("客户{i}"),
            customer_no: "310012345678".into(),
            system: "trading".into(),
            description: DESCRIPTION.into(),
            idempotency_key: uuid::Uuid::new_v4().to_string(),
            ..ReportForm::default()
        };
        let new = form
            .parse(&ReportRules::default(), chrono::Utc::now())
            .unwrap();
        app::server::report::filing::create(&app.pool, reporter, &new, &[], &[])
            .await
            .unwrap();
    }
    let zh = Locale::zh_CN;
    let first = app::server::report::list::for_reporter(&app.pool, reporter, None, None, zh)
        .await
        .unwrap();
    assert_eq!(first.items.len(), 20);
    assert_eq!(
        first.items[0].customer_name.as_deref(),
        Some("客户24"),
        "newest first"
    );
    assert_eq!(first.items[0].system, "交易系统");
    let cursor = Cursor::parse(first.next_cursor.as_deref().unwrap()).unwrap();
    let second =
        app::server::report::list::for_reporter(&app.pool, reporter, None, Some(cursor), zh)
            .await
            .unwrap();
    assert_eq!(second.items.len(), 5);
    assert_eq!(second.items[4].customer_name.as_deref(), Some("客户0"));
    assert_eq!(second.next_cursor, None);
    let none_closed = app::server::report::list::for_reporter(
        &app.pool,
        reporter,
        Some(app::domain::incident::Status::Closed),
        None,
        zh,
    )
    .await
    .unwrap();
    assert!(none_closed.items.is_empty());
    // The desk's queue pages the same way (open incidents, newest first), with counts per state.
    let handler = app.user("handler", "陈静", Role::Handler).await;
    let viewer = app::domain::accounts::CurrentUser {
        id: handler,
        login: "handler".into(),
        display_name: "陈静".into(),
        role: Role::Handler,
    };
    let first_page = QueueQuery::default().parse().unwrap();
    let queue = app::server::desk::queue::queue(&app.pool, &viewer, &first_page, zh)
        .await
        .unwrap();
    assert_eq!(queue.items.len(), 20);
    let counts = app::server::desk::queue::open_counts(&app.pool, &Default::default())
        .await
        .unwrap();
    assert_eq!(counts, vec![(app::domain::incident::Status::New, 25)]);
    let next = QueueQuery {
        cursor: queue.next_cursor.clone(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let rest = app::server::desk::queue::queue(&app.pool, &viewer, &next, zh)
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 5);
    assert_eq!(rest.items[4].customer_name.as_deref(), Some("客户0"));
    // The lists can be served in order by an index, without sorting (sequential scans off to ask
    // the planner; which index it picks on a table this small is its business).
    let mut conn = app.pool.acquire().await.unwrap();
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut *conn)
        .await
        .unwrap();
    for sql in [
        "EXPLAIN SELECT id FROM incidents WHERE reporter_id = 1 AND (created_at, id) < (now(), 9) ORDER BY created_at DESC, id DESC LIMIT 21",
        "EXPLAIN SELECT id FROM incidents WHERE reporter_id = 1 AND status = 'new' AND (created_at, id) < (now(), 9) ORDER BY created_at DESC, id DESC LIMIT 21",
        "EXPLAIN SELECT id FROM incidents WHERE status = 'new' AND (created_at, id) < (now(), 9) ORDER BY created_at DESC, id DESC LIMIT 21",
    ] {
        let plan: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut *conn).await.unwrap();
        assert!(plan.iter().any(|l| l.contains("Index")) && !plan.iter().any(|l| l.contains("Sort")), "{plan:?}");
    }
}

#[sqlx::test(migrations = false)]
async fn the_rest_api_refuses_a_bad_cursor_with_fields(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let id = app.user("agent", "王小明", Role::Reporter).await;
    let token = app::server::accounts::tokens::create(&app.pool, id, "", None)
        .await
        .unwrap();
    let res = app
        .client()
        .get(app.url("/api/v1/incidents?cursor=garbage"))
        .bearer_auth(&token.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json(res).await;
    assert_eq!(body["error"]["code"], "validation");
    assert_eq!(body["error"]["fields"][0]["field"], "cursor");
    assert_eq!(body["error"]["fields"][0]["message"], "不是有效的值");
    let res = app
        .client()
        .get(app.url("/api/v1/incidents?cursor=a&cursor=b"))
        .bearer_auth(&token.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(res).await["error"]["code"], "bad_request");
    let res = app
        .client()
        .get(app.url("/api/v1/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(res).await["error"]["code"], "not_found");
}

/// Per-account limits: past the burst, reports, messages, uploads and actions are refused with
/// 429, `Retry-After` and a translated sentence, before any work; other accounts go on.
#[sqlx::test(migrations = false)]
async fn a_reporters_loop_is_stopped_by_their_limit_and_nobody_elses(pool: PgPool) {
    let app = TestApp::spawn_with(
        pool,
        &[
            ("MSS_LIMIT_REPORTS", "3,1/h"),
            ("MSS_LIMIT_MESSAGES", "2,1/h"),
            ("MSS_LIMIT_ACTIONS", "2,1/h"),
        ],
    )
    .await;
    let people = app.people().await;
    let mut numbers = Vec::new();
    for i in 0..3 {
        numbers.push(app.reported(&people.agent, &format!("客户{i}")).await);
    }
    let res = app
        .report(&people.agent, "客户9", &uuid::Uuid::new_v4().to_string())
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3000..=3600).contains(&wait), "{wait}");
    let error: app::AppError = res.json().await.unwrap();
    assert!(
        error.message(app::i18n::Locale::zh_CN).contains("分钟"),
        "{error:?}"
    );
    // Refused the same way, a plain form post (no JavaScript) comes back with what was typed.
    let form = multipart::Form::new()
        .text("idempotency_key", uuid::Uuid::new_v4().to_string())
        .text("customer.name", "欧阳娜娜")
        .text("system", "trading")
        .text("description", "限流时填写的说明不会丢失，稍后再提交");
    let res = people
        .agent
        .post(app.url("/api/incidents/create"))
        .header(header::ACCEPT, "text/html")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let page = people
        .agent
        .get(app.url(&back))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("限流时填写的说明不会丢失") && page.contains("欧阳娜娜"),
        "the form comes back filled in"
    );
    // The REST API counts against the same limit.
    let res = people
        .agent
        .post(app.url("/api/v1/incidents"))
        .multipart(multipart::Form::new().text("incident", serde_json::json!({"customer": {"name": "张三", "customer_no": "310012345678"}, "system": "trading", "description": DESCRIPTION}).to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    // Another reporter is not slowed by it.
    app.reported(&people.agent2, "客户A").await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 4);

    // Messages: two, then refused before anything is stored.
    let id: i64 = sqlx::query_scalar("SELECT id FROM incidents WHERE number = $1")
        .bind(&numbers[0])
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let message = |body: &str| {
        people
            .agent
            .post(app.url(&format!("/api/v1/incidents/{id}/messages")))
            .multipart(multipart::Form::new().text("body", body.to_owned()))
            .send()
    };
    assert_eq!(
        message("第一条补充说明").await.unwrap().status(),
        StatusCode::CREATED
    );
    assert_eq!(
        message("第二条补充说明").await.unwrap().status(),
        StatusCode::CREATED
    );
    assert_eq!(
        message("第三条补充说明").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Desk actions: the handler's own limit.
    let mut v = app
        .acted(
            &people.handler,
            id,
            serde_json::json!({"action": "claim", "version": 1}),
        )
        .await["version"]
        .as_i64()
        .unwrap();
    v = app
        .acted(
            &people.handler,
            id,
            serde_json::json!({"action": "note", "version": v, "body": "记一下"}),
        )
        .await["version"]
        .as_i64()
        .unwrap();
    let res = app
        .act(
            &people.handler,
            id,
            serde_json::json!({"action": "note", "version": v, "body": "再记一下"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// What a fuzzer sends is answered, never a server error: malformed or far-off dates are refused
/// (422), a NUL in a search or a description is dropped, a cursor from no time the app can hold
/// is refused.
#[sqlx::test(migrations = false)]
async fn odd_input_is_refused_or_cleaned_never_a_server_error(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    for query in [
        "from=-5000-01-01",
        "to=%2B262143-12-31",
        "from=2026-1-5",
        "from=-262144-01-01",
        "cursor=1_-99999999999999999_3",
    ] {
        let res = people
            .handler
            .get(app.url(&format!("/api/v1/incidents?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
    }
    let res = people
        .handler
        .get(app.url("/api/v1/incidents?q=%E5%BC%80%E6%88%B7%00"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let fields = [
        ("idempotency_key", "6f1c2c52-3a53-4a51-9b5c-0d7f4f3b1a11"),
        ("customer.name", "张\u{0}三"),
        ("customer.customer_no", "310012345678"),
        ("system", "trading"),
        (
            "description",
            "客户委托下单\u{0}一直提示系统繁忙，已重试三次",
        ),
    ];
    let res = app
        .post_report(&people.agent, &fields, "application/json")
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let (name, description): (String, String) =
        sqlx::query_as("SELECT customer_name, description FROM incidents")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (name.as_str(), description.as_str()),
        ("张三", "客户委托下单一直提示系统繁忙，已重试三次")
    );
}
