//! `kefu-bench-chat`: live chat figures over loopback (issue #6). It prints, it asserts nothing.
//!
//! It spawns the release `kefu serve` as a separate process (fresh temp data dir, a free
//! 127.0.0.1 port) so the server's own RSS and CPU can be read from `/proc/<pid>`, and runs:
//!
//! - `idle`: N customer connections (each: `POST /api/v1/chat/conversations`, which also creates
//!   a case, then `/chat/ws`, `hello`, `welcome`), the server's RSS before and after, and its CPU
//!   while they sit idle.
//! - `roundtrip`: K conversations, each with a customer socket and an agent socket; paced
//!   customer messages at an aggregate rate; send → `ack` (stored) and send → the agent socket
//!   receiving the message. The bot answers every customer message too (part of the load).
//! - `pg` (optional): the same round trip over PostgreSQL with two `kefu serve` nodes on one
//!   fresh schema, the customer on node A and the agent on node B.
//!
//! `POST /api/v1/chat/conversations` is rate-limited per client address (the portal's limit),
//! so the bench starts at most 50 conversations from each loopback source address
//! (127.1.x.y, all of 127/8 is loopback) — the server is always reached at 127.0.0.1.
//!
//! This is an operator tool, not a test and not domain code.

use kefu_bench::{free_port, fresh_temp_dir, utc_now_for_report};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const ADMIN_USER: &str = "admin";
const ADMIN_PASSWORD: &str = "bench-admin-pass";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// Bounds every single step that waits for the server (a request, a `welcome`).
const STEP_TIMEOUT: Duration = Duration::from_secs(15);
/// How long the round trip waits for late acks and deliveries after the last send.
const DRAIN: Duration = Duration::from_secs(10);
/// Conversations started from one source address (the server allows 60 a minute per address).
const STARTS_PER_ADDRESS: u32 = 50;
/// File descriptors kept free for everything that is not a chat connection.
const FD_RESERVE: u64 = 1000;
/// The customer's message: a greeting the bot answers every time without handing over.
const CUSTOMER_TEXT: &str = "你好";
const PSQL_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Debug, Parser)]
#[command(
    name = "kefu-bench-chat",
    about = "Live chat benchmark over loopback (127.0.0.1)"
)]
struct Args {
    /// kefu binary to spawn as `<bin> serve --listen 127.0.0.1:PORT --data-dir DIR`.
    #[arg(long, value_name = "PATH", default_value = "target/release/kefu")]
    server_bin: PathBuf,

    /// Phases to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "idle,roundtrip")]
    phases: Vec<Phase>,

    /// Idle customer connections (lowered to what the open-file limit allows).
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=50_000))]
    connections: u64,

    /// Connections being opened at once.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=1000))]
    open_concurrency: u64,

    /// Seconds the connections sit idle while the server's CPU is measured.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    idle_seconds: u64,

    /// Conversations (customer + agent socket each) in the round trip.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=1000))]
    conversations: u64,

    /// Aggregate customer messages per second, one step per value.
    #[arg(long, value_delimiter = ',', default_value = "1000")]
    rates: Vec<u32>,

    /// Measured seconds per rate step.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=120))]
    seconds: u64,

    /// Uncounted seconds at the rate before each step is measured.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(0..=30))]
    warmup: u64,

    /// PostgreSQL for the `pg` phase (a fresh schema is created in it and dropped after).
    #[arg(long, default_value = PSQL_URL)]
    pg_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Phase {
    Idle,
    Roundtrip,
    Pg,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if args.rates.iter().any(|&r| r == 0 || r > 100_000) {
        eprintln!("kefu-bench-chat: --rates must be 1..=100000");
        return ExitCode::from(2);
    }
    let work = async {
        println!(
            "kefu-bench-chat: {} cores, date {}",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            utc_now_for_report()
        );
        if args.phases.contains(&Phase::Idle) {
            idle_phase(&args).await?;
        }
        if args.phases.contains(&Phase::Roundtrip) {
            roundtrip_phase(&args).await?;
        }
        if args.phases.contains(&Phase::Pg) {
            pg_phase(&args).await?;
        }
        Ok::<(), String>(())
    };
    let outcome = tokio::select! {
        r = work => r,
        _ = tokio::signal::ctrl_c() => Err("interrupted".into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kefu-bench-chat: error: {e}");
            ExitCode::from(1)
        }
    }
}

