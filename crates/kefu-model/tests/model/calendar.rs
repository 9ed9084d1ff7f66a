//! Property tests of calendar arithmetic against a simple reference: step through time minute by
//! minute and ask, from the local wall clock, whether that minute is open.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use kefu_model::calendar::{Calendar, CalendarSpec, WEEKDAYS};
use proptest::prelude::*;

const ZONES: &[&str] = &[
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/New_York",
    "UTC",
    "Asia/Kolkata",
];

/// The reference: a calendar as plain data, read minute by minute through the wall clock.
#[derive(Debug)]
struct Reference {
    tz: TimeZone,
    week: Vec<Vec<(u16, u16)>>,
    workday: Vec<(u16, u16)>,
    holidays: BTreeSet<Date>,
    extra: BTreeSet<Date>,
}

impl Reference {
    fn intervals(&self, date: Date) -> &[(u16, u16)] {
        if self.holidays.contains(&date) {
            &[]
        } else if self.extra.contains(&date) {
            &self.workday
        } else {
            &self.week[date.weekday().to_monday_zero_offset() as usize]
        }
    }

    fn open(&self, t: Timestamp) -> bool {
        let local = self.tz.to_datetime(t);
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        self.intervals(local.date())
            .iter()
            .any(|&(s, e)| s <= minute && minute < e)
    }

    /// Steps minute by minute; `None` if the answer lies beyond `limit` minutes.
    fn add_minutes(&self, from: Timestamp, n: i64, limit: i64) -> Option<Timestamp> {
        let mut t = from;
        let mut counted = 0;
        for _ in 0..limit {
            if counted == n && (n > 0 || self.open(t)) {
                return Some(t);
            }
            if self.open(t) {
                counted += 1;
            }
            t += SignedDuration::from_mins(1);
        }
        None
    }

    fn open_minutes_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        let mut t = from;
        let mut n = 0;
        while t < to {
            n += i64::from(self.open(t));
            t += SignedDuration::from_mins(1);
        }
        n
    }

    fn add_working_days(&self, from: Timestamp, days: i64) -> Option<Timestamp> {
        let mut date = self.tz.to_datetime(from).date();
        let mut counted = 0;
        for _ in 0..400 {
            date = date.tomorrow().ok()?;
            if let Some(&(_, close)) = self.intervals(date).last() {
                counted += 1;
                if counted == days {
                    let (d, m) = if close == 1440 {
                        (date.tomorrow().ok()?, 0)
                    } else {
                        (date, close)
                    };
                    return self
                        .tz
                        .to_timestamp(d.at((m / 60) as i8, (m % 60) as i8, 0, 0))
                        .ok();
                }
            }
        }
        None
    }
}

