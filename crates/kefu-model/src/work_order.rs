//! Work orders to the network (R-NET-2, R-NET-3): customer service asks an outlet, a sorting
//! centre or a region to act on a parcel — hurry it, intercept it, change its address, trace it,
//! investigate damage or loss, answer a complaint — and chases the answer. An order belongs to
//! a case and lives in its event stream (like a claim): sent → replied → completed | refused, or
//! withdrawn by customer service; it can be re-routed to another organisation with a reason.
//! Each order has a response and a completion deadline on the organisation's calendar; a missed
//! deadline climbs the network's tree (the organisation's manager, then the centre above, then
//! the region), one step per further response window.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::claim::Evidence;
use crate::error::DomainError;
use crate::ids::{CaseId, DepartmentId};
use crate::network::{Network, Organisation};
use crate::string_enum::string_enum;

string_enum!(
    OrderKind {
        Hurry => "hurry", Intercept => "intercept", ChangeAddress => "change_address",
        Trace => "trace", DamageLoss => "damage_loss", Complaint => "complaint",
    }
);

impl OrderKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            OrderKind::Hurry => "催件",
            OrderKind::Intercept => "拦截",
            OrderKind::ChangeAddress => "改址",
            OrderKind::Trace => "查件",
            OrderKind::DamageLoss => "破损/丢失",
            OrderKind::Complaint => "投诉",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            OrderKind::Hurry => "Hurry delivery",
            OrderKind::Intercept => "Intercept",
            OrderKind::ChangeAddress => "Change address",
            OrderKind::Trace => "Trace parcel",
            OrderKind::DamageLoss => "Damage / loss",
            OrderKind::Complaint => "Complaint",
        }
    }
}

string_enum!(
    OrderState {
        Sent => "sent", Replied => "replied", Completed => "completed", Refused => "refused",
        Withdrawn => "withdrawn",
    }
);

impl OrderState {
    pub fn is_open(self) -> bool {
        matches!(self, OrderState::Sent | OrderState::Replied)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            OrderState::Sent => "待响应",
            OrderState::Replied => "处理中",
            OrderState::Completed => "已完成",
            OrderState::Refused => "已拒绝",
            OrderState::Withdrawn => "已撤回",
        }
    }
}

string_enum!(
    /// Which deadline an order let pass.
    OrderStage { Response => "response", Completion => "completion" }
);

string_enum!(
    /// Where a regulator complaint came from: the postal administration (邮政管理部门申诉) or
    /// the 12305 consumer hotline.
    Regulator { PostOffice => "post_office", Hotline12305 => "12305" }
);

string_enum!(
    /// What an intercepted parcel should do: go back to the sender, or wait at the outlet.
    InterceptAction { Return => "return", Hold => "hold" }
);

string_enum!(
    /// How the order found its organisation.
    RoutedBy { Chosen => "chosen", Scan => "scan", District => "district" }
);

/// The form of an order; which fields a kind needs is checked by [`plan_details`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderDetails {
    /// What is asked, in words.
    #[serde(default)]
    pub note: String,
    /// 改址: the new delivery address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_address: Option<String>,
    /// 拦截: return to sender or hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intercept: Option<InterceptAction>,
    /// 破损/丢失: photos and receipts by reference.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<Evidence>,
    /// 投诉: whom the complaint is about (the outlet, a courier by name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
}

/// What customer service sends to create an order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderDraft {
    pub kind: OrderKind,
    /// The parcel; one of the case's waybills (the first when there is only one).
    #[serde(default)]
    pub waybill_no: Option<String>,
    /// An organisation's key; none: the one holding the parcel, else the one serving the
    /// recipient's district.
    #[serde(default)]
    pub organisation: Option<String>,
    #[serde(default)]
    pub details: OrderDetails,
    /// Only for complaints that came through the regulator.
    #[serde(default)]
    pub regulator: Option<Regulator>,
}

