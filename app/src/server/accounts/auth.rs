//! Who is calling: passwords (argon2), sign-in with throttling, the session, bearer tokens.
use crate::domain::accounts::{CurrentUser, Role, SignInAttempt};
use crate::server::infra::error::internal;
use crate::server::AppState;
use crate::AppError;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use chrono::Utc;
use std::net::SocketAddr;
use std::sync::LazyLock;
use std::time::Duration;
use tower_sessions::Session;

const USER_ID_KEY: &str = "user_id";
const GENERATION_KEY: &str = "generation";
/// When the session was last written (Unix seconds): see `touch_due`.
const TOUCHED_KEY: &str = "touched";
/// A session in use is written again at most this often, each write restarting its idle time.
const TOUCH_EVERY_SECONDS: i64 = 10 * 60;

/// Whether a session last written at `touched` should be written again `now`, so that it ends
/// `MSS_SESSION_IDLE_HOURS` after its last use and not after its sign-in. Writing on every
/// request would cost a database write per page; every ten minutes costs almost nothing, and
/// the idle time is at most ten minutes short.
fn touch_due(touched: Option<i64>, now: i64) -> bool {
    touched.is_none_or(|at| now - at >= TOUCH_EVERY_SECONDS || at > now)
}

/// Argon2 takes about 19 MiB and tens of milliseconds a run: at most this many at once, so a
/// burst of sign-ins queues instead of taking the server's memory.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Hashes off the async runtime: argon2 is deliberately slow.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    let _permit = HASHING.acquire().await.map_err(internal)?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await?
    .map_err(internal)
}

/// A hash to check against when the login does not exist, so both cases take as long.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(b"no such user", &salt)
        .ok()
        .map(|h| h.to_string())
});

