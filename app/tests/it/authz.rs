//! Who may reach what. Every route the app serves (the ones `startup` adds by hand, `/api/v1`,
//! the server functions and the pages) has a case here, and `every_route_has_a_case` fails when
//! one has none. Each case is then tried by people who must not see a reporter's incident:
//! nobody signed in, another reporter, a reporter who sits in the transfer group it waits on, a
//! member of another group, and a member and a handler demoted to reporter (while signed in)
//! after working on it. None may get its customer, description, thread or screenshots, and none
//! may leave a file behind by trying.

use crate::common::{json, TestApp};
use reqwest::{header, multipart, Client, Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::collections::BTreeSet;
use std::time::Duration;

use app::domain::accounts::Role;

const SECRET_CUSTOMER: &str = "甄秘密";
const SECRET_TEXT: &str = "绝密：客户资金账户被异常冻结";

/// The incident everybody here tries to reach, and its screenshot.
struct Target {
    id: i64,
    number: String,
    shot: i64,
    version: i64,
    /// A draft article written from it (the team's only).
    article: i64,
}

enum Body {
    None,
    Form(Vec<(&'static str, String)>),
    Json(Value),
    /// Multipart text parts, and one small photo.
    Multipart(Vec<(&'static str, String)>),
    /// The JSON part of `POST /api/v1/incidents`, and one small photo.
    Incident(Value),
}

struct Case {
    method: Method,
    /// The route as the router names it (`/api/v1/incidents/{id}`).
    route: String,
    /// Aimed at the target.
    path: String,
    body: Body,
}

fn case(method: Method, route: &str, path: String, body: Body) -> Case {
    Case {
        method,
        route: route.to_owned(),
        path,
        body,
    }
}

fn server_fn(endpoint: &str, args: &[(&'static str, &str)]) -> Case {
    let route = format!("/api/{endpoint}");
    let form = args.iter().map(|(k, v)| (*k, v.to_string())).collect();
    Case {
        method: Method::POST,
        route: route.clone(),
        path: route,
        body: Body::Form(form),
    }
}

fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, _| image::Rgb([(x * 3) as u8, 80, 160]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    out
}

/// One case per route, each aimed at the target. `auth/sign_out` comes last: it ends the session.
fn cases(t: &Target) -> Vec<Case> {
    use Method as M;
    let (id, n, shot, v) = (t.id, t.number.as_str(), t.shot, t.version.to_string());
    let a = t.article;
    let key = || uuid::Uuid::new_v4().to_string();
    vec![
        // By hand in `startup`.
        case(M::GET, "/healthz", "/healthz".into(), Body::None),
        case(M::GET, "/readyz", "/readyz".into(), Body::None),
        case(
            M::GET,
            "/lang/{locale}",
            format!("/lang/en?back=/incidents/{n}"),
            Body::None,
        ),
        case(
            M::POST,
            "/api/incidents/create",
            "/api/incidents/create".into(),
            Body::Multipart(vec![
                ("idempotency_key", key()),
                ("customer.name", "试探者".into()),
                ("customer.customer_no", "310055".into()),
                ("system", "trading".into()),
                ("description", format!("想看看 {n} 的内容")),
            ]),
        ),
        case(
            M::POST,
            "/api/incidents/{number}/messages",
            format!("/api/incidents/{n}/messages"),
            Body::Multipart(vec![
                ("body", "让我看看".into()),
                ("idempotency_key", key()),
            ]),
        ),
        case(
            M::POST,
            "/api/incidents/{number}/actions",
            format!("/api/incidents/{n}/actions"),
            Body::Multipart(vec![
                ("action", "note".into()),
                ("version", v.clone()),
                ("body", "内部备注".into()),
            ]),
        ),
        case(
            M::POST,
            "/api/kb/images",
            "/api/kb/images".into(),
            Body::Multipart(vec![("back", "/desk/kb/new".into())]),
        ),
        case(M::GET, "/api/live", "/api/live?after=0".into(), Body::None),
        case(
            M::GET,
            "/auth/wecom",
            format!("/auth/wecom?next=/incidents/{n}"),
            Body::None,
        ),
        case(
            M::GET,
            "/auth/wecom/callback",
            "/auth/wecom/callback?code=x&state=y".into(),
            Body::None,
        ),
        // The REST API.
        case(M::GET, "/api/v1/me", "/api/v1/me".into(), Body::None),
        case(
            M::GET,
            "/api/v1/incidents",
            "/api/v1/incidents?status=all".into(),
            Body::None,
        ),
        case(
            M::POST,
            "/api/v1/incidents",
            "/api/v1/incidents".into(),
            Body::Incident(
                json!({"customer": {"name": "试探者", "customer_no": "310055"}, "system": "trading", "description": format!("想看看 {n} 的内容")}),
            ),
        ),
        case(
            M::GET,
            "/api/v1/incidents/{id}",
            format!("/api/v1/incidents/{id}"),
            Body::None,
        ),
        case(
            M::POST,
            "/api/v1/incidents/{id}/messages",
            format!("/api/v1/incidents/{id}/messages"),
            Body::Multipart(vec![("body", "让我看看".into())]),
        ),
        case(
            M::POST,
            "/api/v1/incidents/{id}/actions",
            format!("/api/v1/incidents/{id}/actions"),
            Body::Json(json!({"action": "note", "version": t.version, "body": "内部备注"})),
        ),
        case(
            M::GET,
            "/api/v1/screenshots/{id}",
            format!("/api/v1/screenshots/{shot}"),
            Body::None,
        ),
        case(
            M::GET,
            "/api/v1/screenshots/{id}/thumb",
            format!("/api/v1/screenshots/{shot}/thumb"),
            Body::None,
        ),
        case(
            M::POST,
            "/api/v1/kb/articles",
            "/api/v1/kb/articles".into(),
            Body::Json(
                json!({"title": "试探文章", "body": format!("{n} 的内容"), "system": "trading", "status": "published"}),
            ),
        ),
        case(
            M::GET,
            "/api/v1/kb/articles/{id}",
            format!("/api/v1/kb/articles/{a}"),
            Body::None,
        ),
        case(
            M::PUT,
            "/api/v1/kb/articles/{id}",
            format!("/api/v1/kb/articles/{a}"),
            Body::Json(
                json!({"title": "改掉", "body": "改掉", "system": "trading", "status": "published", "version": 1}),
            ),
        ),
        case(
            M::DELETE,
            "/api/v1/kb/articles/{id}",
            format!("/api/v1/kb/articles/{a}"),
            Body::None,
        ),
        case(
            M::GET,
            "/api/v1/kb/articles/{id}/revisions",
            format!("/api/v1/kb/articles/{a}/revisions"),
            Body::None,
        ),
        case(
            M::GET,
            "/api/v1/kb/articles/{id}/compare",
            format!("/api/v1/kb/articles/{a}/compare?from=1&to=1"),
            Body::None,
        ),
        case(
            M::POST,
            "/api/v1/kb/articles/{id}/revisions/{rev}/restore",
            format!("/api/v1/kb/articles/{a}/revisions/1/restore"),
            Body::None,
        ),
        case(
            M::GET,
            "/api/v1/kb/search",
            "/api/v1/kb/search?q=绝密 冻结".into(),
            Body::None,
        ),
        case(
            M::POST,
            "/api/v1/incidents/{id}/kb-draft",
            format!("/api/v1/incidents/{id}/kb-draft"),
            Body::None,
        ),
        case(
            M::GET,
            "/api/v1/openapi.json",
            "/api/v1/openapi.json".into(),
            Body::None,
        ),
        // Server functions.
        server_fn("auth/me", &[]),
        server_fn(
            "auth/sign_in",
            &[
                ("login", "nobody"),
                ("password", "wrong-password"),
                ("next", ""),
            ],
        ),
        server_fn("auth/options", &[]),
        server_fn("auth/sign_in_form", &[]),
        server_fn("desk/queue", &[]),
        server_fn("desk/incident", &[("number", n)]),
        server_fn("desk/reveal", &[("number", n), ("field", "id_number")]),
        server_fn("desk/bulk", &[("action", "claim"), ("incidents[0]", n)]),
        server_fn("knowledge/home", &[]),
        server_fn("knowledge/list", &[("system", "trading")]),
        server_fn("knowledge/article", &[("id", &a.to_string())]),
        server_fn("knowledge/search", &[("q", "绝密 冻结")]),
        server_fn(
            "knowledge/vote",
            &[
                ("id", &a.to_string()),
                ("helpful", "no"),
                ("reason", "看看"),
            ],
        ),
        server_fn("knowledge/desk/list", &[("q", "绝密")]),
        server_fn("knowledge/desk/editor", &[("id", &a.to_string())]),
        server_fn(
            "knowledge/desk/save",
            &[
                ("id", &a.to_string()),
                ("title", "改掉"),
                ("body", "改掉"),
                ("system", "trading"),
                ("status", "published"),
                ("version", "1"),
            ],
        ),
        server_fn("knowledge/desk/preview", &[("body", "# 预览")]),
        server_fn(
            "knowledge/desk/restore",
            &[("id", &a.to_string()), ("revision", "1")],
        ),
        server_fn("knowledge/desk/delete", &[("id", &a.to_string())]),
        server_fn("knowledge/desk/draft", &[("number", n)]),
        server_fn("knowledge/desk/hot", &[]),
        server_fn("knowledge/desk/recompute", &[]),
        server_fn("knowledge/words", &[]),
        server_fn(
            "knowledge/words/add",
            &[("kind", "term"), ("words", "内鬼词")],
        ),
        server_fn("knowledge/words/remove", &[("kind", "term"), ("id", "1")]),
        server_fn("incidents/form", &[]),
        server_fn("incidents/mine", &[]),
        server_fn("incidents/get", &[("number", n)]),
        server_fn("incidents/thread", &[("number", n)]),
        server_fn("incidents/message_form", &[("number", n)]),
        server_fn(
            "incidents/settle",
            &[
                ("number", n),
                ("solved", "true"),
                ("version", &v),
                ("rating", "5"),
                ("body", ""),
            ],
        ),
        server_fn("admin/users", &[]),
        server_fn("admin/user", &[("login", "agent")]),
        server_fn("admin/tokens/revoke", &[("login", "agent"), ("id", "1")]),
        server_fn(
            "admin/users/create",
            &[
                ("login", "mole"),
                ("display_name", "内鬼"),
                ("role", "admin"),
                ("password", "long-enough-1"),
            ],
        ),
        server_fn(
            "admin/users/update",
            &[
                ("login", "agent"),
                ("display_name", "王小明"),
                ("role", "admin"),
            ],
        ),
        server_fn(
            "admin/users/disable",
            &[("login", "handler"), ("disabled", "true")],
        ),
        server_fn(
            "admin/users/password",
            &[("login", "handler"), ("password", "long-enough-1")],
        ),
        server_fn("admin/lists", &[]),
        server_fn(
            "admin/lists/save",
            &[
                ("kind", "system"),
                ("code", "mole"),
                ("name_zh", "内鬼"),
                ("name_en", "Mole"),
            ],
        ),
        server_fn("admin/replies", &[]),
        server_fn("admin/canned/save", &[("title", "内鬼"), ("body", "内鬼")]),
        server_fn(
            "admin/sla/save",
            &[
                ("priority", "P1"),
                ("first_response_minutes", "1"),
                ("resolution_minutes", "1"),
            ],
        ),
        server_fn("admin/audit", &[]),
        server_fn("admin/deliveries", &[]),
        server_fn("admin/deliveries/retry", &[("id", "1")]),
        // Pages.
        case(M::GET, "/", "/".into(), Body::None),
        case(
            M::GET,
            "/login",
            format!("/login?next=/incidents/{n}"),
            Body::None,
        ),
        case(M::GET, "/report/new", "/report/new".into(), Body::None),
        case(
            M::GET,
            "/report/submitted/{number}",
            format!("/report/submitted/{n}"),
            Body::None,
        ),
        case(
            M::GET,
            "/incidents",
            "/incidents?status=all".into(),
            Body::None,
        ),
        case(
            M::GET,
            "/incidents/{number}",
            format!("/incidents/{n}"),
            Body::None,
        ),
        case(M::GET, "/desk", "/desk?status=all".into(), Body::None),
        case(
            M::GET,
            "/desk/incidents/{number}",
            format!("/desk/incidents/{n}"),
            Body::None,
        ),
        case(M::GET, "/admin/users", "/admin/users".into(), Body::None),
        case(
            M::GET,
            "/admin/users/{login}",
            "/admin/users/agent".into(),
            Body::None,
        ),
        case(M::GET, "/admin/lists", "/admin/lists".into(), Body::None),
        case(
            M::GET,
            "/admin/replies",
            "/admin/replies".into(),
            Body::None,
        ),
        case(
            M::GET,
            "/admin/audit",
            format!("/admin/audit?incident={n}"),
            Body::None,
        ),
        case(
            M::GET,
            "/admin/deliveries",
            "/admin/deliveries".into(),
            Body::None,
        ),
        case(M::GET, "/desk/kb", "/desk/kb?q=绝密".into(), Body::None),
        case(M::GET, "/desk/kb/new", "/desk/kb/new".into(), Body::None),
        case(M::GET, "/desk/kb/hot", "/desk/kb/hot".into(), Body::None),
        case(M::GET, "/desk/kb/{id}", format!("/desk/kb/{a}"), Body::None),
        case(
            M::GET,
            "/admin/search-words",
            "/admin/search-words".into(),
            Body::None,
        ),
        case(M::GET, "/help", "/help".into(), Body::None),
        case(
            M::GET,
            "/help/search",
            "/help/search?q=绝密 冻结".into(),
            Body::None,
        ),
        case(
            M::GET,
            "/help/systems/{code}",
            "/help/systems/trading".into(),
            Body::None,
        ),
        case(
            M::GET,
            "/help/articles/{id}",
            format!("/help/articles/{a}"),
            Body::None,
        ),
        server_fn("auth/sign_out", &[]),
    ]
}

/// What the router serves: its own routes, `/api/v1`, the server functions, the pages.
fn served() -> BTreeSet<(String, String)> {
    use app::server::infra::{openapi, startup};
    let mut all = BTreeSet::new();
    for (method, path) in startup::ROUTES {
        all.insert((method.to_string(), path.to_string()));
    }
    for (method, path) in openapi::ROUTES {
        all.insert((
            method.to_string(),
            format!("{}{path}", app::paths::rest::BASE),
        ));
    }
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        all.insert((method.to_string(), path.to_string()));
    }
    for page in leptos_axum::generate_route_list(app::App) {
        // `/incidents/:number` as axum writes it: `/incidents/{number}`.
        let path = page
            .path()
            .split('/')
            .map(|s| {
                s.strip_prefix(':')
                    .map(|p| format!("{{{p}}}"))
                    .unwrap_or_else(|| s.to_owned())
            })
            .collect::<Vec<_>>()
            .join("/");
        all.insert((
            "GET".into(),
            if path.is_empty() { "/".into() } else { path },
        ));
    }
    all
}

#[tokio::test]
async fn every_route_has_a_case() {
    let t = Target {
        id: 1,
        number: "MSS-20261124-0001".into(),
        shot: 1,
        version: 1,
        article: 1,
    };
    let covered: BTreeSet<(String, String)> = cases(&t)
        .iter()
        .map(|c| (c.method.to_string(), c.route.clone()))
        .collect();
    let served = served();
    let missing: Vec<_> = served.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "routes without an authorization case: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "cases for routes that do not exist: {stale:?}"
    );
}

async fn send(app: &TestApp, client: &Client, c: &Case) -> (StatusCode, String) {
    // A refused upload is answered before its body is read, and the server then closes that
    // connection; the client may already have put it back for the next request, which then
    // fails to go out. A GET that got no answer is sent again, as a browser does.
    let mut res = match request(app, client, c).send().await {
        Err(e) if c.method == Method::GET && !e.is_timeout() => {
            request(app, client, c).send().await
        }
        sent => sent,
    }
    .unwrap_or_else(|e| panic!("{} {}: {e}", c.method, c.path));
    let status = res.status();
    // A live stream never ends: what it sends in a second is what it would have shown.
    let mut body = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while let Ok(Some(chunk)) = res.chunk().await {
            body.extend_from_slice(&chunk);
        }
    })
    .await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// The case as a request (made again for a retry: a multipart body is used up when sent).
fn request(app: &TestApp, client: &Client, c: &Case) -> reqwest::RequestBuilder {
    let url = app.url(&c.path);
    let request = client
        .request(c.method.clone(), &url)
        .header(header::ACCEPT, "application/json");
    let request = match &c.body {
        Body::None => request,
        Body::Form(fields) => request.form(fields),
        Body::Json(value) => request.json(value),
        Body::Multipart(fields) => {
            let mut form = multipart::Form::new();
            for (k, v) in fields {
                form = form.text(k.to_string(), v.clone());
            }
            request.multipart(form.part(
                "screenshots",
                multipart::Part::bytes(photo()).file_name("peek.jpg"),
            ))
        }
        Body::Incident(incident) => request.multipart(
            multipart::Form::new()
                .part(
                    "incident",
                    multipart::Part::text(incident.to_string())
                        .mime_str("application/json")
                        .unwrap(),
                )
                .part(
                    "screenshots",
                    multipart::Part::bytes(photo()).file_name("peek.jpg"),
                ),
        ),
    };
    // A request left unanswered fails the test, naming itself, instead of hanging it.
    request.timeout(Duration::from_secs(30))
}

/// Signs `login` in on a fresh client (the session stays open across a role change).
async fn signed_in(app: &TestApp, login: &str, name: &str, role: Role) -> Client {
    app.user(login, name, role).await;
    app.signed_in(login).await
}

#[sqlx::test(migrations = false)]
async fn nobody_but_its_reporter_and_the_team_reaches_an_incident(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    // The reporter's incident, with a screenshot, transferred to operations.
    let incident = json!({"customer": {"name": SECRET_CUSTOMER, "customer_no": "310012345678"}, "system": "trading", "description": SECRET_TEXT});
    let res = people
        .agent
        .post(app.url("/api/v1/incidents"))
        .multipart(
            multipart::Form::new()
                .part(
                    "incident",
                    multipart::Part::text(incident.to_string())
                        .mime_str("application/json")
                        .unwrap(),
                )
                .part(
                    "screenshots",
                    multipart::Part::bytes(photo()).file_name("secret.jpg"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let filed = json(res).await;
    let id = filed["id"].as_i64().unwrap();
    let shot = filed["screenshots"][0]["id"].as_i64().unwrap();
    let mut v = app
        .acted(
            &people.handler,
            id,
            json!({"action": "claim", "version": 1}),
        )
        .await["version"]
        .as_i64()
        .unwrap();
    v = app.acted(&people.handler, id, json!({"action": "transfer", "version": v, "group": "operations", "body": "请运维查看冻结原因"})).await["version"].as_i64().unwrap();
    // A member of operations and a second handler work on it, then both are made reporters
    // while their sessions stay open.
    let ops = app.member("ops", "operations").await;
    v = app
        .acted(
            &ops,
            id,
            json!({"action": "note", "version": v, "body": "运维：已查看"}),
        )
        .await["version"]
        .as_i64()
        .unwrap();
    let handler2 = signed_in(&app, "handler2", "周敏", Role::Handler).await;
    v = app
        .acted(
            &handler2,
            id,
            json!({"action": "note", "version": v, "body": "二线：已查看"}),
        )
        .await["version"]
        .as_i64()
        .unwrap();
    sqlx::query("UPDATE users SET role = 'reporter' WHERE login IN ('ops', 'handler2')")
        .execute(&app.pool)
        .await
        .unwrap();
    let groups_left: i64 = sqlx::query_scalar("SELECT count(*) FROM group_members gm JOIN users u ON u.id = gm.user_id WHERE u.login = 'ops'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(groups_left, 0, "a member made reporter leaves their groups");
    // A reporter who sits in operations all the same (data from before groups were for members).
    let ghost = signed_in(&app, "ghost", "钱多多", Role::Reporter).await;
    sqlx::raw_sql(
        "ALTER TABLE group_members DISABLE TRIGGER group_members_member_role;
         INSERT INTO group_members (group_id, user_id) SELECT g.id, u.id FROM groups g, users u WHERE g.code = 'operations' AND u.login = 'ghost';
         ALTER TABLE group_members ENABLE TRIGGER group_members_member_role;",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let dev = app.member("dev", "development").await;
    // The team's draft about it: nobody else reads, finds or changes it.
    let res = people
        .handler
        .post(app.url("/api/v1/kb/articles"))
        .json(&json!({"title": "冻结原因（草稿）", "body": SECRET_TEXT, "system": "trading"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let article = json(res).await["id"].as_i64().unwrap();
    let t = Target {
        id,
        number: app.number_of(id).await,
        shot,
        version: v,
        article,
    };

    // The marker is there to be found: its reporter and the desk see it.
    for (who, client) in [
        ("its reporter", &people.agent),
        ("a handler", &people.handler),
    ] {
        let (status, body) = send(
            &app,
            client,
            &case(
                Method::GET,
                "",
                format!("/api/v1/incidents/{id}"),
                Body::None,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert!(
            body.contains(SECRET_CUSTOMER) && body.contains(SECRET_TEXT),
            "{who} sees it"
        );
        let (status, _) = send(
            &app,
            client,
            &case(
                Method::GET,
                "",
                format!("/api/v1/screenshots/{shot}"),
                Body::None,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{who} sees its screenshot");
    }

    let intruders = [
        ("nobody signed in", app.client()),
        ("another reporter", people.agent2),
        ("a reporter in its group", ghost),
        ("a member of another group", dev),
        ("a member made reporter", ops),
        ("a handler made reporter", handler2),
    ];
    for (who, client) in &intruders {
        for c in cases(&t) {
            let (status, body) = send(&app, client, &c).await;
            assert!(
                !body.contains(SECRET_CUSTOMER)
                    && !body.contains(SECRET_TEXT)
                    && !body.contains(&format!("\"incident\":\"{}\"", t.number)),
                "{who}: {} {} ({status}) shows the incident: {}",
                c.method,
                c.path,
                body.chars().take(300).collect::<String>()
            );
            if c.route.starts_with("/api/v1/screenshots") {
                assert!(
                    matches!(status, StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED),
                    "{who}: {} gave {status}",
                    c.path
                );
            }
            assert!(
                !status.is_server_error(),
                "{who}: {} {} failed: {status} {body}",
                c.method,
                c.path
            );
        }
    }
    // Nothing they sent reached the incident, and no file of theirs was even stored.
    let entries: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM incident_events e JOIN users u ON u.id = e.actor_id
         WHERE e.incident_id = $1 AND e.created_at > (SELECT max(created_at) FROM incident_events WHERE incident_id = $1 AND body = '二线：已查看')",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(entries, 0, "no message or note of theirs was added");
    let stored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM screenshots s JOIN users u ON u.id = s.uploader_id WHERE u.login IN ('agent2', 'ghost', 'dev', 'ops', 'handler2')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // Their own new reports (one by form, one by the API, each with a photo) are theirs to file.
    let own_reports: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents i JOIN users u ON u.id = i.reporter_id WHERE u.login IN ('agent2', 'ghost', 'ops', 'handler2')")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        stored, own_reports,
        "only the photos of their own reports were stored, none of their tries on this incident"
    );
    let (articles, revisions, deleted, votes, words, runs): (i64, i64, bool, i64, i64, i64) =
        sqlx::query_as(
            "SELECT (SELECT count(*) FROM kb_articles), (SELECT count(*) FROM kb_revisions),
                (SELECT deleted_at IS NOT NULL FROM kb_articles WHERE id = $1),
                (SELECT count(*) FROM kb_feedback), (SELECT count(*) FROM kb_terms),
                (SELECT count(*) FROM job_runs WHERE claimed_by <> 'scheduler')",
        )
        .bind(article)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        (articles, revisions, deleted, votes, words, runs),
        (1, 1, false, 0, 0, 0),
        "no article was written, changed, deleted or voted on by them, no word added, nothing recomputed"
    );
}

/// A live stream acts with the account's role as it is now: a handler demoted to reporter stops
/// hearing of other people's incidents within the recheck (a minute; here a second).
#[sqlx::test(migrations = false)]
async fn an_open_live_stream_follows_a_role_change(pool: PgPool) {
    let app = TestApp::spawn_with(pool, &[("MSS_LIVE_RECHECK_SECS", "1")]).await;
    let people = app.people().await;
    let id = app.filed(&people.agent, SECRET_CUSTOMER).await;
    let number = app.number_of(id).await;
    let handler2 = signed_in(&app, "handler2", "周敏", Role::Handler).await;
    let mut stream = handler2.get(app.url("/api/live")).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let mut v = app
        .acted(
            &people.handler,
            id,
            json!({"action": "claim", "version": 1}),
        )
        .await["version"]
        .as_i64()
        .unwrap();
    assert!(
        read_for(&mut stream, 2).await.contains(&number),
        "as a handler, the stream tells of the change"
    );
    sqlx::query("UPDATE users SET role = 'reporter' WHERE login = 'handler2'")
        .execute(&app.pool)
        .await
        .unwrap();
    // Past the recheck, then a change to someone else's incident.
    let _ = read_for(&mut stream, 2).await;
    v = app
        .acted(
            &people.handler,
            id,
            json!({"action": "reply", "version": v, "body": "已在处理"}),
        )
        .await["version"]
        .as_i64()
        .unwrap();
    // Their own report, as a reporter now, is still told of: the stream lives on, as a reporter's.
    let own = app.reported(&handler2, "自己的客户").await;
    let own_id: i64 = sqlx::query_scalar("SELECT id FROM incidents WHERE number = $1")
        .bind(&own)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    app.acted(
        &people.handler,
        own_id,
        json!({"action": "claim", "version": 1}),
    )
    .await;
    let after = read_for(&mut stream, 2).await;
    assert!(
        !after.contains(&number),
        "made reporter, the stream no longer tells of it: {after}"
    );
    assert!(
        after.contains(&own),
        "the stream goes on for what is theirs: {after}"
    );
    let _ = v;
}

/// What a stream sends within `secs` seconds.
async fn read_for(stream: &mut reqwest::Response, secs: u64) -> String {
    let mut seen = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(secs), async {
        while let Ok(Some(chunk)) = stream.chunk().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    seen
}
