//! Typed settings, read once from the environment (and a `.env` file for local runs).
use crate::domain::report::ReportRules;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// How repeated failed sign-ins are slowed down and then refused.
#[derive(Debug, Clone)]
pub struct SignInPolicy {
    /// Failures for one login within the window before it is refused.
    pub max_failures_per_login: i64,
    /// Failures from one address within the window before it is refused.
    pub max_failures_per_address: i64,
    pub window_minutes: i32,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// May hold a password: never printed (`SecretString` debug-prints as redacted).
    pub database_url: SecretString,
    pub addr: SocketAddr,
    pub public_url: String,
    pub log_format: LogFormat,
    pub db_max_connections: u32,
    pub session_idle_hours: i64,
    /// How often an open live stream checks its session and the account's role again
    /// (`MSS_LIVE_RECHECK_SECS`, 60; tests shorten it).
    pub live_recheck_secs: u64,
    /// Per-account limits on reports, uploads, messages and actions (`MSS_LIMIT_*`).
    pub limits: crate::server::infra::limits::LimitSettings,
    pub sign_in: SignInPolicy,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// Create the demo accounts and incidents at start-up when missing.
    pub demo: bool,
    /// What a report must carry (`MSS_REPORT_REQUIRED`, `MSS_CUSTOMER_NO_LENGTH`).
    pub report_rules: ReportRules,
    /// Screenshot blobs: this directory, unless `blob_url` names an S3 bucket.
    pub blob_dir: PathBuf,
    pub blob_url: Option<String>,
    /// Where each instance keeps its search index (a folder of its own inside, deleted when it
    /// stops): `MSS_KB_INDEX_DIR`, the system's temporary folder by default.
    pub kb_index_dir: Option<PathBuf>,
    /// An answered incident nobody objected to is closed after this many days.
    pub auto_close_days: u32,
    /// Pushes and sign-in through WeCom (企业微信); every part is optional.
    pub wecom: WecomSettings,
}

/// The WeCom application that sends app messages and signs people in.
#[derive(Debug, Clone)]
pub struct WecomApp {
    pub corp_id: String,
    pub secret: SecretString,
    pub agent_id: i64,
}

