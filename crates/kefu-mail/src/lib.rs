//! kefu's e-mail channel, the pure part. Nothing here opens a socket, reads a file or the
//! clock: raw RFC 5322 bytes go in, what the desk needs comes out, and outbound replies come
//! out as bytes for whatever sends them.
//!
//! - [`parse_inbound`] / [`parse_inbound_with`]: sender, recipients, subject, date, threading
//!   headers, the text (plain part preferred, HTML-only mail turned into text) with the quoted
//!   earlier mail folded away ([`fold_quote`]), and attachments kept or refused by an
//!   [`AttachmentPolicy`] that checks each file's own bytes.
//! - [`classify`]: a person's mail, an auto-reply or a bounce. Only [`MailKind::Normal`] may
//!   ever be answered automatically, so two robots never write to each other for ever.
//! - [`thread_keys`], [`case_number_in_subject`], [`reply_subject`]: which case a mail belongs
//!   to, and the subject of the answer.
//! - [`find_identifiers`]: waybill, mobile and case numbers in the text.
//! - [`build_outbound`]: an agent's reply or an automatic notice, threaded under the mail it
//!   answers, as RFC 5322 bytes.

mod classify;
mod error;
mod identifiers;
mod inbound;
mod outbound;
mod quote;
mod thread;

pub use classify::{MailKind, classify};
pub use error::MailError;
pub use identifiers::{Identifiers, find_identifiers};
pub use inbound::{
    AttachmentPolicy, DeliveryStatus, InboundMail, MAX_PARTS, MailAddress, MailAttachment,
    RecipientStatus, Refusal, RefusedAttachment, VERIFIABLE_TYPES, detect_type, parse_inbound,
    parse_inbound_with,
};
pub use outbound::{
    MailMessageId, OutboundAttachment, OutboundKind, OutboundMail, ReplyThreading, build_outbound,
    reply_threading,
};
pub use quote::{FoldedText, fold_quote};
pub use thread::{case_number_in_subject, reply_subject, strip_reply_prefixes, thread_keys};
