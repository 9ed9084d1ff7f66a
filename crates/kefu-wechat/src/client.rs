//! The customer-service message API and its access token.
//!
//! What we rely on:
//!
//! * `GET {base}/cgi-bin/token?grant_type=client_credential&appid=…&secret=…` answers
//!   `{"access_token": "…", "expires_in": 7200}` (seconds), or `{"errcode": …, "errmsg": …}`.
//!   Tokens are rate-limited per day and fetching a new one retires the old one after a short
//!   overlap, so every caller shares one cached token and only one fetch runs at a time.
//! * `POST {base}/cgi-bin/message/custom/send?access_token=…` with
//!   `{"touser": openid, "msgtype": "text", "text": {"content": …}}` answers
//!   `{"errcode": 0, "errmsg": "ok"}` or an error code.
//! * 40001 (invalid credential), 40014 (invalid token) and 42001 (token expired) mean the token
//!   went stale before we thought: fetch a new one and retry once.
//! * 45015 means the user's last message is more than 48 hours old; 45047 that the number of
//!   customer-service messages allowed since that message is used up. Both are final until the
//!   user writes again.
//! * Errors come with HTTP 200; the JSON decides.
//!
//! WeCom (企业微信) is the same shape at other addresses: the token from
//! `GET {base}/cgi-bin/gettoken?corpid=…&corpsecret=…`, and an app's message to a member by
//! `POST {base}/cgi-bin/message/send?access_token=…` with
//! `{"touser": userid, "msgtype": "text", "agentid": …, "text": {"content": …}}` (no 48-hour
//! window there). [`ClientConfig::wecom`] selects it.
//!
//! Temporary media (临时素材): `GET {base}/cgi-bin/media/get?access_token=…&media_id=…`, the
//! same path for an official account and WeCom. A picture's or voice message's `MediaId` opens
//! it for 3 days. Success is the file itself with its `Content-Type` (and usually a
//! `Content-Disposition` filename); failure is the usual JSON (`{"errcode":40007,"errmsg":
//! "invalid media_id"}`), also with HTTP 200. [`WeChatClient::download_media`] reads at most the
//! size the caller allows and stops reading beyond it.
//!
//! The base URL is configurable (the real one is [`ClientConfig::DEFAULT_BASE_URL`]) so that
//! tests run against a local stand-in.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use kefu_model::Clock;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Mutex;

/// Where to reach the API and as whom.
#[derive(Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub app_id: String,
    pub app_secret: String,
    /// Per request, connection included.
    pub request_timeout: Duration,
    /// WeCom: the app's AgentID; `None` for an official account.
    pub wecom_agent_id: Option<String>,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("app_id", &self.app_id)
            .field("wecom_agent_id", &self.wecom_agent_id)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    pub const DEFAULT_BASE_URL: &str = "https://api.weixin.qq.com";
    pub const WECOM_BASE_URL: &str = "https://qyapi.weixin.qq.com";

    pub fn new(app_id: impl Into<String>, app_secret: impl Into<String>) -> Self {
        Self {
            base_url: Self::DEFAULT_BASE_URL.to_owned(),
            app_id: app_id.into(),
            app_secret: app_secret.into(),
            request_timeout: Duration::from_secs(10),
            wecom_agent_id: None,
        }
    }

    /// A WeCom app: the corp id, the app's secret and its AgentID.
    pub fn wecom(
        corp_id: impl Into<String>,
        app_secret: impl Into<String>,
        agent_id: impl Into<String>,
    ) -> Self {
        Self {
            base_url: Self::WECOM_BASE_URL.to_owned(),
            wecom_agent_id: Some(agent_id.into()),
            ..Self::new(corp_id, app_secret)
        }
    }

    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }
}

