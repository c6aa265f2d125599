//! A stand-in for WeCom on loopback, for tests, benchmarks and local runs (`mss fake-wecom`).
//! It speaks the parts of the documented API the app uses, with their JSON and errcodes:
//! `gettoken`, `message/send`, the robot's `webhook/send`, OAuth2 sign-in (`authorize`,
//! `auth/getuserinfo`). It keeps the robot's rate limit (45009 beyond it), records every call,
//! and can be told to be busy (45009), fail (HTTP 502), hang, or expire its tokens.
//!
//! Control, over HTTP too (`/fake/...`) for scripts and browsers: `GET /fake/received`,
//! `POST /fake/fault {"fault": "busy" | "server_error" | "hang" | "none", "count": n}`,
//! `POST /fake/expire-tokens`, `POST /fake/unknown-user {"userid"}`,
//! `POST /fake/oauth-user {"userid"}`, `POST /fake/reset`.
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct FakeConfig {
    pub corp_id: String,
    pub secret: String,
    pub robot_key: String,
    /// The robot's limit: messages per window (WeCom: 20 a minute).
    pub robot_per_window: usize,
    pub robot_window: Duration,
    /// App messages one member takes per window (WeCom: 30 a minute); beyond it WeCom answers
    /// ok and drops them, which the fake records with errcode -2.
    pub member_per_window: usize,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            corp_id: "ww-fake-corp".into(),
            secret: "fake-secret".into(),
            robot_key: "fake-robot-key".into(),
            robot_per_window: 20,
            robot_window: Duration::from_secs(60),
            member_per_window: 30,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    None,
    /// errcode 45009, "api freq out of limit".
    Busy,
    /// HTTP 502.
    ServerError,
    /// Never answers (the caller times out).
    Hang,
}

/// One call as the fake saw it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Received {
    /// `robot` or `app`.
    pub endpoint: String,
    pub body: Value,
    /// What the fake answered: 0 delivered, else the errcode (-502: HTTP 502; -1: hung; -2:
    /// answered ok but dropped, over the member's limit).
    pub errcode: i64,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
}

#[derive(Default)]
struct Inner {
    tokens: HashMap<String, Instant>,
    received: Vec<Received>,
    fault: Option<(Fault, Option<usize>)>,
    robot_accepted: VecDeque<Instant>,
    member_accepted: HashMap<String, VecDeque<Instant>>,
    unknown_users: HashSet<String>,
    oauth_user: Option<String>,
    codes: HashMap<String, String>,
    token_requests: usize,
}

#[derive(Clone)]
pub struct FakeWecom {
    config: Arc<FakeConfig>,
    inner: Arc<Mutex<Inner>>,
}

impl FakeWecom {
    pub fn new(config: FakeConfig) -> FakeWecom {
        FakeWecom {
            config: Arc::new(config),
            inner: Arc::default(),
        }
    }

