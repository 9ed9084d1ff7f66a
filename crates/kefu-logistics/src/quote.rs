//! Pickup quotes: a request checked field by field, priced on a rate card, with coverage,
//! prohibited items and the need for a vehicle reported beside the price.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::coverage::{Coverage, CoverageResult};
use crate::prohibited::{ProhibitedList, ProhibitedMatch};
use crate::rate::{RateCard, RateCardError};
use crate::region::is_valid_code;
use crate::zone::{Zone, zone};

/// Heaviest shipment quoted, kg (total of all pieces).
pub const MAX_WEIGHT_KG: Decimal = Decimal::from_parts(1_000, 0, 0, false, 0);
/// Longest side of a piece quoted, cm.
pub const MAX_DIMENSION_CM: Decimal = Decimal::from_parts(500, 0, 0, false, 0);
/// Most pieces in one shipment.
pub const MAX_PIECES: u32 = 999;
/// Highest declared value, yuan.
pub const MAX_DECLARED_VALUE: Decimal = Decimal::from_parts(100_000_000, 0, 0, false, 0);
/// Longest item description checked, in characters.
pub const MAX_ITEM_CHARS: usize = 2_000;

/// What the customer wants picked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    /// 6-digit GB/T 2260 code of the pickup address (province- or city-level if vague).
    pub origin_code: String,
    /// 6-digit code of the delivery address.
    pub destination_code: String,
    /// Product key of the rate card; `None` for the card's default.
    #[serde(default)]
    pub product: Option<String>,
    /// Total actual weight of all pieces, kg.
    pub weight_kg: Decimal,
    /// Length, width and height of one piece, cm; every piece is taken to be that size.
    #[serde(default)]
    pub dimensions_cm: Option<[Decimal; 3]>,
    /// Number of pieces.
    #[serde(default = "one")]
    pub pieces: u32,
    /// Declared value, yuan; required when `insured`.
    #[serde(default)]
    pub declared_value: Option<Decimal>,
    /// Whether the sender buys insurance (保价).
    #[serde(default)]
    pub insured: bool,
    /// What is in the parcel, as the customer said it; checked against the prohibited list.
    #[serde(default)]
    pub item: String,
}

fn one() -> u32 {
    1
}

/// Why a pickup needs a vehicle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VehicleReason {
    Weight {
        weight_kg: Decimal,
        limit_kg: Decimal,
    },
    Volume {
        volume_m3: Decimal,
        limit_m3: Decimal,
    },
    Pieces {
        pieces: u32,
        limit: u32,
    },
    LongestSide {
        side_cm: Decimal,
        limit_cm: Decimal,
    },
}

impl fmt::Display for VehicleReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VehicleReason::Weight {
                weight_kg,
                limit_kg,
            } => {
                write!(f, "总重 {weight_kg} kg 超过 {limit_kg} kg")
            }
            VehicleReason::Volume {
                volume_m3,
                limit_m3,
            } => {
                write!(f, "总体积 {volume_m3} m³ 超过 {limit_m3} m³")
            }
            VehicleReason::Pieces { pieces, limit } => write!(f, "{pieces} 件超过 {limit} 件"),
            VehicleReason::LongestSide { side_cm, limit_cm } => {
                write!(f, "最长边 {side_cm} cm 超过 {limit_cm} cm")
            }
        }
    }
}

/// A priced pickup. Money is in yuan with two decimals; `total` is the sum of the five fees.
///
/// A quote is returned even when the addresses are not covered (`covered: false`, with
/// `coverage_reason`), when items are flagged (`prohibited`), or when a vehicle is needed: the
/// caller decides what to do with the price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Product key.
    pub product: String,
    /// Product name for people (标快).
    pub product_name: String,
    pub zone: Zone,
    pub actual_weight_kg: Decimal,
    /// Volumetric weight of all pieces, rounded up to 0.01 kg; `None` without dimensions.
    pub volumetric_weight_kg: Option<Decimal>,
    /// max(actual, volumetric), rounded by the product's rule.
    pub chargeable_weight_kg: Decimal,
    /// First-weight fee.
    pub base_fee: Decimal,
    /// Fee for the weight above the first weight.
    pub additional_fee: Decimal,
    pub remote_surcharge: Decimal,
    pub insurance_fee: Decimal,
    /// Percentage of base + additional fee.
    pub fuel_surcharge: Decimal,
    pub total: Decimal,
    /// Both origin and destination are served for certain.
    pub covered: bool,
    /// The destination is remote (remote in the coverage, or in a remote zone of the card).
    pub remote: bool,
    /// An address is too vague to decide coverage or remoteness.
    pub needs_fuller_address: bool,
    /// Why not covered, or what is uncertain (in Chinese, for the agent).
    pub coverage_reason: Option<String>,
    /// Prohibited or restricted items found in the description: for a person to look at.
    pub prohibited: Vec<ProhibitedMatch>,
    pub vehicle_needed: bool,
    pub vehicle_reasons: Vec<VehicleReason>,
}

