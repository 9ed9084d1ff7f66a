//! Images sent in a chat: the record a message keeps, the limits, and the check that decodes
//! them and makes sure the bytes are the image type given.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{CaseId, MessageId};

/// An image sent in a chat: at most this many bytes (before base64).
pub const ATTACHMENT_MAX_BYTES: usize = 2 * 1024 * 1024;

/// Kinds of file a chat accepts.
pub const ATTACHMENT_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

/// A file sent in a chat; its bytes are stored apart, under `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    pub name: String,
    pub mime: String,
    pub size: u64,
}

/// An attachment with its bytes, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    pub attachment: Attachment,
    pub case_id: CaseId,
    pub created_at: Timestamp,
    pub bytes: Vec<u8>,
}

/// An image as a client sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAttachment {
    pub name: String,
    pub mime: String,
    /// The bytes, base64.
    pub data: String,
}

/// Checks and decodes attachments (before anything is written).
pub fn decode_attachments(
    raw: &[NewAttachment],
    now: Timestamp,
) -> Result<Vec<(Attachment, Vec<u8>)>, DomainError> {
    use base64::Engine as _;
    if raw.len() > 4 {
        return Err(DomainError::invalid(
            "attachments",
            "at most 4 files a message",
        ));
    }
    let mut out = Vec::with_capacity(raw.len());
    for (i, a) in raw.iter().enumerate() {
        let field = format!("attachments[{i}]");
        if !ATTACHMENT_TYPES.contains(&a.mime.as_str()) {
            return Err(DomainError::invalid(
                format!("{field}.mime"),
                "only PNG, JPEG, GIF or WebP images",
            ));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(a.data.trim())
            .map_err(|_| DomainError::invalid(format!("{field}.data"), "not base64"))?;
        if bytes.is_empty() || bytes.len() > ATTACHMENT_MAX_BYTES {
            return Err(DomainError::invalid(
                format!("{field}.data"),
                format!("1 byte to {} MB", ATTACHMENT_MAX_BYTES / 1024 / 1024),
            ));
        }
        if !image_magic_matches(&a.mime, &bytes) {
            return Err(DomainError::invalid(
                format!("{field}.data"),
                "the bytes are not the image type given",
            ));
        }
        let name: String = a
            .name
            .trim()
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
            .take(100)
            .collect();
        out.push((
            Attachment {
                id: MessageId::new(now).to_string(),
                name: if name.is_empty() {
                    "image".into()
                } else {
                    name
                },
                mime: a.mime.clone(),
                size: bytes.len() as u64,
            },
            bytes,
        ));
    }
    Ok(out)
}

/// A file is served with the type it claims only if its first bytes agree (no HTML posing as
/// an image). Public so that other channels (e-mail attachments) check images the same way.
pub fn image_magic_matches(mime: &str, b: &[u8]) -> bool {
    match mime {
        "image/png" => b.starts_with(&[0x89, b'P', b'N', b'G']),
        "image/jpeg" => b.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/gif" => b.starts_with(b"GIF8"),
        "image/webp" => b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP",
        _ => false,
    }
}
