//! Live chat over WebSocket. The wire protocol (JSON text frames):
//!
//! client → server
//! - `{"type":"hello","token":…,"after":N}` first, from a customer (`/chat/ws`); staff
//!   (`/api/v1/chat/cases/{id}/ws`, bearer token or console session) send `{"type":"hello","after":N}`.
//! - `{"type":"message","client_id":…,"body":…,"attachments":[{"name","mime","data"}]}`
//! - `{"type":"note",…}` (staff: an internal note), `{"type":"typing"}`, `{"type":"read","seq":N}`
//! - `{"type":"rate","score":1–5,"reasons":[…],"comment":…}` (the customer, on the rating card a
//!   `survey` notice shows once the case is resolved)
//!
//! server → client
//! - `{"type":"welcome",…}` once, then every frame after `after` (`message`, `notice`,
//!   `understood` for staff) in `seq` order, then live ones as they are stored.
//! - `{"type":"ack","client_id","seq","duplicate"}` once a message is on disk.
//! - `{"type":"rated","score"}` once a rating is on disk; a `survey` notice carries the reasons
//!   offered (`good_reasons`, `poor_reasons`, `satisfied_from`).
//! - `{"type":"typing","who"}`, `{"type":"read","who","seq"}`, `{"type":"error","code","message"}`.
//!
//! Nothing is lost and nothing is shown twice: a client keeps the highest `seq` it has shown
//! and says it in `hello` when it reconnects; it resends unacknowledged messages with their
//! `client_id`, which the desk stores only once. A node learns of a change on another node
//! through the store's signals (PostgreSQL LISTEN/NOTIFY); every connection also re-reads the
//! conversation now and then, so a missed signal delays a message, never loses it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_model::chat::{Audience, ChatConversation, ChatFrame, ChatSend};
use kefu_model::ids::{CaseId, MessageId};
use kefu_model::{Actor, Visibility};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, WsUpgrade};

/// How long a client has to say hello.
const HELLO_WITHIN: Duration = Duration::from_secs(10);
/// How often a connection re-reads its conversation without being told to.
const RESYNC_EVERY: Duration = Duration::from_secs(5);
/// Frames larger than this are refused (an image of 2 MB is ~2.7 MB in base64).
pub const MAX_FRAME: usize = 3 * 1024 * 1024;
/// Per-connection buffers. The library's default is 128 KiB each way, which an idle chat
/// (a few hundred bytes a minute) never needs; small buffers keep thousands of open chats cheap.
const READ_BUFFER: usize = 4 * 1024;
/// Write each frame at once (a chat frame is small and should not wait for company).
const WRITE_BUFFER: usize = 0;

/// Something a connection should know about a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// The node that sent it.
    pub node: String,
    pub case_id: String,
    #[serde(flatten)]
    pub kind: SignalKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "signal", rename_all = "snake_case")]
pub enum SignalKind {
    /// New events: read them from the store.
    Changed,
    Typing {
        who: String,
    },
    Read {
        who: String,
        seq: i64,
    },
}

/// This node's chat connections by conversation, and the bridge to the other nodes.
pub struct ChatHub {
    node: String,
    topics: Mutex<HashMap<String, broadcast::Sender<Signal>>>,
}

impl Default for ChatHub {
    fn default() -> Self {
        ChatHub {
            node: format!("n{}", MessageId::new(jiff::Timestamp::UNIX_EPOCH)),
            topics: Mutex::default(),
        }
    }
}

impl ChatHub {
    fn subscribe(&self, case_id: &str) -> broadcast::Receiver<Signal> {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        // Forget conversations nobody listens to any more.
        if topics.len() > 1024 {
            topics.retain(|_, tx| tx.receiver_count() > 0);
        }
        topics
            .entry(case_id.to_string())
            .or_insert_with(|| broadcast::channel(256).0)
            .subscribe()
    }

    fn deliver(&self, signal: Signal) {
        let topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = topics.get(&signal.case_id) {
            let _ = tx.send(signal);
        }
    }

    /// Tells this node's connections at once and the other nodes through the store.
    pub async fn publish(&self, state: &AppState, case_id: &CaseId, kind: SignalKind) {
        let signal = Signal {
            node: self.node.clone(),
            case_id: case_id.to_string(),
            kind,
        };
        self.deliver(signal.clone());
        if let Ok(payload) = serde_json::to_string(&signal)
            && let Err(e) = state.desk.publish_signal(&payload).await
        {
            tracing::warn!("chat signal not published: {e}");
        }
    }

