//! `/channels` (admins): the mailboxes with their readers' status, adding and changing one
//! (passwords are typed, never shown: an empty field keeps the stored one), and the intake —
//! every mail taken in, what became of it, and what could not be read. The WeChat accounts'
//! section is `wechat_channels`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_model::channels::{
    ChannelAccountView, ChannelKind, EmailAccountDraft, InboundOutcome, InboundRecord, MailSecurity,
};
use kefu_model::error::DomainError;

use super::account_form::{settle, stored_if_refused};
use super::i18n::Lang;
use super::pages::{Chrome, local};
use super::wechat_channels::{WeChatForm, WeChatSection, section};
use super::{CsrfForm, StaffPage, UiSession, encode, error_page, render};
use crate::AppState;

/// The words of these pages, in both languages.
pub struct ChannelTr {
    pub title: &'static str,
    pub mailboxes: &'static str,
    pub no_mailboxes: &'static str,
    pub name: &'static str,
    pub address: &'static str,
    pub display_name: &'static str,
    pub enabled: &'static str,
    pub received: &'static str,
    pub last_ok: &'static str,
    pub last_error: &'static str,
    pub edit: &'static str,
    pub add_mailbox: &'static str,
    pub edit_mailbox: &'static str,
    pub reading: &'static str,
    pub sending: &'static str,
    pub host: &'static str,
    pub port: &'static str,
    pub security: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub password_kept: &'static str,
    pub folder: &'static str,
    pub signature: &'static str,
    pub save: &'static str,
    pub intake: &'static str,
    pub no_intake: &'static str,
    pub at: &'static str,
    pub from: &'static str,
    pub subject: &'static str,
    pub outcome: &'static str,
    pub case: &'static str,
    pub detail: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub notices: &'static str,
    pub to_look_at: &'static str,
    pub dismissed: &'static str,
    pub all: &'static str,
    pub download: &'static str,
    pub retake: &'static str,
    pub dismiss: &'static str,
    pub dismiss_reason: &'static str,
    pub handled_by: &'static str,
}

pub const ZH: ChannelTr = ChannelTr {
    title: "渠道接入",
    mailboxes: "客服邮箱",
    no_mailboxes: "还没有接入邮箱",
    name: "名称",
    address: "邮箱地址",
    display_name: "发件人名称",
    enabled: "启用",
    received: "已收",
    last_ok: "上次收信",
    last_error: "最近错误",
    edit: "修改",
    add_mailbox: "接入邮箱",
    edit_mailbox: "修改邮箱",
    reading: "收信（IMAP）",
    sending: "发信（SMTP）",
    host: "服务器",
    port: "端口",
    security: "加密",
    username: "用户名",
    password: "密码",
    password_kept: "已保存；留空则不变",
    folder: "文件夹",
    signature: "签名",
    save: "保存",
    intake: "收到的邮件",
    no_intake: "还没有收到邮件",
    at: "时间",
    from: "发件人",
    subject: "主题",
    outcome: "处理结果",
    case: "工单",
    detail: "说明",
    yes: "是",
    no: "否",
    notices: "客户通知与短信网关 →",
    to_look_at: "待处理",
    dismissed: "已搁置",
    all: "全部",
    download: "下载原件（.eml）",
    retake: "重新读取",
    dismiss: "搁置",
    dismiss_reason: "搁置原因（必填）",
    handled_by: "处理人",
};

