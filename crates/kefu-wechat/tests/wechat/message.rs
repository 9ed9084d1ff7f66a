use kefu_wechat::{DedupeKey, Event, MessageKind, ParseError, parse_message};

fn envelope(msg_type: &str, extra: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_123456789abc]]></ToUserName>\
         <FromUserName><![CDATA[oUser-openid_1]]></FromUserName>\
         <CreateTime>1700000000</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{extra}</xml>"
    )
}

#[test]
fn text_message() {
    let xml = envelope(
        "text",
        "<Content><![CDATA[我的快递到哪了？ <b>&amp;</b>]]></Content><MsgId>23456789012345678</MsgId>",
    );
    let message = parse_message(&xml).unwrap();
    assert_eq!(message.to_user, "gh_123456789abc");
    assert_eq!(message.from_user, "oUser-openid_1");
    assert_eq!(message.create_time, 1700000000);
    assert_eq!(message.msg_type, "text");
    assert_eq!(message.msg_id.as_deref(), Some("23456789012345678"));
    assert_eq!(message.agent_id, None);
    // CDATA is taken literally: the markup inside is text.
    assert_eq!(
        message.kind,
        MessageKind::Text {
            content: "我的快递到哪了？ <b>&amp;</b>".into()
        }
    );
    assert_eq!(message.created_at().unwrap().as_second(), 1700000000);
    assert_eq!(
        message.dedupe_key(),
        DedupeKey::MsgId("23456789012345678".into())
    );
    assert_eq!(message.dedupe_key().to_string(), "msg:23456789012345678");
}

#[test]
fn text_without_cdata_and_with_entities() {
    let xml = envelope(
        "text",
        "<Content>a &lt; b &amp; c</Content><MsgId>1</MsgId>",
    );
    assert_eq!(
        parse_message(&xml).unwrap().kind,
        MessageKind::Text {
            content: "a < b & c".into()
        }
    );
    // Mixed plain text and CDATA sections join; white space inside Content is kept.
    let xml = envelope(
        "text",
        "<Content> one<![CDATA[ ]]>two\n</Content><MsgId>1</MsgId>",
    );
    assert_eq!(
        parse_message(&xml).unwrap().kind,
        MessageKind::Text {
            content: " one two\n".into()
        }
    );
}

#[test]
fn image_message() {
    let xml = envelope(
        "image",
        "<PicUrl><![CDATA[http://mmbiz.example/pic.jpg]]></PicUrl><MediaId><![CDATA[media_42]]></MediaId><MsgId>77</MsgId>",
    );
    let message = parse_message(&xml).unwrap();
    assert_eq!(
        message.kind,
        MessageKind::Image {
            pic_url: Some("http://mmbiz.example/pic.jpg".into()),
            media_id: "media_42".into()
        }
    );
    assert_eq!(
        parse_message(&envelope("image", "<PicUrl>x</PicUrl>")),
        Err(ParseError::MissingField("MediaId"))
    );
}

#[test]
fn voice_message_with_and_without_recognition() {
    let xml = envelope(
        "voice",
        "<MediaId><![CDATA[v1]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[退货]]></Recognition><MsgId>5</MsgId>",
    );
    assert_eq!(
        parse_message(&xml).unwrap().kind,
        MessageKind::Voice {
            media_id: "v1".into(),
            format: Some("amr".into()),
            recognition: Some("退货".into())
        }
    );
    let xml = envelope(
        "voice",
        "<MediaId>v2</MediaId><Format>speex</Format><Recognition><![CDATA[]]></Recognition>",
    );
    assert_eq!(
        parse_message(&xml).unwrap().kind,
        MessageKind::Voice {
            media_id: "v2".into(),
            format: Some("speex".into()),
            recognition: None
        }
    );
}

