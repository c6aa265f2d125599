//! The admin's server functions through the real router and PostgreSQL (see `common`): accounts
//! (and disabling one ending its sessions), the lists, canned replies, service levels, and the
//! search of the audit trail; who may call them; plain form posts that keep what was typed.

use crate::common::{json, TestApp, PASSWORD};
use reqwest::{header, Client, Response, StatusCode};
use serde_json::Value;
use sqlx::PgPool;

use app::domain::accounts::Role;

impl TestApp {
    /// An admin (管理员 Admin), signed in.
    async fn admin(&self) -> Client {
        self.user("boss", "管理员", Role::Admin).await;
        self.signed_in("boss").await
    }

    /// A server function called as the page's script does (JSON back, no page).
    async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(&format!("/api/admin/{endpoint}")))
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("server function request")
    }

    async fn called(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) {
        let res = self.call(client, endpoint, form).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{endpoint} {form:?}: {}",
            res.text().await.unwrap_or_default()
        );
    }

    async fn me(&self, client: &Client) -> StatusCode {
        client
            .get(self.url("/api/v1/me"))
            .send()
            .await
            .expect("me")
            .status()
    }

    async fn audit_actions(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT action FROM audit_log WHERE incident_id IS NULL ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .expect("audit")
    }
}

/// The field and reason code of a refused call.
async fn refused(res: Response) -> (u16, Vec<(String, String)>) {
    let status = res.status().as_u16();
    let body: Value = json(res).await;
    let fields = body["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap_or_default().to_owned(),
                        f["reason"]["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (status, fields)
}

const NEW_MEMBER: [(&str, &str); 7] = [
    ("login", "Zhao.Li"),
    ("display_name", "赵丽"),
    ("role", "member"),
    ("password", "first-password-1"),
    ("wecom_user_id", "ZhaoLi"),
    ("groups[0]", "operations"),
    ("groups[2]", "testing"),
];

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn admins_create_and_change_accounts(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin().await;
    app.called(&admin, "users/create", &NEW_MEMBER).await;

    let list = json(app.call(&admin, "users", &[("search", "zhao")]).await).await;
    let users = list["users"].as_array().expect("users");
    assert_eq!(users.len(), 1, "{list}");
    assert_eq!(users[0]["login"], "zhao.li");
    assert_eq!(users[0]["wecom_user_id"], "ZhaoLi");
    assert_eq!(
        users[0]["groups"],
        serde_json::json!(["testing", "operations"])
    );
    // The new account signs in with its password, and works its groups' queue.
    let zhao = app.client();
    assert_eq!(
        app.sign_in(&zhao, "zhao.li", "first-password-1")
            .await
            .status(),
        StatusCode::OK
    );

    // Taken login and WeCom id are the form's mistakes, named.
    let (status, fields) = refused(app.call(&admin, "users/create", &NEW_MEMBER).await).await;
    assert_eq!(
        (status, fields),
        (422, vec![("login".into(), "taken".into())])
    );
    let other = [
        ("login", "qian"),
        ("display_name", "钱"),
        ("role", "reporter"),
        ("password", "long-enough-1"),
        ("wecom_user_id", "zhaoli"),
    ];
    let (status, fields) = refused(app.call(&admin, "users/create", &other).await).await;
    assert_eq!(
        (status, fields),
        (422, vec![("wecom_user_id".into(), "taken".into())]),
        "WeCom ids compare without case"
    );
    let bad = [
        ("login", "x"),
        ("display_name", ""),
        ("role", "root"),
        ("password", "short"),
        ("groups[0]", "nobody"),
    ];
    let (status, fields) = refused(app.call(&admin, "users/create", &bad).await).await;
    assert_eq!(status, 422);
    let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(names, ["login", "display_name", "role", "password"]);
    let unknown_group = [
        ("login", "sun"),
        ("display_name", "孙"),
        ("role", "member"),
        ("password", "long-enough-1"),
        ("groups[0]", "nobody"),
    ];
    let (_, fields) = refused(app.call(&admin, "users/create", &unknown_group).await).await;
    assert_eq!(fields, vec![("group".into(), "unknown_value".into())]);

    // Changed: a handler now, in no group, WeCom id removed.
    app.called(
        &admin,
        "users/update",
        &[
            ("login", "zhao.li"),
            ("display_name", "赵丽丽"),
            ("role", "handler"),
            ("wecom_user_id", ""),
        ],
    )
    .await;
    let one = json(app.call(&admin, "user", &[("login", "ZHAO.LI")]).await).await;
    assert_eq!(one["user"]["display_name"], "赵丽丽");
    assert_eq!(one["user"]["role"], "handler");
    assert_eq!(one["user"]["groups"], serde_json::json!([]));
    assert_eq!(one["user"]["wecom_user_id"], Value::Null);
    assert_eq!(one["own"], false);

    assert_eq!(app.audit_actions().await, ["user.create", "user.update"]);
    let detail: Value =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'user.create'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(
        !detail.to_string().contains("first-password"),
        "no password in the audit trail: {detail}"
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn only_admins_manage(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    for (client, status) in [
        (&people.handler, StatusCode::FORBIDDEN),
        (&people.agent, StatusCode::FORBIDDEN),
        (&app.client(), StatusCode::UNAUTHORIZED),
    ] {
        for (endpoint, form) in [
            ("users", vec![]),
            ("users/create", NEW_MEMBER.to_vec()),
            (
                "users/disable",
                vec![("login", "agent"), ("disabled", "true")],
            ),
            (
                "users/password",
                vec![("login", "agent"), ("password", "taken-over-1")],
            ),
            ("lists", vec![]),
            (
                "lists/save",
                vec![
                    ("kind", "system"),
                    ("code", "evil"),
                    ("name_zh", "坏"),
                    ("name_en", "Bad"),
                ],
            ),
            ("replies", vec![]),
            (
                "sla/save",
                vec![
                    ("priority", "P1"),
                    ("first_response_minutes", "1"),
                    ("resolution_minutes", "1"),
                ],
            ),
            ("audit", vec![]),
        ] {
            assert_eq!(
                app.call(client, endpoint, &form).await.status(),
                status,
                "{endpoint}"
            );
        }
    }
    let systems: i64 = sqlx::query_scalar("SELECT count(*) FROM systems WHERE code = 'evil'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(systems, 0);
    assert_eq!(
        app.me(&people.agent).await,
        StatusCode::OK,
        "the reporter was not disabled"
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn disabling_an_account_ends_its_sessions(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin().await;
    app.user("agent", "王小明", Role::Reporter).await;
    let phone = app.signed_in("agent").await;
    let laptop = app.signed_in("agent").await;
    assert_eq!(app.me(&phone).await, StatusCode::OK);

    app.called(
        &admin,
        "users/disable",
        &[("login", "agent"), ("disabled", "true")],
    )
    .await;
    assert_eq!(app.me(&phone).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me(&laptop).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.sign_in(&app.client(), "agent", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Enabled again: the old sessions stay ended; signing in works.
    app.called(
        &admin,
        "users/disable",
        &[("login", "agent"), ("disabled", "false")],
    )
    .await;
    assert_eq!(
        app.me(&phone).await,
        StatusCode::UNAUTHORIZED,
        "an ended session does not come back"
    );
    let again = app.signed_in("agent").await;
    assert_eq!(app.me(&again).await, StatusCode::OK);

    // A new password ends the sessions too; the old password no longer works.
    app.called(
        &admin,
        "users/password",
        &[("login", "agent"), ("password", "brand-new-pass")],
    )
    .await;
    assert_eq!(app.me(&again).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.sign_in(&app.client(), "agent", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.sign_in(&app.client(), "agent", "brand-new-pass")
            .await
            .status(),
        StatusCode::OK
    );
    let (status, fields) = refused(
        app.call(
            &admin,
            "users/password",
            &[("login", "agent"), ("password", "short")],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, fields),
        (422, vec![("password".into(), "too_short".into())])
    );

    // Not on one's own account.
    let (status, fields) = refused(
        app.call(
            &admin,
            "users/disable",
            &[("login", "boss"), ("disabled", "true")],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, fields),
        (422, vec![("login".into(), "own_account".into())])
    );
    let (_, fields) = refused(
        app.call(
            &admin,
            "users/update",
            &[
                ("login", "boss"),
                ("display_name", "管理员"),
                ("role", "handler"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(fields, vec![("role".into(), "own_account".into())]);
    assert_eq!(app.me(&admin).await, StatusCode::OK);
    assert_eq!(
        app.call(
            &admin,
            "users/disable",
            &[("login", "nobody"), ("disabled", "true")]
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.audit_actions().await,
        ["user.disable", "user.enable", "user.password"]
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn lists_grow_and_retire_but_keep_their_categories(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin().await;
    let reporter_systems = |pool: PgPool| async move {
        let systems = app::server::report::filing::systems(&pool, app::i18n::Locale::zh_CN)
            .await
            .expect("systems");
        systems.into_iter().map(|s| s.code).collect::<Vec<String>>()
    };
    app.called(
        &admin,
        "lists/save",
        &[
            ("kind", "system"),
            ("code", "futures"),
            ("name_zh", "期货"),
            ("name_en", "Futures"),
            ("position", "5"),
        ],
    )
    .await;
    assert_eq!(
        reporter_systems(app.pool.clone())
            .await
            .first()
            .map(String::as_str),
        Some("futures")
    );
    let (_, fields) = refused(
        app.call(
            &admin,
            "lists/save",
            &[
                ("kind", "system"),
                ("code", "futures"),
                ("name_zh", "期货"),
                ("name_en", "Futures"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(fields, vec![("code".into(), "taken".into())]);

    let id: i64 = sqlx::query_scalar("SELECT id FROM systems WHERE code = 'futures'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let id = id.to_string();
    // Retired (no `active`): reports no longer offer it.
    app.called(
        &admin,
        "lists/save",
        &[
            ("kind", "system"),
            ("id", &id),
            ("name_zh", "期货"),
            ("name_en", "Futures"),
            ("position", "5"),
        ],
    )
    .await;
    assert!(!reporter_systems(app.pool.clone())
        .await
        .contains(&"futures".to_owned()));

    // A sub-category under 数据类; the category itself cannot be retired.
    app.called(
        &admin,
        "lists/save",
        &[
            ("kind", "category"),
            ("code", "data_fix"),
            ("parent", "data"),
            ("name_zh", "数据修复"),
            ("name_en", "Data fix"),
        ],
    )
    .await;
    let data: i64 = sqlx::query_scalar("SELECT id FROM categories WHERE code = 'data'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    app.called(
        &admin,
        "lists/save",
        &[
            ("kind", "category"),
            ("id", &data.to_string()),
            ("name_zh", "数据"),
            ("name_en", "Data"),
            ("position", "1"),
        ],
    )
    .await;
    let (active, name): (bool, String) =
        sqlx::query_as("SELECT active, name_zh FROM categories WHERE id = $1")
            .bind(data)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(active, "a category stays in use");
    assert_eq!(name, "数据");
    let lists = json(app.call(&admin, "lists", &[]).await).await;
    let fix = lists["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "data_fix")
        .cloned()
        .expect("listed");
    assert_eq!(fix["parent"], "data");
    assert_eq!(
        app.call(
            &admin,
            "lists/save",
            &[
                ("kind", "group"),
                ("id", "999999"),
                ("name_zh", "无"),
                ("name_en", "None")
            ]
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.audit_actions().await,
        ["list.save", "list.save", "list.save", "list.save"]
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn canned_replies_and_service_levels(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin().await;
    app.called(
        &admin,
        "canned/save",
        &[
            ("title", "请重启"),
            ("body", "{customer_name}您好，{number} 请重启 App 再试"),
            ("position", "1"),
        ],
    )
    .await;
    let (_, fields) = refused(
        app.call(
            &admin,
            "canned/save",
            &[("title", "错"), ("body", "{name} 您好")],
        )
        .await,
    )
    .await;
    assert_eq!(fields, vec![("body".into(), "unknown_variable".into())]);
    let replies = json(app.call(&admin, "replies", &[]).await).await;
    let canned = replies["canned"].as_array().unwrap();
    assert_eq!(canned[0]["title"], "请重启");
    let id = canned[0]["id"].as_i64().unwrap().to_string();
    // Retired: the desk no longer offers it.
    app.called(
        &admin,
        "canned/save",
        &[
            ("id", &id),
            ("title", "请重启"),
            ("body", "请重启"),
            ("position", "1"),
        ],
    )
    .await;
    let offered: i64 =
        sqlx::query_scalar("SELECT count(*) FROM canned_replies WHERE active AND title = '请重启'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(offered, 0);

    // P1: answer within an hour from now on.
    app.called(
        &admin,
        "sla/save",
        &[
            ("priority", "P1"),
            ("first_response_minutes", "15"),
            ("resolution_minutes", "60"),
        ],
    )
    .await;
    let (_, fields) = refused(
        app.call(
            &admin,
            "sla/save",
            &[
                ("priority", "P2"),
                ("first_response_minutes", "60"),
                ("resolution_minutes", "30"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        fields,
        vec![("resolution_minutes".into(), "before_first_response".into())]
    );
    let replies = json(app.call(&admin, "replies", &[]).await).await;
    assert_eq!(
        replies["sla"][0],
        serde_json::json!({ "priority": "P1", "first_response_minutes": 15, "resolution_minutes": 60 })
    );
    assert_eq!(
        replies["sla"][1]["resolution_minutes"], 1440,
        "P2 unchanged"
    );
    assert_eq!(
        app.audit_actions().await,
        ["canned.save", "canned.save", "sla.save"]
    );
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn the_audit_trail_is_searchable_by_admins(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let admin = app.admin().await;
    let number = app.reported(&people.agent, "张三").await;
    app.reported(&people.agent, "李四").await;
    for i in 0..55 {
        app.called(
            &admin,
            "lists/save",
            &[
                ("kind", "system"),
                ("code", &format!("sys_{i}")),
                ("name_zh", "系统"),
                ("name_en", "System"),
            ],
        )
        .await;
    }
    let page = |q: Vec<(&'static str, String)>| {
        let (app, admin) = (&app, &admin);
        async move {
            let form: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
            json(app.call(admin, "audit", &form).await).await
        }
    };
    let by_incident = page(vec![("query[incident]", number.clone())]).await;
    let items = by_incident["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{by_incident}");
    assert_eq!(items[0]["action"], "submit");
    assert_eq!(items[0]["actor"], "王小明 (agent)");

    let by_admin = page(vec![
        ("query[actor]", "boss".into()),
        ("query[action]", "list.save".into()),
    ])
    .await;
    assert_eq!(by_admin["items"].as_array().unwrap().len(), 50, "a page");
    let cursor = by_admin["next_cursor"].as_str().expect("more").to_owned();
    let rest = page(vec![
        ("query[actor]", "boss".into()),
        ("query[action]", "list.save".into()),
        ("query[cursor]", cursor),
    ])
    .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 5);
    assert_eq!(rest["next_cursor"], Value::Null);
    assert_eq!(
        rest["items"][4]["detail"]
            .as_str()
            .map(|d| d.contains("sys_0")),
        Some(true),
        "oldest last"
    );

    let submitted = page(vec![
        ("query[action]", "submit".into()),
        ("query[from]", "2000-01-01".into()),
        ("query[to]", "2000-01-02".into()),
    ])
    .await;
    assert_eq!(
        submitted["items"].as_array().unwrap().len(),
        0,
        "dates narrow it"
    );
    let res = app
        .call(&admin, "audit", &[("query[action]", "DROP TABLE")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "app::server::infra::db::MIGRATOR")]
async fn a_refused_plain_form_keeps_what_was_typed(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin().await;
    let typed = [
        ("login", "wu.lei"),
        ("display_name", "吴磊"),
        ("role", "member"),
        ("password", "short"),
        ("groups[1]", "development"),
    ];
    let res = admin
        .post(app.url("/api/admin/users/create"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, app.url("/admin/users"))
        .form(&typed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&app.url("/admin/users?")) && location.contains("__err="),
        "{location}"
    );
    let page = admin
        .get(&location)
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"value="wu.lei""#), "the login is kept");
    assert!(page.contains(r#"value="吴磊""#), "the name is kept");
    assert!(
        page.contains("至少 8 个字"),
        "the password's problem is shown"
    );
    assert!(!page.contains(r#"value="short""#), "the password is not");
    assert!(
        page.contains(r#"value="development" checked"#),
        "the ticked group stays ticked"
    );

    // Put right: saved, and the page says so.
    let good = [
        ("login", "wu.lei"),
        ("display_name", "吴磊"),
        ("role", "member"),
        ("password", "long-enough-1"),
        ("groups[1]", "development"),
    ];
    let res = admin
        .post(app.url("/api/admin/users/create"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, app.url("/admin/users"))
        .form(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(location, "/admin/users?saved=user.new");
    let page = admin
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("已保存") && page.contains("wu.lei"),
        "saved and listed"
    );
}
