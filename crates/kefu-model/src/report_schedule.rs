//! Scheduled reports (R-MG-2: figures "monitored continuously"): the key-figures report of the
//! period just ended, mailed as a spreadsheet to a list of addresses every day, week or month
//! at a local hour. Pure: what a schedule may hold, when it runs next, which days a run covers
//! and what an attempt's outcome does to it. The report is read as its owner would read it, so
//! a schedule never mails figures its owner may not see.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::customer::Email;
use crate::error::DomainError;
use crate::ids::{ReportScheduleId, UserId};
use crate::kpi::{Dimension, Granularity};
use crate::string_enum::string_enum;

/// At most this many addresses on one schedule.
pub const MAX_RECIPIENTS: usize = 20;

/// Failed attempts of one run before it is given up until the next regular run.
pub const MAX_ATTEMPTS: u32 = 3;

/// Minutes to wait after a failed attempt.
pub const RETRY_MINUTES: i64 = 30;

string_enum!(
    /// How often a report goes out, and so which period it covers: the day before, the week
    /// before (Monday to Sunday), the month before.
    ReportFrequency { Daily => "daily", Weekly => "weekly", Monthly => "monthly" }
);

string_enum!(
    /// The attached file's type.
    ReportFileFormat { Xlsx => "xlsx", Csv => "csv" }
);

string_enum!(
    /// What the last run came to.
    RunOutcome { Sent => "sent", Failed => "failed", GivenUp => "given_up" }
);

/// What a person asks for.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReportScheduleDraft {
    pub name: String,
    pub recipients: Vec<String>,
    pub by: String,
    pub frequency: String,
    /// The local hour it goes out (0–23).
    pub hour: i64,
    pub format: String,
    pub active: bool,
}

