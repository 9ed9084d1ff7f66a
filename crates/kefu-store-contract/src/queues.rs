//! Contract checks for the console's queues and their counts.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_desk::Store;
use kefu_model::Status;
use kefu_model::drafts::{CasePatch, CommitmentDraft};
use kefu_model::queues::{Queue, QueueFilter};

use crate::{customer, draft, sla_fixture, start_time};

/// Mine, unassigned, at risk and promises list the right cases, and the counts agree.
pub async fn queues_list_and_count_the_right_cases(store: Arc<dyn Store>) {
    let f = sla_fixture(store.clone()).await;
    let mut ids = Vec::new();
    for (i, phone) in ["13700000001", "13700000002", "13700000003"]
        .iter()
        .enumerate()
    {
        let mut d = draft(&format!("第{i}单"), customer("客户", phone));
        d.channel = kefu_model::Channel::Email; // 2 h first response
        ids.push(f.desk.create_case(&f.agent, d, None).await.unwrap().case.id);
    }
    let agent = f.agent.user_id.to_string();
    f.desk
        .update_case(
            &f.agent,
            ids[0].as_str(),
            CasePatch {
                assignee: Some(Some(agent)),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    f.desk
        .make_commitment(
            &f.agent,
            ids[1].as_str(),
            CommitmentDraft {
                due_at: start_time() + SignedDuration::from_hours(3),
                note: "回电".into(),
                remind_before_minutes: None,
            },
        )
        .await
        .unwrap();
    // The third is answered and resolved at once.
    f.desk
        .add_message(
            &f.agent,
            ids[2].as_str(),
            kefu_model::drafts::MessageDraft {
                body: "已处理".into(),
                visibility: kefu_model::Visibility::Public,
                from_customer: false,
                call: false,
            },
        )
        .await
        .unwrap();
    f.desk
        .update_case(
            &f.agent,
            ids[2].as_str(),
            CasePatch {
                status: Some(Status::Open),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    f.desk
        .update_case(
            &f.agent,
            ids[2].as_str(),
            CasePatch {
                status: Some(Status::Resolved),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    let list = |q| {
        let desk = f.desk.clone();
        let agent = f.agent.clone();
        async move {
            let mut ids: Vec<String> = desk
                .queue(&agent, q, &QueueFilter::default(), None, None)
                .await
                .unwrap()
                .items
                .iter()
                .map(|c| c.id.to_string())
                .collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(list(Queue::Mine).await, vec![ids[0].to_string()]);
    assert_eq!(
        list(Queue::Unassigned).await,
        vec![ids[1].to_string()],
        "resolved cases leave the queues"
    );
    assert_eq!(list(Queue::Promises).await, vec![ids[1].to_string()]);
    assert!(
        list(Queue::AtRisk).await.is_empty(),
        "2 h left is not at risk"
    );
    // 100 minutes later the email clocks have 20 minutes left.
    f.clock.advance(SignedDuration::from_mins(100));
    let mut at_risk = vec![ids[0].to_string(), ids[1].to_string()];
    at_risk.sort();
    assert_eq!(list(Queue::AtRisk).await, at_risk);
    let counts = f.desk.queue_counts(&f.agent).await.unwrap();
    let count = |q| counts.iter().find(|(c, _)| *c == q).unwrap().1;
    assert_eq!(
        (
            count(Queue::Mine),
            count(Queue::Unassigned),
            count(Queue::AtRisk),
            count(Queue::Promises),
            count(Queue::All)
        ),
        (1, 1, 2, 1, 2)
    );
    // A filter narrows a queue.
    let filtered = f
        .desk
        .queue(
            &f.agent,
            Queue::All,
            &QueueFilter {
                status: Some(Status::Resolved),
                ..QueueFilter::default()
            },
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(filtered.items.len(), 1);
    // Sorted by the first clock or promise to fall due; a higher priority first.
    let sorted = |sort| {
        let desk = f.desk.clone();
        let agent = f.agent.clone();
        async move {
            desk.queue(
                &agent,
                Queue::All,
                &QueueFilter {
                    status: None,
                    sort,
                    ..QueueFilter::default()
                },
                None,
                None,
            )
            .await
            .unwrap()
            .items
        }
    };
    f.desk
        .update_case(
            &f.agent,
            ids[1].as_str(),
            CasePatch {
                priority: Some(kefu_model::Priority::P1),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    let by_priority = sorted(kefu_model::records::CaseSort::Priority).await;
    assert_eq!(by_priority[0].id, ids[1]);
    let first_due = |c: &kefu_model::Case| {
        c.sla
            .iter()
            .filter(|k| k.state == kefu_model::sla_clock::ClockState::Running)
            .filter_map(|k| k.due_at)
            .chain(
                c.commitments
                    .iter()
                    .filter(|p| p.state == kefu_model::case::CommitmentState::Open)
                    .flat_map(|p| [p.due_at, p.remind_at]),
            )
            .min()
    };
    let by_due: Vec<_> = sorted(kefu_model::records::CaseSort::DueSoonest)
        .await
        .iter()
        .map(first_due)
        .collect();
    assert_eq!(by_due.len(), 2);
    assert!(by_due.windows(2).all(|w| w[0] <= w[1]), "{by_due:?}");
    let oldest = sorted(kefu_model::records::CaseSort::Oldest).await;
    // Ids made in the same millisecond order by their random part: the smaller is older.
    assert_eq!(oldest[0].id, ids[0].clone().min(ids[1].clone()));
    // The supervisor's figures agree with the same cases.
    assert!(matches!(
        f.desk.dashboard(&f.agent, 7).await,
        Err(kefu_model::DomainError::Forbidden(_))
    ));
    let board = f.desk.dashboard(&f.admin, 7).await.unwrap();
    assert_eq!((board.today.new, board.today.resolved), (3, 1));
    assert_eq!(board.today.sla_attainment_pct, Some(100.0));
    assert_eq!(board.series.days.len(), 7);
    assert_eq!(board.series.new.iter().sum::<i64>(), 3);
    assert_eq!(
        (
            board.live.at_risk,
            board.live.breached,
            board.live.escalations
        ),
        (2, 0, 0)
    );
    let email = board
        .live
        .by_channel
        .iter()
        .find(|n| n.name == "email")
        .unwrap();
    assert_eq!(email.open, 2);
    let agent = board
        .live
        .agents
        .iter()
        .find(|n| n.name == "李客服")
        .unwrap();
    assert_eq!(agent.open, 1);
    // Past the 2 h target the open ones breach, and the figures say so.
    f.clock.advance(SignedDuration::from_mins(30));
    f.desk.fire_due_timers(100).await.unwrap();
    let board = f.desk.dashboard(&f.admin, 1).await.unwrap();
    assert_eq!(board.live.breached, 2);
    assert_eq!(board.today.sla_attainment_pct, Some(33.3));
}

/// The portal: an inquiry becomes a web case; a case is shown only with its own phone; a
/// resolved case can be rated once.
pub async fn portal_cases_are_private_and_rated_once(store: Arc<dyn Store>) {
    use kefu_model::portal::Inquiry;
    let f = sla_fixture(store.clone()).await;
    let case = f
        .desk
        .portal_inquiry(Inquiry {
            name: "陈小姐".into(),
            phone: "13911112222".into(),
            category: kefu_model::Category::Complaint,
            waybill_no: String::new(),
            message: "快递员态度很差，还把包裹扔在门口".into(),
        })
        .await
        .unwrap();
    assert_eq!(case.channel, kefu_model::Channel::Web);
    assert_eq!(case.category, kefu_model::Category::Complaint);
    let found = f
        .desk
        .portal_case(&case.number.to_lowercase(), "139 1111 2222")
        .await
        .unwrap();
    assert_eq!(found.id, case.id);
    for (number, phone) in [
        (case.number.as_str(), "13900000000"),
        ("KF20990101000001", "13911112222"),
        (case.number.as_str(), "nonsense"),
    ] {
        assert!(
            matches!(
                f.desk.portal_case(number, phone).await,
                Err(kefu_model::DomainError::NotFound(_))
            ),
            "{number} {phone}"
        );
    }
    assert!(matches!(
        f.desk.portal_rate(&case.number, "13911112222", 5, "").await,
        Err(kefu_model::DomainError::Conflict { .. })
    ));
    for to in [Status::Open, Status::Resolved] {
        f.desk
            .update_case(
                &f.agent,
                case.id.as_str(),
                CasePatch {
                    status: Some(to),
                    // A complaint is resolved with its resolution code.
                    root_cause: (to == Status::Resolved).then(|| kefu_model::causes::CauseDraft {
                        resolution_code: Some("explained".into()),
                        ..Default::default()
                    }),
                    ..CasePatch::default()
                },
            )
            .await
            .unwrap();
    }
    assert!(matches!(
        f.desk.portal_rate(&case.number, "13911112222", 6, "").await,
        Err(kefu_model::DomainError::Invalid { .. })
    ));
    let rated = f
        .desk
        .portal_rate(&case.number, "13911112222", 4, "处理及时")
        .await
        .unwrap();
    assert_eq!(rated.rating, Some(4));
    assert!(matches!(
        f.desk.portal_rate(&case.number, "13911112222", 1, "").await,
        Err(kefu_model::DomainError::Conflict { .. })
    ));
    let short = f
        .desk
        .portal_inquiry(Inquiry {
            name: String::new(),
            phone: "13911112222".into(),
            category: kefu_model::Category::Claim,
            waybill_no: String::new(),
            message: "赔钱".into(),
        })
        .await;
    assert!(matches!(
        short,
        Err(kefu_model::DomainError::Invalid { .. })
    ));
}

/// A transfer may carry a deadline: it is timed like a clock, recorded once when missed, and
/// the department answers back with a note that returns the case to its agent.
pub async fn department_deadlines_and_hand_back(store: Arc<dyn Store>) {
    use kefu_model::drafts::UserDraft;
    let f = sla_fixture(store.clone()).await;
    let case = f
        .desk
        .create_case(
            &f.agent,
            draft("需要运营核实", customer("钱七", "13755556666")),
            None,
        )
        .await
        .unwrap()
        .case;
    let id = case.id.to_string();
    let due = start_time() + SignedDuration::from_hours(4);
    let past = CasePatch {
        department: Some(Some("ops".into())),
        department_due_at: Some(start_time() - SignedDuration::from_hours(1)),
        ..CasePatch::default()
    };
    assert!(matches!(
        f.desk.update_case(&f.agent, &id, past).await,
        Err(kefu_model::DomainError::Invalid { .. })
    ));
    let without_transfer = CasePatch {
        department_due_at: Some(due),
        ..CasePatch::default()
    };
    assert!(matches!(
        f.desk.update_case(&f.agent, &id, without_transfer).await,
        Err(kefu_model::DomainError::Invalid { .. })
    ));
    f.desk
        .update_case(
            &f.agent,
            &id,
            CasePatch {
                status: Some(Status::Open),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    let transferred = f
        .desk
        .update_case(
            &f.agent,
            &id,
            CasePatch {
                department: Some(Some("ops".into())),
                department_due_at: Some(due),
                status: Some(Status::PendingDepartment),
                ..CasePatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(transferred.department_due_at, Some(due));
    f.clock.advance(SignedDuration::from_hours(5));
    f.desk.fire_due_timers(100).await.unwrap();
    f.desk.fire_due_timers(100).await.unwrap();
    let events = store.case_events(&case.id).await.unwrap();
    let overdue = events
        .iter()
        .filter(|e| e.data.type_name() == "department_overdue")
        .count();
    assert_eq!(overdue, 1, "recorded once");
    let stored = store.case_by_id(&case.id).await.unwrap().unwrap();
    assert!(stored.department_overdue);
    let ops_user = f
        .desk
        .create_user(
            Some(&f.admin),
            UserDraft {
                username: "ops02".into(),
                password: "long-password".into(),
                role: kefu_model::Role::Department,
                display_name: None,
                department: Some("ops".into()),
            },
        )
        .await
        .unwrap();
    let ops = kefu_model::Actor::of(&ops_user);
    // Department staff cannot re-route, but can answer back.
    assert!(matches!(
        f.desk
            .update_case(
                &ops,
                &id,
                CasePatch {
                    department: Some(None),
                    ..CasePatch::default()
                }
            )
            .await,
        Err(kefu_model::DomainError::Forbidden(_))
    ));
    let back = f
        .desk
        .hand_back(&ops, &id, "已核实：包裹在北京转运中心，今日发出")
        .await
        .unwrap();
    assert_eq!(
        (back.department.clone(), back.status, back.department_due_at),
        (None, Status::Open, None)
    );
    assert!(matches!(
        f.desk.hand_back(&f.agent, &id, "again").await,
        Err(kefu_model::DomainError::Conflict { .. })
    ));
}