/// The first event of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkOrderSent {
    pub order_id: String,
    pub number: String,
    pub kind: OrderKind,
    pub organisation: DepartmentId,
    pub organisation_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waybill_no: Option<String>,
    pub details: OrderDetails,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regulator: Option<Regulator>,
    pub routed_by: RoutedBy,
    pub response_due_at: Timestamp,
    pub completion_due_at: Timestamp,
    /// The day it was sent in the desk's time zone: the assessment's periods are whole days.
    pub sent_on: Date,
    /// A complaint the same customer made about the same organisation within
    /// [`REPEAT_WINDOW_DAYS`] before this one (its number): this one is a repeat complaint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_of: Option<String>,
}

/// How far back an earlier complaint makes a new one a repeat (重复投诉).
pub const REPEAT_WINDOW_DAYS: i64 = 30;

/// An answer or decision on an order, as the order's history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderEntry {
    pub at: Timestamp,
    pub by: String,
    /// `replied`, `completed`, `refused`, `withdrawn`, `rerouted`, `overdue`.
    pub what: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// An order as the case's projection holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkOrder {
    pub id: String,
    pub number: String,
    pub kind: OrderKind,
    pub state: OrderState,
    pub organisation: DepartmentId,
    pub organisation_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waybill_no: Option<String>,
    pub details: OrderDetails,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regulator: Option<Regulator>,
    pub routed_by: RoutedBy,
    pub sent_at: Timestamp,
    pub sent_on: Date,
    pub sent_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_of: Option<String>,
    pub response_due_at: Timestamp,
    pub completion_due_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responded_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    /// The deadlines this organisation let pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub late: Vec<OrderStage>,
    /// How far up the tree the current lateness has gone (0: nobody told yet).
    #[serde(default)]
    pub escalation_level: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_stage: Option<OrderStage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_to: Option<DepartmentId>,
    /// When the lateness climbs one more step if nothing happens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_escalation_at: Option<Timestamp>,
    #[serde(default)]
    pub reroutes: u32,
    #[serde(default)]
    pub history: Vec<OrderEntry>,
}

impl WorkOrder {
    pub fn sent(s: &WorkOrderSent, by: &str, at: Timestamp) -> WorkOrder {
        WorkOrder {
            id: s.order_id.clone(),
            number: s.number.clone(),
            kind: s.kind,
            state: OrderState::Sent,
            organisation: s.organisation.clone(),
            organisation_key: s.organisation_key.clone(),
            waybill_no: s.waybill_no.clone(),
            details: s.details.clone(),
            regulator: s.regulator,
            routed_by: s.routed_by,
            sent_at: at,
            sent_on: s.sent_on,
            sent_by: by.to_string(),
            repeat_of: s.repeat_of.clone(),
            response_due_at: s.response_due_at,
            completion_due_at: s.completion_due_at,
            responded_at: None,
            closed_at: None,
            late: Vec::new(),
            escalation_level: 0,
            escalation_stage: None,
            escalated_to: None,
            next_escalation_at: None,
            reroutes: 0,
            history: Vec::new(),
        }
    }

    /// The deadline an open order runs against: its response until it is answered, then its
    /// completion (the queue's order; the store sorts by the same rule).
    pub fn current_deadline(&self) -> Timestamp {
        if self.responded_at.is_none() {
            self.response_due_at
        } else {
            self.completion_due_at
        }
    }

    pub fn is_late(&self, stage: OrderStage) -> bool {
        self.late.contains(&stage)
    }

    /// When the case's timer must look at this order next.
    pub fn next_due(&self) -> Option<Timestamp> {
        if !self.state.is_open() {
            return None;
        }
        let response = (self.responded_at.is_none() && !self.is_late(OrderStage::Response))
            .then_some(self.response_due_at);
        let completion = (!self.is_late(OrderStage::Completion)).then_some(self.completion_due_at);
        [self.next_escalation_at, response, completion]
            .into_iter()
            .flatten()
            .min()
    }

