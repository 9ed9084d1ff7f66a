//! Channels (R-CH-3, e-mail): the mailboxes an admin configures, a mail taken in (a new case,
//! or a message on the case it answers), and a public reply's way out (queued with the reply,
//! sent by a node's worker, its outcome an event on the case).
//!
//! The sockets are not here: the binary's workers fetch mail with `kefu-mailbox` and hand the
//! bytes to [`Desk::receive_mail`]; they take [`Desk::claim_deliveries`], send what
//! [`Desk::outgoing_mail`] built and report with [`Desk::finish_delivery`].

use base64::Engine as _;
use jiff::{SignedDuration, Timestamp};
use kefu_mail::{
    AttachmentPolicy, InboundMail, MailAddress, MailKind, MailMessageId, OutboundKind,
    OutboundMail, ReplyThreading, build_outbound, case_number_in_subject, classify,
    find_identifiers, parse_inbound_with, reply_subject, thread_keys,
};
use kefu_model::attachment::Attachment;
use kefu_model::case::{Case, CaseEvent, EventData};
use kefu_model::channels::{
    AttemptResult, ChannelAccount, ChannelAccountView, ChannelKind, ChannelSecrets,
    ChannelSettings, ChannelStatus, Delivery, DeliveryState, EmailAccountDraft, EmailSettings,
    InboundHandling, InboundOutcome, InboundRecord, MailHeaders, MailSecurity, after_attempt,
    plan_email_account,
};
use kefu_model::codes::{Channel, Status, Visibility};
use kefu_model::drafts::{CaseDraft, CustomerDraft};
use kefu_model::error::DomainError;
use kefu_model::ids::{CaseId, MessageId, UserId};
use kefu_model::text::TEXT_MAX;
use kefu_model::user::{Actor, Role};
use sha2::{Digest, Sha256};

use crate::chat::Incoming;
use crate::desk::{DELIVERY_ACTOR, Desk, DeskResult, NAME_MAX, SUBJECT_MAX, require};

/// The customer writing by e-mail, as the author of what their mail adds to a case.
pub fn mail_actor() -> Actor {
    Actor {
        user_id: UserId::from_stored("channel:email".into()),
        username: "email".into(),
        role: Role::Agent,
        department_id: None,
    }
}

fn delivery_actor() -> Actor {
    Actor {
        user_id: UserId::from_stored(DELIVERY_ACTOR.into()),
        username: DELIVERY_ACTOR.into(),
        role: Role::Admin,
        department_id: None,
    }
}

/// How long a worker holds a claimed delivery before another node may take it over.
const DELIVERY_LEASE_SECONDS: i64 = 120;

/// What became of one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailReceipt {
    pub outcome: InboundOutcome,
    /// The same mail was taken in before; nothing was written now.
    pub duplicate: bool,
    pub case_id: Option<CaseId>,
    pub case_number: Option<String>,
    pub detail: String,
}

/// What reading an unreadable message again did: its record as it is now, and the receipt
/// when it was taken in this time.
#[derive(Debug, Clone)]
pub struct InboundRetake {
    pub record: InboundRecord,
    pub receipt: Option<MailReceipt>,
}

/// An SMTP server and how to log in, for the worker that sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub security: MailSecurity,
    pub username: String,
    pub password: String,
    /// The name to greet the server with (the mailbox's domain).
    pub hello_name: String,
}

/// A reply ready for the SMTP server.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub raw: Vec<u8>,
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
    pub server: SmtpServer,
}

/// A mailbox a node reads, with the password to log in.
#[derive(Debug, Clone)]
pub struct MailboxToRead {
    pub account: ChannelAccount,
    /// The account's mailbox settings (the account is a mailbox).
    pub email: EmailSettings,
    pub password: String,
    pub status: ChannelStatus,
}

/// The first `bytes` bytes of the SHA-256 of `data`, in hex.
pub(crate) fn sha256_hex(data: &[u8], bytes: usize) -> String {
    Sha256::digest(data)
        .iter()
        .take(bytes)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One line: control characters dropped, at most `max` characters, cut with a mark.
fn one_line(text: &str, max: usize, mark: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    cut(clean.trim(), max, mark)
}

/// At most `max` characters, cut with a mark.
pub(crate) fn cut(text: &str, max: usize, mark: &str) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(mark.chars().count());
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(mark);
    out
}

/// The words of a mail for the case: the reply without the quoted earlier mail, control
/// characters other than line breaks and tabs dropped, cut to what a message holds.
fn mail_text(mail: &InboundMail) -> String {
    let text = if mail.reply_text.trim().is_empty() {
        &mail.body_text
    } else {
        &mail.reply_text
    };
    let clean: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect();
    cut(clean.trim(), TEXT_MAX, "\n……（邮件过长，其余部分未收录）")
}

fn subject_of(mail: &InboundMail) -> String {
    let clean: String = mail.subject.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    if clean.is_empty() {
        "（无主题）".to_string()
    } else {
        cut(clean, SUBJECT_MAX, "…")
    }
}

fn view(
    account: ChannelAccount,
    status: ChannelStatus,
    secrets: &ChannelSecrets,
) -> ChannelAccountView {
    ChannelAccountView {
        account,
        secrets_set: secrets.set_names(),
        status,
    }
}

impl Desk {
    // ---- accounts (admin) -----------------------------------------------------------------

