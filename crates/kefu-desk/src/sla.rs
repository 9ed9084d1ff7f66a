//! Calendars and SLA policies (installed, edited, cached), the timers that fire due clocks,
//! promises to customers and escalation. The planning is `kefu_model::sla`.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_model::calendar::{self, Calendar, CalendarSpec};
use kefu_model::case::{Case, EventData};
use kefu_model::codes::Status;
use kefu_model::drafts::{
    CalendarAdd, CalendarDue, CommitmentDraft, REMINDER_MINUTES, closed_error,
};
use kefu_model::error::DomainError;
use kefu_model::ids::MessageId;
use kefu_model::sla::{self, SlaConfig, SlaPolicy};
use kefu_model::sla_clock::{ClockKind, ClockState};
use kefu_model::text::{check_key, text};
use kefu_model::user::{Actor, Role};

use crate::desk::{Desk, DeskResult, SLA_CACHE_SECONDS, require, system_actor, truncate_to_millis};

impl Desk {
    /// Stores the built-in calendars that are missing (a user's edits are kept).
    pub async fn install_builtin_calendars(&self) -> DeskResult<()> {
        for (key, spec) in calendar::builtin_calendars() {
            self.store
                .put_calendar(key, &spec, self.now(), true, None)
                .await?;
        }
        Ok(())
    }

    pub async fn put_calendar(
        &self,
        actor: &Actor,
        key: &str,
        spec: CalendarSpec,
    ) -> DeskResult<CalendarSpec> {
        require(
            matches!(actor.role, Role::Admin | Role::Supervisor),
            "only admins and supervisors edit calendars",
        )?;
        check_key("key", key)?;
        Calendar::parse(&spec)?;
        let editor = self.editor(actor);
        self.store
            .put_calendar(key, &spec, editor.at, false, Some(&editor))
            .await?;
        Ok(spec)
    }

