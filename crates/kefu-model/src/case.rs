//! A case (工单) and its event stream. The stored [`Case`] is a projection: the fold of its events
//! through [`Case::apply`]. Events are only ever appended.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::claim::Claim;
use crate::codes::{Category, Channel, Priority, Status, Visibility};
use crate::ids::{CaseId, CustomerId, DepartmentId, MessageId, UserId};
use crate::sla_clock::{ClockChange, ClockKind, ClockState, SlaClock};
use crate::string_enum::string_enum;

/// The current state of a case, rebuilt from its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub number: String,
    /// The sequence number of the last event applied; the store's optimistic-concurrency token.
    pub version: i64,
    pub status: Status,
    pub channel: Channel,
    pub subject: String,
    pub description: String,
    pub category: Category,
    pub priority: Priority,
    pub customer_id: CustomerId,
    pub assignee: Option<UserId>,
    pub department: Option<DepartmentId>,
    pub waybill_nos: Vec<String>,
    pub tags: Vec<String>,
    pub received_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub reopen_count: i64,
    pub message_count: i64,
    /// The service clocks (see `sla`), folded from the `sla_*` events.
    #[serde(default)]
    pub sla: Vec<crate::sla_clock::SlaClock>,
    /// Promises made to the customer.
    #[serde(default)]
    pub commitments: Vec<Commitment>,
    /// 0 agent, 1 supervisor, 2 manager.
    #[serde(default)]
    pub escalation_level: u8,
    /// Claims for lost or damaged parcels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<Claim>,
    /// The deadline of the department the case is with, if the transfer set one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_due_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub department_overdue: bool,
    /// The customer's rating of the service (1–5), once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
    /// The bot's side of a chat it answers first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<crate::bot::BotState>,
    /// How staff made sure the caller is the customer, the latest time they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_confirmed: Option<IdentityConfirmation>,
    /// The kinds of notice the customer was sent about this case (a receipt and a survey go
    /// out once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices_sent: Vec<crate::notices::NoticeKind>,
    /// Work orders sent to the network's organisations about this case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub work_orders: Vec<crate::work_order::WorkOrder>,
    /// The satisfaction survey: opened once when first resolved, answered once, and the
    /// follow-up a poor answer calls for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<crate::survey::Survey>,
    /// How the case was handled, for the figures: contacts, transfers, departments' answers.
    #[serde(default)]
    pub handling: Handling,
    /// Why the problem happened and how the case ended: the last `root_cause_recorded`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<crate::causes::RootCause>,
}

/// Counters the figures need that no other field keeps (R-MG-2, R-SP-4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handling {
    /// Times the customer reached us about this case: the first contact and each message
    /// they wrote since.
    pub contacts: i64,
    /// Transfers to a department.
    pub transfers: i64,
    /// The department the case went to last (it stays after the department answers back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_department: Option<DepartmentId>,
    /// When the case went to the department it is with, until that department answers back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferred_at: Option<Timestamp>,
    /// Answers back from departments, and the wall-clock milliseconds they took in all.
    pub department_answers: i64,
    pub department_answer_millis: i64,
}

string_enum!(
    /// What the caller proved they know: an order number, a waybill of theirs, their account.
    IdentityMethod { OrderNumber => "order_number", Waybill => "waybill", Account => "account" }
);

/// Staff confirmed the caller's identity: how, by whom, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityConfirmation {
    pub method: IdentityMethod,
    pub by: ActorRef,
    pub at: Timestamp,
}

string_enum!(
    CommitmentState { Open => "open", Kept => "kept", Missed => "missed" }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commitment {
    pub id: String,
    pub due_at: Timestamp,
    pub remind_at: Timestamp,
    pub note: String,
    pub made_by: String,
    pub state: CommitmentState,
    pub reminded: bool,
}

/// Who did something: a user, the customer, or the system itself (classifier, automation).
pub type ActorRef = String;

/// One appended fact about a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub case_id: CaseId,
    pub seq: i64,
    pub actor: ActorRef,
    pub at: Timestamp,
    #[serde(flatten)]
    pub data: EventData,
}

