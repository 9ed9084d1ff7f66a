use kefu_wechat::{CryptoError, MessageCrypto, parse_message};

// The sample configuration of WeCom's reference library. Its key ends in `t`, whose low bits are
// not zero, so decoding must ignore trailing bits like the reference implementations do.
const TOKEN: &str = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo";
const AES_KEY: &str = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
const CORP_ID: &str = "ww1436e0e65a779aee";

fn sample() -> MessageCrypto {
    MessageCrypto::new(TOKEN, AES_KEY, CORP_ID).unwrap()
}

const SAMPLE_POST_BODY: &str = "<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA[Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>";

#[test]
fn reference_url_check_decrypts_the_echo() {
    let echo = sample()
        .verify_url(
            "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
            "1476416373",
            "47744683",
            "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
        )
        .unwrap();
    assert_eq!(echo, "1288432023552776189");
}

#[test]
fn reference_callback_decrypts_to_a_text_message() {
    let xml = sample()
        .decrypt_callback(
            "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
            "1476422779",
            "1597212914",
            SAMPLE_POST_BODY,
        )
        .unwrap();
    let message = parse_message(&xml).unwrap();
    assert_eq!(message.from_user, "ChenJiaShun");
    assert_eq!(message.to_user, CORP_ID);
    assert_eq!(message.create_time, 1476422779);
    assert_eq!(message.msg_id.as_deref(), Some("1456453720"));
    assert_eq!(message.agent_id.as_deref(), Some("1000002"));
    assert_eq!(
        message.kind,
        kefu_wechat::MessageKind::Text {
            content: "你好".into()
        }
    );
}

#[test]
fn reference_callback_is_refused_with_another_signature_or_timestamp() {
    let crypto = sample();
    assert_eq!(
        crypto.decrypt_callback(
            "0c3914025cb4b4d68103f6bfc8db550f79dcf48f",
            "1476422779",
            "1597212914",
            SAMPLE_POST_BODY
        ),
        Err(CryptoError::SignatureMismatch)
    );
    assert_eq!(
        crypto.decrypt_callback(
            "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
            "1476422780",
            "1597212914",
            SAMPLE_POST_BODY
        ),
        Err(CryptoError::SignatureMismatch)
    );
    let other_token = MessageCrypto::new("another-token", AES_KEY, CORP_ID).unwrap();
    assert_eq!(
        other_token.decrypt_callback(
            "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
            "1476422779",
            "1597212914",
            SAMPLE_POST_BODY
        ),
        Err(CryptoError::SignatureMismatch)
    );
}

#[test]
fn round_trip_over_message_sizes_around_the_padding_unit() {
    let crypto = sample();
    for len in 0..=100 {
        let message: String = "消息x".chars().cycle().take(len).collect();
        let prefix = [len as u8; 16];
        let encrypted = crypto.encrypt(&message, prefix);
        assert_eq!(crypto.decrypt(&encrypted).unwrap(), message, "length {len}");
        // The ciphertext is padded to 32-byte units, always with at least one byte of padding.
        let content = 16 + 4 + message.len() + CORP_ID.len();
        let padded = (content / 32 + 1) * 32;
        let raw_len = encrypted.len() / 4 * 3 - encrypted.matches('=').count();
        assert_eq!(raw_len, padded, "length {len}");
    }
}

#[test]
fn encryption_is_deterministic_in_the_random_prefix_only() {
    let crypto = sample();
    assert_eq!(
        crypto.encrypt("hello", [7; 16]),
        crypto.encrypt("hello", [7; 16])
    );
    assert_ne!(
        crypto.encrypt("hello", [7; 16]),
        crypto.encrypt("hello", [8; 16])
    );
}

#[test]
fn encrypted_reply_is_signed_and_decrypts_through_the_callback_path() {
    let crypto = sample();
    let reply_xml = "<xml><Content><![CDATA[稍等]]></Content></xml>";
    let reply = crypto.encrypt_reply(reply_xml, "1700000000", "n0nce", [3; 16]);
    assert_eq!(
        reply.msg_signature,
        crypto.signature("1700000000", "n0nce", &reply.encrypt)
    );
    let envelope = reply.to_xml();
    assert!(has_documented_envelope_shape(&envelope), "{envelope}");
    assert_eq!(
        crypto
            .decrypt_callback(&reply.msg_signature, "1700000000", "n0nce", &envelope)
            .unwrap(),
        reply_xml
    );
}

