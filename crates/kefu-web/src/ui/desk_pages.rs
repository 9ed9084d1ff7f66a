//! Console pages for pickups (booked from a case or on their own, with a live quote) and the
//! department inbox. Handlers parse, call the `Desk`, render.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_model::DomainError;
use kefu_model::parcels::{PickupDraft, QuoteInput};
use kefu_model::queues::DepartmentInbox;
use kefu_model::shipment::PartyDraft;

use super::i18n::{Tr, label};
use super::pages::{Chrome, PickupLine, customer_label, local, nav, pickup_line, span};
use super::{CsrfForm, UiSession, error_page, render};
use crate::AppState;

/// The pickup form's values, kept when a booking is refused.
#[derive(Default, Clone)]
pub struct PickupFormView {
    /// Where the form posts.
    pub action: String,
    pub name: String,
    pub phone: String,
    /// Shown when name and phone may stay empty (the case's customer on file).
    pub on_file: String,
    pub origin: String,
    pub destination: String,
    pub item: String,
    pub weight_kg: String,
    /// The window agreed with the customer, as the browser's `datetime-local` sends it.
    pub window_from: String,
    pub window_to: String,
    /// Why the booking was refused, shown in the form.
    pub error: String,
}

impl PickupFormView {
    pub fn of(form: &HashMap<String, String>, action: &str, on_file: &str) -> PickupFormView {
        let field = |k: &str| {
            form.get(k)
                .map(|v| v.trim().chars().take(200).collect())
                .unwrap_or_default()
        };
        PickupFormView {
            action: action.to_string(),
            name: field("name"),
            phone: field("phone"),
            on_file: on_file.to_string(),
            origin: field("origin"),
            destination: field("destination"),
            item: field("item"),
            weight_kg: field("weight_kg"),
            window_from: field("window_from"),
            window_to: field("window_to"),
            error: String::new(),
        }
    }

    fn weight(&self) -> Result<rust_decimal::Decimal, DomainError> {
        self.weight_kg
            .parse()
            .map_err(|_| DomainError::invalid("weight_kg", "a number of kilograms"))
    }

    /// A window end typed in the form, local to `tz`; empty is none.
    fn window_end(
        text: &str,
        field: &str,
        tz: &jiff::tz::TimeZone,
    ) -> Result<Option<jiff::Timestamp>, DomainError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|dt| dt.to_zoned_datetime(tz.clone()).ok())
            .map(|z| Some(z.timestamp()))
            .ok_or_else(|| DomainError::invalid(field, "a date and time"))
    }

    /// The booking this form asks for.
    pub fn draft(
        &self,
        case_id: Option<String>,
        tz: &jiff::tz::TimeZone,
    ) -> Result<PickupDraft, DomainError> {
        Ok(PickupDraft {
            sender: PartyDraft {
                name: self.name.clone(),
                phone: self.phone.clone(),
                address: self.origin.clone(),
            },
            recipient_address: self.destination.clone(),
            item: self.item.clone(),
            weight_kg: self.weight()?,
            dimensions_cm: None,
            pieces: None,
            product: None,
            declared_value: None,
            insured: false,
            case_id,
            note: String::new(),
            window_from: Self::window_end(&self.window_from, "window_from", tz)?,
            window_to: Self::window_end(&self.window_to, "window_to", tz)?,
            channel: Some(kefu_model::codes::Channel::Phone),
        })
    }
}

/// A quote as the console shows it: price, coverage and prohibited-item warnings.
#[derive(Default)]
pub struct QuoteView {
    pub total: String,
    pub detail: String,
    pub covered: bool,
    pub coverage: String,
    pub warnings: Vec<String>,
    /// Why there is no price (a field missing or wrong).
    pub error: String,
}

