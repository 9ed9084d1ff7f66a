//! The agent console's queues: named, role-aware case lists and their live counts, and the
//! department inbox.

use jiff::SignedDuration;
use kefu_model::case::Case;
use kefu_model::queues::{AT_RISK_MINUTES, DepartmentInbox, Queue, QueueFilter};
use kefu_model::records::{CaseQuery, Page};
use kefu_model::user::Actor;

use crate::desk::{Desk, DeskResult};

impl Desk {
    fn queue_query(&self, actor: &Actor, queue: Queue, filter: &QueueFilter) -> CaseQuery {
        let mut q = CaseQuery {
            status: filter.status,
            priority: filter.priority,
            category: filter.category,
            open_only: filter.status.is_none(),
            sort: filter.sort,
            ..CaseQuery::default()
        };
        match queue {
            Queue::Mine => q.assignee = Some(actor.user_id.clone()),
            Queue::Unassigned => q.unassigned = true,
            Queue::Department => {
                // Nobody without a department has a department queue: match nothing.
                q.department = Some(actor.department_id.clone().unwrap_or_else(|| {
                    kefu_model::ids::DepartmentId::from_stored(String::from("-"))
                }));
            }
            Queue::AtRisk => {
                q.clock_due_before = Some(
                    self.now()
                        .saturating_add(SignedDuration::from_mins(AT_RISK_MINUTES))
                        .unwrap_or(self.now()),
                );
            }
            Queue::Promises => q.open_promises = true,
            Queue::All => {}
        }
        q
    }

    /// One page of a queue, newest first.
    pub async fn queue(
        &self,
        actor: &Actor,
        queue: Queue,
        filter: &QueueFilter,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> DeskResult<Page<Case>> {
        let query = self.queue_query(actor, queue, filter);
        self.list_cases(actor, query, cursor, limit).await
    }

    /// How many open cases each queue holds for this actor.
    pub async fn queue_counts(&self, actor: &Actor) -> DeskResult<Vec<(Queue, i64)>> {
        let mut out = Vec::with_capacity(Queue::ALL.len());
        for &queue in Queue::ALL {
            let mut query = self.queue_query(actor, queue, &QueueFilter::default());
            if !actor.sees_all_cases() {
                query.department = actor.department_id.clone();
                if query.department.is_none() {
                    out.push((queue, 0));
                    continue;
                }
            }
            out.push((queue, self.store.count_cases(&query).await?));
        }
        Ok(out)
    }
}

impl Desk {
    /// The open cases transferred to a department (by key or id; default: the viewer's own),
    /// sorted by the department's deadline. Department staff see only their own department.
    pub async fn department_inbox(
        &self,
        actor: &Actor,
        department: Option<&str>,
        limit: Option<u32>,
    ) -> DeskResult<DepartmentInbox> {
        let all = self.store.list_departments().await?;
        let wanted = department.map(str::trim).filter(|d| !d.is_empty());
        let chosen = match wanted {
            Some(d) => Some(
                all.iter()
                    .find(|x| x.key == d || x.id.as_str() == d)
                    .cloned()
                    .ok_or_else(|| {
                        kefu_model::error::DomainError::invalid("department", "no such department")
                    })?,
            ),
            None => actor
                .department_id
                .as_ref()
                .and_then(|id| all.iter().find(|x| &x.id == id).cloned()),
        };
        if !actor.sees_all_cases() {
            let own = actor.department_id.as_ref();
            if chosen.as_ref().map(|d| &d.id) != own || own.is_none() {
                return Err(kefu_model::error::DomainError::Forbidden(
                    "department staff see only their own department".into(),
                ));
            }
        }
        let query = CaseQuery {
            department: chosen.as_ref().map(|d| d.id.clone()),
            transferred: true,
            open_only: true,
            sort: kefu_model::records::CaseSort::DepartmentDue,
            ..CaseQuery::default()
        };
        let cases = self.list_cases(actor, query, None, limit).await?.items;
        let departments = if actor.sees_all_cases() {
            all
        } else {
            chosen.iter().cloned().collect()
        };
        Ok(DepartmentInbox {
            department: chosen,
            departments,
            cases,
        })
    }
}
