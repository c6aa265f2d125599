//! The test harness: the real application (`Application::build_with_pool`, the same router
//! `main` serves) on port 0, against a real PostgreSQL database made for each test by
//! `#[sqlx::test]`, with its own blob directory.

use app::domain::accounts::{DisplayName, Login, Role};
use app::server::accounts::auth::hash_password;
use app::server::{Application, Settings};
use leptos::config::LeptosOptions;
use reqwest::{header, multipart, redirect, Client, Response, StatusCode};
use serde_json::Value;
use sqlx::PgPool;
use std::net::SocketAddr;
use std::path::PathBuf;

pub mod camera;

pub const PASSWORD: &str = "correct-horse-9";
pub const DESCRIPTION: &str = "客户开户时人脸识别一直失败，提示检测超时";

pub struct TestApp {
    pub addr: SocketAddr,
    pub pool: PgPool,
    pub blob_dir: PathBuf,
    /// Its background tasks (live updates, the push worker): aborted as a crash would.
    pub background: Vec<tokio::task::AbortHandle>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.blob_dir);
    }
}

impl TestApp {
    pub async fn spawn(pool: PgPool) -> TestApp {
        TestApp::spawn_with(pool, &[]).await
    }

    /// With extra settings (`MSS_REPORT_REQUIRED`, …).
    pub async fn spawn_with(pool: PgPool, extra: &[(&str, &str)]) -> TestApp {
        let blob_dir =
            std::env::temp_dir().join(format!("mss-test-blobs-{}", uuid::Uuid::new_v4()));
        let blob_dir_text = blob_dir.to_string_lossy().into_owned();
        let settings = Settings::from_lookup(|key| match key {
            // The pool is handed over directly; the URL is never used.
            "DATABASE_URL" => Some("postgres://unused".into()),
            "MSS_ADDR" => Some("127.0.0.1:0".into()),
            "MSS_BLOB_DIR" => Some(blob_dir_text.clone()),
            other => extra
                .iter()
                .find(|(k, _)| *k == other)
                .map(|(_, v)| v.to_string()),
        })
        .expect("test settings");
        let options = LeptosOptions::builder()
            .output_name("mss")
            .site_root("target/site")
            .build();
        let app = Application::build_with_pool(settings, options, pool.clone())
            .await
            .expect("app builds");
        let addr = app.addr();
        let background = app.background();
        tokio::spawn(app.run_until(std::future::pending()));
        let app = TestApp {
            addr,
            pool,
            blob_dir,
            background,
        };
        app.wait_ready().await;
        app
    }

    /// With a fake WeCom (see `FakeWecomHarness`) and `extra` settings.
    pub async fn spawn_with_wecom(
        pool: PgPool,
        wecom: &FakeWecomHarness,
        extra: &[(&str, &str)],
    ) -> TestApp {
        let mut settings: Vec<(&str, &str)> = wecom
            .settings
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        settings.extend_from_slice(extra);
        TestApp::spawn_with(pool, &settings).await
    }

    /// The state of another instance on the same database (its own index, caches and
    /// workers, none started): for driving background work, such as the scheduler, directly.
    pub fn another_instance(&self) -> app::server::AppState {
        let blob_dir = self.blob_dir.to_string_lossy().into_owned();
        let settings = Settings::from_lookup(|key| match key {
            "DATABASE_URL" => Some("postgres://unused".into()),
            "MSS_ADDR" => Some("127.0.0.1:0".into()),
            "MSS_BLOB_DIR" => Some(blob_dir.clone()),
            _ => None,
        })
        .expect("test settings");
        let options = LeptosOptions::builder()
            .output_name("mss")
            .site_root("target/site")
            .build();
        app::server::AppState::new(self.pool.clone(), settings, options).expect("state")
    }

