//! The network's console pages (R-NET-2, R-NET-3): the case page's work-order panel and its
//! forms (send, re-route, withdraw), the organisation's queue at `/console/work-orders` (laid out
//! for a phone: one column, large buttons) where outlet staff reply, complete or refuse, and the
//! outlet assessment. Every page calls the same `Desk` use cases as the API; who may see what
//! is the desk's rule.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_desk::network::OrderAction;
use kefu_model::claim::Evidence;
use kefu_model::network::Network;
use kefu_model::user::Role;
use kefu_model::work_order::{
    InterceptAction, OrderDetails, OrderKind, OrderQuery, OrderStage, OrderState, Regulator,
    RoutedBy, WorkOrder, WorkOrderDraft,
};
use kefu_model::{Actor, Case, Category, DomainError};
use serde::Deserialize;

use super::case_forms::{CaseAction, Refusal};
use super::extract::{CsrfForm, FormRefused, field};
use super::i18n::{Lang, Tr};
use super::pages::{Chrome, Opt, local, nav, span};
use super::{StaffPage, UiSession, encode, error_page, redirect, render};
use crate::AppState;

// ---- words for the network's codes --------------------------------------------------------

pub fn kind_label(lang: Lang, kind: OrderKind) -> &'static str {
    match lang {
        Lang::Zh => kind.label_zh(),
        Lang::En => kind.label_en(),
    }
}

pub fn state_label(lang: Lang, state: OrderState) -> &'static str {
    match state {
        OrderState::Sent => lang.pick("待响应", "Waiting for a response"),
        OrderState::Replied => lang.pick("处理中", "In hand"),
        OrderState::Completed => lang.pick("已完成", "Completed"),
        OrderState::Refused => lang.pick("已拒绝", "Refused"),
        OrderState::Withdrawn => lang.pick("已撤回", "Withdrawn"),
    }
}

fn routed_label(tr: &Tr, by: RoutedBy) -> &'static str {
    match by {
        RoutedBy::Chosen => tr.wo_routed_chosen,
        RoutedBy::Scan => tr.wo_routed_scan,
        RoutedBy::District => tr.wo_routed_district,
    }
}

fn entry_label(lang: Lang, what: &str) -> &'static str {
    match what {
        "replied" => lang.pick("回复", "Replied"),
        "completed" => lang.pick("完成", "Completed"),
        "refused" => lang.pick("拒绝", "Refused"),
        "withdrawn" => lang.pick("撤回", "Withdrawn"),
        "rerouted" => lang.pick("改派", "Re-routed"),
        "overdue" => lang.pick("超时升级", "Overdue, escalated"),
        _ => lang.pick("记录", "Entry"),
    }
}

/// The kind an order from a case of `category` most likely is: a delay is hurried, a lost or
/// damaged parcel investigated, a complaint passed on, a change of delivery an address change.
pub fn kind_for(category: Category) -> OrderKind {
    match category {
        Category::Delay | Category::Pickup => OrderKind::Hurry,
        Category::Lost | Category::Damaged | Category::Claim => OrderKind::DamageLoss,
        Category::Complaint => OrderKind::Complaint,
        Category::ChangeDelivery => OrderKind::ChangeAddress,
        _ => OrderKind::Trace,
    }
}

// ---- an order as a page shows it ----------------------------------------------------------

pub struct HistoryLine {
    pub at: String,
    pub what: &'static str,
    pub by: String,
    pub text: String,
}

pub struct OrderLine {
    pub id: String,
    pub number: String,
    pub case_id: String,
    pub kind: &'static str,
    pub kind_code: &'static str,
    pub organisation: String,
    pub organisation_key: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub open: bool,
    pub waybill: String,
    /// What is asked, with the kind's own fields.
    pub asked: String,
    pub regulator: bool,
    pub response_due: String,
    pub completion_due: String,
    pub late_response: bool,
    pub late_completion: bool,
    /// The deadline it runs against now (response until answered, then completion), as time
    /// left or overdue; empty when closed.
    pub left: String,
    pub due_iso: String,
    pub overdue: bool,
    pub routed: &'static str,
    /// The organisation's latest answer (a reply, the completion or the refusal).
    pub answer: String,
    pub history: Vec<HistoryLine>,
}

