//! The case desk's domain: what a case, a customer and a user are, which changes are allowed, and
//! the contract a store must keep. This crate does no I/O: time comes from a [`Clock`], storage
//! from a [`Store`], and both are passed in by the caller.

pub mod assign;
pub mod auth;
pub mod bot;
pub mod calendar;
pub mod canned;
pub mod case;
pub mod chat;
pub mod claim;
pub mod classify;
pub mod clock;
pub mod corrections;
pub mod customer;
pub mod desk;
pub mod erlang;
pub mod error;
pub mod export;
pub mod history;
pub mod ids;
pub mod kb;
pub mod knowledge;
pub mod lookup;
pub mod nlu;
pub mod parcels;
pub mod pickup;
pub mod portal;
pub mod queues;
pub mod replies;
pub mod routing;
pub mod search;
pub mod shipment;
pub mod sla;
pub mod stats;
pub mod store;
pub mod tracking;
pub mod user;
pub mod views;
pub mod waybill;

pub use case::{Case, CaseEvent, Category, Channel, EventData, Priority, Status, Visibility};
pub use classify::{Classification, Classifier, KeywordClassifier};
pub use clock::{Clock, FixedClock, SystemClock};
pub use customer::{Customer, Email, Grade, Phone};
pub use desk::Desk;
pub use error::{DomainError, StoreError};
pub use ids::{CaseId, CustomerId, DepartmentId, UserId};
pub use store::Store;
pub use user::{Actor, Department, Role, User};

/// Timestamps are stored as milliseconds since the Unix epoch on every backend.
pub fn to_millis(t: jiff::Timestamp) -> i64 {
    t.as_millisecond()
}

/// The inverse of [`to_millis`]; out-of-range values clamp instead of failing because they can
/// only come from a corrupted row, which we prefer to show rather than hide.
pub fn from_millis(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Service centres run on Beijing time unless configured otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";
