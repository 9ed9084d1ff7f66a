//! Contract checks for the network: organisations are departments with a profile, kept by
//! version; work orders are routed by the parcel, answered by the organisation only, climb the
//! tree when late, and are counted in the assessment; all of it travels through an export.

use std::sync::Arc;

use jiff::SignedDuration;
use jiff::civil::Date;
use kefu_desk::Store;
use kefu_desk::network::OrderAction;
use kefu_model::Clock;
use kefu_model::drafts::CalendarAdd;
use kefu_model::export::{self, ExportRecord};
use kefu_model::network::{OrgKind, OrganisationDraft};
use kefu_model::shipment::{ScanDraft, ShipmentDraft};
use kefu_model::work_order::{
    DayVolume, InterceptAction, OrderDetails, OrderFigure, OrderKind, OrderQuery, OrderStage,
    OrderState, OrgFigures, Regulator, RoutedBy, WorkOrderDraft,
};
use kefu_model::{Actor, DomainError, Priority, Role};
use serde_json::json;

use crate::parcels::{own_waybill, shipment_json};
use crate::{Fixture, customer, draft, fixture, user};

fn org(
    key: &str,
    name: &str,
    kind: OrgKind,
    parent: Option<&str>,
    districts: &[&str],
) -> OrganisationDraft {
    serde_json::from_value(json!({
        "key": key, "name": name, "kind": kind.as_str(), "parent": parent,
        "districts": districts,
        "contacts": [{"name": "前台", "phone": "01065001234", "duty": "前台"}],
    }))
    .unwrap()
}

/// Region ← centre ← two outlets (Chaoyang and Haidian), their staff and managers.
struct Net {
    f: Fixture,
    outlet_staff: Actor,
    outlet_manager: Actor,
    hub_manager: Actor,
    other_outlet_staff: Actor,
}

async fn network(store: Arc<dyn Store>) -> Net {
    let f = fixture(store).await;
    f.desk.install_builtin_calendars().await.unwrap();
    let d = &f.desk;
    d.save_organisation(
        &f.admin,
        None,
        org("north", "华北大区", OrgKind::Region, None, &[]),
    )
    .await
    .unwrap();
    d.save_organisation(
        &f.admin,
        None,
        org(
            "bj-hub",
            "北京分拨中心",
            OrgKind::SortingCenter,
            Some("north"),
            &["11"],
        ),
    )
    .await
    .unwrap();
    d.save_organisation(
        &f.admin,
        None,
        org(
            "bj-cy",
            "北京朝阳网点",
            OrgKind::Outlet,
            Some("bj-hub"),
            &["110105"],
        ),
    )
    .await
    .unwrap();
    d.save_organisation(
        &f.admin,
        None,
        org(
            "bj-hd",
            "北京海淀网点",
            OrgKind::Outlet,
            Some("bj-hub"),
            &["110108"],
        ),
    )
    .await
    .unwrap();
    let outlet_staff = user(&f, "cy-staff", Role::Department, "bj-cy").await;
    let outlet_manager = user(&f, "cy-boss", Role::OutletManager, "bj-cy").await;
    let hub_manager = user(&f, "hub-boss", Role::OutletManager, "bj-hub").await;
    let other_outlet_staff = user(&f, "hd-staff", Role::Department, "bj-hd").await;
    Net {
        f,
        outlet_staff,
        outlet_manager,
        hub_manager,
        other_outlet_staff,
    }
}

