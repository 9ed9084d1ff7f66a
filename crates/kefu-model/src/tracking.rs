//! "Where is my parcel?" (R-TRK-1..9): from a shipment and the time, decide which of the
//! standard answers applies, word it for the customer and say what the desk should do next.
//! Pure: the caller looks the shipment up and passes the clock's `now`.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::codes::{Category, Priority};
use crate::error::DomainError;
use crate::shipment::{MaskedParty, Scan, Shipment, ShipmentStatus};
use crate::string_enum::string_enum;

string_enum!(
    Outcome {
        WithResult => "with_result", Delay => "delay", NoResult => "no_result",
        FoundByFacts => "found_by_facts", NotFound => "not_found", OtherCarrier => "other_carrier",
        Expired => "expired",
    }
);

string_enum!(
    /// What the customer says is wrong, when they say it; steers the case opened from a query.
    Issue {
        NotReceived => "not_received", Damaged => "damaged", Delay => "delay",
        WrongItem => "wrong_item", ChangeDelivery => "change_delivery", Other => "other",
    }
);

/// Thresholds of the tracking workflows; stored as the `tracking` setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackingPolicy {
    /// Only the shipping scan and nothing since for this long: `no_result`.
    pub no_result_after_hours: u32,
    /// No scan for this long while in a status: `delay`. Statuses not listed never go stale.
    pub stale_after_hours: BTreeMap<ShipmentStatus, u32>,
    /// Shipments older than this are past the records we answer from (R-TRK-8).
    pub expire_after_days: u32,
    /// The reply time promised when the customer must wait for an answer.
    pub reply_within_hours: u32,
}

impl Default for TrackingPolicy {
    fn default() -> Self {
        TrackingPolicy {
            no_result_after_hours: 24,
            stale_after_hours: BTreeMap::from([
                (ShipmentStatus::PickedUp, 24),
                (ShipmentStatus::InTransit, 48),
                (ShipmentStatus::AtHub, 24),
                (ShipmentStatus::OutForDelivery, 12),
            ]),
            expire_after_days: 365,
            reply_within_hours: 24,
        }
    }
}

impl TrackingPolicy {
    pub fn validate(&self) -> Result<(), DomainError> {
        let hours = |field: &str, h: u32| {
            if (1..=24 * 90).contains(&h) {
                Ok(())
            } else {
                Err(DomainError::invalid(field, "1 to 2160 hours"))
            }
        };
        hours("no_result_after_hours", self.no_result_after_hours)?;
        hours("reply_within_hours", self.reply_within_hours)?;
        for (status, h) in &self.stale_after_hours {
            hours(&format!("stale_after_hours.{status}"), *h)?;
        }
        if !(30..=3660).contains(&self.expire_after_days) {
            return Err(DomainError::invalid("expire_after_days", "30 to 3660 days"));
        }
        Ok(())
    }
}

string_enum!(
    ActionKind {
        CommitReply => "commit_reply", OpenCase => "open_case", ConfirmAddress => "confirm_address",
        AskForNumber => "ask_for_number", ReferToCarrier => "refer_to_carrier",
    }
);

/// A next step for the desk (or the bot) after answering.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    pub kind: ActionKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<Timestamp>,
}

impl Action {
    fn of(kind: ActionKind) -> Action {
        Action {
            kind,
            category: None,
            priority: None,
            due_at: None,
        }
    }

    fn open_case(category: Category, priority: Priority) -> Action {
        Action {
            category: Some(category),
            priority: Some(priority),
            ..Action::of(ActionKind::OpenCase)
        }
    }
}

/// A shipment as a customer may see it: names and phones masked, addresses cut to the district.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShipmentView {
    pub waybill_no: String,
    pub carrier: String,
    pub status: ShipmentStatus,
    pub status_label: &'static str,
    pub shipped_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promised_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_scan_at: Option<Timestamp>,
    pub sender: MaskedParty,
    pub recipient: MaskedParty,
    pub events: Vec<Scan>,
}