/// A run's record: when, which days, and how it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRun {
    pub at: Timestamp,
    pub from: Date,
    pub to: Date,
    pub outcome: RunOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSchedule {
    pub id: ReportScheduleId,
    pub name: String,
    /// Whose view of the figures the report is.
    pub owner: UserId,
    pub recipients: Vec<String>,
    pub by: Dimension,
    pub frequency: ReportFrequency,
    pub hour: u8,
    pub format: ReportFileFormat,
    pub active: bool,
    /// When it goes out next (the scheduled time, or a retry's).
    pub next_run_at: Timestamp,
    /// The scheduled time of the run under way (a retry keeps covering the same days).
    pub run_at: Timestamp,
    /// Failed attempts of the run under way.
    #[serde(default)]
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<ReportRun>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The checked fields of a draft: (name, recipients, by, frequency, hour, format).
pub type CheckedDraft = (
    String,
    Vec<String>,
    Dimension,
    ReportFrequency,
    u8,
    ReportFileFormat,
);

/// Checks a draft, naming the field at fault.
pub fn check_draft(d: &ReportScheduleDraft) -> Result<CheckedDraft, DomainError> {
    let name = crate::text::text("name", &d.name, 100, true)?;
    if d.recipients.is_empty() || d.recipients.len() > MAX_RECIPIENTS {
        return Err(DomainError::invalid(
            "recipients",
            format!("1 to {MAX_RECIPIENTS} e-mail addresses"),
        ));
    }
    let mut recipients: Vec<String> = Vec::with_capacity(d.recipients.len());
    for (i, r) in d.recipients.iter().enumerate() {
        let email = Email::parse(r)
            .map_err(|e| DomainError::invalid(format!("recipients[{i}]"), e))?
            .as_str()
            .to_string();
        if !recipients.contains(&email) {
            recipients.push(email);
        }
    }
    let by = Dimension::parse(&d.by).ok_or_else(|| {
        DomainError::invalid(
            "by",
            "one of all, agent, department, channel, category, region, grade",
        )
    })?;
    let frequency = ReportFrequency::parse(&d.frequency)
        .ok_or_else(|| DomainError::invalid("frequency", "daily, weekly or monthly"))?;
    let hour = u8::try_from(d.hour)
        .ok()
        .filter(|h| *h < 24)
        .ok_or_else(|| DomainError::invalid("hour", "a local hour, 0 to 23"))?;
    let format = ReportFileFormat::parse(&d.format)
        .ok_or_else(|| DomainError::invalid("format", "xlsx or csv"))?;
    Ok((name, recipients, by, frequency, hour, format))
}

/// The first local day a run at `day` may fall on after `day` itself, by frequency: the next
/// day, the next Monday, the 1st of the next month.
fn next_day(frequency: ReportFrequency, day: Date) -> Date {
    match frequency {
        ReportFrequency::Daily => day.tomorrow().unwrap_or(day),
        ReportFrequency::Weekly => {
            let ahead = 7 - i64::from(day.weekday().to_monday_zero_offset());
            day.checked_add(SignedDuration::from_hours(24 * ahead))
                .unwrap_or(day)
        }
        ReportFrequency::Monthly => day
            .last_of_month()
            .tomorrow()
            .unwrap_or_else(|_| day.first_of_month()),
    }
}

/// Whether `day` is a day the frequency runs on.
fn runs_on(frequency: ReportFrequency, day: Date) -> bool {
    match frequency {
        ReportFrequency::Daily => true,
        ReportFrequency::Weekly => day.weekday() == jiff::civil::Weekday::Monday,
        ReportFrequency::Monthly => day.day() == 1,
    }
}

/// The scheduled time of the first run strictly after `after`: `hour` o'clock local time on a
/// day the frequency runs on (every day, Mondays, the 1st).
pub fn next_run(
    frequency: ReportFrequency,
    hour: u8,
    after: Timestamp,
    zone: &TimeZone,
) -> Result<Timestamp, DomainError> {
    let at_hour = |day: Date| -> Result<Timestamp, DomainError> {
        let time = Time::new(i8::try_from(hour).unwrap_or(0), 0, 0, 0)
            .map_err(|e| DomainError::invalid("hour", e.to_string()))?;
        zone.to_timestamp(day.to_datetime(time))
            .map_err(|e| DomainError::invalid("hour", e.to_string()))
    };
    let today = zone.to_datetime(after).date();
    if runs_on(frequency, today) {
        let t = at_hour(today)?;
        if t > after {
            return Ok(t);
        }
    }
    let mut day = next_day(frequency, today);
    // A first day of a run whose hour does not exist (a DST gap) moves on; bounded.
    for _ in 0..3 {
        let t = at_hour(day)?;
        if t > after {
            return Ok(t);
        }
        day = next_day(frequency, day);
    }
    at_hour(day)
}

/// The days `[from, to)` a run scheduled at `run_at` covers: the period that ended on the run's
/// local day — the day before, the week before (Monday to Sunday), the month before.
pub fn period_of(frequency: ReportFrequency, run_at: Timestamp, zone: &TimeZone) -> (Date, Date) {
    let day = zone.to_datetime(run_at).date();
    match frequency {
        ReportFrequency::Daily => (day.yesterday().unwrap_or(day), day),
        ReportFrequency::Weekly => {
            let monday = Granularity::Week.bucket(day);
            let before = monday
                .checked_sub(SignedDuration::from_hours(24 * 7))
                .unwrap_or(monday);
            (before, monday)
        }
        ReportFrequency::Monthly => {
            let first = day.first_of_month();
            let before = first
                .yesterday()
                .map(|d| d.first_of_month())
                .unwrap_or(first);
            (before, first)
        }
    }
}

/// The series' buckets of a run's report: days for a day or a week, weeks for a month.
pub fn granularity_of(frequency: ReportFrequency) -> Granularity {
    match frequency {
        ReportFrequency::Daily | ReportFrequency::Weekly => Granularity::Day,
        ReportFrequency::Monthly => Granularity::Week,
    }
}

/// The schedule after an attempt at its run at `now`: a sent report moves on to the next
/// scheduled time; a failure is tried again in [`RETRY_MINUTES`], and after [`MAX_ATTEMPTS`]
/// the run is given up until the next scheduled time. `error` is `None` when it was sent.
pub fn after_attempt(
    schedule: &ReportSchedule,
    now: Timestamp,
    error: Option<String>,
    zone: &TimeZone,
) -> Result<ReportSchedule, DomainError> {
    let (from, to) = period_of(schedule.frequency, schedule.run_at, zone);
    let mut next = schedule.clone();
    next.updated_at = now;
    let attempts = schedule.attempts + 1;
    let outcome = match &error {
        None => RunOutcome::Sent,
        Some(_) if attempts >= MAX_ATTEMPTS => RunOutcome::GivenUp,
        Some(_) => RunOutcome::Failed,
    };
    if outcome == RunOutcome::Failed {
        next.attempts = attempts;
        next.next_run_at = now
            .checked_add(SignedDuration::from_mins(RETRY_MINUTES))
            .unwrap_or(now);
    } else {
        next.attempts = 0;
        let scheduled = next_run(schedule.frequency, schedule.hour, now, zone)?;
        next.run_at = scheduled;
        next.next_run_at = scheduled;
    }
    next.last_run = Some(ReportRun {
        at: now,
        from,
        to,
        outcome,
        error: error.map(|e| e.chars().take(500).collect()),
    });
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::UTC)
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn draft() -> ReportScheduleDraft {
        ReportScheduleDraft {
            name: "每日绩效".into(),
            recipients: vec!["boss@yunlu.example".into(), "boss@yunlu.example".into()],
            by: "agent".into(),
            frequency: "daily".into(),
            hour: 8,
            format: "xlsx".into(),
            active: true,
        }
    }

    #[test]
    fn a_draft_is_checked_field_by_field() {
        let (name, recipients, by, frequency, hour, format) = check_draft(&draft()).unwrap();
        assert_eq!(name, "每日绩效");
        assert_eq!(recipients, vec!["boss@yunlu.example".to_string()]);
        assert_eq!(
            (by, frequency, hour, format),
            (
                Dimension::Agent,
                ReportFrequency::Daily,
                8,
                ReportFileFormat::Xlsx
            )
        );
        let field = |d: ReportScheduleDraft| match check_draft(&d) {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(ReportScheduleDraft {
                recipients: vec![],
                ..draft()
            }),
            "recipients"
        );
        assert_eq!(
            field(ReportScheduleDraft {
                recipients: vec!["a@b.example".into(), "not mail".into()],
                ..draft()
            }),
            "recipients[1]"
        );
        assert_eq!(
            field(ReportScheduleDraft {
                hour: 24,
                ..draft()
            }),
            "hour"
        );
        assert_eq!(
            field(ReportScheduleDraft {
                hour: -1,
                ..draft()
            }),
            "hour"
        );
        assert_eq!(
            field(ReportScheduleDraft {
                frequency: "hourly".into(),
                ..draft()
            }),
            "frequency"
        );
        assert_eq!(
            field(ReportScheduleDraft {
                format: "pdf".into(),
                ..draft()
            }),
            "format"
        );
        assert_eq!(
            field(ReportScheduleDraft {
                by: "planet".into(),
                ..draft()
            }),
            "by"
        );
    }

    #[test]
    fn runs_fall_on_the_local_hour_of_their_days() {
        let z = shanghai();
        // Wednesday 2026-12-02 07:30 in Shanghai (23:30 UTC the day before).
        let now = at("2026-12-01T23:30:00Z");
        assert_eq!(
            next_run(ReportFrequency::Daily, 8, now, &z).unwrap(),
            at("2026-12-02T00:00:00Z")
        );
        // Past 08:00 the next day's.
        assert_eq!(
            next_run(ReportFrequency::Daily, 8, at("2026-12-02T00:00:00Z"), &z).unwrap(),
            at("2026-12-03T00:00:00Z")
        );
        // Weekly: the next Monday, 2026-12-07 08:00.
        assert_eq!(
            next_run(ReportFrequency::Weekly, 8, now, &z).unwrap(),
            at("2026-12-07T00:00:00Z")
        );
        // On a Monday before the hour: that same Monday.
        assert_eq!(
            next_run(ReportFrequency::Weekly, 9, at("2026-12-07T00:30:00Z"), &z).unwrap(),
            at("2026-12-07T01:00:00Z")
        );
        // Monthly: 2027-01-01 06:00 local.
        assert_eq!(
            next_run(ReportFrequency::Monthly, 6, now, &z).unwrap(),
            at("2026-12-31T22:00:00Z")
        );
    }

    #[test]
    fn a_run_covers_the_period_that_ended_on_its_day() {
        let z = shanghai();
        let monday_8 = at("2026-12-07T00:00:00Z");
        let day = |s: &str| s.parse::<Date>().unwrap_or_default();
        assert_eq!(
            period_of(ReportFrequency::Daily, monday_8, &z),
            (day("2026-12-06"), day("2026-12-07"))
        );
        assert_eq!(
            period_of(ReportFrequency::Weekly, monday_8, &z),
            (day("2026-11-30"), day("2026-12-07"))
        );
        assert_eq!(
            period_of(ReportFrequency::Monthly, at("2026-12-31T22:00:00Z"), &z),
            (day("2026-12-01"), day("2027-01-01"))
        );
        assert_eq!(
            period_of(ReportFrequency::Monthly, monday_8, &z),
            (day("2026-11-01"), day("2026-12-01"))
        );
    }

    #[test]
    fn failures_retry_then_give_up_until_the_next_run() {
        let z = shanghai();
        let run = at("2026-12-07T00:00:00Z");
        let s = ReportSchedule {
            id: ReportScheduleId::new(run),
            name: "周报".into(),
            owner: UserId::new(run),
            recipients: vec!["boss@yunlu.example".into()],
            by: Dimension::All,
            frequency: ReportFrequency::Daily,
            hour: 8,
            format: ReportFileFormat::Csv,
            active: true,
            next_run_at: run,
            run_at: run,
            attempts: 0,
            last_run: None,
            created_at: run,
            updated_at: run,
        };
        let now = at("2026-12-07T00:01:00Z");
        let failed = after_attempt(&s, now, Some("421 busy".into()), &z).unwrap();
        assert_eq!(failed.attempts, 1);
        assert_eq!(failed.next_run_at, at("2026-12-07T00:31:00Z"));
        assert_eq!(failed.run_at, run, "a retry covers the same day");
        let last = failed.last_run.clone().unwrap();
        assert_eq!(last.outcome, RunOutcome::Failed);
        assert_eq!(last.from.to_string(), "2026-12-06");
        let twice =
            after_attempt(&failed, at("2026-12-07T00:31:00Z"), Some("x".into()), &z).unwrap();
        assert_eq!(twice.attempts, 2);
        let given_up =
            after_attempt(&twice, at("2026-12-07T01:01:00Z"), Some("x".into()), &z).unwrap();
        assert_eq!(given_up.attempts, 0);
        assert_eq!(
            given_up.last_run.as_ref().map(|r| r.outcome),
            Some(RunOutcome::GivenUp)
        );
        assert_eq!(given_up.next_run_at, at("2026-12-08T00:00:00Z"));
        let sent = after_attempt(&failed, at("2026-12-07T00:31:00Z"), None, &z).unwrap();
        assert_eq!(sent.attempts, 0);
        assert_eq!(sent.next_run_at, at("2026-12-08T00:00:00Z"));
        assert_eq!(sent.run_at, sent.next_run_at);
        assert_eq!(
            sent.last_run.map(|r| (r.outcome, r.to.to_string())),
            Some((RunOutcome::Sent, "2026-12-07".to_string()))
        );
    }
}
