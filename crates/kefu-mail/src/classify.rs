//! A person's mail, a robot's auto-reply, or a bounce. Only a person's mail may ever get an
//! automatic answer: answering a robot starts a loop of two robots writing to each other.

use crate::inbound::InboundMail;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailKind {
    /// Written by a person (as far as the headers and subject tell).
    Normal,
    /// Machine-sent but not a failure: out-of-office, vacation and "we received your mail"
    /// replies, read receipts, delivery-success notifications, mailing-list and newsletter mail.
    AutoReply,
    /// A mail sent earlier could not be delivered. `original_message_id` is that mail's
    /// Message-ID (without brackets) when the bounce carries it; `permanent` is false when the
    /// server is still retrying (4.x.x), true when it gave up (5.x.x, or nothing says so).
    Bounce {
        original_message_id: Option<String>,
        permanent: bool,
    },
}

impl MailKind {
    /// Whether an automatic answer (an acknowledgement, a survey) may go back. Never for an
    /// auto-reply or a bounce.
    pub fn may_answer_automatically(&self) -> bool {
        matches!(self, MailKind::Normal)
    }
}

/// Tells what `mail` is. In order: a delivery status notification (RFC 3464) is a bounce (or an
/// auto-reply when every recipient got it); a read receipt is an auto-reply; a mail from
/// `MAILER-DAEMON`/`postmaster`, or with a bounce subject and a machine's mark, is a bounce; the
/// RFC 3834 and vendor headers (`Auto-Submitted`, `X-Autoreply`, `X-Autorespond`,
/// `Precedence: bulk/junk/list/auto_reply`, `List-Id`, `List-Unsubscribe`), a null return path
/// or an out-of-office subject make an auto-reply.
pub fn classify(mail: &InboundMail) -> MailKind {
    if let Some(kind) = delivery_report_kind(mail) {
        return kind;
    }
    if mail.report_type.as_deref() == Some("disposition-notification") {
        return MailKind::AutoReply;
    }
    let machine_mark = has_auto_header(mail) || has_null_return_path(mail);
    if is_daemon(&mail.from)
        || (is_bounce_subject(&mail.subject)
            && (machine_mark || mail.enclosed_message_id.is_some()))
    {
        return MailKind::Bounce {
            original_message_id: original_message_id(mail),
            permanent: permanent_from_text(&mail.body_text),
        };
    }
    if machine_mark || is_auto_reply_subject(&mail.subject) {
        return MailKind::AutoReply;
    }
    MailKind::Normal
}

fn delivery_report_kind(mail: &InboundMail) -> Option<MailKind> {
    let is_dsn =
        mail.report_type.as_deref() == Some("delivery-status") || mail.delivery_status.is_some();
    if !is_dsn {
        return None;
    }
    let recipients = mail
        .delivery_status
        .as_ref()
        .map(|s| s.recipients.as_slice())
        .unwrap_or_default();
    let class_of = |r: &crate::inbound::RecipientStatus| {
        r.status
            .as_deref()
            .and_then(|s| s.chars().next())
            .unwrap_or(' ')
    };
    let failed = recipients
        .iter()
        .any(|r| r.action.as_deref() == Some("failed") || class_of(r) == '5');
    let delayed = recipients
        .iter()
        .any(|r| r.action.as_deref() == Some("delayed") || class_of(r) == '4');
    let permanent = if failed {
        true
    } else if delayed {
        false
    } else if recipients.is_empty() {
        permanent_from_text(&mail.body_text)
    } else {
        // Delivered, relayed or expanded everywhere: a notice, not a failure.
        return Some(MailKind::AutoReply);
    };
    Some(MailKind::Bounce {
        original_message_id: original_message_id(mail),
        permanent,
    })
}

fn original_message_id(mail: &InboundMail) -> Option<String> {
    mail.enclosed_message_id
        .clone()
        .or_else(|| message_id_in_text(&mail.body_text))
}

/// A `Message-ID: <…>` line quoted in a plain-text bounce.
fn message_id_in_text(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.trim_start_matches(['>', ' ', '\t']);
        let (name, value) = line.split_once(':')?;
        if !name.trim().eq_ignore_ascii_case("message-id") {
            return None;
        }
        let id = value
            .split_whitespace()
            .next()?
            .trim_start_matches('<')
            .trim_end_matches('>');
        (!id.is_empty()).then(|| id.to_string())
    })
}

/// The enhanced status codes (`5.1.1`, `4.4.7`) in a plain-text bounce decide; without any, a
/// word of delay means the server retries; otherwise the failure is taken as final.
fn permanent_from_text(text: &str) -> bool {
    let mut saw_temporary = false;
    for class in enhanced_status_classes(text) {
        if class == '5' {
            return true;
        }
        saw_temporary = true;
    }
    if saw_temporary {
        return false;
    }
    let lower = text.to_lowercase();
    let temporary = [
        "delayed",
        "will be retried",
        "will retry",
        "still trying",
        "temporary failure",
        "延迟",
        "暂时",
        "稍后重试",
        "继续尝试",
    ];
    !temporary.iter().any(|w| lower.contains(w))
}

