//! Entity extraction: waybill and mobile numbers, order numbers, dates and times, places,
//! weights, sizes and item names. Everything works on the message as characters, so spans are
//! character offsets of the input.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_logistics::ProhibitedList;
use kefu_model::nlu::{Entity, EntityKind};
use kefu_model::waybill::{self, Recognizer};
use serde_json::json;

use crate::datetime;

/// Items customers send or ask about that are not prohibited (the prohibited keywords are added
/// from the prohibited-items catalogue).
pub const COMMON_ITEMS: &[&str] = &[
    "衣服",
    "衣物",
    "裤子",
    "鞋子",
    "包包",
    "书籍",
    "文件",
    "合同",
    "资料",
    "证件",
    "身份证",
    "护照",
    "手机",
    "电脑",
    "笔记本电脑",
    "平板",
    "耳机",
    "相机",
    "电视",
    "冰箱",
    "洗衣机",
    "空调",
    "家具",
    "沙发",
    "床垫",
    "被子",
    "化妆品",
    "护肤品",
    "口红",
    "面膜",
    "茶叶",
    "零食",
    "食品",
    "月饼",
    "特产",
    "水果",
    "苹果",
    "橙子",
    "荔枝",
    "榴莲",
    "樱桃",
    "车厘子",
    "生鲜",
    "海鲜",
    "冻品",
    "腊肉",
    "药品",
    "中药",
    "保健品",
    "奶粉",
    "玩具",
    "行李",
    "行李箱",
    "箱子",
    "自行车",
    "电动车",
    "轮胎",
    "配件",
    "零件",
    "样品",
    "鲜花",
    "绿植",
    "蛋糕",
    "白酒",
    "红酒",
    "香水",
    "电池",
    "锂电池",
    "充电宝",
    "移动电源",
    "打火机",
    "礼品",
    "首饰",
    "珠宝",
    "黄金",
    "手表",
    "眼镜",
    "乐器",
    "吉他",
    "瓷器",
    "玻璃",
    "字画",
    "桌子",
    "椅子",
    "大米",
    "面粉",
    "粮油",
    "食用油",
    "调料",
    "辣椒酱",
    "电动车电池",
    "手机壳",
    "蓝牙耳机",
    "中药材",
    "茅台酒",
    "parcel",
    "document",
    "documents",
    "clothes",
    "battery",
    "batteries",
    "power bank",
    "laptop",
    "perfume",
    "food",
    "alcohol",
    "liquor",
    "wine",
    "lithium battery",
    "cigarettes",
];

/// English names of items that share the Chinese name's prohibited-item category.
const ENGLISH_ALIASES: &[(&str, &str)] = &[
    ("lithium battery", "锂电池"),
    ("power bank", "充电宝"),
    ("perfume", "香水"),
    ("alcohol", "白酒"),
    ("liquor", "白酒"),
    ("wine", "红酒"),
];

/// Words that start with an item's name but are not items (手机号 is a phone number).
const NOT_ITEMS: &[&str] = &["手机号", "手机号码", "文件夹", "箱子里", "电视剧"];

/// Character ranges of units, in preference order for a weight.
const WEIGHT_UNITS: &[(&str, f64)] = &[
    ("公斤", 1.0),
    ("千克", 1.0),
    ("kgs", 1.0),
    ("kg", 1.0),
    ("斤", 0.5),
    ("克", 0.001),
    ("吨", 1000.0),
    ("lbs", 0.453_592_37),
    ("lb", 0.453_592_37),
    ("磅", 0.453_592_37),
    ("g", 0.001),
];

const SIZE_UNITS: &[(&str, f64)] = &[
    ("厘米", 1.0),
    ("公分", 1.0),
    ("cm", 1.0),
    ("毫米", 0.1),
    ("mm", 0.1),
    ("米", 100.0),
    ("m", 100.0),
];

/// The extractor: a waybill recogniser and the item vocabulary with prohibited-item categories.
#[derive(Debug, Clone)]
pub(crate) struct Extractor {
    pub recognizer: Recognizer,
    /// Item word → (category, official) when the word is a prohibited keyword.
    items: HashMap<String, Option<(String, bool)>>,
    max_item_chars: usize,
    exemptions: Vec<Vec<char>>,
}

