//! Couriers' pickups from the network's organisations: dispatch to the outlet serving the
//! sender and the courier of the district, the agreed window, the courier's steps written with
//! their case events, who sees which pickup, and the retired `outlets` setting carried over.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_desk::Store;
use kefu_model::drafts::UserDraft;
use kefu_model::parcels::{CourierStepBody, PickupDraft};
use kefu_model::pickup::{CourierStep, PickupQuery, PickupStatus};
use kefu_model::{Actor, Category, Channel, DomainError, EventData, Role};
use serde_json::json;

use crate::parcels::outlet;
use crate::{fixture, start_time};

fn booking(address: &str) -> PickupDraft {
    serde_json::from_value(json!({
        "sender": {"name": "王小明", "phone": "13812345678", "address": address},
        "recipient_address": "上海市浦东新区世纪大道100号",
        "item": "衣服", "weight_kg": 2
    }))
    .unwrap()
}

async fn login(f: &crate::Fixture, username: &str, role: Role, org: &str) -> Actor {
    let user = f
        .desk
        .create_user(
            Some(&f.admin),
            UserDraft {
                username: username.into(),
                password: "a-long-password".into(),
                role,
                display_name: None,
                department: Some(org.into()),
            },
        )
        .await
        .unwrap();
    Actor::of(&user)
}

/// The Beijing centre with Chaoyang (two couriers: one for 建外, one for the rest) and Haidian.
async fn beijing(f: &crate::Fixture) -> (Actor, Actor, Actor, Actor) {
    let centre: kefu_model::network::OrganisationDraft = serde_json::from_value(json!({
        "key": "bj-hub", "name": "北京分拨中心", "kind": "sorting_center", "districts": ["11"]}))
    .unwrap();
    f.desk
        .save_organisation(&f.admin, None, centre)
        .await
        .unwrap();
    outlet(
        &f.desk,
        &f.admin,
        json!({"key": "bj-cy", "name": "北京朝阳网点", "parent": "bj-hub", "districts": ["110105"]}),
    )
    .await;
    outlet(
        &f.desk,
        &f.admin,
        json!({"key": "bj-hd", "name": "北京海淀网点", "parent": "bj-hub", "districts": ["110108"],
            "couriers": [{"id": "h1", "name": "海淀师傅", "phone": "13500000009"}]}),
    )
    .await;
    let wang = login(f, "wang", Role::Courier, "bj-cy").await;
    let li = login(f, "li", Role::Courier, "bj-cy").await;
    let hd_courier = login(f, "hdc", Role::Courier, "bj-hd").await;
    let cy = f.desk.get_organisation(&f.admin, "bj-cy").await.unwrap();
    let draft: kefu_model::network::OrganisationDraft = serde_json::from_value(json!({
        "key": "bj-cy", "name": "北京朝阳网点", "kind": "outlet", "parent": "bj-hub",
        "districts": ["110105"], "version": cy.version,
        "couriers": [
            {"id": "w", "name": "王师傅", "phone": "13500000001", "username": "wang"},
            {"id": "l", "name": "李师傅", "phone": "13500000002", "districts": ["110105"], "username": "li"}]}))
    .unwrap();
    f.desk
        .save_organisation(&f.admin, Some("bj-cy"), draft)
        .await
        .unwrap();
    let hd = f.desk.get_organisation(&f.admin, "bj-hd").await.unwrap();
    let draft: kefu_model::network::OrganisationDraft = serde_json::from_value(json!({
        "key": "bj-hd", "name": "北京海淀网点", "kind": "outlet", "parent": "bj-hub",
        "districts": ["110108"], "version": hd.version,
        "couriers": [{"id": "h1", "name": "海淀师傅", "phone": "13500000009", "username": "hdc"}]}))
    .unwrap();
    f.desk
        .save_organisation(&f.admin, Some("bj-hd"), draft)
        .await
        .unwrap();
    let hub_manager = login(f, "hubboss", Role::OutletManager, "bj-hub").await;
    (wang, li, hd_courier, hub_manager)
}

