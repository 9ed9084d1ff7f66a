//! Finding divisions in free-text addresses.
//!
//! Every division is known by its full name and by the short names of [`crate::names`]. From
//! each place in the text where a name starts, a search chains names that go down the hierarchy
//! (province → city → district; levels may be skipped, and a name may be repeated, as in
//! 北京 北京市 朝阳区), skipping whitespace and punctuation between them. The chain that covers the
//! most characters wins (then: fewer short names, fewer repeats, an earlier start, a province
//! rather than a lower division of the same short name). When several chains tie — 朝阳区 alone
//! is in 北京 and in 长春 — only the levels they all agree on are kept, so an ambiguous name is
//! left unresolved rather than guessed.
//!
//! Short names are held to more: one that ends the chain must not run on into a road or a
//! building (朝阳门, 西湖大道), and a short 区/县 name alone (南山, 平安) is not enough to place an
//! address; names are at least two characters long.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::{Division, Kind, Level, at};

/// A division as a plain value, for storing with an address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Region {
    /// 6-digit code.
    pub code: String,
    /// Display name ([`Division::name`]).
    pub name: String,
}

impl From<&Division> for Region {
    fn from(d: &Division) -> Self {
        Region {
            code: d.code.to_owned(),
            name: d.name.to_owned(),
        }
    }
}

impl Region {
    /// The division this region names, if the code is in the table.
    pub fn division(&self) -> Option<&'static Division> {
        crate::division(&self.code)
    }
}

/// What [`parse_address`] found.
///
/// `city` is `None` when the district sits directly under its province (仙桃市 in 湖北,
/// 石河子市 in 新疆: the data's `省直辖县级行政区划` placeholder is not a city), and for 重庆
/// without a district (the data splits it into 市辖区 500100 and 县 500200). For 北京, 天津 and
/// 上海 it is the municipality itself (110100 北京市).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ParsedAddress {
    pub province: Option<Region>,
    pub city: Option<Region>,
    pub district: Option<Region>,
    /// The text after the division names, trimmed, without phone numbers. The whole text
    /// (cleaned the same way) when no division was recognised.
    pub detail: String,
}

impl ParsedAddress {
    /// The code of the most specific division found (district, else city, else province).
    pub fn most_specific_code(&self) -> Option<&str> {
        self.district
            .as_ref()
            .or(self.city.as_ref())
            .or(self.province.as_ref())
            .map(|r| r.code.as_str())
    }
}

/// Parses a free-text Chinese address into province, city, district and the rest.
///
/// Handles full names (广东省深圳市南山区…), short names (广东深圳南山区…, 深圳南山…), missing levels
/// (杭州市西湖区…, 江苏省昆山市…), repeated names (北京 北京市 朝阳区…), and text around the
/// address (names, phone numbers, commas). Only the first 256 characters are searched.
pub fn parse_address(text: &str) -> ParsedAddress {
    let index = &*INDEX;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut search = Search {
        text,
        chars: &chars,
        index,
        best: Vec::new(),
        best_score: None,
        segs: Vec::with_capacity(MAX_SEGMENTS),
    };
    for (start, &(_, c)) in chars.iter().enumerate().take(MAX_SCAN_CHARS) {
        if index.max_chars.contains_key(&c) {
            search.extend(start, start, None, 0, 0, 0);
        }
    }
    search.finish()
}

/// How far into the text an address may start.
const MAX_SCAN_CHARS: usize = 256;
/// Names in one chain, repeats included.
const MAX_SEGMENTS: usize = 5;

/// Characters skipped between division names.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | '，' | '、' | ';' | '；' | ':' | '：' | '/' | '|' | '-' | '_' | '·' | '.' | '。'
        )
}

/// Whether `c`, right after a short name of the division at `index`, is a suffix of its level
/// (`rest` starts with `c`).
fn takes_suffix(index: u16, c: char, rest: &str) -> bool {
    let Some(d) = at(index) else { return false };
    let fits = match d.level {
        Level::Province => matches!(c, '省' | '市'),
        Level::City => matches!(c, '市' | '州'),
        Level::District => matches!(c, '区' | '县' | '市' | '旗'),
    };
    fits && !rest.starts_with("市场")
}

