//! Parcel requests and answers: shipment writes and imports, tracking queries and answers, claim
//! and pickup drafts, quotes; the setting keys and who may read each (`SETTING_READERS`). The
//! use cases are `kefu_desk::parcels`.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::codes::Channel;
use crate::shipment::{ScanDraft, Shipment, ShipmentDraft};
use crate::tracking::{self, Assessment, Issue, Outcome, ShipmentView};
use crate::user::Role;

/// At most this many scans in one `events` call.
pub const MAX_SCANS_PER_CALL: usize = 500;

/// The configuration documents kept in the `settings` table; each has a built-in default.
pub const SETTING_KEYS: &[&str] = &[
    "tracking",
    "rate_card",
    "coverage",
    "prohibited",
    "claims",
    "waybill_format",
    "routing",
    "search_synonyms",
    "notices",
    "work_orders",
    "survey",
    "root_causes",
    "key_accounts",
];

/// Who may read which configuration document (`GET /settings/{key}`); writing any of them is
/// for admins only. The rule is "what the role's work needs, and nothing personal beyond it":
///
/// | key | readers | why |
/// |---|---|---|
/// | `routing` | admin, supervisor | staffing policy |
/// | `notices` | admin, supervisor | what kefu tells customers by itself |
/// | `search_synonyms` | admin, supervisor, agent | the trade's words search expands; agents see why a case was found |
/// | `tracking` | admin, supervisor, agent, department | thresholds the people answering parcels work by |
/// | `coverage`, `prohibited` | admin, supervisor, agent, department | what customers are told when sending |
/// | `rate_card` | admin, supervisor, agent, department, finance | prices; finance checks freight against it |
/// | `claims` | admin, supervisor, agent, finance | compensation rules; agents propose, finance pays |
/// | `work_orders` | admin, supervisor, agent, department, outlet manager | the deadlines both sides of a work order work to |
/// | `survey` | admin, supervisor, agent | which cases are surveyed, the reasons customers pick from, the target |
/// | `root_causes` | admin, supervisor, agent, readonly | the codes and causes agents record when resolving, and the reports read |
/// | `key_accounts` | admin, supervisor, agent | the key-account grading grid and grade policies the head and the assistants work by |
/// | `waybill_format`, `kb_categories` | every role | nothing private; every screen uses them |
///
/// Read-only observers see only the last row. A key not in this table is `not_found`.
pub const SETTING_READERS: &[(&str, &[Role])] = {
    use Role::*;
    &[
        ("routing", &[Admin, Supervisor]),
        ("notices", &[Admin, Supervisor]),
        ("search_synonyms", &[Admin, Supervisor, Agent]),
        (
            "tracking",
            &[Admin, Supervisor, Agent, Department, OutletManager],
        ),
        (
            "coverage",
            &[Admin, Supervisor, Agent, Department, OutletManager],
        ),
        (
            "prohibited",
            &[Admin, Supervisor, Agent, Department, OutletManager],
        ),
        (
            "rate_card",
            &[Admin, Supervisor, Agent, Department, OutletManager, Finance],
        ),
        ("claims", &[Admin, Supervisor, Agent, Finance]),
        (
            "work_orders",
            &[Admin, Supervisor, Agent, Department, OutletManager],
        ),
        ("survey", &[Admin, Supervisor, Agent]),
        ("root_causes", &[Admin, Supervisor, Agent, Readonly]),
        // The grading grid of key accounts: the head and the assistants who work with it.
        ("key_accounts", &[Admin, Supervisor, Agent]),
        ("waybill_format", Role::ALL),
        ("kb_categories", Role::ALL),
    ]
};

/// Whether `role` may read setting `key`; `None` for a key that is no setting.
pub fn may_read_setting(role: Role, key: &str) -> Option<bool> {
    SETTING_READERS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, roles)| roles.contains(&role))
}

/// One row of a bulk import: a shipment (with optional scans) or scans for a stored one.
#[derive(Debug, Clone)]
pub enum ImportRow {
    Shipment(Box<ShipmentDraft>),
    Scans {
        waybill_no: String,
        scans: Vec<ScanDraft>,
    },
}

