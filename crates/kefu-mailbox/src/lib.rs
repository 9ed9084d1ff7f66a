//! kefu's e-mail channel, the I/O part: what `kefu-mail` parses comes from here and what it
//! builds goes out through here.
//!
//! - [`fetch_new`]: the mail an IMAP mailbox received since a remembered position (UIDVALIDITY
//!   and last UID), as raw bytes with their UIDs, optionally marked `\Seen`. A changed
//!   UIDVALIDITY means the server renumbered the mailbox: everything is fetched again and the
//!   caller tells old mail from new by Message-ID.
//! - [`wait_for_new`]: IMAP IDLE until the server announces new mail or a timeout passes.
//! - [`send_raw`]: bytes handed to an SMTP server, a refusal told apart as temporary (4xx,
//!   connection lost, timeout: try again later) or permanent (5xx: give up and tell the agent).
//! - [`smtp_server`]: the receiving side of SMTP for a mail gateway on a trusted network that
//!   hands mail to kefu: a pure session state machine and a tokio listener around it, handing
//!   each mail to a [`smtp_server::MailSink`] and answering 250 only once it is stored.
//!
//! TLS is rustls everywhere (no OpenSSL), trusting the Mozilla roots and, per account, the
//! [`ExtraRoots`] of a private CA; plain TCP is there for a server on the same machine.

mod error;
mod imap;
mod smtp;
pub mod smtp_server;
mod tls;

pub use error::MailboxError;
pub use imap::{
    FetchBatch, FetchedMail, IdleOutcome, ImapAccount, ImapSecurity, MailboxPosition, fetch_new,
    wait_for_new,
};
pub use smtp::{SmtpAccount, SmtpEnvelope, SmtpSecurity, send_raw};
pub use smtp_server::{MailSink, ReceivedMail, SinkError, SmtpServerConfig, serve_smtp};
pub use tls::ExtraRoots;
