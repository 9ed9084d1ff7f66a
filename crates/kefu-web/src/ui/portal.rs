//! The customer portal at `/portal`: mobile-first pages to track a parcel, book a pickup with a
//! quote, send an inquiry or complaint, follow a case with its number and phone, and rate the
//! service. Anonymous, so every request is rate-limited per client address, and forms carry a
//! double-submit CSRF token.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use askama::Template;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use kefu_model::DomainError;
use kefu_model::parcels::{PickupDraft, QuoteInput, TrackingQuery};
use kefu_model::portal::{CUSTOMER_CATEGORIES, Inquiry, portal_actor};
use kefu_model::shipment::PartyDraft;

use super::i18n::{Tr, label};
use super::pages::Opt;
use super::session::{self, cookie};
use super::{encode, render, tr_of};
use crate::AppState;

const PORTAL_CSRF_COOKIE: &str = "kefu_portal_csrf";
/// Requests per client address per minute.
pub const PORTAL_PER_MINUTE: u32 = 60;

/// A fixed-window counter per client address.
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl RateLimiter {
    /// Counts a request; false once the address has used up this minute.
    pub fn allow(&self, ip: IpAddr, now: Timestamp) -> bool {
        let minute = now.as_second() / 60;
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if w.len() > 100_000 {
            w.retain(|_, (m, _)| *m == minute);
        }
        let entry = w.entry(ip).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 += 1;
        entry.1 <= PORTAL_PER_MINUTE
    }
}

/// What the portal's frame needs.
#[derive(Clone)]
pub struct PortalChrome {
    pub tr: &'static Tr,
    pub csrf: String,
    pub back: String,
    pub css: String,
    pub icon: String,
}

pub(super) struct Visit {
    pub(super) chrome: PortalChrome,
    /// A fresh CSRF cookie to set when the visitor had none.
    pub(super) new_cookie: Option<String>,
}

pub(super) fn visit(headers: &HeaderMap, path: &str) -> Visit {
    let (csrf, new_cookie) = match cookie(headers, PORTAL_CSRF_COOKIE) {
        Some(c) => (c.to_string(), None),
        None => {
            let c = kefu_model::auth::new_password();
            (c.clone(), Some(c))
        }
    };
    Visit {
        chrome: PortalChrome {
            tr: tr_of(headers),
            csrf,
            back: encode(path),
            css: crate::assets::url("kefu.css"),
            icon: crate::assets::url("favicon.svg"),
        },
        new_cookie,
    }
}

pub(super) fn finish(v: &Visit, headers: &HeaderMap, mut r: Response) -> Response {
    if let Some(c) = &v.new_cookie {
        let value =
            session::set_cookie(PORTAL_CSRF_COOKIE, c, 24 * 3600, session::is_https(headers));
        if let Ok(h) = axum::http::HeaderValue::from_str(&value) {
            r.headers_mut().append(axum::http::header::SET_COOKIE, h);
        }
    }
    r
}

/// The client's address: the first `X-Forwarded-For` entry behind a reverse proxy, else the
/// TCP peer.
pub struct ClientIp(pub IpAddr);

impl axum::extract::FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        let peer = parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientIp(
            forwarded.or(peer).unwrap_or(IpAddr::from([0, 0, 0, 0])),
        ))
    }
}

/// Too many requests: a plain page, status 429.
pub(super) fn limited(state: &AppState, headers: &HeaderMap, ip: &ClientIp) -> Option<Response> {
    (!state.portal_limiter.allow(ip.0, state.desk.now()))
        .then(|| (StatusCode::TOO_MANY_REQUESTS, tr_of(headers).too_many).into_response())
}

/// A query parameter, trimmed and cut to `max` characters (empty when absent).
pub(super) fn param(q: &HashMap<String, String>, key: &str, max: usize) -> String {
    q.get(key)
        .map(|v| v.trim().chars().take(max).collect())
        .unwrap_or_default()
}

pub(super) fn csrf_ok(headers: &HeaderMap, form: &HashMap<String, String>) -> bool {
    match (cookie(headers, PORTAL_CSRF_COOKIE), form.get("_csrf")) {
        (Some(c), Some(f)) => session::same(c, f),
        _ => false,
    }
}

