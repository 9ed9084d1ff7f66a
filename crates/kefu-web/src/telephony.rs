//! The telephone channel over HTTP: the PBX account (`/api/v1/channels/pbx…`, admins), the
//! PBX's signed webhook (`POST /hooks/pbx/{account_id}`, public: the signature is the
//! credential) and the answer-time figures (`/api/v1/stats/phone`, supervisors and admins).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use jiff::Timestamp;
use kefu_desk::telephony::{CallReceipt, CallRefusal};
use kefu_model::channels::{ChannelAccountView, ChannelKind};
use kefu_model::error::DomainError;
use kefu_model::pbx_account::PbxAccountDraft;
use kefu_telephony::{QueueFigures, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::views::{DateTime, List};

/// The PBX account. The webhook secret is never shown: only whether it is set.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "PbxAccount")]
pub struct PbxAccountView {
    id: String,
    name: String,
    enabled: bool,
    /// How far a webhook's timestamp may be from kefu's clock, in seconds.
    tolerance_seconds: u32,
    /// Recordings below this address play in the console; empty: none do.
    recording_base_url: String,
    webhook_secret_set: bool,
    /// Where the PBX posts its call events.
    webhook_path: String,
    version: i64,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
    status: PbxStatusView,
}

/// How the webhook is doing.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "PbxStatus")]
pub struct PbxStatusView {
    /// Call events taken since the account was added.
    received: u64,
    #[schemars(with = "Option<DateTime>")]
    last_ok_at: Option<Timestamp>,
    /// The last refused webhook (a bad signature, a stale timestamp).
    last_error: Option<String>,
    #[schemars(with = "Option<DateTime>")]
    last_error_at: Option<Timestamp>,
}

impl PbxAccountView {
    /// `None` for an account that is not the PBX's.
    pub fn of(v: &ChannelAccountView) -> Option<Self> {
        let a = &v.account;
        let p = a.pbx()?;
        Some(PbxAccountView {
            id: a.id.clone(),
            name: a.name.clone(),
            enabled: a.enabled,
            tolerance_seconds: p.tolerance_seconds,
            recording_base_url: p.recording_base_url.clone(),
            webhook_secret_set: v.secret_is_set("webhook_secret"),
            webhook_path: format!("/hooks/pbx/{}", a.id),
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
            status: PbxStatusView {
                received: v.status.received,
                last_ok_at: v.status.last_ok_at,
                last_error: v.status.last_error.clone(),
                last_error_at: v.status.last_error_at,
            },
        })
    }
}

/// What became of one call event.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "CallReceipt")]
pub struct CallReceiptView {
    call_id: String,
    /// `offered`, `queued`, `answered`, `ended` or `abandoned`.
    phase: String,
    /// The event was taken before: nothing was written now.
    duplicate: bool,
    case_id: Option<String>,
    case_number: Option<String>,
}

impl From<&CallReceipt> for CallReceiptView {
    fn from(r: &CallReceipt) -> Self {
        CallReceiptView {
            call_id: r.call_id.clone(),
            phase: r.phase.as_str().to_string(),
            duplicate: r.duplicate,
            case_id: r.case_id.as_ref().map(|c| c.to_string()),
            case_number: r.case_number.clone(),
        }
    }
}

/// One queue's answer-time figures. Ratios are 0 to 1, absent without calls to divide by.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "QueueFigures")]
pub struct QueueFiguresView {
    queue: String,
    /// Answered + abandoned (short abandons left out).
    offered: u64,
    answered: u64,
    abandoned: u64,
    /// Hung up within 5 s: counted apart, left out of the other figures.
    short_abandoned: u64,
    answered_within_threshold: u64,
    /// Mean wait of the answered calls, seconds.
    average_speed_of_answer: Option<f64>,
    /// Answered within 20 s / offered.
    service_level: Option<f64>,
    abandonment_rate: Option<f64>,
}

impl From<&QueueFigures> for QueueFiguresView {
    fn from(q: &QueueFigures) -> Self {
        QueueFiguresView {
            queue: q.queue.clone(),
            offered: q.offered,
            answered: q.answered,
            abandoned: q.abandoned,
            short_abandoned: q.short_abandoned,
            answered_within_threshold: q.answered_within_threshold,
            average_speed_of_answer: q.average_speed_of_answer,
            service_level: q.service_level,
            abandonment_rate: q.abandonment_rate,
        }
    }
}

/// `GET /channels/pbx`.
pub async fn list_accounts(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<List<PbxAccountView>>> {
    let accounts = state
        .desk
        .channel_accounts_of(&actor, ChannelKind::Pbx)
        .await?;
    Ok(Json(List {
        items: accounts.iter().filter_map(PbxAccountView::of).collect(),
    }))
}

pub async fn create_account(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<PbxAccountDraft>,
) -> ApiResult<(StatusCode, Json<PbxAccountView>)> {
    let account = state.desk.create_pbx_account(&actor, draft).await?;
    Ok((StatusCode::CREATED, Json(account_view(&account)?)))
}

pub async fn get_account(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<PbxAccountView>> {
    let account = state
        .desk
        .channel_account_of(&actor, &id, ChannelKind::Pbx)
        .await?;
    Ok(Json(account_view(&account)?))
}

pub async fn update_account(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<PbxAccountDraft>,
) -> ApiResult<Json<PbxAccountView>> {
    let account = state.desk.update_pbx_account(&actor, &id, draft).await?;
    Ok(Json(account_view(&account)?))
}

fn account_view(account: &ChannelAccountView) -> Result<PbxAccountView, DomainError> {
    PbxAccountView::of(account)
        .ok_or_else(|| DomainError::NotFound(format!("pbx account '{}'", account.account.id)))
}

/// The request body limit of the webhook.
pub const WEBHOOK_LIMIT: usize = kefu_desk::telephony::WEBHOOK_BODY_MAX;

/// `POST /hooks/pbx/{account_id}`: one signed call event.
pub async fn webhook(
    State(state): State<AppState>,
    ApiPath(account_id): ApiPath<String>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<CallReceiptView>> {
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("a call event is at most {WEBHOOK_LIMIT} bytes"),
        ),
        _ => ApiError::malformed("the body could not be read"),
    })?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let received = state
        .desk
        .receive_call_event(
            &account_id,
            header(TIMESTAMP_HEADER),
            header(SIGNATURE_HEADER),
            &body,
        )
        .await;
    match received {
        Ok(receipt) => {
            let ended = receipt.phase == kefu_model::pbx_account::CallPhaseCode::Ended;
            if let (true, false, Some(engine)) = (ended, receipt.duplicate, state.speech.clone()) {
                // The PBX is answered now; the words follow when the engine has them.
                let desk = state.desk.clone();
                let call_id = receipt.call_id.clone();
                tokio::spawn(async move {
                    if let Err(e) = desk
                        .transcribe_call(engine.as_ref(), &account_id, &call_id)
                        .await
                    {
                        tracing::warn!(%call_id, error = %e, "call transcript not kept");
                    }
                });
            }
            Ok(Json(CallReceiptView::from(&receipt)))
        }
        Err(CallRefusal::BadSignature(why)) => {
            tracing::warn!(account = %account_id, %why, "PBX webhook refused");
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_signature",
                "the webhook's signature or timestamp was not accepted",
            ))
        }
        Err(CallRefusal::Invalid(why)) => {
            Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid", why))
        }
        Err(CallRefusal::Refused(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodParams {
    from: Timestamp,
    to: Timestamp,
}

/// The figures of the calls offered in a period, per queue.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "PhoneFigures")]
pub struct PhoneFiguresView {
    #[schemars(with = "DateTime")]
    from: Timestamp,
    #[schemars(with = "DateTime")]
    to: Timestamp,
    queues: Vec<QueueFiguresView>,
}

/// `GET /stats/phone?from=&to=`.
pub async fn figures(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<PeriodParams>,
) -> ApiResult<Json<PhoneFiguresView>> {
    let queues = state.desk.phone_figures(&actor, p.from, p.to).await?;
    Ok(Json(PhoneFiguresView {
        from: p.from,
        to: p.to,
        queues: queues.iter().map(QueueFiguresView::from).collect(),
    }))
}