#[derive(Debug, Clone)]
pub struct WecomSettings {
    /// The team's group robot: its webhook URL, key included (a secret).
    pub robot_url: Option<SecretString>,
    /// Without it, app messages are recorded as skipped and WeCom sign-in is off.
    pub app: Option<WecomApp>,
    /// `https://qyapi.weixin.qq.com` unless a test points it elsewhere.
    pub api_base: String,
    /// Where WeCom's sign-in (OAuth2) page lives: `https://open.weixin.qq.com`.
    pub oauth_base: String,
    /// The robot takes this many messages per window (WeCom documents 20 a minute).
    pub robot_per_window: u32,
    /// One member takes this many app messages per window (WeCom documents 30 a minute and
    /// drops the rest).
    pub member_per_window: u32,
    pub robot_window: std::time::Duration,
    /// One request to WeCom gives up after this long (and is retried later).
    pub timeout: std::time::Duration,
    /// The first retry waits about this long; each next one twice as long, up to `retry_cap`.
    pub retry_base: std::time::Duration,
    pub retry_cap: std::time::Duration,
    /// A delivery still failing this long after it was made goes to the dead letters.
    pub give_up: std::time::Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set (see README, Settings)")]
    Missing(&'static str),
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Settings {
    /// Reads `.env` (when present) and then the environment.
    pub fn from_env() -> Result<Settings, ConfigError> {
        let _ = dotenvy::dotenv();
        Settings::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let database_url = get("DATABASE_URL").ok_or(ConfigError::Missing("DATABASE_URL"))?;
        // cargo-leptos passes the site address as LEPTOS_SITE_ADDR; MSS_ADDR wins over it.
        let addr = parse(
            "MSS_ADDR",
            get("MSS_ADDR").or_else(|| get("LEPTOS_SITE_ADDR")),
            || SocketAddr::from(([127, 0, 0, 1], 3000)),
        )?;
        let public_url = get("MSS_PUBLIC_URL")
            .map(|u| u.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("http://{addr}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                name: "MSS_PUBLIC_URL",
                reason: "must start with http:// or https://".into(),
            });
        }
        let log_format = match get("MSS_LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "MSS_LOG_FORMAT",
                    reason: format!("`{other}`: use `pretty` or `json`"),
                })
            }
        };
        // A number that must be above zero: zero or less would switch a protection off or lock
        // everyone out.
        let positive = |name: &'static str, default: i64| -> Result<i64, ConfigError> {
            let value = parse(name, get(name), || default)?;
            if value > 0 {
                Ok(value)
            } else {
                Err(ConfigError::Invalid {
                    name,
                    reason: "must be greater than 0".into(),
                })
            }
        };
        let sign_in = SignInPolicy {
            max_failures_per_login: positive("MSS_SIGNIN_MAX_FAILURES", 5)?,
            max_failures_per_address: positive("MSS_SIGNIN_MAX_FAILURES_PER_ADDRESS", 30)?,
            window_minutes: narrow(
                "MSS_SIGNIN_LOCK_MINUTES",
                positive("MSS_SIGNIN_LOCK_MINUTES", 15)?,
            )?,
        };
        Ok(Settings {
            database_url: SecretString::from(database_url),
            addr,
            public_url,
            log_format,
            db_max_connections: narrow(
                "MSS_DB_MAX_CONNECTIONS",
                positive("MSS_DB_MAX_CONNECTIONS", 10)?,
            )?,
            session_idle_hours: positive("MSS_SESSION_IDLE_HOURS", 12)?,
            live_recheck_secs: narrow(
                "MSS_LIVE_RECHECK_SECS",
                positive("MSS_LIVE_RECHECK_SECS", 60)?,
            )?,
            limits: {
                use crate::server::infra::limits::{Limit, LimitSettings};
                let limit = |name: &'static str, default: Limit| match get(name) {
                    None => Ok(default),
                    Some(raw) => {
                        Limit::parse(&raw).map_err(|reason| ConfigError::Invalid { name, reason })
                    }
                };
                let d = LimitSettings::default();
                LimitSettings {
                    reports: limit("MSS_LIMIT_REPORTS", d.reports)?,
                    uploads: limit("MSS_LIMIT_UPLOADS", d.uploads)?,
                    messages: limit("MSS_LIMIT_MESSAGES", d.messages)?,
                    actions: limit("MSS_LIMIT_ACTIONS", d.actions)?,
                }
            },
            sign_in,
            trust_forwarded_for: parse(
                "MSS_TRUST_FORWARDED_FOR",
                get("MSS_TRUST_FORWARDED_FOR"),
                || false,
            )?,
            demo: parse("MSS_DEMO", get("MSS_DEMO"), || false)?,
            report_rules: report_rules(get("MSS_REPORT_REQUIRED"), get("MSS_CUSTOMER_NO_LENGTH"))?,
            blob_dir: PathBuf::from(get("MSS_BLOB_DIR").unwrap_or_else(|| "data/blobs".into())),
            blob_url: get("MSS_BLOB_URL"),
            kb_index_dir: get("MSS_KB_INDEX_DIR").map(PathBuf::from),
            auto_close_days: narrow("MSS_AUTO_CLOSE_DAYS", positive("MSS_AUTO_CLOSE_DAYS", 3)?)?,
            wecom: wecom(&get, &positive)?,
        })
    }

    /// The origin of `public_url` (scheme, host, port), as browsers send it in `Origin`.
    pub fn public_origin(&self) -> String {
        crate::server::infra::security::origin_of(&self.public_url)
            .unwrap_or_else(|| self.public_url.clone())
    }

    /// Cookies are `Secure` when the app is reached over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// `MSS_WECOM_*`: the robot's webhook, the application (corp id, secret and agent id come
