//! `kefu`: the whole product in one binary.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use kefu::config::{self, FileSettings, Settings};
use kefu::demo;
use kefu_model::drafts::UserDraft;
use kefu_model::{Clock, Role, SystemClock};
use tokio::net::TcpListener;

/// Many small, short-lived allocations per request (JSON, rows): mimalloc serves them with
/// less contention between the async workers and the writer thread than glibc malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "kefu",
    version,
    about = "kefu 客服 — customer service for express delivery"
)]
struct Cli {
    /// A TOML file with listen, data_dir, database_url, time_zone, channel_workers, public_url,
    /// speech_url, smtp_listen, smtp_allowed_clients.
    #[arg(long, env = "KEFU_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Where SQLite keeps its file (used when no database URL is given).
    #[arg(long, env = "KEFU_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// postgres://user@host/db for PostgreSQL; empty for SQLite in the data dir.
    #[arg(long, env = "KEFU_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// IANA time zone of the service centre.
    #[arg(long, env = "KEFU_TIME_ZONE", global = true)]
    time_zone: Option<String>,
    /// Read the configured mailboxes and send replies from this node (default true).
    #[arg(long, env = "KEFU_CHANNEL_WORKERS", global = true)]
    channel_workers: Option<bool>,
    /// Where customers reach this kefu, for the links notices carry (default http://{listen}).
    #[arg(long, env = "KEFU_PUBLIC_URL", global = true)]
    public_url: Option<String>,
    /// A speech-to-text service that transcribes call recordings (empty: none).
    #[arg(long, env = "KEFU_SPEECH_URL", global = true)]
    speech_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a fresh demo: a new SQLite database full of Chinese demo data, served on 127.0.0.1:8080.
    Demo {
        #[arg(long, env = "KEFU_LISTEN", default_value = config::DEFAULT_LISTEN)]
        listen: String,
    },
    /// Run the server.
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080.
        #[arg(long, env = "KEFU_LISTEN")]
        listen: Option<String>,
        /// Also take mail from a mail gateway by SMTP on this address, e.g. 127.0.0.1:2525
        /// (plain SMTP without login: for a gateway on a trusted network).
        #[arg(long, env = "KEFU_SMTP_LISTEN")]
        smtp_listen: Option<String>,
        /// The mail gateway's IP addresses, comma-separated; other clients are refused.
        #[arg(long, env = "KEFU_SMTP_ALLOWED_CLIENTS")]
        smtp_allowed_clients: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Rebuild this node's search index from the database (it then follows the outbox again).
    Reindex,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write all data as JSON lines (to a file, or standard output).
    Export {
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Load a dump made by `kefu export` into an empty database.
    Import { file: PathBuf },
    /// Shipments and scans from the ops system.
    Shipments {
        #[command(subcommand)]
        command: ShipmentCommand,
    },
}

#[derive(Subcommand)]
enum ShipmentCommand {
    /// Load shipments or scans from CSV or JSON lines; bad rows go to a report, the rest load.
    Import {
        file: PathBuf,
        /// csv or jsonl (default: from the file name).
        #[arg(long)]
        format: Option<String>,
        /// Where rejected rows are written (default: FILE.rejected.jsonl).
        #[arg(long)]
        report: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password comes from KEFU_NEW_USER_PASSWORD, or is generated and printed.
    Add {
        username: String,
        #[arg(long, default_value = "agent")]
        role: String,
        /// Department id or key (required for the department role).
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
    },
}

fn main() -> std::process::ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KEFU_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kefu: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kefu: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let file = match &cli.config {
        Some(path) => FileSettings::load(path)?,
        None => FileSettings::default(),
    };
    // A data directory the user named (flag, KEFU_DATA_DIR or the file): the demo uses it.
    let named_data_dir = cli.data_dir.clone().or_else(|| file.data_dir.clone());
    let (listen_flag, smtp_listen, smtp_allowed_clients) = match &cli.command {
        Command::Serve {
            listen,
            smtp_listen,
            smtp_allowed_clients,
        } => (
            listen.clone(),
            smtp_listen.clone(),
            smtp_allowed_clients.clone(),
        ),
        Command::Demo { listen } => (Some(listen.clone()), None, None),
        _ => (None, None, None),
    };
    let mut settings = Settings::merge(
        file,
        FileSettings {
            listen: listen_flag,
            data_dir: cli.data_dir,
            database_url: cli.database_url,
            time_zone: cli.time_zone,
            channel_workers: cli.channel_workers,
            public_url: cli.public_url,
            speech_url: cli.speech_url,
            smtp_listen,
            smtp_allowed_clients,
        },
    );
    match cli.command {
        Command::Demo { .. } => {
            if settings.database_url.is_some() {
                return Err(
                    "the demo always runs on a fresh SQLite database; drop --database-url".into(),
                );
            }
            settings.data_dir = match named_data_dir {
                Some(dir) => empty_demo_dir(&dir)?,
                None => fresh_demo_dir()?,
            };
            let desk = open_desk_for_serving(&settings).await?;
            let admin_password = desk
                .bootstrap_admin(admin_password_from_env())
                .await
                .map_err(|e| e.to_string())?;
            let started = std::time::Instant::now();
            let summary = demo::seed(
                desk.store().clone(),
                desk.time_zone().clone(),
                SystemClock.now(),
            )
            .await
            .map_err(|e| format!("demo data: {e}"))?;
            let parcels = kefu::demo_parcels::seed(&desk, SystemClock.now())
                .await
                .map_err(|e| format!("demo parcels: {e}"))?;
            let chats = kefu::demo_chats::seed_with_demo_staff(&desk, SystemClock.now(), &parcels)
                .await
                .map_err(|e| format!("demo chats: {e}"))?;
            kefu::demo_kb::seed(&desk, SystemClock.now())
                .await
                .map_err(|e| format!("demo knowledge base: {e}"))?;
            let mails = kefu::demo_mail::seed(&desk, SystemClock.now())
                .await
                .map_err(|e| format!("demo mail: {e}"))?;
            let wechat_waybill = parcels
                .samples
                .iter()
                .find(|(outcome, _)| *outcome == kefu_model::tracking::Outcome::WithResult)
                .and_then(|(_, numbers)| numbers.first())
                .map(String::as_str);
            let wechat_messages = kefu::demo_wechat::seed(&desk, SystemClock.now(), wechat_waybill)
                .await
                .map_err(|e| format!("demo WeChat: {e}"))?;
            let calls = kefu::demo_calls::seed(&desk, SystemClock.now())
                .await
                .map_err(|e| format!("demo calls: {e}"))?;
            let sample_waybills: Vec<String> = parcels
                .samples
                .iter()
                .flat_map(|(_, numbers)| numbers.iter().cloned())
                .collect();
            let orders = kefu::demo_orders::seed(&desk, SystemClock.now(), &sample_waybills)
                .await
                .map_err(|e| format!("demo work orders: {e}"))?;
            let planned = kefu::demo_staffing::seed(&desk, SystemClock.now())
                .await
                .map_err(|e| format!("demo staffing: {e}"))?;
            let inspected = kefu::demo_quality::seed(&desk, SystemClock.now())
                .await
                .map_err(|e| format!("demo quality inspection: {e}"))?;
            let key_accounts = kefu::demo_key_accounts::seed(&desk, SystemClock.now())
                .await
                .map_err(|e| format!("demo key accounts: {e}"))?;
            // After the history: only what happens while the demo runs is sent.
            let sms_gateway = kefu::demo_sms::start().await?;
            kefu::demo_sms::seed(&desk, &sms_gateway)
                .await
                .map_err(|e| format!("demo SMS gateway: {e}"))?;
            let listener = bind(&settings.listen).await?;
            let url = format!(
                "http://{}",
                listener.local_addr().map_err(|e| e.to_string())?
            );
            println!(
                "kefu demo: {} customers, {} cases, {} departments in {:.1} s ({})",
                summary.customers,
                summary.cases,
                summary.departments,
                started.elapsed().as_secs_f64(),
                settings.describe_store()
            );
            println!("serving on {url}  (API: {url}/api/v1, spec: {url}/api/v1/openapi.json)");
            println!(
                "{chats} live chats (agent01 and agent02 are online for chats: {url}/chats); \
                 the customer's chat: {url}/portal/chat, embeddable with <script src=\"{url}/widget.js\"></script>"
            );
            println!(
                "{mails} mails in the demo mailbox (admins: {url}/channels; GET /api/v1/channels/inbound); \
                 connect a real mailbox with PUT /api/v1/channels/email/{{id}} or on that page"
            );
            println!(
                "{wechat_messages} WeChat messages to the demo official account (disabled until connected: \
                 {url}/channels); WeChat's callback URL is /hooks/wechat/{{id}}"
            );
            println!(
                "11.11 marked as a promotion day and {planned} day plans for this week \
                 (staffing planner: {url}/console/staffing, GET /api/v1/staffing/needed?day=…)"
            );
            println!(
                "{calls} calls from the demo PBX this morning (phone figures: {url}/dashboard?days=1, \
                 GET /api/v1/stats/phone; the PBX posts to /hooks/pbx/{{account id}})"
            );
            println!(
                "{} work orders to {} outlets over the past week, in every state (the network's \
                 queue: {url}/console/work-orders; the assessment: GET /api/v1/network/assessment)",
                orders.orders, orders.outlets
            );
            println!(
                "customer notices go out by SMS through a demo gateway on this machine that prints \
                 them here (a new phone case gets its receipt, a resolved one its survey): \
                 {url}/channels/notices"
            );
            println!("logins:");
            if let Some(pw) = admin_password {
                println!("  admin        {pw:<16} admin");
            }
            for u in &summary.users {
                println!(
                    "  {:<12} {:<16} {} {}",
                    u.username,
                    demo::DEMO_PASSWORD,
                    u.role,
                    u.display_name
                );
            }
            println!(
                "  {:<12} {:<16} inspector (质检员: {inspected} inspections scored, {url}/console/quality)",
                kefu::demo_quality::INSPECTOR,
                demo::DEMO_PASSWORD
            );
            println!(
                "  key accounts: {key_accounts} contract customers graded 1–3 at {url}/console/key-accounts (supervisor: all; agent01–agent03: their own)"
            );
            println!(
                "  {:<12} {:<16} finance (pays approved claims)",
                parcels.finance_user,
                demo::DEMO_PASSWORD
            );
            for (username, role, what) in &parcels.network_logins {
                println!(
                    "  {:<12} {:<16} {} {}",
                    username,
                    demo::DEMO_PASSWORD,
                    role,
                    what
                );
            }
            println!(
                "parcels: {} shipments, {} outlets, {} pickups, {} claims; waybills to try \
                 (POST /api/v1/tracking/query or {url}/portal):",
                parcels.shipments, parcels.outlets, parcels.pickups, parcels.claims
            );
            for (outcome, numbers) in &parcels.samples {
                println!("  {:<12} {}", outcome.as_str(), numbers.join("  "));
            }
            serve(listener, desk, &settings).await
        }
        Command::Serve { .. } => {
            let desk = open_desk_for_serving(&settings).await?;
            if let Some(pw) = desk
                .bootstrap_admin(admin_password_from_env())
                .await
                .map_err(|e| e.to_string())?
            {
                if std::env::var_os("KEFU_ADMIN_PASSWORD").is_none() {
                    // Shown once: it is stored only as a hash.
                    println!("created user 'admin' with password: {pw}");
                } else {
                    println!("created user 'admin' with the password from KEFU_ADMIN_PASSWORD");
                }
            }
            if let Some(smtp_listen) = &settings.smtp_listen {
                let allowed =
                    kefu::smtp_intake::parse_allowed_clients(&settings.smtp_allowed_clients)?;
                let smtp = bind(smtp_listen).await?;
                let addr = smtp.local_addr().map_err(|e| e.to_string())?;
                println!("kefu takes mail by SMTP on {addr}");
                let config = kefu_mailbox::SmtpServerConfig {
                    allowed_clients: allowed,
                    ..kefu_mailbox::SmtpServerConfig::default()
                };
                tokio::spawn(kefu::smtp_intake::run(smtp, desk.clone(), config));
            }
            let listener = bind(&settings.listen).await?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            println!(
                "kefu listening on http://{addr} ({})",
                settings.describe_store()
            );
            serve(listener, desk, &settings).await
        }
        Command::Reindex => {
            let store = config::open_store(&settings).await?;
            let index = open_search_index(&settings)?;
            let started = std::time::Instant::now();
            let n = kefu_search::desk::reindex(&index, store.as_ref())
                .await
                .map_err(|e| format!("reindex: {e}"))?;
            println!(
                "reindexed {n} documents in {:.1} s ({})",
                started.elapsed().as_secs_f64(),
                settings.describe_store()
            );
            Ok(())
        }
        Command::Migrate => {
            config::open_store(&settings).await?;
            println!("migrated: {}", settings.describe_store());
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    department,
                    display_name,
                },
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                let known: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown role '{role}': {}", known.join(", "))
            })?;
            let desk = config::desk(config::open_store(&settings).await?, &settings)?;
            let given = std::env::var("KEFU_NEW_USER_PASSWORD").ok();
            let password = given.clone().unwrap_or_else(kefu_model::auth::new_password);
            let user = desk
                .create_user(
                    None,
                    UserDraft {
                        username,
                        password: password.clone(),
                        role,
                        display_name,
                        department,
                    },
                )
                .await
                .map_err(|e| e.to_string())?;
            match given {
                Some(_) => println!("added {} ({})", user.username, user.role),
                None => println!(
                    "added {} ({}) with password: {password}",
                    user.username, user.role
                ),
            }
            Ok(())
        }
        Command::Export { output } => {
            let store = config::open_store(&settings).await?;
            let n = kefu::transfer::export_to(store.as_ref(), output.as_deref()).await?;
            eprintln!("exported {n} records from {}", settings.describe_store());
            Ok(())
        }
        Command::Shipments {
            command:
                ShipmentCommand::Import {
                    file,
                    format,
                    report,
                },
        } => {
            let format = match format {
                Some(f) => kefu::shipments::Format::parse(&f)
                    .ok_or_else(|| format!("unknown format '{f}': csv or jsonl"))?,
                None => kefu::shipments::Format::of_path(&file),
            };
            let report_path = report.unwrap_or_else(|| {
                let mut p = file.clone().into_os_string();
                p.push(".rejected.jsonl");
                PathBuf::from(p)
            });
            let mut report_file = std::io::BufWriter::new(
                std::fs::File::create(&report_path)
                    .map_err(|e| format!("cannot create {}: {e}", report_path.display()))?,
            );
            let desk = config::desk(config::open_store(&settings).await?, &settings)?;
            let totals = kefu::shipments::import(
                &desk,
                &file,
                format,
                &mut report_file,
                &mut std::io::stderr(),
            )
            .await?;
            std::io::Write::flush(&mut report_file).map_err(|e| e.to_string())?;
            println!(
                "{} rows: {} written, {} rejected (see {})",
                totals.rows,
                totals.written,
                totals.rejected,
                report_path.display()
            );
            Ok(())
        }
        Command::Import { file } => {
            let store = config::open_store(&settings).await?;
            let n = kefu::transfer::import_from(store.as_ref(), &file).await?;
            eprintln!("imported {n} records into {}", settings.describe_store());
            // The key figures are a read model of the cases: computed here, not carried.
            let desk = config::desk(store, &settings)?;
            let cases = desk
                .rebuild_figures()
                .await
                .map_err(|e| format!("computing the key figures: {e}"))?;
            eprintln!("computed the key figures of {cases} cases");
            Ok(())
        }
    }
}

