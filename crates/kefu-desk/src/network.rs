//! The franchised network (R-NET-1..3): organisations and the work orders customer service sends
//! them. Organisations are admin records (each also a department); orders are case events
//! (`work_order_*`) written through the case's read–plan–append loop, so an order's whole story
//! is on its case and its deadlines are the case's timers. The network's staff act on the
//! orders of their organisation (and of those below it) without seeing the rest of the desk: the
//! case is read through the system's eyes for them, and what they get back is the order.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_model::calendar::Calendar;
use kefu_model::case::{Case, CaseEvent, EventData};
use kefu_model::codes::Priority;
use kefu_model::error::DomainError;
use kefu_model::ids::{DepartmentId, MessageId, UserId};
use kefu_model::network::{Network, Organisation, OrganisationDraft, plan_organisation};
use kefu_model::records::Notification;
use kefu_model::user::{Actor, Role, User};
use kefu_model::work_order::{
    DayVolume, ListedOrder, OrderKind, OrderQuery, OrderRules, OrderStage, OrgFigures,
    ParcelWhereabouts, REPEAT_WINDOW_DAYS, RULES_SETTING, RoutedBy, WorkOrder, WorkOrderDraft,
    WorkOrderSent, plan_details, plan_volumes, route,
};

use crate::cases::Along;
use crate::desk::{Desk, DeskResult, require, system_actor};

/// What an organisation's staff or customer service does with an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    Reply,
    Complete,
    Refuse,
    Withdraw,
}

impl OrderAction {
    pub fn parse(s: &str) -> Option<OrderAction> {
        match s {
            "reply" => Some(OrderAction::Reply),
            "complete" => Some(OrderAction::Complete),
            "refuse" => Some(OrderAction::Refuse),
            "withdraw" => Some(OrderAction::Withdraw),
            _ => None,
        }
    }
}

/// The network, calendars and rules the timer needs to climb the ladder, read once per batch.
pub(crate) struct LadderContext {
    network: Network,
    calendars: HashMap<String, Calendar>,
    rules: OrderRules,
}

impl LadderContext {
    /// The events an order's passed deadlines cause at `now`: who hears next and when the
    /// lateness climbs again (another escalation period on the organisation's calendar, while
    /// there is an organisation above).
    pub(crate) fn due_effects(&self, case: &Case, now: Timestamp) -> Vec<EventData> {
        let mut out = Vec::new();
        for order in &case.work_orders {
            for (stage, level) in order.overdue_steps(now) {
                let chain: Vec<&Organisation> = self
                    .network
                    .by_id(&order.organisation)
                    .into_iter()
                    .chain(self.network.ancestors(&order.organisation))
                    .collect();
                let index = usize::from(level.max(1) - 1);
                let escalated_to = match (chain.get(index), chain.last()) {
                    (Some(org), _) => org.id.clone(),
                    // The tree changed under a climbing order (an organisation above it was
                    // moved): it has reached the top, recorded so the ladder stops there.
                    (None, Some(top)) => top.id.clone(),
                    (None, None) => order.organisation.clone(),
                };
                let next_escalation_at = if chain.len() > index + 1 {
                    let calendar = chain
                        .first()
                        .and_then(|org| self.calendars.get(&org.calendar));
                    let minutes = i64::from(self.rules.escalation_minutes);
                    Some(match calendar.map(|c| c.add_minutes(now, minutes)) {
                        Some(Ok(at)) => at,
                        // A calendar that cannot say (no open time ahead): wall time.
                        _ => now
                            .saturating_add(jiff::SignedDuration::from_mins(minutes))
                            .unwrap_or(now),
                    })
                } else {
                    None
                };
                out.push(EventData::WorkOrderOverdue {
                    order_id: order.id.clone(),
                    stage,
                    level,
                    escalated_to,
                    next_escalation_at,
                });
            }
        }
        out
    }
}

/// The people of an organisation who hear about its orders: its manager, else its users with
/// the manager's role, else all its active staff.
fn managers_of(org: &Organisation, users: &[User]) -> Vec<UserId> {
    let active = |u: &&User| u.active;
    if let Some(m) = &org.manager
        && users.iter().filter(active).any(|u| u.id == *m)
    {
        return vec![m.clone()];
    }
    let staff = || {
        users
            .iter()
            .filter(active)
            .filter(|u| u.department_id.as_ref() == Some(&org.id))
    };
    let managers: Vec<UserId> = staff()
        .filter(|u| u.role == Role::OutletManager)
        .map(|u| u.id.clone())
        .collect();
    if managers.is_empty() {
        staff().map(|u| u.id.clone()).collect()
    } else {
        managers
    }
}