/// A short name that ends the chain must not run on into a road, a gate, a building or a market:
/// 北京市朝阳门外大街 is not in 朝阳区, 杭州市西湖大道 not necessarily in 西湖区.
fn ends_a_short_name(rest: &str) -> bool {
    let mut chars = rest.chars();
    let next = chars.next();
    if next == Some('市') {
        // 朝阳市场 is a market; 莱芜市 is the 莱芜区 of today.
        return chars.next() != Some('场');
    }
    !matches!(
        next,
        Some(
            '路' | '街'
                | '道'
                | '巷'
                | '弄'
                | '胡'
                | '村'
                | '门'
                | '桥'
                | '大'
                | '广'
                | '公'
                | '站'
                | '寺'
                | '庙'
                | '塔'
                | '宫'
                | '厦'
                | '馆'
                | '苑'
                | '园'
                | '里'
                | '湾'
                | '港'
                | '镇'
                | '乡'
        )
    )
}

#[derive(Clone, Copy)]
struct Alias {
    index: u16,
    short: bool,
}

struct Index {
    aliases: HashMap<Box<str>, Vec<Alias>>,
    /// Longest alias (in chars) starting with a given char.
    max_chars: HashMap<char, usize>,
}

static INDEX: LazyLock<Index> = LazyLock::new(Index::build);

impl Index {
    fn build() -> Index {
        let mut aliases: HashMap<Box<str>, Vec<Alias>> = HashMap::new();
        let mut add = |name: &str, index: u16, short: bool| {
            if name.chars().count() < 2 {
                return;
            }
            let list = aliases.entry(name.into()).or_default();
            if !list.iter().any(|a| a.index == index) {
                list.push(Alias { index, short });
            }
        };
        for (i, d) in crate::all().enumerate() {
            let Ok(index) = u16::try_from(i) else { break };
            add(d.official_name, index, false);
            if d.kind() == Kind::Regular {
                for short in crate::names::short_names(d.name, d.level) {
                    add(&short, index, true);
                }
            }
        }
        let mut max_chars: HashMap<char, usize> = HashMap::new();
        for name in aliases.keys() {
            if let Some(first) = name.chars().next() {
                let n = name.chars().count();
                let m = max_chars.entry(first).or_default();
                *m = (*m).max(n);
            }
        }
        Index { aliases, max_chars }
    }
}

#[derive(Clone, Copy)]
struct Seg {
    index: u16,
    /// Byte offset just past the name.
    end: usize,
}

/// Higher is better: characters covered, then fewer short names, fewer repeated names, an earlier
/// start, a province reading.
type Score = (
    usize,
    std::cmp::Reverse<usize>,
    std::cmp::Reverse<usize>,
    std::cmp::Reverse<usize>,
    bool,
);

struct Candidate {
    /// Province, city, district (by index), from the chain's deepest division.
    levels: [Option<u16>; 3],
    segs: Vec<Seg>,
    start: usize,
}

struct Search<'a> {
    text: &'a str,
    chars: &'a [(usize, char)],
    index: &'a Index,
    best: Vec<Candidate>,
    best_score: Option<Score>,
    segs: Vec<Seg>,
}

fn level_slot(level: Level) -> usize {
    match level {
        Level::Province => 0,
        Level::City => 1,
        Level::District => 2,
    }
}

/// Whether the division at `index` is strictly under the one at `ancestor`.
fn is_under(index: u16, ancestor: u16) -> bool {
    let mut d = at(index).and_then(Division::parent_index);
    while let Some(p) = d {
        if p == ancestor {
            return true;
        }
        d = at(p).and_then(Division::parent_index);
    }
    false
}

fn levels_of(index: u16) -> [Option<u16>; 3] {
    let mut out = [None; 3];
    let mut d = Some(index);
    while let Some(i) = d {
        let Some(div) = at(i) else { break };
        out[level_slot(div.level)] = Some(i);
        d = div.parent_index();
    }
    out
}

