//! Shipments (运单) and their scans, as fed by the operator's waybill/ops system. The status is
//! never stored on its own authority: it is derived from the scans every time they change, so a
//! late or repeated scan can never leave a shipment in a state its scans do not show.

use jiff::{SignedDuration, Timestamp};
use kefu_regions::ParsedAddress;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::customer::Phone;
use crate::error::DomainError;
use crate::string_enum::string_enum;
use crate::waybill::Recognizer;

string_enum!(
    /// Where a parcel is, as its latest scan says. Also the `code` of a scan.
    ShipmentStatus {
        Created => "created", PickedUp => "picked_up", InTransit => "in_transit", AtHub => "at_hub",
        OutForDelivery => "out_for_delivery", Delivered => "delivered", Exception => "exception",
        Returned => "returned",
    }
);

impl ShipmentStatus {
    /// How far along the journey a scan code is; breaks ties between scans with the same time.
    fn stage(self) -> u8 {
        match self {
            ShipmentStatus::Created => 0,
            ShipmentStatus::PickedUp => 1,
            ShipmentStatus::InTransit => 2,
            ShipmentStatus::AtHub => 3,
            ShipmentStatus::Exception => 4,
            ShipmentStatus::OutForDelivery => 5,
            ShipmentStatus::Returned => 6,
            ShipmentStatus::Delivered => 7,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ShipmentStatus::Created => "已下单",
            ShipmentStatus::PickedUp => "已揽收",
            ShipmentStatus::InTransit => "运输中",
            ShipmentStatus::AtHub => "到达转运中心",
            ShipmentStatus::OutForDelivery => "派送中",
            ShipmentStatus::Delivered => "已签收",
            ShipmentStatus::Exception => "异常",
            ShipmentStatus::Returned => "已退回",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ShipmentStatus::Created => "order created",
            ShipmentStatus::PickedUp => "picked up",
            ShipmentStatus::InTransit => "in transit",
            ShipmentStatus::AtHub => "at a sorting hub",
            ShipmentStatus::OutForDelivery => "out for delivery",
            ShipmentStatus::Delivered => "delivered",
            ShipmentStatus::Exception => "held up (exception)",
            ShipmentStatus::Returned => "returned to sender",
        }
    }
}

/// Sender or recipient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub phone: Phone,
    pub address: String,
    /// Province, city and district read from `address`.
    #[serde(default)]
    pub region: ParsedAddress,
}

impl Party {
    /// What a customer who is not this party may see: 张* / 138****5678 / the district only.
    pub fn masked(&self) -> MaskedParty {
        MaskedParty {
            name: mask_name(&self.name),
            phone: self.phone.masked(),
            region: region_text(&self.region),
        }
    }
}

/// What a masked address keeps: province, city and district (`北京市朝阳区`), no street; a city
/// that is its own province is named once.
pub fn region_text(region: &ParsedAddress) -> String {
    [&region.province, &region.city, &region.district]
        .into_iter()
        .flatten()
        .map(|r| r.name.as_str())
        .fold(String::new(), |mut acc, name| {
            if !acc.ends_with(name) {
                acc.push_str(name);
            }
            acc
        })
}

/// An address as someone who may not see it whole sees it: down to the district.
pub fn mask_address(address: &str) -> String {
    region_text(&kefu_regions::parse_address(address))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MaskedParty {
    pub name: String,
    pub phone: String,
    pub region: String,
}

/// 张三 → 张*, 欧阳娜娜 → 欧***, Alice → A****.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

/// One scan from the ops system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scan {
    pub at: Timestamp,
    pub code: ShipmentStatus,
    pub location: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub outlet: String,
    #[serde(default)]
    pub description: String,
}

