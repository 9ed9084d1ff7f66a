//! Nothing is silently changed: the audit log and the change histories are append-only in the
//! database itself, not only in the code that writes them.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_desk::Store;
use kefu_model::export::ExportRecord;
use kefu_model::history::ConfigKind;
use kefu_model::parcels::ImportRow;
use kefu_model::records::AuditEntry;
use kefu_model::shipment::{ScanDraft, ShipmentDraft};
use kefu_model::{Actor, DomainError, Role};
use kefu_store_sql::Sql;
use serde_json::json;

use crate::{fixture, own_waybill, shipment_json, start_time};

/// Tries to rewrite and to remove every row of `table` through a raw connection: both are
/// refused by the database, whatever the caller.
pub(crate) async fn refuses_rewrites(raw: &mut dyn Sql, table: &str, column: &str) {
    let update = raw
        .execute(
            &format!("UPDATE {table} SET {column} = 'someone else'"),
            &[],
        )
        .await;
    let message = update.expect_err("an UPDATE must be refused").message;
    assert!(
        message.contains("append-only"),
        "UPDATE of {table}: {message}"
    );
    let delete = raw.execute(&format!("DELETE FROM {table}"), &[]).await;
    let message = delete.expect_err("a DELETE must be refused").message;
    assert!(
        message.contains("append-only"),
        "DELETE of {table}: {message}"
    );
}

/// An audit entry (who saw whose personal data) can be neither edited nor deleted.
/// `raw` is a read-write connection to the same database, outside the store.
pub async fn audit_log_is_append_only(store: Arc<dyn Store>, raw: &mut dyn Sql) {
    let entry = AuditEntry {
        id: "0190f000-0000-7000-8000-000000000001".into(),
        at: start_time(),
        actor: "user:sup01".into(),
        action: "reveal_contacts".into(),
        subject: "customer:C1".into(),
        reason: "回电".into(),
    };
    store.append_audit(&entry).await.unwrap();
    refuses_rewrites(raw, "audit_log", "actor").await;
    assert_eq!(
        store.audit_entries(None, 10).await.unwrap(),
        vec![entry],
        "the entry is unchanged and still there"
    );
}

