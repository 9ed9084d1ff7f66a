//! Nothing is silently changed: what a configuration document or a shipment's details were
//! before a change, who changed them and when. The store writes a change in the transaction of
//! the write it describes, into tables the database keeps append-only.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::case::string_enum;
use crate::customer::Phone;
use crate::shipment::{Shipment, mask_address, mask_name};

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
