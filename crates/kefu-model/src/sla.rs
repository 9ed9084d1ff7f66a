//! Service-level policies and the clocks they put on a case (R-CH-1..3, R-CASE-11, R-MG-1).
//!
//! A policy matches cases by channel, category, priority and customer grade, and promises targets
//! for some clocks (first response, next response, resolution). Every matching policy's promise
//! holds: each clock follows the matching policy that sets it with the earliest due time (ties by
//! `order`), so a chat complaint is answered at the chat's pace and still resolved by the
//! complaint deadline if that is sooner. A policy without conditions is the fallback, used for a
//! clock only when no policy with conditions sets it. A clock runs in business time of its
//! policy's calendar, pauses in the policy's `pause_in` states, and ends `met` or `breached`. Every start, pause, resume, retarget, met and
//! breach is an event; the clocks on the case are the fold of those events, and the store keeps
//! one timer per running clock so a breach is noticed when it falls due.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::{Case, CommitmentState, EventData};
use crate::codes::{Category, Channel, Priority, Status};
use crate::error::DomainError;
use crate::sla_clock::{ClockChange, ClockKind, ClockState};
use crate::string_enum::string_enum;

/// Which cases a policy applies to; an absent list matches everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyMatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Vec<Channel>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Vec<Category>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Vec<Priority>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_grade: Option<Vec<u8>>,
}

/// Targets in business minutes of the policy's calendar (fractions allowed: 0.5 is 30 s), or
/// for resolution in working days.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_minutes: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_response_minutes: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_minutes: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_working_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicy {
    pub name: String,
    pub order: i64,
    #[serde(default, rename = "match")]
    pub matches: PolicyMatch,
    pub calendar: String,
    pub targets: Targets,
    #[serde(default = "default_pause_in")]
    pub pause_in: Vec<Status>,
    /// What happens as a clock runs down: at a share of its target, or at the breach.
    #[serde(default)]
    pub escalations: Vec<EscalationStep>,
}

string_enum!(
    /// What an escalation step does.
    StepAction {
        NotifyAssignee => "notify_assignee", NotifySupervisor => "notify_supervisor",
        Escalate => "escalate", RaisePriority => "raise_priority",
    }
);

/// "At 75 % of the first-response target, tell the supervisor"; without `at_percent`, at the
/// breach; without `clock`, for every clock of the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationStep {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_percent: Option<u8>,
    pub action: StepAction,
}

impl EscalationStep {
    /// Does this step fire for `clock` reaching `percent` (`None`: the breach)?
    pub fn fires_at(&self, clock: ClockKind, percent: Option<u8>) -> bool {
        self.clock.is_none_or(|c| c == clock) && self.at_percent == percent
    }
}

fn default_pause_in() -> Vec<Status> {
    vec![Status::PendingCustomer]
}

impl SlaPolicy {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            return Err(DomainError::invalid("name", "1–100 characters"));
        }
        if self
            .escalations
            .iter()
            .any(|s| s.at_percent.is_some_and(|p| !(1..=99).contains(&p)))
        {
            return Err(DomainError::invalid(
                "escalations.at_percent",
                "a share of the target from 1 to 99 (leave it out for the breach)",
            ));
        }
        let t = &self.targets;
        for (field, v) in [
            ("targets.first_response_minutes", t.first_response_minutes),
            ("targets.next_response_minutes", t.next_response_minutes),
            ("targets.resolution_minutes", t.resolution_minutes),
        ] {
            if let Some(m) = v
                && !(m.is_finite() && m > 0.0 && m <= crate::calendar::MAX_MINUTES as f64)
            {
                return Err(DomainError::invalid(field, "a positive number of minutes"));
            }
        }
        if t.resolution_minutes.is_some() && t.resolution_working_days.is_some() {
            return Err(DomainError::invalid(
                "targets.resolution_working_days",
                "give resolution_minutes or resolution_working_days, not both",
            ));
        }
        if let Some(d) = t.resolution_working_days
            && !(1..=crate::calendar::MAX_WORKING_DAYS).contains(&d)
        {
            return Err(DomainError::invalid(
                "targets.resolution_working_days",
                "from 1 to 2000",
            ));
        }
        if let Some(grades) = &self.matches.customer_grade
            && grades.iter().any(|g| !(1..=5).contains(g))
        {
            return Err(DomainError::invalid(
                "match.customer_grade",
                "grades are 1 to 5",
            ));
        }
        if self
            .pause_in
            .iter()
            .any(|s| matches!(s, Status::Resolved | Status::Closed))
        {
            return Err(DomainError::invalid(
                "pause_in",
                "resolved and closed end the clocks; they do not pause them",
            ));
        }
        Ok(())
    }

    pub fn applies_to(&self, case: &Case, grade: u8) -> bool {
        let m = &self.matches;
        m.channel.as_ref().is_none_or(|v| v.contains(&case.channel))
            && m.category
                .as_ref()
                .is_none_or(|v| v.contains(&case.category))
            && m.priority
                .as_ref()
                .is_none_or(|v| v.contains(&case.priority))
            && m.customer_grade.as_ref().is_none_or(|v| v.contains(&grade))
    }
}

