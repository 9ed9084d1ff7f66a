//! `/api/v1/channels…`: mailboxes (admins), a mail handed in by a gateway, the intake list
//! (supervisors and admins), and a case's deliveries. Parse, call the desk, shape the answer.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use kefu_model::channels::{
    ChannelAccountView, ChannelKind, EmailAccountDraft, InboundOutcome, SmsAccountDraft,
};
use kefu_model::error::DomainError;
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::views::{
    DeliveryView, EmailAccountView, InboundRetakeView, InboundView, List, MailReceiptView,
    SmsAccountView,
};

/// `GET /channels/email`.
pub async fn list_mailboxes(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<List<EmailAccountView>>> {
    let accounts = state
        .desk
        .channel_accounts_of(&actor, ChannelKind::Email)
        .await?;
    Ok(Json(List {
        items: accounts.iter().filter_map(EmailAccountView::of).collect(),
    }))
}

pub async fn create_mailbox(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<EmailAccountDraft>,
) -> ApiResult<(StatusCode, Json<EmailAccountView>)> {
    let account = state.desk.create_email_account(&actor, draft).await?;
    Ok((StatusCode::CREATED, Json(mailbox_view(&account)?)))
}

pub async fn get_mailbox(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<EmailAccountView>> {
    let account = state
        .desk
        .channel_account_of(&actor, &id, ChannelKind::Email)
        .await?;
    Ok(Json(mailbox_view(&account)?))
}

pub async fn update_mailbox(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<EmailAccountDraft>,
) -> ApiResult<Json<EmailAccountView>> {
    let account = state.desk.update_email_account(&actor, &id, draft).await?;
    Ok(Json(mailbox_view(&account)?))
}

/// The view of an account the desk just gave as a mailbox.
fn mailbox_view(account: &ChannelAccountView) -> Result<EmailAccountView, DomainError> {
    EmailAccountView::of(account)
        .ok_or_else(|| DomainError::NotFound(format!("email account '{}'", account.account.id)))
}

/// `GET /channels/sms`: the SMS gateways notices go out through (admins).
pub async fn list_sms_gateways(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<List<SmsAccountView>>> {
    let accounts = state
        .desk
        .channel_accounts_of(&actor, ChannelKind::Sms)
        .await?;
    Ok(Json(List {
        items: accounts.iter().filter_map(SmsAccountView::of).collect(),
    }))
}

pub async fn create_sms_gateway(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<SmsAccountDraft>,
) -> ApiResult<(StatusCode, Json<SmsAccountView>)> {
    let account = state.desk.create_sms_account(&actor, draft).await?;
    Ok((StatusCode::CREATED, Json(sms_view(&account)?)))
}

pub async fn get_sms_gateway(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<SmsAccountView>> {
    let account = state
        .desk
        .channel_account_of(&actor, &id, ChannelKind::Sms)
        .await?;
    Ok(Json(sms_view(&account)?))
}

pub async fn update_sms_gateway(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<SmsAccountDraft>,
) -> ApiResult<Json<SmsAccountView>> {
    let account = state.desk.update_sms_account(&actor, &id, draft).await?;
    Ok(Json(sms_view(&account)?))
}

fn sms_view(account: &ChannelAccountView) -> Result<SmsAccountView, DomainError> {
    SmsAccountView::of(account)
        .ok_or_else(|| DomainError::NotFound(format!("sms account '{}'", account.account.id)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMail {
    /// The whole RFC 5322 message, base64.
    raw: String,
}

/// The largest mail a gateway may hand in (what the attachment policy allows, and headers).
const RAW_MAIL_MAX: usize = 26 * 1024 * 1024;

/// The request body of a hand-in: the mail in base64 (4 bytes for 3) and the JSON around it.
pub const HAND_IN_LIMIT: usize = RAW_MAIL_MAX / 3 * 4 + 4096;

/// `POST /channels/email/{id}/mail`: a mail a gateway received for this mailbox (admins).
pub async fn hand_in_mail(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RawMail>,
) -> ApiResult<Json<MailReceiptView>> {
    // Who may hand mail in is decided first: a refusal says nothing about the body.
    state
        .desk
        .channel_account_of(&actor, &id, ChannelKind::Email)
        .await?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(body.raw.trim())
        .map_err(|_| DomainError::invalid("raw", "not base64"))?;
    if raw.is_empty() || raw.len() > RAW_MAIL_MAX {
        return Err(DomainError::invalid("raw", "1 byte to 26 MB").into());
    }
    let receipt = state.desk.receive_mail(&id, &raw).await?;
    Ok(Json(MailReceiptView::from(&receipt)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboundParams {
    outcome: Option<InboundOutcome>,
    limit: Option<u32>,
}

/// `GET /channels/inbound?outcome=&limit=`.
pub async fn inbound(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<InboundParams>,
) -> ApiResult<Json<List<InboundView>>> {
    let records = state
        .desk
        .inbound_messages(&actor, p.outcome, p.limit)
        .await?;
    Ok(Json(List::of(&records, InboundView::from)))
}

/// `GET /channels/inbound/{key}/original`: the bytes of a message that could not be read, as
/// a `.eml` download (admins, audited).
pub async fn inbound_original(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Response> {
    let (record, raw) = state.desk.inbound_original(&actor, &key).await?;
    Ok(original_download(&record, raw))
}

/// The response that downloads a kept message: `message/rfc822`, named by its key.
pub fn original_download(record: &kefu_model::channels::InboundRecord, raw: Vec<u8>) -> Response {
    let name: String = record
        .dedupe_key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(80)
        .collect();
    (
        [
            (header::CONTENT_TYPE, "message/rfc822".to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}-{name}.eml\"",
                    record.channel.as_str()
                ),
            ),
        ],
        raw,
    )
        .into_response()
}

/// `POST /channels/inbound/{key}/retake`: read a message that could not be read again.
pub async fn retake_inbound(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<InboundRetakeView>> {
    let retake = state.desk.retake_inbound(&actor, &key).await?;
    Ok(Json(InboundRetakeView::from(&retake)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DismissInbound {
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /channels/inbound/{key}/dismiss`: set a message aside with a reason.
pub async fn dismiss_inbound(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(key): ApiPath<String>,
    ApiJson(body): ApiJson<DismissInbound>,
) -> ApiResult<Json<InboundView>> {
    let reason = body.reason.unwrap_or_default();
    if reason.trim().is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "reason_required",
            "a message is dismissed only with a reason",
        ));
    }
    let record = state.desk.dismiss_inbound(&actor, &key, &reason).await?;
    Ok(Json(InboundView::from(&record)))
}

/// `GET /cases/{id}/deliveries`.
pub async fn case_deliveries(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<List<DeliveryView>>> {
    let deliveries = state.desk.case_deliveries(&actor, &id).await?;
    Ok(Json(List::of(&deliveries, DeliveryView::from)))
}