pub const EN: ChannelTr = ChannelTr {
    title: "Channels",
    mailboxes: "Mailboxes",
    no_mailboxes: "No mailbox connected yet",
    name: "Name",
    address: "Address",
    display_name: "Sender name",
    enabled: "Enabled",
    received: "Received",
    last_ok: "Last read",
    last_error: "Last error",
    edit: "Edit",
    add_mailbox: "Connect a mailbox",
    edit_mailbox: "Edit mailbox",
    reading: "Reading (IMAP)",
    sending: "Sending (SMTP)",
    host: "Server",
    port: "Port",
    security: "Security",
    username: "User name",
    password: "Password",
    password_kept: "saved; leave empty to keep it",
    folder: "Folder",
    signature: "Signature",
    save: "Save",
    intake: "Mail taken in",
    no_intake: "No mail received yet",
    at: "Time",
    from: "From",
    subject: "Subject",
    outcome: "Outcome",
    case: "Case",
    detail: "Detail",
    yes: "yes",
    no: "no",
    notices: "Customer notices and SMS gateways →",
    to_look_at: "To look at",
    dismissed: "Dismissed",
    all: "All",
    download: "Download the original (.eml)",
    retake: "Read again",
    dismiss: "Dismiss",
    dismiss_reason: "Why it is dismissed (required)",
    handled_by: "Handled by",
};

pub(super) fn words(s: &UiSession) -> &'static ChannelTr {
    match s.tr.lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// What became of a mail, in the page's language.
pub fn outcome_label(lang: Lang, outcome: InboundOutcome) -> &'static str {
    match outcome {
        InboundOutcome::Created => lang.pick("新建工单", "New case"),
        InboundOutcome::Joined => lang.pick("并入工单", "Added to its case"),
        InboundOutcome::AutoReply => lang.pick("自动回复，已忽略", "Auto-reply, ignored"),
        InboundOutcome::Bounce => lang.pick("退信", "Bounce"),
        InboundOutcome::Unparsed => {
            lang.pick("无法解析，待人工处理", "Unreadable, kept for a person")
        }
        InboundOutcome::Event => lang.pick("微信事件，已记录", "WeChat event, recorded"),
        InboundOutcome::Retaken => lang.pick("重新读取后已收录", "Read again and taken in"),
        InboundOutcome::Dismissed => lang.pick("已搁置", "Dismissed"),
    }
}

struct MailboxRow {
    href: String,
    name: String,
    address: String,
    enabled: bool,
    received: u64,
    last_ok: String,
    last_error: String,
}

struct IntakeRow {
    at: String,
    from: String,
    subject: String,
    outcome: &'static str,
    unparsed: bool,
    case_href: Option<String>,
    detail: String,
    /// Where the row's actions go (`/channels/inbound/{key}`), for a row with the original kept.
    actions_href: Option<String>,
    /// Who settled it, when and why, in one line.
    handled: String,
}

/// The form's fields as typed (or as stored, passwords never).
#[derive(Default)]
pub(super) struct MailboxForm {
    action: String,
    heading: &'static str,
    values: HashMap<String, String>,
    imap_password_set: bool,
    smtp_password_set: bool,
    error: Option<String>,
}

impl MailboxForm {
    fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    fn selected(&self, field: &str, code: &str) -> bool {
        self.value(field) == code
    }

    fn checked(&self, field: &str) -> bool {
        matches!(self.value(field), "on" | "true")
    }
}

#[derive(Template)]
#[template(path = "channels.html")]
struct ChannelsPage {
    chrome: Chrome,
    w: &'static ChannelTr,
    mailboxes: Vec<MailboxRow>,
    /// The telephone system's accounts (configured through the API).
    pbx: Vec<super::calls::PbxRow>,
    phone: super::calls::PhoneWords,
    intake: Vec<IntakeRow>,
    form: MailboxForm,
    securities: Vec<&'static str>,
    wechat: WeChatSection,
    /// The intake list's filter: "" (all), "unparsed" or "dismissed".
    intake_filter: &'static str,
    /// Why an action on the intake was refused, shown above the list.
    intake_error: Option<String>,
}

