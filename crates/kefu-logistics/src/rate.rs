//! Rate cards: what a product costs per zone, how weight is rounded, and the surcharges.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::region::entry_prefix;
use crate::zone::Zone;

/// A carrier's or an operator's price list.
///
/// Money and weights are [`Decimal`]s, carried in JSON as strings (`"12.50"`); numbers are read
/// too. Check a card that came from outside with [`RateCard::validate`] (quoting does it anyway).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateCard {
    /// The product used when a request names none; must be a key of `products`.
    pub default_product: String,
    /// Products by key (`standard`, `express`, `economy` …).
    pub products: BTreeMap<String, Product>,
    /// Economic regions: two different provinces of one region are [`Zone::Regional`].
    #[serde(default)]
    pub regions: Vec<Region>,
    /// Areas priced as [`Zone::Remote`] when the origin is outside them: 2-digit province or
    /// 4-digit city prefixes, or full codes (`650000`, `460300`, `653101`).
    #[serde(default)]
    pub remote_areas: Vec<String>,
    /// Extras on top of the freight.
    #[serde(default)]
    pub surcharges: Surcharges,
    /// Above these a pickup needs a vehicle rather than a courier on an e-tricycle.
    #[serde(default)]
    pub vehicle: VehicleThresholds,
}

/// One product of a card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Name shown to people (标快, 特快, 经济快递).
    pub name: String,
    /// Volumetric weight (kg) = length × width × height (cm) ÷ this.
    #[serde(default = "default_divisor")]
    pub volumetric_divisor: Decimal,
    /// How the chargeable weight is rounded before pricing.
    #[serde(default)]
    pub rounding: Rounding,
    /// Prices per zone.
    pub zones: ZoneRates,
}

fn default_divisor() -> Decimal {
    Decimal::new(6000, 0)
}

/// Prices for each zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneRates {
    pub same_city: ZoneRate,
    pub same_province: ZoneRate,
    pub regional: ZoneRate,
    pub cross_province: ZoneRate,
    pub remote: ZoneRate,
}

impl ZoneRates {
    /// The price for `zone`.
    pub fn get(&self, zone: Zone) -> &ZoneRate {
        match zone {
            Zone::SameCity => &self.same_city,
            Zone::SameProvince => &self.same_province,
            Zone::Regional => &self.regional,
            Zone::CrossProvince => &self.cross_province,
            Zone::Remote => &self.remote,
        }
    }

    fn iter(&self) -> impl Iterator<Item = (&'static str, &ZoneRate)> {
        [
            ("same_city", &self.same_city),
            ("same_province", &self.same_province),
            ("regional", &self.regional),
            ("cross_province", &self.cross_province),
            ("remote", &self.remote),
        ]
        .into_iter()
    }
}

/// First weight and steps: the fee is `first_fee` up to `first_weight_kg`, then `step_fee` for
/// each started `step_kg` above it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneRate {
    pub first_weight_kg: Decimal,
    pub first_fee: Decimal,
    pub step_kg: Decimal,
    pub step_fee: Decimal,
}

impl ZoneRate {
    /// A rate from its four figures.
    pub fn new(
        first_weight_kg: Decimal,
        first_fee: Decimal,
        step_kg: Decimal,
        step_fee: Decimal,
    ) -> Self {
        Self {
            first_weight_kg,
            first_fee,
            step_kg,
            step_fee,
        }
    }

    /// `(first-weight fee, additional fee)` for an already rounded chargeable weight:
    /// additional = ⌈(chargeable − first weight) ÷ step⌉ × step fee, or zero within the first
    /// weight. The rate must be valid (`step_kg` > 0).
    pub fn fees(&self, chargeable_kg: Decimal) -> (Decimal, Decimal) {
        let extra = chargeable_kg - self.first_weight_kg;
        if extra <= Decimal::ZERO || self.step_kg <= Decimal::ZERO {
            return (self.first_fee, Decimal::ZERO);
        }
        let steps = (extra / self.step_kg).ceil();
        (self.first_fee, steps * self.step_fee)
    }
}

