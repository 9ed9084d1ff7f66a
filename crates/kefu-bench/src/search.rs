//! `kefu-bench-search`: how soon a change is searchable (issue #7 asks for one second), measured
//! on the product as `kefu serve` runs it. It prints figures; it asserts nothing.
//!
//! The node is started in this process, the way `kefu serve` starts it (fresh SQLite data dir,
//! calendars, policies and replies installed, the timer loop, the search index under
//! `<data-dir>/search-index` or in memory, `run_indexer`, the HTTP server on 127.0.0.1), on its
//! own multi-threaded runtime; the client runs on another. For each of `--cases` cases, created
//! one after another through `POST /api/v1/cases` by `--concurrency` workers, it measures the time
//! from the 201 until `GET /api/v1/search?q=<the case's own word>` first lists the case, polling
//! every `--poll-ms`. A second round repeats this while a background load writes cases and
//! messages at `--background-rate` per second.
//!
//! Usage: `cargo run --release -p kefu-bench --bin kefu-bench-search -- [--cases 500]`.
//!
//! This is an operator tool, not a test and not domain code.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};

const ADMIN_PASSWORD: &str = "bench-admin-pass";
/// A case not found by then counts as never found.
const FOUND_DEADLINE: Duration = Duration::from_secs(30);
/// What the issue promises.
const TARGET: Duration = Duration::from_secs(1);
/// Background requests in flight at most; a tick finding them all busy is counted as skipped.
const BACKGROUND_IN_FLIGHT: usize = 64;

#[derive(Debug, Parser)]
#[command(
    name = "kefu-bench-search",
    about = "Time from a case's 201 until search finds it, over loopback (127.0.0.1)"
)]
struct Args {
    /// Cases measured per round.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    cases: u32,

    /// Cases being created and looked for at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1000))]
    concurrency: u32,

    /// Pause between two searches for the same case, in ms.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1000))]
    poll_ms: u64,

    /// Writes per second (new cases and messages on recent ones, alternately) in the second
    /// round; 0 skips it.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    background_rate: u32,