    /// Hands the other nodes' signals to this node's connections, for as long as the store
    /// has signals (PostgreSQL); returns at once for a single-node store.
    pub async fn relay(self: Arc<Self>, state: AppState) {
        loop {
            let mut rx = match state.desk.signals().await {
                Ok(Some(rx)) => rx,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!("chat signals unavailable: {e}; retrying");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    continue;
                }
            };
            while let Some(payload) = rx.recv().await {
                match serde_json::from_str::<Signal>(&payload) {
                    Ok(s) if s.node != self.node => self.deliver(s),
                    Ok(_) => {}
                    Err(e) => tracing::debug!("ignoring a foreign signal: {e}"),
                }
            }
        }
    }
}

// ---- HTTP: starting a conversation, attachments ---------------------------------------------

fn client_ip(parts: &axum::http::request::Parts) -> std::net::IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
}

/// A public JSON endpoint's share of the portal's per-address limit.
pub(crate) fn rate_limited(state: &AppState, parts: &axum::http::request::Parts) -> ApiResult<()> {
    if state
        .portal_limiter
        .allow(client_ip(parts), state.desk.now())
    {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests; try again in a minute",
        ))
    }
}

/// `POST /api/v1/chat/conversations`: public, rate-limited like the portal.
pub async fn start(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    ApiJson(start): ApiJson<kefu_model::chat::ChatStart>,
) -> ApiResult<Response> {
    rate_limited(&state, &parts)?;
    let started = state.desk.start_chat(start).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(crate::views::ChatStarted::from(started)),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct AttachmentQuery {
    k: Option<String>,
}

/// The key that opens an attachment for the customer: derived from their conversation, so a
/// guessed attachment id alone opens nothing.
fn attachment_key(conversation: &ChatConversation, attachment_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{}:{attachment_id}", conversation.token_hash).as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// `GET /chat/attachments/{id}?k=…` (customer) — staff use their session instead.
pub async fn attachment(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<AttachmentQuery>,
) -> ApiResult<Response> {
    let stored = state
        .desk
        .attachment(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    let allowed = match (&q.k, staff_actor(&state, &headers).await) {
        (_, Some(actor)) => state
            .desk
            .get_case(&actor, stored.case_id.as_str())
            .await
            .is_ok(),
        (Some(k), None) => {
            let conversation = state.desk.conversation_of(&stored.case_id).await?;
            conversation.is_some_and(|c| attachment_key(&c, &id) == *k)
        }
        (None, None) => false,
    };
    if !allowed {
        return Err(ApiError::not_found("attachment"));
    }
    // Images (checked by their bytes) open in the page; anything else — a voice message, a
    // mail's file — is a download, so no stored bytes are ever rendered as a page of ours.
    let image = kefu_model::attachment::ATTACHMENT_TYPES.contains(&stored.attachment.mime.as_str());
    let disposition = if image { "inline" } else { "attachment" };
    Ok((
        [
            (header::CONTENT_TYPE, stored.attachment.mime.clone()),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
            (header::CONTENT_DISPOSITION, disposition.to_string()),
        ],
        stored.bytes,
    )
        .into_response())
}

/// The staff member behind a bearer token or a console session cookie.
async fn staff_actor(state: &AppState, headers: &HeaderMap) -> Option<Actor> {
    let token =
        crate::extract::bearer_token(headers).or_else(|| crate::ui::session_token(headers))?;
    state.sessions.actor(&state.desk, token).await.ok()
}

// ---- WebSocket ------------------------------------------------------------------------------

/// `GET /chat/ws`: the customer's side; the token comes in the first frame, not the URL.
pub async fn customer_ws(State(state): State<AppState>, WsUpgrade(ws): WsUpgrade) -> Response {
    ws.max_message_size(MAX_FRAME)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .on_upgrade(move |socket| async move {
            run(state, socket, Side::Customer).await;
        })
}

/// `GET /api/v1/chat/cases/{id}/ws`: an agent's side of one conversation.
pub async fn staff_ws(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    WsUpgrade(ws): WsUpgrade,
) -> ApiResult<Response> {
    // A cookie rides along on any page's WebSocket, so a cookie session must come from our own
    // pages (cross-site WebSocket hijacking); a bearer token cannot be sent by another site.
    let has_bearer = headers.contains_key(header::AUTHORIZATION);
    if !has_bearer && !same_origin(&headers) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "cross-origin WebSocket refused",
        ));
    }
    let actor = staff_actor(&state, &headers).await.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "send Authorization: Bearer <token> or sign in",
        )
    })?;
    let (case, conversation) = state.desk.chat_of_case(&actor, &id).await?;
    let _ = case;
    Ok(ws
        .max_message_size(MAX_FRAME)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .on_upgrade(move |socket| async move {
            run(state, socket, Side::Staff(Box::new((actor, conversation)))).await;
        }))
}

fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host),
        // Non-browser clients send no Origin.
        (_, None) => true,
        _ => false,
    }
}

enum Side {
    Customer,
    Staff(Box<(Actor, ChatConversation)>),
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientFrame {
    Hello {
        #[serde(default)]
        token: Option<String>,
        #[serde(default)]
        after: i64,
    },
    Message(ChatSend),
    Note(ChatSend),
    Typing,
    Read {
        seq: i64,
    },
    /// The customer's answer on the chat's rating card.
    Rate(kefu_model::survey::AnswerDraft),
    Ping,
}

async fn send_json(socket: &mut WebSocket, value: &Value) -> bool {
    socket
        .send(Message::Text(value.to_string().into()))
        .await
        .is_ok()
}

fn error_frame(code: &str, message: &str, client_id: Option<&str>) -> Value {
    let mut v = json!({"type": "error", "code": code, "message": message});
    if let Some(c) = client_id {
        v["client_id"] = json!(c);
    }
    v
}

/// Waits for the client's hello.
async fn hello(socket: &mut WebSocket) -> Option<(Option<String>, i64)> {
    let first = tokio::time::timeout(HELLO_WITHIN, socket.recv())
        .await
        .ok()??
        .ok()?;
    let Message::Text(text) = first else {
        return None;
    };
    match serde_json::from_str::<ClientFrame>(&text) {
        Ok(ClientFrame::Hello { token, after }) => Some((token, after.max(0))),
        _ => None,
    }
}

async fn run(state: AppState, mut socket: WebSocket, side: Side) {
    let Some((token, after)) = hello(&mut socket).await else {
        let _ = send_json(
            &mut socket,
            &error_frame("hello_required", "start with {\"type\":\"hello\"}", None),
        )
        .await;
        return;
    };
    let (conversation, audience, actor) = match side {
        Side::Customer => {
            let found = match token {
                Some(t) if t.len() <= 256 => state.desk.chat_by_token(&t).await.ok(),
                _ => None,
            };
            let Some(c) = found else {
                let _ = send_json(
                    &mut socket,
                    &error_frame("not_found", "no such conversation", None),
                )
                .await;
                return;
            };
            (c, Audience::Customer, None)
        }
        Side::Staff(b) => {
            let (actor, c) = *b;
            (c, Audience::Staff, Some(actor))
        }
    };
    let mut session = Connection {
        state,
        conversation,
        audience,
        actor,
        last_seq: after,
    };
    session.serve(socket).await;
}

struct Connection {
    state: AppState,
    conversation: ChatConversation,
    audience: Audience,
    actor: Option<Actor>,
    /// The highest `seq` this client has been sent (or said it had).
    last_seq: i64,
}

impl Connection {
    fn who(&self) -> &'static str {
        match self.audience {
            Audience::Customer => "customer",
            Audience::Staff => "staff",
        }
    }

    async fn serve(&mut self, mut socket: WebSocket) {
        let hub = self.state.chat.clone();
        // Subscribe before reading the history, so nothing stored in between is missed.
        let mut signals = hub.subscribe(self.conversation.case_id.as_str());
        let welcome = json!({
            "type": "welcome",
            "case_id": self.conversation.case_id,
            "case_number": self.conversation.case_number,
            "customer_read_seq": self.conversation.customer_read_seq,
            "staff_read_seq": self.conversation.staff_read_seq,
        });
        if !send_json(&mut socket, &welcome).await || !self.catch_up(&mut socket).await {
            return;
        }
        let mut resync = tokio::time::interval(RESYNC_EVERY);
        resync.tick().await;
        loop {
            tokio::select! {
                incoming = socket.recv() => {
                    let Some(Ok(msg)) = incoming else { return };
                    let text = match msg {
                        Message::Text(t) => t,
                        Message::Close(_) => return,
                        _ => continue,
                    };
                    if !self.handle(&mut socket, &text).await {
                        return;
                    }
                }
                signal = signals.recv() => {
                    let ok = match signal {
                        Ok(s) => self.forward(&mut socket, s).await,
                        // Fell behind: read what is there.
                        Err(broadcast::error::RecvError::Lagged(_)) => self.catch_up(&mut socket).await,
                        Err(broadcast::error::RecvError::Closed) => return,
                    };
                    if !ok {
                        return;
                    }
                }
                _ = resync.tick() => {
                    if !self.catch_up(&mut socket).await {
                        return;
                    }
                }
            }
        }
    }