fn local(t: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    t.to_zoned_datetime(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    p: PortalChrome,
}

pub async fn home(headers: HeaderMap) -> Response {
    let v = visit(&headers, "/portal");
    let r = render(&HomePage {
        p: v.chrome.clone(),
    });
    finish(&v, &headers, r)
}

#[derive(Template)]
#[template(path = "portal_chat.html")]
struct ChatPage {
    p: PortalChrome,
    script: String,
    embedded: bool,
}

/// `/portal/chat`: the chat, in the portal or framed by `/widget.js` on any web site
/// (`?embed=1`).
pub async fn chat(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let v = visit(&headers, "/portal/chat");
    let embedded = q.get("embed").is_some_and(|e| e == "1");
    let r = render(&ChatPage {
        p: v.chrome.clone(),
        script: crate::assets::url("chat.js"),
        embedded,
    });
    let mut response = finish(&v, &headers, r);
    if embedded {
        // Read by `secure_headers`: this page may be framed by other sites.
        response
            .headers_mut()
            .insert(super::EMBEDDABLE, axum::http::HeaderValue::from_static("1"));
    }
    response
}

pub struct ScanLine {
    pub at: String,
    pub location: String,
    pub text: String,
}

pub struct ShipmentCard {
    pub status: String,
    pub from: String,
    pub to: String,
    pub events: Vec<ScanLine>,
}

#[derive(Template)]
#[template(path = "portal_track.html")]
struct TrackPage {
    p: PortalChrome,
    waybill_no: String,
    answer: String,
    error: Option<String>,
    shipment: Option<ShipmentCard>,
}

pub async fn track(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: ClientIp,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = limited(&state, &headers, &ip) {
        return r;
    }
    let v = visit(&headers, "/portal/track");
    let tr = v.chrome.tr;
    let waybill_no = param(&q, "waybill_no", 40);
    let mut page = TrackPage {
        p: v.chrome.clone(),
        waybill_no: waybill_no.clone(),
        answer: String::new(),
        error: None,
        shipment: None,
    };
    if !waybill_no.is_empty() {
        let query = TrackingQuery {
            waybill_no: Some(waybill_no),
            ..TrackingQuery::default()
        };
        match state.desk.tracking_query(&portal_actor(), query).await {
            Ok(a) => {
                let tz = state.desk.time_zone().clone();
                page.answer = if tr.lang.is_zh() {
                    a.answer
                } else {
                    a.answer_en
                };
                page.shipment = a.shipment.map(|s| ShipmentCard {
                    status: if tr.lang.is_zh() {
                        s.status.label_zh().to_string()
                    } else {
                        s.status.label_en().to_string()
                    },
                    from: s.sender.region.clone(),
                    to: s.recipient.region.clone(),
                    events: s
                        .events
                        .iter()
                        .rev()
                        .map(|e| ScanLine {
                            at: local(e.at, &tz),
                            location: e.location.clone(),
                            text: if e.description.is_empty() {
                                e.code.label_zh().to_string()
                            } else {
                                e.description.clone()
                            },
                        })
                        .collect(),
                });
            }
            Err(e) => page.error = Some(e.to_string()),
        }
    }
    let r = render(&page);
    finish(&v, &headers, r)
}

#[derive(Template)]
#[template(path = "portal_contact.html")]
struct ContactPage {
    p: PortalChrome,
    categories: Vec<Opt>,
    error: Option<String>,
    created: Option<String>,
}

fn categories(tr: &Tr) -> Vec<Opt> {
    CUSTOMER_CATEGORIES
        .iter()
        .map(|c| Opt {
            value: c.as_str().to_string(),
            label: label(tr, c.as_str()),
            selected: false,
        })
        .collect()
}

pub async fn contact_page(headers: HeaderMap) -> Response {
    let v = visit(&headers, "/portal/contact");
    let page = ContactPage {
        categories: categories(v.chrome.tr),
        p: v.chrome.clone(),
        error: None,
        created: None,
    };
    let r = render(&page);
    finish(&v, &headers, r)
}

pub async fn contact(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: ClientIp,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = limited(&state, &headers, &ip) {
        return r;
    }
    let v = visit(&headers, "/portal/contact");
    if !csrf_ok(&headers, &form) {
        return (StatusCode::FORBIDDEN, "CSRF token missing or wrong").into_response();
    }
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    let result = match kefu_model::Category::parse(&field("category")) {
        Some(category) => {
            state
                .desk
                .portal_inquiry(Inquiry {
                    name: field("name"),
                    phone: field("phone"),
                    category,
                    waybill_no: field("waybill_no"),
                    message: field("message"),
                })
                .await
        }
        None => Err(DomainError::invalid("category", "choose a topic")),
    };
    let mut page = ContactPage {
        categories: categories(v.chrome.tr),
        p: v.chrome.clone(),
        error: None,
        created: None,
    };
    let status = match result {
        Ok(case) => {
            page.created = Some(case.number);
            StatusCode::CREATED
        }
        Err(e) => {
            page.error = Some(crate::error::public_message(&e));
            crate::error::status_of(&e)
        }
    };
    let mut r = render(&page);
    *r.status_mut() = status;
    finish(&v, &headers, r)
}

pub struct Reply {
    pub at: String,
    pub text: String,
}

pub struct CaseView {
    pub number: String,
    pub subject: String,
    pub status: String,
    pub replies: Vec<Reply>,
    pub can_rate: bool,
    pub rating: Option<u8>,
    pub scores: [u8; 5],
}

#[derive(Template)]
#[template(path = "portal_case.html")]
struct CasePage {
    p: PortalChrome,
    number: String,
    phone: String,
    error: Option<String>,
    case_view: Option<CaseView>,
}

async fn case_view(state: &AppState, tr: &Tr, case: &kefu_model::Case) -> CaseView {
    let tz = state.desk.time_zone().clone();
    // Only what reached the customer: public staff replies.
    let replies = state
        .desk
        .events_for_customer(case)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| match e.data {
            kefu_model::EventData::MessageAdded { body, .. } => Some(Reply {
                at: local(e.at, &tz),
                text: body,
            }),
            _ => None,
        })
        .collect();
    CaseView {
        number: case.number.clone(),
        subject: case.subject.clone(),
        status: label(tr, case.status.as_str()),
        replies,
        can_rate: case.rating.is_none()
            && matches!(
                case.status,
                kefu_model::Status::Resolved | kefu_model::Status::Closed
            ),
        rating: case.rating,
        scores: [5, 4, 3, 2, 1],
    }
}