impl Search<'_> {
    fn byte_at(&self, char_pos: usize) -> usize {
        self.chars
            .get(char_pos)
            .map_or(self.text.len(), |&(b, _)| b)
    }

    fn skip_separators(&self, mut pos: usize) -> usize {
        while let Some(&(_, c)) = self.chars.get(pos) {
            if !is_separator(c) {
                break;
            }
            pos += 1;
        }
        pos
    }

    /// Tries every name at char position `pos` that continues the chain ending in `deepest`.
    fn extend(
        &mut self,
        start: usize,
        pos: usize,
        deepest: Option<u16>,
        covered: usize,
        shorts: usize,
        repeats: usize,
    ) {
        let Some(&(from, first)) = self.chars.get(pos) else {
            return;
        };
        let Some(&max) = self.index.max_chars.get(&first) else {
            return;
        };
        let index = self.index;
        let longest = max.min(self.chars.len() - pos);
        for len in (2..=longest).rev() {
            let end = self.byte_at(pos + len);
            let Some(aliases) = index.aliases.get(&self.text[from..end]) else {
                continue;
            };
            let next_char = self.chars.get(pos + len).map(|&(_, c)| c);
            for alias in aliases {
                let repeat = deepest == Some(alias.index);
                if repeat {
                    // 北京北京市朝阳区: a repeated name must be a full name or stand alone, so
                    // that 深圳市深圳湾 does not read 深圳 twice.
                    let alone = next_char.is_none_or(is_separator);
                    if repeats > 0 || (alias.short && !alone) {
                        continue;
                    }
                } else if let Some(deepest) = deepest
                    && !is_under(alias.index, deepest)
                {
                    continue;
                }
                // A short name may carry a suffix of its level that is not its own: 浦东区,
                // 莱芜市 (a 区 since 2019). Both readings are tried, so that 青岛市南区 is still
                // 青岛 + 市南区.
                let suffixed = alias.short
                    && !repeat
                    && next_char.is_some_and(|c| takes_suffix(alias.index, c, &self.text[end..]));
                for extra in 0..=usize::from(suffixed) {
                    let len = len + extra;
                    let end = self.byte_at(pos + len);
                    self.segs.push(Seg {
                        index: alias.index,
                        end,
                    });
                    let covered = covered + len;
                    let shorts = shorts + usize::from(alias.short);
                    let repeats = repeats + usize::from(repeat);
                    if !alias.short || ends_a_short_name(&self.text[end..]) {
                        self.record(start, covered, shorts, repeats);
                    }
                    if self.segs.len() < MAX_SEGMENTS {
                        let next = self.skip_separators(pos + len);
                        self.extend(start, next, Some(alias.index), covered, shorts, repeats);
                    }
                    self.segs.pop();
                }
            }
        }
    }

    fn record(&mut self, start: usize, covered: usize, shorts: usize, repeats: usize) {
        let Some(last) = self.segs.last() else {
            return;
        };
        if let [only] = self.segs.as_slice()
            && shorts == 1
            && let Some(d) = at(only.index)
            && d.level == Level::District
            && !d.name.ends_with('市')
            && !self.text[self.byte_at(start)..only.end].ends_with(['区', '县', '市', '旗'])
        {
            // A bare short 区/县 name alone (平安, 光明, 南山) is too weak a sign; county-level
            // cities (义乌, 昆山) are known by their short names, and 石柱县 or 浦东区 is explicit
            // enough.
            return;
        }
        let levels = levels_of(last.index);
        let province_only = levels[1].is_none() && levels[2].is_none();
        let score: Score = (
            covered,
            std::cmp::Reverse(shorts),
            std::cmp::Reverse(repeats),
            std::cmp::Reverse(start),
            province_only,
        );
        match self.best_score {
            Some(best) if score < best => return,
            Some(best) if score == best => {}
            _ => {
                self.best.clear();
                self.best_score = Some(score);
            }
        }
        self.best.push(Candidate {
            levels,
            segs: self.segs.clone(),
            start,
        });
    }

    fn finish(self) -> ParsedAddress {
        let Some(first) = self.best.first() else {
            return ParsedAddress {
                detail: clean_detail(self.text),
                ..ParsedAddress::default()
            };
        };
        // Keep each level only where all the best chains agree.
        let mut agreed = first.levels;
        for c in &self.best[1..] {
            for (slot, level) in agreed.iter_mut().zip(c.levels) {
                if *slot != level {
                    *slot = None;
                }
            }
        }
        // A city or district without its parent cannot happen (parents follow from children),
        // but make sure the agreed levels form a chain.
        if agreed[0].is_none() {
            agreed = [None; 3];
        } else if agreed[1].is_none() && agreed[2].is_some() {
            agreed[2] = None;
        }
        // The detail starts after the last name that told something all chains agree on: in
        // 江苏鼓楼区 (南京 or 徐州) after 江苏; in 长沙 (the city or 长沙县) after 长沙.
        let mut detail_from: Option<usize> = None;
        for c in &self.best {
            let mut end = self.byte_at(c.start);
            let mut named = 0;
            for seg in &c.segs {
                let told = levels_of(seg.index)
                    .iter()
                    .zip(agreed)
                    .rposition(|(l, a)| a.is_some() && *l == a)
                    .map_or(0, |slot| slot + 1);
                if agreed.contains(&Some(seg.index)) {
                    end = seg.end;
                    named = told;
                } else {
                    if told > named {
                        end = seg.end;
                    }
                    break;
                }
            }
            detail_from = Some(detail_from.map_or(end, |d| d.min(end)));
        }
        let detail_from = detail_from.unwrap_or(0);

        let region = |slot: Option<u16>| slot.and_then(at).map(Region::from);
        let province = agreed[0].and_then(at);
        let mut city = agreed[1].and_then(at);
        if let Some(c) = city
            && c.kind() == Kind::DirectCounties
        {
            city = None;
        }
        if city.is_none()
            && agreed[2].is_none()
            && let Some(p) = province
        {
            // 北京, 天津, 上海 have a single city-level entry: the municipality itself.
            let mut children = p.children();
            if let (Some(only), None) = (children.next(), children.next())
                && only.kind() == Kind::MunicipalDistricts
            {
                city = Some(only);
            }
        }
        let text = if agreed[0].is_some() {
            &self.text[detail_from..]
        } else {
            self.text
        };
        ParsedAddress {
            province: province.map(Region::from),
            city: city.map(Region::from),
            district: region(agreed[2]),
            detail: clean_detail(text),
        }
    }
}

