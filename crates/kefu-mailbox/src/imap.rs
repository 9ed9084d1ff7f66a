//! New mail from an IMAP mailbox, by UID: the caller keeps (UIDVALIDITY, last UID) and each
//! fetch returns only what came after it.

use std::fmt;
use std::time::Duration;

use async_imap::imap_proto::{MailboxDatum, Response};
use async_imap::types::Fetch;
use async_imap::{Client, Session};
use futures_util::TryStreamExt as _;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::MailboxError;
use crate::tls::{self, ExtraRoots};

/// How the IMAP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImapSecurity {
    /// TLS from the first byte (port 993), certificate checked against the host name.
    Tls,
    /// Plain first, then STARTTLS, which is required (port 143): no fallback to plain text.
    StartTls,
    /// No TLS at all: only for a server on the same machine or a trusted network.
    Plain,
}

/// One IMAP mailbox to read.
#[derive(Clone)]
pub struct ImapAccount {
    pub host: String,
    pub port: u16,
    pub security: ImapSecurity,
    pub username: String,
    pub password: String,
    /// The folder to read, `INBOX` usually.
    pub mailbox: String,
    /// Set `\Seen` on what was fetched, so a person looking at the same mailbox in a mail
    /// program sees kefu took it. Fetching itself never sets it (`BODY.PEEK`).
    pub mark_seen: bool,
    /// At most this many mails per fetch; [`FetchBatch::more`] says when more are waiting.
    pub max_batch: usize,
    /// Bound on each whole operation (connect, login, select, fetch).
    pub timeout: Duration,
    /// Roots trusted besides the Mozilla ones, for a server with a private CA's certificate.
    pub extra_roots: Option<ExtraRoots>,
}

impl ImapAccount {
    /// An account over TLS on port 993, reading `INBOX`, 50 mails a fetch, 60 s per operation,
    /// nothing marked seen.
    pub fn new(host: &str, username: &str, password: &str) -> ImapAccount {
        ImapAccount {
            host: host.to_owned(),
            port: 993,
            security: ImapSecurity::Tls,
            username: username.to_owned(),
            password: password.to_owned(),
            mailbox: "INBOX".to_owned(),
            mark_seen: false,
            max_batch: 50,
            timeout: Duration::from_secs(60),
            extra_roots: None,
        }
    }
}

// The password stays out of logs.
impl fmt::Debug for ImapAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapAccount")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("mailbox", &self.mailbox)
            .field("mark_seen", &self.mark_seen)
            .field("max_batch", &self.max_batch)
            .field("timeout", &self.timeout)
            .field("extra_roots", &self.extra_roots)
            .finish_non_exhaustive()
    }
}

/// Where reading a mailbox stopped: UIDs are only comparable under the same UIDVALIDITY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MailboxPosition {
    pub uid_validity: u32,
    /// The highest UID already taken; the next fetch returns only greater ones.
    pub last_uid: u32,
}

/// One mail as the server stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedMail {
    pub uid: u32,
    pub uid_validity: u32,
    /// The whole RFC 5322 message, for `kefu_mail::parse_inbound`.
    pub raw: Vec<u8>,
}

/// What one [`fetch_new`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchBatch {
    /// Ascending by UID.
    pub mails: Vec<FetchedMail>,
    /// Where the next fetch starts: persist it once the mails are stored.
    pub position: MailboxPosition,
    /// The server's UIDVALIDITY is not the remembered one: the mailbox was renumbered (or
    /// recreated), so the batch starts again from the first mail and may repeat mails taken
    /// before; the caller drops those by Message-ID.
    pub uid_validity_changed: bool,
    /// More new mail is waiting than [`ImapAccount::max_batch`] allowed: fetch again.
    pub more: bool,
}

/// What [`wait_for_new`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleOutcome {
    /// Mail came (or was already there past the position): call [`fetch_new`].
    NewMail,
    /// Nothing came within the time given.
    Timeout,
}

trait ImapStream: AsyncRead + AsyncWrite + Unpin + fmt::Debug + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + fmt::Debug + Send> ImapStream for T {}

