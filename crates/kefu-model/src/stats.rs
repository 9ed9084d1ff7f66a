//! The supervisor's figures: today and the last 7/30 days (new, resolved, first-response and
//! resolution times, SLA attainment, a daily series for charts) and the live state of the
//! queues. The records and the arithmetic; the reads are `kefu_desk::stats`.

use jiff::Timestamp;
use serde::Serialize;

use crate::clock::from_millis;

/// The few numbers of a case that reports need (epoch milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFigures {
    pub received_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub breached: bool,
}

/// Open cases grouped three ways, and the open ones breached or escalated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenBreakdown {
    pub by_channel: Vec<(String, i64)>,
    pub by_department: Vec<(Option<String>, i64)>,
    pub by_assignee: Vec<(Option<String>, i64)>,
    pub breached: i64,
    pub escalated: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    pub new: i64,
    pub resolved: i64,
    /// Mean seconds from receipt to the first answer, over cases received in the period that
    /// were answered.
    pub first_response_avg_secs: Option<i64>,
    /// Mean seconds from receipt to resolution, over cases resolved in the period.
    pub resolution_avg_secs: Option<i64>,
    /// Share (0–100) of cases received in the period with no breached clock.
    pub sla_attainment_pct: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Series {
    /// Local dates, `MM-DD`.
    pub days: Vec<String>,
    pub new: Vec<i64>,
    pub resolved: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Named {
    pub name: String,
    pub open: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Live {
    pub by_channel: Vec<Named>,
    pub by_department: Vec<Named>,
    pub agents: Vec<Named>,
    pub at_risk: i64,
    pub breached: i64,
    pub escalations: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dashboard {
    pub days: u32,
    pub today: Figures,
    pub period: Figures,
    pub series: Series,
    pub live: Live,
}

/// Figures over `rows` for cases received (and, for `resolved`, resolved) in `[from, to)`.
pub fn figures(rows: &[CaseFigures], from: i64, to: i64) -> Figures {
    let received: Vec<&CaseFigures> = rows
        .iter()
        .filter(|r| (from..to).contains(&r.received_at))
        .collect();
    let resolved: Vec<&CaseFigures> = rows
        .iter()
        .filter(|r| r.resolved_at.is_some_and(|t| (from..to).contains(&t)))
        .collect();
    let mean = |v: Vec<i64>| (!v.is_empty()).then(|| v.iter().sum::<i64>() / v.len() as i64 / 1000);
    let first = mean(
        received
            .iter()
            .filter_map(|r| r.first_response_at.map(|f| (f - r.received_at).max(0)))
            .collect(),
    );
    let resolution = mean(
        resolved
            .iter()
            .filter_map(|r| r.resolved_at.map(|t| (t - r.received_at).max(0)))
            .collect(),
    );
    let attainment = (!received.is_empty()).then(|| {
        let met = received.iter().filter(|r| !r.breached).count();
        (met as f64 * 1000.0 / received.len() as f64).round() / 10.0
    });
    Figures {
        new: received.len() as i64,
        resolved: resolved.len() as i64,
        first_response_avg_secs: first,
        resolution_avg_secs: resolution,
        sla_attainment_pct: attainment,
    }
}

/// For the store: a row's receipt time as a timestamp (tests build rows by hand).
pub fn received(row: &CaseFigures) -> Timestamp {
    from_millis(row.received_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        received: i64,
        first: Option<i64>,
        resolved: Option<i64>,
        breached: bool,
    ) -> CaseFigures {
        CaseFigures {
            received_at: received * 1000,
            first_response_at: first.map(|s| s * 1000),
            resolved_at: resolved.map(|s| s * 1000),
            breached,
        }
    }

    #[test]
    fn figures_count_the_period_and_average_times() {
        let rows = [
            row(100, Some(160), Some(1100), false),
            row(200, Some(500), None, true),
            row(300, None, None, false),
            // Received before the period, resolved inside it.
            row(10, Some(20), Some(310), false),
        ];
        let f = figures(&rows, 100_000, 1_000_000);
        assert_eq!((f.new, f.resolved), (3, 1));
        assert_eq!(f.first_response_avg_secs, Some((60 + 300) / 2));
        assert_eq!(f.resolution_avg_secs, Some(300));
        assert_eq!(f.sla_attainment_pct, Some(66.7));
        let empty = figures(&rows, 5_000_000, 6_000_000);
        assert_eq!(empty, Figures::default());
    }
}
