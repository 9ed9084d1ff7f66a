//! The telephone system's account (a PBX or call centre that reports its calls by signed
//! webhook) and the record kept of each of its calls.
//!
//! The protocol itself — signatures, event bodies, the per-call state machine, the figures —
//! is `kefu-telephony`; this module holds only what the desk stores and checks.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::channels::{ChannelSecrets, PbxSettings};
use crate::error::DomainError;
use crate::ids::CaseId;
use crate::string_enum::string_enum;
use crate::text::text;

/// Default allowed distance between a webhook's timestamp and our clock.
pub const DEFAULT_TOLERANCE_SECONDS: u32 = 300;
/// Bounds of the tolerance: under 30 s a PBX with a slightly wrong clock is locked out; over an
/// hour a captured request could be replayed for too long.
pub const TOLERANCE_RANGE: std::ops::RangeInclusive<u32> = 30..=3600;
/// A shorter HMAC key is guessable; 16 bytes is the floor, 256 bytes more than any PBX uses.
pub const SECRET_MIN_BYTES: usize = 16;
pub const SECRET_MAX_BYTES: usize = 256;
const URL_MAX: usize = 500;

/// What an admin sends to create or change the PBX account. A secret left out (or empty)
/// keeps the stored one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PbxAccountDraft {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub tolerance_seconds: Option<u32>,
    /// Where the PBX keeps its recordings (http or https); empty: no recording is played.
    #[serde(default)]
    pub recording_base_url: Option<String>,
    #[serde(default)]
    pub webhook_secret: Option<String>,
    /// The version being replaced (required when changing an account).
    #[serde(default)]
    pub version: Option<i64>,
}

fn yes() -> bool {
    true
}

/// Checks a PBX draft and gives the name, settings and secrets to store: a secret left empty
/// keeps `stored`'s, and an account cannot be without one.
pub fn plan_pbx_account(
    draft: &PbxAccountDraft,
    stored: Option<&ChannelSecrets>,
) -> Result<(String, PbxSettings, ChannelSecrets), DomainError> {
    let name = text("name", &draft.name, 100, true)?;
    let tolerance_seconds = draft.tolerance_seconds.unwrap_or(DEFAULT_TOLERANCE_SECONDS);
    if !TOLERANCE_RANGE.contains(&tolerance_seconds) {
        return Err(DomainError::invalid(
            "tolerance_seconds",
            format!(
                "from {} to {} seconds",
                TOLERANCE_RANGE.start(),
                TOLERANCE_RANGE.end()
            ),
        ));
    }
    let recording_base_url = match draft.recording_base_url.as_deref().map(str::trim) {
        None | Some("") => String::new(),
        Some(url) => base_url(url)?,
    };
    let secret = match draft.webhook_secret.as_deref() {
        Some(s) if !s.is_empty() => {
            if !(SECRET_MIN_BYTES..=SECRET_MAX_BYTES).contains(&s.len())
                || s.chars().any(char::is_control)
            {
                return Err(DomainError::invalid(
                    "webhook_secret",
                    format!(
                        "{SECRET_MIN_BYTES} to {SECRET_MAX_BYTES} bytes, no control characters"
                    ),
                ));
            }
            s.to_string()
        }
        _ => stored.map(|s| s.webhook_secret.clone()).unwrap_or_default(),
    };
    if secret.is_empty() {
        return Err(DomainError::invalid(
            "webhook_secret",
            "the key the PBX signs its webhooks with is required",
        ));
    }
    let secrets = ChannelSecrets {
        webhook_secret: secret,
        ..ChannelSecrets::default()
    };
    Ok((
        name,
        PbxSettings {
            tolerance_seconds,
            recording_base_url,
        },
        secrets,
    ))
}

fn base_url(url: &str) -> Result<String, DomainError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let ok = url.len() <= URL_MAX
        && rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(url.to_string())
    } else {
        Err(DomainError::invalid(
            "recording_base_url",
            "an http(s) URL with a host",
        ))
    }
}