    /// The deadlines passed by `now` and the ladder steps due: (stage, level) pairs.
    pub fn overdue_steps(&self, now: Timestamp) -> Vec<(OrderStage, u8)> {
        let mut steps = Vec::new();
        if !self.state.is_open() {
            return steps;
        }
        if self.responded_at.is_none()
            && !self.is_late(OrderStage::Response)
            && self.response_due_at <= now
        {
            steps.push((OrderStage::Response, 1));
        }
        if !self.is_late(OrderStage::Completion) && self.completion_due_at <= now {
            steps.push((OrderStage::Completion, 1));
        }
        if steps.is_empty()
            && let (Some(at), Some(stage)) = (self.next_escalation_at, self.escalation_stage)
            && at <= now
        {
            steps.push((stage, self.escalation_level.saturating_add(1)));
        }
        steps
    }

    /// The response time in seconds of wall time (for the assessment's averages).
    pub fn on_time(&self, stage: OrderStage) -> Option<bool> {
        match stage {
            OrderStage::Response => self.responded_at.map(|at| at <= self.response_due_at),
            OrderStage::Completion => match self.state {
                OrderState::Completed | OrderState::Refused => {
                    self.closed_at.map(|at| at <= self.completion_due_at)
                }
                _ => None,
            },
        }
    }
}

impl WorkOrder {
    /// What this order adds to its organisation's figures for the day it was sent. A deadline
    /// counts once it is settled: answered (on time or not) or let pass.
    pub fn tally(&self) -> OrderTally {
        let one = |b: bool| i64::from(b);
        let closed = matches!(self.state, OrderState::Completed | OrderState::Refused);
        let completed = self.state == OrderState::Completed;
        let complaint = self.kind == OrderKind::Complaint;
        OrderTally {
            orders: 1,
            responses_due: one(self.responded_at.is_some() || self.is_late(OrderStage::Response)),
            responded_on_time: one(self.on_time(OrderStage::Response) == Some(true)),
            completions_due: one(closed || self.is_late(OrderStage::Completion)),
            completed_on_time: one(self.on_time(OrderStage::Completion) == Some(true)),
            refused: one(self.state == OrderState::Refused),
            completed: one(completed),
            completion_millis: match (completed, self.closed_at) {
                (true, Some(at)) => at.duration_since(self.sent_at).as_millis() as i64,
                _ => 0,
            },
            complaints: one(complaint),
            repeat_complaints: one(complaint && self.repeat_of.is_some()),
            regulator_complaints: one(self.regulator.is_some()),
        }
    }
}

crate::tally::tally!(
    /// Sums of orders' figures (one order's, or an organisation's over days); the store keeps
    /// them per organisation and day, so an assessment reads days, not orders.
    OrderTally {
        orders,
        /// Orders whose response is given or overdue.
        responses_due,
        responded_on_time,
        /// Orders closed (completed or refused) or past their completion deadline.
        completions_due,
        /// Closed by the completion deadline.
        completed_on_time,
        refused,
        completed,
        /// Wall-clock milliseconds from sending to completion, summed over completed orders.
        completion_millis,
        complaints,
        repeat_complaints,
        regulator_complaints,
    }
);

/// The setting that holds the [`OrderRules`].
pub const RULES_SETTING: &str = "work_orders";

/// Business minutes an organisation has to respond and to finish an order of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    pub response_minutes: u32,
    pub completion_minutes: u32,
}

/// The `work_orders` setting: deadlines per kind, the regulator's own, and how long each
/// escalation step waits before climbing again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRules {
    pub deadlines: BTreeMap<OrderKind, Deadline>,
    pub regulator: Deadline,
    pub escalation_minutes: u32,
}

impl Default for OrderRules {
    /// Interceptions and address changes are urgent (the parcel may go out for delivery within
    /// hours); investigations take days. Regulator complaints must be answered to the
    /// administration within its own term, so the outlet gets one hour and one working day.
    fn default() -> Self {
        let d = |response_minutes, completion_minutes| Deadline {
            response_minutes,
            completion_minutes,
        };
        OrderRules {
            deadlines: BTreeMap::from([
                (OrderKind::Hurry, d(120, 24 * 60)),
                (OrderKind::Intercept, d(60, 4 * 60)),
                (OrderKind::ChangeAddress, d(60, 4 * 60)),
                (OrderKind::Trace, d(120, 24 * 60)),
                (OrderKind::DamageLoss, d(240, 3 * 24 * 60)),
                (OrderKind::Complaint, d(120, 2 * 24 * 60)),
            ]),
            regulator: d(60, 8 * 60),
            escalation_minutes: 120,
        }
    }
}