/// A request that cannot be quoted; [`QuoteError::field`] names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("{field}: {code:?} is not a 6-digit administrative code")]
    InvalidCode { field: &'static str, code: String },
    #[error("product: unknown product {0:?}")]
    UnknownProduct(String),
    #[error("weight_kg: {0} must be above 0")]
    WeightNotPositive(Decimal),
    #[error("weight_kg: {0} is above the limit of {MAX_WEIGHT_KG} kg")]
    WeightTooHeavy(Decimal),
    #[error(
        "dimensions_cm: side {index} is {value}, must be above 0 and at most {MAX_DIMENSION_CM} cm"
    )]
    DimensionOutOfRange { index: usize, value: Decimal },
    #[error("pieces: {0} must be between 1 and {MAX_PIECES}")]
    PiecesOutOfRange(u32),
    #[error("declared_value: {0}")]
    DeclaredValue(&'static str),
    #[error("item: {0} characters, at most {MAX_ITEM_CHARS}")]
    ItemTooLong(usize),
    #[error("rate_card.{0}")]
    RateCard(#[from] RateCardError),
}

impl QuoteError {
    /// The request field (or `rate_card`) at fault.
    pub fn field(&self) -> &'static str {
        match self {
            QuoteError::InvalidCode { field, .. } => field,
            QuoteError::UnknownProduct(_) => "product",
            QuoteError::WeightNotPositive(_) | QuoteError::WeightTooHeavy(_) => "weight_kg",
            QuoteError::DimensionOutOfRange { .. } => "dimensions_cm",
            QuoteError::PiecesOutOfRange(_) => "pieces",
            QuoteError::DeclaredValue(_) => "declared_value",
            QuoteError::ItemTooLong(_) => "item",
            QuoteError::RateCard(_) => "rate_card",
        }
    }
}

/// Everything a quote needs; serde, so an operator's configuration can be read whole.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Quoter {
    pub rate_card: RateCard,
    pub coverage: Coverage,
    pub prohibited: ProhibitedList,
}

impl Quoter {
    /// See [`quote`].
    pub fn quote(&self, request: &QuoteRequest) -> Result<Quote, QuoteError> {
        quote(request, &self.rate_card, &self.coverage, &self.prohibited)
    }
}

