//! Property tests of the case status machine and the event projection.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

use jiff::{SignedDuration, Timestamp};
use kefu_model::case::{Case, CaseEvent, EventData};
use kefu_model::codes::{Category, Channel, Priority, Status, Visibility};
use kefu_model::drafts::{MessageDraft, ResolvedPatch, plan_message, plan_update};
use kefu_model::ids::{CaseId, CustomerId, MessageId};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    SetStatus(Status),
    SetPriority(Priority),
    Message(bool),
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop::sample::select(Status::ALL.to_vec()).prop_map(Op::SetStatus),
        1 => prop::sample::select(Priority::ALL.to_vec()).prop_map(Op::SetPriority),
        2 => any::<bool>().prop_map(Op::Message),
        1 => Just(Op::Reopen),
    ]
}

fn new_case(at: Timestamp) -> (Case, CaseEvent) {
    let event = CaseEvent {
        case_id: CaseId::new(at),
        seq: 1,
        actor: "user:test".into(),
        at,
        data: EventData::Created {
            number: "KF20261124000001".into(),
            channel: Channel::Phone,
            subject: "查件".into(),
            description: String::new(),
            category: Category::Track,
            priority: Priority::P4,
            customer_id: CustomerId::new(at),
            waybill_nos: vec![],
            tags: vec![],
            received_at: at,
            classified_by: "caller".into(),
            bot: false,
        },
    };
    (Case::from_created(&event).unwrap(), event)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn any_sequence_keeps_the_machine_and_the_projection_consistent(ops in prop::collection::vec(op(), 1..40)) {
        let start: Timestamp = "2026-11-24T02:00:00Z".parse().unwrap();
        let (mut case, created) = new_case(start);
        let mut events = vec![created];
        for (i, op) in ops.iter().enumerate() {
            let at = start + SignedDuration::from_mins(i as i64 + 1);
            let before = case.clone();
            let planned = match op {
                Op::SetStatus(s) => plan_update(&case, &ResolvedPatch { status: Some(*s), ..Default::default() }),
                Op::SetPriority(p) => plan_update(&case, &ResolvedPatch { priority: Some(*p), ..Default::default() }),
                Op::Reopen => plan_update(&case, &ResolvedPatch { status: Some(Status::Open), reason: Some("x".into()), ..Default::default() }),
                Op::Message(public) => {
                    let draft = MessageDraft {
                        body: "您好".into(),
                        visibility: if *public { Visibility::Public } else { Visibility::Internal },
                        from_customer: false,
                        call: false,
                    };
                    plan_message(&case, &MessageId::new(at), "您好", &draft)
                }
            };
            match planned {
                Err(_) => {
                    // A refusal changes nothing; and only these situations are refused.
                    prop_assert_eq!(&case, &before);
                    let refused_ok = before.status == Status::Closed
                        || matches!(op, Op::SetStatus(s) if !before.status.can_become(*s) && *s != before.status);
                    prop_assert!(refused_ok, "refused {:?} from {:?}", op, before.status);
                }
                Ok(changes) => {
                    prop_assert!(before.status != Status::Closed || matches!(op, Op::Reopen | Op::SetStatus(Status::Open)));
                    for data in changes {
                        let event = CaseEvent { case_id: case.id.clone(), seq: case.version + 1, actor: "user:test".into(), at, data };
                        if let EventData::StatusChanged { from, to } = &event.data {
                            prop_assert_eq!(*from, case.status);
                            prop_assert!(case.status.can_become(*to));
                        }
                        case.apply(&event);
                        events.push(event);
                    }
                }
            }
            if matches!(case.status, Status::Resolved | Status::Closed) {
                prop_assert!(case.resolved_at.is_some());
            }
            if case.status == Status::Closed {
                prop_assert!(case.closed_at.is_some());
            }
        }
        prop_assert_eq!(Case::replay(&events), Some(case.clone()));
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        prop_assert_eq!(seqs, (1..=events.len() as i64).collect::<Vec<_>>());
    }
}

#[test]
fn the_documented_paths_are_allowed() {
    use Status::*;
    for (from, to) in [
        (New, Open),
        (Open, PendingCustomer),
        (Open, PendingDepartment),
        (Open, Resolved),
        (PendingCustomer, Resolved),
        (PendingDepartment, Open),
        (Resolved, Closed),
        (Resolved, Open),
        (Closed, Open),
    ] {
        assert!(from.can_become(to), "{from} -> {to}");
    }
    for (from, to) in [
        (New, Closed),
        (New, Resolved),
        (Closed, Resolved),
        (Closed, PendingCustomer),
        (Resolved, PendingCustomer),
    ] {
        assert!(!from.can_become(to), "{from} -> {to}");
    }
}
