//! The WeChat section of `/channels` (admins): the official accounts and WeCom apps with their
//! callback path and status, and the form to add or change one (secrets are typed, never shown:
//! an empty field keeps the stored one).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_model::channels::{ChannelAccountView, ChannelKind, WeChatFlavor};
use kefu_model::error::DomainError;
use kefu_model::wechat_account::WeChatAccountDraft;

use super::account_form::{settle, stored_if_refused};
use super::channels::page_with;
use super::i18n::Lang;
use super::pages::local;
use super::{CsrfForm, StaffPage, UiSession, encode, error_page};
use crate::AppState;

/// The words of the section, in both languages.
pub struct WeChatTr {
    pub heading: &'static str,
    pub none: &'static str,
    pub flavor: &'static str,
    pub official_account: &'static str,
    pub wecom: &'static str,
    pub app_id: &'static str,
    pub agent_id: &'static str,
    pub api_base: &'static str,
    pub api_base_hint: &'static str,
    pub encrypted: &'static str,
    pub app_secret: &'static str,
    pub token: &'static str,
    pub encoding_aes_key: &'static str,
    pub secret_kept: &'static str,
    pub callback: &'static str,
    pub callback_hint: &'static str,
    pub add: &'static str,
    pub edit: &'static str,
}

pub const ZH: WeChatTr = WeChatTr {
    heading: "微信公众号 / 企业微信",
    none: "还没有接入微信账号",
    flavor: "类型",
    official_account: "公众号",
    wecom: "企业微信",
    app_id: "AppID / CorpID",
    agent_id: "AgentID（企业微信）",
    api_base: "接口地址",
    api_base_hint: "留空则使用微信官方地址",
    encrypted: "消息加密（安全模式；企业微信总是加密）",
    app_secret: "AppSecret / Secret",
    token: "Token",
    encoding_aes_key: "EncodingAESKey（43 位）",
    secret_kept: "已保存；留空则不变",
    callback: "回调地址",
    callback_hint: "回调地址：在微信后台填写本服务的对外地址加上表中的路径",
    add: "接入微信账号",
    edit: "修改微信账号",
};

pub const EN: WeChatTr = WeChatTr {
    heading: "WeChat official accounts / WeCom",
    none: "No WeChat account connected yet",
    flavor: "Kind",
    official_account: "Official account",
    wecom: "WeCom",
    app_id: "AppID / CorpID",
    agent_id: "AgentID (WeCom)",
    api_base: "API address",
    api_base_hint: "empty: WeChat's own",
    encrypted: "Encrypted callbacks (safe mode; WeCom always is)",
    app_secret: "AppSecret / Secret",
    token: "Token",
    encoding_aes_key: "EncodingAESKey (43 characters)",
    secret_kept: "saved; leave empty to keep it",
    callback: "Callback URL",
    callback_hint: "Callback URL: give WeChat's admin console this server's public address followed by the path above",
    add: "Connect a WeChat account",
    edit: "Edit WeChat account",
};

pub fn words(lang: Lang) -> &'static WeChatTr {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

pub struct WeChatRow {
    pub href: String,
    pub name: String,
    pub flavor: &'static str,
    pub app_id: String,
    pub enabled: bool,
    pub callback_path: String,
    pub received: u64,
    pub last_ok: String,
    pub last_error: String,
}

/// The form's fields as typed (or as stored, secrets never).
#[derive(Default)]
pub struct WeChatForm {
    pub action: String,
    pub heading: &'static str,
    pub values: HashMap<String, String>,
    pub app_secret_set: bool,
    pub token_set: bool,
    pub encoding_aes_key_set: bool,
    pub error: Option<String>,
}

impl WeChatForm {
    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    pub fn checked(&self, field: &str) -> bool {
        matches!(self.value(field), "on" | "true")
    }

    pub fn is_wecom(&self) -> bool {
        self.value("flavor") == WeChatFlavor::WeCom.as_str()
    }

    /// An empty form to add an account.
    pub fn new_account(lang: Lang) -> Self {
        WeChatForm {
            action: "/channels/wechat".into(),
            heading: words(lang).add,
            values: [("enabled", "on"), ("flavor", "official_account")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..WeChatForm::default()
        }
    }
}

/// The section: its words, the accounts, the form.
pub struct WeChatSection {
    pub w: &'static WeChatTr,
    pub rows: Vec<WeChatRow>,
    pub form: WeChatForm,
}

pub fn flavor_label(lang: Lang, flavor: WeChatFlavor) -> &'static str {
    match flavor {
        WeChatFlavor::OfficialAccount => words(lang).official_account,
        WeChatFlavor::WeCom => words(lang).wecom,
    }
}

