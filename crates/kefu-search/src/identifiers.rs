//! Identifiers are matched exactly, so both sides must be written the same way: the document's
//! `identifiers` when indexed and the words of a search.

/// Full-width forms (ＳＦ１２３, typed with a Chinese input method) as their ASCII letters and
/// digits; `U+FF01..=U+FF5E` map one-to-one onto `!..=~`.
pub(crate) fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// The exact form of an identifier: full-width folded, lower-cased, and without the spaces,
/// dashes and dots people put into numbers (`138-0013-8000`, `SF 1234 5678`). An email keeps
/// its dots. A mobile number loses a leading `+86`/`86`. Empty when nothing is left.
pub(crate) fn normalize_identifier(raw: &str) -> String {
    let folded: String = raw
        .chars()
        .map(fold_full_width)
        .flat_map(char::to_lowercase)
        .collect();
    let folded = folded.trim();
    if folded.contains('@') {
        return folded.chars().filter(|c| !c.is_whitespace()).collect();
    }
    let compact: String = folded
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '_' | '/'))
        .collect();
    let compact = compact.strip_prefix('+').unwrap_or(&compact).to_owned();
    if compact.len() == 13 && compact.starts_with("86") && is_mobile(&compact[2..]) {
        return compact[2..].to_owned();
    }
    compact
}

/// A mainland mobile number: eleven digits, `1`, then `3`–`9`.
pub(crate) fn is_mobile(normalized: &str) -> bool {
    let bytes = normalized.as_bytes();
    bytes.len() == 11
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
}

/// The exact tokens one identifier is indexed under: itself, and for a mobile number its last
/// four digits too (staff ask "尾号8000").
pub(crate) fn identifier_tokens(raw: &str) -> Vec<String> {
    let normalized = normalize_identifier(raw);
    if normalized.is_empty() {
        return Vec::new();
    }
    if is_mobile(&normalized) {
        let tail = normalized[normalized.len() - 4..].to_owned();
        vec![normalized, tail]
    } else {
        vec![normalized]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lose_their_separators_and_case() {
        assert_eq!(normalize_identifier(" SF 1234-5678 "), "sf12345678");
        assert_eq!(normalize_identifier("ＳＦ１２３４"), "sf1234");
        assert_eq!(normalize_identifier("+86 138-0013-8000"), "13800138000");
        assert_eq!(normalize_identifier("8613800138000"), "13800138000");
        assert_eq!(
            normalize_identifier("Li.Lei@Example.COM"),
            "li.lei@example.com"
        );
        assert_eq!(normalize_identifier(" - "), "");
    }

    #[test]
    fn a_mobile_is_also_indexed_by_its_last_four_digits() {
        assert_eq!(identifier_tokens("138 0013 8000"), ["13800138000", "8000"]);
        assert_eq!(identifier_tokens("010-12345678"), ["01012345678"]);
        assert_eq!(identifier_tokens("KF20250101001"), ["kf20250101001"]);
        assert!(identifier_tokens("  ").is_empty());
    }

    #[test]
    fn only_mainland_mobiles_count_as_mobiles() {
        assert!(is_mobile("13800138000"));
        assert!(!is_mobile("12800138000"));
        assert!(!is_mobile("1380013800"));
        assert!(!is_mobile("1380013800a"));
    }
}
