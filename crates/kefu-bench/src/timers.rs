//! `kefu-bench-timers`: the timer engine under load. Creates N open cases (each with running
//! service clocks) in a fresh SQLite store, then measures, with the same timer loop `kefu serve`
//! runs: the process's memory, its CPU use while nothing is due, and the delay from due time to
//! the breach event for a batch of clocks falling due over a few seconds.
//!
//! Usage: `kefu-bench-timers [N] [DUE]` (defaults 1,000,000 open cases, 2,000 falling due).

use kefu_bench::{percentile, proc_status};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};

use kefu_model::drafts::{CaseDraft, CustomerDraft};
use kefu_model::{Channel, Clock, Role, SystemClock};

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of /proc/self/stat (utime, stime) are 12 and 13 after the ')'.
    (ticks(11) + ticks(12)) / 100.0
}

fn draft(i: usize, channel: Channel, received_at: Option<Timestamp>) -> CaseDraft {
    CaseDraft {
        channel,
        subject: format!("查件 {i}"),
        description: "客户来电询问快递进度".into(),
        customer_id: None,
        customer: Some(CustomerDraft {
            name: Some("压测客户".into()),
            phone: Some(format!("13{:09}", i % 1_000_000_000)),
            ..CustomerDraft::default()
        }),
        category: Some(kefu_model::Category::Track),
        priority: Some(kefu_model::Priority::P4),
        waybill_no: None,
        tags: vec![],
        received_at,
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let due_n: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000);
    let (dir, desk, admin) = match kefu_bench::fresh_sqlite_desk("kefu-bench-timers").await {
        Ok(found) => found,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let store = desk.store().clone();
    assert_eq!(admin.role, Role::Admin);

    // 1. N open phone cases: two running clocks each (30-minute first response, 24-hour resolution).
    let started = Instant::now();
    let workers = 64;
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (desk, admin) = (desk.clone(), admin.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while i < n {
                desk.create_case(&admin, draft(i, Channel::Phone, None), None)
                    .await?;
                i += workers;
            }
            Ok::<(), kefu_model::DomainError>(())
        }));
    }
    for t in tasks {
        if let Ok(Err(e)) = t.await {
            eprintln!("create failed: {e}");
            std::process::exit(1);
        }
    }
    let setup_secs = started.elapsed().as_secs_f64();
    let db_bytes: u64 = kefu_bench::dir_bytes(&dir);
    println!(
        "kefu-bench-timers: {n} open cases ({} running clocks) created in {setup_secs:.1} s ({:.0} cases/s)",
        2 * n,
        n as f64 / setup_secs
    );
    println!(
        "  database on disk: {:.1} MiB; process RSS {} (peak {})",
        db_bytes as f64 / 1048576.0,
        proc_status("VmRSS:"),
        proc_status("VmHWM:")
    );

    // 2. Idle: the timer loop with nothing due, for 10 s.
    let timer_loop = tokio::spawn(kefu::timers::run(desk.clone()));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    tokio::time::sleep(Duration::from_secs(10)).await;
    let idle_cpu = (cpu_seconds() - cpu0) / t0.elapsed().as_secs_f64();
    println!(
        "  idle: timer loop CPU {:.2} % of one core over 10 s (tick {:?})",
        idle_cpu * 100.0,
        kefu::timers::TICK
    );

    // 3. DUE chat cases whose 30-second first-response clock falls due spread over the next ~4 s.
    let now = SystemClock.now();
    let mut ids = Vec::with_capacity(due_n);
    for i in 0..due_n {
        let offset_ms = 1_000 + (i as i64 * 3_000) / due_n.max(1) as i64;
        let received = now - SignedDuration::from_secs(30) + SignedDuration::from_millis(offset_ms);
        match desk
            .create_case(&admin, draft(n + i, Channel::Chat, Some(received)), None)
            .await
        {
            Ok(c) => ids.push(c.case.id),
            Err(e) => {
                eprintln!("create failed: {e}");
                std::process::exit(1);
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(6)).await;
    let mut delays = Vec::with_capacity(due_n);
    for id in &ids {
        let Ok(events) = store.case_events(id).await else {
            continue;
        };
        for e in events {
            if let kefu_model::EventData::SlaBreached {
                due_at: Some(due), ..
            } = e.data
            {
                delays.push(e.at.duration_since(due).as_secs_f64() * 1000.0);
            }
        }
    }
    timer_loop.abort();
    delays.sort_by(f64::total_cmp);
    println!(
        "  breach delay over {} clocks (due → breach event): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; missing {}",
        delays.len(),
        percentile(&delays, 0.5),
        percentile(&delays, 0.99),
        delays.last().copied().unwrap_or(f64::NAN),
        due_n.saturating_sub(delays.len())
    );
    let _ = std::fs::remove_dir_all(&dir);
}
