//! The agent console: server-rendered pages (askama) with htmx for partial updates and
//! server-sent events for live queue counts. No WASM, no CDN: scripts and styles are embedded
//! in the binary (`assets`). Pages call the same `Desk` use cases as the JSON API.

mod account_form;
mod calls;
mod canned;
mod case_forms;
mod causes;
mod channels;
mod chats;
mod courier;
mod desk_pages;
mod extract;
mod help;
pub(crate) mod i18n;
mod kb;
mod kb_words;
mod key_accounts;
mod kpis;
mod notices;
mod orders;
mod pages;
mod pbx;
pub mod portal;
mod quality;
mod reports;
mod search;
mod session;
mod staffing;
pub(crate) mod survey;
mod wechat_channels;

use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use kefu_model::queues::{Queue, QueueFilter};
use kefu_model::{Actor, DomainError};

use crate::AppState;
pub use extract::{CsrfForm, FormRefused, NoFields, StaffPage};
pub use i18n::Tr;
use session::{LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie};

/// How often the live queue counts are pushed.
const COUNTS_EVERY: Duration = Duration::from_secs(5);
/// A browser session lives as long as the API session behind it (12 h).
const SESSION_MAX_AGE: i64 = 12 * 3600;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_lang))
        .route("/queue/{queue}", get(pages::queue_page))
        .route("/dashboard", get(pages::dashboard_page))
        .route("/track", get(pages::track_page))
        .route("/track/case", post(pages::track_open_case))
        .route("/customers", get(pages::customers_page))
        .route("/customers/reveal", post(pages::customer_reveal))
        .route("/customers/notices", post(pages::customer_notices))
        .route("/department", get(desk_pages::department_page))
        .route(
            "/pickups/new",
            get(desk_pages::new_pickup_page).post(desk_pages::new_pickup),
        )
        .route("/pickups/quote", post(desk_pages::quote_partial))
        .route("/console/pickups/mine", get(courier::mine_page))
        .route(
            "/console/pickups/{id}/step/{step}",
            post(courier::take_step),
        )
        .route(
            "/cases/new",
            get(pages::new_case_page).post(pages::create_case),
        )
        .route("/cases/{id}", get(pages::case_page))
        .route("/calls/{call_id}", get(calls::caller_page))
        .route("/ui/counts", get(counts_stream))
        .route("/ui/canned/{id}", get(pages::canned_suggestions))
        .route("/search", get(search::search_page))
        .route("/canned", get(canned::list_page))
        .route("/canned/list", get(canned::list_fragment))
        .route("/canned/new", get(canned::new_page).post(canned::create))
        .route("/canned/preview", post(canned::preview))
        .route("/canned/{id}", get(canned::edit_page).post(canned::update))
        .route("/canned/{id}/archive", post(canned::archive))
        .route("/kb", get(kb::list_page))
        .route("/kb/new", get(kb::new_page).post(kb::create))
        .route("/kb/gaps", get(kb::gaps_page))
        .route("/kb/{id}", get(kb::article_page))
        .route("/kb/{id}/edit", get(kb::edit_page).post(kb::update))
        .route("/kb/{id}/versions/{version}", get(kb::version_page))
        .route("/kb/{id}/review", post(kb::review))
        .route("/kb/{id}/archive", post(kb::archive))
        .route("/kb/{id}/restore", post(kb::restore))
        .route("/channels", get(channels::channels_page))
        .route(
            "/channels/inbound/{key}/original",
            get(channels::inbound_original),
        )
        .route(
            "/channels/inbound/{key}/retake",
            post(channels::retake_inbound),
        )
        .route(
            "/channels/inbound/{key}/dismiss",
            post(channels::dismiss_inbound),
        )
        .route("/channels/notices", get(notices::notices_page))
        .route("/channels/pbx", get(pbx::pbx_page).post(pbx::create))
        .route("/channels/pbx/{id}", get(pbx::edit_page).post(pbx::update))
        .route("/channels/notices/templates", post(notices::save_templates))
        .route("/channels/sms", post(notices::create_gateway))
        .route(
            "/channels/sms/{id}",
            get(notices::edit_gateway_page).post(notices::update_gateway),
        )
        .route("/channels/email", post(channels::create))
        .route(
            "/channels/email/{id}",
            get(channels::edit_page).post(channels::update),
        )
        .route("/channels/wechat", post(wechat_channels::create))
        .route(
            "/channels/wechat/{id}",
            get(wechat_channels::edit_page).post(wechat_channels::update),
        )
        .route("/chats", get(chats::chats_page))
        .route("/chats/presence", post(chats::set_presence))
        .route("/chats/{id}/take", post(chats::take))
        .route("/chats/{id}/transfer", post(chats::transfer))
        .route("/portal", get(portal::home))
        .route("/portal/track", get(portal::track))
        .route(
            "/portal/contact",
            get(portal::contact_page).post(portal::contact),
        )
        .route("/portal/case", get(portal::case_lookup))
        .route("/portal/rate", post(portal::rate))
        .route("/portal/chat", get(portal::chat))
        .route("/portal/help", get(help::help_home))
        .route("/portal/help/{id}", get(help::help_article))
        .route("/portal/help/{id}/feedback", post(help::help_feedback))
        .route(
            "/portal/pickup",
            get(portal::pickup_page).post(portal::pickup),
        )
        .route("/console/satisfaction", get(survey::satisfaction_page))
        .route("/console/satisfaction/cases", get(survey::cases_page))
        .route("/console/follow-ups", get(survey::follow_ups_page))
        .route("/console/follow-ups/{id}", post(survey::record_outcome))
        .route("/console/root-causes", get(causes::pareto_page))
        .route("/console/root-causes/cases", get(causes::pareto_cases_page))
        .route("/console/closed-loop", get(causes::loop_page))
        .route("/console/closed-loop/cases", get(causes::loop_cases_page))
        .route(
            "/console/improvements",
            get(causes::backlog_page).post(causes::propose),
        )
        .route(
            "/console/improvements/{id}",
            get(causes::item_page).post(causes::change_item),
        )
        .route(
            "/console/cause-settings",
            get(causes::settings_get).post(causes::settings_post),
        )
        .route(
            "/console/survey-settings",
            get(survey::settings_get).post(survey::settings_post),
        )
        .route(
            "/survey/{token}",
            get(survey::survey_get).post(survey::survey_post),
        )
        .route("/console/work-orders", get(orders::queue_page))
        .route("/console/quality", get(quality::queue_page))
        .route("/console/quality/draw", post(quality::draw))
        .route(
            "/console/quality/rubric",
            get(quality::rubric_page).post(quality::save_rubric),
        )
        .route("/console/quality/rules", post(quality::save_rules))
        .route("/console/quality/figures", get(quality::figures_page))
        .route("/console/quality/{id}", get(quality::inspection_page))
        .route("/console/quality/{id}/take", post(quality::take))
        .route("/console/quality/{id}/score", post(quality::score))
        .route(
            "/console/quality/{id}/acknowledge",
            post(quality::acknowledge),
        )
        .route("/console/quality/{id}/appeal", post(quality::appeal))
        .route("/console/quality/{id}/decide", post(quality::decide))
        .route("/console/staffing", get(staffing::staffing_page))
        .route("/console/staffing/schedule", post(staffing::save_schedule))
        .route("/console/staffing/copy", post(staffing::copy_schedule))
        .route(
            "/console/staffing/promotions",
            post(staffing::add_promotion),
        )
        .route(
            "/console/staffing/promotions/{date}/delete",
            post(staffing::delete_promotion),
        )
        .route("/console/staffing/settings", post(staffing::save_settings))
        .route("/console/network/assessment", get(orders::assessment_page))
        .route("/console/kpis", get(kpis::kpis_page))
        .route("/console/kpis.csv", get(kpis::kpis_csv))
        .route("/console/kpis.xlsx", get(kpis::kpis_xlsx))
        .route(
            "/console/reports",
            get(reports::reports_page).post(reports::add_schedule),
        )
        .route(
            "/console/reports/{id}/{action}",
            post(reports::act_on_schedule),
        )
        .route(
            "/console/key-accounts",
            get(key_accounts::list).post(key_accounts::create),
        )
        .route("/console/key-accounts/export", get(key_accounts::export))
        .route("/console/key-accounts/{id}", get(key_accounts::show))
        .route(
            "/console/key-accounts/{id}/{action}",
            post(key_accounts::act),
        )
        .route("/console/kpis/cases", get(kpis::kpi_cases_page))
        .route(
            "/console/network/assessment.csv",
            get(orders::assessment_csv),
        )
        .route("/console/work-orders/{id}/{action}", post(orders::answer))
        .merge(case_forms::routes())
        .layer(axum::middleware::map_response(secure_headers))
}

