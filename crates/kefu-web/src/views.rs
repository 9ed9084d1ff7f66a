//! What `/api/v1` answers, as types of its own. Each view is built from a domain record by a
//! constructor, so a change to a stored record cannot change an answer unnoticed: the
//! constructor stops compiling. The OpenAPI document's response schemas are derived from these
//! types (`openapi::response_schemas`), so the document cannot drift from the answers either.
//!
//! Parts that are the domain's own open-ended documents (a claim's evidence, the bot's state,
//! an event's data, a quote, a setting) are carried as the domain serialises them and described
//! loosely (`AnyObject`, `AnyJson`).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_model::canned::{CannedReply, MacroActions};
use kefu_model::case::{Commitment, IdentityConfirmation};
use kefu_model::claim::Claim;
use kefu_model::customer::CustomerView;
use kefu_model::kb::{Article, ArticleFeedback, ArticleText, FeedbackCounts, GapLine};
use kefu_model::shipment::{MaskedParty, MaskedShipment, Party, Scan, Shipment};
use kefu_model::sla::SlaPolicy;
use kefu_model::sla_clock::{ClockKind, SlaClock};
use kefu_model::{Case, CaseEvent, EventData, User};
use rust_decimal::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Serialize;
use serde_json::Value;

// ---- schemas of values the domain serialises itself -------------------------------------

