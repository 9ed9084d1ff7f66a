//! The encrypted envelope of WeCom callbacks (and of the official account's safe mode).
//!
//! What we rely on:
//!
//! * The console gives a 43-character `EncodingAESKey`; with one `=` appended it is the Base64 of
//!   the 32-byte AES-256 key. The IV is the first 16 bytes of that same key.
//! * The cipher is AES-256-CBC. The plaintext is padded PKCS#7-style to a multiple of **32**
//!   bytes (not the AES block size of 16): 1 to 32 bytes, each holding the pad length.
//! * The plaintext is 16 random bytes, the message length as 4 bytes big-endian, the message
//!   (UTF-8, itself XML), then the receive id: the corp id for WeCom, the app id for an official
//!   account. The receive id must be ours, or the message was meant for someone else.
//! * The ciphertext travels Base64-encoded, in the `<Encrypt>` element of the POSTed XML or in the
//!   `echostr` query parameter of the URL check, and `msg_signature` is the SHA-1 signature (see
//!   [`crate::signature`]) of token, timestamp, nonce and that Base64 text.
//! * The URL check answers the decrypted `echostr`; a passive reply is encrypted the same way and
//!   sent back as `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`.

use aes::Aes256;
use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};

use crate::reply::push_cdata;
use crate::signature::signature_matches;

type Decryptor = cbc::Decryptor<Aes256>;
type Encryptor = cbc::Encryptor<Aes256>;

/// The padding unit of the protocol.
const PAD_BLOCK: usize = 32;
const RANDOM_PREFIX_LEN: usize = 16;
const LENGTH_FIELD_LEN: usize = 4;

/// Keys are random 43-character strings, so the last character often carries non-zero bits
/// below the 32 bytes; the reference implementations ignore them, and so must we.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why an encrypted callback was refused. Each case says what was wrong, never what the
/// plaintext was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the EncodingAESKey must be 43 Base64 characters that decode to 32 bytes")]
    InvalidKey,
    #[error("the callback signature does not match our token")]
    SignatureMismatch,
    #[error("the callback has no `{0}`")]
    Missing(&'static str),
    #[error("the encrypted text is not valid Base64")]
    InvalidBase64,
    #[error("the ciphertext is not a whole number of AES blocks")]
    InvalidCiphertextLength,
    #[error("the decrypted padding is not valid")]
    InvalidPadding,
    #[error("the decrypted message is shorter than its length field says")]
    Truncated,
    #[error("the decrypted message is not UTF-8")]
    NotUtf8,
    /// `found` is the id the message names when it looks like one (a corp id or app id helps to
    /// diagnose a misrouted callback); anything else is withheld, as it may be message text.
    #[error("the message was meant for another receive id ({found:?}), not ours")]
    WrongReceiveId { found: Option<String> },
    #[error("the callback body is not the expected XML: {0}")]
    InvalidXml(String),
}

/// One callback configuration: the token, the AES key and who we are (corp id or app id).
#[derive(Clone)]
pub struct MessageCrypto {
    token: String,
    key: [u8; 32],
    receive_id: String,
}

impl std::fmt::Debug for MessageCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token and key are secrets.
        f.debug_struct("MessageCrypto")
            .field("receive_id", &self.receive_id)
            .finish_non_exhaustive()
    }
}

/// A passive reply ready to send back: the XML envelope and its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedReply {
    pub encrypt: String,
    pub msg_signature: String,
    pub timestamp: String,
    pub nonce: String,
}

impl EncryptedReply {
    /// The XML body WeChat expects as the answer to the callback.
    pub fn to_xml(&self) -> String {
        let mut xml = String::from("<xml><Encrypt>");
        push_cdata(&mut xml, &self.encrypt);
        xml.push_str("</Encrypt><MsgSignature>");
        push_cdata(&mut xml, &self.msg_signature);
        xml.push_str("</MsgSignature><TimeStamp>");
        push_cdata(&mut xml, &self.timestamp);
        xml.push_str("</TimeStamp><Nonce>");
        push_cdata(&mut xml, &self.nonce);
        xml.push_str("</Nonce></xml>");
        xml
    }
}