/// The class digit (`4` or `5`) of each `d.ddd.ddd` status code standing alone in `text`.
fn enhanced_status_classes(text: &str) -> impl Iterator<Item = char> + '_ {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|token| {
            let token = token.trim_end_matches('.');
            let mut parts = token.split('.');
            let class = parts.next()?;
            let subject = parts.next()?;
            let detail = parts.next()?;
            let shaped = parts.next().is_none()
                && (class == "4" || class == "5")
                && (1..=3).contains(&subject.len())
                && (1..=3).contains(&detail.len())
                && !detail.is_empty();
            shaped.then(|| if class == "5" { '5' } else { '4' })
        })
}

fn is_daemon(from: &crate::inbound::MailAddress) -> bool {
    let local = from
        .address
        .split('@')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        local.as_str(),
        "mailer-daemon" | "mailer_daemon" | "mailerdaemon" | "mail-daemon" | "postmaster"
    )
}

fn header_values<'a>(mail: &'a InboundMail, name: &'a str) -> impl Iterator<Item = String> + 'a {
    mail.headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| {
            // `auto-replied; owner-email="…"`, `bulk (comment)`: the first word decides.
            v.split([';', '(', ' '])
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

fn has_auto_header(mail: &InboundMail) -> bool {
    let auto_submitted = header_values(mail, "Auto-Submitted").any(|v| !v.is_empty() && v != "no");
    let vendor = [
        "X-Autoreply",
        "X-Autorespond",
        "X-Autogenerated",
        "X-Auto-Reply",
    ]
    .iter()
    .any(|name| header_values(mail, name).any(|v| v != "no" && v != "false"));
    let precedence = ["Precedence", "X-Precedence"].iter().any(|name| {
        header_values(mail, name)
            .any(|v| matches!(v.as_str(), "bulk" | "junk" | "list" | "auto_reply"))
    });
    // RFC 3834 §2: mailing-list and newsletter mail is never answered automatically either.
    let list = mail.headers.iter().any(|(n, _)| {
        n.eq_ignore_ascii_case("List-Id") || n.eq_ignore_ascii_case("List-Unsubscribe")
    });
    auto_submitted || vendor || precedence || list
}

/// `Return-Path: <>`: only notifications and auto-replies are sent from the null sender.
fn has_null_return_path(mail: &InboundMail) -> bool {
    mail.headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("Return-Path") && v.trim() == "<>")
}

/// The subject with leading `[`, `【`, `(` and spaces taken off, lower-cased.
fn subject_start(subject: &str) -> String {
    subject
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '[' | '【' | '(' | '（'))
        .to_lowercase()
}

fn is_bounce_subject(subject: &str) -> bool {
    let start = subject_start(subject);
    [
        "undelivered mail",
        "undeliverable",
        "undelivered:",
        "delivery status notification",
        "mail delivery failed",
        "delivery failure",
        "failure notice",
        "returned mail",
        "mail system error",
        "系统退信",
        "退信",
        "投递失败",
        "邮件投递失败",
        "无法投递",
        "邮件发送失败",
    ]
    .iter()
    .any(|prefix| start.starts_with(prefix))
}

fn is_auto_reply_subject(subject: &str) -> bool {
    let start = subject_start(subject);
    let starts = [
        "out of office",
        "out of the office",
        "automatic reply",
        "auto reply",
        "auto-reply",
        "autoreply",
        "auto response",
        "auto-response",
        "autoresponse",
        "vacation reply",
        "休假中",
        "休假通知",
        "休假】",
        "休假]",
        "外出中",
        "外出】",
        "外出]",
        "正在休假",
        "我正在休假",
        "不在办公室",
    ];
    let anywhere = ["自动回复", "自动答复", "自动应答", "自動回覆", "自動回复"];
    starts.iter().any(|p| start.starts_with(p)) || anywhere.iter().any(|w| start.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_are_found_alone_not_inside_versions_or_addresses() {
        let classes: Vec<char> =
            enhanced_status_classes("550 5.1.1 user unknown; 4.4.7 later; v1.2.3.4 10.0.0.1")
                .collect();
        assert_eq!(classes, ['5', '4']);
        assert!(permanent_from_text(
            "Remote server said: 550 5.7.1 rejected"
        ));
        assert!(!permanent_from_text("status 4.4.1, the server will retry"));
        assert!(!permanent_from_text(
            "Delivery to the following recipient has been delayed."
        ));
        assert!(permanent_from_text("This is a permanent error."));
    }

    #[test]
    fn the_message_id_quoted_in_a_plain_bounce_is_found() {
        let text = "The original message headers:\n\n> From: a@b.cn\n> Message-ID: <abc.123@kefu.example>\n";
        assert_eq!(
            message_id_in_text(text).as_deref(),
            Some("abc.123@kefu.example")
        );
        assert_eq!(message_id_in_text("nothing here"), None);
    }

    #[test]
    fn auto_reply_subjects_in_chinese_and_english() {
        for subject in [
            "自动回复: 您的工单 KF20261124000001",
            "【自动回复】关于快递",
            "Re: 自动答复：我已收到您的邮件",
            "Out of Office: your parcel",
            "Automatic reply: 关于运单",
            "AutoReply: hello",
            "【休假】12月1日前不在",
            "休假中，回来后回复",
        ] {
            assert!(is_auto_reply_subject(subject), "{subject}");
        }
        for subject in [
            "休假期间快递能送吗",
            "运单 YL1234567890128 没有更新",
            "How do I reach you out of office hours?",
            "Re: 关于退货",
        ] {
            assert!(!is_auto_reply_subject(subject), "{subject}");
        }
    }
}
