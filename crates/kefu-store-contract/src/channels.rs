//! Contract checks for the e-mail channel: a mail becomes a case once, answers thread into it,
//! robots are never answered, what cannot be read is kept; a public reply is queued with its
//! event, claimed by one worker at a time, retried with backoff and finished with an event.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_desk::Store;
use kefu_model::channels::{
    AttemptResult, ChannelSecrets, ChannelStatus, DeliveryState, EmailAccountDraft, InboundOutcome,
    InboundRecord, TeamSignature,
};
use kefu_model::drafts::MessageDraft;
use kefu_model::export::{self, ExportRecord};
use kefu_model::notices::NoticeKind;
use kefu_model::records::CaseQuery;
use kefu_model::{Channel, DomainError, EventData, Visibility};

use crate::{Fixture, fixture, start_time};

fn mailbox(name: &str, address: &str) -> EmailAccountDraft {
    EmailAccountDraft {
        name: name.into(),
        enabled: true,
        address: address.into(),
        display_name: "云路快递客服".into(),
        imap_host: "imap.yunlu.example".into(),
        imap_username: "kefu".into(),
        imap_password: Some("imap-secret".into()),
        smtp_host: "smtp.yunlu.example".into(),
        signature: "云路快递客服中心 95000".into(),
        ..EmailAccountDraft::default()
    }
}

