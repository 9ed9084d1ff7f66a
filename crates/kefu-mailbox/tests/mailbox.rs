//! Against real servers the test starts itself through `kefu-test-mailservers`: Dovecot for IMAP
//! (Debian `dovecot-imapd`) and aiosmtpd for SMTP (PyPI `aiosmtpd`). A missing server fails the
//! test with the package to install; `KEFU_SKIP_MAIL_SERVERS=1` skips instead.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// The receiving side of SMTP: the listener over 127.0.0.1.
mod smtp_server;

use std::time::Duration;

use futures_util::TryStreamExt as _;
use kefu_mail::{
    MailAddress, MailMessageId, OutboundKind, OutboundMail, ReplyThreading, build_outbound,
    parse_inbound,
};
use kefu_mailbox::{
    ExtraRoots, IdleOutcome, ImapAccount, ImapSecurity, MailboxError, MailboxPosition, SmtpAccount,
    SmtpEnvelope, SmtpSecurity, fetch_new, send_raw, wait_for_new,
};
use kefu_test_mailservers::{
    MailServer, PASSWORD, PrivateCa, ServerCertificate, SmtpSink, USER, free_port, start_dovecot,
    start_dovecot_with, start_smtp_sink, start_smtp_sink_with,
};

fn imap_account(server: &MailServer) -> ImapAccount {
    ImapAccount {
        port: server.port(),
        security: ImapSecurity::Plain,
        timeout: Duration::from_secs(30),
        ..ImapAccount::new("127.0.0.1", USER, PASSWORD)
    }
}

type TestSession = async_imap::Session<tokio::net::TcpStream>;

/// A second, plain IMAP connection that plays the mail arriving.
async fn test_session(server: &MailServer) -> TestSession {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", server.port()))
        .await
        .unwrap();
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.unwrap().unwrap();
    client
        .login(USER, PASSWORD)
        .await
        .map_err(|(e, _)| e)
        .unwrap()
}