/// What happened. The `type` tag is the event type shown in the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum EventData {
    Created {
        number: String,
        channel: Channel,
        subject: String,
        description: String,
        category: Category,
        priority: Priority,
        customer_id: CustomerId,
        waybill_nos: Vec<String>,
        tags: Vec<String>,
        received_at: Timestamp,
        /// `caller` when category and priority were given, else the classifier's name.
        classified_by: String,
        /// A chat the bot answers first: the first-response clock waits for the handover.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        bot: bool,
    },
    MessageAdded {
        message_id: MessageId,
        body: String,
        visibility: Visibility,
        /// `staff` or `customer`: who wrote it, independent of which account relayed it.
        author_kind: String,
        /// A call logged by staff (the agent phoned the customer): it reaches the customer
        /// whatever its visibility.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        call: bool,
        /// The sender's own id for the message (chat clients resend after a reconnect): a
        /// message with an id the case already has is not stored again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        /// Images and files sent with it (stored apart, see `chat::Attachment`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<crate::attachment::Attachment>,
    },
    /// What the bot understood of a customer message and where its dialogue stands.
    BotTurn {
        /// The customer message it answered.
        message_id: MessageId,
        understood: crate::nlu::Understanding,
        state: crate::bot::BotState,
    },
    /// The bot hands the conversation to a person; the first-response clock starts now.
    HandedOver {
        reason: String,
    },
    StatusChanged {
        from: Status,
        to: Status,
    },
    Reopened {
        from: Status,
        reason: Option<String>,
    },
    PriorityChanged {
        from: Priority,
        to: Priority,
    },
    CategoryChanged {
        from: Category,
        to: Category,
    },
    Assigned {
        from: Option<UserId>,
        to: Option<UserId>,
    },
    Transferred {
        from: Option<DepartmentId>,
        to: Option<DepartmentId>,
        /// By when the department should answer back.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due_at: Option<Timestamp>,
    },
    /// The department a case was transferred to let its deadline pass.
    DepartmentOverdue {
        department: DepartmentId,
    },
    WaybillLinked {
        waybill_no: String,
    },
    /// A pickup was booked from the case (the order itself is its own document).
    PickupBooked {
        pickup_id: String,
        number: String,
    },
    /// A pickup booked from (or for) the case moved on: dispatched to a courier, accepted,
    /// the courier arrived, collected, failed (the note says why) or was cancelled. The
    /// courier's name and work phone and the agreed window are what the customer is told.
    PickupProgress {
        pickup_id: String,
        number: String,
        status: crate::codes::PickupStatus,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        courier_name: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        courier_phone: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window_from: Option<Timestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window_to: Option<Timestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        estimated_at: Option<Timestamp>,
    },
    TagsChanged {
        tags: Vec<String>,
    },
    SlaStarted(crate::sla_clock::ClockChange),
    SlaPaused(crate::sla_clock::ClockChange),
    SlaResumed(crate::sla_clock::ClockChange),
    /// The policy changed (new category or priority): new target, same elapsed time.
    SlaRetargeted(crate::sla_clock::ClockChange),
    SlaMet {
        clock: crate::sla_clock::ClockKind,
    },
    SlaBreached {
        clock: crate::sla_clock::ClockKind,
        due_at: Option<Timestamp>,
    },
    /// A clock reached a warning share of its target (an escalation step's `at_percent`).
    SlaWarning {
        clock: crate::sla_clock::ClockKind,
        percent: u8,
    },
    /// "We will call you back by 15:00" (R-CASE-12).
    CommitmentMade {
        id: String,
        due_at: Timestamp,
        /// When the owner is reminded (shortly before the due time).
        remind_at: Timestamp,
        note: String,
    },
    CommitmentReminded {
        id: String,
    },
    /// Kept by a public reply or a logged call before its due time.
    CommitmentKept {
        id: String,
    },
    CommitmentMissed {
        id: String,
    },
    /// One level up the ladder agent → supervisor → manager (R-SP-1).
    Escalated {
        level: u8,
        reason: String,
    },
    ClaimOpened(crate::claim::ClaimOpened),
    /// The customer rated the service after resolution (1–5): the reasons chosen from those
    /// offered, the way the answer came in, and whether the score counted as satisfied or poor
    /// by the settings of the time (absent in ratings older than surveys).
    Rated {
        score: u8,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        comment: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        reasons: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<crate::survey::SurveyWay>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        satisfied: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        poor: bool,
    },
    /// The case was surveyed (once, when first resolved on a surveyed channel): whom the
    /// figures credit (the agent and their team, the customer's grade, as they were), the day
    /// they count it on, and the hash of the secret of the customer's link.
    SurveyOpened {
        token_hash: String,
        expires_at: Timestamp,
        day: jiff::civil::Date,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<UserId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        team: Option<DepartmentId>,
        grade: u8,
    },
    /// A poor answer opened a follow-up (回访) for the supervisors, due on the business calendar.
    FollowUpOpened {
        due_at: Timestamp,
    },
    /// The follow-up's deadline passed with the follow-up still open.
    FollowUpOverdue {
        due_at: Timestamp,
    },
    /// A supervisor recorded what came of the follow-up; it is closed.
    FollowUpClosed {
        outcome: crate::survey::FollowUpOutcome,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    ClaimEvidenceAdded {
        claim_id: String,
        evidence: crate::claim::Evidence,
    },
    /// An agent assessed the loss; the compensation follows from the rules.
    ClaimProposed {
        claim_id: String,
        loss_amount: rust_decimal::Decimal,
        compensation: rust_decimal::Decimal,
        rule: String,
        due_at: Timestamp,
    },
    ClaimApproved {
        claim_id: String,
        due_at: Timestamp,
    },
    ClaimRejected {
        claim_id: String,
        reason: String,
    },
    ClaimPaid {
        claim_id: String,
        reference: String,
    },
    /// The claim's current step passed its due time.
    ClaimOverdue {
        claim_id: String,
        state: crate::claim::ClaimState,
    },
    /// The case's customer was merged into another one: the case belongs to `into` now.
    CustomerMerged {
        from: CustomerId,
        into: CustomerId,
    },
    /// Staff confirmed the caller is the customer (R-SEC-1: before giving out parcel details).
    IdentityConfirmed {
        method: IdentityMethod,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// A public reply reached the customer's channel (the mail server took it).
    DeliverySent {
        message_id: MessageId,
        channel: Channel,
    },
    /// An attempt to deliver a public reply failed. `retry_at`: when it is tried again; `None`:
    /// given up, the customer must be reached another way.
    DeliveryFailed {
        message_id: MessageId,
        channel: Channel,
        error: String,
        attempt: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_at: Option<Timestamp>,
    },
    /// kefu told the customer by itself (received, call-back promised, resolved, survey): the
    /// notice is on its way `via` a channel to `to` (masked); its delivery events name
    /// `notice_id` as their message.
    NoticeQueued {
        notice_id: MessageId,
        kind: crate::notices::NoticeKind,
        via: crate::codes::ChannelKind,
        to: String,
        text: String,
    },
    /// A notice that was due but could not go out (opted out, no way to reach the customer).
    NoticeSkipped {
        kind: crate::notices::NoticeKind,
        reason: String,
    },
    /// A work order went to an organisation of the network.
    WorkOrderSent(crate::work_order::WorkOrderSent),
    /// The organisation answered (the first answer meets the response deadline).
    WorkOrderReplied {
        order_id: String,
        text: String,
    },
    WorkOrderCompleted {
        order_id: String,
        text: String,
    },
    WorkOrderRefused {
        order_id: String,
        reason: String,
    },
    /// Customer service took the order back.
    WorkOrderWithdrawn {
        order_id: String,
        reason: String,
    },
    /// The order went to another organisation, with fresh deadlines.
    WorkOrderRerouted {
        order_id: String,
        from: DepartmentId,
        to: DepartmentId,
        to_key: String,
        reason: String,
        response_due_at: Timestamp,
        completion_due_at: Timestamp,
    },
    /// A deadline passed: `level` 1 tells the organisation and its manager, each further level
    /// the next organisation up (`escalated_to`); `next_escalation_at` is when it climbs again.
    WorkOrderOverdue {
        order_id: String,
        stage: crate::work_order::OrderStage,
        level: u8,
        escalated_to: DepartmentId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_escalation_at: Option<Timestamp>,
    },
    /// A picture or voice message the customer sent (by WeChat) was downloaded and is kept on
    /// the case as `attachment`; `message_id` is the customer's message it came with.
    MediaSaved {
        message_id: MessageId,
        kind: crate::media::MediaKind,
        attachment: crate::attachment::Attachment,
    },
    /// How the case ended (a resolution code), why the problem happened (causes of the
    /// `root_causes` setting), the organisation responsible and the lesson, given when resolving
    /// or closing, or later; `amended` when it replaces an earlier record. `day` is the local
    /// day the Pareto counts it on; `region` and `origin` the provinces (division codes) of the
    /// first parcel's recipient and sender as they were.
    RootCauseRecorded {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        causes: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        organisation: Option<DepartmentId>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        organisation_name: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        lesson: String,
        day: jiff::civil::Date,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        region: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        origin: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        amended: bool,
    },
}

impl EventData {
    /// The work order an event is about, if it is one of an order's events.
    pub fn work_order_id(&self) -> Option<&str> {
        match self {
            EventData::WorkOrderSent(sent) => Some(&sent.order_id),
            EventData::WorkOrderReplied { order_id, .. }
            | EventData::WorkOrderCompleted { order_id, .. }
            | EventData::WorkOrderRefused { order_id, .. }
            | EventData::WorkOrderWithdrawn { order_id, .. }
            | EventData::WorkOrderRerouted { order_id, .. }
            | EventData::WorkOrderOverdue { order_id, .. } => Some(order_id),
            _ => None,
        }
    }

    /// A staff answer the customer gets: a public reply or a logged call.
    pub fn reaches_customer(&self) -> bool {
        matches!(self, EventData::MessageAdded { visibility, author_kind, call, .. }
            if author_kind == "staff" && (*visibility == Visibility::Public || *call))
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            EventData::Created { .. } => "created",
            EventData::MessageAdded { .. } => "message_added",
            EventData::BotTurn { .. } => "bot_turn",
            EventData::HandedOver { .. } => "handed_over",
            EventData::StatusChanged { .. } => "status_changed",
            EventData::Reopened { .. } => "reopened",
            EventData::PriorityChanged { .. } => "priority_changed",
            EventData::CategoryChanged { .. } => "category_changed",
            EventData::Assigned { .. } => "assigned",
            EventData::Transferred { .. } => "transferred",
            EventData::DepartmentOverdue { .. } => "department_overdue",
            EventData::WaybillLinked { .. } => "waybill_linked",
            EventData::PickupBooked { .. } => "pickup_booked",
            EventData::PickupProgress { .. } => "pickup_progress",
            EventData::TagsChanged { .. } => "tags_changed",
            EventData::SlaStarted(_) => "sla_started",
            EventData::SlaPaused(_) => "sla_paused",
            EventData::SlaResumed(_) => "sla_resumed",
            EventData::SlaRetargeted(_) => "sla_retargeted",
            EventData::SlaMet { .. } => "sla_met",
            EventData::SlaBreached { .. } => "sla_breached",
            EventData::SlaWarning { .. } => "sla_warning",
            EventData::CommitmentMade { .. } => "commitment_made",
            EventData::CommitmentReminded { .. } => "commitment_reminded",
            EventData::CommitmentKept { .. } => "commitment_kept",
            EventData::CommitmentMissed { .. } => "commitment_missed",
            EventData::Escalated { .. } => "escalated",
            EventData::ClaimOpened(_) => "claim_opened",
            EventData::Rated { .. } => "rated",
            EventData::SurveyOpened { .. } => "survey_opened",
            EventData::FollowUpOpened { .. } => "follow_up_opened",
            EventData::FollowUpOverdue { .. } => "follow_up_overdue",
            EventData::FollowUpClosed { .. } => "follow_up_closed",
            EventData::ClaimEvidenceAdded { .. } => "claim_evidence_added",
            EventData::ClaimProposed { .. } => "claim_proposed",
            EventData::ClaimApproved { .. } => "claim_approved",
            EventData::ClaimRejected { .. } => "claim_rejected",
            EventData::DeliverySent { .. } => "delivery_sent",
            EventData::DeliveryFailed { .. } => "delivery_failed",
            EventData::NoticeQueued { .. } => "notice_queued",
            EventData::NoticeSkipped { .. } => "notice_skipped",
            EventData::MediaSaved { .. } => "media_saved",
            EventData::ClaimPaid { .. } => "claim_paid",
            EventData::ClaimOverdue { .. } => "claim_overdue",
            EventData::CustomerMerged { .. } => "customer_merged",
            EventData::IdentityConfirmed { .. } => "identity_confirmed",
            EventData::WorkOrderSent(_) => "work_order_sent",
            EventData::WorkOrderReplied { .. } => "work_order_replied",
            EventData::WorkOrderCompleted { .. } => "work_order_completed",
            EventData::WorkOrderRefused { .. } => "work_order_refused",
            EventData::WorkOrderWithdrawn { .. } => "work_order_withdrawn",
            EventData::WorkOrderRerouted { .. } => "work_order_rerouted",
            EventData::WorkOrderOverdue { .. } => "work_order_overdue",
            EventData::RootCauseRecorded { .. } => "root_cause_recorded",
        }
    }
}

