//! `server`: the console, the web client and the APIs in one binary, plus its CLI verbs.

use app::backend::db::{Backend, Db};
use app::backend::state::{AppState, Clock, Config};
use app::domain::admin::{Permission, Role};
use clap::{Parser, Subcommand};
use leptos::prelude::get_configuration;
use server::{admins, csa, demo, retention, router};

#[derive(Parser)]
#[command(name = "server", about = "VMS Admin Console server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::from_slug(s).ok_or_else(|| "superadmin or admin".to_string())
}

fn parse_permission(s: &str) -> Result<Permission, String> {
    Permission::from_slug(s).ok_or_else(|| {
        let known: Vec<&str> = Permission::ALL.iter().map(|p| p.slug()).collect();
        format!("one of {}", known.join(", "))
    })
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Manage administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Billing requests from a file.
    Billing {
        #[command(subcommand)]
        command: BillingCommand,
    },
    /// Manage billing API tokens.
    BillingToken {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The CSA address directory.
    Csa {
        #[command(subcommand)]
        command: CsaCommand,
    },
    /// Generate a demo data set of the given size.
    Demo {
        #[arg(long)]
        users: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Apply the deletion and retention rules as of a time (RFC 3339) and report.
    Retention {
        #[arg(long)]
        at: String,
    },
}

#[derive(Subcommand)]
enum BillingCommand {
    /// Apply the billing requests of a JSON Lines file (one request per line), as the batch
    /// call does: in order per entity, idempotent by request id, so an interrupted import is
    /// simply run again.
    Import { file: std::path::PathBuf },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an administrator. No --scope-* means all cameras. The password comes from
    /// VMS_ADMIN_PASSWORD or standard input; --password works but shows it to every user of
    /// the machine (process list, shell history).
    Create {
        #[arg(long)]
        login: String,
        #[arg(long)]
        password: Option<String>,
        /// superadmin or admin
        #[arg(long, default_value = "admin", value_parser = parse_role)]
        role: Role,
        /// A console permission slug (SPEC §6), repeated for each
        #[arg(long = "permission", value_parser = parse_permission)]
        permissions: Vec<Permission>,
        #[arg(long = "scope-csa")]
        scope_csa: Vec<String>,
        #[arg(long = "scope-camera")]
        scope_cameras: Vec<i64>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token; it is printed once and stored only as a hash.
    Create {
        #[arg(long, default_value = "billing")]
        name: String,
    },
}

#[derive(Subcommand)]
enum CsaCommand {
    /// Upsert the codes of a CSV file (code,city,street,house,entrance).
    Import { file: std::path::PathBuf },
}

fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/vms.db".into())
}

#[tokio::main]
async fn main() {
    let logs = tracing_subscriber::fmt().with_env_filter(
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
    );
    // One JSON object per line for log collectors (`VMS_LOG_FORMAT=json`), else text.
    if std::env::var("VMS_LOG_FORMAT").is_ok_and(|f| f.trim() == "json") {
        logs.json().init();
    } else {
        logs.init();
    }
    let cli = Cli::parse();
    if let Err(message) = run(cli.command.unwrap_or(Command::Serve)).await {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

async fn run(command: Command) -> Result<(), String> {
    let db = Db::connect(&database_url()).await.map_err(|e| format!("database: {e}"))?;
    let clock = Clock::default();
    let now = clock.now_ms();
    match command {
        Command::Serve => serve(db, clock).await,
        Command::Admin {
            command: AdminCommand::Create { login, password, role, permissions, scope_csa, scope_cameras },
        } => {
            let password = admin_password(password)?;
            let id = admins::create(
                &db,
                admins::NewAdmin { login, password, role, permissions, scope_csa, scope_cameras },
                now,
            )
            .await
            .map_err(|e| e.to_string())?;
            println!("administrator {id} created");
            Ok(())
        }
        Command::BillingToken { command: TokenCommand::Create { name } } => {
            let token = app::backend::token::new_token();
            sqlx::query("INSERT INTO billing_tokens (name, token_hash, created_at) VALUES ($1, $2, $3)")
                .bind(&name)
                .bind(app::backend::token::hash_token(&token))
                .bind(now)
                .execute(&db.pool)
                .await
                .map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }
        Command::Billing { command: BillingCommand::Import { file } } => {
            use std::io::Write;
            let started = std::time::Instant::now();
            let done = server::billing::import::import(&db, &file, |p| {
                let rate = p.done as f64 / started.elapsed().as_secs_f64().max(0.001);
                let width = 30 * p.done / p.total.max(1);
                eprint!(
                    "\r[{}{}] {}/{} requests, {:.0}/s, {} refused ",
                    "#".repeat(width),
                    " ".repeat(30 - width),
                    p.done,
                    p.total,
                    rate,
                    p.refused
                );
                let _ = std::io::stderr().flush();
            })
            .await?;
            eprintln!();
            for refusal in &done.first_refusals {
                println!("{refusal}");
            }
            println!(
                "{} requests in {:.1} s: {} applied (now or before), {} refused",
                done.done,
                started.elapsed().as_secs_f64(),
                done.applied,
                done.refused
            );
            Ok(())
        }
        Command::Csa { command: CsaCommand::Import { file } } => {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let rows = csa::parse(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            let n = csa::import(&db, &rows).await.map_err(|e| e.to_string())?;
            println!("{n} CSA codes imported");
            Ok(())
        }
        Command::Demo { users, seed } => {
            let started = std::time::Instant::now();
            let r = demo::generate(&db, users, seed, now).await.map_err(|e| e.to_string())?;
            println!(
                "demo data: {} users, {} sub-users, {} locations, {} cameras, {} intercoms, {} cases, {} billing events in {:.1} s",
                r.users, r.sub_users, r.locations, r.cameras, r.intercoms, r.cases, r.billing_events,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Retention { at } => {
            let at_ms = app::domain::time::parse_rfc3339(&at)
                .ok_or_else(|| format!("--at {at}: not an RFC 3339 time (e.g. 2026-12-31T00:00:00Z)"))?;
            match retention::run(&db, at_ms, &retention::holder()).await.map_err(|e| e.to_string())? {
                Some(report) => {
                    println!("retention as of {at}: {report}");
                    Ok(())
                }
                None => Err("another process is running retention now; try again later".into()),
            }
        }
    }
}

/// The site root is a link a build points at each new site (`sitebuild`): this process
/// serves the site it started with, and the names in its pages come from that site's
/// `hash.txt`, whatever later builds do.
fn pin_site(options: &mut leptos::prelude::LeptosOptions) {
    let Ok(site) = std::fs::canonicalize(options.site_root.as_ref()) else { return };
    let hashes = site.join("hash.txt");
    if hashes.exists() {
        options.hash_file = hashes.display().to_string().into();
    }
    options.site_root = site.display().to_string().into();
}

/// The new administrator's password: `--password` (with a warning), `VMS_ADMIN_PASSWORD`,
/// or the first line of standard input.
fn admin_password(given: Option<String>) -> Result<String, String> {
    if let Some(p) = given {
        eprintln!(
            "warning: a password on the command line is visible to other users of this machine and stays in shell \
             history; prefer VMS_ADMIN_PASSWORD or standard input"
        );
        return Ok(p);
    }
    if let Some(p) = std::env::var("VMS_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty()) {
        return Ok(p);
    }
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        eprint!("Password for the new administrator (input is shown): ");
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| format!("reading the password: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err("no password: give it in VMS_ADMIN_PASSWORD or on standard input".into());
    }
    Ok(password)
}

/// The demo administrator created with `VMS_DEMO_DATA=1` when none exists.
const DEMO_ADMIN: (&str, &str) = ("admin", "admin-demo-2026");

async fn serve(db: Db, clock: Clock) -> Result<(), String> {
    let now = clock.now_ms();
    if let Ok(spec) = std::env::var("VMS_BOOTSTRAP_ADMIN") {
        if let Some(login) = admins::bootstrap(&db, &spec, now).await.map_err(|e| e.to_string())? {
            tracing::info!(%login, "bootstrap superadmin created");
        }
    }
    if std::env::var("VMS_DEMO_DATA").is_ok_and(|v| v == "1") && demo::is_empty(&db).await.map_err(|e| e.to_string())? {
        let r = demo::generate(&db, 200, 1, now).await.map_err(|e| e.to_string())?;
        tracing::info!(users = r.users, cameras = r.cameras, "demo data loaded");
        if admins::bootstrap(&db, &format!("{}:{}", DEMO_ADMIN.0, DEMO_ADMIN.1), now)
            .await
            .map_err(|e| e.to_string())?
            .is_some()
        {
            tracing::info!(login = DEMO_ADMIN.0, "demo administrator created (its password is in the README)");
        }
    }
    let mut options = get_configuration(None).map_err(|e| e.to_string())?.leptos_options;
    pin_site(&mut options);
    let addr = options.site_addr;
    let pkg = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let started = std::time::Instant::now();
    match tokio::task::spawn_blocking(move || server::assets::precompress(&pkg)).await {
        Ok(Ok(n)) if n > 0 => tracing::info!(files = n, ms = started.elapsed().as_millis() as u64, "assets compressed"),
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "assets could not be compressed; served as they are"),
        Err(e) => tracing::warn!(error = %e, "asset compression failed"),
    }
    let config = Config::from_env()?;
    if std::env::var("VMS_SECRET_KEY").is_err() {
        tracing::warn!(
            "VMS_SECRET_KEY is not set: the key of the keyed hashes (billing request fingerprints, throttled \
             logins) is kept in the database, so a copy of the database alone can be used to guess passwords \
             sent by billing. Set it (the same on every server process)."
        );
    }
    let state = AppState::new(options, db, clock, config);
    tokio::spawn(retention::periodically(state.clone()));
    if state.db.backend == Backend::Postgres {
        // Environment changes made by any server process reach this one's event streams,
        // and this one's reach theirs.
        tokio::spawn(app::backend::changes::listen(database_url()));
        tokio::spawn(app::backend::changes::notify(database_url()));
    }
    if let Some(metrics_addr) = std::env::var("VMS_METRICS_ADDR").ok().filter(|a| !a.trim().is_empty()) {
        let listener = tokio::net::TcpListener::bind(metrics_addr.trim())
            .await
            .map_err(|e| format!("VMS_METRICS_ADDR={metrics_addr}: {e}"))?;
        tracing::info!(url = %format!("http://{}/metrics", metrics_addr.trim()), "metrics served");
        let metrics = server::observe::metrics_router(state.clone());
        tokio::spawn(async move { axum::serve(listener, metrics).await });
    }
    let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| format!("{addr}: {e}"))?;
    tracing::info!(url = %format!("http://{addr}"), "VMS Admin Console listening");
    // The client's address reaches handlers (sign-in throttling per address).
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
