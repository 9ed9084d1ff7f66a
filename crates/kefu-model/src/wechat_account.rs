//! A WeChat account as an admin configures it: an official account (公众号) or a WeCom app
//! (企业微信). [`plan_wechat_account`] checks a draft and gives the settings and secrets to store;
//! a secret left empty keeps the stored one, so a form that never shows secrets can edit.
//!
//! The AES key's full check (that it decodes to 32 bytes) is the protocol crate's and runs in the
//! desk; here it must at least be 43 Base64 characters.

use serde::Deserialize;

use crate::channels::{ChannelSecrets, WeChatFlavor, WeChatSettings};
use crate::error::DomainError;
use crate::text::text;

/// The official account API's address.
pub const OFFICIAL_ACCOUNT_API: &str = "https://api.weixin.qq.com";
/// WeCom's API address.
pub const WECOM_API: &str = "https://qyapi.weixin.qq.com";

/// What an admin sends to add or change a WeChat account. Secrets left out (or empty) keep the
/// stored ones.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeChatAccountDraft {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub flavor: Option<WeChatFlavor>,
    /// AppID (official account) or CorpID (WeCom).
    pub app_id: String,
    /// WeCom: the app's AgentID.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// Empty: the real API of the flavor.
    #[serde(default)]
    pub api_base: Option<String>,
    /// Official account in safe mode (WeCom is always encrypted).
    #[serde(default)]
    pub encrypted: bool,
    #[serde(default)]
    pub app_secret: Option<String>,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub encoding_aes_key: Option<String>,
    /// The version being replaced (required when changing an account).
    #[serde(default)]
    pub version: Option<i64>,
}

fn yes() -> bool {
    true
}

/// The EncodingAESKey's length on WeChat's console.
pub const ENCODING_AES_KEY_LEN: usize = 43;
const SECRET_MAX: usize = 200;

/// An id WeChat issues (AppID, CorpID, AgentID): letters, digits, `_` and `-`.
fn wechat_id(field: &str, raw: &str, required: bool) -> Result<String, DomainError> {
    let v = text(field, raw, 64, required)?;
    if v.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    {
        Ok(v)
    } else {
        Err(DomainError::invalid(field, "letters, digits, '_' or '-'"))
    }
}

/// An `http(s)://host[:port][/path]` address without query or fragment; the trailing `/` is
/// dropped so paths can be appended.
fn api_base(raw: &str) -> Result<String, DomainError> {
    let v = text("api_base", raw, 200, true)?;
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .ok_or_else(|| DomainError::invalid("api_base", "an http:// or https:// address"))?;
    let host = rest.split('/').next().unwrap_or_default();
    let fine = !host.is_empty()
        && v.chars().all(|c| c.is_ascii_graphic())
        && !v.contains(['?', '#', '@', '\\']);
    if fine {
        Ok(v.trim_end_matches('/').to_string())
    } else {
        Err(DomainError::invalid(
            "api_base",
            "an http:// or https:// address with a host, no query",
        ))
    }
}

fn secret(
    field: &str,
    given: &Option<String>,
    stored: Option<&String>,
) -> Result<String, DomainError> {
    match given.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => {
            if s.len() > SECRET_MAX || s.chars().any(|c| c.is_control()) {
                Err(DomainError::invalid(
                    field,
                    "at most 200 characters, one line",
                ))
            } else {
                Ok(s.to_string())
            }
        }
        _ => Ok(stored.cloned().unwrap_or_default()),
    }
}

