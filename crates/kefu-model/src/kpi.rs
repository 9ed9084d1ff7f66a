//! Key performance figures (R-MG-2, R-MG-9, R-SP-4): what one case adds to the figures of the
//! day it was received, under each of its keys (agent, department, channel, category, region,
//! grade), and the rates a period's sums give. The store keeps one row per case (its keys and
//! its [`CaseTally`]) and per-dimension daily sums moved by each case change in the same
//! transaction, so a report reads days, never cases; the rows answer the drill-down, with the
//! same rules as [`CaseKpi::of`], so a figure lists exactly the cases it counts.
//!
//! Figures follow the day a case was received (a cohort): a case received on Monday and
//! resolved on Wednesday counts as resolved in Monday's figures. Times to first response and
//! to resolution are business time on the calendar of the case's own clock (the policy that
//! set its deadline), else the default calendar; a department's answer time is wall time.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::Case;
use crate::codes::{Category, Status};
use crate::error::DomainError;
use crate::ids::CaseId;
use crate::sla_clock::{ClockKind, ClockState};
use crate::string_enum::string_enum;
use crate::tally::tally;

string_enum!(
    /// What the figures are grouped by. `all` is the centre as a whole (one key, empty).
    Dimension {
        All => "all", Agent => "agent", Department => "department", Channel => "channel",
        Category => "category", Region => "region", Grade => "grade",
    }
);

tally!(
    /// Sums of cases' figures: one case's, or a dimension key's over days.
    CaseTally {
        cases,
        /// Cases that have had a first answer to the customer.
        responded,
        /// Business seconds from receipt to the first answer, summed over `responded`.
        first_response_secs,
        /// Cases resolved or closed.
        resolved,
        /// Business seconds from receipt to resolution, summed over `resolved`.
        resolution_secs,
        /// Cases whose service clocks all ended (met or breached) or any breached.
        sla_settled,
        /// Settled cases with no breached clock.
        sla_met,
        /// Cases reopened at least once.
        reopened,
        /// The customer's contacts about the case (the first and each message since).
        contacts,
        /// Cases transferred to a department at least once.
        transferred,
        /// Answers back from departments and their wall-clock seconds in all.
        department_answers,
        department_answer_secs,
        /// Cases whose department let its deadline pass.
        department_overdue,
        /// Complaints (category complaint).
        complaints,
        /// Cases escalated up the ladder at least once.
        escalated,
        /// Cases still open (not resolved or closed) — the backlog of that day's cohort.
        open,
        /// Cases whose customer answered the satisfaction survey (R-CASE-8).
        rated,
        /// Answers that counted as satisfied, and as poor, by the survey settings of the time.
        satisfied,
        poor,
    }
);

string_enum!(
    /// A figure whose cases a drill-down lists.
    KpiFigure {
        Cases => "cases", Responded => "responded", Resolved => "resolved",
        SlaMet => "sla_met", SlaMissed => "sla_missed", Reopened => "reopened",
        Transferred => "transferred", DepartmentOverdue => "department_overdue",
        Complaints => "complaints", Escalated => "escalated", Open => "open",
        Rated => "rated", Satisfied => "satisfied", Poor => "poor",
    }
);

impl KpiFigure {
    /// Whether a case's tally counts in this figure (the store's drill-down uses the same
    /// columns: `column > 0`, and for `sla_missed` settled but not met).
    pub fn counts(self, t: &CaseTally) -> bool {
        match self {
            KpiFigure::Cases => t.cases > 0,
            KpiFigure::Responded => t.responded > 0,
            KpiFigure::Resolved => t.resolved > 0,
            KpiFigure::SlaMet => t.sla_met > 0,
            KpiFigure::SlaMissed => t.sla_settled > 0 && t.sla_met == 0,
            KpiFigure::Reopened => t.reopened > 0,
            KpiFigure::Transferred => t.transferred > 0,
            KpiFigure::DepartmentOverdue => t.department_overdue > 0,
            KpiFigure::Complaints => t.complaints > 0,
            KpiFigure::Escalated => t.escalated > 0,
            KpiFigure::Open => t.open > 0,
            KpiFigure::Rated => t.rated > 0,
            KpiFigure::Satisfied => t.satisfied > 0,
            KpiFigure::Poor => t.poor > 0,
        }
    }
}

