//! Dates and times in customer messages: 今天/明天/后天/大后天, 上午/中午/下午/晚上, 11月25日,
//! 11-25, 2026-11-25, 周五/下周一, 3点/15:30/下午三点半, and their English forms ("tomorrow
//! afternoon", "next monday", "3pm"), resolved against a `now` and a time zone passed in.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde_json::json;

/// A part of the day: its code, the hour it stands for, and its window `[from, to)` in hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Part {
    pub code: &'static str,
    pub hour: i8,
    pub from: i8,
    pub to: i8,
}

const EARLY: Part = Part {
    code: "early_morning",
    hour: 5,
    from: 0,
    to: 6,
};
const MORNING: Part = Part {
    code: "morning",
    hour: 9,
    from: 8,
    to: 12,
};
const NOON: Part = Part {
    code: "noon",
    hour: 12,
    from: 11,
    to: 13,
};
const AFTERNOON: Part = Part {
    code: "afternoon",
    hour: 14,
    from: 13,
    to: 18,
};
const EVENING: Part = Part {
    code: "evening",
    hour: 19,
    from: 18,
    to: 22,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Day {
    /// Days from today.
    Relative(i64),
    /// A weekday (Monday = 1) in a week relative to this one; `None` is "the coming one".
    Weekday { week: Option<i64>, weekday: i8 },
    Date {
        year: Option<i16>,
        month: i8,
        day: i8,
    },
    /// A day of this month (25号).
    OfMonth(i8),
}

/// Hour and minute as written, and whether an English "pm" (true) or "am" (false) was given.
type Clock = (i8, i8, Option<bool>);

#[derive(Debug, Default, Clone, Copy)]
struct Spec {
    day: Option<Day>,
    part: Option<Part>,
    clock: Option<Clock>,
}

/// A date-time found in the text: its char span, normalised value and detail.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    pub start: usize,
    pub end: usize,
    pub value: String,
    pub detail: Option<serde_json::Value>,
}