    /// Sends every frame after `last_seq`.
    async fn catch_up(&mut self, socket: &mut WebSocket) -> bool {
        loop {
            // Frames and cursor come from one read: the cursor never passes an event unsent. A
            // page may hold only events this audience does not see; the cursor moves past them.
            let page = match self
                .state
                .desk
                .chat_page(&self.conversation.case_id, self.last_seq, self.audience)
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!("chat replay failed: {e}");
                    return true;
                }
            };
            for frame in page.frames {
                let mut v = match serde_json::to_value(&frame) {
                    Ok(v) => v,
                    Err(_) => continue,
                };
                self.add_urls(&frame, &mut v);
                // The rating card offers the configured reasons.
                if let ChatFrame::Notice { kind, .. } = &frame
                    && kind == "survey"
                    && let Ok(settings) = self.state.desk.survey_settings().await
                {
                    v["good_reasons"] = json!(settings.good_reasons);
                    v["poor_reasons"] = json!(settings.poor_reasons);
                    v["satisfied_from"] = json!(settings.satisfied_from);
                }
                if !send_json(socket, &v).await {
                    return false;
                }
            }
            if let Some(seq) = page.last_seq {
                self.last_seq = self.last_seq.max(seq);
            }
            if !page.more {
                return true;
            }
        }
    }

    /// Attachment links the client can open.
    fn add_urls(&self, frame: &ChatFrame, v: &mut Value) {
        let ChatFrame::Message { attachments, .. } = frame else {
            return;
        };
        let Some(list) = v.get_mut("attachments").and_then(Value::as_array_mut) else {
            return;
        };
        for (a, item) in attachments.iter().zip(list.iter_mut()) {
            let url = match self.audience {
                Audience::Customer => format!(
                    "/chat/attachments/{}?k={}",
                    a.id,
                    attachment_key(&self.conversation, &a.id)
                ),
                Audience::Staff => format!("/chat/attachments/{}", a.id),
            };
            item["url"] = json!(url);
        }
    }

    async fn forward(&mut self, socket: &mut WebSocket, signal: Signal) -> bool {
        match signal.kind {
            SignalKind::Changed => self.catch_up(socket).await,
            SignalKind::Typing { who } if who != self.who() => {
                send_json(socket, &json!({"type": "typing", "who": who})).await
            }
            SignalKind::Read { who, seq } if who != self.who() => {
                send_json(socket, &json!({"type": "read", "who": who, "seq": seq})).await
            }
            _ => true,
        }
    }

    async fn handle(&mut self, socket: &mut WebSocket, text: &str) -> bool {
        let frame: ClientFrame = match serde_json::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                return send_json(
                    socket,
                    &error_frame("malformed_frame", &e.to_string(), None),
                )
                .await;
            }
        };
        let case_id = self.conversation.case_id.clone();
        match frame {
            ClientFrame::Hello { .. } => true,
            ClientFrame::Ping => send_json(socket, &json!({"type": "pong"})).await,
            ClientFrame::Typing => {
                let who = self.who().to_string();
                self.state
                    .chat
                    .publish(&self.state, &case_id, SignalKind::Typing { who })
                    .await;
                true
            }
            ClientFrame::Read { seq } => {
                match self
                    .state
                    .desk
                    .chat_mark_read(&self.conversation, self.audience, seq.min(self.last_seq))
                    .await
                {
                    Ok(mark) => {
                        let who = self.who().to_string();
                        self.state
                            .chat
                            .publish(&self.state, &case_id, SignalKind::Read { who, seq: mark })
                            .await;
                        true
                    }
                    Err(e) => send_json(socket, &domain_error_frame(&e, None)).await,
                }
            }
            ClientFrame::Message(send) => self.send_message(socket, send, Visibility::Public).await,
            ClientFrame::Rate(answer) => match self.audience {
                Audience::Customer => {
                    let reply = match self
                        .state
                        .desk
                        .chat_rate(&self.conversation.case_id, answer)
                        .await
                    {
                        Ok(case) => json!({"type": "rated", "score": case.rating}),
                        Err(e) => domain_error_frame(&e, None),
                    };
                    self.state
                        .chat
                        .publish(&self.state, &self.conversation.case_id, SignalKind::Changed)
                        .await;
                    send_json(socket, &reply).await
                }
                Audience::Staff => {
                    send_json(
                        socket,
                        &error_frame("forbidden", "only the customer rates", None),
                    )
                    .await
                }
            },
            ClientFrame::Note(send) => match self.audience {
                Audience::Staff => self.send_message(socket, send, Visibility::Internal).await,
                Audience::Customer => {
                    send_json(
                        socket,
                        &error_frame("forbidden", "customers cannot write notes", None),
                    )
                    .await
                }
            },
        }
    }

    async fn send_message(
        &mut self,
        socket: &mut WebSocket,
        send: ChatSend,
        visibility: Visibility,
    ) -> bool {
        let client_id = send.client_id.clone();
        let body = send.body.clone();
        let result = match &self.actor {
            Some(actor) => {
                self.state
                    .desk
                    .chat_staff_send(actor, self.conversation.case_id.as_str(), send, visibility)
                    .await
            }
            None => {
                self.state
                    .desk
                    .chat_customer_send(&self.conversation, send)
                    .await
            }
        };
        let ack = match result {
            Ok(ack) => ack,
            Err(e) => return send_json(socket, &domain_error_frame(&e, Some(&client_id))).await,
        };
        let sent = send_json(
            socket,
            &json!({"type": "ack", "client_id": ack.client_id, "seq": ack.seq, "duplicate": ack.duplicate}),
        )
        .await;
        let case_id = self.conversation.case_id.clone();
        if !ack.duplicate {
            self.state
                .chat
                .publish(&self.state, &case_id, SignalKind::Changed)
                .await;
            if self.audience == Audience::Customer {
                // The bot answers in its own task: the customer already has the ack.
                let state = self.state.clone();
                let message_id = ack.message_id.clone();
                tokio::spawn(async move {
                    bot_turn(state, case_id, message_id, body).await;
                });
            }
        }
        sent
    }
}