impl OrderRules {
    pub fn validate(&self) -> Result<(), DomainError> {
        let check = |field: String, d: &Deadline| {
            if !(1..=30 * 24 * 60).contains(&d.response_minutes) {
                return Err(DomainError::invalid(
                    format!("{field}.response_minutes"),
                    "1 to 43200",
                ));
            }
            if d.completion_minutes < d.response_minutes || d.completion_minutes > 90 * 24 * 60 {
                return Err(DomainError::invalid(
                    format!("{field}.completion_minutes"),
                    "at least the response time, at most 129600",
                ));
            }
            Ok(())
        };
        for kind in OrderKind::ALL {
            match self.deadlines.get(kind) {
                Some(d) => check(format!("deadlines.{kind}"), d)?,
                None => {
                    return Err(DomainError::invalid(
                        format!("deadlines.{kind}"),
                        "every kind needs its deadlines",
                    ));
                }
            }
        }
        check("regulator".into(), &self.regulator)?;
        if !(10..=7 * 24 * 60).contains(&self.escalation_minutes) {
            return Err(DomainError::invalid("escalation_minutes", "10 to 10080"));
        }
        Ok(())
    }

    /// The deadlines an order gets.
    pub fn deadline(&self, kind: OrderKind, regulator: Option<Regulator>) -> Deadline {
        if regulator.is_some() {
            return self.regulator;
        }
        self.deadlines.get(&kind).copied().unwrap_or(Deadline {
            response_minutes: 120,
            completion_minutes: 24 * 60,
        })
    }
}

/// Checks an order's form for its kind; returns it cleaned.
pub fn plan_details(
    kind: OrderKind,
    details: &OrderDetails,
    regulator: Option<Regulator>,
) -> Result<OrderDetails, DomainError> {
    let note = crate::text::text("details.note", &details.note, 2000, true)?;
    let optional =
        |field: &str, value: &Option<String>, max| -> Result<Option<String>, DomainError> {
            value
                .as_deref()
                .map(|v| crate::text::text(field, v, max, false))
                .transpose()
                .map(|v| v.filter(|s| !s.is_empty()))
        };
    let new_address = optional("details.new_address", &details.new_address, 200)?;
    let about = optional("details.about", &details.about, 100)?;
    if regulator.is_some() && kind != OrderKind::Complaint {
        return Err(DomainError::invalid(
            "regulator",
            "only a complaint comes through the regulator",
        ));
    }
    match kind {
        OrderKind::ChangeAddress if new_address.is_none() => {
            return Err(DomainError::invalid(
                "details.new_address",
                "a change of address needs the new address",
            ));
        }
        OrderKind::Intercept if details.intercept.is_none() => {
            return Err(DomainError::invalid(
                "details.intercept",
                "say whether the parcel goes back (return) or waits (hold)",
            ));
        }
        _ => {}
    }
    let misplaced = |field: &str, set: bool, wanted: OrderKind| {
        if set && kind != wanted {
            Err(DomainError::invalid(
                field,
                format!("only a {wanted} order takes it"),
            ))
        } else {
            Ok(())
        }
    };
    misplaced(
        "details.new_address",
        new_address.is_some(),
        OrderKind::ChangeAddress,
    )?;
    misplaced(
        "details.intercept",
        details.intercept.is_some(),
        OrderKind::Intercept,
    )?;
    misplaced(
        "details.photos",
        !details.photos.is_empty(),
        OrderKind::DamageLoss,
    )?;
    if details.photos.len() > 20 {
        return Err(DomainError::invalid("details.photos", "at most 20"));
    }
    for (i, p) in details.photos.iter().enumerate() {
        crate::text::text(&format!("details.photos[{i}].name"), &p.name, 100, true)?;
        let url = p.url.trim();
        if !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'))
            || url.len() > 500
        {
            return Err(DomainError::invalid(
                format!("details.photos[{i}].url"),
                "an http(s) link or a path on this server",
            ));
        }
    }
    Ok(OrderDetails {
        note,
        new_address,
        intercept: details.intercept,
        photos: details.photos.clone(),
        about,
    })
}