/// The envelope has the four documented elements, in order.
fn has_documented_envelope_shape(envelope: &str) -> bool {
    envelope.starts_with("<xml><Encrypt><![CDATA[")
        && envelope.contains("</Encrypt><MsgSignature><![CDATA[")
        && envelope.contains("</MsgSignature><TimeStamp><![CDATA[1700000000]]></TimeStamp>")
        && envelope.ends_with("<Nonce><![CDATA[n0nce]]></Nonce></xml>")
}

#[test]
fn message_for_another_corp_is_refused() {
    let ours = sample();
    let theirs = MessageCrypto::new(TOKEN, AES_KEY, "ww0000000000000000").unwrap();
    let encrypted = theirs.encrypt("<xml/>", [1; 16]);
    assert_eq!(
        ours.decrypt(&encrypted),
        Err(CryptoError::WrongReceiveId {
            found: Some("ww0000000000000000".into())
        })
    );
    // The signature does not protect against this: both share the token.
    let signature = ours.signature("1", "2", &encrypted);
    assert!(matches!(
        ours.verify_url(&signature, "1", "2", &encrypted),
        Err(CryptoError::WrongReceiveId { .. })
    ));
}

#[test]
fn a_different_key_fails_cleanly() {
    let other_key = MessageCrypto::new(
        TOKEN,
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        CORP_ID,
    )
    .unwrap();
    let encrypted = sample().encrypt("<xml><a/></xml>", [9; 16]);
    // Garbage after decryption: almost always bad padding; if the padding happens to look valid,
    // the length or the corp id will not.
    assert!(other_key.decrypt(&encrypted).is_err());
}

#[test]
fn tampered_or_malformed_ciphertexts_are_clear_errors() {
    let crypto = sample();
    let encrypted = crypto.encrypt("<xml>hello</xml>", [5; 16]);
    let raw = base64_decode(&encrypted);

    assert_eq!(
        crypto.decrypt("not base64 !!"),
        Err(CryptoError::InvalidBase64)
    );
    assert_eq!(
        crypto.decrypt(&encrypted[..encrypted.len() - 3]),
        Err(CryptoError::InvalidBase64)
    );
    assert_eq!(
        crypto.decrypt(""),
        Err(CryptoError::InvalidCiphertextLength)
    );
    assert_eq!(
        crypto.decrypt(&base64_encode(&raw[..raw.len() - 1])),
        Err(CryptoError::InvalidCiphertextLength)
    );

    // Whole blocks cut off the end: the padding is gone.
    let cut = base64_encode(&raw[..raw.len() - 16]);
    assert!(matches!(
        crypto.decrypt(&cut),
        Err(CryptoError::InvalidPadding
            | CryptoError::Truncated
            | CryptoError::WrongReceiveId { .. })
    ));

    // Flipping a bit of the second-to-last block flips the same bit of the last plaintext
    // block, which holds the padding: 31 = 0b11111 becomes 30 in its last byte.
    let mut flipped = raw.clone();
    let at = flipped.len() - 17;
    flipped[at] ^= 0x01;
    assert_eq!(
        crypto.decrypt(&base64_encode(&flipped)),
        Err(CryptoError::InvalidPadding)
    );
}

#[test]
fn padding_and_length_are_checked_exactly() {
    // Plaintexts framed by hand, then broken one way each, encrypted with the sample key.
    let crypto = sample();
    // A message whose length field claims more than there is.
    let long_claim = craft(|plain| {
        plain[16..20].copy_from_slice(&1000u32.to_be_bytes());
    });
    assert_eq!(crypto.decrypt(&long_claim), Err(CryptoError::Truncated));
    // A length of 0 leaves the whole message as receive id: refused, and not echoed in the error.
    let zero_claim = craft(|plain| {
        plain[16..20].copy_from_slice(&0u32.to_be_bytes());
    });
    assert_eq!(
        crypto.decrypt(&zero_claim),
        Err(CryptoError::WrongReceiveId { found: None })
    );
    // Invalid UTF-8 in the message.
    let bad_utf8 = craft(|plain| plain[20] = 0xff);
    assert_eq!(crypto.decrypt(&bad_utf8), Err(CryptoError::NotUtf8));
    // Pad bytes that disagree.
    let uneven = craft(|plain| {
        let last = plain.len() - 2;
        plain[last] ^= 0x40;
    });
    assert_eq!(crypto.decrypt(&uneven), Err(CryptoError::InvalidPadding));
    // A pad value of zero and one over 32.
    let zero_pad = craft(|plain| *plain.last_mut().unwrap() = 0);
    assert_eq!(crypto.decrypt(&zero_pad), Err(CryptoError::InvalidPadding));
    let big_pad = craft(|plain| *plain.last_mut().unwrap() = 33);
    assert_eq!(crypto.decrypt(&big_pad), Err(CryptoError::InvalidPadding));
}

