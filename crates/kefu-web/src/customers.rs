//! Correcting customers over HTTP: edit (`PATCH /customers/{id}`), the history of changes,
//! merge, and confirming a caller's identity on a case. A customer is answered exactly as
//! `GET /customers/{id}` answers it (the same handler), so what that shows — and hides — holds
//! here too.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kefu_model::corrections::{CustomerPatch, IdentityRequest, MergeRequest};

use crate::AppState;
use crate::api::get_customer;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, Auth};
use crate::views::{CaseView, CustomerEventView, List};

/// The customer as `GET /customers/{id}` shows it, to this actor.
async fn shown(state: AppState, actor: kefu_model::Actor, id: String) -> ApiResult<Response> {
    Ok(get_customer(State(state), Auth(actor), ApiPath(id))
        .await?
        .into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<CustomerPatch>,
) -> ApiResult<Response> {
    let customer = state.desk.edit_customer(&actor, &id, patch).await?;
    shown(state, actor, customer.id.to_string()).await
}

/// The customer's changes, oldest first, with phones and emails masked.
pub async fn events(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<List<CustomerEventView>>> {
    let events = state.desk.customer_events(&actor, &id).await?;
    Ok(Json(List::of(&events, |e| {
        CustomerEventView::from(e.masked())
    })))
}

pub async fn merge(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<MergeRequest>,
) -> ApiResult<Response> {
    let survivor = state.desk.merge_customers(&actor, &id, request).await?;
    shown(state, actor, survivor.id.to_string()).await
}

pub async fn confirm_identity(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<IdentityRequest>,
) -> ApiResult<Json<CaseView>> {
    let case = state.desk.confirm_identity(&actor, &id, request).await?;
    Ok(Json(crate::api::case_view(&state, &case).await?))
}
