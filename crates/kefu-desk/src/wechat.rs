//! The WeChat channel (R-CH-2, R-CH-4): official accounts (公众号) and WeCom apps (企业微信) an
//! admin configures, a callback taken in (checked, decrypted, parsed, de-duplicated; a message
//! into the customer's open WeChat case or a new one, which the bot answers first; events only
//! recorded), the deliveries that take replies out through the customer-service API, and the
//! downloads of the pictures and voice messages customers send (WeChat keeps them 3 days): a
//! pending [`MediaFetch`] written with the customer's message, claimed by one node's fetcher,
//! checked and attached (`media_saved`) or given up with an internal note.
//!
//! The protocol is `kefu-wechat`'s pure part; the HTTP client that sends and downloads is the
//! node's (the binary's sender asks [`Desk::outgoing_wechat`] where to send and how to log in,
//! its media fetcher [`Desk::media_source`], and hands what came to
//! [`Desk::finish_media_fetch`]).

use jiff::{SignedDuration, Timestamp};
use kefu_model::attachment::{Attachment, StoredAttachment};
use kefu_model::case::{Case, EventData};
use kefu_model::channels::{
    ChannelAccount, ChannelAccountView, ChannelKind, ChannelSecrets, ChannelSettings,
    ChannelStatus, Delivery, DeliveryState, InboundOutcome, InboundRecord, WeChatFlavor,
    WeChatSettings,
};
use kefu_model::chat::bot_actor;
use kefu_model::codes::{Category, Channel, Status, Visibility};
use kefu_model::customer::ExternalId;
use kefu_model::drafts::{CaseDraft, CustomerDraft};
use kefu_model::error::DomainError;
use kefu_model::ids::{CaseId, MessageId, UserId};
use kefu_model::media::{
    EXPIRED_REASON, FetchOutcome, MediaFetch, MediaFetchState, MediaKind, PendingMedia,
    after_fetch, checked_media, failure_note,
};
use kefu_model::records::CaseQuery;
use kefu_model::text::TEXT_MAX;
use kefu_model::user::{Actor, Role};
use kefu_model::wechat_account::{WeChatAccountDraft, plan_wechat_account};
use kefu_wechat::{
    CryptoError, Event, InboundMessage, Media, MessageCrypto, MessageKind, WeChatError,
    may_send_customer_service_message, parse_message, verify_signature,
};

use crate::cases::Along;
use crate::channels::{cut, sha256_hex};
use crate::chat::{Incoming, bot_notice};
use crate::desk::{Desk, DeskResult};

/// The customer writing on WeChat, as the author of what their messages add to a case.
pub fn wechat_actor() -> Actor {
    Actor {
        user_id: UserId::from_stored("channel:wechat".into()),
        username: "wechat".into(),
        role: Role::Agent,
        department_id: None,
    }
}

/// How far a callback's timestamp may be from our clock: an older one is a replay.
pub const CALLBACK_MAX_AGE: SignedDuration = SignedDuration::from_mins(5);

/// How long a worker holds a claimed media download (a 10 MB file over a slow link included)
/// before another node may take it over.
const MEDIA_LEASE_SECONDS: i64 = 300;

/// A new WeChat case's subject: the first line of the first message, short enough for a queue.
const WECHAT_SUBJECT_MAX: usize = 60;

/// The largest callback body taken (WeChat's are a few hundred bytes; encrypted ones a little
/// more).
pub const CALLBACK_BODY_MAX: usize = 64 * 1024;

/// The query WeChat puts on a callback URL (absent parameters as empty strings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackQuery {
    /// Plain mode: SHA-1 of token, timestamp and nonce.
    pub signature: String,
    /// Encrypted mode: SHA-1 of token, timestamp, nonce and the ciphertext.
    pub msg_signature: String,
    pub timestamp: String,
    pub nonce: String,
    /// The URL check's challenge (encrypted in WeCom and safe mode).
    pub echostr: String,
}

/// Why a callback was refused without looking further: it cannot be shown to come from WeChat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackRefusal {
    /// `bad_signature` or `stale_timestamp`.
    pub code: &'static str,
    pub message: String,
}

impl CallbackRefusal {
    fn bad_signature(why: impl std::fmt::Display) -> Self {
        Self {
            code: "bad_signature",
            message: format!("the callback is not signed with this account's token: {why}"),
        }
    }
}

