//! `/channels/pbx` (admins): the telephone systems that report their calls to kefu — the
//! webhook path to give the PBX, the reader's status, and adding or changing one (the webhook
//! secret typed, never shown: an empty field keeps the stored one).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_model::channels::{ChannelAccountView, ChannelKind};
use kefu_model::error::DomainError;
use kefu_model::pbx_account::PbxAccountDraft;

use super::account_form::{AccountForm, form_version, settle, stored_if_refused};
use super::calls::{PbxRow, pbx_rows};
use super::i18n::Lang;
use super::pages::Chrome;
use super::{CsrfForm, StaffPage, UiSession, encode, error_page, render};
use crate::AppState;

/// The words of this page.
pub struct PbxTr {
    pub title: &'static str,
    pub none: &'static str,
    pub name: &'static str,
    pub webhook: &'static str,
    pub enabled: &'static str,
    pub received: &'static str,
    pub last_ok: &'static str,
    pub last_error: &'static str,
    pub edit: &'static str,
    pub add: &'static str,
    pub change: &'static str,
    pub secret: &'static str,
    pub secret_hint: &'static str,
    pub secret_kept: &'static str,
    pub tolerance: &'static str,
    pub recordings: &'static str,
    pub save: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub back: &'static str,
    pub how: &'static str,
}

pub const ZH: PbxTr = PbxTr {
    title: "电话系统（PBX）",
    none: "还没有接入电话系统",
    name: "名称",
    webhook: "Webhook 地址",
    enabled: "启用",
    received: "已收事件",
    last_ok: "上次收到",
    last_error: "最近错误",
    edit: "修改",
    add: "接入电话系统",
    change: "修改电话系统",
    secret: "签名密钥",
    secret_hint: "至少 16 字节；电话系统用它对每个事件签名（HMAC-SHA256）",
    secret_kept: "已保存；留空则不变",
    tolerance: "时间戳容差（秒）",
    recordings: "录音地址前缀",
    save: "保存",
    yes: "是",
    no: "否",
    back: "返回渠道接入",
    how: "电话系统把来电事件（offered、queued、answered、ended、abandoned）POST 到 Webhook 地址，带 X-Kefu-Timestamp 和 X-Kefu-Signature 头。",
};

pub const EN: PbxTr = PbxTr {
    title: "Telephone system (PBX)",
    none: "No telephone system connected yet",
    name: "Name",
    webhook: "Webhook path",
    enabled: "Enabled",
    received: "Events",
    last_ok: "Last event",
    last_error: "Last error",
    edit: "Edit",
    add: "Connect a telephone system",
    change: "Edit telephone system",
    secret: "Signing secret",
    secret_hint: "16 bytes or more; the PBX signs every event with it (HMAC-SHA256)",
    secret_kept: "saved; leave empty to keep it",
    tolerance: "Timestamp tolerance (seconds)",
    recordings: "Recording URL prefix",
    save: "Save",
    yes: "yes",
    no: "no",
    back: "Back to channels",
    how: "The PBX POSTs its call events (offered, queued, answered, ended, abandoned) to the webhook path with the X-Kefu-Timestamp and X-Kefu-Signature headers.",
};

fn words(s: &UiSession) -> &'static PbxTr {
    match s.tr.lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

#[derive(Template)]
#[template(path = "pbx.html")]
struct PbxPage {
    chrome: Chrome,
    w: &'static PbxTr,
    accounts: Vec<PbxRow>,
    form: AccountForm,
}

fn draft_of(values: &HashMap<String, String>) -> Result<PbxAccountDraft, DomainError> {
    let text = |k: &str| {
        values
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let tolerance_seconds = match text("tolerance_seconds").as_str() {
        "" => None,
        t => Some(
            t.parse::<u32>()
                .map_err(|_| DomainError::invalid("tolerance_seconds", "a number of seconds"))?,
        ),
    };
    Ok(PbxAccountDraft {
        name: text("name"),
        enabled: matches!(text("enabled").as_str(), "on" | "true"),
        tolerance_seconds,
        recording_base_url: Some(text("recording_base_url")).filter(|u| !u.is_empty()),
        // Taken as typed: spaces may belong to a secret; empty keeps the stored one.
        webhook_secret: values
            .get("webhook_secret")
            .cloned()
            .filter(|k| !k.is_empty()),
        version: form_version(values)?,
    })
}

fn stored_values(v: &ChannelAccountView) -> HashMap<String, String> {
    let Some(pbx) = v.account.pbx() else {
        return HashMap::new();
    };
    [
        ("name", v.account.name.clone()),
        ("enabled", if v.account.enabled { "on" } else { "" }.into()),
        ("tolerance_seconds", pbx.tolerance_seconds.to_string()),
        ("recording_base_url", pbx.recording_base_url.clone()),
        ("version", v.account.version.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

async fn page(
    state: &AppState,
    s: &UiSession,
    chrome: Chrome,
    form: AccountForm,
    status: StatusCode,
) -> Response {
    let accounts = match state
        .desk
        .channel_accounts_of(&s.actor, ChannelKind::Pbx)
        .await
    {
        Ok(a) => a,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let mut r = render(&PbxPage {
        chrome,
        w: words(s),
        accounts: pbx_rows(&accounts, state.desk.time_zone()),
        form,
    });
    *r.status_mut() = status;
    r
}

fn new_form(w: &'static PbxTr) -> AccountForm {
    AccountForm {
        action: "/channels/pbx".into(),
        heading: w.add,
        values: [
            ("enabled".to_string(), "on".to_string()),
            ("tolerance_seconds".to_string(), "300".to_string()),
        ]
        .into(),
        ..AccountForm::default()
    }
}

/// `GET /channels/pbx`.
pub async fn pbx_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
) -> Response {
    let form = new_form(words(&s));
    page(&state, &s, chrome, form, StatusCode::OK).await
}

/// `GET /channels/pbx/{id}`: the page with the account's form filled in.
pub async fn edit_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
    Path(id): Path<String>,
) -> Response {
    let stored = match state
        .desk
        .channel_account_of(&s.actor, &id, ChannelKind::Pbx)
        .await
    {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let form = AccountForm {
        action: format!("/channels/pbx/{}", encode(&id)),
        heading: words(&s).change,
        values: stored_values(&stored),
        key_set: stored.secret_is_set("webhook_secret"),
        error: None,
    };
    page(&state, &s, chrome, form, StatusCode::OK).await
}

/// `POST /channels/pbx`.
pub async fn create(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let saved = match draft_of(&form) {
        Ok(draft) => state.desk.create_pbx_account(&s.actor, draft).await,
        Err(e) => Err(e),
    };
    let refused = AccountForm {
        action: "/channels/pbx".into(),
        heading: words(&s).add,
        ..AccountForm::default()
    };
    answer(&state, s, saved.map(|_| ()), refused, form).await
}

/// `POST /channels/pbx/{id}`: at the version the form was read at.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let saved = match draft_of(&form) {
        Ok(draft) => state.desk.update_pbx_account(&s.actor, &id, draft).await,
        Err(e) => Err(e),
    };
    let key_set = stored_if_refused(&state, &s, &id, ChannelKind::Pbx, saved.is_err())
        .await
        .is_some_and(|v| v.secret_is_set("webhook_secret"));
    let refused = AccountForm {
        action: format!("/channels/pbx/{}", encode(&id)),
        heading: words(&s).change,
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
    let is_secret: fn(&str) -> bool = |k| k == "webhook_secret";
    match settle(state, &s, saved, typed, is_secret, "/channels/pbx").await {
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