impl Extractor {
    pub fn new(recognizer: Recognizer) -> Self {
        let list = ProhibitedList::default();
        let mut items: HashMap<String, Option<(String, bool)>> = HashMap::new();
        for item in COMMON_ITEMS {
            items.insert((*item).to_owned(), None);
        }
        let categories = list
            .official
            .iter()
            .map(|c| (c, true))
            .chain(list.operator.iter().map(|c| (c, false)));
        for (category, official) in categories {
            for keyword in &category.keywords {
                let keyword = keyword.trim().to_lowercase();
                // One-character keywords (弩, 酒) match too much inside other words.
                if keyword.chars().count() < 2 {
                    continue;
                }
                let entry = items.entry(keyword).or_insert(None);
                if entry.is_none() {
                    *entry = Some((category.name.clone(), official));
                }
            }
        }
        for (english, chinese) in ENGLISH_ALIASES {
            let info = items.get(*chinese).cloned().flatten();
            items.insert((*english).to_owned(), info);
        }
        let max_item_chars = items.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        let exemptions = list
            .exemptions
            .iter()
            .map(|w| w.trim().to_lowercase())
            .chain(NOT_ITEMS.iter().map(|w| (*w).to_owned()))
            .map(|w| w.chars().collect())
            .collect();
        Extractor {
            recognizer,
            items,
            max_item_chars,
            exemptions,
        }
    }

    /// Every entity in `chars` (the normalised message), without overlaps, in text order.
    pub fn extract(&self, chars: &[char], now: Timestamp, tz: &TimeZone) -> Vec<Entity> {
        let text: String = chars.iter().collect();
        let mut found: Vec<Entity> = Vec::new();
        self.numbers(chars, &text, &mut found);
        sizes(chars, &mut found);
        weights(chars, &mut found);
        for d in datetime::find(chars, now, tz) {
            found.push(Entity {
                kind: EntityKind::Datetime,
                value: d.value,
                start: d.start,
                end: d.end,
                detail: d.detail,
            });
        }
        places(chars, 0, chars.len(), &mut found, 0);
        self.items(chars, &mut found);
        let mut kept = resolve_overlaps(found);
        annotate_places(chars, &mut kept);
        kept
    }

