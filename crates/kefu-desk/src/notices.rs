//! Notices kefu sends by itself: the receipt of a new case, a promised call-back, the
//! resolution and the survey. Each goes the way that reaches the customer (the channel they
//! came on when it can carry it, else an SMS, else mail), from the admin's templates (the
//! `notices` setting), as a delivery queued in the same append as its `notice_queued` event;
//! one that cannot go (opted out, no way to reach them) leaves `notice_skipped` on the case.
//! While no mailbox, SMS gateway or WeChat account is enabled, notices are off and nothing is
//! recorded.

use jiff::{SignedDuration, Timestamp};
use kefu_mail::MailMessageId;
use kefu_model::case::{Case, CaseEvent, EventData};
use kefu_model::channels::{
    ChannelAccountView, ChannelKind, ChannelSettings, Delivery, DeliveryState, EmailSettings,
    InboundRecord, MailHeaders, SmsAccountDraft, WeChatFlavor, plan_sms_account,
};
use kefu_model::codes::{Channel, Status};
use kefu_model::customer::{Customer, PhoneKind};
use kefu_model::error::{DomainError, StoreError};
use kefu_model::ids::MessageId;
use kefu_model::notices::{
    NOTICES_SETTING, NoticeKind, NoticeTemplates, NoticeValues, Reach, choose_way, text_for,
};
use kefu_model::user::Actor;

use crate::desk::{Desk, DeskResult};
use crate::store::AppendOptions;

/// The author of notice events.
pub(crate) const NOTICE_ACTOR: &str = "system:notices";

/// How long after the customer's last WeChat message kefu may still write to them.
const WECHAT_WINDOW: SignedDuration = SignedDuration::from_hours(48);

/// The accounts a notice can go out through, one per kind (the first enabled).
#[derive(Default)]
struct Ways {
    email: Vec<(String, EmailSettings)>,
    sms: Option<String>,
    /// WeChat accounts and whether each is a WeCom app (no 48-hour window there).
    wechat: Vec<(String, bool)>,
}

impl Ways {
    fn none(&self) -> bool {
        self.email.is_empty() && self.sms.is_none() && self.wechat.is_empty()
    }
}

/// What a notice goes to: the way, the account, the address.
struct Target {
    way: ChannelKind,
    account_id: String,
    to: String,
    /// The mailbox's domain, for the Message-ID of a mail.
    mail_domain: String,
    /// The mailbox's own signature under a mail.
    signature: Option<String>,
    /// WeChat: the customer wrote within 48 hours (else only a template message reaches them).
    wechat_window_open: bool,
}

fn masked_target(way: ChannelKind, to: &str) -> String {
    match way {
        ChannelKind::Email => kefu_model::customer::Email::parse(to)
            .map(|e| e.masked())
            .unwrap_or_else(|_| "***".into()),
        ChannelKind::Sms => kefu_model::customer::Phone::parse(to)
            .map(|p| p.masked())
            .unwrap_or_else(|_| "***".into()),
        ChannelKind::Wechat | ChannelKind::Pbx => {
            let chars: Vec<char> = to.chars().collect();
            if chars.len() >= 8 {
                format!(
                    "{}****{}",
                    chars[..2].iter().collect::<String>(),
                    chars[chars.len() - 2..].iter().collect::<String>()
                )
            } else {
                "****".into()
            }
        }
    }
}

/// What a pickup notice says: the pickup's number, status in words, courier and window.
#[derive(Debug, Clone, Default)]
struct PickupNews {
    number: String,
    status: String,
    courier_name: String,
    courier_phone: String,
    /// The agreed window, else the estimated arrival.
    window: (Option<Timestamp>, Option<Timestamp>),
}

/// A notice due: its kind, the time it names and, for a pickup's step, what it says.
type Due = (NoticeKind, Option<Timestamp>, Option<PickupNews>);

/// An SMS ready for the gateway, and the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingSms {
    pub endpoint: String,
    pub api_key: String,
    pub sign_name: String,
    pub to: String,
    pub text: String,
}

impl Desk {
    /// Adds an SMS gateway (admins; the key is never given back).
    pub async fn create_sms_account(
        &self,
        actor: &Actor,
        draft: SmsAccountDraft,
    ) -> DeskResult<ChannelAccountView> {
        let (name, settings, secrets) = plan_sms_account(&draft, None)?;
        self.add_channel_account(
            actor,
            name,
            draft.enabled,
            ChannelSettings::Sms(settings),
            secrets,
        )
        .await
    }

