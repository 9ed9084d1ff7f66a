//! No input makes the crate panic: random bytes, truncated and mutated mails, all from fixed
//! seeds so a failure repeats.

use kefu_mail::{
    InboundMail, MailError, classify, find_identifiers, fold_quote, parse_inbound, reply_subject,
    reply_threading, thread_keys,
};
use kefu_model::waybill::Recognizer;

use crate::fixtures::*;

/// xorshift64*: a fixed, seedable sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Everything downstream of a parsed mail, which must not panic either.
fn use_everything(mail: &InboundMail) {
    assert!(!mail.message_id.is_empty());
    assert!(!mail.from.address.is_empty());
    let _ = classify(mail);
    let _ = thread_keys(mail);
    let _ = reply_threading(mail);
    let _ = reply_subject(&mail.subject, Some("KF20261124000001"));
    let _ = find_identifiers(&Recognizer::default(), &mail.body_text);
    let folded = fold_quote(&mail.body_text);
    assert!(!folded.reply.is_empty() || mail.body_text.trim().is_empty());
}

fn check(raw: &[u8]) -> Result<(), MailError> {
    let mail = parse_inbound(raw)?;
    use_everything(&mail);
    Ok(())
}

fn fixtures() -> Vec<Vec<u8>> {
    vec![
        plain_utf8_reply(),
        html_only_gbk(),
        with_photo(3_000),
        bounce("5.1.1", "orig@yunlu.example"),
        bounce("4.4.7", "orig@yunlu.example"),
    ]
}

#[test]
fn random_bytes_give_an_answer_not_a_panic() {
    let mut rng = Rng(0x6b65_6675_6d61_696c);
    let alphabet: &[u8] = b"From: To: Subject: =?GBK?B?Q?= <>@\r\n\t :;\"boundary=--multipart/mixed; charset=base64 \xff\xfe\x00\xe4\xb8\xad";
    let mut answers = (0, 0);
    for round in 0..3_000 {
        let len = rng.below(600);
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if round % 2 == 0 {
                    rng.next() as u8
                } else {
                    alphabet[rng.below(alphabet.len())]
                }
            })
            .collect();
        match check(&bytes) {
            Ok(()) => answers.0 += 1,
            Err(_) => answers.1 += 1,
        }
    }
    assert_eq!(answers.0 + answers.1, 3_000);
    assert!(answers.1 > 0, "most random bytes are not a mail");
}

#[test]
fn every_truncation_of_real_mails_gives_an_answer() {
    for raw in fixtures() {
        let step = (raw.len() / 400).max(1);
        for end in (0..raw.len()).step_by(step) {
            let _ = check(&raw[..end]);
        }
        // The whole mail is read.
        assert_eq!(check(&raw), Ok(()));
    }
}

#[test]
fn mutated_real_mails_give_an_answer() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let specials: &[u8] = b"\r\n:;=?<>\"-\\\x00\xff";
    for raw in fixtures() {
        for _ in 0..400 {
            let mut bytes = raw.clone();
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(bytes.len());
                match rng.below(4) {
                    0 => bytes[at] = rng.next() as u8,
                    1 => bytes[at] = specials[rng.below(specials.len())],
                    2 => {
                        bytes.remove(at);
                    }
                    _ => {
                        let from = rng.below(bytes.len());
                        let piece: Vec<u8> =
                            bytes[from..(from + rng.below(40)).min(bytes.len())].to_vec();
                        let at = rng.below(bytes.len());
                        bytes.splice(at..at, piece);
                    }
                }
                if bytes.is_empty() {
                    break;
                }
            }
            let _ = check(&bytes);
        }
    }
}

#[test]
fn pathological_nesting_and_sizes_are_read() {
    // Deep multiparts, a huge header, a body of only newlines.
    let mut nested = b"innermost".to_vec();
    for depth in 0..60 {
        let boundary = format!("d{depth}");
        nested = part(
            &[(
                "Content-Type",
                &format!("multipart/mixed; boundary={boundary}"),
            )],
            &multipart_body(&boundary, &[nested]),
        );
    }
    let mut deep = b"From: a@example.cn\r\n".to_vec();
    deep.extend_from_slice(&nested);
    let _ = check(&deep);

    // Thousands of small parts.
    let many: Vec<Vec<u8>> = (0..4_000)
        .map(|i| {
            part(
                &[(
                    "Content-Type",
                    if i % 2 == 0 {
                        "image/png"
                    } else {
                        "text/plain"
                    },
                )],
                if i % 2 == 0 {
                    b"\x89PNG\r\n\x1a\n"
                } else {
                    b"text"
                },
            )
        })
        .collect();
    let raw = message(
        &[
            ("From", "a@example.cn"),
            ("Content-Type", "multipart/mixed; boundary=m"),
        ],
        &multipart_body("m", &many),
    );
    let mail = parse_inbound(&raw).unwrap();
    assert_eq!(
        mail.attachments.len(),
        10,
        "the default policy keeps 10 files"
    );
    use_everything(&mail);

    let long_subject = "长".repeat(100_000);
    let _ = check(&message(
        &[("From", "a@example.cn"), ("Subject", &long_subject)],
        b"x",
    ));
    let _ = check(&message(
        &[("From", "a@example.cn")],
        &b"\r\n".repeat(50_000),
    ));
    let _ = check(&message(&[("From", "a@example.cn")], &b"> ".repeat(50_000)));
}

#[test]
fn empty_and_header_less_input_are_errors() {
    assert_eq!(parse_inbound(b"").map(|_| ()), Err(MailError::Empty));
    assert_eq!(
        parse_inbound(b" \r\n\r\n").map(|_| ()),
        Err(MailError::Empty)
    );
    assert_eq!(
        parse_inbound(b"Subject: no sender\r\n\r\nbody").map(|_| ()),
        Err(MailError::NoSender)
    );
}
