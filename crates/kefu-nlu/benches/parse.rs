//! `cargo bench -p kefu-nlu`: training time, parse latency (p50/p99) and throughput over the
//! held-out set repeated, and the held-out accuracy. Prints figures; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)] // a benchmark reads the wall clock

use std::hint::black_box;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_model::nlu::Understand;
use kefu_nlu::{HELDOUT_DATA, Nlu, parse_examples};

const PARSES: usize = 20_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let tz = TimeZone::get("Asia/Shanghai").unwrap();
    let now: Timestamp = "2026-11-24T02:00:00Z".parse().unwrap();

    // The segmenter's dictionary is shared by the product; load it first so that training time
    // is the model's own.
    let t = Instant::now();
    black_box(kefu_text::Segmenter::shared().words("预热"));
    let jieba = t.elapsed();
    let t = Instant::now();
    let nlu = Nlu::new();
    let training = t.elapsed();
    let t = Instant::now();
    let again = Nlu::new();
    let training_again = t.elapsed();
    drop(again);
    println!("jieba dictionary load: {:.1} ms", jieba.as_secs_f64() * 1e3);
    println!(
        "training: {:.1} ms ({} examples, {} features, temperature {:.3}); second run {:.1} ms",
        training.as_secs_f64() * 1e3,
        nlu.training_examples(),
        nlu.vocabulary_size(),
        nlu.temperature(),
        training_again.as_secs_f64() * 1e3
    );

    let heldout = parse_examples(HELDOUT_DATA).unwrap();
    let correct = heldout
        .iter()
        .filter(|e| nlu.understand(&e.text, now, &tz).intent == e.intent)
        .count();
    println!(
        "held-out accuracy: {correct}/{} = {:.1} %",
        heldout.len(),
        correct as f64 * 100.0 / heldout.len() as f64
    );

    let (train, _) = kefu_nlu::read_examples(kefu_nlu::TRAIN_DATA);
    let t = Instant::now();
    let cv = Nlu::cross_validate(&train, 5);
    println!(
        "5-fold cross-validated accuracy on the training data: {:.1} % ({:.0} ms)",
        cv * 100.0,
        t.elapsed().as_secs_f64() * 1e3
    );

    // Warm-up, then time every parse.
    for e in heldout.iter().take(200) {
        black_box(nlu.understand(&e.text, now, &tz));
    }
    let mut latencies = Vec::with_capacity(PARSES);
    let total = Instant::now();
    for e in heldout.iter().cycle().take(PARSES) {
        let t = Instant::now();
        black_box(nlu.understand(black_box(&e.text), now, &tz));
        latencies.push(t.elapsed());
    }
    let elapsed = total.elapsed();
    latencies.sort_unstable();
    println!(
        "parse latency over {PARSES} parses ({} held-out messages repeated): p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        heldout.len(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e6,
        percentile(&latencies, 0.99).as_secs_f64() * 1e6,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e6
    );
    println!(
        "throughput: {:.0} parses/s on one thread",
        PARSES as f64 / elapsed.as_secs_f64()
    );
}
