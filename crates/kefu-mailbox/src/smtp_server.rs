//! The receiving side of SMTP (RFC 5321), for a company's mail gateway that hands mail to kefu
//! instead of kefu polling a mailbox.
//!
//! Two parts:
//! - [`Session`]: the protocol as a pure state machine over lines — greeting, EHLO/HELO,
//!   MAIL FROM, RCPT TO, DATA (dot-unstuffing, the `<CRLF>.<CRLF>` end), RSET, NOOP, QUIT,
//!   HELP and VRFY answered politely; commands out of order get 503, unknown ones 500,
//!   known but unsupported ones 502. SIZE is advertised and enforced (552), 8BITMIME accepted.
//!   It does no I/O: it says what to answer, or what to ask the [`MailSink`] first.
//! - [`serve_smtp`]: a tokio listener around it, with a connection limit, idle timeouts and an
//!   optional list of allowed client addresses (others get 554 at connect).
//!
//! There is no TLS and no AUTH: the listener is meant for a gateway on a trusted network (or
//! the same host), which has already done the internet-facing work (TLS, spam and virus
//! checks). Bind it to a private address and name the gateway in `allowed_clients`.
//!
//! A mail is acknowledged (250) only after the sink says it is durably stored, so a mail the
//! gateway saw accepted survives a crash; a sink failure answers 451 and the gateway keeps the
//! mail and tries again. No `Received:` line is added: the bytes handed on are the bytes the
//! gateway sent, so a retried mail is byte-for-byte the same mail.

use std::collections::HashSet;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// The longest command line taken, CRLF included (RFC 5321 §4.5.3.1.4).
pub const COMMAND_LINE_MAX: usize = 512;
/// The most recipients one transaction takes (RFC 5321 §4.5.3.1.8 asks for at least 100).
pub const RECIPIENTS_MAX: usize = 100;
/// Bad commands in a row after which a client is sent away.
const ERRORS_MAX: u32 = 10;

/// A reply: a code and its lines (several lines are sent as `code-text`, the last `code text`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    fn new(code: u16, text: impl Into<String>) -> Reply {
        Reply {
            code,
            lines: vec![text.into()],
        }
    }

    /// The reply as it goes on the wire.
    pub fn to_wire(&self) -> String {
        let mut out = String::new();
        let last = self.lines.len().saturating_sub(1);
        for (i, line) in self.lines.iter().enumerate() {
            let separator = if i == last { ' ' } else { '-' };
            out.push_str(&format!("{}{separator}{line}\r\n", self.code));
        }
        if self.lines.is_empty() {
            out.push_str(&format!("{}\r\n", self.code));
        }
        out
    }
}

/// A mail as the gateway handed it over: the envelope and the message's bytes (dot-unstuffed,
/// lines ending in CRLF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The reverse path, empty for the null path `<>` (bounces).
    pub mail_from: String,
    /// The recipients accepted at RCPT, in order, without repeats.
    pub recipients: Vec<String>,
    pub data: Vec<u8>,
    /// The client's address.
    pub client: Option<SocketAddr>,
    /// The name the client greeted with.
    pub helo: String,
}

/// Why the sink could not answer; the client is told to try again later (4xx).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkError(pub String);

impl std::fmt::Display for SinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the listener hands mail: it knows which recipients are taken and stores mail durably.
pub trait MailSink: Send + Sync + 'static {
    /// Whether mail for `address` is taken here (checked at RCPT: `false` answers 550).
    fn accepts_recipient(
        &self,
        address: &str,
    ) -> impl Future<Output = Result<bool, SinkError>> + Send;

    /// Stores the mail; returns only once it is durable. An error answers 451.
    fn deliver(&self, mail: ReceivedMail) -> impl Future<Output = Result<(), SinkError>> + Send;
}

/// What the session needs to know of the server.
#[derive(Debug, Clone)]
pub struct SessionLimits {
    /// The name the server gives in its greeting and EHLO answer.
    pub hostname: String,
    /// The largest message taken, in bytes (advertised as SIZE).
    pub max_message_bytes: usize,
}

