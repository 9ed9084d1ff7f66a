//! The network's console pages (R-NET-2, R-NET-3): the case page's work-order panel and its
//! forms (send, re-route, withdraw), the organisation's queue at `/console/work-orders` (laid out
//! for a phone: one column, large buttons) where outlet staff reply, complete or refuse, and the
//! outlet assessment. Every page calls the same `Desk` use cases as the API; who may see what
//! is the desk's rule.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use kefu_desk::network::OrderAction;
use kefu_model::claim::Evidence;
use kefu_model::network::Network;
use kefu_model::user::Role;
use kefu_model::work_order::{
    InterceptAction, OrderDetails, OrderFigure, OrderKind, OrderQuery, OrderStage, OrderState,
    OrgFigures, Regulator, RoutedBy, WorkOrder, WorkOrderDraft,
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
    let en = match state {
        OrderState::Sent => "Waiting for a response",
        OrderState::Replied => "In hand",
        OrderState::Completed => "Completed",
        OrderState::Refused => "Refused",
        OrderState::Withdrawn => "Withdrawn",
    };
    lang.pick(state.label_zh(), en)
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
    let due = o.current_deadline();
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
    /// The case's files as lines the photos field takes (`name link`).
    pub photo_refs: Vec<String>,
}

pub async fn order_panel(
    state: &AppState,
    s: &UiSession,
    case: &Case,
    files: Vec<(String, String)>,
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
        photo_refs: files
            .into_iter()
            .map(|(name, url)| format!("{} {url}", name.replace(char::is_whitespace, "_")))
            .collect(),
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

/// Whether the actor's department is one of the network's organisations.
pub async fn in_network(state: &AppState, actor: &Actor) -> bool {
    match (&actor.department_id, state.desk.network().await) {
        (Some(own), Ok(network)) => network.by_id(own).is_some(),
        _ => false,
    }
}

/// Where a signed-in user starts: the network's staff (an outlet manager, or staff of a
/// department that is an organisation) at their queue, everyone else at their cases.
pub async fn landing(state: &AppState, actor: &Actor) -> &'static str {
    match actor.role {
        Role::Courier => "/console/pickups/mine",
        Role::OutletManager => "/console/work-orders",
        Role::Department if in_network(state, actor).await => "/console/work-orders",
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
    /// The assessment's drill-down: orders sent on the days `[from_day, to_day)` behind one
    /// figure.
    #[serde(default)]
    from_day: Option<String>,
    #[serde(default)]
    to_day: Option<String>,
    #[serde(default)]
    figure: Option<String>,
}

/// The drill-down a queue request asks for, if any: days and figure, parsed.
fn drill_of(q: &QueueParams) -> Result<Option<(Date, Date, OrderFigure)>, DomainError> {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let (from, to, figure) = (text(&q.from_day), text(&q.to_day), text(&q.figure));
    if from.is_none() && to.is_none() && figure.is_none() {
        return Ok(None);
    }
    let day = |field: &str, v: Option<String>| {
        v.and_then(|v| v.parse::<Date>().ok())
            .ok_or_else(|| DomainError::invalid(field, "a date (YYYY-MM-DD)"))
    };
    let from = day("from_day", from)?;
    let to = day("to_day", to)?;
    let figure = figure
        .as_deref()
        .map_or(Some(OrderFigure::Orders), OrderFigure::parse)
        .ok_or_else(|| DomainError::invalid("figure", "a figure of the assessment"))?;
    Ok(Some((from, to, figure)))
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
    let drill = match drill_of(q) {
        Ok(d) => d,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let open_only = q.open.as_deref() != Some("0") && drill.is_none();
    let organisation = q
        .organisation
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let query = OrderQuery {
        open_only,
        sent_on_from: drill.map(|(from, _, _)| from),
        sent_on_to: drill.map(|(_, to, _)| to),
        figure: drill.map(|(_, _, figure)| figure),
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
    listed.sort_by_key(|l| (!l.order.state.is_open(), l.order.current_deadline()));
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
    let back = match drill {
        Some((from, to, figure)) => format!(
            "/console/work-orders?organisation={}&from_day={from}&to_day={to}&figure={}&open=0",
            encode(organisation.unwrap_or_default()),
            figure.as_str()
        ),
        None => format!(
            "/console/work-orders?organisation={}&open={}",
            encode(organisation.unwrap_or_default()),
            if open_only { "1" } else { "0" }
        ),
    };
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
        drill: drill.map_or_else(String::new, |(from, to, figure)| {
            format!(
                "{} · {} · {} · {from} – {to}",
                s.tr.as_drill,
                organisation.unwrap_or(s.tr.wo_all_organisations),
                figure_label(s.tr, figure)
            )
        }),
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

// ---- the outlet assessment ----------------------------------------------------------------

/// Who sees the assessment: supervisors and admins, an organisation's manager for theirs.
pub fn sees_assessment(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::Admin | Role::Supervisor | Role::OutletManager
    )
}

/// The assessment's columns, each sortable, each figure a link to the orders behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Organisation,
    Orders,
    Response,
    Completion,
    Refused,
    Per10k,
    Repeat,
    Average,
}

impl Column {
    const ALL: [Column; 8] = [
        Column::Organisation,
        Column::Orders,
        Column::Response,
        Column::Completion,
        Column::Refused,
        Column::Per10k,
        Column::Repeat,
        Column::Average,
    ];

    fn code(self) -> &'static str {
        match self {
            Column::Organisation => "organisation",
            Column::Orders => "orders",
            Column::Response => "response",
            Column::Completion => "completion",
            Column::Refused => "refused",
            Column::Per10k => "per10k",
            Column::Repeat => "repeat",
            Column::Average => "average",
        }
    }

    fn parse(s: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.code() == s)
    }

    fn title(self, tr: &Tr) -> &'static str {
        match self {
            Column::Organisation => tr.as_organisation,
            Column::Orders => tr.as_orders,
            Column::Response => tr.as_on_time_response,
            Column::Completion => tr.as_on_time_completion,
            Column::Refused => tr.as_refusals,
            Column::Per10k => tr.as_complaints_per_10k,
            Column::Repeat => tr.as_repeat_complaints,
            Column::Average => tr.as_avg_completion,
        }
    }

    /// The orders behind the column's figure: all of them for the count and the rates' base
    /// is too wide, so a rate links to the orders that missed it.
    fn figure(self) -> OrderFigure {
        match self {
            Column::Organisation | Column::Orders => OrderFigure::Orders,
            Column::Response => OrderFigure::ResponseLate,
            Column::Completion => OrderFigure::CompletionLate,
            Column::Refused => OrderFigure::Refused,
            Column::Per10k => OrderFigure::Complaints,
            Column::Repeat => OrderFigure::RepeatComplaints,
            Column::Average => OrderFigure::Completed,
        }
    }

    /// The value it sorts by (`None` sorts last whichever the direction).
    fn value(self, f: &OrgFigures) -> Option<f64> {
        let t = &f.tally;
        match self {
            Column::Organisation => None,
            Column::Orders => Some(t.orders as f64),
            Column::Response => f.response_rate(),
            Column::Completion => f.completion_rate(),
            Column::Refused => Some(t.refused as f64),
            Column::Per10k => f.complaints_per_10k(),
            Column::Repeat => Some(t.repeat_complaints as f64),
            Column::Average => f.average_completion_minutes().map(|m| m as f64),
        }
    }
}

