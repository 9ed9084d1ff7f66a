//! Reading a received mail: raw RFC 5322 bytes to the fields the desk keeps.

use std::borrow::Cow;

use jiff::Timestamp;
use mail_parser::{
    Address, HeaderName, HeaderValue, Message, MessageParser, MimeHeaders, PartType,
};
use sha2::{Digest, Sha256};

use crate::error::MailError;
use crate::quote::fold_quote;

/// A mailbox: the address (trimmed, lower-cased) and the display name if one was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAddress {
    pub address: String,
    pub name: Option<String>,
}

impl MailAddress {
    pub fn new(address: &str, name: Option<&str>) -> MailAddress {
        MailAddress {
            address: address.trim().to_lowercase(),
            name: name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
        }
    }

    /// The address as a customer contact point, when it is shaped like one (a bounce's
    /// `MAILER-DAEMON@localhost` is not).
    pub fn email(&self) -> Option<kefu_model::Email> {
        kefu_model::Email::parse(&self.address).ok()
    }
}

/// Types an attachment may be accepted as: those whose first bytes tell them apart, so the
/// type kept is the file's own and not what the sender's client claimed.
pub const VERIFIABLE_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
];

/// The type `bytes` are, by their first bytes, among [`VERIFIABLE_TYPES`].
pub fn detect_type(bytes: &[u8]) -> Option<&'static str> {
    VERIFIABLE_TYPES.iter().copied().find(|&mime| match mime {
        "application/pdf" => bytes.starts_with(b"%PDF-"),
        image => kefu_model::attachment::image_magic_matches(image, bytes),
    })
}

/// Which attachments a mail may bring in. Files are taken in the order they come; one refused
/// does not count towards the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentPolicy {
    /// Largest file, decoded bytes.
    pub max_file_bytes: usize,
    /// All accepted files of one mail together.
    pub max_total_bytes: usize,
    pub max_files: usize,
    /// Accepted types, by the bytes (see [`detect_type`]); a type outside
    /// [`VERIFIABLE_TYPES`] can never match.
    pub allowed_types: Vec<String>,
}

impl Default for AttachmentPolicy {
    /// Images the chat accepts, and PDF (scans of receipts, invoices); 10 MB a file, 25 MB and
    /// 10 files a mail.
    fn default() -> Self {
        AttachmentPolicy {
            max_file_bytes: 10 * 1024 * 1024,
            max_total_bytes: 25 * 1024 * 1024,
            max_files: 10,
            allowed_types: VERIFIABLE_TYPES.iter().map(|t| t.to_string()).collect(),
        }
    }
}

/// Why an attachment was not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    TooLarge {
        size: usize,
        max: usize,
    },
    /// Keeping it would take the mail's files past the total.
    OverTotal {
        total: usize,
        max: usize,
    },
    TooMany {
        max: usize,
    },
    /// Its bytes are not of an allowed type; `detected` is what they are, when known.
    TypeNotAllowed {
        detected: Option<&'static str>,
    },
}

/// A file the mail brought and the policy kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAttachment {
    /// Safe to show and to store under: no path separators or control characters.
    pub filename: String,
    /// The type its bytes are (checked), not the one declared.
    pub content_type: String,
    /// What the sender's client declared.
    pub declared_type: String,
    /// An image shown inside the HTML body rather than attached.
    pub inline: bool,
    /// `Content-ID` without angle brackets, which the HTML body refers to as `cid:…`.
    pub content_id: Option<String>,
    pub bytes: Vec<u8>,
}

/// A file the mail brought and the policy refused; its bytes are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedAttachment {
    pub filename: String,
    pub declared_type: String,
    pub inline: bool,
    pub size: usize,
    pub reason: Refusal,
}

