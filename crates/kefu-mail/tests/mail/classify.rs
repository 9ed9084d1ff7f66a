//! A person's mail, an auto-reply or a bounce: the headers, subjects and reports that tell.

use kefu_mail::{MailKind, classify, parse_inbound};

use crate::fixtures::*;

fn kind_of(raw: &[u8]) -> MailKind {
    classify(&parse_inbound(raw).unwrap())
}

fn with_headers(extra: &[(&str, &str)], subject: &str) -> Vec<u8> {
    message(
        &customer_headers(subject, "<auto@example.cn>", extra),
        "我现在不在办公室。".as_bytes(),
    )
}

#[test]
fn customers_mails_are_normal_and_may_be_answered() {
    for raw in [plain_utf8_reply(), html_only_gbk(), with_photo(2_000)] {
        let kind = kind_of(&raw);
        assert_eq!(kind, MailKind::Normal);
        assert!(kind.may_answer_automatically());
    }
}

#[test]
fn auto_reply_headers() {
    for extra in [
        [("Auto-Submitted", "auto-replied")],
        [("Auto-Submitted", "auto-generated; owner-email=\"a@b.cn\"")],
        [("X-Autoreply", "yes")],
        [("X-Autorespond", "Thanks for your mail")],
        [("Precedence", "bulk")],
        [("Precedence", "junk")],
        [("Precedence", "auto_reply")],
        [("Return-Path", "<>")],
        [("Precedence", "list")],
        [("List-Id", "<news.shop.example>")],
        [("List-Unsubscribe", "<mailto:leave@shop.example>")],
    ] {
        let kind = kind_of(&with_headers(&extra, "关于快递"));
        assert_eq!(kind, MailKind::AutoReply, "{extra:?}");
        assert!(!kind.may_answer_automatically());
    }
    for extra in [
        [("Auto-Submitted", "no")],
        [("Precedence", "first-class")],
        [("Return-Path", "<zhangsan@example.cn>")],
    ] {
        assert_eq!(
            kind_of(&with_headers(&extra, "关于快递")),
            MailKind::Normal,
            "{extra:?}"
        );
    }
}

#[test]
fn out_of_office_subjects_in_chinese_and_english() {
    let encoded = word_b("GBK", &encode(encoding_rs::GBK, "自动回复: 关于运单"));
    for subject in [
        encoded.as_str(),
        "=?UTF-8?B?5LyR5YGH5Lit77yM5Zue5p2l5ZCO5Zue5aSN?=",
        "Out of Office: your parcel",
        "Automatic reply: 关于运单",
        "Auto-Reply: hello",
    ] {
        assert_eq!(
            kind_of(&with_headers(&[], subject)),
            MailKind::AutoReply,
            "{subject}"
        );
    }
    assert_eq!(
        kind_of(&with_headers(&[], "休假期间快递能送吗")),
        MailKind::Normal
    );
}

#[test]
fn a_permanent_delivery_failure_names_the_mail_that_bounced() {
    let mail = parse_inbound(&bounce("5.1.1", "0193a4b2-7c1d@yunlu.example")).unwrap();
    assert_eq!(
        classify(&mail),
        MailKind::Bounce {
            original_message_id: Some("0193a4b2-7c1d@yunlu.example".into()),
            permanent: true
        }
    );
    let status = mail.delivery_status.as_ref().unwrap();
    assert_eq!(status.reporting_mta.as_deref(), Some("mx.example.cn"));
    assert_eq!(
        status.recipients[0].recipient.as_deref(),
        Some("nobody@example.cn")
    );
    assert_eq!(status.recipients[0].status.as_deref(), Some("5.1.1"));
    assert!(
        mail.attachments.is_empty() && mail.refused_attachments.is_empty(),
        "the report's parts are not attachments: {:?}",
        mail.refused_attachments
    );
    assert!(mail.body_text.contains("could not"));
    assert!(!classify(&mail).may_answer_automatically());
}

#[test]
fn a_delay_notice_is_a_temporary_bounce() {
    assert_eq!(
        kind_of(&bounce("4.4.7", "late@yunlu.example")),
        MailKind::Bounce {
            original_message_id: Some("late@yunlu.example".into()),
            permanent: false
        }
    );
}

