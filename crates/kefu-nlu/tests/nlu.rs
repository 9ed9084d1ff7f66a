//! kefu-nlu end to end: held-out accuracy, the data, entities with a fixed `now`, JSON shape.
//! Run with `cargo nextest run -p kefu-nlu --no-capture` to see the per-intent table.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_model::nlu::{Entity, EntityKind, Intent, Understand, Understanding};
use kefu_nlu::{HELDOUT_DATA, Nlu, TRAIN_DATA, parse_examples};

fn shanghai() -> TimeZone {
    TimeZone::get("Asia/Shanghai").unwrap()
}

/// Tuesday 2026-11-24, 10:00 in Shanghai.
fn now() -> Timestamp {
    "2026-11-24T02:00:00Z".parse().unwrap()
}

fn understand(text: &str) -> Understanding {
    Nlu::shared().understand(text, now(), &shanghai())
}

fn span(text: &str, e: &Entity) -> String {
    text.chars().skip(e.start).take(e.end - e.start).collect()
}

fn only(text: &str, kind: EntityKind) -> Entity {
    let u = understand(text);
    let found: Vec<&Entity> = u.entities_of(kind).collect();
    assert_eq!(found.len(), 1, "{text}: {:?}", u.entities);
    found[0].clone()
}

#[test]
fn heldout_accuracy_is_at_least_92_percent() {
    let heldout = parse_examples(HELDOUT_DATA).unwrap();
    let nlu = Nlu::shared();
    // (intent) -> (true positives, predicted as, actually)
    let mut tp: HashMap<Intent, usize> = HashMap::new();
    let mut predicted: HashMap<Intent, usize> = HashMap::new();
    let mut actual: HashMap<Intent, usize> = HashMap::new();
    let mut correct = 0;
    let mut confidence_right = 0.0;
    let mut confidence_wrong = 0.0;
    let mut misses = Vec::new();
    for e in &heldout {
        let u = nlu.understand(&e.text, now(), &shanghai());
        *predicted.entry(u.intent).or_default() += 1;
        *actual.entry(e.intent).or_default() += 1;
        if u.intent == e.intent {
            correct += 1;
            confidence_right += u.confidence;
            *tp.entry(e.intent).or_default() += 1;
        } else {
            confidence_wrong += u.confidence;
            misses.push(format!(
                "  {:<16} → {:<16} {:.2}  {}",
                e.intent, u.intent, u.confidence, e.text
            ));
        }
    }
    let n = heldout.len();
    let accuracy = correct as f64 / n as f64;
    println!(
        "held-out: {correct}/{n} = {:.1} % (trained on {} examples, {} features, temperature {:.2})",
        accuracy * 100.0,
        nlu.training_examples(),
        nlu.vocabulary_size(),
        nlu.temperature()
    );
    println!(
        "mean confidence: right {:.3}, wrong {:.3}",
        confidence_right / correct.max(1) as f64,
        confidence_wrong / (n - correct).max(1) as f64
    );
    println!("| intent | n | precision | recall | accuracy (one-vs-rest) |");
    println!("|---|---:|---:|---:|---:|");
    for intent in Intent::ALL {
        let t = tp.get(&intent).copied().unwrap_or(0);
        let p = predicted.get(&intent).copied().unwrap_or(0);
        let a = actual.get(&intent).copied().unwrap_or(0);
        let precision = if p == 0 { 1.0 } else { t as f64 / p as f64 };
        let recall = if a == 0 { 1.0 } else { t as f64 / a as f64 };
        // One-vs-rest: messages whose membership of this intent was decided right.
        let fp = p - t;
        let fn_ = a - t;
        let ovr = (n - fp - fn_) as f64 / n as f64;
        println!(
            "| {} | {a} | {:.3} | {:.3} | {:.3} |",
            intent, precision, recall, ovr
        );
    }
    println!("misclassified:\n{}", misses.join("\n"));
    assert!(
        accuracy >= 0.92,
        "held-out accuracy {:.3} below the 0.92 floor",
        accuracy
    );
}

/// Jaccard similarity of character bigrams from which a held-out message counts as a copy of a
/// training one.
const NEAR_COPY: f64 = 0.6;

