//! Subjects (RFC 2047, base64 and Q) and bodies (base64 and quoted-printable) in the charsets
//! Chinese mail comes in.

use encoding_rs::{BIG5, Encoding, GB18030, GBK, UTF_8};
use kefu_mail::parse_inbound;

use crate::fixtures::*;

const SIMPLIFIED: &str = "您好，我的快递（运单号 YL1234567890128）还没到，请帮忙查询。谢谢！";
const TRADITIONAL: &str = "您好，我的包裹還沒有送達，請幫忙查詢。謝謝！";
/// Beyond GBK: a character only GB18030 (four bytes) has, and an emoji.
const GB18030_ONLY: &str = "收件人𠀀先生的包裹到了吗😀";

struct Case {
    label: &'static str,
    encoding: &'static Encoding,
    text: &'static str,
    subject: &'static str,
}

const CASES: &[Case] = &[
    Case {
        label: "GB2312",
        encoding: GBK,
        text: SIMPLIFIED,
        subject: "查询快递",
    },
    Case {
        label: "GBK",
        encoding: GBK,
        text: SIMPLIFIED,
        subject: "查询快递",
    },
    Case {
        label: "GB18030",
        encoding: GB18030,
        text: GB18030_ONLY,
        subject: "查询快递",
    },
    Case {
        label: "Big5",
        encoding: BIG5,
        text: TRADITIONAL,
        subject: "查詢包裹",
    },
    Case {
        label: "UTF-8",
        encoding: UTF_8,
        text: SIMPLIFIED,
        subject: "查询快递",
    },
];

fn mail_in(case: &Case, subject_header: &str, transfer_encoding: &str, body: &str) -> Vec<u8> {
    let content_type = format!("text/plain; charset=\"{}\"", case.label);
    message(
        &customer_headers(
            subject_header,
            "<charset@mail.example.cn>",
            &[
                ("Content-Type", &content_type),
                ("Content-Transfer-Encoding", transfer_encoding),
            ],
        ),
        body.as_bytes(),
    )
}

#[test]
fn base64_subjects_and_bodies_in_every_charset() {
    for case in CASES {
        let bytes = encode(case.encoding, case.text);
        let subject = word_b(case.label, &encode(case.encoding, case.subject));
        let raw = mail_in(case, &subject, "base64", &base64_lines(&bytes));
        let mail = parse_inbound(&raw).unwrap();
        assert_eq!(mail.subject, case.subject, "{}", case.label);
        assert_eq!(mail.body_text, case.text, "{}", case.label);
        assert!(!mail.body_from_html);
    }
}

#[test]
fn quoted_printable_subjects_and_bodies_in_every_charset() {
    for case in CASES {
        let bytes = encode(case.encoding, case.text);
        let subject = word_q(case.label, &encode(case.encoding, case.text));
        let raw = mail_in(
            case,
            &subject,
            "quoted-printable",
            &quoted_printable(&bytes),
        );
        let mail = parse_inbound(&raw).unwrap();
        assert_eq!(mail.subject, case.text, "{}", case.label);
        assert_eq!(mail.body_text, case.text, "{}", case.label);
    }
}

#[test]
fn a_long_subject_in_several_folded_words_reads_as_one_line() {
    let subject = "回复：关于运单 YL1234567890128 派送延误以及外包装破损的投诉和理赔申请";
    let raw = message(
        &customer_headers(&folded_utf8_words(subject, 7), "<long@example.cn>", &[]),
        b"body",
    );
    let mail = parse_inbound(&raw).unwrap();
    assert_eq!(mail.subject, subject);
}

#[test]
fn mixed_plain_and_encoded_words_keep_their_spaces() {
    let subject = format!(
        "Re: {} [#KF20261124000001]",
        word_b("GBK", &encode(GBK, "快递破损"))
    );
    let raw = message(&customer_headers(&subject, "<mixed@example.cn>", &[]), b"x");
    let mail = parse_inbound(&raw).unwrap();
    assert_eq!(mail.subject, "Re: 快递破损 [#KF20261124000001]");
}

#[test]
fn an_unencoded_8bit_gbk_subject_is_read_as_gbk() {
    let subject = encode(GBK, "我的快递丢了");
    let from: &[u8] = b"customer@example.cn";
    let raw = message_with_raw_headers(
        &[
            ("From", from),
            ("Subject", &subject),
            ("Message-ID", b"<8bit@example.cn>"),
            ("Content-Type", b"text/plain; charset=gbk"),
            ("Content-Transfer-Encoding", b"8bit"),
        ],
        &encode(GBK, "三天了还没到"),
    );
    let mail = parse_inbound(&raw).unwrap();
    assert_eq!(mail.subject, "我的快递丢了");
    assert_eq!(mail.body_text, "三天了还没到");
}

#[test]
fn sender_names_in_legacy_charsets_are_decoded() {
    let from = format!(
        "{} <wang.wu@example.tw>",
        word_b("Big5", &encode(BIG5, "王五"))
    );
    let to = format!(
        "{} <kefu@yunlu.example>",
        word_q("GB2312", &encode(GBK, "云路客服"))
    );
    let raw = message(
        &[
            ("From", &from),
            ("To", &to),
            (
                "Cc",
                "\"Li, Si\" <Li.Si@Example.CN>, bad-address, <x@y.example>",
            ),
            ("Subject", "hi"),
        ],
        b"text",
    );
    let mail = parse_inbound(&raw).unwrap();
    assert_eq!(mail.from.name.as_deref(), Some("王五"));
    assert_eq!(mail.from.address, "wang.wu@example.tw");
    assert_eq!(mail.to[0].name.as_deref(), Some("云路客服"));
    let cc: Vec<&str> = mail.cc.iter().map(|a| a.address.as_str()).collect();
    assert!(cc.contains(&"li.si@example.cn"), "{cc:?}");
    assert!(cc.contains(&"x@y.example"), "{cc:?}");
    assert_eq!(
        mail.cc
            .iter()
            .find(|a| a.address == "li.si@example.cn")
            .and_then(|a| a.name.as_deref()),
        Some("Li, Si")
    );
}