impl Case {
    /// The projection of a case's first event.
    pub fn from_created(event: &CaseEvent) -> Option<Case> {
        let EventData::Created {
            number,
            channel,
            subject,
            description,
            category,
            priority,
            customer_id,
            waybill_nos,
            tags,
            received_at,
            bot,
            ..
        } = &event.data
        else {
            return None;
        };
        Some(Case {
            id: event.case_id.clone(),
            number: number.clone(),
            version: event.seq,
            status: Status::New,
            channel: *channel,
            subject: subject.clone(),
            description: description.clone(),
            category: *category,
            priority: *priority,
            customer_id: customer_id.clone(),
            assignee: None,
            department: None,
            waybill_nos: waybill_nos.clone(),
            tags: tags.clone(),
            received_at: *received_at,
            created_at: event.at,
            updated_at: event.at,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            reopen_count: 0,
            message_count: 0,
            sla: Vec::new(),
            commitments: Vec::new(),
            escalation_level: 0,
            claims: Vec::new(),
            department_due_at: None,
            department_overdue: false,
            rating: None,
            bot: bot.then(crate::bot::BotState::default),
            identity_confirmed: None,
            notices_sent: Vec::new(),
            work_orders: Vec::new(),
            survey: None,
            handling: Handling {
                contacts: 1,
                ..Handling::default()
            },
            root_cause: None,
        })
    }