/// Character bigrams of `text` lower-cased, with digit and letter runs that hold a digit as `#`,
/// and without spaces and punctuation ("查一下SF123！" and "查一下 sf456" are the same).
fn bigrams(text: &str) -> HashSet<String> {
    let mut chars: Vec<char> = Vec::new();
    let lower = text.to_lowercase();
    let mut rest = lower.chars().peekable();
    while let Some(c) = rest.next() {
        if c.is_ascii_alphanumeric() {
            let mut run = vec![c];
            while let Some(&n) = rest.peek()
                && n.is_ascii_alphanumeric()
            {
                run.push(n);
                rest.next();
            }
            if run.iter().any(char::is_ascii_digit) {
                chars.push('#');
            } else {
                chars.extend(run);
            }
        } else if c.is_alphanumeric() {
            chars.push(c);
        }
    }
    if chars.len() < 2 {
        return chars.iter().map(char::to_string).collect();
    }
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

#[test]
fn near_copies_are_recognised() {
    let j = |a: &str, b: &str| jaccard(&bigrams(a), &bigrams(b));
    assert_eq!(j("您好在吗", "您好，在吗？"), 1.0);
    assert_eq!(j("查一下SF1234567890123", "查一下 jt0012345678901"), 1.0);
    assert!(j("人工服务", "找人工服务") >= NEAR_COPY);
    assert!(j("明天下午来我家拿个东西", "有个箱子要发走，师傅几点能到") < 0.1);
}

#[test]
fn data_is_sane() {
    let train = parse_examples(TRAIN_DATA).unwrap();
    let heldout = parse_examples(HELDOUT_DATA).unwrap();
    for intent in Intent::ALL {
        let t = train.iter().filter(|e| e.intent == intent).count();
        let h = heldout.iter().filter(|e| e.intent == intent).count();
        assert!(t >= 80, "{intent}: {t} training examples");
        // Enough that one message is at most 4 % of an intent's recall.
        assert!(h >= 25, "{intent}: {h} held-out examples");
    }
    // No held-out message is a copy or a near-copy of a training one (same character bigrams
    // up to digits, case and punctuation).
    let train_grams: Vec<(HashSet<String>, &str)> = train
        .iter()
        .map(|e| (bigrams(&e.text), e.text.as_str()))
        .collect();
    for e in &heldout {
        let grams = bigrams(&e.text);
        for (other, text) in &train_grams {
            let similarity = jaccard(&grams, other);
            assert!(
                similarity < NEAR_COPY,
                "held-out line {} ({}) is a near-copy ({similarity:.2}) of training's {text}",
                e.line,
                e.text
            );
        }
    }
    // Labels are checked by parse_examples; make sure it would refuse a bad one.
    assert!(parse_examples("nonsense\t你好").is_err());
    assert!(parse_examples("track 没有制表符").is_err());
}

#[test]
fn empty_text_is_other_with_no_confidence() {
    for text in ["", "   ", "\u{3000}\n"] {
        let u = understand(text);
        assert_eq!(u.intent, Intent::Other);
        assert_eq!(u.confidence, 0.0);
        assert!(u.entities.is_empty());
    }
}

#[test]
fn confidence_is_a_probability_and_training_is_deterministic() {
    let a = Nlu::new();
    let b = Nlu::new();
    for text in [
        "我的快递到哪了",
        "转人工",
        "锂电池能寄吗",
        "？？",
        "asdf qwer",
    ] {
        let ua = a.understand(text, now(), &shanghai());
        let ub = b.understand(text, now(), &shanghai());
        assert_eq!(ua, ub, "{text}");
        assert!((0.0..=1.0).contains(&ua.confidence), "{ua:?}");
        let scores = a.scores(text, now(), &shanghai());
        let total: f64 = scores.iter().map(|s| s.1).sum();
        assert!((total - 1.0).abs() < 1e-6, "{text}: {total}");
        assert!(scores.windows(2).all(|w| w[0].1 >= w[1].1));
    }
}

#[test]
fn spec_examples_get_their_intent() {
    // The examples of the SPEC's intent table (the training data has only some of them).
    let cases = [
        (Intent::Track, "我的快递到哪了"),
        (Intent::Delay, "三天了还没更新"),
        (Intent::Lost, "显示签收了但我没收到"),
        (Intent::Damaged, "箱子破了"),
        (Intent::Pickup, "我要寄件"),
        (Intent::Quote, "寄到北京多少钱"),
        (Intent::Coverage, "最近的网点在哪"),
        (Intent::Prohibited, "锂电池能寄吗"),
        (Intent::ChangeDelivery, "帮我退回"),
        (Intent::Complaint, "快递员态度太差"),
        (Intent::Claim, "申请理赔"),
        (Intent::Invoice, "月结对账"),
        (Intent::Human, "转人工"),
        (Intent::Greeting, "谢谢"),
    ];
    for (intent, text) in cases {
        assert_eq!(understand(text).intent, intent, "{text}");
    }
}

#[test]
fn an_expected_time_is_tracking_and_past_it_is_delay() {
    // Issue #20: 预计 alone asks when it comes; only past the expected time is it late.
    assert_eq!(understand("预计几点到").intent, Intent::Track);
    assert_eq!(
        understand("SF1234567890123预计什么时候送到").intent,
        Intent::Track
    );
    assert_eq!(understand("比预计晚了两天还没到").intent, Intent::Delay);
}

#[test]
fn tomorrow_afternoon_resolves_in_shanghai() {
    let text = "明天下午来取件";
    let e = only(text, EntityKind::Datetime);
    assert_eq!(span(text, &e), "明天下午");
    assert_eq!(e.value, "2026-11-25T14:00:00+08:00");
    let detail = e.detail.unwrap();
    assert_eq!(detail["part"], "afternoon");
    assert_eq!(detail["from"], "2026-11-25T13:00:00+08:00");
    assert_eq!(detail["to"], "2026-11-25T18:00:00+08:00");
    // The same words late in the evening of the 24th in UTC are already the 25th in Shanghai.
    let late: Timestamp = "2026-11-24T17:00:00Z".parse().unwrap();
    let u = Nlu::shared().understand(text, late, &shanghai());
    assert_eq!(u.entities[0].value, "2026-11-26T14:00:00+08:00");
}

#[test]
fn dates_and_times() {
    assert_eq!(
        only("11月25日寄的", EntityKind::Datetime).value,
        "2026-11-25"
    );
    assert_eq!(
        only("11-25发货的", EntityKind::Datetime).value,
        "2026-11-25"
    );
    assert_eq!(only("周五能到吗", EntityKind::Datetime).value, "2026-11-27");
    assert_eq!(only("下周一上门", EntityKind::Datetime).value, "2026-11-30");
    assert_eq!(
        only("后天下午3点来取", EntityKind::Datetime).value,
        "2026-11-26T15:00:00+08:00"
    );
    assert_eq!(
        only("15:30以后在家", EntityKind::Datetime).value,
        "2026-11-24T15:30:00+08:00"
    );
    assert_eq!(
        only("can you come tomorrow afternoon", EntityKind::Datetime).value,
        "2026-11-25T14:00:00+08:00"
    );
}

#[test]
fn waybill_with_carrier_and_offsets() {
    // The demo operator's own format: YL + 12 digits + their Luhn digit.
    let body = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 3];
    let check = kefu_model::waybill::luhn_digit(&body);
    let number: String = body.iter().map(|d| d.to_string()).collect();
    let own = format!("YL{number}{check}");
    let text = format!("您好，运单{}到哪了？", own.to_lowercase());
    let e = only(&text, EntityKind::Waybill);
    assert_eq!(e.value, own);
    assert_eq!(span(&text, &e).to_uppercase(), own);
    assert_eq!((e.start, e.end), (5, 20));
    let detail = e.detail.unwrap();
    assert_eq!(detail["carrier"], "ours");
    assert_eq!(detail["ours"], true);
    let sf = only("顺丰单号SF1234567890123怎么还没到", EntityKind::Waybill);
    assert_eq!(sf.value, "SF1234567890123");
    assert_eq!(sf.detail.unwrap()["carrier"], "sf");
    assert_eq!(
        understand("SF1234567890123 怎么还没到").intent,
        Intent::Delay
    );
}