pub async fn organisations_are_departments_kept_by_version(store: Arc<dyn Store>) {
    let Net { f, .. } = network(store.clone()).await;
    let d = &f.desk;
    let departments = store.list_departments().await.unwrap();
    let cy = departments.iter().find(|x| x.key == "bj-cy").unwrap();
    assert_eq!(
        (cy.name.as_str(), cy.kind.as_str()),
        ("北京朝阳网点", "outlet")
    );
    // The same key twice, a department's key, an outlet without districts, an unknown parent.
    for (draft, code) in [
        (
            org("bj-cy", "重复", OrgKind::Outlet, None, &["110105"]),
            "organisation_exists",
        ),
        (
            org("ops", "运营", OrgKind::Outlet, None, &["110105"]),
            "organisation_exists",
        ),
    ] {
        match d.save_organisation(&f.admin, None, draft).await {
            Err(DomainError::Conflict { code: c, .. }) => assert_eq!(c, code),
            other => panic!("{other:?}"),
        }
    }
    for draft in [
        org("x1", "无区域", OrgKind::Outlet, None, &[]),
        org(
            "x2",
            "无上级",
            OrgKind::Outlet,
            Some("nowhere"),
            &["110105"],
        ),
        org(
            "x3",
            "网点下的网点",
            OrgKind::Outlet,
            Some("bj-cy"),
            &["110105"],
        ),
    ] {
        assert!(matches!(
            d.save_organisation(&f.admin, None, draft).await,
            Err(DomainError::Invalid { .. })
        ));
    }
    assert!(matches!(
        d.save_organisation(
            &f.agent,
            None,
            org("x4", "代理", OrgKind::Outlet, None, &["11"])
        )
        .await,
        Err(DomainError::Forbidden(_))
    ));
    // A change names the version read; a stale one is refused and changes nothing.
    let mut change = org(
        "bj-cy",
        "北京朝阳区网点",
        OrgKind::Outlet,
        Some("bj-hub"),
        &["110105"],
    );
    change.manager = Some("cy-boss".into());
    change.version = Some(1);
    let changed = d
        .save_organisation(&f.admin, Some("bj-cy"), change.clone())
        .await
        .unwrap();
    assert_eq!(changed.version, 2);
    assert!(changed.manager.is_some());
    match d.save_organisation(&f.admin, Some("bj-cy"), change).await {
        Err(DomainError::Conflict { code, .. }) => assert_eq!(code, "version_conflict"),
        other => panic!("{other:?}"),
    }
    let renamed = store.list_departments().await.unwrap();
    assert!(
        renamed
            .iter()
            .any(|x| x.key == "bj-cy" && x.name == "北京朝阳区网点")
    );
    // A region cannot be put below its own outlet.
    let mut looped = org("north", "华北大区", OrgKind::Region, Some("bj-cy"), &[]);
    looped.version = Some(1);
    assert!(
        d.save_organisation(&f.admin, Some("north"), looped)
            .await
            .is_err()
    );
    // Every change is in the audit log.
    let audit = store.audit_entries(None, 100).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "create_organisation")
            .count(),
        4
    );
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "change_organisation")
            .count(),
        1
    );
}

async fn case_with_parcel(n: &Net, serial: u64) -> (kefu_model::Case, String) {
    let f = &n.f;
    let waybill = own_waybill(serial);
    let shipment: ShipmentDraft =
        serde_json::from_value(shipment_json(&waybill, "13800138000", "13900139000")).unwrap();
    f.desk.upsert_shipment(&f.admin, &shipment).await.unwrap();
    let mut case_draft = draft("快递一直没送到", customer("王五", "13900139000"));
    case_draft.waybill_no = Some(waybill.clone());
    let created = f
        .desk
        .create_case(&f.agent, case_draft, None)
        .await
        .unwrap();
    let case = f
        .desk
        .update_case(
            &f.agent,
            created.case.id.as_str(),
            kefu_model::drafts::CasePatch {
                assignee: Some(Some("agent01".into())),
                ..kefu_model::drafts::CasePatch::default()
            },
        )
        .await
        .unwrap();
    (case, waybill)
}

fn order_draft(kind: OrderKind, note: &str) -> WorkOrderDraft {
    WorkOrderDraft {
        kind,
        waybill_no: None,
        organisation: None,
        details: OrderDetails {
            note: note.into(),
            ..OrderDetails::default()
        },
        regulator: None,
    }
}

