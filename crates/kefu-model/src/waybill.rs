//! Whose waybill number is this (R-TRK-6)? A table of formats with optional check digits; a
//! number that fits several carriers gets ranked candidates, and a failed check digit rules a
//! candidate out (schemes every number carries) or lowers it (schemes only some carry).
//! Also finds waybill and mobile numbers inside free text.

use serde::Serialize;

/// How a carrier's numbers are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckScheme {
    None,
    /// Luhn over every digit before the last.
    Luhn,
    /// UPU S10: weights 8,6,4,2,3,5,9,7 over the 8 serial digits.
    UpuS10,
    /// UPS `1Z`: letters as (ASCII − 3) mod 10, odd positions doubled.
    Ups,
    /// FedEx Express, 12 digits: weights 3,1,7 from the left over 11 digits, mod 11 mod 10.
    FedEx12,
    /// FedEx Ground, 15 digits: odd positions × 3, mod 10.
    FedEx15,
    /// DHL Express: the number without its last digit, mod 7.
    Mod7,
}

/// The shape of a number: a literal prefix, then `letters` capital letters (JD's `JDV` + a
/// letter), then `digits` digits, optionally starting with one of `leads`.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub prefix: &'static str,
    pub letters: usize,
    pub digits: usize,
    pub leads: &'static [&'static str],
}

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub carrier: &'static str,
    pub name: &'static str,
    pub shape: Shape,
    pub check: CheckScheme,
    /// Whether every number of the format carries the check digit (a failure rules it out).
    pub check_required: bool,
    /// How sure a match makes us before the check digit is looked at.
    pub weight: f64,
}

const fn rule(
    carrier: &'static str,
    name: &'static str,
    prefix: &'static str,
    digits: usize,
    leads: &'static [&'static str],
    weight: f64,
) -> Rule {
    Rule {
        carrier,
        name,
        shape: Shape {
            prefix,
            letters: 0,
            digits,
            leads,
        },
        check: CheckScheme::None,
        check_required: false,
        weight,
    }
}

/// The major carriers' formats (see DOMAIN-NOTES: no Chinese carrier publishes its format, so
/// the weights say how distinctive each pattern is).
pub const CARRIERS: &[Rule] = &[
    rule("sf", "顺丰速运", "SF", 13, &[], 0.97),
    rule("sf", "顺丰速运", "", 12, &[], 0.30),
    rule(
        "ems",
        "中国邮政/EMS",
        "",
        13,
        &["10", "11", "12", "50", "51", "52", "95", "97", "98", "99"],
        0.60,
    ),
    rule(
        "zto",
        "中通快递",
        "",
        14,
        &["73", "74", "75", "76", "78"],
        0.80,
    ),
    rule("zto", "中通快递", "", 12, &[], 0.30),
    rule("yto", "圆通速递", "YT", 13, &[], 0.95),
    // YunExpress (cross-border) shares YTO's letters with 16 digits.
    rule("yunexpress", "云途物流", "YT", 16, &[], 0.90),
    rule("sto", "申通快递", "", 14, &["77"], 0.80),
    rule("sto", "申通快递", "", 15, &["77"], 0.80),
    rule("sto", "申通快递", "", 14, &[], 0.25),
    rule("sto", "申通快递", "", 12, &[], 0.25),
    rule("yunda", "韵达快递", "", 15, &["3", "4"], 0.75),
    rule("yunda", "韵达快递", "", 13, &[], 0.35),
    Rule {
        shape: Shape {
            letters: 1,
            ..rule("jd", "京东物流", "JDV", 11, &[], 0.97).shape
        },
        ..rule("jd", "京东物流", "JDV", 11, &[], 0.97)
    },
    rule("jd", "京东物流", "JDX", 12, &[], 0.97),
    rule("jd", "京东物流", "JDK", 12, &[], 0.97),
    rule("jt", "极兔速递", "JT", 13, &[], 0.97),
    rule("deppon", "德邦快递", "DPK", 12, &[], 0.97),
    rule("deppon", "德邦快递", "", 10, &[], 0.25),
    Rule {
        check: CheckScheme::FedEx12,
        ..rule("fedex", "FedEx", "", 12, &[], 0.35)
    },
    Rule {
        check: CheckScheme::FedEx15,
        ..rule("fedex", "FedEx Ground", "", 15, &[], 0.35)
    },
    Rule {
        check: CheckScheme::Mod7,
        ..rule("dhl", "DHL Express", "", 10, &[], 0.45)
    },
];

