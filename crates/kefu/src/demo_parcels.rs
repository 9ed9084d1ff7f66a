//! The parcel side of the demo: a shipment with realistic scans for every waybill the demo cases
//! name (consistent with each case's story), about two thousand more over the last 60 days and a
//! few older than a year, so every tracking outcome can be tried; outlets with couriers; pickups
//! in every status; and claims at every step. Deterministic: a seeded random generator.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use kefu_desk::Desk;
use kefu_model::claim::ClaimKind;
use kefu_model::drafts::UserDraft;
use kefu_model::parcels::{ClaimDraft, ClaimStep, ImportRow, PickupDraft, PickupStatusChange};
use kefu_model::pickup::PickupStatus;
use kefu_model::records::CaseQuery;
use kefu_model::shipment::{PartyDraft, ScanDraft, ShipmentDraft};
use kefu_model::tracking::Outcome;
use kefu_model::waybill::luhn_digit;
use kefu_model::{Actor, Case, Category, DomainError, Role, Status, UserId};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const SEED: u64 = 0x4b45_4655_2026_0004;

/// A place with a full address the division parser resolves to a district.
struct Place {
    address: &'static str,
    hub: &'static str,
    outlet: &'static str,
}

const PLACES: &[Place] = &[
    Place {
        address: "广东省深圳市南山区科技园科苑路15号",
        hub: "深圳转运中心",
        outlet: "深圳南山网点",
    },
    Place {
        address: "广东省深圳市福田区深南大道6008号",
        hub: "深圳转运中心",
        outlet: "深圳福田网点",
    },
    Place {
        address: "北京市朝阳区建国路88号SOHO现代城",
        hub: "北京转运中心",
        outlet: "北京朝阳网点",
    },
    Place {
        address: "北京市海淀区中关村大街27号",
        hub: "北京转运中心",
        outlet: "北京海淀网点",
    },
    Place {
        address: "上海市浦东新区世纪大道100号",
        hub: "上海转运中心",
        outlet: "上海浦东网点",
    },
    Place {
        address: "上海市徐汇区漕溪北路398号",
        hub: "上海转运中心",
        outlet: "上海徐汇网点",
    },
    Place {
        address: "浙江省杭州市西湖区文三路90号",
        hub: "杭州转运中心",
        outlet: "杭州西湖网点",
    },
    Place {
        address: "广东省广州市天河区天河路385号",
        hub: "广州转运中心",
        outlet: "广州天河网点",
    },
    Place {
        address: "四川省成都市武侯区人民南路四段11号",
        hub: "成都转运中心",
        outlet: "成都武侯网点",
    },
    Place {
        address: "湖北省武汉市洪山区珞喻路1037号",
        hub: "武汉转运中心",
        outlet: "武汉洪山网点",
    },
    Place {
        address: "江苏省南京市鼓楼区中山路321号",
        hub: "南京转运中心",
        outlet: "南京鼓楼网点",
    },
    Place {
        address: "陕西省西安市雁塔区长安南路88号",
        hub: "西安转运中心",
        outlet: "西安雁塔网点",
    },
    Place {
        address: "新疆维吾尔自治区乌鲁木齐市天山区解放北路10号",
        hub: "乌鲁木齐转运中心",
        outlet: "乌鲁木齐天山网点",
    },
];

/// (courier id, name)
type Courier = (&'static str, &'static str);

