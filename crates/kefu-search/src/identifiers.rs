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

/// What people write before an order number (the shop's order id), longest first.
const ORDER_MARKERS: &[&str] = &[
    "订单编号",
    "订单号码",
    "订单号",
    "订单",
    "order number",
    "order no",
    "order id",
    "order",
];
/// Fewest digits in an order number: shorter runs after 订单 are counts and dates.
const MIN_ORDER_DIGITS: usize = 6;

/// The order numbers named in `text`: letters and digits (at least six digits) right after
/// 订单/订单号/订单编号/order (no.), past a colon, `#`, `是` or `为` (as the bot's entity
/// extractor reads them). Cases keep no order number of their own; customers and agents write
/// it into the description and messages.
pub(crate) fn order_numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text
        .chars()
        .map(fold_full_width)
        .flat_map(char::to_lowercase)
        .collect();
    let markers: Vec<Vec<char>> = ORDER_MARKERS.iter().map(|m| m.chars().collect()).collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let Some(marker) = markers
            .iter()
            .find(|m| chars.get(i..i + m.len()) == Some(m.as_slice()))
        else {
            i += 1;
            continue;
        };
        let mut k = i + marker.len();
        let mut skipped = 0;
        while skipped < 4
            && chars
                .get(k)
                .is_some_and(|c| matches!(c, ' ' | ':' | '：' | '#' | '.' | '是' | '为' | '号'))
        {
            k += 1;
            skipped += 1;
        }
        let start = k;
        while chars.get(k).is_some_and(char::is_ascii_alphanumeric) {
            k += 1;
        }
        let run: String = chars.get(start..k).unwrap_or_default().iter().collect();
        if run.chars().filter(char::is_ascii_digit).count() >= MIN_ORDER_DIGITS {
            found.push(run);
            i = k;
        } else {
            i += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_are_read_after_their_marker() {
        assert_eq!(
            order_numbers("订单号：2024112412345678901 还没发货，另一个订单 773012345678"),
            ["2024112412345678901", "773012345678"]
        );
        assert_eq!(order_numbers("Order No. TB20250301A77"), ["tb20250301a77"]);
        assert_eq!(order_numbers("订单号是１２３４５６７８"), ["12345678"]);
        assert!(order_numbers("两个订单 3 件").is_empty());
        assert!(order_numbers("运单号 SF1234567890123").is_empty());
    }

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
