//! Outbound notices: what kefu tells a customer by itself — the case was received (with its
//! number), a call-back was promised, the case was resolved, how was our service — on the
//! channel that reaches them (their mail, an SMS, WeChat), from templates an admin edits (the
//! `notices` setting). Pure: choosing the way and rendering the text; the desk queues the
//! notice as a delivery with its event, the node's sender sends it.

use serde::{Deserialize, Serialize};

use crate::codes::{Channel, ChannelKind};
use crate::error::DomainError;
use crate::string_enum::string_enum;

string_enum!(
    /// Why a notice is sent.
    NoticeKind {
        Received => "received", CallbackPromised => "callback_promised",
        Resolved => "resolved", Survey => "survey", Pickup => "pickup",
    }
);

/// The key of the notices setting.
pub const NOTICES_SETTING: &str = "notices";

/// The placeholders a template may use; anything else in braces is refused when saved, so a
/// typo never reaches a customer as `{cse_number}`.
pub const PLACEHOLDERS: &[&str] = &[
    "case_number",
    "subject",
    "due_at",
    "survey_url",
    "portal_url",
    "pickup_number",
    "pickup_status",
    "courier_name",
    "courier_phone",
    "window",
];

/// What one kind of notice says, per way out, and on which case channels it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeTemplate {
    pub kind: NoticeKind,
    pub enabled: bool,
    /// Cases that came in on these channels get the notice (a live chat needs no receipt).
    pub channels: Vec<Channel>,
    /// The e-mail's subject and text.
    pub email_subject: String,
    pub email_text: String,
    /// The SMS text (the gateway adds the sender's signature).
    pub sms_text: String,
    /// The WeChat message text (sent as a customer-service message within the 48-hour window).
    pub wechat_text: String,
    /// The official account's template message (模板消息) for a follower whose 48-hour window
    /// has closed; without one, such a follower is told another way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wechat_template: Option<WeChatTemplate>,
}

/// A template approved in the official account's admin console, and what kefu puts in its
/// fields (placeholders allowed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeChatTemplate {
    pub template_id: String,
    pub fields: Vec<TemplateField>,
}

/// One field of a template message: its key in the template (`first`, `keyword1`, `thing2`)
/// and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateField {
    pub key: String,
    pub value: String,
}

/// A template message ready to send: the template, the link it opens, its fields filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateMessage {
    pub template_id: String,
    #[serde(default)]
    pub url: Option<String>,
    pub fields: Vec<TemplateField>,
}

impl WeChatTemplate {
    fn validate(&self, i: usize) -> Result<(), DomainError> {
        let at = |name: &str| format!("templates[{i}].wechat_template.{name}");
        let id_ok = !self.template_id.is_empty()
            && self.template_id.len() <= 64
            && self
                .template_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
        if !id_ok {
            return Err(DomainError::invalid(
                at("template_id"),
                "the template's id from the admin console: 1–64 letters, digits, _ or -",
            ));
        }
        if self.fields.is_empty() || self.fields.len() > 20 {
            return Err(DomainError::invalid(at("fields"), "1 to 20 fields"));
        }
        for (j, f) in self.fields.iter().enumerate() {
            let key_ok = !f.key.is_empty()
                && f.key.len() <= 32
                && f.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !key_ok || self.fields[..j].iter().any(|o| o.key == f.key) {
                return Err(DomainError::invalid(
                    at(&format!("fields[{j}].key")),
                    "a field key of the template (first, keyword1, thing2 …), once",
                ));
            }
            if f.value.trim().is_empty() || f.value.chars().count() > 200 {
                return Err(DomainError::invalid(
                    at(&format!("fields[{j}].value")),
                    "1 to 200 characters",
                ));
            }
            if let Some(unknown) = unknown_placeholder(&f.value) {
                return Err(DomainError::invalid(
                    at(&format!("fields[{j}].value")),
                    format!("unknown placeholder {{{unknown}}}"),
                ));
            }
        }
        Ok(())
    }

    /// The message for `values`: every field filled in; it opens `url`.
    pub fn message(&self, values: &NoticeValues, url: Option<String>) -> TemplateMessage {
        TemplateMessage {
            template_id: self.template_id.clone(),
            url,
            fields: self
                .fields
                .iter()
                .map(|f| TemplateField {
                    key: f.key.clone(),
                    value: render(&f.value, values),
                })
                .collect(),
        }
    }
}

/// The notices setting: one template per kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeTemplates {
    pub templates: Vec<NoticeTemplate>,
}

const TEXT_MAX: usize = 1_000;
const SMS_MAX: usize = 300;