/// Settings, SLA policies and calendars: every change made through the desk is recorded with
/// who, when, before and after; a refused change and a change to the same document record
/// nothing; the history reads newest first and filters by kind and key.
pub async fn config_changes_are_recorded_with_before_and_after(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    f.desk.install_builtin_calendars().await.unwrap();
    f.desk.install_default_policies().await.unwrap();
    assert!(
        store
            .config_history(None, None, 100)
            .await
            .unwrap()
            .is_empty(),
        "installing the built-ins is not a change anyone made"
    );
    let supervisor = Actor {
        role: Role::Supervisor,
        ..f.agent.clone()
    };

    // A setting never stored: the change has no before.
    let tracking = f.desk.get_setting(&f.admin, "tracking").await.unwrap();
    let mut changed = tracking.clone();
    changed["no_result_after_hours"] = json!(36);
    let stored = f
        .desk
        .put_setting(&f.admin, "tracking", changed.clone())
        .await
        .unwrap();
    // Refused: by role, and as invalid. Neither records anything.
    assert!(matches!(
        f.desk
            .put_setting(&f.agent, "tracking", tracking.clone())
            .await,
        Err(DomainError::Forbidden(_))
    ));
    let mut bad = changed.clone();
    bad["expire_after_days"] = json!(0);
    assert!(matches!(
        f.desk.put_setting(&f.admin, "tracking", bad).await,
        Err(DomainError::Invalid { .. })
    ));
    // The same document again is no change.
    f.clock.advance(SignedDuration::from_mins(1));
    f.desk
        .put_setting(&f.admin, "tracking", changed.clone())
        .await
        .unwrap();
    let history = store.config_history(None, None, 100).await.unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].kind, ConfigKind::Setting);
    assert_eq!(history[0].key, "tracking");
    assert_eq!(history[0].actor, f.admin.event_name());
    assert_eq!(history[0].at, start_time());
    assert_eq!(history[0].old, None);
    assert_eq!(history[0].new, stored);

    // A second change has the first's result as its before.
    let mut again = changed.clone();
    again["no_result_after_hours"] = json!(48);
    f.desk
        .put_setting(&f.admin, "tracking", again.clone())
        .await
        .unwrap();

    // A calendar edited by a supervisor.
    let mut office = store.calendar("cn-office").await.unwrap().unwrap();
    let office_before = serde_json::to_value(&office).unwrap();
    office.holidays.push("2026-12-24".into());
    f.clock.advance(SignedDuration::from_mins(1));
    f.desk
        .put_calendar(&supervisor, "cn-office", office.clone())
        .await
        .unwrap();
    assert!(matches!(
        f.desk
            .put_calendar(&f.agent, "cn-office", office.clone())
            .await,
        Err(DomainError::Forbidden(_))
    ));

    // An SLA policy edited, and one refused as invalid.
    let (policy_key, mut policy) = store.list_sla_policies().await.unwrap().remove(0);
    let policy_before = serde_json::to_value(&policy).unwrap();
    policy.order += 7;
    f.desk
        .put_sla_policy(&supervisor, &policy_key, policy.clone())
        .await
        .unwrap();
    let mut bad_policy = policy.clone();
    bad_policy.calendar = "no-such-calendar".into();
    assert!(matches!(
        f.desk
            .put_sla_policy(&supervisor, &policy_key, bad_policy)
            .await,
        Err(DomainError::Invalid { .. })
    ));

    let all = store.config_history(None, None, 100).await.unwrap();
    let summary: Vec<(ConfigKind, &str, i64)> = all
        .iter()
        .map(|c| (c.kind, c.key.as_str(), c.seq))
        .collect();
    assert_eq!(
        summary,
        vec![
            (ConfigKind::SlaPolicy, policy_key.as_str(), 4),
            (ConfigKind::Calendar, "cn-office", 3),
            (ConfigKind::Setting, "tracking", 2),
            (ConfigKind::Setting, "tracking", 1),
        ],
        "newest first"
    );
    assert_eq!(all[0].old, Some(policy_before));
    assert_eq!(all[0].new, serde_json::to_value(&policy).unwrap());
    assert_eq!(all[1].old, Some(office_before));
    assert_eq!(all[1].new, serde_json::to_value(&office).unwrap());
    assert_eq!(all[1].actor, supervisor.event_name());
    assert_eq!(all[1].at, start_time() + SignedDuration::from_mins(2));
    assert_eq!(all[2].old, Some(stored));
    assert_eq!(all[2].new["no_result_after_hours"], 48);

    // Filters and limit, through the desk: admins and supervisors only.
    let settings = f
        .desk
        .config_history(&supervisor, Some("setting"), Some("tracking"), Some(1))
        .await
        .unwrap();
    assert_eq!(settings.len(), 1);
    assert_eq!(settings[0].seq, 2);
    let calendars = f
        .desk
        .config_history(&f.admin, Some("calendar"), None, None)
        .await
        .unwrap();
    assert_eq!(calendars.len(), 1);
    assert!(
        f.desk
            .config_history(&f.admin, None, Some("nothing-here"), None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        f.desk.config_history(&f.agent, None, None, None).await,
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        f.desk.config_history(&f.admin, Some("colour"), None, None).await,
        Err(DomainError::Invalid { field, .. }) if field == "kind"
    ));
}

fn sample_shipment(no: &str) -> serde_json::Value {
    shipment_json(no, "13800138000", "13900139000")
}