    /// Serves on `addr` (port 0: any) in the background; returns the address.
    pub async fn start(&self, addr: SocketAddr) -> std::io::Result<SocketAddr> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        let router = self.router();
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "fake WeCom stopped");
            }
        });
        Ok(bound)
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/cgi-bin/gettoken", get(gettoken))
            .route("/cgi-bin/message/send", post(message_send))
            .route("/cgi-bin/webhook/send", post(webhook_send))
            .route("/cgi-bin/auth/getuserinfo", get(getuserinfo))
            .route("/connect/oauth2/authorize", get(authorize))
            .route(
                "/fake/received",
                get(|State(f): State<FakeWecom>| async move { Json(f.received()) }),
            )
            .route(
                "/fake/fault",
                post(
                    |State(f): State<FakeWecom>, Json(b): Json<FaultBody>| async move {
                        f.set_fault(b.fault, b.count);
                        StatusCode::NO_CONTENT
                    },
                ),
            )
            .route(
                "/fake/expire-tokens",
                post(|State(f): State<FakeWecom>| async move {
                    f.expire_tokens();
                    StatusCode::NO_CONTENT
                }),
            )
            .route(
                "/fake/unknown-user",
                post(
                    |State(f): State<FakeWecom>, Json(b): Json<UserBody>| async move {
                        f.unknown_user(&b.userid);
                        StatusCode::NO_CONTENT
                    },
                ),
            )
            .route(
                "/fake/oauth-user",
                post(
                    |State(f): State<FakeWecom>, Json(b): Json<UserBody>| async move {
                        f.sign_in_as(&b.userid);
                        StatusCode::NO_CONTENT
                    },
                ),
            )
            .route(
                "/fake/reset",
                post(|State(f): State<FakeWecom>| async move {
                    f.reset();
                    StatusCode::NO_CONTENT
                }),
            )
            .with_state(self.clone())
    }

    /// Every robot and app message call, in the order they came.
    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// The messages it accepted (errcode 0).
    pub fn delivered(&self, endpoint: &str) -> Vec<Value> {
        self.lock()
            .received
            .iter()
            .filter(|r| r.endpoint == endpoint && r.errcode == 0)
            .map(|r| r.body.clone())
            .collect()
    }

    pub fn token_requests(&self) -> usize {
        self.lock().token_requests
    }

    /// The next `count` calls (or all, with `None`) fail this way.
    pub fn set_fault(&self, fault: Fault, count: Option<usize>) {
        self.lock().fault = (fault != Fault::None).then_some((fault, count));
    }

    /// Every token handed out so far is now expired (42001 on use).
    pub fn expire_tokens(&self) {
        let past = Instant::now()
            .checked_sub(Duration::from_secs(1))
            .unwrap_or_else(Instant::now);
        for expiry in self.lock().tokens.values_mut() {
            *expiry = past;
        }
    }

    pub fn unknown_user(&self, userid: &str) {
        self.lock().unknown_users.insert(userid.to_owned());
    }

    /// Who the sign-in page signs in, as if they were using WeCom.
    pub fn sign_in_as(&self, userid: &str) {
        self.lock().oauth_user = Some(userid.to_owned());
    }

    pub fn reset(&self) {
        *self.lock() = Inner::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panicking handler cannot leave the record half-written in a way that matters here.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The fault for this call, if one is set (counting it down).
    fn take_fault(&self) -> Fault {
        let mut inner = self.lock();
        match inner.fault {
            Some((fault, None)) => fault,
            Some((fault, Some(n))) => {
                inner.fault = (n > 1).then_some((fault, Some(n - 1)));
                fault
            }
            None => Fault::None,
        }
    }

    fn record(&self, endpoint: &str, body: Value, errcode: i64) {
        let at_ms = chrono::Utc::now().timestamp_millis();
        self.lock().received.push(Received {
            endpoint: endpoint.into(),
            body,
            errcode,
            at_ms,
        });
    }

    /// Applies a fault: `Some(response)` when the call must fail this way.
    async fn faulty(&self, endpoint: &str, body: &Value) -> Option<Response> {
        match self.take_fault() {
            Fault::None => None,
            Fault::Busy => {
                self.record(endpoint, body.clone(), 45009);
                Some(errcode(45009, "api freq out of limit"))
            }
            Fault::ServerError => {
                self.record(endpoint, body.clone(), -502);
                Some(StatusCode::BAD_GATEWAY.into_response())
            }
            Fault::Hang => {
                self.record(endpoint, body.clone(), -1);
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Some(StatusCode::GATEWAY_TIMEOUT.into_response())
            }
        }
    }

    /// 0 for a live token, else the documented errcode.
    fn check_token(&self, token: &str) -> i64 {
        match self.lock().tokens.get(token) {
            Some(expiry) if *expiry > Instant::now() => 0,
            Some(_) => 42001,
            None => 40014,
        }
    }
}

#[derive(Deserialize)]
struct FaultBody {
    fault: Fault,
    count: Option<usize>,
}

#[derive(Deserialize)]
struct UserBody {
    userid: String,
}

fn errcode(code: i64, msg: &str) -> Response {
    Json(json!({ "errcode": code, "errmsg": msg })).into_response()
}