/// Encrypt the framed plaintext of "<xml>abc</xml>" after `edit`, with the sample key and IV, as
/// a peer that does not follow the protocol would.
fn craft(edit: impl FnOnce(&mut Vec<u8>)) -> String {
    use aes::cipher::block_padding::NoPadding;
    use aes::cipher::{BlockEncryptMut, KeyIvInit};
    let key = sample_key();
    let message = b"<xml>abc</xml>";
    let mut plain = vec![0x11; 16];
    plain.extend_from_slice(&(message.len() as u32).to_be_bytes());
    plain.extend_from_slice(message);
    plain.extend_from_slice(CORP_ID.as_bytes());
    let pad = 32 - plain.len() % 32;
    plain.resize(plain.len() + pad, pad as u8);
    edit(&mut plain);
    let len = plain.len();
    let iv: [u8; 16] = key[..16].try_into().unwrap();
    let encryptor = cbc::Encryptor::<aes::Aes256>::new(&key.into(), &iv.into());
    let cipher = encryptor
        .encrypt_padded_mut::<NoPadding>(&mut plain, len)
        .unwrap();
    base64_encode(cipher)
}

fn sample_key() -> [u8; 32] {
    use base64::Engine;
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    engine
        .decode(format!("{AES_KEY}="))
        .unwrap()
        .try_into()
        .unwrap()
}

#[test]
fn keys_of_the_wrong_shape_are_refused() {
    assert_eq!(
        MessageCrypto::new(TOKEN, "short", CORP_ID).unwrap_err(),
        CryptoError::InvalidKey
    );
    assert_eq!(
        MessageCrypto::new(TOKEN, &format!("{AES_KEY}A"), CORP_ID).unwrap_err(),
        CryptoError::InvalidKey
    );
    assert_eq!(
        MessageCrypto::new(
            TOKEN,
            "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToq!Ut",
            CORP_ID
        )
        .unwrap_err(),
        CryptoError::InvalidKey
    );
}

#[test]
fn callback_bodies_without_encrypt_are_refused() {
    let crypto = sample();
    assert_eq!(
        crypto.decrypt_callback("x", "1", "2", "<xml><ToUserName>a</ToUserName></xml>"),
        Err(CryptoError::Missing("Encrypt"))
    );
    assert!(matches!(
        crypto.decrypt_callback("x", "1", "2", "<xml>"),
        Err(CryptoError::InvalidXml(_))
    ));
    assert_eq!(
        crypto.verify_url("x", "1", "2", ""),
        Err(CryptoError::Missing("echostr"))
    );
    assert_eq!(
        crypto.verify_url("", "1", "2", "abc"),
        Err(CryptoError::Missing("msg_signature"))
    );
}

#[test]
fn debug_output_hides_the_secrets() {
    let shown = format!("{:?}", sample());
    assert!(shown.contains(CORP_ID));
    assert!(!shown.contains(TOKEN));
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The official account's safe mode uses the same envelope with the app id as receive id.
#[test]
fn official_account_safe_mode_uses_the_app_id() {
    let app_id = "wx0123456789abcdef";
    let crypto = MessageCrypto::new(
        "mp-token",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        app_id,
    )
    .unwrap();
    let inner = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oU]]></FromUserName>\
                 <CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[在吗]]></Content><MsgId>8</MsgId></xml>";
    let reply = crypto.encrypt_reply(inner, "1700000000", "abc", [0; 16]);
    let body = format!(
        "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[{}]]></Encrypt></xml>",
        reply.encrypt
    );
    let decrypted = crypto
        .decrypt_callback(&reply.msg_signature, "1700000000", "abc", &body)
        .unwrap();
    assert_eq!(
        parse_message(&decrypted).unwrap().kind,
        kefu_wechat::MessageKind::Text {
            content: "在吗".into()
        }
    );
    let wecom = MessageCrypto::new(
        "mp-token",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        CORP_ID,
    )
    .unwrap();
    assert!(matches!(
        wecom.decrypt_callback(&reply.msg_signature, "1700000000", "abc", &body),
        Err(CryptoError::WrongReceiveId { found: Some(found) }) if found == app_id
    ));
}
