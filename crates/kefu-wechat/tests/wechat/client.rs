use std::sync::Arc;
use std::time::Duration;

use jiff::SignedDuration;
use kefu_wechat::{ClientConfig, WeChatClient, WeChatError};

use crate::standin::{
    AGENT_ID, APP_ID, APP_SECRET, CORP_ID, CORP_SECRET, Options, Received, StandIn,
};

fn client_for(standin: &StandIn) -> Arc<WeChatClient> {
    let config = ClientConfig::new(APP_ID, APP_SECRET).with_base_url(&standin.base_url);
    Arc::new(WeChatClient::new(config, standin.clock.clone()).unwrap())
}

fn received(touser: &str, content: &str) -> Received {
    Received {
        touser: touser.into(),
        content: content.into(),
    }
}

#[tokio::test]
async fn the_token_is_fetched_once_and_reused() {
    let standin = StandIn::start(Options::default()).await;
    let client = client_for(&standin);
    standin.user_wrote("oAlice");
    for content in ["您好", "订单已发货", "还有问题吗？"] {
        client.send_text("oAlice", content).await.unwrap();
    }
    assert_eq!(standin.token_fetches(), 1);
    assert_eq!(
        standin.received(),
        vec![
            received("oAlice", "您好"),
            received("oAlice", "订单已发货"),
            received("oAlice", "还有问题吗？")
        ]
    );
}

#[tokio::test]
async fn the_token_is_refreshed_early_before_it_expires() {
    let standin = StandIn::start(Options::default()).await;
    let client = client_for(&standin);
    let first = client.access_token().await.unwrap();
    // 7200 s tokens are refreshed 5 minutes before they expire.
    standin.clock.advance(SignedDuration::from_secs(7200 - 301));
    assert_eq!(client.access_token().await.unwrap(), first);
    assert_eq!(standin.token_fetches(), 1);
    standin.clock.advance(SignedDuration::from_secs(2));
    let second = client.access_token().await.unwrap();
    assert_ne!(second, first);
    assert_eq!(standin.token_fetches(), 2);
    standin.user_wrote("oAlice");
    client.send_text("oAlice", "x").await.unwrap();
    assert_eq!(standin.rejected_for_token(), 0);
}

#[tokio::test]
async fn short_lived_tokens_are_refreshed_at_half_life() {
    let standin = StandIn::start(Options {
        token_lifetime: SignedDuration::from_secs(60),
        ..Options::default()
    })
    .await;
    let client = client_for(&standin);
    client.access_token().await.unwrap();
    standin.clock.advance(SignedDuration::from_secs(29));
    client.access_token().await.unwrap();
    assert_eq!(standin.token_fetches(), 1);
    standin.clock.advance(SignedDuration::from_secs(1));
    client.access_token().await.unwrap();
    assert_eq!(standin.token_fetches(), 2);
}

#[tokio::test]
async fn an_expired_token_is_replaced_and_the_send_retried() {
    let standin = StandIn::start(Options::default()).await;
    let client = client_for(&standin);
    standin.user_wrote("oBob");
    client.send_text("oBob", "one").await.unwrap();
    standin.expire_tokens();
    client.send_text("oBob", "two").await.unwrap();
    assert_eq!(standin.token_fetches(), 2);
    assert_eq!(standin.rejected_for_token(), 1);
    assert_eq!(
        standin.received(),
        vec![received("oBob", "one"), received("oBob", "two")]
    );
}

#[tokio::test]
async fn a_forgotten_token_is_replaced_and_the_send_retried() {
    let standin = StandIn::start(Options::default()).await;
    let client = client_for(&standin);
    standin.user_wrote("oBob");
    client.send_text("oBob", "one").await.unwrap();
    standin.forget_tokens();
    client.send_text("oBob", "two").await.unwrap();
    assert_eq!(standin.token_fetches(), 2);
    assert_eq!(standin.rejected_for_token(), 1);
    assert_eq!(standin.received().len(), 2);
}

