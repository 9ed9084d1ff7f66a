//! Staff accounts, departments and what each role may do.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::ids::{DepartmentId, UserId};
use crate::string_enum::string_enum;

string_enum!(
    Role {
        Admin => "admin", Supervisor => "supervisor", Agent => "agent",
        Department => "department", Readonly => "readonly", Finance => "finance",
        OutletManager => "outlet_manager", Courier => "courier", Inspector => "inspector",
    }
);

impl Role {
    /// Staff of one department or network organisation (its staff, its manager, its couriers):
    /// they see only their organisation's work, never the whole desk or its customers.
    pub fn is_department_bound(self) -> bool {
        matches!(self, Role::Department | Role::OutletManager | Role::Courier)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
    /// argon2id PHC string; never leaves the server.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub password_hash: String,
    pub active: bool,
    pub created_at: Timestamp,
}

/// A department or organisation that cases are transferred to (客服部, 运营部, 网点, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Department {
    pub id: DepartmentId,
    /// Stable short code used in the API and config, e.g. `ops`.
    pub key: String,
    pub name: String,
    /// `service`, `operations`, `outlet`, `sorting_center`, `finance`, …
    pub kind: String,
    pub created_at: Timestamp,
}

/// The authenticated principal behind a request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub username: String,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
}

impl Actor {
    pub fn of(user: &User) -> Actor {
        Actor {
            user_id: user.id.clone(),
            username: user.username.clone(),
            role: user.role,
            department_id: user.department_id.clone(),
        }
    }

    /// The name written into events.
    pub fn event_name(&self) -> String {
        if self.user_id.as_str() == "system" {
            "system:sla".to_string()
        } else if self.user_id.as_str() == "chat" {
            // The customer on the other end of a chat.
            "customer:chat".to_string()
        } else if self.user_id.as_str() == "bot" {
            "bot".to_string()
        } else if self.user_id.as_str().starts_with("system:") {
            // kefu's own workers (`system:mail`).
            self.user_id.to_string()
        } else if let Some(channel) = self.user_id.as_str().strip_prefix("channel:") {
            // The customer writing through a channel (`customer:email`).
            format!("customer:{channel}")
        } else {
            format!("user:{}", self.username)
        }
    }

    pub fn can_manage_users(&self) -> bool {
        self.role == Role::Admin
    }

    /// Couriers work their pickups, not cases; observers and quality inspectors (质检员) read
    /// them only.
    pub fn can_write_cases(&self) -> bool {
        !matches!(self.role, Role::Readonly | Role::Inspector | Role::Courier)
    }

    /// Department and network staff see only what was transferred to their organisation.
    pub fn sees_all_cases(&self) -> bool {
        !self.role.is_department_bound()
    }

    pub fn can_see_case(&self, case: &Case) -> bool {
        self.sees_all_cases()
            || (self.role != Role::Courier
                && self.department_id.is_some()
                && case.department == self.department_id)
    }

    /// Department staff may answer and hand back, but not re-route or re-grade a case.
    pub fn can_route_cases(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Supervisor | Role::Agent)
    }

    pub fn can_see_customers(&self) -> bool {
        !self.role.is_department_bound()
    }

    /// Who may see a customer's or a parcel's contacts in full, each time recorded in the audit
    /// log (R-SEC-1): the staff who call customers back or pay them — admins, supervisors,
    /// agents and finance. Read-only observers, inspectors and department staff never do.
    pub fn can_reveal_contacts(&self) -> bool {
        matches!(
            self.role,
            Role::Admin | Role::Supervisor | Role::Agent | Role::Finance
        )
    }

    /// Who may book pickups and, since a quote is the first step of a booking, ask for quotes:
    /// everyone who may write (finance answers freight questions, department staff book
    /// collections for the cases they work); read-only observers may not.
    pub fn can_book_pickups(&self) -> bool {
        self.can_write_cases()
    }
}