    /// Where the node keeps its index: `disk` (as `kefu serve` does) or `memory`.
    #[arg(long, value_enum, default_value = "disk")]
    index: IndexKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum IndexKind {
    Disk,
    Memory,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let outcome = tokio::select! {
        r = run(&args) => r,
        _ = tokio::signal::ctrl_c() => Err("interrupted".into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kefu-bench-search: error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[allow(clippy::disallowed_methods)] // the report's date, not domain time
fn utc_now_for_report() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

async fn run(args: &Args) -> Result<(), String> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
        .with_writer(std::io::stderr)
        .try_init();
    let dir = std::env::temp_dir().join(format!("kefu-bench-search-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    println!(
        "kefu-bench-search: {} cores, {}, SQLite, index {:?}, indexer every {} ms, {} cases per round, concurrency {}, poll every {} ms",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        utc_now_for_report(),
        args.index,
        kefu_search::desk::INDEX_EVERY.as_millis(),
        args.cases,
        args.concurrency,
        args.poll_ms
    );
    let node = Node::start(dir.clone(), args.index)?;
    let outcome = async {
        let client = reqwest::Client::builder()
            .no_proxy()
            .http1_only()
            .tcp_nodelay(true)
            .pool_max_idle_per_host(256)
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?;
        let token = login(&client, &node.base).await?;
        let bench = Bench {
            client,
            base: node.base.clone(),
            token,
            poll: Duration::from_millis(args.poll_ms),
        };
        bench.round("quiet", 'q', args, None).await?;
        if args.background_rate > 0 {
            bench
                .round("loaded", 'l', args, Some(args.background_rate))
                .await?;
        }
        Ok::<(), String>(())
    }
    .await;
    node.stop();
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

// ---- the node ---------------------------------------------------------------------------------

struct Node {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Node {
    /// Starts the node on its own thread and runtime; returns once it listens.
    fn start(dir: PathBuf, index: IndexKind) -> Result<Node, String> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<String, String>>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    let _ = ready_tx.send(Err(format!("server runtime: {e}")));
                    return;
                }
            };
            runtime.block_on(async move {
                let (listener, state, base) = match serve_setup(&dir, index).await {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(base));
                let stopped = async {
                    let _ = stop_rx.await;
                };
                if let Err(e) = kefu_web::serve(listener, state, stopped).await {
                    eprintln!("kefu-bench-search: server: {e}");
                }
            });
        });
        let base = ready_rx
            .recv_timeout(Duration::from_secs(60))
            .map_err(|e| format!("the node did not start: {e}"))??;
        eprintln!("kefu-bench-search: node at {base}");
        Ok(Node {
            base,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // The indexer and timer tasks never end on their own; dropping the runtime ends them.
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What `kefu serve` does before it serves (`kefu::node`), on a fresh SQLite store.
async fn serve_setup(
    dir: &std::path::Path,
    index: IndexKind,
) -> Result<(tokio::net::TcpListener, kefu_web::AppState, String), String> {
    let store = kefu_store_sqlite::open(&dir.join("kefu.db"))
        .await
        .map_err(|e| format!("SQLite: {e}"))?;
    let settings = kefu::config::Settings::merge(
        kefu::config::FileSettings::default(),
        kefu::config::FileSettings {
            data_dir: Some(dir.to_path_buf()),
            channel_workers: Some(false),
            ..kefu::config::FileSettings::default()
        },
    );
    let desk = kefu::config::desk(Arc::new(store), &settings)?;
    kefu::node::install_shipped(&desk).await?;
    desk.bootstrap_admin(Some(ADMIN_PASSWORD.into()))
        .await
        .map_err(|e| format!("admin: {e}"))?;
    let index = match index {
        IndexKind::Disk => kefu_search::SearchIndex::open(dir.join("search-index")),
        IndexKind::Memory => kefu_search::SearchIndex::in_memory(),
    }
    .map_err(|e| format!("search index: {e}"))?;
    let state = kefu::node::start(desk, index, false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("bind 127.0.0.1:0: {e}"))?;
    let base = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    Ok((listener, state, base))
}

async fn login(client: &reqwest::Client, base: &str) -> Result<String, String> {
    let r: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .map_err(|e| format!("login: {e}"))?
        .json()
        .await
        .map_err(|e| format!("login answer: {e}"))?;
    r["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no token: {r}"))
}

// ---- the rounds -------------------------------------------------------------------------------

struct Bench {
    client: reqwest::Client,
    base: String,
    token: String,
    poll: Duration,
}

/// One measured case.
enum Outcome {
    Found { created: Duration, found: Duration },
    NotFound,
    Failed(String),
}

impl Bench {
    async fn create(&self, body: Value) -> Result<String, String> {
        let res = self
            .client
            .post(format!("{}/api/v1/cases", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = res.status();
        let body: Value = res.json().await.map_err(|e| e.to_string())?;
        if status != StatusCode::CREATED {
            return Err(format!("create answered {status}: {body}"));
        }
        body["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("no id: {body}"))
    }

    /// Whether a search for `word` lists case `id` now.
    async fn lists(&self, word: &str, id: &str) -> Result<bool, String> {
        let res = self
            .client
            .get(format!("{}/api/v1/search?q={word}&type=case", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = res.status();
        let body: Value = res.json().await.map_err(|e| e.to_string())?;
        if status != StatusCode::OK {
            return Err(format!("search answered {status}: {body}"));
        }
        Ok(body["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|h| h["id"] == id)))
    }

    /// Creates case `n` with its own word and polls the search until it lists it.
    async fn measure(&self, round: char, n: u32) -> Outcome {
        // A letter-digit word no other case has: one token, found only in this case.
        let word = format!("kfs{round}{n:05}");
        let sent = Instant::now();
        let id = match self
            .create(
                json!({"channel": "phone", "subject": format!("外包装破损 {word}"),
                "description": "收到的时候箱子已经坏了，里面的杯子也碎了",
                "customer": {"phone": format!("137{:08}", n % 1000)}}),
            )
            .await
        {
            Ok(id) => id,
            Err(e) => return Outcome::Failed(e),
        };
        let answered = Instant::now();
        loop {
            match self.lists(&word, &id).await {
                Ok(true) => {
                    return Outcome::Found {
                        created: answered - sent,
                        found: answered.elapsed(),
                    };
                }
                Ok(false) => {}
                Err(e) => return Outcome::Failed(e),
            }
            if answered.elapsed() > FOUND_DEADLINE {
                return Outcome::NotFound;
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    async fn round(
        &self,
        name: &str,
        tag: char,
        args: &Args,
        background_rate: Option<u32>,
    ) -> Result<(), String> {
        let background = background_rate.map(|rate| Background::start(self, rate));
        // Let the background load reach its rate (and the outbox window fill) before measuring.
        if background.is_some() {
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        let started = Instant::now();
        let outcomes: Vec<Outcome> = futures_util::stream::iter(0..args.cases)
            .map(|n| self.measure(tag, n))
            .buffer_unordered(args.concurrency as usize)
            .collect()
            .await;
        let elapsed = started.elapsed();
        let background = match background {
            Some(b) => Some(b.stop().await),
            None => None,
        };
        let mut found = Vec::new();
        let mut created = Vec::new();
        let mut not_found = 0;
        let mut failures = Vec::new();
        for o in outcomes {
            match o {
                Outcome::Found {
                    created: c,
                    found: f,
                } => {
                    created.push(c);
                    found.push(f);
                }
                Outcome::NotFound => not_found += 1,
                Outcome::Failed(e) => failures.push(e),
            }
        }
        let over = found.iter().filter(|d| **d > TARGET).count();
        println!(
            "\nround {name}: {} cases in {:.1} s ({:.0} creates/s measured)",
            args.cases,
            elapsed.as_secs_f64(),
            f64::from(args.cases) / elapsed.as_secs_f64()
        );
        if let Some(b) = background {
            println!(
                "  background: {} writes in {:.1} s = {:.0}/s (asked {}/s), {} failed, {} ticks skipped (all {BACKGROUND_IN_FLIGHT} busy)",
                b.done,
                b.seconds,
                b.done as f64 / b.seconds,
                background_rate.unwrap_or(0),
                b.failed,
                b.skipped
            );
            if let Some(first) = b.first_failure {
                println!(
                    "  first background failure: {}",
                    first.chars().take(300).collect::<String>()
                );
            }
        }
        println!("  201 → searchable: {}", summary(&mut found));
        println!(
            "  over 1 s: {over} of {}; not found within {} s: {not_found}; failed: {}",
            found.len() + not_found,
            FOUND_DEADLINE.as_secs(),
            failures.len()
        );
        println!("  create (send → 201): {}", summary(&mut created));
        if let Some(first) = failures.first() {
            println!("  first failure: {first}");
        }
        Ok(())
    }
}

/// Background cases messages are spread over.
const RECENT_CASES: usize = 256;

/// Paced writes while a round runs: a new case, then a message on a recent one, alternately.
struct Background {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<BackgroundCount>,
}

#[derive(Default)]
struct BackgroundCount {
    done: u64,
    failed: u64,
    /// Ticks that found every request slot busy.
    skipped: u64,
    seconds: f64,
    first_failure: Option<String>,
}

impl Background {
    fn start(bench: &Bench, rate: u32) -> Background {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let client = bench.client.clone();
        let base = bench.base.clone();
        let token = bench.token.clone();
        let task = tokio::spawn(async move {
            let done = Arc::new(AtomicU64::new(0));
            let failed = Arc::new(AtomicU64::new(0));
            let mut skipped = 0u64;
            let slots = Arc::new(tokio::sync::Semaphore::new(BACKGROUND_IN_FLIGHT));
            let every = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            // Recent background cases; messages go to them in turn, so two rarely race for one.
            let recent: Arc<tokio::sync::Mutex<Vec<String>>> = Arc::default();
            let first_failure: Arc<tokio::sync::Mutex<Option<String>>> = Arc::default();
            let started = Instant::now();
            let mut n = 0u64;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stopped.changed() => break,
                }
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    skipped += 1;
                    continue;
                };
                n += 1;
                let (client, base, token) = (client.clone(), base.clone(), token.clone());
                let (done, failed, recent) = (done.clone(), failed.clone(), recent.clone());
                let first_failure = first_failure.clone();
                tokio::spawn(async move {
                    let _slot = slot;
                    let target = {
                        let recent = recent.lock().await;
                        (!recent.is_empty())
                            .then(|| recent[(n / 2) as usize % recent.len()].clone())
                    };
                    let request = match (n % 2, target) {
                        (0, Some(case)) => client
                            .post(format!("{base}/api/v1/cases/{case}/messages"))
                            .json(&json!({"body": format!("已联系网点催派，第{n}次跟进")})),
                        _ => client.post(format!("{base}/api/v1/cases")).json(&json!({
                            "channel": "phone", "subject": format!("快递三天没更新 背景{n}"),
                            "description": "客户来电反映物流信息一直没动",
                            "customer": {"phone": format!("136{:08}", n % 5000)}})),
                    };
                    let failure = match request.bearer_auth(&token).send().await {
                        Ok(res) if res.status().is_success() => {
                            if let Ok(body) = res.json::<Value>().await
                                && let Some(id) = body["id"].as_str()
                                && body["number"].is_string()
                            {
                                let mut recent = recent.lock().await;
                                if recent.len() == RECENT_CASES {
                                    recent.remove(0);
                                }
                                recent.push(id.to_string());
                            }
                            done.fetch_add(1, Ordering::Relaxed);
                            None
                        }
                        Ok(res) => {
                            let status = res.status();
                            Some(format!(
                                "{status}: {}",
                                res.text().await.unwrap_or_default()
                            ))
                        }
                        Err(e) => Some(e.to_string()),
                    };
                    if let Some(failure) = failure {
                        failed.fetch_add(1, Ordering::Relaxed);
                        first_failure.lock().await.get_or_insert(failure);
                    }
                });
            }
            // Wait for the writes in flight so the count is complete.
            let _ = slots.acquire_many(BACKGROUND_IN_FLIGHT as u32).await;
            BackgroundCount {
                done: done.load(Ordering::Relaxed),
                failed: failed.load(Ordering::Relaxed),
                skipped,
                seconds: started.elapsed().as_secs_f64(),
                first_failure: first_failure.lock().await.take(),
            }
        });
        Background { stop, task }
    }

    async fn stop(self) -> BackgroundCount {
        let _ = self.stop.send(true);
        self.task.await.unwrap_or_default()
    }
}

// ---- figures ----------------------------------------------------------------------------------

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50 / p95 / p99 / max in ms (nearest rank), or "–" when empty.
fn summary(v: &mut [Duration]) -> String {
    if v.is_empty() {
        return "–".into();
    }
    v.sort_unstable();
    let p = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
    format!(
        "p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms, max {:.0} ms (n = {})",
        ms(p(0.50)),
        ms(p(0.95)),
        ms(p(0.99)),
        ms(v[v.len() - 1]),
        v.len()
    )
}
