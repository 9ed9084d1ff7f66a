//! Pictures and voice messages a customer sent over WeChat, kept on the case. WeChat gives only a
//! `MediaId` (and, for a picture, a temporary link); the file behind it is gone after 3 days.
//! So the message is taken in with a pending download ([`MediaFetch`]), written with the case
//! message; a node's worker downloads it, [`checked_media`] decides what came, and
//! [`after_fetch`] says what the fetch becomes: saved, tried again later, or given up — then
//! a person is told to ask the customer again.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::attachment::image_magic_matches;
use crate::ids::{CaseId, MessageId};
use crate::string_enum::string_enum;

string_enum!(
    /// What a customer sent: a picture or a voice message.
    MediaKind { Image => "image", Voice => "voice" }
);

string_enum!(
    /// Where a download stands: waiting for its (next) attempt, on the case, or given up.
    MediaFetchState { Pending => "pending", Saved => "saved", Failed => "failed" }
);

/// How long WeChat keeps a temporary media file after the message.
pub const MEDIA_KEPT_FOR: SignedDuration = SignedDuration::from_hours(72);

/// The largest picture kept (WeChat's own limit for images is 10 MB).
pub const IMAGE_MAX_BYTES: usize = 10 * 1024 * 1024;

/// The largest voice message kept (WeChat's limit for voice is 2 MB; a minute of AMR is ~100 kB).
pub const VOICE_MAX_BYTES: usize = 2 * 1024 * 1024;

/// Minutes to wait after the 1st, 2nd, … failed attempt (about 20 hours in all, well inside
/// the 3 days); after the last, the download is given up.
pub const FETCH_RETRY_MINUTES: [i64; 6] = [1, 5, 30, 120, 360, 720];

impl MediaKind {
    /// The largest file of this kind kept.
    pub fn max_bytes(self) -> usize {
        match self {
            MediaKind::Image => IMAGE_MAX_BYTES,
            MediaKind::Voice => VOICE_MAX_BYTES,
        }
    }

    /// The word for it in a note (图片, 语音).
    pub fn word(self) -> &'static str {
        match self {
            MediaKind::Image => "图片",
            MediaKind::Voice => "语音",
        }
    }
}

/// A picture or voice message to download and keep on its case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaFetch {
    pub id: String,
    /// The WeChat account it came in on (whose token opens it).
    pub account_id: String,
    pub media_id: String,
    pub kind: MediaKind,
    /// A voice message's declared format (`amr`, `speex`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    pub case_id: CaseId,
    /// The case message it belongs to.
    pub message_id: MessageId,
    /// When the customer sent it: WeChat keeps the file [`MEDIA_KEPT_FOR`] from then.
    pub received_at: Timestamp,
    pub state: MediaFetchState,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    /// Why the last attempt failed, in words for the case's note.
    #[serde(default)]
    pub last_error: Option<String>,
    /// The attachment it became.
    #[serde(default)]
    pub attachment_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl MediaFetch {
    /// When WeChat forgets the file.
    pub fn expires_at(&self) -> Timestamp {
        self.received_at
            .saturating_add(MEDIA_KEPT_FOR)
            .unwrap_or(self.received_at)
    }
}

/// A picture or voice message as taken in, before it has a case and a message: what
/// [`PendingMedia::fetch`] turns into the download written with the case message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMedia {
    pub account_id: String,
    pub media_id: String,
    pub kind: MediaKind,
    pub format: Option<String>,
    pub received_at: Timestamp,
}