/// Prices `request` on `card`, and reports coverage, prohibited items and vehicle need.
///
/// The card is validated first. Volumetric weight = L × W × H × pieces ÷ the product's divisor,
/// rounded up to 0.01 kg; chargeable weight = max(actual, volumetric) rounded by the product's
/// rule; freight = first-weight fee + ⌈(chargeable − first weight) ÷ step⌉ × step fee for the
/// zone; then the remote fee if the destination is remote, insurance (declared value × rate, at
/// least the minimum) if insured, and fuel (percent of the freight). Each fee is rounded to the
/// fen, half away from zero.
pub fn quote(
    request: &QuoteRequest,
    card: &RateCard,
    coverage: &Coverage,
    prohibited: &ProhibitedList,
) -> Result<Quote, QuoteError> {
    card.validate()?;
    let (product_key, product) = check_request(request, card)?;

    let zone = zone(&request.origin_code, &request.destination_code, card);
    let pieces = Decimal::from(request.pieces);
    let volume_cm3 = request.dimensions_cm.map(|[l, w, h]| l * w * h * pieces);
    let volumetric = volume_cm3.map(|v| ceil_to_hundredths(v / product.volumetric_divisor));
    let actual = request.weight_kg.normalize();
    let heavier = volumetric.map_or(actual, |v| v.max(actual));
    let chargeable = product.rounding.apply(heavier).normalize();

    let (base, additional) = product.zones.get(zone).fees(chargeable);
    let (base, additional) = (money(base), money(additional));

    let origin = coverage.check(&request.origin_code);
    let destination = coverage.check(&request.destination_code);
    let remote = destination.remote || zone == Zone::Remote;

    let surcharges = &card.surcharges;
    let remote_surcharge = if remote {
        money(surcharges.remote_area_fee)
    } else {
        money(Decimal::ZERO)
    };
    let insurance_fee = match (request.insured, request.declared_value) {
        (true, Some(value)) => {
            money((value * surcharges.insurance_rate).max(surcharges.insurance_min))
        }
        _ => money(Decimal::ZERO),
    };
    let fuel_surcharge = money(surcharges.fuel_percent.map_or(Decimal::ZERO, |percent| {
        (base + additional) * percent / Decimal::ONE_HUNDRED
    }));
    let total = money(base + additional + remote_surcharge + insurance_fee + fuel_surcharge);

    let vehicle_reasons = vehicle_reasons(request, card, volume_cm3);
    Ok(Quote {
        product: product_key.to_owned(),
        product_name: product.name.clone(),
        zone,
        actual_weight_kg: actual,
        volumetric_weight_kg: volumetric.map(|v| v.normalize()),
        chargeable_weight_kg: chargeable,
        base_fee: base,
        additional_fee: additional,
        remote_surcharge,
        insurance_fee,
        fuel_surcharge,
        total,
        covered: origin.covered && destination.covered,
        remote,
        needs_fuller_address: origin.needs_fuller_address || destination.needs_fuller_address,
        coverage_reason: coverage_reason(&origin, &destination),
        prohibited: prohibited.check(&request.item),
        vehicle_needed: !vehicle_reasons.is_empty(),
        vehicle_reasons,
    })
}

fn check_request<'c>(
    request: &QuoteRequest,
    card: &'c RateCard,
) -> Result<(&'c str, &'c crate::rate::Product), QuoteError> {
    for (field, code) in [
        ("origin_code", &request.origin_code),
        ("destination_code", &request.destination_code),
    ] {
        if !is_valid_code(code) {
            return Err(QuoteError::InvalidCode {
                field,
                code: code.clone(),
            });
        }
    }
    let product = card
        .product(request.product.as_deref())
        .ok_or_else(|| QuoteError::UnknownProduct(request.product.clone().unwrap_or_default()))?;
    if request.weight_kg <= Decimal::ZERO {
        return Err(QuoteError::WeightNotPositive(request.weight_kg));
    }
    if request.weight_kg > MAX_WEIGHT_KG {
        return Err(QuoteError::WeightTooHeavy(request.weight_kg));
    }
    if let Some(dimensions) = request.dimensions_cm {
        for (index, value) in dimensions.into_iter().enumerate() {
            if value <= Decimal::ZERO || value > MAX_DIMENSION_CM {
                return Err(QuoteError::DimensionOutOfRange { index, value });
            }
        }
    }
    if request.pieces == 0 || request.pieces > MAX_PIECES {
        return Err(QuoteError::PiecesOutOfRange(request.pieces));
    }
    match request.declared_value {
        Some(value) if value < Decimal::ZERO => {
            return Err(QuoteError::DeclaredValue("must not be negative"));
        }
        Some(value) if value > MAX_DECLARED_VALUE => {
            return Err(QuoteError::DeclaredValue("is above the limit of 100000000"));
        }
        Some(value) if request.insured && value.is_zero() => {
            return Err(QuoteError::DeclaredValue(
                "insurance needs a declared value above 0",
            ));
        }
        None if request.insured => {
            return Err(QuoteError::DeclaredValue(
                "insurance needs a declared value",
            ));
        }
        _ => {}
    }
    let chars = request.item.chars().count();
    if chars > MAX_ITEM_CHARS {
        return Err(QuoteError::ItemTooLong(chars));
    }
    Ok(product)
}

