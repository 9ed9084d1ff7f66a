//! Answer-time figures per queue.
//!
//! Conventions (stated because call centres differ):
//! - A call belongs to the period in which it was **offered** (half-open `[start, end)`).
//! - **Short abandons** — calls abandoned after waiting less than
//!   [`FigureSettings::short_abandon_seconds`] (default 5 s) — are mis-dials and are left out
//!   of every figure except [`QueueFigures::short_abandoned`].
//! - **Offered** = answered + abandoned (short abandons excluded).
//! - **Average speed of answer** = mean wait of answered calls.
//! - **Service level** = calls answered within [`FigureSettings::service_level_seconds`]
//!   (default 20 s, wait ≤ threshold counts as within) / offered. Abandoned calls count in the
//!   denominator: a caller who gave up was not served.
//! - **Abandonment rate** = abandoned / offered.
//!
//! Ratios are `None` when their denominator is zero.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::state::{CallOutcome, FinishedCall};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureSettings {
    pub service_level_seconds: u32,
    pub short_abandon_seconds: u32,
}

impl Default for FigureSettings {
    fn default() -> Self {
        Self {
            service_level_seconds: 20,
            short_abandon_seconds: 5,
        }
    }
}

/// The calls offered in `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Period {
    pub fn contains(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QueueFigures {
    pub queue: String,
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    /// Left out of all other figures.
    pub short_abandoned: u64,
    pub answered_within_threshold: u64,
    /// Seconds.
    pub average_speed_of_answer: Option<f64>,
    /// 0.0 to 1.0.
    pub service_level: Option<f64>,
    /// 0.0 to 1.0.
    pub abandonment_rate: Option<f64>,
}

/// Figures for every queue with at least one call offered in `period`, sorted by queue.
pub fn queue_figures(
    calls: &[FinishedCall],
    period: Period,
    settings: FigureSettings,
) -> Vec<QueueFigures> {
    #[derive(Default)]
    struct Tally {
        answered: u64,
        abandoned: u64,
        short_abandoned: u64,
        within: u64,
        total_wait: u64,
    }
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for call in calls.iter().filter(|call| period.contains(call.offered_at)) {
        let tally = tallies.entry(call.queue.as_str()).or_default();
        match &call.outcome {
            CallOutcome::Answered { wait_seconds, .. } => {
                tally.answered += 1;
                tally.total_wait += u64::from(*wait_seconds);
                if *wait_seconds <= settings.service_level_seconds {
                    tally.within += 1;
                }
            }
            CallOutcome::Abandoned { wait_seconds, .. } => {
                if *wait_seconds < settings.short_abandon_seconds {
                    tally.short_abandoned += 1;
                } else {
                    tally.abandoned += 1;
                }
            }
        }
    }
    let ratio = |numerator: u64, denominator: u64| {
        (denominator > 0).then(|| numerator as f64 / denominator as f64)
    };
    tallies
        .into_iter()
        .map(|(queue, tally)| {
            let offered = tally.answered + tally.abandoned;
            QueueFigures {
                queue: queue.to_owned(),
                offered,
                answered: tally.answered,
                abandoned: tally.abandoned,
                short_abandoned: tally.short_abandoned,
                answered_within_threshold: tally.within,
                average_speed_of_answer: ratio(tally.total_wait, tally.answered),
                service_level: ratio(tally.within, offered),
                abandonment_rate: ratio(tally.abandoned, offered),
            }
        })
        .collect()
}