/// What went wrong talking to WeChat. API errors are sorted by what the caller can do about them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeChatError {
    /// 45015: the user's last message is more than 48 hours old.
    #[error("outside the 48-hour customer-service window (45015: {message})")]
    OutsideReplyWindow { message: String },
    /// 45047: too many customer-service messages since the user's last message.
    #[error("customer-service message limit reached (45047: {message})")]
    ReplyLimitReached { message: String },
    /// The token was refused even after fetching a fresh one.
    #[error("access token refused ({code}: {message})")]
    AccessTokenRejected { code: i64, message: String },
    /// The app id or secret is wrong, or this server's IP is not on the account's allow-list.
    #[error("credentials refused ({code}: {message})")]
    BadCredentials { code: i64, message: String },
    /// The openid is not valid for this account, or the user does not follow it.
    #[error("recipient refused ({code}: {message})")]
    InvalidRecipient { code: i64, message: String },
    /// -1: WeChat is busy; try again later.
    #[error("WeChat is busy (-1: {message})")]
    Busy { message: String },
    #[error("WeChat error {code}: {message}")]
    Api { code: i64, message: String },
    /// The request did not complete (connection, timeout, TLS).
    #[error("could not reach WeChat: {0}")]
    Transport(String),
    /// An HTTP error status or a body that is not the documented JSON.
    #[error("unexpected response from WeChat: {0}")]
    UnexpectedResponse(String),
    /// A downloaded file is larger than the caller allows; reading stopped there.
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: usize },
}

impl WeChatError {
    /// Map an `errcode`/`errmsg` pair (non-zero) to its case.
    pub fn from_api(code: i64, message: impl Into<String>) -> Self {
        let message = message.into();
        match code {
            45015 => Self::OutsideReplyWindow { message },
            45047 => Self::ReplyLimitReached { message },
            40001 | 40014 | 42001 => Self::AccessTokenRejected { code, message },
            40013 | 40125 | 40164 | 41002 | 41004 => Self::BadCredentials { code, message },
            40003 | 43004 => Self::InvalidRecipient { code, message },
            -1 => Self::Busy { message },
            _ => Self::Api { code, message },
        }
    }

    /// The WeChat error code, when the error came from the API.
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::OutsideReplyWindow { .. } => Some(45015),
            Self::ReplyLimitReached { .. } => Some(45047),
            Self::Busy { .. } => Some(-1),
            Self::AccessTokenRejected { code, .. }
            | Self::BadCredentials { code, .. }
            | Self::InvalidRecipient { code, .. }
            | Self::Api { code, .. } => Some(*code),
            Self::Transport(_) | Self::UnexpectedResponse(_) | Self::TooLarge { .. } => None,
        }
    }

    /// Whether the same send may succeed later without anything changing on our side.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Busy { .. } | Self::Transport(_) | Self::UnexpectedResponse(_)
        )
    }
}

/// A token is refreshed this long before WeChat says it expires (or at half its life if that is
/// shorter), so that a send never starts with a token about to die on the wire.
const EARLY_REFRESH: SignedDuration = SignedDuration::from_mins(5);

/// A file downloaded from the media API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub bytes: Vec<u8>,
    /// The `Content-Type` WeChat gave, without parameters, lower case.
    pub content_type: Option<String>,
    /// The `filename` of the `Content-Disposition`, when there was one.
    pub filename: Option<String>,
}

/// Error answers are a few dozen bytes; more than this is not one.
const ERROR_BODY_MAX: usize = 64 * 1024;

struct CachedToken {
    value: String,
    refresh_after: Timestamp,
}

/// Sends customer-service messages, fetching and caching the access token.
pub struct WeChatClient {
    http: reqwest::Client,
    config: ClientConfig,
    clock: Arc<dyn Clock>,
    /// Held across the fetch, so concurrent callers wait for one fetch instead of each starting one.
    token: Mutex<Option<CachedToken>>,
}

impl std::fmt::Debug for WeChatClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeChatClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<i64>,
    errcode: Option<i64>,
    errmsg: Option<String>,
}

#[derive(Deserialize)]
struct StatusResponse {
    errcode: Option<i64>,
    errmsg: Option<String>,
}

