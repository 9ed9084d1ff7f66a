//! Business calendars: when the service clock runs. A calendar has a time zone, weekly opening
//! intervals (any number a day: split shifts, lunch breaks, night shifts up to `24:00`), closed
//! dates (holidays) and make-up workdays (调休) that open whatever weekday they fall on.
//!
//! Semantics, in the calendar's local time: an interval `[s, e)` on date `d` is open from the
//! first instant whose local time is at or after `d s` to the first instant at or after `d e`
//! (`24:00` is the next midnight). Across a DST gap a boundary inside the gap moves to the
//! transition; across a fold it takes the first occurrence. Durations are real elapsed time.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// How far ahead a computation may look for open time before it gives up (about ten years):
/// a calendar whose open days all fall on holidays must end in an error, never in a hang.
const HORIZON_DAYS: usize = 3_660;

/// Bounds on requests, so one call cannot ask for centuries of arithmetic.
pub const MAX_MINUTES: i64 = 5_256_000;

pub const MAX_WORKING_DAYS: i64 = 2_000;

pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A calendar as the API and the store carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    pub timezone: String,
    /// `mon`…`sun` → intervals `[["09:00","12:00"], …]`; a missing day is closed.
    #[serde(default)]
    pub hours: BTreeMap<String, Vec<[String; 2]>>,
    #[serde(default)]
    pub holidays: Vec<String>,
    #[serde(default)]
    pub extra_workdays: Vec<String>,
    /// Hours of a make-up workday; Monday's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workday_hours: Option<Vec<[String; 2]>>,
    /// Years whose holidays the calendar lists completely. Dates in other years are computed
    /// without holidays and reported with a warning. Absent: the years that appear in
    /// `holidays` and `extra_workdays` (none listed: no warnings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holiday_years: Option<Vec<i16>>,
}

/// Minutes since local midnight, `0..=1440`.
type Interval = (u16, u16);

/// A parsed, validated calendar, ready for arithmetic.
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: TimeZone,
    week: [Vec<Interval>; 7],
    workday: Vec<Interval>,
    holidays: BTreeSet<Date>,
    extra_workdays: BTreeSet<Date>,
    holiday_years: BTreeSet<i16>,
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> DomainError {
    DomainError::invalid(field, message)
}

fn parse_clock(field: &str, raw: &str) -> Result<u16, DomainError> {
    let bad = || {
        invalid(
            field,
            format!("'{raw}' is not a time of day HH:MM from 00:00 to 24:00"),
        )
    };
    let (h, m) = raw.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn parse_intervals(field: &str, raw: &[[String; 2]]) -> Result<Vec<Interval>, DomainError> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, [s, e]) in raw.iter().enumerate() {
        let f = format!("{field}[{i}]");
        let (start, end) = (parse_clock(&f, s)?, parse_clock(&f, e)?);
        if start >= end {
            return Err(invalid(
                f,
                format!(
                    "{s}–{e}: an interval must end after it starts (a night shift is 22:00–24:00 plus 00:00–06:00 the next day)"
                ),
            ));
        }
        out.push((start, end));
    }
    out.sort_unstable();
    for pair in out.windows(2) {
        if pair[1].0 < pair[0].1 {
            return Err(invalid(field, "intervals overlap"));
        }
    }
    Ok(out)
}

fn parse_dates(field: &str, raw: &[String]) -> Result<BTreeSet<Date>, DomainError> {
    raw.iter()
        .enumerate()
        .map(|(i, d)| {
            d.parse::<Date>().map_err(|_| {
                invalid(
                    format!("{field}[{i}]"),
                    format!("'{d}' is not a date YYYY-MM-DD"),
                )
            })
        })
        .collect()
}

