//! WeCom (企业微信) over HTTP, as its API documents it: the group robot's webhook, application
//! messages with a cached access token, and sign-in (OAuth2). Errors are sorted into "try again
//! later" and "will never work", which is what the push worker needs to know.
use crate::domain::notify::SkipReason;
use crate::server::infra::config::{WecomApp, WecomSettings};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Why a request to WeCom did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Busy (45009), a server error, a time-out, no connection: retried with backoff.
    Transient(String),
    /// A bad key or secret, an unknown user, a malformed message: retrying cannot help.
    Permanent(String),
    /// The setting that the message needs is not there (no robot, no application).
    NotConfigured(SkipReason),
}

impl Failure {
    pub fn reason(&self) -> String {
        match self {
            Failure::Transient(r) | Failure::Permanent(r) => r.clone(),
            Failure::NotConfigured(what) => what.as_str().to_owned(),
        }
    }
}

/// The answer every WeCom endpoint gives: `errcode` 0 and its own fields, or an error.
#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    access_token: Option<String>,
    expires_in: Option<u64>,
    /// `message/send`: recipients WeCom did not know, `|`-separated.
    #[serde(default)]
    invaliduser: String,
    /// `auth/getuserinfo`: the member who signed in.
    #[serde(default, alias = "UserId")]
    userid: String,
}

/// Access token expired (42001) or not valid (40014, 40082): fetch a new one and try again.
const TOKEN_CODES: [i64; 3] = [40014, 42001, 40082];
/// System busy (-1), too frequent (45009), too many concurrent calls (45033).
const BUSY_CODES: [i64; 3] = [-1, 45009, 45033];

fn judge(answer: &Answer) -> Result<(), Failure> {
    match answer.errcode {
        0 => Ok(()),
        code if BUSY_CODES.contains(&code) => Err(Failure::Transient(format!(
            "errcode {code}: {}",
            answer.errmsg
        ))),
        code => Err(Failure::Permanent(format!(
            "errcode {code}: {}",
            answer.errmsg
        ))),
    }
}

struct Token {
    value: String,
    /// Renewed a few minutes early, so a token is never used at the edge of its life.
    renew_at: Instant,
}

pub struct Wecom {
    http: reqwest::Client,
    settings: WecomSettings,
    token: Mutex<Option<Token>>,
}

