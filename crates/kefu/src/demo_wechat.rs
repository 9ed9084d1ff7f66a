//! Demo WeChat: an official account and a morning's messages to it, played through the path
//! WeChat's callbacks take (`Desk::receive_wechat`, signed with the account's token as WeChat
//! signs them): a parcel asked after by waybill (the bot answers), a question about a prohibited
//! item and a request for a person (handed over), a photo (handed over at once), and a follow
//! event (recorded, no case). The account is then disabled until someone connects a real one, so
//! no demo reply leaves the machine: a reply on a demo WeChat case says it was not sent.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kefu_desk::Desk;
use kefu_desk::wechat::CallbackQuery;
use kefu_model::wechat_account::WeChatAccountDraft;
use kefu_model::{Actor, DomainError, FixedClock, StoreError};

const TOKEN: &str = "kefuDemoToken2026";

enum Said {
    Text(&'static str),
    /// The waybill of a demo parcel, in the customer's words.
    Waybill(&'static str),
    Image,
    Follow,
}

/// (openid, message, minutes ago).
const MESSAGES: &[(&str, Said, i64)] = &[
    ("oYL-demo-chen", Said::Follow, 170),
    (
        "oYL-demo-chen",
        Said::Waybill("你好，帮我查一下快递 {} 到哪了"),
        168,
    ),
    ("oYL-demo-li", Said::Text("充电宝可以寄吗？"), 120),
    ("oYL-demo-li", Said::Text("转人工"), 118),
    ("oYL-demo-zhao", Said::Image, 40),
    (
        "oYL-demo-zhao",
        Said::Text("外箱压坏了，里面的东西也碎了"),
        39,
    ),
];

fn message_xml(openid: &str, msg_id: u64, create_time: i64, said: &Said, waybill: &str) -> String {
    let head = format!(
        "<xml><ToUserName><![CDATA[gh_yunlu_demo]]></ToUserName>\
         <FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{create_time}</CreateTime>"
    );
    let rest = match said {
        Said::Text(text) => format!(
            "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId>"
        ),
        Said::Waybill(template) => format!(
            "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{}]]></Content><MsgId>{msg_id}</MsgId>",
            template.replace("{}", waybill)
        ),
        Said::Image => format!(
            "<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/demo/{msg_id}.jpg]]></PicUrl>\
             <MediaId><![CDATA[demo-media-{msg_id}]]></MediaId><MsgId>{msg_id}</MsgId>"
        ),
        Said::Follow => {
            "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>".to_string()
        }
    };
    format!("{head}{rest}</xml>")
}

/// Adds the demo official account and plays its messages; returns how many were taken in.
pub async fn seed(
    desk: &Desk,
    now: Timestamp,
    waybill: Option<&str>,
) -> Result<usize, DomainError> {
    let admin = desk
        .store()
        .user_by_username("admin")
        .await?
        .ok_or_else(|| DomainError::Store(StoreError::NotFound("admin".into())))?;
    let admin = Actor::of(&admin);
    let at = |minutes_ago: i64| {
        now.checked_sub(SignedDuration::from_mins(minutes_ago))
            .unwrap_or(now)
    };
    let clock = Arc::new(FixedClock::new(at(180)));
    let played = desk.clone().with_clock(clock.clone());
    let draft = WeChatAccountDraft {
        name: "云路快递公众号（演示，未连接）".into(),
        enabled: true,
        app_id: "wx00000000demo0001".into(),
        app_secret: Some("demo-not-a-real-secret".into()),
        token: Some(TOKEN.into()),
        ..WeChatAccountDraft::default()
    };
    let account = played.create_wechat_account(&admin, draft.clone()).await?;
    let id = account.account.id.clone();
    let waybill = waybill.unwrap_or("YL0000000000000");
    let mut taken = 0;
    for (n, (openid, said, minutes_ago)) in MESSAGES.iter().enumerate() {
        let when = at(*minutes_ago);
        clock.set(when);
        let timestamp = when.as_second().to_string();
        let nonce = format!("demo{n}");
        let query = CallbackQuery {
            signature: kefu_wechat::sign(&[TOKEN, &timestamp, &nonce]),
            timestamp,
            nonce,
            ..CallbackQuery::default()
        };
        let msg_id = 24_000_000_000_000_000 + n as u64;
        let xml = message_xml(openid, msg_id, when.as_second(), said, waybill);
        match played.receive_wechat(&id, &query, &xml).await? {
            Ok(_) => taken += 1,
            Err(refusal) => {
                return Err(DomainError::Store(StoreError::Backend(format!(
                    "demo WeChat callback refused: {}",
                    refusal.message
                ))));
            }
        }
    }
    clock.set(now);
    played
        .update_wechat_account(
            &admin,
            &id,
            WeChatAccountDraft {
                enabled: false,
                version: Some(account.account.version),
                ..draft
            },
        )
        .await?;
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_model::Channel;
    use kefu_model::channels::InboundOutcome;
    use kefu_model::records::CaseQuery;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_demo_plays_wechat_conversations_into_cases() {
        let dir = std::env::temp_dir().join(format!("kefu-demo-wechat-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = Arc::new(kefu_store_sqlite::open(&dir.join("kefu.db")).await.unwrap());
        let now: Timestamp = "2026-03-16T02:30:00Z".parse().unwrap();
        let clock = Arc::new(FixedClock::new(now));
        let desk = Desk::new(store, clock)
            .with_nlu(Arc::new(kefu_nlu::SharedNlu))
            .with_time_zone(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
        desk.bootstrap_admin(Some("demo-password-1".into()))
            .await
            .unwrap();
        desk.install_builtin_calendars().await.unwrap();
        desk.install_default_policies().await.unwrap();
        assert_eq!(seed(&desk, now, None).await.unwrap(), MESSAGES.len());

        let cases = desk
            .store()
            .list_cases(&CaseQuery {
                limit: 50,
                ..CaseQuery::default()
            })
            .await
            .unwrap()
            .items;
        let wechat: Vec<_> = cases
            .iter()
            .filter(|c| c.channel == Channel::Wechat)
            .collect();
        assert_eq!(wechat.len(), 3, "one case per customer who wrote");
        // The photo and the request for a person left cases for agents.
        assert!(
            wechat
                .iter()
                .filter(|c| c.bot.as_ref().is_some_and(|b| !b.active))
                .count()
                >= 2
        );
        let records = desk.store().inbound_records(None, 50).await.unwrap();
        assert_eq!(records.len(), MESSAGES.len());
        assert_eq!(
            records
                .iter()
                .filter(|r| r.outcome == InboundOutcome::Event)
                .count(),
            1
        );
        let accounts = desk.store().channel_accounts().await.unwrap();
        assert!(accounts.iter().all(|(a, _)| !a.enabled), "left disabled");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