    /// Changes an SMS gateway at the version the admin saw; a key left empty stays.
    pub async fn update_sms_account(
        &self,
        actor: &Actor,
        id: &str,
        draft: SmsAccountDraft,
    ) -> DeskResult<ChannelAccountView> {
        self.change_channel_account(actor, id, ChannelKind::Sms, draft.version, |old| {
            let (name, settings, secrets) = plan_sms_account(&draft, Some(old))?;
            Ok((name, draft.enabled, ChannelSettings::Sms(settings), secrets))
        })
        .await
    }

    /// The kind of account a delivery goes out through, which decides how it is sent. An
    /// error (the account was removed or disabled) is the delivery's permanent failure.
    pub async fn delivery_way(&self, delivery: &Delivery) -> Result<ChannelKind, String> {
        let (account, _) = self
            .store
            .channel_account(&delivery.account_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the channel account was removed")?;
        if !account.enabled {
            return Err(format!("the {} account is disabled", account.kind()));
        }
        Ok(account.kind())
    }

    /// The SMS of a delivery and the gateway to send it through.
    pub async fn outgoing_sms(&self, delivery: &Delivery) -> Result<OutgoingSms, String> {
        let (account, _) = self
            .store
            .channel_account(&delivery.account_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the SMS gateway was removed")?;
        if !account.enabled {
            return Err("the SMS gateway is disabled".into());
        }
        let sms = account.sms().ok_or("the account is not an SMS gateway")?;
        let secrets = self.worker_secrets(&account.id).await?;
        Ok(OutgoingSms {
            endpoint: sms.endpoint.clone(),
            api_key: secrets.api_key,
            sign_name: sms.sign_name.clone(),
            to: delivery.to.clone(),
            text: delivery.body.clone(),
        })
    }

    /// The public address of this kefu (for links in notices), without a trailing slash.
    fn portal_base(&self) -> String {
        self.public_url.trim_end_matches('/').to_string()
    }

    async fn notice_templates(&self) -> DeskResult<NoticeTemplates> {
        self.setting_or_default::<NoticeTemplates>(NOTICES_SETTING)
            .await
    }

    async fn notice_ways(&self) -> DeskResult<Ways> {
        let mut ways = Ways::default();
        for (account, _) in self.store.channel_accounts().await? {
            if !account.enabled {
                continue;
            }
            match account.kind() {
                ChannelKind::Email => {
                    if let Some(e) = account.email() {
                        ways.email.push((account.id.clone(), e.clone()));
                    }
                }
                ChannelKind::Sms => {
                    if ways.sms.is_none() {
                        ways.sms = Some(account.id.clone());
                    }
                }
                ChannelKind::Wechat => ways.wechat.push((
                    account.id.clone(),
                    account
                        .wechat()
                        .is_some_and(|w| w.flavor == WeChatFlavor::WeCom),
                )),
                ChannelKind::Pbx => {}
            }
        }
        Ok(ways)
    }

    /// The notices `events` call for on `case` (after them): a resolution and, with the survey
    /// the same append opened (`survey_token`, its link's), the survey; a promise made to the
    /// customer.
    pub(crate) async fn notices_for(
        &self,
        case: &Case,
        events: &[CaseEvent],
        survey_token: Option<&str>,
    ) -> DeskResult<(Vec<Delivery>, Vec<EventData>)> {
        let mut due: Vec<Due> = Vec::new();
        for e in events {
            match &e.data {
                EventData::StatusChanged {
                    to: Status::Resolved,
                    ..
                } => {
                    due.push((NoticeKind::Resolved, None, None));
                    if survey_token.is_some()
                        && case.rating.is_none()
                        && !case.notices_sent.contains(&NoticeKind::Survey)
                    {
                        due.push((NoticeKind::Survey, None, None));
                    }
                }
                EventData::CommitmentMade { due_at, .. } => {
                    due.push((NoticeKind::CallbackPromised, Some(*due_at), None));
                }
                EventData::PickupProgress {
                    number,
                    status,
                    note,
                    courier_name,
                    courier_phone,
                    window_from,
                    window_to,
                    estimated_at,
                    ..
                } => {
                    let mut status_text = status.label_zh().to_string();
                    if *status == kefu_model::pickup::PickupStatus::Failed && !note.is_empty() {
                        status_text = format!("{status_text}（{note}）");
                    }
                    let window = match (window_from, window_to) {
                        (Some(f), Some(t)) => (Some(*f), Some(*t)),
                        _ => (*estimated_at, None),
                    };
                    due.push((
                        NoticeKind::Pickup,
                        None,
                        Some(PickupNews {
                            number: number.clone(),
                            status: status_text,
                            courier_name: courier_name.clone(),
                            courier_phone: courier_phone.clone(),
                            window,
                        }),
                    ));
                }
                _ => {}
            }
        }
        if due.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        self.plan_notices(case, &due, survey_token).await
    }

    /// Sends the receipt of a case just created (once; not for a replayed creation).
    pub(crate) async fn notify_received(&self, case: &Case) -> DeskResult<Case> {
        // The case as just created; read again only after someone else changed it.
        let mut current = case.clone();
        for _ in 0..8 {
            if current.notices_sent.contains(&NoticeKind::Received) {
                return Ok(current);
            }
            let (deliveries, changes) = self
                .plan_notices(&current, &[(NoticeKind::Received, None, None)], None)
                .await?;
            if changes.is_empty() {
                return Ok(current);
            }
            let (projection, events) = self.events_for(&current, NOTICE_ACTOR, changes);
            let options = AppendOptions {
                deliveries: &deliveries,
                ..AppendOptions::default()
            };
            match self
                .store
                .append_events(&projection, current.version, &events, options)
                .await
            {
                Ok(()) => return Ok(projection),
                Err(StoreError::VersionConflict) => match self.store.case_by_id(&case.id).await? {
                    Some(again) => current = again,
                    None => return Ok(case.clone()),
                },
                Err(e) => return Err(e.into()),
            }
        }
        Err(DomainError::conflict(
            "version_conflict",
            "the case is being changed by others; try again",
        ))
    }

    async fn plan_notices(
        &self,
        case: &Case,
        due: &[Due],
        survey_token: Option<&str>,
    ) -> DeskResult<(Vec<Delivery>, Vec<EventData>)> {
        // Without a way out (a new installation, the default) one read settles it.
        let ways = self.notice_ways().await?;
        if ways.none() {
            return Ok((Vec::new(), Vec::new()));
        }
        let templates = self.notice_templates().await?;
        let due: Vec<_> = due
            .iter()
            .filter_map(|(kind, at, news)| {
                templates
                    .get(*kind)
                    .filter(|t| t.enabled && t.channels.contains(&case.channel))
                    .map(|t| (t.clone(), *at, news.clone()))
            })
            .collect();
        if due.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let customer = self.store.customer_by_id(&case.customer_id).await?;
        let latest = self.store.latest_inbound_of_case(&case.id).await?;
        let now = self.now();
        let mut deliveries = Vec::new();
        let mut events = Vec::new();
        let base = self.portal_base();
        let mut references: Option<Vec<String>> = None;
        for (template, due_at, news) in due {
            // Each notice finds its way: only one with a template message can reach a WeChat
            // follower whose window has closed.
            let has_template = template.wechat_template.is_some();
            let target = match self.notice_target(
                case,
                customer.as_ref(),
                latest.as_ref(),
                &ways,
                now,
                has_template,
            ) {
                Ok(t) => t,
                Err(reason) => {
                    events.push(EventData::NoticeSkipped {
                        kind: template.kind,
                        reason: reason.to_string(),
                    });
                    continue;
                }
            };
            let local = |t: Timestamp, format: &str| {
                t.to_zoned_datetime(self.time_zone.clone())
                    .strftime(format)
                    .to_string()
            };
            let news = news.unwrap_or_default();
            let window = match news.window {
                (Some(from), Some(to)) => {
                    format!("{}–{}", local(from, "%-m月%-d日 %H:%M"), local(to, "%H:%M"))
                }
                (Some(at), None) => local(at, "%-m月%-d日 %H:%M"),
                _ => "待定".to_string(),
            };
            let values = NoticeValues {
                pickup_number: news.number.clone(),
                pickup_status: news.status.clone(),
                courier_name: news.courier_name.clone(),
                courier_phone: news.courier_phone.clone(),
                window,
                case_number: case.number.clone(),
                subject: case.subject.clone(),
                due_at: due_at
                    .map(|t| {
                        t.to_zoned_datetime(self.time_zone.clone())
                            .strftime("%-m月%-d日 %H:%M")
                            .to_string()
                    })
                    .unwrap_or_default(),
                // The survey's own page, which needs no phone; the portal's case page (case
                // number and phone) when no survey was opened.
                survey_url: match survey_token {
                    Some(token) => format!("{base}/survey/{token}"),
                    None => format!("{base}/portal/case?number={}", case.number),
                },
                portal_url: format!("{base}/portal"),
            };
            let (subject, mut text) = text_for(&template, target.way, &values);
            let notice_id = MessageId::new(now);
            let mail = match target.way {
                ChannelKind::Email => {
                    if references.is_none() {
                        references = Some(self.store.mail_ids_of_case(&case.id, 10).await?);
                    }
                    Some(MailHeaders {
                        message_id: MailMessageId::generate(&target.mail_domain, now)
                            .map_err(|e| DomainError::invalid("address", e.to_string()))?
                            .as_str()
                            .to_string(),
                        subject,
                        in_reply_to: latest.as_ref().and_then(|r| r.thread_id.clone()),
                        references: references.clone().unwrap_or_default(),
                        signature: target.signature.clone(),
                    })
                }
                _ => None,
            };
            let wechat_template = match (&template.wechat_template, target.wechat_window_open) {
                (Some(t), false) if target.way == ChannelKind::Wechat => {
                    let url = match template.kind {
                        NoticeKind::Survey => values.survey_url.clone(),
                        _ => values.portal_url.clone(),
                    };
                    let message = t.message(&values, Some(url));
                    // The timeline shows what the template said.
                    text = message
                        .fields
                        .iter()
                        .map(|f| f.value.as_str())
                        .collect::<Vec<_>>()
                        .join("；");
                    Some(message)
                }
                _ => None,
            };
            events.push(EventData::NoticeQueued {
                notice_id: notice_id.clone(),
                kind: template.kind,
                via: target.way,
                to: masked_target(target.way, &target.to),
                text: text.clone(),
            });
            deliveries.push(Delivery {
                id: MessageId::new(now).to_string(),
                case_id: case.id.clone(),
                message_id: notice_id,
                channel: case.channel,
                account_id: target.account_id.clone(),
                to: target.to.clone(),
                body: text,
                mail,
                notice: Some(template.kind),
                wechat_template,
                state: DeliveryState::Queued,
                attempts: 0,
                next_attempt_at: now,
                last_error: None,
                created_at: now,
                updated_at: now,
            });
        }
        Ok((deliveries, events))
    }

    /// Where a notice about `case` goes, or why it cannot go.
    fn notice_target(
        &self,
        case: &Case,
        customer: Option<&Customer>,
        latest: Option<&InboundRecord>,
        ways: &Ways,
        now: Timestamp,
        has_template: bool,
    ) -> Result<Target, &'static str> {
        let latest_email = latest.filter(|r| r.channel == Channel::Email);
        let latest_wechat = latest.filter(|r| r.channel == Channel::Wechat);
        let email_address = latest_email
            .map(|r| {
                if r.reply_to.is_empty() {
                    r.from.clone()
                } else {
                    r.reply_to.clone()
                }
            })
            .filter(|a| !a.is_empty())
            .or_else(|| customer.and_then(|c| c.emails.first().map(|e| e.as_str().to_string())));
        let mobile = customer.and_then(|c| {
            c.phones
                .iter()
                .find(|p| p.kind() == PhoneKind::Mobile)
                .map(|p| p.as_str().to_string())
        });
        let wechat_open_id = latest_wechat.map(|r| r.from.clone());
        let wecom = latest_wechat.is_some_and(|r| {
            ways.wechat
                .iter()
                .any(|(id, wecom)| *id == r.account_id && *wecom)
        });
        let wechat_window_open = latest_wechat
            .is_some_and(|r| wecom || now.duration_since(r.received_at) < WECHAT_WINDOW);
        let reach = Reach {
            opted_out: customer.is_some_and(|c| c.notices_opt_out),
            email_address: email_address.clone(),
            mobile: mobile.clone(),
            wechat_open_id: wechat_open_id.clone(),
            wechat_window_open,
            wechat_template: has_template,
            email_account: !ways.email.is_empty(),
            sms_account: ways.sms.is_some(),
            wechat_account: latest_wechat
                .is_some_and(|r| ways.wechat.iter().any(|(id, _)| *id == r.account_id)),
        };
        let way = choose_way(case.channel, &reach)?;
        let none = "没有可用的通知渠道";
        Ok(match way {
            ChannelKind::Email => {
                // The mailbox the customer wrote to, else the first.
                let (id, settings) = latest_email
                    .and_then(|r| ways.email.iter().find(|(id, _)| *id == r.account_id))
                    .or_else(|| ways.email.first())
                    .ok_or(none)?;
                Target {
                    way,
                    account_id: id.clone(),
                    to: email_address.ok_or(none)?,
                    mail_domain: settings
                        .address
                        .as_str()
                        .rsplit_once('@')
                        .map(|(_, d)| d.to_string())
                        .unwrap_or_default(),
                    signature: settings.signature_for(None),
                    wechat_window_open,
                }
            }
            ChannelKind::Sms => Target {
                way,
                account_id: ways.sms.clone().ok_or(none)?,
                to: mobile.ok_or(none)?,
                mail_domain: String::new(),
                signature: None,
                wechat_window_open,
            },
            ChannelKind::Wechat | ChannelKind::Pbx => Target {
                way: ChannelKind::Wechat,
                account_id: latest_wechat.map(|r| r.account_id.clone()).ok_or(none)?,
                to: wechat_open_id.ok_or(none)?,
                mail_domain: String::new(),
                signature: None,
                wechat_window_open,
            },
        })
    }
}