/// What became of one callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeChatReceipt {
    pub outcome: InboundOutcome,
    /// The same message was taken in before; nothing was written now.
    pub duplicate: bool,
    pub case_id: Option<CaseId>,
    pub case_number: Option<String>,
    /// What the bot answered (queued as a delivery), if it did.
    pub bot_reply: Option<String>,
    /// The case was handed to a person.
    pub handed_over: bool,
    pub detail: String,
}

/// Where and as whom a WeChat delivery is sent: what the node's client needs.
#[derive(Clone)]
pub struct WeChatSend {
    pub account_id: String,
    /// Changes when the account is edited: a client cached for an older version is stale.
    pub account_version: i64,
    pub flavor: WeChatFlavor,
    pub app_id: String,
    pub agent_id: String,
    pub api_base: String,
    pub app_secret: String,
}

impl std::fmt::Debug for WeChatSend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The AppSecret is left out.
        f.debug_struct("WeChatSend")
            .field("account_id", &self.account_id)
            .field("account_version", &self.account_version)
            .field("flavor", &self.flavor)
            .field("app_id", &self.app_id)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// The customer's identity on an account's flavor: an openid, or a WeCom member's user id.
fn external_kind(flavor: WeChatFlavor) -> &'static str {
    match flavor {
        WeChatFlavor::OfficialAccount => "wechat_openid",
        WeChatFlavor::WeCom => "wecom_userid",
    }
}

/// What a message says, for the case (and the text the bot reads, when there is some).
fn message_text(message: &InboundMessage) -> (String, Option<String>) {
    let clean = |t: &str| -> String {
        let kept: String = t
            .chars()
            .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
            .collect();
        cut(kept.trim(), TEXT_MAX, "…")
    };
    match &message.kind {
        MessageKind::Text { content } => {
            let text = clean(content);
            if text.is_empty() {
                ("（空消息）".into(), None)
            } else {
                (text.clone(), Some(text))
            }
        }
        // The picture itself is downloaded and attached (its temporary link expires).
        MessageKind::Image { .. } => ("（图片）".into(), None),
        MessageKind::Voice { recognition, .. } => match recognition.as_deref().map(clean) {
            Some(heard) if !heard.is_empty() => (format!("（语音）{heard}"), Some(heard)),
            _ => ("（语音消息，未识别出文字）".into(), None),
        },
        MessageKind::Event(_) | MessageKind::Other => (
            format!("（{} 消息，暂不能显示）", clean(&message.msg_type)),
            None,
        ),
    }
}

/// The score a WeChat text of just one digit 1–5 (spaces and a full-width digit allowed) gives.
fn survey_digit(content: &str) -> Option<u8> {
    let mut chars = content.trim().chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    let digit = match c {
        '1'..='5' => c as u32 - '0' as u32,
        '１'..='５' => c as u32 - '１' as u32 + 1,
        _ => return None,
    };
    u8::try_from(digit).ok()
}

fn event_detail(event: &Event) -> String {
    let detail = match event {
        Event::Subscribe { event_key: None } => "关注".to_string(),
        Event::Subscribe {
            event_key: Some(key),
        } => format!("关注（{key}）"),
        Event::Unsubscribe => "取消关注".to_string(),
        Event::Click { event_key } => format!("点击菜单 {event_key}"),
        Event::Other { event, event_key } => match event_key {
            Some(key) => format!("事件 {event}（{key}）"),
            None => format!("事件 {event}"),
        },
    };
    cut(&detail, 200, "…")
}

impl Desk {
    // ---- accounts (admin) -----------------------------------------------------------------

    /// The full check of a planned account: an AES key must decode to 32 bytes.
    fn check_wechat_crypto(settings: &WeChatSettings, secrets: &ChannelSecrets) -> DeskResult<()> {
        if secrets.encoding_aes_key.is_empty() {
            return Ok(());
        }
        MessageCrypto::new(&secrets.token, &secrets.encoding_aes_key, &settings.app_id)
            .map(|_| ())
            .map_err(|e| DomainError::invalid("encoding_aes_key", e.to_string()))
    }