/// What to do after a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send this reply and read on.
    Reply(Reply),
    /// Send this reply and close the connection.
    Close(Reply),
    /// A message line was taken; nothing to send.
    Continue,
    /// Ask the sink whether it takes this recipient, then call [`Session::recipient_checked`].
    CheckRecipient(String),
    /// The message is complete: hand it to the sink, then call [`Session::delivered`].
    Deliver(ReceivedMail),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Connected, not yet greeted by the client.
    Connected,
    /// Greeted; no transaction.
    Ready,
    /// MAIL FROM taken; recipients being added.
    Mail,
    /// Between DATA's 354 and the final dot.
    Data,
    /// Waiting for the sink's answer (recipient or delivery).
    Waiting,
}

/// One SMTP conversation, without I/O: feed it lines, send what it answers.
#[derive(Debug)]
pub struct Session {
    limits: SessionLimits,
    client: Option<SocketAddr>,
    phase: Phase,
    helo: String,
    mail_from: String,
    recipients: Vec<String>,
    data: Vec<u8>,
    /// The message outgrew the limit; the rest is read and dropped, then 552.
    data_too_big: bool,
    errors_in_row: u32,
}

impl Session {
    pub fn new(limits: SessionLimits, client: Option<SocketAddr>) -> Session {
        Session {
            limits,
            client,
            phase: Phase::Connected,
            helo: String::new(),
            mail_from: String::new(),
            recipients: Vec::new(),
            data: Vec::new(),
            data_too_big: false,
            errors_in_row: 0,
        }
    }

    /// The first thing the server says.
    pub fn greeting(&self) -> Reply {
        Reply::new(220, format!("{} kefu ESMTP ready", self.limits.hostname))
    }

    /// Whether the next line is a message line (no command-length limit applies).
    pub fn in_data(&self) -> bool {
        self.phase == Phase::Data
    }

    /// A line came in, without its line ending.
    pub fn line(&mut self, line: &[u8]) -> Step {
        match self.phase {
            Phase::Data => self.data_line(line),
            Phase::Waiting => {
                // The caller breaks the protocol of this type: it must answer the sink first.
                Step::Close(Reply::new(421, "4.3.0 internal error, closing"))
            }
            _ => match std::str::from_utf8(line) {
                Ok(text) => self.command(text),
                Err(_) => self.error(Reply::new(500, "5.5.2 command is not ASCII")),
            },
        }
    }

    /// A command line longer than [`COMMAND_LINE_MAX`] came in (and was dropped).
    pub fn line_too_long(&mut self) -> Step {
        if self.phase == Phase::Data {
            self.data_too_big = true;
            return Step::Continue;
        }
        self.error(Reply::new(500, "5.5.2 line too long"))
    }