impl Default for NoticeTemplates {
    fn default() -> Self {
        use Channel::*;
        let t =
            |kind, channels: &[Channel], subject: &str, email: &str, sms: &str, wechat: &str| {
                NoticeTemplate {
                    kind,
                    enabled: true,
                    channels: channels.to_vec(),
                    email_subject: subject.into(),
                    email_text: email.into(),
                    sms_text: sms.into(),
                    wechat_text: wechat.into(),
                    wechat_template: None,
                }
            };
        NoticeTemplates {
            templates: vec![
                t(
                    NoticeKind::Received,
                    &[Email, Phone, Web],
                    "已受理：{subject} [{case_number}]",
                    "您好！我们已收到您的问题，工单号 {case_number}（{subject}）。客服会尽快处理，\
                     回复本邮件即可补充信息。进度可在 {portal_url} 用工单号和手机号查询。",
                    "您的问题已受理，工单号{case_number}，我们会尽快处理。进度查询：{portal_url}",
                    "您的问题已受理，工单号{case_number}，我们会尽快处理。",
                ),
                t(
                    NoticeKind::CallbackPromised,
                    &[Email, Phone, Web, Wechat, Chat, Api],
                    "我们将回电：{subject} [{case_number}]",
                    "您好！关于工单 {case_number}（{subject}），客服将在 {due_at} 前给您回电。",
                    "关于工单{case_number}，客服将在{due_at}前给您回电，请保持电话畅通。",
                    "关于工单{case_number}，客服将在{due_at}前给您回电，请保持电话畅通。",
                ),
                t(
                    NoticeKind::Resolved,
                    &[Email, Phone, Web, Wechat, Api],
                    "已处理：{subject} [{case_number}]",
                    "您好！您的工单 {case_number}（{subject}）已处理完毕。如仍有问题，直接回复本邮件，\
                     工单会重新打开。",
                    "您的工单{case_number}已处理完毕。如仍有问题，请致电客服热线或访问{portal_url}。",
                    "您的工单{case_number}已处理完毕。如仍有问题，直接回复本消息即可。",
                ),
                t(
                    NoticeKind::Survey,
                    &[Email, Phone, Web, Wechat, Chat, Api],
                    "请为本次服务评分 [{case_number}]",
                    "您好！请花十秒钟为工单 {case_number} 的服务评分（1–5 星）：{survey_url}",
                    "请为工单{case_number}的服务评分：{survey_url}",
                    "请为本次服务评分：直接回复数字 1–5（5 为非常满意），或打开 {survey_url}",
                ),
                t(
                    NoticeKind::Pickup,
                    &[Email, Phone, Web, Wechat, Chat, Api],
                    "上门取件 {pickup_number}：{pickup_status}",
                    "您好！您的上门取件 {pickup_number} 进度：{pickup_status}。快递员 {courier_name}，\
                     电话 {courier_phone}，上门时间 {window}。",
                    "您的取件{pickup_number}：{pickup_status}。快递员{courier_name} {courier_phone}，\
                     上门时间{window}。",
                    "您的上门取件 {pickup_number}：{pickup_status}。快递员 {courier_name}（{courier_phone}），\
                     上门时间 {window}。",
                ),
            ],
        }
    }
}

impl NoticeTemplates {
    pub fn get(&self, kind: NoticeKind) -> Option<&NoticeTemplate> {
        self.templates.iter().find(|t| t.kind == kind)
    }