/// A plain UTF-8 mail; `extra` adds headers (threading).
pub fn customer_mail(
    message_id: &str,
    from: &str,
    subject: &str,
    body: &str,
    extra: &str,
) -> Vec<u8> {
    format!(
        "From: 王先生 <{from}>\r\nTo: kefu@yunlu.example\r\nSubject: {subject}\r\n\
         Message-ID: <{message_id}>\r\n{extra}Date: Tue, 24 Nov 2026 09:30:00 +0800\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

async fn case_count(f: &Fixture) -> i64 {
    f.desk
        .store()
        .count_cases(&CaseQuery::default())
        .await
        .unwrap()
}

async fn reply(f: &Fixture, case: &str, body: &str) {
    f.desk
        .add_message(
            &f.agent,
            case,
            MessageDraft {
                body: body.into(),
                visibility: Visibility::Public,
                from_customer: false,
                call: false,
            },
        )
        .await
        .unwrap();
}

/// A mail opens a case for its sender (joined by address), linked to the waybill it names;
/// the same mail again changes nothing; an answer to our reply (In-Reply-To) and a mail with
/// the case number in its subject from the same sender join the case, the same subject from a
/// stranger does not; auto-replies and bounces open nothing; unreadable mail is kept raw.
pub async fn mail_opens_a_case_once_and_answers_join_it(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let account = f
        .desk
        .create_email_account(&f.admin, mailbox("客服邮箱", "kefu@yunlu.example"))
        .await
        .unwrap();
    assert!(account.secret_is_set("imap_password") && !account.secret_is_set("smtp_password"));
    let id = account.account.id.clone();
    let first = customer_mail(
        "m1@mail.example.cn",
        "wang@example.cn",
        "快递破损",
        "您好，运单 SF1234567890123 收到时外箱破损，杯子碎了。",
        "",
    );
    let created = f.desk.receive_mail(&id, &first).await.unwrap();
    assert_eq!(created.outcome, InboundOutcome::Created);
    assert!(!created.duplicate);
    let case_id = created.case_id.clone().unwrap();
    let case = f.desk.get_case(&f.agent, case_id.as_str()).await.unwrap();
    assert_eq!(case.channel, Channel::Email);
    assert_eq!(case.subject, "快递破损");
    assert_eq!(case.waybill_nos, vec!["SF1234567890123".to_string()]);
    assert_eq!(created.case_number.as_deref(), Some(case.number.as_str()));
    let customer = store
        .customer_by_id(&case.customer_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(customer.emails[0].as_str(), "wang@example.cn");
    assert_eq!(customer.name, "王先生");

    let again = f.desk.receive_mail(&id, &first).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(again.case_id.as_ref(), Some(&case_id));
    assert_eq!(case_count(&f).await, 1);

    // The receipt: an automatic mail with the case number, threaded under the customer's.
    let receipts = store.deliveries_of_case(&case_id).await.unwrap();
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].notice, Some(NoticeKind::Received));
    let receipt_headers = receipts[0].mail.clone().unwrap();
    assert_eq!(
        receipt_headers.in_reply_to.as_deref(),
        Some("m1@mail.example.cn")
    );
    let receipt_mail = f.desk.outgoing_mail(&receipts[0]).await.unwrap();
    let receipt_raw = String::from_utf8_lossy(&receipt_mail.raw).to_string();
    assert!(
        receipt_raw.contains("Auto-Submitted: auto-generated"),
        "{receipt_raw}"
    );

    // Our reply, then the customer's answer to it (threaded by our Message-ID).
    reply(&f, case_id.as_str(), "您好，已为您登记破损理赔。").await;
    let queued: Vec<_> = store
        .deliveries_of_case(&case_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.notice.is_none())
        .collect();
    assert_eq!(queued.len(), 1);
    let headers = queued[0].mail.clone().unwrap();
    assert!(
        headers.subject.contains(&case.number),
        "{}",
        headers.subject
    );
    assert_eq!(headers.in_reply_to.as_deref(), Some("m1@mail.example.cn"));
    // Every mail on the case so far: the receipt and the customer's.
    assert_eq!(
        headers.references,
        vec![
            receipt_headers.message_id.clone(),
            "m1@mail.example.cn".to_string()
        ]
    );
    assert_eq!(queued[0].to, "wang@example.cn");
    let answer = customer_mail(
        "m2@mail.example.cn",
        "wang@example.cn",
        &format!("回复：{}", headers.subject),
        "好的，谢谢。\r\n\r\n> 您好，已为您登记破损理赔。",
        &format!("In-Reply-To: <{}>\r\n", headers.message_id),
    );
    let joined = f.desk.receive_mail(&id, &answer).await.unwrap();
    assert_eq!(joined.outcome, InboundOutcome::Joined);
    assert_eq!(joined.case_id.as_ref(), Some(&case_id));
    let events = f
        .desk
        .case_events(&f.agent, case_id.as_str())
        .await
        .unwrap();
    let last_customer_words = events
        .iter()
        .rev()
        .find_map(|e| match &e.data {
            EventData::MessageAdded {
                body, author_kind, ..
            } if author_kind == "customer" => Some(body.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(last_customer_words, "好的，谢谢。");
    assert!(events.iter().any(|e| e.actor == "customer:email"));

    // The case number in the subject: the case's customer joins, a stranger does not.
    let by_number = customer_mail(
        "m3@mail.example.cn",
        "wang@example.cn",
        &format!("[{}] 补充照片", case.number),
        "补充一下：外箱右下角压坏。",
        "",
    );
    let joined = f.desk.receive_mail(&id, &by_number).await.unwrap();
    assert_eq!(joined.case_id.as_ref(), Some(&case_id));
    let stranger = customer_mail(
        "m4@other.example",
        "li@other.example",
        &format!("[{}] 我也要投诉", case.number),
        "我的快递也坏了。",
        "",
    );
    let other = f.desk.receive_mail(&id, &stranger).await.unwrap();
    assert_eq!(other.outcome, InboundOutcome::Created);
    assert_ne!(other.case_id.as_ref(), Some(&case_id));
    assert_eq!(case_count(&f).await, 2);

    // Robots and garbage open nothing; garbage is kept raw for a person.
    let auto = customer_mail(
        "auto-1@example.cn",
        "wang@example.cn",
        "自动回复：快递破损",
        "我正在休假，将于下周回复。",
        "Auto-Submitted: auto-replied\r\n",
    );
    let ignored = f.desk.receive_mail(&id, &auto).await.unwrap();
    assert_eq!(ignored.outcome, InboundOutcome::AutoReply);
    assert_eq!(ignored.case_id, None);
    let garbage = b"\x00\x01 not a mail at all";
    let kept = f.desk.receive_mail(&id, garbage).await.unwrap();
    assert_eq!(kept.outcome, InboundOutcome::Unparsed);
    let unparsed = f
        .desk
        .inbound_messages(&f.admin, Some(InboundOutcome::Unparsed), None)
        .await
        .unwrap();
    assert_eq!(unparsed.len(), 1);
    assert!(unparsed[0].raw_base64.is_some());
    assert_eq!(case_count(&f).await, 2);
    let all = f.desk.inbound_messages(&f.admin, None, None).await.unwrap();
    assert_eq!(all.len(), 6, "{all:?}");
    assert_eq!(case_count(&f).await, 2);
    // A control character in the sender's name (a bell, encoded) is dropped, not refused:
    // a mail the desk refused would be fetched again for ever.
    let bell = b"From: =?UTF-8?Q?=E7=8E=8B=07=E5=85=88=E7=94=9F?= <bell@example.cn>\r\n\
        To: kefu@yunlu.example\r\nSubject: =?UTF-8?Q?=E5=82=AC=07=E4=BB=B6?=\r\n\
        Message-ID: <bell-1@example.cn>\r\n\r\nhello\r\n";
    let rung = f.desk.receive_mail(&id, bell).await.unwrap();
    assert_eq!(rung.outcome, InboundOutcome::Created, "{rung:?}");
    let case = f
        .desk
        .get_case(&f.agent, rung.case_id.unwrap().as_str())
        .await
        .unwrap();
    let customer = store
        .customer_by_id(&case.customer_id)
        .await
        .unwrap()
        .unwrap();
    for taken in [&case.subject, &customer.name] {
        assert!(!taken.chars().any(char::is_control), "{taken:?}");
    }
    assert!(case.subject.starts_with('催') && customer.name.starts_with('王'));

    // Only supervisors and admins see the intake; only admins the accounts.
    let refused = f.desk.inbound_messages(&f.agent, None, None).await;
    assert!(matches!(refused, Err(DomainError::Forbidden(_))));
    let refused = f.desk.channel_accounts(&f.agent).await;
    assert!(matches!(refused, Err(DomainError::Forbidden(_))));
}

/// What could not be read waits for an admin: the original downloads (audited); reading it
/// again either takes it in as a new mail would be (a case, the receipt; `retaken`) or leaves
/// it waiting with the new reason; dismissing needs a reason and keeps it findable. A message
/// already settled is not acted on twice, and only admins act.
pub async fn unreadable_mail_is_read_again_or_dismissed_by_an_admin(store: Arc<dyn Store>) {
    use base64::Engine as _;
    let f = fixture(store.clone()).await;
    let id = f
        .desk
        .create_email_account(&f.admin, mailbox("客服邮箱", "kefu@yunlu.example"))
        .await
        .unwrap()
        .account
        .id;
    let garbage = b"\x00\x01 not a mail at all";
    f.desk.receive_mail(&id, garbage).await.unwrap();
    let waiting = f
        .desk
        .inbound_messages(&f.admin, Some(InboundOutcome::Unparsed), None)
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1);
    let garbage_key = waiting[0].dedupe_key.clone();

    // A mail an older parser could not read, kept raw: today it reads.
    let readable = customer_mail(
        "retake-1@example.cn",
        "li@example.cn",
        "快递丢了",
        "运单 SF1234567890123 一直没到。",
        "",
    );
    let old_key = "sha256:0123456789abcdef".to_string();
    let kept = InboundRecord {
        channel: Channel::Email,
        dedupe_key: old_key.clone(),
        account_id: id.clone(),
        received_at: start_time(),
        outcome: InboundOutcome::Unparsed,
        case_id: None,
        from: String::new(),
        reply_to: String::new(),
        thread_id: None,
        subject: String::new(),
        detail: "an old parser's complaint".into(),
        raw_base64: Some(base64::engine::general_purpose::STANDARD.encode(&readable)),
        handled: None,
    };
    assert!(store.record_inbound(&kept, &[]).await.unwrap());

    // Only admins act.
    for actor in [&f.agent] {
        let refused = f.desk.retake_inbound(actor, &old_key).await;
        assert!(
            matches!(refused, Err(DomainError::Forbidden(_))),
            "{refused:?}"
        );
        let refused = f.desk.dismiss_inbound(actor, &old_key, "spam").await;
        assert!(
            matches!(refused, Err(DomainError::Forbidden(_))),
            "{refused:?}"
        );
        let refused = f.desk.inbound_original(actor, &old_key).await;
        assert!(
            matches!(refused, Err(DomainError::Forbidden(_))),
            "{refused:?}"
        );
    }
    let unknown = f.desk.retake_inbound(&f.admin, "sha256:nothing").await;
    assert!(
        matches!(unknown, Err(DomainError::NotFound(_))),
        "{unknown:?}"
    );

    // The original, byte for byte, and the download is on record.
    let (_, raw) = f
        .desk
        .inbound_original(&f.admin, &garbage_key)
        .await
        .unwrap();
    assert_eq!(raw, garbage);
    let audit = store
        .audit_entries(Some(&format!("inbound:{garbage_key}")), 10)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "inbound.download");

    // Read again: it reads now, and is taken in as a new mail.
    let cases_before = case_count(&f).await;
    let retake = f.desk.retake_inbound(&f.admin, &old_key).await.unwrap();
    let receipt = retake.receipt.unwrap();
    assert_eq!(receipt.outcome, InboundOutcome::Created);
    assert!(!receipt.duplicate);
    let case_id = receipt.case_id.unwrap();
    assert_eq!(case_count(&f).await, cases_before + 1);
    let case = f.desk.get_case(&f.admin, case_id.as_str()).await.unwrap();
    assert_eq!(case.subject, "快递丢了");
    assert_eq!(case.channel, Channel::Email);
    let deliveries = f
        .desk
        .case_deliveries(&f.admin, case_id.as_str())
        .await
        .unwrap();
    assert_eq!(deliveries.len(), 1, "the receipt: {deliveries:?}");
    assert_eq!(retake.record.outcome, InboundOutcome::Retaken);
    assert_eq!(retake.record.case_id.as_ref(), Some(&case_id));
    let handled = retake.record.handled.clone().unwrap();
    assert_eq!(handled.by, f.admin.event_name());
    let stored = store
        .inbound_record(Channel::Email, &old_key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, retake.record);
    assert!(stored.raw_base64.is_some(), "the original stays kept");
    // The mail itself is on record under its Message-ID, as any mail taken in.
    let taken = store
        .inbound_record(Channel::Email, "retake-1@example.cn")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.case_id.as_ref(), Some(&case_id));
    // Settled once: a second admin's retake or dismissal is a conflict and changes nothing.
    let again = f.desk.retake_inbound(&f.admin, &old_key).await;
    assert!(
        matches!(
            again,
            Err(DomainError::Conflict {
                code: "already_handled",
                ..
            })
        ),
        "{again:?}"
    );
    let again = f.desk.dismiss_inbound(&f.admin, &old_key, "spam").await;
    assert!(
        matches!(again, Err(DomainError::Conflict { .. })),
        "{again:?}"
    );
    assert_eq!(case_count(&f).await, cases_before + 1);

    // Garbage still does not read: it stays waiting, with the parser's reason.
    let retake = f.desk.retake_inbound(&f.admin, &garbage_key).await.unwrap();
    assert!(retake.receipt.is_none());
    assert_eq!(retake.record.outcome, InboundOutcome::Unparsed);
    assert!(!retake.record.detail.is_empty());
    assert_eq!(case_count(&f).await, cases_before + 1);

    // Dismissed only with a reason; then it leaves the list to look at and is found as
    // dismissed, with its reason.
    let blank = f.desk.dismiss_inbound(&f.admin, &garbage_key, "  ").await;
    assert!(
        matches!(blank, Err(DomainError::Invalid { .. })),
        "{blank:?}"
    );
    let dismissed = f
        .desk
        .dismiss_inbound(&f.admin, &garbage_key, "乱码，发件人不明")
        .await
        .unwrap();
    assert_eq!(dismissed.outcome, InboundOutcome::Dismissed);
    assert_eq!(dismissed.handled.unwrap().reason, "乱码，发件人不明");
    let waiting = f
        .desk
        .inbound_messages(&f.admin, Some(InboundOutcome::Unparsed), None)
        .await
        .unwrap();
    assert!(waiting.is_empty(), "{waiting:?}");
    let set_aside = f
        .desk
        .inbound_messages(&f.admin, Some(InboundOutcome::Dismissed), None)
        .await
        .unwrap();
    assert_eq!(set_aside.len(), 1);
    assert_eq!(set_aside[0].dedupe_key, garbage_key);
    let again = f.desk.retake_inbound(&f.admin, &garbage_key).await;
    assert!(
        matches!(again, Err(DomainError::Conflict { .. })),
        "{again:?}"
    );
    let mut actions: Vec<String> = store
        .audit_entries(Some(&format!("inbound:{garbage_key}")), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    actions.sort();
    assert_eq!(
        actions,
        ["inbound.dismiss", "inbound.download", "inbound.retake"]
    );
}

/// A reply is claimed by one worker at a time; a temporary failure is an event and a retry a
/// minute later, success an event; a reply on an e-mail case with no mailbox fails at once
/// and visibly; a bounce of a sent reply marks it failed on the case.
pub async fn replies_are_delivered_once_retried_and_visible(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let id = f
        .desk
        .create_email_account(&f.admin, mailbox("客服邮箱", "kefu@yunlu.example"))
        .await
        .unwrap()
        .account
        .id;
    let mail = customer_mail(
        "d1@example.cn",
        "zhao@example.cn",
        "改地址",
        "请把地址改到公司。",
        "",
    );
    let case_id = f
        .desk
        .receive_mail(&id, &mail)
        .await
        .unwrap()
        .case_id
        .unwrap();
    // The receipt goes first.
    let receipt = f.desk.claim_deliveries(10).await.unwrap();
    assert_eq!(receipt.len(), 1);
    assert_eq!(receipt[0].notice, Some(NoticeKind::Received));
    f.desk
        .finish_delivery(&receipt[0], AttemptResult::Sent)
        .await
        .unwrap();
    reply(&f, case_id.as_str(), "已为您提交改址。").await;

    let claimed = f.desk.claim_deliveries(10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(
        f.desk.claim_deliveries(10).await.unwrap().is_empty(),
        "leased"
    );
    let outgoing = f.desk.outgoing_mail(&claimed[0]).await.unwrap();
    let raw = String::from_utf8_lossy(&outgoing.raw).to_string();
    assert!(raw.contains("In-Reply-To: <d1@example.cn>"), "{raw}");
    assert_eq!(outgoing.envelope_to, vec!["zhao@example.cn".to_string()]);
    assert_eq!(outgoing.server.host, "smtp.yunlu.example");

    let retry = f
        .desk
        .finish_delivery(&claimed[0], AttemptResult::Temporary("451 busy".into()))
        .await
        .unwrap();
    assert_eq!(retry.state, DeliveryState::Queued);
    assert!(
        f.desk.claim_deliveries(10).await.unwrap().is_empty(),
        "not yet due"
    );
    f.clock.advance(SignedDuration::from_secs(61));
    let again = f.desk.claim_deliveries(10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    let sent = f
        .desk
        .finish_delivery(&again[0], AttemptResult::Sent)
        .await
        .unwrap();
    assert_eq!(sent.state, DeliveryState::Sent);
    let events = f
        .desk
        .case_events(&f.agent, case_id.as_str())
        .await
        .unwrap();
    let failed_then_sent: Vec<&str> = events
        .iter()
        .filter(|e| e.actor == "system:mail")
        .map(|e| e.data.type_name())
        .collect();
    assert_eq!(
        failed_then_sent,
        vec!["delivery_sent", "delivery_failed", "delivery_sent"]
    );
    assert!(f.desk.claim_deliveries(10).await.unwrap().is_empty());

    // The customer's server bounces it later: the case shows the failure and its agent is told.
    f.desk
        .update_case(
            &f.admin,
            case_id.as_str(),
            kefu_model::drafts::CasePatch {
                assignee: Some(Some(f.agent.user_id.to_string())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let headers = sent.mail.clone().unwrap();
    let bounce = format!(
        "From: Mail Delivery System <MAILER-DAEMON@example.cn>\r\nTo: kefu@yunlu.example\r\n\
         Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@example.cn>\r\n\
         Date: Tue, 24 Nov 2026 10:30:00 +0800\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n\
         --b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.cn\r\n\r\n\
         Final-Recipient: rfc822; zhao@example.cn\r\nAction: failed\r\nStatus: 5.1.1\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n\
         --b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{}>\r\nSubject: x\r\n\r\n--b--\r\n",
        headers.message_id
    );
    let bounced = f.desk.receive_mail(&id, bounce.as_bytes()).await.unwrap();
    assert_eq!(bounced.outcome, InboundOutcome::Bounce);
    assert_eq!(bounced.case_id.as_ref(), Some(&case_id));
    let deliveries = store.deliveries_of_case(&case_id).await.unwrap();
    let bounced_reply = deliveries.iter().find(|d| d.id == sent.id).unwrap();
    assert_eq!(bounced_reply.state, DeliveryState::Failed);
    let events = f
        .desk
        .case_events(&f.agent, case_id.as_str())
        .await
        .unwrap();
    let last = events.last().unwrap();
    assert!(
        matches!(&last.data, EventData::DeliveryFailed { error, retry_at: None, .. } if error.contains("5.1.1")),
        "{last:?}"
    );

    let told = store
        .notifications(&f.agent.user_id, true, 10)
        .await
        .unwrap();
    assert!(told.iter().any(|n| n.text.contains("未能送达")), "{told:?}");

    // No mailbox enabled: a reply on an e-mail case says at once it went nowhere.
    let mut off = mailbox("客服邮箱", "kefu@yunlu.example");
    off.enabled = false;
    off.version = Some(1);
    f.desk
        .update_email_account(&f.admin, &id, off)
        .await
        .unwrap();
    reply(&f, case_id.as_str(), "还有其他问题吗？").await;
    let events = f
        .desk
        .case_events(&f.agent, case_id.as_str())
        .await
        .unwrap();
    assert!(matches!(
        &events.last().unwrap().data,
        EventData::DeliveryFailed {
            retry_at: None,
            attempt: 0,
            ..
        }
    ));
    // The receipt and the reply: nothing queued for the mailbox that is gone.
    assert_eq!(store.deliveries_of_case(&case_id).await.unwrap().len(), 2);
}

/// A mailbox survives a move between stores whole: its settings, passwords and reader's
/// position; what came in (unreadable mail with its bytes), so a mail read again is still a
/// duplicate; the mail threads, so the customer's answer to a reply sent before the move joins
/// its case; and the deliveries, without their lease (the new store's worker may claim them).
pub async fn channels_survive_export_import(store: Arc<dyn Store>, target: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let mut draft = mailbox("客服邮箱", "kefu@yunlu.example");
    draft.smtp_username = Some("relay".into());
    draft.smtp_password = Some("smtp-secret".into());
    let id = f
        .desk
        .create_email_account(&f.admin, draft)
        .await
        .unwrap()
        .account
        .id;
    let status = ChannelStatus {
        uid_validity: Some(7),
        last_uid: Some(42),
        last_ok_at: Some(crate::start_time()),
        received: 2,
        ..ChannelStatus::default()
    };
    f.desk.record_mailbox_status(&id, &status).await.unwrap();
    let first = customer_mail(
        "e1@mail.example.cn/part",
        "qian@example.cn",
        "快递丢件",
        "运单 SF1234567890123 三天没有更新了。",
        "",
    );
    let case_id = f
        .desk
        .receive_mail(&id, &first)
        .await
        .unwrap()
        .case_id
        .unwrap();
    let garbage = f
        .desk
        .receive_mail(&id, b"\x00\x01 not a mail at all")
        .await
        .unwrap();
    assert_eq!(garbage.outcome, InboundOutcome::Unparsed);
    reply(&f, case_id.as_str(), "您好，正在为您联系网点。").await;
    // The receipt and the reply.
    let queued = store.deliveries_of_case(&case_id).await.unwrap();
    assert_eq!(queued.len(), 2);
    let our_message_id = queued
        .iter()
        .find(|d| d.notice.is_none())
        .and_then(|d| d.mail.clone())
        .unwrap()
        .message_id;
    // Leased at the source: nobody else may claim them there until the lease runs out.
    assert_eq!(f.desk.claim_deliveries(10).await.unwrap().len(), 2);
    assert!(f.desk.claim_deliveries(10).await.unwrap().is_empty());

    let lines = crate::dump(store.as_ref()).await;
    let records: Vec<ExportRecord> = lines[1..]
        .iter()
        .enumerate()
        .map(|(i, l)| export::parse_record(i + 2, l).unwrap())
        .collect();
    let count = |pred: fn(&ExportRecord) -> bool| records.iter().filter(|r| pred(r)).count();
    assert_eq!(count(|r| matches!(r, ExportRecord::ChannelAccount(_))), 1);
    assert_eq!(count(|r| matches!(r, ExportRecord::InboundMessage(_))), 2);
    // The customer's Message-ID and our two (the receipt, the reply).
    assert_eq!(count(|r| matches!(r, ExportRecord::MailThread(_))), 3);
    assert_eq!(count(|r| matches!(r, ExportRecord::Delivery(_))), 2);

    let imported = crate::import_into(store.as_ref(), target.as_ref()).await;
    assert_eq!(imported, lines);
    assert_eq!(crate::dump(target.as_ref()).await, lines, "nothing lost");
    assert_eq!(
        target.channel_accounts().await.unwrap(),
        store.channel_accounts().await.unwrap()
    );
    let (_, moved_status) = target.channel_account(&id).await.unwrap().unwrap();
    assert_eq!(moved_status, status);
    assert_eq!(
        target.channel_secrets(&id).await.unwrap(),
        Some(ChannelSecrets {
            imap_password: "imap-secret".into(),
            smtp_password: "smtp-secret".into(),
            ..ChannelSecrets::default()
        })
    );
    let intake = target.inbound_records(None, 100).await.unwrap();
    assert_eq!(intake, store.inbound_records(None, 100).await.unwrap());
    assert!(
        intake
            .iter()
            .any(|r| r.outcome == InboundOutcome::Unparsed && r.raw_base64.is_some())
    );
    let thread = target.mail_ids_of_case(&case_id, 100).await.unwrap();
    assert_eq!(thread, store.mail_ids_of_case(&case_id, 100).await.unwrap());
    assert!(
        thread.contains(&"e1@mail.example.cn/part".to_string()),
        "{thread:?}"
    );
    assert!(thread.contains(&our_message_id), "{thread:?}");
    assert_eq!(target.deliveries_of_case(&case_id).await.unwrap(), queued);

    let there = f.desk.on_store(target.clone());
    // Unleased on the target: its worker claims them at once.
    let mut claimed: Vec<String> = there
        .claim_deliveries(10)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    claimed.sort();
    let mut expected: Vec<String> = queued.iter().map(|d| d.id.clone()).collect();
    expected.sort();
    assert_eq!(claimed, expected);
    // The same mail read again is still a duplicate; an answer to our reply joins its case.
    let again = there.receive_mail(&id, &first).await.unwrap();
    assert!(again.duplicate);
    let answer = customer_mail(
        "e2@mail.example.cn",
        "qian@example.cn",
        "回复：快递丢件",
        "好的，等您消息。",
        &format!("In-Reply-To: <{our_message_id}>\r\n"),
    );
    let joined = there.receive_mail(&id, &answer).await.unwrap();
    assert_eq!(joined.outcome, InboundOutcome::Joined);
    assert_eq!(joined.case_id.as_ref(), Some(&case_id));
}

/// A team's signature signs its agents' replies, the mailbox's signs everyone else's; a team
/// must be a department; a change that leaves the team signatures out keeps them.
pub async fn a_teams_signature_signs_its_agents_replies(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let team = TeamSignature {
        department: "service".into(),
        signature: "客服部 · 李客服 · 95000-1".into(),
    };
    let mut draft = mailbox("客服邮箱", "kefu@yunlu.example");
    draft.team_signatures = Some(vec![TeamSignature {
        department: "nobody".into(),
        ..team.clone()
    }]);
    let err = f
        .desk
        .create_email_account(&f.admin, draft.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, DomainError::Invalid { field, .. } if field == "team_signatures[0].department"),
        "{err:?}"
    );
    draft.team_signatures = Some(vec![team.clone()]);
    let created = f
        .desk
        .create_email_account(&f.admin, draft.clone())
        .await
        .unwrap();
    let id = created.account.id.clone();
    // Changed without the team signatures: they stay.
    let mut change = draft.clone();
    change.team_signatures = None;
    change.name = "客服邮箱（新）".into();
    change.version = Some(1);
    let changed = f
        .desk
        .update_email_account(&f.admin, &id, change)
        .await
        .unwrap();
    assert_eq!(
        changed.account.email().unwrap().team_signatures,
        vec![team.clone()]
    );

    let mail = customer_mail(
        "sig-1@example.cn",
        "sun@example.cn",
        "查件",
        "帮我查一下。",
        "",
    );
    let case_id = f
        .desk
        .receive_mail(&id, &mail)
        .await
        .unwrap()
        .case_id
        .unwrap();
    reply(&f, case_id.as_str(), "您好，包裹在派送中。").await;
    f.desk
        .add_message(
            &f.admin,
            case_id.as_str(),
            MessageDraft {
                body: "补充：预计今天送达。".into(),
                visibility: Visibility::Public,
                from_customer: false,
                call: false,
            },
        )
        .await
        .unwrap();
    let replies: Vec<_> = store
        .deliveries_of_case(&case_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.notice.is_none())
        .collect();
    assert_eq!(replies.len(), 2);
    let signature_of = |body: &str| {
        replies
            .iter()
            .find(|d| d.body == body)
            .and_then(|d| d.mail.clone())
            .and_then(|m| m.signature)
    };
    assert_eq!(
        signature_of("您好，包裹在派送中。").as_deref(),
        Some("客服部 · 李客服 · 95000-1"),
        "the agent's team"
    );
    assert_eq!(
        signature_of("补充：预计今天送达。").as_deref(),
        Some("云路快递客服中心 95000"),
        "the admin has no team: the mailbox's"
    );
    let agents = replies
        .iter()
        .find(|d| d.body == "您好，包裹在派送中。")
        .unwrap();
    let outgoing = f.desk.outgoing_mail(agents).await.unwrap();
    let text = kefu_mail::parse_inbound(&outgoing.raw).unwrap().body_text;
    assert!(text.contains("客服部 · 李客服 · 95000-1"), "{text}");
    assert!(!text.contains("云路快递客服中心"), "{text}");
}
