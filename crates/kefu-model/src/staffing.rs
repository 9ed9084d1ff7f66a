//! The supervisor's staffing planner (R-MG-3): arrivals per channel and half-hour, the forecast
//! of a day from past days of the same kind, the agents each interval needs, and the planned
//! schedule held against them. Pure: history rows, calendars and settings in, figures out.
//!
//! **Arrivals.** A contact arrives when a case is received (its `received_at`), counted per
//! channel; for the telephone the PBX's offered calls are counted instead of phone cases when
//! any call was offered in the range (a call that was abandoned opened no case but wanted an
//! agent). Intervals are the desk's local half-hours `00:00–00:30` … `23:30–24:00` (48 slots).
//!
//! **Forecast** ([`basis`], [`forecast`]): a day's expected arrivals per channel and slot are the
//! mean over its *basis*, past days of the same kind (a day without arrivals counts as zero):
//! - a working day Monday–Friday: the same weekday in each of the last `weeks` weeks (default
//!   8) that was a working day, so holidays, make-up workdays and promotion days are left out
//!   ("8 Mondays, excl. holidays");
//! - a make-up workday (调休上班, a weekend day worked): the regular working days of the last
//!   `weeks` weeks, since it is worked like one;
//! - a weekend day: the Saturdays and Sundays of the last `weeks` weeks that were neither
//!   holidays nor make-up workdays;
//! - a public holiday (from the calendar): the public holidays of the year before it;
//! - a promotion day the planner marked (双十一, 618): with a `like_date`, that day's arrivals
//!   (last year's 11.11); otherwise the rule above for its kind of day; either way times its
//!   `multiplier` (1 when absent). Promotion days never serve as another day's basis.
//!
//! **Agents needed** ([`needed_base`], [`with_shrinkage`]) per channel by its mode:
//! - `erlang` (the telephone): Erlang C, the fewest agents reaching the service level target
//!   (default 80 % answered within 20 s) at the channel's average handling time;
//! - `chat` (live chat, WeChat): an agent holds `concurrency` chats at once, so it serves like a
//!   server `concurrency` times as fast: Erlang C over traffic ÷ k with handling time ÷ k;
//! - `workload` (e-mail, web forms, API): no one waits on the line, so volume × handling time ÷
//!   interval ÷ occupancy target, rounded up.
//!
//! Then shrinkage (breaks, training, meetings; default 30 %) on top: `⌈base ÷ (1 − shrinkage)⌉`
//! agents scheduled give `base` at work. The comparison ([`compare`]) takes the planned agents
//! the other way, `⌊planned × (1 − shrinkage)⌋` at work, for the expected service level.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::calendar::CalendarSpec;
use crate::codes::Channel;
use crate::erlang;
use crate::error::DomainError;
use crate::string_enum::string_enum;
use crate::user::{Actor, Role};

/// Who plans staffing, reads its figures and edits its settings, promotion days and schedule:
/// supervisors and admins. Agents, observers, finance and department-bound staff do not.
pub fn may_plan(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Supervisor)
}

/// Half-hours in a day.
pub const SLOTS: usize = 48;
/// The length of an interval.
pub const SLOT_SECS: f64 = 1800.0;
/// The longest range of history (and of schedule reads) one call reads.
pub const MAX_RANGE_DAYS: i64 = crate::period::MAX_PERIOD_DAYS;
/// The most days one forecast call covers.
pub const MAX_FORECAST_DAYS: i64 = 14;
/// The settings document's key.
pub const SETTING: &str = "staffing";
/// The calendar whose holidays and make-up workdays classify days by default.
pub const DEFAULT_CALENDAR: &str = "cn-office";
/// The most agents one slot of a schedule may plan.
pub const MAX_PLANNED: i64 = 10_000;

/// Arrivals counted by the store: one channel, one half-hour of UTC time starting at `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrivalCount {
    pub channel: Channel,
    pub start: Timestamp,
    pub count: u32,
}

/// One local day's arrivals of one channel, per slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayArrivals {
    pub day: Date,
    pub channel: Channel,
    pub slots: Vec<u32>,
}

impl DayArrivals {
    pub fn total(&self) -> u64 {
        self.slots.iter().map(|&n| u64::from(n)).sum()
    }
}

/// The slot of a local time of day.
pub fn slot_of(hour: i8, minute: i8) -> usize {
    let h = usize::try_from(hour.clamp(0, 23)).unwrap_or(0);
    let m = usize::try_from(minute.clamp(0, 59)).unwrap_or(0);
    h * 2 + m / 30
}

/// `HH:MM` of a slot's start.
pub fn slot_label(slot: usize) -> String {
    format!("{:02}:{:02}", slot / 2, (slot % 2) * 30)
}

