//! Against real servers the test starts itself: Dovecot for IMAP (Debian `dovecot-imapd`) and
//! aiosmtpd for SMTP (PyPI `aiosmtpd`). A missing server fails the test with the package to
//! install; `KEFU_SKIP_MAIL_SERVERS=1` skips instead.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
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

const DOVECOT: &str = "/usr/sbin/dovecot";
const USER: &str = "agent";
const PASSWORD: &str = "s3cret-pw";

fn skip_requested() -> bool {
    let skip = std::env::var("KEFU_SKIP_MAIL_SERVERS").is_ok_and(|value| value == "1");
    if skip {
        eprintln!("KEFU_SKIP_MAIL_SERVERS=1: mail-server test not run");
    }
    skip
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn scratch_dir(kind: &str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "kefu-mailbox-{kind}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn command_output(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap();
    assert!(output.status.success(), "{program} {args:?} failed");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A server process, killed and its directory removed when the test ends (pass or panic).
struct Server {
    child: Child,
    dir: PathBuf,
    port: u16,
    /// Where the server speaks TLS from the first byte, when it was given a certificate.
    tls_port: Option<u16>,
    log: PathBuf,
}

/// A server's certificate and key, in PEM.
struct ServerCertificate {
    cert_pem: String,
    key_pem: String,
}

impl ServerCertificate {
    /// A certificate for `localhost` signed by itself, so that no client trusts it.
    fn self_signed() -> ServerCertificate {
        let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        ServerCertificate {
            cert_pem: generated.cert.pem(),
            key_pem: generated.signing_key.serialize_pem(),
        }
    }

    /// Written into `dir` for the server to read: (cert, key).
    fn write_to(&self, dir: &Path) -> (PathBuf, PathBuf) {
        let cert = dir.join("cert.pem");
        let key = dir.join("key.pem");
        std::fs::write(&cert, &self.cert_pem).unwrap();
        std::fs::write(&key, &self.key_pem).unwrap();
        (cert, key)
    }
}

/// A private CA, as an on-premises mail server's certificate often comes from.
struct PrivateCa {
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

impl PrivateCa {
    fn new(name: &str) -> PrivateCa {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let key = rcgen::KeyPair::generate().unwrap();
        PrivateCa {
            issuer: rcgen::CertifiedIssuer::self_signed(params, key).unwrap(),
        }
    }

    /// The root certificate, as the mail administrator hands it out.
    fn root_pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for `localhost` and `127.0.0.1`, signed by this CA.
    fn issue_for_localhost(&self) -> ServerCertificate {
        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        ServerCertificate {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

impl Server {
    /// Waits until the port takes connections; a server that exits first fails the test.
    fn wait_until_listening(&mut self, name: &str) {
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().unwrap() {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                panic!("{name} exited ({status}) before listening:\n{log}");
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{name} did not listen on port {}", self.port);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Dovecot with one user whose mail is a maildir in a scratch directory. It runs as the
/// current user; under root, as the `dovecot` user the package creates (Dovecot's login
/// process refuses root).
fn start_dovecot() -> Option<Server> {
    start_dovecot_with(None)
}

/// With a `certificate`, the server also offers STARTTLS and IMAPS with it.
fn start_dovecot_with(certificate: Option<&ServerCertificate>) -> Option<Server> {
    if skip_requested() {
        return None;
    }
    assert!(
        Path::new(DOVECOT).exists(),
        "{DOVECOT} is missing: install Debian's `dovecot-imapd` (apt-get install -y \
         dovecot-imapd), or set KEFU_SKIP_MAIL_SERVERS=1 to skip the mail-server tests"
    );
    let dir = scratch_dir("dovecot");
    let port = free_port();
    let as_root = command_output("id", &["-u"]) == "0";
    let account = if as_root {
        "dovecot".to_owned()
    } else {
        command_output("id", &["-un"])
    };
    let uid: u32 = command_output("id", &["-u", &account]).parse().unwrap();
    let gid: u32 = command_output("id", &["-g", &account]).parse().unwrap();
    let group = command_output("id", &["-gn", &account]);
    let d = dir.display();
    let tls_port = certificate.map(|_| free_port());
    let ssl = match certificate {
        Some(certificate) => {
            let (cert, key) = certificate.write_to(&dir);
            format!(
                "ssl = yes\nssl_cert = <{}\nssl_key = <{}",
                cert.display(),
                key.display()
            )
        }
        None => "ssl = no".to_owned(),
    };
    let imaps_port = tls_port.unwrap_or(0);
    std::fs::write(
        dir.join("passwd"),
        format!("{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{d}/home::\n"),
    )
    .unwrap();
    // Login and anvil run unchrooted: chroot needs root, and the master is not root here.
    let config = format!(
        "protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
instance_name = kefu-test-{port}
log_path = {d}/dovecot.log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_internal_user = {account}
default_internal_group = {group}
default_login_user = {account}
mail_location = maildir:{d}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {d}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
"
    );
    let config_path = dir.join("dovecot.conf");
    std::fs::write(&config_path, config).unwrap();
    let mut command = Command::new(DOVECOT);
    command
        .arg("-F")
        .arg("-c")
        .arg(&config_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if as_root {
        let owner = format!("{uid}:{gid}");
        command_output("chown", &["-R", &owner, &dir.display().to_string()]);
        std::os::unix::process::CommandExt::uid(&mut command, uid);
        std::os::unix::process::CommandExt::gid(&mut command, gid);
    }
    let child = command.spawn().unwrap();
    let log = dir.join("dovecot.log");
    let mut server = Server {
        child,
        dir,
        port,
        tls_port,
        log,
    };
    server.wait_until_listening("dovecot");
    Some(server)
}

fn imap_account(server: &Server) -> ImapAccount {
    ImapAccount {
        port: server.port,
        security: ImapSecurity::Plain,
        timeout: Duration::from_secs(30),
        ..ImapAccount::new("127.0.0.1", USER, PASSWORD)
    }
}

type TestSession = async_imap::Session<tokio::net::TcpStream>;

/// A second, plain IMAP connection that plays the mail arriving.
async fn test_session(server: &Server) -> TestSession {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
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

/// Drops a mail into the maildir as a delivery agent would, without IMAP.
fn deliver_to_maildir(server: &Server, name: &str, bytes: &[u8]) {
    let maildir = server.dir.join("mail").join(USER);
    let tmp = maildir.join("tmp").join(name);
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, maildir.join("new").join(name)).unwrap();
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
    deliver_to_maildir(&server, "1765000000.kefu-test.gbk", &gbk_mail());
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
    let tls_port = server.tls_port.unwrap();
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
    let Some((server, received)) = start_aiosmtpd_with(Some(&ServerCertificate::self_signed()))
    else {
        return;
    };
    let bytes = build_outbound(&reply().0).unwrap();
    let account = SmtpAccount {
        host: "localhost".to_owned(),
        security: SmtpSecurity::StartTls,
        ..smtp_account(&server)
    };
    let envelope = SmtpEnvelope {
        from: "bounces@shop.example".to_owned(),
        to: vec!["wang@example.cn".to_owned()],
    };
    let error = send_raw(&account, &envelope, &bytes).await.unwrap_err();
    assert!(matches!(error, MailboxError::Certificate(_)), "{error:?}");
    assert!(!error.is_temporary());
    assert_eq!(std::fs::read_dir(&received).unwrap().count(), 0);
}

/// aiosmtpd with a handler that keeps each mail (and its envelope) as files, refuses
/// recipients starting with `reject` (550) and asks those starting with `later` to retry (451).
fn start_aiosmtpd() -> Option<(Server, PathBuf)> {
    start_aiosmtpd_with(None)
}

/// With a `certificate`, the server requires STARTTLS with it.
fn start_aiosmtpd_with(certificate: Option<&ServerCertificate>) -> Option<(Server, PathBuf)> {
    if skip_requested() {
        return None;
    }
    let found = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        found,
        "python3 cannot import aiosmtpd: install it from PyPI (pip install aiosmtpd), or set \
         KEFU_SKIP_MAIL_SERVERS=1 to skip the mail-server tests"
    );
    let dir = scratch_dir("smtp");
    let received = dir.join("received");
    std::fs::create_dir_all(&received).unwrap();
    std::fs::write(
        dir.join("kefu_test_sink.py"),
        r#"import json, os

class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(args[0])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 No such user here"
        if address.startswith("later"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "%04d" % self.count)
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 Message accepted"
"#,
    )
    .unwrap();
    let port = free_port();
    let log = dir.join("aiosmtpd.log");
    let mut command = Command::new("python3");
    command.args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")]);
    if let Some(certificate) = certificate {
        let (cert, key) = certificate.write_to(&dir);
        command.arg("--tlscert").arg(cert).arg("--tlskey").arg(key);
    }
    let child = command
        .args(["-c", "kefu_test_sink.Sink"])
        .arg(&received)
        .env("PYTHONPATH", &dir)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut server = Server {
        child,
        dir,
        port,
        tls_port: None,
        log,
    };
    server.wait_until_listening("aiosmtpd");
    Some((server, received))
}

fn smtp_account(server: &Server) -> SmtpAccount {
    SmtpAccount {
        port: server.port,
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
    };
    (mail, answered)
}

#[tokio::test]
async fn smtp_delivers_a_built_reply_unchanged() {
    let Some((server, received)) = start_aiosmtpd() else {
        return;
    };
    let (mail, answered) = reply();
    let bytes = build_outbound(&mail).unwrap();
    let envelope = SmtpEnvelope {
        from: "bounces@shop.example".to_owned(),
        to: vec!["wang@example.cn".to_owned()],
    };
    send_raw(&smtp_account(&server), &envelope, &bytes)
        .await
        .unwrap();

    // The server answered 250 only after writing the file.
    let stored = std::fs::read(received.join("0001.eml")).unwrap();
    let parsed = parse_inbound(&stored).unwrap();
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
    let envelope_seen = std::fs::read_to_string(received.join("0001.json")).unwrap();
    assert_eq!(
        envelope_seen,
        r#"{"from": "bounces@shop.example", "to": ["wang@example.cn"]}"#
    );
}

#[tokio::test]
async fn smtp_refusals_are_permanent_or_temporary() {
    let Some((server, received)) = start_aiosmtpd() else {
        return;
    };
    let (mail, _) = reply();
    let bytes = build_outbound(&mail).unwrap();
    let account = smtp_account(&server);
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
        std::fs::read_dir(&received).unwrap().count(),
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
    let tls_port = server.tls_port.unwrap();
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
    let Some((server, received)) = start_aiosmtpd_with(Some(&ca.issue_for_localhost())) else {
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
        ..smtp_account(&server)
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
    assert_eq!(std::fs::read_dir(&received).unwrap().count(), 0);

    let trusting = SmtpAccount {
        extra_roots: Some(ExtraRoots::from_pem(&ca.root_pem()).unwrap()),
        ..account
    };
    send_raw(&trusting, &envelope, &bytes).await.unwrap();
    // The server answered 250 only after writing the file.
    let stored = std::fs::read(received.join("0001.eml")).unwrap();
    // Byte for byte, but for one empty line at the end: lettre ends DATA with CRLF . CRLF even
    // when the mail already ends with CRLF, which no mail reader shows.
    assert_eq!(
        String::from_utf8_lossy(&stored),
        String::from_utf8_lossy(&[bytes.as_slice(), b"\r\n"].concat()),
        "the mail arrived changed"
    );
    let parsed = parse_inbound(&stored).unwrap();
    assert_eq!(parsed.message_id, mail.message_id.as_str());
    let envelope_seen = std::fs::read_to_string(received.join("0001.json")).unwrap();
    assert_eq!(
        envelope_seen,
        r#"{"from": "bounces@shop.example", "to": ["wang@example.cn"]}"#
    );
}
