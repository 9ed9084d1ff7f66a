//! `kefu-bench`: a load benchmark for a kefu server, measured over loopback only.
//!
//! It spawns `kefu serve` on a free 127.0.0.1 port (or uses `--url`), logs in as the admin,
//! and drives three phases with N concurrent workers sharing one keep-alive HTTP/1.1 client:
//! `healthz` (the ceiling of the HTTP stack), `create` (POST a case) and `read` (GET a case
//! created earlier). Each phase has an uncounted warmup. It prints requests, errors,
//! throughput and latency percentiles per phase, as a text table or (`--json`) a JSON object.
//!
//! This is an operator tool, not a test and not domain code.

use kefu_bench::{free_port, fresh_temp_dir, utc_now_for_report};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::Serialize;
use serde_json::{Value, json};

const ADMIN_USER: &str = "admin";
const ADMIN_PASSWORD: &str = "bench-admin-pass";
/// How long the spawned server may take to answer `/healthz` with 200.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
const STARTUP_POLL: Duration = Duration::from_millis(100);
/// Upper bound on one request; also bounds how long a phase can overrun its deadline.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Pause after a transport error so a dead server does not turn workers into a hot loop.
const ERROR_BACKOFF: Duration = Duration::from_millis(5);
/// How many distinct customer phone numbers the create phase cycles through.
const DISTINCT_PHONES: u64 = 1000;
const LOG_FILE: &str = "kefu-server.log";

/// Exit code when a phase had no successful request.
const EXIT_PHASE_FAILED: u8 = 1;
/// Exit code when the benchmark could not run (server did not start, login failed, bad options).
const EXIT_SETUP_FAILED: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "kefu-bench",
    about = "Load benchmark for a kefu server over loopback (127.0.0.1)"
)]
struct Args {
    /// kefu binary to spawn as `<bin> serve --listen 127.0.0.1:PORT --data-dir DIR`.
    #[arg(long, value_name = "PATH", default_value = "target/release/kefu")]
    server_bin: PathBuf,

    /// Concurrent workers per phase.
    #[arg(long, value_name = "N", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    concurrency: u32,

    /// Measured seconds per phase.
    #[arg(long, value_name = "S", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    seconds: u64,

    /// Uncounted warmup seconds before each phase.
    #[arg(long, value_name = "S", default_value_t = 2,
          value_parser = clap::value_parser!(u64).range(0..=600))]
    warmup: u64,

    /// Data directory for the spawned server (default: a fresh temp dir, removed after a
    /// successful run). The server log is written there.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Use an already running server at this loopback URL instead of spawning one.
    #[arg(long, value_name = "URL")]
    url: Option<String>,

    /// Phases to run, comma-separated (always run in the order healthz, create, read;
    /// read needs create).
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "healthz,create,read"
    )]
    phases: Vec<PhaseKind>,

    /// Print the report as one JSON object instead of a text table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PhaseKind {
    Healthz,
    Create,
    Read,
}

impl PhaseKind {
    const ALL: [PhaseKind; 3] = [PhaseKind::Healthz, PhaseKind::Create, PhaseKind::Read];

    fn name(self) -> &'static str {
        match self {
            PhaseKind::Healthz => "healthz",
            PhaseKind::Create => "create",
            PhaseKind::Read => "read",
        }
    }

    fn needs_auth(self) -> bool {
        !matches!(self, PhaseKind::Healthz)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(EXIT_PHASE_FAILED),
        Err(e) => {
            eprintln!("kefu-bench: error: {e}");
            ExitCode::from(EXIT_SETUP_FAILED)
        }
    }
}