/// Policies and parsed calendars, as the planner needs them.
#[derive(Clone, Default)]
pub struct SlaConfig {
    /// Sorted by `order`, then key.
    pub policies: Vec<(String, SlaPolicy)>,
    pub calendars: BTreeMap<String, Arc<Calendar>>,
    /// The operator's own waybill format (the `waybill_format` setting), cached with the rest.
    pub own_format: crate::waybill::OwnFormat,
}

impl SlaConfig {
    /// The policy `kind`'s clock follows on `case` (see the module's rule): among the matching
    /// policies that set a target for `kind` — those with conditions first, the unconditional
    /// fallbacks only if none — the one whose clock, started when the case reached us, would
    /// fall due first; ties go to the lower `order`. Comparing from `received_at` keeps the
    /// choice stable while the case lives. A policy whose calendar is unknown is passed over.
    pub fn policy_for(
        &self,
        case: &Case,
        grade: u8,
        kind: ClockKind,
    ) -> Result<Option<ClockPolicy<'_>>, DomainError> {
        let start = case.received_at;
        for with_conditions in [true, false] {
            let mut best: Option<(Timestamp, ClockPolicy<'_>)> = None;
            for (key, policy) in &self.policies {
                if policy.matches.has_conditions() != with_conditions
                    || !policy.targets.sets(kind)
                    || !policy.applies_to(case, grade)
                {
                    continue;
                }
                let Some(calendar) = self.calendars.get(&policy.calendar) else {
                    continue;
                };
                let candidate = ClockPolicy {
                    key,
                    policy,
                    calendar,
                };
                let Some(target) = candidate.target_secs(kind, start)? else {
                    continue;
                };
                let due = calendar.add_open_time(start, SignedDuration::from_secs(target))?;
                if best.as_ref().is_none_or(|(earliest, _)| due < *earliest) {
                    best = Some((due, candidate));
                }
            }
            if let Some((_, chosen)) = best {
                return Ok(Some(chosen));
            }
        }
        Ok(None)
    }

    /// The policy a clock was started under, if it still exists with its calendar.
    fn policy_named(&self, key: &str) -> Option<ClockPolicy<'_>> {
        let (key, policy) = self.policies.iter().find(|(k, _)| k == key)?;
        let calendar = self.calendars.get(&policy.calendar)?;
        Some(ClockPolicy {
            key,
            policy,
            calendar,
        })
    }
}

impl PolicyMatch {
    /// Does the policy name any condition? One without is the fallback for every case.
    pub fn has_conditions(&self) -> bool {
        self.channel.is_some()
            || self.category.is_some()
            || self.priority.is_some()
            || self.customer_grade.is_some()
    }
}

impl Targets {
    /// Does this policy promise anything for `kind`?
    pub fn sets(&self, kind: ClockKind) -> bool {
        match kind {
            ClockKind::FirstResponse => self.first_response_minutes.is_some(),
            ClockKind::NextResponse => self.next_response_minutes.is_some(),
            ClockKind::Resolution => {
                self.resolution_minutes.is_some() || self.resolution_working_days.is_some()
            }
        }
    }
}

/// A policy chosen for one clock, with its parsed calendar.
#[derive(Clone, Copy)]
pub struct ClockPolicy<'a> {
    pub key: &'a str,
    pub policy: &'a SlaPolicy,
    pub calendar: &'a Calendar,
}

