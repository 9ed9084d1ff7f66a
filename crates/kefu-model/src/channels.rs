//! Channel accounts (a mailbox, a WeChat official account or WeCom app, the PBX's webhook, an
//! SMS gateway: one record, settings per kind), what came in through them, and the deliveries
//! that take a public reply out to the customer.
//!
//! Secrets (passwords) are a record of their own ([`ChannelSecrets`]): the account itself is
//! safe to show, so no read model can leak a password by showing an account. A draft without a
//! password keeps the stored one; that is how a form that never shows a secret edits an account.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::codes::Channel;
use crate::customer::Email;
use crate::error::DomainError;
use crate::ids::{CaseId, MessageId};
use crate::string_enum::string_enum;
use crate::text::text;

string_enum!(
    /// How a mail server is spoken to: TLS from the first byte, STARTTLS, or plain TCP (a server
    /// on the same machine only).
    MailSecurity { Tls => "tls", StartTls => "starttls", Plain => "plain" }
);

string_enum!(
    /// What became of a message that came in. `unparsed` waits for a person, who may have it
    /// read again (`retaken`: it was then taken in as a new message) or set it aside with a
    /// reason (`dismissed`).
    InboundOutcome {
        Created => "created", Joined => "joined", AutoReply => "auto_reply", Bounce => "bounce",
        Unparsed => "unparsed", Event => "event", Retaken => "retaken", Dismissed => "dismissed",
    }
);

string_enum!(
    /// Where a reply on its way out stands: waiting for its (next) attempt, accepted by the
    /// channel, or given up on.
    DeliveryState { Queued => "queued", Sent => "sent", Failed => "failed" }
);

/// A mailbox kefu reads (IMAP) and answers from (SMTP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSettings {
    /// The address customers write to; replies go out from it.
    pub address: Email,
    /// The name beside it in the From header ("云路快递客服").
    pub display_name: String,
    pub imap_host: String,
    pub imap_port: u16,
    pub imap_security: MailSecurity,
    pub imap_username: String,
    pub imap_mailbox: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: MailSecurity,
    /// Empty: the server takes mail without logging in (a relay on the same network).
    pub smtp_username: String,
    /// Appended to every reply sent from this mailbox, unless the agent's team has its own.
    pub signature: String,
    /// Signatures by team (the department key of the agent who writes the reply).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub team_signatures: Vec<TeamSignature>,
}

/// A team's own signature on the replies its agents send from a mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSignature {
    /// The department's key (`ops`, `complaints`, …).
    pub department: String,
    pub signature: String,
}

impl EmailSettings {
    /// The signature of a reply written by an agent of `department` (a key), or by nobody's
    /// team: the team's own, else the mailbox's; `None` when that is empty.
    pub fn signature_for(&self, department: Option<&str>) -> Option<String> {
        department
            .and_then(|d| self.team_signatures.iter().find(|t| t.department == d))
            .map(|t| t.signature.clone())
            .or_else(|| Some(self.signature.clone()))
            .filter(|s| !s.trim().is_empty())
    }
}

pub use crate::codes::ChannelKind;

string_enum!(
    /// Which WeChat product an account is: an official account (公众号, plain or safe-mode
    /// callbacks) or a WeCom app (企业微信, always AES-encrypted callbacks).
    WeChatFlavor { OfficialAccount => "official_account", WeCom => "wecom" }
);

/// A WeChat official account or WeCom app: the callback kefu answers and the API it replies
/// through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeChatSettings {
    pub flavor: WeChatFlavor,
    /// The official account's AppID, or the WeCom CorpID.
    pub app_id: String,
    /// WeCom: the app's AgentID (empty for an official account).
    #[serde(default)]
    pub agent_id: String,
    /// Where the API is (the real one by default; a stand-in in tests and demos).
    pub api_base: String,
    /// Official account in safe mode: callbacks are AES-encrypted (WeCom always is).
    #[serde(default)]
    pub encrypted: bool,
}