/// Where a parcel is, for routing: the outlet (key or name) of its latest scan and the division
/// code of its recipient's address.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParcelWhereabouts<'a> {
    pub last_scan_outlet: Option<&'a str>,
    pub recipient_division: Option<&'a str>,
}

/// Finds the organisation an order goes to: the one chosen, else the one whose scan the parcel
/// last passed, else the outlet serving the recipient's district.
pub fn route<'a>(
    network: &'a Network,
    chosen: Option<&str>,
    parcel: Option<ParcelWhereabouts<'_>>,
) -> Result<(&'a Organisation, RoutedBy), DomainError> {
    if let Some(key) = chosen.map(str::trim).filter(|k| !k.is_empty()) {
        return match network.by_key(key) {
            Some(org) if org.active => Ok((org, RoutedBy::Chosen)),
            Some(_) => Err(DomainError::invalid(
                "organisation",
                "this organisation is not active",
            )),
            None => Err(DomainError::invalid(
                "organisation",
                "no organisation has this key",
            )),
        };
    }
    let Some(parcel) = parcel else {
        return Err(DomainError::invalid(
            "organisation",
            "no parcel to route by: choose the organisation",
        ));
    };
    if let Some(org) = parcel
        .last_scan_outlet
        .and_then(|outlet| network.named_by_scan(outlet))
    {
        return Ok((org, RoutedBy::Scan));
    }
    match parcel
        .recipient_division
        .and_then(|code| network.outlet_serving(code))
    {
        Some(org) => Ok((org, RoutedBy::District)),
        None => Err(DomainError::invalid(
            "organisation",
            "no organisation serves this parcel's address: choose the organisation",
        )),
    }
}

/// Which orders a queue or a list shows, soonest deadline first.
#[derive(Debug, Clone, Default)]
pub struct OrderQuery {
    /// Only orders with these organisations; `None`: every organisation.
    pub organisations: Option<Vec<DepartmentId>>,
    pub open_only: bool,
    pub kind: Option<OrderKind>,
    /// Only orders sent in `[from, to)`.
    pub sent_from: Option<Timestamp>,
    pub sent_to: Option<Timestamp>,
    /// Only orders sent on the days `[from, to)` (the assessment's periods).
    pub sent_on_from: Option<Date>,
    pub sent_on_to: Option<Date>,
    /// Only the orders behind one figure of the assessment.
    pub figure: Option<OrderFigure>,
    pub limit: u32,
}

string_enum!(
    /// A figure of the assessment, to list the orders behind it (the drill-down).
    OrderFigure {
        Orders => "orders", ResponseLate => "response_late",
        CompletionLate => "completion_late", Refused => "refused", Completed => "completed",
        Complaints => "complaints", RepeatComplaints => "repeat_complaints",
        Regulator => "regulator",
    }
);

/// An order with the case it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListedOrder {
    pub case_id: CaseId,
    #[serde(flatten)]
    pub order: WorkOrder,
}

/// An organisation's orders sent in a period (the outlet assessment, 网点考核), and the parcels
/// it handled in that period when the carrier's system reports them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgFigures {
    pub organisation: DepartmentId,
    #[serde(flatten)]
    pub tally: OrderTally,
    /// Parcels handled (reported per day); `None` when no day of the period was reported.
    pub parcels: Option<i64>,
}

impl OrgFigures {
    fn share(part: i64, whole: i64) -> Option<f64> {
        (whole > 0).then(|| part as f64 / whole as f64)
    }

    /// On-time responses among the responses due (0–1); `None` when none was due.
    pub fn response_rate(&self) -> Option<f64> {
        Self::share(self.tally.responded_on_time, self.tally.responses_due)
    }