    /// The sink's answer to [`Step::CheckRecipient`].
    pub fn recipient_checked(&mut self, address: &str, taken: Result<bool, SinkError>) -> Reply {
        self.phase = Phase::Mail;
        match taken {
            Ok(true) => {
                self.errors_in_row = 0;
                if !self
                    .recipients
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(address))
                {
                    self.recipients.push(address.to_string());
                }
                Reply::new(250, "2.1.5 recipient ok")
            }
            Ok(false) => Reply::new(550, format!("5.1.1 <{address}>: no such mailbox here")),
            Err(_) => Reply::new(451, "4.3.0 cannot check the recipient now, try again later"),
        }
    }

    /// The sink's answer to [`Step::Deliver`]; the transaction ends either way.
    pub fn delivered(&mut self, stored: Result<(), SinkError>) -> Reply {
        self.reset_transaction();
        match stored {
            Ok(()) => Reply::new(250, "2.0.0 message accepted"),
            Err(_) => Reply::new(451, "4.3.0 message not stored, try again later"),
        }
    }

    fn reset_transaction(&mut self) {
        self.phase = if self.helo.is_empty() {
            Phase::Connected
        } else {
            Phase::Ready
        };
        self.mail_from.clear();
        self.recipients.clear();
        self.data = Vec::new();
        self.data_too_big = false;
    }

    fn ok(&mut self, reply: Reply) -> Step {
        self.errors_in_row = 0;
        Step::Reply(reply)
    }

    fn error(&mut self, reply: Reply) -> Step {
        self.errors_in_row += 1;
        if self.errors_in_row >= ERRORS_MAX {
            return Step::Close(Reply::new(421, "4.7.0 too many errors, closing"));
        }
        Step::Reply(reply)
    }

    fn command(&mut self, line: &str) -> Step {
        let (verb, argument) = match line.split_once(' ') {
            Some((verb, rest)) => (verb, rest.trim()),
            None => (line, ""),
        };
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" | "HELO" => self.hello(verb, argument),
            "MAIL" => self.mail(argument),
            "RCPT" => self.rcpt(argument),
            "DATA" => self.data_start(argument),
            "RSET" => {
                if !argument.is_empty() {
                    return self.error(Reply::new(501, "5.5.4 RSET takes no argument"));
                }
                self.reset_transaction();
                self.ok(Reply::new(250, "2.0.0 reset"))
            }
            "NOOP" => self.ok(Reply::new(250, "2.0.0 ok")),
            "QUIT" => Step::Close(Reply::new(
                221,
                format!("2.0.0 {} closing", self.limits.hostname),
            )),
            "HELP" => self.ok(Reply {
                code: 214,
                lines: vec![
                    "2.0.0 kefu takes mail from the company's mail gateway".into(),
                    "2.0.0 commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT HELP VRFY".into(),
                ],
            }),
            "VRFY" => self.ok(Reply::new(
                252,
                "2.5.2 cannot verify the address, but will take mail for it if it is ours",
            )),
            "EXPN" | "STARTTLS" | "AUTH" | "BDAT" | "ETRN" | "TURN" | "ATRN" | "SEND" | "SOML"
            | "SAML" => self.error(Reply::new(502, "5.5.1 command not implemented")),
            _ => self.error(Reply::new(500, "5.5.2 command not recognized")),
        }
    }

    fn hello(&mut self, verb: &str, argument: &str) -> Step {
        let Some(name) = argument.split_whitespace().next() else {
            return self.error(Reply::new(501, "5.5.4 say who you are: EHLO name"));
        };
        self.helo = name.to_string();
        self.reset_transaction();
        let greeting = format!("{} greets {name}", self.limits.hostname);
        if verb.eq_ignore_ascii_case("HELO") {
            return self.ok(Reply::new(250, greeting));
        }
        self.ok(Reply {
            code: 250,
            lines: vec![
                greeting,
                format!("SIZE {}", self.limits.max_message_bytes),
                "8BITMIME".into(),
                "ENHANCEDSTATUSCODES".into(),
                "HELP".into(),
            ],
        })
    }

    fn mail(&mut self, argument: &str) -> Step {
        match self.phase {
            Phase::Connected => {
                return self.error(Reply::new(503, "5.5.1 say EHLO first"));
            }
            Phase::Mail => {
                return self.error(Reply::new(503, "5.5.1 a transaction is already open"));
            }
            _ => {}
        }
        let Some((path, parameters)) = path_after(argument, "FROM:") else {
            return self.error(Reply::new(501, "5.5.4 syntax: MAIL FROM:<address>"));
        };
        for parameter in parameters.split_whitespace() {
            let (key, value) = parameter.split_once('=').unwrap_or((parameter, ""));
            match key.to_ascii_uppercase().as_str() {
                "SIZE" => match value.parse::<u64>() {
                    Ok(size) if size > self.limits.max_message_bytes as u64 => {
                        return self.error(Reply::new(
                            552,
                            format!(
                                "5.3.4 message too big: at most {} bytes",
                                self.limits.max_message_bytes
                            ),
                        ));
                    }
                    Ok(_) => {}
                    Err(_) => return self.error(Reply::new(501, "5.5.4 SIZE needs a number")),
                },
                "BODY" if matches!(value.to_ascii_uppercase().as_str(), "7BIT" | "8BITMIME") => {}
                _ => {
                    return self.error(Reply::new(
                        555,
                        format!("5.5.4 parameter {key} not supported"),
                    ));
                }
            }
        }
        self.mail_from = path;
        self.recipients.clear();
        self.phase = Phase::Mail;
        self.ok(Reply::new(250, "2.1.0 sender ok"))
    }

    fn rcpt(&mut self, argument: &str) -> Step {
        if self.phase != Phase::Mail {
            return self.error(Reply::new(503, "5.5.1 say MAIL FROM first"));
        }
        let Some((path, parameters)) = path_after(argument, "TO:") else {
            return self.error(Reply::new(501, "5.5.4 syntax: RCPT TO:<address>"));
        };
        if !parameters.trim().is_empty() {
            return self.error(Reply::new(555, "5.5.4 RCPT parameters not supported"));
        }
        if path.is_empty() || !path.contains('@') {
            return self.error(Reply::new(501, "5.1.3 a recipient needs an address"));
        }
        if self.recipients.len() >= RECIPIENTS_MAX {
            return Step::Reply(Reply::new(452, "4.5.3 too many recipients"));
        }
        self.phase = Phase::Waiting;
        Step::CheckRecipient(path)
    }

    fn data_start(&mut self, argument: &str) -> Step {
        if !argument.is_empty() {
            return self.error(Reply::new(501, "5.5.4 DATA takes no argument"));
        }
        if self.phase != Phase::Mail {
            return self.error(Reply::new(503, "5.5.1 say MAIL FROM first"));
        }
        if self.recipients.is_empty() {
            return self.error(Reply::new(503, "5.5.1 no valid recipients"));
        }
        self.phase = Phase::Data;
        self.data = Vec::new();
        self.data_too_big = false;
        self.ok(Reply::new(354, "end the message with <CRLF>.<CRLF>"))
    }

    fn data_line(&mut self, line: &[u8]) -> Step {
        if line == b"." {
            if self.data_too_big {
                self.reset_transaction();
                return Step::Reply(Reply::new(
                    552,
                    format!(
                        "5.3.4 message too big: at most {} bytes",
                        self.limits.max_message_bytes
                    ),
                ));
            }
            self.phase = Phase::Waiting;
            return Step::Deliver(ReceivedMail {
                mail_from: std::mem::take(&mut self.mail_from),
                recipients: std::mem::take(&mut self.recipients),
                data: std::mem::take(&mut self.data),
                client: self.client,
                helo: self.helo.clone(),
            });
        }
        if self.data_too_big {
            return Step::Continue;
        }
        // Dot-unstuffing (RFC 5321 §4.5.2): a line the client started with an extra dot.
        let line = line.strip_prefix(b".").unwrap_or(line);
        if self.data.len() + line.len() + 2 > self.limits.max_message_bytes {
            self.data_too_big = true;
            self.data = Vec::new();
            return Step::Continue;
        }
        self.data.extend_from_slice(line);
        self.data.extend_from_slice(b"\r\n");
        Step::Continue
    }
}

