//! `kefu-bench-kpis`: the key figures over a year of cases (issue #16: "KPI dashboard over
//! 1,000,000 cases renders in ≤ 200 ms p99").
//!
//! Builds a year of N cases (default 1,000,000) on durable SQLite: each case's events are
//! planned with the model's own fold (`Case::apply`) — created, assigned, answered, most
//! resolved, some transferred and answered back, some reopened, the first-response clock met
//! or breached — and written through the store's import (the path `kefu import` takes); then
//! the figures are computed from the stored cases by `Desk::rebuild_figures`, the same code
//! that writes each case's row when it changes. Then it measures, each many times:
//! the desk's report by every dimension for the last 30 days and for the whole year, the
//! drill-down's first page, and the console's page and the API over loopback HTTP.
//!
//! Usage: `kefu-bench-kpis [CASES] [DAYS] [ROUNDS]` (defaults 1000000 365 200).

use std::sync::Arc;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use kefu_bench::{Lcg, percentile};
use kefu_model::case::{Case, CaseEvent, EventData};
use kefu_model::clock::FixedClock;
use kefu_model::export::ExportRecord;
use kefu_model::ids::{CaseId, CustomerId, DepartmentId, MessageId, UserId};
use kefu_model::kpi::{Dimension, Granularity, KpiFigure};
use kefu_model::sla_clock::{ClockChange, ClockKind};
use kefu_model::user::Role;
use kefu_model::{Category, Channel, Customer, Priority, Status, Visibility};

const AGENTS: usize = 40;
const CUSTOMERS: usize = 50_000;
const CHUNK: usize = 5_000;

