//! Correcting customers: editing one with a version and a history of every change, merging two
//! that are the same person, and confirming a caller's identity on a case. The planning is pure
//! (`customer::plan_edit`, `customer::plan_merge`, `corrections::parse_patch` in kefu-model);
//! these use cases check who may and hand one atomic write to the store.

use kefu_model::case::{Case, EventData};
use kefu_model::corrections::{CustomerPatch, IdentityRequest, MergeRequest, parse_patch};
use kefu_model::customer::{
    ChangeBy, Customer, CustomerEvent, Email, Phone, contact_keys, plan_edit, plan_merge,
};
use kefu_model::error::{DomainError, StoreError};
use kefu_model::ids::CustomerId;
use kefu_model::records::{CaseAppend, CaseQuery, CustomerWrite};
use kefu_model::text::text;
use kefu_model::user::{Actor, Role};

use crate::desk::{Desk, DeskResult, require_role};

/// How often a merge is re-planned when a case or customer changed under it.
const MERGE_RETRIES: usize = 5;

/// Cases read per page while collecting those a merge moves.
const MERGE_PAGE: u32 = 200;

fn can_edit_customers(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Supervisor | Role::Agent)
}

fn merged_conflict(c: &Customer) -> DomainError {
    DomainError::conflict(
        "customer_merged",
        format!(
            "customer {} was merged into {}; change that one instead",
            c.id,
            c.merged_into.as_ref().map_or("another", |m| m.as_str())
        ),
    )
}

fn contact_taken(kind: &str, shown: &str, owner: &CustomerId) -> DomainError {
    DomainError::conflict(
        "contact_belongs_to_other_customer",
        format!(
            "{kind} {shown} belongs to customer {owner}; if they are the same person, merge the two customers"
        ),
    )
}