pub async fn work_orders_are_routed_answered_and_escalated(store: Arc<dyn Store>) {
    let n = network(store.clone()).await;
    let f = &n.f;
    let (case, waybill) = case_with_parcel(&n, 501).await;
    // Routed by the recipient's district (Chaoyang) when no scan names an organisation.
    let mut intercept = order_draft(OrderKind::Intercept, "客户要求退回");
    intercept.details.intercept = Some(InterceptAction::Return);
    let (_, order) = f
        .desk
        .send_work_order(&f.agent, case.id.as_str(), intercept)
        .await
        .unwrap();
    assert_eq!(order.organisation_key, "bj-cy");
    assert_eq!(order.routed_by, RoutedBy::District);
    assert_eq!(order.number, format!("{}-1", case.number));
    assert_eq!(order.waybill_no.as_deref(), Some(waybill.as_str()));
    // The deadlines run on the outlet's calendar: 60 and 240 open minutes.
    let now = kefu_model::Clock::now(f.clock.as_ref());
    let due = |minutes| CalendarAdd {
        from: now,
        minutes: Some(minutes),
        working_days: None,
    };
    let rules = f.desk.work_order_rules().await.unwrap();
    let d = rules.deadline(OrderKind::Intercept, None);
    assert_eq!(
        order.response_due_at,
        f.desk
            .calendar_add("cn-service", due(i64::from(d.response_minutes)))
            .await
            .unwrap()
            .due
    );
    assert_eq!(
        order.completion_due_at,
        f.desk
            .calendar_add("cn-service", due(i64::from(d.completion_minutes)))
            .await
            .unwrap()
            .due
    );
    // The outlet's staff were told, and see it in their queue; the other outlet does not.
    let told = store
        .notifications(&n.outlet_staff.user_id, true, 10)
        .await
        .unwrap();
    assert!(
        told.iter()
            .any(|t| t.kind == "work_order_sent" && t.text.contains("拦截"))
    );
    let queue = f
        .desk
        .work_order_queue(
            &n.outlet_staff,
            None,
            OrderQuery {
                open_only: true,
                ..OrderQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
    let other = f
        .desk
        .work_order_queue(&n.other_outlet_staff, None, OrderQuery::default())
        .await
        .unwrap();
    assert!(other.is_empty());
    assert!(matches!(
        f.desk
            .get_work_order(&n.other_outlet_staff, &order.number)
            .await,
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        f.desk
            .act_on_work_order(
                &n.other_outlet_staff,
                &order.id,
                OrderAction::Reply,
                "不是我们的"
            )
            .await,
        Err(DomainError::NotFound(_))
    ));
    // The hub above sees the outlet's orders; the outlet does not see the case itself.
    assert_eq!(
        f.desk
            .work_order_queue(&n.hub_manager, None, OrderQuery::default())
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        f.desk
            .get_case(&n.outlet_staff, case.id.as_str())
            .await
            .is_err()
    );
    // Agents do not answer for the outlet; a refusal needs a reason.
    assert!(matches!(
        f.desk
            .act_on_work_order(&f.agent, &order.id, OrderAction::Reply, "好的")
            .await,
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        f.desk
            .act_on_work_order(&n.outlet_staff, &order.id, OrderAction::Refuse, "  ")
            .await,
        Err(DomainError::Invalid { .. })
    ));
    // The outlet answers in time; the case's agent hears of it and sees it on the case.
    f.clock.advance(SignedDuration::from_mins(10));
    let (case_after, replied) = f
        .desk
        .act_on_work_order(
            &n.outlet_staff,
            &order.id,
            OrderAction::Reply,
            "已联系派件员拦截",
        )
        .await
        .unwrap();
    assert_eq!(replied.state, OrderState::Replied);
    assert_eq!(replied.on_time(OrderStage::Response), Some(true));
    assert!(
        case_after
            .work_orders
            .iter()
            .any(|o| o.history.iter().any(|h| h.text.contains("拦截")))
    );
    let agent_told = store
        .notifications(&f.agent.user_id, true, 20)
        .await
        .unwrap();
    assert!(agent_told.iter().any(|t| t.kind == "work_order_replied"));
    // Completion is late: the outlet's manager hears first, then (an escalation period
    // later) the centre's manager; the region has no manager or staff, so nobody there.
    f.clock
        .set(replied.completion_due_at + SignedDuration::from_mins(1));
    f.desk.fire_due_timers(100).await.unwrap();
    let late = f
        .desk
        .get_work_order(&f.agent, &order.id)
        .await
        .unwrap()
        .order;
    assert_eq!(late.late, vec![OrderStage::Completion]);
    assert_eq!(late.escalation_level, 1);
    let next = late.next_escalation_at.unwrap();
    let boss = store
        .notifications(&n.outlet_manager.user_id, true, 20)
        .await
        .unwrap();
    assert!(boss.iter().any(|t| t.kind == "work_order_overdue"));
    assert!(
        store
            .notifications(&n.hub_manager.user_id, true, 20)
            .await
            .unwrap()
            .iter()
            .all(|t| t.kind != "work_order_overdue")
    );
    // Firing again before the next step changes nothing.
    f.desk.fire_due_timers(100).await.unwrap();
    assert_eq!(
        f.desk
            .get_work_order(&f.agent, &order.id)
            .await
            .unwrap()
            .order
            .escalation_level,
        1
    );
    f.clock.set(next);
    f.desk.fire_due_timers(100).await.unwrap();
    let climbed = f
        .desk
        .get_work_order(&f.agent, &order.id)
        .await
        .unwrap()
        .order;
    assert_eq!(climbed.escalation_level, 2);
    let hub = store
        .notifications(&n.hub_manager.user_id, true, 20)
        .await
        .unwrap();
    assert!(
        hub.iter()
            .any(|t| t.kind == "work_order_overdue" && t.text.contains("第 2 级"))
    );
    // The outlet completes it; a closed order takes no more answers.
    let (_, done) = f
        .desk
        .act_on_work_order(
            &n.outlet_manager,
            &order.id,
            OrderAction::Complete,
            "已退回寄件人",
        )
        .await
        .unwrap();
    assert_eq!(done.state, OrderState::Completed);
    assert_eq!(done.on_time(OrderStage::Completion), Some(false));
    assert_eq!(done.next_due(), None);
    match f
        .desk
        .act_on_work_order(&n.outlet_staff, &order.id, OrderAction::Reply, "再回复")
        .await
    {
        Err(DomainError::Conflict { code, .. }) => assert_eq!(code, "order_closed"),
        other => panic!("{other:?}"),
    }
    // Every step is an event on the case.
    let events = store.case_events(&case.id).await.unwrap();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e.data.type_name())
        .filter(|t| t.starts_with("work_order"))
        .collect();
    assert_eq!(
        names,
        [
            "work_order_sent",
            "work_order_replied",
            "work_order_overdue",
            "work_order_overdue",
            "work_order_completed"
        ]
    );
}

pub async fn work_orders_follow_scans_reroutes_and_the_regulator(store: Arc<dyn Store>) {
    let n = network(store.clone()).await;
    let f = &n.f;
    let (case, waybill) = case_with_parcel(&n, 502).await;
    // The last scan names the Haidian outlet: it holds the parcel, so it gets the order.
    let scan: ScanDraft = serde_json::from_value(json!({
        "at": "2026-11-23T02:00:00Z", "code": "out_for_delivery", "location": "北京海淀", "outlet": "北京海淀网点"
    }))
    .unwrap();
    f.desk.add_scans(&f.admin, &waybill, &[scan]).await.unwrap();
    let (_, hurry) = f
        .desk
        .send_work_order(
            &f.agent,
            case.id.as_str(),
            order_draft(OrderKind::Hurry, "请尽快派送"),
        )
        .await
        .unwrap();
    assert_eq!(
        (hurry.organisation_key.as_str(), hurry.routed_by),
        ("bj-hd", RoutedBy::Scan)
    );
    // Haidian says it is not theirs and sends it on to Chaoyang: fresh deadlines there.
    let (_, moved) = f
        .desk
        .reroute_work_order(
            &n.other_outlet_staff,
            &hurry.number,
            "bj-cy",
            "包裹已转朝阳派送",
        )
        .await
        .unwrap();
    assert_eq!(
        (moved.organisation_key.as_str(), moved.reroutes),
        ("bj-cy", 1)
    );
    assert!(matches!(
        f.desk
            .get_work_order(&n.other_outlet_staff, &hurry.id)
            .await,
        Err(DomainError::NotFound(_))
    ));
    assert!(
        f.desk
            .get_work_order(&n.outlet_staff, &hurry.id)
            .await
            .is_ok()
    );
    // Bad input changes nothing: unknown organisation, a kind's missing field, a regulator
    // flag on a non-complaint, no reason.
    let before = store.case_events(&case.id).await.unwrap().len();
    let mut unknown = order_draft(OrderKind::Trace, "查一下");
    unknown.organisation = Some("nowhere".into());
    let mut no_address = order_draft(OrderKind::ChangeAddress, "改地址");
    no_address.details.new_address = None;
    let mut flagged = order_draft(OrderKind::Hurry, "催");
    flagged.regulator = Some(Regulator::Hotline12305);
    for bad in [unknown, no_address, flagged] {
        assert!(matches!(
            f.desk
                .send_work_order(&f.agent, case.id.as_str(), bad)
                .await,
            Err(DomainError::Invalid { .. })
        ));
    }
    assert!(
        f.desk
            .reroute_work_order(&f.agent, &hurry.id, "bj-hd", "")
            .await
            .is_err()
    );
    assert_eq!(store.case_events(&case.id).await.unwrap().len(), before);
    // A regulator complaint: its own deadlines, the case raised to P1.
    let mut complaint = order_draft(OrderKind::Complaint, "客户向邮政管理局申诉派件员态度");
    complaint.regulator = Some(Regulator::PostOffice);
    complaint.details.about = Some("派件员".into());
    // About Chaoyang's courier, though the parcel was last scanned in Haidian.
    complaint.organisation = Some("bj-cy".into());
    let (after, filed) = f
        .desk
        .send_work_order(&f.agent, case.id.as_str(), complaint)
        .await
        .unwrap();
    assert_eq!(after.priority, Priority::P1);
    assert_eq!(filed.regulator, Some(Regulator::PostOffice));
    let rules = f.desk.work_order_rules().await.unwrap();
    let now = kefu_model::Clock::now(f.clock.as_ref());
    let expected = f
        .desk
        .calendar_add(
            "cn-service",
            CalendarAdd {
                from: now,
                minutes: Some(i64::from(rules.regulator.response_minutes)),
                working_days: None,
            },
        )
        .await
        .unwrap()
        .due;
    assert_eq!(filed.response_due_at, expected);
    // Customer service withdraws the complaint order with a reason.
    let (_, withdrawn) = f
        .desk
        .act_on_work_order(&f.agent, &filed.id, OrderAction::Withdraw, "客户撤诉")
        .await
        .unwrap();
    assert_eq!(withdrawn.state, OrderState::Withdrawn);
    // The assessment counts per organisation; a manager sees their own tree only.
    let from = day_of(now);
    let to = from.tomorrow().unwrap();
    let all = f.desk.order_assessment(&f.admin, from, to).await.unwrap();
    let cy_id = store
        .list_departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.key == "bj-cy")
        .unwrap()
        .id;
    let cy = all.iter().find(|x| x.organisation == cy_id).unwrap();
    assert_eq!(
        (
            cy.tally.orders,
            cy.tally.complaints,
            cy.tally.regulator_complaints
        ),
        (2, 1, 1)
    );
    assert_eq!((cy.tally.responses_due, cy.tally.completions_due), (0, 0));
    // The re-routed order left nothing behind at Haidian.
    assert!(all.iter().all(|x| x.organisation == cy_id));
    let mine = f
        .desk
        .order_assessment(&n.outlet_manager, from, to)
        .await
        .unwrap();
    assert!(mine.iter().all(|x| x.organisation == cy_id));
    assert!(matches!(
        f.desk.order_assessment(&f.agent, from, to).await,
        Err(DomainError::Forbidden(_))
    ));
}

