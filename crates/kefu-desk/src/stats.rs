//! The supervisor's dashboard, read through the desk: today and the last 7/30 days and the live
//! state of the queues. The arithmetic is `kefu_model::stats`.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp, ToSpan};
use kefu_model::clock::to_millis;
use kefu_model::codes::Channel;
use kefu_model::error::DomainError;
use kefu_model::records::CaseQuery;
use kefu_model::stats::{Dashboard, Live, Named, Series, figures};
use kefu_model::user::{Actor, Role};

use crate::desk::{Desk, DeskResult};

impl Desk {
    /// The supervisor dashboard for today and the last `days` days (1, 7 or 30).
    pub async fn dashboard(&self, actor: &Actor, days: u32) -> DeskResult<Dashboard> {
        if !matches!(actor.role, Role::Admin | Role::Supervisor) {
            return Err(DomainError::Forbidden(
                "the dashboard is for supervisors".into(),
            ));
        }
        if !matches!(days, 1 | 7 | 30) {
            return Err(DomainError::invalid("days", "1, 7 or 30"));
        }
        let now = self.now();
        let today = now
            .to_zoned_datetime(self.time_zone.clone())
            .start_of_day()
            .map_err(|e| DomainError::invalid("time_zone", e.to_string()))?;
        let day_starts: Vec<jiff::ZonedDateTime> = (0..=i64::from(days))
            .rev()
            .map(|back| today.checked_sub(back.days()))
            .collect::<Result<_, _>>()
            .map_err(|e| DomainError::invalid("days", e.to_string()))?;
        // day_starts[0] is the start of the period, the last is today's start.
        let from = day_starts.first().map_or(now, |z| z.timestamp());
        let end = to_millis(now) + 1;
        let rows = self.store.case_figures(from, now).await?;
        let today_start = to_millis(today.timestamp());
        let mut series = Series::default();
        let period_days = &day_starts[day_starts.len() - days as usize..];
        for (i, start) in period_days.iter().enumerate() {
            let a = to_millis(start.timestamp());
            let b = period_days
                .get(i + 1)
                .map_or(end, |z| to_millis(z.timestamp()));
            let f = figures(&rows, a, b);
            series.days.push(start.strftime("%m-%d").to_string());
            series.new.push(f.new);
            series.resolved.push(f.resolved);
        }
        let period_from = period_days
            .first()
            .map_or(today_start, |z| to_millis(z.timestamp()));
        Ok(Dashboard {
            days,
            today: figures(&rows, today_start, end),
            period: figures(&rows, period_from, end),
            series,
            live: self.live(now).await?,
        })
    }

    async fn live(&self, now: Timestamp) -> DeskResult<Live> {
        let open = self.store.open_case_breakdown().await?;
        let departments = self.store.list_departments().await?;
        let users = self.store.list_users().await?;
        let name_of_department = |id: &Option<String>| match id {
            Some(id) => departments
                .iter()
                .find(|d| d.id.as_str() == id)
                .map_or_else(|| id.clone(), |d| d.name.clone()),
            None => "—".to_string(),
        };
        let mut agents: BTreeMap<String, i64> = users
            .iter()
            .filter(|u| u.active && matches!(u.role, Role::Agent | Role::Supervisor))
            .map(|u| (u.display_name.clone(), 0))
            .collect();
        for (id, n) in &open.by_assignee {
            if let Some(u) = id
                .as_ref()
                .and_then(|id| users.iter().find(|u| u.id.as_str() == id))
            {
                *agents.entry(u.display_name.clone()).or_default() += n;
            }
        }
        let at_risk = self
            .store
            .count_cases(&CaseQuery {
                open_only: true,
                clock_due_before: Some(
                    now.saturating_add(SignedDuration::from_mins(
                        kefu_model::queues::AT_RISK_MINUTES,
                    ))
                    .unwrap_or(now),
                ),
                ..CaseQuery::default()
            })
            .await?;
        let mut by_channel: Vec<Named> = Channel::ALL
            .iter()
            .map(|c| Named {
                name: c.as_str().to_string(),
                open: open
                    .by_channel
                    .iter()
                    .find(|(k, _)| k == c.as_str())
                    .map_or(0, |(_, n)| *n),
            })
            .collect();
        by_channel.sort_by(|a, b| b.open.cmp(&a.open).then(a.name.cmp(&b.name)));
        let mut by_department: Vec<Named> = open
            .by_department
            .iter()
            .map(|(id, n)| Named {
                name: name_of_department(id),
                open: *n,
            })
            .collect();
        by_department.sort_by(|a, b| b.open.cmp(&a.open).then(a.name.cmp(&b.name)));
        let mut agents: Vec<Named> = agents
            .into_iter()
            .map(|(name, open)| Named { name, open })
            .collect();
        agents.sort_by(|a, b| b.open.cmp(&a.open).then(a.name.cmp(&b.name)));
        Ok(Live {
            by_channel,
            by_department,
            agents,
            at_risk,
            breached: open.breached,
            escalations: open.escalated,
        })
    }
}
