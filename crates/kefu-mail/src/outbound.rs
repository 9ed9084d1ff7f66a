//! Building the mails kefu sends: an agent's reply or an automatic notice, threaded under the
//! mail it answers.

use std::fmt;

use jiff::Timestamp;
use kefu_html::SafeHtml;
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::raw::Raw;

use crate::error::MailError;
use crate::inbound::{InboundMail, MailAddress, one_line};

/// Longest Message-ID accepted (RFC 5322 lines are at most 998 characters; ids this long are
/// not written by real clients).
const MESSAGE_ID_MAX_CHARS: usize = 250;
/// References kept in a reply: the first (the thread's root) and the newest ones, so that a
/// long thread does not grow the header without end (RFC 5322 §3.6.4 allows trimming).
const REFERENCES_KEPT: usize = 10;

/// A Message-ID without its angle brackets: `local@domain`, no spaces, no brackets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MailMessageId(String);

impl MailMessageId {
    /// Accepts `<id>` or `id`; refuses what a header could not carry.
    pub fn parse(raw: &str) -> Result<MailMessageId, MailError> {
        let id = raw
            .trim()
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .unwrap_or(raw.trim());
        let ok = !id.is_empty()
            && id.chars().count() <= MESSAGE_ID_MAX_CHARS
            && id.contains('@')
            && !id
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'));
        if ok {
            Ok(MailMessageId(id.to_string()))
        } else {
            Err(MailError::InvalidMessageId {
                field: "message_id",
                value: raw.to_string(),
            })
        }
    }