/// Runs the whole benchmark; `Ok(false)` means it ran but some phase had no success.
async fn run(args: Args) -> Result<bool, String> {
    let phases: Vec<PhaseKind> = PhaseKind::ALL
        .into_iter()
        .filter(|p| args.phases.contains(p))
        .collect();
    if phases.contains(&PhaseKind::Read) && !phases.contains(&PhaseKind::Create) {
        return Err("the read phase reads cases made by the create phase; add create".into());
    }
    let client = build_client(args.concurrency)?;

    if let Some(url) = &args.url {
        let target = Target {
            base: loopback_base(url)?,
            spawned: None,
        };
        return interruptible(bench(&client, &target, &args, &phases)).await;
    }
    let bin = &args.server_bin;

    let (data_dir, temporary) = match &args.data_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create data dir {}: {e}", dir.display()))?;
            (dir.clone(), false)
        }
        None => (fresh_temp_dir("kefu-bench")?, true),
    };
    let mut server = match Server::spawn(bin, &data_dir) {
        Ok(s) => s,
        Err(e) => {
            if temporary {
                let _ = std::fs::remove_dir_all(&data_dir);
            }
            return Err(e);
        }
    };
    let target = Target {
        base: server.base.clone(),
        spawned: Some(SpawnInfo {
            bin: bin.display().to_string(),
            data_dir: data_dir.display().to_string(),
        }),
    };
    let outcome = interruptible(async {
        let took = server.wait_healthy(&client).await?;
        eprintln!(
            "kefu-bench: server up at {} after {:.1}s",
            server.base,
            took.as_secs_f64()
        );
        bench(&client, &target, &args, &phases).await
    })
    .await;
    server.stop().await;

    match (&outcome, temporary) {
        (Ok(true), true) => {
            if let Err(e) = std::fs::remove_dir_all(&data_dir) {
                eprintln!("kefu-bench: could not remove {}: {e}", data_dir.display());
            }
        }
        _ => eprintln!("kefu-bench: server log: {}", server.log_path.display()),
    }
    outcome
}

/// Races `work` against Ctrl-C so the caller still gets to stop the server.
async fn interruptible<F>(work: F) -> Result<bool, String>
where
    F: Future<Output = Result<bool, String>>,
{
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        r = work => r,
        () = ctrl_c => Err("interrupted".into()),
    }
}

fn build_client(concurrency: u32) -> Result<reqwest::Client, String> {
    let pool = usize::try_from(concurrency)
        .unwrap_or(usize::MAX)
        .saturating_mul(2);
    reqwest::Client::builder()
        .no_proxy()
        .http1_only()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(pool)
        .pool_idle_timeout(Duration::from_secs(90))
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot build HTTP client: {}", error_chain(&e)))
}

/// Accepts only `http://` URLs naming a loopback host; returns the base without a trailing `/`.
fn loopback_base(url: &str) -> Result<String, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("bad --url {url:?}: {e}"))?;
    if parsed.scheme() != "http" {
        return Err(format!("--url must be http:// (got {url:?})"));
    }
    let host = parsed.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(format!(
            "--url must name a loopback host (127.0.0.1, ::1, localhost); got {host:?}"
        ));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

struct Server {
    child: tokio::process::Child,
    base: String,
    log_path: PathBuf,
}