/// Marks a response that other sites may frame (the chat that `/widget.js` embeds).
pub const EMBEDDABLE: &str = "x-kefu-embeddable";
/// Set by a page that plays media from other origins (a call's recording on the PBX's server):
/// the origins, space-separated, for the page's `media-src`. Removed before the response goes.
pub const MEDIA_SOURCES: &str = "x-kefu-media-sources";

/// Strict headers for every console page: scripts only from here, no framing (except the
/// embeddable chat).
async fn secure_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    let embeddable = h.remove(EMBEDDABLE).is_some();
    let media = h.remove(MEDIA_SOURCES);
    let with_media = media
        .as_ref()
        .and_then(|m| m.to_str().ok())
        .filter(|m| {
            m.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '-' | ':' | '/' | '[' | ']'))
        })
        .and_then(|m| {
            HeaderValue::from_str(&format!(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
                 media-src 'self' {m}; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
                 form-action 'self'"
            ))
            .ok()
        });
    h.insert(
        "content-security-policy",
        if let Some(policy) = with_media {
            policy
        } else if embeddable {
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
                 connect-src 'self'; frame-ancestors *; base-uri 'self'; form-action 'self'",
            )
        } else {
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
                 connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
            )
        },
    );
    if !embeddable {
        h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    }
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    response
}