#[test]
fn mobile_numbers() {
    let text = "我的电话是13812345678，麻烦联系";
    let e = only(text, EntityKind::Mobile);
    assert_eq!(e.value, "13812345678");
    assert_eq!(span(text, &e), "13812345678");
    assert_eq!((e.start, e.end), (5, 16));
    let spaced = "手机 138 1234 5678";
    let e = only(spaced, EntityKind::Mobile);
    assert_eq!(e.value, "13812345678");
    assert_eq!(span(spaced, &e), "138 1234 5678");
    // 12 digits and 2x-prefixed numbers are not mobiles.
    assert_eq!(
        understand("电话12812345678")
            .entities_of(EntityKind::Mobile)
            .count(),
        0
    );
}

#[test]
fn weights_and_sizes() {
    let text = "一箱衣服5公斤，尺寸30×20×10cm";
    let u = understand(text);
    let w = u.entities_of(EntityKind::Weight).next().unwrap();
    assert_eq!(w.value, "5");
    assert_eq!(span(text, w), "5公斤");
    let s = u.entities_of(EntityKind::Size).next().unwrap();
    assert_eq!(s.value, "30x20x10");
    assert_eq!(span(text, s), "30×20×10cm");
    assert_eq!(only("3kg", EntityKind::Weight).value, "3");
    assert_eq!(only("2.5千克的包裹", EntityKind::Weight).value, "2.5");
    assert_eq!(only("500g茶叶", EntityKind::Weight).value, "0.5");
    assert_eq!(only("大概10斤", EntityKind::Weight).value, "5");
    assert_eq!(only("箱子30*20*10", EntityKind::Size).value, "30x20x10");
    assert_eq!(only("30x20x10厘米", EntityKind::Size).value, "30x20x10");
    assert_eq!(only("600×400×300mm", EntityKind::Size).value, "60x40x30");
}