impl Wecom {
    pub fn new(settings: WecomSettings) -> anyhow::Result<Wecom> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()?;
        Ok(Wecom {
            http,
            settings,
            token: Mutex::new(None),
        })
    }

    pub fn settings(&self) -> &WecomSettings {
        &self.settings
    }

    pub fn has_robot(&self) -> bool {
        self.settings.robot_url.is_some()
    }

    pub fn app(&self) -> Option<&WecomApp> {
        self.settings.app.as_ref()
    }

    /// Posts a robot message (`{"msgtype": "markdown", …}`) to the team's group.
    pub async fn send_robot(&self, message: &Value) -> Result<(), Failure> {
        let url = self
            .settings
            .robot_url
            .as_ref()
            .ok_or(Failure::NotConfigured(SkipReason::NoRobot))?;
        judge(
            &self
                .call(self.http.post(url.expose_secret()).json(message))
                .await?,
        )
    }

    /// Sends an application message (`touser`, `msgtype`, …; the agent id is added here). An
    /// expired or rejected token is renewed once and the message sent again.
    pub async fn send_app(&self, message: &Value) -> Result<(), Failure> {
        let app = self
            .app()
            .ok_or(Failure::NotConfigured(SkipReason::NoApp))?;
        let mut body = message.clone();
        body["agentid"] = app.agent_id.into();
        let mut renewed = false;
        loop {
            let token = self.token(renewed).await?;
            let url = format!("{}/cgi-bin/message/send", self.settings.api_base);
            let answer = self
                .call(
                    self.http
                        .post(&url)
                        .query(&[("access_token", token.as_str())])
                        .json(&body),
                )
                .await?;
            if TOKEN_CODES.contains(&answer.errcode) && !renewed {
                renewed = true;
                continue;
            }
            judge(&answer)?;
            if !answer.invaliduser.is_empty() {
                return Err(Failure::Permanent(format!(
                    "not a WeCom member: {}",
                    answer.invaliduser
                )));
            }
            return Ok(());
        }
    }

    /// Sign-in: the member behind the `code` WeCom put in the redirect.
    pub async fn user_for_code(&self, code: &str) -> Result<String, Failure> {
        let mut renewed = false;
        loop {
            let token = self.token(renewed).await?;
            let url = format!("{}/cgi-bin/auth/getuserinfo", self.settings.api_base);
            let answer = self
                .call(
                    self.http
                        .get(&url)
                        .query(&[("access_token", token.as_str()), ("code", code)]),
                )
                .await?;
            if TOKEN_CODES.contains(&answer.errcode) && !renewed {
                renewed = true;
                continue;
            }
            judge(&answer)?;
            return if answer.userid.is_empty() {
                // An outside contact or a non-member: no account of ours can match.
                Err(Failure::Permanent("not a member of the enterprise".into()))
            } else {
                Ok(answer.userid)
            };
        }
    }

    /// WeCom's sign-in page, which comes back to `redirect` with `code` and `state`.
    pub fn authorize_url(&self, redirect: &str, state: &str) -> Option<String> {
        let app = self.app()?;
        let mut url = reqwest::Url::parse(&format!(
            "{}/connect/oauth2/authorize",
            self.settings.oauth_base
        ))
        .ok()?;
        url.query_pairs_mut()
            .append_pair("appid", &app.corp_id)
            .append_pair("redirect_uri", redirect)
            .append_pair("response_type", "code")
            .append_pair("scope", "snsapi_base")
            .append_pair("state", state)
            .append_pair("agentid", &app.agent_id.to_string());
        Some(format!("{url}#wechat_redirect"))
    }

    /// The cached access token, fetched when there is none, it is due for renewal, or `renew`.
    async fn token(&self, renew: bool) -> Result<String, Failure> {
        let app = self
            .app()
            .ok_or(Failure::NotConfigured(SkipReason::NoApp))?;
        let mut cached = self.token.lock().await;
        if let Some(token) = cached
            .as_ref()
            .filter(|t| !renew && Instant::now() < t.renew_at)
        {
            return Ok(token.value.clone());
        }
        let url = format!("{}/cgi-bin/gettoken", self.settings.api_base);
        let request = self.http.get(&url).query(&[
            ("corpid", app.corp_id.as_str()),
            ("corpsecret", app.secret.expose_secret()),
        ]);
        let answer = self.call(request).await?;
        judge(&answer)?;
        let value = answer
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Failure::Transient("gettoken gave no token".into()))?;
        let life = Duration::from_secs(answer.expires_in.unwrap_or(7200));
        let renew_at = Instant::now() + life.saturating_sub(Duration::from_secs(300)).max(life / 2);
        *cached = Some(Token {
            value: value.clone(),
            renew_at,
        });
        Ok(value)
    }

    async fn call(&self, request: reqwest::RequestBuilder) -> Result<Answer, Failure> {
        let response = request.send().await.map_err(|e| {
            let what = if e.is_timeout() {
                "timed out"
            } else {
                "could not connect"
            };
            Failure::Transient(format!("{what}: {}", without_url(&e)))
        })?;
        let status = response.status();
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(Failure::Transient(format!("HTTP {status}")));
        }
        if !status.is_success() {
            return Err(Failure::Permanent(format!("HTTP {status}")));
        }
        response
            .json::<Answer>()
            .await
            .map_err(|e| Failure::Transient(format!("unreadable answer: {}", without_url(&e))))
    }
}

/// The error without its URL: a robot's URL carries its key, an API call the token.
fn without_url(e: &reqwest::Error) -> String {
    let mut shown = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        shown = s.to_string();
        source = s.source();
    }
    if shown.is_empty() {
        "request failed".into()
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(errcode: i64) -> Answer {
        Answer {
            errcode,
            errmsg: "x".into(),
            access_token: None,
            expires_in: None,
            invaliduser: String::new(),
            userid: String::new(),
        }
    }

    #[test]
    fn busy_is_retried_and_the_rest_is_final() {
        assert_eq!(judge(&answer(0)), Ok(()));
        for busy in BUSY_CODES {
            assert!(matches!(judge(&answer(busy)), Err(Failure::Transient(_))));
        }
        // 93000: a robot key that is not valid; 81013: no such member; 40001: a bad secret.
        for fatal in [93000, 81013, 40001] {
            assert!(
                matches!(judge(&answer(fatal)), Err(Failure::Permanent(_))),
                "{fatal}"
            );
        }
    }
}