/// The store's counts as local days: case counts per channel, where the telephone's are the
/// offered calls when any call was offered in the range (`calls`), else its phone cases.
/// Sorted by day, then channel; a half-hour counted twice locally (a DST fall-back) adds up.
pub fn arrivals_by_day(
    cases: &[ArrivalCount],
    calls: &[ArrivalCount],
    tz: &TimeZone,
) -> Vec<DayArrivals> {
    let use_calls = !calls.is_empty();
    let mut days: BTreeMap<(Date, Channel), Vec<u32>> = BTreeMap::new();
    let rows = cases
        .iter()
        .filter(|c| !(use_calls && c.channel == Channel::Phone))
        .chain(calls.iter());
    for c in rows {
        let local = tz.to_datetime(c.start);
        let slots = days
            .entry((local.date(), c.channel))
            .or_insert_with(|| vec![0; SLOTS]);
        let slot = slot_of(local.hour(), local.minute());
        slots[slot] = slots[slot].saturating_add(c.count);
    }
    days.into_iter()
        .map(|((day, channel), slots)| DayArrivals {
            day,
            channel,
            slots,
        })
        .collect()
}

// ---- kinds of day ----------------------------------------------------------------------

string_enum!(
    /// What a calendar makes of a date.
    DayType { Workday => "workday", Weekend => "weekend", Holiday => "holiday", MakeUpWorkday => "make_up_workday" }
);

/// A calendar's holidays and make-up workdays: what [`basis`] needs of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayTypes {
    pub holidays: BTreeSet<Date>,
    pub make_up_workdays: BTreeSet<Date>,
}

impl DayTypes {
    /// From a stored calendar; dates it cannot read are left out (the calendar's own checks
    /// refuse them when it is saved).
    pub fn of_calendar(spec: &CalendarSpec) -> DayTypes {
        let dates = |v: &[String]| v.iter().filter_map(|d| d.parse().ok()).collect();
        DayTypes {
            holidays: dates(&spec.holidays),
            make_up_workdays: dates(&spec.extra_workdays),
        }
    }

    pub fn of(&self, day: Date) -> DayType {
        if self.holidays.contains(&day) {
            DayType::Holiday
        } else if self.make_up_workdays.contains(&day) {
            DayType::MakeUpWorkday
        } else if matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            DayType::Weekend
        } else {
            DayType::Workday
        }
    }
}

// ---- promotion days --------------------------------------------------------------------

/// A day the planner expects more (or fewer) contacts than its kind of day: 双十一, 618.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionDay {
    pub date: Date,
    pub name: String,
    /// The forecast times this (with `like_date`, that day's arrivals times this).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<f64>,
    /// Forecast the day like this earlier day (last year's 11.11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub like_date: Option<Date>,
}

/// A promotion day as a dump carries it: the day and when it was last saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionRecord {
    pub promotion: PromotionDay,
    pub updated_at: Timestamp,
}

/// The largest multiplier a promotion day may have.
pub const MAX_MULTIPLIER: f64 = 100.0;

impl PromotionDay {
    /// Checks a promotion day as typed: a name (1–60 characters), a multiplier above 0 and at
    /// most 100 or a `like_date` before the day and at most 366 days before it (or both).
    pub fn checked(self) -> Result<PromotionDay, DomainError> {
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(DomainError::invalid("name", "1 to 60 characters"));
        }
        if let Some(m) = self.multiplier
            && !(m.is_finite() && m > 0.0 && m <= MAX_MULTIPLIER)
        {
            return Err(DomainError::invalid(
                "multiplier",
                "a number above 0, at most 100",
            ));
        }
        if let Some(like) = self.like_date {
            let earliest = self
                .date
                .checked_sub(Span::new().days(MAX_RANGE_DAYS))
                .unwrap_or(Date::MIN);
            if like >= self.date || like < earliest {
                return Err(DomainError::invalid(
                    "like_date",
                    "a day before the promotion day, at most 366 days before",
                ));
            }
        }
        if self.multiplier.is_none() && self.like_date.is_none() {
            return Err(DomainError::invalid(
                "multiplier",
                "give a multiplier, a like_date or both",
            ));
        }
        Ok(PromotionDay { name, ..self })
    }
}

// ---- forecast ---------------------------------------------------------------------------

string_enum!(
    /// Which days a forecast averages (see the module's doc).
    BasisRule { Weekday => "weekday", Workdays => "workdays", Weekend => "weekend", Holidays => "holidays", LikeDate => "like_date" }
);

/// The days a forecast stands on, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Basis {
    pub rule: BasisRule,
    /// The weeks looked back (the rule's `weeks`).
    pub weeks: u32,
    /// The past days averaged, oldest first.
    pub days: Vec<Date>,
    /// The kind of the day forecast.
    pub day_type: DayType,
    /// The promotion marked on the day forecast.
    pub promotion: Option<PromotionDay>,
}

