//! The `mss` binary as an operator uses it: migrate, add a user (password on standard input),
//! create a token that the REST API accepts, serve, and stop cleanly on SIGTERM.
#![cfg(feature = "ssr")]

use sqlx::PgPool;
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The URL of the database `#[sqlx::test]` made for this test, on the server of DATABASE_URL.
fn database_url(pool: &PgPool) -> String {
    let server = std::env::var("DATABASE_URL").expect("DATABASE_URL is set for the tests");
    let base = server
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&server);
    let name = pool
        .connect_options()
        .get_database()
        .unwrap_or("postgres")
        .to_owned();
    format!("{base}/{name}")
}

fn mss(url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mss"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("MSS_LOG_FORMAT", "json")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mss starts");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("mss finishes")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[sqlx::test(migrations = false)]
async fn operators_migrate_add_users_and_create_tokens(pool: PgPool) {
    let url = database_url(&pool);
    let out = mss(&url, &["migrate"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = mss(
        &url,
        &[
            "user",
            "add",
            "--login",
            "itsm-bot",
            "--name",
            "ITSM 接口",
            "--role",
            "handler",
        ],
        Some("a-long-password\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A short password is refused with the reason, and nothing is created.
    let out = mss(
        &url,
        &[
            "user", "add", "--login", "short", "--name", "短", "--role", "reporter",
        ],
        Some("1234\n"),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("At least 8"));
    let out = mss(
        &url,
        &[
            "user", "add", "--login", "itsm-bot", "--name", "again", "--role", "handler",
        ],
        Some("a-long-password\n"),
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("taken"));

    // A WeCom user id, when the account is made and changed later; one account per WeCom id.
    let out = mss(
        &url,
        &[
            "user",
            "add",
            "--login",
            "wangxm",
            "--name",
            "王小明",
            "--role",
            "reporter",
            "--wecom-user",
            "WangXM",
        ],
        Some("a-long-password\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wecom = || async {
        sqlx::query_scalar::<_, Option<String>>(
            "SELECT wecom_user_id FROM users WHERE login = 'wangxm'",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    assert_eq!(wecom().await.as_deref(), Some("WangXM"));
    let out = mss(
        &url,
        &[
            "user",
            "wecom",
            "--login",
            "itsm-bot",
            "--wecom-user",
            "wangxm",
        ],
        None,
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already has"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = mss(
        &url,
        &[
            "user",
            "wecom",
            "--login",
            "wangxm",
            "--wecom-user",
            "wang.xiaoming",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(wecom().await.as_deref(), Some("wang.xiaoming"));
    let out = mss(
        &url,
        &[
            "user",
            "wecom",
            "--login",
            "wangxm",
            "--wecom-user",
            "王 小明",
        ],
        None,
    );
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("--wecom-user"));
    let out = mss(
        &url,
        &["user", "wecom", "--login", "wangxm", "--clear"],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(wecom().await, None);

    // Transfer groups are for members: a reporter is neither made nor put in one.
    let out = mss(
        &url,
        &[
            "user",
            "add",
            "--login",
            "lisi",
            "--name",
            "李四",
            "--role",
            "reporter",
            "--group",
            "operations",
        ],
        Some("a-long-password\n"),
    );
    assert!(
        !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("member"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lisi: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE login = 'lisi'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(lisi, 0, "nothing was created");
    let out = mss(
        &url,
        &["user", "join", "--login", "wangxm", "--group", "operations"],
        None,
    );
    assert!(
        !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not a member"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = mss(
        &url,
        &[
            "user",
            "add",
            "--login",
            "sunwei",
            "--name",
            "孙伟",
            "--role",
            "member",
            "--group",
            "operations",
        ],
        Some("a-long-password\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Tokens may expire; `list` says which.
    let out = mss(
        &url,
        &[
            "token",
            "create",
            "--login",
            "itsm-bot",
            "--label",
            "trial",
            "--expires-days",
            "30",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expires: Option<bool> = sqlx::query_scalar(
        "SELECT expires_at > now() + interval '29 days' FROM api_tokens WHERE label = 'trial'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(expires, Some(true));
    let out = mss(&url, &["token", "list", "--login", "itsm-bot"], None);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("live\ttrial"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    sqlx::query("DELETE FROM api_tokens")
        .execute(&pool)
        .await
        .unwrap();

    let out = mss(
        &url,
        &["token", "create", "--login", "itsm-bot", "--label", "itsm"],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(token.starts_with("mss_") && token.len() == 68, "{token}");
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_ne!(stored, token.as_bytes(), "only a hash is stored");

    // Serve, use the token, then stop with SIGTERM: exit 0.
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_mss"))
        .env("DATABASE_URL", &url)
        .env("MSS_ADDR", format!("127.0.0.1:{port}"))
        .env("MSS_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    loop {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not come up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let me: serde_json::Value = client
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["login"], "itsm-bot");

    let id = sqlx::query_scalar::<_, i64>("SELECT id FROM api_tokens")
        .fetch_one(&pool)
        .await
        .unwrap();
    let out = mss(&url, &["token", "revoke", "--id", &id.to_string()], None);
    assert!(out.status.success());
    let res = client
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::UNAUTHORIZED);

    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().expect("wait") {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "server did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn secrets_have_no_default() {
    let out = Command::new(env!("CARGO_BIN_EXE_mss"))
        .arg("migrate")
        .env_remove("DATABASE_URL")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("mss runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL is not set"));
}