impl ClockPolicy<'_> {
    /// The target of `kind` in business seconds, for a clock starting at `from` (working days
    /// become the business time from `from` to that day's close).
    fn target_secs(&self, kind: ClockKind, from: Timestamp) -> Result<Option<i64>, DomainError> {
        let t = &self.policy.targets;
        Ok(match kind {
            ClockKind::FirstResponse => t.first_response_minutes.map(minutes_to_secs),
            ClockKind::NextResponse => t.next_response_minutes.map(minutes_to_secs),
            ClockKind::Resolution => {
                if let Some(m) = t.resolution_minutes {
                    Some(minutes_to_secs(m))
                } else if let Some(d) = t.resolution_working_days {
                    let due = self.calendar.add_working_days(from, d)?;
                    Some(secs(self.calendar.open_time_between(from, due)?))
                } else {
                    None
                }
            }
        })
    }

    /// A clock of `kind` running from `from` with `consumed` of `target` used.
    fn change(
        &self,
        kind: ClockKind,
        target: i64,
        consumed: i64,
        from: Timestamp,
    ) -> Result<ClockChange, DomainError> {
        let remaining = SignedDuration::from_secs((target - consumed).max(0));
        Ok(ClockChange {
            clock: kind,
            policy: self.key.to_string(),
            calendar: self.policy.calendar.clone(),
            target_secs: target,
            consumed_secs: consumed,
            since: Some(from),
            due_at: Some(self.calendar.add_open_time(from, remaining)?),
            warnings: warning_times(self.policy, self.calendar, kind, target, consumed, from)?,
        })
    }

    /// A new clock of `kind` from `from`, if this policy sets one.
    fn start(&self, kind: ClockKind, from: Timestamp) -> Result<Option<EventData>, DomainError> {
        match self.target_secs(kind, from)? {
            Some(t) => Ok(Some(EventData::SlaStarted(self.change(kind, t, 0, from)?))),
            None => Ok(None),
        }
    }
}

fn secs(d: SignedDuration) -> i64 {
    d.as_secs()
}

fn minutes_to_secs(m: f64) -> i64 {
    (m * 60.0).round() as i64
}