/// `FROM:<path> params` → the path (source route dropped) and the parameters.
fn path_after(argument: &str, keyword: &str) -> Option<(String, String)> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument.get(keyword.len()..)?.trim_start();
    let inner = rest.strip_prefix('<')?;
    let (path, parameters) = inner.split_once('>')?;
    // A source route (`@relay:user@host`) is obsolete; the mailbox is what follows it.
    let mailbox = match path.split_once(':') {
        Some((route, mailbox)) if route.starts_with('@') => mailbox,
        _ => path,
    };
    if mailbox.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    Some((mailbox.to_string(), parameters.trim().to_string()))
}

/// How the listener runs.
#[derive(Debug, Clone)]
pub struct SmtpServerConfig {
    pub hostname: String,
    pub max_message_bytes: usize,
    /// Connections served at once; one more is answered 421 and closed.
    pub max_connections: usize,
    /// How long a client may stay silent (between commands, and between message lines).
    pub idle_timeout: Duration,
    /// The clients that may connect; empty lets every address in (a trusted network).
    pub allowed_clients: Vec<IpAddr>,
}

impl Default for SmtpServerConfig {
    fn default() -> Self {
        SmtpServerConfig {
            hostname: "kefu".into(),
            max_message_bytes: 25 * 1024 * 1024,
            max_connections: 64,
            // RFC 5321 §4.5.3.2.7 asks a server to wait at least 5 minutes for a command.
            idle_timeout: Duration::from_secs(300),
            allowed_clients: Vec::new(),
        }
    }
}

/// Serves SMTP on `listener` until `shutdown` completes, handing mail to `sink`.
pub async fn serve_smtp<S: MailSink>(
    listener: TcpListener,
    config: SmtpServerConfig,
    sink: Arc<S>,
    shutdown: impl Future<Output = ()>,
) {
    let config = Arc::new(config);
    let allowed: Arc<HashSet<IpAddr>> = Arc::new(config.allowed_clients.iter().copied().collect());
    let slots = Arc::new(Semaphore::new(config.max_connections));
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => return,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of descriptors and the like: wait a little rather than spin.
                tracing::warn!("smtp accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let config = config.clone();
        let sink = sink.clone();
        let permit = slots.clone().try_acquire_owned();
        let allowed_here = allowed.is_empty() || allowed.contains(&canonical(peer.ip()));
        tokio::spawn(async move {
            let refusal = if !allowed_here {
                Some(Reply::new(554, "5.7.1 this address may not send mail here"))
            } else if permit.is_err() {
                Some(Reply::new(
                    421,
                    "4.3.2 too many connections, try again later",
                ))
            } else {
                None
            };
            let result = match refusal {
                Some(reply) => refuse(stream, &reply, config.idle_timeout).await,
                None => serve_connection(stream, peer, &config, sink.as_ref()).await,
            };
            if let Err(e) = result {
                tracing::debug!("smtp connection from {peer}: {e}");
            }
            drop(permit);
        });
    }
}

