//! kefu-mail's integration tests: real-looking mails built in the tests (charsets encoded with
//! encoding_rs), read, classified, threaded, answered and read back.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

mod attachments;
mod charsets;
mod classify;
mod corpus;
mod fixtures;
mod memory;
mod outbound;
mod quote;
mod robustness;
mod threading;
