//! Scheduled reports: the key-figures report of the period just ended, mailed as a spreadsheet
//! (R-MG-2). The rules are `kefu_model::report_schedule`; a node's worker claims what is due,
//! has the report read as the schedule's owner would read it, turns it into a file (the web
//! crate's spreadsheet writers), sends it through a mailbox and records the outcome here.
//!
//! Who may: admins, supervisors and agents set up schedules of the figures they may read; each
//! sees and changes their own, admins every one.

use jiff::SignedDuration;
use kefu_mail::{
    MailAddress, MailMessageId, OutboundAttachment, OutboundKind, OutboundMail, ReplyThreading,
    build_outbound,
};
use kefu_model::channels::ChannelKind;
use kefu_model::error::DomainError;
use kefu_model::ids::ReportScheduleId;
use kefu_model::report_schedule::{
    ReportSchedule, ReportScheduleDraft, after_attempt, check_draft, granularity_of, next_run,
    period_of,
};
use kefu_model::user::{Actor, Role};

use crate::channels::OutgoingMail;
use crate::desk::{Desk, DeskResult, require};
use crate::figures::KpiReport;

/// How long a node holds a due schedule it claimed before another may take it.
const REPORT_LEASE_SECONDS: i64 = 600;

/// Whether a role may schedule reports (of the figures it may read).
pub fn may_schedule_reports(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Supervisor | Role::Agent)
}

/// A file made of a run's report, to attach.
pub struct ReportFile {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Desk {
    /// The actor's schedules (an admin's: every one), oldest first.
    pub async fn report_schedules(&self, actor: &Actor) -> DeskResult<Vec<ReportSchedule>> {
        require(
            may_schedule_reports(actor.role),
            "scheduled reports are for the service centre's staff",
        )?;
        let owner = (actor.role != Role::Admin).then_some(&actor.user_id);
        Ok(self.store.report_schedules(owner).await?)
    }

    /// One schedule the actor may see (`not_found` otherwise).
    pub async fn report_schedule(
        &self,
        actor: &Actor,
        id: &ReportScheduleId,
    ) -> DeskResult<ReportSchedule> {
        require(
            may_schedule_reports(actor.role),
            "scheduled reports are for the service centre's staff",
        )?;
        match self.store.report_schedule(id).await? {
            Some(s) if actor.role == Role::Admin || s.owner == actor.user_id => Ok(s),
            _ => Err(DomainError::NotFound("report schedule".into())),
        }
    }

    /// A new schedule owned by the actor, first run at its next scheduled time.
    pub async fn create_report_schedule(
        &self,
        actor: &Actor,
        draft: &ReportScheduleDraft,
    ) -> DeskResult<ReportSchedule> {
        require(
            may_schedule_reports(actor.role),
            "scheduled reports are for the service centre's staff",
        )?;
        let (name, recipients, by, frequency, hour, format) = check_draft(draft)?;
        self.check_figure_dimension(actor, by).await?;
        let now = self.now();
        let first = next_run(frequency, hour, now, &self.time_zone)?;
        let schedule = ReportSchedule {
            id: ReportScheduleId::new(now),
            name,
            owner: actor.user_id.clone(),
            recipients,
            by,
            frequency,
            hour,
            format,
            active: draft.active,
            next_run_at: first,
            run_at: first,
            attempts: 0,
            last_run: None,
            created_at: now,
            updated_at: now,
        };
        self.store.put_report_schedule(&schedule).await?;
        Ok(schedule)
    }

    /// Changes a schedule; its next run is computed again from the new timing.
    pub async fn change_report_schedule(
        &self,
        actor: &Actor,
        id: &ReportScheduleId,
        draft: &ReportScheduleDraft,
    ) -> DeskResult<ReportSchedule> {
        let current = self.report_schedule(actor, id).await?;
        let (name, recipients, by, frequency, hour, format) = check_draft(draft)?;
        if let Some(owner) = self.store.user_by_id(&current.owner).await? {
            self.check_figure_dimension(&Actor::of(&owner), by).await?;
        }
        let now = self.now();
        let next = next_run(frequency, hour, now, &self.time_zone)?;
        let schedule = ReportSchedule {
            name,
            recipients,
            by,
            frequency,
            hour,
            format,
            active: draft.active,
            next_run_at: next,
            run_at: next,
            attempts: 0,
            updated_at: now,
            ..current
        };
        self.store.put_report_schedule(&schedule).await?;
        Ok(schedule)
    }

    pub async fn delete_report_schedule(
        &self,
        actor: &Actor,
        id: &ReportScheduleId,
    ) -> DeskResult<()> {
        self.report_schedule(actor, id).await?;
        self.store.delete_report_schedule(id).await?;
        Ok(())
    }

    /// Sends the report now, covering the period that ended today (yesterday, last week, last
    /// month); then the schedule goes on as before.
    pub async fn send_report_now(
        &self,
        actor: &Actor,
        id: &ReportScheduleId,
    ) -> DeskResult<ReportSchedule> {
        let current = self.report_schedule(actor, id).await?;
        if !current.active {
            return Err(DomainError::conflict(
                "schedule_paused",
                "the schedule is paused; resume it to send",
            ));
        }
        let now = self.now();
        let schedule = ReportSchedule {
            next_run_at: now,
            run_at: now,
            attempts: 0,
            updated_at: now,
            ..current
        };
        self.store.put_report_schedule(&schedule).await?;
        Ok(schedule)
    }