impl ShipmentView {
    pub fn of(s: &Shipment) -> ShipmentView {
        ShipmentView {
            waybill_no: s.waybill_no.clone(),
            carrier: s.carrier.clone(),
            status: s.status,
            status_label: s.status.label_zh(),
            shipped_at: s.shipped_at,
            promised_at: s.promised_at,
            last_scan_at: s.last_scan_at,
            sender: s.sender.masked(),
            recipient: s.recipient.masked(),
            events: s.events.clone(),
        }
    }
}

/// The decision for one shipment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub outcome: Outcome,
    /// Why a `delay`, in the scans' own words where they give one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub answer: String,
    pub answer_en: String,
    pub actions: Vec<Action>,
}

fn local(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned_datetime(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

fn hours_between(from: Timestamp, to: Timestamp) -> i64 {
    to.duration_since(from).as_hours()
}

/// Words in a scan description that explain a hold-up to a customer.
const REASON_WORDS: &[&str] = &[
    "天气",
    "暴雨",
    "台风",
    "大雪",
    "冰雪",
    "管控",
    "交通",
    "地址",
    "电话",
    "联系不上",
    "无人",
    "拒收",
    "破损",
    "海关",
    "清关",
    "安检",
    "积压",
    "爆仓",
    "滞留",
    "疫情",
    "停运",
    "节假日",
];

fn scan_reason(shipment: &Shipment) -> Option<String> {
    let last = shipment.events.last()?;
    let explains = last.code == ShipmentStatus::Exception
        || REASON_WORDS.iter().any(|w| last.description.contains(w));
    (explains && !last.description.is_empty()).then(|| last.description.clone())
}

/// Decides the answer for a shipment we hold.
pub fn assess(
    shipment: &Shipment,
    now: Timestamp,
    policy: &TrackingPolicy,
    tz: &TimeZone,
) -> Assessment {
    let no = &shipment.waybill_no;
    let reply_by = now
        .saturating_add(SignedDuration::from_hours(i64::from(
            policy.reply_within_hours,
        )))
        .unwrap_or(now);
    let commit = Action {
        due_at: Some(reply_by),
        ..Action::of(ActionKind::CommitReply)
    };
    if hours_between(shipment.shipped_at, now) > i64::from(policy.expire_after_days) * 24 {
        return Assessment {
            outcome: Outcome::Expired,
            reason: None,
            answer: format!(
                "运单 {no} 寄出已超过 {} 天，超出可查询的记录期限，系统中已无详细轨迹。如需查询请提供寄件凭证，我们为您人工核实。",
                policy.expire_after_days
            ),
            answer_en: format!(
                "Waybill {no} was shipped more than {} days ago, beyond the period we keep tracking records. Please send proof of shipment and we will check by hand.",
                policy.expire_after_days
            ),
            actions: vec![Action::open_case(Category::Inquiry, Priority::P4)],
        };
    }
    let latest = shipment.events.last();
    let latest_zh = latest
        .map(|s| {
            format!(
                "最新记录：{} {} {}",
                local(s.at, tz),
                s.location,
                if s.description.is_empty() {
                    s.code.label_zh()
                } else {
                    &s.description
                }
            )
        })
        .unwrap_or_else(|| "暂无物流记录".to_string());
    let latest_en = latest
        .map(|s| {
            format!(
                "latest scan: {} at {} ({})",
                local(s.at, tz),
                s.location,
                s.code.label_en()
            )
        })
        .unwrap_or_else(|| "no scans yet".to_string());
    let status = shipment.status;
    match status {
        ShipmentStatus::Delivered | ShipmentStatus::Returned => {
            let at = shipment
                .last_scan_at
                .map(|t| local(t, tz))
                .unwrap_or_default();
            return Assessment {
                outcome: Outcome::WithResult,
                reason: None,
                answer: format!(
                    "运单 {no} 已于 {at} {}。{latest_zh}。如您未收到，请告诉我们，我们会立即为您核实。",
                    status.label_zh()
                ),
                answer_en: format!(
                    "Waybill {no} was {} at {at}; {latest_en}.",
                    status.label_en()
                ),
                actions: vec![],
            };
        }
        _ => {}
    }
    // No movement since the shipping scan: takes precedence over any delay.
    let only_shipping_scan = shipment
        .events
        .iter()
        .all(|s| matches!(s.code, ShipmentStatus::Created | ShipmentStatus::PickedUp));
    let quiet_since = shipment.last_scan_at.unwrap_or(shipment.shipped_at);
    let quiet_hours = hours_between(quiet_since, now);
    if only_shipping_scan && quiet_hours > i64::from(policy.no_result_after_hours) {
        return Assessment {
            outcome: Outcome::NoResult,
            reason: None,
            answer: format!(
                "运单 {no} 自 {} 揽收后暂未更新物流信息，请您放心，包裹不会丢失。我们已登记并会在 {} 前回复您，请先帮我们确认收件地址是否正确。",
                local(quiet_since, tz),
                local(reply_by, tz)
            ),
            answer_en: format!(
                "Waybill {no} has had no scan since it was picked up at {}. Please don't worry: we have logged it and will reply by {}. Could you confirm the delivery address?",
                local(quiet_since, tz),
                local(reply_by, tz)
            ),
            actions: vec![
                Action::of(ActionKind::ConfirmAddress),
                commit,
                Action::open_case(Category::Delay, Priority::P3),
            ],
        };
    }
    let promised_passed = shipment.promised_at.filter(|p| *p < now);
    let stale = policy
        .stale_after_hours
        .get(&status)
        .filter(|h| quiet_hours > i64::from(**h));
    if status == ShipmentStatus::Exception || promised_passed.is_some() || stale.is_some() {
        let reason = scan_reason(shipment);
        let why_zh = match (&reason, promised_passed, stale) {
            (Some(r), _, _) => format!("原因：{r}"),
            (None, Some(p), _) => format!("已超过承诺送达时间 {}", local(p, tz)),
            (None, None, Some(_)) => format!("已有 {quiet_hours} 小时没有新的物流记录"),
            (None, None, None) => "包裹在途中出现异常".to_string(),
        };
        let why_en = match (&reason, promised_passed, stale) {
            (Some(r), _, _) => format!("reason given by the scans: {r}"),
            (None, Some(p), _) => format!("the promised delivery time {} has passed", local(p, tz)),
            (None, None, Some(_)) => format!("there has been no scan for {quiet_hours} hours"),
            (None, None, None) => "the parcel hit a problem on the way".to_string(),
        };
        return Assessment {
            outcome: Outcome::Delay,
            reason,
            answer: format!(
                "非常抱歉，运单 {no} 出现延误，{why_zh}。当前状态：{}，{latest_zh}。我们已为您登记催办，将在 {} 前给您答复。",
                status.label_zh(),
                local(reply_by, tz)
            ),
            answer_en: format!(
                "We are sorry: waybill {no} is delayed; {why_en}. Status: {}, {latest_en}. We have chased it and will reply by {}.",
                status.label_en(),
                local(reply_by, tz)
            ),
            actions: vec![commit, Action::open_case(Category::Delay, Priority::P2)],
        };
    }
    let eta_zh = shipment
        .promised_at
        .map(|p| format!("预计 {} 前送达。", local(p, tz)))
        .unwrap_or_default();
    let eta_en = shipment
        .promised_at
        .map(|p| format!(" Expected by {}.", local(p, tz)))
        .unwrap_or_default();
    Assessment {
        outcome: Outcome::WithResult,
        reason: None,
        answer: format!(
            "运单 {no} 当前状态：{}，{latest_zh}。{eta_zh}",
            status.label_zh()
        ),
        answer_en: format!(
            "Waybill {no} is {}; {latest_en}.{eta_en}",
            status.label_en()
        ),
        actions: vec![],
    }
}

/// The case to open for an outcome, given what the customer says is wrong: category and
/// priority. Delivered but "not received" is a lost parcel and urgent.
pub fn case_for(
    outcome: Outcome,
    status: Option<ShipmentStatus>,
    issue: Option<Issue>,
    actions: &[Action],
) -> (Category, Priority) {
    match (issue, status) {
        (Some(Issue::NotReceived), Some(ShipmentStatus::Delivered)) => {
            (Category::Lost, Priority::P2)
        }
        (Some(Issue::Damaged), _) => (Category::Damaged, Priority::P2),
        (Some(Issue::WrongItem), _) => (Category::Complaint, Priority::P2),
        (Some(Issue::ChangeDelivery), _) => (Category::ChangeDelivery, Priority::P3),
        _ => actions
            .iter()
            .find(|a| a.kind == ActionKind::OpenCase)
            .and_then(|a| a.category.zip(a.priority))
            .unwrap_or(match outcome {
                Outcome::Delay | Outcome::NoResult => (Category::Delay, Priority::P2),
                _ => (Category::Track, Priority::P3),
            }),
    }
}

/// The polite answer when nothing matches the facts given.
pub fn not_found(waybill_no: Option<&str>) -> Assessment {
    let (answer, answer_en) = match waybill_no {
        Some(no) => (
            format!(
                "暂未查到运单 {no} 的信息。可能是刚下单还未揽收，或单号有误，请核对单号后再试；如仍查不到，请提供寄件人手机号，我们为您人工查询。"
            ),
            format!(
                "We have no record of waybill {no} yet. It may not have been picked up, or the number may be mistyped; please check it, or give us the sender's mobile number and we will look it up."
            ),
        ),
        None => (
            "根据您提供的信息暂未查到包裹。为保护寄收件人隐私，我们只能按运单号或寄/收件人手机号查询，请提供运单号（可在寄件凭证或商家订单中找到）。".to_string(),
            "We found no parcel matching those details. To protect senders' and recipients' privacy we can only look parcels up by waybill number or by the sender's or recipient's mobile number; please give us the waybill number (on the receipt or in the shop's order).".to_string(),
        ),
    };
    Assessment {
        outcome: Outcome::NotFound,
        reason: None,
        answer,
        answer_en,
        actions: vec![Action::of(ActionKind::AskForNumber)],
    }
}

/// A number of another carrier's.
pub fn other_carrier(waybill_no: &str, carrier_name: &str) -> Assessment {
    Assessment {
        outcome: Outcome::OtherCarrier,
        reason: None,
        answer: format!(
            "单号 {waybill_no} 看起来是{carrier_name}的运单，不是本公司承运的包裹，请联系{carrier_name}查询。"
        ),
        answer_en: format!(
            "{waybill_no} looks like a {carrier_name} waybill, not one of ours; please ask {carrier_name}."
        ),
        actions: vec![Action::of(ActionKind::ReferToCarrier)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shipment::{ShipmentDraft, parse_shipment};
    use crate::waybill::Recognizer;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn shipment(promised: &str) -> Shipment {
        let d: ShipmentDraft = serde_json::from_value(serde_json::json!({
            "waybill_no": "SF1234567890123",
            "carrier": "ours",
            "sender": {"name": "张三", "phone": "13800138000", "address": "深圳市南山区"},
            "recipient": {"name": "李四", "phone": "13900139000", "address": "北京市朝阳区"},
            "item": "衣服", "weight_kg": 1, "shipped_at": "2026-11-20T02:00:00Z",
            "promised_at": promised
        }))
        .unwrap();
        parse_shipment(&d, &Recognizer::default(), ts("2026-11-20T02:00:00Z"))
            .unwrap()
            .0
    }

    fn scan(at: &str, code: ShipmentStatus, description: &str) -> Scan {
        Scan {
            at: ts(at),
            code,
            location: "深圳".into(),
            outlet: String::new(),
            description: description.into(),
        }
    }

    fn outcome(s: &Shipment, now: &str) -> Assessment {
        assess(
            s,
            ts(now),
            &TrackingPolicy::default(),
            &TimeZone::get("Asia/Shanghai").unwrap(),
        )
    }

    #[test]
    fn each_outcome_from_the_scans() {
        let mut s = shipment("2026-11-23T10:00:00Z");
        s.merge_scans(vec![scan(
            "2026-11-20T03:00:00Z",
            ShipmentStatus::PickedUp,
            "已揽收",
        )]);
        // Fresh pickup: answer at once.
        assert_eq!(
            outcome(&s, "2026-11-20T10:00:00Z").outcome,
            Outcome::WithResult
        );
        // Only the shipping scan for more than 24 h: no_result, even after the promise passed.
        let a = outcome(&s, "2026-11-24T10:00:00Z");
        assert_eq!(a.outcome, Outcome::NoResult);
        assert!(
            a.actions
                .iter()
                .any(|x| x.kind == ActionKind::ConfirmAddress)
        );
        // Moving, but past the promise: delay.
        s.merge_scans(vec![scan(
            "2026-11-21T03:00:00Z",
            ShipmentStatus::InTransit,
            "运输中",
        )]);
        let a = outcome(&s, "2026-11-23T12:00:00Z");
        assert_eq!(a.outcome, Outcome::Delay);
        assert!(a.answer.contains("承诺送达时间"), "{}", a.answer);
        // An exception scan gives its reason.
        s.merge_scans(vec![scan(
            "2026-11-22T03:00:00Z",
            ShipmentStatus::Exception,
            "受台风影响航班取消",
        )]);
        let a = outcome(&s, "2026-11-22T04:00:00Z");
        assert_eq!(
            (a.outcome, a.reason.as_deref()),
            (Outcome::Delay, Some("受台风影响航班取消"))
        );
        s.merge_scans(vec![scan(
            "2026-11-23T03:00:00Z",
            ShipmentStatus::Delivered,
            "已签收",
        )]);
        assert_eq!(
            outcome(&s, "2026-11-23T05:00:00Z").outcome,
            Outcome::WithResult
        );
        assert_eq!(
            outcome(&s, "2027-12-01T00:00:00Z").outcome,
            Outcome::Expired
        );
    }

    #[test]
    fn stale_status_without_promise_is_a_delay() {
        let mut s = shipment("2026-12-30T00:00:00Z");
        s.merge_scans(vec![
            scan("2026-11-20T03:00:00Z", ShipmentStatus::PickedUp, ""),
            scan(
                "2026-11-20T09:00:00Z",
                ShipmentStatus::AtHub,
                "到达深圳转运中心",
            ),
        ]);
        assert_eq!(
            outcome(&s, "2026-11-21T08:00:00Z").outcome,
            Outcome::WithResult
        );
        let a = outcome(&s, "2026-11-21T10:00:00Z");
        assert_eq!(a.outcome, Outcome::Delay);
        assert!(a.answer.contains("25 小时"), "{}", a.answer);
    }

    #[test]
    fn not_received_after_delivery_is_a_lost_parcel() {
        let (c, p) = case_for(
            Outcome::WithResult,
            Some(ShipmentStatus::Delivered),
            Some(Issue::NotReceived),
            &[],
        );
        assert_eq!((c, p), (Category::Lost, Priority::P2));
        let a = [Action::open_case(Category::Delay, Priority::P2)];
        assert_eq!(
            case_for(Outcome::Delay, Some(ShipmentStatus::InTransit), None, &a),
            (Category::Delay, Priority::P2)
        );
    }

    #[test]
    fn policy_validation_names_the_field() {
        let mut p = TrackingPolicy::default();
        p.stale_after_hours.insert(ShipmentStatus::AtHub, 0);
        match p.validate() {
            Err(DomainError::Invalid { field, .. }) => {
                assert_eq!(field, "stale_after_hours.at_hub")
            }
            other => panic!("{other:?}"),
        }
    }
}
