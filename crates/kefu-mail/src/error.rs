//! What can go wrong reading or building a mail.

/// Why a mail could not be read or built. Reading never panics: bytes that are not a mail
/// come back as one of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("the message is empty")]
    Empty,
    #[error("no header could be read: this is not an e-mail message")]
    NotAMessage,
    #[error("the message has more than {0} parts: kept for a person instead of read")]
    TooManyParts(usize),
    #[error("the message names no sender (no address in From, Sender or Reply-To)")]
    NoSender,
    #[error("{field}: {value:?} is not an e-mail address")]
    InvalidAddress { field: &'static str, value: String },
    #[error("{field}: {value:?} is not a Message-ID")]
    InvalidMessageId { field: &'static str, value: String },
    #[error("{0:?} is not a domain a Message-ID can end with")]
    InvalidDomain(String),
    #[error("a message needs at least one recipient")]
    NoRecipient,
    #[error("writing the message failed: {0}")]
    Write(String),
}
