//! Contract checks for a customer's WeChat pictures and voice messages: the download is written
//! with the case message (once, whatever WeChat's retries), claimed by one worker at a time,
//! retried later after a temporary failure, kept on the case as an attachment with its event —
//! or given up with an internal note a person reads.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_desk::Store;
use kefu_desk::wechat::{CallbackQuery, MediaFailure};
use kefu_model::attachment::Attachment;
use kefu_model::media::{EXPIRED_REASON, MediaFetchState, MediaKind};
use kefu_model::wechat_account::WeChatAccountDraft;
use kefu_model::{Clock, EventData, Visibility};
use kefu_wechat::Media;

use crate::{Fixture, fixture};

const TOKEN: &str = "mediaToken";
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];

fn signed(f: &Fixture) -> CallbackQuery {
    let timestamp = f.clock.now().as_second().to_string();
    CallbackQuery {
        signature: kefu_wechat::sign(&[TOKEN, &timestamp, "9"]),
        timestamp,
        nonce: "9".into(),
        ..CallbackQuery::default()
    }
}

fn image(msg_id: u64, media_id: &str, f: &Fixture) -> String {
    format!(
        "<xml><ToUserName>gh_m</ToUserName><FromUserName>oPhoto</FromUserName>\
         <CreateTime>{}</CreateTime><MsgType>image</MsgType>\
         <PicUrl>http://mmbiz.qpic.cn/tmp/{media_id}</PicUrl><MediaId>{media_id}</MediaId>\
         <MsgId>{msg_id}</MsgId></xml>",
        f.clock.now().as_second()
    )
}

fn voice(msg_id: u64, media_id: &str, f: &Fixture) -> String {
    format!(
        "<xml><ToUserName>gh_m</ToUserName><FromUserName>oPhoto</FromUserName>\
         <CreateTime>{}</CreateTime><MsgType>voice</MsgType><MediaId>{media_id}</MediaId>\
         <Format>amr</Format><MsgId>{msg_id}</MsgId></xml>",
        f.clock.now().as_second()
    )
}

async fn account(f: &Fixture) -> String {
    f.desk
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
        .unwrap()
        .account
        .id
}

fn jpeg() -> Media {
    Media {
        bytes: JPEG.to_vec(),
        content_type: Some("image/jpeg".into()),
        filename: Some("parcel.jpg".into()),
    }
}

