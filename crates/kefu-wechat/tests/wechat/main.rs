//! The WeChat channel's tests: the pure protocol against documented and computed vectors, and the
//! client against a local stand-in of the API.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

mod client;
mod crypto;
mod garbage;
mod message;
mod reply;
mod signature;
mod standin;
mod window;
