//! What we answer to a callback.
//!
//! WeChat waits five seconds for the answer to a callback and retries otherwise. The desk rarely
//! has a human answer that fast, so the usual answer is [`IMMEDIATE_ACK`], the literal `success`
//! (an empty body works too), which stops the retries and shows the user nothing; the agent's
//! answer goes out later through the customer-service message API (see [`crate::client`]).
//! When an answer is ready at once (a bot, an auto-reply), it can be the callback's answer: the
//! passive reply, an XML message with `ToUserName` and `FromUserName` swapped.

use crate::message::InboundMessage;

/// The body that acknowledges a callback without replying to the user.
pub const IMMEDIATE_ACK: &str = "success";

/// A passive text reply to `to`: from our account to the user who wrote. `create_time` is Unix
/// seconds from the caller's clock.
pub fn passive_text_reply(to: &InboundMessage, content: &str, create_time: i64) -> String {
    let mut xml = String::with_capacity(160 + content.len());
    xml.push_str("<xml><ToUserName>");
    push_cdata(&mut xml, &to.from_user);
    xml.push_str("</ToUserName><FromUserName>");
    push_cdata(&mut xml, &to.to_user);
    xml.push_str("</FromUserName><CreateTime>");
    xml.push_str(&create_time.to_string());
    xml.push_str("</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>");
    push_cdata(&mut xml, content);
    xml.push_str("</Content></xml>");
    xml
}

/// Append `text` as CDATA. A `]]>` inside would end the section early, so it is split across two
/// sections (`]]` ends one, `>` starts the next); characters XML 1.0 forbids (most C0 controls)
/// are dropped, since no parser would accept the document with them.
pub(crate) fn push_cdata(out: &mut String, text: &str) {
    out.push_str("<![CDATA[");
    let mut rest = text;
    while let Some(at) = rest.find("]]>") {
        push_xml_chars(out, &rest[..at]);
        out.push_str("]]]]><![CDATA[>");
        rest = &rest[at + 3..];
    }
    push_xml_chars(out, rest);
    out.push_str("]]>");
}

fn push_xml_chars(out: &mut String, text: &str) {
    out.extend(text.chars().filter(|&c| is_xml_char(c)));
}

/// The `Char` production of XML 1.0.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