fn vehicle_reasons(
    request: &QuoteRequest,
    card: &RateCard,
    volume_cm3: Option<Decimal>,
) -> Vec<VehicleReason> {
    let limits = &card.vehicle;
    let mut reasons = Vec::new();
    if request.weight_kg > limits.max_weight_kg {
        reasons.push(VehicleReason::Weight {
            weight_kg: request.weight_kg.normalize(),
            limit_kg: limits.max_weight_kg,
        });
    }
    if let Some(volume_cm3) = volume_cm3 {
        let volume_m3 = volume_cm3 / Decimal::from(1_000_000);
        if volume_m3 > limits.max_volume_m3 {
            reasons.push(VehicleReason::Volume {
                volume_m3: volume_m3
                    .round_dp_with_strategy(3, RoundingStrategy::AwayFromZero)
                    .normalize(),
                limit_m3: limits.max_volume_m3,
            });
        }
    }
    if request.pieces > limits.max_pieces {
        reasons.push(VehicleReason::Pieces {
            pieces: request.pieces,
            limit: limits.max_pieces,
        });
    }
    if let (Some(limit_cm), Some([l, w, h])) = (limits.max_longest_side_cm, request.dimensions_cm) {
        let side_cm = l.max(w).max(h);
        if side_cm > limit_cm {
            reasons.push(VehicleReason::LongestSide {
                side_cm: side_cm.normalize(),
                limit_cm,
            });
        }
    }
    reasons
}

fn coverage_reason(origin: &CoverageResult, destination: &CoverageResult) -> Option<String> {
    let parts: Vec<String> = [("寄件地", origin), ("收件地", destination)]
        .into_iter()
        .filter_map(|(which, result)| result.reason.as_ref().map(|r| format!("{which}：{r}")))
        .collect();
    (!parts.is_empty()).then(|| parts.join("；"))
}

