//! The public portal's account, its inquiry form and the categories a customer may choose. The
//! use cases are `kefu_desk::portal`.

use serde::Deserialize;

use crate::codes::Category;
use crate::ids::UserId;
use crate::user::{Actor, Role};

/// The account the portal acts as.
pub fn portal_actor() -> Actor {
    Actor {
        user_id: UserId::from_stored("portal".into()),
        username: "portal".into(),
        role: Role::Agent,
        department_id: None,
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Inquiry {
    pub name: String,
    pub phone: String,
    /// `inquiry` or `complaint` (or any category a customer may pick).
    pub category: Category,
    #[serde(default)]
    pub waybill_no: String,
    pub message: String,
}

/// Categories a customer may choose on the form.
pub const CUSTOMER_CATEGORIES: &[Category] = &[
    Category::Inquiry,
    Category::Complaint,
    Category::Delay,
    Category::Lost,
    Category::Damaged,
    Category::ChangeDelivery,
    Category::Invoice,
    Category::Suggestion,
];
