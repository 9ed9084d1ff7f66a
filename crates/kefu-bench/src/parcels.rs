//! `kefu-bench-parcels`: the parcel features under load, without HTTP.
//!
//! 1. Waybill recognition, one thread: `Recognizer::recognize` over a mixed corpus (own format,
//!    Chinese carriers, UPS, UPU S10, FedEx, DHL, garbage; some typed with spaces, dashes or in
//!    lower case), and `find_numbers` over Chinese customer messages.
//! 2. Tracking queries against a large store: N shipments (default 1,000,000, each with 2–5
//!    scans) loaded through `Desk::import_shipments` in batches, generated as they are written
//!    so memory stays bounded; then the latency of `Desk::tracking_query` by waybill number,
//!    by phone alone (each phone is on a handful of shipments), and for numbers not stored.
//!
//! The store is a fresh SQLite database in a temp dir (`--data-dir` to keep it elsewhere), or
//! PostgreSQL with `--database-url` (give it an empty database or schema).
//!
//! This is an operator tool, not a test and not domain code.

use kefu_bench::{Lcg, percentile, proc_status};
use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use jiff::{SignedDuration, Timestamp};
use kefu_desk::{Desk, Store};
use kefu_model::parcels::{ImportRow, TrackingQuery};
use kefu_model::shipment::{PartyDraft, ScanDraft, ShipmentDraft};
use kefu_model::tracking::Outcome;
use kefu_model::waybill::{Recognizer, find_numbers, luhn_digit};
use kefu_model::{Actor, Clock, DomainError, Role, SystemClock, UserId};

#[derive(Debug, Parser)]
#[command(
    name = "kefu-bench-parcels",
    about = "Waybill recognition and tracking queries over a large shipment store"
)]
struct Args {
    /// Shipments to store before the tracking queries.
    #[arg(long, value_name = "N", default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u64).range(10..=100_000_000))]
    count: u64,

    /// Rows per `import_shipments` call (the CLI import writes 1,000).
    #[arg(long, value_name = "N", default_value_t = 1_000,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    batch: u64,

    /// Batches written at the same time (the CLI import writes one at a time).
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..=64))]
    load_tasks: u64,

    /// Tracking queries per kind (by number, by phone); a quarter as many for unknown numbers.
    #[arg(long, value_name = "N", default_value_t = 20_000,
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    queries: u64,

    /// Size of the recognition corpus.
    #[arg(long, value_name = "N", default_value_t = 100_000,
          value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    numbers: u64,

    /// Customer messages for `find_numbers`.
    #[arg(long, value_name = "N", default_value_t = 20_000,
          value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    messages: u64,

    /// PostgreSQL (`postgres://…`, an empty database or schema) instead of a fresh SQLite file.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,

    /// Keep the SQLite database in this directory (default: a temp dir, removed at the end).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Query a store loaded by an earlier run with the same --count instead of loading.
    #[arg(long)]
    skip_load: bool,

    /// Parts to run, comma-separated.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "recognize,store"
    )]
    phases: Vec<Phase>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Phase {
    Recognize,
    Store,
}

/// A mix of 64-bit values that spreads consecutive inputs (splitmix64's finaliser).
fn scramble(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn digit_values(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

// ---- 1. recognition -------------------------------------------------------------------------

/// The own format's numbers: `YL` + 12 digits + their Luhn digit.
fn own_waybill(serial: u64) -> String {
    let body = format!("{:012}", serial % 1_000_000_000_000);
    format!("YL{body}{}", luhn_digit(&digit_values(&body)))
}

fn ups_number(rng: &mut Lcg) -> String {
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let shipper: String = (0..6)
        .map(|_| char::from(ALNUM[rng.below(ALNUM.len() as u64) as usize]))
        .collect();
    let payload = format!("{shipper}{}{}", rng.digits(2), rng.digits(7));
    let sum: u32 = payload
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let v = if c.is_ascii_digit() {
                u32::from(c - b'0')
            } else {
                (u32::from(c) - 3) % 10
            };
            if i % 2 == 1 { v * 2 } else { v }
        })
        .sum();
    format!("1Z{payload}{}", (10 - sum % 10) % 10)
}