fn figure_label(tr: &Tr, f: OrderFigure) -> &'static str {
    match f {
        OrderFigure::Orders => tr.as_orders,
        OrderFigure::ResponseLate => tr.wo_late_response,
        OrderFigure::CompletionLate => tr.wo_late_completion,
        OrderFigure::Refused => tr.as_refusals,
        OrderFigure::Completed => tr.as_completed,
        OrderFigure::Complaints => kind_label(tr.lang, OrderKind::Complaint),
        OrderFigure::RepeatComplaints => tr.as_repeat_complaints,
        OrderFigure::Regulator => tr.as_regulator,
    }
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{:.1}%", v * 100.0))
}

fn minutes(v: Option<i64>) -> String {
    v.map_or_else(|| "—".to_string(), |m| span(m * 60))
}

/// One organisation's row: its cells in column order, as (text, drill-down link).
pub struct AssessmentRow {
    pub organisation: String,
    pub cells: Vec<(String, String)>,
}

pub struct ColumnHead {
    pub title: &'static str,
    pub href: String,
    /// `ascending`, `descending` or `none` (aria-sort).
    pub sorted: &'static str,
}

#[derive(Template)]
#[template(path = "assessment.html")]
pub struct AssessmentPage {
    pub chrome: Chrome,
    pub from: String,
    pub to: String,
    pub heads: Vec<ColumnHead>,
    pub rows: Vec<AssessmentRow>,
    pub csv: String,
}