/// A schema for a value kefu serialises in a fixed textual form.
macro_rules! stand_in {
    ($(#[$meta:meta])* $name:ident => $schema:tt) => {
        $(#[$meta])*
        pub struct $name;
        impl JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

stand_in!(
    /// An instant, RFC 3339.
    DateTime => {"type": "string", "format": "date-time"}
);
stand_in!(
    /// A calendar day.
    Day => {"type": "string", "format": "date"}
);
stand_in!(
    /// Money and weights: a decimal as a string.
    Money => {"type": "string", "description": "decimal, e.g. \"12.50\""}
);
stand_in!(
    /// A document of the domain's own shape.
    AnyObject => {"type": "object"}
);
stand_in!(
    /// Any JSON value (a setting, a value before or after a change).
    AnyJson => {}
);
stand_in!(
    /// Who wrote a message: staff, the customer, or the bot.
    AuthorKind => {"type": "string", "enum": ["staff", "customer", "bot"]}
);

/// The schema of a domain code enum: its codes, from the enum's own list.
macro_rules! codes {
    ($(#[$meta:meta])* $name:ident = $domain:ty, $title:literal, inline: $inline:literal) => {
        $(#[$meta])*
        pub struct $name;
        impl JsonSchema for $name {
            fn inline_schema() -> bool {
                $inline
            }
            fn schema_name() -> Cow<'static, str> {
                $title.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                let codes: Vec<&str> = <$domain>::ALL.iter().map(|c| c.as_str()).collect();
                json_schema!({"type": "string", "enum": codes})
            }
        }
    };
}

// Shared by request schemas too, so they are components of their own.
codes!(StatusCode = kefu_model::Status, "Status", inline: false);
codes!(CategoryCode = kefu_model::Category, "Category", inline: false);
codes!(PriorityCode = kefu_model::Priority, "Priority", inline: false);
codes!(ChannelCode = kefu_model::Channel, "Channel", inline: false);
codes!(RoleCode = kefu_model::Role, "Role", inline: false);
codes!(InspectionStatusCode = kefu_model::quality::InspectionStatus, "InspectionStatus", inline: true);
codes!(SampleRuleCode = kefu_model::quality::SampleRule, "SampleRule", inline: true);
codes!(InspectionActionCode = kefu_model::quality::InspectionAction, "InspectionAction", inline: true);
codes!(AppealOutcomeCode = kefu_model::quality::AppealOutcome, "AppealOutcome", inline: true);
codes!(VisibilityCode = kefu_model::Visibility, "Visibility", inline: true);
codes!(IdentityMethodCode = kefu_model::case::IdentityMethod, "IdentityMethod", inline: true);
codes!(CommitmentStateCode = kefu_model::case::CommitmentState, "CommitmentState", inline: true);
codes!(ClockKindCode = kefu_model::sla_clock::ClockKind, "ClockKind", inline: true);
codes!(ClockStateCode = kefu_model::sla_clock::ClockState, "ClockState", inline: true);
codes!(ClaimKindCode = kefu_model::claim::ClaimKind, "ClaimKind", inline: true);
codes!(ClaimStateCode = kefu_model::claim::ClaimState, "ClaimState", inline: true);
codes!(ShipmentStatusCode = kefu_model::shipment::ShipmentStatus, "ShipmentStatus", inline: true);
codes!(PickupStatusCode = kefu_model::pickup::PickupStatus, "PickupStatus", inline: true);
codes!(ConfigKindCode = kefu_model::history::ConfigKind, "ConfigKind", inline: true);
codes!(ScopeCode = kefu_model::canned::TemplateScope, "TemplateScope", inline: true);
codes!(LanguageCode = kefu_model::canned::TemplateLanguage, "TemplateLanguage", inline: true);
codes!(AudienceCode = kefu_model::kb::ArticleAudience, "ArticleAudience", inline: true);
codes!(GapSourceCode = kefu_model::kb::GapSource, "GapSource", inline: true);
codes!(PresenceCode = kefu_model::routing::Presence, "Presence", inline: true);
codes!(OutcomeCode = kefu_model::tracking::Outcome, "Outcome", inline: true);
codes!(ActionKindCode = kefu_model::tracking::ActionKind, "ActionKind", inline: true);
codes!(MailSecurityCode = kefu_model::channels::MailSecurity, "MailSecurity", inline: true);
codes!(InboundOutcomeCode = kefu_model::channels::InboundOutcome, "InboundOutcome", inline: false);
codes!(DeliveryStateCode = kefu_model::channels::DeliveryState, "DeliveryState", inline: true);
codes!(WeChatFlavorCode = kefu_model::channels::WeChatFlavor, "WeChatFlavor", inline: true);
codes!(OrgKindCode = kefu_model::network::OrgKind, "OrgKind", inline: false);
codes!(OrderKindCode = kefu_model::work_order::OrderKind, "OrderKind", inline: false);
codes!(OrderStateCode = kefu_model::work_order::OrderState, "OrderState", inline: true);
codes!(OrderStageCode = kefu_model::work_order::OrderStage, "OrderStage", inline: true);
codes!(RegulatorCode = kefu_model::work_order::Regulator, "Regulator", inline: false);
codes!(RoutedByCode = kefu_model::work_order::RoutedBy, "RoutedBy", inline: true);
codes!(SurveyWayCode = kefu_model::survey::SurveyWay, "SurveyWay", inline: true);
codes!(FollowUpStateCode = kefu_model::survey::FollowUpState, "FollowUpState", inline: true);
codes!(FollowUpOutcomeCode = kefu_model::survey::FollowUpOutcome, "FollowUpOutcome", inline: false);
codes!(SurveyDimensionCode = kefu_model::survey::SurveyDimension, "SurveyDimension", inline: true);

// ---- lists --------------------------------------------------------------------------------

/// `{"items": [...]}`.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "{T}List")]
pub struct List<T> {
    pub items: Vec<T>,
}

impl<T> List<T> {
    pub fn of<R>(records: impl IntoIterator<Item = R>, view: impl FnMut(R) -> T) -> Self {
        List {
            items: records.into_iter().map(view).collect(),
        }
    }
}

/// One page, newest first, and the cursor of the next.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "{T}Page")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

// ---- users, departments, sessions ----------------------------------------------------------

/// A user as the API shows it: never the password hash.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "User")]
pub struct UserView {
    id: String,
    username: String,
    display_name: String,
    #[schemars(with = "RoleCode")]
    role: kefu_model::Role,
    department_id: Option<String>,
    active: bool,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.to_string(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            department_id: u.department_id.as_ref().map(|d| d.to_string()),
            active: u.active,
            created_at: u.created_at,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct LoginResult {
    pub token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    pub user: UserView,
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Department")]
pub struct DepartmentView {
    id: String,
    key: String,
    name: String,
    kind: String,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
}

impl From<&kefu_model::Department> for DepartmentView {
    fn from(d: &kefu_model::Department) -> Self {
        DepartmentView {
            id: d.id.to_string(),
            key: d.key.clone(),
            name: d.name.clone(),
            kind: d.kind.clone(),
            created_at: d.created_at,
        }
    }
}

// ---- customers ----------------------------------------------------------------------------

#[derive(Serialize, JsonSchema)]
pub struct ExternalIdView {
    kind: String,
    value: String,
}

impl From<&kefu_model::customer::ExternalId> for ExternalIdView {
    fn from(e: &kefu_model::customer::ExternalId) -> Self {
        ExternalIdView {
            kind: e.kind.clone(),
            value: e.value.clone(),
        }
    }
}

/// Contacts masked: phones 138****8000, emails z***@example.com, external ids cut to their ends.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Customer")]
pub struct CustomerMaskedView {
    id: String,
    name: String,
    phones: Vec<String>,
    emails: Vec<String>,
    external_ids: Vec<ExternalIdView>,
    /// 1–5; 1 is the most valuable.
    grade: i64,
    tags: Vec<String>,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
    /// Give it back with a change (`PATCH`).
    version: i64,
    /// Set when this customer was merged into that one.
    #[serde(skip_serializing_if = "Option::is_none")]
    merged_into: Option<String>,
    /// No receipts, status notices or surveys are sent to this customer.
    notices_opt_out: bool,
}

impl From<&CustomerView> for CustomerMaskedView {
    fn from(c: &CustomerView) -> Self {
        CustomerMaskedView {
            id: c.id.to_string(),
            name: c.name.clone(),
            phones: c.phones.clone(),
            emails: c.emails.clone(),
            external_ids: c.external_ids.iter().map(Into::into).collect(),
            grade: i64::from(c.grade),
            tags: c.tags.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
            merged_into: c.merged_into.as_ref().map(|m| m.to_string()),
            notices_opt_out: c.notices_opt_out,
        }
    }
}

/// A customer with full contacts: only from the audited reveal.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "CustomerFull")]
pub struct CustomerFullView {
    id: String,
    name: String,
    phones: Vec<String>,
    emails: Vec<String>,
    external_ids: Vec<ExternalIdView>,
    grade: i64,
    tags: Vec<String>,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
    version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    merged_into: Option<String>,
}

impl From<&kefu_model::Customer> for CustomerFullView {
    fn from(c: &kefu_model::Customer) -> Self {
        CustomerFullView {
            id: c.id.to_string(),
            name: c.name.clone(),
            phones: c.phones.iter().map(|p| p.as_str().to_string()).collect(),
            emails: c.emails.iter().map(|e| e.as_str().to_string()).collect(),
            external_ids: c.external_ids.iter().map(Into::into).collect(),
            grade: i64::from(c.grade),
            tags: c.tags.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
            merged_into: c.merged_into.as_ref().map(|m| m.to_string()),
        }
    }
}

/// One change of a customer, phones and emails masked.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "CustomerEvent")]
pub struct CustomerEventView {
    customer_id: String,
    seq: i64,
    version: i64,
    actor: String,
    #[schemars(with = "DateTime")]
    at: Timestamp,
    /// `name`, `phones`, `emails`, `external_ids`, `grade`, `tags`, `merged_from`, `merged_into`.
    field: String,
    #[schemars(with = "AnyJson")]
    old: Value,
    #[schemars(with = "AnyJson")]
    new: Value,
    #[serde(skip_serializing_if = "String::is_empty")]
    reason: String,
}

impl From<kefu_model::customer::CustomerEvent> for CustomerEventView {
    fn from(e: kefu_model::customer::CustomerEvent) -> Self {
        CustomerEventView {
            customer_id: e.customer_id.to_string(),
            seq: e.seq,
            version: e.version,
            actor: e.actor,
            at: e.at,
            field: e.field,
            old: e.old,
            new: e.new,
            reason: e.reason,
        }
    }
}

// ---- cases --------------------------------------------------------------------------------

/// A service clock, with the business time it has left now.
#[derive(Serialize, JsonSchema)]
pub struct SlaClockView {
    #[schemars(with = "ClockKindCode")]
    kind: ClockKind,
    policy: String,
    calendar: String,
    #[schemars(with = "ClockStateCode")]
    state: kefu_model::sla_clock::ClockState,
    target_secs: i64,
    consumed_secs: i64,
    #[schemars(with = "Option<DateTime>")]
    running_since: Option<Timestamp>,
    #[schemars(with = "Option<DateTime>")]
    due_at: Option<Timestamp>,
    #[schemars(with = "Option<DateTime>")]
    ended_at: Option<Timestamp>,
    /// Warning shares still to come, with when they fall due.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<(u8, DateTime)>")]
    warnings: Vec<(u8, Timestamp)>,
    /// Business seconds left now; negative when overdue.
    remaining_secs: Option<i64>,
}

impl SlaClockView {
    fn of(c: &SlaClock, remaining_secs: Option<i64>) -> Self {
        SlaClockView {
            kind: c.kind,
            policy: c.policy.clone(),
            calendar: c.calendar.clone(),
            state: c.state,
            target_secs: c.target_secs,
            consumed_secs: c.consumed_secs,
            running_since: c.running_since,
            due_at: c.due_at,
            ended_at: c.ended_at,
            warnings: c.warnings.clone(),
            remaining_secs,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct CommitmentView {
    id: String,
    #[schemars(with = "DateTime")]
    due_at: Timestamp,
    #[schemars(with = "DateTime")]
    remind_at: Timestamp,
    note: String,
    made_by: String,
    #[schemars(with = "CommitmentStateCode")]
    state: kefu_model::case::CommitmentState,
    reminded: bool,
}

impl From<&Commitment> for CommitmentView {
    fn from(c: &Commitment) -> Self {
        CommitmentView {
            id: c.id.clone(),
            due_at: c.due_at,
            remind_at: c.remind_at,
            note: c.note.clone(),
            made_by: c.made_by.clone(),
            state: c.state,
            reminded: c.reminded,
        }
    }
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "IdentityConfirmed")]
pub struct IdentityView {
    #[schemars(with = "IdentityMethodCode")]
    method: kefu_model::case::IdentityMethod,
    by: String,
    #[schemars(with = "DateTime")]
    at: Timestamp,
}

impl From<&IdentityConfirmation> for IdentityView {
    fn from(i: &IdentityConfirmation) -> Self {
        IdentityView {
            method: i.method,
            by: i.by.clone(),
            at: i.at,
        }
    }
}

/// A claim for a lost, damaged or delayed parcel.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Claim")]
pub struct ClaimView {
    id: String,
    waybill_no: String,
    #[schemars(with = "ClaimKindCode")]
    kind: kefu_model::claim::ClaimKind,
    #[schemars(with = "ClaimStateCode")]
    state: kefu_model::claim::ClaimState,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Money>")]
    declared_value: Option<Decimal>,
    insured: bool,
    #[schemars(with = "Money")]
    freight: Decimal,
    #[schemars(with = "Money")]
    claimed_amount: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Money>")]
    loss_amount: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Money>")]
    compensation: Option<Decimal>,
    /// How the compensation was computed, in words.
    #[serde(skip_serializing_if = "String::is_empty")]
    rule: String,
    #[schemars(with = "Vec<AnyObject>")]
    evidence: Vec<kefu_model::claim::Evidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    step_due_at: Option<Timestamp>,
    overdue: bool,
    opened_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    proposed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decided_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paid_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rejection_reason: Option<String>,
}

impl From<&Claim> for ClaimView {
    fn from(c: &Claim) -> Self {
        ClaimView {
            id: c.id.clone(),
            waybill_no: c.waybill_no.clone(),
            kind: c.kind,
            state: c.state,
            declared_value: c.declared_value,
            insured: c.insured,
            freight: c.freight,
            claimed_amount: c.claimed_amount,
            loss_amount: c.loss_amount,
            compensation: c.compensation,
            rule: c.rule.clone(),
            evidence: c.evidence.clone(),
            step_due_at: c.step_due_at,
            overdue: c.overdue,
            opened_by: c.opened_by.clone(),
            proposed_by: c.proposed_by.clone(),
            decided_by: c.decided_by.clone(),
            paid_by: c.paid_by.clone(),
            payment_reference: c.payment_reference.clone(),
            rejection_reason: c.rejection_reason.clone(),
        }
    }
}

/// A case: the stored projection with each clock's remaining business time computed now.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Case")]
pub struct CaseView {
    id: String,
    number: String,
    /// The sequence number of the last event; a change is made against it.
    version: i64,
    #[schemars(with = "StatusCode")]
    status: kefu_model::Status,
    #[schemars(with = "ChannelCode")]
    channel: kefu_model::Channel,
    subject: String,
    description: String,
    #[schemars(with = "CategoryCode")]
    category: kefu_model::Category,
    #[schemars(with = "PriorityCode")]
    priority: kefu_model::Priority,
    customer_id: String,
    assignee: Option<String>,
    department: Option<String>,
    waybill_nos: Vec<String>,
    tags: Vec<String>,
    #[schemars(with = "DateTime")]
    received_at: Timestamp,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
    #[schemars(with = "Option<DateTime>")]
    first_response_at: Option<Timestamp>,
    #[schemars(with = "Option<DateTime>")]
    resolved_at: Option<Timestamp>,
    #[schemars(with = "Option<DateTime>")]
    closed_at: Option<Timestamp>,
    reopen_count: i64,
    message_count: i64,
    sla: Vec<SlaClockView>,
    commitments: Vec<CommitmentView>,
    /// 0 agent, 1 supervisor, 2 manager.
    escalation_level: u8,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    claims: Vec<ClaimView>,
    /// Work orders sent to the network about this case.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    work_orders: Vec<WorkOrderView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    department_due_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    department_overdue: bool,
    /// The customer's rating of the service (1–5), once given.
    #[serde(skip_serializing_if = "Option::is_none")]
    rating: Option<u8>,
    /// The bot's side of a chat it answers first.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<AnyObject>")]
    bot: Option<kefu_model::bot::BotState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity_confirmed: Option<IdentityView>,
    /// The satisfaction survey: when it opened, the answer, the follow-up.
    #[serde(skip_serializing_if = "Option::is_none")]
    survey: Option<SurveyView>,
    /// How the case ended and why the problem happened, once recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    root_cause: Option<crate::causes::RootCauseView>,
}

impl CaseView {
    /// `remaining` is `Desk::clock_remaining` of the case: one entry per clock, in order.
    pub fn of(case: &Case, remaining: &[(ClockKind, Option<i64>)]) -> Self {
        let left = |i: usize| remaining.get(i).and_then(|(_, left)| *left);
        CaseView {
            id: case.id.to_string(),
            number: case.number.clone(),
            version: case.version,
            status: case.status,
            channel: case.channel,
            subject: case.subject.clone(),
            description: case.description.clone(),
            category: case.category,
            priority: case.priority,
            customer_id: case.customer_id.to_string(),
            assignee: case.assignee.as_ref().map(|a| a.to_string()),
            department: case.department.as_ref().map(|d| d.to_string()),
            waybill_nos: case.waybill_nos.clone(),
            tags: case.tags.clone(),
            received_at: case.received_at,
            created_at: case.created_at,
            updated_at: case.updated_at,
            first_response_at: case.first_response_at,
            resolved_at: case.resolved_at,
            closed_at: case.closed_at,
            reopen_count: case.reopen_count,
            message_count: case.message_count,
            sla: case
                .sla
                .iter()
                .enumerate()
                .map(|(i, c)| SlaClockView::of(c, left(i)))
                .collect(),
            commitments: case.commitments.iter().map(Into::into).collect(),
            escalation_level: case.escalation_level,
            claims: case.claims.iter().map(Into::into).collect(),
            work_orders: case
                .work_orders
                .iter()
                .map(|o| WorkOrderView::of(&case.id, o))
                .collect(),
            department_due_at: case.department_due_at,
            department_overdue: case.department_overdue,
            rating: case.rating,
            bot: case.bot.clone(),
            identity_confirmed: case.identity_confirmed.as_ref().map(Into::into),
            survey: case.survey.as_ref().map(SurveyView::from),
            root_cause: case
                .root_cause
                .as_ref()
                .map(|r| crate::causes::RootCauseView::of(r, None, false)),
        }
    }
}

/// A message, taken from its `message_added` event.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Message")]
pub struct MessageView {
    id: String,
    case_id: String,
    seq: i64,
    body: String,
    #[schemars(with = "VisibilityCode")]
    visibility: kefu_model::Visibility,
    #[schemars(with = "AuthorKind")]
    author_kind: String,
    /// A call staff logged, rather than a written message.
    call: bool,
    actor: String,
    #[schemars(with = "DateTime")]
    at: Timestamp,
}

impl MessageView {
    /// The message of a `message_added` event; `None` for any other event.
    pub fn of(e: &CaseEvent) -> Option<Self> {
        match &e.data {
            EventData::MessageAdded {
                message_id,
                body,
                visibility,
                author_kind,
                call,
                ..
            } => Some(MessageView {
                id: message_id.to_string(),
                case_id: e.case_id.to_string(),
                seq: e.seq,
                body: body.clone(),
                visibility: *visibility,
                author_kind: author_kind.clone(),
                call: *call,
                actor: e.actor.clone(),
                at: e.at,
            }),
            _ => None,
        }
    }
}

/// One event of a case: its type and the type's data.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Event")]
pub struct EventView {
    case_id: String,
    seq: i64,
    /// e.g. `created`, `message_added`, `status_changed`, `sla_breached`, `pickup_booked`,
    /// `pickup_progress` (a pickup's step: `pickup_id`, `number`, `status`, `note`,
    /// `courier_name`, `courier_phone`, `window_from`, `window_to`, `estimated_at`).
    #[serde(rename = "type")]
    kind: &'static str,
    actor: String,
    #[schemars(with = "DateTime")]
    at: Timestamp,
    #[schemars(with = "AnyObject")]
    data: Value,
}

impl From<&CaseEvent> for EventView {
    fn from(e: &CaseEvent) -> Self {
        // The data as the domain tags it (`{"type", "data"}`); an event serialises to an object.
        let data = serde_json::to_value(&e.data)
            .ok()
            .and_then(|mut tagged| tagged.get_mut("data").map(Value::take))
            .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
        EventView {
            case_id: e.case_id.to_string(),
            seq: e.seq,
            kind: e.data.type_name(),
            actor: e.actor.clone(),
            at: e.at,
            data,
        }
    }
}

/// `{"claim", "case"}` after a claim was opened or moved.
#[derive(Serialize, JsonSchema)]
pub struct ClaimResult {
    pub claim: Option<ClaimView>,
    pub case: CaseView,
}

/// A macro applied: the case after it and the types of the events appended.
#[derive(Serialize, JsonSchema)]
pub struct MacroResult {
    pub case: CaseView,
    pub events: Vec<&'static str>,
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Notification")]
pub struct NotificationView {
    id: String,
    user_id: String,
    case_id: String,
    case_number: String,
    /// The event type that caused it, e.g. `sla_breached`.
    kind: String,
    text: String,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "Option<DateTime>")]
    read_at: Option<Timestamp>,
}

impl From<&kefu_model::records::Notification> for NotificationView {
    fn from(n: &kefu_model::records::Notification) -> Self {
        NotificationView {
            id: n.id.clone(),
            user_id: n.user_id.to_string(),
            case_id: n.case_id.to_string(),
            case_number: n.case_number.clone(),
            kind: n.kind.clone(),
            text: n.text.clone(),
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct MarkedRead {
    pub marked: u64,
}

// ---- calendars and SLA policies ------------------------------------------------------------

/// A stored calendar: what was put, and its key.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Calendar")]
pub struct CalendarView {
    key: String,
    /// IANA zone, e.g. Asia/Shanghai.
    timezone: String,
    /// mon…sun → [["09:00","12:00"], …].
    hours: BTreeMap<String, Vec<[String; 2]>>,
    #[schemars(with = "Vec<Day>")]
    holidays: Vec<String>,
    #[schemars(with = "Vec<Day>")]
    extra_workdays: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workday_hours: Option<Vec<[String; 2]>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    holiday_years: Option<Vec<i16>>,
}

impl CalendarView {
    pub fn of(key: &str, spec: &kefu_model::calendar::CalendarSpec) -> Self {
        CalendarView {
            key: key.to_string(),
            timezone: spec.timezone.clone(),
            hours: spec.hours.clone(),
            holidays: spec.holidays.clone(),
            extra_workdays: spec.extra_workdays.clone(),
            workday_hours: spec.workday_hours.clone(),
            holiday_years: spec.holiday_years.clone(),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct CalendarDue {
    #[schemars(with = "DateTime")]
    due: Timestamp,
    /// Set when a date involved lies in a year without holiday data.
    warnings: Vec<String>,
}

impl From<kefu_model::drafts::CalendarDue> for CalendarDue {
    fn from(d: kefu_model::drafts::CalendarDue) -> Self {
        CalendarDue {
            due: d.due,
            warnings: d.warnings,
        }
    }
}

/// A stored SLA policy: what was put, and its key.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicyView {
    key: String,
    name: String,
    /// Lowest first; shipped defaults use 100 and above.
    order: i64,
    #[serde(rename = "match")]
    #[schemars(with = "AnyObject")]
    matches: kefu_model::sla::PolicyMatch,
    calendar: String,
    #[schemars(with = "AnyObject")]
    targets: kefu_model::sla::Targets,
    #[schemars(with = "Vec<StatusCode>")]
    pause_in: Vec<kefu_model::Status>,
    #[schemars(with = "Vec<AnyObject>")]
    escalations: Vec<kefu_model::sla::EscalationStep>,
}

impl SlaPolicyView {
    pub fn of(key: &str, p: &SlaPolicy) -> Self {
        SlaPolicyView {
            key: key.to_string(),
            name: p.name.clone(),
            order: p.order,
            matches: p.matches.clone(),
            calendar: p.calendar.clone(),
            targets: p.targets.clone(),
            pause_in: p.pause_in.clone(),
            escalations: p.escalations.clone(),
        }
    }
}

// ---- parcels ------------------------------------------------------------------------------

#[derive(Serialize, JsonSchema)]
pub struct CandidateView {
    carrier: &'static str,
    name: String,
    confidence: f64,
}

impl From<&kefu_model::waybill::Candidate> for CandidateView {
    fn from(c: &kefu_model::waybill::Candidate) -> Self {
        CandidateView {
            carrier: c.carrier,
            name: c.name.clone(),
            confidence: c.confidence,
        }
    }
}

/// Whose waybill number this is: ranked carrier candidates.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Recognition")]
pub struct RecognitionView {
    number: String,
    ours: bool,
    candidates: Vec<CandidateView>,
}

impl From<&kefu_model::waybill::Recognition> for RecognitionView {
    fn from(r: &kefu_model::waybill::Recognition) -> Self {
        RecognitionView {
            number: r.number.clone(),
            ours: r.ours,
            candidates: r.candidates.iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct ScanView {
    #[schemars(with = "DateTime")]
    at: Timestamp,
    #[schemars(with = "ShipmentStatusCode")]
    code: kefu_model::shipment::ShipmentStatus,
    location: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    outlet: String,
    description: String,
}

impl From<&Scan> for ScanView {
    fn from(s: &Scan) -> Self {
        ScanView {
            at: s.at,
            code: s.code,
            location: s.location.clone(),
            outlet: s.outlet.clone(),
            description: s.description.clone(),
        }
    }
}

/// A sender or recipient masked: 张*, 138****8000, the district only.
#[derive(Serialize, JsonSchema)]
pub struct MaskedPartyView {
    name: String,
    phone: String,
    /// Province, city and district only.
    region: String,
}

impl From<&MaskedParty> for MaskedPartyView {
    fn from(p: &MaskedParty) -> Self {
        MaskedPartyView {
            name: p.name.clone(),
            phone: p.phone.clone(),
            region: p.region.clone(),
        }
    }
}

/// A sender or recipient in full (only from the audited reveal, or to the ops system that
/// wrote it).
#[derive(Serialize, JsonSchema)]
pub struct PartyView {
    name: String,
    phone: String,
    address: String,
    /// Province, city and district read from the address.
    #[schemars(with = "AnyObject")]
    region: kefu_regions::ParsedAddress,
}

impl PartyView {
    fn of(
        name: &str,
        phone: &kefu_model::Phone,
        address: &str,
        region: &kefu_regions::ParsedAddress,
    ) -> Self {
        PartyView {
            name: name.to_string(),
            phone: phone.as_str().to_string(),
            address: address.to_string(),
            region: region.clone(),
        }
    }
}

impl From<&Party> for PartyView {
    fn from(p: &Party) -> Self {
        PartyView::of(&p.name, &p.phone, &p.address, &p.region)
    }
}

/// A shipment as the ops system wrote it, sender and recipient in full.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Shipment")]
pub struct ShipmentView {
    waybill_no: String,
    carrier: String,
    product: String,
    sender: PartyView,
    recipient: PartyView,
    item: String,
    #[schemars(with = "Money")]
    weight_kg: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<[Money; 3]>")]
    dimensions_cm: Option<[Decimal; 3]>,
    pieces: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Money>")]
    declared_value: Option<Decimal>,
    insured: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Money>")]
    freight: Option<Decimal>,
    #[schemars(with = "DateTime")]
    shipped_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    promised_at: Option<Timestamp>,
    #[schemars(with = "ShipmentStatusCode")]
    status: kefu_model::shipment::ShipmentStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    last_scan_at: Option<Timestamp>,
    events: Vec<ScanView>,
    version: i64,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
}

impl From<&Shipment> for ShipmentView {
    fn from(s: &Shipment) -> Self {
        ShipmentView {
            waybill_no: s.waybill_no.clone(),
            carrier: s.carrier.clone(),
            product: s.product.clone(),
            sender: (&s.sender).into(),
            recipient: (&s.recipient).into(),
            item: s.item.clone(),
            weight_kg: s.weight_kg,
            dimensions_cm: s.dimensions_cm,
            pieces: s.pieces,
            declared_value: s.declared_value,
            insured: s.insured,
            freight: s.freight,
            shipped_at: s.shipped_at,
            promised_at: s.promised_at,
            status: s.status,
            last_scan_at: s.last_scan_at,
            events: s.events.iter().map(Into::into).collect(),
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A shipment with sender and recipient masked (张*, 138****8000, district only).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "MaskedShipment")]
pub struct MaskedShipmentView {
    waybill_no: String,
    carrier: String,
    product: String,
    sender: MaskedPartyView,
    recipient: MaskedPartyView,
    item: String,
    #[schemars(with = "Money")]
    weight_kg: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<[Money; 3]>")]
    dimensions_cm: Option<[Decimal; 3]>,
    pieces: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Money>")]
    declared_value: Option<Decimal>,
    insured: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Money>")]
    freight: Option<Decimal>,
    #[schemars(with = "DateTime")]
    shipped_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    promised_at: Option<Timestamp>,
    #[schemars(with = "ShipmentStatusCode")]
    status: kefu_model::shipment::ShipmentStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    last_scan_at: Option<Timestamp>,
    events: Vec<ScanView>,
    version: i64,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
}

impl From<&MaskedShipment> for MaskedShipmentView {
    fn from(s: &MaskedShipment) -> Self {
        MaskedShipmentView {
            waybill_no: s.waybill_no.clone(),
            carrier: s.carrier.clone(),
            product: s.product.clone(),
            sender: (&s.sender).into(),
            recipient: (&s.recipient).into(),
            item: s.item.clone(),
            weight_kg: s.weight_kg,
            dimensions_cm: s.dimensions_cm,
            pieces: s.pieces,
            declared_value: s.declared_value,
            insured: s.insured,
            freight: s.freight,
            shipped_at: s.shipped_at,
            promised_at: s.promised_at,
            status: s.status,
            last_scan_at: s.last_scan_at,
            events: s.events.iter().map(Into::into).collect(),
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// Scans added to a shipment: how many were new, how many were already there.
#[derive(Serialize, JsonSchema)]
pub struct ScanResult {
    pub added: usize,
    pub duplicates: usize,
    pub shipment: ShipmentView,
}

/// A shipment as a customer may see it in a tracking answer.
#[derive(Serialize, JsonSchema)]
pub struct TrackedShipmentView {
    waybill_no: String,
    carrier: String,
    #[schemars(with = "ShipmentStatusCode")]
    status: kefu_model::shipment::ShipmentStatus,
    status_label: &'static str,
    #[schemars(with = "DateTime")]
    shipped_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    promised_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    last_scan_at: Option<Timestamp>,
    sender: MaskedPartyView,
    recipient: MaskedPartyView,
    events: Vec<ScanView>,
}

impl From<&kefu_model::tracking::ShipmentView> for TrackedShipmentView {
    fn from(s: &kefu_model::tracking::ShipmentView) -> Self {
        TrackedShipmentView {
            waybill_no: s.waybill_no.clone(),
            carrier: s.carrier.clone(),
            status: s.status,
            status_label: s.status_label,
            shipped_at: s.shipped_at,
            promised_at: s.promised_at,
            last_scan_at: s.last_scan_at,
            sender: (&s.sender).into(),
            recipient: (&s.recipient).into(),
            events: s.events.iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct TrackingActionView {
    #[schemars(with = "ActionKindCode")]
    kind: kefu_model::tracking::ActionKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<CategoryCode>")]
    category: Option<kefu_model::Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<PriorityCode>")]
    priority: Option<kefu_model::Priority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    due_at: Option<Timestamp>,
}

impl From<&kefu_model::tracking::Action> for TrackingActionView {
    fn from(a: &kefu_model::tracking::Action) -> Self {
        TrackingActionView {
            kind: a.kind,
            category: a.category,
            priority: a.priority,
            due_at: a.due_at,
        }
    }
}

/// Where is my parcel: the standard answer, and the case it opened if asked to.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "TrackingAnswer")]
pub struct TrackingAnswerView {
    #[schemars(with = "OutcomeCode")]
    outcome: kefu_model::tracking::Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    answer: String,
    answer_en: String,
    actions: Vec<TrackingActionView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shipment: Option<TrackedShipmentView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matches: Vec<TrackedShipmentView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    carrier: Option<CandidateView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    case: Option<CaseView>,
}

impl TrackingAnswerView {
    /// `case` is the view of the case the query opened, if it opened one.
    pub fn of(a: &kefu_model::parcels::TrackingAnswer, case: Option<CaseView>) -> Self {
        TrackingAnswerView {
            outcome: a.outcome,
            reason: a.reason.clone(),
            answer: a.answer.clone(),
            answer_en: a.answer_en.clone(),
            actions: a.actions.iter().map(Into::into).collect(),
            shipment: a.shipment.as_ref().map(Into::into),
            matches: a.matches.iter().map(Into::into).collect(),
            carrier: a.carrier.as_ref().map(Into::into),
            case,
        }
    }
}

/// Province, city and district of a free-text address.
#[derive(Serialize, JsonSchema)]
#[serde(transparent)]
#[schemars(rename = "ParsedAddress")]
pub struct ParsedAddressView(#[schemars(with = "AnyObject")] pub kefu_regions::ParsedAddress);

/// A configuration document as stored (its shape is the setting's own).
#[derive(Serialize, JsonSchema)]
#[serde(transparent)]
#[schemars(rename = "Setting")]
pub struct SettingView(#[schemars(with = "AnyJson")] pub Value);

/// A price: zone, weights, fees, coverage, prohibited items, vehicle (the rate card's shape).
#[derive(Serialize, JsonSchema)]
#[serde(transparent)]
#[schemars(rename = "Quote")]
pub struct QuoteView(#[schemars(with = "AnyObject")] pub Value);

#[derive(Serialize, JsonSchema)]
pub struct CourierView {
    id: String,
    name: String,
    phone: String,
}

impl From<&kefu_model::pickup::Courier> for CourierView {
    fn from(c: &kefu_model::pickup::Courier) -> Self {
        CourierView {
            id: c.id.clone(),
            name: c.name.clone(),
            phone: c.phone.clone(),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct PickupChangeView {
    #[schemars(with = "DateTime")]
    at: Timestamp,
    by: String,
    #[schemars(with = "PickupStatusCode")]
    status: kefu_model::pickup::PickupStatus,
    #[serde(skip_serializing_if = "String::is_empty")]
    note: String,
}

impl From<&kefu_model::pickup::PickupChange> for PickupChangeView {
    fn from(c: &kefu_model::pickup::PickupChange) -> Self {
        PickupChangeView {
            at: c.at,
            by: c.by.clone(),
            status: c.status,
            note: c.note.clone(),
        }
    }
}

/// What every view of a pickup shows alike; the views differ only in how much of the parties
/// they show.
#[derive(Serialize, JsonSchema)]
pub struct PickupParts {
    id: String,
    number: String,
    version: i64,
    #[schemars(with = "PickupStatusCode")]
    status: kefu_model::pickup::PickupStatus,
    item: String,
    #[schemars(with = "Money")]
    weight_kg: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<[Money; 3]>")]
    dimensions_cm: Option<[Decimal; 3]>,
    pieces: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Money>")]
    declared_value: Option<Decimal>,
    insured: bool,
    product: String,
    /// The quote as the customer saw it when booking.
    #[schemars(with = "AnyObject")]
    quote: Value,
    review_required: bool,
    /// The outlet's organisation key.
    #[serde(skip_serializing_if = "Option::is_none")]
    outlet: Option<String>,
    /// The outlet's organisation id.
    #[serde(skip_serializing_if = "Option::is_none")]
    organisation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    courier: Option<CourierView>,
    /// The time window agreed with the customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    window_from: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    window_to: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    estimated_pickup_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waybill_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    case_id: Option<String>,
    history: Vec<PickupChangeView>,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
}

impl From<&kefu_model::pickup::Pickup> for PickupParts {
    fn from(p: &kefu_model::pickup::Pickup) -> Self {
        PickupParts {
            id: p.id.clone(),
            number: p.number.clone(),
            version: p.version,
            status: p.status,
            item: p.item.clone(),
            weight_kg: p.weight_kg,
            dimensions_cm: p.dimensions_cm,
            pieces: p.pieces,
            declared_value: p.declared_value,
            insured: p.insured,
            product: p.product.clone(),
            quote: p.quote.clone(),
            review_required: p.review_required,
            outlet: p.outlet.clone(),
            organisation_id: p.organisation_id.as_ref().map(|o| o.to_string()),
            courier: p.courier.as_ref().map(Into::into),
            window_from: p.window_from,
            window_to: p.window_to,
            estimated_pickup_at: p.estimated_pickup_at,
            waybill_no: p.waybill_no.clone(),
            customer_id: p.customer_id.as_ref().map(|c| c.to_string()),
            case_id: p.case_id.as_ref().map(|c| c.to_string()),
            history: p.history.iter().map(Into::into).collect(),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A pickup: the sender's name in full, phone masked, addresses cut to the district.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Pickup")]
pub struct PickupMaskedView {
    #[serde(flatten)]
    parts: PickupParts,
    sender: MaskedPartyView,
    recipient_region: String,
}

impl From<&kefu_model::pickup::Pickup> for PickupMaskedView {
    fn from(p: &kefu_model::pickup::Pickup) -> Self {
        let masked = kefu_model::pickup::PickupView::of(p);
        PickupMaskedView {
            parts: p.into(),
            sender: (&masked.sender).into(),
            recipient_region: masked.recipient_region,
        }
    }
}

/// A pickup with the sender's phone and both addresses in full (only from the audited reveal).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "PickupFull")]
pub struct PickupFullView {
    #[serde(flatten)]
    parts: PickupParts,
    sender: PartyView,
    recipient_address: String,
    #[schemars(with = "AnyObject")]
    recipient_region: kefu_regions::ParsedAddress,
}

impl From<&kefu_model::pickup::Pickup> for PickupFullView {
    fn from(p: &kefu_model::pickup::Pickup) -> Self {
        PickupFullView {
            parts: p.into(),
            sender: PartyView::of(
                &p.sender.name,
                &p.sender.phone,
                &p.sender.address,
                &p.sender.region,
            ),
            recipient_address: p.recipient_address.clone(),
            recipient_region: p.recipient_region.clone(),
        }
    }
}

/// A pickup as the caller may see it: masked for customer service, with the sender in full for
/// the courier who collects it and their outlet.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "PickupForRole")]
pub enum PickupForRole {
    Masked(Box<PickupMaskedView>),
    Full(Box<PickupFullView>),
}

impl PickupForRole {
    pub fn of(role: kefu_model::user::Role, p: &kefu_model::pickup::Pickup) -> PickupForRole {
        if kefu_desk::pickups::sees_sender_in_full(role) {
            PickupForRole::Full(Box::new(p.into()))
        } else {
            PickupForRole::Masked(Box::new(p.into()))
        }
    }
}

// ---- histories and the audit log ----------------------------------------------------------

/// Someone saw personal data in full.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "AuditEntry")]
pub struct AuditEntryView {
    id: String,
    #[schemars(with = "DateTime")]
    at: Timestamp,
    actor: String,
    action: String,
    subject: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    reason: String,
}

impl From<kefu_model::records::AuditEntry> for AuditEntryView {
    fn from(a: kefu_model::records::AuditEntry) -> Self {
        AuditEntryView {
            id: a.id,
            at: a.at,
            actor: a.actor,
            action: a.action,
            subject: a.subject,
            reason: a.reason,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct FieldChangeView {
    /// e.g. `sender.phone`, `weight_kg`.
    field: String,
    /// Before (null when absent), masked.
    #[schemars(with = "AnyJson")]
    old: Value,
    #[schemars(with = "AnyJson")]
    new: Value,
}

/// What one upsert changed in a shipment's details.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ShipmentChange")]
pub struct ShipmentChangeView {
    waybill_no: String,
    /// The shipment version the write produced.
    version: i64,
    #[schemars(with = "DateTime")]
    at: Timestamp,
    actor: String,
    fields: Vec<FieldChangeView>,
}

impl From<kefu_model::history::ShipmentChange> for ShipmentChangeView {
    fn from(c: kefu_model::history::ShipmentChange) -> Self {
        ShipmentChangeView {
            waybill_no: c.waybill_no,
            version: c.version,
            at: c.at,
            actor: c.actor,
            fields: c
                .fields
                .into_iter()
                .map(|f| FieldChangeView {
                    field: f.field,
                    old: f.old,
                    new: f.new,
                })
                .collect(),
        }
    }
}

/// One change of a setting, an SLA policy or a calendar.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ConfigChange")]
pub struct ConfigChangeView {
    seq: i64,
    #[schemars(with = "ConfigKindCode")]
    kind: kefu_model::history::ConfigKind,
    key: String,
    #[schemars(with = "DateTime")]
    at: Timestamp,
    actor: String,
    /// The document before; null when there was none.
    #[schemars(with = "AnyJson")]
    old: Option<Value>,
    #[schemars(with = "AnyJson")]
    new: Value,
}

impl From<kefu_model::history::ConfigChange> for ConfigChangeView {
    fn from(c: kefu_model::history::ConfigChange) -> Self {
        ConfigChangeView {
            seq: c.seq,
            kind: c.kind,
            key: c.key,
            at: c.at,
            actor: c.actor,
            old: c.old,
            new: c.new,
        }
    }
}

// ---- canned replies -------------------------------------------------------------------------

#[derive(Serialize, JsonSchema)]
pub struct MacroActionsView {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<StatusCode>")]
    status: Option<kefu_model::Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<CategoryCode>")]
    category: Option<kefu_model::Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<PriorityCode>")]
    priority: Option<kefu_model::Priority>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    add_tags: Vec<String>,
}

impl From<&MacroActions> for MacroActionsView {
    fn from(a: &MacroActions) -> Self {
        MacroActionsView {
            status: a.status,
            category: a.category,
            priority: a.priority,
            add_tags: a.add_tags.clone(),
        }
    }
}

/// A reply template; with `actions` it is a macro.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Canned")]
pub struct CannedView {
    id: String,
    title: String,
    body: String,
    #[schemars(with = "ScopeCode")]
    scope: kefu_model::canned::TemplateScope,
    #[serde(skip_serializing_if = "Option::is_none")]
    department_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_id: Option<String>,
    tags: Vec<String>,
    #[schemars(with = "LanguageCode")]
    language: kefu_model::canned::TemplateLanguage,
    #[serde(skip_serializing_if = "Option::is_none")]
    actions: Option<MacroActionsView>,
    archived: bool,
    created_by: String,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    updated_by: String,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
}

impl From<&CannedReply> for CannedView {
    fn from(r: &CannedReply) -> Self {
        CannedView {
            id: r.id.clone(),
            title: r.title.clone(),
            body: r.body.clone(),
            scope: r.scope,
            department_id: r.department_id.as_ref().map(|d| d.to_string()),
            owner_id: r.owner_id.as_ref().map(|u| u.to_string()),
            tags: r.tags.clone(),
            language: r.language,
            actions: r.actions.as_ref().map(Into::into),
            archived: r.archived,
            created_by: r.created_by.clone(),
            created_at: r.created_at,
            updated_by: r.updated_by.clone(),
            updated_at: r.updated_at,
        }
    }
}

/// A template filled in for one case.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "CannedRendered")]
pub struct RenderedView {
    template_id: String,
    title: String,
    text: String,
    /// Variables without a value (shown as a placeholder).
    missing: Vec<&'static str>,
}

impl From<kefu_model::replies::RenderedReply> for RenderedView {
    fn from(r: kefu_model::replies::RenderedReply) -> Self {
        RenderedView {
            template_id: r.template_id,
            title: r.title,
            text: r.text,
            missing: r.missing,
        }
    }
}

// ---- knowledge base -----------------------------------------------------------------------

#[derive(Serialize, JsonSchema)]
pub struct ArticleTextView {
    title: String,
    /// CommonMark.
    body: String,
}

impl From<&ArticleText> for ArticleTextView {
    fn from(t: &ArticleText) -> Self {
        ArticleTextView {
            title: t.title.clone(),
            body: t.body.clone(),
        }
    }
}

/// One saved version of an article.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Article")]
pub struct ArticleView {
    id: String,
    category: String,
    tags: Vec<String>,
    #[schemars(with = "AudienceCode")]
    audience: kefu_model::kb::ArticleAudience,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_id: Option<String>,
    #[schemars(with = "Day")]
    review_by: Date,
    /// The bot intents it answers.
    #[schemars(with = "Vec<String>")]
    intents: Vec<kefu_model::nlu::Intent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    zh: Option<ArticleTextView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    en: Option<ArticleTextView>,
    archived: bool,
    version: i64,
    change_note: String,
    created_by: String,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    updated_by: String,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
}

impl From<&Article> for ArticleView {
    fn from(a: &Article) -> Self {
        ArticleView {
            id: a.id.clone(),
            category: a.category.clone(),
            tags: a.tags.clone(),
            audience: a.audience,
            owner_id: a.owner_id.as_ref().map(|u| u.to_string()),
            review_by: a.review_by,
            intents: a.intents.clone(),
            zh: a.zh.as_ref().map(Into::into),
            en: a.en.as_ref().map(Into::into),
            archived: a.archived,
            version: a.version,
            change_note: a.change_note.clone(),
            created_by: a.created_by.clone(),
            created_at: a.created_at,
            updated_by: a.updated_by.clone(),
            updated_at: a.updated_at,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct VotesView {
    helpful: i64,
    not_helpful: i64,
}

/// An article with its helpful / not-helpful votes.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ArticleWithVotes")]
pub struct ArticleWithVotes {
    #[serde(flatten)]
    article: ArticleView,
    feedback: VotesView,
}

impl ArticleWithVotes {
    pub fn of(a: &Article, counts: &HashMap<String, FeedbackCounts>) -> Self {
        let votes = counts.get(&a.id).copied().unwrap_or_default();
        ArticleWithVotes {
            article: a.into(),
            feedback: VotesView {
                helpful: votes.helpful,
                not_helpful: votes.not_helpful,
            },
        }
    }
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ArticleFeedback")]
pub struct FeedbackView {
    id: String,
    article_id: String,
    helpful: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[schemars(with = "GapSourceCode")]
    source: kefu_model::kb::GapSource,
    #[schemars(with = "DateTime")]
    at: Timestamp,
}

impl From<ArticleFeedback> for FeedbackView {
    fn from(f: ArticleFeedback) -> Self {
        FeedbackView {
            id: f.id,
            article_id: f.article_id,
            helpful: f.helpful,
            comment: f.comment,
            source: f.source,
            at: f.at,
        }
    }
}

/// A question that found nothing good, and how often it was asked.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Gap")]
pub struct GapView {
    question: String,
    count: usize,
    #[schemars(with = "Vec<GapSourceCode>")]
    sources: Vec<kefu_model::kb::GapSource>,
    #[schemars(with = "DateTime")]
    last_at: Timestamp,
    best_article_id: Option<String>,
}

impl From<GapLine> for GapView {
    fn from(g: GapLine) -> Self {
        GapView {
            question: g.question,
            count: g.count,
            sources: g.sources,
            last_at: g.last_at,
            best_article_id: g.best_article_id,
        }
    }
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ArticleCategory")]
pub struct CategoryView {
    code: String,
    name_zh: String,
    name_en: String,
}

impl From<kefu_model::kb::ArticleCategory> for CategoryView {
    fn from(c: kefu_model::kb::ArticleCategory) -> Self {
        CategoryView {
            code: c.code,
            name_zh: c.name_zh,
            name_en: c.name_en,
        }
    }
}

// ---- search, chat, routing, the bot's understanding --------------------------------------

/// One search hit the caller may see.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "SearchHit")]
pub struct SearchHitView {
    /// `case`, `customer`, `shipment` or `article`.
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    kind: kefu_model::search::SearchKind,
    id: String,
    title: String,
    /// HTML-escaped, with matches in `<mark>`.
    snippet: String,
    score: f32,
}

impl From<kefu_model::search::SearchHit> for SearchHitView {
    fn from(h: kefu_model::search::SearchHit) -> Self {
        SearchHitView {
            kind: h.kind,
            id: h.id,
            title: h.title,
            snippet: h.snippet.as_str().to_string(),
            score: h.score,
        }
    }
}

/// A chat just started: the token is shown once, to the customer's browser.
#[derive(Serialize, JsonSchema)]
pub struct ChatStarted {
    conversation_id: String,
    token: String,
    visitor_id: String,
    case_id: String,
    case_number: String,
}

impl From<kefu_model::chat::StartedChat> for ChatStarted {
    fn from(s: kefu_model::chat::StartedChat) -> Self {
        ChatStarted {
            conversation_id: s.conversation_id,
            token: s.token,
            visitor_id: s.visitor_id,
            case_id: s.case_id.to_string(),
            case_number: s.case_number,
        }
    }
}

/// A chat's frames after a sequence number, as staff see them.
#[derive(Serialize, JsonSchema)]
pub struct ChatFrames {
    pub case_id: String,
    pub case_number: String,
    pub customer_read_seq: i64,
    pub staff_read_seq: i64,
    #[schemars(with = "Option<AnyObject>")]
    pub bot: Option<kefu_model::bot::BotState>,
    /// Messages, notices and what the bot understood (`type`: message, notice, understood).
    #[schemars(with = "Vec<AnyObject>")]
    pub items: Vec<kefu_model::chat::ChatFrame>,
}

#[derive(Serialize, JsonSchema)]
pub struct SkillsView {
    #[schemars(with = "Vec<CategoryCode>")]
    categories: Vec<kefu_model::Category>,
    #[schemars(with = "Vec<ChannelCode>")]
    channels: Vec<kefu_model::Channel>,
    languages: Vec<String>,
}

impl From<&kefu_model::routing::Skills> for SkillsView {
    fn from(s: &kefu_model::routing::Skills) -> Self {
        SkillsView {
            categories: s.categories.clone(),
            channels: s.channels.clone(),
            languages: s.languages.clone(),
        }
    }
}

/// A staff member's routing profile: presence, capacity and skills.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "AgentProfile")]
pub struct AgentProfileView {
    user_id: String,
    #[schemars(with = "PresenceCode")]
    presence: kefu_model::routing::Presence,
    #[schemars(with = "DateTime")]
    presence_since: Timestamp,
    max_chats: u32,
    max_open_cases: u32,
    skills: SkillsView,
    #[schemars(with = "Option<DateTime>")]
    last_assigned_at: Option<Timestamp>,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
}

impl From<&kefu_model::routing::AgentProfile> for AgentProfileView {
    fn from(p: &kefu_model::routing::AgentProfile) -> Self {
        AgentProfileView {
            user_id: p.user_id.to_string(),
            presence: p.presence,
            presence_since: p.presence_since,
            max_chats: p.max_chats,
            max_open_cases: p.max_open_cases,
            skills: (&p.skills).into(),
            last_assigned_at: p.last_assigned_at,
            updated_at: p.updated_at,
        }
    }
}

/// An agent's presence and load.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "AgentLoad")]
pub struct AgentLoadView {
    user_id: String,
    #[schemars(with = "PresenceCode")]
    presence: kefu_model::routing::Presence,
    active_chats: u32,
    max_chats: u32,
    open_cases: u32,
    max_open_cases: u32,
    skills: SkillsView,
    #[schemars(with = "Option<DateTime>")]
    last_assigned_at: Option<Timestamp>,
}

impl From<&kefu_model::routing::AgentLoad> for AgentLoadView {
    fn from(a: &kefu_model::routing::AgentLoad) -> Self {
        AgentLoadView {
            user_id: a.user_id.to_string(),
            presence: a.presence,
            active_chats: a.active_chats,
            max_chats: a.max_chats,
            open_cases: a.open_cases,
            max_open_cases: a.max_open_cases,
            skills: (&a.skills).into(),
            last_assigned_at: a.last_assigned_at,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct EntityView {
    #[schemars(with = "String")]
    kind: kefu_model::nlu::EntityKind,
    value: String,
    /// Characters, not bytes; `end` exclusive.
    start: usize,
    end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<AnyJson>")]
    detail: Option<Value>,
}

/// What the bot understands of a text.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Understanding")]
pub struct UnderstandingView {
    #[schemars(with = "String")]
    intent: kefu_model::nlu::Intent,
    /// A probability in [0, 1].
    confidence: f64,
    entities: Vec<EntityView>,
}

impl From<kefu_model::nlu::Understanding> for UnderstandingView {
    fn from(u: kefu_model::nlu::Understanding) -> Self {
        UnderstandingView {
            intent: u.intent,
            confidence: u.confidence,
            entities: u
                .entities
                .into_iter()
                .map(|e| EntityView {
                    kind: e.kind,
                    value: e.value,
                    start: e.start,
                    end: e.end,
                    detail: e.detail,
                })
                .collect(),
        }
    }
}

/// The error body every refusal has.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Error")]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, JsonSchema)]
pub struct ErrorDetail {
    /// Stable: `invalid_field`, `not_found`, `forbidden`, `unauthenticated`, …
    pub code: &'static str,
    pub message: String,
    /// The field a 422 is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

// ---- channels -----------------------------------------------------------------------------

/// A mailbox kefu reads and answers from. Passwords are never shown: only whether each is set.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "EmailAccount")]
pub struct EmailAccountView {
    id: String,
    name: String,
    enabled: bool,
    address: String,
    display_name: String,
    imap_host: String,
    imap_port: u16,
    #[schemars(with = "MailSecurityCode")]
    imap_security: kefu_model::channels::MailSecurity,
    imap_username: String,
    imap_mailbox: String,
    imap_password_set: bool,
    smtp_host: String,
    smtp_port: u16,
    #[schemars(with = "MailSecurityCode")]
    smtp_security: kefu_model::channels::MailSecurity,
    smtp_username: String,
    smtp_password_set: bool,
    signature: String,
    /// Signatures by team (department key), replacing `signature` for that team's agents.
    team_signatures: Vec<TeamSignatureView>,
    version: i64,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
    status: MailboxStatusView,
}

/// How the mailbox's reader is doing.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "MailboxStatus")]
pub struct MailboxStatusView {
    /// Mails taken in since the account was added.
    received: u64,
    #[schemars(with = "Option<DateTime>")]
    last_ok_at: Option<Timestamp>,
    last_error: Option<String>,
    #[schemars(with = "Option<DateTime>")]
    last_error_at: Option<Timestamp>,
    uid_validity: Option<u32>,
    last_uid: Option<u32>,
}

impl EmailAccountView {
    /// `None` for an account that is not a mailbox.
    pub fn of(v: &kefu_model::channels::ChannelAccountView) -> Option<Self> {
        let a = &v.account;
        let e = a.email()?;
        Some(EmailAccountView {
            id: a.id.clone(),
            name: a.name.clone(),
            enabled: a.enabled,
            address: e.address.as_str().to_string(),
            display_name: e.display_name.clone(),
            imap_host: e.imap_host.clone(),
            imap_port: e.imap_port,
            imap_security: e.imap_security,
            imap_username: e.imap_username.clone(),
            imap_mailbox: e.imap_mailbox.clone(),
            imap_password_set: v.secret_is_set("imap_password"),
            smtp_host: e.smtp_host.clone(),
            smtp_port: e.smtp_port,
            smtp_security: e.smtp_security,
            smtp_username: e.smtp_username.clone(),
            smtp_password_set: v.secret_is_set("smtp_password"),
            signature: e.signature.clone(),
            team_signatures: e
                .team_signatures
                .iter()
                .map(|t| TeamSignatureView {
                    department: t.department.clone(),
                    signature: t.signature.clone(),
                })
                .collect(),
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
            status: MailboxStatusView {
                received: v.status.received,
                last_ok_at: v.status.last_ok_at,
                last_error: v.status.last_error.clone(),
                last_error_at: v.status.last_error_at,
                uid_validity: v.status.uid_validity,
                last_uid: v.status.last_uid,
            },
        })
    }
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "TeamSignature")]
pub struct TeamSignatureView {
    department: String,
    signature: String,
}

/// An SMS gateway notices go out through; the key is never shown.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "SmsAccount")]
pub struct SmsAccountView {
    id: String,
    name: String,
    enabled: bool,
    endpoint: String,
    sign_name: String,
    api_key_set: bool,
    /// Messages the gateway took, and how its last sends went.
    sent: u64,
    #[schemars(with = "Option<DateTime>")]
    last_ok_at: Option<Timestamp>,
    last_error: Option<String>,
    #[schemars(with = "Option<DateTime>")]
    last_error_at: Option<Timestamp>,
    version: i64,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
}

impl SmsAccountView {
    /// `None` for an account that is not an SMS gateway.
    pub fn of(v: &kefu_model::channels::ChannelAccountView) -> Option<Self> {
        let a = &v.account;
        let sms = a.sms()?;
        Some(SmsAccountView {
            id: a.id.clone(),
            name: a.name.clone(),
            enabled: a.enabled,
            endpoint: sms.endpoint.clone(),
            sign_name: sms.sign_name.clone(),
            api_key_set: v.secret_is_set("api_key"),
            sent: v.status.received,
            last_ok_at: v.status.last_ok_at,
            last_error: v.status.last_error.clone(),
            last_error_at: v.status.last_error_at,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        })
    }
}

/// A message taken in from a channel and what became of it.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "InboundMessage")]
pub struct InboundView {
    #[schemars(with = "ChannelCode")]
    channel: kefu_model::Channel,
    /// The Message-ID (or, for what could not be read, `sha256:` and the bytes' hash).
    key: String,
    account_id: String,
    #[schemars(with = "DateTime")]
    received_at: Timestamp,
    #[schemars(with = "InboundOutcomeCode")]
    outcome: kefu_model::channels::InboundOutcome,
    case_id: Option<String>,
    from: String,
    subject: String,
    detail: String,
    /// The original bytes (base64), kept for what could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    raw_base64: Option<String>,
    /// Who read it again or dismissed it, when, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    handled: Option<InboundHandlingView>,
}

/// An admin's decision on a message that could not be read.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "InboundHandling")]
pub struct InboundHandlingView {
    /// The admin, as events name actors (`user:NAME`).
    by: String,
    #[schemars(with = "DateTime")]
    at: Timestamp,
    /// Why it was dismissed; for a retake, what became of it.
    reason: String,
}

/// What reading a message again did: the message's record now, and the receipt when it was
/// taken in this time (absent: it still cannot be read, `message.detail` says why).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "InboundRetake")]
pub struct InboundRetakeView {
    pub message: InboundView,
    pub receipt: Option<MailReceiptView>,
}

impl From<&kefu_desk::channels::InboundRetake> for InboundRetakeView {
    fn from(r: &kefu_desk::channels::InboundRetake) -> Self {
        InboundRetakeView {
            message: InboundView::from(&r.record),
            receipt: r.receipt.as_ref().map(MailReceiptView::from),
        }
    }
}

impl From<&kefu_model::channels::InboundRecord> for InboundView {
    fn from(r: &kefu_model::channels::InboundRecord) -> Self {
        InboundView {
            channel: r.channel,
            key: r.dedupe_key.clone(),
            account_id: r.account_id.clone(),
            received_at: r.received_at,
            outcome: r.outcome,
            case_id: r.case_id.as_ref().map(|c| c.to_string()),
            from: r.from.clone(),
            subject: r.subject.clone(),
            detail: r.detail.clone(),
            raw_base64: r.raw_base64.clone(),
            handled: r.handled.as_ref().map(|h| InboundHandlingView {
                by: h.by.clone(),
                at: h.at,
                reason: h.reason.clone(),
            }),
        }
    }
}

/// What became of one mail handed in.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "MailReceipt")]
pub struct MailReceiptView {
    #[schemars(with = "InboundOutcomeCode")]
    outcome: kefu_model::channels::InboundOutcome,
    /// Taken in before: nothing was written now.
    duplicate: bool,
    case_id: Option<String>,
    case_number: Option<String>,
    detail: String,
}

impl From<&kefu_desk::channels::MailReceipt> for MailReceiptView {
    fn from(r: &kefu_desk::channels::MailReceipt) -> Self {
        MailReceiptView {
            outcome: r.outcome,
            duplicate: r.duplicate,
            case_id: r.case_id.as_ref().map(|c| c.to_string()),
            case_number: r.case_number.clone(),
            detail: r.detail.clone(),
        }
    }
}

/// A public reply on its way to the customer.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Delivery")]
pub struct DeliveryView {
    id: String,
    /// The case message it carries.
    message_id: String,
    #[schemars(with = "ChannelCode")]
    channel: kefu_model::Channel,
    #[schemars(with = "DeliveryStateCode")]
    state: kefu_model::channels::DeliveryState,
    attempts: u32,
    #[schemars(with = "DateTime")]
    next_attempt_at: Timestamp,
    last_error: Option<String>,
    /// The mail's own Message-ID.
    mail_message_id: Option<String>,
    subject: Option<String>,
    /// The customer's mail it answers (threading).
    in_reply_to: Option<String>,
    /// Set for a notice kefu sends by itself: received, callback_promised, resolved, survey.
    #[schemars(with = "Option<String>")]
    notice: Option<kefu_model::notices::NoticeKind>,
    /// The text sent.
    body: String,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
}

impl From<&kefu_model::channels::Delivery> for DeliveryView {
    fn from(d: &kefu_model::channels::Delivery) -> Self {
        DeliveryView {
            id: d.id.clone(),
            message_id: d.message_id.to_string(),
            channel: d.channel,
            state: d.state,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_error: d.last_error.clone(),
            mail_message_id: d.mail.as_ref().map(|m| m.message_id.clone()),
            subject: d.mail.as_ref().map(|m| m.subject.clone()),
            in_reply_to: d.mail.as_ref().and_then(|m| m.in_reply_to.clone()),
            notice: d.notice,
            body: d.body.clone(),
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// A WeChat official account or WeCom app, as an admin sees it: settings, whether each secret is
/// set (never the secret), where WeChat must send its callbacks, and how they have gone.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "WeChatAccount")]
pub struct WeChatAccountView {
    id: String,
    name: String,
    enabled: bool,
    #[schemars(with = "WeChatFlavorCode")]
    flavor: kefu_model::channels::WeChatFlavor,
    /// AppID (official account) or CorpID (WeCom).
    app_id: String,
    /// WeCom: the app's AgentID; empty for an official account.
    agent_id: String,
    api_base: String,
    /// Callbacks are AES-encrypted (WeCom always; an official account in safe mode).
    encrypted: bool,
    app_secret_set: bool,
    token_set: bool,
    encoding_aes_key_set: bool,
    /// The path to give WeChat as the callback URL, after this server's public address.
    callback_path: String,
    version: i64,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
    status: WeChatStatusView,
}

/// How the account's callbacks have gone.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "WeChatStatus")]
pub struct WeChatStatusView {
    /// Messages and events taken in since the account was added.
    received: u64,
    #[schemars(with = "Option<DateTime>")]
    last_ok_at: Option<Timestamp>,
    /// The last refused callback (bad signature, replayed timestamp), until one is taken.
    last_error: Option<String>,
    #[schemars(with = "Option<DateTime>")]
    last_error_at: Option<Timestamp>,
}

impl WeChatAccountView {
    /// `None` for an account that is not a WeChat account.
    pub fn of(v: &kefu_model::channels::ChannelAccountView) -> Option<Self> {
        let a = &v.account;
        let w = a.wechat()?;
        Some(WeChatAccountView {
            id: a.id.clone(),
            name: a.name.clone(),
            enabled: a.enabled,
            flavor: w.flavor,
            app_id: w.app_id.clone(),
            agent_id: w.agent_id.clone(),
            api_base: w.api_base.clone(),
            encrypted: w.encrypted,
            app_secret_set: v.secret_is_set("app_secret"),
            token_set: v.secret_is_set("token"),
            encoding_aes_key_set: v.secret_is_set("encoding_aes_key"),
            callback_path: format!("/hooks/wechat/{}", a.id),
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
            status: WeChatStatusView {
                received: v.status.received,
                last_ok_at: v.status.last_ok_at,
                last_error: v.status.last_error.clone(),
                last_error_at: v.status.last_error_at,
            },
        })
    }
}

// ---- the network ------------------------------------------------------------------------

/// An organisation of the network: an outlet, a sorting centre or a region.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Organisation")]
pub struct OrganisationView {
    /// Its department's id (cases can be transferred to it).
    id: String,
    key: String,
    name: String,
    #[schemars(with = "OrgKindCode")]
    kind: kefu_model::network::OrgKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    districts: Vec<String>,
    calendar: String,
    lead_minutes: u32,
    #[schemars(with = "Vec<AnyObject>")]
    contacts: Vec<kefu_model::network::Contact>,
    /// The manager's user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    manager: Option<String>,
    #[schemars(with = "Vec<AnyObject>")]
    couriers: Vec<kefu_model::network::CourierEntry>,
    active: bool,
    version: i64,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
}

impl From<&kefu_model::network::Organisation> for OrganisationView {
    fn from(o: &kefu_model::network::Organisation) -> Self {
        OrganisationView {
            id: o.id.to_string(),
            key: o.key.clone(),
            name: o.name.clone(),
            kind: o.kind,
            parent: o.parent.clone(),
            districts: o.districts.clone(),
            calendar: o.calendar.clone(),
            lead_minutes: o.lead_minutes,
            contacts: o.contacts.clone(),
            manager: o.manager.as_ref().map(|m| m.to_string()),
            couriers: o.couriers.clone(),
            active: o.active,
            version: o.version,
            updated_at: o.updated_at,
        }
    }
}

/// One step of a work order's story.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "WorkOrderEntry")]
pub struct OrderEntryView {
    #[schemars(with = "DateTime")]
    at: Timestamp,
    by: String,
    /// `replied`, `completed`, `refused`, `withdrawn`, `rerouted`, `overdue`.
    what: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    text: String,
}

/// A work order to an organisation of the network, with its deadlines and story.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "WorkOrder")]
pub struct WorkOrderView {
    id: String,
    number: String,
    case_id: String,
    #[schemars(with = "OrderKindCode")]
    kind: kefu_model::work_order::OrderKind,
    #[schemars(with = "OrderStateCode")]
    state: kefu_model::work_order::OrderState,
    /// The organisation's department id and key.
    organisation: String,
    organisation_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    waybill_no: Option<String>,
    #[schemars(with = "AnyObject")]
    details: kefu_model::work_order::OrderDetails,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<RegulatorCode>")]
    regulator: Option<kefu_model::work_order::Regulator>,
    #[schemars(with = "RoutedByCode")]
    routed_by: kefu_model::work_order::RoutedBy,
    #[schemars(with = "DateTime")]
    sent_at: Timestamp,
    sent_by: String,
    #[schemars(with = "DateTime")]
    response_due_at: Timestamp,
    #[schemars(with = "DateTime")]
    completion_due_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    responded_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    closed_at: Option<Timestamp>,
    /// The deadlines the organisation let pass.
    #[schemars(with = "Vec<OrderStageCode>")]
    late: Vec<kefu_model::work_order::OrderStage>,
    escalation_level: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    next_escalation_at: Option<Timestamp>,
    reroutes: u32,
    history: Vec<OrderEntryView>,
}

impl WorkOrderView {
    pub fn of(case_id: &kefu_model::ids::CaseId, o: &kefu_model::work_order::WorkOrder) -> Self {
        WorkOrderView {
            id: o.id.clone(),
            number: o.number.clone(),
            case_id: case_id.to_string(),
            kind: o.kind,
            state: o.state,
            organisation: o.organisation.to_string(),
            organisation_key: o.organisation_key.clone(),
            waybill_no: o.waybill_no.clone(),
            details: o.details.clone(),
            regulator: o.regulator,
            routed_by: o.routed_by,
            sent_at: o.sent_at,
            sent_by: o.sent_by.clone(),
            response_due_at: o.response_due_at,
            completion_due_at: o.completion_due_at,
            responded_at: o.responded_at,
            closed_at: o.closed_at,
            late: o.late.clone(),
            escalation_level: o.escalation_level,
            next_escalation_at: o.next_escalation_at,
            reroutes: o.reroutes,
            history: o
                .history
                .iter()
                .map(|h| OrderEntryView {
                    at: h.at,
                    by: h.by.clone(),
                    what: h.what.clone(),
                    text: h.text.clone(),
                })
                .collect(),
        }
    }
}

/// An organisation's work orders sent in a period (网点考核), with the parcels it handled.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "OrganisationFigures")]
pub struct OrgFiguresView {
    organisation: String,
    organisation_key: String,
    organisation_name: String,
    orders: i64,
    /// Orders whose response was given or let pass.
    responses_due: i64,
    responded_on_time: i64,
    /// Orders completed or refused, or past their completion deadline.
    completions_due: i64,
    /// Completed or refused by the completion deadline.
    completed_on_time: i64,
    refused: i64,
    completed: i64,
    complaints: i64,
    /// Complaints by a customer who complained about the same organisation in the 30 days before.
    repeat_complaints: i64,
    regulator_complaints: i64,
    /// Parcels handled in the period, as reported; absent when no day was reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    parcels: Option<i64>,
    /// Complaints per 10,000 parcels handled; absent without a parcel count.
    #[serde(skip_serializing_if = "Option::is_none")]
    complaints_per_10k: Option<f64>,
    /// Share of the responses due given by their deadline (0–1); absent when none was due.
    #[serde(skip_serializing_if = "Option::is_none")]
    on_time_response_rate: Option<f64>,
    /// Share of the completions due closed by their deadline (0–1).
    #[serde(skip_serializing_if = "Option::is_none")]
    on_time_completion_rate: Option<f64>,
    /// Average wall-clock minutes from sending to completion, over completed orders.
    #[serde(skip_serializing_if = "Option::is_none")]
    average_completion_minutes: Option<i64>,
}

impl OrgFiguresView {
    pub fn of(
        f: &kefu_model::work_order::OrgFigures,
        org: Option<&kefu_model::network::Organisation>,
    ) -> Self {
        let t = &f.tally;
        OrgFiguresView {
            organisation: f.organisation.to_string(),
            organisation_key: org.map(|o| o.key.clone()).unwrap_or_default(),
            organisation_name: org.map(|o| o.name.clone()).unwrap_or_default(),
            orders: t.orders,
            responses_due: t.responses_due,
            responded_on_time: t.responded_on_time,
            completions_due: t.completions_due,
            completed_on_time: t.completed_on_time,
            refused: t.refused,
            completed: t.completed,
            complaints: t.complaints,
            repeat_complaints: t.repeat_complaints,
            regulator_complaints: t.regulator_complaints,
            parcels: f.parcels,
            complaints_per_10k: f.complaints_per_10k(),
            on_time_response_rate: f.response_rate(),
            on_time_completion_rate: f.completion_rate(),
            average_completion_minutes: f.average_completion_minutes(),
        }
    }
}

// ---- satisfaction surveys ---------------------------------------------------------------------

/// A case's survey as staff see it (never the link's secret).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Survey")]
pub struct SurveyView {
    #[schemars(with = "DateTime")]
    opened_at: Timestamp,
    /// The day the figures count it on (the desk's time zone).
    #[schemars(with = "Day")]
    day: Date,
    #[schemars(with = "DateTime")]
    expires_at: Timestamp,
    /// Who served the customer when it opened (user id), and their team (department id).
    #[serde(skip_serializing_if = "Option::is_none")]
    agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    team: Option<String>,
    grade: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<SurveyAnswerView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    follow_up: Option<FollowUpView>,
}

impl From<&kefu_model::survey::Survey> for SurveyView {
    fn from(s: &kefu_model::survey::Survey) -> Self {
        SurveyView {
            opened_at: s.opened_at,
            day: s.day,
            expires_at: s.expires_at,
            agent: s.agent.as_ref().map(|a| a.to_string()),
            team: s.team.as_ref().map(|t| t.to_string()),
            grade: s.grade,
            answer: s.answer.as_ref().map(SurveyAnswerView::from),
            follow_up: s.follow_up.as_ref().map(FollowUpView::from),
        }
    }
}

/// A customer's answer.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "SurveyAnswer")]
pub struct SurveyAnswerView {
    /// 1–5.
    score: u8,
    reasons: Vec<String>,
    comment: String,
    #[schemars(with = "SurveyWayCode")]
    via: kefu_model::survey::SurveyWay,
    #[schemars(with = "DateTime")]
    at: Timestamp,
    satisfied: bool,
    poor: bool,
}

impl From<&kefu_model::survey::SurveyAnswer> for SurveyAnswerView {
    fn from(a: &kefu_model::survey::SurveyAnswer) -> Self {
        SurveyAnswerView {
            score: a.score,
            reasons: a.reasons.clone(),
            comment: a.comment.clone(),
            via: a.via,
            at: a.at,
            satisfied: a.satisfied,
            poor: a.poor,
        }
    }
}

/// The 回访 a poor answer opened.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "FollowUp")]
pub struct FollowUpView {
    #[schemars(with = "DateTime")]
    opened_at: Timestamp,
    #[schemars(with = "DateTime")]
    due_at: Timestamp,
    #[schemars(with = "FollowUpStateCode")]
    state: kefu_model::survey::FollowUpState,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<FollowUpOutcomeCode>")]
    outcome: Option<kefu_model::survey::FollowUpOutcome>,
    #[serde(skip_serializing_if = "String::is_empty")]
    note: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    closed_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    closed_by: Option<String>,
}

impl From<&kefu_model::survey::FollowUp> for FollowUpView {
    fn from(f: &kefu_model::survey::FollowUp) -> Self {
        FollowUpView {
            opened_at: f.opened_at,
            due_at: f.due_at,
            state: f.state,
            outcome: f.outcome,
            note: f.note.clone(),
            closed_at: f.closed_at,
            closed_by: f.closed_by.clone(),
        }
    }
}

/// What a survey link shows the customer: the case, whether the link expired, the answer if
/// given, and the reasons offered (`poor_reasons` below `satisfied_from`, else `good_reasons`).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "SurveyForm")]
pub struct SurveyFormView {
    case_number: String,
    subject: String,
    answered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<SurveyAnswerView>,
    satisfied_from: u8,
    good_reasons: Vec<String>,
    poor_reasons: Vec<String>,
}

impl From<&kefu_desk::survey::SurveyForm> for SurveyFormView {
    fn from(f: &kefu_desk::survey::SurveyForm) -> Self {
        SurveyFormView {
            case_number: f.case_number.clone(),
            subject: f.subject.clone(),
            answered: f.answer.is_some(),
            answer: f.answer.as_ref().map(SurveyAnswerView::from),
            satisfied_from: f.satisfied_from,
            good_reasons: f.good_reasons.clone(),
            poor_reasons: f.poor_reasons.clone(),
        }
    }
}

/// The figures of one value of a dimension (or the total).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "SurveyTally")]
pub struct SurveyTallyView {
    /// The dimension's value: a user id (agent), a department id (team), a channel or category
    /// code, a grade 1–5, a day; empty for none (no agent, no team) and for the total.
    pub key: String,
    /// The value's name, where it has one (an agent's or team's name, a code's label).
    pub label: String,
    /// Cases surveyed on the period's days.
    pub surveyed: i64,
    pub answered: i64,
    pub satisfied: i64,
    /// Answers with a poor score (they open a follow-up).
    pub poor: i64,
    /// Satisfied ÷ answered (0–1); absent when none answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub satisfaction_rate: Option<f64>,
    /// Answered ÷ surveyed (0–1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_rate: Option<f64>,
    /// The satisfaction rate reaches the target.
    pub meets_target: bool,
}

impl SurveyTallyView {
    pub fn of(t: &kefu_model::survey::SurveyTally, label: String, target_percent: u8) -> Self {
        let share = |part: i64, whole: i64| (whole > 0).then(|| part as f64 / whole as f64);
        let rate = share(t.satisfied, t.answered);
        SurveyTallyView {
            key: t.key.clone(),
            label,
            surveyed: t.surveyed,
            answered: t.answered,
            satisfied: t.satisfied,
            poor: t.poor,
            satisfaction_rate: rate,
            response_rate: share(t.answered, t.surveyed),
            meets_target: rate.is_some_and(|r| r * 100.0 >= f64::from(target_percent) - 1e-9),
        }
    }
}

/// `GET /satisfaction`: the period's figures by a dimension, against the target.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Satisfaction")]
pub struct SatisfactionView {
    #[schemars(with = "Day")]
    pub from: Date,
    #[schemars(with = "Day")]
    pub to: Date,
    #[schemars(with = "SurveyDimensionCode")]
    pub by: kefu_model::survey::SurveyDimension,
    /// The satisfaction rate aimed at (0–1).
    pub target: f64,
    /// Only the asking agent's own cases.
    pub own_only: bool,
    pub total: SurveyTallyView,
    pub rows: Vec<SurveyTallyView>,
    /// Per day of the period that has surveys (the chart).
    pub days: Vec<SurveyTallyView>,
}

/// A surveyed case behind a figure, or a follow-up of the queue.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "SurveyCase")]
pub struct SurveyCaseView {
    case_id: String,
    case_number: String,
    #[schemars(with = "Day")]
    day: Date,
    #[schemars(with = "ChannelCode")]
    channel: kefu_model::Channel,
    #[schemars(with = "CategoryCode")]
    category: kefu_model::Category,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    team: Option<String>,
    grade: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<u8>,
    satisfied: bool,
    poor: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    answered_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<FollowUpStateCode>")]
    follow_up: Option<kefu_model::survey::FollowUpState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DateTime>")]
    follow_up_due_at: Option<Timestamp>,
}

impl From<&kefu_model::survey::SurveyRow> for SurveyCaseView {
    fn from(r: &kefu_model::survey::SurveyRow) -> Self {
        SurveyCaseView {
            case_id: r.case_id.to_string(),
            case_number: r.case_number.clone(),
            day: r.day,
            channel: r.channel,
            category: r.category,
            agent: r.agent.as_ref().map(|a| a.to_string()),
            team: r.team.as_ref().map(|t| t.to_string()),
            grade: r.grade,
            score: r.score,
            satisfied: r.satisfied,
            poor: r.poor,
            answered_at: r.answered_at,
            follow_up: r.follow_up,
            follow_up_due_at: r.follow_up_due_at,
        }
    }
}