pub async fn case_lookup(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: ClientIp,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = limited(&state, &headers, &ip) {
        return r;
    }
    let v = visit(&headers, "/portal/case");
    let tr = v.chrome.tr;
    let number = param(&q, "number", 32);
    let phone = param(&q, "phone", 20);
    let mut page = CasePage {
        p: v.chrome.clone(),
        number: number.clone(),
        phone: phone.clone(),
        error: None,
        case_view: None,
    };
    if !number.is_empty() {
        match state.desk.portal_case(&number, &phone).await {
            Ok(case) => page.case_view = Some(case_view(&state, tr, &case).await),
            Err(_) => page.error = Some(tr.not_found_case.to_string()),
        }
    }
    let r = render(&page);
    finish(&v, &headers, r)
}

pub async fn rate(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: ClientIp,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = limited(&state, &headers, &ip) {
        return r;
    }
    if !csrf_ok(&headers, &form) {
        return (StatusCode::FORBIDDEN, "CSRF token missing or wrong").into_response();
    }
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    let score = field("score").parse::<u8>().unwrap_or(0);
    let v = visit(&headers, "/portal/case");
    let tr = v.chrome.tr;
    let mut page = CasePage {
        p: v.chrome.clone(),
        number: field("number"),
        phone: field("phone"),
        error: None,
        case_view: None,
    };
    match state
        .desk
        .portal_rate(&field("number"), &field("phone"), score, &field("comment"))
        .await
    {
        Ok(case) => page.case_view = Some(case_view(&state, tr, &case).await),
        Err(DomainError::NotFound(_)) => page.error = Some(tr.not_found_case.to_string()),
        Err(e) => page.error = Some(e.to_string()),
    }
    render(&page)
}

