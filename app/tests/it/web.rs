//! What the browser is told and what it keeps: no other site may act for a signed-in user
//! (server functions, form posts, sign-in and sign-out need our own `Origin`), every answer
//! carries the security headers, and nothing with customer data stays in the browser's cache.

use crate::common::{self, json, TestApp};
use reqwest::{header, multipart, Client, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use app::domain::accounts::Role;

const EVIL: &str = "https://evil.example.com";

async fn me(app: &TestApp, client: &Client) -> StatusCode {
    client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .status()
}

fn report_form() -> multipart::Form {
    multipart::Form::new()
        .text("idempotency_key", uuid::Uuid::new_v4().to_string())
        .text("customer.name", "张三")
        .text("customer.customer_no", "310012345678")
        .text("system", "trading")
        .text("description", common::DESCRIPTION)
}

async fn incidents(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = false)]
async fn another_site_cannot_act_for_a_signed_in_user(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let own = format!("http://{}", app.addr);
    let agent = app.agent().await;

    // A form post (the report form): refused from another site, however the browser says so.
    for (name, value) in [
        ("origin", EVIL),
        ("origin", "null"),
        ("origin", "http://127.0.0.1:1"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("referer", "https://evil.example.com/page"),
    ] {
        let res = agent
            .post(app.url("/api/incidents/create"))
            .header(header::ACCEPT, "application/json")
            .header(name, value)
            .multipart(report_form())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        let body = json(res).await;
        assert_eq!(body["error"]["code"], "cross_site", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("其他网站"),
            "translated: {body}"
        );
    }
    assert_eq!(incidents(&app).await, 0, "nothing was filed");
    // From our own pages it goes through (Origin, or only Sec-Fetch-Site, or only Referer).
    for (name, value) in [
        ("origin", own.clone()),
        ("sec-fetch-site", "same-origin".into()),
        ("referer", format!("{own}/report/new")),
    ] {
        let res = agent
            .post(app.url("/api/incidents/create"))
            .header(header::ACCEPT, "application/json")
            .header(name, value.clone())
            .multipart(report_form())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{name}: {value}");
    }
    assert_eq!(incidents(&app).await, 3);

    // A server function (sign-out): refused from another site, the session lives on.
    let res = agent
        .post(app.url("/api/auth/sign_out"))
        .header("origin", EVIL)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(me(&app, &agent).await, StatusCode::OK, "still signed in");

    // Login CSRF: another site cannot sign this browser into an account of its choosing.
    app.user("mole", "内鬼", Role::Reporter).await;
    let victim = app.client();
    let res = victim
        .post(app.url("/api/auth/sign_in"))
        .header("origin", EVIL)
        .form(&[
            ("login", "mole"),
            ("password", common::PASSWORD),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        me(&app, &victim).await,
        StatusCode::UNAUTHORIZED,
        "not signed in as the attacker's account"
    );

    // A bearer token is not a cookie: no other site can send one, so it is not asked where from.
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'agent'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let token = app::server::accounts::tokens::create(&app.pool, id, "itsm", None)
        .await
        .unwrap();
    let res = app
        .client()
        .post(app.url("/api/v1/incidents"))
        .bearer_auth(&token.token)
        .header("origin", EVIL)
        .multipart(multipart::Form::new().part(
            "incident",
            multipart::Part::text(json!({"customer": {"name": "张三", "customer_no": "310012345678"}, "system": "trading", "description": common::DESCRIPTION}).to_string())
                .mime_str("application/json")
                .unwrap(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);

    // Reading is not acting: a link from elsewhere still opens a page.
    let res = agent
        .get(app.url("/incidents"))
        .header("origin", EVIL)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // Sign-out from our own page ends the session and clears what the browser kept.
    let res = agent
        .post(app.url("/api/auth/sign_out"))
        .header("origin", own)
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    assert_eq!(
        res.headers()
            .get("clear-site-data")
            .and_then(|v| v.to_str().ok()),
        Some("\"cache\"")
    );
    assert_eq!(me(&app, &agent).await, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = false)]
async fn answers_carry_security_headers_and_customer_data_is_not_kept(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let people = app.people().await;
    let id = app.filed(&people.agent, "张三").await;
    let number = app.number_of(id).await;

    // A page: no-store, and a policy that runs only our scripts and the inline one it names.
    let res = people
        .agent
        .get(app.url(&format!("/incidents/{number}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    let html = res.text().await.unwrap();
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
    assert!(
        headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
        "no HSTS over plain http"
    );
    let csp = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"),
        "{csp}"
    );
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap();
    let sources: Vec<&str> = script_src.split_whitespace().collect();
    assert!(
        !sources.contains(&"'unsafe-inline'")
            && !sources.contains(&"'unsafe-eval'")
            && sources.contains(&"'wasm-unsafe-eval'"),
        "{script_src}"
    );
    let nonce = script_src
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("a nonce");
    assert!(nonce.len() >= 16, "{nonce}");
    // Every inline script of the page carries it; every other script is our own file.
    // (An empty inline script runs nothing, so no policy is asked about it.)
    let scripts: Vec<&str> = html
        .split("<script")
        .skip(1)
        .filter(|s| {
            !s.split_once('>')
                .is_some_and(|(_, rest)| rest.starts_with("</script>"))
        })
        .map(|s| s.split('>').next().unwrap_or_default())
        .collect();
    assert!(!scripts.is_empty());
    for tag in scripts {
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")) || tag.contains("src=\"/"),
            "a script the policy would block: <script{tag}>"
        );
    }
    // A second page has another nonce.
    let again = people
        .agent
        .get(app.url("/incidents"))
        .send()
        .await
        .unwrap();
    assert!(!again.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains(nonce));

    // JSON with customer data: no-store; a server function's answer too.
    let res = app.get(&people.agent, id).await;
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let res = people
        .agent
        .post(app.url("/api/incidents/get"))
        .form(&[("number", number.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");

    // A screenshot: asked for every time (no-cache), cheaply (ETag, 304), and only by whoever may.
    let form = multipart::Form::new()
        .text("body", "补充截图")
        .text("idempotency_key", uuid::Uuid::new_v4().to_string())
        .part(
            "screenshots",
            multipart::Part::bytes({
                let mut out = Vec::new();
                image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
                    64,
                    48,
                    image::Rgb([200, 30, 30]),
                ))
                .write_to(
                    &mut std::io::Cursor::new(&mut out),
                    image::ImageFormat::Jpeg,
                )
                .unwrap();
                out
            })
            .file_name("a.jpg"),
        );
    let res = people
        .agent
        .post(app.url(&format!("/api/v1/incidents/{id}/messages")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let shot = json(res).await["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e["screenshots"][0]["url"].as_str().map(str::to_owned))
        .unwrap();
    let res = people.agent.get(app.url(&shot)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "private, no-cache");
    let etag = res.headers()[header::ETAG].to_str().unwrap().to_owned();
    let res = people
        .agent
        .get(app.url(&shot))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert!(res.bytes().await.unwrap().is_empty());
    let res = people
        .agent2
        .get(app.url(&shot))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "another account is checked, not told 'unchanged'"
    );
}

#[sqlx::test(migrations = false)]
async fn under_https_browsers_are_told_to_stay_on_it(pool: PgPool) {
    let app = TestApp::spawn_with(pool, &[("MSS_PUBLIC_URL", "https://mss.example.com")]).await;
    let res = app.client().get(app.url("/login")).send().await.unwrap();
    assert!(res.headers()[header::STRICT_TRANSPORT_SECURITY]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
    // And only pages of that address may act.
    let res = app
        .client()
        .post(app.url("/api/auth/sign_in"))
        .header("origin", format!("http://{}", app.addr))
        .form(&[("login", "nobody"), ("password", "wrong-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .client()
        .post(app.url("/api/auth/sign_in"))
        .header("origin", "https://mss.example.com")
        .form(&[("login", "nobody"), ("password", "wrong-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
