//! The held-out corpus: mails as real clients write them, stored as files in `corpus/`, each
//! checked against its line in `corpus/expected.tsv`. The files are not built by the tests, so
//! they catch what the builders in `fixtures.rs` would write the same way as the parser reads.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use kefu_mail::{
    InboundMail, MailKind, case_number_in_subject, classify, find_identifiers, fold_quote,
    parse_inbound, reply_subject, reply_threading, thread_keys,
};
use kefu_model::waybill::Recognizer;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn read_mail(file: &str) -> Vec<u8> {
    std::fs::read(corpus_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// One line of `expected.tsv`. `-` stands for "none" in every column.
#[derive(Debug)]
struct Expectation {
    file: String,
    /// `normal`, `auto_reply`, `bounce` or `unparsed` (the parser must refuse it).
    outcome: String,
    sender: String,
    reply_contains: String,
    reply_not_contains: Option<String>,
    /// Found in the whole text (quote included), in order.
    waybills: Vec<String>,
    mobiles: Vec<String>,
    kept: usize,
    refused: usize,
    case_number: Option<String>,
}

fn optional(column: &str) -> Option<String> {
    (column != "-").then(|| column.to_string())
}

fn list(column: &str) -> Vec<String> {
    optional(column)
        .map(|c| c.split(',').map(str::to_string).collect())
        .unwrap_or_default()
}

fn manifest() -> Vec<Expectation> {
    let text = std::fs::read_to_string(corpus_dir().join("expected.tsv")).unwrap();
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let columns: Vec<&str> = line.split('\t').collect();
            assert_eq!(columns.len(), 10, "expected.tsv: 10 columns in {line:?}");
            Expectation {
                file: columns[0].to_string(),
                outcome: columns[1].to_string(),
                sender: columns[2].to_string(),
                reply_contains: columns[3].to_string(),
                reply_not_contains: optional(columns[4]),
                waybills: list(columns[5]),
                mobiles: list(columns[6]),
                kept: columns[7].parse().unwrap(),
                refused: columns[8].parse().unwrap(),
                case_number: optional(columns[9]),
            }
        })
        .collect()
}

fn eml_files() -> BTreeSet<String> {
    std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".eml"))
        .collect()
}

fn outcome_of(kind: &MailKind) -> &'static str {
    match kind {
        MailKind::Normal => "normal",
        MailKind::AutoReply => "auto_reply",
        MailKind::Bounce { .. } => "bounce",
    }
}

/// What `mail` gets wrong against `expected`, one line each.
fn mismatches(mail: &InboundMail, expected: &Expectation) -> Vec<String> {
    let mut wrong = Vec::new();
    let outcome = outcome_of(&classify(mail));
    if outcome != expected.outcome {
        wrong.push(format!(
            "classified {outcome}, expected {}",
            expected.outcome
        ));
    }
    if mail.from.address != expected.sender {
        wrong.push(format!("sender {:?}", mail.from.address));
    }
    if !mail.reply_text.contains(&expected.reply_contains) {
        wrong.push(format!(
            "reply text lacks {:?}: {:?}",
            expected.reply_contains, mail.reply_text
        ));
    }
    if let Some(quoted) = &expected.reply_not_contains
        && mail.reply_text.contains(quoted)
    {
        wrong.push(format!(
            "reply text still holds the quote's {quoted:?}: {:?}",
            mail.reply_text
        ));
    }
    let found = find_identifiers(&Recognizer::default(), &mail.body_text);
    if found.waybills != expected.waybills {
        wrong.push(format!("waybills {:?}", found.waybills));
    }
    if found.mobiles != expected.mobiles {
        wrong.push(format!("mobiles {:?}", found.mobiles));
    }
    if mail.attachments.len() != expected.kept {
        wrong.push(format!("kept {:?}", mail.attachments));
    }
    if mail.refused_attachments.len() != expected.refused {
        wrong.push(format!("refused {:?}", mail.refused_attachments));
    }
    let case_number = case_number_in_subject(&mail.subject);
    if case_number != expected.case_number {
        wrong.push(format!(
            "case number {case_number:?} in subject {:?}",
            mail.subject
        ));
    }
    // Every file is in a charset the parser knows how to read (or can be read as GB18030), so a
    // replacement character means a charset was read wrongly.
    for (what, text) in [("subject", &mail.subject), ("text", &mail.body_text)] {
        if text.contains('\u{FFFD}') {
            wrong.push(format!("replacement characters in the {what}: {text:?}"));
        }
    }
    wrong
}