async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    let _permit = HASHING.acquire().await.map_err(internal)?;
    tokio::task::spawn_blocking(move || {
        let Some(hash) = hash.or_else(|| DUMMY_HASH.clone()) else {
            return false;
        };
        let real = PasswordHash::new(&hash).ok();
        real.is_some_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .map_err(AppError::from)
}

/// The cookie that tells a browser an account has signed in from before (see `sign_in`). Under
/// https it is a `__Host-` cookie: no other host of the domain can set it.
pub const DEVICE_COOKIE: &str = "mss_device";
const HOST_DEVICE_COOKIE: &str = "__Host-mss_device";

/// The browser's device id, from its device cookie.
pub fn device_of(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| {
            [DEVICE_COOKIE, HOST_DEVICE_COOKIE].contains(name)
                && value.len() == 64
                && value.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .map(|(_, value)| value.to_owned())
}

/// Remembers the browser as one `user` signs in from. A device id is only ever one this server
/// made for this account: a browser presenting another (planted, or the account is new here)
/// gets a new one. `known`: the browser's device id if it is one of the account's already
/// (`known_device`, which `sign_in` has asked). The `Set-Cookie` value to send when it is new (a
/// year, HttpOnly, `Secure` and `__Host-` under https).
pub async fn remember_device(
    state: &AppState,
    user: &CurrentUser,
    known: Option<KnownDevice>,
) -> Result<Option<String>, AppError> {
    use rand::RngCore;
    let (device, new) = match known {
        Some(KnownDevice(device)) => (device, false),
        None => {
            let mut bytes = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut bytes);
            (hex::encode(bytes), true)
        }
    };
    crate::server::accounts::sign_ins::remember_device(&state.pool, user.id, &device).await?;
    let cookie = if state.settings.secure_cookies() {
        format!("{HOST_DEVICE_COOKIE}={device}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax; Secure")
    } else {
        format!("{DEVICE_COOKIE}={device}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax")
    };
    Ok(new.then_some(cookie))
}

/// A device id checked to be a browser the account has signed in from: only `known_device`
/// makes one, so a device id a browser merely sent is never remembered as it is.
pub struct KnownDevice(String);

/// `device`, if it is a browser the account `user_id` has signed in from.
pub async fn known_device(
    state: &AppState,
    user_id: i64,
    device: Option<&str>,
) -> Result<Option<KnownDevice>, AppError> {
    let Some(device) = device else {
        return Ok(None);
    };
    let known =
        crate::server::accounts::sign_ins::known_device(&state.pool, user_id, device).await?;
    Ok(known.then(|| KnownDevice(device.to_owned())))
}

/// Checks the password, slowing down after two recent failures and refusing for a while after
/// `max_failures` (per login, and per address for logins that do not exist). The refusal does
/// not apply to the account's own known browsers (`device`, see `remember_device`): whoever
/// tries passwords cannot lock the owner out. On success renews the session id and stores the
/// user in the session. Returns the user, and `device` if it is one of theirs.
pub async fn sign_in(
    state: &AppState,
    session: &Session,
    address: &str,
    device: Option<&str>,
    attempt: SignInAttempt,
) -> Result<(CurrentUser, Option<KnownDevice>), AppError> {
    let policy = &state.settings.sign_in;
    let login = attempt.login.as_str();
    let found = crate::server::accounts::users::credentials(&state.pool, &attempt.login).await?;
    // Asked whether the login exists or not, so the answer takes as long either way.
    let user_id = found.as_ref().map_or(-1, |c| c.user.id);
    let known_device = known_device(state, user_id, device).await?;
    let mut tx = state.pool.begin().await?;
    crate::server::accounts::sign_ins::lock_login(&mut *tx, login).await?;
    let recent =
        crate::server::accounts::sign_ins::recent(&mut *tx, login, address, policy.window_minutes)
            .await?;
    // A known browser has a budget of its own (four times the login's), not none: it still
    // cannot guess without end.
    let login_limit = if known_device.is_some() {
        policy.max_failures_per_login * 4
    } else {
        policy.max_failures_per_login
    };
    let tripped = if recent.by_login >= login_limit {
        Some(recent.oldest_for_login)
    } else if known_device.is_none()
        && (recent.unknown_by_address >= policy.max_failures_per_address
            || recent.by_address >= policy.max_failures_per_address * 5)
    {
        // Logins that do not exist count fully against an address; real ones (one password
        // tried against many accounts) five times less, so an office is not locked out by
        // its own typos and a sprayer still is.
        Some(recent.oldest_for_address)
    } else {
        None
    };
    if let Some(oldest) = tripped {
        // Refused until enough failures have left the window.
        let until = oldest.unwrap_or_else(Utc::now)
            + chrono::Duration::minutes(i64::from(policy.window_minutes));
        let retry_after_secs = (until - Utc::now()).num_seconds().max(1) as u64;
        tracing::warn!(login, address, "sign-in refused: too many failures");
        return Err(AppError::RateLimited { retry_after_secs });
    }
    // Counted as a failure before the password is checked (and under the login's lock), so
    // attempts sent in parallel see each other; a success removes it again.
    crate::server::accounts::sign_ins::record(&mut *tx, login, address, found.is_some()).await?;
    tx.commit().await?;
    // Many agents may share an office's address: it counts, but five times less than a login.
    let failures = recent.by_login.max(recent.unknown_by_address / 5);
    if failures >= 2 {
        // 0.25 s, 0.5 s, 1 s, … capped at 4 s.
        let delay = 250u64.saturating_mul(1 << (failures - 2).min(4));
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let hash = found.as_ref().map(|c| c.password_hash.clone());
    let ok = verify_password(attempt.password, hash).await?;
    match found {
        Some(credentials) if ok => {
            crate::server::accounts::sign_ins::clear(&state.pool, login).await?;
            start_session(session, &credentials.user, credentials.session_generation).await?;
            Ok((credentials.user, known_device))
        }
        _ => {
            tracing::info!(login, address, "sign-in failed");
            Err(AppError::BadCredentials)
        }
    }
}

/// Signs `user` in on this session. A clean session with a new id: a planted session id cannot
/// ride along, and nothing the previous user of this browser left (kept form values) carries
/// over.
pub async fn start_session(
    session: &Session,
    user: &CurrentUser,
    generation: i32,
) -> Result<(), AppError> {
    session.clear().await;
    session.cycle_id().await?;
    session.insert(USER_ID_KEY, user.id).await?;
    session.insert(GENERATION_KEY, generation).await?;
    session.insert(TOUCHED_KEY, Utc::now().timestamp()).await?;
    tracing::info!(user = user.id, "signed in");
    Ok(())
}

pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await?;
    Ok(())
}

/// The active user of a session, if any. Disabling an account or resetting its password ends
/// its sessions: the next request of each finds it over, and the session is deleted.
pub async fn session_user(
    state: &AppState,
    session: &Session,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(id) = session.get::<i64>(USER_ID_KEY).await? else {
        return Ok(None);
    };
    let generation = session.get::<i32>(GENERATION_KEY).await?.unwrap_or(0);
    let user = crate::server::accounts::users::active_by_id(&state.pool, id, generation).await?;
    if user.is_none() {
        session.flush().await?;
        return Ok(None);
    }
    let now = Utc::now().timestamp();
    if touch_due(session.get::<i64>(TOUCHED_KEY).await?, now) {
        // A changed session is saved, with a new expiry, when the response goes out.
        session.insert(TOUCHED_KEY, now).await?;
    }
    Ok(user)
}

/// The caller's address for throttling: the socket's, or the first `X-Forwarded-For` hop when
/// the app is told it sits behind a proxy.
pub fn client_address(state: &AppState, parts: &http::request::Parts) -> String {
    if !state.settings.trust_forwarded_for && parts.headers.contains_key("x-forwarded-for") {
        static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
            tracing::warn!(
                "requests carry X-Forwarded-For but MSS_TRUST_FORWARDED_FOR is off: every sign-in seems to come from the proxy's \
                 address (one office, or the whole company, shares its count). Behind one proxy that appends it, set MSS_TRUST_FORWARDED_FOR=true"
            );
        }
    }
    if state.settings.trust_forwarded_for {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            // The right-most hop is the one our proxy added; the ones before it the client wrote.
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok())
            .map(|ip| ip.to_string());
        if let Some(address) = forwarded.filter(|a| !a.is_empty()) {
            return address;
        }
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// For server functions and pages: the session of the request being served.
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract().await.map_err(internal)
}

