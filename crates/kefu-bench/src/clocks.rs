//! `kefu-bench-clocks`: how fast the calendar arithmetic behind every service clock is.
//! Prints operations per second for due-time and remaining-time computations on the built-in
//! calendars, single-threaded, over a fixed pseudo-random set of start times.

use kefu_bench::Lcg;
use std::hint::black_box;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use kefu_model::calendar::{Calendar, builtin_calendars};

fn measure(name: &str, n: usize, mut op: impl FnMut(usize) -> bool) {
    let started = Instant::now();
    let mut ok = 0usize;
    for i in 0..n {
        ok += usize::from(black_box(op(i)));
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{name:<44} {n:>9} ops  {:>12.0} ops/s  {:>8.3} µs/op  ({ok} ok)",
        n as f64 / secs,
        secs * 1e6 / n as f64
    );
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let start: Timestamp = "2026-01-01T00:00:00Z"
        .parse()
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let mut rng = Lcg(42);
    // Start times spread over 2026 (holidays, make-up days, nights, weekends).
    let froms: Vec<Timestamp> = (0..n)
        .map(|_| start + SignedDuration::from_mins((rng.next() % (365 * 1440)) as i64))
        .collect();
    let minutes: Vec<i64> = (0..n).map(|_| 1 + (rng.next() % 1440) as i64).collect();
    println!("kefu-bench-clocks: {n} computations per row, one thread");
    for (key, spec) in builtin_calendars() {
        let Ok(cal) = Calendar::parse(&spec) else {
            eprintln!("{key}: does not parse");
            std::process::exit(1);
        };
        measure(&format!("{key}: add_minutes (1–1440 min)"), n, |i| {
            cal.add_minutes(froms[i], minutes[i]).is_ok()
        });
        measure(&format!("{key}: add_working_days (2)"), n, |i| {
            cal.add_working_days(froms[i], 2).is_ok()
        });
        measure(&format!("{key}: open_time_between (1 day span)"), n, |i| {
            cal.open_time_between(froms[i], froms[i] + SignedDuration::from_hours(24))
                .is_ok()
        });
    }
}