/// The telephone system (PBX / call centre) that reports its calls by signed webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PbxSettings {
    /// How far a webhook's timestamp may be from our clock, in seconds (replays are refused).
    pub tolerance_seconds: u32,
    /// Where the PBX keeps its recordings; a recording link in an event is taken only below it.
    #[serde(default)]
    pub recording_base_url: String,
}

/// An SMS gateway notices are sent through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsSettings {
    /// The gateway's HTTP endpoint.
    pub endpoint: String,
    /// The signature every Chinese SMS carries (【云路快递】), approved with the carrier.
    pub sign_name: String,
}

/// An account's kind and the settings of that kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelSettings {
    Email(EmailSettings),
    Wechat(WeChatSettings),
    Pbx(PbxSettings),
    Sms(SmsSettings),
}

impl ChannelSettings {
    pub fn kind(&self) -> ChannelKind {
        match self {
            ChannelSettings::Email(_) => ChannelKind::Email,
            ChannelSettings::Wechat(_) => ChannelKind::Wechat,
            ChannelSettings::Pbx(_) => ChannelKind::Pbx,
            ChannelSettings::Sms(_) => ChannelKind::Sms,
        }
    }
}

/// A configured channel account. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelAccount {
    pub id: String,
    pub name: String,
    /// A disabled account is neither read nor used for replies.
    pub enabled: bool,
    /// Stored as one key named after the kind (`"email": {…}`), as the first mailboxes were.
    #[serde(flatten)]
    pub settings: ChannelSettings,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl ChannelAccount {
    pub fn kind(&self) -> ChannelKind {
        self.settings.kind()
    }

    pub fn email(&self) -> Option<&EmailSettings> {
        match &self.settings {
            ChannelSettings::Email(e) => Some(e),
            _ => None,
        }
    }

    pub fn wechat(&self) -> Option<&WeChatSettings> {
        match &self.settings {
            ChannelSettings::Wechat(w) => Some(w),
            _ => None,
        }
    }

    pub fn pbx(&self) -> Option<&PbxSettings> {
        match &self.settings {
            ChannelSettings::Pbx(p) => Some(p),
            _ => None,
        }
    }

    pub fn sms(&self) -> Option<&SmsSettings> {
        match &self.settings {
            ChannelSettings::Sms(s) => Some(s),
            _ => None,
        }
    }
}

/// The secrets of an account, stored apart and read only by the node's workers and the
/// callback checks. Each kind uses its own fields; the others stay empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSecrets {
    #[serde(default)]
    pub imap_password: String,
    #[serde(default)]
    pub smtp_password: String,
    /// WeChat: the AppSecret (official account) or the app's Secret (WeCom).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub app_secret: String,
    /// WeChat: the callback Token both sides sign with.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// WeChat: the 43-character EncodingAESKey of encrypted callbacks.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub encoding_aes_key: String,
    /// PBX: the HMAC key its webhooks are signed with.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub webhook_secret: String,
    /// SMS gateway: the API key.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_key: String,
}

impl ChannelSecrets {
    /// The names of the secrets that are set, for a view that must say "set" and never show
    /// the value.
    pub fn set_names(&self) -> Vec<&'static str> {
        [
            ("imap_password", &self.imap_password),
            ("smtp_password", &self.smtp_password),
            ("app_secret", &self.app_secret),
            ("token", &self.token),
            ("encoding_aes_key", &self.encoding_aes_key),
            ("webhook_secret", &self.webhook_secret),
            ("api_key", &self.api_key),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(n, _)| n)
        .collect()
    }
}

/// Where the reader of a mailbox stands and how its last attempts went (the channel's status
/// page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelStatus {
    /// IMAP UIDVALIDITY and the last UID taken in.
    #[serde(default)]
    pub uid_validity: Option<u32>,
    #[serde(default)]
    pub last_uid: Option<u32>,
    #[serde(default)]
    pub last_ok_at: Option<Timestamp>,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub last_error_at: Option<Timestamp>,
    /// Messages taken in since the account was created.
    #[serde(default)]
    pub received: u64,
}

