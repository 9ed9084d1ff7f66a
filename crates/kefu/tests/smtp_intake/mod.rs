//! Mail handed over by SMTP, end to end below the web layer: lettre's SMTP transport (through
//! `kefu_mailbox::send_raw`) as the gateway, the listener on 127.0.0.1, the desk over a real
//! SQLite file.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use base64::Engine as _;
use kefu_desk::Desk;
use kefu_mailbox::{
    MailboxError, SmtpAccount, SmtpEnvelope, SmtpSecurity, SmtpServerConfig, send_raw,
};
use kefu_model::channels::{EmailAccountDraft, InboundOutcome, InboundRecord};
use kefu_model::records::CaseQuery;
use kefu_model::{Actor, FixedClock};

static COUNTER: AtomicU32 = AtomicU32::new(0);

struct Intake {
    desk: Desk,
    admin: Actor,
    smtp: SocketAddr,
    db: PathBuf,
}

fn mailbox(address: &str) -> EmailAccountDraft {
    EmailAccountDraft {
        name: address.into(),
        enabled: true,
        address: address.into(),
        display_name: "云路快递客服".into(),
        imap_host: "imap.yunlu.example".into(),
        imap_username: "kefu".into(),
        imap_password: Some("imap-secret".into()),
        smtp_host: "smtp.yunlu.example".into(),
        ..EmailAccountDraft::default()
    }
}