/// One case's row: its keys under each dimension and its tally, for the day it was received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseKpi {
    pub case_id: CaseId,
    pub received_at: Timestamp,
    pub received_on: Date,
    /// The case's assignee's id, department id (the one it is with, else the last it went
    /// to), channel, category, region (the recipient's province code of its first parcel)
    /// and the customer's grade; empty when the case has none.
    pub agent: String,
    pub department: String,
    pub channel: String,
    pub category: String,
    pub region: String,
    pub grade: String,
    pub tally: CaseTally,
}

/// What a case's row needs besides the case: the calendars of its clocks, the local time
/// zone, the customer's grade and the region of its first parcel. A change of a case passes
/// only what it read: `None` keeps the value the stored row has, so a case's write does not
/// read its customer or its parcel again (the grade is the one the row was first written
/// with; a rebuild takes each customer's grade of the day).
#[derive(Debug, Clone)]
pub struct KpiContext {
    pub calendars: std::collections::BTreeMap<String, std::sync::Arc<Calendar>>,
    pub zone: TimeZone,
    pub grade: Option<u8>,
    /// The province code of the first linked parcel's recipient (empty without one).
    pub region: Option<String>,
}

impl CaseKpi {
    /// The row of `case` as it stands. Business time runs on the calendar of the case's own
    /// clock, else the default service calendar, else (no calendar at all) wall time.
    pub fn of(case: &Case, cx: &KpiContext) -> Result<CaseKpi, DomainError> {
        let one = |b: bool| i64::from(b);
        let business = |kind: ClockKind, to: Timestamp| -> Result<i64, DomainError> {
            let calendar = case
                .clock(kind)
                .and_then(|c| cx.calendars.get(&c.calendar))
                .or_else(|| cx.calendars.get(crate::network::DEFAULT_CALENDAR));
            Ok(match calendar {
                Some(calendar) => calendar.open_time_between(case.received_at, to)?.as_secs(),
                None => to.duration_since(case.received_at).as_secs().max(0),
            })
        };
        let resolved_at = match case.status {
            Status::Resolved | Status::Closed => case.resolved_at.or(case.closed_at),
            _ => None,
        };
        let breached = case.sla.iter().any(|c| c.state == ClockState::Breached);
        let all_ended = !case.sla.is_empty()
            && case
                .sla
                .iter()
                .all(|c| matches!(c.state, ClockState::Met | ClockState::Breached));
        let settled = breached || all_ended;
        let h = &case.handling;
        let answer = case.survey.as_ref().and_then(|s| s.answer.as_ref());
        let tally = CaseTally {
            cases: 1,
            responded: one(case.first_response_at.is_some()),
            first_response_secs: match case.first_response_at {
                Some(at) => business(ClockKind::FirstResponse, at)?,
                None => 0,
            },
            resolved: one(resolved_at.is_some()),
            resolution_secs: match resolved_at {
                Some(at) => business(ClockKind::Resolution, at)?,
                None => 0,
            },
            sla_settled: one(settled),
            sla_met: one(settled && !breached),
            reopened: one(case.reopen_count > 0),
            contacts: h.contacts.max(1),
            transferred: one(h.transfers > 0),
            department_answers: h.department_answers,
            department_answer_secs: h.department_answer_millis / 1000,
            department_overdue: one(case.department_overdue),
            complaints: one(case.category == Category::Complaint),
            escalated: one(case.escalation_level > 0),
            open: one(resolved_at.is_none()),
            rated: one(answer.is_some()),
            satisfied: one(answer.is_some_and(|a| a.satisfied)),
            poor: one(answer.is_some_and(|a| a.poor)),
        };
        let department = case.department.as_ref().or(h.last_department.as_ref());
        Ok(CaseKpi {
            case_id: case.id.clone(),
            received_at: case.received_at,
            received_on: cx.zone.to_datetime(case.received_at).date(),
            agent: case
                .assignee
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            department: department.map(ToString::to_string).unwrap_or_default(),
            channel: case.channel.as_str().to_string(),
            category: case.category.as_str().to_string(),
            region: cx.region.clone().unwrap_or_default(),
            grade: cx
                .grade
                .unwrap_or(crate::customer::Grade::DEFAULT.get())
                .to_string(),
            tally,
        })
    }

