#![recursion_limit = "256"]
//! kefu's HTTP surface. This is the only crate that knows HTTP: it parses requests, asks the
//! domain's [`Desk`], and turns answers and errors into JSON with the right status.

mod api;
mod assets;
mod canned;
mod causes;
mod channels;
mod chat;
mod csv;
mod customers;
mod error;
mod extract;
mod figures;
mod kb;
mod key_accounts;
mod metrics;
mod network;
mod openapi;
mod parcels;
mod quality;
pub mod reports;
mod sessions;
pub mod speech;
mod staffing;
mod survey;
mod telephony;
mod ui;
mod views;
mod wechat;
mod xlsx;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kefu_desk::Desk;
use tokio::net::TcpListener;

pub use error::ApiError;
pub use openapi::{Body, ROUTES, document as openapi_document};

/// Request bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub desk: Desk,
    metrics: Arc<metrics::Metrics>,
    sessions: Arc<sessions::SessionCache>,
    portal_limiter: Arc<ui::portal::RateLimiter>,
    chat: Arc<chat::ChatHub>,
    /// Transcribes call recordings when set (see [`AppState::with_speech`]).
    speech: Option<Arc<dyn kefu_desk::telephony::SpeechToText>>,
}

impl AppState {
    pub fn new(desk: Desk) -> Self {
        Self {
            desk,
            metrics: Arc::default(),
            sessions: Arc::default(),
            portal_limiter: Arc::default(),
            chat: Arc::default(),
            speech: None,
        }
    }

    /// With a speech-to-text engine: every call that ends with a recording is transcribed
    /// after the webhook is answered, the words an internal note on the call's case.
    pub fn with_speech(mut self, engine: Arc<dyn kefu_desk::telephony::SpeechToText>) -> Self {
        self.speech = Some(engine);
        self
    }

