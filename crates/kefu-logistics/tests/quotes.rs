#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Quotes through the public API: a configuration read from JSON, and properties over random
//! requests and cards.

use kefu_logistics::{
    Coverage, Decimal, ProhibitedList, QuoteRequest, Quoter, RateCard, Rounding, Zone, quote,
};
use proptest::prelude::*;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn an_operator_configuration_from_json() {
    let config = r#"{
        "coverage": {"served": ["44", "45"], "excluded": ["440305"]},
        "prohibited": {"operator": [{"name": "生鲜", "keywords": ["榴莲"]}]}
    }"#;
    let quoter: Quoter = serde_json::from_str(config).unwrap();
    let request: QuoteRequest = serde_json::from_str(
        r#"{"origin_code": "440306", "destination_code": "450102", "weight_kg": "3.4",
            "dimensions_cm": ["40", "30", "20"], "declared_value": "2000", "insured": true,
            "item": "榴莲一个，打火机一个"}"#,
    )
    .unwrap();
    let quote = quoter.quote(&request).unwrap();
    assert_eq!(quote.zone, Zone::CrossProvince); // 深圳 → 南宁
    assert_eq!(quote.volumetric_weight_kg, Some(d("4")));
    assert_eq!(quote.chargeable_weight_kg, d("4"));
    assert!(quote.covered);
    let json = serde_json::to_value(&quote).unwrap();
    assert_eq!(json["base_fee"], "15.00");
    assert_eq!(json["additional_fee"], "18.00");
    assert_eq!(json["insurance_fee"], "10.00");
    assert_eq!(json["total"], "43.00");
    let keywords: Vec<_> = quote
        .prohibited
        .iter()
        .map(|m| (m.keyword.as_str(), m.official))
        .collect();
    assert_eq!(keywords, [("榴莲", false), ("打火机", true)]);

    let excluded = QuoteRequest {
        origin_code: "440305".into(),
        ..request
    };
    let quote = quoter.quote(&excluded).unwrap();
    assert!(!quote.covered);
    assert!(quote.coverage_reason.unwrap().starts_with("寄件地"));
}

fn decimal(max: i64, scale: u32) -> impl Strategy<Value = Decimal> {
    (1..=max).prop_map(move |n| Decimal::new(n, scale))
}

const CODES: [&str; 12] = [
    "440305", "440306", "440000", "440106", "110105", "310115", "320505", "650102", "540102",
    "810000", "429004", "500235",
];

fn rounding() -> impl Strategy<Value = Rounding> {
    prop_oneof![
        Just(Rounding::UpToHalfKg),
        Just(Rounding::UpToKg),
        Just(Rounding::Bands(vec![
            d("0.5"),
            d("1"),
            d("2"),
            d("3"),
            d("5"),
            d("10")
        ])),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    card: RateCard,
    request: QuoteRequest,
}

fn case() -> impl Strategy<Value = Case> {
    let card = (
        rounding(),
        prop::option::of(decimal(3000, 2)),
        0..=2usize,
        decimal(20000, 0),
    );
    let request = (
        prop::sample::select(CODES.as_slice()),
        prop::sample::select(CODES.as_slice()),
        decimal(1_000_000, 3),
        prop::option::of([decimal(50_000, 2), decimal(50_000, 2), decimal(50_000, 2)]),
        1..=999u32,
        prop::option::of(decimal(100_000_000, 2)),
        any::<bool>(),
    );
    (card, request).prop_map(
        |(
            (rounding, fuel, product, divisor),
            (origin, destination, weight, dimensions, pieces, declared, insured),
        )| {
            let mut card = RateCard::default();
            card.surcharges.fuel_percent = fuel.map(|f| f.min(Decimal::ONE_HUNDRED));
            card.surcharges.remote_area_fee = d("4.5");
            let key = ["standard", "express", "economy"][product];
            let p = card.products.get_mut(key).unwrap();
            p.rounding = rounding;
            p.volumetric_divisor = divisor.max(d("100"));
            let request = QuoteRequest {
                origin_code: origin.into(),
                destination_code: destination.into(),
                product: Some(key.into()),
                weight_kg: weight,
                dimensions_cm: dimensions,
                pieces,
                declared_value: declared,
                insured: insured && declared.is_some(),
                item: String::new(),
            };
            Case { card, request }
        },
    )
}

fn no_items() -> ProhibitedList {
    ProhibitedList {
        official: vec![],
        operator: vec![],
        exemptions: vec![],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn totals_are_never_negative_and_add_up(case in case()) {
        let q = quote(&case.request, &case.card, &Coverage::default(), &no_items()).unwrap();
        let fees = [q.base_fee, q.additional_fee, q.remote_surcharge, q.insurance_fee, q.fuel_surcharge];
        for fee in fees {
            prop_assert!(fee >= Decimal::ZERO);
            prop_assert_eq!(fee.scale(), 2);
        }
        prop_assert!(q.total >= Decimal::ZERO);
        prop_assert_eq!(q.total, fees.iter().sum::<Decimal>());
        prop_assert!(q.total >= q.base_fee);
    }

    #[test]
    fn chargeable_weight_is_at_least_actual_and_volumetric(case in case()) {
        let q = quote(&case.request, &case.card, &Coverage::default(), &no_items()).unwrap();
        prop_assert!(q.chargeable_weight_kg >= q.actual_weight_kg);
        if let Some(volumetric) = q.volumetric_weight_kg {
            prop_assert!(q.chargeable_weight_kg >= volumetric);
        }
        prop_assert_eq!(q.actual_weight_kg, case.request.weight_kg);
    }

    #[test]
    fn total_is_monotone_in_weight(case in case(), extra in decimal(100_000, 3)) {
        let light = quote(&case.request, &case.card, &Coverage::default(), &no_items()).unwrap();
        let heavier_weight = (case.request.weight_kg + extra).min(d("1000"));
        let heavier = QuoteRequest { weight_kg: heavier_weight, ..case.request.clone() };
        let heavy = quote(&heavier, &case.card, &Coverage::default(), &no_items()).unwrap();
        prop_assert!(heavy.chargeable_weight_kg >= light.chargeable_weight_kg);
        prop_assert!(heavy.total >= light.total, "{} kg: {}, {} kg: {}", case.request.weight_kg, light.total, heavier_weight, heavy.total);
    }
}