impl Calendar {
    pub fn parse(spec: &CalendarSpec) -> Result<Calendar, DomainError> {
        let tz = TimeZone::get(&spec.timezone).map_err(|_| {
            invalid(
                "timezone",
                format!("'{}' is not an IANA time zone", spec.timezone),
            )
        })?;
        let mut week: [Vec<Interval>; 7] = Default::default();
        for (day, intervals) in &spec.hours {
            let index = WEEKDAYS.iter().position(|w| w == day).ok_or_else(|| {
                invalid(
                    format!("hours.{day}"),
                    "days are mon, tue, wed, thu, fri, sat, sun",
                )
            })?;
            week[index] = parse_intervals(&format!("hours.{day}"), intervals)?;
        }
        let workday = match &spec.workday_hours {
            Some(raw) => parse_intervals("workday_hours", raw)?,
            None => week[0].clone(),
        };
        let holidays = parse_dates("holidays", &spec.holidays)?;
        let extra_workdays = parse_dates("extra_workdays", &spec.extra_workdays)?;
        if let Some(both) = holidays.intersection(&extra_workdays).next() {
            return Err(invalid(
                "extra_workdays",
                format!("{both} is also listed as a holiday"),
            ));
        }
        if !extra_workdays.is_empty() && workday.is_empty() {
            return Err(invalid(
                "workday_hours",
                "make-up workdays need hours (workday_hours, or Monday's)",
            ));
        }
        if week.iter().all(Vec::is_empty) && extra_workdays.is_empty() {
            return Err(invalid("hours", "the calendar is never open"));
        }
        let holiday_years = match &spec.holiday_years {
            Some(years) => years.iter().copied().collect(),
            None => holidays
                .iter()
                .chain(&extra_workdays)
                .map(|d| d.year())
                .collect(),
        };
        Ok(Calendar {
            tz,
            week,
            workday,
            holidays,
            extra_workdays,
            holiday_years,
        })
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    fn local_date(&self, t: Timestamp) -> Date {
        self.tz.to_datetime(t).date()
    }

    /// The open intervals of a local date.
    fn intervals(&self, date: Date) -> &[Interval] {
        if self.holidays.contains(&date) {
            &[]
        } else if self.extra_workdays.contains(&date) {
            &self.workday
        } else {
            &self.week[date.weekday().to_monday_zero_offset() as usize]
        }
    }

    /// The first instant whose local time is at or after `minute` of `date`.
    fn boundary(&self, date: Date, minute: u16) -> Result<Timestamp, DomainError> {
        let (date, minute) = if minute >= 1440 {
            (next_day(date)?, 0)
        } else {
            (date, minute)
        };
        let dt: DateTime = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
        let ambiguous = self.tz.to_ambiguous_timestamp(dt);
        let out_of_range = |_| invalid("from", "date out of range");
        match ambiguous.offset() {
            AmbiguousOffset::Unambiguous { offset } => {
                offset.to_timestamp(dt).map_err(out_of_range)
            }
            AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).map_err(out_of_range),
            AmbiguousOffset::Gap { before, after } => {
                // The local time does not exist: the boundary is the transition itself, the
                // first instant with the later offset. It lies between the two readings.
                let (mut lo, mut hi) = (
                    after.to_timestamp(dt).map_err(out_of_range)?,
                    before.to_timestamp(dt).map_err(out_of_range)?,
                );
                while hi.duration_since(lo) > SignedDuration::from_secs(1) {
                    let mid = lo + SignedDuration::from_secs(hi.duration_since(lo).as_secs() / 2);
                    if self.tz.to_offset(mid) == after {
                        hi = mid;
                    } else {
                        lo = mid;
                    }
                }
                Ok(hi)
            }
        }
    }

    /// Open instant ranges of one local date, in order.
    fn open_ranges(&self, date: Date) -> Result<Vec<(Timestamp, Timestamp)>, DomainError> {
        self.intervals(date)
            .iter()
            .map(|&(s, e)| Ok((self.boundary(date, s)?, self.boundary(date, e)?)))
            .collect()
    }

    pub fn is_open(&self, t: Timestamp) -> Result<bool, DomainError> {
        let ranges = self.open_ranges(self.local_date(t))?;
        Ok(ranges.iter().any(|&(s, e)| s <= t && t < e))
    }