/// The SLA events that follow from `events` having turned `before` into `after` at `now`.
/// `before` is `None` for a new case. Pure: calendars and policies are given. Each clock
/// follows its own policy (`SlaConfig::policy_for`).
pub fn plan(
    before: Option<&Case>,
    after: &Case,
    events: &[EventData],
    grade: u8,
    config: &SlaConfig,
    now: Timestamp,
) -> Result<Vec<EventData>, DomainError> {
    let mut out = Vec::new();
    let chosen = |kind: ClockKind| config.policy_for(after, grade, kind);
    // While the bot answers a chat nobody owes a first reply; that clock starts at the
    // handover (R-CH-2: "the 30-second first-reply clock starts when a person is needed").
    let bot_answers = after.bot.as_ref().is_some_and(|b| b.active);

    let Some(before) = before else {
        // A new case: start its clocks at the moment the customer reached us.
        let start = after.received_at;
        if !bot_answers && let Some(p) = chosen(ClockKind::FirstResponse)? {
            out.extend(p.start(ClockKind::FirstResponse, start)?);
        }
        if let Some(p) = chosen(ClockKind::Resolution)? {
            out.extend(p.start(ClockKind::Resolution, start)?);
        }
        return Ok(out);
    };

    let staff_reply = events.iter().any(|e| e.reaches_customer());
    let customer_wrote = events.iter().any(
        |e| matches!(e, EventData::MessageAdded { author_kind, .. } if author_kind == "customer"),
    );
    let reopened = events
        .iter()
        .any(|e| matches!(e, EventData::Reopened { .. }));
    let resolved = events.iter().any(|e| {
        matches!(
            e,
            EventData::StatusChanged {
                to: Status::Resolved,
                ..
            }
        )
    });
    let regraded = before.category != after.category || before.priority != after.priority;

    for clock in &after.sla {
        let live = matches!(clock.state, ClockState::Running | ClockState::Paused);
        let ends = match clock.kind {
            ClockKind::FirstResponse | ClockKind::NextResponse => staff_reply,
            ClockKind::Resolution => resolved,
        };
        if live && ends {
            // Met if it ends in time; ending after the due time (before the timer said so) is
            // a breach. A clock already breached stays breached.
            if clock.state == ClockState::Paused || clock.due_at.is_none_or(|d| now <= d) {
                out.push(EventData::SlaMet { clock: clock.kind });
            } else {
                out.push(EventData::SlaBreached {
                    clock: clock.kind,
                    due_at: clock.due_at,
                });
            }
            continue;
        }
        let current = chosen(clock.kind)?;
        if clock.kind == ClockKind::Resolution && reopened {
            if let Some(p) = current {
                out.extend(p.start(ClockKind::Resolution, now)?);
            }
            continue;
        }
        if !live {
            continue;
        }
        // The policy the clock follows now; if none sets it any more, the one it started under.
        let Some(p) = current.or_else(|| config.policy_named(&clock.policy)) else {
            continue;
        };
        // Time used so far is counted on the calendar the clock ran under.
        let ran_on = config
            .calendars
            .get(&clock.calendar)
            .map_or(p.calendar, |c| c.as_ref());
        let consumed_so_far = match (clock.state, clock.running_since) {
            (ClockState::Running, Some(since)) => {
                clock.consumed_secs + secs(ran_on.open_time_between(since, now)?)
            }
            _ => clock.consumed_secs,
        };
        // Pauses and resumptions follow the policy the clock runs under.
        let own = config.policy_named(&clock.policy).unwrap_or(p);
        let paused_now = own.policy.pause_in.contains(&after.status);
        let paused_before = own.policy.pause_in.contains(&before.status);
        if paused_now && !paused_before && clock.state == ClockState::Running {
            out.push(EventData::SlaPaused(ClockChange {
                clock: clock.kind,
                policy: clock.policy.clone(),
                calendar: clock.calendar.clone(),
                target_secs: clock.target_secs,
                consumed_secs: consumed_so_far,
                since: None,
                due_at: None,
                warnings: Vec::new(),
            }));
        } else if !paused_now && clock.state == ClockState::Paused {
            out.push(EventData::SlaResumed(own.change(
                clock.kind,
                clock.target_secs,
                clock.consumed_secs,
                now,
            )?));
        } else if regraded
            && clock.state == ClockState::Running
            && clock.policy != p.key
            && let Some(t) = p.target_secs(clock.kind, clock.running_since.unwrap_or(now))?
        {
            out.push(EventData::SlaRetargeted(p.change(
                clock.kind,
                t,
                consumed_so_far,
                now,
            )?));
        }
    }
    let handed_over = events
        .iter()
        .any(|e| matches!(e, EventData::HandedOver { .. }));
    if handed_over
        && !staff_reply
        && after.clock(ClockKind::FirstResponse).is_none()
        && after.status != Status::Closed
        && let Some(p) = chosen(ClockKind::FirstResponse)?
    {
        out.extend(p.start(ClockKind::FirstResponse, now)?);
        return Ok(out);
    }
    if bot_answers {
        return Ok(out);
    }
    // A customer's new message after the first answer asks for a next response.
    let first_done = after
        .clock(ClockKind::FirstResponse)
        .is_none_or(|c| matches!(c.state, ClockState::Met | ClockState::Breached));
    let next_live = after
        .clock(ClockKind::NextResponse)
        .is_some_and(|c| matches!(c.state, ClockState::Running | ClockState::Paused));
    if customer_wrote
        && !staff_reply
        && first_done
        && !next_live
        && after.status != Status::Closed
        && let Some(p) = chosen(ClockKind::NextResponse)?
    {
        out.extend(p.start(ClockKind::NextResponse, now)?);
    }
    Ok(out)
}