#[test]
fn html_only_gbk_mail_becomes_readable_text() {
    let mail = parse_inbound(&html_only_gbk()).unwrap();
    assert!(mail.body_from_html);
    assert_eq!(mail.subject, "快递破损怎么理赔");
    for wanted in [
        "客服您好",
        "我的快递破损了",
        "SF1234567890123",
        "请问怎么理赔",
        "13912345678",
    ] {
        assert!(
            mail.body_text.contains(wanted),
            "{wanted}: {}",
            mail.body_text
        );
    }
    for unwanted in ["<p>", "<b>", "&nbsp;", "color: red", "<br>"] {
        assert!(
            !mail.body_text.contains(unwanted),
            "{unwanted}: {}",
            mail.body_text
        );
    }
    // The paragraphs stay apart, and the quoted earlier mail is folded away.
    let lines: Vec<&str> = mail
        .reply_text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(lines.len() >= 3, "{lines:?}");
    assert!(
        !mail.reply_text.contains("之前的回复"),
        "{}",
        mail.reply_text
    );
    assert!(
        mail.quoted_text.contains("原始邮件"),
        "{}",
        mail.quoted_text
    );
    assert!(mail.quoted_text.contains("之前的回复"));
}

#[test]
fn the_plain_alternative_is_preferred_to_the_html_one() {
    let body = multipart_body(
        "b1",
        &[
            part(
                &[("Content-Type", "text/plain; charset=utf-8")],
                "纯文本版本".as_bytes(),
            ),
            part(
                &[("Content-Type", "text/html; charset=utf-8")],
                "<p>网页版本</p>".as_bytes(),
            ),
        ],
    );
    let raw = message(
        &customer_headers(
            "alt",
            "<alt@example.cn>",
            &[("Content-Type", "multipart/alternative; boundary=b1")],
        ),
        &body,
    );
    let mail = parse_inbound(&raw).unwrap();
    assert_eq!(mail.body_text, "纯文本版本");
    assert!(!mail.body_from_html);
}

#[test]
fn headers_dates_and_ids_are_read() {
    let mail = parse_inbound(&plain_utf8_reply()).unwrap();
    assert_eq!(mail.message_id, "CAF=reply.1@mail.example.cn");
    assert!(!mail.message_id_derived);
    assert_eq!(mail.in_reply_to, ["0193a4b2-notice@yunlu.example"]);
    assert_eq!(
        mail.references,
        ["first.0@mail.example.cn", "0193a4b2-notice@yunlu.example"]
    );
    assert_eq!(mail.from.address, "zhangsan@example.cn");
    assert_eq!(mail.from.name.as_deref(), Some("张三"));
    assert_eq!(mail.to[0].address, "kefu@yunlu.example");
    assert_eq!(
        mail.date.map(|d| d.to_string()).as_deref(),
        Some("2026-11-24T02:00:00Z")
    );
    assert_eq!(mail.subject, "Re: 快递三天没动 [#KF20261123000042]");
    assert_eq!(mail.content_type, "text/plain");
    assert_eq!(
        mail.header("content-transfer-encoding"),
        Some("quoted-printable")
    );
    assert!(mail.reply_text.starts_with("您好，运单号 YL1234567890128"));
    assert!(
        mail.reply_text.ends_with("请尽快帮我查一下，谢谢！"),
        "{}",
        mail.reply_text
    );
    assert!(
        mail.quoted_text
            .starts_with("在 2026年11月23日 18:00，云路客服")
    );
}

#[test]
fn an_8bit_gbk_body_without_a_charset_is_read_as_gbk() {
    let raw = message_with_raw_headers(
        &[
            ("From", b"customer@example.cn"),
            ("Subject", b"no charset"),
            ("Content-Type", b"text/plain"),
        ],
        &encode(GBK, "快递到了吗？运单 YL1234567890128"),
    );
    assert_eq!(
        parse_inbound(&raw).unwrap().body_text,
        "快递到了吗？运单 YL1234567890128"
    );
    // Declared UTF-8 stays UTF-8 (with replacement characters where it lies).
    let declared = message_with_raw_headers(
        &[
            ("From", b"customer@example.cn"),
            ("Content-Type", b"text/plain; charset=utf-8"),
        ],
        "正常的 UTF-8".as_bytes(),
    );
    assert_eq!(parse_inbound(&declared).unwrap().body_text, "正常的 UTF-8");
}

#[test]
fn an_empty_plain_alternative_gives_way_to_the_html_one() {
    let body = multipart_body(
        "b2",
        &[
            part(&[("Content-Type", "text/plain; charset=utf-8")], b"\r\n"),
            part(
                &[("Content-Type", "text/html; charset=utf-8")],
                "<p>只有网页版本有内容</p>".as_bytes(),
            ),
        ],
    );
    let raw = message(
        &customer_headers(
            "alt",
            "<alt2@example.cn>",
            &[("Content-Type", "multipart/alternative; boundary=b2")],
        ),
        &body,
    );
    let mail = parse_inbound(&raw).unwrap();
    assert_eq!(mail.body_text, "只有网页版本有内容");
    assert!(mail.body_from_html);
}
