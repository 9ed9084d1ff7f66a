//! Attachments and inline images, kept or refused by the policy on their own bytes.

use kefu_mail::{AttachmentPolicy, Refusal, parse_inbound, parse_inbound_with};

use crate::fixtures::*;

fn file_part(content_type: &str, disposition: &str, bytes: &[u8]) -> Vec<u8> {
    part(
        &[
            ("Content-Type", content_type),
            ("Content-Disposition", disposition),
            ("Content-Transfer-Encoding", "base64"),
        ],
        base64_lines(bytes).as_bytes(),
    )
}

fn mixed(files: &[Vec<u8>]) -> Vec<u8> {
    let mut parts = vec![part(
        &[("Content-Type", "text/plain; charset=utf-8")],
        "照片见附件".as_bytes(),
    )];
    parts.extend_from_slice(files);
    message(
        &customer_headers(
            "附件",
            "<files@example.cn>",
            &[("Content-Type", "multipart/mixed; boundary=\"f-1\"")],
        ),
        &multipart_body("f-1", &parts),
    )
}

#[test]
fn a_photo_declared_as_octet_stream_is_kept_as_the_jpeg_it_is() {
    let mail = parse_inbound(&with_photo(40_000)).unwrap();
    assert_eq!(mail.body_text, "外包装破损的照片见附件。");
    assert_eq!(mail.attachments.len(), 1, "{:?}", mail.refused_attachments);
    let photo = &mail.attachments[0];
    assert_eq!(photo.filename, "破损照片.jpg");
    assert_eq!(photo.content_type, "image/jpeg");
    assert_eq!(photo.declared_type, "application/octet-stream");
    assert!(!photo.inline);
    assert_eq!(photo.bytes, jpeg(40_000));
}

#[test]
fn inline_images_of_an_html_mail_keep_their_content_id() {
    let html = part(
        &[("Content-Type", "text/html; charset=utf-8")],
        "<p>破损如图：</p><img src=\"cid:img1@qq.example\">".as_bytes(),
    );
    let image = part(
        &[
            ("Content-Type", "image/png; name=\"screenshot.png\""),
            ("Content-ID", "<img1@qq.example>"),
            ("Content-Disposition", "inline; filename=\"screenshot.png\""),
            ("Content-Transfer-Encoding", "base64"),
        ],
        base64_lines(&png(3_000)).as_bytes(),
    );
    let raw = message(
        &customer_headers(
            "图",
            "<related@example.cn>",
            &[("Content-Type", "multipart/related; boundary=rel")],
        ),
        &multipart_body("rel", &[html, image]),
    );
    let mail = parse_inbound(&raw).unwrap();
    assert!(mail.body_text.contains("破损如图"), "{}", mail.body_text);
    assert_eq!(mail.attachments.len(), 1);
    let image = &mail.attachments[0];
    assert!(image.inline);
    assert_eq!(image.content_id.as_deref(), Some("img1@qq.example"));
    assert_eq!(image.content_type, "image/png");
    assert_eq!(image.filename, "screenshot.png");
}

#[test]
fn files_whose_bytes_are_not_an_allowed_type_are_refused() {
    let raw = mixed(&[
        file_part(
            "image/jpeg; name=\"photo.jpg\"",
            "attachment; filename=\"photo.jpg\"",
            b"MZ\x90\x00\x03\x00\x00\x00 this is a program",
        ),
        file_part(
            "image/png",
            "attachment; filename=\"x.png\"",
            b"<html><script>alert(1)</script></html>",
        ),
        file_part(
            "application/zip",
            "attachment; filename=\"a.zip\"",
            b"PK\x03\x04 zip",
        ),
        file_part(
            "application/pdf",
            "attachment; filename=\"invoice.pdf\"",
            &pdf(5_000),
        ),
    ]);
    let mail = parse_inbound(&raw).unwrap();
    let kept: Vec<(&str, &str)> = mail
        .attachments
        .iter()
        .map(|a| (a.filename.as_str(), a.content_type.as_str()))
        .collect();
    assert_eq!(kept, [("invoice.pdf", "application/pdf")]);
    let refused: Vec<(&str, &Refusal)> = mail
        .refused_attachments
        .iter()
        .map(|r| (r.filename.as_str(), &r.reason))
        .collect();
    assert_eq!(
        refused,
        [
            ("photo.jpg", &Refusal::TypeNotAllowed { detected: None }),
            ("x.png", &Refusal::TypeNotAllowed { detected: None }),
            ("a.zip", &Refusal::TypeNotAllowed { detected: None }),
        ]
    );
    assert_eq!(mail.refused_attachments[0].declared_type, "image/jpeg");
    assert!(mail.refused_attachments[0].size > 0);
}