    /// The instant at which `minutes` of open time have passed since `from`. A start outside
    /// hours waits for the next opening; a due landing exactly on a closing time stays there.
    pub fn add_minutes(&self, from: Timestamp, minutes: i64) -> Result<Timestamp, DomainError> {
        if !(0..=MAX_MINUTES).contains(&minutes) {
            return Err(invalid("minutes", format!("from 0 to {MAX_MINUTES}")));
        }
        self.add_open_time(from, SignedDuration::from_mins(minutes))
    }

    /// Like [`Calendar::add_minutes`] with any duration (seconds for chat targets).
    pub fn add_open_time(
        &self,
        from: Timestamp,
        amount: SignedDuration,
    ) -> Result<Timestamp, DomainError> {
        let mut remaining = amount;
        let mut date = self.local_date(from);
        for _ in 0..HORIZON_DAYS {
            for (start, end) in self.open_ranges(date)? {
                if end <= from {
                    continue;
                }
                let start = start.max(from);
                let available = end.duration_since(start);
                if remaining <= available {
                    return Ok(start + remaining);
                }
                remaining -= available;
            }
            date = next_day(date)?;
        }
        Err(no_open_time())
    }

    /// The closing time of the `days`-th working day strictly after the local date of `from`.
    pub fn add_working_days(&self, from: Timestamp, days: i64) -> Result<Timestamp, DomainError> {
        if !(1..=MAX_WORKING_DAYS).contains(&days) {
            return Err(invalid(
                "working_days",
                format!("from 1 to {MAX_WORKING_DAYS}"),
            ));
        }
        let mut date = self.local_date(from);
        let mut counted = 0;
        for _ in 0..HORIZON_DAYS {
            date = next_day(date)?;
            if let Some(&(_, close)) = self.intervals(date).last() {
                counted += 1;
                if counted == days {
                    return self.boundary(date, close);
                }
            }
        }
        Err(no_open_time())
    }

    /// Open time between two instants (zero if `to` is not after `from`): the business time
    /// left on a clock.
    pub fn open_time_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<SignedDuration, DomainError> {
        let mut total = SignedDuration::ZERO;
        if to <= from {
            return Ok(total);
        }
        let mut date = self.local_date(from);
        let last = self.local_date(to);
        while date <= last {
            for (start, end) in self.open_ranges(date)? {
                let (s, e) = (start.max(from), end.min(to));
                if s < e {
                    total += e.duration_since(s);
                }
            }
            date = next_day(date)?;
        }
        Ok(total)
    }

    /// Warnings for the years between `from` and `to` whose holidays the calendar does not
    /// list; empty for calendars without holidays.
    pub fn coverage_warnings(&self, from: Timestamp, to: Timestamp) -> Vec<String> {
        if self.holiday_years.is_empty() {
            return Vec::new();
        }
        let (a, b) = (
            self.local_date(from).year(),
            self.local_date(to.max(from)).year(),
        );
        (a..=b)
            .filter(|y| !self.holiday_years.contains(y))
            .map(|y| {
                format!("the calendar has no holiday data for {y}: dates in {y} are computed without holidays or make-up workdays")
            })
            .collect()
    }
}

fn next_day(date: Date) -> Result<Date, DomainError> {
    date.tomorrow()
        .map_err(|_| invalid("from", "date out of range"))
}

fn no_open_time() -> DomainError {
    DomainError::invalid(
        "calendar",
        "no open time within ten years: the calendar is (almost) never open",
    )
}

fn hours(intervals: &[(&str, &str)]) -> Vec<[String; 2]> {
    intervals
        .iter()
        .map(|(s, e)| [s.to_string(), e.to_string()])
        .collect()
}