/// An account as the API and the console give it: the settings, whether each password is set
/// (never the password), and the reader's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelAccountView {
    pub account: ChannelAccount,
    /// The names of the secrets that are set (`imap_password`, `app_secret`, …).
    pub secrets_set: Vec<&'static str>,
    pub status: ChannelStatus,
}

impl ChannelAccountView {
    pub fn secret_is_set(&self, name: &str) -> bool {
        self.secrets_set.contains(&name)
    }
}

/// What an admin sends to create or change a mailbox. Passwords left out (or empty) keep the
/// stored ones.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailAccountDraft {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    pub address: String,
    #[serde(default)]
    pub display_name: String,
    pub imap_host: String,
    #[serde(default)]
    pub imap_port: Option<u16>,
    #[serde(default)]
    pub imap_security: Option<MailSecurity>,
    pub imap_username: String,
    #[serde(default)]
    pub imap_password: Option<String>,
    #[serde(default)]
    pub imap_mailbox: Option<String>,
    pub smtp_host: String,
    #[serde(default)]
    pub smtp_port: Option<u16>,
    #[serde(default)]
    pub smtp_security: Option<MailSecurity>,
    #[serde(default)]
    pub smtp_username: Option<String>,
    #[serde(default)]
    pub smtp_password: Option<String>,
    #[serde(default)]
    pub signature: String,
    /// Signatures by team, replacing the mailbox's for that team's agents. Left out: the
    /// stored ones stay (the console's form does not carry them).
    #[serde(default)]
    pub team_signatures: Option<Vec<TeamSignature>>,
    /// The version being replaced (required when changing an account).
    #[serde(default)]
    pub version: Option<i64>,
}

fn yes() -> bool {
    true
}

const HOST_MAX: usize = 253;
const SIGNATURE_MAX: usize = 2_000;

fn host(field: &str, raw: &str) -> Result<String, DomainError> {
    let h = text(field, raw, HOST_MAX, true)?;
    let ok = h
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if ok {
        Ok(h.to_ascii_lowercase())
    } else {
        Err(DomainError::invalid(field, "a host name or IP address"))
    }
}

fn port(field: &str, given: Option<u16>, default: u16) -> Result<u16, DomainError> {
    match given {
        Some(0) => Err(DomainError::invalid(field, "a port from 1 to 65535")),
        Some(p) => Ok(p),
        None => Ok(default),
    }
}

/// At most one signature per team, each within bounds and not empty.
fn team_signatures(given: &[TeamSignature]) -> Result<Vec<TeamSignature>, DomainError> {
    if given.len() > 50 {
        return Err(DomainError::invalid("team_signatures", "at most 50 teams"));
    }
    let mut out: Vec<TeamSignature> = Vec::with_capacity(given.len());
    for (i, t) in given.iter().enumerate() {
        let department = text(
            &format!("team_signatures[{i}].department"),
            &t.department,
            50,
            true,
        )?;
        if out.iter().any(|o| o.department == department) {
            return Err(DomainError::invalid(
                format!("team_signatures[{i}].department"),
                "given twice",
            ));
        }
        let signature = text(
            &format!("team_signatures[{i}].signature"),
            &t.signature,
            SIGNATURE_MAX,
            true,
        )?;
        out.push(TeamSignature {
            department,
            signature,
        });
    }
    Ok(out)
}

