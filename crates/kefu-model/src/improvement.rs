//! The improvement backlog (改进项, R-MG-6): items with an owner (a user or a department), a
//! status (proposed → accepted → in progress → done, or rejected), a due date, the root causes
//! they address and the cases that motivated them. Every change is an entry in the item's own
//! history (who, when, what). Supervisors and admins manage items; agents propose them and link
//! cases. Pure: `plan_create`, `plan_change`.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::causes::CauseSettings;
use crate::error::DomainError;
use crate::ids::{CaseId, DepartmentId, UserId};
use crate::string_enum::string_enum;
use crate::user::Role;

pub const TITLE_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 4000;
/// At most this many cases linked to one item.
pub const MAX_CASES: usize = 500;

string_enum!(
    ImprovementStatus {
        Proposed => "proposed", Accepted => "accepted", InProgress => "in_progress",
        Done => "done", Rejected => "rejected",
    }
);

impl ImprovementStatus {
    /// `proposed → accepted → in_progress → done`; any open item may be rejected; a done or
    /// rejected item is final.
    pub fn can_become(self, to: ImprovementStatus) -> bool {
        use ImprovementStatus::*;
        matches!(
            (self, to),
            (Proposed, Accepted)
                | (Accepted, InProgress)
                | (InProgress, Done)
                | (Proposed | Accepted | InProgress, Rejected)
        )
    }
}

/// Who may manage items (create in any status, edit, move, unlink).
pub fn may_manage(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Supervisor)
}

/// Who may read the backlog and propose items (and link a case to one).
pub fn may_propose(role: Role) -> bool {
    may_manage(role) || role == Role::Agent
}

/// Who may read the Pareto of causes and the complaint closed loop: the managers and the
/// read-only observers, quality inspectors among them.
pub fn may_analyse(role: Role) -> bool {
    matches!(
        role,
        Role::Admin | Role::Supervisor | Role::Readonly | Role::Inspector
    )
}

/// Who may read the backlog.
pub fn may_read(role: Role) -> bool {
    may_propose(role) || matches!(role, Role::Readonly | Role::Inspector)
}

/// A case an item names, with its number for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkedCase {
    pub case_id: CaseId,
    pub number: String,
}

/// An item of the backlog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Improvement {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_user: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_department: Option<DepartmentId>,
    pub status: ImprovementStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<Date>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<LinkedCase>,
    pub created_at: Timestamp,
    pub created_by: String,
    pub updated_at: Timestamp,
    /// The number of changes so far (1 when created); the store's concurrency token.
    pub version: i64,
}

/// One change of an item: who, when, what (`created`, `edited`, `status`, `linked`,
/// `unlinked`) and in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImprovementEntry {
    pub item_id: String,
    pub seq: i64,
    pub at: Timestamp,
    pub by: String,
    pub what: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// An item with its history, as a dump carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImprovementRecord {
    pub item: Improvement,
    pub history: Vec<ImprovementEntry>,
}

/// A new item as typed. Owner: a user or a department (their id or name, resolved by the desk).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImprovementDraft {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub owner_user: Option<String>,
    #[serde(default)]
    pub owner_department: Option<String>,
    #[serde(default)]
    pub due_on: Option<Date>,
    #[serde(default)]
    pub causes: Vec<String>,
    /// Cases (ids or numbers) that motivated it.
    #[serde(default)]
    pub cases: Vec<String>,
}

/// A change; absent fields stay. `owner_*` and `due_on` may be `null` to clear them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImprovementPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub owner_user: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub owner_department: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub due_on: Option<Option<Date>>,
    pub causes: Option<Vec<String>>,
    pub status: Option<ImprovementStatus>,
}

fn double_option<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A patch with its owner resolved by the desk.
#[derive(Debug, Clone, Default)]
pub struct CheckedPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub owner_user: Option<Option<UserId>>,
    pub owner_department: Option<Option<DepartmentId>>,
    pub due_on: Option<Option<Date>>,
    pub causes: Option<Vec<String>>,
    pub status: Option<ImprovementStatus>,
}

pub fn check_title(title: &str) -> Result<String, DomainError> {
    crate::text::text("title", title, TITLE_MAX, true)
}

pub fn check_description(description: &str) -> Result<String, DomainError> {
    crate::text::text("description", description, DESCRIPTION_MAX, false)
}

/// The causes an item addresses: the setting's tags, each once, in its order.
pub fn check_causes(
    settings: &CauseSettings,
    causes: &[String],
) -> Result<Vec<String>, DomainError> {
    let known = settings.tags();
    for (i, c) in causes.iter().enumerate() {
        if !known.iter().any(|(t, _, _)| t == c) {
            return Err(DomainError::invalid(
                format!("causes.{i}"),
                "not one of the setting's causes",
            ));
        }
    }
    Ok(known
        .into_iter()
        .map(|(t, _, _)| t)
        .filter(|t| causes.contains(t))
        .collect())
}

