//! Demo chats: conversations of the last few hours, played through the same desk calls the
//! WebSocket uses (the customer writes, the bot answers with the real NLU, hands over, an agent
//! answers), so the console's chat desk and the chat cases in the queues show real histories.
//! Two agents are online with room for chats.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kefu_desk::Desk;
use kefu_model::chat::{ChatSend, ChatStart};
use kefu_model::drafts::CasePatch;
use kefu_model::routing::{Presence, PresenceDraft};
use kefu_model::{Actor, DomainError, FixedClock, Status, Visibility};

/// One conversation: who the customer is, what they write (the bot answers each line), and
/// what the agent says after the handover (if it comes to that).
struct Script {
    name: Option<&'static str>,
    /// Minutes before now that it starts.
    minutes_ago: i64,
    customer: &'static [&'static str],
    agent: &'static [&'static str],
    resolve: bool,
}

const SCRIPTS: &[Script] = &[
    Script {
        name: Some("陈女士"),
        minutes_ago: 175,
        customer: &["你好", "锂电池能寄吗", "好的谢谢"],
        agent: &[],
        resolve: true,
    },
    Script {
        name: None,
        minutes_ago: 150,
        customer: &["我的快递到哪了", "{waybill}"],
        agent: &[],
        resolve: true,
    },
    Script {
        name: Some("刘先生"),
        minutes_ago: 120,
        customer: &["新疆乌鲁木齐能寄吗"],
        agent: &[],
        resolve: false,
    },
    Script {
        name: Some("王先生"),
        minutes_ago: 95,
        customer: &["显示签收了但是我没收到！！", "{waybill}"],
        agent: &[
            "王先生您好，我是客服，非常抱歉给您带来不便。",
            "已联系派送网点核实签收情况，今天18点前给您回复。",
        ],
        resolve: false,
    },
    Script {
        name: Some("赵女士"),
        minutes_ago: 60,
        customer: &["转人工", "我想改一下收件地址"],
        agent: &["您好，请提供运单号和新的收件地址，我马上为您处理。"],
        resolve: false,
    },
    Script {
        name: None,
        minutes_ago: 25,
        customer: &["寄到北京朝阳区多少钱，杭州西湖区寄，3公斤"],
        agent: &[],
        resolve: false,
    },
    Script {
        name: Some("孙先生"),
        minutes_ago: 8,
        customer: &["快递员态度太差了，我要投诉 😡"],
        agent: &[],
        resolve: false,
    },
];

fn at(now: Timestamp, minutes_ago: i64, plus_secs: i64) -> Timestamp {
    now.saturating_sub(SignedDuration::from_mins(minutes_ago))
        .and_then(|t| t.saturating_add(SignedDuration::from_secs(plus_secs)))
        .unwrap_or(now)
}

/// Seeds the conversations; `waybill` is a demo parcel the tracking lines ask about. Returns
/// how many chats were made.
pub async fn seed(
    desk: &Desk,
    now: Timestamp,
    waybill: Option<&str>,
    agents: &[Actor],
) -> Result<usize, DomainError> {
    let clock = Arc::new(FixedClock::new(at(now, 180, 0)));
    let played = desk.clone().with_clock(clock.clone());
    // Two agents take chats; their other work stays where it is.
    for agent in agents.iter().take(2) {
        played
            .set_presence(
                agent,
                PresenceDraft {
                    presence: Some(Presence::Online),
                    max_chats: Some(4),
                    max_open_cases: Some(0),
                    skills: None,
                },
            )
            .await?;
    }
    let mut made = 0;
    for (n, script) in SCRIPTS.iter().enumerate() {
        clock.set(at(now, script.minutes_ago, 0));
        let started = played
            .start_chat(ChatStart {
                name: script.name.map(str::to_string),
                origin: Some(if n % 2 == 0 { "portal" } else { "widget" }.into()),
                ..ChatStart::default()
            })
            .await?;
        let conversation = played.chat_by_token(&started.token).await?;
        let mut secs = 0;
        for (i, line) in script.customer.iter().enumerate() {
            let body = match (*line, waybill) {
                ("{waybill}", Some(w)) => w.to_string(),
                ("{waybill}", None) => continue,
                (l, _) => l.to_string(),
            };
            secs += 20;
            clock.set(at(now, script.minutes_ago, secs));
            let ack = played
                .chat_customer_send(
                    &conversation,
                    ChatSend {
                        client_id: format!("demo-{n}-{i}"),
                        body: body.clone(),
                        attachments: Vec::new(),
                    },
                )
                .await?;
            secs += 2;
            clock.set(at(now, script.minutes_ago, secs));
            if let Some(outcome) = played
                .chat_bot_turn(&started.case_id, &ack.message_id, &body)
                .await?
                && outcome.handed_over.is_some()
            {
                played.route_case(&started.case_id).await?;
            }
        }
        let case = played
            .get_case(&agents[0], started.case_id.as_str())
            .await?;
        let owner = agents
            .iter()
            .find(|a| Some(&a.user_id) == case.assignee.as_ref())
            .or(agents.first());
        if let Some(agent) = owner {
            for (i, line) in script.agent.iter().enumerate() {
                secs += 25;
                clock.set(at(now, script.minutes_ago, secs));
                played
                    .chat_staff_send(
                        agent,
                        started.case_id.as_str(),
                        ChatSend {
                            client_id: format!("demo-agent-{n}-{i}"),
                            body: line.to_string(),
                            attachments: Vec::new(),
                        },
                        Visibility::Public,
                    )
                    .await?;
            }
            if script.resolve {
                secs += 60;
                clock.set(at(now, script.minutes_ago, secs));
                // A chat the bot answered alone is still new: open, then resolved.
                for to in [Status::Open, Status::Resolved] {
                    let current = played.get_case(agent, started.case_id.as_str()).await?;
                    if current.status.can_become(to) {
                        played
                            .update_case(
                                agent,
                                started.case_id.as_str(),
                                CasePatch {
                                    status: Some(to),
                                    // A resolution records how it ended (R-CASE-10).
                                    root_cause: (to == Status::Resolved).then(|| {
                                        kefu_model::causes::CauseDraft {
                                            resolution_code: Some("explained".into()),
                                            ..Default::default()
                                        }
                                    }),
                                    ..CasePatch::default()
                                },
                            )
                            .await?;
                    }
                }
            }
        }
        made += 1;
    }
    Ok(made)
}

