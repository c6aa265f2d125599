//! Live updates and WeCom sign-in through the real app and PostgreSQL: the event stream
//! (`/api/live`) across two app instances sharing one database, what a reporter's stream never
//! carries, catching up after a dropped connection, read receipts and unread counts; and
//! signing in through WeCom's OAuth2 against the fake WeCom on loopback.

use crate::common::{self, FakeWecomHarness, TestApp};
use app::server::notify::fake_wecom::FakeConfig;
use reqwest::{header, redirect, Client, Response, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::time::Duration;

/// One server-sent event.
#[derive(Debug)]
struct Sse {
    event: String,
    id: Option<i64>,
    data: Value,
}

/// Reads a `text/event-stream` response event by event.
struct Stream {
    res: Response,
    buffer: String,
}

impl Stream {
    async fn open(client: &Client, url: String, last_event_id: Option<i64>) -> Stream {
        let mut request = client.get(url).header(header::ACCEPT, "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let res = request.send().await.expect("stream");
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/event-stream"));
        Stream {
            res,
            buffer: String::new(),
        }
    }

    /// The next event (keep-alive comments skipped), or `None` after `wait` without one.
    async fn next(&mut self, wait: Duration) -> Option<Sse> {
        let until = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut sse = Sse {
                    event: String::new(),
                    id: None,
                    data: Value::Null,
                };
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        sse.event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        sse.id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        sse.data = serde_json::from_str(v.trim()).unwrap_or(Value::Null);
                    }
                }
                if sse.event.is_empty() {
                    continue;
                }
                return Some(sse);
            }
            match tokio::time::timeout_at(until, self.res.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// Events until one of `kind` arrives (within `wait` each); all of them, that one last.
    async fn until(&mut self, kind: &str, wait: Duration) -> Vec<Sse> {
        let mut seen = Vec::new();
        while let Some(sse) = self.next(wait).await {
            let done = sse.data["kind"] == kind;
            seen.push(sse);
            if done {
                return seen;
            }
        }
        panic!("no {kind} event; saw {seen:?}");
    }
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn changes_reach_streams_on_another_instance_and_reporters_never_see_internal_ones(
    pool: PgPool,
) {
    // Two instances behind a load balancer, one database: the reporter is connected to the
    // second, the handler works through the first.
    let first = TestApp::spawn(pool.clone()).await;
    let second = TestApp::spawn(pool).await;
    let people = first.people().await;
    let id = first.filed(&people.agent, "张三").await;
    let number = first.number_of(id).await;
    let mut reporter = Stream::open(&people.agent, second.url("/api/live"), None).await;
    let mut desk = Stream::open(&people.handler, second.url("/api/live"), None).await;
    // Give both streams a moment to be registered with the second instance's listener.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let claimed = first
        .acted(
            &people.handler,
            id,
            json!({ "action": "claim", "version": 1 }),
        )
        .await;
    let noted = first
        .acted(
            &people.handler,
            id,
            json!({ "action": "note", "version": claimed["version"], "body": "内部备注" }),
        )
        .await;
    first
        .acted(
            &people.handler,
            id,
            json!({ "action": "reply", "version": noted["version"], "body": "请重新上传" }),
        )
        .await;

    let seen = reporter.until("reply", Duration::from_secs(3)).await;
    let kinds: Vec<&str> = seen
        .iter()
        .map(|e| e.data["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        kinds,
        vec!["claimed", "reply"],
        "the internal note never reaches the reporter"
    );
    assert!(seen
        .iter()
        .all(|e| e.event == "change" && e.data["incident"] == number.as_str() && e.id.is_some()));
    let desk_kinds: Vec<String> = desk
        .until("reply", Duration::from_secs(3))
        .await
        .iter()
        .map(|e| e.data["kind"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        desk_kinds,
        vec!["claimed", "note", "reply"],
        "the desk sees everything"
    );

    // Another reporter hears nothing of someone else's incident.
    let mut stranger = Stream::open(&people.agent2, first.url("/api/live"), None).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    first.reported(&people.agent2, "李四").await;
    let own = stranger
        .next(Duration::from_secs(3))
        .await
        .expect("their own incident");
    assert_eq!(own.data["kind"], "submitted");
    assert_ne!(own.data["incident"], number.as_str());

    // Signed out: no stream.
    let anonymous = first
        .client()
        .get(first.url("/api/live"))
        .send()
        .await
        .expect("stream");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn the_reporter_of_a_merged_duplicate_follows_the_answers_live(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
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
    let mut follower = Stream::open(&people.agent2, app.url("/api/live"), None).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    // The merge moved the survivor on to version 2.
    let claimed = app
        .acted(
            &people.handler,
            survivor,
            json!({ "action": "claim", "version": 2 }),
        )
        .await;
    let noted = app
        .acted(
            &people.handler,
            survivor,
            json!({ "action": "note", "version": claimed["version"], "body": "内部" }),
        )
        .await;
    let replied = app
        .acted(
            &people.handler,
            survivor,
            json!({ "action": "reply", "version": noted["version"], "body": "在查" }),
        )
        .await;
    app.acted(
        &people.handler,
        survivor,
        json!({ "action": "answer", "version": replied["version"], "body": "已恢复" }),
    )
    .await;

    // The reply and the answer, as changes to their own incident (whose page shows them); not
    // the claim or the note.
    let seen = follower.until("answered", Duration::from_secs(3)).await;
    let told: Vec<(&str, &str)> = seen
        .iter()
        .map(|e| {
            (
                e.data["kind"].as_str().unwrap_or_default(),
                e.data["incident"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        told,
        vec![
            ("reply", duplicate_number.as_str()),
            ("answered", duplicate_number.as_str())
        ]
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn a_dropped_stream_catches_up_from_the_last_event_it_saw(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let id = app.filed(&people.agent, "张三").await;
    let mut stream = Stream::open(&people.agent, app.url("/api/live"), None).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let claimed = app
        .acted(
            &people.handler,
            id,
            json!({ "action": "claim", "version": 1 }),
        )
        .await;
    let last = stream
        .until("claimed", Duration::from_secs(3))
        .await
        .pop()
        .and_then(|e| e.id)
        .expect("an id");
    drop(stream);

    // While the reporter's phone is in a tunnel, the handler replies twice.
    let replied = app
        .acted(
            &people.handler,
            id,
            json!({ "action": "reply", "version": claimed["version"], "body": "一" }),
        )
        .await;
    app.acted(
        &people.handler,
        id,
        json!({ "action": "reply", "version": replied["version"], "body": "二" }),
    )
    .await;

    // The browser reconnects with the last id it saw: it gets both, in order, and nothing twice.
    let mut again = Stream::open(&people.agent, app.url("/api/live"), Some(last)).await;
    let first = again
        .next(Duration::from_secs(3))
        .await
        .expect("first missed");
    let second = again
        .next(Duration::from_secs(3))
        .await
        .expect("second missed");
    assert_eq!(
        (first.data["kind"].as_str(), second.data["kind"].as_str()),
        (Some("reply"), Some("reply"))
    );
    assert!(first.id.unwrap_or(0) > last && second.id > first.id);
    assert!(
        again.next(Duration::from_millis(500)).await.is_none(),
        "nothing else, nothing twice"
    );
    drop(again);

    // Days offline: more than a thousand entries behind. Not replayed one by one: the page is
    // told that anything may have changed, and the stream goes on from now.
    let handler: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'handler'")
        .fetch_one(&app.pool)
        .await
        .expect("handler");
    sqlx::query("INSERT INTO incident_events (incident_id, kind, actor_id, body) SELECT $1, 'reply', $2, 'r' || k FROM generate_series(1, 1001) k")
        .bind(id)
        .bind(handler)
        .execute(&app.pool)
        .await
        .expect("a thousand entries");
    let mut late = Stream::open(&people.agent, app.url("/api/live"), Some(last)).await;
    let reset = late.next(Duration::from_secs(3)).await.expect("a reset");
    assert_eq!(
        (
            reset.data["incident"].as_str(),
            reset.data["kind"].as_str(),
            reset.id
        ),
        (Some("*"), Some("reset"), None)
    );
    assert!(
        late.next(Duration::from_millis(500)).await.is_none(),
        "not the thousand entries"
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn the_reporter_sees_unread_answers_and_when_the_team_read_their_message(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let id = app.filed(&people.agent, "张三").await;
    let number = app.number_of(id).await;
    let mine = |client: Client| {
        let url = app.url("/api/incidents/mine");
        async move {
            common::json(
                client
                    .post(url)
                    .header(header::ACCEPT, "application/json")
                    .form(&[("status", "")])
                    .send()
                    .await
                    .expect("mine"),
            )
            .await
        }
    };
    let queue = |client: Client| {
        let url = app.url("/api/desk/queue");
        async move {
            common::json(
                client
                    .post(url)
                    .header(header::ACCEPT, "application/json")
                    .form(&Vec::<(String, String)>::new())
                    .send()
                    .await
                    .expect("queue"),
            )
            .await
        }
    };
    assert_eq!(mine(people.agent.clone()).await["items"][0]["unread"], 0);
    // The desk has not opened it: one unread? No: a new report is not a message.
    let claimed = app
        .acted(
            &people.handler,
            id,
            json!({ "action": "claim", "version": 1 }),
        )
        .await;
    app.acted(
        &people.handler,
        id,
        json!({ "action": "reply", "version": claimed["version"], "body": "请重新上传" }),
    )
    .await;
    assert_eq!(
        mine(people.agent.clone()).await["items"][0]["unread"],
        2,
        "claimed and the reply"
    );

    // The reporter opens it: read; and writes back.
    let detail = |client: Client| {
        let url = app.url("/api/incidents/get");
        let number = number.clone();
        async move {
            common::json(
                client
                    .post(url)
                    .header(header::ACCEPT, "application/json")
                    .form(&[("number", number)])
                    .send()
                    .await
                    .expect("get"),
            )
            .await
        }
    };
    detail(people.agent.clone()).await;
    assert_eq!(mine(people.agent.clone()).await["items"][0]["unread"], 0);
    let form = reqwest::multipart::Form::new()
        .text("body", "已经上传")
        .text("idempotency_key", uuid::Uuid::new_v4().to_string());
    let res = people
        .agent
        .post(app.url(&format!("/api/incidents/{number}/messages")))
        .header(header::ACCEPT, "application/json")
        .multipart(form)
        .send()
        .await
        .expect("message");
    assert!(res.status().is_success());
    let seen = detail(people.agent.clone()).await;
    let message_id = seen["timeline"]
        .as_array()
        .and_then(|t| t.last())
        .and_then(|e| e["id"].as_i64())
        .expect("message");
    assert!(
        seen["team_read_upto"].as_i64().unwrap_or(0) < message_id,
        "not read by the team yet"
    );
    // The handler's queue shows it unread, until they open the incident.
    let row = |q: &Value| {
        q["page"]["items"]
            .as_array()
            .and_then(|i| i.iter().find(|r| r["id"] == id).cloned())
            .expect("in the queue")
    };
    assert_eq!(row(&queue(people.handler.clone()).await)["unread"], 1);

    let mut stream = Stream::open(&people.agent, app.url("/api/live"), None).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let desk_view = people
        .handler
        .post(app.url("/api/desk/incident"))
        .header(header::ACCEPT, "application/json")
        .form(&[("number", number.as_str())])
        .send()
        .await
        .expect("desk");
    assert_eq!(desk_view.status(), StatusCode::OK);
    assert_eq!(row(&queue(people.handler.clone()).await)["unread"], 0);
    // The reporter's page hears that it was read, and the message shows read.
    let read = stream
        .next(Duration::from_secs(3))
        .await
        .expect("read event");
    assert_eq!(
        (read.event.as_str(), read.data["incident"].as_str()),
        ("read", Some(number.as_str()))
    );
    assert!(
        detail(people.agent.clone()).await["team_read_upto"]
            .as_i64()
            .unwrap_or(0)
            >= message_id
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn people_sign_in_through_wecom(pool: PgPool) {
    let wecom = FakeWecomHarness::start(FakeConfig::default()).await;
    let app = TestApp::spawn_with_wecom(pool, &wecom, &[]).await;
    app.user("agent", "王小明", app::domain::accounts::Role::Reporter)
        .await;
    sqlx::query("UPDATE users SET wecom_user_id = 'WangXM' WHERE login = 'agent'")
        .execute(&app.pool)
        .await
        .expect("linked");
    let client = Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .expect("client");
    let location = |res: &Response| {
        res.headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };

    // To WeCom's page, which comes back with a code (the member is signed in to WeCom).
    let go = client
        .get(app.url("/auth/wecom?next=/incidents"))
        .send()
        .await
        .expect("start");
    assert_eq!(go.status(), StatusCode::SEE_OTHER);
    let to_wecom = location(&go);
    assert!(
        to_wecom.contains("/connect/oauth2/authorize?appid=ww-fake-corp")
            && to_wecom.contains("scope=snsapi_base")
            && to_wecom.ends_with("#wechat_redirect"),
        "{to_wecom}"
    );
    wecom.fake.sign_in_as("wangxm");
    let back = client
        .get(to_wecom.trim_end_matches("#wechat_redirect"))
        .send()
        .await
        .expect("WeCom");
    let callback = reqwest::Url::parse(&location(&back)).expect("callback URL");
    assert_eq!(callback.path(), "/auth/wecom/callback");
    let query = callback.query().unwrap_or_default().to_owned();

    let done = client
        .get(app.url(&format!("/auth/wecom/callback?{query}")))
        .send()
        .await
        .expect("callback");
    assert_eq!(
        (done.status(), location(&done)),
        (StatusCode::SEE_OTHER, "/incidents".to_owned())
    );
    let me = common::json(client.get(app.url("/api/v1/me")).send().await.expect("me")).await;
    assert_eq!(
        me["login"], "agent",
        "WeCom ids match without regard to case"
    );

    // The same code again (a replayed link) signs nobody in.
    let stranger = Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .expect("client");
    let replay = stranger
        .get(app.url(&format!("/auth/wecom/callback?{query}")))
        .send()
        .await
        .expect("replay");
    assert_eq!(
        location(&replay),
        "/login?wecom=expired",
        "the state was not this browser's"
    );

    // A WeCom member with no MSS account is told so.
    let other = Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .expect("client");
    let go = other
        .get(app.url("/auth/wecom"))
        .send()
        .await
        .expect("start");
    wecom.fake.sign_in_as("nobody");
    let back = other
        .get(location(&go).trim_end_matches("#wechat_redirect"))
        .send()
        .await
        .expect("WeCom");
    let query = reqwest::Url::parse(&location(&back))
        .expect("callback")
        .query()
        .unwrap_or_default()
        .to_owned();
    let refused = other
        .get(app.url(&format!("/auth/wecom/callback?{query}")))
        .send()
        .await
        .expect("callback");
    assert_eq!(location(&refused), "/login?wecom=unknown");
    assert_eq!(
        other
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .expect("me")
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Opened inside WeCom, the sign-in page goes straight to WeCom sign-in.
    let inside = other
        .get(app.url("/login?next=%2Fincidents"))
        .header(
            header::USER_AGENT,
            "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 wxwork/4.1.22 MicroMessenger/7.0.1",
        )
        .send()
        .await
        .expect("login");
    assert_eq!(location(&inside), "/auth/wecom?next=%2Fincidents");
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn without_the_wecom_application_sign_in_says_so(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let res = app
        .client()
        .get(app.url("/auth/wecom"))
        .send()
        .await
        .expect("start");
    assert_eq!(res.headers()[header::LOCATION], "/login?wecom=off");
    let page = app
        .client()
        .get(app.url("/login?wecom=off"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .unwrap_or_default();
    assert!(page.contains("企业微信登录没有开启"), "the reason is shown");
}