impl Server {
    fn spawn(bin: &Path, data_dir: &Path) -> Result<Server, String> {
        if !bin.is_file() {
            return Err(format!(
                "server binary {} not found (build it with `cargo build --release -p kefu`, \
                 or pass --server-bin / --url)",
                bin.display()
            ));
        }
        let port = free_port()?;
        let listen = format!("127.0.0.1:{port}");
        let log_path = data_dir.join(LOG_FILE);
        let log = std::fs::File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("cannot reopen {}: {e}", log_path.display()))?;
        let child = tokio::process::Command::new(bin)
            .arg("serve")
            .arg("--listen")
            .arg(&listen)
            .arg("--data-dir")
            .arg(data_dir)
            .env("KEFU_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        eprintln!(
            "kefu-bench: started {} serve --listen {listen} --data-dir {} (pid {})",
            bin.display(),
            data_dir.display(),
            child.id().map_or_else(|| "?".to_owned(), |p| p.to_string())
        );
        Ok(Server {
            child,
            base: format!("http://{listen}"),
            log_path,
        })
    }

    /// Polls `GET /healthz` until it answers 200, the child exits, or `STARTUP_TIMEOUT` passes.
    async fn wait_healthy(&mut self, client: &reqwest::Client) -> Result<Duration, String> {
        let started = Instant::now();
        let deadline = started + STARTUP_TIMEOUT;
        let url = format!("{}/healthz", self.base);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    return Err(format!(
                        "server exited ({status}) before becoming healthy; see {}",
                        self.log_path.display()
                    ));
                }
                Ok(None) => {}
                Err(e) => return Err(format!("cannot check server process: {e}")),
            }
            let last = match client
                .get(&url)
                .timeout(Duration::from_secs(1))
                .send()
                .await
            {
                Ok(resp) if resp.status() == StatusCode::OK => return Ok(started.elapsed()),
                Ok(resp) => format!("HTTP {}", resp.status()),
                Err(e) => error_chain(&e),
            };
            if Instant::now() >= deadline {
                return Err(format!(
                    "server did not answer GET /healthz with 200 within {}s (last: {last}); see {}",
                    STARTUP_TIMEOUT.as_secs(),
                    self.log_path.display()
                ));
            }
            tokio::time::sleep(STARTUP_POLL).await;
        }
    }

    async fn stop(&mut self) {
        if let Err(e) = self.child.start_kill() {
            // Already exited is fine; anything else is worth a line.
            if e.kind() != std::io::ErrorKind::InvalidInput {
                eprintln!("kefu-bench: could not kill server: {e}");
            }
        }
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait())
            .await
            .is_err()
        {
            eprintln!("kefu-bench: server did not exit within 5s after kill");
        }
    }
}

struct Target {
    base: String,
    spawned: Option<SpawnInfo>,
}

#[derive(Debug, Clone, Serialize)]
struct SpawnInfo {
    bin: String,
    data_dir: String,
}

async fn login(client: &reqwest::Client, base: &str) -> Result<HeaderValue, String> {
    let resp = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "username": ADMIN_USER, "password": ADMIN_PASSWORD }))
        .send()
        .await
        .map_err(|e| format!("login request failed: {}", error_chain(&e)))?;
    let status = resp.status();
    let body = resp
        .text()
        .await
        .map_err(|e| format!("login response unreadable: {}", error_chain(&e)))?;
    if !status.is_success() {
        return Err(format!("login answered HTTP {status}: {}", snippet(&body)));
    }
    let value: Value = serde_json::from_str(&body)
        .map_err(|e| format!("login response is not JSON ({e}): {}", snippet(&body)))?;
    let token = value
        .get("token")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("login response has no \"token\": {}", snippet(&body)))?;
    HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|e| format!("token is not a valid header value: {e}"))
}

/// Runs the selected phases and prints the report; `Ok(false)` if a phase had no success.
async fn bench(
    client: &reqwest::Client,
    target: &Target,
    args: &Args,
    phases: &[PhaseKind],
) -> Result<bool, String> {
    let date = utc_now_for_report();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let auth = if phases.iter().any(|p| p.needs_auth()) {
        let auth = login(client, &target.base).await?;
        eprintln!("kefu-bench: logged in as {ADMIN_USER}");
        Some(auth)
    } else {
        None
    };

    let mut ctx = Ctx {
        client: client.clone(),
        healthz_url: format!("{}/healthz", target.base),
        cases_url: format!("{}/api/v1/cases", target.base),
        auth,
        ids: Arc::new(Vec::new()),
        counter: AtomicU64::new(0),
    };
    let warmup = Duration::from_secs(args.warmup);
    let measure = Duration::from_secs(args.seconds);
    let mut results = Vec::new();
    for &kind in phases {
        if kind == PhaseKind::Read && ctx.ids.is_empty() {
            eprintln!("kefu-bench: skipping read: the create phase yielded no case ids");
            results.push(PhaseResult::skipped(
                kind,
                "skipped: the create phase yielded no case ids",
            ));
            continue;
        }
        eprintln!(
            "kefu-bench: phase {}: {}s warmup + {}s measured, {} workers",
            kind.name(),
            args.warmup,
            args.seconds,
            args.concurrency
        );
        let shared = Arc::new(ctx);
        let (result, ids) = run_phase(&shared, kind, args.concurrency, warmup, measure).await;
        ctx = Arc::try_unwrap(shared).map_err(|_| "a worker outlived its phase".to_owned())?;
        if kind == PhaseKind::Create {
            ctx.ids = Arc::new(ids);
        }
        eprintln!(
            "kefu-bench: phase {}: {} ok, {} errors, {:.1} req/s",
            kind.name(),
            result.requests,
            result.errors,
            result.throughput
        );
        results.push(result);
    }

    let ratio = ratio_pct(&results, PhaseKind::Create, PhaseKind::Healthz);
    let ok = results.iter().all(|r| r.requests > 0);
    let report = Report {
        date_utc: date,
        cores,
        concurrency: args.concurrency,
        seconds: args.seconds,
        warmup: args.warmup,
        target: target.base.clone(),
        spawned: target.spawned.clone(),
        phases: results,
        create_vs_healthz_pct: ratio,
        ok,
    };
    if args.json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| format!("cannot encode report: {e}"))?;
        println!("{text}");
    } else {
        print!("{}", render_text(&report));
    }
    Ok(ok)
}