    /// Orders closed on time among those due (0–1).
    pub fn completion_rate(&self) -> Option<f64> {
        Self::share(self.tally.completed_on_time, self.tally.completions_due)
    }

    /// Complaints per 10,000 parcels handled; `None` without a parcel count.
    pub fn complaints_per_10k(&self) -> Option<f64> {
        self.parcels
            .filter(|p| *p > 0)
            .map(|p| self.tally.complaints as f64 * 10_000.0 / p as f64)
    }

    /// Average wall-clock minutes from sending to completion.
    pub fn average_completion_minutes(&self) -> Option<i64> {
        (self.tally.completed > 0)
            .then(|| self.tally.completion_millis / self.tally.completed / 60_000)
    }
}

/// The parcels an organisation handled on a day, as the carrier's system reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayVolume {
    pub day: Date,
    pub parcels: i64,
}

/// Checks a report of daily parcel volumes: at most a year of days, each once, counts in range.
pub fn plan_volumes(days: &[DayVolume]) -> Result<Vec<DayVolume>, DomainError> {
    if days.is_empty() || days.len() > 366 {
        return Err(DomainError::invalid("days", "1 to 366 days"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, d) in days.iter().enumerate() {
        if !(0..=100_000_000).contains(&d.parcels) {
            return Err(DomainError::invalid(
                format!("days[{i}].parcels"),
                "0 to 100000000",
            ));
        }
        if !seen.insert(d.day) {
            return Err(DomainError::invalid(
                format!("days[{i}].day"),
                "each day once",
            ));
        }
    }
    Ok(days.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(response: i64, completion: i64) -> WorkOrder {
        WorkOrder::sent(
            &WorkOrderSent {
                order_id: "o1".into(),
                number: "KF-1".into(),
                kind: OrderKind::Hurry,
                organisation: DepartmentId::from_stored("d".into()),
                organisation_key: "o".into(),
                waybill_no: None,
                details: OrderDetails {
                    note: "催一下".into(),
                    ..OrderDetails::default()
                },
                regulator: None,
                routed_by: RoutedBy::Chosen,
                response_due_at: Timestamp::from_second(response).unwrap(),
                completion_due_at: Timestamp::from_second(completion).unwrap(),
                sent_on: jiff::civil::date(1970, 1, 1),
                repeat_of: None,
            },
            "user:a",
            Timestamp::UNIX_EPOCH,
        )
    }

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    #[test]
    fn the_next_due_time_is_the_earliest_pending_deadline() {
        let mut o = sent(100, 1000);
        assert_eq!(o.next_due(), Some(at(100)));
        assert!(o.overdue_steps(at(99)).is_empty());
        assert_eq!(o.overdue_steps(at(100)), vec![(OrderStage::Response, 1)]);
        o.late.push(OrderStage::Response);
        o.escalation_level = 1;
        o.escalation_stage = Some(OrderStage::Response);
        o.next_escalation_at = Some(at(300));
        assert_eq!(o.next_due(), Some(at(300)));
        assert_eq!(o.overdue_steps(at(300)), vec![(OrderStage::Response, 2)]);
        // Both the ladder and the completion deadline: the new lateness comes first.
        o.next_escalation_at = Some(at(2000));
        assert_eq!(o.next_due(), Some(at(1000)));
        assert_eq!(o.overdue_steps(at(2000)), vec![(OrderStage::Completion, 1)]);
        o.state = OrderState::Completed;
        assert_eq!(o.next_due(), None);
        assert!(o.overdue_steps(at(5000)).is_empty());
    }

    #[test]
    fn an_order_counts_its_deadlines_once_they_are_settled() {
        let mut o = sent(100, 1000);
        let fresh = o.tally();
        assert_eq!(
            (fresh.orders, fresh.responses_due, fresh.completions_due),
            (1, 0, 0)
        );
        // Answered late, then completed on time.
        o.responded_at = Some(at(150));
        o.late.push(OrderStage::Response);
        o.state = OrderState::Completed;
        o.closed_at = Some(at(900));
        let t = o.tally();
        assert_eq!((t.responses_due, t.responded_on_time), (1, 0));
        assert_eq!(
            (t.completions_due, t.completed_on_time, t.completed),
            (1, 1, 1)
        );
        assert_eq!(t.completion_millis, 900_000);
        assert_eq!(t.complaints + t.repeat_complaints + t.refused, 0);
        // A change of the order is the difference of its tallies.
        let delta = t.minus(&fresh);
        assert_eq!(delta.orders, 0);
        assert_eq!(delta.completed, 1);
        assert!(t.minus(&t).is_zero());
        assert_eq!(OrderTally::from_values(&t.values()), t);
        // A repeat complaint through the regulator counts in all three.
        let mut c = sent(100, 1000);
        c.kind = OrderKind::Complaint;
        c.regulator = Some(Regulator::Hotline12305);
        c.repeat_of = Some("WO-1".into());
        c.state = OrderState::Refused;
        c.closed_at = Some(at(2000));
        let t = c.tally();
        assert_eq!(
            (t.complaints, t.repeat_complaints, t.regulator_complaints),
            (1, 1, 1)
        );
        assert_eq!(
            (t.completions_due, t.completed_on_time, t.refused),
            (1, 0, 1)
        );
        let figures = OrgFigures {
            organisation: DepartmentId::from_stored("d".into()),
            tally: t,
            parcels: Some(20_000),
        };
        assert_eq!(figures.complaints_per_10k(), Some(0.5));
        assert_eq!(figures.completion_rate(), Some(0.0));
        assert_eq!(figures.response_rate(), None);
    }

    #[test]
    fn a_volume_report_names_each_day_once() {
        let day = |d, parcels| DayVolume {
            day: jiff::civil::date(2026, 12, d),
            parcels,
        };
        assert!(plan_volumes(&[day(1, 10), day(2, 0)]).is_ok());
        let field = |days: &[DayVolume]| match plan_volumes(days) {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(&[]), "days");
        assert_eq!(field(&[day(1, 10), day(1, 5)]), "days[1].day");
        assert_eq!(field(&[day(1, -1)]), "days[0].parcels");
    }

    #[test]
    fn each_kind_asks_for_its_own_fields() {
        let note = |extra: OrderDetails| OrderDetails {
            note: "请处理".into(),
            ..extra
        };
        assert!(plan_details(OrderKind::Hurry, &note(OrderDetails::default()), None).is_ok());
        let err = |kind, d, r| match plan_details(kind, &d, r) {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            err(OrderKind::Hurry, OrderDetails::default(), None),
            "details.note"
        );
        assert_eq!(
            err(
                OrderKind::ChangeAddress,
                note(OrderDetails::default()),
                None
            ),
            "details.new_address"
        );
        assert_eq!(
            err(OrderKind::Intercept, note(OrderDetails::default()), None),
            "details.intercept"
        );
        assert_eq!(
            err(
                OrderKind::Hurry,
                note(OrderDetails {
                    new_address: Some("北京市朝阳区".into()),
                    ..OrderDetails::default()
                }),
                None
            ),
            "details.new_address"
        );
        assert_eq!(
            err(
                OrderKind::Hurry,
                note(OrderDetails::default()),
                Some(Regulator::Hotline12305)
            ),
            "regulator"
        );
        assert!(
            plan_details(
                OrderKind::Complaint,
                &note(OrderDetails::default()),
                Some(Regulator::PostOffice)
            )
            .is_ok()
        );
    }

    #[test]
    fn the_shipped_rules_are_valid_and_regulator_complaints_have_their_own() {
        let rules = OrderRules::default();
        rules.validate().unwrap();
        assert_eq!(
            rules.deadline(OrderKind::Complaint, Some(Regulator::PostOffice)),
            rules.regulator
        );
        let mut missing = rules.clone();
        missing.deadlines.remove(&OrderKind::Trace);
        assert!(missing.validate().is_err());
        let json = serde_json::to_value(&rules).unwrap();
        assert!(json["deadlines"]["change_address"].is_object());
        let back: OrderRules = serde_json::from_value(json).unwrap();
        assert_eq!(back, rules);
    }
}
