//! Callback messages.
//!
//! WeChat POSTs each user message or event to the callback URL as a small XML document whose root
//! is `<xml>` and whose children are flat fields, most values wrapped in CDATA. Every message has
//! `ToUserName` (our account), `FromUserName` (the user's openid, or the member's user id in
//! WeCom), `CreateTime` (Unix seconds) and `MsgType`; user messages also have a 64-bit `MsgId`.
//! The fields per type that the desk uses:
//!
//! * `text`: `Content`.
//! * `image`: `PicUrl` (a temporary link) and `MediaId` (to download through the media API).
//! * `voice`: `MediaId`, `Format` (amr, speex…), and `Recognition` when speech recognition is on.
//! * `event`: `Event` (`subscribe`, `unsubscribe`, `CLICK`, `VIEW`, `SCAN`, `LOCATION`…) and
//!   `EventKey` for menu clicks and QR-code scans.
//!
//! WeChat retries a callback that is not answered within five seconds, three tries in all, so
//! the same message can arrive up to three times. [`InboundMessage::dedupe_key`] names a message
//! the way the protocol recommends: by `MsgId` when there is one, by sender and `CreateTime` for
//! events, which have none. Types we do not model are kept as [`MessageKind::Other`] so that a new
//! message type on WeChat's side is not an error on ours.

use jiff::Timestamp;

/// One message or event from a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// Our account: the official account's original id (`gh_…`) or the WeCom corp id.
    pub to_user: String,
    /// The user: an openid for an official account, a user id in WeCom.
    pub from_user: String,
    /// Unix seconds, as WeChat stamped it.
    pub create_time: i64,
    /// The raw `MsgType`.
    pub msg_type: String,
    /// Absent on events.
    pub msg_id: Option<String>,
    /// WeCom only: the application the message was sent to.
    pub agent_id: Option<String>,
    pub kind: MessageKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageKind {
    Text {
        content: String,
    },
    Image {
        pic_url: Option<String>,
        media_id: String,
    },
    Voice {
        media_id: String,
        format: Option<String>,
        /// Speech recognised by WeChat, when the account has it turned on.
        recognition: Option<String>,
    },
    Event(Event),
    /// A message type we do not model (video, location, link…); `msg_type` says which.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The user followed the account; `event_key` is `qrscene_…` when through a QR code.
    Subscribe {
        event_key: Option<String>,
    },
    Unsubscribe,
    /// A click on a menu button of type `click`.
    Click {
        event_key: String,
    },
    /// Any other event, with its raw name and key.
    Other {
        event: String,
        event_key: Option<String>,
    },
}

/// What identifies a message across WeChat's retries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DedupeKey {
    MsgId(String),
    SenderAndTime { from_user: String, create_time: i64 },
}

impl std::fmt::Display for DedupeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MsgId(id) => write!(f, "msg:{id}"),
            Self::SenderAndTime {
                from_user,
                create_time,
            } => {
                write!(f, "event:{from_user}:{create_time}")
            }
        }
    }
}

impl InboundMessage {
    /// The key to drop retries by: `MsgId` when present, otherwise sender and creation time.
    pub fn dedupe_key(&self) -> DedupeKey {
        match &self.msg_id {
            Some(id) => DedupeKey::MsgId(id.clone()),
            None => DedupeKey::SenderAndTime {
                from_user: self.from_user.clone(),
                create_time: self.create_time,
            },
        }
    }

    /// `CreateTime` as a timestamp, when it is in range.
    pub fn created_at(&self) -> Option<Timestamp> {
        Timestamp::from_second(self.create_time).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the callback body is not well-formed XML: {0}")]
    Xml(String),
    #[error("the callback root element is <{0}>, not <xml>")]
    UnexpectedRoot(String),
    #[error("the callback has no {0}")]
    MissingField(&'static str),
    #[error("CreateTime {0:?} is not a number of seconds")]
    InvalidCreateTime(String),
}

/// Parse a (decrypted) callback body.
pub fn parse_message(xml: &str) -> Result<InboundMessage, ParseError> {
    // Default options refuse DTDs, so no entity expansion can blow up.
    let document =
        roxmltree::Document::parse(xml).map_err(|error| ParseError::Xml(error.to_string()))?;
    let root = document.root_element();
    if !root.has_tag_name("xml") {
        return Err(ParseError::UnexpectedRoot(
            root.tag_name().name().to_owned(),
        ));
    }
    let fields = Fields(root);

    let to_user = fields.required_trimmed("ToUserName")?;
    let from_user = fields.required_trimmed("FromUserName")?;
    let msg_type = fields.required_trimmed("MsgType")?;
    let create_time_text = fields.required_trimmed("CreateTime")?;
    let create_time = create_time_text
        .parse::<i64>()
        .map_err(|_| ParseError::InvalidCreateTime(create_time_text.clone()))?;
    let msg_id = fields.trimmed("MsgId");
    let agent_id = fields.trimmed("AgentID");

    let kind = match msg_type.as_str() {
        "text" => MessageKind::Text {
            content: fields.raw("Content").unwrap_or_default(),
        },
        "image" => MessageKind::Image {
            pic_url: fields.trimmed("PicUrl"),
            media_id: fields.required_trimmed("MediaId")?,
        },
        "voice" => MessageKind::Voice {
            media_id: fields.required_trimmed("MediaId")?,
            format: fields.trimmed("Format"),
            recognition: fields.raw("Recognition").filter(|text| !text.is_empty()),
        },
        "event" => MessageKind::Event(parse_event(&fields)?),
        _ => MessageKind::Other,
    };
    Ok(InboundMessage {
        to_user,
        from_user,
        create_time,
        msg_type,
        msg_id,
        agent_id,
        kind,
    })
}

fn parse_event(fields: &Fields<'_, '_>) -> Result<Event, ParseError> {
    let event = fields.required_trimmed("Event")?;
    let event_key = fields.trimmed("EventKey");
    // Event names are documented in lower case for subscriptions and upper case for menus, but
    // both spellings have been seen in the wild.
    Ok(if event.eq_ignore_ascii_case("subscribe") {
        Event::Subscribe { event_key }
    } else if event.eq_ignore_ascii_case("unsubscribe") {
        Event::Unsubscribe
    } else if event.eq_ignore_ascii_case("click") {
        Event::Click {
            event_key: event_key.unwrap_or_default(),
        }
    } else {
        Event::Other { event, event_key }
    })
}

/// The direct children of `<xml>`, looked up by name.
struct Fields<'a, 'input>(roxmltree::Node<'a, 'input>);

impl Fields<'_, '_> {
    /// The text of a field, CDATA and plain text joined, untouched.
    fn raw(&self, name: &str) -> Option<String> {
        let node = self.0.children().find(|node| node.has_tag_name(name))?;
        let text: String = node
            .children()
            .filter(|child| child.is_text())
            .filter_map(|child| child.text())
            .collect();
        Some(text)
    }

    /// The text of a field without surrounding white space; empty counts as absent.
    fn trimmed(&self, name: &str) -> Option<String> {
        self.raw(name)
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty())
    }

    fn required_trimmed(&self, name: &'static str) -> Result<String, ParseError> {
        self.trimmed(name).ok_or(ParseError::MissingField(name))
    }
}