#[test]
fn the_returned_mail_may_come_whole_as_message_rfc822() {
    let original = message(
        &[
            ("From", "kefu@yunlu.example"),
            ("To", "gone@example.cn"),
            ("Subject", "=?UTF-8?B?5bel5Y2V5bey5Y+X55CG?="),
            ("Message-ID", "<whole.1@yunlu.example>"),
        ],
        "您好".as_bytes(),
    );
    let body = multipart_body(
        "r2",
        &[
            part(&[("Content-Type", "text/plain")], b"Delivery has failed."),
            part(
                &[("Content-Type", "message/delivery-status")],
                b"Reporting-MTA: dns;exch.example.cn\r\n\r\nFinal-Recipient: rfc822;gone@example.cn\r\nAction: failed\r\nStatus: 5.2.1\r\n",
            ),
            part(&[("Content-Type", "message/rfc822")], &original),
        ],
    );
    let raw = message(
        &[
            ("From", "postmaster@example.cn"),
            ("To", "kefu@yunlu.example"),
            ("Subject", "Undeliverable: 工单已受理"),
            (
                "Content-Type",
                "multipart/report; report-type=delivery-status; boundary=r2",
            ),
        ],
        &body,
    );
    assert_eq!(
        kind_of(&raw),
        MailKind::Bounce {
            original_message_id: Some("whole.1@yunlu.example".into()),
            permanent: true
        }
    );
}

#[test]
fn a_successful_delivery_notice_is_an_auto_reply_not_a_bounce() {
    let body = multipart_body(
        "ok",
        &[
            part(&[("Content-Type", "text/plain")], b"Your message was delivered."),
            part(
                &[("Content-Type", "message/delivery-status")],
                b"Reporting-MTA: dns; mx.example.cn\r\n\r\nFinal-Recipient: rfc822; a@example.cn\r\nAction: delivered\r\nStatus: 2.0.0\r\n",
            ),
        ],
    );
    let raw = message(
        &[
            ("From", "MAILER-DAEMON@mx.example.cn"),
            ("Subject", "Successful Mail Delivery Report"),
            (
                "Content-Type",
                "multipart/report; report-type=delivery-status; boundary=ok",
            ),
        ],
        &body,
    );
    assert_eq!(kind_of(&raw), MailKind::AutoReply);
}

#[test]
fn a_plain_text_bounce_from_mailer_daemon() {
    // qmail style: no report, the original headers quoted in the text.
    let text = "Hi. This is the qmail-send program at mx.example.cn.\n\
                I'm afraid I wasn't able to deliver your message to the following addresses.\n\
                This is a permanent error; I've given up. Sorry it didn't work out.\n\n\
                <nobody@example.cn>:\n\
                Sorry, no mailbox here by that name. (#5.1.1)\n\n\
                --- Below this line is a copy of the message.\n\n\
                Return-Path: <kefu@yunlu.example>\n\
                Message-ID: <qmail.copy@yunlu.example>\n\
                Subject: hello\n";
    let raw = message(
        &[
            ("From", "MAILER-DAEMON@mx.example.cn"),
            ("To", "kefu@yunlu.example"),
            ("Subject", "failure notice"),
        ],
        text.as_bytes(),
    );
    assert_eq!(
        kind_of(&raw),
        MailKind::Bounce {
            original_message_id: Some("qmail.copy@yunlu.example".into()),
            permanent: true
        }
    );
}

#[test]
fn a_chinese_postmaster_bounce_that_is_still_retrying() {
    let text = "很抱歉您发送的邮件被退回，以下是该邮件的相关信息：\n\
                收件人：slow@example.cn\n\
                退信原因：对方服务器暂时无法连接，系统将稍后重试。\n";
    let raw = message(
        &[
            (
                "From",
                "=?UTF-8?B?57O757uf6YCA5L+h?= <postmaster@mail.example.cn>",
            ),
            ("To", "kefu@yunlu.example"),
            ("Subject", "=?UTF-8?B?57O757uf6YCA5L+h?="),
            ("Content-Type", "text/plain; charset=utf-8"),
        ],
        text.as_bytes(),
    );
    assert_eq!(
        kind_of(&raw),
        MailKind::Bounce {
            original_message_id: None,
            permanent: false
        }
    );
}

#[test]
fn a_bounce_subject_alone_from_a_person_is_not_a_bounce() {
    assert_eq!(
        kind_of(&with_headers(&[], "Undeliverable parcel, please help")),
        MailKind::Normal
    );
    assert_eq!(
        kind_of(&with_headers(
            &[("Auto-Submitted", "auto-replied")],
            "Undeliverable: 工单已受理"
        )),
        MailKind::Bounce {
            original_message_id: None,
            permanent: true
        }
    );
}

#[test]
fn read_receipts_are_auto_replies() {
    let body = multipart_body(
        "mdn",
        &[
            part(&[("Content-Type", "text/plain")], b"Your message was read."),
            part(
                &[("Content-Type", "message/disposition-notification")],
                b"Final-Recipient: rfc822; a@example.cn\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n",
            ),
        ],
    );
    let raw = message(
        &[
            ("From", "a@example.cn"),
            ("Subject", "Read: 工单已受理"),
            (
                "Content-Type",
                "multipart/report; report-type=disposition-notification; boundary=mdn",
            ),
        ],
        &body,
    );
    assert_eq!(kind_of(&raw), MailKind::AutoReply);
}
