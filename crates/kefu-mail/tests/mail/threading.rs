//! Thread keys, case numbers in subjects, reply subjects, identifiers in the text, and the
//! Message-ID a mail without one gets.

use kefu_mail::{
    case_number_in_subject, find_identifiers, parse_inbound, reply_subject, thread_keys,
};
use kefu_model::waybill::{CheckScheme, OwnFormat, Recognizer};

use crate::fixtures::*;

#[test]
fn thread_keys_are_in_reply_to_then_references_newest_first() {
    let raw = message(
        &[
            ("From", "a@example.cn"),
            ("Subject", "x"),
            ("Message-ID", "<self@example.cn>"),
            ("In-Reply-To", "<parent@yunlu.example>"),
            (
                "References",
                "<root@yunlu.example>\r\n <middle@example.cn>\r\n <parent@yunlu.example> <self@example.cn>",
            ),
        ],
        b"x",
    );
    let mail = parse_inbound(&raw).unwrap();
    assert_eq!(
        thread_keys(&mail),
        [
            "parent@yunlu.example",
            "middle@example.cn",
            "root@yunlu.example"
        ]
    );
}

#[test]
fn a_mail_without_message_id_gets_one_from_its_bytes() {
    let raw = message(
        &[("From", "a@example.cn"), ("Subject", "无 ID")],
        "正文".as_bytes(),
    );
    let first = parse_inbound(&raw).unwrap();
    let again = parse_inbound(&raw).unwrap();
    assert!(first.message_id_derived);
    assert_eq!(
        first.message_id, again.message_id,
        "the same bytes, the same id"
    );
    assert!(
        first.message_id.ends_with("@message-id.invalid"),
        "{}",
        first.message_id
    );
    let other = message(
        &[("From", "a@example.cn"), ("Subject", "无 ID")],
        "另一封".as_bytes(),
    );
    assert_ne!(parse_inbound(&other).unwrap().message_id, first.message_id);
    assert!(thread_keys(&first).is_empty());
}

#[test]
fn case_numbers_are_found_in_subjects() {
    for (subject, number) in [
        (
            "Re: 快递三天没动 [#KF20261123000042]",
            Some("KF20261123000042"),
        ),
        ("[#KF20261123000042] 回复", Some("KF20261123000042")),
        ("工单KF20261123000042进展", Some("KF20261123000042")),
        ("re: kf20261123000042", Some("KF20261123000042")),
        ("工单 KF2026112300004212345", Some("KF2026112300004212345")),
        ("两个 KF1 和 KF20261123000042", Some("KF20261123000042")),
        ("太短 KF2026112300004", None),
        ("太长 KF202611230000421234567", None),
        ("粘在字母上 XKF20261123000042", None),
        ("粘在字母上 KF20261123000042A", None),
        ("运单 YL1234567890128", None),
        ("", None),
    ] {
        assert_eq!(
            case_number_in_subject(subject).as_deref(),
            number,
            "{subject}"
        );
    }
}

#[test]
fn reply_subjects_have_one_re_and_the_case_number_once() {
    let n = Some("KF20261124000001");
    for (original, number, expected) in [
        ("快递破损", n, "Re: 快递破损 [#KF20261124000001]"),
        ("Re: 快递破损", n, "Re: 快递破损 [#KF20261124000001]"),
        ("RE: Re: 快递破损", n, "Re: 快递破损 [#KF20261124000001]"),
        ("回复：快递破损", n, "Re: 快递破损 [#KF20261124000001]"),
        ("答复: 快递破损", n, "Re: 快递破损 [#KF20261124000001]"),
        ("Fw: 快递破损", n, "Re: 快递破损 [#KF20261124000001]"),
        (
            "Re: 快递破损 [#KF20261124000001]",
            n,
            "Re: 快递破损 [#KF20261124000001]",
        ),
        (
            "Re: 工单 kf20261124000001 进展",
            n,
            "Re: 工单 kf20261124000001 进展",
        ),
        ("Re: 快递破损", None, "Re: 快递破损"),
        ("", n, "Re: [#KF20261124000001]"),
    ] {
        assert_eq!(reply_subject(original, number), expected, "{original}");
    }
    // Replying to our own reply changes nothing.
    let once = reply_subject("快递破损", n);
    assert_eq!(reply_subject(&once, n), once);
}

#[test]
fn waybills_mobiles_and_case_numbers_in_a_customer_text() {
    let mail = parse_inbound(&plain_utf8_reply()).unwrap();
    let found = find_identifiers(&Recognizer::default(), &mail.reply_text);
    assert_eq!(found.waybills, ["YL1234567890128"]);
    assert_eq!(found.mobiles, ["13800138000"]);
    assert!(
        found.case_numbers.is_empty(),
        "the case number is in the quote only"
    );
    let whole = find_identifiers(&Recognizer::default(), &mail.body_text);
    assert_eq!(whole.case_numbers, ["KF20261123000042"]);

    let text = "顺丰单号SF1234567890123，另一个 sf1234567890123；手机+86 13912345678，\
                工单[#KF20261124000001]和KF20261124000001";
    let found = find_identifiers(&Recognizer::default(), text);
    assert_eq!(found.waybills, ["SF1234567890123"]);
    assert_eq!(found.mobiles, ["13912345678"]);
    assert_eq!(found.case_numbers, ["KF20261124000001"]);
}

#[test]
fn the_operators_own_waybill_format_is_used() {
    let own = OwnFormat {
        name: "测试快运".into(),
        prefix: "TK".into(),
        digits: 10,
        check: CheckScheme::None,
    };
    let found = find_identifiers(&Recognizer::new(own), "单号 TK0123456789 到哪了");
    assert_eq!(found.waybills, ["TK0123456789"]);
    let found = find_identifiers(&Recognizer::default(), "单号 TK0123456789 到哪了");
    assert!(found.waybills.is_empty(), "{found:?}");
}