/// The period and order asked for (`from`/`to` days, `to` not included; `sort`, `dir`).
#[derive(Deserialize, Default)]
pub struct AssessmentParams {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    sort: Option<String>,
    #[serde(default)]
    dir: Option<String>,
}

/// The period: the days given, else the last seven days up to today.
fn period(state: &AppState, p: &AssessmentParams) -> Result<(Date, Date), DomainError> {
    period_of(state, &p.from, &p.to)
}

/// A period of days `[from, to)` from a form's fields: the days given, else the last seven
/// days up to today.
pub(super) fn period_of(
    state: &AppState,
    from: &Option<String>,
    to: &Option<String>,
) -> Result<(Date, Date), DomainError> {
    period_of_days(state, from, to, 7)
}

/// [`period_of`] with its own default length: `days` up to tomorrow when `from` is blank.
pub(super) fn period_of_days(
    state: &AppState,
    from: &Option<String>,
    to: &Option<String>,
    days: i64,
) -> Result<(Date, Date), DomainError> {
    let day = |field: &str, v: &Option<String>| super::extract::optional_day(v.as_deref(), field);
    let today = state.desk.time_zone().to_datetime(state.desk.now()).date();
    let to = day("to", to)?.unwrap_or_else(|| today.tomorrow().unwrap_or(today));
    let from = day("from", from)?
        .unwrap_or_else(|| to.checked_sub(jiff::Span::new().days(days)).unwrap_or(to));
    Ok((from, to))
}

async fn figures_of(
    state: &AppState,
    s: &UiSession,
    p: &AssessmentParams,
) -> Result<(Date, Date, Vec<(OrgFigures, String, String)>), DomainError> {
    let (from, to) = period(state, p)?;
    let figures = state.desk.order_assessment(&s.actor, from, to).await?;
    let network = state.desk.network().await?;
    let rows = figures
        .into_iter()
        .map(|f| {
            let (key, name) = network
                .by_id(&f.organisation)
                .map(|o| (o.key.clone(), o.name.clone()))
                .unwrap_or_else(|| (String::new(), f.organisation.to_string()));
            (f, key, name)
        })
        .collect();
    Ok((from, to, rows))
}