/// The signed-in staff member of a console request.
pub struct UiSession {
    pub actor: Actor,
    pub token: String,
    pub csrf: String,
    pub tr: &'static Tr,
}

/// The console session token of a request, if it carries one.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE)
}

pub fn tr_of(headers: &HeaderMap) -> &'static Tr {
    i18n::for_lang(cookie(headers, LANG_COOKIE))
}

pub fn redirect(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
}

/// Percent-encodes a path or query value.
pub fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Only local paths may be redirected to after login or a language switch.
pub(super) fn local_path(next: &str) -> &str {
    if kefu_html::markdown::is_local_path(next) {
        next
    } else {
        "/"
    }
}

pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!("template: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// Where a signed-in user starts: the network's staff (an outlet manager, or staff of a
/// department that is an organisation) at their work-order queue, everyone else at their
/// cases.
async fn home(State(state): State<AppState>, s: UiSession) -> Response {
    redirect(orders::landing(&state, &s.actor).await)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: pages::Chrome,
    error: Option<String>,
    next: String,
    username: String,
}

async fn login_page(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let tr = tr_of(&headers);
    let csrf = kefu_model::auth::new_password();
    let next = local_path(q.get("next").map_or("/", String::as_str)).to_string();
    let page = LoginPage {
        chrome: pages::Chrome::anonymous(tr, &csrf, "/login"),
        error: None,
        next,
        username: String::new(),
    };
    let mut r = render(&page);
    set(
        &mut r,
        &session::set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, session::is_https(&headers)),
    );
    r
}

fn set(r: &mut Response, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        r.headers_mut().append(SET_COOKIE, v);
    }
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let tr = tr_of(&headers);
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !session::same(field("_csrf"), expected) {
        return redirect("/login");
    }
    let next = local_path(field("next")).to_string();
    let username = field("username");
    let password = field("password");
    let ok = username.len() <= 64 && password.len() <= 256;
    match state.desk.login(username, password).await {
        Ok((token, _)) if ok => {
            let mut r = redirect(&next);
            let https = session::is_https(&headers);
            set(
                &mut r,
                &session::set_cookie(SESSION_COOKIE, &token, SESSION_MAX_AGE, https),
            );
            set(
                &mut r,
                &session::set_cookie(LOGIN_CSRF_COOKIE, "", 0, https),
            );
            r
        }
        _ => {
            let page = LoginPage {
                chrome: pages::Chrome::anonymous(tr, expected, "/login"),
                error: Some(tr.bad_login.to_string()),
                next,
                username: username.chars().take(64).collect(),
            };
            // The form again, with the reason; a 4xx would only add a console error.
            render(&page)
        }
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm { s, .. }: CsrfForm<NoFields>,
) -> Response {
    let _ = state.desk.logout(&s.token).await;
    state.sessions.forget(&s.token);
    let mut r = redirect("/login");
    set(
        &mut r,
        &session::set_cookie(SESSION_COOKIE, "", 0, session::is_https(&headers)),
    );
    r
}

