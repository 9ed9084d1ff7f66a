//! Builds raw mails the way clients write them: headers, RFC 2047 words, base64 and
//! quoted-printable bodies in legacy charsets (encoded with encoding_rs, not typed by hand),
//! multipart bodies. Shared with the benchmark.
#![allow(dead_code)]

use base64::Engine as _;
use encoding_rs::Encoding;

pub const CRLF: &str = "\r\n";

/// `text` in `encoding` (GBK, GB18030, Big5, UTF-8).
pub fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding.encode(text);
    assert!(!unmappable, "{text:?} is not all in {}", encoding.name());
    bytes.into_owned()
}

/// Base64 in lines of 76, as mail clients write it.
pub fn base64_lines(bytes: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    encoded
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(CRLF)
}

/// Quoted-printable (RFC 2045): printable ASCII as is, the rest `=XX`, soft breaks before 76.
pub fn quoted_printable(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for &b in bytes {
        let piece = match b {
            b'\n' => {
                out.push_str(CRLF);
                line_len = 0;
                continue;
            }
            b'\r' => continue,
            b'=' => "=3D".to_string(),
            33..=126 | b' ' => (b as char).to_string(),
            _ => format!("={b:02X}"),
        };
        if line_len + piece.len() > 75 {
            out.push('=');
            out.push_str(CRLF);
            line_len = 0;
        }
        line_len += piece.len();
        out.push_str(&piece);
    }
    out
}

/// An RFC 2047 encoded word, base64.
pub fn word_b(charset: &str, bytes: &[u8]) -> String {
    format!(
        "=?{charset}?B?{}?=",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// An RFC 2047 encoded word, Q encoding.
pub fn word_q(charset: &str, bytes: &[u8]) -> String {
    let mut encoded = String::new();
    for &b in bytes {
        match b {
            b' ' => encoded.push('_'),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => encoded.push(b as char),
            _ => encoded.push_str(&format!("={b:02X}")),
        }
    }
    format!("=?{charset}?Q?{encoded}?=")
}

/// `text` as several UTF-8 base64 words on folded lines, split between characters (as
/// clients do with long subjects).
pub fn folded_utf8_words(text: &str, chars_per_word: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(chars_per_word)
        .map(|c| word_b("UTF-8", c.iter().collect::<String>().as_bytes()))
        .collect::<Vec<_>>()
        .join(&format!("{CRLF} "))
}

/// Headers, a blank line, the body.
pub fn message(headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(CRLF.as_bytes());
    }
    out.extend_from_slice(CRLF.as_bytes());
    out.extend_from_slice(body);
    out
}

/// Header lines whose values are raw bytes (8-bit headers of old clients).
pub fn message_with_raw_headers(headers: &[(&str, &[u8])], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(CRLF.as_bytes());
    }
    out.extend_from_slice(CRLF.as_bytes());
    out.extend_from_slice(body);
    out
}

/// A MIME part: headers and body.
pub fn part(headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    message(headers, body)
}

/// The body of a multipart with `boundary`.
pub fn multipart_body(boundary: &str, parts: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"This is a multi-part message in MIME format.\r\n".to_vec();
    for p in parts {
        out.extend_from_slice(format!("{CRLF}--{boundary}{CRLF}").as_bytes());
        out.extend_from_slice(p);
    }
    out.extend_from_slice(format!("{CRLF}--{boundary}--{CRLF}").as_bytes());
    out
}

/// The usual headers of a customer's mail; `extra` come after them.
pub fn customer_headers<'a>(
    subject: &'a str,
    message_id: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut headers = vec![
        ("From", "=?UTF-8?B?5byg5LiJ?= <zhangsan@example.cn>"),
        ("To", "kefu@yunlu.example"),
        ("Subject", subject),
        ("Date", "Tue, 24 Nov 2026 10:00:00 +0800"),
        ("Message-ID", message_id),
        ("MIME-Version", "1.0"),
    ];
    headers.extend_from_slice(extra);
    headers
}

/// A JPEG as cameras write it: SOI, a JFIF APP0 segment, then data.
pub fn jpeg(len: usize) -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00,
    ];
    let mut x: u32 = 0x1234_5678;
    while bytes.len() < len.saturating_sub(2) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push((x >> 24) as u8);
    }
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

/// A PNG signature and IHDR chunk, then data.
pub fn png(len: usize) -> Vec<u8> {
    let mut bytes = vec![
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, b'I', b'H', b'D',
        b'R', 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x08, 0x02, 0x00, 0x00, 0x00,
    ];
    bytes.resize(len.max(bytes.len()), 0x42);
    bytes
}

pub fn pdf(len: usize) -> Vec<u8> {
    let mut bytes =
        b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    bytes.resize(len.max(bytes.len()), b' ');
    bytes
}

/// A plain-text customer mail in UTF-8, quoted-printable, replying to an earlier one.
pub fn plain_utf8_reply() -> Vec<u8> {
    let body = "您好，运单号 YL1234567890128 已经三天没有更新了，电话 13800138000。\n\
                请尽快帮我查一下，谢谢！\n\n\
                在 2026年11月23日 18:00，云路客服 <kefu@yunlu.example> 写道：\n\
                > 您好，您的工单 KF20261123000042 已受理。\n\
                > 我们会在 24 小时内回复。\n";
    message(
        &customer_headers(
            &word_b("UTF-8", "Re: 快递三天没动 [#KF20261123000042]".as_bytes()),
            "<CAF=reply.1@mail.example.cn>",
            &[
                ("In-Reply-To", "<0193a4b2-notice@yunlu.example>"),
                (
                    "References",
                    "<first.0@mail.example.cn> <0193a4b2-notice@yunlu.example>",
                ),
                ("Content-Type", "text/plain; charset=UTF-8"),
                ("Content-Transfer-Encoding", "quoted-printable"),
            ],
        ),
        quoted_printable(body.as_bytes()).as_bytes(),
    )
}

