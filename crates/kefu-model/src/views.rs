//! Read-model records for the console and the API: assignable users and the customer labels a
//! viewer may see. The reads are `kefu_desk::views`.

use crate::ids::UserId;
use crate::user::{Role, User};

/// Someone a case or a chat can be handed to.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignable {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// A case's customer as lists and the case page show them: the name and the first phone,
/// masked (the full number only through the audited reveal).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerLabel {
    pub name: String,
    pub masked_phone: String,
}

impl CustomerLabel {
    /// "张三 138****5678", or whichever part is known.
    pub fn line(&self) -> String {
        format!("{} {}", self.name, self.masked_phone)
            .trim()
            .to_string()
    }
}

impl User {
    /// The one rule for who may be given a case or a chat: active agents, supervisors and
    /// admins. Department staff receive work by transfer to their department, not by name;
    /// readonly, inspector and finance accounts take no cases.
    pub fn may_be_assigned(&self) -> bool {
        self.active && matches!(self.role, Role::Agent | Role::Supervisor | Role::Admin)
    }
}
