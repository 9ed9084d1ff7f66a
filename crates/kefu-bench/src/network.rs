//! `kefu-bench-network`: the outlet assessment (网点考核) over a year of work orders. Builds a
//! network (a region, its sorting centres and their outlets) in a fresh durable SQLite store,
//! sends N work orders from cases through the desk, day by day on an injected clock, and has
//! the outlets answer, complete or refuse most of them (some late); records every outlet's
//! daily parcel counts; then times, through the desk as the API calls it: the assessment over
//! every order, over the last month, and a drill-down (the orders behind one outlet's figure).
//!
//! Usage: `kefu-bench-network [ORDERS] [DAYS] [OUTLETS]` (defaults 1,000,000 orders over 365
//! days, 200 outlets).

use std::sync::Arc;
use std::time::Instant;

use jiff::SignedDuration;
use jiff::civil::Date;
use kefu_bench::{Lcg, percentile, proc_status};
use kefu_desk::network::OrderAction;
use kefu_model::drafts::{CaseDraft, CustomerDraft};
use kefu_model::ids::CaseId;
use kefu_model::network::OrganisationDraft;
use kefu_model::work_order::{
    DayVolume, OrderDetails, OrderFigure, OrderKind, OrderQuery, WorkOrderDraft,
};
use kefu_model::{Channel, FixedClock};

const ORDERS_PER_CASE: usize = 10;
const WORKERS: usize = 32;
const HUBS: usize = 10;
/// Distinct customers: fewer than cases, so some complain about an outlet twice in 30 days.
const CUSTOMERS: usize = 20_000;

fn arg(i: usize, default: usize) -> usize {
    std::env::args()
        .nth(i)
        .and_then(|a| a.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("kefu-bench-network: {what}: {e}");
    std::process::exit(1)
}

fn organisation(
    key: &str,
    name: &str,
    kind: &str,
    parent: Option<&str>,
    district: &str,
) -> OrganisationDraft {
    serde_json::from_value(serde_json::json!({
        "key": key, "name": name, "kind": kind, "parent": parent,
        "districts": if district.is_empty() { vec![] } else { vec![district] },
    }))
    .unwrap_or_else(|e| fail("organisation draft", e))
}

fn case_draft(i: usize) -> CaseDraft {
    CaseDraft {
        channel: Channel::Phone,
        subject: format!("派送问题 {i}"),
        description: "客户来电反映快递未按时派送".into(),
        customer_id: None,
        customer: Some(CustomerDraft {
            name: Some("压测客户".into()),
            phone: Some(format!("139{:08}", i % CUSTOMERS)),
            ..CustomerDraft::default()
        }),
        category: Some(kefu_model::Category::Delay),
        priority: Some(kefu_model::Priority::P3),
        waybill_no: None,
        tags: vec![],
        received_at: None,
    }
}

/// One order to send: the case, the outlet, the kind; what the outlet will do with it.
#[derive(Clone)]
struct Planned {
    case: CaseId,
    outlet: usize,
    kind: OrderKind,
    /// 0–99: under 60 answered and completed within the hour, under 75 refused, under 90
    /// completed late in the afternoon, the rest left open.
    fate: u64,
}

fn draft_for(p: &Planned) -> WorkOrderDraft {
    let mut details = OrderDetails {
        note: "请尽快处理".into(),
        ..OrderDetails::default()
    };
    match p.kind {
        OrderKind::ChangeAddress => details.new_address = Some("北京市朝阳区建国路1号".into()),
        OrderKind::Intercept => {
            details.intercept = Some(kefu_model::work_order::InterceptAction::Return)
        }
        _ => {}
    }
    WorkOrderDraft {
        kind: p.kind,
        waybill_no: None,
        organisation: Some(format!("o{:03}", p.outlet)),
        details,
        regulator: None,
    }
}

/// Runs `f` over `items` on WORKERS tasks.
async fn in_parallel<T, F, Fut>(items: Vec<T>, f: F)
where
    T: Send + Sync + 'static,
    F: Fn(Arc<Vec<T>>, usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let items = Arc::new(items);
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let (items, f) = (items.clone(), f.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while i < items.len() {
                f(items.clone(), i).await;
                i += WORKERS;
            }
        }));
    }
    for t in tasks {
        if let Err(e) = t.await {
            fail("a worker", e);
        }
    }
}

