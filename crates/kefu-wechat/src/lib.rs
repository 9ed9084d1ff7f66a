//! kefu's WeChat channel: the official account (公众号) and WeCom (企业微信).
//!
//! The pure part takes what WeChat sends to our callback URL and turns it into something the desk
//! can use, and builds what we answer:
//!
//! * [`signature`]: the SHA-1 signatures that prove a callback came from WeChat, and the URL
//!   check (`echostr`) handshake.
//! * [`crypto`]: the AES-256-CBC envelope of WeCom callbacks (and of the official account's
//!   "safe mode"), both ways.
//! * [`message`]: the callback XML as a typed message, with a key to drop WeChat's retries.
//! * [`reply`]: the immediate `success` answer and the passive XML reply.
//! * [`window`]: whether the customer-service message API may still reach a user.
//!
//! The I/O part is [`client::WeChatClient`], which sends customer-service messages, downloads the
//! media of pictures and voice messages, and keeps the access token. Nothing here reads the wall
//! clock: time comes from the caller or from an injected
//! [`kefu_model::Clock`].

pub mod client;
pub mod crypto;
pub mod message;
pub mod reply;
pub mod signature;
pub mod window;

pub use client::{ClientConfig, Media, WeChatClient, WeChatError};
pub use crypto::{CryptoError, EncryptedReply, MessageCrypto};
pub use message::{DedupeKey, Event, InboundMessage, MessageKind, ParseError, parse_message};
pub use reply::{IMMEDIATE_ACK, passive_text_reply};
pub use signature::{SignatureError, sign, signature_matches, verify_signature, verify_url};
pub use window::{CUSTOMER_SERVICE_WINDOW, may_send_customer_service_message};
