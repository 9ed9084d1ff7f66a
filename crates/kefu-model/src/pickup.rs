//! Pickup orders (上门取件, R-PU-1..4): booked by a customer or an agent with a quote and the
//! time window agreed with the customer, dispatched to the network's outlet serving the sender's
//! district and to one of its couriers, who accepts it, arrives, and collects the parcel or
//! fails with a reason; or cancelled. Every change is appended to the order's `history`.

use jiff::Timestamp;
use kefu_regions::ParsedAddress;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::customer::Phone;
use crate::error::DomainError;
use crate::ids::{CaseId, CustomerId, DepartmentId};

pub use crate::codes::PickupStatus;

/// A courier's step on a pickup (`POST /pickups/{id}/accept|arrive|collect|fail`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourierStep {
    Accept,
    Arrive,
    Collect,
    Fail,
}

impl CourierStep {
    pub fn parse(s: &str) -> Option<CourierStep> {
        match s {
            "accept" => Some(CourierStep::Accept),
            "arrive" => Some(CourierStep::Arrive),
            "collect" => Some(CourierStep::Collect),
            "fail" => Some(CourierStep::Fail),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CourierStep::Accept => "accept",
            CourierStep::Arrive => "arrive",
            CourierStep::Collect => "collect",
            CourierStep::Fail => "fail",
        }
    }

    /// The status the step leads to.
    pub fn status(self) -> PickupStatus {
        match self {
            CourierStep::Accept => PickupStatus::Accepted,
            CourierStep::Arrive => PickupStatus::Arrived,
            CourierStep::Collect => PickupStatus::PickedUp,
            CourierStep::Fail => PickupStatus::Failed,
        }
    }

    /// The courier's own steps are stricter than the desk's: accept a dispatched order,
    /// arrive at an accepted one, collect or fail once accepted (arrived or not).
    pub fn allowed_from(self, from: PickupStatus) -> bool {
        use PickupStatus::*;
        match self {
            CourierStep::Accept => from == Dispatched,
            CourierStep::Arrive => from == Accepted,
            CourierStep::Collect | CourierStep::Fail => matches!(from, Accepted | Arrived),
        }
    }
}

/// The time window agreed with the customer: `to` after `from`, not over, and starting within
/// 7 days of `now`.
pub fn check_window(
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    now: Timestamp,
) -> Result<Option<(Timestamp, Timestamp)>, DomainError> {
    match (from, to) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(DomainError::invalid(
            "window_to",
            "give both ends of the window",
        )),
        (None, Some(_)) => Err(DomainError::invalid(
            "window_from",
            "give both ends of the window",
        )),
        (Some(from), Some(to)) => {
            // Kept to the millisecond, as every stored time.
            let ms = |t: Timestamp| Timestamp::from_millisecond(t.as_millisecond()).unwrap_or(t);
            let (from, to) = (ms(from), ms(to));
            if to <= from {
                return Err(DomainError::invalid(
                    "window_to",
                    "the window ends after it starts",
                ));
            }
            if to <= now {
                return Err(DomainError::invalid(
                    "window_to",
                    "the window is in the past",
                ));
            }
            let week = jiff::SignedDuration::from_hours(24 * 7);
            if from.duration_since(now) > week || to.duration_since(from) > week {
                return Err(DomainError::invalid(
                    "window_from",
                    "within 7 days from now",
                ));
            }
            Ok(Some((from, to)))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Courier {
    pub id: String,
    pub name: String,
    pub phone: String,
}

/// A delivery outlet of the retired `outlets` setting, read once at a node's start to carry
/// an existing installation's outlets into the network's organisations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacyOutlet {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub districts: Vec<String>,
    #[serde(default)]
    pub calendar: Option<String>,
    #[serde(default)]
    pub lead_minutes: Option<u32>,
    #[serde(default)]
    pub couriers: Vec<Courier>,
}

/// The retired `outlets` setting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LegacyOutlets {
    #[serde(default)]
    pub outlets: Vec<LegacyOutlet>,
}

/// The key of the retired setting.
pub const LEGACY_OUTLETS_SETTING: &str = "outlets";

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
    /// The outlet's key (organisation key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    /// The outlet's organisation (its department id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation_id: Option<DepartmentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier: Option<Courier>,
    /// The time window agreed with the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_from: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_to: Option<Timestamp>,
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
    pub organisation_id: Option<DepartmentId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub courier: Option<Courier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_from: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_to: Option<Timestamp>,
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
            organisation_id: p.organisation_id.clone(),
            courier: p.courier.clone(),
            window_from: p.window_from,
            window_to: p.window_to,
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
    /// Set by the desk, never by the caller: only these outlets' pickups (an organisation's
    /// staff see their own and those below it).
    #[serde(skip)]
    pub scope_outlets: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_ahead_ordered_within_a_week_and_kept_to_the_millisecond() {
        let now: Timestamp = "2026-12-07T02:00:00Z".parse().unwrap();
        let h = |n: i64| now + jiff::SignedDuration::from_hours(n);
        assert_eq!(check_window(None, None, now).unwrap(), None);
        let fine = check_window(
            Some(h(1) + jiff::SignedDuration::from_nanos(1_500_000)),
            Some(h(3)),
            now,
        )
        .unwrap()
        .unwrap();
        assert_eq!(fine.0.subsec_nanosecond(), 1_000_000);
        let field = |from, to| match check_window(from, to, now) {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(Some(h(1)), None), "window_to");
        assert_eq!(field(None, Some(h(1))), "window_from");
        assert_eq!(field(Some(h(3)), Some(h(2))), "window_to");
        assert_eq!(field(Some(h(-3)), Some(h(-1))), "window_to");
        assert_eq!(field(Some(h(24 * 8)), Some(h(24 * 8 + 2))), "window_from");
    }

    #[test]
    fn the_courier_steps_follow_the_order() {
        use PickupStatus::*;
        assert!(CourierStep::Accept.allowed_from(Dispatched));
        assert!(!CourierStep::Accept.allowed_from(Booked));
        assert!(CourierStep::Arrive.allowed_from(Accepted));
        assert!(!CourierStep::Arrive.allowed_from(Dispatched));
        assert!(CourierStep::Collect.allowed_from(Arrived));
        assert!(CourierStep::Fail.allowed_from(Accepted));
        assert!(!CourierStep::Collect.allowed_from(PickedUp));
        for step in [
            CourierStep::Accept,
            CourierStep::Arrive,
            CourierStep::Collect,
            CourierStep::Fail,
        ] {
            assert_eq!(CourierStep::parse(step.as_str()), Some(step));
        }
        // The desk's own transitions include every courier step.
        assert!(Dispatched.can_become(Accepted) && Accepted.can_become(Arrived));
        assert!(Arrived.can_become(PickedUp) && Arrived.can_become(Failed));
        assert!(
            !Arrived.can_become(Dispatched),
            "at the door: no re-dispatch"
        );
    }
}