    /// Folds one later event into the projection.
    pub fn apply(&mut self, event: &CaseEvent) {
        self.version = event.seq;
        self.updated_at = event.at;
        match &event.data {
            EventData::Created { .. } => {}
            EventData::MessageAdded { author_kind, .. } => {
                self.message_count += 1;
                if author_kind == "customer" {
                    self.handling.contacts += 1;
                }
                if event.data.reaches_customer() && self.first_response_at.is_none() {
                    self.first_response_at = Some(event.at);
                }
            }
            EventData::StatusChanged { to, .. } => self.enter_status(*to, event.at),
            EventData::Reopened { .. } => {
                self.reopen_count += 1;
                self.closed_at = None;
                self.enter_status(Status::Open, event.at);
            }
            EventData::PriorityChanged { to, .. } => self.priority = *to,
            EventData::CategoryChanged { to, .. } => self.category = *to,
            EventData::Assigned { to, .. } => self.assignee = to.clone(),
            EventData::Transferred { from, to, due_at } => {
                self.note_transfer(from.as_ref(), to.as_ref(), event.at);
                self.department = to.clone();
                self.department_due_at = to.as_ref().and(*due_at);
                self.department_overdue = false;
            }
            EventData::DepartmentOverdue { .. } => self.department_overdue = true,
            EventData::WaybillLinked { waybill_no } => {
                if !self.waybill_nos.contains(waybill_no) {
                    self.waybill_nos.push(waybill_no.clone());
                }
            }
            EventData::PickupBooked { .. } | EventData::PickupProgress { .. } => {}
            EventData::TagsChanged { tags } => self.tags = tags.clone(),
            EventData::SlaStarted(_)
            | EventData::SlaPaused(_)
            | EventData::SlaResumed(_)
            | EventData::SlaRetargeted(_)
            | EventData::SlaMet { .. }
            | EventData::SlaBreached { .. }
            | EventData::SlaWarning { .. } => self.apply_sla(&event.data, event.at),
            EventData::CommitmentMade {
                id,
                due_at,
                remind_at,
                note,
            } => self.commitments.push(Commitment {
                id: id.clone(),
                due_at: *due_at,
                remind_at: *remind_at,
                note: note.clone(),
                made_by: event.actor.clone(),
                state: CommitmentState::Open,
                reminded: false,
            }),
            EventData::CommitmentReminded { id } => {
                if let Some(c) = self.commitments.iter_mut().find(|c| c.id == *id) {
                    c.reminded = true;
                }
            }
            EventData::CommitmentKept { id } | EventData::CommitmentMissed { id } => {
                let kept = matches!(event.data, EventData::CommitmentKept { .. });
                if let Some(c) = self.commitments.iter_mut().find(|c| c.id == *id) {
                    c.state = if kept {
                        CommitmentState::Kept
                    } else {
                        CommitmentState::Missed
                    };
                }
            }
            EventData::Escalated { level, .. } => self.escalation_level = *level,
            EventData::ClaimOpened(o) => self.claims.push(Claim::opened(o, &event.actor)),
            EventData::Rated { .. }
            | EventData::SurveyOpened { .. }
            | EventData::FollowUpOpened { .. }
            | EventData::FollowUpOverdue { .. }
            | EventData::FollowUpClosed { .. } => self.apply_survey(event),
            EventData::CustomerMerged { into, .. } => self.customer_id = into.clone(),
            EventData::IdentityConfirmed { method, .. } => {
                self.identity_confirmed = Some(IdentityConfirmation {
                    method: *method,
                    by: event.actor.clone(),
                    at: event.at,
                })
            }
            EventData::BotTurn { state, .. } => self.bot = Some(state.clone()),
            EventData::NoticeQueued { kind, .. } => {
                if !self.notices_sent.contains(kind) {
                    self.notices_sent.push(*kind);
                }
            }
            EventData::HandedOver { reason } => {
                let bot = self.bot.get_or_insert_with(Default::default);
                bot.active = false;
                bot.handed_over_at = Some(event.at);
                bot.handover_reason = Some(reason.clone());
            }
            EventData::WorkOrderSent(sent) => self.work_orders.push(
                crate::work_order::WorkOrder::sent(sent, &event.actor, event.at),
            ),
            EventData::WorkOrderReplied { .. }
            | EventData::WorkOrderCompleted { .. }
            | EventData::WorkOrderRefused { .. }
            | EventData::WorkOrderWithdrawn { .. }
            | EventData::WorkOrderRerouted { .. }
            | EventData::WorkOrderOverdue { .. } => self.apply_work_order_step(event),
            EventData::RootCauseRecorded {
                code,
                causes,
                organisation,
                organisation_name,
                lesson,
                day,
                region,
                origin,
                ..
            } => {
                let amendments = self.root_cause.as_ref().map_or(0, |r| r.amendments + 1);
                self.root_cause = Some(crate::causes::RootCause {
                    code: code.clone(),
                    causes: causes.clone(),
                    organisation: organisation.clone(),
                    organisation_name: organisation_name.clone(),
                    lesson: lesson.clone(),
                    day: *day,
                    region: region.clone(),
                    origin: origin.clone(),
                    recorded_at: event.at,
                    recorded_by: event.actor.clone(),
                    amendments,
                });
            }
            _ => self.apply_claim_step(event),
        }
    }