    /// The row's key under `dimension`.
    pub fn key(&self, dimension: Dimension) -> &str {
        match dimension {
            Dimension::All => "",
            Dimension::Agent => &self.agent,
            Dimension::Department => &self.department,
            Dimension::Channel => &self.channel,
            Dimension::Category => &self.category,
            Dimension::Region => &self.region,
            Dimension::Grade => &self.grade,
        }
    }
}

/// A key's figures over a period, with the rates they give.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiFigures {
    pub key: String,
    pub tally: CaseTally,
}

impl KpiFigures {
    fn share(part: i64, whole: i64) -> Option<f64> {
        (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
    }

    fn mean(sum: i64, n: i64) -> Option<i64> {
        (n > 0).then(|| sum / n)
    }

    pub fn first_response_avg_secs(&self) -> Option<i64> {
        Self::mean(self.tally.first_response_secs, self.tally.responded)
    }

    pub fn resolution_avg_secs(&self) -> Option<i64> {
        Self::mean(self.tally.resolution_secs, self.tally.resolved)
    }

    /// Settled cases that met every clock, in percent.
    pub fn sla_attainment_pct(&self) -> Option<f64> {
        Self::share(self.tally.sla_met, self.tally.sla_settled)
    }

    pub fn resolution_rate_pct(&self) -> Option<f64> {
        Self::share(self.tally.resolved, self.tally.cases)
    }

    /// Reopened among the resolved (a case must be resolved to be reopened).
    pub fn reopen_rate_pct(&self) -> Option<f64> {
        Self::share(
            self.tally.reopened,
            self.tally.resolved + self.tally.reopened,
        )
    }

    /// Contacts per case, to one decimal.
    pub fn contacts_per_case(&self) -> Option<f64> {
        (self.tally.cases > 0)
            .then(|| (self.tally.contacts as f64 * 10.0 / self.tally.cases as f64).round() / 10.0)
    }

    pub fn transfer_rate_pct(&self) -> Option<f64> {
        Self::share(self.tally.transferred, self.tally.cases)
    }

    pub fn department_answer_avg_secs(&self) -> Option<i64> {
        Self::mean(
            self.tally.department_answer_secs,
            self.tally.department_answers,
        )
    }

    /// Satisfied among the survey answers, in percent (CSAT; the target is 95 %, R-KA-13).
    pub fn satisfaction_pct(&self) -> Option<f64> {
        Self::share(self.tally.satisfied, self.tally.rated)
    }

    /// Complaints per 10,000 parcels, given the parcels of the period.
    pub fn complaints_per_10k(&self, parcels: i64) -> Option<f64> {
        (parcels > 0).then(|| {
            (self.tally.complaints as f64 * 10_000.0 * 100.0 / parcels as f64).round() / 100.0
        })
    }
}

string_enum!(
    /// How a period's days are grouped in a series.
    Granularity { Day => "day", Week => "week", Month => "month" }
);

impl Granularity {
    /// The first day of the bucket `day` falls in (weeks start on Monday).
    pub fn bucket(self, day: Date) -> Date {
        match self {
            Granularity::Day => day,
            Granularity::Week => {
                let back = i64::from(day.weekday().to_monday_zero_offset());
                day.checked_sub(SignedDuration::from_hours(24 * back))
                    .unwrap_or(day)
            }
            Granularity::Month => day.first_of_month(),
        }
    }
}

/// Open cases by age, the live backlog: under a day, 1–3 days, 3–7 days, over 7 days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Ageing {
    pub under_1d: i64,
    pub d1_to_3: i64,
    pub d3_to_7: i64,
    pub over_7d: i64,
}