/// (outlet key, name, district code, couriers)
const OUTLETS: &[(&str, &str, &str, &[Courier])] = &[
    (
        "sz-nanshan",
        "深圳南山网点",
        "440305",
        &[("c-sz-01", "陈建国"), ("c-sz-02", "刘洋")],
    ),
    (
        "sz-futian",
        "深圳福田网点",
        "440304",
        &[("c-sz-03", "黄伟"), ("c-sz-04", "周强")],
    ),
    (
        "bj-chaoyang",
        "北京朝阳网点",
        "110105",
        &[
            ("c-bj-01", "王磊"),
            ("c-bj-02", "赵鹏"),
            ("c-bj-03", "孙浩"),
        ],
    ),
    (
        "bj-haidian",
        "北京海淀网点",
        "110108",
        &[("c-bj-04", "李刚"), ("c-bj-05", "吴军")],
    ),
    (
        "sh-pudong",
        "上海浦东网点",
        "310115",
        &[("c-sh-01", "张勇"), ("c-sh-02", "徐明")],
    ),
    (
        "hz-xihu",
        "杭州西湖网点",
        "330106",
        &[("c-hz-01", "郑涛"), ("c-hz-02", "何斌")],
    ),
    (
        "gz-tianhe",
        "广州天河网点",
        "440106",
        &[("c-gz-01", "梁志"), ("c-gz-02", "罗杰")],
    ),
    (
        "cd-wuhou",
        "成都武侯网点",
        "510107",
        &[("c-cd-01", "唐亮"), ("c-cd-02", "冯超")],
    ),
];

const ITEMS: &[&str] = &[
    "衣服",
    "鞋子",
    "手机壳",
    "书籍",
    "化妆品",
    "茶叶",
    "零食",
    "文件",
    "玩具",
    "家居用品",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军",
];
const EXCEPTIONS: &[&str] = &[
    "受天气原因影响，航班延误",
    "收件人电话无人接听，待再次派送",
    "地址不详，联系收件人确认中",
    "转运中心积压，延迟发出",
];

/// What the demo's parcel side holds, with sample numbers to try.
pub struct ParcelSummary {
    pub shipments: usize,
    pub outlets: usize,
    /// The network's logins: outlet managers and couriers.
    pub network_logins: Vec<crate::demo_network::DemoLogin>,
    pub pickups: usize,
    pub claims: usize,
    /// (outcome, waybill numbers) to try with `POST /api/v1/tracking/query`.
    pub samples: Vec<(Outcome, Vec<String>)>,
    /// The finance login added for paying claims.
    pub finance_user: String,
}

/// A stable, distinct mobile number per courier id.
fn courier_phone(id: &str) -> String {
    let n = id
        .bytes()
        .fold(0u64, |acc, b| (acc * 131 + u64::from(b)) % 100_000_000);
    format!("135{n:08}")
}

fn own_waybill(rng: &mut StdRng) -> String {
    let body: String = (0..12)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect();
    let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
    format!("YL{body}{}", luhn_digit(&digits))
}

fn mobile(rng: &mut StdRng) -> String {
    format!(
        "1{}{:09}",
        [3, 5, 7, 8, 9][rng.gen_range(0..5)],
        rng.gen_range(0..1_000_000_000u32)
    )
}

fn name(rng: &mut StdRng) -> String {
    format!(
        "{}{}",
        SURNAMES[rng.gen_range(0..SURNAMES.len())],
        GIVEN[rng.gen_range(0..GIVEN.len())]
    )
}

/// The journey a shipment has made by `now`, shaped to give a tracking outcome.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Story {
    Moving,
    Delivered,
    LatePromise,
    Exception,
    Stale,
    NoResult,
    Returned,
    Expired,
}

fn scan(at: Timestamp, code: &str, location: &str, description: &str) -> ScanDraft {
    ScanDraft {
        at,
        code: code.to_string(),
        location: location.to_string(),
        outlet: String::new(),
        description: description.to_string(),
    }
}

fn hours(h: i64) -> SignedDuration {
    SignedDuration::from_hours(h)
}