/// The day `at` falls on in the desk's default time zone (Asia/Shanghai).
fn day_of(at: jiff::Timestamp) -> jiff::civil::Date {
    jiff::tz::TimeZone::get("Asia/Shanghai")
        .unwrap()
        .to_datetime(at)
        .date()
}

async fn department_id(store: &Arc<dyn Store>, key: &str) -> kefu_model::ids::DepartmentId {
    store
        .list_departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.key == key)
        .unwrap()
        .id
}

/// Every figure of the assessment lists exactly the orders it counts.
async fn drill_down_matches(n: &Net, figures: &OrgFigures, key: &str, from: Date, to: Date) {
    let t = &figures.tally;
    for (figure, count) in [
        (OrderFigure::Orders, t.orders),
        (
            OrderFigure::ResponseLate,
            t.responses_due - t.responded_on_time,
        ),
        (
            OrderFigure::CompletionLate,
            t.completions_due - t.completed_on_time,
        ),
        (OrderFigure::Refused, t.refused),
        (OrderFigure::Completed, t.completed),
        (OrderFigure::Complaints, t.complaints),
        (OrderFigure::RepeatComplaints, t.repeat_complaints),
        (OrderFigure::Regulator, t.regulator_complaints),
    ] {
        let listed =
            n.f.desk
                .work_order_queue(
                    &n.f.admin,
                    Some(key),
                    OrderQuery {
                        figure: Some(figure),
                        sent_on_from: Some(from),
                        sent_on_to: Some(to),
                        limit: 1000,
                        ..OrderQuery::default()
                    },
                )
                .await
                .unwrap();
        assert_eq!(listed.len() as i64, count, "{figure} of {key}");
    }
}

