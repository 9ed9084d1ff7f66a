//! Garbage in, an error out, never a panic: random and mutated inputs with a fixed seed.

use kefu_wechat::{MessageCrypto, MessageKind, parse_message, passive_text_reply};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const VALID_XML: &str = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oU]]></FromUserName>\
<CreateTime>1700000000</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId>m</MediaId>\
<Format>amr</Format><Recognition><![CDATA[你好]]></Recognition><MsgId>1</MsgId></xml>";

const SPLICES: &[&str] = &[
    "<",
    ">",
    "]]>",
    "<![CDATA[",
    "&",
    "&amp;",
    "&#0;",
    "\u{0}",
    "</xml>",
    "<xml>",
    "\"",
    "é",
    "<!DOCTYPE x>",
];

fn mutate(rng: &mut StdRng, input: &str) -> String {
    let mut bytes = input.as_bytes().to_vec();
    for _ in 0..rng.gen_range(1..6) {
        let at = rng.gen_range(0..=bytes.len());
        match rng.gen_range(0..4) {
            0 => bytes.truncate(at),
            1 if at < bytes.len() => bytes[at] = rng.r#gen(),
            2 => {
                let splice = SPLICES[rng.gen_range(0..SPLICES.len())];
                bytes.splice(at..at, splice.bytes());
            }
            _ => {
                let end = rng.gen_range(at..=bytes.len());
                bytes.drain(at..end);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn the_parser_survives_random_and_mutated_bodies() {
    let mut rng = StdRng::seed_from_u64(0x5eed_1401);
    let mut parsed = 0;
    for _ in 0..3000 {
        let len = rng.gen_range(0..200);
        let noise: Vec<u8> = (0..len).map(|_| rng.r#gen()).collect();
        let _ = parse_message(&String::from_utf8_lossy(&noise));
        if parse_message(&mutate(&mut rng, VALID_XML)).is_ok() {
            parsed += 1;
        }
    }
    // Some mutations leave the document valid (e.g. a byte changed inside text); they must parse.
    assert!(parsed > 0);
}

#[test]
fn decryption_survives_garbage_and_tampering_never_passes_the_signature() {
    let crypto = MessageCrypto::new(
        "tok",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "wwcorp",
    )
    .unwrap();
    let mut rng = StdRng::seed_from_u64(0x5eed_1402);
    let message = "<xml><Content><![CDATA[退款]]></Content></xml>";
    let encrypted = crypto.encrypt(message, [0x42; 16]);
    let signature = crypto.signature("1700000000", "nonce", &encrypted);
    let body = format!("<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>");
    assert_eq!(
        crypto
            .decrypt_callback(&signature, "1700000000", "nonce", &body)
            .unwrap(),
        message
    );

    for _ in 0..3000 {
        // Random bytes of whole AES blocks reach the padding and framing checks.
        let blocks = rng.gen_range(0..6);
        let raw: Vec<u8> = (0..blocks * 16).map(|_| rng.r#gen()).collect();
        let _ = crypto.decrypt(&base64_encode(&raw));
        // Random text reaches the Base64 check.
        let text: String = (0..rng.gen_range(0..80))
            .map(|_| char::from(rng.gen_range(32u8..127)))
            .collect();
        let _ = crypto.decrypt(&text);

        // A tampered ciphertext under the original signature is always refused.
        let tampered = mutate(&mut rng, &encrypted);
        if tampered.trim() != encrypted {
            let body = format!("<xml><Encrypt><![CDATA[{tampered}]]></Encrypt></xml>");
            assert!(
                crypto
                    .decrypt_callback(&signature, "1700000000", "nonce", &body)
                    .is_err()
            );
        }
        let _ = crypto.decrypt(&tampered);
        let _ =
            crypto.decrypt_callback(&signature, "1700000000", "nonce", &mutate(&mut rng, &body));
    }
}

#[test]
fn passive_replies_read_back_for_random_text() {
    let inbound = parse_message(VALID_XML).unwrap();
    let mut rng = StdRng::seed_from_u64(0x5eed_1403);
    let alphabet: Vec<char> = "]]>< &;\"'ab中文\u{0}\u{1f}\u{fffe}\u{10348}\n\r\t"
        .chars()
        .collect();
    for _ in 0..1000 {
        let content: String = (0..rng.gen_range(0..40))
            .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
            .collect();
        let reply = passive_text_reply(&inbound, &content, 1);
        let expected: String = content
            .chars()
            .filter(|c| !matches!(c, '\u{0}' | '\u{1f}' | '\u{fffe}'))
            // XML parsers normalise line ends: CR and CRLF become LF.
            .collect::<String>()
            .replace("\r\n", "\n")
            .replace('\r', "\n");
        let read_back = parse_message(&reply).unwrap_or_else(|e| panic!("{content:?}: {e}"));
        assert_eq!(read_back.kind, MessageKind::Text { content: expected });
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