/// Whether a recording link may be played in the console: it lies below the account's
/// recording address (a link elsewhere is shown as text, never loaded by the browser).
pub fn recording_is_playable(settings: &PbxSettings, url: &str) -> bool {
    let base = settings.recording_base_url.as_str();
    if base.is_empty() || !url.starts_with(base) {
        return false;
    }
    // `https://rec.example` must not admit `https://rec.example.evil.test/…`.
    base.ends_with('/') || matches!(url[base.len()..].chars().next(), None | Some('/' | '?'))
}

string_enum!(
    /// Where a call stands, as stored (the telephony crate's phases).
    CallPhaseCode {
        Offered => "offered", Queued => "queued", Answered => "answered", Ended => "ended",
        Abandoned => "abandoned",
    }
);

string_enum!(
    /// How a finished call ended.
    CallOutcomeCode { Answered => "answered", Abandoned => "abandoned" }
);

/// One call as kefu keeps it: the columns the figures and the console read, and the event
/// bodies accepted so far (the state doc: replayed through the state machine, they give the
/// call's state back exactly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    pub account_id: String,
    pub call_id: String,
    #[serde(default)]
    pub case_id: Option<CaseId>,
    pub queue: String,
    /// The answering agent as the PBX names them (a kefu username).
    #[serde(default)]
    pub agent: Option<String>,
    /// The caller's national digits.
    pub caller: String,
    pub phase: CallPhaseCode,
    pub offered_at: Timestamp,
    #[serde(default)]
    pub answered_at: Option<Timestamp>,
    #[serde(default)]
    pub ended_at: Option<Timestamp>,
    #[serde(default)]
    pub outcome: Option<CallOutcomeCode>,
    #[serde(default)]
    pub wait_seconds: Option<u32>,
    #[serde(default)]
    pub recording_url: Option<String>,
    /// The accepted event bodies, oldest first, exactly as signed.
    pub events: Vec<String>,
    pub updated_at: Timestamp,
    /// Raised by every write; a write names the version it read.
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> PbxAccountDraft {
        PbxAccountDraft {
            name: "呼叫中心".into(),
            enabled: true,
            webhook_secret: Some("0123456789abcdef".into()),
            ..PbxAccountDraft::default()
        }
    }

    #[test]
    fn defaults_and_a_kept_secret() {
        let (name, settings, secrets) = plan_pbx_account(&draft(), None).unwrap();
        assert_eq!(name, "呼叫中心");
        assert_eq!(settings.tolerance_seconds, DEFAULT_TOLERANCE_SECONDS);
        assert_eq!(settings.recording_base_url, "");
        assert_eq!(secrets.webhook_secret, "0123456789abcdef");
        let mut edit = draft();
        edit.webhook_secret = Some(String::new());
        let (_, _, kept) = plan_pbx_account(&edit, Some(&secrets)).unwrap();
        assert_eq!(kept.webhook_secret, "0123456789abcdef");
    }

    #[test]
    fn bad_values_name_their_field() {
        let field = |d: PbxAccountDraft| match plan_pbx_account(&d, None) {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        let mut d = draft();
        d.webhook_secret = Some("short".into());
        assert_eq!(field(d), "webhook_secret");
        let mut d = draft();
        d.webhook_secret = None;
        assert_eq!(field(d), "webhook_secret");
        let mut d = draft();
        d.tolerance_seconds = Some(5);
        assert_eq!(field(d), "tolerance_seconds");
        let mut d = draft();
        d.recording_base_url = Some("ftp://rec.example".into());
        assert_eq!(field(d), "recording_base_url");
    }

    #[test]
    fn only_links_below_the_recording_address_play() {
        let settings = PbxSettings {
            tolerance_seconds: 300,
            recording_base_url: "https://rec.example".into(),
        };
        assert!(recording_is_playable(
            &settings,
            "https://rec.example/2026/c-1.mp3"
        ));
        assert!(!recording_is_playable(
            &settings,
            "https://rec.example.evil.test/c-1.mp3"
        ));
        assert!(!recording_is_playable(
            &settings,
            "https://other.example/c-1.mp3"
        ));
        let none = PbxSettings {
            recording_base_url: String::new(),
            ..settings
        };
        assert!(!recording_is_playable(&none, "https://rec.example/c.mp3"));
    }
}
