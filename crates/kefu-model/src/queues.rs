//! The agent console's queues: their names, the at-risk window, a queue's filter and the
//! department inbox. The use cases are `kefu_desk::queues`.

use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::codes::{Category, Priority, Status};
use crate::string_enum::string_enum;

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
    pub sort: crate::records::CaseSort,
}

/// Cases with a department, earliest deadline first (R-CASE-5, R-SP-4).
#[derive(Debug, Clone)]
pub struct DepartmentInbox {
    /// The department shown; `None` is every department (for those who see all cases).
    pub department: Option<crate::user::Department>,
    /// What the viewer may choose from (department staff: only their own).
    pub departments: Vec<crate::user::Department>,
    pub cases: Vec<Case>,
}

impl DepartmentInbox {
    /// Overdue: the deadline passed (recorded or not yet noticed by the timer).
    pub fn overdue(case: &Case, now: jiff::Timestamp) -> bool {
        case.department_overdue || case.department_due_at.is_some_and(|d| d < now)
    }
}
