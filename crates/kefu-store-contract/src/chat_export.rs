//! Contract checks for live chat and routing data in the dump: conversations, attachments and
//! presence travel with export/import, and the derived columns of the rows they hang off
//! (customers' name key, cases' department deadline) are rebuilt on the way in.

use std::sync::Arc;

use base64::Engine as _;
use jiff::SignedDuration;
use kefu_desk::Store;
use kefu_model::attachment::NewAttachment;
use kefu_model::chat::{Audience, ChatSend, ChatStart};
use kefu_model::drafts::CasePatch;
use kefu_model::records::CustomerQuery;
use kefu_model::routing::{Presence, PresenceDraft, Skills};
use kefu_model::{Case, Channel, EventData};

use crate::{Fixture, dump, import_into, sla_fixture};

/// A 1×1 transparent PNG: small, and a real image, so the type check on its first bytes passes.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// A chat with an image, read marks on both sides and a department deadline, and an agent's
/// presence: exported, imported into a fresh store, they open and read the same, and
/// exporting the import gives the same dump.
pub async fn chat_and_presence_survive_export_import(
    store: Arc<dyn Store>,
    target: Arc<dyn Store>,
) {
    let f = sla_fixture(store.clone()).await;
    let started = f
        .desk
        .start_chat(ChatStart {
            name: Some("Ma Xiaoling".into()),
            phone: Some("13912345678".into()),
            ..ChatStart::default()
        })
        .await
        .unwrap();
    let conversation = f.desk.chat_by_token(&started.token).await.unwrap();
    f.clock.advance(SignedDuration::from_secs(5));
    let ack = f
        .desk
        .chat_customer_send(
            &conversation,
            ChatSend {
                client_id: "c-1".into(),
                body: "包裹外箱破了，您看看".into(),
                attachments: vec![NewAttachment {
                    name: "box.png".into(),
                    mime: "image/png".into(),
                    data: PNG.into(),
                }],
            },
        )
        .await
        .unwrap();
    f.desk
        .chat_mark_read(&conversation, Audience::Staff, ack.seq)
        .await
        .unwrap();
    f.desk
        .chat_mark_read(&conversation, Audience::Customer, ack.seq - 1)
        .await
        .unwrap();
    // With the marks moved, the stored document's copy of them is stale: the dump must carry
    // the columns.
    let conversation = f.desk.chat_by_token(&started.token).await.unwrap();
    assert_eq!(
        (conversation.staff_read_seq, conversation.customer_read_seq),
        (ack.seq, ack.seq - 1)
    );
    let attachment_id = store
        .case_events(&started.case_id)
        .await
        .unwrap()
        .iter()
        .find_map(|e| match &e.data {
            EventData::MessageAdded { attachments, .. } if !attachments.is_empty() => {
                Some(attachments[0].id.clone())
            }
            _ => None,
        })
        .expect("the message names its image");
    let image = f
        .desk
        .chat_attachment(&started.case_id, &attachment_id)
        .await
        .unwrap();
    assert_eq!(
        image.bytes,
        base64::engine::general_purpose::STANDARD
            .decode(PNG)
            .unwrap()
    );
    // A department deadline on the chat case (cases.department_due_at, migration 0008).
    f.desk
        .update_case(
            &f.agent,
            started.case_id.as_str(),
            CasePatch {
                department: Some(Some("ops".into())),
                department_due_at: Some(f.desk.now() + SignedDuration::from_hours(2)),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    // More images than one export chunk of attachments holds, so paging through them is
    // part of the round trip.
    for i in 0..4 {
        f.clock.advance(SignedDuration::from_secs(1));
        f.desk
            .chat_customer_send(
                &conversation,
                ChatSend {
                    client_id: format!("c-more-{i}"),
                    body: String::new(),
                    attachments: (0..4)
                        .map(|j| NewAttachment {
                            name: format!("photo-{i}-{j}.png"),
                            mime: "image/png".into(),
                            data: PNG.into(),
                        })
                        .collect(),
                },
            )
            .await
            .unwrap();
    }
    let presence = f
        .desk
        .set_presence(
            &f.agent,
            PresenceDraft {
                presence: Some(Presence::Online),
                max_chats: Some(5),
                max_open_cases: Some(12),
                skills: Some(Skills {
                    channels: vec![Channel::Chat],
                    languages: vec!["zh".into()],
                    ..Skills::default()
                }),
            },
        )
        .await
        .unwrap();

    let lines = dump(store.as_ref()).await;
    for (table, rows) in [
        ("chat_conversation", 1),
        ("attachment", 1 + 4 * 4),
        ("agent_presence", 1),
    ] {
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.starts_with(&format!("{{\"table\":\"{table}\"")))
                .count(),
            rows,
            "{table} rows exported"
        );
    }
    assert!(
        1 + 4 * 4 > kefu_model::export::ExportTable::Attachments.chunk_size(),
        "attachments span more than one chunk"
    );
    let position = |table: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(&format!("{{\"table\":\"{table}\"")))
            .unwrap()
    };
    assert!(position("user") < position("agent_presence"));
    assert!(position("case_event") < position("chat_conversation"));
    assert!(position("chat_conversation") < position("attachment"));

    let imported = import_into(store.as_ref(), target.as_ref()).await;
    assert_eq!(imported, lines);
    assert_eq!(
        dump(target.as_ref()).await,
        lines,
        "exporting the import gives the same dump"
    );

    let g = Fixture {
        desk: f.desk.on_store(target.clone()),
        clock: f.clock.clone(),
        admin: f.admin.clone(),
        agent: f.agent.clone(),
    };
    let reopened = g.desk.chat_by_token(&started.token).await.unwrap();
    assert_eq!(
        reopened, conversation,
        "the same token opens it, marks and all"
    );
    assert_eq!(
        g.desk
            .chat_attachment(&started.case_id, &attachment_id)
            .await
            .unwrap(),
        image
    );
    assert_eq!(g.desk.presence(&g.agent).await.unwrap(), presence);
    assert_eq!(
        target.agent_profiles().await.unwrap(),
        store.agent_profiles().await.unwrap()
    );
    // Replay after a reconnect continues where it left off.
    assert_eq!(
        target
            .case_events_after(&started.case_id, ack.seq - 1, 10)
            .await
            .unwrap(),
        store
            .case_events_after(&started.case_id, ack.seq - 1, 10)
            .await
            .unwrap()
    );
    // The derived columns are rebuilt as a normal write sets them: the name search finds the
    // chat's customer, the department inbox and its timer hold the deadline.
    let by_name = |s: Arc<dyn Store>| async move {
        s.list_customers(&CustomerQuery {
            name: Some("xiaoling".into()),
            limit: 10,
            ..CustomerQuery::default()
        })
        .await
        .unwrap()
        .items
    };
    let found = by_name(target.clone()).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found, by_name(store.clone()).await);
    let inbox_ids = |cases: &[Case]| cases.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    let inbox = g
        .desk
        .department_inbox(&g.admin, Some("ops"), None)
        .await
        .unwrap();
    assert_eq!(inbox_ids(&inbox.cases), vec![started.case_id.clone()]);
    assert_eq!(
        inbox_ids(&inbox.cases),
        inbox_ids(
            &f.desk
                .department_inbox(&f.admin, Some("ops"), None)
                .await
                .unwrap()
                .cases
        )
    );
    assert_eq!(
        target.next_timer_due().await.unwrap(),
        store.next_timer_due().await.unwrap()
    );
    assert!(target.next_timer_due().await.unwrap().is_some());
}
