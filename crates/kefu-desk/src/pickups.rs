//! Couriers' pickups from the network's organisations (R-NET-1, R-PU-1..4): who may see which
//! pickup (the desk all of them, an outlet's staff their outlet's — a manager also those below
//! it —, a courier those dispatched to them), the courier's steps (accept, arrive, collect,
//! fail with a reason), each a `pickup_progress` event on the pickup's case written in the
//! same transaction as the pickup, and the once-only import of the retired `outlets` setting
//! into organisations.

use kefu_model::case::EventData;
use kefu_model::error::DomainError;
use kefu_model::network::{CourierEntry, Network, OrgKind, OrganisationDraft};
use kefu_model::parcels::CourierStepBody;
use kefu_model::pickup::{
    CourierStep, LEGACY_OUTLETS_SETTING, LegacyOutlets, Pickup, PickupChange,
};
use kefu_model::user::{Actor, Role};

use crate::cases::Along;
use crate::desk::{Desk, DeskResult, system_actor};

/// Which pickups an actor may see and act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickupScope {
    /// Customer service: every pickup.
    Desk,
    /// A courier: those dispatched to them at their outlet.
    Courier { outlet: String, courier: String },
    /// An outlet's staff: these outlets' pickups (theirs, and for a manager those below).
    Outlets(Vec<String>),
}

impl PickupScope {
    pub fn admits(&self, pickup: &Pickup) -> bool {
        match self {
            PickupScope::Desk => true,
            PickupScope::Courier { outlet, courier } => {
                pickup.outlet.as_deref() == Some(outlet.as_str())
                    && pickup.courier.as_ref().is_some_and(|c| c.id == *courier)
            }
            PickupScope::Outlets(keys) => pickup
                .outlet
                .as_ref()
                .is_some_and(|o| keys.iter().any(|k| k == o)),
        }
    }
}

/// Whether a role is shown a pickup's sender in full: the courier who collects and the outlet
/// that sends them need the address and phone; everyone else sees them masked (R-SEC-1).
pub fn sees_sender_in_full(role: Role) -> bool {
    matches!(role, Role::Courier | Role::OutletManager | Role::Department)
}

fn forbidden(what: &str) -> DomainError {
    DomainError::Forbidden(what.to_string())
}

/// The pickup's status as the customer's case records it.
pub(crate) fn progress_event(pickup: &Pickup, note: &str) -> EventData {
    EventData::PickupProgress {
        pickup_id: pickup.id.clone(),
        number: pickup.number.clone(),
        status: pickup.status,
        note: note.to_string(),
        courier_name: pickup
            .courier
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        courier_phone: pickup
            .courier
            .as_ref()
            .map(|c| c.phone.clone())
            .unwrap_or_default(),
        window_from: pickup.window_from,
        window_to: pickup.window_to,
        estimated_at: pickup.estimated_pickup_at,
    }
}

impl Desk {
    /// The pickups `actor` may see. Roles outside the desk and the network see none.
    pub async fn pickup_scope(&self, actor: &Actor) -> DeskResult<PickupScope> {
        if actor.can_see_customers() {
            return Ok(PickupScope::Desk);
        }
        let own = actor
            .department_id
            .clone()
            .ok_or_else(|| forbidden("staff without an organisation see no pickups"))?;
        let network = self.network().await?;
        let org = network
            .by_id(&own)
            .ok_or_else(|| forbidden("only the network's organisations see pickups"))?;
        match actor.role {
            Role::Courier => {
                let entry = org
                    .couriers
                    .iter()
                    .find(|c| c.username.as_deref() == Some(actor.username.as_str()))
                    .ok_or_else(|| forbidden("this login is no courier of its outlet"))?;
                Ok(PickupScope::Courier {
                    outlet: org.key.clone(),
                    courier: entry.id.clone(),
                })
            }
            Role::OutletManager => Ok(PickupScope::Outlets(
                network
                    .organisations
                    .iter()
                    .filter(|o| network.oversees(&own, &o.id))
                    .map(|o| o.key.clone())
                    .collect(),
            )),
            Role::Department => Ok(PickupScope::Outlets(vec![org.key.clone()])),
            _ => Err(forbidden("this role sees no pickups")),
        }
    }

