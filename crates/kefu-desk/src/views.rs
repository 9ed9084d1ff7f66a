//! Read models for the console and the API: what a page shows, read through the desk so that
//! who may see what is decided here and nowhere else. The web crate never reads the store.

use std::collections::HashMap;

use kefu_model::case::{Case, CaseEvent};
use kefu_model::error::DomainError;
use kefu_model::shipment::Shipment;
use kefu_model::user::{Actor, User};
use kefu_model::views::{Assignable, CustomerLabel};

use crate::desk::{Desk, DeskResult, require_role};
use crate::store::SignalReceiver;

impl Desk {
    /// Everyone a case or chat may be assigned to, by display name; for staff who may change
    /// cases.
    pub async fn assignable_users(&self, actor: &Actor) -> DeskResult<Vec<Assignable>> {
        require_role(actor.can_write_cases(), "this role assigns no cases")?;
        let mut users: Vec<Assignable> = self
            .store
            .list_users()
            .await?
            .into_iter()
            .filter(User::may_be_assigned)
            .map(|u| Assignable {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                role: u.role,
            })
            .collect();
        users.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        Ok(users)
    }

    /// Names by id, for timelines and owners: departments, and the staff this actor may know
    /// by name. Department staff (often a franchised outlet's) see their own colleagues'
    /// names only; a name missing from the map is shown as a role word by the page.
    pub async fn people_names(&self, actor: &Actor) -> DeskResult<HashMap<String, String>> {
        let mut names: HashMap<String, String> = self
            .store
            .list_departments()
            .await?
            .into_iter()
            .map(|d| (d.id.to_string(), d.name))
            .collect();
        for user in self.store.list_users().await? {
            let known = if actor.role.is_department_bound() {
                user.department_id.is_some() && user.department_id == actor.department_id
            } else {
                true
            };
            if known {
                names.insert(user.id.to_string(), user.display_name);
            }
        }
        Ok(names)
    }

    /// Usernames by user id (article owners), under the same rule as [`Desk::people_names`].
    pub async fn usernames(&self, actor: &Actor) -> DeskResult<HashMap<String, String>> {
        Ok(self
            .store
            .list_users()
            .await?
            .into_iter()
            .filter(|u| {
                !actor.role.is_department_bound()
                    || (u.department_id.is_some() && u.department_id == actor.department_id)
            })
            .map(|u| (u.id.to_string(), u.username))
            .collect())
    }

    /// The customer of a case the actor may see, as lists show them (masked).
    pub async fn case_customer(&self, actor: &Actor, case: &Case) -> DeskResult<CustomerLabel> {
        if !actor.can_see_case(case) {
            return Err(DomainError::NotFound(format!("case {}", case.number)));
        }
        Ok(self
            .store
            .customer_by_id(&case.customer_id)
            .await?
            .map(|c| CustomerLabel {
                masked_phone: c.phones.first().map(|p| p.masked()).unwrap_or_default(),
                name: c.name,
            })
            .unwrap_or_default())
    }

    /// The name on file for a phone number, to prefill a new case; empty when unknown or not
    /// a mobile number.
    pub async fn customer_name_for_phone(&self, actor: &Actor, phone: &str) -> DeskResult<String> {
        require_role(actor.can_write_cases(), "this role opens no cases")?;
        let Ok(phone) = kefu_model::customer::Phone::parse(phone) else {
            return Ok(String::new());
        };
        Ok(self
            .store
            .customer_by_contact("phone", phone.as_str())
            .await?
            .map(|c| c.name)
            .unwrap_or_default())
    }

    /// The shipments on file among `waybill_nos` (a case's parcels), for staff who see
    /// shipments.
    pub async fn shipments_named(
        &self,
        actor: &Actor,
        waybill_nos: &[String],
    ) -> DeskResult<Vec<Shipment>> {
        require_role(actor.can_see_customers(), "this role cannot see shipments")?;
        if waybill_nos.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.store.shipments(waybill_nos).await?)
    }

    /// What of a case reached its customer (public replies, logged calls), oldest first: the
    /// portal shows these and nothing else.
    pub async fn events_for_customer(&self, case: &Case) -> DeskResult<Vec<CaseEvent>> {
        Ok(self
            .store
            .case_events(&case.id)
            .await?
            .into_iter()
            .filter(|e| e.data.reaches_customer())
            .collect())
    }

    /// The signed-in user's own account.
    pub async fn me(&self, actor: &Actor) -> DeskResult<User> {
        self.store
            .user_by_id(&actor.user_id)
            .await?
            .ok_or_else(|| DomainError::NotFound("user".into()))
    }

    /// Does the store answer? (`/readyz`)
    pub async fn ready(&self) -> DeskResult<()> {
        self.store.count_users().await?;
        Ok(())
    }

    /// `sqlite` or `postgres`, for the metrics.
    pub fn backend_name(&self) -> &'static str {
        self.store.backend_name()
    }

    /// Tells the other nodes that something changed (ids and marks, never content).
    pub async fn publish_signal(&self, payload: &str) -> DeskResult<()> {
        Ok(self.store.publish_signal(payload).await?)
    }

    /// Other nodes' signals, where the store carries them (PostgreSQL).
    pub async fn signals(&self) -> DeskResult<Option<Box<dyn SignalReceiver>>> {
        Ok(self.store.signals().await?)
    }

    /// A stored chat image, unchecked: the caller decides who may open it.
    pub async fn attachment(
        &self,
        id: &str,
    ) -> DeskResult<Option<kefu_model::attachment::StoredAttachment>> {
        Ok(self.store.attachment(id).await?)
    }

    /// A case's chat conversation, unchecked: the caller decides who may use it.
    pub async fn conversation_of(
        &self,
        case_id: &kefu_model::ids::CaseId,
    ) -> DeskResult<Option<kefu_model::chat::ChatConversation>> {
        Ok(self.store.conversation_by_case(case_id).await?)
    }

    /// Does this node have a search index?
    pub fn has_search(&self) -> bool {
        self.search.is_some()
    }

    /// Ranked hits for `request` among what the actor may see (`search::scope_for`).
    pub async fn search(
        &self,
        actor: &Actor,
        request: &kefu_model::search::SearchRequest,
    ) -> DeskResult<Vec<kefu_model::search::SearchHit>> {
        let engine = self.search.clone().ok_or_else(|| {
            DomainError::conflict("search_unavailable", "this node has no search index")
        })?;
        let scope = kefu_model::search::scope_for(actor)?;
        engine.search(request, &scope)
    }

    /// What the bot would understand of `text` now (`POST /api/v1/nlu/parse`).
    pub fn understand(&self, text: &str) -> kefu_model::nlu::Understanding {
        self.nlu.understand(text, self.now(), &self.time_zone)
    }
}