/// The official schedule of the State Council's notices on public holidays: the General
/// Office's notice for 2025 (国办发明电〔2024〕12号) and for 2026 (published 4 November 2025).
/// Each entry: (year, holidays, make-up workdays).
pub const CHINA_SCHEDULE: &[(i16, &[&str], &[&str])] = &[
    (
        2025,
        &[
            "2025-01-01", // 元旦
            "2025-01-28",
            "2025-01-29",
            "2025-01-30",
            "2025-01-31",
            "2025-02-01",
            "2025-02-02",
            "2025-02-03",
            "2025-02-04", // 春节
            "2025-04-04",
            "2025-04-05",
            "2025-04-06", // 清明节
            "2025-05-01",
            "2025-05-02",
            "2025-05-03",
            "2025-05-04",
            "2025-05-05", // 劳动节
            "2025-05-31",
            "2025-06-01",
            "2025-06-02", // 端午节
            "2025-10-01",
            "2025-10-02",
            "2025-10-03",
            "2025-10-04",
            "2025-10-05",
            "2025-10-06",
            "2025-10-07",
            "2025-10-08", // 国庆节、中秋节
        ],
        &[
            "2025-01-26",
            "2025-02-08",
            "2025-04-27",
            "2025-09-28",
            "2025-10-11",
        ],
    ),
    (
        2026,
        &[
            "2026-01-01",
            "2026-01-02",
            "2026-01-03", // 元旦
            "2026-02-15",
            "2026-02-16",
            "2026-02-17",
            "2026-02-18",
            "2026-02-19",
            "2026-02-20",
            "2026-02-21",
            "2026-02-22",
            "2026-02-23", // 春节
            "2026-04-04",
            "2026-04-05",
            "2026-04-06", // 清明节
            "2026-05-01",
            "2026-05-02",
            "2026-05-03",
            "2026-05-04",
            "2026-05-05", // 劳动节
            "2026-06-19",
            "2026-06-20",
            "2026-06-21", // 端午节
            "2026-09-25",
            "2026-09-26",
            "2026-09-27", // 中秋节
            "2026-10-01",
            "2026-10-02",
            "2026-10-03",
            "2026-10-04",
            "2026-10-05",
            "2026-10-06",
            "2026-10-07", // 国庆节
        ],
        &[
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10",
        ],
    ),
];

