//! Black-box tests of the HTTP API: a real server on a random loopback port over a real SQLite
//! file, driven by a real HTTP client. The harness is in `support`; each area's tests are in a
//! module directory of their own (one `mod` line each, sorted).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

mod support;

pub use support::*;

mod api_document;
mod basics;
mod browser;
mod canned;
mod canned_page;
mod cases;
mod causes;
mod channels;
mod chat;
mod console_forms;
mod console_words;
mod customers;
mod errors;
mod history;
mod kb;
mod kb_pages;
mod key_accounts;
mod kpis;
mod network;
mod notices;
mod parcels;
mod pickups;
mod privacy;
mod quality;
mod roles;
mod search;
mod sla;
mod staffing;
mod surveys;
mod telephony;
mod wechat;