impl Basis {
    /// The factor on the mean: the promotion's multiplier, else 1.
    pub fn multiplier(&self) -> f64 {
        self.promotion
            .as_ref()
            .and_then(|p| p.multiplier)
            .unwrap_or(1.0)
    }
}

fn days_back(day: Date, n: i64) -> Option<Date> {
    day.checked_sub(Span::new().days(n)).ok()
}

/// The basis of `day`'s forecast: the rule for its kind of day (see the module's doc) over the
/// last `weeks` weeks, promotion days left out.
pub fn basis(day: Date, weeks: u32, types: &DayTypes, promotions: &[PromotionDay]) -> Basis {
    let promotion = promotions.iter().find(|p| p.date == day).cloned();
    let day_type = types.of(day);
    let is_promotion = |d: Date| promotions.iter().any(|p| p.date == d);
    if let Some(like) = promotion.as_ref().and_then(|p| p.like_date) {
        return Basis {
            rule: BasisRule::LikeDate,
            weeks,
            days: vec![like],
            day_type,
            promotion,
        };
    }
    let span = i64::from(weeks) * 7;
    let (rule, days): (BasisRule, Vec<Date>) = match day_type {
        DayType::Workday => (
            BasisRule::Weekday,
            (1..=i64::from(weeks))
                .filter_map(|w| days_back(day, w * 7))
                .filter(|&d| types.of(d) == DayType::Workday && !is_promotion(d))
                .collect(),
        ),
        DayType::MakeUpWorkday => (
            BasisRule::Workdays,
            (1..=span)
                .filter_map(|n| days_back(day, n))
                .filter(|&d| types.of(d) == DayType::Workday && !is_promotion(d))
                .collect(),
        ),
        DayType::Weekend => (
            BasisRule::Weekend,
            (1..=span)
                .filter_map(|n| days_back(day, n))
                .filter(|&d| types.of(d) == DayType::Weekend && !is_promotion(d))
                .collect(),
        ),
        DayType::Holiday => (
            BasisRule::Holidays,
            (1..=365)
                .filter_map(|n| days_back(day, n))
                .filter(|&d| types.of(d) == DayType::Holiday && !is_promotion(d))
                .collect(),
        ),
    };
    let mut days = days;
    days.sort_unstable();
    Basis {
        rule,
        weeks,
        days,
        day_type,
        promotion,
    }
}

/// One channel's expected arrivals per slot.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub channel: Channel,
    pub slots: Vec<f64>,
}

impl Curve {
    pub fn total(&self) -> f64 {
        self.slots.iter().sum()
    }
}

/// A day's forecast: per channel with any expected arrival, in `Channel::ALL` order.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub day: Date,
    pub basis: Basis,
    pub channels: Vec<Curve>,
}

/// The mean of the basis days' arrivals per channel and slot (a basis day without a row for a
/// channel had none), times the promotion's multiplier. No basis day: nothing expected.
pub fn forecast(day: Date, basis: Basis, history: &[DayArrivals]) -> Forecast {
    let n = basis.days.len();
    let factor = basis.multiplier();
    let mut channels = Vec::new();
    if n > 0 {
        let wanted: BTreeSet<Date> = basis.days.iter().copied().collect();
        for &channel in Channel::ALL {
            let mut sums = [0u64; SLOTS];
            for row in history
                .iter()
                .filter(|r| r.channel == channel && wanted.contains(&r.day))
            {
                for (s, &v) in sums.iter_mut().zip(&row.slots) {
                    *s += u64::from(v);
                }
            }
            if sums.iter().all(|&s| s == 0) {
                continue;
            }
            #[allow(clippy::cast_precision_loss)] // counts far below 2^52
            let slots = sums.iter().map(|&s| s as f64 / n as f64 * factor).collect();
            channels.push(Curve { channel, slots });
        }
    }
    Forecast {
        day,
        basis,
        channels,
    }
}

// ---- settings and agents needed ---------------------------------------------------------

string_enum!(
    /// How a channel's contacts turn into agents (see the module's doc).
    Mode { Erlang => "erlang", Chat => "chat", Workload => "workload" }
);

/// How one channel is staffed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelRule {
    pub channel: Channel,
    pub mode: Mode,
    /// Average handling time of one contact in seconds (a chat: from taking it to closing it).
    pub aht_secs: f64,
    /// Chats an agent holds at once (mode `chat`; 1 otherwise).
    #[serde(default = "one")]
    pub concurrency: u32,
}

fn one() -> u32 {
    1
}

