//! Building replies and notices, and reading them back.

use jiff::Timestamp;
use kefu_html::SafeHtml;
use kefu_mail::{
    MailAddress, MailError, MailKind, MailMessageId, OutboundKind, OutboundMail, ReplyThreading,
    build_outbound, classify, parse_inbound, reply_subject, reply_threading,
};

use crate::fixtures::*;

fn now() -> Timestamp {
    "2026-11-24T02:30:00Z".parse().unwrap()
}

fn reply_to_customer() -> OutboundMail {
    let inbound = parse_inbound(&plain_utf8_reply()).unwrap();
    OutboundMail {
        kind: OutboundKind::AgentReply,
        message_id: MailMessageId::generate("yunlu.example", now()).unwrap(),
        date: now(),
        from: MailAddress::new("kefu@yunlu.example", Some("云路客服 · 小王")),
        reply_to: Some(MailAddress::new("support@yunlu.example", None)),
        to: vec![inbound.reply_address().clone()],
        cc: vec![MailAddress::new("Li.Si@Example.cn", Some("李四"))],
        subject: reply_subject(&inbound.subject, Some("KF20261123000042")),
        threading: reply_threading(&inbound),
        text: "张三您好：\n\n运单 YL1234567890128 已联系网点加急派送，预计明天送达。\n".into(),
        html: Some(kefu_html::markdown::to_html(
            "张三您好：\n\n运单 **YL1234567890128** 已联系网点加急派送。",
        )),
        signature: Some("云路速运客服中心\n电话 95000".into()),
        attachments: Vec::new(),
    }
}

#[test]
fn a_reply_reads_back_with_the_same_fields() {
    let outbound = reply_to_customer();
    let raw = build_outbound(&outbound).unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("\r\n"), "CRLF line ends");
    assert!(
        !text.contains("Auto-Submitted"),
        "an agent's reply is a person's mail"
    );

    let back = parse_inbound(&raw).unwrap();
    assert_eq!(back.message_id, outbound.message_id.as_str());
    assert!(!back.message_id_derived);
    assert_eq!(back.subject, "Re: 快递三天没动 [#KF20261123000042]");
    assert_eq!(back.from, outbound.from);
    assert_eq!(back.to, outbound.to);
    assert_eq!(back.to[0].address, "zhangsan@example.cn");
    assert_eq!(
        back.cc,
        [MailAddress::new("li.si@example.cn", Some("李四"))]
    );
    assert_eq!(back.reply_to, outbound.reply_to);
    assert_eq!(back.date, Some(now()));
    assert_eq!(back.in_reply_to, ["CAF=reply.1@mail.example.cn"]);
    assert_eq!(
        back.references,
        [
            "first.0@mail.example.cn",
            "0193a4b2-notice@yunlu.example",
            "CAF=reply.1@mail.example.cn"
        ]
    );
    assert_eq!(
        back.body_text,
        "张三您好：\n\n运单 YL1234567890128 已联系网点加急派送，预计明天送达。\n\n-- \n云路速运客服中心\n电话 95000"
    );
    assert!(!back.body_from_html, "the text part is preferred");
    assert_eq!(classify(&back), MailKind::Normal);
}

#[test]
fn the_html_part_carries_the_escaped_signature() {
    let mut outbound = reply_to_customer();
    outbound.signature = Some("<script>客服</script>".into());
    let raw = build_outbound(&outbound).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let html = parsed.body_html(0).unwrap();
    assert!(html.contains("<strong>YL1234567890128</strong>"), "{html}");
    assert!(html.contains("&lt;script&gt;客服&lt;/script&gt;"), "{html}");
    assert!(!html.contains("<script>"));
}

#[test]
fn an_automatic_notice_is_marked_and_so_never_answered_back() {
    let mut notice = reply_to_customer();
    notice.kind = OutboundKind::AutomaticNotice;
    notice.html = None;
    notice.signature = None;
    notice.text = "我们已收到您的邮件，工单号 KF20261123000042。".into();
    let raw = build_outbound(&notice).unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.contains("Auto-Submitted: auto-generated\r\n"),
        "{text}"
    );
    let back = parse_inbound(&raw).unwrap();
    assert_eq!(
        back.body_text,
        "我们已收到您的邮件，工单号 KF20261123000042。"
    );
    assert_eq!(back.content_type, "text/plain");
    // Our own notice coming back (a forwarding loop) is never answered again.
    assert_eq!(classify(&back), MailKind::AutoReply);
}

#[test]
fn line_breaks_in_subjects_and_names_cannot_add_headers() {
    let mut outbound = reply_to_customer();
    outbound.subject = "破损\r\nBcc: everyone@example.cn".into();
    outbound.from.name = Some("客服\nX-Injected: yes".into());
    let raw = build_outbound(&outbound).unwrap();
    let back = parse_inbound(&raw).unwrap();
    assert_eq!(back.subject, "破损 Bcc: everyone@example.cn");
    assert!(back.header("Bcc").is_none());
    assert!(back.header("X-Injected").is_none());
    assert_eq!(back.from.name.as_deref(), Some("客服 X-Injected: yes"));
}

