//! Which case a mail belongs to, and the subject of an answer.

use kefu_model::records::is_case_number;

use crate::inbound::InboundMail;

/// Message-IDs that may name an earlier mail of the same conversation, most telling first:
/// `In-Reply-To`, then `References` newest first. No duplicates, never the mail's own id.
pub fn thread_keys(mail: &InboundMail) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for id in mail.in_reply_to.iter().chain(mail.references.iter().rev()) {
        if *id != mail.message_id && !keys.contains(id) {
            keys.push(id.clone());
        }
    }
    keys
}

/// The first kefu case number in `subject`: `KF` and 14 to 20 digits, standing alone (also
/// inside `[#KF…]`), in any case; returned upper-cased.
pub fn case_number_in_subject(subject: &str) -> Option<String> {
    let bytes = subject.as_bytes();
    let mut from = 0;
    while let Some(offset) = find_kf(&bytes[from..]) {
        let start = from + offset;
        let digits = bytes[start + 2..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let end = start + 2 + digits;
        let alone_before = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let alone_after = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if alone_before && alone_after {
            let number = format!("KF{}", &subject[start + 2..end]);
            if is_case_number(&number) {
                return Some(number);
            }
        }
        from = start + 2;
    }
    None
}

fn find_kf(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(2)
        .position(|w| w[0].eq_ignore_ascii_case(&b'k') && w[1].eq_ignore_ascii_case(&b'f'))
}

/// Reply and forward markers that clients put before a subject.
const PREFIXES: &[&str] = &[
    "re", "fw", "fwd", "aw", "sv", "vs", "回复", "答复", "回覆", "转发", "轉寄",
];

/// `subject` without its leading reply and forward markers: `Re:`, `RE:`, `Re[2]:`, `Fw:`,
/// `Fwd:`, `回复：`, `答复:`, `转发：`, repeated or not, with either colon.
pub fn strip_reply_prefixes(subject: &str) -> &str {
    let mut rest = subject.trim();
    loop {
        let Some(stripped) = strip_one_prefix(rest) else {
            return rest;
        };
        rest = stripped.trim_start();
    }
}

fn strip_one_prefix(subject: &str) -> Option<&str> {
    PREFIXES.iter().find_map(|prefix| {
        let head = subject.get(..prefix.len())?;
        if !head.eq_ignore_ascii_case(prefix) {
            return None;
        }
        let mut rest = &subject[prefix.len()..];
        // `Re[2]:` / `Re(2):` counters.
        if let Some(counted) = rest.strip_prefix(['[', '(']) {
            let close = counted.find([']', ')'])?;
            if !counted[..close].bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            rest = &counted[close + 1..];
        }
        rest.trim_start_matches(' ')
            .strip_prefix(':')
            .or_else(|| rest.trim_start_matches(' ').strip_prefix('：'))
    })
}

/// The subject of an answer to a mail titled `original`: one `Re: `, the original's words, and
/// the case number as `[#KF…]` unless the subject already names it (then it is not repeated).
pub fn reply_subject(original: &str, case_number: Option<&str>) -> String {
    let topic = strip_reply_prefixes(original);
    let mut words = vec!["Re:".to_string()];
    if !topic.is_empty() {
        words.push(topic.to_string());
    }
    if let Some(number) = case_number
        && case_number_in_subject(topic).as_deref() != Some(number)
        && !topic.contains(number)
    {
        words.push(format!("[#{number}]"));
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_of_every_client_come_off() {
        for (subject, topic) in [
            ("Re: 快递破损", "快递破损"),
            ("RE: RE: 快递破损", "快递破损"),
            ("Re[2]: 快递破损", "快递破损"),
            ("回复：快递破损", "快递破损"),
            ("回复: 答复：快递破损", "快递破损"),
            ("Fw: Re: parcel", "parcel"),
            ("FWD: parcel", "parcel"),
            ("转发：回复：运单", "运单"),
            ("Rebate question", "Rebate question"),
            ("Re:", ""),
            ("Re[x]: odd", "Re[x]: odd"),
        ] {
            assert_eq!(strip_reply_prefixes(subject), topic, "{subject}");
        }
    }
}