/// Checks a mailbox draft and gives the settings and secrets to store: a password left empty
/// keeps `stored`'s. A mailbox needs an IMAP password; SMTP needs one only with a user name.
pub fn plan_email_account(
    draft: &EmailAccountDraft,
    stored: Option<&ChannelSecrets>,
) -> Result<(String, EmailSettings, ChannelSecrets), DomainError> {
    let name = text("name", &draft.name, 100, true)?;
    let address = Email::parse(&draft.address).map_err(|m| DomainError::invalid("address", m))?;
    let display_name = text("display_name", &draft.display_name, 100, false)?;
    let imap_security = draft.imap_security.unwrap_or(MailSecurity::Tls);
    let smtp_security = draft.smtp_security.unwrap_or(MailSecurity::Tls);
    let imap_default = if imap_security == MailSecurity::Tls {
        993
    } else {
        143
    };
    let smtp_default = match smtp_security {
        MailSecurity::Tls => 465,
        MailSecurity::StartTls => 587,
        MailSecurity::Plain => 25,
    };
    let imap_mailbox = match draft.imap_mailbox.as_deref().map(str::trim) {
        None | Some("") => "INBOX".to_string(),
        Some(m) => text("imap_mailbox", m, 200, true)?,
    };
    let settings = EmailSettings {
        address,
        display_name,
        imap_host: host("imap_host", &draft.imap_host)?,
        imap_port: port("imap_port", draft.imap_port, imap_default)?,
        imap_security,
        imap_username: text("imap_username", &draft.imap_username, 200, true)?,
        imap_mailbox,
        smtp_host: host("smtp_host", &draft.smtp_host)?,
        smtp_port: port("smtp_port", draft.smtp_port, smtp_default)?,
        smtp_security,
        smtp_username: text(
            "smtp_username",
            draft.smtp_username.as_deref().unwrap_or(""),
            200,
            false,
        )?,
        signature: text("signature", &draft.signature, SIGNATURE_MAX, false)?,
        team_signatures: team_signatures(draft.team_signatures.as_deref().unwrap_or_default())?,
    };
    let keep = |given: &Option<String>, old: Option<&String>| -> String {
        match given.as_deref() {
            Some(p) if !p.is_empty() => p.to_string(),
            _ => old.cloned().unwrap_or_default(),
        }
    };
    let secrets = ChannelSecrets {
        imap_password: keep(&draft.imap_password, stored.map(|s| &s.imap_password)),
        smtp_password: keep(&draft.smtp_password, stored.map(|s| &s.smtp_password)),
        ..ChannelSecrets::default()
    };
    if secrets.imap_password.is_empty() {
        return Err(DomainError::invalid(
            "imap_password",
            "the mailbox's password is required",
        ));
    }
    if !settings.smtp_username.is_empty() && secrets.smtp_password.is_empty() {
        return Err(DomainError::invalid(
            "smtp_password",
            "required with an SMTP user name",
        ));
    }
    if draft
        .imap_password
        .as_deref()
        .is_some_and(|p| p.len() > 500)
        || draft
            .smtp_password
            .as_deref()
            .is_some_and(|p| p.len() > 500)
    {
        return Err(DomainError::invalid("password", "at most 500 bytes"));
    }
    Ok((name, settings, secrets))
}

/// What an admin sends to create or change an SMS gateway. An API key left out keeps the
/// stored one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsAccountDraft {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The gateway's URL (https, or http to a gateway on the same network).
    pub endpoint: String,
    /// The approved signature, without the brackets: 云路快递.
    pub sign_name: String,
    #[serde(default)]
    pub api_key: Option<String>,
    /// The version being replaced (required when changing an account).
    #[serde(default)]
    pub version: Option<i64>,
}

/// An http(s) URL with a host, as typed (trimmed).
pub fn http_url(field: &str, raw: &str) -> Result<String, DomainError> {
    let url = text(field, raw, 500, true)?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| DomainError::invalid(field, "an http:// or https:// URL"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(DomainError::invalid(field, "an http:// or https:// URL"));
    }
    Ok(url)
}