    /// With a search engine: `GET /api/v1/search`, the console's and the portal's searches and
    /// the bot's knowledge-base answers come from it (it is the desk's, see [`Desk::search`]).
    pub fn with_search(mut self, engine: Arc<dyn kefu_model::search::SearchEngine>) -> Self {
        self.desk = self.desk.with_search(engine);
        self
    }
}

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/auth/login", post(api::login))
        .route("/auth/logout", post(api::logout))
        .route("/me", get(api::me))
        .route("/users", post(api::create_user).get(api::list_users))
        .route(
            "/departments",
            post(api::create_department).get(api::list_departments),
        )
        .route(
            "/customers",
            post(api::create_customer).get(api::list_customers),
        )
        .route(
            "/customers/{id}",
            get(api::get_customer).patch(customers::update),
        )
        .route("/customers/{id}/events", get(customers::events))
        .route("/customers/{id}/merge", post(customers::merge))
        .route("/cases/{id}/identity", post(customers::confirm_identity))
        .route("/cases", post(api::create_case).get(api::list_cases))
        .route("/cases/{id}", get(api::get_case).patch(api::update_case))
        .route(
            "/cases/{id}/messages",
            post(api::add_message).get(api::list_messages),
        )
        .route("/cases/{id}/events", get(api::list_events))
        .route("/calendars", get(api::list_calendars))
        .route(
            "/calendars/{id}",
            get(api::get_calendar).put(api::put_calendar),
        )
        .route("/calendars/{id}/add", post(api::calendar_add))
        .route("/cases/{id}/commitments", post(api::make_commitment))
        .route("/cases/{id}/escalate", post(api::escalate))
        .route("/notifications", get(api::list_notifications))
        .route("/notifications/read", post(api::mark_notifications_read))
        .route("/waybills/{id}/recognize", get(api::recognize_waybill))
        .route("/shipments", post(parcels::upsert_shipment))
        .route("/shipments/{id}", get(parcels::get_shipment))
        .route("/shipments/{id}/events", post(parcels::add_scans))
        .route("/shipments/{id}/reveal", post(parcels::reveal_shipment))
        .route("/shipments/{id}/history", get(parcels::shipment_history))
        .route("/config-history", get(parcels::config_history))
        .route("/tracking/query", post(parcels::tracking_query))
        .route("/addresses/parse", post(parcels::parse_address))
        .route(
            "/settings/{id}",
            get(parcels::get_setting).put(parcels::put_setting),
        )
        .route("/pickups/quote", post(parcels::quote))
        .route(
            "/pickups",
            post(parcels::book_pickup).get(parcels::list_pickups),
        )
        .route("/pickups/{id}", get(parcels::get_pickup))
        .route("/pickups/{id}/status", post(parcels::pickup_status))
        .route("/pickups/{id}/accept", post(parcels::accept_pickup))
        .route("/pickups/{id}/arrive", post(parcels::arrive_pickup))
        .route("/pickups/{id}/collect", post(parcels::collect_pickup))
        .route("/pickups/{id}/fail", post(parcels::fail_pickup))
        .route("/pickups/{id}/reveal", post(parcels::reveal_pickup))
        .route("/cases/{id}/claims", post(parcels::open_claim))
        .route("/cases/{id}/work-orders", post(network::send_work_order))
        .route(
            "/network/organisations",
            get(network::list_organisations).post(network::create_organisation),
        )
        .route(
            "/network/organisations/{id}",
            get(network::get_organisation).put(network::change_organisation),
        )
        .route(
            "/network/organisations/{id}/volumes",
            axum::routing::put(network::record_volumes),
        )
        .route("/network/assessment", get(network::assessment))
        .route("/kpis", get(figures::report))
        .route("/kpis/cases", get(figures::cases))
        .route("/kpis/export", get(figures::export))
        .route("/kpis/recompute", post(figures::recompute))
        .route("/staffing/history", get(staffing::history))
        .route("/staffing/forecast", get(staffing::forecast))
        .route("/staffing/needed", get(staffing::needed))
        .route("/staffing/schedule", get(staffing::schedule))
        .route(
            "/staffing/schedule/{day}/{channel}",
            axum::routing::put(staffing::put_schedule),
        )
        .route(
            "/staffing/promotions",
            get(staffing::list_promotions).post(staffing::add_promotion),
        )
        .route(
            "/staffing/promotions/{date}",
            axum::routing::put(staffing::change_promotion).delete(staffing::delete_promotion),
        )
        .route(
            "/report-schedules",
            get(reports::list).post(reports::create),
        )
        .route(
            "/report-schedules/{id}",
            get(reports::get_one)
                .put(reports::change)
                .delete(reports::delete),
        )
        .route("/report-schedules/{id}/send", post(reports::send_now))
        .route(
            "/staffing/settings",
            get(staffing::get_settings).put(staffing::put_settings),
        )
        .route("/quality/rubrics", get(quality::list_rubrics))
        .route(
            "/quality/rubrics/{id}",
            get(quality::get_rubric).put(quality::put_rubric),
        )
        .route(
            "/quality/rubrics/{id}/versions",
            get(quality::rubric_versions),
        )
        .route(
            "/quality/settings",
            get(quality::get_settings).put(quality::put_settings),
        )
        .route("/quality/draw", post(quality::draw))
        .route("/quality/inspections", get(quality::list_inspections))
        .route("/quality/inspections/{id}", get(quality::get_inspection))
        .route("/quality/inspections/{id}/assign", post(quality::assign))
        .route("/quality/inspections/{id}/score", post(quality::score))
        .route(
            "/quality/inspections/{id}/acknowledge",
            post(quality::acknowledge),
        )
        .route("/quality/inspections/{id}/appeal", post(quality::appeal))
        .route("/quality/inspections/{id}/decide", post(quality::decide))
        .route("/quality/figures", get(quality::figures))
        .route(
            "/key-accounts",
            get(key_accounts::list).post(key_accounts::create),
        )
        .route("/key-accounts/export", get(key_accounts::export))
        .route("/key-accounts/reminders", get(key_accounts::reminders))
        .route(
            "/key-accounts/{id}",
            get(key_accounts::get_one).patch(key_accounts::patch),
        )
        .route(
            "/key-accounts/{id}/assistants",
            axum::routing::put(key_accounts::assistants),
        )
        .route(
            "/key-accounts/{id}/contacts",
            post(key_accounts::add_contact),
        )
        .route(
            "/key-accounts/{id}/contacts/{item}",
            axum::routing::put(key_accounts::change_contact).delete(key_accounts::remove_contact),
        )
        .route(
            "/key-accounts/{id}/file-entries",
            post(key_accounts::add_file_entry),
        )
        .route(
            "/key-accounts/{id}/file-entries/{item}",
            axum::routing::put(key_accounts::change_file_entry)
                .delete(key_accounts::remove_file_entry),
        )
        .route(
            "/key-accounts/{id}/file-reviewed",
            post(key_accounts::file_reviewed),
        )
        .route(
            "/key-accounts/{id}/file-export",
            get(key_accounts::file_export),
        )
        .route(
            "/key-accounts/{id}/gradings",
            get(key_accounts::gradings).post(key_accounts::record_grading),
        )
        .route(
            "/key-accounts/{id}/documents",
            post(key_accounts::add_document),
        )
        .route(
            "/key-accounts/{id}/documents/{item}",
            axum::routing::put(key_accounts::change_document).delete(key_accounts::remove_document),
        )
        .route(
            "/key-accounts/{id}/documents/{item}/contacted",
            post(key_accounts::contacted),
        )
        .route(
            "/key-accounts/{id}/prices",
            get(key_accounts::prices).post(key_accounts::add_price),
        )
        .route(
            "/key-accounts/{id}/prices/{item}/file",
            post(key_accounts::file_price),
        )
        .route("/key-accounts/{id}/price", get(key_accounts::price))
        .route("/work-orders", get(network::list_work_orders))
        .route("/work-orders/{id}", get(network::get_work_order))
        .route(
            "/work-orders/{id}/reroute",
            post(network::reroute_work_order),
        )
        .route(
            "/work-orders/{id}/{action}",
            post(network::act_on_work_order),
        )
        .route("/customers/{id}/reveal", post(parcels::reveal_customer))
        .route("/audit", get(parcels::audit_log))
        .route(
            "/cases/{id}/claims/{claim}/{step}",
            post(parcels::claim_step),
        )
        .route("/sla-policies", get(api::list_sla_policies))
        .route(
            "/sla-policies/{id}",
            axum::routing::put(api::put_sla_policy),
        )
        .route("/chat/conversations", post(chat::start))
        .route("/chat/cases/{id}/ws", get(chat::staff_ws))
        .route("/chat/cases/{id}/frames", get(api::chat_frames))
        .route(
            "/me/presence",
            get(api::get_presence).put(api::put_presence),
        )
        .route("/routing/agents", get(api::routing_agents))
        .route("/nlu/parse", post(api::nlu_parse))
        .route("/search", get(api::search))
        .route("/canned", get(canned::list).post(canned::create))
        .route(
            "/canned/{id}",
            get(canned::get).put(canned::update).delete(canned::archive),
        )
        .route("/cases/{id}/canned/{template}/render", post(canned::render))
        .route("/cases/{id}/macros/{macro}", post(canned::apply_macro))
        .route("/kb/articles", get(kb::list).post(kb::create))
        .route("/kb/articles/{id}", get(kb::get).put(kb::update))
        .route("/kb/articles/{id}/archive", post(kb::archive))
        .route("/kb/articles/{id}/review", post(kb::review))
        .route("/kb/articles/{id}/versions", get(kb::versions))
        .route("/kb/articles/{id}/versions/{version}", get(kb::version))
        .route(
            "/kb/articles/{id}/versions/{version}/restore",
            post(kb::restore),
        )
        .route(
            "/kb/articles/{id}/feedback",
            get(kb::feedback_list).post(kb::staff_feedback),
        )
        .route("/kb/reviews/overdue", get(kb::overdue))
        .route("/kb/gaps", get(kb::gaps))
        .route("/kb/search", get(kb::search))
        .route("/kb/categories", get(kb::categories))
        .route("/help/articles", get(kb::public_list))
        .route("/help/articles/{id}", get(kb::public_get))
        .route("/help/articles/{id}/feedback", post(kb::public_feedback))
        .route("/help/search", get(kb::public_search))
        .route(
            "/channels/email",
            get(channels::list_mailboxes).post(channels::create_mailbox),
        )
        .route(
            "/channels/email/{id}",
            get(channels::get_mailbox).put(channels::update_mailbox),
        )
        .route(
            "/channels/email/{id}/mail",
            // A whole mail, base64: larger than any other request.
            post(channels::hand_in_mail).layer(DefaultBodyLimit::max(channels::HAND_IN_LIMIT)),
        )
        .route(
            "/channels/sms",
            get(channels::list_sms_gateways).post(channels::create_sms_gateway),
        )
        .route(
            "/channels/sms/{id}",
            get(channels::get_sms_gateway).put(channels::update_sms_gateway),
        )
        .route(
            "/channels/wechat",
            get(wechat::list_accounts).post(wechat::create_account),
        )
        .route(
            "/channels/wechat/{id}",
            get(wechat::get_account).put(wechat::update_account),
        )
        .route("/channels/inbound", get(channels::inbound))
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
        .route("/cases/{id}/deliveries", get(channels::case_deliveries))
        .route(
            "/channels/pbx",
            get(telephony::list_accounts).post(telephony::create_account),
        )
        .route(
            "/channels/pbx/{id}",
            get(telephony::get_account).put(telephony::update_account),
        )
        .route("/stats/phone", get(telephony::figures))
        .route(
            "/surveys/{token}",
            get(survey::get_survey).post(survey::answer_survey),
        )
        .route("/satisfaction", get(survey::figures))
        .route("/satisfaction/cases", get(survey::cases))
        .route("/follow-ups", get(survey::follow_ups))
        .route("/cases/{id}/follow-up", post(survey::close_follow_up))
        .route("/cases/{id}/root-cause", post(causes::record))
        .route("/root-causes/pareto", get(causes::pareto))
        .route("/root-causes/pareto/export", get(causes::pareto_export))
        .route("/root-causes/cases", get(causes::pareto_cases))
        .route("/closed-loop", get(causes::closed_loop))
        .route("/closed-loop/cases", get(causes::closed_loop_cases))
        .route("/closed-loop/export", get(causes::closed_loop_export))
        .route(
            "/improvements",
            get(causes::list_improvements).post(causes::create_improvement),
        )
        .route(
            "/improvements/{id}",
            get(causes::get_improvement).patch(causes::update_improvement),
        )
        .route(
            "/improvements/{id}/history",
            get(causes::improvement_history),
        )
        .route("/improvements/{id}/cases", post(causes::link_case))
        .route(
            "/improvements/{id}/cases/{case}",
            axum::routing::delete(causes::unlink_case),
        )
        .route("/openapi.json", get(openapi_json));
    Router::new()
        .merge(ui::router())
        .route("/assets/{name}", get(assets::serve))
        .route("/widget.js", get(assets::widget))
        .route("/chat/ws", get(chat::customer_ws))
        .route("/chat/attachments/{id}", get(chat::attachment))
        .route(
            "/hooks/pbx/{account_id}",
            post(telephony::webhook).layer(DefaultBodyLimit::max(telephony::WEBHOOK_LIMIT)),
        )
        .route(
            "/hooks/wechat/{account_id}",
            // WeChat's callbacks are a few hundred bytes; more is not WeChat.
            get(wechat::url_check)
                .post(wechat::callback)
                .layer(DefaultBodyLimit::max(wechat::CALLBACK_BODY_MAX)),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .nest("/api/v1", api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        )
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ),
        )
        .with_state(state)
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Chat messages stored by other nodes reach this node's connections.
    tokio::spawn(state.chat.clone().relay(state.clone()));
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the store answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.desk.ready().await {
        Ok(()) => "ready".into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(state.desk.backend_name()),
    )
        .into_response()
}

async fn openapi_json() -> Response {
    axum::Json(openapi::document()).into_response()
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method",
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "internal error",
    )
    .into_response()
}