pub async fn the_assessment_sums_days_repeats_and_parcels(store: Arc<dyn Store>) {
    let n = network(store.clone()).await;
    let f = &n.f;
    let cy = department_id(&store, "bj-cy").await;
    let hd = department_id(&store, "bj-hd").await;
    let day1 = day_of(f.clock.now());
    let (case, _) = case_with_parcel(&n, 511).await;
    let to = |key: &str, kind: OrderKind, note: &str| {
        let mut d = order_draft(kind, note);
        d.organisation = Some(key.into());
        d
    };
    // Day 1: a complaint about Chaoyang, answered late and refused; a trace order completed.
    let (_, first) = f
        .desk
        .send_work_order(
            &f.agent,
            case.id.as_str(),
            to("bj-cy", OrderKind::Complaint, "派件员态度差"),
        )
        .await
        .unwrap();
    assert_eq!(first.repeat_of, None);
    assert_eq!(first.sent_on, day1);
    let (_, trace) = f
        .desk
        .send_work_order(
            &f.agent,
            case.id.as_str(),
            to("bj-cy", OrderKind::Trace, "查件"),
        )
        .await
        .unwrap();
    f.clock.advance(SignedDuration::from_mins(30));
    f.desk
        .act_on_work_order(
            &n.outlet_staff,
            &trace.id,
            OrderAction::Complete,
            "已找到，今日派送",
        )
        .await
        .unwrap();
    f.clock.advance(SignedDuration::from_hours(5));
    f.desk.fire_due_timers(100).await.unwrap();
    f.desk
        .act_on_work_order(
            &n.outlet_staff,
            &first.id,
            OrderAction::Refuse,
            "非本网点责任",
        )
        .await
        .unwrap();
    // Day 2 (another case of the same customer): a second complaint about Chaoyang is a
    // repeat; one about Haidian is not.
    f.clock.advance(SignedDuration::from_hours(24));
    let day2 = day_of(f.clock.now());
    assert!(day2 > day1);
    let (other_case, _) = case_with_parcel(&n, 512).await;
    let (_, again) = f
        .desk
        .send_work_order(
            &f.agent,
            other_case.id.as_str(),
            to("bj-cy", OrderKind::Complaint, "又是同一个派件员"),
        )
        .await
        .unwrap();
    assert_eq!(again.repeat_of.as_deref(), Some(first.number.as_str()));
    let (_, elsewhere) = f
        .desk
        .send_work_order(
            &f.agent,
            other_case.id.as_str(),
            to("bj-hd", OrderKind::Complaint, "海淀网点未联系"),
        )
        .await
        .unwrap();
    assert_eq!(elsewhere.repeat_of, None);
    // A hurry order sent to Haidian and re-routed to Chaoyang counts at Chaoyang only.
    let (_, hurry) = f
        .desk
        .send_work_order(
            &f.agent,
            other_case.id.as_str(),
            to("bj-hd", OrderKind::Hurry, "催件"),
        )
        .await
        .unwrap();
    f.desk
        .reroute_work_order(&n.other_outlet_staff, &hurry.id, "bj-cy", "已转朝阳")
        .await
        .unwrap();
    // The carrier reports parcels: 40,000 at Chaoyang over the two days, and a day outside.
    let volume = |day, parcels| DayVolume { day, parcels };
    let day0 = day1.yesterday().unwrap();
    f.desk
        .record_parcel_volumes(
            &f.admin,
            "bj-cy",
            &[
                volume(day0, 99_999),
                volume(day1, 25_000),
                volume(day2, 5_000),
            ],
        )
        .await
        .unwrap();
    // A day reported again is replaced.
    f.desk
        .record_parcel_volumes(&f.admin, "bj-cy", &[volume(day2, 15_000)])
        .await
        .unwrap();
    // Bad reports change nothing.
    assert!(matches!(
        f.desk
            .record_parcel_volumes(&f.agent, "bj-cy", &[volume(day1, 1)])
            .await,
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        f.desk
            .record_parcel_volumes(&f.admin, "nowhere", &[volume(day1, 1)])
            .await,
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        f.desk
            .record_parcel_volumes(&f.admin, "bj-cy", &[volume(day1, 1), volume(day1, 2)])
            .await,
        Err(DomainError::Invalid { .. })
    ));
    let end = day2.tomorrow().unwrap();
    let all = f.desk.order_assessment(&f.admin, day1, end).await.unwrap();
    let at =
        |id: &kefu_model::ids::DepartmentId| all.iter().find(|x| &x.organisation == id).unwrap();
    let c = at(&cy);
    assert_eq!(
        c.tally.orders, 4,
        "two complaints, the trace, the re-routed hurry"
    );
    assert_eq!((c.tally.complaints, c.tally.repeat_complaints), (2, 1));
    assert_eq!((c.tally.refused, c.tally.completed), (1, 1));
    // The trace answered in 30 minutes: on time; the complaint answered after 5.5 hours: late.
    assert_eq!((c.tally.responses_due, c.tally.responded_on_time), (2, 1));
    assert_eq!(c.tally.completion_millis, 30 * 60_000);
    assert_eq!(c.average_completion_minutes(), Some(30));
    assert_eq!(c.parcels, Some(40_000));
    assert_eq!(c.complaints_per_10k(), Some(0.5));
    let h = at(&hd);
    assert_eq!(
        (h.tally.orders, h.tally.complaints, h.parcels),
        (1, 1, None)
    );
    drill_down_matches(&n, c, "bj-cy", day1, end).await;
    drill_down_matches(&n, h, "bj-hd", day1, end).await;
    // Day 1 alone: the first complaint and the trace, and day 1's parcels.
    let first_day = f.desk.order_assessment(&f.admin, day1, day2).await.unwrap();
    let c1 = first_day.iter().find(|x| x.organisation == cy).unwrap();
    assert_eq!(
        (c1.tally.orders, c1.tally.repeat_complaints, c1.parcels),
        (2, 0, Some(25_000))
    );
    // A day with parcels and no orders still shows the organisation.
    let quiet = f.desk.order_assessment(&f.admin, day0, day1).await.unwrap();
    assert_eq!(quiet.len(), 1);
    assert_eq!((quiet[0].tally.orders, quiet[0].parcels), (0, Some(99_999)));
    // Periods: empty, reversed or longer than a year are refused.
    for (a, b) in [
        (day1, day1),
        (day2, day1),
        (day1, day1 + jiff::Span::new().days(400)),
    ] {
        assert!(matches!(
            f.desk.order_assessment(&f.admin, a, b).await,
            Err(DomainError::Invalid { .. })
        ));
    }
}

