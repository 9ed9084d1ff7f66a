//! The plain data the stores take and give back: queries, pages, sessions, audit entries,
//! notifications, new cases, outbox entries. The store traits themselves are `kefu_desk::store`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseEvent, EventData};
use crate::codes::{Category, Priority, Status};
use crate::customer::{Customer, CustomerEvent, Phone};
use crate::ids::{CaseId, CustomerId, DepartmentId, UserId};

/// Something a staff member should look at (a breach, a promise falling due, an escalation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub user_id: UserId,
    pub case_id: CaseId,
    pub case_number: String,
    /// The event type that caused it, e.g. `sla_breached`.
    pub kind: String,
    pub text: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token_hash: String,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A record of someone seeing personal data in full (R-SEC-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    pub at: Timestamp,
    /// `user:<name>`.
    pub actor: String,
    /// e.g. `reveal_contacts`.
    pub action: String,
    /// What was revealed, e.g. `customer:<id>`.
    pub subject: String,
    /// Why, when the person said.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// One page of a list, newest first, and the cursor for the next (older) page.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub status: Option<Status>,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub phone: Option<Phone>,
    pub customer_id: Option<CustomerId>,
    pub assignee: Option<UserId>,
    pub department: Option<DepartmentId>,
    /// Only ids strictly older than this one (the previous page's last id).
    pub before: Option<CaseId>,
    pub limit: u32,
    /// Only cases nobody is assigned to.
    pub unassigned: bool,
    /// Only cases not yet resolved or closed.
    pub open_only: bool,
    /// Only cases with a service clock (or a warning) due at or before this time.
    pub clock_due_before: Option<Timestamp>,
    /// Only cases with an open promise to the customer.
    pub open_promises: bool,
    /// Only cases that are with a department (transferred and not handed back).
    pub transferred: bool,
    /// Only cases with a live-chat conversation (not chat-channel cases recorded through the
    /// API or an import, which have none to chat in).
    pub live_chat: bool,
    /// Newest first unless asked otherwise; only newest-first lists page with a cursor (the
    /// others return their first `limit` cases).
    pub sort: CaseSort,
}

/// The order of a case list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSort {
    #[default]
    Newest,
    Oldest,
    /// P1 first, then newest.
    Priority,
    /// The clock or promise that falls due first comes first; cases without one last.
    DueSoonest,
    /// The department's deadline that falls due first comes first (overdue ones at the top);
    /// cases without a deadline last, newest first.
    DepartmentDue,
}