#[test]
fn sizes_totals_counts_and_types_of_the_policy() {
    let policy = AttachmentPolicy {
        max_file_bytes: 10_000,
        max_total_bytes: 15_000,
        max_files: 2,
        allowed_types: vec!["image/jpeg".into(), "image/png".into()],
    };
    let raw = mixed(&[
        file_part(
            "image/jpeg",
            "attachment; filename=\"big.jpg\"",
            &jpeg(12_000),
        ),
        file_part("image/jpeg", "attachment; filename=\"a.jpg\"", &jpeg(8_000)),
        file_part("image/png", "attachment; filename=\"b.png\"", &png(8_000)),
        file_part("image/png", "attachment; filename=\"c.png\"", &png(1_000)),
        file_part("image/png", "attachment; filename=\"d.png\"", &png(1_000)),
        file_part(
            "application/pdf",
            "attachment; filename=\"e.pdf\"",
            &pdf(1_000),
        ),
        file_part("image/png", "attachment; filename=\"empty.png\"", b""),
    ]);
    let mail = parse_inbound_with(&raw, &policy).unwrap();
    let kept: Vec<&str> = mail
        .attachments
        .iter()
        .map(|a| a.filename.as_str())
        .collect();
    assert_eq!(kept, ["a.jpg", "c.png"]);
    let refused: Vec<(&str, Refusal)> = mail
        .refused_attachments
        .iter()
        .map(|r| (r.filename.as_str(), r.reason.clone()))
        .collect();
    assert_eq!(
        refused,
        [
            (
                "big.jpg",
                Refusal::TooLarge {
                    size: 12_000,
                    max: 10_000
                }
            ),
            (
                "b.png",
                Refusal::OverTotal {
                    total: 16_000,
                    max: 15_000
                }
            ),
            ("d.png", Refusal::TooMany { max: 2 }),
            (
                "e.pdf",
                Refusal::TypeNotAllowed {
                    detected: Some("application/pdf")
                }
            ),
            ("empty.png", Refusal::Empty),
        ]
    );
}

#[test]
fn filenames_in_legacy_charsets_and_rfc_2231_are_decoded_and_made_safe() {
    let gbk_name = word_b("GBK", &encode(encoding_rs::GBK, "面单照片.jpg"));
    let raw = mixed(&[
        file_part(
            &format!("image/jpeg; name=\"{gbk_name}\""),
            &format!("attachment; filename=\"{gbk_name}\""),
            &jpeg(1_000),
        ),
        file_part(
            "image/png",
            "attachment; filename*=UTF-8''%E7%A0%B4%E6%8D%9F.png",
            &png(1_000),
        ),
        file_part(
            "image/png",
            "attachment; filename=\"../../etc/cron.d/x.png\"",
            &png(1_000),
        ),
        file_part("image/png", "attachment", &png(1_000)),
    ]);
    let mail = parse_inbound(&raw).unwrap();
    let names: Vec<&str> = mail
        .attachments
        .iter()
        .map(|a| a.filename.as_str())
        .collect();
    assert_eq!(
        names,
        ["面单照片.jpg", "破损.png", "x.png", "attachment.png"]
    );
}
