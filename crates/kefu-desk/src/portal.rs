//! What customers do for themselves on the public portal (R-CH web forms): track a parcel,
//! submit an inquiry or complaint, look up a case with its number and their phone, rate the
//! service. The portal acts as a system account; a customer proves who they are only by knowing
//! a case number together with its phone, and never sees anyone else's data.

use kefu_model::case::Case;
use kefu_model::codes::Channel;
use kefu_model::customer::{CustomerView, Phone};
use kefu_model::drafts::{CaseDraft, CustomerDraft};
use kefu_model::error::DomainError;
use kefu_model::portal::{CUSTOMER_CATEGORIES, Inquiry, portal_actor};
use kefu_model::shipment::{MaskedShipment, Shipment};
use kefu_model::survey::{AnswerDraft, SurveyWay};
use kefu_model::user::{Actor, Role};

use crate::desk::{Desk, DeskResult};

impl Desk {
    /// A web-form inquiry or complaint becomes a case; its number is the customer's receipt.
    pub async fn portal_inquiry(&self, form: Inquiry) -> DeskResult<Case> {
        if !CUSTOMER_CATEGORIES.contains(&form.category) {
            return Err(DomainError::invalid(
                "category",
                "not a category customers can pick",
            ));
        }
        let message = form.message.trim();
        if message.chars().count() < 5 {
            return Err(DomainError::invalid(
                "message",
                "tell us a little more (5 characters or more)",
            ));
        }
        let subject: String = message.chars().take(40).collect();
        let waybill = form.waybill_no.trim();
        let draft = CaseDraft {
            channel: Channel::Web,
            subject,
            description: message.to_string(),
            customer_id: None,
            customer: Some(CustomerDraft {
                name: Some(form.name.trim().to_string()).filter(|n| !n.is_empty()),
                phone: Some(form.phone.clone()),
                ..CustomerDraft::default()
            }),
            category: Some(form.category),
            priority: None,
            waybill_no: (!waybill.is_empty()).then(|| waybill.to_string()),
            tags: vec!["portal".to_string()],
            received_at: None,
        };
        Ok(self.create_case(&portal_actor(), draft, None).await?.case)
    }

    /// A case, if `phone` is one of its customer's phones; otherwise "not found" (whether the
    /// number exists is not revealed either).
    pub async fn portal_case(&self, number: &str, phone: &str) -> DeskResult<Case> {
        let not_found = || DomainError::NotFound("case".into());
        let phone = Phone::parse(phone).map_err(|_| not_found())?;
        let number = number.trim().to_ascii_uppercase();
        if number.len() > 32 {
            return Err(not_found());
        }
        let case = self
            .store
            .case_by_number(&number)
            .await?
            .ok_or_else(not_found)?;
        let customer = self
            .store
            .customer_by_id(&case.customer_id)
            .await?
            .ok_or_else(not_found)?;
        if customer.phones.contains(&phone) {
            Ok(case)
        } else {
            Err(not_found())
        }
    }

    /// The customer's 1–5 rating of a resolved or closed case, once.
    pub async fn portal_rate(
        &self,
        number: &str,
        phone: &str,
        score: u8,
        comment: &str,
    ) -> DeskResult<Case> {
        let draft = AnswerDraft {
            score,
            reasons: Vec::new(),
            comment: comment.to_string(),
        };
        self.portal_answer(number, phone, draft).await
    }

    /// The portal's rate form (case number and phone): the survey's answer with the survey's
    /// rules (see `Desk::answer_survey`).
    pub async fn portal_answer(
        &self,
        number: &str,
        phone: &str,
        draft: AnswerDraft,
    ) -> DeskResult<Case> {
        let case = self.portal_case(number, phone).await?;
        self.rate_case(&case.id, draft, SurveyWay::Portal).await
    }
}

impl Desk {
    /// A customer as `actor` may see them: contacts masked for every role (R-SEC-1).
    pub async fn view_customer(&self, actor: &Actor, id: &str) -> DeskResult<CustomerView> {
        Ok(CustomerView::of(&self.get_customer(actor, id).await?))
    }