async fn switch_lang(
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = if code == "en" { "en" } else { "zh" };
    let mut r = redirect(local_path(q.get("back").map_or("/", String::as_str)));
    set(
        &mut r,
        &session::set_cookie(
            LANG_COOKIE,
            lang,
            365 * 24 * 3600,
            session::is_https(&headers),
        ),
    );
    r
}

/// Live queue counts for the navigation bar, as server-sent events (`event: counts`, the nav
/// HTML as data). Ends when the session does.
async fn counts_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    s: Result<UiSession, Response>,
) -> Response {
    let Ok(s) = s else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let current = headers
        .get("hx-current-url")
        .and_then(|v| v.to_str().ok())
        .and_then(|u| u.split("/queue/").nth(1))
        .map(|q| q.split(['?', '#']).next().unwrap_or_default().to_string())
        .unwrap_or_default();
    let stream = futures_util::stream::unfold(
        (state, s, current, true),
        |(state, s, current, first)| async move {
            if !first {
                tokio::time::sleep(COUNTS_EVERY).await;
            }
            // A session that ended (logout, expiry) ends the stream.
            state.sessions.actor(&state.desk, &s.token).await.ok()?;
            let nav = pages::nav(&state, &s, &current).await.ok()?;
            let html = pages::NavFragment { chrome: nav }.render().ok()?;
            let event: Result<Event, Infallible> = Ok(Event::default().event("counts").data(html));
            Some((event, (state, s, current, false)))
        },
    );
    let mut r = Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response();
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    r
}

/// A domain error as a console page.
pub fn error_page(tr: &'static Tr, s: Option<&UiSession>, e: &DomainError) -> Response {
    if matches!(e, DomainError::Unauthenticated) {
        return redirect("/login");
    }
    let status = crate::error::status_of(e);
    let page = pages::ErrorPage {
        chrome: pages::Chrome::anonymous(tr, s.map_or("", |s| s.csrf.as_str()), "/"),
        message: crate::error::public_message(e),
    };
    let mut r = render(&page);
    *r.status_mut() = status;
    r
}

/// Queues in navigation order.
pub const QUEUES: &[Queue] = &[
    Queue::Mine,
    Queue::Unassigned,
    Queue::Department,
    Queue::AtRisk,
    Queue::Promises,
    Queue::All,
];

pub fn queue_label(tr: &Tr, q: Queue) -> &'static str {
    match q {
        Queue::Mine => tr.queue_mine,
        Queue::Unassigned => tr.queue_unassigned,
        Queue::Department => tr.queue_department,
        Queue::AtRisk => tr.queue_at_risk,
        Queue::Promises => tr.queue_promises,
        Queue::All => tr.queue_all,
    }
}

pub fn filter_of(q: &HashMap<String, String>) -> QueueFilter {
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    QueueFilter {
        status: get("status").and_then(kefu_model::Status::parse),
        priority: get("priority").and_then(kefu_model::Priority::parse),
        category: get("category").and_then(kefu_model::Category::parse),
        sort: get("sort")
            .and_then(kefu_model::records::CaseSort::parse)
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod template_tests {
    /// HTML reaches a page unescaped only as a `kefu_html::SafeHtml`, which askama prints as
    /// it is; `|safe` would print any string unescaped, so no template may use it.
    #[test]
    fn no_template_prints_a_string_unescaped() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut offenders = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                if line.replace(' ', "").contains("|safe") {
                    offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
        assert!(offenders.is_empty(), "{}", offenders.join("\n"));
    }
}