fn plain_mail(message_id: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Customer <customer@example.com>\r\nTo: support@shop.example\r\n\
         Subject: {subject}\r\nMessage-ID: <{message_id}>\r\nDate: Sun, 6 Dec 2026 10:00:00 +0800\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// A mail as an old Chinese mail program sends it: GBK body, RFC 2047 GBK subject.
fn gbk_mail() -> Vec<u8> {
    let (subject, _, _) = encoding_rs::GBK.encode("我的快递还没到");
    let (body, _, _) = encoding_rs::GBK.encode("你好，运单号 SF1234567890123 三天没有更新了。\r\n");
    let mut mail = format!(
        "From: =?GBK?B?{}?= <wang@example.cn>\r\nTo: support@shop.example\r\n\
         Subject: =?GBK?B?{}?=\r\nMessage-ID: <gbk-1@example.cn>\r\n\
         Date: Sun, 6 Dec 2026 11:00:00 +0800\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        base64_encode(&encoding_rs::GBK.encode("王先生").0),
        base64_encode(&subject),
    )
    .into_bytes();
    mail.extend_from_slice(&body);
    mail
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn flags_of(session: &mut TestSession, mailbox: &str, uid: u32) -> Vec<String> {
    session.select(mailbox).await.unwrap();
    let fetches: Vec<_> = session
        .uid_fetch(uid.to_string(), "FLAGS")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    fetches
        .iter()
        .flat_map(|fetch| fetch.flags().map(|flag| format!("{flag:?}")))
        .collect()
}

#[tokio::test]
async fn imap_fetches_only_what_came_after_the_position() {
    let Some(server) = start_dovecot() else {
        return;
    };
    let account = imap_account(&server);
    let mut session = test_session(&server).await;

    let empty = fetch_new(&account, None).await.unwrap();
    assert!(empty.mails.is_empty());
    assert!(!empty.uid_validity_changed);
    assert_eq!(empty.position.last_uid, 0);

    for n in 1..=2 {
        let mail = plain_mail(&format!("m{n}@example.com"), &format!("order {n}"), "hello");
        session.append("INBOX", None, None, mail).await.unwrap();
    }
    let first = fetch_new(&account, Some(empty.position)).await.unwrap();
    let uids: Vec<u32> = first.mails.iter().map(|mail| mail.uid).collect();
    assert_eq!(uids, vec![1, 2]);
    assert_eq!(first.position.uid_validity, empty.position.uid_validity);
    assert_eq!(first.position.last_uid, 2);
    assert!(
        first
            .mails
            .iter()
            .all(|m| m.uid_validity == first.position.uid_validity)
    );
    let parsed = parse_inbound(&first.mails[1].raw).unwrap();
    assert_eq!(parsed.message_id, "m2@example.com");
    assert_eq!(parsed.subject, "order 2");
    // Fetching peeks: nothing is marked seen unless asked.
    assert!(
        !flags_of(&mut session, "INBOX", 1)
            .await
            .iter()
            .any(|f| f.contains("Seen"))
    );

    let again = fetch_new(&account, Some(first.position)).await.unwrap();
    assert!(again.mails.is_empty(), "already taken mail came again");
    assert_eq!(again.position, first.position);

    // One mail through IMAP, one written straight into the maildir in GBK.
    server.deliver("1765000000.kefu-test.gbk", &gbk_mail());
    session
        .append(
            "INBOX",
            None,
            None,
            plain_mail("m3@example.com", "order 3", "more"),
        )
        .await
        .unwrap();
    let seen_account = ImapAccount {
        mark_seen: true,
        ..account.clone()
    };
    let second = fetch_new(&seen_account, Some(first.position))
        .await
        .unwrap();
    assert_eq!(second.mails.len(), 2);
    assert!(second.mails.iter().all(|mail| mail.uid > 2));
    let ids: Vec<String> = second
        .mails
        .iter()
        .map(|mail| parse_inbound(&mail.raw).unwrap().message_id)
        .collect();
    assert!(ids.contains(&"gbk-1@example.cn".to_owned()), "{ids:?}");
    assert!(ids.contains(&"m3@example.com".to_owned()), "{ids:?}");
    let gbk = second
        .mails
        .iter()
        .map(|mail| parse_inbound(&mail.raw).unwrap())
        .find(|mail| mail.message_id == "gbk-1@example.cn")
        .unwrap();
    assert_eq!(gbk.subject, "我的快递还没到");
    assert_eq!(gbk.from.name.as_deref(), Some("王先生"));
    assert!(
        gbk.body_text.contains("运单号 SF1234567890123"),
        "{}",
        gbk.body_text
    );
    for mail in &second.mails {
        let flags = flags_of(&mut session, "INBOX", mail.uid).await;
        assert!(flags.iter().any(|f| f.contains("Seen")), "{flags:?}");
    }
    assert_eq!(second.position.last_uid, second.mails[1].uid);

    // A batch limit leaves the rest for the next fetch, in UID order.
    let one_at_a_time = ImapAccount {
        max_batch: 1,
        ..account.clone()
    };
    let head = fetch_new(&one_at_a_time, None).await.unwrap();
    assert_eq!(head.mails.len(), 1);
    assert_eq!(head.mails[0].uid, 1);
    assert!(head.more);
    let next = fetch_new(&one_at_a_time, Some(head.position))
        .await
        .unwrap();
    assert_eq!(next.mails[0].uid, 2);

    session.logout().await.unwrap();
}

#[tokio::test]
async fn imap_changed_uid_validity_starts_over() {
    let Some(server) = start_dovecot() else {
        return;
    };
    let mut session = test_session(&server).await;
    session.create("Support").await.unwrap();
    for n in 1..=3 {
        let mail = plain_mail(&format!("s{n}@example.com"), "support", "text");
        session.append("Support", None, None, mail).await.unwrap();
    }
    let account = ImapAccount {
        mailbox: "Support".to_owned(),
        ..imap_account(&server)
    };
    let before = fetch_new(&account, None).await.unwrap();
    assert_eq!(before.position.last_uid, 3);

    // Recreated: the server numbers from 1 again under a new UIDVALIDITY.
    session.delete("Support").await.unwrap();
    session.create("Support").await.unwrap();
    let mail = plain_mail("after@example.com", "support", "text");
    session.append("Support", None, None, mail).await.unwrap();

    let after = fetch_new(&account, Some(before.position)).await.unwrap();
    assert!(after.uid_validity_changed);
    assert_ne!(after.position.uid_validity, before.position.uid_validity);
    assert_eq!(after.mails.len(), 1);
    assert_eq!(
        after.mails[0].uid, 1,
        "a UID below the old position is new mail here"
    );
    assert_eq!(
        parse_inbound(&after.mails[0].raw).unwrap().message_id,
        "after@example.com"
    );
    assert_eq!(
        after.position,
        MailboxPosition {
            uid_validity: after.position.uid_validity,
            last_uid: 1
        }
    );
    session.logout().await.unwrap();
}

#[tokio::test]
async fn imap_idle_wakes_on_new_mail() {
    let Some(server) = start_dovecot() else {
        return;
    };
    let account = imap_account(&server);
    let start = fetch_new(&account, None).await.unwrap();

    let quiet = wait_for_new(&account, Some(start.position), Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(quiet, IdleOutcome::Timeout);

    let waiter = {
        let account = account.clone();
        tokio::spawn(async move {
            wait_for_new(&account, Some(start.position), Duration::from_secs(600)).await
        })
    };
    // Give the waiter time to be in IDLE; if it is not yet, it sees the mail at SELECT and
    // answers the same.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut session = test_session(&server).await;
    let mail = plain_mail("idle@example.com", "idle", "wake up");
    session.append("INBOX", None, None, mail).await.unwrap();
    assert_eq!(waiter.await.unwrap().unwrap(), IdleOutcome::NewMail);

    // Mail already past the position: no waiting at all.
    let immediate = wait_for_new(&account, Some(start.position), Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(immediate, IdleOutcome::NewMail);
    session.logout().await.unwrap();
}

#[tokio::test]
async fn imap_errors_say_whether_to_retry() {
    let Some(server) = start_dovecot() else {
        return;
    };
    let wrong_password = ImapAccount {
        password: "wrong".to_owned(),
        ..imap_account(&server)
    };
    let error = fetch_new(&wrong_password, None).await.unwrap_err();
    assert!(
        matches!(error, MailboxError::Authentication(_)),
        "{error:?}"
    );
    assert!(!error.is_temporary());

    let no_such_folder = ImapAccount {
        mailbox: "Nowhere".to_owned(),
        ..imap_account(&server)
    };
    let error = fetch_new(&no_such_folder, None).await.unwrap_err();
    assert!(matches!(error, MailboxError::Protocol(_)), "{error:?}");
    assert!(!error.is_temporary());

    let closed_port = ImapAccount {
        port: free_port(),
        ..imap_account(&server)
    };
    let error = fetch_new(&closed_port, None).await.unwrap_err();
    assert!(matches!(error, MailboxError::Connection(_)), "{error:?}");
    assert!(error.is_temporary());
}

#[tokio::test]
async fn imap_refuses_a_certificate_nobody_vouches_for() {
    let Some(server) = start_dovecot_with(Some(&ServerCertificate::self_signed())) else {
        return;
    };
    let tls_port = server.tls_port().unwrap();
    let account = ImapAccount {
        host: "localhost".to_owned(),
        ..imap_account(&server)
    };

    let implicit = ImapAccount {
        port: tls_port,
        security: ImapSecurity::Tls,
        ..account.clone()
    };
    let error = fetch_new(&implicit, None).await.unwrap_err();
    assert!(matches!(error, MailboxError::Certificate(_)), "{error:?}");
    assert!(!error.is_temporary());

    let upgraded = ImapAccount {
        security: ImapSecurity::StartTls,
        ..account.clone()
    };
    let error = fetch_new(&upgraded, None).await.unwrap_err();
    assert!(matches!(error, MailboxError::Certificate(_)), "{error:?}");

    // The same server over plain text works: the refusal was the certificate's.
    let batch = fetch_new(&account, None).await.unwrap();
    assert!(batch.mails.is_empty());
}

#[tokio::test]
async fn smtp_refuses_a_certificate_nobody_vouches_for() {
    let Some(sink) = start_smtp_sink_with(Some(&ServerCertificate::self_signed())) else {
        return;
    };
    let bytes = build_outbound(&reply().0).unwrap();
    let account = SmtpAccount {
        host: "localhost".to_owned(),
        security: SmtpSecurity::StartTls,
        ..smtp_account(&sink)
    };
    let envelope = SmtpEnvelope {
        from: "bounces@shop.example".to_owned(),
        to: vec!["wang@example.cn".to_owned()],
    };
    let error = send_raw(&account, &envelope, &bytes).await.unwrap_err();
    assert!(matches!(error, MailboxError::Certificate(_)), "{error:?}");
    assert!(!error.is_temporary());
    assert_eq!(std::fs::read_dir(sink.received_dir()).unwrap().count(), 0);
}

fn smtp_account(sink: &SmtpSink) -> SmtpAccount {
    SmtpAccount {
        port: sink.port(),
        security: SmtpSecurity::Plain,
        username: None,
        password: None,
        timeout: Duration::from_secs(30),
        ..SmtpAccount::new("127.0.0.1", "", "", "shop.example")
    }
}

fn reply() -> (OutboundMail, MailMessageId) {
    let now = jiff::Timestamp::from_second(1_796_600_000).unwrap();
    let answered = MailMessageId::parse("<gbk-1@example.cn>").unwrap();
    let mail = OutboundMail {
        kind: OutboundKind::AgentReply,
        message_id: MailMessageId::generate("shop.example", now).unwrap(),
        date: now,
        from: MailAddress::new("support@shop.example", Some("客服小李")),
        reply_to: None,
        to: vec![MailAddress::new("wang@example.cn", Some("王先生"))],
        cc: Vec::new(),
        subject: "Re: 我的快递还没到 [KF-1001]".to_owned(),
        threading: ReplyThreading {
            in_reply_to: Some(answered.clone()),
            references: vec![answered.clone()],
        },
        text: "王先生您好，包裹明天送到。".to_owned(),
        html: None,
        signature: None,
        attachments: Vec::new(),
    };
    (mail, answered)
}

#[tokio::test]
async fn smtp_delivers_a_built_reply_unchanged() {
    let Some(sink) = start_smtp_sink() else {
        return;
    };
    let (mail, answered) = reply();
    let bytes = build_outbound(&mail).unwrap();
    let envelope = SmtpEnvelope {
        from: "bounces@shop.example".to_owned(),
        to: vec!["wang@example.cn".to_owned()],
    };
    send_raw(&smtp_account(&sink), &envelope, &bytes)
        .await
        .unwrap();

    // The server answered 250 only after writing the file.
    let received = sink.received();
    assert_eq!(received.len(), 1);
    let stored = &received[0].raw;
    let parsed = parse_inbound(stored).unwrap();
    assert_eq!(parsed.message_id, mail.message_id.as_str());
    assert_eq!(parsed.in_reply_to, vec![answered.as_str().to_owned()]);
    assert_eq!(parsed.references, vec![answered.as_str().to_owned()]);
    assert_eq!(parsed.subject, "Re: 我的快递还没到 [KF-1001]");
    assert_eq!(parsed.from.name.as_deref(), Some("客服小李"));
    assert!(
        parsed.body_text.contains("包裹明天送到"),
        "{}",
        parsed.body_text
    );
    assert_eq!(received[0].envelope_from, "bounces@shop.example");
    assert_eq!(received[0].envelope_to, ["wang@example.cn"]);
}

#[tokio::test]
async fn smtp_refusals_are_permanent_or_temporary() {
    let Some(sink) = start_smtp_sink() else {
        return;
    };
    let (mail, _) = reply();
    let bytes = build_outbound(&mail).unwrap();
    let account = smtp_account(&sink);
    let to = |address: &str| SmtpEnvelope {
        from: "bounces@shop.example".to_owned(),
        to: vec![address.to_owned()],
    };

    let error = send_raw(&account, &to("reject-me@example.cn"), &bytes)
        .await
        .unwrap_err();
    assert!(
        matches!(error, MailboxError::PermanentRejection { code: 550, .. }),
        "{error:?}"
    );
    assert!(!error.is_temporary());

    let error = send_raw(&account, &to("later@example.cn"), &bytes)
        .await
        .unwrap_err();
    assert!(
        matches!(error, MailboxError::TemporaryRejection { code: 451, .. }),
        "{error:?}"
    );
    assert!(error.is_temporary());
    assert_eq!(
        std::fs::read_dir(sink.received_dir()).unwrap().count(),
        0,
        "nothing was delivered"
    );

    let error = send_raw(&account, &to("not an address"), &bytes)
        .await
        .unwrap_err();
    assert!(matches!(error, MailboxError::Config(_)), "{error:?}");

    let closed = SmtpAccount {
        port: free_port(),
        ..account.clone()
    };
    let error = send_raw(&closed, &to("wang@example.cn"), &bytes)
        .await
        .unwrap_err();
    assert!(error.is_temporary(), "{error:?}");
}

#[test]
fn extra_roots_need_a_certificate() {
    let ca = PrivateCa::new("kefu test CA");
    let other = PrivateCa::new("kefu other CA");
    // A bundle of two roots, with a key block in between that is not a certificate.
    let key_pem = rcgen::KeyPair::generate().unwrap().serialize_pem();
    let bundle = format!("{}{key_pem}{}", ca.root_pem(), other.root_pem());
    let roots = ExtraRoots::from_pem(&bundle).unwrap();
    assert!(
        format!("{roots:?}").contains("certificates: 2"),
        "{roots:?}"
    );

    for not_a_root in ["", "just some text\n", key_pem.as_str()] {
        let error = ExtraRoots::from_pem(not_a_root).unwrap_err();
        assert!(matches!(error, MailboxError::Config(_)), "{error:?}");
        assert!(!error.is_temporary());
    }
    // A certificate block whose content is not base64.
    let broken = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
    let error = ExtraRoots::from_pem(broken).unwrap_err();
    assert!(matches!(error, MailboxError::Config(_)), "{error:?}");
    // Base64 fine, but not a certificate.
    let garbage = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
    let error = ExtraRoots::from_pem(garbage).unwrap_err();
    assert!(matches!(error, MailboxError::Config(_)), "{error:?}");
}

#[tokio::test]
async fn imap_trusts_a_private_ca_it_is_given() {
    let ca = PrivateCa::new("kefu test CA");
    let Some(server) = start_dovecot_with(Some(&ca.issue_for_localhost())) else {
        return;
    };
    let tls_port = server.tls_port().unwrap();
    let mail = gbk_mail();
    let mut session = test_session(&server).await;
    session
        .append("INBOX", None, None, mail.clone())
        .await
        .unwrap();

    let trusting = Some(ExtraRoots::from_pem(&ca.root_pem()).unwrap());
    let implicit = ImapAccount {
        port: tls_port,
        security: ImapSecurity::Tls,
        extra_roots: trusting.clone(),
        ..imap_account(&server)
    };
    // Checked against the IP address in the certificate here, the DNS name below.
    assert_eq!(implicit.host, "127.0.0.1");
    let upgraded = ImapAccount {
        host: "localhost".to_owned(),
        security: ImapSecurity::StartTls,
        extra_roots: trusting,
        ..imap_account(&server)
    };
    for account in [&implicit, &upgraded] {
        let batch = fetch_new(account, None).await.unwrap();
        assert_eq!(batch.mails.len(), 1, "{account:?}");
        assert_eq!(
            batch.mails[0].raw, mail,
            "{account:?}: fetched bytes differ"
        );
        let parsed = parse_inbound(&batch.mails[0].raw).unwrap();
        assert_eq!(parsed.subject, "我的快递还没到");
    }

    // Without the root, or with another CA's, the same servers are refused.
    let another_ca =
        Some(ExtraRoots::from_pem(&PrivateCa::new("kefu other CA").root_pem()).unwrap());
    for account in [&implicit, &upgraded] {
        for extra_roots in [None, another_ca.clone()] {
            let untrusting = ImapAccount {
                extra_roots,
                ..account.clone()
            };
            let error = fetch_new(&untrusting, None).await.unwrap_err();
            assert!(
                matches!(error, MailboxError::Certificate(_)),
                "{untrusting:?}: {error:?}"
            );
        }
    }
    session.logout().await.unwrap();
}

#[tokio::test]
async fn smtp_trusts_a_private_ca_it_is_given() {
    let ca = PrivateCa::new("kefu test CA");
    let Some(sink) = start_smtp_sink_with(Some(&ca.issue_for_localhost())) else {
        return;
    };
    let (mail, _) = reply();
    let bytes = build_outbound(&mail).unwrap();
    let envelope = SmtpEnvelope {
        from: "bounces@shop.example".to_owned(),
        to: vec!["wang@example.cn".to_owned()],
    };
    let account = SmtpAccount {
        host: "localhost".to_owned(),
        security: SmtpSecurity::StartTls,
        ..smtp_account(&sink)
    };

    let another_ca =
        Some(ExtraRoots::from_pem(&PrivateCa::new("kefu other CA").root_pem()).unwrap());
    for extra_roots in [None, another_ca] {
        let untrusting = SmtpAccount {
            extra_roots,
            ..account.clone()
        };
        let error = send_raw(&untrusting, &envelope, &bytes).await.unwrap_err();
        assert!(matches!(error, MailboxError::Certificate(_)), "{error:?}");
    }
    assert_eq!(std::fs::read_dir(sink.received_dir()).unwrap().count(), 0);

    let trusting = SmtpAccount {
        extra_roots: Some(ExtraRoots::from_pem(&ca.root_pem()).unwrap()),
        ..account
    };
    send_raw(&trusting, &envelope, &bytes).await.unwrap();
    // The server answered 250 only after writing the file.
    let received = sink.received();
    assert_eq!(received.len(), 1);
    let stored = &received[0].raw;
    // Byte for byte, but for one empty line at the end: lettre ends DATA with CRLF . CRLF even
    // when the mail already ends with CRLF, which no mail reader shows.
    assert_eq!(
        String::from_utf8_lossy(stored),
        String::from_utf8_lossy(&[bytes.as_slice(), b"\r\n"].concat()),
        "the mail arrived changed"
    );
    let parsed = parse_inbound(stored).unwrap();
    assert_eq!(parsed.message_id, mail.message_id.as_str());
    assert_eq!(received[0].envelope_from, "bounces@shop.example");
    assert_eq!(received[0].envelope_to, ["wang@example.cn"]);
}