fn ratio_pct(results: &[PhaseResult], num: PhaseKind, den: PhaseKind) -> Option<f64> {
    let find = |k: PhaseKind| results.iter().find(|r| r.name == k.name());
    let (n, d) = (find(num)?, find(den)?);
    (d.throughput > 0.0).then(|| n.throughput / d.throughput * 100.0)
}

/// What workers share during a phase.
struct Ctx {
    client: reqwest::Client,
    healthz_url: String,
    cases_url: String,
    auth: Option<HeaderValue>,
    /// Case ids from the create phase, for the read phase.
    ids: Arc<Vec<String>>,
    /// Drives customer phone numbers and waybill numbers in the create phase.
    counter: AtomicU64,
}

#[derive(Debug, Default)]
struct WorkerOut {
    latencies_us: Vec<u64>,
    errors: BTreeMap<String, ErrorKind>,
    ids: Vec<String>,
    missing_ids: u64,
    last_done: Option<Instant>,
}

#[derive(Debug, Clone, Serialize)]
struct ErrorKind {
    count: u64,
    /// The first occurrence's detail (status body or transport error).
    sample: String,
}

struct Failure {
    key: String,
    detail: String,
    transport: bool,
}

enum Success {
    Plain,
    Created(Option<String>),
}

async fn run_phase(
    ctx: &Arc<Ctx>,
    kind: PhaseKind,
    concurrency: u32,
    warmup: Duration,
    measure: Duration,
) -> (PhaseResult, Vec<String>) {
    let start = Instant::now();
    let measure_start = start + warmup;
    let end = measure_start + measure;
    // Workers stop starting requests at `end`; the last one is bounded by REQUEST_TIMEOUT.
    let hard_stop = end + REQUEST_TIMEOUT + Duration::from_secs(5);

    let mut set = tokio::task::JoinSet::new();
    for i in 0..concurrency {
        set.spawn(worker(
            Arc::clone(ctx),
            kind,
            u64::from(i),
            measure_start,
            end,
        ));
    }
    let mut outs = Vec::with_capacity(usize::try_from(concurrency).unwrap_or(0));
    let mut lost = 0u64;
    loop {
        match tokio::time::timeout_at(hard_stop.into(), set.join_next()).await {
            Ok(Some(Ok(out))) => outs.push(out),
            Ok(Some(Err(_))) => lost += 1,
            Ok(None) => break,
            Err(_) => {
                lost += u64::try_from(set.len()).unwrap_or(u64::MAX);
                set.abort_all();
                while set.join_next().await.is_some() {}
                break;
            }
        }
    }

    let mut latencies = Vec::new();
    let mut errors: BTreeMap<String, ErrorKind> = BTreeMap::new();
    let mut ids = Vec::new();
    let mut missing_ids = 0;
    let mut last_done = end;
    for out in outs {
        latencies.extend(out.latencies_us);
        for (key, e) in out.errors {
            errors
                .entry(key)
                .and_modify(|k| k.count += e.count)
                .or_insert(e);
        }
        ids.extend(out.ids);
        missing_ids += out.missing_ids;
        if let Some(t) = out.last_done {
            last_done = last_done.max(t);
        }
    }
    if lost > 0 {
        errors.insert(
            "worker lost".into(),
            ErrorKind {
                count: lost,
                sample: "a worker panicked or overran the phase deadline".into(),
            },
        );
    }
    latencies.sort_unstable();
    // Requests are counted when they start inside the measured window, so the window closes
    // when the last of them finishes.
    let elapsed = last_done.duration_since(measure_start).max(measure);
    let result = PhaseResult::from_samples(kind, &latencies, errors, elapsed, missing_ids);
    (result, ids)
}

