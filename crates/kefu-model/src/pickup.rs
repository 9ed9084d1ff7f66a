//! Pickup orders (上门取件, R-PU-1..4): booked by a customer or an agent with a quote, dispatched
//! to the outlet serving the sender's district and to one of its couriers, then picked up,
//! cancelled or failed. Every change is appended to the order's `history`.

use jiff::Timestamp;
use kefu_regions::ParsedAddress;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::customer::Phone;
use crate::error::DomainError;
use crate::ids::{CaseId, CustomerId};
use crate::string_enum::string_enum;

string_enum!(
    PickupStatus {
        Booked => "booked", Dispatched => "dispatched", PickedUp => "picked_up",
        Cancelled => "cancelled", Failed => "failed",
    }
);

impl PickupStatus {
    /// `booked → dispatched → picked_up | cancelled | failed`; a booked order may also be
    /// cancelled, and a failed attempt may be dispatched again.
    pub fn can_become(self, next: PickupStatus) -> bool {
        use PickupStatus::*;
        matches!(
            (self, next),
            (Booked, Dispatched)
                | (Booked, Cancelled)
                | (Dispatched, Dispatched)
                | (Dispatched, PickedUp)
                | (Dispatched, Cancelled)
                | (Dispatched, Failed)
                | (Failed, Dispatched)
                | (Failed, Cancelled)
        )
    }

    pub fn is_open(self) -> bool {
        matches!(self, PickupStatus::Booked | PickupStatus::Dispatched)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Courier {
    pub id: String,
    pub name: String,
    pub phone: String,
}

/// A delivery outlet (网点): the districts it serves, its opening hours and its couriers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outlet {
    pub key: String,
    pub name: String,
    /// Division codes or prefixes (`4403` = all of Shenzhen, `440305` = Nanshan).
    pub districts: Vec<String>,
    /// The business calendar of its opening hours (a calendar key).
    #[serde(default = "default_outlet_calendar")]
    pub calendar: String,
    /// Working minutes between booking and the courier's arrival.
    #[serde(default = "default_lead_minutes")]
    pub lead_minutes: u32,
    #[serde(default)]
    pub couriers: Vec<Courier>,
}

fn default_outlet_calendar() -> String {
    "cn-service".to_string()
}

fn default_lead_minutes() -> u32 {
    120
}

/// The `outlets` setting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outlets {
    pub outlets: Vec<Outlet>,
}

impl Outlets {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut keys = std::collections::HashSet::new();
        for (i, o) in self.outlets.iter().enumerate() {
            let f = |name: &str| format!("outlets[{i}].{name}");
            if o.key.is_empty() || o.key.len() > 40 || !keys.insert(o.key.as_str()) {
                return Err(DomainError::invalid(f("key"), "unique, 1–40 characters"));
            }
            if o.name.trim().is_empty() {
                return Err(DomainError::invalid(f("name"), "must not be empty"));
            }
            for (j, d) in o.districts.iter().enumerate() {
                let ok = matches!(d.len(), 2 | 4 | 6) && d.bytes().all(|b| b.is_ascii_digit());
                if !ok {
                    return Err(DomainError::invalid(
                        f(&format!("districts[{j}]")),
                        "a 2-, 4- or 6-digit division code",
                    ));
                }
            }
            if !(0..=24 * 60 * 3).contains(&o.lead_minutes) {
                return Err(DomainError::invalid(f("lead_minutes"), "0 to 4320"));
            }
            for (j, c) in o.couriers.iter().enumerate() {
                if c.id.trim().is_empty() || c.name.trim().is_empty() {
                    return Err(DomainError::invalid(
                        f(&format!("couriers[{j}]")),
                        "a courier needs an id and a name",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The outlet serving `code`: the one with the longest matching prefix.
    pub fn serving(&self, code: &str) -> Option<&Outlet> {
        self.outlets
            .iter()
            .filter_map(|o| {
                o.districts
                    .iter()
                    .filter(|d| code.starts_with(d.trim_end_matches("00")) && !d.is_empty())
                    .map(|d| d.trim_end_matches("00").len())
                    .max()
                    .map(|len| (len, o))
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, o)| o)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickupChange {
    pub at: Timestamp,
    pub by: String,
    pub status: PickupStatus,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickupParty {
    pub name: String,
    pub phone: Phone,
    pub address: String,
    #[serde(default)]
    pub region: ParsedAddress,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pickup {
    pub id: String,
    pub number: String,
    pub version: i64,
    pub status: PickupStatus,
    pub sender: PickupParty,
    pub recipient_address: String,
    #[serde(default)]
    pub recipient_region: ParsedAddress,
    pub item: String,
    pub weight_kg: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions_cm: Option<[Decimal; 3]>,
    pub pieces: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_value: Option<Decimal>,
    #[serde(default)]
    pub insured: bool,
    pub product: String,
    /// The quote as the customer saw it when booking.
    pub quote: serde_json::Value,
    /// A prohibited or restricted item was named: a person checks before dispatch.
    pub review_required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier: Option<Courier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_pickup_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waybill_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<CustomerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<CaseId>,
    pub history: Vec<PickupChange>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A pickup as staff see it in answers: the sender's name in full (the customer who booked,
/// addressed by name as on the customer card), their phone masked and both addresses cut to
/// province, city and district. The courier stays whole: their work phone is what the customer
/// is given for this collection. Full details only through `Desk::reveal_pickup`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PickupView {
    pub id: String,
    pub number: String,
    pub version: i64,
    pub status: PickupStatus,
    pub sender: crate::shipment::MaskedParty,
    pub recipient_region: String,
    pub item: String,
    pub weight_kg: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimensions_cm: Option<[Decimal; 3]>,
    pub pieces: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_value: Option<Decimal>,
    pub insured: bool,
    pub product: String,
    pub quote: serde_json::Value,
    pub review_required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub courier: Option<Courier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_pickup_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waybill_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<CustomerId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<CaseId>,
    pub history: Vec<PickupChange>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl PickupView {
    pub fn of(p: &Pickup) -> PickupView {
        use crate::shipment::{MaskedParty, region_text};
        PickupView {
            id: p.id.clone(),
            number: p.number.clone(),
            version: p.version,
            status: p.status,
            sender: MaskedParty {
                name: p.sender.name.clone(),
                phone: p.sender.phone.masked(),
                region: region_text(&p.sender.region),
            },
            recipient_region: region_text(&p.recipient_region),
            item: p.item.clone(),
            weight_kg: p.weight_kg,
            dimensions_cm: p.dimensions_cm,
            pieces: p.pieces,
            declared_value: p.declared_value,
            insured: p.insured,
            product: p.product.clone(),
            quote: p.quote.clone(),
            review_required: p.review_required,
            outlet: p.outlet.clone(),
            courier: p.courier.clone(),
            estimated_pickup_at: p.estimated_pickup_at,
            waybill_no: p.waybill_no.clone(),
            customer_id: p.customer_id.clone(),
            case_id: p.case_id.clone(),
            history: p.history.clone(),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// Filters of the pickup list (and the courier task list).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickupQuery {
    pub status: Option<PickupStatus>,
    pub courier: Option<String>,
    pub outlet: Option<String>,
    pub phone: Option<String>,
    /// The case the pickups were booked from (an id or a case number).
    pub case_id: Option<String>,
    /// The customer they belong to.
    pub customer_id: Option<String>,
    pub limit: Option<u32>,
}