/// What falls due at `now`: breaches of clocks still running past their due time, reminders
/// of promises about to fall due, and promises missed.
pub fn due_effects(case: &Case, now: Timestamp) -> Vec<EventData> {
    let breaches = case
        .sla
        .iter()
        .filter(|c| c.state == ClockState::Running && c.due_at.is_some_and(|d| d <= now))
        .map(|c| EventData::SlaBreached {
            clock: c.kind,
            due_at: c.due_at,
        });
    let warnings = case
        .sla
        .iter()
        .filter(|c| c.state == ClockState::Running)
        .flat_map(|c| {
            c.warnings
                .iter()
                .filter(|(_, at)| *at <= now)
                .map(|(percent, _)| EventData::SlaWarning {
                    clock: c.kind,
                    percent: *percent,
                })
        })
        .collect::<Vec<_>>();
    let open = case
        .commitments
        .iter()
        .filter(|c| c.state == CommitmentState::Open);
    let reminders = open
        .clone()
        .filter(|c| !c.reminded && c.remind_at <= now && now < c.due_at)
        .map(|c| EventData::CommitmentReminded { id: c.id.clone() });
    let missed = open
        .filter(|c| c.due_at <= now)
        .map(|c| EventData::CommitmentMissed { id: c.id.clone() });
    let claims_overdue = case
        .claims
        .iter()
        .filter(|c| c.is_open() && !c.overdue && c.step_due_at.is_some_and(|d| d <= now))
        .map(|c| EventData::ClaimOverdue {
            claim_id: c.id.clone(),
            state: c.state,
        });
    let department_overdue = case
        .department
        .as_ref()
        .filter(|_| !case.department_overdue)
        .filter(|_| case.department_due_at.is_some_and(|d| d <= now))
        .map(|d| EventData::DepartmentOverdue {
            department: d.clone(),
        });
    // A poor answer's follow-up that nobody closed in time.
    let follow_up_overdue = case
        .survey
        .as_ref()
        .and_then(|s| s.follow_up.as_ref())
        .filter(|f| f.state == crate::survey::FollowUpState::Open && f.due_at <= now)
        .map(|f| EventData::FollowUpOverdue { due_at: f.due_at });
    warnings
        .into_iter()
        .chain(department_overdue)
        .chain(follow_up_overdue)
        .chain(breaches)
        .chain(reminders)
        .chain(missed)
        .chain(claims_overdue)
        .collect()
}

/// Promises settled by a change: a public staff reply keeps every open promise still in time
/// and misses those already past due (if the timer has not said so yet).
pub fn settle_commitments(after: &Case, events: &[EventData], now: Timestamp) -> Vec<EventData> {
    let answered = events.iter().any(|e| e.reaches_customer());
    if !answered {
        return Vec::new();
    }
    after
        .commitments
        .iter()
        .filter(|c| c.state == CommitmentState::Open)
        .map(|c| {
            if now <= c.due_at {
                EventData::CommitmentKept { id: c.id.clone() }
            } else {
                EventData::CommitmentMissed { id: c.id.clone() }
            }
        })
        .collect()
}

/// The policies kefu ships (order ≥ 100, so a user's own come first), from the seeds.
pub fn default_policies() -> Vec<(&'static str, SlaPolicy)> {
    let policy =
        |name: &str, order: i64, matches: PolicyMatch, calendar: &str, targets: Targets| {
            SlaPolicy {
                name: name.into(),
                order,
                matches,
                calendar: calendar.into(),
                targets,
                pause_in: default_pause_in(),
                escalations: vec![],
            }
        };
    vec![
        (
            "key-accounts",
            policy(
                "重点客户（1–2级）",
                100,
                PolicyMatch {
                    customer_grade: Some(vec![1, 2]),
                    ..PolicyMatch::default()
                },
                "24x7",
                Targets {
                    first_response_minutes: Some(15.0),
                    next_response_minutes: Some(30.0),
                    resolution_minutes: Some(480.0),
                    ..Targets::default()
                },
            ),
        ),
        (
            "regulator-complaints",
            policy(
                "投诉：24小时内答复",
                110,
                PolicyMatch {
                    category: Some(vec![Category::Complaint]),
                    ..PolicyMatch::default()
                },
                "24x7",
                Targets {
                    first_response_minutes: Some(1440.0),
                    next_response_minutes: Some(240.0),
                    resolution_working_days: Some(2),
                    ..Targets::default()
                },
            ),
        ),
        (
            "chat",
            policy(
                "在线客服：30秒首次响应",
                120,
                PolicyMatch {
                    channel: Some(vec![Channel::Chat, Channel::Wechat]),
                    ..PolicyMatch::default()
                },
                "24x7",
                Targets {
                    first_response_minutes: Some(0.5),
                    next_response_minutes: Some(1.0),
                    resolution_minutes: Some(1440.0),
                    ..Targets::default()
                },
            ),
        ),
        (
            "email",
            policy(
                "邮件：2小时内回复",
                130,
                PolicyMatch {
                    channel: Some(vec![Channel::Email]),
                    ..PolicyMatch::default()
                },
                "cn-service",
                Targets {
                    first_response_minutes: Some(120.0),
                    next_response_minutes: Some(120.0),
                    resolution_working_days: Some(2),
                    ..Targets::default()
                },
            ),
        ),
        (
            "phone",
            policy(
                "电话查询：30分钟内答复",
                140,
                PolicyMatch {
                    channel: Some(vec![Channel::Phone]),
                    ..PolicyMatch::default()
                },
                "24x7",
                Targets {
                    first_response_minutes: Some(30.0),
                    next_response_minutes: Some(60.0),
                    resolution_minutes: Some(1440.0),
                    ..Targets::default()
                },
            ),
        ),
        (
            "default",
            policy(
                "其他渠道",
                190,
                PolicyMatch::default(),
                "cn-service",
                Targets {
                    first_response_minutes: Some(240.0),
                    next_response_minutes: Some(240.0),
                    resolution_working_days: Some(2),
                    ..Targets::default()
                },
            ),
        ),
    ]
}

