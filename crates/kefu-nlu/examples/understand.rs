//! `cargo run --example understand -- "明天下午来我家取个件"`: prints what the model understands
//! of each argument (at 2026-11-24 10:00 in Shanghai) as JSON, one message per line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a developer's tool

use kefu_model::nlu::Understand;

fn main() {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let now: jiff::Timestamp = "2026-11-24T02:00:00Z".parse().unwrap();
    let nlu = kefu_nlu::Nlu::shared();
    for text in std::env::args().skip(1) {
        let u = nlu.understand(&text, now, &tz);
        println!("{text}\n{}", serde_json::to_string_pretty(&u).unwrap());
    }
}