    /// Schedules due now, leased to this node for a while.
    pub async fn claim_due_reports(&self, limit: u32) -> DeskResult<Vec<ReportSchedule>> {
        let now = self.now();
        let lease = now
            .checked_add(SignedDuration::from_secs(REPORT_LEASE_SECONDS))
            .unwrap_or(now);
        Ok(self.store.claim_report_schedules(now, lease, limit).await?)
    }

    /// A run's report: the period that ended on the run's day, read as the owner reads it (an
    /// owner who left, or who may no longer read those figures, gets no report).
    pub async fn scheduled_report(&self, schedule: &ReportSchedule) -> DeskResult<KpiReport> {
        let owner = self
            .store
            .user_by_id(&schedule.owner)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| DomainError::Forbidden("the schedule's owner is not active".into()))?;
        let (from, to) = period_of(schedule.frequency, schedule.run_at, &self.time_zone);
        self.kpi_report(
            &Actor::of(&owner),
            schedule.by,
            from,
            to,
            granularity_of(schedule.frequency),
        )
        .await
    }

    /// The mail of a run: a few lines of the whole scope's figures and the file attached, from
    /// the first enabled mailbox that sends.
    pub async fn report_mail(
        &self,
        schedule: &ReportSchedule,
        report: &KpiReport,
        file: ReportFile,
    ) -> Result<OutgoingMail, String> {
        let accounts = self
            .store
            .channel_accounts()
            .await
            .map_err(|e| e.to_string())?;
        let (account, email) = accounts
            .iter()
            .filter(|(a, _)| a.enabled && a.kind() == ChannelKind::Email)
            .find_map(|(a, _)| {
                a.email()
                    .filter(|e| !e.smtp_host.is_empty())
                    .map(|e| (a, e.clone()))
            })
            .ok_or("no enabled mailbox to send the report from")?;
        let server = self.smtp_server(account).await?;
        let now = self.now();
        let sender = email.address.as_str().to_string();
        let domain = sender.rsplit_once('@').map_or("localhost", |(_, d)| d);
        let last_day = report.to.yesterday().unwrap_or(report.to);
        let t = &report.total;
        let pct = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"));
        let text = format!(
            "{name}：{first_day} 至 {last_day} 的绩效指标见附件。\n\
             {name}: the key figures of {first_day} to {last_day} are attached.\n\n\
             工单 cases: {cases}\n已解决 resolved: {resolved}\n\
             SLA 达成率 attainment: {sla}\n满意度 satisfaction: {csat}\n\
             投诉 complaints: {complaints}\n未结 open: {open}\n",
            name = schedule.name,
            first_day = report.from,
            cases = t.tally.cases,
            resolved = t.tally.resolved,
            sla = pct(t.sla_attainment_pct()),
            csat = pct(t.satisfaction_pct()),
            complaints = t.tally.complaints,
            open = t.tally.open,
        );
        let mail = OutboundMail {
            kind: OutboundKind::AutomaticNotice,
            message_id: MailMessageId::generate(domain, now).map_err(|e| e.to_string())?,
            date: now,
            from: MailAddress::new(
                &sender,
                Some(email.display_name.as_str()).filter(|n| !n.is_empty()),
            ),
            reply_to: None,
            to: schedule
                .recipients
                .iter()
                .map(|r| MailAddress::new(r, None))
                .collect(),
            cc: Vec::new(),
            subject: format!("{} {} – {}", schedule.name, report.from, last_day),
            threading: ReplyThreading {
                in_reply_to: None,
                references: Vec::new(),
            },
            text,
            html: None,
            signature: None,
            attachments: vec![OutboundAttachment {
                content_type: file.content_type,
                file_name: file.file_name,
                bytes: file.bytes,
            }],
        };
        let raw = build_outbound(&mail).map_err(|e| e.to_string())?;
        Ok(OutgoingMail {
            raw,
            envelope_from: sender,
            envelope_to: schedule.recipients.clone(),
            server,
        })
    }

    /// Records a run's outcome (`error` is `None` when it was sent): the next scheduled run,
    /// or a retry of this one.
    pub async fn finish_report_run(
        &self,
        schedule: &ReportSchedule,
        error: Option<String>,
    ) -> DeskResult<ReportSchedule> {
        // The schedule may have been changed or removed while it ran: record on what is stored.
        let Some(current) = self.store.report_schedule(&schedule.id).await? else {
            return Ok(schedule.clone());
        };
        let done = after_attempt(schedule, self.now(), error, &self.time_zone)?;
        // Changed meanwhile: its new timing stands and only the run is recorded.
        let next = if current.updated_at == schedule.updated_at {
            done
        } else {
            ReportSchedule {
                last_run: done.last_run,
                ..current
            }
        };
        self.store.put_report_schedule(&next).await?;
        Ok(next)
    }
}
