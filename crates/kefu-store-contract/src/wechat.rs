//! Contract checks for the WeChat channel: a signed message becomes a case once whatever
//! WeChat's retries, the customer's next message joins it, the bot's answer and an agent's reply
//! are queued as deliveries to the customer's openid, and past the 48-hour window a reply fails
//! at once.

use jiff::SignedDuration;
use kefu_desk::wechat::CallbackQuery;
use kefu_model::channels::{DeliveryState, InboundOutcome};
use kefu_model::drafts::MessageDraft;
use kefu_model::wechat_account::WeChatAccountDraft;
use kefu_model::{Channel, Clock, EventData, Visibility};

use crate::{Fixture, fixture};

const TOKEN: &str = "contractToken";

fn signed(f: &Fixture) -> CallbackQuery {
    let timestamp = f.clock.now().as_second().to_string();
    CallbackQuery {
        signature: kefu_wechat::sign(&[TOKEN, &timestamp, "7"]),
        timestamp,
        nonce: "7".into(),
        ..CallbackQuery::default()
    }
}

fn text(openid: &str, msg_id: u64, content: &str, f: &Fixture) -> String {
    format!(
        "<xml><ToUserName>gh_c</ToUserName><FromUserName>{openid}</FromUserName>\
         <CreateTime>{}</CreateTime><MsgType>text</MsgType><Content>{content}</Content>\
         <MsgId>{msg_id}</MsgId></xml>",
        f.clock.now().as_second()
    )
}

pub async fn wechat_messages_open_a_case_once_and_replies_respect_the_window(
    store: std::sync::Arc<dyn kefu_desk::Store>,
) {
    let f = fixture(store).await;
    let account = f
        .desk
        .create_wechat_account(
            &f.admin,
            WeChatAccountDraft {
                name: "公众号".into(),
                enabled: true,
                app_id: "wx5823bf96d3bd56c7".into(),
                app_secret: Some("secret".into()),
                token: Some(TOKEN.into()),
                ..WeChatAccountDraft::default()
            },
        )
        .await
        .unwrap();
    let id = account.account.id.clone();
    let first = text("oCustomer", 1, "你好", &f);
    let taken = f
        .desk
        .receive_wechat(&id, &signed(&f), &first)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.outcome, InboundOutcome::Created);
    let case_id = taken.case_id.clone().unwrap();
    // WeChat retries: nothing more.
    let again = f
        .desk
        .receive_wechat(&id, &signed(&f), &first)
        .await
        .unwrap()
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.case_id.as_ref(), Some(&case_id));
    f.clock.advance(SignedDuration::from_mins(1));
    let joined = f
        .desk
        .receive_wechat(&id, &signed(&f), &text("oCustomer", 2, "在吗", &f))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(joined.outcome, InboundOutcome::Joined);
    assert_eq!(joined.case_id.as_ref(), Some(&case_id));

    let case = f.desk.get_case(&f.admin, case_id.as_str()).await.unwrap();
    assert_eq!(case.channel, Channel::Wechat);
    f.desk
        .add_message(
            &f.agent,
            case_id.as_str(),
            MessageDraft {
                body: "您好，请讲".into(),
                visibility: Visibility::Public,
                from_customer: false,
                call: false,
            },
        )
        .await
        .unwrap();
    let queued = f.desk.store().deliveries_of_case(&case_id).await.unwrap();
    assert!(!queued.is_empty());
    assert!(
        queued
            .iter()
            .all(|d| d.to == "oCustomer" && d.channel == Channel::Wechat)
    );
    assert!(queued.iter().any(|d| d.body == "您好，请讲"));
    assert!(queued.iter().all(|d| d.state == DeliveryState::Queued));

    f.clock.advance(SignedDuration::from_hours(48));
    f.desk
        .add_message(
            &f.agent,
            case_id.as_str(),
            MessageDraft {
                body: "还在吗？".into(),
                visibility: Visibility::Public,
                from_customer: false,
                call: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        f.desk
            .store()
            .deliveries_of_case(&case_id)
            .await
            .unwrap()
            .len(),
        queued.len(),
        "nothing queued outside the window"
    );
    let events = f.desk.store().case_events(&case_id).await.unwrap();
    assert!(events.iter().any(|e| matches!(&e.data,
        EventData::DeliveryFailed { error, attempt: 0, .. } if error.contains("48小时"))));
}