/// together or not at all), the API's address, and the pace and patience of pushes.
fn wecom(
    get: &impl Fn(&str) -> Option<String>,
    positive: &impl Fn(&'static str, i64) -> Result<i64, ConfigError>,
) -> Result<WecomSettings, ConfigError> {
    use std::time::Duration;
    let url = |name: &'static str, default: &str| -> Result<String, ConfigError> {
        let value = get(name)
            .unwrap_or_else(|| default.to_owned())
            .trim_end_matches('/')
            .to_owned();
        if value.starts_with("http://") || value.starts_with("https://") {
            Ok(value)
        } else {
            Err(ConfigError::Invalid {
                name,
                reason: "must start with http:// or https://".into(),
            })
        }
    };
    let robot_url = match get("MSS_WECOM_ROBOT_URL") {
        Some(u) if u.starts_with("http://") || u.starts_with("https://") => {
            Some(SecretString::from(u.trim().to_owned()))
        }
        Some(_) => {
            return Err(ConfigError::Invalid {
                name: "MSS_WECOM_ROBOT_URL",
                reason: "must start with http:// or https://".into(),
            })
        }
        None => None,
    };
    let app = match (
        get("MSS_WECOM_CORP_ID"),
        get("MSS_WECOM_CORP_SECRET"),
        get("MSS_WECOM_AGENT_ID"),
    ) {
        (None, None, None) => None,
        (Some(corp_id), Some(secret), Some(_)) => Some(WecomApp {
            corp_id: corp_id.trim().to_owned(),
            secret: SecretString::from(secret.trim().to_owned()),
            agent_id: positive("MSS_WECOM_AGENT_ID", 1)?,
        }),
        (corp, secret, _) => {
            let missing = if corp.is_none() {
                "MSS_WECOM_CORP_ID"
            } else if secret.is_none() {
                "MSS_WECOM_CORP_SECRET"
            } else {
                "MSS_WECOM_AGENT_ID"
            };
            return Err(ConfigError::Invalid { name: missing, reason: "the WeCom application needs MSS_WECOM_CORP_ID, MSS_WECOM_CORP_SECRET and MSS_WECOM_AGENT_ID together".into() });
        }
    };
    let millis = |name: &'static str, default: i64| -> Result<Duration, ConfigError> {
        Ok(Duration::from_millis(narrow(
            name,
            positive(name, default)?,
        )?))
    };
    Ok(WecomSettings {
        robot_url,
        app,
        api_base: url("MSS_WECOM_API_BASE", "https://qyapi.weixin.qq.com")?,
        oauth_base: url("MSS_WECOM_OAUTH_BASE", "https://open.weixin.qq.com")?,
        robot_per_window: narrow(
            "MSS_WECOM_ROBOT_PER_MINUTE",
            positive("MSS_WECOM_ROBOT_PER_MINUTE", 20)?,
        )?,
        member_per_window: narrow(
            "MSS_WECOM_MEMBER_PER_MINUTE",
            positive("MSS_WECOM_MEMBER_PER_MINUTE", 30)?,
        )?,
        robot_window: Duration::from_secs(narrow(
            "MSS_WECOM_RATE_WINDOW_SECS",
            positive("MSS_WECOM_RATE_WINDOW_SECS", 60)?,
        )?),
        timeout: millis("MSS_WECOM_TIMEOUT_MS", 10_000)?,
        retry_base: millis("MSS_WECOM_RETRY_BASE_MS", 2_000)?,
        retry_cap: millis("MSS_WECOM_RETRY_CAP_MS", 300_000)?,
        give_up: Duration::from_secs(
            3600 * narrow::<u64>(
                "MSS_WECOM_GIVE_UP_HOURS",
                positive("MSS_WECOM_GIVE_UP_HOURS", 24)?,
            )?,
        ),
    })
}

/// `MSS_REPORT_REQUIRED`: which customer details a report must have, a comma-separated list of
/// `name`, `customer_no`, `id`, `phone` (default `name,customer_no`; `none` for none).
/// `MSS_CUSTOMER_NO_LENGTH`: the customer number's length, `12` or `6-20` (the default).
fn report_rules(
    required: Option<String>,
    length: Option<String>,
) -> Result<ReportRules, ConfigError> {
    let mut rules = ReportRules::default();
    if let Some(list) = required {
        rules.require_name = false;
        rules.require_customer_no = false;
        for item in list
            .split(',')
            .map(str::trim)
            .filter(|i| !i.is_empty() && *i != "none")
        {
            match item {
                "name" => rules.require_name = true,
                "customer_no" => rules.require_customer_no = true,
                "id" => rules.require_id = true,
                "phone" => rules.require_phone = true,
                other => {
                    return Err(ConfigError::Invalid {
                        name: "MSS_REPORT_REQUIRED",
                        reason: format!("`{other}`: use name, customer_no, id, phone"),
                    })
                }
            }
        }
    }
    if let Some(length) = length {
        let invalid = || ConfigError::Invalid {
            name: "MSS_CUSTOMER_NO_LENGTH",
            reason: "use a length (12) or a range (6-20) between 1 and 40".into(),
        };
        let (min, max) = length.split_once('-').unwrap_or((&length, &length));
        let min: u32 = min.trim().parse().map_err(|_| invalid())?;
        let max: u32 = max.trim().parse().map_err(|_| invalid())?;
        if min == 0 || min > max || max > 40 {
            return Err(invalid());
        }
        (rules.customer_no_min, rules.customer_no_max) = (min, max);
    }
    Ok(rules)
}

/// A positive number narrowed to the type that uses it.
fn narrow<T: TryFrom<i64>>(name: &'static str, value: i64) -> Result<T, ConfigError> {
    T::try_from(value).map_err(|_| ConfigError::Invalid {
        name,
        reason: "too large".into(),
    })
}