    /// A courier's (or their outlet's) step on a pickup; admins and supervisors may record one
    /// the courier phoned in, as they do an organisation's answer to a work order. `fail` needs
    /// a reason; `collect` may carry the waybill written. The step is recorded on the pickup's
    /// case and the customer told, in the pickup's own write.
    pub async fn courier_step(
        &self,
        actor: &Actor,
        id: &str,
        step: CourierStep,
        body: CourierStepBody,
    ) -> DeskResult<Pickup> {
        if !matches!(
            actor.role,
            Role::Courier | Role::OutletManager | Role::Department | Role::Admin | Role::Supervisor
        ) {
            return Err(forbidden(
                "the pickup's courier and outlet take its steps; agents change its status",
            ));
        }
        let note = body.note.trim().to_string();
        if note.chars().count() > 500 {
            return Err(DomainError::invalid("note", "at most 500 characters"));
        }
        if step == CourierStep::Fail && note.is_empty() {
            return Err(DomainError::invalid("note", "say why the pickup failed"));
        }
        let waybill = match (&body.waybill_no, step) {
            (Some(w), CourierStep::Collect) if !w.trim().is_empty() => Some(
                kefu_model::case::parse_waybill_no(w)
                    .ok_or_else(|| DomainError::invalid("waybill_no", "8–32 letters and digits"))?,
            ),
            (Some(w), _) if !w.trim().is_empty() => {
                return Err(DomainError::invalid(
                    "waybill_no",
                    "only a collection carries a waybill",
                ));
            }
            _ => None,
        };
        for _ in 0..8 {
            let mut pickup = self.get_pickup(actor, id).await?;
            let expected = pickup.version;
            if !step.allowed_from(pickup.status) {
                return Err(DomainError::conflict(
                    "invalid_transition",
                    format!(
                        "a {} pickup cannot be {}ed by the courier",
                        pickup.status,
                        step.as_str()
                    ),
                ));
            }
            let now = self.now();
            pickup.status = step.status();
            if step == CourierStep::Collect && waybill.is_some() {
                pickup.waybill_no = waybill.clone();
            }
            pickup.history.push(PickupChange {
                at: now,
                by: actor.event_name(),
                status: pickup.status,
                note: note.clone(),
            });
            pickup.version += 1;
            pickup.updated_at = now;
            match self
                .write_pickup_change(actor, &pickup, expected, &note)
                .await
            {
                Ok(()) => return Ok(pickup),
                Err(e) if crate::desk::lost_a_race(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(DomainError::conflict(
            "version_conflict",
            "the pickup is being changed by others; try again",
        ))
    }

    /// Writes a changed pickup (`expected`: the version read): with its case, the step as a
    /// `pickup_progress` event in the same transaction (the case read through the system's
    /// eyes, since couriers never see cases); without one, alone.
    pub(crate) async fn write_pickup_change(
        &self,
        actor: &Actor,
        pickup: &Pickup,
        expected: i64,
        note: &str,
    ) -> DeskResult<()> {
        match &pickup.case_id {
            Some(case_id) => {
                let event = progress_event(pickup, note);
                let reader = system_actor();
                let along = Along {
                    pickup: Some(pickup),
                    pickup_version: Some(expected),
                    reader: (!actor.sees_all_cases()).then_some(&reader),
                    ..Along::default()
                };
                self.with_retries_along(actor, case_id.as_str(), |_| Ok(vec![event.clone()]), along)
                    .await
                    .map(|_| ())
            }
            None => Ok(self.store.put_pickup(pickup, Some(expected)).await?),
        }
    }

    /// Carries the retired `outlets` setting into the network once: while no organisation
    /// exists, each outlet becomes an organisation of kind outlet with its couriers; then the
    /// setting is cleared (its history keeps what it said). Returns the keys imported and
    /// those the network refused, with why.
    pub async fn import_legacy_outlets(&self) -> DeskResult<(Vec<String>, Vec<(String, String)>)> {
        let mut imported = Vec::new();
        let mut refused = Vec::new();
        let Some(value) = self.store.setting(LEGACY_OUTLETS_SETTING).await? else {
            return Ok((imported, refused));
        };
        let legacy: LegacyOutlets = serde_json::from_value(value).unwrap_or_default();
        if legacy.outlets.is_empty() {
            return Ok((imported, refused));
        }
        let admin = system_actor();
        if self.network().await?.organisations.is_empty() {
            for outlet in legacy.outlets {
                let draft = OrganisationDraft {
                    key: outlet.key.clone(),
                    name: outlet.name.clone(),
                    kind: OrgKind::Outlet,
                    parent: None,
                    districts: outlet.districts.clone(),
                    calendar: outlet.calendar.clone(),
                    lead_minutes: outlet.lead_minutes,
                    contacts: Vec::new(),
                    manager: None,
                    couriers: outlet
                        .couriers
                        .iter()
                        .map(|c| CourierEntry {
                            id: c.id.clone(),
                            name: c.name.clone(),
                            phone: c.phone.clone(),
                            districts: Vec::new(),
                            username: None,
                        })
                        .collect(),
                    active: Some(true),
                    version: None,
                };
                match self.save_organisation(&admin, None, draft).await {
                    Ok(_) => imported.push(outlet.key),
                    // An outlet the network would refuse (a key taken by a department, a
                    // phone that does not parse) is kept in the setting's history.
                    Err(e) => refused.push((outlet.key, e.to_string())),
                }
            }
        }
        let editor = kefu_model::history::Editor {
            actor: "system:import".into(),
            at: self.now(),
        };
        self.store
            .put_setting(
                LEGACY_OUTLETS_SETTING,
                &serde_json::json!({"outlets": []}),
                editor.at,
                Some(&editor),
            )
            .await?;
        Ok((imported, refused))
    }
}

/// The courier of `outlet` for `code`: the one whose districts cover it (the closest), else
/// the least busy of those without districts (else of all), by `load`.
pub(crate) fn choose_courier<'a>(
    outlet: &'a kefu_model::network::Organisation,
    code: &str,
    load: &std::collections::HashMap<String, i64>,
) -> Option<&'a CourierEntry> {
    if let Some(c) = Network::courier_for(outlet, code).filter(|c| !c.districts.is_empty()) {
        return Some(c);
    }
    let general: Vec<&CourierEntry> = outlet
        .couriers
        .iter()
        .filter(|c| c.districts.is_empty())
        .collect();
    let pool: Vec<&CourierEntry> = if general.is_empty() {
        outlet.couriers.iter().collect()
    } else {
        general
    };
    pool.into_iter()
        .min_by_key(|c| (load.get(&c.id).copied().unwrap_or(0), c.id.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use kefu_model::ids::DepartmentId;
    use kefu_model::network::Organisation;

    #[test]
    fn the_responsible_courier_else_the_least_busy() {
        let courier = |id: &str, districts: &[&str]| CourierEntry {
            id: id.into(),
            name: id.into(),
            phone: "13800138000".into(),
            districts: districts.iter().map(|d| d.to_string()).collect(),
            username: None,
        };
        let outlet = Organisation {
            id: DepartmentId::from_stored("o".into()),
            key: "o".into(),
            name: "网点".into(),
            kind: OrgKind::Outlet,
            parent: None,
            districts: vec!["4403".into()],
            calendar: "cn-service".into(),
            lead_minutes: 120,
            contacts: vec![],
            manager: None,
            couriers: vec![
                courier("a", &[]),
                courier("b", &[]),
                courier("ns", &["440305"]),
            ],
            active: true,
            version: 1,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        };
        let mut load = std::collections::HashMap::new();
        load.insert("a".to_string(), 3);
        load.insert("ns".to_string(), 9);
        assert_eq!(
            choose_courier(&outlet, "440305", &load).map(|c| c.id.as_str()),
            Some("ns")
        );
        assert_eq!(
            choose_courier(&outlet, "440304", &load).map(|c| c.id.as_str()),
            Some("b")
        );
    }
}