type ImapSession = Session<Box<dyn ImapStream>>;

async fn bounded<T>(
    limit: Duration,
    operation: impl Future<Output = Result<T, MailboxError>>,
) -> Result<T, MailboxError> {
    tokio::time::timeout(limit, operation)
        .await
        .map_err(|_| MailboxError::Timeout(limit))?
}

async fn login(account: &ImapAccount) -> Result<ImapSession, MailboxError> {
    let tcp = TcpStream::connect((account.host.as_str(), account.port))
        .await
        .map_err(|error| {
            MailboxError::Connection(format!("{}:{}: {error}", account.host, account.port))
        })?;
    let client: Client<Box<dyn ImapStream>> = match account.security {
        ImapSecurity::Plain => greeted(Client::new(Box::new(tcp) as Box<dyn ImapStream>)).await?,
        ImapSecurity::Tls => {
            let tls = tls::wrap(&account.host, account.extra_roots.as_ref(), tcp).await?;
            greeted(Client::new(Box::new(tls) as Box<dyn ImapStream>)).await?
        }
        ImapSecurity::StartTls => {
            let mut plain = greeted(Client::new(tcp)).await?;
            plain.run_command_and_check_ok("STARTTLS", None).await?;
            // No second greeting after STARTTLS (RFC 3501 §6.2.1).
            Client::new(Box::new(
                tls::wrap(
                    &account.host,
                    account.extra_roots.as_ref(),
                    plain.into_inner(),
                )
                .await?,
            ))
        }
    };
    client
        .login(&account.username, &account.password)
        .await
        .map_err(|(error, _client)| match error {
            async_imap::error::Error::No(message) | async_imap::error::Error::Bad(message) => {
                MailboxError::Authentication(message)
            }
            other => other.into(),
        })
}

async fn greeted<T: ImapStream>(mut client: Client<T>) -> Result<Client<T>, MailboxError> {
    match client.read_response().await {
        Ok(Some(_greeting)) => Ok(client),
        Ok(None) => Err(MailboxError::Connection(
            "closed before the greeting".to_owned(),
        )),
        Err(error) => Err(MailboxError::Connection(error.to_string())),
    }
}

/// Logs out politely; the answer does not matter any more, the work is done or failed.
async fn logout(mut session: ImapSession) {
    if let Err(error) = session.logout().await {
        tracing::debug!(%error, "IMAP logout");
    }
}

/// Fetches the mail that arrived after `last` (everything when `last` is `None` or its
/// UIDVALIDITY no longer holds), at most [`ImapAccount::max_batch`], oldest first.
pub async fn fetch_new(
    account: &ImapAccount,
    last: Option<MailboxPosition>,
) -> Result<FetchBatch, MailboxError> {
    bounded(account.timeout, async {
        let mut session = login(account).await?;
        let batch = fetch_in_session(&mut session, account, last).await;
        logout(session).await;
        batch
    })
    .await
}