/// How a chargeable weight is rounded up. JSON: `"up_to_0_5"`, `"up_to_1"`, or
/// `{"bands": ["0.5", "1", "2", "3"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Rounding {
    /// Up to the next half kilogram (1.2 → 1.5, 1.5 → 1.5).
    #[serde(rename = "up_to_0_5")]
    UpToHalfKg,
    /// Up to the next whole kilogram (1.2 → 2), the usual rule of 通达系 carriers.
    #[default]
    #[serde(rename = "up_to_1")]
    UpToKg,
    /// Up to the first band at or above the weight (bands 0.5, 1, 2, 3: 1.2 → 2); above the
    /// last band, up to the next whole kilogram. Bands must be positive and increasing.
    #[serde(rename = "bands")]
    Bands(Vec<Decimal>),
}

impl Rounding {
    /// `weight_kg` rounded up by the rule; never less than `weight_kg`.
    pub fn apply(&self, weight_kg: Decimal) -> Decimal {
        match self {
            Rounding::UpToHalfKg => (weight_kg * Decimal::TWO).ceil() / Decimal::TWO,
            Rounding::UpToKg => weight_kg.ceil(),
            Rounding::Bands(bands) => bands
                .iter()
                .copied()
                .find(|band| *band >= weight_kg)
                .unwrap_or_else(|| weight_kg.ceil()),
        }
    }
}

/// Extras on top of the freight. Each is rounded to the fen (0.01), half away from zero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Surcharges {
    /// Flat fee when the destination is remote (the coverage marks it remote, or the zone is
    /// [`Zone::Remote`]). The default is 0: the default card prices remote provinces through
    /// the remote zone's own rate, as most carriers publish them; set it for a carrier that bills
    /// a separate 偏远附加费 (typically on remote districts inside ordinary provinces).
    pub remote_area_fee: Decimal,
    /// Insurance (保价) fee = declared value × this (0.005 = 0.5 %), when the sender insures.
    pub insurance_rate: Decimal,
    /// The insurance fee is never below this.
    pub insurance_min: Decimal,
    /// Fuel surcharge in percent of the freight (first-weight fee + additional fee), if any.
    /// Domestic retail prices usually include fuel, hence none by default.
    pub fuel_percent: Option<Decimal>,
}

impl Default for Surcharges {
    fn default() -> Self {
        Self {
            remote_area_fee: Decimal::ZERO,
            insurance_rate: Decimal::new(5, 3),
            insurance_min: Decimal::ONE,
            fuel_percent: None,
        }
    }
}

/// Limits of an ordinary pickup; a shipment strictly above any of them needs a vehicle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VehicleThresholds {
    /// Total actual weight, kg.
    pub max_weight_kg: Decimal,
    /// Total volume (every piece), m³.
    pub max_volume_m3: Decimal,
    /// Number of pieces.
    pub max_pieces: u32,
    /// Longest side of a piece, cm, if limited.
    pub max_longest_side_cm: Option<Decimal>,
}

impl Default for VehicleThresholds {
    /// 50 kg is about what one courier carries down the stairs and rides off with next to the
    /// round's other parcels; 0.5 m³ is about a third of an e-tricycle's cargo box (≈ 1.5 m ×
    /// 1.1 m × 1.1 m), which must keep room for the rest of the round; 10 pieces is where a pickup
    /// stops being a doorstep hand-over; a side above 150 cm no longer fits the box at all.
    fn default() -> Self {
        Self {
            max_weight_kg: Decimal::new(50, 0),
            max_volume_m3: Decimal::new(5, 1),
            max_pieces: 10,
            max_longest_side_cm: Some(Decimal::new(150, 0)),
        }
    }
}

/// An economic region: provinces (2-digit prefixes) priced as [`Zone::Regional`] between them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub name: String,
    pub provinces: Vec<String>,
}

