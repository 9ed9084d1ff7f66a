//! The domain crate's integration tests: one binary, one module per subject.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

mod calendar;
mod routing;
mod status_machine;