impl Ageing {
    /// The bucket bounds in hours, for the store's grouping.
    pub const BOUNDS_HOURS: [i64; 3] = [24, 72, 168];

    pub fn total(&self) -> i64 {
        self.under_1d + self.d1_to_3 + self.d3_to_7 + self.over_7d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(cases: i64, resolved: i64, reopened: i64, contacts: i64) -> CaseTally {
        CaseTally {
            cases,
            resolved,
            reopened,
            contacts,
            ..CaseTally::default()
        }
    }

    #[test]
    fn a_tally_moves_by_differences() {
        let before = tally(1, 0, 0, 1);
        let after = tally(1, 1, 0, 3);
        let delta = after.minus(&before);
        assert_eq!(delta, tally(0, 1, 0, 2));
        assert_eq!(before.plus(&delta), after);
        assert!(after.minus(&after).is_zero());
        assert_eq!(CaseTally::from_values(&after.values()), after);
        assert_eq!(CaseTally::COLUMNS.len(), after.values().len());
    }

    #[test]
    fn rates_are_shares_of_their_own_base() {
        let f = KpiFigures {
            key: String::new(),
            tally: CaseTally {
                cases: 8,
                responded: 6,
                first_response_secs: 6 * 90,
                resolved: 3,
                resolution_secs: 3 * 3600 + 30,
                sla_settled: 4,
                sla_met: 3,
                reopened: 1,
                contacts: 13,
                transferred: 2,
                department_answers: 2,
                department_answer_secs: 5400,
                complaints: 3,
                rated: 7,
                satisfied: 5,
                poor: 1,
                ..CaseTally::default()
            },
        };
        assert_eq!(f.first_response_avg_secs(), Some(90));
        assert_eq!(f.resolution_avg_secs(), Some(3610));
        assert_eq!(f.sla_attainment_pct(), Some(75.0));
        assert_eq!(f.resolution_rate_pct(), Some(37.5));
        // Reopened among those that were resolved at some point: 1 of 4.
        assert_eq!(f.reopen_rate_pct(), Some(25.0));
        assert_eq!(f.contacts_per_case(), Some(1.6));
        assert_eq!(f.transfer_rate_pct(), Some(25.0));
        assert_eq!(f.department_answer_avg_secs(), Some(2700));
        assert_eq!(f.complaints_per_10k(20_000), Some(1.5));
        assert_eq!(f.complaints_per_10k(0), None);
        // 5 satisfied of 7 answers: 71.43 % rounds to 71.4.
        assert_eq!(f.satisfaction_pct(), Some(71.4));
        let empty = KpiFigures {
            key: String::new(),
            tally: CaseTally::default(),
        };
        assert_eq!(empty.sla_attainment_pct(), None);
        assert_eq!(empty.contacts_per_case(), None);
    }

    #[test]
    fn buckets_start_on_monday_and_the_first_of_the_month() {
        let thursday: Date = "2026-11-26".parse().unwrap_or_default();
        assert_eq!(Granularity::Day.bucket(thursday), thursday);
        assert_eq!(Granularity::Week.bucket(thursday).to_string(), "2026-11-23");
        assert_eq!(
            Granularity::Month.bucket(thursday).to_string(),
            "2026-11-01"
        );
        let monday: Date = "2026-11-23".parse().unwrap_or_default();
        assert_eq!(Granularity::Week.bucket(monday), monday);
    }

    #[test]
    fn a_figure_counts_the_cases_its_column_marks() {
        let missed = CaseTally {
            cases: 1,
            sla_settled: 1,
            ..CaseTally::default()
        };
        assert!(KpiFigure::SlaMissed.counts(&missed));
        assert!(!KpiFigure::SlaMet.counts(&missed));
        let met = CaseTally {
            sla_met: 1,
            ..missed
        };
        assert!(!KpiFigure::SlaMissed.counts(&met));
        assert!(KpiFigure::SlaMet.counts(&met));
    }
}