async fn worker(
    ctx: Arc<Ctx>,
    kind: PhaseKind,
    index: u64,
    measure_start: Instant,
    end: Instant,
) -> WorkerOut {
    let mut rng = Rng::new(index);
    let mut out = WorkerOut::default();
    loop {
        let t0 = Instant::now();
        if t0 >= end {
            break;
        }
        let result = one_request(&ctx, kind, &mut rng).await;
        let done = Instant::now();
        let counted = t0 >= measure_start;
        match result {
            Ok(success) => {
                if let Success::Created(id) = success {
                    match id {
                        Some(id) => out.ids.push(id),
                        None if counted => out.missing_ids += 1,
                        None => {}
                    }
                }
                if counted {
                    let us = done.duration_since(t0).as_micros();
                    out.latencies_us.push(u64::try_from(us).unwrap_or(u64::MAX));
                }
            }
            Err(failure) => {
                if counted {
                    out.errors
                        .entry(failure.key)
                        .and_modify(|k| k.count += 1)
                        .or_insert(ErrorKind {
                            count: 1,
                            sample: failure.detail,
                        });
                }
                if failure.transport {
                    tokio::time::sleep(ERROR_BACKOFF).await;
                }
            }
        }
        if counted {
            out.last_done = Some(done);
        }
    }
    out
}

async fn one_request(ctx: &Ctx, kind: PhaseKind, rng: &mut Rng) -> Result<Success, Failure> {
    match kind {
        PhaseKind::Healthz => {
            let resp = ctx.client.get(&ctx.healthz_url).send().await;
            check(resp, StatusCode::OK, false)
                .await
                .map(|_| Success::Plain)
        }
        PhaseKind::Create => {
            let n = ctx.counter.fetch_add(1, Ordering::Relaxed);
            let mut req = ctx.client.post(&ctx.cases_url).json(&case_body(n));
            if let Some(auth) = &ctx.auth {
                req = req.header(AUTHORIZATION, auth.clone());
            }
            check(req.send().await, StatusCode::CREATED, true)
                .await
                .map(Success::Created)
        }
        PhaseKind::Read => {
            let id = ctx
                .ids
                .get(rng.below(ctx.ids.len()))
                .map_or("", String::as_str);
            let mut req = ctx.client.get(format!("{}/{id}", ctx.cases_url));
            if let Some(auth) = &ctx.auth {
                req = req.header(AUTHORIZATION, auth.clone());
            }
            check(req.send().await, StatusCode::OK, false)
                .await
                .map(|_| Success::Plain)
        }
    }
}

/// Reads the whole body (so the connection goes back to the pool) and checks the status.
/// With `want_id`, returns the case id found in the JSON body, if any.
async fn check(
    resp: Result<reqwest::Response, reqwest::Error>,
    want: StatusCode,
    want_id: bool,
) -> Result<Option<String>, Failure> {
    let resp = resp.map_err(transport_failure)?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(transport_failure)?;
    if status != want {
        return Err(Failure {
            key: format!("HTTP {}", status.as_u16()),
            detail: snippet(&String::from_utf8_lossy(&body)),
            transport: false,
        });
    }
    Ok(if want_id { extract_id(&body) } else { None })
}