/// The signed-in user of the request being served, looked up once: a page's guard and the
/// server functions that load its data all ask (one context per request, see `startup`).
#[derive(Clone, Default)]
pub struct RequestViewer(std::sync::Arc<tokio::sync::OnceCell<Option<CurrentUser>>>);

/// For server functions and pages: the signed-in user, if any.
pub async fn viewer() -> Result<Option<CurrentUser>, AppError> {
    let lookup = || async {
        let state = crate::server::infra::state::app_state()?;
        session_user(&state, &session().await?).await
    };
    match leptos::prelude::use_context::<RequestViewer>() {
        Some(cached) => cached.0.get_or_try_init(lookup).await.cloned(),
        None => lookup().await,
    }
}

/// For server functions: the signed-in user, who must have one of `roles`. Call it first.
pub async fn require(roles: &[Role]) -> Result<CurrentUser, AppError> {
    let user = viewer().await?.ok_or(AppError::Unauthorized)?;
    if roles.contains(&user.role) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

pub const DESK: &[Role] = Role::DESK;
pub const ADMIN: &[Role] = Role::ADMINS;
pub const TEAM: &[Role] = Role::TEAM;
pub const ANYONE: &[Role] = Role::ANYONE;
pub const REPORTER: &[Role] = Role::REPORTERS;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_in_use_is_written_again_every_ten_minutes() {
        let now = 1_800_000_000;
        assert!(
            touch_due(None, now),
            "a session from before the key existed"
        );
        assert!(!touch_due(Some(now), now));
        assert!(!touch_due(Some(now - TOUCH_EVERY_SECONDS + 1), now));
        assert!(touch_due(Some(now - TOUCH_EVERY_SECONDS), now));
        assert!(touch_due(Some(now + 3600), now), "a clock that went back");
    }

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let a = hash_password("correct horse".into()).await.unwrap();
        let b = hash_password("correct horse".into()).await.unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password("correct horse".into(), Some(a.clone()))
            .await
            .unwrap());
        assert!(!verify_password("wrong".into(), Some(a)).await.unwrap());
        assert!(!verify_password("anything".into(), None).await.unwrap());
    }
}
