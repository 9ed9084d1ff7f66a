//! `cargo bench -p kefu-mail`: reading a realistic mix of inbound mail (a plain UTF-8 reply, an
//! HTML-only GBK mail, a mail with a 200 KB photo, a bounce) on one thread — parse, classify,
//! thread keys and identifiers, as the desk does per mail. Prints latency (p50/p99) per kind
//! and the mix's throughput; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)] // a benchmark reads the wall clock

#[path = "../tests/mail/fixtures.rs"]
mod fixtures;

use std::hint::black_box;
use std::time::{Duration, Instant};

use kefu_mail::{classify, find_identifiers, parse_inbound, thread_keys};
use kefu_model::waybill::Recognizer;

const ROUNDS: usize = 5_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn read(raw: &[u8], recognizer: &Recognizer) {
    let mail = parse_inbound(raw).unwrap();
    black_box(classify(&mail));
    black_box(thread_keys(&mail));
    black_box(find_identifiers(recognizer, &mail.reply_text));
    black_box(mail);
}

fn main() {
    let recognizer = Recognizer::default();
    let mix: Vec<(&str, Vec<u8>)> = vec![
        (
            "plain UTF-8 reply with a quote",
            fixtures::plain_utf8_reply(),
        ),
        ("HTML-only GBK", fixtures::html_only_gbk()),
        (
            "text+HTML with a 200 KB photo",
            fixtures::with_photo(200_000),
        ),
        (
            "bounce (DSN 5.1.1)",
            fixtures::bounce("5.1.1", "orig@yunlu.example"),
        ),
    ];
    for (name, raw) in &mix {
        println!("{name}: {} bytes", raw.len());
    }

    // Warm-up.
    for (_, raw) in &mix {
        for _ in 0..200 {
            read(raw, &recognizer);
        }
    }

    let mut all = Vec::with_capacity(ROUNDS * mix.len());
    let mut per_kind: Vec<Vec<Duration>> = vec![Vec::with_capacity(ROUNDS); mix.len()];
    let total = Instant::now();
    for _ in 0..ROUNDS {
        for (k, (_, raw)) in mix.iter().enumerate() {
            let t = Instant::now();
            read(black_box(raw), &recognizer);
            let took = t.elapsed();
            per_kind[k].push(took);
            all.push(took);
        }
    }
    let elapsed = total.elapsed();
    for (k, (name, _)) in mix.iter().enumerate() {
        let latencies = &mut per_kind[k];
        latencies.sort_unstable();
        println!(
            "{name}: p50 {:.1} µs, p99 {:.1} µs",
            percentile(latencies, 0.50).as_secs_f64() * 1e6,
            percentile(latencies, 0.99).as_secs_f64() * 1e6,
        );
    }
    all.sort_unstable();
    println!(
        "the mix, {} mails: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        all.len(),
        percentile(&all, 0.50).as_secs_f64() * 1e6,
        percentile(&all, 0.99).as_secs_f64() * 1e6,
        all.last().copied().unwrap_or_default().as_secs_f64() * 1e6
    );
    println!(
        "throughput: {:.0} mails/s on one thread",
        all.len() as f64 / elapsed.as_secs_f64()
    );
}