/// Checks an SMS gateway draft: the settings and the secrets to store.
pub fn plan_sms_account(
    draft: &SmsAccountDraft,
    stored: Option<&ChannelSecrets>,
) -> Result<(String, SmsSettings, ChannelSecrets), DomainError> {
    let name = text("name", &draft.name, 100, true)?;
    let endpoint = http_url("endpoint", &draft.endpoint)?;
    let sign_name = text("sign_name", &draft.sign_name, 20, true)?;
    if sign_name.contains(['【', '】', '[', ']']) {
        return Err(DomainError::invalid(
            "sign_name",
            "the signature without its brackets",
        ));
    }
    let api_key = match draft.api_key.as_deref() {
        Some(k) if !k.is_empty() => {
            if k.len() > 500 || k.chars().any(char::is_control) {
                return Err(DomainError::invalid(
                    "api_key",
                    "at most 500 bytes, one line",
                ));
            }
            k.to_string()
        }
        _ => stored.map(|s| s.api_key.clone()).unwrap_or_default(),
    };
    if api_key.is_empty() {
        return Err(DomainError::invalid(
            "api_key",
            "the gateway's key is required",
        ));
    }
    Ok((
        name,
        SmsSettings {
            endpoint,
            sign_name,
        },
        ChannelSecrets {
            api_key,
            ..ChannelSecrets::default()
        },
    ))
}

/// A message taken in from a channel, kept once per channel and key (Message-ID, MsgId): the
/// record that stops a second copy and lists what a person must look at (`unparsed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundRecord {
    pub channel: Channel,
    pub dedupe_key: String,
    pub account_id: String,
    pub received_at: Timestamp,
    pub outcome: InboundOutcome,
    #[serde(default)]
    pub case_id: Option<CaseId>,
    /// The sender's address as written (empty when it could not be read).
    pub from: String,
    /// Where answers go (Reply-To, else the sender).
    #[serde(default)]
    pub reply_to: String,
    /// The message's own id for threading answers under it; `None` when it had none.
    #[serde(default)]
    pub thread_id: Option<String>,
    pub subject: String,
    /// Why it was ignored or refused, in a sentence.
    #[serde(default)]
    pub detail: String,
    /// The original bytes, kept only for what could not be taken in, so nothing is lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_base64: Option<String>,
    /// Who settled an unreadable message (read it again, or dismissed it), when, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled: Option<InboundHandling>,
}

/// A person's decision on a message that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundHandling {
    /// The actor, as events name it (`user:NAME`).
    pub by: String,
    pub at: Timestamp,
    /// Why it was dismissed; for a retake, what became of it.
    pub reason: String,
}

/// The mail headers of an outgoing reply, fixed when it is queued so every attempt sends the
/// same message (a receiving server that saw the first attempt recognises the second).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailHeaders {
    pub message_id: String,
    pub subject: String,
    #[serde(default)]
    pub in_reply_to: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    /// The signature chosen when the reply was queued (the writer's team's, else the
    /// mailbox's); `None` for a reply queued before signatures were chosen then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// A public reply on its way to the customer on the case's channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: String,
    pub case_id: CaseId,
    /// The case message it carries.
    pub message_id: MessageId,
    pub channel: Channel,
    pub account_id: String,
    /// The customer's address on the channel.
    pub to: String,
    pub body: String,
    #[serde(default)]
    pub mail: Option<MailHeaders>,
    /// Set for a notice kefu sends by itself (then `message_id` is the notice's id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<crate::notices::NoticeKind>,
    /// A WeChat notice sent as a template message (the follower's 48-hour window has closed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wechat_template: Option<crate::notices::TemplateMessage>,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    #[serde(default)]
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Minutes to wait after the 1st, 2nd, … failed attempt; after the last, the reply is given up
/// (about 8.5 hours after it was written) and the agent sees the failure on the case.
pub const RETRY_MINUTES: [i64; 5] = [1, 5, 30, 120, 360];

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    Sent,
    /// The channel refused for now (a 4xx, a lost connection): try again later.
    Temporary(String),
    /// The channel refused for good (a 5xx, no such mailbox): do not try again.
    Permanent(String),
}