    /// Adds a WeChat official account or WeCom app. Its secrets are stored and never given back.
    pub async fn create_wechat_account(
        &self,
        actor: &Actor,
        draft: WeChatAccountDraft,
    ) -> DeskResult<ChannelAccountView> {
        let (name, settings, secrets) = plan_wechat_account(&draft, None)?;
        Self::check_wechat_crypto(&settings, &secrets)?;
        self.add_channel_account(
            actor,
            name,
            draft.enabled,
            ChannelSettings::Wechat(settings),
            secrets,
        )
        .await
    }

    /// Changes a WeChat account at the version the admin saw; secrets left empty stay.
    pub async fn update_wechat_account(
        &self,
        actor: &Actor,
        id: &str,
        draft: WeChatAccountDraft,
    ) -> DeskResult<ChannelAccountView> {
        self.change_channel_account(actor, id, ChannelKind::Wechat, draft.version, |old| {
            let (name, settings, secrets) = plan_wechat_account(&draft, Some(old))?;
            Self::check_wechat_crypto(&settings, &secrets)?;
            Ok((
                name,
                draft.enabled,
                ChannelSettings::Wechat(settings),
                secrets,
            ))
        })
        .await
    }

    // ---- callbacks --------------------------------------------------------------------------

    /// The enabled WeChat account a callback names, its settings, status and secrets.
    async fn callback_account(
        &self,
        account_id: &str,
    ) -> DeskResult<(
        ChannelAccount,
        WeChatSettings,
        ChannelStatus,
        ChannelSecrets,
    )> {
        let not_found = || DomainError::NotFound(format!("wechat account '{account_id}'"));
        let (account, status) = self
            .store
            .channel_account(account_id)
            .await?
            .filter(|(a, _)| a.enabled)
            .ok_or_else(not_found)?;
        let settings = account.wechat().cloned().ok_or_else(not_found)?;
        let secrets = self
            .store
            .channel_secrets(account_id)
            .await?
            .unwrap_or_default();
        Ok((account, settings, status, secrets))
    }

    /// A timestamp within [`CALLBACK_MAX_AGE`] of now, either way, or the refusal.
    fn fresh_timestamp(&self, raw: &str) -> Result<(), CallbackRefusal> {
        let stale = || CallbackRefusal {
            code: "stale_timestamp",
            message: "the callback's timestamp is missing or more than 5 minutes from now".into(),
        };
        let seconds: i64 = raw.trim().parse().map_err(|_| stale())?;
        let at = Timestamp::from_second(seconds).map_err(|_| stale())?;
        let off = self.now().duration_since(at).abs();
        if off > CALLBACK_MAX_AGE {
            return Err(stale());
        }
        Ok(())
    }

    /// Notes a refused callback on the account's status, for the admin's channel page.
    async fn note_refusal(
        &self,
        account_id: &str,
        mut status: ChannelStatus,
        refusal: &CallbackRefusal,
    ) -> DeskResult<()> {
        status.last_error = Some(format!("{}: {}", refusal.code, refusal.message));
        status.last_error_at = Some(self.now());
        Ok(self.store.put_channel_status(account_id, &status).await?)
    }

    /// The URL check WeChat makes when the callback address is saved on its console: answers
    /// `echostr` when the signature is ours — decrypted for WeCom, as sent for an official
    /// account (whose URL check is plain even in safe mode).
    pub async fn wechat_url_check(
        &self,
        account_id: &str,
        query: &CallbackQuery,
    ) -> DeskResult<Result<String, CallbackRefusal>> {
        let (account, settings, status, secrets) = self.callback_account(account_id).await?;
        let checked = self.fresh_timestamp(&query.timestamp).and_then(|()| {
            if settings.flavor == WeChatFlavor::WeCom {
                let crypto =
                    MessageCrypto::new(&secrets.token, &secrets.encoding_aes_key, &settings.app_id)
                        .map_err(CallbackRefusal::bad_signature)?;
                crypto
                    .verify_url(
                        &query.msg_signature,
                        &query.timestamp,
                        &query.nonce,
                        &query.echostr,
                    )
                    .map_err(CallbackRefusal::bad_signature)
            } else {
                if query.echostr.is_empty() {
                    return Err(CallbackRefusal::bad_signature("no echostr"));
                }
                verify_signature(
                    &secrets.token,
                    &query.signature,
                    &query.timestamp,
                    &query.nonce,
                )
                .map(|()| query.echostr.clone())
                .map_err(CallbackRefusal::bad_signature)
            }
        });
        if let Err(refusal) = &checked {
            self.note_refusal(&account.id, status, refusal).await?;
        }
        Ok(checked)
    }

