//! What a request asks of the desk's core use cases (a customer, a case, a change, a message, a
//! user, a department, a promise, a calendar sum), and the pure planners that turn a case change
//! or a message into events (`plan_update`, `plan_message`).

use jiff::Timestamp;
use serde::Deserialize;

use crate::case::{Case, EventData};
use crate::codes::{Category, Channel, Priority, Status, Visibility};
use crate::customer::ExternalId;
use crate::error::DomainError;
use crate::ids::{DepartmentId, MessageId, UserId};
use crate::user::Role;

/// A customer as given in a request: every field optional, parsed here.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerDraft {
    pub name: Option<String>,
    pub phone: Option<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub external_ids: Vec<ExternalId>,
    pub grade: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseDraft {
    pub channel: Channel,
    pub subject: String,
    #[serde(default)]
    pub description: String,
    pub customer_id: Option<String>,
    pub customer: Option<CustomerDraft>,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub waybill_no: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub received_at: Option<Timestamp>,
}

/// A change to a case; absent fields stay as they are. `assignee`/`department` may be `null`
/// to clear them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub category: Option<Category>,
    #[serde(default, deserialize_with = "double_option")]
    pub assignee: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub department: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub waybill_no: Option<String>,
    /// Why, for reopening; recorded in the event.
    pub reason: Option<String>,
    /// With a transfer: by when the department should answer back.
    pub department_due_at: Option<Timestamp>,
    /// With a resolution or a closure (or alone): the resolution code, root causes,
    /// responsible organisation and lesson (R-CASE-10).
    #[serde(default)]
    pub root_cause: Option<crate::causes::CauseDraft>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageDraft {
    pub body: String,
    #[serde(default = "default_visibility")]
    pub visibility: Visibility,
    /// Set when staff relay what the customer wrote (e.g. a phone call transcript).
    #[serde(default)]
    pub from_customer: bool,
    /// Set when staff log a call they made to the customer ("已电话回访").
    #[serde(default)]
    pub call: bool,
}

