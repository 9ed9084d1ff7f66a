//! Correcting customers (issue #13): an edit writes the record at its version, its contact
//! points and its events together; a merge moves cases, contacts and marks the merged one in
//! one transaction; refusals write nothing; all of it survives export and import.

use std::sync::Arc;

use jiff::Timestamp;
use kefu_desk::Store;
use kefu_model::case::IdentityMethod;
use kefu_model::corrections::{CustomerPatch, IdentityRequest, MergeRequest};
use kefu_model::customer::{Customer, CustomerEvent};
use kefu_model::records::{CaseAppend, CustomerWrite, OutboxEntry};
use kefu_model::{Case, CustomerId, DomainError, EventData, Phone, StoreError};

use crate::{Fixture, customer, draft, dump, fixture, import_into};

fn patch(version: i64) -> CustomerPatch {
    CustomerPatch {
        version,
        name: None,
        phones: None,
        emails: None,
        grade: None,
        tags: None,
        notices_opt_out: None,
    }
}

async fn outbox_after(store: &Arc<dyn Store>, after: i64) -> Vec<OutboxEntry> {
    let never: Timestamp = "2100-01-01T00:00:00Z".parse().unwrap();
    store.search_outbox(after, never, 1000).await.unwrap()
}

async fn customer_of(store: &Arc<dyn Store>, id: &CustomerId) -> Customer {
    store.customer_by_id(id).await.unwrap().unwrap()
}

async fn new_case(f: &Fixture, name: &str, phone: &str) -> Case {
    f.desk
        .create_case(&f.agent, draft("查件", customer(name, phone)), None)
        .await
        .unwrap()
        .case
}