/// What a shipment write did.
#[derive(Debug, Clone, Serialize)]
pub struct ShipmentWrite {
    pub shipment: Shipment,
    pub created: bool,
    /// Scans added / already present.
    pub added: usize,
    pub duplicates: usize,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenCaseRequest {
    pub channel: Option<Channel>,
    /// The customer's phone; defaults to the query's `phone`.
    pub phone: Option<String>,
    pub name: Option<String>,
    /// What the customer said, added to the case description.
    pub note: Option<String>,
}

/// `POST /tracking/query`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackingQuery {
    pub waybill_no: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub address: Option<String>,
    /// The local date the parcel was sent.
    pub date: Option<Date>,
    pub issue: Option<Issue>,
    pub open_case: Option<OpenCaseRequest>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrackingAnswer {
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub answer: String,
    pub answer_en: String,
    pub actions: Vec<tracking::Action>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipment: Option<ShipmentView>,
    /// The parcels a no-number search found (masked), newest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<ShipmentView>,
    /// For `other_carrier`: whose number it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carrier: Option<crate::waybill::Candidate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<Case>,
}

impl From<Assessment> for TrackingAnswer {
    fn from(a: Assessment) -> TrackingAnswer {
        TrackingAnswer {
            outcome: a.outcome,
            reason: a.reason,
            answer: a.answer,
            answer_en: a.answer_en,
            actions: a.actions,
            shipment: None,
            matches: Vec::new(),
            carrier: None,
            case: None,
        }
    }
}

/// A message naming more parcels than this is a list, not a case about them.
const MAX_LINKED_WAYBILLS: usize = 5;

/// Waybill numbers named in free text, at most `MAX_LINKED_WAYBILLS`, in order of appearance.
pub fn waybills_in(recognizer: &crate::waybill::Recognizer, texts: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for text in texts {
        for found in crate::waybill::find_numbers(recognizer, text) {
            if found.kind == "waybill" && !out.contains(&found.value) {
                out.push(found.value);
            }
        }
    }
    out.truncate(MAX_LINKED_WAYBILLS);
    out
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimDraft {
    pub waybill_no: Option<String>,
    pub kind: crate::claim::ClaimKind,
    /// What the customer claims.
    pub claimed_amount: rust_decimal::Decimal,
    /// Taken from the shipment when it is stored; needed otherwise.
    pub declared_value: Option<rust_decimal::Decimal>,
    pub insured: Option<bool>,
    pub freight: Option<rust_decimal::Decimal>,
    #[serde(default)]
    pub evidence: Vec<crate::claim::Evidence>,
}

/// `POST /cases/{id}/claims/{claim}/{step}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimStep {
    pub loss_amount: Option<rust_decimal::Decimal>,
    pub reason: Option<String>,
    pub reference: Option<String>,
    pub evidence: Option<crate::claim::Evidence>,
}

/// `POST /pickups/quote`: addresses as the customer wrote them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteInput {
    pub origin: String,
    pub destination: String,
    pub weight_kg: rust_decimal::Decimal,
    pub dimensions_cm: Option<[rust_decimal::Decimal; 3]>,
    pub pieces: Option<u32>,
    #[serde(default)]
    pub item: String,
    pub product: Option<String>,
    pub declared_value: Option<rust_decimal::Decimal>,
    #[serde(default)]
    pub insured: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickupDraft {
    pub sender: crate::shipment::PartyDraft,
    pub recipient_address: String,
    pub item: String,
    pub weight_kg: rust_decimal::Decimal,
    pub dimensions_cm: Option<[rust_decimal::Decimal; 3]>,
    pub pieces: Option<u32>,
    pub product: Option<String>,
    pub declared_value: Option<rust_decimal::Decimal>,
    #[serde(default)]
    pub insured: bool,
    /// The case the booking was made from, if any.
    pub case_id: Option<String>,
    #[serde(default)]
    pub note: String,
    /// The time window agreed with the customer (both or neither; within 7 days ahead).
    #[serde(default)]
    pub window_from: Option<jiff::Timestamp>,
    #[serde(default)]
    pub window_to: Option<jiff::Timestamp>,
    /// The channel of the case opened for a pickup booked without one (set by the caller's
    /// code, never by a request: the portal `web`, the API `api`, the console `phone`).
    #[serde(skip)]
    pub channel: Option<crate::codes::Channel>,
}

/// `POST /pickups/{id}/accept|arrive|collect|fail`: the courier's step.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourierStepBody {
    /// Why it failed (required for `fail`), or a remark.
    #[serde(default)]
    pub note: String,
    /// For `collect`: the waybill the courier wrote.
    #[serde(default)]
    pub waybill_no: Option<String>,
}

/// `POST /pickups/{id}/status`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickupStatusChange {
    pub status: crate::pickup::PickupStatus,
    #[serde(default)]
    pub note: String,
    /// For `dispatched`: a courier id of the outlet (default: the least busy).
    pub courier: Option<String>,
    /// For `picked_up`: the waybill the courier wrote.
    pub waybill_no: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_its_readers_and_admins_read_all() {
        for key in SETTING_KEYS.iter().chain(&["kb_categories"]) {
            assert_eq!(may_read_setting(Role::Admin, key), Some(true), "{key}");
        }
        assert_eq!(SETTING_READERS.len(), SETTING_KEYS.len() + 1);
        assert_eq!(may_read_setting(Role::Agent, "routing"), Some(false));
        // The retired outlets setting: the network's organisations hold the outlets now.
        assert_eq!(may_read_setting(Role::Admin, "outlets"), None);
        assert_eq!(may_read_setting(Role::Readonly, "rate_card"), Some(false));
        assert_eq!(may_read_setting(Role::Agent, "nonsense"), None);
    }
}