#[test]
fn places_with_codes() {
    let text = "寄到杭州市西湖区文三路多少钱";
    let e = only(text, EntityKind::Place);
    assert_eq!(e.value, "西湖区");
    assert_eq!(span(text, &e), "杭州市西湖区");
    let detail = e.detail.unwrap();
    assert_eq!(detail["code"], "330106");
    assert_eq!(detail["province"], "浙江省");
    let u = understand("从广东深圳寄到新疆乌鲁木齐要几天");
    let places: Vec<(&str, &str)> = u
        .entities_of(EntityKind::Place)
        .map(|e| {
            (
                e.value.as_str(),
                e.detail.as_ref().unwrap()["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(places, [("深圳市", "440300"), ("乌鲁木齐市", "650100")]);
    assert_eq!(u.intent, Intent::Quote);
    // 合作 is also 合作市 (甘肃), but a bare county-level short name needs a cue like 到/从/在.
    assert_eq!(
        understand("怎么成为合作商家")
            .entities_of(EntityKind::Place)
            .count(),
        0
    );
    let e = only("寄到合作要几天", EntityKind::Place);
    assert_eq!(
        (e.value.as_str(), e.detail.unwrap()["code"].as_str()),
        ("合作市", Some("623001"))
    );
}

#[test]
fn items_and_prohibited_items() {
    let text = "请问锂电池和衣服能一起寄吗";
    let u = understand(text);
    let items: Vec<&Entity> = u.entities_of(EntityKind::Item).collect();
    assert_eq!(items.len(), 2, "{:?}", u.entities);
    assert_eq!(items[0].value, "锂电池");
    assert_eq!(span(text, items[0]), "锂电池");
    assert_eq!((items[0].start, items[0].end), (2, 5));
    assert_eq!(items[0].detail.as_ref().unwrap()["prohibited"], true);
    assert_eq!(items[1].value, "衣服");
    assert!(items[1].detail.is_none());
    assert_eq!(u.intent, Intent::Prohibited);
    // Harmless compounds are not the prohibited item inside them.
    assert!(
        understand("象牙白的花瓶")
            .entities_of(EntityKind::Item)
            .all(|e| e.value != "象牙")
    );
}

#[test]
fn order_numbers() {
    let text = "订单号：2024112412345678901 还没发货";
    let e = only(text, EntityKind::OrderNo);
    assert_eq!(e.value, "2024112412345678901");
    assert_eq!(span(text, &e), "2024112412345678901");
    // After 订单, a number that would also read as a waybill is the order's.
    let e = only("订单 773012345678 的件", EntityKind::OrderNo);
    assert_eq!(e.value, "773012345678");
}

#[test]
fn offsets_are_characters_in_mixed_text() {
    let text = "😡我的件SF1234567890123明天下午到杭州西湖区吗？电话13900001111";
    let u = understand(text);
    let kinds: Vec<(EntityKind, String)> =
        u.entities.iter().map(|e| (e.kind, span(text, e))).collect();
    assert_eq!(
        kinds,
        [
            (EntityKind::Waybill, "SF1234567890123".to_owned()),
            (EntityKind::Datetime, "明天下午".to_owned()),
            (EntityKind::Place, "杭州西湖区".to_owned()),
            (EntityKind::Mobile, "13900001111".to_owned()),
        ]
    );
    for e in &u.entities {
        assert!(e.start < e.end && e.end <= text.chars().count());
    }
}

#[test]
fn understanding_json_shape() {
    let u = understand("SF1234567890123 到哪了");
    let json = serde_json::to_value(&u).unwrap();
    let obj = json.as_object().unwrap();
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 3);
    for k in ["intent", "confidence", "entities"] {
        assert!(obj.contains_key(k), "{k}");
    }
    assert_eq!(json["intent"], "track");
    assert!(json["confidence"].as_f64().unwrap() > 0.0);
    let e = &json["entities"][0];
    assert_eq!(e["kind"], "waybill");
    assert_eq!(e["value"], "SF1234567890123");
    assert_eq!(e["start"], 0);
    assert_eq!(e["end"], 15);
    assert_eq!(e["detail"]["carrier"], "sf");
    // No detail, no key.
    let m = serde_json::to_value(understand("13800138000")).unwrap();
    let mobile = &m["entities"][0];
    assert_eq!(mobile["kind"], "mobile");
    assert!(mobile.get("detail").is_none(), "{mobile}");
    let back: Understanding = serde_json::from_value(json).unwrap();
    assert_eq!(back, u);
}

#[test]
fn arbitrary_text_never_panics_and_spans_stay_in_bounds() {
    // A deterministic stream of messages built from the pieces that trip parsers: digits,
    // separators, units, date words, letters, emoji and Chinese.
    let pieces = [
        "1",
        "3",
        "9",
        "0",
        "12",
        "138",
        "2026",
        "-",
        "/",
        ":",
        "：",
        "×",
        "x",
        "*",
        ".",
        " ",
        "　",
        "点",
        "半",
        "月",
        "日",
        "号",
        "年",
        "周",
        "下",
        "明天",
        "下午",
        "晚上",
        "公斤",
        "斤",
        "g",
        "kg",
        "cm",
        "米",
        "SF",
        "YL",
        "JT",
        "订单",
        "订单号",
        "杭州",
        "西湖区",
        "北京市",
        "锂电池",
        "手机",
        "象牙",
        "😡",
        "🙏",
        "！",
        "？",
        "tomorrow",
        "pm",
        "next",
        "friday",
        "的",
        "寄",
        "到",
        "十",
        "两",
        "一",
        "ａ",
        "１",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let len = (next() % 24) as usize;
        let text: String = (0..len)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        let u = understand(&text);
        let n = text.chars().count();
        assert!((0.0..=1.0).contains(&u.confidence), "{text}");
        for e in &u.entities {
            assert!(e.start < e.end && e.end <= n, "{text}: {e:?}");
        }
        for w in u.entities.windows(2) {
            assert!(
                w[0].end <= w[1].start,
                "{text}: overlapping {:?}",
                u.entities
            );
        }
    }
}

/// The place entities of `u` as (value, role, address) for comparing.
fn places_of(u: &Understanding) -> Vec<(String, Option<String>, Option<String>)> {
    u.entities_of(EntityKind::Place)
        .map(|e| {
            let detail = e.detail.as_ref().unwrap();
            let text = |k: &str| detail.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            (e.value.clone(), text("role"), text("address"))
        })
        .collect()
}

#[test]
fn pickup_message_gives_time_address_and_weight() {
    // Issue #20: the bot asked for an address this very message gave.
    let text = "明天下午来我家取个件，上海市浦东新区张江路100号，大概3公斤";
    let u = understand(text);
    assert_eq!(u.intent, Intent::Pickup);
    let time = u.first(EntityKind::Datetime).unwrap();
    assert_eq!(span(text, time), "明天下午");
    assert_eq!(time.value, "2026-11-25T14:00:00+08:00");
    assert_eq!(time.detail.as_ref().unwrap()["part"], "afternoon");
    let place = only(text, EntityKind::Place);
    assert_eq!(place.value, "浦东新区");
    let detail = place.detail.unwrap();
    assert_eq!(detail["code"], "310115");
    assert_eq!(detail["street"], "张江路100号");
    assert_eq!(detail["address"], "上海市浦东新区张江路100号");
    assert!(detail.get("role").is_none(), "{detail}");
    let weight = only(text, EntityKind::Weight);
    assert_eq!(weight.value, "3");
    assert_eq!(span(text, &weight), "3公斤");
    // 1号 after a street is the house number, not the first of the month.
    let text = "我这有个包裹要寄，地址在海淀区中关村大街1号";
    let u = understand(text);
    assert_eq!(
        u.entities_of(EntityKind::Datetime).count(),
        0,
        "{:?}",
        u.entities
    );
    let place = only(text, EntityKind::Place);
    assert_eq!(place.detail.unwrap()["street"], "中关村大街1号");
}

#[test]
fn price_question_names_destination_and_weight_without_origin() {
    // Issue #20: the bot asked for origin and destination when the message named one.
    let u = understand("寄到北京5公斤多少钱");
    assert_eq!(u.intent, Intent::Quote);
    assert_eq!(
        places_of(&u),
        [("北京市".to_owned(), Some("destination".to_owned()), None)]
    );
    assert_eq!(only("寄到北京5公斤多少钱", EntityKind::Weight).value, "5");
}

#[test]
fn origin_and_destination_of_a_route() {
    let role = |text: &str| -> Vec<(String, Option<String>)> {
        places_of(&understand(text))
            .into_iter()
            .map(|(value, role, _)| (value, role))
            .collect()
    };
    let route = |from: &str, to: &str| {
        vec![
            (from.to_owned(), Some("origin".to_owned())),
            (to.to_owned(), Some("destination".to_owned())),
        ]
    };
    assert_eq!(role("从杭州寄到北京"), route("杭州市", "北京市"));
    assert_eq!(role("广州到成都2kg"), route("广州市", "成都市"));
    assert_eq!(role("杭州发厦门，1公斤多少"), route("杭州市", "厦门市"));
    assert_eq!(role("上海 → 昆明 几天能到"), route("上海市", "昆明市"));
    assert_eq!(
        role("从广东深圳寄到新疆乌鲁木齐要几天"),
        route("深圳市", "乌鲁木齐市")
    );
    assert_eq!(
        role("寄件人在杭州市余杭区"),
        [("余杭区".to_owned(), Some("origin".to_owned()))]
    );
    assert_eq!(
        role("收件人在成都"),
        [("成都市".to_owned(), Some("destination".to_owned()))]
    );
    assert_eq!(
        role("把收件地址改成闵行区"),
        [("闵行区".to_owned(), Some("destination".to_owned()))]
    );
    // No cue, no role: a place alone is not guessed to be either end.
    assert_eq!(role("杭州市西湖区有网点吗"), [("西湖区".to_owned(), None)]);
    let u = understand("广州到成都2kg");
    assert_eq!(u.intent, Intent::Quote);
    assert_eq!(u.first(EntityKind::Weight).unwrap().value, "2");
}

#[test]
fn a_street_needs_a_road_or_a_number() {
    let detail = |text: &str| only(text, EntityKind::Place).detail.unwrap();
    let d = detail("寄到杭州市西湖区文三路多少钱");
    assert_eq!(d["street"], "文三路");
    assert_eq!(d["address"], "杭州市西湖区文三路");
    let d = detail("改地址，改到浦东新区世纪大道100号3栋502室，谢谢");
    assert_eq!(d["street"], "世纪大道100号3栋502室");
    // What follows a place is not a street without a road, a number or a building.
    for text in [
        "杭州市西湖区有网点吗",
        "北京朝阳区的快递中心在哪",
        "寄到成都要几天",
    ] {
        let d = detail(text);
        assert!(d.get("street").is_none(), "{text}: {d}");
        assert!(d.get("address").is_none(), "{text}: {d}");
    }
}