/// The staff who work an organisation's queue (not its couriers).
fn staff_of(org: &DepartmentId, users: &[User]) -> Vec<UserId> {
    users
        .iter()
        .filter(|u| {
            u.active
                && u.department_id.as_ref() == Some(org)
                && matches!(u.role, Role::Department | Role::OutletManager)
        })
        .map(|u| u.id.clone())
        .collect()
}

/// Where a parcel is, as the router reads it: its latest scan's outlet and its recipient's
/// division.
fn whereabouts_of(s: &kefu_model::shipment::Shipment) -> ParcelWhereabouts<'_> {
    ParcelWhereabouts {
        last_scan_outlet: s
            .events
            .iter()
            .max_by_key(|scan| scan.at)
            .map(|scan| scan.outlet.as_str()),
        recipient_division: s.recipient.region.most_specific_code(),
    }
}

/// The order `id` of `case` as it stands.
fn order_of(case: &Case, id: &str) -> DeskResult<WorkOrder> {
    case.work_orders
        .iter()
        .find(|o| o.id == id)
        .cloned()
        .ok_or_else(|| DomainError::NotFound(format!("work order {id}")))
}

/// The order `id` of `case`, if it still waits for someone to act (else `order_closed`).
fn open_order<'c>(case: &'c Case, id: &str) -> DeskResult<&'c WorkOrder> {
    let order = case
        .work_orders
        .iter()
        .find(|o| o.id == id)
        .ok_or_else(|| DomainError::NotFound(format!("work order {id}")))?;
    if !order.state.is_open() {
        return Err(DomainError::conflict(
            "order_closed",
            format!("the order is {} already", order.state.label_zh()),
        ));
    }
    Ok(order)
}

impl Desk {
    // ---- organisations ----------------------------------------------------------------------

    pub async fn network(&self) -> DeskResult<Network> {
        Ok(Network::new(self.store.organisations().await?))
    }

    /// The organisations the actor may know: the desk sees the whole network, an
    /// organisation's staff their own and those below it.
    pub async fn list_organisations(&self, actor: &Actor) -> DeskResult<Vec<Organisation>> {
        let network = self.network().await?;
        if actor.sees_all_cases() {
            return Ok(network.organisations);
        }
        let Some(own) = actor.department_id.clone() else {
            return Ok(Vec::new());
        };
        Ok(network
            .organisations
            .iter()
            .filter(|o| network.oversees(&own, &o.id))
            .cloned()
            .collect())
    }

    pub async fn get_organisation(&self, actor: &Actor, key: &str) -> DeskResult<Organisation> {
        self.list_organisations(actor)
            .await?
            .into_iter()
            .find(|o| o.key == key)
            .ok_or_else(|| DomainError::NotFound(format!("organisation {key}")))
    }