/// An IPv4 client seen through an IPv6 socket counts as its IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

async fn refuse(mut stream: TcpStream, reply: &Reply, wait: Duration) -> std::io::Result<()> {
    send(&mut stream, reply, wait).await?;
    let _ = stream.shutdown().await;
    Ok(())
}

/// What a read gave.
enum Line {
    Text(Vec<u8>),
    TooLong,
    Closed,
}

/// Reads one line (LF-terminated; the CR before it dropped), at most `max` bytes with its
/// ending; a longer one is read to its end and dropped.
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R, max: usize) -> std::io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(Line::Closed);
        }
        let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
            Some(at) => (&available[..=at], true),
            None => (available, false),
        };
        let taken = chunk.len();
        if !too_long {
            if line.len() + taken > max {
                too_long = true;
                line = Vec::new();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        reader.consume(taken);
        if done {
            break;
        }
    }
    if too_long {
        return Ok(Line::TooLong);
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Line::Text(line))
}

async fn serve_connection<S: MailSink>(
    stream: TcpStream,
    peer: SocketAddr,
    config: &SmtpServerConfig,
    sink: &S,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let timeout = config.idle_timeout;
    let mut session = Session::new(
        SessionLimits {
            hostname: config.hostname.clone(),
            max_message_bytes: config.max_message_bytes,
        },
        Some(peer),
    );
    send(&mut write, &session.greeting(), timeout).await?;
    loop {
        // A message line may be as long as the message; a command line is short.
        let max = if session.in_data() {
            config.max_message_bytes + 2
        } else {
            COMMAND_LINE_MAX
        };
        let line = match tokio::time::timeout(timeout, read_line(&mut reader, max)).await {
            Ok(line) => line?,
            Err(_) => {
                let reply = Reply::new(421, "4.4.2 idle too long, closing");
                let _ = send(&mut write, &reply, timeout).await;
                return Ok(());
            }
        };
        let step = match line {
            Line::Closed => return Ok(()),
            Line::TooLong => session.line_too_long(),
            Line::Text(text) => session.line(&text),
        };
        let reply = match step {
            Step::Continue => continue,
            Step::Reply(reply) => reply,
            Step::Close(reply) => {
                send(&mut write, &reply, timeout).await?;
                let _ = write.shutdown().await;
                return Ok(());
            }
            Step::CheckRecipient(address) => {
                let taken = sink.accepts_recipient(&address).await;
                if let Err(e) = &taken {
                    tracing::warn!("smtp: checking recipient <{address}>: {e}");
                }
                session.recipient_checked(&address, taken)
            }
            Step::Deliver(mail) => {
                let stored = sink.deliver(mail).await;
                if let Err(e) = &stored {
                    tracing::warn!("smtp: storing a mail from {peer}: {e}");
                }
                session.delivered(stored)
            }
        };
        send(&mut write, &reply, timeout).await?;
    }
}