/// The section for `/channels`, with `form` (or an empty one).
pub async fn section(
    state: &AppState,
    s: &UiSession,
    form: Option<WeChatForm>,
) -> Result<WeChatSection, DomainError> {
    let lang = s.tr.lang;
    let accounts = state
        .desk
        .channel_accounts_of(&s.actor, ChannelKind::Wechat)
        .await?;
    let tz = state.desk.time_zone();
    let rows = accounts
        .iter()
        .filter_map(|v| {
            let w = v.account.wechat()?;
            Some(WeChatRow {
                href: format!("/channels/wechat/{}", encode(&v.account.id)),
                name: v.account.name.clone(),
                flavor: flavor_label(lang, w.flavor),
                app_id: w.app_id.clone(),
                enabled: v.account.enabled,
                callback_path: format!("/hooks/wechat/{}", encode(&v.account.id)),
                received: v.status.received,
                last_ok: v
                    .status
                    .last_ok_at
                    .map(|t| local(t, tz))
                    .unwrap_or_default(),
                last_error: v.status.last_error.clone().unwrap_or_default(),
            })
        })
        .collect();
    Ok(WeChatSection {
        w: words(lang),
        rows,
        form: form.unwrap_or_else(|| WeChatForm::new_account(lang)),
    })
}

fn stored_values(v: &ChannelAccountView) -> HashMap<String, String> {
    let Some(w) = v.account.wechat() else {
        return HashMap::new();
    };
    [
        ("name", v.account.name.clone()),
        ("enabled", if v.account.enabled { "on" } else { "" }.into()),
        ("flavor", w.flavor.as_str().into()),
        ("app_id", w.app_id.clone()),
        ("agent_id", w.agent_id.clone()),
        ("api_base", w.api_base.clone()),
        ("encrypted", if w.encrypted { "on" } else { "" }.into()),
        ("version", v.account.version.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The typed fields as a draft; a kind or version that does not parse is refused by name.
fn draft_of(values: &HashMap<String, String>) -> Result<WeChatAccountDraft, DomainError> {
    let text = |k: &str| {
        values
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let optional = |k: &str| Some(text(k)).filter(|v| !v.is_empty());
    let flavor = match optional("flavor") {
        None => None,
        Some(f) => Some(
            WeChatFlavor::parse(&f)
                .ok_or_else(|| DomainError::invalid("flavor", "official_account or wecom"))?,
        ),
    };
    let version = match optional("version") {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| DomainError::invalid("version", "a number"))?,
        ),
    };
    Ok(WeChatAccountDraft {
        name: text("name"),
        enabled: matches!(text("enabled").as_str(), "on" | "true"),
        flavor,
        app_id: text("app_id"),
        agent_id: optional("agent_id"),
        api_base: optional("api_base"),
        encrypted: matches!(text("encrypted").as_str(), "on" | "true"),
        app_secret: optional("app_secret"),
        token: optional("token"),
        encoding_aes_key: optional("encoding_aes_key"),
        version,
    })
}

/// `GET /channels/wechat/{id}`: the page with the account's form filled in.
pub async fn edit_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
    Path(id): Path<String>,
) -> Response {
    let stored = match state
        .desk
        .channel_account_of(&s.actor, &id, ChannelKind::Wechat)
        .await
    {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let form = WeChatForm {
        action: format!("/channels/wechat/{}", encode(&id)),
        heading: words(s.tr.lang).edit,
        values: stored_values(&stored),
        app_secret_set: stored.secret_is_set("app_secret"),
        token_set: stored.secret_is_set("token"),
        encoding_aes_key_set: stored.secret_is_set("encoding_aes_key"),
        error: None,
    };
    page_with(&state, &s, chrome, None, Some(form), StatusCode::OK).await
}

/// `POST /channels/wechat`: adds an account; a bad field is a 422 with the form as typed.
pub async fn create(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let saved = match draft_of(&form) {
        Ok(draft) => state.desk.create_wechat_account(&s.actor, draft).await,
        Err(e) => Err(e),
    };
    let refused = WeChatForm {
        action: "/channels/wechat".into(),
        heading: words(s.tr.lang).add,
        ..WeChatForm::default()
    };
    answer(&state, s, saved.map(|_| ()), refused, form).await
}

/// `POST /channels/wechat/{id}`: changes an account at the version the form was read at.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let saved = match draft_of(&form) {
        Ok(draft) => state.desk.update_wechat_account(&s.actor, &id, draft).await,
        Err(e) => Err(e),
    };
    let stored = stored_if_refused(&state, &s, &id, ChannelKind::Wechat, saved.is_err()).await;
    let set = |name: &str| stored.as_ref().is_some_and(|v| v.secret_is_set(name));
    let refused = WeChatForm {
        action: format!("/channels/wechat/{}", encode(&id)),
        heading: words(s.tr.lang).edit,
        app_secret_set: set("app_secret"),
        token_set: set("token"),
        encoding_aes_key_set: set("encoding_aes_key"),
        ..WeChatForm::default()
    };
    answer(&state, s, saved.map(|_| ()), refused, form).await
}

const SECRET_FIELDS: [&str; 3] = ["app_secret", "token", "encoding_aes_key"];

async fn answer(
    state: &AppState,
    s: UiSession,
    saved: Result<(), DomainError>,
    mut refused: WeChatForm,
    typed: HashMap<String, String>,
) -> Response {
    // What was typed comes back, secrets never.
    let is_secret: fn(&str) -> bool = |k| SECRET_FIELDS.contains(&k);
    match settle(state, &s, saved, typed, is_secret, "/channels").await {
        Ok(r) => {
            refused.error = Some(r.reason);
            refused.values = r.typed;
            page_with(
                state,
                &s,
                r.chrome,
                None,
                Some(refused),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(answer) => answer,
    }
}