    /// Creates an organisation (`key` `None`) or changes the one with `key` (the draft carries
    /// the version read). Admins only; audited.
    pub async fn save_organisation(
        &self,
        actor: &Actor,
        key: Option<&str>,
        draft: OrganisationDraft,
    ) -> DeskResult<Organisation> {
        require(actor.role == Role::Admin, "only admins change the network")?;
        let network = self.network().await?;
        let existing = match key {
            None => None,
            Some(key) => Some(
                network
                    .by_key(key)
                    .cloned()
                    .ok_or_else(|| DomainError::NotFound(format!("organisation {key}")))?,
            ),
        };
        if let Some(existing) = &existing {
            if draft.key != existing.key {
                return Err(DomainError::invalid(
                    "key",
                    "an organisation's key never changes",
                ));
            }
            if draft.kind != existing.kind {
                return Err(DomainError::invalid(
                    "kind",
                    "an organisation's kind never changes",
                ));
            }
            match draft.version {
                Some(v) if v == existing.version => {}
                Some(_) => {
                    return Err(DomainError::conflict(
                        "version_conflict",
                        "the organisation was changed meanwhile; read it again",
                    ));
                }
                None => return Err(DomainError::invalid("version", "give the version read")),
            }
        } else if self
            .store
            .list_departments()
            .await?
            .iter()
            .any(|d| d.key == draft.key)
        {
            return Err(DomainError::conflict(
                "organisation_exists",
                format!("a department with key {} exists", draft.key),
            ));
        }
        let users = self.store.list_users().await?;
        let manager = match draft.manager.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(
                users
                    .iter()
                    .find(|u| u.username == name && u.active)
                    .map(|u| u.id.clone())
                    .ok_or_else(|| {
                        DomainError::invalid("manager", "no active user has this name")
                    })?,
            ),
        };
        for (i, c) in draft.couriers.iter().enumerate() {
            if let Some(name) = c
                .username
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                && !users
                    .iter()
                    .any(|u| u.username == name && u.role == Role::Courier)
            {
                return Err(DomainError::invalid(
                    format!("couriers[{i}].username"),
                    "no courier login has this name",
                ));
            }
        }
        let calendars: Vec<String> = self
            .store
            .list_calendars()
            .await?
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        let others: Vec<Organisation> = network
            .organisations
            .iter()
            .filter(|o| existing.as_ref().is_none_or(|e| e.id != o.id))
            .cloned()
            .collect();
        let planned = plan_organisation(&draft, &others, manager, |c| {
            calendars.iter().any(|k| k == c)
        })?;
        // A parent must not sit below the organisation itself.
        if let (Some(existing), Some(parent)) = (&existing, &planned.parent)
            && let Some(parent) = network.by_key(parent)
            && network.oversees(&existing.id, &parent.id)
        {
            return Err(DomainError::invalid(
                "parent",
                "the parent is below this organisation",
            ));
        }
        let now = self.now();
        let id = existing
            .as_ref()
            .map_or_else(|| DepartmentId::new(now), |e| e.id.clone());
        let record = planned.into_record(id, existing.as_ref(), now);
        self.store
            .put_organisation(&record, existing.as_ref().map(|e| e.version))
            .await
            .map_err(|e| match e {
                kefu_model::StoreError::Duplicate(_) => DomainError::conflict(
                    "organisation_exists",
                    format!("an organisation with key {} exists", record.key),
                ),
                kefu_model::StoreError::VersionConflict => DomainError::conflict(
                    "version_conflict",
                    "the organisation was changed meanwhile; read it again",
                ),
                other => other.into(),
            })?;
        let action = if existing.is_some() {
            "change_organisation"
        } else {
            "create_organisation"
        };
        self.audit(actor, action, format!("organisation:{}", record.key), "")
            .await?;
        Ok(record)
    }

    // ---- work orders ------------------------------------------------------------------------

    pub async fn work_order_rules(&self) -> DeskResult<OrderRules> {
        self.setting_or_default::<OrderRules>(RULES_SETTING).await
    }

    /// The calendar an organisation's deadlines run on (its own, else the default service one).
    async fn calendar_of(&self, org: &Organisation) -> DeskResult<Calendar> {
        let spec = match self.store.calendar(&org.calendar).await? {
            Some(spec) => spec,
            None => self
                .store
                .calendar(kefu_model::network::DEFAULT_CALENDAR)
                .await?
                .ok_or_else(|| DomainError::invalid("calendar", "no calendar to count on"))?,
        };
        Calendar::parse(&spec)
    }

    /// Response and completion due times of an order sent to `org` now.
    async fn deadlines_at(
        &self,
        org: &Organisation,
        draft_kind: kefu_model::work_order::OrderKind,
        regulator: Option<kefu_model::work_order::Regulator>,
    ) -> DeskResult<(Timestamp, Timestamp)> {
        let rules = self.work_order_rules().await?;
        let deadline = rules.deadline(draft_kind, regulator);
        let calendar = self.calendar_of(org).await?;
        let now = self.now();
        Ok((
            calendar.add_minutes(now, i64::from(deadline.response_minutes))?,
            calendar.add_minutes(now, i64::from(deadline.completion_minutes))?,
        ))
    }

    /// Sends a work order from a case: checked form, routed to its organisation (chosen, else
    /// where the parcel was last scanned, else the outlet of the recipient's district), with
    /// its deadlines on that organisation's calendar. A regulator complaint raises the case to
    /// urgent. The organisation's staff are notified.
    pub async fn send_work_order(
        &self,
        actor: &Actor,
        case_id: &str,
        draft: WorkOrderDraft,
    ) -> DeskResult<(Case, WorkOrder)> {
        require(actor.can_route_cases(), "this role cannot send work orders")?;
        let case = self.get_case(actor, case_id).await?;
        let details = plan_details(draft.kind, &draft.details, draft.regulator)?;
        let waybill_no = match draft.waybill_no.as_deref().map(str::trim) {
            Some(w) if !w.is_empty() => Some(
                kefu_model::case::parse_waybill_no(w)
                    .ok_or_else(|| DomainError::invalid("waybill_no", "8–32 letters and digits"))?,
            ),
            _ => case.waybill_nos.first().cloned(),
        };
        let shipment = match &waybill_no {
            Some(w) => self.store.shipment(w).await?,
            None => None,
        };
        let network = self.network().await?;
        let whereabouts = shipment.as_ref().map(whereabouts_of);
        let (org, routed_by) = route(&network, draft.organisation.as_deref(), whereabouts)?;
        let (response_due_at, completion_due_at) =
            self.deadlines_at(org, draft.kind, draft.regulator).await?;
        let now = self.now();
        // A complaint about the same organisation from the same customer within the window
        // makes this one a repeat (重复投诉), counted apart in the assessment.
        let repeat_of = if draft.kind == OrderKind::Complaint {
            let since = now
                .checked_sub(jiff::SignedDuration::from_hours(24 * REPEAT_WINDOW_DAYS))
                .unwrap_or(now);
            self.store
                .latest_complaint(&case.customer_id, &org.id, since)
                .await?
        } else {
            None
        };
        let order_id = format!("WO{}", kefu_model::ids::short_id());
        let sent = WorkOrderSent {
            order_id: order_id.clone(),
            number: String::new(),
            kind: draft.kind,
            organisation: org.id.clone(),
            organisation_key: org.key.clone(),
            waybill_no: waybill_no.clone(),
            details,
            regulator: draft.regulator,
            routed_by,
            response_due_at,
            completion_due_at,
            sent_on: self.time_zone.to_datetime(now).date(),
            repeat_of,
        };
        let (case, _) = self
            .with_retries(actor, &case.id.to_string(), |c| {
                let mut out = Vec::new();
                if let Some(w) = &waybill_no
                    && !c.waybill_nos.contains(w)
                {
                    out.push(EventData::WaybillLinked {
                        waybill_no: w.clone(),
                    });
                }
                if sent.regulator.is_some() && c.priority != Priority::P1 {
                    out.push(EventData::PriorityChanged {
                        from: c.priority,
                        to: Priority::P1,
                    });
                }
                let mut sent = sent.clone();
                // Numbered within the case: KF…-1, KF…-2 (stable under a retried write).
                sent.number = format!("{}-{}", c.number, c.work_orders.len() + 1);
                out.push(EventData::WorkOrderSent(sent));
                Ok(out)
            })
            .await?;
        let order = order_of(&case, &order_id)?;
        Ok((case, order))
    }

    /// Where an order from the case about `waybill_no` (none: the case's first waybill) would
    /// go if nobody chose: the router's organisation and the rule that chose it, the same
    /// routing [`Desk::send_work_order`] does; `None` when no rule finds one (the sender must
    /// choose). For the form that pre-selects it.
    pub async fn suggested_route(
        &self,
        actor: &Actor,
        case: &Case,
        waybill_no: Option<&str>,
    ) -> DeskResult<Option<(Organisation, RoutedBy)>> {
        require(actor.can_route_cases(), "this role cannot send work orders")?;
        let waybill_no = waybill_no
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .or_else(|| case.waybill_nos.first().cloned());
        let shipment = match &waybill_no {
            Some(w) => self.store.shipment(w).await?,
            None => None,
        };
        let network = self.network().await?;
        Ok(route(&network, None, shipment.as_ref().map(whereabouts_of))
            .ok()
            .map(|(org, by)| (org.clone(), by)))
    }

    /// An order the actor may see: the desk sees every order, an organisation's staff those of
    /// their organisation and the ones below it.
    pub async fn get_work_order(
        &self,
        actor: &Actor,
        id_or_number: &str,
    ) -> DeskResult<ListedOrder> {
        let found = self.store.work_order(id_or_number.trim()).await?;
        let not_found = || DomainError::NotFound(format!("work order {id_or_number}"));
        let listed = found.ok_or_else(not_found)?;
        if self.may_see_order(actor, &listed.order).await? {
            Ok(listed)
        } else {
            Err(not_found())
        }
    }

    async fn may_see_order(&self, actor: &Actor, order: &WorkOrder) -> DeskResult<bool> {
        if actor.sees_all_cases() {
            return Ok(true);
        }
        if !matches!(actor.role, Role::Department | Role::OutletManager) {
            return Ok(false);
        }
        let Some(own) = &actor.department_id else {
            return Ok(false);
        };
        if *own == order.organisation {
            return Ok(true);
        }
        Ok(self.network().await?.oversees(own, &order.organisation))
    }

    /// An organisation's queue (its staff: their own and those below; the desk: any, or all).
    pub async fn work_order_queue(
        &self,
        actor: &Actor,
        organisation: Option<&str>,
        mut query: OrderQuery,
    ) -> DeskResult<Vec<ListedOrder>> {
        let network = self.network().await?;
        let chosen = match organisation.map(str::trim).filter(|k| !k.is_empty()) {
            Some(key) => Some(
                network
                    .by_key(key)
                    .ok_or_else(|| DomainError::NotFound(format!("organisation {key}")))?
                    .id
                    .clone(),
            ),
            None => None,
        };
        if actor.sees_all_cases() {
            query.organisations = chosen.map(|id| vec![id]);
        } else {
            require(
                matches!(actor.role, Role::Department | Role::OutletManager),
                "couriers work their pickups",
            )?;
            let own = actor
                .department_id
                .clone()
                .ok_or_else(|| DomainError::Forbidden("staff without an organisation".into()))?;
            let below: Vec<DepartmentId> = network
                .organisations
                .iter()
                .filter(|o| network.oversees(&own, &o.id))
                .map(|o| o.id.clone())
                .chain(std::iter::once(own.clone()))
                .collect();
            query.organisations = Some(match chosen {
                Some(id) if below.contains(&id) => vec![id],
                Some(_) => return Err(DomainError::NotFound("organisation".into())),
                None => below,
            });
        }
        if query.limit == 0 {
            query.limit = 200;
        }
        Ok(self.store.work_orders(&query).await?)
    }

    /// Reply, complete, refuse (the organisation's staff, or admins and supervisors recording
    /// what it said) or withdraw (customer service). Refusing and withdrawing need a reason.
    pub async fn act_on_work_order(
        &self,
        actor: &Actor,
        id_or_number: &str,
        action: OrderAction,
        text: &str,
    ) -> DeskResult<(Case, WorkOrder)> {
        let listed = self.get_work_order(actor, id_or_number).await?;
        let order = &listed.order;
        let own_org = matches!(actor.role, Role::Department | Role::OutletManager);
        match action {
            OrderAction::Withdraw => require(
                actor.can_route_cases(),
                "only customer service withdraws an order",
            )?,
            _ => require(
                own_org || matches!(actor.role, Role::Admin | Role::Supervisor),
                "the organisation answers its orders",
            )?,
        }
        let field = match action {
            OrderAction::Refuse | OrderAction::Withdraw => "reason",
            _ => "text",
        };
        let text = kefu_model::text::text(field, text, 2000, true)?;
        let order_id = order.id.clone();
        let reader = system_actor();
        let along = Along {
            reader: (!actor.sees_all_cases()).then_some(&reader),
            ..Along::default()
        };
        let (case, _) = self
            .with_retries_along(
                actor,
                listed.case_id.as_str(),
                |c| {
                    open_order(c, &order_id)?;
                    let order_id = order_id.clone();
                    let text = text.clone();
                    Ok(vec![match action {
                        OrderAction::Reply => EventData::WorkOrderReplied { order_id, text },
                        OrderAction::Complete => EventData::WorkOrderCompleted { order_id, text },
                        OrderAction::Refuse => EventData::WorkOrderRefused {
                            order_id,
                            reason: text,
                        },
                        OrderAction::Withdraw => EventData::WorkOrderWithdrawn {
                            order_id,
                            reason: text,
                        },
                    }])
                },
                along,
            )
            .await?;
        let order = order_of(&case, &listed.order.id)?;
        Ok((case, order))
    }

    /// Sends an open order to another organisation with a reason (customer service, or the
    /// organisation that has it: "not ours"); fresh deadlines there.
    pub async fn reroute_work_order(
        &self,
        actor: &Actor,
        id_or_number: &str,
        to: &str,
        reason: &str,
    ) -> DeskResult<(Case, WorkOrder)> {
        let listed = self.get_work_order(actor, id_or_number).await?;
        require(
            actor.can_route_cases() || matches!(actor.role, Role::Department | Role::OutletManager),
            "this role cannot re-route orders",
        )?;
        let reason = kefu_model::text::text("reason", reason, 500, true)?;
        let network = self.network().await?;
        let (target, _) = route(&network, Some(to), None)?;
        if target.id == listed.order.organisation {
            return Err(DomainError::invalid(
                "organisation",
                "the order is with this organisation already",
            ));
        }
        let (response_due_at, completion_due_at) = self
            .deadlines_at(target, listed.order.kind, listed.order.regulator)
            .await?;
        let order_id = listed.order.id.clone();
        let reader = system_actor();
        let along = Along {
            reader: (!actor.sees_all_cases()).then_some(&reader),
            ..Along::default()
        };
        let (case, _) = self
            .with_retries_along(
                actor,
                listed.case_id.as_str(),
                |c| {
                    let order = open_order(c, &order_id)?;
                    Ok(vec![EventData::WorkOrderRerouted {
                        order_id: order_id.clone(),
                        from: order.organisation.clone(),
                        to: target.id.clone(),
                        to_key: target.key.clone(),
                        reason: reason.clone(),
                        response_due_at,
                        completion_due_at,
                    }])
                },
                along,
            )
            .await?;
        let order = order_of(&case, &listed.order.id)?;
        Ok((case, order))
    }

    /// Per organisation, the orders sent on the days `[from, to)` (in the desk's time zone)
    /// and the parcels it handled: the desk's supervisors see every organisation, an
    /// organisation's manager their own and those below it.
    pub async fn order_assessment(
        &self,
        actor: &Actor,
        from: Date,
        to: Date,
    ) -> DeskResult<Vec<OrgFigures>> {
        require(
            matches!(
                actor.role,
                Role::Admin | Role::Supervisor | Role::OutletManager
            ),
            "the assessment is for supervisors and organisation managers",
        )?;
        crate::figures::check_period(from, to)?;
        let figures = self.store.order_figures(from, to).await?;
        if actor.role != Role::OutletManager {
            return Ok(figures);
        }
        let network = self.network().await?;
        let Some(own) = actor.department_id.clone() else {
            return Ok(Vec::new());
        };
        Ok(figures
            .into_iter()
            .filter(|f| network.oversees(&own, &f.organisation))
            .collect())
    }

    /// Records the parcels an organisation handled per day, as the carrier's operations
    /// system reports them (the denominator of complaints per 10,000 parcels). Admins only
    /// (an integration's token), audited.
    pub async fn record_parcel_volumes(
        &self,
        actor: &Actor,
        organisation: &str,
        days: &[DayVolume],
    ) -> DeskResult<Organisation> {
        require(
            actor.role == Role::Admin,
            "only an admin records parcel volumes",
        )?;
        let org = self.get_organisation(actor, organisation).await?;
        let days = plan_volumes(days)?;
        self.store.put_parcel_volumes(&org.id, &days).await?;
        let (first, last) = (
            days.iter().map(|d| d.day).min(),
            days.iter().map(|d| d.day).max(),
        );
        self.audit(
            actor,
            "organisation.volumes",
            org.key.clone(),
            &format!(
                "{} days{}",
                days.len(),
                match (first, last) {
                    (Some(a), Some(b)) => format!(" {a}..{b}"),
                    _ => String::new(),
                }
            ),
        )
        .await?;
        Ok(org)
    }

    /// Whether a parcel is in the area of the actor's organisation or one below it: its
    /// sender's or recipient's district is served there, or a scan names it. `None` when the
    /// actor belongs to no organisation of the network.
    pub(crate) async fn parcel_in_area(
        &self,
        actor: &Actor,
        shipment: &kefu_model::shipment::Shipment,
    ) -> DeskResult<Option<bool>> {
        let network = self.network().await?;
        let Some(own) = actor
            .department_id
            .as_ref()
            .and_then(|d| network.by_id(d))
            .map(|o| o.id.clone())
        else {
            return Ok(None);
        };
        let ours = |org: Option<&Organisation>| org.is_some_and(|o| network.oversees(&own, &o.id));
        let by_district = [&shipment.sender.region, &shipment.recipient.region]
            .into_iter()
            .filter_map(|r| r.most_specific_code())
            .any(|code| ours(network.outlet_serving(code)));
        let by_scan = shipment
            .events
            .iter()
            .any(|scan| ours(network.named_by_scan(&scan.outlet)));
        Ok(Some(by_district || by_scan))
    }

    // ---- the timer and the notifications ----------------------------------------------------

    /// What the timer needs to climb the ladder; `None` when there is no network.
    pub(crate) async fn ladder_context(&self) -> DeskResult<Option<LadderContext>> {
        let organisations = self.store.organisations().await?;
        if organisations.is_empty() {
            return Ok(None);
        }
        let mut calendars = HashMap::new();
        for (key, spec) in self.store.list_calendars().await? {
            if organisations.iter().any(|o| o.calendar == key)
                && let Ok(calendar) = Calendar::parse(&spec)
            {
                calendars.insert(key, calendar);
            }
        }
        Ok(Some(LadderContext {
            network: Network::new(organisations),
            calendars,
            rules: self.work_order_rules().await?,
        }))
    }

    /// Who hears about an order's events: its organisation's staff of a new or re-routed
    /// order; the case's owner (or, unassigned, nobody but the case's page) of an answer; the
    /// manager of each organisation the lateness reaches, and the case's owner at the first step.
    pub(crate) async fn work_order_notifications(
        &self,
        case: &Case,
        events: &[CaseEvent],
    ) -> DeskResult<Vec<Notification>> {
        if !events.iter().any(|e| e.data.work_order_id().is_some()) {
            return Ok(Vec::new());
        }
        let users = self.store.list_users().await?;
        let network = self.network().await?;
        let order_of = |id: &str| case.work_orders.iter().find(|o| o.id == id);
        let mut out = Vec::new();
        for e in events {
            let Some(order) = e.data.work_order_id().and_then(order_of) else {
                continue;
            };
            let label = order.kind.label_zh();
            let (recipients, text): (Vec<UserId>, String) = match &e.data {
                EventData::WorkOrderSent(_) | EventData::WorkOrderRerouted { .. } => (
                    staff_of(&order.organisation, &users),
                    format!(
                        "新{}工单 {}{}：{}",
                        label,
                        order.number,
                        if order.regulator.is_some() {
                            "（监管投诉）"
                        } else {
                            ""
                        },
                        order.details.note
                    ),
                ),
                EventData::WorkOrderReplied { text, .. }
                | EventData::WorkOrderCompleted { text, .. }
                | EventData::WorkOrderRefused { reason: text, .. } => {
                    let what = match &e.data {
                        EventData::WorkOrderReplied { .. } => "已回复",
                        EventData::WorkOrderCompleted { .. } => "已完成",
                        _ => "已拒绝",
                    };
                    (
                        case.assignee.iter().cloned().collect(),
                        format!(
                            "{}工单 {} {}{}：{}",
                            label, order.number, order.organisation_key, what, text
                        ),
                    )
                }
                EventData::WorkOrderOverdue {
                    stage,
                    level,
                    escalated_to,
                    ..
                } => {
                    let mut to = network
                        .by_id(escalated_to)
                        .map(|org| managers_of(org, &users))
                        .unwrap_or_default();
                    if *level == 1 {
                        to.extend(staff_of(&order.organisation, &users));
                        to.extend(case.assignee.iter().cloned());
                    }
                    let stage = match stage {
                        OrderStage::Response => "响应",
                        OrderStage::Completion => "完成",
                    };
                    (
                        to,
                        format!(
                            "{}工单 {}（{}）{}超时，已升级到第 {} 级",
                            label, order.number, order.organisation_key, stage, level
                        ),
                    )
                }
                _ => continue,
            };
            let mut seen: Vec<UserId> = Vec::new();
            for user_id in recipients {
                if seen.contains(&user_id) {
                    continue;
                }
                seen.push(user_id.clone());
                out.push(Notification {
                    id: MessageId::new(e.at).to_string(),
                    user_id,
                    case_id: case.id.clone(),
                    case_number: case.number.clone(),
                    kind: e.data.type_name().to_string(),
                    text: text.clone(),
                    created_at: e.at,
                    read_at: None,
                });
            }
        }
        Ok(out)
    }
}