fn arg(i: usize, default: usize) -> usize {
    std::env::args()
        .nth(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("kefu-bench-kpis: {what}: {e}");
    std::process::exit(1)
}

/// One case's events, folded into its projection as the desk would.
fn one_case(
    serial: usize,
    at: Timestamp,
    rng: &mut Lcg,
    customers: &[CustomerId],
    agents: &[UserId],
    ops: &DepartmentId,
) -> (Case, Vec<CaseEvent>) {
    let channels = [
        Channel::Phone,
        Channel::Phone,
        Channel::Chat,
        Channel::Chat,
        Channel::Wechat,
        Channel::Email,
        Channel::Web,
    ];
    let categories = [
        Category::Track,
        Category::Track,
        Category::Delay,
        Category::Pickup,
        Category::Complaint,
        Category::Damaged,
        Category::Other,
    ];
    let id = CaseId::from_stored(format!("bench-{serial:09}"));
    let mut seq = 0;
    let mut events = Vec::with_capacity(8);
    let mut push = |data: EventData, at: Timestamp, events: &mut Vec<CaseEvent>| {
        seq += 1;
        events.push(CaseEvent {
            case_id: id.clone(),
            seq,
            actor: "bench".into(),
            at,
            data,
        });
    };
    push(
        EventData::Created {
            number: format!("KF{}-{serial:07}", at.strftime("%Y%m%d")),
            channel: channels[rng.below(channels.len() as u64) as usize],
            subject: "包裹查询".into(),
            description: String::new(),
            category: categories[rng.below(categories.len() as u64) as usize],
            priority: Priority::P3,
            customer_id: customers[rng.below(customers.len() as u64) as usize].clone(),
            waybill_nos: Vec::new(),
            tags: Vec::new(),
            received_at: at,
            classified_by: "caller".into(),
            bot: false,
        },
        at,
        &mut events,
    );
    let clock = |at: Timestamp| ClockChange {
        clock: ClockKind::FirstResponse,
        policy: "default".into(),
        calendar: "cn-service".into(),
        target_secs: 3600,
        consumed_secs: 0,
        since: Some(at),
        due_at: Some(at + SignedDuration::from_hours(1)),
        warnings: Vec::new(),
    };
    push(EventData::SlaStarted(clock(at)), at, &mut events);
    let agent = agents[rng.below(agents.len() as u64) as usize].clone();
    push(
        EventData::Assigned {
            from: None,
            to: Some(agent),
        },
        at,
        &mut events,
    );
    let fate = rng.below(100);
    let answered = at + SignedDuration::from_mins(1 + rng.below(90) as i64);
    push(
        EventData::MessageAdded {
            message_id: MessageId::from_stored(format!("m{serial}")),
            body: "您好，已为您查询".into(),
            visibility: Visibility::Public,
            author_kind: "staff".into(),
            call: false,
            client_id: None,
            attachments: Vec::new(),
        },
        answered,
        &mut events,
    );
    let met = answered <= at + SignedDuration::from_hours(1);
    push(
        if met {
            EventData::SlaMet {
                clock: ClockKind::FirstResponse,
            }
        } else {
            EventData::SlaBreached {
                clock: ClockKind::FirstResponse,
                due_at: Some(at + SignedDuration::from_hours(1)),
            }
        },
        answered,
        &mut events,
    );
    if fate < 10 {
        let sent = answered + SignedDuration::from_mins(5);
        push(
            EventData::Transferred {
                from: None,
                to: Some(ops.clone()),
                due_at: None,
            },
            sent,
            &mut events,
        );
        push(
            EventData::Transferred {
                from: Some(ops.clone()),
                to: None,
                due_at: None,
            },
            sent + SignedDuration::from_mins(30 + rng.below(600) as i64),
            &mut events,
        );
    }
    if fate < 90 {
        let resolved = answered + SignedDuration::from_hours(1 + rng.below(48) as i64);
        push(
            EventData::StatusChanged {
                from: Status::Open,
                to: Status::Resolved,
            },
            resolved,
            &mut events,
        );
        if fate < 4 {
            push(
                EventData::Reopened {
                    from: Status::Resolved,
                    reason: Some("客户说没收到".into()),
                },
                resolved + SignedDuration::from_hours(3),
                &mut events,
            );
        }
    }
    let mut case = match Case::from_created(&events[0]) {
        Some(c) => c,
        None => fail("a case", "no created event"),
    };
    for e in &events[1..] {
        case.apply(e);
    }
    (case, events)
}

fn timed(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    (percentile(&samples, 0.5), percentile(&samples, 0.99))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let n = arg(1, 1_000_000);
    let days = arg(2, 365).max(1);
    let rounds = arg(3, 200).max(1);
    // The year ends on Monday 2026-11-30, 09:00 in Shanghai; "now" is that morning.
    let now: Timestamp = "2026-11-30T01:00:00Z"
        .parse()
        .unwrap_or_else(|e| fail("now", e));
    let clock = Arc::new(FixedClock::new(now));
    let (dir, desk, admin) = kefu_bench::fresh_sqlite_desk_on("kefu-bench-kpis", clock.clone())
        .await
        .unwrap_or_else(|e| fail("setup", e));
    let store = desk.store().clone();
    let started = Instant::now();
    let ops = desk
        .create_department(
            Some(&admin),
            kefu_model::drafts::DepartmentDraft {
                key: "ops".into(),
                name: "运营部".into(),
                kind: "operations".into(),
            },
        )
        .await
        .unwrap_or_else(|e| fail("a department", e))
        .id;
    let mut agents = Vec::with_capacity(AGENTS);
    for i in 0..AGENTS {
        let user = desk
            .create_user(
                Some(&admin),
                kefu_model::drafts::UserDraft {
                    username: format!("agent{i:02}"),
                    password: "bench-password".into(),
                    role: Role::Agent,
                    display_name: Some(format!("客服{i:02}")),
                    department: None,
                },
            )
            .await
            .unwrap_or_else(|e| fail("an agent", e));
        agents.push(user.id);
    }
    let mut customers = Vec::with_capacity(CUSTOMERS);
    let mut chunk: Vec<ExportRecord> = Vec::with_capacity(CHUNK);
    for i in 0..CUSTOMERS {
        let phone = kefu_model::customer::Phone::parse(&format!("139{i:08}"))
            .unwrap_or_else(|e| fail("a phone", e));
        let customer = Customer {
            id: CustomerId::from_stored(format!("bench-customer-{i:06}")),
            name: format!("客户{i}"),
            phones: vec![phone],
            emails: Vec::new(),
            external_ids: Vec::new(),
            grade: kefu_model::customer::Grade::new(1 + (i % 5) as i64)
                .unwrap_or(kefu_model::customer::Grade::DEFAULT),
            tags: Vec::new(),
            created_at: now - SignedDuration::from_hours(24 * 400),
            updated_at: now - SignedDuration::from_hours(24 * 400),
            version: 1,
            merged_into: None,
            notices_opt_out: false,
        };
        customers.push(customer.id.clone());
        chunk.push(ExportRecord::Customer(customer));
        if chunk.len() == CHUNK {
            store
                .import_chunk(std::mem::take(&mut chunk))
                .await
                .unwrap_or_else(|e| fail("customers", e));
        }
    }
    let first_day = now - SignedDuration::from_hours(24 * days as i64);
    let mut rng = Lcg(20_261_207);
    let mut written = 0usize;
    for serial in 0..n {
        // Spread over the year, 08:00–22:00 local time.
        let day = (serial * days / n) as i64;
        let minute = rng.below(14 * 60) as i64;
        let at = first_day
            + SignedDuration::from_hours(24 * day)
            + SignedDuration::from_mins(minute - 60);
        let (case, events) = one_case(serial, at, &mut rng, &customers, &agents, &ops);
        chunk.push(ExportRecord::Case(Box::new(case)));
        chunk.extend(events.into_iter().map(ExportRecord::CaseEvent));
        written += 1;
        if chunk.len() >= CHUNK {
            store
                .import_chunk(std::mem::take(&mut chunk))
                .await
                .unwrap_or_else(|e| fail("cases", e));
        }
    }
    if !chunk.is_empty() {
        store
            .import_chunk(std::mem::take(&mut chunk))
            .await
            .unwrap_or_else(|e| fail("cases", e));
    }
    let imported = started.elapsed().as_secs_f64();
    let computed = desk
        .rebuild_figures()
        .await
        .unwrap_or_else(|e| fail("rebuild", e));
    let rebuilt = started.elapsed().as_secs_f64() - imported;
    if computed as usize != written || written != n {
        fail(
            "counting",
            format!("{n} asked, {written} written, {computed} computed"),
        );
    }
    let zone = desk.time_zone().clone();
    let today = zone.to_datetime(now).date();
    let year_ago = today
        .checked_sub(jiff::Span::new().days(days as i64))
        .unwrap_or(today);
    let month_ago = today
        .checked_sub(jiff::Span::new().days(30))
        .unwrap_or(today);
    let check = desk
        .kpi_report(&admin, Dimension::All, year_ago, today, Granularity::Month)
        .await
        .unwrap_or_else(|e| fail("a report", e));
    if check.total.tally.cases as usize != n {
        fail(
            "the year's figures",
            format!("{} cases counted, {n} written", check.total.tally.cases),
        );
    }
    println!(
        "{n} cases over {days} days, {AGENTS} agents, {CUSTOMERS} customers: imported in {imported:.0} s, figures computed in {rebuilt:.0} s, store {:.0} MiB",
        kefu_bench::dir_bytes(&dir) as f64 / 1_048_576.0
    );
    println!(
        "the year: {} resolved, first response {} s, SLA {:?} %, reopen {:?} %",
        check.total.tally.resolved,
        check.total.first_response_avg_secs().unwrap_or(0),
        check.total.sla_attainment_pct(),
        check.total.reopen_rate_pct()
    );
    println!("{rounds} calls each, one caller");
    println!("{:<44} {:>9} {:>9}", "read", "p50 ms", "p99 ms");
    for (label, from, granularity) in [
        ("last 30 days", month_ago, Granularity::Day),
        ("the year", year_ago, Granularity::Month),
    ] {
        for dimension in Dimension::ALL {
            let mut samples = Vec::with_capacity(rounds);
            for _ in 0..rounds {
                let t = Instant::now();
                let r = desk
                    .kpi_report(&admin, *dimension, from, today, granularity)
                    .await
                    .unwrap_or_else(|e| fail("a report", e));
                samples.push(t.elapsed().as_secs_f64() * 1000.0);
                std::hint::black_box(r);
            }
            let (p50, p99) = timed(samples);
            println!(
                "{:<44} {p50:>9.2} {p99:>9.2}",
                format!("report by {} · {label}", dimension.as_str())
            );
        }
    }
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        let r = desk
            .kpi_cases(
                &admin,
                Dimension::All,
                "",
                year_ago,
                today,
                KpiFigure::Reopened,
                None,
                50,
            )
            .await
            .unwrap_or_else(|e| fail("a drill-down", e));
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(r);
    }
    let (p50, p99) = timed(samples);
    println!(
        "{:<44} {p50:>9.2} {p99:>9.2}",
        "drill-down: reopened, the year, first 50"
    );

    // The console's page and the API, over loopback HTTP.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| fail("bind", e));
    let base = match listener.local_addr() {
        Ok(a) => format!("http://{a}"),
        Err(e) => fail("address", e),
    };
    tokio::spawn(kefu_web::serve(
        listener,
        kefu_web::AppState::new(desk.clone()),
        std::future::pending(),
    ));
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap_or_else(|e| fail("client", e));
    let login: serde_json::Value = match http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": "bench-password"}))
        .send()
        .await
    {
        Ok(r) => r.json().await.unwrap_or_default(),
        Err(e) => fail("login", e),
    };
    let token = login["token"].as_str().unwrap_or_default().to_string();
    for (label, path) in [
        (
            "console page · last 30 days",
            format!("/console/kpis?from={month_ago}&to={today}"),
        ),
        (
            "console page by agent · the year",
            format!("/console/kpis?from={year_ago}&to={today}&by=agent&granularity=month"),
        ),
        (
            "API by channel · the year",
            format!("/api/v1/kpis?from={year_ago}&to={today}&by=channel&granularity=week"),
        ),
    ] {
        let mut samples = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let t = Instant::now();
            let r = http
                .get(format!("{base}{path}"))
                .header("cookie", format!("kefu_session={token}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap_or_else(|e| fail("a page", e));
            let status = r.status();
            let body = r.bytes().await.unwrap_or_else(|e| fail("a page's body", e));
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
            if !status.is_success() {
                fail(path.as_str(), status);
            }
            std::hint::black_box(body);
        }
        let (p50, p99) = timed(samples);
        println!("{label:<44} {p50:>9.2} {p99:>9.2}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