#[test]
fn events_and_their_dedupe_key() {
    let subscribe = parse_message(&envelope(
        "event",
        "<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_123]]></EventKey>",
    ))
    .unwrap();
    assert_eq!(
        subscribe.kind,
        MessageKind::Event(Event::Subscribe {
            event_key: Some("qrscene_123".into())
        })
    );
    assert_eq!(subscribe.msg_id, None);
    assert_eq!(
        subscribe.dedupe_key(),
        DedupeKey::SenderAndTime {
            from_user: "oUser-openid_1".into(),
            create_time: 1700000000
        }
    );
    assert_eq!(
        subscribe.dedupe_key().to_string(),
        "event:oUser-openid_1:1700000000"
    );

    let plain_subscribe = parse_message(&envelope(
        "event",
        "<Event>subscribe</Event><EventKey><![CDATA[]]></EventKey>",
    ))
    .unwrap();
    assert_eq!(
        plain_subscribe.kind,
        MessageKind::Event(Event::Subscribe { event_key: None })
    );

    let unsubscribe =
        parse_message(&envelope("event", "<Event><![CDATA[unsubscribe]]></Event>")).unwrap();
    assert_eq!(unsubscribe.kind, MessageKind::Event(Event::Unsubscribe));

    let click = parse_message(&envelope(
        "event",
        "<Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[MENU_HUMAN]]></EventKey>",
    ))
    .unwrap();
    assert_eq!(
        click.kind,
        MessageKind::Event(Event::Click {
            event_key: "MENU_HUMAN".into()
        })
    );

    let view = parse_message(&envelope(
        "event",
        "<Event><![CDATA[VIEW]]></Event><EventKey><![CDATA[https://shop.example/]]></EventKey>",
    ))
    .unwrap();
    assert_eq!(
        view.kind,
        MessageKind::Event(Event::Other {
            event: "VIEW".into(),
            event_key: Some("https://shop.example/".into())
        })
    );
    assert_eq!(
        parse_message(&envelope("event", "")),
        Err(ParseError::MissingField("Event"))
    );
}

#[test]
fn the_same_message_retried_has_the_same_key_and_others_differ() {
    let first = parse_message(&envelope("text", "<Content>a</Content><MsgId>9</MsgId>")).unwrap();
    let retry = parse_message(&envelope("text", "<Content>a</Content><MsgId>9</MsgId>")).unwrap();
    let next = parse_message(&envelope("text", "<Content>a</Content><MsgId>10</MsgId>")).unwrap();
    assert_eq!(first.dedupe_key(), retry.dedupe_key());
    assert_ne!(first.dedupe_key(), next.dedupe_key());
    // A message id that equals some event's sender-and-time text still cannot collide.
    let event = parse_message(&envelope("event", "<Event>subscribe</Event>")).unwrap();
    assert_ne!(first.dedupe_key(), event.dedupe_key());
}

#[test]
fn unknown_types_are_kept() {
    let xml = envelope(
        "location",
        "<Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Label><![CDATA[位置]]></Label><MsgId>3</MsgId>",
    );
    let message = parse_message(&xml).unwrap();
    assert_eq!(message.kind, MessageKind::Other);
    assert_eq!(message.msg_type, "location");
    assert_eq!(message.dedupe_key(), DedupeKey::MsgId("3".into()));
}

#[test]
fn malformed_bodies_are_clear_errors() {
    assert!(matches!(parse_message(""), Err(ParseError::Xml(_))));
    assert!(matches!(
        parse_message("<xml><ToUserName>a</xml>"),
        Err(ParseError::Xml(_))
    ));
    assert_eq!(
        parse_message("<root/>"),
        Err(ParseError::UnexpectedRoot("root".into()))
    );
    assert_eq!(
        parse_message("<xml/>"),
        Err(ParseError::MissingField("ToUserName"))
    );
    let no_time = "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType></xml>";
    assert_eq!(
        parse_message(no_time),
        Err(ParseError::MissingField("CreateTime"))
    );
    let bad_time = "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType><CreateTime>soon</CreateTime></xml>";
    assert_eq!(
        parse_message(bad_time),
        Err(ParseError::InvalidCreateTime("soon".into()))
    );
    // Entity definitions are refused, so no expansion bomb can be built.
    let bomb = "<!DOCTYPE xml [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\
                <xml><ToUserName>&b;</ToUserName></xml>";
    assert!(matches!(parse_message(bomb), Err(ParseError::Xml(_))));
}

#[test]
fn wecom_fields() {
    let xml = "<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName><FromUserName><![CDATA[ZhangSan]]></FromUserName>\
               <CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content>\
               <MsgId>1234567890123456</MsgId><AgentID>1</AgentID></xml>";
    let message = parse_message(xml).unwrap();
    assert_eq!(message.agent_id.as_deref(), Some("1"));
    assert_eq!(message.from_user, "ZhangSan");
}