impl QuoteView {
    fn of(tr: &Tr, q: &serde_json::Value) -> QuoteView {
        let s = |k: &str| q[k].as_str().unwrap_or_default().to_string();
        QuoteView {
            total: s("total"),
            detail: format!(
                "{} · {} kg · {}",
                s("product_name"),
                s("chargeable_weight_kg"),
                label(tr, &s("zone"))
            ),
            covered: q["covered"].as_bool().unwrap_or(false),
            coverage: s("coverage_reason"),
            warnings: q["prohibited"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|m| {
                            format!(
                                "「{}」：{}",
                                m["keyword"].as_str().unwrap_or_default(),
                                m["category"].as_str().unwrap_or_default()
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            error: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "pickup_quote.html")]
pub struct QuoteFragment {
    pub tr: &'static Tr,
    pub quote: Option<QuoteView>,
}

/// The live quote of the pickup form (an htmx partial): price, coverage, warnings, or what is
/// still missing.
pub async fn quote_partial(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let pf = PickupFormView::of(&form, "", "");
    if pf.origin.is_empty() || pf.destination.is_empty() || pf.weight_kg.is_empty() {
        return render(&QuoteFragment {
            tr: s.tr,
            quote: None,
        });
    }
    let quoted = match pf.weight() {
        Ok(weight_kg) => {
            let input = QuoteInput {
                origin: pf.origin.clone(),
                destination: pf.destination.clone(),
                weight_kg,
                dimensions_cm: None,
                pieces: None,
                item: pf.item.clone(),
                product: None,
                declared_value: None,
                insured: false,
            };
            state.desk.quote(&s.actor, &input).await
        }
        Err(e) => Err(e),
    };
    let quote = match quoted {
        Ok(q) => QuoteView::of(s.tr, &q),
        Err(e) => QuoteView {
            error: e.to_string(),
            ..QuoteView::default()
        },
    };
    render(&QuoteFragment {
        tr: s.tr,
        quote: Some(quote),
    })
}

pub struct BookedView {
    pub line: PickupLine,
}

#[derive(Template)]
#[template(path = "pickup_new.html")]
pub struct NewPickupPage {
    pub chrome: Chrome,
    pub pickup: PickupFormView,
    pub booked: Option<BookedView>,
    pub error: Option<String>,
}

/// An agent books a pickup outside a case.
pub async fn new_pickup_page(State(state): State<AppState>, s: UiSession) -> Response {
    let chrome = match nav(&state, &s, "/pickups/new").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    render(&NewPickupPage {
        chrome,
        pickup: PickupFormView {
            action: "/pickups/new".into(),
            ..PickupFormView::default()
        },
        booked: None,
        error: None,
    })
}

pub async fn new_pickup(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let chrome = match nav(&state, &s, "/pickups/new").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let pf = PickupFormView::of(&form, "/pickups/new", "");
    let booked = match pf.draft(None, state.desk.time_zone()) {
        Ok(draft) => state.desk.book_pickup(&s.actor, draft).await,
        Err(e) => Err(e),
    };
    match booked {
        Ok(p) => {
            let mut r = render(&NewPickupPage {
                chrome,
                pickup: PickupFormView {
                    action: "/pickups/new".into(),
                    ..PickupFormView::default()
                },
                booked: Some(BookedView {
                    line: pickup_line(s.tr, &p, state.desk.time_zone()),
                }),
                error: None,
            });
            *r.status_mut() = StatusCode::CREATED;
            r
        }
        Err(e) => {
            let status = status_of(&e);
            let mut r = render(&NewPickupPage {
                chrome,
                pickup: pf,
                booked: None,
                error: Some(e.to_string()),
            });
            *r.status_mut() = status;
            r
        }
    }
}

pub(super) use crate::error::status_of;

pub struct InboxRow {
    pub number: String,
    pub subject: String,
    pub customer: String,
    pub department: String,
    pub status: String,
    pub due: String,
    pub left: String,
    pub overdue: bool,
}

pub struct DepartmentOpt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "department.html")]
pub struct DepartmentPage {
    pub chrome: Chrome,
    pub title: String,
    /// Department staff see only their own: no choice to offer.
    pub can_choose: bool,
    pub departments: Vec<DepartmentOpt>,
    pub rows: Vec<InboxRow>,
}

/// Cases transferred to a department with their deadlines, the earliest (and overdue) first.
pub async fn department_page(
    State(state): State<AppState>,
    s: UiSession,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    department_view(&state, &s, q.get("d").map(String::as_str)).await
}

async fn department_view(state: &AppState, s: &UiSession, wanted: Option<&str>) -> Response {
    let inbox = match state
        .desk
        .department_inbox(&s.actor, wanted, Some(200))
        .await
    {
        Ok(i) => i,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let chrome = match nav(state, s, "/department").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let now = state.desk.now();
    let tz = state.desk.time_zone();
    let name_of = |id: Option<&kefu_model::DepartmentId>| {
        id.and_then(|id| inbox.departments.iter().find(|d| &d.id == id))
            .map(|d| d.name.clone())
            .unwrap_or_default()
    };
    let mut rows = Vec::with_capacity(inbox.cases.len());
    for case in &inbox.cases {
        let overdue = DepartmentInbox::overdue(case, now);
        let (due, left) = match case.department_due_at {
            Some(d) if d >= now => (
                local(d, tz),
                format!("{} {}", s.tr.left, span(d.duration_since(now).as_secs())),
            ),
            Some(d) => (
                local(d, tz),
                format!("{} {}", s.tr.overdue, span(now.duration_since(d).as_secs())),
            ),
            None => (s.tr.no_deadline.to_string(), String::new()),
        };
        rows.push(InboxRow {
            number: case.number.clone(),
            subject: case.subject.clone(),
            customer: customer_label(state, s, case).await,
            department: name_of(case.department.as_ref()),
            status: label(s.tr, case.status.as_str()),
            due,
            left,
            overdue,
        });
    }
    let title = match &inbox.department {
        Some(d) => format!("{} · {}", s.tr.department_inbox, d.name),
        None => format!("{} · {}", s.tr.department_inbox, s.tr.all_departments),
    };
    render(&DepartmentPage {
        chrome,
        title,
        can_choose: s.actor.sees_all_cases(),
        departments: inbox
            .departments
            .iter()
            .map(|d| DepartmentOpt {
                value: d.key.clone(),
                label: d.name.clone(),
                selected: inbox.department.as_ref().is_some_and(|x| x.id == d.id),
            })
            .collect(),
        rows,
    })
}