impl Desk {
    /// Changes a customer's name, phones, emails, grade or tags, if it is still at the version
    /// the change was made against; every changed field is recorded as a customer event.
    /// A contact another customer has is refused, naming that customer (merge them instead).
    pub async fn edit_customer(
        &self,
        actor: &Actor,
        id: &str,
        patch: CustomerPatch,
    ) -> DeskResult<Customer> {
        require_role(
            can_edit_customers(actor),
            "only agents, supervisors and admins change customers",
        )?;
        let change = parse_patch(&patch)?;
        let current = self.get_customer(actor, id).await?;
        if current.merged_into.is_some() {
            return Err(merged_conflict(&current));
        }
        if current.version != patch.version {
            return Err(DomainError::conflict(
                "version_conflict",
                format!(
                    "the customer is at version {}, not {}; reload and try again",
                    current.version, patch.version
                ),
            ));
        }
        let name = actor.event_name();
        let by = ChangeBy {
            actor: &name,
            at: self.now(),
            reason: "",
        };
        let (changed, events) = plan_edit(&current, &change, &by);
        if events.is_empty() {
            return Ok(current);
        }
        let had = contact_keys(&current);
        for (kind, value) in contact_keys(&changed) {
            if had.iter().any(|(k, v)| *k == kind && *v == value) {
                continue;
            }
            if let Some(owner) = self.store.customer_by_contact(kind, &value).await?
                && owner.id != current.id
            {
                let shown = match kind {
                    "phone" => Phone::parse(&value).map_or(value.clone(), |p| p.masked()),
                    "email" => Email::parse(&value).map_or(value.clone(), |e| e.masked()),
                    _ => value.clone(),
                };
                return Err(contact_taken(kind, &shown, &owner.id));
            }
        }
        let write = CustomerWrite {
            customers: vec![(changed.clone(), current.version)],
            events,
            cases: Vec::new(),
        };
        match self.store.write_customers(&write).await {
            Ok(()) => Ok(changed),
            Err(StoreError::VersionConflict) => Err(DomainError::conflict(
                "version_conflict",
                "the customer was changed meanwhile; reload and try again",
            )),
            Err(StoreError::Duplicate(what)) => Err(DomainError::conflict(
                "contact_belongs_to_other_customer",
                format!(
                    "{what} already belongs to another customer; if they are the same person, merge the two customers"
                ),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// A customer's history of changes, oldest first.
    pub async fn customer_events(&self, actor: &Actor, id: &str) -> DeskResult<Vec<CustomerEvent>> {
        let customer = self.get_customer(actor, id).await?;
        Ok(self.store.customer_events(&customer.id).await?)
    }

    /// Merges customer `from` into `into`: its cases move (each with a `customer_merged`
    /// event), its phones, emails and external ids join `into`, and it is kept, marked as
    /// merged, with its history. One transaction; supervisors and admins only.
    pub async fn merge_customers(
        &self,
        actor: &Actor,
        into: &str,
        request: MergeRequest,
    ) -> DeskResult<Customer> {
        require_role(
            matches!(actor.role, Role::Admin | Role::Supervisor),
            "only supervisors and admins merge customers",
        )?;
        let reason = text("reason", &request.reason, 500, false)?;
        let from_raw = request.from.trim();
        if from_raw.is_empty() {
            return Err(DomainError::invalid("from", "the customer to merge in"));
        }
        let name = actor.event_name();
        for _ in 0..MERGE_RETRIES {
            let survivor = self.get_customer(actor, into).await?;
            let merged = self.get_customer(actor, from_raw).await?;
            if survivor.id == merged.id {
                return Err(DomainError::invalid(
                    "from",
                    "a customer cannot be merged into itself",
                ));
            }
            for c in [&survivor, &merged] {
                if c.merged_into.is_some() {
                    return Err(merged_conflict(c));
                }
            }
            let by = ChangeBy {
                actor: &name,
                at: self.now(),
                reason: &reason,
            };
            let (kept, gone, events) = plan_merge(&survivor, &merged, &by);
            let mut cases = Vec::new();
            for case in self.cases_of(&merged.id).await? {
                let change = vec![EventData::CustomerMerged {
                    from: merged.id.clone(),
                    into: survivor.id.clone(),
                }];
                let (projection, events) = self.events_for(&case, &name, change);
                cases.push(CaseAppend {
                    projection,
                    expected_version: case.version,
                    events,
                });
            }
            let write = CustomerWrite {
                customers: vec![(gone, merged.version), (kept.clone(), survivor.version)],
                events,
                cases,
            };
            match self.store.write_customers(&write).await {
                Ok(()) => return Ok(kept),
                Err(StoreError::VersionConflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(DomainError::conflict(
            "version_conflict",
            "the customers or their cases are being changed by others; try again",
        ))
    }

    /// The customer a merged one lives on as (itself when it was not merged): new cases
    /// given a merged customer's id go to the survivor.
    pub(crate) async fn survivor_of(&self, customer: Customer) -> DeskResult<Customer> {
        let mut current = customer;
        // Merges can chain (A into B, later B into C); a cycle cannot form, but stay bounded.
        for _ in 0..16 {
            let Some(next) = current.merged_into.clone() else {
                return Ok(current);
            };
            match self.store.customer_by_id(&next).await? {
                Some(c) => current = c,
                None => return Ok(current),
            }
        }
        Ok(current)
    }

    /// Every case of a customer (all pages).
    async fn cases_of(&self, id: &CustomerId) -> DeskResult<Vec<Case>> {
        let mut out: Vec<Case> = Vec::new();
        let mut before = None;
        loop {
            let page = self
                .store
                .list_cases(&CaseQuery {
                    customer_id: Some(id.clone()),
                    before: before.clone(),
                    limit: MERGE_PAGE,
                    ..CaseQuery::default()
                })
                .await?;
            let full = page.items.len() == MERGE_PAGE as usize;
            before = page.items.last().map(|c| c.id.clone());
            out.extend(page.items);
            if !full || before.is_none() {
                return Ok(out);
            }
        }
    }

    /// Records that staff confirmed the caller is the customer, and how.
    pub async fn confirm_identity(
        &self,
        actor: &Actor,
        id_or_number: &str,
        request: IdentityRequest,
    ) -> DeskResult<Case> {
        require_role(
            can_edit_customers(actor),
            "only agents, supervisors and admins confirm a caller's identity",
        )?;
        let note = text("note", &request.note, 500, false)?;
        let (case, _) = self
            .with_retries(actor, id_or_number, |_| {
                Ok(vec![EventData::IdentityConfirmed {
                    method: request.method,
                    note: note.clone(),
                }])
            })
            .await?;
        Ok(case)
    }
}