/// [`seed`] with the demo's own staff (`agent01`, `agent02`) and a demo parcel that has a
/// tracking result.
pub async fn seed_with_demo_staff(
    desk: &Desk,
    now: Timestamp,
    parcels: &crate::demo_parcels::ParcelSummary,
) -> Result<usize, DomainError> {
    let mut agents = Vec::new();
    for name in ["agent01", "agent02"] {
        if let Some(user) = desk.store().user_by_username(name).await? {
            agents.push(Actor::of(&user));
        }
    }
    if agents.is_empty() {
        return Ok(0);
    }
    let waybill = parcels
        .samples
        .iter()
        .find(|(outcome, _)| *outcome == kefu_model::tracking::Outcome::WithResult)
        .and_then(|(_, numbers)| numbers.first())
        .map(String::as_str);
    seed(desk, now, waybill, &agents).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_model::drafts::UserDraft;
    use kefu_model::{Channel, Role};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn demo_chats_are_real_conversations() {
        let dir = std::env::temp_dir().join(format!("kefu-demo-chats-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store: Arc<dyn kefu_desk::Store> =
            Arc::new(kefu_store_sqlite::open(&dir.join("kefu.db")).await.unwrap());
        let now: Timestamp = "2026-03-16T06:30:00Z".parse().unwrap();
        let desk = Desk::new(store.clone(), Arc::new(FixedClock::new(now)))
            .with_nlu(Arc::new(kefu_nlu::SharedNlu))
            .with_time_zone(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
        desk.install_builtin_calendars().await.unwrap();
        desk.install_default_policies().await.unwrap();
        let mut agents = Vec::new();
        for name in ["agent01", "agent02"] {
            let user = desk
                .create_user(
                    None,
                    UserDraft {
                        username: name.into(),
                        password: "demo-password-1".into(),
                        role: Role::Agent,
                        display_name: None,
                        department: None,
                    },
                )
                .await
                .unwrap();
            agents.push(Actor::of(&user));
        }
        let made = seed(&desk, now, None, &agents).await.unwrap();
        assert_eq!(made, SCRIPTS.len());
        let cases = store
            .list_cases(&kefu_model::records::CaseQuery {
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap()
            .items;
        assert!(cases.iter().all(|c| c.channel == Channel::Chat));
        assert_eq!(cases.len(), SCRIPTS.len());
        let with = |needle: &str| {
            cases
                .iter()
                .find(|c| c.subject.contains(needle))
                .unwrap_or_else(|| panic!("no chat of {needle}"))
        };
        // The "not received" chat went to a person, who answered.
        let lost = with("王先生");
        let bot = lost.bot.as_ref().unwrap();
        assert!(!bot.active);
        assert!(lost.assignee.is_some());
        assert!(lost.first_response_at.is_some());
        // The greeting-and-battery chat stayed with the bot and was resolved.
        let battery = with("陈女士");
        assert!(battery.bot.as_ref().unwrap().active);
        assert_eq!(battery.status, Status::Resolved);
        // The complaint is with a person, waiting for the first reply under its clock.
        let complaint = with("孙先生");
        assert!(!complaint.bot.as_ref().unwrap().active);
        assert_eq!(complaint.category, kefu_model::Category::Complaint);
        for c in &cases {
            let events = store.case_events(&c.id).await.unwrap();
            assert_eq!(kefu_model::Case::replay(&events).as_ref(), Some(c));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
