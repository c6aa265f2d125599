//! `mss`: serves the app, or runs an operator command.
#[cfg(feature = "ssr")]
mod cli {
    use anyhow::Context;
    use app::server::infra::{cli, telemetry};
    use app::server::{Application, Settings};
    use clap::{Parser, Subcommand};
    use std::io::Read;

    #[derive(Parser)]
    #[command(
        name = "mss",
        about = "MSS incident reporting: serves the app, or runs an operator command"
    )]
    struct Args {
        #[command(subcommand)]
        command: Option<Command>,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Apply database migrations and exit.
        Migrate,
        /// Manage accounts.
        #[command(subcommand)]
        User(UserCommand),
        /// Manage REST API bearer tokens.
        #[command(subcommand)]
        Token(TokenCommand),
        /// Run a stand-in for WeCom (robot, app messages, sign-in) for tests and local runs.
        #[cfg(feature = "fake-wecom")]
        FakeWecom {
            #[arg(long, default_value = "127.0.0.1:3990")]
            addr: std::net::SocketAddr,
            /// The robot's rate limit per window.
            #[arg(long, default_value_t = 20)]
            robot_per_window: usize,
            /// App messages one member takes per window (more are dropped, as WeCom does).
            #[arg(long, default_value_t = 30)]
            member_per_window: usize,
            #[arg(long, default_value_t = 60)]
            window_secs: u64,
        },
    }

    #[derive(Subcommand)]
    enum UserCommand {
        /// Create an account; the password is read from standard input.
        Add {
            #[arg(long)]
            login: String,
            #[arg(long)]
            name: String,
            /// reporter, member, handler or admin
            #[arg(long)]
            role: String,
            /// A transfer group to join (testing, development, operations, product); repeatable.
            #[arg(long)]
            group: Vec<String>,
            /// The person's WeCom user id: pushes reach them, and they can sign in through WeCom.
            #[arg(long)]
            wecom_user: Option<String>,
        },
        /// Set or clear an account's WeCom user id.
        Wecom {
            #[arg(long)]
            login: String,
            #[arg(long, required_unless_present = "clear")]
            wecom_user: Option<String>,
            #[arg(long, conflicts_with = "wecom_user")]
            clear: bool,
        },
        /// Add an existing account to a transfer group.
        Join {
            #[arg(long)]
            login: String,
            #[arg(long)]
            group: String,
        },
    }

    #[derive(Subcommand)]
    enum TokenCommand {
        /// Print a new bearer token for the user (shown once; only its hash is stored).
        Create {
            #[arg(long)]
            login: String,
            #[arg(long, default_value = "")]
            label: String,
            /// The token stops working this many days from now (default: until revoked).
            #[arg(long)]
            expires_days: Option<u32>,
        },
        /// List a user's tokens.
        List {
            #[arg(long)]
            login: String,
        },
        /// Revoke a token by its id.
        Revoke {
            #[arg(long)]
            id: i64,
        },
    }

    pub async fn main() -> anyhow::Result<()> {
        let args = Args::parse();
        #[cfg(feature = "fake-wecom")]
        if let Some(Command::FakeWecom {
            addr,
            robot_per_window,
            member_per_window,
            window_secs,
        }) = args.command
        {
            return fake_wecom(addr, robot_per_window, member_per_window, window_secs).await;
        }
        let settings = Settings::from_env()?;
        telemetry::init(settings.log_format);
        match args.command {
            None => {
                let mut options = leptos::config::get_configuration(None)?.leptos_options;
                if options.output_name.is_empty() {
                    // Built without cargo-leptos: the bundle name is still ours.
                    options.output_name = "mss".into();
                }
                // cargo-leptos names the hashed bundle in `hash.txt` beside the binary and tells
                // the server it started; a binary started by hand (a deployment, a benchmark, a
                // second instance) finds the file all the same.
                if !options.hash_files {
                    let beside = std::env::current_exe().ok().and_then(|exe| {
                        exe.parent().map(|dir| dir.join(options.hash_file.as_ref()))
                    });
                    options.hash_files = beside.is_some_and(|file| file.is_file());
                }
                Application::build(settings, options)
                    .await?
                    .run_until_stopped()
                    .await?;
            }
            Some(Command::Migrate) => cli::migrate(&settings).await?,
            #[cfg(feature = "fake-wecom")]
            Some(Command::FakeWecom { .. }) => {}
            Some(Command::User(UserCommand::Add {
                login,
                name,
                role,
                group,
                wecom_user,
            })) => {
                if !group.is_empty() && role.trim() != "member" {
                    anyhow::bail!(
                        "--group: only accounts with the role member belong to transfer groups"
                    );
                }
                let mut password = String::new();
                std::io::stdin()
                    .read_to_string(&mut password)
                    .context("reading the password from standard input")?;
                let password = password.trim_end_matches(['\r', '\n']);
                let id = cli::add_user(
                    &settings,
                    &login,
                    &name,
                    &role,
                    password,
                    wecom_user.as_deref(),
                )
                .await?;
                println!("created user {id} ({login}, {role})");
                for code in group {
                    cli::join_group(&settings, &login, &code).await?;
                    println!("{login} joined {code}");
                }
            }
            Some(Command::User(UserCommand::Wecom {
                login,
                wecom_user,
                clear,
            })) => {
                let wecom = if clear { None } else { wecom_user.as_deref() };
                cli::set_wecom(&settings, &login, wecom).await?;
                match wecom {
                    Some(id) => println!("{login}'s WeCom user id is now {id}"),
                    None => println!("{login} has no WeCom user id now"),
                }
            }
            Some(Command::User(UserCommand::Join { login, group })) => {
                cli::join_group(&settings, &login, &group).await?;
                println!("{login} joined {group}");
            }
            Some(Command::Token(TokenCommand::Create {
                login,
                label,
                expires_days,
            })) => {
                let (id, token) =
                    cli::create_token(&settings, &login, &label, expires_days).await?;
                eprintln!("token {id} for {login} (shown once; revoke with `mss token revoke --id {id}`):");
                println!("{token}");
            }
            Some(Command::Token(TokenCommand::List { login })) => {
                for t in cli::list_tokens(&settings, &login).await? {
                    let used = t
                        .last_used_at
                        .map(|d| d.to_rfc3339())
                        .unwrap_or_else(|| "never".into());
                    let expires = t
                        .expires_at
                        .map(|d| d.to_rfc3339())
                        .unwrap_or_else(|| "never".into());
                    let state = t.state_now();
                    println!(
                        "{}\t{}\t{}\tcreated {}\tlast used {}\texpires {}",
                        t.id,
                        state,
                        t.label,
                        t.created_at.to_rfc3339(),
                        used,
                        expires
                    );
                }
            }
            Some(Command::Token(TokenCommand::Revoke { id })) => {
                cli::revoke_token(&settings, id).await?;
                println!("token {id} revoked");
            }
        }
        Ok(())
    }

    #[cfg(feature = "fake-wecom")]
    async fn fake_wecom(
        addr: std::net::SocketAddr,
        robot_per_window: usize,
        member_per_window: usize,
        window_secs: u64,
    ) -> anyhow::Result<()> {
        use app::server::notify::fake_wecom::{FakeConfig, FakeWecom};
        telemetry::init(app::server::infra::config::LogFormat::Pretty);
        let config = FakeConfig {
            robot_per_window,
            member_per_window,
            robot_window: std::time::Duration::from_secs(window_secs),
            ..FakeConfig::default()
        };
        let fake = FakeWecom::new(config.clone());
        let bound = fake.start(addr).await?;
        println!("fake WeCom on http://{bound}");
        println!("  MSS_WECOM_API_BASE=http://{bound} MSS_WECOM_OAUTH_BASE=http://{bound}");
        println!(
            "  MSS_WECOM_CORP_ID={} MSS_WECOM_CORP_SECRET={} MSS_WECOM_AGENT_ID=1000002",
            config.corp_id, config.secret
        );
        println!(
            "  MSS_WECOM_ROBOT_URL=http://{bound}/cgi-bin/webhook/send?key={}",
            config.robot_key
        );
        tokio::signal::ctrl_c().await?;
        Ok(())
    }
}

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    if let Err(e) = cli::main().await {
        eprintln!("mss: {e:#}");
        std::process::exit(1);
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser build has no server; cargo-leptos builds this binary with `ssr`.
}
