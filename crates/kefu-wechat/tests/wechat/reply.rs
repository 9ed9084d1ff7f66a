use kefu_wechat::{IMMEDIATE_ACK, MessageKind, parse_message, passive_text_reply};

fn inbound() -> kefu_wechat::InboundMessage {
    parse_message(
        "<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[oUser1]]></FromUserName>\
         <CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>1</MsgId></xml>",
    )
    .unwrap()
}

#[test]
fn the_immediate_answer_is_success() {
    assert_eq!(IMMEDIATE_ACK, "success");
}

#[test]
fn passive_reply_swaps_the_parties() {
    let reply = passive_text_reply(&inbound(), "您好，请稍候", 1700000005);
    assert_eq!(
        reply,
        "<xml><ToUserName><![CDATA[oUser1]]></ToUserName><FromUserName><![CDATA[gh_account]]></FromUserName>\
         <CreateTime>1700000005</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[您好，请稍候]]></Content></xml>"
    );
    // It reads back as a message from our account to the user.
    let read_back = parse_message(&reply).unwrap();
    assert_eq!(read_back.from_user, "gh_account");
    assert_eq!(read_back.to_user, "oUser1");
    assert_eq!(read_back.create_time, 1700000005);
}

#[test]
fn cdata_terminators_and_markup_in_the_text_survive() {
    for content in [
        "a]]>b",
        "]]>",
        "]]]]>",
        "x]]>]]>y",
        "]]",
        "]>",
        "<![CDATA[inner]]> & <tag/> \"q\" 'a'",
        "ends with ]",
        "ends with ]]",
        "",
    ] {
        let reply = passive_text_reply(&inbound(), content, 1);
        let read_back =
            parse_message(&reply).unwrap_or_else(|e| panic!("{content:?}: {e} in {reply}"));
        assert_eq!(
            read_back.kind,
            MessageKind::Text {
                content: content.into()
            },
            "{reply}"
        );
    }
}

#[test]
fn characters_xml_cannot_carry_are_dropped() {
    let reply = passive_text_reply(&inbound(), "a\u{0}b\u{1b}c\td\u{fffe}e", 1);
    assert_eq!(
        parse_message(&reply).unwrap().kind,
        MessageKind::Text {
            content: "abc\tde".into()
        }
    );
}