impl PendingMedia {
    /// The download of this file for `message_id` on `case_id`, due at once.
    pub fn fetch(
        &self,
        id: String,
        case_id: CaseId,
        message_id: MessageId,
        now: Timestamp,
    ) -> MediaFetch {
        MediaFetch {
            id,
            account_id: self.account_id.clone(),
            media_id: self.media_id.clone(),
            kind: self.kind,
            format: self.format.clone(),
            case_id,
            message_id,
            received_at: self.received_at,
            state: MediaFetchState::Pending,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            attachment_id: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchOutcome {
    /// Downloaded, checked and stored as this attachment.
    Saved { attachment_id: String },
    /// Might work later (WeChat busy, no connection): the reason in words.
    Temporary(String),
    /// Will not work (the file is gone, too large, not a picture): the reason in words.
    Permanent(String),
}

/// The fetch after an attempt at `now`: saved, pending a later attempt, or failed — also when
/// the next attempt would come after WeChat has forgotten the file.
pub fn after_fetch(fetch: &MediaFetch, outcome: &FetchOutcome, now: Timestamp) -> MediaFetch {
    let mut next = fetch.clone();
    next.attempts = fetch.attempts.saturating_add(1);
    next.updated_at = now;
    match outcome {
        FetchOutcome::Saved { attachment_id } => {
            next.state = MediaFetchState::Saved;
            next.attachment_id = Some(attachment_id.clone());
            next.last_error = None;
        }
        FetchOutcome::Permanent(reason) => {
            next.state = MediaFetchState::Failed;
            next.last_error = Some(reason.chars().take(500).collect());
        }
        FetchOutcome::Temporary(reason) => {
            let retry_at = FETCH_RETRY_MINUTES
                .get(fetch.attempts as usize)
                .and_then(|minutes| now.saturating_add(SignedDuration::from_mins(*minutes)).ok())
                .filter(|at| *at < fetch.expires_at());
            match retry_at {
                Some(at) => {
                    next.state = MediaFetchState::Pending;
                    next.next_attempt_at = at;
                    next.last_error = Some(reason.chars().take(500).collect());
                }
                None => {
                    next.state = MediaFetchState::Failed;
                    let reason = format!("多次下载均未成功（{reason}）");
                    next.last_error = Some(reason.chars().take(500).collect());
                }
            }
        }
    }
    next
}

/// The reason a fetch that waited past WeChat's 3 days is given up without trying.
pub const EXPIRED_REASON: &str = "已超过微信保存文件的 3 天，文件已无法下载";

/// The internal note a person reads when a fetch is given up.
pub fn failure_note(fetch: &MediaFetch) -> String {
    let reason = fetch.last_error.as_deref().unwrap_or("原因不明");
    format!(
        "{}未能保存：{reason}。请联系客户重新发送。",
        fetch.kind.word()
    )
}

/// The file as it will be kept: its type and a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedMedia {
    pub mime: &'static str,
    pub name: String,
}

/// What came is kept only if its bytes are what a customer could have sent: a picture in one
/// of the attachment image types (by its first bytes, whatever the server called it), a voice
/// message as AMR, Ogg (Speex), MP3 — or, for the raw Speex WeChat also uses, which has no
/// signature, the declared format when nothing says it is text. The error is the reason in
/// words.
pub fn checked_media(
    kind: MediaKind,
    bytes: &[u8],
    declared_type: Option<&str>,
    declared_format: Option<&str>,
    filename: Option<&str>,
    fallback_name: &str,
) -> Result<CheckedMedia, String> {
    if bytes.is_empty() {
        return Err("收到的文件是空的".into());
    }
    if bytes.len() > kind.max_bytes() {
        return Err(format!("文件超过 {} MB", kind.max_bytes() / 1024 / 1024));
    }
    let mime = match kind {
        MediaKind::Image => crate::attachment::ATTACHMENT_TYPES
            .iter()
            .copied()
            .find(|mime| image_magic_matches(mime, bytes))
            .ok_or_else(|| format!("收到的不是图片（{}）", declared_type.unwrap_or("类型不明")))?,
        MediaKind::Voice => audio_type(bytes, declared_type, declared_format)
            .ok_or_else(|| format!("收到的不是语音（{}）", declared_type.unwrap_or("类型不明")))?,
    };
    let extension = mime_extension(mime);
    let cleaned: String = filename
        .unwrap_or_default()
        .trim()
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"'))
        .take(100)
        .collect();
    let name = if cleaned.is_empty() {
        format!("{fallback_name}.{extension}")
    } else {
        cleaned
    };
    Ok(CheckedMedia { mime, name })
}

/// The audio types a voice message may be, by signature, then by what was declared.
fn audio_type(
    bytes: &[u8],
    declared_type: Option<&str>,
    declared_format: Option<&str>,
) -> Option<&'static str> {
    if bytes.starts_with(b"#!AMR-WB\n") {
        return Some("audio/amr-wb");
    }
    if bytes.starts_with(b"#!AMR\n") {
        return Some("audio/amr");
    }
    if bytes.starts_with(b"OggS") {
        return Some("audio/ogg");
    }
    let mpeg_frame = bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0;
    if bytes.starts_with(b"ID3") || mpeg_frame {
        return Some("audio/mpeg");
    }
    // Raw Speex frames have no signature: trust the declaration unless the bytes are text.
    let looks_like_text = matches!(
        bytes.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'<' | b'{')
    );
    let declared_speex = declared_format.is_some_and(|f| f.eq_ignore_ascii_case("speex"))
        || declared_type.is_some_and(|t| t == "audio/speex" || t == "audio/x-speex");
    (declared_speex && !looks_like_text).then_some("audio/speex")
}

