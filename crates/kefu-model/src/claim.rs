//! Claims for lost and damaged parcels. A claim belongs to a case and lives in its event
//! stream: opened → proposed (an agent computes the compensation by the rules) → approved or
//! rejected (a supervisor) → paid (finance). Every step is an event and has its own deadline,
//! kept by the case's timers like any other clock.

use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::string_enum::string_enum;

string_enum!(
    ClaimKind { Lost => "lost", Damaged => "damaged", Delayed => "delayed" }
);

string_enum!(
    ClaimState {
        Opened => "opened", Proposed => "proposed", Approved => "approved",
        Rejected => "rejected", Paid => "paid",
    }
);

/// A piece of evidence: a photo, a receipt, a statement. The file itself is stored elsewhere
/// (the URL); kefu keeps what it is and its checksum so it cannot be swapped silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub name: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimOpened {
    pub claim_id: String,
    pub waybill_no: String,
    pub kind: ClaimKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_value: Option<Decimal>,
    pub insured: bool,
    pub freight: Decimal,
    pub claimed_amount: Decimal,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    pub due_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    pub id: String,
    pub waybill_no: String,
    pub kind: ClaimKind,
    pub state: ClaimState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_value: Option<Decimal>,
    pub insured: bool,
    pub freight: Decimal,
    pub claimed_amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_amount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<Decimal>,
    /// How the compensation was computed, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rule: String,
    pub evidence: Vec<Evidence>,
    /// When the current step is due; `None` once the claim is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_due_at: Option<Timestamp>,
    /// The current step passed its due time (recorded once per step).
    #[serde(default)]
    pub overdue: bool,
    pub opened_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
}

impl Claim {
    pub fn opened(o: &ClaimOpened, by: &str) -> Claim {
        Claim {
            id: o.claim_id.clone(),
            waybill_no: o.waybill_no.clone(),
            kind: o.kind,
            state: ClaimState::Opened,
            declared_value: o.declared_value,
            insured: o.insured,
            freight: o.freight,
            claimed_amount: o.claimed_amount,
            loss_amount: None,
            compensation: None,
            rule: String::new(),
            evidence: o.evidence.clone(),
            step_due_at: Some(o.due_at),
            overdue: false,
            opened_by: by.to_string(),
            proposed_by: None,
            decided_by: None,
            paid_by: None,
            payment_reference: None,
            rejection_reason: None,
        }
    }

    /// Still waiting for someone to act.
    pub fn is_open(&self) -> bool {
        !matches!(self.state, ClaimState::Rejected | ClaimState::Paid)
    }
}

/// Compensation rules and step deadlines; the `claims` setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimRules {
    /// Uninsured parcels: at most this multiple of the freight (China's Postal Law default
    /// practice is three times the postage).
    pub uninsured_freight_multiple: Decimal,
    /// Hours an agent has to propose after opening, a supervisor to decide after a proposal,
    /// finance to pay after approval.
    pub hours_to_propose: u32,
    pub hours_to_decide: u32,
    pub hours_to_pay: u32,
}

impl Default for ClaimRules {
    fn default() -> Self {
        ClaimRules {
            uninsured_freight_multiple: Decimal::from(3),
            hours_to_propose: 24,
            hours_to_decide: 24,
            hours_to_pay: 72,
        }
    }
}

impl ClaimRules {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.uninsured_freight_multiple < Decimal::ZERO
            || self.uninsured_freight_multiple > Decimal::from(100)
        {
            return Err(DomainError::invalid(
                "uninsured_freight_multiple",
                "0 to 100",
            ));
        }
        for (field, h) in [
            ("hours_to_propose", self.hours_to_propose),
            ("hours_to_decide", self.hours_to_decide),
            ("hours_to_pay", self.hours_to_pay),
        ] {
            if !(1..=24 * 60).contains(&h) {
                return Err(DomainError::invalid(field, "1 to 1440 hours"));
            }
        }
        Ok(())
    }

    pub fn due(&self, now: Timestamp, hours: u32) -> Timestamp {
        now.saturating_add(SignedDuration::from_hours(i64::from(hours)))
            .unwrap_or(now)
    }

    /// The compensation for an assessed loss: insured parcels get the actual loss up to the
    /// declared value; uninsured ones the loss up to a multiple of the freight.
    pub fn compensation(&self, claim: &Claim, loss: Decimal) -> (Decimal, String) {
        let loss = loss.max(Decimal::ZERO);
        match (claim.insured, claim.declared_value) {
            (true, Some(declared)) => (
                loss.min(declared).round_dp(2),
                format!("保价件：按实际损失赔偿，以声明价值 {declared} 元为限"),
            ),
            _ => {
                let cap = (claim.freight * self.uninsured_freight_multiple).round_dp(2);
                (
                    loss.min(cap).round_dp(2),
                    format!(
                        "未保价件：按实际损失赔偿，最高为运费 {} 元的 {} 倍（{cap} 元）",
                        claim.freight, self.uninsured_freight_multiple
                    ),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(insured: bool, declared: Option<i64>, freight: i64) -> Claim {
        Claim::opened(
            &ClaimOpened {
                claim_id: "c1".into(),
                waybill_no: "YL1234567890128".into(),
                kind: ClaimKind::Lost,
                declared_value: declared.map(Decimal::from),
                insured,
                freight: Decimal::from(freight),
                claimed_amount: Decimal::from(5000),
                evidence: vec![],
                due_at: Timestamp::UNIX_EPOCH,
            },
            "user:a",
        )
    }

    #[test]
    fn insured_pays_the_loss_up_to_the_declared_value() {
        let r = ClaimRules::default();
        assert_eq!(
            r.compensation(&claim(true, Some(2000), 20), Decimal::from(1500))
                .0,
            Decimal::from(1500)
        );
        assert_eq!(
            r.compensation(&claim(true, Some(2000), 20), Decimal::from(3000))
                .0,
            Decimal::from(2000)
        );
    }

    #[test]
    fn uninsured_pays_up_to_a_multiple_of_the_freight() {
        let r = ClaimRules::default();
        assert_eq!(
            r.compensation(&claim(false, Some(2000), 20), Decimal::from(1500))
                .0,
            Decimal::from(60)
        );
        assert_eq!(
            r.compensation(&claim(false, None, 20), Decimal::from(45)).0,
            Decimal::from(45)
        );
        assert_eq!(
            r.compensation(&claim(false, None, 20), Decimal::from(-5)).0,
            Decimal::ZERO
        );
    }
}