fn fmt(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Up to three non-overlapping intervals a day; in zones with DST, no boundary between 01:00
/// and 04:00, where the wall clock jumps and "the minute at 02:30" has no single meaning.
fn day_strategy(dst: bool) -> impl Strategy<Value = Vec<(u16, u16)>> {
    prop::collection::btree_set(0u16..=96, 0..=6).prop_map(move |points| {
        let mut pts: Vec<u16> = points
            .into_iter()
            .map(|p| p * 15)
            .filter(|m| !dst || !(60..=240).contains(m))
            .collect();
        if pts.len() % 2 == 1 {
            pts.pop();
        }
        pts.chunks(2).map(|c| (c[0], c[1])).collect()
    })
}

fn date_strategy() -> impl Strategy<Value = Date> {
    (0i64..300).prop_map(|d| {
        Date::constant(2026, 2, 1)
            .checked_add(jiff::Span::new().days(d))
            .unwrap()
    })
}

fn calendar_strategy() -> impl Strategy<Value = (CalendarSpec, Reference)> {
    (0..ZONES.len())
        .prop_flat_map(|z| {
            let dst = matches!(ZONES[z], "Europe/Berlin" | "America/New_York");
            (
                Just(z),
                prop::collection::vec(day_strategy(dst), 7),
                day_strategy(dst),
                prop::collection::btree_set(date_strategy(), 0..25),
                prop::collection::btree_set(date_strategy(), 0..6),
            )
        })
        .prop_filter_map(
            "a calendar must open sometime",
            |(z, week, workday, holidays, extra)| {
                let extra: BTreeSet<Date> = extra.difference(&holidays).copied().collect();
                let workday_used = if workday.is_empty() {
                    week[0].clone()
                } else {
                    workday.clone()
                };
                if week.iter().all(Vec::is_empty) || (!extra.is_empty() && workday_used.is_empty())
                {
                    return None;
                }
                let hours: BTreeMap<String, Vec<[String; 2]>> = WEEKDAYS
                    .iter()
                    .zip(&week)
                    .filter(|(_, iv)| !iv.is_empty())
                    .map(|(d, iv)| {
                        (
                            d.to_string(),
                            iv.iter().map(|&(s, e)| [fmt(s), fmt(e)]).collect(),
                        )
                    })
                    .collect();
                let spec = CalendarSpec {
                    timezone: ZONES[z].to_string(),
                    hours,
                    holidays: holidays.iter().map(Date::to_string).collect(),
                    extra_workdays: extra.iter().map(Date::to_string).collect(),
                    workday_hours: (!workday.is_empty())
                        .then(|| workday.iter().map(|&(s, e)| [fmt(s), fmt(e)]).collect()),
                    holiday_years: None,
                };
                let reference = Reference {
                    tz: TimeZone::get(ZONES[z]).unwrap(),
                    week,
                    workday: workday_used,
                    holidays,
                    extra,
                };
                Some((spec, reference))
            },
        )
}

fn instant_strategy() -> impl Strategy<Value = Timestamp> {
    // Minute-aligned instants from February to November 2026: both DST changes of Berlin and
    // New York, Chinese New Year and National Day.
    (0i64..(300 * 1440)).prop_map(|m| {
        "2026-02-01T00:00:00Z".parse::<Timestamp>().unwrap() + SignedDuration::from_mins(m)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn adding_minutes_matches_the_reference((spec, reference) in calendar_strategy(), from in instant_strategy(), n in 0i64..900) {
        let cal = Calendar::parse(&spec).unwrap();
        let limit = 45 * 1440;
        match reference.add_minutes(from, n, limit) {
            Some(expected) => prop_assert_eq!(cal.add_minutes(from, n).unwrap(), expected),
            None => {
                if let Ok(due) = cal.add_minutes(from, n) {
                    prop_assert!(due > from + SignedDuration::from_mins(limit - 1));
                }
            }
        }
    }

    #[test]
    fn open_time_between_matches_the_reference((spec, reference) in calendar_strategy(), from in instant_strategy(), span in 0i64..(10 * 1440)) {
        let cal = Calendar::parse(&spec).unwrap();
        let to = from + SignedDuration::from_mins(span);
        let expected = reference.open_minutes_between(from, to);
        prop_assert_eq!(cal.open_time_between(from, to).unwrap(), SignedDuration::from_mins(expected));
        // And the two operations agree: adding the open time between two instants from the first
        // lands on the second or earlier (at the last open minute before it).
        if expected > 0 {
            let due = cal.add_minutes(from, expected).unwrap();
            prop_assert!(due <= to);
            prop_assert_eq!(cal.open_time_between(from, due).unwrap(), SignedDuration::from_mins(expected));
        }
    }

    #[test]
    fn working_days_match_the_reference((spec, reference) in calendar_strategy(), from in instant_strategy(), days in 1i64..12) {
        let cal = Calendar::parse(&spec).unwrap();
        if let Some(expected) = reference.add_working_days(from, days) {
            prop_assert_eq!(cal.add_working_days(from, days).unwrap(), expected);
        }
    }
}