    fn numbers(&self, chars: &[char], text: &str, out: &mut Vec<Entity>) {
        let orders = order_numbers(chars);
        let mut taken: Vec<(usize, usize)> = orders.iter().map(|e| (e.start, e.end)).collect();
        for f in waybill::find_numbers(&self.recognizer, text) {
            if taken.iter().any(|&(s, e)| f.start < e && s < f.end) {
                continue;
            }
            taken.push((f.start, f.end));
            if f.kind == "mobile" {
                out.push(Entity {
                    kind: EntityKind::Mobile,
                    value: f.value,
                    start: f.start,
                    end: f.end,
                    detail: None,
                });
                continue;
            }
            let recognition = self.recognizer.recognize(&f.value);
            let candidates: Vec<_> = recognition
                .candidates
                .iter()
                .map(|c| json!({"carrier": c.carrier, "name": c.name, "confidence": c.confidence}))
                .collect();
            out.push(Entity {
                kind: EntityKind::Waybill,
                value: f.value,
                start: f.start,
                end: f.end,
                detail: Some(json!({
                    "carrier": f.carrier,
                    "ours": recognition.ours,
                    "candidates": candidates,
                })),
            });
        }
        spaced_mobiles(chars, &taken, out);
        // Long digit runs no carrier claims (shop order ids are 16–20 digits).
        let mut i = 0;
        while i < chars.len() {
            if !chars[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let run = &chars[start..i];
            let overlaps = taken.iter().any(|&(s, e)| start < e && s < i);
            if !overlaps && run.len() >= 16 && run.iter().all(char::is_ascii_digit) {
                out.push(order(run, start, i));
            }
        }
        out.extend(orders);
    }

    fn items(&self, chars: &[char], out: &mut Vec<Entity>) {
        let lower: Vec<char> = chars.iter().map(|c| c.to_ascii_lowercase()).collect();
        // Spans of harmless compounds (象牙白, 酒精湿巾 …) are not items.
        let mut exempt = vec![false; lower.len()];
        for ex in &self.exemptions {
            if ex.is_empty() {
                continue;
            }
            for start in 0..lower.len().saturating_sub(ex.len() - 1) {
                if lower[start..start + ex.len()] == ex[..] {
                    exempt[start..start + ex.len()].fill(true);
                }
            }
        }
        let mut i = 0;
        while i < lower.len() {
            let longest = self.max_item_chars.min(lower.len() - i);
            let mut hit = None;
            for len in (1..=longest).rev() {
                let word: String = lower[i..i + len].iter().collect();
                if let Some(info) = self.items.get(&word) {
                    hit = Some((len, word, info));
                    break;
                }
            }
            let Some((len, word, info)) = hit else {
                i += 1;
                continue;
            };
            let ascii = word.is_ascii();
            let bounded = !ascii
                || ((i == 0 || !lower[i - 1].is_ascii_alphanumeric())
                    && lower
                        .get(i + len)
                        .is_none_or(|c| !c.is_ascii_alphanumeric()));
            // 手机13800138000, 手机：139… label a number rather than name an item.
            let label = word == "手机"
                && lower
                    .get(i + len..)
                    .and_then(|rest| rest.iter().find(|c| !matches!(c, ':' | '：' | ' ' | '是')))
                    .is_some_and(char::is_ascii_digit);
            if bounded && !label && !exempt[i..i + len].iter().any(|&e| e) {
                let detail = info.as_ref().map(|(category, official)| {
                    json!({"prohibited": true, "category": category, "official": official})
                });
                out.push(Entity {
                    kind: EntityKind::Item,
                    value: word,
                    start: i,
                    end: i + len,
                    detail,
                });
                i += len;
            } else {
                i += 1;
            }
        }
    }
}

fn order(run: &[char], start: usize, end: usize) -> Entity {
    Entity {
        kind: EntityKind::OrderNo,
        value: run.iter().collect::<String>().to_ascii_uppercase(),
        start,
        end,
        detail: None,
    }
}

/// Numbers right after 订单/订单号/order (no.): the shop's order id, even where it also reads as
/// a waybill.
fn order_numbers(chars: &[char]) -> Vec<Entity> {
    let lower: Vec<char> = chars.iter().map(|c| c.to_ascii_lowercase()).collect();
    let markers = [
        "订单编号",
        "订单号码",
        "订单号",
        "订单",
        "order number",
        "order no",
        "order id",
        "order",
    ];
    let mut out = Vec::new();
    let mut i = 0;
    while i < lower.len() {
        let Some(marker) = markers.iter().find(|m| {
            let m: Vec<char> = m.chars().collect();
            lower.get(i..i + m.len()) == Some(&m[..])
        }) else {
            i += 1;
            continue;
        };
        let mut k = i + marker.chars().count();
        let mut skipped = 0;
        while k < lower.len()
            && skipped < 4
            && matches!(lower[k], ' ' | ':' | '：' | '#' | '.' | '是' | '为' | '号')
        {
            k += 1;
            skipped += 1;
        }
        let start = k;
        while k < lower.len() && lower[k].is_ascii_alphanumeric() {
            k += 1;
        }
        let run = &chars[start..k];
        if run.iter().filter(|c| c.is_ascii_digit()).count() >= 6 {
            out.push(order(run, start, k));
            i = k;
        } else {
            i += 1;
        }
    }
    out
}

/// Mobile numbers typed in groups: 138 0013 8000, 138-0013-8000, +86 138…
fn spaced_mobiles(chars: &[char], taken: &[(usize, usize)], out: &mut Vec<Entity>) {
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '1' || (i > 0 && chars[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let mut digits = String::new();
        let mut k = i;
        let mut separators = 0;
        while k < chars.len() && digits.len() < 11 {
            let c = chars[k];
            if c.is_ascii_digit() {
                digits.push(c);
            } else if matches!(c, ' ' | '-') && k > i && chars[k - 1].is_ascii_digit() {
                separators += 1;
            } else {
                break;
            }
            k += 1;
        }
        let b = digits.as_bytes();
        let ends = chars.get(k).is_none_or(|c| !c.is_ascii_digit());
        let overlaps = taken.iter().any(|&(s, e)| i < e && s < k);
        if separators > 0
            && separators <= 3
            && b.len() == 11
            && (b'3'..=b'9').contains(&b[1])
            && ends
            && !overlaps
        {
            out.push(Entity {
                kind: EntityKind::Mobile,
                value: digits,
                start: i,
                end: k,
                detail: None,
            });
            i = k;
        } else {
            i += 1;
        }
    }
}

/// A decimal number at `at` (digits with an optional fraction), or a small Chinese numeral, or
/// 半. Returns the value and the end.
fn quantity(chars: &[char], at: usize) -> Option<(f64, usize)> {
    if at > 0 && (chars[at - 1].is_ascii_digit() || chars[at - 1] == '.') {
        return None;
    }
    let mut k = at;
    while k < chars.len() && chars[k].is_ascii_digit() {
        k += 1;
    }
    if k > at {
        if chars.get(k) == Some(&'.') && chars.get(k + 1).is_some_and(char::is_ascii_digit) {
            k += 1;
            while k < chars.len() && chars[k].is_ascii_digit() {
                k += 1;
            }
        }
        let s: String = chars[at..k].iter().collect();
        return s.parse().ok().map(|v| (v, k));
    }
    if chars.get(at) == Some(&'半') {
        return Some((0.5, at + 1));
    }
    let (n, k) = datetime::cn_number(chars, at)?;
    let half = chars.get(k) == Some(&'半');
    Some((
        f64::from(n) + if half { 0.5 } else { 0.0 },
        k + usize::from(half),
    ))
}

fn unit_at(chars: &[char], at: usize, units: &[(&str, f64)]) -> Option<(f64, usize)> {
    for (unit, factor) in units {
        let u: Vec<char> = unit.chars().collect();
        let matches = chars
            .get(at..at + u.len())
            .is_some_and(|s| s.iter().zip(&u).all(|(a, b)| a.to_ascii_lowercase() == *b));
        if !matches {
            continue;
        }
        let end = at + u.len();
        if unit.is_ascii() && chars.get(end).is_some_and(char::is_ascii_alphanumeric) {
            continue;
        }
        return Some((*factor, end));
    }
    None
}

/// A number as a short decimal string: 5, 2.5, 0.25.
pub(crate) fn decimal(v: f64) -> String {
    let s = format!("{:.3}", (v * 1000.0).round() / 1000.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

fn weights(chars: &[char], out: &mut Vec<Entity>) {
    let mut i = 0;
    while i < chars.len() {
        let Some((n, k)) = quantity(chars, i) else {
            i += 1;
            continue;
        };
        let u = skip_spaces(chars, k);
        let Some((factor, end)) = unit_at(chars, u, WEIGHT_UNITS) else {
            i = k.max(i + 1);
            continue;
        };
        // 5G is a network, not five grams.
        let network =
            chars.get(u) == Some(&'G') || (chars.get(u) == Some(&'g') && k - i == 1 && n == 5.0);
        if network {
            i = end;
            continue;
        }
        out.push(Entity {
            kind: EntityKind::Weight,
            value: decimal(n * factor),
            start: i,
            end,
            detail: None,
        });
        i = end;
    }
}

fn skip_spaces(chars: &[char], mut k: usize) -> usize {
    while chars.get(k).is_some_and(|c| *c == ' ') {
        k += 1;
    }
    k
}

fn is_times(c: char) -> bool {
    matches!(c, '×' | 'x' | 'X' | '*' | '乘' | '✕' | '✖' | '·')
}

fn sizes(chars: &[char], out: &mut Vec<Entity>) {
    let mut i = 0;
    'scan: while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let mut dims = Vec::new();
        let mut factors = Vec::new();
        let mut k = i;
        while let Some((n, e)) = quantity(chars, k) {
            let after = skip_spaces(chars, e);
            let unit = unit_at(chars, after, SIZE_UNITS);
            dims.push(n);
            factors.push(unit.map(|u| u.0));
            k = unit.map_or(e, |u| u.1);
            if dims.len() == 3 {
                break;
            }
            let sep = skip_spaces(chars, k);
            if !chars.get(sep).copied().is_some_and(is_times) {
                break;
            }
            k = skip_spaces(chars, sep + 1);
        }
        if dims.len() != 3 {
            i += 1;
            continue 'scan;
        }
        // One unit written anywhere applies to all; none means centimetres.
        let shared = factors
            .iter()
            .rev()
            .flatten()
            .next()
            .copied()
            .unwrap_or(1.0);
        let cm: Vec<String> = dims
            .iter()
            .zip(&factors)
            .map(|(d, f)| decimal(d * f.unwrap_or(shared)))
            .collect();
        out.push(Entity {
            kind: EntityKind::Size,
            value: cm.join("x"),
            start: i,
            end: k,
            detail: None,
        });
        i = k;
    }
}

/// Places: the address parser finds the best chain of divisions in `chars[from..to]`; its names
/// are located in the text, and the parts before and after are searched again.
fn places(chars: &[char], from: usize, to: usize, out: &mut Vec<Entity>, depth: usize) {
    if from >= to || depth > 4 {
        return;
    }
    let segment: String = chars[from..to].iter().collect();
    let parsed = kefu_regions::parse_address(&segment);
    let regions: Vec<&kefu_regions::Region> = [&parsed.province, &parsed.city, &parsed.district]
        .into_iter()
        .flatten()
        .collect();
    let Some(most_specific) = regions.last() else {
        return;
    };
    let seg: Vec<char> = chars[from..to].to_vec();
    let mut start = None;
    let mut end = 0;
    let mut cursor = 0;
    for region in &regions {
        let official = region.division().map(|d| d.official_name);
        if let Some((s, e)) = locate(&seg, cursor, &region.name, official) {
            start.get_or_insert(s);
            end = e;
            cursor = e;
        }
    }
    let Some(start) = start else {
        return;
    };
    // A bare two-character name of a county-level division (合作, 中山 as a word) needs a cue
    // before it that a place follows: 到, 从, 寄, 在 …
    let written: String = seg[start..end].iter().collect();
    let bare_district = regions.len() == 3
        && parsed.district.as_ref().is_some_and(|d| d.name != written)
        && written.chars().count() <= 2;
    if bare_district {
        let cue = start
            .checked_sub(1)
            .and_then(|i| seg.get(i))
            .is_some_and(|c| "到从寄去往在发至于".contains(*c));
        if !cue {
            places(chars, from, from + start, out, depth + 1);
            places(chars, from + end, to, out, depth + 1);
            return;
        }
    }
    let level = most_specific
        .division()
        .map(|d| match d.level {
            kefu_regions::Level::Province => "province",
            kefu_regions::Level::City => "city",
            kefu_regions::Level::District => "district",
        })
        .unwrap_or("district");
    let mut detail = json!({"code": most_specific.code, "level": level});
    for (key, region) in [
        ("province", &parsed.province),
        ("city", &parsed.city),
        ("district", &parsed.district),
    ] {
        if let Some(r) = region {
            detail[key] = json!(r.name);
        }
    }
    out.push(Entity {
        kind: EntityKind::Place,
        value: most_specific.name.clone(),
        start: from + start,
        end: from + end,
        detail: Some(detail),
    });
    places(chars, from, from + start, out, depth + 1);
    places(chars, from + end, to, out, depth + 1);
}

const SUFFIXES: &[&str] = &[
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
];

/// Where a division's name (full, or a short form of it) is written in `seg`, at or after
/// `cursor`: the longest form that occurs, first occurrence.
fn locate(
    seg: &[char],
    cursor: usize,
    name: &str,
    official: Option<&str>,
) -> Option<(usize, usize)> {
    let mut forms: Vec<String> = vec![name.to_owned()];
    if let Some(o) = official {
        forms.push(o.to_owned());
    }
    for s in SUFFIXES {
        if let Some(base) = name.strip_suffix(s)
            && base.chars().count() >= 2
        {
            forms.push(base.to_owned());
        }
    }
    let chars: Vec<char> = name.chars().collect();
    if chars.len() > 2 {
        for n in [3, 2] {
            if chars.len() > n {
                let head: String = chars[..n].iter().collect();
                forms.push(format!("{head}州"));
                forms.push(head);
            }
        }
    }
    let mut seen = HashSet::new();
    forms.retain(|f| seen.insert(f.clone()));
    forms.sort_by_key(|f| std::cmp::Reverse(f.chars().count()));
    for form in forms {
        let f: Vec<char> = form.chars().collect();
        if f.is_empty() || f.len() > seg.len() {
            continue;
        }
        for s in cursor..=seg.len() - f.len() {
            if seg[s..s + f.len()] == f[..] {
                return Some((s, s + f.len()));
            }
        }
    }
    None
}

/// Words right before a place that make it where a parcel starts (从杭州, 寄件人在杭州).
const ORIGIN_CUES: &[&str] = &[
    "寄件地址",
    "发件地址",
    "取件地址",
    "发货地址",
    "寄件人",
    "发件人",
    "发货地",
    "始发地",
    "从",
    "由",
    "自",
];

/// Words right before a place that make it where a parcel goes (寄到北京, 收件人在成都, 回湖南).
const DESTINATION_CUES: &[&str] = &[
    "收件地址",
    "收货地址",
    "目的地",
    "收件人",
    "收货人",
    "改成",
    "到",
    "至",
    "往",
    "去",
    "寄",
    "发",
    "回",
];

/// Words between a place and the next one that make the first the origin (广州到成都,
/// 杭州发厦门, 上海→北京).
const ROUTE_JOINERS: &[&str] = &[
    "寄到", "发到", "寄往", "发往", "寄去", "发去", "寄", "发", "到", "至", "-", "—", "→", "~",
    "～",
];

/// Characters skipped between a cue and the place (寄件人在：杭州).
fn is_cue_filler(c: char) -> bool {
    matches!(c, ' ' | '在' | '是' | ':' | '：' | '为')
}

/// Where the written text of `cue` ends right before `at`, skipping fillers.
fn cue_before(chars: &[char], at: usize, cues: &[&str]) -> bool {
    let mut end = at;
    let mut skipped = 0;
    while end > 0 && skipped < 3 && is_cue_filler(chars[end - 1]) {
        end -= 1;
        skipped += 1;
    }
    cues.iter().any(|cue| {
        let c: Vec<char> = cue.chars().collect();
        end >= c.len() && chars[end - c.len()..end] == c[..]
    })
}

/// The route joiner written at `at` (after spaces), if any: the index after it.
fn joiner_at(chars: &[char], at: usize) -> Option<usize> {
    let at = skip_spaces(chars, at);
    ROUTE_JOINERS.iter().find_map(|j| {
        let c: Vec<char> = j.chars().collect();
        (chars.get(at..at + c.len()) == Some(&c[..])).then_some(at + c.len())
    })
}

/// Endings of the street part of an address: a road, a house number, a building, a room.
const STREET_ENDINGS: &[&str] = &[
    "号楼", "号院", "号", "路", "街", "大道", "巷", "弄", "胡同", "栋", "幢", "座", "单元", "室",
    "层", "楼", "小区", "大厦", "公寓", "花园", "广场", "村", "组", "街道",
];

/// Words that make a street ending a street: the street's name must hold one of these or a digit
/// (so that 路 in 一路顺风 or 楼 in 楼下 alone does not make an address).
const STREET_WORDS: &[&str] = &[
    "路", "街", "大道", "巷", "弄", "胡同", "小区", "大厦", "公寓", "花园", "广场", "村", "街道",
];

/// Characters that cannot start a street (杭州的网点, 北京有网点吗).
const NOT_STREET_START: &str = "的有是在吗呢吧啊都也还就了和跟与或到寄发";

/// The street part of an address written right after a place ending at `at`: letters, digits
/// and Chinese up to the next punctuation, space or entity, cut after its last street ending.
fn street_after(chars: &[char], at: usize, next_entity: usize) -> Option<(usize, usize)> {
    let first = *chars.get(at)?;
    if NOT_STREET_START.contains(first) {
        return None;
    }
    let mut end = at;
    while end < next_entity
        && end - at < 40
        && (chars[end].is_alphanumeric() || matches!(chars[end], '-' | '#'))
    {
        end += 1;
    }
    let run = &chars[at..end];
    let last_ending = STREET_ENDINGS
        .iter()
        .filter_map(|ending| {
            let e: Vec<char> = ending.chars().collect();
            (e.len()..=run.len())
                .rev()
                .find(|&k| run[k - e.len()..k] == e[..])
        })
        .max()?;
    let street = &run[..last_ending];
    let text: String = street.iter().collect();
    let named =
        street.iter().any(char::is_ascii_digit) || STREET_WORDS.iter().any(|w| text.contains(w));
    named.then_some((at, at + last_ending))
}

/// Adds to every place what the message says about it: its `role` (`origin` or `destination`)
/// when a cue says so, and the `street` written after it with the whole `address` as written
/// (上海市浦东新区张江路100号), so that a pickup or a price need not ask again.
fn annotate_places(chars: &[char], entities: &mut [Entity]) {
    let place_starts: Vec<usize> = entities
        .iter()
        .filter(|e| e.kind == EntityKind::Place)
        .map(|e| e.start)
        .collect();
    let starts: Vec<usize> = entities.iter().map(|e| e.start).collect();
    // The start of the place a route joiner leads to (上海 → 昆明: 昆明).
    let mut route_end: Option<usize> = None;
    for e in entities.iter_mut().filter(|e| e.kind == EntityKind::Place) {
        let next_entity = starts
            .iter()
            .copied()
            .filter(|&s| s >= e.end)
            .min()
            .unwrap_or(chars.len());
        let joined_to = joiner_at(chars, e.end)
            .map(|after| skip_spaces(chars, after))
            .filter(|next| place_starts.contains(next));
        let role = if cue_before(chars, e.start, ORIGIN_CUES) {
            Some("origin")
        } else if cue_before(chars, e.start, DESTINATION_CUES) || route_end == Some(e.start) {
            Some("destination")
        } else if joined_to.is_some() {
            Some("origin")
        } else {
            None
        };
        route_end = joined_to;
        let street = street_after(chars, e.end, next_entity);
        let Some(detail) = e.detail.as_mut() else {
            continue;
        };
        if let Some(role) = role {
            detail["role"] = json!(role);
        }
        if let Some((s, t)) = street {
            detail["street"] = json!(chars[s..t].iter().collect::<String>());
            detail["address"] = json!(chars[e.start..t].iter().collect::<String>());
        }
    }
}

/// Keeps the strongest of overlapping entities: numbers first, then sizes and weights, dates,
/// places and items; a longer span wins within a kind.
fn resolve_overlaps(mut found: Vec<Entity>) -> Vec<Entity> {
    let rank = |k: EntityKind| match k {
        EntityKind::OrderNo => 0,
        EntityKind::Waybill => 1,
        EntityKind::Mobile => 2,
        EntityKind::Size => 3,
        EntityKind::Weight => 4,
        EntityKind::Datetime => 5,
        EntityKind::Place => 6,
        EntityKind::Item => 7,
    };
    found.sort_by_key(|e| (rank(e.kind), std::cmp::Reverse(e.end - e.start), e.start));
    let mut kept: Vec<Entity> = Vec::new();
    for e in found {
        if e.start < e.end && !kept.iter().any(|k| e.start < k.end && k.start < e.end) {
            kept.push(e);
        }
    }
    kept.sort_by_key(|e| (e.start, e.end));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals() {
        assert_eq!(decimal(5.0), "5");
        assert_eq!(decimal(2.5), "2.5");
        assert_eq!(decimal(0.5), "0.5");
        assert_eq!(decimal(0.25), "0.25");
        assert_eq!(decimal(0.0), "0");
    }
}