/// A booking goes to the outlet serving the sender and the courier of the district, on the
/// outlet's calendar and not before the agreed window; a pickup booked without a case gets one
/// (category pickup, channel api) and every step is a `pickup_progress` event written with it.
pub async fn pickups_go_to_the_networks_couriers_who_take_their_steps(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    f.desk.install_builtin_calendars().await.unwrap();
    let (wang, li, hd_courier, hub_manager) = beijing(&f).await;
    // No outlet serves Shanghai: booked, not dispatched; the desk's dispatch is 409 no_outlet.
    let undispatched = f
        .desk
        .book_pickup(&f.agent, booking("上海市浦东新区张江路1号"))
        .await
        .unwrap();
    assert_eq!(undispatched.status, PickupStatus::Booked);
    let change = kefu_model::parcels::PickupStatusChange {
        status: PickupStatus::Dispatched,
        note: String::new(),
        courier: None,
        waybill_no: None,
    };
    match f
        .desk
        .change_pickup(&f.agent, &undispatched.id, change)
        .await
    {
        Err(DomainError::Conflict { code, message }) => {
            assert_eq!(code, "no_outlet");
            assert!(message.contains("organisations"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // Chaoyang, with the window agreed for tomorrow morning.
    let mut draft = booking("北京市朝阳区建国门外大街1号");
    let from = start_time() + SignedDuration::from_hours(24);
    draft.window_from = Some(from);
    draft.window_to = Some(from + SignedDuration::from_hours(2));
    let pickup = f.desk.book_pickup(&f.agent, draft).await.unwrap();
    assert_eq!(pickup.status, PickupStatus::Dispatched);
    assert_eq!(pickup.outlet.as_deref(), Some("bj-cy"));
    let cy = f.desk.get_organisation(&f.admin, "bj-cy").await.unwrap();
    assert_eq!(pickup.organisation_id.as_ref(), Some(&cy.id));
    assert_eq!(
        pickup.courier.as_ref().map(|c| c.id.as_str()),
        Some("l"),
        "the courier responsible for the district"
    );
    assert_eq!(
        pickup.estimated_pickup_at,
        Some(from),
        "not before the window"
    );
    assert_eq!(pickup.window_from, Some(from));
    // Its case: opened for the pickup, for the customer with the sender's phone.
    let case_id = pickup.case_id.clone().expect("a case for every pickup");
    let case = store.case_by_id(&case_id).await.unwrap().unwrap();
    assert_eq!(case.category, Category::Pickup);
    assert_eq!(case.channel, Channel::Api);
    assert_eq!(case.subject, format!("上门取件 {}", pickup.number));
    assert_eq!(pickup.customer_id.as_ref(), Some(&case.customer_id));
    // A bad window is refused and writes nothing.
    let pickups_before = store
        .list_pickups(&PickupQuery::default())
        .await
        .unwrap()
        .len();
    for (from, to, field) in [
        (
            start_time() + SignedDuration::from_hours(3),
            start_time() + SignedDuration::from_hours(2),
            "window_to",
        ),
        (
            start_time() - SignedDuration::from_hours(3),
            start_time() - SignedDuration::from_hours(2),
            "window_to",
        ),
        (
            start_time() + SignedDuration::from_hours(24 * 8),
            start_time() + SignedDuration::from_hours(24 * 8 + 2),
            "window_from",
        ),
    ] {
        let mut draft = booking("北京市朝阳区建国门外大街1号");
        draft.window_from = Some(from);
        draft.window_to = Some(to);
        match f.desk.book_pickup(&f.agent, draft).await {
            Err(DomainError::Invalid { field: got, .. }) => assert_eq!(got, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert_eq!(
        store
            .list_pickups(&PickupQuery::default())
            .await
            .unwrap()
            .len(),
        pickups_before
    );

    // Who sees it: its courier and the centre's manager; not the other courier of the outlet,
    // nor Haidian's.
    assert_eq!(
        f.desk.get_pickup(&li, &pickup.id).await.unwrap().id,
        pickup.id
    );
    assert_eq!(
        f.desk
            .get_pickup(&hub_manager, &pickup.number)
            .await
            .unwrap()
            .id,
        pickup.id
    );
    for other in [&wang, &hd_courier] {
        assert!(matches!(
            f.desk.get_pickup(other, &pickup.id).await,
            Err(DomainError::Forbidden(_))
        ));
        assert!(matches!(
            f.desk
                .courier_step(
                    other,
                    &pickup.id,
                    CourierStep::Accept,
                    CourierStepBody::default()
                )
                .await,
            Err(DomainError::Forbidden(_))
        ));
        assert!(
            f.desk
                .list_pickups(other, &PickupQuery::default())
                .await
                .unwrap()
                .is_empty(),
            "another courier lists none of it"
        );
    }
    let listed = f
        .desk
        .list_pickups(&li, &PickupQuery::default())
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
        vec![pickup.id.clone()]
    );
    assert!(matches!(
        f.desk
            .list_pickups(
                &li,
                &PickupQuery {
                    courier: Some("w".into()),
                    ..PickupQuery::default()
                }
            )
            .await,
        Err(DomainError::Forbidden(_))
    ));
    // The courier's steps, each on the case in the same write; out of order is 409.
    assert!(matches!(
        f.desk
            .courier_step(
                &li,
                &pickup.id,
                CourierStep::Arrive,
                CourierStepBody::default()
            )
            .await,
        Err(DomainError::Conflict { .. })
    ));
    let body = |note: &str| CourierStepBody {
        note: note.into(),
        waybill_no: None,
    };
    f.clock.advance(SignedDuration::from_mins(5));
    let accepted = f
        .desk
        .courier_step(&li, &pickup.id, CourierStep::Accept, body(""))
        .await
        .unwrap();
    assert_eq!(accepted.status, PickupStatus::Accepted);
    f.desk
        .courier_step(&li, &pickup.id, CourierStep::Arrive, body(""))
        .await
        .unwrap();
    // Failing needs a reason; a refused step writes nothing.
    let events_before = store.case_events(&case_id).await.unwrap().len();
    match f
        .desk
        .courier_step(&li, &pickup.id, CourierStep::Fail, body("  "))
        .await
    {
        Err(DomainError::Invalid { field, .. }) => assert_eq!(field, "note"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store.case_events(&case_id).await.unwrap().len(),
        events_before
    );
    let waybill = crate::own_waybill(51);
    let collected = f
        .desk
        .courier_step(
            &li,
            &pickup.id,
            CourierStep::Collect,
            CourierStepBody {
                note: String::new(),
                waybill_no: Some(waybill.clone()),
            },
        )
        .await
        .unwrap();
    assert_eq!(collected.status, PickupStatus::PickedUp);
    assert_eq!(collected.waybill_no.as_deref(), Some(waybill.as_str()));
    assert_eq!(
        store.pickup(&pickup.id).await.unwrap().unwrap(),
        collected,
        "stored as answered"
    );
    let events = store.case_events(&case_id).await.unwrap();
    let steps: Vec<PickupStatus> = events
        .iter()
        .filter_map(|e| match &e.data {
            EventData::PickupProgress {
                status,
                number,
                courier_name,
                ..
            } => {
                assert_eq!(*number, pickup.number);
                assert_eq!(courier_name, "李师傅");
                Some(*status)
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            PickupStatus::Dispatched,
            PickupStatus::Accepted,
            PickupStatus::Arrived,
            PickupStatus::PickedUp
        ]
    );
    let stored = store.case_by_id(&case_id).await.unwrap().unwrap();
    assert_eq!(kefu_model::Case::replay(&events).as_ref(), Some(&stored));
    // Customer service keeps the status endpoint; couriers do not.
    let cancel = kefu_model::parcels::PickupStatusChange {
        status: PickupStatus::Cancelled,
        note: String::new(),
        courier: None,
        waybill_no: None,
    };
    assert!(matches!(
        f.desk.change_pickup(&li, &undispatched.id, cancel).await,
        Err(DomainError::Forbidden(_))
    ));
    // An agent may not take the courier's steps (an admin or supervisor may record one).
    assert!(matches!(
        f.desk
            .courier_step(&f.agent, &pickup.id, CourierStep::Fail, body("x"))
            .await,
        Err(DomainError::Forbidden(_))
    ));
}

/// An installation that kept its outlets in the retired setting finds them in the network
/// after its next start, couriers included, and the setting emptied; once only.
pub async fn the_outlets_setting_is_carried_into_the_network_once(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    f.desk.install_builtin_calendars().await.unwrap();
    let editor = kefu_model::history::Editor {
        actor: "user:admin".into(),
        at: start_time(),
    };
    store
        .put_setting(
            "outlets",
            &json!({"outlets": [
                {"key": "sz-nanshan", "name": "深圳南山网点", "districts": ["440305"], "lead_minutes": 90,
                 "couriers": [{"id": "c1", "name": "陈师傅", "phone": "13500000001"}]},
                {"key": "ops", "name": "与部门同名", "districts": ["440304"]}
            ]}),
            start_time(),
            Some(&editor),
        )
        .await
        .unwrap();
    let (imported, refused) = f.desk.import_legacy_outlets().await.unwrap();
    assert_eq!(imported, vec!["sz-nanshan".to_string()]);
    assert_eq!(refused.len(), 1, "a key taken by a department: {refused:?}");
    let org = f
        .desk
        .get_organisation(&f.admin, "sz-nanshan")
        .await
        .unwrap();
    assert_eq!(org.kind, kefu_model::network::OrgKind::Outlet);
    assert_eq!(org.lead_minutes, 90);
    assert_eq!(org.couriers[0].id, "c1");
    assert_eq!(
        store.setting("outlets").await.unwrap(),
        Some(json!({"outlets": []}))
    );
    let pickup = f
        .desk
        .book_pickup(&f.agent, booking("深圳市南山区科技园科苑路15号"))
        .await
        .unwrap();
    assert_eq!(pickup.outlet.as_deref(), Some("sz-nanshan"));
    assert_eq!(pickup.courier.map(|c| c.id), Some("c1".to_string()));
    let (again, _) = f.desk.import_legacy_outlets().await.unwrap();
    assert!(again.is_empty());
    assert_eq!(f.desk.network().await.unwrap().organisations.len(), 1);
}