fn s10_number(rng: &mut Lcg, country: &str) -> String {
    let serial = rng.digits(8);
    let w = [8, 6, 4, 2, 3, 5, 9, 7];
    let sum: u32 = digit_values(&serial)
        .iter()
        .zip(w)
        .map(|(d, w)| d * w)
        .sum();
    let check = match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        c => c,
    };
    let service = rng.pick(&["RB", "EE", "CP", "LX", "RR", "EA"]);
    format!("{service}{serial}{check}{country}")
}

fn fedex12(rng: &mut Lcg) -> String {
    let body = rng.digits(11);
    let w = [3, 1, 7];
    let sum: u32 = digit_values(&body)
        .iter()
        .enumerate()
        .map(|(i, d)| d * w[i % 3])
        .sum();
    format!("{body}{}", sum % 11 % 10)
}

fn fedex15(rng: &mut Lcg) -> String {
    // FedEx Ground numbers here start with 9, so they do not also fit 韵达's 3/4 leads.
    let body = format!("9{}", rng.digits(13));
    let sum: u32 = digit_values(&body)
        .iter()
        .enumerate()
        .map(|(i, d)| if i % 2 == 1 { d * 3 } else { *d })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn dhl10(rng: &mut Lcg) -> String {
    let body = format!("{}{}", 1 + rng.below(9), rng.digits(8));
    let n: u64 = body.parse().unwrap_or(0);
    format!("{body}{}", n % 7)
}

/// How a customer might type `number`: as is (most), lower case, or in groups with spaces/dashes.
fn as_typed(rng: &mut Lcg, number: String) -> String {
    match rng.below(10) {
        0 => number.to_ascii_lowercase(),
        1 => {
            let chars: Vec<char> = number.chars().collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join(" ")
        }
        2 => {
            let chars: Vec<char> = number.chars().collect();
            chars
                .chunks(5)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        }
        _ => number,
    }
}

/// One kind of number in the corpus: its name, the carrier its best candidate should be
/// (`None`: nothing at confidence ≥ 0.3), and a generator.
type Maker = fn(&mut Lcg) -> String;

const KINDS: &[(&str, Option<&str>, Maker)] = &[
    ("own YL+13 (Luhn)", Some("ours"), |r| {
        own_waybill(r.next() * 7 + r.below(1_000_000))
    }),
    ("SF SF+13", Some("sf"), |r| format!("SF{}", r.digits(13))),
    ("JD JDX/JDK+12", Some("jd"), |r| {
        format!("{}{}", r.pick(&["JDX", "JDK"]), r.digits(12))
    }),
    ("ZTO 14 (73–78)", Some("zto"), |r| {
        format!("{}{}", r.pick(&["73", "75", "78"]), r.digits(12))
    }),
    ("YTO YT+13", Some("yto"), |r| format!("YT{}", r.digits(13))),
    ("STO 14 (77)", Some("sto"), |r| {
        format!("77{}", r.digits(12))
    }),
    ("Yunda 15 (3/4)", Some("yunda"), |r| {
        format!("{}{}", r.pick(&["3", "4"]), r.digits(14))
    }),
    ("J&T JT+13", Some("jt"), |r| format!("JT{}", r.digits(13))),
    ("EMS 13 (98/11/50…)", Some("ems"), |r| {
        format!("{}{}", r.pick(&["98", "11", "50", "10"]), r.digits(11))
    }),
    ("Deppon DPK+12", Some("deppon"), |r| {
        format!("DPK{}", r.digits(12))
    }),
    ("UPS 1Z", Some("ups"), ups_number),
    ("UPU S10 (GB/US/DE)", Some("upu_s10"), |r| {
        let country = r.pick(&["GB", "US", "DE", "JP"]);
        s10_number(r, country)
    }),
    ("UPU S10 (CN)", Some("ems"), |r| s10_number(r, "CN")),
    ("FedEx 12", Some("fedex"), fedex12),
    ("FedEx 15 (9…)", Some("fedex"), fedex15),
    ("DHL 10 (mod 7)", Some("dhl"), dhl10),
    ("garbage", None, |r| match r.below(8) {
        0 => r.digits(6),
        1 => r.letters(12),
        2 => format!("ORDER{}", r.digits(5)),
        3 => format!("{}{}", r.letters(3), r.digits(4)),
        4 => r.digits(20),
        5 => "您好请问我的快递".to_string(),
        6 => format!("1Z{}", r.digits(10)),
        _ => format!("YL{}", r.digits(8)),
    }),
];

fn bench_recognition(n_numbers: u64, n_messages: u64) {
    let recognizer = Recognizer::default();
    let mut rng = Lcg(42);
    let per_kind = (n_numbers as usize).div_ceil(KINDS.len()).max(1);
    let corpus: Vec<Vec<String>> = KINDS
        .iter()
        .map(|(_, _, make)| {
            (0..per_kind)
                .map(|_| {
                    let n = make(&mut rng);
                    as_typed(&mut rng, n)
                })
                .collect()
        })
        .collect();
    let total = per_kind * KINDS.len();
    println!(
        "recognize: {total} numbers ({per_kind} of each of {} kinds; 10 % typed in lower case, 20 % with spaces or dashes), one thread",
        KINDS.len()
    );
    // Warm-up: caches, branch predictors, the allocator.
    for numbers in &corpus {
        for n in numbers.iter().take(1000) {
            black_box(recognizer.recognize(n));
        }
    }
    let mut secs_total = 0.0;
    println!(
        "  {:<22} {:>12} {:>9} {:>10}",
        "kind", "ops/s", "µs/op", "best ok"
    );
    for ((name, expected, _), numbers) in KINDS.iter().zip(&corpus) {
        let started = Instant::now();
        let mut right = 0usize;
        for n in numbers {
            let r = black_box(recognizer.recognize(black_box(n)));
            let best = r
                .candidates
                .first()
                .filter(|c| c.confidence >= 0.3)
                .map(|c| c.carrier);
            right += usize::from(best == *expected);
        }
        let secs = started.elapsed().as_secs_f64();
        secs_total += secs;
        println!(
            "  {name:<22} {:>12.0} {:>9.3} {:>9.1}%",
            numbers.len() as f64 / secs,
            secs * 1e6 / numbers.len() as f64,
            100.0 * right as f64 / numbers.len() as f64
        );
    }
    println!(
        "  {:<22} {:>12.0} {:>9.3}",
        "all",
        total as f64 / secs_total,
        secs_total * 1e6 / total as f64
    );

    // find_numbers over customer messages.
    let messages: Vec<String> = (0..n_messages).map(|_| message(&mut rng)).collect();
    let chars: usize = messages.iter().map(|m| m.chars().count()).sum();
    for m in messages.iter().take(1000) {
        black_box(find_numbers(&recognizer, m));
    }
    let started = Instant::now();
    let (mut waybills, mut mobiles) = (0usize, 0usize);
    for m in &messages {
        for f in black_box(find_numbers(&recognizer, black_box(m))) {
            if f.kind == "mobile" {
                mobiles += 1;
            } else {
                waybills += 1;
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "find_numbers: {} messages (avg {:.0} characters), one thread: {:.0} messages/s, {:.2} µs/message, {:.1} M chars/s; found {waybills} waybills and {mobiles} mobiles",
        messages.len(),
        chars as f64 / messages.len().max(1) as f64,
        messages.len() as f64 / secs,
        secs * 1e6 / messages.len().max(1) as f64,
        chars as f64 / secs / 1e6
    );
}

/// A customer message, as typed into chat or e-mail: most name a waybill or a phone, some
/// both or several, some only other numbers (order numbers, amounts, pickup codes).
fn message(rng: &mut Lcg) -> String {
    let own = own_waybill(rng.next());
    let own2 = own_waybill(rng.next());
    let phone = format!("1{}{}", rng.pick(&["3", "5", "7", "8", "9"]), rng.digits(9));
    let sf = format!("SF{}", rng.digits(13));
    let jd = format!("JDX{}", rng.digits(12));
    let zto = format!("75{}", rng.digits(12));
    let ups = ups_number(rng);
    match rng.below(12) {
        0 => format!("你好，我的快递单号是{own}，已经三天没有更新了，麻烦帮我查一下。"),
        1 => format!("{sf}这个顺丰的件到哪了？收件人电话{phone}"),
        2 => format!(
            "您好，我在11月20号寄了一个包裹到北京市朝阳区，单号 {own}，对方说还没收到，我的手机号是{phone}。"
        ),
        3 => format!("快递显示已签收但我没收到！！！单号：{own}  联系电话：{phone}"),
        4 => format!("请问为什么我的件一直在转运中心不动？{zto}"),
        5 => format!("我要投诉，派送员态度很差，运单{own}，订单号20261120153045123，金额¥128.50"),
        6 => "在吗？人工客服".to_string(),
        7 => {
            format!("能不能改一下收货地址，改成上海市浦东新区世纪大道100号，电话{phone}，单号{own}")
        }
        8 => format!("我有三个包裹：{own}、{own2}、{jd}，都显示运输中，什么时候能到？"),
        9 => format!("How long does shipping to Beijing take? My tracking number is {ups}, thanks"),
        10 => format!(
            "你好，我上周五从深圳南山寄了一箱茶叶到杭州西湖区，当时快递员说两天就能到，结果今天已经是第五天了，查物流一直显示在转运中心，打电话给网点也没人接，客户那边一直在催，我这边真的很着急，单号是{own}，寄件人电话{phone}，麻烦尽快给个答复，谢谢！"
        ),
        _ => format!(
            "取件码 3-2-{}，驿站说没有我的包裹，验证码{}",
            rng.digits(4),
            rng.digits(6)
        ),
    }
}

// ---- 2. tracking queries over a large store -------------------------------------------------

const SENDER_ADDRESSES: &[&str] = &[
    "广东省深圳市南山区科技园科苑路15号",
    "广东省广州市天河区天河路385号",
    "浙江省杭州市西湖区文三路478号",
    "浙江省义乌市稠城街道工人北路1号",
    "江苏省苏州市工业园区星湖街328号",
    "福建省厦门市思明区鹭江道8号",
    "上海市浦东新区世纪大道100号",
    "山东省青岛市市南区香港中路10号",
];

const RECIPIENT_ADDRESSES: &[&str] = &[
    "北京市朝阳区建国路88号SOHO现代城",
    "四川省成都市武侯区人民南路四段12号",
    "湖北省武汉市洪山区珞喻路1037号",
    "河南省郑州市金水区花园路39号",
    "陕西省西安市雁塔区长安南路88号",
    "重庆市渝中区解放碑民权路28号",
    "天津市和平区南京路189号",
    "湖南省长沙市岳麓区麓山南路2号",
    "辽宁省沈阳市和平区南京北街206号",
    "云南省昆明市五华区东风西路11号",
    "广西壮族自治区南宁市青秀区民族大道136号",
    "新疆维吾尔自治区乌鲁木齐市天山区解放北路90号",
];

const NAMES: &[&str] = &[
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄强",
    "周杰",
    "吴霞",
    "徐丽",
    "孙浩",
    "马超",
    "朱琳",
    "胡军",
    "欧阳娜娜",
];

const ITEMS: &[&str] = &[
    "衣服",
    "手机",
    "书籍",
    "茶叶",
    "化妆品",
    "零食",
    "电脑配件",
    "鞋子",
    "文件",
    "玩具",
];

/// First serial of the stored own-format numbers.
const SERIAL_BASE: u64 = 100_000_000_000;
/// Shipments per recipient phone and per sender phone (recipients 139…, senders 138…).
const PER_RECIPIENT_PHONE: u64 = 4;
const PER_SENDER_PHONE: u64 = 5;

/// How shipment `i` of `n` is made: a permutation spreads each phone's shipments over the load.
struct Plan {
    n: u64,
    recipient_mul: u64,
    sender_mul: u64,
    now: Timestamp,
    /// Parsed once: the numeric fields of a few templates, reused by every row.
    templates: Vec<ShipmentDraft>,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn coprime_from(start: u64, n: u64) -> u64 {
    (start..).find(|m| gcd(*m, n) == 1).unwrap_or(1)
}

impl Plan {
    fn new(n: u64, now: Timestamp) -> Result<Plan, String> {
        let templates = [
            r#"{"weight_kg": 0.5, "freight": 12}"#,
            r#"{"weight_kg": 1.2, "dimensions_cm": [30, 20, 10], "declared_value": 300, "insured": true, "freight": 18}"#,
            r#"{"weight_kg": 3.75, "pieces": 2, "freight": 26.5}"#,
            r#"{"weight_kg": 12, "dimensions_cm": [60, 40, 40], "declared_value": 2000, "insured": true, "freight": 58}"#,
        ]
        .iter()
        .map(|extra| {
            let mut v: serde_json::Value = serde_json::json!({
                "waybill_no": "YL0000000000000",
                "sender": {"name": "-", "phone": "13800000000", "address": "-"},
                "recipient": {"name": "-", "phone": "13900000000", "address": "-"},
                "item": "-",
                "weight_kg": 1,
                "shipped_at": "2026-01-01T00:00:00Z"
            });
            let extra: serde_json::Value =
                serde_json::from_str(extra).map_err(|e| e.to_string())?;
            if let (Some(base), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
                for (k, val) in extra {
                    base.insert(k.clone(), val.clone());
                }
            }
            serde_json::from_value::<ShipmentDraft>(v).map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, String>>()?;
        Ok(Plan {
            n,
            recipient_mul: coprime_from(7_919, n),
            sender_mul: coprime_from(104_729, n),
            now,
            templates,
        })
    }

    fn waybill(&self, i: u64) -> String {
        own_waybill(SERIAL_BASE + i)
    }

    fn recipient_phone_of(&self, i: u64) -> String {
        format!(
            "139{:08}",
            (i.wrapping_mul(self.recipient_mul) % self.n) / PER_RECIPIENT_PHONE
        )
    }

    fn sender_phone_of(&self, i: u64) -> String {
        format!(
            "138{:08}",
            (i.wrapping_mul(self.sender_mul) % self.n) / PER_SENDER_PHONE
        )
    }

    fn row(&self, i: u64) -> ImportRow {
        let h = scramble(i);
        let mut d = self.templates[(h % self.templates.len() as u64) as usize].clone();
        let pick = |items: &[&str], salt: u64| {
            items[(scramble(h ^ salt) % items.len() as u64) as usize].to_string()
        };
        d.waybill_no = self.waybill(i);
        d.sender = PartyDraft {
            name: pick(NAMES, 1),
            phone: self.sender_phone_of(i),
            address: pick(SENDER_ADDRESSES, 2),
        };
        d.recipient = PartyDraft {
            name: pick(NAMES, 3),
            phone: self.recipient_phone_of(i),
            address: pick(RECIPIENT_ADDRESSES, 4),
        };
        d.item = pick(ITEMS, 5);
        // Shipped 3 to 300 days ago; every scan is at most 44 h after shipping, so in the past.
        let age_min = 3 * 1440 + (scramble(h ^ 6) % (297 * 1440));
        let shipped = self
            .now
            .checked_sub(SignedDuration::from_mins(age_min as i64))
            .unwrap_or(self.now);
        d.shipped_at = shipped;
        d.promised_at = shipped.checked_add(SignedDuration::from_hours(72)).ok();
        let from = d.sender.address.chars().skip(3).take(2).collect::<String>();
        let to = d
            .recipient
            .address
            .chars()
            .take(2)
            .collect::<String>()
            .replace('省', "");
        let journey: [(i64, &str, String, &str); 5] = [
            (1, "picked_up", format!("{from}揽投部"), "快递员已揽收"),
            (8, "in_transit", format!("{from}转运中心"), "已发往下一站"),
            (20, "at_hub", format!("{to}转运中心"), "到达转运中心"),
            (
                40,
                "out_for_delivery",
                format!("{to}营业部"),
                "快递员正在派送",
            ),
            (
                44,
                "delivered",
                format!("{to}营业部"),
                "已签收，签收人：本人",
            ),
        ];
        let scans = 2 + (h >> 8) as usize % 4;
        d.events = journey
            .into_iter()
            .take(scans)
            .map(|(hours, code, location, description)| ScanDraft {
                at: shipped
                    .checked_add(SignedDuration::from_hours(hours))
                    .unwrap_or(shipped),
                code: code.to_string(),
                location,
                outlet: String::new(),
                description: description.to_string(),
            })
            .collect();
        if (h >> 16).is_multiple_of(40) {
            d.events.push(ScanDraft {
                at: shipped
                    .checked_add(SignedDuration::from_hours(50))
                    .unwrap_or(shipped),
                code: "exception".into(),
                location: format!("{to}转运中心"),
                outlet: String::new(),
                description: "因天气原因滞留，预计延迟1-2天".into(),
            });
        }
        ImportRow::Shipment(Box::new(d))
    }
}

/// The account imports run as (like `kefu shipments import`): an admin known only by name.
fn importer() -> Actor {
    Actor {
        user_id: UserId::from_stored("import".into()),
        username: "import".into(),
        role: Role::Admin,
        department_id: None,
    }
}

async fn load(desk: &Desk, plan: &Arc<Plan>, args: &Args) -> Result<(), String> {
    let n = args.count;
    let batch = args.batch;
    let tasks = args.load_tasks;
    let batches = n.div_ceil(batch);
    let started = Instant::now();
    let written = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut handles = Vec::new();
    for t in 0..tasks {
        let (desk, plan, written) = (desk.clone(), plan.clone(), written.clone());
        handles.push(tokio::spawn(async move {
            let actor = importer();
            let mut in_calls = Duration::ZERO;
            let mut b = t;
            let mut last_report = Instant::now();
            while b < batches {
                let rows: Vec<ImportRow> = (b * batch..((b + 1) * batch).min(n))
                    .map(|i| plan.row(i))
                    .collect();
                let len = rows.len() as u64;
                let call = Instant::now();
                let errors = desk
                    .import_shipments(&actor, rows)
                    .await
                    .map_err(|e| format!("import failed: {e}"))?;
                in_calls += call.elapsed();
                if let Some(e) = errors.into_iter().flatten().next() {
                    return Err(format!("row rejected: {e}"));
                }
                let done = written.fetch_add(len, std::sync::atomic::Ordering::Relaxed) + len;
                if t == 0 && last_report.elapsed() >= Duration::from_secs(10) {
                    last_report = Instant::now();
                    let secs = started.elapsed().as_secs_f64();
                    eprintln!(
                        "  … {done} rows in {secs:.0} s ({:.0} rows/s), RSS {}",
                        done as f64 / secs,
                        proc_status("VmRSS:")
                    );
                }
                b += tasks;
            }
            Ok::<Duration, String>(in_calls)
        }));
    }
    let mut in_calls = Duration::ZERO;
    for h in handles {
        in_calls += h.await.map_err(|e| e.to_string())??;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "load: {n} shipments through import_shipments in batches of {batch} ({tasks} at a time): {secs:.1} s, {:.0} rows/s (time inside import_shipments: {:.1} s; generation is the rest)",
        n as f64 / secs,
        in_calls.as_secs_f64() / tasks as f64
    );
    Ok(())
}

struct Latencies {
    name: String,
    ms: Vec<f64>,
    secs: f64,
}

impl Latencies {
    fn print(mut self, note: &str) {
        self.ms.sort_by(f64::total_cmp);
        println!(
            "  {:<32} {:>7} {:>9.0} {:>8.3} {:>8.3} {:>8.3} {:>8.2}   {note}",
            self.name,
            self.ms.len(),
            self.ms.len() as f64 / self.secs,
            percentile(&self.ms, 0.50),
            percentile(&self.ms, 0.95),
            percentile(&self.ms, 0.99),
            self.ms.last().copied().unwrap_or(f64::NAN),
        );
    }
}

async fn timed<F, Fut, T>(name: &str, n: u64, mut op: F) -> Result<(Latencies, Vec<T>), String>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<T, DomainError>>,
{
    let mut ms = Vec::with_capacity(n as usize);
    let mut out = Vec::with_capacity(n as usize);
    let started = Instant::now();
    for k in 0..n {
        let t = Instant::now();
        let r = op(k).await.map_err(|e| format!("{name}: {e}"))?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        out.push(r);
    }
    Ok((
        Latencies {
            name: name.to_string(),
            ms,
            secs: started.elapsed().as_secs_f64(),
        },
        out,
    ))
}

async fn bench_store(args: &Args) -> Result<(), String> {
    let (store, dir, temporary): (Arc<dyn Store>, Option<PathBuf>, bool) = match &args.database_url
    {
        Some(url) => {
            let settings = kefu::config::Settings::merge(
                kefu::config::FileSettings::default(),
                kefu::config::FileSettings {
                    database_url: Some(url.clone()),
                    channel_workers: Some(false),
                    ..kefu::config::FileSettings::default()
                },
            );
            (kefu::config::open_store(&settings).await?, None, false)
        }
        None => {
            let (dir, temporary) = match &args.data_dir {
                Some(d) => (d.clone(), false),
                None => (
                    std::env::temp_dir().join(format!("kefu-bench-parcels-{}", std::process::id())),
                    true,
                ),
            };
            if temporary {
                let _ = std::fs::remove_dir_all(&dir);
            }
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let store = kefu_store_sqlite::open(&dir.join("kefu.db"))
                .await
                .map_err(|e| format!("cannot open the store: {e}"))?;
            (Arc::new(store), Some(dir), temporary)
        }
    };
    let outcome = run_store(store, dir.as_deref(), args).await;
    if let (Some(dir), true) = (&dir, temporary) {
        let _ = std::fs::remove_dir_all(dir);
    }
    outcome
}

async fn run_store(
    store: Arc<dyn Store>,
    dir: Option<&std::path::Path>,
    args: &Args,
) -> Result<(), String> {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    let desk = Desk::new(store.clone(), Arc::new(SystemClock)).with_time_zone(tz);
    let n = args.count;
    let plan = Arc::new(Plan::new(n, SystemClock.now())?);
    println!(
        "store: {}",
        match (&args.database_url, dir) {
            (Some(_), _) => "PostgreSQL (--database-url)".to_string(),
            (None, Some(d)) => format!("SQLite at {}", d.join("kefu.db").display()),
            (None, None) => "?".to_string(),
        }
    );
    if args.skip_load {
        if store
            .shipment(&plan.waybill(n - 1))
            .await
            .map_err(|e| e.to_string())?
            .is_none()
        {
            return Err(format!(
                "--skip-load: shipment {} is not stored; load with the same --count first",
                plan.waybill(n - 1)
            ));
        }
    } else {
        if !store.is_empty().await.map_err(|e| e.to_string())? {
            return Err("the store is not empty; give an empty database (or --skip-load)".into());
        }
        load(&desk, &plan, args).await?;
    }
    if let Some(dir) = dir {
        println!(
            "  database on disk (with WAL): {:.0} MiB; process RSS {} (peak {})",
            kefu_bench::dir_bytes(dir) as f64 / 1_048_576.0,
            proc_status("VmRSS:"),
            proc_status("VmHWM:")
        );
    }

    let actor = importer();
    let q = args.queries;
    let mut rng = Lcg(7);
    println!("tracking queries, one at a time ({q} per kind; numbers and phones drawn at random):");
    println!(
        "  {:<32} {:>7} {:>9} {:>8} {:>8} {:>8} {:>8}",
        "query", "n", "q/s", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    // Warm-up: the settings and the SLA cache, the statement caches, reader connections.
    for _ in 0..200 {
        let i = rng.below(n);
        let query = TrackingQuery {
            waybill_no: Some(plan.waybill(i)),
            ..TrackingQuery::default()
        };
        desk.tracking_query(&actor, query)
            .await
            .map_err(|e| e.to_string())?;
    }

    let picks: Vec<u64> = (0..q).map(|_| rng.below(n)).collect();
    let (desk, actor, plan, picks, store) = (&desk, &actor, &*plan, &picks, &store);
    let (lat, outcomes) = timed("by waybill number", q, move |k| {
        let query = TrackingQuery {
            waybill_no: Some(plan.waybill(picks[k as usize])),
            ..TrackingQuery::default()
        };
        async move {
            desk.tracking_query(actor, query)
                .await
                .map(|a| (a.outcome, a.shipment.is_some()))
        }
    })
    .await?;
    let found = outcomes.iter().filter(|(_, s)| *s).count();
    let delayed = outcomes
        .iter()
        .filter(|(o, _)| *o == Outcome::Delay)
        .count();
    lat.print(&format!(
        "{found} found ({delayed} of them delay, the rest with_result/no_result)"
    ));

    let (lat, _) = timed("  store.shipment() alone", q, move |k| {
        let no = plan.waybill(picks[k as usize]);
        async move { Ok::<_, DomainError>(store.shipment(&no).await?.is_some()) }
    })
    .await?;
    lat.print("the lookup without the desk (reference)");

    let phones: Vec<String> = (0..q)
        .map(|k| {
            let i = rng.below(n);
            if k % 2 == 0 {
                plan.recipient_phone_of(i)
            } else {
                plan.sender_phone_of(i)
            }
        })
        .collect();
    let phones = &phones;
    let (lat, counts) = timed("by phone (no number)", q, move |k| {
        let query = TrackingQuery {
            phone: Some(phones[k as usize].clone()),
            ..TrackingQuery::default()
        };
        async move {
            desk.tracking_query(actor, query)
                .await
                .map(|a| (a.outcome, a.matches.len()))
        }
    })
    .await?;
    let by_facts = counts
        .iter()
        .filter(|(o, _)| *o == Outcome::FoundByFacts)
        .count();
    let (min, max) = counts
        .iter()
        .map(|(_, m)| *m)
        .fold((usize::MAX, 0), |(lo, hi), m| (lo.min(m), hi.max(m)));
    let avg = counts.iter().map(|(_, m)| *m).sum::<usize>() as f64 / counts.len().max(1) as f64;
    lat.print(&format!(
        "{by_facts} found_by_facts; {min}–{max} parcels per phone (avg {avg:.1})"
    ));

    let misses = (q / 4).max(1);
    let (lat, outcomes) = timed("unknown own-format number", misses, move |k| {
        let query = TrackingQuery {
            waybill_no: Some(own_waybill(SERIAL_BASE + n + 1 + k * 13)),
            ..TrackingQuery::default()
        };
        async move { desk.tracking_query(actor, query).await.map(|a| a.outcome) }
    })
    .await?;
    let not_found = outcomes.iter().filter(|o| **o == Outcome::NotFound).count();
    lat.print(&format!("{not_found} not_found"));
    println!(
        "  process RSS after the queries {} (peak {})",
        proc_status("VmRSS:"),
        proc_status("VmHWM:")
    );
    Ok(())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    if args.phases.contains(&Phase::Recognize) {
        bench_recognition(args.numbers, args.messages);
    }
    if args.phases.contains(&Phase::Store)
        && let Err(e) = bench_store(&args).await
    {
        eprintln!("kefu-bench-parcels: error: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