fn stored_values(v: &ChannelAccountView) -> HashMap<String, String> {
    let Some(e) = v.account.email() else {
        return HashMap::new();
    };
    [
        ("name", v.account.name.clone()),
        ("enabled", if v.account.enabled { "on" } else { "" }.into()),
        ("address", e.address.as_str().to_string()),
        ("display_name", e.display_name.clone()),
        ("imap_host", e.imap_host.clone()),
        ("imap_port", e.imap_port.to_string()),
        ("imap_security", e.imap_security.as_str().into()),
        ("imap_username", e.imap_username.clone()),
        ("imap_mailbox", e.imap_mailbox.clone()),
        ("smtp_host", e.smtp_host.clone()),
        ("smtp_port", e.smtp_port.to_string()),
        ("smtp_security", e.smtp_security.as_str().into()),
        ("smtp_username", e.smtp_username.clone()),
        ("signature", e.signature.clone()),
        ("version", v.account.version.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The typed fields as a draft; a port or security that does not parse is refused by name.
fn draft_of(values: &HashMap<String, String>) -> Result<EmailAccountDraft, DomainError> {
    let text = |k: &str| {
        values
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let optional = |k: &str| Some(text(k)).filter(|v| !v.is_empty());
    let port = |k: &str| match optional(k) {
        None => Ok(None),
        Some(p) => p
            .parse::<u16>()
            .map(Some)
            .map_err(|_| DomainError::invalid(k, "a port from 1 to 65535")),
    };
    let security = |k: &str| match optional(k) {
        None => Ok(None),
        Some(v) => MailSecurity::parse(&v)
            .map(Some)
            .ok_or_else(|| DomainError::invalid(k, "tls, starttls or plain")),
    };
    let version = match optional("version") {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| DomainError::invalid("version", "a number"))?,
        ),
    };
    Ok(EmailAccountDraft {
        name: text("name"),
        enabled: matches!(text("enabled").as_str(), "on" | "true"),
        address: text("address"),
        display_name: text("display_name"),
        imap_host: text("imap_host"),
        imap_port: port("imap_port")?,
        imap_security: security("imap_security")?,
        imap_username: text("imap_username"),
        // Passwords are taken as typed (spaces may belong to them); empty keeps the stored.
        imap_password: values
            .get("imap_password")
            .cloned()
            .filter(|p| !p.is_empty()),
        imap_mailbox: optional("imap_mailbox"),
        smtp_host: text("smtp_host"),
        smtp_port: port("smtp_port")?,
        smtp_security: security("smtp_security")?,
        smtp_username: optional("smtp_username"),
        smtp_password: values
            .get("smtp_password")
            .cloned()
            .filter(|p| !p.is_empty()),
        signature: values.get("signature").cloned().unwrap_or_default(),
        // Team signatures are kept as stored: they are set through the API.
        team_signatures: None,
        version,
    })
}

async fn page(
    state: &AppState,
    s: &UiSession,
    chrome: Chrome,
    form: MailboxForm,
    status: StatusCode,
) -> Response {
    page_with(state, s, chrome, Some(form), None, status).await
}

/// The page with the mailbox form and the WeChat form as given (empty ones for `None`).
pub(super) async fn page_with(
    state: &AppState,
    s: &UiSession,
    chrome: Chrome,
    form: Option<MailboxForm>,
    wechat_form: Option<WeChatForm>,
    status: StatusCode,
) -> Response {
    page_full(
        state,
        s,
        chrome,
        form,
        wechat_form,
        Intake::default(),
        status,
    )
    .await
}

/// The intake list's filter and a refusal to show above it.
#[derive(Default)]
struct Intake {
    outcome: Option<InboundOutcome>,
    error: Option<String>,
}

async fn page_full(
    state: &AppState,
    s: &UiSession,
    chrome: Chrome,
    form: Option<MailboxForm>,
    wechat_form: Option<WeChatForm>,
    intake_view: Intake,
    status: StatusCode,
) -> Response {
    let form = form.unwrap_or_else(|| new_form(words(s)));
    let desk = &state.desk;
    let wechat = match section(state, s, wechat_form).await {
        Ok(w) => w,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let accounts = match desk.channel_accounts_of(&s.actor, ChannelKind::Email).await {
        Ok(a) => a,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let records: Vec<InboundRecord> = match desk
        .inbound_messages(&s.actor, intake_view.outcome, Some(100))
        .await
    {
        Ok(r) => r,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let tz = desk.time_zone();
    let mailboxes = accounts
        .iter()
        .map(|v| MailboxRow {
            href: format!("/channels/email/{}", encode(&v.account.id)),
            name: v.account.name.clone(),
            address: v
                .account
                .email()
                .map(|e| e.address.as_str().to_string())
                .unwrap_or_default(),
            enabled: v.account.enabled,
            received: v.status.received,
            last_ok: v
                .status
                .last_ok_at
                .map(|t| local(t, tz))
                .unwrap_or_default(),
            last_error: v.status.last_error.clone().unwrap_or_default(),
        })
        .collect();
    let intake = records
        .iter()
        .map(|r| IntakeRow {
            at: local(r.received_at, tz),
            from: r.from.clone(),
            subject: r.subject.clone(),
            outcome: outcome_label(s.tr.lang, r.outcome),
            unparsed: r.outcome == InboundOutcome::Unparsed,
            case_href: r
                .case_id
                .as_ref()
                .map(|c| format!("/cases/{}", encode(c.as_str()))),
            detail: r.detail.clone(),
            actions_href: r
                .raw_base64
                .is_some()
                .then(|| format!("/channels/inbound/{}", encode(&r.dedupe_key))),
            handled: r
                .handled
                .as_ref()
                .map(|h| format!("{} · {} · {}", h.by, local(h.at, tz), h.reason))
                .unwrap_or_default(),
        })
        .collect();
    let pbx = match desk.channel_accounts_of(&s.actor, ChannelKind::Pbx).await {
        Ok(a) => super::calls::pbx_rows(&a, tz),
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let mut r = render(&ChannelsPage {
        chrome,
        w: words(s),
        mailboxes,
        pbx,
        phone: super::calls::words(s.tr.lang),
        intake,
        form,
        securities: MailSecurity::ALL.iter().map(|m| m.as_str()).collect(),
        wechat,
        intake_filter: intake_view.outcome.map_or("", |o| o.as_str()),
        intake_error: intake_view.error,
    });
    *r.status_mut() = status;
    r
}

fn new_form(w: &'static ChannelTr) -> MailboxForm {
    MailboxForm {
        action: "/channels/email".into(),
        heading: w.add_mailbox,
        values: [
            ("enabled", "on"),
            ("imap_security", "tls"),
            ("smtp_security", "tls"),
            ("imap_mailbox", "INBOX"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        ..MailboxForm::default()
    }
}

#[derive(serde::Deserialize)]
pub struct IntakeFilter {
    #[serde(default)]
    intake: Option<String>,
}

/// `GET /channels?intake=unparsed|dismissed`: the intake list all, or only what waits for a
/// person, or what was set aside (an unknown filter shows all).
pub async fn channels_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
    Query(filter): Query<IntakeFilter>,
) -> Response {
    let outcome = filter
        .intake
        .as_deref()
        .and_then(InboundOutcome::parse)
        .filter(|o| matches!(o, InboundOutcome::Unparsed | InboundOutcome::Dismissed));
    let intake = Intake {
        outcome,
        error: None,
    };
    page_full(&state, &s, chrome, None, None, intake, StatusCode::OK).await
}

/// `GET /channels/inbound/{key}/original`: the kept bytes as a `.eml` download (audited).
pub async fn inbound_original(
    State(state): State<AppState>,
    s: UiSession,
    Path(key): Path<String>,
) -> Response {
    match state.desk.inbound_original(&s.actor, &key).await {
        Ok((record, raw)) => crate::channels::original_download(&record, raw),
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

/// `POST /channels/inbound/{key}/retake`: read it again; back to the list to look at.
pub async fn retake_inbound(
    State(state): State<AppState>,
    Path(key): Path<String>,
    CsrfForm { s, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let done = state.desk.retake_inbound(&s.actor, &key).await.map(|_| ());
    intake_answer(&state, s, done).await
}

/// `POST /channels/inbound/{key}/dismiss`: set it aside with the reason typed.
pub async fn dismiss_inbound(
    State(state): State<AppState>,
    Path(key): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let reason = form.get("reason").map(String::as_str).unwrap_or_default();
    let done = state
        .desk
        .dismiss_inbound(&s.actor, &key, reason)
        .await
        .map(|_| ());
    intake_answer(&state, s, done).await
}

/// Done: back to what waits for a person. Refused: the list again with the reason above it,
/// the status the API would answer.
async fn intake_answer(state: &AppState, s: UiSession, done: Result<(), DomainError>) -> Response {
    let e = match done {
        Ok(()) => return super::redirect("/channels?intake=unparsed#intake"),
        Err(e @ (DomainError::Invalid { .. } | DomainError::Conflict { .. })) => e,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let chrome = match super::pages::nav(state, &s, "/channels").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let intake = Intake {
        outcome: Some(InboundOutcome::Unparsed),
        error: Some(crate::error::public_message(&e)),
    };
    let status = crate::error::status_of(&e);
    page_full(state, &s, chrome, None, None, intake, status).await
}

/// `GET /channels/email/{id}`: the page with the mailbox's form filled in.
pub async fn edit_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
    Path(id): Path<String>,
) -> Response {
    let stored = match state
        .desk
        .channel_account_of(&s.actor, &id, ChannelKind::Email)
        .await
    {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let form = MailboxForm {
        action: format!("/channels/email/{}", encode(&id)),
        heading: words(&s).edit_mailbox,
        values: stored_values(&stored),
        imap_password_set: stored.secret_is_set("imap_password"),
        smtp_password_set: stored.secret_is_set("smtp_password"),
        error: None,
    };
    page(&state, &s, chrome, form, StatusCode::OK).await
}

/// `POST /channels/email`: adds a mailbox; a bad field is a 422 with the form as typed.
pub async fn create(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let saved = match draft_of(&form) {
        Ok(draft) => state.desk.create_email_account(&s.actor, draft).await,
        Err(e) => Err(e),
    };
    let refused = MailboxForm {
        action: "/channels/email".into(),
        heading: words(&s).add_mailbox,
        ..MailboxForm::default()
    };
    answer(&state, s, saved.map(|_| ()), refused, form).await
}

/// `POST /channels/email/{id}`: changes a mailbox at the version the form was read at.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let saved = match draft_of(&form) {
        Ok(draft) => state.desk.update_email_account(&s.actor, &id, draft).await,
        Err(e) => Err(e),
    };
    let stored = stored_if_refused(&state, &s, &id, ChannelKind::Email, saved.is_err()).await;
    let refused = MailboxForm {
        action: format!("/channels/email/{}", encode(&id)),
        heading: words(&s).edit_mailbox,
        imap_password_set: stored
            .as_ref()
            .is_some_and(|v| v.secret_is_set("imap_password")),
        smtp_password_set: stored
            .as_ref()
            .is_some_and(|v| v.secret_is_set("smtp_password")),
        ..MailboxForm::default()
    };
    answer(&state, s, saved.map(|_| ()), refused, form).await
}

async fn answer(
    state: &AppState,
    s: UiSession,
    saved: Result<(), DomainError>,
    mut refused: MailboxForm,
    typed: HashMap<String, String>,
) -> Response {
    // What was typed comes back, passwords never.
    let is_secret: fn(&str) -> bool = |k| k.ends_with("password");
    match settle(state, &s, saved, typed, is_secret, "/channels").await {
        Ok(r) => {
            refused.error = Some(r.reason);
            refused.values = r.typed;
            page(
                state,
                &s,
                r.chrome,
                refused,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(answer) => answer,
    }
}