#[test]
fn bad_addresses_and_no_recipient_are_errors() {
    let mut outbound = reply_to_customer();
    outbound.to = vec![];
    assert_eq!(build_outbound(&outbound), Err(MailError::NoRecipient));

    for (field, bad) in [
        ("to", "not-an-address"),
        ("to", "a@b.cn>, <evil@example.cn"),
        ("to", "a\r\n@b.cn"),
        ("from", "kefu@localhost"),
    ] {
        let mut outbound = reply_to_customer();
        let address = MailAddress {
            address: bad.into(),
            name: None,
        };
        match field {
            "to" => outbound.to = vec![address],
            _ => outbound.from = address,
        }
        assert!(
            matches!(build_outbound(&outbound), Err(MailError::InvalidAddress { field: f, .. }) if f == field),
            "{bad:?}"
        );
    }
}

#[test]
fn threading_an_answer_to_a_mail_that_had_no_id() {
    let raw = message(&[("From", "a@example.cn"), ("Subject", "x")], b"hello");
    let inbound = parse_inbound(&raw).unwrap();
    assert_eq!(reply_threading(&inbound), ReplyThreading::default());

    let raw = message(
        &[
            ("From", "a@example.cn"),
            ("Subject", "x"),
            ("Message-ID", "<m@example.cn>"),
            ("In-Reply-To", "<p@yunlu.example>"),
        ],
        b"hello",
    );
    let threading = reply_threading(&parse_inbound(&raw).unwrap());
    let ids: Vec<&str> = threading.references.iter().map(|id| id.as_str()).collect();
    assert_eq!(ids, ["p@yunlu.example", "m@example.cn"]);
    assert_eq!(
        threading.in_reply_to.map(|id| id.to_string()).as_deref(),
        Some("m@example.cn")
    );
}

#[test]
fn long_reference_chains_keep_the_root_and_the_newest() {
    let references: Vec<String> = (0..30).map(|i| format!("<r{i}@example.cn>")).collect();
    let joined = references.join("\r\n ");
    let raw = message(
        &[
            ("From", "a@example.cn"),
            ("Subject", "x"),
            ("Message-ID", "<latest@example.cn>"),
            ("References", &joined),
        ],
        b"hello",
    );
    let threading = reply_threading(&parse_inbound(&raw).unwrap());
    let ids: Vec<&str> = threading.references.iter().map(|id| id.as_str()).collect();
    assert_eq!(ids.len(), 10);
    assert_eq!(ids[0], "r0@example.cn");
    assert_eq!(ids[1], "r22@example.cn");
    assert_eq!(ids[8], "r29@example.cn");
    assert_eq!(ids[9], "latest@example.cn");
}

#[test]
fn a_message_id_is_generated_from_the_time_given() {
    let a = MailMessageId::generate("yunlu.example", now()).unwrap();
    let later =
        MailMessageId::generate("yunlu.example", now() + jiff::SignedDuration::from_secs(1))
            .unwrap();
    assert!(
        a.as_str() < later.as_str(),
        "ids sort by their time: {a} {later}"
    );
    assert_eq!(
        MailMessageId::generate("not a domain", now()),
        Err(MailError::InvalidDomain("not a domain".into()))
    );
}

#[test]
fn safe_html_is_the_only_html_a_reply_takes() {
    // The type is the check: raw text given as HTML is escaped by `SafeHtml::escape`.
    let mut outbound = reply_to_customer();
    outbound.html = Some(SafeHtml::escape("<b>不是标签</b>"));
    let raw = build_outbound(&outbound).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert!(
        parsed
            .body_html(0)
            .unwrap()
            .contains("&lt;b&gt;不是标签&lt;/b&gt;")
    );
}

#[test]
fn an_attachment_goes_out_named_and_encoded() {
    let mut report = reply_to_customer();
    report.kind = OutboundKind::AutomaticNotice;
    report.attachments = vec![kefu_mail::OutboundAttachment {
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
        file_name: "kpis-all-2026-12-06-2026-12-07.xlsx".into(),
        bytes: b"PK\x03\x04\x00\x01report-bytes".to_vec(),
    }];
    let raw = build_outbound(&report).unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("multipart/mixed"), "{text}");
    assert!(
        text.contains("filename=\"kpis-all-2026-12-06-2026-12-07.xlsx\""),
        "{text}"
    );
    assert!(text.contains("UEsDBAABcmVwb3J0LWJ5dGVz"), "{text}");
    // The text still reads back as the body.
    let back = parse_inbound(&raw).unwrap();
    assert!(
        back.body_text.contains("YL1234567890128"),
        "{}",
        back.body_text
    );
}