impl CaseSort {
    pub const ALL: &'static [CaseSort] = &[
        CaseSort::Newest,
        CaseSort::Oldest,
        CaseSort::Priority,
        CaseSort::DueSoonest,
        CaseSort::DepartmentDue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseSort::Newest => "newest",
            CaseSort::Oldest => "oldest",
            CaseSort::Priority => "priority",
            CaseSort::DueSoonest => "due_soonest",
            CaseSort::DepartmentDue => "department_due",
        }
    }

    pub fn parse(s: &str) -> Option<CaseSort> {
        CaseSort::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

/// Which canned replies to list: those the caller may see (team ones of their department or
/// for everyone, their own personal ones), not archived, newest change first.
#[derive(Debug, Clone)]
pub struct CannedQuery {
    pub user_id: UserId,
    pub department_id: Option<DepartmentId>,
    /// Lower-cased text that the title, body or a tag contains (taken literally).
    pub text: Option<String>,
    pub scope: Option<crate::canned::TemplateScope>,
    /// `Some(true)`: only macros; `Some(false)`: only plain replies.
    pub macros: Option<bool>,
    pub limit: u32,
}

#[derive(Debug, Clone, Default)]
pub struct CustomerQuery {
    pub phone: Option<Phone>,
    pub email: Option<String>,
    /// Part of the name, matched without regard to case (`张` finds 张三 and 张伟). Taken
    /// literally: `%` and `_` are no wildcards.
    pub name: Option<String>,
    pub before: Option<CustomerId>,
    pub limit: u32,
}

/// A change to customers written as one: an edit (one customer), or a merge (both customers,
/// and the cases that move with a `customer_merged` event each).
#[derive(Debug, Clone, Default)]
pub struct CustomerWrite {
    /// Each new record with the version it replaces.
    pub customers: Vec<(Customer, i64)>,
    /// Their events (the store gives them their `seq`).
    pub events: Vec<CustomerEvent>,
    pub cases: Vec<CaseAppend>,
}

/// Events appended to a case with its new projection, at the version it was read.
#[derive(Debug, Clone)]
pub struct CaseAppend {
    pub projection: Case,
    pub expected_version: i64,
    pub events: Vec<CaseEvent>,
}

/// Who a new case belongs to: a known customer, or one to find by contact or else create.
#[derive(Debug, Clone)]
pub enum CustomerChoice {
    Existing(CustomerId),
    FindOrCreate(Customer),
}

/// A request to create a case, with everything but the parts the store must allocate inside
/// its transaction (the case number and, possibly, the customer).
#[derive(Debug, Clone)]
pub struct NewCase {
    pub id: CaseId,
    pub customer: CustomerChoice,
    /// Builds the `created` event once number and customer are known.
    pub template: CaseEvent,
    /// Events that follow `created` at once (the SLA clocks starting), at the same time, by
    /// `then_actor`.
    pub then: Vec<EventData>,
    pub then_actor: String,
    /// The local date for the case number, `YYYYMMDD`.
    pub number_date: String,
    pub idempotency: Option<IdempotencyKey>,
    /// What the case's row of key figures needs besides the case (`None`: no row).
    pub kpi: Option<crate::kpi::KpiContext>,
}

#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub user_id: UserId,
    pub key: String,
    /// Hash of the request body: the same key with a different body is refused.
    pub request_hash: String,
}

#[derive(Debug, Clone)]
pub struct CreatedCase {
    pub case: Case,
    /// True when an earlier request with the same idempotency key created it.
    pub replayed: bool,
}

/// How an article is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleWrite {
    /// A new article (a taken id is `Duplicate`).
    Create,
    /// A shipped article: written only when no article has its id (an edit or an archive
    /// made by an operator survives every restart).
    InstallIfAbsent,
    /// A new version of an existing article, which must still be at `expected_version`
    /// (`VersionConflict` otherwise, and nothing is written).
    Update { expected_version: i64 },
}

/// Which articles to list.
#[derive(Debug, Clone, Default)]
pub struct ArticleQuery {
    pub category: Option<String>,
    pub audience: Option<crate::kb::ArticleAudience>,
    /// Only articles linked to this bot intent.
    pub intent: Option<crate::nlu::Intent>,
    /// Only articles whose review-by date is before this day (overdue on it).
    pub review_before: Option<jiff::civil::Date>,
    /// Archived ones instead of the live ones.
    pub archived: bool,
    pub limit: u32,
}

/// One change the search index must pick up: re-read `entity_id` of `kind` (`case`,
/// `customer`, `shipment`) from the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub kind: String,
    pub entity_id: String,
    pub at: Timestamp,
}

/// Case numbers are `KF` + local date + a sequence shared by the whole installation.
pub fn case_number(date: &str, seq: i64) -> String {
    format!("KF{date}{seq:06}")
}

/// Whether `s` is shaped like a number [`case_number`] makes: `KF`, the 8-digit date, then a
/// sequence of at least 6 digits (14 to 20 digits in all).
pub fn is_case_number(s: &str) -> bool {
    s.strip_prefix("KF").is_some_and(|digits| {
        (14..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The sequence part of a case number made by [`case_number`].
pub fn case_number_seq(number: &str) -> Option<i64> {
    number.get(10..)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_made_here_are_recognised_and_nothing_else() {
        assert!(is_case_number(&case_number("20261124", 1)));
        assert!(is_case_number(&case_number("20261124", 123_456_789)));
        for not_one in [
            "KF2026112400001",
            "KF202611240000011234567",
            "kf20261124000001",
            "KF20261124A00001",
            "YL1234567890128",
            "",
        ] {
            assert!(!is_case_number(not_one), "{not_one}");
        }
    }
}