impl Region {
    fn new(name: &str, provinces: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            provinces: provinces.iter().map(|p| (*p).to_owned()).collect(),
        }
    }
}

/// A rate card failed [`RateCard::validate`]: `field` is the path of the offending value
/// (`products.standard.zones.remote.step_kg`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RateCardError {
    pub field: String,
    pub message: String,
}

/// Bounds that keep every sum far from `Decimal`'s range.
const MAX_FEE: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
const MAX_KG: Decimal = Decimal::from_parts(1_000, 0, 0, false, 0);
const MIN_STEP_KG: Decimal = Decimal::from_parts(1, 0, 0, false, 2);
const MIN_DIVISOR: Decimal = Decimal::from_parts(100, 0, 0, false, 0);
const MAX_DIVISOR: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

struct Check {
    errors: Option<RateCardError>,
}

impl Check {
    fn require(&mut self, ok: bool, field: impl fmt::Display, message: &str) {
        if !ok && self.errors.is_none() {
            self.errors = Some(RateCardError {
                field: field.to_string(),
                message: message.to_owned(),
            });
        }
    }

    fn range(&mut self, value: Decimal, min: Decimal, max: Decimal, field: impl fmt::Display) {
        let ok = value >= min && value <= max;
        self.require(ok, field, &format!("must be between {min} and {max}"));
    }

    fn positive(&mut self, value: Decimal, max: Decimal, field: impl fmt::Display) {
        let ok = value > Decimal::ZERO && value <= max;
        self.require(ok, field, &format!("must be above 0 and at most {max}"));
    }
}