pub async fn customers_are_edited_with_their_contacts_and_events(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let a = new_case(&f, "张三", "13800138000").await.customer_id;
    let b = new_case(&f, "李四", "13900139000").await.customer_id;
    let before = customer_of(&store, &a).await;
    assert_eq!(before.version, 1);
    let cursor = outbox_after(&store, 0).await.last().unwrap().id;

    let edited = f
        .desk
        .edit_customer(
            &f.agent,
            a.as_str(),
            CustomerPatch {
                phones: Some(vec!["13600136000".into(), "13800138000".into()]),
                grade: Some(2),
                ..patch(1)
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.version, 2);
    assert_eq!(customer_of(&store, &a).await, edited);
    let found = store
        .customer_by_contact("phone", "13600136000")
        .await
        .unwrap();
    assert_eq!(found.map(|c| c.id), Some(a.clone()));
    let events = store.customer_events(&a).await.unwrap();
    let fields: Vec<(&str, i64, i64)> = events
        .iter()
        .map(|e| (e.field.as_str(), e.seq, e.version))
        .collect();
    assert_eq!(fields, [("phones", 1, 2), ("grade", 2, 2)]);
    assert_eq!(events[1].old, serde_json::json!(3));
    assert_eq!(events[1].actor, "user:agent01");
    let outbox = outbox_after(&store, cursor).await;
    assert!(
        outbox
            .iter()
            .any(|e| e.kind == "customer" && e.entity_id == a.as_str()),
        "{outbox:?}"
    );

    // Dropping a phone frees it.
    let edited = f
        .desk
        .edit_customer(
            &f.agent,
            a.as_str(),
            CustomerPatch {
                phones: Some(vec!["13600136000".into()]),
                ..patch(2)
            },
        )
        .await
        .unwrap();
    assert!(
        store
            .customer_by_contact("phone", "13800138000")
            .await
            .unwrap()
            .is_none()
    );

    // A stale write is refused whole: no record, no contact, no event.
    let stale = CustomerWrite {
        customers: vec![(
            Customer {
                name: "王五".into(),
                phones: vec![Phone::parse("13500135000").unwrap()],
                version: 4,
                ..edited.clone()
            },
            2,
        )],
        events: vec![CustomerEvent {
            customer_id: a.clone(),
            seq: 0,
            version: 4,
            actor: "user:agent01".into(),
            at: f.desk.now(),
            field: "name".into(),
            old: serde_json::json!("张三"),
            new: serde_json::json!("王五"),
            reason: String::new(),
        }],
        cases: Vec::new(),
    };
    assert!(matches!(
        store.write_customers(&stale).await,
        Err(StoreError::VersionConflict)
    ));
    // A contact another customer has is refused whole as well.
    let mut taken = stale.clone();
    taken.customers[0].0.phones = vec![Phone::parse("13900139000").unwrap()];
    taken.customers[0].1 = 3;
    match store.write_customers(&taken).await {
        Err(StoreError::Duplicate(what)) => assert!(what.contains(b.as_str()), "{what}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(customer_of(&store, &a).await, edited);
    assert_eq!(store.customer_events(&a).await.unwrap().len(), 3);
    assert!(
        store
            .customer_by_contact("phone", "13500135000")
            .await
            .unwrap()
            .is_none()
    );
    let owner = store
        .customer_by_contact("phone", "13900139000")
        .await
        .unwrap();
    assert_eq!(owner.map(|c| c.id), Some(b.clone()));

    // The desk names the other customer.
    match f
        .desk
        .edit_customer(
            &f.agent,
            a.as_str(),
            CustomerPatch {
                phones: Some(vec!["13900139000".into()]),
                ..patch(3)
            },
        )
        .await
    {
        Err(DomainError::Conflict { code, message }) => {
            assert_eq!(code, "contact_belongs_to_other_customer");
            assert!(message.contains(b.as_str()), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

pub async fn merging_customers_moves_cases_and_contacts_at_once(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let keep = new_case(&f, "张三", "13800138000").await;
    let gone1 = new_case(&f, "张三", "13900139000").await;
    let gone2 = new_case(&f, "张三", "13900139000").await;
    let (a, b) = (keep.customer_id.clone(), gone1.customer_id.clone());
    let cursor = outbox_after(&store, 0).await.last().unwrap().id;
    let request = || MergeRequest {
        from: b.to_string(),
        reason: "同一人".into(),
    };

    // Agents may not merge.
    assert!(matches!(
        f.desk
            .merge_customers(&f.agent, a.as_str(), request())
            .await,
        Err(DomainError::Forbidden(_))
    ));

    // A merge whose case moved on meanwhile writes nothing at all.
    let survivor = customer_of(&store, &a).await;
    let merged = customer_of(&store, &b).await;
    let moved = |case: &Case, version: i64| {
        let mut projection = case.clone();
        let event = kefu_model::CaseEvent {
            case_id: case.id.clone(),
            seq: version + 1,
            actor: "user:admin".into(),
            at: f.desk.now(),
            data: EventData::CustomerMerged {
                from: b.clone(),
                into: a.clone(),
            },
        };
        projection.apply(&event);
        CaseAppend {
            projection,
            expected_version: version,
            events: vec![event],
        }
    };
    let mut gone_m = merged.clone();
    gone_m.merged_into = Some(a.clone());
    gone_m.phones.clear();
    gone_m.version += 1;
    let broken = CustomerWrite {
        customers: vec![(gone_m, merged.version)],
        events: Vec::new(),
        cases: vec![
            moved(&gone1, gone1.version),
            moved(&gone2, gone2.version - 1),
        ],
    };
    assert!(matches!(
        store.write_customers(&broken).await,
        Err(StoreError::VersionConflict)
    ));
    assert_eq!(customer_of(&store, &b).await, merged);
    assert_eq!(store.case_by_id(&gone1.id).await.unwrap().unwrap(), gone1);
    let owner = store
        .customer_by_contact("phone", "13900139000")
        .await
        .unwrap();
    assert_eq!(owner.map(|c| c.id), Some(b.clone()));

    let kept = f
        .desk
        .merge_customers(&f.admin, a.as_str(), request())
        .await
        .unwrap();
    assert_eq!(kept.version, survivor.version + 1);
    assert_eq!(customer_of(&store, &a).await, kept);
    let phones: Vec<&str> = kept.phones.iter().map(|p| p.as_str()).collect();
    assert_eq!(phones, ["13800138000", "13900139000"]);
    let old = customer_of(&store, &b).await;
    assert_eq!(old.merged_into, Some(a.clone()));
    assert!(old.phones.is_empty());
    let owner = store
        .customer_by_contact("phone", "13900139000")
        .await
        .unwrap();
    assert_eq!(owner.map(|c| c.id), Some(a.clone()));

    for case in [&gone1, &gone2] {
        let now = store.case_by_id(&case.id).await.unwrap().unwrap();
        assert_eq!(now.customer_id, a);
        let events = store.case_events(&case.id).await.unwrap();
        assert_eq!(
            Case::replay(&events).unwrap(),
            now,
            "replay equals projection"
        );
        assert!(matches!(
            &events.last().unwrap().data,
            EventData::CustomerMerged { from, into } if *from == b && *into == a
        ));
    }
    let of_a = store
        .list_cases(&kefu_model::records::CaseQuery {
            customer_id: Some(a.clone()),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(of_a.items.len(), 3);
    let b_history = store.customer_events(&b).await.unwrap();
    assert!(
        b_history
            .iter()
            .any(|e| e.field == "merged_into" && e.reason == "同一人")
    );
    let a_history = store.customer_events(&a).await.unwrap();
    assert!(a_history.iter().any(|e| e.field == "merged_from"));

    let outbox = outbox_after(&store, cursor).await;
    for id in [a.as_str(), b.as_str()] {
        assert!(
            outbox
                .iter()
                .any(|e| e.kind == "customer" && e.entity_id == id),
            "{outbox:?}"
        );
    }
    for id in [gone1.id.as_str(), gone2.id.as_str()] {
        assert!(
            outbox.iter().any(|e| e.kind == "case" && e.entity_id == id),
            "{outbox:?}"
        );
    }

    // Neither into a merged one nor a merged one again, nor into itself.
    let third = new_case(&f, "王五", "13700137000").await.customer_id;
    for (into, from) in [(&b, &third), (&third, &b)] {
        let r = f
            .desk
            .merge_customers(
                &f.admin,
                into.as_str(),
                MergeRequest {
                    from: from.to_string(),
                    reason: String::new(),
                },
            )
            .await;
        assert!(
            matches!(
                &r,
                Err(DomainError::Conflict {
                    code: "customer_merged",
                    ..
                })
            ),
            "{r:?}"
        );
    }
    let r = f
        .desk
        .merge_customers(
            &f.admin,
            a.as_str(),
            MergeRequest {
                from: a.to_string(),
                reason: String::new(),
            },
        )
        .await;
    assert!(matches!(r, Err(DomainError::Invalid { .. })), "{r:?}");
}

pub async fn customer_corrections_survive_export_import(
    store: Arc<dyn Store>,
    target: Arc<dyn Store>,
) {
    let f = fixture(store.clone()).await;
    let keep = new_case(&f, "张三", "13800138000").await;
    let gone = new_case(&f, "张三", "13900139000").await;
    f.desk
        .edit_customer(
            &f.agent,
            keep.customer_id.as_str(),
            CustomerPatch {
                grade: Some(1),
                emails: Some(vec!["zhang@example.cn".into()]),
                ..patch(1)
            },
        )
        .await
        .unwrap();
    f.desk
        .merge_customers(
            &f.admin,
            keep.customer_id.as_str(),
            MergeRequest {
                from: gone.customer_id.to_string(),
                reason: "同一人".into(),
            },
        )
        .await
        .unwrap();
    let confirmed = f
        .desk
        .confirm_identity(
            &f.agent,
            keep.id.as_str(),
            IdentityRequest {
                method: IdentityMethod::Waybill,
                note: "核对运单".into(),
            },
        )
        .await
        .unwrap();
    assert!(confirmed.identity_confirmed.is_some());
    let lines = dump(store.as_ref()).await;
    let customer_events = lines
        .iter()
        .filter(|l| l.contains("\"table\":\"customer_event\""))
        .count();
    assert_eq!(
        customer_events,
        store
            .customer_events(&keep.customer_id)
            .await
            .unwrap()
            .len()
            + store
                .customer_events(&gone.customer_id)
                .await
                .unwrap()
                .len()
    );
    assert!(customer_events >= 4);
    let imported = import_into(store.as_ref(), target.as_ref()).await;
    assert_eq!(dump(target.as_ref()).await, imported);
    assert_eq!(imported, lines);
    // The imported records keep working: the old phone finds the survivor, the version is
    // where it was, and the history continues after the imported one.
    let owner = target
        .customer_by_contact("phone", "13900139000")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(owner.id, keep.customer_id);
    let desk = f.desk.on_store(target.clone());
    let edited = desk
        .edit_customer(
            &f.agent,
            keep.customer_id.as_str(),
            CustomerPatch {
                name: Some("张三丰".into()),
                ..patch(owner.version)
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.version, owner.version + 1);
    let history = target.customer_events(&keep.customer_id).await.unwrap();
    let seqs: Vec<i64> = history.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=history.len() as i64).collect::<Vec<_>>());
}
