//! GB/T 2260 administrative codes: six digits, the first two the province, the first four the
//! city, all six the district. A vague address yields a province-level (`440000`) or city-level
//! (`440300`) code; this module reads such codes as the prefixes they stand for.

/// How precise a code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// `440000`: only the province is known.
    Province,
    /// `440300`: the city (prefecture) is known.
    City,
    /// `440305`: the district or county is known.
    District,
}

/// The four province-level municipalities (北京, 天津, 上海, 重庆): each is one city for pricing.
pub const MUNICIPALITIES: [&str; 4] = ["11", "12", "31", "50"];

/// The prefix a valid code stands for: `440000` → `44`, `440300` → `4403`, `440305` →
/// `440305`. `None` unless `code` is six ASCII digits with a non-zero province part. A district
/// part under a zero city part is kept (香港 and 澳门 number their districts `810001` …).
pub fn code_prefix(code: &str) -> Option<&str> {
    let bytes = code.as_bytes();
    if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_digit) || code.starts_with("00") {
        return None;
    }
    Some(match (&code[2..4], &code[4..]) {
        ("00", "00") => &code[..2],
        (_, "00") => &code[..4],
        _ => code,
    })
}

/// Whether `code` is a valid six-digit code (see [`code_prefix`]).
pub fn is_valid_code(code: &str) -> bool {
    code_prefix(code).is_some()
}

/// How precise a valid code is; `None` for an invalid one.
pub fn precision(code: &str) -> Option<Precision> {
    code_prefix(code).map(|prefix| match prefix.len() {
        2 => Precision::Province,
        4 => Precision::City,
        _ => Precision::District,
    })
}

/// A list entry (coverage, remote areas) as a prefix: a 2-, 4- or 6-digit prefix is taken as it
/// is, a full code like `440300` as the prefix it stands for. Surrounding whitespace is ignored.
pub(crate) fn entry_prefix(entry: &str) -> Option<&str> {
    let entry = entry.trim();
    match entry.len() {
        2 | 4 if entry.bytes().all(|b| b.is_ascii_digit()) && !entry.starts_with("00") => {
            Some(entry)
        }
        _ => code_prefix(entry),
    }
}

/// How a code relates to a list entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Overlap {
    /// The code lies wholly inside the entry (`440305` in `44`).
    Inside,
    /// The code is vaguer than the entry and only part of it is the entry (`440000` vs `4403`).
    Partial,
    /// No overlap.
    None,
}

/// How the code with prefix `code` relates to the entry with prefix `entry`.
pub(crate) fn overlap(code: &str, entry: &str) -> Overlap {
    if code.starts_with(entry) {
        Overlap::Inside
    } else if entry.starts_with(code) {
        Overlap::Partial
    } else {
        Overlap::None
    }
}

/// Whether two code prefixes are certainly in the same city. Same province required; a
/// municipality is one city; a province-level code never is (the city is unknown); county-level
/// units directly under a province (city part `90`, e.g. 仙桃 429004) are cities of their own.
pub(crate) fn same_city(a: &str, b: &str) -> bool {
    if a.get(..2) != b.get(..2) {
        return false;
    }
    if MUNICIPALITIES.contains(&&a[..2]) {
        return true;
    }
    if a.len() < 4 || b.len() < 4 || a[..4] != b[..4] {
        return false;
    }
    if &a[2..4] == "90" {
        return a.len() == 6 && a == b;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(code_prefix("440000"), Some("44"));
        assert_eq!(code_prefix("440300"), Some("4403"));
        assert_eq!(code_prefix("440305"), Some("440305"));
        assert_eq!(code_prefix("810001"), Some("810001"));
        for bad in [
            "",
            "44030",
            "4403050",
            "44O305",
            "000000",
            "001234",
            " 440305",
            "４４０３０５",
        ] {
            assert_eq!(code_prefix(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn precisions() {
        assert_eq!(precision("110000"), Some(Precision::Province));
        assert_eq!(precision("110100"), Some(Precision::City));
        assert_eq!(precision("110105"), Some(Precision::District));
        assert_eq!(precision("x"), None);
    }

    #[test]
    fn entries() {
        assert_eq!(entry_prefix("65"), Some("65"));
        assert_eq!(entry_prefix(" 4403 "), Some("4403"));
        assert_eq!(entry_prefix("650000"), Some("65"));
        assert_eq!(entry_prefix("460300"), Some("4603"));
        assert_eq!(entry_prefix("00"), None);
        assert_eq!(entry_prefix("6"), None);
        assert_eq!(entry_prefix("ab"), None);
    }

    #[test]
    fn overlaps() {
        assert_eq!(overlap("440305", "44"), Overlap::Inside);
        assert_eq!(overlap("44", "44"), Overlap::Inside);
        assert_eq!(overlap("44", "4403"), Overlap::Partial);
        assert_eq!(overlap("4401", "4403"), Overlap::None);
    }

    #[test]
    fn cities() {
        assert!(same_city("440305", "440306"));
        assert!(same_city("4403", "440306"));
        assert!(!same_city("440305", "440106"));
        assert!(!same_city("44", "440306"));
        assert!(same_city("110105", "110108"));
        assert!(same_city("11", "110108"));
        assert!(same_city("500101", "500235"));
        assert!(!same_city("429004", "429005"));
        assert!(same_city("429004", "429004"));
        assert!(!same_city("4290", "429004"));
        assert!(!same_city("440305", "450305"));
    }
}