/// Who changed what on an item, as an entry's `what` and `detail`.
pub type Change = (&'static str, String);

/// What a role may change: managers anything; a proposer only creates proposed items and
/// links cases.
pub fn check_change_rights(role: Role, patch: &CheckedPatch) -> Result<(), DomainError> {
    if may_manage(role) {
        return Ok(());
    }
    let _ = patch;
    Err(DomainError::Forbidden(
        "only supervisors and admins change improvement items".into(),
    ))
}

/// The item after a patch, and the history's entries for it; an unchanged field adds nothing.
pub fn plan_change(
    item: &Improvement,
    patch: &CheckedPatch,
) -> Result<(Improvement, Vec<Change>), DomainError> {
    let mut next = item.clone();
    let mut changes: Vec<Change> = Vec::new();
    if let Some(t) = patch.title.as_ref().filter(|t| **t != item.title) {
        changes.push(("edited", format!("title: {t}")));
        next.title = t.clone();
    }
    if let Some(d) = patch
        .description
        .as_ref()
        .filter(|d| **d != item.description)
    {
        changes.push(("edited", "description".into()));
        next.description = d.clone();
    }
    if let Some(o) = patch.owner_user.as_ref().filter(|o| **o != item.owner_user) {
        changes.push((
            "edited",
            format!(
                "owner_user: {}",
                o.as_ref().map(|u| u.to_string()).unwrap_or_default()
            ),
        ));
        next.owner_user = o.clone();
    }
    if let Some(o) = patch
        .owner_department
        .as_ref()
        .filter(|o| **o != item.owner_department)
    {
        changes.push((
            "edited",
            format!(
                "owner_department: {}",
                o.as_ref().map(|d| d.to_string()).unwrap_or_default()
            ),
        ));
        next.owner_department = o.clone();
    }
    if let Some(d) = patch.due_on.filter(|d| *d != item.due_on) {
        changes.push((
            "edited",
            format!("due_on: {}", d.map(|d| d.to_string()).unwrap_or_default()),
        ));
        next.due_on = d;
    }
    if let Some(c) = patch.causes.as_ref().filter(|c| **c != item.causes) {
        changes.push(("edited", format!("causes: {}", c.join(", "))));
        next.causes = c.clone();
    }
    if let Some(to) = patch.status.filter(|s| *s != item.status) {
        if !item.status.can_become(to) {
            return Err(DomainError::conflict(
                "invalid_transition",
                format!("an item cannot go from {} to {}", item.status, to),
            ));
        }
        changes.push(("status", format!("{} → {}", item.status, to)));
        next.status = to;
    }
    Ok((next, changes))
}

/// Links a case: the item after it, or `None` when it is linked already.
pub fn plan_link(item: &Improvement, case: LinkedCase) -> Result<Option<Improvement>, DomainError> {
    if item.cases.iter().any(|c| c.case_id == case.case_id) {
        return Ok(None);
    }
    if item.cases.len() >= MAX_CASES {
        return Err(DomainError::invalid(
            "case",
            format!("at most {MAX_CASES} cases on one item"),
        ));
    }
    let mut next = item.clone();
    next.cases.push(case);
    Ok(Some(next))
}

/// Unlinks a case: the item after it, or `None` when it was not linked.
pub fn plan_unlink(item: &Improvement, case_id: &CaseId) -> Option<Improvement> {
    let mut next = item.clone();
    next.cases.retain(|c| c.case_id != *case_id);
    (next.cases.len() != item.cases.len()).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> Improvement {
        Improvement {
            id: "i1".into(),
            title: "派送员培训".into(),
            description: String::new(),
            owner_user: None,
            owner_department: None,
            status: ImprovementStatus::Proposed,
            due_on: None,
            causes: Vec::new(),
            cases: Vec::new(),
            created_at: Timestamp::UNIX_EPOCH,
            created_by: "user:agent".into(),
            updated_at: Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    #[test]
    fn the_status_machine_goes_forward_or_to_rejected() {
        use ImprovementStatus::*;
        assert!(Proposed.can_become(Accepted));
        assert!(Accepted.can_become(InProgress));
        assert!(InProgress.can_become(Done));
        assert!(Accepted.can_become(Rejected));
        assert!(!Proposed.can_become(Done));
        assert!(!Done.can_become(Rejected));
        assert!(!Rejected.can_become(Proposed));
        let patch = CheckedPatch {
            status: Some(Done),
            ..Default::default()
        };
        assert!(matches!(
            plan_change(&item(), &patch),
            Err(DomainError::Conflict { .. })
        ));
    }

    #[test]
    fn a_change_lists_what_changed_and_nothing_else() {
        let patch = CheckedPatch {
            title: Some("派送员培训".into()),
            status: Some(ImprovementStatus::Accepted),
            due_on: Some(Some("2026-12-31".parse().unwrap_or_default())),
            ..Default::default()
        };
        let (next, changes) = plan_change(&item(), &patch).unwrap_or_else(|_| (item(), Vec::new()));
        assert_eq!(next.status, ImprovementStatus::Accepted);
        assert_eq!(
            changes,
            vec![
                ("edited", "due_on: 2026-12-31".to_string()),
                ("status", "proposed → accepted".to_string()),
            ]
        );
        assert!(!may_manage(Role::Agent) && may_propose(Role::Agent));
        assert!(check_change_rights(Role::Agent, &patch).is_err());
    }

    #[test]
    fn a_case_is_linked_once() {
        let case = LinkedCase {
            case_id: CaseId::from_stored("c1".to_string()),
            number: "N1".into(),
        };
        let linked = plan_link(&item(), case.clone()).ok().flatten();
        assert_eq!(linked.as_ref().map(|i| i.cases.len()), Some(1));
        let again = linked.as_ref().map(|i| plan_link(i, case.clone()));
        assert!(matches!(again, Some(Ok(None))));
        let unlinked = linked.as_ref().and_then(|i| plan_unlink(i, &case.case_id));
        assert_eq!(unlinked.map(|i| i.cases.len()), Some(0));
    }
}