#[test]
fn every_mail_has_a_line_and_every_line_a_mail() {
    let files = eml_files();
    let lines = manifest();
    let listed: BTreeSet<String> = lines.iter().map(|e| e.file.clone()).collect();
    assert_eq!(listed.len(), lines.len(), "a file is listed twice");
    let unlisted: Vec<_> = files.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&files).collect();
    assert!(unlisted.is_empty(), "no line in expected.tsv: {unlisted:?}");
    assert!(missing.is_empty(), "listed but not in corpus/: {missing:?}");
    assert!(files.len() >= 40, "only {} mails", files.len());
}

#[test]
fn every_mail_is_read_as_expected() {
    let mut failures = Vec::new();
    for expected in manifest() {
        let raw = read_mail(&expected.file);
        assert!(
            !raw.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'),
            "{}: a line ends without CR",
            expected.file
        );
        match (parse_inbound(&raw), expected.outcome.as_str()) {
            (Err(_), "unparsed") => {}
            (Ok(mail), "unparsed") => failures.push(format!(
                "{}: read, but should be refused: {mail:?}",
                expected.file
            )),
            (Err(e), _) => failures.push(format!("{}: refused: {e}", expected.file)),
            (Ok(mail), _) => failures.extend(
                mismatches(&mail, &expected)
                    .into_iter()
                    .map(|wrong| format!("{}: {wrong}", expected.file)),
            ),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Everything the desk does with a mail, on the whole file and on every cut of it a dropped
/// connection could leave.
fn use_everything(raw: &[u8]) {
    let Ok(mail) = parse_inbound(raw) else {
        return;
    };
    let _ = classify(&mail);
    let _ = thread_keys(&mail);
    let _ = reply_threading(&mail);
    let _ = reply_subject(
        &mail.subject,
        case_number_in_subject(&mail.subject).as_deref(),
    );
    let _ = find_identifiers(&Recognizer::default(), &mail.body_text);
    let _ = fold_quote(&mail.body_text);
}

#[test]
fn no_mail_and_no_cut_of_one_makes_anything_panic() {
    let mut panicked = Vec::new();
    for file in eml_files() {
        let raw = read_mail(&file);
        let step = (raw.len() / 40).max(1);
        for end in (0..raw.len()).step_by(step).chain([raw.len()]) {
            if catch_unwind(AssertUnwindSafe(|| use_everything(&raw[..end]))).is_err() {
                panicked.push(format!("{file} cut at {end} of {}", raw.len()));
            }
        }
    }
    assert!(panicked.is_empty(), "panicked: {panicked:?}");
}

fn parse_file(file: &str) -> InboundMail {
    parse_inbound(&read_mail(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn the_same_mail_delivered_twice_is_one_message() {
    let first = parse_file("34_duplicate_message_id_a.eml");
    let second = parse_file("34_duplicate_message_id_b.eml");
    assert_eq!(first.message_id, "20261202090000.pan.jun.5531@qiye.example");
    assert_eq!(first.message_id, second.message_id);
    assert!(!first.message_id_derived && !second.message_id_derived);
}

#[test]
fn a_mail_without_message_id_gets_one_from_its_bytes_and_answers_go_to_reply_to() {
    let mail = parse_file("33_webform_without_message_id.eml");
    assert!(mail.message_id_derived);
    assert!(mail.message_id.ends_with("@message-id.invalid"));
    assert_eq!(
        parse_file("33_webform_without_message_id.eml").message_id,
        mail.message_id
    );
    assert_eq!(mail.reply_address().address, "fenggang@aliyun.com");
}

#[test]
fn bounces_name_the_mail_that_failed_and_whether_it_is_final() {
    for (file, original, permanent) in [
        (
            "27_postfix_dsn_bounce.eml",
            "kf.20261127000402.3@yunlu.example",
            true,
        ),
        (
            "28_exchange_ndr_bounce.eml",
            "kf.20261130000777.1@yunlu.example",
            true,
        ),
        (
            "29_qq_style_tuixin_without_dsn.eml",
            "kf.20261128000150.1@yunlu.example",
            true,
        ),
        (
            "30_postfix_delayed_warning.eml",
            "kf.20261130000901.1@yunlu.example",
            false,
        ),
    ] {
        assert_eq!(
            classify(&parse_file(file)),
            MailKind::Bounce {
                original_message_id: Some(original.to_string()),
                permanent,
            },
            "{file}"
        );
    }
}

#[test]
fn threaded_replies_name_the_mails_they_answer() {
    let qq = parse_file("11_qq_reply_original_mail_separator.eml");
    assert_eq!(
        thread_keys(&qq),
        [
            "kf.20261124000123.3@yunlu.example",
            "kf.20261124000123.1@yunlu.example"
        ]
    );
    let html_only = parse_file("03_outlook_gbk_html_only_invoice.eml");
    assert!(html_only.body_from_html);
    assert!(
        !html_only.body_text.contains("font-family"),
        "{:?}",
        html_only.body_text
    );
}