impl MessageCrypto {
    /// `encoding_aes_key` is the 43-character value from the console (without the `=`).
    pub fn new(
        token: impl Into<String>,
        encoding_aes_key: &str,
        receive_id: impl Into<String>,
    ) -> Result<Self, CryptoError> {
        let encoding_aes_key = encoding_aes_key.trim();
        if encoding_aes_key.len() != 43 {
            return Err(CryptoError::InvalidKey);
        }
        let decoded = LENIENT_BASE64
            .decode(format!("{encoding_aes_key}="))
            .map_err(|_| CryptoError::InvalidKey)?;
        let key: [u8; 32] = decoded.try_into().map_err(|_| CryptoError::InvalidKey)?;
        Ok(Self {
            token: token.into(),
            key,
            receive_id: receive_id.into(),
        })
    }

    pub fn receive_id(&self) -> &str {
        &self.receive_id
    }

    /// The four-part signature of an encrypted payload.
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypted: &str) -> String {
        crate::signature::sign(&[&self.token, timestamp, nonce, encrypted])
    }

    fn check_signature(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypted: &str,
    ) -> Result<(), CryptoError> {
        if msg_signature.is_empty() {
            return Err(CryptoError::Missing("msg_signature"));
        }
        if signature_matches(&[&self.token, timestamp, nonce, encrypted], msg_signature) {
            Ok(())
        } else {
            Err(CryptoError::SignatureMismatch)
        }
    }

    /// The URL check: verify the signature over `echostr`, decrypt it and return the plaintext,
    /// which is the whole answer to the GET.
    pub fn verify_url(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        echostr: &str,
    ) -> Result<String, CryptoError> {
        if echostr.is_empty() {
            return Err(CryptoError::Missing("echostr"));
        }
        self.check_signature(msg_signature, timestamp, nonce, echostr)?;
        self.decrypt(echostr)
    }

    /// A POSTed callback: take `<Encrypt>` out of the body, verify the signature over it and
    /// return the decrypted message XML (to hand to [`crate::parse_message`]).
    pub fn decrypt_callback(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        body_xml: &str,
    ) -> Result<String, CryptoError> {
        let document = roxmltree::Document::parse(body_xml)
            .map_err(|error| CryptoError::InvalidXml(error.to_string()))?;
        let encrypted = document
            .root_element()
            .children()
            .find(|node| node.has_tag_name("Encrypt"))
            .and_then(|node| node.text())
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .ok_or(CryptoError::Missing("Encrypt"))?;
        self.check_signature(msg_signature, timestamp, nonce, encrypted)?;
        self.decrypt(encrypted)
    }

    /// Decrypt one Base64 payload and check that it is addressed to us. The signature is not
    /// checked here: CBC alone does not stop tampering, so callers use [`Self::verify_url`] or
    /// [`Self::decrypt_callback`].
    pub fn decrypt(&self, encrypted_base64: &str) -> Result<String, CryptoError> {
        let mut buffer = STANDARD
            .decode(encrypted_base64.trim())
            .map_err(|_| CryptoError::InvalidBase64)?;
        if buffer.is_empty() || buffer.len() % 16 != 0 {
            return Err(CryptoError::InvalidCiphertextLength);
        }
        let decryptor = Decryptor::new(&self.key.into(), &self.iv().into());
        let plaintext = decryptor
            .decrypt_padded_mut::<NoPadding>(&mut buffer)
            .map_err(|_| CryptoError::InvalidCiphertextLength)?;
        let unpadded = strip_padding(plaintext)?;

        let body = unpadded
            .get(RANDOM_PREFIX_LEN..)
            .ok_or(CryptoError::Truncated)?;
        let (length_field, rest) = body
            .split_first_chunk::<LENGTH_FIELD_LEN>()
            .ok_or(CryptoError::Truncated)?;
        let message_len = usize::try_from(u32::from_be_bytes(*length_field))
            .map_err(|_| CryptoError::Truncated)?;
        if message_len > rest.len() {
            return Err(CryptoError::Truncated);
        }
        let (message, receive_id) = rest.split_at(message_len);
        if receive_id != self.receive_id.as_bytes() {
            let looks_like_an_id = !receive_id.is_empty()
                && receive_id.len() <= 64
                && receive_id
                    .iter()
                    .all(|byte| byte.is_ascii_alphanumeric() || *byte == b'_');
            let found = looks_like_an_id.then(|| String::from_utf8_lossy(receive_id).into_owned());
            return Err(CryptoError::WrongReceiveId { found });
        }
        String::from_utf8(message.to_vec()).map_err(|_| CryptoError::NotUtf8)
    }

    /// Encrypt `message` for WeChat. `random_prefix` is the 16 random bytes that open the
    /// plaintext; the caller draws them so that this stays deterministic and testable.
    pub fn encrypt(&self, message: &str, random_prefix: [u8; 16]) -> String {
        let message = message.as_bytes();
        // A message over 4 GiB cannot be described by the length field; WeChat caps bodies far
        // below that, so saturating only guards arithmetic.
        let length = u32::try_from(message.len()).unwrap_or(u32::MAX);
        let content_len =
            RANDOM_PREFIX_LEN + LENGTH_FIELD_LEN + message.len() + self.receive_id.len();
        let pad = PAD_BLOCK - content_len % PAD_BLOCK;
        let mut buffer = Vec::with_capacity(content_len + pad);
        buffer.extend_from_slice(&random_prefix);
        buffer.extend_from_slice(&length.to_be_bytes());
        buffer.extend_from_slice(message);
        buffer.extend_from_slice(self.receive_id.as_bytes());
        // `pad` is 1..=32 by construction.
        buffer.resize(content_len + pad, pad as u8);
        let total = buffer.len();
        let encryptor = Encryptor::new(&self.key.into(), &self.iv().into());
        let ciphertext = match encryptor.encrypt_padded_mut::<NoPadding>(&mut buffer, total) {
            Ok(ciphertext) => ciphertext,
            // Unreachable: the buffer is a whole number of 32-byte blocks.
            Err(_) => return String::new(),
        };
        STANDARD.encode(ciphertext)
    }

    /// A passive reply to an encrypted callback: the reply XML encrypted, signed with the
    /// timestamp and nonce we choose.
    pub fn encrypt_reply(
        &self,
        reply_xml: &str,
        timestamp: &str,
        nonce: &str,
        random_prefix: [u8; 16],
    ) -> EncryptedReply {
        let encrypt = self.encrypt(reply_xml, random_prefix);
        let msg_signature = self.signature(timestamp, nonce, &encrypt);
        EncryptedReply {
            encrypt,
            msg_signature,
            timestamp: timestamp.to_owned(),
            nonce: nonce.to_owned(),
        }
    }

    /// The IV is the first half of the key.
    fn iv(&self) -> [u8; 16] {
        let mut iv = [0; 16];
        iv.copy_from_slice(&self.key[..16]);
        iv
    }
}

/// Remove PKCS#7 padding to 32-byte blocks: the last byte says how many bytes (1 to 32) to drop,
/// and every one of them must hold that value.
fn strip_padding(plaintext: &[u8]) -> Result<&[u8], CryptoError> {
    let &pad = plaintext.last().ok_or(CryptoError::InvalidPadding)?;
    let pad = usize::from(pad);
    if pad == 0 || pad > PAD_BLOCK || pad > plaintext.len() {
        return Err(CryptoError::InvalidPadding);
    }
    let (content, padding) = plaintext.split_at(plaintext.len() - pad);
    if padding.iter().any(|&byte| usize::from(byte) != pad) {
        return Err(CryptoError::InvalidPadding);
    }
    Ok(content)
}
