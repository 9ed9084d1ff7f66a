//! Contract checks for the console's lookups: customers by name, pickups booked from a case,
//! the department inbox.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_desk::Store;
use kefu_model::drafts::CasePatch;
use kefu_model::pickup::PickupQuery;
use kefu_model::records::CustomerQuery;
use kefu_model::{DomainError, Status, StoreError};
use serde_json::json;

use crate::{customer, draft, fixture, sla_fixture, start_time};

fn names(page: &[kefu_model::Customer]) -> Vec<String> {
    page.iter().map(|c| c.name.clone()).collect()
}

/// Part of a name finds its customers, newest first, regardless of case; `%`, `_` and `\` in
/// the search are taken literally. The console search and the 360 view build on it.
pub async fn customers_are_found_by_part_of_their_name(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    for (name, phone) in [
        ("张三", "13600000001"),
        ("李四", "13600000002"),
        ("张伟", "13600000003"),
        ("Wang Fang", "13600000004"),
        ("百分百%_\\号", "13600000005"),
        ("王张氏", "13600000006"),
    ] {
        f.clock.advance(SignedDuration::from_secs(1));
        f.desk
            .create_customer(&f.agent, customer(name, phone))
            .await
            .unwrap();
    }
    let search = |name: &str, limit: u32| {
        let store = store.clone();
        let name = name.to_string();
        async move {
            store
                .list_customers(&CustomerQuery {
                    name: Some(name),
                    limit,
                    ..CustomerQuery::default()
                })
                .await
                .unwrap()
        }
    };
    assert_eq!(
        names(&search("张", 10).await.items),
        vec!["王张氏", "张伟", "张三"],
        "anywhere in the name, newest first"
    );
    assert_eq!(names(&search("三", 10).await.items), vec!["张三"]);
    assert_eq!(names(&search("wang", 10).await.items), vec!["Wang Fang"]);
    assert_eq!(names(&search("g f", 10).await.items), vec!["Wang Fang"]);
    for literal in ["%", "_", "\\", "%_\\"] {
        assert_eq!(
            names(&search(literal, 10).await.items),
            vec!["百分百%_\\号"],
            "{literal} is no wildcard"
        );
    }
    assert!(search("张%三", 10).await.items.is_empty());
    assert!(search("赵", 10).await.items.is_empty());
    // Pages with a cursor like every list.
    let first = search("张", 2).await;
    assert_eq!(names(&first.items), vec!["王张氏", "张伟"]);
    let rest = store
        .list_customers(&CustomerQuery {
            name: Some("张".into()),
            limit: 2,
            before: first
                .next_cursor
                .as_deref()
                .and_then(kefu_model::CustomerId::parse),
            ..CustomerQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(names(&rest.items), vec!["张三"]);
    assert!(rest.next_cursor.is_none());
    // Through the desk: upper case matches, and a bad name is refused by field.
    let page = f
        .desk
        .list_customers(&f.agent, None, None, Some(" WANG "), None, None)
        .await
        .unwrap();
    assert_eq!(names(&page.items), vec!["Wang Fang"]);
    for bad in ["", "   ", &"长".repeat(51)] {
        match f
            .desk
            .list_customers(&f.agent, None, None, Some(bad), None, None)
            .await
        {
            Err(DomainError::Invalid { field, .. }) => assert_eq!(field, "name"),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    // The console search: a phone finds its owner, anything else part of a name.
    let by_phone = f
        .desk
        .find_customers(&f.agent, "136-0000-0002")
        .await
        .unwrap();
    assert_eq!(names(&by_phone), vec!["李四"]);
    let by_name = f.desk.find_customers(&f.agent, "张").await.unwrap();
    assert_eq!(names(&by_name), vec!["王张氏", "张伟", "张三"]);
    assert!(
        f.desk
            .find_customers(&f.agent, "赵")
            .await
            .unwrap()
            .is_empty()
    );
}

fn booking(case_id: &str, sender_phone: &str, address: &str) -> kefu_model::parcels::PickupDraft {
    serde_json::from_value(json!({
        "sender": {"name": "", "phone": sender_phone, "address": address},
        "recipient_address": "北京市朝阳区建国路88号",
        "item": "衣服", "weight_kg": 2.3, "case_id": case_id
    }))
    .unwrap()
}

/// A pickup booked from a case is for the case's customer (name and phone on file unless
/// given), is recorded on the case as `pickup_booked` in the same write, and is listed with
/// the case and in the customer's 360 view. A refused booking writes nothing.
pub async fn pickups_booked_from_a_case_are_linked(store: Arc<dyn Store>) {
    let f = sla_fixture(store.clone()).await;
    crate::parcels::outlet(
        &f.desk,
        &f.admin,
        json!({"key": "sh-pd", "name": "上海浦东网点", "districts": ["310115"],
            "couriers": [{"id": "c1", "name": "周师傅", "phone": "13500000001"}]}),
    )
    .await;
    let case = f
        .desk
        .create_case(
            &f.agent,
            draft("明天上午来取件", customer("赵六", "13811112222")),
            None,
        )
        .await
        .unwrap()
        .case;
    let events_before = store.case_events(&case.id).await.unwrap().len();
    let all_pickups = |store: Arc<dyn Store>| async move {
        store
            .list_pickups(&PickupQuery::default())
            .await
            .unwrap()
            .len()
    };
    // Refused: outside the service area, a bad phone, a closed case — nothing is written.
    for (draft, field) in [
        (
            booking(&case.number, "", "香港特别行政区九龙城区"),
            "sender.address",
        ),
        (
            booking(&case.number, "12345", "上海市浦东新区世纪大道100号"),
            "sender.phone",
        ),
        (booking("  ", "", "上海市浦东新区世纪大道100号"), "case_id"),
    ] {
        match f.desk.book_pickup(&f.agent, draft).await {
            Err(DomainError::Invalid { field: got, .. }) => assert_eq!(got, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    match f
        .desk
        .book_pickup(
            &f.agent,
            booking("KF20990101000001", "", "上海市浦东新区世纪大道100号"),
        )
        .await
    {
        Err(DomainError::NotFound(_)) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(all_pickups(store.clone()).await, 0);
    assert_eq!(
        store.case_events(&case.id).await.unwrap().len(),
        events_before
    );

    let pickup = f
        .desk
        .book_pickup(
            &f.agent,
            booking(&case.number, "", "上海市浦东新区世纪大道100号"),
        )
        .await
        .unwrap();
    assert_eq!(
        (pickup.sender.name.as_str(), pickup.sender.phone.as_str()),
        ("赵六", "13811112222"),
        "the customer's name and phone on file"
    );
    assert_eq!(pickup.case_id.as_ref(), Some(&case.id));
    assert_eq!(pickup.customer_id.as_ref(), Some(&case.customer_id));
    let events = store.case_events(&case.id).await.unwrap();
    let booked: Vec<&kefu_model::EventData> = events
        .iter()
        .map(|e| &e.data)
        .filter(|d| d.type_name() == "pickup_booked")
        .collect();
    assert_eq!(booked.len(), 1);
    assert!(matches!(booked[0],
        kefu_model::EventData::PickupBooked { number, pickup_id }
            if *number == pickup.number && *pickup_id == pickup.id));
    let stored = store.case_by_id(&case.id).await.unwrap().unwrap();
    assert_eq!(
        kefu_model::Case::replay(&events).as_ref(),
        Some(&stored),
        "the event folds into the projection"
    );
    // A sender other than the customer: still the case's customer's pickup.
    f.clock.advance(SignedDuration::from_secs(1));
    let other = f
        .desk
        .book_pickup(
            &f.agent,
            booking(
                &case.id.to_string(),
                "13999998888",
                "上海市浦东新区张江路1号",
            ),
        )
        .await
        .unwrap();
    assert_eq!(other.sender.phone.as_str(), "13999998888");
    let of_case = f
        .desk
        .list_pickups(
            &f.agent,
            &PickupQuery {
                case_id: Some(case.number.clone()),
                ..PickupQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        of_case.iter().map(|p| p.number.clone()).collect::<Vec<_>>(),
        vec![other.number.clone(), pickup.number.clone()],
        "the case's pickups, newest first"
    );
    let view = f
        .desk
        .customer_360(&f.agent, case.customer_id.as_str())
        .await
        .unwrap();
    assert_eq!(view.cases.len(), 1);
    assert_eq!(view.pickups.len(), 2, "by customer as well as by phone");
    // Both or neither: a stale case version writes neither the events nor the pickup.
    let mut stale = pickup.clone();
    stale.id = kefu_model::CaseId::new(start_time()).to_string();
    stale.number = "PU20261124STALE1".into();
    let current = store.case_by_id(&case.id).await.unwrap().unwrap();
    let result = store
        .append_events(
            &current,
            current.version - 1,
            &[],
            kefu_desk::store::AppendOptions {
                notifications: &[],
                pickup: Some(&stale),
                ..Default::default()
            },
        )
        .await;
    assert!(
        matches!(result, Err(StoreError::VersionConflict)),
        "{result:?}"
    );
    assert!(store.pickup("PU20261124STALE1").await.unwrap().is_none());
    assert_eq!(all_pickups(store.clone()).await, 2);
    // A closed case takes no bookings.
    for status in [Status::Open, Status::Resolved, Status::Closed] {
        f.desk
            .update_case(
                &f.agent,
                case.id.as_str(),
                CasePatch {
                    status: Some(status),
                    ..CasePatch::default()
                },
            )
            .await
            .unwrap();
    }
    let closed_events = store.case_events(&case.id).await.unwrap().len();
    match f
        .desk
        .book_pickup(
            &f.agent,
            booking(&case.number, "", "上海市浦东新区世纪大道100号"),
        )
        .await
    {
        Err(DomainError::Conflict { code, .. }) => assert_eq!(code, "case_closed"),
        other => panic!("{other:?}"),
    }
    assert_eq!(all_pickups(store.clone()).await, 2);
    assert_eq!(
        store.case_events(&case.id).await.unwrap().len(),
        closed_events
    );
}

/// Transferred cases by their department's deadline: overdue first, those without a
/// deadline last; department staff see only their own department.
pub async fn department_inbox_sorts_by_deadline(store: Arc<dyn Store>) {
    use kefu_model::drafts::UserDraft;
    use kefu_model::queues::DepartmentInbox;
    let f = sla_fixture(store.clone()).await;
    let mut ids = Vec::new();
    for (i, (department, hours)) in [
        (Some("ops"), Some(4)),
        (Some("ops"), None),
        (Some("ops"), Some(2)),
        (Some("service"), Some(1)),
        (None, None),
    ]
    .into_iter()
    .enumerate()
    {
        f.clock.advance(SignedDuration::from_secs(1));
        let case = f
            .desk
            .create_case(
                &f.agent,
                draft(
                    &format!("转部门{i}"),
                    customer("孙八", &format!("1370000100{i}")),
                ),
                None,
            )
            .await
            .unwrap()
            .case;
        if let Some(d) = department {
            f.desk
                .update_case(
                    &f.agent,
                    case.id.as_str(),
                    CasePatch {
                        department: Some(Some(d.into())),
                        department_due_at: hours
                            .map(|h| f.desk.now() + SignedDuration::from_hours(h)),
                        ..CasePatch::default()
                    },
                )
                .await
                .unwrap();
        }
        ids.push(case.id.to_string());
    }
    let ops_user = f
        .desk
        .create_user(
            Some(&f.admin),
            UserDraft {
                username: "ops03".into(),
                password: "long-password".into(),
                role: kefu_model::Role::Department,
                display_name: None,
                department: Some("ops".into()),
            },
        )
        .await
        .unwrap();
    let ops = kefu_model::Actor::of(&ops_user);
    let order = |inbox: &DepartmentInbox| -> Vec<String> {
        inbox.cases.iter().map(|c| c.id.to_string()).collect()
    };
    let inbox = f.desk.department_inbox(&ops, None, None).await.unwrap();
    assert_eq!(
        inbox.department.as_ref().map(|d| d.key.as_str()),
        Some("ops")
    );
    assert_eq!(inbox.departments.len(), 1, "only their own to choose");
    assert_eq!(
        order(&inbox),
        vec![ids[2].clone(), ids[0].clone(), ids[1].clone()],
        "earliest deadline first, none last"
    );
    let now = f.desk.now();
    assert!(
        inbox
            .cases
            .iter()
            .all(|c| !DepartmentInbox::overdue(c, now))
    );
    // Three hours on, the 2-hour one is overdue, recorded once, and still first.
    f.clock.advance(SignedDuration::from_hours(3));
    f.desk.fire_due_timers(100).await.unwrap();
    let inbox = f
        .desk
        .department_inbox(&ops, Some("ops"), None)
        .await
        .unwrap();
    assert_eq!(inbox.cases[0].id.to_string(), ids[2]);
    assert!(inbox.cases[0].department_overdue);
    let now = f.desk.now();
    let overdue: Vec<bool> = inbox
        .cases
        .iter()
        .map(|c| DepartmentInbox::overdue(c, now))
        .collect();
    assert_eq!(overdue, vec![true, false, false]);
    assert!(matches!(
        f.desk.department_inbox(&ops, Some("service"), None).await,
        Err(DomainError::Forbidden(_))
    ));
    // The agent's own department by default; any department on request; everyone's for
    // those without one.
    let service = f.desk.department_inbox(&f.agent, None, None).await.unwrap();
    assert_eq!(order(&service), vec![ids[3].clone()]);
    let chosen = f
        .desk
        .department_inbox(&f.agent, Some("ops"), None)
        .await
        .unwrap();
    assert_eq!(chosen.cases.len(), 3);
    let everyone = f.desk.department_inbox(&f.admin, None, None).await.unwrap();
    assert!(everyone.department.is_none());
    assert_eq!(
        order(&everyone),
        vec![
            ids[3].clone(),
            ids[2].clone(),
            ids[0].clone(),
            ids[1].clone()
        ]
    );
    assert!(matches!(
        f.desk
            .department_inbox(&f.agent, Some("nowhere"), None)
            .await,
        Err(DomainError::Invalid { .. })
    ));
    // Handed back, the case leaves the inbox.
    f.desk
        .hand_back(&ops, &ids[2], "已核实，今日发出")
        .await
        .unwrap();
    let inbox = f.desk.department_inbox(&ops, None, None).await.unwrap();
    assert_eq!(order(&inbox), vec![ids[0].clone(), ids[1].clone()]);
}