    /// The steps of a work order after it was sent.
    fn apply_work_order_step(&mut self, event: &CaseEvent) {
        use crate::work_order::{OrderEntry, OrderStage, OrderState};
        let (id, what, text) = match &event.data {
            EventData::WorkOrderReplied { order_id, text } => (order_id, "replied", text.clone()),
            EventData::WorkOrderCompleted { order_id, text } => {
                (order_id, "completed", text.clone())
            }
            EventData::WorkOrderRefused { order_id, reason } => {
                (order_id, "refused", reason.clone())
            }
            EventData::WorkOrderWithdrawn { order_id, reason } => {
                (order_id, "withdrawn", reason.clone())
            }
            EventData::WorkOrderRerouted {
                order_id,
                to_key,
                reason,
                ..
            } => (order_id, "rerouted", format!("{to_key}：{reason}")),
            EventData::WorkOrderOverdue {
                order_id, stage, ..
            } => (order_id, "overdue", stage.as_str().to_string()),
            _ => return,
        };
        let Some(order) = self.work_orders.iter_mut().find(|o| o.id == *id) else {
            return;
        };
        order.history.push(OrderEntry {
            at: event.at,
            by: event.actor.clone(),
            what: what.to_string(),
            text,
        });
        let answered = |order: &mut crate::work_order::WorkOrder| {
            order.responded_at.get_or_insert(event.at);
            if order.escalation_stage == Some(OrderStage::Response) {
                order.escalation_stage = None;
                order.escalation_level = 0;
                order.next_escalation_at = None;
            }
        };
        let closed = |order: &mut crate::work_order::WorkOrder, state: OrderState| {
            order.state = state;
            order.closed_at = Some(event.at);
            order.next_escalation_at = None;
        };
        match &event.data {
            EventData::WorkOrderReplied { .. } => {
                answered(order);
                if order.state == OrderState::Sent {
                    order.state = OrderState::Replied;
                }
            }
            EventData::WorkOrderCompleted { .. } => {
                answered(order);
                closed(order, OrderState::Completed);
            }
            EventData::WorkOrderRefused { .. } => {
                answered(order);
                closed(order, OrderState::Refused);
            }
            EventData::WorkOrderWithdrawn { .. } => closed(order, OrderState::Withdrawn),
            EventData::WorkOrderRerouted {
                to,
                to_key,
                response_due_at,
                completion_due_at,
                ..
            } => {
                // A fresh start at the new organisation: its own deadlines, nobody late yet.
                order.organisation = to.clone();
                order.organisation_key = to_key.clone();
                order.routed_by = crate::work_order::RoutedBy::Chosen;
                order.state = OrderState::Sent;
                order.response_due_at = *response_due_at;
                order.completion_due_at = *completion_due_at;
                order.responded_at = None;
                order.late.clear();
                order.escalation_level = 0;
                order.escalation_stage = None;
                order.escalated_to = None;
                order.next_escalation_at = None;
                order.reroutes += 1;
            }
            EventData::WorkOrderOverdue {
                stage,
                level,
                escalated_to,
                next_escalation_at,
                ..
            } => {
                if !order.late.contains(stage) {
                    order.late.push(*stage);
                }
                order.escalation_level = *level;
                order.escalation_stage = Some(*stage);
                order.escalated_to = Some(escalated_to.clone());
                order.next_escalation_at = *next_escalation_at;
            }
            _ => {}
        }
    }