/// The desk a server runs: store opened and migrated, and what kefu ships installed.
async fn open_desk_for_serving(settings: &Settings) -> Result<kefu_desk::Desk, String> {
    let desk = config::desk(config::open_store(settings).await?, settings)?;
    kefu::node::install_shipped(&desk).await?;
    Ok(desk)
}

fn admin_password_from_env() -> Option<String> {
    std::env::var("KEFU_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
}

/// The directory the user named for the demo, created if absent. One that holds anything is
/// refused rather than emptied: the demo needs a fresh database and never deletes data.
fn empty_demo_dir(dir: &std::path::Path) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if entries.next().is_some() {
        return Err(format!(
            "{} is not empty; the demo starts a fresh database in an empty (or new) directory",
            dir.display()
        ));
    }
    Ok(dir.to_path_buf())
}

fn fresh_demo_dir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("kefu-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

async fn bind(listen: &str) -> Result<TcpListener, String> {
    TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))
}

/// This node's search index, under the data directory (each node keeps its own, fed from the
/// shared outbox).
fn open_search_index(settings: &Settings) -> Result<kefu_search::SearchIndex, String> {
    let dir = settings.data_dir.join("search-index");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    kefu_search::SearchIndex::open(&dir).map_err(|e| format!("search index {}: {e}", dir.display()))
}

async fn serve(
    listener: TcpListener,
    desk: kefu_desk::Desk,
    settings: &Settings,
) -> Result<(), String> {
    let mut state = kefu::node::start(desk, open_search_index(settings)?, settings.channel_workers);
    if let Some(url) = &settings.speech_url {
        let engine = kefu_web::speech::HttpSpeechToText::new(
            url.clone(),
            std::time::Duration::from_secs(120),
        )?;
        state = state.with_speech(std::sync::Arc::new(engine));
    }
    kefu_web::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}