fn mime_extension(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "audio/amr" | "audio/amr-wb" => "amr",
        "audio/ogg" => "ogg",
        "audio/mpeg" => "mp3",
        "audio/speex" => "speex",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10];

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn pending(received_at: Timestamp) -> MediaFetch {
        MediaFetch {
            id: "mf-1".into(),
            account_id: "acc".into(),
            media_id: "m".into(),
            kind: MediaKind::Image,
            format: None,
            case_id: CaseId::from_stored("c".into()),
            message_id: MessageId::new(received_at),
            received_at,
            state: MediaFetchState::Pending,
            attempts: 0,
            next_attempt_at: received_at,
            last_error: None,
            attachment_id: None,
            created_at: received_at,
            updated_at: received_at,
        }
    }

    #[test]
    fn pictures_are_known_by_their_bytes_not_their_label() {
        let ok = checked_media(MediaKind::Image, JPEG, Some("image/png"), None, None, "x").unwrap();
        assert_eq!(ok.mime, "image/jpeg");
        assert_eq!(ok.name, "x.jpg");
        let html = checked_media(
            MediaKind::Image,
            b"<html>",
            Some("image/jpeg"),
            None,
            None,
            "x",
        );
        assert_eq!(html.unwrap_err(), "收到的不是图片（image/jpeg）");
        let named = checked_media(MediaKind::Image, JPEG, None, None, Some("a/b\"c.jpg"), "x");
        assert_eq!(named.unwrap().name, "abc.jpg");
    }

    #[test]
    fn voice_is_amr_ogg_mp3_or_declared_speex_that_is_not_text() {
        let check = |bytes: &[u8], format: Option<&str>| {
            checked_media(MediaKind::Voice, bytes, None, format, None, "v").map(|m| m.mime)
        };
        assert_eq!(check(b"#!AMR\n\x3c", Some("amr")), Ok("audio/amr"));
        assert_eq!(check(b"#!AMR-WB\n\x3c", None), Ok("audio/amr-wb"));
        assert_eq!(check(b"OggS\x00\x02", Some("speex")), Ok("audio/ogg"));
        assert_eq!(check(b"ID3\x04", None), Ok("audio/mpeg"));
        assert_eq!(check(&[0xFF, 0xFB, 0x90], None), Ok("audio/mpeg"));
        assert_eq!(check(&[0x1E, 0x9D, 0x0A], Some("speex")), Ok("audio/speex"));
        assert!(check(&[0x1E, 0x9D, 0x0A], Some("amr")).is_err());
        assert!(check(b"  <html>", Some("speex")).is_err());
    }

    #[test]
    fn too_large_and_empty_files_are_refused() {
        let big = vec![0xFF; VOICE_MAX_BYTES + 1];
        let refused = checked_media(MediaKind::Voice, &big, None, None, None, "v");
        assert_eq!(refused.unwrap_err(), "文件超过 2 MB");
        assert!(checked_media(MediaKind::Image, &[], None, None, None, "x").is_err());
    }

    #[test]
    fn temporary_failures_wait_longer_each_time_and_stop_before_the_file_is_gone() {
        let t0 = t("2026-03-01T08:00:00Z");
        let mut fetch = pending(t0);
        let mut waits = Vec::new();
        let mut now = t0;
        while fetch.state == MediaFetchState::Pending {
            fetch = after_fetch(&fetch, &FetchOutcome::Temporary("busy".into()), now);
            if fetch.state == MediaFetchState::Pending {
                waits.push(fetch.next_attempt_at.duration_since(now).as_mins());
                now = fetch.next_attempt_at;
            }
        }
        assert_eq!(waits, FETCH_RETRY_MINUTES.to_vec());
        assert_eq!(fetch.state, MediaFetchState::Failed);
        assert!(fetch.last_error.unwrap().contains("busy"));

        // Close to the 3 days, a retry that would come too late is not planned.
        let late = t0 + SignedDuration::from_hours(71);
        let mut second = pending(t0);
        second.attempts = 3;
        let given_up = after_fetch(&second, &FetchOutcome::Temporary("busy".into()), late);
        assert_eq!(given_up.state, MediaFetchState::Failed);
    }

    #[test]
    fn saved_and_permanent_outcomes_are_final() {
        let t0 = t("2026-03-01T08:00:00Z");
        let saved = after_fetch(
            &pending(t0),
            &FetchOutcome::Saved {
                attachment_id: "a1".into(),
            },
            t0,
        );
        assert_eq!(saved.state, MediaFetchState::Saved);
        assert_eq!(saved.attachment_id.as_deref(), Some("a1"));
        let failed = after_fetch(&pending(t0), &FetchOutcome::Permanent("gone".into()), t0);
        assert_eq!(
            (failed.state, failed.attempts),
            (MediaFetchState::Failed, 1)
        );
        assert_eq!(
            failure_note(&failed),
            "图片未能保存：gone。请联系客户重新发送。"
        );
    }
}
