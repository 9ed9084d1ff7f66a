//! `cargo bench -p kefu-search --bench index`: indexes generated cases with Chinese text on disk
//! (docs/s, size), times searches (p50/p99), and in the same run loads the same texts into a
//! SQLite table and times `LIKE '%…%'` over it. Prints figures; asserts nothing.
//!
//! `KEFU_SEARCH_BENCH_DOCS` (default 200 000) sets the number of cases;
//! `KEFU_SEARCH_BENCH_DIR` where the index and the database go (default: a temporary directory);
//! `KEFU_SEARCH_BENCH_MAX_SECS` (default 600) stops indexing early, reporting what it reached.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)] // a benchmark reads the wall clock

use std::path::Path;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use kefu_search::{DocFilters, DocKind, Query, SearchDoc, SearchIndex, Visibility};

const SUBJECTS: &[&str] = &[
    "快递三天没更新",
    "外包装破损",
    "要求改地址",
    "包裹丢了",
    "催件，明天要用",
    "派送员态度差",
    "显示签收但没收到",
    "申请理赔",
    "预约上门取件",
    "运费怎么算",
    "发票开错了",
    "拒收退回",
    "地址写错了",
    "物流停在中转站",
    "快递柜取不出来",
    "收到错件",
    "少件了",
    "保价怎么赔",
    "生鲜化了",
    "充电宝能不能寄",
    "快递员不接电话",
    "退货怎么寄",
    "到付费用太高",
    "驿站不给取件",
];
const OPENINGS: &[&str] = &[
    "客户来电反映",
    "客户在线咨询",
    "客户投诉",
    "客户留言称",
    "客户再次来电",
    "收件人反馈",
    "寄件人询问",
];
const MIDDLES: &[&str] = &[
    "包裹在{city}分拣中心停留两天没有动静",
    "快递员没有打电话就放在驿站",
    "外包装有明显挤压痕迹，箱子坏了",
    "收件人电话一直打不通",
    "显示已签收但本人没有收到",
    "想把收件地址改到{city}的公司",
    "里面的玻璃杯碎了，要求赔偿",
    "物流信息三天没更新",
    "派送员说明天上午送达",
    "需要开具增值税专用发票",
    "寄的是生鲜，希望尽快派送",
    "上门取件的快递员一直没来",
    "运单号查不到任何物流信息",
    "包裹被退回{city}网点",
    "要求快点送，下午要用",
];
const CLOSINGS: &[&str] = &[
    "希望尽快处理",
    "要求今天给答复",
    "请回电",
    "非常着急",
    "已经是第二次来电",
    "情绪比较激动",
    "表示理解",
    "",
];
const CITIES: &[&str] = &[
    "上海", "杭州", "北京", "广州", "深圳", "成都", "武汉", "南京", "西安", "重庆", "苏州", "郑州",
];

/// splitmix64: a fixed sequence, so every run benchmarks the same texts.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn case_number(n: usize) -> String {
    format!("KF2025{n:08}")
}
fn waybill(n: usize) -> String {
    format!("SF{:013}", 1_000_000_000_000u64 + n as u64 * 7)
}