    /// Takes in one callback POSTed to `account_id`'s URL. A callback that cannot be shown to
    /// come from WeChat (signature, replayed timestamp) is refused and stores nothing; one that
    /// is WeChat's but cannot be read is kept raw (`unparsed`); a message taken in before
    /// changes nothing. A user's message joins their open WeChat case or opens one, which the
    /// bot answers first (its reply queued as a delivery); events are recorded, not cases.
    pub async fn receive_wechat(
        &self,
        account_id: &str,
        query: &CallbackQuery,
        body: &str,
    ) -> DeskResult<Result<WeChatReceipt, CallbackRefusal>> {
        let (account, settings, status, secrets) = self.callback_account(account_id).await?;
        let opened = self.fresh_timestamp(&query.timestamp).and_then(|()| {
            if settings.encrypted {
                let crypto =
                    MessageCrypto::new(&secrets.token, &secrets.encoding_aes_key, &settings.app_id)
                        .map_err(CallbackRefusal::bad_signature)?;
                match crypto.decrypt_callback(
                    &query.msg_signature,
                    &query.timestamp,
                    &query.nonce,
                    body,
                ) {
                    Ok(plain) => Ok(Ok(plain)),
                    // Signed by WeChat with our token, but not readable: kept for a person.
                    Err(
                        e @ (CryptoError::InvalidBase64
                        | CryptoError::InvalidCiphertextLength
                        | CryptoError::InvalidPadding
                        | CryptoError::Truncated
                        | CryptoError::NotUtf8
                        | CryptoError::WrongReceiveId { .. }),
                    ) => Ok(Err(e.to_string())),
                    // Without a readable envelope and a matching signature nothing shows the
                    // body is WeChat's.
                    Err(e) => Err(CallbackRefusal::bad_signature(e)),
                }
            } else {
                verify_signature(
                    &secrets.token,
                    &query.signature,
                    &query.timestamp,
                    &query.nonce,
                )
                .map(|()| Ok(body.to_string()))
                .map_err(CallbackRefusal::bad_signature)
            }
        });
        let plain = match opened {
            Err(refusal) => {
                self.note_refusal(&account.id, status, &refusal).await?;
                return Ok(Err(refusal));
            }
            Ok(Err(detail)) => {
                let receipt = self.keep_unparsed_wechat(&account.id, body, detail).await?;
                self.note_taken(&account.id, status, &receipt).await?;
                return Ok(Ok(receipt));
            }
            Ok(Ok(plain)) => plain,
        };
        let receipt = match parse_message(&plain) {
            Err(e) => {
                self.keep_unparsed_wechat(&account.id, &plain, e.to_string())
                    .await?
            }
            // A value no rule can take (an openid with control characters) is kept for a
            // person rather than refused: WeChat would retry it for nothing.
            Ok(message) => match self.take_in_wechat(&account, &settings, &message).await {
                Err(DomainError::Invalid { field, message }) => {
                    self.keep_unparsed_wechat(&account.id, &plain, format!("{field}: {message}"))
                        .await?
                }
                other => other?,
            },
        };
        self.note_taken(&account.id, status, &receipt).await?;
        Ok(Ok(receipt))
    }

    /// Counts a message taken in and notes the callback worked.
    async fn note_taken(
        &self,
        account_id: &str,
        mut status: ChannelStatus,
        receipt: &WeChatReceipt,
    ) -> DeskResult<()> {
        if !receipt.duplicate {
            status.received += 1;
        }
        status.last_ok_at = Some(self.now());
        status.last_error = None;
        Ok(self.store.put_channel_status(account_id, &status).await?)
    }

