//! The SMTP listener over 127.0.0.1: lettre's SMTP transport (through `send_raw`) as the
//! gateway, and raw TCP for what a well-behaved client never sends.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kefu_mailbox::{
    MailSink, MailboxError, ReceivedMail, SinkError, SmtpAccount, SmtpEnvelope, SmtpSecurity,
    SmtpServerConfig, send_raw, serve_smtp,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// Keeps what it is given in memory; refuses to store while `failing` is set.
#[derive(Default)]
struct MemorySink {
    mailboxes: Vec<String>,
    stored: Mutex<Vec<ReceivedMail>>,
    failing: AtomicBool,
}

impl MailSink for MemorySink {
    async fn accepts_recipient(&self, address: &str) -> Result<bool, SinkError> {
        Ok(self
            .mailboxes
            .iter()
            .any(|m| m.eq_ignore_ascii_case(address)))
    }

    async fn deliver(&self, mail: ReceivedMail) -> Result<(), SinkError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(SinkError("the disk is full".into()));
        }
        self.stored.lock().unwrap().push(mail);
        Ok(())
    }
}

struct Server {
    addr: SocketAddr,
    sink: Arc<MemorySink>,
    _stop: oneshot::Sender<()>,
}

async fn start(config: SmtpServerConfig) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sink = Arc::new(MemorySink {
        mailboxes: vec!["service@kefu.test".into(), "sales@kefu.test".into()],
        ..MemorySink::default()
    });
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(serve_smtp(listener, config, sink.clone(), async {
        let _ = stopped.await;
    }));
    Server {
        addr,
        sink,
        _stop: stop,
    }
}

fn config() -> SmtpServerConfig {
    SmtpServerConfig {
        hostname: "kefu.test".into(),
        max_message_bytes: 4096,
        ..SmtpServerConfig::default()
    }
}

fn gateway(server: &Server) -> SmtpAccount {
    SmtpAccount {
        port: server.addr.port(),
        security: SmtpSecurity::Plain,
        username: None,
        password: None,
        timeout: Duration::from_secs(30),
        ..SmtpAccount::new("127.0.0.1", "", "", "gw.example.com")
    }
}

fn envelope(to: &[&str]) -> SmtpEnvelope {
    SmtpEnvelope {
        from: "customer@example.com".into(),
        to: to.iter().map(|t| t.to_string()).collect(),
    }
}

const MAIL: &str = "From: 张三 <customer@example.com>\r\nTo: service@kefu.test\r\n\
Subject: =?UTF-8?B?5b+r6YCS?=\r\nMessage-ID: <one@example.com>\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
我的快递还没到。\r\n.a line that starts with a dot\r\n";

#[tokio::test]
async fn a_gateway_hands_over_a_mail_byte_for_byte() {
    let server = start(config()).await;
    send_raw(
        &gateway(&server),
        &envelope(&["service@kefu.test", "SALES@kefu.test"]),
        MAIL.as_bytes(),
    )
    .await
    .unwrap();
    let stored = server.sink.stored.lock().unwrap().clone();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].mail_from, "customer@example.com");
    assert_eq!(
        stored[0].recipients,
        ["service@kefu.test", "SALES@kefu.test"]
    );
    assert_eq!(stored[0].helo, "gw.example.com");
    // lettre ends the data with CRLF.CRLF even after a message that ends in CRLF, so the
    // message gains one empty line; the dot-stuffed line comes back as written.
    assert_eq!(
        String::from_utf8(stored[0].data.clone()).unwrap(),
        format!("{MAIL}\r\n")
    );
}