pub async fn wechat_pictures_are_fetched_once_and_kept_on_the_case(store: Arc<dyn Store>) {
    let f = fixture(store).await;
    let id = account(&f).await;
    let body = image(100, "MEDIA_A", &f);
    let taken = f
        .desk
        .receive_wechat(&id, &signed(&f), &body)
        .await
        .unwrap()
        .unwrap();
    let case_id = taken.case_id.clone().unwrap();
    // WeChat's retry of the same MsgId adds no second download.
    let again = f
        .desk
        .receive_wechat(&id, &signed(&f), &body)
        .await
        .unwrap()
        .unwrap();
    assert!(again.duplicate);
    let fetches = f
        .desk
        .store()
        .media_fetches_of_case(&case_id)
        .await
        .unwrap();
    assert_eq!(fetches.len(), 1);
    let fetch = &fetches[0];
    assert_eq!(
        (fetch.kind, fetch.state, fetch.media_id.as_str()),
        (MediaKind::Image, MediaFetchState::Pending, "MEDIA_A")
    );
    // The message it belongs to, written in the same append, no longer carries the link.
    let events = f.desk.store().case_events(&case_id).await.unwrap();
    let message = events
        .iter()
        .find_map(|e| match &e.data {
            EventData::MessageAdded {
                message_id, body, ..
            } if *message_id == fetch.message_id => Some(body.clone()),
            _ => None,
        })
        .expect("the customer's message");
    assert_eq!(message, "（图片）");

    // One worker holds it while it downloads.
    let claimed = f.desk.claim_media_fetches(10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(f.desk.claim_media_fetches(10).await.unwrap().is_empty());
    assert_eq!(
        f.desk.media_source(&claimed[0]).await.unwrap().account_id,
        id
    );
    let done = f
        .desk
        .finish_media_fetch(&claimed[0], Ok(jpeg()))
        .await
        .unwrap();
    assert_eq!(done.state, MediaFetchState::Saved);
    let events = f.desk.store().case_events(&case_id).await.unwrap();
    let attachment: Attachment = events
        .iter()
        .find_map(|e| match &e.data {
            EventData::MediaSaved {
                message_id,
                kind: MediaKind::Image,
                attachment,
            } if *message_id == fetch.message_id => Some(attachment.clone()),
            _ => None,
        })
        .expect("a media_saved event");
    assert_eq!(done.attachment_id.as_deref(), Some(attachment.id.as_str()));
    assert_eq!(attachment.mime, "image/jpeg");
    assert_eq!(attachment.name, "parcel.jpg");
    let stored = f
        .desk
        .attachment(&attachment.id)
        .await
        .unwrap()
        .expect("the bytes");
    assert_eq!((stored.bytes.as_slice(), &stored.case_id), (JPEG, &case_id));
    // Saved is final: the lease running out gives nobody anything to claim.
    f.clock.advance(SignedDuration::from_hours(1));
    assert!(f.desk.claim_media_fetches(10).await.unwrap().is_empty());
    let kept = f
        .desk
        .store()
        .media_fetches_of_case(&case_id)
        .await
        .unwrap();
    assert_eq!(kept, vec![done]);
}

pub async fn media_fetches_retry_then_give_up_with_a_note(store: Arc<dyn Store>) {
    let f = fixture(store).await;
    let id = account(&f).await;
    let taken = f
        .desk
        .receive_wechat(&id, &signed(&f), &voice(200, "VOICE_A", &f))
        .await
        .unwrap()
        .unwrap();
    let case_id = taken.case_id.unwrap();
    let events_before = f.desk.store().case_events(&case_id).await.unwrap().len();
    let claimed = f.desk.claim_media_fetches(10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let retry = f
        .desk
        .finish_media_fetch(
            &claimed[0],
            Err(MediaFailure::Temporary("WeChat is busy".into())),
        )
        .await
        .unwrap();
    assert_eq!((retry.state, retry.attempts), (MediaFetchState::Pending, 1));
    assert_eq!(
        f.desk.store().case_events(&case_id).await.unwrap().len(),
        events_before,
        "a retry changes nothing on the case"
    );
    assert!(f.desk.claim_media_fetches(10).await.unwrap().is_empty());
    f.clock.advance(SignedDuration::from_mins(1));
    let again = f.desk.claim_media_fetches(10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    // A web page where a voice message should be: refused, and a person is told.
    let page = Media {
        bytes: b"<html>error</html>".to_vec(),
        content_type: Some("text/html".into()),
        filename: None,
    };
    let failed = f
        .desk
        .finish_media_fetch(&again[0], Ok(page))
        .await
        .unwrap();
    assert_eq!(failed.state, MediaFetchState::Failed);
    let events = f.desk.store().case_events(&case_id).await.unwrap();
    let note = events
        .iter()
        .find_map(|e| match &e.data {
            EventData::MessageAdded {
                body,
                visibility: Visibility::Internal,
                ..
            } => Some(body.clone()),
            _ => None,
        })
        .expect("an internal note");
    assert!(note.starts_with("语音未能保存：收到的不是语音"), "{note}");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e.data, EventData::MediaSaved { .. }))
    );
    f.clock.advance(SignedDuration::from_hours(1));
    assert!(f.desk.claim_media_fetches(10).await.unwrap().is_empty());

    // A picture that waited past WeChat's 3 days is not asked for any more.
    let late = f
        .desk
        .receive_wechat(&id, &signed(&f), &image(201, "MEDIA_LATE", &f))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(late.case_id.as_ref(), Some(&case_id), "joins the open case");
    f.clock.advance(SignedDuration::from_hours(72));
    let stale = f.desk.claim_media_fetches(10).await.unwrap();
    assert_eq!(stale.len(), 1);
    let reason = f.desk.media_source(&stale[0]).await.unwrap_err();
    assert_eq!(reason, EXPIRED_REASON);
    let given_up = f
        .desk
        .finish_media_fetch(&stale[0], Err(MediaFailure::Permanent(reason)))
        .await
        .unwrap();
    assert_eq!(given_up.state, MediaFetchState::Failed);
    let events = f.desk.store().case_events(&case_id).await.unwrap();
    assert!(events.iter().any(|e| matches!(&e.data,
        EventData::MessageAdded { body, visibility: Visibility::Internal, .. }
            if body.starts_with("图片未能保存：已超过微信保存文件的 3 天"))));
}

/// Two nodes claiming at the same moment: each download goes to one of them.
pub async fn two_nodes_claim_each_media_fetch_once(store: Arc<dyn Store>) {
    let f = fixture(store).await;
    let id = account(&f).await;
    for n in 0..6u64 {
        // Six customers, six pictures.
        let body = image(300 + n, &format!("MEDIA_{n}"), &f).replace("oPhoto", &format!("o{n}"));
        f.desk
            .receive_wechat(&id, &signed(&f), &body)
            .await
            .unwrap()
            .unwrap();
    }
    let other = f.desk.another_node();
    let (a, b) = tokio::join!(f.desk.claim_media_fetches(4), other.claim_media_fetches(4));
    let mut ids: Vec<String> = a
        .unwrap()
        .into_iter()
        .chain(b.unwrap())
        .map(|m| m.id)
        .collect();
    let claimed = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), claimed, "no download claimed twice");
    let rest = f.desk.claim_media_fetches(10).await.unwrap();
    assert_eq!(claimed + rest.len(), 6, "and none lost");
}

/// A download still pending at the source is pending at the target, without its lease.
pub async fn media_fetches_survive_export_import(store: Arc<dyn Store>, target: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let id = account(&f).await;
    let taken = f
        .desk
        .receive_wechat(&id, &signed(&f), &image(300, "MEDIA_MOVED", &f))
        .await
        .unwrap()
        .unwrap();
    let case_id = taken.case_id.clone().unwrap();
    let lines = crate::dump(store.as_ref()).await;
    let imported = crate::import_into(store.as_ref(), target.as_ref()).await;
    assert_eq!(imported, lines);
    assert_eq!(crate::dump(target.as_ref()).await, lines, "nothing lost");
    let moved = target.media_fetches_of_case(&case_id).await.unwrap();
    assert_eq!(moved, store.media_fetches_of_case(&case_id).await.unwrap());
    assert_eq!(moved[0].state, MediaFetchState::Pending);
}
