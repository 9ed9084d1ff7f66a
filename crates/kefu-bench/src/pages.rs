//! `kefu-bench-pages`: server-side rendering time of the console with the demo data. Seeds the
//! demo into a fresh SQLite store, serves it on loopback, signs in as an agent and as the
//! supervisor, and requests each main page many times from one client (so the figure is the
//! server's render time plus one loopback round trip, not queueing). Prints p50/p99/max per page.
//!
//! Usage: `kefu-bench-pages [ROUNDS]` (default 500 requests per page).

use kefu_bench::percentile;
use std::sync::Arc;
use std::time::Instant;

use kefu_desk::{Desk, Store};
use kefu_model::SystemClock;

/// Turns any error into the message the bench stops with.
fn fail<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> String {
    move |e| format!("{what}: {e}")
}

async fn login(
    http: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
) -> Result<String, String> {
    let r: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": user, "password": password}))
        .send()
        .await
        .map_err(fail("login"))?
        .json()
        .await
        .map_err(fail("login answer"))?;
    r["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no token for {user}: {r}"))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);
    match run(rounds).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kefu-bench-pages: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(rounds: usize) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("kefu-bench-pages-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(fail("temp dir"))?;
    let store: Arc<dyn Store> = Arc::new(
        kefu_store_sqlite::open(&dir.join("kefu.db"))
            .await
            .map_err(fail("sqlite"))?,
    );
    let tz = jiff::tz::TimeZone::get(kefu_model::DEFAULT_TIME_ZONE).map_err(fail("time zone"))?;
    let seeded = Instant::now();
    let clock = SystemClock;
    let summary = kefu::demo::seed(store.clone(), tz.clone(), kefu_model::Clock::now(&clock))
        .await
        .map_err(fail("demo"))?;
    println!(
        "demo seeded in {:.1} s: {} cases, {} customers",
        seeded.elapsed().as_secs_f64(),
        summary.cases,
        summary.customers
    );
    let mut desk = Desk::new(store.clone(), Arc::new(SystemClock)).with_time_zone(tz);
    desk = desk.with_nlu(Arc::new(kefu_nlu::SharedNlu));
    // The parcels and chats of the demo too: the 360 view, the case page and the chat desk
    // show them.
    let now = kefu_model::Clock::now(&clock);
    let parcels = kefu::demo_parcels::seed(&desk, now)
        .await
        .map_err(fail("demo parcels"))?;
    let chats = kefu::demo_chats::seed_with_demo_staff(&desk, now, &parcels)
        .await
        .map_err(fail("demo chats"))?;
    println!(
        "with {} shipments, {} pickups and {chats} chats",
        parcels.shipments, parcels.pickups
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(fail("bind"))?;
    let base = format!("http://{}", listener.local_addr().map_err(fail("addr"))?);
    tokio::spawn(kefu_web::serve(
        listener,
        kefu_web::AppState::new(desk),
        std::future::pending(),
    ));
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(fail("client"))?;
    let agent = login(&http, &base, "agent01", kefu::demo::DEMO_PASSWORD).await?;
    let supervisor = login(&http, &base, "supervisor", kefu::demo::DEMO_PASSWORD).await?;
    // Some real case numbers and phones to open.
    let cases: serde_json::Value = http
        .get(format!("{base}/api/v1/cases?limit=50"))
        .bearer_auth(&agent)
        .send()
        .await
        .map_err(fail("cases"))?
        .json()
        .await
        .map_err(fail("cases answer"))?;
    let numbers: Vec<String> = cases["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["number"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let pages: Vec<(&str, &str, Vec<String>)> = vec![
        ("queue: all open", &agent, vec!["/queue/all".to_string()]),
        ("queue: mine", &agent, vec!["/queue/mine".to_string()]),
        (
            "queue: breaching soon",
            &agent,
            vec!["/queue/at_risk".to_string()],
        ),
        (
            "case page",
            &agent,
            numbers.iter().map(|n| format!("/cases/{n}")).collect(),
        ),
        (
            "dashboard (7 days)",
            &supervisor,
            vec!["/dashboard?days=7".to_string()],
        ),
        (
            "dashboard (30 days)",
            &supervisor,
            vec!["/dashboard?days=30".to_string()],
        ),
        ("portal home", &agent, vec!["/portal".to_string()]),
        ("chat desk", &agent, vec!["/chats".to_string()]),
        (
            "customer 360 by name",
            &agent,
            vec!["/customers?q=张".to_string(), "/customers?q=王".to_string()],
        ),
        (
            "department inbox",
            &supervisor,
            vec!["/department".to_string()],
        ),
        ("new pickup", &agent, vec!["/pickups/new".to_string()]),
        ("portal chat", &agent, vec!["/portal/chat".to_string()]),
    ];
    println!("{rounds} requests per page, one client, loopback HTTP/1.1 keep-alive");
    println!(
        "{:<24} {:>9} {:>9} {:>9} {:>9}",
        "page", "p50 ms", "p99 ms", "max ms", "KB"
    );
    for (name, token, paths) in pages {
        let mut times = Vec::with_capacity(rounds);
        let mut size = 0;
        for i in 0..rounds {
            let path = &paths[i % paths.len()];
            let started = Instant::now();
            let r = http
                .get(format!("{base}{path}"))
                .header("cookie", format!("kefu_session={token}"))
                .send()
                .await
                .map_err(fail("page"))?;
            let status = r.status();
            let body = r.bytes().await.map_err(fail("page body"))?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            if !status.is_success() {
                return Err(format!("{path}: {status}"));
            }
            size = body.len();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{name:<24} {:>9.2} {:>9.2} {:>9.2} {:>9.1}",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            times.last().copied().unwrap_or(0.0),
            size as f64 / 1024.0
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
