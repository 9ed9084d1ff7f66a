//! Pickup quotes for Chinese domestic parcels: rate cards, price zones, service coverage and
//! prohibited items. Pure: no I/O, no clock.
//!
//! Places are 6-digit GB/T 2260 administrative codes (`440305` = 广东省深圳市南山区); a vague
//! address gives a province-level (`440000`) or city-level (`440300`) code, and the API says when
//! that is not enough to decide. Turning an address into a code is another crate's job.
//!
//! Money and weights are [`rust_decimal::Decimal`], never floats. In JSON (serde) a Decimal is
//! written as a string (`"12.50"`; money always with two decimals) and read from a string or a
//! number (`"12.5"` or `12.5`), so configuration files may use either.
//!
//! ```
//! use kefu_logistics::{QuoteRequest, Quoter, Zone};
//!
//! let quoter = Quoter::default();
//! let quote = quoter
//!     .quote(&QuoteRequest {
//!         origin_code: "440305".into(),      // 深圳南山
//!         destination_code: "110105".into(), // 北京朝阳
//!         product: None,
//!         weight_kg: "2.3".parse().unwrap(),
//!         dimensions_cm: None,
//!         pieces: 1,
//!         declared_value: None,
//!         insured: false,
//!         item: "手机和充电宝".into(),
//!     })
//!     .unwrap();
//! assert_eq!(quote.zone, Zone::CrossProvince);
//! assert_eq!(quote.total.to_string(), "27.00"); // ¥15 first kg + 2 × ¥6
//! assert_eq!(quote.prohibited[0].keyword, "充电宝");
//! ```

pub mod coverage;
pub mod prohibited;
pub mod quote;
pub mod rate;
pub mod region;
pub mod zone;

pub use coverage::{Coverage, CoverageResult};
pub use prohibited::{OFFICIAL_CATEGORIES, ProhibitedCategory, ProhibitedList, ProhibitedMatch};
pub use quote::{Quote, QuoteError, QuoteRequest, Quoter, VehicleReason, quote};
pub use rate::{
    Product, RateCard, RateCardError, Region, Rounding, Surcharges, VehicleThresholds, ZoneRate,
    ZoneRates,
};
pub use rust_decimal::Decimal;
pub use zone::{Zone, zone};