/// The calendars kefu ships; stored on first start and editable afterwards.
pub fn builtin_calendars() -> Vec<(&'static str, CalendarSpec)> {
    let office = hours(&[("09:00", "12:00"), ("13:30", "18:00")]);
    let service_day = hours(&[("08:00", "22:00")]);
    let all_day = hours(&[("00:00", "24:00")]);
    let week = |weekdays: &Vec<[String; 2]>, weekend: Option<&Vec<[String; 2]>>| {
        WEEKDAYS
            .iter()
            .enumerate()
            .filter_map(|(i, d)| match (i < 5, weekend) {
                (true, _) => Some((d.to_string(), weekdays.clone())),
                (false, Some(w)) => Some((d.to_string(), w.clone())),
                (false, None) => None,
            })
            .collect::<BTreeMap<_, _>>()
    };
    let holidays: Vec<String> = CHINA_SCHEDULE
        .iter()
        .flat_map(|(_, h, _)| h.iter().map(|d| d.to_string()))
        .collect();
    let extra: Vec<String> = CHINA_SCHEDULE
        .iter()
        .flat_map(|(_, _, w)| w.iter().map(|d| d.to_string()))
        .collect();
    let years: Vec<i16> = CHINA_SCHEDULE.iter().map(|(y, _, _)| *y).collect();
    vec![
        (
            // Office departments (finance, operations): Mon–Fri with the official schedule.
            "cn-office",
            CalendarSpec {
                timezone: crate::clock::DEFAULT_TIME_ZONE.into(),
                hours: week(&office, None),
                holidays: holidays.clone(),
                extra_workdays: extra.clone(),
                workday_hours: None,
                holiday_years: Some(years.clone()),
            },
        ),
        (
            // The service centre's staffed hours: every day 08:00–22:00; closed on the public
            // holidays' listed days is not assumed (couriers work through them), so no holidays.
            "cn-service",
            CalendarSpec {
                timezone: crate::clock::DEFAULT_TIME_ZONE.into(),
                hours: week(&service_day, Some(&service_day)),
                holidays: vec![],
                extra_workdays: vec![],
                workday_hours: None,
                holiday_years: None,
            },
        ),
        (
            // Round the clock: hotline and bot (R-CH-1, R-CH-2).
            "24x7",
            CalendarSpec {
                timezone: crate::clock::DEFAULT_TIME_ZONE.into(),
                hours: week(&all_day, Some(&all_day)),
                holidays: vec![],
                extra_workdays: vec![],
                workday_hours: None,
                holiday_years: None,
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn office() -> Calendar {
        let spec = builtin_calendars()
            .into_iter()
            .find(|(k, _)| *k == "cn-office")
            .unwrap()
            .1;
        Calendar::parse(&spec).unwrap()
    }

    #[test]
    fn minutes_run_only_in_open_hours() {
        let cal = office();
        // Tue 2026-11-24 11:30 Beijing (03:30Z) + 60 min: 30 before lunch, 30 after 13:30.
        assert_eq!(
            cal.add_minutes(ts("2026-11-24T03:30:00Z"), 60).unwrap(),
            ts("2026-11-24T06:00:00Z")
        );
        // Exactly to the lunch break stays at 12:00.
        assert_eq!(
            cal.add_minutes(ts("2026-11-24T03:30:00Z"), 30).unwrap(),
            ts("2026-11-24T04:00:00Z")
        );
        // Friday 17:00 + 120 min: 60 on Friday, 60 on Monday from 09:00.
        assert_eq!(
            cal.add_minutes(ts("2026-11-27T09:00:00Z"), 120).unwrap(),
            ts("2026-11-30T02:00:00Z")
        );
        // A start at night waits for the opening.
        assert_eq!(
            cal.add_minutes(ts("2026-11-24T15:00:00Z"), 10).unwrap(),
            ts("2026-11-25T01:10:00Z")
        );
    }

    #[test]
    fn holidays_and_make_up_days() {
        let cal = office();
        // Wed 2026-09-30 17:00 + 120 min: 60 that day, then 国庆 1–7 Oct, then Thu 8 Oct (no make-up
        // before it; Sat 10 Oct is a make-up workday).
        assert_eq!(
            cal.add_minutes(ts("2026-09-30T09:00:00Z"), 120).unwrap(),
            ts("2026-10-08T02:00:00Z")
        );
        // Fri 9 Oct 17:00 + 120: 60 that day, then Sat 10 Oct (make-up, Monday's hours) 09:00–10:00.
        assert_eq!(
            cal.add_minutes(ts("2026-10-09T09:00:00Z"), 120).unwrap(),
            ts("2026-10-10T02:00:00Z")
        );
        // 2 working days after Fri 2026-02-13: Sat 14 Feb (make-up) and then Tue 24 Feb after 春节.
        assert_eq!(
            cal.add_working_days(ts("2026-02-13T02:00:00Z"), 2).unwrap(),
            ts("2026-02-24T10:00:00Z")
        );
        assert_eq!(
            cal.add_working_days(ts("2026-02-13T02:00:00Z"), 1).unwrap(),
            ts("2026-02-14T10:00:00Z")
        );
    }

    #[test]
    fn coverage_warnings_name_missing_years() {
        let cal = office();
        assert!(
            cal.coverage_warnings(ts("2026-12-30T00:00:00Z"), ts("2026-12-31T00:00:00Z"))
                .is_empty()
        );
        let w = cal.coverage_warnings(ts("2026-12-30T00:00:00Z"), ts("2027-01-05T00:00:00Z"));
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("2027"));
    }

    #[test]
    fn bad_calendars_are_refused_with_the_field() {
        let mut spec = builtin_calendars()[0].1.clone();
        spec.hours
            .insert("mon".into(), hours(&[("09:00", "25:00")]));
        assert!(
            matches!(Calendar::parse(&spec), Err(DomainError::Invalid { field, .. }) if field == "hours.mon[0]")
        );
        spec.hours.insert(
            "mon".into(),
            hours(&[("09:00", "12:00"), ("11:00", "13:00")]),
        );
        assert!(
            matches!(Calendar::parse(&spec), Err(DomainError::Invalid { field, .. }) if field == "hours.mon")
        );
        spec.hours
            .insert("mon".into(), hours(&[("09:00", "09:00")]));
        assert!(Calendar::parse(&spec).is_err());
        let never = CalendarSpec {
            timezone: "Asia/Shanghai".into(),
            hours: BTreeMap::new(),
            holidays: vec![],
            extra_workdays: vec![],
            workday_hours: None,
            holiday_years: None,
        };
        assert!(
            matches!(Calendar::parse(&never), Err(DomainError::Invalid { field, .. }) if field == "hours")
        );
        let zone = CalendarSpec {
            timezone: "Mars/Olympus".into(),
            ..never
        };
        assert!(
            matches!(Calendar::parse(&zone), Err(DomainError::Invalid { field, .. }) if field == "timezone")
        );
    }

    #[test]
    fn a_calendar_open_only_on_holidays_errors_instead_of_hanging() {
        // Open on Mondays only, and every Monday for 12 years is a holiday.
        let mut mondays = Vec::new();
        let mut d: Date = "2026-11-23".parse().unwrap();
        for _ in 0..(12 * 53) {
            mondays.push(d.to_string());
            d = d.checked_add(jiff::Span::new().days(7)).unwrap();
        }
        let spec = CalendarSpec {
            timezone: "Asia/Shanghai".into(),
            hours: [("mon".to_string(), hours(&[("09:00", "10:00")]))]
                .into_iter()
                .collect(),
            holidays: mondays,
            extra_workdays: vec![],
            workday_hours: None,
            holiday_years: None,
        };
        let cal = Calendar::parse(&spec).unwrap();
        assert!(cal.add_minutes(ts("2026-11-23T00:00:00Z"), 1).is_err());
        assert!(cal.add_working_days(ts("2026-11-23T00:00:00Z"), 1).is_err());
    }

    #[test]
    fn dst_days_have_their_real_length() {
        // Europe/Berlin: 2026-03-29 has 23 hours, 2026-10-25 has 25.
        let spec = CalendarSpec {
            timezone: "Europe/Berlin".into(),
            hours: WEEKDAYS
                .iter()
                .map(|d| (d.to_string(), hours(&[("00:00", "24:00")])))
                .collect(),
            holidays: vec![],
            extra_workdays: vec![],
            workday_hours: None,
            holiday_years: None,
        };
        let cal = Calendar::parse(&spec).unwrap();
        let start = ts("2026-03-28T23:00:00Z"); // 29 Mar 00:00 CET
        assert_eq!(
            cal.add_minutes(start, 23 * 60).unwrap(),
            ts("2026-03-29T22:00:00Z")
        );
        let autumn = ts("2026-10-24T22:00:00Z"); // 25 Oct 00:00 CEST
        assert_eq!(
            cal.add_minutes(autumn, 25 * 60).unwrap(),
            ts("2026-10-25T23:00:00Z")
        );
        // An interval starting inside the spring gap starts at the transition (03:00 CEST).
        let mut gap = spec.clone();
        gap.hours = WEEKDAYS
            .iter()
            .map(|d| (d.to_string(), hours(&[("02:30", "04:00")])))
            .collect();
        let cal = Calendar::parse(&gap).unwrap();
        assert_eq!(
            cal.add_minutes(ts("2026-03-28T23:00:00Z"), 30).unwrap(),
            ts("2026-03-29T01:30:00Z")
        );
        assert_eq!(
            cal.add_minutes(ts("2026-03-28T23:00:00Z"), 60).unwrap(),
            ts("2026-03-29T02:00:00Z")
        );
        assert_eq!(
            cal.add_minutes(ts("2026-03-28T23:00:00Z"), 90).unwrap(),
            ts("2026-03-30T01:00:00Z")
        );
    }
}
