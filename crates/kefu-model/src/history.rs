//! Nothing is silently changed: what a configuration document or a shipment's details were
//! before a change, who changed them and when. The store writes a change in the transaction of
//! the write it describes, into tables the database keeps append-only.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::customer::Phone;
use crate::shipment::{Shipment, mask_address, mask_name};
use crate::string_enum::string_enum;

string_enum!(
    /// The configuration documents whose changes are kept.
    ConfigKind { Setting => "setting", SlaPolicy => "sla_policy", Calendar => "calendar" }
);

/// Who makes a change and when; a store write given one records the change it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    /// `user:<name>`.
    pub actor: String,
    pub at: Timestamp,
}

/// One change of a setting, an SLA policy or a calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigChange {
    /// Orders the changes: a later change has a higher number.
    pub seq: i64,
    pub kind: ConfigKind,
    pub key: String,
    pub at: Timestamp,
    pub actor: String,
    /// The document before the change; `null` when there was none.
    pub old: Option<Value>,
    pub new: Value,
}

/// One write that changed a shipment's details (not its scans).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentChange {
    pub waybill_no: String,
    /// The shipment version this write produced.
    pub version: i64,
    pub at: Timestamp,
    pub actor: String,
    pub fields: Vec<FieldChange>,
}

/// One field before and after; a field that was absent is `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// e.g. `sender.phone`, `weight_kg`.
    pub field: String,
    pub old: Value,
    pub new: Value,
}

/// The details of a shipment an upsert may change, as JSON pointers into the shipment and
/// the names the history gives them. The regions are derived from the addresses and the
/// status, scans and version from the writes, so none of them is listed.
const SHIPMENT_FIELDS: &[(&str, &str)] = &[
    ("sender.name", "/sender/name"),
    ("sender.phone", "/sender/phone"),
    ("sender.address", "/sender/address"),
    ("recipient.name", "/recipient/name"),
    ("recipient.phone", "/recipient/phone"),
    ("recipient.address", "/recipient/address"),
    ("carrier", "/carrier"),
    ("product", "/product"),
    ("item", "/item"),
    ("weight_kg", "/weight_kg"),
    ("dimensions_cm", "/dimensions_cm"),
    ("pieces", "/pieces"),
    ("declared_value", "/declared_value"),
    ("insured", "/insured"),
    ("freight", "/freight"),
    ("shipped_at", "/shipped_at"),
    ("promised_at", "/promised_at"),
];

/// The details that differ between `old` and `new`, in a fixed order; empty when none does.
pub fn shipment_diff(old: &Shipment, new: &Shipment) -> Vec<FieldChange> {
    let (Ok(old), Ok(new)) = (serde_json::to_value(old), serde_json::to_value(new)) else {
        return Vec::new();
    };
    SHIPMENT_FIELDS
        .iter()
        .filter_map(|(field, pointer)| {
            let before = old.pointer(pointer).cloned().unwrap_or(Value::Null);
            let after = new.pointer(pointer).cloned().unwrap_or(Value::Null);
            (before != after).then(|| FieldChange {
                field: (*field).to_string(),
                old: before,
                new: after,
            })
        })
        .collect()
}

impl ShipmentChange {
    /// As staff see the history: names 张*, phones 138****5678, addresses down to the district.
    pub fn masked(&self) -> ShipmentChange {
        ShipmentChange {
            fields: self
                .fields
                .iter()
                .map(|f| FieldChange {
                    field: f.field.clone(),
                    old: mask_value(&f.field, &f.old),
                    new: mask_value(&f.field, &f.new),
                })
                .collect(),
            ..self.clone()
        }
    }
}

fn mask_value(field: &str, value: &Value) -> Value {
    let Some(text) = value.as_str() else {
        return value.clone();
    };
    let masked = if field.ends_with(".name") {
        mask_name(text)
    } else if field.ends_with(".phone") {
        serde_json::from_value::<Phone>(value.clone())
            .map(|p| p.masked())
            .unwrap_or_else(|_| "****".to_string())
    } else if field.ends_with(".address") {
        mask_address(text)
    } else {
        return value.clone();
    };
    Value::String(masked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shipment::{ShipmentDraft, parse_shipment};
    use crate::waybill::Recognizer;

    fn parsed(v: serde_json::Value) -> Shipment {
        let draft: ShipmentDraft = serde_json::from_value(v).unwrap();
        parse_shipment(
            &draft,
            &Recognizer::default(),
            "2026-11-24T00:00:00Z".parse().unwrap(),
        )
        .unwrap()
        .0
    }

    fn sample() -> serde_json::Value {
        serde_json::json!({
            "waybill_no": "YL1234567890128",
            "sender": {"name": "张三", "phone": "13800138000", "address": "广东省深圳市南山区科技园1号"},
            "recipient": {"name": "李四", "phone": "13900139000", "address": "北京市朝阳区建国路88号"},
            "item": "衣服", "weight_kg": 1.5, "pieces": 1,
            "shipped_at": "2026-11-20T02:00:00Z", "promised_at": "2026-11-23T10:00:00Z"
        })
    }

    #[test]
    fn the_same_details_are_no_change_and_a_dropped_field_is_null() {
        let old = parsed(sample());
        assert!(shipment_diff(&old, &parsed(sample())).is_empty());
        let mut v = sample();
        v.as_object_mut().unwrap().remove("promised_at");
        v["weight_kg"] = serde_json::json!("1.50");
        let diff = shipment_diff(&old, &parsed(v));
        assert_eq!(diff.len(), 1, "1.50 kg is 1.5 kg: {diff:?}");
        assert_eq!(diff[0].field, "promised_at");
        assert_eq!(diff[0].new, Value::Null);
        let masked = ShipmentChange {
            waybill_no: old.waybill_no.clone(),
            version: 2,
            at: old.created_at,
            actor: "user:admin".into(),
            fields: diff,
        }
        .masked();
        assert_eq!(
            masked.fields[0].old,
            serde_json::json!("2026-11-23T10:00:00Z")
        );
    }

    #[test]
    fn personal_values_are_masked_and_others_kept() {
        let old = parsed(sample());
        let mut v = sample();
        v["sender"] = serde_json::json!({"name": "欧阳娜娜", "phone": "02161234567", "address": "上海市浦东新区世纪大道100号"});
        v["pieces"] = serde_json::json!(2);
        let change = ShipmentChange {
            waybill_no: old.waybill_no.clone(),
            version: 2,
            at: old.created_at,
            actor: "user:admin".into(),
            fields: shipment_diff(&old, &parsed(v)),
        };
        let masked = change.masked();
        let pairs: Vec<(&str, &Value, &Value)> = masked
            .fields
            .iter()
            .map(|f| (f.field.as_str(), &f.old, &f.new))
            .collect();
        assert_eq!(
            pairs,
            vec![
                (
                    "sender.name",
                    &serde_json::json!("张*"),
                    &serde_json::json!("欧***")
                ),
                (
                    "sender.phone",
                    &serde_json::json!("138****8000"),
                    &serde_json::json!("021****4567")
                ),
                (
                    "sender.address",
                    &serde_json::json!("广东省深圳市南山区"),
                    &serde_json::json!("上海市浦东新区")
                ),
                ("pieces", &serde_json::json!(1), &serde_json::json!(2)),
            ]
        );
        assert_eq!(
            change.fields[1].new,
            serde_json::json!("02161234567"),
            "stored whole"
        );
    }
}
