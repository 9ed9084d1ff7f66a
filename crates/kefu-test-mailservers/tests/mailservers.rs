//! The harness itself, spoken to in plain SMTP and IMAP over std sockets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use kefu_test_mailservers::{
    PASSWORD, ServerCertificate, USER, start_dovecot, start_dovecot_with, start_smtp_sink,
};

/// A line-oriented client: sends a line, reads the reply lines up to the one `done` accepts.
struct Conversation {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conversation {
    fn open(port: u16) -> Conversation {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        Conversation {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        }
    }

    fn read_until(&mut self, done: impl Fn(&str) -> bool) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            assert_ne!(
                self.reader.read_line(&mut line).unwrap(),
                0,
                "closed: {all}"
            );
            all.push_str(&line);
            if done(&line) {
                return all;
            }
        }
    }

    fn send(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
    }

    /// An SMTP command and its (last) reply line.
    fn smtp(&mut self, command: &str) -> String {
        self.send(&format!("{command}\r\n"));
        self.smtp_reply()
    }

    fn smtp_reply(&mut self) -> String {
        // The last line of a reply has a space after the code, the others a dash.
        let reply = self.read_until(|line| line.as_bytes().get(3) == Some(&b' '));
        reply.lines().last().unwrap().to_owned()
    }

    /// A tagged IMAP command and everything the server answered to it.
    fn imap(&mut self, tag: &str, command: &str) -> String {
        self.send(&format!("{tag} {command}\r\n"));
        let reply = self.read_until(|line| line.starts_with(&format!("{tag} ")));
        let last = reply.lines().last().unwrap();
        assert!(last.starts_with(&format!("{tag} OK")), "{reply}");
        reply
    }
}

fn send_mail(smtp: &mut Conversation, from: &str, to: &[&str], body: &str) -> Vec<String> {
    let mut replies = vec![smtp.smtp(&format!("MAIL FROM:<{from}>"))];
    for address in to {
        replies.push(smtp.smtp(&format!("RCPT TO:<{address}>")));
    }
    replies.push(smtp.smtp("DATA"));
    replies.push(smtp.smtp(&format!("{body}\r\n.")));
    replies
}

#[test]
fn smtp_sink_keeps_mails_and_envelopes_in_order() {
    let Some(sink) = start_smtp_sink() else {
        return;
    };
    assert!(sink.received().is_empty());
    let mut smtp = Conversation::open(sink.port());
    assert!(smtp.smtp_reply().starts_with("220"));
    assert!(smtp.smtp("HELO tester.example").starts_with("250"));

    let replies = send_mail(
        &mut smtp,
        "bounces@shop.example",
        &["wang@example.cn", "reject-me@example.cn", "li@example.cn"],
        "Subject: first\r\n\r\nfirst body",
    );
    let codes: Vec<&str> = replies.iter().map(|reply| &reply[..3]).collect();
    assert_eq!(
        codes,
        ["250", "250", "550", "250", "354", "250"],
        "{replies:?}"
    );
    let replies = send_mail(
        &mut smtp,
        "",
        &["later@example.cn", "zhao@example.cn"],
        "Subject: second\r\n\r\n..dot-stuffed line",
    );
    let codes: Vec<&str> = replies.iter().map(|reply| &reply[..3]).collect();
    assert_eq!(codes, ["250", "451", "250", "354", "250"], "{replies:?}");
    assert!(smtp.smtp("QUIT").starts_with("221"));

    let mails = sink.wait_for(2, Duration::from_secs(30));
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0].envelope_from, "bounces@shop.example");
    assert_eq!(mails[0].envelope_to, ["wang@example.cn", "li@example.cn"]);
    assert_eq!(mails[0].raw, b"Subject: first\r\n\r\nfirst body\r\n");
    assert_eq!(mails[1].envelope_from, "");
    assert_eq!(mails[1].envelope_to, ["zhao@example.cn"]);
    assert_eq!(
        mails[1].raw,
        b"Subject: second\r\n\r\n.dot-stuffed line\r\n"
    );
    assert_eq!(sink.received(), mails);

    // Fewer than asked for: after the timeout, what is there.
    assert_eq!(sink.wait_for(3, Duration::from_millis(200)), mails);
}

#[test]
fn dropping_a_server_removes_its_directory() {
    let Some(sink) = start_smtp_sink() else {
        return;
    };
    let dir = sink.server().dir().to_owned();
    assert!(sink.received_dir().starts_with(&dir));
    assert!(dir.join("kefu_test_sink.py").exists());
    drop(sink);
    assert!(!dir.exists());
}

#[test]
fn dovecot_serves_a_mail_delivered_before_any_login() {
    let Some(server) = start_dovecot() else {
        return;
    };
    assert_eq!(server.tls_port(), None);
    server.deliver(
        "1765000000.kefu-test.first",
        b"Subject: delivered\r\nMessage-ID: <d1@example.com>\r\n\r\nstraight into the maildir\r\n",
    );
    let mut imap = Conversation::open(server.port());
    imap.read_until(|line| line.starts_with("* OK"));
    imap.imap("a1", &format!("LOGIN {USER} {PASSWORD}"));
    let selected = imap.imap("a2", "SELECT INBOX");
    assert!(selected.contains("* 1 EXISTS"), "{selected}");
    let fetched = imap.imap("a3", "FETCH 1 BODY.PEEK[]");
    assert!(
        fetched.contains("Message-ID: <d1@example.com>"),
        "{fetched}"
    );

    // A second delivery, now that Dovecot made the maildir its own.
    server.deliver(
        "1765000001.kefu-test.second",
        b"Subject: again\r\n\r\nmore\r\n",
    );
    let selected = imap.imap("a4", "SELECT INBOX");
    assert!(selected.contains("* 2 EXISTS"), "{selected}");
    imap.imap("a5", "LOGOUT");
}

#[test]
fn dovecot_with_a_certificate_has_a_tls_port() {
    let Some(server) = start_dovecot_with(Some(&ServerCertificate::self_signed())) else {
        return;
    };
    let tls_port = server.tls_port().unwrap();
    assert_ne!(tls_port, server.port());
    assert!(server.dir().join("cert.pem").exists());
    // STARTTLS is offered on the plain port.
    let mut imap = Conversation::open(server.port());
    let greeting = imap.read_until(|line| line.starts_with("* OK"));
    let capabilities = imap.imap("a1", "CAPABILITY");
    assert!(
        format!("{greeting}{capabilities}").contains("STARTTLS"),
        "{greeting}{capabilities}"
    );
    TcpStream::connect(("127.0.0.1", tls_port)).unwrap();
}