// ---- the server process -----------------------------------------------------------------------

struct Server {
    child: tokio::process::Child,
    pid: u32,
    base: String,
    dir: PathBuf,
}

impl Server {
    /// Starts `kefu serve` with its own temp dir (data, log), on SQLite or `database_url`.
    async fn start(bin: &Path, database_url: Option<&str>) -> Result<Server, String> {
        if !bin.is_file() {
            return Err(format!(
                "server binary {} not found (cargo build --release -p kefu, or --server-bin)",
                bin.display()
            ));
        }
        let dir = fresh_temp_dir("kefu-bench-chat")?;
        let port = free_port()?;
        let listen = format!("127.0.0.1:{port}");
        let log_path = dir.join("kefu-server.log");
        let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = tokio::process::Command::new(bin);
        cmd.arg("serve")
            .arg("--listen")
            .arg(&listen)
            .arg("--data-dir")
            .arg(&dir)
            .env("KEFU_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env_remove("KEFU_DATABASE_URL")
            .env_remove("KEFU_CONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true);
        if let Some(url) = database_url {
            cmd.arg("--database-url").arg(url);
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let pid = child.id().ok_or("the server exited at once")?;
        let mut server = Server {
            child,
            pid,
            base: format!("http://{listen}"),
            dir,
        };
        let started = Instant::now();
        let client = http_client(None)?;
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "server exited ({status}); see {}",
                    log_path.display()
                ));
            }
            let ok = client
                .get(format!("{}/healthz", server.base))
                .timeout(Duration::from_secs(1))
                .send()
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK);
            if ok {
                break;
            }
            if started.elapsed() > STARTUP_TIMEOUT {
                server.stop().await;
                return Err(format!("server not healthy; see {}", log_path.display()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        eprintln!(
            "kefu-bench-chat: server pid {} at {} ({}) up after {:.1}s",
            server.pid,
            server.base,
            if database_url.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            },
            started.elapsed().as_secs_f64()
        );
        Ok(server)
    }

    /// Stops the server, says how many warnings it logged, and removes its temp dir.
    async fn stop(&mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        let log = std::fs::read_to_string(self.dir.join("kefu-server.log")).unwrap_or_default();
        let warnings: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
            .collect();
        if let Some(first) = warnings.first() {
            println!(
                "  server pid {} logged {} warnings/errors; first: {}",
                self.pid,
                warnings.len(),
                strip_ansi(first).chars().take(300).collect::<String>()
            );
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    fn rss_kib(&self) -> Result<u64, String> {
        rss_kib(self.pid)
    }

    fn cpu_ticks(&self) -> Result<u64, String> {
        cpu_ticks(&self.pid.to_string())
    }
}

/// The log's text without its colour codes.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // Skip to the end of the `ESC [ … m` sequence.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---- /proc ------------------------------------------------------------------------------------

fn rss_kib(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read /proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS".to_string())
}

/// utime + stime of a process (`self` or a pid), in clock ticks.
fn cpu_ticks(pid: &str) -> Result<u64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("cannot read /proc/{pid}/stat: {e}"))?;
    // Fields after the command name (which may hold spaces) start at field 3 (state).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| -> Result<u64, String> {
        fields
            .get(n - 3)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("bad /proc/{pid}/stat"))
    };
    Ok(field(14)? + field(15)?)
}

fn clock_ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// The soft limit on open files of this process (the server inherits it).
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

// ---- HTTP and WebSocket clients ---------------------------------------------------------------