/// The planner's settings (the `staffing` setting). Percentages are 0–100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffingSettings {
    /// Share of calls and chats to answer within `target_secs`, percent (1–99).
    pub service_level: f64,
    pub target_secs: u32,
    /// Paid time not spent on contacts (breaks, training), percent (0–90).
    pub shrinkage: f64,
    /// How busy an agent working mail and forms is planned to be, percent (1–100).
    pub occupancy: f64,
    /// Weeks of history a forecast looks back (1–52).
    pub weeks: u32,
    /// The calendar whose holidays and make-up workdays classify days.
    pub calendar: String,
    /// One rule per channel; a channel left out has its default.
    pub channels: Vec<ChannelRule>,
}

impl Default for StaffingSettings {
    fn default() -> Self {
        StaffingSettings {
            service_level: 80.0,
            target_secs: 20,
            shrinkage: 30.0,
            occupancy: 85.0,
            weeks: 8,
            calendar: DEFAULT_CALENDAR.to_string(),
            channels: Channel::ALL.iter().map(|&c| default_rule(c)).collect(),
        }
    }
}

/// A channel's rule when the settings name none: the telephone by Erlang C at 180 s; chat and
/// WeChat 3 at once at 300 s; e-mail as workload at 600 s; web forms and the API at 300 s.
pub fn default_rule(channel: Channel) -> ChannelRule {
    let (mode, aht_secs, concurrency) = match channel {
        Channel::Phone => (Mode::Erlang, 180.0, 1),
        Channel::Chat | Channel::Wechat => (Mode::Chat, 300.0, 3),
        Channel::Email => (Mode::Workload, 600.0, 1),
        Channel::Web | Channel::Api => (Mode::Workload, 300.0, 1),
    };
    ChannelRule {
        channel,
        mode,
        aht_secs,
        concurrency,
    }
}

impl StaffingSettings {
    /// Checks the settings as typed (each refusal names its field).
    pub fn checked(self) -> Result<StaffingSettings, DomainError> {
        let percent = |field: &str, v: f64, lo: f64, hi: f64| {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(())
            } else {
                Err(DomainError::invalid(
                    field,
                    format!("a percentage from {lo} to {hi}"),
                ))
            }
        };
        percent("service_level", self.service_level, 1.0, 99.0)?;
        percent("shrinkage", self.shrinkage, 0.0, 90.0)?;
        percent("occupancy", self.occupancy, 1.0, 100.0)?;
        if !(1..=3600).contains(&self.target_secs) {
            return Err(DomainError::invalid("target_secs", "1 to 3600 seconds"));
        }
        if !(1..=52).contains(&self.weeks) {
            return Err(DomainError::invalid("weeks", "1 to 52"));
        }
        crate::text::check_key("calendar", &self.calendar)?;
        let mut seen = BTreeSet::new();
        for (i, r) in self.channels.iter().enumerate() {
            if !seen.insert(r.channel) {
                return Err(DomainError::invalid(
                    format!("channels[{i}].channel"),
                    "each channel once",
                ));
            }
            if !(r.aht_secs.is_finite() && r.aht_secs > 0.0 && r.aht_secs <= 86_400.0) {
                return Err(DomainError::invalid(
                    format!("channels[{i}].aht_secs"),
                    "seconds above 0, at most 86400",
                ));
            }
            if !(1..=20).contains(&r.concurrency) {
                return Err(DomainError::invalid(
                    format!("channels[{i}].concurrency"),
                    "1 to 20",
                ));
            }
        }
        Ok(self)
    }

    /// The rule of a channel: the settings', else the default.
    pub fn rule(&self, channel: Channel) -> ChannelRule {
        self.channels
            .iter()
            .find(|r| r.channel == channel)
            .cloned()
            .unwrap_or_else(|| default_rule(channel))
    }

    fn keep(&self) -> f64 {
        1.0 - self.shrinkage / 100.0
    }
}

/// Traffic and handling time as Erlang C sees them for a rule: a chat agent holding k chats is
/// a server k times as fast.
fn erlang_terms(rule: &ChannelRule, volume: f64) -> (f64, f64) {
    let k = match rule.mode {
        Mode::Chat => f64::from(rule.concurrency.max(1)),
        _ => 1.0,
    };
    let a = erlang::traffic(volume, rule.aht_secs, SLOT_SECS);
    (a / k, rule.aht_secs / k)
}

/// Rounds up, forgiving the last bits of floating point (11.000000000000002 is 11).
fn ceil(x: f64) -> u32 {
    let c = (x - 1e-9).ceil().max(0.0);
    if c >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        // In range and integral.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = c as u32;
        n
    }
}

