//! Speech to text over HTTP: the recording's link is posted to a transcription service, which
//! answers with the words. kefu never downloads the recording itself.
//!
//! The contract: `POST {url}` with `{"recording_url": "…"}`; a 2xx answer carries
//! `{"text": "…"}`. Anything else is a failure, said in a sentence on the case.

use std::time::Duration;

use async_trait::async_trait;
use kefu_desk::telephony::SpeechToText;
use serde::Deserialize;

/// A transcription service reached over HTTP.
#[derive(Debug, Clone)]
pub struct HttpSpeechToText {
    url: String,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct Transcript {
    text: String,
}

impl HttpSpeechToText {
    /// The service at `url`; a request that takes longer than `timeout` fails.
    pub fn new(url: impl Into<String>, timeout: Duration) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| format!("speech-to-text client: {e}"))?;
        Ok(Self {
            url: url.into(),
            client,
        })
    }
}

#[async_trait]
impl SpeechToText for HttpSpeechToText {
    async fn transcribe(&self, recording_url: &str) -> Result<String, String> {
        let response = self
            .client
            .post(&self.url)
            .json(&serde_json::json!({ "recording_url": recording_url }))
            .send()
            .await
            .map_err(|e| format!("转写服务无法访问（{e}）"))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("转写服务答复 {status}"));
        }
        let transcript: Transcript = response
            .json()
            .await
            .map_err(|e| format!("转写服务的答复无法读取（{e}）"))?;
        Ok(transcript.text)
    }
}