/// A shipment sent `age_hours` ago following `story`.
fn shipment(
    rng: &mut StdRng,
    now: Timestamp,
    waybill_no: String,
    sender_phone: String,
    recipient_phone: String,
    age_hours: i64,
    story: Story,
) -> ShipmentDraft {
    let from = &PLACES[rng.gen_range(0..PLACES.len())];
    let mut to = &PLACES[rng.gen_range(0..PLACES.len())];
    if to.address == from.address {
        to = &PLACES[(rng.gen_range(1..PLACES.len()) + 1) % PLACES.len()];
    }
    let shipped = now - hours(age_hours);
    let promised = shipped + hours(if story == Story::LatePromise { 40 } else { 72 });
    let mut events = vec![scan(
        shipped + hours(1),
        "picked_up",
        from.outlet,
        "快递员已揽收",
    )];
    let at = |h: i64| shipped + hours(h);
    let journey: &[(i64, &str, &str, &str)] = &[
        (6, "at_hub", from.hub, "已到达"),
        (9, "in_transit", from.hub, "已发往目的地"),
        (30, "at_hub", to.hub, "已到达"),
        (40, "out_for_delivery", to.outlet, "快递员正在派送"),
    ];
    let reached = |limit: i64| journey.iter().filter(move |(h, ..)| *h < limit);
    match story {
        Story::NoResult => {}
        Story::Moving | Story::LatePromise => {
            for (h, code, place, text) in reached(age_hours.min(39)) {
                events.push(scan(at(*h), code, place, &format!("{place} {text}")));
            }
        }
        Story::Stale => {
            // Left the origin hub and went quiet.
            for (h, code, place, text) in reached(10) {
                events.push(scan(at(*h), code, place, &format!("{place} {text}")));
            }
        }
        Story::Exception => {
            for (h, code, place, text) in reached(31) {
                events.push(scan(at(*h), code, place, &format!("{place} {text}")));
            }
            let reason = EXCEPTIONS[rng.gen_range(0..EXCEPTIONS.len())];
            events.push(scan(at(32), "exception", to.hub, reason));
        }
        Story::Delivered | Story::Expired => {
            for (h, code, place, text) in journey {
                events.push(scan(at(*h), code, place, &format!("{place} {text}")));
            }
            events.push(scan(at(44), "delivered", to.outlet, "已签收，本人签收"));
        }
        Story::Returned => {
            for (h, code, place, text) in reached(41) {
                events.push(scan(at(*h), code, place, &format!("{place} {text}")));
            }
            events.push(scan(at(46), "exception", to.outlet, "收件人拒收"));
            events.push(scan(at(70), "returned", from.outlet, "已退回寄件人"));
        }
    }
    events.retain(|e| e.at <= now);
    let insured = rng.gen_bool(0.2);
    let weight = f64::from(rng.gen_range(2..150u32)) / 10.0;
    ShipmentDraft {
        waybill_no,
        carrier: Some("ours".into()),
        product: Some(
            if rng.gen_bool(0.2) {
                "express"
            } else {
                "standard"
            }
            .into(),
        ),
        sender: PartyDraft {
            name: name(rng),
            phone: sender_phone,
            address: from.address.into(),
        },
        recipient: PartyDraft {
            name: name(rng),
            phone: recipient_phone,
            address: to.address.into(),
        },
        item: ITEMS[rng.gen_range(0..ITEMS.len())].into(),
        weight_kg: rust_decimal::Decimal::from_f64_retain(weight)
            .unwrap_or(rust_decimal::Decimal::ONE)
            .round_dp(1),
        dimensions_cm: None,
        pieces: Some(1),
        declared_value: Some(rust_decimal::Decimal::from(rng.gen_range(50..3000u32))),
        insured,
        freight: Some(rust_decimal::Decimal::from(rng.gen_range(10..40u32))),
        shipped_at: shipped,
        promised_at: Some(promised),
        events,
    }
}

/// The story a case's parcel tells, from what the case is about and how it ended: a delay or
/// tracking case that was resolved ends with the parcel delivered.
fn story_for(case: &Case, rng: &mut StdRng) -> (Story, i64) {
    let settled = matches!(case.status, Status::Resolved | Status::Closed);
    match case.category {
        Category::Delay | Category::Track if settled => {
            (Story::Delivered, 72 + rng.gen_range(0..48))
        }
        Category::Delay => {
            let s = [Story::LatePromise, Story::Exception, Story::Stale][rng.gen_range(0..3)];
            (s, 60 + rng.gen_range(0..48))
        }
        Category::Lost => (Story::Delivered, 72 + rng.gen_range(0..72)),
        Category::Damaged | Category::Claim => (Story::Delivered, 60 + rng.gen_range(0..96)),
        Category::Track => (Story::Moving, 12 + rng.gen_range(0..24)),
        _ => (Story::Delivered, 48 + rng.gen_range(0..200)),
    }
}