#[derive(Default)]
pub struct PickupForm {
    pub name: String,
    pub phone: String,
    pub origin: String,
    pub destination: String,
    pub item: String,
    pub weight_kg: String,
}

pub struct QuoteBox {
    pub total: String,
    pub detail: String,
    pub covered: bool,
    pub coverage: String,
    pub warnings: Vec<String>,
}

pub struct Booked {
    pub number: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "portal_pickup.html")]
struct PickupPage {
    p: PortalChrome,
    form: PickupForm,
    quote: Option<QuoteBox>,
    booked: Option<Booked>,
    error: Option<String>,
}

pub async fn pickup_page(headers: HeaderMap) -> Response {
    let v = visit(&headers, "/portal/pickup");
    let page = PickupPage {
        p: v.chrome.clone(),
        form: PickupForm::default(),
        quote: None,
        booked: None,
        error: None,
    };
    let r = render(&page);
    finish(&v, &headers, r)
}

pub async fn pickup(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: ClientIp,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = limited(&state, &headers, &ip) {
        return r;
    }
    if !csrf_ok(&headers, &form) {
        return (StatusCode::FORBIDDEN, "CSRF token missing or wrong").into_response();
    }
    let v = visit(&headers, "/portal/pickup");
    let tr = v.chrome.tr;
    let field = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let pf = PickupForm {
        name: field("name"),
        phone: field("phone"),
        origin: field("origin"),
        destination: field("destination"),
        item: field("item"),
        weight_kg: field("weight_kg"),
    };
    let mut page = PickupPage {
        p: v.chrome.clone(),
        form: PickupForm::default(),
        quote: None,
        booked: None,
        error: None,
    };
    let weight = match pf.weight_kg.parse::<rust_decimal::Decimal>() {
        Ok(w) => w,
        Err(_) => {
            page.error =
                Some(DomainError::invalid("weight_kg", "a number of kilograms").to_string());
            page.form = pf;
            let mut r = render(&page);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return r;
        }
    };
    let desk = &state.desk;
    let actor = portal_actor();
    let status;
    if field("step") == "book" {
        let draft = PickupDraft {
            sender: PartyDraft {
                name: pf.name.clone(),
                phone: pf.phone.clone(),
                address: pf.origin.clone(),
            },
            recipient_address: pf.destination.clone(),
            item: pf.item.clone(),
            weight_kg: weight,
            dimensions_cm: None,
            pieces: None,
            product: None,
            declared_value: None,
            insured: false,
            case_id: None,
            note: String::new(),
            window_from: None,
            window_to: None,
            channel: Some(kefu_model::codes::Channel::Web),
        };
        match desk.book_pickup(&actor, draft).await {
            Ok(p) => {
                let detail = match (p.review_required, p.estimated_pickup_at) {
                    (true, _) => tr.pickup_review.to_string(),
                    (false, Some(eta)) => {
                        format!("{}{}", tr.courier_comes, local(eta, desk.time_zone()))
                    }
                    (false, None) => String::new(),
                };
                page.booked = Some(Booked {
                    number: p.number,
                    detail,
                });
                status = StatusCode::CREATED;
            }
            Err(e) => {
                page.error = Some(e.to_string());
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
        }
    } else {
        let input = QuoteInput {
            origin: pf.origin.clone(),
            destination: pf.destination.clone(),
            weight_kg: weight,
            dimensions_cm: None,
            pieces: None,
            item: pf.item.clone(),
            product: None,
            declared_value: None,
            insured: false,
        };
        match desk.quote(&actor, &input).await {
            Ok(q) => {
                let s = |k: &str| q[k].as_str().unwrap_or_default().to_string();
                let warnings = q["prohibited"]
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
                    .unwrap_or_default();
                page.quote = Some(QuoteBox {
                    total: s("total"),
                    detail: format!("{} · {} kg", s("product_name"), s("chargeable_weight_kg")),
                    covered: q["covered"].as_bool().unwrap_or(false),
                    coverage: s("coverage_reason"),
                    warnings,
                });
                status = StatusCode::OK;
            }
            Err(e) => {
                page.error = Some(e.to_string());
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
        }
        page.form = pf;
    }
    let mut r = render(&page);
    *r.status_mut() = status;
    finish(&v, &headers, r)
}
