//! Customer 360 (R-CH-6): find a customer by phone, email, a waybill of theirs or their name,
//! and see everything of theirs across every channel, newest first.

use std::collections::HashSet;

use kefu_model::customer::{Customer, Email, Phone};
use kefu_model::error::DomainError;
use kefu_model::lookup::{Customer360, NAME_MATCHES, VIEW_LIMIT};
use kefu_model::pickup::PickupQuery;
use kefu_model::records::{CaseQuery, CustomerQuery};
use kefu_model::shipment::Shipment;
use kefu_model::text::name_query;
use kefu_model::user::Actor;

use crate::desk::{Desk, DeskResult};

impl Desk {
    /// The customers a console search names: a phone or email finds its owner, a waybill its
    /// sender and recipient (those who are customers), anything else is part of a name.
    pub async fn find_customers(&self, actor: &Actor, q: &str) -> DeskResult<Vec<Customer>> {
        if !actor.can_see_customers() {
            return Err(DomainError::Forbidden(
                "this role cannot see customers".into(),
            ));
        }
        let q = q.trim();
        if q.is_empty() {
            return Err(DomainError::invalid("q", "a phone, email, waybill or name"));
        }
        if let Ok(phone) = Phone::parse(q) {
            return Ok(self
                .store
                .customer_by_contact("phone", phone.as_str())
                .await?
                .into_iter()
                .collect());
        }
        if q.contains('@') {
            let email = Email::parse(q).map_err(|m| DomainError::invalid("q", m))?;
            return Ok(self
                .store
                .customer_by_contact("email", email.as_str())
                .await?
                .into_iter()
                .collect());
        }
        if let Some(waybill) = kefu_model::case::parse_waybill_no(q)
            && let Some(sh) = self.store.shipment(&waybill).await?
        {
            let mut found: Vec<Customer> = Vec::new();
            for p in [&sh.sender.phone, &sh.recipient.phone] {
                if let Some(c) = self.store.customer_by_contact("phone", p.as_str()).await?
                    && !found.iter().any(|f| f.id == c.id)
                {
                    found.push(c);
                }
            }
            if !found.is_empty() {
                return Ok(found);
            }
        }
        let query = CustomerQuery {
            name: Some(name_query(q).map_err(|_| {
                DomainError::invalid("q", "a phone, email, waybill or 1–50 characters of a name")
            })?),
            limit: NAME_MATCHES,
            ..CustomerQuery::default()
        };
        Ok(self.store.list_customers(&query).await?.items)
    }

    /// One customer's cases, parcels, pickups and claims across every channel, newest first.
    pub async fn customer_360(&self, actor: &Actor, id: &str) -> DeskResult<Customer360> {
        let customer = self.get_customer(actor, id).await?;
        let cases = self
            .list_cases(
                actor,
                CaseQuery {
                    customer_id: Some(customer.id.clone()),
                    ..CaseQuery::default()
                },
                None,
                Some(VIEW_LIMIT),
            )
            .await?
            .items;
        let mut shipments: Vec<Shipment> = Vec::new();
        let mut pickups = self
            .store
            .list_pickups(&PickupQuery {
                customer_id: Some(customer.id.to_string()),
                limit: Some(VIEW_LIMIT),
                ..PickupQuery::default()
            })
            .await?;
        for p in &customer.phones {
            shipments.extend(
                self.store
                    .shipments_by_phone(p.as_str(), VIEW_LIMIT)
                    .await?,
            );
            pickups.extend(
                self.store
                    .list_pickups(&PickupQuery {
                        phone: Some(p.as_str().to_string()),
                        limit: Some(VIEW_LIMIT),
                        ..PickupQuery::default()
                    })
                    .await?,
            );
        }
        let mut seen = HashSet::new();
        shipments.retain(|s| seen.insert(s.waybill_no.clone()));
        shipments.sort_by_key(|s| std::cmp::Reverse(s.shipped_at));
        shipments.truncate(VIEW_LIMIT as usize);
        let mut seen = HashSet::new();
        pickups.retain(|p| seen.insert(p.id.clone()));
        pickups.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        pickups.truncate(VIEW_LIMIT as usize);
        // Cases come newest first; a case's later claims before its earlier ones.
        let claims = cases
            .iter()
            .flat_map(|c| {
                c.claims
                    .iter()
                    .rev()
                    .map(|cl| (c.number.clone(), cl.clone()))
            })
            .collect();
        Ok(Customer360 {
            customer,
            cases,
            shipments,
            pickups,
            claims,
        })
    }
}