/// The operator's own numbers; the demo operator 云路速运 uses `YL` + 13 digits, the last the
/// Luhn check digit of the 12 before it. Stored as the `waybill_format` setting.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnFormat {
    pub name: String,
    pub prefix: String,
    pub digits: usize,
    pub check: CheckScheme,
}

impl OwnFormat {
    pub fn validate(&self) -> Result<(), crate::error::DomainError> {
        use crate::error::DomainError;
        if self.name.trim().is_empty() || self.name.chars().count() > 50 {
            return Err(DomainError::invalid("name", "1 to 50 characters"));
        }
        if self.prefix.len() > 6 || !self.prefix.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(DomainError::invalid("prefix", "0 to 6 capital letters"));
        }
        if !(6..=30).contains(&self.digits) {
            return Err(DomainError::invalid("digits", "6 to 30 digits"));
        }
        if self.prefix.is_empty() && self.check == CheckScheme::None {
            return Err(DomainError::invalid(
                "check",
                "a format without a prefix needs a check digit, or every number would look like ours",
            ));
        }
        if matches!(self.check, CheckScheme::UpuS10 | CheckScheme::Ups) {
            return Err(DomainError::invalid(
                "check",
                "none, luhn, fed_ex12, fed_ex15 or mod7",
            ));
        }
        Ok(())
    }
}

impl Default for OwnFormat {
    fn default() -> Self {
        OwnFormat {
            name: "云路速运".into(),
            prefix: "YL".into(),
            digits: 13,
            check: CheckScheme::Luhn,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub carrier: &'static str,
    pub name: String,
    pub confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recognition {
    pub number: String,
    pub ours: bool,
    pub candidates: Vec<Candidate>,
}

/// Normalises what a customer typed: spaces and dashes dropped, letters upper-cased.
pub fn normalize(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn digits_of(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

fn fits(number: &str, shape: &Shape) -> bool {
    let Some(rest) = number.strip_prefix(shape.prefix) else {
        return false;
    };
    let Some((letters, rest)) = rest.split_at_checked(shape.letters) else {
        return false;
    };
    letters.bytes().all(|b| b.is_ascii_uppercase())
        && rest.len() == shape.digits
        && rest.bytes().all(|b| b.is_ascii_digit())
        && (shape.leads.is_empty() || shape.leads.iter().any(|l| rest.starts_with(l)))
}

/// Whether `body` (the part after any letter prefix) passes `scheme`.
pub fn check_digit_ok(scheme: CheckScheme, body: &str) -> bool {
    let Some(d) = digits_of(body) else {
        return scheme == CheckScheme::None;
    };
    let Some((&last, rest)) = d.split_last() else {
        return false;
    };
    match scheme {
        CheckScheme::None => true,
        CheckScheme::Luhn => luhn_digit(rest) == last,
        CheckScheme::FedEx12 => {
            let w = [3, 1, 7];
            rest.len() == 11
                && rest
                    .iter()
                    .enumerate()
                    .map(|(i, x)| x * w[i % 3])
                    .sum::<u32>()
                    % 11
                    % 10
                    == last
        }
        CheckScheme::FedEx15 => {
            let s: u32 = rest
                .iter()
                .enumerate()
                .map(|(i, x)| if i % 2 == 1 { x * 3 } else { *x })
                .sum();
            (10 - s % 10) % 10 == last
        }
        CheckScheme::Mod7 => {
            let n = rest.iter().fold(0u64, |acc, x| acc * 10 + u64::from(*x));
            n % 7 == u64::from(last)
        }
        CheckScheme::UpuS10 | CheckScheme::Ups => false,
    }
}

/// The Luhn check digit of `digits`.
pub fn luhn_digit(digits: &[u32]) -> u32 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 0 {
                let v = x * 2;
                if v > 9 { v - 9 } else { v }
            } else {
                x
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// UPU S10: `AA` + 8 serial digits + check digit + 2-letter country.
fn s10(number: &str) -> Option<(bool, &str)> {
    let b = number.as_bytes();
    if b.len() != 13
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..11].iter().all(u8::is_ascii_digit)
        || !b[11..].iter().all(u8::is_ascii_uppercase)
    {
        return None;
    }
    let w = [8, 6, 4, 2, 3, 5, 9, 7];
    let sum: u32 = b[2..10]
        .iter()
        .zip(w)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    let check = match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        c => c,
    };
    Some((check == u32::from(b[10] - b'0'), &number[11..]))
}

/// UPS: `1Z` + 15 characters + a check digit.
fn ups(number: &str) -> Option<bool> {
    let body = number.strip_prefix("1Z")?;
    if body.len() != 16 || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let (payload, check) = body.split_at(15);
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
    Some(check.parse::<u32>().ok() == Some((10 - sum % 10) % 10))
}

#[derive(Debug, Clone, Default)]
pub struct Recognizer {
    pub own: OwnFormat,
}

impl Recognizer {
    pub fn new(own: OwnFormat) -> Self {
        Recognizer { own }
    }

    /// Ranked candidates for `raw`, most likely first; empty when nothing fits.
    pub fn recognize(&self, raw: &str) -> Recognition {
        let number = normalize(raw);
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut push = |carrier: &'static str, name: &str, confidence: f64| match candidates
            .iter_mut()
            .find(|c| c.carrier == carrier)
        {
            Some(c) => c.confidence = c.confidence.max(confidence),
            None => candidates.push(Candidate {
                carrier,
                name: name.to_string(),
                confidence,
            }),
        };
        let mut ours = false;
        let own_shape = Shape {
            letters: 0,
            prefix: "",
            digits: self.own.digits,
            leads: &[],
        };
        if let Some(body) = number.strip_prefix(self.own.prefix.as_str())
            && fits(body, &own_shape)
            && check_digit_ok(self.own.check, body)
        {
            ours = true;
            push("ours", &self.own.name, 0.99);
        }
        if let Some((valid, country)) = s10(&number) {
            let carrier = if country == "CN" { "ems" } else { "upu_s10" };
            let name = if country == "CN" {
                "中国邮政/EMS（国际）"
            } else {
                "万国邮联成员邮政"
            };
            if valid {
                push(carrier, name, 0.95);
            }
        }
        if let Some(valid) = ups(&number)
            && valid
        {
            push("ups", "UPS", 0.97);
        }
        for r in CARRIERS {
            if !fits(&number, &r.shape) {
                continue;
            }
            let body = &number[r.shape.prefix.len()..];
            let passes = check_digit_ok(r.check, body);
            let confidence = match (r.check, passes, r.check_required) {
                (CheckScheme::None, _, _) => r.weight,
                (_, true, _) => (r.weight + 0.4).min(0.9),
                (_, false, true) => continue,
                (_, false, false) => r.weight * 0.3,
            };
            push(r.carrier, r.name, confidence);
        }
        // A number of our own format is ours, whatever else it also looks like.
        if ours {
            for c in candidates.iter_mut().filter(|c| c.carrier != "ours") {
                c.confidence *= 0.2;
            }
        }
        candidates.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.carrier.cmp(b.carrier))
        });
        for c in &mut candidates {
            c.confidence = (c.confidence * 100.0).round() / 100.0;
        }
        Recognition {
            number,
            ours,
            candidates,
        }
    }
}

/// Something found in free text. `start`/`end` count characters (not bytes), so Chinese text
/// around the number is indexed as a reader sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    /// `waybill` or `mobile`.
    pub kind: &'static str,
    pub value: String,
    pub start: usize,
    pub end: usize,
    /// The best carrier for a waybill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carrier: Option<&'static str>,
}

