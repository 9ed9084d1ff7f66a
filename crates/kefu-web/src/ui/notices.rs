//! `/channels/notices` (admins): the SMS gateways notices go out through (the key typed, never
//! shown: an empty field keeps the stored one) and the notice templates — what kefu tells
//! customers by itself, per kind, per way out, and for which case channels.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_model::channels::{ChannelAccountView, ChannelKind, SmsAccountDraft};
use kefu_model::codes::Channel;
use kefu_model::error::DomainError;
use kefu_model::notices::{
    NOTICES_SETTING, NoticeTemplate, NoticeTemplates, PLACEHOLDERS, TemplateField, WeChatTemplate,
};

use super::account_form::{AccountForm, form_version, settle, stored_if_refused};
use super::i18n::{Lang, channel_label, notice_name};
use super::pages::Chrome;
use super::{CsrfForm, StaffPage, UiSession, encode, error_page, redirect, render};
use crate::AppState;

/// The words of this page.
pub struct NoticeTr {
    pub title: &'static str,
    pub gateways: &'static str,
    pub sent: &'static str,
    pub last_ok: &'static str,
    pub last_error: &'static str,
    pub no_gateways: &'static str,
    pub name: &'static str,
    pub endpoint: &'static str,
    pub sign_name: &'static str,
    pub api_key: &'static str,
    pub key_kept: &'static str,
    pub enabled: &'static str,
    pub edit: &'static str,
    pub add_gateway: &'static str,
    pub edit_gateway: &'static str,
    pub save: &'static str,
    pub templates: &'static str,
    pub templates_hint: &'static str,
    pub channels: &'static str,
    pub email_subject: &'static str,
    pub email_text: &'static str,
    pub sms_text: &'static str,
    pub wechat_text: &'static str,
    pub wechat_template_id: &'static str,
    pub wechat_fields: &'static str,
    pub save_templates: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub back: &'static str,
}

pub const ZH: NoticeTr = NoticeTr {
    title: "客户通知",
    gateways: "短信网关",
    sent: "已发送",
    last_ok: "上次发送",
    last_error: "最近错误",
    no_gateways: "还没有接入短信网关",
    name: "名称",
    endpoint: "网关地址",
    sign_name: "短信签名",
    api_key: "密钥",
    key_kept: "已保存；留空则不变",
    enabled: "启用",
    edit: "修改",
    add_gateway: "接入短信网关",
    edit_gateway: "修改短信网关",
    save: "保存",
    templates: "通知模板",
    templates_hint: "工单受理、承诺回电、处理完毕和满意度调查时自动通知客户：按客户来的渠道发（邮件、微信），否则发短信，再不行发邮件。可用占位符：",
    channels: "对这些渠道的工单发送",
    email_subject: "邮件主题",
    email_text: "邮件正文",
    sms_text: "短信内容",
    wechat_text: "微信消息",
    wechat_template_id: "微信模板消息 ID（超过48小时后用它通知关注者；留空则改发短信或邮件）",
    wechat_fields: "模板字段（每行 字段=内容，如 keyword1={case_number}）",
    save_templates: "保存模板",
    yes: "是",
    no: "否",
    back: "返回渠道接入",
};

pub const EN: NoticeTr = NoticeTr {
    title: "Customer notices",
    gateways: "SMS gateways",
    sent: "Sent",
    last_ok: "Last sent",
    last_error: "Last error",
    no_gateways: "No SMS gateway connected yet",
    name: "Name",
    endpoint: "Gateway URL",
    sign_name: "SMS signature",
    api_key: "Key",
    key_kept: "saved; leave empty to keep it",
    enabled: "Enabled",
    edit: "Edit",
    add_gateway: "Connect an SMS gateway",
    edit_gateway: "Edit SMS gateway",
    save: "Save",
    templates: "Notice templates",
    templates_hint: "Customers are told when their case is received, a call-back is promised, the case is resolved, and asked to rate it: on the channel they came on (mail, WeChat), else by SMS, else by mail. Placeholders:",
    channels: "Send for cases from",
    email_subject: "Mail subject",
    email_text: "Mail text",
    sms_text: "SMS text",
    wechat_text: "WeChat message",
    wechat_template_id: "WeChat template message id (reaches a follower after 48 hours; empty: SMS or mail instead)",
    wechat_fields: "Template fields (one per line: key=text, e.g. keyword1={case_number})",
    save_templates: "Save templates",
    yes: "yes",
    no: "no",
    back: "Back to channels",
};

fn words(s: &UiSession) -> &'static NoticeTr {
    match s.tr.lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

struct GatewayRow {
    href: String,
    name: String,
    endpoint: String,
    sign_name: String,
    enabled: bool,
    sent: u64,
    last_ok: String,
    last_error: String,
}

struct ChannelBox {
    field: String,
    label: &'static str,
    checked: bool,
}