/// Agents at work one slot needs for `volume` expected contacts, before shrinkage.
pub fn needed_base(rule: &ChannelRule, s: &StaffingSettings, volume: f64) -> u32 {
    if !(volume.is_finite() && volume > 0.0) {
        return 0;
    }
    match rule.mode {
        Mode::Erlang | Mode::Chat => {
            let (a, aht) = erlang_terms(rule, volume);
            erlang::agents_for(s.service_level / 100.0, f64::from(s.target_secs), a, aht)
                .unwrap_or(erlang::MAX_AGENTS)
        }
        Mode::Workload => {
            let occupancy = (s.occupancy / 100.0).max(0.01);
            ceil(volume * rule.aht_secs / SLOT_SECS / occupancy)
        }
    }
}

/// Agents to schedule so that `base` are at work: `⌈base ÷ (1 − shrinkage)⌉`.
pub fn with_shrinkage(base: u32, s: &StaffingSettings) -> u32 {
    let keep = s.keep();
    if keep <= 0.0 {
        return base;
    }
    ceil(f64::from(base) / keep)
}

/// Agents at work out of `planned` scheduled: `⌊planned × (1 − shrinkage)⌋`.
pub fn at_work(planned: u32, s: &StaffingSettings) -> u32 {
    let x = (f64::from(planned) * s.keep() + 1e-9).floor().max(0.0);
    // At most `planned`.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = x as u32;
    n.min(planned)
}

/// The share answered within the target with `planned` agents scheduled (Erlang C over those
/// at work); `None` for a workload channel, where nobody waits on a line.
pub fn expected_service_level(
    rule: &ChannelRule,
    s: &StaffingSettings,
    volume: f64,
    planned: u32,
) -> Option<f64> {
    match rule.mode {
        Mode::Workload => None,
        Mode::Erlang | Mode::Chat => {
            let (a, aht) = erlang_terms(rule, volume);
            Some(erlang::service_level(
                at_work(planned, s),
                a,
                aht,
                f64::from(s.target_secs),
            ))
        }
    }
}

// ---- the schedule and the comparison ----------------------------------------------------

/// Planned agents of one day and channel (skill group), per slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleDay {
    pub day: Date,
    pub channel: Channel,
    pub slots: Vec<u32>,
    /// Who saved it (`user:name`) and when.
    pub updated_by: String,
    pub updated_at: Timestamp,
}

/// Checks 48 planned counts as typed: exactly [`SLOTS`], each 0 to [`MAX_PLANNED`].
pub fn checked_slots(raw: &[i64]) -> Result<Vec<u32>, DomainError> {
    if raw.len() != SLOTS {
        return Err(DomainError::invalid(
            "slots",
            format!("exactly {SLOTS} half-hours, {} given", raw.len()),
        ));
    }
    raw.iter()
        .enumerate()
        .map(|(i, &v)| {
            if (0..=MAX_PLANNED).contains(&v) {
                u32::try_from(v).map_err(|_| DomainError::invalid(format!("slots[{i}]"), "range"))
            } else {
                Err(DomainError::invalid(
                    format!("slots[{i}]"),
                    format!("0 to {MAX_PLANNED} agents"),
                ))
            }
        })
        .collect()
}

/// One slot of one channel: expected, needed, planned.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotNeed {
    pub forecast: f64,
    /// Agents at work the slot needs (before shrinkage).
    pub base: u32,
    /// Agents to schedule (after shrinkage).
    pub needed: u32,
    pub planned: u32,
    /// Planned − needed: below 0 a shortfall, above a surplus.
    pub gap: i64,
    /// Expected share answered in time with the planned agents (not for workload channels).
    pub service_level: Option<f64>,
}

/// One channel's day.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelNeeds {
    pub channel: Channel,
    pub rule: ChannelRule,
    pub slots: Vec<SlotNeed>,
}

impl ChannelNeeds {
    /// Slots planned below what they need.
    pub fn shortfalls(&self) -> usize {
        self.slots.iter().filter(|s| s.gap < 0).count()
    }
}