impl RateCard {
    /// The first problem found, naming its field.
    pub fn validate(&self) -> Result<(), RateCardError> {
        let mut check = Check { errors: None };
        check.require(
            !self.products.is_empty(),
            "products",
            "must list at least one product",
        );
        check.require(
            self.products.contains_key(&self.default_product),
            "default_product",
            "must be a key of products",
        );
        for (key, product) in &self.products {
            let path = format!("products.{key}");
            check.require(
                !key.is_empty() && !key.contains(char::is_whitespace),
                &path,
                "a product key must be non-empty and without spaces",
            );
            check.require(
                !product.name.trim().is_empty(),
                format!("{path}.name"),
                "must not be empty",
            );
            check.range(
                product.volumetric_divisor,
                MIN_DIVISOR,
                MAX_DIVISOR,
                format!("{path}.volumetric_divisor"),
            );
            if let Rounding::Bands(bands) = &product.rounding {
                check.require(
                    !bands.is_empty(),
                    format!("{path}.rounding.bands"),
                    "must not be empty",
                );
                for (i, band) in bands.iter().enumerate() {
                    check.positive(*band, MAX_KG, format!("{path}.rounding.bands[{i}]"));
                    if i > 0 {
                        check.require(
                            bands[i - 1] < *band,
                            format!("{path}.rounding.bands[{i}]"),
                            "bands must increase",
                        );
                    }
                }
            }
            for (zone, rate) in product.zones.iter() {
                let path = format!("{path}.zones.{zone}");
                check.positive(
                    rate.first_weight_kg,
                    MAX_KG,
                    format!("{path}.first_weight_kg"),
                );
                check.range(
                    rate.first_fee,
                    Decimal::ZERO,
                    MAX_FEE,
                    format!("{path}.first_fee"),
                );
                check.range(rate.step_kg, MIN_STEP_KG, MAX_KG, format!("{path}.step_kg"));
                check.range(
                    rate.step_fee,
                    Decimal::ZERO,
                    MAX_FEE,
                    format!("{path}.step_fee"),
                );
            }
        }
        for (i, region) in self.regions.iter().enumerate() {
            check.require(
                !region.name.trim().is_empty(),
                format!("regions[{i}].name"),
                "must not be empty",
            );
            for (j, province) in region.provinces.iter().enumerate() {
                check.require(
                    entry_prefix(province).is_some_and(|p| p.len() == 2 && p == province.trim()),
                    format!("regions[{i}].provinces[{j}]"),
                    "must be a 2-digit province prefix such as 31",
                );
            }
        }
        for (i, area) in self.remote_areas.iter().enumerate() {
            check.require(
                entry_prefix(area).is_some(),
                format!("remote_areas[{i}]"),
                "must be a 2- or 4-digit prefix or a 6-digit code",
            );
        }
        let s = &self.surcharges;
        check.range(
            s.remote_area_fee,
            Decimal::ZERO,
            MAX_FEE,
            "surcharges.remote_area_fee",
        );
        check.range(
            s.insurance_rate,
            Decimal::ZERO,
            Decimal::ONE,
            "surcharges.insurance_rate",
        );
        check.range(
            s.insurance_min,
            Decimal::ZERO,
            MAX_FEE,
            "surcharges.insurance_min",
        );
        if let Some(fuel) = s.fuel_percent {
            check.range(
                fuel,
                Decimal::ZERO,
                Decimal::ONE_HUNDRED,
                "surcharges.fuel_percent",
            );
        }
        let v = &self.vehicle;
        check.positive(v.max_weight_kg, MAX_KG, "vehicle.max_weight_kg");
        check.positive(v.max_volume_m3, MAX_KG, "vehicle.max_volume_m3");
        check.require(v.max_pieces > 0, "vehicle.max_pieces", "must be above 0");
        if let Some(side) = v.max_longest_side_cm {
            check.positive(side, MAX_KG, "vehicle.max_longest_side_cm");
        }
        match check.errors {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// The product for `key`, or the default product when `key` is `None`.
    pub fn product(&self, key: Option<&str>) -> Option<(&str, &Product)> {
        let key = key.map_or(self.default_product.as_str(), str::trim);
        self.products
            .get_key_value(key)
            .map(|(k, p)| (k.as_str(), p))
    }
}

fn rate(first_weight_kg: i64, first_fee: i64, step_fee_tenths: i64) -> ZoneRate {
    ZoneRate::new(
        Decimal::new(first_weight_kg, 0),
        Decimal::new(first_fee, 0),
        Decimal::ONE,
        Decimal::new(step_fee_tenths, 1),
    )
}

impl Default for RateCard {
    /// A nationwide retail card at the level of a walk-in price at a 通达系 outlet (2024–2025).
    ///
    /// - `standard` 标快, the default: 1 kg first weight, then per kg — same city ¥10 + ¥2,
    ///   same province ¥12 + ¥3, regional ¥13 + ¥4, cross-province ¥15 + ¥6, remote ¥25 + ¥12.
    /// - `express` 特快 (顺丰-like time-definite): same city ¥13 + ¥3, same province ¥15 + ¥5,
    ///   regional ¥18 + ¥7, cross-province ¥22 + ¥12, remote ¥30 + ¥18; weight rounded to 0.5 kg.
    /// - `economy` 经济快递 (ground, for heavy parcels): 3 kg first weight, then per kg — ¥12 +
    ///   ¥1.5, ¥14 + ¥2, ¥15 + ¥2.5, ¥18 + ¥4, ¥30 + ¥8; dearer than `standard` for a 1 kg
    ///   parcel, much cheaper from about 5 kg.
    ///
    /// Volumetric divisor 6000 everywhere (ground contracts often use 8000–12000; 6000 is the
    /// common default and never undercharges). Regions: 江浙沪皖 (31 32 33 34: Anhui is in the
    /// Yangtze-delta network and in the usual "江浙沪皖包邮" area), 京津冀 (11 12 13), 川渝 (50 51),
    /// 东北 (21 22 23); the Pearl River delta is inside Guangdong, so same-province already.
    /// Remote: 新疆 65, 西藏 54, 青海 63, 内蒙古 15, 甘肃 62, 宁夏 64 — the provinces the carriers'
    /// price lists put in their dearest bands. Insurance 0.5 % of the declared value, at least
    /// ¥1; no fuel surcharge; no separate remote fee (see [`Surcharges::remote_area_fee`]).
    fn default() -> Self {
        let standard = Product {
            name: "标快".to_owned(),
            volumetric_divisor: default_divisor(),
            rounding: Rounding::UpToKg,
            zones: ZoneRates {
                same_city: rate(1, 10, 20),
                same_province: rate(1, 12, 30),
                regional: rate(1, 13, 40),
                cross_province: rate(1, 15, 60),
                remote: rate(1, 25, 120),
            },
        };
        let express = Product {
            name: "特快".to_owned(),
            volumetric_divisor: default_divisor(),
            rounding: Rounding::UpToHalfKg,
            zones: ZoneRates {
                same_city: rate(1, 13, 30),
                same_province: rate(1, 15, 50),
                regional: rate(1, 18, 70),
                cross_province: rate(1, 22, 120),
                remote: rate(1, 30, 180),
            },
        };
        let economy = Product {
            name: "经济快递".to_owned(),
            volumetric_divisor: default_divisor(),
            rounding: Rounding::UpToKg,
            zones: ZoneRates {
                same_city: rate(3, 12, 15),
                same_province: rate(3, 14, 20),
                regional: rate(3, 15, 25),
                cross_province: rate(3, 18, 40),
                remote: rate(3, 30, 80),
            },
        };
        Self {
            default_product: "standard".to_owned(),
            products: BTreeMap::from([
                ("standard".to_owned(), standard),
                ("express".to_owned(), express),
                ("economy".to_owned(), economy),
            ]),
            regions: vec![
                Region::new("江浙沪皖", &["31", "32", "33", "34"]),
                Region::new("京津冀", &["11", "12", "13"]),
                Region::new("川渝", &["50", "51"]),
                Region::new("东北", &["21", "22", "23"]),
            ],
            remote_areas: ["65", "54", "63", "15", "62", "64"]
                .map(str::to_owned)
                .to_vec(),
            surcharges: Surcharges::default(),
            vehicle: VehicleThresholds::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn default_card_is_valid() {
        RateCard::default().validate().unwrap();
    }

    #[test]
    fn default_figures() {
        let card = RateCard::default();
        let (key, standard) = card.product(None).unwrap();
        assert_eq!(key, "standard");
        let figures: Vec<_> = Zone::ALL
            .iter()
            .map(|z| {
                let r = standard.zones.get(*z);
                (r.first_weight_kg, r.first_fee, r.step_kg, r.step_fee)
            })
            .collect();
        let expected: Vec<_> = [(10, 2), (12, 3), (13, 4), (15, 6), (25, 12)]
            .iter()
            .map(|&(f, s)| (d("1"), Decimal::from(f), d("1"), Decimal::from(s)))
            .collect();
        assert_eq!(figures, expected);
        assert_eq!(card.surcharges.insurance_rate, d("0.005"));
        assert_eq!(card.surcharges.insurance_min, d("1"));
        assert_eq!(card.vehicle.max_weight_kg, d("50"));
        assert_eq!(card.vehicle.max_volume_m3, d("0.5"));
        assert_eq!(card.vehicle.max_pieces, 10);
        for product in card.products.values() {
            assert_eq!(product.volumetric_divisor, d("6000"));
            // dearer zones never cost less
            for pair in Zone::ALL.windows(2) {
                let (a, b) = (product.zones.get(pair[0]), product.zones.get(pair[1]));
                assert!(
                    a.first_fee <= b.first_fee && a.step_fee <= b.step_fee,
                    "{}",
                    product.name
                );
            }
        }
    }

    #[test]
    fn rounding_rules() {
        let half = Rounding::UpToHalfKg;
        let whole = Rounding::UpToKg;
        let bands = Rounding::Bands(vec![d("0.5"), d("1"), d("2"), d("3")]);
        let table = [
            // weight, up_to_0_5, up_to_1, bands
            ("0.01", "0.5", "1", "0.5"),
            ("0.5", "0.5", "1", "0.5"),
            ("0.51", "1", "1", "1"),
            ("1", "1", "1", "1"),
            ("1.2", "1.5", "2", "2"),
            ("1.5", "1.5", "2", "2"),
            ("2.01", "2.5", "3", "3"),
            ("3", "3", "3", "3"),
            ("3.01", "3.5", "4", "4"),
            ("10.7", "11", "11", "11"),
        ];
        for (w, h, o, b) in table {
            assert_eq!(half.apply(d(w)), d(h), "half {w}");
            assert_eq!(whole.apply(d(w)), d(o), "whole {w}");
            assert_eq!(bands.apply(d(w)), d(b), "bands {w}");
        }
    }

    #[test]
    fn rounding_serde() {
        let rules: Vec<Rounding> =
            serde_json::from_str(r#"["up_to_0_5", "up_to_1", {"bands": ["0.5", 1, "2"]}]"#)
                .unwrap();
        assert_eq!(
            rules,
            [
                Rounding::UpToHalfKg,
                Rounding::UpToKg,
                Rounding::Bands(vec![d("0.5"), d("1"), d("2")])
            ]
        );
        assert_eq!(
            serde_json::to_string(&rules).unwrap(),
            r#"["up_to_0_5","up_to_1",{"bands":["0.5","1","2"]}]"#
        );
    }

    #[test]
    fn first_weight_and_steps() {
        let rate = ZoneRate::new(d("1"), d("10"), d("1"), d("2"));
        assert_eq!(rate.fees(d("0.5")), (d("10"), d("0")));
        assert_eq!(rate.fees(d("1")), (d("10"), d("0")));
        assert_eq!(rate.fees(d("1.5")), (d("10"), d("2")));
        assert_eq!(rate.fees(d("2")), (d("10"), d("2")));
        assert_eq!(rate.fees(d("7")), (d("10"), d("12")));
        let half_steps = ZoneRate::new(d("3"), d("12"), d("0.5"), d("1"));
        assert_eq!(half_steps.fees(d("3.2")), (d("12"), d("1")));
        assert_eq!(half_steps.fees(d("4")), (d("12"), d("2")));
        assert_eq!(half_steps.fees(d("4.01")), (d("12"), d("3")));
    }

    #[test]
    fn card_round_trips_through_json_with_money_as_strings() {
        let card = RateCard::default();
        let json = serde_json::to_value(&card).unwrap();
        assert_eq!(
            json["products"]["standard"]["zones"]["same_city"]["first_fee"],
            "10"
        );
        assert_eq!(json["surcharges"]["insurance_rate"], "0.005");
        assert_eq!(json["products"]["express"]["rounding"], "up_to_0_5");
        let back: RateCard = serde_json::from_value(json).unwrap();
        assert_eq!(back, card);
    }

    #[test]
    fn minimal_card_takes_defaults() {
        let zone = r#"{"first_weight_kg": 1, "first_fee": "8", "step_kg": "1", "step_fee": 1.5}"#;
        let json = format!(
            r#"{{"default_product": "p", "products": {{"p": {{"name": "P", "zones": {{
                "same_city": {zone}, "same_province": {zone}, "regional": {zone},
                "cross_province": {zone}, "remote": {zone}}}}}}}}}"#
        );
        let card: RateCard = serde_json::from_str(&json).unwrap();
        card.validate().unwrap();
        let product = &card.products["p"];
        assert_eq!(product.volumetric_divisor, d("6000"));
        assert_eq!(product.rounding, Rounding::UpToKg);
        assert_eq!(product.zones.remote.step_fee, d("1.5"));
        assert_eq!(card.surcharges, Surcharges::default());
        assert!(card.remote_areas.is_empty());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut json = serde_json::to_value(RateCard::default()).unwrap();
        json["surcharges"]["fuel"] = "5".into();
        assert!(serde_json::from_value::<RateCard>(json).is_err());
    }

    fn field_of(change: impl FnOnce(&mut RateCard)) -> String {
        let mut card = RateCard::default();
        change(&mut card);
        card.validate().unwrap_err().field
    }

    fn standard(card: &mut RateCard) -> &mut Product {
        card.products.get_mut("standard").unwrap()
    }

    #[test]
    fn validation_names_the_field() {
        let cases: Vec<(String, &str)> = vec![
            (
                field_of(|c| c.default_product = "overnight".into()),
                "default_product",
            ),
            (field_of(|c| c.products.clear()), "products"),
            (
                field_of(|c| standard(c).volumetric_divisor = d("0")),
                "products.standard.volumetric_divisor",
            ),
            (
                field_of(|c| standard(c).name = " ".into()),
                "products.standard.name",
            ),
            (
                field_of(|c| standard(c).zones.remote.step_kg = d("0")),
                "products.standard.zones.remote.step_kg",
            ),
            (
                field_of(|c| standard(c).zones.same_city.first_weight_kg = d("-1")),
                "products.standard.zones.same_city.first_weight_kg",
            ),
            (
                field_of(|c| standard(c).zones.regional.first_fee = d("-0.01")),
                "products.standard.zones.regional.first_fee",
            ),
            (
                field_of(|c| standard(c).zones.cross_province.step_fee = d("2000000")),
                "products.standard.zones.cross_province.step_fee",
            ),
            (
                field_of(|c| standard(c).rounding = Rounding::Bands(vec![])),
                "products.standard.rounding.bands",
            ),
            (
                field_of(|c| standard(c).rounding = Rounding::Bands(vec![d("1"), d("0.5")])),
                "products.standard.rounding.bands[1]",
            ),
            (
                field_of(|c| standard(c).rounding = Rounding::Bands(vec![d("0")])),
                "products.standard.rounding.bands[0]",
            ),
            (
                field_of(|c| c.regions[1].provinces.push("110000".into())),
                "regions[1].provinces[3]",
            ),
            (field_of(|c| c.regions[0].name.clear()), "regions[0].name"),
            (
                field_of(|c| c.remote_areas.push("6".into())),
                "remote_areas[6]",
            ),
            (
                field_of(|c| c.surcharges.insurance_rate = d("1.5")),
                "surcharges.insurance_rate",
            ),
            (
                field_of(|c| c.surcharges.insurance_min = d("-1")),
                "surcharges.insurance_min",
            ),
            (
                field_of(|c| c.surcharges.remote_area_fee = d("-5")),
                "surcharges.remote_area_fee",
            ),
            (
                field_of(|c| c.surcharges.fuel_percent = Some(d("101"))),
                "surcharges.fuel_percent",
            ),
            (field_of(|c| c.vehicle.max_pieces = 0), "vehicle.max_pieces"),
            (
                field_of(|c| c.vehicle.max_weight_kg = d("0")),
                "vehicle.max_weight_kg",
            ),
            (
                field_of(|c| c.vehicle.max_volume_m3 = d("-1")),
                "vehicle.max_volume_m3",
            ),
            (
                field_of(|c| c.vehicle.max_longest_side_cm = Some(d("0"))),
                "vehicle.max_longest_side_cm",
            ),
        ];
        for (got, expected) in cases {
            assert_eq!(got, expected);
        }
        let error = RateCard {
            default_product: "x".into(),
            ..RateCard::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "default_product: must be a key of products"
        );
    }

    #[test]
    fn product_lookup() {
        let card = RateCard::default();
        assert_eq!(
            card.product(Some(" express ")).map(|(k, _)| k),
            Some("express")
        );
        assert_eq!(
            card.product(Some("economy")).map(|(_, p)| p.name.as_str()),
            Some("经济快递")
        );
        assert!(card.product(Some("overnight")).is_none());
    }
}