/// A desk over a fresh SQLite file with two mailboxes (a third one disabled), and the SMTP
/// listener in front of it taking messages up to `max_message_bytes`.
async fn start(max_message_bytes: usize) -> Intake {
    let dir = std::env::temp_dir().join(format!(
        "kefu-smtp-intake-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("kefu.db");
    let store = kefu_store_sqlite::open(&db).await.unwrap();
    let clock = Arc::new(FixedClock::new("2026-12-07T02:00:00Z".parse().unwrap()));
    let desk = Desk::new(Arc::new(store), clock);
    desk.bootstrap_admin(Some("admin-password".into()))
        .await
        .unwrap();
    let admin = Actor::of(
        &desk
            .store()
            .user_by_username("admin")
            .await
            .unwrap()
            .unwrap(),
    );
    for address in ["kefu@yunlu.example", "sales@yunlu.example"] {
        desk.create_email_account(&admin, mailbox(address))
            .await
            .unwrap();
    }
    desk.create_email_account(
        &admin,
        EmailAccountDraft {
            enabled: false,
            ..mailbox("old@yunlu.example")
        },
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let smtp = listener.local_addr().unwrap();
    tokio::spawn(kefu::smtp_intake::run(
        listener,
        desk.clone(),
        SmtpServerConfig {
            max_message_bytes,
            ..SmtpServerConfig::default()
        },
    ));
    Intake {
        desk,
        admin,
        smtp,
        db,
    }
}

impl Intake {
    async fn send(&self, to: &[&str], mail: &[u8]) -> Result<(), MailboxError> {
        let gateway = SmtpAccount {
            port: self.smtp.port(),
            security: SmtpSecurity::Plain,
            username: None,
            password: None,
            timeout: Duration::from_secs(30),
            ..SmtpAccount::new("127.0.0.1", "", "", "gw.yunlu.example")
        };
        let envelope = SmtpEnvelope {
            from: "wang@example.cn".into(),
            to: to.iter().map(|t| t.to_string()).collect(),
        };
        send_raw(&gateway, &envelope, mail).await
    }

    async fn inbound(&self) -> Vec<InboundRecord> {
        self.desk
            .inbound_messages(&self.admin, None, None)
            .await
            .unwrap()
    }

    async fn case_count(&self) -> i64 {
        self.desk
            .store()
            .count_cases(&CaseQuery::default())
            .await
            .unwrap()
    }
}

fn customer_mail(message_id: &str, to: &str) -> Vec<u8> {
    format!(
        "From: 王先生 <wang@example.cn>\r\nTo: {to}\r\nSubject: 快递三天没更新\r\n\
         Message-ID: <{message_id}>\r\nDate: Mon, 7 Dec 2026 09:30:00 +0800\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n你好，运单 SF1234567890123 三天没有更新了。\r\n\
         .这一行以点开头\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn a_mail_from_the_gateway_opens_a_case_once() {
    let intake = start(1 << 20).await;
    let mail = customer_mail("smtp-1@example.cn", "kefu@yunlu.example");
    intake.send(&["kefu@yunlu.example"], &mail).await.unwrap();
    // Acknowledged means stored: no waiting.
    let inbound = intake.inbound().await;
    assert_eq!(inbound.len(), 1, "{inbound:?}");
    assert_eq!(inbound[0].outcome, InboundOutcome::Created);
    let case_id = inbound[0].case_id.clone().unwrap();
    let case = intake
        .desk
        .get_case(&intake.admin, case_id.as_str())
        .await
        .unwrap();
    assert_eq!(case.subject, "快递三天没更新");
    assert_eq!(case.waybill_nos, ["SF1234567890123"]);
    assert!(
        case.description.contains(".这一行以点开头"),
        "{}",
        case.description
    );

    // The gateway retries the same mail (it lost our 250): nothing new.
    intake.send(&["kefu@yunlu.example"], &mail).await.unwrap();
    assert_eq!(intake.case_count().await, 1);
    assert_eq!(intake.inbound().await.len(), 1);
}

#[tokio::test]
async fn a_mail_to_two_mailboxes_is_taken_in_once() {
    let intake = start(1 << 20).await;
    let mail = customer_mail("smtp-2@example.cn", "kefu@yunlu.example");
    intake
        .send(&["KEFU@yunlu.example", "sales@yunlu.example"], &mail)
        .await
        .unwrap();
    assert_eq!(intake.case_count().await, 1);
    let inbound = intake.inbound().await;
    assert_eq!(inbound.len(), 1, "{inbound:?}");
}

#[tokio::test]
async fn an_unknown_or_disabled_mailbox_is_550_and_nothing_is_stored() {
    let intake = start(1 << 20).await;
    for to in ["nobody@yunlu.example", "old@yunlu.example"] {
        let mail = customer_mail("smtp-3@example.cn", to);
        let error = intake.send(&[to], &mail).await.unwrap_err();
        assert!(
            matches!(error, MailboxError::PermanentRejection { code: 550, .. }),
            "{to}: {error:?}"
        );
    }
    assert_eq!(intake.case_count().await, 0);
    assert!(intake.inbound().await.is_empty());
}

#[tokio::test]
async fn an_oversize_mail_is_552_and_nothing_is_stored() {
    let intake = start(2048).await;
    let mut mail = customer_mail("smtp-4@example.cn", "kefu@yunlu.example");
    mail.extend_from_slice("长".repeat(1000).as_bytes());
    mail.extend_from_slice(b"\r\n");
    let error = intake
        .send(&["kefu@yunlu.example"], &mail)
        .await
        .unwrap_err();
    assert!(
        matches!(error, MailboxError::PermanentRejection { code: 552, .. }),
        "{error:?}"
    );
    assert_eq!(intake.case_count().await, 0);
    assert!(intake.inbound().await.is_empty());
}

#[tokio::test]
async fn a_mail_that_cannot_be_read_is_kept_raw_for_a_person() {
    let intake = start(1 << 20).await;
    let garbage = b"\x00\x01 not a mail at all\r\n";
    intake.send(&["kefu@yunlu.example"], garbage).await.unwrap();
    assert_eq!(intake.case_count().await, 0);
    let unread = intake
        .desk
        .inbound_messages(&intake.admin, Some(InboundOutcome::Unparsed), None)
        .await
        .unwrap();
    assert_eq!(unread.len(), 1, "{unread:?}");
    assert!(!unread[0].detail.is_empty());
    let raw = base64::engine::general_purpose::STANDARD
        .decode(unread[0].raw_base64.as_deref().unwrap())
        .unwrap();
    assert!(raw.starts_with(garbage), "{raw:?}");
}

/// The database refuses the write (a trigger stands in for a full disk): the gateway is told
/// 451 and nothing of the mail is stored; once the database takes writes again, the
/// gateway's retry is taken in once.
#[tokio::test]
async fn a_store_failure_is_451_and_nothing_is_half_written() {
    let intake = start(1 << 20).await;
    let sql = rusqlite::Connection::open(&intake.db).unwrap();
    sql.execute_batch(
        "CREATE TRIGGER disk_full BEFORE INSERT ON case_events \
         BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
    )
    .unwrap();
    let mail = customer_mail("smtp-5@example.cn", "kefu@yunlu.example");
    let error = intake
        .send(&["kefu@yunlu.example"], &mail)
        .await
        .unwrap_err();
    assert!(
        matches!(error, MailboxError::TemporaryRejection { code: 451, .. }),
        "{error:?}"
    );
    assert_eq!(intake.case_count().await, 0);
    assert!(intake.inbound().await.is_empty());

    sql.execute_batch("DROP TRIGGER disk_full;").unwrap();
    intake.send(&["kefu@yunlu.example"], &mail).await.unwrap();
    assert_eq!(intake.case_count().await, 1);
    let inbound = intake.inbound().await;
    assert_eq!(inbound.len(), 1);
    assert_eq!(inbound[0].outcome, InboundOutcome::Created);
}