    /// The survey's steps: opened, answered, the follow-up.
    fn apply_survey(&mut self, event: &CaseEvent) {
        use crate::survey::{FollowUp, FollowUpState, Survey, SurveyAnswer, SurveyWay};
        match &event.data {
            EventData::Rated {
                score,
                comment,
                reasons,
                via,
                satisfied,
                poor,
            } => {
                self.rating = Some(*score);
                if let Some(s) = &mut self.survey {
                    s.answer = Some(SurveyAnswer {
                        score: *score,
                        reasons: reasons.clone(),
                        comment: comment.clone(),
                        via: via.unwrap_or(SurveyWay::Portal),
                        at: event.at,
                        satisfied: *satisfied,
                        poor: *poor,
                    });
                }
            }
            EventData::SurveyOpened {
                token_hash,
                expires_at,
                day,
                agent,
                team,
                grade,
            } => {
                self.survey = Some(Survey {
                    opened_at: event.at,
                    day: *day,
                    expires_at: *expires_at,
                    token_hash: token_hash.clone(),
                    agent: agent.clone(),
                    team: team.clone(),
                    grade: *grade,
                    answer: None,
                    follow_up: None,
                })
            }
            EventData::FollowUpOpened { due_at } => {
                if let Some(s) = &mut self.survey {
                    s.follow_up = Some(FollowUp {
                        opened_at: event.at,
                        due_at: *due_at,
                        state: FollowUpState::Open,
                        outcome: None,
                        note: String::new(),
                        closed_at: None,
                        closed_by: None,
                    });
                }
            }
            EventData::FollowUpOverdue { .. } => {
                if let Some(f) = self.survey.as_mut().and_then(|s| s.follow_up.as_mut())
                    && f.state == FollowUpState::Open
                {
                    f.state = FollowUpState::Overdue;
                }
            }
            EventData::FollowUpClosed { outcome, note } => {
                if let Some(f) = self.survey.as_mut().and_then(|s| s.follow_up.as_mut()) {
                    f.state = FollowUpState::Closed;
                    f.outcome = Some(*outcome);
                    f.note = note.clone();
                    f.closed_at = Some(event.at);
                    f.closed_by = Some(event.actor.clone());
                }
            }
            _ => {}
        }
    }

