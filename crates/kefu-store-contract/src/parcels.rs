//! Contract checks for shipments, tracking queries, settings, pickups and claims.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_desk::Store;
use kefu_model::parcels::{ClaimDraft, ClaimStep, ImportRow, OpenCaseRequest, TrackingQuery};
use kefu_model::shipment::{ScanDraft, ShipmentDraft, ShipmentStatus};
use kefu_model::tracking::{Issue, Outcome};
use kefu_model::{Category, DomainError, Priority, Role, StoreError};
use serde_json::json;

use crate::{customer, draft, fixture, start_time};

/// A valid own-format number: `YL` + 12 digits + their Luhn check digit.
pub fn own_waybill(serial: u64) -> String {
    let body = format!("{serial:012}");
    let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
    format!("YL{body}{}", kefu_model::waybill::luhn_digit(&digits))
}

pub fn shipment_json(
    waybill: &str,
    sender_phone: &str,
    recipient_phone: &str,
) -> serde_json::Value {
    json!({
        "waybill_no": waybill,
        "sender": {"name": "张三", "phone": sender_phone, "address": "广东省深圳市南山区科技园科苑路15号"},
        "recipient": {"name": "李四", "phone": recipient_phone, "address": "北京市朝阳区建国路88号SOHO现代城"},
        "item": "衣服", "weight_kg": 1.2, "pieces": 1, "declared_value": 300, "insured": true, "freight": 18,
        "shipped_at": "2026-11-22T02:00:00Z", "promised_at": "2026-11-25T10:00:00Z"
    })
}

fn shipment_draft(v: serde_json::Value) -> ShipmentDraft {
    serde_json::from_value(v).unwrap()
}

fn scan(at: &str, code: &str, location: &str) -> ScanDraft {
    serde_json::from_value(json!({"at": at, "code": code, "location": location, "description": format!("{location} {code}")}))
        .unwrap()
}