#[tokio::test]
async fn an_unknown_recipient_is_550_and_nothing_is_stored() {
    let server = start(config()).await;
    let error = send_raw(
        &gateway(&server),
        &envelope(&["nobody@kefu.test"]),
        MAIL.as_bytes(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, MailboxError::PermanentRejection { code: 550, .. }),
        "{error:?}"
    );
    assert!(server.sink.stored.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_oversize_mail_is_552_and_nothing_is_stored() {
    let server = start(config()).await;
    let big = format!("{MAIL}{}\r\n", "x".repeat(900).repeat(5));
    let error = send_raw(
        &gateway(&server),
        &envelope(&["service@kefu.test"]),
        big.as_bytes(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, MailboxError::PermanentRejection { code: 552, .. }),
        "{error:?}"
    );
    assert!(server.sink.stored.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_store_failure_is_451_so_the_gateway_tries_again() {
    let server = start(config()).await;
    server.sink.failing.store(true, Ordering::SeqCst);
    let error = send_raw(
        &gateway(&server),
        &envelope(&["service@kefu.test"]),
        MAIL.as_bytes(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, MailboxError::TemporaryRejection { code: 451, .. }),
        "{error:?}"
    );
    assert!(error.is_temporary());
    assert!(server.sink.stored.lock().unwrap().is_empty());
    // The retry, once the store is back, is taken.
    server.sink.failing.store(false, Ordering::SeqCst);
    send_raw(
        &gateway(&server),
        &envelope(&["service@kefu.test"]),
        MAIL.as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(server.sink.stored.lock().unwrap().len(), 1);
}

/// A raw SMTP client: sends lines, reads whole replies.
struct Raw {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Raw {
    async fn connect(addr: SocketAddr) -> Raw {
        let (read, writer) = TcpStream::connect(addr).await.unwrap().into_split();
        Raw {
            reader: BufReader::new(read),
            writer,
        }
    }

    /// The next reply: its code and its lines; code 0 when the server closed.
    async fn reply(&mut self) -> (u16, Vec<String>) {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await.unwrap() == 0 {
                return (0, lines);
            }
            let code = line.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line.trim_end().to_string());
            if last {
                return (code, lines);
            }
        }
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
    }

    async fn command(&mut self, line: &str) -> u16 {
        self.send(format!("{line}\r\n").as_bytes()).await;
        self.reply().await.0
    }
}

#[tokio::test]
async fn bad_sequences_and_long_lines_over_raw_tcp() {
    let server = start(config()).await;
    let mut c = Raw::connect(server.addr).await;
    let (code, greeting) = c.reply().await;
    assert_eq!(code, 220);
    assert!(greeting[0].contains("kefu.test"));
    assert_eq!(c.command("MAIL FROM:<a@example.com>").await, 503);
    assert_eq!(c.command("DATA").await, 503);
    assert_eq!(c.command("WHAT is this").await, 500);
    assert_eq!(c.command("STARTTLS").await, 502);
    assert_eq!(c.command(&format!("NOOP {}", "x".repeat(600))).await, 500);
    assert_eq!(c.command("HELP").await, 214);
    assert_eq!(c.command("VRFY service").await, 252);
    c.send(b"EHLO gw.example.com\r\n").await;
    let (code, lines) = c.reply().await;
    assert_eq!(code, 250);
    assert!(lines.contains(&"250-SIZE 4096".to_string()), "{lines:?}");
    assert!(lines.contains(&"250-8BITMIME".to_string()), "{lines:?}");
    assert_eq!(c.command("RCPT TO:<service@kefu.test>").await, 503);
    assert_eq!(c.command("MAIL FROM:<a@example.com> SIZE=5000").await, 552);
    assert_eq!(c.command("MAIL FROM:<a@example.com>").await, 250);
    assert_eq!(c.command("DATA").await, 503, "no recipient yet");
    assert_eq!(c.command("RCPT TO:<nobody@kefu.test>").await, 550);
    assert_eq!(c.command("RCPT TO:<service@kefu.test>").await, 250);
    assert_eq!(c.command("DATA").await, 354);
    // Lines that look like commands inside the message are message lines; a dot-stuffed
    // line loses its first dot; a long message line is fine below SIZE.
    let long = "y".repeat(700);
    c.send(format!("Subject: t\r\n\r\nQUIT\r\n..\r\n{long}\r\n.\r\n").as_bytes())
        .await;
    assert_eq!(c.reply().await.0, 250);
    assert_eq!(c.command("RSET").await, 250);
    assert_eq!(c.command("QUIT").await, 221);
    assert_eq!(c.reply().await.0, 0, "closed after QUIT");
    let stored = server.sink.stored.lock().unwrap().clone();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].data,
        format!("Subject: t\r\n\r\nQUIT\r\n.\r\n{long}\r\n").into_bytes()
    );
}

#[tokio::test]
async fn a_client_not_on_the_allowed_list_is_554_at_connect() {
    let server = start(SmtpServerConfig {
        allowed_clients: vec!["192.0.2.10".parse().unwrap()],
        ..config()
    })
    .await;
    let mut c = Raw::connect(server.addr).await;
    assert_eq!(c.reply().await.0, 554);
    assert_eq!(c.reply().await.0, 0, "and closed");

    let allowed = start(SmtpServerConfig {
        allowed_clients: vec!["127.0.0.1".parse().unwrap()],
        ..config()
    })
    .await;
    let mut c = Raw::connect(allowed.addr).await;
    assert_eq!(c.reply().await.0, 220);
}

#[tokio::test]
async fn connections_beyond_the_limit_are_421() {
    let server = start(SmtpServerConfig {
        max_connections: 1,
        ..config()
    })
    .await;
    let mut first = Raw::connect(server.addr).await;
    assert_eq!(first.reply().await.0, 220);
    let mut second = Raw::connect(server.addr).await;
    assert_eq!(second.reply().await.0, 421);
    assert_eq!(first.command("QUIT").await, 221);
    assert_eq!(first.reply().await.0, 0);
    // The slot is free again once the first connection's task has ended; a client that
    // finds it still taken would be told 421 and retry, as a gateway does.
    let mut third = loop {
        let mut c = Raw::connect(server.addr).await;
        if c.reply().await.0 == 220 {
            break c;
        }
        tokio::task::yield_now().await;
    };
    assert_eq!(third.command("NOOP").await, 250);
}

#[tokio::test]
async fn a_silent_client_is_sent_away_with_421() {
    let server = start(SmtpServerConfig {
        idle_timeout: Duration::from_millis(200),
        ..config()
    })
    .await;
    let mut c = Raw::connect(server.addr).await;
    assert_eq!(c.reply().await.0, 220);
    let (code, lines) = c.reply().await;
    assert_eq!(code, 421, "{lines:?}");
    assert!(lines[0].contains("idle"));
    assert_eq!(c.reply().await.0, 0);
}