async fn send<W: AsyncWriteExt + Unpin>(
    write: &mut W,
    reply: &Reply,
    timeout: Duration,
) -> std::io::Result<()> {
    tokio::time::timeout(timeout, write.write_all(reply.to_wire().as_bytes()))
        .await
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))?
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn session(max: usize) -> Session {
        Session::new(
            SessionLimits {
                hostname: "kefu.test".into(),
                max_message_bytes: max,
            },
            None,
        )
    }

    fn code(step: Step) -> u16 {
        match step {
            Step::Reply(r) | Step::Close(r) => r.code,
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    /// A session greeted and with one recipient taken.
    fn ready_for_data(s: &mut Session) {
        assert_eq!(code(s.line(b"EHLO gw.example")), 250);
        assert_eq!(code(s.line(b"MAIL FROM:<a@example.com>")), 250);
        assert_eq!(
            s.line(b"RCPT TO:<kefu@example.com>"),
            Step::CheckRecipient("kefu@example.com".into())
        );
        assert_eq!(s.recipient_checked("kefu@example.com", Ok(true)).code, 250);
    }

    #[test]
    fn a_whole_transaction_hands_over_the_unstuffed_message() {
        let mut s = session(1000);
        assert_eq!(s.greeting().code, 220);
        ready_for_data(&mut s);
        assert_eq!(code(s.line(b"DATA")), 354);
        assert!(s.in_data());
        for line in [&b"Subject: hi"[..], b"", b"..leading dot", b"QUIT", b".."] {
            assert_eq!(s.line(line), Step::Continue);
        }
        let Step::Deliver(mail) = s.line(b".") else {
            panic!("the final dot delivers");
        };
        assert_eq!(mail.mail_from, "a@example.com");
        assert_eq!(mail.recipients, vec!["kefu@example.com".to_string()]);
        assert_eq!(mail.helo, "gw.example");
        assert_eq!(
            mail.data,
            b"Subject: hi\r\n\r\n.leading dot\r\nQUIT\r\n.\r\n"
        );
        assert_eq!(s.delivered(Ok(())).code, 250);
        // The next transaction starts clean, without a new EHLO.
        assert_eq!(code(s.line(b"MAIL FROM:<>")), 250);
        assert_eq!(code(s.line(b"DATA")), 503);
    }

    #[test]
    fn ehlo_advertises_size_and_8bitmime_but_not_pipelining() {
        let mut s = session(4096);
        let Step::Reply(reply) = s.line(b"EHLO gw") else {
            panic!()
        };
        let wire = reply.to_wire();
        assert!(wire.starts_with("250-kefu.test greets gw\r\n"), "{wire}");
        assert!(wire.contains("250-SIZE 4096\r\n"));
        assert!(wire.contains("250-8BITMIME\r\n"));
        assert!(wire.ends_with("250 HELP\r\n"));
        assert!(!wire.contains("PIPELINING"));
        assert_eq!(code(s.line(b"HELO gw")), 250);
        assert_eq!(code(s.line(b"EHLO")), 501);
    }

    #[test]
    fn commands_out_of_order_are_503() {
        let mut s = session(1000);
        assert_eq!(code(s.line(b"MAIL FROM:<a@b.c>")), 503);
        assert_eq!(code(s.line(b"RCPT TO:<a@b.c>")), 503);
        assert_eq!(code(s.line(b"DATA")), 503);
        assert_eq!(code(s.line(b"HELO gw")), 250);
        assert_eq!(code(s.line(b"RCPT TO:<a@b.c>")), 503);
        assert_eq!(code(s.line(b"MAIL FROM:<a@b.c>")), 250);
        assert_eq!(code(s.line(b"MAIL FROM:<a@b.c>")), 503);
        assert_eq!(code(s.line(b"DATA")), 503, "no recipient yet");
        assert_eq!(code(s.line(b"RSET")), 250);
        assert_eq!(
            code(s.line(b"RCPT TO:<a@b.c>")),
            503,
            "RSET ended the transaction"
        );
    }

    #[test]
    fn unknown_and_unsupported_commands_and_polite_ones() {
        let mut s = session(1000);
        assert_eq!(code(s.line(b"FOO bar")), 500);
        assert_eq!(code(s.line(b"STARTTLS")), 502);
        assert_eq!(code(s.line(b"AUTH PLAIN x")), 502);
        assert_eq!(code(s.line(b"HELP")), 214);
        assert_eq!(code(s.line(b"VRFY someone")), 252);
        assert_eq!(code(s.line(b"NOOP")), 250);
        assert_eq!(code(s.line(&[0xff, 0xfe])), 500);
        assert_eq!(code(s.line_too_long()), 500);
        assert!(matches!(s.line(b"quit"), Step::Close(r) if r.code == 221));
    }

    #[test]
    fn a_client_that_keeps_erring_is_sent_away() {
        let mut s = session(1000);
        for _ in 0..ERRORS_MAX - 1 {
            assert!(matches!(s.line(b"BOGUS"), Step::Reply(r) if r.code == 500));
        }
        assert!(matches!(s.line(b"BOGUS"), Step::Close(r) if r.code == 421));
    }

    #[test]
    fn size_is_enforced_when_declared_and_when_sent() {
        let mut s = session(20);
        assert_eq!(code(s.line(b"EHLO gw")), 250);
        assert_eq!(code(s.line(b"MAIL FROM:<a@b.c> SIZE=21")), 552);
        assert_eq!(code(s.line(b"MAIL FROM:<a@b.c> SIZE=ten")), 501);
        assert_eq!(
            code(s.line(b"MAIL FROM:<a@b.c> SIZE=20 BODY=8BITMIME")),
            250
        );
        assert!(matches!(
            s.line(b"RCPT TO:<k@b.c>"),
            Step::CheckRecipient(_)
        ));
        assert_eq!(s.recipient_checked("k@b.c", Ok(true)).code, 250);
        assert_eq!(code(s.line(b"DATA")), 354);
        assert_eq!(s.line(b"0123456789"), Step::Continue);
        assert_eq!(s.line(b"0123456789"), Step::Continue);
        assert_eq!(code(s.line(b".")), 552);
        assert!(!s.in_data());
        assert_eq!(code(s.line(b"MAIL FROM:<a@b.c> FOO=1")), 555);
    }

    #[test]
    fn recipients_refused_or_unknown_to_the_sink() {
        let mut s = session(1000);
        assert_eq!(code(s.line(b"EHLO gw")), 250);
        assert_eq!(code(s.line(b"MAIL FROM:<a@b.c>")), 250);
        assert_eq!(code(s.line(b"RCPT TO:<>")), 501);
        assert_eq!(code(s.line(b"RCPT TO:no-angle@b.c")), 501);
        assert!(matches!(
            s.line(b"RCPT TO:<x@b.c>"),
            Step::CheckRecipient(_)
        ));
        assert_eq!(s.recipient_checked("x@b.c", Ok(false)).code, 550);
        assert!(matches!(
            s.line(b"RCPT TO:<y@b.c>"),
            Step::CheckRecipient(_)
        ));
        assert_eq!(
            s.recipient_checked("y@b.c", Err(SinkError("down".into())))
                .code,
            451
        );
        assert_eq!(code(s.line(b"DATA")), 503, "no recipient was taken");
        assert!(matches!(
            s.line(b"RCPT TO:<@relay.example:k@b.c>"),
            Step::CheckRecipient(a) if a == "k@b.c"
        ));
        assert_eq!(s.recipient_checked("k@b.c", Ok(true)).code, 250);
        assert!(matches!(
            s.line(b"RCPT TO:<K@b.c>"),
            Step::CheckRecipient(_)
        ));
        assert_eq!(s.recipient_checked("K@b.c", Ok(true)).code, 250);
        assert_eq!(code(s.line(b"DATA")), 354);
        let Step::Deliver(mail) = s.line(b".") else {
            panic!()
        };
        assert_eq!(mail.recipients, vec!["k@b.c".to_string()], "no repeats");
    }

    #[test]
    fn a_store_failure_answers_451_and_ends_the_transaction() {
        let mut s = session(1000);
        ready_for_data(&mut s);
        assert_eq!(code(s.line(b"DATA")), 354);
        assert_eq!(s.line(b"x"), Step::Continue);
        assert!(matches!(s.line(b"."), Step::Deliver(_)));
        assert_eq!(s.delivered(Err(SinkError("disk".into()))).code, 451);
        assert_eq!(code(s.line(b"DATA")), 503);
    }

    #[test]
    fn a_too_long_line_inside_the_message_makes_it_too_big() {
        let mut s = session(1000);
        ready_for_data(&mut s);
        assert_eq!(code(s.line(b"DATA")), 354);
        assert_eq!(s.line_too_long(), Step::Continue);
        assert_eq!(s.line(b"more"), Step::Continue);
        assert_eq!(code(s.line(b".")), 552);
    }

    #[tokio::test]
    async fn lines_are_read_with_their_limit() {
        let input: &[u8] = b"short\r\nbare lf\n0123456789abcdef\r\nnext\r\nunfinished";
        let mut reader = BufReader::with_capacity(4, input);
        let mut seen = Vec::new();
        loop {
            match read_line(&mut reader, 12).await.unwrap() {
                Line::Text(t) => seen.push(String::from_utf8(t).unwrap()),
                Line::TooLong => seen.push("<too long>".into()),
                Line::Closed => break,
            }
        }
        assert_eq!(seen, ["short", "bare lf", "<too long>", "next"]);
    }
}