    /// A shipment as `actor` may see it: sender and recipient masked for every role. The
    /// network's staff (an organisation's staff, managers, couriers) see the parcels of their
    /// area only — others are not found, so nobody learns what another outlet carries.
    pub async fn view_shipment(
        &self,
        actor: &Actor,
        waybill_no: &str,
    ) -> DeskResult<MaskedShipment> {
        if !actor.can_see_customers() && actor.role.is_department_bound() {
            let not_found = || DomainError::NotFound(format!("shipment {waybill_no}"));
            let no = kefu_model::case::parse_waybill_no(waybill_no).ok_or_else(not_found)?;
            let shipment = self.store.shipment(&no).await?.ok_or_else(not_found)?;
            return match self.parcel_in_area(actor, &shipment).await? {
                Some(true) => Ok(MaskedShipment::of(&shipment)),
                Some(false) => Err(not_found()),
                None => Err(DomainError::Forbidden(
                    "this role cannot see shipments".into(),
                )),
            };
        }
        Ok(MaskedShipment::of(
            &self.get_shipment(actor, waybill_no).await?,
        ))
    }

    /// A customer with full contact details, for staff who need them (to call back, say). Lists
    /// show phones masked; every reveal is recorded with who, when and why (R-SEC-1).
    pub async fn reveal_customer(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
    ) -> DeskResult<kefu_model::customer::Customer> {
        let reason = reveal_reason(actor, reason)?;
        let customer = self.get_customer(actor, id).await?;
        self.record_reveal(actor, format!("customer:{}", customer.id), reason)
            .await?;
        Ok(customer)
    }

    /// A shipment with its sender and recipient in full (names, phones, addresses); recorded
    /// like a customer's reveal, under the same role rule.
    pub async fn reveal_shipment(
        &self,
        actor: &Actor,
        waybill_no: &str,
        reason: &str,
    ) -> DeskResult<Shipment> {
        let reason = reveal_reason(actor, reason)?;
        let shipment = self.get_shipment(actor, waybill_no).await?;
        self.record_reveal(actor, format!("shipment:{}", shipment.waybill_no), reason)
            .await?;
        Ok(shipment)
    }

    /// A pickup with its sender's phone and both addresses in full; recorded like the others.
    pub async fn reveal_pickup(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
    ) -> DeskResult<kefu_model::pickup::Pickup> {
        let reason = reveal_reason(actor, reason)?;
        let pickup = self.get_pickup(actor, id).await?;
        self.record_reveal(actor, format!("pickup:{}", pickup.number), reason)
            .await?;
        Ok(pickup)
    }

    async fn record_reveal(&self, actor: &Actor, subject: String, reason: &str) -> DeskResult<()> {
        self.audit(actor, "reveal_contacts", subject, reason).await
    }

    /// The audit log, newest first; admins and supervisors only.
    pub async fn audit_log(
        &self,
        actor: &Actor,
        subject: Option<&str>,
        limit: Option<u32>,
    ) -> DeskResult<Vec<kefu_model::records::AuditEntry>> {
        if !matches!(actor.role, Role::Admin | Role::Supervisor) {
            return Err(DomainError::Forbidden(
                "the audit log is for supervisors".into(),
            ));
        }
        Ok(self
            .store
            .audit_entries(subject, limit.unwrap_or(100).clamp(1, 1000))
            .await?)
    }
}

/// The checks before any reveal, in order: the role may see contacts in full
/// ([`Actor::can_reveal_contacts`]), and says why in 1–200 characters. A refused reveal writes
/// nothing to the audit log.
fn reveal_reason<'a>(actor: &Actor, reason: &'a str) -> DeskResult<&'a str> {
    if !actor.can_reveal_contacts() {
        return Err(DomainError::Forbidden(
            "this role cannot see contact details in full".into(),
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(DomainError::invalid(
            "reason",
            "say why you need the full details (1–200 characters)",
        ));
    }
    Ok(reason)
}