/// A shipment upsert that changes its details records who, when, which fields, before and
/// after, with the write; one that changes nothing (or only adds scans) records nothing. The
/// desk shows the history to staff masked.
pub async fn shipment_upserts_record_what_they_change(store: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    let no = own_waybill(77);
    let first: ShipmentDraft = serde_json::from_value(sample_shipment(&no)).unwrap();
    f.desk.upsert_shipment(&f.admin, &first).await.unwrap();
    f.desk.upsert_shipment(&f.admin, &first).await.unwrap();
    let scan: ScanDraft = serde_json::from_value(json!({
        "at": "2026-11-22T03:00:00Z", "code": "picked_up", "location": "深圳南山"
    }))
    .unwrap();
    f.desk
        .add_scans(&f.admin, &no, std::slice::from_ref(&scan))
        .await
        .unwrap();
    assert!(
        store.shipment_changes(&no, 100).await.unwrap().is_empty(),
        "creating, resending the same details and scanning change no details"
    );

    // The recipient moves and changes phone; the weight is corrected.
    let mut moved = sample_shipment(&no);
    moved["recipient"] =
        json!({"name": "王小明", "phone": "13712345678", "address": "上海市浦东新区世纪大道100号"});
    moved["weight_kg"] = json!(2.5);
    let moved: ShipmentDraft = serde_json::from_value(moved).unwrap();
    f.clock.advance(SignedDuration::from_mins(5));
    let written = f.desk.upsert_shipment(&f.admin, &moved).await.unwrap();
    // Refused writes record nothing.
    let mut bad = sample_shipment(&no);
    bad["recipient"]["phone"] = json!("12");
    let bad: Result<ShipmentDraft, _> = serde_json::from_value(bad);
    if let Ok(bad) = bad {
        assert!(f.desk.upsert_shipment(&f.admin, &bad).await.is_err());
    }
    assert!(matches!(
        f.desk.upsert_shipment(&f.agent, &first).await,
        Err(DomainError::Forbidden(_))
    ));
    let changes = store.shipment_changes(&no, 100).await.unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    let c = &changes[0];
    assert_eq!(c.waybill_no, no);
    assert_eq!(c.version, written.shipment.version);
    assert_eq!(c.actor, f.admin.event_name());
    assert_eq!(c.at, start_time() + SignedDuration::from_mins(5));
    let fields: Vec<&str> = c.fields.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "recipient.name",
            "recipient.phone",
            "recipient.address",
            "weight_kg"
        ]
    );
    assert_eq!(c.fields[0].old, json!("李四"));
    assert_eq!(c.fields[0].new, json!("王小明"));
    assert_eq!(c.fields[1].old, json!("13900139000"));
    assert_eq!(c.fields[1].new, json!("13712345678"));

    // An import row changing the sender's phone is recorded too.
    let mut imported = sample_shipment(&no);
    imported["recipient"] =
        json!({"name": "王小明", "phone": "13712345678", "address": "上海市浦东新区世纪大道100号"});
    imported["weight_kg"] = json!(2.5);
    imported["sender"]["phone"] = json!("13611112222");
    let imported: ShipmentDraft = serde_json::from_value(imported).unwrap();
    f.clock.advance(SignedDuration::from_mins(5));
    let errors = f
        .desk
        .import_shipments(&f.admin, vec![ImportRow::Shipment(Box::new(imported))])
        .await
        .unwrap();
    assert!(errors.iter().all(Option::is_none), "{errors:?}");
    let changes = store.shipment_changes(&no, 100).await.unwrap();
    assert_eq!(changes.len(), 2);
    assert!(changes[0].version > changes[1].version, "newest first");
    assert_eq!(
        changes[0].version,
        store.shipment(&no).await.unwrap().unwrap().version
    );
    assert_eq!(changes[0].fields.len(), 1);
    assert_eq!(changes[0].fields[0].field, "sender.phone");

    // Staff see it masked; a department user does not see it; an unknown waybill is 404.
    let shown = f.desk.shipment_history(&f.agent, &no, None).await.unwrap();
    assert_eq!(shown.len(), 2);
    assert_eq!(shown[0].fields[0].old, json!("138****8000"));
    assert_eq!(shown[0].fields[0].new, json!("136****2222"));
    let moved = &shown[1].fields;
    assert_eq!(moved[0].old, json!("李*"));
    assert_eq!(moved[0].new, json!("王**"));
    assert_eq!(moved[1].new, json!("137****5678"));
    assert_eq!(moved[2].old, json!("北京市朝阳区"));
    assert_eq!(moved[2].new, json!("上海市浦东新区"));
    assert_eq!(moved[3].new, json!(written.shipment.weight_kg));
    let department = Actor {
        role: Role::Department,
        ..f.agent.clone()
    };
    assert!(matches!(
        f.desk.shipment_history(&department, &no, None).await,
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        f.desk
            .shipment_history(&f.agent, &own_waybill(78), None)
            .await,
        Err(DomainError::NotFound(_))
    ));
}