async fn fetch_in_session(
    session: &mut ImapSession,
    account: &ImapAccount,
    last: Option<MailboxPosition>,
) -> Result<FetchBatch, MailboxError> {
    let mailbox = session.select(&account.mailbox).await?;
    let uid_validity = mailbox
        .uid_validity
        .ok_or_else(|| MailboxError::Protocol("SELECT gave no UIDVALIDITY".to_owned()))?;
    let (after, uid_validity_changed) = match last {
        Some(position) if position.uid_validity == uid_validity => (position.last_uid, false),
        Some(_) => (0, true),
        None => (0, false),
    };
    let mut batch = FetchBatch {
        mails: Vec::new(),
        position: MailboxPosition {
            uid_validity,
            last_uid: after,
        },
        uid_validity_changed,
        more: false,
    };
    let nothing_new = mailbox.exists == 0
        || mailbox
            .uid_next
            .is_some_and(|next| u64::from(next) <= u64::from(after) + 1);
    if nothing_new || after == u32::MAX {
        return Ok(batch);
    }
    // `n:*` also matches the highest UID when that is below n, hence the filter.
    let mut uids: Vec<u32> = session
        .uid_search(format!("UID {}:*", after + 1))
        .await?
        .into_iter()
        .filter(|uid| *uid > after)
        .collect();
    uids.sort_unstable();
    if uids.len() > account.max_batch {
        uids.truncate(account.max_batch);
        batch.more = true;
    }
    if uids.is_empty() {
        return Ok(batch);
    }
    let uid_set = join_uids(&uids);
    let fetches: Vec<Fetch> = session
        .uid_fetch(&uid_set, "(UID BODY.PEEK[])")
        .await?
        .try_collect()
        .await?;
    for fetch in &fetches {
        // A mail expunged between SEARCH and FETCH simply is not there.
        let (Some(uid), Some(raw)) = (fetch.uid, fetch.body()) else {
            continue;
        };
        if uid > after && uids.binary_search(&uid).is_ok() {
            batch.mails.push(FetchedMail {
                uid,
                uid_validity,
                raw: raw.to_vec(),
            });
        }
    }
    batch.mails.sort_by_key(|mail| mail.uid);
    batch.mails.dedup_by_key(|mail| mail.uid);
    if let Some(newest) = batch.mails.last() {
        batch.position.last_uid = newest.uid;
    }
    if account.mark_seen && !batch.mails.is_empty() {
        let fetched: Vec<u32> = batch.mails.iter().map(|mail| mail.uid).collect();
        let _updates: Vec<Fetch> = session
            .uid_store(join_uids(&fetched), "+FLAGS.SILENT (\\Seen)")
            .await?
            .try_collect()
            .await?;
    }
    Ok(batch)
}

fn join_uids(uids: &[u32]) -> String {
    let mut joined = String::new();
    for uid in uids {
        if !joined.is_empty() {
            joined.push(',');
        }
        joined.push_str(&uid.to_string());
    }
    joined
}

/// Waits with IMAP IDLE until the server announces new mail (an `EXISTS`) or `wait` passes.
/// Returns at once when mail past `last` is already there, so nothing that came between the
/// last fetch and the IDLE is missed. The server must offer IDLE (RFC 2177); nearly all do.
pub async fn wait_for_new(
    account: &ImapAccount,
    last: Option<MailboxPosition>,
    wait: Duration,
) -> Result<IdleOutcome, MailboxError> {
    let mut session = bounded(account.timeout, login(account)).await?;
    let mailbox = bounded(account.timeout, async {
        Ok(session.select(&account.mailbox).await?)
    })
    .await?;
    let already_new = match last {
        None => mailbox.exists > 0,
        Some(position) => {
            mailbox.uid_validity != Some(position.uid_validity)
                || mailbox
                    .uid_next
                    .is_some_and(|next| u64::from(next) > u64::from(position.last_uid) + 1)
        }
    };
    if already_new {
        logout(session).await;
        return Ok(IdleOutcome::NewMail);
    }
    let mut idle = session.idle();
    bounded(account.timeout, async { Ok(idle.init().await?) }).await?;
    let deadline = Instant::now() + wait;
    let outcome = loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            break IdleOutcome::Timeout;
        }
        let (response, _interrupt) = idle.wait_with_timeout(remaining);
        // The library's own timeout restarts on every keep-alive; this one does not.
        let Ok(response) = tokio::time::timeout(remaining, response).await else {
            break IdleOutcome::Timeout;
        };
        match response? {
            async_imap::extensions::idle::IdleResponse::NewData(data) => {
                if matches!(
                    data.parsed(),
                    Response::MailboxData(MailboxDatum::Exists(_))
                ) {
                    break IdleOutcome::NewMail;
                }
                // Flags changed, a mail was expunged: not new mail, keep waiting.
            }
            async_imap::extensions::idle::IdleResponse::Timeout => break IdleOutcome::Timeout,
            async_imap::extensions::idle::IdleResponse::ManualInterrupt => {
                break IdleOutcome::Timeout;
            }
        }
    };
    // Leave IDLE and log out; a server that already dropped us is no error any more.
    if let Ok(Ok(session)) = tokio::time::timeout(account.timeout, idle.done()).await {
        logout(session).await;
    }
    Ok(outcome)
}