/// One recipient's line of a delivery status notification (RFC 3464).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientStatus {
    /// `Final-Recipient` (or `Original-Recipient`), the address part.
    pub recipient: Option<String>,
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`, lower-cased.
    pub action: Option<String>,
    /// The enhanced status code, e.g. `5.1.1`.
    pub status: Option<String>,
    pub diagnostic: Option<String>,
}

/// What a `message/delivery-status` part says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryStatus {
    pub reporting_mta: Option<String>,
    pub recipients: Vec<RecipientStatus>,
}

/// A received mail as the desk needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMail {
    /// Without angle brackets. A mail without one gets `sha256-<hex>@message-id.invalid`, from
    /// its bytes, so the same mail fetched twice is still seen as one.
    pub message_id: String,
    /// Whether `message_id` was derived from the bytes (there was none to thread under).
    pub message_id_derived: bool,
    /// Message-IDs, without angle brackets, as written.
    pub in_reply_to: Vec<String>,
    /// Oldest first, as written.
    pub references: Vec<String>,
    pub from: MailAddress,
    pub reply_to: Option<MailAddress>,
    pub to: Vec<MailAddress>,
    pub cc: Vec<MailAddress>,
    /// Decoded (RFC 2047), one line.
    pub subject: String,
    pub date: Option<Timestamp>,
    /// The whole text: the plain part(s), or the HTML turned into text when there is no plain
    /// part. Newlines are `\n`.
    pub body_text: String,
    /// Whether `body_text` was made from HTML.
    pub body_from_html: bool,
    /// What is new in `body_text` (see [`fold_quote`]).
    pub reply_text: String,
    /// The earlier mail `body_text` quotes; empty when none.
    pub quoted_text: String,
    pub attachments: Vec<MailAttachment>,
    pub refused_attachments: Vec<RefusedAttachment>,
    /// The top-level header fields: name as written, value unfolded.
    pub headers: Vec<(String, String)>,
    /// `type/subtype` of the whole mail, lower-cased.
    pub content_type: String,
    /// The `report-type` parameter of a `multipart/report`, lower-cased.
    pub report_type: Option<String>,
    /// The `message/delivery-status` part, when the mail has one.
    pub delivery_status: Option<DeliveryStatus>,
    /// The Message-ID of the mail enclosed in this one (`message/rfc822` or
    /// `text/rfc822-headers`): for a bounce, the mail that could not be delivered.
    pub enclosed_message_id: Option<String>,
}

impl InboundMail {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Where an answer goes: `Reply-To` if given, otherwise `From`.
    pub fn reply_address(&self) -> &MailAddress {
        self.reply_to.as_ref().unwrap_or(&self.from)
    }
}

/// [`parse_inbound_with`] under the default [`AttachmentPolicy`].
pub fn parse_inbound(raw: &[u8]) -> Result<InboundMail, MailError> {
    parse_inbound_with(raw, &AttachmentPolicy::default())
}

/// The most parts a mail may have (a customer's has a handful; a photo reply a few dozen).
pub const MAX_PARTS: usize = 5_000;

/// Lines that could open a MIME part (`--boundary`): an upper bound of the parts.
fn part_markers(raw: &[u8]) -> usize {
    let starts = usize::from(raw.starts_with(b"--"));
    starts + raw.windows(3).filter(|w| w == b"\n--").count()
}

/// Reads a received mail. Any bytes give an answer, never a panic: what is not a mail with a
/// sender (or a mail of more than [`MAX_PARTS`] parts) is an error.
pub fn parse_inbound_with(raw: &[u8], policy: &AttachmentPolicy) -> Result<InboundMail, MailError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(MailError::Empty);
    }
    // Every part costs the parser far more than its bytes; a mail of many thousands of tiny
    // parts is hostile, not a customer's, and would take memory out of proportion to its size.
    if part_markers(raw) > MAX_PARTS {
        return Err(MailError::TooManyParts(MAX_PARTS));
    }
    let parse = |bytes| {
        MessageParser::default()
            .parse(bytes)
            .filter(|m| !m.parts.is_empty() && !m.parts[0].headers.is_empty())
    };
    let message = parse(raw).ok_or(MailError::NotAMessage)?;
    let repaired = repaired_boundary(raw, &message);
    let message = match repaired.as_deref().and_then(parse) {
        Some(reread) => reread,
        None => message,
    };

    let headers = raw_headers(&message);
    let from = first_address(message.from())
        .or_else(|| first_address(message.sender()))
        .or_else(|| first_address(message.reply_to()))
        .ok_or(MailError::NoSender)?;

    let (message_id, message_id_derived) = match message
        .message_id()
        .map(clean_id)
        .filter(|id| !id.is_empty())
    {
        Some(id) => (id, false),
        None => (derived_message_id(raw), true),
    };

    let root_type = message.root_part().content_type();
    let content_type = root_type
        .map(|ct| mime_of(ct.ctype(), ct.subtype()))
        .unwrap_or_else(|| "text/plain".to_string());
    let report_type = root_type
        .and_then(|ct| ct.attribute("report-type"))
        .map(|t| t.trim().to_ascii_lowercase());

    let (body_text, body_from_html) = body_text(&message);
    let folded = fold_quote(&body_text);
    let found = walk_parts(&message, content_type == "multipart/report", policy);

    Ok(InboundMail {
        message_id,
        message_id_derived,
        in_reply_to: ids_of(message.in_reply_to()),
        references: ids_of(message.references()),
        reply_to: first_address(message.reply_to()),
        to: all_addresses(message.to()),
        cc: all_addresses(message.cc()),
        subject: subject_of(&message, &headers),
        date: message
            .date()
            .filter(|d| d.is_valid())
            .and_then(|d| Timestamp::from_second(d.to_timestamp()).ok()),
        from,
        body_text,
        body_from_html,
        reply_text: folded.reply,
        quoted_text: folded.quoted,
        attachments: found.attachments,
        refused_attachments: found.refused,
        headers,
        content_type,
        report_type,
        delivery_status: found.delivery_status,
        enclosed_message_id: found.enclosed_message_id,
    })
}

/// A multipart mail whose declared boundary never occurs in its body (a client or gateway that
/// rewrote one and not the other) has no parts, so no text. When the body has a delimiter line
/// of its own (`--X`, then a `Content-` header, and `--X` again later), the mail with that
/// boundary declared instead.
fn repaired_boundary(raw: &[u8], message: &Message<'_>) -> Option<Vec<u8>> {
    let root = message.root_part();
    let content_type = root.content_type()?;
    if !content_type.ctype().eq_ignore_ascii_case("multipart") {
        return None;
    }
    let declared = content_type.attribute("boundary")?;
    let body_start = root.offset_body as usize;
    let (header, body) = (raw.get(..body_start)?, raw.get(body_start..)?);
    let contains = |haystack: &[u8], needle: &[u8]| {
        !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
    };
    if declared.is_empty() || contains(body, format!("--{declared}").as_bytes()) {
        return None;
    }
    let lines: Vec<&[u8]> = body
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .collect();
    let used = lines.windows(2).enumerate().find_map(|(i, pair)| {
        let boundary = pair[0].strip_prefix(b"--")?;
        let shaped = !boundary.is_empty() && boundary.iter().all(|b| b.is_ascii_graphic());
        let headers_follow = pair[1]
            .get(..8)
            .is_some_and(|start| start.eq_ignore_ascii_case(b"content-"));
        let again = lines[i + 1..].iter().any(|line| {
            line.strip_prefix(b"--")
                .is_some_and(|l| l.starts_with(boundary))
        });
        (shaped && headers_follow && again).then_some(boundary)
    })?;
    let at = header
        .windows(declared.len())
        .position(|w| w == declared.as_bytes())?;
    let mut repaired = Vec::with_capacity(raw.len());
    repaired.extend_from_slice(&header[..at]);
    repaired.extend_from_slice(used);
    repaired.extend_from_slice(&header[at + declared.len()..]);
    repaired.extend_from_slice(body);
    Some(repaired)
}

fn mime_of(ctype: &str, subtype: Option<&str>) -> String {
    format!(
        "{}/{}",
        ctype.trim().to_ascii_lowercase(),
        subtype.unwrap_or("").trim().to_ascii_lowercase()
    )
}

/// `sha256-` and the first 128 bits of the SHA-256 of the bytes, in hex.
fn derived_message_id(raw: &[u8]) -> String {
    let digest = Sha256::digest(raw);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256-{hex}@message-id.invalid")
}

/// A Message-ID without brackets or spaces.
fn clean_id(raw: &str) -> String {
    raw.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

fn ids_of(value: &HeaderValue<'_>) -> Vec<String> {
    let ids: Vec<String> = match value {
        HeaderValue::Text(id) => vec![clean_id(id)],
        HeaderValue::TextList(ids) => ids.iter().map(|id| clean_id(id)).collect(),
        _ => Vec::new(),
    };
    ids.into_iter().filter(|id| !id.is_empty()).collect()
}

fn addresses_in<'a>(address: Option<&'a Address<'a>>) -> impl Iterator<Item = MailAddress> + 'a {
    address
        .into_iter()
        .flat_map(|a| a.iter())
        .filter_map(|addr| {
            let mailbox = addr.address()?.trim();
            (!mailbox.is_empty()).then(|| MailAddress::new(mailbox, addr.name()))
        })
}

fn first_address(address: Option<&Address<'_>>) -> Option<MailAddress> {
    addresses_in(address).next()
}

fn all_addresses(address: Option<&Address<'_>>) -> Vec<MailAddress> {
    addresses_in(address).collect()
}

/// Decodes header bytes: UTF-8 when they are, otherwise GB18030 (unencoded 8-bit headers come
/// from old Chinese clients; GB18030 reads GB2312 and GBK too).
fn decode_8bit(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0,
    }
}

fn unfold(value: &str) -> String {
    value
        .split('\n')
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn raw_headers(message: &Message<'_>) -> Vec<(String, String)> {
    message.parts[0]
        .headers
        .iter()
        .map(|h| {
            let bytes = message
                .raw_message
                .get(h.offset_start as usize..h.offset_end as usize)
                .unwrap_or_default();
            (h.name.as_str().to_string(), unfold(&decode_8bit(bytes)))
        })
        .collect()
}

/// The decoded subject. Raw 8-bit subjects (not RFC 2047) are read as GB18030 when they are not
/// UTF-8, which the parser would turn into replacement characters.
fn subject_of(message: &Message<'_>, headers: &[(String, String)]) -> String {
    let raw_subject = message.parts[0]
        .headers
        .iter()
        .find(|h| matches!(h.name, HeaderName::Subject))
        .and_then(|h| {
            message
                .raw_message
                .get(h.offset_start as usize..h.offset_end as usize)
        });
    let subject = match raw_subject {
        Some(bytes) if std::str::from_utf8(bytes).is_err() => headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("subject"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        _ => message.subject().unwrap_or_default().to_string(),
    };
    one_line(&subject)
}

/// Control characters (folded newlines, tabs; CR and LF in a header we write) become single
/// spaces: a header is one line.
pub(crate) fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The plain parts, or the HTML ones as text when the mail has no plain part (the parser lists
/// an HTML part among the text bodies only then) or its plain part is empty (some clients send
/// an empty plain alternative).
fn body_text(message: &Message<'_>) -> (String, bool) {
    let plain = joined_text(message, &message.text_body);
    if !plain.0.is_empty() {
        return plain;
    }
    joined_text(message, &message.html_body)
}

fn joined_text(message: &Message<'_>, ids: &[u32]) -> (String, bool) {
    let mut texts: Vec<String> = Vec::new();
    let mut from_html = false;
    for &id in ids {
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        match &part.body {
            PartType::Text(text) => texts.push(undeclared_gbk(message, part, text)),
            PartType::Html(html) => {
                from_html = true;
                let html = undeclared_gbk(message, part, html);
                texts.push(nanohtml2text::html2text(&html).replace("\r\n", "\n"));
            }
            _ => {}
        }
    }
    let text = texts
        .iter()
        .map(|t| t.trim_matches('\n').trim_end())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    let from_html = from_html && !text.is_empty();
    (text, from_html)
}

/// The part's text with `\n` newlines. An 8-bit part that declares no charset (or one with an
/// unknown name) and is not UTF-8 (old Chinese clients) is read as GB18030 instead of being left to replacement characters.
fn undeclared_gbk(
    message: &Message<'_>,
    part: &mail_parser::MessagePart<'_>,
    decoded: &str,
) -> String {
    // A charset name no one knows (`gbk2312`, in-house systems) declares nothing either.
    let declares_charset = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .is_some_and(|c| {
            !c.trim().eq_ignore_ascii_case("us-ascii")
                && encoding_rs::Encoding::for_label(c.trim().as_bytes()).is_some()
        });
    let raw = message
        .raw_message
        .get(part.offset_body as usize..part.offset_end as usize)
        .unwrap_or_default();
    let text = if !declares_charset
        && part.encoding == mail_parser::Encoding::None
        && decoded.contains('\u{FFFD}')
        && std::str::from_utf8(raw).is_err()
    {
        encoding_rs::GB18030
            .decode_without_bom_handling(raw)
            .0
            .into_owned()
    } else {
        decoded.to_string()
    };
    text.replace("\r\n", "\n")
}

struct FoundParts {
    attachments: Vec<MailAttachment>,
    refused: Vec<RefusedAttachment>,
    delivery_status: Option<DeliveryStatus>,
    enclosed_message_id: Option<String>,
}

/// Attachments (by the policy), the delivery status and the enclosed mail's id. In a
/// `multipart/report` the report's own parts are not attachments.
fn walk_parts(message: &Message<'_>, is_report: bool, policy: &AttachmentPolicy) -> FoundParts {
    let mut found = FoundParts {
        attachments: Vec::new(),
        refused: Vec::new(),
        delivery_status: None,
        enclosed_message_id: None,
    };
    let mut accepted_total = 0usize;
    // Which parts are body parts, looked up once (a mail may have thousands of parts).
    let mut body_parts = vec![false; message.parts.len()];
    for &id in message.text_body.iter().chain(&message.html_body) {
        if let Some(flag) = body_parts.get_mut(id as usize) {
            *flag = true;
        }
    }
    for (id, part) in message.parts.iter().enumerate() {
        let in_body = body_parts[id];
        let declared = part
            .content_type()
            .map(|ct| mime_of(ct.ctype(), ct.subtype()))
            .unwrap_or_else(|| "text/plain".to_string());
        match &part.body {
            PartType::Multipart(_) => continue,
            PartType::Text(_) | PartType::Html(_) if in_body => continue,
            _ => {}
        }
        match declared.as_str() {
            "message/delivery-status" | "message/global-delivery-status" => {
                let status = parse_delivery_status(&decode_8bit(part.contents()));
                found.delivery_status.get_or_insert(status);
                continue;
            }
            "text/rfc822-headers" | "message/rfc822-headers" | "message/global-headers" => {
                if found.enclosed_message_id.is_none() {
                    found.enclosed_message_id = MessageParser::default()
                        .parse_headers(part.contents())
                        .and_then(|m| m.message_id().map(clean_id))
                        .filter(|id| !id.is_empty());
                }
                if is_report {
                    continue;
                }
            }
            _ => {}
        }
        if let PartType::Message(enclosed) = &part.body {
            if found.enclosed_message_id.is_none() {
                found.enclosed_message_id = enclosed
                    .message_id()
                    .map(clean_id)
                    .filter(|id| !id.is_empty());
            }
            if is_report {
                continue;
            }
        }
        if id == 0 && matches!(part.body, PartType::Text(_) | PartType::Html(_)) {
            // A single-part mail whose one part is its body.
            continue;
        }
        let bytes = part.contents();
        let inline = part
            .content_disposition()
            .map(|cd| cd.ctype().eq_ignore_ascii_case("inline"))
            .unwrap_or(matches!(part.body, PartType::InlineBinary(_)) || in_body);
        let content_id = part
            .content_id()
            .map(clean_id)
            .filter(|cid| !cid.is_empty());
        let detected = detect_type(bytes);
        let filename = safe_filename(part.attachment_name(), inline, detected);
        let refusal = if bytes.is_empty() {
            Some(Refusal::Empty)
        } else if bytes.len() > policy.max_file_bytes {
            Some(Refusal::TooLarge {
                size: bytes.len(),
                max: policy.max_file_bytes,
            })
        } else if !detected.is_some_and(|t| policy.allowed_types.iter().any(|a| a == t)) {
            Some(Refusal::TypeNotAllowed { detected })
        } else if found.attachments.len() >= policy.max_files {
            Some(Refusal::TooMany {
                max: policy.max_files,
            })
        } else if accepted_total + bytes.len() > policy.max_total_bytes {
            Some(Refusal::OverTotal {
                total: accepted_total + bytes.len(),
                max: policy.max_total_bytes,
            })
        } else {
            None
        };
        match (refusal, detected) {
            (None, Some(content_type)) => {
                accepted_total += bytes.len();
                found.attachments.push(MailAttachment {
                    filename,
                    content_type: content_type.to_string(),
                    declared_type: declared,
                    inline,
                    content_id,
                    bytes: bytes.to_vec(),
                });
            }
            (reason, _) => found.refused.push(RefusedAttachment {
                filename,
                declared_type: declared,
                inline,
                size: bytes.len(),
                reason: reason.unwrap_or(Refusal::TypeNotAllowed { detected: None }),
            }),
        }
    }
    found
}

const FILENAME_MAX_CHARS: usize = 100;

/// The name without directories or control characters, at most 100 characters; a nameless
/// file is `attachment` or `image`, with the extension of its detected type.
fn safe_filename(declared: Option<&str>, inline: bool, detected: Option<&str>) -> String {
    let base = declared
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("");
    let name: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(FILENAME_MAX_CHARS)
        .collect();
    let name = name.trim().trim_start_matches('.').to_string();
    if !name.is_empty() {
        return name;
    }
    let stem = if inline { "image" } else { "attachment" };
    match detected.and_then(|t| t.rsplit('/').next()) {
        Some("jpeg") => format!("{stem}.jpg"),
        Some(ext) => format!("{stem}.{ext}"),
        None => stem.to_string(),
    }
}

/// Reads the fields of a `message/delivery-status` body: the per-message group, then one group
/// per recipient, separated by blank lines.
fn parse_delivery_status(text: &str) -> DeliveryStatus {
    let mut status = DeliveryStatus::default();
    let normalised = text.replace("\r\n", "\n");
    // Continuation lines join the field before them.
    let mut groups: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for line in normalised.split('\n') {
        if line.trim().is_empty() {
            if groups.last().is_some_and(|g| !g.is_empty()) {
                groups.push(Vec::new());
            }
            continue;
        }
        let Some(group) = groups.last_mut() else {
            continue;
        };
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = group.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            group.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let field = |group: &[(String, String)], name: &str| {
        group
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    // `rfc822; someone@example.com` → the address.
    let typed_value = |v: String| match v.split_once(';') {
        Some((_, address)) => address.trim().to_string(),
        None => v.trim().to_string(),
    };
    for group in groups.iter().filter(|g| !g.is_empty()) {
        if let Some(mta) = field(group, "reporting-mta") {
            status.reporting_mta.get_or_insert(typed_value(mta));
        }
        let recipient = field(group, "final-recipient")
            .or_else(|| field(group, "original-recipient"))
            .map(typed_value);
        let action = field(group, "action").map(|a| a.to_ascii_lowercase());
        let code =
            field(group, "status").and_then(|s| s.split_whitespace().next().map(str::to_string));
        if recipient.is_some() || action.is_some() || code.is_some() {
            status.recipients.push(RecipientStatus {
                recipient,
                action,
                status: code,
                diagnostic: field(group, "diagnostic-code").map(typed_value),
            });
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_status_groups_are_read_per_recipient() {
        let text = "Reporting-MTA: dns; mx.example.cn\r\n\
                    Arrival-Date: Tue, 24 Nov 2026 10:00:00 +0800\r\n\
                    \r\n\
                    Final-Recipient: rfc822; nobody@example.com\r\n\
                    Action: failed\r\n\
                    Status: 5.1.1\r\n\
                    Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.com>:\r\n\
                    \x20 Recipient address rejected\r\n\
                    \r\n\
                    Final-Recipient: rfc822; slow@example.com\r\n\
                    Action: delayed\r\n\
                    Status: 4.4.1 (connection timed out)\r\n";
        let status = parse_delivery_status(text);
        assert_eq!(status.reporting_mta.as_deref(), Some("mx.example.cn"));
        assert_eq!(status.recipients.len(), 2);
        assert_eq!(
            status.recipients[0],
            RecipientStatus {
                recipient: Some("nobody@example.com".into()),
                action: Some("failed".into()),
                status: Some("5.1.1".into()),
                diagnostic: Some(
                    "550 5.1.1 <nobody@example.com>: Recipient address rejected".into()
                ),
            }
        );
        assert_eq!(status.recipients[1].status.as_deref(), Some("4.4.1"));
        assert_eq!(status.recipients[1].action.as_deref(), Some("delayed"));
    }

    #[test]
    fn filenames_lose_directories_and_control_characters() {
        assert_eq!(
            safe_filename(Some("../../etc/passwd"), false, None),
            "passwd"
        );
        assert_eq!(
            safe_filename(Some("C:\\照片\\破损.jpg"), false, None),
            "破损.jpg"
        );
        assert_eq!(safe_filename(Some("a\r\nb.png"), false, None), "ab.png");
        assert_eq!(
            safe_filename(Some(".."), true, Some("image/jpeg")),
            "image.jpg"
        );
        assert_eq!(
            safe_filename(None, false, Some("application/pdf")),
            "attachment.pdf"
        );
        assert_eq!(safe_filename(None, false, None), "attachment");
        let long = "长".repeat(300);
        assert_eq!(safe_filename(Some(&long), false, None).chars().count(), 100);
    }

    #[test]
    fn a_boundary_the_body_does_not_use_is_replaced_by_the_one_it_does() {
        let mail = |declared: &str| {
            format!(
                "From: a@b.cn\r\nContent-Type: multipart/mixed; boundary=\"{declared}\"\r\n\r\n\
                 --used\r\nContent-Type: text/plain\r\n\r\nhello\r\n--used--\r\n"
            )
        };
        let broken = mail("declared");
        let parsed = MessageParser::default().parse(broken.as_bytes()).unwrap();
        let repaired = repaired_boundary(broken.as_bytes(), &parsed).unwrap();
        assert_eq!(repaired, mail("used").into_bytes());
        assert_eq!(parse_inbound(broken.as_bytes()).unwrap().body_text, "hello");

        let sound = mail("used");
        let parsed = MessageParser::default().parse(sound.as_bytes()).unwrap();
        assert_eq!(repaired_boundary(sound.as_bytes(), &parsed), None);
    }

    #[test]
    fn types_are_told_by_their_bytes() {
        assert_eq!(detect_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(detect_type(b"\xFF\xD8\xFF\xE0...."), Some("image/jpeg"));
        assert_eq!(detect_type(b"GIF89a..."), Some("image/gif"));
        assert_eq!(detect_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(detect_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(detect_type(b"<html><script>"), None);
        assert_eq!(detect_type(b"MZ\x90\0"), None);
        assert_eq!(detect_type(b""), None);
    }
}
