//! The WeChat channel over HTTP: `/api/v1/channels/wechat…` (admins configure official accounts
//! and WeCom apps) and `/hooks/wechat/{account_id}`, the public callback URL WeChat calls — the
//! URL check (GET) and each message or event (POST). Parse, call the desk, shape the answer.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_desk::wechat::{CallbackQuery, CallbackRefusal};
use kefu_model::channels::{ChannelAccountView, ChannelKind};
use kefu_model::error::DomainError;
use kefu_model::wechat_account::WeChatAccountDraft;
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::views::{List, WeChatAccountView};

pub use kefu_desk::wechat::CALLBACK_BODY_MAX;

/// `GET /channels/wechat`.
pub async fn list_accounts(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<List<WeChatAccountView>>> {
    let accounts = state
        .desk
        .channel_accounts_of(&actor, ChannelKind::Wechat)
        .await?;
    Ok(Json(List {
        items: accounts.iter().filter_map(WeChatAccountView::of).collect(),
    }))
}

pub async fn create_account(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<WeChatAccountDraft>,
) -> ApiResult<(StatusCode, Json<WeChatAccountView>)> {
    let account = state.desk.create_wechat_account(&actor, draft).await?;
    Ok((StatusCode::CREATED, Json(account_view(&account)?)))
}

pub async fn get_account(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<WeChatAccountView>> {
    let account = state
        .desk
        .channel_account_of(&actor, &id, ChannelKind::Wechat)
        .await?;
    Ok(Json(account_view(&account)?))
}

pub async fn update_account(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<WeChatAccountDraft>,
) -> ApiResult<Json<WeChatAccountView>> {
    let account = state.desk.update_wechat_account(&actor, &id, draft).await?;
    Ok(Json(account_view(&account)?))
}

fn account_view(account: &ChannelAccountView) -> Result<WeChatAccountView, DomainError> {
    WeChatAccountView::of(account)
        .ok_or_else(|| DomainError::NotFound(format!("wechat account '{}'", account.account.id)))
}

/// What WeChat puts on the callback URL. Unknown parameters (`openid`, `encrypt_type`, ones
/// WeChat adds later) are ignored: refusing them would make WeChat retry for ever.
#[derive(Deserialize)]
pub struct HookParams {
    #[serde(default)]
    signature: String,
    #[serde(default)]
    msg_signature: String,
    #[serde(default)]
    timestamp: String,
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    echostr: String,
}

impl From<HookParams> for CallbackQuery {
    fn from(p: HookParams) -> Self {
        CallbackQuery {
            signature: p.signature,
            msg_signature: p.msg_signature,
            timestamp: p.timestamp,
            nonce: p.nonce,
            echostr: p.echostr,
        }
    }
}

fn refused(account_id: &str, refusal: CallbackRefusal) -> ApiError {
    tracing::warn!(account = %account_id, code = refusal.code, message = %refusal.message, "WeChat callback refused");
    ApiError::new(StatusCode::UNAUTHORIZED, refusal.code, refusal.message)
}

fn plain_text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// `GET /hooks/wechat/{account_id}`: WeChat's URL check; the answer is `echostr` (decrypted for
/// encrypted callbacks) when the signature is the account's.
pub async fn url_check(
    State(state): State<AppState>,
    ApiPath(account_id): ApiPath<String>,
    ApiQuery(params): ApiQuery<HookParams>,
) -> ApiResult<Response> {
    let query = CallbackQuery::from(params);
    match state.desk.wechat_url_check(&account_id, &query).await? {
        Ok(echo) => Ok(plain_text(echo)),
        Err(refusal) => Err(refused(&account_id, refusal)),
    }
}

/// `POST /hooks/wechat/{account_id}`: one message or event. Answered `success` as soon as it is
/// stored (also when it was unreadable and kept raw, or taken in before), so WeChat stops
/// retrying; the bot's and agents' answers go out through the customer-service API.
pub async fn callback(
    State(state): State<AppState>,
    ApiPath(account_id): ApiPath<String>,
    ApiQuery(params): ApiQuery<HookParams>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "a WeChat callback is at most 64 KiB",
            )
        } else {
            ApiError::malformed(rejection.body_text())
        }
    })?;
    let query = CallbackQuery::from(params);
    // Not UTF-8 cannot be WeChat's XML; it is kept (lossily) as unreadable once signed.
    let body = String::from_utf8_lossy(&body);
    match state
        .desk
        .receive_wechat(&account_id, &query, &body)
        .await?
    {
        Ok(receipt) => {
            if let Some(case_id) = &receipt.case_id {
                state
                    .chat
                    .publish(&state, case_id, crate::chat::SignalKind::Changed)
                    .await;
            }
            Ok(plain_text(kefu_wechat::IMMEDIATE_ACK.to_string()))
        }
        Err(refusal) => Err(refused(&account_id, refusal)),
    }
}