fn parse<T: std::str::FromStr>(
    name: &'static str,
    raw: Option<String>,
    default: impl FnOnce() -> T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match raw {
        None => Ok(default()),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|e: T::Err| ConfigError::Invalid {
                name,
                reason: e.to_string(),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn database_url_has_no_default_and_never_prints() {
        assert!(matches!(
            settings(&[]),
            Err(ConfigError::Missing("DATABASE_URL"))
        ));
        let s = settings(&[("DATABASE_URL", "postgres://u:hunter2@db/mss")]).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(s.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(s.public_url, "http://127.0.0.1:3000");
        assert!(!s.secure_cookies());
    }

    #[test]
    fn bad_values_are_named() {
        let e = settings(&[("DATABASE_URL", "x"), ("MSS_LOG_FORMAT", "xml")]).unwrap_err();
        assert!(e.to_string().contains("MSS_LOG_FORMAT"));
        let e = settings(&[("DATABASE_URL", "x"), ("MSS_ADDR", "nowhere")]).unwrap_err();
        assert!(e.to_string().contains("MSS_ADDR"));
        let e = settings(&[("DATABASE_URL", "x"), ("MSS_SIGNIN_LOCK_MINUTES", "-15")]).unwrap_err();
        assert!(e.to_string().contains("MSS_SIGNIN_LOCK_MINUTES"));
        let e = settings(&[("DATABASE_URL", "x"), ("MSS_SIGNIN_MAX_FAILURES", "0")]).unwrap_err();
        assert!(e.to_string().contains("greater than 0"));
    }

    #[test]
    fn report_rules_are_configurable() {
        let s = settings(&[("DATABASE_URL", "x")]).unwrap();
        assert!(
            s.report_rules.require_name
                && s.report_rules.require_customer_no
                && !s.report_rules.require_id
        );
        let s = settings(&[
            ("DATABASE_URL", "x"),
            ("MSS_REPORT_REQUIRED", "id, phone"),
            ("MSS_CUSTOMER_NO_LENGTH", "12"),
        ])
        .unwrap();
        let r = s.report_rules;
        assert!(!r.require_name && !r.require_customer_no && r.require_id && r.require_phone);
        assert_eq!((r.customer_no_min, r.customer_no_max), (12, 12));
        for (name, value) in [
            ("MSS_REPORT_REQUIRED", "email"),
            ("MSS_CUSTOMER_NO_LENGTH", "20-6"),
            ("MSS_CUSTOMER_NO_LENGTH", "0"),
        ] {
            let e = settings(&[("DATABASE_URL", "x"), (name, value)]).unwrap_err();
            assert!(e.to_string().contains(name), "{e}");
        }
    }

    #[test]
    fn wecom_is_optional_but_whole() {
        let s = settings(&[("DATABASE_URL", "x")]).unwrap();
        assert!(s.wecom.robot_url.is_none() && s.wecom.app.is_none());
        assert_eq!(s.wecom.api_base, "https://qyapi.weixin.qq.com");
        assert_eq!(
            (s.wecom.robot_per_window, s.wecom.robot_window.as_secs()),
            (20, 60)
        );
        let e = settings(&[
            ("DATABASE_URL", "x"),
            ("MSS_WECOM_CORP_ID", "ww1"),
            ("MSS_WECOM_AGENT_ID", "1000002"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("MSS_WECOM_CORP_SECRET"), "{e}");
        let s = settings(&[
            ("DATABASE_URL", "x"),
            ("MSS_WECOM_CORP_ID", "ww1"),
            ("MSS_WECOM_CORP_SECRET", "s3cret-value"),
            ("MSS_WECOM_AGENT_ID", "1000002"),
            (
                "MSS_WECOM_ROBOT_URL",
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-key",
            ),
        ])
        .unwrap();
        assert_eq!(s.wecom.app.as_ref().map(|a| a.agent_id), Some(1000002));
        let printed = format!("{s:?}");
        assert!(
            !printed.contains("s3cret-value") && !printed.contains("robot-key"),
            "{printed}"
        );
        let e = settings(&[
            ("DATABASE_URL", "x"),
            ("MSS_WECOM_ROBOT_URL", "qyapi/webhook"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("MSS_WECOM_ROBOT_URL"));
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        let s = settings(&[
            ("DATABASE_URL", "x"),
            ("MSS_PUBLIC_URL", "https://mss.example.com/"),
        ])
        .unwrap();
        assert!(s.secure_cookies());
        assert_eq!(s.public_url, "https://mss.example.com");
    }
}
