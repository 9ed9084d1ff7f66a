//! Chat conversations and routing, on every backend: messages stored once and replayed in
//! order, read marks that only move forward, waiting work routed to the least-loaded agent,
//! overflow and callbacks when nobody is free.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_desk::Store;
use kefu_model::chat::{Audience, ChatFrame, ChatSend, ChatStart};
use kefu_model::routing::{Decision, Presence, PresenceDraft};
use kefu_model::{Actor, Channel, Role};

use crate::{customer, draft, fixture};

fn send(client_id: &str, body: &str) -> ChatSend {
    ChatSend {
        client_id: client_id.into(),
        body: body.into(),
        attachments: Vec::new(),
    }
}

fn online(max_open_cases: u32, max_chats: u32) -> PresenceDraft {
    PresenceDraft {
        presence: Some(Presence::Online),
        max_chats: Some(max_chats),
        max_open_cases: Some(max_open_cases),
        skills: None,
    }
}

pub async fn chat_messages_are_stored_once_and_replayed_in_order(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let started = f.desk.start_chat(ChatStart::default()).await.unwrap();
    let conversation = f.desk.chat_by_token(&started.token).await.unwrap();
    assert!(f.desk.chat_by_token("not-the-token").await.is_err());
    let first = f
        .desk
        .chat_customer_send(&conversation, send("c-1", "在吗"))
        .await
        .unwrap();
    assert!(!first.duplicate);
    // The same message again (the acknowledgement was lost): the same seq, nothing stored.
    let again = f
        .desk
        .chat_customer_send(&conversation, send("c-1", "在吗"))
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.seq, first.seq);
    // Ids that differ only where a pattern would see a wildcard are different messages.
    let underscore = f
        .desk
        .chat_customer_send(&conversation, send("m_1", "第一条"))
        .await
        .unwrap();
    let lookalike = f
        .desk
        .chat_customer_send(&conversation, send("mx1", "第二条"))
        .await
        .unwrap();
    assert!(!underscore.duplicate && !lookalike.duplicate);
    assert_ne!(underscore.seq, lookalike.seq);
    assert_eq!(
        store
            .messages_with_client_id(&started.case_id, "m_1")
            .await
            .unwrap()
            .len(),
        1
    );
    let reply = f
        .desk
        .chat_staff_send(
            &f.agent,
            started.case_id.as_str(),
            send("a-1", "您好"),
            kefu_model::Visibility::Public,
        )
        .await
        .unwrap();
    assert!(reply.seq > first.seq);
    let all = f
        .desk
        .chat_frames(&started.case_id, 0, Audience::Customer)
        .await
        .unwrap();
    let bodies: Vec<&str> = all
        .iter()
        .filter_map(|fr| match fr {
            ChatFrame::Message { body, .. } => Some(body.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(bodies.len(), 5, "{bodies:?}");
    assert_eq!(&bodies[1..], &["在吗", "第一条", "第二条", "您好"]);
    let seqs: Vec<i64> = all.iter().map(ChatFrame::seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    // After a seq: only what came later.
    let later = f
        .desk
        .chat_frames(&started.case_id, first.seq, Audience::Customer)
        .await
        .unwrap();
    let later_seqs: Vec<i64> = later.iter().map(ChatFrame::seq).collect();
    assert_eq!(later_seqs, vec![underscore.seq, lookalike.seq, reply.seq]);
    // Read marks move forward only.
    assert_eq!(
        f.desk
            .chat_mark_read(&conversation, Audience::Customer, reply.seq)
            .await
            .unwrap(),
        reply.seq
    );
    assert_eq!(
        f.desk
            .chat_mark_read(&conversation, Audience::Customer, first.seq)
            .await
            .unwrap(),
        reply.seq
    );
    // The case is a chat case with the whole history as events.
    let case = f
        .desk
        .get_case(&f.agent, started.case_id.as_str())
        .await
        .unwrap();
    assert_eq!(case.channel, Channel::Chat);
    let replayed = kefu_model::Case::replay(&store.case_events(&case.id).await.unwrap()).unwrap();
    assert_eq!(replayed, case);
}

async fn second_agent(f: &crate::Fixture, name: &str) -> Actor {
    let user = f
        .desk
        .create_user(
            Some(&f.admin),
            kefu_model::drafts::UserDraft {
                username: name.into(),
                password: "agent-password".into(),
                role: Role::Agent,
                display_name: None,
                department: Some("service".into()),
            },
        )
        .await
        .unwrap();
    Actor::of(&user)
}

pub async fn routing_gives_waiting_work_to_the_least_loaded_agent(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let other = second_agent(&f, "agent02").await;
    // Nobody online: nothing moves.
    for i in 0..3 {
        f.desk
            .create_case(
                &f.agent,
                draft(&format!("来电咨询 {i}"), customer("张三", "13800138000")),
                None,
            )
            .await
            .unwrap();
    }
    assert_eq!(f.desk.route_waiting(50).await.unwrap(), 0);
    f.desk.set_presence(&f.agent, online(5, 3)).await.unwrap();
    f.desk.set_presence(&other, online(5, 3)).await.unwrap();
    assert_eq!(f.desk.route_waiting(50).await.unwrap(), 3);
    let loads = f.desk.agent_loads().await.unwrap();
    let mut counts: Vec<u32> = loads.iter().map(|a| a.open_cases).collect();
    counts.sort_unstable();
    assert_eq!(counts, vec![1, 2], "spread over both agents: {loads:?}");
    // Away agents take nothing; a full agent takes nothing.
    f.desk
        .set_presence(
            &other,
            PresenceDraft {
                presence: Some(Presence::Away),
                ..PresenceDraft::default()
            },
        )
        .await
        .unwrap();
    let agent_open = f
        .desk
        .agent_loads()
        .await
        .unwrap()
        .iter()
        .find(|a| a.user_id == f.agent.user_id)
        .unwrap()
        .open_cases;
    f.desk
        .set_presence(
            &f.agent,
            PresenceDraft {
                max_open_cases: Some(agent_open),
                ..PresenceDraft::default()
            },
        )
        .await
        .unwrap();
    let new_case = f
        .desk
        .create_case(
            &f.agent,
            draft("又来电了", customer("李四", "13900139000")),
            None,
        )
        .await
        .unwrap()
        .case;
    assert_eq!(f.desk.route_waiting(50).await.unwrap(), 0);
    let after = f
        .desk
        .get_case(&f.agent, new_case.id.as_str())
        .await
        .unwrap();
    assert_eq!(after.assignee, None, "nobody free: it waits");
    // The other agent comes back: it is theirs.
    f.desk.set_presence(&other, online(5, 3)).await.unwrap();
    assert_eq!(f.desk.route_waiting(50).await.unwrap(), 1);
    let after = f
        .desk
        .get_case(&f.agent, new_case.id.as_str())
        .await
        .unwrap();
    assert_eq!(after.assignee, Some(other.user_id.clone()));
    // Every assignment is an event by the router.
    let events = store.case_events(&after.id).await.unwrap();
    assert_eq!(
        kefu_model::Case::replay(&events).unwrap(),
        after,
        "the projection is its events"
    );
}

pub async fn chats_overflow_or_get_a_callback_when_nobody_is_free(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    f.desk.install_builtin_calendars().await.unwrap();
    f.desk.install_default_policies().await.unwrap();
    // Without an overflow department: a callback promise, said once.
    let started = f.desk.start_chat(ChatStart::default()).await.unwrap();
    let conversation = f.desk.chat_by_token(&started.token).await.unwrap();
    let ack = f
        .desk
        .chat_customer_send(&conversation, send("c-1", "转人工"))
        .await
        .unwrap();
    let outcome = f
        .desk
        .chat_bot_turn(&started.case_id, &ack.message_id, "转人工")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(outcome.handed_over.as_deref(), Some("asked_for_person"));
    let decision = f.desk.route_case(&started.case_id).await.unwrap();
    assert!(
        matches!(decision, Some(Decision::Callback { .. })),
        "{decision:?}"
    );
    f.desk.route_case(&started.case_id).await.unwrap();
    let case = f
        .desk
        .get_case(&f.agent, started.case_id.as_str())
        .await
        .unwrap();
    assert_eq!(case.commitments.len(), 1, "one callback promise: {case:?}");
    let first = case
        .sla
        .iter()
        .find(|c| c.kind == kefu_model::sla_clock::ClockKind::FirstResponse)
        .expect("the handover starts the first-response clock");
    assert_eq!(first.target_secs, 30);

    // With an overflow department: after the wait, the chat goes there.
    let ops = f
        .desk
        .list_departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.key == "ops")
        .unwrap();
    f.desk
        .put_setting(
            &f.admin,
            "routing",
            serde_json::json!({"overflow_department": ops.id, "overflow_after_secs": 60}),
        )
        .await
        .unwrap();
    // Someone is online with room for one chat; the first chat takes it.
    f.desk.set_presence(&f.agent, online(5, 1)).await.unwrap();
    let handed_over = async |text: &str| {
        let started = f.desk.start_chat(ChatStart::default()).await.unwrap();
        let conversation = f.desk.chat_by_token(&started.token).await.unwrap();
        let ack = f
            .desk
            .chat_customer_send(&conversation, send("c-1", text))
            .await
            .unwrap();
        f.desk
            .chat_bot_turn(&started.case_id, &ack.message_id, text)
            .await
            .unwrap();
        started.case_id
    };
    let taken = handed_over("人工客服").await;
    assert_eq!(
        f.desk.route_case(&taken).await.unwrap(),
        Some(Decision::Assign(f.agent.user_id.clone()))
    );
    // The next one waits, is told its place, and overflows once it has waited too long.
    let waiting = handed_over("转人工").await;
    let decision = f.desk.route_case(&waiting).await.unwrap();
    assert!(
        matches!(decision, Some(Decision::Queue { position: 1, .. })),
        "{decision:?}"
    );
    f.clock.advance(SignedDuration::from_secs(61));
    assert_eq!(
        f.desk.route_case(&waiting).await.unwrap(),
        Some(Decision::Overflow {
            department: ops.id.clone()
        })
    );
    let case = f.desk.get_case(&f.agent, waiting.as_str()).await.unwrap();
    assert_eq!(case.department, Some(ops.id));
    assert_eq!(case.assignee, None);
    // Routed no more.
    assert_eq!(f.desk.route_case(&waiting).await.unwrap(), None);
}

pub async fn signing_out_takes_an_agent_off_routing(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let (token, _) = f.desk.login("agent01", "agent-password").await.unwrap();
    f.desk.set_presence(&f.agent, online(5, 3)).await.unwrap();
    assert_eq!(
        f.desk.presence(&f.agent).await.unwrap().presence,
        Presence::Online
    );
    f.desk.logout(&token).await.unwrap();
    assert_eq!(
        f.desk.presence(&f.agent).await.unwrap().presence,
        Presence::Offline
    );
    // And nothing is routed to them any more.
    f.desk
        .create_case(
            &f.agent,
            draft("来电", customer("张三", "13800138000")),
            None,
        )
        .await
        .unwrap();
    assert_eq!(f.desk.route_waiting(50).await.unwrap(), 0);
}