/// The deadline an open order runs against: its response until it is answered, then its
/// completion.
fn current_deadline(o: &WorkOrder) -> Timestamp {
    if o.responded_at.is_none() {
        o.response_due_at
    } else {
        o.completion_due_at
    }
}

fn asked_of(tr: &Tr, o: &WorkOrder) -> String {
    let d = &o.details;
    let mut parts = vec![d.note.clone()];
    if let Some(a) = &d.new_address {
        parts.push(format!("{}：{a}", tr.wo_new_address));
    }
    if let Some(i) = d.intercept {
        parts.push(format!(
            "{}：{}",
            tr.wo_intercept,
            match i {
                InterceptAction::Return => tr.wo_intercept_return,
                InterceptAction::Hold => tr.wo_intercept_hold,
            }
        ));
    }
    if let Some(a) = &d.about {
        parts.push(format!("{}：{a}", tr.wo_about));
    }
    for p in &d.photos {
        parts.push(format!("{} {}", p.name, p.url));
    }
    parts.join(" · ")
}

pub fn order_line(
    tr: &Tr,
    case_id: &str,
    o: &WorkOrder,
    network: &Network,
    now: Timestamp,
    tz: &TimeZone,
) -> OrderLine {
    let open = o.state.is_open();
    let due = current_deadline(o);
    let (left, overdue) = if !open {
        (String::new(), false)
    } else if due >= now {
        (
            format!("{} {}", tr.left, span(due.duration_since(now).as_secs())),
            false,
        )
    } else {
        (
            format!("{} {}", tr.overdue, span(now.duration_since(due).as_secs())),
            true,
        )
    };
    let answer = o
        .history
        .iter()
        .rev()
        .find(|e| matches!(e.what.as_str(), "replied" | "completed" | "refused"))
        .map(|e| e.text.clone())
        .unwrap_or_default();
    OrderLine {
        id: o.id.clone(),
        number: o.number.clone(),
        case_id: case_id.to_string(),
        kind: kind_label(tr.lang, o.kind),
        kind_code: o.kind.as_str(),
        organisation: network
            .by_id(&o.organisation)
            .map_or_else(|| o.organisation_key.clone(), |org| org.name.clone()),
        organisation_key: o.organisation_key.clone(),
        state: state_label(tr.lang, o.state),
        state_code: o.state.as_str(),
        open,
        waybill: o.waybill_no.clone().unwrap_or_default(),
        asked: asked_of(tr, o),
        regulator: o.regulator.is_some(),
        response_due: local(o.response_due_at, tz),
        completion_due: local(o.completion_due_at, tz),
        late_response: o.is_late(OrderStage::Response),
        late_completion: o.is_late(OrderStage::Completion),
        left,
        due_iso: if open { due.to_string() } else { String::new() },
        overdue,
        routed: routed_label(tr, o.routed_by),
        answer,
        history: o
            .history
            .iter()
            .map(|e| HistoryLine {
                at: local(e.at, tz),
                what: entry_label(tr.lang, &e.what),
                by: e.by.trim_start_matches("user:").to_string(),
                text: e.text.clone(),
            })
            .collect(),
    }
}

// ---- the case page's panel ----------------------------------------------------------------

/// The case page's work-order panel: the case's orders, and for customer service the form
/// that sends one, pre-filled (kind from the case's category, organisation from the router,
/// waybill from the case's parcel).
pub struct OrderPanel {
    pub orders: Vec<OrderLine>,
    pub can_send: bool,
    pub kinds: Vec<Opt>,
    pub organisations: Vec<Opt>,
    /// Which rule chose the pre-selected organisation, or that none did.
    pub routed: String,
    pub waybill: String,
    pub note: String,
    /// Every active organisation, for re-routing.
    pub targets: Vec<Opt>,
}