/// An HTML-only mail in GBK, base64, as older Chinese webmail sends it.
pub fn html_only_gbk() -> Vec<u8> {
    let html = "<html><head><style>p { color: red }</style><title>邮件</title></head><body>\
                <p>客服您好：</p><p>我的快递<b>破损</b>了，运单号&nbsp;SF1234567890123。<br>\
                请问怎么理赔？</p><div>联系电话：13912345678</div>\
                <blockquote><div>------------------&nbsp;原始邮件&nbsp;------------------</div>\
                <div>发件人: 云路客服</div><div>发送时间: 2026年11月23日</div>\
                <div>之前的回复</div></blockquote></body></html>";
    message(
        &customer_headers(
            &word_b("GBK", &encode(encoding_rs::GBK, "快递破损怎么理赔")),
            "<tencent_42@qq.example>",
            &[
                ("Content-Type", "text/html; charset=\"gbk\""),
                ("Content-Transfer-Encoding", "base64"),
            ],
        ),
        base64_lines(&encode(encoding_rs::GBK, html)).as_bytes(),
    )
}

/// A mail with text and HTML alternatives and a JPEG photo attached.
pub fn with_photo(photo_len: usize) -> Vec<u8> {
    let alternative = part(
        &[(
            "Content-Type",
            "multipart/alternative; boundary=\"alt-7d1\"",
        )],
        &multipart_body(
            "alt-7d1",
            &[
                part(
                    &[
                        ("Content-Type", "text/plain; charset=UTF-8"),
                        ("Content-Transfer-Encoding", "base64"),
                    ],
                    base64_lines("外包装破损的照片见附件。".as_bytes()).as_bytes(),
                ),
                part(
                    &[
                        ("Content-Type", "text/html; charset=UTF-8"),
                        ("Content-Transfer-Encoding", "base64"),
                    ],
                    base64_lines("<p>外包装<b>破损</b>的照片见附件。</p>".as_bytes()).as_bytes(),
                ),
            ],
        ),
    );
    let photo_name = word_b("UTF-8", "破损照片.jpg".as_bytes());
    let photo_type = format!("application/octet-stream; name=\"{photo_name}\"");
    let photo_disposition = format!("attachment; filename=\"{photo_name}\"");
    let photo = part(
        &[
            ("Content-Type", &photo_type),
            ("Content-Disposition", &photo_disposition),
            ("Content-Transfer-Encoding", "base64"),
        ],
        base64_lines(&jpeg(photo_len)).as_bytes(),
    );
    message(
        &customer_headers(
            "=?UTF-8?B?5b+r6YCS56C05o2f?=",
            "<photo.1@mail.example.cn>",
            &[("Content-Type", "multipart/mixed; boundary=\"mix-3e9\"")],
        ),
        &multipart_body("mix-3e9", &[alternative, photo]),
    )
}

/// A delivery status notification (RFC 3464) for a mail kefu sent: `status` is `5.1.1`
/// (given up) or `4.4.7` (still trying); the returned headers carry `original_id`.
pub fn bounce(status: &str, original_id: &str) -> Vec<u8> {
    let action = if status.starts_with('5') {
        "failed"
    } else {
        "delayed"
    };
    let explanation = part(
        &[("Content-Type", "text/plain; charset=us-ascii")],
        b"This is the mail system at host mx.example.cn.\r\n\r\n\
          I'm sorry to have to inform you that your message could not\r\n\
          be delivered to one or more recipients.\r\n",
    );
    let report = format!(
        "Reporting-MTA: dns; mx.example.cn\r\n\
         Arrival-Date: Tue, 24 Nov 2026 10:00:01 +0800\r\n\
         \r\n\
         Final-Recipient: rfc822; nobody@example.cn\r\n\
         Original-Recipient: rfc822;nobody@example.cn\r\n\
         Action: {action}\r\n\
         Status: {status}\r\n\
         Remote-MTA: dns; mx2.example.cn\r\n\
         Diagnostic-Code: smtp; 550 {status} <nobody@example.cn>: Recipient address\r\n\
         \x20   rejected: User unknown in local recipient table\r\n"
    );
    let status_part = part(
        &[("Content-Type", "message/delivery-status")],
        report.as_bytes(),
    );
    let returned_headers = format!(
        "Return-Path: <kefu@yunlu.example>\r\n\
         From: =?UTF-8?B?5LqR6Lev5a6i5pyN?= <kefu@yunlu.example>\r\n\
         To: nobody@example.cn\r\n\
         Subject: =?UTF-8?B?5bel5Y2V5bey5Y+X55CG?=\r\n\
         Message-ID: <{original_id}>\r\n\
         Date: Tue, 24 Nov 2026 10:00:00 +0800\r\n"
    );
    let returned = part(
        &[("Content-Type", "text/rfc822-headers")],
        returned_headers.as_bytes(),
    );
    message(
        &[
            ("Return-Path", "<>"),
            ("From", "MAILER-DAEMON@mx.example.cn (Mail Delivery System)"),
            ("To", "kefu@yunlu.example"),
            ("Subject", "Undelivered Mail Returned to Sender"),
            ("Date", "Tue, 24 Nov 2026 10:00:02 +0800 (CST)"),
            ("Message-ID", "<20261124020002.ABC123@mx.example.cn>"),
            ("Auto-Submitted", "auto-replied"),
            ("MIME-Version", "1.0"),
            (
                "Content-Type",
                "multipart/report; report-type=delivery-status;\r\n\tboundary=\"rpt-b0c\"",
            ),
        ],
        &multipart_body("rpt-b0c", &[explanation, status_part, returned]),
    )
}