impl WeChatClient {
    pub fn new(config: ClientConfig, clock: Arc<dyn Clock>) -> Result<Self, WeChatError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()
            .map_err(|error| WeChatError::Transport(error.without_url().to_string()))?;
        Ok(Self {
            http,
            config,
            clock,
            token: Mutex::new(None),
        })
    }

    /// A valid access token: the cached one, or a fresh one when it is due for refresh.
    pub async fn access_token(&self) -> Result<String, WeChatError> {
        let mut cached = self.token.lock().await;
        let now = self.clock.now();
        if let Some(token) = cached.as_ref().filter(|token| now < token.refresh_after) {
            return Ok(token.value.clone());
        }
        let (value, lifetime) = self.fetch_token().await?;
        let margin = EARLY_REFRESH.min(lifetime / 2);
        let refresh_after = now.saturating_add(lifetime - margin).unwrap_or(now);
        *cached = Some(CachedToken {
            value: value.clone(),
            refresh_after,
        });
        Ok(value)
    }

    /// Forget `rejected` if it is still the cached token. Concurrent senders that saw the same
    /// rejection thus cause one fetch, not one each.
    async fn invalidate(&self, rejected: &str) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|token| token.value == rejected) {
            *cached = None;
        }
    }

    /// Send a text message to `open_id` through the customer-service API. A stale token is
    /// replaced and the send retried once.
    /// For a WeCom app, `open_id` is the member's user id and the app's message API is used.
    pub async fn send_text(&self, open_id: &str, content: &str) -> Result<(), WeChatError> {
        let body = match &self.config.wecom_agent_id {
            None => json!({ "touser": open_id, "msgtype": "text", "text": { "content": content } }),
            Some(agent_id) => {
                // The API takes the AgentID as a number; one that is not is passed as written
                // and WeChat says what it thinks of it.
                let agent_id = agent_id
                    .parse::<i64>()
                    .map_or_else(|_| json!(agent_id), |number| json!(number));
                json!({
                    "touser": open_id, "msgtype": "text", "agentid": agent_id,
                    "text": { "content": content },
                })
            }
        };
        let path = match self.config.wecom_agent_id {
            None => "cgi-bin/message/custom/send",
            Some(_) => "cgi-bin/message/send",
        };
        self.post_with_token(path, &body).await
    }

    /// Send a template message (模板消息) to `open_id`: an official account's way to reach a
    /// follower outside the 48-hour window, with a template approved in its admin console.
    /// `data` are the template's fields and their texts; `url` opens when the user taps it.
    pub async fn send_template(
        &self,
        open_id: &str,
        template_id: &str,
        url: Option<&str>,
        data: &[(String, String)],
    ) -> Result<(), WeChatError> {
        if self.config.wecom_agent_id.is_some() {
            return Err(WeChatError::UnexpectedResponse(
                "a WeCom app has no template messages".to_owned(),
            ));
        }
        let fields: serde_json::Map<String, serde_json::Value> = data
            .iter()
            .map(|(key, value)| (key.clone(), json!({ "value": value })))
            .collect();
        let mut body = json!({ "touser": open_id, "template_id": template_id, "data": fields });
        if let Some(url) = url {
            body["url"] = json!(url);
        }
        self.post_with_token("cgi-bin/message/template/send", &body)
            .await
    }

    /// Posts `body` to `path` with the access token; a stale token is replaced and the post
    /// retried once.
    async fn post_with_token(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<(), WeChatError> {
        let token = self.access_token().await?;
        match self.post_json(path, &token, body).await {
            Err(WeChatError::AccessTokenRejected { code, .. }) => {
                tracing::info!(
                    code,
                    "WeChat refused the cached access token; fetching a new one"
                );
                self.invalidate(&token).await;
                let token = self.access_token().await?;
                self.post_json(path, &token, body).await
            }
            result => result,
        }
    }

    /// Downloads a temporary media file (a picture's or voice message's `MediaId`). At most
    /// `max_bytes` are read: a larger file is [`WeChatError::TooLarge`], found from its
    /// `Content-Length` or while reading, never buffered whole. A stale token is replaced and
    /// the download retried once.
    pub async fn download_media(
        &self,
        media_id: &str,
        max_bytes: usize,
    ) -> Result<Media, WeChatError> {
        let token = self.access_token().await?;
        match self.get_media(&token, media_id, max_bytes).await {
            Err(WeChatError::AccessTokenRejected { code, .. }) => {
                tracing::info!(
                    code,
                    "WeChat refused the cached access token; fetching a new one"
                );
                self.invalidate(&token).await;
                let token = self.access_token().await?;
                self.get_media(&token, media_id, max_bytes).await
            }
            result => result,
        }
    }

    async fn get_media(
        &self,
        token: &str,
        media_id: &str,
        max_bytes: usize,
    ) -> Result<Media, WeChatError> {
        let url = format!(
            "{}/cgi-bin/media/get",
            self.config.base_url.trim_end_matches('/')
        );
        let mut response = self
            .http
            .get(url)
            .query(&[("access_token", token), ("media_id", media_id)])
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(WeChatError::UnexpectedResponse(format!(
                "HTTP status {status}"
            )));
        }
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE).map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
        let filename = header(reqwest::header::CONTENT_DISPOSITION)
            .as_deref()
            .and_then(disposition_filename);
        // WeChat answers errors as JSON (sometimes labelled text/plain): those are read only as
        // far as an error answer can go.
        let error_answer = content_type
            .as_deref()
            .is_some_and(|t| t == "application/json" || t.starts_with("text/"));
        let limit = if error_answer {
            ERROR_BODY_MAX
        } else {
            max_bytes
        };
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(WeChatError::TooLarge { limit });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if bytes.len() + chunk.len() > limit {
                return Err(WeChatError::TooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        if error_answer || bytes.first() == Some(&b'{') {
            match serde_json::from_slice::<StatusResponse>(&bytes) {
                Ok(StatusResponse {
                    errcode: Some(code),
                    errmsg,
                }) if code != 0 => {
                    return Err(WeChatError::from_api(code, errmsg.unwrap_or_default()));
                }
                _ if error_answer => {
                    return Err(WeChatError::UnexpectedResponse(format!(
                        "a {} answer that is not an error code",
                        content_type.unwrap_or_default()
                    )));
                }
                _ => {}
            }
        }
        if bytes.is_empty() {
            return Err(WeChatError::UnexpectedResponse("an empty file".to_owned()));
        }
        Ok(Media {
            bytes,
            content_type,
            filename,
        })
    }

    async fn fetch_token(&self) -> Result<(String, SignedDuration), WeChatError> {
        let base = self.config.base_url.trim_end_matches('/');
        let request = match self.config.wecom_agent_id {
            None => self.http.get(format!("{base}/cgi-bin/token")).query(&[
                ("grant_type", "client_credential"),
                ("appid", self.config.app_id.as_str()),
                ("secret", self.config.app_secret.as_str()),
            ]),
            Some(_) => self.http.get(format!("{base}/cgi-bin/gettoken")).query(&[
                ("corpid", self.config.app_id.as_str()),
                ("corpsecret", self.config.app_secret.as_str()),
            ]),
        };
        let response = request.send().await.map_err(transport)?;
        let answer: TokenResponse = read_json(response).await?;
        if let Some(code) = answer.errcode.filter(|&code| code != 0) {
            return Err(WeChatError::from_api(
                code,
                answer.errmsg.unwrap_or_default(),
            ));
        }
        match (answer.access_token, answer.expires_in) {
            (Some(token), Some(seconds)) if !token.is_empty() && seconds > 0 => {
                Ok((token, SignedDuration::from_secs(seconds)))
            }
            _ => Err(WeChatError::UnexpectedResponse(
                "token answer without access_token and a positive expires_in".to_owned(),
            )),
        }
    }

    async fn post_json(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> Result<(), WeChatError> {
        let url = format!("{}/{path}", self.config.base_url.trim_end_matches('/'));
        let response = self
            .http
            .post(url)
            .query(&[("access_token", token)])
            .json(body)
            .send()
            .await
            .map_err(transport)?;
        let answer: StatusResponse = read_json(response).await?;
        match answer.errcode {
            Some(0) => Ok(()),
            Some(code) => Err(WeChatError::from_api(
                code,
                answer.errmsg.unwrap_or_default(),
            )),
            None => Err(WeChatError::UnexpectedResponse(
                "answer without errcode".to_owned(),
            )),
        }
    }
}

/// The `filename` of a `Content-Disposition` value (`attachment; filename="a.jpg"`).
fn disposition_filename(value: &str) -> Option<String> {
    value.split(';').find_map(|part| {
        let (key, name) = part.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("filename") {
            return None;
        }
        let name = name.trim().trim_matches('"').trim();
        (!name.is_empty()).then(|| name.to_owned())
    })
}

/// The URL carries the secret or the token: never let it into an error message.
fn transport(error: reqwest::Error) -> WeChatError {
    WeChatError::Transport(error.without_url().to_string())
}

async fn read_json<T: for<'de> Deserialize<'de>>(
    response: reqwest::Response,
) -> Result<T, WeChatError> {
    let status = response.status();
    if !status.is_success() {
        return Err(WeChatError::UnexpectedResponse(format!(
            "HTTP status {status}"
        )));
    }
    let bytes = response.bytes().await.map_err(transport)?;
    serde_json::from_slice(&bytes).map_err(|error| {
        WeChatError::UnexpectedResponse(format!("not the documented JSON: {error}"))
    })
}
