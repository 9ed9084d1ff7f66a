//! Test support only: real mail servers started for tests. Dovecot serves IMAP (Debian
//! `dovecot-imapd`), aiosmtpd receives SMTP into files (PyPI `aiosmtpd`). Each runs on a free
//! port in its own scratch directory and is killed, its directory removed, when dropped.
//!
//! A missing server fails the test with the package to install; `KEFU_SKIP_MAIL_SERVERS=1`
//! makes every `start_*` return `None` instead, for the test to skip.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const DOVECOT: &str = "/usr/sbin/dovecot";

/// The one IMAP user Dovecot knows.
pub const USER: &str = "agent";
/// That user's password (plain-text login is allowed).
pub const PASSWORD: &str = "s3cret-pw";

/// Whether `KEFU_SKIP_MAIL_SERVERS=1` asks to skip the mail-server tests (and says so).
pub fn skip_requested() -> bool {
    let skip = std::env::var("KEFU_SKIP_MAIL_SERVERS").is_ok_and(|value| value == "1");
    if skip {
        eprintln!("KEFU_SKIP_MAIL_SERVERS=1: mail-server test not run");
    }
    skip
}

/// A local port nobody listened on a moment ago: for a server to take, or as a closed port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn scratch_dir(kind: &str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "kefu-test-mailservers-{kind}-{}-{}",
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

/// A running server process, killed and its directory removed when dropped (pass or panic).
#[derive(Debug)]
pub struct MailServer {
    child: Child,
    dir: PathBuf,
    port: u16,
    tls_port: Option<u16>,
    log: PathBuf,
}

impl MailServer {
    /// The plain-text port on 127.0.0.1 (STARTTLS is offered there when there is a certificate).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where the server speaks TLS from the first byte (IMAPS), when it was given a certificate.
    pub fn tls_port(&self) -> Option<u16> {
        self.tls_port
    }