/// Per channel that has a forecast or a plan (in `Channel::ALL` order), each slot's needed
/// agents against the planned ones (`planned`: the day's schedule rows).
pub fn compare(
    forecast: &Forecast,
    s: &StaffingSettings,
    planned: &[ScheduleDay],
) -> Vec<ChannelNeeds> {
    Channel::ALL
        .iter()
        .filter_map(|&channel| {
            let curve = forecast.channels.iter().find(|c| c.channel == channel);
            let plan = planned
                .iter()
                .find(|p| p.channel == channel && p.day == forecast.day);
            if curve.is_none() && plan.is_none() {
                return None;
            }
            let rule = s.rule(channel);
            let slots = (0..SLOTS)
                .map(|i| {
                    let volume = curve.map_or(0.0, |c| c.slots[i]);
                    let planned = plan.and_then(|p| p.slots.get(i).copied()).unwrap_or(0);
                    let base = needed_base(&rule, s, volume);
                    let needed = with_shrinkage(base, s);
                    SlotNeed {
                        forecast: volume,
                        base,
                        needed,
                        planned,
                        gap: i64::from(planned) - i64::from(needed),
                        service_level: expected_service_level(&rule, s, volume, planned),
                    }
                })
                .collect();
            Some(ChannelNeeds {
                channel,
                rule,
                slots,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn round(x: f64, places: i32) -> f64 {
        let f = 10f64.powi(places);
        (x * f).round() / f
    }

    fn settings() -> StaffingSettings {
        StaffingSettings::default()
    }

    /// 2026-12: Mondays are the 7th, 14th, 21st, 28th.
    fn types() -> DayTypes {
        DayTypes {
            // A holiday on a Monday, and a make-up workday on a Saturday.
            holidays: [date(2026, 11, 30), date(2026, 10, 1), date(2026, 10, 2)]
                .into_iter()
                .collect(),
            make_up_workdays: [date(2026, 12, 12)].into_iter().collect(),
        }
    }

    fn day(d: Date, channel: Channel, at: &[(usize, u32)]) -> DayArrivals {
        let mut slots = vec![0; SLOTS];
        for &(i, n) in at {
            slots[i] = n;
        }
        DayArrivals {
            day: d,
            channel,
            slots,
        }
    }

    #[test]
    fn a_weekday_stands_on_the_same_weekday_without_holidays_and_promotions() {
        let promotions = [PromotionDay {
            date: date(2026, 11, 23),
            name: "促销".into(),
            multiplier: Some(2.0),
            like_date: None,
        }];
        let b = basis(date(2026, 12, 14), 4, &types(), &promotions);
        assert_eq!(b.rule, BasisRule::Weekday);
        assert_eq!(b.day_type, DayType::Workday);
        // Four Mondays back: 12-07, 11-30 (holiday), 11-23 (promotion), 11-16.
        assert_eq!(b.days, vec![date(2026, 11, 16), date(2026, 12, 7)]);
        assert_eq!(b.multiplier(), 1.0);
    }

    #[test]
    fn the_forecast_is_the_mean_over_the_basis_with_missing_days_as_zero() {
        let b = basis(date(2026, 12, 14), 4, &types(), &[]);
        // 12-07, 11-23, 11-16 (11-30 a holiday).
        assert_eq!(b.days.len(), 3);
        let history = vec![
            day(date(2026, 12, 7), Channel::Phone, &[(18, 30), (19, 12)]),
            day(date(2026, 11, 23), Channel::Phone, &[(18, 24)]),
            // 11-16 had no calls at all; the holiday's arrivals are not counted.
            day(date(2026, 11, 30), Channel::Phone, &[(18, 300)]),
            day(date(2026, 12, 7), Channel::Email, &[(20, 9)]),
        ];
        let f = forecast(date(2026, 12, 14), b, &history);
        assert_eq!(f.channels.len(), 2);
        let phone = &f.channels[0];
        assert_eq!(phone.channel, Channel::Phone);
        assert_eq!(phone.slots[18], 18.0); // (30 + 24 + 0) / 3
        assert_eq!(phone.slots[19], 4.0); // 12 / 3
        assert_eq!(phone.total(), 22.0);
        assert_eq!(f.channels[1].channel, Channel::Email);
        assert_eq!(f.channels[1].slots[20], 3.0);
    }

    #[test]
    fn make_up_workdays_weekends_and_holidays_have_their_own_basis() {
        let t = types();
        // Saturday 12-12 is worked: the regular workdays of the last week (12-05..12-11).
        let b = basis(date(2026, 12, 12), 1, &t, &[]);
        assert_eq!(b.rule, BasisRule::Workdays);
        assert_eq!(b.day_type, DayType::MakeUpWorkday);
        assert_eq!(
            b.days,
            vec![
                date(2026, 12, 7),
                date(2026, 12, 8),
                date(2026, 12, 9),
                date(2026, 12, 10),
                date(2026, 12, 11)
            ]
        );
        // Sunday 12-20: the weekend days of two weeks back, without the make-up Saturday.
        let b = basis(date(2026, 12, 20), 2, &t, &[]);
        assert_eq!(b.rule, BasisRule::Weekend);
        assert_eq!(
            b.days,
            vec![date(2026, 12, 6), date(2026, 12, 13), date(2026, 12, 19)]
        );
        // A holiday: the holidays of the year before.
        let mut t2 = t.clone();
        t2.holidays.insert(date(2027, 1, 1));
        let b = basis(date(2027, 1, 1), 8, &t2, &[]);
        assert_eq!(b.rule, BasisRule::Holidays);
        assert_eq!(
            b.days,
            vec![date(2026, 10, 1), date(2026, 10, 2), date(2026, 11, 30)]
        );
    }

    #[test]
    fn promotion_days_multiply_or_follow_a_day_like_them() {
        let history = vec![
            day(date(2026, 11, 4), Channel::Chat, &[(20, 10)]),
            day(date(2025, 11, 11), Channel::Chat, &[(20, 90), (21, 45)]),
        ];
        // 2026-11-11 is a Wednesday; one week back is 11-04.
        let by_factor = [PromotionDay {
            date: date(2026, 11, 11),
            name: "双十一".into(),
            multiplier: Some(2.5),
            like_date: None,
        }];
        let f = forecast(
            date(2026, 11, 11),
            basis(date(2026, 11, 11), 1, &types(), &by_factor),
            &history,
        );
        assert_eq!(f.basis.rule, BasisRule::Weekday);
        assert_eq!(f.channels[0].slots[20], 25.0);
        let like = [PromotionDay {
            like_date: Some(date(2025, 11, 11)),
            multiplier: Some(1.2),
            ..by_factor[0].clone()
        }];
        let f = forecast(
            date(2026, 11, 11),
            basis(date(2026, 11, 11), 1, &types(), &like),
            &history,
        );
        assert_eq!(f.basis.rule, BasisRule::LikeDate);
        assert_eq!(f.basis.days, vec![date(2025, 11, 11)]);
        assert_eq!(round(f.channels[0].slots[20], 6), 108.0);
        assert_eq!(round(f.channels[0].slots[21], 6), 54.0);
    }

    #[test]
    fn promotion_days_are_checked() {
        let p = PromotionDay {
            date: date(2026, 11, 11),
            name: " 双十一 ".into(),
            multiplier: Some(3.0),
            like_date: None,
        };
        assert_eq!(p.clone().checked().unwrap().name, "双十一");
        let bad = |p: PromotionDay| match p.checked() {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            bad(PromotionDay {
                multiplier: Some(0.0),
                ..p.clone()
            }),
            "multiplier"
        );
        assert_eq!(
            bad(PromotionDay {
                multiplier: None,
                like_date: None,
                ..p.clone()
            }),
            "multiplier"
        );
        assert_eq!(
            bad(PromotionDay {
                like_date: Some(date(2026, 11, 12)),
                ..p.clone()
            }),
            "like_date"
        );
        assert_eq!(
            bad(PromotionDay {
                name: "  ".into(),
                ..p
            }),
            "name"
        );
    }

    #[test]
    fn local_half_hours_from_utc_counts_and_calls_before_phone_cases() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let cases = vec![
            // 01:30 UTC is 09:30 in Shanghai: slot 19.
            ArrivalCount {
                channel: Channel::Email,
                start: at("2026-12-07T01:30:00Z"),
                count: 4,
            },
            // 16:00 UTC on the 6th is midnight of the 7th: slot 0.
            ArrivalCount {
                channel: Channel::Email,
                start: at("2026-12-06T16:00:00Z"),
                count: 1,
            },
            ArrivalCount {
                channel: Channel::Phone,
                start: at("2026-12-07T01:30:00Z"),
                count: 2,
            },
        ];
        let calls = vec![ArrivalCount {
            channel: Channel::Phone,
            start: at("2026-12-07T01:00:00Z"),
            count: 7,
        }];
        let days = arrivals_by_day(&cases, &calls, &tz);
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].channel, Channel::Phone);
        assert_eq!(days[0].slots[18], 7);
        assert_eq!(days[0].total(), 7);
        assert_eq!(days[1].channel, Channel::Email);
        assert_eq!((days[1].slots[0], days[1].slots[19]), (1, 4));
        // Without calls the phone cases count.
        let days = arrivals_by_day(&cases, &[], &tz);
        assert_eq!(days[0].slots[19], 2);
        assert_eq!(slot_label(19), "09:30");
    }

    /// Erlang C against values worked out by hand from the closed form
    /// `C = (Aᴺ/N!)·N/(N−A) ÷ (Σₖ<ₙ Aᵏ/k! + (Aᴺ/N!)·N/(N−A))`.
    #[test]
    fn erlang_c_published_vectors() {
        // A = 2, N = 3: (8/6·3) / (1 + 2 + 2 + 4) = 4/9; ASA = 4/9·180/(3−2) = 80 s;
        // SL(20 s) = 1 − 4/9·e^(−1·20/180) = 0.6023.
        assert_eq!(round(erlang::p_wait(3, 2.0), 6), round(4.0 / 9.0, 6));
        assert_eq!(round(erlang::asa(3, 2.0, 180.0), 6), 80.0);
        assert_eq!(round(erlang::service_level(3, 2.0, 180.0, 20.0), 4), 0.6023);
        // A = 1, N = 2: (1/2·2) / (1 + 1 + 1) = 1/3.
        assert_eq!(round(erlang::p_wait(2, 1.0), 6), round(1.0 / 3.0, 6));
        // The DOMAIN-NOTES vector: 100 calls in 30 min at 180 s is 10 erlangs; 14 agents.
        assert_eq!(round(erlang::p_wait(14, 10.0), 4), 0.1741);
        assert_eq!(
            round(erlang::service_level(14, 10.0, 180.0, 20.0), 4),
            0.8884
        );
    }

    #[test]
    fn agents_needed_by_mode_with_shrinkage() {
        let s = settings();
        let phone = s.rule(Channel::Phone);
        // 100 calls, 180 s: 14 at work for 80/20; ⌈14 ÷ 0.7⌉ = 20 scheduled.
        assert_eq!(needed_base(&phone, &s, 100.0), 14);
        assert_eq!(with_shrinkage(14, &s), 20);
        // Chat, two at once at 360 s: 100 chats are 20 erlangs of chat, 10 of agents with a
        // 180 s handling time each: the same 14.
        let chat = ChannelRule {
            channel: Channel::Chat,
            mode: Mode::Chat,
            aht_secs: 360.0,
            concurrency: 2,
        };
        assert_eq!(needed_base(&chat, &s, 100.0), 14);
        // E-mail: 30 × 600 s ÷ 1800 s = 10 agents busy, ÷ 0.85 occupancy = 11.76 → 12;
        // ⌈12 ÷ 0.7⌉ = ⌈17.14⌉ = 18.
        let mail = s.rule(Channel::Email);
        assert_eq!(needed_base(&mail, &s, 30.0), 12);
        assert_eq!(with_shrinkage(12, &s), 18);
        // Exactly divisible: 7 ÷ 0.7 = 10.
        assert_eq!(with_shrinkage(7, &s), 10);
        assert_eq!(at_work(20, &s), 14);
        assert_eq!(needed_base(&phone, &s, 0.0), 0);
        // The planned 20 give 14 at work: 88.84 %.
        let sl = expected_service_level(&phone, &s, 100.0, 20).unwrap();
        assert_eq!(round(sl, 4), 0.8884);
        assert_eq!(expected_service_level(&mail, &s, 30.0, 18), None);
    }

    #[test]
    fn compare_lines_up_needed_and_planned() {
        let s = settings();
        let b = basis(date(2026, 12, 14), 1, &types(), &[]);
        let history = vec![day(date(2026, 12, 7), Channel::Phone, &[(18, 100)])];
        let f = forecast(date(2026, 12, 14), b, &history);
        let mut slots = vec![0; SLOTS];
        slots[18] = 17;
        slots[19] = 2;
        let plan = [ScheduleDay {
            day: date(2026, 12, 14),
            channel: Channel::Phone,
            slots,
            updated_by: "user:sup".into(),
            updated_at: Timestamp::UNIX_EPOCH,
        }];
        let c = compare(&f, &s, &plan);
        assert_eq!(c.len(), 1);
        let s18 = &c[0].slots[18];
        assert_eq!(
            (s18.base, s18.needed, s18.planned, s18.gap),
            (14, 20, 17, -3)
        );
        // 17 planned: ⌊11.9⌋ = 11 at work for 10 erlangs: P(wait) high, SL low.
        let sl = s18.service_level.unwrap();
        assert!(sl < 0.8 && sl > 0.0);
        let s19 = &c[0].slots[19];
        assert_eq!((s19.needed, s19.gap, s19.service_level), (0, 2, Some(1.0)));
        assert_eq!(c[0].shortfalls(), 1);
    }

    #[test]
    fn settings_and_slots_are_checked() {
        let field = |r: Result<StaffingSettings, DomainError>| match r {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert!(settings().checked().is_ok());
        assert_eq!(
            field(
                StaffingSettings {
                    service_level: 100.0,
                    ..settings()
                }
                .checked()
            ),
            "service_level"
        );
        let mut s = settings();
        s.channels[0].aht_secs = 0.0;
        assert_eq!(field(s.checked()), "channels[0].aht_secs");
        let mut s = settings();
        s.channels[1].channel = Channel::Phone;
        assert_eq!(field(s.checked()), "channels[1].channel");
        assert!(checked_slots(&[1; 48]).is_ok());
        assert!(
            matches!(checked_slots(&[1; 47]), Err(DomainError::Invalid { field, .. }) if field == "slots")
        );
        let mut raw = [0i64; 48];
        raw[5] = -1;
        assert!(
            matches!(checked_slots(&raw), Err(DomainError::Invalid { field, .. }) if field == "slots[5]")
        );
    }
}