/// Upsert, idempotent scans, derived status, concurrent scan batches all kept.
pub async fn shipments_keep_every_scan_once(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let no = own_waybill(1);
    let d = shipment_draft(shipment_json(&no, "13800138000", "13900139000"));
    let w = f.desk.upsert_shipment(&f.admin, &d).await.unwrap();
    assert!(w.created);
    assert_eq!(w.shipment.status, ShipmentStatus::Created);
    assert_eq!(
        w.shipment.sender.region.district.as_ref().unwrap().code,
        "440305"
    );
    let again = f.desk.upsert_shipment(&f.admin, &d).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.shipment.version, 2);
    // Agents read but do not feed the ops data.
    assert!(matches!(
        f.desk.upsert_shipment(&f.agent, &d).await,
        Err(DomainError::Forbidden(_))
    ));
    let batch = vec![
        scan("2026-11-22T03:00:00Z", "picked_up", "深圳南山网点"),
        scan("2026-11-22T10:00:00Z", "at_hub", "深圳转运中心"),
    ];
    let w = f.desk.add_scans(&f.admin, &no, &batch).await.unwrap();
    assert_eq!((w.added, w.duplicates), (2, 0));
    assert_eq!(w.shipment.status, ShipmentStatus::AtHub);
    let w = f.desk.add_scans(&f.admin, &no, &batch).await.unwrap();
    assert_eq!(
        (w.added, w.duplicates),
        (0, 2),
        "the same scans twice are stored once"
    );
    // Two nodes adding different scans at once: both kept.
    let other = f.desk.another_node();
    let a = [scan("2026-11-23T01:00:00Z", "in_transit", "广州")];
    let b = [scan("2026-11-23T09:00:00Z", "at_hub", "北京转运中心")];
    let (ra, rb) = tokio::join!(
        f.desk.add_scans(&f.admin, &no, &a),
        other.add_scans(&f.admin, &no, &b)
    );
    ra.unwrap();
    rb.unwrap();
    let stored = f.desk.get_shipment(&f.agent, &no).await.unwrap();
    assert_eq!(stored.events.len(), 4);
    assert_eq!(stored.status, ShipmentStatus::AtHub);
    assert_eq!(
        stored.last_scan_at,
        Some("2026-11-23T09:00:00Z".parse().unwrap())
    );
    // Scans for an unknown waybill: not found, nothing written.
    assert!(matches!(
        f.desk.add_scans(&f.admin, &own_waybill(2), &a).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(store.shipment(&own_waybill(2)).await.unwrap().is_none());
    // A stale version is refused by the store.
    let mut stale = stored.clone();
    stale.version += 1;
    assert!(matches!(
        store
            .put_shipments(vec![(stale, Some(stored.version - 1))], Vec::new())
            .await,
        Err(StoreError::VersionConflict)
    ));
}

/// A bulk import reports bad rows by index and writes the rest.
pub async fn shipment_import_skips_only_bad_rows(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let mut bad = shipment_json(&own_waybill(11), "13800138000", "13900139000");
    bad["weight_kg"] = json!(-2);
    let rows = vec![
        ImportRow::Shipment(Box::new(shipment_draft(shipment_json(
            &own_waybill(10),
            "13800138000",
            "13900139000",
        )))),
        ImportRow::Shipment(Box::new(shipment_draft(bad))),
        ImportRow::Scans {
            waybill_no: own_waybill(10),
            scans: vec![scan("2026-11-22T03:00:00Z", "picked_up", "深圳")],
        },
        ImportRow::Scans {
            waybill_no: own_waybill(12),
            scans: vec![scan("2026-11-22T03:00:00Z", "picked_up", "深圳")],
        },
        ImportRow::Scans {
            waybill_no: own_waybill(10),
            scans: vec![scan("2026-11-22T03:00:00Z", "teleported", "深圳")],
        },
    ];
    let errors = f.desk.import_shipments(&f.admin, rows).await.unwrap();
    let failed: Vec<usize> = errors
        .iter()
        .enumerate()
        .filter(|(_, e)| e.is_some())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(failed, vec![1, 3, 4]);
    let s = store.shipment(&own_waybill(10)).await.unwrap().unwrap();
    assert_eq!(
        (s.status, s.events.len(), s.version),
        (ShipmentStatus::PickedUp, 1, 1)
    );
    assert!(store.shipment(&own_waybill(11)).await.unwrap().is_none());
}

/// Each tracking outcome, the masked no-number search, and a case opened from a query.
pub async fn tracking_queries_answer_and_open_cases(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    // start_time is 2026-11-24T02:00Z.
    let moving = own_waybill(20);
    let stuck = own_waybill(21);
    let late = own_waybill(22);
    let delivered = own_waybill(23);
    let old = own_waybill(24);
    for no in [&moving, &stuck, &late, &delivered] {
        let mut v = shipment_json(no, "13800138000", "13900139000");
        if *no == late {
            v["promised_at"] = json!("2026-11-23T10:00:00Z");
        }
        f.desk
            .upsert_shipment(&f.admin, &shipment_draft(v))
            .await
            .unwrap();
    }
    let mut v = shipment_json(&old, "13800138000", "13700137000");
    v["shipped_at"] = json!("2025-10-01T02:00:00Z");
    v["promised_at"] = json!("2025-10-03T02:00:00Z");
    f.desk
        .upsert_shipment(&f.admin, &shipment_draft(v))
        .await
        .unwrap();
    let pick = scan("2026-11-22T03:00:00Z", "picked_up", "深圳南山网点");
    for no in [&moving, &stuck, &late, &delivered] {
        f.desk
            .add_scans(&f.admin, no, std::slice::from_ref(&pick))
            .await
            .unwrap();
    }
    f.desk
        .add_scans(
            &f.admin,
            &moving,
            &[scan("2026-11-23T20:00:00Z", "in_transit", "武汉")],
        )
        .await
        .unwrap();
    f.desk
        .add_scans(
            &f.admin,
            &late,
            &[scan("2026-11-23T20:00:00Z", "in_transit", "武汉")],
        )
        .await
        .unwrap();
    f.desk
        .add_scans(
            &f.admin,
            &delivered,
            &[scan("2026-11-23T09:00:00Z", "delivered", "北京朝阳")],
        )
        .await
        .unwrap();
    let ask = |no: &str| TrackingQuery {
        waybill_no: Some(no.to_string()),
        ..TrackingQuery::default()
    };
    let outcome = |q| async { f.desk.tracking_query(&f.agent, q).await.unwrap() };
    assert_eq!(outcome(ask(&moving)).await.outcome, Outcome::WithResult);
    let a = outcome(ask(&stuck)).await;
    assert_eq!(a.outcome, Outcome::NoResult);
    assert_eq!(a.shipment.as_ref().unwrap().recipient.phone, "139****9000");
    assert_eq!(outcome(ask(&late)).await.outcome, Outcome::Delay);
    assert_eq!(outcome(ask(&old)).await.outcome, Outcome::Expired);
    assert_eq!(
        outcome(ask(&own_waybill(99))).await.outcome,
        Outcome::NotFound
    );
    let sf = outcome(ask("SF1234567890123")).await;
    assert_eq!(sf.outcome, Outcome::OtherCarrier);
    assert_eq!(sf.carrier.as_ref().map(|c| c.carrier), Some("sf"));
    // No number: the phone finds the parcels, masked; other facts narrow them.
    let by_phone = outcome(TrackingQuery {
        phone: Some("13900139000".into()),
        ..TrackingQuery::default()
    })
    .await;
    assert_eq!(by_phone.outcome, Outcome::FoundByFacts);
    assert_eq!(by_phone.matches.len(), 4);
    assert!(by_phone.matches.iter().all(|m| m.sender.name == "张*"));
    let wrong_name = outcome(TrackingQuery {
        phone: Some("13900139000".into()),
        name: Some("王五".into()),
        ..TrackingQuery::default()
    })
    .await;
    assert_eq!(wrong_name.outcome, Outcome::NotFound);
    assert!(wrong_name.matches.is_empty());
    let by_date = outcome(TrackingQuery {
        phone: Some("13700137000".into()),
        date: Some("2025-10-01".parse().unwrap()),
        ..TrackingQuery::default()
    })
    .await;
    assert_eq!(by_date.matches.len(), 1);
    // A delay opens a delay case linked to the parcel with a promised reply time.
    let with_case = f
        .desk
        .tracking_query(
            &f.agent,
            TrackingQuery {
                open_case: Some(OpenCaseRequest {
                    phone: Some("13900139000".into()),
                    ..OpenCaseRequest::default()
                }),
                ..ask(&late)
            },
        )
        .await
        .unwrap();
    let case = with_case.case.unwrap();
    assert_eq!(
        (case.category, case.priority),
        (Category::Delay, Priority::P2)
    );
    assert_eq!(case.waybill_nos, vec![late.clone()]);
    assert_eq!(case.commitments.len(), 1);
    assert_eq!(
        case.commitments[0].due_at,
        start_time() + SignedDuration::from_hours(24)
    );
    // Delivered but not received: a lost-parcel case, high priority.
    let lost = f
        .desk
        .tracking_query(
            &f.agent,
            TrackingQuery {
                issue: Some(Issue::NotReceived),
                open_case: Some(OpenCaseRequest {
                    phone: Some("13900139000".into()),
                    ..OpenCaseRequest::default()
                }),
                ..ask(&delivered)
            },
        )
        .await
        .unwrap();
    let case = lost.case.unwrap();
    assert_eq!(
        (case.category, case.priority),
        (Category::Lost, Priority::P2)
    );
    // A query without a number or a phone is refused.
    assert!(matches!(
        f.desk
            .tracking_query(&f.agent, TrackingQuery::default())
            .await,
        Err(DomainError::Invalid { .. })
    ));
}

/// A case created with a waybill number in its text is linked to it.
pub async fn intake_links_waybills_in_text(store: Arc<dyn Store>) {
    let f = fixture(store).await;
    let no = own_waybill(30);
    let mut d = draft("包裹一直没到", customer("赵敏", "13600136000"));
    d.description = format!("我的快递单号是{no}，已经五天了，电话13600136000");
    let case = f.desk.create_case(&f.agent, d, None).await.unwrap().case;
    assert_eq!(case.waybill_nos, vec![no.clone()]);
    // A later customer message naming another parcel links that one too; staff text does not.
    let second = own_waybill(31);
    let message = |body: String, from_customer| kefu_model::drafts::MessageDraft {
        body,
        visibility: kefu_model::Visibility::Public,
        from_customer,
        call: false,
    };
    let staff = own_waybill(32);
    f.desk
        .add_message(
            &f.agent,
            case.id.as_str(),
            message(format!("请核对 {staff}"), false),
        )
        .await
        .unwrap();
    let (case, _) = f
        .desk
        .add_message(
            &f.agent,
            case.id.as_str(),
            message(format!("还有一个单号 {second} 也没到"), true),
        )
        .await
        .unwrap();
    assert_eq!(case.waybill_nos, vec![no, second]);
}

/// Settings are validated, stored and read back; the defaults apply before any is stored.
pub async fn settings_are_validated_and_stored(store: Arc<dyn Store>) {
    let f = fixture(store).await;
    let tracking = f.desk.get_setting(&f.agent, "tracking").await.unwrap();
    assert_eq!(tracking["no_result_after_hours"], 24);
    let mut changed = tracking.clone();
    changed["no_result_after_hours"] = json!(36);
    assert!(matches!(
        f.desk
            .put_setting(&f.agent, "tracking", changed.clone())
            .await,
        Err(DomainError::Forbidden(_))
    ));
    f.desk
        .put_setting(&f.admin, "tracking", changed)
        .await
        .unwrap();
    assert_eq!(
        f.desk.get_setting(&f.agent, "tracking").await.unwrap()["no_result_after_hours"],
        36
    );
    let mut bad = tracking;
    bad["expire_after_days"] = json!(0);
    match f.desk.put_setting(&f.admin, "tracking", bad).await {
        Err(DomainError::Invalid { field, .. }) => assert_eq!(field, "expire_after_days"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        f.desk.get_setting(&f.agent, "nonsense").await,
        Err(DomainError::NotFound(_))
    ));
}

/// Claims move opened → proposed → approved → paid with the right roles; a step past its due
/// time is recorded once and notifies.
pub async fn claims_follow_their_steps_and_clocks(store: Arc<dyn Store>) {
    use kefu_model::claim::{ClaimKind, ClaimState};
    use kefu_model::drafts::UserDraft;
    let f = fixture(store.clone()).await;
    let no = own_waybill(40);
    f.desk
        .upsert_shipment(
            &f.admin,
            &shipment_draft(shipment_json(&no, "13800138000", "13900139000")),
        )
        .await
        .unwrap();
    let mut d = draft("包裹丢失", customer("李四", "13900139000"));
    d.waybill_no = Some(no.clone());
    let case = f.desk.create_case(&f.agent, d, None).await.unwrap().case;
    let id = case.id.to_string();
    let mk = |name: &str, role| UserDraft {
        username: name.into(),
        password: "long-password".into(),
        role,
        display_name: None,
        department: None,
    };
    let sup = kefu_model::Actor::of(
        &f.desk
            .create_user(Some(&f.admin), mk("sup01", Role::Supervisor))
            .await
            .unwrap(),
    );
    let fin = kefu_model::Actor::of(
        &f.desk
            .create_user(Some(&f.admin), mk("fin01", Role::Finance))
            .await
            .unwrap(),
    );
    let (case, claim_id) = f
        .desk
        .open_claim(
            &f.agent,
            &id,
            ClaimDraft {
                waybill_no: None,
                kind: ClaimKind::Lost,
                claimed_amount: 500.into(),
                declared_value: None,
                insured: None,
                freight: None,
                evidence: vec![],
            },
        )
        .await
        .unwrap();
    let claim = &case.claims[0];
    assert_eq!(
        (claim.insured, claim.declared_value),
        (true, Some(300.into())),
        "from the shipment"
    );
    let step = |actor, step: &'static str, body: ClaimStep| {
        let desk = f.desk.clone();
        let id = id.clone();
        let claim_id = claim_id.clone();
        async move { desk.claim_step(actor, &id, &claim_id, step, body).await }
    };
    // Approving before a proposal is a conflict; an agent cannot approve.
    assert!(matches!(
        step(&sup, "approve", ClaimStep::default()).await,
        Err(DomainError::Conflict { .. })
    ));
    let proposal = ClaimStep {
        loss_amount: Some(450.into()),
        ..ClaimStep::default()
    };
    let case = step(&f.agent, "propose", proposal).await.unwrap();
    assert_eq!(
        case.claims[0].compensation,
        Some(300.into()),
        "capped at the declared value"
    );
    assert!(matches!(
        step(&f.agent, "approve", ClaimStep::default()).await,
        Err(DomainError::Forbidden(_))
    ));
    let case = step(&sup, "approve", ClaimStep::default()).await.unwrap();
    assert_eq!(case.claims[0].state, ClaimState::Approved);
    // Finance is late: the pay step (72 h) falls due once.
    f.clock.advance(SignedDuration::from_hours(73));
    // Two nodes' timer loops, twice: the step is recorded overdue once.
    f.desk.fire_due_timers(100).await.unwrap();
    f.desk.fire_due_timers(100).await.unwrap();
    let events = store.case_events(&case.id).await.unwrap();
    let overdue = events
        .iter()
        .filter(|e| e.data.type_name() == "claim_overdue")
        .count();
    assert_eq!(overdue, 1);
    assert!(matches!(
        step(&fin, "pay", ClaimStep::default()).await,
        Err(DomainError::Invalid { .. })
    ));
    let paid = step(
        &fin,
        "pay",
        ClaimStep {
            reference: Some("PAY-2026-0001".into()),
            ..ClaimStep::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(paid.claims[0].state, ClaimState::Paid);
    let types: Vec<&str> = store
        .case_events(&case.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.data.type_name())
        .filter(|t| t.starts_with("claim_"))
        .collect();
    assert_eq!(
        types,
        vec![
            "claim_opened",
            "claim_proposed",
            "claim_approved",
            "claim_overdue",
            "claim_paid"
        ]
    );
}

/// An outlet of the network (kind outlet) from its JSON draft.
pub(crate) async fn outlet(
    desk: &kefu_desk::Desk,
    admin: &kefu_model::Actor,
    draft: serde_json::Value,
) -> kefu_model::network::Organisation {
    let mut draft = draft;
    draft["kind"] = json!("outlet");
    let draft: kefu_model::network::OrganisationDraft = serde_json::from_value(draft).unwrap();
    desk.save_organisation(admin, None, draft).await.unwrap()
}

fn pickup_draft(address: &str, item: &str) -> kefu_model::parcels::PickupDraft {
    serde_json::from_value(json!({
        "sender": {"name": "王小明", "phone": "13812345678", "address": address},
        "recipient_address": "北京市朝阳区建国路88号",
        "item": item, "weight_kg": 2.3, "dimensions_cm": [30, 20, 10], "pieces": 1
    }))
    .unwrap()
}

/// Quotes price by zone and weight; bookings go to the outlet and the least busy courier of
/// the sender's district, or wait for a person when an item is restricted.
pub async fn pickups_are_quoted_dispatched_and_tracked(store: Arc<dyn Store>) {
    use kefu_model::parcels::{PickupStatusChange, QuoteInput};
    use kefu_model::pickup::{PickupQuery, PickupStatus};
    let f = fixture(store.clone()).await;
    f.desk.install_builtin_calendars().await.unwrap();
    let input: QuoteInput = serde_json::from_value(json!({
        "origin": "深圳市南山区科技园", "destination": "北京市朝阳区建国路88号",
        "weight_kg": 2.3, "dimensions_cm": [60, 50, 40], "item": "衣服和充电宝"
    }))
    .unwrap();
    let quote = f.desk.quote(&f.agent, &input).await.unwrap();
    assert_eq!(
        quote["volumetric_weight_kg"], "20",
        "60×50×40 / 6000: {quote}"
    );
    assert_eq!(quote["chargeable_weight_kg"], "20");
    assert_eq!(quote["total"], "129.00", "cross-province ¥15 + 19 × ¥6");
    assert_eq!(quote["covered"], true);
    assert_eq!(quote["prohibited"][0]["keyword"], "充电宝");
    assert_eq!(quote["origin_region"]["district"]["code"], "440305");
    let unknown: QuoteInput = serde_json::from_value(json!({
        "origin": "火星基地一号", "destination": "北京市朝阳区", "weight_kg": 1
    }))
    .unwrap();
    match f.desk.quote(&f.agent, &unknown).await {
        Err(DomainError::Invalid { field, .. }) => assert_eq!(field, "origin"),
        other => panic!("{other:?}"),
    }
    outlet(
        &f.desk,
        &f.admin,
        json!({"key": "sz-nanshan", "name": "深圳南山网点", "districts": ["440305"], "couriers": [
            {"id": "c1", "name": "陈师傅", "phone": "13500000001"},
            {"id": "c2", "name": "刘师傅", "phone": "13500000002"}]}),
    )
    .await;
    outlet(
        &f.desk,
        &f.admin,
        json!({"key": "sz", "name": "深圳市区网点", "districts": ["4403"], "couriers": [
            {"id": "c9", "name": "黄师傅", "phone": "13500000009"}]}),
    )
    .await;
    let a = f
        .desk
        .book_pickup(
            &f.agent,
            pickup_draft("深圳市南山区科技园科苑路15号", "衣服"),
        )
        .await
        .unwrap();
    let b = f
        .desk
        .book_pickup(&f.agent, pickup_draft("广东省深圳市南山区粤海街道", "文件"))
        .await
        .unwrap();
    assert_eq!(a.status, PickupStatus::Dispatched);
    assert_eq!(
        a.outlet.as_deref(),
        Some("sz-nanshan"),
        "the most specific outlet"
    );
    let couriers: Vec<String> = [&a, &b]
        .iter()
        .map(|p| p.courier.as_ref().unwrap().id.clone())
        .collect();
    assert_eq!(couriers, vec!["c1", "c2"], "spread over the couriers");
    assert!(a.estimated_pickup_at.unwrap() > start_time());
    assert!(a.number.starts_with("PU20261124"));
    let futian = f
        .desk
        .book_pickup(&f.agent, pickup_draft("深圳市福田区深南大道1号", "衣服"))
        .await
        .unwrap();
    assert_eq!(futian.outlet.as_deref(), Some("sz"));
    // A restricted item waits for a person.
    let flagged = f
        .desk
        .book_pickup(&f.agent, pickup_draft("深圳市南山区科技园", "锂电池组两个"))
        .await
        .unwrap();
    assert_eq!(
        (flagged.status, flagged.review_required),
        (PickupStatus::Booked, true)
    );
    // Outside coverage: refused, nothing stored.
    let before = store
        .list_pickups(&PickupQuery::default())
        .await
        .unwrap()
        .len();
    match f
        .desk
        .book_pickup(&f.agent, pickup_draft("香港特别行政区九龙城区", "衣服"))
        .await
    {
        Err(DomainError::Invalid { field, .. }) => assert_eq!(field, "sender.address"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store
            .list_pickups(&PickupQuery::default())
            .await
            .unwrap()
            .len(),
        before
    );
    // The courier's task list, then the order moves on.
    let tasks = f
        .desk
        .list_pickups(
            &f.agent,
            &PickupQuery {
                courier: Some("c1".into()),
                status: Some(PickupStatus::Dispatched),
                ..PickupQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        tasks.iter().map(|p| p.number.clone()).collect::<Vec<_>>(),
        vec![a.number.clone()]
    );
    let change = |status, waybill: Option<String>| PickupStatusChange {
        status,
        note: String::new(),
        courier: None,
        waybill_no: waybill,
    };
    let done = f
        .desk
        .change_pickup(
            &f.agent,
            &a.number,
            change(PickupStatus::PickedUp, Some(own_waybill(50))),
        )
        .await
        .unwrap();
    assert_eq!(
        (done.status, done.waybill_no.clone()),
        (PickupStatus::PickedUp, Some(own_waybill(50)))
    );
    assert!(matches!(
        f.desk
            .change_pickup(&f.agent, &a.number, change(PickupStatus::Cancelled, None))
            .await,
        Err(DomainError::Conflict { .. })
    ));
    let dispatched = f
        .desk
        .change_pickup(
            &f.agent,
            &flagged.id,
            change(PickupStatus::Dispatched, None),
        )
        .await
        .unwrap();
    assert_eq!(dispatched.status, PickupStatus::Dispatched);
    assert_eq!(dispatched.history.len(), 2);
}