fn admin_actor() -> Actor {
    Actor {
        user_id: UserId::from_stored("demo".into()),
        username: "demo".into(),
        role: Role::Admin,
        department_id: None,
    }
}

/// Adds the parcel side to a seeded demo. `desk` runs on the real clock (`now`).
pub async fn seed(desk: &Desk, now: Timestamp) -> Result<ParcelSummary, DomainError> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let admin = admin_actor();
    // Every case with its customer's phone.
    let mut cases = Vec::new();
    let mut before = None;
    loop {
        let page = desk
            .store()
            .list_cases(&CaseQuery {
                before: before.clone(),
                limit: 200,
                ..CaseQuery::default()
            })
            .await?;
        cases.extend(page.items);
        match page.next_cursor.and_then(|c| kefu_model::CaseId::parse(&c)) {
            Some(c) => before = Some(c),
            None => break,
        }
    }
    let mut phones: HashMap<kefu_model::CustomerId, String> = HashMap::new();
    for c in &cases {
        if !phones.contains_key(&c.customer_id)
            && let Some(customer) = desk.store().customer_by_id(&c.customer_id).await?
            && let Some(p) = customer.phones.first()
        {
            phones.insert(c.customer_id.clone(), p.as_str().to_string());
        }
    }
    let mut rows = Vec::new();
    for c in &cases {
        let (story, age) = story_for(c, &mut rng);
        // The case's story happened around when the case came in.
        let age = age + now.duration_since(c.received_at).as_hours().max(0);
        let customer_phone = phones
            .get(&c.customer_id)
            .cloned()
            .unwrap_or_else(|| mobile(&mut rng));
        for w in &c.waybill_nos {
            let (sender, recipient) = if rng.gen_bool(0.5) {
                (customer_phone.clone(), mobile(&mut rng))
            } else {
                (mobile(&mut rng), customer_phone.clone())
            };
            rows.push(ImportRow::Shipment(Box::new(shipment(
                &mut rng,
                now,
                w.clone(),
                sender,
                recipient,
                age.min(24 * 300),
                story,
            ))));
        }
    }
    // Samples of every outcome, as of now.
    let wanted: [(Outcome, Story, i64, usize); 6] = [
        (Outcome::WithResult, Story::Moving, 20, 300),
        (Outcome::WithResult, Story::Delivered, 80, 700),
        (Outcome::Delay, Story::LatePromise, 60, 200),
        (Outcome::Delay, Story::Exception, 50, 200),
        (Outcome::NoResult, Story::NoResult, 40, 150),
        (Outcome::WithResult, Story::Returned, 90, 50),
    ];
    let mut samples: Vec<(Outcome, Vec<String>)> = Vec::new();
    for (outcome, story, base_age, count) in wanted {
        let mut numbers = Vec::new();
        for i in 0..count {
            let no = own_waybill(&mut rng);
            // Spread over the last 60 days for the old ones, keep the first few fresh.
            let age = if i < 5 {
                base_age + i as i64
            } else {
                base_age + rng.gen_range(0..24 * 55)
            };
            let age = if story == Story::Delivered || story == Story::Returned || i < 5 {
                age
            } else {
                base_age + rng.gen_range(0..12)
            };
            let (a, b) = (mobile(&mut rng), mobile(&mut rng));
            rows.push(ImportRow::Shipment(Box::new(shipment(
                &mut rng,
                now,
                no.clone(),
                a,
                b,
                age,
                story,
            ))));
            if i < 3 {
                numbers.push(no);
            }
        }
        match samples.iter_mut().find(|(o, _)| *o == outcome) {
            Some((_, list)) => list.extend(numbers),
            None => samples.push((outcome, numbers)),
        }
    }
    let mut expired = Vec::new();
    for _ in 0..20 {
        let no = own_waybill(&mut rng);
        let age = 24 * (400 + rng.gen_range(0..200));
        let (a, b) = (mobile(&mut rng), mobile(&mut rng));
        rows.push(ImportRow::Shipment(Box::new(shipment(
            &mut rng,
            now,
            no.clone(),
            a,
            b,
            age,
            Story::Expired,
        ))));
        if expired.len() < 3 {
            expired.push(no);
        }
    }
    samples.push((Outcome::Expired, expired));
    let total = rows.len();
    for chunk in rows.chunks(1_000) {
        let errors = desk.import_shipments(&admin, chunk.to_vec()).await?;
        if let Some(e) = errors.into_iter().flatten().next() {
            return Err(e);
        }
    }
    // The network: a region, a centre, the outlets with their managers and couriers.
    let network_logins =
        crate::demo_network::seed_organisations(desk, &admin, OUTLETS, courier_phone).await?;
    let courier_actor = |p: &kefu_model::pickup::Pickup| {
        let id = p.courier.as_ref().map(|c| c.id.clone()).unwrap_or_default();
        let login = crate::demo_network::courier_login(&id);
        async move {
            desk.store()
                .user_by_username(&login)
                .await
                .map_err(DomainError::from)?
                .map(|u| Actor::of(&u))
                .ok_or_else(|| DomainError::NotFound(format!("courier {login}")))
        }
    };
    // Pickups in every status.
    let mut pickups = 0;
    let items = [
        "衣服",
        "文件",
        "书籍",
        "锂电池组两块",
        "茶叶",
        "烟花爆竹一箱",
        "手机",
        "玩具",
    ];
    for i in 0..30 {
        let from = &PLACES[i % 8];
        let to = &PLACES[(i + 3) % PLACES.len()];
        let draft = PickupDraft {
            sender: PartyDraft {
                name: name(&mut rng),
                phone: mobile(&mut rng),
                address: from.address.into(),
            },
            recipient_address: to.address.into(),
            item: items[i % items.len()].into(),
            weight_kg: rust_decimal::Decimal::from(1 + (i % 7) as u32),
            dimensions_cm: None,
            pieces: None,
            product: None,
            declared_value: None,
            insured: false,
            case_id: None,
            note: String::new(),
            // Every other booking with the window agreed: tomorrow 09:00–11:00 local-ish.
            window_from: (i % 2 == 0).then(|| now + jiff::SignedDuration::from_hours(20)),
            window_to: (i % 2 == 0).then(|| now + jiff::SignedDuration::from_hours(22)),
            channel: None,
        };
        let p = desk.book_pickup(&admin, draft).await?;
        pickups += 1;
        let change = |status, waybill_no: Option<String>| PickupStatusChange {
            status,
            note: String::new(),
            courier: None,
            waybill_no,
        };
        if p.status == PickupStatus::Dispatched {
            use kefu_model::parcels::CourierStepBody;
            use kefu_model::pickup::CourierStep;
            let step = |note: &str, waybill_no: Option<String>| CourierStepBody {
                note: note.into(),
                waybill_no,
            };
            // Spread over the outlets (a place per `i % 8`) so each has pickups in every state.
            match (i + i / 8 * 5) % 8 {
                0 => {
                    let w = own_waybill(&mut rng);
                    let courier = courier_actor(&p).await?;
                    desk.courier_step(&courier, &p.id, CourierStep::Accept, step("", None))
                        .await?;
                    desk.courier_step(&courier, &p.id, CourierStep::Arrive, step("", None))
                        .await?;
                    desk.courier_step(&courier, &p.id, CourierStep::Collect, step("", Some(w)))
                        .await?;
                }
                5 => {
                    let courier = courier_actor(&p).await?;
                    desk.courier_step(&courier, &p.id, CourierStep::Accept, step("", None))
                        .await?;
                }
                6 => {
                    let courier = courier_actor(&p).await?;
                    desk.courier_step(&courier, &p.id, CourierStep::Accept, step("", None))
                        .await?;
                    desk.courier_step(&courier, &p.id, CourierStep::Arrive, step("", None))
                        .await?;
                }
                7 => {
                    let courier = courier_actor(&p).await?;
                    desk.courier_step(&courier, &p.id, CourierStep::Accept, step("", None))
                        .await?;
                    desk.courier_step(
                        &courier,
                        &p.id,
                        CourierStep::Fail,
                        step("客户不在家，电话无人接听", None),
                    )
                    .await?;
                }
                1 => {
                    desk.change_pickup(&admin, &p.id, change(PickupStatus::Cancelled, None))
                        .await?;
                }
                2 => {
                    let mut failed = change(PickupStatus::Failed, None);
                    failed.note = "寄件人改约".into();
                    desk.change_pickup(&admin, &p.id, failed).await?;
                }
                _ => {}
            }
        }
    }
    // Claims at each step, on lost and damaged cases with a stored parcel.
    let finance = desk
        .create_user(
            None,
            UserDraft {
                username: "cashier01".into(),
                password: crate::demo::DEMO_PASSWORD.into(),
                role: Role::Finance,
                display_name: Some("财务-钱多多".into()),
                department: None,
            },
        )
        .await?;
    let finance = Actor::of(&finance);
    let supervisor = desk
        .store()
        .user_by_username("supervisor")
        .await?
        .map(|u| Actor::of(&u))
        .unwrap_or_else(|| admin.clone());
    let mut claims = 0;
    let candidates: Vec<&Case> = cases
        .iter()
        .filter(|c| {
            matches!(c.category, Category::Lost | Category::Damaged)
                && !c.waybill_nos.is_empty()
                && !matches!(c.status, Status::Closed)
        })
        .take(10)
        .collect();
    for (i, c) in candidates.iter().enumerate() {
        let kind = if c.category == Category::Lost {
            ClaimKind::Lost
        } else {
            ClaimKind::Damaged
        };
        let opened = desk
            .open_claim(
                &admin,
                c.id.as_str(),
                ClaimDraft {
                    waybill_no: None,
                    kind,
                    claimed_amount: rust_decimal::Decimal::from(200 + 50 * i as u32),
                    declared_value: None,
                    insured: None,
                    freight: None,
                    evidence: vec![],
                },
            )
            .await;
        let Ok((_, claim_id)) = opened else { continue };
        claims += 1;
        let step = |body: ClaimStep, name: &'static str, actor: &Actor| {
            let id = c.id.to_string();
            let claim_id = claim_id.clone();
            let actor = actor.clone();
            async move { desk.claim_step(&actor, &id, &claim_id, name, body).await }
        };
        if i % 5 == 0 {
            continue; // opened, waiting for an agent
        }
        step(
            ClaimStep {
                loss_amount: Some(rust_decimal::Decimal::from(150 + 40 * i as u32)),
                ..ClaimStep::default()
            },
            "propose",
            &admin,
        )
        .await?;
        match i % 5 {
            1 => {}
            2 => {
                step(ClaimStep::default(), "approve", &supervisor).await?;
            }
            3 => {
                step(ClaimStep::default(), "approve", &supervisor).await?;
                step(
                    ClaimStep {
                        reference: Some(format!("PAY-2026-{:04}", i + 1)),
                        ..ClaimStep::default()
                    },
                    "pay",
                    &finance,
                )
                .await?;
            }
            _ => {
                step(
                    ClaimStep {
                        reason: Some("签收记录与监控显示包裹已本人签收".into()),
                        ..ClaimStep::default()
                    },
                    "reject",
                    &supervisor,
                )
                .await?;
            }
        }
    }
    Ok(ParcelSummary {
        shipments: total,
        outlets: OUTLETS.len(),
        network_logins,
        pickups,
        claims,
        samples,
        finance_user: "cashier01".into(),
    })
}