    /// Keeps a callback that could not be read, raw, for a person to look at.
    async fn keep_unparsed_wechat(
        &self,
        account_id: &str,
        raw: &str,
        detail: String,
    ) -> DeskResult<WeChatReceipt> {
        use base64::Engine as _;
        let record = InboundRecord {
            channel: Channel::Wechat,
            dedupe_key: format!("sha256:{}", sha256_hex(raw.as_bytes(), 32)),
            account_id: account_id.to_string(),
            received_at: self.now(),
            outcome: InboundOutcome::Unparsed,
            case_id: None,
            from: String::new(),
            reply_to: String::new(),
            thread_id: None,
            subject: String::new(),
            detail: cut(&detail, 500, "…"),
            raw_base64: Some(base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())),
            handled: None,
        };
        let fresh = self.store.record_inbound(&record, &[]).await?;
        Ok(WeChatReceipt {
            outcome: InboundOutcome::Unparsed,
            duplicate: !fresh,
            case_id: None,
            case_number: None,
            bot_reply: None,
            handed_over: false,
            detail: record.detail,
        })
    }

    /// A parsed message: recorded once by its key; a user's message into a case.
    async fn take_in_wechat(
        &self,
        account: &ChannelAccount,
        settings: &WeChatSettings,
        message: &InboundMessage,
    ) -> DeskResult<WeChatReceipt> {
        // Keys are unique per channel; an account's MsgIds only within the account.
        let dedupe_key = format!("{}:{}", account.id, message.dedupe_key());
        let from = cut(&message.from_user, 128, "");
        if let Some(seen) = self
            .store
            .inbound_record(Channel::Wechat, &dedupe_key)
            .await?
        {
            return Ok(self.wechat_receipt(&seen, true).await);
        }
        let mut record = InboundRecord {
            channel: Channel::Wechat,
            dedupe_key,
            account_id: account.id.clone(),
            received_at: self.now(),
            outcome: InboundOutcome::Event,
            case_id: None,
            from: from.clone(),
            reply_to: from.clone(),
            thread_id: None,
            subject: cut(&message.msg_type, 40, ""),
            detail: String::new(),
            raw_base64: None,
            handled: None,
        };
        if let MessageKind::Event(event) = &message.kind {
            record.detail = event_detail(event);
            let fresh = self.store.record_inbound(&record, &[]).await?;
            return Ok(self.wechat_receipt(&record, !fresh).await);
        }
        let (body, bot_text) = message_text(message);
        let identity = ExternalId {
            kind: external_kind(settings.flavor).to_string(),
            value: from.clone(),
        };
        // A bare 1–5 answers the customer's open survey, if there is one: a rating, not a
        // message to the case.
        if let MessageKind::Text { content } = &message.kind
            && let Some(score) = survey_digit(content)
            && let Some(rated) = self.rate_by_wechat(&identity, score).await?
        {
            record.case_id = Some(rated.id.clone());
            record.detail = format!("满意度评价 {score} 分");
            let fresh = self.store.record_inbound(&record, &[]).await?;
            let mut receipt = self.wechat_receipt(&record, !fresh).await;
            receipt.case_number = Some(rated.number);
            return Ok(receipt);
        }
        let client_id = format!("wechat:{}", sha256_hex(record.dedupe_key.as_bytes(), 12));
        let actor = wechat_actor();
        let named = kefu_model::parcels::waybills_in(&self.recognizer().await?, &[&body]);
        let (case, joined) = match self.open_wechat_case(&identity).await? {
            Some(case) => (case, true),
            None => {
                let subject = cut(
                    &format!("微信咨询：{}", body.lines().next().unwrap_or_default()),
                    WECHAT_SUBJECT_MAX,
                    "…",
                );
                let draft = CaseDraft {
                    channel: Channel::Wechat,
                    subject,
                    description: String::new(),
                    customer_id: None,
                    customer: Some(CustomerDraft {
                        external_ids: vec![identity],
                        ..CustomerDraft::default()
                    }),
                    category: Some(Category::Inquiry),
                    priority: None,
                    waybill_no: None,
                    tags: vec!["wechat".into()],
                    received_at: None,
                };
                let created = self
                    .create_case_as(
                        &actor,
                        draft,
                        Some((client_id.clone(), client_id.clone())),
                        true,
                    )
                    .await?;
                (created.case, false)
            }
        };
        let media = self.pending_media(&account.id, message);
        let ack = self
            .append_once_with_media(
                &actor,
                case.id.as_str(),
                Incoming {
                    client_id,
                    body,
                    files: Vec::new(),
                    named,
                    author_kind: "customer",
                    visibility: Visibility::Public,
                },
                media.as_ref(),
            )
            .await?;
        record.outcome = if joined {
            InboundOutcome::Joined
        } else {
            InboundOutcome::Created
        };
        record.case_id = Some(case.id.clone());
        // Recorded before the bot answers: the answer's delivery reads the customer's last
        // message (the 48-hour window) from this record.
        let fresh = self.store.record_inbound(&record, &[]).await?;
        let mut receipt = self.wechat_receipt(&record, !fresh).await;
        receipt.case_number = Some(case.number.clone());
        if !fresh || ack.duplicate {
            return Ok(receipt);
        }
        let (reply, handed_over) = match bot_text {
            Some(text) => match self.chat_bot_turn(&case.id, &ack.message_id, &text).await? {
                Some(outcome) => (outcome.reply, outcome.handed_over.is_some()),
                None => (None, false),
            },
            None => self.hand_media_over(&case.id).await?,
        };
        if handed_over {
            self.route_case(&case.id).await?;
        }
        receipt.bot_reply = reply;
        receipt.handed_over = handed_over;
        Ok(receipt)
    }

    /// The download a picture or voice message needs before WeChat forgets its file.
    fn pending_media(&self, account_id: &str, message: &InboundMessage) -> Option<PendingMedia> {
        let (kind, media_id, format) = match &message.kind {
            MessageKind::Image { media_id, .. } => (MediaKind::Image, media_id, None),
            MessageKind::Voice {
                media_id, format, ..
            } => (MediaKind::Voice, media_id, format.as_deref()),
            _ => return None,
        };
        let now = self.now();
        // WeChat's 3 days run from the message; a clock ahead of ours counts as now.
        let received_at = message.created_at().filter(|at| *at <= now).unwrap_or(now);
        Some(PendingMedia {
            account_id: account_id.to_string(),
            media_id: cut(media_id, 256, ""),
            kind,
            format: format.map(|f| cut(f, 20, "")),
            received_at,
        })
    }

    /// A picture or unrecognised voice the bot cannot read: a person takes over, and the
    /// customer is told so.
    async fn hand_media_over(&self, case_id: &CaseId) -> DeskResult<(Option<String>, bool)> {
        const NOTE: &str = "已收到您发送的内容，正在为您转接人工客服，请稍候。";
        let notice = MessageId::new(self.now());
        let (_, events) = self
            .with_retries(&bot_actor(), case_id.as_str(), |current| {
                if !current.bot.as_ref().is_some_and(|b| b.active) {
                    return Ok(Vec::new());
                }
                Ok(vec![
                    bot_notice(&notice, NOTE),
                    EventData::HandedOver {
                        reason: "media".into(),
                    },
                ])
            })
            .await?;
        Ok(if events.is_empty() {
            (None, false)
        } else {
            (Some(NOTE.to_string()), true)
        })
    }

    /// The customer's open WeChat case (newest), if they have one.
    /// Rates the customer's WeChat case whose survey is open with `score`; `None` when there
    /// is none (the digit is then an ordinary message).
    async fn rate_by_wechat(&self, identity: &ExternalId, score: u8) -> DeskResult<Option<Case>> {
        let contact = format!("{}:{}", identity.kind, identity.value);
        let Some(customer) = self.store.customer_by_contact("external", &contact).await? else {
            return Ok(None);
        };
        let customer_id = customer.merged_into.clone().unwrap_or(customer.id);
        let Some(case) = self.open_wechat_survey(&customer_id).await? else {
            return Ok(None);
        };
        let draft = kefu_model::survey::AnswerDraft {
            score,
            reasons: Vec::new(),
            comment: String::new(),
        };
        match self
            .rate_case(&case.id, draft, kefu_model::survey::SurveyWay::Wechat)
            .await
        {
            Ok(rated) => Ok(Some(rated)),
            // Rated meanwhile by another way: the digit is just a message.
            Err(DomainError::Conflict { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn open_wechat_case(&self, identity: &ExternalId) -> DeskResult<Option<Case>> {
        let contact = format!("{}:{}", identity.kind, identity.value);
        let Some(customer) = self.store.customer_by_contact("external", &contact).await? else {
            return Ok(None);
        };
        let customer_id = customer.merged_into.clone().unwrap_or(customer.id);
        let query = CaseQuery {
            customer_id: Some(customer_id),
            open_only: true,
            limit: 50,
            ..CaseQuery::default()
        };
        let page = self.store.list_cases(&query).await?;
        Ok(page
            .items
            .into_iter()
            .find(|c| c.channel == Channel::Wechat && c.status != Status::Closed))
    }

    async fn wechat_receipt(&self, record: &InboundRecord, duplicate: bool) -> WeChatReceipt {
        let case_number = match &record.case_id {
            Some(id) => self
                .store
                .case_by_id(id)
                .await
                .ok()
                .flatten()
                .map(|c| c.number),
            None => None,
        };
        WeChatReceipt {
            outcome: record.outcome,
            duplicate,
            case_id: record.case_id.clone(),
            case_number,
            bot_reply: None,
            handed_over: false,
            detail: record.detail.clone(),
        }
    }

    // ---- deliveries -------------------------------------------------------------------------

    /// The deliveries of public replies (staff and bot) on a WeChat case, to the openid of the
    /// customer's last message through the account it came in on; or, when they cannot go
    /// out (no message to answer, the account disabled, the 48-hour window closed), the
    /// failures to record at once.
    pub(crate) async fn wechat_deliveries(
        &self,
        case: &Case,
        replies: &[(&MessageId, &str)],
    ) -> DeskResult<(Vec<Delivery>, Vec<EventData>)> {
        let now = self.now();
        let latest = self.store.latest_inbound_of_case(&case.id).await?;
        let account = match &latest {
            Some(record) => self.store.channel_account(&record.account_id).await?,
            None => None,
        };
        let problem = match (&latest, &account) {
            (None, _) => Some("客户没有经微信发来的消息，回复未发出"),
            (Some(_), None) => Some("微信账户已删除，回复未发出"),
            (Some(_), Some((a, _))) if !a.enabled || a.wechat().is_none() => {
                Some("微信账户已停用，回复未发出")
            }
            (Some(record), Some((a, _))) => {
                let window_applies = a
                    .wechat()
                    .is_some_and(|w| w.flavor == WeChatFlavor::OfficialAccount);
                (window_applies && !may_send_customer_service_message(record.received_at, now))
                    .then_some("超过48小时客服消息窗口，回复未发出")
            }
        };
        let (Some(record), None) = (latest, problem) else {
            let error = problem.unwrap_or_default();
            let failures = replies
                .iter()
                .map(|(message_id, _)| EventData::DeliveryFailed {
                    message_id: (*message_id).clone(),
                    channel: Channel::Wechat,
                    error: error.to_string(),
                    attempt: 0,
                    retry_at: None,
                })
                .collect();
            return Ok((Vec::new(), failures));
        };
        Ok((
            replies
                .iter()
                .map(|(message_id, body)| Delivery {
                    id: MessageId::new(now).to_string(),
                    case_id: case.id.clone(),
                    message_id: (*message_id).clone(),
                    channel: Channel::Wechat,
                    account_id: record.account_id.clone(),
                    to: record.reply_to.clone(),
                    body: body.to_string(),
                    mail: None,
                    notice: None,
                    wechat_template: None,
                    state: DeliveryState::Queued,
                    attempts: 0,
                    next_attempt_at: now,
                    last_error: None,
                    created_at: now,
                    updated_at: now,
                })
                .collect(),
            Vec::new(),
        ))
    }

    /// Where and as whom a WeChat delivery is sent. An error (the account was removed or
    /// disabled) is the delivery's permanent failure.
    pub async fn outgoing_wechat(&self, delivery: &Delivery) -> Result<WeChatSend, String> {
        self.wechat_api_of(&delivery.account_id).await
    }

    /// An account's API address and login; an error when it cannot be used.
    async fn wechat_api_of(&self, account_id: &str) -> Result<WeChatSend, String> {
        let (account, _) = self
            .store
            .channel_account(account_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the WeChat account was removed")?;
        if !account.enabled {
            return Err("the WeChat account is disabled".into());
        }
        let settings = account
            .wechat()
            .ok_or("the account is not a WeChat account")?;
        let secrets = self.worker_secrets(&account.id).await?;
        Ok(WeChatSend {
            account_id: account.id.clone(),
            account_version: account.version,
            flavor: settings.flavor,
            app_id: settings.app_id.clone(),
            agent_id: settings.agent_id.clone(),
            api_base: settings.api_base.clone(),
            app_secret: secrets.app_secret,
        })
    }

    // ---- media ------------------------------------------------------------------------------

    /// Media downloads due now, leased to this node for a while.
    pub async fn claim_media_fetches(&self, limit: u32) -> DeskResult<Vec<MediaFetch>> {
        let now = self.now();
        let lease = now
            .saturating_add(SignedDuration::from_secs(MEDIA_LEASE_SECONDS))
            .unwrap_or(now);
        Ok(self.store.claim_media_fetches(now, lease, limit).await?)
    }

    /// Where a download comes from and as whom. An error (WeChat has forgotten the file, the
    /// account was removed or disabled) is the download's permanent failure, in words.
    pub async fn media_source(&self, fetch: &MediaFetch) -> Result<WeChatSend, String> {
        if self.now() >= fetch.expires_at() {
            return Err(EXPIRED_REASON.to_string());
        }
        self.wechat_api_of(&fetch.account_id).await.map_err(|why| {
            let said = match why.as_str() {
                "the WeChat account was removed" => "微信账户已删除",
                "the WeChat account is disabled" => "微信账户已停用",
                _ => "微信账户不可用",
            };
            format!("{said}（{why}）")
        })
    }

    /// Records what a download brought: the file checked and attached to the case (a
    /// `media_saved` event), a retry planned, or — given up — an internal note saying why, so
    /// a person asks the customer again.
    pub async fn finish_media_fetch(
        &self,
        fetch: &MediaFetch,
        downloaded: Result<Media, MediaFailure>,
    ) -> DeskResult<MediaFetch> {
        let now = self.now();
        let mut saved = None;
        let outcome = match downloaded {
            Ok(media) => {
                let fallback = format!("wechat-{}", fetch.kind);
                match checked_media(
                    fetch.kind,
                    &media.bytes,
                    media.content_type.as_deref(),
                    fetch.format.as_deref(),
                    media.filename.as_deref(),
                    &fallback,
                ) {
                    Ok(checked) => {
                        let attachment = Attachment {
                            id: MessageId::new(now).to_string(),
                            name: checked.name,
                            mime: checked.mime.to_string(),
                            size: media.bytes.len() as u64,
                        };
                        // Bytes first: an attachment without its event is harmless.
                        self.store
                            .put_attachment(&StoredAttachment {
                                attachment: attachment.clone(),
                                case_id: fetch.case_id.clone(),
                                created_at: now,
                                bytes: media.bytes,
                            })
                            .await?;
                        let attachment_id = attachment.id.clone();
                        saved = Some(attachment);
                        FetchOutcome::Saved { attachment_id }
                    }
                    Err(reason) => FetchOutcome::Permanent(reason),
                }
            }
            Err(MediaFailure::Temporary(reason)) => FetchOutcome::Temporary(reason),
            Err(MediaFailure::Permanent(reason)) => FetchOutcome::Permanent(reason),
        };
        let next = after_fetch(fetch, &outcome, now);
        let event = match (next.state, saved) {
            (MediaFetchState::Saved, Some(attachment)) => EventData::MediaSaved {
                message_id: fetch.message_id.clone(),
                kind: fetch.kind,
                attachment,
            },
            (MediaFetchState::Failed, _) => EventData::MessageAdded {
                message_id: MessageId::new(now),
                body: failure_note(&next),
                visibility: Visibility::Internal,
                author_kind: "staff".into(),
                call: false,
                client_id: Some(format!("media-failed:{}", fetch.id)),
                attachments: Vec::new(),
            },
            _ => {
                self.store
                    .put_media_fetches(std::slice::from_ref(&next))
                    .await?;
                return Ok(next);
            }
        };
        let along = Along {
            media_fetches: std::slice::from_ref(&next),
            ..Along::default()
        };
        self.with_retries_along(
            &wechat_actor(),
            fetch.case_id.as_str(),
            |_| Ok(vec![event.clone()]),
            along,
        )
        .await?;
        Ok(next)
    }
}

/// Why a download did not bring a file, as the node's client saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaFailure {
    /// It may work later (WeChat busy, no connection).
    Temporary(String),
    /// It will not (the file is gone, too large, the account refused).
    Permanent(String),
}

impl From<&WeChatError> for MediaFailure {
    fn from(error: &WeChatError) -> Self {
        if error.is_transient() {
            return Self::Temporary(error.to_string());
        }
        Self::Permanent(match error {
            WeChatError::TooLarge { limit } => {
                format!("文件超过 {} MB", limit / 1024 / 1024)
            }
            WeChatError::Api {
                code: 40007 | 46001,
                ..
            } => {
                format!("微信已不再提供该文件（{error}）")
            }
            other => format!("微信拒绝下载（{other}）"),
        })
    }
}
