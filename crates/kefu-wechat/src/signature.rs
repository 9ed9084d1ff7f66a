//! Callback signatures.
//!
//! WeChat signs every request it makes to our callback URL with the token we configured on its
//! console. The official account in plain mode sends `signature` over three parts (token,
//! timestamp, nonce); WeCom, and the official account in safe mode, send `msg_signature` over four
//! (the same three plus the encrypted payload). Either way the parts are sorted as byte strings,
//! concatenated without a separator, hashed with SHA-1 and written as 40 lower-case hex digits.
//!
//! When the URL is first configured WeChat sends a GET with an extra `echostr`; the server proves
//! it knows the token by answering `echostr` unchanged (plain mode) once the signature matches.

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// The signature WeChat computes over `parts`: SHA-1 of the sorted parts joined with nothing.
pub fn sign(parts: &[&str]) -> String {
    let mut sorted: Vec<&str> = parts.to_vec();
    // Byte-wise order, which is what the reference implementations' string sort gives for the
    // ASCII values WeChat uses.
    sorted.sort_unstable();
    let mut hasher = Sha1::new();
    for part in sorted {
        hasher.update(part.as_bytes());
    }
    to_lower_hex(&hasher.finalize())
}

/// Whether `received` is the signature of `parts`. Compared in constant time so that an attacker
/// cannot learn the expected value a byte at a time; upper-case hex is accepted too.
pub fn signature_matches(parts: &[&str], received: &str) -> bool {
    let expected = sign(parts);
    let received = received.trim().to_ascii_lowercase();
    expected.as_bytes().ct_eq(received.as_bytes()).into()
}

/// Why a callback was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the callback has no `{0}` parameter")]
    Missing(&'static str),
    #[error("the callback signature does not match our token")]
    Mismatch,
}

/// The plain-mode check of a callback: `signature` must be that of (token, timestamp, nonce).
/// WeChat sends these three on every POST as well as on the URL check.
pub fn verify_signature(
    token: &str,
    signature: &str,
    timestamp: &str,
    nonce: &str,
) -> Result<(), SignatureError> {
    if signature.is_empty() {
        return Err(SignatureError::Missing("signature"));
    }
    if timestamp.is_empty() {
        return Err(SignatureError::Missing("timestamp"));
    }
    if nonce.is_empty() {
        return Err(SignatureError::Missing("nonce"));
    }
    if signature_matches(&[token, timestamp, nonce], signature) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The plain-mode URL check of the official account: when the signature verifies, the answer to
/// the GET is `echostr`, unchanged.
pub fn verify_url<'a>(
    token: &str,
    signature: &str,
    timestamp: &str,
    nonce: &str,
    echostr: &'a str,
) -> Result<&'a str, SignatureError> {
    verify_signature(token, signature, timestamp, nonce)?;
    Ok(echostr)
}

pub(crate) fn to_lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}