pub async fn order_panel(
    state: &AppState,
    s: &UiSession,
    case: &Case,
    refusal: Option<&Refusal>,
) -> OrderPanel {
    let tr = s.tr;
    let network = state
        .desk
        .network()
        .await
        .unwrap_or_else(|_| Network::new(Vec::new()));
    let now = state.desk.now();
    let tz = state.desk.time_zone().clone();
    let orders = case
        .work_orders
        .iter()
        .map(|o| order_line(tr, case.id.as_str(), o, &network, now, &tz))
        .collect();
    let can_send = s.actor.can_route_cases() && !network.organisations.is_empty();
    let kept = |f: &str| -> Option<&str> {
        refusal
            .filter(|r| r.form == SendOrderForm::NAME)
            .and_then(|r| r.input.get(f))
            .map(String::as_str)
    };
    let suggested = if can_send {
        state
            .desk
            .suggested_route(&s.actor, case, kept("waybill_no"))
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    let kind = kept("kind")
        .and_then(OrderKind::parse)
        .unwrap_or_else(|| kind_for(case.category));
    let chosen_org = kept("organisation")
        .map(str::to_string)
        .or_else(|| suggested.as_ref().map(|(o, _)| o.key.clone()))
        .unwrap_or_default();
    let active: Vec<_> = network.organisations.iter().filter(|o| o.active).collect();
    OrderPanel {
        orders,
        can_send,
        kinds: OrderKind::ALL
            .iter()
            .map(|&k| Opt {
                value: k.as_str().to_string(),
                label: kind_label(tr.lang, k).to_string(),
                selected: k == kind,
            })
            .collect(),
        organisations: active
            .iter()
            .map(|o| Opt {
                value: o.key.clone(),
                label: o.name.clone(),
                selected: o.key == chosen_org,
            })
            .collect(),
        routed: match &suggested {
            Some((org, by)) => format!("{} · {}", org.name, routed_label(tr, *by)),
            None => tr.wo_no_route.to_string(),
        },
        waybill: kept("waybill_no")
            .map(str::to_string)
            .or_else(|| case.waybill_nos.first().cloned())
            .unwrap_or_default(),
        note: kept("note")
            .map(str::to_string)
            .unwrap_or_else(|| case.subject.clone()),
        targets: active
            .iter()
            .map(|o| Opt {
                value: o.key.clone(),
                label: o.name.clone(),
                selected: false,
            })
            .collect(),
    }
}

// ---- the case page's forms ----------------------------------------------------------------

/// Photos by reference, one a line: a name and a link (`破损照片 /chat/attachments/…`); a line
/// with only a link is named by its last segment.
fn photos_of(text: &str) -> Vec<Evidence> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (name, url) = match l.rsplit_once(char::is_whitespace) {
                Some((name, url)) => (name.trim().to_string(), url.trim().to_string()),
                None => (l.rsplit('/').next().unwrap_or(l).to_string(), l.to_string()),
            };
            Evidence {
                name,
                url,
                sha256: None,
            }
        })
        .collect()
}

fn some_text(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Sends a work order from the case (`POST /cases/{id}/work-order`).
#[derive(Deserialize)]
pub struct SendOrderForm {
    kind: OrderKind,
    /// An organisation's key; empty: the router's choice.
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    waybill_no: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    new_address: String,
    #[serde(default, deserialize_with = "field::optional")]
    intercept: Option<InterceptAction>,
    #[serde(default)]
    photos: String,
    #[serde(default)]
    about: String,
    #[serde(default, deserialize_with = "field::optional")]
    regulator: Option<Regulator>,
}

impl CaseAction for SendOrderForm {
    const NAME: &'static str = "work-order";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let draft = WorkOrderDraft {
            kind: self.kind,
            waybill_no: some_text(&self.waybill_no),
            organisation: some_text(&self.organisation),
            details: OrderDetails {
                note: self.note.trim().to_string(),
                new_address: some_text(&self.new_address),
                intercept: self.intercept,
                photos: photos_of(&self.photos),
                about: some_text(&self.about),
            },
            regulator: self.regulator,
        };
        let (case, _) = state.desk.send_work_order(&s.actor, id, draft).await?;
        Ok(format!("/cases/{}#work-orders", case.id))
    }
}