/// When a clock started (or resumed) at `from` with `consumed` of `target` used reaches each
/// share named by the policy's escalation steps for it; shares already passed are left out.
fn warning_times(
    policy: &SlaPolicy,
    cal: &Calendar,
    kind: ClockKind,
    target: i64,
    consumed: i64,
    from: Timestamp,
) -> Result<Vec<(u8, Timestamp)>, DomainError> {
    let mut shares: Vec<u8> = policy
        .escalations
        .iter()
        .filter(|s| s.clock.is_none_or(|c| c == kind))
        .filter_map(|s| s.at_percent)
        .collect();
    shares.sort_unstable();
    shares.dedup();
    let mut out = Vec::with_capacity(shares.len());
    for pct in shares {
        let threshold = target * i64::from(pct) / 100;
        if threshold > consumed {
            let at = cal.add_open_time(from, SignedDuration::from_secs(threshold - consumed))?;
            out.push((pct, at));
        }
    }
    Ok(out)
}

/// The steps of the policy behind `kind`'s clock that fire at `percent` (`None`: the breach).
fn steps_for<'a>(
    case: &Case,
    kind: ClockKind,
    percent: Option<u8>,
    config: &'a SlaConfig,
) -> Vec<&'a EscalationStep> {
    case.clock(kind)
        .and_then(|c| config.policies.iter().find(|(k, _)| *k == c.policy))
        .map(|(_, p)| {
            p.escalations
                .iter()
                .filter(|s| s.fires_at(kind, percent))
                .collect()
        })
        .unwrap_or_default()
}

/// The events escalation steps add when `events` contain warnings or breaches: escalating a
/// level and raising the priority. (Notifications are decided by the desk, which knows users.)
pub fn step_events(case: &Case, events: &[EventData], config: &SlaConfig) -> Vec<EventData> {
    let mut out = Vec::new();
    let mut level = case.escalation_level;
    let mut priority = case.priority;
    for e in events {
        let (kind, percent) = match e {
            EventData::SlaWarning { clock, percent } => (*clock, Some(*percent)),
            EventData::SlaBreached { clock, .. } => (*clock, None),
            _ => continue,
        };
        for step in steps_for(case, kind, percent, config) {
            match step.action {
                StepAction::Escalate if level < 2 => {
                    level += 1;
                    let when = percent.map_or("已超时".to_string(), |p| format!("已用 {p}%"));
                    out.push(EventData::Escalated {
                        level,
                        reason: format!("SLA {kind} {when}"),
                    });
                }
                StepAction::RaisePriority if priority.raised() != priority => {
                    out.push(EventData::PriorityChanged {
                        from: priority,
                        to: priority.raised(),
                    });
                    priority = priority.raised();
                }
                _ => {}
            }
        }
    }
    out
}

/// Whom a warning or breach of `kind` is told to, by the policy's steps: (the assignee, the
/// supervisors). With no step for a breach, the assignee is told.
pub fn step_recipients(
    case: &Case,
    kind: ClockKind,
    percent: Option<u8>,
    config: &SlaConfig,
) -> (bool, bool) {
    let steps = steps_for(case, kind, percent, config);
    if steps.is_empty() {
        return (percent.is_none(), false);
    }
    (
        steps.iter().any(|s| s.action == StepAction::NotifyAssignee),
        steps
            .iter()
            .any(|s| s.action == StepAction::NotifySupervisor),
    )
}
