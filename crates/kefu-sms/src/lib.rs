//! kefu's SMS gateway contract and its client.
//!
//! China's SMS providers each have their own signed API; kefu speaks one small contract, and a
//! site puts an adapter (or a provider that offers it) behind it:
//!
//! ```text
//! POST {endpoint}
//! Authorization: Bearer {api key}
//! Content-Type: application/json
//!
//! {"id": "<kefu's delivery id>", "to": "13800138000", "sign_name": "云路快递", "text": "…"}
//! ```
//!
//! A 2xx answer means the gateway took the message. `id` is the same on every attempt of one
//! message, so a gateway can drop a repeat. 408, 429 and 5xx answers, timeouts and lost
//! connections are temporary (kefu tries again later); any other answer is a permanent refusal,
//! whose body (`{"error": "…"}` or text) is shown on the case.

use std::time::Duration;

use serde::Serialize;

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmsMessage {
    /// The same for every attempt of one message.
    pub id: String,
    /// A mainland mobile number, digits only.
    pub to: String,
    /// The approved signature (【…】) the gateway puts in front of the text.
    pub sign_name: String,
    pub text: String,
}

/// Why a message was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// The gateway could not be reached or did not answer in time.
    #[error("SMS gateway unreachable: {0}")]
    Transport(String),
    /// The gateway refused with a status and its words.
    #[error("SMS gateway answered {status}: {message}")]
    Refused { status: u16, message: String },
}

impl SmsError {
    /// Worth trying again later: not reached, timed out, busy (429) or failing (5xx).
    pub fn is_temporary(&self) -> bool {
        match self {
            SmsError::Transport(_) => true,
            SmsError::Refused { status, .. } => {
                *status == 408 || *status == 429 || (500..600).contains(status)
            }
        }
    }
}

/// A client for one gateway.
#[derive(Clone)]
pub struct SmsClient {
    http: reqwest::Client,
    endpoint: String,
    api_key: String,
}

impl std::fmt::Debug for SmsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsClient")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// How long one send may take.
const TIMEOUT: Duration = Duration::from_secs(15);
/// How much of a refusal's body is kept.
const MESSAGE_MAX: usize = 300;

impl SmsClient {
    pub fn new(endpoint: &str, api_key: &str) -> Result<Self, SmsError> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| SmsError::Transport(e.to_string()))?;
        Ok(SmsClient {
            http,
            endpoint: endpoint.to_string(),
            api_key: api_key.to_string(),
        })
    }

    /// Hands one message to the gateway.
    pub async fn send(&self, message: &SmsMessage) -> Result<(), SmsError> {
        let response = self
            .http
            .post(&self.endpoint)
            .bearer_auth(&self.api_key)
            .json(message)
            .send()
            .await
            .map_err(|e| SmsError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        Err(SmsError::Refused {
            status: status.as_u16(),
            message: refusal_message(&body),
        })
    }
}

/// The gateway's words: the `error` (or `message`) field of a JSON body, else the text.
fn refusal_message(body: &str) -> String {
    let from_json = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            ["error", "message"]
                .iter()
                .find_map(|k| v.get(k).and_then(|m| m.as_str()).map(str::to_string))
        });
    let text = from_json.unwrap_or_else(|| body.trim().to_string());
    text.chars().take(MESSAGE_MAX).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_read_from_json_or_text_and_classed() {
        assert_eq!(refusal_message(r#"{"error":"号码无效"}"#), "号码无效");
        assert_eq!(refusal_message(" busy \n"), "busy");
        let refused = |status| SmsError::Refused {
            status,
            message: String::new(),
        };
        assert!(refused(429).is_temporary());
        assert!(refused(503).is_temporary());
        assert!(!refused(400).is_temporary());
        assert!(!refused(401).is_temporary());
        assert!(SmsError::Transport("reset".into()).is_temporary());
    }
}