    /// Every kind at most once; texts within bounds; only known placeholders; an enabled
    /// template has every text (a notice must never go out empty).
    pub fn validate(&self) -> Result<(), DomainError> {
        for (i, t) in self.templates.iter().enumerate() {
            if self.templates[..i].iter().any(|o| o.kind == t.kind) {
                return Err(DomainError::invalid(
                    "templates",
                    format!("'{}' is given twice", t.kind),
                ));
            }
            if let Some(template) = &t.wechat_template {
                template.validate(i)?;
            }
            let fields = [
                ("email_subject", &t.email_subject, 200),
                ("email_text", &t.email_text, TEXT_MAX),
                ("sms_text", &t.sms_text, SMS_MAX),
                ("wechat_text", &t.wechat_text, TEXT_MAX),
            ];
            for (name, text, max) in fields {
                let field = format!("templates[{i}].{name}");
                if text.chars().count() > max {
                    return Err(DomainError::invalid(
                        field,
                        format!("at most {max} characters"),
                    ));
                }
                if t.enabled && text.trim().is_empty() {
                    return Err(DomainError::invalid(field, "required while enabled"));
                }
                if let Some(unknown) = unknown_placeholder(text) {
                    return Err(DomainError::invalid(
                        field,
                        format!(
                            "unknown placeholder {{{unknown}}}; known: {}",
                            PLACEHOLDERS.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The first `{name}` in `text` that is not a known placeholder.
fn unknown_placeholder(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Some(after.chars().take(20).collect());
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Some(name.to_string());
        }
        rest = &after[close + 1..];
    }
    None
}

/// The values the placeholders stand for in one notice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeValues {
    pub case_number: String,
    pub subject: String,
    /// A promise's due time, local ("12月7日 15:00").
    pub due_at: String,
    pub survey_url: String,
    pub portal_url: String,
    /// A pickup's number and its new status in words (`快递员已接单`).
    pub pickup_number: String,
    pub pickup_status: String,
    pub courier_name: String,
    pub courier_phone: String,
    /// The agreed window, local (`12月7日 14:00–16:00`), else the estimated arrival.
    pub window: String,
}

/// `text` with its placeholders filled in.
pub fn render(text: &str, values: &NoticeValues) -> String {
    text.replace("{case_number}", &values.case_number)
        .replace("{subject}", &values.subject)
        .replace("{due_at}", &values.due_at)
        .replace("{survey_url}", &values.survey_url)
        .replace("{portal_url}", &values.portal_url)
        .replace("{pickup_number}", &values.pickup_number)
        .replace("{pickup_status}", &values.pickup_status)
        .replace("{courier_name}", &values.courier_name)
        .replace("{courier_phone}", &values.courier_phone)
        .replace("{window}", &values.window)
}

/// How a customer can be reached, and which ways out are configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    /// The customer asked not to be sent notices.
    pub opted_out: bool,
    pub email_address: Option<String>,
    /// A mainland mobile number (an SMS cannot reach a landline).
    pub mobile: Option<String>,
    /// The customer's WeChat openid, and whether the 48-hour window is still open.
    pub wechat_open_id: Option<String>,
    pub wechat_window_open: bool,
    /// The notice has a template message, which reaches a follower whose window has closed.
    pub wechat_template: bool,
    pub email_account: bool,
    pub sms_account: bool,
    pub wechat_account: bool,
}

/// Which way a notice takes: the channel the case came in on when it can carry it (mail for
/// mail, WeChat for WeChat), else an SMS to a mobile, else mail; or why none (the reason goes
/// on the case, so an agent knows the customer was not told).
pub fn choose_way(case_channel: Channel, reach: &Reach) -> Result<ChannelKind, &'static str> {
    if reach.opted_out {
        return Err("客户已退订通知");
    }
    let email = reach.email_account && reach.email_address.is_some();
    let sms = reach.sms_account && reach.mobile.is_some();
    let wechat = reach.wechat_account
        && reach.wechat_open_id.is_some()
        && (reach.wechat_window_open || reach.wechat_template);
    match case_channel {
        Channel::Email if email => return Ok(ChannelKind::Email),
        Channel::Wechat if wechat => return Ok(ChannelKind::Wechat),
        _ => {}
    }
    if sms {
        Ok(ChannelKind::Sms)
    } else if email {
        Ok(ChannelKind::Email)
    } else if wechat {
        Ok(ChannelKind::Wechat)
    } else {
        Err("没有可用的通知渠道（无邮箱、手机或微信，或未配置对应账户）")
    }
}

/// The text of `template` for a way out: (subject, body). The subject is for mail only.
pub fn text_for(
    template: &NoticeTemplate,
    way: ChannelKind,
    values: &NoticeValues,
) -> (String, String) {
    match way {
        ChannelKind::Email => (
            render(&template.email_subject, values),
            render(&template.email_text, values),
        ),
        ChannelKind::Sms => (String::new(), render(&template.sms_text, values)),
        ChannelKind::Wechat | ChannelKind::Pbx => {
            (String::new(), render(&template.wechat_text, values))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_templates_are_valid_and_cover_every_kind() {
        let t = NoticeTemplates::default();
        t.validate().unwrap();
        for kind in NoticeKind::ALL {
            assert!(t.get(*kind).is_some(), "{kind}");
        }
    }

    #[test]
    fn a_typo_in_a_placeholder_or_a_kind_twice_is_refused() {
        let mut t = NoticeTemplates::default();
        t.templates[0].sms_text = "工单{cse_number}".into();
        let err = t.validate().unwrap_err();
        assert!(
            matches!(&err, DomainError::Invalid { field, .. } if field == "templates[0].sms_text")
        );
        let mut t = NoticeTemplates::default();
        t.templates[1].email_text = "未闭合 {case_number".into();
        assert!(t.validate().is_err());
        let mut t = NoticeTemplates::default();
        let again = t.templates[0].clone();
        t.templates.push(again);
        assert!(t.validate().is_err());
        let mut t = NoticeTemplates::default();
        t.templates[2].wechat_text = " ".into();
        assert!(t.validate().is_err());
        t.templates[2].enabled = false;
        t.validate().unwrap();
    }

    #[test]
    fn a_wechat_template_is_checked_and_filled_in() {
        let mut t = NoticeTemplates::default();
        t.templates[2].wechat_template = Some(WeChatTemplate {
            template_id: "tpl_Resolved-01".into(),
            fields: vec![
                TemplateField {
                    key: "first".into(),
                    value: "您的工单已处理完毕".into(),
                },
                TemplateField {
                    key: "keyword1".into(),
                    value: "{case_number}".into(),
                },
            ],
        });
        t.validate().unwrap();
        let values = NoticeValues {
            case_number: "KF1".into(),
            ..NoticeValues::default()
        };
        let message = t.templates[2]
            .wechat_template
            .as_ref()
            .unwrap()
            .message(&values, Some("https://kefu.example/portal".into()));
        assert_eq!(message.fields[1].value, "KF1");
        type Spoil = fn(&mut WeChatTemplate);
        let changes: [(&str, Spoil); 4] = [
            ("templates[2].wechat_template.template_id", |w| {
                w.template_id = "tpl id".into()
            }),
            ("templates[2].wechat_template.fields", |w| w.fields.clear()),
            ("templates[2].wechat_template.fields[1].key", |w| {
                w.fields[1].key = "first".into()
            }),
            ("templates[2].wechat_template.fields[1].value", |w| {
                w.fields[1].value = "{case}".into()
            }),
        ];
        for (field, change) in changes {
            let mut bad = t.clone();
            if let Some(w) = bad.templates[2].wechat_template.as_mut() {
                change(w);
            }
            let err = bad.validate().unwrap_err();
            assert!(
                matches!(&err, DomainError::Invalid { field: f, .. } if f == field),
                "{field}: {err:?}"
            );
        }
    }

    #[test]
    fn rendering_fills_every_placeholder() {
        let values = NoticeValues {
            case_number: "KF20261207-0001".into(),
            subject: "包裹延误".into(),
            due_at: "12月7日 15:00".into(),
            survey_url: "https://kefu.example/portal/case?number=KF20261207-0001".into(),
            portal_url: "https://kefu.example/portal".into(),
            pickup_number: "PU20261207ABCDEF".into(),
            pickup_status: "快递员已接单".into(),
            courier_name: "李四".into(),
            courier_phone: "13900139000".into(),
            window: "12月7日 14:00–16:00".into(),
        };
        let t = NoticeTemplates::default();
        let (_, pickup) = text_for(
            t.get(NoticeKind::Pickup).unwrap(),
            ChannelKind::Sms,
            &values,
        );
        assert_eq!(
            pickup,
            "您的取件PU20261207ABCDEF：快递员已接单。快递员李四 13900139000，上门时间12月7日 14:00–16:00。"
        );
        let promised = t.get(NoticeKind::CallbackPromised).unwrap();
        let (_, sms) = text_for(promised, ChannelKind::Sms, &values);
        assert_eq!(
            sms,
            "关于工单KF20261207-0001，客服将在12月7日 15:00前给您回电，请保持电话畅通。"
        );
        let (subject, body) = text_for(
            t.get(NoticeKind::Survey).unwrap(),
            ChannelKind::Email,
            &values,
        );
        assert_eq!(subject, "请为本次服务评分 [KF20261207-0001]");
        assert!(body.ends_with("https://kefu.example/portal/case?number=KF20261207-0001"));
        assert!(!body.contains('{'));
    }

    #[test]
    fn the_way_follows_the_channel_then_sms_then_mail() {
        let all = Reach {
            email_address: Some("a@b.cn".into()),
            mobile: Some("13800138000".into()),
            wechat_open_id: Some("o1".into()),
            wechat_window_open: true,
            email_account: true,
            sms_account: true,
            wechat_account: true,
            ..Reach::default()
        };
        assert_eq!(choose_way(Channel::Email, &all), Ok(ChannelKind::Email));
        assert_eq!(choose_way(Channel::Wechat, &all), Ok(ChannelKind::Wechat));
        assert_eq!(choose_way(Channel::Phone, &all), Ok(ChannelKind::Sms));
        let closed = Reach {
            wechat_window_open: false,
            ..all.clone()
        };
        assert_eq!(choose_way(Channel::Wechat, &closed), Ok(ChannelKind::Sms));
        let closed_with_template = Reach {
            wechat_template: true,
            ..closed.clone()
        };
        assert_eq!(
            choose_way(Channel::Wechat, &closed_with_template),
            Ok(ChannelKind::Wechat)
        );
        let no_sms = Reach {
            sms_account: false,
            ..all.clone()
        };
        assert_eq!(choose_way(Channel::Phone, &no_sms), Ok(ChannelKind::Email));
        let nothing = Reach {
            email_account: false,
            sms_account: false,
            wechat_account: false,
            ..all.clone()
        };
        assert!(choose_way(Channel::Email, &nothing).is_err());
        let opted_out = Reach {
            opted_out: true,
            ..all
        };
        assert_eq!(
            choose_way(Channel::Email, &opted_out),
            Err("客户已退订通知")
        );
    }
}