    fn require_channel_admin(actor: &Actor) -> DeskResult<()> {
        require(
            actor.role == Role::Admin,
            "only an admin configures channels",
        )
    }

    async fn account_view(&self, id: &str) -> DeskResult<ChannelAccountView> {
        let (account, status) = self
            .store
            .channel_account(id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("channel account '{id}'")))?;
        let secrets = self.store.channel_secrets(id).await?.unwrap_or_default();
        Ok(view(account, status, &secrets))
    }

    /// Every configured account, with whether its passwords are set and its status.
    pub async fn channel_accounts(&self, actor: &Actor) -> DeskResult<Vec<ChannelAccountView>> {
        Self::require_channel_admin(actor)?;
        let mut out = Vec::new();
        for (account, status) in self.store.channel_accounts().await? {
            let secrets = self
                .store
                .channel_secrets(&account.id)
                .await?
                .unwrap_or_default();
            out.push(view(account, status, &secrets));
        }
        Ok(out)
    }

    pub async fn channel_account(&self, actor: &Actor, id: &str) -> DeskResult<ChannelAccountView> {
        Self::require_channel_admin(actor)?;
        self.account_view(id).await
    }

    /// The accounts of one kind (the mailboxes, the WeChat accounts, …).
    pub async fn channel_accounts_of(
        &self,
        actor: &Actor,
        kind: ChannelKind,
    ) -> DeskResult<Vec<ChannelAccountView>> {
        let mut all = self.channel_accounts(actor).await?;
        all.retain(|v| v.account.kind() == kind);
        Ok(all)
    }

    /// One account, which must be of `kind`: another kind's id is not found here.
    pub async fn channel_account_of(
        &self,
        actor: &Actor,
        id: &str,
        kind: ChannelKind,
    ) -> DeskResult<ChannelAccountView> {
        let view = self.channel_account(actor, id).await?;
        if view.account.kind() != kind {
            return Err(DomainError::NotFound(format!("{kind} account '{id}'")));
        }
        Ok(view)
    }

    /// Adds a mailbox. Its passwords are stored and never given back.
    pub async fn create_email_account(
        &self,
        actor: &Actor,
        draft: EmailAccountDraft,
    ) -> DeskResult<ChannelAccountView> {
        Self::require_channel_admin(actor)?;
        let (name, email, secrets) = plan_email_account(&draft, None)?;
        teams_known(&email, &self.store.list_departments().await?)?;
        self.add_channel_account(
            actor,
            name,
            draft.enabled,
            ChannelSettings::Email(email),
            secrets,
        )
        .await
    }

    /// Changes a mailbox at the version the admin saw; passwords left empty stay as they were.
    pub async fn update_email_account(
        &self,
        actor: &Actor,
        id: &str,
        draft: EmailAccountDraft,
    ) -> DeskResult<ChannelAccountView> {
        let departments = self.store.list_departments().await?;
        let mut draft = draft;
        if draft.team_signatures.is_none() {
            draft.team_signatures = self
                .store
                .channel_account(id)
                .await?
                .and_then(|(a, _)| a.email().map(|e| e.team_signatures.clone()));
        }
        self.change_channel_account(actor, id, ChannelKind::Email, draft.version, |old| {
            let (name, email, secrets) = plan_email_account(&draft, Some(old))?;
            teams_known(&email, &departments)?;
            Ok((name, draft.enabled, ChannelSettings::Email(email), secrets))
        })
        .await
    }

    /// Stores a new account of any kind (admins; audited) and gives its view.
    pub(crate) async fn add_channel_account(
        &self,
        actor: &Actor,
        name: String,
        enabled: bool,
        settings: ChannelSettings,
        secrets: ChannelSecrets,
    ) -> DeskResult<ChannelAccountView> {
        Self::require_channel_admin(actor)?;
        let now = self.now();
        let account = ChannelAccount {
            id: MessageId::new(now).to_string(),
            name,
            enabled,
            settings,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        self.store
            .put_channel_account(&account, &secrets, None)
            .await?;
        self.audit_channel(actor, "channel_account.create", &account.id)
            .await?;
        self.account_view(&account.id).await
    }

    /// Changes an account of `kind` at the version the admin saw: `plan` gets the stored
    /// secrets and gives the new name, enabled, settings and secrets. Another kind's id is not
    /// found here.
    pub(crate) async fn change_channel_account(
        &self,
        actor: &Actor,
        id: &str,
        kind: ChannelKind,
        expected: Option<i64>,
        plan: impl FnOnce(
            &ChannelSecrets,
        ) -> DeskResult<(String, bool, ChannelSettings, ChannelSecrets)>,
    ) -> DeskResult<ChannelAccountView> {
        Self::require_channel_admin(actor)?;
        let expected = expected.ok_or_else(|| {
            DomainError::invalid("version", "the version being changed is required")
        })?;
        let (stored, _) = self
            .store
            .channel_account(id)
            .await?
            .filter(|(a, _)| a.kind() == kind)
            .ok_or_else(|| DomainError::NotFound(format!("{kind} account '{id}'")))?;
        let old_secrets = self.store.channel_secrets(id).await?.unwrap_or_default();
        let (name, enabled, settings, secrets) = plan(&old_secrets)?;
        let conflict = || {
            DomainError::conflict(
                "version_conflict",
                "the account was changed meanwhile; reload it",
            )
        };
        if stored.version != expected {
            return Err(conflict());
        }
        let account = ChannelAccount {
            name,
            enabled,
            settings,
            updated_at: self.now(),
            version: stored.version + 1,
            ..stored
        };
        self.store
            .put_channel_account(&account, &secrets, Some(expected))
            .await
            .map_err(|e| match e {
                kefu_model::StoreError::VersionConflict => conflict(),
                other => other.into(),
            })?;
        self.audit_channel(actor, "channel_account.update", id)
            .await?;
        self.account_view(id).await
    }

    pub(crate) async fn audit_channel(
        &self,
        actor: &Actor,
        action: &str,
        id: &str,
    ) -> DeskResult<()> {
        self.audit(actor, action, format!("channel_account:{id}"), "")
            .await
    }

    /// Messages taken in, newest first (admins and supervisors): `unparsed` lists what a
    /// person must look at.
    pub async fn inbound_messages(
        &self,
        actor: &Actor,
        outcome: Option<InboundOutcome>,
        limit: Option<u32>,
    ) -> DeskResult<Vec<InboundRecord>> {
        require(
            matches!(actor.role, Role::Admin | Role::Supervisor),
            "only supervisors and admins see the channels' intake",
        )?;
        Ok(self
            .store
            .inbound_records(outcome, crate::desk::limit(limit))
            .await?)
    }

    /// The deliveries of a case's replies, oldest first.
    pub async fn case_deliveries(
        &self,
        actor: &Actor,
        id_or_number: &str,
    ) -> DeskResult<Vec<Delivery>> {
        let case = self.get_case(actor, id_or_number).await?;
        Ok(self.store.deliveries_of_case(&case.id).await?)
    }

    // ---- intake -----------------------------------------------------------------------------

    /// The enabled mailboxes with their passwords, for the node's readers.
    pub async fn mailboxes_to_read(&self) -> DeskResult<Vec<MailboxToRead>> {
        let mut out = Vec::new();
        for (account, status) in self.store.channel_accounts().await? {
            let Some(email) = account.email().filter(|_| account.enabled).cloned() else {
                continue;
            };
            let secrets = self
                .store
                .channel_secrets(&account.id)
                .await?
                .unwrap_or_default();
            out.push(MailboxToRead {
                account,
                email,
                password: secrets.imap_password,
                status,
            });
        }
        Ok(out)
    }

    /// The enabled e-mail accounts whose address is `address` (compared without regard to
    /// case), for the SMTP listener: a recipient none of them has is refused.
    pub async fn email_accounts_for_address(&self, address: &str) -> DeskResult<Vec<String>> {
        let wanted = address.trim().to_lowercase();
        Ok(self
            .store
            .channel_accounts()
            .await?
            .into_iter()
            .filter(|(account, _)| account.enabled)
            .filter(|(account, _)| {
                account
                    .email()
                    .is_some_and(|e| e.address.as_str().to_lowercase() == wanted)
            })
            .map(|(account, _)| account.id)
            .collect())
    }

    /// Records where a mailbox's reader stands and how its last attempt went.
    pub async fn record_mailbox_status(&self, id: &str, status: &ChannelStatus) -> DeskResult<()> {
        Ok(self.store.put_channel_status(id, status).await?)
    }

    /// Takes in one mail that arrived at `account_id`: a new case, or a customer message on
    /// the case it answers (by Message-ID, then by the case number in the subject when the
    /// sender is that case's customer). Auto-replies and bounces are recorded and go nowhere
    /// (no mail loops); a mail that cannot be read is kept raw for a person; a mail taken in
    /// before is not taken in again.
    pub async fn receive_mail(&self, account_id: &str, raw: &[u8]) -> DeskResult<MailReceipt> {
        let (account, _) = self
            .store
            .channel_account(account_id)
            .await?
            .filter(|(a, _)| a.kind() == ChannelKind::Email)
            .ok_or_else(|| DomainError::NotFound(format!("email account '{account_id}'")))?;
        let now = self.now();
        match self.read_and_take_in(&account.id, raw, now).await? {
            Ok(receipt) => Ok(receipt),
            Err(why) => self.keep_unread(&account.id, raw, why, now).await,
        }
    }

    /// Reads a mail and takes it in; `Err(why)` when it cannot be read (nothing written).
    async fn read_and_take_in(
        &self,
        account_id: &str,
        raw: &[u8],
        now: Timestamp,
    ) -> DeskResult<Result<MailReceipt, String>> {
        let mail = match parse_inbound_with(raw, &AttachmentPolicy::default()) {
            Ok(mail) => mail,
            Err(e) => return Ok(Err(e.to_string())),
        };
        if let Some(seen) = self
            .store
            .inbound_record(Channel::Email, &mail.message_id)
            .await?
        {
            return Ok(Ok(self.receipt(&seen, true, None).await));
        }
        let mut record = InboundRecord {
            channel: Channel::Email,
            dedupe_key: mail.message_id.clone(),
            account_id: account_id.to_string(),
            received_at: now,
            outcome: InboundOutcome::Created,
            case_id: None,
            from: mail.from.address.clone(),
            reply_to: mail.reply_address().address.clone(),
            thread_id: (!mail.message_id_derived).then(|| mail.message_id.clone()),
            subject: subject_of(&mail),
            detail: String::new(),
            raw_base64: None,
            handled: None,
        };
        match classify(&mail) {
            MailKind::AutoReply => {
                record.outcome = InboundOutcome::AutoReply;
                record.detail = "自动回复，不作答复".into();
                return Ok(Ok(self.record(record, &[], None).await?));
            }
            MailKind::Bounce {
                original_message_id,
                permanent,
            } => {
                record.outcome = InboundOutcome::Bounce;
                record.detail = bounce_detail(&mail);
                let mut about: Vec<String> = original_message_id.iter().cloned().collect();
                about.extend(thread_keys(&mail));
                record.case_id = self.store.case_of_mail_ids(&about).await?;
                if permanent && let Some(case_id) = &record.case_id {
                    self.bounced(case_id, &about, &record.detail).await?;
                }
                return Ok(Ok(self.record(record, &[], None).await?));
            }
            MailKind::Normal => {}
        }
        if mail.from.email().is_none() {
            return Ok(Err(format!("发件人地址无法使用：{}", mail.from.address)));
        }
        // A mail the desk refuses (a value no rule can take) is kept for a person rather than
        // refused for ever: the reader would otherwise fetch it again and again.
        match self.take_in(&mail, record, now).await {
            Err(DomainError::Invalid { field, message }) => Ok(Err(format!("{field}: {message}"))),
            other => other.map(Ok),
        }
    }

    // ---- unreadable intake (admins) ---------------------------------------------------------

    fn require_intake_admin(actor: &Actor) -> DeskResult<()> {
        require(
            actor.role == Role::Admin,
            "only an admin acts on messages that could not be read",
        )
    }

    /// A message taken in, found by its key in whichever channel has it.
    async fn inbound_by_key(&self, key: &str) -> DeskResult<InboundRecord> {
        for channel in [Channel::Email, Channel::Wechat] {
            if let Some(record) = self.store.inbound_record(channel, key).await? {
                return Ok(record);
            }
        }
        Err(DomainError::NotFound(format!("inbound message '{key}'")))
    }

    /// The message must still wait for a person: one already read again or dismissed is not
    /// acted on twice.
    fn still_unread(record: &InboundRecord) -> DeskResult<()> {
        if record.outcome == InboundOutcome::Unparsed {
            return Ok(());
        }
        Err(DomainError::conflict(
            "already_handled",
            format!(
                "inbound message '{}' is {}, not waiting for a person",
                record.dedupe_key,
                record.outcome.as_str()
            ),
        ))
    }

    fn raw_of(record: &InboundRecord) -> DeskResult<Vec<u8>> {
        let encoded = record.raw_base64.as_deref().ok_or_else(|| {
            DomainError::NotFound(format!(
                "the original of inbound message '{}'",
                record.dedupe_key
            ))
        })?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| {
                DomainError::Store(kefu_model::StoreError::Backend(format!(
                    "inbound message '{}': stored bytes are not base64: {e}",
                    record.dedupe_key
                )))
            })
    }

    async fn audit_inbound(
        &self,
        actor: &Actor,
        action: &str,
        key: &str,
        reason: &str,
    ) -> DeskResult<()> {
        self.audit(actor, action, format!("inbound:{key}"), reason)
            .await
    }

    /// The original bytes of a message that could not be read, for an admin to open in a mail
    /// program (audited: a mail may carry a customer's details).
    pub async fn inbound_original(
        &self,
        actor: &Actor,
        key: &str,
    ) -> DeskResult<(InboundRecord, Vec<u8>)> {
        Self::require_intake_admin(actor)?;
        let record = self.inbound_by_key(key).await?;
        let raw = Self::raw_of(&record)?;
        self.audit_inbound(actor, "inbound.download", key, "")
            .await?;
        Ok((record, raw))
    }

    /// Reads a message that could not be read again, with today's parser. If it reads now it
    /// is taken in exactly as a new mail would be (a case opened or joined, the receipt) and
    /// its record says so (`retaken`); if not, it stays waiting with the new reason. Two
    /// admins acting at once: one wins, the other is told `already_handled` (the mail itself
    /// is taken in once whatever happens, by its Message-ID).
    pub async fn retake_inbound(&self, actor: &Actor, key: &str) -> DeskResult<InboundRetake> {
        Self::require_intake_admin(actor)?;
        let record = self.inbound_by_key(key).await?;
        Self::still_unread(&record)?;
        if record.channel != Channel::Email {
            return Err(DomainError::conflict(
                "not_retakeable",
                "only an e-mail can be read again; a WeChat message is sent again by WeChat",
            ));
        }
        let raw = Self::raw_of(&record)?;
        let now = self.now();
        let (settled, receipt) = match self.read_and_take_in(&record.account_id, &raw, now).await? {
            Ok(receipt) => {
                let settled = InboundRecord {
                    outcome: InboundOutcome::Retaken,
                    case_id: receipt.case_id.clone(),
                    handled: Some(InboundHandling {
                        by: actor.event_name(),
                        at: now,
                        reason: format!("重新读取后收录（{}）", receipt.outcome.as_str()),
                    }),
                    ..record.clone()
                };
                (settled, Some(receipt))
            }
            Err(why) => {
                let settled = InboundRecord {
                    detail: cut(&why, 500, "…"),
                    ..record.clone()
                };
                (settled, None)
            }
        };
        if !self
            .store
            .settle_inbound(&settled, InboundOutcome::Unparsed)
            .await?
        {
            return Err(DomainError::conflict(
                "already_handled",
                format!("inbound message '{key}' was handled by someone else meanwhile"),
            ));
        }
        self.audit_inbound(actor, "inbound.retake", key, &settled.detail)
            .await?;
        Ok(InboundRetake {
            record: settled,
            receipt,
        })
    }

    /// Sets a message that could not be read aside, with the reason (kept on its record): it
    /// leaves the list of what waits for a person and stays findable as `dismissed`.
    pub async fn dismiss_inbound(
        &self,
        actor: &Actor,
        key: &str,
        reason: &str,
    ) -> DeskResult<InboundRecord> {
        Self::require_intake_admin(actor)?;
        let reason = kefu_model::text::text("reason", reason, 500, true)?;
        let record = self.inbound_by_key(key).await?;
        Self::still_unread(&record)?;
        let settled = InboundRecord {
            outcome: InboundOutcome::Dismissed,
            handled: Some(InboundHandling {
                by: actor.event_name(),
                at: self.now(),
                reason: reason.clone(),
            }),
            ..record
        };
        if !self
            .store
            .settle_inbound(&settled, InboundOutcome::Unparsed)
            .await?
        {
            return Err(DomainError::conflict(
                "already_handled",
                format!("inbound message '{key}' was handled by someone else meanwhile"),
            ));
        }
        self.audit_inbound(actor, "inbound.dismiss", key, &reason)
            .await?;
        Ok(settled)
    }

    /// A person's mail into its case, or a new one.
    async fn take_in(
        &self,
        mail: &InboundMail,
        mut record: InboundRecord,
        now: Timestamp,
    ) -> DeskResult<MailReceipt> {
        let text = mail_text(mail);
        let recognizer = self.recognizer().await?;
        let found = find_identifiers(&recognizer, &format!("{}\n{text}", mail.subject));
        let mut named = found.waybills.clone();
        for mobile in found.mobiles.iter().take(3) {
            for shipment in self.store.shipments_by_phone(mobile, 3).await? {
                if !named.contains(&shipment.waybill_no) {
                    named.push(shipment.waybill_no);
                }
            }
        }
        let files = self.mail_files(mail, now);
        // The key that keeps the mail from being stored twice, short whatever its Message-ID.
        let client_id = format!("mail:{}", sha256_hex(mail.message_id.as_bytes(), 12));
        let actor = mail_actor();
        let thread_ids = record.thread_id.iter().cloned().collect::<Vec<_>>();
        if let Some(case) = self.case_answered_by(mail).await? {
            let body = if text.is_empty() {
                "（邮件无正文）".to_string()
            } else {
                text.clone()
            };
            self.append_once(
                &actor,
                case.id.as_str(),
                Incoming {
                    client_id,
                    body,
                    files,
                    named,
                    author_kind: "customer",
                    visibility: Visibility::Public,
                },
            )
            .await?;
            record.outcome = InboundOutcome::Joined;
            record.case_id = Some(case.id);
            return self.record(record, &thread_ids, Some(case.number)).await;
        }
        let draft = CaseDraft {
            channel: Channel::Email,
            subject: record.subject.clone(),
            description: text,
            customer_id: None,
            customer: Some(CustomerDraft {
                name: mail
                    .from
                    .name
                    .as_deref()
                    .map(|n| one_line(n, NAME_MAX, ""))
                    .filter(|n| !n.trim().is_empty()),
                email: Some(mail.from.address.clone()),
                ..CustomerDraft::default()
            }),
            category: None,
            priority: None,
            waybill_no: None,
            tags: Vec::new(),
            received_at: None,
        };
        let created = self
            .create_case_unnotified(
                &actor,
                draft,
                Some((client_id.clone(), client_id.clone())),
                false,
            )
            .await?;
        let replayed = created.replayed;
        let case = created.case;
        // Attachments and parcels found by phone ride on a first message of the case.
        let unlinked: Vec<String> = named
            .into_iter()
            .filter(|w| !case.waybill_nos.contains(w))
            .collect();
        if !files.is_empty() {
            self.append_once(
                &actor,
                case.id.as_str(),
                Incoming {
                    client_id: format!("{client_id}:files"),
                    body: format!("（邮件附件 {} 个）", files.len()),
                    files,
                    named: unlinked,
                    author_kind: "customer",
                    visibility: Visibility::Public,
                },
            )
            .await?;
        } else if !unlinked.is_empty() {
            self.with_retries(&actor, case.id.as_str(), |current| {
                Ok(unlinked
                    .iter()
                    .filter(|w| !current.waybill_nos.contains(w))
                    .map(|w| EventData::WaybillLinked {
                        waybill_no: w.clone(),
                    })
                    .collect())
            })
            .await?;
        }
        record.case_id = Some(case.id.clone());
        let receipt = self
            .record(record, &thread_ids, Some(case.number.clone()))
            .await?;
        // The customer's receipt, once the mail it answers is on record (it threads under it).
        if !receipt.duplicate && !replayed {
            self.notify_received(&case).await?;
        }
        Ok(receipt)
    }

    /// A reply of ours came back undeliverable: the agent sees it failed on the case.
    async fn bounced(&self, case_id: &CaseId, about: &[String], detail: &str) -> DeskResult<()> {
        let deliveries = self.store.deliveries_of_case(case_id).await?;
        let Some(bounced) = deliveries.iter().find(|d| {
            d.mail
                .as_ref()
                .is_some_and(|m| about.contains(&m.message_id))
        }) else {
            return Ok(());
        };
        let event = EventData::DeliveryFailed {
            message_id: bounced.message_id.clone(),
            channel: bounced.channel,
            error: detail.to_string(),
            attempt: bounced.attempts,
            retry_at: None,
        };
        let mut failed = bounced.clone();
        failed.state = DeliveryState::Failed;
        failed.last_error = Some(detail.to_string());
        failed.updated_at = self.now();
        self.with_retries_writing(
            &delivery_actor(),
            case_id.as_str(),
            |_| Ok(vec![event.clone()]),
            None,
            std::slice::from_ref(&failed),
        )
        .await?;
        Ok(())
    }

    /// Keeps a mail that cannot be taken in, raw, for a person to look at.
    async fn keep_unread(
        &self,
        account_id: &str,
        raw: &[u8],
        detail: String,
        now: Timestamp,
    ) -> DeskResult<MailReceipt> {
        let record = InboundRecord {
            channel: Channel::Email,
            dedupe_key: format!("sha256:{}", sha256_hex(raw, 32)),
            account_id: account_id.to_string(),
            received_at: now,
            outcome: InboundOutcome::Unparsed,
            case_id: None,
            from: String::new(),
            reply_to: String::new(),
            thread_id: None,
            subject: String::new(),
            detail: cut(&detail, 500, "…"),
            raw_base64: Some(base64::engine::general_purpose::STANDARD.encode(raw)),
            handled: None,
        };
        self.record(record, &[], None).await
    }

    /// The open case this mail continues: by its thread's Message-IDs, else by a case number
    /// in the subject when the sender is that case's customer. A closed case is not continued
    /// (the mail becomes a new case).
    async fn case_answered_by(&self, mail: &InboundMail) -> DeskResult<Option<Case>> {
        let by_thread = match self.store.case_of_mail_ids(&thread_keys(mail)).await? {
            Some(id) => self.store.case_by_id(&id).await?,
            None => None,
        };
        let case = match by_thread {
            Some(case) => Some(case),
            None => match case_number_in_subject(&mail.subject) {
                Some(number) => match self.store.case_by_number(&number).await? {
                    Some(case) => {
                        let customer = self.store.customer_by_id(&case.customer_id).await?;
                        let sender = mail.from.email();
                        let same = customer
                            .is_some_and(|c| sender.as_ref().is_some_and(|s| c.emails.contains(s)));
                        same.then_some(case)
                    }
                    None => None,
                },
                None => None,
            },
        };
        Ok(case.filter(|c| c.status != Status::Closed))
    }

    /// The attachments kept by the policy, as the case stores them.
    fn mail_files(&self, mail: &InboundMail, now: Timestamp) -> Vec<(Attachment, Vec<u8>)> {
        mail.attachments
            .iter()
            .map(|a| {
                (
                    Attachment {
                        id: MessageId::new(now).to_string(),
                        name: one_line(&a.filename, 100, ""),
                        mime: a.content_type.clone(),
                        size: a.bytes.len() as u64,
                    },
                    a.bytes.clone(),
                )
            })
            .collect()
    }

    /// Records what became of a mail; `case_number`, when the caller holds the case, spares
    /// reading it again for the receipt.
    async fn record(
        &self,
        record: InboundRecord,
        thread_ids: &[String],
        case_number: Option<String>,
    ) -> DeskResult<MailReceipt> {
        let fresh = self.store.record_inbound(&record, thread_ids).await?;
        if !fresh {
            // Another node took the same mail in meanwhile.
            let seen = self
                .store
                .inbound_record(record.channel, &record.dedupe_key)
                .await?
                .unwrap_or(record);
            return Ok(self.receipt(&seen, true, None).await);
        }
        Ok(self.receipt(&record, false, case_number).await)
    }

    async fn receipt(
        &self,
        record: &InboundRecord,
        duplicate: bool,
        case_number: Option<String>,
    ) -> MailReceipt {
        let number = match (&record.case_id, case_number) {
            (_, Some(number)) => Some(number),
            (Some(id), None) => self
                .store
                .case_by_id(id)
                .await
                .ok()
                .flatten()
                .map(|c| c.number),
            (None, None) => None,
        };
        MailReceipt {
            outcome: record.outcome,
            duplicate,
            case_id: record.case_id.clone(),
            case_number: number,
            detail: record.detail.clone(),
        }
    }

    // ---- deliveries -------------------------------------------------------------------------

    /// The deliveries a case write's public replies need (staff replies on an e-mail case;
    /// staff and bot replies on a WeChat case, where the bot answers first), and the failures
    /// to record at once when there is no way out (no enabled account, no customer address,
    /// WeChat's 48-hour window closed).
    pub(crate) async fn deliveries_for(
        &self,
        case: &Case,
        events: &[CaseEvent],
    ) -> DeskResult<(Vec<Delivery>, Vec<EventData>)> {
        let authors: &[&str] = match case.channel {
            Channel::Email => &["staff"],
            Channel::Wechat => &["staff", "bot"],
            _ => return Ok((Vec::new(), Vec::new())),
        };
        let replies: Vec<(&MessageId, &str, &str)> = events
            .iter()
            .filter_map(|e| match &e.data {
                EventData::MessageAdded {
                    message_id,
                    body,
                    visibility: Visibility::Public,
                    author_kind,
                    call: false,
                    ..
                } if authors.contains(&author_kind.as_str()) => {
                    Some((message_id, body.as_str(), e.actor.as_str()))
                }
                _ => None,
            })
            .collect();
        if replies.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        if case.channel == Channel::Wechat {
            let bodies: Vec<(&MessageId, &str)> =
                replies.iter().map(|(id, body, _)| (*id, *body)).collect();
            return self.wechat_deliveries(case, &bodies).await;
        }
        let latest = self.store.latest_inbound_of_case(&case.id).await?;
        let accounts: Vec<(String, EmailSettings)> = self
            .store
            .channel_accounts()
            .await?
            .into_iter()
            .filter(|(a, _)| a.enabled)
            .filter_map(|(a, _)| a.email().cloned().map(|e| (a.id, e)))
            .collect();
        let account = latest
            .as_ref()
            .and_then(|r| accounts.iter().find(|(id, _)| *id == r.account_id))
            .or_else(|| accounts.first());
        let to = match latest.as_ref().map(|r| r.reply_to.clone()) {
            Some(address) if !address.is_empty() => Some(address),
            _ => self
                .store
                .customer_by_id(&case.customer_id)
                .await?
                .and_then(|c| c.emails.first().map(|e| e.as_str().to_string())),
        };
        let (Some(account), Some(to)) = (account, to) else {
            let error = if account.is_none() {
                "没有启用的邮箱账户，回复未发出"
            } else {
                "客户没有邮箱地址，回复未发出"
            };
            let failures = replies
                .iter()
                .map(|(message_id, _, _)| EventData::DeliveryFailed {
                    message_id: (*message_id).clone(),
                    channel: Channel::Email,
                    error: error.to_string(),
                    attempt: 0,
                    retry_at: None,
                })
                .collect();
            return Ok((Vec::new(), failures));
        };
        let now = self.now();
        let (account_id, email) = account;
        let domain = email
            .address
            .as_str()
            .rsplit_once('@')
            .map(|(_, d)| d.to_string())
            .unwrap_or_default();
        let references = self.store.mail_ids_of_case(&case.id, 10).await?;
        let in_reply_to = latest.as_ref().and_then(|r| r.thread_id.clone());
        let mut deliveries = Vec::with_capacity(replies.len());
        for (message_id, body, author) in replies {
            let signature = email.signature_for(self.team_of(author).await?.as_deref());
            let mail_id = MailMessageId::generate(&domain, now)
                .map_err(|e| DomainError::invalid("address", e.to_string()))?;
            deliveries.push(Delivery {
                id: MessageId::new(now).to_string(),
                case_id: case.id.clone(),
                message_id: message_id.clone(),
                channel: Channel::Email,
                account_id: account_id.clone(),
                to: to.clone(),
                body: body.to_string(),
                mail: Some(MailHeaders {
                    message_id: mail_id.as_str().to_string(),
                    subject: reply_subject(&case.subject, Some(&case.number)),
                    in_reply_to: in_reply_to.clone(),
                    references: references.clone(),
                    signature,
                }),
                notice: None,
                wechat_template: None,
                state: DeliveryState::Queued,
                attempts: 0,
                next_attempt_at: now,
                last_error: None,
                created_at: now,
                updated_at: now,
            });
        }
        Ok((deliveries, Vec::new()))
    }

    /// The department key of the staff member behind an event's actor (`user:NAME`), if any.
    async fn team_of(&self, actor: &str) -> DeskResult<Option<String>> {
        let Some(username) = actor.strip_prefix("user:") else {
            return Ok(None);
        };
        let Some(department) = self
            .store
            .user_by_username(username)
            .await?
            .and_then(|u| u.department_id)
        else {
            return Ok(None);
        };
        Ok(self
            .store
            .list_departments()
            .await?
            .into_iter()
            .find(|d| d.id == department)
            .map(|d| d.key))
    }

    /// Deliveries due now, leased to this node for a while.
    pub async fn claim_deliveries(&self, limit: u32) -> DeskResult<Vec<Delivery>> {
        let now = self.now();
        let lease = now
            .saturating_add(SignedDuration::from_secs(DELIVERY_LEASE_SECONDS))
            .unwrap_or(now);
        Ok(self.store.claim_deliveries(now, lease, limit).await?)
    }

    /// The mail of a delivery, ready to send, and the server to send it through. An error
    /// here (the mailbox was removed or disabled) is the delivery's permanent failure.
    pub async fn outgoing_mail(&self, delivery: &Delivery) -> Result<OutgoingMail, String> {
        let (account, _) = self
            .store
            .channel_account(&delivery.account_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the mailbox was removed")?;
        if !account.enabled {
            return Err("the mailbox is disabled".into());
        }
        let email = account.email().ok_or("the account is not a mailbox")?;
        let server = self.smtp_server(&account).await?;
        let headers = delivery.mail.as_ref().ok_or("not an e-mail delivery")?;
        let parse = |id: &str| MailMessageId::parse(id).ok();
        let from = email.address.as_str().to_string();
        let mail = OutboundMail {
            // A notice says it is automatic, so no auto-responder answers it (no mail loops).
            kind: if delivery.notice.is_some() {
                OutboundKind::AutomaticNotice
            } else {
                OutboundKind::AgentReply
            },
            message_id: MailMessageId::parse(&headers.message_id).map_err(|e| e.to_string())?,
            date: self.now(),
            from: MailAddress::new(
                &from,
                Some(email.display_name.as_str()).filter(|n| !n.is_empty()),
            ),
            reply_to: None,
            to: vec![MailAddress::new(&delivery.to, None)],
            cc: Vec::new(),
            subject: headers.subject.clone(),
            threading: ReplyThreading {
                in_reply_to: headers.in_reply_to.as_deref().and_then(parse),
                references: headers.references.iter().filter_map(|r| parse(r)).collect(),
            },
            text: delivery.body.clone(),
            html: None,
            signature: match &headers.signature {
                Some(chosen) => Some(chosen.clone()),
                None => email.signature_for(None),
            },
            attachments: Vec::new(),
        };
        let raw = build_outbound(&mail).map_err(|e| e.to_string())?;
        Ok(OutgoingMail {
            raw,
            envelope_from: from,
            envelope_to: vec![delivery.to.clone()],
            server,
        })
    }

    /// An account's passwords (none set: empty), for a worker about to use them; an error
    /// is the attempt's to report.
    pub(crate) async fn worker_secrets(&self, account_id: &str) -> Result<ChannelSecrets, String> {
        Ok(self
            .store
            .channel_secrets(account_id)
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_default())
    }

    /// The SMTP server a mailbox sends through, with its password.
    pub(crate) async fn smtp_server(&self, account: &ChannelAccount) -> Result<SmtpServer, String> {
        let email = account.email().ok_or("the account is not a mailbox")?;
        let secrets = self.worker_secrets(&account.id).await?;
        let hello_name = email
            .address
            .as_str()
            .rsplit_once('@')
            .map(|(_, d)| d.to_string())
            .unwrap_or_else(|| "localhost".into());
        Ok(SmtpServer {
            host: email.smtp_host.clone(),
            port: email.smtp_port,
            security: email.smtp_security,
            username: email.smtp_username.clone(),
            password: secrets.smtp_password,
            hello_name,
        })
    }

    /// Records an attempt's outcome: the delivery's new state and, on the case, the event an
    /// agent sees (sent; failed and when it is tried again; given up).
    pub async fn finish_delivery(
        &self,
        delivery: &Delivery,
        result: AttemptResult,
    ) -> DeskResult<Delivery> {
        let next = after_attempt(delivery, &result, self.now());
        let event = match next.state {
            DeliveryState::Sent => EventData::DeliverySent {
                message_id: delivery.message_id.clone(),
                channel: delivery.channel,
            },
            DeliveryState::Queued | DeliveryState::Failed => EventData::DeliveryFailed {
                message_id: delivery.message_id.clone(),
                channel: delivery.channel,
                error: next.last_error.clone().unwrap_or_default(),
                attempt: next.attempts,
                retry_at: (next.state == DeliveryState::Queued).then_some(next.next_attempt_at),
            },
        };
        self.with_retries_writing(
            &delivery_actor(),
            delivery.case_id.as_str(),
            |_| Ok(vec![event.clone()]),
            None,
            std::slice::from_ref(&next),
        )
        .await?;
        self.record_sending(&delivery.account_id, &result).await?;
        Ok(next)
    }

    /// An SMS gateway's status page shows how its last sends went (a mailbox's belongs to its
    /// reader, which keeps its position there).
    async fn record_sending(&self, account_id: &str, result: &AttemptResult) -> DeskResult<()> {
        let Some((account, mut status)) = self.store.channel_account(account_id).await? else {
            return Ok(());
        };
        if account.kind() != ChannelKind::Sms {
            return Ok(());
        }
        let now = self.now();
        match result {
            AttemptResult::Sent => {
                status.last_ok_at = Some(now);
                status.received = status.received.saturating_add(1);
            }
            AttemptResult::Temporary(error) | AttemptResult::Permanent(error) => {
                status.last_error = Some(error.chars().take(500).collect());
                status.last_error_at = Some(now);
            }
        }
        Ok(self.store.put_channel_status(account_id, &status).await?)
    }
}

/// Every team a mailbox signs for is a department.
fn teams_known(
    email: &EmailSettings,
    departments: &[kefu_model::user::Department],
) -> DeskResult<()> {
    for (i, t) in email.team_signatures.iter().enumerate() {
        if !departments.iter().any(|d| d.key == t.department) {
            return Err(DomainError::invalid(
                format!("team_signatures[{i}].department"),
                format!("no department '{}'", t.department),
            ));
        }
    }
    Ok(())
}

/// The failed recipients and the servers' words, in a sentence.
fn bounce_detail(mail: &InboundMail) -> String {
    let parts: Vec<String> = mail
        .delivery_status
        .iter()
        .flat_map(|d| d.recipients.iter())
        .map(|r| {
            format!(
                "{} {} {}",
                r.recipient.as_deref().unwrap_or("?"),
                r.status.as_deref().unwrap_or(""),
                r.diagnostic.as_deref().unwrap_or("")
            )
            .trim()
            .to_string()
        })
        .collect();
    let detail = if parts.is_empty() {
        "退信".to_string()
    } else {
        format!("退信：{}", parts.join("; "))
    };
    cut(&detail, 500, "…")
}