fn generate(count: usize) -> Vec<SearchDoc> {
    let mut random = Random(7);
    let base = Timestamp::from_second(1_735_660_800).unwrap(); // 2025-01-01
    (0..count)
        .map(|n| {
            let city = random.pick(CITIES);
            let middle = random.pick(MIDDLES).replace("{city}", city);
            let phone = format!(
                "1{}{:09}",
                3 + random.next() % 7,
                random.next() % 1_000_000_000
            );
            let waybill = waybill(n);
            let body = format!(
                "{}{}，{}。运单号{waybill}，联系电话{phone}。",
                random.pick(OPENINGS),
                middle,
                random.pick(CLOSINGS)
            );
            let created = base
                .checked_add(jiff::SignedDuration::from_secs((n as i64) * 30))
                .unwrap();
            SearchDoc {
                kind: DocKind::Case,
                id: case_number(n),
                title: random.pick(SUBJECTS).to_owned(),
                body,
                identifiers: vec![case_number(n), waybill, phone],
                related_identifiers: Vec::new(),
                filters: DocFilters {
                    status: Some(["open", "pending", "closed"][n % 3].to_owned()),
                    department_id: Some(format!("d-{}", n % 8)),
                    created_at: Some(created),
                    ..DocFilters::default()
                },
                updated_at: created,
            }
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn time_runs(runs: usize, mut run: impl FnMut() -> usize) -> (Duration, Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut found = 0;
    for _ in 0..runs {
        let start = Instant::now();
        found = run();
        times.push(start.elapsed());
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99), found)
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                dir_size(&entry.path())
            } else {
                meta.len()
            }
        })
        .sum()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let count: usize = std::env::var("KEFU_SEARCH_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let max_secs: u64 = std::env::var("KEFU_SEARCH_BENCH_MAX_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    let temp = tempfile::tempdir_in(
        std::env::var("KEFU_SEARCH_BENCH_DIR")
            .unwrap_or_else(|_| std::env::temp_dir().display().to_string()),
    )
    .unwrap();

    let start = Instant::now();
    let docs = generate(count);
    let text_bytes: usize = docs.iter().map(|d| d.title.len() + d.body.len()).sum();
    println!(
        "generated {count} cases ({:.0} MB of title+body text) in {:.1} s",
        text_bytes as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );

    // --- tantivy ---
    let index_dir = temp.path().join("index");
    let index = SearchIndex::open(&index_dir).unwrap();
    let start = Instant::now();
    let mut indexed = 0;
    for batch in docs.chunks(10_000) {
        index.upsert(batch).unwrap();
        indexed += batch.len();
        if start.elapsed().as_secs() >= max_secs {
            println!("stopped after {max_secs} s at {indexed} cases");
            break;
        }
    }
    index.commit(Some("bench")).unwrap();
    let elapsed = start.elapsed();
    println!(
        "indexed {indexed} cases in {:.1} s: {:.0} docs/s; index on disk {:.0} MB ({} docs searchable)",
        elapsed.as_secs_f64(),
        indexed as f64 / elapsed.as_secs_f64(),
        dir_size(&index_dir) as f64 / 1e6,
        index.num_docs()
    );

    let tail_of = |n: usize| docs[n].identifiers[2][7..].to_owned();
    let queries: Vec<(String, String)> = vec![
        ("word 破损 (concept)".into(), "破损".into()),
        ("words 快递三天没更新".into(), "快递三天没更新".into()),
        ("word 改地址 (concept)".into(), "改地址".into()),
        ("partial word 派送".into(), "派送".into()),
        ("two words 玻璃杯 赔偿".into(), "玻璃杯 赔偿".into()),
        ("waybill".into(), waybill(indexed / 2)),
        ("phone tail".into(), tail_of(indexed / 3)),
        ("case number".into(), case_number(indexed - 1)),
    ];
    const SEARCH_RUNS: usize = 200;
    println!("\ntantivy, {SEARCH_RUNS} runs each, top 20 with snippets:");
    for (label, text) in &queries {
        let query = Query::new(text.as_str(), Visibility::All);
        let (p50, p99, found) = time_runs(SEARCH_RUNS, || index.search(&query).unwrap().len());
        println!(
            "  {label:<28} p50 {:>10}  p99 {:>10}  ({found} hits)",
            ms(p50),
            ms(p99)
        );
    }
    let department = Query {
        status: Some("open".into()),
        ..Query::new("破损", Visibility::Department("d-3".into()))
    };
    let (p50, p99, found) = time_runs(SEARCH_RUNS, || index.search(&department).unwrap().len());
    println!(
        "  {:<28} p50 {:>10}  p99 {:>10}  ({found} hits)",
        "破损, department d-3, open",
        ms(p50),
        ms(p99)
    );
    drop(index);

    // --- SQLite LIKE over the same texts ---
    let db_path = temp.path().join("cases.sqlite");
    let db = rusqlite::Connection::open(&db_path).unwrap();
    // Loading speed is not what is compared; the scans below are.
    db.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE TABLE cases (id TEXT PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL);",
    )
    .unwrap();
    let start = Instant::now();
    db.execute_batch("BEGIN").unwrap();
    {
        let mut insert = db
            .prepare("INSERT INTO cases (id, title, body) VALUES (?1, ?2, ?3)")
            .unwrap();
        for doc in &docs[..indexed] {
            insert.execute((&doc.id, &doc.title, &doc.body)).unwrap();
        }
    }
    db.execute_batch("COMMIT").unwrap();
    let elapsed = start.elapsed();
    println!(
        "\nSQLite: loaded {indexed} rows in {:.1} s ({:.0} rows/s), file {:.0} MB",
        elapsed.as_secs_f64(),
        indexed as f64 / elapsed.as_secs_f64(),
        std::fs::metadata(&db_path).unwrap().len() as f64 / 1e6
    );
    const LIKE_RUNS: usize = 10;
    println!("SQLite LIKE, {LIKE_RUNS} runs each (first 20 rows / count of all matches):");
    let mut first_20 = db
        .prepare("SELECT id, title FROM cases WHERE id LIKE ?1 OR title LIKE ?1 OR body LIKE ?1 LIMIT 20")
        .unwrap();
    let mut count_all = db
        .prepare("SELECT count(*) FROM cases WHERE id LIKE ?1 OR title LIKE ?1 OR body LIKE ?1")
        .unwrap();
    for (label, text) in &queries {
        // several words: each in order, as a LIKE can express it
        let pattern = format!("%{}%", text.replace(' ', "%"));
        let (p50, p99, rows) = time_runs(LIKE_RUNS, || {
            first_20
                .query_map([&pattern], |row| row.get::<_, String>(0))
                .unwrap()
                .count()
        });
        let (c50, c99, total) = time_runs(LIKE_RUNS, || {
            count_all
                .query_row([&pattern], |row| row.get::<_, i64>(0))
                .unwrap() as usize
        });
        println!(
            "  {label:<28} LIMIT 20: p50 {:>10} p99 {:>10} ({rows} rows) | count: p50 {:>10} p99 {:>10} ({total} matches)",
            ms(p50),
            ms(p99),
            ms(c50),
            ms(c99)
        );
    }
}