impl Scan {
    /// Two scans are the same scan when time, code and place agree; descriptions are free text
    /// the ops system may reword on a resend.
    fn same_as(&self, other: &Scan) -> bool {
        self.at == other.at && self.code == other.code && self.location == other.location
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    pub waybill_no: String,
    /// `ours` or a carrier code from the recogniser.
    pub carrier: String,
    pub product: String,
    pub sender: Party,
    pub recipient: Party,
    pub item: String,
    pub weight_kg: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions_cm: Option<[Decimal; 3]>,
    pub pieces: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_value: Option<Decimal>,
    #[serde(default)]
    pub insured: bool,
    /// What the sender paid; uninsured claims are capped by a multiple of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freight: Option<Decimal>,
    pub shipped_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_at: Option<Timestamp>,
    /// Derived from `events` by [`derive_status`].
    pub status: ShipmentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scan_at: Option<Timestamp>,
    /// Scans in time order.
    #[serde(default)]
    pub events: Vec<Scan>,
    /// Optimistic-concurrency token: 1 on insert, +1 on every write.
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A shipment as staff see it in answers: every detail of the parcel and its scans, the sender
/// and recipient masked like the tracking answer (张* / 138****8000 / the district only). The
/// full parties only come through the audited reveal (`Desk::reveal_shipment`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MaskedShipment {
    pub waybill_no: String,
    pub carrier: String,
    pub product: String,
    pub sender: MaskedParty,
    pub recipient: MaskedParty,
    pub item: String,
    pub weight_kg: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimensions_cm: Option<[Decimal; 3]>,
    pub pieces: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_value: Option<Decimal>,
    pub insured: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freight: Option<Decimal>,
    pub shipped_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promised_at: Option<Timestamp>,
    pub status: ShipmentStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_scan_at: Option<Timestamp>,
    pub events: Vec<Scan>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl MaskedShipment {
    pub fn of(s: &Shipment) -> MaskedShipment {
        MaskedShipment {
            waybill_no: s.waybill_no.clone(),
            carrier: s.carrier.clone(),
            product: s.product.clone(),
            sender: s.sender.masked(),
            recipient: s.recipient.masked(),
            item: s.item.clone(),
            weight_kg: s.weight_kg,
            dimensions_cm: s.dimensions_cm,
            pieces: s.pieces,
            declared_value: s.declared_value,
            insured: s.insured,
            freight: s.freight,
            shipped_at: s.shipped_at,
            promised_at: s.promised_at,
            status: s.status,
            last_scan_at: s.last_scan_at,
            events: s.events.clone(),
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// The latest scan decides; among scans at the same instant, the one further along does.
pub fn derive_status(events: &[Scan]) -> (ShipmentStatus, Option<Timestamp>) {
    events
        .iter()
        .max_by_key(|s| (s.at, s.code.stage()))
        .map(|s| (s.code, Some(s.at)))
        .unwrap_or((ShipmentStatus::Created, None))
}

impl Shipment {
    /// Adds the scans not already present; returns how many were new. Keeps `events` sorted and
    /// `status`/`last_scan_at` derived.
    pub fn merge_scans(&mut self, scans: Vec<Scan>) -> usize {
        let mut added = 0;
        for scan in scans {
            if !self.events.iter().any(|e| e.same_as(&scan)) {
                self.events.push(scan);
                added += 1;
            }
        }
        if added > 0 {
            self.events.sort_by_key(|s| (s.at, s.code.stage()));
            let (status, last) = derive_status(&self.events);
            self.status = status;
            self.last_scan_at = last;
        }
        added
    }

    /// The first scan that moved the parcel (`picked_up`), if any.
    pub fn picked_up_at(&self) -> Option<Timestamp> {
        self.events
            .iter()
            .find(|s| s.code == ShipmentStatus::PickedUp)
            .map(|s| s.at)
    }
}

/// What the ops system sends for a party.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyDraft {
    pub name: String,
    pub phone: String,
    pub address: String,
}

/// `POST /shipments` and one line of a JSONL import.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipmentDraft {
    pub waybill_no: String,
    pub carrier: Option<String>,
    pub product: Option<String>,
    pub sender: PartyDraft,
    pub recipient: PartyDraft,
    pub item: String,
    pub weight_kg: Decimal,
    pub dimensions_cm: Option<[Decimal; 3]>,
    pub pieces: Option<u32>,
    pub declared_value: Option<Decimal>,
    #[serde(default)]
    pub insured: bool,
    pub freight: Option<Decimal>,
    pub shipped_at: Timestamp,
    pub promised_at: Option<Timestamp>,
    /// Scans may come with the shipment (imports); `POST /shipments/{waybill}/events` adds more.
    #[serde(default)]
    pub events: Vec<ScanDraft>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanDraft {
    pub at: Timestamp,
    pub code: String,
    pub location: String,
    #[serde(default)]
    pub outlet: String,
    #[serde(default)]
    pub description: String,
}

const NAME_MAX: usize = 50;

const ADDRESS_MAX: usize = 200;

const ITEM_MAX: usize = 200;

const PLACE_MAX: usize = 100;

const DESCRIPTION_MAX: usize = 500;

const MAX_WEIGHT_KG: i64 = 50_000;

const MAX_DIMENSION_CM: i64 = 1_500;

const MAX_PIECES: u32 = 9_999;

const MAX_DECLARED_VALUE: i64 = 10_000_000;

/// Scans dated further ahead than this are a clock or data error at the source.
const SCAN_SKEW: SignedDuration = SignedDuration::from_hours(24);

fn bounded(field: &str, raw: &str, max: usize, required: bool) -> Result<String, DomainError> {
    let value = raw.trim();
    if required && value.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(DomainError::invalid(
            field,
            "control characters are not allowed",
        ));
    }
    Ok(value.to_string())
}

fn positive(field: &str, v: Decimal, max: i64) -> Result<Decimal, DomainError> {
    if v <= Decimal::ZERO {
        return Err(DomainError::invalid(field, "must be greater than 0"));
    }
    if v > Decimal::from(max) {
        return Err(DomainError::invalid(field, format!("at most {max}")));
    }
    Ok(v.normalize())
}

fn party(field: &str, draft: &PartyDraft) -> Result<Party, DomainError> {
    let phone = Phone::parse(&draft.phone)
        .map_err(|m| DomainError::invalid(format!("{field}.phone"), m))?;
    let address = bounded(
        &format!("{field}.address"),
        &draft.address,
        ADDRESS_MAX,
        true,
    )?;
    Ok(Party {
        name: bounded(&format!("{field}.name"), &draft.name, NAME_MAX, true)?,
        phone,
        region: kefu_regions::parse_address(&address),
        address,
    })
}

/// Checks a scan and turns it into a [`Scan`]; `field` prefixes error paths (`events[3]`).
pub fn parse_scan(field: &str, draft: &ScanDraft, now: Timestamp) -> Result<Scan, DomainError> {
    let code = ShipmentStatus::parse(draft.code.trim()).ok_or_else(|| {
        DomainError::invalid(
            format!("{field}.code"),
            "one of created, picked_up, in_transit, at_hub, out_for_delivery, delivered, exception, returned",
        )
    })?;
    if draft.at > now.saturating_add(SCAN_SKEW).unwrap_or(now) {
        return Err(DomainError::invalid(
            format!("{field}.at"),
            "is more than a day in the future",
        ));
    }
    Ok(Scan {
        at: truncate_millis(draft.at),
        code,
        location: bounded(
            &format!("{field}.location"),
            &draft.location,
            PLACE_MAX,
            true,
        )?,
        outlet: bounded(&format!("{field}.outlet"), &draft.outlet, PLACE_MAX, false)?,
        description: bounded(
            &format!("{field}.description"),
            &draft.description,
            DESCRIPTION_MAX,
            false,
        )?,
    })
}

fn truncate_millis(t: Timestamp) -> Timestamp {
    Timestamp::from_millisecond(t.as_millisecond()).unwrap_or(t)
}

/// Checks a shipment as sent by the ops system. The result carries no scans, version or
/// timestamps yet: [`apply_draft`] merges it into what is stored.
pub fn parse_shipment(
    draft: &ShipmentDraft,
    recognizer: &Recognizer,
    now: Timestamp,
) -> Result<(Shipment, Vec<Scan>), DomainError> {
    let waybill_no = crate::case::parse_waybill_no(&draft.waybill_no)
        .ok_or_else(|| DomainError::invalid("waybill_no", "8–32 letters and digits"))?;
    let carrier = match &draft.carrier {
        Some(c) => {
            let c = c.trim().to_ascii_lowercase();
            if c.is_empty()
                || c.len() > 20
                || !c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            {
                return Err(DomainError::invalid(
                    "carrier",
                    "a carrier code such as ours or sf",
                ));
            }
            c
        }
        None => recognizer
            .recognize(&waybill_no)
            .candidates
            .first()
            .map(|c| c.carrier.to_string())
            .unwrap_or_else(|| "ours".to_string()),
    };
    let product = match &draft.product {
        Some(p) => bounded("product", p, 32, true)?,
        None => "standard".to_string(),
    };
    let dimensions_cm = match draft.dimensions_cm {
        Some(d) => {
            let mut out = [Decimal::ZERO; 3];
            for (i, v) in d.into_iter().enumerate() {
                out[i] = positive(&format!("dimensions_cm[{i}]"), v, MAX_DIMENSION_CM)?;
            }
            Some(out)
        }
        None => None,
    };
    let pieces = draft.pieces.unwrap_or(1);
    if pieces == 0 || pieces > MAX_PIECES {
        return Err(DomainError::invalid("pieces", format!("1 to {MAX_PIECES}")));
    }
    let declared_value = match draft.declared_value {
        Some(v) if v < Decimal::ZERO => {
            return Err(DomainError::invalid(
                "declared_value",
                "must not be negative",
            ));
        }
        Some(v) if v > Decimal::from(MAX_DECLARED_VALUE) => {
            return Err(DomainError::invalid(
                "declared_value",
                format!("at most {MAX_DECLARED_VALUE}"),
            ));
        }
        Some(v) => Some(v.round_dp(2).normalize()),
        None => None,
    };
    if draft.insured && declared_value.is_none() {
        return Err(DomainError::invalid(
            "declared_value",
            "an insured shipment needs a declared value",
        ));
    }
    if draft.shipped_at > now.saturating_add(SCAN_SKEW).unwrap_or(now) {
        return Err(DomainError::invalid(
            "shipped_at",
            "is more than a day in the future",
        ));
    }
    if let Some(p) = draft.promised_at
        && p < draft.shipped_at
    {
        return Err(DomainError::invalid("promised_at", "is before shipped_at"));
    }
    let scans = draft
        .events
        .iter()
        .enumerate()
        .map(|(i, s)| parse_scan(&format!("events[{i}]"), s, now))
        .collect::<Result<Vec<_>, _>>()?;
    let shipment = Shipment {
        waybill_no,
        carrier,
        product,
        sender: party("sender", &draft.sender)?,
        recipient: party("recipient", &draft.recipient)?,
        item: bounded("item", &draft.item, ITEM_MAX, true)?,
        weight_kg: positive("weight_kg", draft.weight_kg, MAX_WEIGHT_KG)?,
        dimensions_cm,
        pieces,
        declared_value,
        insured: draft.insured,
        freight: match draft.freight {
            Some(f) if f < Decimal::ZERO || f > Decimal::from(MAX_DECLARED_VALUE) => {
                return Err(DomainError::invalid("freight", "0 to 10000000"));
            }
            f => f.map(|f| f.round_dp(2).normalize()),
        },
        shipped_at: truncate_millis(draft.shipped_at),
        promised_at: draft.promised_at.map(truncate_millis),
        status: ShipmentStatus::Created,
        last_scan_at: None,
        events: Vec::new(),
        version: 0,
        created_at: now,
        updated_at: now,
    };
    Ok((shipment, scans))
}

/// Merges a parsed shipment into what is stored (if anything): details are replaced, scans are
/// kept and the new ones added. Returns the row to write and the version it must replace
/// (`None` for an insert).
pub fn apply_draft(
    stored: Option<Shipment>,
    mut parsed: Shipment,
    scans: Vec<Scan>,
    now: Timestamp,
) -> (Shipment, Option<i64>) {
    let expected = stored.as_ref().map(|s| s.version);
    if let Some(old) = stored {
        parsed.events = old.events;
        parsed.status = old.status;
        parsed.last_scan_at = old.last_scan_at;
        parsed.version = old.version;
        parsed.created_at = old.created_at;
    }
    parsed.merge_scans(scans);
    parsed.version += 1;
    parsed.updated_at = now;
    (parsed, expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn scan(at: &str, code: ShipmentStatus, location: &str) -> Scan {
        Scan {
            at: ts(at),
            code,
            location: location.into(),
            outlet: String::new(),
            description: String::new(),
        }
    }

    fn draft() -> ShipmentDraft {
        serde_json::from_value(serde_json::json!({
            "waybill_no": "YL1234567890128",
            "sender": {"name": "张三", "phone": "13800138000", "address": "广东省深圳市南山区科技园1号"},
            "recipient": {"name": "李四", "phone": "139 0013 9000", "address": "北京市朝阳区建国路88号"},
            "item": "衣服",
            "weight_kg": 1.5,
            "pieces": 1,
            "shipped_at": "2026-11-20T02:00:00Z",
            "promised_at": "2026-11-23T10:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn status_is_the_latest_scan_and_ties_go_further_along() {
        let mut s = parse_shipment(&draft(), &Recognizer::default(), ts("2026-11-24T00:00:00Z"))
            .unwrap()
            .0;
        assert_eq!(s.status, ShipmentStatus::Created);
        let added = s.merge_scans(vec![
            scan("2026-11-21T01:00:00Z", ShipmentStatus::InTransit, "深圳"),
            scan("2026-11-20T03:00:00Z", ShipmentStatus::PickedUp, "深圳南山"),
        ]);
        assert_eq!(added, 2);
        assert_eq!(s.status, ShipmentStatus::InTransit);
        assert_eq!(
            s.events[0].code,
            ShipmentStatus::PickedUp,
            "kept in time order"
        );
        // The same scan again, reworded: stored once.
        let mut again = scan("2026-11-21T01:00:00Z", ShipmentStatus::InTransit, "深圳");
        again.description = "resent".into();
        assert_eq!(s.merge_scans(vec![again]), 0);
        // A late scan from the past does not move the status back.
        s.merge_scans(vec![scan(
            "2026-11-20T05:00:00Z",
            ShipmentStatus::AtHub,
            "深圳转运中心",
        )]);
        assert_eq!(s.status, ShipmentStatus::InTransit);
        s.merge_scans(vec![
            scan(
                "2026-11-22T08:00:00Z",
                ShipmentStatus::OutForDelivery,
                "北京朝阳",
            ),
            scan(
                "2026-11-22T08:00:00Z",
                ShipmentStatus::Delivered,
                "北京朝阳",
            ),
        ]);
        assert_eq!(s.status, ShipmentStatus::Delivered);
        assert_eq!(s.last_scan_at, Some(ts("2026-11-22T08:00:00Z")));
    }

    #[test]
    fn parsing_fills_carrier_regions_and_normalises() {
        let (s, scans) =
            parse_shipment(&draft(), &Recognizer::default(), ts("2026-11-24T00:00:00Z")).unwrap();
        assert!(scans.is_empty());
        assert_eq!(s.carrier, "ours");
        assert_eq!(s.product, "standard");
        assert_eq!(s.recipient.phone.as_str(), "13900139000");
        assert_eq!(
            s.sender.region.district.as_ref().map(|r| r.code.as_str()),
            Some("440305")
        );
        assert_eq!(s.recipient.masked().phone, "139****9000");
        assert_eq!(s.recipient.masked().name, "李*");
    }

    #[test]
    fn bad_drafts_name_their_field() {
        let now = ts("2026-11-24T00:00:00Z");
        let r = Recognizer::default();
        let cases: Vec<(&str, serde_json::Value)> = vec![
            ("waybill_no", serde_json::json!({"waybill_no": "12"})),
            ("weight_kg", serde_json::json!({"weight_kg": -1})),
            ("weight_kg", serde_json::json!({"weight_kg": 0})),
            (
                "dimensions_cm[1]",
                serde_json::json!({"dimensions_cm": [10, 99999, 10]}),
            ),
            ("pieces", serde_json::json!({"pieces": 0})),
            (
                "sender.phone",
                serde_json::json!({"sender": {"name": "a", "phone": "12", "address": "x"}}),
            ),
            (
                "recipient.name",
                serde_json::json!({"recipient": {"name": " ", "phone": "13800138000", "address": "x"}}),
            ),
            ("declared_value", serde_json::json!({"insured": true})),
            (
                "promised_at",
                serde_json::json!({"promised_at": "2026-11-01T00:00:00Z"}),
            ),
            (
                "shipped_at",
                serde_json::json!({"shipped_at": "2027-01-01T00:00:00Z"}),
            ),
            (
                "events[0].code",
                serde_json::json!({"events": [{"at": "2026-11-21T00:00:00Z", "code": "lost", "location": "x"}]}),
            ),
        ];
        for (field, patch) in cases {
            let mut v = serde_json::to_value(serde_json::json!({
                "waybill_no": "YL1234567890128",
                "sender": {"name": "张三", "phone": "13800138000", "address": "深圳南山"},
                "recipient": {"name": "李四", "phone": "13900139000", "address": "北京朝阳"},
                "item": "衣服", "weight_kg": 1, "shipped_at": "2026-11-20T02:00:00Z"
            }))
            .unwrap();
            for (k, val) in patch.as_object().unwrap() {
                v[k] = val.clone();
            }
            let d: ShipmentDraft = serde_json::from_value(v).unwrap();
            match parse_shipment(&d, &r, now) {
                Err(DomainError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: expected invalid, got {other:?}"),
            }
        }
    }

    #[test]
    fn apply_draft_keeps_scans_and_bumps_version() {
        let now = ts("2026-11-24T00:00:00Z");
        let r = Recognizer::default();
        let (s, _) = parse_shipment(&draft(), &r, now).unwrap();
        let (mut first, expected) = apply_draft(None, s.clone(), vec![], now);
        assert_eq!((first.version, expected), (1, None));
        first.merge_scans(vec![scan(
            "2026-11-20T03:00:00Z",
            ShipmentStatus::PickedUp,
            "深圳",
        )]);
        let (second, expected) = apply_draft(Some(first), s, vec![], now);
        assert_eq!((second.version, expected), (2, Some(1)));
        assert_eq!(second.status, ShipmentStatus::PickedUp);
        assert_eq!(second.events.len(), 1);
    }
}