fn transport_failure(e: reqwest::Error) -> Failure {
    let key = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect error"
    } else if e.is_body() || e.is_decode() {
        "body error"
    } else if e.is_request() {
        "request error"
    } else {
        "transport error"
    };
    Failure {
        key: key.to_owned(),
        detail: error_chain(&e),
        transport: true,
    }
}

/// The created case's id: `id`, `case.id` or `data.id`, as a string or a number.
fn extract_id(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let candidates = [
        value.get("id"),
        value.get("case").and_then(|c| c.get("id")),
        value.get("data").and_then(|c| c.get("id")),
    ];
    candidates.into_iter().flatten().find_map(|id| match id {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// A realistic new-case request. Phones cycle through `DISTINCT_PHONES` values, so most
/// requests reach an existing customer and the first round creates new ones.
fn case_body(n: u64) -> Value {
    const NAMES: [&str; 8] = [
        "张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十",
    ];
    const SUBJECTS: [(&str, &str); 4] = [
        ("快递三天没更新", "三天没有物流更新，请帮忙催一下"),
        ("包裹显示签收但没收到", "显示已签收，但本人没有收到，请核实"),
        ("要求改派送地址", "想把派送地址改到公司，请联系快递员"),
        ("外包装破损", "收到时外包装破损，里面东西有磕碰，要求理赔"),
    ];
    let k = n % DISTINCT_PHONES;
    // 104_729 is prime and coprime to 10^8, so the 1000 values of k give 1000 distinct numbers.
    let phone = format!("138{:08}", (k * 104_729 + 13_579) % 100_000_000);
    let name = NAMES[usize::try_from(k).unwrap_or(0) % NAMES.len()];
    let (subject, text) = SUBJECTS[usize::try_from(n).unwrap_or(0) % SUBJECTS.len()];
    json!({
        "channel": "phone",
        "subject": subject,
        "description": format!("运单号 YL{:013} {text}", 1_234_567_890_123u64 + n),
        "customer": { "name": name, "phone": phone },
    })
}

/// xorshift64*: enough to spread reads over ids without a dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-enough index in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next() % n).unwrap_or(0)
    }
}

#[derive(Debug, Serialize)]
struct Report {
    date_utc: String,
    cores: usize,
    concurrency: u32,
    seconds: u64,
    warmup: u64,
    target: String,
    spawned: Option<SpawnInfo>,
    phases: Vec<PhaseResult>,
    create_vs_healthz_pct: Option<f64>,
    ok: bool,
}

#[derive(Debug, Serialize)]
struct PhaseResult {
    name: &'static str,
    /// Successful requests (expected status) started inside the measured window.
    requests: u64,
    errors: u64,
    elapsed_s: f64,
    throughput: f64,
    p50_ms: Option<f64>,
    p99_ms: Option<f64>,
    max_ms: Option<f64>,
    error_kinds: BTreeMap<String, ErrorKind>,
    #[serde(skip_serializing_if = "is_zero")]
    created_without_id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl PhaseResult {
    fn from_samples(
        kind: PhaseKind,
        sorted_us: &[u64],
        error_kinds: BTreeMap<String, ErrorKind>,
        elapsed: Duration,
        created_without_id: u64,
    ) -> PhaseResult {
        let requests = u64::try_from(sorted_us.len()).unwrap_or(u64::MAX);
        let elapsed_s = elapsed.as_secs_f64();
        let ms = |us: Option<u64>| us.map(|us| us as f64 / 1000.0);
        PhaseResult {
            name: kind.name(),
            requests,
            errors: error_kinds.values().map(|e| e.count).sum(),
            elapsed_s,
            throughput: if elapsed_s > 0.0 {
                requests as f64 / elapsed_s
            } else {
                0.0
            },
            p50_ms: ms(percentile(sorted_us, 0.50)),
            p99_ms: ms(percentile(sorted_us, 0.99)),
            max_ms: ms(sorted_us.last().copied()),
            error_kinds,
            created_without_id,
            note: None,
        }
    }

    fn skipped(kind: PhaseKind, note: &str) -> PhaseResult {
        PhaseResult {
            note: Some(note.to_owned()),
            ..PhaseResult::from_samples(kind, &[], BTreeMap::new(), Duration::ZERO, 0)
        }
    }
}

/// Nearest-rank percentile of an ascending slice.
fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

fn render_text(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "kefu-bench  {}  cores={}  concurrency={}  seconds={}  warmup={}",
        r.date_utc, r.cores, r.concurrency, r.seconds, r.warmup
    );
    match &r.spawned {
        Some(sp) => {
            let _ = writeln!(
                s,
                "target {}  (spawned {}, data dir {})",
                r.target, sp.bin, sp.data_dir
            );
        }
        None => {
            let _ = writeln!(s, "target {}  (external, --url)", r.target);
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<8} {:>10} {:>8} {:>11} {:>9} {:>9} {:>9}",
        "phase", "requests", "errors", "req/s", "p50 ms", "p99 ms", "max ms"
    );
    let cell = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"));
    for p in &r.phases {
        let flag = if p.requests == 0 {
            "  <- FAILED: no successful request"
        } else if p.errors > 0 {
            "  <- has errors"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "{:<8} {:>10} {:>8} {:>11.1} {:>9} {:>9} {:>9}{flag}",
            p.name,
            p.requests,
            p.errors,
            p.throughput,
            cell(p.p50_ms),
            cell(p.p99_ms),
            cell(p.max_ms),
        );
    }
    let _ = writeln!(s);
    match r.create_vs_healthz_pct {
        Some(pct) => {
            let _ = writeln!(s, "create/healthz throughput: {pct:.1}%");
        }
        None => {
            let _ = writeln!(s, "create/healthz throughput: n/a");
        }
    }
    for p in &r.phases {
        if let Some(note) = &p.note {
            let _ = writeln!(s, "{}: {note}", p.name);
        }
        if p.created_without_id > 0 {
            let _ = writeln!(
                s,
                "{}: {} responses were 201 but carried no case id",
                p.name, p.created_without_id
            );
        }
        if !p.error_kinds.is_empty() {
            let _ = writeln!(s, "errors in {} ({} total):", p.name, p.errors);
            for (key, e) in &p.error_kinds {
                let _ = writeln!(s, "  {:>8} x {key}: {}", e.count, e.sample);
            }
        }
    }
    s
}

/// At most 200 characters of `text`, on one line.
fn snippet(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    if text.chars().nth(200).is_some() {
        format!("{one_line}…")
    } else {
        one_line
    }
}

/// An error with its sources, which reqwest keeps out of `Display`.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    let mut depth = 0;
    while let Some(inner) = source {
        if depth >= 8 {
            break;
        }
        let _ = write!(s, ": {inner}");
        source = inner.source();
        depth += 1;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.50), Some(50));
        assert_eq!(percentile(&v, 0.99), Some(99));
        assert_eq!(percentile(&[7], 0.99), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn phones_cycle_through_a_thousand_distinct_numbers() {
        let phones: std::collections::HashSet<String> = (0..3000)
            .map(|n| {
                case_body(n)["customer"]["phone"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(phones.len(), 1000);
        assert!(phones.iter().all(|p| p.len() == 11 && p.starts_with("138")));
    }

    #[test]
    fn ids_are_found_in_common_shapes() {
        assert_eq!(extract_id(br#"{"id":"a-b"}"#).as_deref(), Some("a-b"));
        assert_eq!(extract_id(br#"{"case":{"id":7}}"#).as_deref(), Some("7"));
        assert_eq!(extract_id(br#"{"data":{"id":"x"}}"#).as_deref(), Some("x"));
        assert_eq!(extract_id(b"not json"), None);
    }

    #[test]
    fn only_loopback_urls() {
        assert_eq!(
            loopback_base("http://127.0.0.1:8080/").as_deref(),
            Ok("http://127.0.0.1:8080")
        );
        assert!(loopback_base("http://[::1]:8080").is_ok());
        assert!(loopback_base("http://localhost:1").is_ok());
        assert!(loopback_base("http://10.0.0.1:8080").is_err());
        assert!(loopback_base("https://127.0.0.1:8080").is_err());
    }
}