/// Lets the bot answer, tells everyone, and routes a handed-over chat to an agent.
pub async fn bot_turn(state: AppState, case_id: CaseId, message_id: MessageId, body: String) {
    // A customer typing fast races the bot for the same case; the bot waits its turn.
    let mut outcome = state.desk.chat_bot_turn(&case_id, &message_id, &body).await;
    for attempt in 1..=4u64 {
        match &outcome {
            Err(kefu_model::DomainError::Conflict {
                code: "version_conflict",
                ..
            }) => {
                tokio::time::sleep(Duration::from_millis(25 * attempt)).await;
                outcome = state.desk.chat_bot_turn(&case_id, &message_id, &body).await;
            }
            _ => break,
        }
    }
    match outcome {
        Ok(Some(outcome)) => {
            state
                .chat
                .publish(&state, &case_id, SignalKind::Changed)
                .await;
            if outcome.handed_over.is_some() {
                match state.desk.route_case(&case_id).await {
                    Ok(_) => {
                        state
                            .chat
                            .publish(&state, &case_id, SignalKind::Changed)
                            .await
                    }
                    Err(e) => tracing::warn!("routing {case_id} failed: {e}"),
                }
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!("bot turn on {case_id} failed: {e}"),
    }
}

fn domain_error_frame(e: &kefu_model::DomainError, client_id: Option<&str>) -> Value {
    let mut v = json!({"type": "error", "code": e.code(), "message": e.to_string()});
    if let kefu_model::DomainError::Invalid { field, .. } = e {
        v["field"] = json!(field);
    }
    if let Some(c) = client_id {
        v["client_id"] = json!(c);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_round_trip_as_small_json() {
        let s = Signal {
            node: "n1".into(),
            case_id: "c1".into(),
            kind: SignalKind::Read {
                who: "customer".into(),
                seq: 7,
            },
        };
        let text = serde_json::to_string(&s).unwrap();
        assert!(text.len() < 200, "{text}");
        assert_eq!(serde_json::from_str::<Signal>(&text).unwrap(), s);
    }

    #[test]
    fn cookie_websockets_must_come_from_our_pages() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "kefu.example:8080".parse().unwrap());
        h.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, "http://kefu.example:8080".parse().unwrap());
        assert!(same_origin(&h));
    }
}