/// The configuration history and the shipment changes can be neither edited nor deleted.
pub async fn change_histories_are_append_only(store: Arc<dyn Store>, raw: &mut dyn Sql) {
    let f = fixture(store.clone()).await;
    let mut tracking = f.desk.get_setting(&f.admin, "tracking").await.unwrap();
    tracking["no_result_after_hours"] = json!(30);
    f.desk
        .put_setting(&f.admin, "tracking", tracking)
        .await
        .unwrap();
    let no = own_waybill(79);
    let first: ShipmentDraft = serde_json::from_value(sample_shipment(&no)).unwrap();
    f.desk.upsert_shipment(&f.admin, &first).await.unwrap();
    let mut other = sample_shipment(&no);
    other["item"] = json!("书");
    let other: ShipmentDraft = serde_json::from_value(other).unwrap();
    f.desk.upsert_shipment(&f.admin, &other).await.unwrap();
    let config = store.config_history(None, None, 10).await.unwrap();
    let shipment = store.shipment_changes(&no, 10).await.unwrap();
    assert_eq!((config.len(), shipment.len()), (1, 1));
    refuses_rewrites(raw, "config_history", "actor").await;
    refuses_rewrites(raw, "shipment_changes", "actor").await;
    assert_eq!(store.config_history(None, None, 10).await.unwrap(), config);
    assert_eq!(store.shipment_changes(&no, 10).await.unwrap(), shipment);
}

/// Both histories go out with an export and come back with an import as they were.
pub async fn change_histories_survive_export_import(store: Arc<dyn Store>, target: Arc<dyn Store>) {
    let f = fixture(store.clone()).await;
    for hours in [30, 40] {
        let mut tracking = f.desk.get_setting(&f.admin, "tracking").await.unwrap();
        tracking["no_result_after_hours"] = json!(hours);
        f.desk
            .put_setting(&f.admin, "tracking", tracking)
            .await
            .unwrap();
        f.clock.advance(SignedDuration::from_mins(1));
    }
    let no = own_waybill(80);
    let first: ShipmentDraft = serde_json::from_value(sample_shipment(&no)).unwrap();
    f.desk.upsert_shipment(&f.admin, &first).await.unwrap();
    let mut other = sample_shipment(&no);
    other["sender"]["name"] = json!("张三丰");
    let other: ShipmentDraft = serde_json::from_value(other).unwrap();
    f.desk.upsert_shipment(&f.admin, &other).await.unwrap();

    let lines = crate::dump(store.as_ref()).await;
    let records: Vec<ExportRecord> = lines[1..]
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let count = |pred: fn(&ExportRecord) -> bool| records.iter().filter(|r| pred(r)).count();
    assert_eq!(count(|r| matches!(r, ExportRecord::ConfigChange(_))), 2);
    assert_eq!(count(|r| matches!(r, ExportRecord::ShipmentChange(_))), 1);
    crate::load(target.as_ref(), &lines).await;
    assert_eq!(
        target.config_history(None, None, 100).await.unwrap(),
        store.config_history(None, None, 100).await.unwrap()
    );
    assert_eq!(
        target.shipment_changes(&no, 100).await.unwrap(),
        store.shipment_changes(&no, 100).await.unwrap()
    );
    // The imported history continues: the next change gets the next number.
    let there = f.desk.on_store(target.clone());
    let mut tracking = there.get_setting(&f.admin, "tracking").await.unwrap();
    tracking["no_result_after_hours"] = json!(50);
    there
        .put_setting(&f.admin, "tracking", tracking)
        .await
        .unwrap();
    let after = target.config_history(None, None, 100).await.unwrap();
    assert_eq!(after[0].seq, 3);
    assert_eq!(after[0].old.as_ref().unwrap()["no_result_after_hours"], 40);
}
