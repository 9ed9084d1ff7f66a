//! Bounded memory: the most memory one parse holds at once (counted by this test binary's
//! allocator) stays within a fixed multiple of the mail's size, for pathological mails as for
//! ordinary ones — so a hostile mail cannot take a node's memory. The counter is the
//! process's: nextest runs each test in a process of its own.

use kefu_mail::{MAX_PARTS, MailError, parse_inbound};
use peak_alloc::PeakAlloc;

use crate::fixtures::*;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

/// The most bytes held at once, above what was held before, while the parse ran.
fn peak_of(raw: &[u8]) -> usize {
    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let answer = parse_inbound(raw);
    let peak = ALLOCATOR.peak_usage();
    drop(answer);
    peak.saturating_sub(before)
}

/// What a parse may hold: a few copies of the input (the decoded text and parts), the
/// parser's record of each part (about a kilobyte; at most [`MAX_PARTS`] of them) and a little
/// besides.
fn bound(raw: &[u8]) -> usize {
    12 * raw.len() + 1_200 * MAX_PARTS + 2 * 1024 * 1024
}

fn assert_bounded(what: &str, raw: &[u8]) {
    let peak = peak_of(raw);
    println!("{what}: {} bytes in, {peak} bytes at most", raw.len());
    assert!(
        peak <= bound(raw),
        "{what}: {peak} bytes held for a {}-byte mail",
        raw.len()
    );
}

#[test]
fn hostile_mails_are_parsed_in_bounded_memory() {
    // Nested 2,000 deep.
    let mut nested = b"innermost".to_vec();
    for depth in 0..2_000 {
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
    assert_bounded("2,000 nested multiparts", &deep);

    // Parts: as many as a mail may have, then ten times more (refused before parsing).
    let parts = |n: usize| {
        let many: Vec<Vec<u8>> = (0..n)
            .map(|_| part(&[("Content-Type", "image/png")], b"\x89PNG\r\n\x1a\n"))
            .collect();
        message(
            &[
                ("From", "a@example.cn"),
                ("Content-Type", "multipart/mixed; boundary=m"),
            ],
            &multipart_body("m", &many),
        )
    };
    let most = parts(MAX_PARTS - 10);
    assert!(parse_inbound(&most).is_ok());
    assert_bounded("4,990 parts", &most);
    let hostile = parts(50_000);
    assert_eq!(
        parse_inbound(&hostile).map(|_| ()),
        Err(MailError::TooManyParts(MAX_PARTS))
    );
    assert_bounded("50,000 parts", &hostile);

    // 100,000 encoded words in one subject.
    let words = "=?GBK?B?1tDOxA==?= ".repeat(100_000);
    assert_bounded(
        "100,000 encoded words",
        &message(&[("From", "a@example.cn"), ("Subject", &words)], b"x"),
    );

    // 8 MB of quoted lines and 8 MB of one HTML tag.
    assert_bounded(
        "8 MB of quotes",
        &message(&[("From", "a@example.cn")], &b"> >\r\n".repeat(1_600_000)),
    );
    let mut html = b"<div".to_vec();
    html.extend(std::iter::repeat_n(b'a', 8 * 1024 * 1024));
    assert_bounded(
        "an 8 MB tag",
        &message(
            &[
                ("From", "a@example.cn"),
                ("Content-Type", "text/html; charset=utf-8"),
            ],
            &html,
        ),
    );
}

#[test]
fn an_ordinary_mail_holds_little() {
    assert_bounded("a reply", &plain_utf8_reply());
    assert_bounded("a GBK HTML mail", &html_only_gbk());
    assert_bounded("a photo", &with_photo(500_000));
}
