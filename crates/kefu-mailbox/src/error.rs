//! One error type for both protocols, with the one question a caller has to answer:
//! is it worth trying again?

/// What went wrong talking to a mail server.
#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    /// The server could not be reached or the connection broke (DNS, refused, reset, TLS
    /// handshake cut short). Worth trying again later.
    #[error("mail server connection: {0}")]
    Connection(String),
    /// The server did not answer in time. Worth trying again later.
    #[error("mail server did not answer within {0:?}")]
    Timeout(std::time::Duration),
    /// The server's TLS certificate did not check out (unknown issuer, wrong name, expired).
    /// Not worth retrying: someone has to fix the server or the host name.
    #[error("mail server certificate: {0}")]
    Certificate(String),
    /// The server refused the credentials. Not worth retrying until the account changes.
    #[error("mail server refused the login: {0}")]
    Authentication(String),
    /// An SMTP 4xx reply: the server asks to try again later.
    #[error("mail server refused for now ({code}): {message}")]
    TemporaryRejection { code: u16, message: String },
    /// An SMTP 5xx reply: the server will not take this mail, retrying will not help.
    #[error("mail server refused ({code}): {message}")]
    PermanentRejection { code: u16, message: String },
    /// The server answered something the protocol does not allow, or an IMAP NO/BAD to a
    /// command other than the login (e.g. the mailbox does not exist).
    #[error("mail server protocol: {0}")]
    Protocol(String),
    /// The account or envelope is unusable as given (bad address, bad host name).
    #[error("mail account: {0}")]
    Config(String),
}

impl MailboxError {
    /// True when the same request may well succeed later, so the caller retries with backoff;
    /// false when it would fail the same way until something is changed.
    pub fn is_temporary(&self) -> bool {
        matches!(
            self,
            MailboxError::Connection(_)
                | MailboxError::Timeout(_)
                | MailboxError::TemporaryRejection { .. }
        )
    }
}

impl From<async_imap::error::Error> for MailboxError {
    fn from(error: async_imap::error::Error) -> Self {
        use async_imap::error::Error;
        match error {
            Error::Io(io) => MailboxError::Connection(io.to_string()),
            Error::ConnectionLost => MailboxError::Connection("connection lost".to_owned()),
            other => MailboxError::Protocol(other.to_string()),
        }
    }
}