pub async fn organisations_and_orders_survive_export_import(
    source: Arc<dyn Store>,
    target: Arc<dyn Store>,
) {
    let n = network(source.clone()).await;
    let f = &n.f;
    let (case, _) = case_with_parcel(&n, 503).await;
    let (_, order) = f
        .desk
        .send_work_order(
            &f.agent,
            case.id.as_str(),
            order_draft(OrderKind::Trace, "查件"),
        )
        .await
        .unwrap();
    f.desk
        .record_parcel_volumes(
            &f.admin,
            "bj-cy",
            &[DayVolume {
                day: day_of(f.clock.now()),
                parcels: 1234,
            }],
        )
        .await
        .unwrap();
    let lines = crate::dump(source.as_ref()).await;
    let organisations = lines[1..]
        .iter()
        .enumerate()
        .map(|(i, l)| export::parse_record(i + 2, l).unwrap())
        .filter(|r| matches!(r, ExportRecord::Organisation(_)))
        .count();
    assert_eq!(organisations, 4);
    let imported = crate::import_into(source.as_ref(), target.as_ref()).await;
    assert_eq!(imported, lines);
    assert_eq!(crate::dump(target.as_ref()).await, lines, "nothing lost");
    let orgs = target.organisations().await.unwrap();
    assert_eq!(orgs, source.organisations().await.unwrap());
    let moved = target.work_order(&order.number).await.unwrap().unwrap();
    assert_eq!(moved.order, order);
    assert_eq!(moved.case_id, case.id);
    // The parcels travel with the dump; the assessment's daily sums are rebuilt from the
    // imported cases' orders, so both stores assess the same.
    let day = day_of(f.clock.now());
    assert_eq!(
        lines.iter().filter(|l| l.contains("parcel_volume")).count(),
        1,
        "one day's parcels in the dump"
    );
    let period = (day, day.tomorrow().unwrap());
    assert_eq!(
        target.order_figures(period.0, period.1).await.unwrap(),
        source.order_figures(period.0, period.1).await.unwrap()
    );
    assert_eq!(
        target.order_figures(period.0, period.1).await.unwrap()[0].parcels,
        Some(1234)
    );
}
