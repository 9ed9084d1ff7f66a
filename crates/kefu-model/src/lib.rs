//! kefu's domain model: what a case, a customer, a parcel, a chat and a user are, the codes they
//! carry, the events that change them, and the pure rules over them — the status machine, the
//! SLA planner and its calendars, the bot's `decide`, routing, tracking assessment, canned-reply
//! rendering, customer edits and merges, waybill recognition.
//!
//! Invariant: no I/O and no async. Nothing here reads a socket, a file, a database or the wall
//! clock; every rule takes what it needs as arguments, time included (`now`, or a [`Clock`]
//! passed in). The use cases that read and write through a store are `kefu-desk`.
//!
//! Layers, bottom to top (a module imports only from modules below it; the `layering` test
//! checks that no module imports, directly or not, from itself):
//! `string_enum`, `error`, `ids`, `clock`, `text`, `auth`, `erlang`, `waybill`, `calendar` →
//! `codes`, `customer`, `attachment`, `media`, `claim`, `sla_clock`, `nlu`, `bot`, `classify`, `routing`,
//! `survey`, `causes` →
//! `case` → `user`, `shipment`, `sla`, `tracking`, `history`, `pickup`, `kb`, `search` →
//! `chat`, `canned`, `drafts`, `improvement`, `corrections`, `parcels`, … → `records`, `export`.

pub mod attachment;
pub mod auth;
pub mod bot;
pub mod calendar;
pub mod canned;
pub mod case;
pub mod causes;
pub mod channels;
pub mod chat;
pub mod claim;
pub mod classify;
pub mod clock;
pub mod codes;
pub mod corrections;
pub mod customer;
pub mod drafts;
pub mod erlang;
pub mod error;
pub mod export;
pub mod history;
pub mod ids;
pub mod improvement;
pub mod kb;
pub mod key_accounts;
pub mod knowledge;
pub mod kpi;
#[cfg(any(test, feature = "layering"))]
pub mod layering;
pub mod lookup;
pub mod media;
pub mod network;
pub mod nlu;
pub mod notices;
pub mod parcels;
pub mod pbx_account;
pub mod period;
pub mod pickup;
pub mod portal;
pub mod quality;
pub mod queues;
pub mod records;
pub mod replies;
pub mod report_schedule;
pub mod routing;
pub mod search;
pub mod shipment;
pub mod sla;
pub mod sla_clock;
pub mod staffing;
pub mod stats;
mod string_enum;
pub mod survey;
pub mod tally;
pub mod text;
pub mod tracking;
pub mod user;
pub mod views;
pub mod waybill;
pub mod wechat_account;
pub mod work_order;

pub use case::{Case, CaseEvent, EventData};
pub use classify::{Classification, Classifier, KeywordClassifier};
pub use clock::{Clock, DEFAULT_TIME_ZONE, FixedClock, SystemClock, from_millis, to_millis};
pub use codes::{Category, Channel, Priority, Status, Visibility};
pub use customer::{Customer, Email, Grade, Phone};
pub use error::{DomainError, StoreError};
pub use ids::{CaseId, CustomerId, DepartmentId, UserId};
pub use user::{Actor, Department, Role, User};

#[cfg(test)]
mod layering_check {
    #[test]
    fn no_module_imports_from_itself_through_others() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        match crate::layering::check_sources(&src) {
            Ok(files) => assert!(files > 30, "read {files} files"),
            Err(problem) => panic!("kefu-model's modules: {problem}"),
        }
    }
}