    /// The server's scratch directory: configuration, log, and Dovecot's maildirs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Drops a mail into [`USER`]'s INBOX maildir as a delivery agent would, without IMAP.
    /// `name` is the maildir file name and must be unique. Dovecot only.
    pub fn deliver(&self, name: &str, bytes: &[u8]) {
        let maildir = self.dir.join("mail").join(USER);
        // Before the user's first login the maildir does not exist yet. Created here, it must
        // belong to whoever Dovecot runs as (the scratch directory's owner), or Dovecot cannot
        // write its index into it.
        let owner = std::fs::metadata(&self.dir).unwrap();
        let mut path = self.dir.clone();
        for part in ["mail", USER] {
            path.push(part);
            create_dir_owned_like(&path, &owner);
        }
        for sub in ["tmp", "new", "cur"] {
            create_dir_owned_like(&maildir.join(sub), &owner);
        }
        let tmp = maildir.join("tmp").join(name);
        std::fs::write(&tmp, bytes).unwrap();
        std::fs::rename(&tmp, maildir.join("new").join(name)).unwrap();
    }

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

/// Creates `dir` if missing, owned like `owner`.
fn create_dir_owned_like(dir: &Path, owner: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt as _;
    if !dir.exists() {
        std::fs::create_dir(dir).unwrap();
        std::os::unix::fs::chown(dir, Some(owner.uid()), Some(owner.gid())).unwrap();
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server's certificate and key, in PEM.
#[derive(Debug, Clone)]
pub struct ServerCertificate {
    cert_pem: String,
    key_pem: String,
}

impl ServerCertificate {
    /// A certificate for `localhost` signed by itself, so that no client trusts it.
    pub fn self_signed() -> ServerCertificate {
        let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        ServerCertificate {
            cert_pem: generated.cert.pem(),
            key_pem: generated.signing_key.serialize_pem(),
        }
    }

    /// Written into `dir` for the server to read: (cert, key).
    pub fn write_to(&self, dir: &Path) -> (PathBuf, PathBuf) {
        let cert = dir.join("cert.pem");
        let key = dir.join("key.pem");
        std::fs::write(&cert, &self.cert_pem).unwrap();
        std::fs::write(&key, &self.key_pem).unwrap();
        (cert, key)
    }
}

/// A private CA, as an on-premises mail server's certificate often comes from.
pub struct PrivateCa {
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

impl PrivateCa {
    /// A new root with common name `name`.
    pub fn new(name: &str) -> PrivateCa {
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
    pub fn root_pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for `localhost` and `127.0.0.1`, signed by this CA.
    pub fn issue_for_localhost(&self) -> ServerCertificate {
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

/// Dovecot with one user ([`USER`], [`PASSWORD`]) whose mail is a maildir in the scratch
/// directory, plain IMAP only. It runs as the current user; under root, as the `dovecot` user
/// the package creates (Dovecot's login process refuses root).
pub fn start_dovecot() -> Option<MailServer> {
    start_dovecot_with(None)
}

/// With a `certificate`, the server also offers STARTTLS and IMAPS (on `tls_port`) with it.
pub fn start_dovecot_with(certificate: Option<&ServerCertificate>) -> Option<MailServer> {
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
    let mut server = MailServer {
        child,
        dir,
        port,
        tls_port,
        log,
    };
    server.wait_until_listening("dovecot");
    Some(server)
}

/// One mail the SMTP sink accepted, with its envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The `MAIL FROM` address, empty for the null sender (`<>`).
    pub envelope_from: String,
    /// The accepted `RCPT TO`s, in order.
    pub envelope_to: Vec<String>,
    /// The DATA as received (dot-unstuffed, ending with the line before the final dot).
    pub raw: Vec<u8>,
}

/// The envelope file the sink writes next to each mail.
#[derive(serde::Deserialize)]
struct EnvelopeFile {
    from: Option<String>,
    to: Vec<String>,
}

/// aiosmtpd keeping each mail it accepts in `received_dir`, stopped when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    server: MailServer,
    received_dir: PathBuf,
}

impl SmtpSink {
    /// The SMTP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// The server process itself.
    pub fn server(&self) -> &MailServer {
        &self.server
    }

    /// Where each mail lands as `NNNN.eml` (written last) and its envelope as `NNNN.json`.
    pub fn received_dir(&self) -> &Path {
        &self.received_dir
    }

    /// The mails received so far, in the order they arrived. A mail still being written is
    /// not among them: its `.eml` appears (by rename) only once complete.
    pub fn received(&self) -> Vec<ReceivedMail> {
        let mut numbered: Vec<(u64, PathBuf)> = std::fs::read_dir(&self.received_dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .filter_map(|path| {
                let number = path.file_stem()?.to_str()?.parse().ok()?;
                Some((number, path))
            })
            .collect();
        // By number, not name: past 9999 the names grow a digit.
        numbered.sort();
        numbered
            .into_iter()
            .map(|(_, eml)| {
                let envelope_json = std::fs::read(eml.with_extension("json")).unwrap();
                let envelope: EnvelopeFile = serde_json::from_slice(&envelope_json).unwrap();
                ReceivedMail {
                    // aiosmtpd keeps the null sender as "<>".
                    envelope_from: envelope
                        .from
                        .filter(|from| from != "<>")
                        .unwrap_or_default(),
                    envelope_to: envelope.to,
                    raw: std::fs::read(&eml).unwrap(),
                }
            })
            .collect()
    }

    /// Polls until at least `count` mails arrived or `timeout` passed, then returns what is
    /// there: the caller asserts on the mails, not on the time.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let mails = self.received();
            if mails.len() >= count || Instant::now() >= deadline {
                return mails;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The sink's handler: keeps each mail and its envelope as files, refuses recipients starting
/// with `reject` (550) and asks those starting with `later` to retry (451). It answers 250
/// only after the mail is on disk.
const SINK_HANDLER: &str = r#"import json, os

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
"#;

/// aiosmtpd that accepts any sender without authentication and keeps what it receives;
/// recipients starting with `reject` get 550, those starting with `later` get 451.
pub fn start_smtp_sink() -> Option<SmtpSink> {
    start_smtp_sink_with(None)
}

/// With a `certificate`, the server requires STARTTLS with it.
pub fn start_smtp_sink_with(certificate: Option<&ServerCertificate>) -> Option<SmtpSink> {
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
    let received_dir = dir.join("received");
    std::fs::create_dir_all(&received_dir).unwrap();
    std::fs::write(dir.join("kefu_test_sink.py"), SINK_HANDLER).unwrap();
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
        .arg(&received_dir)
        .env("PYTHONPATH", &dir)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut server = MailServer {
        child,
        dir,
        port,
        tls_port: None,
        log,
    };
    server.wait_until_listening("aiosmtpd");
    Some(SmtpSink {
        server,
        received_dir,
    })
}