const PHONE_LABELS: [&str; 10] = [
    "联系电话",
    "电话号码",
    "手机号码",
    "联系方式",
    "手机号",
    "电话",
    "手机",
    "tel",
    "TEL",
    "Tel",
];

/// Length in chars of a phone number starting at `i` (7 or more digits, optionally `+86`, with
/// `-` between groups), or `None`.
fn phone_at(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && chars[i - 1].is_ascii_digit() {
        return None;
    }
    let mut j = i;
    if chars.get(j) == Some(&'+') {
        j += 1;
    }
    let mut digits = 0;
    while let Some(&c) = chars.get(j) {
        if c.is_ascii_digit() {
            digits += 1;
            j += 1;
        } else if (c == '-' || (c == ' ' && digits == 2 && chars[i] == '+'))
            && digits > 0
            && chars.get(j + 1).is_some_and(char::is_ascii_digit)
        {
            j += 1;
        } else {
            break;
        }
    }
    (digits >= 7).then_some(j - i)
}

/// Removes phone numbers (with a label before them), collapses whitespace and trims
/// separators from both ends.
fn clean_detail(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if let Some(len) = phone_at(&chars, i) {
            let trimmed =
                out.trim_end_matches(|c: char| c.is_whitespace() || c == ':' || c == '：');
            let mut keep = trimmed.len();
            if let Some(label) = PHONE_LABELS.iter().find(|l| trimmed.ends_with(**l)) {
                keep -= label.len();
            }
            out.truncate(keep);
            out.push(' ');
            i += len;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    let mut collapsed = String::with_capacity(out.len());
    for word in out.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed.trim_matches(is_separator).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> (Option<String>, Option<String>, Option<String>, String) {
        let p = parse_address(text);
        (
            p.province.map(|r| r.code),
            p.city.map(|r| r.code),
            p.district.map(|r| r.code),
            p.detail,
        )
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn full_names() {
        assert_eq!(
            codes("广东省深圳市南山区科技园科苑路15号"),
            (
                s("440000"),
                s("440300"),
                s("440305"),
                "科技园科苑路15号".to_owned()
            )
        );
    }

    #[test]
    fn municipality_city_is_the_municipality() {
        let p = parse_address("北京市朝阳区建国路88号");
        let city = p.city.unwrap();
        assert_eq!(
            (city.code.as_str(), city.name.as_str()),
            ("110100", "北京市")
        );
        assert_eq!(p.district.unwrap().code, "110105");
        assert_eq!(p.detail, "建国路88号");
        assert_eq!(parse_address("上海").city.unwrap().code, "310100");
        assert_eq!(parse_address("重庆").city, None);
    }

    #[test]
    fn a_short_name_before_a_road_is_not_a_district() {
        assert_eq!(
            codes("北京市朝阳门外大街1号"),
            (s("110000"), s("110100"), None, "朝阳门外大街1号".to_owned())
        );
    }

    #[test]
    fn phone_numbers_are_removed_from_the_detail() {
        assert_eq!(
            clean_detail("，科技园 15号 电话：13800138000 "),
            "科技园 15号"
        );
        assert_eq!(clean_detail("科技园15号 +86 138-0013-8000"), "科技园15号");
        assert_eq!(clean_detail("0755-86013388 转 8"), "转 8");
        assert_eq!(clean_detail("3栋1201室"), "3栋1201室");
    }

    #[test]
    fn nothing_recognised() {
        let p = parse_address("  Room 5, Some Street  ");
        assert_eq!(
            p,
            ParsedAddress {
                detail: "Room 5, Some Street".to_owned(),
                ..Default::default()
            }
        );
        assert_eq!(parse_address("").most_specific_code(), None);
    }

    /// Every district of the table, written with full names, with short names, and without the
    /// province, is found again — except where the text is truly ambiguous.
    #[test]
    fn every_district_is_found() {
        use crate::names::short_names;
        let first_short = |d: &Division| short_names(d.name, d.level).into_iter().next();
        // Same short name for two districts of one city (临夏市/临夏县, 和田市/和田县,
        // 伊宁市/伊宁县, 井陉县/井陉矿区), so `<city> <short>` cannot tell them apart.
        let ambiguous_short = [
            "622901", "622921", "653201", "653221", "654002", "654021", "130121", "130107",
        ];
        let mut checked = 0;
        for d in crate::all().filter(|d| d.level == Level::District) {
            let city = d.parent().unwrap();
            let province = city.parent().unwrap();
            let city_full = if city.is_placeholder() { "" } else { city.name };
            let mut texts = vec![format!("{}{city_full}{}人民路1号", province.name, d.name)];
            if !d.is_functional_zone() {
                let p = first_short(province).unwrap_or(province.name.to_owned());
                let c = if city.is_placeholder() {
                    String::new()
                } else {
                    first_short(city).unwrap_or(city.name.to_owned())
                };
                texts.push(format!("{p}{c}{}人民路1号", d.name));
                if !ambiguous_short.contains(&d.code) {
                    let short = first_short(d).unwrap_or(d.name.to_owned());
                    texts.push(format!("{p} {c} {short} 人民路1号"));
                }
                if !city.is_placeholder() {
                    texts.push(format!("{c}{}，人民路1号", d.name));
                }
            }
            for text in texts {
                let parsed = parse_address(&text);
                assert_eq!(
                    parsed.district.as_ref().map(|r| r.code.as_str()),
                    Some(d.code),
                    "{text}: {parsed:?}"
                );
                assert_eq!(parsed.province.unwrap().code, province.code, "{text}");
                assert_eq!(parsed.detail, "人民路1号", "{text}");
                checked += 1;
            }
        }
        assert!(checked > 11_000, "{checked}");
    }

    #[test]
    fn every_city_is_found() {
        for city in crate::all().filter(|d| d.level == Level::City && !d.is_placeholder()) {
            let province = city.parent().unwrap();
            let parsed = parse_address(&format!("{}{}，人民路1号", province.name, city.name));
            assert_eq!(
                parsed.city.map(|r| r.code),
                Some(city.code.to_owned()),
                "{}",
                city.name
            );
            assert_eq!(parsed.district, None);
            assert_eq!(parsed.detail, "人民路1号");
        }
    }
}