/// Waybill and mobile numbers in `text`: runs of ASCII letters and digits (Chinese characters,
/// punctuation and spaces end a run), kept when they read as a mainland mobile or as a waybill
/// some carrier recognises with reasonable confidence.
pub fn find_numbers(recognizer: &Recognizer, text: &str) -> Vec<Found> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let token: String = chars[start..i].iter().collect();
        let upper = token.to_ascii_uppercase();
        let b = upper.as_bytes();
        let mobile = b.len() == 11
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
            && b.iter().all(u8::is_ascii_digit);
        if mobile {
            out.push(Found {
                kind: "mobile",
                value: upper,
                start,
                end: i,
                carrier: None,
            });
            continue;
        }
        if upper.len() < 10 || !upper.bytes().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let r = recognizer.recognize(&upper);
        if let Some(best) = r.candidates.first().filter(|c| c.confidence >= 0.3) {
            out.push(Found {
                kind: "waybill",
                value: r.number,
                start,
                end: i,
                carrier: Some(best.carrier),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best(number: &str) -> (&'static str, f64) {
        let r = Recognizer::default().recognize(number);
        let c = r
            .candidates
            .first()
            .unwrap_or_else(|| panic!("nothing for {number}"));
        (c.carrier, c.confidence)
    }

    #[test]
    fn our_numbers_carry_a_luhn_digit() {
        assert_eq!(luhn_digit(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2]), 8);
        let r = Recognizer::default().recognize("yl 1234567890128");
        assert!(r.ours);
        assert_eq!(r.number, "YL1234567890128");
        assert_eq!(r.candidates[0].carrier, "ours");
        let wrong = Recognizer::default().recognize("YL1234567890127");
        assert!(!wrong.ours, "a wrong check digit is not ours");
    }

    #[test]
    fn chinese_carriers_by_prefix_and_shape() {
        assert_eq!(best("SF1234567890123").0, "sf");
        assert_eq!(best("YT1234567890123").0, "yto");
        assert_eq!(best("JT0001234567890").0, "jt");
        assert_eq!(best("JDX000123456789").0, "jd");
        assert_eq!(best("DPK123456789012").0, "deppon");
        assert_eq!(best("75123456789012").0, "zto");
        assert_eq!(best("77123456789012").0, "sto");
        assert_eq!(best("312345678901234").0, "yunda");
        assert_eq!(best("9812345678901").0, "ems");
    }

    /// One sample of every format in the table of carriers (see DOMAIN-NOTES), ranked first
    /// where the format is distinctive and among the candidates where numbers are ambiguous.
    #[test]
    fn every_format_in_the_table_is_recognised() {
        let first = [
            ("SF1234567890123", "sf"),
            ("1012345678901", "ems"),
            ("RR123456785CN", "ems"),
            ("73123456789012", "zto"),
            ("YT1234567890123", "yto"),
            ("YT1234567890123456", "yunexpress"),
            ("77123456789012", "sto"),
            ("771234567890123", "sto"),
            ("412345678901234", "yunda"),
            ("JDVA12345678901", "jd"),
            ("JDVB00000000001", "jd"),
            ("JDX123456789012", "jd"),
            ("JDK123456789012", "jd"),
            ("JT1234567890123", "jt"),
            ("DPK123456789012", "deppon"),
        ];
        for (number, carrier) in first {
            assert_eq!(best(number).0, carrier, "{number}");
        }
        let among = [
            ("123456789012", "sf"),
            ("123456789012", "zto"),
            ("2123456789012", "yunda"),
            ("1234567890", "deppon"),
        ];
        for (number, carrier) in among {
            let r = Recognizer::default().recognize(number);
            assert!(
                r.candidates.iter().any(|c| c.carrier == carrier),
                "{number}: {r:?}"
            );
        }
        // Not JD: a digit where the letter goes, or one digit short.
        for number in ["JDV112345678901", "JDVA1234567890"] {
            let r = Recognizer::default().recognize(number);
            assert!(r.candidates.iter().all(|c| c.carrier != "jd"), "{number}");
        }
        // Found in free text too.
        let found = find_numbers(&Recognizer::default(), "京东单号JDVC20261206001到哪了");
        assert_eq!(found[0].carrier, Some("jd"), "{found:?}");
    }

    #[test]
    fn international_formats_and_check_digits() {
        assert_eq!(best("RB123456785GB"), ("upu_s10", 0.95));
        assert_eq!(best("RB123456785CN").0, "ems");
        assert!(
            Recognizer::default()
                .recognize("RB123456784GB")
                .candidates
                .iter()
                .all(|c| c.carrier != "upu_s10")
        );
        assert_eq!(best("1Z5R89390357567127"), ("ups", 0.97));
        assert!(
            Recognizer::default()
                .recognize("1Z5R89390357567128")
                .candidates
                .is_empty()
        );
        assert_eq!(best("3318810025").0, "dhl");
        // 12 digits: FedEx when its check digit holds, ranked above the old Chinese formats.
        assert_eq!(best("986578788855").0, "fedex");
        let r = Recognizer::default().recognize("986578788856");
        assert_ne!(r.candidates[0].carrier, "fedex", "{r:?}");
        assert!(
            r.candidates.len() >= 3,
            "12 digits fit several carriers: {r:?}"
        );
    }

    #[test]
    fn numbers_in_free_text() {
        let text = "你好，单号YL1234567890128三天没动了，电话13800138000，另一个SF1234567890123";
        let found = find_numbers(&Recognizer::default(), text);
        let kinds: Vec<(&str, &str, Option<&str>)> = found
            .iter()
            .map(|f| (f.kind, f.value.as_str(), f.carrier))
            .collect();
        assert_eq!(
            kinds,
            [
                ("waybill", "YL1234567890128", Some("ours")),
                ("mobile", "13800138000", None),
                ("waybill", "SF1234567890123", Some("sf"))
            ]
        );
        let chars: Vec<char> = text.chars().collect();
        let first: String = chars[found[0].start..found[0].end].iter().collect();
        assert_eq!(first, "YL1234567890128");
        assert!(find_numbers(&Recognizer::default(), "我的快递到哪了 abc 12345").is_empty());
    }
}