fn http_client(local: Option<IpAddr>) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .no_proxy()
        .http1_only()
        .tcp_nodelay(true)
        .local_address(local)
        .pool_max_idle_per_host(4)
        .pool_idle_timeout(Duration::from_secs(5))
        .timeout(STEP_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot build HTTP client: {e}"))
}

/// Starts conversations, at most `STARTS_PER_ADDRESS` from each loopback source address.
struct Starter {
    base: String,
    started: AtomicU32,
    clients: Mutex<Vec<reqwest::Client>>,
}

struct Started {
    token: String,
    case_id: String,
}

impl Starter {
    fn new(base: &str) -> Starter {
        Starter {
            base: base.to_string(),
            started: AtomicU32::new(0),
            clients: Mutex::new(Vec::new()),
        }
    }

    fn client_for(&self, group: u32) -> Result<reqwest::Client, String> {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        while clients.len() <= group as usize {
            let g = clients.len() as u32;
            let [_, _, hi, lo] = (g + 1).to_be_bytes();
            // 127.1.0.1, 127.1.0.2, …: every 127/8 address is loopback on Linux.
            let ip = Ipv4Addr::new(127, 1, hi, lo);
            clients.push(http_client(Some(IpAddr::V4(ip)))?);
        }
        Ok(clients[group as usize].clone())
    }

    async fn start(&self, i: u64) -> Result<Started, String> {
        let n = self.started.fetch_add(1, Ordering::Relaxed);
        let client = self.client_for(n / STARTS_PER_ADDRESS)?;
        let res = client
            .post(format!("{}/api/v1/chat/conversations", self.base))
            .json(&json!({"name": format!("压测客户{i}"), "origin": "bench"}))
            .send()
            .await
            .map_err(|e| format!("start: {e}"))?;
        let status = res.status();
        let body: Value = res.json().await.map_err(|e| format!("start body: {e}"))?;
        if status != StatusCode::CREATED {
            return Err(format!("start answered {status}: {body}"));
        }
        Ok(Started {
            token: body["token"].as_str().unwrap_or_default().to_string(),
            case_id: body["case_id"].as_str().unwrap_or_default().to_string(),
        })
    }
}

async fn login(base: &str) -> Result<String, String> {
    let res = http_client(None)?
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": ADMIN_USER, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .map_err(|e| format!("login: {e}"))?;
    let body: Value = res.json().await.map_err(|e| format!("login body: {e}"))?;
    body["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("login answered {body}"))
}

/// Connects, says hello and waits for `welcome` (frames before it are skipped).
async fn ws_open(base: &str, path: &str, bearer: Option<&str>, hello: Value) -> Result<Ws, String> {
    let url = format!("{}{path}", base.replacen("http://", "ws://", 1));
    let mut req = url.into_client_request().map_err(|e| e.to_string())?;
    if let Some(t) = bearer {
        let v = format!("Bearer {t}").parse().map_err(|_| "bad token")?;
        req.headers_mut().insert("authorization", v);
    }
    let opened = async {
        let (mut ws, _) = tokio_tungstenite::connect_async(req)
            .await
            .map_err(|e| format!("connect {path}: {e}"))?;
        ws.send(Message::Text(hello.to_string().into()))
            .await
            .map_err(|e| format!("hello: {e}"))?;
        loop {
            let msg = ws
                .next()
                .await
                .ok_or("closed before welcome")?
                .map_err(|e| format!("before welcome: {e}"))?;
            let Message::Text(text) = msg else { continue };
            let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            match v["type"].as_str() {
                Some("welcome") => return Ok(ws),
                Some("error") => return Err(format!("refused: {v}")),
                _ => {}
            }
        }
    };
    tokio::time::timeout(STEP_TIMEOUT, opened)
        .await
        .map_err(|_| format!("no welcome on {path} within {STEP_TIMEOUT:?}"))?
}

async fn customer_socket(base: &str, token: &str) -> Result<Ws, String> {
    ws_open(
        base,
        "/chat/ws",
        None,
        json!({"type": "hello", "token": token, "after": 0}),
    )
    .await
}

// ---- figures ----------------------------------------------------------------------------------

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50 / p99 / max in ms, or "–" when empty.
fn summary(v: &mut [Duration]) -> String {
    if v.is_empty() {
        return "–".into();
    }
    v.sort_unstable();
    let p = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (n = {})",
        ms(p(0.50)),
        ms(p(0.99)),
        ms(v[v.len() - 1]),
        v.len()
    )
}