/// Yuan to the fen, half away from zero, always shown with two decimals ("12.50").
fn money(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

/// Up to the next 0.01.
fn ceil_to_hundredths(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::AwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn request(origin: &str, destination: &str, weight: &str) -> QuoteRequest {
        QuoteRequest {
            origin_code: origin.into(),
            destination_code: destination.into(),
            product: None,
            weight_kg: d(weight),
            dimensions_cm: None,
            pieces: 1,
            declared_value: None,
            insured: false,
            item: String::new(),
        }
    }

    fn plain() -> ProhibitedList {
        ProhibitedList {
            official: vec![],
            operator: vec![],
            exemptions: vec![],
        }
    }

    fn quote_default(request: &QuoteRequest) -> Result<Quote, QuoteError> {
        quote(
            request,
            &RateCard::default(),
            &Coverage::default(),
            &plain(),
        )
    }

    #[test]
    fn standard_prices_per_zone() {
        let table = [
            ("440305", "440306", "0.8", Zone::SameCity, "10.00", "0.00"),
            ("440305", "440306", "3.2", Zone::SameCity, "10.00", "6.00"),
            ("440305", "440106", "2", Zone::SameProvince, "12.00", "3.00"),
            ("310115", "320505", "5", Zone::Regional, "13.00", "16.00"),
            (
                "440305",
                "110105",
                "1.01",
                Zone::CrossProvince,
                "15.00",
                "6.00",
            ),
            ("440305", "650102", "2.5", Zone::Remote, "25.00", "24.00"),
        ];
        for (origin, destination, weight, zone, base, additional) in table {
            let q = quote_default(&request(origin, destination, weight)).unwrap();
            assert_eq!(q.zone, zone, "{origin} → {destination}");
            assert_eq!(
                (q.base_fee, q.additional_fee),
                (d(base), d(additional)),
                "{origin} → {destination} {weight}"
            );
            assert_eq!(q.total, d(base) + d(additional));
            assert_eq!(q.product, "standard");
            assert_eq!(q.product_name, "标快");
        }
    }

    #[test]
    fn money_has_two_decimals_in_json() {
        let q = quote_default(&request("440305", "440306", "1")).unwrap();
        let json = serde_json::to_value(&q).unwrap();
        assert_eq!(json["total"], "10.00");
        assert_eq!(json["zone"], "same_city");
        assert_eq!(json["chargeable_weight_kg"], "1");
        assert_eq!(json["volumetric_weight_kg"], serde_json::Value::Null);
    }

    #[test]
    fn volumetric_beats_actual_when_bulky() {
        let mut r = request("440305", "110105", "2");
        r.dimensions_cm = Some([d("50"), d("40"), d("30")]); // 60000 cm³ / 6000 = 10 kg
        let q = quote_default(&r).unwrap();
        assert_eq!(q.volumetric_weight_kg, Some(d("10")));
        assert_eq!(q.actual_weight_kg, d("2"));
        assert_eq!(q.chargeable_weight_kg, d("10"));
        assert_eq!(q.additional_fee, d("54.00")); // 9 steps × ¥6
    }

    #[test]
    fn actual_beats_volumetric_when_dense() {
        let mut r = request("440305", "110105", "4.3");
        r.dimensions_cm = Some([d("20"), d("15"), d("10")]); // 0.5 kg
        let q = quote_default(&r).unwrap();
        assert_eq!(q.volumetric_weight_kg, Some(d("0.5")));
        assert_eq!(q.chargeable_weight_kg, d("5"));
        assert_eq!(q.total, d("39.00"));
    }

    #[test]
    fn volumetric_counts_every_piece_and_rounds_up_to_hundredths() {
        let mut r = request("440305", "440306", "1");
        r.dimensions_cm = Some([d("31"), d("21"), d("11")]); // 7161 cm³ → 1.1935 kg → 1.20
        let q = quote_default(&r).unwrap();
        assert_eq!(q.volumetric_weight_kg, Some(d("1.2")));
        assert_eq!(q.chargeable_weight_kg, d("2"));
        r.pieces = 3; // 3.5805 → 3.59 → 4
        let q = quote_default(&r).unwrap();
        assert_eq!(q.volumetric_weight_kg, Some(d("3.59")));
        assert_eq!(q.chargeable_weight_kg, d("4"));
    }

    #[test]
    fn product_divisor_and_rounding_apply() {
        let mut r = request("440305", "110105", "1.2");
        r.product = Some("express".into());
        let q = quote_default(&r).unwrap();
        assert_eq!(q.chargeable_weight_kg, d("1.5")); // express rounds to 0.5 kg
        assert_eq!((q.base_fee, q.additional_fee), (d("22.00"), d("12.00")));
        let mut card = RateCard::default();
        card.products
            .get_mut("standard")
            .unwrap()
            .volumetric_divisor = d("12000");
        let mut r = request("440305", "110105", "1");
        r.dimensions_cm = Some([d("60"), d("40"), d("50")]); // 120000 / 12000 = 10
        let q = quote(&r, &card, &Coverage::default(), &plain()).unwrap();
        assert_eq!(q.volumetric_weight_kg, Some(d("10")));
    }

    #[test]
    fn economy_first_weight_is_three_kilograms() {
        let mut r = request("440305", "110105", "3");
        r.product = Some("economy".into());
        assert_eq!(quote_default(&r).unwrap().total, d("18.00"));
        r.weight_kg = d("3.1");
        assert_eq!(quote_default(&r).unwrap().total, d("22.00"));
        r.weight_kg = d("20");
        assert_eq!(quote_default(&r).unwrap().total, d("86.00")); // 18 + 17 × 4
    }

    #[test]
    fn remote_surcharge_applies_to_remote_destinations() {
        let mut card = RateCard::default();
        card.surcharges.remote_area_fee = d("5");
        let coverage = Coverage {
            remote: vec!["65".into(), "4418".into()],
            ..Coverage::default()
        };
        let remote_zone = quote(
            &request("440305", "650102", "1"),
            &card,
            &coverage,
            &plain(),
        )
        .unwrap();
        assert!(remote_zone.remote);
        assert_eq!(remote_zone.remote_surcharge, d("5.00"));
        assert_eq!(remote_zone.total, d("30.00"));
        // remote in the coverage only: 清远 is in-province for a Shenzhen sender
        let remote_district = quote(
            &request("440305", "441802", "1"),
            &card,
            &coverage,
            &plain(),
        )
        .unwrap();
        assert_eq!(remote_district.zone, Zone::SameProvince);
        assert!(remote_district.remote);
        assert_eq!(remote_district.total, d("17.00"));
        let ordinary = quote(
            &request("440305", "440106", "1"),
            &card,
            &coverage,
            &plain(),
        )
        .unwrap();
        assert!(!ordinary.remote);
        assert_eq!(ordinary.remote_surcharge, d("0.00"));
        // the default card has no separate fee: the remote zone rate carries it
        let default = quote_default(&request("440305", "650102", "1")).unwrap();
        assert_eq!(
            (default.remote, default.remote_surcharge, default.total),
            (true, d("0"), d("25"))
        );
    }

    #[test]
    fn insurance_is_a_rate_with_a_minimum() {
        let mut r = request("440305", "440306", "1");
        r.insured = true;
        r.declared_value = Some(d("3000"));
        assert_eq!(quote_default(&r).unwrap().insurance_fee, d("15.00"));
        r.declared_value = Some(d("333"));
        assert_eq!(quote_default(&r).unwrap().insurance_fee, d("1.67")); // 1.665, half up
        r.declared_value = Some(d("50"));
        let q = quote_default(&r).unwrap();
        assert_eq!(q.insurance_fee, d("1.00")); // 0.25 → minimum
        assert_eq!(q.total, d("11.00"));
        r.insured = false; // a declared value alone buys nothing
        assert_eq!(quote_default(&r).unwrap().insurance_fee, d("0"));
    }

    #[test]
    fn fuel_is_a_percentage_of_the_freight() {
        let mut card = RateCard::default();
        card.surcharges.fuel_percent = Some(d("12.5"));
        card.surcharges.remote_area_fee = d("3");
        let mut r = request("440305", "650102", "3");
        r.insured = true;
        r.declared_value = Some(d("1000"));
        let q = quote(&r, &card, &Coverage::default(), &plain()).unwrap();
        // freight 25 + 2 × 12 = 49; fuel 6.125 → 6.13; insurance 5; remote 3
        assert_eq!(q.fuel_surcharge, d("6.13"));
        assert_eq!(q.insurance_fee, d("5.00"));
        assert_eq!(q.remote_surcharge, d("3.00"));
        assert_eq!(q.total, d("63.13"));
        assert_eq!(quote_default(&r).unwrap().fuel_surcharge, d("0"));
    }

    #[test]
    fn uncovered_addresses_still_get_a_price() {
        let q = quote_default(&request("440305", "810000", "1")).unwrap();
        assert!(!q.covered);
        assert_eq!(q.total, d("15.00"));
        let reason = q.coverage_reason.unwrap();
        assert!(reason.starts_with("收件地："), "{reason}");
        let coverage = Coverage {
            served: vec!["4403".into()],
            ..Coverage::default()
        };
        let q = quote(
            &request("440000", "440306", "1"),
            &RateCard::default(),
            &coverage,
            &plain(),
        )
        .unwrap();
        assert!(!q.covered);
        assert!(q.needs_fuller_address);
        assert!(q.coverage_reason.unwrap().starts_with("寄件地："));
        let q = quote(
            &request("440305", "440306", "1"),
            &RateCard::default(),
            &coverage,
            &plain(),
        )
        .unwrap();
        assert!(q.covered && !q.needs_fuller_address && q.coverage_reason.is_none());
    }

    #[test]
    fn vehicle_thresholds() {
        let small = quote_default(&request("440305", "440306", "50")).unwrap();
        assert!(!small.vehicle_needed && small.vehicle_reasons.is_empty());
        let mut r = request("440305", "440306", "50.5");
        r.dimensions_cm = Some([d("160"), d("60"), d("60")]); // 0.576 m³
        r.pieces = 11; // 6.336 m³
        let q = quote_default(&r).unwrap();
        assert!(q.vehicle_needed);
        assert_eq!(
            q.vehicle_reasons,
            [
                VehicleReason::Weight {
                    weight_kg: d("50.5"),
                    limit_kg: d("50")
                },
                VehicleReason::Volume {
                    volume_m3: d("6.336"),
                    limit_m3: d("0.5")
                },
                VehicleReason::Pieces {
                    pieces: 11,
                    limit: 10
                },
                VehicleReason::LongestSide {
                    side_cm: d("160"),
                    limit_cm: d("150")
                },
            ]
        );
        let shown: Vec<String> = q.vehicle_reasons.iter().map(ToString::to_string).collect();
        assert_eq!(shown[0], "总重 50.5 kg 超过 50 kg");
        let json = serde_json::to_value(&q.vehicle_reasons[2]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "pieces", "pieces": 11, "limit": 10})
        );
        let mut r = request("440305", "440306", "5");
        r.dimensions_cm = Some([d("100"), d("100"), d("51")]);
        let q = quote_default(&r).unwrap();
        assert_eq!(
            q.vehicle_reasons,
            [VehicleReason::Volume {
                volume_m3: d("0.51"),
                limit_m3: d("0.5")
            }]
        );
    }

    #[test]
    fn bad_requests_name_their_field() {
        let ok = request("440305", "110105", "1");
        type Change = Box<dyn Fn(&mut QuoteRequest)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|r| r.origin_code = "44030".into()), "origin_code"),
            (
                Box::new(|r| r.origin_code = "深圳南山".into()),
                "origin_code",
            ),
            (
                Box::new(|r| r.destination_code = "000000".into()),
                "destination_code",
            ),
            (
                Box::new(|r| r.product = Some("overnight".into())),
                "product",
            ),
            (Box::new(|r| r.weight_kg = d("0")), "weight_kg"),
            (Box::new(|r| r.weight_kg = d("-1")), "weight_kg"),
            (Box::new(|r| r.weight_kg = d("1000.01")), "weight_kg"),
            (
                Box::new(|r| r.dimensions_cm = Some([d("10"), d("0"), d("10")])),
                "dimensions_cm",
            ),
            (
                Box::new(|r| r.dimensions_cm = Some([d("-10"), d("10"), d("10")])),
                "dimensions_cm",
            ),
            (
                Box::new(|r| r.dimensions_cm = Some([d("10"), d("10"), d("500.1")])),
                "dimensions_cm",
            ),
            (Box::new(|r| r.pieces = 0), "pieces"),
            (Box::new(|r| r.pieces = 1000), "pieces"),
            (
                Box::new(|r| r.declared_value = Some(d("-1"))),
                "declared_value",
            ),
            (
                Box::new(|r| r.declared_value = Some(d("100000001"))),
                "declared_value",
            ),
            (Box::new(|r| r.insured = true), "declared_value"),
            (
                Box::new(|r| {
                    r.insured = true;
                    r.declared_value = Some(d("0"));
                }),
                "declared_value",
            ),
            (
                Box::new(|r| r.item = "衣".repeat(MAX_ITEM_CHARS + 1)),
                "item",
            ),
        ];
        for (change, field) in cases {
            let mut r = ok.clone();
            change(&mut r);
            let error = quote_default(&r).unwrap_err();
            assert_eq!(error.field(), field, "{error}");
            assert!(error.to_string().starts_with(field), "{error}");
        }
        let mut r = ok.clone();
        r.dimensions_cm = Some([d("10"), d("10"), d("600")]);
        assert_eq!(
            quote_default(&r).unwrap_err(),
            QuoteError::DimensionOutOfRange {
                index: 2,
                value: d("600")
            }
        );
        // limits themselves are fine
        let mut r = ok;
        r.weight_kg = MAX_WEIGHT_KG;
        r.dimensions_cm = Some([MAX_DIMENSION_CM; 3]);
        r.pieces = MAX_PIECES;
        assert!(quote_default(&r).is_ok());
    }

    #[test]
    fn an_invalid_card_is_refused() {
        let mut card = RateCard::default();
        card.surcharges.insurance_rate = d("2");
        let error = quote(
            &request("440305", "110105", "1"),
            &card,
            &Coverage::default(),
            &plain(),
        )
        .unwrap_err();
        assert_eq!(error.field(), "rate_card");
        assert_eq!(
            error.to_string(),
            "rate_card.surcharges.insurance_rate: must be between 0 and 1"
        );
    }

    #[test]
    fn request_serde_defaults() {
        let r: QuoteRequest = serde_json::from_str(
            r#"{"origin_code": "440305", "destination_code": "110105", "weight_kg": "1.5"}"#,
        )
        .unwrap();
        assert_eq!(r.pieces, 1);
        assert!(!r.insured && r.product.is_none() && r.item.is_empty());
        let r: QuoteRequest = serde_json::from_str(
            r#"{"origin_code": "440305", "destination_code": "110105", "weight_kg": 2,
                "dimensions_cm": ["30", 20, "10.5"], "declared_value": "199.99", "insured": true}"#,
        )
        .unwrap();
        assert_eq!(r.dimensions_cm, Some([d("30"), d("20"), d("10.5")]));
        assert_eq!(
            Quoter::default().quote(&r).unwrap().insurance_fee,
            d("1.00")
        );
    }
}
