//! A local stand-in for the WeChat API: the two endpoints the client uses, speaking the
//! documented protocol, with its time taken from the same `FixedClock` the test gives the client.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::{SignedDuration, Timestamp};
use kefu_model::{Clock, FixedClock};
use serde::Deserialize;
use serde_json::{Value, json};

pub const APP_ID: &str = "wx0123456789abcdef";
pub const APP_SECRET: &str = "standin-secret-0123456789abcdef";
pub const CORP_ID: &str = "ww0123456789abcdef";
pub const CORP_SECRET: &str = "standin-corp-secret-0123456789";
pub const AGENT_ID: i64 = 1_000_002;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub touser: String,
    pub content: String,
}

#[derive(Default)]
struct Book {
    /// Token → when it expires.
    tokens: HashMap<String, Timestamp>,
    token_fetches: usize,
    rejected_for_token: usize,
    /// Openid → time of the user's last message, and customer-service messages sent since.
    users: HashMap<String, (Timestamp, usize)>,
    received: Vec<Received>,
    /// Template messages: the body as posted.
    templates: Vec<Value>,
    refuse_every_token: bool,
    /// Media id → the file: its type, name and bytes.
    media: HashMap<String, StoredMedia>,
    media_downloads: usize,
    media_busy: bool,
}

#[derive(Clone)]
pub struct StoredMedia {
    pub content_type: String,
    pub filename: String,
    pub bytes: Vec<u8>,
    /// When WeChat forgets it (3 days after upload).
    pub expires_at: Timestamp,
}

pub struct StandIn {
    pub base_url: String,
    pub clock: Arc<FixedClock>,
    shared: Arc<Shared>,
}

struct Shared {
    clock: Arc<FixedClock>,
    token_lifetime: SignedDuration,
    messages_per_window: usize,
    /// Widens the window in which concurrent callers could each start a fetch.
    token_delay: Duration,
    book: Mutex<Book>,
}

impl Shared {
    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap()
    }
}

pub struct Options {
    pub token_lifetime: SignedDuration,
    pub messages_per_window: usize,
    pub token_delay: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            token_lifetime: SignedDuration::from_secs(7200),
            messages_per_window: 1000,
            token_delay: Duration::ZERO,
        }
    }
}

impl StandIn {
    pub async fn start(options: Options) -> Self {
        let clock = Arc::new(FixedClock::new("2026-03-01T08:00:00Z".parse().unwrap()));
        let shared = Arc::new(Shared {
            clock: clock.clone(),
            token_lifetime: options.token_lifetime,
            messages_per_window: options.messages_per_window,
            token_delay: options.token_delay,
            book: Mutex::new(Book::default()),
        });
        let app = Router::new()
            .route("/cgi-bin/token", get(issue_token))
            .route("/cgi-bin/message/custom/send", post(custom_send))
            .route("/cgi-bin/message/template/send", post(template_send))
            .route("/cgi-bin/gettoken", get(issue_wecom_token))
            .route("/cgi-bin/message/send", post(wecom_send))
            .route("/cgi-bin/media/get", get(media_get))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base_url: format!("http://{address}"),
            clock,
            shared,
        }
    }

    /// The user writes to the account now: the 48-hour window opens afresh.
    pub fn user_wrote(&self, openid: &str) {
        let now = self.clock.now();
        self.shared.book().users.insert(openid.to_owned(), (now, 0));
    }

    /// Every token issued so far expires now (WeChat then answers 42001).
    pub fn expire_tokens(&self) {
        let now = self.clock.now();
        for expiry in self.shared.book().tokens.values_mut() {
            *expiry = now;
        }
    }

    /// Forget every token issued so far (WeChat then answers 40001).
    pub fn forget_tokens(&self) {
        self.shared.book().tokens.clear();
    }

    /// Refuse every token, even fresh ones.
    pub fn refuse_every_token(&self) {
        self.shared.book().refuse_every_token = true;
    }

    pub fn token_fetches(&self) -> usize {
        self.shared.book().token_fetches
    }

    pub fn rejected_for_token(&self) -> usize {
        self.shared.book().rejected_for_token
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.book().received.clone()
    }

    /// A user sent a file: WeChat keeps it under `media_id` for 3 days from now.
    pub fn put_media(&self, media_id: &str, content_type: &str, filename: &str, bytes: &[u8]) {
        let expires_at = self.clock.now() + SignedDuration::from_hours(72);
        self.shared.book().media.insert(
            media_id.to_owned(),
            StoredMedia {
                content_type: content_type.to_owned(),
                filename: filename.to_owned(),
                bytes: bytes.to_vec(),
                expires_at,
            },
        );
    }

    /// The media API answers -1 (busy) until told otherwise.
    pub fn media_busy(&self, busy: bool) {
        self.shared.book().media_busy = busy;
    }

    /// Files served so far.
    pub fn media_downloads(&self) -> usize {
        self.shared.book().media_downloads
    }

    pub fn templates(&self) -> Vec<Value> {
        self.shared.book().templates.clone()
    }
}

