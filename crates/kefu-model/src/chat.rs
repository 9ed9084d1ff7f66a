//! Live chat (R-CH-2): each conversation is a case on channel `chat`. Messages are the case's
//! events, so the per-conversation sequence number is the event `seq`: it only grows, it is
//! assigned in the same transaction that stores the message, and "what did I miss" is simply
//! "the events after the last `seq` I saw". This module holds the records (conversation, start,
//! send, acknowledgement, frames) and the pure rule that turns events into the frames an
//! audience sees; the use cases are `kefu_desk::chat`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::attachment::{Attachment, NewAttachment};
use crate::case::{CaseEvent, EventData};
use crate::codes::{Status, Visibility};
use crate::ids::{CaseId, MessageId, UserId};
use crate::user::{Actor, Role};

/// How many characters a chat message may have.
pub const CHAT_TEXT_MAX: usize = 4_000;

/// Events handed out per replay page.
pub const REPLAY_PAGE: u32 = 500;

/// The customer's side of a conversation: the case it is, and the secret that proves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatConversation {
    pub id: String,
    pub case_id: CaseId,
    pub case_number: String,
    /// sha256 of the token the customer's browser keeps.
    pub token_hash: String,
    /// The browser's own visitor id (an anonymous customer is known by it).
    pub visitor_id: String,
    /// Where the chat was started: `portal`, `widget` or an app name.
    pub origin: String,
    pub language: String,
    pub created_at: Timestamp,
    /// The last `seq` the customer has seen (read receipts).
    pub customer_read_seq: i64,
    /// The last `seq` staff have seen.
    pub staff_read_seq: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatStart {
    /// The browser's visitor id (kept in its storage); a new one is made when absent.
    #[serde(default)]
    pub visitor_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
}

/// A conversation just started: the token is shown once, to the customer's browser.
#[derive(Debug, Clone, Serialize)]
pub struct StartedChat {
    pub conversation_id: String,
    pub token: String,
    pub visitor_id: String,
    pub case_id: CaseId,
    pub case_number: String,
}

/// A message as a client sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatSend {
    pub client_id: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub attachments: Vec<NewAttachment>,
}

/// The answer to a send: the message's place in the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatAck {
    pub client_id: String,
    pub seq: i64,
    pub message_id: MessageId,
    /// True when the message was already stored (a resend).
    pub duplicate: bool,
}

/// Who reads a conversation: the customer sees public messages and notices only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Customer,
    Staff,
}

/// One item of a conversation as a client shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatFrame {
    Message {
        seq: i64,
        id: MessageId,
        /// `customer`, `agent` or `bot`.
        author: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        body: String,
        at: Timestamp,
        #[serde(skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<Attachment>,
        /// Staff only: an internal note.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        internal: bool,
    },
    /// Something that happened to the conversation: `handed_over`, `agent_joined`,
    /// `transferred`, `resolved`, `closed`, `reopened`, `survey` (the rating card), `rated`.
    Notice {
        seq: i64,
        at: Timestamp,
        kind: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Staff only: what the bot understood of a customer message.
    Understood {
        seq: i64,
        at: Timestamp,
        message_id: MessageId,
        understood: crate::nlu::Understanding,
    },
}

impl ChatFrame {
    pub fn seq(&self) -> i64 {
        match self {
            ChatFrame::Message { seq, .. }
            | ChatFrame::Notice { seq, .. }
            | ChatFrame::Understood { seq, .. } => *seq,
        }
    }
}

/// The frames `events` show to `audience`; `names` turns an actor (`user:agent01`) into the
/// name a customer sees.
pub fn frames(
    events: &[CaseEvent],
    audience: Audience,
    names: &dyn Fn(&str) -> Option<String>,
) -> Vec<ChatFrame> {
    let staff = audience == Audience::Staff;
    let mut out = Vec::new();
    for e in events {
        let frame = match &e.data {
            EventData::MessageAdded {
                message_id,
                body,
                visibility,
                author_kind,
                client_id,
                attachments,
                ..
            } => {
                let internal = *visibility == Visibility::Internal;
                if internal && !staff {
                    continue;
                }
                let author = match author_kind.as_str() {
                    "customer" => "customer",
                    "bot" => "bot",
                    _ => "agent",
                };
                ChatFrame::Message {
                    seq: e.seq,
                    id: message_id.clone(),
                    author: author.to_string(),
                    name: (author == "agent").then(|| names(&e.actor)).flatten(),
                    body: body.clone(),
                    at: e.at,
                    client_id: client_id.clone(),
                    attachments: attachments.clone(),
                    internal,
                }
            }
            EventData::HandedOver { reason } => notice(e, "handed_over", None, Some(reason)),
            EventData::Assigned { to: Some(to), .. } => {
                let name = names(&format!("id:{to}"));
                notice(e, "agent_joined", name, None)
            }
            EventData::Transferred { to: Some(_), .. } => notice(e, "transferred", None, None),
            EventData::StatusChanged {
                to: Status::Resolved,
                ..
            } => notice(e, "resolved", None, None),
            EventData::StatusChanged {
                to: Status::Closed, ..
            } => notice(e, "closed", None, None),
            EventData::Reopened { .. } => notice(e, "reopened", None, None),
            // The chat's rating card: shown on `survey`, gone on `rated` (its score the reason).
            EventData::SurveyOpened { .. } => notice(e, "survey", None, None),
            EventData::Rated { score, .. } => notice(e, "rated", None, Some(&score.to_string())),
            EventData::BotTurn {
                message_id,
                understood,
                ..
            } if staff => ChatFrame::Understood {
                seq: e.seq,
                at: e.at,
                message_id: message_id.clone(),
                understood: understood.clone(),
            },
            _ => continue,
        };
        out.push(frame);
    }
    out
}

fn notice(e: &CaseEvent, kind: &str, name: Option<String>, reason: Option<&String>) -> ChatFrame {
    ChatFrame::Notice {
        seq: e.seq,
        at: e.at,
        kind: kind.to_string(),
        name,
        reason: reason.cloned(),
    }
}

/// One read of a conversation: its frames, the `seq` of the last event read (the cursor, from
/// the same read) and whether a full page suggests more.
#[derive(Debug, Clone)]
pub struct ChatPage {
    pub frames: Vec<ChatFrame>,
    pub last_seq: Option<i64>,
    pub more: bool,
}

/// The account customer chat messages are written under.
pub fn chat_actor() -> Actor {
    Actor {
        user_id: UserId::from_stored("chat".into()),
        username: "chat".into(),
        role: Role::Agent,
        department_id: None,
    }
}

/// The account the bot writes under.
pub fn bot_actor() -> Actor {
    Actor {
        user_id: UserId::from_stored("bot".into()),
        username: "bot".into(),
        role: Role::Agent,
        department_id: None,
    }
}

/// What a bot turn did.
#[derive(Debug, Clone, PartialEq)]
pub struct BotOutcome {
    pub reply: Option<String>,
    pub handed_over: Option<String>,
    pub understood: crate::nlu::Understanding,
}

/// The greeting of a new chat (R-PU-1).
pub const WELCOME: &str = "您好！欢迎咨询，我是智能客服小运，查件、寄件、运费、能否寄递都可以问我；需要人工请输入「人工」。";

pub const WELCOME_EN: &str = "Hello! I am the service bot: ask me about tracking, sending a parcel, prices or what can be sent. Type \"agent\" for a person.";