struct TemplateRow {
    index: usize,
    name: &'static str,
    enabled: bool,
    channels: Vec<ChannelBox>,
    email_subject: String,
    email_text: String,
    sms_text: String,
    wechat_text: String,
    wechat_template_id: String,
    /// `key=value`, one field a line.
    wechat_fields: String,
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    chrome: Chrome,
    w: &'static NoticeTr,
    gateways: Vec<GatewayRow>,
    form: AccountForm,
    templates: Vec<TemplateRow>,
    placeholders: String,
    templates_error: Option<String>,
}

fn template_rows(lang: Lang, templates: &NoticeTemplates) -> Vec<TemplateRow> {
    templates
        .templates
        .iter()
        .enumerate()
        .map(|(index, t)| TemplateRow {
            index,
            name: notice_name(lang, t.kind),
            enabled: t.enabled,
            channels: Channel::ALL
                .iter()
                .map(|c| ChannelBox {
                    field: format!("t{index}_channel_{c}"),
                    label: channel_label(lang, *c),
                    checked: t.channels.contains(c),
                })
                .collect(),
            email_subject: t.email_subject.clone(),
            email_text: t.email_text.clone(),
            sms_text: t.sms_text.clone(),
            wechat_text: t.wechat_text.clone(),
            wechat_template_id: t
                .wechat_template
                .as_ref()
                .map(|w| w.template_id.clone())
                .unwrap_or_default(),
            wechat_fields: t
                .wechat_template
                .as_ref()
                .map(|w| {
                    w.fields
                        .iter()
                        .map(|f| format!("{}={}", f.key, f.value))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
        })
        .collect()
}

async fn page(
    state: &AppState,
    s: &UiSession,
    chrome: Chrome,
    form: AccountForm,
    typed_templates: Option<(NoticeTemplates, String)>,
    status: StatusCode,
) -> Response {
    let desk = &state.desk;
    let gateways = match desk.channel_accounts_of(&s.actor, ChannelKind::Sms).await {
        Ok(a) => a,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let (templates, templates_error) = match typed_templates {
        Some((typed, error)) => (typed, Some(error)),
        None => match desk.get_setting(&s.actor, NOTICES_SETTING).await {
            Ok(v) => (serde_json::from_value(v).unwrap_or_default(), None),
            Err(e) => return error_page(s.tr, Some(s), &e),
        },
    };
    let gateways = gateways
        .iter()
        .filter_map(|v| {
            let sms = v.account.sms()?;
            Some(GatewayRow {
                href: format!("/channels/sms/{}", encode(&v.account.id)),
                name: v.account.name.clone(),
                endpoint: sms.endpoint.clone(),
                sign_name: sms.sign_name.clone(),
                enabled: v.account.enabled,
                sent: v.status.received,
                last_ok: v
                    .status
                    .last_ok_at
                    .map(|t| super::pages::local(t, desk.time_zone()))
                    .unwrap_or_default(),
                last_error: v.status.last_error.clone().unwrap_or_default(),
            })
        })
        .collect();
    let mut r = render(&NoticesPage {
        chrome,
        w: words(s),
        gateways,
        form,
        templates: template_rows(s.tr.lang, &templates),
        placeholders: PLACEHOLDERS
            .iter()
            .map(|p| format!("{{{p}}}"))
            .collect::<Vec<_>>()
            .join(" "),
        templates_error,
    });
    *r.status_mut() = status;
    r
}

fn new_form(w: &'static NoticeTr) -> AccountForm {
    AccountForm {
        action: "/channels/sms".into(),
        heading: w.add_gateway,
        values: [("enabled".to_string(), "on".to_string())].into(),
        ..AccountForm::default()
    }
}

fn stored_values(v: &ChannelAccountView) -> HashMap<String, String> {
    let Some(sms) = v.account.sms() else {
        return HashMap::new();
    };
    [
        ("name", v.account.name.clone()),
        ("enabled", if v.account.enabled { "on" } else { "" }.into()),
        ("endpoint", sms.endpoint.clone()),
        ("sign_name", sms.sign_name.clone()),
        ("version", v.account.version.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn draft_of(values: &HashMap<String, String>) -> Result<SmsAccountDraft, DomainError> {
    let text = |k: &str| {
        values
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let version = form_version(values)?;
    Ok(SmsAccountDraft {
        name: text("name"),
        enabled: matches!(text("enabled").as_str(), "on" | "true"),
        endpoint: text("endpoint"),
        sign_name: text("sign_name"),
        api_key: values.get("api_key").cloned().filter(|k| !k.is_empty()),
        version,
    })
}

/// `GET /channels/notices`.
pub async fn notices_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
) -> Response {
    let form = new_form(words(&s));
    page(&state, &s, chrome, form, None, StatusCode::OK).await
}

/// `GET /channels/sms/{id}`: the page with the gateway's form filled in.
pub async fn edit_gateway_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
    Path(id): Path<String>,
) -> Response {
    let stored = match state
        .desk
        .channel_account_of(&s.actor, &id, ChannelKind::Sms)
        .await
    {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let form = AccountForm {
        action: format!("/channels/sms/{}", encode(&id)),
        heading: words(&s).edit_gateway,
        values: stored_values(&stored),
        key_set: stored.secret_is_set("api_key"),
        error: None,
    };
    page(&state, &s, chrome, form, None, StatusCode::OK).await
}

/// `POST /channels/sms`.
pub async fn create_gateway(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let saved = match draft_of(&form) {
        Ok(draft) => state.desk.create_sms_account(&s.actor, draft).await,
        Err(e) => Err(e),
    };
    let refused = AccountForm {
        action: "/channels/sms".into(),
        heading: words(&s).add_gateway,
        ..AccountForm::default()
    };
    answer(&state, s, saved.map(|_| ()), refused, form).await
}

/// `POST /channels/sms/{id}`: at the version the form was read at.
pub async fn update_gateway(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let saved = match draft_of(&form) {
        Ok(draft) => state.desk.update_sms_account(&s.actor, &id, draft).await,
        Err(e) => Err(e),
    };
    let key_set = stored_if_refused(&state, &s, &id, ChannelKind::Sms, saved.is_err())
        .await
        .is_some_and(|v| v.secret_is_set("api_key"));
    let refused = AccountForm {
        action: format!("/channels/sms/{}", encode(&id)),
        heading: words(&s).edit_gateway,
        key_set,
        ..AccountForm::default()
    };
    answer(&state, s, saved.map(|_| ()), refused, form).await
}

async fn answer(
    state: &AppState,
    s: UiSession,
    saved: Result<(), DomainError>,
    mut refused: AccountForm,
    typed: HashMap<String, String>,
) -> Response {
    let is_secret: fn(&str) -> bool = |k| k == "api_key";
    match settle(state, &s, saved, typed, is_secret, "/channels/notices").await {
        Ok(r) => {
            refused.error = Some(r.reason);
            refused.values = r.typed;
            page(
                state,
                &s,
                r.chrome,
                refused,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(answer) => answer,
    }
}

/// The templates as the form carries them (`t{i}_…` fields over the stored kinds).
fn templates_of(stored: &NoticeTemplates, form: &HashMap<String, String>) -> NoticeTemplates {
    let field = |i: usize, name: &str| form.get(&format!("t{i}_{name}")).cloned();
    NoticeTemplates {
        templates: stored
            .templates
            .iter()
            .enumerate()
            .map(|(i, t)| NoticeTemplate {
                kind: t.kind,
                enabled: field(i, "enabled").is_some_and(|v| v == "on"),
                channels: Channel::ALL
                    .iter()
                    .copied()
                    .filter(|c| field(i, &format!("channel_{c}")).is_some_and(|v| v == "on"))
                    .collect(),
                email_subject: field(i, "email_subject").unwrap_or_default(),
                email_text: field(i, "email_text").unwrap_or_default(),
                sms_text: field(i, "sms_text").unwrap_or_default(),
                wechat_text: field(i, "wechat_text").unwrap_or_default(),
                wechat_template: wechat_template_of(
                    field(i, "wechat_template_id").unwrap_or_default().trim(),
                    &field(i, "wechat_fields").unwrap_or_default(),
                ),
            })
            .collect(),
    }
}

/// A template message as the form has it: an id and `key=value` lines (no id: none). A line
/// without `=` is kept as a key without text, which the setting's check refuses by name.
fn wechat_template_of(template_id: &str, lines: &str) -> Option<WeChatTemplate> {
    if template_id.is_empty() {
        return None;
    }
    let fields = lines
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once('=') {
            Some((key, value)) => TemplateField {
                key: key.trim().to_string(),
                value: value.trim().to_string(),
            },
            None => TemplateField {
                key: l.to_string(),
                value: String::new(),
            },
        })
        .collect();
    Some(WeChatTemplate {
        template_id: template_id.to_string(),
        fields,
    })
}

/// `POST /channels/notices/templates`: a refused template comes back as typed with the reason.
pub async fn save_templates(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let desk = &state.desk;
    let stored: NoticeTemplates = match desk.get_setting(&s.actor, NOTICES_SETTING).await {
        Ok(v) => serde_json::from_value(v).unwrap_or_default(),
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let typed = templates_of(&stored, &form);
    let value = match serde_json::to_value(&typed) {
        Ok(v) => v,
        Err(e) => {
            return error_page(
                s.tr,
                Some(&s),
                &DomainError::invalid("templates", e.to_string()),
            );
        }
    };
    match desk.put_setting(&s.actor, NOTICES_SETTING, value).await {
        Ok(_) => redirect("/channels/notices"),
        Err(e @ DomainError::Invalid { .. }) => {
            let chrome = match super::pages::nav(&state, &s, "/channels").await {
                Ok(c) => c,
                Err(e) => return error_page(s.tr, Some(&s), &e),
            };
            let form = new_form(words(&s));
            let reason = crate::error::public_message(&e);
            page(
                &state,
                &s,
                chrome,
                form,
                Some((typed, reason)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}