/// A template message: a valid token, a follower, a template id and fields of `{"value"}`; no
/// 48-hour window.
async fn template_send(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<SendQuery>,
    Json(body): Json<Value>,
) -> Json<Value> {
    let now = shared.clock.now();
    let mut book = shared.book();
    if let Some(refusal) = token_refusal(&mut book, query.access_token.as_ref(), now) {
        return refusal;
    }
    let follower = body["touser"]
        .as_str()
        .is_some_and(|u| book.users.contains_key(u));
    if !follower {
        return Json(json!({ "errcode": 40003, "errmsg": "invalid openid" }));
    }
    let well_formed = body["template_id"].as_str().is_some_and(|t| !t.is_empty())
        && body["data"]
            .as_object()
            .is_some_and(|d| !d.is_empty() && d.values().all(|v| v["value"].is_string()));
    if !well_formed {
        return Json(json!({ "errcode": 40037, "errmsg": "invalid template_id" }));
    }
    book.templates.push(body);
    Json(json!({ "errcode": 0, "errmsg": "ok", "msgid": 200228332 }))
}

#[derive(Deserialize)]
struct TokenQuery {
    grant_type: Option<String>,
    appid: Option<String>,
    secret: Option<String>,
}

async fn issue_token(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<TokenQuery>,
) -> Json<Value> {
    if !shared.token_delay.is_zero() {
        tokio::time::sleep(shared.token_delay).await;
    }
    if query.grant_type.as_deref() != Some("client_credential") {
        return Json(json!({ "errcode": 40002, "errmsg": "invalid grant_type" }));
    }
    if query.appid.as_deref() != Some(APP_ID) {
        return Json(json!({ "errcode": 40013, "errmsg": "invalid appid" }));
    }
    if query.secret.as_deref() != Some(APP_SECRET) {
        return Json(json!({ "errcode": 40125, "errmsg": "invalid appsecret" }));
    }
    let now = shared.clock.now();
    let mut book = shared.book();
    book.token_fetches += 1;
    let token = format!("standin-token-{}", book.token_fetches);
    book.tokens
        .insert(token.clone(), now + shared.token_lifetime);
    Json(json!({ "access_token": token, "expires_in": shared.token_lifetime.as_secs() }))
}

#[derive(Deserialize)]
struct SendQuery {
    access_token: Option<String>,
}

/// The official account API's answer to a missing, unknown or expired token (counted), or
/// `None` for a valid one.
fn token_refusal(book: &mut Book, token: Option<&String>, now: Timestamp) -> Option<Json<Value>> {
    let expiry = token.and_then(|token| book.tokens.get(token).copied());
    let (code, message) = match expiry {
        _ if book.refuse_every_token => (
            40001,
            "invalid credential, access_token is invalid or not latest",
        ),
        None => (
            40001,
            "invalid credential, access_token is invalid or not latest",
        ),
        Some(expiry) if now >= expiry => (42001, "access_token expired"),
        Some(_) => return None,
    };
    book.rejected_for_token += 1;
    Some(Json(json!({ "errcode": code, "errmsg": message })))
}