    /// The figures' row of this case, if it was surveyed.
    pub fn survey_row(&self) -> Option<crate::survey::SurveyRow> {
        let s = self.survey.as_ref()?;
        let answer = s.answer.as_ref();
        Some(crate::survey::SurveyRow {
            case_id: self.id.clone(),
            case_number: self.number.clone(),
            day: s.day,
            channel: self.channel,
            category: self.category,
            agent: s.agent.clone(),
            team: s.team.clone(),
            grade: s.grade,
            score: answer.map(|a| a.score),
            satisfied: answer.is_some_and(|a| a.satisfied),
            poor: answer.is_some_and(|a| a.poor),
            answered_at: answer.map(|a| a.at),
            follow_up: s.follow_up.as_ref().map(|f| f.state),
            follow_up_due_at: s.follow_up.as_ref().map(|f| f.due_at),
        })
    }

    /// The cause read model's row of this case, if a cause was recorded.
    pub fn cause_row(&self) -> Option<crate::causes::CauseRow> {
        let r = self.root_cause.as_ref()?;
        Some(crate::causes::CauseRow {
            case_id: self.id.clone(),
            case_number: self.number.clone(),
            day: r.day,
            category: self.category,
            code: r.code.clone(),
            causes: r.causes.clone(),
            organisation: r.organisation.clone(),
            region: r.region.clone(),
            origin: r.origin.clone(),
            recorded_at: r.recorded_at,
        })
    }

