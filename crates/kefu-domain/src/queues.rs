//! The agent console's queues: named, role-aware case lists and their live counts.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use crate::Desk;
use crate::case::{Case, Category, Priority, Status, string_enum};
use crate::desk::DeskResult;
use crate::store::{CaseQuery, Page};
use crate::user::Actor;

string_enum!(
    Queue {
        Mine => "mine", Unassigned => "unassigned", Department => "department",
        AtRisk => "at_risk", Promises => "promises", All => "all",
    }
);

/// A clock due within this much is "breaching soon" (already breached ones stay in the queue
/// until the clock stops).
pub const AT_RISK_MINUTES: i64 = 30;

/// Narrowing within a queue.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct QueueFilter {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub category: Option<Category>,
    #[serde(default)]
    pub sort: crate::store::CaseSort,
}

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
                q.department =
                    Some(actor.department_id.clone().unwrap_or_else(|| {
                        crate::ids::DepartmentId::from_stored(String::from("-"))
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