/// Sends an open order to another organisation, with the reason.
#[derive(Deserialize)]
pub struct RerouteOrderForm {
    #[serde(default)]
    order: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    reason: String,
}

impl CaseAction for RerouteOrderForm {
    const NAME: &'static str = "work-order-reroute";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let (case, _) = state
            .desk
            .reroute_work_order(
                &s.actor,
                self.order.trim(),
                &self.organisation,
                &self.reason,
            )
            .await?;
        if case.id.as_str() != id && case.number != id {
            return Err(DomainError::NotFound(format!("work order {}", self.order)));
        }
        Ok(format!("/cases/{}#work-orders", case.id))
    }
}

/// Withdraws an open order, with the reason.
#[derive(Deserialize)]
pub struct WithdrawOrderForm {
    #[serde(default)]
    order: String,
    #[serde(default)]
    reason: String,
}

impl CaseAction for WithdrawOrderForm {
    const NAME: &'static str = "work-order-withdraw";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let (case, _) = state
            .desk
            .act_on_work_order(
                &s.actor,
                self.order.trim(),
                OrderAction::Withdraw,
                &self.reason,
            )
            .await?;
        if case.id.as_str() != id && case.number != id {
            return Err(DomainError::NotFound(format!("work order {}", self.order)));
        }
        Ok(format!("/cases/{}#work-orders", case.id))
    }
}

// ---- the organisation's queue -------------------------------------------------------------

/// Who works orders from the queue page: the organisation's staff, and the desk's admins and
/// supervisors (all organisations, with a filter).
pub fn works_orders(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::OutletManager | Role::Department | Role::Admin | Role::Supervisor
    )
}

/// Where a signed-in user starts: the network's staff at their queue.
pub fn landing(actor: &Actor) -> &'static str {
    match actor.role {
        Role::OutletManager => "/console/work-orders",
        _ => "/queue/mine",
    }
}

#[derive(Template)]
#[template(path = "work_orders.html")]
pub struct QueuePage {
    pub chrome: Chrome,
    pub orders: Vec<OrderLine>,
    /// The organisation filter (admins and supervisors, managers with organisations below).
    pub organisations: Vec<Opt>,
    pub open_only: bool,
    /// The viewer sees cases (the desk's staff): each order links to its case.
    pub opens_cases: bool,
    /// The drill-down this list is, if it is one: its title.
    pub drill: String,
    /// Where an answered order comes back to.
    pub back: String,
    /// A refused answer: the order's id, the reason and what was typed.
    pub refused: Option<(String, String, String)>,
}

impl QueuePage {
    pub fn refusal_for(&self, id: &str) -> Option<&str> {
        self.refused
            .as_ref()
            .filter(|(o, _, _)| o == id)
            .map(|(_, m, _)| m.as_str())
    }

    pub fn kept_for(&self, id: &str) -> &str {
        self.refused
            .as_ref()
            .filter(|(o, _, _)| o == id)
            .map_or("", |(_, _, t)| t.as_str())
    }
}

#[derive(Deserialize, Default)]
pub struct QueueParams {
    #[serde(default)]
    organisation: Option<String>,
    /// `0`: every order, not only the open ones.
    #[serde(default)]
    open: Option<String>,
}

pub async fn queue_page(
    State(state): State<AppState>,
    page: StaffPage,
    Query(q): Query<QueueParams>,
) -> Response {
    queue_view(&state, page.s, page.chrome, &q, None).await
}