    pub async fn get_calendar(&self, key: &str) -> DeskResult<CalendarSpec> {
        self.store
            .calendar(key)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("calendar {key}")))
    }

    pub async fn list_calendars(&self) -> DeskResult<Vec<(String, CalendarSpec)>> {
        Ok(self.store.list_calendars().await?)
    }

    /// Due time after `minutes` of open time or `working_days` working days from `from`, with
    /// warnings when the dates fall in years whose holidays the calendar does not know.
    pub async fn calendar_add(&self, key: &str, request: CalendarAdd) -> DeskResult<CalendarDue> {
        let spec = self.get_calendar(key).await?;
        let cal = Calendar::parse(&spec)?;
        let due = match (request.minutes, request.working_days) {
            (Some(m), None) => cal.add_minutes(request.from, m)?,
            (None, Some(d)) => cal.add_working_days(request.from, d)?,
            _ => {
                return Err(DomainError::invalid(
                    "minutes",
                    "give exactly one of minutes or working_days",
                ));
            }
        };
        Ok(CalendarDue {
            warnings: cal.coverage_warnings(request.from, due),
            due,
        })
    }

    // ---- SLA policies and clocks -------------------------------------------------------------

    /// Stores the shipped SLA policies that are missing (a user's edits are kept).
    pub async fn install_default_policies(&self) -> DeskResult<()> {
        for (key, policy) in sla::default_policies() {
            self.store.put_sla_policy(key, &policy, true, None).await?;
        }
        self.forget_sla_config();
        Ok(())
    }

    pub async fn put_sla_policy(
        &self,
        actor: &Actor,
        key: &str,
        policy: SlaPolicy,
    ) -> DeskResult<SlaPolicy> {
        require(
            matches!(actor.role, Role::Admin | Role::Supervisor),
            "only admins and supervisors edit SLA policies",
        )?;
        check_key("key", key)?;
        policy.validate()?;
        if self.store.calendar(&policy.calendar).await?.is_none() {
            return Err(DomainError::invalid(
                "calendar",
                format!("no calendar '{}'", policy.calendar),
            ));
        }
        let editor = self.editor(actor);
        self.store
            .put_sla_policy(key, &policy, false, Some(&editor))
            .await?;
        self.forget_sla_config();
        Ok(policy)
    }

    pub async fn list_sla_policies(&self) -> DeskResult<Vec<(String, SlaPolicy)>> {
        Ok(self.store.list_sla_policies().await?)
    }

    pub(crate) fn forget_sla_config(&self) {
        *self.sla_cache.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The policies and their parsed calendars, from a cache refreshed every few seconds.
    pub async fn sla_config(&self) -> DeskResult<Arc<SlaConfig>> {
        let now = self.now();
        let cached = self
            .sla_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some((loaded, config)) = cached
            && loaded <= now
            && now.duration_since(loaded) < SignedDuration::from_secs(SLA_CACHE_SECONDS)
        {
            return Ok(config);
        }
        let policies = self.store.list_sla_policies().await?;
        let mut calendars = std::collections::BTreeMap::new();
        for (key, spec) in self.store.list_calendars().await? {
            // Stored calendars were validated when stored; one that no longer parses (say, a
            // time zone dropped from the database) leaves its policies without clocks.
            if let Ok(cal) = Calendar::parse(&spec) {
                calendars.insert(key, Arc::new(cal));
            }
        }
        let own_format = match self.store.setting("waybill_format").await? {
            // Validated when stored; a document that no longer reads falls back to the default.
            Some(v) => serde_json::from_value(v).unwrap_or_default(),
            None => kefu_model::waybill::OwnFormat::default(),
        };
        let config = Arc::new(SlaConfig {
            policies,
            calendars,
            own_format,
        });
        *self.sla_cache.lock().unwrap_or_else(|p| p.into_inner()) = Some((now, config.clone()));
        Ok(config)
    }

    /// Business time left on each running clock of `case` (negative once overdue).
    pub async fn clock_remaining(&self, case: &Case) -> DeskResult<Vec<(ClockKind, Option<i64>)>> {
        let config = self.sla_config().await?;
        let now = self.now();
        let mut out = Vec::with_capacity(case.sla.len());
        for clock in &case.sla {
            let left = match (clock.state, config.calendars.get(&clock.calendar)) {
                (ClockState::Running, Some(cal)) => clock.due_at.map(|due| {
                    if due >= now {
                        cal.open_time_between(now, due)
                            .map(|d| d.as_secs())
                            .unwrap_or(0)
                    } else {
                        -cal.open_time_between(due, now)
                            .map(|d| d.as_secs())
                            .unwrap_or(0)
                    }
                }),
                (ClockState::Paused, _) => Some(clock.target_secs - clock.consumed_secs),
                _ => None,
            };
            out.push((clock.kind, left));
        }
        Ok(out)
    }

    /// Records a breach on every case whose clock fell due by now; returns how many, and how
    /// many cases could not be updated (they stay due and are tried again). Safe to run on
    /// several nodes at once: a breach is appended with the case's version, so only one node's
    /// append succeeds and the others find the clock already breached.
    pub async fn fire_due_timers(&self, limit: u32) -> DeskResult<usize> {
        let report = self.fire_due_timers_report(limit).await?;
        Ok(report.0)
    }

    /// (breaches recorded, cases that failed, the first failure).
    pub async fn fire_due_timers_report(
        &self,
        limit: u32,
    ) -> DeskResult<(usize, usize, Option<DomainError>)> {
        let now = self.now();
        let system = system_actor();
        let (mut fired, mut failed, mut first_error) = (0, 0, None);
        let due = self.store.due_timers(now, limit).await?;
        // Work orders climb the network's tree: read it once for the batch.
        let ladder = match due.is_empty() {
            true => None,
            false => self.ladder_context().await?,
        };
        for id in due {
            let breached = std::sync::atomic::AtomicUsize::new(0);
            let result = self
                .with_retries(&system, id.as_str(), |case| {
                    let mut events = sla::due_effects(case, now);
                    if let Some(ladder) = &ladder {
                        events.extend(ladder.due_effects(case, now));
                    }
                    let breaches = events
                        .iter()
                        .filter(|e| matches!(e, EventData::SlaBreached { .. }))
                        .count();
                    breached.store(breaches, std::sync::atomic::Ordering::Relaxed);
                    Ok(events)
                })
                .await;
            match result {
                Ok(_) => fired += breached.load(std::sync::atomic::Ordering::Relaxed),
                Err(e) => {
                    failed += 1;
                    first_error.get_or_insert(e);
                }
            }
        }
        Ok((fired, failed, first_error))
    }

    // ---- promises, escalation, notifications -------------------------------------------------

    /// "We will call you back by …": a promise with its own clock (R-CASE-12). The owner is
    /// reminded `REMINDER_MINUTES` before (or at once if that is already past).
    pub async fn make_commitment(
        &self,
        actor: &Actor,
        id_or_number: &str,
        draft: CommitmentDraft,
    ) -> DeskResult<Case> {
        require(actor.can_write_cases(), "this role cannot change cases")?;
        let now = self.now();
        let due_at = truncate_to_millis(draft.due_at);
        if due_at <= now {
            return Err(DomainError::invalid(
                "due_at",
                "a promise is due in the future",
            ));
        }
        let note = text("note", &draft.note, 500, true)?;
        let lead = draft.remind_before_minutes.unwrap_or(REMINDER_MINUTES);
        if !(0..=1440).contains(&lead) {
            return Err(DomainError::invalid(
                "remind_before_minutes",
                "from 0 to 1440",
            ));
        }
        let remind_at = (due_at - SignedDuration::from_mins(lead)).max(now);
        let id = MessageId::new(now).to_string();
        self.with_retries(actor, id_or_number, |case| {
            if case.status == Status::Closed {
                return Err(closed_error());
            }
            Ok(vec![EventData::CommitmentMade {
                id: id.clone(),
                due_at,
                remind_at,
                note: note.clone(),
            }])
        })
        .await
        .map(|(case, _)| case)
    }

    /// One step up the ladder agent → supervisor → manager, with a reason (R-SP-1): raises the
    /// priority and tells the supervisors.
    pub async fn escalate(
        &self,
        actor: &Actor,
        id_or_number: &str,
        reason: &str,
    ) -> DeskResult<Case> {
        require(actor.can_write_cases(), "this role cannot change cases")?;
        let reason = text("reason", reason, 500, true)?;
        self.with_retries(actor, id_or_number, |case| {
            if case.status == Status::Closed {
                return Err(closed_error());
            }
            if case.escalation_level >= MAX_ESCALATION {
                return Err(DomainError::conflict(
                    "top_of_ladder",
                    "the case is already with the manager",
                ));
            }
            let mut events = vec![EventData::Escalated {
                level: case.escalation_level + 1,
                reason: reason.clone(),
            }];
            if case.priority != case.priority.raised() {
                events.push(EventData::PriorityChanged {
                    from: case.priority,
                    to: case.priority.raised(),
                });
            }
            Ok(events)
        })
        .await
        .map(|(case, _)| case)
    }
}

/// agent (0) → supervisor (1) → manager (2).
const MAX_ESCALATION: u8 = 2;