fn default_visibility() -> Visibility {
    Visibility::Public
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserDraft {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub display_name: Option<String>,
    /// A department id or key.
    pub department: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentDraft {
    pub key: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarAdd {
    pub from: Timestamp,
    pub minutes: Option<i64>,
    pub working_days: Option<i64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CalendarDue {
    pub due: Timestamp,
    /// Set when a date involved lies in a year without holiday data.
    pub warnings: Vec<String>,
}

/// How long before a promise falls due its owner is reminded.
pub const REMINDER_MINUTES: i64 = 10;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentDraft {
    pub due_at: Timestamp,
    pub note: String,
    /// How long before the due time the owner is reminded (default `REMINDER_MINUTES`).
    #[serde(default)]
    pub remind_before_minutes: Option<i64>,
}

/// A patch whose references (assignee, department) are already resolved and checked.
#[derive(Debug, Clone, Default)]
pub struct ResolvedPatch {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub category: Option<Category>,
    pub assignee: Option<Option<UserId>>,
    pub department: Option<Option<DepartmentId>>,
    pub waybill_no: Option<String>,
    pub tags: Option<Vec<String>>,
    pub reason: Option<String>,
    pub department_due_at: Option<Timestamp>,
    /// A checked root cause to record with the change.
    pub root_cause: Option<RecordedCause>,
    /// The case's category needs a resolution code to be resolved or closed (the
    /// `root_causes` setting).
    pub code_required: bool,
}

/// A checked root cause with what the desk adds: the organisation resolved, the local day, and
/// the first parcel's provinces.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedCause {
    pub code: Option<String>,
    pub causes: Vec<String>,
    pub organisation: Option<DepartmentId>,
    pub organisation_name: String,
    pub lesson: String,
    pub day: jiff::civil::Date,
    pub region: String,
    pub origin: String,
}

/// The event recording `recorded` on `case`; `None` when it records what the case already
/// holds. A case whose category needs a code keeps one once resolved or closed.
pub fn plan_cause(
    case: &Case,
    recorded: &RecordedCause,
    code_required: bool,
) -> Result<Option<EventData>, DomainError> {
    let ended = matches!(case.status, Status::Resolved | Status::Closed);
    if code_required && ended && recorded.code.is_none() {
        return Err(DomainError::invalid(
            "resolution_code",
            "this category is resolved only with a resolution code",
        ));
    }
    if let Some(r) = &case.root_cause
        && r.code == recorded.code
        && r.causes == recorded.causes
        && r.organisation == recorded.organisation
        && r.lesson == recorded.lesson
    {
        return Ok(None);
    }
    Ok(Some(EventData::RootCauseRecorded {
        code: recorded.code.clone(),
        causes: recorded.causes.clone(),
        organisation: recorded.organisation.clone(),
        organisation_name: recorded.organisation_name.clone(),
        lesson: recorded.lesson.clone(),
        day: recorded.day,
        region: recorded.region.clone(),
        origin: recorded.origin.clone(),
        amended: case.root_cause.is_some(),
    }))
}

/// The events a patch produces on `case`, or why it is refused. Pure: the status machine's
/// rules live here and in [`Status::can_become`].
pub fn plan_update(case: &Case, patch: &ResolvedPatch) -> Result<Vec<EventData>, DomainError> {
    let mut changes = Vec::new();
    let reopening = patch.status.is_some_and(|s| case.status.is_reopen(s));
    if case.status == Status::Closed && !reopening {
        return Err(closed_error());
    }
    if reopening {
        changes.push(EventData::Reopened {
            from: case.status,
            reason: patch.reason.clone(),
        });
    }
    if let Some(to) = patch.priority.filter(|p| *p != case.priority) {
        changes.push(EventData::PriorityChanged {
            from: case.priority,
            to,
        });
    }
    if let Some(to) = patch.category.filter(|c| *c != case.category) {
        changes.push(EventData::CategoryChanged {
            from: case.category,
            to,
        });
    }
    if let Some(to) = patch.assignee.clone().filter(|a| *a != case.assignee) {
        changes.push(EventData::Assigned {
            from: case.assignee.clone(),
            to,
        });
    }
    if let Some(to) = patch.department.clone().filter(|d| *d != case.department) {
        changes.push(EventData::Transferred {
            from: case.department.clone(),
            to,
            due_at: patch.department_due_at,
        });
    }
    if let Some(w) = patch
        .waybill_no
        .clone()
        .filter(|w| !case.waybill_nos.contains(w))
    {
        changes.push(EventData::WaybillLinked { waybill_no: w });
    }
    if let Some(t) = patch.tags.clone().filter(|t| *t != case.tags) {
        changes.push(EventData::TagsChanged { tags: t });
    }
    if let Some(recorded) = &patch.root_cause
        && let Some(event) = plan_cause(case, recorded, false)?
    {
        changes.push(event);
    }
    if let Some(to) = patch.status.filter(|s| *s != case.status && !reopening) {
        if !case.status.can_become(to) {
            return Err(DomainError::conflict(
                "invalid_transition",
                format!("a case cannot go from {} to {}", case.status, to),
            ));
        }
        let has_code = patch
            .root_cause
            .as_ref()
            .map_or(
                case.root_cause.as_ref().and_then(|r| r.code.as_ref()),
                |r| r.code.as_ref(),
            )
            .is_some();
        if patch.code_required && matches!(to, Status::Resolved | Status::Closed) && !has_code {
            return Err(DomainError::invalid(
                "resolution_code",
                "this category is resolved only with a resolution code",
            ));
        }
        changes.push(EventData::StatusChanged {
            from: case.status,
            to,
        });
    }
    Ok(changes)
}

/// The events a new message produces: the message, and opening a new case on a staff reply.
pub fn plan_message(
    case: &Case,
    message_id: &MessageId,
    body: &str,
    draft: &MessageDraft,
) -> Result<Vec<EventData>, DomainError> {
    if case.status == Status::Closed {
        return Err(closed_error());
    }
    let mut changes = vec![EventData::MessageAdded {
        message_id: message_id.clone(),
        body: body.to_string(),
        visibility: draft.visibility,
        author_kind: if draft.from_customer {
            "customer"
        } else {
            "staff"
        }
        .to_string(),
        call: draft.call && !draft.from_customer,
        client_id: None,
        attachments: Vec::new(),
    }];
    if case.status == Status::New && changes[0].reaches_customer() {
        changes.push(EventData::StatusChanged {
            from: Status::New,
            to: Status::Open,
        });
    }
    Ok(changes)
}

pub fn closed_error() -> DomainError {
    DomainError::conflict(
        "case_closed",
        "the case is closed; reopen it first (status: open)",
    )
}