    /// The claim steps after opening.
    fn apply_claim_step(&mut self, event: &CaseEvent) {
        use crate::claim::ClaimState;
        let id = match &event.data {
            EventData::ClaimEvidenceAdded { claim_id, .. }
            | EventData::ClaimProposed { claim_id, .. }
            | EventData::ClaimApproved { claim_id, .. }
            | EventData::ClaimRejected { claim_id, .. }
            | EventData::ClaimPaid { claim_id, .. }
            | EventData::ClaimOverdue { claim_id, .. } => claim_id,
            _ => return,
        };
        let Some(claim) = self.claims.iter_mut().find(|c| c.id == *id) else {
            return;
        };
        match &event.data {
            EventData::ClaimEvidenceAdded { evidence, .. } => claim.evidence.push(evidence.clone()),
            EventData::ClaimProposed {
                loss_amount,
                compensation,
                rule,
                due_at,
                ..
            } => {
                claim.state = ClaimState::Proposed;
                claim.loss_amount = Some(*loss_amount);
                claim.compensation = Some(*compensation);
                claim.rule = rule.clone();
                claim.step_due_at = Some(*due_at);
                claim.overdue = false;
                claim.proposed_by = Some(event.actor.clone());
            }
            EventData::ClaimApproved { due_at, .. } => {
                claim.state = ClaimState::Approved;
                claim.step_due_at = Some(*due_at);
                claim.overdue = false;
                claim.decided_by = Some(event.actor.clone());
            }
            EventData::ClaimRejected { reason, .. } => {
                claim.state = ClaimState::Rejected;
                claim.step_due_at = None;
                claim.rejection_reason = Some(reason.clone());
                claim.decided_by = Some(event.actor.clone());
            }
            EventData::ClaimPaid { reference, .. } => {
                claim.state = ClaimState::Paid;
                claim.step_due_at = None;
                claim.payment_reference = Some(reference.clone());
                claim.paid_by = Some(event.actor.clone());
            }
            EventData::ClaimOverdue { .. } => claim.overdue = true,
            _ => {}
        }
    }

    fn enter_status(&mut self, to: Status, at: Timestamp) {
        self.status = to;
        match to {
            Status::Resolved => self.resolved_at = Some(at),
            Status::Closed => self.closed_at = Some(at),
            _ => {}
        }
    }

    /// Replays a whole stream; `None` if it does not start with `created`.
    pub fn replay(events: &[CaseEvent]) -> Option<Case> {
        let (first, rest) = events.split_first()?;
        let mut case = Case::from_created(first)?;
        for e in rest {
            case.apply(e);
        }
        Some(case)
    }
}

/// Waybill numbers are letters and digits, 8–32 long; anything else is not one (R-TRK-6 deals
/// with recognising whose it is).
pub fn parse_waybill_no(raw: &str) -> Option<String> {
    let s: String = raw.trim().to_ascii_uppercase();
    let ok = (8..=32).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric());
    ok.then_some(s)
}

impl Case {
    /// Counts a transfer to a department, or a department's answer back (the case leaves it).
    fn note_transfer(
        &mut self,
        from: Option<&DepartmentId>,
        to: Option<&DepartmentId>,
        at: Timestamp,
    ) {
        let h = &mut self.handling;
        let since = h.transferred_at.take();
        // Back from a department (not on to another one): its answer.
        if let (Some(_), None, Some(since)) = (from, to, since) {
            h.department_answers += 1;
            h.department_answer_millis += at.duration_since(since).as_millis().max(0) as i64;
        }
        if let Some(to) = to {
            h.transfers += 1;
            h.last_department = Some(to.clone());
            h.transferred_at = Some(at);
        }
    }

    pub fn clock(&self, kind: ClockKind) -> Option<&SlaClock> {
        self.sla.iter().find(|c| c.kind == kind)
    }

    /// Folds an SLA event into the clocks.
    pub(crate) fn apply_sla(&mut self, data: &EventData, at: Timestamp) {
        let upsert = |sla: &mut Vec<SlaClock>, c: &ClockChange, state: ClockState| {
            let clock = SlaClock {
                kind: c.clock,
                policy: c.policy.clone(),
                calendar: c.calendar.clone(),
                state,
                target_secs: c.target_secs,
                consumed_secs: c.consumed_secs,
                running_since: c.since,
                due_at: c.due_at,
                ended_at: None,
                warnings: c.warnings.clone(),
            };
            match sla.iter_mut().find(|x| x.kind == c.clock) {
                Some(x) => *x = clock,
                None => sla.push(clock),
            }
        };
        match data {
            EventData::SlaStarted(c) | EventData::SlaResumed(c) | EventData::SlaRetargeted(c) => {
                upsert(&mut self.sla, c, ClockState::Running)
            }
            EventData::SlaPaused(c) => upsert(&mut self.sla, c, ClockState::Paused),
            EventData::SlaWarning { clock, percent } => {
                if let Some(x) = self.sla.iter_mut().find(|x| x.kind == *clock) {
                    x.warnings.retain(|(p, _)| p != percent);
                }
            }
            EventData::SlaMet { clock } | EventData::SlaBreached { clock, .. } => {
                let breached = matches!(data, EventData::SlaBreached { .. });
                if let Some(x) = self.sla.iter_mut().find(|x| x.kind == *clock) {
                    // Either way the clock is over: a breach is reported once, not again and
                    // again while the case stays open.
                    x.state = if breached {
                        ClockState::Breached
                    } else {
                        ClockState::Met
                    };
                    x.running_since = None;
                    x.ended_at = Some(at);
                    x.warnings.clear();
                }
            }
            _ => {}
        }
    }
}