    /// Until `/readyz` answers 200 (the search index built at start-up), at most 30 s.
    pub async fn wait_ready(&self) {
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(res) = client.get(self.url("/readyz")).send().await {
                if res.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the app did not become ready within 30 s");
    }

    /// Stops the background tasks mid-flight, as a crash would.
    pub fn crash_background(&self) {
        for task in &self.background {
            task.abort();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A browser-like client that keeps cookies and does not follow redirects.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub async fn user(&self, login: &str, name: &str, role: Role) -> i64 {
        let hash = hash_password(PASSWORD.into()).await.expect("hash");
        app::server::accounts::users::insert(
            &self.pool,
            &Login::parse(login).expect("login"),
            &DisplayName::parse(name).expect("name"),
            role,
            &hash,
        )
        .await
        .expect("user inserted")
    }

    /// A reporter (agent 王小明), signed in.
    pub async fn agent(&self) -> Client {
        self.user("agent", "王小明", Role::Reporter).await;
        self.signed_in("agent").await
    }

    /// The usual cast, signed in: two reporters (agent 王小明, agent2 李娜) and a handler (陈静).
    pub async fn people(&self) -> People {
        self.user("agent", "王小明", Role::Reporter).await;
        self.user("agent2", "李娜", Role::Reporter).await;
        self.user("handler", "陈静", Role::Handler).await;
        People {
            agent: self.signed_in("agent").await,
            agent2: self.signed_in("agent2").await,
            handler: self.signed_in("handler").await,
        }
    }

    /// Signs in as a server-function client would (the wasm's fetch): JSON back, no page.
    pub async fn sign_in(&self, client: &Client, login: &str, password: &str) -> Response {
        client
            .post(self.url("/api/auth/sign_in"))
            .header(header::ACCEPT, "application/json")
            .form(&[("login", login), ("password", password), ("next", "")])
            .send()
            .await
            .expect("sign-in request")
    }

    pub async fn signed_in(&self, login: &str) -> Client {
        let client = self.client();
        let res = self.sign_in(&client, login, PASSWORD).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "sign-in of {login}: {}",
            res.text().await.unwrap_or_default()
        );
        client
    }

    /// Posts the report form as its script does (multipart, JSON back).
    pub async fn post_report(
        &self,
        client: &Client,
        fields: &[(&str, &str)],
        accept: &str,
    ) -> Response {
        let mut form = multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        client
            .post(self.url("/api/incidents/create"))
            .header(header::ACCEPT, accept)
            .multipart(form)
            .send()
            .await
            .expect("report request")
    }

    pub async fn report(&self, client: &Client, customer: &str, key: &str) -> Response {
        let fields = [
            ("idempotency_key", key),
            ("customer.name", customer),
            ("customer.customer_no", "310012345678"),
            ("system", "account_opening"),
            ("description", DESCRIPTION),
        ];
        self.post_report(client, &fields, "application/json").await
    }

    pub async fn reported(&self, client: &Client, customer: &str) -> String {
        let res = self
            .report(client, customer, &uuid::Uuid::new_v4().to_string())
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<String>().await.expect("incident number")
    }
}

/// The desk's side, through the REST API (a signed-in client's session works there too).
impl TestApp {
    /// `POST /api/v1/incidents/{id}/actions` with `body`.
    pub async fn act(&self, client: &Client, id: i64, body: Value) -> Response {
        client
            .post(self.url(&format!("/api/v1/incidents/{id}/actions")))
            .json(&body)
            .send()
            .await
            .expect("action request")
    }

    /// The action, which must succeed; the incident after it.
    pub async fn acted(&self, client: &Client, id: i64, body: Value) -> Value {
        let res = self.act(client, id, body.clone()).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{body}: {}",
            res.text().await.unwrap_or_default()
        );
        json(res).await
    }

    pub async fn get(&self, client: &Client, id: i64) -> Response {
        client
            .get(self.url(&format!("/api/v1/incidents/{id}")))
            .send()
            .await
            .expect("incident request")
    }

    /// A report by `client`; its id.
    pub async fn filed(&self, client: &Client, customer: &str) -> i64 {
        let number = self.reported(client, customer).await;
        sqlx::query_scalar("SELECT id FROM incidents WHERE number = $1")
            .bind(number)
            .fetch_one(&self.pool)
            .await
            .expect("incident")
    }

    /// The number of incident `id`.
    pub async fn number_of(&self, id: i64) -> String {
        sqlx::query_scalar("SELECT number FROM incidents WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .expect("incident number")
    }

    /// A group member (role `member`) of `group`, signed in.
    pub async fn member(&self, login: &str, group: &str) -> Client {
        let id = self.user(login, "组员", Role::Member).await;
        sqlx::query("INSERT INTO group_members (group_id, user_id) SELECT id, $1 FROM groups WHERE code = $2")
            .bind(id)
            .bind(group)
            .execute(&self.pool)
            .await
            .expect("membership");
        self.signed_in(login).await
    }
}

pub struct People {
    pub agent: Client,
    pub agent2: Client,
    pub handler: Client,
}

/// A fake WeCom on loopback (the app's own `fake_wecom`, which speaks the documented API), and
/// the settings that point the app at it, with short time-outs and retries for tests.
pub struct FakeWecomHarness {
    pub fake: app::server::notify::fake_wecom::FakeWecom,
    pub settings: Vec<(String, String)>,
}

impl FakeWecomHarness {
    pub async fn start(config: app::server::notify::fake_wecom::FakeConfig) -> FakeWecomHarness {
        let fake = app::server::notify::fake_wecom::FakeWecom::new(config.clone());
        let addr = fake
            .start(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("fake WeCom starts");
        let base = format!("http://{addr}");
        let settings = vec![
            ("MSS_WECOM_API_BASE".into(), base.clone()),
            ("MSS_WECOM_OAUTH_BASE".into(), base.clone()),
            (
                "MSS_WECOM_ROBOT_URL".into(),
                format!("{base}/cgi-bin/webhook/send?key={}", config.robot_key),
            ),
            ("MSS_WECOM_CORP_ID".into(), config.corp_id.clone()),
            ("MSS_WECOM_CORP_SECRET".into(), config.secret.clone()),
            ("MSS_WECOM_AGENT_ID".into(), "1000002".into()),
            (
                "MSS_WECOM_ROBOT_PER_MINUTE".into(),
                config.robot_per_window.to_string(),
            ),
            (
                "MSS_WECOM_MEMBER_PER_MINUTE".into(),
                config.member_per_window.to_string(),
            ),
            (
                "MSS_WECOM_RATE_WINDOW_SECS".into(),
                config.robot_window.as_secs().max(1).to_string(),
            ),
            ("MSS_WECOM_TIMEOUT_MS".into(), "500".into()),
            ("MSS_WECOM_RETRY_BASE_MS".into(), "50".into()),
            ("MSS_WECOM_RETRY_CAP_MS".into(), "400".into()),
        ];
        FakeWecomHarness { fake, settings }
    }
}

/// Polls `check` every 50 ms until it holds, for up to `secs` seconds; false if it never did.
pub async fn eventually<F, Fut>(secs: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < until {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

pub async fn json(res: Response) -> Value {
    res.json().await.expect("JSON body")
}
