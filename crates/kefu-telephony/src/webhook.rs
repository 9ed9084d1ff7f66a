//! kefu's webhook contract for PBXes and call centres.
//!
//! Every webhook the telephone system sends to kefu carries two headers:
//!
//! - [`TIMESTAMP_HEADER`] (`X-Kefu-Timestamp`): when the request was signed, as Unix seconds in
//!   decimal ASCII (`1767225600`).
//! - [`SIGNATURE_HEADER`] (`X-Kefu-Signature`): `hex(HMAC-SHA256(secret, timestamp + "." + body))`,
//!   64 hex digits (either case), where `timestamp` is the header's exact text, `"."` one ASCII
//!   full stop and `body` the request body's exact bytes (no re-encoding of the JSON).
//!
//! kefu accepts the request only if the signature matches (compared in constant time, so the
//! response time tells nothing about how much of a forged signature was right) and the timestamp
//! lies within a tolerance window around kefu's own clock (default ±5 minutes), which bounds how
//! long a captured request can be replayed. The caller passes `now`; this crate never reads the
//! clock. Deduplicating retries inside the window is the state machine's job
//! ([`crate::CallState::apply`] is idempotent).

use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Header carrying the signing time as Unix seconds.
pub const TIMESTAMP_HEADER: &str = "X-Kefu-Timestamp";
/// Header carrying `hex(HMAC-SHA256(secret, timestamp + "." + body))`.
pub const SIGNATURE_HEADER: &str = "X-Kefu-Signature";
/// Default tolerance between the signing time and kefu's clock, either way.
pub const DEFAULT_TOLERANCE: SignedDuration = SignedDuration::from_secs(300);

type HmacSha256 = Hmac<Sha256>;

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The shared secret is empty: every request would be forgeable.
    #[error("the webhook secret is empty")]
    EmptySecret,
    #[error("header {0} is missing")]
    MissingHeader(&'static str),
    /// The timestamp header is not Unix seconds.
    #[error("header {TIMESTAMP_HEADER} is not Unix seconds: {0:?}")]
    BadTimestamp(String),
    /// The signature header is not 64 hex digits.
    #[error("header {SIGNATURE_HEADER} is not 64 hex digits")]
    BadHex,
    #[error("the signature does not match the body")]
    SignatureMismatch,
    /// Signed longer ago than the tolerance: possibly a replay.
    #[error(
        "the request was signed {age_seconds} s ago, more than the {tolerance_seconds} s allowed"
    )]
    TooOld {
        age_seconds: i64,
        tolerance_seconds: i64,
    },
    /// Signed in the future beyond the tolerance: a wrong clock on one side.
    #[error(
        "the request was signed {ahead_seconds} s in the future, more than the {tolerance_seconds} s allowed"
    )]
    TooNew {
        ahead_seconds: i64,
        tolerance_seconds: i64,
    },
}

/// Checks (and, for tests and simulators, makes) signatures under one shared secret.
#[derive(Clone)]
pub struct WebhookVerifier {
    keyed: HmacSha256,
    tolerance: SignedDuration,
}

impl std::fmt::Debug for WebhookVerifier {
    // The keyed state is derived from the secret: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
}

impl WebhookVerifier {
    /// A verifier for `secret` with the [`DEFAULT_TOLERANCE`].
    pub fn new(secret: &[u8]) -> Result<Self, WebhookError> {
        if secret.is_empty() {
            return Err(WebhookError::EmptySecret);
        }
        let keyed = HmacSha256::new_from_slice(secret).map_err(|_| WebhookError::EmptySecret)?;
        Ok(Self {
            keyed,
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// The same verifier with another tolerance (its absolute value is used).
    #[must_use]
    pub fn with_tolerance(mut self, tolerance: SignedDuration) -> Self {
        self.tolerance = tolerance.abs();
        self
    }

    pub fn tolerance(&self) -> SignedDuration {
        self.tolerance
    }

    /// The signature header's value for `timestamp` (the header's exact text) and `body`.
    pub fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        hex::encode(self.tag(timestamp, body))
    }

    fn tag(&self, timestamp: &str, body: &[u8]) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }

    /// Accepts the request if both headers are present, the signature matches and the
    /// timestamp is within the tolerance of `now`. The signature is checked before the time,
    /// so "too old" / "too new" are only ever said about authentic requests.
    pub fn verify(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: Timestamp,
    ) -> Result<Timestamp, WebhookError> {
        let timestamp = timestamp.ok_or(WebhookError::MissingHeader(TIMESTAMP_HEADER))?;
        let signature = signature.ok_or(WebhookError::MissingHeader(SIGNATURE_HEADER))?;
        let signed_at = parse_unix_seconds(timestamp)
            .ok_or_else(|| WebhookError::BadTimestamp(shorten(timestamp)))?;
        let mut claimed = [0u8; 32];
        hex::decode_to_slice(signature.trim(), &mut claimed).map_err(|_| WebhookError::BadHex)?;
        let expected = self.tag(timestamp, body);
        if !bool::from(expected.ct_eq(&claimed)) {
            return Err(WebhookError::SignatureMismatch);
        }
        let tolerance_seconds = self.tolerance.as_secs();
        let age_seconds = now.as_second().saturating_sub(signed_at.as_second());
        if age_seconds > tolerance_seconds {
            return Err(WebhookError::TooOld {
                age_seconds,
                tolerance_seconds,
            });
        }
        if -age_seconds > tolerance_seconds {
            return Err(WebhookError::TooNew {
                ahead_seconds: -age_seconds,
                tolerance_seconds,
            });
        }
        Ok(signed_at)
    }
}

/// Decimal Unix seconds: ASCII digits only (an optional leading `-` is not part of the
/// contract), within jiff's range.
fn parse_unix_seconds(text: &str) -> Option<Timestamp> {
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds: i64 = text.parse().ok()?;
    Timestamp::from_second(seconds).ok()
}

/// Error messages quote what was received, but never more than a short prefix of it.
fn shorten(text: &str) -> String {
    text.chars().take(32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds_are_digits_only() {
        assert!(parse_unix_seconds("1767225600").is_some());
        for bad in ["", "-1", "+1", "1.5", " 1", "1e9", "9999999999999"] {
            assert!(parse_unix_seconds(bad).is_none(), "{bad:?}");
        }
    }
}