/// Every date-time expression in `chars`, resolved against `now` in `tz`.
pub(crate) fn find(chars: &[char], now: Timestamp, tz: &TimeZone) -> Vec<Found> {
    let today = tz.to_datetime(now).date();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some((end, spec)) = parse_at(chars, i)
            && let Some((value, detail)) = resolve(spec, today, tz)
        {
            out.push(Found {
                start: i,
                end,
                value,
                detail,
            });
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

fn starts_with(chars: &[char], at: usize, word: &str) -> bool {
    (at..)
        .zip(word.chars())
        .all(|(k, c)| chars.get(k) == Some(&c))
}

fn is_letter(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphabetic())
}

/// `word` (ASCII, lower case) at `at` as a whole English word, case-insensitively.
fn english(chars: &[char], at: usize, word: &str) -> Option<usize> {
    if at > 0 && is_letter(chars.get(at - 1)) {
        return None;
    }
    let mut k = at;
    for w in word.chars() {
        let c = chars.get(k)?;
        if c.to_ascii_lowercase() != w {
            return None;
        }
        k += 1;
    }
    (!is_letter(chars.get(k))).then_some(k)
}

fn digits_at(chars: &[char], at: usize, max: usize) -> Option<(u32, usize)> {
    let mut k = at;
    let mut n: u32 = 0;
    while k < chars.len() && k - at < max {
        let Some(d) = chars[k].to_digit(10) else {
            break;
        };
        if !chars[k].is_ascii_digit() {
            break;
        }
        n = n * 10 + d;
        k += 1;
    }
    (k > at).then_some((n, k))
}

/// A small Chinese numeral (0–99): 三, 十一, 二十五, 两.
pub(crate) fn cn_number(chars: &[char], at: usize) -> Option<(u32, usize)> {
    let digit = |c: char| -> Option<u32> {
        Some(match c {
            '零' | '〇' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    let mut k = at;
    let mut value = 0;
    if let Some(d) = chars.get(k).copied().and_then(digit) {
        value = d;
        k += 1;
    }
    if chars.get(k) == Some(&'十') {
        value = if k == at { 10 } else { value * 10 };
        k += 1;
        if let Some(d) = chars.get(k).copied().and_then(digit) {
            value += d;
            k += 1;
        }
    }
    (k > at).then_some((value, k))
}

fn number_at(chars: &[char], at: usize) -> Option<(u32, usize, bool)> {
    if at > 0 && chars[at - 1].is_ascii_digit() {
        return None;
    }
    if let Some((n, k)) = digits_at(chars, at, 4) {
        return Some((n, k, true));
    }
    cn_number(chars, at).map(|(n, k)| (n, k, false))
}

const RELATIVE: &[(&str, i64, Option<Part>)] = &[
    ("大后天", 3, None),
    ("大前天", -3, None),
    ("今天", 0, None),
    ("今日", 0, None),
    ("今儿", 0, None),
    ("今早", 0, Some(MORNING)),
    ("今晚", 0, Some(EVENING)),
    ("明天", 1, None),
    ("明日", 1, None),
    ("明儿", 1, None),
    ("明早", 1, Some(MORNING)),
    ("明晚", 1, Some(EVENING)),
    ("后天", 2, None),
    ("昨天", -1, None),
    ("昨日", -1, None),
    ("昨晚", -1, Some(EVENING)),
    ("前天", -2, None),
];

const RELATIVE_EN: &[(&str, i64, Option<Part>)] = &[
    ("the day after tomorrow", 2, None),
    ("day after tomorrow", 2, None),
    ("tomorrow", 1, None),
    ("tmr", 1, None),
    ("today", 0, None),
    ("tonight", 0, Some(EVENING)),
    ("yesterday", -1, None),
];

const PARTS: &[(&str, Part)] = &[
    ("凌晨", EARLY),
    ("早上", MORNING),
    ("早晨", MORNING),
    ("清晨", MORNING),
    ("上午", MORNING),
    ("中午", NOON),
    ("正午", NOON),
    ("下午", AFTERNOON),
    ("傍晚", EVENING),
    ("晚上", EVENING),
    ("晚间", EVENING),
    ("夜里", EVENING),
    ("夜间", EVENING),
];

const PARTS_EN: &[(&str, Part)] = &[
    ("in the morning", MORNING),
    ("in the afternoon", AFTERNOON),
    ("in the evening", EVENING),
    ("morning", MORNING),
    ("noon", NOON),
    ("afternoon", AFTERNOON),
    ("evening", EVENING),
    ("night", EVENING),
];

const WEEKDAYS_EN: &[(&str, i8)] = &[
    ("monday", 1),
    ("tuesday", 2),
    ("wednesday", 3),
    ("thursday", 4),
    ("friday", 5),
    ("saturday", 6),
    ("sunday", 7),
    ("mon", 1),
    ("tue", 2),
    ("wed", 3),
    ("thu", 4),
    ("fri", 5),
    ("sat", 6),
    ("sun", 7),
];

fn parse_day(chars: &[char], at: usize) -> Option<(usize, Day, Option<Part>)> {
    for (word, days, part) in RELATIVE {
        if starts_with(chars, at, word) {
            return Some((at + word.chars().count(), Day::Relative(*days), *part));
        }
    }
    for (word, days, part) in RELATIVE_EN {
        if let Some(end) = english(chars, at, word) {
            return Some((end, Day::Relative(*days), *part));
        }
    }
    if let Some(found) = parse_weekday(chars, at) {
        return Some(found);
    }
    parse_date(chars, at).map(|(end, day)| (end, day, None))
}

fn parse_weekday(chars: &[char], at: usize) -> Option<(usize, Day, Option<Part>)> {
    // Chinese: (下下|下个|下|这个|这|本|上个|上)?(周|星期|礼拜)X
    let prefixes: &[(&str, Option<i64>)] = &[
        ("下下个", Some(2)),
        ("下下", Some(2)),
        ("下个", Some(1)),
        ("下", Some(1)),
        ("这个", Some(0)),
        ("这", Some(0)),
        ("本", Some(0)),
        ("上个", Some(-1)),
        ("上", Some(-1)),
        ("", None),
    ];
    for (prefix, week) in prefixes {
        if !starts_with(chars, at, prefix) {
            continue;
        }
        let k = at + prefix.chars().count();
        for marker in ["星期", "礼拜", "周"] {
            if !starts_with(chars, k, marker) {
                continue;
            }
            let d = k + marker.chars().count();
            let weekday = match chars.get(d) {
                Some('一' | '1') => 1,
                Some('二' | '2') => 2,
                Some('三' | '3') => 3,
                Some('四' | '4') => 4,
                Some('五' | '5') => 5,
                Some('六' | '6' | '末') => 6,
                Some('日' | '天' | '7') => 7,
                _ => continue,
            };
            // 周1 followed by more digits is not a weekday.
            if chars.get(d + 1).is_some_and(char::is_ascii_digit) {
                continue;
            }
            return Some((
                d + 1,
                Day::Weekday {
                    week: *week,
                    weekday,
                },
                None,
            ));
        }
    }
    // English: (next |this )?monday
    let (week, k) = if let Some(end) = english(chars, at, "next") {
        (Some(1), skip_spaces(chars, end))
    } else if let Some(end) = english(chars, at, "this") {
        (Some(0), skip_spaces(chars, end))
    } else {
        (None, at)
    };
    for (word, weekday) in WEEKDAYS_EN {
        if let Some(end) = english(chars, k, word) {
            return Some((
                end,
                Day::Weekday {
                    week,
                    weekday: *weekday,
                },
                None,
            ));
        }
    }
    None
}

fn skip_spaces(chars: &[char], mut k: usize) -> usize {
    while chars.get(k).is_some_and(|c| c.is_whitespace()) {
        k += 1;
    }
    k
}

fn valid_md(month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

fn parse_date(chars: &[char], at: usize) -> Option<(usize, Day)> {
    let (first, k, digits) = number_at(chars, at)?;
    // YYYY年M月D日 / YYYY-MM-DD / YYYY/MM/DD
    if digits && k - at == 4 {
        let year = i16::try_from(first).ok()?;
        let sep = *chars.get(k)?;
        if matches!(sep, '年' | '-' | '/' | '.') {
            let (month, k2, _) = number_at(chars, k + 1)?;
            let sep2 = *chars.get(k2)?;
            let ok = if sep == '年' {
                sep2 == '月'
            } else {
                sep2 == sep
            };
            if ok {
                let (day, mut k3, _) = number_at(chars, k2 + 1)?;
                if valid_md(month, day) {
                    if matches!(chars.get(k3), Some('日' | '号')) {
                        k3 += 1;
                    } else if sep == '年' && chars.get(k3).is_some_and(char::is_ascii_digit) {
                        return None;
                    }
                    return Some((
                        k3,
                        Day::Date {
                            year: Some(year),
                            month: i8::try_from(month).ok()?,
                            day: i8::try_from(day).ok()?,
                        },
                    ));
                }
            }
        }
        return None;
    }
    let next = *chars.get(k)?;
    // M月D日 / M月D号
    if next == '月' {
        let (day, k2, _) = number_at(chars, k + 1)?;
        if !valid_md(first, day) {
            return None;
        }
        let mut end = k2;
        if matches!(chars.get(end), Some('日' | '号')) {
            end += 1;
        } else if !digits {
            return None;
        }
        return Some((
            end,
            Day::Date {
                year: None,
                month: i8::try_from(first).ok()?,
                day: i8::try_from(day).ok()?,
            },
        ));
    }
    // M-D, M/D (digits only, not part of a longer number or a size)
    if digits && matches!(next, '-' | '/') && k - at <= 2 {
        let (day, k2) = digits_at(chars, k + 1, 2)?;
        let before_ok = at == 0 || !chars[at - 1].is_ascii_alphanumeric();
        let after = chars.get(k2);
        let after_ok = after.is_none_or(|c| !c.is_ascii_alphanumeric() && !matches!(c, '-' | '/'));
        if valid_md(first, day) && before_ok && after_ok {
            let mut end = k2;
            if matches!(chars.get(end), Some('日' | '号')) {
                end += 1;
            }
            return Some((
                end,
                Day::Date {
                    year: None,
                    month: i8::try_from(first).ok()?,
                    day: i8::try_from(day).ok()?,
                },
            ));
        }
        return None;
    }
    // D号 (25号), but not 3号楼 or 5号线, nor the house number of 中关村大街1号
    if next == '号' && (1..=31).contains(&first) {
        let after = chars.get(k + 1);
        let place_like =
            after.is_some_and(|c| "楼线门院柜仓口窗位机床店库站车箱包码单".contains(*c));
        let house_number = at
            .checked_sub(1)
            .and_then(|i| chars.get(i))
            .is_some_and(|c| "路街道巷弄村里".contains(*c));
        if !place_like && !house_number {
            return Some((k + 1, Day::OfMonth(i8::try_from(first).ok()?)));
        }
    }
    None
}

fn parse_part(chars: &[char], at: usize) -> Option<(usize, Part)> {
    for (word, part) in PARTS {
        if starts_with(chars, at, word) {
            return Some((at + word.chars().count(), *part));
        }
    }
    for (word, part) in PARTS_EN {
        if let Some(end) = english(chars, at, word) {
            return Some((end, *part));
        }
    }
    None
}

/// 3点, 3点半, 三点一刻, 15:30, 3pm, 10:30 am. A Chinese-numeral hour needs `context` (a day or
/// part of day before it) or 钟/半/分 after it, so that 快一点 is not one o'clock.
fn parse_clock(chars: &[char], at: usize, context: bool) -> Option<(usize, Clock)> {
    let (hour, k, digits) = number_at(chars, at)?;
    if hour > 24 {
        return None;
    }
    let hour8 = i8::try_from(hour).ok()?;
    let next = chars.get(k).copied();
    if digits && matches!(next, Some(':' | '：')) {
        let (minute, k2) = digits_at(chars, k + 1, 2)?;
        if k2 - (k + 1) != 2 || minute > 59 {
            return None;
        }
        let (end, pm) = am_pm(chars, k2);
        return Some((end, (hour8, i8::try_from(minute).ok()?, pm)));
    }
    if matches!(next, Some('点' | '點' | '时')) {
        let mut end = k + 1;
        let mut minute = 0;
        if chars.get(end) == Some(&'钟') {
            end += 1;
        }
        if chars.get(end) == Some(&'半') {
            minute = 30;
            end += 1;
        } else if starts_with(chars, end, "一刻") {
            minute = 15;
            end += 2;
        } else if starts_with(chars, end, "三刻") {
            minute = 45;
            end += 2;
        } else if let Some((m, k2, _)) = number_at(chars, end)
            && m < 60
            && chars.get(k2) == Some(&'分')
        {
            minute = m;
            end = k2 + 1;
        } else if let Some((m, k2)) = digits_at(chars, end, 2)
            && m < 60
            && k2 - end == 2
        {
            minute = m;
            end = k2;
        }
        if !digits && !context && end == k + 1 {
            return None;
        }
        return Some((end, (hour8, i8::try_from(minute).ok()?, None)));
    }
    if digits {
        let spaced = skip_spaces(chars, k);
        let (end, pm) = am_pm(chars, spaced);
        if pm.is_some() && hour8 <= 12 {
            return Some((end, (hour8, 0, pm)));
        }
    }
    None
}

fn am_pm(chars: &[char], at: usize) -> (usize, Option<bool>) {
    let k = skip_spaces(chars, at);
    for (word, pm) in [("a.m.", false), ("p.m.", true), ("am", false), ("pm", true)] {
        if let Some(end) = english(chars, k, word) {
            return (end, Some(pm));
        }
    }
    (at, None)
}

/// A date-time expression starting at `at`: a day, a part of day and a clock time in any order,
/// each at most once, separated by nothing, spaces, 的 or "at".
fn parse_at(chars: &[char], at: usize) -> Option<(usize, Spec)> {
    let mut spec = Spec::default();
    let mut end = at;
    let mut pos = at;
    loop {
        let mut matched = false;
        if spec.day.is_none()
            && let Some((k, day, part)) = parse_day(chars, pos)
        {
            spec.day = Some(day);
            if part.is_some() {
                spec.part = part;
            }
            end = k;
            matched = true;
        } else if spec.part.is_none()
            && let Some((k, part)) = parse_part(chars, pos)
        {
            spec.part = Some(part);
            end = k;
            matched = true;
        } else if spec.clock.is_none()
            && let Some((k, clock)) =
                parse_clock(chars, pos, spec.day.is_some() || spec.part.is_some())
        {
            spec.clock = Some(clock);
            end = k;
            matched = true;
        }
        if !matched {
            break;
        }
        // What may sit between two parts of one expression.
        let mut k = skip_spaces(chars, end);
        if chars.get(k) == Some(&'的') {
            k += 1;
        } else if let Some(e) = english(chars, k, "at") {
            k = skip_spaces(chars, e);
        }
        pos = k;
    }
    // 早上好, 晚上好, good morning: a greeting, not a time.
    let only_part = spec.day.is_none() && spec.clock.is_none();
    let greeting = only_part
        && (chars.get(end) == Some(&'好') || (at >= 5 && english(chars, at - 5, "good").is_some()));
    (end > at && !greeting).then_some((end, spec))
}

fn weekday_number(w: Weekday) -> i8 {
    w.to_monday_one_offset()
}

fn day_of(day: Day, today: Date) -> Option<Date> {
    match day {
        Day::Relative(n) => today.checked_add(n.days()).ok(),
        Day::Weekday { week, weekday } => {
            let current = weekday_number(today.weekday());
            let diff = i64::from(weekday - current);
            let days = match week {
                None if diff >= 0 => diff,
                None => diff + 7,
                Some(w) => diff + 7 * w,
            };
            today.checked_add(days.days()).ok()
        }
        Day::Date { year, month, day } => {
            Date::new(year.unwrap_or_else(|| today.year()), month, day).ok()
        }
        Day::OfMonth(d) => Date::new(today.year(), today.month(), d).ok(),
    }
}

fn rfc3339(date: Date, hour: i8, minute: i8, tz: &TimeZone) -> Option<String> {
    let time = jiff::civil::Time::new(hour, minute, 0, 0).ok()?;
    let zoned = date.to_datetime(time).to_zoned_datetime(tz.clone()).ok()?;
    Some(zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
}

fn resolve(spec: Spec, today: Date, tz: &TimeZone) -> Option<(String, Option<serde_json::Value>)> {
    // A bare clock-less, part-less day is a date; a bare number is nothing.
    let date = match spec.day {
        Some(day) => day_of(day, today)?,
        None => today,
    };
    match (spec.clock, spec.part) {
        (Some((hour, minute, pm)), part) => {
            let mut hour = hour;
            match (pm, part) {
                (Some(true), _) if hour < 12 => hour += 12,
                (Some(false), _) if hour == 12 => hour = 0,
                (Some(_), _) => {}
                (None, Some(p)) if p.code == "afternoon" || p.code == "evening" => {
                    if hour < 12 {
                        hour += 12;
                    }
                }
                (None, Some(p)) if p.code == "noon" => {
                    if hour < 3 {
                        hour += 12;
                    }
                }
                (None, Some(_)) => {}
                // 3点 with nothing else: business hours, so the afternoon.
                (None, None) if (1..=6).contains(&hour) => hour += 12,
                (None, None) => {}
            }
            if hour == 24 {
                hour = 0;
            }
            let value = rfc3339(date, hour, minute, tz)?;
            let detail = part.map(|p| json!({ "part": p.code }));
            Some((value, detail))
        }
        (None, Some(part)) => {
            let value = rfc3339(date, part.hour, 0, tz)?;
            let from = rfc3339(date, part.from, 0, tz)?;
            let to = rfc3339(date, part.to, 0, tz)?;
            Some((
                value,
                Some(json!({ "part": part.code, "from": from, "to": to })),
            ))
        }
        (None, None) => {
            spec.day?;
            Some((date.to_string(), None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<(String, String)> {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        // Tuesday 2026-11-24 10:00 in Shanghai.
        let now: Timestamp = "2026-11-24T02:00:00Z".parse().unwrap();
        let chars: Vec<char> = text.chars().collect();
        find(&chars, now, &tz)
            .into_iter()
            .map(|f| (chars[f.start..f.end].iter().collect(), f.value))
            .collect()
    }

    fn one(text: &str) -> String {
        let found = run(text);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        found[0].1.clone()
    }

    #[test]
    fn relative_days_and_parts() {
        assert_eq!(one("明天下午来取"), "2026-11-25T14:00:00+08:00");
        assert_eq!(one("后天上午"), "2026-11-26T09:00:00+08:00");
        assert_eq!(one("大后天"), "2026-11-27");
        assert_eq!(one("今晚8点"), "2026-11-24T20:00:00+08:00");
        assert_eq!(one("明天下午三点半"), "2026-11-25T15:30:00+08:00");
        assert_eq!(one("中午1点"), "2026-11-24T13:00:00+08:00");
        assert_eq!(run("明天下午来取")[0].0, "明天下午");
    }

    #[test]
    fn dates() {
        assert_eq!(one("11月25日发的"), "2026-11-25");
        assert_eq!(one("寄件时间11-25"), "2026-11-25");
        assert_eq!(one("2025年12月1日"), "2025-12-01");
        assert_eq!(one("2026-01-05"), "2026-01-05");
        assert_eq!(one("30号"), "2026-11-30");
        assert!(run("3号楼").is_empty());
        assert!(run("中关村大街1号").is_empty());
        assert!(run("南京路25号").is_empty());
        assert!(run("30x20x10").is_empty());
        assert!(run("快一点好吗").is_empty());
    }

    #[test]
    fn weekdays() {
        // 2026-11-24 is a Tuesday.
        assert_eq!(one("周五"), "2026-11-27");
        assert_eq!(one("周一"), "2026-11-30");
        assert_eq!(one("下周一"), "2026-11-30");
        assert_eq!(one("这周二"), "2026-11-24");
        assert_eq!(one("下星期三上午"), "2026-12-02T09:00:00+08:00");
        assert_eq!(one("next friday"), "2026-12-04");
    }

    #[test]
    fn clocks_and_english() {
        assert_eq!(one("15:30"), "2026-11-24T15:30:00+08:00");
        assert_eq!(one("3点"), "2026-11-24T15:00:00+08:00");
        assert_eq!(one("tomorrow afternoon"), "2026-11-25T14:00:00+08:00");
        assert_eq!(one("Tomorrow at 3pm"), "2026-11-25T15:00:00+08:00");
        assert_eq!(one("10am"), "2026-11-24T10:00:00+08:00");
        assert!(run("todays").is_empty());
        assert!(run("早上好").is_empty());
        assert!(run("good morning").is_empty());
    }
}