#[tokio::test]
async fn a_token_refused_twice_is_a_typed_error_after_one_retry() {
    let standin = StandIn::start(Options::default()).await;
    let client = client_for(&standin);
    standin.user_wrote("oBob");
    standin.refuse_every_token();
    let error = client.send_text("oBob", "hello").await.unwrap_err();
    assert!(
        matches!(error, WeChatError::AccessTokenRejected { code: 40001, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), Some(40001));
    assert_eq!(standin.token_fetches(), 2);
    assert_eq!(standin.rejected_for_token(), 2);
    assert!(standin.received().is_empty());
}

#[tokio::test]
async fn outside_the_48_hour_window_the_send_is_refused() {
    let standin = StandIn::start(Options::default()).await;
    let client = client_for(&standin);
    standin.user_wrote("oCarol");
    standin.clock.advance(SignedDuration::from_hours(47));
    client.send_text("oCarol", "inside").await.unwrap();
    standin.clock.advance(SignedDuration::from_hours(1));
    let error = client.send_text("oCarol", "outside").await.unwrap_err();
    assert!(
        matches!(error, WeChatError::OutsideReplyWindow { .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), Some(45015));
    assert!(!error.is_transient());
    // The user writes again: the window reopens.
    standin.user_wrote("oCarol");
    client.send_text("oCarol", "again").await.unwrap();
    assert_eq!(
        standin.received(),
        vec![received("oCarol", "inside"), received("oCarol", "again")]
    );
}

#[tokio::test]
async fn the_message_limit_within_the_window_is_a_typed_error() {
    let standin = StandIn::start(Options {
        messages_per_window: 2,
        ..Options::default()
    })
    .await;
    let client = client_for(&standin);
    standin.user_wrote("oDan");
    client.send_text("oDan", "1").await.unwrap();
    client.send_text("oDan", "2").await.unwrap();
    let error = client.send_text("oDan", "3").await.unwrap_err();
    assert!(
        matches!(error, WeChatError::ReplyLimitReached { .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), Some(45047));
}

#[tokio::test]
async fn an_unknown_openid_is_a_recipient_error() {
    let standin = StandIn::start(Options::default()).await;
    let client = client_for(&standin);
    let error = client.send_text("oNobody", "hi").await.unwrap_err();
    assert!(
        matches!(error, WeChatError::InvalidRecipient { code: 40003, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_wrong_secret_is_a_credentials_error_and_does_not_leak() {
    let standin = StandIn::start(Options::default()).await;
    let config = ClientConfig::new(APP_ID, "not-the-secret").with_base_url(&standin.base_url);
    let client = WeChatClient::new(config, standin.clock.clone()).unwrap();
    let error = client.send_text("oAlice", "hi").await.unwrap_err();
    assert!(
        matches!(error, WeChatError::BadCredentials { code: 40125, .. }),
        "{error:?}"
    );
    assert!(!format!("{client:?}").contains("not-the-secret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_parallel_sends_fetch_the_token_once() {
    let standin = StandIn::start(Options {
        token_delay: Duration::from_millis(50),
        ..Options::default()
    })
    .await;
    let client = client_for(&standin);
    standin.user_wrote("oEve");
    let mut sends = tokio::task::JoinSet::new();
    for n in 0..32 {
        let client = client.clone();
        sends.spawn(async move { client.send_text("oEve", &format!("message {n}")).await });
    }
    while let Some(result) = sends.join_next().await {
        result.unwrap().unwrap();
    }
    assert_eq!(standin.token_fetches(), 1);
    let mut contents: Vec<String> = standin.received().into_iter().map(|r| r.content).collect();
    contents.sort();
    let mut expected: Vec<String> = (0..32).map(|n| format!("message {n}")).collect();
    expected.sort();
    assert_eq!(contents, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_sends_after_a_server_side_expiry_refetch_once() {
    let standin = StandIn::start(Options {
        token_delay: Duration::from_millis(20),
        ..Options::default()
    })
    .await;
    let client = client_for(&standin);
    standin.user_wrote("oEve");
    client.send_text("oEve", "first").await.unwrap();
    standin.expire_tokens();
    let mut sends = tokio::task::JoinSet::new();
    for n in 0..16 {
        let client = client.clone();
        sends.spawn(async move { client.send_text("oEve", &format!("m{n}")).await });
    }
    while let Some(result) = sends.join_next().await {
        result.unwrap().unwrap();
    }
    // However many sends were caught with the old token, only one fetched a new one.
    assert_eq!(standin.token_fetches(), 2);
    let rejected = standin.rejected_for_token();
    assert!((1..=16).contains(&rejected), "{rejected}");
    assert_eq!(standin.received().len(), 17);
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error_without_secrets() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let clock = Arc::new(kefu_model::FixedClock::new(jiff::Timestamp::UNIX_EPOCH));
    let config = ClientConfig::new(APP_ID, APP_SECRET).with_base_url(format!("http://{address}"));
    let client = WeChatClient::new(config, clock).unwrap();
    let error = client.send_text("oAlice", "hi").await.unwrap_err();
    assert!(matches!(error, WeChatError::Transport(_)), "{error:?}");
    assert!(error.is_transient());
    assert!(!error.to_string().contains(APP_SECRET), "{error}");
}

#[tokio::test]
async fn a_non_api_answer_is_an_unexpected_response() {
    let standin = StandIn::start(Options::default()).await;
    let config = ClientConfig::new(APP_ID, APP_SECRET)
        .with_base_url(format!("{}/elsewhere", standin.base_url));
    let client = WeChatClient::new(config, standin.clock.clone()).unwrap();
    let error = client.access_token().await.unwrap_err();
    assert!(
        matches!(&error, WeChatError::UnexpectedResponse(text) if text.contains("404")),
        "{error:?}"
    );
}

#[test]
fn error_codes_map_to_their_cases() {
    assert!(matches!(
        WeChatError::from_api(45015, "m"),
        WeChatError::OutsideReplyWindow { .. }
    ));
    assert!(matches!(
        WeChatError::from_api(45047, "m"),
        WeChatError::ReplyLimitReached { .. }
    ));
    assert!(matches!(
        WeChatError::from_api(42001, "m"),
        WeChatError::AccessTokenRejected { code: 42001, .. }
    ));
    assert!(matches!(
        WeChatError::from_api(40014, "m"),
        WeChatError::AccessTokenRejected { code: 40014, .. }
    ));
    assert!(matches!(
        WeChatError::from_api(40164, "m"),
        WeChatError::BadCredentials { code: 40164, .. }
    ));
    assert!(matches!(
        WeChatError::from_api(43004, "m"),
        WeChatError::InvalidRecipient { code: 43004, .. }
    ));
    assert!(matches!(
        WeChatError::from_api(-1, "busy"),
        WeChatError::Busy { .. }
    ));
    assert!(WeChatError::from_api(-1, "busy").is_transient());
    let other = WeChatError::from_api(48001, "api unauthorized");
    assert_eq!(
        other,
        WeChatError::Api {
            code: 48001,
            message: "api unauthorized".into()
        }
    );
    assert_eq!(other.code(), Some(48001));
}

#[tokio::test]
async fn a_wecom_app_gets_its_token_by_corp_id_and_sends_as_its_agent() {
    let standin = StandIn::start(Options::default()).await;
    let config = ClientConfig::wecom(CORP_ID, CORP_SECRET, AGENT_ID.to_string())
        .with_base_url(&standin.base_url);
    let client = WeChatClient::new(config, standin.clock.clone()).unwrap();
    // No 48-hour window in WeCom: the member never wrote to the stand-in.
    client
        .send_text("zhangsan", "您的快件已签收")
        .await
        .unwrap();
    client.send_text("zhangsan", "还有问题吗？").await.unwrap();
    assert_eq!(standin.token_fetches(), 1);
    assert_eq!(
        standin.received(),
        vec![
            received("zhangsan", "您的快件已签收"),
            received("zhangsan", "还有问题吗？")
        ]
    );

    let wrong_agent =
        ClientConfig::wecom(CORP_ID, CORP_SECRET, "1000003").with_base_url(&standin.base_url);
    let client = WeChatClient::new(wrong_agent, standin.clock.clone()).unwrap();
    let error = client.send_text("zhangsan", "x").await.unwrap_err();
    assert_eq!(error.code(), Some(40056));
    assert!(!error.is_transient());
}

#[tokio::test]
async fn a_template_message_reaches_a_follower_outside_the_window() {
    let standin = StandIn::start(Options::default()).await;
    let client = client_for(&standin);
    standin.user_wrote("oAlice");
    standin.clock.advance(SignedDuration::from_hours(49));
    let late = client.send_text("oAlice", "您的工单已处理完毕").await;
    assert!(
        matches!(late, Err(WeChatError::OutsideReplyWindow { .. })),
        "{late:?}"
    );
    let data = vec![
        ("first".to_string(), "您的工单已处理完毕".to_string()),
        ("keyword1".to_string(), "KF20261207000001".to_string()),
    ];
    client
        .send_template(
            "oAlice",
            "tpl-resolved",
            Some("https://kefu.example/portal/case?number=KF20261207000001"),
            &data,
        )
        .await
        .unwrap();
    let sent = standin.templates();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["touser"], "oAlice");
    assert_eq!(sent[0]["template_id"], "tpl-resolved");
    assert_eq!(sent[0]["data"]["keyword1"]["value"], "KF20261207000001");
    assert_eq!(
        sent[0]["url"],
        "https://kefu.example/portal/case?number=KF20261207000001"
    );
    // Not to someone who never followed.
    let stranger = client
        .send_template("oNobody", "tpl-resolved", None, &data)
        .await;
    assert!(
        matches!(stranger, Err(WeChatError::InvalidRecipient { .. })),
        "{stranger:?}"
    );
}

// ---- temporary media --------------------------------------------------------------------

const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1,
];

#[tokio::test]
async fn a_picture_is_downloaded_with_its_type_and_name() {
    let standin = StandIn::start(Options::default()).await;
    let client = client_for(&standin);
    standin.put_media("media-1", "image/jpeg", "parcel.jpg", JPEG);
    let media = client.download_media("media-1", 1024).await.unwrap();
    assert_eq!(media.bytes, JPEG);
    assert_eq!(media.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(media.filename.as_deref(), Some("parcel.jpg"));
    assert_eq!(standin.media_downloads(), 1);
}

#[tokio::test]
async fn a_wecom_app_downloads_media_with_its_own_token() {
    let standin = StandIn::start(Options::default()).await;
    let config = ClientConfig::wecom(CORP_ID, CORP_SECRET, AGENT_ID.to_string())
        .with_base_url(&standin.base_url);
    let client = WeChatClient::new(config, standin.clock.clone()).unwrap();
    standin.put_media("voice-1", "audio/amr", "voice.amr", b"#!AMR\n\x3c\x00");
    let media = client.download_media("voice-1", 1024).await.unwrap();
    assert_eq!(media.bytes, b"#!AMR\n\x3c\x00");
    assert_eq!(media.content_type.as_deref(), Some("audio/amr"));
}

#[tokio::test]
async fn an_unknown_or_expired_media_id_is_a_permanent_error() {
    let standin = StandIn::start(Options::default()).await;
    let client = client_for(&standin);
    let unknown = client
        .download_media("no-such-media", 1024)
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Some(40007), "{unknown:?}");
    assert!(!unknown.is_transient());

    standin.put_media("media-old", "image/jpeg", "old.jpg", JPEG);
    standin.clock.advance(SignedDuration::from_hours(72));
    // The token is refreshed on the way (it is older than its lifetime now).
    let expired = client.download_media("media-old", 1024).await.unwrap_err();
    assert_eq!(expired.code(), Some(40007), "{expired:?}");
    assert_eq!(standin.media_downloads(), 0);
}

#[tokio::test]
async fn a_busy_media_api_is_a_transient_error() {
    let standin = StandIn::start(Options::default()).await;
    let client = client_for(&standin);
    standin.put_media("media-1", "image/jpeg", "parcel.jpg", JPEG);
    standin.media_busy(true);
    let busy = client.download_media("media-1", 1024).await.unwrap_err();
    assert!(busy.is_transient(), "{busy:?}");
    standin.media_busy(false);
    assert_eq!(
        client.download_media("media-1", 1024).await.unwrap().bytes,
        JPEG
    );
}

#[tokio::test]
async fn an_expired_token_is_replaced_and_the_download_retried() {
    let standin = StandIn::start(Options::default()).await;
    let client = client_for(&standin);
    standin.put_media("media-1", "image/jpeg", "parcel.jpg", JPEG);
    client.download_media("media-1", 1024).await.unwrap();
    standin.expire_tokens();
    client.download_media("media-1", 1024).await.unwrap();
    assert_eq!(standin.token_fetches(), 2);
    assert_eq!(standin.rejected_for_token(), 1);
    assert_eq!(standin.media_downloads(), 2);
}

#[tokio::test]
async fn a_file_larger_than_allowed_is_refused_unread() {
    let standin = StandIn::start(Options::default()).await;
    let client = client_for(&standin);
    let big = [JPEG, &[0u8; 4096]].concat();
    standin.put_media("media-big", "image/jpeg", "big.jpg", &big);
    let error = client.download_media("media-big", 1024).await.unwrap_err();
    assert_eq!(error, WeChatError::TooLarge { limit: 1024 });
    assert!(!error.is_transient());
    // Exactly at the limit is fine.
    let media = client.download_media("media-big", big.len()).await.unwrap();
    assert_eq!(media.bytes.len(), big.len());
}

#[tokio::test]
async fn the_download_url_with_its_token_never_reaches_an_error() {
    let standin = StandIn::start(Options::default()).await;
    let config = ClientConfig::new(APP_ID, APP_SECRET).with_base_url("http://127.0.0.1:9");
    let client = WeChatClient::new(config, standin.clock.clone()).unwrap();
    let error = client.download_media("media-1", 1024).await.unwrap_err();
    assert!(error.is_transient(), "{error:?}");
    assert!(!error.to_string().contains(APP_SECRET), "{error}");
}