// ---- phase: idle connections ------------------------------------------------------------------

async fn idle_phase(args: &Args) -> Result<(), String> {
    let limit = open_files_limit();
    let allowed = limit.map_or(args.connections, |l| l.saturating_sub(FD_RESERVE));
    let n = args.connections.min(allowed);
    println!(
        "\n## idle connections\nopen-file limit (soft) {}; connections N = {n}{}",
        limit.map_or("unknown".to_string(), |l| l.to_string()),
        if n < args.connections {
            format!(
                " (asked for {}; raise `ulimit -n` for more)",
                args.connections
            )
        } else {
            String::new()
        }
    );
    let mut server = Server::start(&args.server_bin, None).await?;
    let result = idle_run(args, &server, n).await;
    server.stop().await;
    result
}

async fn idle_run(args: &Args, server: &Server, n: u64) -> Result<(), String> {
    let tck = clock_ticks_per_second() as f64;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before = server.rss_kib()?;

    let starter = Arc::new(Starter::new(&server.base));
    let base = server.base.clone();
    let opened_at = Instant::now();
    let server_cpu_open0 = server.cpu_ticks()?;
    let results: Vec<Result<(Ws, Duration, Duration), String>> = futures_util::stream::iter(0..n)
        .map(|i| {
            let starter = starter.clone();
            let base = base.clone();
            async move {
                let t0 = Instant::now();
                let started = starter.start(i).await?;
                let t1 = Instant::now();
                let ws = customer_socket(&base, &started.token).await?;
                Ok((ws, t1 - t0, t1.elapsed()))
            }
        })
        .buffer_unordered(args.open_concurrency as usize)
        .collect()
        .await;
    let open_secs = opened_at.elapsed().as_secs_f64();
    let server_cpu_open = (server.cpu_ticks()? - server_cpu_open0) as f64 / tck;
    let mut sockets = Vec::new();
    let (mut start_lat, mut ws_lat) = (Vec::new(), Vec::new());
    let mut errors = 0u64;
    let mut first_error = None;
    for r in results {
        match r {
            Ok((ws, s, w)) => {
                sockets.push(ws);
                start_lat.push(s);
                ws_lat.push(w);
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert(e);
            }
        }
    }
    let open = sockets.len() as u64;
    println!(
        "opened {open} of {n} in {open_secs:.2} s ({} at once): {:.0} conversations (= cases) \
         started and connected per second; errors {errors}{}",
        args.open_concurrency,
        open as f64 / open_secs,
        first_error.map_or(String::new(), |e| format!(" (first: {e})"))
    );
    println!(
        "  POST /api/v1/chat/conversations (creates the case): {}",
        summary(&mut start_lat)
    );
    println!(
        "  /chat/ws connect + hello → welcome: {}",
        summary(&mut ws_lat)
    );
    println!(
        "  server CPU while opening: {server_cpu_open:.2} s over {open_secs:.2} s ({:.0} % of one core)",
        server_cpu_open / open_secs * 100.0
    );

    // Every socket is read (as a browser would), so frames the server sends do not pile up.
    let alive = Arc::new(AtomicU64::new(open));
    let frames = Arc::new(AtomicU64::new(0));
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|mut ws| {
            let alive = alive.clone();
            let frames = frames.clone();
            tokio::spawn(async move {
                while let Some(Ok(_)) = ws.next().await {
                    frames.fetch_add(1, Ordering::Relaxed);
                }
                alive.fetch_sub(1, Ordering::Relaxed);
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_open = server.rss_kib()?;
    let frames0 = frames.load(Ordering::Relaxed);
    let (cpu0, self0, t0) = (server.cpu_ticks()?, cpu_ticks("self")?, Instant::now());
    tokio::time::sleep(Duration::from_secs(args.idle_seconds)).await;
    let (cpu1, self1, secs) = (
        server.cpu_ticks()?,
        cpu_ticks("self")?,
        t0.elapsed().as_secs_f64(),
    );
    let rss_idle = server.rss_kib()?;
    let idle_frames = frames.load(Ordering::Relaxed) - frames0;
    let still = alive.load(Ordering::Relaxed);
    let per_conn = |rss: u64| (rss.saturating_sub(rss_before)) as f64 / open.max(1) as f64;
    println!(
        "server RSS: {:.1} MiB before, {:.1} MiB with {open} connections (2 s after the last), \
         {:.1} MiB after {:.0} s idle",
        rss_before as f64 / 1024.0,
        rss_open as f64 / 1024.0,
        rss_idle as f64 / 1024.0,
        secs
    );
    println!(
        "  RSS per connection (conversation + socket): {:.1} KiB ({:.1} KiB after idling)",
        per_conn(rss_open),
        per_conn(rss_idle)
    );
    let server_cpu = (cpu1 - cpu0) as f64 / tck;
    println!(
        "server CPU while {open} connections sit idle: {:.2} s over {secs:.1} s = {:.1} % of one core \
         (each connection re-reads its conversation every 5 s); load generator {:.1} %",
        server_cpu,
        server_cpu / secs * 100.0,
        (self1 - self0) as f64 / tck / secs * 100.0
    );
    println!(
        "  frames received while idle: {idle_frames}; connections still open: {still} of {open}"
    );
    for r in readers {
        r.abort();
    }
    Ok(())
}

// ---- phase: message round trip ----------------------------------------------------------------

async fn roundtrip_phase(args: &Args) -> Result<(), String> {
    println!(
        "\n## message round trip, SQLite, customer and agent on one node\n\
         {} conversations (a customer socket and an agent socket each); the customer sends \
         {CUSTOMER_TEXT:?}, which the bot answers (NLU parse + an append per message)",
        args.conversations
    );
    let mut server = Server::start(&args.server_bin, None).await?;
    let result = async {
        let token = login(&server.base).await?;
        let starter = Starter::new(&server.base);
        for &rate in &args.rates {
            let cpu0 = server.cpu_ticks()?;
            let t0 = Instant::now();
            roundtrip_step(args, &starter, &server.base, &token, rate).await?;
            let cpu = (server.cpu_ticks()? - cpu0) as f64 / clock_ticks_per_second() as f64;
            println!(
                "  server CPU over the step (setup included): {:.0} % of one core; RSS {:.1} MiB",
                cpu / t0.elapsed().as_secs_f64() * 100.0,
                server.rss_kib()? as f64 / 1024.0
            );
        }
        Ok::<(), String>(())
    }
    .await;
    server.stop().await;
    result
}

async fn pg_phase(args: &Args) -> Result<(), String> {
    let schema = format!("kefu_bench_chat_{}", std::process::id());
    psql(&args.pg_url, &format!("CREATE SCHEMA {schema}"))?;
    println!(
        "\n## message round trip, PostgreSQL, customer on node A, agent on node B\n\
         schema {schema}; {} conversations; the bot answers every customer message",
        args.conversations
    );
    let sep = if args.pg_url.contains('?') { '&' } else { '?' };
    let url = format!("{}{sep}options=-c%20search_path%3D{schema}", args.pg_url);
    let result = async {
        let mut a = Server::start(&args.server_bin, Some(&url)).await?;
        let b = Server::start(&args.server_bin, Some(&url)).await;
        let mut b = match b {
            Ok(b) => b,
            Err(e) => {
                a.stop().await;
                return Err(e);
            }
        };
        let r = async {
            let token = login(&b.base).await?;
            let starter = Starter::new(&a.base);
            for &rate in &args.rates {
                let (ca, cb, t0) = (a.cpu_ticks()?, b.cpu_ticks()?, Instant::now());
                roundtrip_step(args, &starter, &b.base, &token, rate).await?;
                let tck = clock_ticks_per_second() as f64;
                let secs = t0.elapsed().as_secs_f64();
                println!(
                    "  CPU over the step (setup included): node A {:.0} %, node B {:.0} % of one core",
                    (a.cpu_ticks()? - ca) as f64 / tck / secs * 100.0,
                    (b.cpu_ticks()? - cb) as f64 / tck / secs * 100.0
                );
            }
            Ok::<(), String>(())
        }
        .await;
        a.stop().await;
        b.stop().await;
        r
    }
    .await;
    if let Err(e) = psql(&args.pg_url, &format!("DROP SCHEMA {schema} CASCADE")) {
        eprintln!("kefu-bench-chat: could not drop schema {schema}: {e}");
    }
    result
}

fn psql(url: &str, sql: &str) -> Result<(), String> {
    let out = std::process::Command::new("psql")
        .arg(url)
        .args(["-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "psql {sql:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// When each message of one conversation was sent.
type SendTimes = Arc<Mutex<Vec<Option<Instant>>>>;

struct ConvOutcome {
    /// (message index, send → ack)
    acks: Vec<(u64, Duration, Instant)>,
    /// (message index, send → the agent socket has it)
    delivered: Vec<(u64, Duration)>,
    bot_replies: u64,
    errors: u64,
    first_error: Option<String>,
    max_send_lag: Duration,
    sent: u64,
}

/// One rate step: fresh conversations, paced senders, readers on both sides.
async fn roundtrip_step(
    args: &Args,
    starter: &Starter,
    agent_base: &str,
    token: &str,
    rate: u32,
) -> Result<(), String> {
    let k = args.conversations;
    let mut pairs = Vec::new();
    let mut case_ids = Vec::new();
    for i in 0..k {
        let started = starter.start(i).await?;
        case_ids.push(started.case_id.clone());
        let customer = customer_socket(&starter.base, &started.token).await?;
        let agent = ws_open(
            agent_base,
            &format!("/api/v1/chat/cases/{}/ws", started.case_id),
            Some(token),
            json!({"type": "hello", "after": 0}),
        )
        .await?;
        pairs.push((customer, agent));
    }
    let total_secs = args.warmup + args.seconds;
    let per_conv = (u64::from(rate) * total_secs).div_ceil(k);
    // Messages scheduled before this index are warm-up and not counted.
    let warm_index = (u64::from(rate) * args.warmup).div_ceil(k);
    let begin = tokio::time::Instant::now() + Duration::from_millis(500);
    let interval = Duration::from_secs_f64(k as f64 / f64::from(rate));
    let deadline = begin + Duration::from_secs(total_secs) + DRAIN;

    let mut tasks = Vec::new();
    for (c, (customer, agent)) in pairs.into_iter().enumerate() {
        let times: SendTimes = Arc::new(Mutex::new(vec![None; per_conv as usize]));
        let (sink, stream) = customer.split();
        // Conversations are staggered across one interval.
        let offset = interval.mul_f64(c as f64 / k as f64);
        let sender = tokio::spawn(send_paced(
            sink,
            times.clone(),
            c,
            per_conv,
            begin + offset,
            interval,
        ));
        let customer_reader =
            tokio::spawn(read_customer(stream, times.clone(), per_conv, deadline));
        let agent_reader = tokio::spawn(read_agent(agent, times, c, per_conv, deadline));
        tasks.push((sender, customer_reader, agent_reader));
    }
    let mut all = Vec::new();
    for (s, cr, ar) in tasks {
        let (sink, max_lag, sent) = s.await.map_err(|e| e.to_string())?;
        let (acks, bot_replies, errors, first_error, stream) =
            cr.await.map_err(|e| e.to_string())?;
        let delivered = ar.await.map_err(|e| e.to_string())?;
        drop(sink.reunite(stream));
        all.push(ConvOutcome {
            acks,
            delivered,
            bot_replies,
            errors,
            first_error,
            max_send_lag: max_lag,
            sent,
        });
    }
    report_step(args, rate, per_conv, warm_index, begin.into_std(), &all);
    // What the store holds, against what the sockets were sent.
    let client = http_client(None)?;
    let mut stored_bot = 0;
    for id in &case_ids {
        stored_bot += stored_bot_messages(&client, agent_base, token, id).await?;
    }
    let received: u64 = all.iter().map(|o| o.bot_replies).sum();
    println!(
        "  bot messages stored (greetings included): {stored_bot}; received on the customer sockets: {received}"
    );
    Ok(())
}

/// Bot messages in a conversation, read page by page through the staff frames endpoint.
async fn stored_bot_messages(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    case_id: &str,
) -> Result<u64, String> {
    let (mut after, mut count) = (0i64, 0u64);
    for _ in 0..1000 {
        let body: Value = client
            .get(format!(
                "{base}/api/v1/chat/cases/{case_id}/frames?after={after}"
            ))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| format!("frames: {e}"))?
            .json()
            .await
            .map_err(|e| format!("frames body: {e}"))?;
        let items = body["items"].as_array().cloned().unwrap_or_default();
        let Some(last) = items.last().and_then(|f| f["seq"].as_i64()) else {
            break;
        };
        count += items
            .iter()
            .filter(|f| f["type"] == "message" && f["author"] == "bot")
            .count() as u64;
        after = last;
    }
    Ok(count)
}

type Sink = SplitSink<Ws, Message>;

async fn send_paced(
    mut sink: Sink,
    times: SendTimes,
    c: usize,
    count: u64,
    first: tokio::time::Instant,
    interval: Duration,
) -> (Sink, Duration, u64) {
    let mut max_lag = Duration::ZERO;
    let mut sent = 0;
    for j in 0..count {
        let at = first + interval.mul_f64(j as f64);
        tokio::time::sleep_until(at).await;
        let now = tokio::time::Instant::now();
        max_lag = max_lag.max(now - at);
        let frame =
            json!({"type": "message", "client_id": format!("b{c}-{j}"), "body": CUSTOMER_TEXT});
        let now = Instant::now();
        if let Some(slot) = times
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(j as usize)
        {
            *slot = Some(now);
        }
        if sink
            .send(Message::Text(frame.to_string().into()))
            .await
            .is_err()
        {
            break;
        }
        sent += 1;
    }
    (sink, max_lag, sent)
}

/// The message index in a client id `b{c}-{j}`.
fn index_of(client_id: &str) -> Option<u64> {
    client_id.rsplit_once('-')?.1.parse().ok()
}

fn sent_at(times: &SendTimes, j: u64) -> Option<Instant> {
    times
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(j as usize)
        .copied()
        .flatten()
}

type CustomerRead = (
    Vec<(u64, Duration, Instant)>,
    u64,
    u64,
    Option<String>,
    SplitStream<Ws>,
);

async fn read_customer(
    mut stream: SplitStream<Ws>,
    times: SendTimes,
    count: u64,
    deadline: tokio::time::Instant,
) -> CustomerRead {
    let mut acks = Vec::new();
    let (mut bot, mut errors, mut first_error) = (0, 0, None);
    // Done with every ack and every bot reply (the greeting at the start is one more).
    while (acks.len() as u64) < count || bot < count + 1 {
        let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, stream.next()).await else {
            break;
        };
        let now = Instant::now();
        let Message::Text(text) = msg else { continue };
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        match v["type"].as_str() {
            Some("ack") => {
                if let Some(j) = v["client_id"].as_str().and_then(index_of)
                    && let Some(at) = sent_at(&times, j)
                {
                    acks.push((j, now - at, now));
                }
            }
            Some("message") if v["author"] == "bot" => bot += 1,
            Some("error") => {
                errors += 1;
                first_error.get_or_insert_with(|| v.to_string());
            }
            _ => {}
        }
    }
    (acks, bot, errors, first_error, stream)
}

async fn read_agent(
    mut ws: Ws,
    times: SendTimes,
    c: usize,
    count: u64,
    deadline: tokio::time::Instant,
) -> Vec<(u64, Duration)> {
    let prefix = format!("b{c}-");
    let mut out = Vec::new();
    while (out.len() as u64) < count {
        let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, ws.next()).await else {
            break;
        };
        let now = Instant::now();
        let Message::Text(text) = msg else { continue };
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if v["type"] == "message"
            && v["author"] == "customer"
            && let Some(id) = v["client_id"].as_str()
            && id.starts_with(&prefix)
            && let Some(j) = index_of(id)
            && let Some(at) = sent_at(&times, j)
        {
            out.push((j, now - at));
        }
    }
    let _ = ws.close(None).await;
    out
}

fn report_step(
    args: &Args,
    rate: u32,
    per_conv: u64,
    warm_index: u64,
    begin: Instant,
    all: &[ConvOutcome],
) {
    let sent: u64 = all.iter().map(|o| o.sent).sum();
    let measured = |j: u64| j >= warm_index;
    let mut ack_lat: Vec<Duration> = Vec::new();
    let mut last_ack: Option<Instant> = None;
    for (_, d, at) in all
        .iter()
        .flat_map(|o| &o.acks)
        .filter(|(j, ..)| measured(*j))
    {
        ack_lat.push(*d);
        last_ack = Some(last_ack.map_or(*at, |l| l.max(*at)));
    }
    let mut deliver_lat: Vec<Duration> = all
        .iter()
        .flat_map(|o| &o.delivered)
        .filter(|(j, _)| measured(*j))
        .map(|(_, d)| *d)
        .collect();
    let measured_sent: u64 = all
        .iter()
        .map(|o| o.sent.saturating_sub(warm_index.min(o.sent)))
        .sum();
    let acks_all: u64 = all.iter().map(|o| o.acks.len() as u64).sum();
    let delivered_all: u64 = all.iter().map(|o| o.delivered.len() as u64).sum();
    let bot: u64 = all.iter().map(|o| o.bot_replies).sum();
    let errors: u64 = all.iter().map(|o| o.errors).sum();
    let first_error = all.iter().find_map(|o| o.first_error.clone());
    let max_lag = all.iter().map(|o| o.max_send_lag).max().unwrap_or_default();
    // The measured window starts at the first counted send.
    let window_start = all
        .iter()
        .flat_map(|o| &o.acks)
        .filter(|(j, ..)| measured(*j))
        .map(|(_, d, at)| *at - *d)
        .min()
        .unwrap_or(begin);
    let achieved = last_ack.map_or(0.0, |l| {
        ack_lat.len() as f64 / l.saturating_duration_since(window_start).as_secs_f64()
    });
    println!(
        "rate {rate} msg/s: {sent} customer messages sent ({per_conv} per conversation, {}s \
         warm-up + {}s measured); {acks_all} acked, {delivered_all} reached the agent socket, \
         within {}s after the last send; {bot} bot replies reached the customers; \
         {errors} error frames{}",
        args.warmup,
        args.seconds,
        DRAIN.as_secs(),
        first_error.map_or(String::new(), |e| format!(" (first: {e})"))
    );
    println!(
        "  measured: {measured_sent} sent, {} acked: {achieved:.0} acks/s (first counted send → \
         last ack); the sender was at most {:.1} ms behind its schedule",
        ack_lat.len(),
        ms(max_lag)
    );
    println!(
        "  send → ack (stored, durable):      {}",
        summary(&mut ack_lat)
    );
    println!(
        "  send → agent socket has it:        {}",
        summary(&mut deliver_lat)
    );
}