fn timed<const N: usize>(samples: &mut [f64; N]) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    (percentile(samples, 0.5), percentile(samples, 0.99))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let n = arg(1, 1_000_000);
    let days = arg(2, 365).max(1);
    let outlets = arg(3, 200).max(1);
    // Monday 2026-01-05, 09:00 in Shanghai.
    let start: jiff::Timestamp = "2026-01-05T01:00:00Z"
        .parse()
        .unwrap_or_else(|e| fail("start", e));
    let clock = Arc::new(FixedClock::new(start));
    let (dir, desk, admin) = kefu_bench::fresh_sqlite_desk_on("kefu-bench-network", clock.clone())
        .await
        .unwrap_or_else(|e| fail("setup", e));
    let tz = desk.time_zone().clone();

    // The network: a region, its centres, the outlets spread over the centres.
    let started = Instant::now();
    let save = |d: OrganisationDraft| {
        let (desk, admin) = (desk.clone(), admin.clone());
        async move {
            desk.save_organisation(&admin, None, d)
                .await
                .unwrap_or_else(|e| fail("an organisation", e));
        }
    };
    save(organisation("north", "华北大区", "region", None, "")).await;
    for h in 0..HUBS {
        save(organisation(
            &format!("h{h:02}"),
            &format!("分拨中心{h:02}"),
            "sorting_center",
            Some("north"),
            "",
        ))
        .await;
    }
    for o in 0..outlets {
        save(organisation(
            &format!("o{o:03}"),
            &format!("网点{o:03}"),
            "outlet",
            Some(&format!("h{:02}", o % HUBS)),
            &format!("{}", 110_000 + o),
        ))
        .await;
    }

    // Day by day: the day's cases, their orders at 09:00, the quick answers at 09:30, the
    // refusals and late completions at 15:00.
    let mut rng = Lcg(20_261_207);
    let mut sent = 0usize;
    let mut case_serial = 0usize;
    let kinds = [
        OrderKind::Hurry,
        OrderKind::Hurry,
        OrderKind::Trace,
        OrderKind::Trace,
        OrderKind::Intercept,
        OrderKind::ChangeAddress,
        OrderKind::DamageLoss,
        OrderKind::Complaint,
    ];
    for day in 0..days {
        let morning = start + SignedDuration::from_hours(24 * day as i64);
        clock.set(morning);
        let today = n * (day + 1) / days - sent;
        // Each day's orders on that day's cases (a case holds up to ORDERS_PER_CASE).
        let day_cases = today.div_ceil(ORDERS_PER_CASE);
        let drafts: Vec<usize> = (case_serial..case_serial + day_cases).collect();
        case_serial += day_cases;
        let created = Arc::new(std::sync::Mutex::new(Vec::with_capacity(day_cases)));
        {
            let (desk, admin, created) = (desk.clone(), admin.clone(), created.clone());
            in_parallel(drafts, move |items, i| {
                let (desk, admin, created) = (desk.clone(), admin.clone(), created.clone());
                async move {
                    let c = desk
                        .create_case(&admin, case_draft(items[i]), None)
                        .await
                        .unwrap_or_else(|e| fail("a case", e));
                    if let Ok(mut v) = created.lock() {
                        v.push(c.case.id);
                    }
                }
            })
            .await;
        }
        let mut cases = created.lock().map(|v| v.clone()).unwrap_or_default();
        cases.sort();
        let planned: Vec<Planned> = (0..today)
            .filter_map(|i| {
                let case = cases.get(i / ORDERS_PER_CASE)?.clone();
                Some(Planned {
                    case,
                    outlet: rng.below(outlets as u64) as usize,
                    kind: kinds[rng.below(kinds.len() as u64) as usize],
                    fate: rng.below(100),
                })
            })
            .collect();
        sent += planned.len();
        let ids = Arc::new(std::sync::Mutex::new(Vec::with_capacity(planned.len())));
        {
            let (desk, admin, ids) = (desk.clone(), admin.clone(), ids.clone());
            // Orders of one case go one after another (one worker per case), so appends to a
            // case do not race each other.
            let per_case: Vec<Vec<Planned>> = planned
                .chunks(ORDERS_PER_CASE)
                .map(<[Planned]>::to_vec)
                .collect();
            in_parallel(per_case, move |items, i| {
                let (desk, admin, ids) = (desk.clone(), admin.clone(), ids.clone());
                async move {
                    for p in &items[i] {
                        let (_, order) = desk
                            .send_work_order(&admin, p.case.as_str(), draft_for(p))
                            .await
                            .unwrap_or_else(|e| fail("an order", e));
                        if let Ok(mut v) = ids.lock() {
                            v.push((p.case.clone(), order.id, p.fate));
                        }
                    }
                }
            })
            .await;
        }
        let orders = ids.lock().map(|v| v.clone()).unwrap_or_default();
        for (at, pick) in [
            (SignedDuration::from_mins(30), 0..60u64),
            (SignedDuration::from_hours(6), 60..90u64),
        ] {
            clock.set(morning + at);
            // A case's orders are answered one after another by one worker.
            let mut by_case: std::collections::BTreeMap<CaseId, Vec<(String, u64)>> =
                std::collections::BTreeMap::new();
            for (case, id, fate) in &orders {
                if pick.contains(fate) {
                    by_case
                        .entry(case.clone())
                        .or_default()
                        .push((id.clone(), *fate));
                }
            }
            let todo: Vec<Vec<(String, u64)>> = by_case.into_values().collect();
            let (desk, admin) = (desk.clone(), admin.clone());
            in_parallel(todo, move |items, i| {
                let (desk, admin) = (desk.clone(), admin.clone());
                async move {
                    for (id, fate) in &items[i] {
                        let steps: &[(OrderAction, &str)] = match *fate {
                            0..60 => &[
                                (OrderAction::Reply, "已联系派件员"),
                                (OrderAction::Complete, "已处理完毕"),
                            ],
                            60..75 => &[(OrderAction::Refuse, "非本网点责任")],
                            _ => &[(OrderAction::Complete, "已处理完毕")],
                        };
                        for (action, text) in steps {
                            if let Err(e) = desk.act_on_work_order(&admin, id, *action, text).await
                            {
                                fail("an answer", e);
                            }
                        }
                    }
                }
            })
            .await;
        }
        if day % 30 == 29 || day + 1 == days {
            println!(
                "  day {:>3}: {sent} orders sent, {:.0} s, RSS {}",
                day + 1,
                started.elapsed().as_secs_f64(),
                proc_status("VmRSS:")
            );
        }
    }
    // Each outlet's parcels per day, as the carrier's system would report them.
    let first: Date = tz.to_datetime(start).date();
    for o in 0..outlets {
        let mut report = Vec::with_capacity(days);
        for d in 0..days {
            report.push(DayVolume {
                day: first + jiff::Span::new().days(d as i64),
                parcels: 2_000 + rng.below(6_000) as i64,
            });
        }
        for chunk in report.chunks(366) {
            desk.record_parcel_volumes(&admin, &format!("o{o:03}"), chunk)
                .await
                .unwrap_or_else(|e| fail("volumes", e));
        }
    }
    let setup_secs = started.elapsed().as_secs_f64();
    let db_bytes: u64 = kefu_bench::dir_bytes(&dir);
    println!(
        "kefu-bench-network: {sent} work orders on {case_serial} cases to {outlets} outlets over {days} days, \
         sent and answered in {setup_secs:.0} s; database {:.0} MiB",
        db_bytes as f64 / 1_048_576.0
    );

    // The measurements.
    let end = first + jiff::Span::new().days(days as i64);
    let month = end - jiff::Span::new().days(30);
    let whole = desk
        .order_assessment(&admin, first, end)
        .await
        .unwrap_or_else(|e| fail("assessment", e));
    let counted: i64 = whole.iter().map(|f| f.tally.orders).sum();
    let complaints: i64 = whole.iter().map(|f| f.tally.complaints).sum();
    let repeats: i64 = whole.iter().map(|f| f.tally.repeat_complaints).sum();
    println!(
        "  the assessment counts {counted} orders ({complaints} complaints, {repeats} repeats) at {} organisations",
        whole.len()
    );
    if sent != n || counted != sent as i64 {
        fail(
            "the orders",
            format!("{n} asked, {sent} sent, {counted} counted"),
        );
    }
    let mut every = [0f64; 200];
    let mut last_month = [0f64; 200];
    let mut drill = [0f64; 200];
    for i in 0..200 {
        let t = Instant::now();
        let figures = desk.order_assessment(&admin, first, end).await;
        every[i] = t.elapsed().as_secs_f64() * 1000.0;
        if figures.map(|f| f.len()).unwrap_or(0) != whole.len() {
            fail("a repeated assessment", "different rows");
        }
        let t = Instant::now();
        let _ = desk.order_assessment(&admin, month, end).await;
        last_month[i] = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        let behind = desk
            .work_order_queue(
                &admin,
                Some(&format!("o{:03}", i % outlets)),
                OrderQuery {
                    figure: Some(OrderFigure::CompletionLate),
                    sent_on_from: Some(month),
                    sent_on_to: Some(end),
                    limit: 200,
                    ..OrderQuery::default()
                },
            )
            .await;
        drill[i] = t.elapsed().as_secs_f64() * 1000.0;
        if let Err(e) = behind {
            fail("drill-down", e);
        }
    }
    let (p50, p99) = timed(&mut every);
    println!(
        "  assessment, all {days} days ({counted} orders): p50 {p50:.1} ms, p99 {p99:.1} ms (200 runs)"
    );
    let (p50, p99) = timed(&mut last_month);
    println!("  assessment, last 30 days: p50 {p50:.1} ms, p99 {p99:.1} ms");
    let (p50, p99) = timed(&mut drill);
    println!(
        "  drill-down, one outlet's late completions in 30 days (≤ 200 rows): p50 {p50:.1} ms, p99 {p99:.1} ms"
    );
    println!(
        "  process RSS {} (peak {})",
        proc_status("VmRSS:"),
        proc_status("VmHWM:")
    );
    if std::env::var_os("KEFU_BENCH_KEEP").is_some() {
        println!("  kept {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