/// Checks a WeChat draft: the settings (defaults by flavor) and the secrets to store, empty ones
/// keeping `stored`'s. Every account needs the AppSecret (to reply) and the Token (to check
/// callbacks); an encrypted one (WeCom always) also the 43-character EncodingAESKey.
pub fn plan_wechat_account(
    draft: &WeChatAccountDraft,
    stored: Option<&ChannelSecrets>,
) -> Result<(String, WeChatSettings, ChannelSecrets), DomainError> {
    let name = text("name", &draft.name, 100, true)?;
    let flavor = draft.flavor.unwrap_or(WeChatFlavor::OfficialAccount);
    let app_id = wechat_id("app_id", &draft.app_id, true)?;
    let agent_id = wechat_id("agent_id", draft.agent_id.as_deref().unwrap_or(""), false)?;
    if flavor == WeChatFlavor::WeCom && agent_id.is_empty() {
        return Err(DomainError::invalid(
            "agent_id",
            "a WeCom app needs its AgentID",
        ));
    }
    let api_base = match draft.api_base.as_deref().map(str::trim) {
        None | Some("") => match flavor {
            WeChatFlavor::OfficialAccount => OFFICIAL_ACCOUNT_API.to_string(),
            WeChatFlavor::WeCom => WECOM_API.to_string(),
        },
        Some(given) => api_base(given)?,
    };
    let encrypted = draft.encrypted || flavor == WeChatFlavor::WeCom;
    let settings = WeChatSettings {
        flavor,
        app_id,
        agent_id: if flavor == WeChatFlavor::WeCom {
            agent_id
        } else {
            String::new()
        },
        api_base,
        encrypted,
    };
    let secrets = ChannelSecrets {
        app_secret: secret(
            "app_secret",
            &draft.app_secret,
            stored.map(|s| &s.app_secret),
        )?,
        token: secret("token", &draft.token, stored.map(|s| &s.token))?,
        encoding_aes_key: secret(
            "encoding_aes_key",
            &draft.encoding_aes_key,
            stored.map(|s| &s.encoding_aes_key),
        )?,
        ..ChannelSecrets::default()
    };
    if secrets.app_secret.is_empty() {
        return Err(DomainError::invalid(
            "app_secret",
            "the AppSecret is required to reply",
        ));
    }
    if secrets.token.is_empty() {
        return Err(DomainError::invalid(
            "token",
            "the Token is required to check callbacks",
        ));
    }
    if !secrets.token.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(DomainError::invalid("token", "letters and digits only"));
    }
    let key = &secrets.encoding_aes_key;
    let key_ok = key.len() == ENCODING_AES_KEY_LEN
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/'));
    if encrypted && !key_ok {
        return Err(DomainError::invalid(
            "encoding_aes_key",
            "encrypted callbacks need the 43-character EncodingAESKey",
        ));
    }
    if !key.is_empty() && !key_ok {
        return Err(DomainError::invalid(
            "encoding_aes_key",
            "43 letters, digits, '+' or '/'",
        ));
    }
    Ok((name, settings, secrets))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    fn draft() -> WeChatAccountDraft {
        WeChatAccountDraft {
            name: "云路快递公众号".into(),
            enabled: true,
            app_id: "wx5823bf96d3bd56c7".into(),
            app_secret: Some("secret".into()),
            token: Some("QDG6eK".into()),
            ..WeChatAccountDraft::default()
        }
    }

    #[test]
    fn defaults_follow_the_flavor_and_empty_secrets_keep_the_stored_ones() {
        let (name, settings, secrets) = plan_wechat_account(&draft(), None).unwrap();
        assert_eq!(name, "云路快递公众号");
        assert_eq!(settings.flavor, WeChatFlavor::OfficialAccount);
        assert_eq!(settings.api_base, OFFICIAL_ACCOUNT_API);
        assert!(!settings.encrypted);
        assert_eq!(secrets.token, "QDG6eK");

        let wecom = WeChatAccountDraft {
            flavor: Some(WeChatFlavor::WeCom),
            app_id: "wx5823bf96d3bd56c7".into(),
            agent_id: Some("1000002".into()),
            encoding_aes_key: Some(KEY.into()),
            api_base: Some("http://127.0.0.1:8080/".into()),
            ..draft()
        };
        let (_, settings, stored) = plan_wechat_account(&wecom, None).unwrap();
        assert!(settings.encrypted);
        assert_eq!(settings.agent_id, "1000002");
        assert_eq!(settings.api_base, "http://127.0.0.1:8080");

        let edit = WeChatAccountDraft {
            app_secret: None,
            token: Some(String::new()),
            encoding_aes_key: None,
            ..wecom
        };
        let (_, _, kept) = plan_wechat_account(&edit, Some(&stored)).unwrap();
        assert_eq!(kept, stored);
    }

    #[test]
    fn bad_drafts_name_their_field() {
        let field_of = |d: WeChatAccountDraft| match plan_wechat_account(&d, None) {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field_of(WeChatAccountDraft {
                api_base: Some("ftp://example".into()),
                ..draft()
            }),
            "api_base"
        );
        assert_eq!(
            field_of(WeChatAccountDraft {
                api_base: Some("https://x.example/?a=1".into()),
                ..draft()
            }),
            "api_base"
        );
        assert_eq!(
            field_of(WeChatAccountDraft {
                app_secret: None,
                ..draft()
            }),
            "app_secret"
        );
        assert_eq!(
            field_of(WeChatAccountDraft {
                encrypted: true,
                ..draft()
            }),
            "encoding_aes_key"
        );
        assert_eq!(
            field_of(WeChatAccountDraft {
                flavor: Some(WeChatFlavor::WeCom),
                encoding_aes_key: Some(KEY.into()),
                ..draft()
            }),
            "agent_id"
        );
        assert_eq!(
            field_of(WeChatAccountDraft {
                app_id: "wx 1".into(),
                ..draft()
            }),
            "app_id"
        );
    }
}