async fn gettoken(
    State(fake): State<FakeWecom>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if q.get("corpid") != Some(&fake.config.corp_id) {
        return errcode(40013, "invalid corpid");
    }
    if q.get("corpsecret") != Some(&fake.config.secret) {
        return errcode(40001, "invalid credential");
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    let mut inner = fake.lock();
    inner.token_requests += 1;
    inner
        .tokens
        .insert(token.clone(), Instant::now() + Duration::from_secs(7200));
    Json(json!({ "errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200 }))
        .into_response()
}

async fn message_send(
    State(fake): State<FakeWecom>,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Response {
    let token = fake.check_token(
        q.get("access_token")
            .map(String::as_str)
            .unwrap_or_default(),
    );
    if token != 0 {
        fake.record("app", body, token);
        return errcode(
            token,
            if token == 42001 {
                "access_token expired"
            } else {
                "invalid access_token"
            },
        );
    }
    if let Some(failed) = fake.faulty("app", &body).await {
        return failed;
    }
    let to = body["touser"].as_str().unwrap_or_default().to_owned();
    if to.is_empty() || body["agentid"].as_i64().is_none() || body["msgtype"].as_str().is_none() {
        fake.record("app", body, 40008);
        return errcode(40008, "invalid message type");
    }
    if fake.lock().unknown_users.contains(&to) {
        fake.record("app", body, 81013);
        return errcode(81013, "user & party & tag all invalid");
    }
    let over = {
        let mut inner = fake.lock();
        let now = Instant::now();
        let window = fake.config.robot_window;
        let seen = inner.member_accepted.entry(to).or_default();
        while seen
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            seen.pop_front();
        }
        let over = seen.len() >= fake.config.member_per_window;
        seen.push_back(now);
        over
    };
    fake.record("app", body, if over { -2 } else { 0 });
    Json(json!({ "errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": uuid::Uuid::new_v4().simple().to_string() })).into_response()
}

async fn webhook_send(
    State(fake): State<FakeWecom>,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Response {
    if q.get("key") != Some(&fake.config.robot_key) {
        fake.record("robot", body, 93000);
        return errcode(93000, "invalid webhook url");
    }
    if let Some(failed) = fake.faulty("robot", &body).await {
        return failed;
    }
    {
        let mut inner = fake.lock();
        let now = Instant::now();
        let window = fake.config.robot_window;
        while inner
            .robot_accepted
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            inner.robot_accepted.pop_front();
        }
        if inner.robot_accepted.len() >= fake.config.robot_per_window {
            drop(inner);
            fake.record("robot", body, 45009);
            return errcode(45009, "api freq out of limit");
        }
        inner.robot_accepted.push_back(now);
    }
    if body["msgtype"].as_str().is_none() {
        fake.record("robot", body, 40008);
        return errcode(40008, "invalid message type");
    }
    fake.record("robot", body, 0);
    errcode(0, "ok")
}

async fn authorize(
    State(fake): State<FakeWecom>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (Some(redirect), Some(state)) = (q.get("redirect_uri"), q.get("state")) else {
        return (
            StatusCode::BAD_REQUEST,
            "redirect_uri and state are required",
        )
            .into_response();
    };
    if q.get("appid") != Some(&fake.config.corp_id) {
        return (StatusCode::BAD_REQUEST, "unknown appid").into_response();
    }
    let code = uuid::Uuid::new_v4().simple().to_string();
    let user = fake.lock().oauth_user.clone().unwrap_or_default();
    fake.lock().codes.insert(code.clone(), user);
    let Ok(mut url) = reqwest::Url::parse(redirect) else {
        return (StatusCode::BAD_REQUEST, "bad redirect_uri").into_response();
    };
    url.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", state);
    Redirect::to(url.as_str()).into_response()
}

async fn getuserinfo(
    State(fake): State<FakeWecom>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let token = fake.check_token(
        q.get("access_token")
            .map(String::as_str)
            .unwrap_or_default(),
    );
    if token != 0 {
        return errcode(token, "invalid access_token");
    }
    // A code is good for one sign-in.
    let user = q.get("code").and_then(|c| fake.lock().codes.remove(c));
    match user {
        Some(user) if !user.is_empty() => {
            Json(json!({ "errcode": 0, "errmsg": "ok", "userid": user, "user_ticket": "" }))
                .into_response()
        }
        Some(_) => Json(json!({ "errcode": 0, "errmsg": "ok", "openid": "outside-contact" }))
            .into_response(),
        None => errcode(40029, "invalid code"),
    }
}