async fn queue_view(
    state: &AppState,
    s: UiSession,
    chrome: Chrome,
    q: &QueueParams,
    refused: Option<(String, String, String)>,
) -> Response {
    if !works_orders(&s.actor) {
        return error_page(
            s.tr,
            Some(&s),
            &DomainError::Forbidden("the organisation's staff work its orders".into()),
        );
    }
    let open_only = q.open.as_deref() != Some("0");
    let organisation = q
        .organisation
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let query = OrderQuery {
        open_only,
        limit: 200,
        ..OrderQuery::default()
    };
    let mut listed = match state
        .desk
        .work_order_queue(&s.actor, organisation, query)
        .await
    {
        Ok(l) => l,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    // Soonest deadline first: the response until answered, then the completion.
    listed.sort_by_key(|l| (!l.order.state.is_open(), current_deadline(&l.order)));
    let network = state
        .desk
        .network()
        .await
        .unwrap_or_else(|_| Network::new(Vec::new()));
    let visible = state
        .desk
        .list_organisations(&s.actor)
        .await
        .unwrap_or_default();
    let now = state.desk.now();
    let tz = state.desk.time_zone().clone();
    let back = format!(
        "/console/work-orders?organisation={}&open={}",
        encode(organisation.unwrap_or_default()),
        if open_only { "1" } else { "0" }
    );
    let page = QueuePage {
        orders: listed
            .iter()
            .map(|l| order_line(s.tr, l.case_id.as_str(), &l.order, &network, now, &tz))
            .collect(),
        organisations: if visible.len() > 1 {
            visible
                .iter()
                .map(|o| Opt {
                    value: o.key.clone(),
                    label: o.name.clone(),
                    selected: Some(o.key.as_str()) == organisation,
                })
                .collect()
        } else {
            Vec::new()
        },
        open_only,
        opens_cases: s.actor.sees_all_cases(),
        drill: String::new(),
        back,
        refused,
        chrome,
    };
    render(&page)
}

/// What an organisation says when it answers: the text (a refusal's reason), and the page to
/// come back to.
#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    back: String,
}

/// `POST /console/work-orders/{id}/{reply|complete|refuse}`: done, back to the queue; refused,
/// the queue again with the reason next to the order and what was typed.
pub async fn answer(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    posted: Result<CsrfForm<AnswerForm>, FormRefused>,
) -> Response {
    let (s, form) = match posted {
        Ok(CsrfForm { s, form, .. }) => (s, form),
        Err(FormRefused::Invalid(bad)) => return error_page(bad.s.tr, Some(&bad.s), &bad.error),
        Err(other) => return other.into_response(),
    };
    let action = match OrderAction::parse(&action) {
        Some(a @ (OrderAction::Reply | OrderAction::Complete | OrderAction::Refuse)) => a,
        _ => {
            return error_page(
                s.tr,
                Some(&s),
                &DomainError::NotFound("no such action: reply, complete or refuse".into()),
            );
        }
    };
    let back = super::local_path(form.back.trim()).to_string();
    let back = if back.starts_with("/console/work-orders") {
        back
    } else {
        "/console/work-orders".to_string()
    };
    match state
        .desk
        .act_on_work_order(&s.actor, &id, action, &form.text)
        .await
    {
        Ok(_) => redirect(&back),
        Err(DomainError::Unauthenticated) => redirect("/login"),
        Err(e @ (DomainError::NotFound(_) | DomainError::Forbidden(_))) => {
            error_page(s.tr, Some(&s), &e)
        }
        Err(e) => {
            let chrome = match nav(&state, &s, "/console/work-orders").await {
                Ok(c) => c,
                Err(e) => return error_page(s.tr, Some(&s), &e),
            };
            let q: QueueParams = back
                .split_once('?')
                .and_then(|(_, qs)| serde_urlencoded::from_str(qs).ok())
                .unwrap_or_default();
            let refused = Some((
                id.clone(),
                crate::error::public_message(&e),
                form.text.clone(),
            ));
            let mut r = queue_view(&state, s, chrome, &q, refused).await;
            *r.status_mut() = crate::error::status_of(&e);
            r
        }
    }
}