async fn custom_send(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<SendQuery>,
    Json(body): Json<Value>,
) -> Json<Value> {
    let now = shared.clock.now();
    let mut book = shared.book();
    if let Some(refusal) = token_refusal(&mut book, query.access_token.as_ref(), now) {
        return refusal;
    }
    let (Some(touser), Some("text"), Some(content)) = (
        body["touser"].as_str(),
        body["msgtype"].as_str(),
        body["text"]["content"].as_str(),
    ) else {
        return Json(json!({ "errcode": 44002, "errmsg": "empty post data" }));
    };
    let limit = shared.messages_per_window;
    let Some((last_message, sent_since)) = book.users.get_mut(touser) else {
        return Json(json!({ "errcode": 40003, "errmsg": "invalid openid" }));
    };
    if now.duration_since(*last_message) >= SignedDuration::from_hours(48) {
        return Json(
            json!({ "errcode": 45015, "errmsg": "response out of time limit or subscription is canceled" }),
        );
    }
    if *sent_since >= limit {
        return Json(json!({ "errcode": 45047, "errmsg": "out of response count limit" }));
    }
    *sent_since += 1;
    let received = Received {
        touser: touser.to_owned(),
        content: content.to_owned(),
    };
    book.received.push(received);
    Json(json!({ "errcode": 0, "errmsg": "ok" }))
}

#[derive(Deserialize)]
struct MediaQuery {
    access_token: Option<String>,
    media_id: Option<String>,
}

/// Temporary media: the file with its type and name, or the JSON error (HTTP 200 either way).
/// Tokens of both flavors are in one book, so one handler serves both hosts' path.
async fn media_get(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<MediaQuery>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let now = shared.clock.now();
    let mut book = shared.book();
    if let Some(refusal) = token_refusal(&mut book, query.access_token.as_ref(), now) {
        return refusal.into_response();
    }
    if book.media_busy {
        return Json(json!({ "errcode": -1, "errmsg": "system error" })).into_response();
    }
    let media = query
        .media_id
        .as_ref()
        .and_then(|id| book.media.get(id))
        .filter(|media| now < media.expires_at)
        .cloned();
    let Some(media) = media else {
        return Json(json!({ "errcode": 40007, "errmsg": "invalid media_id" })).into_response();
    };
    book.media_downloads += 1;
    (
        [
            (axum::http::header::CONTENT_TYPE, media.content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", media.filename),
            ),
        ],
        media.bytes,
    )
        .into_response()
}

#[derive(Deserialize)]
struct WeComTokenQuery {
    corpid: Option<String>,
    corpsecret: Option<String>,
}

/// WeCom's token endpoint: corp id and app secret, same answer shape.
async fn issue_wecom_token(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<WeComTokenQuery>,
) -> Json<Value> {
    if query.corpid.as_deref() != Some(CORP_ID) {
        return Json(json!({ "errcode": 40013, "errmsg": "invalid corpid" }));
    }
    if query.corpsecret.as_deref() != Some(CORP_SECRET) {
        return Json(json!({ "errcode": 40001, "errmsg": "invalid secret" }));
    }
    let now = shared.clock.now();
    let mut book = shared.book();
    book.token_fetches += 1;
    let token = format!("standin-wecom-token-{}", book.token_fetches);
    book.tokens
        .insert(token.clone(), now + shared.token_lifetime);
    Json(
        json!({ "errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": shared.token_lifetime.as_secs() }),
    )
}

/// WeCom's app message: `agentid` must be the app's (a number), no 48-hour window.
async fn wecom_send(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<SendQuery>,
    Json(body): Json<Value>,
) -> Json<Value> {
    let now = shared.clock.now();
    let mut book = shared.book();
    let valid = query
        .access_token
        .as_ref()
        .and_then(|token| book.tokens.get(token).copied())
        .is_some_and(|expiry| now < expiry);
    if !valid {
        book.rejected_for_token += 1;
        return Json(json!({ "errcode": 40014, "errmsg": "invalid access_token" }));
    }
    if body["agentid"].as_i64() != Some(AGENT_ID) {
        return Json(json!({ "errcode": 40056, "errmsg": "invalid agentid" }));
    }
    let (Some(touser), Some("text"), Some(content)) = (
        body["touser"].as_str(),
        body["msgtype"].as_str(),
        body["text"]["content"].as_str(),
    ) else {
        return Json(json!({ "errcode": 44002, "errmsg": "empty post data" }));
    };
    book.received.push(Received {
        touser: touser.to_owned(),
        content: content.to_owned(),
    });
    Json(json!({ "errcode": 0, "errmsg": "ok", "invaliduser": "" }))
}
