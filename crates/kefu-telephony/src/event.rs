//! Call events as the PBX / call centre posts them (JSON, one event per request).
//!
//! ```json
//! {"type": "answered", "call_id": "c-1", "at": "2026-12-01T09:00:12+08:00",
//!  "caller": "+86 138 0013 8000", "queue": "after-sales", "agent": "li.na", "wait_seconds": 12}
//! ```
//!
//! Fields: `type` (`offered`, `queued`, `answered`, `ended`, `abandoned`), `call_id`, `at`
//! (RFC 3339 with an offset), `caller`, `queue` on every event; `agent` on `answered` and
//! `ended`; `wait_seconds` (time in queue before the answer or the hang-up) on `answered`,
//! `ended` and `abandoned`; `recording_url` (http or https) optionally on `ended`. A field
//! an event type does not carry, or any unknown field, is an error: a PBX sending something
//! else than we think should be noticed, not half-read.

use jiff::Timestamp;
use serde::Deserialize;

use crate::phone::{PhoneError, PhoneNumber};

/// What happened to the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEventKind {
    /// The call reached the call centre.
    Offered,
    /// The call waits in a queue for an agent.
    Queued,
    Answered {
        agent: String,
        wait_seconds: u32,
    },
    /// An answered call hung up.
    Ended {
        agent: String,
        wait_seconds: u32,
        recording_url: Option<String>,
    },
    /// The caller hung up before any agent answered.
    Abandoned {
        wait_seconds: u32,
    },
}

impl CallEventKind {
    /// The `type` string of the event.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Offered => "offered",
            Self::Queued => "queued",
            Self::Answered { .. } => "answered",
            Self::Ended { .. } => "ended",
            Self::Abandoned { .. } => "abandoned",
        }
    }
}

/// One validated call event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEvent {
    pub call_id: String,
    pub at: Timestamp,
    pub caller: PhoneNumber,
    pub queue: String,
    pub kind: CallEventKind,
}

/// Why an event body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("the body is not a JSON call event: {0}")]
    Json(String),
    #[error("unknown call event type {0:?}")]
    UnknownType(String),
    #[error("a {event} event needs the field {field}")]
    MissingField {
        event: &'static str,
        field: &'static str,
    },
    #[error("a {event} event does not carry the field {field}")]
    UnexpectedField {
        event: &'static str,
        field: &'static str,
    },
    #[error("field {field} is empty or too long")]
    BadText { field: &'static str },
    #[error("field at is not an RFC 3339 time with an offset: {0:?}")]
    BadTime(String),
    #[error("field recording_url is not an http(s) URL")]
    BadRecordingUrl,
    #[error(transparent)]
    BadCaller(#[from] PhoneError),
}

/// Longest call id, queue or agent name accepted (they end up in database keys).
const MAX_NAME_LEN: usize = 128;
const MAX_URL_LEN: usize = 2048;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    #[serde(rename = "type")]
    kind: String,
    call_id: String,
    at: String,
    caller: String,
    queue: String,
    agent: Option<String>,
    wait_seconds: Option<u32>,
    recording_url: Option<String>,
}

/// Parses and validates one event body.
pub fn parse_event(body: &[u8]) -> Result<CallEvent, EventError> {
    let raw: RawEvent =
        serde_json::from_slice(body).map_err(|error| EventError::Json(error.to_string()))?;
    let event: &'static str = match raw.kind.as_str() {
        "offered" => "offered",
        "queued" => "queued",
        "answered" => "answered",
        "ended" => "ended",
        "abandoned" => "abandoned",
        other => return Err(EventError::UnknownType(other.chars().take(40).collect())),
    };
    let need = |field: &'static str| EventError::MissingField { event, field };
    let forbid = |present: bool, field: &'static str| {
        if present {
            Err(EventError::UnexpectedField { event, field })
        } else {
            Ok(())
        }
    };
    let kind = match event {
        "offered" | "queued" => {
            forbid(raw.agent.is_some(), "agent")?;
            forbid(raw.wait_seconds.is_some(), "wait_seconds")?;
            forbid(raw.recording_url.is_some(), "recording_url")?;
            if event == "offered" {
                CallEventKind::Offered
            } else {
                CallEventKind::Queued
            }
        }
        "answered" => {
            forbid(raw.recording_url.is_some(), "recording_url")?;
            CallEventKind::Answered {
                agent: name(raw.agent.ok_or_else(|| need("agent"))?, "agent")?,
                wait_seconds: raw.wait_seconds.ok_or_else(|| need("wait_seconds"))?,
            }
        }
        "ended" => CallEventKind::Ended {
            agent: name(raw.agent.ok_or_else(|| need("agent"))?, "agent")?,
            wait_seconds: raw.wait_seconds.ok_or_else(|| need("wait_seconds"))?,
            recording_url: raw.recording_url.map(recording_url).transpose()?,
        },
        _ => {
            forbid(raw.agent.is_some(), "agent")?;
            forbid(raw.recording_url.is_some(), "recording_url")?;
            CallEventKind::Abandoned {
                wait_seconds: raw.wait_seconds.ok_or_else(|| need("wait_seconds"))?,
            }
        }
    };
    let at = raw
        .at
        .parse::<Timestamp>()
        .map_err(|_| EventError::BadTime(raw.at.chars().take(40).collect()))?;
    Ok(CallEvent {
        call_id: name(raw.call_id, "call_id")?,
        at,
        caller: PhoneNumber::parse(&raw.caller)?,
        queue: name(raw.queue, "queue")?,
        kind,
    })
}

fn name(text: String, field: &'static str) -> Result<String, EventError> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.len() > MAX_NAME_LEN || trimmed.chars().any(char::is_control) {
        return Err(EventError::BadText { field });
    }
    Ok(trimmed.to_owned())
}

fn recording_url(url: String) -> Result<String, EventError> {
    let valid = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= MAX_URL_LEN
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    let host_present = url
        .split("://")
        .nth(1)
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
    if valid && host_present {
        Ok(url)
    } else {
        Err(EventError::BadRecordingUrl)
    }
}