/// The delivery after an attempt at `now`: sent, queued for a later attempt, or failed.
pub fn after_attempt(delivery: &Delivery, result: &AttemptResult, now: Timestamp) -> Delivery {
    let mut next = delivery.clone();
    next.attempts = delivery.attempts.saturating_add(1);
    next.updated_at = now;
    match result {
        AttemptResult::Sent => {
            next.state = DeliveryState::Sent;
            next.last_error = None;
        }
        AttemptResult::Temporary(error) | AttemptResult::Permanent(error) => {
            next.last_error = Some(error.chars().take(500).collect());
            let wait = RETRY_MINUTES.get(delivery.attempts as usize);
            match (result, wait) {
                (AttemptResult::Temporary(_), Some(minutes)) => {
                    next.state = DeliveryState::Queued;
                    next.next_attempt_at = now
                        .saturating_add(jiff::SignedDuration::from_mins(*minutes))
                        .unwrap_or(now);
                }
                _ => next.state = DeliveryState::Failed,
            }
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> EmailAccountDraft {
        EmailAccountDraft {
            name: "客服邮箱".into(),
            enabled: true,
            address: "Kefu@Yunlu.example".into(),
            imap_host: "imap.yunlu.example".into(),
            imap_username: "kefu".into(),
            imap_password: Some("secret".into()),
            smtp_host: "smtp.yunlu.example".into(),
            ..EmailAccountDraft::default()
        }
    }

    #[test]
    fn a_draft_gets_defaults_and_keeps_stored_passwords() {
        let (name, settings, secrets) = plan_email_account(&draft(), None).unwrap();
        assert_eq!(name, "客服邮箱");
        assert_eq!(settings.address.as_str(), "kefu@yunlu.example");
        assert_eq!((settings.imap_port, settings.smtp_port), (993, 465));
        assert_eq!(settings.imap_mailbox, "INBOX");
        assert_eq!(secrets.imap_password, "secret");

        let mut edit = draft();
        edit.imap_password = None;
        edit.smtp_username = Some("relay".into());
        let stored = ChannelSecrets {
            imap_password: "old".into(),
            smtp_password: "smtp-old".into(),
            ..ChannelSecrets::default()
        };
        let (_, _, kept) = plan_email_account(&edit, Some(&stored)).unwrap();
        assert_eq!(kept, stored);
    }

    #[test]
    fn an_account_is_stored_under_its_kind_and_a_first_mailbox_still_reads() {
        let (name, email, _) = plan_email_account(&draft(), None).unwrap();
        let at = Timestamp::from_second(1_700_000_000).unwrap();
        let account = ChannelAccount {
            id: "a1".into(),
            name,
            enabled: true,
            settings: ChannelSettings::Email(email),
            created_at: at,
            updated_at: at,
            version: 1,
        };
        let doc = serde_json::to_value(&account).unwrap();
        // The shape the first mailboxes were stored in: the settings under "email".
        assert_eq!(doc["email"]["imap_host"], "imap.yunlu.example");
        assert!(doc.get("settings").is_none());
        let back: ChannelAccount = serde_json::from_value(doc).unwrap();
        assert_eq!(back, account);
        assert_eq!(back.kind(), ChannelKind::Email);

        let wechat = ChannelAccount {
            settings: ChannelSettings::Wechat(WeChatSettings {
                flavor: WeChatFlavor::WeCom,
                app_id: "ww0123456789".into(),
                agent_id: "1000002".into(),
                api_base: "https://qyapi.weixin.qq.com".into(),
                encrypted: true,
            }),
            ..account
        };
        let doc = serde_json::to_value(&wechat).unwrap();
        assert_eq!(doc["wechat"]["flavor"], "wecom");
        let back: ChannelAccount = serde_json::from_value(doc).unwrap();
        assert_eq!(back.kind(), ChannelKind::Wechat);
        assert_eq!(back.kind().case_channel(), Some(Channel::Wechat));
        assert!(back.email().is_none());
    }

    #[test]
    fn an_sms_gateway_needs_a_url_a_bare_signature_and_a_key() {
        let draft = SmsAccountDraft {
            name: "短信网关".into(),
            enabled: true,
            endpoint: " https://sms.yunlu.example/send ".into(),
            sign_name: "云路快递".into(),
            api_key: Some("k-1".into()),
            version: None,
        };
        let (_, settings, secrets) = plan_sms_account(&draft, None).unwrap();
        assert_eq!(settings.endpoint, "https://sms.yunlu.example/send");
        assert_eq!(secrets.api_key, "k-1");
        let kept = plan_sms_account(
            &SmsAccountDraft {
                api_key: None,
                ..draft.clone()
            },
            Some(&secrets),
        )
        .unwrap();
        assert_eq!(kept.2.api_key, "k-1");
        for (field, bad) in [
            (
                "endpoint",
                SmsAccountDraft {
                    endpoint: "ftp://x".into(),
                    ..draft.clone()
                },
            ),
            (
                "endpoint",
                SmsAccountDraft {
                    endpoint: "https:///x".into(),
                    ..draft.clone()
                },
            ),
            (
                "sign_name",
                SmsAccountDraft {
                    sign_name: "【云路】".into(),
                    ..draft.clone()
                },
            ),
            (
                "api_key",
                SmsAccountDraft {
                    api_key: None,
                    ..draft.clone()
                },
            ),
        ] {
            let err = plan_sms_account(&bad, None).unwrap_err();
            assert!(
                matches!(&err, DomainError::Invalid { field: f, .. } if f == field),
                "{err:?}"
            );
        }
    }

    #[test]
    fn only_the_names_of_set_secrets_are_shown() {
        let secrets = ChannelSecrets {
            token: "t".into(),
            encoding_aes_key: "k".into(),
            ..ChannelSecrets::default()
        };
        assert_eq!(secrets.set_names(), vec!["token", "encoding_aes_key"]);
    }

    #[test]
    fn a_mailbox_without_password_or_with_a_bad_host_is_refused() {
        let mut d = draft();
        d.imap_password = None;
        let err = plan_email_account(&d, None).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { field, .. } if field == "imap_password"));
        let mut d = draft();
        d.smtp_host = "smtp host; rm".into();
        let err = plan_email_account(&d, None).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { field, .. } if field == "smtp_host"));
        let mut d = draft();
        d.smtp_username = Some("relay".into());
        let err = plan_email_account(&d, None).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { field, .. } if field == "smtp_password"));
    }

    fn queued(at: Timestamp) -> Delivery {
        Delivery {
            id: "d1".into(),
            case_id: CaseId::new(at),
            message_id: MessageId::new(at),
            channel: Channel::Email,
            account_id: "a1".into(),
            to: "c@example.com".into(),
            body: "您好".into(),
            mail: None,
            notice: None,
            wechat_template: None,
            state: DeliveryState::Queued,
            attempts: 0,
            next_attempt_at: at,
            last_error: None,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn temporary_failures_back_off_then_give_up_and_permanent_ones_stop_at_once() {
        let t0: Timestamp = "2026-12-01T02:00:00Z".parse().unwrap();
        let mut d = queued(t0);
        let mut now = t0;
        let mut waits = Vec::new();
        loop {
            let next = after_attempt(&d, &AttemptResult::Temporary("451 try later".into()), now);
            if next.state == DeliveryState::Failed {
                assert_eq!(next.attempts, 6);
                assert_eq!(next.last_error.as_deref(), Some("451 try later"));
                break;
            }
            assert_eq!(next.state, DeliveryState::Queued);
            waits.push(next.next_attempt_at.duration_since(now).as_mins());
            now = next.next_attempt_at;
            d = next;
        }
        assert_eq!(waits, RETRY_MINUTES.to_vec());

        let failed = after_attempt(
            &queued(t0),
            &AttemptResult::Permanent("550 no such user".into()),
            t0,
        );
        assert_eq!((failed.state, failed.attempts), (DeliveryState::Failed, 1));
        let sent = after_attempt(&d, &AttemptResult::Sent, now);
        assert_eq!((sent.state, sent.last_error), (DeliveryState::Sent, None));
    }
}
