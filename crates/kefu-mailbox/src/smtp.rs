//! Replies out through an SMTP server: the bytes `kefu_mail::build_outbound` made, sent as
//! they are, with the envelope given apart from the headers.

use std::fmt;
use std::time::Duration;

use lettre::address::{Address, Envelope};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

use crate::MailboxError;
use crate::tls::ExtraRoots;

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain first, then STARTTLS, which is required (port 587): no fallback to plain text.
    StartTls,
    /// No TLS: only for a relay on the same machine or a trusted network.
    Plain,
}

/// One SMTP server to send through.
#[derive(Clone)]
pub struct SmtpAccount {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// Log in when set (PLAIN or LOGIN, whichever the server offers).
    pub username: Option<String>,
    pub password: Option<String>,
    /// The name given in EHLO: the sending domain, as servers check it.
    pub hello_name: String,
    /// Bound on each step of the conversation.
    pub timeout: Duration,
    /// Roots trusted besides the Mozilla ones, for a server with a private CA's certificate.
    pub extra_roots: Option<ExtraRoots>,
}

impl SmtpAccount {
    /// An account with STARTTLS on port 587, logging in, 60 s per step.
    pub fn new(host: &str, username: &str, password: &str, hello_name: &str) -> SmtpAccount {
        SmtpAccount {
            host: host.to_owned(),
            port: 587,
            security: SmtpSecurity::StartTls,
            username: Some(username.to_owned()),
            password: Some(password.to_owned()),
            hello_name: hello_name.to_owned(),
            timeout: Duration::from_secs(60),
            extra_roots: None,
        }
    }
}

// The password stays out of logs.
impl fmt::Debug for SmtpAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpAccount")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("hello_name", &self.hello_name)
            .field("timeout", &self.timeout)
            .field("extra_roots", &self.extra_roots)
            .finish_non_exhaustive()
    }
}

/// Who the mail is from and to for the servers (MAIL FROM, RCPT TO), which may differ from
/// the headers: bounces go to `from`, and Bcc recipients appear only here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpEnvelope {
    pub from: String,
    pub to: Vec<String>,
}

fn parse_address(address: &str) -> Result<Address, MailboxError> {
    address
        .parse()
        .map_err(|error| MailboxError::Config(format!("address {address:?}: {error}")))
}

/// Sends `message` (a whole RFC 5322 mail) as it is. A refusal of any recipient fails the
/// whole send, so the caller never has to guess who got it.
pub async fn send_raw(
    account: &SmtpAccount,
    envelope: &SmtpEnvelope,
    message: &[u8],
) -> Result<(), MailboxError> {
    let recipients = envelope
        .to
        .iter()
        .map(|address| parse_address(address))
        .collect::<Result<Vec<_>, _>>()?;
    let envelope = Envelope::new(Some(parse_address(&envelope.from)?), recipients)
        .map_err(|error| MailboxError::Config(format!("envelope: {error}")))?;
    let tls = match account.security {
        SmtpSecurity::Tls => Tls::Wrapper(tls_parameters(account)?),
        SmtpSecurity::StartTls => Tls::Required(tls_parameters(account)?),
        SmtpSecurity::Plain => Tls::None,
    };
    // "Dangerous" only in that it starts without TLS; the TLS chosen above is set next.
    let builder =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(account.host.as_str()).tls(tls);
    let mut builder = builder
        .port(account.port)
        .hello_name(ClientId::Domain(account.hello_name.clone()))
        .timeout(Some(account.timeout));
    if let Some(username) = &account.username {
        let password = account.password.clone().unwrap_or_default();
        builder = builder.credentials(Credentials::new(username.clone(), password));
    }
    let transport = builder.build();
    transport
        .send_raw(&envelope, message)
        .await
        .map(|_response| ())
        .map_err(|error| classify(error, &account.host, account.timeout))
}

/// The certificate check for `account.host`: the Mozilla roots, plus the account's own.
fn tls_parameters(account: &SmtpAccount) -> Result<TlsParameters, MailboxError> {
    let config_error = |error: lettre::transport::smtp::Error| {
        MailboxError::Config(format!("SMTP TLS for {:?}: {error}", account.host))
    };
    let mut parameters = TlsParameters::builder(account.host.clone());
    for certificate in account
        .extra_roots
        .iter()
        .flat_map(ExtraRoots::certificates)
    {
        parameters = parameters.add_root_certificate(
            Certificate::from_der(certificate.to_vec()).map_err(config_error)?,
        );
    }
    parameters.build().map_err(config_error)
}

/// The SMTP reply code decides: 4xx later, 5xx never; 530/534/535 are the login refused.
/// Without a code, a broken or slow connection is temporary and a client-side or garbled
/// exchange is not.
fn classify(error: lettre::transport::smtp::Error, host: &str, limit: Duration) -> MailboxError {
    let message = error.to_string();
    if let Some(code) = error.status() {
        let code = u16::from(code);
        return match code {
            530 | 534 | 535 => MailboxError::Authentication(message),
            _ if error.is_permanent() => MailboxError::PermanentRejection { code, message },
            _ => MailboxError::TemporaryRejection { code, message },
        };
    }
    if let Some(problem) = crate::tls::certificate_problem(&error) {
        return MailboxError::Certificate(format!("{}: {problem}", host));
    }
    if error.is_timeout() {
        MailboxError::Timeout(limit)
    } else if error.is_client() || error.is_response() {
        MailboxError::Protocol(message)
    } else {
        MailboxError::Connection(message)
    }
}