    /// A new id for a mail kefu sends at `now` from `domain` (the sending domain): a UUIDv7 of
    /// `now` (random in its other bits) at `domain`.
    pub fn generate(domain: &str, now: Timestamp) -> Result<MailMessageId, MailError> {
        let domain = domain.trim().to_ascii_lowercase();
        let valid_domain = !domain.is_empty()
            && domain.len() <= 200
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && domain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if !valid_domain {
            return Err(MailError::InvalidDomain(domain));
        }
        let local = kefu_model::ids::MessageId::new(now);
        Ok(MailMessageId(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MailMessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of mail kefu sends. An automatic notice says so (`Auto-Submitted:
/// auto-generated`, RFC 3834), so that the other side's auto-responder stays quiet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundKind {
    /// Written by an agent.
    AgentReply,
    /// Sent by kefu itself: acknowledgements, status notices, surveys.
    AutomaticNotice,
}

/// The headers that thread an answer under the mail it answers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplyThreading {
    pub in_reply_to: Option<MailMessageId>,
    /// Oldest first, ending with the answered mail.
    pub references: Vec<MailMessageId>,
}

/// `In-Reply-To` and `References` for an answer to `mail`: its References followed by its own
/// id (RFC 5322 §3.6.4), long chains trimmed to the root and the newest. An id derived from the
/// bytes (the mail had none) is not referred to, and ids a header could not carry are dropped.
pub fn reply_threading(mail: &InboundMail) -> ReplyThreading {
    let own = if mail.message_id_derived {
        None
    } else {
        MailMessageId::parse(&mail.message_id).ok()
    };
    let mut chain: Vec<MailMessageId> = Vec::new();
    let earlier = if mail.references.is_empty() {
        &mail.in_reply_to
    } else {
        &mail.references
    };
    for id in earlier
        .iter()
        .filter_map(|id| MailMessageId::parse(id).ok())
    {
        if !chain.contains(&id) && Some(&id) != own.as_ref() {
            chain.push(id);
        }
    }
    chain.extend(own.clone());
    if chain.len() > REFERENCES_KEPT {
        let newest = chain.split_off(chain.len() - (REFERENCES_KEPT - 1));
        chain.truncate(1);
        chain.extend(newest);
    }
    ReplyThreading {
        in_reply_to: own,
        references: chain,
    }
}

/// A mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMail {
    pub kind: OutboundKind,
    /// Made by the caller (see [`MailMessageId::generate`]) and stored before sending, so that
    /// the customer's answer threads back to the case.
    pub message_id: MailMessageId,
    /// The `Date` header; the caller's clock.
    pub date: Timestamp,
    pub from: MailAddress,
    pub reply_to: Option<MailAddress>,
    pub to: Vec<MailAddress>,
    pub cc: Vec<MailAddress>,
    pub subject: String,
    pub threading: ReplyThreading,
    /// The text part; always sent.
    pub text: String,
    /// An HTML part beside the text, already safe (see `kefu_html`).
    pub html: Option<SafeHtml>,
    /// Added under both parts after the RFC 3676 delimiter (`-- `).
    pub signature: Option<String>,
    /// Files sent with the mail (a scheduled report's spreadsheet).
    pub attachments: Vec<OutboundAttachment>,
}

/// A file attached to an outgoing mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundAttachment {
    pub content_type: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Builds `mail` as RFC 5322 bytes (CRLF line ends, UTF-8, headers encoded per RFC 2047 where
/// they are not ASCII). Addresses must be e-mail addresses; control characters in the subject
/// and names are turned into spaces, so no header can be injected.
pub fn build_outbound(mail: &OutboundMail) -> Result<Vec<u8>, MailError> {
    if mail.to.is_empty() {
        return Err(MailError::NoRecipient);
    }
    let from = address("from", &mail.from)?;
    let to = addresses("to", &mail.to)?;
    let cc = addresses("cc", &mail.cc)?;

    let mut text = mail.text.replace("\r\n", "\n").trim_end().to_string();
    let mut html = mail.html.as_ref().map(|h| h.as_str().to_string());
    if let Some(signature) = mail
        .signature
        .as_deref()
        .map(str::trim_end)
        .filter(|s| !s.trim().is_empty())
    {
        let signature = signature.replace("\r\n", "\n");
        text.push_str("\n\n-- \n");
        text.push_str(&signature);
        if let Some(html) = html.as_mut() {
            let lines: Vec<String> = signature
                .split('\n')
                .map(|line| SafeHtml::escape(line).as_str().to_string())
                .collect();
            html.push_str("<br><br>-- <br>");
            html.push_str(&lines.join("<br>"));
        }
    }
    text.push('\n');

    let mut builder = MessageBuilder::new()
        .message_id(mail.message_id.as_str().to_string())
        .date(Date::new(mail.date.as_second()))
        .from(from)
        .to(Address::new_list(to))
        .subject(one_line(&mail.subject));
    if !cc.is_empty() {
        builder = builder.cc(Address::new_list(cc));
    }
    if let Some(reply_to) = &mail.reply_to {
        builder = builder.reply_to(address("reply_to", reply_to)?);
    }
    if let Some(parent) = &mail.threading.in_reply_to {
        builder = builder.in_reply_to(parent.as_str().to_string());
    }
    if !mail.threading.references.is_empty() {
        builder = builder.references(MessageId::new_list(
            mail.threading
                .references
                .iter()
                .map(|id| id.as_str().to_string()),
        ));
    }
    if mail.kind == OutboundKind::AutomaticNotice {
        // RFC 3834; the Microsoft header asks Exchange not to answer with its own auto-reply.
        builder = builder
            .header("Auto-Submitted", Raw::new("auto-generated"))
            .header("X-Auto-Response-Suppress", Raw::new("All"));
    }
    builder = builder.text_body(text);
    if let Some(html) = html {
        builder = builder.html_body(html);
    }
    for a in &mail.attachments {
        builder = builder.attachment(
            a.content_type.as_str(),
            one_line(&a.file_name),
            a.bytes.as_slice(),
        );
    }
    builder
        .write_to_vec()
        .map_err(|e| MailError::Write(e.to_string()))
}

fn address(field: &'static str, mailbox: &MailAddress) -> Result<Address<'static>, MailError> {
    let email = kefu_model::Email::parse(&mailbox.address)
        .ok()
        .filter(|e| {
            !e.as_str()
                .chars()
                .any(|c| c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';' | '(' | ')'))
        })
        .ok_or_else(|| MailError::InvalidAddress {
            field,
            value: mailbox.address.clone(),
        })?;
    let name = mailbox
        .name
        .as_deref()
        .map(one_line)
        .filter(|n| !n.is_empty());
    Ok(Address::new_address(name, email.as_str().to_string()))
}

fn addresses(
    field: &'static str,
    mailboxes: &[MailAddress],
) -> Result<Vec<Address<'static>>, MailError> {
    mailboxes.iter().map(|m| address(field, m)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_take_or_drop_brackets_and_refuse_what_breaks_a_header() {
        assert_eq!(
            MailMessageId::parse("<a.1@kefu.example>").map(|id| id.to_string()),
            Ok("a.1@kefu.example".to_string())
        );
        assert!(MailMessageId::parse("a.1@kefu.example").is_ok());
        for bad in [
            "",
            "<>",
            "no-at-sign",
            "a b@c.d",
            "a@b\r\nBcc: x@y.z",
            "<a@b>>",
        ] {
            assert!(MailMessageId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn generated_ids_carry_the_time_given_and_the_domain() {
        let now: Timestamp = "2026-11-24T02:00:00Z".parse().unwrap();
        let a = MailMessageId::generate("Mail.Kefu.Example", now).unwrap();
        let b = MailMessageId::generate("mail.kefu.example", now).unwrap();
        assert_ne!(a, b, "two ids at the same instant differ");
        assert!(a.as_str().ends_with("@mail.kefu.example"), "{a}");
        // A UUIDv7's first 48 bits are the milliseconds since the epoch.
        let millis = u64::from_str_radix(&a.as_str()[..8], 16).unwrap() << 16
            | u64::from_str_radix(&a.as_str()[9..13], 16).unwrap();
        assert_eq!(millis as i64, now.as_millisecond());
        assert!(MailMessageId::parse(a.as_str()).is_ok());
        for bad in ["", "localhost", "a b.cn", ".kefu.cn", "kefu.cn\r\nX: y"] {
            assert!(MailMessageId::generate(bad, now).is_err(), "{bad:?}");
        }
    }
}