pub async fn assessment_page(
    State(state): State<AppState>,
    page: StaffPage,
    Query(p): Query<AssessmentParams>,
) -> Response {
    let s = &page.s;
    let tr = s.tr;
    let (from, to, mut rows) = match figures_of(&state, s, &p).await {
        Ok(r) => r,
        Err(e) => return error_page(tr, Some(s), &e),
    };
    let sort = p
        .sort
        .as_deref()
        .and_then(Column::parse)
        .unwrap_or(Column::Orders);
    let descending = match p.dir.as_deref() {
        Some("asc") => false,
        Some("desc") => true,
        _ => sort != Column::Organisation,
    };
    rows.sort_by(|a, b| {
        let order = match sort {
            Column::Organisation => a.2.cmp(&b.2),
            c => match (c.value(&a.0), c.value(&b.0)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                // Without a figure: last either way.
                (Some(_), None) => return std::cmp::Ordering::Less,
                (None, Some(_)) => return std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            },
        };
        let order = if descending { order.reverse() } else { order };
        order.then_with(|| a.2.cmp(&b.2))
    });
    let period_q = format!("from={from}&to={to}");
    let heads = Column::ALL
        .iter()
        .map(|&c| {
            let (sorted, next) = match (c == sort, descending) {
                (true, true) => ("descending", "asc"),
                (true, false) => ("ascending", "desc"),
                (false, _) if c == Column::Organisation => ("none", "asc"),
                (false, _) => ("none", "desc"),
            };
            ColumnHead {
                title: c.title(tr),
                href: format!(
                    "/console/network/assessment?{period_q}&sort={}&dir={next}",
                    c.code()
                ),
                sorted,
            }
        })
        .collect();
    let drill = |key: &str, c: Column| {
        format!(
            "/console/work-orders?organisation={}&from_day={from}&to_day={to}&figure={}&open=0",
            encode(key),
            c.figure().as_str()
        )
    };
    let rows = rows
        .iter()
        .map(|(f, key, name)| {
            let t = &f.tally;
            let texts = [
                t.orders.to_string(),
                percent(f.response_rate()),
                percent(f.completion_rate()),
                t.refused.to_string(),
                f.complaints_per_10k()
                    .map_or_else(|| "—".to_string(), |v| format!("{v:.2}")),
                t.repeat_complaints.to_string(),
                minutes(f.average_completion_minutes()),
            ];
            AssessmentRow {
                organisation: name.clone(),
                cells: Column::ALL[1..]
                    .iter()
                    .zip(texts)
                    .map(|(&c, text)| (text, drill(key, c)))
                    .collect(),
            }
        })
        .collect();
    render(&AssessmentPage {
        from: from.to_string(),
        to: to.to_string(),
        heads,
        rows,
        csv: format!("/console/network/assessment.csv?{period_q}"),
        chrome: page.chrome,
    })
}

/// `GET /console/network/assessment.csv`: the table as CSV, UTF-8 with a byte-order mark so
/// Excel reads the Chinese names; figures as numbers (rates 0–100, minutes).
pub async fn assessment_csv(
    State(state): State<AppState>,
    s: UiSession,
    Query(p): Query<AssessmentParams>,
) -> Response {
    let tr = s.tr;
    let (from, to, rows) = match figures_of(&state, &s, &p).await {
        Ok(r) => r,
        Err(e) => return error_page(tr, Some(&s), &e),
    };
    let header: Vec<String> = std::iter::once(tr.wo_organisation)
        .chain(std::iter::once("key"))
        .chain(Column::ALL[1..].iter().map(|c| c.title(tr)))
        .chain([tr.as_parcels, tr.as_regulator])
        .map(str::to_string)
        .collect();
    let num = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.2}"));
    let lines = rows.iter().map(|(f, key, name)| {
        let t = &f.tally;
        vec![
            name.to_string(),
            key.to_string(),
            t.orders.to_string(),
            num(f.response_rate().map(|r| r * 100.0)),
            num(f.completion_rate().map(|r| r * 100.0)),
            t.refused.to_string(),
            num(f.complaints_per_10k()),
            t.repeat_complaints.to_string(),
            f.average_completion_minutes()
                .map_or_else(String::new, |m| m.to_string()),
            f.parcels.map_or_else(String::new, |p| p.to_string()),
            t.regulator_complaints.to_string(),
        ]
    });
    crate::csv::download(
        crate::csv::document(std::iter::once(header).chain(lines)),
        &format!("assessment-{from}-{to}.csv"),
    )
}
